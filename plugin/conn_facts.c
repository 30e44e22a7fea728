/* conn_facts.c - per-endpoint facts of a connection (see conn_facts.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_facts.h"
#include "tcp_options.h"

#define DWELL_STATE_SHIFT 59
#define DWELL_TIME_MASK ((UINT64_C(1) << DWELL_STATE_SHIFT) - 1)

static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* bcc tcpstates times every state a socket passes through; the ones before
 * a connection exists (LISTEN) and after it is gone are not a dwell. */
static bool state_is_timed(unsigned s)
{
    return s >= TL_STATE_SYN_SENT && s <= TL_STATE_LAST_ACK;
}

static void note_syn_options(tl_facts_endpoint_t *ep, const tl_tcp_options_t *o)
{
    if (o->present & TL_OPT_MSS) {
        ep->mss = o->mss;
        ep->options |= TL_FACT_MSS;
    }
    if (o->present & TL_OPT_WSCALE) {
        ep->wscale = o->wscale;
        ep->options |= TL_FACT_WSCALE;
    }
    if (o->present & TL_OPT_SACK_PERM)
        ep->options |= TL_FACT_SACK_PERM;
    if (o->present & TL_OPT_TIMESTAMP)
        ep->options |= TL_FACT_TIMESTAMPS;
    if (o->present & TL_OPT_TFO)
        ep->options |= TL_FACT_FAST_OPEN;
}

void tl_facts_parse_syn_options(tl_facts_endpoint_t *ep, const uint8_t *opt, unsigned len)
{
    tl_tcp_options_t o;
    tl_tcp_options_parse(opt, len, &o);
    note_syn_options(ep, &o);
}

static int dwell_slot(tl_facts_endpoint_t *ep, unsigned state)
{
    for (int i = 0; i < TL_DWELL_SLOTS; i++) {
        unsigned s = (unsigned)(ep->dwell[i] >> DWELL_STATE_SHIFT);
        if (s == state)
            return i;
        if (s == 0) { /* UNKNOWN is never timed: 0 marks a free slot */
            ep->dwell[i] = (uint64_t)state << DWELL_STATE_SHIFT;
            return i;
        }
    }
    return -1; /* more distinct states than slots: the rest is not timed */
}

static void time_state(tl_facts_endpoint_t *ep, unsigned now_state, tl_time_t now)
{
    if (now_state == ep->timed_state)
        return;
    /* Back to the state before: the core disproved an assumption (a SYN-ACK
     * repeated after the third ACK: the server never left SYN_RECEIVED), so
     * the time since belongs to the state it really was in. */
    bool disproved = now_state == ep->prev_state && ep->prev_state != TL_STATE_UNKNOWN;
    unsigned credited = disproved ? now_state : ep->timed_state;
    if (state_is_timed(credited)) {
        int i = dwell_slot(ep, credited);
        tl_time_t spent = now - ep->since;
        if (i >= 0 && spent > 0)
            ep->dwell[i] += (uint64_t)spent & DWELL_TIME_MASK;
    }
    if (state_is_timed(now_state))
        dwell_slot(ep, now_state); /* passed through, even if for no time */
    ep->prev_state = disproved ? TL_STATE_UNKNOWN : ep->timed_state;
    ep->timed_state = now_state & 0x7f;
    ep->since = now;
}

void tl_facts_process(tl_facts_t *f, const tl_conn_t *conn, const tl_segment_t *seg,
                      const tl_annotation_t *ann)
{
    int from = seg->from & 1;
    tl_facts_endpoint_t *s = &f->ep[from];
    bool syn = seg->flags & TL_SYN, ack = seg->flags & TL_ACK, rst = seg->flags & TL_RST;

    s->packets++;
    s->bytes += seg->len;
    if (syn && !rst) {
        s->options |= TL_FACT_SYN_SEEN;
        tl_tcp_options_t scratch;
        note_syn_options(s, tl_segment_options(seg, &scratch));
        uint8_t ecn = seg->tcp_flags & (TL_FLAG_ECE | TL_FLAG_CWR);
        if ((!ack && ecn == (TL_FLAG_ECE | TL_FLAG_CWR)) || (ack && ecn == TL_FLAG_ECE))
            s->options |= TL_FACT_ECN_SETUP; /* RFC 3168 6.1.1 */
    }
    if (!rst) {
        uint32_t end = seg->seq + seg->len + (syn ? 1u : 0u) + ((seg->flags & TL_FIN) ? 1u : 0u);
        /* A keepalive repeats the byte before the next one (seq = next - 1). */
        bool keepalive = seg->len <= 1 && seg->seq + 1 == s->next_seq;
        if (ann->flags & TL_ANN_RETRANSMISSION)
            s->retransmissions++;
        else if (s->seq_known && seg->len > 0 && !keepalive && seq_lt(seg->seq, s->next_seq))
            s->retransmissions++;
        if (!s->seq_known || seq_lt(s->next_seq, end))
            s->next_seq = end;
        s->seq_known = 1;
    }
    for (int i = 0; i < 2; i++)
        time_state(&f->ep[i], conn->ep[i].state, seg->time);
}

tl_time_t tl_facts_dwell(const tl_facts_t *f, int ep, unsigned state, tl_time_t now)
{
    const tl_facts_endpoint_t *e = &f->ep[ep & 1];
    for (int i = 0; i < TL_DWELL_SLOTS; i++) {
        if ((unsigned)(e->dwell[i] >> DWELL_STATE_SHIFT) != state)
            continue;
        tl_time_t t = (tl_time_t)(e->dwell[i] & DWELL_TIME_MASK);
        if (e->timed_state == state && now > e->since)
            t += now - e->since;
        return t;
    }
    return -1;
}

tl_time_t tl_facts_time_wait_left(const tl_conn_t *conn, int ep, tl_time_t now)
{
    const tl_endpoint_t *e = &conn->ep[ep & 1];
    if (e->state != TL_STATE_TIME_WAIT || conn->ended_by_reuse || now >= e->time_wait_expiry)
        return -1;
    return e->time_wait_expiry - now;
}

/* handshake_facts.c - SYN/SYN-ACK tries, SYN cookies, Fast Open (see
 * handshake_facts.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "handshake_facts.h"
#include "tcp_options.h"

#include <string.h>

void tl_handshake_facts_init(tl_handshake_facts_t *f)
{
    memset(f, 0, sizeof *f);
}

static void note_tfo(tl_handshake_facts_t *f, const tl_tcp_options_t *o)
{
    if (!(o->present & TL_OPT_TFO))
        return;
    f->tfo_seen = 1;
    f->tfo_experimental = o->tfo_experimental;
    if (o->tfo_cookie_len == 0) {
        f->tfo_cookie_request = 1;
    } else if (o->tfo_cookie && o->tfo_cookie_len <= TL_TFO_COOKIE_MAX) {
        f->tfo_cookie_len = o->tfo_cookie_len;
        memcpy(f->tfo_cookie, o->tfo_cookie, o->tfo_cookie_len);
    }
}

static void note_syn(tl_handshake_facts_t *f, const tl_segment_t *seg, const tl_tcp_options_t *o,
                     bool first)
{
    if (f->syns < UINT8_MAX)
        f->syns++;
    f->last_syn = seg->time;
    if (!first)
        return;
    f->first_syn = seg->time;
    f->syn_data_len = seg->len;
    if (seg->len > 0)
        f->tfo_data = TL_TFO_DATA_UNANSWERED;
    note_tfo(f, o);
}

static void note_syn_ack(tl_handshake_facts_t *f, const tl_conn_t *c, const tl_segment_t *seg,
                         const tl_tcp_options_t *o, bool first)
{
    if (f->syn_acks < UINT8_MAX)
        f->syn_acks++;
    f->last_syn_ack = seg->time;
    /* A repeat (the server's timer, or its answer to a repeated SYN) comes
     * a second or more after the first: beyond check_syn_cookie's horizon. */
    if (!first)
        return;
    f->syn_ack_time = seg->time;
    if (f->answer == TL_SYN_ANSWER_NONE) {
        f->answer = TL_SYN_ANSWER_SYN_ACK;
        f->answer_time = seg->time;
    }
    if (f->syns && f->syn_data_len > 0) {
        uint32_t isn = c->ep[c->client].isn;
        f->tfo_data = seg->ack == isn + 1 + f->syn_data_len ? TL_TFO_DATA_ACCEPTED
                                                             : TL_TFO_DATA_NOT_ACCEPTED;
    }
    note_tfo(f, o);
    if (o->present & TL_OPT_TIMESTAMP) {
        f->syn_ack_has_ts = 1;
        f->syn_ack_tsval = o->tsval;
    }
}

/* The server's first segment after its only SYN-ACK: its timestamp clock
 * runs on from the SYN-ACK's in real time (1 ms ticks on Linux), unless the
 * SYN-ACK's was a SYN cookie's, rounded down by up to 63 ms. The bound grows
 * by a tenth of the elapsed time for clocks a little faster than 1 kHz.
 * Checked on captures/syncookies and the corpus (echo-connections: 133 Linux
 * cookies on loopback; no alarm on the 140 other captures). */
static void check_syn_cookie(tl_handshake_facts_t *f, const tl_segment_t *seg, const tl_tcp_options_t *o)
{
    f->cookie_checked = 1;
    if (!f->syn_ack_has_ts || !(o->present & TL_OPT_TIMESTAMP))
        return;
    tl_time_t elapsed_ms = (seg->time - f->syn_ack_time) / INT64_C(1000000);
    if (elapsed_ms < 0 || elapsed_ms > 1000)
        return;
    int32_t lag = (int32_t)(o->tsval - f->syn_ack_tsval) - (int32_t)elapsed_ms;
    /* The SYN-ACK's own delay on its way to the capture point mimics a lag:
     * it cannot exceed the SYN -> SYN-ACK time seen here, which must be small
     * beside the lag (near the server, or on a short path). */
    tl_time_t round_trip = f->syns ? f->syn_ack_time - f->last_syn : INT64_MAX / 8;
    if (round_trip < 0 || round_trip * 4 > (tl_time_t)lag * INT64_C(1000000))
        return;
    if (lag >= TL_SYN_COOKIE_MIN_LAG_MS && lag <= TL_SYN_COOKIE_MAX_LAG_MS + (int32_t)(elapsed_ms / 10)) {
        f->syn_cookie = 1;
        f->syn_cookie_lag_ms = lag;
        f->syn_cookie_frame = seg->frame;
    }
}

void tl_handshake_facts_update(tl_handshake_facts_t *f, const tl_conn_t *c, const tl_segment_t *seg,
                               const tl_annotation_t *ann)
{
    tl_tcp_options_t o; /* parsed only where read: most segments need none */
    bool client = ann->sender == TL_ROLE_CLIENT;
    switch (ann->step) {
    case TL_STEP_SYN:
    case TL_STEP_SYN_RETRANSMISSION:
        if (client) {
            note_syn(f, seg, tl_segment_options(seg, &o), ann->step == TL_STEP_SYN);
        }
        return;
    case TL_STEP_SYN_ACK:
    case TL_STEP_SYN_ACK_RETRANSMISSION:
        if (!client) {
            note_syn_ack(f, c, seg, tl_segment_options(seg, &o), ann->step == TL_STEP_SYN_ACK);
        }
        return;
    case TL_STEP_RST:
        if (!client && ann->rst_kind == TL_RST_REFUSED && f->answer == TL_SYN_ANSWER_NONE) {
            f->answer = TL_SYN_ANSWER_RST;
            f->answer_time = seg->time;
        }
        return;
    default:
        if (!client && f->syn_acks && !f->cookie_checked) {
            check_syn_cookie(f, seg, tl_segment_options(seg, &o));
        }
        return;
    }
}

tl_time_t tl_handshake_syn_wait(const tl_handshake_facts_t *f)
{
    if (!f->syns)
        return -1;
    tl_time_t wait = (f->answer != TL_SYN_ANSWER_NONE ? f->answer_time : f->last_syn) - f->first_syn;
    return wait >= 0 ? wait : -1; /* answered before the SYN was captured: reordered */
}

static const char *const answer_names[TL_SYN_ANSWER_COUNT] = { "none", "syn_ack", "rst" };
static const char *const tfo_data_names[TL_TFO_DATA_COUNT] = {
    "none", "unanswered", "accepted", "not_accepted",
};

const char *tl_syn_answer_name(unsigned v)
{
    return v < TL_SYN_ANSWER_COUNT ? answer_names[v] : "?";
}

const char *tl_tfo_data_name(unsigned v)
{
    return v < TL_TFO_DATA_COUNT ? tfo_data_names[v] : "?";
}

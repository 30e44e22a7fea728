/* lifecycle.c - the TCP lifecycle state machine (see lifecycle.h).
 *
 * Each segment is turned into endpoint events (the sender "sends FIN", the
 * receiver "receives FIN", "its FIN is acknowledged", ...). A table maps
 * (state, event) to the next state, as Linux's nf_conntrack_proto_tcp.c does;
 * the code around it decides which events a segment carries and what step of
 * the handshake or close the packet is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "lifecycle.h"

#include <string.h>

/* ---- sequence arithmetic (RFC 1982 style, wraps at 2^32) ---------------- */

static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static bool seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* Does `ack` acknowledge the SYN of `ep`: ISN < ack <= what it sent (RFC 9293
 * SND.UNA < SEG.ACK =< SND.NXT; with Fast Open the SYN's data counts too)? */
static bool acks_syn_of(const tl_endpoint_t *ep, uint32_t ack)
{
    return seq_lt(ep->isn, ack) && seq_geq(ep->next_seq, ack);
}

/* ---- the transition table ------------------------------------------------ */

typedef enum {
    EV_SEND_SYN,       /* sent a SYN without ACK */
    EV_RECV_SYN,       /* a SYN without ACK reached it */
    EV_SEND_SYN_ACK,
    EV_SYN_ACKED,      /* the peer acknowledged its SYN */
    EV_SEND_FIN,
    EV_RECV_FIN,
    EV_FIN_ACKED,      /* the peer acknowledged its FIN */
    EV_ACK_PEER_FIN,   /* it acknowledged the peer's FIN */
    EV_SEND_RST,
    EV_RECV_RST,
    EV_MIDSTREAM,      /* traffic of a connection whose start was not seen */
    EV_COUNT
} endpoint_event_t;

#define KEEP 0xff /* the event leaves the state as it is */

enum { U = TL_STATE_UNKNOWN, LI = TL_STATE_LISTEN, SS = TL_STATE_SYN_SENT,
       SR = TL_STATE_SYN_RECEIVED, ES = TL_STATE_ESTABLISHED,
       F1 = TL_STATE_FIN_WAIT_1, F2 = TL_STATE_FIN_WAIT_2,
       CW = TL_STATE_CLOSE_WAIT, CG = TL_STATE_CLOSING, LA = TL_STATE_LAST_ACK,
       TW = TL_STATE_TIME_WAIT, CL = TL_STATE_CLOSED, K = KEEP };

/* next_state[event][state]; columns: U LI SS SR ES F1 F2 CW CG LA TW CL */
static const uint8_t next_state[EV_COUNT][TL_STATE_COUNT] = {
    /* SEND_SYN     */ { SS, SS, K,  K,  K,  K,  K,  K,  K,  K,  SS, SS },
    /* RECV_SYN     */ { LI, K,  SR, K,  K,  K,  K,  K,  K,  K,  LI, LI },
    /* SEND_SYN_ACK */ { SR, SR, SR, K,  K,  K,  K,  K,  K,  K,  K,  K  },
    /* SYN_ACKED    */ { ES, ES, ES, ES, K,  K,  K,  K,  K,  K,  K,  K  },
    /* SEND_FIN     */ { F1, K,  F1, F1, F1, K,  K,  LA, K,  K,  K,  K  },
    /* RECV_FIN     */ { CW, K,  K,  CW, CW, CG, K,  K,  K,  K,  K,  K  },
    /* FIN_ACKED    */ { K,  K,  K,  K,  K,  F2, K,  K,  TW, CL, K,  K  },
    /* ACK_PEER_FIN */ { K,  K,  K,  K,  K,  K,  TW, K,  K,  K,  TW, K  },
    /* SEND_RST     */ { CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, K  },
    /* RECV_RST     */ { CL, K,  CL, CL, CL, CL, CL, CL, CL, CL, CL, K  },
    /* MIDSTREAM    */ { ES, K,  K,  K,  K,  K,  K,  K,  K,  K,  K,  K  },
};

static void apply(tl_endpoint_t *ep, endpoint_event_t ev)
{
    uint8_t next = next_state[ev][ep->state];
    if (next != KEEP)
        ep->state = next;
}

/* ---- helpers --------------------------------------------------------------- */

static bool state_is_closed(uint8_t s) { return s == TL_STATE_CLOSED || s == TL_STATE_TIME_WAIT; }

static bool conn_is_over(const tl_conn_t *c)
{
    return c->reset || c->refused ||
           (state_is_closed(c->ep[0].state) && state_is_closed(c->ep[1].state));
}

static tl_role_t role_of(const tl_conn_t *c, int ep) { return ep == c->client ? TL_ROLE_CLIENT : TL_ROLE_SERVER; }

static void set_ref(tl_conn_t *c, tl_ref_t ref, uint32_t frame)
{
    if (c->ref[ref] == 0)
        c->ref[ref] = frame;
}

/* Zeek history: one letter per kind and direction, the first time it is seen;
 * the client's in upper case. */
static void add_history(tl_conn_t *c, int from, char letter)
{
    tl_endpoint_t *ep = &c->ep[from];
    uint32_t bit = 1u << (letter - 'A');
    if (ep->history_seen & bit)
        return;
    ep->history_seen |= bit;
    if (c->history_len < TL_HISTORY_MAX) {
        char ch = role_of(c, from) == TL_ROLE_CLIENT ? letter : (char)(letter - 'A' + 'a');
        c->history[c->history_len++] = ch;
        c->history[c->history_len] = '\0';
    }
}

/* ---- revisable assumptions (see tl_revision_t) ------------------------------ */

static void assume(tl_conn_t *c, int ep, uint8_t assumed, uint8_t actual)
{
    tl_revision_t *r = &c->revision;
    r->open = 1;
    r->count = 0;
    r->endpoint = (uint8_t)ep;
    r->assumed = assumed;
    r->actual = actual;
}

static bool assuming(const tl_conn_t *c, int ep, uint8_t assumed)
{
    return c->revision.open && c->revision.endpoint == ep && c->revision.assumed == assumed;
}

/* The server is taken as ESTABLISHED on the client's third ACK. */
static bool assuming_handshake_ack(const tl_conn_t *c, int ep)
{
    return assuming(c, ep, TL_STATE_ESTABLISHED) && c->revision.actual == TL_STATE_SYN_RECEIVED;
}

static void correct_before(tl_annotation_t *a, bool client, const tl_revision_t *r)
{
    uint8_t *before = client ? &a->client_before : &a->server_before;
    if (*before == r->assumed)
        *before = r->actual;
}

/* The assumption was wrong: restore the endpoint's state and correct the
 * packets that showed it, and the "before" states of the packets after the
 * first (`out`, the packet that disproves it, included), so that every
 * packet's "X -> Y" still starts where the previous one ended. */
static void disprove(tl_conn_t *c, tl_annotation_t *out)
{
    tl_revision_t *r = &c->revision;
    bool client = r->endpoint == c->client;
    for (int i = 0; i < r->count; i++) {
        tl_annotation_t *a = r->records[i];
        if (i > 0)
            correct_before(a, client, r);
        uint8_t *state = client ? &a->state_client : &a->state_server;
        if (*state != r->assumed)
            continue;
        *state = r->actual;
        if ((a->flags & TL_ANN_TIME_WAIT_START) &&
            a->tw_role == (client ? TL_ROLE_CLIENT : TL_ROLE_SERVER)) {
            a->flags &= (uint16_t)~TL_ANN_TIME_WAIT_START; /* it never entered TIME_WAIT */
        }
    }
    correct_before(out, client, r); /* not a record yet: its own state is set after */
    c->ep[r->endpoint].state = r->actual;
    r->open = 0;
}

/* The server answered as if the third ACK never came (a SYN-ACK
 * retransmission, or an RST from SYN_RECEIVED): Linux ignores it when the
 * listener's accept queue is full. The handshake is open again; the ACK
 * packet is shown as ignored, the next client segment the server takes
 * completes it. */
static void disprove_handshake_ack(tl_conn_t *c, tl_annotation_t *out)
{
    tl_revision_t *r = &c->revision;
    tl_annotation_t *ack = r->count ? r->records[0] : NULL;
    for (int i = 0; i < r->count; i++)
        if (r->records[i]->phase == TL_PHASE_ESTABLISHED)
            r->records[i]->phase = TL_PHASE_HANDSHAKE;
    disprove(c, out);
    if (ack && ack->step == TL_STEP_HANDSHAKE_ACK) {
        ack->step = TL_STEP_HANDSHAKE_ACK_IGNORED;
        ack->handshake_step = 0;
        ack->flags &= (uint16_t)~(TL_ANN_HANDSHAKE_COMPLETE | TL_ANN_MISSING_THIRD_ACK);
    }
    c->handshake_complete = 0;
    c->ref[TL_REF_HANDSHAKE_ACK] = 0;
    c->handshake_ack_time = 0;
    if (c->syn_ack_annotation)
        c->syn_ack_annotation->lookahead |= TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK;
    if (c->ignored_acks < UINT8_MAX)
        c->ignored_acks++;
    c->ignored_ack_frame = c->assumed_ack_frame;
    out->flags |= TL_ANN_ACK_IGNORED;
}

static void start_time_wait(tl_conn_t *c, int ep, const tl_segment_t *seg, tl_annotation_t *out)
{
    c->ep[ep].time_wait_expiry = tl_time_wait_expiry(c, seg->time);
    out->flags |= TL_ANN_TIME_WAIT_START;
    out->tw_role = role_of(c, ep);
}

void tl_conn_init(tl_conn_t *conn, const tl_config_t *config)
{
    memset(conn, 0, sizeof *conn);
    conn->config = *config;
    conn->close_wait = -1;
    conn->reuse_remaining = -1;
    conn->active_closer = TL_ACTIVE_CLOSER_NONE;
}

/* Roles from the first segment (SPEC "Roles"). */
static void assign_roles(tl_conn_t *c, const tl_segment_t *seg)
{
    bool syn = seg->flags & TL_SYN, ack = seg->flags & TL_ACK, rst = seg->flags & TL_RST;
    c->ep[seg->from].port = seg->src_port;
    c->ep[!seg->from].port = seg->dst_port;
    c->first_time = seg->time;
    if (syn && !ack && !rst) {
        c->client = seg->from;
    } else if (syn && ack && !rst) {
        c->client = !seg->from;
    } else {
        c->midstream = 1;
        c->roles_inferred = 1;
        if (seg->src_port != seg->dst_port)
            c->client = seg->src_port < seg->dst_port ? !seg->from : seg->from;
        else
            c->client = seg->from;
        apply(&c->ep[0], EV_MIDSTREAM);
        apply(&c->ep[1], EV_MIDSTREAM);
    }
}

bool tl_conn_is_new_incarnation(const tl_conn_t *c, const tl_segment_t *seg)
{
    if ((seg->flags & (TL_SYN | TL_ACK | TL_RST)) != TL_SYN || c->packets == 0)
        return false;
    int from = seg->from & 1;
    const tl_endpoint_t *s = &c->ep[from];
    if (conn_is_over(c))
        return !(s->syn_seen && seg->seq == s->isn && !c->handshake_complete && !c->reset &&
                 !c->refused);
    /* A client that gave up on an unanswered SYN and tries again with a new ISN. */
    return from == c->client && s->syn_seen && seg->seq != s->isn && !c->syn_ack_seen;
}

void tl_conn_link_previous(tl_conn_t *conn, tl_conn_t *previous, const tl_segment_t *first)
{
    if ((first->flags & (TL_SYN | TL_ACK | TL_RST)) != TL_SYN)
        return;
    for (int i = 0; i < 2; i++) {
        tl_endpoint_t *ep = &previous->ep[i];
        if (ep->state == TL_STATE_TIME_WAIT && first->time < ep->time_wait_expiry) {
            conn->reuse_remaining = ep->time_wait_expiry - first->time;
            previous->ended_by_reuse = 1;
        }
    }
}

/* What the receiver `r` makes of an RST from `s` (RFC 9293 3.10.7.4). */
typedef enum { RST_RESETS, RST_OUTSIDE_WINDOW, RST_NOT_AT_RCV_NXT } rst_check_t;

static rst_check_t check_rst(const tl_endpoint_t *s, const tl_endpoint_t *r, const tl_segment_t *seg)
{
    if (r->state == TL_STATE_SYN_SENT)
        return (seg->flags & TL_ACK) && acks_syn_of(r, seg->ack) ? RST_RESETS : RST_OUTSIDE_WINDOW;
    uint32_t expected;
    if (r->ack_known)
        expected = r->last_ack;
    else if (s->seq_known)
        expected = s->next_seq;
    else
        return RST_RESETS;
    /* A receiver holding the sender's FIN also takes RCV.NXT - 1, the FIN's
     * own seq, in or out of the window (Linux tcp_reset_check). */
    bool has_fin = r->state == TL_STATE_CLOSE_WAIT || r->state == TL_STATE_LAST_ACK ||
                   r->state == TL_STATE_CLOSING;
    if (has_fin && s->fin_seen && seg->seq + 1 == s->next_seq)
        return RST_RESETS;
    uint32_t window = r->window ? r->window : 1;
    if (!seq_geq(seg->seq, expected) || !seq_lt(seg->seq, expected + window))
        return RST_OUTSIDE_WINDOW;
    /* RFC 9293 3.10.7.4 (RFC 5961 3.2): only an RST at RCV.NXT resets; one
     * elsewhere in the window is answered by a challenge ACK (Linux
     * tcp_validate_incoming; conntrack keeps the state too). RCV.NXT is what
     * the receiver last acknowledged or, that ACK not captured yet, the end
     * of what the sender sent: where a stack's own RST takes its seq
     * (SND.NXT). Without the sender's sequence seen, nothing to compare. */
    if (seg->seq == expected || !s->seq_known || seg->seq == s->next_seq)
        return RST_RESETS;
    return RST_NOT_AT_RCV_NXT;
}

/* Zeek keeps a reset connection's record tcp_close_delay (5 s) after the
 * RST: an RST from the other endpoint within that time resets that endpoint
 * too (TCPSessionAdapter UpdateEstablishedState/UpdateClosedState). Taken
 * here only after data (the code is then RSTR, whoever reset first); without
 * data Zeek's REJ would also depend on data after the RSTs. */
#define ZEEK_CLOSE_DELAY (5 * TL_NS_PER_SEC)

static void process_rst(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    int from = seg->from;
    tl_endpoint_t *s = &c->ep[from], *r = &c->ep[!from];
    bool was_over = conn_is_over(c);

    out->step = TL_STEP_RST;
    add_history(c, from, 'R');
    /* A bare RST taking its seq from the third ACK's ack (RFC 9293 3.10.7.3):
     * the server was still in SYN_RECEIVED and refused the ACK (Linux with
     * tcp_abort_on_overflow=1). An established server's RST carries ACK. */
    if (!was_over && assuming_handshake_ack(c, from) && !(seg->flags & TL_ACK) && r->ack_known &&
        seg->seq == r->last_ack)
        disprove_handshake_ack(c, out);
    if (!was_over || (c->reset && c->reset_after_data && seg->time - c->reset_time <= ZEEK_CLOSE_DELAY))
        s->rst_any = 1; /* later stragglers: Zeek opens a new record */
    rst_check_t check = check_rst(s, r, seg);
    if (check != RST_RESETS) {
        out->rst_kind = TL_RST_OUT_OF_WINDOW;
        if (check == RST_NOT_AT_RCV_NXT) {
            out->flags |= TL_ANN_RST_CHALLENGED;
            s->probe_pending = TL_STEP_RST; /* the receiver's next pure ACK: its challenge ACK */
        }
        return;
    }
    if (was_over && c->reset) {
        out->rst_kind = c->rst_kind; /* another RST of an already reset connection */
        return;
    }
    if (r->state == TL_STATE_SYN_SENT && !c->syn_ack_seen) {
        out->rst_kind = TL_RST_REFUSED;
        c->refused = 1;
    } else if (s->fin_seen || r->fin_seen || was_over) {
        out->rst_kind = TL_RST_AFTER_FIN;
    } else if (c->midstream) {
        out->rst_kind = TL_RST_MIDSTREAM;
    } else if (!c->handshake_complete) {
        out->rst_kind = TL_RST_HANDSHAKE_ABORT;
    } else {
        out->rst_kind = TL_RST_ABORT;
    }
    if (!was_over) {
        c->reset = 1;
        c->reset_time = seg->time;
        c->reset_after_data = ((c->ep[0].history_seen | c->ep[1].history_seen) & (1u << ('D' - 'A'))) != 0;
        c->rst_kind = out->rst_kind;
        set_ref(c, TL_REF_RST, seg->frame);
        if (c->active_closer == TL_ACTIVE_CLOSER_NONE && (c->handshake_complete || c->midstream))
            c->active_closer = role_of(c, from) == TL_ROLE_CLIENT ? TL_ACTIVE_CLOSER_CLIENT
                                                                   : TL_ACTIVE_CLOSER_SERVER;
    }
    apply(s, EV_SEND_RST);
    apply(r, EV_RECV_RST);
    if (c->syn_annotation)
        c->syn_annotation->lookahead &= (uint16_t)~TL_ANN_SYN_UNANSWERED;
    if (c->syn_ack_annotation)
        c->syn_ack_annotation->lookahead &= (uint16_t)~(TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
}

static void process_syn(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    int from = seg->from;
    tl_endpoint_t *s = &c->ep[from], *r = &c->ep[!from];
    bool ack = seg->flags & TL_ACK;

    if (!ack) {
        add_history(c, from, 'S');
        if (s->syn_seen) {
            /* A SYN repeated after a SYN-ACK: the SYN-ACK never reached it. */
            if (assuming(c, from, TL_STATE_ESTABLISHED) && !c->handshake_complete)
                disprove(c, out);
            out->step = TL_STEP_SYN_RETRANSMISSION;
            out->flags |= TL_ANN_RETRANSMISSION;
            out->handshake_step = c->handshake_complete ? 0 : 1;
            return;
        }
        s->syn_seen = 1;
        s->isn = seg->seq;
        out->step = TL_STEP_SYN;
        out->handshake_step = 1;
        if (assuming(c, from, TL_STATE_LISTEN) && s->state == TL_STATE_LISTEN) {
            /* Two-pass view: it was in SYN_SENT, not LISTEN, and the first
             * SYN was one of two crossing SYNs (not once it has moved on:
             * a SYN after its handshake is no crossing SYN). */
            disprove(c, out);
            if (c->syn_annotation)
                c->syn_annotation->flags |= TL_ANN_SIMULTANEOUS_OPEN;
        }
        apply(s, EV_SEND_SYN);
        if (r->syn_seen && !r->syn_ack_sent) {
            /* The peer's SYN was already on the wire: the SYNs crossed. */
            c->simultaneous_open = 1;
            out->flags |= TL_ANN_SIMULTANEOUS_OPEN;
            apply(s, EV_RECV_SYN);
        } else {
            set_ref(c, TL_REF_SYN, seg->frame);
            c->syn_time = seg->time;
            c->syn_annotation = out;
            if (!c->syn_ack_seen) /* else: captured after its SYN-ACK */
                out->lookahead |= TL_ANN_SYN_UNANSWERED;
        }
        uint8_t peer_before = r->state;
        apply(r, EV_RECV_SYN);
        /* A SYN's receiver is taken as listening until it answers; a SYN of
         * its own (the SYNs crossed) shows it had connected: SYN_SENT. */
        if (peer_before == TL_STATE_UNKNOWN && r->state == TL_STATE_LISTEN)
            assume(c, !from, TL_STATE_LISTEN, TL_STATE_SYN_SENT);
        return;
    }

    /* SYN-ACK */
    add_history(c, from, 'H');
    if (assuming(c, from, TL_STATE_LISTEN))
        c->revision.open = 0; /* it was listening */
    if (c->syn_annotation)
        c->syn_annotation->lookahead &= (uint16_t)~TL_ANN_SYN_UNANSWERED;
    if (s->syn_ack_sent) {
        if (assuming_handshake_ack(c, from))
            disprove_handshake_ack(c, out); /* it never took the third ACK */
        out->step = TL_STEP_SYN_ACK_RETRANSMISSION;
        out->flags |= TL_ANN_RETRANSMISSION;
        out->handshake_step = c->handshake_complete ? 0 : 2;
        return;
    }
    s->syn_seen = 1;
    s->syn_ack_sent = 1;
    s->isn = seg->seq;
    c->syn_ack_seen = 1;
    out->step = TL_STEP_SYN_ACK;
    out->handshake_step = 2;
    set_ref(c, TL_REF_SYN_ACK, seg->frame);
    if (c->syn_ack_time == 0)
        c->syn_ack_time = seg->time;
    if (c->simultaneous_open)
        out->flags |= TL_ANN_SIMULTANEOUS_OPEN;
    apply(s, EV_SEND_SYN_ACK);
    uint8_t client_before = r->state;
    if (!r->syn_seen || acks_syn_of(r, seg->ack))
        apply(r, EV_SYN_ACKED);
    if (client_before == TL_STATE_SYN_SENT && r->state == TL_STATE_ESTABLISHED)
        assume(c, !from, TL_STATE_ESTABLISHED, TL_STATE_SYN_SENT);
    if (!c->simultaneous_open) {
        c->syn_ack_annotation = out;
        out->lookahead |= TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK;
    } else if (s->state == TL_STATE_ESTABLISHED && r->state == TL_STATE_ESTABLISHED) {
        /* Simultaneous open: the second SYN-ACK completes it (RFC 9293 fig. 8). */
        c->handshake_complete = 1;
        out->flags |= TL_ANN_HANDSHAKE_COMPLETE;
        set_ref(c, TL_REF_HANDSHAKE_ACK, seg->frame);
        c->handshake_ack_time = seg->time;
    }
}

/* An ACK (without SYN) from the client that acknowledges the server's SYN,
 * or any client ACK when the server's SYN-ACK was never captured. */
static bool completes_handshake(const tl_conn_t *c, const tl_segment_t *seg)
{
    int from = seg->from;
    const tl_endpoint_t *r = &c->ep[!from];
    if (c->handshake_complete || c->midstream || !(seg->flags & TL_ACK) || (seg->flags & TL_SYN) ||
        conn_is_over(c))
        return false;
    if (c->simultaneous_open) /* a bare ACK of the last unacknowledged SYN (split handshake) */
        return (r->state == TL_STATE_SYN_RECEIVED || r->state == TL_STATE_SYN_SENT) && r->syn_seen &&
               c->ep[from].state == TL_STATE_ESTABLISHED && seq_lt(r->isn, seg->ack) &&
               seq_geq(r->next_seq, seg->ack);
    if (from != c->client)
        return false;
    if (r->syn_seen)
        return acks_syn_of(r, seg->ack);
    return c->ep[from].syn_seen; /* the server's SYN-ACK was not captured */
}

static void complete_handshake(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    tl_endpoint_t *r = &c->ep[!seg->from];
    bool pure = seg->len == 0 && !(seg->flags & TL_FIN);
    uint8_t server_before = r->state;
    c->handshake_complete = 1;
    apply(r, EV_SYN_ACKED);
    if (server_before == TL_STATE_SYN_RECEIVED && r->state == TL_STATE_ESTABLISHED &&
        !c->simultaneous_open) {
        /* Until the server acts on it: a full accept queue ignores it. */
        assume(c, !seg->from, TL_STATE_ESTABLISHED, TL_STATE_SYN_RECEIVED);
        c->assumed_ack_frame = seg->frame;
    }
    apply(&c->ep[seg->from], EV_SYN_ACKED);
    out->step = TL_STEP_HANDSHAKE_ACK;
    out->handshake_step = 3;
    out->flags |= TL_ANN_HANDSHAKE_COMPLETE;
    if (!pure)
        out->flags |= TL_ANN_MISSING_THIRD_ACK;
    set_ref(c, TL_REF_HANDSHAKE_ACK, seg->frame);
    c->handshake_ack_time = seg->time;
    if (c->syn_annotation)
        c->syn_annotation->lookahead &= (uint16_t)~TL_ANN_SYN_UNANSWERED;
    if (c->syn_ack_annotation)
        c->syn_ack_annotation->lookahead &= (uint16_t)~(TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
}

static void mark_active_closer(tl_conn_t *c, int from)
{
    /* A server (Fast Open) may close from SYN_RECEIVED: after its SYN-ACK
     * the connection is synchronized enough to have an active closer. */
    if (c->active_closer == TL_ACTIVE_CLOSER_NONE && (c->handshake_complete || c->midstream || c->syn_ack_seen))
        c->active_closer = role_of(c, from) == TL_ROLE_CLIENT ? TL_ACTIVE_CLOSER_CLIENT
                                                               : TL_ACTIVE_CLOSER_SERVER;
}

/* The FIN of a segment, after its ACK was processed. `acked_peer_fin` says
 * this very segment acknowledged the peer's FIN for the first time. */
static void process_fin(tl_conn_t *c, const tl_segment_t *seg, bool acked_peer_fin, tl_annotation_t *out)
{
    int from = seg->from;
    tl_endpoint_t *s = &c->ep[from], *r = &c->ep[!from];
    uint32_t fin_seq = seg->seq + seg->len + ((seg->flags & TL_SYN) ? 1 : 0);

    add_history(c, from, 'F');
    if (s->fin_seen) {
        out->step = TL_STEP_FIN_RETRANSMISSION;
        out->flags |= TL_ANN_RETRANSMISSION;
        if (s->fin_acked) /* repeated after its ACK: the peer's re-ACK restarts TIME_WAIT */
            s->fin_retx_pending = 1;
        return;
    }
    s->fin_seen = 1;
    s->fin_seq = fin_seq;

    if (!r->fin_seen) {
        /* Active close. */
        out->step = TL_STEP_FIN_ACTIVE;
        out->close_step = 1;
        out->closer = TL_CLOSER_ACTIVE;
        set_ref(c, TL_REF_FIN_ACTIVE, seg->frame);
        mark_active_closer(c, from);
        uint8_t peer_before = r->state;
        apply(s, EV_SEND_FIN);
        apply(r, EV_RECV_FIN);
        r->fin_received = seg->time;
        if (r->state == TL_STATE_CLOSE_WAIT && peer_before == TL_STATE_ESTABLISHED)
            assume(c, !from, TL_STATE_CLOSE_WAIT, TL_STATE_FIN_WAIT_1);
        return;
    }

    if (!r->fin_acked) {
        /* The peer's FIN is not acknowledged by this FIN: this endpoint sent
         * its FIN before the peer's reached it. The FINs crossed. */
        c->simultaneous_close = 1;
        if (c->handshake_complete || c->midstream)
            c->active_closer = TL_ACTIVE_CLOSER_BOTH;
        out->step = TL_STEP_FIN_SIMULTANEOUS;
        out->close_step = 1;
        out->closer = TL_CLOSER_ACTIVE;
        out->flags |= TL_ANN_SIMULTANEOUS_CLOSE;
        set_ref(c, TL_REF_FIN_PASSIVE, seg->frame);
        if (assuming(c, from, TL_STATE_CLOSE_WAIT)) {
            /* Two-pass view: it never was in CLOSE_WAIT, and the first FIN
             * was one of two crossing FINs. */
            tl_annotation_t *first = c->revision.count ? c->revision.records[0] : NULL;
            disprove(c, out);
            if (first && first->step == TL_STEP_FIN_ACTIVE) {
                first->step = TL_STEP_FIN_SIMULTANEOUS;
                first->flags |= TL_ANN_SIMULTANEOUS_CLOSE;
            }
        }
        s->state = TL_STATE_FIN_WAIT_1; /* it sent its FIN first ... */
        apply(s, EV_RECV_FIN);          /* ... and then the peer's arrived */
        apply(r, EV_RECV_FIN);
        return;
    }

    /* Passive close. */
    out->closer = TL_CLOSER_PASSIVE;
    out->close_step = 3;
    set_ref(c, TL_REF_FIN_PASSIVE, seg->frame);
    if (acked_peer_fin) {
        out->step = TL_STEP_FIN_PASSIVE_MERGED;
        out->flags |= TL_ANN_MERGED_FIN_ACK;
        c->merged_fin_ack = 1;
    } else {
        out->step = TL_STEP_FIN_PASSIVE;
    }
    if (s->state == TL_STATE_CLOSE_WAIT && s->fin_received) {
        c->close_wait = seg->time - s->fin_received;
        if (c->close_wait > c->config.close_wait_warn)
            out->flags |= TL_ANN_CLOSE_WAIT_LONG;
    }
    apply(s, EV_SEND_FIN);
    apply(r, EV_RECV_FIN);
}

/* The ACK field of a segment: SYN, FIN acknowledgements. Returns whether it
 * acknowledged the peer's FIN for the first time. */
static bool process_ack(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    int from = seg->from;
    tl_endpoint_t *s = &c->ep[from], *r = &c->ep[!from];
    bool has_fin = seg->flags & TL_FIN;

    if (completes_handshake(c, seg))
        complete_handshake(c, seg, out);

    if (!r->fin_seen || !seq_geq(seg->ack, r->fin_seq + 1))
        return false;

    if (!r->fin_acked) {
        uint8_t before = r->state, sender_before = s->state;
        bool reack = r->fin_retx_pending; /* the FIN was repeated: TIME_WAIT starts over */
        r->fin_acked = 1;
        r->fin_retx_pending = 0;
        apply(r, EV_FIN_ACKED);
        if (r->state != before)
            assume(c, !from, r->state, before);
        apply(s, EV_ACK_PEER_FIN);
        if (r->state == TL_STATE_TIME_WAIT)          /* CLOSING -> TIME_WAIT */
            start_time_wait(c, !from, seg, out);
        if (s->state == TL_STATE_TIME_WAIT && (sender_before != TL_STATE_TIME_WAIT || reack))
            start_time_wait(c, from, seg, out);      /* the last ACK */
        if (has_fin)
            return true;                             /* process_fin names the step */
        if (c->simultaneous_close) {
            out->step = TL_STEP_FIN_ACTIVE_ACK;
            out->close_step = 2;
            out->closer = TL_CLOSER_ACTIVE;
        } else if (s->fin_seen) {
            out->step = TL_STEP_LAST_ACK;
            out->close_step = 4;
            out->closer = TL_CLOSER_ACTIVE;
            set_ref(c, TL_REF_LAST_ACK, seg->frame);
        } else {
            out->step = TL_STEP_FIN_ACTIVE_ACK;
            out->close_step = 2;
            out->closer = TL_CLOSER_PASSIVE;
        }
        return true;
    }

    if (r->fin_retx_pending && !has_fin) {
        /* Re-acknowledging a retransmitted FIN: TIME_WAIT starts over. */
        r->fin_retx_pending = 0;
        if (s->state == TL_STATE_TIME_WAIT) {
            start_time_wait(c, from, seg, out);
            out->step = TL_STEP_LAST_ACK;
            out->close_step = 4;
            out->closer = TL_CLOSER_ACTIVE;
        }
    }
    return false;
}

static void track_sequence(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    tl_endpoint_t *s = &c->ep[seg->from];
    uint32_t end = seg->seq + seg->len + ((seg->flags & TL_SYN) ? 1 : 0) + ((seg->flags & TL_FIN) ? 1 : 0);
    if (seg->len > 0) {
        bool data_before = s->history_seen & (1u << ('D' - 'A'));
        if (data_before && s->seq_known && !seq_lt(s->next_seq, seg->seq + seg->len))
            add_history(c, seg->from, 'T');
        add_history(c, seg->from, 'D');
        if (s->fin_seen && seq_lt(s->fin_seq, seg->seq + seg->len) && !(seg->flags & TL_FIN))
            out->flags |= TL_ANN_DATA_AFTER_FIN;
    }
    if (!(seg->flags & TL_RST)) {
        if (!s->seq_known || seq_lt(s->next_seq, end))
            s->next_seq = end;
        s->seq_known = 1;
        s->window = seg->window;
        if (seg->flags & TL_ACK) {
            s->last_ack = seg->ack;
            s->ack_known = 1;
        }
        if (seg->window == 0)
            add_history(c, seg->from, 'W');
    }
}

/* Keepalive and zero-window probes: a segment of at most one byte one below
 * what the peer already acknowledged (Linux tcp_xmit_probe_skb sends
 * SND.UNA - 1 for both; others send the last byte again), so the peer must
 * answer with an ACK. Which one it is depends on the window the peer
 * offered: zero means a zero-window probe. The peer's next pure ACK is the
 * answer; so is it after an RST not at RCV.NXT (process_rst): a challenge
 * ACK. */
static void classify_probe(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    tl_endpoint_t *s = &c->ep[seg->from], *r = &c->ep[!seg->from];
    bool plain = !(seg->flags & (TL_SYN | TL_FIN | TL_RST)) && (seg->flags & TL_ACK);
    uint8_t answered = r->probe_pending;
    r->probe_pending = 0;
    if (!plain || (out->step != TL_STEP_ACK && out->step != TL_STEP_DATA) ||
        !(c->handshake_complete || c->midstream))
        return;
    if (answered && seg->len == 0) {
        out->step = answered == TL_STEP_KEEPALIVE ? TL_STEP_KEEPALIVE_ACK
                    : answered == TL_STEP_RST     ? TL_STEP_CHALLENGE_ACK
                                                  : TL_STEP_ZERO_WINDOW_PROBE_ACK;
        return;
    }
    if (seg->len <= 1 && r->ack_known && seg->seq == r->last_ack - 1) {
        out->step = r->window == 0 ? TL_STEP_ZERO_WINDOW_PROBE : TL_STEP_KEEPALIVE;
        s->probe_pending = out->step;
    }
}

static void expire_time_wait(tl_conn_t *c, tl_time_t now)
{
    for (int i = 0; i < 2; i++)
        if (c->ep[i].state == TL_STATE_TIME_WAIT && now >= c->ep[i].time_wait_expiry)
            c->ep[i].state = TL_STATE_CLOSED;
}

static uint8_t phase_of(const tl_conn_t *c, bool over_before, bool closing_before,
                        const tl_annotation_t *out)
{
    if (out->step == TL_STEP_RST && out->rst_kind != TL_RST_OUT_OF_WINDOW && !over_before)
        return TL_PHASE_RESET;
    if (over_before)
        return TL_PHASE_CLOSED;
    if (closing_before || c->ep[0].fin_seen || c->ep[1].fin_seen)
        return TL_PHASE_CLOSING;
    if (out->handshake_step)
        return TL_PHASE_HANDSHAKE;
    if (c->midstream)
        return TL_PHASE_MIDSTREAM;
    return c->handshake_complete ? TL_PHASE_ESTABLISHED : TL_PHASE_HANDSHAKE;
}

void tl_conn_process(tl_conn_t *c, const tl_segment_t *seg, tl_annotation_t *out)
{
    memset(out, 0, sizeof *out);
    out->client_before = c->packets ? c->ep[c->client].state : TL_STATE_UNKNOWN;
    out->server_before = c->packets ? c->ep[!c->client].state : TL_STATE_UNKNOWN;
    int from = seg->from & 1;
    tl_segment_t s = *seg;
    s.from = (uint8_t)from;
    if (c->packets == 0) {
        assign_roles(c, &s);
        out->flags |= c->midstream ? TL_ANN_MIDSTREAM_START : 0;
        if (c->reuse_remaining >= 0)
            out->flags |= TL_ANN_TIME_WAIT_REUSE;
    }
    c->packets++;
    c->last_time = seg->time;
    expire_time_wait(c, seg->time);

    tl_revision_t *rev = &c->revision;
    if (rev->open && rev->endpoint == from) {
        tl_endpoint_t *s_ep = &c->ep[from];
        bool fin_again = (s.flags & TL_FIN) && s_ep->fin_seen && s_ep->fin_acked &&
                         s.seq + s.len == s_ep->fin_seq && rev->assumed == s_ep->state;
        if (fin_again) {
            /* Its FIN repeated: the ACK we saw never reached it. */
            disprove(c, out);
            s_ep->fin_acked = 0;
            s_ep->fin_retx_pending = 1;
        }
    }
    bool over_before = conn_is_over(c);
    bool closing_before = c->ep[0].fin_seen || c->ep[1].fin_seen;
    bool syn = s.flags & TL_SYN, ack = s.flags & TL_ACK, fin = s.flags & TL_FIN;

    out->sender = role_of(c, from);
    out->step = s.len > 0 ? TL_STEP_DATA : TL_STEP_ACK;
    c->ep[from].sent_anything = 1;

    if (s.flags & TL_RST) {
        process_rst(c, &s, out);
    } else if (c->reset) {
        out->step = TL_STEP_AFTER_CLOSE; /* an accepted RST ended it: nothing changes */
        if (s.flags & TL_FIN)
            add_history(c, from, 'F');
    } else {
        bool acked_peer_fin = false;
        if (syn)
            process_syn(c, &s, out);
        else if (ack)
            acked_peer_fin = process_ack(c, &s, out);
        if (!syn && ack && s.len == 0 && !fin)
            add_history(c, from, 'A');
        if (fin && !syn)
            process_fin(c, &s, acked_peer_fin, out);
        if (over_before && out->step != TL_STEP_LAST_ACK && !syn && !fin) {
            out->step = TL_STEP_AFTER_CLOSE;
            out->close_step = 0;
            out->closer = TL_CLOSER_NONE;
        }
    }
    classify_probe(c, &s, out);
    track_sequence(c, &s, out);

    if (rev->open && rev->endpoint == from) {
        /* The endpoint acted on the assumed state: confirmed, unless it is
         * an assumed CLOSE_WAIT and it has not acknowledged the FIN yet. */
        bool confirmed = rev->assumed == TL_STATE_CLOSE_WAIT ? c->ep[!from].fin_acked
                                                             : !(s.flags & TL_SYN);
        if (confirmed)
            rev->open = 0;
    }
    if (rev->open && rev->count < TL_REVISABLE_MAX)
        rev->records[rev->count++] = out;
    out->phase = phase_of(c, over_before, closing_before, out);
    out->state_client = c->ep[c->client].state;
    out->state_server = c->ep[!c->client].state;
    if (c->roles_inferred)
        out->flags |= TL_ANN_ROLES_INFERRED;
}

/* ---- connection summary ---------------------------------------------------- */

static uint8_t final_state(const tl_conn_t *c, int ep, tl_time_t capture_end)
{
    uint8_t s = c->ep[ep].state;
    if (s == TL_STATE_TIME_WAIT && (c->ended_by_reuse || capture_end >= c->ep[ep].time_wait_expiry))
        return TL_STATE_CLOSED;
    return s;
}

/* Zeek's endpoint states (analyzer/protocol/tcp/TCP_Endpoint.h), from what
 * each side sent. */
typedef enum { Z_INACTIVE, Z_SYN_SENT, Z_SYN_ACK_SENT, Z_PARTIAL, Z_ESTABLISHED, Z_CLOSED, Z_RESET } zeek_ep_t;

static zeek_ep_t zeek_endpoint(const tl_conn_t *c, const tl_endpoint_t *ep)
{
    if (ep->rst_any)
        return Z_RESET;
    if (ep->fin_seen)
        return Z_CLOSED;
    if (!ep->sent_anything)
        return Z_INACTIVE;
    if (c->syn_ack_seen)
        return Z_ESTABLISHED; /* Zeek: established once SYN-ACK is seen */
    if (ep->syn_ack_sent)
        return Z_SYN_ACK_SENT;
    if (ep->syn_seen)
        return Z_SYN_SENT;
    return Z_PARTIAL;
}

/* History matches Zeek's /^?S[^HAFGIQ]*R.*$/: a SYN, then an RST before any
 * SYN-ACK, ACK or FIN from the originator. */
static bool syn_then_rst(const char *history)
{
    const char *h = history[0] == '^' ? history + 1 : history;
    if (*h++ != 'S')
        return false;
    for (; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

/* Zeek's conn_state (base/protocols/conn/main.zeek, function conn_state). */
static const char *zeek_state(const tl_conn_t *c, const char *history)
{
    const tl_endpoint_t *o = &c->ep[c->client], *r = &c->ep[!c->client];
    zeek_ep_t os = zeek_endpoint(c, o), rs = zeek_endpoint(c, r);
    bool o_inactive = os == Z_INACTIVE || os == Z_PARTIAL;
    bool r_inactive = rs == Z_INACTIVE || rs == Z_PARTIAL;
    uint32_t data = 1u << ('D' - 'A');
    if (rs == Z_RESET) {
        if (os == Z_SYN_SENT || os == Z_SYN_ACK_SENT ||
            (os == Z_RESET && !(o->history_seen & data) && !(r->history_seen & data)))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == Z_RESET) {
        if (r_inactive)
            return syn_then_rst(history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == Z_CLOSED && os == Z_CLOSED)
        return "SF";
    if (os == Z_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == Z_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == Z_SYN_SENT && rs == Z_INACTIVE)
        return "S0";
    if (os == Z_ESTABLISHED && rs == Z_ESTABLISHED)
        return "S1";
    return "OTH";
}

/* Can a packet not read yet, or a later end of the capture, still change the
 * verdict? Only these can: any packet of a connection that is not over; a FIN
 * repeated after its ACK while the core still assumes that ACK arrived (the
 * open revision: the FIN's sender goes back to LAST_ACK or FIN_WAIT_1, the
 * connection is no longer closed); the first packet of an endpoint that had
 * sent nothing, or the first data after RSTs from both (Zeek's conn_state);
 * and the end of the capture for an
 * endpoint in TIME_WAIT (CLOSED once the capture runs past its expiry).
 * Packets after an accepted RST, and RSTs or stragglers after both FINs were
 * acknowledged, change nothing but the history (which only grows). */
static bool verdict_settled(const tl_conn_t *c, const tl_summary_t *s)
{
    const tl_revision_t *r = &c->revision;
    if (!c->ep[0].sent_anything || !c->ep[1].sent_anything)
        return false;
    /* Zeek calls RSTs from both and no data REJ: data after them would change that. */
    uint32_t data = 1u << ('D' - 'A');
    if (c->ep[0].rst_any && c->ep[1].rst_any && !((c->ep[0].history_seen | c->ep[1].history_seen) & data))
        return false;
    /* Zeek also takes the other endpoint's RST (within 5 s, after data):
     * where that would change the code (RSTO or REJ, then RSTR), wait. */
    if (c->reset && c->reset_after_data && c->ep[0].rst_any != c->ep[1].rst_any) {
        tl_conn_t both = *c;
        both.ep[0].rst_any = both.ep[1].rst_any = 1;
        if (strcmp(zeek_state(&both, s->history), s->zeek_state) != 0)
            return false;
    }
    /* After an accepted RST every state is CLOSED: only a FIN repeated by an
     * endpoint assumed CLOSED moves it. */
    if (c->reset)
        return !(r->open && r->assumed == TL_STATE_CLOSED && c->ep[r->endpoint].fin_acked);
    /* Closed by FINs: a late SYN-ACK still names an incomplete handshake. */
    if (!conn_is_over(c) || r->open || !(c->handshake_complete || c->midstream))
        return false;
    return s->state_client != TL_STATE_TIME_WAIT && s->state_server != TL_STATE_TIME_WAIT;
}

void tl_conn_summarize(const tl_conn_t *c, tl_time_t capture_end, tl_summary_t *out)
{
    const tl_endpoint_t *cl = &c->ep[c->client], *sv = &c->ep[!c->client];
    bool both_fins_acked = cl->fin_acked && sv->fin_acked;
    bool any_fin = cl->fin_seen || sv->fin_seen;

    memset(out, 0, sizeof *out);
    if (c->midstream)
        out->outcome = (c->reset || both_fins_acked) ? TL_OUTCOME_MIDSTREAM_CLOSED : TL_OUTCOME_MIDSTREAM_OPEN;
    else if (c->refused)
        out->outcome = TL_OUTCOME_REFUSED;
    else if (c->reset)
        out->outcome = TL_OUTCOME_RESET;
    else if (!c->handshake_complete)
        out->outcome = c->syn_ack_seen ? TL_OUTCOME_HANDSHAKE_INCOMPLETE : TL_OUTCOME_SYN_UNANSWERED;
    else if (both_fins_acked)
        out->outcome = TL_OUTCOME_COMPLETE;
    else if (any_fin)
        out->outcome = TL_OUTCOME_HALF_CLOSED;
    else
        out->outcome = TL_OUTCOME_OPEN;

    if (cl->fin_seen && sv->fin_seen)
        out->close_style = c->simultaneous_close ? TL_CLOSE_STYLE_SIMULTANEOUS
                         : c->merged_fin_ack     ? TL_CLOSE_STYLE_THREE_WAY
                                                 : TL_CLOSE_STYLE_FOUR_WAY;
    else if (c->reset)
        out->close_style = TL_CLOSE_STYLE_RST;
    else if (any_fin)
        out->close_style = TL_CLOSE_STYLE_HALF;
    else
        out->close_style = TL_CLOSE_STYLE_NONE;

    /* none until the handshake completed (SPEC): a disproved third ACK can take it back */
    out->active_closer = (c->handshake_complete || c->midstream) ? c->active_closer : TL_ACTIVE_CLOSER_NONE;
    out->state_client = final_state(c, c->client, capture_end);
    out->state_server = final_state(c, !c->client, capture_end);
    /* Zeek marks with ^ a connection whose originator is not the first sender. */
    size_t n = 0;
    if (c->client != 0)
        out->history[n++] = '^';
    memcpy(out->history + n, c->history, c->history_len + 1u);
    out->zeek_state = zeek_state(c, out->history);
    out->duration = c->last_time - c->first_time;
    out->close_wait = c->close_wait;
    out->settled = verdict_settled(c, out);
}

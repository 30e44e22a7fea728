/* reference_model.c - see reference_model.h.
 *
 * Two passes over the whole conversation, the way the two-pass view reads
 * it. Pass 1 settles what only later packets tell (which segments never
 * reached their receiver, whether the FINs crossed). Pass 2 runs two RFC 9293
 * endpoints: each segment is "sent" by one (a switch on its state) and, unless
 * lost, "received" by the other (another switch), at the capture point.
 * Naming the packet (step, close step, phase) is done apart, from facts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "reference_model.h"

#include <stdbool.h>
#include <string.h>

enum { CLIENT = 0, SERVER = 1 };

typedef struct {
    uint8_t st;           /* RFC 9293 state (TL_STATE_*) */
    bool syn_sent, fin_sent, rst_sent;
    uint32_t isn;         /* seq of its SYN */
    uint32_t fin_seq;     /* seq of its FIN octet */
    bool fin_acked;       /* an ACK of its FIN reached it */
    bool fin_ack_seen;    /* an ACK of its FIN was seen since it last sent the FIN */
    bool peer_fin_in;     /* the peer's FIN reached it */
    bool owes_ack;        /* a FIN (or its repeat) reached it, not acknowledged since */
    bool fin_in_tw;       /* ... and that one reached it in TIME_WAIT: a repeat */
} end_t;

/* a > b in sequence space (RFC 9293 3.4: arithmetic modulo 2^32) */
static bool seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

static bool has(const tl_segment_t *g, uint8_t f) { return (g->flags & f) != 0; }

/* Does segment g acknowledge the FIN of endpoint e (SEG.ACK > its seq)? */
static bool acks_fin(const tl_segment_t *g, const end_t *e)
{
    return has(g, TL_ACK) && !has(g, TL_SYN) && e->fin_sent && seq_after(g->ack, e->fin_seq);
}

static bool is_over(const end_t *e)
{
    return e->st == TL_STATE_CLOSED || e->st == TL_STATE_TIME_WAIT;
}

/* ---- pass 1: what later packets prove ------------------------------------ */

/* The segment the sender of segs[k] sends next, or n. */
static unsigned next_from(const tl_segment_t *segs, unsigned n, unsigned k, int who)
{
    for (unsigned i = k + 1; i < n; i++)
        if (segs[i].from == who)
            return i;
    return n;
}

/* lost[k]: segment k never reached its receiver. A SYN-ACK the client answers
 * with its SYN again never reached it (RFC 9293 3.10.7.3: a SYN-SENT client
 * that got it would ACK it). An ACK of a FIN that the FIN's sender answers by
 * sending the FIN again never reached it (3.10.7.4: it would have moved on). */
static void find_lost(const tl_segment_t *segs, unsigned n, bool *lost)
{
    uint32_t fin_seq[2] = { 0, 0 };
    bool fin_sent[2] = { false, false };
    bool syn_ack_lost = false;
    for (unsigned k = 0; k < n; k++) {
        const tl_segment_t *g = &segs[k];
        int x = g->from, y = !g->from;
        lost[k] = false;
        if (has(g, TL_SYN) && has(g, TL_ACK) && x == SERVER) {
            unsigned c = next_from(segs, n, k, CLIENT);
            lost[k] = c < n && has(&segs[c], TL_SYN) && !has(&segs[c], TL_ACK);
            /* Not RFC but the core's evidence rule (golden synack_unanswered,
             * kernel truth): once a SYN-ACK is known lost, its repeats are
             * taken as received only when the client ACKs one (send_segment). */
            lost[k] |= syn_ack_lost;
            syn_ack_lost |= lost[k];
        }
        if (has(g, TL_ACK) && !has(g, TL_SYN) && !has(g, TL_RST) && fin_sent[y] &&
            seq_after(g->ack, fin_seq[y])) {
            unsigned r = next_from(segs, n, k, y);
            lost[k] = r < n && has(&segs[r], TL_FIN) && segs[r].seq + segs[r].len == fin_seq[y];
        }
        if (has(g, TL_FIN) && !fin_sent[x]) {
            fin_sent[x] = true;
            fin_seq[x] = g->seq + g->len;
        }
    }
}

/* The FINs crossed: the first FIN's receiver sent its own FIN without having
 * acknowledged the first. Returns its index (and the first FIN's in *first). */
static unsigned find_crossing(const tl_segment_t *segs, unsigned n, unsigned *first)
{
    unsigned i = n;
    for (unsigned k = 0; k < n; k++)
        if (has(&segs[k], TL_FIN) && !has(&segs[k], TL_RST)) {
            i = k;
            break;
        }
    if (i == n)
        return n;
    int a = segs[i].from;
    uint32_t a_fin = segs[i].seq + segs[i].len;
    for (unsigned k = i + 1; k < n; k++) {
        const tl_segment_t *g = &segs[k];
        if (g->from == a || has(g, TL_RST))
            continue;
        if (has(g, TL_ACK) && seq_after(g->ack, a_fin))
            return n; /* it acknowledged the FIN first: no crossing */
        if (has(g, TL_FIN)) {
            *first = i;
            return k;
        }
    }
    return n;
}

/* ---- pass 2: the two endpoints ---------------------------------------------- */

/* What sending g says about its sender x. Returns whether x (re)enters TIME_WAIT. */
static bool send_segment(end_t *x, const end_t *y, const tl_segment_t *g)
{
    bool tw = false;
    if (has(g, TL_RST)) {
        x->st = TL_STATE_CLOSED; /* 3.10.7: an RST sender drops the connection */
        x->rst_sent = true;
        return false;
    }
    if (has(g, TL_SYN)) {
        if (!x->syn_sent) {
            x->syn_sent = true;
            x->isn = g->seq;
            /* active OPEN -> SYN_SENT; LISTEN answering a SYN -> SYN_RECEIVED */
            x->st = has(g, TL_ACK) ? TL_STATE_SYN_RECEIVED : TL_STATE_SYN_SENT;
        }
        return false;
    }
    if (x->st == TL_STATE_SYN_SENT && has(g, TL_ACK) && seq_after(g->ack, y->isn))
        x->st = TL_STATE_ESTABLISHED; /* its ACK shows a SYN-ACK reached it */
    if (acks_fin(g, y) && x->owes_ack) {
        x->owes_ack = false;
        switch (x->st) {
        case TL_STATE_FIN_WAIT_2: /* SPEC: the active closer enters TIME_WAIT with its last ACK */
            x->st = TL_STATE_TIME_WAIT;
            tw = true;
            break;
        case TL_STATE_TIME_WAIT: /* 3.10.7.4: a FIN repeated into TIME_WAIT is ACKed, 2MSL restarts */
            tw = x->fin_in_tw;
            break;
        default:
            break;
        }
        x->fin_in_tw = false;
    }
    if (has(g, TL_FIN) && !x->fin_sent) {
        x->fin_sent = true;
        x->fin_seq = g->seq + g->len;
        x->fin_ack_seen = false;
        switch (x->st) {
        case TL_STATE_ESTABLISHED: x->st = TL_STATE_FIN_WAIT_1; break; /* CLOSE */
        case TL_STATE_CLOSE_WAIT:  x->st = TL_STATE_LAST_ACK;   break; /* CLOSE */
        default: break; /* FIN_WAIT_1 already: its crossing FIN was taken as sent earlier */
        }
    } else if (has(g, TL_FIN)) {
        x->fin_ack_seen = false; /* sent again: its next ACK is news again */
    }
    return tw;
}

/* What receiving g does to y (x sent it). Returns whether y enters TIME_WAIT. */
static bool receive_segment(end_t *y, const end_t *x, const tl_segment_t *g, bool with_fin)
{
    bool tw = false;
    (void)x;
    if (has(g, TL_RST)) {
        y->st = TL_STATE_CLOSED; /* 3.10.7: an acceptable RST closes it */
        return false;
    }
    if (has(g, TL_SYN)) {
        if (!has(g, TL_ACK) && y->st == TL_STATE_UNKNOWN)
            y->st = TL_STATE_LISTEN; /* SPEC/capture: SYN_RECEIVED comes with its SYN-ACK */
        else if (has(g, TL_ACK) && y->st == TL_STATE_SYN_SENT && g->ack == y->isn + 1)
            y->st = TL_STATE_ESTABLISHED; /* 3.10.7.3: SYN-ACK of our SYN */
        return false;
    }
    if (has(g, TL_ACK)) {
        bool our_fin = acks_fin(g, y);
        switch (y->st) { /* 3.10.7.4, fifth check: the ACK field */
        case TL_STATE_SYN_RECEIVED:
            if (seq_after(g->ack, y->isn))
                y->st = TL_STATE_ESTABLISHED;
            break;
        case TL_STATE_FIN_WAIT_1:
            if (our_fin)
                y->st = TL_STATE_FIN_WAIT_2;
            break;
        case TL_STATE_CLOSING:
            if (our_fin) {
                y->st = TL_STATE_TIME_WAIT;
                tw = true;
            }
            break;
        case TL_STATE_LAST_ACK:
            if (our_fin)
                y->st = TL_STATE_CLOSED;
            break;
        default:
            break;
        }
        if (our_fin)
            y->fin_acked = true;
    }
    if (has(g, TL_FIN) && with_fin) { /* eighth check: the FIN bit */
        if (!y->peer_fin_in) {
            y->peer_fin_in = true;
            switch (y->st) {
            case TL_STATE_ESTABLISHED: y->st = TL_STATE_CLOSE_WAIT; break;
            case TL_STATE_FIN_WAIT_1:  y->st = TL_STATE_CLOSING;    break;
            default: break; /* FIN_WAIT_2: TIME_WAIT once it ACKs (send_segment) */
            }
        }
        y->owes_ack = true;
        y->fin_in_tw = y->st == TL_STATE_TIME_WAIT;
    }
    return tw;
}

void rm_predict(const tl_segment_t *segs, unsigned n, rm_packet_t *out, rm_verdict_t *v)
{
    bool lost[RM_MAX_SEGMENTS];
    unsigned first_fin = n, cross = find_crossing(segs, n, &first_fin);
    find_lost(segs, n, lost);

    end_t ep[2];
    memset(ep, 0, sizeof ep);
    bool complete = false, reset = false, refused = false, syn_ack_seen = false;
    bool server_answered = false; /* SYN-ACK or RST from the server */
    int active = -1;              /* first FIN/RST sender after the handshake, 2 = both */
    unsigned syn_ack_at = n;

    for (unsigned k = 0; k < n; k++) {
        const tl_segment_t *g = &segs[k];
        rm_packet_t *p = &out[k];
        int xi = g->from;
        end_t *x = &ep[xi], *y = &ep[!xi];
        memset(p, 0, sizeof *p);
        p->sender = (uint8_t)(xi == CLIENT ? TL_ROLE_CLIENT : TL_ROLE_SERVER);
        p->client_before = ep[CLIENT].st;
        p->server_before = ep[SERVER].st;
        bool over_before = reset || (is_over(&ep[0]) && is_over(&ep[1]));
        bool x_fin_before = x->fin_sent;
        bool newly_acks_fin = acks_fin(g, y) && !y->fin_ack_seen && !has(g, TL_RST);
        bool completes = !complete && !over_before && xi == CLIENT && !has(g, TL_SYN) &&
                         has(g, TL_ACK) && !has(g, TL_RST) && ep[SERVER].syn_sent &&
                         seq_after(g->ack, ep[SERVER].isn);
        bool crossing = k == first_fin || k == cross;

        /* ---- the endpoints move ---- */
        if (!over_before) {
            if (send_segment(x, y, g))
                p->tw_roles |= (uint8_t)(1u << xi);
            if (k == first_fin && cross < n)
                ep[segs[cross].from].st = TL_STATE_FIN_WAIT_1; /* its FIN was already out */
            if (k == cross && first_fin < n) /* the first FIN reaches it only now */
                receive_segment(x, y, &segs[first_fin], true);
            /* crossing FINs: the first (and its repeats) reaches its peer only after the peer's own */
            bool fin_arrives = cross == n || k > cross || xi != segs[first_fin].from;
            if (!lost[k] && receive_segment(y, x, g, fin_arrives))
                p->tw_roles |= (uint8_t)(1u << !xi);
            if (newly_acks_fin)
                y->fin_ack_seen = true;
        }

        /* ---- what the packet is ---- */
        p->step = g->len ? TL_STEP_DATA : TL_STEP_ACK;
        if (over_before) {
            p->step = TL_STEP_AFTER_CLOSE;
        } else if (has(g, TL_RST)) {
            p->step = TL_STEP_RST;
            if (xi == SERVER && !syn_ack_seen)
                p->rst_kind = TL_RST_REFUSED, refused = true;
            else if (ep[0].fin_sent || ep[1].fin_sent)
                p->rst_kind = TL_RST_AFTER_FIN;
            else
                p->rst_kind = complete ? TL_RST_ABORT : TL_RST_HANDSHAKE_ABORT;
            reset = true;
            server_answered |= xi == SERVER;
            if (active < 0 && complete)
                active = xi;
        } else if (has(g, TL_SYN)) {
            bool again = has(g, TL_ACK) ? syn_ack_at < k : k > 0;
            if (has(g, TL_ACK)) {
                p->step = again ? TL_STEP_SYN_ACK_RETRANSMISSION : TL_STEP_SYN_ACK;
                p->handshake_step = 2;
                if (!again)
                    syn_ack_at = k;
                syn_ack_seen = server_answered = true;
            } else {
                p->step = again ? TL_STEP_SYN_RETRANSMISSION : TL_STEP_SYN;
                p->handshake_step = 1;
            }
            if (again)
                p->flags |= TL_ANN_RETRANSMISSION;
        } else if (has(g, TL_FIN)) {
            if (x_fin_before) {
                p->step = TL_STEP_FIN_RETRANSMISSION;
                p->flags |= TL_ANN_RETRANSMISSION;
            } else if (crossing && cross < n) {
                p->step = TL_STEP_FIN_SIMULTANEOUS;
                p->close_step = 1;
                p->closer = TL_CLOSER_ACTIVE;
                p->flags |= TL_ANN_SIMULTANEOUS_CLOSE;
            } else if (!y->fin_sent) {
                p->step = TL_STEP_FIN_ACTIVE;
                p->close_step = 1;
                p->closer = TL_CLOSER_ACTIVE;
            } else {
                /* the close's third step; a merged FIN-ACK is also its second */
                p->step = newly_acks_fin ? TL_STEP_FIN_PASSIVE_MERGED : TL_STEP_FIN_PASSIVE;
                p->flags |= newly_acks_fin ? TL_ANN_MERGED_FIN_ACK : 0;
                p->close_step = 3;
                p->closer = TL_CLOSER_PASSIVE;
            }
            if (!x_fin_before && active < 0 && complete)
                active = cross < n ? 2 : xi;
        } else if (completes) {
            p->step = TL_STEP_HANDSHAKE_ACK;
            p->handshake_step = 3;
            p->flags |= TL_ANN_HANDSHAKE_COMPLETE;
            if (g->len)
                p->flags |= TL_ANN_MISSING_THIRD_ACK; /* data completed it */
        } else if (newly_acks_fin) {
            if (cross < n || !x->fin_sent) {
                p->step = TL_STEP_FIN_ACTIVE_ACK;
                p->close_step = 2;
                p->closer = cross < n ? TL_CLOSER_ACTIVE : TL_CLOSER_PASSIVE;
            } else {
                p->step = TL_STEP_LAST_ACK;
                p->close_step = 4;
                p->closer = TL_CLOSER_ACTIVE;
            }
        }
        if (completes)
            complete = true;
        if (p->tw_roles)
            p->flags |= TL_ANN_TIME_WAIT_START;

        /* ---- phase ---- */
        if (p->step == TL_STEP_RST)
            p->phase = TL_PHASE_RESET;
        else if (over_before)
            p->phase = TL_PHASE_CLOSED;
        else if (ep[0].fin_sent || ep[1].fin_sent)
            p->phase = TL_PHASE_CLOSING;
        else if (p->handshake_step || !complete)
            p->phase = TL_PHASE_HANDSHAKE;
        else
            p->phase = TL_PHASE_ESTABLISHED;
        p->state_client = ep[CLIENT].st;
        p->state_server = ep[SERVER].st;
    }

    /* ---- look-ahead verdicts: SYN never answered, SYN-ACK never acknowledged ---- */
    if (n && !server_answered)
        out[0].lookahead |= TL_ANN_SYN_UNANSWERED;
    if (syn_ack_at < n && !complete && !reset)
        out[syn_ack_at].lookahead |= TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK;

    /* ---- the connection ---- */
    bool both_fins = ep[0].fin_sent && ep[1].fin_sent;
    if (refused)
        v->outcome = TL_OUTCOME_REFUSED;
    else if (reset)
        v->outcome = TL_OUTCOME_RESET;
    else if (!complete)
        v->outcome = syn_ack_seen ? TL_OUTCOME_HANDSHAKE_INCOMPLETE : TL_OUTCOME_SYN_UNANSWERED;
    else if (ep[0].fin_acked && ep[1].fin_acked)
        v->outcome = TL_OUTCOME_COMPLETE;
    else if (ep[0].fin_sent || ep[1].fin_sent)
        v->outcome = TL_OUTCOME_HALF_CLOSED;
    else
        v->outcome = TL_OUTCOME_OPEN;

    bool merged = false;
    for (unsigned k = 0; k < n; k++)
        merged |= out[k].step == TL_STEP_FIN_PASSIVE_MERGED;
    if (both_fins)
        v->close_style = cross < n ? TL_CLOSE_STYLE_SIMULTANEOUS
                       : merged    ? TL_CLOSE_STYLE_THREE_WAY
                                   : TL_CLOSE_STYLE_FOUR_WAY;
    else if (reset)
        v->close_style = TL_CLOSE_STYLE_RST;
    else
        v->close_style = (ep[0].fin_sent || ep[1].fin_sent) ? TL_CLOSE_STYLE_HALF : TL_CLOSE_STYLE_NONE;

    v->active_closer = active < 0 ? TL_ACTIVE_CLOSER_NONE
                     : active == 2 ? TL_ACTIVE_CLOSER_BOTH
                     : active == CLIENT ? TL_ACTIVE_CLOSER_CLIENT : TL_ACTIVE_CLOSER_SERVER;
    v->state_client = ep[CLIENT].st;
    v->state_server = ep[SERVER].st;
    v->expired_client = is_over(&ep[CLIENT]) ? TL_STATE_CLOSED : ep[CLIENT].st;
    v->expired_server = is_over(&ep[SERVER]) ? TL_STATE_CLOSED : ep[SERVER].st;
}

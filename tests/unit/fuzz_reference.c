/* fuzz_reference.c - random protocol-following conversations, the core's
 * final annotations checked against the reference model (reference_model.c).
 *
 *   fuzz_reference [CONVERSATIONS [SEED]]
 *
 * The generator plays two well-behaved endpoints with random choices
 * (retransmitted SYNs, lost SYN-ACKs, a missing third ACK, data both ways,
 * retransmitted data, late ACKs, either side closing first, four-way,
 * three-way, simultaneous or half close, lost ACKs of FINs, RSTs anywhere)
 * and cuts the capture short at a random point now and then. Every packet's
 * annotation, as the core leaves it at the end (corrections included), and
 * the connection's verdict must be what the model says.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "lifecycle_names.h"
#include "reference_model.h"

/* ---- the generator -------------------------------------------------------- */

typedef struct {
    uint64_t prng;
    tl_segment_t seg[RM_MAX_SEGMENTS];
    unsigned n;
    uint32_t nxt[2];          /* next seq each endpoint sends */
    uint32_t isn[2];
    uint32_t ends[2][RM_MAX_SEGMENTS]; /* segment ends, for late ACKs */
    unsigned nends[2];
    unsigned data_at[2][RM_MAX_SEGMENTS]; /* its data segments, to send again */
    unsigned ndata[2];
    unsigned fin_at[2];       /* index of its FIN segment */
    uint16_t port[2];
    tl_time_t now;
} gen_t;

static unsigned below(gen_t *g, unsigned n)
{
    uint64_t z = (g->prng += 0x9e3779b97f4a7c15u); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return (unsigned)(z % n);
}

static bool chance(gen_t *g, unsigned one_in) { return below(g, one_in) == 0; }

static void emit(gen_t *g, int from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    if (g->n >= RM_MAX_SEGMENTS - 1)
        return;
    tl_segment_t *s = &g->seg[g->n];
    memset(s, 0, sizeof *s);
    s->from = (uint8_t)from;
    s->flags = flags;
    s->tcp_flags = flags;
    s->src_port = g->port[from];
    s->dst_port = g->port[!from];
    s->seq = seq;
    s->ack = (flags & TL_ACK) ? ack : 0;
    s->len = len;
    s->window = 65535;
    s->frame = g->n + 1;
    g->now += (tl_time_t)(1 + below(g, 30)) * INT64_C(1000000);
    s->time = g->now;
    uint32_t end = seq + len + ((flags & TL_SYN) ? 1 : 0) + ((flags & TL_FIN) ? 1 : 0);
    if (!(flags & TL_RST) && (int32_t)(end - g->nxt[from]) > 0) {
        g->nxt[from] = end;
        g->ends[from][g->nends[from]++] = end;
    }
    if (len && !(flags & (TL_SYN | TL_FIN)))
        g->data_at[from][g->ndata[from]++] = g->n;
    if ((flags & TL_FIN) && !g->fin_at[from])
        g->fin_at[from] = g->n;
    g->n++;
}

static void again(gen_t *g, unsigned k) /* an exact copy of segment k */
{
    tl_segment_t s = g->seg[k];
    emit(g, s.from, s.flags, s.seq, s.ack, s.len);
}

static uint32_t data_len(gen_t *g) { return 2 + below(g, 1400); } /* >= 2: no keepalive look-alike */

static void data(gen_t *g, int x) { emit(g, x, TL_ACK | TL_PSH, g->nxt[x], g->nxt[!x], data_len(g)); }
static void ack(gen_t *g, int x) { emit(g, x, TL_ACK, g->nxt[x], g->nxt[!x], 0); }

/* An ACK that acknowledges less than everything the peer sent. */
static void late_ack(gen_t *g, int x)
{
    unsigned m = g->nends[!x];
    emit(g, x, TL_ACK, g->nxt[x], g->ends[!x][m > 1 ? below(g, m) : 0], 0);
}

/* RST from x (in window: its next seq), then a few stragglers from its
 * peer, sent before the RST reached it. */
static void rst(gen_t *g, int x)
{
    emit(g, x, TL_RST | TL_ACK, g->nxt[x], g->nxt[!x], 0);
    for (unsigned i = below(g, 3); i > 0; i--)
        chance(g, 2) && !g->fin_at[!x] ? data(g, !x) : ack(g, !x);
}

/* x acknowledges y's FIN; sometimes that ACK is lost after the capture point,
 * y sends its FIN again and x acknowledges the repeat. */
static void ack_fin(gen_t *g, int x)
{
    ack(g, x);
    if (chance(g, 6)) {
        again(g, g->fin_at[!x]);
        ack(g, x);
    }
}

static void data_rounds(gen_t *g, unsigned max, int only)
{
    for (unsigned r = below(g, max + 1); r > 0; r--) {
        int x = only >= 0 ? only : (int)below(g, 2);
        unsigned what = below(g, 10);
        if (only >= 0 && what >= 6)
            what = 0; /* the half-closed side: data or ACKs from its peer */
        if (what < 6)
            data(g, x);
        else if (what < 7 && g->ndata[x])
            again(g, g->data_at[x][below(g, g->ndata[x])]);
        else if (what < 8)
            late_ack(g, x);
        else
            ack(g, x);
        if (only >= 0 && chance(g, 2))
            ack(g, !x);
    }
}

static void conversation(gen_t *g)
{
    enum { C = 0, S = 1 };
    for (int i = 0; i < 2; i++) {
        g->isn[i] = chance(g, 4) ? 0xffffffffu - below(g, 3000) : (uint32_t)below(g, 0x7fffffff) * 2u;
        g->nxt[i] = g->isn[i];
    }
    emit(g, C, TL_SYN, g->isn[C], 0, 0);
    for (unsigned i = chance(g, 4) ? 1 + below(g, 2) : 0; i > 0; i--)
        again(g, 0);
    if (chance(g, 20))
        return; /* never answered */
    if (chance(g, 15)) {
        emit(g, S, TL_RST | TL_ACK, 0, g->isn[C] + 1, 0); /* refused */
        return;
    }
    emit(g, S, TL_SYN | TL_ACK, g->isn[S], g->nxt[C], 0);
    unsigned syn_ack = g->n - 1;
    unsigned r = below(g, 10);
    if (r < 2) { /* the SYN-ACK is lost: the client repeats its SYN, the server its SYN-ACK */
        if (chance(g, 2))
            again(g, syn_ack);
        again(g, 0);
        again(g, syn_ack);
    } else if (r < 4) { /* the client's ACK is slow: the server repeats its SYN-ACK */
        for (unsigned i = 1 + below(g, 2); i > 0; i--)
            again(g, syn_ack);
    }
    if (chance(g, 20)) {
        rst(g, (int)below(g, 2)); /* handshake aborted */
        return;
    }
    if (chance(g, 4))
        data(g, C); /* the third ACK is missing: the client's data completes it */
    else
        ack(g, C);
    data_rounds(g, 8, -1);
    if (chance(g, 10)) {
        rst(g, (int)below(g, 2));
        return;
    }

    int a = (int)below(g, 2), b = !a; /* the active closer and its peer */
#define MAYBE_RST()                             \
    do {                                        \
        if (chance(g, 15)) {                    \
            rst(g, (int)below(g, 2));           \
            return;                             \
        }                                       \
    } while (0)
    unsigned style = below(g, 4);
    if (chance(g, 3)) /* FIN with data */
        emit(g, a, TL_FIN | TL_ACK | TL_PSH, g->nxt[a], g->nxt[b], data_len(g));
    else
        emit(g, a, TL_FIN | TL_ACK, g->nxt[a], g->nxt[b], 0);
    if (chance(g, 10))
        again(g, g->fin_at[a]); /* repeated before any ACK */
    switch (style) {
    case 0: /* simultaneous: b's FIN does not acknowledge a's */
        emit(g, b, TL_FIN | TL_ACK, g->nxt[b], g->nxt[a] - 1, chance(g, 3) ? data_len(g) : 0);
        MAYBE_RST();
        if (chance(g, 2)) {
            ack_fin(g, a);
            ack_fin(g, b);
        } else {
            ack_fin(g, b);
            ack_fin(g, a);
        }
        break;
    case 1: /* three-way: b's FIN acknowledges a's */
        MAYBE_RST();
        emit(g, b, TL_FIN | TL_ACK, g->nxt[b], g->nxt[a], chance(g, 3) ? data_len(g) : 0);
        if (chance(g, 10))
            again(g, g->fin_at[b]);
        MAYBE_RST();
        ack_fin(g, a);
        break;
    default: /* four-way (2) or half (3) */
        if (chance(g, 8))
            emit(g, b, TL_ACK | TL_PSH, g->nxt[b], g->nxt[a] - 1, data_len(g)); /* crossed the FIN */
        MAYBE_RST();
        ack_fin(g, b);
        data_rounds(g, 4, b);
        if (style == 3)
            break;
        MAYBE_RST();
        emit(g, b, TL_FIN | TL_ACK, g->nxt[b], g->nxt[a], chance(g, 3) ? data_len(g) : 0);
        if (chance(g, 10))
            again(g, g->fin_at[b]);
        MAYBE_RST();
        ack_fin(g, a);
        break;
    }
#undef MAYBE_RST
    if (style != 3 && chance(g, 8))
        ack(g, a); /* a repeated last ACK: after the close */
}

/* ---- the comparison ----------------------------------------------------------- */

static const tl_config_t config = { INT64_C(60) * TL_NS_PER_SEC, INT64_C(3600) * TL_NS_PER_SEC };

static void print_conversation(const gen_t *g, unsigned n, const tl_annotation_t *ann,
                               const rm_packet_t *want)
{
    fprintf(stderr, "  conversation (seq/ack relative to the ISNs %" PRIu32 "/%" PRIu32 "):\n",
            g->isn[0], g->isn[1]);
    for (unsigned k = 0; k < n; k++) {
        const tl_segment_t *s = &g->seg[k];
        const tl_annotation_t *a = &ann[k];
        const rm_packet_t *w = &want[k];
        fprintf(stderr, "  #%-2u %s %s%s%s%s%s seq %" PRIu32 " ack %" PRIu32 " len %" PRIu32 "\n", k + 1,
                s->from ? "S->C" : "C->S", (s->flags & TL_SYN) ? "S" : "", (s->flags & TL_FIN) ? "F" : "",
                (s->flags & TL_RST) ? "R" : "", (s->flags & TL_PSH) ? "P" : "", (s->flags & TL_ACK) ? "." : "",
                s->seq - g->isn[s->from], (s->flags & TL_ACK) ? s->ack - g->isn[!s->from] : 0, s->len);
        fprintf(stderr,
                "       core:  %-11s %-22s hs %u cs %u %-7s %s -> %s / %s -> %s flags 0x%04x la 0x%x rst %s tw %u\n",
                tl_phase_name(a->phase), tl_step_name(a->step), a->handshake_step, a->close_step,
                tl_closer_name(a->closer), tl_state_name(a->client_before), tl_state_name(a->state_client),
                tl_state_name(a->server_before), tl_state_name(a->state_server), a->flags, a->lookahead,
                tl_rst_kind_name(a->rst_kind), a->tw_role);
        fprintf(stderr,
                "       model: %-11s %-22s hs %u cs %u %-7s %s -> %s / %s -> %s flags 0x%04x la 0x%x rst %s tw 0x%x\n",
                tl_phase_name(w->phase), tl_step_name(w->step), w->handshake_step, w->close_step,
                tl_closer_name(w->closer), tl_state_name(w->client_before), tl_state_name(w->state_client),
                tl_state_name(w->server_before), tl_state_name(w->state_server), w->flags, w->lookahead,
                tl_rst_kind_name(w->rst_kind), w->tw_roles);
    }
}

/* The first field that differs, or NULL. */
static const char *packet_differs(const tl_annotation_t *a, const rm_packet_t *w)
{
    if (a->state_client != w->state_client) return "state_client";
    if (a->state_server != w->state_server) return "state_server";
    if (a->client_before != w->client_before) return "client_before";
    if (a->server_before != w->server_before) return "server_before";
    if (a->step != w->step) return "step";
    if (a->phase != w->phase) return "phase";
    if (a->handshake_step != w->handshake_step) return "handshake_step";
    if (a->close_step != w->close_step) return "close_step";
    if (a->sender != w->sender) return "sender";
    if (a->closer != w->closer) return "closer";
    if (a->rst_kind != w->rst_kind) return "rst_kind";
    if (a->flags != w->flags) return "flags";
    if (a->lookahead != w->lookahead) return "lookahead";
    /* One tw_role per packet: where both (re)enter TIME_WAIT, either may be named. */
    if ((a->flags & TL_ANN_TIME_WAIT_START) && !(w->tw_roles & (1u << a->tw_role))) return "tw_role";
    return NULL;
}

static const char *verdict_differs(const tl_summary_t *now, const tl_summary_t *later, const rm_verdict_t *v)
{
    if (now->outcome != v->outcome) return "outcome";
    if (now->close_style != v->close_style) return "close_style";
    if (now->active_closer != v->active_closer) return "active_closer";
    if (now->state_client != v->state_client) return "conn.state_client";
    if (now->state_server != v->state_server) return "conn.state_server";
    if (later->state_client != v->expired_client) return "conn.state_client after TIME_WAIT";
    if (later->state_server != v->expired_server) return "conn.state_server after TIME_WAIT";
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned long total = argc > 1 ? strtoul(argv[1], NULL, 0) : 30000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 20240610;
    unsigned long failures = 0, packets = 0, cut = 0;
    uint64_t steps[TL_STEP_COUNT] = { 0 }, outcomes[TL_OUTCOME_COUNT] = { 0 }, styles[TL_CLOSE_STYLE_COUNT] = { 0 };
    static gen_t g;
    static tl_conn_t conn;
    static tl_annotation_t ann[RM_MAX_SEGMENTS];
    static rm_packet_t want[RM_MAX_SEGMENTS];

    for (unsigned long i = 0; i < total; i++) {
        memset(&g, 0, sizeof g);
        g.prng = seed * 1000003u + i; /* one seed per conversation: a failure names it */
        g.port[0] = (uint16_t)(32768 + below(&g, 28000));
        g.port[1] = chance(&g, 2) ? 80 : 443;
        g.now = INT64_C(1700000000) * TL_NS_PER_SEC;
        conversation(&g);
        unsigned n = g.n;
        if (n > 1 && chance(&g, 4)) { /* the capture ends early */
            n = 1 + below(&g, n);
            cut++;
        }

        tl_conn_init(&conn, &config);
        const char *what = NULL;
        unsigned at = 0;
        for (unsigned k = 0; k < n; k++) {
            if (k > 0 && tl_conn_is_new_incarnation(&conn, &g.seg[k]) && !what) {
                what = "is_new_incarnation";
                at = k;
            }
            tl_conn_process(&conn, &g.seg[k], &ann[k]);
        }
        tl_summary_t now, later;
        tl_conn_summarize(&conn, g.seg[n - 1].time, &now);
        tl_conn_summarize(&conn, g.seg[n - 1].time + config.time_wait + 1, &later);
        rm_verdict_t v;
        rm_predict(g.seg, n, want, &v);

        for (unsigned k = 0; k < n && !what; k++)
            if ((what = packet_differs(&ann[k], &want[k])) != NULL)
                at = k;
        if (!what && (what = verdict_differs(&now, &later, &v)) != NULL)
            at = n;
        packets += n;
        for (unsigned k = 0; k < n; k++)
            steps[ann[k].step]++;
        outcomes[now.outcome]++;
        styles[now.close_style]++;
        if (!what)
            continue;
        /* Print the first of each kind of disagreement (field, and the
         * steps the core and the model gave the packet). */
        static char kinds[16][96];
        static unsigned nkinds;
        char kind[96];
        snprintf(kind, sizeof kind, "%s %s/%s", what, at < n ? tl_step_name(ann[at].step) : "-",
                 at < n ? tl_step_name(want[at].step) : "-");
        bool seen = false;
        for (unsigned j = 0; j < nkinds; j++)
            seen |= strcmp(kinds[j], kind) == 0;
        failures++;
        if (!seen && nkinds < 16) {
            snprintf(kinds[nkinds++], sizeof kind, "%s", kind);
            fprintf(stderr, "fuzz_reference: conversation %lu (seed %" PRIu64 "): %s differs at %s%u\n", i, seed,
                    what, at < n ? "packet #" : "the verdict, after packet #", at < n ? at + 1 : n);
            print_conversation(&g, n, ann, want);
            fprintf(stderr,
                    "  verdict core: %s %s %s %s/%s (expired %s/%s); model: %s %s %s %s/%s (expired %s/%s)\n",
                    tl_outcome_name(now.outcome), tl_close_style_name(now.close_style),
                    tl_active_closer_name(now.active_closer), tl_state_name(now.state_client),
                    tl_state_name(now.state_server), tl_state_name(later.state_client),
                    tl_state_name(later.state_server), tl_outcome_name(v.outcome),
                    tl_close_style_name(v.close_style), tl_active_closer_name(v.active_closer),
                    tl_state_name(v.state_client), tl_state_name(v.state_server),
                    tl_state_name(v.expired_client), tl_state_name(v.expired_server));
        }
    }
    printf("fuzz_reference: %lu conversations (%lu cut short), %lu packets, %lu disagreements\n", total, cut,
           packets, failures);
    printf("steps:");
    for (unsigned i = 0; i < TL_STEP_COUNT; i++)
        if (steps[i])
            printf(" %s=%" PRIu64, tl_step_name(i), steps[i]);
    printf("\noutcomes:");
    for (unsigned i = 0; i < TL_OUTCOME_COUNT; i++)
        if (outcomes[i])
            printf(" %s=%" PRIu64, tl_outcome_name(i), outcomes[i]);
    printf("\nclose styles:");
    for (unsigned i = 0; i < TL_CLOSE_STYLE_COUNT; i++)
        if (styles[i])
            printf(" %s=%" PRIu64, tl_close_style_name(i), styles[i]);
    printf("\n");
    /* The generator must keep reaching what the model is there to check. */
    static const unsigned must[] = { TL_STEP_SYN_RETRANSMISSION, TL_STEP_SYN_ACK_RETRANSMISSION,
                                     TL_STEP_HANDSHAKE_ACK, TL_STEP_FIN_ACTIVE_ACK, TL_STEP_FIN_PASSIVE,
                                     TL_STEP_FIN_PASSIVE_MERGED, TL_STEP_FIN_SIMULTANEOUS, TL_STEP_LAST_ACK,
                                     TL_STEP_FIN_RETRANSMISSION, TL_STEP_RST, TL_STEP_AFTER_CLOSE };
    if (total >= 10000) {
        for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
            if (!steps[must[i]]) {
                fprintf(stderr, "fuzz_reference: the generator never produced step %s\n", tl_step_name(must[i]));
                return 1;
            }
        for (unsigned i = 0; i < TL_OUTCOME_MIDSTREAM_CLOSED; i++)
            if (!outcomes[i]) {
                fprintf(stderr, "fuzz_reference: the generator never produced outcome %s\n", tl_outcome_name(i));
                return 1;
            }
    }
    return failures ? 1 : 0;
}

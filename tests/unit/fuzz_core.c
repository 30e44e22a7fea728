/* fuzz_core.c - see fuzz_core.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz_core.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "lifecycle_names.h"

#define FZ_MAX_SEGMENTS 512

/* ---- the byte source ------------------------------------------------------ */

void fz_source_prng(fz_source_t *src, uint64_t seed)
{
    memset(src, 0, sizeof *src);
    src->prng = seed ? seed : 0x9e3779b97f4a7c15u;
}

void fz_source_bytes(fz_source_t *src, const uint8_t *data, size_t size)
{
    memset(src, 0, sizeof *src);
    src->data = data;
    src->size = size;
}

static uint8_t fz_byte(fz_source_t *src)
{
    if (src->data) {
        if (src->pos >= src->size) {
            src->exhausted = 1;
            return 0;
        }
        return src->data[src->pos++];
    }
    /* splitmix64, one byte at a time is wasteful but simple and fast enough */
    uint64_t z = (src->prng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (uint8_t)(z ^ (z >> 31));
}

static uint32_t fz_u32(fz_source_t *src)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | fz_byte(src);
    return v;
}

/* 0 .. n-1 */
static unsigned fz_below(fz_source_t *src, unsigned n)
{
    return n <= 256 ? fz_byte(src) % n : fz_u32(src) % n;
}

/* ---- invariants -------------------------------------------------------------- */

static const char *fz_context = "";
static uint64_t fz_segment_index;
static void fz_dump(void);

#define INV(cond, ...)                                                               \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "fuzz invariant broken at segment %" PRIu64 " (%s): %s: ", \
                    fz_segment_index, fz_context, #cond);                            \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            fz_dump();                                                               \
            abort();                                                                 \
        }                                                                            \
    } while (0)

#define FZ_STRICT 1

/* Invariants that core bugs once broke (now fixed): kept by name so that a
 * regression says which one came back. Always fatal. */
enum {
    FZ_BUG_AFTER_CLOSE_CLOSE_STEP,
    FZ_BUG_CLOSED_ENDPOINT_REOPENED,
    FZ_BUG_ACTIVE_CLOSER_WITHOUT_HANDSHAKE,
    FZ_BUG_HANDSHAKE_AFTER_OVER,
    FZ_BUG_COUNT
};
static const char *const fz_bug_names[FZ_BUG_COUNT] = {
    "after_close step keeps close_step/closer",
    "an endpoint leaves CLOSED after an accepted RST (FINs after a reset)",
    "active_closer 'both' on a connection whose handshake never completed",
    "an ACK after the reset completes the handshake (after_close with handshake_step 3)",
};
static uint64_t fz_bug_hits[FZ_BUG_COUNT];

#define KNOWN(bug, cond, ...)                                                        \
    do {                                                                             \
        if (!(cond)) {                                                               \
            if (FZ_STRICT)                                                           \
                INV(cond, __VA_ARGS__);                                              \
            fz_bug_hits[bug]++;                                                      \
        }                                                                            \
    } while (0)

void fz_report_known_bugs(FILE *out)
{
    for (int i = 0; i < FZ_BUG_COUNT; i++)
        if (fz_bug_hits[i])
            fprintf(out, "fuzz: known core bug hit %" PRIu64 " times: %s\n", fz_bug_hits[i],
                    fz_bug_names[i]);
}

#define KNOWN_FLAGS 0xffffu /* up to TL_ANN_RST_CHALLENGED (1 << 15) */
#define LOOKAHEAD_FLAGS (TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK | TL_ANN_SYN_UNANSWERED)

static void check_annotation(const tl_annotation_t *a, const char *what)
{
    INV(a->phase < TL_PHASE_COUNT, "%s phase %u", what, a->phase);
    INV(strcmp(tl_phase_name(a->phase), "?") != 0, "%s", what);
    INV(a->step < TL_STEP_COUNT, "%s step %u", what, a->step);
    INV(strcmp(tl_step_name(a->step), "?") != 0, "%s", what);
    INV(a->step != TL_STEP_ICMP_QUOTE, "%s: the core never makes icmp_quote", what);
    INV(a->handshake_step <= 3, "%s handshake_step %u", what, a->handshake_step);
    INV(a->close_step <= 4, "%s close_step %u", what, a->close_step);
    INV(a->sender <= TL_ROLE_SERVER, "%s sender %u", what, a->sender);
    INV(a->closer <= TL_CLOSER_PASSIVE, "%s closer %u", what, a->closer);
    INV(a->state_client < TL_STATE_COUNT && a->state_server < TL_STATE_COUNT, "%s states %u %u",
        what, a->state_client, a->state_server);
    INV(a->rst_kind < TL_RST_COUNT, "%s rst_kind %u", what, a->rst_kind);
    INV(a->tw_role <= TL_ROLE_SERVER, "%s tw_role %u", what, a->tw_role);
    INV((a->flags & ~KNOWN_FLAGS) == 0, "%s flags 0x%x", what, a->flags);
    INV((a->lookahead & ~LOOKAHEAD_FLAGS) == 0, "%s lookahead 0x%x", what, a->lookahead);
    INV((a->closer != TL_CLOSER_NONE) == (a->close_step != 0), "%s closer %u close_step %u", what,
        a->closer, a->close_step);
    INV((a->step == TL_STEP_RST) == (a->rst_kind != TL_RST_NONE), "%s step %s rst_kind %s", what,
        tl_step_name(a->step), tl_rst_kind_name(a->rst_kind));
    if (a->phase == TL_PHASE_RESET)
        INV(a->step == TL_STEP_RST && a->rst_kind != TL_RST_OUT_OF_WINDOW, "%s", what);
    /* 1 SYN, 2 SYN-ACK, 3 the packet that completes it (an ACK, data or even a FIN). */
    if (a->handshake_step == 1)
        INV(a->step == TL_STEP_SYN || a->step == TL_STEP_SYN_RETRANSMISSION,
            "%s handshake_step 1 on step %s", what, tl_step_name(a->step));
    if (a->handshake_step == 2)
        INV(a->step == TL_STEP_SYN_ACK || a->step == TL_STEP_SYN_ACK_RETRANSMISSION,
            "%s handshake_step 2 on step %s", what, tl_step_name(a->step));
    if (a->step == TL_STEP_AFTER_CLOSE)
        KNOWN(FZ_BUG_HANDSHAKE_AFTER_OVER, a->handshake_step == 0 &&
                  !(a->flags & TL_ANN_HANDSHAKE_COMPLETE),
              "%s after_close completes the handshake", what);
    else if (a->handshake_step == 3)
        INV(a->step != TL_STEP_SYN && a->step != TL_STEP_SYN_RETRANSMISSION &&
                a->step != TL_STEP_SYN_ACK && a->step != TL_STEP_SYN_ACK_RETRANSMISSION &&
                a->step != TL_STEP_RST && a->step != TL_STEP_AFTER_CLOSE,
            "%s handshake_step 3 on step %s", what, tl_step_name(a->step));
    /* Known core bug: after the connection is over, an ACK of a FIN keeps
     * close_step 2 and its closer although its step becomes after_close. */
    if (a->step == TL_STEP_AFTER_CLOSE) {
        KNOWN(FZ_BUG_AFTER_CLOSE_CLOSE_STEP, a->close_step == 0 && a->closer == TL_CLOSER_NONE,
              "%s after_close with close_step %u", what, a->close_step);
        goto close_step_checked;
    }
    switch (a->close_step) {
    case 1:
        INV(a->step == TL_STEP_FIN_ACTIVE || a->step == TL_STEP_FIN_SIMULTANEOUS, "%s step %s", what,
            tl_step_name(a->step));
        break;
    case 2:
        INV(a->step == TL_STEP_FIN_ACTIVE_ACK, "%s step %s", what, tl_step_name(a->step));
        break;
    case 3:
        INV(a->step == TL_STEP_FIN_PASSIVE || a->step == TL_STEP_FIN_PASSIVE_MERGED, "%s step %s",
            what, tl_step_name(a->step));
        break;
    case 4:
        INV(a->step == TL_STEP_LAST_ACK, "%s step %s", what, tl_step_name(a->step));
        break;
    default:
        break;
    }
close_step_checked:
    if (a->flags & TL_ANN_MERGED_FIN_ACK)
        INV(a->step == TL_STEP_FIN_PASSIVE_MERGED, "%s", what);
    if (a->flags & TL_ANN_TIME_WAIT_START)
        INV((a->tw_role == TL_ROLE_CLIENT ? a->state_client : a->state_server) == TL_STATE_TIME_WAIT,
            "%s TIME_WAIT start but the %s is %s", what, tl_role_name(a->tw_role),
            tl_state_name(a->tw_role == TL_ROLE_CLIENT ? a->state_client : a->state_server));
}

static int zeek_state_known(const char *z)
{
    static const char *const codes[] = { "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR",
                                         "RSTOS0", "RSTRH", "SH", "SHR", "OTH" };
    if (!z)
        return 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(z, codes[i]) == 0)
            return 1;
    return 0;
}

static void check_summary(const tl_conn_t *c, tl_time_t capture_end, int far_future)
{
    tl_summary_t s;
    memset(&s, 0xa5, sizeof s); /* everything must be written */
    tl_conn_summarize(c, capture_end, &s);
    INV(s.outcome < TL_OUTCOME_COUNT && strcmp(tl_outcome_name(s.outcome), "?") != 0, "outcome %u",
        s.outcome);
    INV(s.close_style < TL_CLOSE_STYLE_COUNT, "close_style %u", s.close_style);
    INV(s.active_closer < TL_ACTIVE_CLOSER_COUNT, "active_closer %u", s.active_closer);
    INV(s.state_client < TL_STATE_COUNT && s.state_server < TL_STATE_COUNT, "states %u %u",
        s.state_client, s.state_server);
    INV(zeek_state_known(s.zeek_state), "zeek_state %s", s.zeek_state ? s.zeek_state : "(null)");
    const char *nul = memchr(s.history, '\0', sizeof s.history);
    INV(nul != NULL, "history not terminated");
    size_t hl = (size_t)(nul - s.history);
    for (size_t i = 0; i < hl; i++)
        INV(strchr("^SHADFRTWshadfrtw", s.history[i]) && (s.history[i] != '^' || i == 0),
            "history \"%s\"", s.history);
    INV(s.duration >= 0, "duration %" PRId64, s.duration);
    INV(s.close_wait >= -1, "close_wait %" PRId64, s.close_wait);
    if (far_future)
        INV(s.state_client != TL_STATE_TIME_WAIT && s.state_server != TL_STATE_TIME_WAIT,
            "TIME_WAIT at the end of time");
    for (int role = 0; role < 2; role++) {
        uint8_t st = role == 0 ? s.state_client : s.state_server;
        int ep = tl_conn_endpoint_of(c, (tl_role_t)role);
        if (st == TL_STATE_TIME_WAIT)
            INV(capture_end < c->ep[ep].time_wait_expiry, "TIME_WAIT past its expiry");
    }
    if (s.outcome == TL_OUTCOME_COMPLETE)
        INV(s.close_style == TL_CLOSE_STYLE_FOUR_WAY || s.close_style == TL_CLOSE_STYLE_THREE_WAY ||
                s.close_style == TL_CLOSE_STYLE_SIMULTANEOUS,
            "complete with close_style %s", tl_close_style_name(s.close_style));
    if (s.outcome == TL_OUTCOME_REFUSED || s.outcome == TL_OUTCOME_SYN_UNANSWERED ||
        s.outcome == TL_OUTCOME_HANDSHAKE_INCOMPLETE)
        KNOWN(FZ_BUG_ACTIVE_CLOSER_WITHOUT_HANDSHAKE, s.active_closer == TL_ACTIVE_CLOSER_NONE,
              "%s with active_closer %s", tl_outcome_name(s.outcome),
              tl_active_closer_name(s.active_closer));
    /* SPEC: active_closer is none when the handshake never completed (FINs
     * crossing before it give none, not both). */
    if (!c->handshake_complete && !c->midstream)
        INV(s.active_closer == TL_ACTIVE_CLOSER_NONE, "no handshake, active_closer %s",
            tl_active_closer_name(s.active_closer));
    if (s.outcome == TL_OUTCOME_OPEN || s.outcome == TL_OUTCOME_MIDSTREAM_OPEN)
        INV(s.close_style == TL_CLOSE_STYLE_NONE || s.close_style == TL_CLOSE_STYLE_HALF ||
                s.close_style == TL_CLOSE_STYLE_FOUR_WAY || s.close_style == TL_CLOSE_STYLE_THREE_WAY ||
                s.close_style == TL_CLOSE_STYLE_SIMULTANEOUS,
            "open with close_style %s", tl_close_style_name(s.close_style));
}

/* ---- one incarnation ------------------------------------------------------------ */

typedef struct {
    tl_conn_t c;
    tl_annotation_t ann[FZ_MAX_SEGMENTS];
    tl_annotation_t before[FZ_MAX_SEGMENTS]; /* copies, to see what later packets revise */
    tl_segment_t segs[FZ_MAX_SEGMENTS];      /* what was fed, for the report */
    unsigned n;
    uint32_t refs[TL_REF_COUNT];
    int ep0_model; /* which model endpoint is this incarnation's endpoint 0 */
    int reset_seen;          /* an accepted RST ended it ... */
    uint8_t reset_states[2]; /* ... leaving these states, final */
    int settled;             /* the summary said its verdict was final ... */
    tl_summary_t final;      /* ... and this was it: nothing later may change it */
    int used;
} fz_conn_t;

/* Pending is not a verdict: once tl_conn_summarize says `settled`, no later
 * segment and no later end of the capture may change the verdict fields. */
static void check_settled(fz_conn_t *fc, tl_time_t capture_end, int is_now)
{
    tl_summary_t s;
    tl_conn_summarize(&fc->c, capture_end, &s);
    if (!fc->settled) {
        /* Only the end of what has been read counts: a far-future end says
         * nothing about the packets before it. */
        if (s.settled && is_now) {
            fc->settled = 1;
            fc->final = s;
        }
        return;
    }
    const tl_summary_t *f = &fc->final;
    INV(s.settled, "a settled verdict became pending again");
    INV(s.outcome == f->outcome, "settled outcome %s became %s", tl_outcome_name(f->outcome),
        tl_outcome_name(s.outcome));
    INV(s.close_style == f->close_style, "settled close_style %s became %s",
        tl_close_style_name(f->close_style), tl_close_style_name(s.close_style));
    INV(s.active_closer == f->active_closer, "settled active_closer %s became %s",
        tl_active_closer_name(f->active_closer), tl_active_closer_name(s.active_closer));
    INV(s.state_client == f->state_client && s.state_server == f->state_server,
        "settled end states %s/%s became %s/%s", tl_state_name(f->state_client),
        tl_state_name(f->state_server), tl_state_name(s.state_client), tl_state_name(s.state_server));
    INV(strcmp(s.zeek_state, f->zeek_state) == 0, "settled zeek_state %s became %s", f->zeek_state,
        s.zeek_state);
    INV(strncmp(s.history, f->history, strlen(f->history)) == 0, "history %s no longer starts with %s",
        s.history, f->history);
}

static void check_revisions(fz_conn_t *fc)
{
    for (unsigned i = 0; i < fc->n; i++) {
        tl_annotation_t *now = &fc->ann[i], *was = &fc->before[i];
        if (memcmp(now, was, sizeof *now) == 0)
            continue;
        check_annotation(now, "revised annotation");
        /* Look-ahead verdicts are only ever withdrawn, but for one case: the
         * SYN-ACK is half-open again when the handshake ACK after it turns
         * out to be ignored (the latest packet says so). */
        bool reopened = now->step == TL_STEP_SYN_ACK &&
                        (fc->ann[fc->n - 1].flags & TL_ANN_ACK_IGNORED) &&
                        (now->lookahead & ~was->lookahead & ~(TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK)) == 0;
        INV((now->lookahead & ~was->lookahead) == 0 || reopened, "annotation %u gained lookahead 0x%x -> 0x%x",
            i, was->lookahead, now->lookahead);
        /* Beyond look-ahead verdicts, a later packet may correct the states
         * an earlier one showed (an assumption disproved), and turn an active
         * FIN into one of two crossing FINs. Nothing else. */
        tl_annotation_t a = *now, b = *was;
        a.lookahead = b.lookahead = 0;
        /* A disproved ACK of a FIN also withdraws the TIME_WAIT it started:
         * only together with that endpoint's state leaving TIME_WAIT. */
        if ((b.flags & TL_ANN_TIME_WAIT_START) && !(a.flags & TL_ANN_TIME_WAIT_START)) {
            uint8_t tw_was = b.tw_role == TL_ROLE_CLIENT ? b.state_client : b.state_server;
            uint8_t tw_now = a.tw_role == TL_ROLE_CLIENT ? a.state_client : a.state_server;
            INV(tw_was == TL_STATE_TIME_WAIT && tw_now != TL_STATE_TIME_WAIT,
                "annotation %u withdrew TIME_WAIT start but its endpoint went %s -> %s", i,
                tl_state_name(tw_was), tl_state_name(tw_now));
            b.flags &= (uint16_t)~TL_ANN_TIME_WAIT_START;
        }
        a.state_client = b.state_client = 0;
        a.state_server = b.state_server = 0;
        a.client_before = b.client_before = 0; /* corrected with the states */
        a.server_before = b.server_before = 0;
        /* A handshake ACK the server ignored: no longer the handshake's end,
         * and what followed it was still the handshake. */
        bool ack_ignored = b.step == TL_STEP_HANDSHAKE_ACK && a.step == TL_STEP_HANDSHAKE_ACK_IGNORED &&
                           a.handshake_step == 0 &&
                           a.flags == (b.flags & (uint16_t)~(TL_ANN_HANDSHAKE_COMPLETE | TL_ANN_MISSING_THIRD_ACK));
        if (ack_ignored)
            a.handshake_step = b.handshake_step;
        if (b.phase == TL_PHASE_ESTABLISHED && a.phase == TL_PHASE_HANDSHAKE &&
            (fc->ann[fc->n - 1].flags & TL_ANN_ACK_IGNORED))
            a.phase = b.phase;
        /* The first of two crossing SYNs: its receiver had connected too. */
        bool crossing_syn = b.step == TL_STEP_SYN && a.step == TL_STEP_SYN &&
                            a.flags == (b.flags | TL_ANN_SIMULTANEOUS_OPEN);
        if (a.step != b.step || a.flags != b.flags) {
            INV(ack_ignored || crossing_syn ||
                    (b.step == TL_STEP_FIN_ACTIVE && a.step == TL_STEP_FIN_SIMULTANEOUS &&
                     a.flags == (b.flags | TL_ANN_SIMULTANEOUS_CLOSE)),
                "annotation %u revised from %s flags 0x%x to %s flags 0x%x", i,
                tl_step_name(b.step), b.flags, tl_step_name(a.step), a.flags);
            a.step = b.step;
            a.flags = b.flags;
        }
        INV(memcmp(&a, &b, sizeof a) == 0,
            "annotation %u revised beyond look-ahead, states and crossing FINs", i);
        *was = *now;
    }
}

static void check_conn(fz_conn_t *fc, const tl_segment_t *seg, uint32_t frame)
{
    const tl_conn_t *c = &fc->c;
    INV(c->client <= 1, "client %u", c->client);
    INV(c->history_len <= TL_HISTORY_MAX && strlen(c->history) == c->history_len, "history_len %u",
        c->history_len);
    INV(c->packets == fc->n, "packets %u, fed %u", c->packets, fc->n);
    INV(c->active_closer < TL_ACTIVE_CLOSER_COUNT, "active_closer %u", c->active_closer);
    for (int i = 0; i < 2; i++)
        INV(c->ep[i].state < TL_STATE_COUNT && c->ep[i].state != TL_STATE_UNKNOWN,
            "endpoint %d state %u after a packet", i, c->ep[i].state);
    for (int r = 0; r < TL_REF_COUNT; r++) {
        /* The one link that may be withdrawn: a handshake ACK the server
         * turned out to ignore (the packet that shows it says so). */
        bool withdrawn = r == TL_REF_HANDSHAKE_ACK && c->ref[r] == 0 &&
                         (fc->ann[fc->n - 1].flags & TL_ANN_ACK_IGNORED);
        if (fc->refs[r])
            INV(c->ref[r] == fc->refs[r] || withdrawn, "ref %d changed from %u to %u", r, fc->refs[r],
                c->ref[r]);
        else
            INV(c->ref[r] == 0 || c->ref[r] == frame, "ref %d set to %u on frame %u", r, c->ref[r],
                frame);
        fc->refs[r] = c->ref[r];
    }
    if (fc->reset_seen) {
        for (int i = 0; i < 2; i++)
            KNOWN(FZ_BUG_CLOSED_ENDPOINT_REOPENED, c->ep[i].state == fc->reset_states[i],
                  "endpoint %d went from %s to %s after the reset", i,
                  tl_state_name(fc->reset_states[i]), tl_state_name(c->ep[i].state));
    } else if (c->reset) {
        fc->reset_seen = 1;
        fc->reset_states[0] = c->ep[0].state;
        fc->reset_states[1] = c->ep[1].state;
        for (int i = 0; i < 2; i++)
            INV(c->ep[i].state == TL_STATE_CLOSED || c->ep[i].state == TL_STATE_LISTEN,
                "endpoint %d %s after an accepted RST", i, tl_state_name(c->ep[i].state));
    }
    const tl_annotation_t *tracked[] = { c->syn_annotation, c->syn_ack_annotation };
    for (size_t i = 0; i < sizeof tracked / sizeof tracked[0]; i++)
        if (tracked[i])
            INV(tracked[i] >= fc->ann && tracked[i] < fc->ann + fc->n, "tracked annotation %zu", i);
    const tl_annotation_t *a = &fc->ann[fc->n - 1];
    if (a->flags & TL_ANN_TIME_WAIT_START)
        INV(c->ep[tl_conn_endpoint_of(c, (tl_role_t)a->tw_role)].time_wait_expiry ==
                seg->time + c->config.time_wait, "expiry");
    if (a->flags & TL_ANN_TIME_WAIT_REUSE)
        INV(fc->n == 1 && tl_time_wait_remaining(c) > 0 &&
                tl_time_wait_remaining(c) <= c->config.time_wait,
            "reuse on packet %u, remaining %" PRId64, fc->n, tl_time_wait_remaining(c));
    if (a->flags & TL_ANN_MIDSTREAM_START)
        INV(fc->n == 1, "midstream start on packet %u", fc->n);
    INV(((seg->flags & TL_RST) != 0) == (a->step == TL_STEP_RST), "RST flag vs step %s",
        tl_step_name(a->step));
    INV(a->sender == (seg->from == c->client ? TL_ROLE_CLIENT : TL_ROLE_SERVER), "sender");
    INV(a->state_client == c->ep[c->client].state && a->state_server == c->ep[!c->client].state,
        "annotation states differ from the connection's");
}

/* ---- the stream ------------------------------------------------------------------- */

static const tl_config_t fz_configs[] = {
    { INT64_C(60) * TL_NS_PER_SEC, INT64_C(5) * TL_NS_PER_SEC },
    { INT64_C(240) * TL_NS_PER_SEC, INT64_C(1) * TL_NS_PER_SEC },
    { 1, 0 }, /* a nanosecond of TIME_WAIT, any CLOSE_WAIT is long */
};

static fz_conn_t fz_slots[2];
static fz_conn_t *fz_current;

static void fz_dump_conn(const fz_conn_t *fc, const char *title)
{
    fprintf(stderr, "%s (client is endpoint %u, TIME_WAIT %" PRId64 " ns):\n", title, fc->c.client,
            fc->c.config.time_wait);
    for (unsigned i = 0; i < fc->n; i++) {
        const tl_segment_t *g = &fc->segs[i];
        const tl_annotation_t *a = &fc->ann[i];
        fprintf(stderr,
                "  #%u from %u flags 0x%02x seq %" PRIu32 " ack %" PRIu32 " len %" PRIu32
                " win %" PRIu32 " t %" PRId64 " -> %s/%s hs %u cs %u %s %s/%s flags 0x%x la 0x%x rst %s\n",
                g->frame, g->from, g->flags, g->seq, g->ack, g->len, g->window, g->time,
                tl_phase_name(a->phase), tl_step_name(a->step), a->handshake_step, a->close_step,
                tl_closer_name(a->closer), tl_state_name(a->state_client),
                tl_state_name(a->state_server), a->flags, a->lookahead, tl_rst_kind_name(a->rst_kind));
    }
}

static void fz_dump(void)
{
    for (int i = 0; i < 2; i++)
        if (fz_slots[i].used && &fz_slots[i] != fz_current)
            fz_dump_conn(&fz_slots[i], "previous incarnation");
    if (fz_current)
        fz_dump_conn(fz_current, "current incarnation");
}

static uint32_t pick_seq(fz_source_t *src, uint32_t nxt, uint32_t isn)
{
    switch (fz_below(src, 16)) {
    case 0: return isn;
    case 1: return nxt - 1 - fz_below(src, 2000);
    case 2: return nxt + 1 + fz_below(src, 2000);
    case 3: return fz_u32(src);
    default: return nxt;
    }
}

unsigned fz_run_stream(fz_source_t *src, unsigned max_segments, fz_stats_t *stats)
{
    if (max_segments > FZ_MAX_SEGMENTS)
        max_segments = FZ_MAX_SEGMENTS;
    const tl_config_t *config = &fz_configs[fz_below(src, 3)];
    uint16_t port[2];
    switch (fz_below(src, 4)) {
    case 0: port[0] = port[1] = (uint16_t)(1 + fz_below(src, 65535)); break;
    case 1: port[0] = 80; port[1] = (uint16_t)(1024 + fz_below(src, 60000)); break;
    default: port[0] = (uint16_t)(1024 + fz_below(src, 60000)); port[1] = 443; break;
    }
    uint32_t isn[2], nxt[2];
    for (int i = 0; i < 2; i++) {
        isn[i] = fz_below(src, 4) == 0 ? 0xffffffffu - fz_below(src, 3000) : fz_u32(src);
        nxt[i] = isn[i] + 1;
    }
    tl_time_t now = INT64_C(1700000000) * TL_NS_PER_SEC + (tl_time_t)fz_below(src, 1000000);
    fz_conn_t *cur = NULL, *prev = NULL;
    fz_slots[0].used = fz_slots[1].used = 0;
    fz_current = NULL;
    int slot = 0;
    unsigned fed = 0;
    uint32_t frame = 0;
    stats->streams++;

    while (fed < max_segments) {
        /* The segment, from the model of two endpoints. */
        int from = fz_byte(src) & 1;
        uint8_t flags;
        uint32_t len = 0;
        unsigned kind = fz_below(src, 20);
        switch (kind) {
        case 0: case 1: flags = TL_SYN; break;
        case 2: case 3: flags = TL_SYN | TL_ACK; break;
        case 4: case 5: case 6: flags = TL_ACK; break;
        case 7: case 8: case 9: flags = TL_ACK | TL_PSH; len = 1 + fz_below(src, 1460); break;
        case 10: case 11: flags = TL_FIN | TL_ACK; break;
        case 12: flags = TL_FIN | TL_ACK | TL_PSH; len = 1 + fz_below(src, 100); break;
        case 13: flags = TL_RST; break;
        case 14: flags = TL_RST | TL_ACK; break;
        case 15: flags = (uint8_t)(fz_byte(src) & 0x3f); len = fz_below(src, 4) ? 0 : fz_u32(src); break;
        default: flags = TL_ACK; len = fz_below(src, 3) ? 0 : 1 + fz_below(src, 1460); break;
        }
        if ((flags & TL_SYN) && !(flags & TL_ACK) && fz_below(src, 3) == 0) {
            /* A fresh attempt: a new ISN. */
            isn[from] = fz_below(src, 4) == 0 ? 0xffffffffu - fz_below(src, 64) : fz_u32(src);
            nxt[from] = isn[from];
        }
        tl_segment_t seg;
        memset(&seg, 0, sizeof seg);
        seg.flags = flags;
        seg.src_port = port[from];
        seg.dst_port = port[!from];
        seg.seq = (flags & TL_SYN) && fz_below(src, 4) ? isn[from] : pick_seq(src, nxt[from], isn[from]);
        seg.ack = pick_seq(src, nxt[!from], isn[!from]);
        if (fz_below(src, 8) == 0)
            seg.ack = isn[!from] + 1;
        seg.len = len;
        switch (fz_below(src, 8)) {
        case 0: seg.window = 0; break;
        case 1: seg.window = fz_below(src, 100); break;
        case 2: seg.window = fz_u32(src); break;
        default: seg.window = 65535; break;
        }
        static const int64_t gaps_ms[] = { 0, 0, 1, 1, 10, 200, 1000, 4000, 6000, 30000, 61000, 250000 };
        now += gaps_ms[fz_below(src, sizeof gaps_ms / sizeof gaps_ms[0])] * INT64_C(1000000) +
               fz_below(src, 1000);
        seg.time = now;
        seg.frame = ++frame;
        if (src->exhausted)
            break;
        uint32_t end = seg.seq + seg.len + ((flags & TL_SYN) ? 1 : 0) + ((flags & TL_FIN) ? 1 : 0);
        if ((int32_t)(end - nxt[from]) > 0 && !(flags & TL_RST))
            nxt[from] = end;

        /* As the epan layer does: the incarnation, then the segment. */
        fz_segment_index = stats->segments;
        if (cur) {
            seg.from = (uint8_t)(from == cur->ep0_model ? 0 : 1);
            fz_context = "is_new_incarnation";
            if (tl_conn_is_new_incarnation(&cur->c, &seg)) {
                prev = cur;
                cur = NULL;
            }
        }
        if (!cur) {
            slot ^= 1;
            cur = &fz_slots[slot];
            INV(cur != prev, "slot");
            memset(cur, 0, sizeof *cur);
            tl_conn_init(&cur->c, config);
            cur->ep0_model = from;
            cur->used = 1;
            seg.from = 0;
            stats->incarnations++;
            if (prev) {
                fz_context = "link_previous";
                tl_conn_link_previous(&cur->c, &prev->c, &seg);
                check_summary(&prev->c, now, 0);
                check_settled(prev, now, 1);
                check_settled(prev, INT64_MAX, 0);
            }
        }
        fz_context = "process";
        fz_current = cur;
        cur->segs[cur->n] = seg;
        tl_annotation_t *out = &cur->ann[cur->n++];
        tl_conn_process(&cur->c, &seg, out);
        cur->before[cur->n - 1] = *out;
        check_annotation(out, "annotation");
        check_conn(cur, &seg, seg.frame);
        check_revisions(cur);
        fz_context = "summarize";
        check_summary(&cur->c, now, 0);
        check_summary(&cur->c, INT64_MAX, 1);
        check_settled(cur, now, 1);
        check_settled(cur, INT64_MAX, 0);
        stats->summaries += 2;
        stats->steps[out->step]++;
        stats->segments++;
        fed++;
    }
    if (cur && cur->n) {
        tl_summary_t s;
        tl_conn_summarize(&cur->c, now, &s);
        stats->outcomes[s.outcome % 16]++;
    }
    return fed;
}

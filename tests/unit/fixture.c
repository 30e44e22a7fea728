/* fixture.c - see fixture.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

#include <stdlib.h>

static const tl_config_t fx_config = { SEC(TIME_WAIT_S), SEC(CLOSE_WAIT_WARN_S) };

void fx_init(fx_t *f, uint16_t port0, uint16_t port1)
{
    memset(f, 0, sizeof *f);
    tl_conn_init(&f->c, &fx_config);
    f->port[0] = port0;
    f->port[1] = port1;
    f->window = 65535;
}

tl_segment_t fx_make(const fx_t *f, int from, uint8_t flags, uint32_t seq, uint32_t ack,
                     uint32_t len, tl_time_t time)
{
    tl_segment_t s;
    memset(&s, 0, sizeof s);
    s.from = (uint8_t)from;
    s.flags = flags;
    s.src_port = f->port[from & 1];
    s.dst_port = f->port[!(from & 1)];
    s.seq = seq;
    s.ack = (flags & TL_ACK) ? ack : 0;
    s.len = len;
    s.window = f->window;
    s.frame = (uint32_t)f->n + 1;
    s.time = time;
    return s;
}

tl_annotation_t *fx_seg(fx_t *f, int from, uint8_t flags, uint32_t seq, uint32_t ack,
                        uint32_t len, tl_time_t time)
{
    if (f->n >= FX_MAX) {
        fprintf(stderr, "fixture: too many segments\n");
        abort();
    }
    tl_segment_t s = fx_make(f, from, flags, seq, ack, len, time);
    f->n++;
    tl_conn_process(&f->c, &s, &f->ann[f->n]);
    return &f->ann[f->n];
}

tl_summary_t fx_summary(const fx_t *f, tl_time_t capture_end)
{
    tl_summary_t s;
    tl_conn_summarize(&f->c, capture_end, &s);
    return s;
}

static const char *flag_names[] = {
    "MERGED_FIN_ACK", "MISSING_THIRD_ACK", "SIMULTANEOUS_OPEN", "SIMULTANEOUS_CLOSE",
    "ROLES_INFERRED", "TIME_WAIT_START", "TIME_WAIT_REUSE", "DATA_AFTER_FIN",
    "CLOSE_WAIT_LONG", "HALF_OPEN", "SYN_UNANSWERED", "MIDSTREAM_START",
    "HANDSHAKE_COMPLETE", "RETRANSMISSION", "ACK_IGNORED",
};

static void flags_text(unsigned flags, char *buf, size_t size)
{
    buf[0] = '\0';
    for (unsigned i = 0; i < 16; i++) {
        if (!(flags & (1u << i)))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? "|" : "",
                 i < sizeof flag_names / sizeof flag_names[0] ? flag_names[i] : "bit?");
    }
    if (!buf[0])
        snprintf(buf, size, "0");
}

#define FIELD_STR(name, actual, expected)                                        \
    do {                                                                         \
        tu_checks++;                                                             \
        if (strcmp((actual), (expected)) != 0) {                                 \
            tu_current_failures++;                                               \
            fprintf(stderr, "    line %d: %s = %s, expected %s\n", line, name,   \
                    (actual), (expected));                                       \
        }                                                                        \
    } while (0)

#define FIELD_INT(name, actual, expected)                                        \
    do {                                                                         \
        tu_checks++;                                                             \
        if ((long long)(actual) != (long long)(expected)) {                      \
            tu_current_failures++;                                               \
            fprintf(stderr, "    line %d: %s = %lld, expected %lld\n", line,     \
                    name, (long long)(actual), (long long)(expected));           \
        }                                                                        \
    } while (0)

void check_ann(int line, const tl_annotation_t *a, const char *phase, const char *step,
               int handshake_step, int close_step, const char *sender, const char *closer,
               const char *state_client, const char *state_server, unsigned flags,
               const char *rst_kind)
{
    FIELD_STR("phase", tl_phase_name(a->phase), phase);
    FIELD_STR("step", tl_step_name(a->step), step);
    FIELD_INT("handshake_step", a->handshake_step, handshake_step);
    FIELD_INT("close_step", a->close_step, close_step);
    FIELD_STR("sender", tl_role_name(a->sender), sender);
    FIELD_STR("closer", tl_closer_name(a->closer), closer);
    FIELD_STR("state_client", tl_state_name(a->state_client), state_client);
    FIELD_STR("state_server", tl_state_name(a->state_server), state_server);
    FIELD_STR("rst_kind", tl_rst_kind_name(a->rst_kind), rst_kind);
    tu_checks++;
    if (a->flags != flags) {
        char got[256], want[256];
        flags_text(a->flags, got, sizeof got);
        flags_text(flags, want, sizeof want);
        tu_current_failures++;
        fprintf(stderr, "    line %d: flags = %s, expected %s\n", line, got, want);
    }
}

void check_summary(int line, const tl_summary_t *s, const char *outcome, const char *close_style,
                   const char *active_closer, const char *state_client,
                   const char *state_server, const char *zeek_state, const char *history)
{
    FIELD_STR("outcome", tl_outcome_name(s->outcome), outcome);
    FIELD_STR("close_style", tl_close_style_name(s->close_style), close_style);
    FIELD_STR("active_closer", tl_active_closer_name(s->active_closer), active_closer);
    FIELD_STR("conn.state_client", tl_state_name(s->state_client), state_client);
    FIELD_STR("conn.state_server", tl_state_name(s->state_server), state_server);
    if (zeek_state)
        FIELD_STR("zeek_state", s->zeek_state ? s->zeek_state : "(null)", zeek_state);
    if (history)
        FIELD_STR("history", s->history, history);
}

void check_refs(int line, const tl_conn_t *c, uint32_t syn, uint32_t syn_ack, uint32_t hs_ack,
                uint32_t fin_active, uint32_t fin_passive, uint32_t last_ack, uint32_t rst)
{
    FIELD_INT("ref.syn", c->ref[TL_REF_SYN], syn);
    FIELD_INT("ref.syn_ack", c->ref[TL_REF_SYN_ACK], syn_ack);
    FIELD_INT("ref.handshake_ack", c->ref[TL_REF_HANDSHAKE_ACK], hs_ack);
    FIELD_INT("ref.fin_active", c->ref[TL_REF_FIN_ACTIVE], fin_active);
    FIELD_INT("ref.fin_passive", c->ref[TL_REF_FIN_PASSIVE], fin_passive);
    FIELD_INT("ref.last_ack", c->ref[TL_REF_LAST_ACK], last_ack);
    FIELD_INT("ref.rst", c->ref[TL_REF_RST], rst);
}

void fx_establish(fx_t *f)
{
    fx_init(f, 40000, 80);
    fx_seg(f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(f, 1, F_SA, SI, CI + 1, 0, MS(10));
    fx_seg(f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    fx_seg(f, 0, F_PA, CI + 1, SI + 1, 100, MS(30));
    fx_seg(f, 1, F_PA, SI + 1, CI + 101, 200, MS(40));
    fx_seg(f, 0, F_A, CI + 101, SI + 201, 0, MS(50));
}

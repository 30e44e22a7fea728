/* test_lifecycle.c - unit tests of the lifecycle core (plugin/lifecycle.c).
 *
 * Every expectation is exact: phase, step, handshake/close step, sender,
 * closer, both states, flags, RST kind, TIME_WAIT times, refs and summary.
 * The "regressions" section holds the core bugs the first version of these
 * tests found, each with its exact repro.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"
#include "handshake_facts.h"

#define CW_ (CI + 101) /* client's next seq after fx_establish: 1101 */
#define SW_ (SI + 201) /* server's next seq after fx_establish: 5201 */

/* ---- names ---------------------------------------------------------------- */

TU_TEST(names_match_spec)
{
    static const char *states[] = { "UNKNOWN", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
        "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
        "TIME_WAIT", "CLOSED" };
    static const char *phases[] = { "handshake", "established", "closing", "closed", "reset",
        "midstream" };
    static const char *steps[] = { "syn", "syn_retransmission", "syn_ack",
        "syn_ack_retransmission", "handshake_ack", "data", "ack", "fin_active",
        "fin_active_ack", "fin_passive", "fin_passive_merged", "fin_simultaneous", "last_ack",
        "fin_retransmission", "rst", "after_close", "icmp_quote", "handshake_ack_ignored",
        "keepalive", "keepalive_ack", "zero_window_probe", "zero_window_probe_ack", "challenge_ack" };
    static const char *rst_kinds[] = { "none", "refused", "handshake_abort", "abort",
        "after_fin", "out_of_window", "midstream" };
    static const char *outcomes[] = { "complete", "reset", "refused", "syn_unanswered",
        "handshake_incomplete", "half_closed", "open", "midstream_closed", "midstream_open" };
    static const char *styles[] = { "four_way", "three_way", "simultaneous", "half", "rst",
        "none" };
    static const char *closers[] = { "none", "client", "server", "both" };

    CHECK_INT(sizeof states / sizeof *states, TL_STATE_COUNT);
    CHECK_INT(sizeof phases / sizeof *phases, TL_PHASE_COUNT);
    CHECK_INT(sizeof steps / sizeof *steps, TL_STEP_COUNT);
    CHECK_INT(sizeof rst_kinds / sizeof *rst_kinds, TL_RST_COUNT);
    CHECK_INT(sizeof outcomes / sizeof *outcomes, TL_OUTCOME_COUNT);
    CHECK_INT(sizeof styles / sizeof *styles, TL_CLOSE_STYLE_COUNT);
    CHECK_INT(sizeof closers / sizeof *closers, TL_ACTIVE_CLOSER_COUNT);

    for (unsigned i = 0; i < TL_STATE_COUNT; i++)
        CHECK_STR(tl_state_name(i), states[i]);
    for (unsigned i = 0; i < TL_PHASE_COUNT; i++)
        CHECK_STR(tl_phase_name(i), phases[i]);
    for (unsigned i = 0; i < TL_STEP_COUNT; i++) {
        CHECK_STR(tl_step_name(i), steps[i]);
        CHECK(strcmp(tl_step_description(i), "?") != 0 && tl_step_description(i)[0] != '\0');
    }
    for (unsigned i = 0; i < TL_RST_COUNT; i++)
        CHECK_STR(tl_rst_kind_name(i), rst_kinds[i]);
    for (unsigned i = 0; i < TL_OUTCOME_COUNT; i++)
        CHECK_STR(tl_outcome_name(i), outcomes[i]);
    for (unsigned i = 0; i < TL_CLOSE_STYLE_COUNT; i++)
        CHECK_STR(tl_close_style_name(i), styles[i]);
    for (unsigned i = 0; i < TL_ACTIVE_CLOSER_COUNT; i++)
        CHECK_STR(tl_active_closer_name(i), closers[i]);
    CHECK_STR(tl_role_name(TL_ROLE_CLIENT), "client");
    CHECK_STR(tl_role_name(TL_ROLE_SERVER), "server");
    CHECK_STR(tl_closer_name(TL_CLOSER_NONE), "none");
    CHECK_STR(tl_closer_name(TL_CLOSER_ACTIVE), "active");
    CHECK_STR(tl_closer_name(TL_CLOSER_PASSIVE), "passive");
    CHECK_STR(tl_step_description(TL_STEP_FIN_PASSIVE), "passive FIN");

    /* Out of range: "?", never a crash or a neighbour's name. */
    unsigned big[] = { 255, 256, 1000, 0xffffffffu };
    CHECK_STR(tl_state_name(TL_STATE_COUNT), "?");
    CHECK_STR(tl_phase_name(TL_PHASE_COUNT), "?");
    CHECK_STR(tl_step_name(TL_STEP_COUNT), "?");
    CHECK_STR(tl_step_description(TL_STEP_COUNT), "?");
    CHECK_STR(tl_rst_kind_name(TL_RST_COUNT), "?");
    CHECK_STR(tl_outcome_name(TL_OUTCOME_COUNT), "?");
    CHECK_STR(tl_close_style_name(TL_CLOSE_STYLE_COUNT), "?");
    CHECK_STR(tl_active_closer_name(TL_ACTIVE_CLOSER_COUNT), "?");
    CHECK_STR(tl_role_name(2), "?");
    CHECK_STR(tl_closer_name(3), "?");
    for (unsigned i = 0; i < sizeof big / sizeof *big; i++) {
        CHECK_STR(tl_state_name(big[i]), "?");
        CHECK_STR(tl_phase_name(big[i]), "?");
        CHECK_STR(tl_step_name(big[i]), "?");
        CHECK_STR(tl_step_description(big[i]), "?");
        CHECK_STR(tl_role_name(big[i]), "?");
        CHECK_STR(tl_closer_name(big[i]), "?");
        CHECK_STR(tl_rst_kind_name(big[i]), "?");
        CHECK_STR(tl_outcome_name(big[i]), "?");
        CHECK_STR(tl_close_style_name(big[i]), "?");
        CHECK_STR(tl_active_closer_name(big[i]), "?");
    }
}

/* ---- a normal connection, every transition ----------------------------------- */

TU_TEST(normal_connection_every_transition)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    tl_annotation_t *a;

    CHECK(!tl_conn_is_new_incarnation(&f.c, &(tl_segment_t){ .flags = F_SYN }));

    a = fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    ANN(a, "handshake", "syn", 1, 0, "client", "none", "SYN_SENT", "LISTEN", 0, "none");
    CHECK_INT(a->lookahead, TL_ANN_SYN_UNANSWERED);
    CHECK_INT(f.c.client, 0);

    a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
    CHECK_INT(a->lookahead, TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
    CHECK_INT(f.ann[1].lookahead, 0); /* the SYN was answered */

    a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(25));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(a->lookahead, 0);
    CHECK_INT(f.ann[2].lookahead, 0); /* the SYN-ACK was acknowledged */
    CHECK_INT(f.c.syn_time, MS(0));
    CHECK_INT(f.c.syn_ack_time, MS(10));
    CHECK_INT(f.c.handshake_ack_time, MS(25));

    a = fx_seg(&f, 0, F_PA, CI + 1, SI + 1, 100, MS(30));
    ANN(a, "established", "data", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    a = fx_seg(&f, 1, F_PA, SI + 1, CI + 101, 200, MS(40));
    ANN(a, "established", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    a = fx_seg(&f, 0, F_A, CI + 101, SI + 201, 0, MS(50));
    ANN(a, "established", "ack", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");

    tl_summary_t s = fx_summary(&f, MS(50));
    SUMMARY(&s, "open", "none", "none", "ESTABLISHED", "ESTABLISHED", "S1", "ShADd");

    a = fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    ANN(a, "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
    a = fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    ANN(a, "closing", "fin_active_ack", 0, 2, "server", "passive", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    s = fx_summary(&f, MS(1010));
    SUMMARY(&s, "half_closed", "half", "client", "FIN_WAIT_2", "CLOSE_WAIT", "S2", "ShADdFa");

    a = fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(2000));
    ANN(a, "closing", "fin_passive", 0, 3, "server", "passive", "FIN_WAIT_2", "LAST_ACK", 0, "none");
    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(2010));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(a->tw_role, TL_ROLE_CLIENT);
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(2010) + SEC(TIME_WAIT_S));

    REFS(&f.c, 1, 2, 3, 7, 9, 10, 0);
    CHECK_INT(f.c.close_wait, SEC(1)); /* client FIN at 1.000 s, server FIN at 2.000 s */

    s = fx_summary(&f, MS(2010));
    SUMMARY(&s, "complete", "four_way", "client", "TIME_WAIT", "CLOSED", "SF", "ShADdFaf");
    CHECK_INT(s.duration, MS(2010) - MS(0));
    CHECK_INT(s.close_wait, SEC(1));
    /* TIME_WAIT lasts until exactly its expiry. */
    s = fx_summary(&f, MS(2010) + SEC(TIME_WAIT_S) - 1);
    SUMMARY(&s, "complete", "four_way", "client", "TIME_WAIT", "CLOSED", "SF", "ShADdFaf");
    s = fx_summary(&f, MS(2010) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "four_way", "client", "CLOSED", "CLOSED", "SF", "ShADdFaf");

    /* The first FIN's annotation was not revised (no simultaneous close). */
    ANN(&f.ann[7], "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
}

TU_TEST(time_wait_ends_on_later_packet)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(1020));
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(1030));
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(1030) + SEC(TIME_WAIT_S));

    /* A stray packet inside TIME_WAIT: still TIME_WAIT. */
    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1030) + SEC(TIME_WAIT_S) - 1);
    ANN(a, "closed", "after_close", 0, 0, "server", "none", "TIME_WAIT", "CLOSED", 0, "none");
    /* At the expiry: CLOSED. */
    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1030) + SEC(TIME_WAIT_S));
    ANN(a, "closed", "after_close", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "none");
    tl_summary_t s = fx_summary(&f, MS(1030) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "four_way", "client", "CLOSED", "CLOSED", "SF", "ShADdFaf");
    REFS(&f.c, 1, 2, 3, 7, 9, 10, 0);
}

/* ---- close variants ---------------------------------------------------------------- */

TU_TEST(merged_fin_ack_three_way_close)
{
    fx_t f;
    fx_establish(&f);
    tl_annotation_t *a = fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    ANN(a, "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
    a = fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(1500));
    ANN(a, "closing", "fin_passive_merged", 0, 3, "server", "passive", "FIN_WAIT_2", "LAST_ACK",
        TL_ANN_MERGED_FIN_ACK, "none");
    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(1510));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(1510) + SEC(TIME_WAIT_S));
    CHECK_INT(a->tw_role, TL_ROLE_CLIENT);
    REFS(&f.c, 1, 2, 3, 7, 8, 9, 0);
    tl_summary_t s = fx_summary(&f, MS(1510));
    SUMMARY(&s, "complete", "three_way", "client", "TIME_WAIT", "CLOSED", "SF", "ShADdFf");
    CHECK_INT(s.close_wait, MS(500) - MS(0));
}

TU_TEST(server_closes_first)
{
    fx_t f;
    fx_establish(&f);
    tl_annotation_t *a = fx_seg(&f, 1, F_FA, SW_, CW_, 0, MS(1000));
    ANN(a, "closing", "fin_active", 0, 1, "server", "active", "CLOSE_WAIT", "FIN_WAIT_1", 0, "none");
    a = fx_seg(&f, 0, F_A, CW_, SW_ + 1, 0, MS(1010));
    ANN(a, "closing", "fin_active_ack", 0, 2, "client", "passive", "CLOSE_WAIT", "FIN_WAIT_2", 0, "none");
    a = fx_seg(&f, 0, F_FA, CW_, SW_ + 1, 0, MS(1020));
    ANN(a, "closing", "fin_passive", 0, 3, "client", "passive", "LAST_ACK", "FIN_WAIT_2", 0, "none");
    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1030));
    ANN(a, "closing", "last_ack", 0, 4, "server", "active", "CLOSED", "TIME_WAIT",
        TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(a->tw_role, TL_ROLE_SERVER);
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(1030) + SEC(TIME_WAIT_S));
    REFS(&f.c, 1, 2, 3, 7, 9, 10, 0);
    tl_summary_t s = fx_summary(&f, MS(1030));
    SUMMARY(&s, "complete", "four_way", "server", "CLOSED", "TIME_WAIT", "SF", "ShADdfFa");
    CHECK_INT(s.close_wait, MS(20) - MS(0));
    s = fx_summary(&f, MS(1030) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "four_way", "server", "CLOSED", "CLOSED", "SF", "ShADdfFa");
}

TU_TEST(half_close_with_data_from_passive_side)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    /* The passive side goes on sending: that is no data after *its* FIN. */
    tl_annotation_t *a = fx_seg(&f, 1, F_PA, SW_, CW_ + 1, 300, MS(1020));
    ANN(a, "closing", "data", 0, 0, "server", "none", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 300, 0, MS(1030));
    ANN(a, "closing", "ack", 0, 0, "client", "none", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");

    tl_summary_t s = fx_summary(&f, MS(1030));
    SUMMARY(&s, "half_closed", "half", "client", "FIN_WAIT_2", "CLOSE_WAIT", "S2", "ShADdFa");
    CHECK_INT(s.close_wait, -1);

    /* CLOSE_WAIT of 7.99 s > 5 s: flagged. */
    a = fx_seg(&f, 1, F_FA, SW_ + 300, CW_ + 1, 0, MS(9000));
    ANN(a, "closing", "fin_passive", 0, 3, "server", "passive", "FIN_WAIT_2", "LAST_ACK",
        TL_ANN_CLOSE_WAIT_LONG, "none");
    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 301, 0, MS(9010));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_TIME_WAIT_START, "none");
    s = fx_summary(&f, MS(9010));
    SUMMARY(&s, "complete", "four_way", "client", "TIME_WAIT", "CLOSED", "SF", "ShADdFaf");
    CHECK_INT(s.close_wait, MS(9000) - MS(1000));
    REFS(&f.c, 1, 2, 3, 7, 11, 12, 0);
}

/* Passive FIN `after_ms` after the active FIN. */
static void close_wait_case(int line, int64_t after_ms, unsigned expected_flag)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1001));
    tl_annotation_t *a = fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(1000 + after_ms));
    check_ann(line, a, "closing", "fin_passive", 0, 3, "server", "passive", "FIN_WAIT_2",
              "LAST_ACK", expected_flag, "none");
    CHECK_INT(f.c.close_wait, MS(after_ms) - MS(0));
}

TU_TEST(close_wait_warn_threshold)
{
    close_wait_case(__LINE__, 100, 0);
    close_wait_case(__LINE__, CLOSE_WAIT_WARN_S * 1000, 0); /* "longer than": not equal */
    close_wait_case(__LINE__, CLOSE_WAIT_WARN_S * 1000 + 1, TL_ANN_CLOSE_WAIT_LONG);
    close_wait_case(__LINE__, 3600 * 1000, TL_ANN_CLOSE_WAIT_LONG);
}

TU_TEST(simultaneous_close)
{
    fx_t f;
    fx_establish(&f);
    tl_annotation_t *first = fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    ANN(first, "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");

    /* The server's FIN does not acknowledge the client's: they crossed. */
    tl_annotation_t *a = fx_seg(&f, 1, F_FA, SW_, CW_, 0, MS(1001));
    ANN(a, "closing", "fin_simultaneous", 0, 1, "server", "active", "CLOSING", "CLOSING",
        TL_ANN_SIMULTANEOUS_CLOSE, "none");
    /* The first FIN is revised: one of two crossing FINs, the server was in FIN_WAIT_1. */
    ANN(first, "closing", "fin_simultaneous", 0, 1, "client", "active", "FIN_WAIT_1", "FIN_WAIT_1",
        TL_ANN_SIMULTANEOUS_CLOSE, "none");

    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(1010));
    ANN(a, "closing", "fin_active_ack", 0, 2, "client", "active", "CLOSING", "TIME_WAIT",
        TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(a->tw_role, TL_ROLE_SERVER);
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(1010) + SEC(TIME_WAIT_S));

    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1020));
    ANN(a, "closing", "fin_active_ack", 0, 2, "server", "active", "TIME_WAIT", "TIME_WAIT",
        TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(1020) + SEC(TIME_WAIT_S));
    /* (which endpoint this TIME_WAIT start names, and that the server's does
     * not restart: regression_simultaneous_close_second_time_wait) */

    REFS(&f.c, 1, 2, 3, 7, 8, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(1020));
    SUMMARY(&s, "complete", "simultaneous", "both", "TIME_WAIT", "TIME_WAIT", "SF", "ShADdFfa");
    s = fx_summary(&f, MS(1020) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "simultaneous", "both", "CLOSED", "CLOSED", "SF", "ShADdFfa");
}

/* ---- handshake variants ---------------------------------------------------------------- */

TU_TEST(simultaneous_open)
{
    fx_t f;
    fx_init(&f, 5001, 5002);
    tl_annotation_t *a = fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    ANN(a, "handshake", "syn", 1, 0, "client", "none", "SYN_SENT", "LISTEN", 0, "none");
    a = fx_seg(&f, 1, F_SYN, SI, 0, 0, MS(1));
    ANN(a, "handshake", "syn", 1, 0, "server", "none", "SYN_RECEIVED", "SYN_RECEIVED",
        TL_ANN_SIMULTANEOUS_OPEN, "none");
    CHECK_INT(a->lookahead, 0);
    CHECK_INT(f.ann[1].lookahead, TL_ANN_SYN_UNANSWERED);
    /* two-pass view of the first SYN: its receiver had sent a SYN of its own,
     * it was in SYN_SENT (never LISTEN), and that SYN crossed too */
    CHECK_STR(tl_state_name(f.ann[1].state_server), "SYN_SENT");
    CHECK_INT(f.ann[1].flags & TL_ANN_SIMULTANEOUS_OPEN, TL_ANN_SIMULTANEOUS_OPEN);
    CHECK_STR(tl_state_name(a->server_before), "SYN_SENT");
    a = fx_seg(&f, 0, F_SA, CI, SI + 1, 0, MS(10));
    ANN(a, "handshake", "syn_ack", 2, 0, "client", "none", "SYN_RECEIVED", "ESTABLISHED",
        TL_ANN_SIMULTANEOUS_OPEN, "none");
    CHECK_INT(f.ann[1].lookahead, 0);
    a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(11));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_SIMULTANEOUS_OPEN | TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(a->lookahead, 0);
    CHECK_INT(f.ann[3].lookahead, 0);
    a = fx_seg(&f, 0, F_PA, CI + 1, SI + 1, 10, MS(20));
    ANN(a, "established", "data", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    REFS(&f.c, 1, 3, 4, 0, 0, 0, 0);
    CHECK_INT(f.c.simultaneous_open, 1);
    tl_summary_t s = fx_summary(&f, MS(20));
    SUMMARY(&s, "open", "none", "none", "ESTABLISHED", "ESTABLISHED", NULL, "SsHhD");
}

TU_TEST(syn_retransmission_and_unanswered)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    tl_segment_t retx = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(1000));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &retx));
    tl_annotation_t *a = fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(1000));
    ANN(a, "handshake", "syn_retransmission", 1, 0, "client", "none", "SYN_SENT", "LISTEN",
        TL_ANN_RETRANSMISSION, "none");
    CHECK_INT(a->lookahead, 0);
    a = fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(3000));
    ANN(a, "handshake", "syn_retransmission", 1, 0, "client", "none", "SYN_SENT", "LISTEN",
        TL_ANN_RETRANSMISSION, "none");
    /* Nothing ever answers: the first SYN keeps its look-ahead verdict. */
    CHECK_INT(f.ann[1].lookahead, TL_ANN_SYN_UNANSWERED);
    REFS(&f.c, 1, 0, 0, 0, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(3000));
    SUMMARY(&s, "syn_unanswered", "none", "none", "SYN_SENT", "LISTEN", "S0", "S");
    CHECK_INT(s.duration, MS(3000) - MS(0));

    /* A SYN-ACK answering the retransmission clears it. */
    a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(3010));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
    CHECK_INT(f.ann[1].lookahead, 0);
    REFS(&f.c, 1, 4, 0, 0, 0, 0, 0);
}

TU_TEST(syn_ack_retransmission)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    tl_annotation_t *a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(1010));
    ANN(a, "handshake", "syn_ack_retransmission", 2, 0, "server", "none", "ESTABLISHED",
        "SYN_RECEIVED", TL_ANN_RETRANSMISSION, "none");
    CHECK_INT(a->lookahead, 0);
    CHECK_INT(f.ann[2].lookahead, TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
    tl_summary_t s = fx_summary(&f, MS(1010));
    SUMMARY(&s, "handshake_incomplete", "none", "none", "ESTABLISHED", "SYN_RECEIVED", NULL, "Sh");

    a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(1020));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.ann[2].lookahead, 0);
    REFS(&f.c, 1, 2, 4, 0, 0, 0, 0);
    CHECK_INT(f.c.syn_ack_time, MS(10));
    /* The server acts on the ACK (its data): the assumption is confirmed, and a
     * late SYN-ACK repeat after that has no handshake step any more. */
    a = fx_seg(&f, 1, F_PA, SI + 1, CI + 1, 10, MS(1030));
    ANN(a, "established", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(2000));
    ANN(a, "established", "syn_ack_retransmission", 0, 0, "server", "none", "ESTABLISHED",
        "ESTABLISHED", TL_ANN_RETRANSMISSION, "none");
    REFS(&f.c, 1, 2, 4, 0, 0, 0, 0);
}

/* Linux, accept queue full, tcp_abort_on_overflow=0: the server ignores the
 * third ACK and retransmits its SYN-ACK; the client's ACK of that repeat is
 * the one it takes (the queue had room again). */
TU_TEST(third_ack_ignored_syn_ack_retransmitted)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    /* Single pass: what was knowable then. */
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.ann[2].lookahead, 0);
    a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(1010));
    ANN(a, "handshake", "syn_ack_retransmission", 2, 0, "server", "none", "ESTABLISHED",
        "SYN_RECEIVED", TL_ANN_RETRANSMISSION | TL_ANN_ACK_IGNORED, "none");
    CHECK_INT(f.c.ignored_acks, 1);
    CHECK_INT(f.c.ignored_ack_frame, 3);
    /* Two-pass: the ACK is corrected, the SYN-ACK is half-open again until
     * something completes the handshake. */
    ANN(&f.ann[3], "handshake", "handshake_ack_ignored", 0, 0, "client", "none", "ESTABLISHED",
        "SYN_RECEIVED", 0, "none");
    CHECK_INT(f.ann[2].lookahead, TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
    REFS(&f.c, 1, 2, 0, 0, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(1010));
    SUMMARY(&s, "handshake_incomplete", "none", "none", "ESTABLISHED", "SYN_RECEIVED", NULL, "ShA");

    a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(1020));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.ann[2].lookahead, 0);
    REFS(&f.c, 1, 2, 5, 0, 0, 0, 0);
    CHECK_INT(f.c.handshake_ack_time, MS(1020));
    /* The server's data confirms it: nothing is revised any more. */
    a = fx_seg(&f, 1, F_PA, SI + 1, CI + 1, 10, MS(1500));
    ANN(a, "established", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    a = fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(3000));
    ANN(a, "established", "syn_ack_retransmission", 0, 0, "server", "none", "ESTABLISHED",
        "ESTABLISHED", TL_ANN_RETRANSMISSION, "none");
    ANN(&f.ann[5], "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED",
        "ESTABLISHED", TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.c.ignored_acks, 1);
}

/* The client sends data right after its ignored ACK: every packet that showed
 * the server ESTABLISHED is corrected, phase included; the data the server
 * takes later completes the handshake without a usable third ACK. */
TU_TEST(third_ack_ignored_then_data_completes)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    tl_annotation_t *a = fx_seg(&f, 0, F_PA, CI + 1, SI + 1, 100, MS(30));
    ANN(a, "established", "data", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(1010));
    ANN(&f.ann[3], "handshake", "handshake_ack_ignored", 0, 0, "client", "none", "ESTABLISHED",
        "SYN_RECEIVED", 0, "none");
    ANN(&f.ann[4], "handshake", "data", 0, 0, "client", "none", "ESTABLISHED", "SYN_RECEIVED", 0,
        "none");
    /* The client retransmits its data: the server takes it. */
    a = fx_seg(&f, 0, F_PA, CI + 1, SI + 1, 100, MS(1200));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE | TL_ANN_MISSING_THIRD_ACK, "none");
    a = fx_seg(&f, 1, F_A, SI + 1, CI + 101, 0, MS(1210));
    ANN(a, "established", "ack", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    REFS(&f.c, 1, 2, 6, 0, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(1210));
    SUMMARY(&s, "open", "none", "none", "ESTABLISHED", "ESTABLISHED", "S1", "ShADTa");
}

/* Linux, accept queue full, tcp_abort_on_overflow=1: the server answers the
 * third ACK with a bare RST (seq = the ACK's ack) from SYN_RECEIVED. */
TU_TEST(third_ack_refused_by_rst_is_handshake_abort)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    tl_annotation_t *a = fx_seg(&f, 1, F_R, SI + 1, 0, 0, MS(21));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", TL_ANN_ACK_IGNORED,
        "handshake_abort");
    ANN(&f.ann[3], "handshake", "handshake_ack_ignored", 0, 0, "client", "none", "ESTABLISHED",
        "SYN_RECEIVED", 0, "none");
    CHECK_INT(f.ann[2].lookahead, 0); /* the RST settles it: not half-open */
    REFS(&f.c, 1, 2, 0, 0, 0, 0, 4);
    tl_summary_t s = fx_summary(&f, MS(21));
    SUMMARY(&s, "reset", "rst", "none", "CLOSED", "CLOSED", "RSTR", "ShAr");
}

/* An established server that aborts at once sends RST with ACK: that is an
 * abort of the connection, and the third ACK stands. */
TU_TEST(rst_ack_after_third_ack_is_abort)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    tl_annotation_t *a = fx_seg(&f, 1, F_RA, SI + 1, CI + 1, 0, MS(21));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "abort");
    ANN(&f.ann[3], "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED",
        "ESTABLISHED", TL_ANN_HANDSHAKE_COMPLETE, "none");
}

/* TCP Fast Open: the SYN carries data and the SYN-ACK acknowledges it (ack =
 * ISN + 1 + length): the client is ESTABLISHED on that SYN-ACK. */
TU_TEST(fast_open_syn_ack_acknowledges_syn_data)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    tl_annotation_t *a = fx_seg(&f, 0, F_SYN, CI, 0, 100, MS(0));
    ANN(a, "handshake", "syn", 1, 0, "client", "none", "SYN_SENT", "LISTEN", 0, "none");
    a = fx_seg(&f, 1, F_SA, SI, CI + 101, 0, MS(10));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
    a = fx_seg(&f, 0, F_A, CI + 101, SI + 1, 0, MS(20));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    /* An ack beyond what the SYN carried acknowledges nothing of ours. */
    fx_t g;
    fx_init(&g, 40000, 80);
    fx_seg(&g, 0, F_SYN, CI, 0, 100, MS(0));
    a = fx_seg(&g, 1, F_SA, SI, CI + 102, 0, MS(10));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "SYN_SENT", "SYN_RECEIVED", 0, "none");
    /* A server that does not take the SYN's data acknowledges only the SYN. */
    fx_t h;
    fx_init(&h, 40000, 80);
    fx_seg(&h, 0, F_SYN, CI, 0, 100, MS(0));
    a = fx_seg(&h, 1, F_SA, SI, CI + 1, 0, MS(10));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
}

/* An RST answering a Fast Open SYN acknowledges its data too (Linux
 * tcp_v4_send_reset): still a refusal. */
TU_TEST(fast_open_syn_refused)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 100, MS(0));
    tl_annotation_t *a = fx_seg(&f, 1, F_RA, 0, CI + 101, 0, MS(1));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "refused");
}

/* Keepalive probes (SND.UNA - 1, no data) and their ACKs; a probe into a
 * zero window is a zero-window probe. */
TU_TEST(keepalive_and_zero_window_probes)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_establish(&f); /* client up to CW_, server up to SW_ */
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CW_ - 1, SW_, 0, MS(5000));
    ANN(a, "established", "keepalive", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    a = fx_seg(&f, 1, F_A, SW_, CW_, 0, MS(5001));
    ANN(a, "established", "keepalive_ack", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0,
        "none");
    /* A one-byte keepalive (the last byte again) is one too. */
    a = fx_seg(&f, 0, F_A, CW_ - 1, SW_, 1, MS(6000));
    ANN(a, "established", "keepalive", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    /* A plain ACK is not an answer to anything. */
    a = fx_seg(&f, 1, F_PA, SW_, CW_, 10, MS(6001));
    ANN(a, "established", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    a = fx_seg(&f, 0, F_A, CW_, SW_ + 10, 0, MS(6002));
    ANN(a, "established", "ack", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    /* The server closes its window; the client probes it. */
    f.window = 0;
    a = fx_seg(&f, 1, F_A, SW_ + 10, CW_, 0, MS(7000));
    ANN(a, "established", "ack", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    f.window = 65535;
    a = fx_seg(&f, 0, F_A, CW_ - 1, SW_ + 10, 0, MS(7200));
    ANN(a, "established", "zero_window_probe", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        0, "none");
    f.window = 0;
    a = fx_seg(&f, 1, F_A, SW_ + 10, CW_, 0, MS(7201));
    ANN(a, "established", "zero_window_probe_ack", 0, 0, "server", "none", "ESTABLISHED",
        "ESTABLISHED", 0, "none");
}

TU_TEST(lost_third_ack_data_completes_handshake)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    tl_annotation_t *a = fx_seg(&f, 0, F_PA, CI + 1, SI + 1, 100, MS(20));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE | TL_ANN_MISSING_THIRD_ACK, "none");
    CHECK_INT(f.ann[2].lookahead, 0);
    CHECK_INT(f.c.handshake_ack_time, MS(20));
    REFS(&f.c, 1, 2, 3, 0, 0, 0, 0);
    a = fx_seg(&f, 1, F_A, SI + 1, CI + 101, 0, MS(30));
    ANN(a, "established", "ack", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    tl_summary_t s = fx_summary(&f, MS(30));
    SUMMARY(&s, "open", "none", "none", "ESTABLISHED", "ESTABLISHED", "S1", "ShDa");
}

TU_TEST(half_open_lookahead)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    /* An ACK that does not acknowledge the server's SYN completes nothing. */
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI + 7, 0, MS(20));
    ANN(a, "handshake", "ack", 0, 0, "client", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
    CHECK_INT(f.ann[2].lookahead, TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
    CHECK_INT(f.ann[1].lookahead, 0);
    REFS(&f.c, 1, 2, 0, 0, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(20));
    SUMMARY(&s, "handshake_incomplete", "none", "none", "ESTABLISHED", "SYN_RECEIVED", NULL, "ShA");
}

TU_TEST(syn_unanswered_cleared_by_rst)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    CHECK_INT(f.ann[1].lookahead, TL_ANN_SYN_UNANSWERED);
    fx_seg(&f, 1, F_RA, 0, CI + 1, 0, MS(1));
    CHECK_INT(f.ann[1].lookahead, 0);
}

TU_TEST(syn_ack_before_syn_roles)
{
    /* The capture starts with the SYN-ACK: endpoint 0 is the server. */
    fx_t f;
    fx_init(&f, 80, 40000);
    tl_annotation_t *a = fx_seg(&f, 0, F_SA, SI, CI + 1, 0, MS(0));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
    CHECK_INT(a->lookahead, TL_ANN_HALF_OPEN | TL_ANN_MISSING_THIRD_ACK);
    CHECK_INT(f.c.client, 1);
    CHECK_INT(f.c.roles_inferred, 0);
    CHECK_INT(f.c.midstream, 0);
    tl_summary_t s = fx_summary(&f, MS(0));
    SUMMARY(&s, "handshake_incomplete", "none", "none", "ESTABLISHED", "SYN_RECEIVED", NULL, "^h");
}

TU_TEST(syn_ack_first_then_third_ack_completes)
{
    /* The SYN was not captured; the client's ACK of the SYN-ACK completes it. */
    fx_t f;
    fx_init(&f, 80, 40000);
    fx_seg(&f, 0, F_SA, SI, CI + 1, 0, MS(0));
    tl_annotation_t *a = fx_seg(&f, 1, F_A, CI + 1, SI + 1, 0, MS(10));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.ann[1].lookahead, 0);
    fx_seg(&f, 1, F_FA, CI + 1, SI + 1, 0, MS(20));
    fx_seg(&f, 0, F_FA, SI + 1, CI + 2, 0, MS(30));
    a = fx_seg(&f, 1, F_A, CI + 2, SI + 2, 0, MS(40));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_TIME_WAIT_START, "none");
    REFS(&f.c, 0, 1, 2, 3, 4, 5, 0);
    tl_summary_t s = fx_summary(&f, MS(40));
    SUMMARY(&s, "complete", "three_way", "client", "TIME_WAIT", "CLOSED", NULL, "^hAFf");
}

/* ---- RST kinds ---------------------------------------------------------------------- */

TU_TEST(rst_refused)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    tl_annotation_t *a = fx_seg(&f, 1, F_RA, 0, CI + 1, 0, MS(1));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "refused");
    REFS(&f.c, 1, 0, 0, 0, 0, 0, 2);
    tl_summary_t s = fx_summary(&f, MS(1));
    SUMMARY(&s, "refused", "rst", "none", "CLOSED", "CLOSED", "REJ", "Sr");
}

TU_TEST(rst_refused_after_syn_retransmission)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(1000));
    tl_annotation_t *a = fx_seg(&f, 1, F_RA, 0, CI + 1, 0, MS(1001));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "refused");
    CHECK_INT(f.ann[1].lookahead, 0);
    tl_summary_t s = fx_summary(&f, MS(1001));
    SUMMARY(&s, "refused", "rst", "none", "CLOSED", "CLOSED", "REJ", "Sr");
}

TU_TEST(rst_in_syn_sent_needs_the_right_ack)
{
    /* RFC 9293 3.10.7.3: in SYN-SENT an RST without an acceptable ACK is dropped. */
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    tl_annotation_t *a = fx_seg(&f, 1, F_R, 0, 0, 0, MS(1));
    ANN(a, "handshake", "rst", 0, 0, "server", "none", "SYN_SENT", "LISTEN", 0, "out_of_window");
    a = fx_seg(&f, 1, F_RA, 0, CI + 2, 0, MS(2));
    ANN(a, "handshake", "rst", 0, 0, "server", "none", "SYN_SENT", "LISTEN", 0, "out_of_window");
    CHECK_INT(f.ann[1].lookahead, TL_ANN_SYN_UNANSWERED);
    CHECK_INT(f.c.reset, 0);
    REFS(&f.c, 1, 0, 0, 0, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(2));
    SUMMARY(&s, "syn_unanswered", "none", "none", "SYN_SENT", "LISTEN", NULL, NULL);
}

TU_TEST(rst_handshake_abort_by_client)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    tl_annotation_t *a = fx_seg(&f, 0, F_R, CI + 1, 0, 0, MS(20));
    ANN(a, "reset", "rst", 0, 0, "client", "none", "CLOSED", "CLOSED", 0, "handshake_abort");
    CHECK_INT(f.ann[2].lookahead, 0);
    REFS(&f.c, 1, 2, 0, 0, 0, 0, 3);
    tl_summary_t s = fx_summary(&f, MS(20));
    SUMMARY(&s, "reset", "rst", "none", "CLOSED", "CLOSED", "RSTO", "ShR");
}

TU_TEST(rst_handshake_abort_by_server)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    tl_annotation_t *a = fx_seg(&f, 1, F_RA, SI + 1, CI + 1, 0, MS(20));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "handshake_abort");
    tl_summary_t s = fx_summary(&f, MS(20));
    /* Zeek counts the connection established at the SYN-ACK (SYN + SYN-ACK is
     * S1), so a responder's RST after it is RSTR, not REJ. */
    SUMMARY(&s, "reset", "rst", "none", "CLOSED", "CLOSED", "RSTR", "Shr");
}

TU_TEST(rst_abort_established)
{
    fx_t f;
    fx_establish(&f);
    tl_annotation_t *a = fx_seg(&f, 0, F_RA, CW_, SW_, 0, MS(100));
    ANN(a, "reset", "rst", 0, 0, "client", "none", "CLOSED", "CLOSED", 0, "abort");
    REFS(&f.c, 1, 2, 3, 0, 0, 0, 7);
    tl_summary_t s = fx_summary(&f, MS(100));
    SUMMARY(&s, "reset", "rst", "client", "CLOSED", "CLOSED", "RSTO", "ShADdR");
    /* A late packet of the reset connection. */
    a = fx_seg(&f, 1, F_PA, SW_, CW_, 10, MS(110));
    ANN(a, "closed", "after_close", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "none");
    REFS(&f.c, 1, 2, 3, 0, 0, 0, 7);
}

TU_TEST(rst_abort_by_server_zeek_rstr)
{
    fx_t f;
    fx_establish(&f);
    tl_annotation_t *a = fx_seg(&f, 1, F_R, SW_, 0, 0, MS(100));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "abort");
    tl_summary_t s = fx_summary(&f, MS(100));
    SUMMARY(&s, "reset", "rst", "server", "CLOSED", "CLOSED", "RSTR", "ShADdr");
}

TU_TEST(rst_after_fin)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    tl_annotation_t *a = fx_seg(&f, 1, F_RA, SW_, CW_ + 1, 0, MS(1020));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "after_fin");
    REFS(&f.c, 1, 2, 3, 7, 0, 0, 9);
    tl_summary_t s = fx_summary(&f, MS(1020));
    SUMMARY(&s, "reset", "rst", "client", "CLOSED", "CLOSED", "RSTR", "ShADdFar");
}

TU_TEST(rst_out_of_window_changes_nothing)
{
    fx_t f;
    fx_establish(&f);
    /* The client advertised 1000 bytes: the server may send 5201 .. 6200. */
    f.window = 1000;
    fx_seg(&f, 0, F_A, CW_, SW_, 0, MS(60));
    f.window = 65535;
    tl_annotation_t *a = fx_seg(&f, 1, F_R, SW_ + 1000, 0, 0, MS(70));
    ANN(a, "established", "rst", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "out_of_window");
    a = fx_seg(&f, 1, F_R, SW_ - 1, 0, 0, MS(71));
    ANN(a, "established", "rst", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "out_of_window");
    a = fx_seg(&f, 1, F_R, SW_ + 3000000000u, 0, 0, MS(72));
    ANN(a, "established", "rst", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED", 0, "out_of_window");
    CHECK_INT(f.c.reset, 0);
    REFS(&f.c, 1, 2, 3, 0, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(72));
    /* Zeek counts every RST, in window or not (zeek tcp/syn-then-rst.pcap). */
    SUMMARY(&s, "open", "none", "none", "ESTABLISHED", "ESTABLISHED", "RSTR", "ShADdr");
    /* The connection goes on. */
    a = fx_seg(&f, 0, F_PA, CW_, SW_, 10, MS(80));
    ANN(a, "established", "data", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    /* Inside the window but not at RCV.NXT (the last byte of the window,
     * the first beyond RCV.NXT): RFC 5961 3.2, a challenge ACK, no reset. */
    f.window = 1000;
    fx_seg(&f, 0, F_A, CW_ + 10, SW_, 0, MS(90));
    a = fx_seg(&f, 1, F_R, SW_ + 999, 0, 0, MS(91));
    ANN(a, "established", "rst", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_RST_CHALLENGED, "out_of_window");
    a = fx_seg(&f, 1, F_R, SW_ + 1, 0, 0, MS(92));
    ANN(a, "established", "rst", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_RST_CHALLENGED, "out_of_window");
    CHECK_INT(f.c.reset, 0);
    /* The challenge ACK (the receiver's next pure ACK); then an RST at RCV.NXT resets. */
    a = fx_seg(&f, 0, F_A, CW_ + 10, SW_, 0, MS(93));
    CHECK_STR(tl_step_name(a->step), "challenge_ack");
    a = fx_seg(&f, 1, F_R, SW_, 0, 0, MS(94));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "abort");
    REFS(&f.c, 1, 2, 3, 0, 0, 0, 16);
}

/* A stack's RST takes its seq from SND.NXT: ahead of the peer's last ACK
 * while data is in flight (seen near the sender), still at the receiver's
 * RCV.NXT once the data arrives. After a FIN, RCV.NXT - 1 resets as well
 * (Linux tcp_reset_check). */
TU_TEST(rst_at_snd_nxt_resets_with_data_in_flight)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_A, CW_, SW_, 1448, MS(60));
    fx_seg(&f, 0, F_A, CW_ + 1448, SW_, 1448, MS(60));
    tl_annotation_t *a = fx_seg(&f, 0, F_RA, CW_ + 2896, SW_, 0, MS(61));
    ANN(a, "reset", "rst", 0, 0, "client", "none", "CLOSED", "CLOSED", 0, "abort");

    fx_establish(&f);
    a = fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(60));
    CHECK_STR(tl_step_name(a->step), "fin_active");
    fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(61));
    a = fx_seg(&f, 0, F_R, CW_, 0, 0, MS(62)); /* the FIN's own seq */
    ANN(a, "reset", "rst", 0, 0, "client", "none", "CLOSED", "CLOSED", 0, "after_fin");
}

TU_TEST(rst_midstream)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    tl_annotation_t *a = fx_seg(&f, 0, F_PA, 777, 999, 10, MS(0));
    ANN(a, "midstream", "data", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_MIDSTREAM_START | TL_ANN_ROLES_INFERRED, "none");
    a = fx_seg(&f, 1, F_RA, 999, 787, 0, MS(5));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", TL_ANN_ROLES_INFERRED, "midstream");
    REFS(&f.c, 0, 0, 0, 0, 0, 0, 2);
    tl_summary_t s = fx_summary(&f, MS(5));
    SUMMARY(&s, "midstream_closed", "rst", "server", "CLOSED", "CLOSED", "RSTRH", "Dr");
}

/* ---- retransmissions and duplicates --------------------------------------------------- */

TU_TEST(fin_retransmission_before_ack)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    tl_annotation_t *a = fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1200));
    ANN(a, "closing", "fin_retransmission", 0, 0, "client", "none", "FIN_WAIT_1", "CLOSE_WAIT",
        TL_ANN_RETRANSMISSION, "none");
    a = fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1210));
    ANN(a, "closing", "fin_active_ack", 0, 2, "server", "passive", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    REFS(&f.c, 1, 2, 3, 7, 0, 0, 0);
}

TU_TEST(fin_retransmission_reack_restarts_time_wait)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(2000));
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(2010));
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(2010) + SEC(TIME_WAIT_S));

    /* The last ACK was lost beyond the capture point: the server repeats its
     * FIN, so it never left LAST_ACK (and the last ACK's packet is corrected
     * for the two-pass view). */
    a = fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(2300));
    ANN(a, "closing", "fin_retransmission", 0, 0, "server", "none", "TIME_WAIT", "LAST_ACK",
        TL_ANN_RETRANSMISSION, "none");
    ANN(&f.ann[10], "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "LAST_ACK",
        TL_ANN_TIME_WAIT_START, "none");
    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(2310));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(a->tw_role, TL_ROLE_CLIENT);
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(2310) + SEC(TIME_WAIT_S));
    REFS(&f.c, 1, 2, 3, 7, 9, 10, 0); /* refs keep the first last ACK */

    /* Past the first expiry, before the new one: still TIME_WAIT. */
    tl_summary_t s = fx_summary(&f, MS(2010) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "four_way", "client", "TIME_WAIT", "CLOSED", "SF", "ShADdFaf");
    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(2010) + SEC(TIME_WAIT_S));
    ANN(a, "closed", "after_close", 0, 0, "server", "none", "TIME_WAIT", "CLOSED", 0, "none");
    /* A plain duplicate of the last ACK does not restart it. */
    a = fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(2300) + SEC(TIME_WAIT_S));
    ANN(a, "closed", "after_close", 0, 0, "client", "none", "TIME_WAIT", "CLOSED", 0, "none");
    s = fx_summary(&f, MS(2310) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "four_way", "client", "CLOSED", "CLOSED", "SF", "ShADdFaf");
}

TU_TEST(duplicate_acks)
{
    fx_t f;
    fx_establish(&f);
    for (int i = 0; i < 3; i++) {
        tl_annotation_t *a = fx_seg(&f, 0, F_A, CW_, SW_, 0, MS(60 + i));
        ANN(a, "established", "ack", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    }
    /* A duplicate third ACK (ack = server ISN + 1) after the handshake. */
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(70));
    ANN(a, "established", "ack", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED", 0, "none");
    /* Duplicate ACKs of the active FIN. */
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    for (int i = 0; i < 2; i++) {
        a = fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1010 + i));
        ANN(a, "closing", i == 0 ? "fin_active_ack" : "ack", 0, i == 0 ? 2 : 0, "server",
            i == 0 ? "passive" : "none", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    }
    REFS(&f.c, 1, 2, 3, 11, 0, 0, 0);
    tl_summary_t s = fx_summary(&f, MS(1011));
    SUMMARY(&s, "half_closed", "half", "client", "FIN_WAIT_2", "CLOSE_WAIT", "S2", "ShADdFa");
}

/* ---- mid-stream ----------------------------------------------------------------------- */

TU_TEST(midstream_lower_port_is_server)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    tl_annotation_t *a = fx_seg(&f, 0, F_PA, 777, 999, 10, MS(0));
    ANN(a, "midstream", "data", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_MIDSTREAM_START | TL_ANN_ROLES_INFERRED, "none");
    a = fx_seg(&f, 1, F_A, 999, 787, 0, MS(1));
    ANN(a, "midstream", "ack", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_ROLES_INFERRED, "none");
    CHECK_INT(f.c.client, 0);
    tl_summary_t s = fx_summary(&f, MS(1));
    SUMMARY(&s, "midstream_open", "none", "none", "ESTABLISHED", "ESTABLISHED", "OTH", "Da");

    /* First packet from the server (lower port): endpoint 0 is the server. */
    fx_init(&f, 443, 51000);
    a = fx_seg(&f, 0, F_PA, 999, 777, 10, MS(0));
    ANN(a, "midstream", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_MIDSTREAM_START | TL_ANN_ROLES_INFERRED, "none");
    CHECK_INT(f.c.client, 1);
    s = fx_summary(&f, MS(0));
    SUMMARY(&s, "midstream_open", "none", "none", "ESTABLISHED", "ESTABLISHED", "OTH", "^d");

    /* A first packet that is an RST: also mid-stream. */
    fx_init(&f, 40000, 80);
    a = fx_seg(&f, 0, F_R, 777, 0, 0, MS(0));
    ANN(a, "reset", "rst", 0, 0, "client", "none", "CLOSED", "CLOSED",
        TL_ANN_MIDSTREAM_START | TL_ANN_ROLES_INFERRED, "midstream");
    s = fx_summary(&f, MS(0));
    SUMMARY(&s, "midstream_closed", "rst", "client", "CLOSED", "CLOSED", NULL, "R");
}

TU_TEST(midstream_port_tie_first_sender_is_client)
{
    fx_t f;
    fx_init(&f, 5000, 5000);
    tl_annotation_t *a = fx_seg(&f, 0, F_A, 777, 999, 0, MS(0));
    ANN(a, "midstream", "ack", 0, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_MIDSTREAM_START | TL_ANN_ROLES_INFERRED, "none");
    CHECK_INT(f.c.client, 0);
    a = fx_seg(&f, 1, F_PA, 999, 777, 5, MS(1));
    ANN(a, "midstream", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_ROLES_INFERRED, "none");
}

TU_TEST(midstream_closed_by_fins)
{
    fx_t f;
    fx_init(&f, 80, 40000); /* the server speaks first */
    tl_annotation_t *a = fx_seg(&f, 0, F_PA, 999, 777, 10, MS(0));
    ANN(a, "midstream", "data", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_MIDSTREAM_START | TL_ANN_ROLES_INFERRED, "none");
    a = fx_seg(&f, 1, F_FA, 777, 1009, 0, MS(10));
    ANN(a, "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT",
        TL_ANN_ROLES_INFERRED, "none");
    a = fx_seg(&f, 0, F_FA, 1009, 778, 0, MS(20));
    ANN(a, "closing", "fin_passive_merged", 0, 3, "server", "passive", "FIN_WAIT_2", "LAST_ACK",
        TL_ANN_ROLES_INFERRED | TL_ANN_MERGED_FIN_ACK, "none");
    a = fx_seg(&f, 1, F_A, 778, 1010, 0, MS(30));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_ROLES_INFERRED | TL_ANN_TIME_WAIT_START, "none");
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(30) + SEC(TIME_WAIT_S));
    REFS(&f.c, 0, 0, 0, 2, 3, 4, 0);
    tl_summary_t s = fx_summary(&f, MS(30));
    /* Zeek: both sides sent FINs, so SF even without a SYN (zeek ssh/ssh.pcap). */
    SUMMARY(&s, "midstream_closed", "three_way", "client", "TIME_WAIT", "CLOSED", "SF", "^dFfA");
}

/* ---- sequence numbers wrapping through 0 ---------------------------------------------- */

TU_TEST(sequence_wraparound)
{
    const uint32_t ci = 0xfffffff0u, si = 0xffffffffu;
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, ci, 0, 0, MS(0));
    tl_annotation_t *a = fx_seg(&f, 1, F_SA, si, ci + 1, 0, MS(1));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
    a = fx_seg(&f, 0, F_A, ci + 1, 0 /* si + 1 wraps */, 0, MS(2));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    /* 14 bytes end at 0xffffffff: the FIN octet is 0xffffffff, acked with 0. */
    fx_seg(&f, 0, F_PA, ci + 1, 0, 14, MS(3));
    fx_seg(&f, 1, F_PA, 0, 0xffffffffu, 32, MS(4));
    a = fx_seg(&f, 0, F_FA, 0xffffffffu, 32, 0, MS(5));
    ANN(a, "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
    a = fx_seg(&f, 0, F_PA, 0, 32, 5, MS(5)); /* new data past the FIN, across the wrap */
    ANN(a, "closing", "data", 0, 0, "client", "none", "FIN_WAIT_1", "CLOSE_WAIT",
        TL_ANN_DATA_AFTER_FIN, "none");
    a = fx_seg(&f, 1, F_A, 32, 0, 0, MS(6));
    ANN(a, "closing", "fin_active_ack", 0, 2, "server", "passive", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    /* An RST in the client's window across the wrap would be accepted: this one is not. */
    a = fx_seg(&f, 1, F_R, 31, 0, 0, MS(7));
    ANN(a, "closing", "rst", 0, 0, "server", "none", "FIN_WAIT_2", "CLOSE_WAIT", 0, "out_of_window");
    a = fx_seg(&f, 1, F_FA, 32, 0, 0, MS(8));
    ANN(a, "closing", "fin_passive", 0, 3, "server", "passive", "FIN_WAIT_2", "LAST_ACK", 0, "none");
    a = fx_seg(&f, 0, F_A, 0, 33, 0, MS(9));
    ANN(a, "closing", "last_ack", 0, 4, "client", "active", "TIME_WAIT", "CLOSED",
        TL_ANN_TIME_WAIT_START, "none");
    REFS(&f.c, 1, 2, 3, 6, 10, 11, 0);
    tl_summary_t s = fx_summary(&f, MS(9));
    /* Zeek counts the out-of-window RST too: the responder "sent a RST". */
    SUMMARY(&s, "complete", "four_way", "client", "TIME_WAIT", "CLOSED", "RSTR", "ShADdFarf");
}

TU_TEST(sequence_wraparound_rst_in_window)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, 0xfffffff0u, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, 0xfffffff8u, 0xfffffff1u, 0, MS(1));
    fx_seg(&f, 0, F_A, 0xfffffff1u, 0xfffffff9u, 0, MS(2));
    /* The client expects 0xfffffff9 with a 65535 window: 0x10 is inside it,
     * past the wrap, but not at RCV.NXT; the server's data then crosses the
     * wrap and its RST at SND.NXT (0x19) resets. */
    tl_annotation_t *a = fx_seg(&f, 1, F_R, 0x10, 0, 0, MS(3));
    ANN(a, "established", "rst", 0, 0, "server", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_RST_CHALLENGED, "out_of_window");
    fx_seg(&f, 1, F_PA, 0xfffffff9u, 0xfffffff1u, 0x20, MS(4));
    a = fx_seg(&f, 1, F_R, 0x19, 0, 0, MS(5));
    ANN(a, "reset", "rst", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "abort");
}

/* ---- new incarnations and TIME_WAIT reuse ---------------------------------------------- */

static void complete_close(fx_t *f)
{
    fx_establish(f);
    fx_seg(f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    fx_seg(f, 1, F_FA, SW_, CW_ + 1, 0, MS(2000));
    fx_seg(f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(2010)); /* client TIME_WAIT until 62.010 s */
}

TU_TEST(new_incarnation_detection)
{
    fx_t f;
    complete_close(&f);
    tl_segment_t seg = fx_make(&f, 0, F_SYN, 777777, 0, 0, MS(3000));
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(3000)); /* even with the old ISN */
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 1, F_SYN, 777777, 0, 0, MS(3000)); /* from the other side */
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(3000));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 1, F_SA, 777777, CI + 1, 0, MS(3000));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 0, TL_SYN | TL_RST, 777777, 0, 0, MS(3000));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));

    /* While open: a SYN is not a new incarnation. */
    fx_establish(&f);
    seg = fx_make(&f, 0, F_SYN, 777777, 0, 0, MS(100));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(100));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));

    /* After a reset. */
    fx_establish(&f);
    fx_seg(&f, 0, F_RA, CW_, SW_, 0, MS(100));
    seg = fx_make(&f, 0, F_SYN, 777777, 0, 0, MS(200));
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));

    /* After a refusal, with a new ISN or the same. */
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_RA, 0, CI + 1, 0, MS(1));
    seg = fx_make(&f, 0, F_SYN, 777777, 0, 0, MS(1000));
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(1000));
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));

    /* Unanswered SYN: its retransmission belongs to it, a new ISN does not. */
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    seg = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(1000));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));
    seg = fx_make(&f, 0, F_SYN, 777777, 0, 0, MS(1000));
    CHECK(tl_conn_is_new_incarnation(&f.c, &seg));
    /* ... but once the SYN-ACK came, a SYN with another ISN is not. */
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    CHECK(!tl_conn_is_new_incarnation(&f.c, &seg));
}

TU_TEST(time_wait_reuse_before_expiry)
{
    fx_t prev, next;
    complete_close(&prev);
    const tl_time_t expiry = MS(2010) + SEC(TIME_WAIT_S);
    fx_init(&next, 40000, 80);
    tl_segment_t syn = fx_make(&next, 0, F_SYN, 777777, 0, 0, expiry - SEC(30) - 123);
    CHECK(tl_conn_is_new_incarnation(&prev.c, &syn));
    tl_conn_link_previous(&next.c, &prev.c, &syn);
    tl_annotation_t *a = fx_seg(&next, 0, F_SYN, 777777, 0, 0, expiry - SEC(30) - 123);
    ANN(a, "handshake", "syn", 1, 0, "client", "none", "SYN_SENT", "LISTEN", TL_ANN_TIME_WAIT_REUSE, "none");
    CHECK_INT(tl_time_wait_remaining(&next.c), SEC(30) + 123);
    /* The previous incarnation's TIME_WAIT ended with the reuse. */
    tl_summary_t s = fx_summary(&prev, expiry - SEC(30));
    SUMMARY(&s, "complete", "four_way", "client", "CLOSED", "CLOSED", "SF", "ShADdFaf");
    /* Only the first packet carries the reuse. */
    a = fx_seg(&next, 1, F_SA, 888888, 777778, 0, expiry - SEC(29));
    ANN(a, "handshake", "syn_ack", 2, 0, "server", "none", "ESTABLISHED", "SYN_RECEIVED", 0, "none");
}

TU_TEST(time_wait_reuse_last_nanosecond)
{
    fx_t prev, next;
    complete_close(&prev);
    const tl_time_t expiry = MS(2010) + SEC(TIME_WAIT_S);
    fx_init(&next, 40000, 80);
    tl_segment_t syn = fx_make(&next, 0, F_SYN, 777777, 0, 0, expiry - 1);
    tl_conn_link_previous(&next.c, &prev.c, &syn);
    tl_annotation_t *a = fx_seg(&next, 0, F_SYN, 777777, 0, 0, expiry - 1);
    CHECK_INT(a->flags, TL_ANN_TIME_WAIT_REUSE);
    CHECK_INT(tl_time_wait_remaining(&next.c), 1);
}

TU_TEST(no_time_wait_reuse_after_expiry)
{
    fx_t prev, next;
    complete_close(&prev);
    const tl_time_t expiry = MS(2010) + SEC(TIME_WAIT_S);
    fx_init(&next, 40000, 80);
    tl_segment_t syn = fx_make(&next, 0, F_SYN, 777777, 0, 0, expiry);
    tl_conn_link_previous(&next.c, &prev.c, &syn);
    tl_annotation_t *a = fx_seg(&next, 0, F_SYN, 777777, 0, 0, expiry);
    ANN(a, "handshake", "syn", 1, 0, "client", "none", "SYN_SENT", "LISTEN", 0, "none");
    CHECK_INT(a->flags & TL_ANN_TIME_WAIT_REUSE, 0);
    CHECK_INT(next.c.reuse_remaining, -1);
    CHECK_INT(prev.c.ended_by_reuse, 0);
    tl_summary_t s = fx_summary(&prev, expiry - 1); /* as if the capture ended earlier */
    SUMMARY(&s, "complete", "four_way", "client", "TIME_WAIT", "CLOSED", "SF", "ShADdFaf");

    /* A first segment that is not a SYN is no reuse either. */
    fx_t prev2, next2;
    complete_close(&prev2);
    fx_init(&next2, 40000, 80);
    tl_segment_t ack = fx_make(&next2, 0, F_A, 1, 1, 0, MS(3000));
    tl_conn_link_previous(&next2.c, &prev2.c, &ack);
    CHECK_INT(next2.c.reuse_remaining, -1);
    CHECK_INT(prev2.c.ended_by_reuse, 0);
}

TU_TEST(time_wait_reuse_server_side_time_wait)
{
    /* The server closed first and is in TIME_WAIT; the client reconnects. */
    fx_t prev, next;
    fx_establish(&prev);
    fx_seg(&prev, 1, F_FA, SW_, CW_, 0, MS(1000));
    fx_seg(&prev, 0, F_FA, CW_, SW_ + 1, 0, MS(1010));
    fx_seg(&prev, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1020));
    fx_init(&next, 40000, 80);
    tl_segment_t syn = fx_make(&next, 0, F_SYN, 777777, 0, 0, MS(2020));
    CHECK(tl_conn_is_new_incarnation(&prev.c, &syn));
    tl_conn_link_previous(&next.c, &prev.c, &syn);
    tl_annotation_t *a = fx_seg(&next, 0, F_SYN, 777777, 0, 0, MS(2020));
    CHECK_INT(a->flags, TL_ANN_TIME_WAIT_REUSE);
    CHECK_INT(tl_time_wait_remaining(&next.c), SEC(TIME_WAIT_S) - SEC(1));
    tl_summary_t s = fx_summary(&prev, MS(2020));
    SUMMARY(&s, "complete", "three_way", "server", "CLOSED", "CLOSED", "SF", "ShADdfFa");
}

/* ---- data after FIN ------------------------------------------------------------------ */

TU_TEST(data_after_fin_only_from_fin_sender_past_fin)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000)); /* FIN octet 1101 */
    /* A retransmission of data sent before the FIN. */
    tl_annotation_t *a = fx_seg(&f, 0, F_PA, CI + 1, SW_, 100, MS(1001));
    ANN(a, "closing", "data", 0, 0, "client", "none", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
    /* The peer's data: fine. */
    a = fx_seg(&f, 1, F_PA, SW_, CW_ + 1, 10, MS(1002));
    ANN(a, "closing", "fin_active_ack", 0, 2, "server", "passive", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    /* New data from the FIN sender, past its FIN. */
    a = fx_seg(&f, 0, F_PA, CW_ + 1, SW_ + 10, 20, MS(1003));
    ANN(a, "closing", "data", 0, 0, "client", "none", "FIN_WAIT_2", "CLOSE_WAIT",
        TL_ANN_DATA_AFTER_FIN, "none");
    /* A FIN retransmission carrying its data is not data after FIN. */
    fx_t g;
    fx_establish(&g);
    fx_seg(&g, 0, F_FA | TL_PSH, CW_, SW_, 50, MS(1000)); /* data 1101..1150, FIN 1151 */
    a = fx_seg(&g, 0, F_FA | TL_PSH, CW_, SW_, 50, MS(1200));
    ANN(a, "closing", "fin_retransmission", 0, 0, "client", "none", "FIN_WAIT_1", "CLOSE_WAIT",
        TL_ANN_RETRANSMISSION, "none");
    a = fx_seg(&g, 0, F_PA, CW_, SW_, 50, MS(1300)); /* its data alone, again */
    ANN(a, "closing", "data", 0, 0, "client", "none", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
    a = fx_seg(&g, 1, F_A, SW_, CW_ + 51, 0, MS(1301));
    ANN(a, "closing", "fin_active_ack", 0, 2, "server", "passive", "FIN_WAIT_2", "CLOSE_WAIT", 0, "none");
    CHECK_INT(g.c.ep[0].fin_seq, CW_ + 50);
}

/* ---- summaries of the remaining outcomes ------------------------------------------------ */

TU_TEST(summary_of_fresh_connection)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    tl_summary_t s = fx_summary(&f, 0);
    CHECK(s.outcome < TL_OUTCOME_COUNT);
    CHECK(s.zeek_state != NULL);
    CHECK_STR(tl_state_name(s.state_client), "UNKNOWN");
    CHECK_STR(tl_state_name(s.state_server), "UNKNOWN");
    CHECK_INT(s.close_wait, -1);
    CHECK_STR(s.history, "");
}

/* A FIN retransmitted *before* its first ACK leaves fin_retx_pending set;
 * after a simultaneous close, the peer's plain duplicate ACK in TIME_WAIT is
 * then taken as the re-ACK of a retransmitted FIN and restarts TIME_WAIT.
 * RFC 9293: only a FIN arriving in TIME-WAIT restarts the 2 MSL timer. */
TU_TEST(stale_fin_retransmission_does_not_restart_time_wait)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1200));      /* FIN retransmitted, not yet acked */
    fx_seg(&f, 1, F_FA, SW_, CW_, 0, MS(1201));      /* crossing FIN */
    fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(1210)); /* server -> TIME_WAIT */
    tl_annotation_t *a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1220)); /* client -> TIME_WAIT */
    CHECK_INT(a->flags, TL_ANN_TIME_WAIT_START);
    tl_time_t server_expiry = f.c.ep[1].time_wait_expiry;
    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(5000)); /* plain duplicate */
    ANN(a, "closed", "after_close", 0, 0, "server", "none", "TIME_WAIT", "TIME_WAIT", 0, "none");
    CHECK_INT(f.c.ep[1].time_wait_expiry, server_expiry);
}

/* ---- regressions: core bugs these tests found, now fixed ------------------------------- */


/* P1. SYN-ACK captured before its SYN (reordering at the capture point): the
 * late SYN is the one the SYN-ACK answers (seq + 1 == SYN-ACK's ack), not a
 * crossing SYN of a simultaneous open; the third ACK must still complete the
 * handshake. */
TU_TEST(regression_late_syn_after_syn_ack_is_not_simultaneous_open)
{
    fx_t f;
    fx_init(&f, 80, 40000);
    fx_seg(&f, 0, F_SA, SI, CI + 1, 0, MS(0));
    tl_annotation_t *a = fx_seg(&f, 1, F_SYN, CI, 0, 0, MS(1));
    CHECK_INT(a->flags & TL_ANN_SIMULTANEOUS_OPEN, 0);
    CHECK_INT(f.c.simultaneous_open, 0);
    CHECK_STR(tl_step_name(a->step), "syn");
    a = fx_seg(&f, 1, F_A, CI + 1, SI + 1, 0, MS(2));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.c.handshake_complete, 1);
    tl_summary_t s = fx_summary(&f, MS(2));
    CHECK_STR(tl_outcome_name(s.outcome), "open");
}

/* P2. SYN-ACK not captured: the client's ACK completes the handshake (it does),
 * but the server is left in LISTEN for the rest of the connection, and the
 * SYN keeps its "SYN unanswered" verdict although the ACK proves an answer. */
TU_TEST(regression_missing_syn_ack_server_established)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    ANN(a, "handshake", "handshake_ack", 3, 0, "client", "none", "ESTABLISHED", "ESTABLISHED",
        TL_ANN_HANDSHAKE_COMPLETE, "none");
    CHECK_INT(f.ann[1].lookahead, 0);
    a = fx_seg(&f, 0, F_FA, CI + 1, SI + 1, 0, MS(30));
    ANN(a, "closing", "fin_active", 0, 1, "client", "active", "FIN_WAIT_1", "CLOSE_WAIT", 0, "none");
}

/* P3. Third ACK lost before the capture point and the server speaks first
 * (SMTP/SSH/FTP banner): the client's next ACK acknowledges the server's SYN
 * and its data (ack > ISN + 1). RFC 9293 3.10.7.4 (SYN-RECEIVED): an ACK with
 * SND.UNA < SEG.ACK =< SND.NXT moves to ESTABLISHED. The core requires
 * ack == ISN + 1 exactly, so the handshake never completes. */
TU_TEST(regression_third_ack_lost_server_speaks_first)
{
    fx_t f;
    fx_init(&f, 40000, 25);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    fx_seg(&f, 1, F_PA, SI + 1, CI + 1, 50, MS(30)); /* 220 banner */
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI + 51, 0, MS(40));
    CHECK_INT(f.c.handshake_complete, 1);
    CHECK_STR(tl_state_name(a->state_client), "ESTABLISHED");
    CHECK_STR(tl_state_name(a->state_server), "ESTABLISHED");
    CHECK_INT(f.ann[2].lookahead, 0);
    fx_seg(&f, 0, F_FA, CI + 1, SI + 51, 0, MS(50));
    fx_seg(&f, 1, F_FA, SI + 51, CI + 2, 0, MS(60));
    fx_seg(&f, 0, F_A, CI + 2, SI + 52, 0, MS(70));
    tl_summary_t s = fx_summary(&f, MS(70));
    SUMMARY(&s, "complete", "three_way", "client", "TIME_WAIT", "CLOSED", NULL, NULL);
}

/* P5. `from` is documented as 0/1 and tl_conn_process masks it (from & 1), but
 * assign_roles() and tl_conn_is_new_incarnation() index ep[seg->from] unmasked:
 * a first segment with from = 3 writes outside ep[2] and sets client = 3. */
TU_TEST(regression_from_out_of_range_is_masked)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    tl_segment_t s = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(0));
    s.from = 3;
    tl_conn_process(&f.c, &s, &f.ann[1]);
    CHECK(f.c.client <= 1);
    CHECK_INT(f.c.config.time_wait, SEC(TIME_WAIT_S));
}

/* P6. Simultaneous close: when the second FIN is acknowledged, only its
 * sender (the client here) enters TIME_WAIT. The core also calls
 * start_time_wait() for the ACK's sender, already in TIME_WAIT since the
 * previous packet: the server's TIME_WAIT is restarted (its expiry moves from
 * 1.010 s + 60 s to 1.020 s + 60 s) and the annotation's tw_role names the
 * server instead of the client. */
TU_TEST(regression_simultaneous_close_second_time_wait)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_FA, SW_, CW_, 0, MS(1001));
    fx_seg(&f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(1010)); /* server -> TIME_WAIT */
    tl_annotation_t *a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(1020)); /* client -> TIME_WAIT */
    CHECK_INT(a->flags, TL_ANN_TIME_WAIT_START);
    CHECK_INT(a->tw_role, TL_ROLE_CLIENT);
    CHECK_INT(f.c.ep[tl_conn_endpoint_of(&f.c, (tl_role_t)a->tw_role)].time_wait_expiry, MS(1020) + SEC(TIME_WAIT_S));
    CHECK_INT(f.c.ep[1].time_wait_expiry, MS(1010) + SEC(TIME_WAIT_S));
    tl_summary_t s = fx_summary(&f, MS(1010) + SEC(TIME_WAIT_S));
    SUMMARY(&s, "complete", "simultaneous", "both", "TIME_WAIT", "CLOSED", "SF", "ShADdFfa");
}

/* P7. After an accepted RST both endpoints are CLOSED for good; FINs that
 * follow (an RST injected by a middlebox, FINs already in flight) must not
 * bring an endpoint back: the crossing-FIN branch of process_fin() sets
 * s->state = FIN_WAIT_1 directly, bypassing the table. */
TU_TEST(regression_fins_after_reset_do_not_reopen)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_RA, CW_, SW_, 0, MS(100));
    tl_annotation_t *a = fx_seg(&f, 1, F_FA, SW_, CW_, 0, MS(101));
    CHECK_STR(tl_state_name(a->state_client), "CLOSED");
    CHECK_STR(tl_state_name(a->state_server), "CLOSED");
    a = fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(102));
    CHECK_STR(tl_state_name(a->state_client), "CLOSED");
    CHECK_STR(tl_state_name(a->state_server), "CLOSED");
    a = fx_seg(&f, 1, F_A, SW_ + 1, CW_ + 1, 0, MS(103));
    CHECK_STR(tl_state_name(a->state_client), "CLOSED");
    CHECK_STR(tl_state_name(a->state_server), "CLOSED");
    CHECK_INT(a->flags & TL_ANN_TIME_WAIT_START, 0);
    CHECK_STR(tl_state_name(f.ann[8].state_client), "CLOSED"); /* not revised to FIN_WAIT_1 */
    CHECK_STR(tl_state_name(f.ann[8].state_server), "CLOSED");
}

/* P8. An ACK of a FIN seen after the connection is over gets step
 * after_close but keeps close_step 2 and closer "passive" (process_ack sets
 * them, tl_conn_process then overrides only the step). */
TU_TEST(regression_after_close_has_no_close_step)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(&f, 1, F_RA, SW_, CW_, 0, MS(1001));
    tl_annotation_t *a = fx_seg(&f, 1, F_A, SW_, CW_ + 1, 0, MS(1002));
    ANN(a, "closed", "after_close", 0, 0, "server", "none", "CLOSED", "CLOSED", 0, "none");
}

/* P9. A handshake aborted by an RST is over: a later ACK of the SYN-ACK must
 * not complete it (the core sets handshake_complete, handshake_step 3, the
 * HANDSHAKE_COMPLETE flag and ref.handshake_ack on an after_close packet). */
TU_TEST(regression_no_handshake_completion_after_reset)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    fx_seg(&f, 1, F_R, SI + 1, 0, 0, MS(20));
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(30));
    ANN(a, "closed", "after_close", 0, 0, "client", "none", "CLOSED", "CLOSED", 0, "none");
    CHECK_INT(f.c.handshake_complete, 0);
    REFS(&f.c, 1, 2, 0, 0, 0, 0, 3);
}

/* P10. SPEC: active_closer is "none" when the handshake never completed. A
 * simultaneous open that never completes, then crossing FINs: the core says
 * "both" (the crossing-FIN branch sets it without mark_active_closer's test). */
TU_TEST(regression_no_active_closer_without_handshake)
{
    fx_t f;
    fx_init(&f, 5001, 5002);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SYN, SI, 0, 0, MS(1));
    fx_seg(&f, 1, F_FA, SI + 1, CI + 1, 0, MS(2));
    fx_seg(&f, 0, F_FA, CI + 1, SI + 1, 0, MS(3));
    tl_summary_t s = fx_summary(&f, MS(3));
    CHECK_STR(tl_active_closer_name(s.active_closer), "none");
}


/* ---- handshake facts (plugin/handshake_facts.c) ------------------------------ */

static void facts_seg(fx_t *f, tl_handshake_facts_t *h, int from, uint8_t flags, uint32_t seq,
                      uint32_t ack, uint32_t len, tl_time_t time, const uint8_t *opt, uint8_t optlen)
{
    tl_segment_t seg = fx_make(f, from, flags, seq, ack, len, time);
    seg.options = opt;
    seg.options_len = optlen;
    tl_annotation_t *a = fx_seg(f, from, flags, seq, ack, len, time);
    tl_handshake_facts_update(h, &f->c, &seg, a);
}

TU_TEST(handshake_facts_tries_wait_and_fast_open)
{
    static const uint8_t request[] = { 34, 2, 1, 1 };                     /* cookie request */
    static const uint8_t cookie[] = { 34, 10, 1, 2, 3, 4, 5, 6, 7, 8 };    /* 8-byte cookie */
    static const uint8_t exp_cookie[] = { 254, 8, 0xF9, 0x89, 9, 8, 7, 6 }; /* experimental */
    fx_t f;
    tl_handshake_facts_t h;
    fx_init(&f, 40000, 80);
    tl_handshake_facts_init(&h);
    facts_seg(&f, &h, 0, F_SYN, CI, 0, 0, MS(0), request, sizeof request);
    facts_seg(&f, &h, 0, F_SYN, CI, 0, 0, MS(1000), request, sizeof request);
    CHECK_INT(h.syns, 2);
    CHECK_INT(h.answer, TL_SYN_ANSWER_NONE);
    CHECK_INT(tl_handshake_syn_wait(&h), SEC(1));
    facts_seg(&f, &h, 1, F_SA, SI, CI + 1, 0, MS(1010), cookie, sizeof cookie);
    facts_seg(&f, &h, 1, F_SA, SI, CI + 1, 0, MS(2010), cookie, sizeof cookie);
    CHECK_INT(h.syn_acks, 2);
    CHECK_STR(tl_syn_answer_name(h.answer), "syn_ack");
    CHECK_INT(tl_handshake_syn_wait(&h), MS(1010) - MS(0));
    CHECK(h.tfo_cookie_request);
    CHECK_INT(h.tfo_cookie_len, 8);
    CHECK_INT(h.tfo_cookie[7], 8);
    CHECK_INT(h.tfo_data, TL_TFO_DATA_NONE);
    CHECK(!h.syn_cookie);

    /* Data in the SYN with the experimental option, acknowledged by the SYN-ACK. */
    fx_init(&f, 40001, 80);
    tl_handshake_facts_init(&h);
    facts_seg(&f, &h, 0, F_SYN, CI, 0, 100, MS(0), exp_cookie, sizeof exp_cookie);
    CHECK_STR(tl_tfo_data_name(h.tfo_data), "unanswered");
    CHECK(h.tfo_experimental);
    CHECK_INT(h.tfo_cookie_len, 4);
    facts_seg(&f, &h, 1, F_SA, SI, CI + 101, 0, MS(10), NULL, 0);
    CHECK_STR(tl_tfo_data_name(h.tfo_data), "accepted");
    CHECK_INT(h.syn_data_len, 100);
    /* Only the SYN acknowledged: not accepted. */
    fx_init(&f, 40002, 80);
    tl_handshake_facts_init(&h);
    facts_seg(&f, &h, 0, F_SYN, CI, 0, 100, MS(0), cookie, sizeof cookie);
    facts_seg(&f, &h, 1, F_SA, SI, CI + 1, 0, MS(10), NULL, 0);
    CHECK_STR(tl_tfo_data_name(h.tfo_data), "not_accepted");
    /* Refused: the RST is the answer. */
    fx_init(&f, 40003, 80);
    tl_handshake_facts_init(&h);
    facts_seg(&f, &h, 0, F_SYN, CI, 0, 0, MS(0), NULL, 0);
    facts_seg(&f, &h, 1, F_RA, 0, CI + 1, 0, MS(3), NULL, 0);
    CHECK_STR(tl_syn_answer_name(h.answer), "rst");
    CHECK_INT(tl_handshake_syn_wait(&h), MS(3) - MS(0));
}

/* A SYN cookie: the server's next timestamp runs 59 ms ahead of the SYN-ACK's
 * in 1 ms of real time (captures/syncookies); a normal SYN-ACK does not. */
TU_TEST(handshake_facts_syn_cookie_from_timestamp_lag)
{
    static const uint8_t ts_synack[] = { 1, 1, 8, 10, 0, 0, 0x10, 0x00, 0, 0, 0, 1 };  /* 4096 */
    static const uint8_t ts_later[] = { 1, 1, 8, 10, 0, 0, 0x10, 0x3c, 0, 0, 0, 2 };   /* 4156 */
    static const uint8_t ts_normal[] = { 1, 1, 8, 10, 0, 0, 0x10, 0x01, 0, 0, 0, 2 };  /* 4097 */
    for (int cookie = 0; cookie < 2; cookie++) {
        fx_t f;
        tl_handshake_facts_t h;
        fx_init(&f, 40000, 80);
        tl_handshake_facts_init(&h);
        facts_seg(&f, &h, 0, F_SYN, CI, 0, 0, MS(0), NULL, 0);
        facts_seg(&f, &h, 1, F_SA, SI, CI + 1, 0, MS(0) + 50000, ts_synack, sizeof ts_synack);
        facts_seg(&f, &h, 0, F_A, CI + 1, SI + 1, 0, MS(0) + 90000, NULL, 0);
        facts_seg(&f, &h, 1, F_PA, SI + 1, CI + 1, 10, MS(1), cookie ? ts_later : ts_normal,
                  sizeof ts_later);
        CHECK_INT(h.syn_cookie, cookie);
        if (cookie) {
            CHECK_INT(h.syn_cookie_lag_ms, 60);
            CHECK_INT(h.syn_cookie_frame, 4);
        }
    }
}

/* RFC 9293 3.10.7.4: in SYN_RECEIVED an ACK is acceptable only if
 * SND.UNA < SEG.ACK =< SND.NXT; SEG.ACK == ISS does not cover the SYN. */
static void boundary_ack_equal_to_iss_is_not_the_third_ack(void)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    tl_annotation_t *a = fx_seg(&f, 0, F_A, CI + 1, SI, 0, MS(20));
    CHECK(strcmp(tl_step_name(a->step), "handshake_ack") != 0);
    CHECK_INT(a->state_server, TL_STATE_SYN_RECEIVED);
    CHECK_INT(f.c.ref[TL_REF_HANDSHAKE_ACK], 0);
    /* SEG.ACK == ISS + 1 is the third ACK */
    a = fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(25));
    CHECK_INT(a->state_server, TL_STATE_ESTABLISHED);
    CHECK_INT(f.c.ref[TL_REF_HANDSHAKE_ACK], 4);
}

static const tu_test_t tests[] = {
    TU_ENTRY(names_match_spec),
    TU_ENTRY(normal_connection_every_transition),
    TU_ENTRY(time_wait_ends_on_later_packet),
    TU_ENTRY(merged_fin_ack_three_way_close),
    TU_ENTRY(server_closes_first),
    TU_ENTRY(half_close_with_data_from_passive_side),
    TU_ENTRY(close_wait_warn_threshold),
    TU_ENTRY(simultaneous_close),
    TU_ENTRY(simultaneous_open),
    TU_ENTRY(syn_retransmission_and_unanswered),
    TU_ENTRY(syn_ack_retransmission),
    TU_ENTRY(third_ack_ignored_syn_ack_retransmitted),
    TU_ENTRY(third_ack_ignored_then_data_completes),
    TU_ENTRY(third_ack_refused_by_rst_is_handshake_abort),
    TU_ENTRY(rst_ack_after_third_ack_is_abort),
    TU_ENTRY(fast_open_syn_ack_acknowledges_syn_data),
    TU_ENTRY(fast_open_syn_refused),
    TU_ENTRY(keepalive_and_zero_window_probes),
    TU_ENTRY(handshake_facts_tries_wait_and_fast_open),
    TU_ENTRY(handshake_facts_syn_cookie_from_timestamp_lag),
    TU_ENTRY(lost_third_ack_data_completes_handshake),
    TU_ENTRY(half_open_lookahead),
    TU_ENTRY(syn_unanswered_cleared_by_rst),
    TU_ENTRY(syn_ack_before_syn_roles),
    TU_ENTRY(syn_ack_first_then_third_ack_completes),
    TU_ENTRY(rst_refused),
    TU_ENTRY(rst_refused_after_syn_retransmission),
    TU_ENTRY(rst_in_syn_sent_needs_the_right_ack),
    TU_ENTRY(rst_handshake_abort_by_client),
    TU_ENTRY(rst_handshake_abort_by_server),
    TU_ENTRY(rst_abort_established),
    TU_ENTRY(rst_abort_by_server_zeek_rstr),
    TU_ENTRY(rst_after_fin),
    TU_ENTRY(rst_out_of_window_changes_nothing),
    TU_ENTRY(rst_at_snd_nxt_resets_with_data_in_flight),
    TU_ENTRY(rst_midstream),
    TU_ENTRY(fin_retransmission_before_ack),
    TU_ENTRY(fin_retransmission_reack_restarts_time_wait),
    TU_ENTRY(duplicate_acks),
    TU_ENTRY(midstream_lower_port_is_server),
    TU_ENTRY(midstream_port_tie_first_sender_is_client),
    TU_ENTRY(midstream_closed_by_fins),
    TU_ENTRY(sequence_wraparound),
    TU_ENTRY(sequence_wraparound_rst_in_window),
    TU_ENTRY(new_incarnation_detection),
    TU_ENTRY(time_wait_reuse_before_expiry),
    TU_ENTRY(time_wait_reuse_last_nanosecond),
    TU_ENTRY(no_time_wait_reuse_after_expiry),
    TU_ENTRY(time_wait_reuse_server_side_time_wait),
    TU_ENTRY(data_after_fin_only_from_fin_sender_past_fin),
    TU_ENTRY(summary_of_fresh_connection),
    TU_ENTRY(stale_fin_retransmission_does_not_restart_time_wait),
    TU_ENTRY(regression_late_syn_after_syn_ack_is_not_simultaneous_open),
    TU_ENTRY(regression_missing_syn_ack_server_established),
    TU_ENTRY(regression_third_ack_lost_server_speaks_first),
    TU_ENTRY(regression_from_out_of_range_is_masked),
    TU_ENTRY(regression_simultaneous_close_second_time_wait),
    TU_ENTRY(regression_fins_after_reset_do_not_reopen),
    TU_ENTRY(regression_after_close_has_no_close_step),
    TU_ENTRY(regression_no_handshake_completion_after_reset),
    TU_ENTRY(regression_no_active_closer_without_handshake),
    TU_ENTRY(boundary_ack_equal_to_iss_is_not_the_third_ack),
};

int main(int argc, char **argv)
{
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

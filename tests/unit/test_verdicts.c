/* test_verdicts.c - when a connection's verdict is final in single pass
 * (tl_summary_t.settled, SPEC "Pending is not a verdict"), and the pending
 * spellings. Each case feeds a connection and checks `settled` after the
 * packets that could, or could not, still be contradicted by later ones.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fixture.h"

#define CW_ (CI + 101) /* client's next seq after fx_establish */
#define SW_ (SI + 201) /* server's next seq after fx_establish */

static bool settled(const fx_t *f, tl_time_t capture_end)
{
    return fx_summary(f, capture_end).settled;
}

TU_TEST(refused_is_final_at_the_rst)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    CHECK(!settled(&f, MS(0))); /* the SYN-ACK may be the next packet */
    fx_seg(&f, 1, F_RA, 0, CI + 1, 0, MS(1));
    tl_summary_t s = fx_summary(&f, MS(1));
    SUMMARY(&s, "refused", "rst", "none", "CLOSED", "CLOSED", "REJ", "Sr");
    CHECK(s.settled);
    fx_seg(&f, 1, F_RA, 0, CI + 1, 0, MS(2)); /* a second RST changes nothing */
    CHECK(settled(&f, MS(2)));
}

TU_TEST(nothing_is_final_while_the_connection_is_open)
{
    fx_t f;
    fx_init(&f, 40000, 80);
    fx_seg(&f, 0, F_SYN, CI, 0, 0, MS(0));
    fx_seg(&f, 1, F_SA, SI, CI + 1, 0, MS(10));
    CHECK(!settled(&f, MS(10)));
    fx_seg(&f, 0, F_A, CI + 1, SI + 1, 0, MS(20));
    CHECK(!settled(&f, MS(20)));
    fx_seg(&f, 0, F_FA, CI + 1, SI + 1, 0, MS(30));
    CHECK(!settled(&f, MS(30))); /* half closed so far */
}

TU_TEST(reset_is_final_once_both_have_spoken)
{
    fx_t f;
    fx_establish(&f);
    fx_seg(&f, 1, F_RA, SW_, CW_, 0, MS(100));
    tl_summary_t s = fx_summary(&f, MS(100));
    CHECK_STR(tl_outcome_name(s.outcome), "reset");
    CHECK(s.settled);

    /* Mid-stream: an RST is the first packet, the peer has said nothing yet
     * (its first packet would change Zeek's conn_state). */
    fx_init(&f, 40000, 80);
    fx_seg(&f, 1, F_R, SI, 0, 0, MS(0));
    CHECK(!settled(&f, MS(0)));
}

/* Client closes first, four segments; its last ACK at 1.030 s. */
static void four_way_close(fx_t *f)
{
    fx_establish(f);
    fx_seg(f, 0, F_FA, CW_, SW_, 0, MS(1000));
    fx_seg(f, 1, F_A, SW_, CW_ + 1, 0, MS(1010));
    fx_seg(f, 1, F_FA, SW_, CW_ + 1, 0, MS(1020));
    fx_seg(f, 0, F_A, CW_ + 1, SW_ + 1, 0, MS(1030));
}

TU_TEST(complete_waits_for_time_wait_and_the_last_ack)
{
    fx_t f;
    four_way_close(&f);
    tl_summary_t s = fx_summary(&f, MS(1030));
    CHECK_STR(tl_outcome_name(s.outcome), "complete");
    /* The server could still repeat its FIN (the last ACK lost), and the
     * client's end state depends on when the capture ends. */
    CHECK(!s.settled);
    CHECK(!settled(&f, MS(1030) + SEC(TIME_WAIT_S)));

    /* The repeated FIN, in TIME_WAIT: outcome half_closed until re-acknowledged. */
    fx_seg(&f, 1, F_FA, SW_, CW_ + 1, 0, MS(1300));
    s = fx_summary(&f, MS(1300));
    CHECK_STR(tl_outcome_name(s.outcome), "half_closed");
    CHECK(!s.settled);
}

TU_TEST(complete_is_final_once_nothing_can_reopen_it)
{
    fx_t f;
    four_way_close(&f);
    CHECK(!settled(&f, MS(1030) + SEC(TIME_WAIT_S))); /* the server may repeat its FIN */
    /* The server acts as CLOSED (an RST, which also ends the client's
     * TIME_WAIT as RFC 1337 describes): it got the last ACK. */
    fx_seg(&f, 1, F_R, SW_ + 1, 0, 0, MS(1040));
    tl_summary_t s = fx_summary(&f, MS(1040));
    SUMMARY(&s, "complete", "four_way", "client", "CLOSED", "CLOSED", "SF", "ShADdFafr");
    CHECK(s.settled);
}

TU_TEST(pending_spellings)
{
    CHECK_STR(tl_outcome_pending_name(TL_OUTCOME_COMPLETE), "pending_complete");
    CHECK_STR(tl_outcome_pending_name(TL_OUTCOME_SYN_UNANSWERED), "pending_syn_unanswered");
    CHECK_STR(tl_outcome_pending_name(TL_OUTCOME_MIDSTREAM_OPEN), "pending_midstream_open");
    CHECK_STR(tl_close_style_pending_name(TL_CLOSE_STYLE_NONE), "pending_none");
    CHECK_STR(tl_active_closer_pending_name(TL_ACTIVE_CLOSER_BOTH), "pending_both");
    CHECK_STR(tl_state_pending_name(TL_STATE_TIME_WAIT), "pending_TIME_WAIT");
    CHECK_STR(tl_zeek_state_pending_name("RSTOS0"), "pending_RSTOS0");
    CHECK_STR(tl_zeek_state_pending_name("OTH"), "pending_OTH");
    for (unsigned i = 0; i < TL_OUTCOME_COUNT; i++) {
        const char *p = tl_outcome_pending_name(i);
        CHECK(strncmp(p, "pending_", 8) == 0 && strcmp(p + 8, tl_outcome_name(i)) == 0);
    }
    for (unsigned i = 0; i < TL_STATE_COUNT; i++)
        CHECK(strcmp(tl_state_pending_name(i) + 8, tl_state_name(i)) == 0);
    for (unsigned i = 0; i < TL_CLOSE_STYLE_COUNT; i++)
        CHECK(strcmp(tl_close_style_pending_name(i) + 8, tl_close_style_name(i)) == 0);
    for (unsigned i = 0; i < TL_ACTIVE_CLOSER_COUNT; i++)
        CHECK(strcmp(tl_active_closer_pending_name(i) + 8, tl_active_closer_name(i)) == 0);
}

static const tu_test_t tests[] = {
    TU_ENTRY(refused_is_final_at_the_rst),
    TU_ENTRY(nothing_is_final_while_the_connection_is_open),
    TU_ENTRY(reset_is_final_once_both_have_spoken),
    TU_ENTRY(complete_waits_for_time_wait_and_the_last_ack),
    TU_ENTRY(complete_is_final_once_nothing_can_reopen_it),
    TU_ENTRY(pending_spellings),
};

int main(int argc, char **argv)
{
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

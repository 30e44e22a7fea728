/* test_mutation_holes.c - focused checks for mutants of tests/mutation/ that
 * survived the rest of the suite although they change what tcplife reports.
 * Each test names the mutant it kills; the expectations come from the RFCs,
 * not from today's output.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_facts.h"
#include "fixture.h"
#include "harness.h"
#include "lifecycle_names.h"
#include "rst_evidence.h"
#include "tcp_options.h"

/* op01: RFC 7323 2.3: a shift above 14 "MUST" be used as 14. */
TU_TEST(wscale_above_14_is_used_as_14)
{
    const uint8_t opt15[] = { 3, 3, 15 };
    const uint8_t opt14[] = { 1, 3, 3, 14 };
    const uint8_t opt255[] = { 3, 3, 255, 0 };
    tl_tcp_options_t o;
    tl_tcp_options_parse(opt15, sizeof opt15, &o);
    CHECK(o.present & TL_OPT_WSCALE);
    CHECK_INT(o.wscale, 14);
    tl_tcp_options_parse(opt14, sizeof opt14, &o);
    CHECK_INT(o.wscale, 14);
    tl_tcp_options_parse(opt255, sizeof opt255, &o);
    CHECK(o.present & TL_OPT_WSCALE);
    CHECK(!(o.present & TL_OPT_MALFORMED));
    CHECK_INT(o.wscale, 14);
    /* the fact a SYN reports is the shift in use */
    tl_facts_endpoint_t e = { 0 };
    tl_facts_parse_syn_options(&e, opt15, sizeof opt15);
    CHECK(e.options & TL_FACT_WSCALE);
    CHECK_INT(e.wscale, 14);
}

/* cf03: RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR, an ECN-setup
 * SYN-ACK has ECE and *not* CWR; a SYN-ACK with both is not one. */
/* Feed one segment built by fx_make (it does not advance f->n) and its facts. */
static void feed_with_facts(fx_t *f, tl_facts_t *facts, const tl_segment_t *s)
{
    tl_annotation_t *a = &f->ann[++f->n];
    tl_conn_process(&f->c, s, a);
    tl_facts_process(facts, &f->c, s, a);
}

static unsigned ecn_fact(uint8_t flags)
{
    fx_t f;
    tl_facts_t facts;
    fx_init(&f, 40000, 80);
    memset(&facts, 0, sizeof facts);
    tl_segment_t syn = fx_make(&f, 0, F_SYN, CI, 0, 0, MS(0));
    syn.tcp_flags = TL_SYN | TL_FLAG_ECE | TL_FLAG_CWR;
    feed_with_facts(&f, &facts, &syn);
    tl_segment_t syn_ack = fx_make(&f, 1, F_SA, SI, CI + 1, 0, MS(1));
    syn_ack.tcp_flags = (uint8_t)(TL_SYN | TL_ACK | flags);
    feed_with_facts(&f, &facts, &syn_ack);
    CHECK(facts.ep[0].options & TL_FACT_ECN_SETUP); /* the SYN with ECE and CWR */
    return facts.ep[1].options & TL_FACT_ECN_SETUP;
}

TU_TEST(ecn_setup_syn_ack_is_ece_without_cwr)
{
    CHECK(ecn_fact(TL_FLAG_ECE));
    CHECK(!ecn_fact(TL_FLAG_ECE | TL_FLAG_CWR));
    CHECK(!ecn_fact(TL_FLAG_CWR));
    CHECK(!ecn_fact(0));
}

/* re01: an RST that repeats its sender's last IPv4 ID (gap 0) is not the next
 * packet of a stack whose IDs run in sequence: a real stack's next ID is a
 * step of at least one. */
static tl_segment_t ipv4_segment(uint8_t flags, uint16_t ip_id, int n)
{
    tl_segment_t s = { 0 };
    s.from = 1;
    s.flags = flags;
    s.ip_version = 4;
    s.ip_ttl = 63;
    s.ip_id = ip_id;
    s.time = (tl_time_t)n * 1000000;
    return s;
}

static tl_rst_evidence_t rst_after_ids(const uint16_t *ids, int n, uint16_t rst_id)
{
    tl_rst_track_t t;
    tl_rst_evidence_t ev;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < n; i++) {
        tl_segment_t s = ipv4_segment(TL_ACK, ids[i], i + 1);
        tl_rst_observe(&t, &s, NULL);
    }
    tl_segment_t rst = ipv4_segment(TL_RST, rst_id, n + 1);
    tl_rst_observe(&t, &rst, &ev);
    return ev;
}

TU_TEST(rst_repeating_the_last_ip_id_is_a_mismatch)
{
    const uint16_t ids[] = { 7, 8, 9, 10 };
    tl_rst_evidence_t ev = rst_after_ids(ids, 4, 11);
    CHECK(ev.flags & TL_RSTEV_ID_SEQUENTIAL);
    CHECK_INT(ev.ip_id_gap, 1);
    CHECK(!(ev.flags & TL_RSTEV_ID_MISMATCH));
    ev = rst_after_ids(ids, 4, 10);
    CHECK(ev.flags & TL_RSTEV_ID_SEQUENTIAL);
    CHECK_INT(ev.ip_id_gap, 0);
    CHECK(ev.flags & TL_RSTEV_ID_MISMATCH);
    ev = rst_after_ids(ids, 4, 9);
    CHECK_INT(ev.ip_id_gap, -1);
    CHECK(ev.flags & TL_RSTEV_ID_MISMATCH);
}

/* nm04: a pending Zeek code names the code so far (SPEC "Pending is not a
 * verdict"): pending_S0 for S0, never another code's name. */
TU_TEST(pending_zeek_state_names_its_own_code)
{
    static const char *const codes[] = { "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO",
                                         "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH" };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "pending_%s", codes[i]);
        CHECK_STR(tl_zeek_state_pending_name(codes[i]), want);
    }
}

int main(int argc, char **argv)
{
    static const tu_test_t tests[] = {
        TU_ENTRY(wscale_above_14_is_used_as_14),
        TU_ENTRY(ecn_setup_syn_ack_is_ece_without_cwr),
        TU_ENTRY(rst_repeating_the_last_ip_id_is_a_mismatch),
        TU_ENTRY(pending_zeek_state_names_its_own_code),
    };
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

/* test_mutation_holes.c - focused checks for mutants of tests/mutation/ that
 * survived the rest of the suite although they change what tcplife reports.
 * Each test names the mutant it kills; the expectations come from the RFCs,
 * not from today's output.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_facts.h"
#include "harness.h"
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
static unsigned ecn_fact(uint8_t flags)
{
    tl_config_t cfg = { 60 * TL_NS_PER_SEC, 5 * TL_NS_PER_SEC };
    tl_conn_t conn;
    tl_facts_t facts;
    tl_annotation_t ann[2];
    tl_conn_init(&conn, &cfg);
    memset(&facts, 0, sizeof facts);
    memset(ann, 0, sizeof ann);
    tl_segment_t syn = { 0 }, syn_ack = { 0 };
    syn.from = 0;
    syn.flags = TL_SYN;
    syn.tcp_flags = TL_SYN | TL_FLAG_ECE | TL_FLAG_CWR;
    syn.src_port = 40000;
    syn.dst_port = 80;
    syn.seq = 1000;
    syn.window = 64240;
    syn.frame = 1;
    syn.time = 1;
    tl_conn_process(&conn, &syn, &ann[0]);
    tl_facts_process(&facts, &conn, &syn, &ann[0]);
    syn_ack.from = 1;
    syn_ack.flags = TL_SYN | TL_ACK;
    syn_ack.tcp_flags = (uint8_t)(TL_SYN | TL_ACK | flags);
    syn_ack.src_port = 80;
    syn_ack.dst_port = 40000;
    syn_ack.seq = 5000;
    syn_ack.ack = 1001;
    syn_ack.window = 65160;
    syn_ack.frame = 2;
    syn_ack.time = 2;
    tl_conn_process(&conn, &syn_ack, &ann[1]);
    tl_facts_process(&facts, &conn, &syn_ack, &ann[1]);
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
static tl_rst_evidence_t rst_after_ids(const uint16_t *ids, int n, uint16_t rst_id)
{
    tl_rst_track_t t;
    tl_rst_evidence_t ev;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < n; i++) {
        tl_segment_t s = { 0 };
        s.from = 1;
        s.flags = TL_ACK;
        s.ip_version = 4;
        s.ip_ttl = 63;
        s.ip_id = ids[i];
        s.time = (tl_time_t)(i + 1) * 1000000;
        tl_rst_observe(&t, &s, NULL);
    }
    tl_segment_t rst = { 0 };
    rst.from = 1;
    rst.flags = TL_RST;
    rst.ip_version = 4;
    rst.ip_ttl = 63;
    rst.ip_id = rst_id;
    rst.time = (tl_time_t)(n + 1) * 1000000;
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

int main(int argc, char **argv)
{
    static const tu_test_t tests[] = {
        TU_ENTRY(wscale_above_14_is_used_as_14),
        TU_ENTRY(ecn_setup_syn_ack_is_ece_without_cwr),
        TU_ENTRY(rst_repeating_the_last_ip_id_is_a_mismatch),
    };
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

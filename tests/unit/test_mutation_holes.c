/* test_mutation_holes.c - focused checks for mutants of tests/mutation/ that
 * survived the rest of the suite although they change what tcplife reports.
 * Each test names the mutant it kills; the expectations come from the RFCs,
 * not from today's output.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_facts.h"
#include "fixture.h"
#include "handshake_facts.h"
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

/* re03: two RSTs "cross" only when neither sender spoke after its own: an
 * RST in the server's name that the server talks over (spoofed), followed
 * 2 ms later by the client's RST, is not two aborts crossing. */
static tl_rst_evidence_t observe(tl_rst_track_t *t, int from, uint8_t flags, uint16_t ip_id, int ms,
                                 tl_rst_evidence_t *ev)
{
    tl_segment_t s = ipv4_segment(flags, ip_id, ms);
    s.from = (uint8_t)from;
    tl_rst_observe(t, &s, ev);
    return ev ? *ev : (tl_rst_evidence_t){ 0 };
}

TU_TEST(rst_talked_over_does_not_cross_a_later_one)
{
    tl_rst_track_t t;
    tl_rst_evidence_t ev_server, ev_client, ev_a, ev_b;
    memset(&t, 0, sizeof t);
    observe(&t, 0, TL_ACK, 100, 1, NULL);
    observe(&t, 1, TL_ACK, 500, 2, NULL);
    observe(&t, 1, TL_RST, 501, 3, &ev_server);
    observe(&t, 1, TL_ACK, 502, 4, NULL); /* the server goes on */
    observe(&t, 0, TL_RST, 101, 6, &ev_client);
    CHECK_INT(ev_server.later_packets, 1);
    CHECK(!(ev_client.flags & TL_RSTEV_BOTH_WAYS));
    CHECK(!(ev_server.flags & TL_RSTEV_BOTH_WAYS));
    /* the same two RSTs without the server's ACK between them do cross */
    memset(&t, 0, sizeof t);
    observe(&t, 0, TL_ACK, 100, 1, NULL);
    observe(&t, 1, TL_ACK, 500, 2, NULL);
    observe(&t, 1, TL_RST, 501, 3, &ev_a);
    observe(&t, 0, TL_RST, 101, 6, &ev_b);
    CHECK(ev_b.flags & TL_RSTEV_BOTH_WAYS);
    CHECK(ev_a.flags & TL_RSTEV_BOTH_WAYS);
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

/* cf02: a keepalive probe repeats the byte before the next one (seq =
 * SND.NXT - 1, RFC 9293 3.8.4); Windows sends it with one garbage byte,
 * Linux with none. Either is a probe, not a retransmission; a segment that
 * repeats data the receiver has not acknowledged is one. */
TU_TEST(one_byte_keepalive_is_not_a_retransmission)
{
    fx_t f;
    tl_facts_t facts;
    fx_init(&f, 40000, 80);
    memset(&facts, 0, sizeof facts);
    const tl_segment_t setup[] = {
        fx_make(&f, 0, F_SYN, CI, 0, 0, MS(0)),
        fx_make(&f, 1, F_SA, SI, CI + 1, 0, MS(1)),
        fx_make(&f, 0, F_A, CI + 1, SI + 1, 0, MS(2)),
        fx_make(&f, 0, F_PA, CI + 1, SI + 1, 100, MS(3)),
        fx_make(&f, 1, F_A, SI + 1, CI + 101, 0, MS(4)),
    };
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++)
        feed_with_facts(&f, &facts, &setup[i]);
    CHECK_INT(facts.ep[0].retransmissions, 0);
    /* two Windows keepalives, 45 s apart, each answered by a pure ACK */
    for (int k = 1; k <= 2; k++) {
        tl_segment_t probe = fx_make(&f, 0, F_A, CI + 100, SI + 1, 1, MS(45000 * k));
        feed_with_facts(&f, &facts, &probe);
        CHECK_STR(tl_step_name(f.ann[f.n].step), "keepalive");
        tl_segment_t answer = fx_make(&f, 1, F_A, SI + 1, CI + 101, 0, MS(45000 * k + 1));
        feed_with_facts(&f, &facts, &answer);
    }
    CHECK_INT(facts.ep[0].retransmissions, 0);
    CHECK_INT(facts.ep[0].packets, 5);
    CHECK_INT(facts.ep[0].bytes, 102);
    /* the same 100 bytes sent again: a retransmission */
    tl_segment_t again = fx_make(&f, 0, F_PA, CI + 1, SI + 1, 100, MS(100000));
    feed_with_facts(&f, &facts, &again);
    CHECK_INT(facts.ep[0].retransmissions, 1);
}

/* hf03: the SYN's answer is the first one: a SYN retransmitted while the
 * first was still on its way is refused twice (Linux answers each SYN to a
 * closed port with an RST-ACK); the wait ends at the first RST. */
TU_TEST(syn_refused_twice_waits_for_the_first_rst)
{
    fx_t f;
    tl_handshake_facts_t hs;
    fx_init(&f, 40000, 80);
    tl_handshake_facts_init(&hs);
    const tl_segment_t segs[] = {
        fx_make(&f, 0, F_SYN, CI, 0, 0, MS(0)),
        fx_make(&f, 0, F_SYN, CI, 0, 0, MS(1000)),
        fx_make(&f, 1, F_RA, 0, CI + 1, 0, MS(1200)),
        fx_make(&f, 1, F_RA, 0, CI + 1, 0, MS(1210)),
    };
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++) {
        tl_annotation_t *a = &f.ann[++f.n];
        tl_conn_process(&f.c, &segs[i], a);
        tl_handshake_facts_update(&hs, &f.c, &segs[i], a);
    }
    CHECK_STR(tl_rst_kind_name(f.ann[3].rst_kind), "refused");
    CHECK_STR(tl_rst_kind_name(f.ann[4].rst_kind), "refused");
    CHECK_INT(hs.syns, 2);
    CHECK_STR(tl_syn_answer_name(hs.answer), "rst");
    CHECK_INT(tl_handshake_syn_wait(&hs), SEC(1) + 200 * INT64_C(1000000));
}

int main(int argc, char **argv)
{
    static const tu_test_t tests[] = {
        TU_ENTRY(wscale_above_14_is_used_as_14),
        TU_ENTRY(ecn_setup_syn_ack_is_ece_without_cwr),
        TU_ENTRY(rst_repeating_the_last_ip_id_is_a_mismatch),
        TU_ENTRY(pending_zeek_state_names_its_own_code),
        TU_ENTRY(one_byte_keepalive_is_not_a_retransmission),
        TU_ENTRY(syn_refused_twice_waits_for_the_first_rst),
        TU_ENTRY(rst_talked_over_does_not_cross_a_later_one),
    };
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

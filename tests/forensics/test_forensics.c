/* test_forensics.c - unit tests of the connection facts and RST evidence
 * cores (plugin/conn_facts.c, plugin/rst_evidence.c), with the real
 * lifecycle core in front of them as in the plugin.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_facts.h"
#include "harness.h"
#include "rst_evidence.h"

#define MS (TL_NS_PER_SEC / 1000)

typedef struct {
    tl_conn_t conn;
    tl_facts_t facts;
    tl_rst_track_t rst;
    tl_rst_evidence_t ev[4];
    int rsts;
    tl_annotation_t ann[256]; /* the core keeps pointers to earlier annotations */
    int packets;
} lab_t;

static void lab_init(lab_t *l)
{
    tl_config_t cfg = { 60 * TL_NS_PER_SEC, 5 * TL_NS_PER_SEC };
    memset(l, 0, sizeof *l);
    tl_conn_init(&l->conn, &cfg);
}

/* One segment from endpoint `from` (0 = client, 1 = server). */
static void feed(lab_t *l, int from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len,
                 tl_time_t t, uint8_t ttl, uint16_t ip_id, const uint8_t *opt, uint16_t opt_len)
{
    static uint32_t frame;
    tl_segment_t s = { 0 };
    tl_annotation_t *a = &l->ann[l->packets++ % 256];
    s.from = (uint8_t)from;
    s.flags = flags & 0x1f;
    s.tcp_flags = flags;
    s.src_port = from ? 80 : 40000;
    s.dst_port = from ? 40000 : 80;
    s.seq = seq;
    s.ack = ack;
    s.len = len;
    s.window = 65535;
    s.frame = ++frame;
    s.time = t;
    s.options = opt;
    s.options_len = (uint8_t)opt_len;
    s.ip_version = 4;
    s.ip_ttl = ttl;
    s.ip_id = ip_id;
    tl_conn_process(&l->conn, &s, a);
    tl_facts_process(&l->facts, &l->conn, &s, a);
    tl_rst_observe(&l->rst, &s, (flags & TL_RST) ? &l->ev[l->rsts++] : NULL);
}

static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };

/* An established connection seen from the client: client TTL 64, server 63. */
static void handshake(lab_t *l)
{
    feed(l, 0, TL_SYN | TL_FLAG_ECE | TL_FLAG_CWR, 1000, 0, 0, 0, 64, 100, syn_opts, sizeof syn_opts);
    feed(l, 1, TL_SYN | TL_ACK | TL_FLAG_ECE, 5000, 1001, 0, 1 * MS, 63, 0, syn_opts, 8);
    feed(l, 0, TL_ACK, 1001, 5001, 0, 2 * MS, 64, 101, NULL, 0);
    feed(l, 0, TL_ACK | TL_PSH, 1001, 5001, 100, 3 * MS, 64, 102, NULL, 0);
    feed(l, 1, TL_ACK, 5001, 1101, 0, 4 * MS, 63, 7, NULL, 0);
    feed(l, 1, TL_ACK | TL_PSH, 5001, 1101, 50, 5 * MS, 63, 8, NULL, 0);
    feed(l, 0, TL_ACK, 1101, 5051, 0, 6 * MS, 64, 103, NULL, 0);
    feed(l, 1, TL_ACK | TL_PSH, 5051, 1101, 50, 7 * MS, 63, 9, NULL, 0);
}

TU_TEST(test_counts_and_options)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    feed(&l, 0, TL_ACK | TL_PSH, 1001, 5101, 100, 8 * MS, 64, 104, NULL, 0); /* the data again */
    const tl_facts_endpoint_t *c = &l.facts.ep[0], *s = &l.facts.ep[1];
    CHECK_INT(c->packets, 5);
    CHECK_INT(c->bytes, 200);
    CHECK_INT(c->retransmissions, 1);
    CHECK_INT(s->packets, 4);
    CHECK_INT(s->bytes, 100);
    CHECK_INT(s->retransmissions, 0);
    CHECK_INT(c->mss, 1460);
    CHECK_INT(c->wscale, 7);
    CHECK(c->options & TL_FACT_SACK_PERM);
    CHECK(c->options & TL_FACT_TIMESTAMPS);
    CHECK(c->options & TL_FACT_ECN_SETUP);
    CHECK(!(c->options & TL_FACT_FAST_OPEN));
    /* the SYN-ACK's options were cut after 8 bytes: mss and sack_perm only */
    CHECK_INT(s->mss, 1460);
    CHECK(s->options & TL_FACT_SACK_PERM);
    CHECK(!(s->options & (TL_FACT_TIMESTAMPS | TL_FACT_WSCALE)));
    CHECK(s->options & TL_FACT_ECN_SETUP); /* SYN-ACK: ECE without CWR */
}

TU_TEST(test_fast_open_and_malformed_options)
{
    tl_facts_endpoint_t e = { 0 };
    const uint8_t tfo[] = { 34, 2, 1, 1, 254, 4, 0xF9, 0x89 };
    tl_facts_parse_syn_options(&e, tfo, sizeof tfo);
    CHECK(e.options & TL_FACT_FAST_OPEN);
    tl_facts_endpoint_t bad = { 0 };
    const uint8_t cut[] = { 2, 4, 0x05 }; /* MSS running past the end */
    tl_facts_parse_syn_options(&bad, cut, sizeof cut);
    CHECK_INT(bad.options, 0);
    const uint8_t zero_len[] = { 8, 0, 2, 4, 1, 1 };
    tl_facts_parse_syn_options(&bad, zero_len, sizeof zero_len);
    CHECK_INT(bad.options, 0);
}

TU_TEST(test_dwell_times)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    /* client closes at 100 ms, server ACKs at 101, server FIN at 600, last ACK at 601 */
    feed(&l, 0, TL_ACK | TL_FIN, 1101, 5101, 0, 100 * MS, 64, 104, NULL, 0);
    feed(&l, 1, TL_ACK, 5101, 1102, 0, 101 * MS, 63, 10, NULL, 0);
    feed(&l, 1, TL_ACK | TL_FIN, 5101, 1102, 0, 600 * MS, 63, 11, NULL, 0);
    feed(&l, 0, TL_ACK, 1102, 5102, 0, 601 * MS, 64, 105, NULL, 0);
    tl_time_t end = 700 * MS;
    CHECK_INT(tl_facts_dwell(&l.facts, 0, TL_STATE_SYN_SENT, end), 1 * MS);
    CHECK_INT(tl_facts_dwell(&l.facts, 0, TL_STATE_ESTABLISHED, end), 99 * MS);
    CHECK_INT(tl_facts_dwell(&l.facts, 0, TL_STATE_FIN_WAIT_1, end), 1 * MS);
    /* TIME_WAIT on the last ACK it sends (the capture point's model) */
    CHECK_INT(tl_facts_dwell(&l.facts, 0, TL_STATE_FIN_WAIT_2, end), 500 * MS);
    CHECK_INT(tl_facts_dwell(&l.facts, 0, TL_STATE_CLOSE_WAIT, end), -1);
    CHECK_INT(tl_facts_dwell(&l.facts, 1, TL_STATE_SYN_RECEIVED, end), 1 * MS);
    CHECK_INT(tl_facts_dwell(&l.facts, 1, TL_STATE_CLOSE_WAIT, end), 500 * MS);
    CHECK_INT(tl_facts_dwell(&l.facts, 1, TL_STATE_LAST_ACK, end), 1 * MS);
    CHECK_INT(tl_facts_time_wait_left(&l.conn, 0, end), 60 * TL_NS_PER_SEC - 99 * MS);
    CHECK_INT(tl_facts_time_wait_left(&l.conn, 1, end), -1);
}

TU_TEST(test_open_state_runs_to_the_end)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    CHECK_INT(tl_facts_dwell(&l.facts, 0, TL_STATE_ESTABLISHED, 1000 * MS), 999 * MS);
}

TU_TEST(test_real_rst_is_not_suspected)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    /* the server's stack aborts: its TTL, the next IP ID */
    feed(&l, 1, TL_RST | TL_ACK, 5101, 1101, 0, 9 * MS, 63, 10, NULL, 0);
    feed(&l, 0, TL_RST, 1101, 0, 0, 30 * MS, 64, 0, NULL, 0); /* client answers a late segment */
    const tl_rst_evidence_t *ev = &l.ev[0];
    CHECK(ev->flags & TL_RSTEV_TTL_KNOWN);
    CHECK(!(ev->flags & TL_RSTEV_TTL_MISMATCH));
    CHECK(ev->flags & TL_RSTEV_ID_SEQUENTIAL);
    CHECK_INT(ev->ip_id_gap, 1);
    CHECK(!(ev->flags & TL_RSTEV_ID_MISMATCH));
    CHECK(!tl_rst_suspect(ev, true));
    CHECK(!tl_rst_suspect(&l.ev[1], true));
}

TU_TEST(test_firewall_rst)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    /* a router one hop from the client answers in the server's name: TTL 64, ID 0 */
    feed(&l, 1, TL_RST, 5101, 0, 0, 9 * MS, 64, 0, NULL, 0);
    const tl_rst_evidence_t *ev = &l.ev[0];
    CHECK(ev->flags & TL_RSTEV_TTL_MISMATCH);
    CHECK_INT(ev->ttl_expected, 63);
    CHECK(ev->flags & TL_RSTEV_ID_MISMATCH);
    CHECK(tl_rst_suspect(ev, false));
    /* the server, which never sent it, goes on */
    feed(&l, 1, TL_ACK | TL_PSH, 5101, 1101, 100, 20 * MS, 63, 10, NULL, 0);
    CHECK_INT(ev->later_packets, 1);
    char words[64];
    tl_rst_evidence_words(ev, true, words, sizeof words);
    CHECK_STR(words, "ttl,ip_id,sender_continued");
    tl_rst_evidence_words(ev, false, words, sizeof words);
    CHECK_STR(words, "ttl,ip_id");
}

TU_TEST(test_continued_needs_a_second_sign)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    /* a stateless scanner: its kernel resets, its user-space sender goes on */
    feed(&l, 1, TL_RST, 5101, 0, 0, 9 * MS, 63, 10, NULL, 0); /* TTL and ID fit */
    feed(&l, 1, TL_ACK | TL_PSH, 5101, 1101, 100, 20 * MS, 63, 11, NULL, 0);
    CHECK_INT(l.ev[0].later_packets, 1);
    CHECK(!tl_rst_suspect(&l.ev[0], true));
    /* the same with an IP ID off the sender's run: suspected, once the capture is read */
    lab_init(&l);
    handshake(&l);
    feed(&l, 1, TL_RST, 5101, 0, 0, 9 * MS, 63, 0, NULL, 0);
    feed(&l, 1, TL_ACK | TL_PSH, 5101, 1101, 100, 20 * MS, 63, 10, NULL, 0);
    CHECK(!tl_rst_suspect(&l.ev[0], false));
    CHECK(tl_rst_suspect(&l.ev[0], true));
}

TU_TEST(test_both_ways)
{
    lab_t l;
    lab_init(&l);
    handshake(&l);
    feed(&l, 1, TL_RST, 5101, 0, 0, 9 * MS, 63, 500, NULL, 0);
    feed(&l, 0, TL_RST, 1101, 0, 0, 9 * MS + 1000, 64, 104, NULL, 0);
    CHECK(l.ev[0].flags & TL_RSTEV_BOTH_WAYS);
    CHECK(l.ev[1].flags & TL_RSTEV_BOTH_WAYS);
    /* the server's ID jumped: both ways and the ID together are suspicious */
    CHECK(tl_rst_suspect(&l.ev[0], false));
    CHECK(!tl_rst_suspect(&l.ev[1], false));
}

TU_TEST(test_no_baseline_no_verdict)
{
    lab_t l;
    lab_init(&l);
    feed(&l, 0, TL_SYN, 1000, 0, 0, 0, 64, 100, NULL, 0);
    feed(&l, 1, TL_RST | TL_ACK, 0, 1001, 0, 1 * MS, 50, 0, NULL, 0); /* refused */
    CHECK(!(l.ev[0].flags & (TL_RSTEV_TTL_KNOWN | TL_RSTEV_ID_SEQUENTIAL)));
    CHECK(!tl_rst_suspect(&l.ev[0], true));
}

/* Random segments (deterministic): the cores never read out of bounds, and
 * what they count stays consistent with what was fed. */
static uint32_t rnd(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

TU_TEST(test_random_segments)
{
    uint32_t x = 20261202;
#define RND() rnd(&x)
    for (int round = 0; round < 200; round++) {
        lab_t l;
        lab_init(&l);
        uint32_t fed[2] = { 0, 0 };
        uint64_t bytes[2] = { 0, 0 };
        uint8_t opt[40];
        for (int i = 0; i < 200; i++) {
            int from = (int)(RND() & 1);
            uint8_t flags = (uint8_t)RND();
            uint32_t len = RND() % 3 ? RND() % 1500 : 0;
            uint16_t opt_len = (uint16_t)(RND() % 41);
            for (int k = 0; k < opt_len; k++)
                opt[k] = (uint8_t)(RND() % 4 ? RND() % 10 : RND());
            if (l.rsts == 4)
                flags &= (uint8_t)~TL_RST;
            uint32_t seq = RND() % 4 ? 1000 + RND() % 5000 : RND();
            uint32_t ack = RND();
            uint8_t ttl = (uint8_t)(60 + RND() % 5);
            uint16_t id = (uint16_t)RND();
            feed(&l, from, flags, seq, ack, len, (tl_time_t)i * MS, ttl, id, opt, opt_len);
            fed[from]++;
            bytes[from] += len;
        }
        for (int e = 0; e < 2; e++) {
            CHECK_INT(l.facts.ep[e].packets, fed[e]);
            CHECK_INT(l.facts.ep[e].bytes, bytes[e]);
            CHECK(l.facts.ep[e].retransmissions <= fed[e]);
            for (unsigned st = 0; st < TL_STATE_COUNT; st++)
                CHECK(tl_facts_dwell(&l.facts, e, st, 300 * MS) <= 300 * MS);
        }
    }
#undef RND
}

int main(int argc, char **argv)
{
    static const tu_test_t tests[] = {
        TU_ENTRY(test_counts_and_options), TU_ENTRY(test_fast_open_and_malformed_options),
        TU_ENTRY(test_dwell_times), TU_ENTRY(test_open_state_runs_to_the_end),
        TU_ENTRY(test_real_rst_is_not_suspected), TU_ENTRY(test_firewall_rst),
        TU_ENTRY(test_continued_needs_a_second_sign), TU_ENTRY(test_both_ways),
        TU_ENTRY(test_no_baseline_no_verdict), TU_ENTRY(test_random_segments),
    };
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

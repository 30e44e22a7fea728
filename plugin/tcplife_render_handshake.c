/* tcplife_render_handshake.c - the handshake facts (handshake_facts.h) as
 * `tcplife.syn.*` and `tcplife.tfo.*` fields, and the expert infos of the
 * handshake diagnosis: a handshake ACK the server ignored, a SYN cookie, Fast
 * Open data the server did not take. Connection facts like tcplife.conn.*:
 * final once the capture has been read, "so far" in single pass.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "handshake_facts.h"
#include "tree_items.h"

#include <epan/expert.h>
#include <stdio.h>

static int hf_handshake = -1;
static int hf_syn_retransmissions = -1, hf_synack_retransmissions = -1, hf_syn_answer = -1;
static int hf_syn_wait = -1, hf_syn_ignored_acks = -1, hf_syn_cookie = -1, hf_syn_cookie_lag = -1;
static int hf_tfo_cookie_request = -1, hf_tfo_cookie = -1, hf_tfo_syn_data_len = -1;
static int hf_tfo_syn_data = -1, hf_tfo_experimental = -1;
static gint ett_handshake = -1;
static expert_field ei_ack_ignored = EI_INIT, ei_ack_refused = EI_INIT, ei_syn_cookie = EI_INIT;
static expert_field ei_tfo_not_accepted = EI_INIT;

void tcplife_register_handshake_fields(int proto)
{
    static hf_register_info hf[] = {
        { &hf_handshake, { "Handshake facts", "tcplife.syn", FT_NONE, BASE_NONE, NULL, 0x0,
            "SYN and SYN-ACK tries, the answer, SYN cookies, Fast Open", HFILL } },
        { &hf_syn_retransmissions, { "SYN retransmissions", "tcplife.syn.retransmissions", FT_UINT32,
            BASE_DEC, NULL, 0x0, "How often the client repeated its SYN", HFILL } },
        { &hf_synack_retransmissions, { "SYN-ACK retransmissions", "tcplife.syn.synack_retransmissions",
            FT_UINT32, BASE_DEC, NULL, 0x0, "How often the server repeated its SYN-ACK", HFILL } },
        { &hf_syn_answer, { "SYN answer", "tcplife.syn.answer", FT_STRING, BASE_NONE, NULL, 0x0,
            "What answered the client's SYN: syn_ack, rst or none", HFILL } },
        { &hf_syn_wait, { "SYN wait", "tcplife.syn.wait", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First SYN to the answer (SYN-ACK or RST); to the last SYN when nothing answered", HFILL } },
        { &hf_syn_ignored_acks, { "Ignored handshake ACKs", "tcplife.syn.ignored_acks", FT_UINT32,
            BASE_DEC, NULL, 0x0, "Third ACKs the server did not take (it repeated its SYN-ACK or "
            "reset from SYN_RECEIVED after them): a full accept queue, or lost", HFILL } },
        { &hf_syn_cookie, { "SYN cookie", "tcplife.syn.cookie", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The SYN-ACK was a SYN cookie: its timestamp lags the server's clock as Linux's "
            "cookie timestamps do (SYN queue full, SYN flood, or tcp_syncookies=2)", HFILL } },
        { &hf_syn_cookie_lag, { "SYN cookie timestamp lag", "tcplife.syn.cookie_lag",
            FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "How far the SYN-ACK's timestamp was behind the server's clock", HFILL } },
        { &hf_tfo_cookie_request, { "Fast Open cookie request", "tcplife.tfo.cookie_request",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0, "The client's SYN asked for a Fast Open cookie", HFILL } },
        { &hf_tfo_cookie, { "Fast Open cookie", "tcplife.tfo.cookie", FT_STRING, BASE_NONE, NULL, 0x0,
            "The cookie (hex) the server granted in its SYN-ACK, or the client presented in its SYN",
            HFILL } },
        { &hf_tfo_syn_data_len, { "Data in the SYN", "tcplife.tfo.syn_data_len", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Payload bytes the client's SYN carried", HFILL } },
        { &hf_tfo_syn_data, { "SYN data", "tcplife.tfo.syn_data", FT_STRING, BASE_NONE, NULL, 0x0,
            "accepted (the SYN-ACK acknowledges it), not_accepted (only the SYN: sent again), "
            "unanswered", HFILL } },
        { &hf_tfo_experimental, { "Experimental Fast Open option", "tcplife.tfo.experimental",
            FT_BOOLEAN, BASE_NONE, NULL, 0x0, "Fast Open as option 254 with magic 0xF989 "
            "(before RFC 7413's option 34)", HFILL } },
    };
    static gint *ett[] = { &ett_handshake };
    static ei_register_info ei[] = {
        { &ei_ack_ignored, { "tcplife.expert.handshake_ack_ignored", PI_SEQUENCE, PI_WARN,
            "Handshake ACK not taken: SYN-ACK retransmitted after it (a full accept queue, "
            "Linux tcp_abort_on_overflow=0; or the ACK was lost)", EXPFILL } },
        { &ei_ack_refused, { "tcplife.expert.handshake_ack_refused", PI_SEQUENCE, PI_WARN,
            "Handshake ACK refused by an RST from SYN_RECEIVED (a full accept queue, Linux "
            "tcp_abort_on_overflow=1)", EXPFILL } },
        { &ei_syn_cookie, { "tcplife.expert.syn_cookie", PI_SEQUENCE, PI_NOTE,
            "SYN cookie: the SYN-ACK's timestamp lags the server's clock (SYN queue full: SYN "
            "flood, small backlog, or tcp_syncookies=2)", EXPFILL } },
        { &ei_tfo_not_accepted, { "tcplife.expert.tfo_data_not_accepted", PI_SEQUENCE, PI_NOTE,
            "Fast Open: the SYN-ACK acknowledges only the SYN, not its data (sent again)",
            EXPFILL } },
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
}

static void add_time(proto_tree *tree, int hf, tvbuff_t *tvb, tl_time_t ns)
{
    proto_item_set_generated(tcplife_add_duration(tree, hf, tvb, ns));
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, uint32_t value)
{
    proto_item_set_generated(tcplife_add_uint(tree, hf, tvb, value));
}

static void add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item_set_generated(tcplife_add_string(tree, hf, tvb, value));
}

/* Registered summaries only (tests/verdict_checks.py): the frames are in
 * tcplife.ref.* and the facts in tcplife.syn.* / tcplife.tfo.*. */
static void add_experts(packet_info *pinfo, proto_item *item, const tcplife_record_t *rec)
{
    const tl_handshake_facts_t *f = &rec->conn->handshake;
    if (rec->ann.flags & TL_ANN_ACK_IGNORED)
        expert_add_info(pinfo, item, rec->ann.step == TL_STEP_RST ? &ei_ack_refused : &ei_ack_ignored);
    if (f->syn_cookie && pinfo->num == f->syn_cookie_frame)
        expert_add_info(pinfo, item, &ei_syn_cookie);
    if (f->tfo_data == TL_TFO_DATA_NOT_ACCEPTED && rec->ann.step == TL_STEP_SYN_ACK)
        expert_add_info(pinfo, item, &ei_tfo_not_accepted);
}

void tcplife_render_handshake(proto_tree *tree, proto_item *expert_item, packet_info *pinfo,
                              tvbuff_t *tvb, const tcplife_record_t *rec)
{
    if (!rec->conn)
        return;
    const tl_handshake_facts_t *f = &rec->conn->handshake;
    if (!tree) {
        add_experts(pinfo, expert_item, rec);
        return;
    }
    if (!f->syns && !f->syn_acks)
        return;
    proto_item *top;
    proto_tree *t = tcplife_add_subtree(tree, hf_handshake, ett_handshake, tvb, &top);
    if (PTREE_DATA(tree)->visible)
        proto_item_set_text(top, "Handshake: %u SYN%s, %u SYN-ACK%s, answer %s", f->syns,
                            f->syns == 1 ? "" : "s", f->syn_acks, f->syn_acks == 1 ? "" : "s",
                            tl_syn_answer_name(f->answer));
    if (f->syns) {
        add_uint(t, hf_syn_retransmissions, tvb, f->syns - 1u);
        add_string(t, hf_syn_answer, tvb, tl_syn_answer_name(f->answer));
        if (tl_handshake_syn_wait(f) >= 0)
            add_time(t, hf_syn_wait, tvb, tl_handshake_syn_wait(f));
    }
    if (f->syn_acks)
        add_uint(t, hf_synack_retransmissions, tvb, f->syn_acks - 1u);
    if (rec->conn->core.ignored_acks)
        add_uint(t, hf_syn_ignored_acks, tvb, rec->conn->core.ignored_acks);
    if (f->syn_cookie) {
        tcplife_add_true(t, hf_syn_cookie, tvb);
        add_time(t, hf_syn_cookie_lag, tvb, (tl_time_t)f->syn_cookie_lag_ms * INT64_C(1000000));
    }
    if (f->tfo_cookie_request)
        tcplife_add_true(t, hf_tfo_cookie_request, tvb);
    if (f->tfo_cookie_len && tcplife_field_wanted(t, hf_tfo_cookie)) {
        char hex[2 * TL_TFO_COOKIE_MAX + 1];
        for (unsigned i = 0; i < f->tfo_cookie_len; i++)
            snprintf(hex + 2 * i, 3, "%02x", f->tfo_cookie[i]);
        add_string(t, hf_tfo_cookie, tvb, hex);
    }
    if (f->tfo_experimental)
        tcplife_add_true(t, hf_tfo_experimental, tvb);
    if (f->syn_data_len) {
        add_uint(t, hf_tfo_syn_data_len, tvb, f->syn_data_len);
        add_string(t, hf_tfo_syn_data, tvb, tl_tfo_data_name(f->tfo_data));
    }
    add_experts(pinfo, top, rec);
}

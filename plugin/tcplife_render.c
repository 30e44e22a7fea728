/* tcplife_render.c - the "TCP Lifecycle" tree: fields, expert infos, and how
 * one stored record is shown. Public values are strings (SPEC.md): -T fields
 * would print numbers for value_string fields. Booleans are added only when
 * true, so that `tshark -Y tcplife.merged_fin_ack` means what it says.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "field_groups.h"
#include "tree_items.h"
#include "lifecycle_names.h"

#include <epan/column-info.h>
#include <epan/expert.h>
#include <epan/tap.h>

static int hf_phase = -1, hf_step = -1, hf_handshake_step = -1, hf_close_step = -1;
static int hf_sender = -1, hf_closer = -1, hf_state_client = -1, hf_state_server = -1;
static int hf_merged_fin_ack = -1, hf_missing_third_ack = -1;
static int hf_simultaneous_open = -1, hf_simultaneous_close = -1, hf_roles_inferred = -1;
static int hf_tw_expiry = -1, hf_tw_endpoint = -1, hf_tw_reuse = -1, hf_tw_remaining = -1;
static int hf_rst_kind = -1, hf_rst_challenged = -1, hf_handshake_rtt = -1, hf_server_rtt = -1, hf_client_rtt = -1;
static int hf_ref[TL_REF_COUNT] = { -1, -1, -1, -1, -1, -1, -1 };
static int hf_conn_outcome = -1, hf_conn_close_style = -1, hf_conn_active_closer = -1;
static int hf_conn_state_client = -1, hf_conn_state_server = -1, hf_conn_zeek_state = -1;
static int hf_conn_history = -1, hf_conn_duration = -1, hf_conn_close_wait = -1;
static int hf_conn_packets = -1, hf_conn_first_frame = -1, hf_conn_last_frame = -1;
static int hf_conn = -1, hf_conn_final = -1, hf_refs = -1;

static gint ett_tcplife = -1, ett_conn = -1, ett_refs = -1;

static expert_field ei_missing_third_ack = EI_INIT, ei_half_open = EI_INIT;
static expert_field ei_syn_unanswered = EI_INIT, ei_refused = EI_INIT;
/* One per RST kind (refused and out_of_window have their own; none is unused). */
static expert_field ei_reset[TL_RST_COUNT] = { EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT };
static expert_field ei_rst_out_of_window = EI_INIT, ei_rst_challenged = EI_INIT, ei_merged_fin_ack = EI_INIT;
static expert_field ei_simultaneous_close = EI_INIT, ei_simultaneous_open = EI_INIT;
static expert_field ei_time_wait_reuse = EI_INIT, ei_close_wait_long = EI_INIT;
static expert_field ei_data_after_fin = EI_INIT, ei_midstream = EI_INIT;

#define STRING_FIELD(id, name, abbrev, blurb) \
    { &id, { name, abbrev, FT_STRING, BASE_NONE, NULL, 0x0, blurb, HFILL } }
#define BOOL_FIELD(id, name, abbrev, blurb) \
    { &id, { name, abbrev, FT_BOOLEAN, BASE_NONE, NULL, 0x0, blurb, HFILL } }
#define RELTIME_FIELD(id, name, abbrev, blurb) \
    { &id, { name, abbrev, FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0, blurb, HFILL } }
#define FRAME_FIELD(id, name, abbrev, type, blurb) \
    { &id, { name, abbrev, FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(type), 0x0, blurb, HFILL } }

void tcplife_register_fields(int proto)
{
    static hf_register_info hf[] = {
        STRING_FIELD(hf_phase, "Phase", "tcplife.phase",
            "handshake, established, closing, closed, reset or midstream"),
        STRING_FIELD(hf_step, "Step", "tcplife.step",
            "Which handshake or close step this packet is"),
        { &hf_handshake_step, { "Handshake step", "tcplife.handshake.step", FT_UINT8, BASE_DEC,
            NULL, 0x0, "1 SYN, 2 SYN-ACK, 3 the packet that completes the handshake", HFILL } },
        { &hf_close_step, { "Close step", "tcplife.close.step", FT_UINT8, BASE_DEC, NULL, 0x0,
            "1 active FIN, 2 its ACK, 3 passive FIN, 4 last ACK", HFILL } },
        STRING_FIELD(hf_sender, "Sender", "tcplife.sender", "client or server"),
        STRING_FIELD(hf_closer, "Closer", "tcplife.closer",
            "The sender's part in the close: active or passive"),
        STRING_FIELD(hf_state_client, "Client state", "tcplife.state.client",
            "The client's RFC 9293 state right after this packet"),
        STRING_FIELD(hf_state_server, "Server state", "tcplife.state.server",
            "The server's RFC 9293 state right after this packet"),
        BOOL_FIELD(hf_merged_fin_ack, "Merged FIN-ACK", "tcplife.merged_fin_ack",
            "This FIN also acknowledges the peer's FIN (three-segment close)"),
        BOOL_FIELD(hf_missing_third_ack, "Missing third ACK", "tcplife.missing_third_ack",
            "The handshake completed without a pure third ACK being seen"),
        BOOL_FIELD(hf_simultaneous_open, "Simultaneous open", "tcplife.simultaneous_open",
            "The SYNs crossed"),
        BOOL_FIELD(hf_simultaneous_close, "Simultaneous close", "tcplife.simultaneous_close",
            "The FINs crossed"),
        BOOL_FIELD(hf_roles_inferred, "Roles inferred", "tcplife.roles_inferred",
            "The capture began mid-connection: the lower port is taken as the server"),
        { &hf_tw_expiry, { "TIME_WAIT expiry", "tcplife.time_wait.expiry", FT_ABSOLUTE_TIME,
            ABSOLUTE_TIME_LOCAL, NULL, 0x0, "When the TIME_WAIT this packet starts ends", HFILL } },
        STRING_FIELD(hf_tw_endpoint, "TIME_WAIT endpoint", "tcplife.time_wait.endpoint",
            "Which endpoint enters TIME_WAIT: client or server"),
        BOOL_FIELD(hf_tw_reuse, "TIME_WAIT reuse", "tcplife.time_wait.reuse",
            "A SYN reopening this 4-tuple before the previous connection's TIME_WAIT ended"),
        RELTIME_FIELD(hf_tw_remaining, "TIME_WAIT remaining", "tcplife.time_wait.remaining",
            "How much of the previous connection's TIME_WAIT was left"),
        STRING_FIELD(hf_rst_kind, "RST kind", "tcplife.rst.kind",
            "refused, handshake_abort, abort, after_fin, out_of_window or midstream"),
        BOOL_FIELD(hf_rst_challenged, "Not at RCV.NXT", "tcplife.rst.challenged",
            "An out_of_window RST inside the receive window but not at the next expected sequence "
            "number: the receiver answers with a challenge ACK and keeps the connection (RFC 9293 "
            "3.10.7.4, RFC 5961 3.2)"),
        RELTIME_FIELD(hf_handshake_rtt, "Handshake RTT", "tcplife.handshake.rtt",
            "SYN to the packet that completes the handshake"),
        RELTIME_FIELD(hf_server_rtt, "Server RTT", "tcplife.handshake.server_rtt", "SYN to SYN-ACK"),
        RELTIME_FIELD(hf_client_rtt, "Client RTT", "tcplife.handshake.client_rtt",
            "SYN-ACK to the packet that completes the handshake"),
        { &hf_refs, { "Key packets", "tcplife.ref", FT_NONE, BASE_NONE, NULL, 0x0,
            "Links to the connection's key packets (single pass: those seen so far)", HFILL } },
        FRAME_FIELD(hf_ref[TL_REF_SYN], "SYN", "tcplife.ref.syn", FT_FRAMENUM_REQUEST, NULL),
        FRAME_FIELD(hf_ref[TL_REF_SYN_ACK], "SYN-ACK", "tcplife.ref.syn_ack", FT_FRAMENUM_RESPONSE, NULL),
        FRAME_FIELD(hf_ref[TL_REF_HANDSHAKE_ACK], "Handshake ACK", "tcplife.ref.handshake_ack",
            FT_FRAMENUM_ACK, NULL),
        FRAME_FIELD(hf_ref[TL_REF_FIN_ACTIVE], "Active FIN", "tcplife.ref.fin_active",
            FT_FRAMENUM_NONE, NULL),
        FRAME_FIELD(hf_ref[TL_REF_FIN_PASSIVE], "Passive FIN", "tcplife.ref.fin_passive",
            FT_FRAMENUM_NONE, NULL),
        FRAME_FIELD(hf_ref[TL_REF_LAST_ACK], "Last ACK", "tcplife.ref.last_ack", FT_FRAMENUM_ACK, NULL),
        FRAME_FIELD(hf_ref[TL_REF_RST], "RST", "tcplife.ref.rst", FT_FRAMENUM_NONE, NULL),
        { &hf_conn, { "Connection", "tcplife.conn", FT_NONE, BASE_NONE, NULL, 0x0,
            "The connection's verdicts", HFILL } },
        BOOL_FIELD(hf_conn_final, "Final", "tcplife.conn.final",
            "The verdict can no longer change (always in two-pass mode and once the GUI has "
            "read the whole file); while false the verdict fields say pending_..."),
        STRING_FIELD(hf_conn_outcome, "Outcome", "tcplife.conn.outcome",
            "complete, reset, refused, syn_unanswered, handshake_incomplete, half_closed, open, "
            "midstream_closed or midstream_open; pending_<value> while not final"),
        STRING_FIELD(hf_conn_close_style, "Close style", "tcplife.conn.close_style",
            "four_way, three_way, simultaneous, half, rst or none; pending_<value> while not final"),
        STRING_FIELD(hf_conn_active_closer, "Active closer", "tcplife.conn.active_closer",
            "Who first sent a FIN or RST after the handshake: client, server, both or none; "
            "pending_<value> while not final"),
        STRING_FIELD(hf_conn_state_client, "Client state at end", "tcplife.conn.state.client",
            "The client's state at the end of the capture; pending_<state> while not final"),
        STRING_FIELD(hf_conn_state_server, "Server state at end", "tcplife.conn.state.server",
            "The server's state at the end of the capture; pending_<state> while not final"),
        STRING_FIELD(hf_conn_zeek_state, "Zeek conn_state", "tcplife.conn.zeek_state",
            "The connection's conn_state as Zeek's conn.log names it; pending_<code> while not final"),
        STRING_FIELD(hf_conn_history, "History", "tcplife.conn.history",
            "Zeek-compatible history letters, client upper case (single pass: so far; only grows)"),
        RELTIME_FIELD(hf_conn_duration, "Duration", "tcplife.conn.duration",
            "First to last packet of the connection"),
        RELTIME_FIELD(hf_conn_close_wait, "CLOSE_WAIT", "tcplife.conn.close_wait",
            "Passive closer: from receiving the FIN to sending its own"),
        { &hf_conn_packets, { "Packets", "tcplife.conn.packets", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Packets of this connection", HFILL } },
        FRAME_FIELD(hf_conn_first_frame, "First frame", "tcplife.conn.first_frame",
            FT_FRAMENUM_NONE, "The connection's first packet"),
        FRAME_FIELD(hf_conn_last_frame, "Last frame", "tcplife.conn.last_frame",
            FT_FRAMENUM_NONE, "The connection's last packet"),
    };
    static gint *ett[] = { &ett_tcplife, &ett_conn, &ett_refs };
    static ei_register_info ei[] = {
        { &ei_missing_third_ack, { "tcplife.expert.missing_third_ack", PI_SEQUENCE, PI_WARN,
            "Handshake completed without a third ACK", EXPFILL } },
        { &ei_half_open, { "tcplife.expert.half_open", PI_SEQUENCE, PI_WARN,
            "Half-open: the SYN-ACK was never acknowledged", EXPFILL } },
        { &ei_syn_unanswered, { "tcplife.expert.syn_unanswered", PI_SEQUENCE, PI_WARN,
            "SYN never answered", EXPFILL } },
        { &ei_refused, { "tcplife.expert.refused", PI_SEQUENCE, PI_NOTE,
            "Connection refused: RST answers the SYN", EXPFILL } },
        { &ei_reset[TL_RST_HANDSHAKE_ABORT], { "tcplife.expert.reset_handshake_abort", PI_SEQUENCE,
            PI_WARN, "Connection reset during the handshake", EXPFILL } },
        { &ei_reset[TL_RST_ABORT], { "tcplife.expert.reset_abort", PI_SEQUENCE, PI_WARN,
            "Connection reset: established connection aborted", EXPFILL } },
        { &ei_reset[TL_RST_AFTER_FIN], { "tcplife.expert.reset_after_fin", PI_SEQUENCE, PI_WARN,
            "Connection reset after a FIN", EXPFILL } },
        { &ei_reset[TL_RST_MIDSTREAM], { "tcplife.expert.reset_midstream", PI_SEQUENCE, PI_WARN,
            "Connection reset (capture began mid-connection)", EXPFILL } },
        { &ei_rst_out_of_window, { "tcplife.expert.rst_out_of_window", PI_SEQUENCE, PI_WARN,
            "RST outside the receive window: the receiver ignores it", EXPFILL } },
        { &ei_rst_challenged, { "tcplife.expert.rst_challenged", PI_SEQUENCE, PI_WARN,
            "RST inside the receive window but not at the next expected sequence number: the receiver "
            "answers with a challenge ACK and keeps the connection (RFC 5961)", EXPFILL } },
        { &ei_merged_fin_ack, { "tcplife.expert.merged_fin_ack", PI_SEQUENCE, PI_CHAT,
            "Three-way close: this FIN also acknowledges the peer's FIN", EXPFILL } },
        { &ei_simultaneous_close, { "tcplife.expert.simultaneous_close", PI_SEQUENCE, PI_CHAT,
            "Simultaneous close: the FINs crossed", EXPFILL } },
        { &ei_simultaneous_open, { "tcplife.expert.simultaneous_open", PI_SEQUENCE, PI_CHAT,
            "Simultaneous open: the SYNs crossed", EXPFILL } },
        { &ei_time_wait_reuse, { "tcplife.expert.time_wait_reuse", PI_SEQUENCE, PI_NOTE,
            "4-tuple reused during the previous connection's TIME_WAIT", EXPFILL } },
        { &ei_close_wait_long, { "tcplife.expert.close_wait_long", PI_SEQUENCE, PI_WARN,
            "Long CLOSE_WAIT: the application was slow to close its socket", EXPFILL } },
        { &ei_data_after_fin, { "tcplife.expert.data_after_fin", PI_PROTOCOL, PI_WARN,
            "Data after the sender's own FIN", EXPFILL } },
        { &ei_midstream, { "tcplife.expert.midstream", PI_SEQUENCE, PI_CHAT,
            "Capture began mid-connection: roles inferred from the ports", EXPFILL } },
    };
    tcplife_register_handshake_fields(proto);
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto), ei, array_length(ei));
    tcplife_forensics_register(proto);
}

/* ---- rendering ------------------------------------------------------------------ */

static const char *role_state_change(wmem_allocator_t *pool, const char *role, unsigned before,
                                     unsigned after)
{
    if (before == after)
        return wmem_strdup_printf(pool, "%s %s", role, tl_state_name(after));
    return wmem_strdup_printf(pool, "%s %s \u2192 %s", role, tl_state_name(before), tl_state_name(after));
}

/* "close step 3/4: passive FIN from server; server CLOSE_WAIT -> LAST_ACK" */
static const char *summary_line(packet_info *pinfo, const tcplife_record_t *rec)
{
    const tl_annotation_t *a = &rec->ann;
    wmem_strbuf_t *text = wmem_strbuf_new(pinfo->pool, "");
    if (a->handshake_step)
        wmem_strbuf_append_printf(text, "handshake step %u/3: ", a->handshake_step);
    else if (a->close_step)
        wmem_strbuf_append_printf(text, "close step %u/4: ", a->close_step);
    wmem_strbuf_append_printf(text, "%s from %s", tl_step_description(a->step), tl_role_name(a->sender));
    if (a->step == TL_STEP_RST)
        wmem_strbuf_append_printf(text, " (%s%s)", tl_rst_kind_name(a->rst_kind),
                                  a->flags & TL_ANN_RST_CHALLENGED ? ", not at RCV.NXT" : "");
    bool client_changed = a->client_before != a->state_client;
    bool server_changed = a->server_before != a->state_server;
    if (client_changed || !server_changed)
        wmem_strbuf_append_printf(text, "; %s", role_state_change(pinfo->pool, "client",
                                  a->client_before, a->state_client));
    if (server_changed || !client_changed)
        wmem_strbuf_append_printf(text, "%s%s", client_changed ? ", " : "; ",
                                  role_state_change(pinfo->pool, "server", a->server_before, a->state_server));
    return wmem_strbuf_get_str(text);
}

/* A state after the packet; a visible tree also shows the one before. */
static void add_state(proto_tree *tree, int hf, tvbuff_t *tvb, unsigned before, unsigned after,
                      bool visible)
{
    if (!tcplife_field_wanted(tree, hf))
        return;
    if (visible && before != after)
        proto_tree_add_string_format_value(tree, hf, tvb, 0, 0, tl_state_name(after), "%s \u2192 %s",
                                           tl_state_name(before), tl_state_name(after));
    else
        proto_tree_add_string(tree, hf, tvb, 0, 0, tl_state_name(after));
}

/* The verdict, final or pending (SPEC "Pending is not a verdict"): while
 * `final` is false every verdict field says pending_<value so far>. */
static void render_connection(proto_tree *tree, tvbuff_t *tvb, const tcplife_conn_t *conn,
                              const tl_summary_t *s, bool final, bool visible)
{
    const char *outcome = final ? tl_outcome_name(s->outcome) : tl_outcome_pending_name(s->outcome);
    const char *style = final ? tl_close_style_name(s->close_style) : tl_close_style_pending_name(s->close_style);
    const char *closer = final ? tl_active_closer_name(s->active_closer)
                               : tl_active_closer_pending_name(s->active_closer);
    proto_item *top;
    proto_tree *sub = tcplife_add_subtree(tree, hf_conn, ett_conn, tvb, &top);
    if (visible)
        proto_item_set_text(top, "%s: %s, %s close, active closer %s",
                            final ? "Connection"
                                  : "Connection so far (pending: later packets can change it; final with "
                                    "tshark -2 or once the GUI has read the whole capture)",
                            tl_outcome_name(s->outcome), tl_close_style_name(s->close_style),
                            tl_active_closer_name(s->active_closer));
    if (tcplife_field_wanted(sub, hf_conn_final))
        proto_item_set_generated(proto_tree_add_boolean(sub, hf_conn_final, tvb, 0, 0, final));
    tcplife_add_string(sub, hf_conn_outcome, tvb, outcome);
    tcplife_add_string(sub, hf_conn_close_style, tvb, style);
    tcplife_add_string(sub, hf_conn_active_closer, tvb, closer);
    tcplife_add_string(sub, hf_conn_state_client, tvb,
                       final ? tl_state_name(s->state_client) : tl_state_pending_name(s->state_client));
    tcplife_add_string(sub, hf_conn_state_server, tvb,
                       final ? tl_state_name(s->state_server) : tl_state_pending_name(s->state_server));
    if (tcplife_field_wanted(sub, hf_conn_zeek_state))
        proto_tree_add_string(sub, hf_conn_zeek_state, tvb, 0, 0,
                              final ? s->zeek_state : tl_zeek_state_pending_name(s->zeek_state));
    tcplife_add_string(sub, hf_conn_history, tvb, s->history);
    tcplife_add_duration(sub, hf_conn_duration, tvb, s->duration);
    if (s->close_wait >= 0)
        tcplife_add_duration(sub, hf_conn_close_wait, tvb, s->close_wait);
    tcplife_add_uint(sub, hf_conn_packets, tvb, conn->core.packets);
    tcplife_add_uint(sub, hf_conn_first_frame, tvb, conn->first_frame);
    tcplife_add_uint(sub, hf_conn_last_frame, tvb, conn->last_frame);
    tcplife_forensics_render_conn(sub, tvb, conn);
}

/* Links to the connection's key packets: all of them once the capture has
 * been read (two-pass, the GUI after loading), those seen so far otherwise. */
static void render_links(proto_tree *tree, tvbuff_t *tvb, const tl_conn_t *c, uint32_t frame,
                         bool capture_complete)
{
    proto_tree *sub = NULL;
    for (int r = 0; r < TL_REF_COUNT; r++) {
        if (c->ref[r] == 0 || (!capture_complete && c->ref[r] > frame))
            continue;
        if (!sub)
            sub = tcplife_add_subtree(tree, hf_refs, ett_refs, tvb, NULL);
        proto_item_set_generated(tcplife_add_uint(sub, hf_ref[r], tvb, c->ref[r]));
    }
}

static void render_handshake_times(proto_tree *tree, tvbuff_t *tvb, const tl_conn_t *c, uint32_t frame)
{
    bool have_syn = c->ref[TL_REF_SYN] && c->ref[TL_REF_SYN] <= frame;
    bool have_syn_ack = c->ref[TL_REF_SYN_ACK] && c->ref[TL_REF_SYN_ACK] <= frame;
    bool have_ack = c->ref[TL_REF_HANDSHAKE_ACK] && c->ref[TL_REF_HANDSHAKE_ACK] <= frame;
    if (have_syn && have_ack)
        tcplife_add_duration(tree, hf_handshake_rtt, tvb, c->handshake_ack_time - c->syn_time);
    if (have_syn && have_syn_ack)
        tcplife_add_duration(tree, hf_server_rtt, tvb, c->syn_ack_time - c->syn_time);
    if (have_syn_ack && have_ack)
        tcplife_add_duration(tree, hf_client_rtt, tvb, c->handshake_ack_time - c->syn_ack_time);
}

/* One constant summary per kind, so that Expert Information and -z expert
 * group them; the values are in the fields (rst.kind, time_wait.remaining). */
static void add_expert_infos(packet_info *pinfo, proto_item *item, const tl_annotation_t *a,
                             uint16_t lookahead)
{
    uint16_t f = a->flags;
    if ((f & TL_ANN_MISSING_THIRD_ACK) && (f & TL_ANN_HANDSHAKE_COMPLETE))
        expert_add_info(pinfo, item, &ei_missing_third_ack);
    if (lookahead & TL_ANN_HALF_OPEN)
        expert_add_info(pinfo, item, &ei_half_open);
    if (lookahead & TL_ANN_SYN_UNANSWERED)
        expert_add_info(pinfo, item, &ei_syn_unanswered);
    if (a->step == TL_STEP_RST) {
        if (a->rst_kind == TL_RST_REFUSED)
            expert_add_info(pinfo, item, &ei_refused);
        else if (a->rst_kind == TL_RST_OUT_OF_WINDOW)
            expert_add_info(pinfo, item, f & TL_ANN_RST_CHALLENGED ? &ei_rst_challenged : &ei_rst_out_of_window);
        else if (a->rst_kind < TL_RST_COUNT && a->rst_kind != TL_RST_NONE)
            expert_add_info(pinfo, item, &ei_reset[a->rst_kind]);
    }
    if (f & TL_ANN_MERGED_FIN_ACK)
        expert_add_info(pinfo, item, &ei_merged_fin_ack);
    if (f & TL_ANN_SIMULTANEOUS_CLOSE)
        expert_add_info(pinfo, item, &ei_simultaneous_close);
    if (f & TL_ANN_SIMULTANEOUS_OPEN)
        expert_add_info(pinfo, item, &ei_simultaneous_open);
    if (f & TL_ANN_TIME_WAIT_REUSE)
        expert_add_info(pinfo, item, &ei_time_wait_reuse);
    if (f & TL_ANN_CLOSE_WAIT_LONG)
        expert_add_info(pinfo, item, &ei_close_wait_long);
    if (f & TL_ANN_DATA_AFTER_FIN)
        expert_add_info(pinfo, item, &ei_data_after_fin);
    if (f & TL_ANN_MIDSTREAM_START)
        expert_add_info(pinfo, item, &ei_midstream);
}

/* Expert infos without a tree only feed the expert tap and the Expert
 * column; each costs about a thousand instructions, so skip them when
 * neither is there. */
/* Someone reads the expert items of the tree: -T fields -e _ws.expert.message
 * or a filter on _ws.expert (from 4.2 tshark -T fields builds an invisible
 * tree with only the wanted fields). */
static bool expert_items_wanted(proto_tree *tree)
{
    static int proto_expert = -2;
    if (proto_expert == -2)
        proto_expert = proto_get_id_by_filter_name("_ws.expert");
    return tree && proto_expert >= 0 && proto_field_is_referenced(tree, proto_expert);
}

static bool expert_infos_collected(const packet_info *pinfo)
{
    static int expert_tap = -1;
    if (expert_tap < 0)
        expert_tap = find_tap_id("expert");
    return have_tap_listener(expert_tap) ||
           (pinfo->cinfo && pinfo->cinfo->col_first[COL_EXPERT] >= 0);
}

void tcplife_render(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb,
                    const tcplife_record_t *rec, bool capture_complete)
{
    const tl_annotation_t *a = &rec->ann;
    if (!proto_field_is_referenced(tree, proto_tcplife) && !expert_items_wanted(tree)) {
        /* No tree, or an invisible one in which no tcplife field is used:
         * nothing to build, but the expert infos still count where someone
         * collects them (-z expert, Expert Information, an Expert column). */
        if (!expert_infos_collected(pinfo))
            return;
        if (rec->conn && (a->flags || a->step == TL_STEP_RST || (capture_complete && a->lookahead)))
            add_expert_infos(pinfo, NULL, a, capture_complete ? a->lookahead : 0);
        tcplife_render_handshake(NULL, NULL, pinfo, tvb, rec);
        tcplife_forensics_render_packet(NULL, NULL, pinfo, tvb, rec->conn, a, capture_complete);
        return;
    }
    proto_item *top = proto_tree_add_item(tree, proto_tcplife, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *t = proto_item_add_subtree(top, ett_tcplife);

    if (!rec->conn) {
        proto_item_append_text(top, ": TCP header quoted in an ICMP error (not part of the connection)");
        proto_tree_add_string(t, hf_step, tvb, 0, 0, tl_step_name(a->step));
        return;
    }
    /* Look-ahead verdicts only once the whole capture has been read. */
    uint16_t lookahead = capture_complete ? a->lookahead : 0;
    uint16_t flags = a->flags | lookahead;
    bool visible = tree && PTREE_DATA(tree)->visible;

    if (visible)
        proto_item_append_text(top, ": %s", summary_line(pinfo, rec));
    tcplife_add_string(t, hf_phase, tvb, tl_phase_name(a->phase));
    if (visible)
        proto_tree_add_string_format_value(t, hf_step, tvb, 0, 0, tl_step_name(a->step), "%s (%s)",
                                           tl_step_name(a->step), tl_step_description(a->step));
    else
        tcplife_add_string(t, hf_step, tvb, tl_step_name(a->step));
    if (a->handshake_step)
        tcplife_add_uint(t, hf_handshake_step, tvb, a->handshake_step);
    if (a->close_step)
        tcplife_add_uint(t, hf_close_step, tvb, a->close_step);
    tcplife_add_string(t, hf_sender, tvb, tl_role_name(a->sender));
    if (a->closer != TL_CLOSER_NONE)
        tcplife_add_string(t, hf_closer, tvb, tl_closer_name(a->closer));
    add_state(t, hf_state_client, tvb, a->client_before, a->state_client, visible);
    add_state(t, hf_state_server, tvb, a->server_before, a->state_server, visible);
    if (a->step == TL_STEP_RST)
        tcplife_add_string(t, hf_rst_kind, tvb, tl_rst_kind_name(a->rst_kind));
    if (flags & TL_ANN_RST_CHALLENGED)
        tcplife_add_true(t, hf_rst_challenged, tvb);
    if (flags & TL_ANN_MERGED_FIN_ACK)
        tcplife_add_true(t, hf_merged_fin_ack, tvb);
    if (flags & TL_ANN_MISSING_THIRD_ACK)
        tcplife_add_true(t, hf_missing_third_ack, tvb);
    if (flags & TL_ANN_SIMULTANEOUS_OPEN)
        tcplife_add_true(t, hf_simultaneous_open, tvb);
    if (flags & TL_ANN_SIMULTANEOUS_CLOSE)
        tcplife_add_true(t, hf_simultaneous_close, tvb);
    if (flags & TL_ANN_ROLES_INFERRED)
        tcplife_add_true(t, hf_roles_inferred, tvb);
    if (flags & TL_ANN_TIME_WAIT_START) {
        tcplife_add_abs_time(t, hf_tw_expiry, tvb, tl_time_wait_expiry(&rec->conn->core, tcplife_ns_from_nstime(&pinfo->abs_ts)));
        tcplife_add_string(t, hf_tw_endpoint, tvb, tl_role_name(a->tw_role));
    }
    if (flags & TL_ANN_TIME_WAIT_REUSE) {
        tcplife_add_true(t, hf_tw_reuse, tvb);
        tcplife_add_duration(t, hf_tw_remaining, tvb, tl_time_wait_remaining(&rec->conn->core));
    }
    render_handshake_times(t, tvb, &rec->conn->core, pinfo->num);
    /* Connection verdicts as of the last packet read: final once the first
     * pass is over or when nothing later can change them, pending otherwise. */
    if (tcplife_group_wanted(t, TCPLIFE_GROUP_CONN)) {
        tl_summary_t summary;
        tl_conn_summarize(&rec->conn->core, tcplife_capture_end(), &summary);
        render_connection(t, tvb, rec->conn, &summary, capture_complete || summary.settled, visible);
    }
    if (tcplife_group_wanted(t, TCPLIFE_GROUP_LINKS))
        render_links(t, tvb, &rec->conn->core, pinfo->num, capture_complete);
    add_expert_infos(pinfo, top, a, lookahead);
    tcplife_render_handshake(tcplife_group_wanted(t, TCPLIFE_GROUP_HANDSHAKE) ? t : NULL, top, pinfo, tvb, rec);
    tcplife_forensics_render_packet(t, top, pinfo, tvb, rec->conn, a, capture_complete);
}

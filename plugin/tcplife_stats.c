/* tcplife_stats.c - Statistics > TCP Lifecycle, and `tshark -z tcplife,tree`.
 *
 * Counts connections, not packets: each packet's record carries its
 * connection, and a connection is counted under its current verdicts. When a
 * later packet changes a verdict (single pass: "so far"), the connection is
 * moved from the old node to the new one, so the totals are right at the end
 * in single pass, with -2, and in the GUI.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "lifecycle_names.h"

#include <epan/stats_tree.h>
#include <epan/tap.h>

static int tcplife_tap = -1;

static int node_connections = -1, node_outcome = -1, node_close_style = -1;
static int node_active_closer = -1, node_rtt = -1, node_client_states = -1, node_server_states = -1;

static const char *const node_titles[] = {
    "Connections", "By outcome", "By close style", "By active closer",
    "Handshake RTT (ms)", "Client states at end of capture", "Server states at end of capture",
};

/* What a connection is currently counted as. */
typedef struct {
    uint8_t outcome, close_style, active_closer, state_client, state_server;
    bool rtt_counted;
} counted_t;

static GHashTable *counted; /* tcplife_conn_t* -> counted_t* */

void tcplife_tap_record(packet_info *pinfo, const tcplife_record_t *record)
{
    if (record->conn)
        tap_queue_packet(tcplife_tap, pinfo, record);
}

static void stats_init(stats_tree *st)
{
    node_connections = stats_tree_create_node(st, node_titles[0], 0, STAT_DT_INT, TRUE);
    node_outcome = stats_tree_create_node(st, node_titles[1], node_connections, STAT_DT_INT, TRUE);
    node_close_style = stats_tree_create_node(st, node_titles[2], node_connections, STAT_DT_INT, TRUE);
    node_active_closer = stats_tree_create_node(st, node_titles[3], node_connections, STAT_DT_INT, TRUE);
    node_rtt = stats_tree_create_range_node(st, node_titles[4], node_connections,
        "0-1", "1-10", "10-100", "100-1000", "1000-", NULL);
    node_client_states = stats_tree_create_node(st, node_titles[5], 0, STAT_DT_INT, TRUE);
    node_server_states = stats_tree_create_node(st, node_titles[6], 0, STAT_DT_INT, TRUE);
    if (counted)
        g_hash_table_destroy(counted);
    counted = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

static void stats_cleanup(stats_tree *st _U_)
{
    if (counted)
        g_hash_table_destroy(counted);
    counted = NULL;
}

static void move(stats_tree *st, int parent, const char *from, const char *to)
{
    if (from)
        increase_stat_node(st, from, parent, FALSE, -1);
    increase_stat_node(st, to, parent, FALSE, 1);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                      const void *data TCPLIFE_TAP_FLAGS_PARAM)
{
    const tcplife_record_t *rec = (const tcplife_record_t *)data;
    const tcplife_conn_t *conn = rec->conn;
    tl_summary_t s;
    tl_conn_summarize(&conn->core, tcplife_capture_end(), &s);

    counted_t *c = (counted_t *)g_hash_table_lookup(counted, conn);
    bool fresh = c == NULL;
    if (fresh) {
        c = g_new0(counted_t, 1);
        g_hash_table_insert(counted, (gpointer)conn, c);
        tick_stat_node(st, node_titles[0], 0, TRUE);
        increase_stat_node(st, node_titles[5], 0, TRUE, 1);
        increase_stat_node(st, node_titles[6], 0, TRUE, 1);
    }
    if (fresh || c->outcome != s.outcome) {
        move(st, node_outcome, fresh ? NULL : tl_outcome_name(c->outcome), tl_outcome_name(s.outcome));
        if (fresh)
            tick_stat_node(st, node_titles[1], node_connections, TRUE);
    }
    if (fresh || c->close_style != s.close_style) {
        move(st, node_close_style, fresh ? NULL : tl_close_style_name(c->close_style),
             tl_close_style_name(s.close_style));
        if (fresh)
            tick_stat_node(st, node_titles[2], node_connections, TRUE);
    }
    if (fresh || c->active_closer != s.active_closer) {
        move(st, node_active_closer, fresh ? NULL : tl_active_closer_name(c->active_closer),
             tl_active_closer_name(s.active_closer));
        if (fresh)
            tick_stat_node(st, node_titles[3], node_connections, TRUE);
    }
    if (fresh || c->state_client != s.state_client)
        move(st, node_client_states, fresh ? NULL : tl_state_name(c->state_client),
             tl_state_name(s.state_client));
    if (fresh || c->state_server != s.state_server)
        move(st, node_server_states, fresh ? NULL : tl_state_name(c->state_server),
             tl_state_name(s.state_server));

    const tl_conn_t *core = &conn->core;
    uint32_t ack_frame = core->ref[TL_REF_HANDSHAKE_ACK];
    if (!c->rtt_counted && core->ref[TL_REF_SYN] && ack_frame && ack_frame <= pinfo->num) {
        c->rtt_counted = true;
        tl_time_t rtt_ms = (core->handshake_ack_time - core->syn_time) / 1000000;
        stats_tree_tick_range(st, node_titles[4], node_connections, (int)MIN(rtt_ms, G_MAXINT));
        tick_stat_node(st, node_titles[4], node_connections, TRUE);
    }

    c->outcome = s.outcome;
    c->close_style = s.close_style;
    c->active_closer = s.active_closer;
    c->state_client = s.state_client;
    c->state_server = s.state_server;
    return TAP_PACKET_REDRAW;
}

void tcplife_register_stats(void)
{
    tcplife_tap = register_tap("tcplife");
    stats_tree_register_plugin("tcplife", "tcplife", "TCP Lifecycle", 0, stats_packet, stats_init,
                               stats_cleanup);
}

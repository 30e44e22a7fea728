/* tcplife_stats.c - Statistics > TCP Lifecycle, and `tshark -z tcplife,tree`.
 *
 * Counts connections, not packets (except the RST section): each packet's
 * record carries its connection, and a connection is counted under its
 * current verdicts. When a later packet changes a verdict (single pass: "so
 * far"), the connection is moved from the old row to the new one, so the
 * totals are right at the end in single pass, with -2 and in the GUI (single
 * pass leaves the rows it moved away from at 0).
 *
 * Order: Wireshark's GUI sorts a stats tree by name, descending (the Qt
 * dialog enables sorting with the header's default indicator and ignores the
 * tree's default sort), and tshark by count, ties by name descending. So the
 * tree is registered as sorted by name, descending, and the sections are named
 * so that this is the reading order: "TCP connections", "Server endpoints",
 * "Resets", "Handshake RTT", "Endpoints at end of capture". Range rows
 * (RTT buckets) always sort by their lower bound, ascending.
 *
 * This file also registers the other tap-based views (the ladder) and the
 * Info column preferences: tcplife_register_stats() is their one entry point.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "lifecycle_names.h"
#include "tcplife_info_column.h"
#include "tcplife_ladder.h"

#include <epan/address.h>
#include <epan/prefs.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <string.h>

static int tcplife_tap = -1;

static const char sec_connections[] = "TCP connections";
static const char sec_by_outcome[] = "by outcome";
static const char sec_by_close_style[] = "by close style";
static const char sec_by_active_closer[] = "by active closer";
static const char sec_servers[] = "Server endpoints (ip:port)";
static const char sec_resets[] = "Resets (RST packets)";
static const char sec_by_kind[] = "by kind";
static const char sec_by_sender[] = "by sender";
static const char sec_rtt[] = "Handshake RTT (microseconds)";
static const char sec_census[] = "Endpoints at end of capture";

static int node_connections = -1, node_outcome = -1, node_close_style = -1, node_active_closer = -1;
static int node_servers = -1, node_resets = -1, node_rst_kind = -1, node_rst_sender = -1;
static int node_rtt = -1, node_census = -1;

/* A server ip:port: its row, and whether it is known to listen (it sent a
 * SYN-ACK; a port that only refused has no listener). */
typedef struct {
    char *name;
    int node;
    bool listener_counted;
} server_t;

/* What a connection is currently counted as. Names are NULL when not counted. */
typedef struct {
    char *pair;                  /* "client-ip -> server-ip:port" */
    server_t *server;
    const char *outcome, *close_style, *active_closer;
    const char *server_verdict;  /* refused / SYN unanswered / half-open / reset */
    const char *wait_state[2];   /* per role: TIME_WAIT / CLOSE_WAIT at end */
    const char *census[2];       /* per role: state at end, if the endpoint exists */
    bool rtt_counted;
} counted_t;

static GHashTable *counted; /* tcplife_conn_t* -> counted_t* */
static GHashTable *servers; /* "ip:port" -> server_t* */

void tcplife_tap_record(packet_info *pinfo, const tcplife_record_t *record)
{
    if (record->conn)
        tap_queue_packet(tcplife_tap, pinfo, record);
}

static void free_counted(gpointer p)
{
    counted_t *c = (counted_t *)p;
    g_free(c->pair);
    g_free(c);
}

static void free_server(gpointer p)
{
    server_t *s = (server_t *)p;
    g_free(s->name);
    g_free(s);
}

static void forget_all(void)
{
    if (counted)
        g_hash_table_destroy(counted);
    if (servers)
        g_hash_table_destroy(servers);
    counted = servers = NULL;
}

static void stats_init(stats_tree *st)
{
    node_connections = stats_tree_create_node(st, sec_connections, 0, STAT_DT_INT, TRUE);
    node_outcome = stats_tree_create_node(st, sec_by_outcome, node_connections, STAT_DT_INT, TRUE);
    node_close_style = stats_tree_create_node(st, sec_by_close_style, node_connections, STAT_DT_INT, TRUE);
    node_active_closer = stats_tree_create_node(st, sec_by_active_closer, node_connections, STAT_DT_INT, TRUE);
    stat_node_set_flags(st, sec_by_close_style, node_connections, TRUE, ST_FLG_DEF_NOEXPAND);
    stat_node_set_flags(st, sec_by_active_closer, node_connections, TRUE, ST_FLG_DEF_NOEXPAND);
    node_servers = stats_tree_create_node(st, sec_servers, 0, STAT_DT_INT, TRUE);
    node_resets = stats_tree_create_node(st, sec_resets, 0, STAT_DT_INT, TRUE);
    node_rst_kind = stats_tree_create_node(st, sec_by_kind, node_resets, STAT_DT_INT, TRUE);
    node_rst_sender = stats_tree_create_node(st, sec_by_sender, node_resets, STAT_DT_INT, TRUE);
    /* Logarithmic from 10 us: a LAN handshake falls in the first three rows,
     * a WAN one from 1 ms on. */
    node_rtt = stats_tree_create_range_node(st, sec_rtt, 0, "0-9", "10-99", "100-999", "1000-9999",
        "10000-99999", "100000-999999", "1000000-", NULL);
    node_census = stats_tree_create_node(st, sec_census, 0, STAT_DT_INT, TRUE);
    forget_all();
    counted = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_counted);
    servers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, free_server);
}

static void stats_cleanup(stats_tree *st _U_)
{
    forget_all();
}

/* "10.0.0.1", "10.0.0.2:80", "[fd00::2]:80" for the core's endpoint `ep`. */
static char *endpoint_text(const tcplife_conn_t *conn, int ep, bool with_port)
{
    const tcplife_tuple_t *t = &conn->tuple;
    int side = ep == 0 ? conn->first_sender_side : !conn->first_sender_side;
    address addr;
    int type = t->addr_len == 4 ? AT_IPv4 : t->addr_len == 16 ? AT_IPv6 : AT_NONE;
    set_address(&addr, type, type == AT_NONE ? 0 : t->addr_len, t->addr[side]);
    char *ip = address_to_str(NULL, &addr);
    char *text;
    if (!with_port)
        text = g_strdup(ip);
    else if (type == AT_IPv6)
        text = g_strdup_printf("[%s]:%u", ip, t->port[side]);
    else
        text = g_strdup_printf("%s:%u", ip, t->port[side]);
    wmem_free(NULL, ip);
    return text;
}

static server_t *server_of(stats_tree *st, const tcplife_conn_t *conn)
{
    char *name = endpoint_text(conn, tl_conn_endpoint_of(&conn->core, TL_ROLE_SERVER), true);
    server_t *s = (server_t *)g_hash_table_lookup(servers, name);
    if (s) {
        g_free(name);
        return s;
    }
    s = g_new0(server_t, 1);
    s->name = name;
    s->node = increase_stat_node(st, name, node_servers, TRUE, 0);
    g_hash_table_insert(servers, s->name, s);
    return s;
}

/* Move one count under `parent` from row `from` to row `to` (either NULL: not
 * counted); with `pair`, the same move one level down, so each row can be
 * expanded to the connections it counts. A row with rows below it must be
 * created as a parent (with_hierarchy): only a parent's rows are looked up in
 * its own table, the others by name in the whole tree. */
static void move(stats_tree *st, int parent, const char *from, const char *to, const char *pair)
{
    if (g_strcmp0(from, to) == 0)
        return;
    if (from) {
        int row = increase_stat_node(st, from, parent, pair != NULL, -1);
        if (pair)
            increase_stat_node(st, pair, row, FALSE, -1);
    }
    if (to) {
        int row = increase_stat_node(st, to, parent, pair != NULL, 1);
        if (pair) {
            increase_stat_node(st, pair, row, FALSE, 1);
            /* the GUI opens with the counts; a click shows the connections */
            stat_node_set_flags(st, to, parent, TRUE, ST_FLG_DEF_NOEXPAND);
        }
    }
}

static const char *server_verdict(unsigned outcome)
{
    switch (outcome) {
    case TL_OUTCOME_REFUSED: return "refused";
    case TL_OUTCOME_SYN_UNANSWERED: return "SYN unanswered";
    case TL_OUTCOME_HANDSHAKE_INCOMPLETE: return "half-open (SYN-ACK unacknowledged)";
    case TL_OUTCOME_RESET: return "reset";
    default: return NULL;
    }
}

static const char *wait_state(unsigned state)
{
    return state == TL_STATE_TIME_WAIT ? "TIME_WAIT at end"
         : state == TL_STATE_CLOSE_WAIT ? "CLOSE_WAIT at end" : NULL;
}

/* An endpoint that still exists at the end: not CLOSED, not unknown; LISTEN is
 * the listener's, counted once per server port that accepted. */
static const char *census_state(unsigned state)
{
    return state == TL_STATE_CLOSED || state == TL_STATE_UNKNOWN || state == TL_STATE_LISTEN
         ? NULL : tl_state_name(state);
}

static const char *const role_rows[2] = { "client side", "server side" };

static void count_census(stats_tree *st, const char *from, const char *to, tl_role_t role)
{
    if (g_strcmp0(from, to) == 0)
        return;
    if (from) {
        increase_stat_node(st, sec_census, 0, TRUE, -1);
        increase_stat_node(st, role_rows[role], increase_stat_node(st, from, node_census, TRUE, -1), FALSE, -1);
    }
    if (to) {
        increase_stat_node(st, sec_census, 0, TRUE, 1);
        increase_stat_node(st, role_rows[role], increase_stat_node(st, to, node_census, TRUE, 1), FALSE, 1);
    }
}

static void count_reset(stats_tree *st, const tcplife_record_t *rec)
{
    const tcplife_conn_t *conn = rec->conn;
    tick_stat_node(st, sec_resets, 0, TRUE);
    tick_stat_node(st, sec_by_kind, node_resets, TRUE);
    tick_stat_node(st, tl_rst_kind_name(rec->ann.rst_kind), node_rst_kind, FALSE);
    tick_stat_node(st, sec_by_sender, node_resets, TRUE);
    int role_row = tick_stat_node(st, tl_role_name(rec->ann.sender), node_rst_sender, TRUE);
    char *sender = endpoint_text(conn, tl_conn_endpoint_of(&conn->core, (tl_role_t)rec->ann.sender), true);
    tick_stat_node(st, sender, role_row, FALSE);
    g_free(sender);
}

static counted_t *start_counting(stats_tree *st, const tcplife_conn_t *conn)
{
    counted_t *c = g_new0(counted_t, 1);
    int client = tl_conn_endpoint_of(&conn->core, TL_ROLE_CLIENT);
    char *client_ip = endpoint_text(conn, client, false);
    char *server = endpoint_text(conn, !client, true);
    c->pair = g_strdup_printf("%s -> %s", client_ip, server);
    g_free(client_ip);
    g_free(server);
    c->server = server_of(st, conn);
    g_hash_table_insert(counted, (gpointer)conn, c);
    tick_stat_node(st, sec_connections, 0, TRUE);
    tick_stat_node(st, sec_by_outcome, node_connections, TRUE);
    tick_stat_node(st, sec_by_close_style, node_connections, TRUE);
    tick_stat_node(st, sec_by_active_closer, node_connections, TRUE);
    tick_stat_node(st, sec_servers, 0, TRUE);
    increase_stat_node(st, c->server->name, node_servers, TRUE, 1);
    return c;
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                      const void *data TCPLIFE_TAP_FLAGS_PARAM)
{
    const tcplife_record_t *rec = (const tcplife_record_t *)data;
    const tcplife_conn_t *conn = rec->conn;
    const tl_conn_t *core = &conn->core;
    tl_summary_t s;
    tl_conn_summarize(core, tcplife_capture_end(), &s);

    counted_t *c = (counted_t *)g_hash_table_lookup(counted, conn);
    if (!c)
        c = start_counting(st, conn);

    const char *outcome = tl_outcome_name(s.outcome);
    const char *close_style = tl_close_style_name(s.close_style);
    const char *active_closer = tl_active_closer_name(s.active_closer);
    move(st, node_outcome, c->outcome, outcome, c->pair);
    move(st, node_close_style, c->close_style, close_style, c->pair);
    move(st, node_active_closer, c->active_closer, active_closer, c->pair);
    c->outcome = outcome;
    c->close_style = close_style;
    c->active_closer = active_closer;

    const char *verdict = server_verdict(s.outcome);
    move(st, c->server->node, c->server_verdict, verdict, NULL);
    c->server_verdict = verdict;

    const unsigned state_at_end[2] = { s.state_client, s.state_server };
    for (int role = TL_ROLE_CLIENT; role <= TL_ROLE_SERVER; role++) {
        const char *waiting = wait_state(state_at_end[role]);
        move(st, c->server->node, c->wait_state[role], waiting, NULL);
        c->wait_state[role] = waiting;
        const char *census = census_state(state_at_end[role]);
        count_census(st, c->census[role], census, (tl_role_t)role);
        c->census[role] = census;
    }
    if (core->syn_ack_seen && !c->server->listener_counted) {
        c->server->listener_counted = true;
        count_census(st, NULL, tl_state_name(TL_STATE_LISTEN), TL_ROLE_SERVER);
    }

    if (rec->ann.rst_kind != TL_RST_NONE)
        count_reset(st, rec);

    uint32_t ack_frame = core->ref[TL_REF_HANDSHAKE_ACK];
    if (!c->rtt_counted && core->ref[TL_REF_SYN] && ack_frame && ack_frame <= pinfo->num) {
        c->rtt_counted = true;
        tl_time_t rtt_us = (core->handshake_ack_time - core->syn_time) / 1000;
        tick_stat_node(st, sec_rtt, 0, TRUE);
        stats_tree_tick_range(st, sec_rtt, 0, (int)MIN(MAX(rtt_us, 0), G_MAXINT));
    }
    return TAP_PACKET_REDRAW;
}

void tcplife_register_stats(void)
{
    tcplife_tap = register_tap("tcplife");
    stats_tree_register_plugin("tcplife", "tcplife", "TCP Lifecycle",
                               (ST_SORT_COL_NAME << ST_FLG_SRTCOL_SHIFT) | ST_FLG_SORT_DESC,
                               stats_packet, stats_init, stats_cleanup);
    tcplife_ladder_register(proto_tcplife);
    tcplife_info_column_register_prefs(prefs_find_module("tcplife"));
}

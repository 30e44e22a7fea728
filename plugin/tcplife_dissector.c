/* tcplife_dissector.c - the TCP Lifecycle post-dissector.
 *
 * On the first, in-order pass it reads each TCP layer of a frame, finds its
 * connection incarnation, feeds the segment to the lifecycle core and stores
 * one record per layer with the frame. Every pass (single-pass tshark, the
 * -2 second pass, GUI re-dissections) renders from the stored records, so
 * what a packet shows never depends on how it was reached.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "tcp_layers.h"

#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <string.h>

int proto_tcplife = -1;
static dissector_handle_t tcplife_handle;

/* Preferences. */
static guint pref_time_wait_seconds = 60;
static guint pref_close_wait_warn_seconds = 5;

/* Per-file analysis state, reset by the init routine. */
static tl_config_t config;
static tl_time_t capture_end;
static tcplife_conn_t **conn_by_stream; /* index: tcp.stream */
static guint conn_by_stream_size;
static wmem_map_t *conn_by_tuple;       /* 4-tuple -> latest incarnation */

tl_time_t tcplife_capture_end(void) { return capture_end; }

/* ---- connection tables -------------------------------------------------- */

/* A 4-tuple, endpoints in a canonical order so both directions match. */
typedef struct {
    uint8_t addr_len;
    uint8_t addr[2][16];
    uint16_t port[2];
} tuple_key_t;

static guint tuple_hash(gconstpointer key)
{
    const tuple_key_t *k = (const tuple_key_t *)key;
    guint h = 2166136261u;
    const uint8_t *bytes = (const uint8_t *)k;
    for (size_t i = 0; i < sizeof *k; i++)
        h = (h ^ bytes[i]) * 16777619u;
    return h;
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(tuple_key_t)) == 0;
}

static void tuple_of(const tcp_layer_t *l, tuple_key_t *k)
{
    memset(k, 0, sizeof *k);
    k->addr_len = l->addr_len;
    int cmp = memcmp(l->src_addr, l->dst_addr, l->addr_len);
    bool swap = cmp > 0 || (cmp == 0 && l->src_port > l->dst_port);
    memcpy(k->addr[swap], l->src_addr, l->addr_len);
    memcpy(k->addr[!swap], l->dst_addr, l->addr_len);
    k->port[swap] = l->src_port;
    k->port[!swap] = l->dst_port;
}

static tcplife_conn_t *stream_lookup(uint32_t stream)
{
    return stream < conn_by_stream_size ? conn_by_stream[stream] : NULL;
}

static void stream_store(uint32_t stream, tcplife_conn_t *conn)
{
    if (stream >= conn_by_stream_size) {
        guint size = conn_by_stream_size ? conn_by_stream_size : 1024;
        while (size <= stream)
            size *= 2;
        conn_by_stream = (tcplife_conn_t **)wmem_realloc(wmem_file_scope(), conn_by_stream,
                                                         size * sizeof *conn_by_stream);
        memset(conn_by_stream + conn_by_stream_size, 0,
               (size - conn_by_stream_size) * sizeof *conn_by_stream);
        conn_by_stream_size = size;
    }
    conn_by_stream[stream] = conn;
}

static tcplife_conn_t *new_conn(const tcp_layer_t *l, packet_info *pinfo)
{
    tcplife_conn_t *conn = wmem_new0(wmem_file_scope(), tcplife_conn_t);
    tl_conn_init(&conn->core, &config);
    conn->stream = l->stream;
    conn->first_frame = pinfo->num;
    conn->window_shift[0] = conn->window_shift[1] = -2;
    conn->addr_len = l->addr_len;
    memcpy(conn->addr[0], l->src_addr, l->addr_len);
    memcpy(conn->addr[1], l->dst_addr, l->addr_len);
    return conn;
}

/* Which endpoint sent this layer: 0 is the first sender seen. Ports decide,
 * addresses break a tie (same port on both ends). */
static uint8_t sender_of(const tcplife_conn_t *conn, const tcp_layer_t *l)
{
    const tl_endpoint_t *ep = conn->core.ep;
    if (l->src_port != l->dst_port)
        return l->src_port == ep[0].port && l->dst_port == ep[1].port ? 0 : 1;
    if (conn->addr_len && conn->addr_len == l->addr_len)
        return memcmp(l->src_addr, conn->addr[0], l->addr_len) == 0 ? 0 : 1;
    return 0;
}

/* The window a segment advertises, scaled as RFC 7323 says: only when both
 * SYNs carried the option; unknown (mid-stream) is taken as the largest. */
static uint32_t scaled_window(tcplife_conn_t *conn, const tcp_layer_t *l, uint8_t from)
{
    int8_t *shift = conn->window_shift;
    if (l->flags & 0x02) {
        shift[from] = l->window_shift;
        return l->window;
    }
    if (shift[0] == -2 || shift[1] == -2)
        return (uint32_t)l->window << 14;
    if (shift[0] < 0 || shift[1] < 0)
        return l->window;
    return (uint32_t)l->window << shift[from];
}

static void segment_of(tcplife_conn_t *conn, const tcp_layer_t *l, uint8_t from, packet_info *pinfo,
                       tl_segment_t *seg)
{
    seg->from = from;
    seg->flags = l->flags;
    seg->src_port = l->src_port;
    seg->dst_port = l->dst_port;
    seg->seq = l->seq;
    seg->ack = l->ack;
    seg->len = l->len;
    seg->window = scaled_window(conn, l, from);
    seg->frame = pinfo->num;
    seg->time = tcplife_ns_from_nstime(&pinfo->abs_ts);
    seg->options = l->options;
    seg->options_len = l->options_len;
    seg->ip_version = l->ip_version;
    seg->ip_ttl = l->ip_ttl;
    seg->ip_id = l->ip_id;
}

/* The incarnation a segment belongs to, creating one for a new stream or a
 * fresh SYN on a closed one, and linking it to the 4-tuple's previous one
 * (TIME_WAIT reuse). */
static tcplife_conn_t *conn_for(const tcp_layer_t *l, packet_info *pinfo, tl_segment_t *seg)
{
    tcplife_conn_t *conn = stream_lookup(l->stream);
    tcplife_conn_t *previous = NULL;
    tuple_key_t key;

    if (conn) {
        uint8_t from = sender_of(conn, l);
        segment_of(conn, l, from, pinfo, seg);
        if (!tl_conn_is_new_incarnation(&conn->core, seg))
            return conn;
        previous = conn;
    }
    tuple_of(l, &key);
    if (!previous)
        previous = (tcplife_conn_t *)wmem_map_lookup(conn_by_tuple, &key);
    conn = new_conn(l, pinfo);
    segment_of(conn, l, 0, pinfo, seg);
    if (previous)
        tl_conn_link_previous(&conn->core, &previous->core, seg);
    stream_store(l->stream, conn);
    tuple_key_t *stored = (tuple_key_t *)wmem_memdup(wmem_file_scope(), &key, sizeof key);
    wmem_map_insert(conn_by_tuple, stored, conn);
    return conn;
}

/* ---- the first pass --------------------------------------------------------- */

static tcplife_frame_t *analyse_frame(packet_info *pinfo, proto_tree *tree)
{
    tcp_layer_t layers[TCP_LAYERS_MAX];
    int n = tcp_layers_read(tree, layers);
    if (n == 0)
        return NULL;

    tl_time_t now = tcplife_ns_from_nstime(&pinfo->abs_ts);
    if (now > capture_end)
        capture_end = now;

    tcplife_frame_t *frame = (tcplife_frame_t *)wmem_alloc0(
        wmem_file_scope(), sizeof(tcplife_frame_t) + (size_t)n * sizeof(tcplife_record_t));
    for (int i = 0; i < n; i++) {
        const tcp_layer_t *l = &layers[i];
        tcplife_record_t *rec = &frame->records[frame->count];
        if (l->icmp_quote) {
            /* A quoted header is about a connection, not part of it. */
            rec->ann.step = TL_STEP_ICMP_QUOTE;
            rec->conn = NULL;
            frame->count++;
            continue;
        }
        if (!l->complete)
            continue; /* truncated or malformed header: nothing to learn */
        tl_segment_t seg;
        tcplife_conn_t *conn = conn_for(l, pinfo, &seg);
        rec->conn = conn;
        rec->client_before = conn->core.packets ? conn->core.ep[conn->core.client].state : TL_STATE_UNKNOWN;
        rec->server_before = conn->core.packets ? conn->core.ep[!conn->core.client].state : TL_STATE_UNKNOWN;
        tl_conn_process(&conn->core, &seg, &rec->ann);
        tcplife_forensics_process(conn, &seg, &rec->ann);
        conn->last_frame = pinfo->num;
        frame->count++;
    }
    return frame->count ? frame : NULL;
}

/* ---- every pass --------------------------------------------------------------- */

static int dissect_tcplife(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    tcplife_frame_t *frame = (tcplife_frame_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tcplife, 0);
    if (!frame && !PINFO_FD_VISITED(pinfo)) {
        frame = analyse_frame(pinfo, tree);
        if (frame)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_tcplife, 0, frame);
    }
    if (!frame)
        return 0;

    /* Look-ahead verdicts are final once the first pass is over: that is any
     * revisit (tshark -2's second pass, the GUI after loading). */
    bool capture_complete = PINFO_FD_VISITED(pinfo);
    for (guint32 i = 0; i < frame->count; i++) {
        const tcplife_record_t *rec = &frame->records[i];
        tcplife_render(tree, pinfo, tvb, rec, capture_complete);
        tcplife_tap_record(pinfo, rec);
    }
    return tvb_captured_length(tvb);
}

/* ---- registration --------------------------------------------------------------- */

static void tcplife_init(void)
{
    config.time_wait = (tl_time_t)pref_time_wait_seconds * TL_NS_PER_SEC;
    config.close_wait_warn = (tl_time_t)pref_close_wait_warn_seconds * TL_NS_PER_SEC;
    capture_end = 0;
    conn_by_stream = NULL;
    conn_by_stream_size = 0;
    /* Wanted fields make Wireshark build a tree for every packet: not when
     * the user disabled tcplife (--disable-protocol, Enabled Protocols). */
    if (proto_is_protocol_enabled(find_protocol_by_id(proto_tcplife)))
        set_postdissector_wanted_hfids(tcplife_handle, tcp_layers_wanted_fields());
    else
        set_postdissector_wanted_hfids(tcplife_handle, NULL);
}

static void tcplife_cleanup(void)
{
    set_postdissector_wanted_hfids(tcplife_handle, NULL);
    conn_by_stream = NULL; /* file-scope memory is gone */
    conn_by_stream_size = 0;
}

void proto_register_tcplife(void)
{
    proto_tcplife = proto_register_protocol("TCP Lifecycle", "TCPLIFE", "tcplife");
    tcplife_register_fields(proto_tcplife);

    module_t *module = prefs_register_protocol(proto_tcplife, NULL);
    prefs_register_uint_preference(module, "time_wait_seconds", "TIME_WAIT length (seconds)",
        "How long the active closer stays in TIME_WAIT: 60 on Linux; RFC 9293's 2*MSL is 240.",
        10, &pref_time_wait_seconds);
    prefs_register_uint_preference(module, "close_wait_warn_seconds",
        "Warn when CLOSE_WAIT lasts longer than (seconds)",
        "A passive closer that takes longer than this to send its own FIN after receiving "
        "the peer's gets a warning: the application is slow to close its socket.",
        10, &pref_close_wait_warn_seconds);

    tcplife_handle = register_dissector("tcplife", dissect_tcplife, proto_tcplife);
    register_postdissector(tcplife_handle);
    register_init_routine(tcplife_init);
    register_cleanup_routine(tcplife_cleanup);
    conn_by_tuple = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), tuple_hash, tuple_equal);
    tcplife_register_stats();
}

void proto_reg_handoff_tcplife(void)
{
    tcp_layers_init_fields();
}

/* tcplife_dissector.c - the TCP Lifecycle post-dissector.
 *
 * On the first, in-order pass it takes each TCP segment of a frame (seen by
 * tcp_segments.c as TCP received it), finds its connection incarnation, feeds
 * the segment to the lifecycle core and stores one record per segment with
 * the frame. Every pass (single-pass tshark, the -2 second pass, GUI
 * re-dissections) renders from the stored records, so what a packet shows
 * never depends on how it was reached. It wants no fields: Wireshark builds
 * no protocol tree for it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife.h"
#include "tree_items.h"
#include "field_groups.h"
#include "frame_records.h"
#include "tcp_options.h"
#include "tcp_segments.h"
#include "tcplife_info_column.h"

#include <epan/prefs.h>
#include <string.h>

int proto_tcplife = -1;
static dissector_handle_t tcplife_handle;

/* Preferences. */
static guint pref_time_wait_seconds = 60;
static guint pref_close_wait_warn_seconds = 5;

/* Per-file analysis state, reset by the init routine. */
static tl_config_t config;
static tl_time_t capture_end;
static wmem_map_t *conn_by_tuple;       /* 4-tuple -> latest incarnation */

tl_time_t tcplife_capture_end(void) { return capture_end; }

/* ---- connection table ---------------------------------------------------- */

/* Word at a time: a byte loop over the 38-byte key cost ~150 instructions per
 * lookup, on every packet. tuple_of zeroes the padding and unused bytes. */
static guint tuple_hash(gconstpointer key)
{
    /* Only the address bytes in use (tuple_of zeroes the rest): an IPv4
     * tuple is two multiplications. */
    const tcplife_tuple_t *t = (const tcplife_tuple_t *)key;
    uint64_t h = ((uint64_t)t->addr_len << 32 | (uint64_t)t->port[0] << 16 | t->port[1]) * 0x9e3779b97f4a7c15u;
    unsigned len = t->addr_len <= sizeof t->addr[0] ? t->addr_len : sizeof t->addr[0];
    for (unsigned off = 0; off + 4 <= len; off += 4) {
        uint32_t a, b;
        memcpy(&a, t->addr[0] + off, sizeof a);
        memcpy(&b, t->addr[1] + off, sizeof b);
        h = (h ^ ((uint64_t)a << 32 | b)) * 0xff51afd7ed558ccdu;
    }
    h ^= h >> 29;
    h *= 0xc4ceb9fe1a85ec53u;
    return (guint)(h ^ (h >> 32));
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(tcplife_tuple_t)) == 0;
}

/* The segment's 4-tuple; returns which side of it the sender is. */
static uint8_t tuple_of(const tcp_segment_t *s, tcplife_tuple_t *k)
{
    memset(k, 0, sizeof *k);
    k->addr_len = s->addr_len;
    int cmp = memcmp(s->src_addr, s->dst_addr, s->addr_len);
    uint8_t swap = cmp > 0 || (cmp == 0 && s->src_port > s->dst_port);
    memcpy(k->addr[swap], s->src_addr, s->addr_len);
    memcpy(k->addr[!swap], s->dst_addr, s->addr_len);
    k->port[swap] = s->src_port;
    k->port[!swap] = s->dst_port;
    return swap;
}

static tcplife_conn_t *new_conn(const tcplife_tuple_t *tuple, uint8_t sender_side, packet_info *pinfo)
{
    tcplife_conn_t *conn = wmem_new0(wmem_file_scope(), tcplife_conn_t);
    tl_conn_init(&conn->core, &config);
    conn->tuple = *tuple;
    conn->first_frame = pinfo->num;
    conn->window_shift[0] = conn->window_shift[1] = -2;
    conn->first_sender_side = sender_side;
    return conn;
}

/* The window a segment advertises, scaled as RFC 7323 says: only when both
 * SYNs carried the option; unknown (mid-stream) is taken as the largest. */
static uint32_t scaled_window(tcplife_conn_t *conn, const tcp_segment_t *s, uint8_t from,
                              const tl_tcp_options_t *syn_options)
{
    int8_t *shift = conn->window_shift;
    if (syn_options) {
        shift[from] = (syn_options->present & TL_OPT_WSCALE) ? (int8_t)syn_options->wscale : -1;
        return s->window;
    }
    if (shift[0] == -2 || shift[1] == -2)
        return (uint32_t)s->window << 14;
    if (shift[0] < 0 || shift[1] < 0)
        return s->window;
    return (uint32_t)s->window << shift[from];
}

/* A SYN's options are parsed here, once, into `syn_options`, for every room
 * that reads them (window scale, facts, handshake). */
static void segment_of(tcplife_conn_t *conn, const tcp_segment_t *s, uint8_t from, packet_info *pinfo,
                       tl_segment_t *seg, tl_tcp_options_t *syn_options)
{
    seg->parsed_options = NULL;
    if (s->flags & TL_SYN) {
        tl_tcp_options_parse(s->options, s->options_len, syn_options);
        seg->parsed_options = syn_options;
    }
    seg->from = from;
    seg->flags = s->flags & (TL_FIN | TL_SYN | TL_RST | TL_PSH | TL_ACK);
    seg->src_port = s->src_port;
    seg->dst_port = s->dst_port;
    seg->seq = s->seq;
    seg->ack = s->ack;
    seg->len = s->len;
    seg->window = scaled_window(conn, s, from, seg->parsed_options);
    seg->frame = pinfo->num;
    seg->time = tcplife_ns_from_nstime(&pinfo->abs_ts);
    seg->tcp_flags = s->flags;
    seg->ip_version = s->ip_version;
    seg->ip_ttl = s->ip_ttl;
    seg->ip_id = s->ip_id;
    seg->options_len = s->options_len;
    seg->options = s->options;
}

/* The incarnation a segment belongs to: the 4-tuple's latest one, or a new
 * one for a new 4-tuple or a fresh SYN on a finished one, linked to the
 * previous (TIME_WAIT reuse). */
static tcplife_conn_t *conn_for(const tcp_segment_t *s, packet_info *pinfo, tl_segment_t *seg,
                                tl_tcp_options_t *syn_options)
{
    tcplife_tuple_t key;
    uint8_t side = tuple_of(s, &key);
    tcplife_conn_t *previous = (tcplife_conn_t *)wmem_map_lookup(conn_by_tuple, &key);
    if (previous) {
        segment_of(previous, s, side != previous->first_sender_side, pinfo, seg, syn_options);
        if (!tl_conn_is_new_incarnation(&previous->core, seg))
            return previous;
    }
    tcplife_conn_t *conn = new_conn(&key, side, pinfo);
    segment_of(conn, s, 0, pinfo, seg, syn_options);
    if (previous)
        tl_conn_link_previous(&conn->core, &previous->core, seg);
    wmem_map_insert(conn_by_tuple, &conn->tuple, conn);
    return conn;
}

/* ---- the first pass --------------------------------------------------------- */

static tcplife_record_t *analyse_frame(packet_info *pinfo, unsigned *count)
{
    const tcp_segment_t *segments;
    int n = tcp_segments_take(pinfo, &segments);
    unsigned wanted = 0;
    for (int i = 0; i < n; i++)
        wanted += segments[i].icmp_quote || segments[i].complete;
    if (wanted == 0)
        return NULL;

    tl_time_t now = tcplife_ns_from_nstime(&pinfo->abs_ts);
    if (now > capture_end)
        capture_end = now;

    tcplife_record_t *records = frame_records_add(pinfo->num, wanted);
    if (!records)
        return NULL;
    tcplife_record_t *rec = records;
    for (int i = 0; i < n; i++) {
        const tcp_segment_t *s = &segments[i];
        if (s->icmp_quote) {
            /* A quoted header is about a connection, not part of it. */
            rec->ann.step = TL_STEP_ICMP_QUOTE;
            rec++;
            continue;
        }
        if (!s->complete)
            continue; /* truncated or malformed header: nothing to learn */
        tl_segment_t seg;
        tl_tcp_options_t syn_options;
        tcplife_conn_t *conn = conn_for(s, pinfo, &seg, &syn_options);
        tl_conn_t *core = &conn->core;
        rec->conn = conn;
        tl_conn_process(core, &seg, &rec->ann);
        tl_handshake_facts_update(&conn->handshake, core, &seg, &rec->ann);
        tcplife_forensics_process(conn, &seg, &rec->ann);
        conn->last_frame = pinfo->num;
        rec++;
    }
    *count = wanted;
    return records;
}

/* ---- every pass --------------------------------------------------------------- */

static int dissect_tcplife(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    unsigned count = 0;
    tcplife_record_t *records = frame_records_get(pinfo->num, &count);
    if (!records && !PINFO_FD_VISITED(pinfo))
        records = analyse_frame(pinfo, &count);
    if (!records)
        return 0;

    /* Look-ahead verdicts are final once the first pass is over (tshark -2's
     * second pass, the GUI after loading; not during a live capture). */
    bool capture_complete = tcplife_capture_complete(pinfo);
    for (unsigned i = 0; i < count; i++) {
        tcplife_render(tree, pinfo, tvb, &records[i], capture_complete);
        tcplife_info_column_add(pinfo, &records[i]);
        tcplife_tap_record(pinfo, &records[i]);
    }
    return tvb_captured_length(tvb);
}

/* ---- registration --------------------------------------------------------------- */

static void tcplife_init(void)
{
    config.time_wait = (tl_time_t)pref_time_wait_seconds * TL_NS_PER_SEC;
    config.close_wait_warn = (tl_time_t)pref_close_wait_warn_seconds * TL_NS_PER_SEC;
    capture_end = 0;
    frame_records_reset();
}

static void tcplife_cleanup(void)
{
    frame_records_reset();
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
    tcplife_refilter_register();
    tcplife_tree_items_init(proto_tcplife); /* last: after every field (adds the seconds twins) */
    tcplife_field_groups_init(proto_tcplife);
}

void proto_reg_handoff_tcplife(void)
{
    tcp_segments_init(proto_tcplife);
}

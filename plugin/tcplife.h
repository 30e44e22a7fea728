/* tcplife.h - what the epan-side files of the plugin share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_TCPLIFE_H
#define TCPLIFE_TCPLIFE_H

#include "ws_compat.h"
#include "lifecycle.h"
#include "handshake_facts.h"
#include "tcplife_forensics.h"

/* A 4-tuple, endpoints in a canonical order so both directions match. */
typedef struct {
    uint8_t addr_len;          /* 4, 16 or 0 */
    uint8_t addr[2][16];
    uint16_t port[2];
} tcplife_tuple_t;

/* A connection incarnation as the plugin keeps it (file scope). */
typedef struct tcplife_conn {
    tl_conn_t core;
    tcplife_tuple_t tuple;     /* also its key in the 4-tuple table */
    uint32_t first_frame;
    uint32_t last_frame;
    int8_t window_shift[2];    /* per endpoint: -2 no SYN seen, -1 no scaling, else shift */
    uint8_t first_sender_side; /* which side of `tuple` endpoint 0 is */
    tl_handshake_facts_t handshake;
    tcplife_forensics_t forensics; /* facts, RST evidence (tcplife_forensics.c) */
} tcplife_conn_t;

/* What one TCP layer of one frame is; stored on the first pass, rendered on
 * every pass. `conn` is NULL for a header quoted in an ICMP error. */
typedef struct {
    tl_annotation_t ann;
    tcplife_conn_t *conn;
} tcplife_record_t;

extern int proto_tcplife;

/* tcplife_render.c: fields, subtrees and expert infos, and their rendering. */
void tcplife_register_fields(int proto);
void tcplife_render(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb,
                    const tcplife_record_t *record, bool capture_complete);

/* tcplife_render_handshake.c: tcplife.syn.* and tcplife.tfo.* (tree NULL:
 * only the expert infos, on expert_item, which may be NULL too). */
void tcplife_register_handshake_fields(int proto);
void tcplife_render_handshake(proto_tree *tree, proto_item *expert_item, packet_info *pinfo,
                              tvbuff_t *tvb, const tcplife_record_t *record);

/* tcplife_stats.c: the tap and the Statistics menu / -z tcplife,tree. */
void tcplife_register_stats(void);
void tcplife_tap_record(packet_info *pinfo, const tcplife_record_t *record);

/* tcplife_refilter.c: has the whole capture been read (tshark -2's second
 * pass, the GUI once the file is loaded)? In the GUI, re-applies a tcplife
 * display filter that was evaluated before then. */
void tcplife_refilter_register(void);
bool tcplife_capture_complete(packet_info *pinfo);

/* The time of the last packet read so far (of the whole capture once the
 * first pass is done). */
tl_time_t tcplife_capture_end(void);

/* Nanoseconds <-> nstime_t. */
static inline tl_time_t tcplife_ns_from_nstime(const nstime_t *t)
{
    return (tl_time_t)t->secs * TL_NS_PER_SEC + t->nsecs;
}
static inline nstime_t tcplife_nstime_from_ns(tl_time_t ns)
{
    nstime_t t;
    t.secs = (time_t)(ns / TL_NS_PER_SEC);
    t.nsecs = (int)(ns % TL_NS_PER_SEC);
    if (t.nsecs < 0) {
        t.secs -= 1;
        t.nsecs += (int)TL_NS_PER_SEC;
    }
    return t;
}

#endif

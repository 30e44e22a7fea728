/* tcplife_forensics.h - connection facts, RST evidence and rewritten-address
 * SYN-ACKs: what the plugin keeps per connection for them, and the calls the
 * dissector and the renderer make (tcplife_forensics.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_FORENSICS_H
#define TCPLIFE_FORENSICS_H

#include "ws_compat.h"
#include "conn_facts.h"
#include "rst_evidence.h"

struct tcplife_conn;

/* Kept in each tcplife_conn_t. */
typedef struct {
    tl_facts_t facts;
    tl_rst_track_t rst;               /* with the RSTs' records */
    struct tcplife_conn *rewritten;   /* the other half of a rewritten-address handshake */
    uint8_t rewritten_role;           /* tcplife_rewritten_role_t */
    uint8_t rst_count;                /* RST records kept (capped) */
    uint8_t syn_indexed : 1;          /* its SYN is in the unanswered-SYN index */
} tcplife_forensics_t;

typedef enum {
    TCPLIFE_REWRITTEN_NONE = 0,
    TCPLIFE_REWRITTEN_SYN,     /* its SYN was answered from another address or port */
    TCPLIFE_REWRITTEN_SYN_ACK  /* its SYN-ACK answers another 4-tuple's SYN */
} tcplife_rewritten_role_t;

/* First pass, right after tl_conn_process. */
void tcplife_forensics_process(struct tcplife_conn *conn, const tl_segment_t *seg,
                               const tl_annotation_t *ann);

/* Fields, expert infos and the per-file index of unanswered SYNs; from
 * tcplife_register_fields. */
void tcplife_forensics_register(int proto);

/* The per-packet part (RST evidence, the rewritten-address link) into the
 * tcplife tree `tree` (NULL: expert infos only, for -z expert). */
void tcplife_forensics_render_packet(proto_tree *tree, proto_item *item, packet_info *pinfo,
                                     tvbuff_t *tvb, const struct tcplife_conn *conn,
                                     const tl_annotation_t *ann, bool capture_complete);

/* The connection facts into the tree's connection summary. */
void tcplife_forensics_render_conn(proto_tree *conn_tree, tvbuff_t *tvb,
                                   const struct tcplife_conn *conn);

#endif

/* tcp_layers.h - read the TCP layers of a frame from the built-in fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_TCP_LAYERS_H
#define TCPLIFE_TCP_LAYERS_H

#include "ws_compat.h"

#define TCP_LAYERS_MAX 8

/* One TCP header in a frame. */
typedef struct {
    uint32_t stream;           /* tcp.stream */
    uint16_t src_port, dst_port;
    uint8_t flags;             /* the TCP flags byte as on the wire (incl. ECE/CWR) */
    bool icmp_quote;           /* quoted inside an ICMP/ICMPv6 error */
    bool complete;             /* every field the state machine needs is there */
    uint32_t seq, ack, len;
    uint16_t window;           /* as on the wire, not scaled */
    int8_t window_shift;       /* window scale option of a SYN, -1 if absent */
    uint8_t options_len;       /* raw TCP option bytes captured */
    uint8_t options[40];
    uint8_t ip_version, ip_ttl; /* TTL or hop limit */
    uint16_t ip_id;            /* IPv4 identification */
    uint8_t addr_len;          /* 4, 16, or 0 when no IP layer was found */
    uint8_t src_addr[16], dst_addr[16];
} tcp_layer_t;

/* Resolve the field ids; call from the handoff, once all protocols exist. */
void tcp_layers_init_fields(void);

/* A fresh array of the wanted field ids, for set_postdissector_wanted_hfids. */
GArray *tcp_layers_wanted_fields(void);

/* Fill up to TCP_LAYERS_MAX layers, outermost first; returns how many. */
int tcp_layers_read(proto_tree *tree, tcp_layer_t *layers);

#endif

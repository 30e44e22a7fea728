/* tcp_segments.h - the TCP segments of a frame, as TCP itself received them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_TCP_SEGMENTS_H
#define TCPLIFE_TCP_SEGMENTS_H

#include "ws_compat.h"

#define TCP_SEGMENTS_MAX 8         /* TCP layers kept per frame (tunnels, ICMP quotes) */
#define TCP_OPTIONS_MAX 40

/* One TCP header of a frame. */
typedef struct {
    uint16_t src_port, dst_port;
    uint32_t seq, ack;             /* raw, as on the wire */
    uint32_t len;                  /* payload bytes (TCP's tcp.len) */
    uint16_t window;               /* as on the wire, not scaled */
    uint8_t flags;                 /* the flags byte: CWR ECE URG ACK PSH RST SYN FIN */
    uint8_t ae;                    /* the AE (ex-NS) bit of the data-offset byte */
    uint8_t options_len;           /* option bytes captured, at most TCP_OPTIONS_MAX */
    uint8_t options[TCP_OPTIONS_MAX];
    bool icmp_quote;               /* a header quoted inside an ICMP/ICMPv6 error */
    bool complete;                 /* TCP could follow it: header read, length known */
    uint8_t ip_version;            /* 4 or 6 for the IP header right before it, else 0 */
    uint8_t ip_ttl;                /* its TTL or hop limit (with ip_version) */
    uint16_t ip_id;                /* its IPv4 identification (ip_version 4) */
    uint8_t addr_len;              /* 4, 16, or 0 when the network layer is not IP */
    uint8_t src_addr[16], dst_addr[16];
} tcp_segment_t;

/* Put the observer in front of TCP in the "ip.proto" table; call from the
 * handoff, once TCP has registered. */
void tcp_segments_init(int proto_tcplife);

/* The segments TCP received while dissecting this frame (first dissection
 * only: revisits of a frame record nothing), outermost first; returns how
 * many and forgets them. */
int tcp_segments_take(const packet_info *pinfo, const tcp_segment_t **segments);

#endif

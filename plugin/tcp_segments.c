/* tcp_segments.c - see each TCP segment as TCP receives it, without a tree.
 *
 * Reading TCP's fields from the protocol tree forces Wireshark to build a
 * tree for every packet, which costs more than all of tcplife's own work;
 * TCP's tap queue is empty in passes run without taps (tshark -2's first
 * pass, the GUI's read filter). So tcplife puts a small observer in front of
 * TCP in the "ip.proto" table, as Decode As would: it copies the header TCP
 * is handed (and the TTL/ID of the IP header that hands it over, which IP
 * passes along as ws_ip4/ws_ip6), then calls TCP itself. The handle has no
 * protocol, so it adds no layer and the dissection is otherwise unchanged.
 * The post-dissector takes the copies when the frame is done.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp_segments.h"

#include <epan/ipproto.h>
#include <epan/dissectors/packet-ip.h>
#include <string.h>

#define TCP_HEADER_MIN 20
#define TCP_HEADER_MAX 60

static dissector_handle_t tcp_handle;
static protocol_t *tcp_protocol;
static protocol_t *tcplife_protocol;

/* The segments of the frame being dissected. Dissection is single-threaded
 * and the post-dissector runs at the end of every frame's dissection, so one
 * buffer, owned by the frame that filled it, is enough. */
static struct {
    const frame_data *fd;
    uint32_t num;
    int count;
    tcp_segment_t segments[TCP_SEGMENTS_MAX];
} current;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void copy_ip_address(const address *a, uint8_t *out, uint8_t *len)
{
    if ((a->type == AT_IPv4 && a->len == 4) || (a->type == AT_IPv6 && a->len == 16)) {
        memcpy(out, a->data, (size_t)a->len);
        *len = (uint8_t)a->len;
    }
}

/* The IP header right before TCP, as IP hands it to the protocol it carries
 * (NULL when TCP was reached another way, e.g. through IPsec). */
static void read_ip(tcp_segment_t *s, const packet_info *pinfo, void *data)
{
    const ws_ip4 *v4 = WS_IP4_PTR(data);
    const ws_ip6 *v6 = v4 ? NULL : WS_IP6_PTR(data);
    uint8_t src_len = 0, dst_len = 0;
    if (v4) {
        s->ip_version = 4;
        s->ip_ttl = v4->ip_ttl;
        s->ip_id = v4->ip_id;
        copy_ip_address(&v4->ip_src, s->src_addr, &src_len);
        copy_ip_address(&v4->ip_dst, s->dst_addr, &dst_len);
    } else if (v6) {
        s->ip_version = 6;
        s->ip_ttl = v6->ip6_hop;
        copy_ip_address(&v6->ip6_src, s->src_addr, &src_len);
        copy_ip_address(&v6->ip6_dst, s->dst_addr, &dst_len);
    }
    if (!src_len || src_len != dst_len) {
        src_len = dst_len = 0;
        copy_ip_address(&pinfo->net_src, s->src_addr, &src_len);
        copy_ip_address(&pinfo->net_dst, s->dst_addr, &dst_len);
    }
    s->addr_len = src_len == dst_len ? src_len : 0;
}

static void record_segment(tvbuff_t *tvb, const packet_info *pinfo, void *data)
{
    if (current.fd != pinfo->fd || current.num != pinfo->num) {
        current.fd = pinfo->fd;
        current.num = pinfo->num;
        current.count = 0;
    }
    uint8_t hdr[TCP_HEADER_MAX];
    unsigned captured = tvb_captured_length(tvb);
    /* TCP gives up on a header it cannot read up to the window (an 8-byte
     * ICMP quote): it never becomes a stream. */
    if (current.count >= TCP_SEGMENTS_MAX || captured < 16)
        return;
    unsigned n = captured < TCP_HEADER_MAX ? captured : TCP_HEADER_MAX;
    tvb_memcpy(tvb, hdr, 0, n);

    tcp_segment_t *s = &current.segments[current.count++];
    memset(s, 0, sizeof *s);
    s->src_port = (uint16_t)(hdr[0] << 8 | hdr[1]);
    s->dst_port = (uint16_t)(hdr[2] << 8 | hdr[3]);
    s->seq = be32(hdr + 4);
    s->ack = be32(hdr + 8);
    s->ae = hdr[12] & 0x01;
    s->flags = hdr[13];
    s->window = (uint16_t)(hdr[14] << 8 | hdr[15]);
    unsigned header_len = (unsigned)(hdr[12] >> 4) * 4;
    unsigned options_end = header_len < n ? header_len : n;
    if (options_end > TCP_HEADER_MIN) {
        s->options_len = (uint8_t)(options_end - TCP_HEADER_MIN);
        memcpy(s->options, hdr + TCP_HEADER_MIN, s->options_len);
    }
    /* TCP knows a segment's length (tcp.len) exactly when this holds. */
    unsigned reported = tvb_reported_length(tvb);
    s->icmp_quote = pinfo->flags.in_error_pkt;
    s->complete = !pinfo->fragmented && !pinfo->flags.in_error_pkt && reported >= header_len;
    s->len = s->complete ? reported - header_len : 0;
    read_ip(s, pinfo, data);
}

static int observe_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!PINFO_FD_VISITED(pinfo) && proto_is_protocol_enabled(tcplife_protocol) &&
        proto_is_protocol_enabled(tcp_protocol))
        record_segment(tvb, pinfo, data);
    return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
}

void tcp_segments_init(int proto_tcplife)
{
    dissector_table_t ip_proto = find_dissector_table("ip.proto");
    if (!ip_proto)
        return;
    tcp_handle = dissector_get_uint_handle(ip_proto, IP_PROTO_TCP);
    if (!tcp_handle)
        return;
    tcp_protocol = find_protocol_by_id(dissector_handle_get_protocol_index(tcp_handle));
    tcplife_protocol = find_protocol_by_id(proto_tcplife);
    dissector_handle_t observer = create_dissector_handle_with_name_and_description(
        observe_tcp, -1, "tcplife_tcp_observer", "TCP (seen by TCP Lifecycle)");
    dissector_add_uint("ip.proto", IP_PROTO_TCP, observer);
}

int tcp_segments_take(const packet_info *pinfo, const tcp_segment_t **segments)
{
    if (current.fd != pinfo->fd || current.num != pinfo->num || current.count == 0)
        return 0;
    int n = current.count;
    current.fd = NULL;
    current.count = 0;
    *segments = current.segments;
    return n;
}

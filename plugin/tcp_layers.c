/* tcp_layers.c - read the TCP layers of a frame from the tree TCP built.
 *
 * Few fields are wanted from Wireshark, because every wanted field costs on
 * every packet: the `tcp` protocol item (its bytes are the header, parsed
 * here), tcp.stream and tcp.len, the `ip`/`ipv6` items (their bytes hold the
 * addresses), and `icmp`/`icmpv6` to recognise a header quoted in an error.
 * Items of one TCP header share proto_layer_num (the nth TCP); a layer's
 * addresses are those of the nearest IP header before it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp_layers.h"

#include <string.h>

enum { F_TCP, F_STREAM, F_LEN, F_IP, F_IP6, F_ICMP, F_ICMPV6, F_COUNT };

static const char *const field_names[F_COUNT] = {
    "tcp", "tcp.stream", "tcp.len", "ip", "ipv6", "icmp", "icmpv6",
};

static int field_ids[F_COUNT];

void tcp_layers_init_fields(void)
{
    for (int i = 0; i < F_COUNT; i++)
        field_ids[i] = proto_registrar_get_id_byname(field_names[i]);
}

GArray *tcp_layers_wanted_fields(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (int i = 0; i < F_COUNT; i++)
        if (field_ids[i] > 0)
            g_array_append_val(wanted, field_ids[i]);
    return wanted;
}

static GPtrArray *occurrences(proto_tree *tree, int field)
{
    return field_ids[field] > 0 ? proto_get_finfo_ptr_array(tree, field_ids[field]) : NULL;
}

/* The occurrence of a TCP field that belongs to the nth TCP header. */
static const field_info *tcp_field(proto_tree *tree, int field, int nth_tcp)
{
    GPtrArray *all = occurrences(tree, field);
    for (guint i = 0; all && i < all->len; i++) {
        const field_info *fi = (const field_info *)g_ptr_array_index(all, i);
        if (fi->proto_layer_num == nth_tcp)
            return fi;
    }
    return NULL;
}

/* The last occurrence of a field below layer `before` (total_layer_num). */
static const field_info *nearest_before(proto_tree *tree, int field, int before)
{
    GPtrArray *all = occurrences(tree, field);
    const field_info *best = NULL;
    for (guint i = 0; all && i < all->len; i++) {
        const field_info *fi = (const field_info *)g_ptr_array_index(all, i);
        if (fi->total_layer_num < before && (!best || fi->total_layer_num > best->total_layer_num))
            best = fi;
    }
    return best;
}

/* The captured bytes of an item, at most `want`. */
static int item_bytes(const field_info *fi, uint8_t *out, int want)
{
    if (!fi || !fi->ds_tvb)
        return 0;
    int have = tvb_captured_length_remaining(fi->ds_tvb, fi->start);
    int n = have < want ? have : want;
    if (n <= 0)
        return 0;
    tvb_memcpy(fi->ds_tvb, out, fi->start, n);
    return n;
}

static void read_addresses(proto_tree *tree, int layer_num, tcp_layer_t *l)
{
    const field_info *v4 = nearest_before(tree, F_IP, layer_num);
    const field_info *v6 = nearest_before(tree, F_IP6, layer_num);
    uint8_t hdr[40];
    l->addr_len = 0;
    if (v6 && (!v4 || v6->total_layer_num > v4->total_layer_num)) {
        if (item_bytes(v6, hdr, 40) == 40) {
            memcpy(l->src_addr, hdr + 8, 16);
            memcpy(l->dst_addr, hdr + 24, 16);
            l->addr_len = 16;
            l->ip_version = 6;
            l->ip_ttl = hdr[7];
        }
    } else if (v4 && item_bytes(v4, hdr, 20) == 20) {
        memcpy(l->src_addr, hdr + 12, 4);
        memcpy(l->dst_addr, hdr + 16, 4);
        l->addr_len = 4;
        l->ip_version = 4;
        l->ip_ttl = hdr[8];
        l->ip_id = (uint16_t)(hdr[4] << 8 | hdr[5]);
    }
}

/* Window scale option (RFC 7323) of a SYN header, or -1. */
static int8_t window_shift_option(const uint8_t *hdr, int captured, int header_len)
{
    int end = captured < header_len ? captured : header_len;
    for (int i = 20; i < end;) {
        uint8_t kind = hdr[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= end || hdr[i + 1] < 2)
            break;
        if (kind == 3 && hdr[i + 1] == 3 && i + 2 < end)
            return (int8_t)(hdr[i + 2] > 14 ? 14 : hdr[i + 2]);
        i += hdr[i + 1];
    }
    return -1;
}

int tcp_layers_read(proto_tree *tree, tcp_layer_t *layers)
{
    GPtrArray *headers = tree ? occurrences(tree, F_TCP) : NULL;
    int n = 0;
    for (guint i = 0; headers && i < headers->len && n < TCP_LAYERS_MAX; i++) {
        const field_info *tcp = (const field_info *)g_ptr_array_index(headers, i);
        const field_info *stream = tcp_field(tree, F_STREAM, tcp->proto_layer_num);
        if (!stream)
            continue; /* too short to be followed (e.g. an 8-byte ICMP quote) */
        tcp_layer_t *l = &layers[n++];
        memset(l, 0, sizeof *l);
        l->stream = tcplife_fi_uint(stream);
        l->icmp_quote = nearest_before(tree, F_ICMP, tcp->total_layer_num) ||
                        nearest_before(tree, F_ICMPV6, tcp->total_layer_num);
        l->window_shift = -1;

        uint8_t hdr[60];
        int captured = item_bytes(tcp, hdr, (int)sizeof hdr);
        const field_info *len = tcp_field(tree, F_LEN, tcp->proto_layer_num);
        if (captured < 16 || !len)
            continue; /* truncated: `complete` stays false */
        l->src_port = (uint16_t)(hdr[0] << 8 | hdr[1]);
        l->dst_port = (uint16_t)(hdr[2] << 8 | hdr[3]);
        l->seq = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
        l->ack = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 | (uint32_t)hdr[10] << 8 | hdr[11];
        l->flags = hdr[13];
        l->window = (uint16_t)(hdr[14] << 8 | hdr[15]);
        l->len = tcplife_fi_uint(len);
        if (l->flags & 0x02)
            l->window_shift = window_shift_option(hdr, captured, (hdr[12] >> 4) * 4);
        int header_len = (hdr[12] >> 4) * 4;
        int options_end = captured < header_len ? captured : header_len;
        if (options_end > 20) {
            l->options_len = (uint8_t)(options_end - 20);
            memcpy(l->options, hdr + 20, l->options_len);
        }
        l->complete = true;
        read_addresses(tree, tcp->total_layer_num, l);
    }
    return n;
}

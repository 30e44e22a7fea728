/* tcp_layers.c - read the TCP layers of a frame from the built-in fields.
 *
 * Works on the fields TCP already put in the tree, primed through the
 * post-dissector's wanted fields. TCP sub-fields are matched to their layer by
 * proto_layer_num (the nth TCP header); the IP addresses of a layer are those
 * of the nearest IP layer before it, and a TCP layer after an ICMP layer is a
 * quote inside an error message, not a segment.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp_layers.h"

#include <string.h>

enum {
    F_STREAM, F_SRCPORT, F_DSTPORT, F_FLAGS, F_SEQ, F_ACK, F_LEN, F_WINDOW,
    F_IP_SRC, F_IP_DST, F_IP6_SRC, F_IP6_DST, F_ICMP, F_ICMPV6, F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
    "tcp.len", "tcp.window_size", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "icmp", "icmpv6",
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
static const field_info *tcp_field(proto_tree *tree, int field, int tcp_layer)
{
    GPtrArray *all = occurrences(tree, field);
    if (!all)
        return NULL;
    for (guint i = 0; i < all->len; i++) {
        const field_info *fi = (const field_info *)g_ptr_array_index(all, i);
        if (fi->proto_layer_num == tcp_layer)
            return fi;
    }
    return NULL;
}

/* The last occurrence of a field below layer `before` (total_layer_num). */
static const field_info *nearest_before(proto_tree *tree, int field, int before)
{
    GPtrArray *all = occurrences(tree, field);
    const field_info *best = NULL;
    if (!all)
        return NULL;
    for (guint i = 0; i < all->len; i++) {
        const field_info *fi = (const field_info *)g_ptr_array_index(all, i);
        if (fi->total_layer_num < before && (!best || fi->total_layer_num > best->total_layer_num))
            best = fi;
    }
    return best;
}

static bool copy_addr_bytes(const field_info *fi, uint8_t *out, int len)
{
    if (!fi || fi->length != len || !fi->ds_tvb)
        return false;
    tvb_memcpy(fi->ds_tvb, out, fi->start, len);
    return true;
}

static void read_addresses(proto_tree *tree, int layer_num, tcp_layer_t *l)
{
    const field_info *v4 = nearest_before(tree, F_IP_SRC, layer_num);
    const field_info *v6 = nearest_before(tree, F_IP6_SRC, layer_num);
    bool use_v6 = v6 && (!v4 || v6->total_layer_num > v4->total_layer_num);
    const field_info *src = use_v6 ? v6 : v4;
    const field_info *dst = nearest_before(tree, use_v6 ? F_IP6_DST : F_IP_DST, layer_num);
    int len = use_v6 ? 16 : 4;
    l->addr_len = 0;
    if (copy_addr_bytes(src, l->src_addr, len) && copy_addr_bytes(dst, l->dst_addr, len))
        l->addr_len = (uint8_t)len;
}

static bool is_icmp_quote(proto_tree *tree, int layer_num)
{
    return nearest_before(tree, F_ICMP, layer_num) || nearest_before(tree, F_ICMPV6, layer_num);
}

int tcp_layers_read(proto_tree *tree, tcp_layer_t *layers)
{
    GPtrArray *streams = tree ? occurrences(tree, F_STREAM) : NULL;
    int n = 0;
    if (!streams)
        return 0;
    for (guint i = 0; i < streams->len && n < TCP_LAYERS_MAX; i++) {
        const field_info *stream = (const field_info *)g_ptr_array_index(streams, i);
        int nth = stream->proto_layer_num;
        tcp_layer_t *l = &layers[n];
        memset(l, 0, sizeof *l);
        l->stream = tcplife_fi_uint(stream);
        l->icmp_quote = is_icmp_quote(tree, stream->total_layer_num);

        const field_info *sport = tcp_field(tree, F_SRCPORT, nth);
        const field_info *dport = tcp_field(tree, F_DSTPORT, nth);
        const field_info *flags = tcp_field(tree, F_FLAGS, nth);
        const field_info *seq = tcp_field(tree, F_SEQ, nth);
        const field_info *ack = tcp_field(tree, F_ACK, nth);
        const field_info *len = tcp_field(tree, F_LEN, nth);
        const field_info *window = tcp_field(tree, F_WINDOW, nth);
        if (sport)
            l->src_port = (uint16_t)tcplife_fi_uint(sport);
        if (dport)
            l->dst_port = (uint16_t)tcplife_fi_uint(dport);
        if (flags)
            l->flags = (uint8_t)(tcplife_fi_uint(flags) & 0x1f);
        if (seq)
            l->seq = tcplife_fi_uint(seq);
        if (ack)
            l->ack = tcplife_fi_uint(ack);
        if (len)
            l->len = tcplife_fi_uint(len);
        l->window = window ? tcplife_fi_uint(window) : 65535;
        l->complete = sport && dport && flags && seq && (ack || !(l->flags & 0x10)) && len;
        read_addresses(tree, stream->total_layer_num, l);
        n++;
    }
    return n;
}

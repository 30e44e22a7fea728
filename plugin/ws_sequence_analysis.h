/* ws_sequence_analysis.h - the part of Wireshark's epan/sequence_analysis.h the
 * ladder uses. libwireshark exports these functions in every version, but
 * Debian's libwireshark-dev does not install the header, so its declarations
 * and the item layout are repeated here, per version.
 *
 * The layout was checked in each supported libwireshark by disassembling the
 * exported functions that touch the fields (objdump -d; x86-64 offsets):
 *   sequence_analysis_use_color_filter  fg_color 0x64, bg_color 0x68,
 *       has_color_filter 0x6c: a 4-byte store (movl) in 3.4.10 and 4.0.17,
 *       a 1-byte store (movb) in 4.4.19 and 4.6.9;
 *   the node/dump code  display: 4-byte read at 0x70 (3.4, 4.0),
 *       cmpb at 0x6d (4.4, 4.6); src_node/dst_node follow it;
 *   sequence_analysis_info_new  items (g_queue_new) at 0x10 in all four.
 * So the gboolean flags became bool with 4.4's switch to C99 types. 3.6.2's
 * and 4.2.2's epan/sequence_analysis.h (source, not disassembled) declare the
 * members up to line_style as 3.4 and 4.0 do, with gboolean flags.
 * Everything before conv_num is the same.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_WS_SEQUENCE_ANALYSIS_H
#define TCPLIFE_WS_SEQUENCE_ANALYSIS_H

#include "ws_compat.h"

#include <epan/address.h>
#include <epan/tap.h>

#if TCPLIFE_WS_AT_LEAST(4, 4)
typedef bool tcplife_sa_flag_t;
#else
typedef gboolean tcplife_sa_flag_t;
#endif

/* seq_analysis_item_t: always allocated by libwireshark
 * (sequence_analysis_create_sai_with_addresses), so the members after
 * line_style, which differ between versions, need not be declared. */
typedef struct {
    uint32_t frame_number;
    address src_addr;
    uint16_t port_src;
    address dst_addr;
    uint16_t port_dst;
    char *frame_label;            /* the label on the arrow */
    char *time_str;
    char *comment;                /* the text right of the graph */
    uint16_t conv_num;            /* colours the arrows of one conversation */
    unsigned fg_color;
    unsigned bg_color;
    tcplife_sa_flag_t has_color_filter;
    tcplife_sa_flag_t display;    /* shown in the graph */
    unsigned src_node;
    unsigned dst_node;
    uint16_t line_style;
} tcplife_sa_item_t;

/* seq_analysis_info_t, up to the item list (libwireshark allocates it). */
typedef struct {
    const char *name;
    tcplife_sa_flag_t any_addr;
    int nconv;
    GQueue *items;
} tcplife_sa_info_t;

void register_seq_analysis(const char *name, const char *ui_name, const int proto_id,
                           const char *tap_listener, unsigned tap_flags, tap_packet_cb tap_func);
tcplife_sa_item_t *sequence_analysis_create_sai_with_addresses(packet_info *pinfo,
                                                               tcplife_sa_info_t *sainfo);

#endif

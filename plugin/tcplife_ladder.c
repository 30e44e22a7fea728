/* tcplife_ladder.c - one connection as a ladder: the "TCP Lifecycle" flow
 * type of Statistics > Flow Graph, and `tshark -z flow,tcplife,network[,FILTER]`.
 *
 * Each packet is an arrow from its sender to its receiver, labelled with its
 * step ("syn 1/3", "fin_passive_merged 3/4", "rst refused"), and the comment
 * beside it gives both endpoints' states right after it. Flow Graph's "Limit
 * to display filter" (or the tshark filter, e.g. tcp.stream == 3) picks one
 * connection. Why this route: the flow graph is Wireshark's own ladder
 * diagram in the GUI and in tshark, in every version from 3.4 to 4.6; the
 * price is the item layout, which ws_sequence_analysis.h declares per version.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife_ladder.h"
#include "tcplife_info_column.h"
#include "lifecycle_names.h"
#include "ws_sequence_analysis.h"

#include <stddef.h>

/* The offsets checked in libwireshark (see ws_sequence_analysis.h). */
#if defined(__x86_64__) || defined(__aarch64__)
_Static_assert(offsetof(tcplife_sa_item_t, frame_label) == 0x48, "frame_label");
_Static_assert(offsetof(tcplife_sa_item_t, comment) == 0x58, "comment");
_Static_assert(offsetof(tcplife_sa_item_t, has_color_filter) == 0x6c, "has_color_filter");
_Static_assert(offsetof(tcplife_sa_item_t, display) == (TCPLIFE_WS_AT_LEAST(4, 4) ? 0x6d : 0x70),
               "display");
_Static_assert(offsetof(tcplife_sa_info_t, items) == 0x10, "items");
#endif

static tap_packet_status ladder_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                       const void *data, tap_flags_t flags _U_)
{
    tcplife_sa_info_t *sainfo = (tcplife_sa_info_t *)tapdata;
    const tcplife_record_t *rec = (const tcplife_record_t *)data;
    tcplife_sa_item_t *item = sequence_analysis_create_sai_with_addresses(pinfo, sainfo);
    if (!item)
        return TAP_PACKET_DONT_REDRAW;
    item->frame_number = pinfo->num;
    item->port_src = (uint16_t)pinfo->srcport;
    item->port_dst = (uint16_t)pinfo->destport;
    item->frame_label = tcplife_step_label(NULL, rec);
    item->comment = g_strdup_printf("client %s, server %s", tl_state_name(rec->ann.state_client),
                                    tl_state_name(rec->ann.state_server));
    /* one colour per connection; the text drawing's "Conv." column: its first frame */
    item->conv_num = (uint16_t)rec->conn->first_frame;
    item->line_style = 1;
    item->display = TRUE;
    g_queue_push_tail(sainfo->items, item);
    return TAP_PACKET_REDRAW;
}

void tcplife_ladder_register(int proto)
{
    register_seq_analysis("tcplife", "TCP Lifecycle", proto, "tcplife", 0, ladder_packet);
}

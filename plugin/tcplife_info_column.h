/* tcplife_info_column.h - the lifecycle in the Info column.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_INFO_COLUMN_H
#define TCPLIFE_INFO_COLUMN_H

#include "tcplife.h"

#include <epan/prefs.h>

/* Its two preferences, in tcplife's module. */
void tcplife_info_column_register_prefs(module_t *module);

/* "syn 1/3", "fin_passive_merged 3/4", "rst refused": the step, its number in
 * the handshake or close, the RST kind (allocated in `pool`, NULL: g_malloc). */
char *tcplife_step_label(wmem_allocator_t *pool, const tcplife_record_t *rec);

/* Prefix the Info column with "[syn 1/3: client SYN_SENT, server LISTEN] " (the
 * step label and the states this packet changed), when columns are being built
 * and the preferences want it for this packet. */
void tcplife_info_column_add(packet_info *pinfo, const tcplife_record_t *rec);

#endif

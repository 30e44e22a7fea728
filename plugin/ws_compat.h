/* ws_compat.h - the one place that knows how Wireshark 3.4 .. 4.6 differ.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_WS_COMPAT_H
#define TCPLIFE_WS_COMPAT_H

#define WS_BUILD_DLL /* wanted by master's plugin_exports.h; harmless before */
/* <wireshark.h> exists from 4.0 on (3.6 installs ws_version.h but no
 * wireshark.h); 3.4 and 3.6 have their version in the installed config.h. */
#if defined(__has_include)
#if __has_include(<wireshark.h>)
#define TCPLIFE_HAVE_WIRESHARK_H 1
#endif
#endif
#ifdef TCPLIFE_HAVE_WIRESHARK_H
#include <wireshark.h>
#else
#include <config.h>
#include <glib.h>
#include <stdint.h>
#include <stdbool.h>
#include <ws_symbol_export.h>
#define WIRESHARK_VERSION_MAJOR VERSION_MAJOR
#define WIRESHARK_VERSION_MINOR VERSION_MINOR
#endif
#include <epan/packet.h>
#include <epan/proto.h>

#define TCPLIFE_WS_AT_LEAST(ma, mi) \
    (WIRESHARK_VERSION_MAJOR > (ma) || \
     (WIRESHARK_VERSION_MAJOR == (ma) && WIRESHARK_VERSION_MINOR >= (mi)))

/* COL_MAX_INFO_LEN is in epan/column-info.h up to 3.6 (3.4.10, 3.6.2) and in
 * epan/column-utils.h (which packet.h includes) from 4.0 on. */
#if !TCPLIFE_WS_AT_LEAST(4, 0)
#include <epan/column-info.h>
#endif

/* Dissector handles carry a description (shown in Decode As) from 4.0 on;
 * before, the name alone. */
#if !TCPLIFE_WS_AT_LEAST(4, 0)
#define create_dissector_handle_with_name_and_description(dissector, proto, name, description) \
    create_dissector_handle_with_name((dissector), (proto), (name))
#endif

/* Tap and stats_tree packet callbacks take a tap_flags_t from 4.0 on (3.6's
 * tap.h and stats_tree.h have neither the type nor the parameter):
 *   static tap_packet_status cb(..., const void *data TCPLIFE_TAP_FLAGS_PARAM) */
#if TCPLIFE_WS_AT_LEAST(4, 0)
#define TCPLIFE_TAP_FLAGS_PARAM , tap_flags_t flags _U_
#else
#define TCPLIFE_TAP_FLAGS_PARAM
#endif

/* A bool preference's variable: gboolean before 4.4's switch to C99 types
 * (3.4, 3.6, 4.0, 4.2: prefs.h takes gboolean *), bool from 4.4 on (4.4/4.6 prefs.h). */
#if TCPLIFE_WS_AT_LEAST(4, 4)
typedef bool tcplife_pref_bool_t;
#else
typedef gboolean tcplife_pref_bool_t;
#endif

#endif

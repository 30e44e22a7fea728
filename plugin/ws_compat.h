/* ws_compat.h - the one place that knows how Wireshark 4.0 .. 4.6 differ.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_WS_COMPAT_H
#define TCPLIFE_WS_COMPAT_H

#define WS_BUILD_DLL /* wanted by master's plugin_exports.h; harmless before */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/ftypes/ftypes.h>

#define TCPLIFE_WS_AT_LEAST(ma, mi) \
    (WIRESHARK_VERSION_MAJOR > (ma) || \
     (WIRESHARK_VERSION_MAJOR == (ma) && WIRESHARK_VERSION_MINOR >= (mi)))

/* field_info.value is embedded in 4.0 and a pointer from 4.2 on. */
#if TCPLIFE_WS_AT_LEAST(4, 2)
#define TCPLIFE_FI_VALUE(fi) ((fi)->value)
#else
#define TCPLIFE_FI_VALUE(fi) (&(fi)->value)
#endif

/* A bool preference's variable: gboolean before 4.4's switch to C99 types
 * (4.0: prefs.h takes gboolean *), bool from 4.4 on (4.4/4.6 prefs.h). */
#if TCPLIFE_WS_AT_LEAST(4, 4)
typedef bool tcplife_pref_bool_t;
#else
typedef gboolean tcplife_pref_bool_t;
#endif

static inline uint32_t tcplife_fi_uint(const field_info *fi)
{
    return (uint32_t)fvalue_get_uinteger(TCPLIFE_FI_VALUE((field_info *)fi));
}

#endif

/* plugin_entry.c - the symbols Wireshark's plugin loader looks up.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ws_compat.h"

#if TCPLIFE_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#endif

#ifndef TCPLIFE_VERSION
#define TCPLIFE_VERSION "0.0.0"
#endif

void proto_register_tcplife(void);
void proto_reg_handoff_tcplife(void);

WS_DLL_PUBLIC_DEF const char plugin_version[] = TCPLIFE_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin plugin;
    plugin.register_protoinfo = proto_register_tcplife;
    plugin.register_handoff = proto_reg_handoff_tcplife;
    proto_register_plugin(&plugin);
}

#if TCPLIFE_WS_AT_LEAST(4, 4)
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

/* tcplife_info_column.c - the lifecycle in the packet list's Info column.
 *
 * Handshake, close and RST packets (every step but plain data and ACKs) get a
 * short prefix such as "[syn 1/3: client SYN_SENT, server LISTEN] ", so a user
 * sees the lifecycle without knowing a field name. Two preferences: one turns
 * it off, one extends it to data and ACK packets. Nothing is done when no
 * columns are being built (tshark -T fields, -q, taps without columns).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcplife_info_column.h"
#include "lifecycle_names.h"

#include <epan/column-utils.h>
#include <epan/prefs.h>

static tcplife_pref_bool_t pref_info_column = TRUE;
static tcplife_pref_bool_t pref_info_column_all = FALSE;

void tcplife_info_column_register_prefs(module_t *module)
{
    prefs_register_bool_preference(module, "info_column",
        "Show handshake, close and RST steps in the Info column",
        "Prefix the Info column of handshake, close and RST packets with the step and the "
        "states it changed, e.g. \"[syn 1/3: client SYN_SENT, server LISTEN]\".",
        &pref_info_column);
    prefs_register_bool_preference(module, "info_column_all",
        "Also show data and ACK packets in the Info column",
        "With the Info column text on, prefix data and plain ACK packets too.",
        &pref_info_column_all);
}

/* Plain data and ACKs move no state in the normal case: left alone by default. */
static bool is_lifecycle_step(unsigned step)
{
    return step != TL_STEP_DATA && step != TL_STEP_ACK && step != TL_STEP_ICMP_QUOTE;
}

static void append_state(wmem_strbuf_t *text, const char *role, unsigned before, unsigned after,
                         bool *first)
{
    if (before == after)
        return;
    wmem_strbuf_append_printf(text, "%s%s %s", *first ? ": " : ", ", role, tl_state_name(after));
    *first = false;
}

char *tcplife_step_label(wmem_allocator_t *pool, const tcplife_record_t *rec)
{
    const tl_annotation_t *a = &rec->ann;
    const char *kind = a->rst_kind != TL_RST_NONE ? tl_rst_kind_name(a->rst_kind) : NULL;
    unsigned number = a->handshake_step ? a->handshake_step : a->close_step;
    unsigned of = a->handshake_step ? 3 : 4;
    if (number && kind)
        return wmem_strdup_printf(pool, "%s %u/%u %s", tl_step_name(a->step), number, of, kind);
    if (number)
        return wmem_strdup_printf(pool, "%s %u/%u", tl_step_name(a->step), number, of);
    if (kind)
        return wmem_strdup_printf(pool, "%s %s", tl_step_name(a->step), kind);
    return wmem_strdup(pool, tl_step_name(a->step));
}

const char *tcplife_info_text(wmem_allocator_t *pool, const tcplife_record_t *rec)
{
    const tl_annotation_t *a = &rec->ann;
    wmem_strbuf_t *text = wmem_strbuf_new(pool, "[");
    wmem_strbuf_append(text, tcplife_step_label(pool, rec));
    bool first = true;
    append_state(text, "client", rec->client_before, a->state_client, &first);
    append_state(text, "server", rec->server_before, a->state_server, &first);
    wmem_strbuf_append(text, "] ");
    return wmem_strbuf_get_str(text);
}

void tcplife_info_column_add(packet_info *pinfo, const tcplife_record_t *rec)
{
    if (!pref_info_column || !rec->conn || !pinfo->cinfo || !col_get_writable(pinfo->cinfo, COL_INFO))
        return;
    if (!pref_info_column_all && !is_lifecycle_step(rec->ann.step))
        return;
    col_prepend_fstr(pinfo->cinfo, COL_INFO, "%s", tcplife_info_text(pinfo->pool, rec));
}

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
#include <string.h>

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

/* Labels are built with plain copies: a printf per packet costs more than
 * the rest of tcplife in the packet list. */
typedef struct {
    char text[128];
    size_t len;
} label_t;

static void put(label_t *l, const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof l->text - 1 - l->len)
        n = sizeof l->text - 1 - l->len;
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static void put_step_label(label_t *l, const tcplife_record_t *rec)
{
    const tl_annotation_t *a = &rec->ann;
    unsigned number = a->handshake_step ? a->handshake_step : a->close_step;
    put(l, tl_step_name(a->step));
    if (number) {
        char n[] = " n/3";
        n[1] = (char)('0' + number % 10);
        n[3] = a->handshake_step ? '3' : '4';
        put(l, n);
    }
    if (a->rst_kind != TL_RST_NONE) {
        put(l, " ");
        put(l, tl_rst_kind_name(a->rst_kind));
        if (a->flags & TL_ANN_RST_CHALLENGED)
            put(l, ", not at RCV.NXT");
    }
}

static void put_state_change(label_t *l, const char *role, unsigned before, unsigned after, bool *first)
{
    if (before == after)
        return;
    put(l, *first ? ": " : ", ");
    put(l, role);
    put(l, " ");
    put(l, tl_state_name(after));
    *first = false;
}

/* "[syn 1/3: client SYN_SENT, server LISTEN] " */
static void info_label(label_t *l, const tcplife_record_t *rec)
{
    const tl_annotation_t *a = &rec->ann;
    bool first = true;
    l->len = 0;
    put(l, "[");
    put_step_label(l, rec);
    put_state_change(l, "client", a->client_before, a->state_client, &first);
    put_state_change(l, "server", a->server_before, a->state_server, &first);
    put(l, "] ");
}

/* The label depends on eight small numbers of the annotation only (the RST
 * kind's byte also carries the challenged flag), and a
 * capture has few distinct combinations: each is built once and kept in a
 * small direct-mapped cache (a collision only builds the label again). */
#define LABEL_CACHE_SIZE 256

typedef struct {
    uint64_t key;
    bool used;
    label_t label;
} cached_label_t;

static cached_label_t label_cache[LABEL_CACHE_SIZE];

static uint64_t label_key(const tl_annotation_t *a)
{
    return (uint64_t)a->step | (uint64_t)a->handshake_step << 8 | (uint64_t)a->close_step << 16 |
           (uint64_t)(a->rst_kind | ((a->flags & TL_ANN_RST_CHALLENGED) ? 0x80 : 0)) << 24 |
           (uint64_t)a->client_before << 32 |
           (uint64_t)a->state_client << 40 | (uint64_t)a->server_before << 48 |
           (uint64_t)a->state_server << 56;
}

static const label_t *cached_info_label(const tcplife_record_t *rec)
{
    uint64_t key = label_key(&rec->ann);
    cached_label_t *slot = &label_cache[(key * 0x9e3779b97f4a7c15u) >> 56];
    if (!slot->used || slot->key != key) {
        info_label(&slot->label, rec);
        slot->key = key;
        slot->used = true;
    }
    return &slot->label;
}

/* col_prepend_fstr() costs about 1.4k instructions per packet (a printf and
 * two byte-by-byte copies of the whole Info text). Instead the joined text is
 * built with memcpy in packet memory, which the column points to until the
 * packet is freed. The fence goes after it all, so no later dissector's
 * col_set_str() or col_add_str() replaces the lifecycle label. */
static void prepend_info(packet_info *pinfo, const char *prefix, size_t prefix_len)
{
    const char *orig = col_get_text(pinfo->cinfo, COL_INFO);
    size_t orig_len = orig ? strlen(orig) : 0;
    if (orig_len > COL_MAX_INFO_LEN - 1 - prefix_len) /* the prefix is < 128 bytes */
        orig_len = COL_MAX_INFO_LEN - 1 - prefix_len;
    char *text = (char *)wmem_alloc(pinfo->pool, prefix_len + orig_len + 1);
    memcpy(text, prefix, prefix_len);
    if (orig_len)
        memcpy(text + prefix_len, orig, orig_len);
    text[prefix_len + orig_len] = '\0';
    col_clear_fence(pinfo->cinfo, COL_INFO);
    col_set_str(pinfo->cinfo, COL_INFO, text);
    col_set_fence(pinfo->cinfo, COL_INFO);
}

char *tcplife_step_label(wmem_allocator_t *pool, const tcplife_record_t *rec)
{
    label_t l = { .len = 0 };
    put_step_label(&l, rec);
    return wmem_strdup(pool, l.text);
}

void tcplife_info_column_add(packet_info *pinfo, const tcplife_record_t *rec)
{
    if (!pref_info_column || !rec->conn || !pinfo->cinfo)
        return;
    if (!pref_info_column_all && !is_lifecycle_step(rec->ann.step))
        return;
    if (!col_get_writable(pinfo->cinfo, COL_INFO))
        return;
    const label_t *l = cached_info_label(rec);
    prepend_info(pinfo, l->text, l->len);
}

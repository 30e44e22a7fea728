/* tree_items.c - tcplife's items, built only where the tree wants them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tree_items.h"
#include "tcplife.h"

/* tcplife registers its fields in one go, so their ids are one range. */
static int first_hf = -1;
static int hf_count;
static header_field_info **hf_info; /* by hf - first_hf */
static int *seconds_twin;           /* by hf - first_hf: twin hf id, or -1 */

/* Registers the twins of `times` (relative-time fields); ids[i] gets the twin
 * of times[i]. Wireshark keeps the hf array and the ids its p_id point to:
 * neither is ever freed. */
static void register_seconds_twins(int proto, const GPtrArray *times, int *ids)
{
    guint n = times->len;
    hf_register_info *hf = g_new0(hf_register_info, n);
    for (guint i = 0; i < n; i++) {
        const header_field_info *h = (const header_field_info *)g_ptr_array_index(times, i);
        ids[i] = -1;
        hf[i].p_id = &ids[i];
        hf[i].hfinfo.name = g_strdup_printf("%s (s)", h->name);
        hf[i].hfinfo.abbrev = g_strdup_printf("%s_seconds", h->abbrev);
        hf[i].hfinfo.type = FT_DOUBLE;
        hf[i].hfinfo.display = BASE_NONE;
        hf[i].hfinfo.blurb = g_strdup_printf("%s as a number of seconds", h->abbrev);
        hf[i].hfinfo.id = -1;
        hf[i].hfinfo.parent = 0;
        hf[i].hfinfo.ref_type = HF_REF_TYPE_NONE;
        hf[i].hfinfo.same_name_prev_id = -1;
    }
    proto_register_field_array(proto, hf, (int)n);
}

void tcplife_tree_items_init(int proto)
{
    GPtrArray *times = g_ptr_array_new();
    void *cookie = NULL;
    for (header_field_info *h = proto_get_first_protocol_field(proto, &cookie); h;
         h = proto_get_next_protocol_field(proto, &cookie))
        if (h->type == FT_RELATIVE_TIME && h->same_name_prev_id == -1)
            g_ptr_array_add(times, h);
    int *twin_ids = g_new(int, times->len ? times->len : 1);
    register_seconds_twins(proto, times, twin_ids);

    /* Every id in the range is tcplife's: other protocols register before or after. */
    int last_hf = -1;
    cookie = NULL;
    for (header_field_info *h = proto_get_first_protocol_field(proto, &cookie); h;
         h = proto_get_next_protocol_field(proto, &cookie)) {
        if (first_hf < 0 || h->id < first_hf)
            first_hf = h->id;
        if (h->id > last_hf)
            last_hf = h->id;
    }
    hf_count = first_hf < 0 ? 0 : last_hf - first_hf + 1;
    hf_info = g_new0(header_field_info *, hf_count ? hf_count : 1);
    seconds_twin = g_new(int, hf_count ? hf_count : 1);
    for (int i = 0; i < hf_count; i++) {
        hf_info[i] = proto_registrar_get_nth((guint)(first_hf + i));
        seconds_twin[i] = -1;
    }
    for (guint i = 0; i < times->len; i++)
        seconds_twin[((const header_field_info *)g_ptr_array_index(times, i))->id - first_hf] = twin_ids[i];
    g_ptr_array_free(times, TRUE);
}

bool tcplife_field_wanted(proto_tree *tree, int hf)
{
    if (!tree)
        return false;
    if (PTREE_DATA(tree)->visible)
        return true;
    unsigned i = (unsigned)(hf - first_hf);
    /* A field of another range: let Wireshark decide. */
    if (i >= (unsigned)hf_count || !hf_info[i])
        return true;
    /* DIRECT, or (4.2 on) PRINT: named by -T fields / a custom column */
    return hf_info[i]->ref_type != HF_REF_TYPE_NONE && hf_info[i]->ref_type != HF_REF_TYPE_INDIRECT;
}

proto_tree *tcplife_add_subtree(proto_tree *tree, int hf, int ett, tvbuff_t *tvb, proto_item **head)
{
    proto_item *item = NULL;
    proto_tree *sub = tree;
    if (tcplife_field_wanted(tree, hf)) {
        item = proto_tree_add_item(tree, hf, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(item);
        sub = proto_item_add_subtree(item, ett);
    }
    if (head)
        *head = item;
    return sub;
}

proto_item *tcplife_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    return tcplife_field_wanted(tree, hf) ? proto_tree_add_string(tree, hf, tvb, 0, 0, value) : NULL;
}

proto_item *tcplife_add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, uint32_t value)
{
    return tcplife_field_wanted(tree, hf) ? proto_tree_add_uint(tree, hf, tvb, 0, 0, value) : NULL;
}

proto_item *tcplife_add_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, uint64_t value)
{
    return tcplife_field_wanted(tree, hf) ? proto_tree_add_uint64(tree, hf, tvb, 0, 0, value) : NULL;
}

proto_item *tcplife_add_int(proto_tree *tree, int hf, tvbuff_t *tvb, int32_t value)
{
    return tcplife_field_wanted(tree, hf) ? proto_tree_add_int(tree, hf, tvb, 0, 0, value) : NULL;
}

proto_item *tcplife_add_true(proto_tree *tree, int hf, tvbuff_t *tvb)
{
    if (!tcplife_field_wanted(tree, hf))
        return NULL;
    proto_item *item = proto_tree_add_boolean(tree, hf, tvb, 0, 0, TRUE);
    proto_item_set_generated(item);
    return item;
}

proto_item *tcplife_add_duration(proto_tree *tree, int hf, tvbuff_t *tvb, tl_time_t ns)
{
    proto_item *item = NULL;
    if (tcplife_field_wanted(tree, hf)) {
        nstime_t t = tcplife_nstime_from_ns(ns);
        item = proto_tree_add_time(tree, hf, tvb, 0, 0, &t);
    }
    unsigned i = (unsigned)(hf - first_hf);
    int twin = i < (unsigned)hf_count ? seconds_twin[i] : -1;
    if (twin >= 0 && tcplife_field_wanted(tree, twin))
        proto_item_set_hidden(proto_tree_add_double(tree, twin, tvb, 0, 0, (double)ns / (double)TL_NS_PER_SEC));
    return item;
}

proto_item *tcplife_add_abs_time(proto_tree *tree, int hf, tvbuff_t *tvb, tl_time_t ns)
{
    if (!tcplife_field_wanted(tree, hf))
        return NULL;
    nstime_t t = tcplife_nstime_from_ns(ns);
    return proto_tree_add_time(tree, hf, tvb, 0, 0, &t);
}

/* field_groups.c - which groups of tcplife's items a protocol tree wants.
 *
 * An invisible tree fakes every item nobody references, but only after the
 * caller has computed the item's value: the connection summary, the endpoint
 * facts and the handshake facts of every packet. Asking first is cheaper: one
 * load of each field's reference mark, set by Wireshark for the fields the
 * filter or the output names, for this packet.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "field_groups.h"

#include <string.h>

static const char *const group_prefixes[TCPLIFE_GROUP_COUNT][2] = {
    [TCPLIFE_GROUP_CONN] = { "tcplife.conn", NULL },
    [TCPLIFE_GROUP_ENDPOINTS] = { "tcplife.conn.client", "tcplife.conn.server" },
    [TCPLIFE_GROUP_HANDSHAKE] = { "tcplife.syn", "tcplife.tfo" },
    [TCPLIFE_GROUP_LINKS] = { "tcplife.ref", NULL },
};

static GPtrArray *group_fields[TCPLIFE_GROUP_COUNT]; /* header_field_info * */

static bool has_prefix(const char *abbrev, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(abbrev, prefix, n) == 0 &&
           (abbrev[n] == '\0' || abbrev[n] == '.' || abbrev[n] == '_');
}

void tcplife_field_groups_init(int proto)
{
    for (int g = 0; g < TCPLIFE_GROUP_COUNT; g++)
        group_fields[g] = g_ptr_array_new();
    void *cookie = NULL;
    for (header_field_info *h = proto_get_first_protocol_field(proto, &cookie); h;
         h = proto_get_next_protocol_field(proto, &cookie))
        for (int g = 0; g < TCPLIFE_GROUP_COUNT; g++)
            for (int p = 0; p < 2; p++)
                if (group_prefixes[g][p] && has_prefix(h->abbrev, group_prefixes[g][p]))
                    g_ptr_array_add(group_fields[g], h);
}

bool tcplife_group_wanted(proto_tree *tree, tcplife_group_t group)
{
    if (!tree)
        return false;
    if (PTREE_DATA(tree)->visible || !group_fields[group])
        return true;
    const GPtrArray *fields = group_fields[group];
    for (guint i = 0; i < fields->len; i++)
        if (((const header_field_info *)g_ptr_array_index(fields, i))->ref_type != HF_REF_TYPE_NONE)
            return true;
    return false;
}

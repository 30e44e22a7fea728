/* field_groups.h - which groups of tcplife's items a protocol tree wants.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_FIELD_GROUPS_H
#define TCPLIFE_FIELD_GROUPS_H

#include "ws_compat.h"

/* Each group is every field whose filter name is the prefix or continues it
 * with '.' or '_' (so the "_seconds" twins belong to their field's group). */
typedef enum {
    TCPLIFE_GROUP_CONN,      /* tcplife.conn: verdicts, endpoint facts, dwell times */
    TCPLIFE_GROUP_ENDPOINTS, /* tcplife.conn.client, tcplife.conn.server */
    TCPLIFE_GROUP_HANDSHAKE, /* tcplife.syn, tcplife.tfo */
    TCPLIFE_GROUP_LINKS,     /* tcplife.ref */
    TCPLIFE_GROUP_COUNT
} tcplife_group_t;

/* After every field of proto is registered (the seconds twins included). */
void tcplife_field_groups_init(int proto);

/* A visible tree wants everything; an invisible one (a display filter, and
 * tshark -T fields from 4.2 on) only the groups one of whose fields its
 * filter or output names; no tree wants nothing. */
bool tcplife_group_wanted(proto_tree *tree, tcplife_group_t group);

#endif

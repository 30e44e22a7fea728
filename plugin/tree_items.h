/* tree_items.h - tcplife's items, built only where the tree wants them.
 *
 * An invisible tree (a display filter, tshark -T fields from 4.2 on) keeps
 * only the items of the fields its filter or output names; Wireshark fakes
 * every other one, but each faked call still costs a hundred instructions or
 * so, and tcplife adds some forty per packet. Asking first costs a load.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_TREE_ITEMS_H
#define TCPLIFE_TREE_ITEMS_H

#include "ws_compat.h"
#include "lifecycle.h"

/* After every other field of proto: registers a hidden "<abbrev>_seconds"
 * number for each relative-time field (for -T json/ek: Elasticsearch maps
 * relative times as dates), then learns every field's header_field_info. */
void tcplife_tree_items_init(int proto);

/* Would an item of field hf under `tree` (an item of tcplife's own subtree)
 * be kept? Yes in a visible tree; in an invisible one only when hf is named
 * directly (a filter, or from 4.2 on -T fields and custom columns), as
 * Wireshark decides when it fakes an item; never without tree. */
bool tcplife_field_wanted(proto_tree *tree, int hf);

/* A subtree under `tree` for field hf (FT_NONE), or `tree` itself where the
 * head would be faked, so that wanted children still land in the tree. */
proto_tree *tcplife_add_subtree(proto_tree *tree, int hf, int ett, tvbuff_t *tvb, proto_item **head);

/* Each adds its item when wanted and returns it (NULL otherwise). */
proto_item *tcplife_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value);
proto_item *tcplife_add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, uint32_t value);
proto_item *tcplife_add_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, uint64_t value);
proto_item *tcplife_add_int(proto_tree *tree, int hf, tvbuff_t *tvb, int32_t value);
/* A generated boolean, true (tcplife's booleans are added only when true). */
proto_item *tcplife_add_true(proto_tree *tree, int hf, tvbuff_t *tvb);
/* A relative time and its hidden number of seconds. */
proto_item *tcplife_add_duration(proto_tree *tree, int hf, tvbuff_t *tvb, tl_time_t ns);
/* An absolute time (nanoseconds since the epoch). */
proto_item *tcplife_add_abs_time(proto_tree *tree, int hf, tvbuff_t *tvb, tl_time_t ns);

#endif

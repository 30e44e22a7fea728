/* lifecycle_names.h - the public spellings of the core's enums (SPEC.md).
 * These strings are the field values users filter on: change them only with
 * a changelog note.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_LIFECYCLE_NAMES_H
#define TCPLIFE_LIFECYCLE_NAMES_H

#include "lifecycle.h"

const char *tl_state_name(unsigned state);
const char *tl_phase_name(unsigned phase);
const char *tl_step_name(unsigned step);
const char *tl_role_name(unsigned role);
const char *tl_closer_name(unsigned closer);
const char *tl_rst_kind_name(unsigned kind);
const char *tl_outcome_name(unsigned outcome);
const char *tl_close_style_name(unsigned style);
const char *tl_active_closer_name(unsigned closer);

/* The same values while the verdict is pending: "pending_" + the name
 * (tl_summary_t.settled false and the capture not fully read). */
const char *tl_outcome_pending_name(unsigned outcome);
const char *tl_close_style_pending_name(unsigned style);
const char *tl_active_closer_pending_name(unsigned closer);
const char *tl_state_pending_name(unsigned state);
const char *tl_zeek_state_pending_name(const char *code);

/* Human wording for the tree's summary line, e.g. "passive FIN". */
const char *tl_step_description(unsigned step);

#endif

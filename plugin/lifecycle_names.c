/* lifecycle_names.c - the public spellings of the core's enums.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "lifecycle_names.h"

#include <string.h>

#define NAME_OF(table, value) \
    ((value) < sizeof(table) / sizeof((table)[0]) ? (table)[value] : "?")

static const char *const state_names[TL_STATE_COUNT] = {
    "UNKNOWN", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "CLOSED",
};
static const char *const phase_names[TL_PHASE_COUNT] = {
    "handshake", "established", "closing", "closed", "reset", "midstream",
};
static const char *const step_names[TL_STEP_COUNT] = {
    "syn", "syn_retransmission", "syn_ack", "syn_ack_retransmission", "handshake_ack",
    "data", "ack", "fin_active", "fin_active_ack", "fin_passive", "fin_passive_merged",
    "fin_simultaneous", "last_ack", "fin_retransmission", "rst", "after_close", "icmp_quote",
    "handshake_ack_ignored", "keepalive", "keepalive_ack", "zero_window_probe",
    "zero_window_probe_ack", "challenge_ack",
};
static const char *const step_descriptions[TL_STEP_COUNT] = {
    "SYN", "SYN retransmission", "SYN-ACK", "SYN-ACK retransmission", "handshake ACK",
    "data", "ACK", "active FIN", "ACK of the active FIN", "passive FIN",
    "passive FIN merged with the ACK of the active FIN", "simultaneous FIN", "last ACK",
    "FIN retransmission", "RST", "after close", "TCP header quoted in an ICMP error",
    "handshake ACK the server ignored", "keepalive probe", "ACK of a keepalive probe",
    "zero-window probe", "ACK of a zero-window probe",
    "challenge ACK answering an RST not at RCV.NXT",
};
static const char *const role_names[] = { "client", "server" };
static const char *const closer_names[] = { "none", "active", "passive" };
static const char *const rst_kind_names[TL_RST_COUNT] = {
    "none", "refused", "handshake_abort", "abort", "after_fin", "out_of_window", "midstream",
};
static const char *const outcome_names[TL_OUTCOME_COUNT] = {
    "complete", "reset", "refused", "syn_unanswered", "handshake_incomplete",
    "half_closed", "open", "midstream_closed", "midstream_open",
};
/* Pending values (single pass, live capture, a GUI filter while the file
 * loads): "pending_" and the value the field would have if the capture ended
 * here, so that a final-sounding value is never shown before it is final. */
static const char *const outcome_pending_names[TL_OUTCOME_COUNT] = {
    "pending_complete", "pending_reset", "pending_refused", "pending_syn_unanswered",
    "pending_handshake_incomplete", "pending_half_closed", "pending_open",
    "pending_midstream_closed", "pending_midstream_open",
};
static const char *const close_style_pending_names[TL_CLOSE_STYLE_COUNT] = {
    "pending_four_way", "pending_three_way", "pending_simultaneous", "pending_half",
    "pending_rst", "pending_none",
};
static const char *const active_closer_pending_names[TL_ACTIVE_CLOSER_COUNT] = {
    "pending_none", "pending_client", "pending_server", "pending_both",
};
static const char *const state_pending_names[TL_STATE_COUNT] = {
    "pending_UNKNOWN", "pending_LISTEN", "pending_SYN_SENT", "pending_SYN_RECEIVED",
    "pending_ESTABLISHED", "pending_FIN_WAIT_1", "pending_FIN_WAIT_2", "pending_CLOSE_WAIT",
    "pending_CLOSING", "pending_LAST_ACK", "pending_TIME_WAIT", "pending_CLOSED",
};
static const char *const zeek_states[] = {
    "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH",
};
static const char *const zeek_state_pending_names[] = {
    "pending_S0", "pending_S1", "pending_SF", "pending_REJ", "pending_S2", "pending_S3",
    "pending_RSTO", "pending_RSTR", "pending_RSTOS0", "pending_RSTRH", "pending_SH",
    "pending_SHR", "pending_OTH",
};
static const char *const close_style_names[TL_CLOSE_STYLE_COUNT] = {
    "four_way", "three_way", "simultaneous", "half", "rst", "none",
};
static const char *const active_closer_names[TL_ACTIVE_CLOSER_COUNT] = {
    "none", "client", "server", "both",
};

const char *tl_state_name(unsigned v) { return NAME_OF(state_names, v); }
const char *tl_phase_name(unsigned v) { return NAME_OF(phase_names, v); }
const char *tl_step_name(unsigned v) { return NAME_OF(step_names, v); }
const char *tl_step_description(unsigned v) { return NAME_OF(step_descriptions, v); }
const char *tl_role_name(unsigned v) { return NAME_OF(role_names, v); }
const char *tl_closer_name(unsigned v) { return NAME_OF(closer_names, v); }
const char *tl_rst_kind_name(unsigned v) { return NAME_OF(rst_kind_names, v); }
const char *tl_outcome_name(unsigned v) { return NAME_OF(outcome_names, v); }
const char *tl_close_style_name(unsigned v) { return NAME_OF(close_style_names, v); }
const char *tl_active_closer_name(unsigned v) { return NAME_OF(active_closer_names, v); }

const char *tl_outcome_pending_name(unsigned v) { return NAME_OF(outcome_pending_names, v); }
const char *tl_close_style_pending_name(unsigned v) { return NAME_OF(close_style_pending_names, v); }
const char *tl_active_closer_pending_name(unsigned v) { return NAME_OF(active_closer_pending_names, v); }
const char *tl_state_pending_name(unsigned v) { return NAME_OF(state_pending_names, v); }

const char *tl_zeek_state_pending_name(const char *code)
{
    for (size_t i = 0; i < sizeof zeek_states / sizeof zeek_states[0]; i++)
        if (strcmp(code, zeek_states[i]) == 0)
            return zeek_state_pending_names[i];
    return "pending";
}

/* reference_model.h - a second, independently written lifecycle model.
 *
 * Predicts the core's final (two-pass, corrected) per-packet annotations and
 * the connection verdict for one *protocol-following* conversation, written
 * from RFC 9293 (3.3.2 state diagram, 3.10 event processing) and SPEC.md,
 * not from plugin/lifecycle.c. It only has to be right on the sub-domain the
 * generator of fuzz_reference.c produces:
 *
 *  - endpoint 0 is the client and its first segment is a SYN;
 *  - every segment carries the sender's real next sequence number and (but
 *    for the SYN) an ACK of what it has received (or less: a late ACK);
 *  - a segment is lost only where a later one proves it: a SYN-ACK answered
 *    by a SYN retransmission, or a pure ACK of a FIN answered by that FIN
 *    again; retransmissions are exact copies;
 *  - RSTs carry ACK and the sender's next seq (in window), and come before
 *    the connection is over; what follows an RST is a straggler;
 *  - crossing FINs: the second FIN does not acknowledge the first;
 *  - no Fast Open, no simultaneous open, no keepalives, nothing out of
 *    window, no TIME_WAIT expiring inside the conversation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_REFERENCE_MODEL_H
#define TCPLIFE_REFERENCE_MODEL_H

#include <stdint.h>

#include "lifecycle.h" /* the interface's types and names only */

#define RM_MAX_SEGMENTS 128

/* What the model predicts for one packet: the fields of tl_annotation_t. */
typedef struct {
    uint8_t phase, step, handshake_step, close_step, sender, closer;
    uint8_t state_client, state_server, client_before, server_before;
    uint8_t rst_kind;
    uint8_t tw_roles;   /* bit (1 << role) per endpoint that (re)enters TIME_WAIT */
    uint16_t flags;     /* TL_ANN_* */
    uint16_t lookahead; /* TL_ANN_* look-ahead verdicts */
} rm_packet_t;

typedef struct {
    uint8_t outcome, close_style, active_closer;
    uint8_t state_client, state_server;       /* at the last packet */
    uint8_t expired_client, expired_server;   /* once TIME_WAIT has run out */
} rm_verdict_t;

/* Predict `n` packets (n <= RM_MAX_SEGMENTS) into out[0..n-1]. */
void rm_predict(const tl_segment_t *segs, unsigned n, rm_packet_t *out, rm_verdict_t *verdict);

#endif

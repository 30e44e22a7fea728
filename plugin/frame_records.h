/* frame_records.h - the records of every frame, kept for the whole capture.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_FRAME_RECORDS_H
#define TCPLIFE_FRAME_RECORDS_H

#include "tcplife.h"

/* Forget every record (a new file). */
void frame_records_reset(void);

/* `count` (1..8) zeroed records for `frame`, contiguous, at addresses that
 * never move (the core keeps pointers to earlier annotations). */
tcplife_record_t *frame_records_add(uint32_t frame, unsigned count);

/* The records of `frame`, or NULL. */
tcplife_record_t *frame_records_get(uint32_t frame, unsigned *count);

/* Bytes held: the frame index and the record chunks. */
size_t frame_records_bytes(void);

#endif

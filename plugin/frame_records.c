/* frame_records.c - per-frame records in an array indexed by frame number.
 *
 * Proto data would cost a list entry and a lookup per frame; here a frame
 * costs 4 bytes of index (record number and count) plus its records, which
 * live in fixed-size chunks so that their addresses never change.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame_records.h"

#include <string.h>

#define CHUNK_SHIFT 16
#define CHUNK_RECORDS (1u << CHUNK_SHIFT)
#define COUNT_BITS 3 /* count - 1, up to 8 records a frame */

static uint32_t *frame_index;     /* frame -> (first record + 1) << COUNT_BITS | count - 1 */
static uint32_t frame_index_size;
static tcplife_record_t **chunks;
static uint32_t chunk_count;
static uint32_t records_used;     /* records handed out, including the padding
                                     skipped at a chunk's end */

void frame_records_reset(void)
{
    for (uint32_t i = 0; i < chunk_count; i++)
        g_free(chunks[i]);
    g_free(chunks);
    g_free(frame_index);
    chunks = NULL;
    chunk_count = 0;
    frame_index = NULL;
    frame_index_size = 0;
    records_used = 0;
}

static void grow_index(uint32_t frame)
{
    uint32_t size = frame_index_size ? frame_index_size : 4096;
    while (size <= frame)
        size *= 2;
    frame_index = (uint32_t *)g_realloc(frame_index, size * sizeof *frame_index);
    memset(frame_index + frame_index_size, 0, (size - frame_index_size) * sizeof *frame_index);
    frame_index_size = size;
}

static tcplife_record_t *record_at(uint32_t n)
{
    return &chunks[n >> CHUNK_SHIFT][n & (CHUNK_RECORDS - 1)];
}

tcplife_record_t *frame_records_add(uint32_t frame, unsigned count)
{
    if (count == 0 || count > (1u << COUNT_BITS) || records_used >= (UINT32_MAX >> COUNT_BITS) - CHUNK_RECORDS)
        return NULL;
    uint32_t offset = records_used & (CHUNK_RECORDS - 1);
    if (offset + count > CHUNK_RECORDS || records_used == (uint32_t)chunk_count << CHUNK_SHIFT) {
        /* a frame's records never straddle two chunks */
        records_used = (uint32_t)chunk_count << CHUNK_SHIFT;
        chunks = (tcplife_record_t **)g_realloc(chunks, (chunk_count + 1) * sizeof *chunks);
        chunks[chunk_count++] = (tcplife_record_t *)g_malloc(CHUNK_RECORDS * sizeof(tcplife_record_t));
    }
    if (frame >= frame_index_size)
        grow_index(frame);
    uint32_t first = records_used;
    records_used += count;
    frame_index[frame] = (first + 1) << COUNT_BITS | (count - 1);
    tcplife_record_t *records = record_at(first);
    memset(records, 0, count * sizeof *records);
    return records;
}

tcplife_record_t *frame_records_get(uint32_t frame, unsigned *count)
{
    uint32_t entry = frame < frame_index_size ? frame_index[frame] : 0;
    if (entry == 0)
        return NULL;
    *count = (entry & ((1u << COUNT_BITS) - 1)) + 1;
    return record_at((entry >> COUNT_BITS) - 1);
}

size_t frame_records_bytes(void)
{
    return (size_t)frame_index_size * sizeof *frame_index +
           (size_t)chunk_count * (CHUNK_RECORDS * sizeof(tcplife_record_t) + sizeof *chunks);
}

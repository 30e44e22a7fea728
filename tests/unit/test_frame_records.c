/* test_frame_records.c - the per-frame record store (plugin/frame_records.c),
 * built with ASan where available: an index or chunk boundary off by one is a
 * write past an array that nothing else in a capture would show.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame_records.h"
#include "harness.h"

#include <stdint.h>

static tcplife_conn_t *tag(uint32_t frame, unsigned i)
{
    return (tcplife_conn_t *)(uintptr_t)(frame * 16u + i + 1u);
}

/* Every frame 1..n gets (frame % 8) + 1 records tagged with its number. */
static void fill(uint32_t from, uint32_t n)
{
    for (uint32_t frame = from; frame <= n; frame++) {
        unsigned count = frame % 8 + 1;
        tcplife_record_t *r = frame_records_add(frame, count);
        CHECK(r != NULL);
        if (!r)
            return;
        for (unsigned i = 0; i < count; i++) {
            CHECK(r[i].conn == NULL && r[i].ann.step == 0); /* handed out zeroed */
            r[i].conn = tag(frame, i);
        }
    }
}

static void check_all(uint32_t n)
{
    for (uint32_t frame = 1; frame <= n; frame++) {
        unsigned count = 0;
        tcplife_record_t *r = frame_records_get(frame, &count);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK_INT(count, frame % 8 + 1);
        for (unsigned i = 0; i < count; i++)
            CHECK(r[i].conn == tag(frame, i)); /* not another frame's records */
    }
}

/* 20,000 frames: the index doubles exactly at frames 4096, 8192 and 16384,
 * and ~90,000 records fill the first 65,536-record chunk and go on in the
 * second, no frame straddling the two. */
TU_TEST(index_and_chunk_boundaries)
{
    unsigned count = 0;
    frame_records_reset();
    CHECK(frame_records_get(1, &count) == NULL);
    fill(1, 20000);
    check_all(20000);
    CHECK(frame_records_get(20001, &count) == NULL);
    CHECK(frame_records_get(0, &count) == NULL);
    frame_records_reset();
}

TU_TEST(addresses_never_move)
{
    unsigned count = 0;
    frame_records_reset();
    fill(1, 10);
    tcplife_record_t *early = frame_records_get(3, &count);
    for (uint32_t frame = 11; frame <= 200000; frame++)
        frame_records_add(frame, 1);
    CHECK(frame_records_get(3, &count) == early);
    CHECK(early[0].conn == tag(3, 0));
    frame_records_reset();
}

TU_TEST(one_to_eight_records_a_frame)
{
    unsigned count = 0;
    frame_records_reset();
    CHECK(frame_records_add(1, 0) == NULL);
    CHECK(frame_records_add(2, 9) == NULL);
    CHECK(frame_records_add(3, 8) != NULL);
    CHECK(frame_records_get(3, &count) != NULL);
    CHECK_INT(count, 8);
    CHECK(frame_records_get(2, &count) == NULL);
    frame_records_reset();
}

TU_TEST(sparse_frames_and_reset)
{
    unsigned count = 0;
    frame_records_reset();
    CHECK(frame_records_add(1000000, 2) != NULL);
    CHECK(frame_records_get(1000000, &count) != NULL);
    CHECK_INT(count, 2);
    CHECK(frame_records_get(999999, &count) == NULL);
    CHECK(frame_records_bytes() >= 1000001 * sizeof(uint32_t));
    frame_records_reset();
    CHECK(frame_records_get(1000000, &count) == NULL);
    CHECK_INT(frame_records_bytes(), 0);
    fill(1, 5000);
    check_all(5000);
    frame_records_reset();
}

int main(int argc, char **argv)
{
    static const tu_test_t tests[] = {
        TU_ENTRY(index_and_chunk_boundaries),
        TU_ENTRY(addresses_never_move),
        TU_ENTRY(one_to_eight_records_a_frame),
        TU_ENTRY(sparse_frames_and_reset),
    };
    return tu_run(tests, sizeof tests / sizeof tests[0], argc, argv);
}

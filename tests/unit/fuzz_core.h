/* fuzz_core.h - random segments into the lifecycle core, invariants after each.
 *
 * One "stream" is a 4-tuple: segments from two endpoints, chosen from a byte
 * source (a seeded PRNG for the deterministic ctest, the fuzzer's input for
 * libFuzzer), fed the way the epan layer does (new incarnations, links to the
 * previous one). Any broken invariant prints what broke and aborts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_FUZZ_CORE_H
#define TCPLIFE_FUZZ_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    const uint8_t *data; /* NULL: use the PRNG */
    size_t size, pos;
    uint64_t prng;
    int exhausted;
} fz_source_t;

void fz_source_prng(fz_source_t *src, uint64_t seed);
void fz_source_bytes(fz_source_t *src, const uint8_t *data, size_t size);

typedef struct {
    uint64_t segments;
    uint64_t streams;
    uint64_t incarnations;
    uint64_t summaries;
    uint64_t steps[32];    /* by tl_step_t */
    uint64_t outcomes[16]; /* final summary outcome, by tl_outcome_t */
} fz_stats_t;

/* Run one stream of up to max_segments segments. Returns segments fed. */
unsigned fz_run_stream(fz_source_t *src, unsigned max_segments, fz_stats_t *stats);

/* Invariants broken by known core bugs (counted unless strict), to `out`. */
void fz_report_known_bugs(FILE *out);

#endif

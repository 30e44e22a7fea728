/* fuzz_lifecycle.c - the deterministic fuzzer run by ctest.
 *
 *   fuzz_lifecycle [SEGMENTS [SEED]]
 *
 * Feeds SEGMENTS random segments (default 200000) over many streams, from
 * fixed seeds, checking the core's invariants after each (fuzz_core.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_core.h"
#include "lifecycle_names.h"

int main(int argc, char **argv)
{
    uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 20240601;
    fz_stats_t stats = { 0 };
    fz_source_t src;
    uint64_t stream = 0;

    while (stats.segments < total) {
        /* One seed per stream: a failure names the stream to replay. */
        fz_source_prng(&src, seed * 1000003u + stream++);
        uint64_t left = total - stats.segments;
        /* Mostly short streams (many incarnations and handshakes), some long. */
        unsigned max = (stream % 10 == 0) ? 500 : 8 + (unsigned)(stream % 57);
        fz_run_stream(&src, left < max ? (unsigned)left : max, &stats);
    }
    printf("fuzz: %" PRIu64 " segments, %" PRIu64 " streams, %" PRIu64 " incarnations, %" PRIu64
           " summaries, all invariants held\n",
           stats.segments, stats.streams, stats.incarnations, stats.summaries);
    printf("steps:");
    for (unsigned i = 0; i < 32; i++)
        if (stats.steps[i])
            printf(" %s=%" PRIu64, tl_step_name(i), stats.steps[i]);
    printf("\noutcomes:");
    for (unsigned i = 0; i < 16; i++)
        if (stats.outcomes[i])
            printf(" %s=%" PRIu64, tl_outcome_name(i), stats.outcomes[i]);
    printf("\n");
    fz_report_known_bugs(stdout);
    /* Coverage sanity: the generator must reach the interesting steps. */
    static const unsigned must[] = { TL_STEP_SYN, TL_STEP_SYN_ACK, TL_STEP_HANDSHAKE_ACK,
                                     TL_STEP_FIN_ACTIVE, TL_STEP_FIN_PASSIVE,
                                     TL_STEP_FIN_PASSIVE_MERGED, TL_STEP_FIN_SIMULTANEOUS,
                                     TL_STEP_LAST_ACK, TL_STEP_RST, TL_STEP_AFTER_CLOSE };
    if (total >= 100000)
        for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
            if (!stats.steps[must[i]]) {
                fprintf(stderr, "fuzz: the generator never produced step %s\n", tl_step_name(must[i]));
                return 1;
            }
    return 0;
}

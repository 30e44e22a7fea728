/* fuzz_libfuzzer.c - libFuzzer entry point: the input bytes drive one stream.
 *
 *   build: clang -fsanitize=fuzzer,address,undefined (tests/unit/CMakeLists.txt
 *          does it when clang is found: target fuzz_lifecycle_libfuzzer)
 *   run:   ./fuzz_lifecycle_libfuzzer -max_total_time=60 corpus/
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_source_t src;
    fz_stats_t stats = { 0 };
    fz_source_bytes(&src, data, size);
    fz_run_stream(&src, 512, &stats);
    return 0;
}

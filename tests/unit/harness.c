/* harness.c - runs the tests, prints "N passed, N failed".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "harness.h"

int tu_current_failures;
int tu_checks;

int tu_run(const tu_test_t *tests, size_t count, int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        /* Optional arguments: run only the tests whose name contains one. */
        if (argc > 1) {
            int wanted = 0;
            for (int a = 1; a < argc; a++)
                if (strstr(tests[i].name, argv[a]))
                    wanted = 1;
            if (!wanted)
                continue;
        }
        tu_current_failures = 0;
        tests[i].fn();
        if (tu_current_failures) {
            failed++;
            fprintf(stderr, "FAIL %s (%d failed checks)\n", tests[i].name, tu_current_failures);
        } else {
            passed++;
            printf("ok   %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed (%d checks)\n", passed, failed, tu_checks);
    return failed ? 1 : 0;
}

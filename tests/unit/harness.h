/* harness.h - a tiny assertion harness for the lifecycle core's unit tests.
 *
 * Each test is a function; CHECK_* macros record a failure (with file:line and
 * both values) and let the test go on. main() prints "N passed, N failed".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPLIFE_UNIT_HARNESS_H
#define TCPLIFE_UNIT_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

extern int tu_current_failures;
extern int tu_checks;

#define TU_FAIL(...)                                                        \
    do {                                                                    \
        tu_current_failures++;                                              \
        fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);                 \
        fprintf(stderr, __VA_ARGS__);                                       \
        fputc('\n', stderr);                                                \
    } while (0)

#define CHECK(cond)                                                         \
    do {                                                                    \
        tu_checks++;                                                        \
        if (!(cond))                                                        \
            TU_FAIL("CHECK(%s) failed", #cond);                             \
    } while (0)

#define CHECK_INT(actual, expected)                                         \
    do {                                                                    \
        long long tu_a = (long long)(actual), tu_e = (long long)(expected); \
        tu_checks++;                                                        \
        if (tu_a != tu_e)                                                   \
            TU_FAIL("%s == %lld, expected %s == %lld", #actual, tu_a,       \
                    #expected, tu_e);                                       \
    } while (0)

#define CHECK_STR(actual, expected)                                         \
    do {                                                                    \
        const char *tu_a = (actual), *tu_e = (expected);                    \
        tu_checks++;                                                        \
        if (tu_a == NULL || strcmp(tu_a, tu_e) != 0)                        \
            TU_FAIL("%s == \"%s\", expected \"%s\"", #actual,               \
                    tu_a ? tu_a : "(null)", tu_e);                          \
    } while (0)

typedef struct {
    const char *name;
    void (*fn)(void);
} tu_test_t;

#define TU_TEST(name) static void name(void)
#define TU_ENTRY(name) { #name, name }

int tu_run(const tu_test_t *tests, size_t count, int argc, char **argv);

#endif

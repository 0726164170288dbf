/*
 * oracle.h: what a cmocka test does when the oracle it checks against (the
 * conformance data in ../shared, a Python package, a tool, the system's
 * time zones) is missing.  Include after <cmocka.h>.
 *
 * - For a user (a clone without ../shared): the test is skipped with a
 *   message naming what is missing, the other tests of the program still
 *   run, and the program exits 77 so that ctest shows "Skipped"
 *   (SKIP_RETURN_CODE 77), never "Passed".
 * - Under CI (AD_REQUIRE_ORACLES set and not "0"; .ci/run exports it): the
 *   test fails with the same message.
 *
 * Data that is present but cannot be read or parsed is a failure, never a
 * skip: call fail_msg() for that.
 */
#ifndef AD_TEST_ORACLE_H
#define AD_TEST_ORACLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oracle_skipped;

static inline bool
oracle_required(void)
{
    const char *v = getenv("AD_REQUIRE_ORACLES");

    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* Skip (user) or fail (CI) the running test; does not return. */
static inline void oracle_missing(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline void
oracle_missing(const char *fmt, ...)
{
    char what[1024];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(what, sizeof(what), fmt, ap) >= (int)sizeof(what))
        strcpy(what + sizeof(what) - 4, "...");
    va_end(ap);
    if (oracle_required())
        fail_msg("missing oracle: %s (AD_REQUIRE_ORACLES is set)", what);
    print_message("skipped: missing oracle: %s\n", what);
    oracle_skipped++;
    skip();
}

/* The exit code of main: failures first, then 77 when anything skipped. */
static inline int
oracle_exit(int failed)
{
    if (failed != 0)
        return 1; /* a count could read as 77 (skip) or wrap to 0 */
    if (oracle_skipped != 0) {
        fprintf(stderr,
                "%d test(s) skipped for a missing oracle: exit 77 (skip)\n",
                oracle_skipped);
        return 77;
    }
    return 0;
}

#endif

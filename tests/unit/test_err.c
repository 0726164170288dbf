#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "arctic_digest/err.h"

static void
test_err_set_fills_the_value_and_returns_minus_one(void **state)
{
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(err_set(&e, ERR_IO, ENOSPC, "cannot write '%s': %s",
                             "state.db", "No space left on device"),
                     -1);
    assert_int_equal(e.code, ERR_IO);
    assert_int_equal(e.detail, ENOSPC);
    assert_string_equal(e.msg,
                        "cannot write 'state.db': No space left on device");
    /* A NULL err is allowed and still says -1. */
    assert_int_equal(err_set(NULL, ERR_DATA, 0, "x"), -1);
}

static void
test_err_set_truncates_a_long_message(void **state)
{
    struct err e = ERR_INIT;
    char big[600];
    (void)state;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(err_set(&e, ERR_DATA, 0, "%s", big), -1);
    assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
}

static void
test_err_prefix_adds_context_and_keeps_code(void **state)
{
    struct err e = ERR_INIT;
    (void)state;

    err_set(&e, ERR_DATA, 7, "no <channel> element");
    assert_int_equal(err_prefix(&e, "feed '%s'", "arctic-today"), -1);
    assert_string_equal(e.msg, "feed 'arctic-today': no <channel> element");
    assert_int_equal(err_prefix(&e, "issue %d", 3), -1);
    assert_string_equal(e.msg,
                        "issue 3: feed 'arctic-today': no <channel> element");
    assert_int_equal(e.code, ERR_DATA);
    assert_int_equal(e.detail, 7);
    assert_int_equal(err_prefix(NULL, "x"), -1);
}

/* The one table to sysexits that DESIGN.md relies on (exit 75 above all). */
static void
test_err_exit_codes_are_sysexits(void **state)
{
    static const struct {
        enum err_code code;
        int exit;
    } v[] = {{ERR_OK, 0},          {ERR_USAGE, 64},   {ERR_DATA, 65},
             {ERR_NOINPUT, 66},    {ERR_UNAVAILABLE, 69},
             {ERR_INTERNAL, 70},   {ERR_CANTCREAT, 73}, {ERR_IO, 74},
             {ERR_TEMP, 75},       {ERR_PROTOCOL, 76}, {ERR_CONFIG, 78}};
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(err_exit_code(v[i].code), v[i].exit);
    /* Anything else is our own bug. */
    assert_int_equal(err_exit_code((enum err_code)99), 70);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set_fills_the_value_and_returns_minus_one),
        cmocka_unit_test(test_err_set_truncates_a_long_message),
        cmocka_unit_test(test_err_prefix_adds_context_and_keeps_code),
        cmocka_unit_test(test_err_exit_codes_are_sysexits),
    };

    return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}

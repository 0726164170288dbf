#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "arctic_digest/ascii.h"

/* In the "C" locale (tests never call setlocale) <ctype.h> is the oracle
 * for every byte value, and bytes above 0x7F are never classified. */
static void
test_ascii_classes_match_ctype_in_the_c_locale(void **state)
{
    int c;
    (void)state;

    for (c = 0; c < 256; c++) {
        assert_int_equal(ascii_is_space(c), isspace(c) != 0);
        assert_int_equal(ascii_is_digit(c), isdigit(c) != 0);
        assert_int_equal(ascii_is_alpha(c), isalpha(c) != 0);
        assert_int_equal(ascii_is_alnum(c), isalnum(c) != 0);
        assert_int_equal(
            ascii_hex_value(c),
            isxdigit(c) ? (isdigit(c) ? c - '0' : tolower(c) - 'a' + 10) : -1);
        assert_int_equal((unsigned char)ascii_tolower((char)c), tolower(c));
    }
}

static void
test_ascii_classes_take_signed_chars(void **state)
{
    const char s[] = "\xC3\xA9\xA0\x85";
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(s) - 1; i++) {
        assert_false(ascii_is_space(s[i]));
        assert_false(ascii_is_alnum(s[i]));
        assert_int_equal(ascii_hex_value(s[i]), -1);
        assert_int_equal(ascii_tolower(s[i]), s[i]);
    }
}

static void
test_ascii_lower_changes_only_ascii_letters(void **state)
{
    char s[] = "MiXeD 123 \xC3\x89T\xC3\x89";
    (void)state;

    ascii_lower(s, strlen(s));
    assert_string_equal(s, "mixed 123 \xC3\x89t\xC3\x89");
    ascii_lower(s, 0);
}

static void
test_ascii_ieq_ignores_only_ascii_case(void **state)
{
    (void)state;
    assert_true(ascii_ieq("", ""));
    assert_true(ascii_ieq("Email", "EMAIL"));
    assert_false(ascii_ieq("email", "emails"));
    assert_false(ascii_ieq("emails", "email"));
    assert_false(ascii_ieq("\xC3\xA9", "\xC3\x89")); /* é is not É here */
    assert_false(ascii_ieq("a", "b"));
}

static void
test_ascii_ieq_n_compares_a_counted_string(void **state)
{
    (void)state;
    assert_true(ascii_ieq_n("GMT+2", 3, "gmt"));
    assert_true(ascii_ieq_n("", 0, ""));
    assert_false(ascii_ieq_n("GMT", 2, "gmt"));
    assert_false(ascii_ieq_n("GM", 2, "gmt"));
    assert_false(ascii_ieq_n("G\0T", 3, "g"));
    assert_false(ascii_ieq_n("Sept", 4, "sep"));
}

static void
test_ascii_istarts_ignores_only_ascii_case(void **state)
{
    (void)state;
    assert_true(ascii_istarts("HTTPS://doi.org", 15, "https://"));
    assert_true(ascii_istarts("<TiTle>", 7, "<title"));
    assert_true(ascii_istarts("abc", 3, "ABC"));
    assert_true(ascii_istarts("abc", 3, ""));
    assert_true(ascii_istarts("", 0, ""));
    assert_false(ascii_istarts("ab", 2, "abc"));
    assert_false(ascii_istarts("abc", 2, "abc")); /* n, not the NUL, ends p */
    assert_true(ascii_istarts("a\0c", 3, "a"));
    assert_false(ascii_istarts("a\0c", 3, "ab")); /* a NUL in p is a byte */
    assert_false(ascii_istarts("\xC3\xA9t\xC3\xA9", 5, "\xC3\x89t"));
    assert_true(ascii_istarts(" \xE2\x80\x94 x", 6, " \xE2\x80\x94"));
    assert_false(ascii_istarts("doi", 3, "doi:"));
}

static void
test_ascii_ends_with_is_exact(void **state)
{
    (void)state;
    assert_true(ascii_ends_with("application/atom+xml", 20, "+xml"));
    assert_true(ascii_ends_with("+xml", 4, "+xml"));
    assert_true(ascii_ends_with("abc", 3, ""));
    assert_false(ascii_ends_with("xml", 3, "+xml"));
    assert_false(ascii_ends_with("text/XML", 8, "xml"));
    assert_true(ascii_ends_with("read more...x", 12, "..."));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_classes_match_ctype_in_the_c_locale),
        cmocka_unit_test(test_ascii_classes_take_signed_chars),
        cmocka_unit_test(test_ascii_lower_changes_only_ascii_letters),
        cmocka_unit_test(test_ascii_ieq_ignores_only_ascii_case),
        cmocka_unit_test(test_ascii_ieq_n_compares_a_counted_string),
        cmocka_unit_test(test_ascii_istarts_ignores_only_ascii_case),
        cmocka_unit_test(test_ascii_ends_with_is_exact),
    };
    return cmocka_run_group_tests_name("ascii", tests, NULL, NULL);
}

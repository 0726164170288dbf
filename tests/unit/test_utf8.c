#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/utf8.h"

struct dec {
    const char *in;
    size_t n;
    int32_t cp; /* -1: invalid */
    size_t len; /* bytes used */
};

static void
check_decode(const struct dec *v, size_t count)
{
    size_t i, len;
    int32_t cp;

    for (i = 0; i < count; i++) {
        len = u8_decode(v[i].in, v[i].n, &cp);
        if (cp != v[i].cp || len != v[i].len)
            fail_msg("case %zu: got U+%04lX/%zu, want U+%04lX/%zu", i, (long)cp,
                     len, (long)v[i].cp, v[i].len);
    }
}

static void
test_utf8_decode_accepts_every_length(void **state)
{
    static const struct dec v[] = {
        {"\0", 1, 0, 1},
        {"A", 1, 'A', 1},
        {"\x7F", 1, 0x7F, 1},
        {"\xC2\x80", 2, 0x80, 2},
        {"\xC3\xA9x", 3, 0xE9, 2},
        {"\xDF\xBF", 2, 0x7FF, 2},
        {"\xE0\xA0\x80", 3, 0x800, 3},
        {"\xE2\x82\xAC", 3, 0x20AC, 3},
        {"\xED\x9F\xBF", 3, 0xD7FF, 3},
        {"\xEE\x80\x80", 3, 0xE000, 3},
        {"\xEF\xBF\xBD", 3, 0xFFFD, 3},
        {"\xF0\x90\x80\x80", 4, 0x10000, 4},
        {"\xF0\x9F\xA7\x8A", 4, 0x1F9CA, 4},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4},
    };
    (void)state;
    check_decode(v, sizeof(v) / sizeof(v[0]));
}

static void
test_utf8_decode_rejects_maximal_subparts(void **state)
{
    static const struct dec v[] = {
        {"\x80", 1, -1, 1}, /* stray continuation */
        {"\xBF\x80", 2, -1, 1},
        {"\xC0\x80", 2, -1, 1},     /* overlong NUL */
        {"\xC1\xBF", 2, -1, 1},     /* overlong */
        {"\xE0\x80\x80", 3, -1, 1}, /* overlong: E0 needs A0-BF */
        {"\xE0\x9F\xBF", 3, -1, 1},
        {"\xF0\x8F\xBF\xBF", 4, -1, 1}, /* overlong: F0 needs 90-BF */
        {"\xED\xA0\x80", 3, -1, 1},     /* surrogate D800 */
        {"\xED\xBF\xBF", 3, -1, 1},     /* surrogate DFFF */
        {"\xF4\x90\x80\x80", 4, -1, 1}, /* 110000 */
        {"\xF5\x80\x80\x80", 4, -1, 1}, /* no such lead byte */
        {"\xFE", 1, -1, 1},
        {"\xFF", 1, -1, 1},
        {"\xC3", 1, -1, 1}, /* truncated by the end */
        {"\xE2\x82", 2, -1, 2},
        {"\xF0\x9F\xA7", 3, -1, 3},
        {"\xC3"
         "A",
         2, -1, 1}, /* truncated by ASCII */
        {"\xE2\x82"
         "A",
         3, -1, 2},
        {"\xF0\x9F\xA7"
         "A",
         4, -1, 3},
        {"\xE2\x82\xAC", 2, -1, 2}, /* n cuts a valid sequence */
    };
    (void)state;
    check_decode(v, sizeof(v) / sizeof(v[0]));
}

static void
test_utf8_next_and_len_step_over_bad_bytes_one_at_a_time(void **state)
{
    static const char s[] = "a\xE2\x82\xC3\xA9\xED\xA0\x80"
                            "b";
    static const uint32_t want[] = {'a',    0xFFFD, 0xFFFD, 0xE9,
                                    0xFFFD, 0xFFFD, 0xFFFD, 'b'};
    size_t n = sizeof(s) - 1, i = 0, k = 0;
    (void)state;

    while (i < n) {
        size_t before = i;

        assert_true(k < sizeof(want) / sizeof(want[0]));
        assert_int_equal(u8_next(s, n, &i), want[k]);
        assert_int_equal(i - before, u8_len(s + before, n - before));
        k++;
    }
    assert_int_equal(k, sizeof(want) / sizeof(want[0]));
    assert_int_equal(u8_len("\xF0\x9F\xA7\x8A", 4), 4);
    assert_int_equal(u8_len("\xF0\x9F\xA7\x8A", 3), 1);
}

static void
test_utf8_encode_round_trips_every_scalar_value(void **state)
{
    char s[U8_MAX_LEN];
    uint32_t cp;
    size_t len;
    int32_t back;
    (void)state;

    for (cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        len = u8_encode(cp, s);
        assert_int_equal(len, cp < 0x80      ? 1
                              : cp < 0x800   ? 2
                              : cp < 0x10000 ? 3
                                             : 4);
        if (u8_decode(s, len, &back) != len || back != (int32_t)cp)
            fail_msg("U+%04lX does not round-trip", (unsigned long)cp);
    }
}

static void
test_utf8_append_writes_the_encoding(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    u8_append(&b, 'x');
    u8_append(&b, 0xE9);
    u8_append(&b, 0x20AC);
    u8_append(&b, 0x1F9CA);
    u8_append(&b, U8_REPLACEMENT);
    assert_int_equal(b.len, 1 + 2 + 3 + 4 + 3);
    assert_memory_equal(b.data,
                        "x\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA7\x8A"
                        "\xEF\xBF\xBD",
                        b.len);
    buf_release(&b);
}

static void
test_utf8_is_cont_marks_only_continuation_bytes(void **state)
{
    unsigned c;
    (void)state;

    for (c = 0; c < 256; c++)
        assert_int_equal(u8_is_cont((unsigned char)c), c >= 0x80 && c < 0xC0);
}

static void
test_utf8_valid_rejects_bad_sequences(void **state)
{
    (void)state;
    assert_true(u8_valid("", 0));
    assert_true(u8_valid("plain \xC3\xA9\xE2\x82\xAC\xF4\x8F\xBF\xBF", 15));
    assert_true(u8_valid("a\0b", 3));
    assert_false(u8_valid("\xC1\xBF", 2));         /* overlong */
    assert_false(u8_valid("\xE0\x9F\xBF", 3));     /* overlong */
    assert_false(u8_valid("\xF0\x8F\xBF\xBF", 4)); /* overlong */
    assert_false(u8_valid("\xED\xBF\xBF", 3));     /* surrogate */
    assert_false(u8_valid("\xF4\x90\x80\x80", 4)); /* > 10FFFF */
    assert_false(u8_valid("\xF5\x80\x80\x80", 4));
    assert_false(u8_valid("\x80", 1));
    assert_false(u8_valid("\xC3", 1)); /* truncated */
    assert_false(u8_valid("\xE2\x82", 2));
}

/* Every length and every place for the first non-ASCII byte, across the
 * word-at-a-time part and the byte-at-a-time tail. */
static void
test_utf8_ascii_run_stops_at_the_first_high_byte(void **state)
{
    char s[40];
    size_t n, at;
    (void)state;

    assert_int_equal(u8_ascii_run("", 0), 0);
    assert_int_equal(u8_ascii_run("a\0b\x7F", 4), 4);
    for (n = 0; n <= sizeof(s); n++) {
        memset(s, 'x', sizeof(s));
        assert_int_equal(u8_ascii_run(s, n), n);
        for (at = 0; at < n; at++) {
            memset(s, 'x', sizeof(s));
            s[at] = (char)(at & 1 ? 0x80 : 0xFF);
            assert_int_equal(u8_ascii_run(s, n), at);
        }
    }
}

static void
test_utf8_cut_never_splits_a_sequence(void **state)
{
    /* a, é (2), € (3), 🧊 (4), b, and a stray continuation byte */
    static const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA7\x8A"
                            "b\x80"
                            "\xE2\x82\xAC";
    static const int boundary[] = {1, 1, 0, 1, 0, 0, 1, 0,
                                   0, 0, 1, 1, 1, 0, 0, 1};
    size_t n = sizeof(s) - 1, max, want, k;
    (void)state;

    assert_int_equal(sizeof(boundary) / sizeof(boundary[0]), n + 1);
    for (max = 0; max <= n + 3; max++) {
        want = max > n ? n : max;
        while (!boundary[want])
            want--;
        k = u8_cut(s, n, max);
        if (k != want)
            fail_msg("cut at %zu: got %zu, want %zu", max, k, want);
        if (k <= 11)
            assert_true(u8_valid(s, k));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_decode_accepts_every_length),
        cmocka_unit_test(test_utf8_decode_rejects_maximal_subparts),
        cmocka_unit_test(
            test_utf8_next_and_len_step_over_bad_bytes_one_at_a_time),
        cmocka_unit_test(test_utf8_encode_round_trips_every_scalar_value),
        cmocka_unit_test(test_utf8_append_writes_the_encoding),
        cmocka_unit_test(test_utf8_is_cont_marks_only_continuation_bytes),
        cmocka_unit_test(test_utf8_valid_rejects_bad_sequences),
        cmocka_unit_test(test_utf8_ascii_run_stops_at_the_first_high_byte),
        cmocka_unit_test(test_utf8_cut_never_splits_a_sequence),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}

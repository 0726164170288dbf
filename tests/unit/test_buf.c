#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"

static void
test_buf_init_is_empty_string(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void
test_buf_append_keeps_nul_and_binary(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;
    buf_append(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 3);
    assert_int_equal(b.data[3], '\0');
    buf_appendf(&b, "%d-%s", 42, "x");
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data + 3, "42-x", 5);
    buf_release(&b);
}

static void
test_buf_grows_past_many_appends(void **state)
{
    struct buf b = BUF_INIT;
    size_t i;
    (void)state;
    for (i = 0; i < 10000; i++)
        buf_append_char(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 10000);
    assert_int_equal(b.data[9999], 'a' + 9999 % 26);
    buf_truncate(&b, 3);
    assert_string_equal(b.data, "abc");
    buf_reset(&b);
    assert_string_equal(b.data, "");
    buf_release(&b);
}

static void
test_buf_detach_hands_over_memory(void **state)
{
    struct buf b = BUF_INIT;
    size_t n = 99;
    char *p;
    (void)state;
    p = buf_detach(&b, &n);
    assert_string_equal(p, "");
    assert_int_equal(n, 0);
    free(p);
    buf_append_str(&b, "hello");
    p = buf_detach(&b, &n);
    assert_string_equal(p, "hello");
    assert_int_equal(n, 5);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    free(p);
}

static void
test_buf_shrink_keeps_the_bytes_and_frees_the_rest(void **state)
{
    struct buf b = BUF_INIT;
    size_t i;
    (void)state;

    buf_shrink(&b); /* the shared empty string is left alone */
    assert_int_equal(b.cap, 0);
    for (i = 0; i < 1000; i++)
        buf_append_char(&b, (char)('a' + i % 26));
    assert_true(b.cap > 1001);
    buf_shrink(&b);
    assert_int_equal(b.cap, 1001);
    assert_int_equal(b.len, 1000);
    assert_int_equal(b.data[999], 'a' + 999 % 26);
    assert_int_equal(b.data[1000], '\0');
    buf_append_char(&b, '!');
    assert_int_equal(b.len, 1001);
    assert_string_equal(b.data + 1000, "!");
    buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_init_is_empty_string),
        cmocka_unit_test(test_buf_append_keeps_nul_and_binary),
        cmocka_unit_test(test_buf_grows_past_many_appends),
        cmocka_unit_test(test_buf_detach_hands_over_memory),
        cmocka_unit_test(test_buf_shrink_keeps_the_bytes_and_frees_the_rest),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

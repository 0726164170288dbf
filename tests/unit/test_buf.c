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

/* The text of l, read through buf_list_read in reads of step bytes. */
static void
read_all(const struct buf_list *l, size_t step, struct buf *out)
{
    struct buf_list_pos pos = BUF_LIST_POS_INIT;
    char chunk[64];
    size_t n;

    assert_true(step <= sizeof(chunk));
    while ((n = buf_list_read(l, &pos, chunk, step)) > 0) {
        assert_true(n <= step);
        buf_append(out, chunk, n);
    }
    /* At the end it stays at the end. */
    assert_int_equal(buf_list_read(l, &pos, chunk, step), 0);
}

static void
test_buf_list_reads_the_ranges_in_order_at_any_step(void **state)
{
    const char *text = "Subject: x\r\n\r\n.line\r\n..\r\nend\r\n";
    size_t n = strlen(text), cut1, cut2, step;
    (void)state;

    /* Every way of cutting the text in three, empty pieces included (a
     * CRLF or a leading dot split between two), read in steps of 1 to 7
     * bytes and in one read of the whole. */
    for (cut1 = 0; cut1 <= n; cut1++) {
        for (cut2 = cut1; cut2 <= n; cut2++) {
            struct buf_list l = BUF_LIST_INIT;
            struct buf own = BUF_INIT;
            buf_list_add(&l, text, cut1);
            buf_list_add(&l, "", 0);
            buf_append(&own, text + cut1, cut2 - cut1);
            buf_list_add_own(&l, &own);
            buf_list_add(&l, text + cut2, n - cut2);
            assert_int_equal(l.len, n);
            for (step = 1; step <= 8; step++) {
                struct buf got = BUF_INIT;
                read_all(&l, step == 8 ? 64 : step, &got);
                assert_int_equal(got.len, n);
                assert_memory_equal(got.data, text, n);
                buf_release(&got);
            }
            buf_release(&own);
            buf_list_release(&l);
        }
    }
}

static void
test_buf_list_owns_what_it_is_given_and_reuses_it(void **state)
{
    struct buf_list l = BUF_LIST_INIT;
    struct buf b = BUF_INIT, joined = BUF_INIT;
    const char *kept;
    char borrowed[] = "0123456789";
    (void)state;

    buf_append_str(&b, "--=_boundary");
    kept = buf_list_own(&l, &b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    buf_list_add(&l, kept, 12);
    /* Ranges next to each other in memory become one. */
    buf_list_add(&l, borrowed, 3);
    buf_list_add(&l, borrowed + 3, 4);
    buf_list_add(&l, kept, 12);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.len, 31);
    buf_list_join(&l, &joined);
    assert_string_equal(joined.data, "--=_boundary0123456--=_boundary");

    /* After a reset the list is empty, and the next buffer given to it
     * comes back with the memory of the first. */
    buf_list_reset(&l);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.len, 0);
    buf_append_str(&b, "x");
    buf_list_add_own(&l, &b);
    assert_true(b.cap > 0);
    buf_reset(&joined);
    buf_list_join(&l, &joined);
    assert_string_equal(joined.data, "x");
    buf_release(&b);
    buf_release(&joined);
    buf_list_release(&l);
    assert_null(l.v);
    assert_int_equal(l.len, 0);
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
        cmocka_unit_test(test_buf_list_reads_the_ranges_in_order_at_any_step),
        cmocka_unit_test(test_buf_list_owns_what_it_is_given_and_reuses_it),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

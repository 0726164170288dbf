#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arctic_digest/base64.h"
#include "arctic_digest/buf.h"

static void
check_encode(const char *in, unsigned flags, const char *want)
{
    struct buf b = BUF_INIT;

    b64_encode(in, strlen(in), flags, &b);
    assert_string_equal(b.data, want);
    buf_reset(&b);
    assert_int_equal(b64_decode(want, strlen(want), flags, &b), 0);
    assert_int_equal(b.len, strlen(in));
    assert_memory_equal(b.data, in, b.len);
    buf_release(&b);
}

static void
test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    /* RFC 4648 section 10 */
    check_encode("", 0, "");
    check_encode("f", 0, "Zg==");
    check_encode("fo", 0, "Zm8=");
    check_encode("foo", 0, "Zm9v");
    check_encode("foob", 0, "Zm9vYg==");
    check_encode("fooba", 0, "Zm9vYmE=");
    check_encode("foobar", 0, "Zm9vYmFy");
    check_encode("f", B64_URL | B64_NOPAD, "Zg");
    check_encode("fo", B64_URL | B64_NOPAD, "Zm8");
    check_encode("foobar", B64_URL | B64_NOPAD, "Zm9vYmFy");
}

static void
test_base64_alphabets_differ_in_two_characters(void **state)
{
    (void)state;
    check_encode("\xfb\xff\xbf", 0, "+/+/");
    check_encode("\xfb\xff\xbf", B64_URL, "-_-_");
    check_encode("\xfb\xff", B64_URL | B64_NOPAD, "-_8");
}

static void
test_base64_strict_decoding_refuses_other_encodings(void **state)
{
    static const struct {
        const char *in;
        unsigned flags;
    } bad[] = {
        {"Zg", 0},                     /* padding missing */
        {"Zg=", 0},                    /* padding short */
        {"Zg===", 0},                  /* too much */
        {"Z===", 0},                   /* one character of data */
        {"Zh==", 0},                   /* stray bits */
        {"Zm 9v", 0},                  /* white space */
        {"-_-_", 0},                   /* the other alphabet */
        {"+/+/", B64_URL},             /* the other alphabet */
        {"Zg==", B64_URL | B64_NOPAD}, /* padding where none is */
        {"Z", B64_URL | B64_NOPAD},    /* one character of data */
        {"Zh", B64_URL | B64_NOPAD},   /* stray bits */
    };
    struct buf b = BUF_INIT;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (b64_decode(bad[i].in, strlen(bad[i].in), bad[i].flags, &b) != -1)
            fail_msg("case %zu ('%s') was accepted", i, bad[i].in);
        buf_reset(&b);
    }
    assert_int_equal(b64_decode("Zm\0v", 4, B64_URL | B64_NOPAD, &b), -1);
    buf_release(&b);
}

static void
test_base64_lax_decoding_forgives_and_stops(void **state)
{
    static const char in[] = " Zm9v\r\n YmFy\t-_8 =ignored";
    struct buf b = BUF_INIT;
    (void)state;

    assert_int_equal(b64_decode(in, sizeof(in) - 1, B64_LAX, &b), 0);
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "foobar\xfb\xff", 8);
    buf_reset(&b);
    assert_int_equal(b64_decode("Zm9v*YmFy", 9, B64_LAX, &b), 0);
    assert_string_equal(b.data, "foo");
    buf_release(&b);
}

static void
test_base64_round_trips_every_length(void **state)
{
    static const unsigned flags[] = {0, B64_URL, B64_NOPAD,
                                     B64_URL | B64_NOPAD};
    char bytes[64];
    struct buf enc = BUF_INIT, dec = BUF_INIT;
    size_t n, f;
    (void)state;

    for (n = 0; n < sizeof(bytes); n++)
        bytes[n] = (char)(n * 37 + 200);
    for (f = 0; f < 4; f++) {
        for (n = 0; n <= sizeof(bytes); n++) {
            buf_reset(&enc);
            buf_reset(&dec);
            b64_encode(bytes, n, flags[f], &enc);
            assert_int_equal(b64_decode(enc.data, enc.len, flags[f], &dec), 0);
            assert_int_equal(dec.len, n);
            assert_memory_equal(dec.data, bytes, n);
            buf_reset(&dec);
            assert_int_equal(b64_decode(enc.data, enc.len, B64_LAX, &dec), 0);
            assert_int_equal(dec.len, n);
        }
    }
    buf_release(&enc);
    buf_release(&dec);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_alphabets_differ_in_two_characters),
        cmocka_unit_test(test_base64_strict_decoding_refuses_other_encodings),
        cmocka_unit_test(test_base64_lax_decoding_forgives_and_stops),
        cmocka_unit_test(test_base64_round_trips_every_length),
    };
    return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}

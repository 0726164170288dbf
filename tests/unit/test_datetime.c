#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/datetime.h"
#include "arctic_digest/util.h"
#include "oracle.h"

/* Parse s with f and return its RFC 3339 form, or "ERR". */
static char *
fmt(int (*f)(const char *, size_t, struct dt *), const char *s)
{
    static char out[64];
    struct dt d = DT_INIT;
    struct buf b = BUF_INIT;

    if (f(s, strlen(s), &d) != 0)
        return strcpy(out, "ERR");
    dt_format_rfc3339(&d, &b);
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    return out;
}

static char *
utc(const char *s)
{
    static char out[64];
    struct dt d = DT_INIT;
    struct buf b = BUF_INIT;

    if (dt_parse(s, strlen(s), &d) != 0)
        return strcpy(out, "ERR");
    d.offset = 0;
    dt_format_rfc3339(&d, &b);
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    return out;
}

static void
test_datetime_rfc822_common_forms(void **state)
{
    (void)state;
    assert_string_equal(fmt(dt_parse_rfc822, "Tue, 22 Jul 2025 09:30:00 +0530"),
                        "2025-07-22T09:30:00+05:30");
    assert_string_equal(fmt(dt_parse_rfc822, "22 Jul 2025 09:30:00 GMT"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "Tue, 22 Jul 2025 09:30 UT"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "Mon, 21 Jul 2025 23:30:00 EDT"),
                        "2025-07-21T23:30:00-04:00");
    assert_string_equal(fmt(dt_parse_rfc822, "1 Jan 2025 00:00:00 PST"),
                        "2025-01-01T00:00:00-08:00");
    assert_string_equal(fmt(dt_parse_rfc822, "  Tue, 22 Jul 2025  "),
                        "2025-07-22");
    assert_string_equal(
        fmt(dt_parse_rfc822, "Wed, 19 Feb 2012 22:40:00 -01:01"),
        "2012-02-19T22:40:00-01:01");
    assert_string_equal(fmt(dt_parse_rfc822, "Tue, 22 Jul 2025 09:30:00 -0000"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(
        fmt(dt_parse_rfc822, "Tue, 22 Jul 2025 09:30:00 +0000 (UTC)"),
        "2025-07-22T09:30:00Z");
}

static void
test_datetime_rfc822_two_digit_years_follow_rfc2822(void **state)
{
    (void)state;
    assert_string_equal(fmt(dt_parse_rfc822, "Thu, 01 Jan 04 19:48:21 GMT"),
                        "2004-01-01T19:48:21Z");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 49 00:00 GMT"),
                        "2049-01-01T00:00:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 50 00:00 GMT"),
                        "1950-01-01T00:00:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 99 00:00 GMT"),
                        "1999-01-01T00:00:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 104 00:00 GMT"),
                        "2004-01-01T00:00:00Z");
}

static void
test_datetime_rfc822_military_zones_are_utc(void **state)
{
    (void)state;
    assert_string_equal(fmt(dt_parse_rfc822, "22 Jul 2025 09:30:00 A"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "22 Jul 2025 09:30:00 Y"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "22 Jul 2025 09:30:00 Z"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "22 Jul 2025 09:30:00 J"), "ERR");
}

static void
test_datetime_rfc822_rejects_bad_fields(void **state)
{
    (void)state;
    assert_string_equal(fmt(dt_parse_rfc822, ""), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "30 Feb 2025 10:00 GMT"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "29 Feb 2025 10:00 GMT"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "29 Feb 2024 10:00 GMT"),
                        "2024-02-29T10:00:00Z");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 2025 24:00 GMT"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 2025 10:60 GMT"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 2025 10:00:61 GMT"),
                        "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Foo 2025 10:00 GMT"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 2025 10:00 XYZ"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 2025 10:00 +2400"), "ERR");
    assert_string_equal(fmt(dt_parse_rfc822, "01 Jan 2025 10:00 GMT junk"),
                        "ERR");
}

static void
test_datetime_iso8601_partial_and_full(void **state)
{
    struct dt d = DT_INIT;
    (void)state;
    assert_string_equal(fmt(dt_parse_iso8601, "2025"), "2025");
    assert_string_equal(fmt(dt_parse_iso8601, "2025-07"), "2025-07");
    assert_string_equal(fmt(dt_parse_iso8601, "2025-07-22"), "2025-07-22");
    assert_string_equal(fmt(dt_parse_iso8601, "2025-07-22T09:30Z"),
                        "2025-07-22T09:30:00Z");
    assert_string_equal(fmt(dt_parse_iso8601, "2025-07-22T09:30:15.123+05:30"),
                        "2025-07-22T09:30:15+05:30");
    assert_string_equal(fmt(dt_parse_iso8601, "2025-07-22T09:30:15-0330"),
                        "2025-07-22T09:30:15-03:30");
    assert_string_equal(fmt(dt_parse_iso8601, "2025-07-22 09:30:15"),
                        "2025-07-22T09:30:15Z");
    assert_int_equal(dt_parse_iso8601("2025-07-22T09:30Z", 17, &d), 0);
    assert_int_equal(d.prec, DT_PREC_MINUTE);
    assert_int_equal(dt_parse_iso8601("2025-07", 7, &d), 0);
    assert_int_equal(d.prec, DT_PREC_MONTH);
    assert_int_equal(d.t, dt_days_from_civil(2025, 7, 1) * 86400);
}

static void
test_datetime_iso8601_keeps_offset_and_local_date(void **state)
{
    struct dt d = DT_INIT;
    struct dt_parts p;
    struct buf b = BUF_INIT;
    const char *s = "2025-06-30T00:00:00+02:00";
    (void)state;

    assert_int_equal(dt_parse(s, strlen(s), &d), 0);
    assert_int_equal(d.offset, 7200);
    assert_int_equal(d.prec, DT_PREC_SECOND);
    assert_int_equal(d.t, dt_days_from_civil(2025, 6, 29) * 86400 + 22 * 3600);
    dt_to_parts(&d, &p);
    assert_int_equal(p.month, 6);
    assert_int_equal(p.day, 30);
    dt_format_long(&d, &b);
    assert_string_equal(b.data, "June 30, 2025");
    buf_release(&b);
}

static void
test_datetime_iso8601_rejects_bad_input(void **state)
{
    static const char *const bad[] = {
        "",
        "202",
        "22013",
        "2025-7-22",
        "2025-13-01",
        "2025-02-29",
        "2025-04-31",
        "2025-07-22T",
        "2025-07-22T24:00Z",
        "2025-07-22T09:30:00+25:00",
        "2025-07-22T09:30:00+05:60",
        "2025-07-22T09:30:00.Z",
        "2025-07-22T09:30:00Zjunk",
        "2025-07-22-01",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct dt d = {42, 7, DT_PREC_DAY};

        if (dt_parse_iso8601(bad[i], strlen(bad[i]), &d) == 0)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(d.t, 42); /* untouched */
        assert_int_equal(d.offset, 7);
    }
}

static void
test_datetime_parse_dispatches_both_formats(void **state)
{
    (void)state;
    assert_string_equal(utc("2000-02-29T23:59:60Z"), "2000-03-01T00:00:00Z");
    assert_string_equal(utc("Sat, 29 Feb 2020 12:00:00 +0100"),
                        "2020-02-29T11:00:00Z");
    assert_string_equal(utc(" 2025-07-22T09:30:00+05:30\n"),
                        "2025-07-22T04:00:00Z");
    assert_string_equal(utc("Sun Jan  4 16:29:06 2004"),
                        "2004-01-04T16:29:06Z");
    assert_string_equal(utc("not a date"), "ERR");
}

static void
test_datetime_iso8601_basic_ordinal_and_truncated_forms(void **state)
{
    struct dt d = DT_INIT;
    (void)state;

    assert_string_equal(utc("20031231T101455Z"), "2003-12-31T10:14:55Z");
    assert_string_equal(utc("20031231"), "2003-12-31");
    assert_string_equal(utc("2003-335"), "2003-12-01");
    assert_string_equal(utc("2004-366"), "2004-12-31");
    assert_string_equal(utc("031231"), "2003-12-31");
    assert_string_equal(utc("99-12-31"), "1999-12-31");
    assert_string_equal(utc("-0312"), "2003-12");
    assert_string_equal(utc("2003-012-31T10:14:55+00:00"),
                        "2003-12-31T10:14:55Z");
    assert_string_equal(utc("Fri, 2006/09/15 08:19:53 EDT"),
                        "2006-09-15T12:19:53Z");
    assert_int_equal(dt_parse("2003-367", 8, &d), -1);
    assert_int_equal(dt_parse("22013", 5, &d), -1);
    assert_int_equal(dt_parse("2003-13-01", 10, &d), -1);
}

/* Formats of date-vectors.tsv that we claim (every row must pass), and
 * inputs inside them that we knowingly do not parse: the 2-digit-year
 * ordinal "03335" would make "22013" a date, which the W3C-DTF rows
 * reject (docs/DEVIATIONS.md). */
static const char *const claimed[] = {"rfc822", "w3dtf", "iso8601", "asctime",
                                      "perforce"};
static const char *const unclaimed_inputs[] = {"03335"};

static bool
in_list(const char *s, const char *const *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(s, v[i]) == 0)
            return true;
    }
    return false;
}

/* Compare the parse of input with the struct_time text ("None" or
 * "y,mon,mday,h,m,s,wday,..."); returns true on agreement. */
static bool
vector_ok(const char *input, const char *expect)
{
    struct dt d = DT_INIT;
    struct dt_parts p;
    int y, mo, da, h, mi, s, wd;

    if (dt_parse(input, strlen(input), &d) != 0)
        return strcmp(expect, "None") == 0;
    if (sscanf(expect, "%d,%d,%d,%d,%d,%d,%d", &y, &mo, &da, &h, &mi, &s,
               &wd) != 7)
        return false;
    d.offset = 0;
    dt_to_parts(&d, &p);
    return p.year == y && p.month == mo && p.day == da && p.hour == h &&
           p.min == mi && p.sec == s && (p.wday + 6) % 7 == wd;
}

struct tally {
    char format[32];
    int pass, total;
};

static void
tally_row(struct tally *t, size_t *nt, const char *format, bool ok)
{
    size_t i;

    for (i = 0; i < *nt && strcmp(t[i].format, format) != 0; i++)
        ;
    if (i == *nt) {
        snprintf(t[i].format, sizeof(t[i].format), "%s", format);
        (*nt)++;
    }
    t[i].total++;
    t[i].pass += ok;
}

static void
test_datetime_feedparser_vectors(void **state)
{
    const char *dir = getenv("AD_CONFORMANCE_DIR");
    char path[4096], line[1024];
    struct tally t[32];
    size_t nt = 0, i;
    int failures = 0;
    FILE *fp;
    (void)state;

    if (dir == NULL)
        oracle_missing("AD_CONFORMANCE_DIR is not set");
    snprintf(path, sizeof(path), "%s/feedparser/date-vectors.tsv", dir);
    fp = fopen(path, "r");
    if (fp == NULL)
        oracle_missing("date vectors %s not found", path);
    memset(t, 0, sizeof(t));
    while (fgets(line, sizeof(line), fp) != NULL && nt < 32) {
        char *format = strtok(line, "\t\n");
        char *json = strtok(NULL, "\t\n");
        char *expect = strtok(NULL, "\t\n");
        json_t *j;
        const char *input;
        bool ok;

        if (format == NULL || format[0] == '#' || expect == NULL)
            continue;
        j = json_loads(json, JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        input = json_string_value(j);
        assert_non_null(input);
        ok = vector_ok(input, expect);
        tally_row(t, &nt, format, ok);
        if (!ok && in_list(format, claimed, ARRAY_SIZE(claimed)) &&
            !in_list(input, unclaimed_inputs, ARRAY_SIZE(unclaimed_inputs))) {
            print_error("date vector %s '%s' expected %s\n", format, input,
                        expect);
            failures++;
        }
        json_decref(j);
    }
    fclose(fp);
    for (i = 0; i < nt; i++)
        print_message("date-vectors %-10s %d/%d%s\n", t[i].format, t[i].pass,
                      t[i].total,
                      in_list(t[i].format, claimed, ARRAY_SIZE(claimed))
                          ? ""
                          : " (not claimed)");
    assert_true(nt > 0);
    assert_int_equal(failures, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datetime_rfc822_common_forms),
        cmocka_unit_test(test_datetime_rfc822_two_digit_years_follow_rfc2822),
        cmocka_unit_test(test_datetime_rfc822_military_zones_are_utc),
        cmocka_unit_test(test_datetime_rfc822_rejects_bad_fields),
        cmocka_unit_test(test_datetime_iso8601_partial_and_full),
        cmocka_unit_test(test_datetime_iso8601_keeps_offset_and_local_date),
        cmocka_unit_test(test_datetime_iso8601_rejects_bad_input),
        cmocka_unit_test(test_datetime_parse_dispatches_both_formats),
        cmocka_unit_test(
            test_datetime_iso8601_basic_ordinal_and_truncated_forms),
        cmocka_unit_test(test_datetime_feedparser_vectors),
    };
    return oracle_exit(
        cmocka_run_group_tests_name("datetime", tests, NULL, NULL));
}

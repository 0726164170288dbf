#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/datetime.h"
#include "arctic_digest/schedule.h"
#include "oracle.h"

/* RFC 3339 text to UTC seconds. */
static int64_t
at(const char *s)
{
    struct dt d = DT_INIT;

    assert_int_equal(dt_parse(s, strlen(s), &d), 0);
    return d.t;
}

static const char *
iso(int64_t t)
{
    static char out[64];
    struct dt d = dt_from_time(t, 0);
    struct buf b = BUF_INIT;

    dt_format_rfc3339(&d, &b);
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    return out;
}

static bool
have_zoneinfo(void)
{
    return access(SCHED_ZONEINFO_DIR "/Europe/Oslo", R_OK) == 0;
}

static void
load(struct sched_zone *z, const char *name)
{
    struct err e = ERR_INIT;

    if (!have_zoneinfo())
        oracle_missing("time zones: no %s/Europe/Oslo (tzdata)",
                       SCHED_ZONEINFO_DIR);
    assert_int_equal(sched_zone_load(z, name, NULL, &e), 0);
}

static const char *
next_in(const char *zone, const char *expr, const char *after)
{
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    struct err e = ERR_INIT;
    int64_t t = 0;

    load(&z, zone);
    assert_int_equal(sched_parse(&s, expr, &e), 0);
    assert_int_equal(sched_next(&s, &z, at(after), &t, &e), 0);
    sched_zone_release(&z);
    return iso(t);
}

static const char *
prev_in(const char *zone, const char *expr, const char *when)
{
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    struct err e = ERR_INIT;
    int64_t t = 0;

    load(&z, zone);
    assert_int_equal(sched_parse(&s, expr, &e), 0);
    assert_int_equal(sched_prev(&s, &z, at(when), &t, &e), 0);
    sched_zone_release(&z);
    return iso(t);
}

static void
test_schedule_parses_every_syntax_form(void **state)
{
    struct sched s = SCHED_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(sched_parse(&s, " */15 9-17 * JAN-mar mon-FRI\n", &e), 0);
    assert_string_equal(s.expr, "*/15 9-17 * JAN-mar mon-FRI");
    assert_true(s.minutes == (1ULL | 1ULL << 15 | 1ULL << 30 | 1ULL << 45));
    assert_int_equal(s.hours, 0x3fe00);
    assert_int_equal(s.months, 0xe);
    assert_int_equal(s.wdays, 0x3e);
    assert_true(s.mday_star);
    assert_false(s.wday_star);

    assert_int_equal(sched_parse(&s, "5/20 1-10/3 1,15,31 */5 7", &e), 0);
    assert_true(s.minutes == (1ULL << 5 | 1ULL << 25 | 1ULL << 45));
    assert_int_equal(s.hours, 1 << 1 | 1 << 4 | 1 << 7 | 1 << 10);
    assert_int_equal(s.mdays, 1 << 1 | 1 << 15 | 1u << 31);
    assert_int_equal(s.months, 1 << 1 | 1 << 6 | 1 << 11);
    assert_int_equal(s.wdays, 1); /* 7 is Sunday */
    assert_false(s.mday_star);

    assert_int_equal(sched_parse(&s, "0 0 * * FRI-SUN", &e), 0);
    assert_int_equal(s.wdays, 1 | 1 << 5 | 1 << 6);
    assert_int_equal(sched_parse(&s, "0\t0 * * 5-7", &e), 0);
    assert_int_equal(s.wdays, 1 | 1 << 5 | 1 << 6);
}

static void
test_schedule_expands_macros(void **state)
{
    static const char *const pairs[][2] = {
        {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
        {"@monthly", "0 0 1 * *"}, {"@WEEKLY", "0 0 * * 0"},
        {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct sched a = SCHED_INIT, b = SCHED_INIT;
        struct err e = ERR_INIT;

        assert_int_equal(sched_parse(&a, pairs[i][0], &e), 0);
        assert_int_equal(sched_parse(&b, pairs[i][1], &e), 0);
        assert_true(a.minutes == b.minutes && a.hours == b.hours &&
                    a.mdays == b.mdays && a.months == b.months &&
                    a.wdays == b.wdays && a.mday_star == b.mday_star &&
                    a.wday_star == b.wday_star);
        assert_string_equal(a.expr, pairs[i][0]);
    }
}

static void
test_schedule_refuses_bad_expressions_naming_the_field(void **state)
{
    static const char *const cases[][2] = {
        {"0 7 * * MOX",
         "schedule '0 7 * * MOX': field 5 (day of week): unknown name 'MOX'"},
        {"60 * * * *",
         "schedule '60 * * * *': field 1 (minute): value 60 out of range "
         "0-59"},
        {"0 24 * * *",
         "schedule '0 24 * * *': field 2 (hour): value 24 out of range 0-23"},
        {"0 0 0 * *",
         "schedule '0 0 0 * *': field 3 (day of month): value 0 out of "
         "range 1-31"},
        {"0 0 * 13 *",
         "schedule '0 0 * 13 *': field 4 (month): value 13 out of range "
         "1-12"},
        {"0 0 * JANUARY *",
         "schedule '0 0 * JANUARY *': field 4 (month): unknown name "
         "'JANUARY'"},
        {"0 0 * * 8",
         "schedule '0 0 * * 8': field 5 (day of week): value 8 out of range "
         "0-7"},
        {"*/0 * * * *",
         "schedule '*/0 * * * *': field 1 (minute): bad step '0'"},
        {"0 5-3 * * *",
         "schedule '0 5-3 * * *': field 2 (hour): range '5-3' runs "
         "backwards"},
        {"1,,2 * * * *",
         "schedule '1,,2 * * * *': field 1 (minute): empty list item"},
        {"MON * * * *",
         "schedule 'MON * * * *': field 1 (minute): unknown name 'MON'"},
        {"0 7 * *",
         "schedule '0 7 * *': expected 5 fields (minute hour day-of-month "
         "month day-of-week), found 4"},
        {"0 7 * * * *",
         "schedule '0 7 * * * *': expected 5 fields (minute hour "
         "day-of-month month day-of-week), found more than 5"},
        {"", "schedule '': expected 5 fields (minute hour day-of-month "
             "month day-of-week), found 0"},
        {"@reboot", "schedule '@reboot': @reboot is not a time; use a "
                    "5-field expression such as '0 7 * * MON'"},
        {"@fortnightly", "schedule '@fortnightly': unknown macro (use "
                         "@yearly, @monthly, @weekly, @daily or @hourly)"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sched s = SCHED_INIT;
        struct err e = ERR_INIT;

        assert_int_equal(sched_parse(&s, cases[i][0], &e), -1);
        assert_int_equal(e.code, ERR_CONFIG);
        assert_string_equal(e.msg, cases[i][1]);
        assert_int_equal(s.minutes, 0); /* untouched */
    }
}

static void
test_schedule_applies_vixie_day_rule(void **state)
{
    struct sched s = SCHED_INIT;
    struct err e = ERR_INIT;

    (void)state;
    /* both restricted: either matches (2025-09-01 is a Monday) */
    assert_int_equal(sched_parse(&s, "0 0 1 * MON", &e), 0);
    assert_true(sched_match(&s, 2025, 9, 1, 0, 0, 1));
    assert_true(sched_match(&s, 2025, 9, 8, 0, 0, 1));
    assert_true(sched_match(&s, 2025, 10, 1, 0, 0, 3));
    assert_false(sched_match(&s, 2025, 10, 2, 0, 0, 4));
    /* a day field beginning with '*' is not restricted: both must match */
    assert_int_equal(sched_parse(&s, "0 0 */2 * MON", &e), 0);
    assert_true(sched_match(&s, 2025, 9, 1, 0, 0, 1));
    assert_false(sched_match(&s, 2025, 9, 8, 0, 0, 1));
    assert_false(sched_match(&s, 2025, 9, 3, 0, 0, 3));
    /* a range covering the month is still restricted: OR, every day */
    assert_int_equal(sched_parse(&s, "0 0 1-31 * MON", &e), 0);
    assert_true(sched_match(&s, 2025, 9, 3, 0, 0, 3));
    /* month always applies */
    assert_int_equal(sched_parse(&s, "0 0 1 FEB MON", &e), 0);
    assert_false(sched_match(&s, 2025, 9, 1, 0, 0, 1));
    assert_false(sched_match(&s, 2025, 9, 1, 0, 1, 1));
    assert_string_equal(next_in("UTC", "0 0 13 * FRI", "2025-06-01T00:00Z"),
                        "2025-06-06T00:00:00Z");
}

static void
test_schedule_next_and_prev_in_utc(void **state)
{
    (void)state;
    assert_string_equal(next_in("UTC", "@weekly", "2025-07-22T10:00:00Z"),
                        "2025-07-27T00:00:00Z");
    assert_string_equal(prev_in("UTC", "@weekly", "2025-07-22T10:00:00Z"),
                        "2025-07-20T00:00:00Z");
    /* next is strictly after, prev at or before */
    assert_string_equal(next_in("UTC", "@weekly", "2025-07-27T00:00:00Z"),
                        "2025-08-03T00:00:00Z");
    assert_string_equal(prev_in("UTC", "@weekly", "2025-07-27T00:00:00Z"),
                        "2025-07-27T00:00:00Z");
    assert_string_equal(prev_in("UTC", "@weekly", "2025-07-26T23:59:59Z"),
                        "2025-07-20T00:00:00Z");
    assert_string_equal(next_in("UTC", "0 7 * * MON", "2025-12-31T12:00Z"),
                        "2026-01-05T07:00:00Z");
    assert_string_equal(
        prev_in("Etc/UTC", "59 23 31 DEC *", "2026-06-01T00:00Z"),
        "2025-12-31T23:59:00Z");
}

static void
test_schedule_finds_leap_days(void **state)
{
    (void)state;
    assert_string_equal(next_in("UTC", "0 12 29 2 *", "2025-01-01T00:00Z"),
                        "2028-02-29T12:00:00Z");
    assert_string_equal(prev_in("UTC", "0 12 29 2 *", "2027-06-01T00:00Z"),
                        "2024-02-29T12:00:00Z");
    /* 2100 is not a leap year: eight years to wait */
    assert_string_equal(next_in("UTC", "0 12 29 2 *", "2096-03-01T00:00Z"),
                        "2104-02-29T12:00:00Z");
    assert_string_equal(prev_in("UTC", "0 0 * FEB *", "2024-03-01T00:00Z"),
                        "2024-02-29T00:00:00Z");
}

static void
test_schedule_fails_on_impossible_expressions(void **state)
{
    static const char *const exprs[] = {"0 0 30 2 *", "0 0 31 4,6,9,11 *",
                                        "0 0 30,31 FEB *"};
    (void)state;
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        struct sched s = SCHED_INIT;
        struct sched_zone z = SCHED_ZONE_INIT;
        struct err e = ERR_INIT;
        int64_t t = 42;
        char want[128];

        assert_int_equal(sched_parse(&s, exprs[i], &e), 0);
        assert_int_equal(sched_next(&s, &z, at("2025-01-01T00:00Z"), &t, &e),
                         -1);
        assert_int_equal(e.code, ERR_DATA);
        snprintf(want, sizeof(want),
                 "schedule '%s': no time matches within 10 years", exprs[i]);
        assert_string_equal(e.msg, want);
        assert_int_equal(sched_prev(&s, &z, at("2025-01-01T00:00Z"), &t, &e),
                         -1);
        assert_int_equal(t, 42);
    }
}

/* Europe/Oslo: 2025-03-30 02:00 CET -> 03:00 CEST (01:00Z);
 * 2025-10-26 03:00 CEST -> 02:00 CET (01:00Z). */
static void
test_schedule_handles_oslo_dst(void **state)
{
    const char *o = "Europe/Oslo";

    (void)state;
    assert_string_equal(next_in(o, "0 7 * * *", "2025-03-29T12:00+01:00"),
                        "2025-03-30T05:00:00Z");
    assert_string_equal(next_in(o, "0 7 * * *", "2025-03-30T00:30+01:00"),
                        "2025-03-30T05:00:00Z");
    /* 02:30 does not exist: it happens at 03:30 CEST */
    assert_string_equal(next_in(o, "30 2 * * *", "2025-03-29T12:00+01:00"),
                        "2025-03-30T01:30:00Z");
    assert_string_equal(next_in(o, "30 2 * * *", "2025-03-30T01:30Z"),
                        "2025-03-31T00:30:00Z");
    assert_string_equal(prev_in(o, "30 2 * * *", "2025-03-30T01:29Z"),
                        "2025-03-29T01:30:00Z");
    /* every 30 minutes: 02:00 and 02:30 fold into 03:00 and 03:30 */
    assert_string_equal(next_in(o, "*/30 * * * *", "2025-03-30T00:30Z"),
                        "2025-03-30T01:00:00Z");
    assert_string_equal(next_in(o, "*/30 * * * *", "2025-03-30T01:00Z"),
                        "2025-03-30T01:30:00Z");
    /* fall back: 02:30 happens twice, the slot is the first (CEST) */
    assert_string_equal(next_in(o, "30 2 * * *", "2025-10-25T12:00Z"),
                        "2025-10-26T00:30:00Z");
    assert_string_equal(next_in(o, "30 2 * * *", "2025-10-26T00:30Z"),
                        "2025-10-27T01:30:00Z");
    assert_string_equal(prev_in(o, "30 2 * * *", "2025-10-26T01:45Z"),
                        "2025-10-26T00:30:00Z");
    /* hourly: 02:00 CEST, then 03:00 CET two hours later */
    assert_string_equal(next_in(o, "0 * * * *", "2025-10-26T00:00Z"),
                        "2025-10-26T02:00:00Z");
    assert_string_equal(next_in(o, "0 7 * * SUN", "2025-10-25T12:00Z"),
                        "2025-10-26T06:00:00Z");
    assert_string_equal(prev_in(o, "0 7 * * SUN", "2025-10-26T05:59Z"),
                        "2025-10-19T05:00:00Z");
}

/* America/Anchorage: 2025-03-09 02:00 AKST -> 03:00 AKDT (11:00Z);
 * 2025-11-02 02:00 AKDT -> 01:00 AKST (10:00Z). */
static void
test_schedule_handles_anchorage_dst(void **state)
{
    const char *a = "America/Anchorage";

    (void)state;
    assert_string_equal(next_in(a, "30 2 * * *", "2025-03-09T00:00-09:00"),
                        "2025-03-09T11:30:00Z");
    assert_string_equal(next_in(a, "0 9 * * MON-FRI", "2025-03-07T18:00Z"),
                        "2025-03-10T17:00:00Z");
    assert_string_equal(prev_in(a, "0 9 * * MON-FRI", "2025-03-10T16:59Z"),
                        "2025-03-07T18:00:00Z");
    assert_string_equal(next_in(a, "30 1 * * *", "2025-11-01T12:00Z"),
                        "2025-11-02T09:30:00Z");
    assert_string_equal(next_in(a, "30 1 * * *", "2025-11-02T09:30Z"),
                        "2025-11-03T10:30:00Z");
    assert_string_equal(prev_in(a, "30 1 * * *", "2025-11-02T10:45Z"),
                        "2025-11-02T09:30:00Z");
    assert_string_equal(next_in(a, "0 1-2 * * *", "2025-11-02T09:30Z"),
                        "2025-11-02T11:00:00Z");
}

static void
test_schedule_zone_offsets(void **state)
{
    struct sched_zone z = SCHED_ZONE_INIT;

    (void)state;
    assert_int_equal(sched_zone_offset(&z, at("2025-07-01T00:00Z")), 0);
    load(&z, "Europe/Oslo");
    assert_string_equal(z.name, "Europe/Oslo");
    assert_int_equal(sched_zone_offset(&z, at("2025-01-15T12:00Z")), 3600);
    assert_int_equal(sched_zone_offset(&z, at("2025-03-30T00:59:59Z")), 3600);
    assert_int_equal(sched_zone_offset(&z, at("2025-03-30T01:00Z")), 7200);
    assert_int_equal(sched_zone_offset(&z, at("2025-10-26T00:59:59Z")), 7200);
    assert_int_equal(sched_zone_offset(&z, at("2025-10-26T01:00Z")), 3600);
    /* after the file's transitions: the footer rule */
    assert_int_equal(sched_zone_offset(&z, at("2100-07-01T00:00Z")), 7200);
    assert_int_equal(sched_zone_offset(&z, at("2100-12-01T00:00Z")), 3600);
    /* before the first transition: local mean time, +00:43 */
    assert_int_equal(sched_zone_offset(&z, at("1850-01-01T00:00Z")), 2580);
    /* wall time to instant: plain, gap, overlap */
    assert_int_equal(sched_zone_utc(&z, at("2025-07-01T12:00Z")),
                     at("2025-07-01T10:00Z"));
    assert_int_equal(sched_zone_utc(&z, at("2025-03-30T02:30Z")),
                     at("2025-03-30T01:30Z"));
    assert_int_equal(sched_zone_utc(&z, at("2025-10-26T02:30Z")),
                     at("2025-10-26T00:30Z"));
    assert_int_equal(sched_zone_utc(&z, at("2100-10-31T02:30Z")),
                     at("2100-10-31T00:30Z"));
    sched_zone_release(&z);
    assert_null(z.trans);
    load(&z, "America/Anchorage");
    assert_int_equal(sched_zone_offset(&z, at("2025-07-01T00:00Z")), -28800);
    assert_int_equal(sched_zone_offset(&z, at("2099-01-01T00:00Z")), -32400);
    sched_zone_release(&z);
}

static void
test_schedule_zone_load_failures(void **state)
{
    static const char *const names[] = {"Europe/Osl", "../etc/passwd",
                                        "/etc/localtime", "Europe/Oslo;rm",
                                        "Europe"};
    const char *fx = getenv("AD_FIXTURES");
    struct sched_zone z = SCHED_ZONE_INIT;
    struct err e = ERR_INIT;
    char dir[512], want[128];

    (void)state;
    if (!have_zoneinfo())
        oracle_missing("time zones: no %s/Europe/Oslo (tzdata)",
                       SCHED_ZONEINFO_DIR);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_int_equal(sched_zone_load(&z, names[i], NULL, &e), -1);
        assert_int_equal(e.code, ERR_CONFIG);
        snprintf(want, sizeof(want), "unknown time zone '%s'", names[i]);
        assert_string_equal(e.msg, want);
        assert_null(z.trans);
    }
    /* UTC needs no file, even in a directory that has none */
    assert_int_equal(sched_zone_load(&z, "UTC", "/nonexistent", &e), 0);
    assert_int_equal(sched_zone_load(&z, "Etc/UTC", "/nonexistent", &e), 0);
    assert_int_equal(sched_zone_offset(&z, 0), 0);
    assert_non_null(fx);
    snprintf(dir, sizeof(dir), "%s/schedule/zoneinfo", fx);
    assert_int_equal(sched_zone_load(&z, "Not/TZif", dir, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "time zone 'Not/TZif': "));
    assert_non_null(strstr(e.msg, "is not a TZif file"));
    assert_int_equal(sched_zone_load(&z, "Europe/Oslo", dir, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
}

static size_t
put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> 8 * (bytes - 1 - i));
    return (size_t)bytes;
}

/*
 * A TZif version 2 file in out: an empty version 1 block, then the
 * transitions (alternately to CEST +02:00 and back to CET +01:00; CET
 * before the first) and the footer.
 */
static size_t
make_tzif(unsigned char *out, const int64_t *trans, size_t n,
          const char *footer)
{
    unsigned char *p = out;

    for (int v = 1; v <= 2; v++) {
        size_t nt = v == 2 ? n : 0;

        memset(p, 0, 20);
        memcpy(p, "TZif2", 5);
        p += 20;
        p += put_be(p, 0, 4);  /* isutcnt */
        p += put_be(p, 0, 4);  /* isstdcnt */
        p += put_be(p, 0, 4);  /* leapcnt */
        p += put_be(p, nt, 4); /* timecnt */
        p += put_be(p, 2, 4);  /* typecnt */
        p += put_be(p, 9, 4);  /* charcnt */
        for (size_t i = 0; i < nt; i++)
            p += put_be(p, (uint64_t)trans[i], 8);
        for (size_t i = 0; i < nt; i++)
            *p++ = i % 2 == 0 ? 1 : 0;
        p += put_be(p, 3600, 4);
        *p++ = 0;
        *p++ = 0;
        p += put_be(p, 7200, 4);
        *p++ = 1;
        *p++ = 4;
        memcpy(p, "CET\0CEST", 9);
        p += 9;
    }
    *p++ = '\n';
    memcpy(p, footer, strlen(footer));
    p += strlen(footer);
    *p++ = '\n';
    return (size_t)(p - out);
}

static void
test_schedule_zone_parse_reads_bytes(void **state)
{
    static const int64_t trans[] = {1743296400, 1761440400}; /* 2025 */
    unsigned char tz[512];
    size_t n = make_tzif(tz, trans, 2, "CET-1CEST,M3.5.0,M10.5.0/3");
    struct sched_zone z = SCHED_ZONE_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(sched_zone_parse(&z, "Test/CET", tz, n, &e), 0);
    assert_string_equal(z.name, "Test/CET");
    assert_int_equal(z.ntrans, 2);
    assert_int_equal(sched_zone_offset(&z, at("2025-01-15T12:00Z")), 3600);
    assert_int_equal(sched_zone_offset(&z, at("2025-03-30T01:00Z")), 7200);
    assert_int_equal(sched_zone_offset(&z, at("2025-10-26T01:00Z")), 3600);
    /* after the last transition: the footer */
    assert_int_equal(sched_zone_offset(&z, at("2030-07-01T00:00Z")), 7200);
    sched_zone_release(&z);
    /* cut short: refused, z untouched */
    assert_int_equal(sched_zone_parse(&z, "Test/CET", tz, 60, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_string_equal(e.msg, "time zone 'Test/CET': not a TZif file of "
                               "version 2 or later");
    assert_null(z.trans);
    assert_string_equal(z.name, "");
}

/* Seen while writing fuzz_tzif (reproduced with it, not found by a run):
 * a transition near INT64_MAX overflowed "instant + offset" in
 * sched_zone_utc (UBSan: signed overflow). */
static void
test_schedule_zone_parse_refuses_far_transitions(void **state)
{
    static const int64_t far[] = {-1, INT64_MAX - 100};
    static const int64_t early[] = {INT64_MIN, 0};
    static const int64_t big_bang[] = {-(INT64_C(1) << 59), 1743296400};
    unsigned char tz[512];
    size_t n;
    struct sched_zone z = SCHED_ZONE_INIT;
    struct err e = ERR_INIT;

    (void)state;
    n = make_tzif(tz, far, 2, "CET-1");
    assert_int_equal(sched_zone_parse(&z, "far", tz, n, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_null(z.trans);
    n = make_tzif(tz, early, 2, "CET-1");
    assert_int_equal(sched_zone_parse(&z, "early", tz, n, &e), -1);
    /* zic writes -2^59 as its first transition: still read */
    n = make_tzif(tz, big_bang, 2, "CEST-2");
    assert_int_equal(sched_zone_parse(&z, "big-bang", tz, n, &e), 0);
    assert_int_equal(sched_zone_utc(&z, at("2025-07-01T12:00Z")),
                     at("2025-07-01T10:00Z"));
    sched_zone_release(&z);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_parses_every_syntax_form),
        cmocka_unit_test(test_schedule_expands_macros),
        cmocka_unit_test(
            test_schedule_refuses_bad_expressions_naming_the_field),
        cmocka_unit_test(test_schedule_applies_vixie_day_rule),
        cmocka_unit_test(test_schedule_next_and_prev_in_utc),
        cmocka_unit_test(test_schedule_finds_leap_days),
        cmocka_unit_test(test_schedule_fails_on_impossible_expressions),
        cmocka_unit_test(test_schedule_handles_oslo_dst),
        cmocka_unit_test(test_schedule_handles_anchorage_dst),
        cmocka_unit_test(test_schedule_zone_offsets),
        cmocka_unit_test(test_schedule_zone_load_failures),
        cmocka_unit_test(test_schedule_zone_parse_reads_bytes),
        cmocka_unit_test(test_schedule_zone_parse_refuses_far_transitions),
    };
    return oracle_exit(
        cmocka_run_group_tests_name("schedule", tests, NULL, NULL));
}

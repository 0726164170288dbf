/*
 * datetime: dates as feeds and mail write them.
 *
 * Parses RFC 822 / RFC 1123 / RFC 2822 dates (2- and 4-digit years, named
 * and military zones, optional day name and seconds), RFC 3339, W3C-DTF and
 * ISO 8601 dates including partial ones ("2025", "2025-07", "2025-07-22").
 * A parsed date keeps the UTC instant, the source's own UTC offset and the
 * precision it was given with, because the date we show and cite is the
 * publisher's local date: 2025-06-30T00:00:00+02:00 is cited as June 30.
 * Formats RFC 5322 Date headers (half-hour and quarter-hour zones included),
 * RFC 3339 and human dates.  No function reads the clock or TZ.
 */
#ifndef ARCTIC_DIGEST_DATETIME_H
#define ARCTIC_DIGEST_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/buf.h"

enum dt_precision {
    DT_PREC_NONE = 0, /* no date */
    DT_PREC_YEAR,
    DT_PREC_MONTH,
    DT_PREC_DAY,
    DT_PREC_MINUTE,
    DT_PREC_SECOND
};

struct dt {
    int64_t t;   /* UTC seconds since 1970-01-01 */
    int offset;  /* the source's UTC offset in seconds, east positive */
    enum dt_precision prec;
};

#define DT_INIT {0, 0, DT_PREC_NONE}

/* The broken-down local date of a struct dt (in its own offset). */
struct dt_parts {
    int year, month, day; /* month 1-12, day 1-31 */
    int hour, min, sec;
    int wday;             /* 0 = Sunday */
};

/*
 * Parse any supported date format (leading and trailing white space
 * allowed).  Returns 0 and fills *out, or -1 if the text is not a date we
 * understand (out untouched).  Dates without a zone are taken as UTC.
 */
int dt_parse(const char *p, size_t n, struct dt *out);
int dt_parse_rfc822(const char *p, size_t n, struct dt *out);
int dt_parse_iso8601(const char *p, size_t n, struct dt *out);

/* Days since 1970-01-01 for a proleptic Gregorian date (month 1-12). */
int64_t dt_days_from_civil(int year, int month, int day);

/* Split d into local parts in its own offset. */
void dt_to_parts(const struct dt *d, struct dt_parts *out);

/* Build a struct dt from UTC seconds and an offset (precision: second). */
struct dt dt_from_time(int64_t t, int offset);

/* "Tue, 22 Jul 2025 09:30:00 +0530" (RFC 5322 section 3.3). */
void dt_format_rfc5322(const struct dt *d, struct buf *out);
/* "2025-07-22T09:30:00+05:30", or "2025-07-22" / "2025-07" / "2025" for
 * coarser precision; "Z" for offset 0. */
void dt_format_rfc3339(const struct dt *d, struct buf *out);
/* "July 22, 2025" / "July 2025" / "2025" by precision. */
void dt_format_long(const struct dt *d, struct buf *out);
/* English month name, 1-12; "" out of range. */
const char *dt_month_name(int month);

/* Compare instants: <0, 0, >0. */
int dt_cmp(const struct dt *a, const struct dt *b);
bool dt_is_set(const struct dt *d);

#endif

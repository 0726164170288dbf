/*
 * datetime_parse: RFC 822 / 1123 / 2822 and ISO 8601 / RFC 3339 / W3C-DTF
 * date parsing.  Calendar arithmetic and formatting: datetime.c.
 *
 * Leniencies beyond the RFCs, because feeds write them: full month and day
 * names, a missing time, an extra comma ("13 Feb, 2012"), the month before
 * the day ("Thu Aug 30 2012 17:26:16 +0200"), asctime() order ("Sun Jan  4
 * 16:29:06 2004"), "+hh:mm" and "GMT+hh:mm" zones, a few common zone
 * abbreviations (see zones[]), and a space instead of "T" in ISO dates.
 * Military single-letter zones are taken as -0000 (RFC 2822 section 4.3:
 * their sign was historically inverted, so they carry no information).
 */
#include "arctic_digest/datetime.h"

#include <string.h>

#include "arctic_digest/ascii.h"

#define MAX_TOKENS 10

struct fields {
    int year, month, day, hour, min, sec;
    int offset;
    enum dt_precision prec;
};

struct tok {
    const char *p;
    size_t n;
};

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const months_long[] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
static const char *const days_long[] = {"sunday",    "monday",   "tuesday",
                                        "wednesday", "thursday", "friday",
                                        "saturday"};

/* Zone abbreviations we accept, offset in minutes east of UTC. */
static const struct {
    const char *name;
    int minutes;
} zones[] = {
    {"ut", 0},      {"utc", 0},     {"gmt", 0},     {"z", 0},
    {"etc/gmt", 0}, {"etc/utc", 0}, {"est", -300},  {"edt", -240},
    {"cst", -360},  {"cdt", -300},  {"mst", -420},  {"mdt", -360},
    {"pst", -480},  {"pdt", -420},  {"at", -240},   {"ast", -240},
    {"adt", -180},  {"et", -300},   {"ct", -360},   {"mt", -420},
    {"pt", -480},   {"akst", -540}, {"akdt", -480}, {"hst", -600},
    {"nst", -210},  {"ndt", -150},  {"wet", 0},     {"west", 60},
    {"bst", 60},    {"cet", 60},    {"cest", 120},  {"met", 60},
    {"mest", 120},  {"eet", 120},   {"eest", 180},  {"msk", 180},
    {"jst", 540},
};

static void
trim(const char **p, size_t *n)
{
    while (*n > 0 && ascii_is_space(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && ascii_is_space((*p)[*n - 1]))
        (*n)--;
}

/* Parse exactly n digits at p; -1 if any is not a digit. */
static int
digits(const char *p, size_t n)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!ascii_is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : dim[m - 1];
}

/* Validate the fields and write *out. */
static int
finish(const struct fields *f, struct dt *out)
{
    int64_t days;

    if (f->year < 0 || f->year > 9999 || f->month < 1 || f->month > 12)
        return -1;
    if (f->day < 1 || f->day > days_in_month(f->year, f->month))
        return -1;
    if (f->hour < 0 || f->hour > 23 || f->min < 0 || f->min > 59 ||
        f->sec < 0 || f->sec > 60)
        return -1;
    if (f->offset <= -86400 || f->offset >= 86400)
        return -1;
    days = dt_days_from_civil(f->year, f->month, f->day);
    out->t = days * 86400 + f->hour * 3600 + f->min * 60 + f->sec - f->offset;
    out->offset = f->offset;
    out->prec = f->prec;
    return 0;
}

/*
 * A numeric zone at p[0..n): "+hhmm", "+hh:mm" or "+hh" (sign required).
 * Returns 0 and the offset in seconds, or -1.
 */
static int
numeric_zone(const char *p, size_t n, int *offset)
{
    int h, m = 0, sign;

    if (n < 3 || (p[0] != '+' && p[0] != '-'))
        return -1;
    sign = p[0] == '-' ? -1 : 1;
    h = digits(p + 1, 2);
    if (n == 5)
        m = digits(p + 3, 2);
    else if (n == 6 && p[3] == ':')
        m = digits(p + 4, 2);
    else if (n != 3)
        return -1;
    if (h < 0 || m < 0 || h > 23 || m > 59)
        return -1;
    *offset = sign * (h * 3600 + m * 60);
    return 0;
}

/* ISO 8601 time "hh:mm[:ss[.fff]]" at *p; advances *p. */
static int
iso_time(const char **p, const char *end, struct fields *f)
{
    const char *s = *p;

    if (end - s < 5 || s[2] != ':')
        return -1;
    f->hour = digits(s, 2);
    f->min = digits(s + 3, 2);
    if (f->hour < 0 || f->min < 0)
        return -1;
    s += 5;
    f->prec = DT_PREC_MINUTE;
    if (s < end && *s == ':') {
        if (end - s < 3 || (f->sec = digits(s + 1, 2)) < 0)
            return -1;
        s += 3;
        f->prec = DT_PREC_SECOND;
        if (s < end && (*s == '.' || *s == ',')) {
            s++;
            if (s == end || !ascii_is_digit(*s))
                return -1;
            while (s < end && ascii_is_digit(*s))
                s++;
        }
    }
    *p = s;
    return 0;
}

/* ISO 8601 zone at p[0..end): "Z", "+hh:mm", "+hhmm", "+hh". */
static int
iso_zone(const char *p, const char *end, int *offset)
{
    while (p < end && *p == ' ')
        p++;
    if (p == end) {
        *offset = 0;
        return 0;
    }
    if (end - p == 1 && (*p == 'Z' || *p == 'z')) {
        *offset = 0;
        return 0;
    }
    return numeric_zone(p, (size_t)(end - p), offset);
}

/* A 2-digit year as RFC 2822 section 4.3 reads it (feedparser uses the
 * current century instead; we read no clock). */
static int
year2(int yy)
{
    return yy < 0 ? -1 : yy < 50 ? 2000 + yy : 1900 + yy;
}

/* Month and day of ordinal day yday (1-366) of year y. */
static int
from_ordinal(struct fields *f, int yday)
{
    int m = 1;

    if (yday < 1 || yday > (is_leap(f->year) ? 366 : 365))
        return -1;
    while (yday > days_in_month(f->year, m))
        yday -= days_in_month(f->year, m++);
    f->month = m;
    f->day = yday;
    return 0;
}

/* Count the digits at p[0..n). */
static size_t
run(const char *p, size_t n)
{
    size_t k = 0;

    while (k < n && ascii_is_digit(p[k]))
        k++;
    return k;
}

/*
 * The date part of the ISO 8601:2000 forms feedparser reads beyond W3C-DTF:
 * basic "20031231", ordinal "2003335" / "2003-335", truncated 2-digit-year
 * "031231", "03-12-31", "-0312", "-03-12" (not "03335": see
 * docs/DEVIATIONS.md), and a 3-digit month
 * "2003-012-31".  p[0..n) is the date alone.
 */
static int
iso_date_ext(const char *p, size_t n, struct fields *f)
{
    size_t a = run(p, n), b, c;

    f->prec = DT_PREC_DAY;
    if (n > 0 && p[0] == '-') { /* "-YYMM", "-YY-MM" */
        f->prec = DT_PREC_MONTH;
        f->day = 1;
        f->year = year2(digits(p + 1, 2));
        if (n == 5)
            f->month = digits(p + 3, 2);
        else if (n == 6 && p[3] == '-')
            f->month = digits(p + 4, 2);
        else
            return -1;
        return f->year < 0 || f->month < 0 ? -1 : 0;
    }
    if (a == n) {
        /* Not the 5-digit "YYDDD": "22013" is a bad year in W3C-DTF. */
        if (n == 8 || n == 7)
            f->year = digits(p, 4);
        else if (n == 6)
            f->year = year2(digits(p, 2));
        else
            return -1;
        if (n == 7)
            return from_ordinal(f, digits(p + n - 3, 3));
        f->month = digits(p + n - 4, 2);
        f->day = digits(p + n - 2, 2);
        return f->month < 0 || f->day < 0 ? -1 : 0;
    }
    if (a >= n || p[a] != '-')
        return -1;
    b = run(p + a + 1, n - a - 1);
    if (a == 4 && b == 3 && a + 1 + b == n) /* "2003-335" */
        return (f->year = digits(p, 4)) < 0 ? -1
                                              : from_ordinal(f, digits(p + 5, 3));
    if (a + 1 + b >= n || p[a + 1 + b] != '-')
        return -1;
    c = n - (a + b + 2);
    if (run(p + a + b + 2, c) != c || c != 2)
        return -1;
    if (a == 2 && b == 2)
        f->year = year2(digits(p, 2));
    else if (a == 4 && b == 3 && p[5] == '0')
        f->year = digits(p, 4);
    else
        return -1;
    f->month = digits(p + a + b - 1, 2);
    f->day = digits(p + a + b + 2, 2);
    return f->year < 0 || f->month < 0 || f->day < 0 ? -1 : 0;
}

/* The ISO 8601:2000 forms of iso_date_ext(), with an optional time
 * ("T10:14:55Z", "T101455Z"). */
static int
iso8601_ext(const char *p, size_t n, struct dt *out)
{
    struct fields f = {0, 1, 1, 0, 0, 0, 0, DT_PREC_DAY};
    const char *end = p + n, *t;
    size_t k;

    for (t = p; t < end && *t != 'T' && *t != 't' && *t != ' '; t++)
        ;
    if (iso_date_ext(p, (size_t)(t - p), &f) < 0)
        return -1;
    if (t < end) {
        t++;
        k = run(t, (size_t)(end - t));
        if (k == 4 || k == 6) { /* basic time "hhmm[ss]" */
            f.hour = digits(t, 2);
            f.min = digits(t + 2, 2);
            f.sec = k == 6 ? digits(t + 4, 2) : 0;
            f.prec = k == 6 ? DT_PREC_SECOND : DT_PREC_MINUTE;
            t += k;
        } else if (iso_time(&t, end, &f) < 0) {
            return -1;
        }
        if (iso_zone(t, end, &f.offset) < 0)
            return -1;
    }
    return finish(&f, out);
}

int
dt_parse_iso8601(const char *p, size_t n, struct dt *out)
{
    struct fields f = {0, 1, 1, 0, 0, 0, 0, DT_PREC_YEAR};
    const char *end;

    trim(&p, &n);
    end = p + n;
    if (n < 4 || (n > 4 && p[4] != '-') || (f.year = digits(p, 4)) < 0 ||
        (n >= 8 && ascii_is_digit(p[7])))
        return iso8601_ext(p, n, out);
    p += 4;
    if (p < end) {
        if (end - p < 3 || (f.month = digits(p + 1, 2)) < 0)
            return -1;
        f.prec = DT_PREC_MONTH;
        p += 3;
    }
    if (p < end) {
        if (end - p < 3 || p[0] != '-' || (f.day = digits(p + 1, 2)) < 0)
            return -1;
        f.prec = DT_PREC_DAY;
        p += 3;
    }
    if (p < end) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return -1;
        p++;
        if (iso_time(&p, end, &f) < 0 || iso_zone(p, end, &f.offset) < 0)
            return -1;
    }
    return finish(&f, out);
}

/* Split p[0..n) on white space and commas; drops a trailing "(comment)". */
static int
tokenize(const char *p, size_t n, struct tok *t, size_t *nt)
{
    const char *end = p + n;
    size_t k = 0;

    while (p < end) {
        const char *s;

        if (ascii_is_space(*p) || *p == ',') {
            p++;
            continue;
        }
        if (*p == '(')
            break;
        s = p;
        while (p < end && !ascii_is_space(*p) && *p != ',')
            p++;
        if (k == MAX_TOKENS)
            return -1;
        t[k].p = s;
        t[k].n = (size_t)(p - s);
        k++;
    }
    *nt = k;
    return 0;
}

static int
month_of(const struct tok *t)
{
    size_t n = t->n;
    int i;

    if (n > 3 && t->p[n - 1] == '.')
        n--;
    for (i = 0; i < 12; i++) {
        if (ascii_ieq_n(t->p, n, months[i]) ||
            ascii_ieq_n(t->p, n, months_long[i]))
            return i + 1;
    }
    if (ascii_ieq_n(t->p, n, "sept"))
        return 9;
    return 0;
}

static bool
is_day_name(const struct tok *t)
{
    static const char *const extra[] = {"tues", "thur", "thurs"};
    size_t i, n = t->n;

    if (n > 3 && t->p[n - 1] == '.')
        n--;
    for (i = 0; i < 7; i++) {
        if (ascii_ieq_n(t->p, n, days_long[i]) ||
            (n == 3 && ascii_tolower(t->p[0]) == days_long[i][0] &&
             ascii_tolower(t->p[1]) == days_long[i][1] &&
             ascii_tolower(t->p[2]) == days_long[i][2]))
            return true;
    }
    for (i = 0; i < 3; i++) {
        if (ascii_ieq_n(t->p, n, extra[i]))
            return true;
    }
    return false;
}

/* "dd", "d": 1 or 2 digits. */
static int
day_of(const struct tok *t)
{
    if (t->n < 1 || t->n > 2)
        return -1;
    return digits(t->p, t->n);
}

/* RFC 2822 section 4.3: 2-digit years < 50 are 20xx, other 2- and 3-digit
 * years add 1900. */
static int
year_of(const struct tok *t)
{
    int y;

    if (t->n < 2 || t->n > 4)
        return -1;
    y = digits(t->p, t->n);
    if (y < 0)
        return -1;
    if (t->n == 2 && y < 50)
        return y + 2000;
    if (t->n < 4)
        return y + 1900;
    return y;
}

/* "h:mm" or "h:mm:ss" (1 or 2 digits each). */
static int
time_of(const struct tok *t, struct fields *f)
{
    const char *p = t->p, *end = t->p + t->n;
    int v[3] = {0, 0, 0};
    int k = 0;

    while (k < 3) {
        const char *s = p;

        while (p < end && ascii_is_digit(*p))
            p++;
        if (p - s < 1 || p - s > 2)
            return -1;
        v[k++] = digits(s, (size_t)(p - s));
        if (p == end)
            break;
        if (*p != ':')
            return -1;
        p++;
    }
    if (p != end || k < 2)
        return -1;
    f->hour = v[0];
    f->min = v[1];
    f->sec = v[2];
    f->prec = k == 3 ? DT_PREC_SECOND : DT_PREC_MINUTE;
    return 0;
}

static int
zone_of(const struct tok *t, int *offset)
{
    const char *p = t->p;
    size_t n = t->n, i;

    if (n > 0 && (p[0] == '+' || p[0] == '-'))
        return numeric_zone(p, n, offset);
    /* "GMT+hh:mm", "UTC-0100" */
    for (i = 0; i < n && p[i] != '+' && p[i] != '-'; i++)
        ;
    if (i < n && (ascii_ieq_n(p, i, "gmt") || ascii_ieq_n(p, i, "utc") ||
                  ascii_ieq_n(p, i, "ut")))
        return numeric_zone(p + i, n - i, offset);
    if (n == 1 && ascii_tolower(p[0]) >= 'a' && ascii_tolower(p[0]) <= 'z' &&
        ascii_tolower(p[0]) != 'j') {
        *offset = 0; /* military zone: -0000 */
        return 0;
    }
    for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        if (ascii_ieq_n(p, n, zones[i].name)) {
            *offset = zones[i].minutes * 60;
            return 0;
        }
    }
    return -1;
}

/* The date part: "dd Mon yyyy", "Mon dd yyyy" or asctime's "Mon dd". */
static int
rfc822_date(const struct tok *t, size_t nt, size_t *i, struct fields *f,
            bool *year_pending)
{
    size_t k = *i;

    if (k < nt && t[k].n == 10 && t[k].p[4] == '/' && t[k].p[7] == '/') {
        /* Perforce: "Fri, 2006/09/15 08:19:53 EDT" */
        f->year = digits(t[k].p, 4);
        f->month = digits(t[k].p + 5, 2);
        f->day = digits(t[k].p + 8, 2);
        *i = k + 1;
        return f->year < 0 || f->month < 0 || f->day < 0 ? -1 : 0;
    }
    if (k + 2 > nt)
        return -1;
    f->month = month_of(&t[k]);
    if (f->month == 0) {
        f->day = day_of(&t[k]);
        f->month = month_of(&t[k + 1]);
        if (f->day < 0 || f->month == 0 || k + 3 > nt)
            return -1;
        f->year = year_of(&t[k + 2]);
        *i = k + 3;
        return f->year < 0 ? -1 : 0;
    }
    f->day = day_of(&t[k + 1]);
    if (f->day < 0)
        return -1;
    k += 2;
    *year_pending = true;
    if (k < nt && t[k].n == 4 && year_of(&t[k]) >= 0) {
        f->year = year_of(&t[k]);
        *year_pending = false;
        k++;
    }
    *i = k;
    return 0;
}

int
dt_parse_rfc822(const char *p, size_t n, struct dt *out)
{
    struct fields f = {0, 0, 0, 0, 0, 0, 0, DT_PREC_DAY};
    struct tok t[MAX_TOKENS];
    size_t nt, i = 0;
    bool year_pending = false;

    if (tokenize(p, n, t, &nt) < 0 || nt == 0)
        return -1;
    if (is_day_name(&t[0]))
        i++;
    if (rfc822_date(t, nt, &i, &f, &year_pending) < 0)
        return -1;
    if (i < nt && memchr(t[i].p, ':', t[i].n) != NULL) {
        if (time_of(&t[i], &f) < 0)
            return -1;
        i++;
    }
    if (i < nt && !(year_pending && year_of(&t[i]) >= 0 && t[i].n == 4)) {
        if (zone_of(&t[i], &f.offset) < 0)
            return -1;
        i++;
    }
    if (year_pending) {
        if (i == nt || t[i].n != 4 || (f.year = year_of(&t[i])) < 0)
            return -1;
        i++;
    }
    if (i != nt)
        return -1;
    return finish(&f, out);
}

int
dt_parse(const char *p, size_t n, struct dt *out)
{
    if (dt_parse_iso8601(p, n, out) == 0)
        return 0;
    return dt_parse_rfc822(p, n, out);
}

/* datetime: calendar arithmetic and formatting.  Parsing: datetime_parse.c */
#include "arctic_digest/datetime.h"

#include <stdlib.h>

static const char *const month_names[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
static const char *const day_abbr[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};

int64_t
dt_days_from_civil(int year, int month, int day)
{
    /* Howard Hinnant's days_from_civil, valid for the proleptic Gregorian
     * calendar. */
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *year, int *month, int *day)
{
    int64_t era, doe, yoe, y, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (*month <= 2));
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

void
dt_to_parts(const struct dt *d, struct dt_parts *out)
{
    int64_t local = d->t + d->offset;
    int64_t days = floor_div(local, 86400);
    int64_t secs = local - days * 86400;

    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->min = (int)(secs / 60 % 60);
    out->sec = (int)(secs % 60);
    out->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

struct dt
dt_from_time(int64_t t, int offset)
{
    struct dt d;

    d.t = t;
    d.offset = offset;
    d.prec = DT_PREC_SECOND;
    return d;
}

const char *
dt_month_name(int month)
{
    if (month < 1 || month > 12)
        return "";
    return month_names[month - 1];
}

static void
append_offset(int offset, bool colon, struct buf *out)
{
    int a = abs(offset) / 60;

    buf_appendf(out, "%c%02d%s%02d", offset < 0 ? '-' : '+', a / 60,
                colon ? ":" : "", a % 60);
}

void
dt_format_rfc5322(const struct dt *d, struct buf *out)
{
    struct dt_parts p;

    dt_to_parts(d, &p);
    buf_appendf(out, "%s, %d %.3s %04d %02d:%02d:%02d ", day_abbr[p.wday],
                p.day, month_names[p.month - 1], p.year, p.hour, p.min, p.sec);
    append_offset(d->offset, false, out);
}

void
dt_format_rfc3339(const struct dt *d, struct buf *out)
{
    struct dt_parts p;

    dt_to_parts(d, &p);
    switch (d->prec) {
    case DT_PREC_NONE:
        return;
    case DT_PREC_YEAR:
        buf_appendf(out, "%04d", p.year);
        return;
    case DT_PREC_MONTH:
        buf_appendf(out, "%04d-%02d", p.year, p.month);
        return;
    case DT_PREC_DAY:
        buf_appendf(out, "%04d-%02d-%02d", p.year, p.month, p.day);
        return;
    case DT_PREC_MINUTE:
    case DT_PREC_SECOND:
        break;
    }
    buf_appendf(out, "%04d-%02d-%02dT%02d:%02d:%02d", p.year, p.month, p.day,
                p.hour, p.min, p.sec);
    if (d->offset == 0)
        buf_append_char(out, 'Z');
    else
        append_offset(d->offset, true, out);
}

void
dt_format_long(const struct dt *d, struct buf *out)
{
    struct dt_parts p;

    dt_to_parts(d, &p);
    switch (d->prec) {
    case DT_PREC_NONE:
        return;
    case DT_PREC_YEAR:
        buf_appendf(out, "%d", p.year);
        return;
    case DT_PREC_MONTH:
        buf_appendf(out, "%s %d", month_names[p.month - 1], p.year);
        return;
    default:
        buf_appendf(out, "%s %d, %d", month_names[p.month - 1], p.day, p.year);
        return;
    }
}

int
dt_cmp(const struct dt *a, const struct dt *b)
{
    return (a->t > b->t) - (a->t < b->t);
}

bool
dt_is_set(const struct dt *d)
{
    return d->prec != DT_PREC_NONE;
}

/* schedule: cron expression parsing and slot search (see schedule.h). */
#include "arctic_digest/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arctic_digest/datetime.h"

/* Search horizon: Feb 29 can be eight years away (2096 -> 2104). */
#define HORIZON_DAYS (366 * 10)
/* Wider than any difference between two UTC offsets of one zone around a
 * change, so the out-of-order slots of a spring-forward gap are seen. */
#define MARGIN (86400 + 7200)

struct field {
    const char *name;
    int lo, hi;
    const char *const *names; /* 3-letter names for values lo.. */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may",
                                          "jun", "jul", "aug", "sep", "oct",
                                          "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed",
                                        "thu", "fri", "sat", NULL};

static const struct field fields[5] = {
    {"minute", 0, 59, NULL},          {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},    {"month", 1, 12, month_names},
    {"day of week", 0, 7, day_names},
};

static const struct {
    const char *name, *expr;
} macros[] = {
    {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

/* Parse one value (number or name) of [p, end) into *v. */
static int
parse_value(const struct field *f, const char *p, const char *end, int *v,
            char *why, size_t whyn)
{
    int n = 0;
    size_t len = (size_t)(end - p);

    if (len == 0) {
        snprintf(why, whyn, "missing value");
        return -1;
    }
    if (isdigit((unsigned char)*p)) {
        for (const char *q = p; q < end; q++) {
            if (!isdigit((unsigned char)*q) || n > 1000) {
                snprintf(why, whyn, "'%.*s' is not a number", (int)len, p);
                return -1;
            }
            n = n * 10 + (*q - '0');
        }
        if (n < f->lo || n > f->hi) {
            snprintf(why, whyn, "value %d out of range %d-%d", n, f->lo, f->hi);
            return -1;
        }
        *v = n;
        return 0;
    }
    for (int i = 0; f->names && f->names[i]; i++) {
        if (len == 3 && !strncasecmp(p, f->names[i], 3)) {
            *v = f->lo + i;
            return 0;
        }
    }
    snprintf(why, whyn, "unknown name '%.*s'", (int)len, p);
    return -1;
}

/* Parse one list item "*", "v", "a-b", each optionally "/n", into bits. */
static int
parse_item(const struct field *f, int idx, const char *p, const char *end,
           uint64_t *bits, char *why, size_t whyn)
{
    const char *slash = memchr(p, '/', (size_t)(end - p));
    const char *vend = slash ? slash : end;
    const char *dash = memchr(p, '-', (size_t)(vend - p));
    int lo, hi, step = 1;

    if (p == end) {
        snprintf(why, whyn, "empty list item");
        return -1;
    }
    if (slash) {
        if (parse_value(&(struct field){"", 1, 1000, NULL}, slash + 1, end,
                        &step, why, whyn) < 0) {
            snprintf(why, whyn, "bad step '%.*s'", (int)(end - slash - 1),
                     slash + 1);
            return -1;
        }
    }
    if (vend - p == 1 && *p == '*') {
        lo = f->lo;
        hi = f->hi;
    } else if (dash) {
        if (parse_value(f, p, dash, &lo, why, whyn) < 0 ||
            parse_value(f, dash + 1, vend, &hi, why, whyn) < 0)
            return -1;
        if (idx == 4 && hi == 0 && lo > 0)
            hi = 7; /* "FRI-SUN" */
        if (lo > hi) {
            snprintf(why, whyn, "range '%.*s' runs backwards", (int)(vend - p),
                     p);
            return -1;
        }
    } else {
        if (parse_value(f, p, vend, &lo, why, whyn) < 0)
            return -1;
        hi = slash ? f->hi : lo; /* "a/n" runs to the end of the field */
    }
    for (int v = lo; v <= hi; v += step)
        *bits |= (uint64_t)1 << (idx == 4 ? v % 7 : v);
    return 0;
}

static int
parse_field(int idx, const char *p, const char *end, uint64_t *bits, char *why,
            size_t whyn)
{
    const struct field *f = &fields[idx];

    *bits = 0;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *iend = comma ? comma : end;

        if (parse_item(f, idx, p, iend, bits, why, whyn) < 0)
            return -1;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static const char *
expand_macro(const char *expr, struct err *e, int *rc)
{
    *rc = 0;
    if (expr[0] != '@')
        return expr;
    for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
        if (!strcasecmp(expr, macros[i].name))
            return macros[i].expr;
    if (!strcasecmp(expr, "@reboot"))
        *rc = err_set(e, ERR_CONFIG, 0,
                      "schedule '%s': @reboot is not a time; use a 5-field "
                      "expression such as '0 7 * * MON'",
                      expr);
    else
        *rc = err_set(e, ERR_CONFIG, 0,
                      "schedule '%s': unknown macro (use @yearly, "
                      "@monthly, @weekly, @daily or @hourly)",
                      expr);
    return NULL;
}

int
sched_parse(struct sched *s, const char *expr, struct err *e)
{
    struct sched t = SCHED_INIT;
    const char *p, *body;
    size_t n;
    uint64_t bits[5];
    int nf = 0, rc;

    while (*expr == ' ' || *expr == '\t')
        expr++;
    n = strlen(expr);
    while (n > 0 && (expr[n - 1] == ' ' || expr[n - 1] == '\t' ||
                     expr[n - 1] == '\n' || expr[n - 1] == '\r'))
        n--;
    if (n >= sizeof(t.expr))
        return err_set(e, ERR_CONFIG, 0, "schedule '%.40s...': too long", expr);
    memcpy(t.expr, expr, n);
    t.expr[n] = '\0';
    body = expand_macro(t.expr, e, &rc);
    if (!body)
        return rc;
    p = body;
    for (;;) {
        const char *f;
        char why[96];

        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        f = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (nf == 5) {
            nf++;
            break;
        }
        if (nf == 2 || nf == 4) {
            if (nf == 2)
                t.mday_star = *f == '*';
            else
                t.wday_star = *f == '*';
        }
        if (parse_field(nf, f, p, &bits[nf], why, sizeof(why)) < 0)
            return err_set(e, ERR_CONFIG, 0, "schedule '%s': field %d (%s): %s",
                           t.expr, nf + 1, fields[nf].name, why);
        nf++;
    }
    if (nf != 5)
        return err_set(e, ERR_CONFIG, 0,
                       "schedule '%s': expected 5 fields (minute hour "
                       "day-of-month month day-of-week), found %s%d",
                       t.expr, nf > 5 ? "more than " : "", nf > 5 ? 5 : nf);
    t.minutes = bits[0];
    t.hours = (uint32_t)bits[1];
    t.mdays = (uint32_t)bits[2];
    t.months = (uint16_t)bits[3];
    t.wdays = (uint8_t)bits[4];
    *s = t;
    return 0;
}

static bool
day_matches(const struct sched *s, int month, int day, int wday)
{
    bool md = s->mdays >> day & 1;
    bool wd = s->wdays >> wday & 1;

    if (!(s->months >> month & 1))
        return false;
    if (s->mday_star || s->wday_star)
        return md && wd;
    return md || wd;
}

bool
sched_match(const struct sched *s, int year, int month, int day, int hour,
            int min, int wday)
{
    (void)year;
    return day_matches(s, month, day, wday) && (s->hours >> hour & 1) &&
           (s->minutes >> min & 1);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Wall-clock date of day number d (days since 1970-01-01). */
static void
day_parts(int64_t d, struct dt_parts *p)
{
    struct dt t = dt_from_time(d * 86400, 0);

    dt_to_parts(&t, p);
}

/* The first matching wall minute >= w (seconds, multiple of 60) and at most
 * `limit`, into *out; -1 if none. */
static int
wall_next(const struct sched *s, int64_t w, int64_t limit, int64_t *out)
{
    int64_t d = floor_div(w, 86400);
    int h0 = (int)(w - d * 86400) / 3600, m0 = (int)(w - d * 86400) / 60 % 60;

    for (; d * 86400 <= limit; d++, h0 = 0, m0 = 0) {
        struct dt_parts p;

        day_parts(d, &p);
        if (!day_matches(s, p.month, p.day, p.wday))
            continue;
        for (int h = h0; h < 24; h++, m0 = 0) {
            if (!(s->hours >> h & 1))
                continue;
            for (int m = m0; m < 60; m++) {
                int64_t v = d * 86400 + h * 3600 + m * 60;

                if (!(s->minutes >> m & 1))
                    continue;
                if (v > limit)
                    return -1;
                *out = v;
                return 0;
            }
        }
    }
    return -1;
}

/* The last matching wall minute <= w and at least `limit`; -1 if none. */
static int
wall_prev(const struct sched *s, int64_t w, int64_t limit, int64_t *out)
{
    int64_t d = floor_div(w, 86400);
    int h0 = (int)(w - d * 86400) / 3600, m0 = (int)(w - d * 86400) / 60 % 60;

    for (; (d + 1) * 86400 > limit; d--, h0 = 23, m0 = 59) {
        struct dt_parts p;

        day_parts(d, &p);
        if (!day_matches(s, p.month, p.day, p.wday))
            continue;
        for (int h = h0; h >= 0; h--, m0 = 59) {
            if (!(s->hours >> h & 1))
                continue;
            for (int m = m0; m >= 0; m--) {
                int64_t v = d * 86400 + h * 3600 + m * 60;

                if (!(s->minutes >> m & 1))
                    continue;
                if (v < limit)
                    return -1;
                *out = v;
                return 0;
            }
        }
    }
    return -1;
}

/*
 * Slots are sched_zone_utc(W) for matching wall times W.  That map is not
 * monotonic inside a spring-forward gap (02:30 -> 03:30 CEST comes after
 * 03:00 -> 03:00 CEST), so both searches look MARGIN beyond the first
 * candidate and keep the best instant.
 */
int
sched_next(const struct sched *s, const struct sched_zone *z, int64_t after,
           int64_t *out, struct err *e)
{
    int64_t lw = after + sched_zone_offset(z, after);
    int64_t w = floor_div(lw - MARGIN, 60) * 60;
    int64_t limit = lw + (int64_t)HORIZON_DAYS * 86400;
    int64_t best = 0, best_w = 0;
    bool found = false;

    while (wall_next(s, w, limit, &w) == 0) {
        int64_t u = sched_zone_utc(z, w);

        if (found && w > best_w + MARGIN)
            break;
        if (u > after && (!found || u < best)) {
            best = u;
            best_w = w;
            found = true;
        }
        w += 60;
    }
    if (!found)
        return err_set(e, ERR_DATA, 0,
                       "schedule '%s': no time matches within 10 years",
                       s->expr);
    *out = best;
    return 0;
}

int
sched_prev(const struct sched *s, const struct sched_zone *z, int64_t at,
           int64_t *out, struct err *e)
{
    int64_t lw = at + sched_zone_offset(z, at);
    int64_t w = floor_div(lw + MARGIN, 60) * 60;
    int64_t limit = lw - (int64_t)HORIZON_DAYS * 86400;
    int64_t best = 0, best_w = 0;
    bool found = false;

    while (wall_prev(s, w, limit, &w) == 0) {
        int64_t u = sched_zone_utc(z, w);

        if (found && w < best_w - MARGIN)
            break;
        if (u <= at && (!found || u > best)) {
            best = u;
            best_w = w;
            found = true;
        }
        w -= 60;
    }
    if (!found)
        return err_set(e, ERR_DATA, 0,
                       "schedule '%s': no time matches within 10 years",
                       s->expr);
    *out = best;
    return 0;
}

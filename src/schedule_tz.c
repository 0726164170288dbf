/*
 * schedule_tz: IANA time zones from TZif files (RFC 8536) for schedule.h.
 *
 * Reads the version 2+ 64-bit block (transition times and the types' UTC
 * offsets) and the POSIX TZ footer (POSIX.1-2017 section 8.3, with the
 * RFC 8536 3.3.1 extensions: hours -167..167 in rule times), which gives
 * the offsets after the last listed transition.  Leap-second ("right/")
 * files are refused.  Abbreviations and isdst are not kept: only offsets
 * matter for slots and Date headers.
 */
#include "arctic_digest/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/util.h"

#define TZIF_MAX (1 << 20)
/* zic's earliest transition ("big bang", -2^59 s).  Instants beyond +-2^59
 * mean nothing, and refusing them keeps every offset sum in range. */
#define TZIF_TIME_LIMIT (INT64_C(1) << 59)

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int64_t
be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool
name_ok(const char *name)
{
    if (!name[0] || name[0] == '/' || strstr(name, "..") ||
        strlen(name) >= sizeof(((struct sched_zone *)0)->name))
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
            return false;
    return true;
}

/* [+-]hh[:mm[:ss]] into *v; returns the end or NULL. */
static const char *
tz_time(const char *p, int32_t *v)
{
    int sign = 1, part[3] = {0, 0, 0};

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*p))
            return NULL;
        while (isdigit((unsigned char)*p) && part[i] < 1000)
            part[i] = part[i] * 10 + (*p++ - '0');
        if (*p != ':' || i == 2)
            break;
        p++;
    }
    if (part[0] > 167 || part[1] > 59 || part[2] > 59)
        return NULL;
    *v = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return p;
}

static const char *
tz_name(const char *p)
{
    const char *q = p;

    if (*p == '<') {
        q = strchr(p, '>');
        return q ? q + 1 : NULL;
    }
    while (isalpha((unsigned char)*q))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* ",Jn[/t]", ",n[/t]" or ",Mm.w.d[/t]". */
static const char *
tz_date(const char *p, struct sched_tzdate *d)
{
    char *end;

    if (*p++ != ',')
        return NULL;
    d->secs = 7200;
    if (*p == 'M') {
        d->kind = 'M';
        if (sscanf(p, "M%d.%d.%d", &d->mon, &d->week, &d->wday) != 3 ||
            d->mon < 1 || d->mon > 12 || d->week < 1 || d->week > 5 ||
            d->wday < 0 || d->wday > 6)
            return NULL;
        p++;
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
    } else {
        d->kind = *p == 'J' ? 'J' : 'N';
        if (*p == 'J')
            p++;
        errno = 0;
        d->yday = (int)strtol(p, &end, 10);
        if (end == p || d->yday < 0 || d->yday > 365)
            return NULL;
        p = end;
    }
    if (*p == '/')
        p = tz_time(p + 1, &d->secs);
    return p;
}

/* The POSIX TZ string of the footer, e.g. "CET-1CEST,M3.5.0,M10.5.0/3". */
static int
parse_footer(struct sched_zone *z, const char *p)
{
    int32_t v;

    p = tz_name(p);
    if (!p || !(p = tz_time(p, &v)))
        return -1;
    z->std_off = -v;
    z->has_rule = true;
    if (!*p)
        return 0;
    p = tz_name(p);
    if (!p)
        return -1;
    z->rule_dst = true;
    z->dst_off = z->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = tz_time(p, &v)))
            return -1;
        z->dst_off = -v;
    }
    if (!*p) {
        /* POSIX default rule "M3.2.0,M11.1.0" (US) */
        z->dst_start = (struct sched_tzdate){'M', 3, 2, 0, 0, 7200};
        z->dst_end = (struct sched_tzdate){'M', 11, 1, 0, 0, 7200};
        return 0;
    }
    if (!(p = tz_date(p, &z->dst_start)) || !(p = tz_date(p, &z->dst_end)))
        return -1;
    return *p ? -1 : 0;
}

static int
parse_tzif(struct sched_zone *z, const unsigned char *p, size_t n)
{
    uint32_t c[6]; /* isut, isstd, leap, time, type, char */
    size_t v1, need;
    const unsigned char *types, *ttinfo, *foot, *nl;

    if (n < 44 || memcmp(p, "TZif", 4) || p[4] < '2')
        return -1;
    for (int i = 0; i < 6; i++)
        c[i] = be32(p + 20 + 4 * i);
    v1 = 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 +
         c[1] + c[0];
    if (v1 + 44 > n || memcmp(p + v1, "TZif", 4))
        return -1;
    p += v1;
    n -= v1;
    for (int i = 0; i < 6; i++)
        c[i] = be32(p + 20 + 4 * i);
    need = 44 + (size_t)c[3] * 9 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 12 +
           c[1] + c[0];
    if (c[2] != 0 || c[4] == 0 || need > n)
        return -1;
    types = p + 44 + (size_t)c[3] * 8;
    ttinfo = types + c[3];
    z->trans = xmalloc((c[3] + 1) * sizeof(*z->trans));
    z->offs = xmalloc((c[3] + 1) * sizeof(*z->offs));
    for (uint32_t i = 0; i < c[3]; i++) {
        if (types[i] >= c[4])
            return -1;
        z->trans[i] = be64(p + 44 + 8 * (size_t)i);
        if (z->trans[i] < -TZIF_TIME_LIMIT || z->trans[i] > TZIF_TIME_LIMIT)
            return -1;
        z->offs[i] = (int32_t)be32(ttinfo + 6 * (size_t)types[i]);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return -1;
    }
    z->ntrans = c[3];
    z->first_off = (int32_t)be32(ttinfo);
    foot = p + need;
    if (foot < p + n && *foot == '\n') {
        nl = memchr(foot + 1, '\n', (size_t)(p + n - foot - 1));
        if (nl && nl > foot + 1) {
            char tz[128];

            if ((size_t)(nl - foot - 1) >= sizeof(tz))
                return -1;
            memcpy(tz, foot + 1, (size_t)(nl - foot - 1));
            tz[nl - foot - 1] = '\0';
            if (parse_footer(z, tz) < 0)
                return -1;
        }
    }
    return 0;
}

int
sched_zone_parse(struct sched_zone *z, const char *name, const void *p,
                 size_t n, struct err *e)
{
    struct sched_zone t = SCHED_ZONE_INIT;

    if (parse_tzif(&t, p, n) < 0) {
        sched_zone_release(&t);
        return err_set(e, ERR_DATA, 0,
                       "time zone '%s': not a TZif file of version 2 or "
                       "later",
                       name);
    }
    snprintf(t.name, sizeof(t.name), "%s", name);
    *z = t;
    return 0;
}

int
sched_zone_load(struct sched_zone *z, const char *name,
                const char *zoneinfo_dir, struct err *e)
{
    struct sched_zone t = SCHED_ZONE_INIT;
    struct buf path = BUF_INIT, data = BUF_INIT;
    int rc = 0;

    if (!name || !name[0] || !strcmp(name, "UTC") || !strcmp(name, "Etc/UTC")) {
        snprintf(t.name, sizeof(t.name), "%s", "UTC");
        *z = t;
        return 0;
    }
    if (!name_ok(name))
        return err_set(e, ERR_CONFIG, 0, "unknown time zone '%s'", name);
    buf_appendf(&path, "%s/%s",
                zoneinfo_dir ? zoneinfo_dir : SCHED_ZONEINFO_DIR, name);
    if (buf_read_file(&data, path.data, TZIF_MAX, NULL) < 0) {
        rc = err_set(e, ERR_CONFIG, errno, "unknown time zone '%s'", name);
        goto out;
    }
    if (sched_zone_parse(z, name, data.data, data.len, NULL) < 0)
        rc = err_set(e, ERR_DATA, 0,
                     "time zone '%s': '%s' is not a TZif file of version 2 "
                     "or later",
                     name, path.data);
out:
    buf_release(&path);
    buf_release(&data);
    return rc;
}

void
sched_zone_release(struct sched_zone *z)
{
    struct sched_zone empty = SCHED_ZONE_INIT;

    if (!z)
        return;
    free(z->trans);
    free(z->offs);
    *z = empty;
}

/* The UTC instant of a rule date in `year`, given the offset in force
 * before it. */
static int64_t
rule_instant(const struct sched_tzdate *d, int year, int32_t before)
{
    int64_t day;

    if (d->kind == 'M') {
        int64_t first = dt_days_from_civil(year, d->mon, 1);
        int wday1 = (int)((first % 7 + 11) % 7); /* 1970-01-01 was Thursday */
        int mdays = (int)(dt_days_from_civil(d->mon == 12 ? year + 1 : year,
                                             d->mon == 12 ? 1 : d->mon + 1, 1) -
                          first);
        int mday = 1 + (d->wday - wday1 + 7) % 7 + 7 * (d->week - 1);

        while (mday > mdays)
            mday -= 7;
        day = first + mday - 1;
    } else if (d->kind == 'J') {
        bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

        day = dt_days_from_civil(year, 1, 1) + d->yday - 1 +
              (leap && d->yday >= 60);
    } else {
        day = dt_days_from_civil(year, 1, 1) + d->yday;
    }
    return day * 86400 + d->secs - before;
}

static int
year_of(int64_t t)
{
    struct dt d = dt_from_time(t, 0);
    struct dt_parts p;

    dt_to_parts(&d, &p);
    return p.year;
}

/* Offset from the footer rule at t. */
static int32_t
rule_offset(const struct sched_zone *z, int64_t t)
{
    int y;
    int64_t start, end;

    if (!z->rule_dst)
        return z->std_off;
    y = year_of(t + z->std_off);
    start = rule_instant(&z->dst_start, y, z->std_off);
    end = rule_instant(&z->dst_end, y, z->dst_off);
    if (start < end)
        return t >= start && t < end ? z->dst_off : z->std_off;
    return t >= end && t < start ? z->std_off : z->dst_off;
}

/* Index of the last transition <= t, or -1. */
static ptrdiff_t
trans_index(const struct sched_zone *z, int64_t t)
{
    size_t lo = 0, hi = z->ntrans;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (z->trans[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ptrdiff_t)lo - 1;
}

int32_t
sched_zone_offset(const struct sched_zone *z, int64_t t)
{
    ptrdiff_t i;

    if (z->ntrans == 0)
        return z->has_rule ? rule_offset(z, t) : z->first_off;
    i = trans_index(z, t);
    if (i < 0)
        return z->first_off;
    if ((size_t)i == z->ntrans - 1 && z->has_rule)
        return rule_offset(z, t);
    return z->offs[i];
}

/*
 * The first change of offset after t: its instant and the offsets before
 * and after.  Returns false when there is none.
 */
static bool
next_change(const struct sched_zone *z, int64_t t, int64_t *when,
            int32_t *before, int32_t *after)
{
    ptrdiff_t i = z->ntrans ? trans_index(z, t) : -1;

    *before = sched_zone_offset(z, t);
    if (z->ntrans && (size_t)(i + 1) < z->ntrans) {
        *when = z->trans[i + 1];
        *after = z->offs[i + 1];
        return true;
    }
    if (!z->has_rule || !z->rule_dst)
        return false;
    *when = INT64_MAX;
    for (int y = year_of(t) - 1; y <= year_of(t) + 1; y++) {
        int64_t c[2] = {rule_instant(&z->dst_start, y, z->std_off),
                        rule_instant(&z->dst_end, y, z->dst_off)};

        for (int k = 0; k < 2; k++)
            if (c[k] > t && c[k] < *when)
                *when = c[k];
    }
    if (*when == INT64_MAX)
        return false;
    *after = sched_zone_offset(z, *when);
    return true;
}

/*
 * Walk the changes from two days before `local` on: a wall time earlier
 * than T + max(before, after) of the next change T belongs to the offset
 * before it, which resolves gaps and overlaps as fold=0 does.
 */
int64_t
sched_zone_utc(const struct sched_zone *z, int64_t local)
{
    int64_t t = local - 2 * 86400, when;
    int32_t before, after;

    for (int guard = 0; guard < 64; guard++) {
        if (!next_change(z, t, &when, &before, &after))
            return local - sched_zone_offset(z, t);
        if (local < when + (before > after ? before : after))
            return local - before;
        t = when;
    }
    return local - sched_zone_offset(z, t);
}

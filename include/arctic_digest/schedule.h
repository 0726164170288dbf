/*
 * schedule: cron expressions and IANA time zones, for "when is the next
 * issue due".
 *
 * Expressions are the 5-field crontab(5) form of Vixie cron (minute, hour,
 * day of month, month, day of week): '*', numbers, ranges "a-b", steps
 * ('*' or "a-b" followed by "/n", and "a/n" meaning a to the field's end),
 * comma lists, month names JAN-DEC and day names SUN-SAT (case-insensitive),
 * 7 = Sunday (and a day range may end in SUN: "FRI-SUN"), and the macros
 * @yearly @annually @monthly @weekly @daily @midnight @hourly.  @reboot is
 * refused: it is not a time.  Vixie's day rule: when both day fields are
 * restricted (neither begins with '*'), a day matches if EITHER field
 * matches; otherwise both must (day of month '*' with step "/2" and day of
 * week MON: odd days that are Mondays; "0 0 1 * MON": the 1st and every
 * Monday).
 *
 * Time zones are read from TZif files (RFC 8536, version 2+ 64-bit data and
 * the POSIX TZ footer for instants after the last transition) in a zoneinfo
 * directory given by the caller.  Nothing reads TZ, the clock or localtime().
 *
 * Slots are wall-clock times in the zone.  Around daylight-saving changes a
 * wall time W becomes the instant W - o, where o is the UTC offset in force
 * just BEFORE the change (Python's fold=0; what croniter 1.3.5 with pytz
 * computes in its usual case):
 *   - spring forward, a wall time that does not exist (02:30 on 2025-03-30
 *     in Europe/Oslo) happens once, at the same distance after the jump:
 *     02:30 CET = 03:30 CEST.  A shifted time that equals a real one
 *     (every 30 minutes: 02:00 -> 03:00) is one slot, not two;
 *   - fall back, a wall time that happens twice (02:30 on 2025-10-26 in
 *     Europe/Oslo) is a slot only at its FIRST occurrence (02:30 CEST), so a
 *     daily or weekly schedule never fires twice; an hourly one has one hour
 *     without a slot.
 * docs/DEVIATIONS.md ("Schedule") lists where croniter answers otherwise.
 */
#ifndef ARCTIC_DIGEST_SCHEDULE_H
#define ARCTIC_DIGEST_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/err.h"

/* A parsed expression: one bit per allowed value.  Plain data, no release. */
struct sched {
    uint64_t minutes; /* bit m, 0-59 */
    uint32_t hours;   /* bit h, 0-23 */
    uint32_t mdays;   /* bit d, 1-31 */
    uint16_t months;  /* bit m, 1-12 */
    uint8_t wdays;    /* bit w, 0-6, 0 = Sunday */
    bool mday_star;   /* field 3 began with '*' (Vixie's rule) */
    bool wday_star;   /* field 5 began with '*' */
    char expr[128];   /* the expression as given, trimmed, for messages */
};

/* A POSIX TZ rule date: "Jn", "n" or "Mm.w.d", plus the local time. */
struct sched_tzdate {
    char kind; /* 'J', 'N' (zero-based day) or 'M' */
    int mon, week, wday, yday;
    int32_t secs; /* local time of day, may be negative or over 24h */
};

/* A loaded time zone.  Treat as opaque; SCHED_ZONE_INIT, then
 * sched_zone_load, then sched_zone_release. */
struct sched_zone {
    char name[64];
    int64_t *trans; /* transition instants, ascending */
    int32_t *offs;  /* UTC offset from each transition on */
    size_t ntrans;
    int32_t first_off; /* offset before the first transition */
    bool has_rule;     /* footer present: applies after the last one */
    bool rule_dst;     /* the footer has daylight saving */
    int32_t std_off, dst_off;
    struct sched_tzdate dst_start, dst_end;
};

#define SCHED_INIT {0, 0, 0, 0, 0, false, false, ""}
#define SCHED_ZONE_INIT {"", NULL, NULL, 0, 0, false, false, 0, 0, {0}, {0}}
#define SCHED_ZONEINFO_DIR "/usr/share/zoneinfo"

/*
 * Parse a cron expression (or macro) into *s.  Leading and trailing white
 * space is ignored; fields are separated by spaces or tabs.
 * Fails with ERR_CONFIG (s untouched) and a message naming the field:
 * "schedule '0 7 * * MOX': field 5 (day of week): unknown name 'MOX'".
 */
int sched_parse(struct sched *s, const char *expr, struct err *e);

/* Does the wall-clock minute (year, month 1-12, day, hour, minute, wday
 * 0 = Sunday) match s?  No zone involved. */
bool sched_match(const struct sched *s, int year, int month, int day, int hour,
                 int min, int wday);

/*
 * The first slot strictly after `after` (UTC seconds), in zone z, into
 * *out.  Slots fall on whole minutes.  Searches about ten years ahead (Feb
 * 29 can be eight years away); fails with ERR_DATA for an expression that
 * never matches ("30 2 30 FEB *": "schedule '...': no time matches within
 * 10 years").  *out is written only on success.
 */
int sched_next(const struct sched *s, const struct sched_zone *z, int64_t after,
               int64_t *out, struct err *e);

/* The latest slot at or before `at`; as sched_next otherwise. */
int sched_prev(const struct sched *s, const struct sched_zone *z, int64_t at,
               int64_t *out, struct err *e);

/*
 * Load zone `name` ("Europe/Oslo") from zoneinfo_dir (NULL: the default
 * SCHED_ZONEINFO_DIR).  "UTC", "Etc/UTC" and NULL or "" need no file.  Names
 * must be relative paths of letters, digits, '_', '-', '+' and '/', without
 * "..".  On success *z (which must be SCHED_ZONE_INIT or released) owns
 * arrays freed by sched_zone_release.  Fails with ERR_CONFIG "unknown time
 * zone 'Europe/Osl'" for a bad or missing name and ERR_DATA for a file that
 * is not TZif version 2 or later (or has a transition beyond +-2^59 s,
 * zic's "big bang"); z is then left empty.
 */
int sched_zone_load(struct sched_zone *z, const char *name,
                    const char *zoneinfo_dir, struct err *e);

/*
 * The same as sched_zone_load for the bytes (p, n) of a TZif file already
 * in memory (tests and fuzzing): nothing is read from disk.  name (copied,
 * truncated to fit) is only a label.  Fails with ERR_DATA "time zone
 * 'NAME': not a TZif file of version 2 or later"; *z is then untouched.
 */
int sched_zone_parse(struct sched_zone *z, const char *name, const void *p,
                     size_t n, struct err *e);

/* Free z's arrays; z is back to SCHED_ZONE_INIT (UTC). */
void sched_zone_release(struct sched_zone *z);

/* The UTC offset (seconds east) in z at instant t.  A SCHED_ZONE_INIT zone
 * is UTC. */
int32_t sched_zone_offset(const struct sched_zone *z, int64_t t);

/* The instant of wall-clock time `local` (seconds since 1970-01-01 as if
 * UTC) in z, resolving gaps and overlaps as described at the top. */
int64_t sched_zone_utc(const struct sched_zone *z, int64_t local);

#endif

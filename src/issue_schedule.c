/*
 * issue: whether the next issue is due, by [digest] schedule and timezone
 * (see issue.h).  A slot is late when the first check after it comes more
 * than LATE_AFTER later (the machine was off over it).
 */
#include "arctic_digest/issue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/schedule.h"

/* Hourly cron runs within the hour after a slot; allow for jitter. */
#define LATE_AFTER (90 * 60)
#define HANDLED_KEY "handled_slot"

static int
load(const struct config *cfg, struct sched *s, struct sched_zone *z,
     struct err *e)
{
    if (sched_parse(s, cfg->schedule, e) < 0 ||
        sched_zone_load(z, cfg->timezone, SCHED_ZONEINFO_DIR, e) < 0) {
        e->code = ERR_CONFIG;
        return err_prefix(e, "%s: [digest]",
                          cfg->path ? cfg->path : "config");
    }
    return 0;
}

int
issue_next_slot(const struct config *cfg, int64_t t, int64_t *next,
                struct err *e)
{
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    int rc;

    if (load(cfg, &s, &z, e) < 0)
        return -1;
    rc = sched_next(&s, &z, t, next, e);
    sched_zone_release(&z);
    return rc;
}

int
issue_mark_slot_handled(struct store *st, int64_t slot, struct err *e)
{
    char v[32];

    snprintf(v, sizeof(v), "%" PRId64, slot);
    return store_meta_set(st, HANDLED_KEY, v, e);
}

/* The last slot dealt with: the last issue's or a skipped one; *any tells
 * whether there was any at all. */
static int
last_handled(struct store *st, int64_t *handled, bool *any, struct err *e)
{
    struct store_issue last;
    char *v = NULL;
    int found;

    *handled = 0;
    found = store_issue_last(st, &last, e);
    if (found < 0)
        return -1;
    if (found) {
        *handled = last.slot;
        store_issue_release(&last);
    }
    if (store_meta_get(st, HANDLED_KEY, &v, e) < 0)
        return -1;
    if (v && strtoll(v, NULL, 10) > *handled)
        *handled = strtoll(v, NULL, 10);
    *any = found || v;
    free(v);
    return 0;
}

int
issue_schedule_state(const struct context *c, int64_t *handled, bool *any,
                     int64_t prev[2], struct err *e)
{
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    int rc = -1;

    if (load(c->cfg, &s, &z, e) < 0)
        return -1;
    if (sched_prev(&s, &z, c->now.t, &prev[0], e) < 0 ||
        sched_prev(&s, &z, prev[0] - 1, &prev[1], e) < 0 ||
        last_handled(c->st, handled, any, e) < 0)
        goto out;
    rc = 0;
out:
    sched_zone_release(&z);
    return rc;
}

int
issue_due(const struct context *c, int64_t *slot_out, struct err *e)
{
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    struct buf when = BUF_INIT;
    struct dt d;
    int64_t slot, handled;
    bool any;
    int rc = -1;

    if (load(c->cfg, &s, &z, e) < 0)
        return -1;
    if (sched_prev(&s, &z, c->now.t, &slot, e) < 0 ||
        last_handled(c->st, &handled, &any, e) < 0)
        goto out;
    d = dt_from_time(slot, c->now.offset);
    dt_format_rfc3339(&d, &when);
    if (!any) {
        /* The very first run: slots before it were not missed, the tool
         * was not there.  The schedule starts now. */
        log_info("first run: the schedule starts; slots after %s are due",
                 when.data);
        rc = issue_mark_slot_handled(c->st, slot, e) < 0 ? -1 : 0;
    } else if (slot <= handled) {
        log_debug("not due: the last slot, %s, is handled", when.data);
        rc = 0;
    } else if (c->now.t - slot > LATE_AFTER &&
               !strcmp(c->cfg->catch_up, "skip")) {
        log_info("skipping the missed slot %s (catch_up = skip)", when.data);
        rc = issue_mark_slot_handled(c->st, slot, e) < 0 ? -1 : 0;
    } else {
        if (c->now.t - slot > LATE_AFTER)
            log_info("the slot %s was missed; sending late (catch_up = "
                     "send)",
                     when.data);
        *slot_out = slot;
        rc = 1;
    }
out:
    buf_release(&when);
    sched_zone_release(&z);
    return rc;
}

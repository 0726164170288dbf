/*
 * cmd: whether the next issue is due, by [digest] schedule and timezone.
 *
 * Due means the latest slot at or before now is later than the last slot
 * handled: the last issue's, or one skipped (catch_up = skip, or nothing
 * new with empty = skip), which the state remembers as "handled_slot".
 * The very first run only starts the schedule: the slots before it were
 * not missed, the tool was not running.
 * A slot is late when the first run after it comes more than LATE_AFTER
 * later (the machine was off over it); catch_up = send sends it anyway,
 * catch_up = skip logs and skips it.  Several missed slots give one issue,
 * whose period runs to the latest of them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/schedule.h"
#include "arctic_digest/store.h"
#include "cmd.h"

/* Hourly cron runs within the hour after a slot; allow for jitter. */
#define LATE_AFTER (90 * 60)
#define HANDLED_KEY "handled_slot"

static int
load(struct app *app, struct sched *s, struct sched_zone *z, struct err *e)
{
    const struct config *c = &app->cfg;

    if (sched_parse(s, c->schedule, e) < 0 ||
        sched_zone_load(z, c->timezone, SCHED_ZONEINFO_DIR, e) < 0) {
        e->code = ERR_CONFIG;
        return err_prefix(e, "%s: [digest]", c->path ? c->path : "config");
    }
    return 0;
}

int
cmd_next_slot(struct app *app, int64_t t, int64_t *next, struct err *e)
{
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    int rc;

    if (load(app, &s, &z, e) < 0)
        return -1;
    rc = sched_next(&s, &z, t, next, e);
    sched_zone_release(&z);
    return rc;
}

static void
format_slot(struct app *app, int64_t t, struct buf *out)
{
    struct dt d = dt_from_time(t, app->now.offset);

    dt_format_rfc3339(&d, out);
}

int
cmd_mark_slot_handled(struct store *st, int64_t slot, struct err *e)
{
    char v[32];

    snprintf(v, sizeof(v), "%" PRId64, slot);
    return store_meta_set(st, HANDLED_KEY, v, e);
}

int
cmd_issue_due(struct app *app, struct store *st, int64_t *slot_out,
              struct err *e)
{
    const struct config *c = &app->cfg;
    struct sched s = SCHED_INIT;
    struct sched_zone z = SCHED_ZONE_INIT;
    struct store_issue last;
    struct buf when = BUF_INIT;
    int64_t slot, handled = 0;
    char *v = NULL;
    int found, rc = -1;

    if (load(app, &s, &z, e) < 0)
        return -1;
    if (sched_prev(&s, &z, app->now.t, &slot, e) < 0)
        goto out;
    found = store_issue_last(st, &last, e);
    if (found < 0)
        goto out;
    if (found) {
        handled = last.slot;
        store_issue_release(&last);
    }
    if (store_meta_get(st, HANDLED_KEY, &v, e) < 0)
        goto out;
    if (v && strtoll(v, NULL, 10) > handled)
        handled = strtoll(v, NULL, 10);
    format_slot(app, slot, &when);
    if (!found && !v) {
        /* The very first run: slots before it were not missed, the tool
         * was not there.  The schedule starts now. */
        log_info("first run: the schedule starts; slots after %s are due",
                 when.data);
        rc = cmd_mark_slot_handled(st, slot, e) < 0 ? -1 : 0;
        goto out;
    }
    if (slot <= handled) {
        log_debug("not due: the last slot, %s, is handled", when.data);
        rc = 0;
        goto out;
    }
    if (app->now.t - slot > LATE_AFTER && !strcmp(c->catch_up, "skip")) {
        log_info("skipping the missed slot %s (catch_up = skip)", when.data);
        rc = cmd_mark_slot_handled(st, slot, e) < 0 ? -1 : 0;
        goto out;
    }
    if (app->now.t - slot > LATE_AFTER)
        log_info("the slot %s was missed; sending late (catch_up = send)",
                 when.data);
    *slot_out = slot;
    rc = 1;
out:
    free(v);
    buf_release(&when);
    sched_zone_release(&z);
    return rc;
}

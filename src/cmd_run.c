/*
 * run: what cron calls.  Try the deferred deliveries of earlier issues
 * again and finish an unfinished issue first, then collect, then build and
 * send the next issue (with --if-due only when its scheduled slot has
 * come): a delivery still deferred never holds the next issue back.  The
 * lock, taken by main, keeps it to one run at a time.  Sign-ups whose
 * confirmation link has expired are dropped from the list first.
 */
#include "arctic_digest/collect.h"
#include "arctic_digest/deliver.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/log.h"
#include "arctic_digest/store.h"
#include "arctic_digest/subscribers.h"
#include "cmd.h"

/* Pending sign-ups whose link expired leave the list (not in a dry run).
 * A list that cannot be written is a warning: the digest does not wait
 * for it, and pending rows are never sent a digest anyway. */
static void
expire_signups(const struct app *app)
{
    struct err e = ERR_INIT;
    size_t n = 0;

    if (app->ctx.dry_run)
        return;
    if (subs_optin_expire(app->cfg.subscribers, app->ctx.now.t,
                          (int64_t)app->cfg.confirm_days * 86400, &n,
                          &e) < 0)
        log_warn("cannot drop the expired sign-ups: %s", e.msg);
    else if (n)
        log_info("dropped %zu sign-up%s not confirmed within %d day%s", n,
                 n == 1 ? "" : "s", app->cfg.confirm_days,
                 app->cfg.confirm_days == 1 ? "" : "s");
}

int
cmd_run(struct app *app, int argc, char **argv)
{
    struct collect_report rep = COLLECT_REPORT_INIT;
    struct deliver_stats st;
    struct store_issue unfinished;
    struct err e = ERR_INIT;
    int64_t slot = 0;
    int rc, found, number = 0;
    bool deferred = false;

    (void)argc;
    (void)argv;
    /* 0. Bounces that came back since the last run count first. */
    rc = cmd_collect_bounces(app, true);
    if (rc != 0)
        return rc;
    expire_signups(app);
    /* 1. What earlier issues left deferred, and an issue left unfinished
     *    by an earlier run (as it was frozen), go out first. */
    rc = cmd_retry_deferred(app, &deferred);
    if (rc != 0)
        return rc;
    found = store_issue_unfinished(app->ctx.st, &unfinished, &e);
    if (found < 0)
        return cmd_fail(&e);
    if (found) {
        store_issue_release(&unfinished);
        rc = deliver_send(&app->ctx, 0, app->smtp_password.data,
                          cmd_progress, &st, &number, &e);
        rc = cmd_send_result(app, rc, number, &st, &e);
        if (rc != 0 && rc != 75)
            return rc;
        deferred = deferred || rc == 75;
    }
    /* 2. Collect. */
    rc = collect_sources(&app->ctx, &rep, &e);
    collect_report_log(&rep);
    collect_report_release(&rep);
    if (rc < 0)
        return cmd_fail(&e);
    /* 3. The next issue, when due. */
    if (cmd_flag(app, "if-due")) {
        int due = issue_due(&app->ctx, &slot, &e);
        if (due <= 0)
            return due < 0 ? cmd_fail(&e) : deferred ? 75 : 0;
    }
    rc = deliver_send(&app->ctx, slot, app->smtp_password.data, cmd_progress,
                      &st, &number, &e);
    rc = cmd_send_result(app, rc, number, &st, &e);
    return rc == 0 && deferred ? 75 : rc;
}

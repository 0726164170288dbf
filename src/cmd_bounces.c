/*
 * bounces: read the bounce mailbox ([bounces] maildir, imap) and act on
 * each new bounce once; 'run' does it first when a mailbox is configured.
 */
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/bounce.h"
#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "cmd.h"

/* The IMAP password: [bounces] password_env or password_file (not
 * readable by group or others, as the SMTP one). */
static int
imap_password(const struct config *c, struct buf *out, struct err *e)
{
    if (!c->bounces_imap)
        return 0;
    if (c->bounces_password_env) {
        const char *v = getenv(c->bounces_password_env);
        if (!v || !*v)
            return err_set(e, ERR_CONFIG, 0,
                           "[bounces] password_env: the environment "
                           "variable '%s' is not set",
                           c->bounces_password_env);
        buf_append_str(out, v);
        return 0;
    }
    if (c->bounces_password_file)
        return subs_read_secret(c->bounces_password_file,
                                "[bounces] password_file", out, e);
    return 0;
}

int
cmd_collect_bounces(struct app *app, bool in_run)
{
    const struct config *c = &app->cfg;
    struct bounce_report r;
    struct buf password = BUF_INIT;
    struct err e = ERR_INIT;
    int rc;

    if (!c->bounces_maildir && !c->bounces_imap)
        return 0;
    rc = imap_password(c, &password, &e);
    if (rc == 0)
        rc = bounce_collect(&app->ctx, password.data, &r, &e);
    if (password.len)
        memset(password.data, 0, password.len);
    buf_release(&password);
    /* A mailbox that cannot be read never holds back a run's digest: a
     * warning (cron mails it), and the bounces wait for the next run. */
    if (rc < 0 && in_run) {
        log_warn("bounces not read, the run goes on: %s", e.msg);
        return 0;
    }
    if (rc < 0)
        return cmd_fail(&e);
    if (r.forged)
        log_warn("bounces: %zu with a VERP token this list did not make "
                 "(forged, or another list's): ignored",
                 r.forged);
    if (r.messages)
        log_info("bounces: %zu message%s: %zu deliver%s failed, %zu "
                 "delayed, %zu complaint%s, %zu not bounces, %zu naming "
                 "nobody of ours; %zu marked bounced, %zu unsubscribed",
                 r.messages, r.messages == 1 ? "" : "s", r.failed,
                 r.failed == 1 ? "y" : "ies", r.delayed, r.complaints,
                 r.complaints == 1 ? "" : "s", r.not_bounces, r.unknown,
                 r.marked_bounced, r.unsubscribed);
    return 0;
}

int
cmd_bounces(struct app *app, int argc, char **argv)
{
    struct err e = ERR_INIT;

    (void)argc;
    (void)argv;
    if (!app->cfg.bounces_maildir && !app->cfg.bounces_imap) {
        err_set(&e, ERR_CONFIG, 0,
                "%s: no bounce mailbox: set [bounces] maildir or imap",
                app->cfg.path ? app->cfg.path : "config");
        return cmd_fail(&e);
    }
    return cmd_collect_bounces(app, false);
}

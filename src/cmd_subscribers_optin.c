/*
 * subscribers subscribe and confirm: sign-up with double opt-in (the list
 * side in subscribers_optin.c, the mail in deliver_confirm.c; their rows
 * in main.c's subscribers table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/deliver.h"
#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"

/* The confirmation link of email: subscribe_url?token=TOKEN. */
static void
confirm_link(const struct app *app, const struct buf *secret, const char *email,
             int64_t expires, struct buf *out)
{
    const char *url = app->cfg.subscribe_url;

    buf_appendf(out, "%s%ctoken=", url, strchr(url, '?') ? '&' : '?');
    subs_confirm_token_make(secret->data, secret->len, email, expires, out);
}

int
cmd_subscribers_subscribe(struct app *app, int argc, char **argv)
{
    struct buf secret = BUF_INIT, link = BUF_INIT;
    struct subs_optin o;
    struct subs_optin_result r = {SUBS_OPTIN_NEW, NULL};
    struct deliver_confirm m;
    struct err e = ERR_INIT, ue = ERR_INIT;
    char *now = cmd_now_text(app);
    int rc;

    (void)argc;
    if (!app->cfg.subscribe_url) {
        log_error("%s: a sign-up needs [digest] subscribe_url, the page "
                  "its confirmation link opens (examples/subscribe.cgi)",
                  app->cfg.path ? app->cfg.path : "config");
        rc = 78;
        goto out;
    }
    rc = cmd_token_secret(app, "confirmation", &secret);
    if (rc)
        goto out;
    memset(&o, 0, sizeof(o));
    o.email = argv[1];
    o.name = cmd_arg(app, "name");
    o.tags = cmd_arg(app, "tags");
    o.now = app->ctx.now.t;
    o.now_text = now;
    o.valid_seconds = (int64_t)app->cfg.confirm_days * 86400;
    if (subs_optin_request(app->cfg.subscribers, &o, &r, &e) < 0) {
        rc = cmd_fail(&e);
        goto out;
    }
    if (r.kind == SUBS_OPTIN_ALREADY_ACTIVE) {
        log_info("'%s' is already subscribed: nothing changed, nothing sent",
                 o.email);
        goto out;
    }
    memset(&m, 0, sizeof(m));
    m.to_addr = o.email;
    m.to_name = o.name;
    m.expires = o.now + o.valid_seconds;
    confirm_link(app, &secret, o.email, m.expires, &link);
    m.link = link.data;
    if (deliver_confirm(&app->ctx, app->smtp_password.data, &m, &e) < 0) {
        /* No mail, no pending row: the sign-up can be tried again. */
        if (subs_optin_undo(app->cfg.subscribers, &o, &r, &ue) < 0)
            log_warn("cannot take back the sign-up of '%s': %s", o.email,
                     ue.msg);
        err_prefix(&e, "'%s' is not signed up", o.email);
        rc = cmd_fail(&e);
        goto out;
    }
    log_info("'%s' is pending: a confirmation was %s; its link works for "
             "%d day%s",
             o.email, app->cfg.smtp_url ? "sent" : "written to the outbox",
             app->cfg.confirm_days, app->cfg.confirm_days == 1 ? "" : "s");
out:
    subs_optin_result_release(&r);
    memset(link.data, 0, link.len);
    buf_release(&link);
    cmd_secret_wipe(&secret);
    free(now);
    return rc;
}

int
cmd_subscribers_confirm(struct app *app, int argc, char **argv)
{
    struct buf secret = BUF_INIT, token = BUF_INIT;
    struct err e = ERR_INIT;
    const char *arg = cmd_arg(app, "token");
    char *email = NULL, *now = NULL;
    bool already = false;
    int rc;

    (void)argc;
    (void)argv;
    if (!arg)
        return cmd_usage(app);
    rc = cmd_token_secret(app, "confirmation", &secret);
    if (rc)
        goto out;
    cmd_token_arg(arg, &token);
    now = cmd_now_text(app);
    if (subs_confirm_token_check(secret.data, secret.len, token.data,
                                 app->ctx.now.t, &email, &e) < 0 ||
        subs_optin_confirm(app->cfg.subscribers, email, now, &already, &e) <
            0) {
        rc = cmd_fail(&e);
        goto out;
    }
    if (already)
        log_info("'%s' is already subscribed", email);
    else
        log_info("confirmed '%s': subscribed from the next issue on", email);
out:
    free(email);
    free(now);
    buf_release(&token);
    cmd_secret_wipe(&secret);
    return rc;
}

/*
 * subscribers add, remove, unsubscribe, resubscribe and token: changes to
 * the list file by address (list, export and check are in
 * cmd_subscribers_list.c, import in cmd_subscribers_import.c, subscribe
 * and confirm in cmd_subscribers_optin.c; their rows in main.c's
 * subscribers table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"

static void
print_outcome(const struct subs_outcome *o)
{
    switch (o->kind) {
    case SUBS_OUTCOME_ADDED:
        log_info("added '%s'", o->email);
        break;
    case SUBS_OUTCOME_SUBSCRIBED_AGAIN:
        log_info("'%s' subscribed again (--force)", o->email);
        break;
    case SUBS_OUTCOME_ALREADY_SUBSCRIBED:
        log_info("'%s' is already subscribed", o->email);
        break;
    case SUBS_OUTCOME_REMOVED:
        log_info("removed '%s'", o->email);
        break;
    case SUBS_OUTCOME_UNSUBSCRIBED:
        log_info("unsubscribed '%s'", o->email);
        break;
    case SUBS_OUTCOME_ALREADY_UNSUBSCRIBED:
        log_info("'%s' is already unsubscribed", o->email);
        break;
    case SUBS_OUTCOME_NOT_LISTED:
        log_info("'%s' is not on the list: nothing to do", o->email);
        break;
    case SUBS_OUTCOME_RESUBSCRIBED:
        log_info("resubscribed '%s'", o->email);
        break;
    case SUBS_OUTCOME_PENDING_ADDED:
        log_info("added '%s', which had signed up but not confirmed",
                 o->email);
        break;
    }
}

/* What was done is printed only once the file holds it (all or none). */
static int
run_change(struct app *app, struct subs_change *c)
{
    struct subs_outcomes done = SUBS_OUTCOMES_INIT;
    struct err e = ERR_INIT;
    char *now = cmd_now_text(app);
    size_t i;
    int rc = 0;

    c->now = now;
    if (subs_change_file(app->cfg.subscribers, c, &done, &e) < 0)
        rc = cmd_fail(&e);
    for (i = 0; i < done.n; i++)
        print_outcome(&done.v[i]);
    subs_outcomes_release(&done);
    free(now);
    return rc;
}

/* unsubscribe --token TOKEN ("-": read it from standard input). */
static int
unsubscribe_token(struct app *app, const char *arg)
{
    struct buf secret = BUF_INIT, token = BUF_INIT;
    struct err e = ERR_INIT;
    struct subs_change c = {.kind = SUBS_CHANGE_UNSUBSCRIBE};
    char *email = NULL;
    int rc;

    rc = cmd_token_secret(app, "unsubscribe", &secret);
    if (rc)
        goto out;
    cmd_token_arg(arg, &token);
    if (subs_token_check(secret.data, secret.len, token.data, &email, &e) <
        0) {
        rc = cmd_fail(&e);
        goto out;
    }
    c.addrs = &email;
    c.naddrs = 1;
    c.quiet_missing = true;
    rc = run_change(app, &c);
out:
    free(email);
    buf_release(&token);
    cmd_secret_wipe(&secret);
    return rc;
}

int
cmd_subscribers_token(struct app *app, int argc, char **argv)
{
    struct buf secret = BUF_INIT, out = BUF_INIT;
    struct err e = ERR_INIT;
    int rc;

    (void)argc;
    if (subs_addr_check(argv[1], strlen(argv[1]), &e) < 0) {
        err_prefix(&e, "invalid address '%s'", argv[1]);
        rc = cmd_fail(&e);
    } else {
        rc = cmd_token_secret(app, "unsubscribe", &secret);
    }
    if (rc == 0) {
        subs_token_make(secret.data, secret.len, argv[1], &out);
        printf("%s\n", out.data);
    }
    buf_release(&out);
    cmd_secret_wipe(&secret);
    return rc;
}

int
cmd_subscribers_add(struct app *app, int argc, char **argv)
{
    struct subs_change c = {.kind = SUBS_CHANGE_ADD};

    c.name = cmd_arg(app, "name");
    c.tags = cmd_arg(app, "tags");
    c.format = cmd_arg(app, "format");
    c.force = cmd_flag(app, "force");
    if (c.format && strcmp(c.format, "html") && strcmp(c.format, "text")) {
        log_error("--format: 'html' or 'text', not '%s'", c.format);
        return 64;
    }
    c.addrs = argv + 1;
    c.naddrs = (size_t)argc - 1;
    return run_change(app, &c);
}

/* remove, unsubscribe, resubscribe. */
int
cmd_subscribers_change(struct app *app, int argc, char **argv)
{
    struct subs_change c = {.kind = SUBS_CHANGE_REMOVE};

    if (!strcmp(app->cmd->name, "unsubscribe")) {
        if (cmd_arg(app, "token"))
            return argc == 1 ? unsubscribe_token(app, cmd_arg(app, "token"))
                             : cmd_usage(app);
        c.kind = SUBS_CHANGE_UNSUBSCRIBE;
    } else if (!strcmp(app->cmd->name, "resubscribe")) {
        c.kind = SUBS_CHANGE_RESUBSCRIBE;
    }
    if (argc < 2)
        return cmd_usage(app);
    c.addrs = argv + 1;
    c.naddrs = (size_t)argc - 1;
    return run_change(app, &c);
}


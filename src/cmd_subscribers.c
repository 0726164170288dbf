/*
 * subscribers: manage the list file.  The subcommands are rows of a table
 * of their own, parsed and helped by the same machinery as the commands;
 * add, remove, unsubscribe, resubscribe and token are here, list, export,
 * check and import in cmd_subscribers_list.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"
#include "cmd_subscribers_int.h"

char *
subs_cmd_now(const struct app *app)
{
    struct buf b = BUF_INIT;

    dt_format_rfc3339(&app->ctx.now, &b);
    return buf_detach(&b, NULL);
}

static int
run_change(struct app *app, struct subs_change *c)
{
    struct err e = ERR_INIT;
    char *now = subs_cmd_now(app);
    int rc = 0;

    c->now = now;
    if (subs_change_file(app->cfg.subscribers, c, &e) < 0)
        rc = cmd_fail(&e);
    free(now);
    return rc;
}

static int
load_secret(struct app *app, struct buf *secret)
{
    struct err e = ERR_INIT;

    if (!app->cfg.unsubscribe_secret_file) {
        log_error("unsubscribe tokens need [digest] unsubscribe_secret_file "
                  "in the configuration");
        return 78;
    }
    if (subs_read_secret(app->cfg.unsubscribe_secret_file,
                         "unsubscribe secret", secret, &e) < 0)
        return cmd_fail(&e);
    return 0;
}

/* unsubscribe --token TOKEN ("-": read it from standard input). */
static int
unsubscribe_token(struct app *app, const char *arg)
{
    struct buf secret = BUF_INIT, token = BUF_INIT;
    struct err e = ERR_INIT;
    struct subs_change c = {.kind = SUBS_CHANGE_UNSUBSCRIBE};
    char *email = NULL;
    int rc, ch;

    rc = load_secret(app, &secret);
    if (rc)
        goto out;
    if (strcmp(arg, "-") != 0)
        buf_append_str(&token, arg);
    else
        while ((ch = getchar()) != EOF && ch != '\n' && token.len < 4096)
            buf_append_char(&token, (char)ch);
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
    memset(secret.data, 0, secret.len);
    buf_release(&secret);
    return rc;
}

static int
token(struct app *app, int argc, char **argv)
{
    struct buf secret = BUF_INIT, out = BUF_INIT;
    struct err e = ERR_INIT;
    int rc;

    (void)argc;
    rc = subs_check_addrs(argv + 1, 1, &e) < 0 ? cmd_fail(&e)
                                               : load_secret(app, &secret);
    if (rc == 0) {
        subs_token_make(secret.data, secret.len, argv[1], &out);
        printf("%s\n", out.data);
    }
    buf_release(&out);
    memset(secret.data, 0, secret.len);
    buf_release(&secret);
    return rc;
}

static int
add(struct app *app, int argc, char **argv)
{
    struct subs_change c = {.kind = SUBS_CHANGE_ADD};
    struct err e = ERR_INIT;

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
    if (subs_check_addrs(c.addrs, c.naddrs, &e) < 0)
        return cmd_fail(&e);
    return run_change(app, &c);
}

/* remove, unsubscribe, resubscribe. */
static int
change(struct app *app, int argc, char **argv)
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

static const struct cmd_opt add_opts[] = {
    {"name", 0, "N", "the subscriber's name, for the greeting", 0},
    {"tags", 0, "a,b", "tags; those naming a [topic] choose articles", 0},
    {"format", 0, "html|text", "the message format (default html)", 0},
    {"force", 0, NULL, "add an unsubscribed or bounced address again", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt unsub_opts[] = {
    {"token", 0, "TOKEN|-",
     "unsubscribe the address a token names (\"-\": read it from stdin)", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt show_opts[] = {
    {"status", 0, "S", "only active, unsubscribed or bounced", 0},
    {"tag", 0, "T", "only those tagged T", 0},
    {"format", 0, "plain|csv|json", "how to print (default plain)", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt export_opts[] = {
    {"status", 0, "S", "only active, unsubscribed or bounced", 0},
    {"tag", 0, "T", "only those tagged T", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt import_opts[] = {
    {"map", 0, "FIELD=COLUMN;...",
     "which column holds email, name, status, tags (repeatable)",
     CMD_OPT_REPEAT},
    {"dry-run", 'n', NULL, "report what would change; write nothing", 0},
    {NULL, 0, NULL, NULL, 0}};

static const struct cmd subs_table[] = {
    {"add", add, 0, add_opts, "ADDR...", 1, 9999, "add subscribers", NULL},
    {"check", subs_cmd_check, 0, NULL, "", 0, 0,
     "report bad addresses, duplicates and unknown values (exit 65)", NULL},
    {"export", subs_cmd_show, 0, export_opts, "", 0, 0,
     "print the list as RFC 4180 CSV (list --format csv)", NULL},
    {"import", subs_cmd_import, 0, import_opts, "FILE.csv", 1, 1,
     "merge a CSV export (Mailchimp, listmonk, ...) into the list", NULL},
    {"list", subs_cmd_show, 0, show_opts, "", 0, 0, "print the list", NULL},
    {"remove", change, 0, NULL, "ADDR...", 1, 9999,
     "delete subscribers from the file (unsubscribe keeps a record)", NULL},
    {"resubscribe", change, 0, NULL, "ADDR...", 1, 9999,
     "make unsubscribed or bounced subscribers active again", NULL},
    {"token", token, 0, NULL, "ADDR", 1, 1,
     "print the unsubscribe token of an address", NULL},
    {"unsubscribe", change, 0, unsub_opts, "ADDR...", 0, 9999,
     "mark subscribers unsubscribed (kept as a suppression)", NULL},
};

int
cmd_subscribers(struct app *app, int argc, char **argv)
{
    const struct cmd *sub =
        argc > 1 ? cmd_find(subs_table, ARRAY_SIZE(subs_table), argv[1])
                 : NULL;
    size_t i;

    if (!sub) {
        log_error("%s subscribers command%s%s", argc > 1 ? "unknown" : "no",
                  argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
        fputs("commands:\n", stderr);
        for (i = 0; i < ARRAY_SIZE(subs_table); i++)
            fprintf(stderr, "  %-12s %s\n", subs_table[i].name,
                    subs_table[i].summary);
        return 64;
    }
    app->prefix = "subscribers ";
    return cmd_dispatch(app, sub, argc - 1, argv + 1);
}

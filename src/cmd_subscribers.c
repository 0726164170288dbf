/*
 * subscribers: manage the list file (add, remove, unsubscribe, resubscribe,
 * token here; list, export, check, import in cmd_subscribers_list.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"
#include "cmd_subscribers_int.h"

static const char usage[] =
    "subscribers add ADDR... [--name N] [--tags a,b] [--format html|text] "
    "[--force]\n"
    "       subscribers remove ADDR...\n"
    "       subscribers unsubscribe ADDR... | --token TOKEN|-\n"
    "       subscribers resubscribe ADDR...\n"
    "       subscribers list [--status S] [--tag T] [--format "
    "plain|csv|json]\n"
    "       subscribers import FILE.csv [--map FIELD=COLUMN;...] "
    "[--dry-run]\n"
    "       subscribers export [--status S] [--tag T]\n"
    "       subscribers check\n"
    "       subscribers token ADDR";

char *
subs_cmd_now(const struct app *app)
{
    struct buf b = BUF_INIT;

    dt_format_rfc3339(&app->now, &b);
    return buf_detach(&b, NULL);
}

/* What a change command does to the list, for subs_update(). */
struct change {
    char **addrs;
    int naddrs;
    const char *name, *tags, *format, *now;
    bool force;
    bool quiet_missing; /* a token for an address no longer listed */
    int (*apply)(struct subs_list *l, struct change *c, const char *addr,
                 struct err *e);
};

static int
apply_add(struct subs_list *l, struct change *c, const char *addr,
          struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);
    int changed = 0;

    if (s && strcmp(s->status, SUBS_STATUS_ACTIVE) != 0 && !c->force)
        return err_set(e, ERR_DATA, 0,
                       "'%s' is %s%s%s: adding it again needs --force (an "
                       "unsubscribe is a suppression, not a deletion)",
                       s->email, s->status, *s->unsubscribed_at ? " since " : "",
                       s->unsubscribed_at);
    if (!s) {
        s = subs_append(l, addr);
        xstrset(&s->subscribed_at, c->now);
        log_info("added '%s'", addr);
        changed = 1;
    } else if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0) {
        xstrset(&s->status, SUBS_STATUS_ACTIVE);
        xstrset(&s->subscribed_at, c->now);
        xstrset(&s->unsubscribed_at, "");
        log_info("'%s' subscribed again (--force)", s->email);
        changed = 1;
    } else if (!c->name && !c->tags && !c->format) {
        log_info("'%s' is already subscribed", s->email);
    }
    if (c->name && strcmp(s->name, c->name) != 0) {
        xstrset(&s->name, c->name);
        changed = 1;
    }
    if (c->tags) {
        subs_set_tags(s, c->tags);
        changed = 1;
    }
    if (c->format && strcmp(s->format, c->format) != 0) {
        xstrset(&s->format, c->format);
        changed = 1;
    }
    return changed;
}

static struct subs_entry *
must_find(struct subs_list *l, const char *addr, struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);

    if (!s)
        err_set(e, ERR_DATA, 0, "'%s' is not on the list", addr);
    return s;
}

static int
apply_remove(struct subs_list *l, struct change *c, const char *addr,
             struct err *e)
{
    struct subs_entry *s = must_find(l, addr, e);

    (void)c;
    if (!s)
        return -1;
    log_info("removed '%s'", s->email);
    subs_remove(l, (size_t)(s - l->v));
    return 1;
}

static int
apply_unsubscribe(struct subs_list *l, struct change *c, const char *addr,
                  struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);

    if (!s && c->quiet_missing) {
        log_info("'%s' is not on the list: nothing to do", addr);
        return 0;
    }
    if (!s)
        return must_find(l, addr, e) ? 0 : -1;
    if (!strcmp(s->status, SUBS_STATUS_UNSUBSCRIBED)) {
        log_info("'%s' is already unsubscribed", s->email);
        return 0;
    }
    xstrset(&s->status, SUBS_STATUS_UNSUBSCRIBED);
    xstrset(&s->unsubscribed_at, c->now);
    log_info("unsubscribed '%s'", s->email);
    return 1;
}

static int
apply_resubscribe(struct subs_list *l, struct change *c, const char *addr,
                  struct err *e)
{
    struct subs_entry *s = must_find(l, addr, e);

    if (!s)
        return -1;
    if (!strcmp(s->status, SUBS_STATUS_ACTIVE)) {
        log_info("'%s' is already subscribed", s->email);
        return 0;
    }
    xstrset(&s->status, SUBS_STATUS_ACTIVE);
    xstrset(&s->subscribed_at, c->now);
    xstrset(&s->unsubscribed_at, "");
    log_info("resubscribed '%s'", s->email);
    return 1;
}

/* All addresses or none: an error leaves the file as it was. */
static int
apply_all(struct subs_list *l, void *ctx, struct err *e)
{
    struct change *c = ctx;
    int i, r, changed = 0;

    for (i = 0; i < c->naddrs; i++) {
        r = c->apply(l, c, c->addrs[i], e);
        if (r < 0)
            return -1;
        changed |= r;
    }
    return changed;
}

static int
validate(char **addrs, int n, struct err *e)
{
    struct err ae = ERR_INIT;
    bool idn;
    int i;

    for (i = 0; i < n; i++) {
        idn = false;
        if (subs_addr_check(addrs[i], strlen(addrs[i]), &idn, &ae) < 0)
            return err_set(e, ERR_DATA, 0, "invalid address '%s': %s",
                           addrs[i], ae.msg);
        if (idn)
            log_warn("'%s' has an internationalised domain: the mail relay "
                     "must support SMTPUTF8",
                     addrs[i]);
    }
    return 0;
}

static int
run_change(struct app *app, struct change *c, bool create)
{
    struct err e = ERR_INIT;
    char *now = subs_cmd_now(app);
    int rc = 0;

    c->now = now;
    if (subs_update(app->cfg.subscribers, create, apply_all, c, &e) < 0)
        rc = cmd_fail(&e);
    free(now);
    return rc;
}

static int
read_token(const char *arg, struct buf *out)
{
    int ch;

    if (strcmp(arg, "-") != 0) {
        buf_append_str(out, arg);
        return 0;
    }
    while ((ch = getchar()) != EOF && ch != '\n' && out->len < 4096)
        buf_append_char(out, (char)ch);
    return 0;
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

static int
unsubscribe_token(struct app *app, const char *arg)
{
    struct buf secret = BUF_INIT, token = BUF_INIT;
    struct err e = ERR_INIT;
    struct change c;
    char *email = NULL;
    int rc;

    memset(&c, 0, sizeof(c));
    rc = load_secret(app, &secret);
    if (rc)
        goto out;
    read_token(arg, &token);
    if (subs_token_check(secret.data, secret.len, token.data, &email, &e) < 0) {
        rc = cmd_fail(&e);
        goto out;
    }
    c.addrs = &email;
    c.naddrs = 1;
    c.quiet_missing = true;
    c.apply = apply_unsubscribe;
    rc = run_change(app, &c, false);
out:
    free(email);
    buf_release(&token);
    memset(secret.data, 0, secret.len);
    buf_release(&secret);
    return rc;
}

static int
print_token(struct app *app, int argc, char **argv)
{
    struct buf secret = BUF_INIT, token = BUF_INIT;
    struct err e = ERR_INIT;
    int rc;

    if (argc != 2)
        return cmd_usage(usage);
    rc = validate(argv + 1, 1, &e) < 0 ? cmd_fail(&e) : load_secret(app,
                                                                    &secret);
    if (rc == 0) {
        subs_token_make(secret.data, secret.len, argv[1], &token);
        printf("%s\n", token.data);
    }
    buf_release(&token);
    memset(secret.data, 0, secret.len);
    buf_release(&secret);
    return rc;
}

/* add, remove, unsubscribe, resubscribe. */
static int
change_cmd(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"tags", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'},
        {"force", no_argument, NULL, 'F'},
        {"token", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    const char *sub = argv[0], *token = NULL;
    bool is_add = !strcmp(sub, "add");
    struct err e = ERR_INIT;
    struct change c;
    int opt;

    memset(&c, 0, sizeof(c));
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'T' && !strcmp(sub, "unsubscribe"))
            token = optarg;
        else if (!is_add || opt == '?' || opt == 'T')
            return cmd_usage(usage);
        else if (opt == 'n')
            c.name = optarg;
        else if (opt == 't')
            c.tags = optarg;
        else if (opt == 'f')
            c.format = optarg;
        else
            c.force = true;
    }
    if (c.format && strcmp(c.format, "html") && strcmp(c.format, "text")) {
        log_error("--format: 'html' or 'text', not '%s'", c.format);
        return 64;
    }
    if (token)
        return optind == argc ? unsubscribe_token(app, token)
                              : cmd_usage(usage);
    if (optind >= argc)
        return cmd_usage(usage);
    c.addrs = argv + optind;
    c.naddrs = argc - optind;
    if (is_add && validate(c.addrs, c.naddrs, &e) < 0)
        return cmd_fail(&e);
    c.apply = is_add                      ? apply_add
              : !strcmp(sub, "remove")    ? apply_remove
              : !strcmp(sub, "unsubscribe") ? apply_unsubscribe
                                          : apply_resubscribe;
    return run_change(app, &c, is_add);
}

int
cmd_subscribers(int argc, char **argv, struct app *app)
{
    static const struct {
        const char *name;
        int (*run)(int, char **, struct app *);
    } subs[] = {
        {"add", change_cmd},          {"check", subs_cmd_check},
        {"export", subs_cmd_export},  {"import", subs_cmd_import},
        {"list", subs_cmd_list},      {"remove", change_cmd},
        {"resubscribe", change_cmd},  {"unsubscribe", change_cmd},
    };
    size_t i;

    if (argc < 2)
        return cmd_usage(usage);
    optind = 0;
    if (!strcmp(argv[1], "token"))
        return print_token(app, argc - 1, argv + 1);
    for (i = 0; i < ARRAY_SIZE(subs); i++)
        if (!strcmp(argv[1], subs[i].name))
            return subs[i].run(argc - 1, argv + 1, app);
    log_error("unknown subscribers command '%s'", argv[1]);
    return cmd_usage(usage);
}

/* subscribers list, export, check and import (see cmd_subscribers.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/template.h"
#include "arctic_digest/util.h"
#include "cmd.h"

struct filter {
    const char *status, *tag;
};

static bool
keep(const struct subs_entry *s, void *ctx)
{
    const struct filter *f = ctx;

    if (f->status && strcmp(s->status, f->status) != 0)
        return false;
    return !f->tag || subs_has_tag(s, f->tag);
}

static void
print_json(const struct subs_list *l, struct filter *f)
{
    struct tpl_value *all = tpl_list_new(), *v, *tags;
    struct buf out = BUF_INIT;
    size_t i, k;

    for (i = 0; i < l->n; i++) {
        const struct subs_entry *s = &l->v[i];
        if (!keep(s, f))
            continue;
        v = tpl_map_new();
        tpl_map_set_str(v, "email", s->email);
        tpl_map_set_str(v, "name", s->name);
        tpl_map_set_str(v, "status", s->status);
        tags = tpl_list_new();
        for (k = 0; k < s->ntags; k++)
            tpl_list_push(tags, tpl_cstr_new(s->tags[k]));
        tpl_map_set(v, "tags", tags);
        tpl_map_set_str(v, "format", s->format);
        tpl_map_set_str(v, "subscribed_at", s->subscribed_at);
        tpl_map_set_str(v, "unsubscribed_at", s->unsubscribed_at);
        tpl_map_set_num(v, "line", (double)s->line);
        tpl_list_push(all, v);
    }
    tpl_value_to_json(all, &out);
    printf("%s\n", out.data);
    buf_release(&out);
    tpl_value_free(all);
}

/* One line per entry whatever the fields hold (subs_plain_field). */
static void
print_plain(const struct subs_list *l, struct filter *f)
{
    struct buf line = BUF_INIT;
    size_t i, k;

    for (i = 0; i < l->n; i++) {
        const struct subs_entry *s = &l->v[i];
        if (!keep(s, f))
            continue;
        buf_reset(&line);
        subs_plain_field(&line, s->email);
        buf_append_char(&line, '\t');
        subs_plain_field(&line, s->status);
        buf_append_char(&line, '\t');
        for (k = 0; k < s->ntags; k++) {
            if (k)
                buf_append_char(&line, ',');
            subs_plain_field(&line, s->tags[k]);
        }
        buf_append_char(&line, '\t');
        subs_plain_field(&line, s->name);
        buf_append_char(&line, '\n');
        fwrite(line.data, 1, line.len, stdout);
    }
    buf_release(&line);
}

/* list, and export (which is list --format csv). */
int
cmd_subscribers_show(struct app *app, int argc, char **argv)
{
    bool is_list = !strcmp(app->cmd->name, "list");
    const char *format = is_list && cmd_arg(app, "format")
                             ? cmd_arg(app, "format")
                             : is_list ? "plain" : "csv";
    struct filter f = {cmd_arg(app, "status"), cmd_arg(app, "tag")};
    struct err e = ERR_INIT;
    struct subs_list l;
    struct buf out = BUF_INIT;

    (void)argc;
    (void)argv;
    if (f.status && !subs_status_valid(f.status)) {
        log_error("--status: active, unsubscribed, bounced or pending, not '%s'",
                  f.status);
        return 64;
    }
    if (strcmp(format, "plain") && strcmp(format, "csv") &&
        strcmp(format, "json")) {
        log_error("--format: plain, csv or json, not '%s'", format);
        return 64;
    }
    if (subs_load(&l, app->cfg.subscribers, &e) < 0)
        return cmd_fail(&e);
    if (!strcmp(format, "json")) {
        print_json(&l, &f);
    } else if (!strcmp(format, "csv")) {
        subs_format_export(&l, keep, &f, &out);
        fwrite(out.data, 1, out.len, stdout);
    } else {
        print_plain(&l, &f);
    }
    buf_release(&out);
    subs_list_release(&l);
    return 0;
}

static void
report(const char *file, const struct subs_problems *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        if (p->v[i].warning)
            log_warn("%s:%zu: %s", file, p->v[i].line, p->v[i].msg);
        else
            log_error("%s:%zu: %s", file, p->v[i].line, p->v[i].msg);
    }
}

int
cmd_subscribers_check(struct app *app, int argc, char **argv)
{
    struct subs_problems p = {NULL, 0, 0};
    struct err e = ERR_INIT;
    struct subs_list l;
    size_t faults;

    (void)argc;
    (void)argv;
    if (subs_load(&l, app->cfg.subscribers, &e) < 0)
        return cmd_fail(&e);
    faults = subs_check(&l, &p);
    report(app->cfg.subscribers, &p);
    if (faults)
        log_error("%s: %zu problem%s in %zu subscriber%s",
                  app->cfg.subscribers, faults, faults == 1 ? "" : "s", l.n,
                  l.n == 1 ? "" : "s");
    else
        log_info("%s: %zu subscriber%s, no problems", app->cfg.subscribers,
                 l.n, l.n == 1 ? "" : "s");
    subs_problems_release(&p);
    subs_list_release(&l);
    return faults ? 65 : 0;
}

struct import_job {
    struct buf data;
    const char *map, *now;
    bool dry_run;
    struct subs_import_report r;
};

static int
apply_import(struct subs_list *l, void *ctx, struct err *e)
{
    struct import_job *j = ctx;

    if (subs_import(l, j->data.data, j->data.len, j->map, j->now, &j->r, e) <
        0)
        return -1;
    if (j->dry_run)
        return 0;
    return j->r.added || j->r.updated || j->r.suppressed ? 1 : 0;
}

int
cmd_subscribers_import(struct app *app, int argc, char **argv)
{
    struct import_job j;
    struct err e = ERR_INIT;
    char *now = cmd_now_text(app);
    int rc = 0;

    (void)argc;
    memset(&j, 0, sizeof(j));
    buf_init(&j.data);
    j.map = cmd_arg(app, "map");
    j.dry_run = cmd_flag(app, "dry-run");
    j.now = now;
    if (buf_read_file(&j.data, argv[1], 0, &e) < 0 ||
        subs_update(app->cfg.subscribers, true, apply_import, &j, &e) < 0) {
        if (e.code == ERR_DATA && strncmp(e.msg, "line ", 5) == 0)
            err_prefix(&e, "%s", argv[1]);
        rc = cmd_fail(&e);
        goto out;
    }
    report(argv[1], &j.r.problems);
    fprintf(stderr,
            "%s (%s export): added %zu, updated %zu, unchanged %zu, "
            "invalid %zu, suppressed %zu, skipped %zu%s\n",
            argv[1], j.r.kind, j.r.added, j.r.updated, j.r.unchanged,
            j.r.invalid, j.r.suppressed, j.r.skipped,
            j.dry_run ? " (dry run: nothing written)" : "");
out:
    subs_problems_release(&j.r.problems);
    buf_release(&j.data);
    free(now);
    return rc;
}

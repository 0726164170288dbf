/* subscribers list, export and check (see cmd_subscribers.c). */
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

/* One entry as list --format json writes it, inside the list's [ ]. */
static void
print_json(const struct subs_entry *s, struct buf *out)
{
    struct tpl_value *v = tpl_map_new(), *tags = tpl_list_new();
    size_t k;

    tpl_map_set_str(v, "email", s->email);
    tpl_map_set_str(v, "name", s->name);
    tpl_map_set_str(v, "status", s->status);
    for (k = 0; k < s->ntags; k++)
        tpl_list_push(tags, tpl_cstr_new(s->tags[k]));
    tpl_map_set(v, "tags", tags);
    tpl_map_set_str(v, "format", s->format);
    tpl_map_set_str(v, "subscribed_at", s->subscribed_at);
    tpl_map_set_str(v, "unsubscribed_at", s->unsubscribed_at);
    tpl_map_set_num(v, "line", (double)s->line);
    tpl_value_to_json(v, out);
    tpl_value_free(v);
}

/* One line per entry whatever the fields hold (subs_plain_field). */
static void
print_plain(const struct subs_entry *s, struct buf *line)
{
    size_t k;

    subs_plain_field(line, s->email);
    buf_append_char(line, '\t');
    subs_plain_field(line, s->status);
    buf_append_char(line, '\t');
    for (k = 0; k < s->ntags; k++) {
        if (k)
            buf_append_char(line, ',');
        subs_plain_field(line, s->tags[k]);
    }
    buf_append_char(line, '\t');
    subs_plain_field(line, s->name);
    buf_append_char(line, '\n');
}

/* A list printed as the file is read, one entry at a time. */
struct show {
    struct filter f;
    const char *format;
    const struct subs_list *head; /* for csv's header and rows */
    bool started;                 /* the opening printed */
    size_t shown;                 /* entries printed */
    struct buf out;
};

/* What comes before the first entry: csv's header, json's '['. */
static void
show_start(struct show *sh)
{
    if (sh->started)
        return;
    sh->started = true;
    if (!strcmp(sh->format, "csv"))
        subs_format_export_head(sh->head, &sh->out);
    else if (!strcmp(sh->format, "json"))
        buf_append_char(&sh->out, '[');
}

static int
show_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
         struct err *e)
{
    struct show *sh = ctx;

    (void)e;
    buf_reset(&sh->out);
    show_start(sh);
    if (keep(s, &sh->f)) {
        if (!strcmp(sh->format, "json")) {
            if (sh->shown)
                buf_append_char(&sh->out, ',');
            print_json(s, &sh->out);
        } else if (!strcmp(sh->format, "csv")) {
            subs_format_export_entry(l, s, &sh->out);
        } else {
            print_plain(s, &sh->out);
        }
        sh->shown++;
    }
    fwrite(sh->out.data, 1, sh->out.len, stdout);
    return 0;
}

/* list, and export (which is list --format csv): printed as the file is
 * read, so memory holds one entry. */
int
cmd_subscribers_show(struct app *app, int argc, char **argv)
{
    bool is_list = !strcmp(app->cmd->name, "list");
    struct show sh;
    struct subs_list head;
    struct err e = ERR_INIT;
    int rc = 0;

    (void)argc;
    (void)argv;
    memset(&sh, 0, sizeof(sh));
    sh.format = is_list && cmd_arg(app, "format") ? cmd_arg(app, "format")
                : is_list                         ? "plain"
                                                  : "csv";
    sh.f.status = cmd_arg(app, "status");
    sh.f.tag = cmd_arg(app, "tag");
    if (sh.f.status && !subs_status_valid(sh.f.status)) {
        log_error("--status: active, unsubscribed, bounced or pending, not "
                  "'%s'",
                  sh.f.status);
        return 64;
    }
    if (strcmp(sh.format, "plain") && strcmp(sh.format, "csv") &&
        strcmp(sh.format, "json")) {
        log_error("--format: plain, csv or json, not '%s'", sh.format);
        return 64;
    }
    buf_init(&sh.out);
    sh.head = &head;
    if (subs_scan(app->cfg.subscribers, show_row, &sh, &head, &e) < 0) {
        rc = cmd_fail(&e);
        goto out;
    }
    buf_reset(&sh.out);
    show_start(&sh);
    if (!strcmp(sh.format, "json"))
        buf_append_str(&sh.out, "]\n");
    fwrite(sh.out.data, 1, sh.out.len, stdout);
out:
    buf_release(&sh.out);
    subs_list_release(&head);
    return rc;
}

int
cmd_subscribers_check(struct app *app, int argc, char **argv)
{
    const char *path = app->cfg.subscribers;
    struct err e = ERR_INIT;
    size_t faults = 0, n = 0;

    (void)argc;
    (void)argv;
    if (subs_check_file(path, cmd_subs_problem, (void *)path, &faults, &n, &e) <
        0)
        return cmd_fail(&e);
    if (faults)
        log_error("%s: %zu problem%s in %zu subscriber%s", path, faults,
                  faults == 1 ? "" : "s", n, n == 1 ? "" : "s");
    else
        log_info("%s: %zu subscriber%s, no problems", path, n,
                 n == 1 ? "" : "s");
    return faults ? 65 : 0;
}

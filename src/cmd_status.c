/*
 * status: the last issue, the next slot, articles waiting, each source's
 * health and whether a run is in progress; --json for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/store.h"
#include "arctic_digest/template.h"
#include "arctic_digest/util.h"
#include "cmd.h"

static void
set_time(struct tpl_value *m, const char *key, int64_t t, int offset)
{
    struct buf b = BUF_INIT;
    struct dt d = dt_from_time(t, offset);

    if (t <= 0) {
        tpl_map_set(m, key, tpl_null_new());
        return;
    }
    dt_format_rfc3339(&d, &b);
    tpl_map_set_str(m, key, b.data);
    buf_release(&b);
}

static const char *const delivery_names[] = {"pending", "sent", "deferred",
                                             "failed"};

/* Everything status shows, as one value (printed as JSON or as text). */
static int
gather(const struct app *app, struct store *st, struct tpl_value *v, struct err *e)
{
    struct store_issue last;
    struct store_source *src = NULL;
    struct issue_draft d;
    struct tpl_value *issue, *sources = tpl_list_new();
    int64_t counts[4], next;
    size_t i, n = 0;
    int found, off = app->ctx.now.offset;
    long pid;

    found = store_issue_last(st, &last, e);
    if (found < 0)
        goto fail;
    if (found) {
        issue = tpl_map_new();
        tpl_map_set_num(issue, "number", last.number);
        set_time(issue, "slot", last.slot, off);
        set_time(issue, "period_start", last.period_start, off);
        set_time(issue, "period_end", last.period_end, off);
        tpl_map_set_str(issue, "status", last.status == STORE_ISSUE_SENT
                                             ? "sent"
                                             : "sending");
        tpl_map_set_num(issue, "articles", (double)last.narticles);
        if (store_ledger_counts(st, last.id, counts, e) < 0) {
            store_issue_release(&last);
            tpl_value_free(issue);
            goto fail;
        }
        for (i = 0; i < 4; i++)
            tpl_map_set_num(issue, delivery_names[i], (double)counts[i]);
        store_issue_release(&last);
        tpl_map_set(v, "last_issue", issue);
    } else {
        tpl_map_set(v, "last_issue", tpl_null_new());
    }
    if (issue_next_slot(&app->cfg, app->ctx.now.t, &next, e) < 0)
        goto fail;
    set_time(v, "next_slot", next, off);
    tpl_map_set_str(v, "schedule", app->cfg.schedule);
    tpl_map_set_str(v, "timezone", app->cfg.timezone);
    if (issue_select(&app->ctx, app->ctx.now.t, &d, e) < 0)
        goto fail;
    tpl_map_set_num(v, "articles_waiting", (double)d.articles.n);
    issue_draft_release(&d);
    pid = cmd_lock_holder(app);
    if (pid)
        tpl_map_set_num(v, "running_pid", (double)pid);
    else
        tpl_map_set(v, "running_pid", tpl_null_new());
    if (store_sources_list(st, &src, &n, e) < 0)
        goto fail;
    for (i = 0; i < n; i++) {
        struct tpl_value *s = tpl_map_new();
        tpl_map_set_str(s, "name", src[i].name);
        tpl_map_set_bool(s, "configured",
                         config_source_find(&app->cfg, src[i].name) != NULL);
        set_time(s, "last_attempt", src[i].last_attempt, off);
        set_time(s, "last_success", src[i].last_success, off);
        tpl_map_set_str(s, "last_result", src[i].last_result);
        tpl_map_set_str(s, "last_error", src[i].last_error);
        tpl_map_set_num(s, "failures_in_a_row", src[i].failures);
        tpl_list_push(sources, s);
        store_source_release(&src[i]);
    }
    free(src);
    tpl_map_set(v, "sources", sources);
    return 0;
fail:
    tpl_value_free(sources);
    return -1;
}

static const char *
str(const struct tpl_value *m, const char *key)
{
    const struct tpl_value *v = tpl_map_get(m, key);
    return v && v->type == TPL_STRING ? v->str : NULL;
}

static double
num(const struct tpl_value *m, const char *key)
{
    const struct tpl_value *v = tpl_map_get(m, key);
    return v && v->type == TPL_NUMBER ? v->num : 0;
}

static void
print_text(const struct tpl_value *v)
{
    const struct tpl_value *issue = tpl_map_get(v, "last_issue");
    const struct tpl_value *sources = tpl_map_get(v, "sources");
    size_t i;

    if (issue && issue->type == TPL_MAP)
        printf("last issue:   no. %.0f, slot %s, %s: %.0f sent, %.0f "
               "deferred, %.0f failed, %.0f pending\n",
               num(issue, "number"), str(issue, "slot"),
               str(issue, "status"), num(issue, "sent"),
               num(issue, "deferred"), num(issue, "failed"),
               num(issue, "pending"));
    else
        printf("last issue:   none yet\n");
    printf("next slot:    %s (%s, %s)\n",
           str(v, "next_slot") ? str(v, "next_slot") : "none",
           str(v, "schedule"), str(v, "timezone"));
    printf("waiting:      %.0f article%s for the next issue\n",
           num(v, "articles_waiting"),
           num(v, "articles_waiting") == 1 ? "" : "s");
    if (num(v, "running_pid") > 0)
        printf("running:      yes (pid %.0f)\n", num(v, "running_pid"));
    else if (num(v, "running_pid") < 0)
        printf("running:      yes\n");
    else
        printf("running:      no\n");
    printf("sources:%s\n", sources->n ? "" : "      none collected yet");
    for (i = 0; i < sources->n; i++) {
        const struct tpl_value *s = sources->items[i];
        double f = num(s, "failures_in_a_row");
        printf("  %s: %s", str(s, "name") ? str(s, "name") : "?",
               f > 0 ? "failing" : "ok");
        if (f > 0)
            printf(" (%.0f in a row: %s)", f,
                   str(s, "last_error") ? str(s, "last_error") : "?");
        else if (str(s, "last_result"))
            printf(" (%s)", str(s, "last_result"));
        printf(", last success %s", str(s, "last_success")
                                        ? str(s, "last_success")
                                        : "never");
        if (!tpl_map_get(s, "configured")->b)
            printf(", no longer configured");
        putchar('\n');
    }
}

int
cmd_status(struct app *app, int argc, char **argv)
{
    struct tpl_value *v = tpl_map_new();
    struct err e = ERR_INIT;
    struct buf out = BUF_INIT;
    int rc = 0;

    (void)argc;
    (void)argv;
    if (gather(app, app->ctx.st, v, &e) < 0) {
        rc = cmd_fail(&e);
    } else if (cmd_flag(app, "json")) {
        tpl_value_to_json(v, &out);
        buf_append_char(&out, '\n');
        fwrite(out.data, 1, out.len, stdout);
    } else {
        print_text(v);
    }
    tpl_value_free(v);
    buf_release(&out);
    return rc;
}

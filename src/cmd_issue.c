/*
 * cmd: choosing the articles of the next issue and freezing it.
 *
 * Shared by preview (which builds the issue and records nothing), send
 * and run.  The period of an issue runs from the end of the previous one
 * (for the first, from the start of the day lookback_days back) to its
 * end; its articles are those that are new (see store_articles_new),
 * relevant, and at most max_articles, newest first.
 */
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/citation.h"
#include "arctic_digest/log.h"
#include "arctic_digest/relevance.h"
#include "arctic_digest/store.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"

#define DAY 86400

/* The start of the local day of t in offset. */
static int64_t
day_start(int64_t t, int offset)
{
    int64_t local = t + offset;

    local -= ((local % DAY) + DAY) % DAY;
    return local - offset;
}

void
issue_draft_release(struct issue_draft *d)
{
    article_list_release(&d->articles);
    free(d->ids);
    memset(d, 0, sizeof(*d));
}

int
cmd_select(struct app *app, struct store *st, int64_t end,
           struct issue_draft *d, struct err *e)
{
    const struct config *c = &app->cfg;
    struct store_issue last;
    int64_t since, *ids = NULL;
    size_t i, n = 0;
    int found;

    memset(d, 0, sizeof(*d));
    since = day_start(end - (int64_t)c->lookback_days * DAY,
                      app->now.offset);
    found = store_issue_last(st, &last, e);
    if (found < 0)
        return -1;
    d->number = found ? last.number + 1 : 1;
    d->start = dt_from_time(found && last.period_end < end ? last.period_end
                                                           : since,
                            app->now.offset);
    if (found)
        store_issue_release(&last);
    if (d->start.t < since)
        since = d->start.t;
    d->end = dt_from_time(end, app->now.offset);
    if (store_articles_new(st, since, end, &ids, &n, e) < 0)
        return -1;
    for (i = 0; i < n && d->articles.n < (size_t)c->max_articles; i++) {
        struct article a;
        struct buf why = BUF_INIT;
        bool keep;
        if (store_article_get(st, ids[i], &a, e) < 0)
            goto fail;
        if (cmd_relevance(app, st, ids[i], &a, &keep, &why, e) < 0) {
            article_release(&a);
            buf_release(&why);
            goto fail;
        }
        if (app->explain)
            log_info("%s: %s: %s", keep ? "in" : "out",
                     a.title ? a.title : "(no title)", why.data);
        buf_release(&why);
        if (!keep) {
            article_release(&a);
            continue;
        }
        xgrow(&d->articles.v, &d->articles.alloc, d->articles.n + 1,
              sizeof(*d->articles.v));
        xgrow(&d->ids, &d->ids_alloc, d->articles.n + 1, sizeof(*d->ids));
        d->ids[d->articles.n] = ids[i];
        d->articles.v[d->articles.n++] = a;
    }
    free(ids);
    return 0;
fail:
    free(ids);
    issue_draft_release(d);
    return -1;
}

int
cmd_draft_issue(struct app *app, bool collect, struct issue_draft *d,
                struct err *e)
{
    struct store *st = NULL;
    struct collect_summary sum;
    int rc = -1;

    if (store_open(app->cfg.state, &st, e) < 0)
        return -1;
    if (collect && cmd_collect_sources(app, st, &sum, e) < 0)
        goto out;
    if (collect)
        d->failed_sources = sum.failed;
    rc = cmd_select(app, st, app->now.t, d, e);
    if (collect && rc == 0)
        d->failed_sources = sum.failed;
out:
    store_close(st);
    return rc;
}

/* Active subscribers who want at least one of the articles. */
static int
recipients(struct app *app, const struct issue_draft *d,
           struct subs_list *subs, struct store_recipient **out, size_t *n,
           struct err *e)
{
    const struct config *c = &app->cfg;
    struct store_recipient *v;
    size_t i, j, count = 0;

    if (subs_load(subs, c->subscribers, e) < 0)
        return -1;
    v = xcalloc(subs->n + 1, sizeof(*v));
    for (i = 0; i < subs->n; i++) {
        const struct subs_entry *s = &subs->v[i];
        bool wants = d->articles.n == 0; /* an "empty" issue goes to all */
        if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0)
            continue;
        for (j = 0; j < d->articles.n && !wants; j++)
            wants = subs_wants_article(s, c->topics, c->ntopics,
                                       &d->articles.v[j]);
        if (!wants) {
            log_info("%s: none of this issue's articles match their topics",
                     s->email);
            continue;
        }
        v[count].address = s->email;
        v[count].name = s->name && s->name[0] ? s->name : NULL;
        count++;
    }
    *out = v;
    *n = count;
    return 0;
}

int
cmd_freeze_issue(struct app *app, struct store *st, int64_t slot,
                 struct store_issue *out, struct err *e)
{
    struct issue_draft d;
    struct subs_list subs;
    struct store_recipient *r = NULL;
    size_t nr = 0;
    int rc = -1;

    if (cmd_select(app, st, slot ? slot : app->now.t, &d, e) < 0)
        return -1;
    subs_list_init(&subs);
    if (d.articles.n == 0 && strcmp(app->cfg.empty, "send") != 0) {
        log_info("nothing new for this issue; none sent (empty = skip)");
        rc = cmd_mark_slot_handled(st, d.end.t, e) < 0 ? -1 : 0;
        goto out;
    }
    if (recipients(app, &d, &subs, &r, &nr, e) < 0)
        goto out;
    memset(out, 0, sizeof(*out));
    out->created = app->now.t;
    out->slot = d.end.t;
    out->period_start = d.start.t;
    out->period_end = d.end.t;
    out->articles = d.ids;
    out->narticles = d.articles.n;
    if (store_issue_create(st, out, r, nr, e) < 0) {
        out->articles = NULL;
        goto out;
    }
    d.ids = NULL; /* now the issue's */
    log_info("issue %d: %zu article%s for %zu subscriber%s", out->number,
             out->narticles, out->narticles == 1 ? "" : "s", nr,
             nr == 1 ? "" : "s");
    rc = 1;
out:
    free(r);
    subs_list_release(&subs);
    issue_draft_release(&d);
    return rc;
}

/* The relevance rules of the config (the built-in list without include
 * terms), built once. */
static int
rules(struct app *app, const struct rel_rules **out, struct err *e)
{
    const struct config *c = &app->cfg;
    size_t i;

    if (!app->have_rules) {
        struct rel_rules *r = &app->rules;
        *r = (struct rel_rules)REL_RULES_INIT;
        if (!c->ninclude)
            rel_rules_default(r);
        for (i = 0; i < c->ninclude; i++)
            if (rel_rules_add_item(r, c->include[i], false, e) < 0)
                goto fail;
        for (i = 0; i < c->nexclude; i++)
            if (rel_rules_add_item(r, c->exclude[i], true, e) < 0)
                goto fail;
        r->threshold = c->threshold;
        app->have_rules = true;
    }
    *out = &app->rules;
    return 0;
fail:
    rel_rules_release(&app->rules);
    err_prefix(e, "%s: [relevance]", c->path ? c->path : "config");
    e->code = ERR_CONFIG;
    return -1;
}

int
cmd_score(struct app *app, struct article *a, double weight, bool *keep,
          struct buf *why, struct err *e)
{
    const struct rel_rules *r;

    if (rules(app, &r, e) < 0)
        return -1;
    *keep = rel_score(r, a, weight, why);
    return 0;
}

int
cmd_relevance(struct app *app, struct store *st, int64_t id,
              struct article *a, bool *keep, struct buf *why, struct err *e)
{
    struct buf names = BUF_INIT;
    double weight = 0;
    const char *p;
    int rc = -1;

    if (store_article_sources(st, id, &names, e) < 0)
        goto out;
    for (p = names.data; *p;) {
        size_t n = strcspn(p, ",");
        char *name = xstrndup(p, n);
        const struct config_source *s = config_source_find(&app->cfg, name);
        free(name);
        if (s && !s->filter) {
            buf_appendf(why, "source '%.*s' takes all its articles", (int)n,
                        p);
            *keep = true;
            rc = 0;
            goto out;
        }
        if (s && s->weight > weight)
            weight = s->weight;
        p += n + (p[n] ? 1 : 0);
    }
    rc = cmd_score(app, a, weight > 0 ? weight : 1.0, keep, why, e);
out:
    buf_release(&names);
    return rc;
}

void
cmd_render_issue_of(struct app *app, const struct issue_draft *d,
                    struct render_issue *is)
{
    const struct config *c = &app->cfg;

    memset(is, 0, sizeof(*is));
    is->title = c->title;
    is->number = d->number;
    is->period_start = d->start;
    is->period_end = d->end;
    is->articles = d->articles.v;
    is->narticles = d->articles.n;
    is->style = (enum cite_style)cite_style_from_name(c->citation_style);
    is->archive_url = c->archive_url;
    is->contact = c->contact;
    is->unsubscribe_url = c->unsubscribe_url;
}

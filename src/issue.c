/*
 * issue: selecting the next issue's articles, its recipients, freezing it
 * (see issue.h).
 */
#include "arctic_digest/issue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"

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
issue_rules(const struct config *cfg, struct rel_rules *r, struct err *e)
{
    size_t i;

    *r = (struct rel_rules)REL_RULES_INIT;
    if (!cfg->ninclude)
        rel_rules_default(r);
    for (i = 0; i < cfg->ninclude; i++)
        if (rel_rules_add_item(r, cfg->include[i], false, e) < 0)
            goto fail;
    for (i = 0; i < cfg->nexclude; i++)
        if (rel_rules_add_item(r, cfg->exclude[i], true, e) < 0)
            goto fail;
    r->threshold = cfg->threshold;
    return 0;
fail:
    rel_rules_release(r);
    err_prefix(e, "%s: [relevance]", cfg->path ? cfg->path : "config");
    e->code = ERR_CONFIG;
    return -1;
}

/*
 * Whether article id (a) is relevant: kept when any source that carried
 * it takes all articles, else when its score reaches the threshold; why
 * receives the explanation.
 */
static int
relevant(const struct context *c, const struct rel_rules *r, int64_t id,
         struct article *a, bool *keep, struct buf *why, struct err *e)
{
    struct buf names = BUF_INIT;
    double weight = 0;
    const char *p;

    if (store_article_sources(c->st, id, &names, e) < 0) {
        buf_release(&names);
        return -1;
    }
    for (p = names.data; *p;) {
        size_t n = strcspn(p, ",");
        char *name = xstrndup(p, n);
        const struct config_source *s = config_source_find(c->cfg, name);
        free(name);
        if (s && !s->filter) {
            buf_appendf(why, "source '%.*s' takes all its articles", (int)n,
                        p);
            *keep = true;
            buf_release(&names);
            return 0;
        }
        if (s && s->weight > weight)
            weight = s->weight;
        p += n + (p[n] ? 1 : 0);
    }
    buf_release(&names);
    *keep = rel_score(r, a, weight > 0 ? weight : 1.0, why);
    return 0;
}

/* Add article id (a, taken) to d. */
static void
draft_add(struct issue_draft *d, int64_t id, struct article *a)
{
    xgrow(&d->ids, &d->ids_alloc, d->articles.n + 1, sizeof(*d->ids));
    d->ids[d->articles.n] = id;
    article_list_take(&d->articles, a);
}

/* Read and judge each candidate in turn until max_articles are in. */
static int
select_articles(const struct context *c, const struct rel_rules *r,
                const int64_t *ids, size_t n, struct issue_draft *d,
                struct err *e)
{
    size_t i;

    for (i = 0; i < n && d->articles.n < (size_t)c->cfg->max_articles; i++) {
        struct article a;
        struct buf why = BUF_INIT;
        bool keep = false;
        int rc;
        if (store_article_get(c->st, ids[i], &a, e) < 0)
            return -1;
        rc = relevant(c, r, ids[i], &a, &keep, &why, e);
        if (rc == 0 && c->explain)
            log_info("%s: %s: %s", keep ? "in" : "out",
                     a.title ? a.title : "(no title)", why.data);
        buf_release(&why);
        if (rc == 0 && keep)
            draft_add(d, ids[i], &a);
        article_release(&a);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int
issue_select(const struct context *c, int64_t end, struct issue_draft *d,
             struct err *e)
{
    const struct config *cfg = c->cfg;
    struct rel_rules rules;
    struct store_issue last;
    int64_t since, *ids = NULL;
    size_t n = 0;
    int found, rc = -1;

    memset(d, 0, sizeof(*d));
    if (issue_rules(cfg, &rules, e) < 0)
        return -1;
    since = day_start(end - (int64_t)cfg->lookback_days * DAY,
                      c->now.offset);
    found = store_issue_last(c->st, &last, e);
    if (found < 0)
        goto out;
    d->number = found ? last.number + 1 : 1;
    d->start = dt_from_time(
        found && last.period_end < end ? last.period_end : since,
        c->now.offset);
    if (found)
        store_issue_release(&last);
    if (d->start.t < since)
        since = d->start.t;
    d->end = dt_from_time(end, c->now.offset);
    /* One read transaction for the candidates, read one by one. */
    if (store_begin_read(c->st, e) < 0)
        goto out;
    if (store_articles_new(c->st, since, end, &ids, &n, e) < 0 ||
        select_articles(c, &rules, ids, n, d, e) < 0 ||
        store_commit(c->st, e) < 0) {
        store_rollback(c->st);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        issue_draft_release(d);
    free(ids);
    rel_rules_release(&rules);
    return rc;
}

/* ---- topics ------------------------------------------------------------ */

int
issue_topics_init(struct issue_topics *t, const struct config *cfg,
                  struct err *e)
{
    size_t i, k;

    t->topics = cfg->topics;
    t->n = 0;
    t->rules = xcalloc(cfg->ntopics + 1, sizeof(*t->rules));
    for (i = 0; i < cfg->ntopics; i++) {
        struct rel_rules *r = &t->rules[i];
        *r = (struct rel_rules)REL_RULES_INIT;
        t->n++;
        for (k = 0; k < cfg->topics[i].ninclude; k++) {
            if (rel_rules_add_item(r, cfg->topics[i].include[k], false, e) <
                0) {
                err_prefix(e, "%s: [topic %s]",
                           cfg->path ? cfg->path : "config",
                           cfg->topics[i].name);
                e->code = ERR_CONFIG;
                issue_topics_release(t);
                return -1;
            }
        }
    }
    return 0;
}

void
issue_topics_release(struct issue_topics *t)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        rel_rules_release(&t->rules[i]);
    free(t->rules);
    free(t->hit);
    *t = (struct issue_topics)ISSUE_TOPICS_INIT;
}

void
issue_topics_bind(struct issue_topics *t, const struct article *v, size_t n)
{
    size_t k, i;

    free(t->hit);
    t->hit = xcalloc(t->n * n + 1, sizeof(*t->hit));
    t->narticles = n;
    for (k = 0; k < t->n; k++)
        for (i = 0; i < n; i++)
            t->hit[k * n + i] = rel_match(&t->rules[k], &v[i]);
}

bool
issue_topics_wants(const struct issue_topics *t, char *const *tags,
                   size_t ntags, size_t i)
{
    bool has_topic = false;
    size_t j, k;

    assert(i < t->narticles);
    for (j = 0; j < ntags; j++) {
        for (k = 0; k < t->n; k++) {
            if (!ascii_ieq(tags[j], t->topics[k].name))
                continue;
            has_topic = true;
            if (t->hit[k * t->narticles + i])
                return true;
        }
    }
    return !has_topic;
}

/* ---- freezing ---------------------------------------------------------- */

void
issue_roster_member(const struct subs_entry *s, struct buf *tags,
                    struct store_member *m)
{
    size_t i;

    buf_reset(tags);
    for (i = 0; i < s->ntags; i++) {
        if (i)
            buf_append_char(tags, ',');
        buf_append_str(tags, s->tags[i]);
    }
    /* Borrowed for the call that takes m: store_roster_add copies. */
    m->address = s->email;
    m->line = s->line;
    m->name = s->name;
    m->status = s->status;
    m->tags = tags->data;
    m->format = s->format;
}

/* One freeze under way: the list read row by row into the ledger. */
struct freeze {
    const struct context *c;
    const struct issue_draft *d;
    struct issue_topics topics;
    const struct store_issue *is;
    struct buf tags;
    size_t count;
};

/* Active subscribers who want at least one of the articles, each address
 * once: the roster keeps every address's first row, whatever its
 * status. */
static int
freeze_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
           struct err *e)
{
    struct freeze *f = ctx;
    const struct issue_draft *d = f->d;
    struct store_member m;
    struct store_recipient r;
    bool wants = d->articles.n == 0; /* an "empty" issue goes to all */
    size_t j;
    int added;

    (void)l;
    issue_roster_member(s, &f->tags, &m);
    added = store_roster_add(f->c->st, &m, e);
    if (added < 0)
        return -1;
    if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0)
        return 0;
    /* Only an address's first row counts: a person who unsubscribed as
     * alice@ is not mailed as ALICE@. */
    if (!added) {
        struct store_member first;
        if (store_roster_get(f->c->st, s->email, &first, e) <= 0)
            return -1;
        log_warn("%s:%zu: '%s' is '%s' of line %zu again (addresses "
                 "compare without case); only that row counts",
                 f->c->cfg->subscribers, s->line, s->email, first.address,
                 first.line);
        store_member_release(&first);
        return 0;
    }
    for (j = 0; j < d->articles.n && !wants; j++)
        wants = issue_topics_wants(&f->topics, s->tags, s->ntags, j);
    if (!wants) {
        log_info("%s: none of this issue's articles match their topics",
                 s->email);
        return 0;
    }
    r.address = s->email;
    r.name = s->name && s->name[0] ? s->name : NULL;
    if (store_issue_add(f->c->st, f->is, &r, e) < 0)
        return -1;
    f->count++;
    return 0;
}

int
issue_freeze(const struct context *c, int64_t slot, struct store_issue *out,
             struct err *e)
{
    struct issue_draft d;
    struct freeze f;
    int rc = -1;

    if (issue_select(c, slot ? slot : c->now.t, &d, e) < 0)
        return -1;
    memset(&f, 0, sizeof(f));
    f.c = c;
    f.d = &d;
    f.is = out;
    buf_init(&f.tags);
    if (d.articles.n == 0 && strcmp(c->cfg->empty, "send") != 0) {
        log_info("nothing new for this issue; none sent (empty = skip)");
        rc = issue_mark_slot_handled(c->st, d.end.t, e) < 0 ? -1 : 0;
        goto out;
    }
    if (issue_topics_init(&f.topics, c->cfg, e) < 0)
        goto out;
    issue_topics_bind(&f.topics, d.articles.v, d.articles.n);
    memset(out, 0, sizeof(*out));
    out->created = c->now.t;
    out->slot = d.end.t;
    out->period_start = d.start.t;
    out->period_end = d.end.t;
    out->articles = d.ids;
    out->narticles = d.articles.n;
    /* One transaction: the issue, its articles and a pending row for every
     * recipient, the list read one row at a time. */
    if (store_issue_begin(c->st, out, e) < 0 ||
        store_roster_clear(c->st, e) < 0 ||
        subs_scan(c->cfg->subscribers, freeze_row, &f, NULL, e) < 0 ||
        store_commit(c->st, e) < 0) {
        store_rollback(c->st);
        out->articles = NULL;
        goto out;
    }
    d.ids = NULL; /* now the issue's */
    log_info("issue %d: %zu article%s for %zu subscriber%s", out->number,
             out->narticles, out->narticles == 1 ? "" : "s", f.count,
             f.count == 1 ? "" : "s");
    rc = 1;
out:
    issue_topics_release(&f.topics);
    buf_release(&f.tags);
    issue_draft_release(&d);
    return rc;
}

/*
 * collect: every source fetched or read, parsed, stored; one outcome each
 * (see collect.h).
 */
#include "arctic_digest/collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/crossref.h"
#include "arctic_digest/feed.h"
#include "arctic_digest/fetch.h"
#include "arctic_digest/log.h"
#include "arctic_digest/store.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

#ifndef AD_VERSION
#define AD_VERSION "0"
#endif

/* Crossref asks for at most a few requests a second in its polite pool. */
#define CROSSREF_GAP_MS 340
#define CROSSREF_MAX_PAGES 50
#define CROSSREF_MAX_RETRIES 3

/* Cut *s to max characters at a word boundary (text_cut_words); "" becomes
 * NULL. */
static void
cap_text(char **s, size_t max)
{
    struct buf b = BUF_INIT;
    size_t n;

    if (!*s)
        return;
    n = strlen(*s);
    /* No more bytes than max is no more characters: nothing to cut, and
     * most fields are short. */
    if (n && n <= max)
        return;
    text_cut_words(*s, n, max, &b);
    free(*s);
    *s = b.len ? buf_detach(&b, NULL) : NULL;
    buf_release(&b);
}

/* Drop *s when it is over max bytes: an identifier cut short would name
 * something else. */
static void
drop_long(char **s, size_t max)
{
    if (*s && strlen(*s) > max) {
        free(*s);
        *s = NULL;
    }
}

/* Keep the first max strings of v. */
static void
keep_first(char **v, size_t *n, size_t max)
{
    while (*n > max)
        free(v[--*n]);
}

void
collect_normalize(struct article *a)
{
    struct buf b = BUF_INIT;
    size_t i;

    /* The link stays as the publisher wrote it (the store keys works by
     * its canonical form); only a monster is dropped. */
    drop_long(&a->url, COLLECT_URL_MAX);
    drop_long(&a->doi, COLLECT_DOI_MAX);
    /* a volume, issue or page range cut short would cite the wrong one */
    drop_long(&a->volume, COLLECT_LOCATOR_MAX);
    drop_long(&a->issue, COLLECT_LOCATOR_MAX);
    drop_long(&a->pages, COLLECT_LOCATOR_MAX);
    cap_text(&a->title, COLLECT_TITLE_MAX);
    cap_text(&a->container, COLLECT_CONTAINER_MAX);
    cap_text(&a->publisher, COLLECT_CONTAINER_MAX);
    cap_text(&a->place, COLLECT_CONTAINER_MAX);
    while (a->nauthors > COLLECT_AUTHORS_MAX) {
        struct person *p = &a->authors[--a->nauthors];
        free(p->given);
        free(p->family);
        free(p->literal);
        free(p->suffix);
        a->others = true; /* the list is cut short: "et al." */
    }
    for (i = 0; i < a->nauthors; i++) {
        cap_text(&a->authors[i].given, COLLECT_NAME_MAX);
        cap_text(&a->authors[i].family, COLLECT_NAME_MAX);
        cap_text(&a->authors[i].literal, COLLECT_NAME_MAX);
        cap_text(&a->authors[i].suffix, COLLECT_NAME_MAX);
    }
    keep_first(a->keywords, &a->nkeywords, COLLECT_KEYWORDS_MAX);
    for (i = 0; i < a->nkeywords; i++)
        cap_text(&a->keywords[i], COLLECT_KEYWORD_MAX);
    if (a->abstract) {
        text_clean_abstract(a->abstract, strlen(a->abstract),
                            TEXT_ABSTRACT_MAX, &b);
        free(a->abstract);
        a->abstract = b.len ? buf_detach(&b, NULL) : NULL;
    }
    buf_release(&b);
}

void
collect_report_release(struct collect_report *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->v[i].message);
    free(r->v);
    free(r->enrich_error);
    memset(r, 0, sizeof(*r));
}

/* Add one source's outcome and count it. */
static void
outcome(struct collect_report *r, const char *source,
        enum collect_status status, size_t fresh, size_t seen,
        const char *message)
{
    struct collect_outcome *o;

    xgrow(&r->v, &r->alloc, r->n + 1, sizeof(*r->v));
    o = &r->v[r->n++];
    o->source = source;
    o->status = status;
    o->fresh = fresh;
    o->seen = seen;
    o->message = xstrdup(message ? message : "");
    if (status == COLLECT_FAILED) {
        r->failed++;
    } else {
        r->ok++;
        r->fresh += fresh;
    }
}

/* A failed source: its outcome, and its health in the state (a failure to
 * record that is only logged: the failure itself is what matters). */
static void
failed(const struct context *c, struct collect_report *r,
       const char *source, const char *msg)
{
    struct err e = ERR_INIT;
    struct store_source h;

    memset(&h, 0, sizeof(h));
    if (store_source_record(c->st, source, false, msg, NULL, NULL, c->now.t,
                            &e) < 0 ||
        store_source_get(c->st, source, &h, &e) < 0)
        log_debug("source '%s': cannot record the failure: %s", source,
                  e.msg);
    outcome(r, source, COLLECT_FAILED, 0, 0, msg);
    r->v[r->n - 1].failures = h.failures > 0 ? h.failures : 1;
    store_source_release(&h);
}

/* Store the articles of one parsed document; count the new ones.  A work
 * whose item and Crossref said no kind takes its source's ([source]
 * kind), else what its DOI or link shows. */
static int
store_articles(const struct context *c, struct article *v, size_t n,
               size_t *fresh, struct err *e)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct config_source *s =
            v[i].source ? config_source_find(c->cfg, v[i].source) : NULL;
        bool is_new;

        article_kind_settle(&v[i], s ? s->kind : ARTICLE_KIND_UNKNOWN);
        collect_normalize(&v[i]);
        if (store_article_put(c->st, &v[i], c->now.t, &is_new, NULL, e) < 0)
            return -1;
        if (is_new)
            (*fresh)++;
    }
    return 0;
}

/* Completion by DOI during one collect: the request settings, the pace,
 * and whether Crossref has failed (then it is not asked again this run). */
struct enrich {
    struct fetch_options fo;
    bool asked; /* a request went out: the next one waits its turn */
    bool down;  /* Crossref failed this run */
};

static void pause_ms(long ms);
static int crossref_get(const struct fetch_options *fo, const char *url,
                        struct fetch_result *r, struct err *e);

/* One item missed: counted, and the first reason kept for the log. */
static void
enrich_missed(struct collect_report *r, const char *doi, const char *why)
{
    if (!r->enrich_error) {
        struct buf b = BUF_INIT;

        buf_appendf(&b, "%s: %s", doi, why);
        r->enrich_error = buf_detach(&b, NULL);
    }
    r->enrich_missed++;
}

/*
 * Ask Crossref for doi and cache the answer: 1 with *body (caller frees)
 * for a work, 0 for no answer (Crossref has no such work: cached too; or
 * Crossref failed: counted in r, not cached, and en->down set), -1 when
 * the state cannot be written.
 */
static int
enrich_ask(const struct context *c, struct collect_report *r,
           struct enrich *en, const char *api, const char *doi,
           char **body, struct err *e)
{
    struct buf url = BUF_INIT, compact = BUF_INIT;
    struct fetch_result res;
    struct err fe = ERR_INIT;
    int rc = 0;

    fetch_result_init(&res);
    if (crossref_doi_url(api, doi, &url, &fe) < 0)
        goto out; /* not a DOI Crossref could know */
    if (en->asked)
        pause_ms(CROSSREF_GAP_MS);
    en->asked = true;
    r->enrich_requests++;
    if (crossref_get(&en->fo, url.data, &res, &fe) < 0) {
        en->down = true;
        enrich_missed(r, doi, fe.msg);
    } else if (res.status == FETCH_OK) {
        if (crossref_compact(res.body.data, res.body.len, &compact, &fe) <
            0) {
            en->down = true;
            enrich_missed(r, doi, fe.msg);
        } else if (store_crossref_put(c->st, doi, 200, compact.data,
                                      c->now.t, e) < 0) {
            rc = -1;
        } else {
            *body = buf_detach(&compact, NULL);
            rc = 1;
        }
    } else if (res.http_code >= 400 && res.http_code < 500 &&
               res.http_code != 408 && res.http_code != 429) {
        /* Crossref knows no such work (a DataCite DOI, a typo) */
        if (store_crossref_put(c->st, doi, res.http_code, NULL, c->now.t,
                               e) < 0)
            rc = -1;
    } else {
        en->down = true;
        enrich_missed(r, doi, res.msg);
    }
out:
    fetch_result_release(&res);
    buf_release(&url);
    buf_release(&compact);
    return rc;
}

/* Complete one item from the cache or Crossref; -1 only when the state
 * cannot be read or written. */
static int
enrich_one(const struct context *c, struct collect_report *r,
           struct enrich *en, const char *api, struct article *a,
           struct err *e)
{
    struct crossref_page cp = CROSSREF_PAGE_INIT;
    struct err pe = ERR_INIT;
    char *body = NULL;
    long status = 0;
    int got;

    got = store_crossref_get(c->st, a->doi, &status, &body, e);
    if (got < 0)
        return -1;
    if (got == 0) {
        if (en->down) {
            enrich_missed(r, a->doi, "Crossref failed earlier in this run");
            return 0;
        }
        got = enrich_ask(c, r, en, api, a->doi, &body, e);
        if (got < 0)
            return -1;
    }
    if (body) {
        if (crossref_parse(body, strlen(body), NULL, &cp, &pe) == 0 &&
            cp.n == 1) {
            crossref_complete(a, &cp.v[0]);
            r->enriched++;
        } else {
            log_debug("crossref: cached answer for '%s' not read: %s",
                      a->doi, pe.msg);
        }
    }
    crossref_page_release(&cp);
    free(body);
    return 0;
}

/* Complete a source's items that have a DOI, when the source asks for it
 * ([source] enrich).  A Crossref failure never costs an item: it keeps
 * what the feed gave. */
static int
enrich_all(const struct context *c, struct collect_report *r,
           struct enrich *en, const char *source, struct article *v,
           size_t n, struct err *e)
{
    const struct config_source *s = config_source_find(c->cfg, source);
    size_t i;

    if (!en || !s || !s->enrich)
        return 0;
    for (i = 0; i < n; i++)
        if (v[i].doi &&
            enrich_one(c, r, en, s->crossref_api, &v[i], e) < 0)
            return -1;
    return 0;
}

/*
 * One source's document, fetched or read: parse, store, record health.  A
 * document that does not parse is that source's failure; a state that
 * cannot be written is everyone's: -1 with fatal set.
 */
static int
take_document(const struct context *c, struct collect_report *r,
              struct enrich *en, struct feed *f, const char *source,
              const char *data, size_t n, const char *content_type,
              const char *base, const char *etag, const char *last_modified,
              struct err *fatal)
{
    struct err e = ERR_INIT;
    int rc = 0;
    struct buf msg = BUF_INIT;
    size_t fresh = 0, missed;

    if (feed_parse_http(f, data, n, content_type, source, base, NULL, &e) <
        0) {
        failed(c, r, source, e.msg);
        goto out;
    }
    missed = r->enrich_missed;
    if (enrich_all(c, r, en, source, f->v, f->n, &e) < 0)
        goto fail;
    /* Items Crossref could not complete are completed when the feed is
     * read again: no validators, so the next run reads it in full. */
    if (r->enrich_missed > missed)
        etag = last_modified = NULL;
    /* One transaction per source: its articles, health and validators are
     * stored together or not at all (and commit once, not per article). */
    if (store_begin(c->st, &e) < 0 ||
        store_articles(c, f->v, f->n, &fresh, &e) < 0)
        goto rollback;
    buf_appendf(&msg, "%zu new", fresh);
    if (f->warning)
        buf_appendf(&msg, " (read despite %s)", f->warning);
    if (store_source_record(c->st, source, true, msg.data, etag,
                            last_modified, c->now.t, &e) < 0 ||
        store_commit(c->st, &e) < 0)
        goto rollback;
    outcome(r, source, COLLECT_OK, fresh, f->n, msg.data);
    goto out;
rollback:
    store_rollback(c->st);
fail:
    if (fatal)
        *fatal = e;
    rc = -1;
out:
    feed_reset(f); /* keeps its memory for the next source */
    buf_release(&msg);
    return rc;
}

/* The [fetch] settings and our User-Agent. */
static void
fill_fetch_options(const struct config *cfg, const struct buf *ua,
                   struct fetch_options *fo)
{
    *fo = (struct fetch_options)FETCH_OPTIONS_INIT;
    fo->user_agent = ua->data;
    fo->max_total = cfg->fetch_connections;
    fo->max_per_host = cfg->fetch_per_host;
    fo->connect_timeout_s = cfg->fetch_connect_timeout;
    fo->total_timeout_s = cfg->fetch_timeout;
    fo->stall_seconds = cfg->fetch_timeout / 2 ? cfg->fetch_timeout / 2 : 1;
    fo->max_size = (size_t)cfg->fetch_max_size_mib << 20;
}

static void
user_agent(const struct config *cfg, struct buf *out)
{
    buf_appendf(out, "arctic-digest/%s (+https://example.org/arctic-digest",
                AD_VERSION);
    if (cfg->contact)
        buf_appendf(out, "; mailto:%s", cfg->contact);
    buf_append_char(out, ')');
}

static void
pause_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* GET one Crossref page, waiting out 429s as Retry-After says. */
static int
crossref_get(const struct fetch_options *fo, const char *url,
             struct fetch_result *r, struct err *e)
{
    struct fetch_request req = {url, NULL, NULL};
    int tries;

    for (tries = 0;; tries++) {
        fetch_result_init(r);
        if (fetch_all(fo, &req, 1, r, e) < 0)
            return -1;
        if (r->http_code != 429 || tries >= CROSSREF_MAX_RETRIES)
            return 0;
        pause_ms(1000L * (r->retry_after_s > 0 && r->retry_after_s < 60
                              ? r->retry_after_s
                              : 1 << tries));
        fetch_result_release(r);
    }
}

/* Fetch and store one page; 1 when it was the last. */
static int
crossref_page(const struct context *c, const struct config_source *s,
              const struct fetch_options *fo, const char *from,
              char **cursor, size_t *fresh, size_t *seen, struct err *e)
{
    const struct config *cfg = c->cfg;
    struct fetch_result r;
    struct crossref_page cp = CROSSREF_PAGE_INIT;
    struct buf url = BUF_INIT;
    int rc = -1;

    if (crossref_works_url(s->crossref_api ? s->crossref_api : CROSSREF_API,
                           s->crossref_issn, from, *cursor, 100,
                           cfg->contact, &url, e) < 0)
        goto out;
    if (crossref_get(fo, url.data, &r, e) < 0)
        goto out;
    if (r.status != FETCH_OK) {
        err_set(e, ERR_UNAVAILABLE, (int)r.http_code, "%s", r.msg);
    } else if (crossref_parse(r.body.data, r.body.len, s->name, &cp, e) ==
                   0 &&
               store_articles(c, cp.v, cp.n, fresh, e) == 0) {
        *seen += cp.n;
        free(*cursor);
        *cursor = cp.next_cursor;
        cp.next_cursor = NULL;
        rc = cp.n == 0 || !*cursor ? 1 : 0;
    }
    fetch_result_release(&r);
out:
    crossref_page_release(&cp);
    buf_release(&url);
    return rc;
}

static void
collect_crossref(const struct context *c, struct collect_report *r,
                 const struct config_source *s, const struct buf *ua)
{
    const struct config *cfg = c->cfg;
    struct fetch_options fo;
    struct buf from = BUF_INIT, msg = BUF_INIT;
    struct dt since =
        dt_from_time(c->now.t - (int64_t)cfg->lookback_days * 86400, 0);
    char *cursor = xstrdup("*");
    size_t fresh = 0, seen = 0;
    struct err e = ERR_INIT;
    int page, rc = 0;

    fill_fetch_options(cfg, ua, &fo);
    since.prec = DT_PREC_DAY;
    dt_format_rfc3339(&since, &from);
    for (page = 0; page < CROSSREF_MAX_PAGES && rc == 0; page++) {
        if (page)
            pause_ms(CROSSREF_GAP_MS);
        rc = crossref_page(c, s, &fo, from.data, &cursor, &fresh, &seen,
                           &e);
    }
    if (rc < 0) {
        failed(c, r, s->name, e.msg);
    } else {
        buf_appendf(&msg, "%zu new", fresh);
        if (store_source_record(c->st, s->name, true, msg.data, NULL, NULL,
                                c->now.t, &e) < 0)
            log_debug("source '%s': cannot record it: %s", s->name, e.msg);
        outcome(r, s->name, COLLECT_OK, fresh, seen, msg.data);
    }
    free(cursor);
    buf_release(&from);
    buf_release(&msg);
}

static bool
is_remote(const char *url)
{
    return !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
}

/* The outcome of one fetched remote source. */
static int
take_fetched(const struct context *c, struct collect_report *r,
             struct enrich *en, struct feed *f, const char *source,
             const struct fetch_result *res, struct err *fatal)
{
    struct err e = ERR_INIT;

    if (res->status == FETCH_NOT_MODIFIED) {
        if (store_source_record(c->st, source, true, "not modified",
                                res->etag, res->last_modified, c->now.t,
                                &e) < 0)
            log_debug("source '%s': cannot record it: %s", source, e.msg);
        outcome(r, source, COLLECT_NOT_MODIFIED, 0, 0, "not modified");
    } else if (res->status == FETCH_FAILED) {
        failed(c, r, source, res->msg);
    } else {
        return take_document(c, r, en, f, source, res->body.data,
                             res->body.len, res->content_type,
                             res->effective_url, res->etag,
                             res->last_modified, fatal);
    }
    return 0;
}

int
collect_sources(const struct context *c, struct collect_report *r,
                struct err *e)
{
    const struct config *cfg = c->cfg;
    struct fetch_options fo;
    struct fetch_request *reqs = NULL;
    struct fetch_result *res = NULL;
    struct store_source *health = NULL;
    size_t *which = NULL, nreq = 0, i;
    struct buf ua = BUF_INIT;
    struct feed f = FEED_INIT;
    struct enrich en;
    int rc = -1;

    user_agent(cfg, &ua);
    fill_fetch_options(cfg, &ua, &fo);
    memset(&en, 0, sizeof(en));
    en.fo = fo;
    en.fo.max_redirects = 2;
    reqs = xcalloc(cfg->nsources + 1, sizeof(*reqs));
    res = xcalloc(cfg->nsources + 1, sizeof(*res));
    health = xcalloc(cfg->nsources + 1, sizeof(*health));
    which = xcalloc(cfg->nsources + 1, sizeof(*which));

    for (i = 0; i < cfg->nsources; i++) {
        const struct config_source *s = &cfg->sources[i];
        struct buf data = BUF_INIT;
        struct err fe = ERR_INIT;

        if (s->crossref_issn) {
            collect_crossref(c, r, s, &ua);
        } else if (is_remote(s->url)) {
            if (store_source_get(c->st, s->name, &health[nreq], e) < 0)
                goto out;
            reqs[nreq].url = s->url;
            reqs[nreq].etag = health[nreq].etag;
            reqs[nreq].last_modified = health[nreq].last_modified;
            which[nreq++] = i;
        } else if (buf_read_file(&data, s->url,
                                 (size_t)cfg->fetch_max_size_mib << 20,
                                 &fe) < 0) {
            failed(c, r, s->name, fe.msg);
        } else {
            if (take_document(c, r, &en, &f, s->name, data.data, data.len,
                              NULL, NULL, NULL, NULL, e) < 0) {
                buf_release(&data);
                goto out;
            }
        }
        buf_release(&data);
    }
    for (i = 0; i < nreq; i++)
        fetch_result_init(&res[i]);
    if (nreq && fetch_all(&fo, reqs, nreq, res, e) < 0)
        goto out;
    for (i = 0; i < nreq; i++)
        if (take_fetched(c, r, &en, &f, cfg->sources[which[i]].name,
                         &res[i], e) < 0)
            goto out;
    rc = 0;
out:
    for (i = 0; i < nreq; i++) {
        fetch_result_release(&res[i]);
        store_source_release(&health[i]);
    }
    free(reqs);
    free(res);
    free(health);
    free(which);
    buf_release(&ua);
    feed_release(&f);
    return rc;
}

void
collect_report_log(const struct collect_report *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        const struct collect_outcome *o = &r->v[i];
        if (o->status == COLLECT_FAILED && o->failures >= COLLECT_WARN_AFTER)
            log_warn("source '%s': %s (failed %d runs in a row)", o->source,
                     o->message, o->failures);
        else if (o->status == COLLECT_FAILED)
            log_info("source '%s': %s", o->source, o->message);
        else if (o->status == COLLECT_NOT_MODIFIED)
            log_info("source '%s': not modified", o->source);
        else
            log_info("source '%s': %s, %zu in the feed", o->source,
                     o->message, o->seen);
    }
    if (r->enrich_missed)
        log_info("crossref: %zu article%s not completed by DOI (%s); they "
                 "keep the feed's values until a later run",
                 r->enrich_missed, r->enrich_missed == 1 ? "" : "s",
                 r->enrich_error);
    else if (r->enrich_requests)
        log_debug("crossref: %zu requests, %zu articles completed",
                  r->enrich_requests, r->enriched);
}

int
collect_document(const char *where, const char *source,
                 struct article_list *l, struct err *e)
{
    struct fetch_options fo = FETCH_OPTIONS_INIT;
    struct fetch_request req = {where, NULL, NULL};
    struct fetch_result r;
    struct buf data = BUF_INIT, ua = BUF_INIT;
    struct feed f = FEED_INIT;
    const char *type = NULL, *base = NULL;
    size_t i;
    int rc = -1;

    fetch_result_init(&r);
    if (is_remote(where)) {
        buf_appendf(&ua, "arctic-digest/%s", AD_VERSION);
        fo.user_agent = ua.data;
        if (fetch_all(&fo, &req, 1, &r, e) < 0)
            goto out;
        if (r.status != FETCH_OK) {
            err_set(e, ERR_UNAVAILABLE, (int)r.http_code, "'%s': %s", where,
                    r.msg);
            goto out;
        }
        buf_append(&data, r.body.data, r.body.len);
        type = r.content_type;
        base = r.effective_url;
    } else if (buf_read_file(&data, where, 0, e) < 0) {
        goto out;
    }
    if (feed_parse_http(&f, data.data, data.len, type, source, base, NULL,
                        e) < 0) {
        err_prefix(e, "'%s'", where);
        goto out;
    }
    for (i = 0; i < f.n; i++) {
        article_kind_settle(&f.v[i], ARTICLE_KIND_UNKNOWN);
        collect_normalize(&f.v[i]);
        article_list_take(l, &f.v[i]);
    }
    rc = 0;
out:
    feed_release(&f);
    fetch_result_release(&r);
    buf_release(&data);
    buf_release(&ua);
    return rc;
}

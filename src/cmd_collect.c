/*
 * collect: fetch every source in parallel, parse, store new articles and
 * each source's health.  One source failing never stops the others.
 */
#include <getopt.h>
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
#include "cmd.h"

static const char usage[] = "collect";

static bool
is_remote(const char *url)
{
    return !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
}

/* Store the articles of one parsed document; count the new ones. */
static int
store_articles(struct store *st, struct article *v, size_t n, int64_t now,
               size_t *fresh, struct err *e)
{
    size_t i;

    for (i = 0; i < n; i++) {
        bool is_new;
        cmd_normalize_article(&v[i]);
        if (store_article_put(st, &v[i], now, &is_new, NULL, e) < 0)
            return -1;
        if (is_new)
            (*fresh)++;
    }
    return 0;
}

/* One source's document, fetched or read: parse, store, record health. */
static void
take_document(struct app *app, struct store *st,
              const struct config_source *s, const char *data, size_t n,
              const char *content_type, const char *base,
              const char *etag, const char *last_modified,
              struct collect_summary *sum)
{
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    struct buf msg = BUF_INIT;
    size_t fresh = 0;
    int64_t now = app->now.t;

    if (feed_parse_http(&f, data, n, content_type, s->name, base, NULL,
                        &e) < 0) {
        log_warn("source '%s': %s", s->name, e.msg);
        store_source_record(st, s->name, false, e.msg, NULL, NULL, now,
                            NULL);
        sum->failed++;
        return;
    }
    /* One transaction per source: its articles, health and validators are
     * stored together or not at all (and commit once, not per article). */
    if (store_begin(st, &e) < 0 ||
        store_articles(st, f.v, f.n, now, &fresh, &e) < 0)
        goto failed;
    buf_appendf(&msg, "%zu new", fresh);
    if (f.warning)
        buf_appendf(&msg, " (read despite %s)", f.warning);
    if (store_source_record(st, s->name, true, msg.data, etag, last_modified,
                            now, &e) < 0 ||
        store_commit(st, &e) < 0)
        goto failed;
    log_info("source '%s': %s, %zu in the feed", s->name, msg.data, f.n);
    sum->fresh += fresh;
    sum->ok++;
    goto out;
failed:
    store_rollback(st);
    log_error("source '%s': %s", s->name, e.msg);
    sum->failed++;
out:
    feed_release(&f);
    buf_release(&msg);
}

/* The [fetch] settings and our User-Agent. */
static void
fill_fetch_options(const struct config *c, const struct buf *ua,
              struct fetch_options *fo)
{
    *fo = (struct fetch_options)FETCH_OPTIONS_INIT;
    fo->user_agent = ua->data;
    fo->max_total = c->fetch_connections;
    fo->max_per_host = c->fetch_per_host;
    fo->connect_timeout_s = c->fetch_connect_timeout;
    fo->total_timeout_s = c->fetch_timeout;
    fo->stall_seconds = c->fetch_timeout / 2 ? c->fetch_timeout / 2 : 1;
    fo->max_size = (size_t)c->fetch_max_size_mib << 20;
}

static void
pause_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Crossref asks for at most a few requests a second in its polite pool. */
#define CROSSREF_GAP_MS 340
#define CROSSREF_MAX_PAGES 50
#define CROSSREF_MAX_RETRIES 3

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

int
cmd_collect_crossref(struct app *app, struct store *st,
                     const struct config_source *s, const struct buf *ua,
                     struct collect_summary *sum)
{
    const struct config *c = &app->cfg;
    struct fetch_options fo;
    struct buf url = BUF_INIT, from = BUF_INIT, msg = BUF_INIT;
    struct dt since = dt_from_time(app->now.t - (int64_t)c->lookback_days *
                                                    86400, 0);
    char *cursor = xstrdup("*");
    size_t fresh = 0, seen = 0;
    struct err e = ERR_INIT;
    int page, rc = -1;

    fill_fetch_options(c, ua, &fo);
    since.prec = DT_PREC_DAY;
    dt_format_rfc3339(&since, &from);
    for (page = 0; page < CROSSREF_MAX_PAGES; page++) {
        struct fetch_result r;
        struct crossref_page cp = CROSSREF_PAGE_INIT;
        rc = -1;
        buf_reset(&url);
        if (page)
            pause_ms(CROSSREF_GAP_MS);
        if (crossref_works_url(s->crossref_api ? s->crossref_api
                                               : CROSSREF_API,
                               s->crossref_issn, from.data, cursor, 100,
                               c->contact, &url, &e) < 0)
            goto out;
        if (crossref_get(&fo, url.data, &r, &e) < 0)
            goto out;
        if (r.status != FETCH_OK) {
            err_set(&e, ERR_UNAVAILABLE, (int)r.http_code, "%s", r.msg);
            fetch_result_release(&r);
            goto out;
        }
        rc = crossref_parse(r.body.data, r.body.len, s->name, &cp, &e);
        fetch_result_release(&r);
        if (rc < 0 ||
            store_articles(st, cp.v, cp.n, app->now.t, &fresh, &e) < 0) {
            rc = -1;
            crossref_page_release(&cp);
            goto out;
        }
        seen += cp.n;
        free(cursor);
        cursor = cp.next_cursor;
        cp.next_cursor = NULL;
        rc = cp.n == 0 || !cursor ? 1 : 0;
        crossref_page_release(&cp);
        if (rc == 1)
            break;
    }
    rc = 0;
out:
    if (rc < 0) {
        log_warn("source '%s': %s", s->name, e.msg);
        store_source_record(st, s->name, false, e.msg, NULL, NULL,
                            app->now.t, NULL);
    } else {
        buf_appendf(&msg, "%zu new", fresh);
        log_info("source '%s': %s, %zu from Crossref", s->name, msg.data,
                 seen);
        store_source_record(st, s->name, true, msg.data, NULL, NULL,
                            app->now.t, NULL);
        sum->fresh += fresh;
        sum->ok++;
    }
    free(cursor);
    buf_release(&url);
    buf_release(&from);
    buf_release(&msg);
    return rc < 0 ? -1 : 0;
}

static void
user_agent(const struct config *c, struct buf *out)
{
    buf_appendf(out, "arctic-digest/%s (+https://example.org/arctic-digest",
                AD_VERSION);
    if (c->contact)
        buf_appendf(out, "; mailto:%s", c->contact);
    buf_append_char(out, ')');
}

int
cmd_collect_sources(struct app *app, struct store *st,
                    struct collect_summary *sum, struct err *e)
{
    const struct config *c = &app->cfg;
    struct fetch_options fo;
    struct fetch_request *reqs = NULL;
    struct fetch_result *res = NULL;
    struct store_source *health = NULL;
    size_t *which = NULL, nreq = 0, i;
    struct buf ua = BUF_INIT;
    int rc = -1;

    memset(sum, 0, sizeof(*sum));
    user_agent(c, &ua);
    fill_fetch_options(c, &ua, &fo);
    reqs = xcalloc(c->nsources, sizeof(*reqs));
    res = xcalloc(c->nsources, sizeof(*res));
    health = xcalloc(c->nsources, sizeof(*health));
    which = xcalloc(c->nsources, sizeof(*which));

    for (i = 0; i < c->nsources; i++) {
        const struct config_source *s = &c->sources[i];
        struct buf data = BUF_INIT;
        struct err fe = ERR_INIT;

        if (s->crossref_issn) {
            if (cmd_collect_crossref(app, st, s, &ua, sum) < 0)
                sum->failed++;
            continue;
        }
        if (is_remote(s->url)) {
            if (store_source_get(st, s->name, &health[nreq], e) < 0)
                goto out;
            reqs[nreq].url = s->url;
            reqs[nreq].etag = health[nreq].etag;
            reqs[nreq].last_modified = health[nreq].last_modified;
            which[nreq++] = i;
            continue;
        }
        /* A local file the config names. */
        if (buf_read_file(&data, s->url, (size_t)c->fetch_max_size_mib << 20,
                          &fe) < 0) {
            log_warn("source '%s': %s", s->name, fe.msg);
            store_source_record(st, s->name, false, fe.msg, NULL, NULL,
                                app->now.t, NULL);
            sum->failed++;
        } else {
            take_document(app, st, s, data.data, data.len, NULL, NULL, NULL,
                          NULL, sum);
        }
        buf_release(&data);
    }
    for (i = 0; i < nreq; i++)
        fetch_result_init(&res[i]);
    if (nreq && fetch_all(&fo, reqs, nreq, res, e) < 0)
        goto out;
    for (i = 0; i < nreq; i++) {
        const struct config_source *s = &c->sources[which[i]];
        struct fetch_result *r = &res[i];
        if (r->status == FETCH_NOT_MODIFIED) {
            log_info("source '%s': not modified", s->name);
            store_source_record(st, s->name, true, "not modified", r->etag,
                                r->last_modified, app->now.t, NULL);
            sum->ok++;
        } else if (r->status == FETCH_FAILED) {
            log_warn("source '%s': %s", s->name, r->msg);
            store_source_record(st, s->name, false, r->msg, NULL, NULL,
                                app->now.t, NULL);
            sum->failed++;
        } else {
            take_document(app, st, s, r->body.data, r->body.len,
                          r->content_type, r->effective_url, r->etag,
                          r->last_modified, sum);
        }
    }
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
    return rc;
}

int
cmd_collect(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct collect_summary sum;
    struct store *st = NULL;
    struct err e = ERR_INIT;
    int opt, rc = 0;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: arctic-digest %s\n", usage);
            return 0;
        }
        return cmd_usage(usage);
    }
    if (optind != argc)
        return cmd_usage(usage);
    if (store_open(app->cfg.state, &st, &e) < 0 ||
        cmd_collect_sources(app, st, &sum, &e) < 0) {
        rc = cmd_fail(&e);
        goto out;
    }
    log_info("collect: %zu new article%s from %zu source%s, %zu failed",
             sum.fresh, sum.fresh == 1 ? "" : "s", sum.ok + sum.failed,
             sum.ok + sum.failed == 1 ? "" : "s", sum.failed);
    /* Every source failing is a service problem; some failing is normal
     * life on the web, reported above and in 'status'. */
    if (sum.failed && !sum.ok)
        rc = 69;
out:
    store_close(st);
    return rc;
}

/* cmd: helpers shared by the subcommands (see cmd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/feed.h"
#include "arctic_digest/log.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "cmd.h"

#ifndef AD_SOURCE_DIR
#define AD_SOURCE_DIR "."
#endif

int
cmd_fail(const struct err *e)
{
    log_error("%s", e->msg[0] ? e->msg : "failed");
    return err_exit_code(e->code);
}

int
cmd_usage(const char *usage)
{
    fprintf(stderr, "usage: arctic-digest %s\n", usage);
    fputs("arctic-digest: try 'arctic-digest help'\n", stderr);
    return 64;
}

int
cmd_setup(struct app *app, struct err *e)
{
    const char *path = app->config_arg;
    struct stat st;

    if (!path) {
        if (stat("arctic-digest.conf", &st) == 0) {
            path = "arctic-digest.conf";
        } else {
            path = AD_SOURCE_DIR "/examples/arctic-digest.conf";
            log_debug("no configuration given: using the bundled example "
                      "'%s'", path);
        }
    }
    if (config_load(&app->cfg, path, e) < 0)
        return -1;
    app->have_cfg = true;
    if (app->now_arg) {
        if (dt_parse(app->now_arg, strlen(app->now_arg), &app->now) < 0 ||
            app->now.prec < DT_PREC_DAY)
            return err_set(e, ERR_USAGE, 0,
                           "--now: not an RFC 3339 time: '%s'", app->now_arg);
    } else if (app->cfg.clock) {
        if (dt_parse(app->cfg.clock, strlen(app->cfg.clock), &app->now) < 0)
            return err_set(e, ERR_CONFIG, 0,
                           "%s: [digest] clock: not an RFC 3339 time: '%s'",
                           path, app->cfg.clock);
    } else {
        app->now = dt_from_time((int64_t)time(NULL), 0);
    }
    return 0;
}

void
article_list_release(struct article_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        article_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

int
cmd_read_file(const char *path, struct buf *out, struct err *e)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = 0;

    if (!f)
        return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO, errno,
                       "cannot read '%s': %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    if (ferror(f))
        rc = err_set(e, ERR_IO, errno, "cannot read '%s': %s", path,
                     strerror(errno));
    fclose(f);
    return rc;
}

/* Abstract clean-up (text_clean_abstract): headings, boilerplate,
 * journal-line-only descriptions, length.  Until feed.c calls it where
 * articles are collected, it runs here on every parsed article. */
static void
clean_abstract(struct article *a)
{
    struct buf b = BUF_INIT;

    if (!a->abstract)
        return;
    text_clean_abstract(a->abstract, strlen(a->abstract), TEXT_ABSTRACT_MAX,
                        &b);
    free(a->abstract);
    a->abstract = b.len ? buf_detach(&b, NULL) : NULL;
    buf_release(&b);
}

int
cmd_parse_feed(const char *where, const char *source, struct article_list *l,
               struct err *e)
{
    struct buf data = BUF_INIT;
    struct feed f = FEED_INIT;
    size_t i;
    int rc = -1;

    if (!strncmp(where, "http://", 7) || !strncmp(where, "https://", 8)) {
        err_set(e, ERR_UNAVAILABLE, 0,
                "'%s': fetching over the network comes with 'collect', "
                "which is not built yet; save the feed to a file",
                where);
        goto out;
    }
    if (cmd_read_file(where, &data, e) < 0)
        goto out;
    if (feed_parse(&f, data.data, data.len, source, NULL, NULL, e) < 0) {
        err_prefix(e, "'%s'", where);
        goto out;
    }
    /* Move the articles out of the feed. */
    xgrow(&l->v, &l->alloc, l->n + f.n, sizeof(*l->v));
    for (i = 0; i < f.n; i++) {
        clean_abstract(&f.v[i]);
        l->v[l->n++] = f.v[i];
        article_init(&f.v[i]);
    }
    rc = 0;
out:
    feed_release(&f);
    buf_release(&data);
    return rc;
}

static bool
same_work(const struct article *a, const struct article *b)
{
    if (a->doi && b->doi)
        return !strcasecmp(a->doi, b->doi);
    if (a->url && b->url)
        return !strcmp(a->url, b->url);
    return a->guid && b->guid && !strcmp(a->guid, b->guid);
}

int
cmd_draft_issue(struct app *app, struct issue_draft *d, struct err *e)
{
    const struct config *c = &app->cfg;
    struct article_list all = {NULL, 0, 0};
    int64_t local;
    size_t i, j;

    memset(d, 0, sizeof(*d));
    d->number = 1;
    d->end = app->now;
    /* The first issue looks back lookback_days from the start of the
     * local day, so "the last 7 days" takes whole days. */
    local = app->now.t + app->now.offset - (int64_t)c->lookback_days * 86400;
    local -= ((local % 86400) + 86400) % 86400;
    d->start = dt_from_time(local - app->now.offset, app->now.offset);
    for (i = 0; i < c->nsources; i++) {
        const struct config_source *s = &c->sources[i];
        struct err se = ERR_INIT;
        if (!s->url) {
            log_warn("source '%s': crossref sources come with 'collect'; "
                     "skipped", s->name);
            continue;
        }
        if (cmd_parse_feed(s->url, s->name, &all, &se) < 0) {
            log_warn("source '%s': %s", s->name, se.msg);
            d->failed_sources++;
        }
    }
    for (i = 0; i < all.n; i++) {
        struct article *a = &all.v[i];
        bool dup = false;
        if (!dt_is_set(&a->published) || a->published.t < d->start.t ||
            a->published.t >= d->end.t)
            continue;
        for (j = 0; j < d->articles.n && !dup; j++)
            dup = same_work(&d->articles.v[j], a);
        if (dup)
            continue;
        xgrow(&d->articles.v, &d->articles.alloc, d->articles.n + 1,
              sizeof(*d->articles.v));
        d->articles.v[d->articles.n++] = *a;
        article_init(a);
    }
    article_list_release(&all);
    qsort(d->articles.v, d->articles.n, sizeof(*d->articles.v),
          article_cmp_newest);
    while (d->articles.n > (size_t)c->max_articles)
        article_release(&d->articles.v[--d->articles.n]);
    (void)e;
    return 0;
}

void
issue_draft_release(struct issue_draft *d)
{
    article_list_release(&d->articles);
}

int
cmd_zone_offset(const char *zone, int64_t t, int *offset, struct err *e)
{
    struct buf path = BUF_INIT;
    char *old = xstrdup(getenv("TZ"));
    time_t tt = (time_t)t;
    struct tm tm;
    int rc = 0;

    if (!zone || !strcmp(zone, "UTC") || !strcmp(zone, "Etc/UTC")) {
        *offset = 0;
        free(old);
        return 0;
    }
    buf_appendf(&path, "/usr/share/zoneinfo/%s", zone);
    if (zone[0] == '/' || strstr(zone, "..") || access(path.data, R_OK) != 0) {
        rc = err_set(e, ERR_CONFIG, 0, "unknown time zone '%s'", zone);
        goto out;
    }
    setenv("TZ", zone, 1);
    tzset();
    if (!localtime_r(&tt, &tm)) {
        rc = err_set(e, ERR_CONFIG, 0, "time zone '%s': cannot convert",
                     zone);
    } else {
        int64_t local = dt_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
                                           tm.tm_mday) * 86400 +
                        tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        *offset = (int)(local - t);
    }
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
out:
    free(old);
    buf_release(&path);
    return rc;
}

int
cmd_split_mailbox(const char *s, char **name, char **addr, struct err *e)
{
    const char *lt = strchr(s, '<'), *gt;
    const char *p, *q;

    if (!lt) {
        p = s;
        while (*p == ' ')
            p++;
        q = p + strcspn(p, " ");
        if (q == p || !memchr(p, '@', (size_t)(q - p)))
            return err_set(e, ERR_CONFIG, 0, "no address in '%s'", s);
        *name = NULL;
        *addr = xstrndup(p, (size_t)(q - p));
        return 0;
    }
    gt = strchr(lt, '>');
    if (!gt || !memchr(lt, '@', (size_t)(gt - lt)))
        return err_set(e, ERR_CONFIG, 0, "no address in '%s'", s);
    p = s;
    q = lt;
    while (p < q && (*p == ' ' || *p == '"'))
        p++;
    while (q > p && (q[-1] == ' ' || q[-1] == '"'))
        q--;
    *name = q > p ? xstrndup(p, (size_t)(q - p)) : NULL;
    *addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
    return 0;
}

int
cmd_mkdirs(const char *dir, struct err *e)
{
    char *p = xstrdup(dir), *s;
    int rc = 0;

    for (s = p + 1;; s++) {
        if (*s == '/' || !*s) {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = err_set(e, ERR_CANTCREAT, errno,
                             "cannot create folder '%s': %s", p,
                             strerror(errno));
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    return rc;
}

int
cmd_write_file(const char *path, const char *data, size_t n, struct err *e)
{
    struct buf tmp = BUF_INIT;
    FILE *f;
    int rc = -1;

    buf_appendf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    f = fopen(tmp.data, "wb");
    if (!f) {
        err_set(e, ERR_CANTCREAT, errno, "cannot create '%s': %s", tmp.data,
                strerror(errno));
        goto out;
    }
    if (fwrite(data, 1, n, f) != n || fflush(f) != 0 || fsync(fileno(f))) {
        err_set(e, ERR_CANTCREAT, errno, "cannot write '%s': %s", tmp.data,
                strerror(errno));
        fclose(f);
        unlink(tmp.data);
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp.data, path) != 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot write '%s': %s", path,
                strerror(errno));
        unlink(tmp.data);
        goto out;
    }
    rc = 0;
out:
    buf_release(&tmp);
    return rc;
}

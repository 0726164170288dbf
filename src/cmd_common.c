/* cmd: helpers shared by the subcommands (see cmd.h). */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/feed.h"
#include "arctic_digest/fetch.h"
#include "arctic_digest/log.h"
#include "arctic_digest/schedule.h"
#include "arctic_digest/subscribers.h"
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

/*
 * With no configuration at all, the bundled example is read, but what the
 * tool writes (state, outbox, archive, the unsubscribe secret) goes to the
 * working folder, not into the source tree.
 */
static void
use_working_folder(struct config *c)
{
    static const struct {
        size_t off;
        const char *name;
    } paths[] = {
        {offsetof(struct config, state), "arctic-digest.db"},
        {offsetof(struct config, outbox), "outbox"},
        {offsetof(struct config, archive), "archive"},
        {offsetof(struct config, unsubscribe_secret_file), "unsubscribe.key"},
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(paths); i++) {
        char **p = (char **)((char *)c + paths[i].off);
        xstrset(p, paths[i].name);
    }
}

int
cmd_setup(struct app *app, struct err *e)
{
    const char *path = app->config_arg;
    bool bundled = false;
    struct stat st;

    if (!path) {
        if (stat("arctic-digest.conf", &st) == 0) {
            path = "arctic-digest.conf";
        } else {
            bundled = true;
            path = AD_SOURCE_DIR "/examples/arctic-digest.conf";
            log_debug("no configuration given: using the bundled example "
                      "'%s'", path);
        }
    }
    if (config_load(&app->cfg, path, e) < 0)
        return -1;
    app->have_cfg = true;
    if (bundled)
        use_working_folder(&app->cfg);
    log_use_syslog(!strcmp(app->cfg.log, "syslog"));
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
    /* Dates shown and Date headers are in the configured zone. */
    return cmd_zone_offset(app->cfg.timezone, app->now.t, &app->now.offset,
                           e);
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
cmd_parse_feed(const char *where, const char *source, struct article_list *l,
               struct err *e)
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
    if (!strncmp(where, "http://", 7) || !strncmp(where, "https://", 8)) {
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
    /* Move the articles out of the feed. */
    xgrow(&l->v, &l->alloc, l->n + f.n, sizeof(*l->v));
    for (i = 0; i < f.n; i++) {
        cmd_normalize_article(&f.v[i]);
        l->v[l->n++] = f.v[i];
        article_init(&f.v[i]);
    }
    rc = 0;
out:
    feed_release(&f);
    fetch_result_release(&r);
    buf_release(&data);
    buf_release(&ua);
    return rc;
}

int
cmd_zone_offset(const char *zone, int64_t t, int *offset, struct err *e)
{
    struct sched_zone z = SCHED_ZONE_INIT;

    if (sched_zone_load(&z, zone, NULL, e) < 0)
        return -1;
    *offset = sched_zone_offset(&z, t);
    sched_zone_release(&z);
    return 0;
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

int
cmd_lock(struct app *app, int *fd, struct err *e)
{
    struct buf path = BUF_INIT, pid = BUF_INIT;
    char held[32] = "";
    ssize_t n;
    int f;

    buf_appendf(&path, "%s.lock", app->cfg.state);
    f = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot open lock '%s': %s",
                path.data, strerror(errno));
        buf_release(&path);
        return -1;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        n = pread(f, held, sizeof(held) - 1, 0);
        held[n > 0 ? n : 0] = '\0';
        held[strcspn(held, "\n")] = '\0';
        err_set(e, ERR_TEMP, 0, "another run (pid %s) holds the lock '%s'",
                held[0] ? held : "?", path.data);
        close(f);
        buf_release(&path);
        return -1;
    }
    /* The kernel releases flock when we die: a stale file never blocks. */
    buf_appendf(&pid, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) == 0 && pwrite(f, pid.data, pid.len, 0) < 0)
        log_debug("cannot write the pid into '%s'", path.data);
    buf_release(&pid);
    buf_release(&path);
    *fd = f;
    return 0;
}

void
cmd_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* 32 random bytes as hex, from the kernel. */
static int
make_secret(const char *path, struct err *e)
{
    unsigned char raw[32];
    struct buf hex = BUF_INIT;
    FILE *r = fopen("/dev/urandom", "rb");
    size_t i;
    int fd, rc = -1;

    if (!r || fread(raw, 1, sizeof(raw), r) != sizeof(raw)) {
        if (r)
            fclose(r);
        return err_set(e, ERR_IO, errno, "cannot read /dev/urandom");
    }
    fclose(r);
    for (i = 0; i < sizeof(raw); i++)
        buf_appendf(&hex, "%02x", raw[i]);
    buf_append_char(&hex, '\n');
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot create '%s': %s", path,
                strerror(errno));
    } else if (write(fd, hex.data, hex.len) != (ssize_t)hex.len ||
               fsync(fd) != 0) {
        err_set(e, ERR_IO, errno, "cannot write '%s': %s", path,
                strerror(errno));
        close(fd);
        unlink(path);
    } else {
        close(fd);
        log_info("created the unsubscribe secret '%s'", path);
        rc = 0;
    }
    buf_release(&hex);
    return rc;
}

int
cmd_unsubscribe_secret(struct app *app, struct buf *out, struct err *e)
{
    const char *path = app->cfg.unsubscribe_secret_file;
    struct stat st;

    if (stat(path, &st) != 0 && errno == ENOENT &&
        make_secret(path, e) < 0)
        return -1;
    return subs_read_secret(path, "unsubscribe secret", out, e);
}

int
cmd_parse_rate(const char *s, double *per_second, struct err *e)
{
    char *end;
    double n;

    *per_second = 0;
    if (!s)
        return 0;
    n = strtod(s, &end);
    if (end == s || n <= 0)
        goto bad;
    if (!strcmp(end, "/s"))
        *per_second = n;
    else if (!strcmp(end, "/min"))
        *per_second = n / 60;
    else if (!strcmp(end, "/h"))
        *per_second = n / 3600;
    else
        goto bad;
    return 0;
bad:
    return err_set(e, ERR_CONFIG, 0,
                   "[smtp] rate: '%s' is not N/s, N/min or N/h", s);
}

int
cmd_smtp_options(struct app *app, const char *from_addr,
                 struct smtp_options *so, struct buf *password,
                 struct err *e)
{
    const struct config *c = &app->cfg;

    memset(so, 0, sizeof(*so));
    so->url = c->smtp_url;
    so->user = c->smtp_user;
    so->ca_file = c->smtp_ca_file;
    so->envelope_from = c->smtp_envelope_from ? c->smtp_envelope_from
                                               : from_addr;
    so->response_timeout_s = c->smtp_timeout;
    so->connect_timeout_s = c->smtp_timeout;
    so->verbose = log_get_level() >= LOG_LEVEL_DEBUG;
    so->tls = !strcmp(c->smtp_tls, "none")       ? SMTP_TLS_NONE
              : !strcmp(c->smtp_tls, "starttls") ? SMTP_TLS_STARTTLS
                                                 : SMTP_TLS_REQUIRED;
    if (c->smtp_password_env) {
        const char *v = getenv(c->smtp_password_env);
        if (!v || !*v)
            return err_set(e, ERR_CONFIG, 0,
                           "[smtp] password_env: the environment variable "
                           "'%s' is not set",
                           c->smtp_password_env);
        buf_append_str(password, v);
    } else if (c->smtp_password_file) {
        /* The same rule as for the unsubscribe secret: not readable by
         * group or others, or refused. */
        if (subs_read_secret(c->smtp_password_file, "[smtp] password_file",
                             password, e) < 0)
            return -1;
    }
    if (password->len) {
        if (!c->smtp_user)
            return err_set(e, ERR_CONFIG, 0,
                           "[smtp] a password needs a user");
        so->password = password->data;
        if (so->tls == SMTP_TLS_NONE)
            return err_set(e, ERR_CONFIG, 0,
                           "[smtp] tls = none with a password would send "
                           "it in the clear; refused");
    }
    return 0;
}

void
cmd_normalize_article(struct article *a)
{
    struct buf b = BUF_INIT;
    char *canon;

    if (a->url) {
        canon = article_url_canonical(a->url);
        if (canon) {
            free(a->url);
            a->url = canon;
        }
    }
    if (a->abstract) {
        text_clean_abstract(a->abstract, strlen(a->abstract),
                            TEXT_ABSTRACT_MAX, &b);
        free(a->abstract);
        a->abstract = b.len ? buf_detach(&b, NULL) : NULL;
    }
    buf_release(&b);
}

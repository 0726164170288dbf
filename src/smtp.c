#include "arctic_digest/smtp.h"

#include <curl/curl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/log.h"
#include "arctic_digest/util.h"

/*
 * Where a transfer got to, from the commands libcurl sent (seen through the
 * debug callback).  libcurl's result codes do not tell a 4xx from a 5xx, a
 * failed RCPT from a failed greeting, or a connection lost during DATA
 * from one lost after the final reply, so we follow the dialogue ourselves.
 */
enum stage {
    STAGE_NONE,  /* nothing sent yet on this transfer: connecting */
    STAGE_SETUP, /* EHLO, HELO, STARTTLS, AUTH */
    STAGE_MAIL,
    STAGE_RCPT,
    STAGE_DATA, /* DATA sent, waiting for 354 */
    STAGE_BODY  /* 354 received: sending, then waiting for the final reply */
};

struct slot {
    struct pool *pool;
    int index;
    CURL *h;
    struct curl_slist *rcpt;
    struct smtp_job job;
    const struct buf_list *msg; /* job.pieces, or one: job.data */
    struct buf_list one;
    struct buf_list_pos pos; /* how far msg has been read */
    bool busy, retired;
    enum stage stage;
    bool replied;   /* a complete reply arrived since the last command */
    bool continued; /* inside a multi-line reply */
    bool in_auth;   /* client lines are credentials: redact */
    bool quitting;  /* QUIT sent: its 221 must not hide the real reply */
    int code;
    struct buf reply;
    char errbuf[CURL_ERROR_SIZE];
};

struct pool {
    const struct smtp_options *o;
    char *url;
    CURLM *m;
    struct slot *slots;
    int n, busy, live;
    smtp_next_fn next;
    smtp_done_fn done;
    void *ctx;
    bool stop, dry, failed;
    double interval, next_start;
    struct err first;
};

const char *
smtp_outcome_name(enum smtp_outcome outcome)
{
    switch (outcome) {
    case SMTP_SENT:
        return "sent";
    case SMTP_TEMPFAIL:
        return "tempfail";
    case SMTP_PERMFAIL:
        return "permfail";
    }
    return "?";
}

static double
monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
chomp(const char *p, size_t n)
{
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    return n;
}

static bool
verb_is(const char *p, size_t n, const char *verb)
{
    size_t k = strlen(verb);

    return n >= k && strncasecmp(p, verb, k) == 0 &&
           (n == k || p[k] == ' ' || p[k] == '\r');
}

static void
note_command(struct slot *s, const char *p, size_t n)
{
    bool verbose = s->pool->o->verbose;

    n = chomp(p, n);
    if (s->in_auth) {
        if (verbose)
            log_debug("smtp[%d]: > [credentials redacted]", s->index);
        return;
    }
    if (verb_is(p, n, "QUIT")) {
        s->quitting = true;
        if (verbose)
            log_debug("smtp[%d]: > QUIT", s->index);
        return;
    }
    if (verb_is(p, n, "AUTH")) {
        s->in_auth = true;
        s->stage = STAGE_SETUP;
        /* "AUTH PLAIN <initial response>": keep the mechanism only */
        if (verbose) {
            size_t k = 5;
            while (k < n && p[k] != ' ')
                k++;
            log_debug("smtp[%d]: > %.*s [redacted]", s->index, (int)k, p);
        }
    } else {
        if (verb_is(p, n, "MAIL"))
            s->stage = STAGE_MAIL;
        else if (verb_is(p, n, "RCPT"))
            s->stage = STAGE_RCPT;
        else if (verb_is(p, n, "DATA"))
            s->stage = STAGE_DATA;
        else
            s->stage = STAGE_SETUP;
        if (verbose)
            log_debug("smtp[%d]: > %.*s", s->index, (int)n, p);
    }
    s->replied = false;
    s->continued = false;
    s->code = 0;
    buf_reset(&s->reply);
}

static void
note_reply(struct slot *s, const char *p, size_t n)
{
    int code = 0;

    n = chomp(p, n);
    if (s->pool->o->verbose)
        log_debug("smtp[%d]: < %.*s", s->index, (int)n, p);
    if (s->quitting)
        return;
    if (n < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
        p[2] < '0' || p[2] > '9')
        return;
    code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    if (!s->continued)
        buf_reset(&s->reply);
    else if (s->reply.len > 0 && s->reply.len < 511)
        buf_append_char(&s->reply, ' ');
    if (n > 4 && s->reply.len < 511)
        buf_append(&s->reply, p + 4, n - 4);
    s->continued = n > 3 && p[3] == '-';
    if (s->continued)
        return;
    s->code = code;
    s->replied = true;
    if (s->in_auth && code != 334)
        s->in_auth = false;
    if (s->stage == STAGE_DATA && code == 354) {
        /* from now on the reply that counts is the one after the body */
        s->stage = STAGE_BODY;
        s->replied = false;
    }
}

static int
debug_cb(CURL *h, curl_infotype type, char *p, size_t n, void *arg)
{
    struct slot *s = arg;

    (void)h;
    if (type == CURLINFO_HEADER_OUT)
        note_command(s, p, n);
    else if (type == CURLINFO_HEADER_IN)
        note_reply(s, p, n);
    else if (type == CURLINFO_TEXT && s->pool->o->verbose)
        log_debug("smtp[%d]: * %.*s", s->index, (int)chomp(p, n), p);
    return 0;
}

/* libcurl asks for the message a buffer at a time and dot-stuffs what it
 * gets, keeping its state across reads, so pieces may end anywhere. */
static size_t
read_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    struct slot *s = arg;

    return buf_list_read(s->msg, &s->pos, p, size * nmemb);
}

static bool
has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int
check_options(const struct smtp_options *o, int connections, double rate,
              struct err *e)
{
    const char *host;
    size_t authority;

    if (!o->url || !o->url[0])
        return err_set(e, ERR_CONFIG, 0, "smtp url is not set");
    if (!has_prefix(o->url, "smtp://") && !has_prefix(o->url, "smtps://"))
        return err_set(e, ERR_CONFIG, 0,
                       "smtp url '%s' is neither smtp:// nor smtps://",
                       o->url);
    host = strstr(o->url, "://") + 3;
    authority = strcspn(host, "/?#");
    if (memchr(host, '@', authority))
        return err_set(e, ERR_CONFIG, 0,
                       "smtp url must not carry credentials; use user and "
                       "password");
    if (!o->envelope_from || !o->envelope_from[0])
        return err_set(e, ERR_CONFIG, 0, "smtp envelope sender is not set");
    if (!o->user != !o->password)
        return err_set(e, ERR_CONFIG, 0,
                       "smtp user and password go together");
    if (o->tls == SMTP_TLS_NONE && o->password)
        return err_set(e, ERR_CONFIG, 0,
                       "refusing to send a password without TLS "
                       "(tls = none); use tls = required");
    if (o->tls == SMTP_TLS_NONE && has_prefix(o->url, "smtps://"))
        return err_set(e, ERR_CONFIG, 0,
                       "tls = none contradicts smtps:// in '%s'", o->url);
    if (connections < 1)
        return err_set(e, ERR_CONFIG, 0, "smtp connections must be at least 1");
    if (rate < 0)
        return err_set(e, ERR_CONFIG, 0, "smtp rate must not be negative");
    return 0;
}

/* The URL libcurl gets: libcurl takes the EHLO name from the path. */
static char *
make_url(const struct smtp_options *o)
{
    struct buf b = BUF_INIT;
    const char *host = strstr(o->url, "://") + 3;
    size_t n = (size_t)(host - o->url) + strcspn(host, "/?#");

    if (!o->helo_domain)
        return xstrdup(o->url);
    buf_append(&b, o->url, n);
    buf_append_char(&b, '/');
    buf_append_str(&b, o->helo_domain);
    return buf_detach(&b, NULL);
}

static int
slot_init(struct pool *pl, struct slot *s, int index, struct err *e)
{
    const struct smtp_options *o = pl->o;
    long resp = o->response_timeout_s > 0 ? o->response_timeout_s : 60;
    CURL *h = curl_easy_init();
    CURLcode rc = CURLE_OK;

    if (!h)
        return err_set(e, ERR_INTERNAL, 0, "cannot make a libcurl handle");
    s->pool = pl;
    s->index = index;
    s->h = h;
    buf_init(&s->reply);
#define SET(opt, val)                                                          \
    do {                                                                       \
        if (rc == CURLE_OK)                                                    \
            rc = curl_easy_setopt(h, opt, val);                                \
    } while (0)
    SET(CURLOPT_URL, pl->url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_UPLOAD, 1L);
    /*
     * 64 KiB: a message of the bundled example (80 KB) in two reads and
     * two send() calls, not five of each as at 16 KiB.  What these
     * buffers cost without keep_transfer_buffers(): see there.
     */
    SET(CURLOPT_UPLOAD_BUFFERSIZE, 65536L);
    SET(CURLOPT_READFUNCTION, read_cb);
    SET(CURLOPT_READDATA, s);
    SET(CURLOPT_MAIL_FROM, o->envelope_from);
    SET(CURLOPT_USE_SSL, o->tls == SMTP_TLS_NONE ? (long)CURLUSESSL_NONE
                                                 : (long)CURLUSESSL_ALL);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file)
        SET(CURLOPT_CAINFO, o->ca_file);
    if (o->user) {
        SET(CURLOPT_USERNAME, o->user);
        SET(CURLOPT_PASSWORD, o->password);
    }
    if (o->connect_timeout_s > 0)
        SET(CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    SET(CURLOPT_SERVER_RESPONSE_TIMEOUT, resp);
    /* a server that stops reading the body stalls the upload, not a reply */
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, resp);
    /* the debug callback is how we see the dialogue, so it is always on */
    SET(CURLOPT_VERBOSE, 1L);
    SET(CURLOPT_DEBUGFUNCTION, debug_cb);
    SET(CURLOPT_DEBUGDATA, s);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    SET(CURLOPT_PRIVATE, s);
#undef SET
    if (rc != CURLE_OK)
        return err_set(e, ERR_INTERNAL, 0, "cannot set up libcurl: %s",
                       curl_easy_strerror(rc));
    return 0;
}

static void
slot_release(struct slot *s)
{
    if (s->h)
        curl_easy_cleanup(s->h);
    curl_slist_free_all(s->rcpt);
    buf_release(&s->reply);
    buf_list_release(&s->one);
}

static const char *
stage_words(enum stage st)
{
    switch (st) {
    case STAGE_MAIL:
        return "after MAIL FROM";
    case STAGE_RCPT:
        return "after RCPT TO";
    case STAGE_DATA:
        return "after DATA";
    case STAGE_BODY:
        return "during DATA";
    default:
        return "while connecting";
    }
}

static void
result_text(struct smtp_result *r, const char *text)
{
    if (snprintf(r->reply, sizeof(r->reply), "%s", text) < 0)
        r->reply[0] = '\0';
}

/* A transfer that failed inside the mail transaction. */
static void
classify_transaction(struct slot *s, CURLcode res, struct smtp_result *r)
{
    const struct smtp_options *o = s->pool->o;
    char msg[sizeof(r->reply)];
    int n;

    if (s->replied && s->code >= 400) {
        r->outcome = s->code >= 500 ? SMTP_PERMFAIL : SMTP_TEMPFAIL;
        r->code = s->code;
        result_text(r, s->reply.data);
        return;
    }
    r->outcome = SMTP_TEMPFAIL;
    r->code = 0;
    if (res == CURLE_OPERATION_TIMEDOUT)
        n = snprintf(msg, sizeof(msg), "no reply within %ld s %s",
                     o->response_timeout_s > 0 ? o->response_timeout_s : 60,
                     stage_words(s->stage));
    else
        n = snprintf(msg, sizeof(msg), "connection lost %s (%s)",
                     stage_words(s->stage),
                     s->errbuf[0] ? s->errbuf : curl_easy_strerror(res));
    result_text(r, n < 0 ? "connection lost" : msg);
}

static bool
tls_failure(CURLcode res)
{
    switch (res) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return true;
    default:
        return false;
    }
}

/*
 * A transfer that failed before MAIL FROM: the connection cannot be used.
 * Fill e; return true when the whole run must stop (a failure that the
 * next connection would meet too and that waiting will not cure).
 */
static bool
connection_error(struct slot *s, CURLcode res, struct err *e)
{
    const char *url = s->pool->o->url;
    const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(res);
    int code = s->replied ? s->code : 0;
    long oserr = 0;

    if (res == CURLE_LOGIN_DENIED) {
        err_set(e, code >= 400 && code < 500 ? ERR_TEMP : ERR_CONFIG, code,
                "%s refused authentication as '%s': %d %s", url,
                s->pool->o->user, code, s->reply.data);
        return e->code == ERR_CONFIG;
    }
    if (res == CURLE_USE_SSL_FAILED) {
        if (code >= 400)
            err_set(e, ERR_UNAVAILABLE, code,
                    "%s refused STARTTLS: %d %s; nothing was sent", url, code,
                    s->reply.data);
        else
            err_set(e, ERR_UNAVAILABLE, 0,
                    "%s does not offer STARTTLS and TLS is required; nothing "
                    "was sent",
                    url);
        return true;
    }
    if (res == CURLE_SSL_CACERT_BADFILE) {
        err_set(e, ERR_CONFIG, 0, "cannot use ca_file '%s': %s",
                s->pool->o->ca_file ? s->pool->o->ca_file : "(system)", why);
        return true;
    }
    if (tls_failure(res)) {
        err_set(e, ERR_UNAVAILABLE, 0, "TLS with %s failed: %s", url, why);
        return true;
    }
    if (code >= 400) {
        err_set(e, code < 500 ? ERR_TEMP : ERR_UNAVAILABLE, code,
                "%s answered %d %s", url, code, s->reply.data);
        return false;
    }
    if (res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST) {
        curl_easy_getinfo(s->h, CURLINFO_OS_ERRNO, &oserr);
        err_set(e, ERR_UNAVAILABLE, 0, "cannot connect to %s: %s", url,
                oserr ? strerror((int)oserr) : why);
        return false;
    }
    if (res == CURLE_OPERATION_TIMEDOUT && s->stage == STAGE_NONE) {
        curl_off_t connect_us = 0;

        curl_easy_getinfo(s->h, CURLINFO_CONNECT_TIME_T, &connect_us);
        if (connect_us == 0)
            err_set(e, ERR_UNAVAILABLE, 0, "cannot connect to %s: %s", url,
                    why);
        else
            err_set(e, ERR_TEMP, 0, "no greeting from %s: %s", url, why);
        return false;
    }
    err_set(e, ERR_UNAVAILABLE, code, "cannot talk to %s: %s", url, why);
    return false;
}

/*
 * libcurl 7.88 keeps a connection for reuse when the transfer failed in
 * its done step: a timeout waiting for the reply after the body, or a
 * 4xx/5xx there.  After a timeout the late reply would be read as the
 * answer to the next MAIL FROM, so we shut the socket down; libcurl then
 * finds the connection dead and opens a new one.  Every failed transfer
 * thus ends its connection, as libcurl does for failures elsewhere.
 */
static void
drop_kept_connection(struct slot *s)
{
    curl_socket_t fd = CURL_SOCKET_BAD;

    if (curl_easy_getinfo(s->h, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
        fd != CURL_SOCKET_BAD)
        shutdown(fd, SHUT_RDWR);
}

static void
pool_fail(struct pool *pl, const struct err *e)
{
    if (!pl->failed)
        pl->first = *e;
    pl->failed = true;
}

static void
finish(struct pool *pl, struct slot *s, CURLcode res)
{
    struct smtp_result r = {SMTP_SENT, 0, ""};
    struct err e = ERR_INIT;

    if (res == CURLE_OK) {
        r.code = s->code ? s->code : 250;
        result_text(&r, s->reply.data);
    } else if (s->stage >= STAGE_MAIL) {
        classify_transaction(s, res, &r);
        drop_kept_connection(s);
    } else {
        bool stop = connection_error(s, res, &e);

        r.outcome = SMTP_TEMPFAIL;
        r.code = e.detail;
        result_text(&r, e.msg);
        s->retired = true;
        pl->live--;
        if (stop || pl->live == 0) {
            pool_fail(pl, &e);
            pl->stop = true;
        }
    }
    curl_multi_remove_handle(pl->m, s->h);
    s->busy = false;
    pl->busy--;
    pl->dry = false;
    pl->done(pl->ctx, &s->job, &r);
}

static int
start(struct pool *pl, struct slot *s, const struct smtp_job *job,
      struct err *e)
{
    curl_slist_free_all(s->rcpt);
    s->rcpt = curl_slist_append(NULL, job->rcpt);
    if (!s->rcpt)
        return err_set(e, ERR_INTERNAL, 0, "out of memory in libcurl");
    s->job = *job;
    s->msg = job->pieces;
    if (!s->msg) {
        buf_list_reset(&s->one);
        buf_list_add(&s->one, job->data, job->len);
        s->msg = &s->one;
    }
    s->pos = (struct buf_list_pos)BUF_LIST_POS_INIT;
    s->stage = STAGE_NONE;
    s->replied = s->continued = s->in_auth = s->quitting = false;
    s->code = 0;
    s->errbuf[0] = '\0';
    buf_reset(&s->reply);
    curl_easy_setopt(s->h, CURLOPT_MAIL_RCPT, s->rcpt);
    curl_easy_setopt(s->h, CURLOPT_MAIL_FROM,
                     job->from ? job->from : pl->o->envelope_from);
    curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE,
                     (curl_off_t)s->msg->len);
    if (curl_multi_add_handle(pl->m, s->h) != CURLM_OK)
        return err_set(e, ERR_INTERNAL, 0, "cannot start a libcurl transfer");
    s->busy = true;
    pl->busy++;
    return 0;
}

/*
 * Give idle connections a job each.  Returns the milliseconds to wait for
 * the rate limit, or -1 when it is not what holds us back.
 */
static long
fill(struct pool *pl)
{
    struct smtp_job job;
    struct err e = ERR_INIT;
    int i, rc;

    for (i = 0; i < pl->n && !pl->stop && !pl->dry; i++) {
        struct slot *s = &pl->slots[i];
        double now = 0;

        if (s->busy || s->retired)
            continue;
        if (pl->interval > 0) {
            now = monotonic_s();
            if (now < pl->next_start)
                return (long)((pl->next_start - now) * 1000) + 1;
        }
        memset(&job, 0, sizeof(job));
        rc = pl->next(pl->ctx, &job);
        if (rc < 0)
            pl->stop = true;
        else if (rc == 0)
            pl->dry = true;
        if (rc <= 0)
            break;
        if (pl->interval > 0)
            pl->next_start =
                (pl->next_start > now ? pl->next_start : now) + pl->interval;
        if (start(pl, s, &job, &e) < 0) {
            struct smtp_result r = {SMTP_TEMPFAIL, 0, ""};

            result_text(&r, e.msg);
            pl->done(pl->ctx, &job, &r);
            pool_fail(pl, &e);
            pl->stop = true;
        }
    }
    return -1;
}

static int
reap(struct pool *pl)
{
    CURLMsg *msg;
    int left, n = 0;

    while ((msg = curl_multi_info_read(pl->m, &left)) != NULL) {
        char *priv = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        finish(pl, (struct slot *)(void *)priv, msg->data.result);
        n++;
    }
    return n;
}

static int
pool_loop(struct pool *pl)
{
    int running = 0;

    for (;;) {
        long wait = fill(pl);
        CURLMcode mc;

        if (pl->busy == 0 && (pl->stop || pl->dry || pl->live == 0))
            return 0;
        mc = curl_multi_perform(pl->m, &running);
        if (mc == CURLM_OK && reap(pl) > 0)
            continue;
        if (mc == CURLM_OK) {
            /* wake for sockets, the rate limit, or at least once a second */
            int ms = wait >= 0 && wait < 1000 ? (int)wait : 1000;

            mc = curl_multi_poll(pl->m, NULL, 0, ms, NULL);
        }
        if (mc != CURLM_OK) {
            struct err e = ERR_INIT;

            err_set(&e, ERR_INTERNAL, 0, "libcurl: %s",
                    curl_multi_strerror(mc));
            pool_fail(pl, &e);
            return -1;
        }
    }
}

/*
 * libcurl allocates the upload buffer and twice its size for dot-stuffing
 * on every transfer and frees them after it: 192 KiB a message at 64 KiB.
 * Under glibc's default thresholds a block that size is mmap()ed, or the
 * heap top it leaves is given back with brk(), so each message cost a pair
 * of system calls, page faults and a TLB flush (a third of the time in the
 * smtp-sink benchmark; at 16 KiB, which stayed under the thresholds, twice
 * the system calls).  Fixed thresholds keep such blocks on the heap and
 * reused: `send` to 20,000 subscribers took 5.5 s of CPU instead of 6.6.
 * Process-wide, and harmless: at most 4 MiB of freed memory stays with the
 * process.
 */
static void
keep_transfer_buffers(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
#endif
}

int
smtp_run(const struct smtp_options *o, int connections,
         double max_per_second, smtp_next_fn next, smtp_done_fn done,
         void *ctx, struct err *e)
{
    struct pool pl;
    int i, rc = 0;

    if (check_options(o, connections, max_per_second, e) < 0)
        return -1;
    keep_transfer_buffers();
    memset(&pl, 0, sizeof(pl));
    pl.o = o;
    pl.next = next;
    pl.done = done;
    pl.ctx = ctx;
    pl.interval = max_per_second > 0 ? 1.0 / max_per_second : 0;
    pl.url = make_url(o);
    pl.slots = xcalloc((size_t)connections, sizeof(*pl.slots));
    pl.m = curl_multi_init();
    if (!pl.m) {
        rc = err_set(e, ERR_INTERNAL, 0, "cannot make a libcurl multi handle");
        goto out;
    }
    curl_multi_setopt(pl.m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)connections);
    curl_multi_setopt(pl.m, CURLMOPT_MAXCONNECTS, (long)connections);
    for (i = 0; i < connections; i++) {
        pl.n++;
        if (slot_init(&pl, &pl.slots[i], i, e) < 0) {
            rc = -1;
            goto out;
        }
    }
    pl.live = pl.n;
    pool_loop(&pl);
    if (pl.failed) {
        if (e)
            *e = pl.first;
        rc = -1;
    }
out:
    for (i = 0; i < pl.n; i++) {
        if (pl.slots[i].busy)
            curl_multi_remove_handle(pl.m, pl.slots[i].h);
        slot_release(&pl.slots[i]);
    }
    if (pl.m)
        curl_multi_cleanup(pl.m);
    free(pl.slots);
    free(pl.url);
    return rc;
}

/* fetch: parallel HTTP GETs with libcurl's multi interface. */
#include "arctic_digest/fetch.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "arctic_digest/datetime.h"
#include "arctic_digest/util.h"

/* One transfer in flight: the easy handle and what its callbacks gather. */
struct xfer {
    CURL *curl;
    struct curl_slist *headers;
    const struct fetch_request *rq;
    struct fetch_result *res;
    size_t max_size;
    bool too_big;
    char *reason;      /* reason phrase of the last status line */
    char *retry_after; /* raw Retry-After of the last response */
    char *date;        /* raw Date of the last response */
    char errbuf[CURL_ERROR_SIZE];
};

void
fetch_result_init(struct fetch_result *r)
{
    memset(r, 0, sizeof(*r));
    r->status = FETCH_FAILED;
    buf_init(&r->body);
}

void
fetch_result_release(struct fetch_result *r)
{
    buf_release(&r->body);
    free(r->content_type);
    free(r->etag);
    free(r->last_modified);
    free(r->effective_url);
    fetch_result_init(r);
}

void
fetch_format_size(size_t n, struct buf *out)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        buf_appendf(out, "%zu MiB", n >> 20);
    else if (n >= 1024 && n % 1024 == 0)
        buf_appendf(out, "%zu KiB", n >> 10);
    else
        buf_appendf(out, "%zu bytes", n);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t n = size * nmemb;

    if (n > x->max_size - x->res->body.len) {
        x->too_big = true;
        return 0; /* libcurl aborts with CURLE_WRITE_ERROR */
    }
    buf_append(&x->res->body, p, n);
    return n;
}

/* A header value without surrounding white space; NULL if empty. */
static char *
header_value(const char *p, size_t n)
{
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    return n > 0 ? xstrndup(p, n) : NULL;
}

/* A new status line: the headers gathered so far were of an earlier
 * response (a redirect, a 100 Continue), so forget them. */
static void
on_status_line(struct xfer *x, const char *p, size_t n)
{
    const char *sp = memchr(p, ' ', n);
    struct fetch_result *r = x->res;

    xstrset(&r->content_type, NULL);
    xstrset(&r->etag, NULL);
    xstrset(&r->last_modified, NULL);
    xstrset(&x->retry_after, NULL);
    xstrset(&x->date, NULL);
    xstrset(&x->reason, NULL);
    if (sp != NULL) {
        const char *reason = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - p));

        if (reason != NULL)
            x->reason = header_value(reason + 1, n - (size_t)(reason + 1 - p));
    }
}

static bool
name_is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

/* Where a response header we keep goes; NULL for the others. */
static char **
header_slot(struct xfer *x, const char *p, size_t n)
{
    if (name_is(p, n, "content-type"))
        return &x->res->content_type;
    if (name_is(p, n, "etag"))
        return &x->res->etag;
    if (name_is(p, n, "last-modified"))
        return &x->res->last_modified;
    if (name_is(p, n, "retry-after"))
        return &x->retry_after;
    if (name_is(p, n, "date"))
        return &x->date;
    return NULL;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct xfer *x = userdata;
    size_t n = size * nmemb;
    const char *colon;
    char **slot;

    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        on_status_line(x, p, n);
        return n;
    }
    colon = memchr(p, ':', n);
    if (colon == NULL)
        return n;
    slot = header_slot(x, p, (size_t)(colon - p));
    if (slot != NULL) {
        free(*slot);
        *slot = header_value(colon + 1, n - (size_t)(colon + 1 - p));
    }
    return n;
}

static bool
header_safe(const char *s)
{
    return s != NULL && *s != '\0' && strpbrk(s, "\r\n") == NULL;
}

static int
add_conditional(struct xfer *x, const struct fetch_request *rq)
{
    struct buf h = BUF_INIT;
    struct curl_slist *l;

    if (header_safe(rq->etag)) {
        buf_appendf(&h, "If-None-Match: %s", rq->etag);
        l = curl_slist_append(x->headers, h.data);
        if (l == NULL)
            goto fail;
        x->headers = l;
    }
    if (header_safe(rq->last_modified)) {
        buf_reset(&h);
        buf_appendf(&h, "If-Modified-Since: %s", rq->last_modified);
        l = curl_slist_append(x->headers, h.data);
        if (l == NULL)
            goto fail;
        x->headers = l;
    }
    buf_release(&h);
    return 0;
fail:
    buf_release(&h);
    return -1;
}

static int
setup_easy(struct xfer *x, const struct fetch_options *o,
           const struct fetch_request *rq)
{
    CURL *c = curl_easy_init();
    curl_off_t cap = (curl_off_t)o->max_size;
    CURLcode rc = CURLE_OK;

    if (c == NULL)
        return -1;
    x->curl = c;
    x->max_size = o->max_size;
    if (add_conditional(x, rq) != 0)
        return -1;
#define SET(opt, val)                                                          \
    do {                                                                       \
        if (rc == CURLE_OK)                                                    \
            rc = curl_easy_setopt(c, opt, val);                                \
    } while (0)
    SET(CURLOPT_URL, rq->url);
    SET(CURLOPT_PRIVATE, (void *)x);
    SET(CURLOPT_ERRORBUFFER, x->errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, o->max_redirects);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    SET(CURLOPT_TIMEOUT, o->total_timeout_s);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, o->stall_seconds);
    SET(CURLOPT_MAXFILESIZE_LARGE, cap);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, (void *)x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, (void *)x);
    if (x->headers != NULL)
        SET(CURLOPT_HTTPHEADER, x->headers);
    if (o->user_agent != NULL)
        SET(CURLOPT_USERAGENT, o->user_agent);
#undef SET
    return rc == CURLE_OK ? 0 : -1;
}

/* Seconds to wait from a Retry-After value: delta-seconds, or an
 * HTTP-date measured from the response's Date (no Date: 0). */
static long
retry_after_seconds(const char *value, const char *date)
{
    struct dt when, now;
    char *end;
    long s;

    if (value == NULL)
        return 0;
    if (isdigit((unsigned char)value[0])) {
        errno = 0;
        s = strtol(value, &end, 10);
        if (errno != 0 || *end != '\0')
            return 0;
        return s;
    }
    if (date == NULL || dt_parse_rfc822(value, strlen(value), &when) != 0
        || dt_parse_rfc822(date, strlen(date), &now) != 0)
        return 0;
    return when.t > now.t ? (long)(when.t - now.t) : 0;
}

/* The host part of a URL, for messages. */
static void
url_host(const char *url, struct buf *out)
{
    const char *p = strstr(url, "://"), *end;

    p = p != NULL ? p + 3 : url;
    end = p + strcspn(p, "/?#");
    if (memchr(p, '@', (size_t)(end - p)) != NULL)
        p = (const char *)memchr(p, '@', (size_t)(end - p)) + 1;
    buf_append(out, p, (size_t)(end - p));
}

static void
set_msg(struct fetch_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_msg(struct fetch_result *r, const char *fmt, ...)
{
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
    va_end(ap);
    if (len < 0)
        r->msg[0] = '\0';
}

/*
 * Timeouts come in three kinds; say which one struck.  The connect time
 * cannot tell (it is 0 on a reused connection), but the peer's address
 * is only known once connected, and libcurl names a stall "too slow".
 */
static void
timeout_msg(struct xfer *x, const struct fetch_options *o, const char *host)
{
    struct fetch_result *r = x->res;
    char *ip = NULL;

    curl_easy_getinfo(x->curl, CURLINFO_PRIMARY_IP, &ip);
    if (!ip || !*ip)
        set_msg(r, "cannot connect to %s: timed out after %ld s", host,
                o->connect_timeout_s);
    else if (strstr(x->errbuf, "too slow"))
        set_msg(r, "stalled: no data from %s for %ld s", host,
                o->stall_seconds);
    else
        set_msg(r, "timed out after %ld s", o->total_timeout_s);
}

static void
curl_error_msg(struct xfer *x, const struct fetch_options *o, CURLcode cc)
{
    struct fetch_result *r = x->res;
    struct buf host = BUF_INIT, size = BUF_INIT;
    const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc);
    long oserr = 0;

    url_host(r->effective_url ? r->effective_url : "", &host);
    curl_easy_getinfo(x->curl, CURLINFO_OS_ERRNO, &oserr);
    fetch_format_size(o->max_size, &size);
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        set_msg(r, "cannot resolve host %s", host.data);
        break;
    case CURLE_COULDNT_CONNECT:
        set_msg(r, "cannot connect to %s: %s", host.data,
                oserr ? strerror((int)oserr) : detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        timeout_msg(x, o, host.data);
        break;
    case CURLE_TOO_MANY_REDIRECTS:
        set_msg(r, "too many redirects (more than %ld)", o->max_redirects);
        break;
    case CURLE_FILESIZE_EXCEEDED:
        set_msg(r, "response larger than %s", size.data);
        break;
    case CURLE_WRITE_ERROR:
        if (x->too_big)
            set_msg(r, "response larger than %s", size.data);
        else
            set_msg(r, "cannot store the response: %s", detail);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        set_msg(r, "unsupported protocol in '%s' (only http and https)",
                r->effective_url ? r->effective_url : "");
        break;
    case CURLE_URL_MALFORMAT:
        set_msg(r, "malformed URL: %s", detail);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        set_msg(r, "TLS certificate of %s not trusted: %s", host.data, detail);
        break;
    case CURLE_SSL_CONNECT_ERROR:
        set_msg(r, "TLS handshake with %s failed: %s", host.data, detail);
        break;
    case CURLE_BAD_CONTENT_ENCODING:
        set_msg(r, "cannot decode the compressed response: %s", detail);
        break;
    case CURLE_GOT_NOTHING:
        set_msg(r, "empty reply from %s", host.data);
        break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        set_msg(r, "connection to %s broken: %s", host.data, detail);
        break;
    default:
        set_msg(r, "%s", detail);
        break;
    }
    buf_release(&host);
    buf_release(&size);
}

/* Fill the result of a finished transfer. */
static void
finish(struct xfer *x, const struct fetch_options *o,
       const struct fetch_request *rq, CURLcode cc)
{
    struct fetch_result *r = x->res;
    char *url = NULL;

    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &r->http_code);
    curl_easy_getinfo(x->curl, CURLINFO_TOTAL_TIME, &r->seconds);
    curl_easy_getinfo(x->curl, CURLINFO_EFFECTIVE_URL, &url);
    xstrset(&r->effective_url, url != NULL ? url : rq->url);
    r->status = FETCH_FAILED;
    if (cc != CURLE_OK) {
        curl_error_msg(x, o, cc);
    } else if (r->http_code == 304) {
        r->status = FETCH_NOT_MODIFIED;
        if (r->etag == NULL && r->last_modified == NULL) {
            xstrset(&r->etag, rq->etag);
            xstrset(&r->last_modified, rq->last_modified);
        }
        set_msg(r, "not modified");
    } else if (r->http_code >= 200 && r->http_code < 300) {
        r->status = FETCH_OK;
        r->msg[0] = '\0';
    } else {
        if (x->reason != NULL)
            set_msg(r, "HTTP %ld %s", r->http_code, x->reason);
        else
            set_msg(r, "HTTP %ld", r->http_code);
        if (r->http_code == 429 || r->http_code == 503)
            r->retry_after_s = retry_after_seconds(x->retry_after, x->date);
    }
}

static void
xfer_release(struct xfer *x, CURLM *m)
{
    if (x->curl != NULL) {
        curl_multi_remove_handle(m, x->curl);
        curl_easy_cleanup(x->curl);
    }
    curl_slist_free_all(x->headers);
    free(x->reason);
    free(x->retry_after);
    free(x->date);
}

/* Run the multi handle until every transfer has finished. */
static int
run_multi(CURLM *m, const struct fetch_options *o, struct err *e)
{
    int running = 1, left;
    CURLMcode mc;
    CURLMsg *msg;

    while (running > 0) {
        mc = curl_multi_perform(m, &running);
        if (mc == CURLM_OK && running > 0)
            mc = curl_multi_poll(m, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK)
            return err_set(e, ERR_INTERNAL, 0, "libcurl: %s",
                           curl_multi_strerror(mc));
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            char *priv = NULL;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            finish((struct xfer *)(void *)priv, o,
                   ((struct xfer *)(void *)priv)->rq, msg->data.result);
        }
    }
    return 0;
}

static int
setup_multi(CURLM *m, const struct fetch_options *o, struct err *e)
{
    if (curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, o->max_total)
            != CURLM_OK
        || curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
                             o->max_per_host) != CURLM_OK)
        return err_set(e, ERR_INTERNAL, 0, "cannot set libcurl's limits");
    return 0;
}

int
fetch_all(const struct fetch_options *o, const struct fetch_request *reqs,
          size_t n, struct fetch_result *out, struct err *e)
{
    static const struct fetch_options defaults = FETCH_OPTIONS_INIT;
    struct xfer *x = xcalloc(n ? n : 1, sizeof(*x));
    CURLM *m = NULL;
    size_t i;
    int rc = -1;

    if (o == NULL)
        o = &defaults;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        free(x);
        return err_set(e, ERR_INTERNAL, 0, "cannot initialise libcurl");
    }
    m = curl_multi_init();
    if (m == NULL) {
        err_set(e, ERR_INTERNAL, 0, "cannot initialise libcurl");
        goto out;
    }
    if (setup_multi(m, o, e) != 0)
        goto out;
    for (i = 0; i < n; i++) {
        x[i].rq = &reqs[i];
        x[i].res = &out[i];
        fetch_result_release(&out[i]);
        if (setup_easy(&x[i], o, &reqs[i]) != 0
            || curl_multi_add_handle(m, x[i].curl) != CURLM_OK) {
            err_set(e, ERR_INTERNAL, 0, "cannot set up a transfer of '%s'",
                    reqs[i].url);
            goto out;
        }
    }
    rc = run_multi(m, o, e);
out:
    for (i = 0; i < n; i++)
        xfer_release(&x[i], m);
    free(x);
    curl_multi_cleanup(m);
    curl_global_cleanup();
    return rc;
}

const char *
fetch_lib_version(void)
{
    static char v[160];
    const curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);

    if (snprintf(v, sizeof(v), "libcurl %s (%s)", d->version,
                 d->ssl_version ? d->ssl_version : "no TLS") >=
        (int)sizeof(v))
        v[sizeof(v) - 1] = '\0';
    return v;
}

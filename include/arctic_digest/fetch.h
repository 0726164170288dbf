/*
 * fetch: parallel HTTP GETs with libcurl's multi interface.
 *
 * The only module where a CURL * lives for HTTP.  Implements what a polite
 * feed reader needs of HTTP/1.1 (RFC 9110, RFC 9111): conditional GET with
 * If-None-Match / If-Modified-Since (a 304 is FETCH_NOT_MODIFIED), content
 * coding (every encoding libcurl supports is offered and decoded), at most
 * max_redirects redirects, Retry-After (seconds or an HTTP-date, taken
 * relative to the response's own Date header so no clock is read).
 *
 * Invariants: only http and https, also after a redirect; TLS verification
 * stays on; the size cap applies to the decoded body and is enforced while
 * receiving, so a huge or endless response costs at most max_size bytes;
 * nothing is printed.  Per-request failures are results, not errors.
 */
#ifndef ARCTIC_DIGEST_FETCH_H
#define ARCTIC_DIGEST_FETCH_H

#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

struct fetch_options {
    const char *user_agent; /* "arctic-digest/0.1.0 (mailto:...)"; NULL: none */
    long max_total;         /* connections in all (8) */
    long max_per_host;      /* connections per host (2) */
    long connect_timeout_s; /* 15 */
    long total_timeout_s;   /* whole transfer, redirects included (60) */
    long stall_seconds;     /* abort after this long below 1 byte/s (30) */
    long max_redirects;     /* 5 */
    size_t max_size;        /* decoded body cap in bytes (10 MiB) */
};

/* The defaults above; user_agent NULL. */
#define FETCH_OPTIONS_INIT {NULL, 8, 2, 15, 60, 30, 5, (size_t)10 << 20}

/* One GET.  etag and last_modified are the validators kept from the last
 * response (may be NULL); values holding CR or LF are not sent. */
struct fetch_request {
    const char *url;
    const char *etag;
    const char *last_modified;
};

enum fetch_status {
    FETCH_OK = 0,       /* a 2xx response; body holds it */
    FETCH_NOT_MODIFIED, /* 304 to a conditional request */
    FETCH_FAILED        /* see msg */
};

struct fetch_result {
    enum fetch_status status;
    long http_code;      /* of the last response; 0 if none came */
    struct buf body;     /* decoded body (also kept for HTTP >= 400) */
    char *content_type;  /* of the last response, as sent; NULL if none */
    char *etag;          /* validators of the last response; on a 304 that */
    char *last_modified; /* repeats none, the request's are copied here */
    char *effective_url; /* after redirects */
    double seconds;      /* total transfer time */
    long retry_after_s;  /* from a 429 or 503 Retry-After; 0 if none */
    /* One line: "HTTP 503 Service Unavailable", "timed out after 60 s",
     * "response larger than 10 MiB", "too many redirects (more than 5)",
     * "cannot connect to example.org: Connection refused", "not modified";
     * "" for FETCH_OK. */
    char msg[256];
};

void fetch_result_init(struct fetch_result *r);
/* Free everything; r is back to its fetch_result_init() state. */
void fetch_result_release(struct fetch_result *r);

/*
 * GET the n requests in parallel, within o's connection limits (o NULL:
 * the defaults).  out holds n results, initialised by the caller (and
 * released by the caller, also on failure); out[i] answers reqs[i].
 * Each out[i] is released first, so results can be reused.
 * A request that fails (DNS, connect, TLS, timeout, HTTP >= 400, cap,
 * redirects, a URL that is not http(s)) is a FETCH_FAILED result, not an
 * error.  Returns 0, or -1 with ERR_INTERNAL only when libcurl cannot be
 * set up at all (the results are then unspecified).
 */
int fetch_all(const struct fetch_options *o, const struct fetch_request *reqs,
              size_t n, struct fetch_result *out, struct err *e);

/* "10 MiB", "512 KiB", "1500 bytes": how messages write max_size. */
void fetch_format_size(size_t n, struct buf *out);

/* "libcurl X.Y.Z": the version of libcurl (and its TLS library) this program runs with, for
 * 'arctic-digest --version'.  Static storage; never fails. */
const char *fetch_lib_version(void);

#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arctic_digest/fetch.h"
#include "arctic_digest/util.h"
#include "local_http.h"
#include "oracle.h"

static char *
url(const char *path)
{
    struct buf b = BUF_INIT;

    buf_appendf(&b, "http://127.0.0.1:%d%s", srv.port, path);
    return buf_detach(&b, NULL);
}

/* GET one path; fails the test on a setup error. */
static void
get(const struct fetch_options *o, const char *path, struct fetch_result *r)
{
    char *u = url(path);
    struct fetch_request rq = {u, NULL, NULL};
    struct err e = ERR_INIT;

    if (fetch_all(o, &rq, 1, r, &e) != 0)
        fail_msg("fetch_all: %s", e.msg);
    free(u);
}

/* The server's counters (caller decrefs). */
static json_t *
stats(const char *which)
{
    struct fetch_result r;
    json_t *j;

    fetch_result_init(&r);
    get(NULL, which, &r);
    assert_int_equal(r.status, FETCH_OK);
    j = json_loadb(r.body.data, r.body.len, 0, NULL);
    assert_non_null(j);
    fetch_result_release(&r);
    return j;
}

static long
stat_int(json_t *s, const char *key, const char *path)
{
    json_t *v = json_object_get(json_object_get(s, key), path);

    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static const char *
last_header(json_t *s, const char *path, const char *name)
{
    json_t *h = json_object_get(json_object_get(s, "last_headers"), path);

    return json_string_value(json_object_get(h, name));
}

enum route {
    R_FEED, R_FEED_ETAG, R_FEED_LASTMOD, R_GZIP, R_REDIRECT, R_LOOP, R_500,
    R_SLOW, R_HUGE, R_HTML, R_429, R_503, R_CROSSREF, R_404, R_REFUSED,
    R_FTP, R_BADVAL, R_COUNT
};

static void
check_routes(struct fetch_result *r)
{
    assert_int_equal(r[R_FEED].status, FETCH_OK);
    assert_int_equal(r[R_FEED].http_code, 200);
    assert_string_equal(r[R_FEED].msg, "");
    assert_string_equal(r[R_FEED].etag, "\"feed-v1\"");
    assert_string_equal(r[R_FEED].last_modified,
                        "Tue, 22 Jul 2025 09:30:00 GMT");
    assert_string_equal(r[R_FEED].content_type,
                        "application/rss+xml; charset=utf-8");
    assert_non_null(strstr(r[R_FEED].body.data, "Northern Sea Route"));

    assert_int_equal(r[R_FEED_ETAG].status, FETCH_NOT_MODIFIED);
    assert_int_equal(r[R_FEED_ETAG].http_code, 304);
    assert_string_equal(r[R_FEED_ETAG].msg, "not modified");
    assert_string_equal(r[R_FEED_ETAG].etag, "\"feed-v1\"");
    assert_int_equal(r[R_FEED_ETAG].body.len, 0);
    assert_int_equal(r[R_FEED_LASTMOD].status, FETCH_NOT_MODIFIED);

    assert_int_equal(r[R_GZIP].status, FETCH_OK);
    assert_memory_equal(r[R_GZIP].body.data, "<?xml", 5);
    assert_int_equal(r[R_GZIP].body.len, r[R_FEED].body.len);

    assert_int_equal(r[R_REDIRECT].status, FETCH_OK);
    assert_non_null(strstr(r[R_REDIRECT].effective_url, "/feed.xml"));
    assert_string_equal(r[R_REDIRECT].etag, "\"feed-v1\"");
    assert_string_equal(r[R_REDIRECT].content_type,
                        "application/rss+xml; charset=utf-8");

    assert_int_equal(r[R_LOOP].status, FETCH_FAILED);
    assert_string_equal(r[R_LOOP].msg, "too many redirects (more than 5)");
    assert_int_equal(r[R_500].status, FETCH_FAILED);
    assert_int_equal(r[R_500].http_code, 500);
    assert_string_equal(r[R_500].msg, "HTTP 500 Internal Server Error");
    assert_int_equal(r[R_SLOW].status, FETCH_FAILED);
    assert_string_equal(r[R_SLOW].msg, "timed out after 2 s");
    assert_int_equal(r[R_HUGE].status, FETCH_FAILED);
    assert_string_equal(r[R_HUGE].msg, "response larger than 1 MiB");
    assert_true(r[R_HUGE].body.len <= (1u << 20));

    assert_int_equal(r[R_HTML].status, FETCH_OK);
    assert_string_equal(r[R_HTML].content_type, "text/html; charset=utf-8");
    assert_int_equal(r[R_429].status, FETCH_FAILED);
    assert_string_equal(r[R_429].msg, "HTTP 429 Too Many Requests");
    assert_int_equal(r[R_429].retry_after_s, 1);
    assert_string_equal(r[R_503].msg, "HTTP 503 Service Unavailable");
    assert_int_equal(r[R_503].retry_after_s, 120);
    assert_int_equal(r[R_CROSSREF].status, FETCH_OK);
    assert_non_null(strstr(r[R_CROSSREF].body.data, "\"next-cursor\""));
    assert_string_equal(r[R_404].msg, "HTTP 404 Not Found");

    assert_int_equal(r[R_REFUSED].status, FETCH_FAILED);
    assert_string_equal(r[R_REFUSED].msg,
                        "cannot connect to 127.0.0.1:1: Connection refused");
    assert_int_equal(r[R_FTP].status, FETCH_FAILED);
    assert_non_null(strstr(r[R_FTP].msg, "only http and https"));
    assert_int_equal(r[R_BADVAL].status, FETCH_OK);
}

static void
test_fetch_serves_every_route_in_one_parallel_call(void **state)
{
    static const char *paths[R_COUNT] = {
        "/feed.xml", "/feed.xml", "/feed.xml", "/gzip", "/redirect", "/loop",
        "/500", "/slow", "/huge", "/html", "/429", "/503",
        "/crossref/works?cursor=*", "/nothing-here", NULL, NULL, "/html?bad",
    };
    struct fetch_options o = FETCH_OPTIONS_INIT;
    struct fetch_request rq[R_COUNT];
    struct fetch_result r[R_COUNT];
    char *urls[R_COUNT];
    struct err e = ERR_INIT;
    json_t *s;
    size_t i;

    (void)state;
    SKIP_WITHOUT_SERVER();
    json_decref(stats("/_reset"));
    o.user_agent = "arctic-digest/test (mailto:editor@example.org)";
    o.max_per_host = 20;
    o.max_total = 20;
    o.total_timeout_s = 2;
    o.max_size = 1u << 20;
    for (i = 0; i < R_COUNT; i++) {
        urls[i] = paths[i] ? url(paths[i]) : NULL;
        rq[i] = (struct fetch_request){urls[i], NULL, NULL};
        fetch_result_init(&r[i]);
    }
    rq[R_REFUSED].url = "http://127.0.0.1:1/feed.xml";
    rq[R_FTP].url = "ftp://127.0.0.1/feed.xml";
    rq[R_FEED_ETAG].etag = "\"feed-v1\"";
    rq[R_FEED_LASTMOD].last_modified = "Tue, 22 Jul 2025 09:30:00 GMT";
    rq[R_BADVAL].etag = "\"x\"\r\nX-Injected: 1";

    assert_int_equal(fetch_all(&o, rq, R_COUNT, r, &e), 0);
    check_routes(r);

    s = stats("/_stats");
    assert_string_equal(last_header(s, "/gzip", "User-Agent"), o.user_agent);
    assert_non_null(strstr(last_header(s, "/gzip", "Accept-Encoding"), "gzip"));
    assert_null(last_header(s, "/html", "X-Injected"));
    assert_null(last_header(s, "/html", "If-None-Match"));
    assert_int_equal(stat_int(s, "requests", "/loop"), 6);
    json_decref(s);
    for (i = 0; i < R_COUNT; i++) {
        fetch_result_release(&r[i]);
        free(urls[i]);
    }
}

/* n requests to /sleep with a per-host limit; returns the most requests
 * the server saw in flight at once. */
static long
sleep_concurrency(size_t n, long per_host)
{
    struct fetch_options o = FETCH_OPTIONS_INIT;
    struct fetch_request rq[10];
    struct fetch_result r[10];
    struct err e = ERR_INIT;
    char *u = url("/sleep?ms=300");
    json_t *s;
    long max;
    size_t i;

    assert_true(n <= ARRAY_SIZE(rq));
    json_decref(stats("/_reset"));
    o.max_per_host = per_host;
    for (i = 0; i < n; i++) {
        rq[i] = (struct fetch_request){u, NULL, NULL};
        fetch_result_init(&r[i]);
    }
    assert_int_equal(fetch_all(&o, rq, n, r, &e), 0);
    for (i = 0; i < n; i++) {
        assert_int_equal(r[i].status, FETCH_OK);
        assert_string_equal(r[i].body.data, "slept\n");
        fetch_result_release(&r[i]);
    }
    free(u);
    s = stats("/_stats");
    assert_int_equal(stat_int(s, "requests", "/sleep"), (long)n);
    max = stat_int(s, "max_inflight_by_path", "/sleep");
    json_decref(s);
    return max;
}

static void
test_fetch_runs_in_parallel_within_the_per_host_limit(void **state)
{
    long max;

    (void)state;
    SKIP_WITHOUT_SERVER();
    max = sleep_concurrency(10, 2);
    assert_true(max > 1);
    assert_true(max <= 2);
    assert_int_equal(sleep_concurrency(4, 1), 1);
}

static void
test_fetch_second_request_after_429_succeeds(void **state)
{
    struct fetch_result r;

    (void)state;
    SKIP_WITHOUT_SERVER();
    fetch_result_init(&r);
    get(NULL, "/_reset", &r);
    get(NULL, "/429", &r);
    assert_int_equal(r.http_code, 429);
    assert_int_equal(r.retry_after_s, 1);
    get(NULL, "/429", &r); /* the result is reused: released by fetch_all */
    assert_int_equal(r.status, FETCH_OK);
    assert_int_equal(r.retry_after_s, 0);
    assert_string_equal(r.etag, "\"feed-v1\"");
    fetch_result_release(&r);
}

static void
test_fetch_malformed_url_is_a_failed_result(void **state)
{
    struct fetch_request rq = {"http://[::1/feed", NULL, NULL};
    struct fetch_result r;
    struct err e = ERR_INIT;

    (void)state;
    fetch_result_init(&r);
    assert_int_equal(fetch_all(NULL, &rq, 1, &r, &e), 0);
    assert_int_equal(r.status, FETCH_FAILED);
    assert_non_null(strstr(r.msg, "malformed URL"));
    fetch_result_release(&r);
    assert_int_equal(fetch_all(NULL, NULL, 0, NULL, &e), 0);
}

static void
test_fetch_formats_sizes_in_binary_units(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    fetch_format_size((size_t)10 << 20, &b);
    assert_string_equal(b.data, "10 MiB");
    buf_reset(&b);
    fetch_format_size(512 * 1024, &b);
    assert_string_equal(b.data, "512 KiB");
    buf_reset(&b);
    fetch_format_size(1500, &b);
    assert_string_equal(b.data, "1500 bytes");
    buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_serves_every_route_in_one_parallel_call),
        cmocka_unit_test(test_fetch_runs_in_parallel_within_the_per_host_limit),
        cmocka_unit_test(test_fetch_second_request_after_429_succeeds),
        cmocka_unit_test(test_fetch_malformed_url_is_a_failed_result),
        cmocka_unit_test(test_fetch_formats_sizes_in_binary_units),
    };

    return oracle_exit(cmocka_run_group_tests_name("fetch", tests,
                                                   start_server, stop_server));
}

/*
 * collect: every source's outcome as data, against a state in memory and
 * the bundled example feeds (local files, so no network).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arctic_digest/collect.h"
#include "arctic_digest/util.h"

static void
add_source(struct config *c, const char *name, const char *path)
{
    struct config_source *s;

    xgrow(&c->sources, &c->sources_alloc, c->nsources + 1,
          sizeof(*c->sources));
    s = &c->sources[c->nsources++];
    memset(s, 0, sizeof(*s));
    s->name = xstrdup(name);
    s->url = xstrdup(path);
    s->filter = true;
    s->weight = 1;
}

static void
test_collect_outcomes_per_source(void **state)
{
    const char *fx = getenv("AD_FIXTURES");
    struct config cfg;
    struct context ctx;
    struct collect_report r = COLLECT_REPORT_INIT;
    struct err e = ERR_INIT;
    char path[4096];
    int64_t n = 0;

    (void)state;
    config_defaults(&cfg, NULL);
    snprintf(path, sizeof(path), "%s/../../examples/feeds/polar-journal.rdf",
             fx ? fx : "tests/fixtures");
    add_source(&cfg, "polar", path);
    add_source(&cfg, "gone", "/nonexistent/feed.xml");
    memset(&ctx, 0, sizeof(ctx));
    ctx.cfg = &cfg;
    ctx.now = dt_from_time(1753686000, 0);
    assert_int_equal(store_open_snapshot("/nonexistent/state.db", &ctx.st,
                                         &e),
                     0);
    assert_int_equal(collect_sources(&ctx, &r, &e), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.v[0].source, "polar");
    assert_int_equal(r.v[0].status, COLLECT_OK);
    assert_true(r.v[0].fresh > 0);
    assert_int_equal(r.v[0].fresh, r.v[0].seen);
    assert_int_equal(r.v[1].status, COLLECT_FAILED);
    assert_non_null(strstr(r.v[1].message, "/nonexistent/feed.xml"));
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.fresh, r.v[0].fresh);
    assert_int_equal(store_articles_count(ctx.st, &n, &e), 0);
    assert_int_equal((size_t)n, r.fresh);
    collect_report_release(&r);

    /* Again: the same works are known, nothing new. */
    assert_int_equal(collect_sources(&ctx, &r, &e), 0);
    assert_int_equal(r.v[0].status, COLLECT_OK);
    assert_int_equal(r.v[0].fresh, 0);
    assert_true(r.v[0].seen > 0);
    assert_string_equal(r.v[0].message, "0 new");
    collect_report_release(&r);
    store_close(ctx.st);
    config_release(&cfg);
}

static void
test_collect_document_normalises(void **state)
{
    const char *fx = getenv("AD_FIXTURES");
    struct article_list l = ARTICLE_LIST_INIT;
    struct err e = ERR_INIT;
    char path[4096];
    size_t i;

    (void)state;
    snprintf(path, sizeof(path), "%s/../../examples/feeds/polar-journal.rdf",
             fx ? fx : "tests/fixtures");
    assert_int_equal(collect_document(path, "polar", &l, &e), 0);
    assert_true(l.n > 0);
    for (i = 0; i < l.n; i++) {
        assert_string_equal(l.v[i].source, "polar");
        /* Canonical: no fragment. */
        if (l.v[i].url)
            assert_null(strchr(l.v[i].url, '#'));
    }
    article_list_release(&l);
    assert_int_equal(collect_document("/nonexistent.xml", NULL, &l, &e), -1);
    assert_int_equal(e.code, ERR_NOINPUT);
    assert_int_equal(l.n, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_outcomes_per_source),
        cmocka_unit_test(test_collect_document_normalises),
    };
    return cmocka_run_group_tests_name("collect", tests, NULL, NULL);
}

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

#include "unit_config.h"

#include "arctic_digest/buf.h"
#include "arctic_digest/collect.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"

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
    unit_add_source(&cfg, "polar", path, true);
    unit_add_source(&cfg, "gone", "/nonexistent/feed.xml", true);
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
        /* The links as the feed wrote them: http(s), not rewritten. */
        if (l.v[i].url)
            assert_true(!strncmp(l.v[i].url, "http", 4));
    }
    article_list_release(&l);
    assert_int_equal(collect_document("/nonexistent.xml", NULL, &l, &e), -1);
    assert_int_equal(e.code, ERR_NOINPUT);
    assert_int_equal(l.n, 0);
}

/* Characters (code points) in s, which must be valid UTF-8. */
static size_t
chars(const char *s)
{
    size_t n = strlen(s), i = 0, k = 0;

    assert_true(u8_valid(s, n));
    while (i < n) {
        i += u8_len(s + i, n - i);
        k++;
    }
    return k;
}

static bool
ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && !strcmp(s + n - m, tail);
}

/* s repeated until it is at least n bytes; caller frees. */
static char *
repeat(const char *s, size_t n)
{
    struct buf b = BUF_INIT;

    while (b.len < n)
        buf_append_str(&b, s);
    return buf_detach(&b, NULL);
}

static void
test_collect_normalize_keeps_the_publisher_link(void **state)
{
    struct article a;

    (void)state;
    article_init(&a);
    a.url = xstrdup("http://news.example:8080/a?x=1&utm_source=rss#c");
    collect_normalize(&a);
    assert_string_equal(a.url, "http://news.example:8080/a?x=1&utm_source=rss#c");
    article_release(&a);
}

static void
test_collect_normalize_drops_an_overlong_volume_issue_or_pages(void **state)
{
    struct article a;

    (void)state;
    article_init(&a);
    a.volume = repeat("9", COLLECT_LOCATOR_MAX + 1);
    a.issue = repeat("4", COLLECT_LOCATOR_MAX);
    a.pages = xstrdup("767-777");
    collect_normalize(&a);
    assert_null(a.volume);
    assert_int_equal(strlen(a.issue), COLLECT_LOCATOR_MAX);
    assert_string_equal(a.pages, "767-777");
    article_release(&a);
}

static void
test_collect_normalize_caps_the_title_at_a_word(void **state)
{
    struct article a;

    (void)state;
    article_init(&a);
    /* 1 MB of words: cut after a whole word, then the ellipsis. */
    a.title = repeat("Arktis ", 1 << 20);
    collect_normalize(&a);
    assert_true(chars(a.title) <= COLLECT_TITLE_MAX);
    assert_true(chars(a.title) > COLLECT_TITLE_MAX - 10);
    assert_true(ends_with(a.title, "Arktis\u2026"));
    article_release(&a);

    /* No spaces, two bytes a character: cut between characters. */
    article_init(&a);
    a.title = repeat("\u00f8", 4000);
    collect_normalize(&a);
    assert_int_equal(chars(a.title), COLLECT_TITLE_MAX);
    assert_true(ends_with(a.title, "\u00f8\u2026"));
    article_release(&a);

    /* Exactly at the cap: untouched. */
    article_init(&a);
    a.title = repeat("\u00f8", 2 * COLLECT_TITLE_MAX);
    collect_normalize(&a);
    assert_int_equal(chars(a.title), COLLECT_TITLE_MAX);
    assert_false(ends_with(a.title, "\u2026"));
    article_release(&a);
}

static void
test_collect_normalize_caps_the_container(void **state)
{
    struct article a;

    (void)state;
    article_init(&a);
    a.container = repeat("Polar Journal ", 100000);
    collect_normalize(&a);
    assert_true(chars(a.container) <= COLLECT_CONTAINER_MAX);
    assert_true(ends_with(a.container, "Journal\u2026"));
    article_release(&a);
}

static void
test_collect_normalize_caps_authors_and_their_names(void **state)
{
    struct article a;
    char *name = repeat("Hauksd\u00f3ttir", 100000);
    size_t i;

    (void)state;
    article_init(&a);
    for (i = 0; i < 3 * COLLECT_AUTHORS_MAX; i++)
        article_add_person(&a, "Baldur", "Thorhallsson", NULL);
    article_add_person(&a, name, name, name);
    a.authors[0].given = (free(a.authors[0].given), xstrdup(name));
    a.authors[1].literal = xstrdup(name);
    collect_normalize(&a);
    assert_int_equal(a.nauthors, COLLECT_AUTHORS_MAX);
    assert_true(chars(a.authors[0].given) <= COLLECT_NAME_MAX);
    assert_true(ends_with(a.authors[0].given, "\u2026"));
    assert_true(chars(a.authors[1].literal) <= COLLECT_NAME_MAX);
    assert_string_equal(a.authors[2].family, "Thorhallsson");
    free(name);
    article_release(&a);
}

static void
test_collect_normalize_caps_keywords(void **state)
{
    struct article a;
    char *kw = repeat("sea ice ", 100000), one[32];
    size_t i;

    (void)state;
    article_init(&a);
    article_add_keyword(&a, kw);
    for (i = 0; i < 2 * COLLECT_KEYWORDS_MAX; i++) {
        snprintf(one, sizeof(one), "keyword %zu", i);
        article_add_keyword(&a, one);
    }
    collect_normalize(&a);
    assert_int_equal(a.nkeywords, COLLECT_KEYWORDS_MAX);
    assert_true(chars(a.keywords[0]) <= COLLECT_KEYWORD_MAX);
    assert_true(ends_with(a.keywords[0], " sea\u2026"));
    assert_string_equal(a.keywords[1], "keyword 0");
    free(kw);
    article_release(&a);
}

static void
test_collect_normalize_drops_an_overlong_doi_or_url(void **state)
{
    struct article a, b;
    char *path = repeat("a", COLLECT_URL_MAX);

    (void)state;
    article_init(&a);
    a.doi = repeat("10.5555/", COLLECT_DOI_MAX + 1);
    a.url = malloc(strlen(path) + 32);
    sprintf(a.url, "https://example.org/%s", path);
    collect_normalize(&a);
    assert_null(a.doi);
    assert_null(a.url);
    article_release(&a);

    /* At the caps: kept whole. */
    article_init(&b);
    b.doi = xstrdup("10.1080/2154896X.2025.1234567");
    b.url = xstrdup("https://example.org/");
    b.url = (free(b.url), repeat("h", COLLECT_URL_MAX));
    memcpy(b.url, "https://example.org/", 20);
    b.url[COLLECT_URL_MAX] = '\0';
    collect_normalize(&b);
    assert_string_equal(b.doi, "10.1080/2154896X.2025.1234567");
    assert_non_null(b.url);
    assert_int_equal(strlen(b.url), COLLECT_URL_MAX);
    free(path);
    article_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect_outcomes_per_source),
        cmocka_unit_test(test_collect_document_normalises),
        cmocka_unit_test(test_collect_normalize_keeps_the_publisher_link),
        cmocka_unit_test(test_collect_normalize_caps_the_title_at_a_word),
        cmocka_unit_test(test_collect_normalize_caps_the_container),
        cmocka_unit_test(test_collect_normalize_caps_authors_and_their_names),
        cmocka_unit_test(test_collect_normalize_caps_keywords),
        cmocka_unit_test(test_collect_normalize_drops_an_overlong_doi_or_url),
        cmocka_unit_test(
            test_collect_normalize_drops_an_overlong_volume_issue_or_pages),
    };
    return cmocka_run_group_tests_name("collect", tests, NULL, NULL);
}

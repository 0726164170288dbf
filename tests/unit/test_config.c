#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/config.h"
#include "unit_files.h"

/* Write text to unit_dir/t.conf and load it. */
static int
load(const char *text, struct config *c, struct err *e)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/t.conf", unit_dir);
    unit_write_text(path, text);
    return config_load(c, path, e);
}

static void
expect_error(const char *text, const char *want)
{
    struct config c;
    struct err e = ERR_INIT;

    assert_int_equal(load(text, &c, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    if (!strstr(e.msg, want))
        fail_msg("got '%s', want '%s'", e.msg, want);
}

static void
test_config_defaults_apply_to_an_empty_file(void **state)
{
    struct config c;
    struct err e = ERR_INIT;
    char want[300];
    (void)state;

    assert_int_equal(load("", &c, &e), 0);
    assert_string_equal(c.title, "Arctic Digest");
    assert_string_equal(c.citation_style, "chicago");
    assert_int_equal(c.lookback_days, 14);
    assert_true(c.attach_citations);
    assert_null(c.smtp_url);
    assert_int_equal(c.nsources, 0);
    snprintf(want, sizeof(want), "%s/arctic-digest.db", unit_dir);
    assert_string_equal(c.state, want);
    config_release(&c);
}

static void
test_config_reads_sources_lists_and_relative_paths(void **state)
{
    struct config c;
    struct err e = ERR_INIT;
    char want[300];
    (void)state;

    assert_int_equal(load("[digest]\ntitle = Nordområdene\n"
                          "attach_citations = no\n"
                          "[relevance]\ninclude = Arctic, High North\n"
                          "  Svalbard, NATO\n"
                          "[source a]\nurl = feeds/a.xml\nrelevance = all\n"
                          "[source b]\nurl = https://example.org/feed\n"
                          "weight = 2.5\n"
                          "[source c]\nurl = feeds/c.xml\nenrich = crossref\n"
                          "[source d]\nurl = https://example.org/d\n"
                          "enrich = none\nkind = report\n"
                          "[topic security]\ninclude = NATO, defence\n",
                          &c, &e),
                     0);
    assert_string_equal(c.title, "Nordområdene");
    assert_false(c.attach_citations);
    assert_int_equal(c.ninclude, 4);
    assert_string_equal(c.include[0], "Arctic");
    assert_string_equal(c.include[1], "High North");
    assert_string_equal(c.include[3], "NATO");
    assert_int_equal(c.nsources, 4);
    /* enrich: on for feeds read over http(s), off for local files, unless
     * the source says */
    assert_false(c.sources[0].enrich);
    assert_true(c.sources[1].enrich);
    assert_true(c.sources[2].enrich);
    assert_false(c.sources[3].enrich);
    /* kind: the default kind of a source's items; none unless given */
    assert_int_equal(c.sources[0].kind, ARTICLE_KIND_UNKNOWN);
    assert_int_equal(c.sources[3].kind, ARTICLE_KIND_REPORT);
    snprintf(want, sizeof(want), "%s/feeds/a.xml", unit_dir);
    assert_string_equal(c.sources[0].url, want);
    assert_false(c.sources[0].filter);
    assert_int_equal(c.sources[0].line, 7);
    assert_string_equal(c.sources[1].url, "https://example.org/feed");
    assert_true(c.sources[1].weight == 2.5);
    assert_non_null(config_source_find(&c, "b"));
    assert_null(config_source_find(&c, "e"));
    assert_int_equal(c.ntopics, 1);
    assert_int_equal(c.topics[0].ninclude, 2);
    config_release(&c);
}

/* [source] kind takes our names of kinds only. */
static void
test_config_source_kind_takes_our_kind_names(void **state)
{
    static const struct {
        const char *name;
        enum article_kind kind;
    } ok[] = {{"journal-article", ARTICLE_KIND_JOURNAL},
              {"report", ARTICLE_KIND_REPORT},
              {"preprint", ARTICLE_KIND_PREPRINT},
              {"news", ARTICLE_KIND_NEWS},
              {"web-page", ARTICLE_KIND_WEB},
              {"book-chapter", ARTICLE_KIND_CHAPTER},
              {"book", ARTICLE_KIND_BOOK},
              {"posted-content", ARTICLE_KIND_POSTED},
              {"dataset", ARTICLE_KIND_DATASET}};
    char text[128];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct config c;
        struct err e = ERR_INIT;
        snprintf(text, sizeof(text), "[source s]\nurl = s.xml\nkind = %s\n",
                 ok[i].name);
        assert_int_equal(load(text, &c, &e), 0);
        assert_int_equal(c.sources[0].kind, ok[i].kind);
        config_release(&c);
    }
    expect_error("[source s]\nurl = s.xml\nkind = blog\n",
                 "t.conf:3: [source s] kind: 'blog' is not journal-article, "
                 "report, preprint, news, web-page, book-chapter, book, "
                 "proceedings-article, reference-entry, posted-content, "
                 "dataset or peer-review");
    /* Crossref's other names are for records, not for this key */
    expect_error("[source s]\nkind = monograph\n",
                 "t.conf:2: [source s] kind: 'monograph' is not");
    expect_error("[source s]\nkind = Report\n", "'Report' is not");
}

static void
test_config_reads_durations(void **state)
{
    static const struct {
        const char *text;
        int64_t seconds;
    } ok[] = {{"", 5 * 86400},      {"give_up_after = 5d\n", 5 * 86400},
              {"give_up_after = 90m\n", 5400},
              {"give_up_after = 36h\n", 36 * 3600},
              {"give_up_after = 3600\n", 3600},
              {"give_up_after = 60s\n", 60},
              {"give_up_after = 3660d\n", 3660LL * 86400}};
    char text[128];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct config c;
        struct err e = ERR_INIT;
        snprintf(text, sizeof(text), "[smtp]\n%s", ok[i].text);
        assert_int_equal(load(text, &c, &e), 0);
        if (c.smtp_give_up_after != ok[i].seconds)
            fail_msg("'%s': %lld", ok[i].text,
                     (long long)c.smtp_give_up_after);
        config_release(&c);
    }
    expect_error("[smtp]\ngive_up_after = 5 days\n",
                 "t.conf:2: [smtp] give_up_after: '5 days' is not a duration");
    expect_error("[smtp]\ngive_up_after = d\n", "'d' is not a duration");
    expect_error("[smtp]\ngive_up_after = 59\n",
                 "t.conf:2: [smtp] give_up_after: '59' is out of range");
    expect_error("[smtp]\ngive_up_after = 3661d\n", "is out of range");
    expect_error("[smtp]\ngive_up_after = 99999999999999999999\n",
                 "is not a duration");
}

static void
test_config_errors_name_file_and_line(void **state)
{
    (void)state;
    expect_error("[digest]\nlookback_days = 0\n",
                 "t.conf:2: [digest] lookback_days: 0 is out of range");
    expect_error("[digest]\n\ncitation_style = harvard\n",
                 "t.conf:3: [digest] citation_style: 'harvard' is not one "
                 "of chicago|apa|mla");
    expect_error("[digest]\ntitle = a\ntitle = b\n",
                 "t.conf:3: [digest] title: given twice");
    expect_error("[digets]\ntitle = a\n", "t.conf:2: unknown section [digets]");
    expect_error("title = a\n", "t.conf:1: key 'title' outside any section");
    expect_error("[digest]\nthis is not ini\n", "t.conf:2: syntax error");
    expect_error("[source x]\nurl = ftp://example.org/feed\n",
                 "t.conf:2: [source x] url: only http, https or a local path");
    expect_error("[digest]\n[source x]\nrelevance = all\n",
                 "t.conf:2: [source x]: needs exactly one of url or "
                 "crossref_issn");
    expect_error("[smtp]\ntls = maybe\n", "t.conf:2: [smtp] tls: 'maybe'");
    expect_error("[source x]\nurl = a.xml\nenrich = yes\n",
                 "t.conf:3: [source x] enrich: 'yes' is not crossref or none");
    expect_error("[digest]\nattach_citations = perhaps\n",
                 "t.conf:2: [digest] attach_citations: 'perhaps' is not yes "
                 "or no");
}

static void
test_config_refuses_lines_inih_would_split(void **state)
{
    char text[400];
    (void)state;

    memset(text, 'a', sizeof(text));
    memcpy(text, "[digest]\ntitle = ", 17);
    text[sizeof(text) - 2] = '\n';
    text[sizeof(text) - 1] = '\0';
    expect_error(text, "t.conf:2: line longer than 198 characters");
}

static void
test_config_missing_file_is_noinput(void **state)
{
    struct config c;
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(config_load(&c, "/nonexistent/x.conf", &e), -1);
    assert_int_equal(e.code, ERR_NOINPUT);
    assert_non_null(strstr(e.msg, "/nonexistent/x.conf"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults_apply_to_an_empty_file),
        cmocka_unit_test(test_config_reads_sources_lists_and_relative_paths),
        cmocka_unit_test(test_config_errors_name_file_and_line),
        cmocka_unit_test(test_config_source_kind_takes_our_kind_names),
        cmocka_unit_test(test_config_reads_durations),
        cmocka_unit_test(test_config_refuses_lines_inih_would_split),
        cmocka_unit_test(test_config_missing_file_is_noinput),
    };
    return cmocka_run_group_tests_name("config", tests, unit_dir_setup,
                                       unit_dir_teardown);
}

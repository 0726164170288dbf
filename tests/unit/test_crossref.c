#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/crossref.h"
#include "arctic_digest/fetch.h"
#include "arctic_digest/util.h"
#include "local_http.h"
#include "oracle.h"

static bool
read_file(const char *path, struct buf *out)
{
    char chunk[8192];
    size_t n;
    FILE *fp = fopen(path, "rb");

    if (fp == NULL)
        return false;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        buf_append(out, chunk, n);
    fclose(fp);
    return true;
}

static void
parse_ok(const char *path, struct crossref_page *p)
{
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    if (!read_file(path, &b))
        fail_msg("cannot read %s", path);
    if (crossref_parse(b.data, b.len, "polar-journal", p, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
    buf_release(&b);
}

static void
date_is(const struct dt *d, const char *want)
{
    struct buf b = BUF_INIT;

    dt_format_rfc3339(d, &b);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void
test_crossref_parses_a_work_list(void **state)
{
    struct crossref_page p = CROSSREF_PAGE_INIT;
    char path[4096];
    const struct article *a;

    (void)state;
    snprintf(path, sizeof(path), "%s/crossref/works-list.json",
             getenv("AD_FIXTURES"));
    parse_ok(path, &p);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.total_results, 5);
    assert_string_equal(p.next_cursor, "DnF1ZXJ5VGhlbkZldGNoBgAAAAAA+/=");

    a = &p.v[0];
    assert_string_equal(a->source, "polar-journal");
    assert_string_equal(a->title, "Sino-Russian Arctic Cooperation: Systemic "
                                  "Pressure and Historical Distrust");
    assert_string_equal(a->doi, "10.1080/2154896X.2025.2530001");
    assert_string_equal(a->guid, a->doi);
    assert_string_equal(a->url, "https://doi.org/10.1080/2154896X.2025.2530001");
    assert_string_equal(a->container, "The Polar Journal");
    assert_int_equal(a->nauthors, 2);
    assert_string_equal(a->authors[0].given, "Guðbjörg Ríkey Th.");
    assert_string_equal(a->authors[0].family, "Hauksdóttir");
    assert_null(a->authors[0].literal);
    assert_string_equal(a->authors[1].family, "Thorhallsson");
    date_is(&a->published, "2025-07-22");
    assert_int_equal(a->published.prec, DT_PREC_DAY);
    assert_string_equal(a->abstract,
                        "China and Russia have deepened their cooperation in "
                        "the Arctic, yet historical distrust persists.\n\n"
                        "We examine the Northern Sea Route.");
    assert_int_equal(a->nkeywords, 2);
    assert_string_equal(a->keywords[1],
                        "Political Science and International Relations");

    a = &p.v[1];
    assert_string_equal(a->title, "The Ilulissat Declaration at seventeen");
    assert_int_equal(a->nauthors, 1);
    assert_string_equal(a->authors[0].literal, "Arctic Council Secretariat");
    assert_null(a->authors[0].family);
    assert_string_equal(a->url, "https://www.tandfonline.com/doi/full/"
                                "10.1080/2154896X.2025.2530002");
    date_is(&a->published, "2025-07");
    assert_int_equal(a->published.prec, DT_PREC_MONTH);
    assert_null(a->abstract);

    a = &p.v[2];
    assert_int_equal(a->published.prec, DT_PREC_YEAR);
    date_is(&a->published, "2024");
    assert_string_equal(a->abstract, "Shipping in ice-covered waters.");
    assert_null(a->url);
    assert_int_equal(a->nauthors, 0);
    crossref_page_release(&p);
    assert_int_equal(p.n, 0);
}

static void
test_crossref_parses_the_real_elife_work(void **state)
{
    const char *dir = getenv("AD_CONFORMANCE_DIR");
    struct crossref_page p = CROSSREF_PAGE_INIT;
    char path[4096];
    FILE *fp;

    (void)state;
    snprintf(path, sizeof(path),
             "%s/real-feeds/crossref-works-10.7554_elife.01567.json",
             dir ? dir : "");
    fp = dir ? fopen(path, "rb") : NULL;
    if (fp == NULL)
        oracle_missing("Crossref record %s (AD_CONFORMANCE_DIR)", path);
    fclose(fp);
    parse_ok(path, &p);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.total_results, 1);
    assert_null(p.next_cursor);
    assert_string_equal(p.v[0].doi, "10.7554/elife.01567");
    assert_string_equal(p.v[0].url, "https://doi.org/10.7554/elife.01567");
    assert_string_equal(p.v[0].container, "eLife");
    assert_true(p.v[0].nauthors >= 2);
    assert_non_null(p.v[0].authors[0].family);
    assert_non_null(p.v[0].authors[0].given);
    date_is(&p.v[0].published, "2014-02-11");
    assert_true(strncmp(p.v[0].abstract, "Among various advantages", 24) == 0);
    assert_null(strchr(p.v[0].abstract, '<'));
    assert_null(strchr(p.v[0].title, '<'));
    /* volume 3, no issue or pages: the article number stands for them */
    assert_string_equal(p.v[0].volume, "3");
    assert_null(p.v[0].issue);
    assert_string_equal(p.v[0].pages, "e01567");
    crossref_page_release(&p);
}

static void
test_crossref_volume_issue_and_page_range(void **state)
{
    static const char json[] =
        "{\"status\":\"ok\",\"message-type\":\"work\",\"message\":{"
        "\"DOI\":\"10.1038/nature14539\",\"title\":[\"Deep learning\"],"
        "\"volume\":\"521\",\"issue\":\"7553\","
        "\"page\":\"436\\u2013444\",\"article-number\":\"x1\"}}";
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(crossref_parse(json, strlen(json), NULL, &p, &e), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.v[0].volume, "521");
    assert_string_equal(p.v[0].issue, "7553");
    assert_string_equal(p.v[0].pages, "436-444");
    crossref_page_release(&p);
}

/* Italic tags in a title and subtitle (10.1101/2020.12.01.406702 has
 * "<i>Streptococcus agalactiae</i>"; JATS deposits use <jats:italic>) are
 * kept as title_markup, other tags dropped, and the title stays plain. */
static void
test_crossref_title_italics(void **state)
{
    static const char json[] =
        "{\"status\":\"ok\",\"message-type\":\"work\",\"message\":{"
        "\"DOI\":\"10.1/x\",\"title\":[\"Lipids of <i>Streptococcus "
        "agalactiae </i> &amp; <jats:italic>Calanus</jats:italic> "
        "<sub>2</sub>\"],\"subtitle\":[\"a <EM class=\\\"x\\\">test</EM>\"]}}";
    static const char plain[] =
        "{\"status\":\"ok\",\"message-type\":\"work\",\"message\":{"
        "\"DOI\":\"10.1/y\",\"title\":[\"CO<sub>2</sub> in <b>ice</b>"
        " \\ue000\"]}}";
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(crossref_parse(json, strlen(json), NULL, &p, &e), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.v[0].title,
                        "Lipids of Streptococcus agalactiae & Calanus 2: a "
                        "test");
    assert_string_equal(p.v[0].title_markup,
                        "Lipids of <i>Streptococcus agalactiae</i> &amp; "
                        "<i>Calanus</i> 2: a <i>test</i>");
    crossref_page_release(&p);
    /* no italics: no markup, and a marker code point in the record is
     * not taken for one */
    assert_int_equal(crossref_parse(plain, strlen(plain), NULL, &p, &e), 0);
    assert_string_equal(p.v[0].title, "CO2 in ice");
    assert_null(p.v[0].title_markup);
    crossref_page_release(&p);
}

/* Real deposits: volume "null" (10.17246/jkdk.2008..7.002) is none, and
 * the range "S8-S8" (10.1080/08039488.2021.2019912) one page. */
static void
test_crossref_null_volume_and_one_page_range(void **state)
{
    static const char json[] =
        "{\"status\":\"ok\",\"message-type\":\"work\",\"message\":{"
        "\"DOI\":\"10.17246/jkdk.2008..7.002\",\"title\":[\"Widget\"],"
        "\"volume\":\"null\",\"issue\":\"7\",\"page\":\"S8\\u2013S8\"}}";
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(crossref_parse(json, strlen(json), NULL, &p, &e), 0);
    assert_int_equal(p.n, 1);
    assert_null(p.v[0].volume);
    assert_string_equal(p.v[0].issue, "7");
    assert_string_equal(p.v[0].pages, "S8");
    crossref_page_release(&p);
}

/* Crossref gives a name's suffix apart; posted content is a preprint only
 * by its subtype. */
static void
test_crossref_suffix_and_posted_content(void **state)
{
    static const char json[] =
        "{\"status\":\"ok\",\"message-type\":\"work\",\"message\":{"
        "\"DOI\":\"10.53731/x\",\"title\":[\"Dog food\"],"
        "\"type\":\"posted-content\",\"subtype\":\"blog\","
        "\"publisher\":\"Front Matter\",\"author\":[{\"given\":"
        "\"Amos B.\",\"family\":\"Smith\",\"suffix\":\"III\"},"
        "{\"given\":\"Ann\",\"family\":\"Lee\"},"
        "{\"given\":\"Ronald H.\",\"family\":\"Brower, Sr.\"}]}}";
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(crossref_parse(json, strlen(json), NULL, &p, &e), 0);
    assert_string_equal(p.v[0].authors[0].family, "Smith");
    assert_string_equal(p.v[0].authors[0].suffix, "III");
    assert_null(p.v[0].authors[1].suffix);
    /* the suffix inside the family, as 10.14430/arctic174 deposits it */
    assert_string_equal(p.v[0].authors[2].family, "Brower");
    assert_string_equal(p.v[0].authors[2].suffix, "Sr.");
    assert_int_equal(p.v[0].kind, ARTICLE_KIND_POSTED);
    assert_string_equal(p.v[0].publisher, "Front Matter");
    crossref_page_release(&p);
}

static void
parse_fails(const char *json, const char *msg_start)
{
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;

    assert_int_equal(crossref_parse(json, strlen(json), NULL, &p, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    if (strncmp(e.msg, msg_start, strlen(msg_start)) != 0)
        fail_msg("message '%s' does not start with '%s'", e.msg, msg_start);
    assert_int_equal(p.n, 0);
    assert_null(p.v);
}

static void
test_crossref_rejects_bad_responses(void **state)
{
    (void)state;
    parse_fails("{\"status\": \"ok\",\n  \"message\": [1,,]}",
                "JSON error at line 2, column");
    parse_fails("<html></html>", "JSON error at line 1");
    parse_fails("{\"status\":\"failed\",\"message\":[{\"type\":\"x\"}]}",
                "Crossref status 'failed'");
    parse_fails("[1, 2]", "not a Crossref works response");
    parse_fails("{\"status\":\"ok\",\"message\":\"x\"}",
                "not a Crossref works response");
}

static void
test_crossref_builds_an_encoded_works_url(void **state)
{
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(crossref_works_url(NULL, "2154-896X", "2025-07-01", "*",
                                        100, "editor+ad@example.org", &b, &e),
                     0);
    assert_string_equal(b.data,
                        "https://api.crossref.org/journals/2154-896X/works"
                        "?filter=from-pub-date:2025-07-01&rows=100&cursor=%2A"
                        "&mailto=editor%2Bad@example.org");
    buf_reset(&b);
    assert_int_equal(crossref_works_url("http://127.0.0.1:8080/cr/", "0032-2474",
                                        NULL, "DnF1+/=", 0, NULL, &b, &e),
                     0);
    assert_string_equal(b.data, "http://127.0.0.1:8080/cr/journals/0032-2474/"
                                "works?cursor=DnF1%2B%2F%3D");
    buf_reset(&b);
    assert_int_equal(crossref_works_url(NULL, "2154896X", NULL, NULL, 0, NULL,
                                        &b, &e),
                     -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_string_equal(e.msg, "not an ISSN: '2154896X'");
    assert_int_equal(crossref_works_url(NULL, "2154-896X", "22.07.2025", NULL,
                                        0, NULL, &b, &e),
                     -1);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

/* Fetch one page from the local server into p. */
static void
fetch_page(const char *base, const char *cursor, struct crossref_page *p)
{
    struct buf u = BUF_INIT;
    struct fetch_request rq = {NULL, NULL, NULL};
    struct fetch_result r;
    struct err e = ERR_INIT;

    assert_int_equal(crossref_works_url(base, "2154-896X", "2025-07-01",
                                        cursor, 2, "editor@example.org", &u,
                                        &e),
                     0);
    rq.url = u.data;
    fetch_result_init(&r);
    assert_int_equal(fetch_all(NULL, &rq, 1, &r, &e), 0);
    if (r.status != FETCH_OK)
        fail_msg("%s: %s", u.data, r.msg);
    if (crossref_parse(r.body.data, r.body.len, "cr", p, &e) != 0)
        fail_msg("%s: %s", u.data, e.msg);
    fetch_result_release(&r);
    buf_release(&u);
}

/* The server saw the filter, rows and mailto of the last request. */
static void
assert_last_query(void)
{
    struct buf u = BUF_INIT;
    struct fetch_request rq = {NULL, NULL, NULL};
    struct fetch_result r;
    struct err e = ERR_INIT;

    buf_appendf(&u, "http://127.0.0.1:%d/_stats", srv.port);
    rq.url = u.data;
    fetch_result_init(&r);
    assert_int_equal(fetch_all(NULL, &rq, 1, &r, &e), 0);
    assert_non_null(strstr(r.body.data,
                           "\"/crossref/journals/2154-896X/works\": {"
                           "\"cursor\": \"page3\", "
                           "\"filter\": \"from-pub-date:2025-07-01\", "
                           "\"mailto\": \"editor@example.org\", "
                           "\"rows\": \"2\"}"));
    fetch_result_release(&r);
    buf_release(&u);
}

static void
test_crossref_pages_through_a_local_server(void **state)
{
    struct buf base = BUF_INIT;
    char *cursor = xstrdup("*");
    size_t pages = 0, works = 0;

    (void)state;
    SKIP_WITHOUT_SERVER();
    buf_appendf(&base, "http://127.0.0.1:%d/crossref", srv.port);
    for (;;) {
        struct crossref_page p = CROSSREF_PAGE_INIT;
        size_t n;

        fetch_page(base.data, cursor, &p);
        pages++;
        n = p.n;
        works += n;
        if (n > 0) {
            assert_int_equal(p.total_results, 4);
            assert_string_equal(p.v[0].container, "The Polar Journal");
            char want[64];

            snprintf(want, sizeof(want), "Paper %zu on the High North.",
                     works - n + 1);
            assert_string_equal(p.v[0].abstract, want);
            snprintf(want, sizeof(want), "2025-07-%02zu", works - n + 1);
            date_is(&p.v[0].published, want);
            assert_string_equal(p.v[n - 1].authors[1].literal,
                                "Arctic Council Secretariat");
        }
        free(cursor);
        cursor = p.next_cursor;
        p.next_cursor = NULL;
        crossref_page_release(&p);
        if (n == 0 || cursor == NULL || pages > 5)
            break;
    }
    free(cursor);
    buf_release(&base);
    assert_int_equal(pages, 3);
    assert_int_equal(works, 4);
    assert_last_query();
}


/* A real /works/{DOI} answer of tests/data/crossref (see its README). */
static void
parse_data(const char *rel, struct crossref_page *p)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/../data/crossref/works/%s",
             getenv("AD_FIXTURES"), rel);
    parse_ok(path, p);
    assert_int_equal(p->n, 1);
}

static void
test_crossref_builds_a_doi_url(void **state)
{
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(crossref_doi_url("http://127.0.0.1:9/api/",
                                      "10.7554/eLife.01567", &b, &e),
                     0);
    assert_string_equal(b.data,
                        "http://127.0.0.1:9/api/works/10.7554/elife.01567");
    buf_reset(&b);
    assert_int_equal(crossref_doi_url(NULL, "https://doi.org/10.1002/"
                                            "(SICI)1521-3773(19980302)37:4"
                                            "<489::AID-ANIE489>3.0.CO;2-N",
                                      &b, &e),
                     0);
    assert_string_equal(b.data, "https://api.crossref.org/works/10.1002/"
                                "%28sici%291521-3773%2819980302%2937%3A4"
                                "%3C489%3A%3Aaid-anie489%3E3.0.co%3B2-n");
    buf_reset(&b);
    assert_int_equal(crossref_doi_url(NULL, "not a doi", &b, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void
test_crossref_compact_keeps_a_work_without_its_references(void **state)
{
    struct buf in = BUF_INIT, out = BUF_INIT;
    struct crossref_page a = CROSSREF_PAGE_INIT, b = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;
    char path[4096];

    (void)state;
    snprintf(path, sizeof(path),
             "%s/../data/crossref/works/10.7554/elife.01567.json",
             getenv("AD_FIXTURES"));
    assert_true(read_file(path, &in));
    assert_non_null(strstr(in.data, "\"reference\":"));
    assert_int_equal(crossref_compact(in.data, in.len, &out, &e), 0);
    assert_null(strstr(out.data, "\"reference\":"));
    assert_true(out.len < in.len / 2);
    assert_int_equal(crossref_parse(in.data, in.len, NULL, &a, &e), 0);
    assert_int_equal(crossref_parse(out.data, out.len, NULL, &b, &e), 0);
    assert_string_equal(a.v[0].title, b.v[0].title);
    assert_string_equal(a.v[0].abstract, b.v[0].abstract);
    assert_string_equal(b.v[0].pages, "e01567");
    assert_int_equal(b.v[0].kind, ARTICLE_KIND_JOURNAL);
    assert_int_equal(a.v[0].nauthors, b.v[0].nauthors);
    crossref_page_release(&a);
    crossref_page_release(&b);

    /* a list of works, JSON that is no answer, no JSON: refused */
    buf_reset(&out);
    buf_reset(&in);
    snprintf(path, sizeof(path), "%s/crossref/works-list.json",
             getenv("AD_FIXTURES"));
    assert_true(read_file(path, &in));
    assert_int_equal(crossref_compact(in.data, in.len, &out, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_int_equal(crossref_compact("{\"status\":\"failed\"}", 19, &out,
                                      &e),
                     -1);
    assert_int_equal(crossref_compact("<html>", 6, &out, &e), -1);
    assert_non_null(strstr(e.msg, "JSON error"));
    assert_int_equal(out.len, 0);
    buf_release(&in);
    buf_release(&out);
}

/* A record of tests/data/records (a Crossref work's message object) in
 * its answer's envelope, parsed. */
static void
parse_record(const char *name, struct crossref_page *p)
{
    char path[4096];
    struct buf msg = BUF_INIT, b = BUF_INIT;
    struct err e = ERR_INIT;

    snprintf(path, sizeof(path), "%s/../data/records/%s", getenv("AD_FIXTURES"),
             name);
    if (!read_file(path, &msg))
        fail_msg("cannot read %s", path);
    buf_appendf(&b,
                "{\"status\": \"ok\", \"message-type\": \"work\", "
                "\"message\": %s}",
                msg.data);
    if (crossref_parse(b.data, b.len, NULL, p, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
    assert_int_equal(p->n, 1);
    buf_release(&msg);
    buf_release(&b);
}

/* Subtitles join the title; the date is Crossref's issued (as its own
 * CSL JSON, so citeproc), not the online date. */
static void
test_crossref_reads_subtitles_and_the_issued_date(void **state)
{
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct article a;

    (void)state;
    /* Der Urologe: title and subtitle in German (and English after them);
     * issued 2007-07, published online 2007-07-08 */
    parse_data("10.1007/s00120-007-1345-2.json", &p);
    assert_string_equal(p.v[0].title, "Penisverletzung durch eine "
                                      "Moulinette: Folge einer "
                                      "autoerotischen Selbstverstümmelung");
    date_is(&p.v[0].published, "2007-07");
    assert_int_equal(p.v[0].published.prec, DT_PREC_MONTH);
    /* a feed that gave the title alone takes the whole; another title
     * stays */
    article_init(&a);
    a.title = xstrdup("Penisverletzung durch eine Moulinette");
    crossref_complete(&a, &p.v[0]);
    assert_string_equal(a.title, p.v[0].title);
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Penisverletzung");
    crossref_complete(&a, &p.v[0]);
    assert_string_equal(a.title, "Penisverletzung");
    article_release(&a);
    crossref_page_release(&p);

    /* ChemInform: issued (and in print) 1974-06-11, online 2016-03-14 */
    parse_record("10.1002_chin.197423013.json", &p);
    date_is(&p.v[0].published, "1974-06-11");
    crossref_page_release(&p);
    /* issued 2009-09-23, in print 2011-06 */
    parse_record("10.1007_s10107-009-0306-5.json", &p);
    date_is(&p.v[0].published, "2009-09-23");
    crossref_page_release(&p);
    /* issued 2019-07-01, in print 2019-07-18 */
    parse_record("10.1017_9781108348843.json", &p);
    date_is(&p.v[0].published, "2019-07-01");
    crossref_page_release(&p);
    parse_record("10.1145_3448016.3452841.json", &p);
    assert_string_equal(p.v[0].title, "Vector Quotient Filters: Overcoming "
                                      "the Time/Space Trade-Off in Filter "
                                      "Design");
    crossref_page_release(&p);
    /* a subtitle that repeats the title, or its first part, or is empty,
     * is not added */
    parse_record("10.1111_phpp.12112.json", &p);
    assert_string_equal(p.v[0].title, "Global state of sunscreens");
    crossref_page_release(&p);
    parse_record("10.1111_geb.12517.json", &p);
    assert_string_equal(p.v[0].title,
                        "Mapping the global state of invasive alien "
                        "species: patterns of invasion and policy responses");
    crossref_page_release(&p);
    parse_record("10.2991_icismme-15.2015.92.json", &p);
    assert_string_equal(p.v[0].title,
                        "The Element Disturbed Equation of Dissimilar "
                        "Material for The Analysis of Duality Disturbance");
    crossref_page_release(&p);
}

static void
test_crossref_completes_only_what_the_feed_lacks(void **state)
{
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct article a;

    (void)state;
    parse_data("10.1101/2020.12.01.406702.json", &p);
    /* a preprint: no container title, its server is the institution */
    assert_string_equal(p.v[0].container, "bioRxiv");
    /* posted-content whose subtype is preprint */
    assert_int_equal(p.v[0].kind, ARTICLE_KIND_PREPRINT);
    assert_string_equal(p.v[0].publisher, "openRxiv");
    assert_null(p.v[0].place);
    assert_true(strncmp(p.v[0].abstract, "Bacterial membrane lipids", 25) ==
                0);

    /* The feed's title, abstract and exact date stay; its one author
     * "et al." gives way to Crossref's list; the journal is Crossref's. */
    article_init(&a);
    a.title = xstrdup("Feed title");
    a.abstract = xstrdup("The feed's summary.");
    a.container = xstrdup("bioRxiv Subject Collection");
    a.published.t = 1614762000;
    a.published.prec = DT_PREC_SECOND;
    article_add_person(&a, "Luke R.", "Joyce", NULL);
    a.others = true;
    crossref_complete(&a, &p.v[0]);
    assert_string_equal(a.title, "Feed title");
    assert_null(a.title_markup); /* Crossref's italics are for its title */
    assert_string_equal(a.abstract, "The feed's summary.");
    assert_string_equal(a.container, "bioRxiv");
    assert_int_equal(a.kind, ARTICLE_KIND_PREPRINT);
    assert_int_equal(a.published.t, 1614762000);
    assert_true(a.nauthors > 1);
    assert_false(a.others);
    assert_string_equal(a.authors[1].given, "Haider S.");
    assert_string_equal(a.authors[1].family, "Manzer");
    article_release(&a);

    /* An empty item takes everything; a year-only date gives way. */
    article_init(&a);
    a.published.t = 1577836800; /* 2020 */
    a.published.prec = DT_PREC_YEAR;
    crossref_complete(&a, &p.v[0]);
    assert_non_null(a.title);
    assert_null(strchr(a.title, '<'));
    assert_non_null(a.title_markup);
    assert_non_null(strstr(a.title_markup, " in <i>Streptococcus "
                                           "agalactiae</i> that "));
    assert_true(strncmp(a.abstract, "Bacterial", 9) == 0);
    date_is(&a.published, "2020-12-01");
    article_release(&a);
    crossref_page_release(&p);

    /* The language: Crossref's "language" where the feed gave none. */
    parse_data("10.1007/s00120-007-1345-2.json", &p);
    assert_string_equal(p.v[0].lang, "de");
    article_init(&a);
    crossref_complete(&a, &p.v[0]);
    assert_string_equal(a.lang, "de");
    article_release(&a);
    article_init(&a);
    a.lang = xstrdup("en");
    crossref_complete(&a, &p.v[0]);
    assert_string_equal(a.lang, "en");
    article_release(&a);
    crossref_page_release(&p);
    parse_data("10.1101/2020.12.01.406702.json", &p); /* none given */
    assert_null(p.v[0].lang);
    crossref_page_release(&p);

    /* Names the feed gave as one string each, as many as Crossref's: the
     * split ones win; a different count stays the feed's. */
    parse_data("10.1007/978-3-662-46370-3_13.json", &p);
    assert_string_equal(p.v[0].pages, "155-158");
    assert_int_equal(p.v[0].kind, ARTICLE_KIND_CHAPTER); /* book-chapter */
    /* the book's publisher and its place, for the styles that name them */
    assert_string_equal(p.v[0].publisher, "Springer Berlin Heidelberg");
    assert_string_equal(p.v[0].place, "Berlin, Heidelberg");
    article_init(&a);
    article_add_person(&a, NULL, NULL, "R. L. Diercks");
    article_add_person(&a, NULL, NULL, "T. C. Ludvigsen");
    crossref_complete(&a, &p.v[0]);
    assert_string_equal(a.authors[0].family, "Diercks");
    assert_string_equal(a.authors[1].given, "Tom Clement");
    assert_null(a.authors[1].literal);
    assert_string_equal(a.container, "Shoulder Stiffness");
    assert_string_equal(a.publisher, "Springer Berlin Heidelberg");
    assert_string_equal(a.place, "Berlin, Heidelberg");
    article_release(&a);
    article_init(&a);
    article_add_person(&a, NULL, NULL, "Springer editors");
    crossref_complete(&a, &p.v[0]);
    assert_int_equal(a.nauthors, 1);
    assert_string_equal(a.authors[0].literal, "Springer editors");
    article_release(&a);
    crossref_page_release(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossref_parses_a_work_list),
        cmocka_unit_test(test_crossref_parses_the_real_elife_work),
        cmocka_unit_test(test_crossref_volume_issue_and_page_range),
        cmocka_unit_test(test_crossref_null_volume_and_one_page_range),
        cmocka_unit_test(test_crossref_suffix_and_posted_content),
        cmocka_unit_test(test_crossref_rejects_bad_responses),
        cmocka_unit_test(test_crossref_builds_an_encoded_works_url),
        cmocka_unit_test(test_crossref_pages_through_a_local_server),
        cmocka_unit_test(test_crossref_builds_a_doi_url),
        cmocka_unit_test(
            test_crossref_compact_keeps_a_work_without_its_references),
        cmocka_unit_test(test_crossref_completes_only_what_the_feed_lacks),
        cmocka_unit_test(test_crossref_reads_subtitles_and_the_issued_date),
        cmocka_unit_test(test_crossref_title_italics),
    };

    return oracle_exit(cmocka_run_group_tests_name(
        "crossref", tests, start_server, stop_server));
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "arctic_digest/feed.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
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
fixture(const char *name, struct buf *out)
{
    const char *dir = getenv("AD_FIXTURES");
    char path[4096];

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/feed/%s", dir, name);
    if (!read_file(path, out))
        fail_msg("cannot read %s", path);
}

/* Parse a fixture; expects success. */
static void
parse_fixture(const char *name, const char *base, const char *container,
              struct feed *f)
{
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    fixture(name, &b);
    if (feed_parse(f, b.data, b.len, "src", base, container, &e) != 0)
        fail_msg("%s: %s", name, e.msg);
    buf_release(&b);
}

/* Parse a fixture or string that must fail; returns the message. */
static const char *
parse_fail(const char *data, size_t n)
{
    static struct err e;
    struct feed f = FEED_INIT;

    e = (struct err)ERR_INIT;
    assert_int_equal(feed_parse(&f, data, n, NULL, NULL, NULL, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_int_equal(f.n, 0);
    assert_null(f.v);
    return e.msg;
}

static char *
rfc3339(const struct dt *d)
{
    static char out[64];
    struct buf b = BUF_INIT;

    dt_format_rfc3339(d, &b);
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    return out;
}

static char *
people(const struct article *a)
{
    static char out[1024];
    size_t i, len = 0;

    out[0] = '\0';
    for (i = 0; i < a->nauthors; i++) {
        const struct person *p = &a->authors[i];
        int k = p->literal != NULL
                    ? snprintf(out + len, sizeof(out) - len, "%s=%s",
                               i ? "; " : "", p->literal)
                    : snprintf(out + len, sizeof(out) - len, "%s%s|%s",
                               i ? "; " : "", p->family, p->given);
        assert_true(k > 0 && (size_t)k < sizeof(out) - len);
        len += (size_t)k;
    }
    return out;
}

static void
test_feed_rss20_wordpress_fields(void **state)
{
    struct feed f = FEED_INIT;
    const struct article *a;
    (void)state;

    parse_fixture("rss20-wordpress.xml", "https://example.org/feed/", NULL, &f);
    assert_int_equal(f.kind, FEED_KIND_RSS);
    assert_string_equal(f.title, "Arctic Institute \u2013 Polar Politics");
    assert_string_equal(f.link, "https://example.org");
    assert_null(f.warning);
    assert_int_equal(f.n, 3);

    a = &f.v[0];
    assert_string_equal(a->source, "src");
    assert_string_equal(a->title, "Sino-Russian Arctic Cooperation: Systemic "
                                  "Pressure & Historical Distrust");
    assert_string_equal(a->url,
                        "https://example.org/2025/07/sino-russian-arctic-"
                        "cooperation/");
    assert_string_equal(a->guid, "https://example.org/?p=12345");
    assert_null(a->doi);
    assert_string_equal(people(a), "Hauksdóttir|Guðbjörg Ríkey Th.; "
                                   "Thorhallsson|Baldur");
    assert_string_equal(a->container, "Arctic Institute \u2013 Polar Politics");
    assert_string_equal(rfc3339(&a->published), "2025-07-22T09:30:00Z");
    assert_false(dt_is_set(&a->updated));
    assert_string_equal(a->abstract,
                        "China and Russia have deepened their cooperation in "
                        "the Arctic\u2026\n\nThe post Sino-Russian Arctic "
                        "Cooperation appeared first on Arctic Institute.");
    assert_int_equal(a->nkeywords, 3);
    assert_string_equal(a->keywords[0], "Security");
    assert_string_equal(a->keywords[2], "Russia");

    a = &f.v[1];
    assert_string_equal(a->title, "Greenland & the High North");
    assert_string_equal(a->url, "https://example.org/2025/07/greenland/");
    assert_string_equal(people(a), "Doe|Jane; Smith|John");
    assert_string_equal(rfc3339(&a->published), "2025-07-21T23:30:00-04:00");
    /* no description: content:encoded, without the script */
    assert_string_equal(a->abstract, "Only content here & no description."
                                     "\n\nNext café paragraph.");

    a = &f.v[2];
    /* javascript: link refused; the permalink guid is the URL */
    assert_string_equal(a->url, "https://example.org/permalink/3");
    assert_string_equal(people(a), "Roe|Jane");
    assert_int_equal(a->published.prec, DT_PREC_MINUTE);
    assert_null(a->abstract);
    feed_release(&f);
    assert_null(f.v);
}

static void
test_feed_rss10_dc_prism_fields(void **state)
{
    struct feed f = FEED_INIT;
    const struct article *a;
    struct dt_parts p;
    (void)state;

    parse_fixture("rss10-prism.rdf", NULL, NULL, &f);
    assert_int_equal(f.kind, FEED_KIND_RDF);
    assert_string_equal(f.title, "The Polar Journal: Table of Contents");
    assert_int_equal(f.n, 2);

    a = &f.v[0];
    assert_string_equal(a->title, "Sino-Russian Arctic Cooperation: Systemic "
                                  "Pressure and Historical Distrust");
    assert_string_equal(a->url, "https://journal.example.org/doi/abs/10.1080/"
                                "2154896X.2025.1234567?af=R");
    assert_string_equal(a->guid, "https://journal.example.org/doi/abs/10.1080/"
                                 "2154896X.2025.1234567");
    assert_string_equal(a->doi, "10.1080/2154896X.2025.1234567");
    assert_string_equal(a->container, "The Polar Journal");
    assert_string_equal(people(a), "Hauksdóttir|Guðbjörg Ríkey Th.; "
                                   "Thorhallsson|Baldur");
    assert_string_equal(rfc3339(&a->published), "2025-07-22T09:30:00+02:00");
    /* the description is an issue statement: no abstract, its parts kept */
    assert_null(a->abstract);
    assert_string_equal(a->volume, "15");
    assert_string_equal(a->issue, "1");
    assert_string_equal(a->pages, "1-20");
    assert_int_equal(a->nkeywords, 2);
    assert_string_equal(a->keywords[1], "geopolitics");

    a = &f.v[1];
    assert_string_equal(people(a),
                        "Thorhallsson|Baldur; =Arctic Council Secretariat");
    assert_string_equal(a->doi, "10.1080/2154896X.2025.7654321");
    assert_int_equal(a->published.prec, DT_PREC_MONTH);
    dt_to_parts(&a->published, &p);
    assert_int_equal(p.year, 2025);
    assert_int_equal(p.month, 6);
    assert_string_equal(a->abstract, "Only encoded content.");
    /* the journal named in the feed's title */
    assert_string_equal(a->container, "The Polar Journal");
    feed_release(&f);
}

static void
test_feed_atom10_fields(void **state)
{
    struct feed f = FEED_INIT;
    const struct article *a;
    (void)state;

    parse_fixture("atom10.xml", NULL, NULL, &f);
    assert_int_equal(f.kind, FEED_KIND_ATOM);
    assert_string_equal(f.title, "High North News");
    assert_string_equal(f.link, "https://news.example.org/arctic/index.html");
    assert_int_equal(f.n, 3);

    a = &f.v[0];
    assert_string_equal(a->title, "Two authors, relative link");
    assert_string_equal(a->url, "https://news.example.org/arctic/2025/07/"
                                "two-authors.html");
    assert_string_equal(a->guid, "tag:news.example.org,2025:1");
    assert_string_equal(a->doi, "10.1234/abcd.5678");
    assert_string_equal(people(a), "Hauksdóttir|Guðbjörg Ríkey Th.; "
                                   "Thorhallsson|Baldur");
    assert_string_equal(rfc3339(&a->published), "2025-07-22T09:30:00+05:30");
    assert_string_equal(rfc3339(&a->updated), "2025-07-22T12:00:00+05:30");
    assert_string_equal(a->abstract, "First & foremost.\n\nSecond.");
    assert_string_equal(a->keywords[0], "security");
    assert_string_equal(a->container, "High North News");

    a = &f.v[1];
    assert_string_equal(a->title, "An xhtml title");
    assert_string_equal(a->url, "http://other.example.net/absolute");
    assert_string_equal(rfc3339(&a->published), "2025-07-21T08:00:00Z");
    assert_string_equal(a->abstract, "Para one.\n\nPara & two.");
    assert_string_equal(people(a), "=Newsroom Staff"); /* inherited */

    a = &f.v[2];
    assert_string_equal(a->title, "Plain <b>text</b> title");
    assert_null(a->url);
    assert_string_equal(a->guid, "tag:news.example.org,2025:3");
    assert_string_equal(rfc3339(&a->published), "2025-07");
    assert_string_equal(a->abstract,
                        "Line one continues.\n\nSecond paragraph.");
    feed_release(&f);
}

static void
test_feed_modules_match_by_namespace_uri(void **state)
{
    static const char doc[] =
        "<rss version=\"2.0\" xmlns:x=\"http://purl.org/dc/elements/1.1/\""
        " xmlns:t=\"http://purl.org/dc/terms/\""
        " xmlns:p=\"http://prismstandard.org/namespaces/basic/3.0/\""
        " xmlns:dc=\"http://example.org/not-dublin-core/\">"
        "<channel><title>C</title><item><title>T</title>"
        "<x:identifier>https://doi.org/10.5555/ABC.123</x:identifier>"
        "<x:date>2025-07-01</x:date>"
        "<t:modified>2025-07-02T10:00:00Z</t:modified>"
        "<t:abstract>Short &lt;b&gt;abstract&lt;/b&gt;"
        "</t:abstract>"
        "<dc:creator>Not An Author</dc:creator>"
        "<x:creator>Baldur Thorhallsson</x:creator>"
        "<p:publicationName>Arctic Review</p:publicationName>"
        "<x:subject>Svalbard</x:subject>"
        "</item></channel></rss>";
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    const struct article *a;
    (void)state;

    assert_int_equal(
        feed_parse(&f, doc, sizeof(doc) - 1, NULL, NULL, NULL, &e), 0);
    assert_int_equal(f.n, 1);
    a = &f.v[0];
    assert_string_equal(a->doi, "10.5555/ABC.123");
    assert_string_equal(rfc3339(&a->published), "2025-07-01");
    assert_string_equal(rfc3339(&a->updated), "2025-07-02T10:00:00Z");
    assert_string_equal(a->abstract, "Short abstract");
    assert_string_equal(people(a), "Thorhallsson|Baldur");
    assert_string_equal(a->container, "Arctic Review");
    assert_string_equal(a->keywords[0], "Svalbard");
    assert_null(a->url);
    assert_null(a->guid);
    feed_release(&f);
}

/* Titles keep their italics as title_markup: escaped HTML in RSS, XHTML
 * and HTML in Atom; a title in italics whole is styling. */
static void
test_feed_title_italics(void **state)
{
    static const char doc[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        "<entry><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/"
        "xhtml\">Diet of <i>Ursus maritimus</i> &amp; <em>Phoca</em></div>"
        "</title><id>a</id></entry>"
        "<entry><title type=\"html\">&lt;i&gt;Calanus&lt;/i&gt; "
        "blooms</title><id>b</id></entry>"
        "<entry><title type=\"html\">&lt;i&gt;All of it&lt;/i&gt;</title>"
        "<id>c</id></entry>"
        "<entry><title>&lt;i&gt;text&lt;/i&gt;</title><id>d</id></entry>"
        "</feed>";
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(
        feed_parse(&f, doc, sizeof(doc) - 1, NULL, NULL, NULL, &e), 0);
    assert_int_equal(f.n, 4);
    assert_string_equal(f.v[0].title, "Diet of Ursus maritimus & Phoca");
    assert_string_equal(f.v[0].title_markup,
                        "Diet of <i>Ursus maritimus</i> &amp; <i>Phoca</i>");
    assert_string_equal(f.v[1].title, "Calanus blooms");
    assert_string_equal(f.v[1].title_markup, "<i>Calanus</i> blooms");
    assert_string_equal(f.v[2].title, "All of it");
    assert_null(f.v[2].title_markup);
    /* type="text": the tags are text */
    assert_string_equal(f.v[3].title, "<i>text</i>");
    assert_null(f.v[3].title_markup);
    feed_release(&f);
}

static void
test_feed_container_argument_overrides(void **state)
{
    struct feed f = FEED_INIT;
    size_t i;
    (void)state;

    parse_fixture("rss10-prism.rdf", NULL, "Polar J.", &f);
    for (i = 0; i < f.n; i++)
        assert_string_equal(f.v[i].container, "Polar J.");
    feed_release(&f);
}

static void
test_feed_html_page_is_not_a_feed(void **state)
{
    struct buf b = BUF_INIT;
    static const char xhtml[] =
        "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>";
    (void)state;

    fixture("html-page.html", &b);
    assert_string_equal(parse_fail(b.data, b.len), "not a feed: HTML page");
    assert_string_equal(parse_fail(xhtml, sizeof(xhtml) - 1),
                        "not a feed: HTML page");
    buf_release(&b);
}

static void
test_feed_unknown_root_is_named(void **state)
{
    static const char doc[] = "<?xml version=\"1.0\"?><opml><body/></opml>";
    static const char ns[] =
        "<outline xmlns=\"http://example.com/ns#\"><title>x</title></outline>";
    (void)state;

    assert_string_equal(parse_fail(doc, sizeof(doc) - 1),
                        "not a feed: root element <opml>");
    assert_string_equal(parse_fail(ns, sizeof(ns) - 1),
                        "not a feed: root element <outline> in namespace "
                        "http://example.com/ns#");
}

static void
test_feed_truncated_xml_reports_line_and_column(void **state)
{
    struct buf b = BUF_INIT;
    const char *msg;
    (void)state;

    fixture("truncated.xml", &b);
    msg = parse_fail(b.data, b.len);
    assert_string_equal(msg, "XML error at line 6, column 20: Premature end "
                             "of data in tag title line 6");
    assert_string_equal(parse_fail("", 0),
                        "XML error at line 1, column 1: Document is empty");
    buf_release(&b);
}

static void
test_feed_recovers_from_undeclared_html_entity(void **state)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><title>T</title>\n"
        "<item><title>caf&eacute; &amp; &lt;b&gt;bar&lt;/b&gt;</title>"
        "</item>"
        "</channel></rss>";
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(feed_parse(&f, doc, sizeof(doc) - 1, NULL, NULL, NULL, &e),
                     0);
    assert_non_null(f.warning);
    assert_string_equal(f.warning, "XML error at line 2, column 25: Entity "
                                   "'eacute' not defined");
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "café & bar");
    feed_release(&f);
}

static bool
contains(const char *s, const char *needle)
{
    return s != NULL && strstr(s, needle) != NULL;
}

static void
test_feed_xxe_does_not_load_files(void **state)
{
    struct buf b = BUF_INIT;
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    int rc;
    (void)state;

    fixture("xxe.xml", &b);
    rc = feed_parse(&f, b.data, b.len, NULL, NULL, NULL, &e);
    assert_int_equal(rc, 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "Leak:");
    assert_false(contains(f.v[0].title, "root:"));
    assert_false(contains(f.v[0].abstract, "root:"));
    assert_string_equal(f.v[0].abstract, "net:");
    feed_release(&f);
    buf_release(&b);
}

static void
test_feed_billion_laughs_is_refused(void **state)
{
    struct buf b = BUF_INIT;
    clock_t t0 = clock();
    const char *msg;
    (void)state;

    fixture("billion-laughs.xml", &b);
    msg = parse_fail(b.data, b.len);
    assert_true(strncmp(msg, "XML error at line ", 18) == 0);
    assert_true(contains(msg, "entity reference loop"));
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
    buf_release(&b);
}

/* Parse doc (NUL-terminated) into f; expects success. */
static void
parse_string(const char *doc, const char *base, struct feed *f)
{
    struct err e = ERR_INIT;

    if (feed_parse(f, doc, strlen(doc), NULL, base, NULL, &e) != 0)
        fail_msg("%s", e.msg);
}

static void
test_feed_entity_content_is_expanded_at_every_reference(void **state)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE rss [<!ENTITY who \"Jane &amp; <b>Doe</b>\">"
        "<!ENTITY host \"example.org\">]>\n"
        "<rss version=\"2.0\"><channel><title>T</title>"
        "<item><title>&who;, &who; again</title>"
        "<link>http://&host;/a</link>"
        "<description>Notes from &who;</description></item></channel></rss>";
    struct feed f = FEED_INIT;
    (void)state;

    parse_string(doc, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "Jane & Doe, Jane & Doe again");
    assert_string_equal(f.v[0].abstract, "Notes from Jane & Doe");
    assert_true(contains(f.v[0].url, "example.org/a"));
    feed_release(&f);
}

static void
test_feed_undeclared_entity_under_external_dtd_is_html(void **state)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\""
        " \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
        "<rss version=\"0.91\"><channel><title>T</title>"
        "<item><title>Caf&eacute; &bogus; &#233;</title></item>"
        "</channel></rss>";
    struct feed f = FEED_INIT;
    (void)state;

    parse_string(doc, NULL, &f);
    assert_string_equal(f.version, "rss091n");
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "Café &bogus; é");
    feed_release(&f);
}

/* An element whose prefix is not declared is not the element of the same
 * local name: <media:title> is no RSS title. */
static void
test_feed_undeclared_prefix_keeps_its_name(void **state)
{
    static const char doc[] =
        "<rss version=\"2.0\"><channel><title>T</title>"
        "<item><media:title>Wrong</media:title><title>Right</title>"
        "<link>http://example.org/r</link></item></channel></rss>";
    struct feed f = FEED_INIT;
    (void)state;

    parse_string(doc, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "Right");
    assert_true(contains(f.warning, "media"));
    feed_release(&f);
}

static void
test_feed_attributes_and_xml_base_resolve_links(void **state)
{
    static const char doc[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xml:base=\"http://example.org/feed/\"><title>T</title>"
        "<entry xml:base=\"2024/\"><title>A</title><id>urn:a</id>"
        "<link rel=\"alternate\" href=\"a.html?x=1&amp;y=&#50;\"/></entry>"
        "<entry><title>B</title><id>urn:b</id>"
        "<link href=\"../b.html\"/></entry>"
        "</feed>";
    struct feed f = FEED_INIT;
    (void)state;

    parse_string(doc, "http://ignored.example.net/x.xml", &f);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.v[0].url, "http://example.org/feed/2024/a.html?x=1&y=2");
    assert_string_equal(f.v[1].url, "http://example.org/b.html");
    feed_release(&f);
}

static void
test_feed_xhtml_content_is_read_as_markup(void **state)
{
    static const char doc[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
        "<entry><title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/"
        "xhtml\">One &amp; <b>two</b></div></title><id>urn:a</id>"
        "<content type=\"xhtml\"><x:div xmlns:x=\"http://www.w3.org/1999/"
        "xhtml\"><x:p>First &lt;blink&gt;</x:p><x:p title=\"a&quot;b\">"
        "Second</x:p></x:div></content></entry></feed>";
    struct feed f = FEED_INIT;
    (void)state;

    parse_string(doc, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "One & two");
    assert_true(contains(f.v[0].abstract, "First <blink>"));
    assert_true(contains(f.v[0].abstract, "Second"));
    assert_false(contains(f.v[0].abstract, "x:p"));
    feed_release(&f);
}

/* Entities that expand far beyond the document are refused before the
 * expansion fills memory, whichever guard (libxml2's or ours) sees it. */
static void
test_feed_entity_expansion_is_bounded(void **state)
{
    struct buf doc = BUF_INIT;
    const char *msg;
    size_t i;
    (void)state;

    buf_append_str(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY big \"");
    for (i = 0; i < 4000; i++)
        buf_append_char(&doc, 'a');
    buf_append_str(&doc, "\">]>\n<rss version=\"2.0\"><channel><item><title>");
    for (i = 0; i < 20000; i++)
        buf_append_str(&doc, "&big;");
    buf_append_str(&doc, "</title></item></channel></rss>");
    msg = parse_fail(doc.data, doc.len);
    assert_true(strncmp(msg, "XML error at line 3, column ", 28) == 0);
    assert_true(contains(msg, "entit"));
    buf_release(&doc);
}

static void
test_feed_title_injection_is_neutralised(void **state)
{
    struct feed f = FEED_INIT;
    const struct article *a;
    (void)state;

    parse_fixture("injection.xml", NULL, NULL, &f);
    assert_string_equal(f.title, "Evil Bcc: victim@example.org");
    assert_int_equal(f.n, 1);
    a = &f.v[0];
    assert_string_equal(a->title, "Safe Subject: injected");
    assert_false(contains(a->title, "<"));
    assert_int_equal(a->nauthors, 1);
    assert_false(contains(people(a), "\n"));
    assert_false(contains(people(a), "\r"));
    assert_string_equal(a->abstract, "Hello world");
    feed_release(&f);
}

static void
test_feed_failure_leaves_feed_untouched(void **state)
{
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    static const char good[] = "<rss><channel><item><title>x</title></item>"
                               "</channel></rss>";
    static const char bad[] = "<rss><channel>";
    (void)state;

    assert_int_equal(
        feed_parse(&f, good, sizeof(good) - 1, NULL, NULL, NULL, &e), 0);
    assert_int_equal(f.n, 1);
    assert_int_equal(feed_parse(&f, bad, sizeof(bad) - 1, NULL, NULL, NULL, &e),
                     -1);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "x");
    /* success replaces the old contents */
    assert_int_equal(
        feed_parse(&f, good, sizeof(good) - 1, NULL, NULL, NULL, &e), 0);
    assert_int_equal(f.n, 1);
    feed_release(&f);
    /* A failed first parse leaves a new feed new: nothing to release. */
    assert_int_equal(feed_parse(&f, bad, sizeof(bad) - 1, NULL, NULL, NULL, &e),
                     -1);
    assert_null(f.v);
    assert_null(f.spare);
}

/* A feed of about mb megabytes; returns CPU seconds to parse it. */
static double
time_big_feed(size_t items, size_t *n_out)
{
    struct buf b = BUF_INIT;
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    struct timespec t0, t1;
    size_t i;

    buf_append_str(&b, "<?xml version=\"1.0\"?><rss version=\"2.0\" "
                       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                       "<channel><title>Big</title>\n");
    for (i = 0; i < items; i++)
        buf_appendf(&b,
                    "<item><title>Item %zu &amp; more</title>"
                    "<link>https://example.org/%zu</link>"
                    "<dc:creator>Jane Doe and John Smith</dc:creator>"
                    "<pubDate>Tue, 22 Jul 2025 09:30:00 +0000</pubDate>"
                    "<category>Arctic</category>"
                    "<description>&lt;p&gt;Some text about the Arctic, "
                    "repeated to fill the item to half a kilobyte. "
                    "Some text about the Arctic, repeated to fill the item "
                    "to half a kilobyte. Some text about the Arctic, "
                    "repeated.&lt;/p&gt;&lt;p&gt;Second.&lt;/p&gt;"
                    "</description></item>\n",
                    i, i);
    buf_append_str(&b, "</channel></rss>\n");
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    assert_int_equal(feed_parse(&f, b.data, b.len, NULL, NULL, NULL, &e), 0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    *n_out = f.n;
    feed_release(&f);
    buf_release(&b);
    return (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void
test_feed_large_feed_parses_linearly(void **state)
{
    size_t n1, n5;
    double t1, t5;
    (void)state;

    t1 = time_big_feed(2000, &n1);  /* about 1 MB */
    t5 = time_big_feed(10000, &n5); /* about 5 MB */
    assert_int_equal(n1, 2000);
    assert_int_equal(n5, 10000);
    print_message("1 MB: %.3f s, 5 MB: %.3f s\n", t1, t5);
    /* linear is 5x; quadratic would be 25x */
    assert_true(t5 < t1 * 12 + 0.05);
}

struct corpus {
    size_t files, ok, failed;
};

static void
parse_tree(const char *dir, struct corpus *c)
{
    DIR *d = opendir(dir);
    struct dirent *ent;

    if (d == NULL)
        return;
    while ((ent = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        size_t len = strlen(ent->d_name);

        if (ent->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name) >=
            (int)sizeof(path))
            continue;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            parse_tree(path, c);
        } else if (len > 4 && (strcmp(ent->d_name + len - 4, ".xml") == 0 ||
                               strcmp(ent->d_name + len - 4, ".rdf") == 0)) {
            struct buf b = BUF_INIT;
            struct feed f = FEED_INIT;
            struct err e = ERR_INIT;

            assert_true(read_file(path, &b));
            if (feed_parse(&f, b.data, b.len, "corpus",
                           "http://example.org/base/", NULL, &e) == 0)
                c->ok++;
            else
                c->failed++;
            c->files++;
            feed_release(&f);
            buf_release(&b);
        }
    }
    closedir(d);
}

static void
test_feed_conformance_corpus_parses_without_crash(void **state)
{
    const char *dir = getenv("AD_CONFORMANCE_DIR");
    char path[4096];
    struct stat st;
    struct corpus c = {0, 0, 0};
    (void)state;

    if (dir == NULL)
        oracle_missing("AD_CONFORMANCE_DIR is not set");
    snprintf(path, sizeof(path), "%s/feedparser/tests", dir);
    if (stat(path, &st) != 0)
        oracle_missing("feedparser corpus %s not found", path);
    parse_tree(path, &c);
    print_message("feedparser corpus: %zu files parsed, %zu feeds, %zu "
                  "refused\n",
                  c.files, c.ok, c.failed);
    assert_true(c.files > 1000);
    assert_true(c.ok > c.files / 2);
}

static void
test_feed_atom03_dates_modes_and_tagline(void **state)
{
    static const char doc[] =
        "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
        "<title>T</title><tagline mode=\"escaped\" type=\"text/html\">"
        "&lt;b&gt;Sub&lt;/b&gt;</tagline>"
        "<entry><title mode=\"base64\" type=\"text/html\">"
        "RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title>"
        "<issued>2004-01-01T19:48:21Z</issued>"
        "<modified>2004-01-02T00:00:00Z</modified>"
        "<author><name>Jane Doe</name></author>"
        "<contributor><name>John Roe</name></contributor></entry></feed>";
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    struct buf b = BUF_INIT;
    (void)state;

    assert_int_equal(feed_parse(&f, doc, sizeof(doc) - 1, NULL, NULL, NULL,
                                &e), 0);
    assert_string_equal(f.version, "atom03");
    assert_string_equal(f.subtitle, "Sub");
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].title, "Example Atom");
    dt_format_rfc3339(&f.v[0].published, &b);
    assert_string_equal(b.data, "2004-01-01T19:48:21Z");
    buf_reset(&b);
    dt_format_rfc3339(&f.v[0].updated, &b);
    assert_string_equal(b.data, "2004-01-02T00:00:00Z");
    assert_int_equal(f.v[0].nauthors, 2);
    assert_string_equal(f.v[0].authors[1].family, "Roe");
    buf_release(&b);
    feed_release(&f);
}

static void
test_feed_http_charset_wins_and_bad_bytes_are_replaced(void **state)
{
    /* "£" in Windows-1252 (0xA3) under a declaration that says UTF-8 */
    static const char doc[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                              "<rss version=\"2.0\"><channel><item><title>"
                              "\xa3 5</title></item></channel></rss>";
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(feed_parse_http(&f, doc, sizeof(doc) - 1,
                                     "text/xml; charset=\"windows-1252\"",
                                     NULL, NULL, NULL, &e), 0);
    assert_string_equal(f.encoding, "windows-1252");
    assert_null(f.warning);
    assert_string_equal(f.v[0].title, "\xc2\xa3 5");
    feed_release(&f);
    /* text/xml without a charset means US-ASCII: the byte does not fit, so
     * the declared UTF-8 is tried, then Windows-1252, with a warning */
    assert_int_equal(feed_parse_http(&f, doc, sizeof(doc) - 1, "text/xml",
                                     NULL, NULL, NULL, &e), 0);
    assert_string_equal(f.encoding, "windows-1252");
    assert_non_null(f.warning);
    assert_string_equal(f.v[0].title, "\xc2\xa3 5");
    feed_release(&f);
    /* application/xml: the declaration; the byte is invalid UTF-8 */
    assert_int_equal(feed_parse(&f, doc, sizeof(doc) - 1, NULL, NULL, NULL,
                                &e), 0);
    assert_non_null(f.warning);
    assert_true(u8_valid(f.v[0].title, strlen(f.v[0].title)));
    feed_release(&f);
}

static void
test_feed_utf16_with_bom_is_read(void **state)
{
    static const char doc[] = "<rss version=\"0.92\"><channel><title>"
                              "\xc3\xa5</title></channel></rss>";
    struct buf b = BUF_INIT;
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    size_t i;
    (void)state;

    buf_append(&b, "\xff\xfe", 2); /* UTF-16LE: ASCII, then U+00E5 */
    for (i = 0; i < sizeof(doc) - 1; i++) {
        if ((unsigned char)doc[i] == 0xc3) {
            buf_append(&b, "\xe5\x00", 2);
            i++;
        } else {
            buf_append_char(&b, doc[i]);
            buf_append_char(&b, '\0');
        }
    }
    assert_int_equal(feed_parse(&f, b.data, b.len, NULL, NULL, NULL, &e), 0);
    assert_string_equal(f.encoding, "utf-16le");
    assert_string_equal(f.version, "rss092");
    assert_string_equal(f.title, "\xc3\xa5");
    feed_release(&f);
    buf_release(&b);
}


/* ---- precedence between the sources of one field ----------------------- */

/* One source of a field: an element with %s for its value, and its rank
 * (lower wins; sources of equal rank tie, see each test). */
struct source {
    const char *fmt;
    int rank;
};

#define RSS_HEAD                                                               \
    "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "      \
    "xmlns:dcterms=\"http://purl.org/dc/terms/\" "                             \
    "xmlns:prism=\"http://prismstandard.org/namespaces/basic/2.0/\" "          \
    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "              \
    "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"><channel><title>Chan"        \
    "</title><link>http://example.org/</link>"

/* Append tmpl with its one "%s" replaced by v. */
static void
fill(struct buf *b, const char *tmpl, const char *v)
{
    const char *at = strstr(tmpl, "%s");

    assert_non_null(at);
    buf_append(b, tmpl, (size_t)(at - tmpl));
    buf_append_str(b, v);
    buf_append_str(b, at + 2);
}

/* Parse an RSS 2.0 item whose children are first then second (each with
 * its value); channel is extra channel children; container the source's
 * own container or NULL. */
static void
parse_pair(const char *channel, const char *first, const char *fv,
           const char *second, const char *sv, const char *container,
           struct feed *f)
{
    struct buf doc = BUF_INIT;
    struct err e = ERR_INIT;

    buf_appendf(&doc, RSS_HEAD "%s<item><title>T</title>", channel);
    if (first != NULL)
        fill(&doc, first, fv);
    if (second != NULL)
        fill(&doc, second, sv);
    buf_append_str(&doc, "</item></channel></rss>");
    if (feed_parse(f, doc.data, doc.len, "src", NULL, container, &e) != 0)
        fail_msg("%s: %s", doc.data, e.msg);
    if (f->n != 1)
        fail_msg("%s: %zu items", doc.data, f->n);
    buf_release(&doc);
}

/* The language of each item of doc (a whole document), in order, joined
 * by "," ("-" for none); static. */
static const char *
langs_of(const char *doc)
{
    static char out[256];
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    struct buf b = BUF_INIT;
    size_t i;

    if (feed_parse(&f, doc, strlen(doc), "s", NULL, NULL, &e) != 0)
        fail_msg("%s: %s", doc, e.msg);
    for (i = 0; i < f.n; i++)
        buf_appendf(&b, "%s%s", i ? "," : "", f.v[i].lang ? f.v[i].lang : "-");
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    feed_release(&f);
    return out;
}

/* The item's own dc:language or xml:lang (on it or its title), then the
 * channel's dc:language, RSS <language>, the xml:lang in scope; tags in
 * lower case, and what is no tag is no language. */
static void
test_feed_language_of_item_then_channel(void **state)
{
    (void)state;
    /* RSS 2.0: the channel's <language> for every item that says none */
    assert_string_equal(
        langs_of(RSS_HEAD "<language>en-US</language>"
                          "<item><title>A</title></item>"
                          "<item><title>B</title><dc:language>nb"
                          "</dc:language></item>"
                          "<item xml:lang=\"de\"><title>C</title></item>"
                          "<item><title xml:lang=\"fr-CA\">D</title></item>"
                          "<item><title xml:lang=\"fr\">E</title><dc:language>"
                          "sv</dc:language></item>"
                          "</channel></rss>"),
        "en-us,nb,de,fr-ca,sv");
    /* dc:language of the channel beats <language>, which beats the
     * xml:lang of the channel or the root */
    assert_string_equal(
        langs_of("<rss version=\"2.0\" xml:lang=\"fi\" "
                 "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
                 "<language>en</language><dc:language>da</dc:language>"
                 "<item><title>A</title></item></channel></rss>"),
        "da");
    assert_string_equal(
        langs_of("<rss version=\"2.0\" xml:lang=\"fi\"><channel>"
                 "<item><title>A</title></item></channel></rss>"),
        "fi");
    assert_string_equal(
        langs_of(RSS_HEAD "<item><title>A</title></item></channel></rss>"),
        "-");
    /* no tag, no language: the channel's stands */
    assert_string_equal(
        langs_of(RSS_HEAD "<language>English</language>"
                          "<item><title>A</title></item></channel></rss>"),
        "-");
    assert_string_equal(langs_of(RSS_HEAD
                                 "<language>is</language><item><title>A</title>"
                                 "<dc:language>Icelandic</dc:language></item>"
                                 "</channel></rss>"),
                        "is");
    /* Atom: the feed's xml:lang is inherited; an entry's or its title's
     * own wins */
    assert_string_equal(
        langs_of("<feed xmlns=\"http://www.w3.org/2005/Atom\" "
                 "xml:lang=\"en-GB\"><title>F</title>"
                 "<entry><title>A</title></entry>"
                 "<entry xml:lang=\"se\"><title>B</title></entry>"
                 "<entry><title xml:lang=\"ru\">C</title></entry>"
                 "</feed>"),
        "en-gb,se,ru");
    /* RSS 1.0: the channel's dc:language, though items are its siblings */
    assert_string_equal(
        langs_of("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
                 "22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" "
                 "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                 "<channel rdf:about=\"http://x.org/\"><title>C</title>"
                 "<dc:language>zh-Hans</dc:language></channel>"
                 "<item rdf:about=\"http://x.org/1\"><title>A</title></item>"
                 "<item rdf:about=\"http://x.org/2\"><title>B</title>"
                 "<dc:language>ja</dc:language></item></rdf:RDF>"),
        "zh-hans,ja");
}

/* The kind of item i of doc (a whole document); static. */
static const char *
kinds_of(const char *items)
{
    static char out[256];
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;
    struct buf doc = BUF_INIT, b = BUF_INIT;
    size_t i;

    buf_appendf(&doc, RSS_HEAD "%s</channel></rss>", items);
    if (feed_parse(&f, doc.data, doc.len, "s", NULL, NULL, &e) != 0)
        fail_msg("%s: %s", doc.data, e.msg);
    for (i = 0; i < f.n; i++) {
        const char *k = article_kind_name(f.v[i].kind);
        buf_appendf(&b, "%s%s", i ? "," : "", k ? k : "-");
    }
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    buf_release(&doc);
    feed_release(&f);
    return out;
}

/* An item's own word for its kind: dc:type (DCMI, info:eu-repo, plain
 * words), then prism:aggregationType, then prism:genre; nothing else (the
 * link's preprint server, the source's kind) is the feed's business. */
static void
test_feed_kind_from_the_item_type_aggregation_and_genre(void **state)
{
    (void)state;
    assert_string_equal(
        kinds_of("<item><title>A</title><dc:type>Text.Serial.Journal"
                 "</dc:type></item>"
                 "<item><title>B</title><dc:type>article</dc:type></item>"
                 "<item><title>C</title><dc:type>Report</dc:type></item>"
                 "<item><title>D</title><dc:type>info:eu-repo/semantics/"
                 "workingPaper</dc:type></item>"
                 "<item><title>E</title><dc:type>Preprint</dc:type></item>"
                 "<item><title>F</title><dc:type>info:eu-repo/semantics/"
                 "bookPart</dc:type></item>"
                 "<item><title>G</title><dc:type>Text</dc:type></item>"
                 "<item><title>H</title><dc:type>Blog Post</dc:type></item>"),
        "journal-article,journal-article,report,report,preprint,"
        "book-chapter,-,web-page");
    assert_string_equal(
        kinds_of("<item><title>A</title><prism:aggregationType>journal"
                 "</prism:aggregationType></item>"
                 "<item><title>B</title><prism:aggregationType>newspaper"
                 "</prism:aggregationType></item>"
                 "<item><title>C</title><prism:aggregationType>magazine"
                 "</prism:aggregationType></item>"
                 "<item><title>D</title><prism:aggregationType>book"
                 "</prism:aggregationType></item>"
                 "<item><title>E</title><prism:aggregationType>other"
                 "</prism:aggregationType></item>"
                 "<item><title>F</title><prism:genre>news</prism:genre>"
                 "</item>"
                 "<item><title>G</title><prism:genre>article</prism:genre>"
                 "</item>"),
        "journal-article,news,news,book-chapter,-,news,-");
    /* dc:type over aggregationType over genre, in any order */
    assert_string_equal(
        kinds_of("<item><title>A</title><prism:genre>news</prism:genre>"
                 "<prism:aggregationType>journal</prism:aggregationType>"
                 "</item>"
                 "<item><title>B</title><prism:aggregationType>journal"
                 "</prism:aggregationType><dc:type>report</dc:type></item>"),
        "journal-article,report");
    /* a preprint server's link is no word of the item's */
    assert_string_equal(
        kinds_of("<item><title>A</title><link>https://arxiv.org/abs/"
                 "2508.13426</link></item>"),
        "-");
}

/* Which value wins between a (value "Alpha"/date A) and b (value
 * "Beta"/date B), given in the document in this order: 'a', 'b'. */
typedef char which_fn(const struct article *a);

static char
which_abstract(const struct article *a)
{
    if (a->abstract == NULL)
        return '-';
    return strcmp(a->abstract, "Alpha") == 0 ? 'a'
           : strcmp(a->abstract, "Beta") == 0 ? 'b'
                                               : '?';
}

static char
which_container(const struct article *a)
{
    if (a->container == NULL)
        return '-';
    return strcmp(a->container, "Alpha") == 0 ? 'a'
           : strcmp(a->container, "Beta") == 0 ? 'b'
                                                : '?';
}

#define DATE_A "2025-07-01T00:00:00Z"
#define DATE_B "2024-02-03T00:00:00Z"

static char
which_published(const struct article *a)
{
    char *s = rfc3339(&a->published);

    return strcmp(s, DATE_A) == 0 ? 'a' : strcmp(s, DATE_B) == 0 ? 'b' : '?';
}

/* Every ordered pair of sources, in both document orders: the lower rank
 * wins; of equal ranks the first (first_wins) or the last in the
 * document. */
static void
check_pairs(const char *field, const struct source *v, size_t n,
            const char *va, const char *vb, which_fn *which,
            bool first_wins)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            struct feed f = FEED_INIT;
            char want, got;

            if (i == j)
                continue;
            parse_pair("", v[i].fmt, va, v[j].fmt, vb, NULL, &f);
            if (v[i].rank != v[j].rank)
                want = v[i].rank < v[j].rank ? 'a' : 'b';
            else
                want = first_wins ? 'a' : 'b';
            got = which(&f.v[0]);
            if (got != want)
                fail_msg("%s: %s then %s: %c wins, wanted %c", field,
                         v[i].fmt, v[j].fmt, got, want);
            feed_release(&f);
        }
    }
}

static char
which_url(const struct article *a)
{
    if (a->url == NULL)
        return '-';
    return strcmp(a->url, "http://example.org/alpha") == 0  ? 'a'
           : strcmp(a->url, "http://example.org/beta") == 0 ? 'b'
                                                             : '?';
}

/* The link shown: <link>, then a permalink <guid>, then prism:url; a guid
 * with isPermaLink="false" is no link at all. */
static void
test_feed_rss_url_sources_rank_link_first(void **state)
{
    static const struct source urls[] = {
        {"<link>%s</link>", 0},
        {"<guid>%s</guid>", 1},
        {"<guid isPermaLink=\"true\">%s</guid>", 1},
        {"<prism:url>%s</prism:url>", 2},
    };
    struct feed f = FEED_INIT;
    (void)state;

    check_pairs("url", urls, ARRAY_SIZE(urls), "http://example.org/alpha",
                "http://example.org/beta", which_url, true);
    parse_pair("", "<guid isPermaLink=\"false\">%s</guid>",
               "http://example.org/alpha", NULL, NULL, NULL, &f);
    assert_null(f.v[0].url);
    assert_string_equal(f.v[0].guid, "http://example.org/alpha");
    feed_release(&f);
}

static void
test_feed_rss_date_sources_rank_pubdate_first(void **state)
{
    static const struct source dates[] = {
        {"<pubDate>%s</pubDate>", 0},
        {"<dc:date>%s</dc:date>", 1},
        {"<dcterms:date>%s</dcterms:date>", 2},
        {"<dcterms:issued>%s</dcterms:issued>", 2},
        {"<dcterms:created>%s</dcterms:created>", 2},
        {"<prism:publicationDate>%s</prism:publicationDate>", 2},
        {"<prism:coverDate>%s</prism:coverDate>", 3},
        /* the updated date stands in only when there is no other */
        {"<dcterms:modified>%s</dcterms:modified>", 4},
    };
    (void)state;
    check_pairs("published", dates, ARRAY_SIZE(dates), DATE_A, DATE_B,
                which_published, false);
}

static void
test_feed_rss_abstract_sources_rank_description_first(void **state)
{
    static const struct source abstracts[] = {
        {"<description>%s</description>", 0},
        {"<dc:description>%s</dc:description>", 1},
        {"<dcterms:abstract>%s</dcterms:abstract>", 1},
        {"<content:encoded>%s</content:encoded>", 10},
        {"<xhtml:body><xhtml:p>%s</xhtml:p></xhtml:body>", 10},
        {"<fullitem>%s</fullitem>", 10},
    };
    (void)state;
    check_pairs("abstract", abstracts, ARRAY_SIZE(abstracts), "Alpha",
                "Beta", which_abstract, true);
}

static void
test_feed_rss_container_sources_rank_prism_first(void **state)
{
    static const struct source items[] = {
        {"<prism:publicationName>%s</prism:publicationName>", 0},
        {"<dc:source>%s</dc:source>", 1},
    };
    struct feed f = FEED_INIT;
    (void)state;

    check_pairs("container", items, ARRAY_SIZE(items), "Alpha", "Beta",
                which_container, true);
    /* The item's own beats the channel's prism:publicationName, which
     * beats the channel title; the source's configured one beats all. */
    parse_pair("<prism:publicationName>Beta</prism:publicationName>",
               items[1].fmt, "Alpha", NULL, NULL, NULL, &f);
    assert_string_equal(f.v[0].container, "Alpha");
    feed_release(&f);
    parse_pair("<prism:publicationName>Beta</prism:publicationName>", NULL,
               NULL, NULL, NULL, NULL, &f);
    assert_string_equal(f.v[0].container, "Beta");
    feed_release(&f);
    parse_pair("", NULL, NULL, NULL, NULL, NULL, &f);
    assert_string_equal(f.v[0].container, "Chan");
    feed_release(&f);
    parse_pair("<prism:publicationName>Beta</prism:publicationName>",
               items[0].fmt, "Alpha", NULL, NULL, "Configured", &f);
    assert_string_equal(f.v[0].container, "Configured");
    feed_release(&f);
}

static void
test_feed_rss_creators_replace_author(void **state)
{
    static const char *const creators[] = {
        "<dc:creator>%s</dc:creator>", "<dcterms:creator>%s</dcterms:creator>",
        "<dc:author>%s</dc:author>"};
    static const char author[] = "<author>%s</author>";
    size_t i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(creators); i++) {
        struct feed f = FEED_INIT;

        /* both orders: the creator alone, never the RSS author too */
        parse_pair("", creators[i], "Jane Doe", author,
                   "rss@example.org (Max Muster)", NULL, &f);
        assert_int_equal(f.v[0].nauthors, 1);
        assert_string_equal(f.v[0].authors[0].family, "Doe");
        feed_release(&f);
        parse_pair("", author, "rss@example.org (Max Muster)", creators[i],
                   "Jane Doe", NULL, &f);
        assert_int_equal(f.v[0].nauthors, 1);
        assert_string_equal(f.v[0].authors[0].family, "Doe");
        feed_release(&f);
    }
    /* Without a creator the RSS author counts; two creators both do. */
    {
        struct feed f = FEED_INIT;

        parse_pair("", author, "rss@example.org (Max Muster)", NULL, NULL,
                   NULL, &f);
        assert_int_equal(f.v[0].nauthors, 1);
        assert_string_equal(f.v[0].authors[0].family, "Muster");
        feed_release(&f);
        parse_pair("", creators[0], "Jane Doe", creators[1], "Ann Lee", NULL,
                   &f);
        assert_int_equal(f.v[0].nauthors, 2);
        assert_string_equal(f.v[0].authors[1].family, "Lee");
        feed_release(&f);
    }
}

/* Atom: published (and Atom 0.3 issued) beat created, which ties with a
 * module's dc:date (the later wins); updated stands in last; summary
 * beats content; the entry's authors beat the feed's. */
static void
test_feed_atom_sources_rank(void **state)
{
    static const struct source dates[] = {
        {"<published>%s</published>", 0},
        {"<issued>%s</issued>", 0},
        {"<created>%s</created>", 1},
        {"<dc:date>%s</dc:date>", 1},
        {"<updated>%s</updated>", 9},
    };
    static const char head[] =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><title>F</title>"
        "<author><name>Feed Author</name></author><entry><title>T</title>";
    size_t i, j;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(dates); i++) {
        for (j = 0; j < ARRAY_SIZE(dates); j++) {
            struct buf doc = BUF_INIT;
            struct feed f = FEED_INIT;
            struct err e = ERR_INIT;
            char want, got;

            if (i == j)
                continue;
            buf_append_str(&doc, head);
            fill(&doc, dates[i].fmt, DATE_A);
            fill(&doc, dates[j].fmt, DATE_B);
            buf_append_str(&doc, "</entry></feed>");
            assert_int_equal(feed_parse(&f, doc.data, doc.len, "s", NULL,
                                        NULL, &e), 0);
            /* lower rank wins; of equal ranks the later one */
            want = dates[i].rank < dates[j].rank ? 'a' : 'b';
            got = which_published(&f.v[0]);
            if (got != want)
                fail_msg("atom %s then %s: %c wins, wanted %c", dates[i].fmt,
                         dates[j].fmt, got, want);
            feed_release(&f);
            buf_release(&doc);
        }
    }
    for (i = 0; i < 2; i++) {
        struct buf doc = BUF_INIT;
        struct feed f = FEED_INIT;
        struct err e = ERR_INIT;
        const char *sum = "<summary>Alpha</summary>";
        const char *con = "<content>Beta</content>";

        buf_appendf(&doc, "%s%s%s<author><name>Entry Author</name></author>"
                          "</entry></feed>",
                    head, i ? con : sum, i ? sum : con);
        assert_int_equal(
            feed_parse(&f, doc.data, doc.len, "s", NULL, NULL, &e), 0);
        assert_string_equal(f.v[0].abstract, "Alpha");
        assert_int_equal(f.v[0].nauthors, 1);
        assert_string_equal(f.v[0].authors[0].given, "Entry");
        feed_release(&f);
        buf_release(&doc);
    }
}

/* Parse one Atom entry (Atom 1.0, or 0.3 for mode="..."); its article. */
static void
parse_entry(bool atom03, const char *entry, struct feed *f)
{
    struct buf doc = BUF_INIT;
    struct err e = ERR_INIT;

    buf_appendf(&doc,
                "<feed %s><title>F</title><entry><title>T</title>%s</entry>"
                "</feed>",
                atom03 ? "version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\""
                       : "xmlns=\"http://www.w3.org/2005/Atom\"",
                entry);
    if (feed_parse(f, doc.data, doc.len, "s", NULL, NULL, &e) != 0)
        fail_msg("%s: %s", doc.data, e.msg);
    assert_int_equal(f->n, 1);
    buf_release(&doc);
}

/* Atom text constructs by type and mode, and the alternate link chosen by
 * its type. */
static void
test_feed_atom_text_types_and_links(void **state)
{
    static const struct {
        bool atom03;
        const char *summary;
        const char *want; /* NULL: no abstract */
    } v[] = {
        {false, "<summary type=\"xhtml\">plain words</summary>",
         "plain words"},
        {false, "<summary type=\"application/xhtml+xml\">a &lt;b&gt;</summary>",
         "a <b>"},
        {true,
         "<summary type=\"application/xhtml+xml\" mode=\"base64\">"
         "RXhhbXBsZSA8Yj5BdG9tPC9iPg==</summary>",
         "Example Atom"},
        {true,
         "<summary type=\"text/html\" mode=\"base64\">"
         "RXhhbXBsZSA8Yj5BdG9tPC9iPg==</summary>",
         "Example Atom"},
        {true, "<summary type=\"text/plain\" mode=\"base64\">SGVsbG8=</summary>",
         "Hello"},
        /* binary (a NUL) is no text */
        {true, "<summary type=\"text/plain\" mode=\"base64\">YQBi</summary>",
         NULL},
        {true, "<summary type=\"text/html\" mode=\"escaped\">"
               "a &lt;b&gt;c</summary>",
         "a c"},
    };
    static const char *const links[] = {
        "<link rel=\"alternate\" type=\"application/pdf\" "
        "href=\"http://example.org/a.pdf\"/>"
        "<link rel=\"alternate\" type=\"text/html\" "
        "href=\"http://example.org/a.html\"/>",
        "<link rel=\"alternate\" type=\"application/pdf\" "
        "href=\"http://example.org/a.pdf\"/>"
        "<link rel=\"alternate\" type=\"application/xhtml+xml\" "
        "href=\"http://example.org/a.html\"/>",
        "<link rel=\"alternate\" type=\"application/pdf\" "
        "href=\"http://example.org/a.pdf\"/>"
        "<link href=\"http://example.org/a.html\"/>",
    };
    size_t i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        struct feed f = FEED_INIT;

        parse_entry(v[i].atom03, v[i].summary, &f);
        if (v[i].want == NULL && f.v[0].abstract != NULL)
            fail_msg("%s: abstract '%s', want none", v[i].summary,
                     f.v[0].abstract);
        if (v[i].want != NULL &&
            (f.v[0].abstract == NULL || strcmp(f.v[0].abstract, v[i].want)))
            fail_msg("%s: abstract '%s', want '%s'", v[i].summary,
                     f.v[0].abstract ? f.v[0].abstract : "(none)",
                     v[i].want);
        feed_release(&f);
    }
    for (i = 0; i < ARRAY_SIZE(links); i++) {
        struct feed f = FEED_INIT;

        parse_entry(false, links[i], &f);
        assert_string_equal(f.v[0].url, "http://example.org/a.html");
        feed_release(&f);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_rss20_wordpress_fields),
        cmocka_unit_test(test_feed_rss10_dc_prism_fields),
        cmocka_unit_test(test_feed_atom10_fields),
        cmocka_unit_test(test_feed_modules_match_by_namespace_uri),
        cmocka_unit_test(test_feed_container_argument_overrides),
        cmocka_unit_test(test_feed_html_page_is_not_a_feed),
        cmocka_unit_test(test_feed_unknown_root_is_named),
        cmocka_unit_test(test_feed_atom03_dates_modes_and_tagline),
        cmocka_unit_test(
            test_feed_http_charset_wins_and_bad_bytes_are_replaced),
        cmocka_unit_test(test_feed_utf16_with_bom_is_read),
        cmocka_unit_test(test_feed_truncated_xml_reports_line_and_column),
        cmocka_unit_test(test_feed_recovers_from_undeclared_html_entity),
        cmocka_unit_test(test_feed_xxe_does_not_load_files),
        cmocka_unit_test(test_feed_billion_laughs_is_refused),
        cmocka_unit_test(
            test_feed_entity_content_is_expanded_at_every_reference),
        cmocka_unit_test(
            test_feed_undeclared_entity_under_external_dtd_is_html),
        cmocka_unit_test(test_feed_undeclared_prefix_keeps_its_name),
        cmocka_unit_test(test_feed_attributes_and_xml_base_resolve_links),
        cmocka_unit_test(test_feed_xhtml_content_is_read_as_markup),
        cmocka_unit_test(test_feed_entity_expansion_is_bounded),
        cmocka_unit_test(test_feed_title_injection_is_neutralised),
        cmocka_unit_test(test_feed_failure_leaves_feed_untouched),
        cmocka_unit_test(test_feed_large_feed_parses_linearly),
        cmocka_unit_test(test_feed_conformance_corpus_parses_without_crash),
        cmocka_unit_test(test_feed_rss_date_sources_rank_pubdate_first),
        cmocka_unit_test(test_feed_rss_url_sources_rank_link_first),
        cmocka_unit_test(test_feed_rss_abstract_sources_rank_description_first),
        cmocka_unit_test(test_feed_rss_container_sources_rank_prism_first),
        cmocka_unit_test(test_feed_rss_creators_replace_author),
        cmocka_unit_test(test_feed_atom_sources_rank),
        cmocka_unit_test(test_feed_language_of_item_then_channel),
        cmocka_unit_test(
            test_feed_kind_from_the_item_type_aggregation_and_genre),
        cmocka_unit_test(test_feed_atom_text_types_and_links),
        cmocka_unit_test(test_feed_title_italics),
    };
    return oracle_exit(
        cmocka_run_group_tests_name("feed", tests, NULL, NULL));
}

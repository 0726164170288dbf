#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "oracle.h"

typedef void conv_fn(const char *p, size_t n, struct buf *out);

struct pair {
    const char *in;
    const char *want;
};

static void
check_pairs(conv_fn *fn, const struct pair *v, size_t n)
{
    struct buf b = BUF_INIT;
    size_t i;

    for (i = 0; i < n; i++) {
        buf_reset(&b);
        fn(v[i].in, strlen(v[i].in), &b);
        if (strcmp(b.data, v[i].want) != 0)
            fail_msg("input \"%s\": got \"%s\", want \"%s\"", v[i].in,
                     b.data, v[i].want);
    }
    buf_release(&b);
}

#define CHECK(fn, v) check_pairs(fn, v, sizeof(v) / sizeof(v[0]))

static char *
read_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("AD_FIXTURES");
    char path[1024];
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t got;
    FILE *f;

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/text/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open fixture '%s'", path);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, got);
    fclose(f);
    return buf_detach(&b, len);
}

static void
check_fixture(const char *in_name, const char *want_name)
{
    size_t n, wn;
    char *in = read_fixture(in_name, &n);
    char *want = read_fixture(want_name, &wn);
    struct buf b = BUF_INIT;

    text_html_to_plain(in, n, &b);
    if (b.len != wn || memcmp(b.data, want, wn) != 0)
        fail_msg("%s: got\n%s\nwant\n%s", in_name, b.data, want);
    buf_release(&b);
    free(in);
    free(want);
}

static void
check_abstract(const char *in_name, const char *want_name)
{
    size_t n, wn;
    char *in = read_fixture(in_name, &n);
    char *want = read_fixture(want_name, &wn);
    struct buf b = BUF_INIT;

    text_clean_abstract(in, n, TEXT_ABSTRACT_MAX, &b);
    if (b.len != wn || memcmp(b.data, want, wn) != 0)
        fail_msg("%s: got\n%s\nwant\n%s", in_name, b.data, want);
    assert_true(b.len <= TEXT_ABSTRACT_MAX);
    assert_true(u8_valid(b.data, b.len));
    buf_release(&b);
    free(in);
    free(want);
}

/* Valid UTF-8 and no C0 control but "\n" (none at all if one_line). */
static void
assert_clean(const struct buf *b, bool one_line)
{
    size_t i;

    assert_true(u8_valid(b->data, b->len));
    for (i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c < 0x20 && (c != '\n' || one_line))
            fail_msg("control byte 0x%02x at %zu", c, i);
    }
}

static void
test_text_decode_entities_named_and_numeric(void **state)
{
    static const struct pair v[] = {
        {"China &amp; Russia&rsquo;s", "China & Russia\xE2\x80\x99s"},
        {"&lt;p&gt; &quot;x&quot; &apos;y&apos;", "<p> \"x\" 'y'"},
        {"&#8217;&#x2019;&#X2019;&#039;", "\xE2\x80\x99\xE2\x80\x99"
                                          "\xE2\x80\x99'"},
        {"&ldquo;a&rdquo; &ndash; &mdash; &hellip;",
         "\xE2\x80\x9C" "a\xE2\x80\x9D \xE2\x80\x93 \xE2\x80\x94 "
         "\xE2\x80\xA6"},
        {"&euro;5 &trade; &copy; &eacute;&Eacute; &alpha;&Omega;",
         "\xE2\x82\xAC" "5 \xE2\x84\xA2 \xC2\xA9 \xC3\xA9\xC3\x89 "
         "\xCE\xB1\xCE\xA9"},
        {"a&nbsp;b", "a\xC2\xA0" "b"},
        /* HTML5 names beyond HTML 4, one of two code points */
        {"&CounterClockwiseContourIntegral; &fjlig; &NotEqualTilde;",
         "\xE2\x88\xB3 fj \xE2\x89\x82\xCC\xB8"},
        {"&amp;amp;", "&amp;"},
        {"&#x1F9CA;", "\xF0\x9F\xA7\x8A"},
        {"&#8217", "\xE2\x80\x99"}, /* numeric without ';' */
    };
    (void)state;
    CHECK(text_decode_entities, v);
}

static void
test_text_decode_entities_bad_numbers_become_replacement(void **state)
{
    static const struct pair v[] = {
        {"&#0;", "\xEF\xBF\xBD"},
        {"&#xD800;&#xDFFF;", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"&#x110000;", "\xEF\xBF\xBD"},
        {"&#99999999999999999999999;", "\xEF\xBF\xBD"},
        /* Windows-1252 reading of 128-159, as HTML5 does */
        {"&#128;&#146;&#147;&#148;&#150;&#151;&#153;",
         "\xE2\x82\xAC\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x93"
         "\xE2\x80\x94\xE2\x84\xA2"},
        {"&#129;x", "x"}, /* undefined in 1252: a C1 control, dropped */
        {"a&#1;b&#9;c&#10;d", "ab c\nd"},
    };
    (void)state;
    CHECK(text_decode_entities, v);
}

static void
test_text_decode_entities_unknown_and_legacy(void **state)
{
    static const struct pair v[] = {
        {"&unknown; &rsquo &#; &#x; & &;", "&unknown; &rsquo &#; &#x; & &;"},
        {"AT&T R&D Q&A", "AT&T R&D Q&A"},
        /* the legacy names decode without ';' before a non-alnum */
        {"&amp &lt &gt &quot &nbsp &copy.", "& < > \" \xC2\xA0 \xC2\xA9."},
        {"&amp", "&"},
        {"&ampx &copy2", "&ampx &copy2"},
        {"?a=1&copy=2&reg=3", "?a=1&copy=2&reg=3"},
        {"&AMP; &Amp;", "& &Amp;"},
    };
    (void)state;
    CHECK(text_decode_entities, v);
}

static void
test_text_html_to_plain_wordpress_fixture(void **state)
{
    (void)state;
    check_fixture("wordpress.html", "wordpress.expected");
}

static void
test_text_html_to_plain_jats_fixture(void **state)
{
    (void)state;
    check_fixture("jats.xml", "jats.expected");
}

static void
test_text_html_to_plain_crossref_abstract(void **state)
{
    const char *dir = getenv("AD_CONFORMANCE_DIR");
    char path[1024];
    json_t *root, *abstract;
    json_error_t jerr;
    struct buf b = BUF_INIT;
    const char *s;
    (void)state;

    if (dir == NULL)
        oracle_missing("AD_CONFORMANCE_DIR is not set");
    snprintf(path, sizeof(path),
             "%s/real-feeds/crossref-works-10.7554_elife.01567.json", dir);
    if (access(path, R_OK) != 0)
        oracle_missing("Crossref record %s", path);
    /* Present but unparsable is a failure, not a skip. */
    root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
    abstract = json_object_get(json_object_get(root, "message"), "abstract");
    s = json_string_value(abstract);
    assert_non_null(s);
    assert_non_null(strstr(s, "<jats:p>"));
    text_html_to_plain(s, strlen(s), &b);
    assert_true(strncmp(b.data, "Among various advantages, their small", 37)
                == 0);
    assert_true(b.len > 10);
    assert_string_equal(b.data + b.len - 10, "formation.");
    assert_null(strchr(b.data, '<'));
    assert_null(strchr(b.data, '\n'));
    buf_release(&b);
    json_decref(root);
}

static void
test_text_html_to_plain_markup_cases(void **state)
{
    static const struct pair v[] = {
        /* entity-escaped HTML in RSS that libxml2 unescaped once */
        {"<p>China &amp; Russia&rsquo;s</p>", "China & Russia\xE2\x80\x99s"},
        {"<p>a</p><p>b</p><div><div>c</div></div>", "a\n\nb\n\nc"},
        {"<h2>Title</h2>text<hr>more", "Title\n\ntext\n\nmore"},
        {"one<!-- <p>hidden</p> -->two<!-->three", "onetwothree"},
        {"a<!-- never closed", "a"},
        {"<![CDATA[<b>&amp;</b>]]> after", "<b>&amp;</b> after"},
        {"x<script>if (a<b && c>d) {}</script>y<style>p{}</style>z",
         "xyz"},
        {"x<SCRIPT>alert(1)</SCRIPT >y<script src=a.js />z", "xyz"},
        {"x<script>never closed", "x"},
        {"<head><title>T</title></head><body><p>B</p></body>", "B"},
        {"<head>no end of head <p>kept</p>", "no end of head\n\nkept"},
        {"<!DOCTYPE html><?xml version=\"1.0\"?>text", "text"},
        {"<td>a</td><td>b</td>", "a b"},
        {"<a href=\"x\" title='a > b'>link</a> text", "link text"},
        {"<img alt=Don't src=x>y and 'quoted'", "y and 'quoted'"},
        {"<a href=\"unclosed>text</a> more", "text more"},
        {"<jats:p>A</jats:p><JATS:P>B</JATS:P>", "A\n\nB"},
        {"<p>&nbsp;</p><p> &nbsp;x&nbsp; </p>", "x"},
        {"<p>a&nbsp;&nbsp;b</p>", "a\xC2\xA0\xC2\xA0" "b"},
        {"</>x</3", "x</3"},
        {"&lt;p&gt;escaped twice&lt;/p&gt;", "<p>escaped twice</p>"},
    };
    (void)state;
    CHECK(text_html_to_plain, v);
}

static void
test_text_html_to_plain_stray_lt_and_plain_text(void **state)
{
    static const struct pair v[] = {
        {"a < b", "a < b"},
        {"1<2 and 3 <= 4", "1<2 and 3 <= 4"},
        {"x <y and z", "x <y and z"}, /* no '>' after: not a tag */
        {"<b>bold</b> and c<d", "bold and c<d"},
        {"  Plain\ttext \r\n with  spaces  ", "Plain text with spaces"},
        {"Para one\nstill one.\n\n \nPara two.\r\n\r\nThree",
         "Para one still one.\n\nPara two.\n\nThree"},
        {"", ""},
        {"<p></p><br><br>", ""},
    };
    (void)state;
    CHECK(text_html_to_plain, v);
}

static void
test_text_html_to_plain_appends_to_existing(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    buf_append_str(&b, "prefix:");
    text_html_to_plain("<p>a</p><p>b</p>", 16, &b);
    assert_string_equal(b.data, "prefix:a\n\nb");
    buf_release(&b);
}

static void
test_text_html_to_plain_is_linear_on_hostile_input(void **state)
{
    static const char *const units[] = {
        "<a ", "<a href=\"", "<a b='", "</x", "<!", "&amp", "<head>",
        "<script>", "<p>", "<a x=\"1\" ", "&#x1234567",
    };
    const size_t reps = 200000;
    struct buf in = BUF_INIT, out = BUF_INIT;
    size_t u, i;
    (void)state;

    /* Quadratic behaviour would take minutes here, not milliseconds. */
    for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        buf_reset(&in);
        buf_reset(&out);
        for (i = 0; i < reps; i++)
            buf_append_str(&in, units[u]);
        buf_append_str(&in, ">end");
        text_html_to_plain(in.data, in.len, &out);
        assert_clean(&out, false);
    }
    buf_release(&in);
    buf_release(&out);
}

static void
test_text_sanitize_repairs_utf8_and_controls(void **state)
{
    static const struct pair v[] = {
        {"ok \xC3\xA9 \xE2\x80\x99 \xF0\x9F\xA7\x8A",
         "ok \xC3\xA9 \xE2\x80\x99 \xF0\x9F\xA7\x8A"},
        {"\xC0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD"},      /* overlong NUL */
        {"\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* D800 */
        {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                             "\xEF\xBF\xBD"},                  /* > 10FFFF */
        {"\xE2\x82x", "\xEF\xBF\xBDx"}, /* truncated: one U+FFFD */
        {"\xF0\x9F\xA7", "\xEF\xBF\xBD"},
        {"\xFF\xFE", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"a\x01" "b\x7F" "c\td\re\r\nf\x0B" "g", "abc d\ne\nf g"},
        {"Russia\xC2\x92s \xC2\x81", "Russia\xE2\x80\x99s "}, /* C1 */
    };
    (void)state;
    CHECK(text_sanitize, v);
}

static void
test_text_sanitize_keeps_nul_out(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    text_sanitize("a\0b", 3, &b);
    assert_int_equal(b.len, 2);
    assert_string_equal(b.data, "ab");
    buf_release(&b);
}

static void
test_text_one_line_collapses_and_trims(void **state)
{
    static const struct pair v[] = {
        {"  Sino-Russian\n  Arctic\tCooperation \r\n", "Sino-Russian Arctic "
                                                    "Cooperation"},
        {"\xC2\xA0 Title\xC2\xA0", "Title"},
        {"a\xC2\xA0" "b", "a\xC2\xA0" "b"},
        {"a\xE2\x80\xA8" "b\xE2\x80\xA9" "c", "a b c"},
        {"x\x01y\xFFz", "xy\xEF\xBF\xBDz"},
        {" \n\t ", ""},
    };
    (void)state;
    CHECK(text_one_line, v);
}

static void
test_text_escapers(void **state)
{
    static const struct pair md[] = {
        {"*x* [y](z) <b> # 1. a_b", "\\*x\\* \\[y\\]\\(z\\) \\<b\\> \\# 1\\. "
                                    "a\\_b"},
        {"one\ntwo\n\n\nthree", "one two\n\nthree"},
        {"\n\n  lead and trail \n\n", "lead and trail "},
        {"    code?\n    no", "code\\? no"},
        {"Guðbjörg & Co", "Guðbjörg \\& Co"},
    };
    static const struct pair html[] = {
        {"<a href=\"x\">O'Brien & co</a>",
         "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"},
    };
    static const struct pair header[] = {
        {"Subject\r\nBcc: evil@example.org", "Subject  Bcc: evil@example.org"},
    };
    (void)state;
    CHECK(text_escape_markdown, md);
    CHECK(text_escape_html, html);
    CHECK(text_escape_header, header);
}

/* RFC 3986: unreserved characters and those kept stay, every other byte
 * (UTF-8 included) is %XX in capitals. */
static void
test_text_escape_url(void **state)
{
    struct buf b = BUF_INIT;
    const char *in = "10.1080/2154896X.2025 a&b=c~_-Ø";

    (void)state;
    text_escape_url(in, strlen(in), "", &b);
    assert_string_equal(b.data,
                        "10.1080%2F2154896X.2025%20a%26b%3Dc~_-%C3%98");
    buf_reset(&b);
    text_escape_url(in, strlen(in), "/", &b);
    assert_string_equal(b.data, "10.1080/2154896X.2025%20a%26b%3Dc~_-%C3%98");
    buf_release(&b);
}

/* A small deterministic PRNG (xorshift32): tests repeat exactly. */
static uint32_t
next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void
test_text_random_bytes_give_clean_output(void **state)
{
    /* Bytes that matter to the parsers are over-represented. */
    static const char alphabet[] = "<>&;#x/!-=\"' \n\tap1[]?CDATAscript"
                                   "\xC3\xA9\xE2\x80\x99\xF0\x9F\x80\xFF";
    char in[256];
    struct buf b = BUF_INIT;
    uint32_t seed = 0x2545F491u, r;
    size_t it, i, n, k;
    (void)state;

    for (it = 0; it < 10000; it++) {
        n = next_random(&seed) % sizeof(in);
        for (i = 0; i < n; i++) {
            r = next_random(&seed);
            in[i] = (r & 1) ? alphabet[(r >> 1) % (sizeof(alphabet) - 1)]
                            : (char)(r >> 8);
        }
        buf_reset(&b);
        text_html_to_plain(in, n, &b);
        assert_clean(&b, false);
        buf_reset(&b);
        text_decode_entities(in, n, &b);
        assert_clean(&b, false);
        buf_reset(&b);
        text_sanitize(in, n, &b);
        assert_clean(&b, false);
        buf_reset(&b);
        text_one_line(in, n, &b);
        assert_clean(&b, true);
        k = u8_cut(b.data, b.len, n / 2);
        assert_true(k <= n / 2 && u8_valid(b.data, k));
    }
    buf_release(&b);
}

static void
test_text_clean_abstract_fixtures(void **state)
{
    static const char *const names[] = {
        "abstract-html-list.html",        "abstract-jats.xml",
        "abstract-heading-inline.html",   "abstract-wordpress.html",
        "abstract-journal-line.html",     "abstract-ahead-of-print.html",
        "abstract-only-boilerplate.html", "abstract-long.html",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char want[128];
        const char *dot = strrchr(names[i], '.');
        snprintf(want, sizeof(want), "%.*s.expected", (int)(dot - names[i]),
                 names[i]);
        check_abstract(names[i], want);
    }
}

static void
test_text_clean_abstract_never_cuts_inside_utf8(void **state)
{
    struct buf in = BUF_INIT, out = BUF_INIT;
    size_t max;
    (void)state;
    while (in.len < 600)
        buf_append_str(&in, "Sámi þing ");
    for (max = 40; max < 80; max++) {
        buf_reset(&out);
        text_clean_abstract(in.data, in.len, max, &out);
        assert_true(out.len <= max);
        assert_true(u8_valid(out.data, out.len));
        assert_non_null(strstr(out.data, "\u2026"));
    }
    buf_release(&in);
    buf_release(&out);
}

static void
test_text_zero_width_marks_and_years_after_commas(void **state)
{
    struct buf b = BUF_INIT;
    const char *prose = "New records of Maripanthus gloria Caleb, 2021 and "
                        "M. jubatus Maddison, 2020 from India are reported.";
    const char *line = "The Polar Journal, Volume 15, Issue 1, Page 1-20, "
                       "June 2025.";
    (void)state;

    text_one_line("\xEF\xBB\xBFNew\xE2\x80\x8B title", 15, &b);
    assert_string_equal(b.data, "New title");
    buf_reset(&b);
    text_sanitize("a\xEF\xBB\xBF" "b\n", 6, &b);
    assert_string_equal(b.data, "ab\n");
    buf_reset(&b);
    /* a sentence with years after its commas is an abstract; a journal
     * line is none */
    text_clean_abstract(prose, strlen(prose), TEXT_ABSTRACT_MAX, &b);
    assert_string_equal(b.data, prose);
    buf_reset(&b);
    text_clean_abstract(line, strlen(line), TEXT_ABSTRACT_MAX, &b);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_decode_entities_named_and_numeric),
        cmocka_unit_test(
            test_text_decode_entities_bad_numbers_become_replacement),
        cmocka_unit_test(test_text_decode_entities_unknown_and_legacy),
        cmocka_unit_test(test_text_html_to_plain_wordpress_fixture),
        cmocka_unit_test(test_text_html_to_plain_jats_fixture),
        cmocka_unit_test(test_text_clean_abstract_fixtures),
        cmocka_unit_test(test_text_clean_abstract_never_cuts_inside_utf8),
        cmocka_unit_test(test_text_html_to_plain_crossref_abstract),
        cmocka_unit_test(test_text_html_to_plain_markup_cases),
        cmocka_unit_test(test_text_html_to_plain_stray_lt_and_plain_text),
        cmocka_unit_test(test_text_html_to_plain_appends_to_existing),
        cmocka_unit_test(test_text_html_to_plain_is_linear_on_hostile_input),
        cmocka_unit_test(test_text_sanitize_repairs_utf8_and_controls),
        cmocka_unit_test(test_text_sanitize_keeps_nul_out),
        cmocka_unit_test(test_text_one_line_collapses_and_trims),
        cmocka_unit_test(test_text_escapers),
        cmocka_unit_test(test_text_random_bytes_give_clean_output),
        cmocka_unit_test(test_text_zero_width_marks_and_years_after_commas),
        cmocka_unit_test(test_text_escape_url),
    };
    return oracle_exit(
        cmocka_run_group_tests_name("text", tests, NULL, NULL));
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"
#include "arctic_digest/render.h"
#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "unit_files.h"

/* tests/fixtures/render/<name>.md with <name>.expected at width 72 */
static const char *const fixtures[] = {
    "blocks", "headings", "inline", "links", "lists", "wrap",
};

static char *
read_fixture(const char *name, const char *ext, size_t *len)
{
    const char *dir = getenv("AD_FIXTURES");
    char path[1024];
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t got;
    FILE *f;

    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/render/%s%s", dir, name, ext);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open fixture '%s'", path);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, got);
    fclose(f);
    return buf_detach(&b, len);
}

static void
render_ok(const char *md, size_t n, int width, struct buf *out)
{
    struct err e = ERR_INIT;

    if (render_markdown_to_text(md, n, width, out, &e) != 0)
        fail_msg("render failed: %s", e.msg);
}

static size_t
code_points(const char *p, size_t n)
{
    size_t i, w = 0;

    for (i = 0; i < n; i++)
        if (((unsigned char)p[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* A line that may be wider than the text: one word (after the indent
 * and a bullet or number, with its " [n]" reference), a "[n] URL" line,
 * or a code line. */
static bool
may_overflow(const char *p, size_t n)
{
    size_t i = 0, end = n;

    if (n >= 4 && memcmp(p, "    ", 4) == 0)
        return true;
    if (n > 0 && p[0] == '[')
        return true;
    while (i < n && p[i] == ' ')
        i++;
    if (n - i >= 4 && memcmp(p + i, "\xE2\x80\xA2 ", 4) == 0)
        i += 4;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i + 1 < n && p[i] == '.' && p[i + 1] == ' ')
        i += 2;
    while (end > i && p[end - 1] == ']') {
        while (end > i && p[end - 1] != '[')
            end--;
        if (end > i + 1 && p[end - 2] == ' ')
            end -= 2;
        else
            break;
    }
    return memchr(p + i, ' ', end - i) == NULL;
}

static void
check_properties(const char *name, const struct buf *b, size_t width)
{
    size_t start = 0, end;

    assert_true(u8_valid(b->data, b->len));
    assert_true(b->len > 0 && b->data[b->len - 1] == '\n');
    if (b->len > 1 && b->data[b->len - 2] == '\n')
        fail_msg("%s: output ends with a blank line", name);
    if (strstr(b->data, "**") != NULL || strstr(b->data, "](") != NULL)
        fail_msg("%s: markdown left in\n%s", name, b->data);
    while (start < b->len) {
        end = (size_t)((char *)memchr(b->data + start, '\n',
                                      b->len - start) - b->data);
        if (end > start && b->data[start] == '#')
            fail_msg("%s: line starts with '#'", name);
        if (end > start && b->data[end - 1] == ' ')
            fail_msg("%s: trailing space at %zu", name, end);
        if (code_points(b->data + start, end - start) > width &&
            !may_overflow(b->data + start, end - start))
            fail_msg("%s: line over %zu columns: %.*s", name, width,
                     (int)(end - start), b->data + start);
        start = end + 1;
    }
}

static void
test_render_text_golden_fixtures(void **state)
{
    struct buf b = BUF_INIT;
    size_t i, n, wn;
    char *md, *want;
    (void)state;

    for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        md = read_fixture(fixtures[i], ".md", &n);
        want = read_fixture(fixtures[i], ".expected", &wn);
        buf_reset(&b);
        render_ok(md, n, 72, &b);
        if (b.len != wn || memcmp(b.data, want, wn) != 0)
            fail_msg("%s: got\n%s\nwant\n%s", fixtures[i], b.data, want);
        free(md);
        free(want);
    }
    buf_release(&b);
}

static void
test_render_text_fixtures_leave_no_markdown_and_fit(void **state)
{
    static const int widths[] = {72, 40, 24, 12};
    struct buf b = BUF_INIT;
    size_t i, w, n;
    char *md;
    (void)state;

    for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        md = read_fixture(fixtures[i], ".md", &n);
        for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            buf_reset(&b);
            render_ok(md, n, widths[w], &b);
            check_properties(fixtures[i], &b, (size_t)widths[w]);
        }
        free(md);
    }
    buf_release(&b);
}

static void
test_render_text_escaped_title_appears_literally(void **state)
{
    static const char title[] =
        "<script>alert(1)</script> **x** [y](javascript:alert(1))";
    struct buf md = BUF_INIT, b = BUF_INIT;
    (void)state;

    buf_append_str(&md, "## ");
    text_escape_markdown(title, strlen(title), &md);
    buf_append_str(&md, "\n\nBy *A. Author*.\n");
    render_ok(md.data, md.len, 72, &b);
    assert_string_equal(b.data,
                        "<script>alert(1)</script> **x** "
                        "[y](javascript:alert(1))\n"
                        "-----------------------------------------------"
                        "---------\n"
                        "\n"
                        "By A. Author.\n");
    buf_release(&md);
    buf_release(&b);
}

static void
test_render_text_width_zero_means_72_and_negative_fails(void **state)
{
    static const char md[] =
        "word word word word word word word word word word word word word "
        "word word word word word word word word word word word word word";
    struct buf a = BUF_INIT, b = BUF_INIT;
    struct err e = ERR_INIT;
    (void)state;

    render_ok(md, strlen(md), 0, &a);
    render_ok(md, strlen(md), 72, &b);
    assert_string_equal(a.data, b.data);
    assert_non_null(strchr(a.data, '\n'));
    assert_true(strchr(a.data, '\n') - a.data <= 72);
    assert_true(strchr(a.data, '\n') - a.data > 66);

    buf_reset(&b);
    buf_append_str(&b, "kept");
    assert_int_equal(render_markdown_to_text(md, strlen(md), -1, &b, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_string_equal(b.data, "kept");
    buf_release(&a);
    buf_release(&b);
}

static void
test_render_text_empty_input_is_one_newline(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    render_ok("", 0, 72, &b);
    assert_string_equal(b.data, "\n");
    buf_reset(&b);
    render_ok("<div>only raw html</div>\n\n\n", 27, 72, &b);
    assert_string_equal(b.data, "\n");
    buf_release(&b);
}

static void
test_render_text_long_word_is_never_broken(void **state)
{
    static const char md[] = "a Þórshöfn-Ísafjörður-Utqiaġvik b c d e";
    struct buf b = BUF_INIT;
    (void)state;

    render_ok(md, strlen(md), 10, &b);
    assert_string_equal(b.data, "a\nÞórshöfn-Ísafjörður-Utqiaġvik\nb c d e\n");
    buf_reset(&b);
    /* 10 code points fit in 10 columns even though they are 13 bytes */
    render_ok("Þórshöfn á", strlen("Þórshöfn á"), 10, &b);
    assert_string_equal(b.data, "Þórshöfn á\n");
    buf_release(&b);
}

static void
test_render_text_link_reference_stays_with_its_word(void **state)
{
    static const char md[] = "aaaa bbbb [cccc](https://e.org/) dddd "
                             "[eeee](https://e.org/)";
    struct buf b = BUF_INIT;
    (void)state;

    render_ok(md, strlen(md), 12, &b);
    assert_string_equal(b.data, "aaaa bbbb\ncccc [1]\ndddd\neeee [1]\n\n"
                                "Links:\n[1] https://e.org/\n");
    buf_release(&b);
}

/* Many links, each twice: a link seen before keeps its first number, in
 * a table that grows past its first size. */
static void
test_render_text_many_links_keep_their_first_number(void **state)
{
    struct buf md = BUF_INIT, want = BUF_INIT, b = BUF_INIT;
    size_t i, pass;
    (void)state;

    for (pass = 0; pass < 2; pass++)
        for (i = 1; i <= 300; i++)
            buf_appendf(&md, "[t%zu](https://e.org/%zu)\n\n", i, i);
    for (pass = 0; pass < 2; pass++)
        for (i = 1; i <= 300; i++)
            buf_appendf(&want, "t%zu [%zu]\n\n", i, i);
    buf_append_str(&want, "Links:\n");
    for (i = 1; i <= 300; i++)
        buf_appendf(&want, "[%zu] https://e.org/%zu\n", i, i);
    render_ok(md.data, md.len, 72, &b);
    assert_string_equal(b.data, want.data);
    buf_release(&md);
    buf_release(&want);
    buf_release(&b);
}

static void
test_render_text_repairs_bad_bytes(void **state)
{
    static const char md[] = "bad \xFF\xC3 byte\x01s and \xED\xA0\x80.";
    struct buf b = BUF_INIT;
    (void)state;

    render_ok(md, sizeof(md) - 1, 72, &b);
    assert_true(u8_valid(b.data, b.len));
    assert_null(strchr(b.data, '\x01'));
    assert_non_null(strstr(b.data, "\xEF\xBF\xBD"));
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
test_render_text_random_markdown_keeps_invariants(void **state)
{
    static const char alphabet[] = "#*_-+[]()<>!`\\ \n\n>1.ab:/&;\t=~|"
                                   "\xC3\xA9\xE2\x80\x99\xFF";
    char in[300];
    struct buf b = BUF_INIT;
    uint32_t seed = 0x9E3779B9u, r;
    size_t it, i, n, k;
    (void)state;

    for (it = 0; it < 3000; it++) {
        n = next_random(&seed) % sizeof(in);
        for (i = 0; i < n; i++) {
            r = next_random(&seed);
            in[i] = (r % 8 != 0) ? alphabet[(r >> 3) % (sizeof(alphabet) - 1)]
                                 : (char)(r >> 8);
        }
        buf_reset(&b);
        render_ok(in, n, (int)(next_random(&seed) % 30), &b);
        assert_true(u8_valid(b.data, b.len));
        assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
        assert_false(b.len > 1 && b.data[b.len - 2] == '\n');
        for (k = 0; k < b.len; k++) {
            unsigned char c = (unsigned char)b.data[k];
            assert_false(c < 0x20 && c != '\n');
            assert_false(c == '\n' && k > 0 && b.data[k - 1] == ' ');
        }
    }
    buf_release(&b);
}

static void
test_render_html_has_inline_styles_and_article_ids(void **state)
{
    static const char md[] =
        "# T\n\n1. [one](#article-1)\n\n## [One](https://x.example/1)\n\n"
        "p &lt;b&gt; \\<a href=x\\>\n\n---\n\n## Two\n";
    struct buf b = BUF_INIT;
    (void)state;

    assert_int_equal(render_markdown_to_html(md, strlen(md), &b, NULL), 0);
    assert_non_null(strstr(b.data, "<h1 style=\"margin:0 0 16px 0;"));
    assert_non_null(strstr(b.data, "<ol style=\""));
    assert_non_null(strstr(b.data, "<li style=\""));
    assert_non_null(strstr(b.data, "<a style=\"color:#1a5c8f; "
                                   "text-decoration:underline;\" "
                                   "href=\"#article-1\">one</a>"));
    assert_non_null(strstr(b.data, "<h2 id=\"article-1\" style=\""));
    assert_non_null(strstr(b.data, "<h2 id=\"article-2\" style=\""));
    assert_null(strstr(b.data, "article-3"));
    assert_non_null(strstr(b.data, "<hr style=\""));
    /* escaped text stays escaped: no tag is made out of it */
    assert_non_null(strstr(b.data, "p &lt;b&gt; &lt;a href=x&gt;"));
    assert_null(strstr(b.data, "<a href=x"));
    buf_release(&b);
}

/* One issue as a message and as the archive's web page: the same body,
 * the message with its text part, the page with none (nobody reads it,
 * and it is a third of the cost). */
/* Issue no. 3 of "Arctic Digest", the week of July 21, 2025, of the n
 * articles a. */
static void
issue_three(struct render_issue *is, const struct article *a, size_t n)
{
    memset(is, 0, sizeof(*is));
    is->title = "Arctic Digest";
    is->number = 3;
    is->period_start = dt_from_time(1753081200, 0);
    is->period_end = dt_from_time(1753686000, 0);
    is->articles = a;
    is->narticles = n;
}

static void
test_render_issue_web_page_has_the_body_and_no_text(void **state)
{
    const char *dir = getenv("AD_FIXTURES");
    char tpl[1024];
    struct render_templates t = {tpl};
    struct render_output msg, web;
    struct render_issue is;
    struct article a[2];
    struct err e = ERR_INIT;
    size_t i;
    (void)state;

    assert_non_null(dir);
    snprintf(tpl, sizeof(tpl), "%s/../../templates", dir);
    for (i = 0; i < 2; i++) {
        article_init(&a[i]);
        a[i].title = strdup(i ? "Greenland and the Council"
                              : "Svalbard at 105");
        a[i].url = strdup(i ? "https://example.org/g" : "https://example.org/s");
        a[i].abstract = strdup("Access, research and the\tNorwegian rules.");
        article_add_person(&a[i], "Anna", "Hansen", NULL);
    }
    issue_three(&is, a, 2);
    is.to_addr = "anna@example.org";
    render_output_init(&msg);
    render_output_init(&web);
    assert_int_equal(render_issue(&t, &is, &msg, &e), 0);
    is.web = true;
    is.to_addr = NULL;
    assert_int_equal(render_issue(&t, &is, &web, &e), 0);
    assert_non_null(strstr(msg.text.data, "Svalbard at 105"));
    assert_non_null(strstr(msg.text.data, "Access, research and the "
                                          "Norwegian rules."));
    assert_int_equal(web.text.len, 0);
    assert_string_equal(web.subject.data, msg.subject.data);
    assert_non_null(strstr(web.body.data, "id=\"article-2\""));
    assert_non_null(strstr(web.html.data, web.body.data));
    render_output_release(&msg);
    render_output_release(&web);
    for (i = 0; i < 2; i++)
        article_release(&a[i]);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
    unit_write_in(dir, name, text, strlen(text));
}

/* render_issue (the markdown parsed a part at a time) against the
 * markdown rendered whole and parsed whole, with the templates in dir. */
static void
check_parts_equal_whole(const char *dir, const struct render_issue *is)
{
    struct render_templates t = {dir};
    struct render_output out;
    struct buf path = BUF_INIT, md = BUF_INIT, html = BUF_INIT,
               text = BUF_INIT;
    struct tpl_value *data = render_issue_value(is);
    struct err e = ERR_INIT;

    render_output_init(&out);
    assert_int_equal(render_issue(&t, is, &out, &e), 0);
    buf_appendf(&path, "%s/digest.md", dir);
    assert_int_equal(render_template_file(path.data, data, &md, &e), 0);
    assert_int_equal(render_markdown_to_html(md.data, md.len, &html, &e), 0);
    assert_int_equal(
        render_markdown_to_text(md.data, md.len, 72, &text, &e), 0);
    assert_string_equal(out.body.data, html.data);
    if (is->web) /* a web page has no text */
        assert_int_equal(out.text.len, 0);
    else
        assert_string_equal(out.text.data, text.data);
    render_output_release(&out);
    tpl_value_free(data);
    buf_release(&path);
    buf_release(&md);
    buf_release(&html);
    buf_release(&text);
}

/*
 * The digest's markdown is parsed an article at a time; that must give
 * what parsing it whole gives: with the bundled templates (links numbered
 * across the parts, one Links block, the <h2> ids counted on), and with
 * templates whose parts could not stand alone, which are rendered whole:
 * a link reference defined after the articles that use it, and an
 * article that leaves a code block open (it runs on over the next
 * headings).
 */
static void
test_render_issue_in_parts_equals_whole(void **state)
{
    const char *fx = getenv("AD_FIXTURES");
    char bundled[1024], tmp[] = "/tmp/ad-render-XXXXXX", sub[1100];
    struct render_issue is;
    struct article a[5];
    size_t i;
    (void)state;

    assert_non_null(fx);
    assert_non_null(mkdtemp(tmp));
    snprintf(sub, sizeof(sub), "%s/partials", tmp);
    assert_int_equal(mkdir(sub, 0700), 0);
    for (i = 0; i < 5; i++) {
        char title[64], url[64];
        article_init(&a[i]);
        snprintf(title, sizeof(title), "Svalbard \"%zu\" & the *Council*", i);
        snprintf(url, sizeof(url), "https://example.org/a/%zu", i % 3);
        a[i].title = strdup(title);
        a[i].url = strdup(url);
        a[i].abstract = strdup("Access, research and the rules.\n\n"
                               "A second paragraph, with ## in it.");
        article_add_person(&a[i], "Anna", "Hansen", NULL);
    }
    issue_three(&is, a, 5);
    is.to_name = "Anna";
    is.to_addr = "anna@example.org";
    is.archive_url = "https://example.org/archive/";
    snprintf(bundled, sizeof(bundled), "%s/../../templates", fx);
    check_parts_equal_whole(bundled, &is);
    is.web = true;
    check_parts_equal_whole(bundled, &is);
    is.web = false;

    put_file(tmp, "layout.html", "<div>{{{body}}}</div>\n");
    put_file(tmp, "subject.txt", "{{title}}\n");
    put_file(tmp, "digest.md",
             "# {{title}}\n\n{{#articles}}\n{{> article}}\n{{/articles}}\n"
             "---\n\n[archive]: https://example.org/archive \"All\"\n");
    put_file(sub, "article.md",
             "## [{{title}}]({{link}})\n\nSee [the archive][archive] and "
             "[more].\n\n[more]: https://example.org/more\n");
    check_parts_equal_whole(tmp, &is);
    put_file(tmp, "digest.md",
             "# {{title}}\n\n{{#articles}}\n{{> article}}\n{{/articles}}\n"
             "---\n\nThe end.\n");
    put_file(sub, "article.md",
             "## {{title}}\n\n```\ncode of {{index}}\n\n");
    check_parts_equal_whole(tmp, &is);
    put_file(sub, "article.md",
             "## {{title}}\n\n<div>\nraw {{index}}\n");
    check_parts_equal_whole(tmp, &is);

    assert_int_equal(unit_remove_tree(tmp), 0);
    for (i = 0; i < 5; i++)
        article_release(&a[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_text_golden_fixtures),
        cmocka_unit_test(test_render_text_fixtures_leave_no_markdown_and_fit),
        cmocka_unit_test(test_render_text_escaped_title_appears_literally),
        cmocka_unit_test(
            test_render_text_width_zero_means_72_and_negative_fails),
        cmocka_unit_test(test_render_text_empty_input_is_one_newline),
        cmocka_unit_test(test_render_text_long_word_is_never_broken),
        cmocka_unit_test(test_render_text_link_reference_stays_with_its_word),
        cmocka_unit_test(test_render_text_many_links_keep_their_first_number),
        cmocka_unit_test(test_render_text_repairs_bad_bytes),
        cmocka_unit_test(test_render_text_random_markdown_keeps_invariants),
        cmocka_unit_test(test_render_html_has_inline_styles_and_article_ids),
        cmocka_unit_test(test_render_issue_web_page_has_the_body_and_no_text),
        cmocka_unit_test(test_render_issue_in_parts_equals_whole),
    };
    return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}

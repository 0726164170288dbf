#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "arctic_digest/template.h"
#include "oracle.h"

/* ---- helpers ---- */

static void
read_file(const char *path, struct buf *out)
{
    char chunk[8192];
    size_t got;
    FILE *f = fopen(path, "rb");

    if (!f)
        fail_msg("cannot open '%s'", path);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, got);
    fclose(f);
}

static struct tpl_value *
json(const char *text)
{
    struct tpl_value *v = NULL;
    struct err e = ERR_INIT;

    if (tpl_value_from_json(text, strlen(text), &v, &e) < 0)
        fail_msg("bad test JSON: %s", e.msg);
    return v;
}

/* Partials served from a map of name -> template text. */
static int
map_partial(void *ctx, const char *name, struct buf *out)
{
    const struct tpl_value *p = tpl_map_get(ctx, name);

    if (!p || p->type != TPL_STRING)
        return -1;
    buf_append(out, p->str, p->len);
    return 0;
}

/* Render tpl with JSON data; returns 0 or -1, output in out, error in e. */
static int
render(const char *tpl, const char *data_json, const char *partials_json,
       enum tpl_escape esc, struct buf *out, struct err *e)
{
    struct tpl_value *data = data_json ? json(data_json) : NULL;
    struct tpl_value *partials = partials_json ? json(partials_json) : NULL;
    struct tpl_options opt = {NULL, esc, map_partial, partials, NULL, NULL};
    int rc;

    rc = tpl_render(tpl, strlen(tpl), data, &opt, out, e);
    tpl_value_free(data);
    tpl_value_free(partials);
    return rc;
}

static void
assert_renders(const char *tpl, const char *data_json, enum tpl_escape esc,
               const char *expected)
{
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    if (render(tpl, data_json, NULL, esc, &out, &e) < 0)
        fail_msg("render failed: %s", e.msg);
    assert_string_equal(out.data, expected);
    buf_release(&out);
}

static void
assert_error(const char *name, const char *tpl, const char *expected_msg)
{
    struct tpl_options opt = {name, TPL_ESCAPE_HTML, NULL, NULL, NULL, NULL};
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    assert_int_equal(tpl_render(tpl, strlen(tpl), NULL, &opt, &out, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_string_equal(e.msg, expected_msg);
    buf_release(&out);
}

/* ---- the official spec ---- */

static void
run_spec_case(const struct tpl_value *t, int *passed, struct buf *failures)
{
    const struct tpl_value *name = tpl_map_get(t, "name");
    const struct tpl_value *tpl = tpl_map_get(t, "template");
    const struct tpl_value *expected = tpl_map_get(t, "expected");
    struct tpl_options opt = {NULL, TPL_ESCAPE_HTML, map_partial, NULL,
                              NULL, NULL};
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    assert_non_null(name);
    assert_non_null(tpl);
    assert_non_null(expected);
    opt.name = name->str;
    opt.partial_ctx = (void *)tpl_map_get(t, "partials");
    if (tpl_render(tpl->str, tpl->len, tpl_map_get(t, "data"), &opt, &out,
                   &e) == 0 &&
        out.len == expected->len &&
        memcmp(out.data, expected->str, out.len) == 0)
        (*passed)++;
    else
        buf_appendf(failures, "  '%s': got \"%s\" %s\n", name->str, out.data,
                    e.msg);
    buf_release(&out);
}

static void
run_spec_file(const char *file)
{
    const char *dir = getenv("AD_CONFORMANCE_DIR");
    struct buf path = BUF_INIT, text = BUF_INIT, failures = BUF_INIT;
    struct tpl_value *spec = NULL;
    const struct tpl_value *tests;
    struct err e = ERR_INIT;
    struct stat st;
    int passed = 0;
    size_t i;

    buf_appendf(&path, "%s/mustache-spec/specs/%s.json", dir ? dir : "", file);
    if (!dir || stat(path.data, &st) != 0) {
        buf_release(&path);
        oracle_missing("mustache spec %s: '%s/mustache-spec/specs/%s.json' "
                       "not found (set AD_CONFORMANCE_DIR)",
                       file, dir ? dir : "", file);
    }
    read_file(path.data, &text);
    if (tpl_value_from_json(text.data, text.len, &spec, &e) < 0)
        fail_msg("%s: %s", path.data, e.msg);
    tests = tpl_map_get(spec, "tests");
    assert_non_null(tests);
    assert_true(tests->n > 0);
    for (i = 0; i < tests->n; i++)
        run_spec_case(tests->items[i], &passed, &failures);
    printf("mustache spec %s: %d/%zu\n", file, passed, tests->n);
    if ((size_t)passed != tests->n)
        fail_msg("failing cases in %s:\n%s", file, failures.data);
    tpl_value_free(spec);
    buf_release(&path);
    buf_release(&text);
    buf_release(&failures);
}

static void
test_template_spec_comments(void **state)
{
    (void)state;
    run_spec_file("comments");
}

static void
test_template_spec_delimiters(void **state)
{
    (void)state;
    run_spec_file("delimiters");
}

static void
test_template_spec_interpolation(void **state)
{
    (void)state;
    run_spec_file("interpolation");
}

static void
test_template_spec_inverted(void **state)
{
    (void)state;
    run_spec_file("inverted");
}

static void
test_template_spec_partials(void **state)
{
    (void)state;
    run_spec_file("partials");
}

static void
test_template_spec_sections(void **state)
{
    (void)state;
    run_spec_file("sections");
}

/* ---- escaping by target ---- */

static void
test_template_markdown_escape_leaves_no_markup(void **state)
{
    const char *title = "<script>alert(1)</script> **x** "
                        "[y](javascript:alert(1))\r\nBcc: victim@example.com";
    struct tpl_options opt = {"digest.md", TPL_ESCAPE_MARKDOWN, NULL, NULL,
                              NULL, NULL};
    struct tpl_value *data = tpl_map_new();
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;
    size_t i;

    (void)state;
    tpl_map_set_str(data, "title", title);
    assert_int_equal(tpl_render("# {{title}}\n", 12, data, &opt, &out, &e), 0);
    assert_memory_equal(out.data, "# ", 2);
    assert_int_equal(out.data[out.len - 1], '\n');
    for (i = 2; i < out.len - 1; i++) {
        /* Every markup character is backslash-escaped; no line breaks. */
        assert_true(out.data[i] != '\r' && out.data[i] != '\n');
        if (strchr("<>*[]()&!#_`:", out.data[i]))
            assert_int_equal(out.data[i - 1], '\\');
    }
    assert_non_null(strstr(out.data, "\\<script\\>alert\\(1\\)"));
    assert_non_null(strstr(out.data, "victim\\@example\\.com"));
    buf_release(&out);
    tpl_value_free(data);
}

static void
test_template_triple_mustache_is_verbatim_in_every_target(void **state)
{
    enum tpl_escape targets[] = {TPL_ESCAPE_NONE, TPL_ESCAPE_HTML,
                                 TPL_ESCAPE_MARKDOWN, TPL_ESCAPE_HEADER};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        assert_renders("{{{x}}}|{{&x}}", "{\"x\": \"<*a*>\"}", targets[i],
                       "<*a*>|<*a*>");
}

static void
test_template_header_target_drops_cr_lf(void **state)
{
    (void)state;
    assert_renders("Subject: {{s}}", "{\"s\": \"Hi\\r\\nBcc: x@y.z <&>\"}",
                   TPL_ESCAPE_HEADER, "Subject: Hi  Bcc: x@y.z <&>");
}

static void
test_template_html_and_none_targets(void **state)
{
    (void)state;
    assert_renders("{{s}}", "{\"s\": \"a & b <i> \\\"q\\\" 'x'\"}",
                   TPL_ESCAPE_HTML, "a &amp; b &lt;i&gt; &quot;q&quot; 'x'");
    assert_renders("{{s}}", "{\"s\": \"a & b <i>\"}", TPL_ESCAPE_NONE,
                   "a & b <i>");
}

static void
test_template_escape_for_name_follows_extension(void **state)
{
    (void)state;
    assert_int_equal(tpl_escape_for_name("digest.md"), TPL_ESCAPE_MARKDOWN);
    assert_int_equal(tpl_escape_for_name("t/layout.html"), TPL_ESCAPE_HTML);
    assert_int_equal(tpl_escape_for_name("page.htm"), TPL_ESCAPE_HTML);
    assert_int_equal(tpl_escape_for_name("subject.txt"), TPL_ESCAPE_HEADER);
    assert_int_equal(tpl_escape_for_name("partial.mustache"), TPL_ESCAPE_HTML);
    assert_int_equal(tpl_escape_for_name("v1.d/noext"), TPL_ESCAPE_HTML);
}

/* ---- errors ---- */

static void
test_template_errors_name_line_and_column(void **state)
{
    (void)state;
    assert_error("digest.md", "Title\n\n  x {{#articles}}\n- {{title}}\n",
                 "template 'digest.md' line 3, column 5: "
                 "unclosed section 'articles'");
    assert_error(NULL, "{{#a}}\n  {{/b}}",
                 "template '<string>' line 2, column 3: "
                 "expected {{/a}}, found {{/b}}");
    assert_error("t.html", "é, {{name", /* columns count characters */
                 "template 't.html' line 1, column 4: unclosed tag");
    assert_error("t.html", "a\r\nb {{=<% =}}",
                 "template 't.html' line 2, column 3: "
                 "invalid set-delimiter tag");
    assert_error("t.html", "x {{ }}",
                 "template 't.html' line 1, column 3: empty tag name");
    assert_error("t.html", "{{/a}}",
                 "template 't.html' line 1, column 1: unexpected {{/a}}");
    assert_error("t.html", "{{a..b}}",
                 "template 't.html' line 1, column 1: invalid tag name 'a..b'");
    assert_error("t.html", "{{=<% %>=}}\n<%#a%>\n<%/b%>",
                 "template 't.html' line 3, column 1: "
                 "expected <%/a%>, found <%/b%>");
}

static void
test_template_partial_errors_name_the_partial(void **state)
{
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    /* The column is that in the partial's own text, before indentation. */
    assert_int_equal(render("x\n    {{>item}}\n", "{}",
                            "{\"item\": \"ok\\n{{#a}}\\n\"}", TPL_ESCAPE_HTML,
                            &out, &e),
                     -1);
    assert_string_equal(
        e.msg, "template 'item' line 2, column 1: unclosed section 'a'");
    buf_release(&out);
}

/* ---- partials ---- */

static void
test_template_missing_partial_renders_empty(void **state)
{
    struct tpl_options opt = {NULL, TPL_ESCAPE_HTML, NULL, NULL, NULL, NULL};
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_renders("[{{>nope}}]", "{}", TPL_ESCAPE_HTML, "[]");
    /* No partial callback at all: the same. */
    assert_int_equal(tpl_render("[{{>nope}}]", 11, NULL, &opt, &out, &e), 0);
    assert_string_equal(out.data, "[]");
    buf_release(&out);
}

static void
test_template_partial_recursion_is_capped(void **state)
{
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(render("{{>self}}", "{}", "{\"self\": \"x{{>self}}\"}",
                            TPL_ESCAPE_HTML, &out, &e),
                     -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_string_equal(e.msg, "template 'self' line 1, column 2: "
                               "partials nested deeper than 100 at 'self'");
    buf_release(&out);
}

static void
test_template_partial_recursion_through_data_works(void **state)
{
    struct tpl_value *data = tpl_map_new(), *node = data, *kids;
    struct tpl_value *partials = json("{\"n\": \"{{d}}{{#k}}{{>n}}{{/k}}\"}");
    struct tpl_options opt = {NULL, TPL_ESCAPE_HTML, map_partial, partials,
                              NULL, NULL};
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;
    int depth;

    (void)state;
    for (depth = 0; depth < 90; depth++) {
        tpl_map_set_num(node, "d", depth % 10);
        kids = tpl_list_new();
        tpl_map_set(node, "k", kids);
        node = tpl_map_new();
        tpl_list_push(kids, node);
    }
    /* The leaf needs its own keys, or the names resolve in its parent. */
    tpl_map_set(node, "k", tpl_list_new());
    tpl_map_set_str(node, "d", "");
    if (tpl_render("{{>n}}", 6, data, &opt, &out, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(out.len, 90);
    assert_memory_equal(out.data, "0123456789", 10);
    buf_release(&out);
    tpl_value_free(data);
    tpl_value_free(partials);
}

static void
test_template_deep_section_nesting_errors(void **state)
{
    struct buf tpl = BUF_INIT, out = BUF_INIT;
    struct tpl_value *data = json("{\"a\": true}");
    struct err e = ERR_INIT;
    int i;

    (void)state;
    for (i = 0; i < 5000; i++)
        buf_append_str(&tpl, "{{#a}}");
    for (i = 0; i < 5000; i++)
        buf_append_str(&tpl, "{{/a}}");
    assert_int_equal(tpl_render(tpl.data, tpl.len, data, NULL, &out, &e), -1);
    assert_non_null(strstr(e.msg, "nested deeper than 1000"));
    buf_release(&tpl);
    buf_release(&out);
    tpl_value_free(data);
}

/* ---- values and JSON ---- */

static void
test_template_json_round_trip_keeps_order_and_utf8(void **state)
{
    const char *in = "{ \"zeta\": 1, \"alpha\": [true, false, null, 1.21, "
                     "\"Guðbjörg \\u00e9\\u0001\\\"\\\\\\n\\/\"],\n"
                     " \"m\": {\"y\": {}, \"b\": []}, \"big\": 1e21, "
                     "\"neg\": -0.5 }";
    const char *expected = "{\"zeta\":1,\"alpha\":[true,false,null,1.21,"
                           "\"Guðbjörg é\\u0001\\\"\\\\\\n/\"],"
                           "\"m\":{\"y\":{},\"b\":[]},\"big\":1e+21,"
                           "\"neg\":-0.5}";
    struct tpl_value *v = json(in), *again;
    struct buf out = BUF_INIT, out2 = BUF_INIT;

    (void)state;
    tpl_value_to_json(v, &out);
    assert_string_equal(out.data, expected);
    /* And the output reads back to the same text. */
    again = json(out.data);
    tpl_value_to_json(again, &out2);
    assert_string_equal(out2.data, expected);
    buf_release(&out);
    buf_release(&out2);
    tpl_value_free(v);
    tpl_value_free(again);
}

static void
test_template_numbers_render_shortest(void **state)
{
    (void)state;
    assert_renders("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}}",
                   "{\"a\": 85, \"b\": 1.21, \"c\": 1e21, "
                   "\"d\": 100000000000000000000, \"e\": 12345678901234567890,"
                   " \"f\": 0.1, \"g\": 1e-7, \"h\": -0, \"i\": 0.000001}",
                   TPL_ESCAPE_NONE,
                   "85 1.21 1e+21 100000000000000000000 "
                   "12345678901234567000 0.1 1e-7 0 0.000001");
    assert_renders("{{x}}", "{\"x\": 0.30000000000000004}", TPL_ESCAPE_NONE,
                   "0.30000000000000004");
    assert_renders("{{x}}", "{\"x\": -2.5e-300}", TPL_ESCAPE_NONE, "-2.5e-300");
    /* Integers take a short way below 1e15; the digits on both sides of
     * that line are the ones the shortest round trip gives. */
    assert_renders("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
                   "{\"a\": 7, \"b\": -42, \"c\": 999999999999999, "
                   "\"d\": 1000000000000000, \"e\": 4503599627370497, "
                   "\"f\": -1e15, \"g\": 1e16}",
                   TPL_ESCAPE_NONE,
                   "7 -42 999999999999999 1000000000000000 4503599627370497 "
                   "-1000000000000000 10000000000000000");
}

/* A string keeps every byte of its length, NULs included, and the same
 * value can be replaced and freed (strings share their value's
 * allocation). */
static void
test_template_strings_keep_their_length(void **state)
{
    struct tpl_value *m = tpl_map_new();
    const struct tpl_value *v;
    (void)state;

    tpl_map_set(m, "s", tpl_str_new("a\0b", 3));
    v = tpl_map_get(m, "s");
    assert_int_equal(v->type, TPL_STRING);
    assert_int_equal(v->len, 3);
    assert_memory_equal(v->str, "a\0b", 4);
    tpl_map_set(m, "s", tpl_str_new("", 0));
    v = tpl_map_get(m, "s");
    assert_int_equal(v->len, 0);
    assert_string_equal(v->str, "");
    tpl_map_set_str(m, "s", NULL);
    assert_int_equal(tpl_map_get(m, "s")->type, TPL_NULL);
    tpl_value_free(m);
}

static void
test_template_json_errors_give_line_and_column(void **state)
{
    struct tpl_value *v = NULL;
    struct err e = ERR_INIT;
    const char *bad = "{\n  \"a\": tru\n}";

    (void)state;
    assert_int_equal(tpl_value_from_json(bad, strlen(bad), &v, &e), -1);
    assert_null(v);
    assert_int_equal(e.code, ERR_DATA);
    assert_string_equal(e.msg, "invalid JSON at line 2, column 10: "
                               "invalid token near 'tru'");
}

static void
test_template_map_set_replaces_in_place(void **state)
{
    struct tpl_value *m = tpl_map_new();
    struct buf out = BUF_INIT;

    (void)state;
    tpl_map_set_str(m, "a", "1");
    tpl_map_set_num(m, "b", 2);
    tpl_map_set_bool(m, "a", true);
    tpl_map_set_str(m, "c", NULL);
    tpl_value_to_json(m, &out);
    assert_string_equal(out.data, "{\"a\":true,\"b\":2,\"c\":null}");
    assert_int_equal(tpl_map_get(m, "b")->type, TPL_NUMBER);
    assert_null(tpl_map_get(m, "zz"));
    assert_null(tpl_map_get(tpl_map_get(m, "b"), "x"));
    buf_release(&out);
    tpl_value_free(m);
}

/* ---- rendering details ---- */

static void
test_template_falsey_values_skip_sections(void **state)
{
    (void)state;
    assert_renders("{{#s}}S{{/s}}{{#z}}Z{{/z}}{{#m}}M{{/m}}{{^s}}!s{{/s}}",
                   "{\"s\": \"\", \"z\": 0, \"m\": {}}", TPL_ESCAPE_NONE,
                   "M!s");
    assert_renders("{{b}} {{l}}", "{\"b\": true, \"l\": [1, \"x\"]}",
                   TPL_ESCAPE_NONE, "true [1,\"x\"]");
}

static void
test_template_null_data_is_empty_context(void **state)
{
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(
        tpl_render("a{{x}}{{.}}{{^x}}b{{/x}}", 24, NULL, NULL, &out, &e), 0);
    assert_string_equal(out.data, "ab");
    buf_release(&out);
}

static void
test_template_large_list_renders_fast(void **state)
{
    struct tpl_value *data = tpl_map_new(), *list = tpl_list_new(), *item;
    const char *tpl = "{{#items}}\n- {{title}} ({{n}})\n{{/items}}\n";
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;
    clock_t start;
    int i;

    (void)state;
    for (i = 0; i < 10000; i++) {
        item = tpl_map_new();
        tpl_map_set_str(item, "title", "Arctic & <Security>");
        tpl_map_set_num(item, "n", i);
        tpl_list_push(list, item);
    }
    tpl_map_set(data, "items", list);
    start = clock();
    assert_int_equal(tpl_render(tpl, strlen(tpl), data, NULL, &out, &e), 0);
    /* Generous even under sanitizers; quadratic behaviour takes far more. */
    assert_true(clock() - start < 2 * CLOCKS_PER_SEC);
    assert_non_null(
        strstr(out.data, "- Arctic &amp; &lt;Security&gt; (9999)\n"));
    assert_memory_equal(out.data, "- Arctic &amp; &lt;Security&gt; (0)\n", 36);
    buf_release(&out);
    tpl_value_free(data);
}

/* A list made on demand: how many of its items are alive at once. */
struct lazy_items {
    size_t made, live, most_live;
};

static struct tpl_value *
lazy_item(void *ctx, size_t k)
{
    struct lazy_items *li = ctx;
    struct tpl_value *v = tpl_map_new();

    li->made++;
    li->live++;
    if (li->live > li->most_live)
        li->most_live = li->live;
    tpl_map_set_num(v, "k", (double)k);
    tpl_map_set_str(v, "name", k % 2 ? "odd" : "even & <b>");
    return v;
}

static void
lazy_ctx_free(void *ctx)
{
    struct lazy_items *li = ctx;

    li->made += 1000; /* seen by the test: the list released its ctx */
}

static void
test_template_lazy_list_renders_like_a_list(void **state)
{
    struct lazy_items li = {0, 0, 0};
    struct tpl_value *data = tpl_map_new(), *plain = tpl_map_new();
    struct tpl_value *list = tpl_list_new(), *json_list;
    const char *tpl = "{{#items}}{{k}}:{{name}};{{/items}}{{^items}}none"
                      "{{/items}}|{{items}}|{{#items}}{{k}}{{/items}}";
    struct buf lazy_out = BUF_INIT, plain_out = BUF_INIT, json = BUF_INIT;
    struct err e = ERR_INIT;
    size_t k;

    (void)state;
    tpl_map_set(data, "items", tpl_list_lazy_new(3, lazy_item, &li, NULL));
    for (k = 0; k < 3; k++)
        tpl_list_push(list, lazy_item(&li, k));
    tpl_map_set(plain, "items", list);
    li.made = 0;
    assert_int_equal(tpl_render(tpl, strlen(tpl), data, NULL, &lazy_out, &e),
                     0);
    assert_int_equal(
        tpl_render(tpl, strlen(tpl), plain, NULL, &plain_out, &e), 0);
    assert_string_equal(lazy_out.data, plain_out.data);
    assert_string_equal(lazy_out.data,
                        "0:even &amp; &lt;b&gt;;1:odd;2:even &amp; &lt;b&gt;;"
                        "|[{&quot;k&quot;:0,&quot;name&quot;:&quot;even "
                        "&amp; &lt;b&gt;&quot;},{&quot;k&quot;:1,&quot;"
                        "name&quot;:&quot;odd&quot;},{&quot;k&quot;:2,"
                        "&quot;name&quot;:&quot;even &amp; &lt;b&gt;&quot;"
                        "}]|012");
    /* three items for each of the two sections and the JSON */
    assert_int_equal(li.made, 9);
    json_list = tpl_list_lazy_new(2, lazy_item, &li, lazy_ctx_free);
    tpl_value_to_json(json_list, &json);
    assert_string_equal(json.data, "[{\"k\":0,\"name\":\"even & <b>\"},"
                                   "{\"k\":1,\"name\":\"odd\"}]");
    tpl_list_push(json_list, tpl_null_new()); /* refused */
    assert_int_equal(json_list->n, 2);
    li.made = 0;
    tpl_value_free(json_list);
    assert_int_equal(li.made, 1000);
    buf_release(&lazy_out);
    buf_release(&plain_out);
    buf_release(&json);
    tpl_value_free(data);
    tpl_value_free(plain);
}

/* Frees what the lazy items count as live. */
static void
count_free(struct lazy_items *li, size_t n)
{
    li->live -= n;
}

/* A drain that takes everything up to the last ';' and counts items
 * rendered. */
struct drained {
    struct buf taken;
    size_t calls;
    struct lazy_items *li;
};

static int
take_to_semicolon(void *ctx, struct buf *out, struct err *e)
{
    struct drained *d = ctx;
    const char *semi = strrchr(out->data, ';');
    size_t n;

    (void)e;
    d->calls++;
    /* the engine freed the item before calling: one alive at a time */
    count_free(d->li, 1);
    if (!semi)
        return 0;
    n = (size_t)(semi - out->data) + 1;
    buf_append(&d->taken, out->data, n);
    memmove(out->data, out->data + n, out->len - n + 1);
    out->len -= n;
    return 0;
}

static int
drain_fails(void *ctx, struct buf *out, struct err *e)
{
    (void)ctx;
    (void)out;
    return err_set(e, ERR_DATA, 0, "drained out");
}

static void
test_template_drain_takes_output_after_each_lazy_item(void **state)
{
    struct lazy_items li = {0, 0, 0};
    struct drained d = {BUF_INIT, 0, &li};
    struct tpl_value *data = tpl_map_new();
    struct tpl_options opt = {NULL, TPL_ESCAPE_NONE, NULL, NULL,
                              take_to_semicolon, &d};
    const char *tpl = "<{{#items}}{{k}};{{/items}}>";
    struct buf out = BUF_INIT, big = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    tpl_map_set(data, "items", tpl_list_lazy_new(1000, lazy_item, &li, NULL));
    assert_int_equal(tpl_render(tpl, strlen(tpl), data, &opt, &out, &e), 0);
    assert_int_equal(d.calls, 1000);
    assert_int_equal(li.most_live, 1);
    /* what was taken and what is left are the whole output, in order */
    buf_append(&d.taken, out.data, out.len);
    for (size_t k = 0; k < 1000; k++)
        buf_appendf(&big, "%s%zu;", k ? "" : "<", k);
    buf_append_char(&big, '>');
    assert_string_equal(d.taken.data, big.data);
    assert_string_equal(out.data, ">");
    /* a drain's error stops the render with it */
    buf_reset(&out);
    opt.drain = drain_fails;
    assert_int_equal(tpl_render(tpl, strlen(tpl), data, &opt, &out, &e), -1);
    assert_string_equal(e.msg, "drained out");
    assert_string_equal(out.data, "<0;");
    buf_release(&d.taken);
    buf_release(&out);
    buf_release(&big);
    tpl_value_free(data);
}

static void
test_template_borrowed_string_is_not_copied(void **state)
{
    char text[] = "<p>body</p>";
    struct tpl_value *data = tpl_map_new(), *v = tpl_str_borrow(text, 11);
    const char *tpl = "{{#body}}[{{{body}}}|{{body}}]{{/body}}";
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_ptr_equal(v->str, text);
    assert_int_equal(v->len, 11);
    tpl_map_set(data, "body", v);
    assert_int_equal(tpl_render(tpl, strlen(tpl), data, NULL, &out, &e), 0);
    assert_string_equal(out.data, "[<p>body</p>|&lt;p&gt;body&lt;/p&gt;]");
    tpl_value_free(data); /* must not free text (ASan would say) */
    assert_string_equal(text, "<p>body</p>");
    buf_release(&out);
}

/* A made string: "<" and arg, or "" for a negative arg; counts calls. */
static void
make_text(const void *ctx, int arg, struct buf *out)
{
    size_t *calls = (size_t *)ctx;

    (*calls)++;
    if (arg >= 0)
        buf_appendf(out, "<%d", arg);
}

static void
test_template_made_string_is_made_when_used(void **state)
{
    size_t calls = 0;
    struct tpl_value *data = tpl_map_new(), *m = tpl_map_new();
    const char *tpl = "{{#a}}[{{a}}|{{{a}}}]{{/a}}{{^e}}no e{{/e}}";
    struct buf out = BUF_INIT, json = BUF_INIT;
    struct err e = ERR_INIT;

    (void)state;
    tpl_map_set(m, "a", tpl_str_made_new(make_text, &calls, 7));
    tpl_map_set(m, "e", tpl_str_made_new(make_text, &calls, -1));
    tpl_map_set(m, "unused", tpl_str_made_new(make_text, &calls, 1));
    tpl_map_set(data, "m", m);
    assert_int_equal(calls, 0);
    assert_int_equal(tpl_render(tpl, strlen(tpl), m, NULL, &out, &e), 0);
    /* escaped, raw; an empty one is falsey */
    assert_string_equal(out.data, "[&lt;7|<7]no e");
    /* the section's test, the two tags and the inverted one: never the
     * unused one */
    assert_int_equal(calls, 4);
    tpl_value_to_json(data, &json);
    assert_string_equal(json.data,
                        "{\"m\":{\"a\":\"<7\",\"e\":\"\",\"unused\":\"<1\"}}");
    buf_release(&out);
    buf_release(&json);
    tpl_value_free(data);
}

static void
test_template_golden_digest_fixture(void **state)
{
    const char *dir = getenv("AD_FIXTURES");
    struct buf path = BUF_INIT, tpl = BUF_INIT, data_text = BUF_INIT;
    struct buf expected = BUF_INIT, partial = BUF_INIT, out = BUF_INIT;
    struct tpl_value *data = NULL, *partials = tpl_map_new();
    struct tpl_options opt = {"digest.md", TPL_ESCAPE_MARKDOWN, map_partial,
                              partials, NULL, NULL};
    struct err e = ERR_INIT;

    (void)state;
    assert_non_null(dir);
    buf_appendf(&path, "%s/template/digest.md", dir);
    read_file(path.data, &tpl);
    buf_appendf(&path, ".expected");
    read_file(path.data, &expected);
    buf_reset(&path);
    buf_appendf(&path, "%s/template/digest.json", dir);
    read_file(path.data, &data_text);
    buf_reset(&path);
    buf_appendf(&path, "%s/template/article.md", dir);
    read_file(path.data, &partial);
    tpl_map_set_str(partials, "article.md", partial.data);
    if (tpl_value_from_json(data_text.data, data_text.len, &data, &e) < 0)
        fail_msg("%s", e.msg);
    if (tpl_render(tpl.data, tpl.len, data, &opt, &out, &e) < 0)
        fail_msg("%s", e.msg);
    assert_string_equal(out.data, expected.data);
    tpl_value_free(data);
    tpl_value_free(partials);
    buf_release(&path);
    buf_release(&tpl);
    buf_release(&data_text);
    buf_release(&expected);
    buf_release(&partial);
    buf_release(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_spec_comments),
        cmocka_unit_test(test_template_spec_delimiters),
        cmocka_unit_test(test_template_spec_interpolation),
        cmocka_unit_test(test_template_spec_inverted),
        cmocka_unit_test(test_template_spec_partials),
        cmocka_unit_test(test_template_spec_sections),
        cmocka_unit_test(test_template_markdown_escape_leaves_no_markup),
        cmocka_unit_test(
            test_template_triple_mustache_is_verbatim_in_every_target),
        cmocka_unit_test(test_template_header_target_drops_cr_lf),
        cmocka_unit_test(test_template_html_and_none_targets),
        cmocka_unit_test(test_template_escape_for_name_follows_extension),
        cmocka_unit_test(test_template_errors_name_line_and_column),
        cmocka_unit_test(test_template_partial_errors_name_the_partial),
        cmocka_unit_test(test_template_missing_partial_renders_empty),
        cmocka_unit_test(test_template_partial_recursion_is_capped),
        cmocka_unit_test(test_template_partial_recursion_through_data_works),
        cmocka_unit_test(test_template_deep_section_nesting_errors),
        cmocka_unit_test(test_template_json_round_trip_keeps_order_and_utf8),
        cmocka_unit_test(test_template_numbers_render_shortest),
        cmocka_unit_test(test_template_strings_keep_their_length),
        cmocka_unit_test(test_template_json_errors_give_line_and_column),
        cmocka_unit_test(test_template_map_set_replaces_in_place),
        cmocka_unit_test(test_template_falsey_values_skip_sections),
        cmocka_unit_test(test_template_null_data_is_empty_context),
        cmocka_unit_test(test_template_large_list_renders_fast),
        cmocka_unit_test(test_template_lazy_list_renders_like_a_list),
        cmocka_unit_test(
            test_template_drain_takes_output_after_each_lazy_item),
        cmocka_unit_test(test_template_borrowed_string_is_not_copied),
        cmocka_unit_test(test_template_made_string_is_made_when_used),
        cmocka_unit_test(test_template_golden_digest_fixture),
    };

    return oracle_exit(
        cmocka_run_group_tests_name("template", tests, NULL, NULL));
}

/*
 * compose: one subscriber's message through the public API, with the
 * project's own templates: the same inputs give the same bytes, personal
 * parts land in the right places, topics, format, tokens and citation
 * attachments follow the recipient and the config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arctic_digest/compose.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"

#define SECRET "unit test secret"

struct fixture {
    struct config cfg;
    struct context ctx;
    struct article a[3];
    struct compose_issue is;
    char *nato[1];
    struct config_topic topic;
};

static void
set(char **field, const char *v)
{
    free(*field);
    *field = v ? xstrdup(v) : NULL;
}

static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    const char *fx = getenv("AD_FIXTURES");
    char path[4096];
    size_t i;
    static const char *const titles[] = {"NATO's northern flank",
                                         "Arctic police cooperation",
                                         "Sámi Parliament elections"};

    config_defaults(&f->cfg, NULL);
    snprintf(path, sizeof(path), "%s/../../templates", fx ? fx : "tests/fixtures");
    set(&f->cfg.templates, path);
    set(&f->cfg.unsubscribe_url, "https://example.org/unsubscribe");
    f->nato[0] = "NATO";
    f->topic = (struct config_topic){"nato", f->nato, 1, 1};
    f->cfg.topics = &f->topic;
    f->cfg.ntopics = 1;
    f->ctx.cfg = &f->cfg;
    f->ctx.now = dt_from_time(1753686000, 7200); /* 2025-07-28 */
    for (i = 0; i < 3; i++) {
        article_init(&f->a[i]);
        f->a[i].title = xstrdup(titles[i]);
        f->a[i].url = xstrdup("https://example.org/a");
        f->a[i].container = xstrdup("The Polar Journal");
        f->a[i].published = dt_from_time(1753600000 + (int64_t)i, 0);
        article_add_person(&f->a[i], "Anna", "Ødegaard", NULL);
    }
    f->is = (struct compose_issue){7, 1753081200, 1753686000, f->a, 3};
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    size_t i;

    f->cfg.topics = NULL;
    f->cfg.ntopics = 0;
    config_release(&f->cfg);
    for (i = 0; i < 3; i++)
        article_release(&f->a[i]);
    free(f);
    return 0;
}

/* Compose r's message with a fresh composer; secret may be "". */
static void
compose(struct fixture *f, const char *secret,
        const struct compose_recipient *r, struct buf *eml,
        struct compose_parts *parts)
{
    struct composer *cp = NULL;
    struct err e = ERR_INIT;

    assert_int_equal(compose_new(&f->ctx, &f->is, secret, strlen(secret),
                                 &cp, &e),
                     0);
    assert_int_equal(compose_message(cp, r, eml, parts, &e), 0);
    compose_free(cp);
}

static void
test_compose_same_inputs_same_bytes(void **state)
{
    struct fixture *f = *state;
    struct compose_recipient r = {"anna@example.org", "Anna Ødegaard",
                                  NULL, 0, false};
    struct compose_recipient other = {"bo@example.org", "Anna Ødegaard",
                                      NULL, 0, false};
    struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;

    compose(f, SECRET, &r, &a, NULL);
    compose(f, SECRET, &r, &b, NULL);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    compose(f, SECRET, &other, &c, NULL);
    /* Another address: another Message-ID. */
    assert_true(strstr(a.data, "Message-ID:") != NULL);
    assert_false(a.len == c.len && !memcmp(a.data, c.data, a.len));
    buf_release(&a);
    buf_release(&b);
    buf_release(&c);
}

static void
test_compose_personal_parts_and_token(void **state)
{
    struct fixture *f = *state;
    struct compose_recipient r = {"anna@example.org", "Anna <Ø>", NULL, 0,
                                  false};
    struct compose_parts p = COMPOSE_PARTS_INIT;
    struct buf eml = BUF_INIT, token = BUF_INIT, link = BUF_INIT;

    compose(f, SECRET, &r, &eml, &p);
    assert_int_equal(
        subs_token_make(SECRET, strlen(SECRET), r.address, &token), 0);
    buf_appendf(&link, "https://example.org/unsubscribe?token=%s",
                token.data);
    assert_non_null(strstr(p.text.data, "Dear Anna <Ø>,"));
    assert_non_null(strstr(p.html.data, "Dear Anna &lt;Ø&gt;,"));
    assert_non_null(strstr(p.text.data, "as anna@example.org"));
    assert_non_null(strstr(p.text.data, link.data));
    assert_non_null(strstr(eml.data, link.data)); /* List-Unsubscribe */
    assert_non_null(
        strstr(eml.data, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert_null(strstr(eml.data, "zqAD"));
    assert_null(strstr(p.html.data, "zqAD"));
    assert_int_equal(p.narticles, 3);
    compose_parts_release(&p);
    buf_release(&eml);
    buf_release(&token);
    buf_release(&link);
}

static void
test_compose_without_secret_no_token_link(void **state)
{
    struct fixture *f = *state;
    struct compose_recipient r = {"anna@example.org", NULL, NULL, 0, false};
    struct compose_parts p = COMPOSE_PARTS_INIT;
    struct buf eml = BUF_INIT;

    compose(f, "", &r, &eml, &p);
    assert_null(strstr(eml.data, "token="));
    assert_null(strstr(eml.data, "List-Unsubscribe-Post"));
    assert_non_null(strstr(eml.data, "<mailto:"));
    assert_null(strstr(p.text.data, "Dear"));
    compose_parts_release(&p);
    buf_release(&eml);
}

static void
test_compose_topics_format_and_attachments(void **state)
{
    struct fixture *f = *state;
    char *tags[] = {"NATO"};
    struct compose_recipient r = {"n@example.org", NULL, tags, 1, true};
    struct compose_parts p = COMPOSE_PARTS_INIT;
    struct buf eml = BUF_INIT;

    compose(f, SECRET, &r, &eml, &p);
    assert_int_equal(p.narticles, 1); /* whole words: not "police" */
    assert_non_null(strstr(p.text.data, "NATO's northern flank"));
    assert_null(strstr(p.text.data, "police"));
    assert_int_equal(p.html.len, 0);
    assert_null(strstr(eml.data, "text/html"));
    assert_non_null(strstr(eml.data, "multipart/mixed"));
    assert_non_null(strstr(eml.data, "citations.bib"));
    assert_non_null(strstr(eml.data, "citations.ris"));
    compose_parts_release(&p);
    buf_reset(&eml);
    f->cfg.attach_citations = false;
    compose(f, SECRET, &r, &eml, NULL);
    assert_null(strstr(eml.data, "citations.bib"));
    assert_null(strstr(eml.data, "multipart/mixed"));
    f->cfg.attach_citations = true;
    buf_release(&eml);
}

/*
 * One composer, many recipients, as send uses it: the messages in pieces
 * are byte for byte those a fresh composer makes for each alone, whatever
 * came before (a text-only recipient after an HTML one of the same
 * variant, and the other way round, share one prepared body), and the
 * bodies for preview are right after the first message too.
 */
static void
test_compose_one_composer_for_many_equals_one_each(void **state)
{
    struct fixture *f = *state;
    char *tags[] = {"NATO"};
    const struct compose_recipient rs[] = {
        {"anna@example.org", "Anna", NULL, 0, false},
        {"bo@example.org", "Bo", NULL, 0, true},
        {"cy@example.org", "Cy", NULL, 0, false},
        {"n@example.org", NULL, tags, 1, true},
        {"m@example.org", NULL, tags, 1, false},
        {"anna@example.org", "Anna", NULL, 0, false},
    };
    struct composer *cp = NULL;
    struct err e = ERR_INIT;
    size_t i;

    assert_int_equal(
        compose_new(&f->ctx, &f->is, SECRET, strlen(SECRET), &cp, &e), 0);
    for (i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
        struct buf_list l = BUF_LIST_INIT;
        struct buf got = BUF_INIT, want = BUF_INIT;
        struct compose_parts p = COMPOSE_PARTS_INIT,
                             wantp = COMPOSE_PARTS_INIT;

        assert_int_equal(compose_message_pieces(cp, &rs[i], &l, &p, &e), 0);
        buf_list_join(&l, &got);
        compose(f, SECRET, &rs[i], &want, &wantp);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        assert_int_equal(p.narticles, wantp.narticles);
        assert_int_equal(p.text.len, wantp.text.len);
        assert_memory_equal(p.text.data, wantp.text.data, p.text.len);
        assert_int_equal(p.html.len, wantp.html.len);
        assert_memory_equal(p.html.data, wantp.html.data, p.html.len);
        assert_true(rs[i].text_only ? p.html.len == 0 : p.html.len > 0);
        /* The shared body is borrowed, not copied into the message. */
        assert_true(l.n > 4);
        compose_parts_release(&p);
        compose_parts_release(&wantp);
        buf_list_release(&l);
        buf_release(&got);
        buf_release(&want);
    }
    compose_free(cp);
}

static void
test_compose_recipient_of_list_entry(void **state)
{
    struct subs_entry s;
    struct compose_recipient r;
    char *tags[] = {"nato"};

    (void)state;
    memset(&s, 0, sizeof(s));
    s.name = "";
    s.format = "text";
    s.tags = tags;
    s.ntags = 1;
    compose_recipient_of(&s, "x@example.org", "Frozen Name", &r);
    assert_string_equal(r.name, "Frozen Name"); /* list has none */
    assert_true(r.text_only);
    assert_int_equal(r.ntags, 1);
    s.name = "Listed";
    compose_recipient_of(&s, "x@example.org", "Frozen Name", &r);
    assert_string_equal(r.name, "Listed");
    compose_recipient_of(NULL, "x@example.org", "", &r);
    assert_null(r.name);
    assert_false(r.text_only);
}

static void
test_compose_split_mailbox_takes_one_mailbox(void **state)
{
    static const char *const bad[] = {"a@b.example, c@d.example",
                                      "A <a@b.example>, C <c@d.example>",
                                      "A <a@b.example> trailing", "nobody",
                                      "A <>", "A <a@b.example"};
    struct err e = ERR_INIT;
    char *name = NULL, *addr = NULL;
    size_t i;

    (void)state;
    assert_int_equal(compose_split_mailbox("\"Doe, Jane\" <jane@example.org> ",
                                           &name, &addr, &e),
                     0);
    assert_string_equal(name, "Doe, Jane");
    assert_string_equal(addr, "jane@example.org");
    free(name);
    free(addr);
    assert_int_equal(
        compose_split_mailbox("  jane@example.org  ", &name, &addr, &e), 0);
    assert_null(name);
    assert_string_equal(addr, "jane@example.org");
    free(addr);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        name = addr = (char *)"untouched";
        assert_int_equal(compose_split_mailbox(bad[i], &name, &addr, &e), -1);
        assert_int_equal(e.code, ERR_CONFIG);
        assert_string_equal(addr, "untouched");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_compose_same_inputs_same_bytes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_compose_personal_parts_and_token, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_compose_without_secret_no_token_link, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_compose_topics_format_and_attachments, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_compose_one_composer_for_many_equals_one_each, setup,
            teardown),
        cmocka_unit_test(test_compose_recipient_of_list_entry),
        cmocka_unit_test(test_compose_split_mailbox_takes_one_mailbox),
    };
    return cmocka_run_group_tests_name("compose", tests, NULL, NULL);
}

/*
 * archive: the web archive written from a real SQLite state and the
 * project's own templates.  The Atom feed's elements and ids, escaping of
 * feed text, the same bytes for the same state, only sent issues, and a
 * folder that cannot be made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arctic_digest/archive.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/store.h"
#include "arctic_digest/util.h"
#include "archive_int.h"
#include "unit_files.h"

#define T0 1753686000 /* 2025-07-28T07:00:00Z */
#define DAY 86400

struct fixture {
    char dir[64];
    struct config cfg;
    struct context ctx;
    struct store *s;
};

static void
set(char **field, const char *v)
{
    free(*field);
    *field = v ? xstrdup(v) : NULL;
}

static char *
path_in(const struct fixture *f, const char *name)
{
    struct buf b = BUF_INIT;

    buf_appendf(&b, "%s/web/%s", f->dir, name);
    return buf_detach(&b, NULL);
}

static char *
slurp(const struct fixture *f, const char *name)
{
    struct buf b = BUF_INIT;
    char *path = path_in(f, name);

    if (buf_read_file(&b, path, 0, NULL) < 0)
        fail_msg("cannot read %s", path);
    free(path);
    return buf_detach(&b, NULL);
}

/* The file name in the archive holds exactly want. */
static void
assert_file_is(const struct fixture *f, const char *name, const char *want)
{
    char *got = slurp(f, name);

    assert_string_equal(got, want);
    free(got);
}

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

/* An issue of the given articles (titles), frozen at `at`; sent unless
 * sending is true. */
static void
issue(struct fixture *f, int64_t at, const char *const *titles, size_t n,
      bool sent)
{
    struct store_recipient r = {"a@example.org", NULL};
    struct store_issue is;
    struct err e = ERR_INIT;
    size_t i;

    memset(&is, 0, sizeof(is));
    is.articles = xcalloc(n + 1, sizeof(*is.articles));
    for (i = 0; i < n; i++) {
        struct article a;
        bool fresh;
        char url[64];
        article_init(&a);
        a.title = xstrdup(titles[i]);
        snprintf(url, sizeof(url), "https://example.org/%lld/%zu",
                 (long long)at, i);
        a.url = xstrdup(url);
        a.container = xstrdup("The Polar Journal");
        a.doi = i == 0 ? xstrdup("10.5555/2154896X.2025.1") : NULL;
        a.published = dt_from_time(at - DAY, 0);
        a.published.prec = DT_PREC_DAY;
        article_add_person(&a, "Anna", "Ødegaard", NULL);
        if (store_article_put(f->s, &a, at, &fresh, &is.articles[i], &e) < 0)
            fail_msg("%s", e.msg);
        article_release(&a);
    }
    is.narticles = n;
    is.created = is.slot = is.period_end = at;
    is.period_start = at - 7 * DAY;
    if (store_issue_create(f->s, &is, &r, 1, &e) < 0 ||
        (sent && store_issue_mark_sent(f->s, is.id, at + 60, &e) < 0))
        fail_msg("%s", e.msg);
    store_issue_release(&is);
}

static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    const char *fx = getenv("AD_FIXTURES");
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    snprintf(f->dir, sizeof(f->dir), "/tmp/ad-archive-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    config_defaults(&f->cfg, NULL);
    buf_appendf(&b, "%s/../../templates", fx ? fx : "tests/fixtures");
    set(&f->cfg.templates, b.data);
    buf_reset(&b);
    buf_appendf(&b, "%s/web", f->dir);
    set(&f->cfg.archive, b.data);
    buf_reset(&b);
    buf_appendf(&b, "%s/state.db", f->dir);
    if (store_open(b.data, &f->s, &e) < 0)
        fail_msg("%s", e.msg);
    buf_release(&b);
    set(&f->cfg.contact, "editor@example.org");
    f->ctx.cfg = &f->cfg;
    f->ctx.st = f->s;
    f->ctx.now = dt_from_time(T0 + 30 * DAY, 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    store_close(f->s);
    config_release(&f->cfg);
    unit_remove_tree(f->dir);
    free(f);
    return 0;
}

static void
test_archive_feed_has_one_entry_per_sent_issue(void **state)
{
    struct fixture *f = *state;
    static const char *const one[] = {"Svalbard <b>Treaty</b> & \"Oslo\"",
                                      "Greenland's path"};
    static const char *const two[] = {"Icebreakers in the Bering Strait"};
    struct archive_stats st;
    struct err e = ERR_INIT;
    char *feed, *page;

    issue(f, T0, one, 2, true);
    issue(f, T0 + 7 * DAY, two, 1, true);
    assert_int_equal(archive_write(&f->ctx, 0, &st, &e), 0);
    assert_int_equal(st.issues, 2);
    assert_int_equal(st.rendered, 2);
    feed = slurp(f, "feed.xml");
    assert_int_equal(count(feed, "<entry>"), 2);
    assert_int_equal(count(feed, "</entry>"), 2);
    /* newest first; tag: ids of the sender and the issue's day */
    assert_non_null(strstr(feed, "<id>tag:digest@example.org,2025-08-04:"
                                 "issue-0002</id>\n<title>Arctic Digest no. "
                                 "2: 1 new article"));
    assert_non_null(strstr(feed, "<id>tag:digest@example.org,2025-07-28:"
                                 "issue-0001</id>"));
    assert_true(strstr(feed, "issue-0002") < strstr(feed, "issue-0001"));
    assert_non_null(strstr(feed, "<id>tag:digest@example.org,2025-07-28:"
                                 "archive</id>"));
    /* the feed's updated is the newest issue's sent time, not now */
    assert_non_null(strstr(feed, "<updated>2025-08-04T07:01:00Z</updated>\n"
                                 "<author>"));
    assert_non_null(strstr(feed, "<published>2025-07-28T07:01:00Z"));
    assert_non_null(strstr(feed, "<email>editor@example.org</email>"));
    /* feed text, escaped twice inside html content, never markup */
    assert_non_null(strstr(feed, "Svalbard &amp;lt;b&amp;gt;Treaty"));
    assert_null(strstr(feed, "<b>"));
    /* no archive_url: no xml:base and no self link, relative links */
    assert_null(strstr(feed, "xml:base"));
    assert_null(strstr(feed, "rel=\"self\""));
    assert_non_null(strstr(feed, "href=\"issue-0001.html\""));
    page = slurp(f, "issue-0001.html");
    assert_int_equal(count(page, "<meta name=\"citation_title\""), 2);
    assert_non_null(strstr(page, "<meta name=\"citation_title\" "
                                 "content=\"Svalbard &lt;b&gt;Treaty&lt;/b&gt; "
                                 "&amp; &quot;Oslo&quot;\">"));
    assert_non_null(strstr(page, "<meta name=\"citation_author\" "
                                 "content=\"Ødegaard, Anna\">"));
    assert_non_null(strstr(page, "<meta name=\"citation_doi\" "
                                 "content=\"10.5555/2154896X.2025.1\">"));
    assert_null(strstr(page, "<b>"));
    free(feed);
    free(page);
}

static void
test_archive_feed_holds_the_newest_twenty_and_the_index_all(void **state)
{
    struct fixture *f = *state;
    struct archive_stats st;
    struct err e = ERR_INIT;
    char *feed, *index, title[64], name[32];
    const char *titles[1] = {title};
    int i;

    for (i = 1; i <= 23; i++) {
        snprintf(title, sizeof(title), "Sea ice in week %d", i);
        issue(f, T0 + i * 7 * DAY, titles, 1, true);
    }
    assert_int_equal(archive_write(&f->ctx, 0, &st, &e), 0);
    assert_int_equal(st.issues, 23);
    feed = slurp(f, "feed.xml");
    index = slurp(f, "index.html");
    assert_int_equal(count(feed, "<entry>"), 20);
    /* the newest twenty: 23 down to 4 */
    assert_non_null(strstr(feed, "href=\"issue-0023.html\""));
    assert_non_null(strstr(feed, "href=\"issue-0004.html\""));
    assert_null(strstr(feed, "href=\"issue-0003.html\""));
    assert_non_null(strstr(feed, "<title>Arctic Digest no. 4: "));
    assert_null(strstr(feed, "<title>Arctic Digest no. 3: "));
    /* the feed's updated is the newest issue's */
    assert_non_null(strstr(feed, "<updated>2026-01-05T07:01:00Z</updated>\n"
                                 "<author>"));
    for (i = 1; i <= 23; i++) {
        snprintf(name, sizeof(name), "issue-%04d.html", i);
        assert_non_null(strstr(index, name));
    }
    /* written again from the records (the three oldest read without
     * their content): the same bytes, nothing rendered */
    assert_int_equal(archive_write(&f->ctx, 0, &st, &e), 0);
    assert_int_equal(st.rendered, 0);
    assert_file_is(f, "feed.xml", feed);
    assert_file_is(f, "index.html", index);
    free(feed);
    free(index);
}

static void
test_archive_same_state_gives_same_bytes_and_skips_unsent(void **state)
{
    struct fixture *f = *state;
    static const char *const one[] = {"Svalbard at 105"};
    static const char *const two[] = {"Not sent yet"};
    static const char *const files[] = {"feed.xml", "index.html",
                                        "issue-0001.html", "issue-0001.bib",
                                        "issue-0001.ris"};
    char *before[ARRAY_SIZE(files)];
    struct archive_stats as;
    struct err e = ERR_INIT;
    struct stat st;
    size_t i;
    char *p;

    issue(f, T0, one, 1, true);
    issue(f, T0 + 7 * DAY, two, 1, false);
    assert_int_equal(archive_write(&f->ctx, 0, &as, &e), 0);
    assert_int_equal(as.issues, 1);
    p = path_in(f, "issue-0002.html");
    assert_int_not_equal(stat(p, &st), 0);
    free(p);
    for (i = 0; i < ARRAY_SIZE(files); i++)
        before[i] = slurp(f, files[i]);
    assert_non_null(strstr(before[3], "Svalbard at 105"));
    assert_non_null(strstr(before[4], "TI  - Svalbard at 105"));
    assert_null(strstr(before[0], "Not sent yet"));
    f->ctx.now.t += DAY; /* a later rebuild */
    assert_int_equal(archive_write(&f->ctx, ARCHIVE_REBUILD, &as, &e), 0);
    assert_int_equal(as.rendered, 1);
    for (i = 0; i < ARRAY_SIZE(files); i++) {
        char *after = slurp(f, files[i]);
        assert_string_equal(after, before[i]);
        free(after);
        free(before[i]);
    }
}

static void
test_archive_folder_that_cannot_be_made_fails_naming_it(void **state)
{
    struct fixture *f = *state;
    struct err e = ERR_INIT;
    struct buf b = BUF_INIT;

    buf_appendf(&b, "%s/web", f->dir);
    unit_write_text(b.data, ""); /* a file where the folder should be */
    buf_append_str(&b, "/sub");
    set(&f->cfg.archive, b.data);
    assert_int_equal(archive_write(&f->ctx, 0, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, f->dir));
    buf_release(&b);
}

static char *
stamp_of(const struct fixture *f)
{
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    if (archive_stamp(&f->ctx, &b, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(b.len, 64);
    return buf_detach(&b, NULL);
}

/* The stamp follows every template file (partials too), the settings a
 * page shows and the zone of its dates, and nothing else. */
static void
test_archive_stamp_follows_templates_settings_and_zone(void **state)
{
    struct fixture *f = *state;
    struct buf tpl = BUF_INIT, cmd = BUF_INIT, part = BUF_INIT;
    char *s0, *s;

    buf_appendf(&tpl, "%s/tpl", f->dir);
    buf_appendf(&cmd, "cp -R '%s' '%s'", f->cfg.templates, tpl.data);
    assert_int_equal(system(cmd.data), 0);
    set(&f->cfg.templates, tpl.data);
    buf_appendf(&part, "%s/partials/article.md", tpl.data);
    s0 = stamp_of(f);
    s = stamp_of(f);
    assert_string_equal(s, s0); /* the same inputs, the same stamp */
    free(s);
    /* not shown on a page: the sender, the SMTP server, the clock's time */
    set(&f->cfg.from, "Other <other@example.org>");
    set(&f->cfg.smtp_url, "smtp://mail.example.org");
    f->ctx.now.t += 7 * DAY;
    s = stamp_of(f);
    assert_string_equal(s, s0);
    free(s);
#define CHANGES(what)                                                          \
    do {                                                                       \
        s = stamp_of(f);                                                       \
        assert_string_not_equal(s, s0);                                        \
        free(s);                                                               \
    } while (0)
    /* a partial's text, one byte */
    buf_reset(&cmd);
    buf_appendf(&cmd, "printf x >> '%s'", part.data);
    assert_int_equal(system(cmd.data), 0);
    CHANGES(partial);
    buf_reset(&cmd);
    buf_appendf(&cmd, "cp '%s/../../templates/partials/article.md' '%s'",
                getenv("AD_FIXTURES") ? getenv("AD_FIXTURES")
                                      : "tests/fixtures",
                part.data);
    assert_int_equal(system(cmd.data), 0);
    s = stamp_of(f);
    assert_string_equal(s, s0); /* back as it was */
    free(s);
    /* a new partial a template may name */
    buf_reset(&part);
    buf_appendf(&part, "%s/partials/extra.md", tpl.data);
    unit_write_text(part.data, "");
    CHANGES(new file);
    unlink(part.data);
    set(&f->cfg.title, "Polar Digest");
    CHANGES(title);
    set(&f->cfg.title, "Arctic Digest");
    set(&f->cfg.contact, NULL);
    CHANGES(contact);
    set(&f->cfg.contact, "editor@example.org");
    set(&f->cfg.citation_style, "apa");
    CHANGES(citation style);
    set(&f->cfg.citation_style, "chicago");
    f->ctx.now.offset = 7200;
    CHANGES(zone);
    f->ctx.now.offset = 0;
    s = stamp_of(f);
    assert_string_equal(s, s0);
    free(s);
#undef CHANGES
    buf_reset(&cmd);
    buf_appendf(&cmd, "rm -rf '%s'", tpl.data);
    assert_int_equal(system(cmd.data), 0);
    free(s0);
    buf_release(&tpl);
    buf_release(&cmd);
    buf_release(&part);
}

static void
inode_of(const struct fixture *f, const char *name, ino_t *ino)
{
    char *p = path_in(f, name);
    struct stat st;

    assert_int_equal(stat(p, &st), 0);
    *ino = st.st_ino;
    free(p);
}

/* An issue is rendered once: later writes list it from its record, and
 * render it again when a file of it is gone or one of its articles
 * changed in the state. */
static void
test_archive_renders_an_issue_once_until_its_files_or_articles_change(
    void **state)
{
    struct fixture *f = *state;
    static const char *const one[] = {"Svalbard at 105", "Greenland"};
    static const char *const two[] = {"Icebreakers"};
    struct archive_stats as;
    struct err e = ERR_INIT;
    struct article a;
    char *feed, *index, *page, *p;
    ino_t before, after;
    bool fresh;
    int64_t id;

    issue(f, T0, one, 2, true);
    assert_int_equal(archive_write(&f->ctx, 0, &as, &e), 0);
    assert_int_equal(as.rendered, 1);
    inode_of(f, "issue-0001.html", &before);
    issue(f, T0 + 7 * DAY, two, 1, true);
    assert_int_equal(archive_write(&f->ctx, 0, &as, &e), 0);
    assert_int_equal(as.issues, 2);
    assert_int_equal(as.rendered, 1); /* issue 2 only */
    inode_of(f, "issue-0001.html", &after);
    assert_true(before == after); /* not written again */
    feed = slurp(f, "feed.xml");
    index = slurp(f, "index.html");
    assert_int_equal(count(feed, "<entry>"), 2);
    assert_non_null(strstr(index, "issue-0002.html"));
    /* what a rebuild of everything gives, byte for byte */
    assert_int_equal(archive_write(&f->ctx, ARCHIVE_REBUILD, &as, &e), 0);
    assert_int_equal(as.rendered, 2);
    assert_file_is(f, "feed.xml", feed);
    assert_file_is(f, "index.html", index);
    /* a file gone: that issue again, and only it */
    p = path_in(f, "issue-0002.ris");
    assert_int_equal(unlink(p), 0);
    assert_int_equal(archive_write(&f->ctx, 0, &as, &e), 0);
    assert_int_equal(as.rendered, 1);
    assert_int_equal(access(p, F_OK), 0);
    free(p);
    /* the first issue's second article gains a DOI in a later collect */
    article_init(&a);
    a.title = xstrdup(one[1]);
    a.url = xstrdup("https://example.org/1753686000/1");
    a.doi = xstrdup("10.5555/svalbard.105");
    assert_int_equal(store_article_put(f->s, &a, T0 + 9 * DAY, &fresh, &id,
                                       &e),
                     0);
    assert_false(fresh);
    article_release(&a);
    assert_int_equal(archive_write(&f->ctx, 0, &as, &e), 0);
    assert_int_equal(as.rendered, 1);
    page = slurp(f, "issue-0001.html");
    assert_non_null(strstr(page, "10.5555/svalbard.105"));
    free(page);
    free(feed);
    free(index);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_archive_feed_has_one_entry_per_sent_issue, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_archive_feed_holds_the_newest_twenty_and_the_index_all,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_archive_same_state_gives_same_bytes_and_skips_unsent, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_archive_folder_that_cannot_be_made_fails_naming_it, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_archive_stamp_follows_templates_settings_and_zone, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_archive_renders_an_issue_once_until_its_files_or_articles_change,
            setup, teardown),
    };
    return cmocka_run_group_tests_name("archive", tests, NULL, NULL);
}

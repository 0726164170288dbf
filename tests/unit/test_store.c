#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/store.h"
#include "arctic_digest/util.h"

#define DAY 86400
#define T0 ((int64_t)1753142400) /* 2025-07-22T00:00:00Z */

static char dir[] = "/tmp/ad-store-XXXXXX";
static char path[300];

static int
setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/state.db", dir);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[400];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

static struct store *
fresh(void)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    char wal[320];

    unlink(path);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
    if (store_open(path, &s, &e) < 0)
        fail_msg("%s", e.msg);
    return s;
}

static void
make(struct article *a, const char *source, const char *guid,
     const char *title, const char *family, int64_t published)
{
    article_init(a);
    a->source = xstrdup(source);
    a->guid = xstrdup(guid);
    a->title = xstrdup(title);
    if (family)
        article_add_person(a, "Áile", family, NULL);
    a->published.t = published;
    a->published.prec = DT_PREC_DAY;
}

static int64_t
put(struct store *s, const struct article *a, bool want_new)
{
    struct err e = ERR_INIT;
    bool is_new;
    int64_t id;

    if (store_article_put(s, a, T0, &is_new, &id, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(is_new, want_new);
    return id;
}

static void
test_store_reopens_and_refuses_a_newer_schema(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    sqlite3 *db;
    (void)state;

    store_close(s);
    assert_int_equal(store_open(path, &s, &e), 0);
    store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(path, &s, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "newer than this program"));
}

static void
test_store_source_health_and_validators(void **state)
{
    struct store *s = fresh();
    struct store_source src;
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(store_source_get(s, "polar", &src, &e), 0);
    assert_string_equal(src.name, "polar");
    assert_null(src.etag);
    assert_int_equal(src.last_success, 0);
    store_source_release(&src);
    assert_int_equal(store_source_record(s, "polar", true, "3 new", "\"e1\"",
                                         "Tue, 22 Jul 2025 08:00:00 GMT", T0,
                                         &e),
                     0);
    assert_int_equal(store_source_record(s, "polar", false, "HTTP 503", NULL,
                                         NULL, T0 + 60, &e),
                     0);
    assert_int_equal(store_source_record(s, "polar", false, "timed out", NULL,
                                         NULL, T0 + 120, &e),
                     0);
    assert_int_equal(store_source_get(s, "polar", &src, &e), 0);
    assert_string_equal(src.etag, "\"e1\"");
    assert_int_equal(src.failures, 2);
    assert_int_equal(src.last_success, T0);
    assert_int_equal(src.last_attempt, T0 + 120);
    assert_string_equal(src.last_error, "timed out");
    store_source_release(&src);
    store_close(s);
}

static void
test_store_one_record_per_work(void **state)
{
    struct store *s = fresh();
    struct article a, b, c, d, got;
    struct err e = ERR_INIT;
    struct buf srcs = BUF_INIT;
    int64_t id, n;
    (void)state;

    /* The journal feed: no abstract, DOI in the record. */
    make(&a, "journal", "j-1", "Sino-Russian Arctic Cooperation",
         "Hauksdóttir", T0);
    a.doi = xstrdup("10.1080/2154896X.2025.1");
    id = put(s, &a, true);
    /* Crossref: same DOI in other case, an abstract. */
    make(&b, "crossref", "10.1080/2154896x.2025.1",
         "Sino-Russian Arctic Cooperation", "Hauksdóttir", T0);
    b.doi = xstrdup("10.1080/2154896x.2025.1");
    b.abstract = xstrdup("China and Russia have deepened their cooperation.");
    article_add_person(&b, "Baldur", "Thorhallsson", NULL);
    assert_int_equal(put(s, &b, false), id);
    /* A think tank: no DOI, same title and first author, 3 days later. */
    make(&c, "thinktank", "tt-9", "Sino-Russian  Arctic Cooperation!",
         "Hauksdóttir", T0 + 3 * DAY);
    assert_int_equal(put(s, &c, false), id);
    /* Same source and guid again: the same work. */
    assert_int_equal(put(s, &a, false), id);
    /* Same title, other author: another work. */
    make(&d, "thinktank", "tt-10", "Sino-Russian Arctic Cooperation",
         "Somby", T0);
    assert_true(put(s, &d, true) != id);

    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    /* Matched without regard to case, kept as first written. */
    assert_string_equal(got.doi, "10.1080/2154896X.2025.1");
    assert_string_equal(got.abstract,
                        "China and Russia have deepened their cooperation.");
    assert_int_equal(got.nauthors, 2);
    assert_string_equal(got.authors[1].family, "Thorhallsson");
    assert_int_equal(store_article_sources(s, id, &srcs, &e), 0);
    assert_string_equal(srcs.data, "crossref,journal,thinktank");
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 2);
    buf_release(&srcs);
    article_release(&got);
    article_release(&a);
    article_release(&b);
    article_release(&c);
    article_release(&d);
    store_close(s);
}

static void
test_store_new_articles_skip_sent_issues_and_old_items(void **state)
{
    struct store *s = fresh();
    struct article a, b, old;
    struct err e = ERR_INIT;
    struct store_issue is, un;
    struct store_recipient r[] = {{"b@example.org", NULL},
                                  {"a@example.org", "Áile Somby"}};
    struct store_ledger_row *rows;
    int64_t *ids, ida, idb, counts[4];
    size_t n;
    int streak;
    (void)state;

    make(&a, "x", "1", "One", NULL, T0);
    make(&b, "x", "2", "Two", NULL, T0 + DAY);
    make(&old, "x", "3", "Old", NULL, T0 - 40 * DAY);
    ida = put(s, &a, true);
    idb = put(s, &b, true);
    put(s, &old, true); /* published before the lookback: not new */
    assert_int_equal(store_articles_new(s, T0 - 14 * DAY, T0 + 7 * DAY, &ids,
                                        &n, &e),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], idb);
    assert_int_equal(ids[1], ida);
    free(ids);

    memset(&is, 0, sizeof(is));
    is.created = T0 + 7 * DAY;
    is.slot = T0 + 7 * DAY;
    is.period_start = T0;
    is.period_end = T0 + 7 * DAY;
    is.articles = &ida;
    is.narticles = 1;
    assert_int_equal(store_issue_create(s, &is, r, 2, &e), 0);
    assert_int_equal(is.number, 1);
    assert_int_equal(store_issue_unfinished(s, &un, &e), 1);
    assert_int_equal(un.id, is.id);
    assert_int_equal(un.narticles, 1);
    assert_int_equal(un.articles[0], ida);
    store_issue_release(&un);

    assert_int_equal(store_ledger_todo(s, is.id, &rows, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].address, "a@example.org");
    assert_string_equal(rows[0].name, "Áile Somby");
    store_ledger_row_release(&rows[0]);
    store_ledger_row_release(&rows[1]);
    free(rows);
    assert_int_equal(store_ledger_mark(s, is.id, "a@example.org", STORE_SENT,
                                       250, "2.0.0 OK", T0, &e),
                     0);
    assert_int_equal(store_ledger_mark(s, is.id, "b@example.org",
                                       STORE_FAILED, 550, "5.1.1 no such user",
                                       T0, &e),
                     0);
    assert_int_equal(store_ledger_counts(s, is.id, counts, &e), 0);
    assert_int_equal(counts[STORE_SENT], 1);
    assert_int_equal(counts[STORE_FAILED], 1);
    assert_int_equal(counts[STORE_PENDING], 0);
    assert_int_equal(store_ledger_todo(s, is.id, &rows, &n, &e), 0);
    assert_int_equal(n, 0);
    free(rows);
    assert_int_equal(store_ledger_failed_streak(s, "B@example.org", 3,
                                                &streak, &e),
                     0);
    assert_int_equal(streak, 1);

    /* While the issue is unsent its article is still new; once sent, not. */
    assert_int_equal(store_issue_mark_sent(s, is.id, T0, &e), 0);
    assert_int_equal(store_issue_unfinished(s, &un, &e), 0);
    assert_int_equal(store_articles_new(s, T0 - 14 * DAY, T0 + 7 * DAY, &ids,
                                        &n, &e),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], idb);
    free(ids);
    assert_int_equal(store_issue_last(s, &un, &e), 1);
    assert_int_equal(un.number, 1);
    assert_int_equal(un.status, STORE_ISSUE_SENT);
    store_issue_release(&un);
    article_release(&a);
    article_release(&b);
    article_release(&old);
    store_close(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_reopens_and_refuses_a_newer_schema),
        cmocka_unit_test(test_store_source_health_and_validators),
        cmocka_unit_test(test_store_one_record_per_work),
        cmocka_unit_test(test_store_new_articles_skip_sent_issues_and_old_items),
    };
    return cmocka_run_group_tests_name("store", tests, setup, teardown);
}

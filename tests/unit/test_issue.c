/* issue: topic matching, the relevance rules of a config, selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_config.h"

#include "arctic_digest/issue.h"
#include "arctic_digest/store.h"
#include "arctic_digest/util.h"
#include "unit_files.h"

#define T_END ((int64_t)1753686000) /* 2025-07-28T07:00:00Z */
#define DAY 86400

static const char *const titles[] = {
    "Senator visits Tromsø", "Arctic police cooperation",
    "Sámi Parliament elections", "NATO's northern flank"};

/* Which of titles a subscriber tagged tag wants, as a '0'/'1' string. */
static void
wanted(struct issue_topics *t, const char *tag, char out[5])
{
    char *tags[] = {(char *)tag};
    struct article a[4];
    size_t i;

    for (i = 0; i < 4; i++) {
        article_init(&a[i]);
        a[i].title = (char *)titles[i];
    }
    issue_topics_bind(t, a, 4);
    for (i = 0; i < 4; i++)
        out[i] = issue_topics_wants(t, tags, 1, i) ? '1' : '0';
    out[4] = '\0';
}

static void
test_issue_topics_match_whole_folded_words(void **state)
{
    char *nato[] = {"NATO"}, *ice[] = {"ice"}, *sami[] = {"Sami"};
    struct config_topic topics[] = {
        {"nato", nato, 1, 1}, {"ice", ice, 1, 1}, {"sami", sami, 1, 1}};
    struct config cfg;
    struct issue_topics t = ISSUE_TOPICS_INIT;
    struct err e = ERR_INIT;
    char got[5];

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.topics = topics;
    cfg.ntopics = 3;
    assert_int_equal(issue_topics_init(&t, &cfg, &e), 0);
    wanted(&t, "nato", got);
    assert_string_equal(got, "0001"); /* not "Senator" */
    wanted(&t, "ice", got);
    assert_string_equal(got, "0000"); /* not "police" */
    wanted(&t, "SAMI", got);          /* tags compare without case */
    assert_string_equal(got, "0010"); /* "Sámi" folds to "sami" */
    wanted(&t, "other", got);         /* a tag that is no topic */
    assert_string_equal(got, "1111");
    issue_topics_release(&t);
}

static void
test_issue_topics_any_topic_and_keywords(void **state)
{
    char *sec[] = {"NATO", "military"}, *fish[] = {"fisheries"};
    struct config_topic topics[] = {{"security", sec, 2, 2},
                                    {"fish", fish, 1, 1}};
    struct config cfg;
    struct issue_topics t = ISSUE_TOPICS_INIT;
    struct err e = ERR_INIT;
    char *both[] = {"Security", "fish"}, *kw[] = {"Nato enlargement"};
    struct article v[2]; /* a and b */

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.topics = topics;
    cfg.ntopics = 2;
    assert_int_equal(issue_topics_init(&t, &cfg, &e), 0);
    article_init(&v[0]);
    article_init(&v[1]);
    v[0].title = "Svalbard and the new military posture";
    v[1].title = "Quotas in the Barents Sea";
    issue_topics_bind(&t, v, 2);
    assert_true(issue_topics_wants(&t, NULL, 0, 1)); /* no tags */
    assert_true(issue_topics_wants(&t, both, 1, 0));
    assert_false(issue_topics_wants(&t, both, 1, 1));
    v[1].keywords = kw;
    v[1].nkeywords = 1;
    issue_topics_bind(&t, v, 2);
    assert_true(issue_topics_wants(&t, both, 1, 1)); /* by keyword */
    v[1].nkeywords = 0;
    v[1].abstract = "New fisheries rules.";
    issue_topics_bind(&t, v, 2);
    assert_true(issue_topics_wants(&t, both, 2, 1)); /* second topic */
    issue_topics_release(&t);
}

static void
test_issue_topics_bad_term_names_config(void **state)
{
    char *bad[] = {"--"};
    struct config_topic topics[] = {{"odd", bad, 1, 1}};
    struct config cfg;
    struct issue_topics t = ISSUE_TOPICS_INIT;
    struct err e = ERR_INIT;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.path = "a.conf";
    cfg.topics = topics;
    cfg.ntopics = 1;
    assert_int_equal(issue_topics_init(&t, &cfg, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_non_null(strstr(e.msg, "a.conf: [topic odd]"));
}

/* An in-memory state holding articles, and a config with two sources:
 * "journal" (filtered) and "council" (relevance = all). */
struct world {
    struct config cfg;
    struct context ctx;
    char dir[64];
};

static void
put(struct world *w, const char *source, const char *guid, const char *title,
    int64_t published)
{
    struct article a;
    struct err e = ERR_INIT;
    bool is_new;

    article_init(&a);
    a.source = xstrdup(source);
    a.guid = xstrdup(guid);
    a.title = xstrdup(title);
    a.published = dt_from_time(published, 0);
    if (store_article_put(w->ctx.st, &a, T_END, &is_new, NULL, &e) < 0)
        fail_msg("%s", e.msg);
    article_release(&a);
}

static void
world_init(struct world *w)
{
    struct err e = ERR_INIT;

    memset(w, 0, sizeof(*w));
    snprintf(w->dir, sizeof(w->dir), "/tmp/ad-issue-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    config_defaults(&w->cfg, w->dir);
    unit_add_source(&w->cfg, "journal", "/dev/null", true);
    unit_add_source(&w->cfg, "council", "/dev/null", false);
    w->ctx.cfg = &w->cfg;
    w->ctx.now = dt_from_time(T_END, 0);
    assert_int_equal(store_open_memory(&w->ctx.st, &e), 0);
    put(w, "journal", "j1", "Svalbard and NATO in the High North",
        T_END - 2 * DAY);
    put(w, "journal", "j2", "Coral reefs of the Pacific", T_END - DAY);
    put(w, "council", "c1", "Minutes of the plenary", T_END - 3 * DAY);
    put(w, "journal", "j3", "Arctic shipping routes", T_END - 40 * DAY);
}

static void
world_release(struct world *w)
{
    store_close(w->ctx.st);
    config_release(&w->cfg);
    assert_int_equal(unit_remove_tree(w->dir), 0);
}

static void
test_issue_select_new_relevant_newest_first(void **state)
{
    struct world w;
    struct issue_draft d;
    struct err e = ERR_INIT;

    (void)state;
    world_init(&w);
    assert_int_equal(issue_select(&w.ctx, T_END, &d, &e), 0);
    assert_int_equal(d.number, 1);
    /* Relevant by its title; the council's source takes all; the reefs
     * are not relevant; the 40-day-old one is past lookback_days. */
    assert_int_equal(d.articles.n, 2);
    assert_string_equal(d.articles.v[0].title,
                        "Svalbard and NATO in the High North");
    assert_string_equal(d.articles.v[1].title, "Minutes of the plenary");
    assert_true(d.articles.v[0].score >= 1);
    assert_int_equal(d.end.t, T_END);
    issue_draft_release(&d);

    w.cfg.max_articles = 1;
    assert_int_equal(issue_select(&w.ctx, T_END, &d, &e), 0);
    assert_int_equal(d.articles.n, 1);
    issue_draft_release(&d);
    world_release(&w);
}

static void
test_issue_freeze_records_recipients_or_the_handled_slot(void **state)
{
    struct world w;
    struct store_issue is;
    struct store_ledger_row *rows = NULL;
    struct err e = ERR_INIT;
    char *v = NULL, *nato[] = {"NATO"}, *reefs[] = {"reefs"};
    struct config_topic topics[] = {{"nato", nato, 1, 1},
                                    {"reefs", reefs, 1, 1}};
    size_t n = 0, i;
    FILE *f;

    (void)state;
    world_init(&w);
    w.cfg.topics = topics;
    w.cfg.ntopics = 2;
    f = fopen(w.cfg.subscribers, "w");
    if (f == NULL) {
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/subscribers'", w.dir);
        assert_int_equal(system(cmd), 0);
        f = fopen(w.cfg.subscribers, "w");
    }
    assert_non_null(f);
    fputs("email,name,status,tags\n"
          "all@example.org,All,active,\n"
          "nato@example.org,,active,nato\n"
          "reefs@example.org,,active,reefs\n"
          "gone@example.org,,unsubscribed,\n",
          f);
    fclose(f);
    assert_int_equal(issue_freeze(&w.ctx, 0, &is, &e), 1);
    assert_int_equal(is.number, 1);
    assert_int_equal(is.narticles, 2);
    assert_int_equal(store_ledger_todo(w.ctx.st, is.id, &rows, &n, &e), 0);
    /* Only active subscribers whose topics match an article of the issue:
     * the reefs article is not in it. */
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].address, "all@example.org");
    assert_string_equal(rows[0].name, "All");
    assert_string_equal(rows[1].address, "nato@example.org");
    for (i = 0; i < n; i++)
        store_ledger_row_release(&rows[i]);
    free(rows);
    assert_int_equal(store_issue_mark_sent(w.ctx.st, is.id, T_END, &e), 0);
    store_issue_release(&is);
    w.cfg.topics = NULL;
    w.cfg.ntopics = 0;

    /* Nothing new once it is sent: empty = skip freezes nothing and
     * remembers the slot as handled. */
    assert_int_equal(issue_freeze(&w.ctx, T_END + DAY, &is, &e), 0);
    assert_int_equal(store_meta_get(w.ctx.st, "handled_slot", &v, &e), 0);
    assert_non_null(v);
    assert_int_equal(strtoll(v, NULL, 10), T_END + DAY);
    free(v);
    world_release(&w);
}

static void
draft_add(struct issue_draft *d, const char *title, const char *url,
          const char *doi)
{
    struct article a;

    article_init(&a);
    a.title = title ? xstrdup(title) : NULL;
    a.url = url ? xstrdup(url) : NULL;
    a.doi = doi ? xstrdup(doi) : NULL;
    article_list_take(&d->articles, &a);
}

static void
test_issue_draft_diff_by_link_title_and_issue_number(void **state)
{
    struct issue_draft d;
    struct buf list = BUF_INIT, out = BUF_INIT;
    size_t added, dropped;
    (void)state;

    memset(&d, 0, sizeof(d));
    d.number = 4;
    draft_add(&d, "Kept, new title", "https://x.example/kept", NULL);
    draft_add(&d, "A DOI only", NULL, "10.5555/1");
    draft_add(&d, "No link\x1b[31m at all\n", NULL, NULL);
    issue_draft_list(&d, &list);
    /* control characters never reach the list or the terminal */
    assert_string_equal(list.data,
                        "# arctic-digest preview of issue 4\n"
                        "https://x.example/kept\tKept, new title\n"
                        "https://doi.org/10.5555/1\tA DOI only\n"
                        "\tNo link [31m at all \n");
    /* the same draft: nothing changed */
    issue_draft_diff(list.data, list.len, &d, &out, &added, &dropped);
    assert_string_equal(out.data, "");
    assert_int_equal(added + dropped, 0);
    /* an earlier list: matched by link (the title changed), by title
     * when there is no link; a bad line is skipped */
    buf_reset(&list);
    buf_append_str(&list, "# arctic-digest preview of issue 4\n"
                          "https://x.example/kept\tKept, old title\n"
                          "garbage without a tab\n"
                          "\tNo link [31m at all \n"
                          "https://x.example/gone\tGone\n");
    issue_draft_diff(list.data, list.len, &d, &out, &added, &dropped);
    assert_string_equal(out.data, "+ A DOI only <https://doi.org/10.5555/1>\n"
                                  "- Gone <https://x.example/gone>\n");
    assert_int_equal(added, 1);
    assert_int_equal(dropped, 1);
    /* a list of issue 3 (sent since): everything is added */
    buf_reset(&out);
    list.data[strlen("# arctic-digest preview of issue ")] = '3';
    issue_draft_diff(list.data, list.len, &d, &out, &added, &dropped);
    assert_int_equal(added, 3);
    assert_int_equal(dropped, 0);
    assert_non_null(strstr(out.data, "+ No link [31m at all \n"));
    /* no list at all */
    buf_reset(&out);
    issue_draft_diff("", 0, &d, &out, &added, &dropped);
    assert_int_equal(added, 3);
    buf_release(&list);
    buf_release(&out);
    issue_draft_release(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_topics_match_whole_folded_words),
        cmocka_unit_test(test_issue_topics_any_topic_and_keywords),
        cmocka_unit_test(test_issue_topics_bad_term_names_config),
        cmocka_unit_test(test_issue_select_new_relevant_newest_first),
        cmocka_unit_test(
            test_issue_freeze_records_recipients_or_the_handled_slot),
        cmocka_unit_test(test_issue_draft_diff_by_link_title_and_issue_number),
    };
    return cmocka_run_group_tests_name("issue", tests, NULL, NULL);
}

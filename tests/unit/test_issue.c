/* issue: topic matching, the relevance rules of a config, selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arctic_digest/issue.h"
#include "arctic_digest/store.h"

static const char *const titles[] = {
    "Senator visits Tromsø", "Arctic police cooperation",
    "Sámi Parliament elections", "NATO's northern flank"};

/* Which of titles a subscriber tagged tag wants, as a '0'/'1' string. */
static void
wanted(const struct issue_topics *t, const char *tag, char out[5])
{
    char *tags[] = {(char *)tag};
    size_t i;

    for (i = 0; i < 4; i++) {
        struct article a;
        article_init(&a);
        a.title = (char *)titles[i];
        out[i] = issue_topics_wants(t, tags, 1, &a) ? '1' : '0';
    }
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
    struct article a, b;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.topics = topics;
    cfg.ntopics = 2;
    assert_int_equal(issue_topics_init(&t, &cfg, &e), 0);
    article_init(&a);
    article_init(&b);
    a.title = "Svalbard and the new military posture";
    b.title = "Quotas in the Barents Sea";
    assert_true(issue_topics_wants(&t, NULL, 0, &b)); /* no tags */
    assert_true(issue_topics_wants(&t, both, 1, &a));
    assert_false(issue_topics_wants(&t, both, 1, &b));
    b.keywords = kw;
    b.nkeywords = 1;
    assert_true(issue_topics_wants(&t, both, 1, &b)); /* by keyword */
    b.nkeywords = 0;
    b.abstract = "New fisheries rules.";
    assert_true(issue_topics_wants(&t, both, 2, &b)); /* second topic */
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_topics_match_whole_folded_words),
        cmocka_unit_test(test_issue_topics_any_topic_and_keywords),
        cmocka_unit_test(test_issue_topics_bad_term_names_config),
    };
    return cmocka_run_group_tests_name("issue", tests, NULL, NULL);
}

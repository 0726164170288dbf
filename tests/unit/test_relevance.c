#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/feed.h"
#include "arctic_digest/relevance.h"

static void
fold_is(const char *in, const char *want)
{
    struct buf b = BUF_INIT;

    rel_fold(in, strlen(in), &b);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void
test_relevance_folds_case_diacritics_and_punctuation(void **state)
{
    (void)state;
    fold_is("Sámi", "sami");
    fold_is("SAMI", "sami");
    fold_is("  Nuuk\xe2\x80\x99s Sámi-Council!  ", "nuuk s sami council");
    fold_is("Tromsø Ærø Þingvellir Ðis Straße", "tromso aero thingvellir dis "
                                               "strasse");
    fold_is("Åland, Ähtäri, Öresund, Über, Café", "aland ahtari oresund uber "
                                                  "cafe");
    fold_is("Łódź Čukotka Ŋ ŒUVRE ſ", "lodz cukotka ng oeuvre s");
    fold_is("Sa\xcc\x81mi", "sami");                  /* combining acute */
    fold_is("a\xc2\xa0" "b\xe2\x80\x94" "c", "a b c"); /* NBSP, em dash */
    fold_is("МУРМАНСК", "мурманск");
    fold_is("bad \xff\xfe bytes", "bad bytes");
    fold_is("", "");
}

static void
article_with(struct article *a, const char *title, const char *abstract)
{
    article_init(a);
    a->title = title ? strdup(title) : NULL;
    a->abstract = abstract ? strdup(abstract) : NULL;
}

/* Score a title and abstract against r; returns relevance, fills why. */
static bool
score(const struct rel_rules *r, const char *title, const char *abstract,
      double *s, struct buf *why)
{
    struct article a;
    bool in;

    article_with(&a, title, abstract);
    buf_reset(why);
    in = rel_score(r, &a, 1, why);
    *s = a.score;
    article_release(&a);
    return in;
}

static void
test_relevance_matches_whole_words_and_prefixes(void **state)
{
    struct rel_rules r = REL_RULES_INIT;
    struct buf why = BUF_INIT;
    double s;

    (void)state;
    assert_int_equal(rel_rules_add_include(&r, "Arctic", 1, NULL), 0);
    assert_int_equal(rel_rules_add_include(&r, "ice", 1, NULL), 0);
    assert_int_equal(rel_rules_add_include(&r, "geopolit*", 1, NULL), 0);
    assert_int_equal(rel_rules_add_include(&r, "Arctic Council", 2, NULL), 0);

    assert_false(score(&r, "Antarctica and the police", NULL, &s, &why));
    assert_true(s == 0);
    assert_string_equal(why.data, "score 0 < 1: no term matched");
    assert_true(score(&r, "The ARCTIC'S ice-free summers", NULL, &s, &why));
    assert_true(s == 2);
    assert_true(score(&r, "Geopolitics, geopolitical", NULL, &s, &why));
    assert_string_equal(why.data, "score 2 >= 1: title: geopolit* (x2)");
    assert_false(score(&r, "Geo-politics", NULL, &s, &why));
    assert_true(score(&r, "The Arctic Council", "Arctic arctic Arctic arctic",
                      &s, &why));
    /* title: Arctic 1 + Arctic Council 2; abstract: Arctic 3 (cap) x 0.5 */
    assert_true(s == 4.5);
    assert_string_equal(why.data, "score 4.5 >= 1: title: Arctic, Arctic "
                                  "Council; abstract: Arctic (x3)");
    rel_rules_release(&r);
    buf_release(&why);
}

static void
test_relevance_title_weighs_twice_the_abstract(void **state)
{
    struct rel_rules r = REL_RULES_INIT;
    struct article a;

    (void)state;
    assert_int_equal(rel_rules_add_include(&r, "Svalbard", 2, NULL), 0);
    article_with(&a, "Svalbard", NULL);
    rel_score(&r, &a, 1, NULL);
    assert_true(a.score == 2);
    free(a.title);
    a.title = NULL;
    a.abstract = strdup("On Svalbard.");
    rel_score(&r, &a, 1, NULL);
    assert_true(a.score == 1);
    article_add_keyword(&a, "svalbard");
    rel_score(&r, &a, 3, NULL); /* (1 + 1) x source weight 3 */
    assert_true(a.score == 6);
    assert_int_equal(a.nmatched, 1);
    assert_string_equal(a.matched[0], "Svalbard");
    article_release(&a);
    rel_rules_release(&r);
}

static void
test_relevance_exclude_drops_the_article(void **state)
{
    struct rel_rules r = REL_RULES_INIT;
    struct buf why = BUF_INIT;
    double s;

    (void)state;
    rel_rules_default(&r);
    assert_int_equal(rel_rules_add_item(&r, "obituar*", true, NULL), 0);
    assert_false(score(&r, "Arctic Monkeys announce a tour of Svalbard", NULL,
                       &s, &why));
    assert_true(s == 0);
    assert_string_equal(why.data, "excluded: 'Arctic Monkeys' in title");
    assert_false(score(&r, "Greenland's premier", "An obituary.", &s, &why));
    assert_string_equal(why.data, "excluded: 'obituar*' in abstract");
    rel_rules_release(&r);
    buf_release(&why);
}

static void
test_relevance_parses_config_items(void **state)
{
    struct rel_rules r = REL_RULES_INIT;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(rel_rules_add_item(&r, " Arctic Council^3 ", false, &e),
                     0);
    assert_int_equal(rel_rules_add_item(&r, "geopolit*^0.5", false, &e), 0);
    assert_int_equal(rel_rules_add_item(&r, "Sámi", false, &e), 0);
    assert_int_equal(r.ninclude, 3);
    assert_string_equal(r.include[0].term, "Arctic Council");
    assert_string_equal(r.include[0].folded, "arctic council");
    assert_true(r.include[0].weight == 3);
    assert_true(r.include[1].prefix);
    assert_string_equal(r.include[1].term, "geopolit*");
    assert_true(r.include[1].weight == 0.5);
    assert_true(r.include[2].weight == 1);
    assert_string_equal(r.include[2].folded, "sami");

    assert_int_equal(rel_rules_add_item(&r, "NATO^x", false, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_string_equal(e.msg, "relevance term 'NATO^x': weight is not a "
                               "number");
    assert_int_equal(rel_rules_add_item(&r, "NATO^0", false, &e), -1);
    assert_string_equal(e.msg, "relevance term 'NATO': weight 0 is not in "
                               "(0, 100]");
    assert_int_equal(rel_rules_add_item(&r, "--", false, &e), -1);
    assert_string_equal(e.msg, "relevance term '--': no letter or digit");
    assert_int_equal(rel_rules_add_item(&r, "recipe^2", true, &e), -1);
    assert_int_equal(r.ninclude, 3);
    assert_int_equal(r.nexclude, 0);
    rel_rules_release(&r);
    assert_null(r.include);
}

static void
test_relevance_default_rules_sort_realistic_titles(void **state)
{
    static const char *const in[] = {
        "Russia's Northern Fleet and the bastion concept in the Barents Sea",
        "Sámi reindeer herders and wind power at Fosen",
        "Who owns the Lomonosov Ridge?",
        "China's icebreakers and the Polar Silk Road",
        "The GIUK gap in NATO maritime strategy",
        "Greenlandic independence and the Pituffik Space Base",
        "Inuit Circumpolar Council statement on deep-sea mining",
        "Arctic governance after 2022",
    };
    static const char *const out[] = {
        "Antarctic Treaty consultative meeting concludes in Kochi",
        "Police reform in Oslo",
        "NATO summit communiqué on Ukraine",
        "Nordic music festival line-up announced",
        "Permafrost carbon feedback in a warming world",
        "Arctic Monkeys new album review",
        "Staff news: welcome to our new managing editor",
        /* A place or a people alone is not a governance story. */
        "Café Culture in Tromsø: A Guide",
        "Ten things to see in Greenland this summer",
        "Inuit art exhibition opens in Nuuk",
        "Northern lights over Svalbard: a photo essay",
    };
    struct rel_rules r = REL_RULES_INIT;
    struct buf why = BUF_INIT;
    double s;
    size_t i;

    (void)state;
    rel_rules_default(&r);
    assert_true(r.ninclude >= 40);
    assert_true(r.threshold == 1);
    for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        if (!score(&r, in[i], NULL, &s, &why))
            fail_msg("'%s' should be relevant: %s", in[i], why.data);
    /* The same places with a topic are in; the reason says why not. */
    assert_true(score(&r, "NATO air policing from Tromsø", NULL, &s, &why));
    assert_true(score(&r, "Greenland's mining law and Chinese investors",
                      NULL, &s, &why));
    assert_false(score(&r, "Café Culture in Tromsø: A Guide", NULL, &s,
                       &why));
    assert_non_null(strstr(why.data, "but only places: title: Tromsø; no "
                                     "governance, security, economy or "
                                     "policy term"));
    for (i = 0; i < sizeof(out) / sizeof(out[0]); i++)
        if (score(&r, out[i], NULL, &s, &why))
            fail_msg("'%s' should not be relevant: %s", out[i], why.data);
    rel_rules_release(&r);
    buf_release(&why);
}

static void
read_feed(const char *path, struct feed *f)
{
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;
    char chunk[8192];
    size_t n;
    FILE *fp = fopen(path, "rb");

    if (fp == NULL)
        fail_msg("cannot read %s", path);
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        buf_append(&b, chunk, n);
    fclose(fp);
    if (feed_parse(f, b.data, b.len, "example", NULL, NULL, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
    buf_release(&b);
}

static void
test_relevance_default_rules_keep_the_13_arctic_examples(void **state)
{
    static const char *const feeds[] = {"arctic-security-observer.xml",
                                        "high-north-news.atom",
                                        "polar-journal.rdf"};
    struct rel_rules r = REL_RULES_INIT;
    struct buf why = BUF_INIT;
    size_t i, j, kept = 0, total = 0;
    char path[4096];

    (void)state;
    rel_rules_default(&r);
    for (i = 0; i < 3; i++) {
        struct feed f = FEED_INIT;

        snprintf(path, sizeof(path), "%s/../../examples/feeds/%s",
                 getenv("AD_FIXTURES"), feeds[i]);
        read_feed(path, &f);
        for (j = 0; j < f.n; j++) {
            bool staff = strncmp(f.v[j].title, "Staff news", 10) == 0;
            bool in;

            buf_reset(&why);
            in = rel_score(&r, &f.v[j], 1, &why);
            if (in == staff)
                fail_msg("'%s': %s", f.v[j].title, why.data);
            assert_true(staff ? f.v[j].score < 1 : f.v[j].score >= 1);
            assert_true(staff || f.v[j].nmatched > 0);
            kept += in;
            total++;
        }
        feed_release(&f);
    }
    assert_int_equal(total, 14);
    assert_int_equal(kept, 13);
    rel_rules_release(&r);
    buf_release(&why);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relevance_folds_case_diacritics_and_punctuation),
        cmocka_unit_test(test_relevance_matches_whole_words_and_prefixes),
        cmocka_unit_test(test_relevance_title_weighs_twice_the_abstract),
        cmocka_unit_test(test_relevance_exclude_drops_the_article),
        cmocka_unit_test(test_relevance_parses_config_items),
        cmocka_unit_test(test_relevance_default_rules_sort_realistic_titles),
        cmocka_unit_test(test_relevance_default_rules_keep_the_13_arctic_examples),
    };

    return cmocka_run_group_tests_name("relevance", tests, NULL, NULL);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/util.h"

static void
real_article(struct article *a)
{
    article_init(a);
    a->title = xstrdup("Sino-Russian Arctic Cooperation: Systemic Pressure "
                       "and Historical Distrust");
    article_add_person(a, "Guðbjörg Ríkey Th.", "Hauksdóttir", NULL);
    article_add_person(a, "Baldur", "Thorhallsson", NULL);
    a->container = xstrdup("The Polar Journal");
    a->published.t = dt_days_from_civil(2025, 7, 22) * 86400;
    a->published.prec = DT_PREC_DAY;
}

static void
expect(const struct article *a, enum cite_style s, enum cite_markup m,
       const char *want)
{
    struct buf b = BUF_INIT;

    cite_format(a, s, m, &b);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void
test_citation_chicago_two_authors_matches_the_programme_page(void **state)
{
    struct article a;
    (void)state;
    real_article(&a);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” The Polar Journal, July 22, 2025.");
    a.doi = xstrdup("10.5555/2154896X.2025.1");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” The Polar Journal, July 22, 2025. "
           "https://doi.org/10.5555/2154896X.2025.1.");
    article_release(&a);
}

static void
test_citation_markdown_italicises_container_and_escapes_text(void **state)
{
    struct article a;
    (void)state;
    real_article(&a);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_MARKDOWN,
           "Hauksdóttir\\, Guðbjörg Ríkey Th\\.\\, and Baldur Thorhallsson\\. "
           "“Sino\\-Russian Arctic Cooperation\\: Systemic Pressure and "
           "Historical Distrust\\.” *The Polar Journal*\\, July 22\\, 2025\\.");
    article_release(&a);
}

static void
test_citation_apa_uses_initials_and_ampersand(void **state)
{
    struct article a;
    (void)state;
    real_article(&a);
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Hauksdóttir, G. R. T., & Thorhallsson, B. (2025). Sino-Russian "
           "Arctic Cooperation: Systemic Pressure and Historical Distrust. "
           "The Polar Journal.");
    article_release(&a);
}

static void
test_citation_mla_three_authors_use_et_al(void **state)
{
    struct article a;
    (void)state;
    real_article(&a);
    article_add_person(&a, "Áile", "Somby", NULL);
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., et al. “Sino-Russian Arctic "
           "Cooperation: Systemic Pressure and Historical Distrust.” The "
           "Polar Journal, 22 July 2025.");
    article_release(&a);
}

static void
test_citation_no_date_and_no_author(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    a.title = xstrdup("Arctic Council Working Groups Resume?");
    a.container = xstrdup("Arctic Security Observer");
    a.url = xstrdup("https://example.org/a");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "“Arctic Council Working Groups Resume?” Arctic Security "
           "Observer, n.d. https://example.org/a.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Arctic Council Working Groups Resume? (n.d.). Arctic Security "
           "Observer. https://example.org/a");
    article_release(&a);
}

static void
test_citation_style_names_round_trip(void **state)
{
    (void)state;
    assert_int_equal(cite_style_from_name("chicago"), CITE_CHICAGO);
    assert_int_equal(cite_style_from_name("apa"), CITE_APA);
    assert_int_equal(cite_style_from_name("mla"), CITE_MLA);
    assert_int_equal(cite_style_from_name("harvard"), -1);
    assert_int_equal(cite_style_from_name(NULL), -1);
    assert_string_equal(cite_style_name(CITE_MLA), "mla");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_citation_chicago_two_authors_matches_the_programme_page),
        cmocka_unit_test(
            test_citation_markdown_italicises_container_and_escapes_text),
        cmocka_unit_test(test_citation_apa_uses_initials_and_ampersand),
        cmocka_unit_test(test_citation_mla_three_authors_use_et_al),
        cmocka_unit_test(test_citation_no_date_and_no_author),
        cmocka_unit_test(test_citation_style_names_round_trip),
    };
    return cmocka_run_group_tests_name("citation", tests, NULL, NULL);
}

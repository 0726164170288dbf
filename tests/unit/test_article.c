#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/article.h"
#include "arctic_digest/util.h"

/* The authors as "family|given" or "=literal", joined by "; ". */
static char *
authors(const char *byline)
{
    static char out[1024];
    struct article a;
    size_t i, len = 0;

    article_init(&a);
    article_add_byline(&a, byline, strlen(byline));
    out[0] = '\0';
    for (i = 0; i < a.nauthors; i++) {
        const struct person *p = &a.authors[i];
        int k;

        if (p->literal != NULL)
            k = snprintf(out + len, sizeof(out) - len, "%s=%s", i ? "; " : "",
                         p->literal);
        else
            k = snprintf(out + len, sizeof(out) - len, "%s%s|%s", i ? "; " : "",
                         p->family ? p->family : "(null)",
                         p->given ? p->given : "(null)");
        assert_true(k > 0 && (size_t)k < sizeof(out) - len);
        len += (size_t)k;
    }
    article_release(&a);
    return out;
}

static void
test_article_byline_single_natural_name(void **state)
{
    (void)state;
    assert_string_equal(authors("Guðbjörg Ríkey Th. Hauksdóttir"),
                        "Hauksdóttir|Guðbjörg Ríkey Th.");
    assert_string_equal(authors("  Baldur \n Thorhallsson "),
                        "Thorhallsson|Baldur");
    assert_string_equal(authors("By Jane Doe"), "Doe|Jane");
}

static void
test_article_byline_inverted_single_name(void **state)
{
    (void)state;
    assert_string_equal(authors("Thorhallsson, Baldur"), "Thorhallsson|Baldur");
    assert_string_equal(authors("Hauksdóttir, Guðbjörg Ríkey Th."),
                        "Hauksdóttir|Guðbjörg Ríkey Th.");
    assert_string_equal(authors("van der Berg, Jan"), "van der Berg|Jan");
    assert_string_equal(authors("Smith, J. K."), "Smith|J. K.");
}

static void
test_article_byline_several_authors(void **state)
{
    (void)state;
    assert_string_equal(
        authors("Guðbjörg Ríkey Th. Hauksdóttir and Baldur Thorhallsson"),
        "Hauksdóttir|Guðbjörg Ríkey Th.; Thorhallsson|Baldur");
    assert_string_equal(authors("A. Smith and B. Jones; C. Wu"),
                        "Smith|A.; Jones|B.; Wu|C.");
    assert_string_equal(authors("Jane Doe, John Smith"),
                        "Doe|Jane; Smith|John");
    assert_string_equal(authors("Jane Doe, John Smith, and Ann Lee"),
                        "Doe|Jane; Smith|John; Lee|Ann");
    assert_string_equal(authors("Jane Doe & John Smith"),
                        "Doe|Jane; Smith|John");
    assert_string_equal(
        authors("Hauksdóttir, Guðbjörg Ríkey Th. and Baldur Thorhallsson"),
        "Hauksdóttir|Guðbjörg Ríkey Th.; Thorhallsson|Baldur");
    assert_string_equal(authors("Smith, J., Jones, K. L."),
                        "Smith|J.; Jones|K. L.");
}

static void
test_article_byline_particles_and_suffixes(void **state)
{
    (void)state;
    assert_string_equal(authors("Jan van der Berg"), "van der Berg|Jan");
    assert_string_equal(authors("Ursula von der Leyen"),
                        "von der Leyen|Ursula");
    assert_string_equal(authors("Van Morrison"), "Morrison|Van");
    assert_string_equal(authors("Martin Luther King Jr."),
                        "King Jr.|Martin Luther");
}

static void
test_article_byline_organisations_are_literal(void **state)
{
    (void)state;
    assert_string_equal(authors("Arctic Council Secretariat"),
                        "=Arctic Council Secretariat");
    assert_string_equal(authors("Department of Fisheries and Oceans"),
                        "=Department of Fisheries and Oceans");
    assert_string_equal(authors("High North News Staff; Jane Doe"),
                        "=High North News Staff; Doe|Jane");
    assert_string_equal(authors("admin"), "=admin");
    assert_string_equal(authors("AT&T"), "=AT&T");
    assert_string_equal(authors(""), "");
    assert_string_equal(authors(" ; , and "), "");
}

/* Organisations named in another European language, or by a compound that
 * ends in an organisation word, are literal; personal names with inner
 * capitals, particles or a family name first in capitals are not. */
static void
test_article_byline_organisations_in_other_languages(void **state)
{
    (void)state;
    assert_string_equal(authors("Västsvenska EntomologKlubben"),
                        "=Västsvenska EntomologKlubben");
    assert_string_equal(authors("Sveriges Entomologiska Förening"),
                        "=Sveriges Entomologiska Förening");
    assert_string_equal(authors("Norsk Polarinstitutt"),
                        "=Norsk Polarinstitutt");
    assert_string_equal(authors("Naturforschende Gesellschaft"),
                        "=Naturforschende Gesellschaft");
    assert_string_equal(authors("Société géologique de France"),
                        "=Société géologique de France");
    assert_string_equal(authors("Istituto Nazionale di Geofisica"),
                        "=Istituto Nazionale di Geofisica");
    assert_string_equal(authors("Universidad de Chile; Ana Pérez"),
                        "=Universidad de Chile; Pérez|Ana");
    assert_string_equal(authors("ENTexpertopinion"), "=ENTexpertopinion");
    /* names, not organisations */
    assert_string_equal(authors("Ronald McDonald"), "McDonald|Ronald");
    assert_string_equal(authors("Leonardo DiCaprio"), "DiCaprio|Leonardo");
    assert_string_equal(authors("Conan O'Brien"), "O'Brien|Conan");
    assert_string_equal(authors("Jan van der Berg"), "van der Berg|Jan");
    assert_string_equal(authors("WANG Zhimin"), "Wang|Zhimin");
    assert_string_equal(authors("Anna Klubova"), "Klubova|Anna");
    assert_string_equal(authors("Hans Institoris"), "Institoris|Hans");
    /* a family name that is an organisation word in Italian */
    assert_string_equal(authors("Consiglio, G."), "Consiglio|G.");
    assert_string_equal(authors("Giuseppe Consiglio"), "Consiglio|Giuseppe");
}

static void
test_article_person_strings_are_cleaned(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    article_add_person(&a, "Jane\r\nX", "Doe\t", NULL);
    article_add_person(&a, NULL, NULL, "   ");
    assert_int_equal(a.nauthors, 2);
    assert_string_equal(a.authors[0].given, "Jane X");
    assert_string_equal(a.authors[0].family, "Doe");
    assert_null(a.authors[0].literal);
    assert_null(a.authors[1].literal);
    article_release(&a);
    assert_null(a.authors);
    assert_int_equal(a.nauthors, 0);
}

static void
test_article_keywords_dedupe_case_insensitively(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    article_add_keyword(&a, "Arctic");
    article_add_keyword(&a, " arctic ");
    article_add_keyword(&a, "Security");
    article_add_keyword(&a, "");
    article_add_keyword(&a, NULL);
    assert_int_equal(a.nkeywords, 2);
    assert_string_equal(a.keywords[0], "Arctic");
    assert_string_equal(a.keywords[1], "Security");
    article_release(&a);
}

static void
check_doi(const char *in, const char *want)
{
    char *d = article_doi_normalize(in);

    if (want == NULL) {
        if (d != NULL)
            fail_msg("'%s' gave '%s', expected none", in ? in : "(null)",
                     d);
        return;
    }
    if (d == NULL)
        fail_msg("'%s' gave no DOI, expected '%s'", in, want);
    assert_string_equal(d, want);
    free(d);
}

static void
test_article_doi_normalize_forms(void **state)
{
    (void)state;
    check_doi("10.1080/2154896X.2025.1234567", "10.1080/2154896X.2025.1234567");
    check_doi("doi:10.1080/2154896X.2025.1234567",
              "10.1080/2154896X.2025.1234567");
    check_doi("DOI: 10.1080/abc", "10.1080/abc");
    check_doi("info:doi/10.1080/abc", "10.1080/abc");
    check_doi("https://doi.org/10.1080/abc", "10.1080/abc");
    check_doi("http://dx.doi.org/10.1002/(SICI)1097-4571%3C3",
              "10.1002/(SICI)1097-4571<3");
    check_doi("https://doi.org/10.1080/abc?x=1", "10.1080/abc");
    check_doi("  10.1234.5/x  ", "10.1234.5/x");
    check_doi("https://example.org/10.1080/abc", NULL);
    check_doi("10.12/abc", NULL);
    check_doi("10.1080/", NULL);
    check_doi("11.1080/abc", NULL);
    check_doi("", NULL);
    check_doi(NULL, NULL);
}

static void
make(struct article *a, const char *title, const char *date)
{
    article_init(a);
    a->title = title ? strdup(title) : NULL;
    if (date != NULL)
        assert_int_equal(dt_parse(date, strlen(date), &a->published), 0);
}

static void
test_article_cmp_newest_orders_by_date_then_title(void **state)
{
    struct article v[4];
    size_t i;
    (void)state;
    make(&v[0], "B", "2025-07-01");
    make(&v[1], "Undated", NULL);
    make(&v[2], "Newest", "2025-07-22T09:30:00+02:00");
    make(&v[3], "A", "2025-07-01");
    qsort(v, 4, sizeof(v[0]), article_cmp_newest);
    assert_string_equal(v[0].title, "Newest");
    assert_string_equal(v[1].title, "A");
    assert_string_equal(v[2].title, "B");
    assert_string_equal(v[3].title, "Undated");
    assert_int_equal(article_cmp_newest(&v[1], &v[1]), 0);
    for (i = 0; i < 4; i++)
        article_release(&v[i]);
}

static void
test_article_copy_is_deep(void **state)
{
    struct article a, b;
    (void)state;
    make(&a, "Title", "2025-07-22");
    a.url = strdup("https://example.org/a");
    article_add_byline(&a, "Jane Doe", 8);
    article_add_keyword(&a, "Arctic");
    a.matched = malloc(sizeof(char *));
    a.matched[0] = strdup("arctic");
    a.nmatched = a.matched_alloc = 1;
    a.score = 2.5;
    a.source = strdup("journal");
    a.guid = strdup("urn:x:1");
    a.doi = strdup("10.1234/abc");
    a.container = strdup("The Polar Journal");
    a.abstract = strdup("An abstract.");
    a.updated = a.published;
    article_copy(&b, &a);
    article_release(&a);
    assert_string_equal(b.title, "Title");
    assert_string_equal(b.url, "https://example.org/a");
    /* every field, each its own copy (a is gone) */
    assert_string_equal(b.source, "journal");
    assert_string_equal(b.guid, "urn:x:1");
    assert_string_equal(b.doi, "10.1234/abc");
    assert_string_equal(b.container, "The Polar Journal");
    assert_string_equal(b.abstract, "An abstract.");
    assert_int_equal(b.updated.prec, DT_PREC_DAY);
    assert_string_equal(b.authors[0].family, "Doe");
    assert_string_equal(b.keywords[0], "Arctic");
    assert_string_equal(b.matched[0], "arctic");
    assert_true(b.score == 2.5);
    assert_int_equal(b.published.prec, DT_PREC_DAY);
    article_release(&b);
}

static void
expect_canonical(const char *in, const char *want)
{
    char *got = article_url_canonical(in);

    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void
test_article_url_canonical_forms(void **state)
{
    (void)state;
    expect_canonical("HTTP://WWW.Example.ORG/Path/A?b=1#sec",
                     "https://www.example.org/Path/A?b=1");
    expect_canonical("https://www.tandfonline.com/doi/full/10.1080/x?af=R",
                     "https://www.tandfonline.com/doi/full/10.1080/x");
    expect_canonical("http://x.org/a?utm_source=rss&id=7&UTM_medium=feed"
                     "&fbclid=abc",
                     "https://x.org/a?id=7");
    expect_canonical("http://x.org:80", "https://x.org/");
    expect_canonical("https://x.org:443/?af=R#top", "https://x.org/");
    expect_canonical("https://x.org:8443/p?q", "https://x.org:8443/p?q");
    expect_canonical("  https://x.org/a?af=Rx  ", "https://x.org/a?af=Rx");
    expect_canonical("ftp://x.org/a", NULL);
    expect_canonical("https://x.org/a b", NULL);
    expect_canonical("https://", NULL);
    expect_canonical(NULL, NULL);
}

static void
test_article_byline_et_al_is_a_truncation_mark(void **state)
{
    struct article a;

    (void)state;
    assert_string_equal(authors("Basanta Kumar Das et al."),
                        "Das|Basanta Kumar");
    assert_string_equal(authors("Smith, J., Jones, K. L., et al"),
                        "Smith|J.; Jones|K. L.");
    assert_string_equal(authors("A. Metal"), "Metal|A.");
    article_init(&a);
    article_add_byline(&a, "Jane Doe et al.", 15);
    assert_true(a.others);
    article_release(&a);
    article_init(&a);
    article_add_byline(&a, "Jane Doe", 8);
    assert_false(a.others);
    article_release(&a);
}

static void
test_article_byline_inverted_list_with_one_word_name(void **state)
{
    (void)state;
    /* bioRxiv: a one-word name has an empty given part */
    assert_string_equal(authors("Qiu, X., Li, Y., Kshitiz,, Suhail, Y."),
                        "Qiu|X.; Li|Y.; =Kshitiz; Suhail|Y.");
    assert_string_equal(authors("Qiu, X., Li, Y.-L., Suhail, Y."),
                        "Qiu|X.; Li|Y.-L.; Suhail|Y.");
    /* two natural names with a stray double comma stay two */
    assert_string_equal(authors("Jane Doe,, John Smith"),
                        "Doe|Jane; Smith|John");
}

/* Issue 13: ranks and degrees are no part of a name, an affiliation after
 * a comma is no second author, East Asian names written without spaces
 * put the family name first, and a romanised byline's capitals mark the
 * family name. */
static void
test_article_byline_ranks_affiliations_and_east_asian_names(void **state)
{
    (void)state;
    assert_string_equal(
        authors("Maj Gen Rolf Folland, Royal Norwegian Air Force"),
        "Folland|Rolf");
    assert_string_equal(authors("Prof. Anna Ivanova PhD and Dr Ole Hansen"),
                        "Ivanova|Anna; Hansen|Ole");
    assert_string_equal(authors("Rear Admiral Jane Smith, US Navy; "
                                "Lars Berg, Norwegian Defence Research "
                                "Establishment"),
                        "Smith|Jane; Berg|Lars");
    /* An organisation first is the author itself. */
    assert_string_equal(authors("Royal Norwegian Air Force"),
                        "=Royal Norwegian Air Force");
    assert_string_equal(authors("李振福"), "李|振福");
    assert_string_equal(authors("李振福 and 陈晓晨"), "李|振福; 陈|晓晨");
    assert_string_equal(authors("欧阳修"), "欧阳|修");
    assert_string_equal(authors("김민수"), "김|민수");
    assert_string_equal(authors("WANG Zhimin"), "Wang|Zhimin");
    assert_string_equal(authors("NG Wei Ling"), "Ng|Wei Ling");
    /* capitals without a vowel are initials written together, not a
     * family name first (the Guardian's "DJ Gallo") */
    assert_string_equal(authors("DJ Gallo"), "Gallo|DJ");
    assert_string_equal(authors("JRR Tolkien"), "Tolkien|JRR");
    /* Initials are no family name in capitals. */
    assert_string_equal(authors("J.G. Pausas"), "Pausas|J.G.");
    /* A one-word name is a literal. */
    assert_string_equal(authors("Kshitiz"), "=Kshitiz");
    /* Two-word names keep a leading title word: "Major" can be a name. */
    assert_string_equal(authors("Major Grant"), "Grant|Major");
}

static void
test_article_byline_newspaper_datelines_roles_and_notes(void **state)
{
    (void)state;
    assert_string_equal(authors("Tom McCarthy in New York"), "McCarthy|Tom");
    assert_string_equal(
        authors("Sam Jones in Madrid and Stephen Burgen in Barcelona"),
        "Jones|Sam; Burgen|Stephen");
    assert_string_equal(authors("Patrick Wintour Diplomatic editor"),
                        "Wintour|Patrick");
    assert_string_equal(authors("Jason Burke Africa correspondent"),
                        "Burke|Jason");
    /* a lower-case qualifier goes with the role; a capitalised role has
     * none: the family name stays */
    assert_string_equal(authors("Mary Ann Smith senior reporter"),
                        "Smith|Mary Ann");
    assert_string_equal(authors("Anne-Marie van der Berg Editor"),
                        "van der Berg|Anne-Marie");
    assert_string_equal(authors("Nick Ames (now), Ed Aarons and Ben Fisher "
                                "(earlier)"),
                        "Ames|Nick; Aarons|Ed; Fisher|Ben");
    assert_string_equal(authors("Associated Press"), "=Associated Press");
    assert_string_equal(authors("Guardian sport"), "=Guardian sport");
    assert_string_equal(authors("Reuters in New York"), "=Reuters");
    /* a dateline whose place holds a comma (the Guardian's) */
    assert_string_equal(authors("Ashifa Kassam in Stanstead, Quebec"),
                        "Kassam|Ashifa");
    assert_string_equal(authors("Associated Press in Palm Beach, Florida"),
                        "=Associated Press");
    /* after a comma "in" is no dateline of the name before it */
    assert_string_equal(authors("Rolf Folland, Royal Norwegian Air Force"),
                        "Folland|Rolf");
    /* not a dateline: "in" starts no place; particles stay */
    assert_string_equal(authors("Ludwig van Beethoven"),
                        "van Beethoven|Ludwig");
    /* unbalanced: the text is kept as it was */
    assert_string_equal(authors("Jane (Doe"), "(Doe|Jane");
}

/* got (ours to free) is want, or NULL when want is. */
static void
expect_owned(char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got, want);
    free(got);
}

static void
expect_doi_from_url(const char *url, const char *want)
{
    expect_owned(article_doi_from_url(url), want);
}

static void
test_article_doi_from_url_forms(void **state)
{
    (void)state;
    expect_doi_from_url("https://doi.org/10.1080/2154896X.2025.1", "10.1080/2154896X.2025.1");
    expect_doi_from_url(
        "https://www.tandfonline.com/doi/abs/10.1080/2154896X.2019.1685169?af=R",
        "10.1080/2154896X.2019.1685169");
    expect_doi_from_url("https://onlinelibrary.wiley.com/doi/full/10.1111/"
                        "1468-2346.70001?af=R",
                        "10.1111/1468-2346.70001");
    expect_doi_from_url("https://journals.sagepub.com/doi/pdf/10.1177/"
                        "0010836720954476",
                        "10.1177/0010836720954476");
    expect_doi_from_url("https://bmcbioinformatics.biomedcentral.com/articles/"
                        "10.1186/s12859-025-06123-4",
                        "10.1186/s12859-025-06123-4");
    expect_doi_from_url("https://link.springer.com/article/10.1007/"
                        "s00300-025-03345-1",
                        "10.1007/s00300-025-03345-1");
    expect_doi_from_url("https://link.springer.com/content/pdf/10.1007/"
                        "s00300-025-03345-1.pdf",
                        "10.1007/s00300-025-03345-1");
    expect_doi_from_url("https://www.biorxiv.org/content/10.1101/"
                        "2025.01.02.631234v2?rss=1",
                        "10.1101/2025.01.02.631234");
    expect_doi_from_url("https://www.biorxiv.org/content/10.1101/"
                        "2025.01.02.631234v1.full",
                        "10.1101/2025.01.02.631234");
    expect_doi_from_url("https://journals.plos.org/plosone/article?id=10.1371/"
                        "journal.pone.0312345",
                        "10.1371/journal.pone.0312345");
    expect_doi_from_url("https://www.frontiersin.org/articles/10.3389/"
                        "fmars.2025.1234567/full",
                        "10.3389/fmars.2025.1234567");
    /* no DOI */
    expect_doi_from_url("https://www.sciencedirect.com/science/article/pii/"
                        "S0308597X25001234",
                        NULL);
    expect_doi_from_url("https://www.nature.com/articles/s41558-025-02345-6",
                        NULL);
    expect_doi_from_url("https://example.org/10.5/x", NULL);
    expect_doi_from_url("https://example.org/v/10.12345/", NULL);
    expect_doi_from_url(NULL, NULL);
}

static void
expect_pages(const char *first, const char *last, const char *want)
{
    expect_owned(article_pages(first, last), want);
}

static void
test_article_pages_first_and_last(void **state)
{
    (void)state;
    expect_pages("767", "777", "767-777");
    expect_pages("767", "77", "767-777");
    expect_pages(" 12 ", NULL, "12");
    expect_pages("12", "12", "12");
    expect_pages("e0312345", NULL, "e0312345");
    expect_pages("S12", "S20", "S12-S20");
    expect_pages(NULL, "20", NULL);
    expect_pages("", "20", NULL);
}

static void
expect_locator(const char *in, const char *want)
{
    expect_owned(article_locator(in), want);
}

/* Crossref's volume "null" (10.17246/jkdk.2008..7.002) is none; the
 * one-page range "S8-S8" (10.1080/08039488.2021.2019912) is one page. */
static void
test_article_locator_drops_placeholders_and_one_page_ranges(void **state)
{
    (void)state;
    expect_locator("null", NULL);
    expect_locator(" NULL ", NULL);
    expect_locator("n/a", NULL);
    expect_locator("-", NULL);
    expect_locator("  ", NULL);
    expect_locator(NULL, NULL);
    expect_locator("S8-S8", "S8");
    expect_locator("61-61", "61");
    expect_locator(" 28 ", "28");
    expect_locator("S8-S9", "S8-S9");
    expect_locator("61-612", "61-612");
    expect_locator("no-no", "no-no"); /* Wiley's "no page numbers" */
    expect_locator("nullify", "nullify");
}

static void
expect_suffix(const char *family, const char *suffix, size_t keep)
{
    size_t k = 99, at = article_name_suffix(family, &k);

    if (suffix == NULL) {
        assert_int_equal(at, 0);
        assert_int_equal(k, 99);
        return;
    }
    assert_string_equal(family + at, suffix);
    assert_int_equal(k, keep);
}

/* Crossref's "Brower, Sr." (10.14430/arctic174) */
static void
test_article_name_suffix_inside_the_family_name(void **state)
{
    (void)state;
    expect_suffix("Brower, Sr.", "Sr.", 6);
    expect_suffix("King Jr.", "Jr.", 4);
    expect_suffix("Smith III", "III", 5);
    expect_suffix("Northington ,  IV", "IV", 11);
    expect_suffix("Brower", NULL, 0);
    expect_suffix(" Jr.", NULL, 0);
    expect_suffix("Van Ivor", NULL, 0);
    expect_suffix("de Sr", "Sr", 2);
}

/* Boundaries of the byline rules (survivors of scripts/mutate). */
static void
test_article_byline_rule_boundaries(void **state)
{
    (void)state;
    /* a suffix after two words still leaves the given name alone */
    assert_string_equal(authors("John Smith Jr."), "Smith Jr.|John");
    /* a suffix part stays with the part before it */
    assert_string_equal(authors("Smith, John, Jr."), "Smith|John, Jr.");
    /* "Two Words, One" is inverted */
    assert_string_equal(authors("Thorhallsson Baldursson, Baldur"),
                        "Thorhallsson Baldursson|Baldur");
    /* "&" is a separator with a space on either side */
    assert_string_equal(authors("Jane Doe &John Smith"),
                        "Doe|Jane; Smith|John");
    assert_string_equal(authors("Jane Doe& John Smith"),
                        "Doe|Jane; Smith|John");
}

/* Only (p, n) is read, not what follows it. */
static void
test_article_byline_reads_only_its_length(void **state)
{
    struct article a;
    (void)state;

    article_init(&a);
    article_add_byline(&a, "Jane DoeXYZ", 8);
    article_add_byline(&a, "Ann Lee LongerName", 7);
    assert_int_equal(a.nauthors, 2);
    assert_string_equal(a.authors[0].family, "Doe");
    assert_string_equal(a.authors[1].family, "Lee");
    article_release(&a);
}

/* The shortest DOI there is: "10." four digits "/" one character. */
static void
test_article_doi_shortest(void **state)
{
    char *d = article_doi_normalize("10.1234/a");
    (void)state;

    assert_non_null(d);
    assert_string_equal(d, "10.1234/a");
    free(d);
    assert_null(article_doi_normalize("10.123/a"));
    assert_null(article_doi_normalize("10.1234/"));
}

/* article_lang_normalize(s) as a string, "(null)" for NULL; static. */
static const char *
lang(const char *s)
{
    static char out[80];
    char *l = article_lang_normalize(s);

    snprintf(out, sizeof(out), "%s", l ? l : "(null)");
    free(l);
    return out;
}

static void
test_article_lang_is_a_lower_case_bcp47_tag(void **state)
{
    (void)state;
    /* as feeds and Crossref write them */
    assert_string_equal(lang("en"), "en");
    assert_string_equal(lang("en-US"), "en-us");
    assert_string_equal(lang(" en-gb\n"), "en-gb");
    assert_string_equal(lang("EN"), "en");
    assert_string_equal(lang("pt_BR"), "pt-br");
    assert_string_equal(lang("zh-Hans-CN"), "zh-hans-cn");
    assert_string_equal(lang("nb"), "nb");
    assert_string_equal(lang("sma"), "sma"); /* Southern Sami */
    assert_string_equal(lang("de-CH-1996"), "de-ch-1996");
    assert_string_equal(lang("x-klingon"), "x-klingon");
    assert_string_equal(lang("i-navajo"), "i-navajo");
    /* not a tag */
    assert_string_equal(lang(NULL), "(null)");
    assert_string_equal(lang(""), "(null)");
    assert_string_equal(lang("  "), "(null)");
    assert_string_equal(lang("English"), "(null)");
    assert_string_equal(lang("en-US, de"), "(null)");
    assert_string_equal(lang("en--us"), "(null)");
    assert_string_equal(lang("en-"), "(null)");
    assert_string_equal(lang("-en"), "(null)");
    assert_string_equal(lang("x"), "(null)");
    assert_string_equal(lang("e1"), "(null)");
    assert_string_equal(lang("en-toolongsub"), "(null)");
    assert_string_equal(lang("en-\xc3\xa9"), "(null)");
    /* at most 64 characters */
    assert_string_equal(
        lang(
            "en-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefg"),
        "en-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefg");
    assert_string_equal(lang("en-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-"
                             "abcdefgh-abcdefgh"),
                        "(null)");
}

/* Settling a kind the item did not say: the source's, else the link's;
 * a kind said stays. */
static void
test_article_kind_settle_orders_source_then_link(void **state)
{
    struct article a;
    (void)state;

    article_init(&a);
    a.url = xstrdup("https://arxiv.org/abs/2508.13426");
    article_kind_settle(&a, ARTICLE_KIND_UNKNOWN);
    assert_int_equal(a.kind, ARTICLE_KIND_PREPRINT);
    a.kind = ARTICLE_KIND_UNKNOWN;
    article_kind_settle(&a, ARTICLE_KIND_REPORT);
    assert_int_equal(a.kind, ARTICLE_KIND_REPORT);
    a.kind = ARTICLE_KIND_JOURNAL;
    article_kind_settle(&a, ARTICLE_KIND_REPORT);
    assert_int_equal(a.kind, ARTICLE_KIND_JOURNAL);
    free(a.url);
    a.url = xstrdup("https://example.org/a");
    a.kind = ARTICLE_KIND_UNKNOWN;
    article_kind_settle(&a, ARTICLE_KIND_UNKNOWN);
    assert_int_equal(a.kind, ARTICLE_KIND_UNKNOWN);
    article_release(&a);
}

static void
test_article_kinds_by_name_and_by_preprint_server(void **state)
{
    (void)state;
    assert_string_equal(article_kind_name(ARTICLE_KIND_JOURNAL),
                        "journal-article");
    assert_string_equal(article_kind_name(ARTICLE_KIND_PREPRINT), "preprint");
    assert_string_equal(article_kind_name(ARTICLE_KIND_CHAPTER),
                        "book-chapter");
    assert_null(article_kind_name(ARTICLE_KIND_UNKNOWN));
    /* ours and Crossref's */
    assert_int_equal(article_kind_from_name("report"), ARTICLE_KIND_REPORT);
    assert_int_equal(article_kind_from_name("Report-Series"),
                     ARTICLE_KIND_REPORT);
    /* posted content is a preprint only by its subtype (crossref.c) */
    assert_int_equal(article_kind_from_name("posted-content"),
                     ARTICLE_KIND_POSTED);
    assert_int_equal(article_kind_from_name("monograph"), ARTICLE_KIND_BOOK);
    assert_int_equal(article_kind_from_name("edited-book"), ARTICLE_KIND_BOOK);
    assert_int_equal(article_kind_from_name("proceedings-article"),
                     ARTICLE_KIND_PAPER);
    assert_int_equal(article_kind_from_name("reference-entry"),
                     ARTICLE_KIND_ENTRY);
    assert_int_equal(article_kind_from_name("peer-review"),
                     ARTICLE_KIND_REVIEW);
    assert_int_equal(article_kind_from_name("dataset"), ARTICLE_KIND_DATASET);
    assert_string_equal(article_kind_name(ARTICLE_KIND_BOOK), "book");
    assert_int_equal(article_kind_from_name("book-part"),
                     ARTICLE_KIND_CHAPTER);
    assert_int_equal(article_kind_from_name("news"), ARTICLE_KIND_NEWS);
    assert_int_equal(article_kind_from_name("dissertation"),
                     ARTICLE_KIND_UNKNOWN);
    assert_int_equal(article_kind_from_name(NULL), ARTICLE_KIND_UNKNOWN);

    /* preprint servers by DOI: bioRxiv's dated form, not CSH journals */
    assert_int_equal(article_kind_of_work("10.1101/2020.12.01.406702", NULL),
                     ARTICLE_KIND_PREPRINT);
    assert_int_equal(article_kind_of_work("10.1101/gad.123456.115", NULL),
                     ARTICLE_KIND_UNKNOWN);
    assert_int_equal(article_kind_of_work("10.1101/2020.12", NULL),
                     ARTICLE_KIND_UNKNOWN);
    assert_int_equal(article_kind_of_work("10.48550/arXiv.2508.13426", NULL),
                     ARTICLE_KIND_PREPRINT);
    /* and by link: the host or a subdomain, never a look-alike */
    assert_int_equal(article_kind_of_work(NULL,
                                          "http://arxiv.org/abs/2508.13426v1"),
                     ARTICLE_KIND_PREPRINT);
    assert_int_equal(article_kind_of_work(
                         NULL, "https://www.biorxiv.org/content/10.1101/x"),
                     ARTICLE_KIND_PREPRINT);
    assert_int_equal(article_kind_of_work(NULL, "https://notarxiv.org/abs/1"),
                     ARTICLE_KIND_UNKNOWN);
    assert_int_equal(article_kind_of_work(NULL, "https://osf.io/preprints/"
                                                "socarxiv/abc12"),
                     ARTICLE_KIND_PREPRINT);
    assert_int_equal(article_kind_of_work(NULL, "https://osf.io/abc12/"),
                     ARTICLE_KIND_UNKNOWN);
    assert_int_equal(article_kind_of_work("10.1080/2154896X.2025.1",
                                          "https://www.tandfonline.com/doi/"
                                          "full/10.1080/2154896X.2025.1"),
                     ARTICLE_KIND_UNKNOWN);
    /* the outlet of a work on a preprint server is the server */
    assert_string_equal(
        article_preprint_server("https://arxiv.org/abs/2609.28471v1"),
        "arXiv");
    assert_string_equal(
        article_preprint_server("https://www.medrxiv.org/content/10.1101/x"),
        "medRxiv");
    assert_null(article_preprint_server("https://notarxiv.org/abs/1"));
    assert_null(article_preprint_server(NULL));
}

static void
byline(struct article *a, const char *s)
{
    article_add_byline(a, s, strlen(s));
}

static void
test_article_vancouver_names_and_a_group_with_members(void **state)
{
    struct article a;
    (void)state;

    /* Vancouver: "Family Initials" */
    article_init(&a);
    byline(&a, "Pausas JG, Chen C, Brandt A.");
    assert_int_equal(a.nauthors, 3);
    assert_string_equal(a.authors[0].family, "Pausas");
    assert_string_equal(a.authors[0].given, "JG");
    assert_string_equal(a.authors[2].given, "A");
    article_release(&a);
    /* natural order with a bare initial, a suffix, a degree: unchanged */
    article_init(&a);
    byline(&a, "J Smith, Theodore Roosevelt IV, Jane Doe MD");
    assert_int_equal(a.nauthors, 3);
    assert_string_equal(a.authors[0].family, "Smith");
    assert_string_equal(a.authors[1].family, "Roosevelt IV");
    /* not read as Vancouver: the degree is no initials */
    assert_true(strncmp(a.authors[2].given, "Jane", 4) == 0);
    article_release(&a);

    /* a family name joined to its particle by a hyphen */
    article_init(&a);
    byline(&a, "Diana Laura Fuentes-de la Rosa");
    assert_string_equal(a.authors[0].given, "Diana Laura");
    assert_string_equal(a.authors[0].family, "Fuentes-de la Rosa");
    article_release(&a);

    /* a group, then its members: each a name */
    article_init(&a);
    byline(&a, "The Brazil Flora Group, Janaína Gomes-da-Silva, "
              "Fabiana L.R. Filardi");
    assert_int_equal(a.nauthors, 3);
    assert_string_equal(a.authors[0].literal, "The Brazil Flora Group");
    assert_string_equal(a.authors[1].family, "Gomes-da-Silva");
    assert_string_equal(a.authors[2].given, "Fabiana L.R.");
    article_release(&a);
    /* an organisation and its place stays one name */
    article_init(&a);
    byline(&a, "Arctic Council Secretariat, Tromsø");
    assert_int_equal(a.nauthors, 1);
    assert_non_null(a.authors[0].literal);
    article_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_article_byline_single_natural_name),
        cmocka_unit_test(test_article_byline_inverted_single_name),
        cmocka_unit_test(test_article_byline_several_authors),
        cmocka_unit_test(test_article_byline_particles_and_suffixes),
        cmocka_unit_test(test_article_byline_organisations_are_literal),
        cmocka_unit_test(test_article_byline_organisations_in_other_languages),
        cmocka_unit_test(test_article_person_strings_are_cleaned),
        cmocka_unit_test(test_article_keywords_dedupe_case_insensitively),
        cmocka_unit_test(test_article_doi_normalize_forms),
        cmocka_unit_test(test_article_cmp_newest_orders_by_date_then_title),
        cmocka_unit_test(test_article_copy_is_deep),
        cmocka_unit_test(test_article_url_canonical_forms),
        cmocka_unit_test(test_article_byline_et_al_is_a_truncation_mark),
        cmocka_unit_test(test_article_byline_inverted_list_with_one_word_name),
        cmocka_unit_test(test_article_doi_from_url_forms),
        cmocka_unit_test(
            test_article_byline_ranks_affiliations_and_east_asian_names),
        cmocka_unit_test(
            test_article_byline_newspaper_datelines_roles_and_notes),
        cmocka_unit_test(test_article_pages_first_and_last),
        cmocka_unit_test(test_article_name_suffix_inside_the_family_name),
        cmocka_unit_test(
            test_article_locator_drops_placeholders_and_one_page_ranges),
        cmocka_unit_test(test_article_byline_rule_boundaries),
        cmocka_unit_test(test_article_byline_reads_only_its_length),
        cmocka_unit_test(test_article_doi_shortest),
        cmocka_unit_test(test_article_lang_is_a_lower_case_bcp47_tag),
        cmocka_unit_test(test_article_kinds_by_name_and_by_preprint_server),
        cmocka_unit_test(test_article_kind_settle_orders_source_then_link),
        cmocka_unit_test(test_article_vancouver_names_and_a_group_with_members),
    };
    return cmocka_run_group_tests_name("article", tests, NULL, NULL);
}

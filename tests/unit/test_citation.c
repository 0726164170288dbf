#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
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
           "Hauksdóttir, G. R. Th., & Thorhallsson, B. (2025). Sino-Russian "
           "Arctic cooperation: Systemic pressure and historical distrust. "
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
           "Arctic Council working groups resume? (n.d.). Arctic Security "
           "Observer. https://example.org/a");
    article_release(&a);
}

static void
test_citation_url_is_a_link_in_markdown_and_html_only(void **state)
{
    struct article a;
    (void)state;
    real_article(&a);
    a.url = xstrdup("https://www.highnorthnews.com/en/a_b?x=1&y=2");
    expect(&a, CITE_MLA, CITE_MARKUP_MARKDOWN,
           "Hauksdóttir\\, Guðbjörg Ríkey Th\\.\\, and Baldur "
           "Thorhallsson\\. “Sino\\-Russian Arctic Cooperation\\: "
           "Systemic Pressure and Historical Distrust\\.” *The Polar "
           "Journal*\\, 22 July 2025\\, "
           "[www\\.highnorthnews\\.com\\/en\\/a\\_b\\?x\\=1\\&y\\=2]"
           "(<https://www.highnorthnews.com/en/a_b?x=1&y=2>)\\.");
    expect(&a, CITE_MLA, CITE_MARKUP_HTML,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” <i>The Polar Journal</i>, 22 July 2025, "
           "<a href=\"https://www.highnorthnews.com/en/a_b?x=1&amp;y=2\">"
           "www.highnorthnews.com/en/a_b?x=1&amp;y=2</a>.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” The Polar Journal, 22 July 2025, "
           "www.highnorthnews.com/en/a_b?x=1&y=2.");
    /* a URL a link destination cannot hold stays text, never markup */
    free(a.url);
    a.url = xstrdup("javascript:alert(1)");
    expect(&a, CITE_MLA, CITE_MARKUP_HTML,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” <i>The Polar Journal</i>, 22 July 2025, "
           "javascript:alert(1).");
    free(a.url);
    a.url = xstrdup("https://evil.example/a>\"<b>");
    expect(&a, CITE_MLA, CITE_MARKUP_HTML,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” <i>The Polar Journal</i>, 22 July 2025, "
           "evil.example/a&gt;&quot;&lt;b&gt;.");
    article_release(&a);
}

/* A feed's tracking parameters are no part of the work's address: the
 * URL a citation prints (and BibTeX, RIS and COinS) drops them, keeping
 * every other parameter, their order and the fragment as written. */
static void
url_cites_as(const char *url, const char *want)
{
    struct article a;
    struct buf b = BUF_INIT;

    article_init(&a);
    a.title = xstrdup("Title");
    a.url = xstrdup(url);
    cite_format(&a, CITE_APA, CITE_MARKUP_TEXT, &b);
    assert_string_equal(b.data + strlen("Title. (n.d.). "), want);
    article_release(&a);
    buf_release(&b);
}

static void
test_citation_url_drops_tracking_parameters(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    /* elsevier-zoologischer-anzeiger.rss */
    url_cites_as("https://www.sciencedirect.com/science/article/pii/"
                 "S0044523121001297?dgcid=rss_sd_all",
                 "https://www.sciencedirect.com/science/article/pii/"
                 "S0044523121001297");
    url_cites_as("https://example.org/a?utm_source=rss&utm_medium=rss"
                 "&utm_campaign=arctic-week",
                 "https://example.org/a");
    /* pubmed-search.rss: its own parameters stay, in order */
    url_cites_as("https://pubmed.ncbi.nlm.nih.gov/rss-feed/?feed_id=1rE3"
                 "&utm_source=Mobile Safari UI/WKWebView"
                 "&utm_campaign=pubmed-2&ff=20211214094348&utm_medium=rss"
                 "&utm_content=1rE3&v=2.15.0&fc=20211108074834",
                 "https://pubmed.ncbi.nlm.nih.gov/rss-feed/?feed_id=1rE3"
                 "&ff=20211214094348&v=2.15.0&fc=20211108074834");
    url_cites_as("https://example.org/a?fbclid=IwAR0&gclid=Cj0&mc_cid=5a"
                 "&mc_eid=9f&_hsenc=p2&_hsmi=12&p=3#sec-2",
                 "https://example.org/a?p=3#sec-2");
    /* the fragment is not the query; names that only look alike stay */
    url_cites_as("https://example.org/a#top?utm_source=x",
                 "https://example.org/a#top?utm_source=x");
    url_cites_as("https://example.org/a?utm=1&ref=rss&xdgcid=2&UTM_source=3",
                 "https://example.org/a?utm=1&ref=rss&xdgcid=2&UTM_source=3");
    url_cites_as("https://example.org/a?", "https://example.org/a?");
    /* one URL for every format: BibTeX, RIS, COinS and the link */
    article_init(&a);
    a.title = xstrdup("Title");
    a.url = xstrdup("https://example.org/a?id=7&utm_medium=rss");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "url = {https://example.org/a?id=7},"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_non_null(strstr(b.data, "UR  - https://example.org/a?id=7\r\n"));
    buf_reset(&b);
    cite_coins(&a, &b);
    assert_non_null(strstr(b.data, "&rft_id=https%3A%2F%2Fexample.org%2Fa"
                                   "%3Fid%3D7"));
    assert_null(strstr(b.data, "utm"));
    buf_reset(&b);
    cite_format(&a, CITE_APA, CITE_MARKUP_HTML, &b);
    assert_non_null(strstr(b.data, "<a href=\"https://example.org/a?id=7\">"
                                   "https://example.org/a?id=7</a>"));
    /* the record keeps the link as the feed gave it */
    assert_string_equal(a.url, "https://example.org/a?id=7&utm_medium=rss");
    buf_release(&b);
    article_release(&a);
}

static void
container_cites_as(const char *container, const char *lang, const char *want)
{
    struct article a;
    struct buf b = BUF_INIT;
    enum cite_style s;

    real_article(&a);
    free(a.container);
    a.container = xstrdup(container);
    a.lang = lang ? xstrdup(lang) : NULL;
    a.volume = xstrdup("12");
    for (s = CITE_CHICAGO; s <= CITE_MLA; s++) {
        buf_reset(&b);
        cite_format(&a, s, CITE_MARKUP_TEXT, &b);
        assert_non_null(strstr(b.data, want));
    }
    buf_reset(&b);
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, want));
    assert_string_equal(a.container, container); /* the record keeps it */
    buf_release(&b);
    article_release(&a);
}

/* A journal's name deposited wholly in capitals is cited in headline style
 * (CMOS 17 8.159, APA 7 9.25, MLA 9 1.2), short acronyms kept; a name
 * with a lower-case letter, or in another language, keeps its case. */
static void
test_citation_container_in_capitals_takes_headline_style(void **state)
{
    (void)state;
    container_cites_as("SYSTEMATIC BOTANY", NULL, "Systematic Botany");
    container_cites_as("IEEE TRANSACTIONS ON GEOSCIENCE AND REMOTE SENSING",
                       "en", "IEEE Transactions on Geoscience and Remote "
                       "Sensing");
    container_cites_as("PERSOONIA MOLECULAR PHYLOGENY AND EVOLUTION OF FUNGI",
                       "en-us", "Persoonia Molecular Phylogeny and Evolution "
                       "of Fungi");
    container_cites_as("JAMA", NULL, "JAMA");
    container_cites_as("PLoS ONE", NULL, "PLoS ONE");
    /* a brand its publisher styles in capitals (Crossref's PLOS ONE) */
    container_cites_as("PLOS ONE", NULL, "PLOS ONE");
    container_cites_as("ARCTIC", NULL, "Arctic");
    container_cites_as("ZEITSCHRIFT F\u00dcR GLETSCHERKUNDE", "de",
                       "ZEITSCHRIFT F\u00dcR GLETSCHERKUNDE");
}

/* An article of a newspaper or a magazine (a source's kind = news): the
 * paper's name in italics in every style (CMOS 17 14.191, APA 7 10.1 with
 * the full date and the article's title in roman, MLA 9 5.57); a web page
 * names its site in roman in Chicago (14.206) and APA (10.16). */
static void
test_citation_news_italicises_the_paper(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;

    article_init(&a);
    a.kind = ARTICLE_KIND_NEWS;
    a.title = xstrdup("Arctic Council Meets in Troms\u00f8");
    article_add_person(&a, "David", "Smith", NULL);
    a.container = xstrdup("The Guardian");
    a.published.t = dt_days_from_civil(2018, 1, 31) * 86400;
    a.published.prec = DT_PREC_DAY;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_HTML,
           "Smith, David. \u201cArctic Council Meets in Troms\u00f8.\u201d "
           "<i>The Guardian</i>, January 31, 2018.");
    expect(&a, CITE_APA, CITE_MARKUP_HTML,
           "Smith, D. (2018, January 31). Arctic Council meets in "
           "Troms\u00f8. <i>The Guardian</i>.");
    expect(&a, CITE_MLA, CITE_MARKUP_HTML,
           "Smith, David. \u201cArctic Council Meets in Troms\u00f8.\u201d "
           "<i>The Guardian</i>, 31 Jan. 2018.");
    cite_bibtex(&a, 1, &b);
    assert_true(strncmp(b.data, "@article{", 9) == 0);
    assert_non_null(strstr(b.data, "  entrysubtype = {newspaper},\n"
                                   "  journaltitle = {The Guardian},\n"));
    assert_null(strstr(b.data, "publisher"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - NEWS\r\n", 12) == 0);
    assert_non_null(strstr(b.data, "T2  - The Guardian\r\n"));
    buf_release(&b);
    /* the same as a web page: the site in roman */
    a.kind = ARTICLE_KIND_WEB;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_HTML,
           "Smith, David. \u201cArctic Council Meets in Troms\u00f8.\u201d "
           "The Guardian, January 31, 2018.");
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

static void
test_citation_html_italicises_with_i_and_escapes_text(void **state)
{
    struct article a;
    (void)state;
    real_article(&a);
    free(a.container);
    a.container = xstrdup("Polar <Journal> & Co");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_HTML,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” <i>Polar &lt;Journal&gt; &amp; Co</i>, "
           "July 22, 2025.");
    article_release(&a);
}

static void
test_citation_markdown_cannot_be_injected_from_the_feed(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    article_init(&a);
    a.title = xstrdup("*bold* [link](http://evil) <b>x</b>");
    a.container = xstrdup("_Site_");
    cite_format(&a, CITE_MLA, CITE_MARKUP_MARKDOWN, &b);
    assert_null(strstr(b.data, "[link]("));
    assert_null(strstr(b.data, "<b>"));
    assert_non_null(strstr(b.data, "\\*Bold\\*"));
    assert_non_null(strstr(b.data, "*\\_Site\\_*"));
    buf_release(&b);
    article_release(&a);
}

static void
case_is(void (*f)(const char *, size_t, struct buf *), const char *in,
        const char *want)
{
    struct buf b = BUF_INIT;
    f(in, strlen(in), &b);
    assert_string_equal(b.data, want);
    buf_release(&b);
}

static void
test_citation_title_case_keeps_acronyms_and_lowercases_small_words(
    void **state)
{
    (void)state;
    case_is(cite_title_case, "nato and the high north: what unclos means",
            "NATO and the High North: What UNCLOS Means");
    case_is(cite_title_case, "THE ARCTIC COUNCIL AFTER RUSSIA'S INVASION",
            "The Arctic Council after Russia's Invasion");
    case_is(cite_title_case, "long-term AMAP data on sino-russian ties",
            "Long-Term AMAP Data on Sino-Russian Ties");
}

/* Words in capitals of any length in a mixed-case title are acronyms or
 * names; Latin "de" is a preposition; a period that ends a sentence
 * starts a new one; a capitalised word beside an initial is a name. */
static void
test_citation_case_rules_from_real_records(void **state)
{
    (void)state;
    case_is(cite_title_case, "Cross section by the OLYMPUS experiment",
            "Cross Section by the OLYMPUS Experiment");
    case_is(cite_title_case, "COOPERATION IN THE ARCTIC",
            "Cooperation in the Arctic"); /* the whole title shouts */
    case_is(cite_title_case, "Sequence from De Novo Genome Assemblies",
            "Sequence from de Novo Genome Assemblies");
    case_is(cite_title_case, "de facto sovereignty", "De Facto Sovereignty");
    case_is(cite_title_case, "Chapitre II. de nouvelles données",
            "Chapitre II. De Nouvelles Données");
    case_is(cite_title_case, "Arctic policy vs. the U.S. of the north",
            "Arctic Policy vs. the U.S. of the North");
    case_is(cite_sentence_case,
            "Utilizing the Internet. 12 Series. Future "
            "of the Internet",
            "Utilizing the internet. 12 series. Future of the internet");
    case_is(cite_sentence_case,
            "Publications of Warren L. Butler on "
            "Photosynthesis",
            "Publications of Warren L. Butler on photosynthesis");
    case_is(cite_sentence_case, "The U.S. Approach", "The U.S. approach");
    case_is(cite_sentence_case, "Foamy Virus in Pumas (Puma concolor)",
            "Foamy virus in pumas (Puma concolor)");
    case_is(cite_sentence_case, "Virus in Pumas (Wild Cats)",
            "Virus in pumas (wild cats)");
    /* CMOS 8.161: the first and last parts of a compound are capitalised;
     * a small word after an article is no preposition */
    case_is(cite_title_case, "the time/space trade-off in filter design",
            "The Time/Space Trade-Off in Filter Design");
    case_is(cite_title_case, "an in-depth look at the past in china",
            "An In-Depth Look at the Past in China");
    /* a title in capitals (10.1142/9789812701527_0069, 10.5235/elr.v3n6.992):
     * common words re-cased, names the word lists capitalise ("Mann")
     * capitalised, acronyms they do not know (FRBR) and those they spell
     * in capitals (NATO) kept; a lower-case "v" of a case name stays, and
     * sentence case keeps the parties' capitals */
    case_is(cite_title_case, "SOME CONCEPTUAL MODELING ISSUES IN FRBR",
            "Some Conceptual Modeling Issues in FRBR");
    case_is(cite_sentence_case, "SOME CONCEPTUAL MODELING ISSUES IN FRBR",
            "Some conceptual modeling issues in FRBR");
    case_is(cite_title_case, "THE ROLE OF NATO FOR MANN'S STATE",
            "The Role of NATO for Mann's State");
    case_is(cite_title_case,
            "MANN AND OTHERS v SECRETARY OF STATE FOR EMPLOYMENT",
            "Mann and Others v Secretary of State for Employment");
    case_is(cite_sentence_case,
            "MANN AND OTHERS v SECRETARY OF STATE FOR EMPLOYMENT",
            "Mann and Others v Secretary of State for Employment");
    case_is(cite_sentence_case, "Estimating the v Parameter of Ice",
            "Estimating the v parameter of ice");
    case_is(cite_title_case, "GOVERNANCE IN TROMSØ AND SÁPMI",
            "Governance in Tromsø and Sápmi");
    case_is(cite_title_case, "Part V of the Treaty", "Part V of the Treaty");
    case_is(cite_title_case, "PART V OF THE TREATY", "Part V of the Treaty");
}

static void
test_citation_sentence_case_keeps_proper_nouns_and_capitalises_after_colon(
    void **state)
{
    (void)state;
    case_is(cite_sentence_case,
            "Sino-Russian Arctic Cooperation: Systemic Pressure and "
            "Historical Distrust",
            "Sino-Russian Arctic cooperation: Systemic pressure and "
            "historical distrust");
    case_is(cite_sentence_case, "SÁMI REINDEER HERDING IN NORWAY AND THE EU",
            "Sámi reindeer herding in Norway and the EU");
    case_is(cite_sentence_case, "Why NATO Needs a McDonald-Style Plan",
            "Why NATO needs a McDonald-style plan");
}

/* A contraction is a common word when its stem is one (the word lists
 * spell none): APA 7 6.17 lowers it in sentence case, with a straight or
 * a typographic apostrophe; the pronoun I keeps its capital. */
static void
test_citation_sentence_case_lowers_contractions(void **state)
{
    (void)state;
    case_is(cite_sentence_case,
            "A U.S.-India Trade Deal Can’t Restore Lost Trust",
            "A U.S.-India trade deal can’t restore lost trust");
    case_is(cite_sentence_case,
            "Why You Shouldn't Wait, and Why We’ll Regret It If We Don’t",
            "Why you shouldn't wait, and why we’ll regret it if we don’t");
    case_is(cite_sentence_case, "Greenland Won’t Sell: I’m Sure They’re Right",
            "Greenland won’t sell: I’m sure they’re right");
    /* names with an apostrophe are no contractions */
    case_is(cite_sentence_case, "Remembering O’Neill and D’Arcy",
            "Remembering O’Neill and D’Arcy");
}

/* A point of the compass before a name is part of the place's name
 * (CMOS 8.46, APA 7 6.17: "South Korea", "East Asia"); before a common
 * word it is a common word; "Middle East" is a name of its own. */
static void
test_citation_sentence_case_keeps_compass_points_of_place_names(void **state)
{
    (void)state;
    case_is(cite_sentence_case,
            "China and South Korea in the Arctic: East Asia and the High "
            "North",
            "China and South Korea in the Arctic: East Asia and the High "
            "North");
    case_is(cite_sentence_case,
            "Security in the Middle East and West Africa",
            "Security in the Middle East and West Africa");
    case_is(cite_sentence_case, "Winds From the South Shape the Sea Ice",
            "Winds from the south shape the sea ice");
    case_is(cite_sentence_case, "The East Wind and Northern Norway",
            "The east wind and northern Norway");
    /* "X of Y" names a state, an institution or a water when Y is a
     * name; not when X is a common word of the title */
    case_is(cite_sentence_case,
            "Greenland, the Kingdom of Denmark and the Republic of Korea",
            "Greenland, the Kingdom of Denmark and the Republic of Korea");
    case_is(cite_sentence_case,
            "Research at the University of Tromsø on the Sea of Okhotsk",
            "Research at the University of Tromsø on the Sea of Okhotsk");
    case_is(cite_sentence_case,
            "The Security of Greenland and the State of Russia’s Forces",
            "The security of Greenland and the state of Russia’s forces");
}

/* A colon opens a subtitle even when a quotation closes after it, and a
 * period after a closing bracket or quotation mark ends a sentence: the
 * next word is capitalised (CMOS 8.159, APA 7 6.17). */
static void
test_citation_case_starts_again_after_marks_that_close(void **state)
{
    (void)state;
    case_is(cite_title_case,
            "'Students Are Being Treated Like Guinea Pigs:' inside an "
            "AI-Powered School",
            "'Students Are Being Treated like Guinea Pigs:' Inside an "
            "AI-Powered School");
    case_is(cite_sentence_case,
            "“Treated Like Guinea Pigs:” Inside an AI-Powered School",
            "“Treated like guinea pigs:” Inside an AI-powered school");
    case_is(cite_sentence_case,
            "On the Taxonomy of Arctic Ferns (VI). New Species from Svalbard",
            "On the taxonomy of Arctic ferns (VI). New species from "
            "Svalbard");
    case_is(cite_sentence_case, "He Said “Enough.” Then the Talks Ended",
            "He said “enough.” Then the talks ended");
    /* an ellipsis is no end of a sentence */
    case_is(cite_sentence_case, "Security (and More) ... for the Arctic",
            "Security (and more) ... for the Arctic");
}

/* A dash between spaces opens a subtitle and a period ends a sentence, as
 * a colon does: the next word is capitalised in both cases.  A hyphen in a
 * word, a range, an initial and an abbreviation do not. */
static void
test_citation_case_starts_again_after_a_spaced_dash_and_a_period(
    void **state)
{
    (void)state;
    case_is(cite_title_case, "The Juncker Presidency -- a study in character",
            "The Juncker Presidency -- A Study in Character");
    case_is(cite_title_case, "Arctic shipping \xe2\x80\x93 an overview",
            "Arctic Shipping \xe2\x80\x93 An Overview");
    case_is(cite_title_case, "depressive symptoms. a 30-year follow-up",
            "Depressive Symptoms. A 30-Year Follow-Up");
    case_is(cite_sentence_case, "NEET Youth 2009-2019 - Rural And Urban",
            "NEET youth 2009-2019 - Rural and urban");
    case_is(cite_sentence_case, "Depressive Symptoms. A 30-Year Follow-Up",
            "Depressive symptoms. A 30-year follow-up");
    /* not a new sentence: an initial, an abbreviation, a range */
    case_is(cite_sentence_case,
            "Russia vs. The Arctic Council and F. Nansen's Legacy",
            "Russia vs. the Arctic Council and F. Nansen's legacy");
    case_is(cite_sentence_case, "The 2009\xe2\x80\x93" "2019 Period",
            "The 2009\xe2\x80\x93" "2019 period");
}

/* APA sentence case lower-cases only common words (Debian's word lists):
 * names the lists know only capitalised, or not at all, keep their
 * capitals; names that are also common words are in the domain list. */
static void
test_citation_sentence_case_keeps_names_the_word_lists_do_not_know(
    void **state)
{
    (void)state;
    case_is(cite_sentence_case,
            "The Northwest Passage and Asian States in Sápmi: PROMICE Data "
            "on Climate Change",
            "The Northwest Passage and Asian states in Sápmi: PROMICE data "
            "on climate change");
    case_is(cite_sentence_case,
            "Fisheries in East Greenland, the Global South and the European "
            "Court of Human Rights",
            "Fisheries in East Greenland, the Global South and the European "
            "Court of Human Rights");
    case_is(cite_sentence_case,
            "Putin’s Arctic Strategy and the Future Of Security In the Far "
            "North",
            "Putin’s Arctic strategy and the future of security in the Far "
            "North");
    case_is(cite_sentence_case, "Greenland's Choices After Kalaallit Nunaat "
                                "Independence Talks",
            "Greenland's choices after Kalaallit Nunaat independence talks");
    /* Title case is not affected: every word is capitalised anyway. */
    case_is(cite_title_case, "the northwest passage and asian states",
            "The Northwest Passage and Asian States");
}

/* Only English titles, and those of unknown language, are re-cased (CSL
 * 1.0.2 "Text-case", as citeproc): a German title keeps its case in every
 * style.  The title is a real record's (Crossref, language "de",
 * tests/data/records/10.1007_bf01756261.json). */
static void
test_citation_title_in_another_language_keeps_its_case(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    article_init(&a);
    a.title = xstrdup("Über die Eiweisslabilität des Serums: Ein Versuch zu "
                      "einer allgemein gültigen Fassung der serologischen "
                      "Labilitätsreaktionen");
    article_add_person(&a, "Adolf", "Schmitz", NULL);
    a.container = xstrdup("Klinische Wochenschrift");
    a.lang = xstrdup("de");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Schmitz, Adolf. “Über die Eiweisslabilität des Serums: Ein "
           "Versuch zu einer allgemein gültigen Fassung der serologischen "
           "Labilitätsreaktionen.” Klinische Wochenschrift, n.d.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Schmitz, Adolf. “Über die Eiweisslabilität des Serums: Ein "
           "Versuch zu einer allgemein gültigen Fassung der serologischen "
           "Labilitätsreaktionen.” Klinische Wochenschrift.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Schmitz, A. (n.d.). Über die Eiweisslabilität des Serums: Ein "
           "Versuch zu einer allgemein gültigen Fassung der serologischen "
           "Labilitätsreaktionen. Klinische Wochenschrift.");
    /* the same title said to be English, or of no known language: cased */
    free(a.lang);
    a.lang = xstrdup("en-gb");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Schmitz, Adolf. “Über Die Eiweisslabilität Des Serums: Ein "
           "Versuch Zu Einer Allgemein Gültigen Fassung Der Serologischen "
           "Labilitätsreaktionen.” Klinische Wochenschrift, n.d.");
    free(a.lang);
    a.lang = NULL;
    cite_format(&a, CITE_APA, CITE_MARKUP_TEXT, &b);
    assert_non_null(strstr(b.data, "Eiweisslabilität des serums: "));
    buf_release(&b);
    article_release(&a);

    assert_true(cite_lang_recased(NULL));
    assert_true(cite_lang_recased("en"));
    assert_true(cite_lang_recased("en-us"));
    assert_false(cite_lang_recased("nb"));
    assert_false(cite_lang_recased("se"));
    assert_false(cite_lang_recased("zh-hans"));
    assert_false(cite_lang_recased("enm")); /* Middle English: not "en" */
    assert_false(cite_lang_recased("e"));
}

/* Quotation marks and apostrophes as citeproc writes them (issue 13). */
static void
test_citation_typographic_quotes_and_final_period(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    a.container = xstrdup("Journal");
    article_add_person(&a, "Ann", "Berg", NULL);
    a.title = xstrdup("Russia's Arctic: Is It a \"New\" Cold War? 'Maybe'");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Berg, Ann. “Russia’s Arctic: Is It a ‘New’ Cold War? ‘Maybe’.” "
           "Journal, n.d.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Berg, A. (n.d.). Russia’s Arctic: Is it a “new” Cold War? "
           "“Maybe.” Journal.");
    free(a.title);
    /* A title that ends its sentence inside a quotation takes no period. */
    a.title = xstrdup("Who Asked \u2018Whose Parliament?\u2019");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Berg, Ann. “Who Asked ‘Whose Parliament?’” Journal, n.d.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Berg, Ann. “Who Asked ‘Whose Parliament?’” Journal.");
    article_release(&a);
}

/* Names in an East Asian script: family name first, no comma or space,
 * never initials; an empty given name is no given name. */
static void
test_citation_east_asian_names_and_empty_parts(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    a.title = xstrdup("Title");
    a.container = xstrdup("Journal");
    article_add_person(&a, "振福", "李", NULL);
    article_add_person(&a, "", "陈", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "李振福, and 陈. “Title.” Journal, n.d.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "李振福, & 陈. (n.d.). Title. Journal.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "李振福, and 陈. “Title.” Journal.");
    article_release(&a);
}

static void
test_citation_names_particles_suffixes_and_initials(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    a.title = xstrdup("Title");
    a.container = xstrdup("The Arctic Institute");
    article_add_person(&a, "Jan", "van der Berg", NULL);
    article_add_person(&a, "Martin Luther", "King Jr.", NULL);
    article_add_person(&a, "Jean-Paul", "al-Rashid", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Berg, Jan van der, Martin Luther King Jr., and Jean-Paul "
           "al-Rashid. “Title.” The Arctic Institute, n.d.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "van der Berg, J., King, M. L., Jr., & al-Rashid, J.-P. (n.d.). "
           "Title. The Arctic Institute.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Berg, Jan van der, et al. “Title.” The Arctic Institute.");
    article_release(&a);
}

static void
test_citation_kind_follows_doi_container_and_title(void **state)
{
    struct article a;
    (void)state;
    article_init(&a);
    a.container = xstrdup("Danish Institute for International Studies");
    a.title = xstrdup("Policy Brief: Greenland");
    assert_int_equal(cite_kind_of(&a), CITE_KIND_REPORT);
    free(a.title);
    a.title = xstrdup("Greenland");
    assert_int_equal(cite_kind_of(&a), CITE_KIND_WEB);
    free(a.container);
    a.container = xstrdup("Polar Geography");
    assert_int_equal(cite_kind_of(&a), CITE_KIND_JOURNAL);
    free(a.container);
    a.container = xstrdup("High North News");
    a.doi = xstrdup("10.1/x");
    assert_int_equal(cite_kind_of(&a), CITE_KIND_JOURNAL);
    article_release(&a);
}

static void
test_citation_bibtex_keys_are_stable_unique_and_escaped(void **state)
{
    struct article v[3];
    struct buf b = BUF_INIT;
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++)
        real_article(&v[i]);
    free(v[2].title);
    v[2].title = xstrdup("50% & $5_{x} #1 ^~\\");
    cite_bibtex(v, 3, &b);
    assert_non_null(strstr(b.data, "@article{hauksdottir2025sino,\n"));
    assert_non_null(strstr(b.data, "@article{hauksdottir2025sinoa,\n"));
    assert_non_null(strstr(b.data, "@article{hauksdottir202550,\n"));
    assert_non_null(strstr(b.data, "title = {{50\\% \\& \\$5\\_\\{x\\} \\#1 "
                                   "\\^{}\\~{}\\textbackslash{}}},"));
    assert_non_null(strstr(b.data, "author = {Hauksdóttir, Guðbjörg Ríkey "
                                   "Th. and Thorhallsson, Baldur},"));
    assert_non_null(strstr(b.data, "date = {2025-07-22},"));
    buf_release(&b);
    for (i = 0; i < 3; i++)
        article_release(&v[i]);
}

static void
test_citation_ris_uses_crlf_and_one_record_each(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    real_article(&a);
    a.abstract = xstrdup("Line one.\n\nLine two.");
    cite_ris(&a, 1, &b);
    assert_string_equal(b.data,
                        "TY  - JOUR\r\n"
                        "AU  - Hauksdóttir, Guðbjörg Ríkey Th.\r\n"
                        "AU  - Thorhallsson, Baldur\r\n"
                        "TI  - Sino-Russian Arctic Cooperation: Systemic "
                        "Pressure and Historical Distrust\r\n"
                        "T2  - The Polar Journal\r\n"
                        "JO  - The Polar Journal\r\n"
                        "PY  - 2025\r\n"
                        "DA  - 2025/07/22/\r\n"
                        "AB  - Line one.  Line two.\r\n"
                        "ER  - \r\n");
    buf_release(&b);
    article_release(&a);
}

static void
located_article(struct article *a)
{
    real_article(a);
    a->volume = xstrdup("28");
    a->issue = xstrdup("4");
    a->pages = xstrdup("767-777");
    a->published.t = dt_days_from_civil(2019, 12, 5) * 86400;
}

static void
test_citation_coins_journal_and_web_page(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    located_article(&a);
    a.doi = xstrdup("10.5555/2154896X.2019.1");
    cite_coins(&a, &b);
    assert_string_equal(
        b.data,
        "ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3A"
        "journal&rft.genre=article&rft.atitle=Sino-Russian%20Arctic%20"
        "Cooperation%3A%20Systemic%20Pressure%20and%20Historical%20Distrust"
        "&rft.jtitle=The%20Polar%20Journal&rft.volume=28&rft.issue=4"
        "&rft.spage=767&rft.epage=777"
        "&rft.au=Hauksd%C3%B3ttir%2C%20Gu%C3%B0bj%C3%B6rg%20R%C3%ADkey%20Th."
        "&rft.au=Thorhallsson%2C%20Baldur&rft.date=2019-12-05"
        "&rft_id=info%3Adoi%2F10.5555%2F2154896X.2019.1");
    article_release(&a);
    buf_reset(&b);
    article_init(&a);
    a.title = xstrdup("Cables & <cables>");
    a.container = xstrdup("Arctic Security Observer");
    a.url = xstrdup("https://example.org/a?x=1&y=2");
    article_add_person(&a, NULL, NULL, "Nordic Forum");
    cite_coins(&a, &b);
    assert_string_equal(
        b.data,
        "ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Adc"
        "&rft.type=webpage&rft.title=Cables%20%26%20%3Ccables%3E"
        "&rft.source=Arctic%20Security%20Observer&rft.creator=Nordic%20Forum"
        "&rft_id=https%3A%2F%2Fexample.org%2Fa%3Fx%3D1%26y%3D2");
    buf_release(&b);
    article_release(&a);
}

static void
test_citation_styles_give_volume_issue_and_pages(void **state)
{
    struct article a;
    (void)state;
    located_article(&a);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” The Polar Journal 28, no. 4 (December "
           "5, 2019): 767–77.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Hauksdóttir, G. R. Th., & Thorhallsson, B. (2019). Sino-Russian "
           "Arctic cooperation: Systemic pressure and historical distrust. "
           "The Polar Journal, 28(4), 767–777.");
    expect(&a, CITE_APA, CITE_MARKUP_HTML,
           "Hauksdóttir, G. R. Th., &amp; Thorhallsson, B. (2019). "
           "Sino-Russian Arctic cooperation: Systemic pressure and historical "
           "distrust. <i>The Polar Journal</i>, <i>28</i>(4), 767–777.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” The Polar Journal, vol. 28, no. 4, Dec. "
           "2019, pp. 767-77.");
    article_release(&a);
}

/* A double issue, as Crossref gives it ("2-3"): MLA 9 writes "nos.". */
static void
test_citation_mla_double_issue_is_nos(void **state)
{
    struct article a;
    (void)state;
    located_article(&a);
    free(a.issue);
    a.issue = xstrdup("2-3");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” The Polar Journal, vol. 28, nos. 2-3, "
           "Dec. 2019, pp. 767-77.");
    article_release(&a);
}

static void
test_citation_page_ranges_shorten_by_each_styles_rule(void **state)
{
    static const struct {
        const char *pages, *chicago, *mla, *apa;
    } cases[] = {
        {"101-108", "101–8", "101-08", "101–108"},
        {"321-328", "321–28", "321-28", "321–328"},
        {"498-532", "498–532", "498-532", "498–532"},
        {"1087-1089", "1087–89", "1087-89", "1087–1089"},
        {"1496-1500", "1496–500", "1496-500", "1496–1500"},
        {"100-104", "100–104", "100-04", "100–104"},
        {"1103-1104", "1103–4", "1103-04", "1103–1104"},
        {"5-17", "5–17", "5-17", "5–17"},
        {"95-103", "95–103", "95-103", "95–103"},
        {"e0312345", "e0312345", "e0312345", "e0312345"},
        {"S12-S20", "S12–S20", "S12-S20", "S12–S20"},
        /* deposited shortened: APA writes it out (9.29) */
        {"321-28", "321–28", "321-28", "321–328"},
        {"1001-9", "1001–9", "1001-09", "1001–1009"},
        /* a list of pages and ranges, each range as the style writes it */
        {"123-130, 135", "123–30, 135", "123-30, 135", "123–130, 135"},
    };
    struct article a;
    struct buf want = BUF_INIT;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        located_article(&a);
        free(a.volume);
        free(a.issue);
        a.volume = a.issue = NULL;
        free(a.pages);
        a.pages = xstrdup(cases[i].pages);
        buf_reset(&want);
        buf_appendf(&want,
                    "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
                    "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
                    "Historical Distrust.” The Polar Journal, December 5, 2019, "
                    "%s.",
                    cases[i].chicago);
        expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT, want.data);
        buf_reset(&want);
        buf_appendf(&want,
                    "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
                    "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
                    "Historical Distrust.” The Polar Journal, 5 Dec. 2019, "
                    "%s %s.",
                    strchr(cases[i].pages, '-') ? "pp." : "p.", cases[i].mla);
        expect(&a, CITE_MLA, CITE_MARKUP_TEXT, want.data);
        buf_reset(&want);
        buf_appendf(&want,
                    "Hauksdóttir, G. R. Th., & Thorhallsson, B. (2019). "
                    "Sino-Russian Arctic cooperation: Systemic pressure and "
                    "historical distrust. The Polar Journal, %s.",
                    cases[i].apa);
        expect(&a, CITE_APA, CITE_MARKUP_TEXT, want.data);
        article_release(&a);
    }
    buf_release(&want);
}

static void
test_citation_et_al_flag_is_rendered(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    article_init(&a);
    a.title = xstrdup("Fish stocks");
    a.container = xstrdup("Web Site");
    article_add_byline(&a, "Basanta Kumar Das et al.", 24);
    assert_true(a.others);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Das, Basanta Kumar, et al. “Fish Stocks.” Web Site, n.d.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Das, Basanta Kumar, et al. “Fish Stocks.” Web Site.");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "author = {Das, Basanta Kumar and others}"));
    buf_release(&b);
    article_release(&a);
}

static void
test_citation_bibtex_and_ris_give_volume_issue_and_pages(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;
    located_article(&a);
    a.doi = xstrdup("10.5555/2154896X.2019.1");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "  volume = {28},\n  number = {4},\n"
                                   "  pages = {767--777},\n"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_non_null(strstr(b.data, "VL  - 28\r\nIS  - 4\r\nSP  - 767\r\n"
                                   "EP  - 777\r\n"));
    buf_release(&b);
    article_release(&a);
}

/* Names that a journal's system prints in capitals take a name's
 * capitals in every style (CMOS 17 8.1, APA 7 9.8); initials, numerals
 * and names written otherwise are left as they are. */
static void
test_citation_names_in_capitals_are_recased(void **state)
{
    struct article a;
    (void)state;

    article_init(&a);
    a.title = xstrdup("Sea Ice");
    article_add_person(&a, "GIORGIO", "BALDIZZONE", NULL);
    article_add_person(&a, "J.", "RUIZ-S\xC3\x81NCHEZ", NULL);
    article_add_person(&a, "RAMON A.", "O'BRIEN", NULL);
    article_add_person(&a, "John", "MCDONALD III", NULL);
    article_add_person(&a, "\xC3\x85SA", "\xC3\x98STERG\xC3\x85RD", NULL);
    article_add_person(&a, "Jinping", "XI", NULL);
    article_add_person(&a, "A. B.", "NG", NULL);
    article_add_person(&a, "Heather", "Exner-Pirot", NULL);
    a.container = xstrdup("Polar Record");
    a.published.t = dt_days_from_civil(2021, 1, 1) * 86400;
    a.published.prec = DT_PREC_YEAR;
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Baldizzone, G., Ruiz-S\xC3\xA1nchez, J., O\xE2\x80\x99" "Brien, R. A., "
           "McDonald, J., III, \xC3\x98sterg\xC3\xA5rd, "
           "\xC3\x85., Xi, J., Ng, A. B., & Exner-Pirot, H. (2021). Sea "
           "ice. Polar Record.");
    article_release(&a);
}

/* An initial written without its period takes one in Chicago and MLA
 * (CMOS 17 10.12), as APA's initials have: "Colin A Pendry". */
static void
test_citation_bare_initials_take_a_period(void **state)
{
    struct article a;
    (void)state;

    article_init(&a);
    a.title = xstrdup("Flora of Nepal");
    article_add_person(&a, "Colin A", "Pendry", NULL);
    article_add_person(&a, "Renata M. C", "Brandt", NULL);
    article_add_person(&a, "A", "Maryani", NULL);
    a.container = xstrdup("Edinburgh Journal of Botany");
    a.published.t = dt_days_from_civil(2021, 1, 1) * 86400;
    a.published.prec = DT_PREC_YEAR;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Pendry, Colin A., Renata M. C. Brandt, and A. Maryani. "
           "\xE2\x80\x9C" "Flora of Nepal.\xE2\x80\x9D Edinburgh Journal of "
           "Botany, 2021.");
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Flora of Nepal");
    article_add_person(&a, "Colin A", "Pendry", NULL);
    article_add_person(&a, "Yukun K", "Wei", NULL);
    a.container = xstrdup("Edinburgh Journal of Botany");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Pendry, Colin A., and Yukun K. Wei. \xE2\x80\x9C" "Flora of "
           "Nepal.\xE2\x80\x9D Edinburgh Journal of Botany.");
    article_release(&a);
}

/* Initials written together in capitals ("DJ Gallo") are initials in
 * APA (9.8: "Gallo, D. J."), not a name to re-case; Chicago keeps them
 * as written. */
static void
test_citation_initials_written_together(void **state)
{
    struct article a;
    (void)state;

    article_init(&a);
    a.title = xstrdup("Arctic Sports");
    article_add_person(&a, "DJ", "Gallo", NULL);
    article_add_person(&a, "JRR", "Tolkien", NULL);
    a.container = xstrdup("The Guardian");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gallo, D. J., & Tolkien, J. R. R. (n.d.). Arctic sports. The "
           "Guardian.");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gallo, DJ, and JRR Tolkien. \xE2\x80\x9C" "Arctic "
           "Sports.\xE2\x80\x9D The Guardian, n.d.");
    article_release(&a);
}

static enum cite_kind
kind_of_item(const char *title, const char *container, const char *volume)
{
    struct article a;
    enum cite_kind k;

    article_init(&a);
    a.title = xstrdup(title);
    article_add_person(&a, "Jane", "Doe", NULL);
    a.container = xstrdup(container);
    a.url = xstrdup("https://example.org/item");
    a.volume = volume ? xstrdup(volume) : NULL;
    k = cite_kind_of(&a);
    article_release(&a);
    return k;
}

/* Without a kind from the feed or Crossref: a report word makes a report
 * only where it heads the title (the report's own title), not where a
 * headline tells of a report; a volume number makes a periodical's
 * article (CMOS 14.171, APA 7 10.1, MLA 9 5.74), with its locator. */
static void
test_citation_kind_guessed_from_report_titles_and_volumes(void **state)
{
    struct article a;
    (void)state;

    assert_int_equal(kind_of_item("Climate change threatens half of US "
                                  "bases worldwide, Pentagon report finds",
                                  "The Guardian", NULL),
                     CITE_KIND_WEB);
    assert_int_equal(kind_of_item("UN Report Warns of Faster Arctic Warming",
                                  "Arctic Today", NULL),
                     CITE_KIND_WEB);
    assert_int_equal(kind_of_item("Arctic Shipping Status Report",
                                  "Arctic Council", NULL),
                     CITE_KIND_REPORT);
    assert_int_equal(kind_of_item("Consensus Report: Managing Permafrost",
                                  "Arctic Council", NULL),
                     CITE_KIND_REPORT);
    assert_int_equal(kind_of_item("Report on Search and Rescue in the "
                                  "Barents Sea", "Arctic Council", NULL),
                     CITE_KIND_REPORT);
    assert_int_equal(kind_of_item("Svalbard and the Law of the Sea, Working "
                                  "Paper No. 12", "Fridtjof Nansen", NULL),
                     CITE_KIND_REPORT);
    assert_int_equal(kind_of_item("Annual Reports 2024", "Arctic Council",
                                  NULL),
                     CITE_KIND_REPORT);
    assert_int_equal(kind_of_item("One Crawled over the Dolphin's Back",
                                  "Zoologischer Anzeiger", "295"),
                     CITE_KIND_JOURNAL);

    article_init(&a);
    a.title = xstrdup("Sea Ice Loss and Shipping");
    article_add_person(&a, "Jane", "Doe", NULL);
    a.container = xstrdup("Molecular Phylogenetics and Evolution");
    a.url = xstrdup("https://www.sciencedirect.com/science/article/pii/S1");
    a.volume = xstrdup("167");
    a.published.t = dt_days_from_civil(2022, 2, 1) * 86400;
    a.published.prec = DT_PREC_MONTH;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Doe, Jane. \xE2\x80\x9CSea Ice Loss and Shipping.\xE2\x80\x9D "
           "Molecular Phylogenetics and Evolution 167 (February 2022). "
           "https://www.sciencedirect.com/science/article/pii/S1.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Doe, J. (2022). Sea ice loss and shipping. Molecular "
           "Phylogenetics and Evolution, 167. "
           "https://www.sciencedirect.com/science/article/pii/S1");
    article_release(&a);
}

/* The record's kind wins over the guesses; the forms are written from
 * CMOS 17 (14.9, 14.112), APA 7 (10.1, 10.3, 10.4, 10.8) and MLA 9. */
static void
test_citation_kind_of_the_record_decides_the_form(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;

    /* A report with a DOI: italic, not quoted as an article. */
    article_init(&a);
    a.title = xstrdup("Arctic Shipping Status Report");
    article_add_person(&a, NULL, NULL, "PAME");
    a.container = xstrdup("Arctic Council");
    a.doi = xstrdup("10.5555/asr.2024");
    a.published.t = dt_days_from_civil(2024, 5, 1) * 86400;
    a.published.prec = DT_PREC_DAY;
    assert_int_equal(cite_kind_of(&a), CITE_KIND_JOURNAL); /* a guess */
    a.kind = ARTICLE_KIND_REPORT;
    assert_int_equal(cite_kind_of(&a), CITE_KIND_REPORT);
    assert_string_equal(cite_kind_name(cite_kind_of(&a)), "report");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "PAME. Arctic Shipping Status Report. Arctic Council, May "
           "1, 2024. https://doi.org/10.5555/asr.2024.");
    cite_format(&a, CITE_CHICAGO, CITE_MARKUP_HTML, &b);
    assert_non_null(strstr(b.data, "<i>Arctic Shipping Status Report</i>"));
    buf_reset(&b);
    cite_bibtex(&a, 1, &b);
    assert_true(strncmp(b.data, "@techreport{", 12) == 0);
    assert_non_null(strstr(b.data, "  institution = {Arctic Council},\n"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - RPRT\r\n", 12) == 0);
    buf_reset(&b);
    article_release(&a);

    /* A preprint: its server is the container, and it says so. */
    article_init(&a);
    a.title = xstrdup("Sea ice and shipping");
    article_add_person(&a, "Luke R.", "Joyce", NULL);
    a.container = xstrdup("bioRxiv");
    a.doi = xstrdup("10.1101/2020.12.01.406702");
    a.published.t = dt_days_from_civil(2020, 12, 1) * 86400;
    a.published.prec = DT_PREC_DAY;
    a.kind = ARTICLE_KIND_PREPRINT;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Joyce, Luke R. \xE2\x80\x9CSea Ice and Shipping.\xE2\x80\x9D "
           "bioRxiv, December 1, 2020. "
           "https://doi.org/10.1101/2020.12.01.406702.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Joyce, L. R. (2020). Sea ice and shipping "
           "[Preprint]. bioRxiv. "
           "https://doi.org/10.1101/2020.12.01.406702");
    cite_bibtex(&a, 1, &b);
    assert_true(strncmp(b.data, "@misc{", 6) == 0);
    assert_non_null(strstr(b.data, "  howpublished = {bioRxiv},\n"
                                   "  note = {Preprint},\n"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - GEN\r\n", 11) == 0);
    assert_non_null(strstr(b.data, "PB  - bioRxiv\r\n"));
    buf_reset(&b);
    article_release(&a);

    /* A chapter: "In" its book, with pages; a book gives its year. */
    article_init(&a);
    a.title = xstrdup("Clinical Symptoms and Physical Examinations");
    article_add_person(&a, "Ronald L.", "Diercks", NULL);
    article_add_person(&a, "Tom Clement", "Ludvigsen", NULL);
    a.container = xstrdup("Shoulder Stiffness");
    a.pages = xstrdup("155-158");
    a.doi = xstrdup("10.1007/978-3-662-46370-3_13");
    a.published.t = dt_days_from_civil(2015, 1, 1) * 86400;
    a.published.prec = DT_PREC_YEAR;
    a.kind = ARTICLE_KIND_CHAPTER;
    assert_string_equal(cite_kind_name(cite_kind_of(&a)), "chapter");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Diercks, Ronald L., and Tom Clement Ludvigsen. "
           "\xE2\x80\x9C" "Clinical Symptoms and Physical Examinations."
           "\xE2\x80\x9D In Shoulder Stiffness, 155\xE2\x80\x93" "58, "
           "2015. https://doi.org/10.1007/978-3-662-46370-3_13.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Diercks, R. L., & Ludvigsen, T. C. (2015). Clinical "
           "symptoms and physical examinations. In Shoulder Stiffness "
           "(pp. 155\xE2\x80\x93" "158). "
           "https://doi.org/10.1007/978-3-662-46370-3_13");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Diercks, Ronald L., and Tom Clement Ludvigsen. "
           "\xE2\x80\x9C" "Clinical Symptoms and Physical Examinations."
           "\xE2\x80\x9D Shoulder Stiffness, 2015, pp. 155-58, "
           "https://doi.org/10.1007/978-3-662-46370-3_13.");
    cite_format(&a, CITE_APA, CITE_MARKUP_HTML, &b);
    assert_non_null(strstr(b.data, "In <i>Shoulder Stiffness</i> (pp."));
    buf_reset(&b);
    cite_bibtex(&a, 1, &b);
    assert_true(strncmp(b.data, "@incollection{", 14) == 0);
    assert_non_null(strstr(b.data, "  booktitle = {{Shoulder Stiffness}},\n"
                                   "  pages = {155--158},\n"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - CHAP\r\n", 12) == 0);
    assert_non_null(strstr(b.data, "T2  - Shoulder Stiffness\r\n"));
    assert_non_null(strstr(b.data, "SP  - 155\r\nEP  - 158\r\n"));
    assert_null(strstr(b.data, "JO  - "));
    buf_release(&b);

    /* a newspaper's or a magazine's article is news, a web page web */
    a.kind = ARTICLE_KIND_NEWS;
    assert_int_equal(cite_kind_of(&a), CITE_KIND_NEWS);
    assert_string_equal(cite_kind_name(CITE_KIND_NEWS), "news");
    a.kind = ARTICLE_KIND_WEB;
    assert_int_equal(cite_kind_of(&a), CITE_KIND_WEB);
    a.kind = ARTICLE_KIND_JOURNAL;
    assert_int_equal(cite_kind_of(&a), CITE_KIND_JOURNAL);
    article_release(&a);
}

/* Boundaries of the styles' rules (survivors of scripts/mutate): spaced
 * initials, a particle with an apostrophe, a month-precision date, a
 * container that only contains a journal word, more than ten authors. */
static void
test_citation_rule_boundaries(void **state)
{
    struct article a;
    char g[8], f[8];
    int i;
    (void)state;

    article_init(&a);
    a.title = xstrdup("On Ice");
    article_add_person(&a, "Jean", "d'Alembert", NULL);
    article_add_person(&a, "J.A.", "Smith", NULL);
    a.container = xstrdup("Ajournal Online");
    a.published.t = dt_days_from_civil(2025, 7, 22) * 86400;
    a.published.prec = DT_PREC_MONTH;
    assert_int_equal(cite_kind_of(&a), CITE_KIND_WEB);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "d\xE2\x80\x99" "Alembert, Jean, and J. A. Smith. \xE2\x80\x9COn Ice.\xE2\x80\x9D "
           "Ajournal Online, July 2025.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "d\xE2\x80\x99" "Alembert, J., & Smith, J. A. (2025, July). On ice. Ajournal "
           "Online.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "d\xE2\x80\x99" "Alembert, Jean, and J. A. Smith. \xE2\x80\x9COn Ice.\xE2\x80\x9D "
           "Ajournal Online, July 2025.");
    article_release(&a);

    /* a space after a dot only before a capital */
    article_init(&a);
    a.title = xstrdup("T");
    article_add_person(&a, "Jo.ann", "Doe", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Doe, Jo.ann. \xE2\x80\x9CT.\xE2\x80\x9D n.d.");
    article_release(&a);

    article_init(&a);
    a.title = xstrdup("Many");
    for (i = 0; i < 11; i++) {
        snprintf(g, sizeof(g), "G%c", 'a' + i);
        snprintf(f, sizeof(f), "F%c", 'a' + i);
        article_add_person(&a, g, f, NULL);
    }
    /* CMOS 14.76: more than ten, the first seven and et al. */
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Fa, Ga, Gb Fb, Gc Fc, Gd Fd, Ge Fe, Gf Ff, Gg Fg, et al. "
           "\xE2\x80\x9CMany.\xE2\x80\x9D n.d.");
    /* APA 7 9.8: up to twenty, all of them */
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Fa, G., Fb, G., Fc, G., Fd, G., Fe, G., Ff, G., Fg, G., Fh, G., "
           "Fi, G., Fj, G., & Fk, G. (n.d.). Many.");
    article_release(&a);
}

/* A work with one author and a year, of kind k. */
static void
work(struct article *a, enum article_kind k, const char *title,
     const char *container, const char *publisher, const char *place)
{
    article_init(a);
    a->title = xstrdup(title);
    article_add_person(a, "Fabien", "Gatti", NULL);
    a->container = container ? xstrdup(container) : NULL;
    a->publisher = publisher ? xstrdup(publisher) : NULL;
    a->place = place ? xstrdup(place) : NULL;
    a->doi = xstrdup("10.5555/w");
    a->published.t = dt_days_from_civil(2021, 6, 9) * 86400;
    a->published.prec = DT_PREC_DAY;
    a->kind = k;
}

static void
test_citation_books_chapters_and_papers_name_their_publisher(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;

    (void)state;
    /* a book: italic title, its series in roman (CMOS 14.123), "Place:
     * Publisher, year"; APA and MLA leave series and place out */
    work(&a, ARTICLE_KIND_BOOK, "Applications of quantum dynamics",
         "Lecture Notes in Chemistry", "Springer", "Cham");
    assert_string_equal(cite_kind_name(cite_kind_of(&a)), "book");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_HTML,
           "Gatti, Fabien. <i>Applications of Quantum Dynamics</i>. Lecture "
           "Notes in Chemistry. Cham: Springer, 2021. <a "
           "href=\"https://doi.org/10.5555/w\">https://doi.org/10.5555/w</a>.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Applications of quantum dynamics. Springer. "
           "https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. Applications of Quantum Dynamics. Springer, "
           "2021, https://doi.org/10.5555/w.");
    cite_bibtex(&a, 1, &b);
    assert_true(strncmp(b.data, "@book{", 6) == 0);
    assert_non_null(strstr(b.data, "  series = {Lecture Notes in "
                                   "Chemistry},\n  publisher = {Springer},\n"
                                   "  address = {Cham},\n"));
    buf_reset(&b);
    cite_coins(&a, &b);
    assert_non_null(strstr(b.data, "&rft.type=book&"));
    assert_non_null(strstr(b.data, "&rft.publisher=Springer&"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - BOOK\r\n", 12) == 0);
    assert_non_null(strstr(b.data, "T3  - Lecture Notes in Chemistry\r\n"));
    assert_non_null(strstr(b.data, "PB  - Springer\r\nCY  - Cham\r\n"));
    buf_reset(&b);
    article_release(&a);

    /* a chapter with its publisher: "In *Book*, pages. Place: Publisher,
     * year." (CMOS 14.9), "(pp. x–y). Publisher." (APA 7 10.3), "*Book*,
     * Publisher, year, pp." (MLA 9); the book's apostrophe typographic */
    work(&a, ARTICLE_KIND_CHAPTER, "Clinical symptoms", "Guattari's Ecology",
         "Springer", "Berlin");
    a.pages = xstrdup("155-158");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cClinical Symptoms.\u201d In Guattari\u2019s "
           "Ecology, 155\u201358. Berlin: Springer, 2021. "
           "https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Clinical symptoms. In Guattari\u2019s Ecology "
           "(pp. 155\u2013158). Springer. https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cClinical Symptoms.\u201d Guattari\u2019s "
           "Ecology, Springer, 2021, pp. 155-58, https://doi.org/10.5555/w.");
    article_release(&a);

    /* a paper in proceedings: Chicago as a chapter (no period doubled after
     * a title that ends in one); APA and MLA as citeproc's styles, the
     * proceedings as the periodical, no publisher */
    work(&a, ARTICLE_KIND_PAPER, "Flow map layout", "InfoVis 2005.", "IEEE",
         NULL);
    a.pages = xstrdup("1386-1399");
    assert_string_equal(cite_kind_name(cite_kind_of(&a)), "paper");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cFlow Map Layout.\u201d In InfoVis 2005., "
           "1386\u201399. IEEE, 2021. https://doi.org/10.5555/w.");
    free(a.pages);
    a.pages = NULL;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cFlow Map Layout.\u201d In InfoVis 2005. "
           "IEEE, 2021. https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Flow map layout. InfoVis 2005. "
           "https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cFlow Map Layout.\u201d InfoVis 2005., 2021, "
           "https://doi.org/10.5555/w.");
    cite_bibtex(&a, 1, &b);
    assert_true(strncmp(b.data, "@inproceedings{", 15) == 0);
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - CPAPER\r\n", 14) == 0);
    buf_release(&b);
    article_release(&a);
}

/* A suffix given apart (Crossref's "suffix"): after the given name when
 * the name is inverted, after the family otherwise (CMOS 8.19, APA 7 9.8,
 * MLA 9 5.19), as when it ends the family name. */
static void
test_citation_suffix_given_apart(void **state)
{
    struct article a;

    (void)state;
    work(&a, ARTICLE_KIND_JOURNAL, "Sharp", "Analysis", NULL, NULL);
    article_add_person(&a, "Michael C.", "Northington", NULL);
    article_set_suffix(&a, "V");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien, and Michael C. Northington V. \u201cSharp.\u201d "
           "Analysis, June 9, 2021. https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F., & Northington, M. C., V. (2021). Sharp. Analysis. "
           "https://doi.org/10.5555/w");
    /* a particle among the given names stays whole: "J. da C." */
    article_add_person(&a, "Jéssica da C.", "Mendonça", NULL);
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F., Northington, M. C., V, & Mendonça, J. da C. (2021). "
           "Sharp. Analysis. https://doi.org/10.5555/w");
    article_release(&a);
    /* a suffix inside the family name (Crossref, 10.14430/arctic174):
     * APA 7 9.8, CMOS 6.43 (no comma when not inverted), MLA 9 */
    work(&a, ARTICLE_KIND_JOURNAL, "Advancing", "Arctic", NULL, NULL);
    article_add_person(&a, "Ronald H.", "Brower, Sr.", NULL);
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F., & Brower, R. H., Sr. (2021). Advancing. Arctic. "
           "https://doi.org/10.5555/w");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien, and Ronald H. Brower Sr. \u201cAdvancing.\u201d "
           "Arctic, June 9, 2021. https://doi.org/10.5555/w.");
    {
        struct buf b = BUF_INIT;
        cite_bibtex(&a, 1, &b);
        assert_non_null(strstr(b.data, " and Brower, Sr., Ronald H.}"));
        buf_reset(&b);
        cite_ris(&a, 1, &b);
        assert_non_null(strstr(b.data, "AU  - Brower, Ronald H., Sr.\r\n"));
        buf_release(&b);
    }
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Twenty years");
    article_add_person(&a, "Amos B.", "Smith", NULL);
    article_set_suffix(&a, "III");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Smith, Amos B., III. \u201cTwenty Years.\u201d");
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Twenty years");
    article_add_person(&a, "Ronald H.", "Brower, Sr.", NULL);
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Brower, Ronald H., Sr. \u201cTwenty Years.\u201d");
    article_release(&a);
}

/* Crossref's volume "null" (10.17246/jkdk.2008..7.002) is printed by no
 * style; a one-page range (10.1080/08039488.2021.2019912) is one page;
 * a journal with issues only takes a comma before "no." (CMOS 14.171). */
static void
test_citation_null_volume_and_one_page_range(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;

    (void)state;
    work(&a, ARTICLE_KIND_JOURNAL, "Widget", "Design Knowledge", NULL, NULL);
    a.volume = xstrdup("null");
    a.issue = xstrdup("7");
    a.pages = xstrdup("S8-S8");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cWidget.\u201d Design Knowledge, no. 7 "
           "(June 9, 2021): S8. https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Widget. Design Knowledge, (7), S8. "
           "https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cWidget.\u201d Design Knowledge, no. 7, "
           "June 2021, p. S8, https://doi.org/10.5555/w.");
    cite_bibtex(&a, 1, &b);
    assert_null(strstr(b.data, "null"));
    assert_non_null(strstr(b.data, "pages = {S8},"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_null(strstr(b.data, "VL  -"));
    assert_null(strstr(b.data, "EP  -"));
    buf_release(&b);
    /* pages named with a letter (AJPH's e-pages, a supplement's S pages)
     * are not shortened: CMOS 9.61 shortens numbers, and "7" or "18" is
     * no page of the work (docs/DEVIATIONS.md, Real feeds) */
    free(a.pages);
    a.pages = xstrdup("e1-e7");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cWidget.\u201d Design Knowledge, no. 7 "
           "(June 9, 2021): e1\u2013e7. https://doi.org/10.5555/w.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cWidget.\u201d Design Knowledge, no. 7, "
           "June 2021, pp. e1-e7, https://doi.org/10.5555/w.");
    free(a.pages);
    a.pages = xstrdup("S112-S118");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cWidget.\u201d Design Knowledge, no. 7 "
           "(June 9, 2021): S112\u2013S118. https://doi.org/10.5555/w.");
    article_release(&a);
}

/* Crossref's two-script names (10.3788/aos202141.1406002): the romanised
 * name in family, the Han form in given; one name in every style. */
/* MLA particles (10.1109/emc-b.2017.8260404): a preposition follows the
 * given name ("Bergh, Mathieu van den", "Kleist, Heinrich von"), an
 * article or contraction leads, capitalised ("Du Bos, Charles", "Del
 * Río, Ángel"); Chicago demotes both. */
static void
test_citation_mla_particles(void **state)
{
    struct article a;

    (void)state;
    article_init(&a);
    a.title = xstrdup("Verifying");
    article_add_person(&a, "Mathieu", "van den Bergh", NULL);
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Bergh, Mathieu van den. \u201cVerifying.\u201d");
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Verifying");
    article_add_person(&a, "Charles", "du Bos", NULL);
    article_add_person(&a, "Heinrich", "von Kleist", NULL);
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Du Bos, Charles, and Heinrich von Kleist. "
           "\u201cVerifying.\u201d");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Bos, Charles du, and Heinrich von Kleist. "
           "\u201cVerifying.\u201d n.d.");
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Verifying");
    article_add_person(&a, "Ángel", "del Río", NULL);
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Del Río, Ángel. \u201cVerifying.\u201d");
    article_release(&a);
    article_init(&a);
    a.title = xstrdup("Verifying");
    article_add_person(&a, "María", "de Zayas", NULL);
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Zayas, María de. \u201cVerifying.\u201d");
    article_release(&a);
}

/* APA 7 6.17 sentence case, rules checked on real titles (the DOIs): */
static void
test_citation_sentence_case_rules_from_real_titles(void **state)
{
    struct article a;

    (void)state;
    /* a capital letter that names something (10.29252/ijrm.14.10.665),
     * but not one that opens a compound (10.4018/978-1-59904-913-7.ch011) */
    case_is(cite_sentence_case, "Serum Vitamin D Level and Type B",
            "Serum vitamin D level and type B");
    case_is(cite_sentence_case, "How Citizen Groups Use E-Government",
            "How citizen groups use e-government");
    /* a geographic word after a place name (10.4095/110861), not after
     * an adjective */
    case_is(cite_sentence_case, "Fargey Creek, Manitoba",
            "Fargey Creek, Manitoba");
    /* names joined by an en dash keep their capitals, a common word among
     * them too (10.1016/j.acha.2016.05.001); a hyphen's compound, a
     * range and names with spaces around the dash are as before */
    case_is(cite_sentence_case,
            "A Sharp Balian\xE2\x80\x93Low Principle and Hardy\xE2\x80\x93"
            "Weinberg Drift",
            "A sharp Balian\xE2\x80\x93Low principle and Hardy\xE2\x80\x93"
            "Weinberg drift");
    case_is(cite_sentence_case,
            "Low\xE2\x80\x93" "Cost Ice in 2000\xE2\x80\x93" "2010 and "
            "Balian-Low Spaces",
            "Low\xE2\x80\x93" "cost ice in 2000\xE2\x80\x93" "2010 and "
            "Balian-low spaces");
    case_is(cite_sentence_case, "Russian Sea Power in Fargey Bay",
            "Russian sea power in Fargey Bay");
    /* words derived from the word lists' words are common words
     * (10.1016/j.healun.2009.05.025, 10.1045/january2017-burton,
     * 10.1371/journal.pone.0150105, 10.1371/journal.pone.0151962), and a
     * plural possessive is the plural (10.26616/nioshpub2019112...) */
    case_is(cite_sentence_case,
            "A Novel and Knotless Technique for Heterotopic Cardiac "
            "Transplantation",
            "A novel and knotless technique for heterotopic cardiac "
            "transplantation");
    case_is(cite_sentence_case, "The Scholix Framework for Interoperability",
            "The Scholix framework for interoperability");
    case_is(cite_sentence_case, "Gestational Weight Regarding Predation",
            "Gestational weight regarding predation");
    case_is(cite_sentence_case, "Enhanced Coal Workers' Health",
            "Enhanced coal workers' health");
    case_is(cite_sentence_case, "Portugal, Nepal and Putin",
            "Portugal, Nepal and Putin");
    /* the record's organisation named in its title keeps its capitals */
    work(&a, ARTICLE_KIND_REPORT,
         "National Institute for Occupational Safety and Health Enhanced "
         "Coal Workers' Health Surveillance Program", NULL,
         "Centers for Disease Control and Prevention, National Institute "
         "for Occupational Safety and Health", NULL);
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). National Institute for Occupational Safety "
           "and Health enhanced coal workers\u2019 health surveillance "
           "program. Centers for Disease Control and Prevention, National "
           "Institute for Occupational Safety and Health. "
           "https://doi.org/10.5555/w");
    article_release(&a);
}

/* APA 7 6.17 sentence case of titles already in sentence case, of words
 * only the larger word lists know, and of scientific and chemical names
 * (real titles: the DOIs and feeds named) */
static void
test_citation_sentence_case_keeps_what_the_source_means(void **state)
{
    (void)state;
    /* a title in sentence case: its capitals inside a sentence are
     * proper nouns, common words or not (10.1016/j.rasd.2014.03.011; the
     * Guardian's feed); in title case the same words are lowered */
    case_is(cite_sentence_case,
            "The interference of low back pain: The Brief Pain Inventory "
            "short form (BPI-SF) survey",
            "The interference of low back pain: The Brief Pain Inventory "
            "short form (BPI-SF) survey");
    case_is(cite_sentence_case,
            "Trump State of the Union address promised unity",
            "Trump State of the Union address promised unity");
    case_is(cite_sentence_case,
            "Cyclones of the Bay of Bengal in the monsoon season",
            "Cyclones of the Bay of Bengal in the monsoon season");
    case_is(cite_sentence_case, "Brief Pain and Union Address",
            "Brief pain and union address");
    /* words of science that only wamerican-large and wbritish-large know
     * (10.1103/physrevlett.126.162501, 10.1100/tsw.2002.291,
     * 10.1001/2013.jamainternmed.744) */
    case_is(cite_sentence_case,
            "The Charge-Averaged Elastic Lepton-Proton Scattering Cross "
            "Section",
            "The charge-averaged elastic lepton-proton scattering cross "
            "section");
    case_is(cite_sentence_case,
            "Recent Levels of Technetium-99 in Seawater and Atrial "
            "Fibrillation",
            "Recent levels of technetium-99 in seawater and atrial "
            "fibrillation");
    /* but a name the everyday lists spell with a capital stays one,
     * though the larger lists know a common word too */
    case_is(cite_sentence_case, "Danish Policy and the Kremlin's Vikings",
            "Danish policy and the Kremlin's Vikings");
    case_is(cite_sentence_case, "Paleolithic Tools and Tridentine Rites",
            "Paleolithic tools and Tridentine rites");
    /* a genus before its epithet keeps its capital, though the lists
     * know it as a common word (the Wiley Taxon and bioRxiv feeds) */
    case_is(cite_sentence_case,
            "A Genome Atlas of Selaginella moellendorffii and Artemisia "
            "annua",
            "A genome atlas of Selaginella moellendorffii and Artemisia "
            "annua");
    /* in title case a plain species name keeps its epithet in lower case
     * (CMOS 17 8.159; the Wiley, Elsevier and IJSEM feeds), but a word
     * after an acronym, a people's name or a common word that opens the
     * title is no epithet */
    case_is(cite_title_case,
            "Vibrio ulleungensis and Selaginella moellendorffii in pumas "
            "(Puma concolor) and S. helvetica",
            "Vibrio ulleungensis and Selaginella moellendorffii in Pumas "
            "(Puma concolor) and S. helvetica");
    case_is(cite_title_case,
            "Novel saprobic fungi, DNA barcoding and Inuit "
            "qaujimajatuqangit",
            "Novel Saprobic Fungi, DNA Barcoding and Inuit "
            "Qaujimajatuqangit");
    /* Chicago's hyphenated compounds (CMOS 17 8.161): no capital after a
     * prefix that is no word, unless a proper noun, nor in a spelled-out
     * number or fraction; MLA 9 capitalises every part */
    case_is(cite_title_case_cmos,
            "anti-intellectual pursuits, pre-Columbian and sub-Arctic "
            "co-management at twenty-one: two-thirds of e-books and "
            "self-sustaining long-term trade-offs",
            "Anti-intellectual Pursuits, Pre-Columbian and Sub-Arctic "
            "Co-management at Twenty-one: Two-thirds of E-books and "
            "Self-Sustaining Long-Term Trade-Offs");
    case_is(cite_title_case, "non-state actors at twenty-one",
            "Non-State Actors at Twenty-One");
    /* "first-half" is no fraction; "ten-thirds" would be one */
    case_is(cite_title_case_cmos, "first-half results and ten-thirds",
            "First-Half Results and Ten-thirds");
    /* chemistry's systematic names: prefixes before a word of the lists,
     * and a name after its locants (10.5012/bkcs.2013.34.10.2889,
     * 10.1021/acs.orglett.9b00971) */
    case_is(cite_sentence_case,
            "A Nickel(II) Complex with Dibromotyrosine and "
            "1,10-Phenanthroline from 1,2-Dichloroethane",
            "A nickel(II) complex with dibromotyrosine and "
            "1,10-phenanthroline from 1,2-dichloroethane");
    /* a class of compounds by its suffix (10.1021/acs.orglett.9b00971),
     * not a brand the lists spell with a capital */
    case_is(cite_sentence_case,
            "Synthesis of Ynamides and Enamines With Dramamine",
            "Synthesis of ynamides and enamines with Dramamine");
    /* an ellipsis of periods parts words (10.1021/acs.orglett.7b03845);
     * a web address is kept as written (the Journal of Web
     * Librarianship's feed) */
    case_is(cite_sentence_case, "A Look Back...and Forward",
            "A look back...and forward");
    case_is(cite_sentence_case, "Voyant Tools. http://voyant-tools.org/",
            "Voyant tools. http://voyant-tools.org/");
}

/* The names of Arctic governance that are also common words keep their
 * capitals in APA sentence case (issue 13's domain list; the titles are
 * ours, made of the names Arctic Council and Arctic Institute papers
 * use) */
static void
test_citation_sentence_case_keeps_arctic_names(void **state)
{
    (void)state;
    case_is(cite_sentence_case,
            "The Law of the Sea Convention and the Polar Code in the North "
            "Sea and Baltic Sea",
            "The Law of the Sea Convention and the Polar Code in the North "
            "Sea and Baltic Sea");
    case_is(cite_sentence_case,
            "Indigenous Peoples and the Inuit Circumpolar Council: The "
            "Nordic Council and the Saami Council",
            "Indigenous Peoples and the Inuit Circumpolar Council: The "
            "Nordic Council and the Saami Council");
    /* a place's agreement or body ("Kyoto Protocol"), not an adjective's
     * ("Arctic policy") */
    case_is(cite_sentence_case,
            "The Kyoto Protocol, the Ottawa Declaration and Arctic Policy",
            "The Kyoto Protocol, the Ottawa Declaration and Arctic policy");
    case_is(cite_sentence_case,
            "The U.S. Coast Guard in the Bering Sea and the Canadian Arctic "
            "Archipelago After the Second World War",
            "The U.S. Coast Guard in the Bering Sea and the Canadian Arctic "
            "Archipelago after the Second World War");
    /* a point of the compass before a feature names it; before a common
     * word it is lowered */
    case_is(cite_sentence_case, "North Sea Oil and the North Wind",
            "North Sea oil and the north wind");
    /* a title before a name, and the name, keep their capitals */
    case_is(cite_sentence_case,
            "An Interview With Gen. Smith on St. Lawrence Island",
            "An interview with Gen. Smith on St. Lawrence Island");
    /* a statute's name is a proper noun; a verb "Act" is not */
    case_is(cite_sentence_case,
            "Why Greenland Must Act Now: The Marine Mammal Protection Act "
            "of 1972 and the Nunavut Act",
            "Why Greenland must act now: The Marine Mammal Protection Act "
            "of 1972 and the Nunavut Act");
    /* a noun before the numeral of a series (APA 7 6.19), not before a
     * year */
    case_is(cite_sentence_case,
            "Maritime Claims Under UNCLOS Article 234 and the Arctic "
            "Strategy 2030",
            "Maritime claims under UNCLOS Article 234 and the Arctic "
            "strategy 2030");
    /* words made of a prefix and a common word are common words; a
     * region's name made so is one the lists know, or stays */
    case_is(cite_sentence_case,
            "Postcolonial Paradiplomacy, Cybersecurity and Geoeconomics in "
            "the Neotropics",
            "Postcolonial paradiplomacy, cybersecurity and geoeconomics in "
            "the Neotropics");
    case_is(cite_sentence_case,
            "Alaska Native Corporations, the Arctic Five and the Russian "
            "Federation",
            "Alaska Native corporations, the Arctic Five and the Russian "
            "Federation");
}

/* Names a feed deposits in lower case ("jiang", bioRxiv's feed) take a
 * name's capitals; a particle before a name stays in lower case */
static void
test_citation_names_in_lower_case_take_capitals(void **state)
{
    struct article a;

    (void)state;
    article_init(&a);
    a.title = xstrdup("T");
    article_add_person(&a, "a", "zhang", NULL);
    article_add_person(&a, "xiao-ming", "jiang", NULL);
    article_add_person(&a, "maria", "da silva", NULL);
    article_add_person(&a, "sean", "o'brien", NULL);
    article_add_person(&a, "J.", "van der Berg", NULL);
    /* a capital we do not map is no name in lower case */
    article_add_person(&a, "\xc4\xb0nan\xc3\xa7", "\xc3\x96zgen", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Zhang, A., Xiao-Ming Jiang, Maria da Silva, Sean O\u2019Brien, "
           "J. van der Berg, and \u0130nan\u00e7 \u00d6zgen. "
           "\u201cT.\u201d n.d.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Zhang, A., Jiang, X.-M., da Silva, M., O\u2019Brien, S., van "
           "der Berg, J., & \u00d6zgen, \u0130. (n.d.). T.");
    article_release(&a);
}

static void
test_citation_name_in_two_scripts(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;

    (void)state;
    article_init(&a);
    a.title = xstrdup("Architecture");
    article_add_person(&a, "\u6768\u6653\u96ea", "Yang Xiaoxue", NULL);
    article_add_person(&a, "Bing", "Hu", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Yang Xiaoxue \u6768\u6653\u96ea, and Bing Hu. "
           "\u201cArchitecture.\u201d n.d.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Yang Xiaoxue \u6768\u6653\u96ea, & Hu, B. (n.d.). "
           "Architecture.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Yang Xiaoxue \u6768\u6653\u96ea, and Bing Hu. "
           "\u201cArchitecture.\u201d");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "author = {{Yang Xiaoxue "
                                   "\u6768\u6653\u96ea} and Hu, Bing}"));
    buf_reset(&b);
    cite_ris(&a, 1, &b);
    assert_non_null(strstr(b.data, "AU  - Yang Xiaoxue \u6768\u6653\u96ea\r\n"));
    buf_release(&b);
    article_release(&a);
    /* the Han form in family, the romanisation in given: the same */
    article_init(&a);
    a.title = xstrdup("Architecture");
    article_add_person(&a, "Hu Bing", "\u80e1\u51b0", NULL);
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Hu Bing \u80e1\u51b0. (n.d.). Architecture.");
    article_release(&a);
}

static void
test_citation_entries_posted_work_and_data_sets(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;

    (void)state;
    /* an entry in a reference work: its full date */
    work(&a, ARTICLE_KIND_ENTRY, "Soil ecology", "Ecology",
         "Oxford University Press", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cSoil Ecology.\u201d Ecology. Oxford "
           "University Press, June 9, 2021. https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Soil ecology. In Ecology. Oxford University "
           "Press. https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cSoil Ecology.\u201d Ecology, Oxford "
           "University Press, 9 June 2021, https://doi.org/10.5555/w.");
    article_release(&a);

    /* posted content (a blog post) and a published peer review: the
     * publisher plain, never a periodical */
    work(&a, ARTICLE_KIND_POSTED, "Eating your own dog food", NULL,
         "Front Matter", NULL);
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cEating Your Own Dog Food.\u201d Front "
           "Matter, June 9, 2021. https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Eating your own dog food. Front Matter. "
           "https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cEating Your Own Dog Food.\u201d Front "
           "Matter, 9 June 2021, https://doi.org/10.5555/w.");
    a.kind = ARTICLE_KIND_REVIEW;
    assert_string_equal(cite_kind_name(cite_kind_of(&a)), "posted");
    /* a preprint known by its publisher only says so in APA */
    a.kind = ARTICLE_KIND_PREPRINT;
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Eating your own dog food [Preprint]. Front "
           "Matter. https://doi.org/10.5555/w");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. \u201cEating Your Own Dog Food.\u201d Front "
           "Matter, June 9, 2021. https://doi.org/10.5555/w.");
    article_release(&a);

    /* a data set (APA 7 10.9) */
    work(&a, ARTICLE_KIND_DATASET, "Sea ice extent", NULL, "NSIDC", NULL);
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Sea ice extent [Data set]. NSIDC. "
           "https://doi.org/10.5555/w");
    cite_ris(&a, 1, &b);
    assert_true(strncmp(b.data, "TY  - DATA\r\n", 12) == 0);
    assert_non_null(strstr(b.data, "PB  - NSIDC\r\n"));
    buf_reset(&b);
    article_release(&a);

    /* a report names its publisher and, for Chicago, its place */
    work(&a, ARTICLE_KIND_REPORT, "Role of energy storage", NULL, "OSTI",
         "Oak Ridge, TN");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "Gatti, Fabien. Role of Energy Storage. Oak Ridge, TN: OSTI, "
           "June 9, 2021. https://doi.org/10.5555/w.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Gatti, F. (2021). Role of energy storage. OSTI. "
           "https://doi.org/10.5555/w");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Gatti, Fabien. Role of Energy Storage. OSTI, 9 June 2021, "
           "https://doi.org/10.5555/w.");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "  institution = {OSTI},\n"));
    buf_release(&b);
    article_release(&a);
}

/* All three markups in one pass give what three passes give, for every
 * kind of work and the corners where the markups differ (links that can
 * and cannot be links, a title ending in a quotation, escaping). */
static void
test_citation_format_all_equals_each_markup_alone(void **state)
{
    static const enum article_kind kinds[] = {
        ARTICLE_KIND_UNKNOWN, ARTICLE_KIND_JOURNAL, ARTICLE_KIND_REPORT,
        ARTICLE_KIND_WEB,     ARTICLE_KIND_PREPRINT, ARTICLE_KIND_CHAPTER,
        ARTICLE_KIND_NEWS,    ARTICLE_KIND_BOOK,    ARTICLE_KIND_PAPER,
        ARTICLE_KIND_ENTRY,   ARTICLE_KIND_POSTED,  ARTICLE_KIND_DATASET,
        ARTICLE_KIND_REVIEW};
    static const char *const titles[] = {
        "Sino-Russian Arctic Cooperation: Why \"Maybe\"",
        "NATO *and* the [High North] <b>now</b> & then?", NULL};
    static const char *const urls[] = {"https://example.org/a?x=1&y=<2>",
                                       "https://example.org/a_b", NULL};
    size_t k, t, u;
    int s, m;
    (void)state;

    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (t = 0; t < 3; t++)
            for (u = 0; u < 3; u++) {
                struct article a;
                struct buf all[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
                real_article(&a);
                a.kind = kinds[k];
                free(a.title);
                a.title = titles[t] ? xstrdup(titles[t]) : NULL;
                a.url = urls[u] ? xstrdup(urls[u]) : NULL;
                if (u == 2)
                    a.doi = xstrdup("10.5555/x_y");
                if (k >= 7 && u != 1) {
                    a.publisher = xstrdup("Arctic & <Co>");
                    a.place = xstrdup("Tromsø");
                }
                if (k % 2) {
                    a.volume = xstrdup("28");
                    a.issue = xstrdup("4");
                    a.pages = xstrdup("767-777");
                    a.others = true;
                }
                for (s = CITE_CHICAGO; s <= CITE_MLA; s++) {
                    cite_format_all(&a, (enum cite_style)s, all);
                    for (m = 0; m < 3; m++) {
                        struct buf one = BUF_INIT;
                        cite_format(&a, (enum cite_style)s,
                                    (enum cite_markup)m, &one);
                        assert_string_equal(all[m].data, one.data);
                        buf_release(&one);
                        buf_reset(&all[m]);
                    }
                }
                for (m = 0; m < 3; m++)
                    buf_release(&all[m]);
                article_release(&a);
            }
}

/* A title's italics (article.title_markup, as Crossref marks a species):
 * italic in a roman title, roman in an italic one, kept as written in
 * title case (CMOS 8.157 rule 7: the epithet stays lower case), never an
 * empty "**" in markdown, spaces outside the tags; BibTeX \\textit. */
/* The abbreviations of a scientific name ("gen. nov.", "sp. nov.",
 * "spp. nov.", "gen. et sp. nov.", "sp. n.", "subsp.") end no sentence
 * and stay in lower case in title case too (CMOS 17 8.157; ICZN, ICN);
 * nor do "et al.", "ca." and "fig." end one.  Titles of real items:
 * mapress-zootaxa.rss, pensoft-mycokeys.rss,
 * microbiology-society-ijsem.rss, tandf-zoology-in-the-middle-east.rss,
 * wiley-journal-of-vegetation-science.rdf. */
static void
test_citation_case_keeps_latin_abbreviations_of_names(void **state)
{
    struct article a;
    static const char zhengica[] =
        ARTICLE_ITALIC_ON "Zhengica cornuta" ARTICLE_ITALIC_OFF
        " gen. nov., sp. nov., a new genus and species of Pentatomidae "
        "from East Asia (Hemiptera: Heteroptera)";
    static const char plecto[] =
        "Diversity of " ARTICLE_ITALIC_ON "Plectosphaerella" ARTICLE_ITALIC_OFF
        " within aquatic plants from southwest China, with " ARTICLE_ITALIC_ON
        "P. endophytica" ARTICLE_ITALIC_OFF " and " ARTICLE_ITALIC_ON
        "P. sichuanensis" ARTICLE_ITALIC_OFF " spp. nov.";
    static const char micro[] =
        ARTICLE_ITALIC_ON "Micromelanconis kaihuiae" ARTICLE_ITALIC_OFF
        " gen. et sp. nov., a new diaporthalean fungus";
    (void)state;

    case_is(cite_sentence_case,
            "Zhengica cornuta gen. nov., sp. nov., a new genus and species "
            "of Pentatomidae from East Asia (Hemiptera: Heteroptera)",
            "Zhengica cornuta gen. nov., sp. nov., a new genus and species "
            "of Pentatomidae from East Asia (Hemiptera: Heteroptera)");
    case_is(cite_sentence_case,
            "Micromelanconis kaihuiae gen. et sp. nov., a new diaporthalean "
            "fungus from Chinese chestnut branches in southern China",
            "Micromelanconis kaihuiae gen. et sp. nov., a new diaporthalean "
            "fungus from Chinese chestnut branches in southern China");
    case_is(cite_sentence_case,
            "Mycolicibacterium baixiangningiae sp. nov. and "
            "Mycolicibacterium mengxianglii sp. nov., two new rapidly "
            "growing mycobacterial species",
            "Mycolicibacterium baixiangningiae sp. nov. and "
            "Mycolicibacterium mengxianglii sp. nov., two new rapidly "
            "growing mycobacterial species");
    case_is(cite_sentence_case,
            "Sea ice since ca. 1850 and fig. 2 of Nansen et al. revisited",
            "Sea ice since ca. 1850 and fig. 2 of Nansen et al. revisited");
    /* a title written in title case: the abbreviations lose their
     * capitals as the common words do */
    case_is(cite_sentence_case,
            "Iocasia fonsfrigidae NS-1 gen. nov., sp. nov., a Novel Deep-Sea "
            "Bacterium Possessing Diverse Carbohydrate Metabolic Pathways",
            "Iocasia fonsfrigidae NS-1 gen. nov., sp. nov., a novel deep-sea "
            "bacterium possessing diverse carbohydrate metabolic pathways");
    case_is(cite_sentence_case,
            "Iocasia fonsfrigidae Gen. Nov., Sp. Nov., A Novel Bacterium",
            "Iocasia fonsfrigidae gen. nov., sp. nov., a novel bacterium");
    case_is(cite_title_case,
            "Echinogammarus sp. n. and " ARTICLE_ITALIC_ON "Pinus mugo"
            ARTICLE_ITALIC_OFF " Turra subsp. " ARTICLE_ITALIC_ON "mugo"
            ARTICLE_ITALIC_OFF ", comb. nov. and stat. rev., with "
            "Nansen et al.",
            "Echinogammarus sp. n. and " ARTICLE_ITALIC_ON "Pinus mugo"
            ARTICLE_ITALIC_OFF " Turra subsp. " ARTICLE_ITALIC_ON "mugo"
            ARTICLE_ITALIC_OFF ", comb. nov. and stat. rev., with "
            "Nansen et al.");
    /* an acronym is none of them */
    case_is(cite_title_case, "Outcomes in CF. A Nordic cohort",
            "Outcomes in CF. A Nordic Cohort");
    case_is(cite_title_case, "A NEW GENUS, GEN. NOV., AND SP. NOV. AND",
            "A New Genus, gen. nov., and sp. nov. And");
    /* a general, a month, a volume, a number and a figure keep theirs */
    case_is(cite_title_case, "gen. Smith on nov. 5: vol. 3, no. 2, fig. 4",
            "Gen. Smith on Nov. 5: Vol. 3, No. 2, Fig. 4");

    article_init(&a);
    a.container = xstrdup("Zootaxa");
    article_set_title_marked(&a, zhengica, strlen(zhengica));
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "“Zhengica cornuta gen. nov., sp. nov., a New Genus and Species "
           "of Pentatomidae from East Asia (Hemiptera: Heteroptera).” "
           "Zootaxa, n.d.");
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "Zhengica cornuta gen. nov., sp. nov., a new genus and species "
           "of Pentatomidae from East Asia (Hemiptera: Heteroptera). (n.d.). "
           "Zootaxa.");
    article_set_title_marked(&a, plecto, strlen(plecto));
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "“Diversity of Plectosphaerella within Aquatic Plants from "
           "Southwest China, with P. endophytica and P. sichuanensis spp. "
           "nov.” Zootaxa.");
    article_set_title_marked(&a, micro, strlen(micro));
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "“Micromelanconis kaihuiae gen. et sp. nov., a New Diaporthalean "
           "Fungus.” Zootaxa, n.d.");
    article_release(&a);
}

static void
test_citation_title_italics(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    static const char marked[] = ARTICLE_ITALIC_ON "Calanus finmarchicus"
        ARTICLE_ITALIC_OFF "'s diet in the Barents Sea";
    (void)state;

    article_init(&a);
    article_set_title_marked(&a, marked, strlen(marked));
    article_add_person(&a, "Anna", "Berg", NULL);
    a.container = xstrdup("Polar Biology");
    a.kind = ARTICLE_KIND_JOURNAL;
    a.volume = xstrdup("47");
    a.published.t = dt_days_from_civil(2024, 3, 1) * 86400;
    a.published.prec = DT_PREC_YEAR;
    expect(&a, CITE_CHICAGO, CITE_MARKUP_MARKDOWN,
           "Berg\\, Anna\\. “*Calanus finmarchicus*’s Diet in the Barents "
           "Sea\\.” *Polar Biology* 47 \\(2024\\)\\.");
    expect(&a, CITE_APA, CITE_MARKUP_HTML,
           "Berg, A. (2024). <i>Calanus finmarchicus</i>’s diet in the "
           "Barents Sea. <i>Polar Biology</i>, <i>47</i>.");
    expect(&a, CITE_MLA, CITE_MARKUP_TEXT,
           "Berg, Anna. “Calanus finmarchicus’s Diet in the Barents Sea.” "
           "Polar Biology, vol. 47, 2024.");
    /* a book: the title in italics, the species in roman; no empty
     * emphasis where the title opens with it, and the opening "*" after
     * the apostrophe, where markdown reads it as one */
    a.kind = ARTICLE_KIND_BOOK;
    free(a.container);
    a.container = NULL;
    free(a.volume);
    a.volume = NULL;
    a.publisher = xstrdup("Springer");
    expect(&a, CITE_APA, CITE_MARKUP_MARKDOWN,
           "Berg\\, A\\. \\(2024\\)\\. Calanus finmarchicus’*s diet in the "
           "Barents Sea*\\. Springer\\.");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_HTML,
           "Berg, Anna. Calanus finmarchicus’<i>s Diet in the Barents "
           "Sea</i>. Springer, 2024.");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "title = {{\\textit{Calanus "
                                   "finmarchicus}'s diet in the Barents "
                                   "Sea}},"));
    buf_release(&b);
    article_release(&a);
}

/* Names print their apostrophes typographic, as titles do and as
 * citeproc prints them ("O’Brien"); BibTeX keeps the record's. */
static void
test_citation_name_apostrophes(void **state)
{
    struct article a;
    struct buf b = BUF_INIT;
    (void)state;

    article_init(&a);
    a.title = xstrdup("Ice");
    article_add_person(&a, "Seán", "O'Brien", NULL);
    article_add_person(&a, "D'Arcy", "Smith", NULL);
    article_add_person(&a, NULL, NULL, "Women's Institute");
    a.container = xstrdup("Polar Record");
    a.kind = ARTICLE_KIND_JOURNAL;
    a.volume = xstrdup("5");
    a.published.t = dt_days_from_civil(2020, 1, 1) * 86400;
    a.published.prec = DT_PREC_YEAR;
    expect(&a, CITE_APA, CITE_MARKUP_TEXT,
           "O’Brien, S., Smith, D., & Women’s Institute. (2020). Ice. "
           "Polar Record, 5.");
    expect(&a, CITE_CHICAGO, CITE_MARKUP_TEXT,
           "O’Brien, Seán, D’Arcy Smith, and Women’s Institute. “Ice.” "
           "Polar Record 5 (2020).");
    cite_bibtex(&a, 1, &b);
    assert_non_null(strstr(b.data, "author = {O'Brien, Seán and Smith, "
                                   "D'Arcy and {Women's Institute}}"));
    buf_release(&b);
    article_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_citation_rule_boundaries),
        cmocka_unit_test(
            test_citation_chicago_two_authors_matches_the_programme_page),
        cmocka_unit_test(
            test_citation_markdown_italicises_container_and_escapes_text),
        cmocka_unit_test(test_citation_apa_uses_initials_and_ampersand),
        cmocka_unit_test(test_citation_mla_three_authors_use_et_al),
        cmocka_unit_test(test_citation_mla_double_issue_is_nos),
        cmocka_unit_test(test_citation_no_date_and_no_author),
        cmocka_unit_test(test_citation_style_names_round_trip),
        cmocka_unit_test(test_citation_html_italicises_with_i_and_escapes_text),
        cmocka_unit_test(
            test_citation_markdown_cannot_be_injected_from_the_feed),
        cmocka_unit_test(
            test_citation_title_case_keeps_acronyms_and_lowercases_small_words),
        cmocka_unit_test(
            test_citation_sentence_case_keeps_proper_nouns_and_capitalises_after_colon),
        cmocka_unit_test(
            test_citation_sentence_case_keeps_names_the_word_lists_do_not_know),
        cmocka_unit_test(test_citation_sentence_case_lowers_contractions),
        cmocka_unit_test(test_citation_initials_written_together),
        cmocka_unit_test(test_citation_bare_initials_take_a_period),
        cmocka_unit_test(
            test_citation_sentence_case_keeps_compass_points_of_place_names),
        cmocka_unit_test(test_citation_names_in_capitals_are_recased),
        cmocka_unit_test(
            test_citation_kind_guessed_from_report_titles_and_volumes),
        cmocka_unit_test(
            test_citation_case_starts_again_after_marks_that_close),
        cmocka_unit_test(
            test_citation_case_starts_again_after_a_spaced_dash_and_a_period),
        cmocka_unit_test(test_citation_names_particles_suffixes_and_initials),
        cmocka_unit_test(test_citation_east_asian_names_and_empty_parts),
        cmocka_unit_test(
            test_citation_title_in_another_language_keeps_its_case),
        cmocka_unit_test(test_citation_typographic_quotes_and_final_period),
        cmocka_unit_test(test_citation_kind_follows_doi_container_and_title),
        cmocka_unit_test(
            test_citation_bibtex_keys_are_stable_unique_and_escaped),
        cmocka_unit_test(test_citation_ris_uses_crlf_and_one_record_each),
        cmocka_unit_test(test_citation_styles_give_volume_issue_and_pages),
        cmocka_unit_test(test_citation_page_ranges_shorten_by_each_styles_rule),
        cmocka_unit_test(test_citation_et_al_flag_is_rendered),
        cmocka_unit_test(
            test_citation_bibtex_and_ris_give_volume_issue_and_pages),
        cmocka_unit_test(test_citation_url_is_a_link_in_markdown_and_html_only),
        cmocka_unit_test(test_citation_coins_journal_and_web_page),
        cmocka_unit_test(test_citation_kind_of_the_record_decides_the_form),
        cmocka_unit_test(
            test_citation_books_chapters_and_papers_name_their_publisher),
        cmocka_unit_test(test_citation_entries_posted_work_and_data_sets),
        cmocka_unit_test(test_citation_suffix_given_apart),
        cmocka_unit_test(test_citation_null_volume_and_one_page_range),
        cmocka_unit_test(test_citation_name_in_two_scripts),
        cmocka_unit_test(test_citation_mla_particles),
        cmocka_unit_test(test_citation_sentence_case_rules_from_real_titles),
        cmocka_unit_test(
            test_citation_sentence_case_keeps_what_the_source_means),
        cmocka_unit_test(test_citation_sentence_case_keeps_arctic_names),
        cmocka_unit_test(test_citation_names_in_lower_case_take_capitals),
        cmocka_unit_test(test_citation_case_rules_from_real_records),
        cmocka_unit_test(test_citation_format_all_equals_each_markup_alone),
        cmocka_unit_test(test_citation_title_italics),
        cmocka_unit_test(test_citation_name_apostrophes),
        cmocka_unit_test(test_citation_url_drops_tracking_parameters),
        cmocka_unit_test(test_citation_news_italicises_the_paper),
        cmocka_unit_test(
            test_citation_container_in_capitals_takes_headline_style),
        cmocka_unit_test(
            test_citation_case_keeps_latin_abbreviations_of_names),
    };
    return cmocka_run_group_tests_name("citation", tests, NULL, NULL);
}

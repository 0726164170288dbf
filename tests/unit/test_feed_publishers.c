/*
 * The feed module's publisher rules (feed_quirks.c): issue statements that
 * are no abstract, bylines and arXiv headers, journals named in feed
 * titles, and what whole items in each publisher's layout yield.  Kept
 * apart from test_feed.c, whose cases follow feedparser's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/feed.h"
#include "feed_int.h"

static bool
citation_line(const char *s)
{
    return feed_is_citation_line(s, strlen(s));
}

static void
test_feed_publishers_citation_lines_are_no_abstract(void **state)
{
    (void)state;
    assert_true(citation_line("Volume 28, Issue 4, October-December 2019, "
                              "Page 767-777"));
    assert_true(citation_line("The Polar Journal, Volume 15, Issue 2, Page "
                              "301-320, December 2025."));
    assert_true(citation_line("Marine Policy, Volume 173, Issue 1, Page "
                              "1-10, March 2025."));
    assert_true(citation_line("International Affairs, EarlyView."));
    assert_true(citation_line("Polar Geography, Ahead of Print."));
    assert_true(citation_line("Publication date: March 2025\n\nSource: "
                              "Marine Policy, Volume 173\n\nAuthor(s): "
                              "jane doe, john smith"));
    assert_true(citation_line("  "));
    /* prose that mentions a volume or a page is an abstract */
    assert_false(citation_line("This article reads the second volume of "
                               "the report and finds that sea ice declines."));
    assert_false(citation_line("Page after page, the authors show how "
                               "governance adapts to warming seas."));
    assert_false(citation_line("A short abstract without any statement."));
    /* a statement's words only as whole words: "in pressure" is prose */
    assert_false(citation_line("Changes in pressure over the Arctic Ocean"));
    assert_false(citation_line("Variations in pressure and temperature"));
    assert_false(citation_line("Early viewing of the ice edge"));
}

static struct item
parts_of(const char *s)
{
    struct item it;

    memset(&it, 0, sizeof(it));
    feed_citation_parts(s, strlen(s), &it);
    return it;
}

static void
expect_str(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void
test_feed_publishers_citation_line_parts(void **state)
{
    struct item it;

    (void)state;
    it = parts_of("Volume 28, Issue 4, October-December 2019, Page 767-777");
    expect_str(it.volume.s, "28");
    expect_str(it.issue.s, "4");
    expect_str(it.pages.s, "767-777");
    feed_item_release(&it);
    it = parts_of("Arctic Review, Vol. 12, No. 3-4, pp. 10\xe2\x80\x93"
                  "19");
    expect_str(it.volume.s, "12");
    expect_str(it.issue.s, "3-4");
    expect_str(it.pages.s, "10-19");
    feed_item_release(&it);
    it = parts_of("Polar Record, Special Issue, Early View.");
    expect_str(it.volume.s, NULL);
    expect_str(it.issue.s, NULL);
    expect_str(it.pages.s, NULL);
    feed_item_release(&it);
    it = parts_of("Source: Marine Policy, Volume 173\n\nAuthor(s): Jane "
                  "Doe, John Smith");
    expect_str(it.volume.s, "173");
    expect_str(it.byline.s, "Jane Doe, John Smith");
    feed_item_release(&it);
}

static char *
cleaned(const char *s, struct item *it)
{
    memset(it, 0, sizeof(*it));
    return feed_clean_abstract(strdup(s), it);
}

static void
test_feed_publishers_bylines_and_arxiv_headers_are_stripped(void **state)
{
    struct item it;
    char *s;

    (void)state;
    s = cleaned("arXiv:2508.13426v1 Announce Type: cross \nAbstract: We "
                "propose a method.",
                &it);
    assert_string_equal(s, "We propose a method.");
    free(s);
    feed_item_release(&it);
    s = cleaned("arXiv:2508.13426v2 Announce Type: replace-cross Abstract: "
                "Sea ice.",
                &it);
    assert_string_equal(s, "Sea ice.");
    free(s);
    feed_item_release(&it);
    s = cleaned("by Jin Ke, Hayoung Song, Monica D. Rosenberg\n\nAttention "
                "fluctuates over time.",
                &it);
    assert_string_equal(s, "Attention fluctuates over time.");
    assert_string_equal(it.byline.s, "Jin Ke, Hayoung Song, Monica D. "
                                     "Rosenberg");
    free(s);
    feed_item_release(&it);
    /* a byline alone is no abstract */
    s = cleaned("by Jin Ke, Hayoung Song", &it);
    assert_null(s);
    feed_item_release(&it);
    /* a first paragraph of prose that starts "By" is the abstract's */
    s = cleaned("By Combining satellite altimetry with models, we show that "
                "the ice thins.\n\nThe rest follows.",
                &it);
    assert_non_null(s);
    assert_true(strncmp(s, "By Combining satellite", 22) == 0);
    assert_null(it.byline.s);
    free(s);
    feed_item_release(&it);
    /* prose that starts with "by" stays */
    s = cleaned("by and large, the council works.\n\nMore text.", &it);
    assert_string_equal(s, "by and large, the council works.\n\nMore text.");
    free(s);
    feed_item_release(&it);
    s = cleaned("By 2050 the Arctic may be ice-free in summer, and shipping "
                "will follow.",
                &it);
    assert_string_equal(s, "By 2050 the Arctic may be ice-free in summer, "
                           "and shipping will follow.");
    free(s);
    feed_item_release(&it);
    /* a first line that is an issue statement before the abstract */
    s = cleaned("Nature Climate Change, Published online: 14 August 2025; "
                "doi:10.1038/s41558-025-02412-9\n\nSea ice loss reshapes "
                "Arctic shipping routes.",
                &it);
    assert_string_equal(s, "Sea ice loss reshapes Arctic shipping routes.");
    free(s);
    feed_item_release(&it);
    s = cleaned("Journal of Peace Research, Ahead of Print.\nThis article "
                "examines deterrence in the High North.",
                &it);
    assert_string_equal(s, "This article examines deterrence in the High "
                           "North.");
    free(s);
    feed_item_release(&it);
    s = cleaned("Polar Record, Volume 61, Issue 2, Page 1-12\n.", &it);
    assert_null(s); /* nothing like prose after it */
    assert_string_equal(it.pages.s, "1-12");
    feed_item_release(&it);
    /* a first line of prose is no statement */
    s = cleaned("Page after page of new data.\nMore findings follow here.",
                &it);
    assert_string_equal(s, "Page after page of new data.\nMore findings "
                           "follow here.");
    free(s);
    feed_item_release(&it);
    /* a citation line is dropped, its parts kept */
    s = cleaned("Volume 28, Issue 4, Page 767-777", &it);
    assert_null(s);
    assert_string_equal(it.volume.s, "28");
    feed_item_release(&it);
}

static void
expect_journal(const char *title, const char *want)
{
    char *got = feed_journal_of_title(title);

    expect_str(got, want);
    free(got);
}

static void
test_feed_publishers_journal_of_feed_title(void **state)
{
    (void)state;
    expect_journal("Most Recent Articles: BMC Bioinformatics",
                   "BMC Bioinformatics");
    expect_journal("Taylor & Francis: The Polar Journal: Table of Contents",
                   "The Polar Journal");
    expect_journal("Wiley: Review of Policy Research: Table of Contents",
                   "Review of Policy Research");
    expect_journal("ScienceDirect Publication: Marine Policy", "Marine Policy");
    expect_journal("Latest Results for Polar Biology", "Polar Biology");
    expect_journal("Latest articles in Polar Research", "Polar Research");
    expect_journal("PLOS ONE: New Articles", "PLOS ONE");
    expect_journal("cs.CL updates on arXiv.org", "arXiv");
    expect_journal("bioRxiv Subject Collection: Ecology", "bioRxiv");
    expect_journal("Frontiers in Marine Science | New and Recent Articles",
                   "Frontiers in Marine Science");
    expect_journal("International Affairs Advance Access",
                   "International Affairs");
    /* a name that is one stays as it is */
    expect_journal("Polar Record", "Polar Record");
    expect_journal("The Arctic Institute", "The Arctic Institute");
    expect_journal("Politics: A Journal", "Politics: A Journal");
    expect_journal(NULL, NULL);
}

static void
test_feed_publishers_same_text(void **state)
{
    (void)state;
    assert_true(feed_same_text("Sino-Russian Arctic Cooperation",
                               "sino russian arctic cooperation."));
    assert_false(feed_same_text("The Polar Journal", "Sino-Russian Arctic"));
    assert_false(feed_same_text(NULL, "x"));
}

static void
expect_name(const char *creator, const char *name)
{
    assert_int_equal(feed_name_before_affiliation(creator), strlen(name));
    assert_memory_equal(creator, name, strlen(name));
}

static void
test_feed_publishers_affiliation_after_the_name(void **state)
{
    (void)state;
    /* Atypon's dc:creator: the name, then the affiliation */
    expect_name("Richard Wisneski Miami University, Oxford, Ohio, USA",
                "Richard Wisneski");
    expect_name("Christopher Jimenez Associate Librarian",
                "Christopher Jimenez");
    expect_name("Steve Brantley Professor of Library Services, Eastern "
                "Illinois University, Charleston, IL, USA",
                "Steve Brantley");
    expect_name("Bradford Lee Eden Independent Scholar and Academic "
                "Librarian, Philadelphia, Pennsylvania",
                "Bradford Lee Eden");
    /* names and lists as they are */
    expect_name("Bradford Lee Eden ", "Bradford Lee Eden ");
    expect_name("Thorhallsson, Baldur; Arctic Council Secretariat",
                "Thorhallsson, Baldur; Arctic Council Secretariat");
    expect_name("Department of Fisheries and Oceans",
                "Department of Fisheries and Oceans");
    expect_name("Kaur, M., Shukla, A., Kanwar, S.",
                "Kaur, M., Shukla, A., Kanwar, S.");
    expect_name("University of Tromsø", "University of Tromsø");
    expect_name("J. Tormo, B. Moreira, J.G. Pausas",
                "J. Tormo, B. Moreira, J.G. Pausas");
}

static void
test_feed_publishers_title_without_issue_statement(void **state)
{
    const char *dc = "Environmental Hydraulics, Turbulence, and Sediment "
                     "Transport";
    (void)state;
    assert_ptr_equal(
        feed_title_without_statement("Fluids, Vol. 9, Pages 120: "
                                     "Environmental Hydraulics, Turbulence, "
                                     "and Sediment Transport",
                                     dc),
        dc);
    /* a title that only ends like dc:title, after prose, stays */
    assert_string_equal(
        feed_title_without_statement("Rivers of the North: Environmental "
                                     "Hydraulics, Turbulence, and Sediment "
                                     "Transport",
                                     dc),
        "Rivers of the North: Environmental Hydraulics, Turbulence, and "
        "Sediment Transport");
    assert_string_equal(feed_title_without_statement("Same", "Same"), "Same");
    assert_null(feed_title_without_statement(NULL, dc));
}

/* ---- whole items ------------------------------------------------------ */

static void
parse_str(const char *xml, struct feed *f)
{
    struct err e = ERR_INIT;

    if (feed_parse(f, xml, strlen(xml), "src", NULL, NULL, &e) != 0)
        fail_msg("%s", e.msg);
}

#define RDF_HEAD                                                               \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                             \
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "      \
    "xmlns=\"http://purl.org/rss/1.0/\" "                                      \
    "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "              \
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "                           \
    "xmlns:prism=\"http://prismstandard.org/namespaces/basic/2.0/\">\n"

/* Atypon (Taylor & Francis) as it writes its items: the article title in
 * prism:publicationName, the journal in dc:source, an issue statement as
 * the description, a newline before the XML declaration. */
static void
test_feed_publishers_atypon_item(void **state)
{
    const char *xml =
        "\n" RDF_HEAD
        "<channel rdf:about=\"https://www.tandfonline.com/loi/rpol20\">"
        "<title>Taylor &amp; Francis: The Polar Journal: Table of Contents"
        "</title><link>https://www.tandfonline.com/loi/rpol20</link>"
        "<description>x</description></channel>\n"
        "<item rdf:about=\"https://www.tandfonline.com/doi/full/10.1080/"
        "2154896X.2025.2530000?af=R\">"
        "<title>Caf&#233; &amp; co.: Arctic &lt;i&gt;Cooperation&lt;/i&gt;"
        "</title>"
        "<link>https://www.tandfonline.com/doi/full/10.1080/"
        "2154896X.2025.2530000?af=R</link>"
        "<description>Volume 15, Issue 2, December 2025, Page 301-320"
        "&lt;br/&gt;</description>"
        "<content:encoded>The Polar Journal, &lt;a href=\"https://www."
        "tandfonline.com/toc/rpol20/15/2\"&gt;Volume 15, Issue 2&lt;/a&gt;, "
        "Page 301-320, December 2025. &lt;br/&gt;</content:encoded>"
        "<dc:creator>Baldur Thorhallsson</dc:creator>"
        "<dc:source>The Polar Journal</dc:source>"
        "<dc:date>2025-07-22T07:00:00Z</dc:date>"
        "<prism:publicationName>Caf&#233; &amp; co.: Arctic "
        "Cooperation</prism:publicationName>"
        "<prism:volume>15</prism:volume><prism:number>2</prism:number>"
        "<prism:startingPage>301</prism:startingPage>"
        "<prism:endingPage>320</prism:endingPage>"
        "<prism:coverDate>2025-12-01T08:00:00Z</prism:coverDate>"
        "</item></rdf:RDF>\n";
    struct feed f = FEED_INIT;
    const struct article *a;

    (void)state;
    parse_str(xml, &f);
    assert_null(f.warning); /* no recovery mode */
    assert_int_equal(f.n, 1);
    a = &f.v[0];
    assert_string_equal(a->title, "Café & co.: Arctic Cooperation");
    assert_string_equal(a->container, "The Polar Journal");
    assert_string_equal(a->doi, "10.1080/2154896X.2025.2530000");
    assert_string_equal(a->volume, "15");
    assert_string_equal(a->issue, "2");
    assert_string_equal(a->pages, "301-320");
    assert_null(a->abstract);
    feed_release(&f);
}

/* Wiley: an issue statement as description, the abstract in
 * dc:description; no prism elements, so the statement gives the parts. */
static void
test_feed_publishers_wiley_item(void **state)
{
    const char *xml = RDF_HEAD
        "<channel rdf:about=\"https://onlinelibrary.wiley.com/loi/15410072\">"
        "<title>Wiley: Review of Policy Research: Table of Contents</title>"
        "<link>https://onlinelibrary.wiley.com/loi/15410072</link>"
        "<description>x</description></channel>\n"
        "<item rdf:about=\"https://onlinelibrary.wiley.com/doi/10.1111/"
        "ropr.70001?af=R\"><title>Arctic shipping</title>"
        "<link>https://onlinelibrary.wiley.com/doi/10.1111/ropr.70001?af=R"
        "</link><description>Review of Policy Research, Volume 42, Issue 3, "
        "Page 455-470, May 2025. </description>"
        "<dc:description>Shipping through the Arctic grows as the ice "
        "retreats.</dc:description>"
        "<dc:creator>Jane Doe, John Smith</dc:creator></item></rdf:RDF>\n";
    struct feed f = FEED_INIT;
    const struct article *a;

    (void)state;
    parse_str(xml, &f);
    assert_int_equal(f.n, 1);
    a = &f.v[0];
    assert_string_equal(a->container, "Review of Policy Research");
    assert_string_equal(a->abstract,
                        "Shipping through the Arctic grows as the ice "
                        "retreats.");
    assert_string_equal(a->doi, "10.1111/ropr.70001");
    assert_string_equal(a->volume, "42");
    assert_string_equal(a->issue, "3");
    assert_string_equal(a->pages, "455-470");
    assert_int_equal(a->nauthors, 2);
    feed_release(&f);
}

/* Atom with dc:creator (arXiv) and a PLOS-style byline paragraph. */
static void
test_feed_publishers_atom_dc_creator_and_byline(void **state)
{
    const char *xml =
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
        "<title>cs.CL updates on arXiv.org</title>"
        "<entry><title>T1</title><id>oai:arXiv.org:2508.13426v1</id>"
        "<link href=\"https://arxiv.org/abs/2508.13426\"/>"
        "<updated>2025-08-20T00:00:00Z</updated>"
        "<summary>arXiv:2508.13426v1 Announce Type: cross Abstract: Sea "
        "ice.</summary><dc:creator>Alice Smith, Bob Jones</dc:creator>"
        "</entry>"
        "<entry><title>T2</title><id>info:doi/10.1371/journal.pone.0312345"
        "</id><updated>2025-08-20T00:00:00Z</updated>"
        "<content type=\"html\">&lt;p&gt;by Jin Ke, Hayoung Song&lt;/p&gt;"
        "&lt;p&gt;Attention fluctuates.&lt;/p&gt;</content></entry>"
        "</feed>";
    struct feed f = FEED_INIT;

    (void)state;
    parse_str(xml, &f);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.v[0].container, "arXiv");
    assert_string_equal(f.v[0].abstract, "Sea ice.");
    assert_int_equal(f.v[0].nauthors, 2);
    assert_string_equal(f.v[0].authors[1].family, "Jones");
    assert_string_equal(f.v[1].abstract, "Attention fluctuates.");
    assert_string_equal(f.v[1].doi, "10.1371/journal.pone.0312345");
    /* no atom:author: the byline names them */
    assert_int_equal(f.v[1].nauthors, 2);
    assert_string_equal(f.v[1].authors[0].family, "Ke");
    feed_release(&f);
}

/* Rules found in the second part of the corpus (tests/data/real-feeds):
 * Oxford Academic's xmlns:prism="prism", Ingenta's ".../2.0/basic/",
 * ScienceDirect's "Publication date", Pensoft's labelled head and link
 * lines, Schweizerbart's "Abstract" heading; and what they must leave
 * alone. */
static void
test_feed_publishers_second_corpus_rules(void **state)
{
    const char *xml =
        "<?xml version=\"1.0\"?><rss version=\"2.0\" "
        "xmlns:p2=\"http://prismstandard.org/namespaces/2.0/basic/\">"
        "<channel><title>Latest Articles from PolarKeys</title>"
        "<link>https://x.org/</link><description>d</description>\n"
        /* 1: Silverchair */
        "<item><title>Ice</title><link>https://x.org/1</link>"
        "<author>Brandão S, Saeedi H, Brandt A. </author>"
        "<prism:volume xmlns:prism=\"prism\">194</prism:volume>"
        "<prism:doi xmlns:prism=\"prism\">10.1093/zoolinnean/zlab078"
        "</prism:doi></item>\n"
        /* 2: Ingenta's PRISM URI */
        "<item><title>Sea</title><link>https://x.org/2</link>"
        "<p2:volume>46</p2:volume><p2:startingPage>519</p2:startingPage>"
        "<p2:endingPage>537</p2:endingPage></item>\n"
        /* 3: ScienceDirect */
        "<item><title>Floe</title><link>https://x.org/3</link><description>"
        "&lt;p&gt;Publication date: February 2022&lt;/p&gt;&lt;p&gt;"
        "&lt;b&gt;Source:&lt;/b&gt; Marine Policy, Volume 167&lt;/p&gt;"
        "&lt;p&gt;Author(s): David R. Bickel&lt;/p&gt;</description></item>\n"
        /* 4: Pensoft */
        "<item><title>\xEF\xBB\xBFNew lichens</title>"
        "<link>https://x.org/4</link><description>"
        "&lt;p&gt;PolarKeys 85: 73-85&lt;/p&gt;&lt;p&gt;DOI: "
        "10.3897/polarkeys.85.76040&lt;/p&gt;&lt;p&gt;Authors: Ming-Zhu Dou, "
        "Min Li&lt;/p&gt;&lt;p&gt;Abstract: We studied the lichens of the "
        "tundra.&lt;/p&gt;&lt;p&gt;&lt;a href=\"x\"&gt;HTML&lt;/a&gt;&lt;/p&gt;"
        "&lt;p&gt;&lt;a href=\"y\"&gt;PDF&lt;/a&gt;&lt;/p&gt;</description>"
        "<pubDate>Fri, 10 Dec 2021 14:55:43 +0200</pubDate></item>\n"
        /* 5: Schweizerbart */
        "<item><title>Algae</title><link>https://x.org/5</link><description>"
        "&lt;h1&gt;Algae&lt;/h1&gt;&lt;b&gt;Doe, Jane&lt;/b&gt;&lt;br/&gt;"
        "Nova Hedwigia (2021), p. 281 - 290&lt;h2&gt;Abstract&lt;/h2&gt;"
        "&lt;p&gt;Two species of the genus were found in the sea.&lt;/p&gt;"
        "</description></item>\n"
        /* 6: prose with labels and a year after a comma stays */
        "<item><title>Spiders</title><link>https://x.org/6</link>"
        "<description>New records of Maripanthus gloria Caleb, 2021 and "
        "Maripanthus jubatus Maddison, 2020 from southern India are "
        "reported.\nAbstract: not a heading here.</description></item>\n"
        /* 7: a "Name N: text" line with no labels is no head: kept whole,
         * nothing taken from it */
        "<item><title>Parts</title><link>https://x.org/7</link>"
        "<description>Part 2: Methods of the survey\nAbstract: We counted "
        "the seals.</description></item>\n"
        "</channel></rss>\n";
    struct feed f = FEED_INIT;
    char date[40];
    struct dt_parts p;

    (void)state;
    parse_str(xml, &f);
    assert_int_equal(f.n, 7);
    assert_string_equal(f.v[0].container, "PolarKeys");
    assert_string_equal(f.v[0].volume, "194");
    assert_string_equal(f.v[0].doi, "10.1093/zoolinnean/zlab078");
    assert_int_equal(f.v[0].nauthors, 3);
    assert_string_equal(f.v[0].authors[0].family, "Brandão");
    assert_string_equal(f.v[0].authors[0].given, "S");
    assert_string_equal(f.v[0].authors[2].family, "Brandt");
    assert_string_equal(f.v[0].authors[2].given, "A");

    assert_string_equal(f.v[1].volume, "46");
    assert_string_equal(f.v[1].pages, "519-537");

    assert_null(f.v[2].abstract);
    assert_string_equal(f.v[2].volume, "167");
    assert_int_equal(f.v[2].published.prec, DT_PREC_MONTH);
    dt_to_parts(&f.v[2].published, &p);
    snprintf(date, sizeof(date), "%04d-%02d", p.year, p.month);
    assert_string_equal(date, "2022-02");

    assert_string_equal(f.v[3].title, "New lichens");
    assert_string_equal(f.v[3].doi, "10.3897/polarkeys.85.76040");
    assert_string_equal(f.v[3].volume, "85");
    assert_string_equal(f.v[3].pages, "73-85");
    assert_int_equal(f.v[3].nauthors, 2);
    assert_string_equal(f.v[3].authors[0].family, "Dou");
    assert_string_equal(f.v[3].abstract,
                        "We studied the lichens of the tundra.");
    /* its own date wins over none */
    assert_int_equal(f.v[3].published.prec, DT_PREC_SECOND);

    assert_string_equal(f.v[4].abstract,
                        "Two species of the genus were found in the sea.");

    assert_non_null(f.v[5].abstract);
    assert_true(strncmp(f.v[5].abstract, "New records of Maripanthus", 26) ==
                0);
    assert_non_null(strstr(f.v[5].abstract, "not a heading here"));
    assert_null(f.v[6].volume);
    assert_null(f.v[6].pages);
    assert_true(strncmp(f.v[6].abstract, "Part 2: Methods", 15) == 0);
    feed_release(&f);
}

/* A preprint's entry that names the DOI of its published version (arXiv's
 * API: arxiv:doi and a related doi.org link) is the preprint: no DOI of
 * another work.  A server's own DOI stays, and so does any DOI of an item
 * that is no preprint. */
static void
test_feed_publishers_preprint_keeps_no_published_doi(void **state)
{
    const char *xml =
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:arxiv=\"http://arxiv.org/schemas/atom\">"
        "<title>arXiv Query: search_query=cat:cs.CL</title>"
        "<entry><title>T1</title><id>http://arxiv.org/abs/2609.1v1</id>"
        "<link href=\"https://arxiv.org/abs/2609.1v1\" rel=\"alternate\"/>"
        "<arxiv:doi>10.1007/978-3-032-39150-6_7</arxiv:doi>"
        "<link rel=\"related\" href=\"https://doi.org/10.1007/"
        "978-3-032-39150-6_7\" title=\"doi\"/></entry>"
        "<entry><title>T2</title><id>http://arxiv.org/abs/2609.2v1</id>"
        "<link href=\"https://arxiv.org/abs/2609.2v1\"/>"
        "<link rel=\"related\" href=\"https://doi.org/10.48550/"
        "arXiv.2609.2\"/></entry>"
        "<entry><title>T3</title>"
        "<link href=\"https://www.biorxiv.org/content/10.1101/"
        "2025.01.01.123456v1\"/></entry>"
        "<entry><title>T4</title>"
        "<link href=\"https://osf.io/preprints/socarxiv/abc12\"/>"
        "<link rel=\"related\" href=\"https://doi.org/10.31235/"
        "osf.io/abc12\"/></entry>"
        "<entry><title>T5</title>"
        "<link href=\"https://news.example.org/a\"/>"
        "<link rel=\"related\" href=\"https://doi.org/10.1234/x\"/>"
        "</entry></feed>";
    struct feed f = FEED_INIT;

    (void)state;
    parse_str(xml, &f);
    assert_int_equal(f.n, 5);
    assert_null(f.v[0].doi);
    assert_string_equal(f.v[0].url, "https://arxiv.org/abs/2609.1v1");
    assert_string_equal(f.v[1].doi, "10.48550/arXiv.2609.2");
    assert_string_equal(f.v[2].doi, "10.1101/2025.01.01.123456");
    assert_string_equal(f.v[3].doi, "10.31235/osf.io/abc12");
    assert_string_equal(f.v[4].doi, "10.1234/x");
    feed_release(&f);
}

static char *
outlet_of(const char *chan)
{
    struct buf xml = BUF_INIT;
    struct feed f = FEED_INIT;
    char *out;

    buf_appendf(&xml, "<?xml version=\"1.0\"?><rss version=\"2.0\" "
                      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                      "<channel>%s<item><title>T</title></item></channel>"
                      "</rss>", chan);
    parse_str(xml.data, &f);
    assert_int_equal(f.n, 1);
    out = f.v[0].container ? strdup(f.v[0].container) : NULL;
    feed_release(&f);
    buf_release(&xml);
    return out;
}

static void
expect_outlet(const char *chan, const char *want)
{
    char *got = outlet_of(chan);

    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* A site's feed titled by the site and a part of it names the site, the
 * holder of its rights; a periodical's feed names the periodical. */
static void
test_feed_publishers_site_named_by_its_rights(void **state)
{
    (void)state;
    expect_outlet("<title>Medscape Family Medicine Headlines</title>"
                  "<copyright>Copyright 2025, Medscape</copyright>",
                  "Medscape");
    expect_outlet("<title>Arctic Today Politics</title>"
                  "<dc:rights>\u00a9 2025 Arctic Today. All rights "
                  "reserved.</dc:rights>",
                  "Arctic Today");
    /* the holder is the periodical itself, its publisher, its society */
    expect_outlet("<title>Entomologisk Tidskrift</title><copyright>"
                  "Copyright (c) 2021 Entomologisk Tidskrift</copyright>",
                  "Entomologisk Tidskrift");
    expect_outlet("<title>The Guardian</title><copyright>Guardian News and "
                  "Media Limited or its affiliated companies. All rights "
                  "reserved. 2018</copyright>",
                  "The Guardian");
    expect_outlet("<title>Systematic Botany</title><copyright>(copyright) "
                  "2021 American Society of Plant Taxonomists</copyright>",
                  "Systematic Botany");
    /* a name that only begins a word of the title is no site's */
    expect_outlet("<title>Polaris Research</title>"
                  "<copyright>Copyright 2025, Polar</copyright>",
                  "Polaris Research");
}

/* Ingenta's latest-issue feed dates its items only by the channel's
 * prism:coverDisplayDate ("October 2021"); an item of that issue with no
 * date of its own takes it, to its precision; one with a date keeps it,
 * one in no issue stays undated. */
static void
test_feed_publishers_issue_items_take_the_cover_date(void **state)
{
    const char *xml =
        "<?xml version=\"1.0\"?><rdf:RDF "
        "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://purl.org/rss/1.0/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
        "xmlns:prism=\"http://prismstandard.org/namespaces/2.0/basic/\">"
        "<channel rdf:about=\"https://x.example/\"><title>J</title>"
        "<dc:date>2021-11-06T02:11:47Z</dc:date>"
        "<prism:coverDisplayDate>October 2021</prism:coverDisplayDate>"
        "</channel>"
        "<item rdf:about=\"https://x.example/1\"><title>A</title>"
        "<prism:volume>46</prism:volume><prism:number>3</prism:number>"
        "</item>"
        "<item rdf:about=\"https://x.example/2\"><title>B</title>"
        "<prism:volume>46</prism:volume>"
        "<dc:date>2021-09-30</dc:date></item>"
        "<item rdf:about=\"https://x.example/3\"><title>C</title></item>"
        "</rdf:RDF>";
    struct feed f = FEED_INIT;
    struct dt_parts p;

    (void)state;
    parse_str(xml, &f);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.v[0].published.prec, DT_PREC_MONTH);
    dt_to_parts(&f.v[0].published, &p);
    assert_int_equal(p.year, 2021);
    assert_int_equal(p.month, 10);
    assert_int_equal(f.v[1].published.prec, DT_PREC_DAY);
    dt_to_parts(&f.v[1].published, &p);
    assert_int_equal(p.month, 9);
    assert_false(dt_is_set(&f.v[2].published));
    feed_release(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_publishers_citation_lines_are_no_abstract),
        cmocka_unit_test(test_feed_publishers_citation_line_parts),
        cmocka_unit_test(
            test_feed_publishers_bylines_and_arxiv_headers_are_stripped),
        cmocka_unit_test(test_feed_publishers_journal_of_feed_title),
        cmocka_unit_test(test_feed_publishers_same_text),
        cmocka_unit_test(test_feed_publishers_affiliation_after_the_name),
        cmocka_unit_test(test_feed_publishers_title_without_issue_statement),
        cmocka_unit_test(test_feed_publishers_atypon_item),
        cmocka_unit_test(test_feed_publishers_wiley_item),
        cmocka_unit_test(test_feed_publishers_atom_dc_creator_and_byline),
        cmocka_unit_test(test_feed_publishers_second_corpus_rules),
        cmocka_unit_test(
            test_feed_publishers_preprint_keeps_no_published_doi),
        cmocka_unit_test(test_feed_publishers_site_named_by_its_rights),
        cmocka_unit_test(
            test_feed_publishers_issue_items_take_the_cover_date),
    };
    return cmocka_run_group_tests_name("feed_publishers", tests, NULL, NULL);
}

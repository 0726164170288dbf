/*
 * citation: recommended citations of an article, and the files reference
 * managers import.
 *
 * Styles: Chicago 17th edition notes-bibliography (the bibliography
 * entry), APA 7th edition (reference list entry) and MLA 9th edition
 * (works-cited entry), each for eleven kinds of work (cite_kind_of()).  The
 * record's kind (article.kind: Crossref's type, or a preprint server's
 * DOI or link) decides when it is known: a journal article, a report, a
 * preprint, a book chapter, a book, a paper in proceedings, an entry in a
 * reference work, posted content (and a published peer review), a data
 * set, an article of a newspaper or a magazine (news: a source's `kind =
 * news`, or an item's PRISM aggregation type newspaper or magazine), or a
 * web article (web page).  Else:
 *   journal article  the record has a DOI, a volume or an issue number
 *                    (a periodical's), or a journal-like container
 *                    ("The Polar Journal", "Arctic Review on Law and
 *                    Politics": a word such as Journal, Review, Quarterly,
 *                    Studies, Record, Research, Proceedings, Annals,
 *                    Bulletin, Yearbook, Letters, Geography, Affairs);
 *   report           otherwise, when the title is a report's, working
 *                    paper's, policy brief's or briefing paper's: the word
 *                    heads the title or a part of it ("Arctic Shipping
 *                    Status Report", "Report on ...", "Working Paper No.
 *                    12"), not a headline about one ("Pentagon report
 *                    finds ..." is news); the container is the publisher;
 *   web article      everything else (think-tank commentary, news): the
 *                    container is the site.
 * A report's title is italic (never quoted as an article's).  A preprint
 * names its server as the container (Chicago "*bioRxiv*, December 1,
 * 2020", APA "*Title* [Preprint]. bioRxiv."); a chapter is "In" its book
 * (Chicago "In *Book*, 155–58, 2015.", APA "In *Book* (pp. 155–158).",
 * MLA "*Book*, 2015, pp. 155-58").
 * Books, chapters, papers, entries, reports and posted works name their
 * publisher (article.publisher; a report without one names its container),
 * Chicago after the place ("Cham: Springer, 2017", CMOS 14.127), APA
 * and MLA without it: a book "*Title*. Series. Place: Publisher, 2017."
 * (Chicago; APA and MLA leave the series out), a chapter or paper "In
 * *Book*, 155–58. Place: Publisher, 2015." (Chicago; APA "In *Book* (pp.
 * 155–158). Publisher."; MLA "*Book*, Publisher, 2015, pp. 155-58"),
 * papers in APA and MLA as citeproc's styles write them ("*Proceedings*,
 * 1386–1399."; no publisher), an entry "*Work*. Publisher, June 9,
 * 2021." (APA "In *Work*. Publisher."), posted work "“Title.”
 * Publisher, June 9, 2021." (APA "*Title*. Publisher.", a preprint
 * "*Title* [Preprint]. Publisher.", a data set "*Title* [Data set].
 * Publisher.").  Books, chapters and papers are dated by their year.
 * Authors follow each style's count rules (Chicago: up to 10 listed, more
 * give the first 7 and "et al."; APA: up to 20, more give 19, ". . ." and
 * the last; MLA: 1, 2, or the first and "et al.").  No author puts the
 * title first; no date gives "n.d." (Chicago, APA) or nothing (MLA).
 * Titles are title-cased for Chicago and MLA and sentence-cased for APA
 * (cite_title_case, cite_sentence_case), unless the record's language is
 * known and not English: then they keep their case (cite_lang_recased).
 * DOIs are written as https://doi.org/DOI and win over the URL.  Journal
 * articles give volume, issue and pages when the record has them: Chicago
 * "28, no. 4 (December 5, 2019): 767–77", APA "28(4), 767–777", MLA "vol.
 * 28, no. 4, Dec. 2019, pp. 767-77" (MLA dates an article in an issue by
 * the month, one in no issue by its day), each shortening the last
 * page by its own rule; a
 * record whose byline ended in "et al." (article.others) ends its author
 * list with "et al." (BibTeX "and others").
 *
 * Markup: plain text; markdown with italics as *...* and every other
 * character from the record escaped (text_escape_markdown), so feed text
 * cannot inject markdown; HTML with italics as <i>...</i> and all text
 * escaped (text_escape_html).
 *
 * BibTeX (UTF-8, for biblatex and BibTeX 0.99 with UTF-8 support) and RIS
 * (CRLF line ends) for a list of articles: cite_bibtex, cite_ris; with
 * volume, number and pages ("767--777"), VL, IS, SP and EP.  Entry types
 * by kind: @article / JOUR, @online / ELEC (web), @techreport / RPRT,
 * @misc / GEN (preprint and posted work, howpublished and PB its server
 * or publisher), @incollection / CHAP (booktitle and T2 the book, pages),
 * @book / BOOK (series and T3 the series), @inproceedings / CPAPER,
 * @inreference / ENCYC, @dataset / DATA, @article with entrysubtype
 * newspaper / NEWS (news); publisher and address, PB and
 * CY, for books, chapters, papers, entries, posted work and data sets.
 */
#ifndef ARCTIC_DIGEST_CITATION_H
#define ARCTIC_DIGEST_CITATION_H

#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"

enum cite_style { CITE_CHICAGO = 0, CITE_APA, CITE_MLA };

enum cite_markup {
    CITE_MARKUP_TEXT = 0, /* plain text, no italics */
    CITE_MARKUP_MARKDOWN, /* italics as *...*, text escaped, the DOI or
                             URL a link [shown](<url>) */
    CITE_MARKUP_HTML      /* italics as <i>...</i>, text escaped, the DOI
                             or URL a link <a href="url">shown</a> */
};

enum cite_kind {
    CITE_KIND_JOURNAL = 0,
    CITE_KIND_WEB,
    CITE_KIND_REPORT,
    CITE_KIND_PREPRINT,
    CITE_KIND_CHAPTER,
    CITE_KIND_BOOK,
    CITE_KIND_PAPER,  /* in conference proceedings */
    CITE_KIND_ENTRY,  /* in a reference work */
    CITE_KIND_POSTED, /* posted content, a published peer review */
    CITE_KIND_DATASET,
    CITE_KIND_NEWS /* an article of a newspaper or a magazine */
};

/* Append the citation of a in style s to out.  Cannot fail. */
void cite_format(const struct article *a, enum cite_style s,
                 enum cite_markup m, struct buf *out);

/* The citation of a in style s in all three markups in one pass (the
 * record read and its title cased once): out[m] gets what cite_format()
 * appends for markup m.  Cannot fail. */
void cite_format_all(const struct article *a, enum cite_style s,
                     struct buf out[3]);

/* "chicago", "apa", "mla" -> style; -1 for anything else. */
int cite_style_from_name(const char *name);
const char *cite_style_name(enum cite_style s);

/* The kind of work a is cited as (see above), and its name: "journal",
 * "web", "report", "preprint", "chapter", "book", "paper", "entry",
 * "posted", "dataset", "news". */
enum cite_kind cite_kind_of(const struct article *a);
const char *cite_kind_name(enum cite_kind k);

/*
 * Append p[0..n) (UTF-8) in title case or in sentence case.  Proper nouns
 * and acronyms of the Arctic vocabulary keep their spelling, and so do
 * words in capitals unless the whole title is in capitals; see
 * citation_case.c for the rules.  cite_title_case_cmos is Chicago's title
 * case, which also lowers the part of a hyphenated compound after a
 * prefix and of a spelled-out number ("Non-state", "Twenty-one": CMOS 17
 * 8.161); cite_title_case capitalises every part, as MLA 9 does.
 */
void cite_title_case(const char *p, size_t n, struct buf *out);
void cite_title_case_cmos(const char *p, size_t n, struct buf *out);
void cite_sentence_case(const char *p, size_t n, struct buf *out);

/*
 * Whether a title in language lang (article.lang, lower case) is re-cased
 * by the styles: only when lang is NULL (unknown) or English ("en",
 * "en-gb", "en-us"...), as CSL 1.0.2 ("Text-case") and citeproc do; a
 * German, Norwegian or Russian title keeps its case exactly.
 */
bool cite_lang_recased(const char *lang);

/*
 * Append one BibTeX entry per article (the type by kind, as above), with
 * keys like
 * "hauksdottir2025sino" (ASCII-folded family name of the first author or
 * first word of an organisation, year or "nd", first significant title
 * word), made unique within v by appending a, b, ... to the second and
 * later duplicates.  Field values are UTF-8 with { } \ % & $ # _ ^ ~
 * escaped; the title is braced so that its case is kept.
 */
void cite_bibtex(const struct article *v, size_t n, struct buf *out);

/*
 * Append one RIS record (TY by kind, as above ... ER) per article, CRLF
 * line ends: AU as "Family, Given", TI, T2 (and JO for journals), PY,
 * DA (YYYY/MM/DD/), DO, UR, AB on one line.
 */
void cite_ris(const struct article *v, size_t n, struct buf *out);

/*
 * Append a's COinS: an OpenURL 1.0 ContextObject in KEV form (ANSI/NISO
 * Z39.88-2004), the title of a <span class="Z3988">.  Journal articles
 * as info:ofi/fmt:kev:mtx:journal (rft.atitle, rft.jtitle, rft.au as
 * "Family, Given", rft.volume, rft.issue, rft.spage, rft.epage), other
 * kinds as info:ofi/fmt:kev:mtx:dc (rft.type webpage, report, preprint,
 * bookitem (chapter, entry), book, conference, document (posted work) or
 * dataset, rft.title, rft.source, rft.publisher, rft.creator); then
 * rft.date at its precision and
 * rft_id info:doi/DOI and the URL.  Values are percent-encoded (all but
 * RFC 3986 unreserved characters); HTML-escape the whole when it goes in
 * an attribute.
 */
void cite_coins(const struct article *a, struct buf *out);

#endif

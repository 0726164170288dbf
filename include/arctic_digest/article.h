/*
 * article: the article record every stage passes along, its authors, and
 * normalisation of names, DOIs and URLs.
 *
 * All strings are UTF-8, owned by the record, and may be NULL when unknown.
 * abstract is plain text (never HTML); paragraphs are separated by one
 * blank line ("\n\n").  Titles and names hold no control characters.
 */
#ifndef ARCTIC_DIGEST_ARTICLE_H
#define ARCTIC_DIGEST_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/datetime.h"

/*
 * What kind of work a record is, as far as anyone said, in this order:
 * Crossref's type when the work was completed by DOI; the item's own word
 * (dc:type, prism:genre, prism:aggregationType: feed.h); the source's
 * default ([source] kind); what its DOI or link shows (a preprint
 * server's: article_kind_settle); else unknown (the citation styles then
 * guess from the container and title, citation.h).
 */
enum article_kind {
    ARTICLE_KIND_UNKNOWN = 0,
    ARTICLE_KIND_JOURNAL,  /* "journal-article" */
    ARTICLE_KIND_REPORT,   /* "report" (also a working paper) */
    ARTICLE_KIND_PREPRINT, /* "preprint" (Crossref: posted-content of
                              subtype preprint) */
    ARTICLE_KIND_CHAPTER,  /* "book-chapter" */
    ARTICLE_KIND_WEB,      /* "web-page": commentary, a blog post */
    ARTICLE_KIND_NEWS,     /* "news" */
    ARTICLE_KIND_BOOK,     /* "book" (Crossref: book, monograph,
                              edited-book, reference-book) */
    ARTICLE_KIND_PAPER,    /* "proceedings-article": a paper in the
                              proceedings of a conference */
    ARTICLE_KIND_ENTRY,    /* "reference-entry": an entry in a reference
                              work (encyclopaedia, dictionary) */
    ARTICLE_KIND_POSTED,   /* "posted-content" that is no preprint: a blog
                              post or other work on a posting platform */
    ARTICLE_KIND_DATASET,  /* "dataset" */
    ARTICLE_KIND_REVIEW    /* "peer-review": a referee report or an
                              author's response, published */
};

/* A person (given + family, and a suffix such as "Jr." or "III" when the
 * source gave it apart, as Crossref does) or an organisation (literal
 * only). */
struct person {
    char *given;
    char *family;
    char *literal;
    char *suffix;
};

struct article {
    char *source;    /* the [source NAME] it came from */
    char *guid;      /* the feed's id for it, or the URL */
    char *url;       /* the publisher's link, as written */
    char *doi;       /* bare DOI, "10.1080/2154896X.2025.1234567" */
    char *title;
    /* The title with its italic runs (a species, a ship, a work named in
     * it) between <i> and </i>, all else as in title with &, < and >
     * escaped (&amp; &lt; &gt;); NULL when the source marks none.
     * Stripped of its tags and unescaped it is title; where it is not
     * (an edited record), it is ignored.  See article_set_title_marked. */
    char *title_markup;
    struct person *authors;
    size_t nauthors, authors_alloc;
    char *container; /* journal or site; the book of a chapter, the
                        proceedings of a paper, the series of a book */
    char *publisher; /* "Oxford University Press"; of a report, the
                        institution that issued it */
    char *place;     /* the publisher's city, "Cham", "New York, NY" */
    char *volume;    /* "28" */
    char *issue;     /* "4", "3-4", "Supplement 1" */
    char *pages;     /* first-last with an ASCII hyphen, "767-777", or one
                        page or article number, "e0312345" */
    bool others;     /* the byline was cut short ("X et al."): more authors
                        than are listed */
    enum article_kind kind;
    char *lang; /* the work's language, a BCP 47 tag in lower case
                   ("en", "en-gb", "nb", "zh-hans"); NULL: unknown */
    struct dt published;
    struct dt updated;
    char *abstract;
    char **keywords;
    size_t nkeywords, keywords_alloc;
    double score;
    char **matched; /* the relevance terms that matched */
    size_t nmatched, matched_alloc;
};

void article_init(struct article *a);
/* Free everything; a is back to its article_init() state. */
void article_release(struct article *a);

/* A list of articles that owns them. */
struct article_list {
    struct article *v;
    size_t n, alloc;
};

#define ARTICLE_LIST_INIT {NULL, 0, 0}

/* Move a into l (a is left in its article_init() state). */
void article_list_take(struct article_list *l, struct article *a);
/* Release every article and the array; l is back to ARTICLE_LIST_INIT. */
void article_list_release(struct article_list *l);
/* Deep copy src into dst (dst is initialised by this call). */
void article_copy(struct article *dst, const struct article *src);

/*
 * Titles with italics.  A "marked" title is UTF-8 in which
 * ARTICLE_ITALIC_ON and ARTICLE_ITALIC_OFF (the private-use code points
 * U+E000 and U+E001) open and close italic runs: the form a parser gives
 * a title whose HTML said <i>, since the markers pass through the text
 * module's HTML-to-text and one-line steps as letters do.
 */
#define ARTICLE_ITALIC_ON "\xee\x80\x80"
#define ARTICLE_ITALIC_OFF "\xee\x80\x81"

/*
 * Replace a->title and a->title_markup by the marked title s (n bytes):
 * title without the markers, title_markup with a run in <i>...</i> while
 * more ONs than OFFs are open (a stray OFF is dropped, an open run ends
 * with the title), white space at a run's ends moved outside it, empty
 * runs dropped; NULL when no run is left or one run is the whole title
 * (the styling of a feed, not a name set off).  A title that is empty is NULL.
 */
void article_set_title_marked(struct article *a, const char *s, size_t n);

/*
 * Append HTML s (n bytes) to out with its italic tags (<i>, <em>, JATS
 * <italic>, with or without a namespace prefix or attributes, any case)
 * as ARTICLE_ITALIC_ON/OFF, for the text module's HTML-to-text step to
 * keep, and any marker code point already in s dropped.
 */
void article_mark_italics(const char *s, size_t n, struct buf *out);

/*
 * The marked form of a's title: from title_markup when it is a's title
 * with tags (as article_set_title_marked writes it), else the title with
 * any marker code points it holds removed; NULL when a has no title.
 * Caller frees.
 */
char *article_title_marked(const struct article *a);

/*
 * The page range of a work: first only, or first and last ("767", "777"
 * -> "767-777"; a last page written short, "767", "77", is completed).
 * Caller frees; NULL when first is NULL or empty.
 */
char *article_pages(const char *first, const char *last);

/*
 * A volume, issue or page range as a source writes it, cleaned for
 * citing: trimmed; no value (NULL) when it is empty, white space or a
 * placeholder ("null", as some Crossref deposits have it, "n/a", "-");
 * a range whose two ends are the same ("S8-S8", "12-12") is that one
 * page or number ("S8").  Caller frees; NULL for no value.
 */
char *article_locator(const char *s);

/* Add an author; copies the strings (any may be NULL). */
void article_add_person(struct article *a, const char *given,
                        const char *family, const char *literal);
/*
 * Add the author(s) named in a free-text byline such as "Guðbjörg Ríkey Th.
 * Hauksdóttir", "Thorhallsson, Baldur" or "A. Smith and B. Jones; C. Wu".
 * Names are split into given and family; a name that looks like an
 * organisation ("Arctic Council Secretariat") is kept as a literal.
 * A trailing "et al." (or "and others") is no name: it sets a->others.
 * Inverted lists ("Qiu, X., Li, Y.") are read in pairs; a pair with no
 * given name ("Kshitiz,, Suhail, Y.") is a one-word literal name.
 */
void article_add_byline(struct article *a, const char *p, size_t n);
/* Give the last author added the suffix s ("Jr.", "III"; copied; NULL or
 * "" for none).  Does nothing when a has no author. */
void article_set_suffix(struct article *a, const char *s);
/*
 * A generational suffix written at the end of a family name, as some
 * sources (Crossref deposits among them) write it: "Brower, Sr.",
 * "King Jr.", "Smith III" (Jr., Sr., II, III, IV, with or without the
 * period).  Returns the offset of the suffix in family and sets *keep to
 * the length of the family name without it and the comma or space before
 * it ("Brower"); returns 0, *keep untouched, when there is none.
 */
size_t article_name_suffix(const char *family, size_t *keep);
void article_add_keyword(struct article *a, const char *kw);

/*
 * Extract a bare DOI ("10.xxxx/...") from a DOI, "doi:" form or a
 * doi.org URL.  Caller frees the result; NULL if s holds no DOI.
 */
char *article_doi_normalize(const char *s);

/*
 * The DOI inside a publisher's link, when it holds one: a doi.org URL, a
 * path segment that starts a DOI ("/doi/10.1080/...", "/doi/abs/10...",
 * "/articles/10.1186/...", "/content/10.1101/...v1"), or a query value
 * that is one ("?id=10.1371/journal.pone.0312345").  bioRxiv/medRxiv
 * version ("v2") and view (".full", ".abstract", ".pdf") suffixes are
 * dropped.  Caller frees; NULL if there is none.
 */
char *article_doi_from_url(const char *url);

/*
 * The canonical form of an http(s) URL, the key that finds one work under
 * its several links: scheme https, scheme and host lower case, no default
 * port, no fragment, no tracking parameters (utm_*, fbclid, the "af=R"
 * that journal platforms append), "/" for an empty path; everything else
 * (path case, other parameters and their order) kept as it was.  Caller
 * frees; NULL if url is not an http(s) URL or holds spaces or controls.
 */
char *article_url_canonical(const char *url);

/*
 * A language tag as a source writes it (dc:language, xml:lang, RSS
 * <language>, Crossref's "language": "en-US", " de ", "pt_BR") in the
 * form article.lang holds: trimmed, lower case, "_" read as "-".  Only
 * the syntax of BCP 47 (RFC 5646) is checked: subtags of 1 to 8 ASCII
 * letters and digits joined by "-", the first a language of 2 or 3
 * letters, or "x" or "i" (private use, grandfathered), at most 64
 * characters.  Caller frees; NULL for anything else ("", "English",
 * "en-US, de").
 */
char *article_lang_normalize(const char *s);

/*
 * The name of a kind ("journal-article", "report", "preprint",
 * "book-chapter", "web-page", "news", "book", "proceedings-article",
 * "reference-entry", "posted-content", "dataset", "peer-review"; NULL for
 * unknown), and the kind a name says: those names, and Crossref's other
 * types (report-component and report-series are reports; book-section
 * and book-part are chapters; monograph, edited-book and reference-book
 * are books).  Crossref's posted-content is ARTICLE_KIND_POSTED by name:
 * only its subtype "preprint" makes it a preprint (crossref.h).
 * ARTICLE_KIND_UNKNOWN for anything else or NULL.
 */
const char *article_kind_name(enum article_kind k);
enum article_kind article_kind_from_name(const char *name);

/*
 * The kind a work's DOI or link shows, where one does: a preprint for an
 * arXiv DOI (10.48550/arXiv.*), a bioRxiv or medRxiv DOI (10.1101/ then a
 * date, "2025.01.01.123456") or a link to arxiv.org, biorxiv.org,
 * medrxiv.org, ssrn.com, osf.io/preprints, preprints.org or
 * researchsquare.com; ARTICLE_KIND_UNKNOWN otherwise.  doi and url may
 * be NULL.
 */
enum article_kind article_kind_of_work(const char *doi, const char *url);
/*
 * The name of the preprint server url leads to ("arXiv", "bioRxiv",
 * "medRxiv", "SSRN", "OSF Preprints", "Preprints", "Research Square"), the
 * outlet of a work found there; NULL for any other link or NULL.
 */
const char *article_preprint_server(const char *url);
/*
 * Whether doi can be the DOI of the work at url: false only when url
 * leads to a preprint server (article_preprint_server) and doi is not one
 * that server registers for its preprints (arXiv's "10.48550/arXiv.",
 * bioRxiv's and medRxiv's "10.1101/", SSRN's "10.2139/ssrn.", the Center
 * for Open Science's with a suffix "osf.io/...", Preprints'
 * "10.20944/preprints", Research Square's "10.21203/rs."): such a DOI
 * is that of the published version the server links to (arXiv's
 * arxiv:doi), another work.  True when either is NULL.
 */
bool article_doi_is_the_preprints(const char *doi, const char *url);

/*
 * Settle the kind of a record whose item said none (a->kind unknown): the
 * source's default kind dflt, else article_kind_of_work(a->doi, a->url).
 * A kind already set stays; dflt may be ARTICLE_KIND_UNKNOWN.  A work
 * found a preprint by its link to a server has that server as its outlet
 * (a feed of a search on arXiv's API is titled "arXiv Query: ...").
 */
void article_kind_settle(struct article *a, enum article_kind dflt);

/* Stable, sortable key: newest first, then title. */
int article_cmp_newest(const void *a, const void *b);

#endif

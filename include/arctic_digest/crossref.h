/*
 * crossref: the Crossref REST API "works" endpoint to articles (jansson).
 *
 * Builds the request URL of GET /journals/{ISSN}/works with a
 * from-pub-date filter, cursor paging (start with cursor "*", follow
 * message.next-cursor until a page has no items) and mailto for the polite
 * pool; parses both "work-list" and single "work" responses.  Rate limits
 * and back-off on 429 are the caller's policy (see fetch.h, retry_after_s).
 *
 * Fields produced per work: title (title[0], markup removed: titles carry
 * <i> and <sub>; with subtitle[0] as "Title: Subtitle" unless the title
 * already ends with it or opens with it before a colon), authors (given +
 * family; an organisation's "name" as a literal), container
 * (container-title[0], else institution[0].name, the server of a preprint),
 * published (the first present of issued, which Crossref's own CSL JSON gives
 * and citations follow, published-print, published-online, published; partial
 * date-parts keep their precision YEAR / MONTH / DAY; offset 0), doi (bare),
 * guid (the DOI), url ("URL", else resource.primary.URL), abstract (JATS
 * to plain text, a leading "Abstract" heading dropped), keywords (subject),
 * volume, issue and pages ("page", first-last with a hyphen, else the
 * "article-number"), publisher ("publisher") and place
 * ("publisher-location"), kind ("type": article_kind_from_name; posted
 * content whose "subtype" is "preprint" is a preprint), lang ("language":
 * article_lang_normalize).
 * All text is plain, normalised UTF-8 (text.h).
 *
 * Completion by DOI: crossref_doi_url() names one work's record
 * (GET /works/{DOI}), crossref_compact() checks an answer and keeps it small
 * enough to cache, crossref_complete() fills what a feed item lacks from
 * the parsed work.  Whether to ask, how often, and the cache are the
 * caller's policy (collect.c, store.h).
 */
#ifndef ARCTIC_DIGEST_CROSSREF_H
#define ARCTIC_DIGEST_CROSSREF_H

#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

#define CROSSREF_API "https://api.crossref.org"

struct crossref_page {
    struct article *v;
    size_t n, alloc;
    char *next_cursor;  /* message.next-cursor; NULL if none */
    long total_results; /* message.total-results; 1 for a single work */
};

#define CROSSREF_PAGE_INIT {NULL, 0, 0, NULL, 0}

/* Free the articles and the cursor; p is back to CROSSREF_PAGE_INIT. */
void crossref_page_release(struct crossref_page *p);

/*
 * Append to out the URL of one page of an ISSN's works:
 *   {base}/journals/{issn}/works?filter=from-pub-date:{from}&rows={rows}
 *   &cursor={cursor}&mailto={mailto}
 * base NULL means CROSSREF_API; from_pub_date ("YYYY", "YYYY-MM" or
 * "YYYY-MM-DD"), cursor and mailto may be NULL (left out); rows <= 0 is
 * left out.  Values are percent-encoded.  Fails with ERR_CONFIG (out
 * untouched) when issn is not NNNN-NNNC or the date is not one of those
 * forms.
 */
int crossref_works_url(const char *base, const char *issn,
                       const char *from_pub_date, const char *cursor,
                       long rows, const char *mailto, struct buf *out,
                       struct err *e);

/*
 * Parse a Crossref response body of n bytes ("work-list" or "work").
 * source is copied into each article's source field (may be NULL).  On
 * success out (initialised by the caller, CROSSREF_PAGE_INIT) holds the
 * works in response order; items that are not objects or have neither a
 * title nor a DOI are skipped.  Fails with ERR_DATA ("JSON error at line
 * 3, column 7: ...", "Crossref status 'failed'", "not a Crossref works
 * response") and out untouched.
 */
int crossref_parse(const char *json, size_t n, const char *source,
                   struct crossref_page *out, struct err *e);

/*
 * Append to out the URL of one work's record, {base}/works/{doi}: base
 * NULL means CROSSREF_API; the DOI is lower-cased (DOIs are case-blind)
 * and percent-encoded but for its slashes.  Fails with ERR_DATA (out
 * untouched) when doi is not a DOI ("10.NNNN/...").
 */
int crossref_doi_url(const char *base, const char *doi, struct buf *out,
                     struct err *e);

/*
 * Check that json (n bytes) is a Crossref answer for one work and append
 * to out the same answer without its bulky parts (the reference list,
 * which can run to hundreds of kilobytes and is never used), as compact
 * JSON that crossref_parse() reads as it reads the original.  Fails as
 * crossref_parse() does (ERR_DATA), also for a work list; out is then
 * untouched.
 */
int crossref_compact(const char *json, size_t n, struct buf *out,
                     struct err *e);

/*
 * Fill what the feed item a lacks from w, Crossref's record of the same
 * DOI: title (also where the feed's is Crossref's without its subtitle),
 * link, volume, issue, pages, abstract, language, a publication date
 * (also where the feed's is coarser, a year or a month), and authors
 * where the feed named none, cut its list short ("et al.") and Crossref
 * names more, or gave the same number of names unsplit.  The container
 * and the kind are Crossref's whenever it has them (the journal as
 * registered, where a feed often gives only its own title).  What the
 * feed gave is never replaced otherwise.  Strings are copied.
 */
void crossref_complete(struct article *a, const struct article *w);

#endif

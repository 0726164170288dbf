/*
 * collect: fetch every configured source, parse it, normalise and store
 * its articles, and record each source's health; every source's outcome
 * comes back as data.
 *
 * Remote feeds are fetched in parallel (fetch, with conditional GET from
 * the validators the state keeps), local files are read, Crossref sources
 * are paged through the REST API (cursor paging, Retry-After on 429).
 * Items with a DOI from a source with enrich = crossref are completed from
 * Crossref's record of the DOI (GET /works/{DOI}, one request at a time,
 * a third of a second apart, the answer cached in the state so no DOI is
 * asked for twice); what the feed gave wins (crossref_complete).  A
 * Crossref failure (timeout, 5xx, a bad answer) leaves the items as the
 * feed gave them, is not cached, and stops the asking for the rest of the
 * run; the report counts it, and collect_report_log logs it once.
 * One source failing never stops the others.  Each source's articles,
 * health and validators are stored in one transaction, so validators are
 * never kept without their articles.  Under a dry run (context) the whole
 * collect is rolled back by the caller; nothing here commits past it.
 */
#ifndef ARCTIC_DIGEST_COLLECT_H
#define ARCTIC_DIGEST_COLLECT_H

#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/context.h"
#include "arctic_digest/err.h"

enum collect_status {
    COLLECT_OK,
    COLLECT_NOT_MODIFIED,
    COLLECT_FAILED
};

/* One source's outcome. */
struct collect_outcome {
    const char *source; /* the config's name, borrowed */
    enum collect_status status;
    size_t fresh;       /* works stored that were not known before */
    size_t seen;        /* articles the document (or Crossref) gave */
    char *message;      /* "3 new (read despite ...)" or the error; owned */
    int failures;       /* failed runs in a row, this one included */
};

/* A source failing this many runs in a row is a warning (which -q still
 * prints, so cron mails it); fewer is news for the verbose. */
#define COLLECT_WARN_AFTER 3

struct collect_report {
    struct collect_outcome *v; /* in config order */
    size_t n, alloc;
    size_t ok, failed, fresh;  /* totals (not modified counts as ok) */
    /* Completion by DOI ([source] enrich): items completed (from Crossref
     * or its cache), requests sent, items Crossref could not complete
     * (they keep the feed's values) and the first reason why; owned. */
    size_t enriched, enrich_requests, enrich_missed;
    char *enrich_error;
};

#define COLLECT_REPORT_INIT {NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL}

void collect_report_release(struct collect_report *r);

/*
 * Collect every source of c->cfg into c->st and fill r (initialised by
 * the caller).  Per-source failures (unreachable, not a feed) are
 * outcomes, not errors.  Returns -1 when the state cannot be read or
 * written (ERR_IO for a damaged file: that is everyone's failure, so the
 * collect stops there, that source's articles rolled back) or the fetcher
 * cannot start; r then holds what was done before.
 */
int collect_sources(const struct context *c, struct collect_report *r,
                    struct err *e);

/* Log each outcome (info for success, a warning for a failure). */
void collect_report_log(const struct collect_report *r);

/*
 * Read one feed (an http(s) URL, fetched; anything else a local file) and
 * append its articles, normalised as collect stores them, to l; a kind
 * the item did not say is settled by its DOI or link alone
 * (article_kind_settle: no [source] kind here).  source names the
 * articles' source (may be NULL).  Fails with ERR_NOINPUT,
 * ERR_UNAVAILABLE or ERR_DATA, naming where; l is then unchanged.
 */
int collect_document(const char *where, const char *source,
                     struct article_list *l, struct err *e);

/*
 * Caps on every article text that reaches a message, so that no feed can
 * make a digest large (text_clean_abstract caps the abstract, at
 * TEXT_ABSTRACT_MAX bytes).  Texts are cut at a word boundary and end in
 * "\u2026" (text_cut_words; lengths in characters, never splitting a
 * UTF-8 sequence); identifiers cut short would point elsewhere, so a DOI
 * or URL over its cap (in bytes) is dropped instead; lists keep their
 * first entries.
 */
#define COLLECT_TITLE_MAX 300     /* characters of a title */
#define COLLECT_CONTAINER_MAX 200 /* characters of a journal or site name */
#define COLLECT_AUTHORS_MAX 50    /* authors kept, the first ones (and
                                     "others" set when more were given) */
#define COLLECT_NAME_MAX 200      /* characters of a given, family or
                                     organisation name */
#define COLLECT_KEYWORDS_MAX 50   /* keywords kept, the first ones */
#define COLLECT_KEYWORD_MAX 100   /* characters of a keyword */
#define COLLECT_DOI_MAX 200       /* bytes; a longer DOI is dropped */
#define COLLECT_URL_MAX 2000      /* bytes; a longer link is dropped */
#define COLLECT_LOCATOR_MAX 40    /* bytes of a volume, issue or page range;
                                     a longer one is dropped */

/*
 * What every collected article gets, in place (collect_sources and
 * collect_document both pass every article through it): a clean, bounded
 * plain-text abstract and the caps above.  The link (url) is kept exactly
 * as the publisher wrote it: its canonical form (article_url_canonical) is
 * only the key the store finds a work by, never what is shown or cited.
 */
void collect_normalize(struct article *a);

#endif

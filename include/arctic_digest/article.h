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

#include "arctic_digest/datetime.h"

/* A person (given + family) or an organisation (literal only). */
struct person {
    char *given;
    char *family;
    char *literal;
};

struct article {
    char *source;    /* the [source NAME] it came from */
    char *guid;      /* the feed's id for it, or the URL */
    char *url;       /* the publisher's link, as written */
    char *doi;       /* bare DOI, "10.1080/2154896X.2025.1234567" */
    char *title;
    struct person *authors;
    size_t nauthors, authors_alloc;
    char *container; /* journal or site */
    char *volume;    /* "28" */
    char *issue;     /* "4", "3-4", "Supplement 1" */
    char *pages;     /* first-last with an ASCII hyphen, "767-777", or one
                        page or article number, "e0312345" */
    bool others;     /* the byline was cut short ("X et al."): more authors
                        than are listed */
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
 * The page range of a work: first only, or first and last ("767", "777"
 * -> "767-777"; a last page written short, "767", "77", is completed).
 * Caller frees; NULL when first is NULL or empty.
 */
char *article_pages(const char *first, const char *last);

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

/* Stable, sortable key: newest first, then title. */
int article_cmp_newest(const void *a, const void *b);

#endif

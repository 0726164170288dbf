/*
 * feed: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0 documents to articles.
 *
 * Implements RSS 2.0 (with the content: and dc: modules as WordPress
 * writes them), RSS 1.0 with Dublin Core and PRISM (matched by namespace
 * URI, not prefix; PRISM 1.2 and 2.0 URIs), and Atom 1.0 (RFC 4287).
 * The XML parser never loads external entities or DTDs, never touches the
 * network and never substitutes entities (no XML_PARSE_NOENT, no
 * XML_PARSE_HUGE).  All text fields of the articles produced are plain,
 * normalised UTF-8 (see text.h); links are absolute http(s) URLs or NULL.
 */
#ifndef ARCTIC_DIGEST_FEED_H
#define ARCTIC_DIGEST_FEED_H

#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/err.h"

enum feed_kind {
    FEED_KIND_UNKNOWN = 0,
    FEED_KIND_RSS,  /* RSS 0.9x / 2.0 */
    FEED_KIND_RDF,  /* RSS 1.0 */
    FEED_KIND_ATOM  /* Atom 1.0 */
};

struct feed {
    enum feed_kind kind;
    char *title; /* the feed's (channel's) title, plain text */
    char *link;  /* the site's link */
    struct article *v;
    size_t n, alloc;
    /* Not NULL when the document was not well-formed XML and was read in
     * libxml2's recovery mode: the first error, as in the failure message. */
    char *warning;
};

#define FEED_INIT {FEED_KIND_UNKNOWN, NULL, NULL, NULL, 0, 0, NULL}

/*
 * Parse a feed document of n bytes.  source names the [source] (copied into
 * each article's source field, may be NULL); base_url resolves relative
 * links (may be NULL); container, when not NULL, overrides the outlet name
 * that is otherwise taken from dc:source / prism:publicationName / the
 * channel title.  On success f holds the articles in document order.  On
 * failure returns -1 with ERR_DATA and a message naming the line and column
 * ("XML error at line 17, column 4: ...", "not a feed: root element
 * <html>"), and f is left empty (untouched).  A document that is not
 * well-formed only because of local damage (an undeclared HTML entity such
 * as "&nbsp;", a bare "&", a mismatched tag) is repaired or read in
 * recovery mode and sets f->warning; one that ends early, is empty or trips
 * libxml2's entity amplification guard fails.
 */
int feed_parse(struct feed *f, const char *data, size_t n, const char *source,
               const char *base_url, const char *container, struct err *e);

void feed_release(struct feed *f);

#endif

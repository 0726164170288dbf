/*
 * feed: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0/0.3 documents to articles.
 *
 * Implements RSS 0.90-0.94 and 2.0 (with the content: and dc: modules as
 * WordPress writes them), RSS 1.0 with Dublin Core and PRISM (matched by
 * namespace URI, not prefix; PRISM 1.2, 2.0 and 3.0 URIs), Atom 1.0 (RFC
 * 4287) and Atom 0.3 (the purl.org/atom/ns# drafts), xml:base at every
 * level, and the encoding rules of RFC 3023 / RFC 7303 as Python's
 * feedparser applies them (docs/DEVIATIONS.md lists where we differ).
 * The XML parser never loads external entities or DTDs, never touches the
 * network and never substitutes entities (no XML_PARSE_NOENT, no
 * XML_PARSE_HUGE).  All text fields of the articles produced are plain,
 * normalised UTF-8 (see text.h); links are absolute http(s) URLs or NULL.
 * An article's lang is the item's dc:language, else the xml:lang of its
 * title or of the item itself, else the channel's (or Atom feed's)
 * dc:language, RSS <language> or the xml:lang in scope
 * (article_lang_normalize; NULL if none).  Its kind is only what the item
 * says (dc:type, then prism:aggregationType, then prism:genre); the
 * source's default and a preprint server's DOI or link are the caller's
 * to add (article_kind_settle).
 */
#ifndef ARCTIC_DIGEST_FEED_H
#define ARCTIC_DIGEST_FEED_H

#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/err.h"

struct feed_spare;

enum feed_kind {
    FEED_KIND_UNKNOWN = 0,
    FEED_KIND_RSS,  /* RSS 0.9x / 2.0 */
    FEED_KIND_RDF,  /* RSS 1.0 */
    FEED_KIND_ATOM  /* Atom 1.0 or 0.3 (see feed.version) */
};

struct feed {
    enum feed_kind kind;
    char *title; /* the feed's (channel's) title, plain text */
    char *link;  /* the site's link */
    struct article *v;
    size_t n, alloc;
    /* Not NULL when the document was not clean: not well-formed XML (read
     * after repair or in libxml2's recovery mode: the first error, as in
     * the failure message), served with a media type that is not XML, or
     * with bytes that did not fit its encoding (they were replaced). */
    char *warning;
    char *subtitle; /* description / tagline / subtitle, plain text */
    /* The encoding the bytes were read in, lower case as Python's
     * feedparser names it: "utf-8", "us-ascii", "iso-8859-1", "utf-16le",
     * "gb18030", ... */
    char *encoding;
    /* feedparser's version names: "rss090", "rss091n", "rss091u",
     * "rss092", "rss093", "rss094", "rss20", "rss" (no version), "rss10",
     * "atom03", "atom10". */
    const char *version;
    /* Private: memory of parsed documents kept for the next parse into
     * this struct (a collect parses feed after feed into one; feed_reset
     * keeps it, feed_release frees it). */
    struct feed_spare *spare;
};

#define FEED_INIT                                                              \
    {FEED_KIND_UNKNOWN, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL}

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

/*
 * feed_parse() for a document served over HTTP with the Content-Type
 * header content_type (may be NULL: then feed_parse() exactly).  The
 * encoding comes from, in order: the charset parameter of an XML media type
 * (text/xml, application/xml, application/ANY+xml, ...); for text/xml,
 * text/ANY+xml and
 * text/xml-external-parsed-entity without one, US-ASCII (RFC 3023); a byte
 * order mark; the XML declaration; UTF-8.  When the bytes do not fit the
 * chosen encoding, the declared one, UTF-8 and Windows-1252 are tried in
 * turn and f->warning says so; a non-XML media type (text/plain,
 * text/html) is read as XML anyway with a warning.  Invalid bytes never
 * reach an article: they become U+FFFD.
 */
int feed_parse_http(struct feed *f, const char *data, size_t n,
                    const char *content_type, const char *source,
                    const char *base_url, const char *container,
                    struct err *e);

/* Empty f (articles and fields) but keep its memory for the next parse;
 * f is then as after FEED_INIT, but faster to parse into. */
void feed_reset(struct feed *f);
/* Free everything; f is back to FEED_INIT. */
void feed_release(struct feed *f);

/* "libxml2 X.Y.Z": the version of libxml2 this program runs with, for
 * 'arctic-digest --version'.  Static storage; never fails. */
const char *feed_lib_version(void);

#endif

/*
 * feed_int: private to the feed module (feed.c, feed_tree.c, feed_rss.c,
 * feed_atom.c, feed_xml.c, feed_charset.c).  Not part of the public
 * contract (include/arctic_digest/feed.h).
 *
 * feed.c      detection of the format, channel metadata, items to articles
 * feed_rss.c  RSS 0.9x/2.0/1.0 item children and the dc:/prism:/content:
 *             modules
 * feed_atom.c Atom 1.0 and 0.3 entry children
 * feed_tree.c text, URLs and ranked fields out of the libxml2 tree
 * feed_xml.c  libxml2 reading with repair and recovery
 * feed_charset.c the document's encoding (HTTP, BOM, XML declaration) and
 *             its conversion to UTF-8
 */
#ifndef ARCTIC_DIGEST_FEED_INT_H
#define ARCTIC_DIGEST_FEED_INT_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <string.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"
#include "arctic_digest/feed.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XHTML "http://www.w3.org/1999/xhtml"

/* The most text one field may collect, and how deep entities may nest. */
#define FIELD_BUDGET ((size_t)4 << 20)
#define ENTITY_DEPTH 4

/* Per-parse state.  core_ns: namespace of the format's own elements (NULL
 * for RSS 0.9x/2.0, which have none). */
struct parse {
    enum feed_kind kind;
    const char *core_ns;
    const char *source;
    const char *container;
    char *chan_container; /* channel-level prism:publicationName */
    xmlNode *feed_node;   /* Atom: the feed element, for inherited authors */
};

/* One single-valued field: the best candidate so far (lower rank wins). */
struct field {
    char *s;
    int rank;
};

struct when {
    struct dt d;
    int rank;
};

struct item {
    struct field title, url, guid, doi, abstract, container;
    struct when published, updated;
};

static inline bool
is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static inline bool
ns_is(const xmlNode *n, const char *uri)
{
    if (uri == NULL)
        return n->ns == NULL;
    return n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, uri) == 0;
}

static inline bool
name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

static inline bool
is_el(const xmlNode *n, const char *uri, const char *name)
{
    return name_is(n, name) && ns_is(n, uri);
}

/* ---- feed_tree.c ---- */

bool feed_ns_is_prism(const xmlNode *n);
bool feed_ascii_prefix_ci(const char *s, const char *prefix);
/* n's element name equals lower_name, ignoring ASCII case. */
bool feed_name_ci(const xmlNode *n, const char *lower_name);
/* The text of n's descendants, entities expanded within FIELD_BUDGET. */
void feed_node_text(const xmlNode *n, struct buf *out);
bool feed_has_element_child(const xmlNode *n);
/* Serialise n's children as markup. */
void feed_node_markup(xmlNode *n, struct buf *out);
/* b's bytes (caller frees), or NULL when b is empty; b is released. */
char *feed_detach_or_null(struct buf *b);
/* n's text as one plain line; caller frees; NULL if empty. */
char *feed_line_of(const xmlNode *n);
/* n's HTML (escaped, or as child elements) as plain text. */
char *feed_html_of(xmlNode *n, bool one_line);
/* n's XHTML children, serialised, as plain text. */
char *feed_xhtml_of(xmlNode *n, bool one_line);
/* n's plain text keeping paragraphs (blank lines). */
char *feed_paragraphs_of(const xmlNode *n);
/* Attribute name of n (no namespace), copied; NULL if absent. */
char *feed_prop(const xmlNode *n, const char *name);
/* href resolved against n's xml:base chain and the document URL; NULL
 * unless http(s). */
char *feed_resolve_url(const xmlNode *n, const char *href);
char *feed_url_of(const xmlNode *n);
/* Keep s (owned) in f if rank beats what f has; else free s. */
void feed_field_set(struct field *f, int rank, char *s);
bool feed_field_wants(const struct field *f, int rank);
void feed_when_set(struct when *w, int rank, const xmlNode *n);
void feed_add_keyword_node(struct article *a, const xmlNode *n);
void feed_add_byline_node(struct article *a, const xmlNode *n);
void feed_item_release(struct item *it);

/* ---- feed_rss.c ---- */

void feed_module_child(xmlNode *c, struct item *it, struct article *a);
void feed_rss_child(const struct parse *ps, xmlNode *c, struct item *it,
                    struct article *a);
void feed_rss_authors(const struct parse *ps, const xmlNode *item,
                      struct article *a);

/* ---- feed_atom.c ---- */

/* An Atom text construct or content element as plain text. */
char *feed_atom_text(xmlNode *n, bool one_line);
void feed_atom_link(const xmlNode *c, struct field *url, struct field *doi);
void feed_atom_child(const struct parse *ps, xmlNode *c, struct item *it,
                     struct article *a);
size_t feed_atom_people(const struct parse *ps, const xmlNode *n,
                        bool contributors, struct article *a);

/* ---- feed_charset.c ---- */

/* A document as UTF-8 without a BOM: p[0..n) points into the caller's
 * bytes when they are UTF-8 already, else into conv, which holds the
 * conversion.  encoding (lower case, as feedparser names it: "utf-8",
 * "us-ascii", "utf-16le", "gb18030") and warning (why the document is not
 * clean: a media type that is not XML, a declared encoding that did not
 * fit the bytes, bytes replaced; may be NULL) are owned by the struct. */
struct feed_text {
    const char *p;
    size_t n;
    struct buf conv;
    char *encoding;
    char *warning;
    bool unchecked; /* p is the caller's bytes, not yet checked as UTF-8 */
};

/*
 * Decide the document's encoding (HTTP Content-Type, BOM, XML declaration;
 * see feed_charset.c for the rules) and read it as UTF-8 into t.  With
 * check, t->p is always valid UTF-8.  Without it, bytes that claim to be
 * UTF-8 are passed on unchecked (t->unchecked): a strict libxml2 parse
 * checks every byte anyway, and only when it fails need the caller read the
 * document again with check.  Release t with feed_text_release().
 */
void feed_to_utf8(const char *data, size_t n, const char *content_type,
                  bool check, struct feed_text *t);
void feed_text_release(struct feed_text *t);

/* ---- feed_xml.c ---- */

/*
 * Read UTF-8 data with libxml2: strict; then (unless strict_only) strict
 * after repairing HTML entities and bare "&"; then in recovery mode.  On
 * success returns the document and sets *warning (caller frees) when it was
 * not well-formed; on failure returns NULL with e set (line and column).
 */
xmlDoc *feed_read_xml(const char *data, size_t n, const char *base_url,
                      bool strict_only, char **warning, struct err *e);

#endif

/*
 * feed_int: private to the feed module (feed.c, feed_tree.c, feed_rss.c,
 * feed_atom.c, feed_xml.c, feed_charset.c).  Not part of the public
 * contract (include/arctic_digest/feed.h).
 *
 * feed.c      detection of the format, channel metadata, items to articles
 * feed_rss.c  RSS 0.9x/2.0/1.0 item children and the dc:/prism:/content:
 *             modules
 * feed_atom.c Atom 1.0 and 0.3 entry children
 * feed_tree.c text, URLs and ranked fields out of the document tree
 * feed_xml.c  libxml2 reading (SAX) into that tree, with repair and
 *             recovery
 * feed_charset.c the document's encoding (HTTP, BOM, XML declaration) and
 *             its conversion to UTF-8
 */
#ifndef ARCTIC_DIGEST_FEED_INT_H
#define ARCTIC_DIGEST_FEED_INT_H

#include <stdbool.h>
#include <string.h>

#include "arctic_digest/ascii.h"
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
#define NS_XML "http://www.w3.org/XML/1998/namespace"

/* The most text one field may collect. */
#define FIELD_BUDGET ((size_t)4 << 20)

/*
 * The document tree.  libxml2 reads the document through SAX callbacks
 * (feed_xml.c) that build this tree in an arena: far cheaper to build and
 * to drop than libxml2's own tree, and all a feed needs.  Entities are
 * already expanded (libxml2 hands their content to the callbacks where
 * they are referenced; undeclared HTML entities become their character),
 * adjacent text is one node, and there are no comments or processing
 * instructions.  Everything lives until feed_xdoc_free().
 */
enum xnode_type { XNODE_ELEMENT, XNODE_TEXT };

struct xdoc;

struct xattr {
    const char *name;   /* local name */
    const char *prefix; /* as written; NULL if none */
    const char *ns;     /* namespace URI; NULL if none */
    const char *value;  /* entities and character references expanded */
};

struct xnode {
    enum xnode_type type;
    const char *name;   /* element: local name */
    const char *prefix; /* element: prefix as written; NULL if none */
    const char *ns;     /* element: namespace URI; NULL if none */
    const struct xdoc *doc;
    struct xnode *parent, *children, *last, *next;
    struct xattr *attrs;
    size_t nattrs;
    const char **nsdecl; /* root only: the namespace URIs it declares */
    size_t nnsdecl;
    char *text; /* text: NUL-terminated, len bytes (cap allocated) */
    size_t len, cap;
};

struct arena_block;

/*
 * Arena blocks of dropped trees, kept for the next document parsed with
 * the same struct feed (at most ARENA_KEEP bytes): a collect parses feed
 * after feed, and memory handed back to the kernel costs a page fault per
 * 4 KiB when it is touched again, which on a virtual machine is dearer
 * than the parse itself.  Owned by the struct feed (feed_release frees
 * it); the module keeps no state of its own.
 */
struct feed_spare {
    struct arena_block *head;
    size_t bytes;
};

void feed_spare_free(struct feed_spare *sp);

struct xdoc {
    struct xnode *root;
    const char *url;       /* the document's URL, for xml:base; may be NULL */
    const char *public_id; /* of the DOCTYPE; NULL if none */
    struct arena_block *arena;
    struct feed_spare *spare; /* where blocks come from and go back to */
    void *ctxt;    /* libxml2's parser context and document (DTD, entities, */
    void *dtd_doc; /* names): kept until the tree is dropped */
};

struct when {
    struct dt d;
    int rank;
};

/* Per-parse state.  core_ns: namespace of the format's own elements (NULL
 * for RSS 0.9x/2.0, which have none). */
struct parse {
    enum feed_kind kind;
    const char *core_ns;
    const char *source;
    const char *container;
    char *chan_container;          /* channel-level prism:publicationName */
    char *chan_lang; /* the channel's or feed's language (article.lang) */
    struct when chan_cover; /* the channel's prism:coverDate or
                               coverDisplayDate: the issue it lists */
    const struct xnode *feed_node; /* Atom: the feed element, for inherited
                                     authors */
};

/* One single-valued field: the best candidate so far (lower rank wins). */
struct field {
    char *s;
    int rank;
};

struct item {
    struct field title, url, guid, doi, abstract, container;
    struct when published, updated;
    struct field pubname; /* item-level prism:publicationName */
    struct field volume, issue, pages, spage, epage;
    struct field byline; /* names found in the text (feed_quirks.c) */
    struct field dctitle; /* dc:title, whatever the title */
    struct field lang;    /* dc:language, xml:lang of the title or item */
    enum article_kind kind; /* what dc:type, prism:aggregationType or
                               prism:genre say, if anything */
    int kind_rank;          /* which of them said it (lower wins) */
};

static inline bool
ns_is(const struct xnode *n, const char *uri)
{
    if (uri == NULL)
        return n->ns == NULL;
    return n->ns != NULL && strcmp(n->ns, uri) == 0;
}

static inline bool
name_is(const struct xnode *n, const char *name)
{
    return n->type == XNODE_ELEMENT && strcmp(n->name, name) == 0;
}

static inline bool
is_el(const struct xnode *n, const char *uri, const char *name)
{
    return name_is(n, name) && ns_is(n, uri);
}

/* ---- feed_tree.c ---- */

bool feed_ns_is_prism(const struct xnode *n);
/* n's element name equals lower_name, ignoring ASCII case. */
bool feed_name_ci(const struct xnode *n, const char *lower_name);
/* The text of n's descendants, within FIELD_BUDGET. */
void feed_node_text(const struct xnode *n, struct buf *out);
/* The same text, without a copy when n holds one text node (the common
 * case; else it is collected into tmp): *len bytes, not NUL-terminated. */
const char *feed_text_view(const struct xnode *n, struct buf *tmp, size_t *len);
bool feed_has_element_child(const struct xnode *n);
/* Serialise n's children as markup. */
void feed_node_markup(const struct xnode *n, struct buf *out);
/* b's bytes (caller frees), or NULL when b is empty; b is released. */
char *feed_detach_or_null(struct buf *b);
/* n's text as one plain line; caller frees; NULL if empty. */
char *feed_line_of(const struct xnode *n);
/* n's HTML (escaped, or as child elements) as plain text. */
char *feed_html_of(const struct xnode *n, bool one_line);
/* An item's title: feed_html_of one line, its italics (<i>, <em>) kept as
 * ARTICLE_ITALIC_ON/OFF markers for article_set_title_marked(); and the
 * same of XHTML content, as feed_xhtml_of. */
char *feed_title_of(const struct xnode *n);
char *feed_xhtml_title_of(const struct xnode *n);
/* n's XHTML children, serialised, as plain text. */
char *feed_xhtml_of(const struct xnode *n, bool one_line);
/* n's plain text keeping paragraphs (blank lines). */
char *feed_paragraphs_of(const struct xnode *n);
/* The value of n's attribute name in namespace ns (NULL: in none); NULL if
 * absent. */
const char *feed_attr(const struct xnode *n, const char *ns, const char *name);
/* The language of n (article_lang_normalize; caller frees): its own
 * xml:lang, or with inherit the nearest ancestor's as XML scopes it
 * (xml:lang="" says unknown); NULL if none. */
char *feed_xml_lang(const struct xnode *n, bool inherit);
/* n has an attribute name, in any namespace. */
bool feed_has_attr(const struct xnode *n, const char *name);
/* Attribute name of n (no namespace), copied; NULL if absent. */
char *feed_prop(const struct xnode *n, const char *name);
/* href resolved against n's xml:base chain and the document URL; NULL
 * unless http(s). */
char *feed_resolve_url(const struct xnode *n, const char *href);
char *feed_url_of(const struct xnode *n);
/* Keep s (owned) in f if rank beats what f has; else free s. */
void feed_field_set(struct field *f, int rank, char *s);
bool feed_field_wants(const struct field *f, int rank);
void feed_when_set(struct when *w, int rank, const struct xnode *n);
void feed_add_keyword_node(struct article *a, const struct xnode *n);
void feed_add_byline_node(struct article *a, const struct xnode *n);
void feed_item_release(struct item *it);

/* ---- feed_quirks.c ---- */

/* p[0..n) (plain text) is only an issue/page statement or empty, no
 * abstract. */
bool feed_is_citation_line(const char *p, size_t n);
/* "February 2022": a month and a year, as out, to the month; false for
 * anything else (out untouched). */
bool feed_month_year(const char *p, size_t n, struct dt *out);
/* Volume, issue, pages and "Author(s):" of such a statement into it (at a
 * lower rank than the feed's own elements). */
void feed_citation_parts(const char *p, size_t n, struct item *it);
/* An abstract candidate s (owned, may be NULL) without arXiv's header or a
 * leading byline paragraph (kept in it->byline); NULL (s freed) when what
 * is left is no abstract, its volume, issue and pages then kept in it. */
char *feed_clean_abstract(char *s, struct item *it);
/* The journal's name in a feed's title; caller frees; NULL if none. */
char *feed_journal_of_title(const char *title);
/* The title without an issue statement before it, as MDPI writes it
 * ("Fluids, Vol. 9, Pages 120: Environmental ...", with dc:title the
 * title alone): dctitle when title is such a statement and then dctitle,
 * else title. */
const char *feed_title_without_statement(const char *title,
                                         const char *dctitle);
/* a and b have the same letters and digits, ignoring case. */
bool feed_same_text(const char *a, const char *b);
/* The length of the name at the start of one author element that goes on
 * with an affiliation, as Atypon writes dc:creator ("Steve Brantley
 * Professor of Library Services, Eastern Illinois University, ..."):
 * strlen(s) when there is none. */
size_t feed_name_before_affiliation(const char *s);

/* ---- feed_rss.c ---- */

/* A language element's tag (article_lang_normalize; caller frees); NULL if
 * none. */
char *feed_lang_of(const struct xnode *n);
void feed_module_child(const struct xnode *c, struct item *it,
                       struct article *a);
void feed_rss_child(const struct parse *ps, const struct xnode *c,
                    struct item *it, struct article *a);
void feed_rss_authors(const struct parse *ps, const struct xnode *item,
                      struct article *a);
/* The dc:creator (dcterms:creator, dc:author) elements of item as authors;
 * returns how many elements there were. */
size_t feed_dc_creators(const struct xnode *item, struct article *a);

/* ---- feed_atom.c ---- */

/* An Atom text construct or content element as plain text. */
char *feed_atom_text(const struct xnode *n, bool one_line);
/* An entry's title: feed_atom_text one line, its italics marked where its
 * type is HTML or XHTML (feed_title_of). */
char *feed_atom_title(const struct xnode *n);
void feed_atom_link(const struct xnode *c, struct field *url,
                    struct field *doi);
void feed_atom_child(const struct parse *ps, const struct xnode *c,
                     struct item *it, struct article *a);
size_t feed_atom_people(const struct parse *ps, const struct xnode *n,
                        bool contributors, struct article *a);

/* ---- feed_charset.c ---- */

/* A document as UTF-8 without a BOM (nor white space before its XML
 * declaration): p[0..n) points into the caller's
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
 * base_url must outlive the document.  The tree's memory comes from, and
 * goes back to, spare.
 */
struct xdoc *feed_read_xml(const char *data, size_t n, const char *base_url,
                           bool strict_only, struct feed_spare *spare,
                           char **warning, struct err *e);
void feed_xdoc_free(struct xdoc *d);

#endif

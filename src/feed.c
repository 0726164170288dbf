/*
 * feed: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0 documents to articles.
 *
 * The document is read with libxml2 in strict mode first.  If that fails,
 * undeclared HTML entities ("&nbsp;") and bare "&" are rewritten and the
 * strict parse is tried again; failing that, a document whose damage is
 * local (a mismatched tag, a bad character) is read with XML_PARSE_RECOVER.
 * Either way feed.warning holds the first error.  A document that ends
 * early, is empty or trips the entity-amplification guard is refused.
 * libxml2's errors go to a handler on the parser context, never to stderr.
 *
 * Entity references that survive parsing (we never pass XML_PARSE_NOENT)
 * are expanded by our own text walker: internal entities only, a few levels
 * deep and within a byte budget per field; undeclared ones that name an
 * HTML entity ("&nbsp;" in recovery mode) become that character.
 */
#include "arctic_digest/feed.h"

#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
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

static const char *const ns_prism[] = {
    "http://prismstandard.org/namespaces/1.2/basic/",
    "http://prismstandard.org/namespaces/basic/2.0/",
    "http://prismstandard.org/namespaces/basic/3.0/",
};

/* Per-parse state.  core_ns: namespace of the format's own elements (NULL
 * for RSS 2.0, which has none). */
struct parse {
    enum feed_kind kind;
    const char *core_ns;
    const char *source;
    const char *container;
    char *chan_container; /* channel-level prism:publicationName */
    xmlNode *feed_node;   /* Atom: the feed element, for inherited authors */
};

struct xml_error {
    bool set;
    bool fatal; /* the document cannot be recovered */
    int line, col;
    char msg[192];
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

/* ---- text helpers --------------------------------------------------- */

static bool
is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* ---- tree helpers ------------------------------------------------------ */

static bool
ns_is(const xmlNode *n, const char *uri)
{
    if (uri == NULL)
        return n->ns == NULL;
    return n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, uri) == 0;
}

static bool
ns_is_prism(const xmlNode *n)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ns_prism); i++) {
        if (ns_is(n, ns_prism[i]))
            return true;
    }
    return false;
}

static bool
name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

static bool
is_el(const xmlNode *n, const char *uri, const char *name)
{
    return name_is(n, name) && ns_is(n, uri);
}

static void
append_capped(struct buf *out, const char *p, size_t n, size_t *budget)
{
    if (n > *budget)
        n = *budget;
    buf_append(out, p, n);
    *budget -= n;
}

/* The text of n's descendants (see the top comment for entities). */
static void
collect_text(const xmlNode *n, struct buf *out, size_t *budget, int depth)
{
    const xmlNode *c;

    for (c = n->children; c != NULL && *budget > 0; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content != NULL)
                append_capped(out, (const char *)c->content,
                              strlen((const char *)c->content), budget);
        } else if (c->type == XML_ELEMENT_NODE) {
            collect_text(c, out, budget, depth);
        } else if (c->type == XML_ENTITY_REF_NODE) {
            xmlEntity *ent = xmlGetDocEntity(c->doc, c->name);
            if (ent != NULL && ent->etype == XML_INTERNAL_PREDEFINED_ENTITY &&
                ent->content != NULL) {
                /* "&lt;" stays a reference in recovery mode */
                append_capped(out, (const char *)ent->content,
                              strlen((const char *)ent->content), budget);
            } else if (ent != NULL &&
                       ent->etype == XML_INTERNAL_GENERAL_ENTITY &&
                       depth < ENTITY_DEPTH) {
                collect_text((const xmlNode *)ent, out, budget, depth + 1);
            } else if (ent == NULL && *budget >= 4) {
                /* An HTML entity the document never declared: decode it
                 * as HTML would (unknown names stay literal). */
                struct buf ref = BUF_INIT;
                size_t before = out->len;
                buf_appendf(&ref, "&%s;", (const char *)c->name);
                text_decode_entities(ref.data, ref.len, out);
                buf_release(&ref);
                if (out->len - before > *budget)
                    buf_truncate(out, before);
                else
                    *budget -= out->len - before;
            }
        }
    }
}

static void
node_text(const xmlNode *n, struct buf *out)
{
    size_t budget = FIELD_BUDGET;

    collect_text(n, out, &budget, 0);
}

static bool
has_element_child(const xmlNode *n)
{
    const xmlNode *c;

    for (c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}

/* Serialise n's children as markup (for XHTML content). */
static void
node_markup(xmlNode *n, struct buf *out)
{
    xmlBuffer *xb = xmlBufferCreate();
    xmlNode *c;

    if (xb == NULL)
        return;
    for (c = n->children; c != NULL; c = c->next) {
        if (xmlNodeDump(xb, n->doc, c, 0, 0) < 0)
            break;
    }
    buf_append(out, (const char *)xmlBufferContent(xb),
               (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
}

static char *
detach_or_null(struct buf *b)
{
    if (b->len == 0) {
        buf_release(b);
        return NULL;
    }
    return buf_detach(b, NULL);
}

/* Text of n as one plain line (no markup interpretation). */
static char *
line_of(const xmlNode *n)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;

    node_text(n, &raw);
    text_one_line(raw.data, raw.len, &out);
    buf_release(&raw);
    return detach_or_null(&out);
}

/* HTML (escaped, or inline elements) of n as plain text. */
static char *
html_of(xmlNode *n, bool one_line)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;

    if (has_element_child(n))
        node_markup(n, &raw);
    else
        node_text(n, &raw);
    text_html_to_plain(raw.data, raw.len, &out);
    buf_release(&raw);
    if (one_line) {
        buf_reset(&raw);
        text_one_line(out.data, out.len, &raw);
        buf_release(&out);
        return detach_or_null(&raw);
    }
    return detach_or_null(&out);
}

/* Append p[0..n) as one paragraph of out. */
static void
add_paragraph(struct buf *out, const char *p, size_t n)
{
    struct buf t = BUF_INIT;

    text_one_line(p, n, &t);
    if (t.len > 0 && out->len > 0)
        buf_append(out, "\n\n", 2);
    buf_append(out, t.data, t.len);
    buf_release(&t);
}

/* Plain text with its paragraphs: a blank line separates them, other white
 * space collapses. */
static char *
paragraphs_of(const xmlNode *n)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;
    size_t i = 0, start = 0;

    node_text(n, &raw);
    while (i < raw.len) {
        size_t j = i, lines = 0;

        if (!is_ws((unsigned char)raw.data[i])) {
            i++;
            continue;
        }
        while (j < raw.len && is_ws((unsigned char)raw.data[j]))
            lines += raw.data[j++] == '\n';
        if (lines >= 2) {
            add_paragraph(&out, raw.data + start, i - start);
            start = j;
        }
        i = j;
    }
    add_paragraph(&out, raw.data + start, raw.len - start);
    buf_release(&raw);
    return detach_or_null(&out);
}

static char *
prop(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s;

    if (v == NULL)
        return NULL;
    s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

static bool
ascii_prefix_ci(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *prefix)
            return false;
    }
    return true;
}

/* href resolved against n's xml:base and the document URL; NULL unless the
 * result is an http(s) URL. */
static char *
resolve_url(const xmlNode *n, const char *href)
{
    xmlChar *base, *abs;
    struct buf t = BUF_INIT;
    char *out = NULL;
    size_t i;

    if (href == NULL)
        return NULL;
    text_one_line(href, strlen(href), &t);
    base = xmlNodeGetBase(n->doc, n);
    abs = xmlBuildURI((const xmlChar *)t.data, base);
    if (abs != NULL && (ascii_prefix_ci((const char *)abs, "http://") ||
                        ascii_prefix_ci((const char *)abs, "https://"))) {
        out = xstrdup((const char *)abs);
        for (i = 0; out[i] != '\0'; i++) {
            if ((unsigned char)out[i] <= 0x20 || out[i] == 0x7f) {
                free(out);
                out = NULL;
                break;
            }
        }
    }
    xmlFree(abs);
    xmlFree(base);
    buf_release(&t);
    return out;
}

static char *
url_of(const xmlNode *n)
{
    char *text = line_of(n);
    char *u = resolve_url(n, text);

    free(text);
    return u;
}

/* ---- fields ------------------------------------------------------------ */

static void
field_set(struct field *f, int rank, char *s)
{
    if (s == NULL)
        return;
    if (f->s != NULL && f->rank <= rank) {
        free(s);
        return;
    }
    free(f->s);
    f->s = s;
    f->rank = rank;
}

static bool
field_wants(const struct field *f, int rank)
{
    return f->s == NULL || rank < f->rank;
}

static void
when_set(struct when *w, int rank, const xmlNode *n)
{
    struct buf t = BUF_INIT;
    struct dt d;

    if (dt_is_set(&w->d) && w->rank <= rank)
        return;
    node_text(n, &t);
    if (dt_parse(t.data, t.len, &d) == 0) {
        w->d = d;
        w->rank = rank;
    }
    buf_release(&t);
}

static void
add_keyword_node(struct article *a, const xmlNode *n)
{
    char *k = line_of(n);

    article_add_keyword(a, k);
    free(k);
}

static void
item_release(struct item *it)
{
    free(it->title.s);
    free(it->url.s);
    free(it->guid.s);
    free(it->doi.s);
    free(it->abstract.s);
    free(it->container.s);
}

/* Dublin Core, DC terms, PRISM and content: inside any item or entry. */
static void
module_child(xmlNode *c, struct item *it, struct article *a)
{
    const char *nm = (const char *)c->name;

    if (ns_is(c, NS_DC) || ns_is(c, NS_DCTERMS)) {
        bool terms = ns_is(c, NS_DCTERMS);

        if (strcmp(nm, "title") == 0 && field_wants(&it->title, 1))
            field_set(&it->title, 1, html_of(c, true));
        else if (strcmp(nm, "date") == 0)
            when_set(&it->published, terms ? 2 : 1, c);
        else if (strcmp(nm, "issued") == 0 || strcmp(nm, "created") == 0)
            when_set(&it->published, 2, c);
        else if (strcmp(nm, "modified") == 0)
            when_set(&it->updated, 0, c);
        else if ((strcmp(nm, "description") == 0 ||
                  strcmp(nm, "abstract") == 0) &&
                 field_wants(&it->abstract, 1))
            field_set(&it->abstract, 1, html_of(c, false));
        else if (strcmp(nm, "subject") == 0)
            add_keyword_node(a, c);
        else if (strcmp(nm, "identifier") == 0) {
            char *t = line_of(c);
            field_set(&it->doi, 1, article_doi_normalize(t));
            free(t);
        } else if (strcmp(nm, "source") == 0)
            field_set(&it->container, 1, line_of(c));
    } else if (ns_is_prism(c)) {
        if (strcmp(nm, "doi") == 0) {
            char *t = line_of(c);
            field_set(&it->doi, 0, article_doi_normalize(t));
            free(t);
        } else if (strcmp(nm, "publicationName") == 0)
            field_set(&it->container, 0, line_of(c));
        else if (strcmp(nm, "publicationDate") == 0)
            when_set(&it->published, 2, c);
        else if (strcmp(nm, "coverDate") == 0)
            when_set(&it->published, 3, c);
        else if (strcmp(nm, "url") == 0)
            field_set(&it->url, 2, url_of(c));
        else if (strcmp(nm, "keyword") == 0)
            add_keyword_node(a, c);
    } else if (ns_is(c, NS_CONTENT) && strcmp(nm, "encoded") == 0 &&
               field_wants(&it->abstract, 10)) {
        field_set(&it->abstract, 10, html_of(c, false));
    }
}

/* RSS 0.9x/2.0 and RSS 1.0 item children in the core namespace. */
static void
rss_child(const struct parse *ps, xmlNode *c, struct item *it,
          struct article *a)
{
    const char *nm = (const char *)c->name;

    if (!ns_is(c, ps->core_ns)) {
        module_child(c, it, a);
        return;
    }
    if (strcmp(nm, "title") == 0)
        field_set(&it->title, 0, html_of(c, true));
    else if (strcmp(nm, "link") == 0)
        field_set(&it->url, 0, url_of(c));
    else if (strcmp(nm, "description") == 0 && field_wants(&it->abstract, 0))
        field_set(&it->abstract, 0, html_of(c, false));
    else if (strcmp(nm, "pubDate") == 0)
        when_set(&it->published, 0, c);
    else if (strcmp(nm, "category") == 0)
        add_keyword_node(a, c);
    else if (strcmp(nm, "guid") == 0) {
        char *perma = prop(c, "isPermaLink");

        field_set(&it->guid, 0, line_of(c));
        if (perma == NULL || strcmp(perma, "false") != 0)
            field_set(&it->url, 1, url_of(c));
        free(perma);
    }
}

/* "jane@x.org (Jane Doe)" -> "Jane Doe"; "Jane Doe <jane@x.org>" -> "Jane
 * Doe"; a bare address gives nothing. */
static void
add_rss_author(struct article *a, const xmlNode *n)
{
    char *s = line_of(n);
    const char *p, *q;

    if (s == NULL)
        return;
    p = strchr(s, '(');
    q = strrchr(s, ')');
    if (strchr(s, '@') != NULL && p != NULL && q != NULL && q > p) {
        article_add_byline(a, p + 1, (size_t)(q - p - 1));
    } else if ((p = strchr(s, '<')) != NULL && strchr(p, '@') != NULL) {
        article_add_byline(a, s, (size_t)(p - s));
    } else if (strchr(s, '@') == NULL) {
        article_add_byline(a, s, strlen(s));
    }
    free(s);
}

static void
add_byline_node(struct article *a, const xmlNode *n)
{
    char *s = line_of(n);

    if (s != NULL)
        article_add_byline(a, s, strlen(s));
    free(s);
}

/* dc:creator (and dcterms:creator) if any, else RSS author. */
static void
rss_authors(const struct parse *ps, const xmlNode *item, struct article *a)
{
    const xmlNode *c;
    bool creators = false;

    for (c = item->children; c != NULL; c = c->next) {
        if (is_el(c, NS_DC, "creator") || is_el(c, NS_DCTERMS, "creator")) {
            add_byline_node(a, c);
            creators = true;
        }
    }
    if (creators)
        return;
    for (c = item->children; c != NULL; c = c->next) {
        if (is_el(c, ps->core_ns, "author"))
            add_rss_author(a, c);
    }
}

/* ---- Atom -------------------------------------------------------------- */

/* An Atom text construct (RFC 4287 section 3.1) or content element. */
static char *
atom_text(xmlNode *n, bool one_line)
{
    char *type = prop(n, "type");
    char *s = NULL;
    xmlNode *c;

    if (type == NULL || strcmp(type, "text") == 0 ||
        strcmp(type, "text/plain") == 0) {
        s = one_line ? line_of(n) : paragraphs_of(n);
    } else if (strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0) {
        s = html_of(n, one_line);
    } else if (strcmp(type, "xhtml") == 0 ||
               strcmp(type, "application/xhtml+xml") == 0) {
        for (c = n->children; c != NULL; c = c->next) {
            if (c->type == XML_ELEMENT_NODE)
                break;
        }
        s = html_of(c != NULL && is_el(c, NS_XHTML, "div") ? c : n, one_line);
    }
    free(type);
    return s;
}

static bool
rel_is_alternate(const char *rel)
{
    return rel == NULL || strcmp(rel, "alternate") == 0 ||
           strcmp(rel, "http://www.iana.org/assignments/relation/alternate") ==
               0;
}

/* <link rel href type>: the alternate link goes to url (an HTML one wins),
 * a doi.org link of any relation to doi (doi may be NULL). */
static void
atom_link(const xmlNode *c, struct field *url, struct field *doi)
{
    char *rel = prop(c, "rel");
    char *href = prop(c, "href");
    char *type = prop(c, "type");
    char *u = resolve_url(c, href);

    if (u != NULL && doi != NULL)
        field_set(doi, 2, article_doi_normalize(u));
    if (u != NULL && rel_is_alternate(rel)) {
        bool html = type == NULL || strcmp(type, "text/html") == 0 ||
                    strcmp(type, "application/xhtml+xml") == 0;
        field_set(url, html ? 0 : 1, u);
        u = NULL;
    }
    free(u);
    free(rel);
    free(href);
    free(type);
}

static void
atom_child(xmlNode *c, struct item *it, struct article *a)
{
    const char *nm = (const char *)c->name;

    if (!ns_is(c, NS_ATOM)) {
        module_child(c, it, a);
        return;
    }
    if (strcmp(nm, "title") == 0)
        field_set(&it->title, 0, atom_text(c, true));
    else if (strcmp(nm, "link") == 0)
        atom_link(c, &it->url, &it->doi);
    else if (strcmp(nm, "id") == 0)
        field_set(&it->guid, 0, line_of(c));
    else if (strcmp(nm, "published") == 0)
        when_set(&it->published, 0, c);
    else if (strcmp(nm, "updated") == 0)
        when_set(&it->updated, 0, c);
    else if (strcmp(nm, "summary") == 0 && field_wants(&it->abstract, 0))
        field_set(&it->abstract, 0, atom_text(c, false));
    else if (strcmp(nm, "content") == 0 && field_wants(&it->abstract, 10) &&
             !xmlHasProp(c, (const xmlChar *)"src"))
        field_set(&it->abstract, 10, atom_text(c, false));
    else if (strcmp(nm, "category") == 0) {
        char *term = prop(c, "term");
        article_add_keyword(a, term);
        free(term);
    }
}

/* author/name and contributor/name of n; returns how many. */
static size_t
atom_people(const xmlNode *n, bool contributors, struct article *a)
{
    const xmlNode *c, *k;
    size_t before = a->nauthors;

    for (c = n->children; c != NULL; c = c->next) {
        if (!is_el(c, NS_ATOM, "author") &&
            !(contributors && is_el(c, NS_ATOM, "contributor")))
            continue;
        for (k = c->children; k != NULL; k = k->next) {
            if (is_el(k, NS_ATOM, "name"))
                add_byline_node(a, k);
        }
    }
    return a->nauthors - before;
}

/* ---- items and channels ------------------------------------------------ */

static void
item_to_article(const struct parse *ps, struct item *it, struct article *a)
{
    a->source = xstrdup(ps->source);
    a->title = it->title.s;
    a->url = it->url.s;
    a->guid = it->guid.s != NULL ? it->guid.s : xstrdup(it->url.s);
    a->doi = it->doi.s;
    if (a->doi == NULL && a->url != NULL)
        a->doi = article_doi_normalize(a->url);
    if (a->doi == NULL && a->guid != NULL)
        a->doi = article_doi_normalize(a->guid);
    a->abstract = it->abstract.s;
    if (ps->container != NULL)
        a->container = xstrdup(ps->container);
    else if (it->container.s != NULL)
        a->container = xstrdup(it->container.s);
    else
        a->container = xstrdup(ps->chan_container);
    a->updated = it->updated.d;
    a->published =
        dt_is_set(&it->published.d) ? it->published.d : it->updated.d;
    it->title.s = it->url.s = it->guid.s = it->doi.s = it->abstract.s = NULL;
}

static void
add_item(const struct parse *ps, xmlNode *node, struct feed *f)
{
    struct item it;
    struct article a;
    xmlNode *c;

    memset(&it, 0, sizeof(it));
    article_init(&a);
    for (c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (ps->kind == FEED_KIND_ATOM)
            atom_child(c, &it, &a);
        else
            rss_child(ps, c, &it, &a);
    }
    if (ps->kind == FEED_KIND_RDF) {
        xmlChar *about = xmlGetNsProp(node, (const xmlChar *)"about",
                                      (const xmlChar *)NS_RDF);
        if (about != NULL) {
            struct buf t = BUF_INIT;
            text_one_line((const char *)about, strlen((const char *)about), &t);
            field_set(&it.guid, 1, detach_or_null(&t));
        }
        xmlFree(about);
    }
    if (ps->kind == FEED_KIND_ATOM) {
        if (atom_people(node, true, &a) == 0 && ps->feed_node != NULL)
            atom_people(ps->feed_node, false, &a);
    } else {
        rss_authors(ps, node, &a);
    }
    if (it.title.s == NULL && it.url.s == NULL && it.guid.s == NULL &&
        it.abstract.s == NULL) {
        article_release(&a);
    } else {
        item_to_article(ps, &it, &a);
        xgrow(&f->v, &f->alloc, f->n + 1, sizeof(*f->v));
        f->v[f->n++] = a;
    }
    item_release(&it);
}

/* Title, link and outlet name of an RSS channel or Atom feed. */
static void
channel_meta(struct parse *ps, xmlNode *chan, struct feed *f)
{
    struct field title = {NULL, 0}, link = {NULL, 0};
    xmlNode *c;

    for (c = chan->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (ps->kind == FEED_KIND_ATOM && is_el(c, NS_ATOM, "title"))
            field_set(&title, 0, atom_text(c, true));
        else if (ps->kind == FEED_KIND_ATOM && is_el(c, NS_ATOM, "link"))
            atom_link(c, &link, NULL);
        else if (is_el(c, ps->core_ns, "title"))
            field_set(&title, 0, html_of(c, true));
        else if (is_el(c, ps->core_ns, "link"))
            field_set(&link, 0, url_of(c));
        else if (is_el(c, NS_DC, "title"))
            field_set(&title, 1, html_of(c, true));
        else if (ns_is_prism(c) && name_is(c, "publicationName") &&
                 ps->chan_container == NULL)
            ps->chan_container = line_of(c);
    }
    if (f->title == NULL)
        f->title = title.s;
    else
        free(title.s);
    if (f->link == NULL)
        f->link = link.s;
    else
        free(link.s);
}

static void
walk_items(struct parse *ps, xmlNode *parent, const char *name, struct feed *f)
{
    xmlNode *c;

    for (c = parent->children; c != NULL; c = c->next) {
        if (is_el(c, ps->core_ns, name))
            add_item(ps, c, f);
    }
}

static void
walk(struct parse *ps, xmlNode *root, struct feed *f)
{
    xmlNode *c;

    if (ps->kind == FEED_KIND_ATOM) {
        ps->feed_node = root;
        channel_meta(ps, root, f);
    } else {
        for (c = root->children; c != NULL; c = c->next) {
            if (is_el(c, ps->core_ns, "channel"))
                channel_meta(ps, c, f);
        }
    }
    if (ps->chan_container == NULL)
        ps->chan_container = xstrdup(f->title);
    if (ps->kind == FEED_KIND_ATOM) {
        walk_items(ps, root, "entry", f);
        return;
    }
    /* RSS 2.0: channel/item (a stray item under <rss> is taken too);
     * RSS 1.0: items are the channel's siblings. */
    for (c = root->children; c != NULL; c = c->next) {
        if (ps->kind == FEED_KIND_RSS && is_el(c, ps->core_ns, "channel"))
            walk_items(ps, c, "item", f);
    }
    walk_items(ps, root, "item", f);
}

static bool
name_ci(const xmlNode *n, const char *lower_name)
{
    const char *s = (const char *)n->name;

    return strlen(s) == strlen(lower_name) && ascii_prefix_ci(s, lower_name);
}

static int
detect(xmlNode *root, struct parse *ps, struct err *e)
{
    const char *ns = root->ns != NULL ? (const char *)root->ns->href : NULL;
    xmlNode *c;
    xmlNs *d;

    if (name_ci(root, "html"))
        return err_set(e, ERR_DATA, 0, "not a feed: HTML page");
    if (name_is(root, "rss")) {
        ps->kind = FEED_KIND_RSS;
        ps->core_ns = ns;
        return 0;
    }
    if (is_el(root, NS_ATOM, "feed")) {
        ps->kind = FEED_KIND_ATOM;
        ps->core_ns = NS_ATOM;
        return 0;
    }
    if (is_el(root, NS_RDF, "RDF")) {
        for (c = root->children; c != NULL; c = c->next) {
            if (c->type != XML_ELEMENT_NODE ||
                !(ns_is(c, NS_RSS10) || ns_is(c, NS_RSS090)))
                continue;
            ps->kind = FEED_KIND_RDF;
            ps->core_ns = ns_is(c, NS_RSS10) ? NS_RSS10 : NS_RSS090;
            return 0;
        }
        for (d = root->nsDef; d != NULL; d = d->next) {
            const char *h = (const char *)d->href;
            if (h != NULL &&
                (strcmp(h, NS_RSS10) == 0 || strcmp(h, NS_RSS090) == 0)) {
                ps->kind = FEED_KIND_RDF; /* an empty RSS 1.0 document */
                ps->core_ns = strcmp(h, NS_RSS10) == 0 ? NS_RSS10 : NS_RSS090;
                return 0;
            }
        }
        return err_set(e, ERR_DATA, 0,
                       "not a feed: RDF document without an RSS 1.0 channel");
    }
    if (ns != NULL)
        return err_set(e, ERR_DATA, 0,
                       "not a feed: root element <%.40s> in namespace %.100s",
                       (const char *)root->name, ns);
    return err_set(e, ERR_DATA, 0, "not a feed: root element <%.40s>",
                   (const char *)root->name);
}

/* ---- reading ----------------------------------------------------------- */

/* Errors after which a recovered tree would be a guess: the document ended
 * early, is empty, or tripped the entity-amplification guard. */
static bool
is_fatal_code(int code)
{
    switch (code) {
    case XML_ERR_NO_MEMORY:
    case XML_ERR_DOCUMENT_EMPTY:
    case XML_ERR_TAG_NOT_FINISHED:
    case XML_ERR_COMMENT_NOT_FINISHED:
    case XML_ERR_CDATA_NOT_FINISHED:
    case XML_ERR_ENTITY_LOOP:
    case XML_ERR_ENTITY_BOUNDARY:
        return true;
    default:
        return false;
    }
}

static void
on_xml_error(void *data, xmlError *err)
{
    xmlParserCtxt *ctxt = data;
    struct xml_error *xe = ctxt != NULL ? ctxt->_private : NULL;
    size_t len;

    if (xe == NULL || err == NULL || err->level < XML_ERR_ERROR)
        return;
    if (is_fatal_code(err->code))
        xe->fatal = true;
    if (xe->set)
        return;
    xe->set = true;
    xe->line = err->line;
    xe->col = err->int2;
    len = (size_t)snprintf(xe->msg, sizeof(xe->msg), "%s",
                           err->message != NULL ? err->message : "error");
    if (len >= sizeof(xe->msg))
        len = sizeof(xe->msg) - 1;
    while (len > 0 && is_ws((unsigned char)xe->msg[len - 1]))
        xe->msg[--len] = '\0';
}

static void
silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static xmlDoc *
read_doc(const char *data, size_t n, const char *base_url, bool recover,
         struct xml_error *xe)
{
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA;
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    xmlDoc *doc;

    if (ctxt == NULL)
        return NULL;
    if (recover)
        opts |= XML_PARSE_RECOVER;
    ctxt->_private = xe;
    ctxt->sax->serror = on_xml_error;
    doc = xmlCtxtReadMemory(ctxt, data, (int)n, base_url, NULL, opts);
    if (doc != NULL && !ctxt->wellFormed && !recover) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static int
xml_err(struct err *e, const struct xml_error *xe)
{
    if (!xe->set)
        return err_set(e, ERR_DATA, 0, "XML error: cannot read the document");
    return err_set(e, ERR_DATA, 0, "XML error at line %d, column %d: %s",
                   xe->line, xe->col, xe->msg);
}

/* Append valid UTF-8 p[0..n) as "&#N;" references, one per code point. */
static void
append_char_refs(struct buf *out, const char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        unsigned long cp;
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, k;

        if (i + len > n)
            break;
        cp = len == 1 ? c : c & (0x7f >> len);
        for (k = 1; k < len; k++)
            cp = (cp << 6) | ((unsigned char)p[i + k] & 0x3f);
        buf_appendf(out, "&#%lu;", cp);
        i += len;
    }
}

/*
 * The commonest damage in real feeds is HTML in XML: "&nbsp;" (undeclared)
 * and a bare "&".  Rewrite them as "&#160;" and "&amp;" so that a strict
 * parse can succeed; recovery mode would instead drop every entity
 * reference after the first error ("&lt;" and "&amp;" included).  Only for
 * ASCII-compatible encodings (no NUL, no ISO-2022 escapes).  Returns true
 * if anything changed.
 */
static bool
repair_entities(const char *p, size_t n, struct buf *out)
{
    static const char *const predefined[] = {"amp", "lt", "gt", "quot", "apos"};
    bool changed = false;
    size_t i = 0, k;

    if (memchr(p, '\0', n) != NULL || memchr(p, 0x1b, n) != NULL)
        return false;
    while (i < n) {
        char name[40];
        struct buf ref = BUF_INIT, utf8 = BUF_INIT;
        size_t j = i + 1;

        if (p[i] != '&') {
            buf_append_char(out, p[i++]);
            continue;
        }
        for (k = 0;
             j < n && k < sizeof(name) - 1 &&
             ((p[j] >= 'a' && p[j] <= 'z') || (p[j] >= 'A' && p[j] <= 'Z') ||
              (k > 0 && p[j] >= '0' && p[j] <= '9'));
             j++)
            name[k++] = p[j];
        name[k] = '\0';
        if (j < n && p[j] == '#' && k == 0) {
            buf_append_char(out, p[i++]);
            continue;
        }
        if (k == 0 || j >= n || p[j] != ';') {
            buf_append_str(out, "&amp;"); /* a bare "&" */
            changed = true;
            i++;
            continue;
        }
        /* An HTML entity XML does not know becomes numeric references;
         * the five XML ones and unknown names stay as they are. */
        buf_appendf(&ref, "&%s;", name);
        for (k = 0; k < ARRAY_SIZE(predefined); k++) {
            if (strcmp(name, predefined[k]) == 0)
                buf_reset(&ref);
        }
        text_decode_entities(ref.data, ref.len, &utf8);
        if (ref.len && strcmp(utf8.data, ref.data) != 0) {
            append_char_refs(out, utf8.data, utf8.len);
            changed = true;
        } else {
            buf_append(out, p + i, j + 1 - i);
        }
        buf_release(&ref);
        buf_release(&utf8);
        i = j + 1;
    }
    return changed;
}

/* Strict first; then strict after repair_entities(); then recovery mode
 * for errors that allow it. */
static xmlDoc *
read_feed(const char *data, size_t n, const char *base_url, struct feed *f,
          struct err *e)
{
    struct xml_error first, again, loose;
    const struct xml_error *cause = &first;
    struct buf fixed = BUF_INIT;
    struct err tmp = ERR_INIT;
    xmlDoc *doc;
    xmlNode *root;

    memset(&first, 0, sizeof(first));
    memset(&again, 0, sizeof(again));
    memset(&loose, 0, sizeof(loose));
    doc = read_doc(data, n, base_url, false, &first);
    if (doc != NULL)
        return doc;
    if (repair_entities(data, n, &fixed)) {
        data = fixed.data;
        n = fixed.len;
        doc = read_doc(data, n, base_url, false, &again);
        cause = &again;
    }
    if (doc == NULL)
        doc = read_doc(data, n, base_url, true, &loose);
    root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    if (root != NULL && name_ci(root, "html")) {
        err_set(e, ERR_DATA, 0, "not a feed: HTML page");
    } else if (root == NULL || cause->fatal || loose.fatal) {
        xml_err(e, cause);
    } else {
        xml_err(&tmp, &first);
        f->warning = xstrdup(tmp.msg);
        buf_release(&fixed);
        return doc;
    }
    xmlFreeDoc(doc);
    buf_release(&fixed);
    return NULL;
}

int
feed_parse(struct feed *f, const char *data, size_t n, const char *source,
           const char *base_url, const char *container, struct err *e)
{
    struct feed out = FEED_INIT;
    struct parse ps;
    xmlGenericErrorFunc old_fn;
    void *old_ctx;
    xmlDoc *doc;
    int rc = -1;

    if (n > INT_MAX)
        return err_set(e, ERR_DATA, 0, "feed too large (%zu bytes)", n);
    memset(&ps, 0, sizeof(ps));
    ps.source = source;
    ps.container = container;
    xmlInitParser();
    old_fn = xmlGenericError;
    old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent);
    doc = read_feed(data, n, base_url, &out, e);
    if (doc == NULL)
        goto out;
    if (detect(xmlDocGetRootElement(doc), &ps, e) < 0)
        goto out;
    out.kind = ps.kind;
    walk(&ps, xmlDocGetRootElement(doc), &out);
    feed_release(f);
    *f = out;
    memset(&out, 0, sizeof(out));
    rc = 0;
out:
    xmlSetGenericErrorFunc(old_ctx, old_fn);
    xmlFreeDoc(doc);
    free(ps.chan_container);
    feed_release(&out);
    return rc;
}

void
feed_release(struct feed *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        article_release(&f->v[i]);
    free(f->v);
    free(f->title);
    free(f->link);
    free(f->warning);
    memset(f, 0, sizeof(*f));
}

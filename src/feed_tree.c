/* feed_tree: text, URLs and single-valued fields out of the document tree
 * (feed_int.h). */
#include "arctic_digest/feed.h"

#include <libxml/tree.h>
#include <libxml/uri.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/article.h"
#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

static const char *const ns_prism[] = {
    "http://prismstandard.org/namespaces/1.2/basic/",
    "http://prismstandard.org/namespaces/basic/2.0/",
    "http://prismstandard.org/namespaces/basic/3.0/",
    /* the RSS 1.0 module's own URI, as HighWire (Science, bioRxiv) and
     * older Atypon feeds declare it */
    "http://purl.org/rss/1.0/modules/prism/",
    "http://prismstandard.org/namespaces/basic/1.2/",
    /* Silverchair (Oxford Academic) declares xmlns:prism="prism" on
     * each element: a namespace no other vocabulary uses */
    "prism",
};

bool
feed_ns_is_prism(const struct xnode *n)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ns_prism); i++) {
        if (ns_is(n, ns_prism[i]))
            return true;
    }
    /* any other version or spelling of PRISM's own URIs (Ingenta writes
     * ".../namespaces/2.0/basic/") */
    return n->ns != NULL &&
           strncmp(n->ns, "http://prismstandard.org/namespaces/", 36) == 0;
}

bool
feed_name_ci(const struct xnode *n, const char *lower_name)
{
    return ascii_ieq(n->name, lower_name);
}

/* The text of n's descendants, at most *budget bytes. */
static void
collect_text(const struct xnode *n, struct buf *out, size_t *budget)
{
    const struct xnode *c;

    for (c = n->children; c != NULL && *budget > 0; c = c->next) {
        if (c->type == XNODE_TEXT) {
            size_t k = c->len < *budget ? c->len : *budget;
            buf_append(out, c->text, k);
            *budget -= k;
        } else {
            collect_text(c, out, budget);
        }
    }
}

void
feed_node_text(const struct xnode *n, struct buf *out)
{
    size_t budget = FIELD_BUDGET;

    collect_text(n, out, &budget);
}

const char *
feed_text_view(const struct xnode *n, struct buf *tmp, size_t *len)
{
    const struct xnode *c = n->children;

    if (c != NULL && c->next == NULL && c->type == XNODE_TEXT) {
        *len = c->len < FIELD_BUDGET ? c->len : FIELD_BUDGET;
        return c->text;
    }
    feed_node_text(n, tmp);
    *len = tmp->len;
    return tmp->data != NULL ? tmp->data : "";
}

bool
feed_has_element_child(const struct xnode *n)
{
    const struct xnode *c;

    for (c = n->children; c != NULL; c = c->next) {
        if (c->type == XNODE_ELEMENT)
            return true;
    }
    return false;
}

static void
append_qname(const char *prefix, const char *name, struct buf *out)
{
    if (prefix != NULL) {
        buf_append_str(out, prefix);
        buf_append_char(out, ':');
    }
    buf_append_str(out, name);
}

static void
append_start_tag(const struct xnode *c, struct buf *out)
{
    size_t i;

    buf_append_char(out, '<');
    append_qname(c->prefix, c->name, out);
    for (i = 0; i < c->nattrs; i++) {
        const struct xattr *a = &c->attrs[i];

        buf_append_char(out, ' ');
        append_qname(a->prefix, a->name, out);
        buf_append_str(out, "=\"");
        text_escape_html(a->value, strlen(a->value), out);
        buf_append_char(out, '"');
    }
    buf_append_str(out, c->children == NULL ? "/>" : ">");
}

/* Serialise n's children as markup, within about *budget bytes. */
static void
markup(const struct xnode *n, struct buf *out, size_t *budget)
{
    const struct xnode *c;

    for (c = n->children; c != NULL && *budget > 0; c = c->next) {
        size_t before = out->len;

        if (c->type == XNODE_TEXT) {
            text_escape_html(c->text, c->len, out);
        } else {
            append_start_tag(c, out);
            if (c->children != NULL) {
                markup(c, out, budget);
                buf_append_str(out, "</");
                append_qname(c->prefix, c->name, out);
                buf_append_char(out, '>');
            }
        }
        if (out->len - before >= *budget)
            *budget = 0;
        else
            *budget -= out->len - before;
    }
}

void
feed_node_markup(const struct xnode *n, struct buf *out)
{
    size_t budget = FIELD_BUDGET;

    markup(n, out, &budget);
}

char *
feed_detach_or_null(struct buf *b)
{
    if (b->len == 0) {
        buf_release(b);
        return NULL;
    }
    return buf_detach(b, NULL);
}

/* Text of n as one plain line (no markup interpretation). */
char *
feed_line_of(const struct xnode *n)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;
    size_t len;
    const char *p = feed_text_view(n, &raw, &len);

    text_one_line(p, len, &out);
    buf_release(&raw);
    return feed_detach_or_null(&out);
}

/* HTML p[0..len) as plain text, one line if one_line; with its italics
 * marked (article_mark_italics) if italics.  NULL if empty. */
static char *
plain_of(const char *p, size_t len, bool one_line, bool italics)
{
    struct buf marked = BUF_INIT, out = BUF_INIT, line = BUF_INIT;

    if (italics) {
        article_mark_italics(p, len, &marked);
        p = marked.data;
        len = marked.len;
    }
    text_html_to_plain(p, len, &out);
    buf_release(&marked);
    if (!one_line)
        return feed_detach_or_null(&out);
    text_one_line(out.data, out.len, &line);
    buf_release(&out);
    return feed_detach_or_null(&line);
}

static char *
html_of(const struct xnode *n, bool one_line, bool italics)
{
    struct buf raw = BUF_INIT;
    const char *p;
    size_t len;
    char *s;

    if (feed_has_element_child(n)) {
        feed_node_markup(n, &raw);
        p = raw.data;
        len = raw.len;
    } else {
        p = feed_text_view(n, &raw, &len);
    }
    s = plain_of(p, len, one_line, italics);
    buf_release(&raw);
    return s;
}

static char *
xhtml_of(const struct xnode *n, bool one_line, bool italics)
{
    struct buf raw = BUF_INIT;
    char *s;

    feed_node_markup(n, &raw);
    s = plain_of(raw.data, raw.len, one_line, italics);
    buf_release(&raw);
    return s;
}

/* HTML (escaped, or inline elements) of n as plain text. */
char *
feed_html_of(const struct xnode *n, bool one_line)
{
    return html_of(n, one_line, false);
}

char *
feed_title_of(const struct xnode *n)
{
    return html_of(n, true, true);
}

/* XHTML content (the children of n) as plain text: always serialised, so
 * that escaped text ("&lt;blink&gt;") stays text. */
char *
feed_xhtml_of(const struct xnode *n, bool one_line)
{
    return xhtml_of(n, one_line, false);
}

char *
feed_xhtml_title_of(const struct xnode *n)
{
    return xhtml_of(n, true, true);
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
char *
feed_paragraphs_of(const struct xnode *n)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;
    size_t i = 0, start = 0, len;
    const char *p = feed_text_view(n, &raw, &len);

    while (i < len) {
        size_t j = i, lines = 0;

        if (!ascii_is_space(p[i])) {
            i++;
            continue;
        }
        while (j < len && ascii_is_space(p[j]))
            lines += p[j++] == '\n';
        if (lines >= 2) {
            add_paragraph(&out, p + start, i - start);
            start = j;
        }
        i = j;
    }
    add_paragraph(&out, p + start, len - start);
    buf_release(&raw);
    return feed_detach_or_null(&out);
}

const char *
feed_attr(const struct xnode *n, const char *ns, const char *name)
{
    size_t i;

    for (i = 0; i < n->nattrs; i++) {
        const struct xattr *a = &n->attrs[i];

        if (strcmp(a->name, name) == 0 &&
            (ns == NULL ? a->ns == NULL
                        : a->ns != NULL && strcmp(a->ns, ns) == 0))
            return a->value;
    }
    return NULL;
}

char *
feed_xml_lang(const struct xnode *n, bool inherit)
{
    for (; n != NULL; n = inherit ? n->parent : NULL) {
        const char *v = feed_attr(n, NS_XML, "lang");

        if (v != NULL)
            return article_lang_normalize(v);
    }
    return NULL;
}

bool
feed_has_attr(const struct xnode *n, const char *name)
{
    size_t i;

    for (i = 0; i < n->nattrs; i++) {
        if (strcmp(n->attrs[i].name, name) == 0)
            return true;
    }
    return false;
}

char *
feed_prop(const struct xnode *n, const char *name)
{
    const char *v = feed_attr(n, NULL, name);

    return v != NULL ? xstrdup(v) : NULL;
}

/* The base URI of n: its xml:base and its ancestors', resolved against
 * the document's URL, as libxml2's xmlNodeGetBase() does.  Caller frees
 * with xmlFree; NULL if there is none. */
static xmlChar *
node_base(const struct xnode *n)
{
    const char *url = n->doc->url;
    xmlChar *base = NULL, *next;

    for (; n != NULL; n = n->parent) {
        const char *b = feed_attr(n, (const char *)XML_XML_NAMESPACE, "base");

        if (b == NULL)
            continue;
        if (base == NULL) {
            base = xmlStrdup((const xmlChar *)b);
        } else {
            next = xmlBuildURI(base, (const xmlChar *)b);
            xmlFree(base);
            base = next;
        }
        if (base == NULL)
            return NULL;
        if (xmlStrncmp(base, (const xmlChar *)"http://", 7) == 0 ||
            xmlStrncmp(base, (const xmlChar *)"ftp://", 6) == 0 ||
            xmlStrncmp(base, (const xmlChar *)"urn:", 4) == 0)
            return base;
    }
    if (url == NULL)
        return base;
    if (base == NULL)
        return xmlStrdup((const xmlChar *)url);
    next = xmlBuildURI(base, (const xmlChar *)url);
    xmlFree(base);
    return next;
}

/* href resolved against n's xml:base and the document URL; NULL unless the
 * result is an http(s) URL. */
char *
feed_resolve_url(const struct xnode *n, const char *href)
{
    xmlChar *base, *abs;
    const char *u;
    struct buf t = BUF_INIT;
    char *out = NULL;
    size_t i;

    if (href == NULL)
        return NULL;
    text_one_line(href, strlen(href), &t);
    base = node_base(n);
    abs = xmlBuildURI((const xmlChar *)t.data, base);
    u = (const char *)abs;
    if (u != NULL && (ascii_istarts(u, strlen(u), "http://") ||
                      ascii_istarts(u, strlen(u), "https://"))) {
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

char *
feed_url_of(const struct xnode *n)
{
    char *text = feed_line_of(n);
    char *u = feed_resolve_url(n, text);

    free(text);
    return u;
}

/* ---- fields ------------------------------------------------------------ */

void
feed_field_set(struct field *f, int rank, char *s)
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

bool
feed_field_wants(const struct field *f, int rank)
{
    return f->s == NULL || rank < f->rank;
}

void
feed_when_set(struct when *w, int rank, const struct xnode *n)
{
    struct buf t = BUF_INIT;
    struct dt d;
    const char *p;
    size_t len;

    /* Of two dates of the same rank the later one in the document wins,
     * as in feedparser. */
    if (dt_is_set(&w->d) && w->rank < rank)
        return;
    p = feed_text_view(n, &t, &len);
    if (dt_parse(p, len, &d) == 0) {
        w->d = d;
        w->rank = rank;
    }
    buf_release(&t);
}

void
feed_add_keyword_node(struct article *a, const struct xnode *n)
{
    char *k = feed_line_of(n);

    article_add_keyword(a, k);
    free(k);
}

void
feed_item_release(struct item *it)
{
    free(it->title.s);
    free(it->url.s);
    free(it->guid.s);
    free(it->doi.s);
    free(it->abstract.s);
    free(it->container.s);
    free(it->pubname.s);
    free(it->volume.s);
    free(it->issue.s);
    free(it->pages.s);
    free(it->spage.s);
    free(it->epage.s);
    free(it->byline.s);
    free(it->dctitle.s);
    free(it->lang.s);
}

/* Dublin Core, DC terms, PRISM and content: inside any item or entry. */

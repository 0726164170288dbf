/* feed_tree: text, URLs and single-valued fields out of the libxml2 tree. */
#include "arctic_digest/feed.h"

#include <libxml/entities.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

static const char *const ns_prism[] = {
    "http://prismstandard.org/namespaces/1.2/basic/",
    "http://prismstandard.org/namespaces/basic/2.0/",
    "http://prismstandard.org/namespaces/basic/3.0/",
};

bool
feed_ns_is_prism(const xmlNode *n)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ns_prism); i++) {
        if (ns_is(n, ns_prism[i]))
            return true;
    }
    return false;
}

bool
feed_name_ci(const xmlNode *n, const char *lower_name)
{
    const char *s = (const char *)n->name;

    return strlen(s) == strlen(lower_name) && feed_ascii_prefix_ci(s, lower_name);
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

void
feed_node_text(const xmlNode *n, struct buf *out)
{
    size_t budget = FIELD_BUDGET;

    collect_text(n, out, &budget, 0);
}

bool
feed_has_element_child(const xmlNode *n)
{
    const xmlNode *c;

    for (c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return true;
    }
    return false;
}

/* Serialise n's children as markup (for XHTML content). */
void
feed_node_markup(xmlNode *n, struct buf *out)
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
feed_line_of(const xmlNode *n)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;

    feed_node_text(n, &raw);
    text_one_line(raw.data, raw.len, &out);
    buf_release(&raw);
    return feed_detach_or_null(&out);
}

/* HTML (escaped, or inline elements) of n as plain text. */
char *
feed_html_of(xmlNode *n, bool one_line)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;

    if (feed_has_element_child(n))
        feed_node_markup(n, &raw);
    else
        feed_node_text(n, &raw);
    text_html_to_plain(raw.data, raw.len, &out);
    buf_release(&raw);
    if (one_line) {
        buf_reset(&raw);
        text_one_line(out.data, out.len, &raw);
        buf_release(&out);
        return feed_detach_or_null(&raw);
    }
    return feed_detach_or_null(&out);
}

/* XHTML content (the children of n) as plain text: always serialised, so
 * that escaped text ("&lt;blink&gt;") stays text. */
char *
feed_xhtml_of(xmlNode *n, bool one_line)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;

    feed_node_markup(n, &raw);
    text_html_to_plain(raw.data, raw.len, &out);
    buf_reset(&raw);
    if (one_line)
        text_one_line(out.data, out.len, &raw);
    else
        buf_append(&raw, out.data, out.len);
    buf_release(&out);
    return feed_detach_or_null(&raw);
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
feed_paragraphs_of(const xmlNode *n)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;
    size_t i = 0, start = 0;

    feed_node_text(n, &raw);
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
    return feed_detach_or_null(&out);
}

char *
feed_prop(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s;

    if (v == NULL)
        return NULL;
    s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

bool
feed_ascii_prefix_ci(const char *s, const char *prefix)
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
char *
feed_resolve_url(const xmlNode *n, const char *href)
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
    if (abs != NULL && (feed_ascii_prefix_ci((const char *)abs, "http://") ||
                        feed_ascii_prefix_ci((const char *)abs, "https://"))) {
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
feed_url_of(const xmlNode *n)
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
feed_when_set(struct when *w, int rank, const xmlNode *n)
{
    struct buf t = BUF_INIT;
    struct dt d;

    /* Of two dates of the same rank the later one in the document wins,
     * as in feedparser. */
    if (dt_is_set(&w->d) && w->rank < rank)
        return;
    feed_node_text(n, &t);
    if (dt_parse(t.data, t.len, &d) == 0) {
        w->d = d;
        w->rank = rank;
    }
    buf_release(&t);
}

void
feed_add_keyword_node(struct article *a, const xmlNode *n)
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
}

/* Dublin Core, DC terms, PRISM and content: inside any item or entry. */

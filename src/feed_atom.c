/* feed_atom: Atom 1.0 (RFC 4287) and Atom 0.3 entries. */
#include "arctic_digest/feed.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/base64.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

static bool
type_is_html(const char *type)
{
    return strcmp(type, "html") == 0 || strcmp(type, "text/html") == 0;
}

static bool
type_is_xhtml(const char *type)
{
    return strcmp(type, "xhtml") == 0 ||
           strcmp(type, "application/xhtml+xml") == 0;
}

/* Atom 0.3 mode="base64": the decoded bytes, as HTML or plain text. */
static char *
base64_text(const struct xnode *n, bool markup, bool one_line)
{
    struct buf raw = BUF_INIT, bytes = BUF_INIT, out = BUF_INIT;
    size_t len;
    const char *p = feed_text_view(n, &raw, &len);

    b64_decode(p, len, B64_LAX, &bytes);
    if (memchr(bytes.data, '\0', bytes.len) != NULL ||
        !u8_valid(bytes.data, bytes.len))
        buf_reset(&bytes); /* binary: not for a digest */
    if (markup)
        text_html_to_plain(bytes.data, bytes.len, &out);
    else
        text_sanitize(bytes.data, bytes.len, &out);
    buf_reset(&raw);
    if (one_line)
        text_one_line(out.data, out.len, &raw);
    else
        buf_append(&raw, out.data, out.len);
    buf_release(&bytes);
    buf_release(&out);
    return feed_detach_or_null(&raw);
}

/*
 * An Atom text construct (RFC 4287 section 3.1) or content element, or
 * their Atom 0.3 forms: type is a MIME type there and mode says whether
 * the content is inline XML ("xml", the default), escaped markup
 * ("escaped") or base64.
 */
static char *
atom_text(const struct xnode *n, bool one_line, bool italics)
{
    char *type = feed_prop(n, "type");
    char *mode = feed_prop(n, "mode");
    const char *t = type != NULL && type[0] != '\0' ? type : "text";
    bool markup = type_is_html(t) || type_is_xhtml(t);
    char *s = NULL;
    const struct xnode *c;

    if (mode != NULL && strcmp(mode, "base64") == 0) {
        s = base64_text(n, markup, one_line);
    } else if (mode != NULL && strcmp(mode, "escaped") == 0) {
        s = markup && italics ? feed_title_of(n)
            : markup          ? feed_html_of(n, one_line)
            : one_line ? feed_line_of(n)
                       : feed_paragraphs_of(n);
    } else if (type_is_xhtml(t) || feed_has_element_child(n)) {
        for (c = n->children; c != NULL; c = c->next) {
            if (c->type == XNODE_ELEMENT)
                break;
        }
        c = c != NULL && is_el(c, NS_XHTML, "div") ? c : n;
        s = italics ? feed_xhtml_title_of(c) : feed_xhtml_of(c, one_line);
    } else if (type_is_html(t)) {
        s = italics ? feed_title_of(n) : feed_html_of(n, one_line);
    } else if (strcmp(t, "text") == 0 || strncmp(t, "text/", 5) == 0 ||
               ascii_ends_with(t, strlen(t), "/xml") ||
               ascii_ends_with(t, strlen(t), "+xml")) {
        s = one_line ? feed_line_of(n) : feed_paragraphs_of(n);
    } else {
        /* Atom 1.0 section 4.1.3.3: any other type is base64; kept only
         * when it decodes to text. */
        s = base64_text(n, false, one_line);
    }
    free(type);
    free(mode);
    return s;
}

char *
feed_atom_text(const struct xnode *n, bool one_line)
{
    return atom_text(n, one_line, false);
}

char *
feed_atom_title(const struct xnode *n)
{
    return atom_text(n, true, true);
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
void
feed_atom_link(const struct xnode *c, struct field *url, struct field *doi)
{
    char *rel = feed_prop(c, "rel");
    char *href = feed_prop(c, "href");
    char *type = feed_prop(c, "type");
    char *u;

    if (href == NULL) /* <link>http://...</link>, as some write it */
        href = feed_line_of(c);
    u = feed_resolve_url(c, href);

    if (u != NULL && doi != NULL)
        feed_field_set(doi, 2, article_doi_normalize(u));
    if (u != NULL && rel_is_alternate(rel)) {
        bool html = type == NULL || strcmp(type, "text/html") == 0 ||
                    strcmp(type, "application/xhtml+xml") == 0;
        feed_field_set(url, html ? 0 : 1, u);
        u = NULL;
    }
    free(u);
    free(rel);
    free(href);
    free(type);
}

void
feed_atom_child(const struct parse *ps, const struct xnode *c, struct item *it,
                struct article *a)
{
    const char *nm = c->name;

    if (!ns_is(c, ps->core_ns)) {
        feed_module_child(c, it, a);
        return;
    }
    if (strcmp(nm, "title") == 0)
        feed_field_set(&it->title, 0, feed_atom_title(c));
    else if (strcmp(nm, "link") == 0)
        feed_atom_link(c, &it->url, &it->doi);
    else if (strcmp(nm, "id") == 0)
        feed_field_set(&it->guid, 0, feed_line_of(c));
    else if (strcmp(nm, "published") == 0 || strcmp(nm, "issued") == 0)
        feed_when_set(&it->published, 0, c);
    else if (strcmp(nm, "created") == 0) /* Atom 0.3 */
        feed_when_set(&it->published, 1, c);
    else if (strcmp(nm, "updated") == 0 || strcmp(nm, "modified") == 0)
        feed_when_set(&it->updated, 0, c);
    else if (strcmp(nm, "summary") == 0 && feed_field_wants(&it->abstract, 0))
        feed_field_set(&it->abstract, 0,
                       feed_clean_abstract(feed_atom_text(c, false), it));
    else if (strcmp(nm, "content") == 0 &&
             feed_field_wants(&it->abstract, 10) && !feed_has_attr(c, "src"))
        feed_field_set(&it->abstract, 10,
                       feed_clean_abstract(feed_atom_text(c, false), it));
    else if (strcmp(nm, "category") == 0) {
        char *term = feed_prop(c, "term");
        article_add_keyword(a, term);
        free(term);
    }
}

/* author/name and contributor/name of n; returns how many. */
size_t
feed_atom_people(const struct parse *ps, const struct xnode *n,
                 bool contributors, struct article *a)
{
    const struct xnode *c, *k;
    size_t before = a->nauthors;

    for (c = n->children; c != NULL; c = c->next) {
        if (!is_el(c, ps->core_ns, "author") &&
            !(contributors && is_el(c, ps->core_ns, "contributor")))
            continue;
        for (k = c->children; k != NULL; k = k->next) {
            if (is_el(k, ps->core_ns, "name"))
                feed_add_byline_node(a, k);
        }
    }
    return a->nauthors - before;
}

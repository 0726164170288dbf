/* feed_xml: reading the document with libxml2 (see feed.c for the story)
 * into the tree of feed_int.h. */
#include "arctic_digest/feed.h"

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

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

struct xml_error {
    bool set;
    bool fatal; /* the document cannot be recovered */
    int line, col;
    char msg[192];
};

/* ---- the arena ---------------------------------------------------------- */

struct arena_block {
    struct arena_block *prev;
    size_t used, cap;
    max_align_t data[];
};

#define ARENA_MIN ((size_t)32 << 10)
#define ARENA_MAX ((size_t)1 << 20)
#define ARENA_KEEP ((size_t)16 << 20)

static struct arena_block *
block_new(struct feed_spare *sp, size_t cap, size_t need)
{
    struct arena_block **pb, *b;

    for (pb = &sp->head; *pb != NULL; pb = &(*pb)->prev) {
        if ((*pb)->cap >= need) {
            b = *pb;
            *pb = b->prev;
            sp->bytes -= b->cap;
            return b;
        }
    }
    b = xmalloc(sizeof(*b) + cap);
    b->cap = cap;
    return b;
}

static void
block_drop(struct feed_spare *sp, struct arena_block *b)
{
    if (sp->bytes + b->cap > ARENA_KEEP) {
        free(b);
        return;
    }
    b->prev = sp->head;
    sp->head = b;
    sp->bytes += b->cap;
}

void
feed_spare_free(struct feed_spare *sp)
{
    struct arena_block *b, *prev;

    if (sp == NULL)
        return;
    for (b = sp->head; b != NULL; b = prev) {
        prev = b->prev;
        free(b);
    }
    free(sp);
}

/* n bytes that live as long as d.  Blocks double up to ARENA_MAX, so a
 * large document takes few of them. */
static void *
arena_raw(struct xdoc *d, size_t n)
{
    struct arena_block *b = d->arena;
    size_t align = sizeof(max_align_t);
    void *p;

    n = (n + align - 1) / align * align;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = b == NULL ? ARENA_MIN : b->cap * 2;

        if (cap > ARENA_MAX)
            cap = ARENA_MAX;
        if (cap < n)
            cap = n;
        b = block_new(d->spare, cap, n);
        b->prev = d->arena;
        b->used = 0;
        d->arena = b;
    }
    p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

/* n zeroed bytes that live as long as d. */
static void *
arena_alloc(struct xdoc *d, size_t n)
{
    return memset(arena_raw(d, n), 0, n);
}

static char *
arena_strndup(struct xdoc *d, const char *s, size_t n)
{
    char *p = arena_raw(d, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
feed_xdoc_free(struct xdoc *d)
{
    struct arena_block *b, *prev;

    if (d == NULL)
        return;
    for (b = d->arena; b != NULL; b = prev) {
        prev = b->prev;
        block_drop(d->spare, b);
    }
    xmlFreeDoc(d->dtd_doc);
    xmlFreeParserCtxt(d->ctxt);
    free(d);
}

/* ---- SAX callbacks that build the tree ------------------------------------
 */

/* What the callbacks share, reached through the parser context's _private
 * (libxml2 copies it to the context that parses an entity's content). */
struct build {
    struct xml_error xe;
    struct xdoc *doc;
    struct xnode *cur;
    xmlParserCtxt *main;
    const xmlChar *uri_src; /* the last namespace URI copied, and its copy */
    const char *uri_copy;
    size_t bytes, limit; /* text and attribute bytes kept; their cap */
    bool over;           /* the cap was hit: parsing stopped */
};

static struct build *
build_of(void *ctx)
{
    xmlParserCtxt *ctxt = ctx;

    return ctxt != NULL ? ctxt->_private : NULL;
}

/* Entities can make a small document huge; the tree may hold at most
 * limit bytes of text, then the parse stops with a fatal error. */
static bool
spend(struct build *b, size_t n, void *ctx)
{
    if (b->over)
        return false;
    b->bytes += n;
    if (b->bytes <= b->limit)
        return true;
    b->over = true;
    b->xe.fatal = true;
    if (!b->xe.set) {
        b->xe.set = true;
        if (b->main->input != NULL) {
            b->xe.line = b->main->input->line;
            b->xe.col = b->main->input->col;
        }
        snprintf(b->xe.msg, sizeof(b->xe.msg),
                 "entities expand to more than %zu bytes of text", b->limit);
    }
    xmlStopParser(ctx);
    if (b->main != ctx)
        xmlStopParser(b->main);
    return false;
}

/* Namespace URIs repeat from element to element; copy each run once. */
static const char *
uri_of(struct build *b, const xmlChar *uri)
{
    if (uri == NULL)
        return NULL;
    if (uri != b->uri_src) {
        b->uri_src = uri;
        b->uri_copy =
            arena_strndup(b->doc, (const char *)uri, strlen((const char *)uri));
    }
    return b->uri_copy;
}

/* An attribute value with its references expanded (libxml2 leaves them in
 * when it is not asked to substitute entities). */
static const char *
attr_value(struct build *b, void *ctx, const xmlChar *v, const xmlChar *end)
{
    size_t n = (size_t)(end - v);
    xmlChar *dec;
    const char *out;

    if (memchr(v, '&', n) == NULL || n > INT_MAX)
        return arena_strndup(b->doc, (const char *)v, n);
    dec =
        xmlStringLenDecodeEntities(ctx, v, (int)n, XML_SUBSTITUTE_REF, 0, 0, 0);
    if (dec == NULL)
        return arena_strndup(b->doc, (const char *)v, n);
    out = arena_strndup(b->doc, (const char *)dec, strlen((const char *)dec));
    xmlFree(dec);
    return out;
}

/* The name of an element or attribute.  With a prefix no namespace is
 * declared for (a namespace error), the name keeps the prefix, as libxml2's
 * tree has it: "media:title" must not pass for an RSS title. */
static const char *
name_of(struct build *b, const xmlChar *name, const xmlChar *prefix,
        const xmlChar *uri)
{
    size_t np, nn;
    char *q;

    if (prefix == NULL || uri != NULL)
        return (const char *)name; /* in the parser's dictionary */
    np = strlen((const char *)prefix);
    nn = strlen((const char *)name);
    q = arena_raw(b->doc, np + nn + 2);
    memcpy(q, prefix, np);
    q[np] = ':';
    memcpy(q + np + 1, name, nn);
    q[np + nn + 1] = '\0';
    return q;
}

static void
append_child(struct xnode *parent, struct xnode *n)
{
    n->parent = parent;
    if (parent == NULL)
        return;
    if (parent->last != NULL)
        parent->last->next = n;
    else
        parent->children = n;
    parent->last = n;
}

static void
set_attrs(struct build *b, void *ctx, struct xnode *n, int nattrs,
          const xmlChar **attrs)
{
    int i;

    if (nattrs <= 0)
        return;
    n->attrs = arena_alloc(b->doc, (size_t)nattrs * sizeof(*n->attrs));
    for (i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        struct xattr *x = &n->attrs[n->nattrs];

        if (!spend(b, (size_t)(a[4] - a[3]), ctx))
            return;
        x->name = name_of(b, a[0], a[1], a[2]);
        x->prefix = a[2] != NULL ? (const char *)a[1] : NULL;
        x->ns = uri_of(b, a[2]);
        x->value = attr_value(b, ctx, a[3], a[4]);
        n->nattrs++;
    }
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
         const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
         int ndefaulted, const xmlChar **attrs)
{
    struct build *b = build_of(ctx);
    struct xnode *n;
    int i;

    (void)ndefaulted;
    if (b == NULL || b->over)
        return;
    n = arena_alloc(b->doc, sizeof(*n));
    n->type = XNODE_ELEMENT;
    n->name = name_of(b, name, prefix, uri);
    n->prefix = uri != NULL ? (const char *)prefix : NULL;
    n->ns = uri_of(b, uri);
    n->doc = b->doc;
    set_attrs(b, ctx, n, nattrs, attrs);
    if (b->cur == NULL && b->doc->root == NULL) {
        b->doc->root = n;
        if (nns > 0)
            n->nsdecl = arena_alloc(b->doc, (size_t)nns * sizeof(char *));
        for (i = 0; i < nns; i++) {
            if (ns[2 * i + 1] != NULL)
                n->nsdecl[n->nnsdecl++] = uri_of(b, ns[2 * i + 1]);
        }
    }
    append_child(b->cur, n);
    b->cur = n;
}

static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
       const xmlChar *uri)
{
    struct build *b = build_of(ctx);

    (void)name;
    (void)prefix;
    (void)uri;
    if (b != NULL && !b->over && b->cur != NULL)
        b->cur = b->cur->parent;
}

/* Text joins the text node before it, as libxml2's own tree does. */
static void
on_text(void *ctx, const xmlChar *s, int len)
{
    struct build *b = build_of(ctx);
    struct xnode *t;
    size_t n = len > 0 ? (size_t)len : 0;

    if (b == NULL || b->cur == NULL || n == 0 || !spend(b, n, ctx))
        return;
    t = b->cur->last;
    if (t == NULL || t->type != XNODE_TEXT) {
        t = arena_alloc(b->doc, sizeof(*t));
        t->type = XNODE_TEXT;
        t->doc = b->doc;
        append_child(b->cur, t);
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->len + n + 1;
        char *p;

        if (t->cap > 0 && cap < 2 * t->cap)
            cap = 2 * t->cap; /* a text in many pieces grows by doubling */
        p = arena_raw(b->doc, cap);
        if (t->len > 0)
            memcpy(p, t->text, t->len);
        t->text = p;
        t->cap = cap;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
}

/*
 * libxml2 hands the content of a declared entity to the callbacks above
 * where it is referenced, then reports the reference; only references it
 * could not expand need anything here.  An undeclared one (allowed when the
 * document has an external DTD, or in recovery) is read as an HTML entity:
 * "&eacute;" becomes the character, an unknown name stays as written.
 */
static void
on_reference(void *ctx, const xmlChar *name)
{
    xmlParserCtxt *ctxt = ctx;
    xmlEntity *ent =
        ctxt->myDoc != NULL ? xmlGetDocEntity(ctxt->myDoc, name) : NULL;
    struct buf ref = BUF_INIT, out = BUF_INIT;

    if (ent != NULL && ent->etype == XML_INTERNAL_PREDEFINED_ENTITY &&
        ent->content != NULL) {
        on_text(ctx, ent->content, xmlStrlen(ent->content));
        return;
    }
    if (ent != NULL)
        return;
    buf_appendf(&ref, "&%s;", (const char *)name);
    text_decode_entities(ref.data, ref.len, &out);
    if (out.len <= INT_MAX)
        on_text(ctx, (const xmlChar *)out.data, (int)out.len);
    buf_release(&ref);
    buf_release(&out);
}

static void
on_xml_error(void *data, xmlError *err)
{
    struct build *b = build_of(data);
    struct xml_error *xe = b != NULL ? &b->xe : NULL;
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
    while (len > 0 && ascii_is_space(xe->msg[len - 1]))
        xe->msg[--len] = '\0';
}

static void
silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* libxml2's own handlers keep the document, its DTD and the entity
 * declarations (which the parser needs); elements and text come to us. */
static void
set_handlers(xmlSAXHandler *h)
{
    xmlSAX2InitDefaultSAXHandler(h, 0);
    h->startElementNs = on_start;
    h->endElementNs = on_end;
    h->characters = on_text;
    h->ignorableWhitespace = on_text;
    h->cdataBlock = on_text;
    h->reference = on_reference;
    h->comment = NULL;
    h->processingInstruction = NULL;
    h->serror = on_xml_error;
}

/* One libxml2 pass over data; NULL (with *xe) if the document is not
 * well-formed and recover is false, or if nothing could be read. */
static struct xdoc *
read_doc(const char *data, size_t n, const char *base_url, bool recover,
         struct feed_spare *spare, struct xml_error *xe)
{
    /* The bytes are UTF-8 already (feed_charset.c), whatever the
     * declaration says.  Naming no encoding spares libxml2 a copy of the
     * whole document through its UTF-8 "converter"; it then sniffs the
     * first bytes, which says UTF-8 whenever they start with "<" or white
     * space and a second byte that is not NUL (other starts could look like
     * UTF-16, UCS-4 or EBCDIC, so they get the name), and
     * XML_PARSE_IGNORE_ENC keeps the declaration from switching it. */
    bool plain = n >= 2 && data[1] != '\0' &&
                 (data[0] == '<' || ascii_is_space(data[0]));
    const char *enc = plain ? NULL : "UTF-8";
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    struct xdoc *d;
    struct build b;
    xmlDoc *doc;

    if (ctxt == NULL)
        return NULL;
    if (recover)
        opts |= XML_PARSE_RECOVER;
    d = xcalloc(1, sizeof(*d));
    d->spare = spare;
    memset(&b, 0, sizeof(b));
    b.doc = d;
    b.main = ctxt;
    b.limit = n * 16 + ((size_t)4 << 20);
    set_handlers(ctxt->sax);
    ctxt->_private = &b;
    doc = xmlCtxtReadMemory(ctxt, data, (int)n, base_url, enc, opts);
    ctxt->_private = NULL;
    *xe = b.xe;
    d->ctxt = ctxt;
    d->dtd_doc = doc;
    if (doc == NULL || b.over || (!ctxt->wellFormed && !recover)) {
        feed_xdoc_free(d);
        return NULL;
    }
    d->url = (const char *)doc->URL;
    if (doc->intSubset != NULL && doc->intSubset->ExternalID != NULL)
        d->public_id = (const char *)doc->intSubset->ExternalID;
    return d;
}

static int
xml_err(struct err *e, const struct xml_error *xe)
{
    if (!xe->set)
        return err_set(e, ERR_DATA, 0, "XML error: cannot read the document");
    return err_set(e, ERR_DATA, 0, "XML error at line %d, column %d: %s",
                   xe->line, xe->col, xe->msg);
}

static bool
contains(const char *p, size_t n, const char *s)
{
    size_t k = strlen(s), i;

    for (i = 0; i + k <= n; i++) {
        if (p[i] == s[0] && memcmp(p + i, s, k) == 0)
            return true;
    }
    return false;
}

/* Append valid UTF-8 p[0..n) as "&#N;" references, one per code point. */
static void
append_char_refs(struct buf *out, const char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        int32_t cp;
        size_t len = u8_decode(p + i, n - i, &cp);

        if (cp < 0)
            break;
        buf_appendf(out, "&#%lu;", (unsigned long)cp);
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
    bool changed = false, declares;
    size_t i = 0, k;

    if (memchr(p, '\0', n) != NULL || memchr(p, 0x1b, n) != NULL)
        return false;
    declares = contains(p, n, "<!ENTITY");
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
            if (j + 1 < n && p[j + 1] == 'X') { /* "&#X41;": HTML allows it */
                buf_append_str(out, "&#x");
                changed = true;
                i = j + 2;
            } else {
                buf_append_char(out, p[i++]);
            }
            continue;
        }
        if (k == 0 || j >= n || p[j] != ';') {
            buf_append_str(out, "&amp;"); /* a bare "&" */
            changed = true;
            i++;
            continue;
        }
        /* An HTML entity XML does not know becomes numeric references;
         * the five XML ones stay as they are, and so do unknown names if
         * the document declares entities; otherwise an unknown name is
         * text ("&amp;bogus;"), as an HTML reader shows it. */
        buf_appendf(&ref, "&%s;", name);
        for (k = 0; k < ARRAY_SIZE(predefined); k++) {
            if (strcmp(name, predefined[k]) == 0)
                buf_reset(&ref);
        }
        text_decode_entities(ref.data, ref.len, &utf8);
        if (ref.len && strcmp(utf8.data, ref.data) != 0) {
            append_char_refs(out, utf8.data, utf8.len);
            changed = true;
        } else if (ref.len && !declares) {
            buf_append_str(out, "&amp;");
            buf_append(out, p + i + 1, j - i);
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
static struct xdoc *
read_feed(const char *data, size_t n, const char *base_url, bool strict_only,
          struct feed_spare *spare, char **warning, struct err *e)
{
    struct xml_error first, again, loose;
    const struct xml_error *cause = &first;
    struct buf fixed = BUF_INIT;
    struct err tmp = ERR_INIT;
    struct xdoc *doc;
    const struct xnode *root;

    memset(&first, 0, sizeof(first));
    memset(&again, 0, sizeof(again));
    memset(&loose, 0, sizeof(loose));
    doc = read_doc(data, n, base_url, false, spare, &first);
    if (doc != NULL) {
        if (first.set) { /* well-formed, but not namespace-well-formed */
            xml_err(&tmp, &first);
            *warning = xstrdup(tmp.msg);
        }
        return doc;
    }
    if (strict_only) {
        xml_err(e, &first);
        return NULL;
    }
    if (repair_entities(data, n, &fixed)) {
        data = fixed.data;
        n = fixed.len;
        doc = read_doc(data, n, base_url, false, spare, &again);
        cause = &again;
    }
    if (doc == NULL)
        doc = read_doc(data, n, base_url, true, spare, &loose);
    root = doc != NULL ? doc->root : NULL;
    if (root != NULL && feed_name_ci(root, "html")) {
        err_set(e, ERR_DATA, 0, "not a feed: HTML page");
    } else if (root == NULL || cause->fatal || loose.fatal) {
        xml_err(e, cause);
    } else {
        xml_err(&tmp, &first);
        *warning = xstrdup(tmp.msg);
        buf_release(&fixed);
        return doc;
    }
    feed_xdoc_free(doc);
    buf_release(&fixed);
    return NULL;
}

struct xdoc *
feed_read_xml(const char *data, size_t n, const char *base_url,
              bool strict_only, struct feed_spare *spare, char **warning,
              struct err *e)
{
    xmlGenericErrorFunc old_fn;
    void *old_ctx;
    struct xdoc *doc;

    if (n > INT_MAX) {
        err_set(e, ERR_DATA, 0, "feed too large (%zu bytes)", n);
        return NULL;
    }
    xmlInitParser();
    old_fn = xmlGenericError;
    old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent);
    doc = read_feed(data, n, base_url, strict_only, spare, warning, e);
    xmlSetGenericErrorFunc(old_ctx, old_fn);
    return doc;
}

const char *
feed_lib_version(void)
{
    static char v[64];
    /* xmlParserVersion is the runtime's, as "20914". */
    long n = strtol(xmlParserVersion, NULL, 10);

    if (snprintf(v, sizeof(v), "libxml2 %ld.%ld.%ld", n / 10000,
                 n / 100 % 100, n % 100) >= (int)sizeof(v))
        v[sizeof(v) - 1] = '\0';
    return v;
}

/* feed_xml: reading the document with libxml2 (see feed.c for the story). */
#include "arctic_digest/feed.h"

#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

struct xml_error {
    bool set;
    bool fatal; /* the document cannot be recovered */
    int line, col;
    char msg[192];
};

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
    /* The bytes are UTF-8 already (feed_charset.c), whatever the
     * declaration says.  Naming no encoding spares libxml2 a copy of the
     * whole document through its UTF-8 "converter"; it then sniffs the
     * first bytes, which says UTF-8 whenever they start with "<" or white
     * space and a second byte that is not NUL (other starts could look like
     * UTF-16, UCS-4 or EBCDIC, so they get the name), and
     * XML_PARSE_IGNORE_ENC keeps the declaration from switching it. */
    bool plain = n >= 2 && data[1] != '\0' &&
                 (data[0] == '<' || is_ws((unsigned char)data[0]));
    const char *enc = plain ? NULL : "UTF-8";
    int opts = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    xmlDoc *doc;

    if (ctxt == NULL)
        return NULL;
    if (recover)
        opts |= XML_PARSE_RECOVER;
    ctxt->_private = xe;
    ctxt->sax->serror = on_xml_error;
    doc = xmlCtxtReadMemory(ctxt, data, (int)n, base_url, enc, opts);
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
static xmlDoc *
read_feed(const char *data, size_t n, const char *base_url, bool strict_only,
          char **warning, struct err *e)
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
        doc = read_doc(data, n, base_url, false, &again);
        cause = &again;
    }
    if (doc == NULL)
        doc = read_doc(data, n, base_url, true, &loose);
    root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
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
    xmlFreeDoc(doc);
    buf_release(&fixed);
    return NULL;
}

xmlDoc *
feed_read_xml(const char *data, size_t n, const char *base_url,
              bool strict_only, char **warning, struct err *e)
{
    xmlGenericErrorFunc old_fn;
    void *old_ctx;
    xmlDoc *doc;

    if (n > INT_MAX) {
        err_set(e, ERR_DATA, 0, "feed too large (%zu bytes)", n);
        return NULL;
    }
    xmlInitParser();
    old_fn = xmlGenericError;
    old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent);
    doc = read_feed(data, n, base_url, strict_only, warning, e);
    xmlSetGenericErrorFunc(old_ctx, old_fn);
    return doc;
}

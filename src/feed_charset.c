/*
 * feed_charset: which encoding a feed document is in, and its conversion
 * to UTF-8 (glibc iconv), before libxml2 sees it.
 *
 * The rules are RFC 3023 section 3 (and RFC 7303 for the BOM) as Python's
 * feedparser applies them, so the conformance corpus can check them:
 *
 *   application/xml, application/xml-dtd, application/xml-external-parsed-
 *   entity, application/ANY+xml: the charset parameter, else the BOM, else
 *   the XML declaration, else UTF-8.
 *   text/xml, text/xml-external-parsed-entity, text/ANY+xml: the charset
 *   parameter, else US-ASCII.
 *   no Content-Type: the BOM (or the UTF-16/32 pattern of "<?"), else the
 *   XML declaration, else UTF-8.
 *   any other type (text/plain, text/html): as with none, plus a warning.
 *
 * When the bytes do not fit the chosen encoding (a "US-ASCII" document with
 * UTF-8 in it, an unknown name), the declared encoding, UTF-8 and
 * Windows-1252 are tried in that order and a warning says what happened;
 * the last one replaces what it cannot read with U+FFFD, so the output is
 * always valid UTF-8 and nothing invalid is passed on.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

/* What the Content-Type says. */
enum media {
    MEDIA_NONE,     /* no header */
    MEDIA_APP_XML,  /* application/xml and friends */
    MEDIA_TEXT_XML, /* text/xml and friends: US-ASCII by default */
    MEDIA_OTHER     /* not an XML type */
};

/* Copy p[0..n) lower-cased, white space and quotes trimmed, into out
 * (size cap). */
static void
copy_token(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;

    while (n > 0 && (ascii_is_space(*p) || *p == '"' || *p == '\'')) {
        p++;
        n--;
    }
    while (n > 0 &&
           (ascii_is_space(p[n - 1]) || p[n - 1] == '"' || p[n - 1] == '\''))
        n--;
    for (; n > 0 && k + 1 < cap; n--)
        out[k++] = ascii_tolower(*p++);
    out[k] = '\0';
}

/* Split "type/sub; charset=x" into the media kind and charset. */
static enum media
parse_content_type(const char *ct, char *charset, size_t cap)
{
    char type[128];
    const char *semi, *p;

    charset[0] = '\0';
    if (ct == NULL)
        return MEDIA_NONE;
    semi = strchr(ct, ';');
    copy_token(ct, semi != NULL ? (size_t)(semi - ct) : strlen(ct), type,
               sizeof(type));
    for (p = semi; p != NULL; p = strchr(p + 1, ';')) {
        const char *end = strchr(p + 1, ';');
        const char *eq = strchr(p + 1, '=');
        char name[32];

        if (eq == NULL || (end != NULL && eq > end))
            continue;
        copy_token(p + 1, (size_t)(eq - p - 1), name, sizeof(name));
        if (strcmp(name, "charset") == 0)
            copy_token(eq + 1, end != NULL ? (size_t)(end - eq - 1)
                                           : strlen(eq + 1),
                       charset, cap);
    }
    if (strcmp(type, "application/xml") == 0 ||
        strcmp(type, "application/xml-dtd") == 0 ||
        strcmp(type, "application/xml-external-parsed-entity") == 0 ||
        (strncmp(type, "application/", 12) == 0 &&
         ascii_ends_with(type, strlen(type), "+xml")))
        return MEDIA_APP_XML;
    if (strcmp(type, "text/xml") == 0 ||
        strcmp(type, "text/xml-external-parsed-entity") == 0 ||
        (strncmp(type, "text/", 5) == 0 &&
         ascii_ends_with(type, strlen(type), "+xml")))
        return MEDIA_TEXT_XML;
    return MEDIA_OTHER;
}

/* The encoding a BOM or the first bytes ("<?" in UTF-16/32) show, and the
 * BOM's length; "" if none. */
static const char *
sniff(const unsigned char *p, size_t n, size_t *bom)
{
    static const struct {
        const char *bytes;
        size_t len, bom;
        const char *enc;
    } sig[] = {
        {"\x00\x00\xfe\xff", 4, 4, "utf-32be"},
        {"\xff\xfe\x00\x00", 4, 4, "utf-32le"},
        {"\xef\xbb\xbf", 3, 3, "utf-8"},
        {"\xfe\xff", 2, 2, "utf-16be"},
        {"\xff\xfe", 2, 2, "utf-16le"},
        {"\x00\x00\x00\x3c", 4, 0, "utf-32be"},
        {"\x3c\x00\x00\x00", 4, 0, "utf-32le"},
        {"\x00\x3c\x00\x3f", 4, 0, "utf-16be"},
        {"\x3c\x00\x3f\x00", 4, 0, "utf-16le"},
    };
    size_t i;

    *bom = 0;
    for (i = 0; i < ARRAY_SIZE(sig); i++) {
        if (n >= sig[i].len && memcmp(p, sig[i].bytes, sig[i].len) == 0) {
            *bom = sig[i].bom;
            return sig[i].enc;
        }
    }
    return "";
}

/* The encoding="..." of the XML declaration, read from the ASCII view of
 * the first bytes (every unit-th byte, for UTF-16/32). */
static void
declared(const char *p, size_t n, size_t unit, bool big, char *out,
         size_t cap)
{
    char head[512];
    size_t k = 0, i;
    const char *end, *enc, *q;

    out[0] = '\0';
    for (i = big ? unit - 1 : 0; i < n && k + 1 < sizeof(head); i += unit)
        head[k++] = p[i];
    head[k] = '\0';
    if (strncmp(head, "<?xml", 5) != 0 || (end = strstr(head, "?>")) == NULL)
        return;
    enc = strstr(head, "encoding");
    if (enc == NULL || enc > end)
        return;
    enc += 8;
    while (ascii_is_space(*enc) || *enc == '=')
        enc++;
    if (*enc != '"' && *enc != '\'')
        return;
    q = strchr(enc + 1, *enc);
    if (q == NULL || q > end)
        return;
    copy_token(enc + 1, (size_t)(q - enc - 1), out, cap);
}

/* feedparser's names: lower case; GB2312 read as its superset GB18030;
 * a bare UTF-16/32 takes its byte order from the sniffed one. */
static void
canonical_name(char *enc, size_t cap, const char *sniffed)
{
    if (strcmp(enc, "gb2312") == 0 || strcmp(enc, "gbk") == 0)
        snprintf(enc, cap, "gb18030");
    else if (strcmp(enc, "utf8") == 0)
        snprintf(enc, cap, "utf-8");
    else if ((strcmp(enc, "utf-16") == 0 || strcmp(enc, "utf-32") == 0) &&
             strncmp(sniffed, enc, 6) == 0)
        snprintf(enc, cap, "%s", sniffed);
    else if (strcmp(enc, "utf-16") == 0)
        snprintf(enc, cap, "utf-16be");
    else if (strcmp(enc, "utf-32") == 0)
        snprintf(enc, cap, "utf-32be");
}

/* Convert p[0..n) from enc to UTF-8 into out.  strict: fail (-1) on the
 * first byte that does not fit; else replace it with U+FFFD. */
static int
convert(const char *enc, const char *p, size_t n, bool strict,
        struct buf *out)
{
    iconv_t cd;
    char *in = (char *)p;
    size_t left = n;
    int rc = 0;

    cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1)
        return -1;
    while (left > 0) {
        char *o;
        size_t room;

        buf_grow(out, left * 2 + 16);
        o = out->data + out->len;
        room = out->cap - out->len - 1;
        if (iconv(cd, &in, &left, &o, &room) != (size_t)-1 || errno == E2BIG) {
            out->len = (size_t)(o - out->data);
            continue;
        }
        out->len = (size_t)(o - out->data);
        if (strict) {
            rc = -1;
            break;
        }
        buf_append(out, "\xef\xbf\xbd", 3);
        in++;
        left--;
    }
    out->data[out->len] = '\0';
    iconv_close(cd);
    return rc;
}

/* The encoding the headers and the document itself ask for. */
static void
choose(enum media m, const char *charset, const char *sniffed,
       const char *decl, char *enc, size_t cap)
{
    if (charset[0] != '\0' && m != MEDIA_NONE)
        snprintf(enc, cap, "%s", charset);
    else if (m == MEDIA_TEXT_XML)
        snprintf(enc, cap, "us-ascii");
    else if (strncmp(sniffed, "utf-16", 6) == 0 ||
             strncmp(sniffed, "utf-32", 6) == 0)
        snprintf(enc, cap, "%s", sniffed); /* a declaration cannot say else */
    else if (decl[0] != '\0')
        snprintf(enc, cap, "%s", decl);
    else if (sniffed[0] != '\0')
        snprintf(enc, cap, "%s", sniffed);
    else
        snprintf(enc, cap, "utf-8");
    canonical_name(enc, cap, sniffed);
}

/* True if p[0..n) is already UTF-8 when read as enc.  Unless check, bytes
 * said to be UTF-8 are taken on trust (see feed_to_utf8). */
static bool
fits_as_is(const char *enc, const char *p, size_t n, bool check)
{
    if (strcmp(enc, "utf-8") == 0)
        return !check || u8_valid(p, n);
    return strcmp(enc, "us-ascii") == 0 && u8_ascii_run(p, n) == n;
}

/* The first candidate encoding that reads p[0..n), into t (U+FFFD for
 * what no candidate reads); returns the index of the one used. */
static size_t
decode(const char *const *cand, size_t ncand, const char *p, size_t n,
       bool check, struct feed_text *t)
{
    size_t i;

    for (i = 0; i < ncand; i++) {
        bool last = i + 1 == ncand;

        if (i > 0 && strcmp(cand[i], cand[i - 1]) == 0)
            continue;
        /* The common case: the bytes are UTF-8 (or ASCII) already and
         * are read where they are, without a copy. */
        if (fits_as_is(cand[i], p, n, check)) {
            t->p = p;
            t->n = n;
            t->unchecked = !check && strcmp(cand[i], "utf-8") == 0;
            return i;
        }
        buf_reset(&t->conv);
        if (convert(cand[i], p, n, !last, &t->conv) == 0)
            break;
    }
    if (i == ncand) { /* not reached: Windows-1252 always converts */
        buf_reset(&t->conv);
        text_sanitize(p, n, &t->conv);
        i = ncand - 1;
    }
    if (i > 0 && !u8_valid(t->conv.data, t->conv.len)) {
        struct buf clean = BUF_INIT;
        text_sanitize(t->conv.data, t->conv.len, &clean);
        buf_release(&t->conv);
        t->conv = clean;
    }
    t->p = t->conv.data != NULL ? t->conv.data : "";
    t->n = t->conv.len;
    return i;
}

/*
 * White space before the XML declaration: Atypon (Taylor & Francis) sends
 * a newline before "<?xml".  XML 1.0 section 2.8 puts the declaration at
 * the very start, so libxml2 refuses the document and recovery mode then
 * loses escaped markup and "&amp;".  The space carries nothing: skipping
 * it (and nothing else) reads the document as its author meant.
 */
static size_t
space_before_decl(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
                     p[i] == '\n'))
        i++;
    if (i > 0 && n - i >= 5 && memcmp(p + i, "<?xml", 5) == 0 &&
        (n - i == 5 || ascii_is_space(p[i + 5])))
        return i;
    return 0;
}

void
feed_to_utf8(const char *data, size_t n, const char *content_type,
             bool check, struct feed_text *t)
{
    char charset[64], decl[64], want[64];
    const char *cand[4];
    size_t bom, unit, i, ncand = 0;
    const char *sniffed = sniff((const unsigned char *)data, n, &bom);
    enum media m = parse_content_type(content_type, charset, sizeof(charset));
    struct buf msg = BUF_INIT;

    memset(t, 0, sizeof(*t));
    unit = strncmp(sniffed, "utf-32", 6) == 0   ? 4
           : strncmp(sniffed, "utf-16", 6) == 0 ? 2
                                                : 1;
    if (unit == 1)
        bom += space_before_decl(data + bom, n - bom);
    declared(data + bom, n - bom, unit,
             ascii_ends_with(sniffed, strlen(sniffed), "be"), decl,
             sizeof(decl));
    canonical_name(decl, sizeof(decl), sniffed);
    choose(m, charset, sniffed, decl, want, sizeof(want));
    if (m == MEDIA_OTHER)
        buf_appendf(&msg, "served as '%s', not as XML", content_type);
    cand[ncand++] = want;
    if (decl[0] != '\0' && strcmp(decl, want) != 0 && unit == 1)
        cand[ncand++] = decl;
    cand[ncand++] = "utf-8";
    cand[ncand++] = "windows-1252";
    i = decode(cand, ncand, data + bom, n - bom, check, t);
    if (i > 0)
        buf_appendf(&msg, "%sthe document is not in %s; read as %s",
                    msg.len > 0 ? "; " : "", want, cand[i]);
    t->encoding = xstrdup(i > 0 ? cand[i] : want);
    t->warning = msg.len > 0 ? buf_detach(&msg, NULL) : NULL;
    buf_release(&msg);
}

void
feed_text_release(struct feed_text *t)
{
    buf_release(&t->conv);
    free(t->encoding);
    free(t->warning);
    memset(t, 0, sizeof(*t));
}

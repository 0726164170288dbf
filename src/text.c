/*
 * text: HTML, JATS and plain feed text to clean plain UTF-8.
 *
 * The HTML side is a small tokenizer of our own rather than libxml2's HTML
 * parser, which wraps fragments in html/body and reorders them.  It follows
 * HTML5 where that matters for text (comments, CDATA, quoted attribute
 * values, raw-text elements) and is more forgiving where a browser would
 * swallow text: a '<' that cannot start a tag, or that has no '>' anywhere
 * after it, is literal text.  Every scan moves forward, so the whole
 * conversion is linear in the input.
 */
#include "arctic_digest/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "text_int.h"

#define NPOS ((size_t)-1)

/* HTML5's Windows-1252 reading of C1 code points (0 where undefined). */
static const unsigned short cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static bool
is_html_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* True if the 8 bytes at p are all printable ASCII (0x20-0x7E), looked
 * at as one word. */
static bool
printable_block(const unsigned char *p)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    uint64_t w;

    memcpy(&w, p, 8);
    /* Any byte >= 0x80, or 0x7F (+1 sets its top bit), or < 0x20. */
    return ((w | (w + ones) | ((w - ones * 0x20) & ~w)) &
            (ones * 0x80)) == 0;
}

/* Bytes of p[0..n) that text_sanitize() keeps as they are: printable
 * ASCII and valid UTF-8 above the C1 controls. */
static size_t
clean_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0, len;
    int32_t cp;

    while (i < n) {
        if (i + 8 <= n && printable_block(p + i)) {
            i += 8;
            continue;
        }
        if (p[i] >= 0x20 && p[i] < 0x7F) {
            i++;
            continue;
        }
        if (p[i] < 0x80)
            break;
        len = u8_decode((const char *)p + i, n - i, &cp);
        if (cp <= 0x9F || cp == 0xFEFF)
            break;
        i += len;
    }
    return i;
}

void
text_sanitize(const char *p, size_t n, struct buf *out)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, len;
    int32_t cp;

    buf_grow(out, n);
    while (i < n) {
        unsigned char c;

        len = clean_prefix(s + i, n - i);
        buf_append(out, p + i, len);
        i += len;
        if (i >= n)
            break;
        c = s[i];
        if (c < 0x80) {
            /* CR and CRLF are line ends; tab, VT and FF are spaces;
             * other controls (NUL, DEL, ...) go. */
            if (c == '\n' || c == '\r')
                buf_append_char(out, '\n');
            else if (c == '\t' || c == '\v' || c == '\f')
                buf_append_char(out, ' ');
            i += (c == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        } else {
            /* clean_prefix() stopped here: a C1 control (U+0080-U+009F)
             * or bytes that are not UTF-8. */
            len = u8_decode(p + i, n - i, &cp);
            if (cp < 0)
                u8_append(out, U8_REPLACEMENT);
            else if (cp == 0xFEFF)
                ; /* a byte order mark inside the text (Pensoft's titles) */
            else if (cp1252_c1[cp - 0x80] != 0)
                u8_append(out, cp1252_c1[cp - 0x80]);
            i += len;
        }
    }
}

/* Printable ASCII other than ' '. */
static bool
is_graph(unsigned char c)
{
    return (unsigned char)(c - 0x21) < 0x5E;
}

/*
 * True if the 8 bytes at p (after a printable one) are all printable ASCII
 * or single spaces, the last not a space: plain_run() takes them whole.
 * Looked at as one word, as printable_block() does.
 */
static bool
plain_block(const unsigned char *p)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    const uint64_t high = ones * 0x80, low7 = ones * 0x7F;
    uint64_t w, t, sp;

    if (!printable_block(p))
        return false;
    memcpy(&w, p, 8);
    t = w ^ (ones * 0x20);
    sp = ~(((t & low7) + low7) | t) & high; /* the top bit of each ' ' */
    return (sp & (sp >> 8)) == 0 && p[7] != ' ';
}

/* Bytes of p[0..n) (p[0] printable) that sanitize_collapse() copies as they
 * are: printable ASCII, with single spaces between printable characters. */
static size_t
plain_run(const unsigned char *p, size_t n)
{
    size_t i = 1;

    while (i < n) {
        if (i + 8 <= n && plain_block(p + i))
            i += 8;
        else if (is_graph(p[i]))
            i++;
        else if (p[i] == ' ' && i + 1 < n && is_graph(p[i + 1]))
            i += 2;
        else
            break;
    }
    return i;
}

/* Drop the spaces and NBSPs at the end of out[start..]. */
static void
trim_end(struct buf *out, size_t start)
{
    for (;;) {
        if (out->len > start && out->data[out->len - 1] == ' ')
            buf_truncate(out, out->len - 1);
        else if (out->len >= start + 2 &&
                 (unsigned char)out->data[out->len - 2] == 0xC2 &&
                 (unsigned char)out->data[out->len - 1] == 0xA0)
            buf_truncate(out, out->len - 2);
        else
            break;
    }
}

/*
 * One character at p that is not printable ASCII, for sanitize_collapse():
 * white space (the ASCII spaces and controls text_sanitize() keeps, U+2028,
 * U+2029) only sets *pending; anything else is sanitized and appended after
 * the pending space.  Returns the bytes used.
 */
static size_t
other_char(const unsigned char *p, size_t n, struct buf *out, size_t start,
           bool *pending)
{
    size_t len;
    int32_t cp;
    bool c1;

    if (p[0] < 0x80) {
        if (p[0] == ' ' || p[0] == '\n' || p[0] == '\r' || p[0] == '\t' ||
            p[0] == '\v' || p[0] == '\f')
            *pending = true;
        return 1; /* other controls (NUL, DEL, ...) go */
    }
    len = u8_decode((const char *)p, n, &cp);
    c1 = cp >= 0x80 && cp <= 0x9F;
    if (c1) {
        cp = cp1252_c1[cp - 0x80];
        if (cp == 0)
            return len;
    }
    if (cp == 0x2028 || cp == 0x2029) {
        *pending = true;
        return len;
    }
    /* zero width: a byte order mark inside the text, a zero width space */
    if (cp == 0xFEFF || cp == 0x200B)
        return len;
    if (cp == 0xA0 && out->len == start)
        return len;
    if (*pending && out->len > start)
        buf_append_char(out, ' ');
    *pending = false;
    if (cp < 0)
        u8_append(out, U8_REPLACEMENT);
    else if (c1)
        u8_append(out, (uint32_t)cp);
    else
        buf_append(out, (const char *)p, len);
    return len;
}

/*
 * Append text_sanitize(p[0..n)) with every run of white space as one space,
 * and white space and NBSP trimmed at both ends (NBSP inside is kept).  One
 * pass over the input: runs of plain ASCII are copied whole, and nothing
 * goes through a sanitized copy first.
 */
static void
sanitize_collapse(const char *p, size_t n, struct buf *out)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t start = out->len, i = 0, run;
    bool pending = false;

    buf_grow(out, n);
    while (i < n) {
        if (!is_graph(s[i])) {
            i += other_char(s + i, n - i, out, start, &pending);
            continue;
        }
        if (pending && out->len > start)
            buf_append_char(out, ' ');
        pending = false;
        run = plain_run(s + i, n - i);
        buf_append(out, p + i, run);
        i += run;
    }
    trim_end(out, start);
}

void
text_one_line(const char *p, size_t n, struct buf *out)
{
    sanitize_collapse(p, n, out);
}

/* "&#...": returns the bytes used (0 if this is no reference). */
static size_t
decode_numeric(const char *p, size_t n, struct buf *out)
{
    size_t j = 2, digits;
    unsigned long cp = 0;
    bool hex = false;
    int d;

    if (j < n && (p[j] == 'x' || p[j] == 'X')) {
        hex = true;
        j++;
    }
    digits = j;
    for (; j < n; j++) {
        d = ascii_hex_value(p[j]);
        if (d < 0 || (!hex && d > 9))
            break;
        cp = cp * (hex ? 16 : 10) + (unsigned long)d;
        if (cp > 0x10FFFF)
            cp = 0x110000; /* stays invalid, cannot overflow */
    }
    if (j == digits)
        return 0;
    if (j < n && p[j] == ';')
        j++;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    /* C1 values (&#146;) are read as Windows-1252 by text_sanitize. */
    u8_append(out, (uint32_t)cp);
    return j;
}

/* "&name;" or a legacy "&name": returns the bytes used (0 if none). */
static size_t
decode_named(const char *p, size_t n, struct buf *out)
{
    size_t j = 1;
    const char *v;
    bool legacy = false;

    while (j < n && j <= TEXT_ENTITY_NAME_MAX + 1 && ascii_is_alnum(p[j]))
        j++;
    if (j == 1 || j > TEXT_ENTITY_NAME_MAX + 1)
        return 0;
    v = text_entity_lookup(p + 1, j - 1, &legacy);
    if (v == NULL)
        return 0;
    if (j < n && p[j] == ';') {
        buf_append_str(out, v);
        return j + 1;
    }
    /* Without ';' only the legacy names, and not before '=' (URL query
     * strings such as "?a=1&copy=2"), as browsers do in attributes. */
    if (!legacy || (j < n && p[j] == '='))
        return 0;
    buf_append_str(out, v);
    return j;
}

/* Decode references without sanitizing the result. */
static void
decode_raw(const char *p, size_t n, struct buf *out)
{
    size_t i = 0, used;
    const char *amp;

    while (i < n) {
        amp = memchr(p + i, '&', n - i);
        if (amp == NULL) {
            buf_append(out, p + i, n - i);
            return;
        }
        buf_append(out, p + i, (size_t)(amp - (p + i)));
        i = (size_t)(amp - p);
        if (i + 1 < n && p[i + 1] == '#')
            used = decode_numeric(p + i, n - i, out);
        else
            used = decode_named(p + i, n - i, out);
        if (used == 0) {
            buf_append_char(out, '&');
            used = 1;
        }
        i += used;
    }
}

void
text_decode_entities(const char *p, size_t n, struct buf *out)
{
    struct buf tmp = BUF_INIT;

    decode_raw(p, n, &tmp);
    text_sanitize(tmp.data, tmp.len, out);
    buf_release(&tmp);
}

/* ---- HTML to plain text ---- */

enum tag_kind { TAG_INLINE, TAG_BLOCK, TAG_CELL, TAG_RAW, TAG_HEAD };

struct tag_class {
    const char *name;
    enum tag_kind kind;
};

/* Local names (after any "prefix:"), sorted for bsearch.  HTML block
 * elements and JATS structural elements break paragraphs. */
static const struct tag_class tag_classes[] = {
    {"abstract", TAG_BLOCK},   {"address", TAG_BLOCK},
    {"article", TAG_BLOCK},    {"aside", TAG_BLOCK},
    {"blockquote", TAG_BLOCK}, {"body", TAG_BLOCK},
    {"boxed-text", TAG_BLOCK}, {"br", TAG_BLOCK},
    {"caption", TAG_BLOCK},    {"center", TAG_BLOCK},
    {"dd", TAG_BLOCK},         {"def-item", TAG_BLOCK},
    {"def-list", TAG_BLOCK},   {"details", TAG_BLOCK},
    {"dialog", TAG_BLOCK},     {"disp-quote", TAG_BLOCK},
    {"div", TAG_BLOCK},        {"dl", TAG_BLOCK},
    {"dt", TAG_BLOCK},         {"fieldset", TAG_BLOCK},
    {"fig", TAG_BLOCK},        {"figcaption", TAG_BLOCK},
    {"figure", TAG_BLOCK},     {"footer", TAG_BLOCK},
    {"form", TAG_BLOCK},       {"h1", TAG_BLOCK},
    {"h2", TAG_BLOCK},         {"h3", TAG_BLOCK},
    {"h4", TAG_BLOCK},         {"h5", TAG_BLOCK},
    {"h6", TAG_BLOCK},         {"head", TAG_HEAD},
    {"header", TAG_BLOCK},     {"hgroup", TAG_BLOCK},
    {"hr", TAG_BLOCK},         {"html", TAG_BLOCK},
    {"legend", TAG_BLOCK},     {"li", TAG_BLOCK},
    {"list", TAG_BLOCK},       {"list-item", TAG_BLOCK},
    {"main", TAG_BLOCK},       {"menu", TAG_BLOCK},
    {"nav", TAG_BLOCK},        {"ol", TAG_BLOCK},
    {"p", TAG_BLOCK},          {"pre", TAG_BLOCK},
    {"ref", TAG_BLOCK},        {"ref-list", TAG_BLOCK},
    {"script", TAG_RAW},       {"sec", TAG_BLOCK},
    {"section", TAG_BLOCK},    {"statement", TAG_BLOCK},
    {"style", TAG_RAW},        {"summary", TAG_BLOCK},
    {"table", TAG_BLOCK},      {"table-wrap", TAG_BLOCK},
    {"tbody", TAG_BLOCK},      {"td", TAG_CELL},
    {"template", TAG_RAW},     {"tfoot", TAG_BLOCK},
    {"th", TAG_CELL},          {"thead", TAG_BLOCK},
    {"title", TAG_BLOCK},      {"tr", TAG_BLOCK},
    {"trans-abstract", TAG_BLOCK}, {"ul", TAG_BLOCK},
};

static int
compare_tag(const void *k, const void *e)
{
    return strcmp(k, ((const struct tag_class *)e)->name);
}

struct h2p {
    const char *p;
    size_t n;
    size_t gt_hint, dq_hint, sq_hint; /* next_of() for '>', '"', '\'' */
    bool head_missing;             /* no "</head" after some "<head>" */
    bool emitted;                  /* a paragraph went to out */
    struct buf para;               /* raw text of the current paragraph */
    struct buf tmp;
    struct buf *out;
};

static void
flush_para(struct h2p *s)
{
    size_t mark = s->out->len;

    if (s->para.len == 0)
        return;
    if (s->emitted)
        buf_append_str(s->out, "\n\n");
    sanitize_collapse(s->para.data, s->para.len, s->out);
    buf_reset(&s->para);
    if (s->out->len == mark + (s->emitted ? 2 : 0))
        buf_truncate(s->out, mark);
    else
        s->emitted = true;
}

/*
 * Index of the first c in p[i..n), or NPOS.  *hint holds the last answer
 * (one past it, n + 1 for none, 0 at first); i never decreases, so an
 * answer at or after i still holds, and the scans never overlap: linear.
 */
static size_t
next_of(const struct h2p *s, size_t i, char c, size_t *hint)
{
    const char *hit;

    if (*hint <= i) {
        hit = memchr(s->p + i, c, s->n - i);
        *hint = hit == NULL ? s->n + 1 : (size_t)(hit - s->p) + 1;
    }
    return *hint > s->n ? NPOS : *hint - 1;
}

/* Index of needle (ASCII, case-insensitive) in p[from..n), or NPOS. */
static size_t
find_ci(const struct h2p *s, size_t from, const char *needle)
{
    size_t len = strlen(needle), i, k;
    const char *hit;

    for (i = from; i + len <= s->n; i = (size_t)(hit - s->p) + 1) {
        hit = memchr(s->p + i, needle[0], s->n - i);
        if (hit == NULL)
            return NPOS;
        k = (size_t)(hit - s->p);
        if (k + len > s->n)
            return NPOS;
        if (ascii_istarts(s->p + k, s->n - k, needle))
            return k;
    }
    return NPOS;
}

/* One past the '>' that ends the markup at or after i, or n. */
static size_t
past_gt(const struct h2p *s, size_t i)
{
    const char *gt = memchr(s->p + i, '>', s->n - i);

    return gt == NULL ? s->n : (size_t)(gt - s->p) + 1;
}

/*
 * The '>' ending a start tag whose attributes begin at j, or NPOS.  Quotes
 * delimit only attribute values (after '='); a quote that is never closed
 * is an ordinary character (HTML5 would swallow the rest of the input).
 */
static size_t
tag_end(struct h2p *s, size_t j)
{
    const char *p = s->p;
    size_t q;

    while (j < s->n) {
        if (p[j] == '>')
            return j;
        if (p[j] != '=') {
            j++;
            continue;
        }
        j++;
        while (j < s->n && is_html_space((unsigned char)p[j]))
            j++;
        if (j >= s->n || (p[j] != '"' && p[j] != '\''))
            continue;
        q = next_of(s, j + 1, p[j], p[j] == '"' ? &s->dq_hint : &s->sq_hint);
        j = q == NPOS ? j + 1 : q + 1;
    }
    return NPOS;
}

/* Read a tag name at j into the lowercase local name (after the last ':');
 * returns the index after the name.  Over-long names give "". */
static size_t
read_name(const struct h2p *s, size_t j, char *local, size_t size)
{
    size_t start = j, k = 0;

    while (j < s->n && (ascii_is_alnum(s->p[j]) || s->p[j] == ':' ||
                        s->p[j] == '-' || s->p[j] == '_' || s->p[j] == '.')) {
        if (s->p[j] == ':')
            start = j + 1;
        j++;
    }
    if (j - start < size) {
        for (k = 0; start + k < j; k++)
            local[k] = (char)ascii_tolower(s->p[start + k]);
    }
    local[k] = '\0';
    return j;
}

static enum tag_kind
tag_kind(const char *local)
{
    const struct tag_class *c;

    c = bsearch(local, tag_classes, ARRAY_SIZE(tag_classes),
                sizeof(tag_classes[0]), compare_tag);
    return c == NULL ? TAG_INLINE : c->kind;
}

/* After the end tag "</local ...>" at or after from; NPOS if none. */
static size_t
skip_to_end_tag(struct h2p *s, size_t from, const char *local)
{
    char needle[40];
    size_t k, len;
    int w;

    w = snprintf(needle, sizeof(needle), "</%s", local);
    if (w < 0 || (size_t)w >= sizeof(needle))
        return NPOS;
    len = (size_t)w;
    for (k = find_ci(s, from, needle); k != NPOS;
         k = find_ci(s, k + 1, needle)) {
        if (k + len >= s->n || is_html_space((unsigned char)s->p[k + len]) ||
            s->p[k + len] == '/' || s->p[k + len] == '>')
            return past_gt(s, k + len);
    }
    return NPOS;
}

/* A start tag "<name" at k; returns where the text resumes. */
static size_t
start_tag(struct h2p *s, size_t k)
{
    char local[24];
    size_t j, e, resume;
    enum tag_kind kind;

    j = read_name(s, k + 1, local, sizeof(local));
    e = tag_end(s, j);
    if (e == NPOS)
        return s->n; /* EOF inside a tag: HTML5 drops it */
    kind = tag_kind(local);
    if (kind == TAG_BLOCK) {
        flush_para(s);
    } else if (kind == TAG_CELL) {
        buf_append_char(&s->para, ' ');
    } else if ((kind == TAG_RAW || kind == TAG_HEAD) && s->p[e - 1] != '/') {
        if (kind == TAG_HEAD && s->head_missing)
            return e + 1;
        /* script and style contents are never text; an unclosed head is
         * taken as a stray tag rather than dropping the whole input. */
        resume = skip_to_end_tag(s, e + 1, local);
        if (resume != NPOS)
            return resume;
        if (kind == TAG_RAW)
            return s->n;
        s->head_missing = true;
    }
    return e + 1;
}

static size_t
end_tag(struct h2p *s, size_t k)
{
    char local[24];
    enum tag_kind kind;

    read_name(s, k + 2, local, sizeof(local));
    kind = tag_kind(local);
    if (kind == TAG_BLOCK)
        flush_para(s);
    else if (kind == TAG_CELL)
        buf_append_char(&s->para, ' ');
    return past_gt(s, k);
}

/* Markup starting with the '<' at k; returns where the text resumes. */
static size_t
markup(struct h2p *s, size_t k)
{
    const char *p = s->p;
    size_t n = s->n, e;
    unsigned char c = k + 1 < n ? (unsigned char)p[k + 1] : 0;

    if (k + 4 <= n && memcmp(p + k, "<!--", 4) == 0) {
        e = find_ci(s, k + 2, "-->"); /* "<!-->" is a whole comment */
        return e == NPOS ? n : e + 3;
    }
    if (k + 9 <= n && memcmp(p + k, "<![CDATA[", 9) == 0) {
        e = find_ci(s, k + 9, "]]>");
        buf_append(&s->para, p + k + 9, (e == NPOS ? n : e) - (k + 9));
        return e == NPOS ? n : e + 3;
    }
    if (next_of(s, k, '>', &s->gt_hint) == NPOS)
        c = 0; /* no '>' anywhere after: cannot be markup */
    if (c == '!' || c == '?')
        return past_gt(s, k); /* doctype, processing instruction */
    if (c == '/' && k + 2 < n && ascii_is_alpha(p[k + 2]))
        return end_tag(s, k);
    if (c == '/' && k + 2 < n && p[k + 2] == '>')
        return k + 3;
    if (ascii_is_alpha(c))
        return start_tag(s, k);
    buf_append_char(&s->para, '<');
    return k + 1;
}

/* Does p[0..n) hold anything that looks like markup? */
static bool
has_markup(const char *p, size_t n)
{
    const char *lt = p;
    size_t i = 0;
    unsigned char c;

    while (i < n && (lt = memchr(p + i, '<', n - i)) != NULL) {
        i = (size_t)(lt - p) + 1;
        c = i < n ? (unsigned char)p[i] : 0;
        if (ascii_is_alpha(c) || c == '/' || c == '!' || c == '?')
            return true;
    }
    return false;
}

/* Plain text: paragraphs are separated by blank lines. */
static void
plain_paragraphs(struct h2p *s)
{
    struct buf text = BUF_INIT;
    size_t i = 0, line, j;
    const char *nl;

    decode_raw(s->p, s->n, &s->tmp);
    text_sanitize(s->tmp.data, s->tmp.len, &text);
    while (i < text.len) {
        line = i;
        nl = memchr(text.data + i, '\n', text.len - i);
        i = nl == NULL ? text.len : (size_t)(nl - text.data);
        for (j = line; j < i && text.data[j] == ' '; j++)
            ;
        if (j == i)
            flush_para(s); /* a blank line */
        else
            buf_append(&s->para, text.data + line, i - line);
        buf_append_char(&s->para, ' ');
        if (i < text.len)
            i++;
    }
    flush_para(s);
    buf_release(&text);
}

void
text_html_to_plain(const char *p, size_t n, struct buf *out)
{
    struct h2p s = {p, n, 0, 0, 0, false, false, BUF_INIT, BUF_INIT, out};
    const char *lt;
    size_t i = 0, k;

    if (!has_markup(p, n)) {
        plain_paragraphs(&s);
        goto out;
    }
    while (i < n) {
        lt = memchr(p + i, '<', n - i);
        k = lt == NULL ? n : (size_t)(lt - p);
        decode_raw(p + i, k - i, &s.para);
        if (lt == NULL)
            break;
        i = markup(&s, k);
    }
    flush_para(&s);
out:
    buf_release(&s.para);
    buf_release(&s.tmp);
}

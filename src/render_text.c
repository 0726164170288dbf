/*
 * render: CommonMark to plain text, walking cmark's node tree.
 *
 * The text format (what a subscriber's text/plain part looks like):
 *
 *   - paragraphs wrapped at the width in code points, breaking at spaces
 *     only (a longer word stays whole on its own line), one blank line
 *     between blocks;
 *   - heading level 1 underlined with "=", level 2 with "-" (as long as its
 *     longest line), level 3 and deeper just the text;
 *   - bullet items "• " (U+2022), ordered items "1. ", wrapped lines and
 *     nested blocks hang under the item's text;
 *   - block quotes indented two spaces, code blocks four (never wrapped);
 *   - a thematic break is a line of 20 "─" (U+2500);
 *   - emphasis, code spans and escapes lose their markers, raw HTML is
 *     dropped, an image is its alt text, a hard break starts a new line;
 *   - a link is "text [n]" with "[n] URL" under "Links:" at the end (one
 *     number per distinct URL); a link whose text is its URL (autolink),
 *     or the URL without its "mailto:", "https://" or "http://", is just
 *     that text; a link to a fragment ("#article-2", a place in the HTML
 *     page) is its text only; javascript:, vbscript:, file: and data: (other than
 *     data:image/{png,gif,jpeg,webp}) links keep their text only, as cmark's
 *     safe mode does;
 *   - no line ends in a space, and the text ends with exactly one "\n".
 */
#include "arctic_digest/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "render_int.h"

#define DEFAULT_WIDTH 72
#define RULE_WIDTH 20
/* Inside inline text: a space the wrapper must not break at ("text [1]"). */
#define GLUE '\x01'

/* One container's share of every line's prefix. */
struct level {
    char first[24]; /* on the container's first line: "• ", "12. " */
    char cont[24];  /* on later lines: as many spaces */
    size_t width;   /* display width of either */
    bool used;      /* the first line has been written */
};

struct render_text {
    struct buf out;
    size_t width;
    bool want_blank;     /* the next line starts a new block */
    struct level *lv;    /* container prefixes, outermost first */
    size_t nlv, lv_alloc;
    int *counters;       /* next number of each open list */
    size_t ncounters, counters_alloc;
    struct buf inl;      /* inline text of the current paragraph/heading */
    size_t link_start;   /* where the current link's text starts in inl */
    char **urls;         /* the link references, numbered from 1 */
    size_t nurls, urls_alloc;
    size_t *slots;       /* hash of urls: 1 + index, 0 for empty */
    size_t nslots;       /* a power of two, at least twice nurls */
    struct buf line;     /* scratch */
    bool emitted;        /* lines went out before out (earlier documents) */
};

static void
emit_line(struct render_text *r, const char *s, size_t n)
{
    size_t i;

    if (r->want_blank && (r->out.len > 0 || r->emitted))
        buf_append_char(&r->out, '\n');
    r->want_blank = false;
    for (i = 0; i < r->nlv; i++) {
        buf_append_str(&r->out, r->lv[i].used ? r->lv[i].cont
                                              : r->lv[i].first);
        r->lv[i].used = true;
    }
    buf_append(&r->out, s, n);
    while (r->out.len > 0 && r->out.data[r->out.len - 1] == ' ')
        buf_truncate(&r->out, r->out.len - 1);
    buf_append_char(&r->out, '\n');
}

/* Columns left for text after the containers' prefixes (at least 1). */
static size_t
avail_width(const struct render_text *r)
{
    size_t i, used = 0;

    for (i = 0; i < r->nlv; i++)
        used += r->lv[i].width;
    return used < r->width ? r->width - used : 1;
}

static void
flush_wrapped(struct render_text *r, size_t *maxw, size_t w)
{
    emit_line(r, r->line.data, r->line.len);
    if (w > *maxw)
        *maxw = w;
    buf_reset(&r->line);
}

/* Fill lines greedily with the words of s[0..n) (no '\n' inside). */
static void
wrap_segment(struct render_text *r, const char *s, size_t n, size_t avail,
             size_t *maxw)
{
    size_t j = 0, start, k, ww, lw = 0;
    bool glue;

    buf_reset(&r->line);
    while (j < n) {
        while (j < n && s[j] == ' ')
            j++;
        if (j >= n)
            break;
        /* One pass over the word: its end, its width, any GLUE. */
        ww = 0;
        glue = false;
        for (start = j; j < n && s[j] != ' '; j++) {
            ww += !u8_is_cont((unsigned char)s[j]);
            glue |= s[j] == GLUE;
        }
        if (lw > 0 && lw + 1 + ww > avail) {
            flush_wrapped(r, maxw, lw);
            lw = 0;
        }
        if (lw > 0) {
            buf_append_char(&r->line, ' ');
            lw++;
        }
        k = r->line.len;
        buf_append(&r->line, s + start, j - start);
        for (; glue && k < r->line.len; k++)
            if (r->line.data[k] == GLUE)
                r->line.data[k] = ' ';
        lw += ww;
    }
    flush_wrapped(r, maxw, lw);
}

/* Wrap the inline text; returns the width of the widest line (0 if the
 * text is blank and nothing was written). */
static size_t
emit_wrapped(struct render_text *r, const char *s, size_t n)
{
    size_t i, end, maxw = 0, avail = avail_width(r);
    const char *nl;

    for (i = 0; i < n && (s[i] == ' ' || s[i] == '\n'); i++)
        ;
    if (i == n)
        return 0;
    for (i = 0;; i = end + 1) {
        nl = memchr(s + i, '\n', n - i);
        end = nl == NULL ? n : (size_t)(nl - s);
        wrap_segment(r, s + i, end - i, avail, &maxw);
        if (end >= n)
            break;
    }
    return maxw;
}

/* Append inline literal text: controls become spaces (tabs included),
 * so GLUE and '\n' keep their meaning in inl. */
static void
append_inline(struct render_text *r, const char *s)
{
    size_t run;

    while (s != NULL && *s != '\0') {
        /* a run of ordinary bytes at once: a digest is megabytes of them */
        for (run = 0; (unsigned char)s[run] >= 0x20 && s[run] != 0x7F; run++)
            ;
        buf_append(&r->inl, s, run);
        s += run;
        if (*s != '\0') {
            buf_append_char(&r->inl, ' ');
            s++;
        }
    }
}

static void
push_level(struct render_text *r, const char *first, size_t width)
{
    struct level *l;

    xgrow(&r->lv, &r->lv_alloc, r->nlv + 1, sizeof(*r->lv));
    l = &r->lv[r->nlv++];
    snprintf(l->first, sizeof(l->first), "%s", first);
    memset(l->cont, ' ', width);
    l->cont[width] = '\0';
    l->width = width;
    l->used = false;
}

static void
enter_item(struct render_text *r, cmark_node *item)
{
    cmark_node *list = cmark_node_parent(item);
    char num[24];
    int w;

    if (cmark_node_get_list_type(list) != CMARK_ORDERED_LIST ||
        r->ncounters == 0) {
        push_level(r, "\xE2\x80\xA2 ", 2);
        return;
    }
    w = snprintf(num, sizeof(num), "%d. ", r->counters[r->ncounters - 1]++);
    if (w < 0 || (size_t)w >= sizeof(num))
        w = 0;
    push_level(r, num, (size_t)w);
}

/* In a tight list, items and their blocks follow without blank lines. */
static bool
in_tight_list(cmark_node *node)
{
    cmark_node *parent = cmark_node_parent(node), *list = NULL;

    if (cmark_node_get_type(node) == CMARK_NODE_ITEM)
        list = parent;
    else if (parent != NULL && cmark_node_get_type(parent) == CMARK_NODE_ITEM)
        list = cmark_node_parent(parent);
    return list != NULL && cmark_node_get_list_tight(list);
}

/* cmark's _scan_dangerous_url: what safe mode refuses to link to. */
static bool
url_dangerous(const char *url)
{
    static const char *const images[] = {"png", "gif", "jpeg", "webp"};
    size_t i;

    if (strncasecmp(url, "javascript:", 11) == 0 ||
        strncasecmp(url, "vbscript:", 9) == 0 ||
        strncasecmp(url, "file:", 5) == 0)
        return true;
    if (strncasecmp(url, "data:", 5) != 0)
        return false;
    for (i = 0; i < ARRAY_SIZE(images); i++)
        if (strncasecmp(url + 5, "image/", 6) == 0 &&
            strncasecmp(url + 11, images[i], strlen(images[i])) == 0)
            return false;
    return true;
}

/* Put url number i + 1 into the table, which has room. */
static void
slot_put(struct render_text *r, size_t i)
{
    size_t k = (size_t)ascii_fnv1a(r->urls[i], false) & (r->nslots - 1);

    while (r->slots[k])
        k = (k + 1) & (r->nslots - 1);
    r->slots[k] = i + 1;
}

/* The number of url in the "Links" list, added when new.  A digest of a
 * thousand articles has thousands of links: looked up in a hash table,
 * not compared with each one before. */
static size_t
link_number(struct render_text *r, const char *url)
{
    size_t k, i;

    if (r->nslots) {
        for (k = (size_t)ascii_fnv1a(url, false) & (r->nslots - 1);
             r->slots[k]; k = (k + 1) & (r->nslots - 1))
            if (strcmp(r->urls[r->slots[k] - 1], url) == 0)
                return r->slots[k];
    }
    xgrow(&r->urls, &r->urls_alloc, r->nurls + 1, sizeof(*r->urls));
    r->urls[r->nurls++] = xstrdup(url);
    if (2 * r->nurls > r->nslots) {
        free(r->slots);
        r->nslots = r->nslots ? 2 * r->nslots : 64;
        r->slots = xcalloc(r->nslots, sizeof(*r->slots));
        for (i = 0; i < r->nurls; i++)
            slot_put(r, i);
    } else {
        slot_put(r, r->nurls - 1);
    }
    return r->nurls;
}

/* The link text is its URL, or the URL without "mailto:" or, as MLA
 * citations write it, without "https://" or "http://". */
static bool
shows_url(const char *url, const char *text, size_t len)
{
    static const char *const schemes[] = {"", "mailto:", "https://",
                                          "http://"};
    size_t i, k;

    for (i = 0; i < ARRAY_SIZE(schemes); i++) {
        k = strlen(schemes[i]);
        if (strncmp(url, schemes[i], k) == 0 && strlen(url + k) == len &&
            memcmp(url + k, text, len) == 0)
            return true;
    }
    return false;
}

static void
exit_link(struct render_text *r, cmark_node *link)
{
    const char *url = cmark_node_get_url(link);
    const char *text;
    size_t len, start = r->link_start;

    while (r->inl.len > start && r->inl.data[r->inl.len - 1] == ' ')
        buf_truncate(&r->inl, r->inl.len - 1);
    if (url == NULL || *url == '\0' || url_dangerous(url))
        return;
    if (r->inl.len == start) {
        append_inline(r, url); /* "[](url)": the URL is all there is */
        return;
    }
    text = r->inl.data + start;
    len = r->inl.len - start;
    if (url[0] == '#')
        return; /* a place in the HTML page: nowhere to go in text */
    if (shows_url(url, text, len))
        return; /* an autolink shows its URL already */
    buf_appendf(&r->inl, "%c[%zu]", GLUE, link_number(r, url));
}

static void
emit_heading(struct render_text *r, cmark_node *node)
{
    int level = cmark_node_get_heading_level(node);
    size_t w = emit_wrapped(r, r->inl.data, r->inl.len);

    if (w > 0 && level <= 2) {
        buf_reset(&r->line);
        while (w-- > 0)
            buf_append_char(&r->line, level == 1 ? '=' : '-');
        emit_line(r, r->line.data, r->line.len);
    }
}

/* Code: each line indented four spaces, tabs expanded, never wrapped. */
static void
emit_code(struct render_text *r, const char *code)
{
    const char *p = code == NULL ? "" : code;
    size_t col;

    while (*p != '\0') {
        buf_reset(&r->line);
        buf_append_str(&r->line, "    ");
        for (col = 0; *p != '\0' && *p != '\n'; p++) {
            unsigned char c = (unsigned char)*p;

            if (c == '\t') {
                do
                    buf_append_char(&r->line, ' ');
                while (++col % 4 != 0);
            } else if (c >= 0x20 && c != 0x7F) {
                buf_append_char(&r->line, (char)c);
                col += !u8_is_cont(c);
            }
        }
        emit_line(r, r->line.data, r->line.len);
        if (*p == '\n')
            p++;
    }
}

static void
emit_rule(struct render_text *r)
{
    size_t i, w = avail_width(r);

    if (w > RULE_WIDTH)
        w = RULE_WIDTH;
    buf_reset(&r->line);
    for (i = 0; i < w; i++)
        buf_append_str(&r->line, "\xE2\x94\x80");
    emit_line(r, r->line.data, r->line.len);
}

static void
enter_node(struct render_text *r, cmark_node *node)
{
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
        append_inline(r, cmark_node_get_literal(node));
        return;
    case CMARK_NODE_SOFTBREAK:
        buf_append_char(&r->inl, ' ');
        return;
    case CMARK_NODE_LINEBREAK:
        buf_append_char(&r->inl, '\n');
        return;
    case CMARK_NODE_LINK:
        r->link_start = r->inl.len;
        return;
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
        buf_reset(&r->inl);
        break;
    case CMARK_NODE_LIST:
        xgrow(&r->counters, &r->counters_alloc, r->ncounters + 1,
              sizeof(*r->counters));
        r->counters[r->ncounters++] = cmark_node_get_list_start(node);
        break;
    case CMARK_NODE_ITEM:
        enter_item(r, node);
        break;
    case CMARK_NODE_BLOCK_QUOTE:
        push_level(r, "  ", 2);
        break;
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_THEMATIC_BREAK:
        break;
    default:
        return; /* emphasis, images (their alt text follows), raw HTML */
    }
    /* A block starts: one blank line before it, except in tight lists. */
    if (!in_tight_list(node))
        r->want_blank = true;
    if (cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK)
        emit_code(r, cmark_node_get_literal(node));
    else if (cmark_node_get_type(node) == CMARK_NODE_THEMATIC_BREAK)
        emit_rule(r);
}

static void
exit_node(struct render_text *r, cmark_node *node)
{
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_LINK:
        exit_link(r, node);
        break;
    case CMARK_NODE_PARAGRAPH:
        emit_wrapped(r, r->inl.data, r->inl.len);
        break;
    case CMARK_NODE_HEADING:
        emit_heading(r, node);
        break;
    case CMARK_NODE_LIST:
        r->ncounters--;
        break;
    case CMARK_NODE_ITEM:
        if (!r->lv[r->nlv - 1].used)
            emit_line(r, "", 0); /* an empty item still shows its bullet */
        r->nlv--;
        break;
    case CMARK_NODE_BLOCK_QUOTE:
        r->nlv--;
        break;
    default:
        break;
    }
}

static void
emit_links(struct render_text *r)
{
    size_t i;

    if (r->nurls == 0)
        return;
    r->want_blank = true;
    emit_line(r, "Links:", 6);
    for (i = 0; i < r->nurls; i++) {
        buf_reset(&r->line);
        buf_appendf(&r->line, "[%zu] %s", i + 1, r->urls[i]);
        emit_line(r, r->line.data, r->line.len);
    }
}

static void
rt_release(struct render_text *r)
{
    size_t i;

    for (i = 0; i < r->nurls; i++)
        free(r->urls[i]);
    free(r->urls);
    free(r->slots);
    free(r->lv);
    free(r->counters);
    buf_release(&r->out);
    buf_release(&r->inl);
    buf_release(&r->line);
}

/* The lines written so far to out, through the belt-and-braces check of
 * the text invariants (UTF-8, no controls); every block is closed here,
 * so they are whole lines. */
static void
rt_flush(struct render_text *r, struct buf *out)
{
    if (r->out.len == 0)
        return;
    text_sanitize(r->out.data, r->out.len, out);
    r->emitted = true;
    buf_reset(&r->out);
}

struct render_text *
render_text_new(int width)
{
    struct render_text *r = xcalloc(1, sizeof(*r));

    buf_init(&r->out);
    buf_init(&r->inl);
    buf_init(&r->line);
    r->width = width <= 0 ? DEFAULT_WIDTH : (size_t)width;
    return r;
}

int
render_text_add(struct render_text *t, cmark_node *doc, struct buf *out,
                struct err *e)
{
    struct render_text *r = t;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;

    if (it == NULL)
        return err_set(e, ERR_INTERNAL, 0, "cmark cannot walk the markdown");
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev == CMARK_EVENT_ENTER)
            enter_node(r, cmark_iter_get_node(it));
        else
            exit_node(r, cmark_iter_get_node(it));
    }
    cmark_iter_free(it);
    rt_flush(r, out);
    return 0;
}

void
render_text_finish(struct render_text *t, struct buf *out)
{
    struct render_text *r = t;

    emit_links(r);
    if (r->out.len == 0 && !r->emitted)
        buf_append_char(&r->out, '\n');
    rt_flush(r, out);
}

void
render_text_free(struct render_text *t)
{
    if (t == NULL)
        return;
    rt_release(t);
    free(t);
}

int
render_text_of_doc(cmark_node *doc, int width, size_t hint, struct buf *out,
                   struct err *e)
{
    struct render_text *t;
    int rc;

    if (width < 0)
        return err_set(e, ERR_INTERNAL, 0, "text width %d is negative",
                       width);
    /* Room at once for about what the text will be, rather than a dozen
     * reallocations (and copies) of a growing megabyte. */
    buf_grow(out, hint);
    t = render_text_new(width);
    rc = render_text_add(t, doc, out, e);
    if (rc == 0)
        render_text_finish(t, out);
    render_text_free(t);
    return rc;
}

int
render_markdown_to_text(const char *md, size_t n, int width, struct buf *out,
                        struct err *e)
{
    cmark_node *doc;
    int rc;

    if (width < 0)
        return err_set(e, ERR_INTERNAL, 0, "text width %d is negative", width);
    doc = cmark_parse_document(md, n, RENDER_CMARK_OPTIONS);
    if (doc == NULL)
        return err_set(e, ERR_INTERNAL, 0, "cmark cannot parse the markdown");
    rc = render_text_of_doc(doc, width, n, out, e);
    cmark_node_free(doc);
    return rc;
}

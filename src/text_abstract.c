/*
 * text_abstract: the abstract a reader sees, cleaned of what feeds and
 * publishers wrap around it (see text_clean_abstract in text.h), and
 * one-line fields cut to a length (text_cut_words).
 */
#include "arctic_digest/text.h"

#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"

struct para {
    const char *p;
    size_t n;
};

#define MAX_PARAS 256

static bool
is_space(char c)
{
    return c == ' ' || c == '\n';
}

static void
trim(struct para *q)
{
    while (q->n && is_space(q->p[0]))
        q->p++, q->n--;
    while (q->n && is_space(q->p[q->n - 1]))
        q->n--;
}

/* A paragraph that is only a link label or teaser. */
static const char *const boilerplate[] = {
    "read full article", "read the full article", "read more",
    "want to read more?", "continue reading", "view full article",
    "full article", "read the article", "click here to read more",
};

/* Excerpt markers at the end of the text (removed, text kept). */
static const char *const tail_markers[] = {
    "[\u2026]", "[...]", "[&hellip;]", "\u2026", "...",
    "Continue reading \u2192", "Continue reading\u2026", "Continue reading...",
    "Continue reading", "Read more \u00bb", "Read more\u2026", "Read more",
};

static bool
is_boilerplate(struct para q)
{
    size_t i;

    while (q.n && (q.p[q.n - 1] == '.' || q.p[q.n - 1] == ':'))
        q.n--;
    for (i = 0; i < ARRAY_SIZE(boilerplate); i++) {
        const char *b = boilerplate[i];
        size_t bn = strlen(b);
        if (b[bn - 1] == '?' && q.n + 1 == bn)
            bn--;
        if (q.n == bn && ascii_istarts(q.p, q.n, b))
            return true;
    }
    /* WordPress: "The post X appeared first on Y." */
    if (ascii_istarts(q.p, q.n, "the post ")) {
        size_t j;
        for (j = 0; j + 19 <= q.n; j++)
            if (!memcmp(q.p + j, " appeared first on ", 19))
                return true;
    }
    return false;
}

/* Strip a leading "Abstract", "ABSTRACT:", "Summary." heading. */
static void
strip_heading(struct para *q)
{
    static const char *const words[] = {"abstract", "summary"};
    size_t i, k;

    for (i = 0; i < ARRAY_SIZE(words); i++) {
        k = strlen(words[i]);
        if (!ascii_istarts(q->p, q->n, words[i]))
            continue;
        if (q->n > k && !(q->p[k] == ':' || q->p[k] == '.' ||
                          q->p[k] == ' ' || q->p[k] == '\n'))
            continue;
        q->p += k;
        q->n -= k;
        if (q->n && (q->p[0] == ':' || q->p[0] == '.'))
            q->p++, q->n--;
        if (ascii_istarts(q->p, q->n, " \u2014"))
            q->p += 4, q->n -= 4;
        trim(q);
        return;
    }
}

/* True if one part of a journal line: "Volume 15", "Issue 2", "Page
 * 1-20", "pp. 3-9", "Ahead of Print", a date or a number. */
static bool
journal_part(const char *p, size_t n)
{
    static const char *const starts[] = {
        "volume", "vol.", "vol ", "issue", "iss.", "no.", "number", "page",
        "pages", "pp.", "p. ", "ahead of print", "early view", "online first",
        "article", "in press", "jan", "feb", "mar", "apr", "may", "jun",
        "jul", "aug", "sep", "oct", "nov", "dec", "spring", "summer",
        "autumn", "fall", "winter",
    };
    size_t i, words = 1;

    while (n && (p[n - 1] == '.' || p[n - 1] == ' '))
        n--;
    /* "12 March 2025", "Page 767-777": a few words; "2021 and Maripanthus
     * jubatus Maddison" (a sentence with a comma before a year) is none */
    for (i = 0; i < n; i++)
        if (p[i] == ' ' && i + 1 < n && p[i + 1] != ' ')
            words++;
    if (words > 4)
        return false;
    if (n && p[0] >= '0' && p[0] <= '9')
        return true;
    for (i = 0; i < ARRAY_SIZE(starts); i++)
        if (ascii_istarts(p, n, starts[i]))
            return true;
    return false;
}

/* "The Polar Journal, Volume 15, Issue 1, Page 1-20, June 2025." or
 * "The Polar Journal, Ahead of Print.": a citation line, not an
 * abstract. */
static bool
is_journal_line(struct para q)
{
    size_t i, start, parts = 0;

    if (q.n == 0 || q.n > 300 || memchr(q.p, '\n', q.n))
        return false;
    for (i = 0; i < q.n && q.p[i] != ','; i++)
        ;
    if (i == q.n)
        return false;
    start = i + 1;
    for (i = start; i <= q.n; i++) {
        if (i < q.n && q.p[i] != ',')
            continue;
        while (start < i && q.p[start] == ' ')
            start++;
        if (!journal_part(q.p + start, i - start))
            return false;
        parts++;
        start = i + 1;
    }
    return parts > 0;
}

/* Remove excerpt markers from the end; true if one was removed.  A
 * WordPress "The post X appeared first on Y." run into the text goes
 * too. */
static bool
strip_tail(struct para *q)
{
    size_t i;
    bool any = false, again = true;

    for (i = q->n; i-- > 0;) {
        struct para t = {q->p + i, q->n - i};
        if ((i == 0 || q->p[i - 1] == ' ') && is_boilerplate(t) &&
            ascii_istarts(t.p, t.n, "the post ")) {
            q->n = i;
            trim(q);
            break;
        }
    }

    while (again) {
        again = false;
        for (i = 0; i < ARRAY_SIZE(tail_markers); i++) {
            if (ascii_ends_with(q->p, q->n, tail_markers[i])) {
                q->n -= strlen(tail_markers[i]);
                trim(q);
                any = again = true;
            }
        }
    }
    return any;
}

static size_t
split_paras(const char *p, size_t n, struct para *v)
{
    size_t k = 0, i = 0, start = 0;

    for (i = 0; i <= n && k < MAX_PARAS; i++) {
        if (i < n && !(p[i] == '\n' && i + 1 < n && p[i + 1] == '\n'))
            continue;
        v[k].p = p + start;
        v[k].n = i - start;
        trim(&v[k]);
        if (v[k].n)
            k++;
        start = i + 2;
        i++;
    }
    return k;
}

static bool
terminal_at(const char *p, size_t n, size_t i)
{
    return (p[i] == '.' || p[i] == '?' || p[i] == '!') &&
           (i + 1 == n || is_space(p[i + 1]));
}

/*
 * Where to cut p short at a word, for both cuts below: at the last byte of
 * spaces in (floor, limit] (p[limit] must exist: the text is longer), else
 * at limit; then back over the spaces and ",;:" that would dangle before
 * the ellipsis.
 */
static size_t
word_cut(const char *p, size_t limit, size_t floor, const char *spaces)
{
    size_t k = strlen(spaces), cut;

    for (cut = limit; cut > floor && !memchr(spaces, p[cut], k); cut--)
        ;
    if (cut <= floor)
        cut = limit;
    while (cut && (memchr(spaces, p[cut - 1], k) || p[cut - 1] == ',' ||
                   p[cut - 1] == ';' || p[cut - 1] == ':'))
        cut--;
    return cut;
}

/* Cut b to at most max bytes at a sentence end (if one lies in the
 * second half), else at a space, never inside a UTF-8 sequence; then add
 * the ellipsis. */
static void
cut_long(struct buf *b, size_t max)
{
    static const char ell[] = "\u2026";
    size_t room = max > 8 ? max - 4 : max, i, cut = 0;

    if (b->len <= max)
        return;
    room = u8_cut(b->data, b->len, room);
    for (i = room; i > room / 2; i--) {
        if (terminal_at(b->data, b->len, i - 1)) {
            cut = i;
            break;
        }
    }
    if (cut) {
        buf_truncate(b, cut);
        buf_append_str(b, " ");
        buf_append_str(b, ell);
        return;
    }
    buf_truncate(b, word_cut(b->data, room, 0, " \n"));
    buf_append_str(b, ell);
}

void
text_clean_abstract(const char *p, size_t n, size_t max_len, struct buf *out)
{
    struct buf plain = BUF_INIT, res = BUF_INIT;
    struct para v[MAX_PARAS];
    size_t k, i, first = 0;
    bool excerpt = false;

    text_html_to_plain(p, n, &plain);
    k = split_paras(plain.data, plain.len, v);
    /* Headings: a paragraph of their own or the opening word. */
    while (first < k) {
        strip_heading(&v[first]);
        if (v[first].n)
            break;
        first++;
    }
    while (k > first && is_boilerplate(v[k - 1]))
        k--;
    if (k > first)
        excerpt = strip_tail(&v[k - 1]);
    if (k - first == 1 && is_journal_line(v[first]))
        k = first;
    for (i = first; i < k; i++) {
        if (is_boilerplate(v[i]) || !v[i].n)
            continue;
        if (res.len)
            buf_append_str(&res, "\n\n");
        buf_append(&res, v[i].p, v[i].n);
    }
    /* An excerpt cut mid-sentence keeps one ellipsis to say so. */
    if (excerpt && res.len && !terminal_at(res.data, res.len, res.len - 1))
        buf_append_str(&res, "\u2026");
    cut_long(&res, max_len ? max_len : TEXT_ABSTRACT_MAX);
    buf_append(out, res.data, res.len);
    buf_release(&plain);
    buf_release(&res);
}

void
text_cut_words(const char *p, size_t n, size_t max, struct buf *out)
{
    size_t i = 0, chars = 0, fit = 0;

    /* fit: the bytes of the first max - 1 characters, room for the
     * ellipsis; i stops early once the text is known to be too long. */
    while (i < n && chars <= max) {
        if (chars + 1 == max)
            fit = i;
        i += u8_len(p + i, n - i);
        chars++;
    }
    if (chars <= max) {
        buf_append(out, p, n);
        return;
    }
    if (max == 0)
        return;
    buf_append(out, p, word_cut(p, fit, fit / 2, " "));
    buf_append_str(out, "\u2026");
}

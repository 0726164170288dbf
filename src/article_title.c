/*
 * article_title: a title's italics.  Crossref (and JATS, and some feeds)
 * mark the names a title italicises, a species or a ship (<i>Calanus
 * finmarchicus</i>), which the styles print in italics in a roman title
 * and in roman in an italic one (CMOS 17 8.118, 8.171; APA 7 6.22; MLA 9
 * 2.109).  article.title stays plain text for everything else (headers,
 * the digest's text, matching); title_markup keeps the runs.
 */
#include "arctic_digest/article.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"

#define MARK_LEN 3 /* both markers are three bytes of UTF-8 */

struct run {
    size_t start, end; /* in the plain title */
};

static int
marker_at(const char *p, size_t n, size_t i)
{
    if (n - i < MARK_LEN || memcmp(p + i, "\xee\x80", 2) != 0)
        return 0;
    if (p[i + 2] == '\x80')
        return 1;
    if (p[i + 2] == '\x81')
        return -1;
    return 0;
}

/* Add the run plain[start..end) to v, trimmed of spaces; an empty run is
 * dropped and one only spaces away from the last is joined to it. */
static void
push_run(const struct buf *plain, size_t start, size_t end, struct run **v,
         size_t *nr, size_t *alloc)
{
    while (start < end && plain->data[start] == ' ')
        start++;
    while (end > start && plain->data[end - 1] == ' ')
        end--;
    if (end == start)
        return;
    if (*nr > 0) {
        size_t k = (*v)[*nr - 1].end;
        while (k < start && plain->data[k] == ' ')
            k++;
        if (k == start) {
            (*v)[*nr - 1].end = end;
            return;
        }
    }
    xgrow(v, alloc, *nr + 1, sizeof(**v));
    (*v)[*nr].start = start;
    (*v)[(*nr)++].end = end;
}

/* The runs of a marked title; plain gets the title without markers, and
 * without the second of two spaces that a marker kept apart ("agalactiae
 * </i> &" is "agalactiae &", as it is without tags) or a space that a
 * marker kept from the title's start or end.  Returns the count; *v is
 * allocated (caller frees). */
static size_t
read_runs(const char *p, size_t n, struct buf *plain, struct run **v)
{
    size_t i = 0, nr = 0, alloc = 0, start = 0;
    int depth = 0, m;
    bool marked = false; /* a marker since the last byte kept */

    *v = NULL;
    while (i < n) {
        m = marker_at(p, n, i);
        if (m == 0) {
            if (p[i] == ' ' && marked &&
                (plain->len == 0 || plain->data[plain->len - 1] == ' ')) {
                i++;
                continue;
            }
            buf_append_char(plain, p[i++]);
            marked = false;
            continue;
        }
        i += MARK_LEN;
        marked = true;
        if (m > 0 && depth++ == 0)
            start = plain->len;
        else if (m < 0 && depth > 0 && --depth == 0)
            push_run(plain, start, plain->len, v, &nr, &alloc);
    }
    if (depth > 0)
        push_run(plain, start, plain->len, v, &nr, &alloc);
    if (marked && plain->len > 0 && plain->data[plain->len - 1] == ' ') {
        while (plain->len > 0 && plain->data[plain->len - 1] == ' ')
            plain->len--;
        plain->data[plain->len] = '\0';
        for (i = 0; i < nr; i++)
            if ((*v)[i].end > plain->len)
                (*v)[i].end = plain->len;
    }
    return nr;
}

static void
escape_to(struct buf *out, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == '&')
            buf_append_str(out, "&amp;");
        else if (p[i] == '<')
            buf_append_str(out, "&lt;");
        else if (p[i] == '>')
            buf_append_str(out, "&gt;");
        else
            buf_append_char(out, p[i]);
    }
}

void
article_set_title_marked(struct article *a, const char *s, size_t n)
{
    struct buf plain = BUF_INIT, markup = BUF_INIT;
    struct run *v;
    size_t nr, i, at = 0;

    nr = read_runs(s, n, &plain, &v);
    free(a->title);
    free(a->title_markup);
    a->title = a->title_markup = NULL;
    if (plain.len == 0) {
        buf_release(&plain);
        free(v);
        return;
    }
    /* A title set in italics whole is the feed's styling, not a name */
    if (nr == 1 && v[0].start == 0 && v[0].end == plain.len)
        nr = 0;
    if (nr > 0) {
        for (i = 0; i < nr; i++) {
            escape_to(&markup, plain.data + at, v[i].start - at);
            buf_append_str(&markup, "<i>");
            escape_to(&markup, plain.data + v[i].start,
                      v[i].end - v[i].start);
            buf_append_str(&markup, "</i>");
            at = v[i].end;
        }
        escape_to(&markup, plain.data + at, plain.len - at);
        a->title_markup = buf_detach(&markup, NULL);
    }
    a->title = buf_detach(&plain, NULL);
    free(v);
}

/* title_markup read back as a marked title; NULL unless it is a's title
 * with tags. */
static char *
marked_from_markup(const struct article *a)
{
    static const struct {
        const char *from, *to;
    } subst[] = {{"<i>", ARTICLE_ITALIC_ON}, {"</i>", ARTICLE_ITALIC_OFF},
                 {"&amp;", "&"},            {"&lt;", "<"},
                 {"&gt;", ">"}};
    struct buf marked = BUF_INIT, plain = BUF_INIT;
    const char *p = a->title_markup;
    size_t i, k;
    bool same;

    while (*p) {
        for (k = 0; k < ARRAY_SIZE(subst); k++)
            if (!strncmp(p, subst[k].from, strlen(subst[k].from)))
                break;
        if (k == ARRAY_SIZE(subst)) {
            buf_append_char(&marked, *p);
            buf_append_char(&plain, *p++);
            continue;
        }
        buf_append_str(&marked, subst[k].to);
        if (k >= 2)
            buf_append_str(&plain, subst[k].to);
        p += strlen(subst[k].from);
    }
    i = strlen(a->title);
    same = plain.len == i && !memcmp(plain.data, a->title, i);
    buf_release(&plain);
    if (!same) {
        buf_release(&marked);
        return NULL;
    }
    return buf_detach(&marked, NULL);
}

char *
article_title_marked(const struct article *a)
{
    struct buf b = BUF_INIT;
    size_t i = 0, n;
    char *s;

    if (a->title == NULL)
        return NULL;
    if (a->title_markup != NULL && (s = marked_from_markup(a)) != NULL)
        return s;
    n = strlen(a->title);
    while (i < n) {
        if (marker_at(a->title, n, i) != 0)
            i += MARK_LEN;
        else
            buf_append_char(&b, a->title[i++]);
    }
    return buf_detach(&b, NULL);
}

void
article_mark_italics(const char *s, size_t n, struct buf *out)
{
    static const char *const names[] = {"i", "em", "italic"};
    size_t i = 0, k, m;

    while (i < n) {
        size_t j = i + 1, name;
        bool closing;
        const char *end;

        if (marker_at(s, n, i) != 0) {
            i += MARK_LEN;
            continue;
        }
        if (s[i] != '<' || j >= n) {
            buf_append_char(out, s[i++]);
            continue;
        }
        closing = s[j] == '/';
        j += closing;
        name = j;
        while (j < n && (ascii_is_alnum((unsigned char)s[j]) || s[j] == ':'))
            j++;
        /* "jats:italic" is "italic" */
        for (k = j; k > name && s[k - 1] != ':'; k--)
            ;
        end = j < n ? memchr(s + j, '>', n - j) : NULL;
        if (j > k && end != NULL &&
            (s[j] == '>' || (!closing && (s[j] == ' ' || s[j] == '\t')))) {
            for (m = 0; m < ARRAY_SIZE(names); m++)
                if (ascii_ieq_n(s + k, j - k, names[m]))
                    break;
            if (m < ARRAY_SIZE(names)) {
                buf_append_str(out, closing ? ARTICLE_ITALIC_OFF
                                            : ARTICLE_ITALIC_ON);
                i = (size_t)(end - s) + 1;
                continue;
            }
        }
        buf_append_char(out, s[i++]);
    }
}

/*
 * citation: Chicago, APA and MLA strings.
 *
 * First version: journal and web articles, 1 to many authors, no date,
 * no author.  Title casing and the finer rules of each style arrive with
 * the citations issue.
 */
#include "arctic_digest/citation.h"

#include <string.h>

#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

struct out {
    struct buf *b;
    enum cite_markup m;
};

/* Append text from the article, escaped for the markup. */
static void
put(struct out *o, const char *s)
{
    if (!s)
        return;
    if (o->m == CITE_MARKUP_MARKDOWN)
        text_escape_markdown(s, strlen(s), o->b);
    else
        buf_append_str(o->b, s);
}

/* Append our own words and punctuation; in markdown, punctuation is
 * escaped (white space is kept as it is, unlike put()). */
static void
lit(struct out *o, const char *s)
{
    static const char punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    for (; *s; s++) {
        if (o->m == CITE_MARKUP_MARKDOWN && strchr(punct, *s))
            buf_append_char(o->b, '\\');
        buf_append_char(o->b, *s);
    }
}

static void
italic(struct out *o, const char *s)
{
    if (!s || !*s)
        return;
    if (o->m == CITE_MARKUP_MARKDOWN)
        buf_append_char(o->b, '*');
    put(o, s);
    if (o->m == CITE_MARKUP_MARKDOWN)
        buf_append_char(o->b, '*');
}

static const char *
last_char_of(const struct buf *b)
{
    return b->len ? b->data + b->len - 1 : "";
}

/* End a sentence with "." unless the text already ends in . ? or !. */
static void
period(struct out *o)
{
    const char *c = last_char_of(o->b);

    if (*c == '.' || *c == '?' || *c == '!')
        return;
    lit(o, ".");
}

static bool
ends_with_terminal(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n && (s[n - 1] == '.' || s[n - 1] == '?' || s[n - 1] == '!');
}

/* "Family, Given" (inverted) or "Given Family". */
static void
name(struct out *o, const struct person *p, bool inverted)
{
    if (p->literal) {
        put(o, p->literal);
        return;
    }
    if (inverted && p->family) {
        put(o, p->family);
        if (p->given) {
            lit(o, ", ");
            put(o, p->given);
        }
        return;
    }
    put(o, p->given);
    if (p->given && p->family)
        lit(o, " ");
    put(o, p->family);
}

/* Initials for APA: "Guðbjörg Ríkey Th." -> "G. R. T.", "Jean-Paul" ->
 * "J.-P." */
static void
initials(struct out *o, const char *given)
{
    const char *p = given;
    bool first = true, word_start = true;

    for (; p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ') {
            word_start = true;
            continue;
        }
        if (c == '-') {
            lit(o, "-");
            word_start = true;
            first = true; /* no space after the hyphen */
            continue;
        }
        if (word_start) {
            size_t len = 1;
            if (c >= 0xc0)
                while ((p[len] & 0xc0) == 0x80)
                    len++;
            if (!first && o->b->len && *last_char_of(o->b) != '-')
                lit(o, " ");
            buf_append(o->b, p, len);
            lit(o, ".");
            p += len - 1;
            first = false;
            word_start = false;
        }
    }
}

static void
authors_chicago_mla(struct out *o, const struct article *a, bool mla)
{
    size_t i, n = a->nauthors;

    if (mla && n >= 3) {
        name(o, &a->authors[0], true);
        lit(o, ", et al");
        return;
    }
    if (n > 10) {
        for (i = 0; i < 7; i++) {
            if (i)
                lit(o, ", ");
            name(o, &a->authors[i], i == 0);
        }
        lit(o, ", et al");
        return;
    }
    for (i = 0; i < n; i++) {
        if (i && n == 2)
            lit(o, ", and ");
        else if (i && i == n - 1)
            lit(o, ", and ");
        else if (i)
            lit(o, ", ");
        name(o, &a->authors[i], i == 0);
    }
}

static void
authors_apa(struct out *o, const struct article *a)
{
    size_t i, n = a->nauthors;

    for (i = 0; i < n; i++) {
        const struct person *p = &a->authors[i];
        if (n > 20 && i == 19) {
            lit(o, ", . . . ");
            p = &a->authors[n - 1];
            i = n - 1;
        } else if (i && i == n - 1) {
            lit(o, n == 2 ? ", & " : ", & ");
        } else if (i) {
            lit(o, ", ");
        }
        if (p->literal) {
            put(o, p->literal);
            continue;
        }
        put(o, p->family);
        if (p->given) {
            lit(o, ", ");
            initials(o, p->given);
        }
    }
}

static void
link(struct out *o, const struct article *a)
{
    struct buf u = BUF_INIT;

    if (a->doi)
        buf_appendf(&u, "https://doi.org/%s", a->doi);
    else if (a->url)
        buf_append_str(&u, a->url);
    if (u.len) {
        lit(o, " ");
        put(o, u.data);
    }
    buf_release(&u);
}

static void
quoted_title(struct out *o, const struct article *a)
{
    /* Chicago and MLA put the period inside the closing quote. */
    lit(o, "\u201c");
    put(o, a->title);
    if (!ends_with_terminal(a->title))
        lit(o, ".");
    lit(o, "\u201d");
}

static void
chicago(struct out *o, const struct article *a)
{
    if (a->nauthors) {
        authors_chicago_mla(o, a, false);
        period(o);
        lit(o, " ");
    }
    if (a->title) {
        quoted_title(o, a);
        lit(o, " ");
    }
    italic(o, a->container);
    if (dt_is_set(&a->published)) {
        struct buf d = BUF_INIT;
        dt_format_long(&a->published, &d);
        if (a->container)
            lit(o, ", ");
        put(o, d.data);
        buf_release(&d);
    } else {
        if (a->container)
            lit(o, ", ");
        lit(o, "n.d");
    }
    period(o);
    if (a->doi || a->url) {
        link(o, a);
        period(o);
    }
}

static void
apa(struct out *o, const struct article *a)
{
    struct dt_parts p;

    if (a->nauthors) {
        authors_apa(o, a);
        lit(o, " ");
    } else if (a->title) {
        put(o, a->title);
        period(o);
        lit(o, " ");
    }
    if (dt_is_set(&a->published)) {
        dt_to_parts(&a->published, &p);
        buf_appendf(o->b, "(%d)", p.year);
    } else {
        lit(o, "(n.d.)");
    }
    lit(o, ". ");
    if (a->nauthors && a->title) {
        put(o, a->title);
        period(o);
        lit(o, " ");
    }
    if (a->container) {
        italic(o, a->container);
        lit(o, ".");
    }
    link(o, a);
}

static void
mla(struct out *o, const struct article *a)
{
    struct dt_parts p;

    if (a->nauthors) {
        authors_chicago_mla(o, a, true);
        period(o);
        lit(o, " ");
    }
    if (a->title) {
        quoted_title(o, a);
        lit(o, " ");
    }
    italic(o, a->container);
    if (dt_is_set(&a->published)) {
        dt_to_parts(&a->published, &p);
        if (a->container)
            lit(o, ", ");
        if (a->published.prec >= DT_PREC_DAY)
            buf_appendf(o->b, "%d ", p.day);
        if (a->published.prec >= DT_PREC_MONTH)
            buf_appendf(o->b, "%s ", dt_month_name(p.month));
        buf_appendf(o->b, "%d", p.year);
    }
    if (a->doi || a->url) {
        lit(o, ",");
        link(o, a);
    }
    period(o);
}

void
cite_format(const struct article *a, enum cite_style s, enum cite_markup m,
            struct buf *b)
{
    struct out o = {b, m};

    switch (s) {
    case CITE_CHICAGO:
        chicago(&o, a);
        break;
    case CITE_APA:
        apa(&o, a);
        break;
    case CITE_MLA:
        mla(&o, a);
        break;
    }
}

static const char *const style_names[] = {"chicago", "apa", "mla"};

int
cite_style_from_name(const char *name)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(style_names); i++)
        if (name && !strcmp(name, style_names[i]))
            return (int)i;
    return -1;
}

const char *
cite_style_name(enum cite_style s)
{
    return style_names[s];
}

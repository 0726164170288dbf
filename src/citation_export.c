/*
 * citation_export: BibTeX and RIS files for reference managers.
 *
 * BibTeX follows biblatex's data model (@article with journaltitle and
 * journal, @online with organization, @techreport with institution and
 * type, @misc with howpublished for a preprint, @incollection with
 * booktitle and pages for a chapter,
 * date as YYYY[-MM[-DD]] plus year and month for classic BibTeX), in
 * UTF-8.  RIS follows the RIS specification as Zotero, EndNote and
 * Mendeley read it: "XX  - value" lines ending in CRLF, one TY ... ER
 * record per work.
 */
#include "arctic_digest/citation.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "citation_int.h"

/* Append s (UTF-8) ASCII-folded to lower-case letters and digits. */
static void
fold_key(struct buf *b, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const char *f = cite_ascii_fold(u8_next(s, n, &i));
        for (; *f; f++)
            if ((*f >= 'a' && *f <= 'z') || (*f >= '0' && *f <= '9'))
                buf_append_char(b, *f);
    }
}

static size_t
word_len(const char *s)
{
    size_t n = 0;

    while (s[n] && s[n] != ' ' && s[n] != '-' && s[n] != ':' &&
           s[n] != ',' && s[n] != '/')
        n++;
    return n;
}

/* The first title word that is not a stop word, or the first word. */
static void
key_title_word(struct buf *b, const char *t)
{
    const char *p = t, *first = NULL;
    size_t n, at = b->len;

    while (p && *p) {
        while (*p && !(cite_is_letter((unsigned char)*p) ||
                       (unsigned char)*p >= 0x80 || (*p >= '0' && *p <= '9')))
            p++;
        n = word_len(p);
        if (!n)
            break;
        if (!first)
            first = p;
        if (!cite_is_stopword(p, n)) {
            fold_key(b, p, n);
            if (b->len > at)
                return;
        }
        p += n;
    }
    if (first)
        fold_key(b, first, word_len(first));
}

static void
base_key(const struct article *a, struct buf *b)
{
    const struct person *p = a->nauthors ? &a->authors[0] : NULL;
    struct name_parts np;
    struct dt_parts d;

    if (p && p->literal) {
        fold_key(b, p->literal, word_len(p->literal));
    } else if (p) {
        const char *fam;
        cite_name_split(p, &np);
        fam = np.family ? np.family : (np.given ? np.given : "");
        fold_key(b, fam, strlen(fam));
        cite_name_release(&np);
    }
    if (!b->len)
        buf_append_str(b, "anon");
    if (dt_is_set(&a->published)) {
        dt_to_parts(&a->published, &d);
        buf_appendf(b, "%d", d.year);
    } else {
        buf_append_str(b, "nd");
    }
    key_title_word(b, a->title);
}

/* The keys of v: base keys, the second and later duplicates of a base
 * key suffixed a, b, ... (skipping any suffix already taken). */
static char **
make_keys(const struct article *v, size_t n)
{
    char **keys = xcalloc(n ? n : 1, sizeof(*keys));
    struct buf b = BUF_INIT;
    size_t i, j;

    for (i = 0; i < n; i++) {
        char suffix = 'a';
        bool taken = true;
        size_t base;

        buf_reset(&b);
        base_key(&v[i], &b);
        base = b.len;
        while (taken) {
            taken = false;
            for (j = 0; j < i && !taken; j++)
                taken = !strcmp(keys[j], b.data);
            if (taken) {
                buf_truncate(&b, base);
                buf_append_char(&b, suffix++);
            }
        }
        keys[i] = xstrdup(b.data);
    }
    buf_release(&b);
    return keys;
}

/* BibTeX special characters as LaTeX that biber and pandoc read back. */
static void
bib_escape_n(struct buf *b, const char *s, size_t n)
{
    for (; n > 0; s++, n--) {
        switch (*s) {
        case '{': case '}': case '%': case '&': case '$': case '#': case '_':
            buf_append_char(b, '\\');
            buf_append_char(b, *s);
            break;
        case '\\':
            buf_append_str(b, "\\textbackslash{}");
            break;
        case '^':
            buf_append_str(b, "\\^{}");
            break;
        case '~':
            buf_append_str(b, "\\~{}");
            break;
        case '\n':
            buf_append_char(b, ' ');
            break;
        default:
            buf_append_char(b, *s);
        }
    }
}

static void
bib_escape(struct buf *b, const char *s)
{
    if (s)
        bib_escape_n(b, s, strlen(s));
}

/* The title, braced so that its case is kept, its italic runs (a species:
 * article.title_markup) in \textit{}. */
static void
bib_title(struct buf *b, const struct article *a)
{
    char *t = article_title_marked(a);
    size_t i = 0, run = 0, n;
    int depth = 0;

    if (!t)
        return;
    n = strlen(t);
    buf_append_str(b, "  title = {{");
    for (i = 0; i + 3 <= n; i++) {
        bool on = !memcmp(t + i, ARTICLE_ITALIC_ON, 3);
        if (!on && memcmp(t + i, ARTICLE_ITALIC_OFF, 3))
            continue;
        bib_escape_n(b, t + run, i - run);
        if (on && depth++ == 0)
            buf_append_str(b, "\\textit{");
        else if (!on && depth > 0 && --depth == 0)
            buf_append_char(b, '}');
        run = i + 3;
        i += 2;
    }
    bib_escape_n(b, t + run, n - run);
    if (depth > 0)
        buf_append_char(b, '}');
    buf_append_str(b, "}},\n");
    free(t);
}

static void
bib_field(struct buf *b, const char *name, const char *value, bool protect)
{
    if (!value)
        return;
    buf_appendf(b, "  %s = {%s", name, protect ? "{" : "");
    bib_escape(b, value);
    buf_appendf(b, "%s},\n", protect ? "}" : "");
}

/* URLs and DOIs are verbatim in biblatex; only braces would break it. */
static void
bib_verbatim(struct buf *b, const char *name, const char *value)
{
    const char *s;

    if (!value)
        return;
    buf_appendf(b, "  %s = {", name);
    for (s = value; *s; s++)
        if (*s != '{' && *s != '}' && *s != '\n')
            buf_append_char(b, *s);
    buf_append_str(b, "},\n");
}

static void
bib_authors(struct buf *b, const struct article *a)
{
    struct buf two = BUF_INIT;
    size_t i;

    if (!a->nauthors)
        return;
    buf_append_str(b, "  author = {");
    for (i = 0; i < a->nauthors; i++) {
        const struct person *p = &a->authors[i];
        struct name_parts np;

        if (i)
            buf_append_str(b, " and ");
        if (p->literal) {
            buf_append_char(b, '{');
            bib_escape(b, p->literal);
            buf_append_char(b, '}');
            continue;
        }
        cite_name_split(p, &np);
        if (cite_name_scripts(&np, &two)) {
            buf_append_char(b, '{');
            bib_escape(b, two.data);
            buf_append_char(b, '}');
            buf_reset(&two);
            cite_name_release(&np);
            continue;
        }
        bib_escape(b, np.family ? np.family : np.given);
        if (np.suffix) {
            buf_append_str(b, ", ");
            bib_escape(b, np.suffix);
        }
        if (np.family && np.given) {
            buf_append_str(b, ", ");
            bib_escape(b, np.given);
        }
        cite_name_release(&np);
    }
    if (a->others)
        buf_append_str(b, " and others");
    buf_append_str(b, "},\n");
    buf_release(&two);
}

/* "767-777" as BibTeX's "767--777". */
static void
bib_pages(struct buf *b, const char *pages)
{
    const char *dash;

    if (pages == NULL)
        return;
    dash = strchr(pages, '-');
    buf_append_str(b, "  pages = {");
    if (dash == NULL) {
        bib_escape(b, pages);
    } else {
        struct buf first = BUF_INIT;

        buf_append(&first, pages, (size_t)(dash - pages));
        bib_escape(b, first.data);
        buf_append_str(b, "--");
        bib_escape(b, dash + 1);
        buf_release(&first);
    }
    buf_append_str(b, "},\n");
}

static const char *const bib_months[] = {"jan", "feb", "mar", "apr",
                                         "may", "jun", "jul", "aug",
                                         "sep", "oct", "nov", "dec"};

static void
bib_date(struct buf *b, const struct dt *d)
{
    struct dt_parts p;

    if (!dt_is_set(d))
        return;
    dt_to_parts(d, &p);
    buf_appendf(b, "  date = {%04d", p.year);
    if (d->prec >= DT_PREC_MONTH)
        buf_appendf(b, "-%02d", p.month);
    if (d->prec >= DT_PREC_DAY)
        buf_appendf(b, "-%02d", p.day);
    buf_appendf(b, "},\n  year = {%04d},\n", p.year);
    if (d->prec >= DT_PREC_MONTH)
        buf_appendf(b, "  month = %s,\n", bib_months[p.month - 1]);
}

void
cite_bibtex(const struct article *v, size_t n, struct buf *out)
{
    static const char *const types[] = {
        "article", "online",        "techreport",  "misc", "incollection",
        "book",    "inproceedings", "inreference", "misc", "dataset",
        "article"};
    char **keys = make_keys(v, n);
    size_t i;

    for (i = 0; i < n; i++) {
        struct cite_view cv;
        const struct article *a = &cv.a;
        enum cite_kind k;

        cite_view_init(&cv, &v[i]);
        k = cite_kind_of(a);
        if (i)
            buf_append_char(out, '\n');
        buf_appendf(out, "@%s{%s,\n", types[k], keys[i]);
        bib_authors(out, a);
        bib_title(out, a);
        if (k == CITE_KIND_JOURNAL) {
            bib_field(out, "journaltitle", a->container, false);
            bib_field(out, "journal", a->container, false);
            bib_field(out, "volume", a->volume, false);
            bib_field(out, "number", a->issue, false);
            bib_pages(out, a->pages);
        } else if (k == CITE_KIND_REPORT) {
            bib_field(out, "institution",
                      a->publisher ? a->publisher : a->container, false);
            buf_append_str(out, "  type = {Report},\n");
        } else if (k == CITE_KIND_PREPRINT || k == CITE_KIND_POSTED) {
            bib_field(out, "howpublished",
                      a->container ? a->container : a->publisher, false);
            if (k == CITE_KIND_PREPRINT)
                buf_append_str(out, "  note = {Preprint},\n");
        } else if (k == CITE_KIND_CHAPTER || k == CITE_KIND_PAPER ||
                   k == CITE_KIND_ENTRY) {
            bib_field(out, "booktitle", a->container, true);
            bib_pages(out, a->pages);
        } else if (k == CITE_KIND_BOOK) {
            bib_field(out, "series", a->container, false);
        } else if (k == CITE_KIND_NEWS) { /* biblatex's newspaper article */
            buf_append_str(out, "  entrysubtype = {newspaper},\n");
            bib_field(out, "journaltitle", a->container, false);
            bib_field(out, "journal", a->container, false);
        } else if (k != CITE_KIND_DATASET) {
            bib_field(out, "organization", a->container, false);
        }
        if (k >= CITE_KIND_CHAPTER && k != CITE_KIND_NEWS) {
            /* a book's or a publisher's */
            bib_field(out, "publisher", a->publisher, false);
            bib_field(out, "address", a->place, false);
        }
        bib_date(out, &a->published);
        bib_verbatim(out, "doi", a->doi);
        bib_verbatim(out, "url", a->url);
        bib_field(out, "abstract", a->abstract, false);
        buf_append_str(out, "}\n");
        free(keys[i]);
        cite_view_release(&cv);
    }
    free(keys);
}

/* One RIS line; CR, LF and tabs in the value become spaces. */
static void
ris_line(struct buf *b, const char *tag, const char *value)
{
    const char *s;

    if (!value)
        return;
    buf_appendf(b, "%s  - ", tag);
    for (s = value; *s; s++)
        buf_append_char(b, (*s == '\r' || *s == '\n' || *s == '\t') ? ' '
                                                                   : *s);
    buf_append_str(b, "\r\n");
}

static void
ris_author(struct buf *b, const struct person *p)
{
    struct name_parts np;
    struct buf v = BUF_INIT;

    if (p->literal) {
        ris_line(b, "AU", p->literal);
        return;
    }
    cite_name_split(p, &np);
    if (!cite_name_scripts(&np, &v)) {
        buf_append_str(&v, np.family ? np.family : np.given);
        if (np.family && np.given)
            buf_appendf(&v, ", %s", np.given);
        if (np.suffix)
            buf_appendf(&v, ", %s", np.suffix);
    }
    ris_line(b, "AU", v.data);
    buf_release(&v);
    cite_name_release(&np);
}

static void
ris_date(struct buf *b, const struct dt *d)
{
    struct dt_parts p;
    struct buf v = BUF_INIT;

    if (!dt_is_set(d))
        return;
    dt_to_parts(d, &p);
    buf_appendf(&v, "%04d", p.year);
    ris_line(b, "PY", v.data);
    buf_append_char(&v, '/');
    if (d->prec >= DT_PREC_MONTH)
        buf_appendf(&v, "%02d", p.month);
    buf_append_char(&v, '/');
    if (d->prec >= DT_PREC_DAY)
        buf_appendf(&v, "%02d", p.day);
    buf_append_char(&v, '/');
    ris_line(b, "DA", v.data);
    buf_release(&v);
}

/* "767-777" as SP 767 and EP 777. */
static void
ris_pages(struct buf *b, const char *pages)
{
    const char *dash;
    char *first;

    if (pages == NULL)
        return;
    dash = strchr(pages, '-');
    if (dash == NULL) {
        ris_line(b, "SP", pages);
        return;
    }
    first = xstrndup(pages, (size_t)(dash - pages));
    ris_line(b, "SP", first);
    ris_line(b, "EP", dash + 1);
    free(first);
}

void
cite_ris(const struct article *v, size_t n, struct buf *out)
{
    static const char *const types[] = {"JOUR", "ELEC", "RPRT",   "GEN",
                                        "CHAP", "BOOK", "CPAPER", "ENCYC",
                                        "GEN",  "DATA", "NEWS"};
    size_t i, j;

    for (i = 0; i < n; i++) {
        struct cite_view cv;
        const struct article *a = &cv.a;
        enum cite_kind k;

        cite_view_init(&cv, &v[i]);
        k = cite_kind_of(a);
        ris_line(out, "TY", types[k]);
        for (j = 0; j < a->nauthors; j++)
            ris_author(out, &a->authors[j]);
        ris_line(out, "TI", a->title);
        if (k == CITE_KIND_REPORT) {
            ris_line(out, "PB", a->publisher ? a->publisher : a->container);
        } else if (k == CITE_KIND_PREPRINT) {
            ris_line(out, "PB", a->container ? a->container : a->publisher);
        } else if (k == CITE_KIND_BOOK) {
            ris_line(out, "T3", a->container); /* the series */
        } else {
            ris_line(out, "T2", a->container);
            if (k == CITE_KIND_JOURNAL)
                ris_line(out, "JO", a->container);
        }
        if (k == CITE_KIND_JOURNAL) {
            ris_line(out, "VL", a->volume);
            ris_line(out, "IS", a->issue);
        }
        if (k == CITE_KIND_JOURNAL || k == CITE_KIND_CHAPTER ||
            k == CITE_KIND_PAPER || k == CITE_KIND_ENTRY)
            ris_pages(out, a->pages);
        if (k != CITE_KIND_REPORT && k != CITE_KIND_PREPRINT)
            ris_line(out, "PB", a->publisher);
        ris_line(out, "CY", a->place);
        ris_date(out, &a->published);
        ris_line(out, "DO", a->doi);
        ris_line(out, "UR", a->url);
        ris_line(out, "AB", a->abstract);
        buf_append_str(out, "ER  - \r\n");
        cite_view_release(&cv);
    }
}

/*
 * feed_quirks: publishers' conventions, read as rules.
 *
 *  - A description that is only an issue/page statement ("Volume 28,
 *    Issue 4, October-December 2019, Page 767-777", Wiley's "Marine
 *    Policy, Volume 173, Issue 1, Page 1-10, March 2025." or "..., Early
 *    View.", ScienceDirect's "Publication date: ... Source: ...
 *    Author(s): ...") is no abstract: its volume, issue and pages are
 *    kept (and its "Publication date: February 2022" when the item has
 *    no date of its own), the text is not.
 *  - An abstract does not start with the byline ("by Jin Ke, Hayoung
 *    Song, ..." as PLOS writes its first paragraph) nor with arXiv's
 *    announcement header ("arXiv:2508.13426v1 Announce Type: cross
 *    Abstract: ...") nor with labelled lines before an "Abstract:" line
 *    ("MycoKeys 85: 73-85", "DOI: ...", "Authors: ...", as Pensoft writes
 *    them: their DOI, authors, volume and pages are kept), nor with the
 *    lines before an "Abstract" heading line, and does not end in bare
 *    "HTML", "XML", "PDF" link lines.
 *  - A feed's title is not, as it stands, a journal's name: "Most Recent
 *    Articles: BMC Bioinformatics", "Wiley: Polar Record: Table of
 *    Contents", "ScienceDirect Publication: Marine Policy", "Latest
 *    Results for Polar Biology", "cs.CL updates on arXiv.org".
 */
#include "arctic_digest/feed.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

/* Case-insensitive search for the ASCII word w in p[0..n). */
static const char *
find_ci(const char *p, size_t n, const char *w)
{
    size_t m = strlen(w), i;

    for (i = 0; i + m <= n; i++) {
        if (ascii_istarts(p + i, n - i, w))
            return p + i;
    }
    return NULL;
}

/* At a word boundary: start of text or after a non-letter. */
static bool
word_start(const char *base, const char *at)
{
    return at == base || !ascii_is_alpha(at[-1]);
}

/* w as a whole word (or phrase) in p[0..n): "in press", not "in
 * pressure". */
static const char *
find_word(const char *p, size_t n, const char *w)
{
    const char *at = p, *end = p + n;
    size_t m = strlen(w);

    while (at < end && (at = find_ci(at, (size_t)(end - at), w)) != NULL) {
        if (word_start(p, at) &&
            (!ascii_is_alpha(w[m - 1]) || at + m == end ||
             !ascii_is_alpha(at[m])))
            return at;
        at++;
    }
    return NULL;
}

/* Whether w[0..n) is one of list's words, case aside. */
static bool
word_in(const char *w, size_t n, const char *const *list, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (ascii_ieq_n(w, n, list[i]))
            return true;
    }
    return false;
}

/* Words that belong to an issue statement, not to prose. */
static const char *const statement_words[] = {
    "abstract", "ahead",     "and",         "april",     "august",
    "author",   "authors",   "available",   "date",      "december",
    "early",    "earlyview", "february",    "first",     "issue",
    "january",  "july",      "june",        "march",     "november",
    "number",   "october",   "online",      "page",      "pages",
    "press",    "print",     "publication", "published", "september",
    "source",   "special",   "supplement",  "view",      "volume",
};

/* Words of prose: four or more letters, starting in lower case, not of an
 * issue statement.  Journal names are capitalised; abstracts are not. */
static size_t
prose_words(const char *p, size_t n)
{
    size_t i = 0, count = 0;

    while (i < n) {
        size_t start = i;

        while (i < n && ascii_is_alpha(p[i]))
            i++;
        if (i - start >= 4 && p[start] >= 'a' && p[start] <= 'z' &&
            !word_in(p + start, i - start, statement_words,
                     ARRAY_SIZE(statement_words)))
            count++;
        if (i == start)
            i++;
    }
    return count;
}

static char *value_after(const char *p, size_t n, const char *w);

bool
feed_is_citation_line(const char *p, size_t n)
{
    /* locators count only with a number: "Volume 28", not "page after
     * page" */
    static const char *const locators[] = {"volume", "vol.", "issue",
                                           "pages",  "page", "pp."};
    static const char *const marks[] = {
        "early view",       "earlyview",        "ahead of print",
        "online first",     "in press",         "publication date:",
        "published online", "available online", "author(s):",
    };
    size_t i;
    bool mark = false;

    while (n > 0 && ascii_is_space(*p))
        p++, n--;
    if (n == 0)
        return true; /* nothing is no abstract either */
    if (n > 600)
        return false;
    for (i = 0; i < ARRAY_SIZE(locators) && !mark; i++) {
        char *v = value_after(p, n, locators[i]);

        mark = v != NULL;
        free(v);
    }
    for (i = 0; i < ARRAY_SIZE(marks) && !mark; i++)
        mark = find_word(p, n, marks[i]) != NULL;
    /* "Author(s): ..." names people: not prose, whatever their case */
    if (mark && find_ci(p, n, "author(s):") != NULL)
        n = (size_t)(find_ci(p, n, "author(s):") - p);
    return mark && prose_words(p, n) <= 2;
}

/* The token after the word w ("Volume 28" -> "28"): letters, digits and
 * "-/" (an issue "3-4", pages "767-777" or "767–777"). */
static char *
value_after(const char *p, size_t n, const char *w)
{
    const char *at = find_word(p, n, w), *end = p + n, *q;
    struct buf b = BUF_INIT;

    if (at == NULL)
        return NULL;
    q = at + strlen(w);
    while (q < end && (*q == ' ' || *q == ':' || *q == '.'))
        q++;
    while (q < end) {
        if (ascii_is_alnum(*q) || *q == '-' || *q == '/') {
            buf_append_char(&b, *q);
            q++;
        } else if (end - q >= 3 && memcmp(q, "\xe2\x80\x93", 3) == 0) {
            buf_append_char(&b, '-'); /* en dash */
            q += 3;
        } else {
            break;
        }
    }
    while (b.len > 0 && (b.data[b.len - 1] == '-' || b.data[b.len - 1] == '/'))
        b.data[--b.len] = '\0';
    /* a value holds a digit: "Issue" in "Special Issue on ..." is none */
    if (b.len == 0 || strpbrk(b.data, "0123456789") == NULL) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

bool
feed_month_year(const char *p, size_t n, struct dt *out)
{
    static const char *const months[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    size_t i, k;
    int y = 0;

    for (i = 0; i < ARRAY_SIZE(months); i++) {
        k = strlen(months[i]);
        if (n > k && ascii_istarts(p, n, months[i]) && p[k] == ' ')
            break;
    }
    if (i == ARRAY_SIZE(months) || n - k - 1 != 4)
        return false;
    for (p += k + 1, n = 0; n < 4; n++) {
        if (!ascii_is_digit(p[n]))
            return false;
        y = y * 10 + (p[n] - '0');
    }
    out->t = dt_days_from_civil(y, (int)i + 1, 1) * 86400;
    out->offset = 0;
    out->prec = DT_PREC_MONTH;
    return true;
}

/* ScienceDirect's "Publication date: February 2022" (or "1 March 2022",
 * "Available online 10 December 2021"), to its line's end, when the item
 * gives no date of its own. */
static void
statement_date(const char *p, size_t n, struct item *it)
{
    static const char *const heads[] = {"publication date:",
                                        "available online"};
    const char *at = NULL, *end;
    struct dt d;
    size_t i, len;

    if (dt_is_set(&it->published.d))
        return;
    for (i = 0; i < ARRAY_SIZE(heads) && at == NULL; i++) {
        at = find_ci(p, n, heads[i]);
        if (at != NULL)
            at += strlen(heads[i]);
    }
    if (at == NULL)
        return;
    end = memchr(at, '\n', (size_t)(p + n - at));
    if (end == NULL)
        end = p + n;
    while (at < end && ascii_is_space(*at))
        at++;
    len = (size_t)(end - at);
    while (len > 0 && (ascii_is_space(at[len - 1]) || at[len - 1] == '.'))
        len--;
    if (dt_parse(at, len, &d) == 0 || feed_month_year(at, len, &d)) {
        it->published.d = d;
        it->published.rank = 9; /* below any date element */
    }
}

void
feed_citation_parts(const char *p, size_t n, struct item *it)
{
    static const char *const vol[] = {"volume", "vol."};
    static const char *const iss[] = {"issue", "no.", "number"};
    static const char *const pag[] = {"pages", "page", "pp."};
    size_t i;

    for (i = 0; i < ARRAY_SIZE(vol) && feed_field_wants(&it->volume, 5); i++)
        feed_field_set(&it->volume, 5, value_after(p, n, vol[i]));
    for (i = 0; i < ARRAY_SIZE(iss) && feed_field_wants(&it->issue, 5); i++)
        feed_field_set(&it->issue, 5, value_after(p, n, iss[i]));
    for (i = 0; i < ARRAY_SIZE(pag) && feed_field_wants(&it->pages, 5); i++)
        feed_field_set(&it->pages, 5, value_after(p, n, pag[i]));
    statement_date(p, n, it);
    if (feed_field_wants(&it->byline, 5)) {
        const char *au = find_ci(p, n, "author(s):");
        if (au != NULL) {
            struct buf b = BUF_INIT;
            au += strlen("author(s):");
            text_one_line(au, (size_t)(p + n - au), &b);
            feed_field_set(&it->byline, 5, feed_detach_or_null(&b));
        }
    }
}

/* Length of arXiv's "arXiv:ID Announce Type: X Abstract: " header at the
 * start of p, or 0. */
static size_t
arxiv_header(const char *p, size_t n)
{
    const char *type, *abs;
    size_t head = n < 120 ? n : 120;

    if (!ascii_istarts(p, n, "arxiv:"))
        return 0;
    type = find_ci(p, head, "announce type:");
    if (type == NULL)
        return 0;
    abs = find_ci(type, (size_t)(p + n - type), "abstract:");
    if (abs == NULL || abs - p > 160)
        return 0;
    abs += strlen("abstract:");
    while (abs < p + n && ascii_is_space(*abs))
        abs++;
    return (size_t)(abs - p);
}

/* The first paragraph, when it is a byline ("by " and a capital, short):
 * the length to skip (up to the next paragraph, or all of p when the byline
 * is all there is) and, in *name_len, the byline's. */
static size_t
byline_paragraph(const char *p, size_t n, size_t *name_len)
{
    unsigned char c;
    size_t len;

    if (n < 5 || !ascii_istarts(p, n, "by "))
        return 0;
    c = (unsigned char)p[3];
    if (!((c >= 'A' && c <= 'Z') || c >= 0x80))
        return 0;
    for (len = 0; len + 1 < n; len++) {
        if (p[len] == '\n' && p[len + 1] == '\n')
            break;
    }
    if (len + 1 >= n) { /* one paragraph: a byline only if nothing else */
        if (n > 600 || prose_words(p, n) > 1)
            return 0;
        *name_len = n;
        return n;
    }
    /* As for one paragraph: a sentence that starts "By Combining ..." is
     * the abstract, not a byline. */
    if (len > 2000 || prose_words(p, len) > 1)
        return 0;
    *name_len = len;
    while (len < n && ascii_is_space(p[len]))
        len++;
    return len;
}

/*
 * A first line that is an issue statement before the abstract: Nature's
 * "Nature Climate Change, Published online: 14 August 2025;
 * doi:10.1038/...", SAGE's "Journal, Ahead of Print.".  The length to skip
 * (its parts kept in it), or 0 when the line is no statement or nothing
 * like prose follows it.
 */
/* Six words or more, two of them prose. */
static bool
looks_like_prose(const char *p, size_t n)
{
    size_t i, words = 0;

    for (i = 0; i < n; i++) {
        if (!ascii_is_space(p[i]) && (i == 0 || ascii_is_space(p[i - 1])))
            words++;
    }
    return words >= 6 && prose_words(p, n) >= 2;
}

static size_t
statement_line(const char *p, size_t n, struct item *it)
{
    size_t len = 0, next;

    while (len < n && p[len] != '\n')
        len++;
    next = len;
    while (next < n && ascii_is_space(p[next]))
        next++;
    /* The short first line first: the prose test reads the whole rest. */
    if (len == 0 || next >= n || !feed_is_citation_line(p, len) ||
        !looks_like_prose(p + next, n - next))
        return 0;
    feed_citation_parts(p, len, it);
    return next;
}

/* The rest of line p[0..n) after label ("DOI:"), trimmed; NULL if the
 * line does not start with it. */
static char *
label_value(const char *p, size_t n, const char *label)
{
    size_t k = strlen(label);

    if (!ascii_istarts(p, n, label))
        return NULL;
    p += k;
    n -= k;
    while (n > 0 && ascii_is_space(*p))
        p++, n--;
    while (n > 0 && ascii_is_space(p[n - 1]))
        n--;
    return n > 0 ? xstrndup(p, n) : NULL;
}

/* Does p[0..n) read "Journal 85: 73-85" (a volume and pages after a
 * name)?  Then keep them in it (when it is not NULL). */
static bool
volume_pages_line(const char *p, size_t n, struct item *it)
{
    const char *colon = memchr(p, ':', n), *v;
    char *vol, *pages;
    size_t i;

    if (colon == NULL || colon == p)
        return false;
    for (v = colon; v > p && ascii_is_digit(v[-1]); v--)
        ;
    if (v == colon || v == p || v[-1] != ' ')
        return false;
    i = (size_t)(colon + 1 - p);
    while (i < n && p[i] == ' ')
        i++;
    if (i == n || !ascii_is_digit(p[i])) /* pages start with a number */
        return false;
    for (; i < n; i++)
        if (!ascii_is_digit(p[i]) && p[i] != '-' && p[i] != ' ' &&
            !ascii_is_alpha(p[i]))
            return false;
    if (it == NULL)
        return true;
    vol = xstrndup(v, (size_t)(colon - v));
    pages = label_value(colon, (size_t)(p + n - colon), ":");
    if (feed_field_wants(&it->volume, 5))
        feed_field_set(&it->volume, 5, vol);
    else
        free(vol);
    if (pages != NULL && feed_field_wants(&it->pages, 5))
        feed_field_set(&it->pages, 5, pages);
    else
        free(pages);
    return true;
}

/*
 * A head of labelled lines before an "Abstract:" line, as Pensoft writes
 * it: "MycoKeys 85: 73-85", "DOI: 10.3897/...", "Authors: A, B",
 * "Abstract: text".  The DOI, authors, volume and pages are kept; the
 * length to skip up to the abstract's text, or 0 when the text has no
 * such head.  With it NULL nothing is kept: the head is only looked at
 * (nothing is kept from a text that turns out to have none).
 */
static size_t
labelled_head(const char *p, size_t n, struct item *it)
{
    static const char *const au[] = {"authors:", "author(s):", "author:"};
    size_t pos = 0, len, i, labels = 0;
    char *v;

    while (pos < n) {
        const char *line = p + pos;

        for (len = 0; pos + len < n && line[len] != '\n'; len++)
            ;
        if (ascii_istarts(line, len, "abstract:")) {
            pos += strlen("abstract:");
            while (pos < n && ascii_is_space(p[pos]))
                pos++;
            return labels > 0 ? pos : 0;
        }
        if ((v = label_value(line, len, "doi:")) != NULL) {
            char *doi = it ? article_doi_normalize(v) : NULL;

            if (doi != NULL && feed_field_wants(&it->doi, 3))
                feed_field_set(&it->doi, 3, doi);
            else
                free(doi);
            free(v);
            labels++;
        } else {
            for (i = 0; i < ARRAY_SIZE(au); i++) {
                v = label_value(line, len, au[i]);
                if (v != NULL)
                    break;
            }
            if (v != NULL) {
                if (it != NULL && feed_field_wants(&it->byline, 4))
                    feed_field_set(&it->byline, 4, v);
                else
                    free(v);
                labels++;
            } else if (len > 0 && !volume_pages_line(line, len, it)) {
                return 0; /* a line of text: no head */
            }
        }
        pos += len;
        while (pos < n && ascii_is_space(p[pos]))
            pos++;
    }
    return 0;
}

/*
 * An "Abstract" heading line after a head of other lines (the title again,
 * the authors, the citation, as Schweizerbart writes them): the length to
 * skip to the text under it, or 0.  A head longer than 1000 bytes is text
 * of its own, kept.
 */
static size_t
abstract_heading(const char *p, size_t n)
{
    static const char *const heads[] = {"abstract", "summary"};
    size_t pos = 0, len, i;

    while (pos < n && pos <= 1000) {
        const char *line = p + pos;

        for (len = 0; pos + len < n && line[len] != '\n'; len++)
            ;
        while (len > 0 && (ascii_is_space(line[len - 1]) ||
                           line[len - 1] == ':'))
            len--;
        for (i = 0; pos > 0 && i < ARRAY_SIZE(heads); i++) {
            if (len == strlen(heads[i]) && ascii_istarts(line, len, heads[i])) {
                pos += len;
                while (pos < n && (ascii_is_space(p[pos]) || p[pos] == ':'))
                    pos++;
                return pos < n ? pos : 0;
            }
        }
        while (pos + len < n && line[len] != '\n')
            len++;
        pos += len;
        while (pos < n && ascii_is_space(p[pos]))
            pos++;
    }
    return 0;
}

/* Links at the end ("HTML", "XML", "PDF" paragraphs, Pensoft's): cut. */
static void
cut_link_lines(char *s)
{
    static const char *const words[] = {"html", "xml", "pdf", "full text",
                                        "epub"};
    size_t n = strlen(s), i, start;
    bool cut = true;

    while (cut && n > 0) {
        cut = false;
        for (start = n; start > 0 && s[start - 1] != '\n'; start--)
            ;
        for (i = 0; i < ARRAY_SIZE(words) && start > 0; i++) {
            if (n - start == strlen(words[i]) &&
                ascii_istarts(s + start, n - start, words[i])) {
                n = start;
                while (n > 0 && ascii_is_space(s[n - 1]))
                    n--;
                s[n] = '\0';
                cut = true;
                break;
            }
        }
    }
}

char *
feed_clean_abstract(char *s, struct item *it)
{
    size_t n, skip, names = 0;
    struct buf b = BUF_INIT;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    skip = arxiv_header(s, n);
    if (skip == 0 && labelled_head(s, n, NULL) > 0)
        skip = labelled_head(s, n, it);
    if (skip == 0)
        skip = abstract_heading(s, n);
    if (skip > 0)
        cut_link_lines(s + skip);
    n = skip + strlen(s + skip);
    if (skip == 0) {
        skip = byline_paragraph(s, n, &names);
        if (skip > 0 && feed_field_wants(&it->byline, 4))
            feed_field_set(&it->byline, 4, xstrndup(s + 3, names - 3));
    }
    if (skip == n) { /* a byline and nothing else */
        free(s);
        return NULL;
    }
    skip += statement_line(s + skip, n - skip, it);
    if (feed_is_citation_line(s + skip, n - skip)) {
        feed_citation_parts(s + skip, n - skip, it);
        free(s);
        return NULL;
    }
    if (skip == 0)
        return s;
    buf_append(&b, s + skip, n - skip);
    free(s);
    return feed_detach_or_null(&b);
}

/* Does s start with prefix (any case)?  Then skip it. */
static bool
cut_prefix(const char **s, size_t *n, const char *prefix)
{
    if (!ascii_istarts(*s, *n, prefix) || *n <= strlen(prefix))
        return false;
    *s += strlen(prefix);
    *n -= strlen(prefix);
    return true;
}

static bool
cut_suffix(const char *s, size_t *n, const char *suffix)
{
    size_t m = strlen(suffix);

    if (*n <= m || !ascii_istarts(s + *n - m, m, suffix))
        return false;
    *n -= m;
    return true;
}

char *
feed_journal_of_title(const char *title)
{
    /* What feed platforms put around the journal's name. */
    static const char *const prefixes[] = {
        "Most Recent Articles: ",
        "Most Accessed Articles: ",
        "Latest Articles: ",
        "Latest articles in ",
        "Latest Results for ",
        "Latest Articles from ",
        "Arbeiten aus ", /* Schweizerbart: "papers from" */
        "Latest Issue of ",
        "Current Issue of ",
        "Recent articles in ",
        "Recent Articles: ",
        "Articles in press: ",
        "ScienceDirect Publication: ",
        "Wiley: ",
        "Taylor & Francis: ",
        "Taylor and Francis: ",
        "SAGE Publications Inc: ",
        "SAGE Publications Ltd: ",
        "SAGE Publications Ltd STM: ",
        "SAGE Publications India Pvt Ltd: ",
        "SAGE Publications: ",
        "The University of Chicago Press: ",
        "Cambridge Core: ",
        "Oxford University Press: ",
        "Springer: ",
        "tandf: ",
    };
    static const char *const suffixes[] = {
        ": Table of Contents", " - Table of Contents",
        " Table of Contents",  ": Latest Articles",
        " - Latest Articles",  ": Latest articles",
        ": New Articles",      " - New Articles",
        ": Most Recent",       " | New and Recent Articles",
        " | Latest",           ": Early View",
        ": Most Recent Articles",
        " - Early View",       " Advance Access",
        " Current Issue",      " - latest papers",
        ": latest papers",
    };
    const char *s;
    size_t n, i;
    bool again = true;

    if (title == NULL)
        return NULL;
    s = title;
    n = strlen(s);
    if (ascii_ends_with(s, n, " updates on arXiv.org"))
        return xstrdup("arXiv");
    if (find_ci(s, n, "bioRxiv Subject Collection") == s)
        return xstrdup("bioRxiv");
    if (find_ci(s, n, "medRxiv Subject Collection") == s)
        return xstrdup("medRxiv");
    while (again) {
        again = false;
        for (i = 0; i < ARRAY_SIZE(suffixes); i++)
            again |= cut_suffix(s, &n, suffixes[i]);
        for (i = 0; i < ARRAY_SIZE(prefixes); i++)
            again |= cut_prefix(&s, &n, prefixes[i]);
    }
    while (n > 0 && ascii_is_space(*s))
        s++, n--;
    while (n > 0 && ascii_is_space(s[n - 1]))
        n--;
    return n > 0 ? xstrndup(s, n) : NULL;
}

const char *
feed_title_without_statement(const char *title, const char *dctitle)
{
    size_t tn, dn;

    if (title == NULL || dctitle == NULL)
        return title;
    tn = strlen(title);
    dn = strlen(dctitle);
    if (dn == 0 || dn >= tn || strcmp(title + tn - dn, dctitle) != 0)
        return title;
    /* what comes before is "Journal, Vol. 9, Pages 120: " */
    if (tn - dn < 3 || title[tn - dn - 1] != ' ' || title[tn - dn - 2] != ':' ||
        !feed_is_citation_line(title, tn - dn - 2))
        return title;
    return dctitle;
}

/* s[0..n) without trailing spaces: its length. */
static size_t
trim_end(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n;
}

/* Letters and digits of a and b, compared without case. */
bool
feed_same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    for (;;) {
        while (*a != '\0' && !ascii_is_alnum(*a) && (unsigned char)*a < 0x80)
            a++;
        while (*b != '\0' && !ascii_is_alnum(*b) && (unsigned char)*b < 0x80)
            b++;
        if (*a == '\0' || *b == '\0')
            return *a == *b;
        if (ascii_tolower(*a) != ascii_tolower(*b))
            return false;
        a++;
        b++;
    }
}

/* Words that start an affiliation: a role or a unit (cut before them), or
 * an institution whose name starts one word earlier ("Miami
 * University"). */
static const char *const role_words[] = {
    "assistant", "associate",   "candidate",  "center",       "centre",
    "chair",     "clinical",    "collection", "dean",         "department",
    "director",  "division",    "doctoral",   "faculty",      "fellow",
    "head",      "independent", "institute",  "laboratory",   "lecturer",
    "librarian", "nursing",     "phd",        "postdoctoral", "professor",
    "research",  "researcher",  "school",     "senior",       "student",
};
static const char *const institution_words[] = {
    "academy", "college", "hospital",   "libraries",
    "library", "museum",  "university",
};

/* A word of a person's name: a capital first, then letters, dots,
 * hyphens or apostrophes (or any non-ASCII byte). */
static bool
name_word(const char *w, size_t n)
{
    size_t i;

    if (n == 0 ||
        !((w[0] >= 'A' && w[0] <= 'Z') || (unsigned char)w[0] >= 0x80))
        return false;
    for (i = 1; i < n; i++) {
        if (!ascii_is_alpha(w[i]) && w[i] != '.' && w[i] != '-' &&
            w[i] != '\'' && (unsigned char)w[i] < 0x80)
            return false;
    }
    return true;
}

size_t
feed_name_before_affiliation(const char *s)
{
    size_t n = strlen(s), head = strcspn(s, ",;"), i = 0, k = 0;
    size_t start[16];

    if (strchr(s, ';') != NULL || strchr(s, '@') != NULL)
        return n;
    while (i < head && k < ARRAY_SIZE(start)) {
        size_t w;

        while (i < head && s[i] == ' ')
            i++;
        if (i >= head)
            break;
        w = strcspn(s + i, " ,;/");
        if (w > head - i)
            w = head - i;
        start[k] = i;
        /* the name is two or more words before the affiliation */
        if (k >= 2 && word_in(s + i, w, role_words, ARRAY_SIZE(role_words)))
            return trim_end(s, start[k]);
        if (k >= 3 &&
            word_in(s + i, w, institution_words, ARRAY_SIZE(institution_words)))
            return trim_end(s, start[k - 1]);
        if (!name_word(s + i, w))
            return n;
        k++;
        i += w;
        if (i < head && s[i] == '/')
            return n;
    }
    return n;
}

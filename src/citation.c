/*
 * citation: Chicago, APA and MLA strings (see citation.h for the rules).
 *
 * Every string is built from small writers that know the markup: put()
 * for text that came from the record (escaped), lit() for our own words
 * and punctuation, ital_on()/ital_off() for italics.  The styles follow
 * the Chicago Manual of Style 17th ed. (14.68-14.75 journal articles,
 * 14.206 web pages, 14.220 reports; 14.76 more than ten authors), the APA
 * Publication Manual 7th ed. (9.7-9.12 authors, 9.14-9.17 dates, 10.1
 * journal articles, 10.4 reports, 10.16 web pages) and the MLA Handbook
 * 9th ed. (5.1-5.7 authors, 5.83-5.89 dates, 5.93-5.100 locations).
 */
#include "arctic_digest/citation.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "citation_int.h"

/* Where a citation goes: one buffer per markup asked for, all written in
 * the same pass, so the record is read and the title cased once. */
struct out {
    struct buf *b[3];
    enum cite_markup m[3];
    size_t n;
    char last; /* last character of the plain text written */
};

/* Text from the record, escaped for markup m. */
static void
put_to(struct buf *b, enum cite_markup m, const char *s, size_t n)
{
    if (m == CITE_MARKUP_MARKDOWN)
        text_escape_markdown(s, n, b);
    else if (m == CITE_MARKUP_HTML)
        text_escape_html(s, n, b);
    else
        buf_append(b, s, n);
}

static void
put_n(struct out *o, const char *s, size_t n)
{
    size_t i;

    if (!s || !n)
        return;
    for (i = 0; i < o->n; i++)
        put_to(o->b[i], o->m[i], s, n);
    o->last = s[n - 1];
}

static void
put(struct out *o, const char *s)
{
    if (s)
        put_n(o, s, strlen(s));
}

/* Our own words and punctuation: in markdown punctuation is escaped but
 * white space kept as it is (text_escape_markdown would trim it). */
static void
lit_to(struct buf *b, enum cite_markup m, const char *s, size_t n)
{
    static const char punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    size_t i;

    if (m == CITE_MARKUP_HTML) {
        text_escape_html(s, n, b);
    } else if (m == CITE_MARKUP_TEXT) {
        buf_append(b, s, n);
    } else {
        for (i = 0; i < n; i++) {
            if (strchr(punct, s[i]))
                buf_append_char(b, '\\');
            buf_append_char(b, s[i]);
        }
    }
}

static void
lit(struct out *o, const char *s)
{
    size_t n = strlen(s), i;

    if (!n)
        return;
    o->last = s[n - 1];
    for (i = 0; i < o->n; i++)
        lit_to(o->b[i], o->m[i], s, n);
}

static void
ital_on(struct out *o)
{
    size_t i;

    for (i = 0; i < o->n; i++) {
        if (o->m[i] == CITE_MARKUP_MARKDOWN)
            buf_append_char(o->b[i], '*');
        else if (o->m[i] == CITE_MARKUP_HTML)
            buf_append_str(o->b[i], "<i>");
    }
}

static void
ital_off(struct out *o)
{
    size_t i;

    for (i = 0; i < o->n; i++) {
        if (o->m[i] == CITE_MARKUP_MARKDOWN)
            buf_append_char(o->b[i], '*');
        else if (o->m[i] == CITE_MARKUP_HTML)
            buf_append_str(o->b[i], "</i>");
    }
}

static void typographic(const char *p, size_t n, bool quoted, struct buf *out);

/* A name in italics (a journal, a book), its apostrophes typographic as
 * a title's ("Guattari’s"). */
static void
italic(struct out *o, const char *s)
{
    struct buf q = BUF_INIT;

    if (!s || !*s)
        return;
    typographic(s, strlen(s), false, &q);
    ital_on(o);
    put_n(o, q.data, q.len);
    ital_off(o);
    buf_release(&q);
}

static bool
terminal(char c)
{
    return c == '.' || c == '?' || c == '!';
}

/* End a sentence with "." unless it already ends in . ? or !. */
static void
period(struct out *o)
{
    if (!terminal(o->last))
        lit(o, ".");
}

/* ---- names ---- */

void
cite_name_split(const struct person *p, struct name_parts *np)
{
    size_t at, keep;

    memset(np, 0, sizeof(*np));
    np->literal = p->literal;
    /* An empty part is no part ("李, , 陈, ," came of empty given names). */
    np->given = p->given && *p->given ? xstrdup(p->given) : NULL;
    np->family = p->family && *p->family ? xstrdup(p->family) : NULL;
    if (p->suffix && *p->suffix) { /* given apart, as Crossref does */
        np->suffix = xstrdup(p->suffix);
        return;
    }
    if (!np->family)
        return;
    /* "Brower, Sr." as Crossref deposits it: family "Brower", suffix
     * "Sr." (APA 7 9.8 "Brower, R. H., Sr.") */
    at = article_name_suffix(np->family, &keep);
    if (at) {
        np->suffix = xstrdup(np->family + at);
        np->family[keep] = '\0';
    }
}

void
cite_name_release(struct name_parts *np)
{
    free(np->given);
    free(np->family);
    free(np->suffix);
    memset(np, 0, sizeof(*np));
}

/* "J.A. Smith" -> "J. A. Smith": CMOS 10.12 and MLA space initials. */
static void
put_given(struct out *o, const char *g)
{
    struct buf b = BUF_INIT;
    size_t i;

    for (i = 0; g[i]; i++) {
        buf_append_char(&b, g[i]);
        if (g[i] == '.' && g[i + 1] >= 'A' && g[i + 1] <= 'Z')
            buf_append_char(&b, ' ');
    }
    put_n(o, b.data, b.len);
    buf_release(&b);
}

/* Length of the lower-case particles that open a family name: "van der "
 * of "van der Berg", "al-" of "al-Rashid"; 0 if none. */
static size_t
particle_len(const char *f)
{
    size_t i = 0, end = 0;

    while (f[i] >= 'a' && f[i] <= 'z') {
        while (f[i] >= 'a' && f[i] <= 'z')
            i++;
        if (f[i] == '-' && f[i + 1] && !(f[i + 1] >= 'a' && f[i + 1] <= 'z'))
            return i + 1;
        if (f[i] != ' ')
            return end;
        end = ++i;
    }
    return end;
}

/* Whether s holds a Han, kana or Hangul character: a name in an East
 * Asian script, which every style writes family name first, without a
 * comma or a space, and never as initials (CMOS 8.14, APA 7 9.8; CSL's
 * rule for non-romanised names): "李振福". */
static bool
is_cjk(const char *s)
{
    size_t i = 0, n = s ? strlen(s) : 0;

    while (i < n) {
        if (u8_is_east_asian(u8_next(s, n, &i)))
            return true;
    }
    return false;
}

bool
cite_name_scripts(const struct name_parts *np, struct buf *out)
{
    bool fc = is_cjk(np->family), gc = is_cjk(np->given);

    if (!np->family || !np->given || fc == gc)
        return false;
    buf_append_str(out, fc ? np->given : np->family);
    buf_append_char(out, ' ');
    buf_append_str(out, fc ? np->family : np->given);
    return true;
}

/* A name in an East Asian script, as above, or in two scripts: true when
 * it was put. */
static bool
put_cjk_name(struct out *o, const struct name_parts *np)
{
    struct buf b = BUF_INIT;

    if (cite_name_scripts(np, &b)) {
        put_n(o, b.data, b.len);
        buf_release(&b);
        return true;
    }
    buf_release(&b);
    if (!is_cjk(np->family) && !is_cjk(np->given))
        return false;
    if (np->family)
        put(o, np->family);
    if (np->given)
        put(o, np->given);
    return true;
}

/*
 * Whether the particles f[0..n) open with an article or a contraction of
 * an article and a preposition ("du", "des", "del", "della", "la", "le",
 * "vom", "zum"): the MLA Handbook uses French du and des and Spanish del
 * with the surname, capitalised ("Du Bos, Charles", "Del Río, Ángel"),
 * and library practice (AACR2 22.5D) enters French and German names
 * under such an article too; other particles (de, von, van, van der, da)
 * follow the given name ("Maupassant, Guy de", "Zayas, María de",
 * "Kleist, Heinrich von").
 */
static bool
particle_is_article(const char *f, size_t n)
{
    static const char *const articles[] = {
        "du",  "des", "del", "della", "delle", "dello", "degli",
        "la",  "le",  "les", "las",   "los",   "vom",   "zum",
        "zur", "am"};
    size_t i, w = 0;

    while (w < n && f[w] >= 'a' && f[w] <= 'z')
        w++;
    for (i = 0; i < ARRAY_SIZE(articles); i++)
        if (strlen(articles[i]) == w && !strncmp(f, articles[i], w))
            return true;
    return false;
}

/* Chicago and MLA: "Family, Given particle, Jr." (CMOS 8.5, 8.12: names
 * with van, de, al- are listed under the main element, "Berg, Jan van
 * der"), or "Given Family Jr.".  MLA keeps a particle that is an article
 * before the family name (particle_is_article). */
static void
name_full(struct out *o, const struct person *p, bool inverted, bool mla)
{
    struct name_parts np;
    size_t pl;

    if (p->literal) {
        put(o, p->literal);
        return;
    }
    cite_name_split(p, &np);
    if (put_cjk_name(o, &np)) {
        cite_name_release(&np);
        return;
    }
    if (inverted && np.family) {
        pl = np.given ? particle_len(np.family) : 0;
        if (mla && pl && particle_is_article(np.family, pl)) {
            /* it leads the entry: "Del Río" */
            np.family[0] = (char)(np.family[0] - 'a' + 'A');
            pl = 0;
        }
        put(o, np.family + pl);
        if (np.given) {
            lit(o, ", ");
            put_given(o, np.given);
        }
        if (pl) {
            lit(o, " ");
            put_n(o, np.family, np.family[pl - 1] == ' ' ? pl - 1 : pl);
        }
        if (np.suffix) {
            lit(o, ", ");
            put(o, np.suffix);
        }
    } else {
        if (np.given)
            put_given(o, np.given);
        if (np.given && np.family)
            lit(o, " ");
        put(o, np.family);
        if (np.suffix) {
            lit(o, " ");
            put(o, np.suffix);
        }
    }
    cite_name_release(&np);
}

/* True if w[0..n) is an abbreviated name such as "Th." or "Ch." that APA
 * keeps as its initial. */
static bool
is_abbrev(const char *w, size_t n)
{
    size_t i = 0, letters = 0;

    if (n < 3 || w[n - 1] != '.')
        return false;
    while (i < n - 1) {
        uint32_t cp = u8_next(w, n - 1, &i);
        if (!cite_is_letter(cp))
            return false;
        letters++;
    }
    return letters == 2;
}

/* APA initials: "Guðbjörg Ríkey Th." -> "G. R. Th.", "Jean-Paul" ->
 * "J.-P.", "J.A." -> "J. A.". */
static void
initials(struct buf *b, const char *g)
{
    size_t i = 0, n = strlen(g);
    bool word_start = true;

    while (i < n) {
        size_t at = i, end;
        uint32_t cp = u8_next(g, n, &i);

        if (cp == ' ') {
            word_start = true;
            continue;
        }
        if (cp == '-') {
            buf_append_char(b, '-');
            word_start = true;
            continue;
        }
        if (cp == '.') {
            word_start = true;
            continue;
        }
        if (!word_start || !cite_is_letter(cp))
            continue;
        end = at;
        while (end < n && g[end] != ' ' && g[end] != '-')
            end++;
        if (cite_lower(cp) == cp && cite_upper(cp) != cp && at > 0) {
            /* a particle inside the given names ("Jéssica da C."): kept
             * whole, as citeproc keeps it */
            buf_append_char(b, ' ');
            buf_append(b, g + at, end - at);
            i = end;
            word_start = false;
            continue;
        }
        if (b->len && b->data[b->len - 1] != '-')
            buf_append_char(b, ' ');
        if (is_abbrev(g + at, end - at)) {
            buf_append(b, g + at, end - at);
            i = end;
        } else {
            u8_append(b, cite_upper(cp));
            buf_append_char(b, '.');
        }
        word_start = false;
    }
}

/* APA: "Family, G. G., Jr.". */
static void
name_apa(struct out *o, const struct person *p)
{
    struct name_parts np;
    struct buf b = BUF_INIT;

    if (p->literal) {
        put(o, p->literal);
        return;
    }
    cite_name_split(p, &np);
    if (put_cjk_name(o, &np)) {
        cite_name_release(&np);
        return;
    }
    put(o, np.family ? np.family : np.given);
    if (np.given && np.family) {
        lit(o, ", ");
        initials(&b, np.given);
        put_n(o, b.data, b.len);
    }
    if (np.suffix) {
        lit(o, ", ");
        put(o, np.suffix);
    }
    buf_release(&b);
    cite_name_release(&np);
}

static void
authors_chicago(struct out *o, const struct article *a)
{
    size_t i, n = a->nauthors, shown = n > 10 ? 7 : n;

    for (i = 0; i < shown; i++) {
        if (i && i == n - 1)
            lit(o, ", and ");
        else if (i)
            lit(o, ", ");
        name_full(o, &a->authors[i], i == 0, false);
    }
    if (shown < n || a->others)
        lit(o, ", et al.");
}

static void
authors_mla(struct out *o, const struct article *a)
{
    name_full(o, &a->authors[0], true, true);
    if (a->nauthors == 2 && !a->others) {
        lit(o, ", and ");
        name_full(o, &a->authors[1], false, true);
    } else if (a->nauthors >= 2 || a->others) {
        lit(o, ", et al.");
    }
}

static void
authors_apa(struct out *o, const struct article *a)
{
    size_t i, n = a->nauthors;

    for (i = 0; i < n; i++) {
        if (n > 20 && i == 19) {
            lit(o, ", . . . ");
            i = n - 1;
        } else if (i && i == n - 1) {
            lit(o, ", & ");
        } else if (i) {
            lit(o, ", ");
        }
        name_apa(o, &a->authors[i]);
    }
    if (a->others && n <= 20) /* the feed named no more */
        lit(o, ", et al.");
}

/* ---- volume, issue, pages ---- */

static void put_date(struct out *o, const struct dt *d, enum cite_style s);

static bool
all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return n > 0;
}

/*
 * The last page as each style shortens it.  Chicago (CMOS 9.61): below
 * 100 and at multiples of 100 in full; 101-109 (and the like) the
 * changed part only; otherwise at least two digits ("767-77",
 * "1496-500").  MLA: in full through 99, else at least two digits.  APA:
 * in full.  Ranges that are not two numbers stay as they are.
 */
static void
put_pages(struct out *o, const char *pages, enum cite_style s)
{
    const char *dash = pages != NULL ? strchr(pages, '-') : NULL;
    const char *last;
    size_t fn, ln, keep;

    if (pages == NULL)
        return;
    if (dash == NULL) {
        put(o, pages);
        return;
    }
    last = dash + 1;
    fn = (size_t)(dash - pages);
    ln = strlen(last);
    put_n(o, pages, fn);
    lit(o, s == CITE_MLA ? "-" : "\xe2\x80\x93");
    if (s == CITE_APA || !all_digits(pages, fn) || !all_digits(last, ln) ||
        fn != ln || fn < 3) {
        put(o, last);
        return;
    }
    /* same length, at least three digits: drop the common lead */
    for (keep = 0; keep < fn && pages[keep] == last[keep]; keep++)
        ;
    if (s == CITE_CHICAGO && strncmp(pages + fn - 2, "00", 2) == 0) {
        put(o, last); /* 100-104, 1100-1113 */
        return;
    }
    if (s == CITE_CHICAGO && pages[fn - 2] == '0' && keep >= fn - 2) {
        put(o, last + (keep < fn - 1 ? keep : fn - 1)); /* 101-8 */
        return;
    }
    if (keep > fn - 2)
        keep = fn - 2;
    put(o, last + keep);
}

/* Chicago (CMOS 14.171): " 28, no. 4 (December 5, 2019): 767-77" after
 * the journal; the date as precise as the record has it, as CSL's
 * Chicago style gives it. */
static bool
chicago_locator(struct out *o, const struct article *a)
{
    if (a->volume == NULL && a->issue == NULL)
        return false;
    if (a->volume != NULL) {
        lit(o, " ");
        put(o, a->volume);
    }
    if (a->issue != NULL) {
        lit(o, ", no. "); /* "Mosaic, no. 28" without a volume */
        put(o, a->issue);
    }
    if (dt_is_set(&a->published)) {
        lit(o, " (");
        put_date(o, &a->published, CITE_CHICAGO);
        lit(o, ")");
    } else {
        lit(o, " (n.d.)");
    }
    if (a->pages != NULL) {
        lit(o, ": ");
        put_pages(o, a->pages, CITE_CHICAGO);
    }
    return true;
}

/* ---- kinds, titles, dates, links ---- */

static const char *const journal_words[] = {
    "affairs",  "annals",    "bulletin", "geography", "journal",
    "letters",  "proceedings", "quarterly", "record",  "research",
    "review",   "studies",   "transactions", "yearbook",
};

static const char *const report_words[] = {
    "report", "working paper", "policy brief", "briefing paper",
    "occasional paper", "white paper",
};

/* True if the lower-cased s holds word as a whole word. */
static bool
has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    const char *p = s;

    while ((p = strstr(p, word)) != NULL) {
        bool left = p == s || !((p[-1] >= 'a' && p[-1] <= 'z'));
        bool right = !(p[n] >= 'a' && p[n] <= 'z') || p[n] == 's';
        if (left && right)
            return true;
        p += n;
    }
    return false;
}

static bool
has_any(const char *s, const char *const *words, size_t nwords)
{
    struct buf b = BUF_INIT;
    size_t i;
    bool found = false;

    for (i = 0; s && s[i]; i++)
        buf_append_char(&b, (char)cite_lower((unsigned char)s[i]));
    for (i = 0; i < nwords && !found; i++)
        found = has_word(b.data, words[i]);
    buf_release(&b);
    return found;
}

/* Publishers, not periodicals, even when named "... Studies". */
static const char *const org_words[] = {
    "institute", "institut", "center", "centre", "council", "foundation",
    "secretariat", "ministry", "agency", "programme", "program",
};

enum cite_kind
cite_kind_of(const struct article *a)
{
    switch (a->kind) {
    case ARTICLE_KIND_JOURNAL:
        return CITE_KIND_JOURNAL;
    case ARTICLE_KIND_REPORT:
        return CITE_KIND_REPORT;
    case ARTICLE_KIND_PREPRINT:
        return CITE_KIND_PREPRINT;
    case ARTICLE_KIND_CHAPTER:
        return CITE_KIND_CHAPTER;
    case ARTICLE_KIND_WEB:
    case ARTICLE_KIND_NEWS:
        return CITE_KIND_WEB;
    case ARTICLE_KIND_BOOK:
        return CITE_KIND_BOOK;
    case ARTICLE_KIND_PAPER:
        return CITE_KIND_PAPER;
    case ARTICLE_KIND_ENTRY:
        return CITE_KIND_ENTRY;
    case ARTICLE_KIND_POSTED:
    case ARTICLE_KIND_REVIEW:
        return CITE_KIND_POSTED;
    case ARTICLE_KIND_DATASET:
        return CITE_KIND_DATASET;
    case ARTICLE_KIND_UNKNOWN:
        break;
    }
    if (a->doi)
        return CITE_KIND_JOURNAL;
    if (has_any(a->container, journal_words, ARRAY_SIZE(journal_words)) &&
        !has_any(a->container, org_words, ARRAY_SIZE(org_words)))
        return CITE_KIND_JOURNAL;
    if (has_any(a->title, report_words, ARRAY_SIZE(report_words)))
        return CITE_KIND_REPORT;
    return CITE_KIND_WEB;
}

const char *
cite_kind_name(enum cite_kind k)
{
    static const char *const names[] = {
        "journal", "web",   "report", "preprint", "chapter",
        "book",    "paper", "entry",  "posted",   "dataset"};
    return names[k];
}

/* Whether the code point is a letter or a digit (for quotes). */
static bool
word_char(uint32_t c)
{
    return cite_is_letter(c) || (c >= '0' && c <= '9');
}

/*
 * The title's quotation marks and apostrophes made typographic, as
 * citeproc writes them (CMOS 6.9, 6.11; APA 7 6.7): an apostrophe is ’
 * ("Russia’s"); quotations are nested inside the title's own quotation
 * marks, so inside a quoted title (Chicago, MLA) every quotation takes
 * single marks (‘New’), and in an unquoted one (APA) double marks
 * (“New”).  Straight and curly marks are read alike.
 */
static void
typographic(const char *p, size_t n, bool quoted, struct buf *out)
{
    const char *open = quoted ? "\u2018" : "\u201c";
    const char *close = quoted ? "\u2019" : "\u201d";
    size_t i = 0;
    uint32_t prev = ' ';
    int depth = 0; /* quotations open */

    while (i < n) {
        size_t at = i;
        uint32_t c = u8_next(p, n, &i), next = 0;
        bool opening;

        if (i < n) {
            size_t k = i;
            next = u8_next(p, n, &k);
        }
        if (c == '"' || c == 0x201c || c == 0x201d) {
            opening = c == 0x201c ||
                      (c == '"' && (!word_char(prev) && prev != '.' &&
                                    prev != '?' && prev != '!' &&
                                    prev != ','));
            if (c == 0x201d)
                opening = false;
            buf_append_str(out, opening ? open : close);
            depth += opening ? 1 : depth > 0 ? -1 : 0;
        } else if (c == '\'' || c == 0x2018 || c == 0x2019) {
            if (word_char(prev) && word_char(next)) {
                buf_append_str(out, "\u2019"); /* an apostrophe */
            } else if (c == 0x2018 ||
                       (c == '\'' && !word_char(prev) && prev != '.' &&
                        prev != '?' && prev != '!' && word_char(next))) {
                buf_append_str(out, open);
                depth++;
            } else if (depth > 0) {
                buf_append_str(out, close);
                depth--;
            } else {
                buf_append_str(out, "\u2019"); /* "the 1990s’", "Jones’" */
            }
        } else {
            buf_append(out, p + at, i - at);
        }
        prev = c;
    }
}

/* Whether text ends a sentence: ".", "?" or "!", maybe inside closing
 * quotation marks ("Parliament?’"). */
static bool
ends_sentence(const char *p, size_t n)
{
    while (n >= 3 && (!memcmp(p + n - 3, "\u2019", 3) ||
                      !memcmp(p + n - 3, "\u201d", 3)))
        n -= 3;
    return n > 0 && terminal(p[n - 1]);
}

/* Add the names of several words in s (a publisher, a corporate author:
 * "U.S. Department of Health and Human Services, ..., National Institute
 * for Occupational Safety and Health"), split at commas and slashes, to
 * names (at most cap); copies go into pool, one NUL-ended name each. */
static size_t
org_names(const char *s, struct buf *pool, size_t *at, size_t n, size_t cap)
{
    size_t i = 0, len;

    while (s && s[i] && n < cap) {
        while (s[i] == ' ' || s[i] == ',' || s[i] == '/')
            i++;
        len = strcspn(s + i, ",/");
        while (len > 0 && s[i + len - 1] == ' ')
            len--;
        if (len > 0 && memchr(s + i, ' ', len)) {
            at[n++] = pool->len;
            buf_append(pool, s + i, len);
            buf_append_char(pool, '\0');
        }
        i += strcspn(s + i, ",/");
    }
    return n;
}

/* APA sentence case, keeping the names of the record's organisations
 * (its publisher, its corporate authors) that the title holds. */
static void
sentence_case(const struct article *a, struct buf *out)
{
    struct buf pool = BUF_INIT;
    size_t at[16], n = 0, i;
    const char *keep[16];

    n = org_names(a->publisher, &pool, at, n, ARRAY_SIZE(at));
    for (i = 0; i < a->nauthors; i++)
        n = org_names(a->authors[i].literal, &pool, at, n, ARRAY_SIZE(at));
    for (i = 0; i < n; i++)
        keep[i] = pool.data + at[i];
    cite_sentence_case_keeping(a->title, strlen(a->title), keep, n, out);
    buf_release(&pool);
}

/* The title, cased and typographic. */
static void
put_title(struct out *o, const struct article *a, bool sentence,
          bool quoted)
{
    struct buf b = BUF_INIT, q = BUF_INIT;

    if (!a->title)
        return;
    if (!cite_lang_recased(a->lang))
        buf_append_str(&b, a->title);
    else if (sentence)
        sentence_case(a, &b);
    else
        cite_title_case(a->title, strlen(a->title), &b);
    typographic(b.data, b.len, quoted, &q);
    put_n(o, q.data, q.len);
    /* A title that ends its sentence inside a quotation ("... Parliament?’")
     * takes no period after it. */
    if (ends_sentence(q.data, q.len))
        o->last = '?';
    buf_release(&b);
    buf_release(&q);
}

/* “Title.” with the period inside the quotes (Chicago, MLA). */
static void
quoted_title(struct out *o, const struct article *a)
{
    lit(o, "\u201c");
    put_title(o, a, false, true);
    if (!terminal(o->last))
        lit(o, ".");
    lit(o, "\u201d");
}

/* The period after a title that is not in quotation marks (APA): inside a
 * closing quotation mark that ends it, in the American way, as citeproc
 * does ("“Maybe.”"). */
static void
title_period(struct out *o)
{
    size_t i;

    if (terminal(o->last))
        return;
    for (i = 0; i < o->n; i++) {
        struct buf *b = o->b[i];
        if (b->len >= 3 && !memcmp(b->data + b->len - 3, "\u201d", 3)) {
            b->len -= 3;
            b->data[b->len] = '\0';
            lit_to(b, o->m[i], ".", 1);
            buf_append_str(b, "\u201d");
        } else {
            lit_to(b, o->m[i], ".", 1);
        }
    }
    o->last = '.';
}

static void
italic_title(struct out *o, const struct article *a, bool sentence)
{
    ital_on(o);
    put_title(o, a, sentence, false);
    ital_off(o);
    period(o);
}

/* A URL that markdown's <...> destination and an href take as it is:
 * http or https, no white space, controls, angle brackets, quotes or
 * backslashes (anything else stays plain text in the citation). */
static bool
linkable(const char *url)
{
    const unsigned char *p;

    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return false;
    for (p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>\"\\", *p))
            return false;
    return true;
}

static void
put_doi_or_url(struct out *o, const struct article *a, bool mla)
{
    struct buf u = BUF_INIT;
    const char *url = a->url, *href;
    size_t i;

    if (a->doi) {
        buf_appendf(&u, "https://doi.org/%s", a->doi);
    } else if (url) {
        if (mla && !strncmp(url, "https://", 8))
            url += 8;
        else if (mla && !strncmp(url, "http://", 7))
            url += 7;
        buf_append_str(&u, url);
    }
    href = a->doi ? u.data : a->url;
    for (i = 0; i < o->n; i++) {
        struct buf *b = o->b[i];
        if (o->m[i] == CITE_MARKUP_TEXT || !linkable(href)) {
            put_to(b, o->m[i], u.data, u.len);
        } else if (o->m[i] == CITE_MARKUP_MARKDOWN) {
            buf_append_char(b, '[');
            put_to(b, o->m[i], u.data, u.len);
            buf_appendf(b, "](<%s>)", href);
        } else {
            buf_append_str(b, "<a href=\"");
            text_escape_html(href, strlen(href), b);
            buf_append_str(b, "\">");
            put_to(b, o->m[i], u.data, u.len);
            buf_append_str(b, "</a>");
        }
    }
    if (u.len)
        o->last = u.data[u.len - 1];
    buf_release(&u);
}

static bool
has_link(const struct article *a)
{
    return a->doi || a->url;
}

/*
 * Who published the work, as the styles name it: the publisher; for a
 * report without one, its container (a feed's report series is its
 * institution); for a preprint, nobody when its server is the container
 * (the server stands for it); NULL when nobody is known.
 */
static const char *
publisher_of(const struct article *a, enum cite_kind k)
{
    if (k == CITE_KIND_REPORT)
        return a->publisher ? a->publisher : a->container;
    if (k == CITE_KIND_PREPRINT && a->container)
        return NULL;
    if (k == CITE_KIND_JOURNAL || k == CITE_KIND_WEB)
        return NULL;
    return a->publisher;
}

/* The only author is the organisation that publishes it. */
static bool
author_is_publisher(const struct article *a)
{
    const char *pub = publisher_of(a, cite_kind_of(a));

    if (!pub)
        pub = a->container;
    return a->nauthors == 1 && a->authors[0].literal && pub &&
           !strcmp(a->authors[0].literal, pub);
}

/* A work published as a whole or as part of a book, which the styles date
 * by its year (CMOS 14.100, MLA 9 5.69). */
static bool
dated_by_year(enum cite_kind k)
{
    return k == CITE_KIND_BOOK || k == CITE_KIND_CHAPTER ||
           k == CITE_KIND_PAPER;
}

static const char *const mla_months[] = {
    "Jan.", "Feb.", "Mar.",  "Apr.", "May",  "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."};

static void
put_date(struct out *o, const struct dt *d, enum cite_style s)
{
    struct buf b = BUF_INIT;
    struct dt_parts p;

    dt_to_parts(d, &p);
    if (s == CITE_CHICAGO) {
        dt_format_long(d, &b);
    } else if (s == CITE_MLA) {
        if (d->prec >= DT_PREC_DAY)
            buf_appendf(&b, "%d ", p.day);
        if (d->prec >= DT_PREC_MONTH)
            buf_appendf(&b, "%s ", mla_months[p.month - 1]);
        buf_appendf(&b, "%d", p.year);
    } else {
        buf_appendf(&b, "%d", p.year);
        if (d->prec >= DT_PREC_MONTH)
            buf_appendf(&b, ", %s", dt_month_name(p.month));
        if (d->prec >= DT_PREC_DAY)
            buf_appendf(&b, " %d", p.day);
    }
    put_n(o, b.data, b.len);
    buf_release(&b);
}

/* ---- the styles ---- */

/* The date, or "n.d.", at the precision the kind is dated by. */
static void
put_date_or_nd(struct out *o, const struct article *a, enum cite_kind k,
               enum cite_style s)
{
    struct dt d = a->published;

    if (!dt_is_set(&d)) {
        lit(o, "n.d.");
        return;
    }
    if (dated_by_year(k))
        d.prec = DT_PREC_YEAR;
    put_date(o, &d, s);
}

/* CMOS 14.127-14.135: "Place: Publisher, date" ("Cham: Springer, 2017"),
 * the place only with a publisher. */
static void
chicago_imprint(struct out *o, const struct article *a, enum cite_kind k)
{
    const char *pub = publisher_of(a, k);

    if (pub && a->place) {
        put(o, a->place);
        lit(o, ": ");
    }
    if (pub) {
        put(o, pub);
        lit(o, ", ");
    }
    put_date_or_nd(o, a, k, CITE_CHICAGO);
    period(o);
}

/* CMOS 14.9, 14.217: "In *Book*, 155–58. Place: Publisher, 2015.";
 * without a publisher "In *Book*, 155–58, 2015.", as citeproc's Chicago
 * style writes it. */
static void
chicago_chapter(struct out *o, const struct article *a, enum cite_kind k)
{
    bool pub = publisher_of(a, k) != NULL;

    if (a->container) {
        lit(o, "In ");
        italic(o, a->container);
    }
    if (a->pages) {
        if (a->container)
            lit(o, ", ");
        put_pages(o, a->pages, CITE_CHICAGO);
    }
    if (pub && (a->container || a->pages)) {
        period(o); /* not after "INFOVIS 2005." */
        lit(o, " ");
    } else if (a->container || a->pages) {
        lit(o, ", ");
    }
    chicago_imprint(o, a, k);
}

static void
chicago(struct out *o, const struct article *a)
{
    enum cite_kind k = cite_kind_of(a);

    if (a->nauthors) {
        authors_chicago(o, a);
        period(o);
        lit(o, " ");
    }
    if (k == CITE_KIND_REPORT || k == CITE_KIND_BOOK)
        italic_title(o, a, false);
    else if (a->title)
        quoted_title(o, a);
    if (a->title)
        lit(o, " ");
    if (k == CITE_KIND_CHAPTER || k == CITE_KIND_PAPER) {
        chicago_chapter(o, a, k);
    } else if (k == CITE_KIND_BOOK || k == CITE_KIND_ENTRY ||
               k == CITE_KIND_POSTED || k == CITE_KIND_DATASET ||
               publisher_of(a, k)) {
        /* CMOS 14.123: a book's series in roman after its title; 14.234:
         * a reference work in italics */
        if (k == CITE_KIND_BOOK && a->container) {
            put(o, a->container);
            lit(o, ". ");
        } else if (k == CITE_KIND_ENTRY && a->container) {
            italic(o, a->container);
            lit(o, ". ");
        }
        chicago_imprint(o, a, k);
    } else {
        if (k == CITE_KIND_JOURNAL || k == CITE_KIND_PREPRINT)
            italic(o, a->container); /* a preprint's server as a periodical */
        else
            put(o, a->container);
        if (k == CITE_KIND_JOURNAL && chicago_locator(o, a)) {
            period(o);
        } else {
            if (a->container)
                lit(o, ", ");
            put_date_or_nd(o, a, k, CITE_CHICAGO);
            if (k == CITE_KIND_JOURNAL && a->pages != NULL) {
                lit(o, ", ");
                put_pages(o, a->pages, CITE_CHICAGO);
            }
            period(o);
        }
    }
    if (has_link(a)) {
        lit(o, " ");
        put_doi_or_url(o, a, false);
        period(o);
    }
}

static void
apa_date(struct out *o, const struct article *a)
{
    struct dt d = a->published;

    /* Journal articles and reports give the year only (APA 10.1, 10.4). */
    if (cite_kind_of(a) != CITE_KIND_WEB && d.prec > DT_PREC_YEAR)
        d.prec = DT_PREC_YEAR;
    lit(o, "(");
    if (dt_is_set(&d))
        put_date(o, &d, CITE_APA);
    else
        lit(o, "n.d.");
    lit(o, ").");
}

/* APA 7 (10.1): ", *28*(4), 767-777" after the journal. */
static void
apa_locator(struct out *o, const struct article *a)
{
    if (a->volume != NULL) {
        lit(o, ", ");
        italic(o, a->volume);
    }
    if (a->issue != NULL) {
        lit(o, a->volume != NULL ? "(" : ", (");
        put(o, a->issue);
        lit(o, ")");
    }
    if (a->pages != NULL) {
        lit(o, ", ");
        put_pages(o, a->pages, CITE_APA);
    }
}

/* APA 7 (10.1, 10.3, 10.5, 10.6, 10.8, 10.9): the title of an article,
 * a chapter, a conference paper or an entry stands plain, a preprint's
 * and a data set's are italic and say so, other works' are italic. */
static void
apa_title(struct out *o, const struct article *a, enum cite_kind k)
{
    if (k == CITE_KIND_JOURNAL || k == CITE_KIND_CHAPTER ||
        k == CITE_KIND_PAPER || k == CITE_KIND_ENTRY) {
        put_title(o, a, true, false);
        title_period(o);
    } else if (k == CITE_KIND_PREPRINT || k == CITE_KIND_DATASET) {
        ital_on(o);
        put_title(o, a, true, false);
        ital_off(o);
        lit(o, k == CITE_KIND_PREPRINT ? " [Preprint]." : " [Data set].");
    } else {
        italic_title(o, a, true);
    }
}

/* APA 7: where the work is: "In *Book* (pp. 155–158)." (10.3), "In
 * *Encyclopedia*." (10.3), "*Journal*, 28(4), 767–777." (10.1; a paper in
 * proceedings as citeproc writes it), "Site." (10.16), "Server." (10.8). */
static void
apa_source(struct out *o, const struct article *a, enum cite_kind k)
{
    if (!a->container)
        return;
    if (k == CITE_KIND_CHAPTER || k == CITE_KIND_ENTRY) {
        lit(o, " In ");
        italic(o, a->container);
        if (k == CITE_KIND_CHAPTER && a->pages) {
            lit(o, strchr(a->pages, '-') ? " (pp. " : " (p. ");
            put_pages(o, a->pages, CITE_APA);
            lit(o, ")");
        }
        period(o);
    } else if (k == CITE_KIND_JOURNAL || k == CITE_KIND_PAPER) {
        lit(o, " ");
        italic(o, a->container);
        apa_locator(o, a);
        period(o);
    } else if ((k == CITE_KIND_WEB || k == CITE_KIND_PREPRINT ||
                k == CITE_KIND_POSTED || k == CITE_KIND_DATASET) &&
               !author_is_publisher(a)) {
        lit(o, " ");
        put(o, a->container);
        period(o);
    }
}

static void
apa(struct out *o, const struct article *a)
{
    enum cite_kind k = cite_kind_of(a);
    bool title_first = a->nauthors == 0;
    const char *pub = publisher_of(a, k);

    if (title_first) {
        apa_title(o, a, k);
    } else {
        authors_apa(o, a);
        period(o);
    }
    lit(o, " ");
    apa_date(o, a);
    if (!title_first && a->title) {
        lit(o, " ");
        apa_title(o, a, k);
    }
    apa_source(o, a, k);
    /* the publisher, unless it is the author (9.24) or, for a paper, the
     * proceedings stand as a periodical */
    if (pub && k != CITE_KIND_PAPER && !author_is_publisher(a)) {
        lit(o, " ");
        put(o, pub);
        period(o);
    }
    if (has_link(a)) {
        lit(o, " ");
        put_doi_or_url(o, a, false);
    }
}

/* MLA 9: the container in italics after the title (5.54-5.66), except a
 * report's, which names its publisher, and a book's, which is its
 * series. */
static bool
mla_container(struct out *o, const struct article *a, enum cite_kind k)
{
    if (!a->container || k == CITE_KIND_REPORT || k == CITE_KIND_BOOK)
        return false;
    lit(o, " ");
    italic(o, a->container);
    return true;
}

static void
mla(struct out *o, const struct article *a)
{
    enum cite_kind k = cite_kind_of(a);
    bool date = dt_is_set(&a->published), any;
    /* MLA 9 5.67: no publisher for periodicals; citeproc's style gives
     * none for a paper in proceedings either */
    const char *pub = k == CITE_KIND_PAPER ? NULL : publisher_of(a, k);

    if (a->nauthors && !author_is_publisher(a)) {
        authors_mla(o, a);
        period(o);
        lit(o, " ");
    }
    if (k == CITE_KIND_REPORT || k == CITE_KIND_BOOK)
        italic_title(o, a, false);
    else if (a->title)
        quoted_title(o, a);
    any = mla_container(o, a, k);
    if (pub) {
        lit(o, any ? ", " : " ");
        put(o, pub);
        any = true;
    }
    /* MLA 9: "vol. 28, no. 4, 2019, pp. 767-77" */
    if (k == CITE_KIND_JOURNAL && a->volume != NULL) {
        lit(o, any ? ", vol. " : " vol. ");
        put(o, a->volume);
        any = true;
    }
    if (k == CITE_KIND_JOURNAL && a->issue != NULL) {
        /* Two or more issues in one are "nos. 2-3" (MLA 9). */
        bool several = strpbrk(a->issue, "-,&") != NULL ||
                       strstr(a->issue, "\u2013") != NULL;

        lit(o, any ? ", " : " ");
        lit(o, several ? "nos. " : "no. ");
        put(o, a->issue);
        any = true;
    }
    if (date) {
        struct dt d = a->published;

        if (dated_by_year(k))
            d.prec = DT_PREC_YEAR;
        /* An article in a numbered issue is dated as its issue is, by
         * month or season and year (the MLA Handbook's journal examples,
         * "vol. 71, no. 3, Autumn 2015"): Crossref's day is the day it
         * went online.  One published ahead of any issue keeps its day. */
        if (k == CITE_KIND_JOURNAL && (a->volume || a->issue) &&
            d.prec > DT_PREC_MONTH)
            d.prec = DT_PREC_MONTH;
        lit(o, any ? ", " : " ");
        put_date(o, &d, CITE_MLA);
        any = true;
    }
    if ((k == CITE_KIND_JOURNAL || k == CITE_KIND_CHAPTER ||
         k == CITE_KIND_PAPER) &&
        a->pages != NULL) {
        lit(o, strchr(a->pages, '-') != NULL ? (any ? ", pp. " : " pp. ")
                                              : (any ? ", p. " : " p. "));
        put_pages(o, a->pages, CITE_MLA);
        any = true;
    }
    if (has_link(a)) {
        lit(o, any ? ", " : " ");
        put_doi_or_url(o, a, true);
        any = true;
    }
    if (any)
        period(o);
}

void
cite_view_init(struct cite_view *v, const struct article *a)
{
    v->a = *a;
    v->volume = article_locator(a->volume);
    v->issue = article_locator(a->issue);
    v->pages = article_locator(a->pages);
    v->a.volume = v->volume;
    v->a.issue = v->issue;
    v->a.pages = v->pages;
}

void
cite_view_release(struct cite_view *v)
{
    free(v->volume);
    free(v->issue);
    free(v->pages);
    memset(v, 0, sizeof(*v));
}

static void
format(const struct article *orig, enum cite_style s, struct out *o)
{
    struct cite_view v;
    const struct article *a = &v.a;

    cite_view_init(&v, orig);
    switch (s) {
    case CITE_CHICAGO:
        chicago(o, a);
        break;
    case CITE_APA:
        apa(o, a);
        break;
    case CITE_MLA:
        mla(o, a);
        break;
    }
    cite_view_release(&v);
}

void
cite_format(const struct article *a, enum cite_style s, enum cite_markup m,
            struct buf *b)
{
    struct out o = {{b, NULL, NULL}, {m, m, m}, 1, '\0'};

    format(a, s, &o);
}

void
cite_format_all(const struct article *a, enum cite_style s, struct buf out[3])
{
    struct out o = {{&out[CITE_MARKUP_TEXT], &out[CITE_MARKUP_MARKDOWN],
                     &out[CITE_MARKUP_HTML]},
                    {CITE_MARKUP_TEXT, CITE_MARKUP_MARKDOWN, CITE_MARKUP_HTML},
                    3,
                    '\0'};

    format(a, s, &o);
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

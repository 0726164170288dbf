/*
 * citation_style: what kind of work a record is, its volume, issue and
 * pages as each style writes them, and the three styles' entries: the
 * Chicago Manual of Style 17th ed. (14.68-14.75 journal articles, 14.191
 * newspapers and magazines, 14.206 web pages, 14.220 reports), the APA
 * Publication Manual 7th ed. (10.1 journal, magazine and newspaper
 * articles, 10.4 reports, 10.16 web pages) and the MLA Handbook
 * 9th ed. (5.54-5.100).
 */
#include <string.h>

#include "arctic_digest/util.h"
#include "citation_int.h"

/* ---- volume, issue, pages ---- */


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
 * One page or range p[0..n), the last page as each style shortens it.
 * Chicago (CMOS 17 9.61): below 100 and at multiples of 100 in full;
 * 101-109 (and the like) the changed part only; otherwise at least two
 * digits ("767-77", "1496-500").  MLA: in full through 99, else at least
 * two digits.  APA: in full (9.29), so a range deposited shortened
 * ("321-28") is written out, as the others start from it written out.
 * Ranges that are not two numbers stay as they are.
 */
static void
put_range(struct cite_out *o, const char *p, size_t n, enum cite_style s)
{
    const char *dash = memchr(p, '-', n);
    char last[24];
    size_t fn, ln, keep;

    if (dash == NULL) {
        cite_put_n(o, p, n);
        return;
    }
    fn = (size_t)(dash - p);
    ln = n - fn - 1;
    cite_put_n(o, p, fn);
    cite_lit(o, s == CITE_MLA ? "-" : "\xe2\x80\x93");
    if (!all_digits(p, fn) || !all_digits(dash + 1, ln) || ln > fn ||
        fn >= sizeof(last)) {
        cite_put_n(o, dash + 1, ln);
        return;
    }
    /* the last page in full: "321-28" is 321-328 */
    memcpy(last, p, fn - ln);
    memcpy(last + fn - ln, dash + 1, ln);
    last[fn] = '\0';
    if (s == CITE_APA || fn < 3) {
        cite_put(o, last);
        return;
    }
    /* at least three digits: drop the common lead */
    for (keep = 0; keep < fn && p[keep] == last[keep]; keep++)
        ;
    if (s == CITE_CHICAGO && strncmp(p + fn - 2, "00", 2) == 0) {
        cite_put(o, last); /* 100-104, 1100-1113 */
        return;
    }
    if (s == CITE_CHICAGO && p[fn - 2] == '0' && keep >= fn - 2) {
        cite_put(o, last + (keep < fn - 1 ? keep : fn - 1)); /* 101-8 */
        return;
    }
    if (keep > fn - 2)
        keep = fn - 2;
    cite_put(o, last + keep);
}

/* The pages: a page, a range or a list of them ("123-130, 135"), each
 * range as the style writes it (put_range). */
static void
put_pages(struct cite_out *o, const char *pages, enum cite_style s)
{
    size_t i = 0, n, len;

    if (pages == NULL)
        return;
    n = strlen(pages);
    while (i < n) {
        while (i < n && pages[i] == ' ')
            i++;
        len = strcspn(pages + i, ",");
        while (len > 0 && pages[i + len - 1] == ' ')
            len--;
        put_range(o, pages + i, len, s);
        i += strcspn(pages + i, ",");
        if (i < n) {
            cite_lit(o, ", ");
            i++;
        }
    }
}

/* Chicago (CMOS 14.171): " 28, no. 4 (December 5, 2019): 767-77" after
 * the journal; the date as precise as the record has it, as CSL's
 * Chicago style gives it. */
static bool
chicago_locator(struct cite_out *o, const struct article *a)
{
    if (a->volume == NULL && a->issue == NULL)
        return false;
    if (a->volume != NULL) {
        cite_lit(o, " ");
        cite_put(o, a->volume);
    }
    if (a->issue != NULL) {
        cite_lit(o, ", no. "); /* "Mosaic, no. 28" without a volume */
        cite_put(o, a->issue);
    }
    if (dt_is_set(&a->published)) {
        cite_lit(o, " (");
        cite_put_date(o, &a->published, CITE_CHICAGO);
        cite_lit(o, ")");
    } else {
        cite_lit(o, " (n.d.)");
    }
    if (a->pages != NULL) {
        cite_lit(o, ": ");
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

/*
 * Whether the report word at p (n letters, maybe a plural s after them)
 * heads the title or a part of it, as a report's own title has it
 * ("Arctic Shipping Status Report", "Consensus Report: ...", "Report on
 * ...", "Working Paper No. 12", "Annual Report 2024"), rather than being
 * the subject of a headline about a report ("Pentagon report finds ...",
 * "UN report warns ..."), which is a news item, not the report.
 */
static bool
heads_title(const char *p, size_t n)
{
    static const char *const after[] = {"on", "of", "to", "for", "no",
                                        "series", "number", "and"};
    size_t i, len;

    if (p[n] == 's')
        n++;
    while (p[n] == ' ')
        n++;
    if (!p[n] || strchr(":;.,()[]-", p[n]) || (p[n] >= '0' && p[n] <= '9') ||
        (unsigned char)p[n] == 0xe2) /* an en or em dash */
        return true;
    for (len = 0; p[n + len] >= 'a' && p[n + len] <= 'z'; len++)
        ;
    for (i = 0; i < ARRAY_SIZE(after); i++)
        if (strlen(after[i]) == len && !memcmp(p + n, after[i], len))
            return true;
    return false;
}

/* True if the lower-cased s holds word as a whole word; with heads, only
 * where it heads a title (heads_title). */
static bool
has_word_at(const char *s, const char *word, bool heads)
{
    size_t n = strlen(word);
    const char *p = s;

    while ((p = strstr(p, word)) != NULL) {
        bool left = p == s || !((p[-1] >= 'a' && p[-1] <= 'z'));
        bool right = !(p[n] >= 'a' && p[n] <= 'z') ||
                     (p[n] == 's' && !(p[n + 1] >= 'a' && p[n + 1] <= 'z'));
        if (left && right && (!heads || heads_title(p, n)))
            return true;
        p += n;
    }
    return false;
}

static bool
has_any_at(const char *s, const char *const *words, size_t nwords,
           bool heads)
{
    struct buf b = BUF_INIT;
    size_t i;
    bool found = false;

    for (i = 0; s && s[i]; i++)
        buf_append_char(&b, (char)cite_lower((unsigned char)s[i]));
    for (i = 0; i < nwords && !found; i++)
        found = has_word_at(b.data, words[i], heads);
    buf_release(&b);
    return found;
}

static bool
has_any(const char *s, const char *const *words, size_t nwords)
{
    return has_any_at(s, words, nwords, false);
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
        return CITE_KIND_WEB;
    case ARTICLE_KIND_NEWS:
        return CITE_KIND_NEWS;
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
    /* A volume or an issue number is a periodical's (CMOS 14.171, APA 7
     * 10.1, MLA 9 5.74): ScienceDirect's and Ingenta's feeds give them
     * for articles without a DOI. */
    if (a->container && (a->volume || a->issue))
        return CITE_KIND_JOURNAL;
    if (has_any(a->container, journal_words, ARRAY_SIZE(journal_words)) &&
        !has_any(a->container, org_words, ARRAY_SIZE(org_words)))
        return CITE_KIND_JOURNAL;
    if (has_any_at(a->title, report_words, ARRAY_SIZE(report_words), true))
        return CITE_KIND_REPORT;
    return CITE_KIND_WEB;
}

const char *
cite_kind_name(enum cite_kind k)
{
    static const char *const names[] = {
        "journal", "web",   "report", "preprint", "chapter",
        "book",    "paper", "entry",  "posted",   "dataset", "news"};
    return names[k];
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
    if (k == CITE_KIND_JOURNAL || k == CITE_KIND_WEB || k == CITE_KIND_NEWS)
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

/* ---- the styles ---- */

/* The date, or "n.d.", at the precision the kind is dated by. */
static void
put_date_or_nd(struct cite_out *o, const struct article *a, enum cite_kind k,
               enum cite_style s)
{
    struct dt d = a->published;

    if (!dt_is_set(&d)) {
        cite_lit(o, "n.d.");
        return;
    }
    if (dated_by_year(k))
        d.prec = DT_PREC_YEAR;
    cite_put_date(o, &d, s);
}

/* CMOS 14.127-14.135: "Place: Publisher, date" ("Cham: Springer, 2017"),
 * the place only with a publisher. */
static void
chicago_imprint(struct cite_out *o, const struct article *a, enum cite_kind k)
{
    const char *pub = publisher_of(a, k);

    if (pub && a->place) {
        cite_put(o, a->place);
        cite_lit(o, ": ");
    }
    if (pub) {
        cite_put(o, pub);
        cite_lit(o, ", ");
    }
    put_date_or_nd(o, a, k, CITE_CHICAGO);
    cite_period(o);
}

/* CMOS 14.9, 14.217: "In *Book*, 155–58. Place: Publisher, 2015.";
 * without a publisher "In *Book*, 155–58, 2015.", as citeproc's Chicago
 * style writes it. */
static void
chicago_chapter(struct cite_out *o, const struct article *a, enum cite_kind k)
{
    bool pub = publisher_of(a, k) != NULL;

    if (a->container) {
        cite_lit(o, "In ");
        cite_italic(o, a->container);
    }
    if (a->pages) {
        if (a->container)
            cite_lit(o, ", ");
        put_pages(o, a->pages, CITE_CHICAGO);
    }
    if (pub && (a->container || a->pages)) {
        cite_period(o); /* not after "INFOVIS 2005." */
        cite_lit(o, " ");
    } else if (a->container || a->pages) {
        cite_lit(o, ", ");
    }
    chicago_imprint(o, a, k);
}

void
cite_chicago(struct cite_out *o, const struct article *a)
{
    enum cite_kind k = cite_kind_of(a);

    if (a->nauthors) {
        cite_authors_chicago(o, a);
        cite_period(o);
        cite_lit(o, " ");
    }
    if (k == CITE_KIND_REPORT || k == CITE_KIND_BOOK)
        cite_italic_title(o, a, CITE_HEADLINE_CMOS);
    else if (a->title)
        cite_quoted_title(o, a, CITE_HEADLINE_CMOS);
    if (a->title)
        cite_lit(o, " ");
    if (k == CITE_KIND_CHAPTER || k == CITE_KIND_PAPER) {
        chicago_chapter(o, a, k);
    } else if (k == CITE_KIND_BOOK || k == CITE_KIND_ENTRY ||
               k == CITE_KIND_POSTED || k == CITE_KIND_DATASET ||
               publisher_of(a, k)) {
        /* CMOS 14.123: a book's series in roman after its title; 14.234:
         * a reference work in italics */
        if (k == CITE_KIND_BOOK && a->container) {
            cite_put(o, a->container);
            cite_lit(o, ". ");
        } else if (k == CITE_KIND_ENTRY && a->container) {
            cite_italic(o, a->container);
            cite_lit(o, ". ");
        }
        chicago_imprint(o, a, k);
    } else {
        /* a preprint's server as a periodical; a newspaper's or a
         * magazine's name in italics, a website's in roman (CMOS 17
         * 14.191, 14.206) */
        if (k == CITE_KIND_JOURNAL || k == CITE_KIND_PREPRINT ||
            k == CITE_KIND_NEWS)
            cite_italic(o, a->container);
        else
            cite_put(o, a->container);
        if (k == CITE_KIND_JOURNAL && chicago_locator(o, a)) {
            cite_period(o);
        } else {
            if (a->container)
                cite_lit(o, ", ");
            put_date_or_nd(o, a, k, CITE_CHICAGO);
            if (k == CITE_KIND_JOURNAL && a->pages != NULL) {
                cite_lit(o, ", ");
                put_pages(o, a->pages, CITE_CHICAGO);
            }
            cite_period(o);
        }
    }
    if (cite_has_link(a)) {
        cite_lit(o, " ");
        cite_put_doi_or_url(o, a, false);
        cite_period(o);
    }
}

static void
apa_date(struct cite_out *o, const struct article *a)
{
    struct dt d = a->published;

    /* Journal articles and reports give the year only (APA 10.1, 10.4). */
    if (cite_kind_of(a) != CITE_KIND_WEB && cite_kind_of(a) != CITE_KIND_NEWS &&
        d.prec > DT_PREC_YEAR)
        d.prec = DT_PREC_YEAR;
    cite_lit(o, "(");
    if (dt_is_set(&d))
        cite_put_date(o, &d, CITE_APA);
    else
        cite_lit(o, "n.d.");
    cite_lit(o, ").");
}

/* APA 7 (10.1): ", *28*(4), 767-777" after the journal. */
static void
apa_locator(struct cite_out *o, const struct article *a)
{
    if (a->volume != NULL) {
        cite_lit(o, ", ");
        cite_italic(o, a->volume);
    }
    if (a->issue != NULL) {
        cite_lit(o, a->volume != NULL ? "(" : ", (");
        cite_put(o, a->issue);
        cite_lit(o, ")");
    }
    if (a->pages != NULL) {
        cite_lit(o, ", ");
        put_pages(o, a->pages, CITE_APA);
    }
}

/* APA 7 (10.1, 10.3, 10.5, 10.6, 10.8, 10.9): the title of an article,
 * a chapter, a conference paper or an entry stands plain, a preprint's
 * and a data set's are italic and say so, other works' are italic. */
static void
apa_title(struct cite_out *o, const struct article *a, enum cite_kind k)
{
    if (k == CITE_KIND_JOURNAL || k == CITE_KIND_CHAPTER ||
        k == CITE_KIND_PAPER || k == CITE_KIND_ENTRY || k == CITE_KIND_NEWS) {
        cite_put_title(o, a, CITE_SENTENCE, false);
        cite_title_period(o);
    } else if (k == CITE_KIND_PREPRINT || k == CITE_KIND_DATASET) {
        cite_ital_on(o);
        cite_put_title(o, a, CITE_SENTENCE, false);
        cite_ital_off(o);
        cite_lit(o, k == CITE_KIND_PREPRINT ? " [Preprint]." : " [Data set].");
    } else {
        cite_italic_title(o, a, CITE_SENTENCE);
    }
}

/* APA 7: where the work is: "In *Book* (pp. 155–158)." (10.3), "In
 * *Encyclopedia*." (10.3), "*Journal*, 28(4), 767–777." (10.1; a paper in
 * proceedings as citeproc writes it), "Site." (10.16), "Server." (10.8). */
static void
apa_source(struct cite_out *o, const struct article *a, enum cite_kind k)
{
    if (!a->container)
        return;
    if (k == CITE_KIND_CHAPTER || k == CITE_KIND_ENTRY) {
        cite_lit(o, " In ");
        cite_italic(o, a->container);
        if (k == CITE_KIND_CHAPTER && a->pages) {
            cite_lit(o, strchr(a->pages, '-') ? " (pp. " : " (p. ");
            put_pages(o, a->pages, CITE_APA);
            cite_lit(o, ")");
        }
        cite_period(o);
    } else if (k == CITE_KIND_JOURNAL || k == CITE_KIND_PAPER) {
        cite_lit(o, " ");
        cite_italic(o, a->container);
        apa_locator(o, a);
        cite_period(o);
    } else if (k == CITE_KIND_NEWS) {
        /* 10.1 (a newspaper or magazine article): "*The Guardian*." */
        cite_lit(o, " ");
        cite_italic(o, a->container);
        cite_period(o);
    } else if ((k == CITE_KIND_WEB || k == CITE_KIND_PREPRINT ||
                k == CITE_KIND_POSTED || k == CITE_KIND_DATASET) &&
               !author_is_publisher(a)) {
        cite_lit(o, " ");
        cite_put(o, a->container);
        cite_period(o);
    }
}

void
cite_apa(struct cite_out *o, const struct article *a)
{
    enum cite_kind k = cite_kind_of(a);
    bool title_first = a->nauthors == 0;
    const char *pub = publisher_of(a, k);

    if (title_first) {
        apa_title(o, a, k);
    } else {
        cite_authors_apa(o, a);
        cite_period(o);
    }
    cite_lit(o, " ");
    apa_date(o, a);
    if (!title_first && a->title) {
        cite_lit(o, " ");
        apa_title(o, a, k);
    }
    apa_source(o, a, k);
    /* the publisher, unless it is the author (9.24) or, for a paper, the
     * proceedings stand as a periodical */
    if (pub && k != CITE_KIND_PAPER && !author_is_publisher(a)) {
        cite_lit(o, " ");
        cite_put(o, pub);
        cite_period(o);
    }
    if (cite_has_link(a)) {
        cite_lit(o, " ");
        cite_put_doi_or_url(o, a, false);
    }
}

/* MLA 9: the container in italics after the title (5.54-5.66), except a
 * report's, which names its publisher, and a book's, which is its
 * series. */
static bool
mla_container(struct cite_out *o, const struct article *a, enum cite_kind k)
{
    if (!a->container || k == CITE_KIND_REPORT || k == CITE_KIND_BOOK)
        return false;
    cite_lit(o, " ");
    cite_italic(o, a->container);
    return true;
}

void
cite_mla(struct cite_out *o, const struct article *a)
{
    enum cite_kind k = cite_kind_of(a);
    bool date = dt_is_set(&a->published), any;
    /* MLA 9 5.67: no publisher for periodicals; citeproc's style gives
     * none for a paper in proceedings either */
    const char *pub = k == CITE_KIND_PAPER ? NULL : publisher_of(a, k);

    if (a->nauthors && !author_is_publisher(a)) {
        cite_authors_mla(o, a);
        cite_period(o);
        cite_lit(o, " ");
    }
    if (k == CITE_KIND_REPORT || k == CITE_KIND_BOOK)
        cite_italic_title(o, a, CITE_HEADLINE);
    else if (a->title)
        cite_quoted_title(o, a, CITE_HEADLINE);
    any = mla_container(o, a, k);
    if (pub) {
        cite_lit(o, any ? ", " : " ");
        cite_put(o, pub);
        any = true;
    }
    /* MLA 9: "vol. 28, no. 4, 2019, pp. 767-77" */
    if (k == CITE_KIND_JOURNAL && a->volume != NULL) {
        cite_lit(o, any ? ", vol. " : " vol. ");
        cite_put(o, a->volume);
        any = true;
    }
    if (k == CITE_KIND_JOURNAL && a->issue != NULL) {
        /* Two or more issues in one are "nos. 2-3" (MLA 9). */
        bool several = strpbrk(a->issue, "-,&") != NULL ||
                       strstr(a->issue, "\u2013") != NULL;

        cite_lit(o, any ? ", " : " ");
        cite_lit(o, several ? "nos. " : "no. ");
        cite_put(o, a->issue);
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
        cite_lit(o, any ? ", " : " ");
        cite_put_date(o, &d, CITE_MLA);
        any = true;
    }
    if ((k == CITE_KIND_JOURNAL || k == CITE_KIND_CHAPTER ||
         k == CITE_KIND_PAPER) &&
        a->pages != NULL) {
        cite_lit(o, strchr(a->pages, '-') != NULL ? (any ? ", pp. " : " pp. ")
                                              : (any ? ", p. " : " p. "));
        put_pages(o, a->pages, CITE_MLA);
        any = true;
    }
    if (cite_has_link(a)) {
        cite_lit(o, any ? ", " : " ");
        cite_put_doi_or_url(o, a, true);
        any = true;
    }
    if (any)
        cite_period(o);
}


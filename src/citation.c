/*
 * citation: Chicago, APA and MLA strings (see citation.h for the rules).
 *
 * Every string is built from small writers that know the markup:
 * cite_put() for text that came from the record (escaped), cite_lit() for
 * our own words and punctuation, cite_ital_on()/cite_ital_off() for
 * italics.  This file holds the writers, the title (case, quotation
 * marks), links, dates and the public entry points; citation_name.c the
 * names and author lists; citation_style.c kinds, volume, issue and pages,
 * and the three styles: the Chicago Manual of Style 17th ed., the APA
 * Publication Manual 7th ed. and the MLA Handbook 9th ed.
 */
#include "arctic_digest/citation.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "citation_int.h"

/* ASCII punctuation: what markdown may read as markup. */
static const char ascii_punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

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

void
cite_put_n(struct cite_out *o, const char *s, size_t n)
{
    size_t i;

    if (!s || !n)
        return;
    for (i = 0; i < o->n; i++)
        put_to(o->b[i], o->m[i], s, n);
    o->last = s[n - 1];
}

void
cite_put(struct cite_out *o, const char *s)
{
    if (s)
        cite_put_n(o, s, strlen(s));
}

/* Our own words and punctuation: in markdown punctuation is escaped but
 * white space kept as it is (text_escape_markdown would trim it). */
static void
lit_to(struct buf *b, enum cite_markup m, const char *s, size_t n)
{
    size_t i;

    if (m == CITE_MARKUP_HTML) {
        text_escape_html(s, n, b);
    } else if (m == CITE_MARKUP_TEXT) {
        buf_append(b, s, n);
    } else {
        for (i = 0; i < n; i++) {
            if (strchr(ascii_punct, s[i]))
                buf_append_char(b, '\\');
            buf_append_char(b, s[i]);
        }
    }
}

void
cite_lit(struct cite_out *o, const char *s)
{
    size_t n = strlen(s), i;

    if (!n)
        return;
    o->last = s[n - 1];
    for (i = 0; i < o->n; i++)
        lit_to(o->b[i], o->m[i], s, n);
}

/* Italics on or off in every markup that has them. */
static void
italics(struct cite_out *o, bool on)
{
    size_t i;

    o->italic = on;
    for (i = 0; i < o->n; i++) {
        struct buf *b = o->b[i];
        const char *tag, *undo;

        if (o->m[i] == CITE_MARKUP_TEXT)
            continue;
        tag = o->m[i] == CITE_MARKUP_MARKDOWN ? "*" : on ? "<i>" : "</i>";
        undo = o->m[i] == CITE_MARKUP_MARKDOWN ? "*" : on ? "</i>" : "<i>";
        if (o->tagged[i] == b->len + 1) {
            b->len -= strlen(undo);
            b->data[b->len] = '\0';
            o->tagged[i] = 0;
            continue;
        }
        buf_append_str(b, tag);
        o->tagged[i] = b->len + 1;
    }
}

void
cite_ital_on(struct cite_out *o)
{
    italics(o, true);
}

void
cite_ital_off(struct cite_out *o)
{
    italics(o, false);
}

/* Whether the byte last written ends a word: a letter, a digit or the
 * last byte of a longer UTF-8 character. */
static bool
after_word(char c)
{
    return ascii_is_alnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* If s[*i] starts an ASCII or typographic (U+2018-U+201F) punctuation
 * mark, step over it and return true. */
static bool
punct_at(const char *s, size_t n, size_t *i)
{
    size_t k = *i;
    uint32_t c = u8_next(s, n, &k);

    if ((c > 0 && c < 0x80 && strchr(ascii_punct, (int)c)) ||
        (c >= 0x2018 && c <= 0x201f)) {
        *i = k;
        return true;
    }
    return false;
}

/* n spaces, as our own text (markdown keeps them). */
static void
spaces(struct cite_out *o, size_t n)
{
    while (n-- > 0)
        cite_lit(o, " ");
}

void
cite_put_marked(struct cite_out *o, const char *s, size_t n)
{
    size_t i = 0, run = 0, lead, trail, held = 0;
    int depth = 0, at;
    bool outer = o->italic, want = outer;

    /* Each run between markers: its words in the state the markers
     * before it ask for, the spaces around them outside the tags (a
     * markdown "*" must touch the words it emphasises). */
    while (run <= n) {
        for (i = run, at = 0; i < n; i++) {
            if (n - i >= 3 && !memcmp(s + i, ARTICLE_ITALIC_ON, 3))
                at = 1;
            else if (n - i >= 3 && !memcmp(s + i, ARTICLE_ITALIC_OFF, 3))
                at = -1;
            if (at)
                break;
        }
        for (lead = run; lead < i && s[lead] == ' '; lead++)
            ;
        for (trail = i; trail > lead && s[trail - 1] == ' '; trail--)
            ;
        if (trail == lead) {
            held += i - run;
        } else {
            /* an opening tag after the spaces, a closing one before */
            if (o->italic != want && !want)
                italics(o, want);
            spaces(o, held + lead - run);
            /* nor after a letter and before punctuation, where markdown
             * would not open emphasis ("finmarchicus*’s" is literal):
             * the punctuation goes first ("finmarchicus’*s") */
            if (o->italic != want && lead == run && held == 0) {
                size_t k = lead;
                while (k < trail && after_word(o->last) &&
                       punct_at(s, trail, &k))
                    ;
                cite_put_n(o, s + lead, k - lead);
                lead = k;
            }
            if (o->italic != want)
                italics(o, want);
            cite_put_n(o, s + lead, trail - lead);
            held = i - trail;
        }
        if (i == n)
            break;
        depth += at > 0 ? 1 : depth > 0 ? -1 : 0;
        want = depth > 0 ? !outer : outer;
        run = i + 3;
    }
    if (o->italic != outer)
        italics(o, outer);
    spaces(o, held);
}


/* A name in italics (a journal, a book), its apostrophes typographic as
 * a title's ("Guattari’s"). */
void
cite_italic(struct cite_out *o, const char *s)
{
    struct buf q = BUF_INIT;

    if (!s || !*s)
        return;
    cite_typographic(s, strlen(s), false, &q);
    cite_ital_on(o);
    cite_put_n(o, q.data, q.len);
    cite_ital_off(o);
    buf_release(&q);
}

static bool
terminal(char c)
{
    return c == '.' || c == '?' || c == '!';
}

/* End a sentence with "." unless it already ends in . ? or !. */
void
cite_period(struct cite_out *o)
{
    if (!terminal(o->last))
        cite_lit(o, ".");
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
void
cite_typographic(const char *p, size_t n, bool quoted, struct buf *out)
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

        if (c == 0xe000 || c == 0xe001) { /* italics: not a character */
            buf_append(out, p + at, i - at);
            continue;
        }
        if (i < n) {
            size_t k = i;
            next = u8_next(p, n, &k);
            if ((next == 0xe000 || next == 0xe001) && k < n)
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
                      !memcmp(p + n - 3, "\u201d", 3) ||
                      !memcmp(p + n - 3, ARTICLE_ITALIC_OFF, 3)))
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

/* APA sentence case of the title t (n bytes, marked), keeping the names
 * of the record's organisations (its publisher, its corporate authors)
 * that the title holds. */
static void
sentence_case(const struct article *a, const char *t, size_t n,
              struct buf *out)
{
    struct buf pool = BUF_INIT;
    size_t at[16], k = 0, i;
    const char *keep[16];

    k = org_names(a->publisher, &pool, at, k, ARRAY_SIZE(at));
    for (i = 0; i < a->nauthors; i++)
        k = org_names(a->authors[i].literal, &pool, at, k, ARRAY_SIZE(at));
    for (i = 0; i < k; i++)
        keep[i] = pool.data + at[i];
    cite_sentence_case_keeping(t, n, keep, k, out);
    buf_release(&pool);
}

/* The title, cased and typographic, its italic runs set off. */
void
cite_put_title(struct cite_out *o, const struct article *a,
               enum cite_case how, bool quoted)
{
    struct buf b = BUF_INIT, q = BUF_INIT;
    char *t = article_title_marked(a);
    size_t n;

    if (!t)
        return;
    n = strlen(t);
    if (!cite_lang_recased(a->lang))
        buf_append(&b, t, n);
    else if (how == CITE_SENTENCE)
        sentence_case(a, t, n, &b);
    else if (how == CITE_HEADLINE_CMOS)
        cite_title_case_cmos(t, n, &b);
    else
        cite_title_case(t, n, &b);
    cite_typographic(b.data, b.len, quoted, &q);
    cite_put_marked(o, q.data, q.len);
    /* A title that ends its sentence inside a quotation ("... Parliament?’")
     * takes no period after it. */
    if (ends_sentence(q.data, q.len))
        o->last = '?';
    free(t);
    buf_release(&b);
    buf_release(&q);
}

/* “Title.” with the period inside the quotes (Chicago, MLA). */
void
cite_quoted_title(struct cite_out *o, const struct article *a,
                  enum cite_case how)
{
    cite_lit(o, "\u201c");
    cite_put_title(o, a, how, true);
    if (!terminal(o->last))
        cite_lit(o, ".");
    cite_lit(o, "\u201d");
}

/* The period after a title that is not in quotation marks (APA): inside a
 * closing quotation mark that ends it, in the American way, as citeproc
 * does ("“Maybe.”"). */
void
cite_title_period(struct cite_out *o)
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

void
cite_italic_title(struct cite_out *o, const struct article *a,
                  enum cite_case how)
{
    cite_ital_on(o);
    cite_put_title(o, a, how, false);
    cite_ital_off(o);
    cite_period(o);
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

void
cite_put_doi_or_url(struct cite_out *o, const struct article *a, bool mla)
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

bool
cite_has_link(const struct article *a)
{
    return a->doi || a->url;
}

static const char *const mla_months[] = {
    "Jan.", "Feb.", "Mar.",  "Apr.", "May",  "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."};

void
cite_put_date(struct cite_out *o, const struct dt *d, enum cite_style s)
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
    cite_put_n(o, b.data, b.len);
    buf_release(&b);
}

/* Query parameters that only track the reader, as their owners document
 * them: Google Analytics campaign tags (utm_*), Google Ads (gclid),
 * Facebook (fbclid), Mailchimp (mc_cid, mc_eid), HubSpot (_hsenc,
 * _hsmi) and Elsevier's ScienceDirect feeds (dgcid).  Names are matched
 * as written: the services read them in lower case. */
static bool
tracking_param(const char *p, size_t n)
{
    static const char *const names[] = {"dgcid",  "fbclid", "gclid", "mc_cid",
                                        "mc_eid", "_hsenc", "_hsmi"};
    const char *eq = memchr(p, '=', n);
    size_t i, len = eq ? (size_t)(eq - p) : n;

    if (len > 4 && !memcmp(p, "utm_", 4))
        return true;
    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (strlen(names[i]) == len && !memcmp(p, names[i], len))
            return true;
    return false;
}

/* url without its tracking parameters: a citation points to the work,
 * not to the feed that linked it.  Every other parameter is kept as
 * written and in its order, and so is the fragment; a "?" left with
 * nothing after it goes, and so do empty parameters ("&&") in a query
 * that loses one.  Caller frees; NULL when url has none. */
static char *
untracked_url(const char *url)
{
    struct buf b = BUF_INIT;
    const char *q, *end, *s;
    bool removed = false, kept = false;

    q = strchr(url, '?');
    end = url + strcspn(url, "#");
    if (q == NULL || q > end)
        return NULL;
    buf_append(&b, url, (size_t)(q - url));
    for (s = q + 1; s <= end; s++) {
        const char *t = s + strcspn(s, "&#");

        if (t > end)
            t = end;
        if (tracking_param(s, (size_t)(t - s))) {
            removed = true;
        } else if (t > s) { /* "&&" holds no parameter */
            buf_append_char(&b, kept ? '&' : '?');
            buf_append(&b, s, (size_t)(t - s));
            kept = true;
        }
        s = t;
    }
    if (!removed) {
        buf_release(&b);
        return NULL;
    }
    buf_append_str(&b, end);
    return buf_detach(&b, NULL);
}

/* Whether s has letters, two of them capitals in a row, and no lower-case
 * letter: "SYSTEMATIC BOTANY", not "Nature" or "e". */
static bool
wholly_in_capitals(const char *s)
{
    size_t i = 0, n = strlen(s), run = 0;
    bool two = false;

    while (i < n) {
        uint32_t cp = u8_next(s, n, &i);

        if (cite_upper(cp) != cp)
            return false;
        run = cite_lower(cp) != cp ? run + 1 : 0;
        if (run >= 2)
            two = true;
    }
    return two;
}

/* Append the word w[0..n): a word title case left in capitals is an
 * acronym if it has at most four letters or a digit ("IEEE", "SCOAP3");
 * a longer one is a word the word lists do not know ("PHYLOGENY"), set
 * with a capital and lower case. */
static void
put_container_word(struct buf *b, const char *w, size_t n)
{
    size_t i = 0, letters = 0;
    bool caps = true, digit = false;

    while (i < n) {
        uint32_t cp = u8_next(w, n, &i);

        letters += cite_is_letter(cp);
        digit = digit || (cp >= '0' && cp <= '9');
        caps = caps && cite_upper(cp) == cp;
    }
    if (!caps || digit || letters <= 4) {
        buf_append(b, w, n);
        return;
    }
    for (i = 0, letters = 0; i < n;) {
        uint32_t cp = u8_next(w, n, &i);

        u8_append(b, letters++ == 0 ? cp : cite_lower(cp));
    }
}

/* Whether the name s, wholly in capitals, is a brand styled so: two
 * words at most, one of them an acronym of three or four letters that is
 * no common word ("PLOS ONE", as PLOS writes and deposits its journal's
 * name; "IEEE TRANSACTIONS ON GEOSCIENCE ..." is a name in capitals). */
static bool
styled_in_capitals(const char *s)
{
    size_t i = 0, start, n = strlen(s), words = 0;
    bool acronym = false;

    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '-'))
            i++;
        if (i == n)
            break;
        start = i;
        words++;
        while (i < n && ascii_is_alpha(s[i]))
            i++;
        if (i - start >= 3 && i - start <= 4 &&
            (i == n || s[i] == ' ' || s[i] == '-') &&
            !cite_common_word(s + start, i - start))
            acronym = true;
        while (i < n && s[i] != ' ' && s[i] != '-')
            i++;
    }
    return acronym && words <= 2;
}

/*
 * A container written wholly in capitals ("SYSTEMATIC BOTANY", as Ingenta
 * and some journals' systems deposit the name) in headline style, as the
 * manuals set the names of periodicals and sites (CMOS 17 8.159 and
 * 14.171, APA 7 9.25 and 6.17, MLA 9 1.2): cite_title_case, acronyms kept.
 * NULL when it is not in capitals, is a brand styled in capitals
 * ("PLOS ONE") or its language keeps its case.
 */
static char *
container_recased(const struct article *a)
{
    struct buf t = BUF_INIT, b = BUF_INIT;
    size_t i = 0, start;

    if (a->container == NULL || !wholly_in_capitals(a->container) ||
        styled_in_capitals(a->container) || !cite_lang_recased(a->lang))
        return NULL;
    cite_title_case(a->container, strlen(a->container), &t);
    while (i < t.len) {
        start = i;
        while (i < t.len && t.data[i] != ' ' && t.data[i] != '-')
            i++;
        put_container_word(&b, t.data + start, i - start);
        if (i < t.len)
            buf_append_char(&b, t.data[i++]);
    }
    buf_release(&t);
    return buf_detach(&b, NULL);
}

void
cite_view_init(struct cite_view *v, const struct article *a)
{
    v->a = *a;
    v->url = a->url ? untracked_url(a->url) : NULL;
    if (v->url)
        v->a.url = v->url;
    v->volume = article_locator(a->volume);
    v->issue = article_locator(a->issue);
    v->pages = article_locator(a->pages);
    v->a.volume = v->volume;
    v->a.issue = v->issue;
    v->a.pages = v->pages;
    v->container = container_recased(a);
    if (v->container)
        v->a.container = v->container;
}

void
cite_view_release(struct cite_view *v)
{
    free(v->volume);
    free(v->issue);
    free(v->pages);
    free(v->url);
    free(v->container);
    memset(v, 0, sizeof(*v));
}

static void
format(const struct article *orig, enum cite_style s, struct cite_out *o)
{
    struct cite_view v;
    const struct article *a = &v.a;

    cite_view_init(&v, orig);
    switch (s) {
    case CITE_CHICAGO:
        cite_chicago(o, a);
        break;
    case CITE_APA:
        cite_apa(o, a);
        break;
    case CITE_MLA:
        cite_mla(o, a);
        break;
    }
    cite_view_release(&v);
}

void
cite_format(const struct article *a, enum cite_style s, enum cite_markup m,
            struct buf *b)
{
    struct cite_out o = {{b, NULL, NULL}, {m, m, m}, 1, '\0', false, {0, 0, 0}};

    format(a, s, &o);
}

void
cite_format_all(const struct article *a, enum cite_style s, struct buf out[3])
{
    struct cite_out o = {{&out[CITE_MARKUP_TEXT], &out[CITE_MARKUP_MARKDOWN],
                     &out[CITE_MARKUP_HTML]},
                    {CITE_MARKUP_TEXT, CITE_MARKUP_MARKDOWN, CITE_MARKUP_HTML},
                    3,
                    '\0',
                    false,
                    {0, 0, 0}};

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

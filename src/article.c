/*
 * article: the article record, its authors, names and DOIs.
 *
 * Byline heuristics (article_add_byline), in order:
 *  1. White space is collapsed, control characters dropped, a leading
 *     "By " removed.
 *  2. A byline with no ";" or "," that names an organisation (a word such
 *     as Council, Secretariat, University, Staff, or one of those in other
 *     European languages, Société, Universidad, or a compound that ends in
 *     one, EntomologKlubben, Polarinstitutt; see org_words[],
 *     org_words_other[], org_stems[]) is one literal, even if it holds
 *     "and" ("Department of Fisheries and Oceans").
 *  3. The byline is cut into segments at ";", "&" and the word "and".
 *  4. Inside a segment, commas separate names, except for the inverted
 *     "Family, Given" form: exactly one comma where the left side is one
 *     word (not counting particles such as "van der") or the right side is
 *     one word and the left at most two; or an even number of parts where
 *     every second part is initials only ("Smith, J., Jones, K. L.").
 *     "Jane Doe, John Smith" is therefore two people.
 *  5. Each name that is an organisation is a literal; a single word is a
 *     literal too (no way to tell given from family).  Otherwise the family
 *     name is the last word plus the particles before it (van, von, de,
 *     da, der, den, del, della, di, du, la, le, al, el, bin, ibn, ...), and
 *     a suffix (Jr., Sr., II, III, IV) stays after the family name:
 *     "Martin Luther King Jr." gives given "Martin Luther", family
 *     "King Jr.".  The given name keeps everything else, initials included
 *     ("Guðbjörg Ríkey Th.").
 */
#include "arctic_digest/article.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"

#define MAX_WORDS 32
#define MAX_PARTS 64

struct span {
    const char *p;
    size_t n;
};

/* The word lists are sorted (strcmp order) for span_in's binary search. */
static const char *const org_words[] = {
    "academy", "administration", "agencies", "agency", "army", "association",
    "authority", "board", "bureau", "center", "centre", "college", "command",
    "commission", "committee", "consortium", "corps", "council", "department",
    "desk", "directorate", "editorial", "editors", "establishment", "force",
    "forces", "forum", "foundation", "group", "guard", "inc", "inc.",
    "initiative", "institute", "laboratory", "ltd", "ltd.", "ministry",
    "museum", "navy", "network", "newsroom", "observatory", "office",
    "organisation", "organization", "press", "program", "programme",
    "project", "school", "secretariat", "service", "society", "staff",
    "survey", "team", "university",
};

/* The same words in other European languages, whole words as org_words
 * ("Société", "Istituto", "Universidad"); not those that are also family
 * names ("Consiglio, G.", "Centro", "Museo", "Academia").  Sorted by
 * bytes. */
static const char *const org_words_other[] = {
    "acad\u00e9mie", "accademia", "agence", "agencia", "agenzia",
    "ag\u00eancia", "asociaci\u00f3n", "associazione", "associa\u00e7\u00e3o",
    "comitato", "comit\u00e9", "conseil", "consejo", "conselho",
    "fondation", "fondazione", "fundaci\u00f3n", "funda\u00e7\u00e3o",
    "institut", "instituto", "istituto", "ministerio", "ministero",
    "minist\u00e8re", "minist\u00e9rio", "mus\u00e9e", "sociedad",
    "sociedade", "societ\u00e0", "soci\u00e9t\u00e9", "universidad",
    "universidade", "universit\u00e0", "universit\u00e9",
};

/* Organisation words that German, Dutch and the Nordic languages write at
 * the end of a compound ("Västsvenska EntomologKlubben", "Naturforschende
 * Gesellschaft", "Sveriges Entomologiska Förening", "Norsk
 * Polarinstitutt"): a word that ends in one is an organisation's. */
static const char *const org_stems[] = {
    "akademi", "akademie", "akademien", "direktoratet", "forbund",
    "forbundet", "forening", "foreningen", "f\u00f6rbund", "f\u00f6rbundet",
    "f\u00f6rening", "f\u00f6reningen", "genootschap", "gesellschaft",
    "institut", "institutet", "institutt", "instituut", "klub", "klubb",
    "klubben", "ministerie", "ministeriet", "ministerium", "museet",
    "selskab", "selskabet", "selskap", "selskapet", "stichting", "stiftung",
    "s\u00e4llskap", "s\u00e4llskapet", "universiteit", "universitet",
    "universitetet", "universit\u00e4t", "verband", "verein", "vereniging",
    "zentrum",
};

/* Ranks, titles and honorifics before a name ("Maj Gen Rolf Folland",
 * "Prof. Anna Ivanova"): no part of the given name.  Sorted. */
static const char *const ranks[] = {
    "adm",       "adm.",      "admiral",   "amb.",      "ambassador",
    "brig",      "brig.",     "brigadier", "capt",      "capt.",
    "captain",   "cdr",       "cdr.",      "col",       "col.",
    "colonel",   "commander", "commodore", "cpt",       "dame",
    "dr",        "dr.",       "gen",       "gen.",      "general",
    "hon.",      "lieutenant", "lt",       "lt.",       "maj",
    "maj.",      "major",     "mr",        "mr.",       "mrs",
    "mrs.",      "ms",        "ms.",       "prof",      "prof.",
    "professor", "rear",      "rev.",      "sen.",      "senator",
    "sgt",       "sgt.",      "sir",       "vice",
};

/* Degrees after a name ("Anna Ivanova PhD"). */
static const char *const degrees[] = {"ma", "md", "mphil", "msc", "ph.d.",
                                      "phd"};

/* A byline's trailing role ("Patrick Wintour Diplomatic editor"). */
static const char *const role_nouns[] = {
    "analyst", "columnist", "contributor", "correspondent", "critic",
    "editor",  "reporter",  "writer",
};

static const char *const particles[] = {
    "al",  "bin", "da", "das", "de", "del", "della", "den", "der", "di",  "do",
    "dos", "du",  "el", "ibn", "la", "le",  "ten",   "ter", "van", "von", "zu",
};

static const char *const suffixes[] = {"ii", "iii", "iv", "jr",
                                       "jr.", "sr", "sr."};

void
article_init(struct article *a)
{
    memset(a, 0, sizeof(*a));
}

static void
free_strv(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void
article_release(struct article *a)
{
    size_t i;

    free(a->source);
    free(a->guid);
    free(a->url);
    free(a->doi);
    free(a->title);
    free(a->title_markup);
    for (i = 0; i < a->nauthors; i++) {
        free(a->authors[i].given);
        free(a->authors[i].family);
        free(a->authors[i].literal);
        free(a->authors[i].suffix);
    }
    free(a->authors);
    free(a->container);
    free(a->publisher);
    free(a->place);
    free(a->volume);
    free(a->issue);
    free(a->pages);
    free(a->lang);
    free(a->abstract);
    free_strv(a->keywords, a->nkeywords);
    free_strv(a->matched, a->nmatched);
    article_init(a);
}

static char **
copy_strv(char *const *v, size_t n, size_t *alloc)
{
    char **out;
    size_t i;

    *alloc = n;
    if (n == 0)
        return NULL;
    out = xmalloc(n * sizeof(*out));
    for (i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

void
article_copy(struct article *dst, const struct article *src)
{
    size_t i;

    article_init(dst);
    dst->source = xstrdup(src->source);
    dst->guid = xstrdup(src->guid);
    dst->url = xstrdup(src->url);
    dst->doi = xstrdup(src->doi);
    dst->title = xstrdup(src->title);
    dst->title_markup = xstrdup(src->title_markup);
    for (i = 0; i < src->nauthors; i++) {
        article_add_person(dst, src->authors[i].given, src->authors[i].family,
                           src->authors[i].literal);
        article_set_suffix(dst, src->authors[i].suffix);
    }
    dst->container = xstrdup(src->container);
    dst->publisher = xstrdup(src->publisher);
    dst->place = xstrdup(src->place);
    dst->volume = xstrdup(src->volume);
    dst->issue = xstrdup(src->issue);
    dst->pages = xstrdup(src->pages);
    dst->others = src->others;
    dst->kind = src->kind;
    dst->lang = xstrdup(src->lang);
    dst->published = src->published;
    dst->updated = src->updated;
    dst->abstract = xstrdup(src->abstract);
    dst->keywords =
        copy_strv(src->keywords, src->nkeywords, &dst->keywords_alloc);
    dst->nkeywords = src->nkeywords;
    dst->score = src->score;
    dst->matched = copy_strv(src->matched, src->nmatched, &dst->matched_alloc);
    dst->nmatched = src->nmatched;
}

/* Neither white space nor a control character. */
static bool
is_kept(char c)
{
    return (unsigned char)c > 0x20 && c != 0x7f;
}

/* Bytes from p[0] (kept) that clean_append() copies as they are: kept
 * bytes and single spaces between them. */
static size_t
kept_run(const char *p, size_t n)
{
    size_t i = 1;

    while (i < n) {
        if (is_kept(p[i]))
            i++;
        else if (p[i] == ' ' && i + 1 < n && is_kept(p[i + 1]))
            i += 2;
        else
            break;
    }
    return i;
}

/* Append p[0..n) with white space collapsed, controls dropped, trimmed. */
static void
clean_append(struct buf *b, const char *p, size_t n)
{
    size_t i = 0, run;
    bool space = false;

    while (i < n) {
        if (!is_kept(p[i])) {
            if (ascii_is_space(p[i]))
                space = true;
            i++;
            continue;
        }
        if (space && b->len > 0)
            buf_append_char(b, ' ');
        space = false;
        run = kept_run(p + i, n - i);
        buf_append(b, p + i, run);
        i += run;
    }
}

/* A cleaned copy of s, or NULL if s is NULL or cleans to "". */
static char *
clean_dup(const char *s)
{
    struct buf b = BUF_INIT;

    if (s == NULL)
        return NULL;
    clean_append(&b, s, strlen(s));
    if (b.len == 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

/* Add a person from strings the record takes over as they are: the byline
 * code cuts them, already clean, from a cleaned byline. */
static void
push_person(struct article *a, char *given, char *family, char *literal)
{
    struct person *p;

    xgrow(&a->authors, &a->authors_alloc, a->nauthors + 1, sizeof(*a->authors));
    p = &a->authors[a->nauthors++];
    p->given = given;
    p->family = family;
    p->literal = literal;
    p->suffix = NULL;
}

void
article_add_person(struct article *a, const char *given, const char *family,
                   const char *literal)
{
    push_person(a, clean_dup(given), clean_dup(family), clean_dup(literal));
}

void
article_set_suffix(struct article *a, const char *s)
{
    struct person *p;

    if (a->nauthors == 0)
        return;
    p = &a->authors[a->nauthors - 1];
    free(p->suffix);
    p->suffix = s && *s ? clean_dup(s) : NULL;
}

size_t
article_name_suffix(const char *family, size_t *keep)
{
    static const char *const written[] = {"Jr.", "Jr", "Sr.", "Sr",
                                           "II",  "III", "IV"};
    const char *sp = strrchr(family, ' ');
    size_t i, n;

    if (sp == NULL)
        return 0;
    for (i = 0; i < ARRAY_SIZE(written); i++)
        if (strcmp(sp + 1, written[i]) == 0)
            break;
    if (i == ARRAY_SIZE(written))
        return 0;
    n = (size_t)(sp - family);
    while (n > 0 && (family[n - 1] == ' ' || family[n - 1] == ','))
        n--;
    if (n == 0)
        return 0;
    *keep = n;
    return (size_t)(sp + 1 - family);
}

/* s in lower case against the lower-case word, in strcmp order (no
 * strlen first: most words differ at once). */
static int
span_cmp(struct span s, const char *word)
{
    size_t i;

    for (i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)ascii_tolower(s.p[i]);
        unsigned char w = (unsigned char)word[i];

        if (w == '\0')
            return 1;
        if (c != w)
            return c > w ? 1 : -1;
    }
    return word[i] == '\0' ? 0 : -1;
}

static bool
span_is(struct span s, const char *word)
{
    return span_cmp(s, word) == 0;
}

/* Is s (any case) one of the sorted lower-case words list[0..n)? */
static bool
span_in(struct span s, const char *const *list, size_t n)
{
    size_t lo = 0, hi = n, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = span_cmp(s, list[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

static void
span_trim(struct span *s)
{
    while (s->n > 0 && (ascii_is_space(s->p[0]) || s->p[0] == ','))
        s->p++, s->n--;
    while (s->n > 0 &&
           (ascii_is_space(s->p[s->n - 1]) || s->p[s->n - 1] == ','))
        s->n--;
}

/* Split s into space-separated words; returns the count (<= max). */
static size_t
words_of(struct span s, struct span *w, size_t max)
{
    size_t k = 0, i = 0;

    while (i < s.n && k < max) {
        size_t start;

        while (i < s.n && s.p[i] == ' ')
            i++;
        start = i;
        while (i < s.n && s.p[i] != ' ')
            i++;
        if (i > start) {
            w[k].p = s.p + start;
            w[k].n = i - start;
            k++;
        }
    }
    return k;
}

/* Does the word t end in one of org_stems (or is it one)? */
static bool
ends_in_org_stem(struct span t)
{
    size_t i, n;

    for (i = 0; i < ARRAY_SIZE(org_stems); i++) {
        struct span end;

        n = strlen(org_stems[i]);
        if (t.n < n)
            continue;
        end.p = t.p + t.n - n;
        end.n = n;
        if (span_is(end, org_stems[i]))
            return true;
    }
    return false;
}

/* Does one of the words w[0..k) name an organisation? */
static bool
words_org(const struct span *w, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++) {
        struct span t = w[i];

        while (t.n > 0 && (t.p[t.n - 1] == ',' || t.p[t.n - 1] == ')'))
            t.n--;
        while (t.n > 0 && t.p[0] == '(')
            t.p++, t.n--;
        if (span_in(t, org_words, ARRAY_SIZE(org_words)) ||
            span_in(t, org_words_other, ARRAY_SIZE(org_words_other)) ||
            ends_in_org_stem(t))
            return true;
    }
    return false;
}

static bool
is_org(struct span s)
{
    struct span w[MAX_WORDS];

    return words_org(w, words_of(s, w, MAX_WORDS));
}

/* s (trimmed, not empty) as one literal name. */
static void
add_literal(struct article *a, struct span s)
{
    push_person(a, NULL, NULL, xstrndup(s.p, s.n));
}

/* True if every word is an initial: "J.", "J.K.", "J-P." or a bare "J". */
static bool
is_initials(struct span s)
{
    struct span w[MAX_WORDS];
    size_t k = words_of(s, w, MAX_WORDS), i, j;

    if (k == 0)
        return false;
    for (i = 0; i < k; i++) {
        bool letter = false;

        for (j = 0; j < w[i].n; j++) {
            char c = w[i].p[j];

            if (c == '.' || c == '-') {
                letter = false;
                continue;
            }
            if (letter || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return false;
            letter = true;
        }
    }
    return true;
}

/* Words that are not particles. */
static size_t
core_words(struct span s)
{
    struct span w[MAX_WORDS];
    size_t k = words_of(s, w, MAX_WORDS), i, c = 0;

    for (i = 0; i < k; i++) {
        if (!span_in(w[i], particles, ARRAY_SIZE(particles)))
            c++;
    }
    return c;
}

static char *
span_dup(const struct span *w, size_t from, size_t to)
{
    if (from >= to)
        return NULL;
    return xstrndup(w[from].p, (size_t)(w[to - 1].p + w[to - 1].n - w[from].p));
}

/* A word in lower case that is no particle: "Guardian sport" names no
 * person. */
static bool
lower_word(const struct span *w, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++) {
        if (w[i].p[0] >= 'a' && w[i].p[0] <= 'z' &&
            !span_in(w[i], particles, ARRAY_SIZE(particles)))
            return true;
    }
    return false;
}

/* Whether the word is a name in capitals: ASCII capitals (a hyphen
 * between them) and two letters or more; initials ("J.G.") are not. */
static bool
all_caps(struct span w)
{
    size_t i;

    if (w.n < 2)
        return false;
    for (i = 0; i < w.n; i++)
        if (!(w.p[i] >= 'A' && w.p[i] <= 'Z') &&
            !(w.p[i] == '-' && i > 0 && i + 1 < w.n))
            return false;
    return true;
}

/* Whether a word in capitals is initials written together ("DJ" of "DJ
 * Gallo", "JRR"): no vowel, which every romanised family name written so
 * has ("WANG", "LI", "WU"), "NG" aside. */
static bool
caps_initials(struct span w)
{
    size_t i;

    if (span_is(w, "ng"))
        return false;
    for (i = 0; i < w.n; i++)
        if (strchr("AEIOUY", w.p[i]))
            return false;
    return true;
}

/* "WANG" as "Wang" (ASCII). */
static char *
titled(struct span w)
{
    char *s = xstrndup(w.p, w.n);
    size_t i;

    for (i = 1; i < w.n; i++)
        s[i] = ascii_tolower(s[i]);
    return s;
}

/* Chinese family names of two characters (the common ones), written
 * without a space before the given name. */
static const char *const compound_surnames[] = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙",
    "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐", "端木", "歐陽",
    "司馬", "諸葛", "長孫", "南宫", "西门",
};

/*
 * A name in Han characters or Hangul written without spaces ("李振福",
 * "김민수"): the family name comes first, one syllable (two for the
 * compound Chinese surnames, and for a name of four characters).
 * Returns false when w is not such a name.
 */
static bool
add_cjk(struct article *a, struct span w)
{
    size_t n = w.n / 3, fam = 1, i = 0;
    bool han = true, hangul = true;

    /* Every character of these two scripts takes 3 bytes in UTF-8. */
    if (w.n % 3 != 0 || n < 2 || n > 4)
        return false;
    while (i < w.n) {
        uint32_t c = u8_next(w.p, w.n, &i);
        han = han && u8_is_han(c);
        hangul = hangul && u8_is_hangul(c);
    }
    if (!han && !hangul)
        return false;
    if (han) {
        for (i = 0; i < ARRAY_SIZE(compound_surnames); i++)
            if (!memcmp(w.p, compound_surnames[i], 6))
                fam = 2;
        if (n == 4)
            fam = 2;
    }
    if (fam >= n)
        return false;
    push_person(a, xstrndup(w.p + 3 * fam, w.n - 3 * fam),
                xstrndup(w.p, 3 * fam), NULL);
    return true;
}

/* Vancouver initials: one to three capitals with no dots ("S", "JG"),
 * a dot at most at the end of the list ("A."), and no suffix or degree. */
static bool
vancouver_initials(struct span w)
{
    /* sorted: span_in searches by halves */
    static const char *const not_initials[] = {"ba", "do", "ii", "iii",
                                               "iv", "ma", "md", "ms",
                                               "phd", "rn", "vi"};
    size_t n = w.n, i;

    if (n > 0 && w.p[n - 1] == '.')
        n--;
    if (n == 0 || n > 3)
        return false;
    for (i = 0; i < n; i++)
        if (w.p[i] < 'A' || w.p[i] > 'Z')
            return false;
    w.n = n;
    return !span_in(w, not_initials, ARRAY_SIZE(not_initials));
}

/* A word that ends in a hyphen and a particle: "Fuentes-de". */
static bool
hyphen_particle(struct span w)
{
    size_t i;

    for (i = w.n; i > 1; i--) {
        if (w.p[i - 1] == '-') {
            struct span tail = {w.p + i, w.n - i};

            return tail.n > 0 &&
                   span_in(tail, particles, ARRAY_SIZE(particles));
        }
    }
    return false;
}

/* One name in natural order ("Given Family"), or in Vancouver's order
 * ("Brandão S", "Pausas JG", as Oxford Academic and PubMed write them). */
static void
add_natural(struct article *a, struct span s)
{
    struct span w[MAX_WORDS];
    size_t k, fam, end;
    char *given, *family;

    span_trim(&s);
    if (s.n == 0)
        return;
    k = words_of(s, w, MAX_WORDS);
    /* Ranks and titles before, degrees after, when a name is left. */
    while (k > 2 && span_in(w[0], ranks, ARRAY_SIZE(ranks))) {
        memmove(w, w + 1, (k - 1) * sizeof(*w));
        k--;
    }
    while (k > 2 && span_in(w[k - 1], degrees, ARRAY_SIZE(degrees)))
        k--;
    if (k == 1 && add_cjk(a, w[0]))
        return;
    if (k < 2 || k == MAX_WORDS || words_org(w, k) || lower_word(w, k)) {
        add_literal(a, s);
        return;
    }
    /* A romanised Chinese byline writes the family name first, in
     * capitals: "WANG Zhimin". */
    if (k >= 2 && all_caps(w[0]) && !all_caps(w[k - 1]) &&
        !caps_initials(w[0])) {
        push_person(a, span_dup(w, 1, k), titled(w[0]), NULL);
        return;
    }
    if (vancouver_initials(w[k - 1]) && !is_initials(w[0])) {
        struct span g = w[k - 1];

        if (g.p[g.n - 1] == '.')
            g.n--;
        push_person(a, xstrndup(g.p, g.n), span_dup(w, 0, k - 1), NULL);
        return;
    }
    end = k;
    if (span_in(w[k - 1], suffixes, ARRAY_SIZE(suffixes)) && k > 2)
        end = k - 1;
    fam = end - 1;
    while (fam > 1 && span_in(w[fam - 1], particles, ARRAY_SIZE(particles)))
        fam--;
    /* "Diana Laura Fuentes-de la Rosa": a name joined to the particle by
     * a hyphen belongs to the family name too */
    if (fam > 1 && fam < end - 1 && hyphen_particle(w[fam - 1]))
        fam--;
    given = span_dup(w, 0, fam);
    family = span_dup(w, fam, k);
    push_person(a, given, family, NULL);
}

/* "Family, Given": family is s0, given is s1. */
static void
add_inverted(struct article *a, struct span fam, struct span giv)
{
    char *given, *family;

    span_trim(&fam);
    span_trim(&giv);
    given = giv.n > 0 ? xstrndup(giv.p, giv.n) : NULL;
    family = fam.n > 0 ? xstrndup(fam.p, fam.n) : NULL;
    push_person(a, given, family, NULL);
}

/* Split s at commas; a suffix part ("Jr.") stays with the part before. */
static size_t
comma_parts(struct span s, struct span *part, size_t max)
{
    size_t k = 0, i, start = 0;

    for (i = 0; i <= s.n && k < max; i++) {
        struct span t;

        if (i < s.n && s.p[i] != ',')
            continue;
        t.p = s.p + start;
        t.n = i - start;
        start = i + 1;
        span_trim(&t);
        if (t.n == 0)
            continue;
        if (k > 0 && span_in(t, suffixes, ARRAY_SIZE(suffixes))) {
            part[k - 1].n = (size_t)(t.p + t.n - part[k - 1].p);
            continue;
        }
        part[k++] = t;
    }
    return k;
}

static bool
inverted_pairs(const struct span *part, size_t k)
{
    size_t i;

    if (k < 2 || k % 2 != 0)
        return false;
    if (k == 2) {
        size_t left = core_words(part[0]);
        size_t right = core_words(part[1]);

        if (left == 1 || is_initials(part[1]))
            return true;
        return right == 1 && left <= 2;
    }
    for (i = 0; i < k; i += 2) {
        if (core_words(part[i]) > 2 || !is_initials(part[i + 1]))
            return false;
    }
    return true;
}

/* s cut at every comma, empty parts kept: "Kshitiz,, Suhail, Y." is
 * "Kshitiz", "", "Suhail", "Y.". */
static size_t
all_comma_parts(struct span s, struct span *part, size_t max)
{
    size_t k = 0, i, start = 0;

    for (i = 0; i <= s.n && k < max; i++) {
        if (i < s.n && s.p[i] != ',')
            continue;
        part[k].p = s.p + start;
        part[k].n = i - start;
        span_trim(&part[k]);
        k++;
        start = i + 1;
    }
    return i > s.n ? k : 0;
}

/* bioRxiv's "Family, I., Family, I." list where a one-word name has an
 * empty given part ("Kshitiz,, Suhail, Y."): pairs of a family name and
 * initials or nothing, with at least one of each. */
static bool
inverted_pairs_with_gaps(struct span s, struct article *a)
{
    struct span part[MAX_PARTS];
    size_t k = all_comma_parts(s, part, MAX_PARTS), i;
    bool gap = false, initials = false;

    if (k < 4 || k % 2 != 0)
        return false;
    for (i = 0; i < k; i += 2) {
        size_t words = core_words(part[i]);

        if (words == 0 || words > 3)
            return false;
        if (part[i + 1].n == 0)
            gap = true;
        else if (is_initials(part[i + 1]))
            initials = true;
        else
            return false;
    }
    if (!gap || !initials)
        return false;
    for (i = 0; i < k; i += 2) {
        if (part[i + 1].n == 0)
            add_literal(a, part[i]);
        else
            add_inverted(a, part[i], part[i + 1]);
    }
    return true;
}

/*
 * What newspapers put after a name in one segment: a dateline ("Tom
 * McCarthy in New York", the Guardian's correspondents; its place may
 * hold a comma, "Ashifa Kassam in Stanstead, Quebec") and a role ("Jason
 * Burke Africa correspondent"), cut off.
 */
static void
cut_dateline_and_role(struct span *s)
{
    struct span w[MAX_WORDS];
    size_t k = words_of(*s, w, MAX_WORDS), i, keep;
    const char *comma = memchr(s->p, ',', s->n);

    if (k < 3 || k == MAX_WORDS)
        return;
    for (i = 1; i + 1 < k; i++) {
        unsigned char c = (unsigned char)w[i + 1].p[0];

        /* the name before "in" holds no comma ("Smith, John in ..." is
         * left to the comma rules) */
        if (comma && comma < w[i].p)
            break;
        if (span_is(w[i], "in") && ((c >= 'A' && c <= 'Z') || c >= 0x80)) {
            s->n = (size_t)(w[i - 1].p + w[i - 1].n - s->p);
            return;
        }
    }
    if (comma)
        return;
    if (!span_in(w[k - 1], role_nouns, ARRAY_SIZE(role_nouns)))
        return;
    keep = k - 1;
    while (keep > 2 && w[keep - 1].p[0] >= 'a' && w[keep - 1].p[0] <= 'z')
        keep--;
    /* The role's qualifier ("Diplomatic editor", "Africa correspondent"):
     * a capitalised word before a lower-case role.  Not when the role came
     * with lower-case words ("senior reporter": "Mary Ann Smith" keeps her
     * family name) or is capitalised itself ("van der Berg Editor"). */
    if (keep == k - 1 && keep > 2 && w[k - 1].p[0] >= 'a' &&
        w[k - 1].p[0] <= 'z')
        keep--;
    s->n = (size_t)(w[keep - 1].p + w[keep - 1].n - s->p);
}

/*
 * A group and its members, "The Brazil Flora Group, Janaína Gomes-da-Silva,
 * Fabiana L.R. Filardi, ...": when the parts after commas are people (two
 * or more of two or more words, none of them an organisation), each part
 * is a name of its own, the group a literal.  An organisation with its
 * place ("Arctic Council Secretariat, Tromsø") stays one name.  Returns
 * whether it added them.
 */
static bool
org_then_people(struct span s, struct article *a)
{
    struct span part[MAX_PARTS], w[MAX_WORDS];
    size_t k = comma_parts(s, part, MAX_PARTS), i, people = 0;

    for (i = 0; i < k; i++) {
        size_t nw = words_of(part[i], w, MAX_WORDS);

        if (!words_org(w, nw) && nw >= 2 && !lower_word(w, nw))
            people++;
    }
    if (people < 2)
        return false;
    for (i = 0; i < k; i++) {
        if (is_org(part[i]))
            add_literal(a, part[i]);
        else
            add_natural(a, part[i]);
    }
    return true;
}

static void
add_segment(struct article *a, struct span s)
{
    struct span part[MAX_PARTS];
    size_t k, i;

    span_trim(&s);
    cut_dateline_and_role(&s);
    if (s.n == 0)
        return;
    k = comma_parts(s, part, MAX_PARTS);
    /* An organisation first: a corporate author ("Arctic Council
     * Secretariat, Tromsø"), or a group and its members; after a person,
     * an affiliation (below). */
    if (k == 0 || is_org(part[0])) {
        if (!org_then_people(s, a))
            add_literal(a, s);
        return;
    }
    if (inverted_pairs_with_gaps(s, a))
        return;
    if (inverted_pairs(part, k)) {
        for (i = 0; i < k; i += 2)
            add_inverted(a, part[i], part[i + 1]);
        return;
    }
    for (i = 0; i < k; i++) {
        /* An organisation after a person's name is where the person
         * works ("Rolf Folland, Royal Norwegian Air Force"), no second
         * author; one that opens the byline is a corporate author. */
        if (i > 0 && is_org(part[i]) && !is_org(part[i - 1]))
            continue;
        add_natural(a, part[i]);
    }
}

/* Length of a separator (";", "&", " and ") at s[i], or 0. */
static size_t
separator_at(const char *s, size_t n, size_t i)
{
    if (s[i] == ';')
        return 1;
    /* "&" only as a word: "AT&T" is one name */
    if (s[i] == '&' && ((i > 0 && s[i - 1] == ' ') || s[i + 1] == ' '))
        return 1;
    if (s[i] == ' ' && i + 4 <= n && ascii_tolower(s[i + 1]) == 'a' &&
        ascii_tolower(s[i + 2]) == 'n' && ascii_tolower(s[i + 3]) == 'd' &&
        (i + 4 == n || s[i + 4] == ' '))
        return i + 4 == n ? 4 : 5;
    return 0;
}

/*
 * Cut a trailing "et al." (or "et al", "et. al.", "and others") off b: it
 * marks a list cut short, it names no one.  Returns whether it did.
 */
static bool
cut_et_al(struct buf *b)
{
    static const char *const marks[] = {"et al.", "et al", "et. al.",
                                         "and others", "and colleagues"};
    size_t i, m;

    for (i = 0; i < ARRAY_SIZE(marks); i++) {
        m = strlen(marks[i]);
        if (b->len < m || !span_is((struct span){b->data + b->len - m, m},
                                   marks[i]))
            continue;
        /* a word of its own: "Metal" does not end in "et al" */
        if (b->len > m && b->data[b->len - m - 1] != ' ' &&
            b->data[b->len - m - 1] != ',')
            continue;
        b->len -= m;
        while (b->len > 0 && (b->data[b->len - 1] == ' ' ||
                              b->data[b->len - 1] == ',' ||
                              b->data[b->len - 1] == ';'))
            b->len--;
        b->data[b->len] = '\0';
        return true;
    }
    return false;
}

/* "Nick Ames (now), Ed Aarons and Ben Fisher (earlier)": notes in
 * parentheses are no names. */
static void
drop_parentheses(struct buf *b)
{
    size_t i, o = 0;
    int depth = 0;

    for (i = 0; i < b->len && depth >= 0; i++)
        depth += b->data[i] == '(' ? 1 : b->data[i] == ')' ? -1 : 0;
    if (depth != 0) /* unbalanced: leave it */
        return;
    for (i = 0; i < b->len; i++) {
        if (b->data[i] == '(')
            depth++;
        else if (b->data[i] == ')')
            depth--;
        else if (depth == 0)
            b->data[o++] = b->data[i];
    }
    b->len = o;
    b->data[o] = '\0';
}

void
article_add_byline(struct article *a, const char *p, size_t n)
{
    struct buf b = BUF_INIT;
    struct span whole;
    size_t i, start, skip = 0;

    clean_append(&b, p, n);
    drop_parentheses(&b);
    if (cut_et_al(&b))
        a->others = true;
    if (b.len > 3 && span_is((struct span){b.data, 3}, "by "))
        skip = 3;
    whole.p = b.data + skip;
    whole.n = b.len - skip;
    if (memchr(whole.p, ';', whole.n) == NULL &&
        memchr(whole.p, ',', whole.n) == NULL && is_org(whole)) {
        span_trim(&whole);
        add_literal(a, whole);
        goto out;
    }
    start = skip;
    for (i = skip; i <= b.len; i++) {
        size_t sep = i < b.len ? separator_at(b.data, b.len, i) : 1;
        struct span seg;

        if (sep == 0)
            continue;
        seg.p = b.data + start;
        seg.n = i - start;
        add_segment(a, seg);
        start = i + sep;
        i += sep - 1;
    }
out:
    buf_release(&b);
}

void
article_add_keyword(struct article *a, const char *kw)
{
    char *k = clean_dup(kw);
    size_t i;

    if (k == NULL)
        return;
    for (i = 0; i < a->nkeywords; i++) {
        struct span s = {a->keywords[i], strlen(a->keywords[i])};
        size_t j;

        if (s.n != strlen(k))
            continue;
        for (j = 0; j < s.n && ascii_tolower(s.p[j]) == ascii_tolower(k[j]);
             j++)
            ;
        if (j == s.n) {
            free(k);
            return;
        }
    }
    xgrow(&a->keywords, &a->keywords_alloc, a->nkeywords + 1,
          sizeof(*a->keywords));
    a->keywords[a->nkeywords++] = k;
}

/* Skip a prefix (case-insensitive) if s starts with it. */
static bool
eat(const char **s, const char *prefix)
{
    /* n may pass the NUL (ascii_istarts stops there): no strlen. */
    if (!ascii_istarts(*s, (size_t)-1, prefix))
        return false;
    *s += strlen(prefix);
    return true;
}

/* Strip the "doi:", "info:doi/" or doi.org URL prefix; *url set for URLs. */
static const char *
doi_start(const char *s, bool *url)
{
    static const char *const hosts[] = {"doi.org/", "dx.doi.org/",
                                        "www.doi.org/"};
    size_t i;

    *url = false;
    while (ascii_is_space(*s))
        s++;
    if (eat(&s, "doi:") || eat(&s, "info:doi/")) {
        while (ascii_is_space(*s))
            s++;
        return s;
    }
    if (eat(&s, "https://") || eat(&s, "http://")) {
        for (i = 0; i < ARRAY_SIZE(hosts); i++) {
            if (eat(&s, hosts[i])) {
                *url = true;
                return s;
            }
        }
        return NULL;
    }
    return s;
}

char *
article_doi_normalize(const char *s)
{
    struct buf b = BUF_INIT;
    bool url;
    size_t i, from = 0, slash = 0;

    if (s == NULL || (s = doi_start(s, &url)) == NULL)
        return NULL;
    /* Bytes s[from..i) are kept as they are and appended as one run. */
    for (i = 0; s[i] != '\0' && !ascii_is_space(s[i]); i++) {
        char c = s[i];
        bool escaped = url && c == '%' && ascii_hex_value(s[i + 1]) >= 0 &&
                       ascii_hex_value(s[i + 2]) >= 0;

        if (url && (c == '?' || c == '#'))
            break;
        if (escaped)
            c = (char)(ascii_hex_value(s[i + 1]) * 16 +
                       ascii_hex_value(s[i + 2]));
        if ((unsigned char)c < 0x20 || c == 0x7f)
            break;
        if (c == '/' && slash == 0)
            slash = b.len + (i - from);
        if (escaped) {
            buf_append(&b, s + from, i - from);
            buf_append_char(&b, c);
            i += 2;
            from = i + 1;
        }
    }
    buf_append(&b, s + from, i - from);
    /* "10." registrant (digits and dots, 4+ digits first) "/" suffix */
    for (i = 3; i < slash &&
                ((b.data[i] >= '0' && b.data[i] <= '9') || b.data[i] == '.');
         i++)
        ;
    if (b.len < 9 || strncmp(b.data, "10.", 3) != 0 || slash < 7 ||
        i != slash || slash + 1 >= b.len) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

/* Query parameters that only track the reader: utm_*, fbclid, and the
 * "af=R" that Taylor & Francis and Wiley feeds append to every link. */
static bool
is_tracking_param(const char *p, size_t n)
{
    if (n >= 4 && strncasecmp(p, "utm_", 4) == 0)
        return true;
    if ((n == 6 || (n > 6 && p[6] == '=')) && strncasecmp(p, "fbclid", 6) == 0)
        return true;
    return n == 4 && strncmp(p, "af=R", 4) == 0;
}

/* Append the query q[0..n) without tracking parameters. */
static void
append_query(struct buf *b, const char *q, size_t n)
{
    size_t i = 0;
    bool first = true;

    while (i < n) {
        size_t j = i;

        while (j < n && q[j] != '&')
            j++;
        if (j > i && !is_tracking_param(q + i, j - i)) {
            buf_append_char(b, first ? '?' : '&');
            buf_append(b, q + i, j - i);
            first = false;
        }
        i = j + 1;
    }
}

char *
article_url_canonical(const char *url)
{
    struct buf b = BUF_INIT;
    const char *p, *host, *end, *q, *hash;
    size_t n, hlen;

    if (url == NULL)
        return NULL;
    while (ascii_is_space(*url))
        url++;
    n = strlen(url);
    while (n > 0 && ascii_is_space(url[n - 1]))
        n--;
    if (n > 7 && strncasecmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (n > 8 && strncasecmp(url, "https://", 8) == 0)
        host = url + 8;
    else
        return NULL;
    end = url + n;
    for (p = url; p < end; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return NULL;
    }
    hash = memchr(host, '#', (size_t)(end - host));
    if (hash != NULL)
        end = hash;
    for (p = host; p < end && *p != '/' && *p != '?'; p++)
        ;
    hlen = (size_t)(p - host);
    if (hlen > 4 && strncmp(p - 4, ":443", 4) == 0)
        hlen -= 4;
    else if (hlen > 3 && strncmp(p - 3, ":80", 3) == 0)
        hlen -= 3;
    if (hlen == 0)
        return NULL;
    buf_append_str(&b, "https://");
    for (n = 0; n < hlen; n++)
        buf_append_char(&b, ascii_tolower(host[n]));
    q = memchr(p, '?', (size_t)(end - p));
    if (q == NULL)
        q = end;
    if (p == q || *p != '/')
        buf_append_char(&b, '/');
    buf_append(&b, p, (size_t)(q - p));
    if (q < end)
        append_query(&b, q + 1, (size_t)(end - q - 1));
    return buf_detach(&b, NULL);
}

static int
cmp_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a == NULL) - (b == NULL);
    return strcmp(a, b);
}

int
article_cmp_newest(const void *pa, const void *pb)
{
    const struct article *a = pa, *b = pb;
    bool sa = dt_is_set(&a->published), sb = dt_is_set(&b->published);
    int c;

    if (sa != sb)
        return sa ? -1 : 1; /* undated last */
    if (sa) {
        c = dt_cmp(&b->published, &a->published);
        if (c != 0)
            return c;
    }
    c = cmp_str(a->title, b->title);
    if (c != 0)
        return c;
    c = cmp_str(a->guid, b->guid);
    if (c != 0)
        return c;
    return cmp_str(a->url, b->url);
}

void
article_list_take(struct article_list *l, struct article *a)
{
    xgrow(&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
    l->v[l->n++] = *a;
    article_init(a);
}

void
article_list_release(struct article_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        article_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

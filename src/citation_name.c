/*
 * citation_name: persons and author lists as the styles write them:
 * suffixes, particles (CMOS 17 8.5, 8.12; MLA 9), names in East Asian
 * scripts (CMOS 8.14, APA 7 9.8), given names spaced (CMOS 10.12) or made
 * initials (APA 7 9.8), and the lists: Chicago seven of more than ten
 * (CMOS 14.76), APA twenty and the last (9.8), MLA et al. after one of
 * three or more (5.7).
 */
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "citation_int.h"

/*
 * Whether the part of a name s is written in capitals ("BALDIZZONE",
 * "RAMON A.", "RUIZ-SÁNCHEZ"), as some journals' systems print names: no
 * lower-case letter, and two capitals in a row somewhere (so that an
 * initial, "J." or "A", is not taken for it).
 */
static bool
in_capitals(const char *s)
{
    size_t i = 0, n = s ? strlen(s) : 0, run = 0;
    bool two = false;

    while (i < n) {
        uint32_t cp = u8_next(s, n, &i);
        if (cite_upper(cp) != cp)
            return false; /* a lower-case letter */
        if (cite_lower(cp) != cp) {
            if (++run >= 2)
                two = true;
        } else {
            run = 0;
        }
    }
    return two;
}

/* Whether w[0..n) is initials written together in capitals, without a
 * vowel ("DJ", "JRR"): each letter stands for a name.  Every romanised
 * family name written in capitals has a vowel, "NG" aside. */
static bool
joined_initials(const char *w, size_t n)
{
    size_t i;

    if (n < 2 || n > 4 || (n == 2 && !memcmp(w, "NG", 2))) /* Ng */
        return false;
    for (i = 0; i < n; i++)
        if (w[i] < 'A' || w[i] > 'Z' || strchr("AEIOUY", w[i]))
            return false;
    return true;
}

/* s in capitals as a name is written ("RUIZ-SÁNCHEZ" -> "Ruiz-Sánchez",
 * "O'BRIEN" -> "O'Brien", "MCDONALD" -> "McDonald"): a capital opens each
 * word and each part after a hyphen or an apostrophe.  Caller frees. */
static char *
name_recased(const char *s)
{
    struct buf b = BUF_INIT;
    size_t i = 0, n = strlen(s), word = 0, k, at;
    bool roman = false;

    while (i < n) {
        uint32_t cp;

        at = i;
        cp = u8_next(s, n, &i);
        bool letter = cite_lower(cp) != cp || cite_upper(cp) != cp;

        if (!letter) {
            word = 0;
            u8_append(&b, cp);
            continue;
        }
        if (word == 0) {
            /* a numeral of a name keeps its capitals: "Smith III" */
            for (k = at; k < n && s[k] && strchr("IVX", s[k]); k++)
                ;
            /* I, II, III, IV, VI, ...; not a name's V or X */
            roman = at > 0 && k > at && k - at <= 4 &&
                    (k - at > 1 || s[at] == 'I') &&
                    (k == n || s[k] == ' ' || s[k] == ',' || s[k] == '.');
            /* and initials written together: "DJ" */
            for (k = at; k < n && s[k] >= 'A' && s[k] <= 'Z'; k++)
                ;
            if ((k == n || s[k] == ' ') && joined_initials(s + at, k - at))
                roman = true;
        }
        /* "Mc" before a capital: McDonald, McCain */
        if (word == 0 || roman ||
            (word == 2 && b.len >= 2 &&
             !memcmp(b.data + b.len - 2, "Mc", 2)))
            u8_append(&b, cp);
        else
            u8_append(&b, cite_lower(cp));
        word++;
    }
    return buf_detach(&b, NULL);
}

/* A part of a name written in capitals takes the capitals of a name
 * (CMOS 8.1: names as their bearers write them, not a typeface's
 * capitals; citeproc prints them as stored). */
static void
recase_capitals(char **part)
{
    char *s;

    if (!*part || !in_capitals(*part))
        return;
    s = name_recased(*part);
    free(*part);
    *part = s;
}

/* Whether s has letters and none of them a capital ("jiang", "da silva"),
 * as some feeds deposit a name typed in haste. */
static bool
in_lower_case(const char *s)
{
    size_t i = 0, n = s ? strlen(s) : 0, letters = 0;

    while (i < n) {
        uint32_t cp = u8_next(s, n, &i);
        if (cite_lower(cp) != cp)
            return false;
        /* a letter whose case we do not map ("İnanç") tells nothing */
        if (cite_is_letter(cp) && cite_upper(cp) == cp)
            return false;
        letters += cite_upper(cp) != cp;
    }
    return letters > 0;
}

/* Whether w[0..n) is a particle that stays in lower case inside a name
 * ("da Silva", "van der Berg"; CMOS 17 8.5). */
static bool
name_particle(const char *w, size_t n)
{
    static const char *const particles[] = {
        "al",  "bin", "da",  "das", "de",  "del", "della", "den", "der",
        "di",  "do",  "dos", "du",  "e",   "el",  "ibn",   "la",  "le",
        "ten", "ter", "van", "von", "y",   "zu"};
    size_t i;

    for (i = 0; i < ARRAY_SIZE(particles); i++)
        if (strlen(particles[i]) == n && !memcmp(w, particles[i], n))
            return true;
    return false;
}

/* A part of a name written all in lower case takes a name's capitals
 * from name_recased, as if written in capitals: one opens each word and
 * each part after a hyphen or an apostrophe; a particle before another
 * word stays in lower case ("jiang" -> "Jiang", "da silva" -> "da
 * Silva", "o'brien" -> "O'Brien").  A name its bearer writes in lower
 * case ("bell hooks") is rare beside the names feeds lose capitals of;
 * citeproc prints them as stored. */
static void
recase_lower(char **part)
{
    struct buf up = BUF_INIT;
    char *s, first;
    size_t at = 0, w, n;

    if (!*part || !in_lower_case(*part))
        return;
    n = strlen(*part);
    while (at < n)
        u8_append(&up, cite_upper(u8_next(*part, n, &at)));
    s = name_recased(up.data);
    buf_release(&up);
    at = 0;
    while (s[at]) {
        w = at + strcspn(s + at, " -");
        first = s[at];
        if (first >= 'A' && first <= 'Z' && s[w] == ' ') {
            s[at] = (char)(first - 'A' + 'a');
            if (!name_particle(s + at, w - at))
                s[at] = first;
        }
        at = s[w] ? w + 1 : w;
    }
    free(*part);
    *part = s;
}

void
cite_name_split(const struct person *p, struct name_parts *np)
{
    size_t at, keep;

    memset(np, 0, sizeof(*np));
    np->literal = p->literal;
    /* An empty part is no part ("李, , 陈, ," came of empty given names). */
    np->given = p->given && *p->given ? xstrdup(p->given) : NULL;
    np->family = p->family && *p->family ? xstrdup(p->family) : NULL;
    recase_capitals(&np->given);
    recase_capitals(&np->family);
    recase_lower(&np->given);
    recase_lower(&np->family);
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

/* Whether g[i..] opens with a capital letter that stands alone as a word
 * ("A" of "Colin A", "C" of "Renata M. C"); its length in bytes, or 0. */
static size_t
bare_initial(const char *g, size_t i)
{
    size_t n = strlen(g), k = i;
    uint32_t cp;

    if (i > 0 && g[i - 1] != ' ')
        return 0;
    cp = u8_next(g, n, &k);
    if (cite_upper(cp) != cp || cite_lower(cp) == cp)
        return 0;
    return (k == n || g[k] == ' ') ? k - i : 0;
}

/* "J.A. Smith" -> "J. A. Smith", "Colin A Pendry" -> "Colin A. Pendry":
 * CMOS 10.12 and MLA put a period and a space after an initial. */
static void
put_given(struct cite_out *o, const char *g)
{
    struct buf b = BUF_INIT;
    size_t i, m;

    for (i = 0; g[i]; i++) {
        m = bare_initial(g, i);
        if (m) {
            buf_append(&b, g + i, m);
            buf_append_char(&b, '.');
            i += m - 1;
            continue;
        }
        buf_append_char(&b, g[i]);
        if (g[i] == '.' && g[i + 1] >= 'A' && g[i + 1] <= 'Z')
            buf_append_char(&b, ' ');
    }
    cite_put_n(o, b.data, b.len);
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
put_cjk_name(struct cite_out *o, const struct name_parts *np)
{
    struct buf b = BUF_INIT;

    if (cite_name_scripts(np, &b)) {
        cite_put_n(o, b.data, b.len);
        buf_release(&b);
        return true;
    }
    buf_release(&b);
    if (!is_cjk(np->family) && !is_cjk(np->given))
        return false;
    if (np->family)
        cite_put(o, np->family);
    if (np->given)
        cite_put(o, np->given);
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

/* s with its apostrophes and quotation marks typographic, as a title's
 * (cite_typographic: "O'Brien" -> "O’Brien"), as citeproc prints names;
 * NULL for NULL.  Caller frees. */
static char *
apostrophes(const char *s)
{
    struct buf b = BUF_INIT;

    if (s == NULL)
        return NULL;
    cite_typographic(s, strlen(s), false, &b);
    return buf_detach(&b, NULL);
}

/* cite_name_split for printing: apostrophes typographic. */
static void
name_split_typographic(const struct person *p, struct name_parts *np)
{
    char **parts[3];
    size_t i;

    cite_name_split(p, np);
    parts[0] = &np->given;
    parts[1] = &np->family;
    parts[2] = &np->suffix;
    for (i = 0; i < 3; i++) {
        char *t = apostrophes(*parts[i]);
        free(*parts[i]);
        *parts[i] = t;
    }
}

/* Start printing p: an organisation's name, or a name in two scripts, is
 * printed whole here (false); else np holds its parts, apostrophes
 * typographic, for the caller to print and release (true). */
static bool
name_open(struct cite_out *o, const struct person *p, struct name_parts *np)
{
    char *t;

    if (p->literal) {
        t = apostrophes(p->literal);
        cite_put(o, t);
        free(t);
        return false;
    }
    name_split_typographic(p, np);
    if (put_cjk_name(o, np)) {
        cite_name_release(np);
        return false;
    }
    return true;
}

/* Chicago and MLA: "Family, Given particle, Jr." (CMOS 8.5, 8.12: names
 * with van, de, al- are listed under the main element, "Berg, Jan van
 * der"), or "Given Family Jr.".  MLA keeps a particle that is an article
 * before the family name (particle_is_article). */
static void
name_full(struct cite_out *o, const struct person *p, bool inverted, bool mla)
{
    struct name_parts np;
    size_t pl;

    if (!name_open(o, p, &np))
        return;
    if (inverted && np.family) {
        pl = np.given ? particle_len(np.family) : 0;
        if (mla && pl && particle_is_article(np.family, pl)) {
            /* it leads the entry: "Del Río" */
            np.family[0] = (char)(np.family[0] - 'a' + 'A');
            pl = 0;
        }
        cite_put(o, np.family + pl);
        if (np.given) {
            cite_lit(o, ", ");
            put_given(o, np.given);
        }
        if (pl) {
            cite_lit(o, " ");
            cite_put_n(o, np.family, np.family[pl - 1] == ' ' ? pl - 1 : pl);
        }
        if (np.suffix) {
            cite_lit(o, ", ");
            cite_put(o, np.suffix);
        }
    } else {
        if (np.given)
            put_given(o, np.given);
        if (np.given && np.family)
            cite_lit(o, " ");
        cite_put(o, np.family);
        if (np.suffix) {
            cite_lit(o, " ");
            cite_put(o, np.suffix);
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
 * "J.-P.", "J.A." -> "J. A.", "DJ" -> "D. J.". */
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
        if (joined_initials(g + at, end - at)) {
            for (; at < end; at++) {
                if (b->len && b->data[b->len - 1] != '-')
                    buf_append_char(b, ' ');
                buf_append_char(b, g[at]);
                buf_append_char(b, '.');
            }
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
name_apa(struct cite_out *o, const struct person *p)
{
    struct name_parts np;
    struct buf b = BUF_INIT;

    if (!name_open(o, p, &np))
        return;
    cite_put(o, np.family ? np.family : np.given);
    if (np.given && np.family) {
        cite_lit(o, ", ");
        initials(&b, np.given);
        cite_put_n(o, b.data, b.len);
    }
    if (np.suffix) {
        cite_lit(o, ", ");
        cite_put(o, np.suffix);
    }
    buf_release(&b);
    cite_name_release(&np);
}

void
cite_authors_chicago(struct cite_out *o, const struct article *a)
{
    size_t i, n = a->nauthors, shown = n > 10 ? 7 : n;

    for (i = 0; i < shown; i++) {
        if (i && i == n - 1)
            cite_lit(o, ", and ");
        else if (i)
            cite_lit(o, ", ");
        name_full(o, &a->authors[i], i == 0, false);
    }
    if (shown < n || a->others)
        cite_lit(o, ", et al.");
}

void
cite_authors_mla(struct cite_out *o, const struct article *a)
{
    name_full(o, &a->authors[0], true, true);
    if (a->nauthors == 2 && !a->others) {
        cite_lit(o, ", and ");
        name_full(o, &a->authors[1], false, true);
    } else if (a->nauthors >= 2 || a->others) {
        cite_lit(o, ", et al.");
    }
}

void
cite_authors_apa(struct cite_out *o, const struct article *a)
{
    size_t i, n = a->nauthors;

    for (i = 0; i < n; i++) {
        if (n > 20 && i == 19) {
            cite_lit(o, ", . . . ");
            i = n - 1;
        } else if (i && i == n - 1) {
            cite_lit(o, ", & ");
        } else if (i) {
            cite_lit(o, ", ");
        }
        name_apa(o, &a->authors[i]);
    }
    if (a->others && n <= 20) /* the feed named no more */
        cite_lit(o, ", et al.");
}


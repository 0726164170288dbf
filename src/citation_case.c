/*
 * citation_case: title case (Chicago 17 8.159, MLA 9 1.2) and sentence
 * case (APA 7 6.17) for titles from feeds, and the letter helpers the rest
 * of the module shares.
 *
 * Rules, applied word by word (a word is a run of anything but white
 * space, hyphens, slashes and the punctuation : ; , ! ? ( ) [ ] and
 * quotes; "U.S." and "Russia's" are one word each):
 *  1. Proper nouns and acronyms from proper[] keep their spelling (matched
 *     without regard to case, phrases and hyphenated forms included:
 *     "High North", "Sino-Russian").
 *  2. Unless the whole title is written in capitals, a word that is all
 *     capitals with 2 or more letters ("NATO", "OLYMPUS"), a word with a
 *     capital after its first letter ("McDonald", "iPhone") and a word
 *     holding a digit stay as they are; so does an initial ("L.").
 *     In a title written in capitals (its small words may be in lower
 *     case: "MANN AND OTHERS v SECRETARY"), a word is re-cased only when
 *     the word lists know it: a common word ("MODELING") as rule 3 says,
 *     a name they spell with a capital ("MANN") capitalised; a word they
 *     do not know ("FRBR") or spell in capitals ("NATO") stays.
 *  3. Every other word is lower-cased; title case then capitalises its
 *     first letter unless it is an article, preposition or conjunction in
 *     the middle of the title (see stopwords[]); sentence case
 *     capitalises only the first word and the first word after a colon,
 *     question or exclamation mark, or after a period that ends a
 *     sentence (not an initial, "U.S." or "vs.").  Latin "de" ("de
 *     novo") is a preposition.  In title case the parts of a
 *     hyphenated compound are capitalised like words ("Long-Term"), its
 *     first and last parts always ("Trade-Off", "In-Depth"; CMOS 8.161),
 *     and a small word right after an article is no preposition ("the
 *     Past"); in sentence case only the first part of the first word is.
 *  4. In sentence case a word capitalised in the source keeps its capitals
 *     unless it is a common word: one that Debian's word lists (wamerican,
 *     wbritish and their -large lists; dict_words.h, made at build time)
 *     spell in lower case, or derive from one of their words by a suffix or
 *     prefixes ("Knotless", "Interoperability", "Workers'",
 *     "Dibromotyrosine": citation_words.c), or a word after a chemical
 *     name's locants ("1,10-Phenanthroline").  A title already in sentence
 *     case keeps every capital inside a sentence: the author meant it ("the
 *     Brief Pain Inventory", "the Bay of Bengal"; source_in_sentence_case).
 *     So "Asian", "Greenland" (which the lists know only capitalised),
 *     "Sápmi" and "Putin" (which they do not know) stay; "Change",
 *     "Security" become "change", "security".  Names that are also common
 *     words ("Northwest Passage", "the Arctic") are in proper[]; a
 *     capitalised word beside an initial is part of a person's name and
 *     stays ("Warren L. Butler"), and so does the genus of a scientific name
 *     ("(Puma concolor)", "Selaginella moellendorffii"), a capital letter
 *     that names something ("vitamin D"), the geographic word after a place
 *     name ("Fargey Creek") and the names of the record's organisations that
 *     the title holds (cite_sentence_case_keeping).  A title that names a
 *     case, its parties joined by a lower-case "v" or "v.", keeps title
 *     case: the parties are proper nouns.  That "v" stays lower case in
 *     title case too (a capital "V" may be a Roman numeral and is left
 *     alone).
 * A web address is kept as written.  A title whose language is known and
 * not English is not re-cased at all (cite_lang_recased): these rules,
 * and the stop words, are English.
 */
#include "arctic_digest/citation.h"

#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/util.h"
#include "citation_case_int.h"
#include "citation_int.h"

bool
cite_lang_recased(const char *lang)
{
    /* CSL 1.0.2, "Text-case": case changes are for English items and
     * items without a language; English is the "en" language subtag with
     * any region or script ("en-GB"), as citeproc reads it. */
    return lang == NULL || (ascii_istarts(lang, strlen(lang), "en") &&
                            (lang[2] == '\0' || lang[2] == '-'));
}

bool
cite_is_sep(uint32_t c)
{
    return c == ' ' || c == '\n' || c == '-' || c == '/' || c == ':' ||
           c == ';' || c == ',' || c == '!' || c == '?' || c == '(' ||
           c == ')' || c == '[' || c == ']' || c == '"' || c == 0x2010 ||
           c == 0x2013 || c == 0x2014 || c == 0x201c || c == 0x201d ||
           c == 0x2018 || c == 0x00a0 || c == 0x2026 || c == 0xe000 ||
           c == 0xe001;
}

bool
cite_is_apostrophe(uint32_t c)
{
    return c == '\'' || c == 0x2019;
}

/* Whether p[j..n) starts with an ellipsis written as three periods. */
static bool
dots_at(const struct caser *c, size_t j)
{
    return c->n - j >= 3 && !memcmp(c->p + j, "...", 3);
}

/* End of the word starting at i.  An ellipsis of three periods is a word
 * of its own ("Back...and": "Back", "...", "and"). */
size_t
cite_word_end(const struct caser *c, size_t i)
{
    size_t j = i, k;

    if (dots_at(c, i)) {
        while (j < c->n && c->p[j] == '.')
            j++;
        return j;
    }
    while (j < c->n && !(j > i && dots_at(c, j))) {
        k = j;
        if (cite_is_sep(u8_next(c->p, c->n, &k)))
            break;
        j = k;
    }
    return j;
}

/* Whether the word at i follows a chemical name's locants and their
 * hyphen ("1,2-Dichloroenamides", "1,10-Phenanthroline"): it is part of
 * a systematic name, a common noun, whatever the word lists know. */
static bool
after_locants(const struct caser *c, size_t i)
{
    size_t j;
    bool digit = false;

    if (i < 2 || c->p[i - 1] != '-')
        return false;
    j = i - 1;
    while (j > 0 && ((c->p[j - 1] >= '0' && c->p[j - 1] <= '9') ||
                     c->p[j - 1] == ',')) {
        digit = digit || c->p[j - 1] != ',';
        j--;
    }
    return digit && (j == 0 || c->p[j - 1] == ' ' || c->p[j - 1] == '(');
}

bool
cite_keep_as_is(const struct caser *c, size_t i, size_t e)
{
    size_t j = i, letters = 0, uppers = 0, lowers = 0;
    bool inner_upper = false, digit = false;

    while (j < e) {
        uint32_t cp = u8_next(c->p, e, &j);
        if (cp >= '0' && cp <= '9')
            digit = true;
        if (!cite_is_letter(cp))
            continue;
        letters++;
        if (cite_lower(cp) != cp) {
            uppers++;
            if (letters > 1)
                inner_upper = true;
        } else if (cite_upper(cp) != cp) {
            lowers++;
        }
    }
    if (digit)
        return true;
    if (c->allcaps)
        return false;
    /* In a title not in capitals a word in capitals is an acronym or a
     * name, whatever its length ("NATO", "OLYMPUS"; CMOS 8.159). */
    if (uppers == letters && letters >= 2)
        return true;
    return inner_upper && lowers > 0;
}

static void
emit_word(struct caser *c, size_t i, size_t e, bool cap)
{
    size_t j = i;
    bool first = true;

    while (j < e) {
        uint32_t cp = u8_next(c->p, e, &j);
        if (cite_is_letter(cp)) {
            cp = (first && cap) ? cite_upper(cp) : cite_lower(cp);
            first = false;
        }
        u8_append(c->out, cp);
    }
}

/* Whether the word at p[i..e) starts with a capital letter. */
bool
cite_starts_upper(const struct caser *c, size_t i, size_t e)
{
    uint32_t cp = u8_next(c->p, e, &i);

    return cite_lower(cp) != cp;
}

/* Whether p[0..n) is "v" or "v." written in lower case: "versus" in a
 * case name ("MANN AND OTHERS v SECRETARY OF STATE"), which title case
 * keeps lower case, as CSL's stop words do ("v", "vs."); a capital "V"
 * may be a Roman numeral ("Part V") and is left alone. */
static bool
is_versus(const char *p, size_t n)
{
    return (n == 1 || (n == 2 && p[1] == '.')) && p[0] == 'v';
}

/* Whether p[0..n) is a small word that a title in capitals writes in
 * lower case: all lower-case ASCII letters (and a final period), a stop
 * word or "v". */
static bool
lower_small_word(const char *p, size_t n)
{
    size_t i, m = n && p[n - 1] == '.' ? n - 1 : n;

    for (i = 0; i < m; i++)
        if (p[i] < 'a' || p[i] > 'z')
            return false;
    return m > 0 && (cite_is_stopword(p, m) || is_versus(p, n));
}

/* A title written in capitals: no lower-case letter but in small words
 * written in lower case ("MANN AND OTHERS v SECRETARY OF STATE"), and at
 * least two capitals. */
static bool
title_is_allcaps(const char *p, size_t n)
{
    size_t i = 0, uppers = 0, w = 0;

    while (i < n) {
        size_t at = i;
        uint32_t cp = u8_next(p, n, &i);

        if (cp == ' ') {
            w = i;
            continue;
        }
        if (cite_upper(cp) != cp) {
            size_t e = at;
            while (e < n && p[e] != ' ')
                e++;
            if (!lower_small_word(p + w, e - w))
                return false;
            i = e;
            continue;
        }
        if (cite_lower(cp) != cp)
            uppers++;
    }
    return uppers > 1;
}

static bool
has_word_after(const struct caser *c, size_t i)
{
    while (i < c->n) {
        size_t k = i;
        uint32_t cp = u8_next(c->p, c->n, &k);
        if (cite_is_letter(cp) || (cp >= '0' && cp <= '9'))
            return true;
        i = k;
    }
    return false;
}

/*
 * Whether the dash p[i..k) (hyphens, an en or em dash) stands between
 * spaces: "Presidency -- A Study", "2009-2019 - Rural NEET".  Such a dash
 * opens a subtitle, as a colon does (Chicago 17 8.159, APA 7 6.17); one
 * inside a word ("Long-Term", "2009–2019") does not.
 */
static bool
spaced_dash(const char *p, size_t n, size_t i, size_t k)
{
    while (i > 0 && p[i - 1] == '-')
        i--;
    while (k < n && p[k] == '-')
        k++;
    return i > 0 && p[i - 1] == ' ' && k < n && p[k] == ' ';
}

/* Whether the word p[0..n) is an initial: one capital letter and a
 * period ("L."). */
bool
cite_is_initial(const char *p, size_t n)
{
    return n == 2 && p[0] >= 'A' && p[0] <= 'Z' && p[1] == '.';
}

/* Whether p[0..n) is one of words[0..nwords), ASCII case ignored. */
bool
cite_one_of(const char *p, size_t n, const char *const *words, size_t nwords)
{
    size_t i;

    for (i = 0; i < nwords; i++)
        if (ascii_ieq_n(p, n, words[i]))
            return true;
    return false;
}

/* Abbreviations, without their period, that a sentence does not end
 * with but goes on after: the ranks and status of a scientific name
 * ("sp. nov., a new genus", "gen. et sp. nov. from", "stat. rev."),
 * "et al.", "ca.", "cf.", and the parts of a work ("fig.", "no.",
 * "vol."). */
static const char *const midword_abbrevs[] = {
    "aff", "al",  "approx", "ca",     "cf",    "comb", "fig", "figs",
    "gen", "no",  "nom",    "nos",    "nov",   "pp",   "rev", "sp",
    "spp", "ssp", "stat",   "subgen", "subsp", "var",  "vol", "vols",
};

/* Whether the word p[0..n) ends a sentence: it ends in a period and is
 * no initial ("L."), no abbreviation with inner periods ("U.S."), no
 * abbreviated preposition ("vs.") and none of midword_abbrevs ("sp.",
 * "nov.", "al."), unless written in capitals in a title that is not
 * (an acronym: "in CF. A cohort"): "Series." in "12 Series. Future of
 * the Internet", "II." in "Chapitre II. De nouvelles ...". */
static bool
ends_sentence_word(const char *p, size_t n, bool allcaps)
{
    size_t i, letters = 0, uppers = 0;

    if (n < 3 || p[n - 1] != '.' || p[n - 2] == '.')
        return false;
    for (i = 0; i + 1 < n; i++) {
        if (p[i] == '.')
            return false;
        if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
            letters++;
        if (p[i] >= 'A' && p[i] <= 'Z')
            uppers++;
    }
    if (letters < 2 || cite_is_stopword(p, n - 1))
        return false;
    return (uppers == letters && !allcaps) ||
           !cite_one_of(p, n - 1, midword_abbrevs, ARRAY_SIZE(midword_abbrevs));
}

/* Whether p[0..n) is an article ("a", "an", "the"). */
static bool
is_article(const char *p, size_t n)
{
    return (n == 1 && (p[0] | 0x20) == 'a') ||
           (n == 2 && (p[0] | 0x20) == 'a' && (p[1] | 0x20) == 'n') ||
           (n == 3 && (p[0] | 0x20) == 't' && (p[1] | 0x20) == 'h' &&
            (p[2] | 0x20) == 'e');
}

/* Whether a small word at p[i..e) is used as a preposition or
 * conjunction, so that title case keeps it lower case: not right after
 * an article ("the Past", a noun), and not as the first or the last part
 * of a hyphenated compound ("Trade-Off", "In-Depth"; CMOS 8.161). */
static bool
small_word(const struct caser *c, size_t i, size_t e, bool hyphen,
           bool after_article)
{
    bool hyphen_after = e < c->n && c->p[e] == '-';

    if (after_article || hyphen != hyphen_after)
        return false;
    if (is_versus(c->p + i, e - i))
        return true;
    return cite_is_stopword(c->p + i, e - i - (c->p[e - 1] == '.' ? 1 : 0));
}

/* The part of a hyphenated compound before the hyphen at p[i - 1], in
 * *b and *bn; false when p[i - 1] is no hyphen or nothing is before it. */
static bool
part_before(const struct caser *c, size_t i, size_t *b, size_t *bn)
{
    size_t j;

    if (i < 2 || c->p[i - 1] != '-')
        return false;
    j = i - 1;
    while (j > 0 && !cite_is_sep((unsigned char)c->p[j - 1]))
        j--;
    *b = j;
    *bn = i - 1 - j;
    return *bn > 0;
}

/*
 * Whether the part p[i..e) of a hyphenated compound stays in lower case
 * in Chicago's headline style (CMOS 17 8.161): after a prefix that is no
 * word by itself ("Anti-intellectual", "Non-state", "E-books"), and as
 * the second part of a spelled-out number or a simple fraction
 * ("Twenty-one", "Two-thirds").  A proper noun after a prefix keeps its
 * capital ("Pre-Columbian", "Sub-Arctic").
 */
static bool
cmos_lower_part(const struct caser *c, size_t i, size_t e)
{
    static const char *const prefixes[] = {
        "anti",  "bi",    "bio",   "co",    "cyber", "de",     "e",
        "eco",   "geo",   "infra", "inter", "intra", "macro",  "meta",
        "micro", "mid",   "multi", "neo",   "non",   "para",   "pre",
        "pseudo", "quasi", "re",   "semi",  "socio", "sub",    "supra",
        "trans", "tri",   "ultra", "un"};
    static const char *const tens[] = {
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
        "ninety"};
    static const char *const units[] = {
        "one",   "two",    "three", "four",   "five",  "six",   "seven",
        "eight", "nine",   "first", "second", "third", "fourth", "fifth",
        "sixth", "seventh", "eighth", "ninth"};
    static const char *const numerators[] = {
        "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten"};
    static const char *const fractions[] = {
        "half",   "halves",  "third",  "thirds",  "quarter", "quarters",
        "fourth", "fourths", "fifth",  "fifths",  "sixth",   "sixths",
        "seventh", "sevenths", "eighth", "eighths", "ninth",  "ninths",
        "tenth",  "tenths"};
    size_t b, bn;
    const char *w = c->p + i;

    if (!c->cmos || !part_before(c, i, &b, &bn))
        return false;
    if (cite_one_of(c->p + b, bn, prefixes, ARRAY_SIZE(prefixes)))
        return !(cite_starts_upper(c, i, e) && !cite_common_word(w, e - i));
    if (cite_one_of(c->p + b, bn, tens, ARRAY_SIZE(tens)))
        return cite_one_of(w, e - i, units, ARRAY_SIZE(units));
    return cite_one_of(c->p + b, bn, numerators, ARRAY_SIZE(numerators)) &&
           cite_one_of(w, e - i, fractions, ARRAY_SIZE(fractions));
}

/* Whether the word that ends at p[e) (before a space) starts with an
 * ASCII capital. */
static bool
starts_word_upper(const char *p, size_t e)
{
    size_t b = e;

    while (b > 0 && p[b - 1] != ' ')
        b--;
    return b < e && p[b] >= 'A' && p[b] <= 'Z';
}

/* Whether the title holds "v" or "v." written in lower case as a word
 * between two capitalised words:
 * a case name ("Mann and Others v Secretary of State"), whose parties are
 * proper nouns and keep their capitals in sentence case (APA 7 6.17). */
static bool
names_a_case(const char *p, size_t n)
{
    size_t i, k;

    for (i = 2; i + 2 < n; i++) {
        if (p[i - 1] != ' ' || p[i] != 'v')
            continue;
        k = p[i + 1] == '.' ? i + 2 : i + 1;
        /* between two capitalised words: "Others v Secretary", not a
         * variable, "the v parameter" */
        if (k + 1 < n && p[k] == ' ' && p[k + 1] >= 'A' && p[k + 1] <= 'Z' &&
            p[i - 2] != ' ' && starts_word_upper(p, i - 1))
            return true;
    }
    return false;
}

/*
 * Whether p[0..n) is no word but quotation marks and periods left over
 * after the separators: the closing quote of "Guinea Pigs:' Inside" or
 * the period of "(VI). New".  Such marks change nothing of what follows,
 * except a lone period after a closing bracket or quotation mark, which
 * ends a sentence (*stop).
 */
static bool
marks_only(const char *p, size_t n, bool *stop)
{
    size_t i = 0, periods = 0;

    while (i < n) {
        if (p[i] == '.') {
            periods++;
            i++;
        } else if (p[i] == '\'') {
            i++;
        } else if (n - i >= 3 && !memcmp(p + i, "\xe2\x80\x99", 3)) {
            i += 3;
        } else {
            return false;
        }
    }
    *stop = periods == 1;
    return n > 0;
}

/* End of the italic run whose ARTICLE_ITALIC_ON is at p[i]: after the
 * marker that closes it, or n. */
static size_t
italic_end(const char *p, size_t n, size_t i)
{
    int depth = 0;

    while (i < n) {
        uint32_t cp = u8_next(p, n, &i);
        if (cp == 0xe000)
            depth++;
        else if (cp == 0xe001 && --depth == 0)
            break;
    }
    return i;
}

/* Whether the content word p[0..n) of a title (four letters or more,
 * none but letters and apostrophes, not a small word) tells its case:
 * 1 for a capital first letter only, -1 for all lower case, 0 for a word
 * that tells nothing (short, in capitals, "McDonald", "COVID-19"). */
static int
case_evidence(const char *p, size_t n)
{
    size_t i = 0, letters = 0, uppers = 0;
    bool first_upper = false;

    while (i < n) {
        uint32_t cp = u8_next(p, n, &i);
        if (cite_is_apostrophe(cp))
            continue;
        if (!cite_is_letter(cp))
            return 0;
        if (cite_lower(cp) != cp) {
            uppers++;
            first_upper = first_upper || letters == 0;
        }
        letters++;
    }
    if (letters < 4 || cite_is_stopword(p, n) ||
        uppers > (first_upper ? 1u : 0u))
        return 0;
    return first_upper ? 1 : -1;
}

/*
 * Whether the title p[0..n) is written in sentence case already: more of
 * its content words inside a sentence are in lower case than capitalised,
 * and at least two ("The interference of low back pain ...: The Brief Pain
 * Inventory short form").  Then a capital inside a sentence is the
 * author's own, a proper noun ("Brief Pain Inventory", "Bay of Bengal",
 * "Minas Gerais"), and sentence case keeps it even where the word lists
 * know a common word (APA 7 6.17).  The first word of a sentence, the
 * parts of a compound after a hyphen and italic runs tell nothing.
 */
static bool
source_in_sentence_case(const struct caser *c)
{
    size_t i = 0, e;
    int lower = 0, upper = 0, ev;
    bool start = true, hyphen = false;

    while (i < c->n) {
        size_t k = i;
        uint32_t cp = u8_next(c->p, c->n, &k);
        if (cp == 0xe000) {
            i = italic_end(c->p, c->n, i);
            start = hyphen = false;
            continue;
        }
        if (cite_is_sep(cp)) {
            if (cp == ':' || cp == '?' || cp == '!' || cp == 0x2014)
                start = true;
            hyphen = cp == '-' || cp == 0x2010;
            i = k;
            continue;
        }
        e = cite_word_end(c, i);
        ev = start || hyphen ? 0 : case_evidence(c->p + i, e - i);
        lower += ev < 0;
        upper += ev > 0;
        start = ends_sentence_word(c->p + i, e - i, false);
        hyphen = false;
        i = e;
    }
    return lower >= 2 && lower > upper;
}

/* Append p[i..e) as written, a run that keeps its case (an italic run,
 * a web address, a kept name); the word after it opens nothing. */
static void
put_run(struct caser *c, size_t i, size_t e)
{
    buf_append(c->out, c->p + i, e - i);
    c->first = c->hyphen = c->after_initial = c->after_article = false;
    c->after_name = c->start = false;
}

/* Append the separator cp at p[i..k) and note what it opens: a sentence
 * after ":", "?", "!", an em dash or a spaced dash; a compound's next part
 * after a hyphen. */
static void
put_sep(struct caser *c, size_t i, size_t k, uint32_t cp)
{
    u8_append(c->out, cp);
    if (cp == ':' || cp == '?' || cp == '!' || cp == 0x2014 ||
        ((cp == '-' || cp == 0x2013) && spaced_dash(c->p, c->n, i, k)))
        c->start = true;
    c->hyphen = (cp == '-' || cp == 0x2010) && !c->start;
    if (cp == ' ')
        c->hyphen = false;
    else
        c->after_article = false;
}

/* Append the word p[i..e), which no list names, in the case the mode
 * gives it; whether it was kept as written. */
static bool
put_word(struct caser *c, size_t i, size_t e)
{
    const char *w = c->p + i;
    size_t n = e - i;
    bool cap, kept, latin;
    enum cite_caps caps;

    if (c->mode == CASE_SENTENCE)
        cap = (c->first || c->start) && !c->hyphen;
    else
        cap = !cmos_lower_part(c, i, e) &&
              (c->first || c->start || !has_word_after(c, e) ||
               !small_word(c, i, e, c->hyphen, c->after_article));
    caps = c->allcaps ? cite_caps_word(w, n) : CITE_CAPS_COMMON;
    latin = !c->first && !c->start && cite_latin_lower(c, i, e);
    kept = !latin &&
           (cite_keep_as_is(c, i, e) || cite_is_initial(w, n) ||
            caps == CITE_CAPS_KEEP ||
            (c->mode == CASE_TITLE && !c->allcaps && cite_epithet(c, i, e)) ||
            (c->mode == CASE_SENTENCE && !c->allcaps &&
             cite_starts_upper(c, i, e) && !after_locants(c, i) &&
             (cite_name_word(c, i, e) || c->as_written ||
              !cite_common_word(w, n))));
    if (kept)
        buf_append(c->out, w, n);
    else
        emit_word(c, i, e, !latin && (cap || caps == CITE_CAPS_NAME));
    return kept;
}

/* Append the entry of proper[] that p[i..] starts with, in the list's
 * spelling, and the rest of its word ("'s"); the end of that word, or 0
 * when no entry matches. */
static size_t
put_proper(struct caser *c, size_t i, uint32_t cp)
{
    const char *entry;
    size_t m = cite_proper_match(c, i, cp, &entry), e;

    if (!m)
        return 0;
    buf_append_str(c->out, entry);
    e = cite_word_end(c, i + m);
    emit_word(c, i + m, e, false);
    return e;
}

/* Whether the run of marks p[i..e) (marks_only) ends a sentence: a lone
 * period after a closing bracket or quotation mark. */
static bool
marks_end_sentence(const char *p, size_t i)
{
    return i > 0 &&
           (p[i - 1] == ')' || p[i - 1] == ']' || p[i - 1] == '"' ||
            (i >= 3 && (!memcmp(p + i - 3, "\xe2\x80\x9d", 3) ||
                        !memcmp(p + i - 3, "\xe2\x80\x99", 3))));
}

static void
recase(const char *p, size_t n, enum case_mode mode, bool cmos,
       const char *const *keep, size_t nkeep, struct buf *out)
{
    struct caser c = {.p = p,
                      .n = n,
                      .mode = mode,
                      .allcaps = title_is_allcaps(p, n),
                      .out = out,
                      .keep = keep,
                      .nkeep = nkeep,
                      .cmos = cmos};
    size_t i = 0, k, e, m;
    bool sentence, kept;

    if (mode == CASE_SENTENCE && names_a_case(p, n))
        c.mode = CASE_TITLE;
    c.as_written = c.mode == CASE_SENTENCE && !c.allcaps &&
                   source_in_sentence_case(&c);
    c.first = c.start = true;
    while (i < n) {
        uint32_t cp;
        k = i;
        cp = u8_next(p, n, &k);
        /* An italic run (a species, a ship: article_set_title_marked) is
         * kept as written, in title case too ("Calanus finmarchicus":
         * CMOS 17 8.157 lowercases the second part of a species name),
         * with the rest of its word, a possessive ("Calanus's"). */
        if (cp == 0xe000) {
            e = italic_end(p, n, i);
            if (e < n && cite_is_apostrophe(u8_next(p, n, &(size_t){e})))
                e = cite_word_end(&c, e);
            put_run(&c, i, e);
            i = e;
            continue;
        }
        if (cite_is_sep(cp)) {
            put_sep(&c, i, k, cp);
            i = k;
            continue;
        }
        e = cite_word_end(&c, i);
        if (marks_only(p + i, e - i, &sentence)) {
            buf_append(out, p + i, e - i);
            c.start = c.start || (sentence && marks_end_sentence(p, i));
            i = e;
            continue;
        }
        /* A web address is kept as written, to its end. */
        if (n - e >= 3 && !memcmp(p + e, "://", 3)) {
            e += strcspn(p + e, " ") < n - e ? strcspn(p + e, " ") : n - e;
            put_run(&c, i, e);
            i = e;
            continue;
        }
        /* An organisation of the record's that the title names keeps
         * its capitals (APA 7 6.17: proper nouns). */
        m = c.mode == CASE_SENTENCE ? cite_keep_match(&c, i) : 0;
        if (m) {
            put_run(&c, i, i + m);
            i += m;
            continue;
        }
        if (c.name_end <= i && c.mode == CASE_SENTENCE)
            c.name_end = cite_statute_end(&c, i);
        k = put_proper(&c, i, cp);
        kept = k > 0 || put_word(&c, i, e);
        e = k > 0 ? k : e;
        c.after_name = kept && cite_starts_upper(&c, i, e) &&
                       cite_place_name(p + i, e - i);
        c.start = ends_sentence_word(p + i, e - i, c.allcaps);
        c.after_initial = cite_is_initial(p + i, e - i);
        c.after_article = is_article(p + i, e - i);
        c.first = c.hyphen = false;
        i = e;
    }
}

void
cite_title_case(const char *p, size_t n, struct buf *out)
{
    recase(p, n, CASE_TITLE, false, NULL, 0, out);
}

void
cite_title_case_cmos(const char *p, size_t n, struct buf *out)
{
    recase(p, n, CASE_TITLE, true, NULL, 0, out);
}

void
cite_sentence_case(const char *p, size_t n, struct buf *out)
{
    recase(p, n, CASE_SENTENCE, false, NULL, 0, out);
}

void
cite_sentence_case_keeping(const char *p, size_t n,
                           const char *const *keep, size_t nkeep,
                           struct buf *out)
{
    recase(p, n, CASE_SENTENCE, false, keep, nkeep, out);
}

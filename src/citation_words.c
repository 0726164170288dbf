/*
 * citation_words: what the case rules know of a word: the common words of
 * Debian's word lists (dict_words.h, made at build time by
 * cmake/dict-words.sh) and the forms derived from them, the small words
 * title case keeps in lower case, and simple letter case for the scripts
 * titles and names use.  citation_case.c applies the rules.
 */
#include <string.h>

#include "arctic_digest/util.h"
#include "citation_int.h"
#include "dict_words.h"

/* Whether w[0..n) is a line of dict (size bytes, sorted lines, as
 * cmake/dict-words.sh writes ad_dict_words and ad_dict_names): a binary
 * search. */
static bool
dict_in(const char *dict, size_t size, const char *w, size_t n)
{
    size_t lo = 0, hi = size - 1;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, eol, len;
        int cmp;
        while (mid > lo && dict[mid - 1] != '\n')
            mid--;
        eol = mid;
        while (dict[eol] != '\n')
            eol++;
        len = eol - mid;
        cmp = memcmp(dict + mid, w, len < n ? len : n);
        if (cmp == 0)
            cmp = len < n ? -1 : len > n ? 1 : 0;
        if (cmp == 0)
            return true;
        if (cmp < 0)
            lo = eol + 1;
        else
            hi = mid;
    }
    return false;
}

static bool
dict_has(const char *w, size_t n)
{
    return dict_in(ad_dict_words, sizeof(ad_dict_words), w, n);
}

/*
 * Length of the stem of an English contraction p[0..n), whose apostrophe
 * is ' or ’: "we" of "we’ll", "should" of "shouldn’t", "can" of
 * "can't"; 0 if p is none.  The word lists spell no contraction, and a
 * contraction is a common word when its stem is one ("Why You Shouldn’t
 * Wait": "why you shouldn’t wait", APA 7 6.17); the pronoun I is no
 * common word ("I’m").
 */
static size_t
contraction_stem(const char *p, size_t n)
{
    static const char *const ends[] = {"t", "ll", "re", "ve", "d", "m"};
    size_t i, at = 0, al = 0, k, sl;

    for (i = 1; i + 1 < n && !al; i++) {
        if (p[i] == '\'') {
            at = i;
            al = 1;
        } else if (i + 3 < n && !memcmp(p + i, "\xe2\x80\x99", 3)) {
            at = i;
            al = 3;
        }
    }
    if (!al || (at == 1 && (p[0] | 0x20) == 'i'))
        return 0;
    sl = n - at - al;
    for (k = 0; k < ARRAY_SIZE(ends); k++) {
        if (strlen(ends[k]) != sl)
            continue;
        for (i = 0; i < sl && (p[at + al + i] | 0x20) == ends[k][i]; i++)
            ;
        if (i < sl)
            continue;
        /* "shouldn’t" is "should" + "n’t"; "can’t" and "won’t" keep
         * their n */
        if (sl == 1 && ends[k][0] == 't' && at > 1 &&
            (p[at - 1] | 0x20) == 'n' &&
            !(at == 3 && ((p[0] | 0x20) == 'c' || (p[0] | 0x20) == 'w')))
            return at - 1;
        return at;
    }
    return 0;
}

/* The word p[0..n) as the word lists spell it, into w (cap bytes) in
 * lower case: ASCII letters only, a possessive "'s", a contraction's end
 * ("n't", "'ll") or a sentence's period aside; its length, or 0 when it
 * is no such word. */
static size_t
dict_form(const char *p, size_t n, char *w, size_t cap)
{
    size_t i, stem;

    if (n >= 2 && p[n - 1] == '.') /* the word that ends a sentence */
        n--;
    stem = contraction_stem(p, n);
    if (stem)
        n = stem;
    if (n >= 3 && p[n - 2] == '\'' && (p[n - 1] | 0x20) == 's')
        n -= 2; /* "Russia's", "MANN'S" */
    else if (n >= 5 && !memcmp(p + n - 4, "\xe2\x80\x99", 3) &&
             (p[n - 1] | 0x20) == 's')
        n -= 4;
    else if (n >= 3 && p[n - 1] == '\'' && (p[n - 2] | 0x20) == 's')
        n -= 1; /* the plural's "Workers'" */
    else if (n >= 5 && !memcmp(p + n - 3, "\xe2\x80\x99", 3) &&
             (p[n - 4] | 0x20) == 's')
        n -= 3;
    if (n == 0 || n >= cap)
        return 0;
    for (i = 0; i < n; i++) {
        char ch = p[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch < 'a' || ch > 'z')
            return 0;
        w[i] = ch;
    }
    return n;
}

/*
 * Whether w[0..n) (lower case) is a common word the lists spell only in a
 * base form: w ends in a derivational suffix ("knotless", "gestational",
 * "predation") whose base the lists have ("knot", "gestation",
 * "predate"), or opens with up to `prefixes` prefixes before a word of
 * theirs ("heterotopic": "topic"; "interoperability": "operable";
 * "dibromotyrosine": "di", "bromo", "tyrosine", the prefixes of
 * chemistry's systematic names).  The base keeps at least four letters,
 * the word after a prefix five, so that a short name is not taken apart.
 */
static bool
derived_common(const char *w, size_t n, int prefixes)
{
    static const struct {
        const char *suffix, *base;
    } rules[] = {
        {"less", ""},        {"ness", ""},    {"al", ""},
        {"ation", "ate"},    {"ation", "e"},  {"ation", ""},
        {"ability", "able"}, {"ibility", "ible"},
        {"ity", ""},         {"ity", "e"},
    };
    static const char *const prefix[] = {
        "amino",  "anti",   "bio",    "bromo",  "chloro", "counter",
        "cross",  "cryo",   "cyber",  "di",     "ethyl",  "extra",
        "fluoro", "geo",    "hetero", "homo",   "hydro",  "hydroxy",
        "infra",  "inter",  "intra",  "iodo",   "macro",  "meta",
        "methyl", "micro",  "mid",    "mono",   "multi",
        "nitro",  "non",    "over",   "paleo",  "palaeo", "para",
        "peri",   "poly",   "post",   "pre",    "pro",    "proto",
        "pseudo", "re",     "semi",   "sub",    "super",  "tele",
        "tetra",  "trans",  "tri",    "ultra",  "under"};
    char b[64];
    size_t i, sl, bl;

    for (i = 0; i < ARRAY_SIZE(rules); i++) {
        sl = strlen(rules[i].suffix);
        bl = strlen(rules[i].base);
        if (n < sl + 4 || n - sl + bl >= sizeof(b) ||
            memcmp(w + n - sl, rules[i].suffix, sl) != 0)
            continue;
        memcpy(b, w, n - sl);
        memcpy(b + n - sl, rules[i].base, bl);
        if (dict_has(b, n - sl + bl))
            return true;
    }
    for (i = 0; i < ARRAY_SIZE(prefix) && prefixes > 0; i++) {
        sl = strlen(prefix[i]);
        if (n >= sl + 5 && memcmp(w, prefix[i], sl) == 0 &&
            (dict_has(w + sl, n - sl) ||
             derived_common(w + sl, n - sl, prefixes - 1)))
            return true;
    }
    return false;
}

/* Whether w[0..n) (lower case) names a class of compounds by the suffix
 * of chemistry's nomenclature, amides, amines and imides ("ynamides",
 * "enamines"), which the word lists lack but for a few. */
static bool
chemical(const char *w, size_t n)
{
    static const char *const ends[] = {"amide", "amides", "amine",
                                       "amines", "imide", "imides"};
    size_t i, len;

    for (i = 0; i < ARRAY_SIZE(ends); i++) {
        len = strlen(ends[i]);
        if (n >= len + 2 && !memcmp(w + n - len, ends[i], len))
            return true;
    }
    return false;
}

/* Whether w[0..n) (lower case) is a name the lists spell with a capital
 * ("Paleolithic", "Greenland"); w is left as it was. */
static bool
dict_name(char *w, size_t n)
{
    bool found;

    w[0] = (char)(w[0] - 'a' + 'A');
    found = dict_in(ad_dict_names, sizeof(ad_dict_names), w, n);
    w[0] = (char)(w[0] - 'A' + 'a');
    return found;
}

/* Whether the word p[0..n) is a common word in lower case: found in the
 * word lists as dict_form spells it, or a chemical class or derived from
 * one of their words (derived_common) and not a name of theirs
 * ("Paleolithic", "Tridentine": of the 15,500 names they spell only with
 * a capital, 15 read as derived words; "Dramamine"). */
bool
cite_common_word(const char *p, size_t n)
{
    char w[64];
    size_t len = dict_form(p, n, w, sizeof(w));

    return len > 0 &&
           (dict_has(w, len) ||
            ((chemical(w, len) || derived_common(w, len, 3)) &&
             !dict_name(w, len)));
}

/* A word of a title written all in capitals, as the word lists know it:
 * a common word ("MODELING", re-cased), a name the lists spell with a
 * capital ("MANN": Mann) or one with letters beyond ASCII ("TROMSØ":
 * Tromsø), or anything else: an acronym ("FRBR") or a word the lists do
 * not know, which keeps its capitals. */
enum cite_caps
cite_caps_word(const char *p, size_t n)
{
    char w[64];
    size_t len = dict_form(p, n, w, sizeof(w)), i;

    if (len == 0) {
        /* a word with letters beyond ASCII ("TROMSØ", "SÁPMI") is a
         * name, not an acronym: capitalised */
        for (i = 0; i < n; i++)
            if ((unsigned char)p[i] >= 0x80)
                return n > 2 ? CITE_CAPS_NAME : CITE_CAPS_KEEP;
        return CITE_CAPS_KEEP;
    }
    if (dict_has(w, len))
        return CITE_CAPS_COMMON;
    return dict_name(w, len) ? CITE_CAPS_NAME : CITE_CAPS_KEEP;
}
/* Latin Extended-A pairs upper/lower as even/odd, except in the ranges
 * where they are odd/even. */
static bool
ext_a_odd_upper(uint32_t cp)
{
    return (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e);
}

uint32_t
cite_lower(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
        return cp + 32;
    if (cp >= 0x100 && cp <= 0x17f && cp != 0x130 && cp != 0x131 &&
        cp != 0x138 && cp != 0x149 && cp != 0x178 && cp != 0x17f) {
        if (ext_a_odd_upper(cp))
            return (cp & 1) ? cp + 1 : cp;
        return (cp & 1) ? cp : cp + 1;
    }
    if (cp == 0x178)
        return 0xff;
    return cp;
}

uint32_t
cite_upper(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7)
        return cp - 32;
    if (cp == 0xff)
        return 0x178;
    if (cp >= 0x100 && cp <= 0x17f && cp != 0x130 && cp != 0x131 &&
        cp != 0x138 && cp != 0x149 && cp != 0x178 && cp != 0x17f) {
        if (ext_a_odd_upper(cp))
            return (cp & 1) ? cp : cp - 1;
        return (cp & 1) ? cp - 1 : cp;
    }
    return cp;
}

bool
cite_is_letter(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
           (cp >= 0x370 && cp <= 0x52f);
}

/* U+00C0..U+00FF */
static const char *const fold_latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i",
    "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "",   "o", "u",
    "u", "u", "u", "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae",
    "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o",
    "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};

/* U+0100..U+017F, in pairs */
static const char ext_a_base[] = "aaaaaaccccccccddddeeeeeeeeeegggggggg"
                                 "hhhhiiiiiiiiiijjjjkkklllllllllllnnnnn"
                                 "nnnnoooooooorrrrrrssssssssttttttuuuuu"
                                 "uuuuuuuwwyyyzzzzzzs";

const char *
cite_ascii_fold(uint32_t cp)
{
    static char one[2];

    if (cp < 0x80) {
        one[0] = (char)cite_lower(cp);
        one[1] = '\0';
        return one;
    }
    if (cp >= 0xc0 && cp <= 0xff)
        return fold_latin1[cp - 0xc0];
    if (cp >= 0x100 && cp <= 0x17f && cp - 0x100 < sizeof(ext_a_base) - 1) {
        if (cp == 0x132 || cp == 0x133)
            return "ij";
        if (cp == 0x152 || cp == 0x153)
            return "oe";
        one[0] = ext_a_base[cp - 0x100];
        one[1] = '\0';
        return one;
    }
    return "";
}

static const char *const stopwords[] = {
    "a",       "about", "across",  "after",   "against", "along",  "amid",
    "among",   "an",    "and",     "around",  "as",      "at",     "before",
    "behind",  "below", "beneath", "beside",  "between", "beyond", "but",
    "by",      "down",  "during",  "for",     "from",    "in",     "inside",
    "into",    "like",  "near",    "nor",     "of",      "off",    "on",
    "onto",    "or",    "out",     "over",    "past",    "per",    "since",
    "de", /* Latin, French, Spanish: "de novo", "de facto" */
    "so",      "than",  "the",     "through", "till",    "to",     "toward",
    "towards", "under", "until",   "up",      "upon",    "versus", "via",
    "vs",      "with",  "within",  "without", "yet",
};

bool
cite_is_stopword(const char *p, size_t n)
{
    size_t i, k;

    for (i = 0; i < ARRAY_SIZE(stopwords); i++) {
        if (strlen(stopwords[i]) != n)
            continue;
        for (k = 0; k < n; k++)
            if (cite_lower((unsigned char)p[k]) != (unsigned char)stopwords[i][k])
                break;
        if (k == n)
            return true;
    }
    return false;
}

/*
 * citation_proper: which words of a title are names, for the case rules
 * of citation_case.c: the domain's proper nouns (proper[]), the parts of
 * a person's, a place's or a taxon's name, an eponym's partner, the
 * record's organisations, and the Latin of taxonomy that stays in lower
 * case ("sp. nov.", "et al.").
 */
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/util.h"
#include "citation_case_int.h"
#include "citation_int.h"

/* Whether p[0..n) is one of words[0..nwords) exactly, capitals and all
 * ("Bay" of a name, not "bay"). */
static bool
spelled_as(const char *p, size_t n, const char *const *words, size_t nwords)
{
    size_t i;

    for (i = 0; i < nwords; i++)
        if (strlen(words[i]) == n && !memcmp(p, words[i], n))
            return true;
    return false;
}

/* Proper nouns, acronyms and names of places and peoples that keep their
 * spelling in any case style.  Longer phrases first. */
/* Each entry starts with an ASCII letter (cite_proper_match relies on
 * it). */
static const char *const proper[] = {
    "Commission on the Limits of the Continental Shelf",
    "Arctic Monitoring and Assessment Programme",
    "Sustainable Development Goals", "Barents Euro-Arctic Council",
    "Inuit Circumpolar Council", "Arctic Economic Council",
    "Arctic Coast Guard Forum", "Transpolar Sea Route",
    "New Siberian Islands", "Northwest Territories", "Franz Josef Land",
    "Second World War",   "First World War", "European Commission",
    "European Parliament", "General Assembly", "Indigenous Peoples",
    "Central Arctic Ocean", "Permanent Participants",
    "Circumpolar North",  "Canadian North",  "Russian Federation",
    "Alaska Natives",     "Alaska Native",   "First Nations",
    "Arctic Five",        "Arctic Eight",
    "Antarctic Treaty System", "Antarctic Treaty", "Arctic Archipelago",
    "Northern Dimension",
    "Nordic Council",     "Law of the Sea",  "Polar Code",
    "Ice Silk Road",      "Silk Road",       "World War",
    "Coast Guard",        "Air Force",       "Armed Forces",
    "Marine Corps",       "Royal Navy",      "Supreme Court",
    "State Department",   "White House",     "Baltic Sea",
    "White Sea",          "East Siberian Sea",
    "European Court of Human Rights", "International Court of Justice",
    "UN Security Council", "Security Council", "Ilulissat Declaration",
    "Svalbard Treaty",    "Paris Agreement", "Arctic Circle",
    "East Greenland",     "West Greenland",  "North Greenland",
    "Global South",       "Global North",    "Pacific Rim",
    "Barents Region",     "Euro-Arctic",     "Northern Fleet",
    "Beaufort Sea",       "Chukchi Sea",     "Kara Sea",
    "Laptev Sea",         "Norwegian Sea",   "Greenland Sea",
    "Northern Sea Route", "Northwest Passage", "Northeast Passage",
    "Polar Silk Road",    "Belt and Road",   "Far North",
    "Arctic Council",     "Arctic Ocean",    "Barents Sea",
    "Bering Strait",      "Cold War",        "European Union",
    "High North",         "North Pole",      "South Pole",
    "Middle East",        "Near East",       "Far East",
    "United Kingdom",     "United Nations",  "United States",
    "Sino-Russian",       "Sino-Nordic",     "Trans-Arctic",
    "Alaska",   "Alaskan",    "America",    "American",  "Antarctic",
    "Antarctica", "Arctic",   "Atlantic",   "Baltic",    "Barents",
    "Beijing",  "Congress",   "Pentagon",   "Senate",
    "Bering",   "Canada",     "Canadian",   "China",     "Chinese",
    "Chukotka", "Danish",     "Denmark",    "Dutch",    "EU",        "Europe",
    "European", "Faroe",      "Faroese",    "Finland",   "Finnish",   "France",    "French",
    "German",   "Germany",
    "Greenland", "Greenlandic", "I",        "Iceland",   "Icelandic",
    "India",    "Indigenous", "Inuit",      "Inuk",      "Japan",
    "Japanese", "Kola",       "Korea",      "Kremlin",   "Moscow",
    "Murmansk", "NATO",       "Nordic",     "Norway",    "Norwegian",
    "Nunavut",  "Ottawa",     "Pacific",    "Putin",     "Russia",
    "Russian",  "Sami",       "Saami",      "Sámi",      "Siberia",
    "Siberian", "Svalbard",   "Sweden",     "Swedish",   "Trump",
    "UK",       "Ukraine",    "Ukrainian",  "UN",        "UNCLOS",
    "U.S.",       "USA",        "Washington", "Xi",
    "Yamal",
};

/* Length of the list entry e matched at p[i..], or 0.  A match must end at
 * a word boundary (or before a possessive apostrophe). */
static size_t
match_proper(const struct caser *c, size_t i, const char *e)
{
    size_t j = i, k = 0, en, save;
    unsigned char t = (unsigned char)c->p[i];

    /* Every entry starts with an ASCII letter: most words are turned away
     * by their first byte, before any decoding. */
    if (t < 0x80 && (t | 0x20) != ((unsigned char)e[0] | 0x20))
        return 0;
    en = strlen(e);
    while (k < en) {
        uint32_t a, b;
        if (j >= c->n)
            return 0;
        a = u8_next(c->p, c->n, &j);
        b = u8_next(e, en, &k);
        if (cite_lower(a) != cite_lower(b))
            return 0;
    }
    if (j < c->n) {
        uint32_t a;
        save = j;
        a = u8_next(c->p, c->n, &save);
        if (!cite_is_sep(a) && !cite_is_apostrophe(a) && a != '.')
            return 0;
    }
    return j - i;
}

/* The abbreviations of zoological and botanical nomenclature, Latin and
 * written in lower case in any case style (CMOS 17 8.157 on the parts of
 * scientific names; ICZN and ICN usage): a rank or qualifier that follows
 * a name ("Discosia ravennica sp. nov.", "var.", "cf.", "aff."), and the
 * status after a rank ("gen. nov.", "comb. nov.", "stat. rev.",
 * "gen. et sp. nov.", "sp. n.", "n. gen.").  "gen.", "comb.", "stat."
 * and "nom." are such only beside a status ("Gen. Smith" is a general);
 * a status only beside a rank ("Nov. 5" is a month); "n." only in lower
 * case ("N." is an initial). */
static const char *const taxon_ranks[] = {"aff.", "cf.",    "sp.", "spp.",
                                          "ssp.", "subsp.", "var."};
static const char *const taxon_paired_ranks[] = {"comb.", "gen.", "nom.",
                                                 "stat.", "subgen."};
static const char *const taxon_status[] = {"et", "nov.", "nud.", "rev."};

/* The word before the one at j, spaces between: its start in *b and
 * its length in *len, or false when there is none made of ASCII letters
 * and periods. */
static bool
word_before(const struct caser *c, size_t j, size_t *b, size_t *len)
{
    size_t i = j;

    while (j > 0 && c->p[j - 1] == ' ')
        j--;
    if (j == i)
        return false;
    for (i = j; i > 0 && (ascii_is_alpha(c->p[i - 1]) || c->p[i - 1] == '.');
         i--)
        ;
    if (i == j || (i > 0 && !cite_is_sep((unsigned char)c->p[i - 1])))
        return false;
    *b = i;
    *len = j - i;
    return true;
}

static bool
taxon_rank(const char *p, size_t n)
{
    return cite_one_of(p, n, taxon_ranks, ARRAY_SIZE(taxon_ranks)) ||
           cite_one_of(p, n, taxon_paired_ranks, ARRAY_SIZE(taxon_paired_ranks));
}

static bool
taxon_status_word(const char *p, size_t n)
{
    return (n == 2 && p[0] == 'n' && p[1] == '.') ||
           cite_one_of(p, n, taxon_status, ARRAY_SIZE(taxon_status));
}

/* Whether the word at [i, e) is a Latin abbreviation that stays in lower
 * case: one of nomenclature (taxon_ranks) or "et al.". */
bool
cite_latin_lower(const struct caser *c, size_t i, size_t e)
{
    const char *w = c->p + i;
    size_t n = e - i, b = 0, bn = 0, k = e, ke;
    bool prev, next;

    if (!c->allcaps && cite_keep_as_is(c, i, e)) /* "CF.", an acronym */
        return false;
    if (cite_one_of(w, n, taxon_ranks, ARRAY_SIZE(taxon_ranks)))
        return true;
    prev = word_before(c, i, &b, &bn);
    while (k < c->n && c->p[k] == ' ')
        k++;
    ke = k > e ? cite_word_end(c, k) : k;
    next = ke > k;
    if (ascii_ieq_n(w, n, "et") && next && ascii_ieq_n(c->p + k, ke - k, "al."))
        return true;
    if (ascii_ieq_n(w, n, "al.") && prev && ascii_ieq_n(c->p + b, bn, "et"))
        return true;
    if (cite_one_of(w, n, taxon_paired_ranks, ARRAY_SIZE(taxon_paired_ranks)))
        return (prev && taxon_status_word(c->p + b, bn)) ||
               (next && taxon_status_word(c->p + k, ke - k));
    if (taxon_status_word(w, n))
        return (prev && taxon_rank(c->p + b, bn)) ||
               (next && taxon_rank(c->p + k, ke - k));
    return false;
}

/* Whether the next word after e, past spaces, is an initial. */
static bool
initial_follows(const struct caser *c, size_t e)
{
    size_t i = e, k;

    while (i < c->n && c->p[i] == ' ')
        i++;
    if (i == e || i >= c->n)
        return false;
    k = cite_word_end(c, i);
    return cite_is_initial(c->p + i, k - i);
}

/*
 * Whether the capitalised word at [i, e) is the genus of a scientific
 * name: a word in lower case follows, and either both are in parentheses,
 * "(Puma concolor)", or the word after is no common word and no small
 * word, an epithet ("Selaginella moellendorffii", "Tetrastigma loheri
 * complex"), which a title in title case would not leave in lower case.
 * The genus keeps its capital (APA 7 6.17), even where the word lists
 * know it as a common word ("artemisia", "drosophila").
 */
static bool
genus_of(const struct caser *c, size_t i, size_t e)
{
    size_t k = e + 1, end, last;

    if (e - i < 3 || e >= c->n || c->p[e] != ' ' ||
        !cite_is_letter((unsigned char)c->p[e - 1]) ||
        cite_is_stopword(c->p + i, e - i))
        return false;
    end = cite_word_end(c, k);
    last = end > k && c->p[end - 1] == '.' ? end - 1 : end;
    if (last <= k)
        return false;
    for (; k < last; k++)
        if (!(c->p[k] >= 'a' && c->p[k] <= 'z'))
            return false;
    k = e + 1;
    if (i > 0 && c->p[i - 1] == '(')
        return end < c->n && c->p[end] == ')';
    return last - k >= 3 && !cite_is_stopword(c->p + k, last - k) &&
           !cite_common_word(c->p + k, last - k);
}

/* Whether p[0..n) is one capital letter other than "A" (the article)
 * and "I": a letter that names something ("vitamin D", "type B", "part
 * V") and keeps its capital in sentence case; not when it opens a
 * compound ("E-government"). */
static bool
capital_letter(const char *p, size_t n)
{
    return n == 1 && p[0] > 'A' && p[0] <= 'Z' && p[0] != 'I';
}

/* Whether p[0..n) is the generic word of a geographic name ("Fargey
 * Creek", "Mackenzie River"): after a name it is part of the name and
 * keeps its capital in sentence case (APA 7 6.17, proper nouns). */
static bool
feature_word(const char *p, size_t n)
{
    static const char *const features[] = {
        "Archipelago", "Basin",     "Bay",        "Cape",     "Creek",
        "Fjord",       "Glacier",   "Gulf",       "Island",   "Islands",
        "Lake",        "Mountain",  "Mountains",  "Ocean",    "Passage",
        "Peninsula",   "Plateau",   "Ridge",      "River",    "Sea",
        "Shelf",       "Sound",     "Strait",     "Valley",
        /* a place's agreements and bodies ("Kyoto Protocol", "Ottawa
         * Declaration", "Saami Council") */
        "Accord",      "Agreement", "Commission", "Convention", "Council",
        "Declaration", "Protocol",  "Treaty"};

    return spelled_as(p, n, features, ARRAY_SIZE(features));
}

/* Whether a word kept with its capital, p[0..n), is a name that a
 * geographic word may follow: not an adjective of a people or a region
 * ("Russian", "Arctic", "Danish": "Russian sea power"). */
bool
cite_place_name(const char *p, size_t n)
{
    return !(ascii_ends_with(p, n, "ian") || ascii_ends_with(p, n, "ese") ||
             ascii_ends_with(p, n, "ish") || ascii_ends_with(p, n, "ic") ||
             ascii_ends_with(p, n, "an"));
}

/* Whether p[0..n) is a point of the compass that names part of a place
 * when a name follows it ("South Korea", "East Asia", "West Africa"). */
static bool
compass_word(const char *p, size_t n)
{
    static const char *const points[] = {
        "North",     "South",     "East",      "West",
        "Northeast", "Northwest", "Southeast", "Southwest"};

    return spelled_as(p, n, points, ARRAY_SIZE(points));
}

/* The word after e, one space on, as p[*i..*k); false when none is. */
static bool
word_after(const struct caser *c, size_t e, size_t *i, size_t *k)
{
    *i = e + 1;
    if (e >= c->n || c->p[e] != ' ' || *i >= c->n)
        return false;
    *k = cite_word_end(c, *i);
    return *k > *i;
}

/* Whether the word after e, one space on, is a name the title keeps: a
 * capitalised word that is no common word ("Korea", "Asia"). */
static bool
name_follows(const struct caser *c, size_t e)
{
    size_t i, k;

    return word_after(c, e, &i, &k) && cite_starts_upper(c, i, k) &&
           !cite_common_word(c->p + i, k - i);
}

/* Whether p[0..n) is one of the words a statute's name ends with. */
static bool
statute_word(const char *p, size_t n)
{
    return (n == 3 && !memcmp(p, "Act", 3)) ||
           (n == 4 && !memcmp(p, "Acts", 4));
}

/*
 * The end of the statute's name that the capitalised word at i opens, or
 * 0: two or more capitalised words, or a name, joined by spaces or
 * hyphens, then "Act" ("Endangered Species Act", "Marine Mammal
 * Protection Act", "Self-Government Act", "Nunavut Act"), a proper noun
 * (APA 7 6.17); "Act" ends the title, a clause or a sentence, or a word
 * in lower case follows ("Act of 1973").  "Why Greenland Must Act" and
 * "Must Act Now" name nothing.
 */
size_t
cite_statute_end(const struct caser *c, size_t i)
{
    size_t words = 0, k, e;
    bool named = false;

    while (i < c->n && words < 8) {
        e = cite_word_end(c, i);
        if (e == i || !cite_starts_upper(c, i, e))
            return 0;
        if (statute_word(c->p + i, e - i)) {
            if (words < 2 && !named)
                return 0;
            k = e < c->n && c->p[e] == ' ' ? e + 1 : e;
            if (k < c->n && cite_starts_upper(c, k, cite_word_end(c, k)))
                return 0;
            return e;
        }
        named = words == 0 && !cite_common_word(c->p + i, e - i);
        words++;
        if (e >= c->n || (c->p[e] != ' ' && c->p[e] != '-'))
            return 0;
        i = e + 1;
    }
    return 0;
}

/* Whether the word after e, past one space, opens the number of a
 * series: "Article 234", "Chapter 8", "Goal 14" (APA 7 6.19 capitalises a
 * noun before the numeral of a numbered series); a year is none
 * ("Strategy 2030"). */
static bool
series_number_follows(const struct caser *c, size_t e)
{
    size_t i = e + 1, k = i;

    if (e >= c->n || c->p[e] != ' ')
        return false;
    while (k < c->n && c->p[k] >= '0' && c->p[k] <= '9')
        k++;
    if (k == i || (k - i == 4 && (c->p[i] == '1' || c->p[i] == '2')))
        return false;
    return k >= c->n || !cite_is_letter((unsigned char)c->p[k]);
}

/* Whether p[0..n) names a part of a numbered series (APA 7 6.19). */
static bool
series_word(const char *p, size_t n)
{
    static const char *const series[] = {
        "Annex",   "Appendix",  "Article",  "Articles", "Chapter",
        "Experiment", "Figure", "Goal",     "Paragraph", "Part",
        "Phase",   "Principle", "Resolution", "Round",  "Rule",
        "Section", "Stage",     "Study",    "Table",    "Volume"};

    return cite_one_of(p, n, series, ARRAY_SIZE(series)) &&
           p[0] >= 'A' && p[0] <= 'Z';
}

/* Whether p[0..n) is the abbreviated title or rank before a name, or
 * the "Saint" or "Mount" of a place's: "Gen. Smith", "Dr. Brown", "St.
 * Lawrence", "Mt. Hood" (as written, with its capital and period). */
static bool
title_abbrev(const char *p, size_t n)
{
    static const char *const titles[] = {
        "Adm.", "Capt.", "Col.", "Cpl.",  "Dr.",   "Ft.",  "Gen.", "Gov.",
        "Hon.", "Lt.",   "Maj.", "Mr.",   "Mrs.",  "Ms.",  "Mt.",  "Pres.",
        "Prof.", "Rep.", "Rev.", "Sen.",  "Sgt.",  "St."};

    return spelled_as(p, n, titles, ARRAY_SIZE(titles));
}

/* Whether the capitalised word p[i..e) is a title before a name, or a
 * name after a title (title_abbrev): both keep their capitals in
 * sentence case ("Gen. Smith", not "gen. smith"). */
static bool
titled_name(const struct caser *c, size_t i, size_t e)
{
    size_t b, bn, k;

    if (title_abbrev(c->p + i, e - i))
        return word_after(c, e, &b, &k) && cite_starts_upper(c, b, k);
    return word_before(c, i, &b, &bn) && title_abbrev(c->p + b, bn);
}

/* Whether p[0..n) ends as the Latin of species epithets does
 * ("ulleungensis", "piscium", "annua", "concolor", "fragrans"). */
static bool
latin_ending(const char *p, size_t n)
{
    static const char *const ends[] = {"a",  "ae", "ans", "ens", "es", "ex",
                                       "i",  "is", "ix",  "or",  "um", "us"};
    size_t k;

    for (k = 0; k < ARRAY_SIZE(ends); k++)
        if (ascii_ends_with(p, n, ends[k]))
            return true;
    return false;
}

/* Whether the word at i opens the title or a sentence of it: nothing but
 * spaces, quotes and brackets before it since the start, a colon, a
 * question or exclamation mark or a sentence's period. */
static bool
opens_sentence(const struct caser *c, size_t i)
{
    while (i > 0 && (c->p[i - 1] == ' ' || c->p[i - 1] == '"' ||
                     c->p[i - 1] == '(' || c->p[i - 1] == '['))
        i--;
    return i == 0 || c->p[i - 1] == ':' || c->p[i - 1] == '?' ||
           c->p[i - 1] == '!' || c->p[i - 1] == '.';
}

/*
 * Whether the word p[i..e), in lower case, is the epithet of a scientific
 * name: the word before is its genus (genus_of: "Selaginella
 * moellendorffii"), or the genus abbreviated ("S. moellendorffii"), and
 * no name the word lists or proper[] know ("Inuit qaujimajatuqangit").
 * Title case keeps it in lower case (CMOS 17 8.159, as for an italic
 * species name).
 */
bool
cite_epithet(const struct caser *c, size_t i, size_t e)
{
    const char *entry;
    size_t b, bn, k;

    if (e - i < 3 || !word_before(c, i, &b, &bn) ||
        !cite_starts_upper(c, b, b + bn))
        return false;
    for (k = i; k < e; k++)
        if (!(c->p[k] >= 'a' && c->p[k] <= 'z'))
            return false;
    if (cite_is_initial(c->p + b, bn))
        return !cite_is_stopword(c->p + i, e - i) &&
               !cite_common_word(c->p + i, e - i);
    for (k = b + 1; k < b + bn; k++)
        if (!(c->p[k] >= 'a' && c->p[k] <= 'z'))
            return false; /* "DNA barcoding" */
    /* a common word capitalised because it opens a sentence is no genus
     * ("Novel saprobic", "Verifying powerline"), unless a Latin epithet
     * follows ("Vibrio ulleungensis") */
    if (opens_sentence(c, b) && cite_common_word(c->p + b, bn) &&
        !latin_ending(c->p + i, e - i))
        return false;
    return genus_of(c, b, b + bn) &&
           cite_caps_word(c->p + b, bn) != CITE_CAPS_NAME &&
           !cite_proper_match(c, b, (unsigned char)c->p[b], &entry);
}

/* Whether the word after e, past one space, is a capitalised feature
 * word: a point of the compass names the feature ("North Sea", "West
 * Fjord"). */
static bool
feature_follows(const struct caser *c, size_t e)
{
    size_t i, k;

    return word_after(c, e, &i, &k) && feature_word(c->p + i, k - i);
}

/* Whether p[0..n) heads a name "X of Y" when Y is a name: a state or an
 * institution ("Kingdom of Denmark", "Republic of Korea", "Government of
 * Nunavut", "University of Tromsø") or a water ("Sea of Okhotsk").  Not
 * "State": "the state of Russia's Arctic forces" is a common word. */
static bool
of_name_head(const char *p, size_t n)
{
    static const char *const heads[] = {
        "Bay",        "Commission", "Council",  "Federation", "Government",
        "Gulf",       "Kingdom",    "Ministry", "Parliament", "Principality",
        "Province",   "Republic",   "Sea",      "University"};

    return spelled_as(p, n, heads, ARRAY_SIZE(heads));
}

/* Whether " of " (and maybe "the ") and then a name the title keeps
 * follow the word that ends at e. */
static bool
of_name_follows(const struct caser *c, size_t e)
{
    if (e + 4 > c->n || memcmp(c->p + e, " of ", 4) != 0)
        return false;
    e += 3;
    if (e + 5 <= c->n && !memcmp(c->p + e, " the ", 5))
        e += 4;
    return name_follows(c, e);
}

/* Length of the name of c->keep found at p[i..], as written and ending
 * at a word boundary, or 0. */
size_t
cite_keep_match(const struct caser *c, size_t i)
{
    size_t k, len;

    for (k = 0; k < c->nkeep; k++) {
        len = strlen(c->keep[k]);
        if (len <= c->n - i && !memcmp(c->p + i, c->keep[k], len) &&
            (i + len == c->n || c->p[i + len] == ' ' ||
             c->p[i + len] == ',' || c->p[i + len] == ':' ||
             c->p[i + len] == '.' || c->p[i + len] == ')'))
            return len;
    }
    return 0;
}

/* Whether the capitalised word p[i..e) is joined by an en dash, with no
 * space, to a capitalised word that is no common word: the en dash of
 * a compound of names (CMOS 17 6.80: "Balian–Low", "Hardy–Weinberg",
 * "Navier–Stokes"), whose parts are all names and keep their capitals in
 * sentence case (APA 7 6.17) even where one is also a common word. */
static bool
eponym_partner(const struct caser *c, size_t i, size_t e)
{
    static const char dash[] = "\xe2\x80\x93";
    size_t b, k;

    if (e + 3 < c->n && !memcmp(c->p + e, dash, 3)) {
        k = cite_word_end(c, e + 3);
        if (k > e + 3 && cite_starts_upper(c, e + 3, k) &&
            !cite_common_word(c->p + e + 3, k - e - 3))
            return true;
    }
    if (i >= 3 && !memcmp(c->p + i - 3, dash, 3)) {
        for (b = i - 3; b > 0 && !cite_is_sep((unsigned char)c->p[b - 1]); b--)
            ;
        if (b < i - 3 && cite_starts_upper(c, b, i - 3) &&
            !cite_common_word(c->p + b, i - 3 - b))
            return true;
    }
    return false;
}

/* Whether the capitalised word p[i..e) is part of a name, which keeps its
 * capital in sentence case even when it is also a common word: beside
 * an initial ("Warren L. Butler"), a genus, a capital letter that names
 * something ("vitamin D"), a place's geographic word ("Fargey Creek"),
 * a compass point or "X of" before a name (CMOS 8.46, APA 7 6.17), an
 * eponym's partner. */
bool
cite_name_word(const struct caser *c, size_t i, size_t e)
{
    const char *w = c->p + i;
    size_t n = e - i;

    return cite_starts_upper(c, i, e) &&
           (c->after_initial || initial_follows(c, e) || genus_of(c, i, e) ||
            (capital_letter(w, n) && !(e < c->n && c->p[e] == '-')) ||
            (c->after_name && feature_word(w, n)) ||
            (compass_word(w, n) &&
             (name_follows(c, e) || feature_follows(c, e))) ||
            (of_name_head(w, n) && of_name_follows(c, e)) ||
            (series_word(w, n) && series_number_follows(c, e)) ||
            i < c->name_end || titled_name(c, i, e) ||
            eponym_partner(c, i, e));
}

size_t
cite_proper_match(const struct caser *c, size_t i, uint32_t cp,
                  const char **entry)
{
    size_t k, m;

    /* Most words share their first letter with few entries: the others
     * are passed over here without a call. */
    for (k = 0; k < ARRAY_SIZE(proper); k++) {
        if (cp < 0x80 && (cp | 0x20) != ((unsigned char)proper[k][0] | 0x20))
            continue;
        m = match_proper(c, i, proper[k]);
        if (m) {
            *entry = proper[k];
            return m;
        }
    }
    return 0;
}

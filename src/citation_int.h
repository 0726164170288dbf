/*
 * citation_int: private to the citation module (citation.c,
 * citation_name.c, citation_style.c, citation_case.c, citation_proper.c,
 * citation_words.c, citation_export.c, citation_coins.c): letter helpers,
 * the word lists, the parts of a name as the styles need them, and the
 * writers the styles build their strings with.
 */
#ifndef ARCTIC_DIGEST_CITATION_INT_H
#define ARCTIC_DIGEST_CITATION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/utf8.h"

/* Simple case mapping for Latin, Latin-1 and Latin Extended-A
 * (citation_words.c). */
uint32_t cite_lower(uint32_t cp);
uint32_t cite_upper(uint32_t cp);
bool cite_is_letter(uint32_t cp);
/* ASCII transliteration of a code point ("ð" -> "d", "þ" -> "th"), lower
 * case; "" when it has none. */
const char *cite_ascii_fold(uint32_t cp);

/* True if s (ASCII, any case) is a word that title case keeps lower
 * case ("of", "and", "the", ...). */
bool cite_is_stopword(const char *p, size_t n);

/* ---- the word lists (citation_words.c) ---- */

/* Whether the word p[0..n) is a common word, which sentence case may
 * lower-case: one the word lists spell in lower case (a possessive, a
 * contraction's end or a sentence's period aside), or one derived from
 * such a word by a suffix or a prefix ("Knotless", "Interoperability"). */
bool cite_common_word(const char *p, size_t n);
/* A word of a title written all in capitals, as the word lists know it:
 * a common word ("MODELING", re-cased), a name they spell with a capital
 * ("MANN": Mann) or with letters beyond ASCII ("TROMSØ"), or anything
 * else ("FRBR", an acronym or unknown word), which keeps its capitals. */
enum cite_caps { CITE_CAPS_COMMON, CITE_CAPS_NAME, CITE_CAPS_KEEP };
enum cite_caps cite_caps_word(const char *p, size_t n);

/*
 * A person split for citing: family without its suffix ("King"), the
 * suffix (person.suffix, else one that ends the family name, "Jr.") or
 * NULL, given as stored.  Pointers into a scratch
 * buffer owned by the struct; release with cite_name_release().
 */
struct name_parts {
    char *given;
    char *family;
    char *suffix;
    const char *literal;
};

/*
 * An article as every style prints it: a shallow copy of a (borrowing
 * its strings) whose volume, issue and pages are cleaned by
 * article_locator ("null" is none, "S8-S8" is "S8") and whose URL has
 * no tracking parameters ("utm_source", "dgcid": the one URL that
 * citations, BibTeX, RIS and COinS print), and whose container, when
 * written wholly in capitals, is in headline style ("SYSTEMATIC BOTANY"
 * as "Systematic Botany").  a must outlive the view;
 * release with cite_view_release().
 */
struct cite_view {
    struct article a;
    char *volume, *issue, *pages;
    char *url; /* a->url untracked, NULL when it had nothing to drop */
    char *container; /* a->container re-cased from capitals, or NULL */
};

void cite_view_init(struct cite_view *v, const struct article *a);
void cite_view_release(struct cite_view *v);

/*
 * cite_sentence_case, keeping as written any of the names keep[0..nkeep)
 * that the title holds, whole words as they are written there: the
 * organisations of the record ("National Institute for Occupational
 * Safety and Health"), which are proper nouns (APA 7 6.17).
 */
void cite_sentence_case_keeping(const char *p, size_t n,
                                const char *const *keep, size_t nkeep,
                                struct buf *out);

void cite_name_split(const struct person *p, struct name_parts *np);
void cite_name_release(struct name_parts *np);

/*
 * A name given in two scripts, one part romanised and the other in Han,
 * kana or Hangul, as Crossref has some (family "Yang Xiaoxue", given
 * "杨晓雪"): appends "Yang Xiaoxue 杨晓雪" to out, the romanised name as
 * written (family name first) and the original script after it, one
 * name that no style inverts or abbreviates (CMOS 17 8.14; APA 7 9.8),
 * and returns true; false, out untouched, for any other name.
 */
bool cite_name_scripts(const struct name_parts *np, struct buf *out);

/* ---- writers (citation.c) ---- */

/* Where a citation goes: one buffer per markup asked for, all written in
 * the same pass, so the record is read and the title cased once. */
struct cite_out {
    struct buf *b[3];
    enum cite_markup m[3];
    size_t n;
    char last; /* last character of the plain text written */
    bool italic; /* between cite_ital_on() and cite_ital_off() */
    /* 1 + the length of b[i] right after the last italics tag written
     * to it, 0 before any: a tag that follows its opposite with nothing
     * between takes it back instead ("**" would be strong emphasis). */
    size_t tagged[3];
};

/* Text from the record, escaped for each markup; n bytes of s, or all of
 * s (NULL or "" writes nothing). */
void cite_put_n(struct cite_out *o, const char *s, size_t n);
void cite_put(struct cite_out *o, const char *s);
/* Our own words and punctuation. */
void cite_lit(struct cite_out *o, const char *s);
void cite_ital_on(struct cite_out *o);
void cite_ital_off(struct cite_out *o);
/* Record text with ARTICLE_ITALIC_ON/OFF markers (a marked title): its
 * italic runs in italics, or in roman when written in italics (CMOS 17
 * 8.171: a species name in an italic book title is roman). */
void cite_put_marked(struct cite_out *o, const char *s, size_t n);
/* p[0..n) with its quotation marks and apostrophes typographic, as a
 * title's ("Russia’s", “New”; ‘New’ when quoted: inside quotation
 * marks), appended to out. */
void cite_typographic(const char *p, size_t n, bool quoted, struct buf *out);
/* s in italics, its apostrophes typographic (a journal's name). */
void cite_italic(struct cite_out *o, const char *s);
/* "." unless the text written ends in ".", "?" or "!". */
void cite_period(struct cite_out *o);

/* How a style capitalises a title: headline style (MLA 9 1.2), headline
 * style with Chicago's rules for hyphenated compounds (CMOS 17 8.161),
 * or sentence style (APA 7 6.17). */
enum cite_case { CITE_HEADLINE, CITE_HEADLINE_CMOS, CITE_SENTENCE };

/* The title in the style's case, unless its language is not English;
 * quotation marks and apostrophes typographic, nested as inside
 * quotation marks when quoted. */
void cite_put_title(struct cite_out *o, const struct article *a,
                    enum cite_case how, bool quoted);
/* "“Title.”" (Chicago, MLA). */
void cite_quoted_title(struct cite_out *o, const struct article *a,
                       enum cite_case how);
/* The period after an unquoted title, inside a closing quotation mark. */
void cite_title_period(struct cite_out *o);
/* "*Title*." */
void cite_italic_title(struct cite_out *o, const struct article *a,
                       enum cite_case how);
/* The DOI as https://doi.org/..., else the URL (MLA: without its
 * scheme), linked in markdown and HTML. */
void cite_put_doi_or_url(struct cite_out *o, const struct article *a,
                         bool mla);
bool cite_has_link(const struct article *a);
/* A date as style s writes it, at d's precision. */
void cite_put_date(struct cite_out *o, const struct dt *d, enum cite_style s);

/* ---- author lists (citation_name.c) ---- */

void cite_authors_chicago(struct cite_out *o, const struct article *a);
void cite_authors_mla(struct cite_out *o, const struct article *a);
void cite_authors_apa(struct cite_out *o, const struct article *a);

/* ---- the styles (citation_style.c); a is a cite_view's article ---- */

void cite_chicago(struct cite_out *o, const struct article *a);
void cite_apa(struct cite_out *o, const struct article *a);
void cite_mla(struct cite_out *o, const struct article *a);

#endif

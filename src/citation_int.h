/*
 * citation_int: private to the citation module (citation.c,
 * citation_case.c, citation_export.c): letter helpers and the parts
 * of a name as the styles need them.
 */
#ifndef ARCTIC_DIGEST_CITATION_INT_H
#define ARCTIC_DIGEST_CITATION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/utf8.h"

/* Simple case mapping for Latin, Latin-1 and Latin Extended-A. */
uint32_t cite_lower(uint32_t cp);
uint32_t cite_upper(uint32_t cp);
bool cite_is_letter(uint32_t cp);
/* ASCII transliteration of a code point ("ð" -> "d", "þ" -> "th"), lower
 * case; "" when it has none. */
const char *cite_ascii_fold(uint32_t cp);

/* True if s (ASCII, any case) is a word that title case keeps lower
 * case ("of", "and", "the", ...). */
bool cite_is_stopword(const char *p, size_t n);

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
 * article_locator ("null" is none, "S8-S8" is "S8").  a must outlive
 * the view; release with cite_view_release().
 */
struct cite_view {
    struct article a;
    char *volume, *issue, *pages;
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

#endif

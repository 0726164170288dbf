/*
 * citation_case_int: shared by citation_case.c (the case rules) and
 * citation_proper.c (which words of a title are names): the state of one
 * pass over a title and the word helpers both use.
 */
#ifndef ARCTIC_DIGEST_CITATION_CASE_INT_H
#define ARCTIC_DIGEST_CITATION_CASE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/buf.h"

enum case_mode { CASE_TITLE, CASE_SENTENCE };

struct caser {
    const char *p;
    size_t n;
    enum case_mode mode;
    bool allcaps; /* the title has capitals and no lower-case letters */
    struct buf *out;
    const char *const *keep; /* names the title keeps as written */
    size_t nkeep;
    bool as_written; /* in sentence case already: its capitals are meant */
    /* of the word at hand: the title's first, a sentence's first, a
     * compound's part after a hyphen; after an initial, an article, a
     * place's name */
    bool first, start, hyphen, after_initial, after_article, after_name;
    size_t name_end; /* a statute's name found ahead runs to here */
    bool cmos; /* title case with CMOS 17 8.161's hyphenated compounds */
};

/* ---- words (citation_case.c) ---- */

/* Whether c separates words: white space, hyphens, dashes, slashes, the
 * punctuation : ; , ! ? ( ) [ ], quotes, an ellipsis, italic markers. */
bool cite_is_sep(uint32_t c);
bool cite_is_apostrophe(uint32_t c);
/* End of the word starting at i. */
size_t cite_word_end(const struct caser *c, size_t i);
/* Whether the word at p[i..e) starts with a capital letter. */
bool cite_starts_upper(const struct caser *c, size_t i, size_t e);
/* Whether the word p[i..e) keeps its spelling whatever the case style:
 * it holds a digit, or (in a title not in capitals) it is in capitals
 * or has a capital inside ("NATO", "McDonald"). */
bool cite_keep_as_is(const struct caser *c, size_t i, size_t e);
/* Whether p[0..n) is an initial ("L."). */
bool cite_is_initial(const char *p, size_t n);
/* Whether p[0..n) is one of words[0..nwords), ASCII case ignored. */
bool cite_one_of(const char *p, size_t n, const char *const *words,
                 size_t nwords);

/* ---- names (citation_proper.c) ---- */

/* Length of the entry of the domain's proper nouns that p[i..] starts
 * with (cp its first code point), and the entry in *entry; 0 if none. */
size_t cite_proper_match(const struct caser *c, size_t i, uint32_t cp,
                         const char **entry);
/* Whether the capitalised word p[i..e) is part of a name, which keeps its
 * capital in sentence case even when it is also a common word. */
bool cite_name_word(const struct caser *c, size_t i, size_t e);
/* Whether p[0..n) names a place whose geographic word may follow
 * ("Fargey" of "Fargey Creek"). */
bool cite_place_name(const char *p, size_t n);
/* Whether the word p[i..e) is Latin of taxonomy that stays in lower case
 * ("sp. nov.", "et al."). */
bool cite_latin_lower(const struct caser *c, size_t i, size_t e);
/* The end of the statute's name ("Endangered Species Act") that the
 * capitalised word at i opens, or 0. */
size_t cite_statute_end(const struct caser *c, size_t i);
/* Whether the word p[i..e), in lower case, is the epithet of a
 * scientific name ("Selaginella moellendorffii"), which title case keeps
 * in lower case. */
bool cite_epithet(const struct caser *c, size_t i, size_t e);
/* Length of the name of c->keep found at p[i..], as written, or 0. */
size_t cite_keep_match(const struct caser *c, size_t i);

#endif

/*
 * relevance: keyword scoring of articles, with explanations.
 *
 * Rules are include terms with weights, exclude terms and a threshold.
 * Matching works on folded text (rel_fold): case and diacritics are
 * folded, so "Sámi", "Sami" and "SAMI" are one word, and every run of
 * characters other than letters and digits is one word break, so
 * "Sino-Russian" matches "Sino Russian".  Terms match whole words or whole
 * phrases ("Arctic" does not match "Antarctica", "ice" not "police"); a
 * term ending in "*" matches any word that starts with it ("geopolit*").
 *
 * Score: for each include term and each field, weight x field factor x
 * the number of occurrences (at most 3), summed, then multiplied by the
 * source's weight.  Field factors: title 1, abstract 0.5, keywords 0.5,
 * so a title match weighs twice an abstract or keyword match.  Terms are
 * counted independently: "Arctic Council" in a title scores for both
 * "Arctic Council" and "Arctic".  An article is relevant when its score
 * is >= the threshold and no exclude term matches any of those fields; an
 * excluded article scores 0.
 *
 * The built-in rules (rel_rules_default) also need a topic: a place or a
 * people alone ("Tromsø", "Greenland", "Inuit") does not make an article
 * about Arctic governance, security or economy.  Their terms have roles:
 * subjects are about Arctic politics on their own ("Arctic Council",
 * "Northern Sea Route", "UNCLOS"); places need a subject or a topic term
 * beside them; topic terms ("security", "policy", "shipping", "treaty"...)
 * weigh nothing and only qualify places.  Rules made from a config's own
 * include list have subjects only, as before.
 *
 * Config syntax of one list item (the include and exclude keys of
 * [relevance]): TERM or TERM^WEIGHT, e.g. "Arctic Council^3",
 * "geopolit*^0.5", "Svalbard".  WEIGHT is a decimal number > 0 and <= 100,
 * default 1; white space around TERM is ignored; exclude items take no
 * weight.
 */
#ifndef ARCTIC_DIGEST_RELEVANCE_H
#define ARCTIC_DIGEST_RELEVANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

enum rel_role {
    REL_SUBJECT = 0, /* relevant on its own, given the score */
    REL_PLACE,       /* needs a subject or topic term beside it */
    REL_TOPIC,       /* weighs nothing; qualifies places */
};

struct rel_term {
    char *term;   /* as written, without "^WEIGHT"; names it in matched */
    char *folded; /* rel_fold() of it, without the "*" */
    char *pattern; /* " folded " (" folded" for a prefix): what is searched
                      for in padded folded text, made once */
    size_t pattern_len;
    bool prefix;  /* written with a trailing "*" */
    double weight;
    enum rel_role role;
};

struct rel_rules {
    struct rel_term *include;
    size_t ninclude, include_alloc;
    struct rel_term *exclude;
    size_t nexclude, exclude_alloc;
    double threshold; /* 1 */
    bool need_topic;  /* places alone are not enough (the built-in rules) */
};

#define REL_RULES_INIT {NULL, 0, 0, NULL, 0, 0, 1.0, false}

/* Free the terms; r is back to REL_RULES_INIT. */
void rel_rules_release(struct rel_rules *r);

/*
 * Add the built-in rules for Arctic geopolitics, security and governance
 * (about 70 include terms, a few exclude terms) to r, and set its
 * threshold to 1.
 */
void rel_rules_default(struct rel_rules *r);

/*
 * Add one include term (trailing "*" for a prefix) with a weight, or one
 * exclude term.  The term is copied.  Fails with ERR_CONFIG (r unchanged)
 * when the term holds no letter or digit, or the weight is not > 0 and
 * <= 100.
 */
int rel_rules_add_include(struct rel_rules *r, const char *term,
                          double weight, struct err *e);
int rel_rules_add_exclude(struct rel_rules *r, const char *term,
                          struct err *e);

/*
 * Add one config list item in the syntax above, as an include or an
 * exclude term.  Fails with ERR_CONFIG (r unchanged) and a message naming
 * the item: "relevance term 'NATO^x': weight is not a number".
 */
int rel_rules_add_item(struct rel_rules *r, const char *item, bool exclude,
                       struct err *e);

/*
 * Score a's title, abstract and keywords: sets a->score (0 when excluded)
 * and replaces a->matched with the include terms that matched (as
 * written, each once, in rule order).  Appends to explain (may be NULL)
 * one line without "\n" saying why:
 *   "score 4.5 >= 1: title: Svalbard (x2), Arctic; abstract: NATO"
 *   "score 0.5 < 1: abstract: Arctic"
 *   "score 0 < 1: no term matched"
 *   "excluded: 'Arctic Monkeys' in title"
 *   "score 2 >= 1 but only places: title: Tromsø; no governance, security,
 *    economy or policy term"
 * Returns true when the article is relevant.  Cannot fail.
 */
bool rel_score(const struct rel_rules *r, struct article *a,
               double source_weight, struct buf *explain);

/*
 * Whether any include term of r matches a's title, abstract or a keyword
 * (whole words, folded, as rel_score matches) and no exclude term does.
 * Weights and the threshold play no part: this is the test for a
 * subscriber's topic ("NATO" matches "NATO's northern flank", not
 * "Senator"; "Sami" matches "Sámi").  Cannot fail.
 */
bool rel_match(const struct rel_rules *r, const struct article *a);

/*
 * Append the folded form of UTF-8 text: letters lower-cased, Latin-1
 * Supplement and Latin Extended-A letters folded to ASCII (é to e, ø to o,
 * æ to ae, ð to d, þ to th, ß to ss, ŋ to ng), combining marks dropped,
 * other letters kept as they are, and every run of anything else (spaces,
 * punctuation, symbols, invalid bytes) one space; no leading or trailing
 * space.  "Nuuk’s Sámi-Council" gives "nuuk s sami council".  Also fit
 * for comparing titles.
 */
void rel_fold(const char *p, size_t n, struct buf *out);

#endif

/*
 * utf8: the one UTF-8 decoder and encoder everybody uses.
 *
 * Decoding is strict, as RFC 3629 section 4 and Unicode 15 section 3.9
 * (table 3-7, "well-formed UTF-8 byte sequences") require: overlong forms,
 * surrogates (U+D800-U+DFFF), values above U+10FFFF, stray continuation
 * bytes and sequences cut short are all invalid.  Where invalid input is
 * replaced, each "maximal subpart" of an ill-formed sequence counts as one
 * U+FFFD, as Unicode and the WHATWG Encoding Standard count them, unless a
 * function says otherwise.  Nothing here depends on the locale, and
 * nothing can fail except by returning "invalid".
 */
#ifndef ARCTIC_DIGEST_UTF8_H
#define ARCTIC_DIGEST_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/buf.h"

/* U+FFFD REPLACEMENT CHARACTER, what invalid input becomes. */
#define U8_REPLACEMENT 0xFFFDu
/* The most bytes one code point takes. */
#define U8_MAX_LEN 4

/* True if c is a continuation byte (10xxxxxx), the bytes that do not start
 * a character: counting the other bytes of valid UTF-8 counts its code
 * points. */
static inline bool
u8_is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/*
 * Decode the sequence at p[0..n), n >= 1.  Returns its length (1 to 4) and
 * sets *cp to the code point; for invalid input returns the length of the
 * maximal invalid subpart (at least 1: the lead byte and the continuation
 * bytes that could still have completed it) and sets *cp to -1.  Never
 * reads past p[n - 1].
 */
size_t u8_decode(const char *p, size_t n, int32_t *cp);

/*
 * The code point at p[*i] (*i < n), advancing *i past it.  Invalid bytes
 * are taken one at a time: each gives U8_REPLACEMENT and advances *i by 1,
 * for a caller that walks text and must not stall.
 */
uint32_t u8_next(const char *p, size_t n, size_t *i);

/*
 * Bytes the character at p[0..n) (n >= 1) takes: the length of a valid
 * sequence, or 1 for ASCII and for a byte that starts no valid sequence.
 * Stepping by it never splits a valid sequence.
 */
size_t u8_len(const char *p, size_t n);

/*
 * Encode cp (at most U+10FFFF) into out, which has room for U8_MAX_LEN
 * bytes; returns the length, 1 to 4.  Surrogates are encoded as they are:
 * callers that take code points from input replace them first.
 */
size_t u8_encode(uint32_t cp, char *out);

/* Append cp encoded as u8_encode() does. */
void u8_append(struct buf *b, uint32_t cp);

/* Bytes of p[0..n) before the first one above 0x7F (n if there is none):
 * the ASCII run that starts p, which needs no decoding. */
size_t u8_ascii_run(const char *p, size_t n);

/* Han ideographs (CJK Unified, Extension A, Compatibility), and
 * Hangul syllables; East Asian scripts are those two and kana. */
bool u8_is_han(uint32_t cp);
bool u8_is_hangul(uint32_t cp);
bool u8_is_east_asian(uint32_t cp);

/* True if p[0..n) is entirely valid UTF-8 (NUL bytes included). */
bool u8_valid(const char *p, size_t n);

/*
 * Where to cut p[0..n) to keep at most max bytes without splitting a valid
 * sequence: returns max (or n if n <= max), moved back to the start of a
 * valid sequence that straddles it.  Stray continuation bytes count as
 * characters of their own, so the cut never moves back over them.
 */
size_t u8_cut(const char *p, size_t n, size_t max);

#endif

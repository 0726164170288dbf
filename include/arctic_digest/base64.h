/*
 * base64: the one base64 encoder and decoder (RFC 4648).
 *
 * Section 4's alphabet ("+/", with "=" padding) for MIME encoded words
 * (RFC 2047 "B" encoding); section 5's URL and file name safe alphabet
 * ("-_") without padding for unsubscribe tokens; and a forgiving reading
 * for base64 content in feeds (Atom 0.3 mode="base64", RFC 4287 4.1.3.3).
 */
#ifndef ARCTIC_DIGEST_BASE64_H
#define ARCTIC_DIGEST_BASE64_H

#include <stddef.h>

#include "arctic_digest/buf.h"

enum b64_flags {
    B64_URL = 1 << 0,   /* '-' and '_' instead of '+' and '/' (section 5) */
    B64_NOPAD = 1 << 1, /* no '=' padding written, none accepted */
    B64_LAX = 1 << 2,   /* decoding: either alphabet, white space skipped,
                         * stop at '=' or any other byte, never fail */
};

/* Append p[0..n) base64-encoded to out (flags: B64_URL, B64_NOPAD).
 * Cannot fail. */
void b64_encode(const char *p, size_t n, unsigned flags, struct buf *out);

/*
 * Append the bytes p[0..n) encodes to out.  Strict unless B64_LAX: only the
 * alphabet flags choose, padding exactly as b64_encode() writes it (none
 * with B64_NOPAD), no white space, and no stray bits in the last character,
 * so one byte string has one encoding.  Returns 0, or -1 for input that is
 * not such an encoding (out may then hold part of the bytes).  With
 * B64_LAX it returns 0 always.
 */
int b64_decode(const char *p, size_t n, unsigned flags, struct buf *out);

#endif

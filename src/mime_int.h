/*
 * mime_int: helpers shared by the mime module's files and its tests.
 *
 * Not part of the public contract (include/arctic_digest/mime.h).
 */
#ifndef ARCTIC_DIGEST_MIME_INT_H
#define ARCTIC_DIGEST_MIME_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"

/*
 * Append p[0..n) as a quoted-printable body (RFC 2045 6.7): LF or CRLF
 * become CRLF hard breaks, physical lines are at most 76 octets, soft breaks
 * never split a UTF-8 sequence, '=' and controls are encoded, white space
 * before a line end is encoded, "From " and "." at a line start are
 * encoded.  The output always ends with CRLF (a soft break "=" CRLF when the
 * text does not end with a line break), and is empty for empty input.
 */
void mime_qp_encode(const char *p, size_t n, struct buf *out);

/*
 * Append p[0..n) made fit for a header: CR, LF, tab and every other control
 * (C0 and DEL) become a space, and invalid UTF-8 becomes U+FFFD.
 */
void mime_clean_header(const char *p, size_t n, struct buf *out);

/* True if c is RFC 5322 atext (3.2.3): a letter, digit or one of
 * !#$%&'*+-/=?^_`{|}~. */
bool mime_is_atext(unsigned char c);

/* True if p[0..n) is RFC 5322 dot-atom-text. */
bool mime_is_dot_atom(const char *p, size_t n);

#endif

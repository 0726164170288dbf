/*
 * text: untrusted text made safe and plain.
 *
 * HTML (and HTML-in-RSS, JATS tags) to plain UTF-8 text, HTML entity
 * decoding, white-space normalisation, UTF-8 repair, and the escapers that
 * keep feed text from injecting markdown, HTML or mail headers.  Every
 * function appends to a caller-owned buf and cannot fail: bad input gives
 * the best plain text it can, never an error.
 *
 * Output invariants: valid UTF-8 (invalid bytes become U+FFFD), no NUL and
 * no C0 control characters except "\n" (and "\t" nowhere: tabs become
 * spaces).
 */
#ifndef ARCTIC_DIGEST_TEXT_H
#define ARCTIC_DIGEST_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"

/*
 * HTML fragment to plain text: tags removed (script, style and their
 * content dropped), entities decoded (all HTML5 named ones libxml2 knows,
 * numeric ones), block elements (p, div, br, li, h1-h6, blockquote, JATS
 * <jats:p>, <sec>) become paragraph breaks, runs of white space collapse to
 * one space, paragraphs are separated by exactly one blank line, and the
 * result is trimmed.  Plain text without tags passes through normalised.
 */
void text_html_to_plain(const char *p, size_t n, struct buf *out);

/* Decode HTML/XML character references ("&amp;", "&#8217;", "&rsquo;"). */
void text_decode_entities(const char *p, size_t n, struct buf *out);

/*
 * Collapse every run of white space (including newlines) into one space and
 * trim both ends; drop control characters; repair UTF-8.  For titles and
 * names: one line.
 */
void text_one_line(const char *p, size_t n, struct buf *out);

/* Repair UTF-8 (invalid sequences become U+FFFD) and drop NUL/C0 controls
 * other than "\n". */
void text_sanitize(const char *p, size_t n, struct buf *out);

/* True if p[0..n) is valid UTF-8. */
bool text_utf8_valid(const char *p, size_t n);

/*
 * The largest length <= max at which p[0..n) can be cut without splitting a
 * UTF-8 sequence.
 */
size_t text_utf8_cut(const char *p, size_t n, size_t max);

/*
 * Escape for CommonMark inline text: every ASCII punctuation character is
 * backslash-escaped, so no feed text can open emphasis, a link, an autolink,
 * raw HTML, an entity, a heading or a list.  A run of blank lines becomes a
 * single paragraph break ("\n\n"); other line breaks become spaces; leading
 * spaces of lines are dropped (no indented code).
 */
void text_escape_markdown(const char *p, size_t n, struct buf *out);

/* Escape for HTML text and attribute values: & < > " ' */
void text_escape_html(const char *p, size_t n, struct buf *out);

/* For header templates: copy, replacing CR and LF (and other controls)
 * with a space, so text can never start a new header line. */
void text_escape_header(const char *p, size_t n, struct buf *out);

#endif

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
 * HTML fragment to plain text: tags removed (script, style, template and
 * head with their content dropped), comments dropped, CDATA kept as text,
 * entities decoded (text_decode_entities), block elements (p, div, br, li,
 * h1-h6, blockquote, JATS <jats:p>, <jats:sec>, <jats:title>: matched by
 * local name after any prefix) become paragraph breaks (br too), table
 * cells a space, runs of white space collapse to one space (NBSP is kept
 * inside a paragraph but trimmed at its ends), paragraphs are separated by
 * exactly one blank line, and the result is trimmed.  A '<' that starts no
 * tag ("a < b", or with no '>' anywhere after it) is text.  Input without
 * any markup is plain text: its blank lines separate paragraphs.  Linear
 * time; any bytes are accepted.
 */
void text_html_to_plain(const char *p, size_t n, struct buf *out);

/*
 * Decode HTML/XML character references ("&amp;", "&#8217;", "&rsquo;"):
 * all HTML5 named references; numeric ones in decimal or hex, where zero,
 * surrogates and values above U+10FFFF give U+FFFD and 128-159 are read as
 * Windows-1252, as HTML5 does.  The 106 legacy names (amp, lt, gt, quot,
 * nbsp, copy, the Latin-1 letters...) are also decoded without their ';'
 * when the name is followed by neither a letter, a digit nor '=' ("&amp "
 * but not "&copy=2").  Unknown references stay as they are.
 */
void text_decode_entities(const char *p, size_t n, struct buf *out);

/*
 * Collapse every run of white space (including newlines) into one space and
 * trim both ends; drop control characters and zero-width ones (a byte
 * order mark, U+FEFF, inside the text; U+200B); repair UTF-8.  For titles
 * and names: one line.
 */
void text_one_line(const char *p, size_t n, struct buf *out);

/* Repair UTF-8 (each maximal invalid subsequence becomes one U+FFFD) and
 * drop NUL/C0 controls other than "\n": CR and CRLF become "\n"; tab, VT
 * and FF a space.  C1 controls (U+0080-U+009F, left by text that was
 * Windows-1252 read as Latin-1) are read as Windows-1252 or dropped; a
 * byte order mark (U+FEFF) inside the text is dropped. */
void text_sanitize(const char *p, size_t n, struct buf *out);

/*
 * Escape for CommonMark inline text: every ASCII punctuation character is
 * backslash-escaped, so no feed text can open emphasis, a link, an autolink,
 * raw HTML, an entity, a heading or a list.  A run of blank lines becomes a
 * single paragraph break ("\n\n"); other line breaks become spaces; leading
 * spaces of lines are dropped (no indented code).
 */
void text_escape_markdown(const char *p, size_t n, struct buf *out);

/* The default length limit of text_clean_abstract, in bytes. */
#define TEXT_ABSTRACT_MAX 1200

/*
 * The abstract a reader sees, from a feed's description or summary, a
 * Crossref JATS abstract or plain text (which is HTML without tags: note
 * that character references in plain text are decoded once more):
 *  - text_html_to_plain() first (block elements become paragraphs,
 *    inline formatting is dropped, entities decoded, white space
 *    normalised);
 *  - a leading "Abstract" or "Summary" heading (any case, as its own
 *    paragraph, as a JATS <title>, or as the opening word followed by ":",
 *    "." or a space) is removed;
 *  - boilerplate paragraphs ("Read full article", "Want to read more?",
 *    "Continue reading", WordPress's "The post X appeared first on Y.")
 *    are removed, and so are excerpt markers at the very end (" [...]",
 *    " [\u2026]", "Continue reading \u2192", "Read more"); the text is
 *    kept, ending in "\u2026" when the excerpt stopped mid-sentence;
 *  - a description that is only a citation line ("The Polar Journal,
 *    Volume 15, Issue 1, Pages 1-20.", "The Polar Journal, Ahead of
 *    Print.") counts as no abstract: nothing is appended;
 *  - text longer than max_len bytes (0: TEXT_ABSTRACT_MAX) is cut at the
 *    last sentence end in its second half, followed by " \u2026", or else
 *    at a word boundary followed by "\u2026"; never inside a UTF-8
 *    sequence, and the result is at most max_len bytes.
 * Paragraphs are separated by one blank line, as in the article record.
 */
void text_clean_abstract(const char *p, size_t n, size_t max_len,
                         struct buf *out);

/*
 * Append p[0..n) to out, cut to at most max characters (code points; an
 * invalid byte counts as one) when it is longer: at the last space in the
 * second half of what fits, else at a character boundary, without the
 * spaces and ",;:" before the cut, followed by "\u2026" (which counts in
 * max).  Never splits a UTF-8 sequence.  For one-line fields (titles,
 * names); max 0 keeps nothing.
 */
void text_cut_words(const char *p, size_t n, size_t max, struct buf *out);

/* Escape for HTML text and attribute values: & < > " ' */
void text_escape_html(const char *p, size_t n, struct buf *out);

/* Percent-encode for a URL's query or path (RFC 3986): every byte but the
 * unreserved characters (letters, digits, - . _ ~) and those in keep
 * ("" or "/") as %XX with capital hex digits. */
void text_escape_url(const char *p, size_t n, const char *keep,
                     struct buf *out);

/* For header templates: copy, replacing CR and LF (and other controls)
 * with a space, so text can never start a new header line. */
void text_escape_header(const char *p, size_t n, struct buf *out);

#endif

/*
 * mime: one digest message as RFC 5322 + MIME bytes, built with libetpan.
 *
 * Implements RFC 5322 (header fields, CRLF, lines of at most 998 octets,
 * folding at 78 where possible), RFC 2045-2047 (multipart, quoted-printable,
 * encoded words of at most 75 characters that never split a UTF-8
 * sequence), RFC 2231 (non-ASCII attachment file names), RFC 2369 / 8058
 * (List-Unsubscribe, One-Click) and RFC 2919 (List-Id); addresses are the
 * ASCII subset of RFC 5321 4.1.2 and RFC 5322 3.4.1 (mime_addr_check).
 *
 * Layout:
 *   multipart/mixed                 only when there are attachments
 *   +- multipart/alternative
 *   |  +- text/plain; charset=utf-8   quoted-printable
 *   |  +- text/html;  charset=utf-8   quoted-printable
 *   +- attachments                    base64, attachment
 *
 * Every header value that may hold untrusted text is encoded here: CR, LF
 * and other controls are replaced by spaces before encoding, so no input
 * can add a header.  Nothing here reads the clock or a random source: the
 * date and boundary seed come in as parameters.
 */
#ifndef ARCTIC_DIGEST_MIME_H
#define ARCTIC_DIGEST_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/err.h"

/*
 * Makes an attachment for mime_body_new(), a part at a time: appends the
 * next part of its bytes to out and returns true, or returns false (out
 * untouched) when there is no more.  Each part is encoded as it comes
 * and freed, so that an attachment's bytes are never held whole.
 */
typedef bool (*mime_make_fn)(void *ctx, struct buf *out);

struct mime_attachment {
    const char *filename;     /* UTF-8; RFC 2231-encoded if not ASCII */
    const char *content_type; /* "application/x-bibtex" */
    const char *data;         /* NULL with make (mime_body_new only) */
    size_t len;
    mime_make_fn make;        /* NULL: the bytes are data[0..len) */
    void *make_ctx;
};

struct mime_message {
    const char *from_name; /* display name, UTF-8, may be NULL */
    const char *from_addr; /* addr-spec, required */
    const char *to_name;   /* may be NULL */
    const char *to_addr;   /* required */
    const char *reply_to;  /* addr-spec, may be NULL */
    const char *subject;   /* UTF-8, required */
    struct dt date;        /* written in its own offset */
    const char *message_id; /* "<id@domain>", required (mime_message_id) */
    const char *list_id;   /* "Arctic Digest <arctic-digest.example.org>",
                              may be NULL */
    const char *list_unsubscribe;      /* "<mailto:...>, <https://...>" */
    const char *list_unsubscribe_post; /* "List-Unsubscribe=One-Click" */
    const char *text; /* UTF-8 plain text body, LF or CRLF line ends */
    size_t text_len;
    const char *html; /* UTF-8 HTML body; NULL for a text-only message */
    size_t html_len;
    const struct mime_attachment *attachments;
    size_t nattachments;
    const char *boundary_seed; /* makes boundaries unique and repeatable */
    /* mime_body_new() only, may be NULL: called once the text is encoded
     * (html false), then once the HTML is (html true), before the
     * attachments are made; the caller may free that body then. */
    void (*encoded)(void *ctx, bool html);
    void *encoded_ctx;
};

/*
 * Append the whole message (headers and body, CRLF line ends) to out.
 * Returns -1 with ERR_DATA when a required field is missing or an address
 * is not an addr-spec, or ERR_INTERNAL when libetpan fails.
 */
int mime_build(const struct mime_message *m, struct buf *out, struct err *e);

/*
 * A body prepared once for many messages (DESIGN.md, Scale): the MIME
 * structure, the attachments encoded, and the quoted-printable text and
 * HTML encoded but for the lines that hold one of the marks (letters and
 * digits, so that no escaping changes them).  mime_body_new() takes m's
 * text, html and attachments and ignores the rest; mime_build_with() takes
 * m's header fields and boundary seed and ignores its body, fills
 * text_values[i] (html_values[i]) in for marks[i] (NULL values: empty) and
 * appends the message: byte for byte what mime_build() makes of m with
 * those values written in place of the marks.  The same errors as
 * mime_build(), ERR_DATA from the one whose part is wrong.
 */
struct mime_body;

int mime_body_new(const struct mime_message *m, const char *const *marks,
                  size_t nmarks, struct mime_body **out, struct err *e);
void mime_body_free(struct mime_body *b);
int mime_build_with(const struct mime_message *m, const struct mime_body *b,
                    const char *const *text_values,
                    const char *const *html_values, struct buf *out,
                    struct err *e);

enum mime_build_flags {
    MIME_TEXT_ONLY = 1 << 0, /* leave the HTML part out: the bytes
                                mime_build() makes of m without html */
};

/*
 * mime_build_with(), the message added to out as pieces instead of
 * appended: the body's prepared bytes are borrowed (b must outlive out's
 * use and stay unchanged), only the header block, the boundaries and the
 * lines with marks are out's own; joined, the pieces are the bytes
 * mime_build_with() appends (with MIME_TEXT_ONLY, those of a body
 * prepared without the HTML).  Same errors; out is then unchanged or
 * holds part of the message.
 */
int mime_build_pieces(const struct mime_message *m, const struct mime_body *b,
                      unsigned flags, const char *const *text_values,
                      const char *const *html_values, struct buf_list *out,
                      struct err *e);

/* Append p[0..n) with each mark replaced by its value (NULL: nothing), in
 * one pass: a value that holds a mark's text is not replaced again. */
void mime_fill_marks(const char *p, size_t n, const char *const *marks,
                     const char *const *values, size_t nmarks,
                     struct buf *out);

/*
 * The one rule for an address this tool can send to, used by mime_build(),
 * compose, deliver and the subscriber list (subs_addr_check) alike, so that
 * nothing the list accepts is refused at send.  Checks p[0..n) (any bytes;
 * a NUL is a control character) and returns 0 when it is:
 *   - at most 254 octets, printable ASCII only (no SMTPUTF8, RFC 6531);
 *   - a dot-atom local part of 1 to 64 octets (RFC 5322 3.2.3 atext; plus
 *     addressing "a+tag" is fine; quoted local parts are refused);
 *   - '@' and a host name of two or more dot-separated labels of 1 to 63
 *     letters, digits and hyphens, no hyphen at either end, at most 253
 *     octets, whose last label is not all digits (no trailing dot;
 *     address literals such as "[192.0.2.1]" are refused).
 * Otherwise -1 with ERR_DATA and the reason in e->msg, without the address
 * itself ("non-ASCII at octet 3: internationalised addresses cannot be sent
 * by this tool yet (no SMTPUTF8)", "domain label longer than 63 octets").
 * Allocates nothing.
 */
int mime_addr_check(const char *p, size_t n, struct err *e);

/* mime_addr_check() on a C string: true if valid, false if not or NULL. */
bool mime_addr_is_valid(const char *addr);

/* True if s is a List-Id mime_build() takes: "Name <id>" or "id", id a
 * dot-atom (RFC 2919); the name may be any text (it is encoded). */
bool mime_list_id_is_valid(const char *s);

/*
 * Append a Message-ID "<local@domain>" whose domain is that of from_addr
 * and whose local part is made of unique (any bytes; hashed or sanitised
 * to dot-atom text).  The same inputs give the same id.
 */
void mime_message_id(const char *unique, const char *from_addr,
                     struct buf *out);

/*
 * Append value as an unstructured header body (RFC 5322 3.2.5): ASCII text
 * is folded at white space, non-ASCII text becomes RFC 2047 encoded words
 * (UTF-8, Q or B, each at most 75 characters, never splitting a UTF-8
 * sequence), all folded so that no line exceeds 78 octets where possible.
 * name_len is the length of "Name: " already on the first line.  Controls,
 * CR and LF become spaces.
 */
void mime_encode_unstructured(const char *value, size_t name_len,
                              struct buf *out);

/* Append "Display Name <addr>" with the display name quoted or encoded as
 * RFC 5322 / 2047 require; just "addr" when name is NULL or empty. */
void mime_encode_mailbox(const char *name, const char *addr, size_t name_len,
                         struct buf *out);

/* "libetpan X.Y.Z": the version of libetpan this program runs with, for
 * 'arctic-digest --version'.  Static storage; never fails. */
const char *mime_lib_version(void);

#endif

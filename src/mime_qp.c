/*
 * mime_qp: the quoted-printable body encoder.
 *
 * libetpan's encoder (mailmime_quoted_printable_write_mem) leaves white
 * space unencoded at the end of a body that does not end with a newline,
 * and can put a soft break inside a UTF-8 sequence, so the body bytes are
 * made here and handed to libetpan as already encoded data.
 */
#include "mime_int.h"

#include <string.h>

#include "arctic_digest/utf8.h"

#define QP_MAX_LINE 76

static bool
qp_literal(unsigned char c)
{
    return (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
}

/*
 * Encode the character unit p[0..len) into unit (at most 12 bytes) and
 * return its length.  at_eol: nothing but a line end follows, so white
 * space must be encoded; at_bol: the unit starts a physical line, so "."
 * and the "F" of "From " are encoded for mbox and SMTP safety.
 */
static size_t
encode_unit(const char *p, size_t len, size_t avail, bool at_eol, bool at_bol,
            char *unit)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c = (unsigned char)p[0];
    size_t i;
    size_t k = 0;

    if (len == 1 && qp_literal(c)) {
        bool ws = c == ' ' || c == '\t';
        bool from = at_bol && avail >= 5 && memcmp(p, "From ", 5) == 0;
        if (!(ws && at_eol) && !(at_bol && c == '.') && !from) {
            unit[0] = (char)c;
            return 1;
        }
    }
    for (i = 0; i < len; i++) {
        c = (unsigned char)p[i];
        unit[k++] = '=';
        unit[k++] = hex[c >> 4];
        unit[k++] = hex[c & 15];
    }
    return k;
}

/*
 * Encode one hard line p[0..n) (no line break in it) into w, which has
 * room for the worst case (qp_line_room), and return the end of what was
 * written.  all is how many bytes of the input follow p (for the "From "
 * test and the UTF-8 decoder, as if the whole body were read); hard: a
 * line break follows the line.
 */
static char *
encode_line(const char *p, size_t n, size_t all, bool hard, char *w)
{
    size_t col = 0, i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        size_t len, ulen;
        bool at_eol;

        /* Most of a body: a character that stands for itself, neither
         * first on its line (no "." or "From " rule) nor white space last
         * on it, with room after it for a soft break.  encode_unit would
         * write the same byte. */
        if (col != 0 && col < QP_MAX_LINE - 1 && c >= 33 && c <= 126 &&
            c != '=') {
            *w++ = (char)c;
            col++;
            i++;
            continue;
        }
        len = c < 0x80 ? 1 : u8_len(p + i, all - i);
        at_eol = i + len == n;
        ulen = encode_unit(p + i, len, all - i, at_eol, col == 0, w);

        /* A unit that is not last on its line must leave room for "=",
         * and so must the last of a body without a final line end: the
         * soft break after it counts towards the 76 (RFC 2045 6.7(5)). */
        if (col + ulen > (at_eol && hard ? QP_MAX_LINE : QP_MAX_LINE - 1)) {
            memcpy(w, "=\r\n", 3);
            w += 3;
            col = 0;
            ulen = encode_unit(p + i, len, all - i, at_eol, true, w);
        }
        w += ulen;
        col += ulen;
        i += len;
    }
    return w;
}

/* The most bytes encode_line() can write for a line of n bytes, with its
 * CRLF: three per byte, and a soft break (three) at the latest after 64
 * (a unit of up to 12 that does not fit the 75 moves on); one more unit's
 * room for the one encoded before it is moved. */
static size_t
qp_line_room(size_t n)
{
    return 3 * n + 3 * (3 * n / 60 + 2) + 12 + 2;
}

/*
 * One pass over the body, a hard line at a time, each written straight
 * into room made for its worst case: no call per character.  A unit is
 * encoded into the buffer first and moved on by a soft break when it does
 * not fit, so the bytes are those of encoding unit by unit.
 */
void
mime_qp_encode(const char *p, size_t n, struct buf *out)
{
    size_t i = 0;

    while (i < n) {
        const char *lf = memchr(p + i, '\n', n - i);
        size_t stop = lf ? (size_t)(lf - p) : n, next;
        char *w;

        next = lf ? stop + 1 : n;
        if (lf && stop > i && p[stop - 1] == '\r')
            stop--;
        buf_grow(out, qp_line_room(stop - i));
        w = encode_line(p + i, stop - i, n - i, lf != NULL,
                        out->data + out->len);
        if (lf) {
            memcpy(w, "\r\n", 2);
            w += 2;
        }
        out->len = (size_t)(w - out->data);
        out->data[out->len] = '\0';
        i = next;
    }
    if (n > 0 && p[n - 1] != '\n')
        buf_append(out, "=\r\n", 3);
}

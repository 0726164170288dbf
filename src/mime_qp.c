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

/* Length of the hard line break at p[0..n), 0 if there is none. */
static size_t
line_break_len(const char *p, size_t n)
{
    if (n >= 1 && p[0] == '\n')
        return 1;
    if (n >= 2 && p[0] == '\r' && p[1] == '\n')
        return 2;
    return 0;
}

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

void
mime_qp_encode(const char *p, size_t n, struct buf *out)
{
    char unit[12];
    size_t col = 0;
    size_t i = 0;

    while (i < n) {
        size_t br = line_break_len(p + i, n - i);
        size_t len;
        size_t ulen;
        bool at_eol;
        bool hard_eol;

        if (br > 0) {
            buf_append(out, "\r\n", 2);
            col = 0;
            i += br;
            continue;
        }
        len = u8_len(p + i, n - i);
        hard_eol = line_break_len(p + i + len, n - i - len) > 0;
        at_eol = i + len == n || hard_eol;
        ulen = encode_unit(p + i, len, n - i, at_eol, col == 0, unit);
        /* A unit that is not last on its line must leave room for "=",
         * and so must the last of a body without a final line end: the
         * soft break after it counts towards the 76 (RFC 2045 6.7(5)). */
        if (col + ulen > (hard_eol ? QP_MAX_LINE : QP_MAX_LINE - 1)) {
            buf_append(out, "=\r\n", 3);
            col = 0;
            ulen = encode_unit(p + i, len, n - i, at_eol, true, unit);
        }
        buf_append(out, unit, ulen);
        col += ulen;
        i += len;
    }
    if (n > 0 && p[n - 1] != '\n')
        buf_append(out, "=\r\n", 3);
}

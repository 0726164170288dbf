/*
 * mime_header: header field bodies (RFC 5322 folding, RFC 2047 encoded
 * words), address checks and Message-IDs.
 *
 * libetpan writes neither encoded words nor half-hour zones correctly, so
 * the top-level header block is made here, byte by byte.
 */
#include "arctic_digest/mime.h"

#include <nettle/sha2.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/base64.h"
#include "arctic_digest/utf8.h"
#include "mime_int.h"

#define HDR_FOLD 78      /* RFC 5322 2.1.1: lines SHOULD be at most 78 */
#define EW_MAX 75        /* RFC 2047 2: an encoded word is at most 75 */
#define EW_OVERHEAD 12   /* "=?UTF-8?Q?" + "?=" */
#define EW_MIN_ROOM 24   /* fold first if less than this is left */

void
mime_clean_header(const char *p, size_t n, struct buf *out)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        size_t len;

        if (c < 0x20 || c == 0x7F) {
            buf_append_char(out, ' ');
            i++;
            continue;
        }
        if (c < 0x80) {
            buf_append_char(out, (char)c);
            i++;
            continue;
        }
        len = u8_len(p + i, n - i);
        if (len == 1)
            buf_append(out, "\xEF\xBF\xBD", 3);
        else
            buf_append(out, p + i, len);
        i += len;
    }
}

/* RFC 2047 5(3): the characters a Q word may carry as they are, safe even
 * inside a phrase. */
static bool
q_plain(unsigned char c)
{
    return ascii_is_alnum(c) || c == '!' || c == '*' || c == '+' || c == '-' ||
           c == '/';
}

static size_t
q_len(const char *p, size_t n)
{
    size_t len = 0;
    size_t i;

    for (i = 0; i < n; i++)
        len += q_plain((unsigned char)p[i]) || p[i] == ' ' ? 1 : 3;
    return len;
}

static size_t
b_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static void
append_q(const char *p, size_t n, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (q_plain(c)) {
            buf_append_char(out, (char)c);
        } else if (c == ' ') {
            buf_append_char(out, '_');
        } else {
            buf_append_char(out, '=');
            buf_append_char(out, hex[c >> 4]);
            buf_append_char(out, hex[c & 15]);
        }
    }
}

/*
 * Append p[0..n) (clean UTF-8) as a run of encoded words starting at column
 * col, each word as long as its line allows, one word a line after the
 * first.  Spaces travel inside the words, since white space between
 * encoded words is dropped by decoders.  Returns the final column.
 */
static size_t
encode_words(const char *p, size_t n, size_t col, struct buf *out)
{
    bool q = q_len(p, n) <= b_len(n);
    size_t i = 0;

    if (HDR_FOLD < col + EW_MIN_ROOM) {
        buf_append(out, "\r\n ", 3);
        col = 1;
    }
    while (i < n) {
        size_t room = HDR_FOLD - col < EW_MAX ? HDR_FOLD - col : EW_MAX;
        size_t max = room - EW_OVERHEAD;
        size_t end = i;

        /* Whole UTF-8 sequences only; the first always fits (<= 12). */
        while (end < n) {
            size_t len = u8_len(p + end, n - end);
            size_t need = q ? q_len(p + i, end + len - i)
                            : b_len(end + len - i);
            if (need > max && end > i)
                break;
            end += len;
        }
        buf_append_str(out, q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
        if (q)
            append_q(p + i, end - i, out);
        else
            b64_encode(p + i, end - i, 0, out);
        buf_append(out, "?=", 2);
        col += EW_OVERHEAD + (q ? q_len(p + i, end - i) : b_len(end - i));
        i = end;
        if (i < n) {
            buf_append(out, "\r\n ", 3);
            col = 1;
        }
    }
    return col;
}

/*
 * Append ASCII text folded at spaces (before a space, which then starts the
 * continuation line).  Returns false, appending nothing, if some line would
 * still be longer than 78 or the text could be taken for encoded words.
 */
static bool
fold_ascii(const char *p, size_t n, size_t col, struct buf *out)
{
    size_t start = out->len;
    size_t i = 0;

    for (i = 0; i < n; i++) {
        if ((unsigned char)p[i] >= 0x80 || (p[i] == '=' && i + 1 < n &&
                                            p[i + 1] == '?'))
            return false;
    }
    i = 0;
    while (i < n) {
        size_t j = i;
        size_t k;

        while (j < n && p[j] == ' ')
            j++;
        k = j;
        while (k < n && p[k] != ' ')
            k++;
        if (i > 0 && k > j && col + (k - i) > HDR_FOLD) {
            buf_append(out, "\r\n", 2);
            col = 0;
        }
        if (col + (k - i) > HDR_FOLD) {
            buf_truncate(out, start);
            return false;
        }
        buf_append(out, p + i, k - i);
        col += k - i;
        i = k;
    }
    return true;
}

void
mime_encode_unstructured(const char *value, size_t name_len, struct buf *out)
{
    struct buf clean = BUF_INIT;

    if (value == NULL)
        return;
    mime_clean_header(value, strlen(value), &clean);
    if (!fold_ascii(clean.data, clean.len, name_len, out))
        encode_words(clean.data, clean.len, name_len, out);
    buf_release(&clean);
}

/* Display names are one line of words: trim, and one space between. */
static void
squeeze_spaces(struct buf *b)
{
    size_t j = 0;
    size_t i;

    for (i = 0; i < b->len; i++) {
        if (b->data[i] == ' ' && (j == 0 || b->data[j - 1] == ' '))
            continue;
        b->data[j++] = b->data[i];
    }
    if (j > 0 && b->data[j - 1] == ' ')
        j--;
    buf_truncate(b, j);
}

/* How a squeezed display name can go out as it is: 0 it cannot (encode
 * it), 1 as a phrase of atoms, 2 as a quoted-string. */
static int
name_form(const char *p, size_t n)
{
    bool atoms = true;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80)
            return 0;
        if (c != ' ' && !mime_is_atext(c))
            atoms = false;
    }
    if (strstr(p, "=?") != NULL)
        return 0;
    return atoms ? 1 : 2;
}

static void
quote_name(const char *p, size_t n, struct buf *out)
{
    size_t i;

    buf_append_char(out, '"');
    for (i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            buf_append_char(out, '\\');
        buf_append_char(out, p[i]);
    }
    buf_append_char(out, '"');
}

void
mime_encode_mailbox(const char *name, const char *addr, size_t name_len,
                    struct buf *out)
{
    struct buf clean = BUF_INIT;
    struct buf form = BUF_INIT;
    struct buf a = BUF_INIT;
    size_t col = name_len;
    int kind;

    mime_clean_header(addr, strlen(addr), &a);
    if (name != NULL)
        mime_clean_header(name, strlen(name), &clean);
    squeeze_spaces(&clean);
    if (clean.len == 0) {
        buf_append(out, a.data, a.len);
        goto out;
    }
    kind = name_form(clean.data, clean.len);
    if (kind == 1)
        buf_append(&form, clean.data, clean.len);
    else if (kind == 2)
        quote_name(clean.data, clean.len, &form);
    if (kind != 0 && col + form.len <= HDR_FOLD) {
        buf_append(out, form.data, form.len);
        col += form.len;
    } else {
        col = encode_words(clean.data, clean.len, col, out);
    }
    if (col + a.len + 3 > HDR_FOLD)
        buf_append(out, "\r\n", 2);
    buf_append(out, " <", 2);
    buf_append(out, a.data, a.len);
    buf_append_char(out, '>');
out:
    buf_release(&a);
    buf_release(&form);
    buf_release(&clean);
}

void
mime_message_id(const char *unique, const char *from_addr, struct buf *out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    const char *at = from_addr != NULL ? strrchr(from_addr, '@') : NULL;
    size_t domain;
    size_t i;

    sha256_init(&ctx);
    sha256_update(&ctx, unique != NULL ? strlen(unique) : 0,
                  (const uint8_t *)(unique != NULL ? unique : ""));
    sha256_digest(&ctx, sizeof(digest), digest);
    buf_append_char(out, '<');
    for (i = 0; i < 16; i++) {
        buf_append_char(out, hex[digest[i] >> 4]);
        buf_append_char(out, hex[digest[i] & 15]);
    }
    buf_append_char(out, '@');
    domain = out->len;
    for (i = 0; at != NULL && at[1 + i] != '\0'; i++) {
        unsigned char c = (unsigned char)at[1 + i];
        if (ascii_is_alnum(c) || c == '-' || c == '.')
            buf_append_char(out, (char)c);
    }
    if (out->len == domain)
        buf_append_str(out, "localhost");
    buf_append_char(out, '>');
}

/* base64: RFC 4648 sections 4 and 5. */
#include "arctic_digest/base64.h"

#include "arctic_digest/ascii.h"

static const char std_abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
b64_encode(const char *p, size_t n, unsigned flags, struct buf *out)
{
    const char *abc = (flags & B64_URL) ? url_abc : std_abc;
    const unsigned char *s = (const unsigned char *)p;
    size_t i, k, chars;
    unsigned v;
    char *w;

    /* Written straight into room made once (MIME attachments of
     * megabytes come through here), not a character at a time. */
    if (n == 0)
        return;
    buf_grow(out, 4 * ((n + 2) / 3));
    w = out->data + out->len;
    for (i = 0; i < n; i += 3) {
        v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        chars = n - i >= 3 ? 4 : n - i + 1;
        for (k = 0; k < chars; k++)
            *w++ = abc[(v >> (18 - 6 * k)) & 63];
        for (; k < 4 && !(flags & B64_NOPAD); k++)
            *w++ = '=';
    }
    out->len = (size_t)(w - out->data);
    out->data[out->len] = '\0';
}

/* The value of c in the alphabet flags choose (both with B64_LAX), or -1. */
static int
value(unsigned char c, unsigned flags)
{
    bool url = (flags & (B64_URL | B64_LAX)) != 0;
    bool std = !(flags & B64_URL) || (flags & B64_LAX);

    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if ((std && c == '+') || (url && c == '-'))
        return 62;
    if ((std && c == '/') || (url && c == '_'))
        return 63;
    return -1;
}

int
b64_decode(const char *p, size_t n, unsigned flags, struct buf *out)
{
    unsigned long v = 0;
    unsigned bits = 0;
    size_t i;
    int d;

    if (!(flags & (B64_LAX | B64_NOPAD))) {
        if (n % 4 != 0)
            return -1;
        for (i = 0; i < 2 && n > 0 && p[n - 1] == '='; i++)
            n--;
    }
    if (!(flags & B64_LAX) && n % 4 == 1)
        return -1;
    for (i = 0; i < n; i++) {
        d = value((unsigned char)p[i], flags);
        if (d < 0 && (flags & B64_LAX) && ascii_is_space(p[i]))
            continue;
        if (d < 0 && (flags & B64_LAX))
            break;
        if (d < 0)
            return -1;
        v = ((v << 6) | (unsigned)d) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_append_char(out, (char)((v >> bits) & 0xff));
        }
    }
    if (!(flags & B64_LAX) && (v & ((1u << bits) - 1)))
        return -1;
    return 0;
}

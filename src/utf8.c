/* utf8: strict UTF-8 decoding (RFC 3629) and encoding. */
#include "arctic_digest/utf8.h"

#include <string.h>

size_t
u8_decode(const char *p, size_t n, int32_t *cp)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len, i;
    int32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* The ranges of Unicode table 3-7: the second byte's range excludes
     * overlongs (E0, F0), surrogates (ED) and values above U+10FFFF (F4). */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *cp = -1;
        return 1;
    }
    for (i = 1; i < len; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = -1;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return len;
}

uint32_t
u8_next(const char *p, size_t n, size_t *i)
{
    int32_t cp;
    size_t len = u8_decode(p + *i, n - *i, &cp);

    if (cp < 0) {
        (*i)++;
        return U8_REPLACEMENT;
    }
    *i += len;
    return (uint32_t)cp;
}

size_t
u8_len(const char *p, size_t n)
{
    int32_t cp;
    size_t len = u8_decode(p, n, &cp);

    return cp < 0 ? 1 : len;
}

size_t
u8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

void
u8_append(struct buf *b, uint32_t cp)
{
    char s[U8_MAX_LEN];

    buf_append(b, s, u8_encode(cp, s));
}

/* A word at a time: most text is ASCII. */
size_t
u8_ascii_run(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    uint64_t w;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

bool
u8_valid(const char *p, size_t n)
{
    size_t i = 0;
    int32_t cp;

    while (i < n) {
        i += u8_ascii_run(p + i, n - i);
        if (i >= n)
            break;
        i += u8_decode(p + i, n - i, &cp);
        if (cp < 0)
            return false;
    }
    return true;
}

size_t
u8_cut(const char *p, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t start = max, back;
    int32_t cp;

    if (max >= n)
        return n;
    /* Find the lead byte of the sequence max may be inside (<= 3 back). */
    for (back = 0; back < 3 && start > 0 && u8_is_cont(s[start]); back++)
        start--;
    if (start == max)
        return max;
    /* Cut before it only if it really is one valid sequence across max;
     * stray continuation bytes are characters of their own (U+FFFD). */
    if (start + u8_decode(p + start, n - start, &cp) > max && cp >= 0)
        return start;
    return max;
}

bool
u8_is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF);
}

bool
u8_is_hangul(uint32_t cp)
{
    return cp >= 0xAC00 && cp <= 0xD7A3;
}

bool
u8_is_east_asian(uint32_t cp)
{
    return u8_is_han(cp) || u8_is_hangul(cp) || (cp >= 0x3040 && cp <= 0x30FF);
}

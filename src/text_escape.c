/* text: the escapers that keep untrusted text from becoming markup. */
#include "arctic_digest/text.h"

#include <string.h>

static bool
is_ascii_punct(unsigned char c)
{
    return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

void
text_escape_markdown(const char *p, size_t n, struct buf *out)
{
    size_t i = 0, newlines, start = out->len;
    bool line_start = true;

    while (i < n) {
        unsigned char c = (unsigned char)p[i];

        if (c == '\r' || c == '\n') {
            /* Count the line breaks in this run of white space. */
            newlines = 0;
            while (i < n && (p[i] == '\r' || p[i] == '\n' || p[i] == ' ' ||
                             p[i] == '\t')) {
                if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= n ||
                                                      p[i + 1] != '\n')))
                    newlines++;
                i++;
            }
            /* Leading and trailing line breaks go: a value must not open
             * or close with a paragraph break inside its template line. */
            if (i >= n || out->len == start)
                continue;
            if (newlines >= 2) {
                buf_append_str(out, "\n\n");
                line_start = true;
            } else {
                buf_append_char(out, ' ');
            }
            continue;
        }
        if ((c == ' ' || c == '\t') && line_start) {
            i++;
            continue;
        }
        line_start = false;
        if (c >= ' ' && c != 0x7f && !is_ascii_punct(c)) {
            /* A run of bytes that stay as they are (spaces inside a line
             * among them) goes in at once. */
            size_t j = i + 1;
            while (j < n && (unsigned char)p[j] >= ' ' && p[j] != 0x7f &&
                   !is_ascii_punct((unsigned char)p[j]))
                j++;
            buf_append(out, p + i, j - i);
            i = j;
            continue;
        }
        if (is_ascii_punct(c)) {
            buf_append_char(out, '\\');
            buf_append_char(out, (char)c);
        } else { /* a tab or another control character */
            buf_append_char(out, ' ');
        }
        i++;
    }
}

void
text_escape_url(const char *p, size_t n, const char *keep, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~", c)) ||
            (c != '\0' && strchr(keep, c))) {
            buf_append_char(out, (char)c);
        } else {
            buf_append_char(out, '%');
            buf_append_char(out, hex[c >> 4]);
            buf_append_char(out, hex[c & 15]);
        }
    }
}

void
text_escape_html(const char *p, size_t n, struct buf *out)
{
    size_t i, start = 0;
    const char *rep;

    for (i = 0; i < n; i++) {
        switch (p[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(out, p + start, i - start);
        buf_append_str(out, rep);
        start = i + 1;
    }
    buf_append(out, p + start, n - start);
}

void
text_escape_header(const char *p, size_t n, struct buf *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        buf_append_char(out, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
    }
}

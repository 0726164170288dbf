#include "arctic_digest/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"

char buf_empty[1];

void
buf_init(struct buf *b)
{
    b->data = buf_empty;
    b->len = 0;
    b->cap = 0;
}

void
buf_release(struct buf *b)
{
    if (b->cap)
        free(b->data);
    buf_init(b);
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

void
buf_grow(struct buf *b, size_t n)
{
    size_t need, cap;

    if (n >= ((size_t)-1) - b->len - 1)
        xmalloc((size_t)-1); /* overflow: report as out of memory */
    need = b->len + n + 1;
    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < ((size_t)-1) / 2 ? cap * 2 : need;
    if (b->cap) {
        b->data = xrealloc(b->data, cap);
    } else {
        b->data = xmalloc(cap);
        b->data[0] = '\0';
    }
    b->cap = cap;
}

void
buf_append(struct buf *b, const char *p, size_t n)
{
    if (!n)
        return;
    buf_grow(b, n);
    memmove(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
buf_append_str(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_append_char(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}

void
buf_vappendf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    buf_grow(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void
buf_appendf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vappendf(b, fmt, ap);
    va_end(ap);
}

void
buf_truncate(struct buf *b, size_t len)
{
    if (len >= b->len)
        return;
    b->len = len;
    b->data[len] = '\0';
}

void
buf_shrink(struct buf *b)
{
    if (b->cap && b->cap > b->len + 1) {
        b->data = xrealloc(b->data, b->len + 1);
        b->cap = b->len + 1;
    }
}

char *
buf_detach(struct buf *b, size_t *len)
{
    char *p;

    if (len)
        *len = b->len;
    if (!b->cap)
        p = xstrndup("", 0);
    else
        p = b->data;
    buf_init(b);
    return p;
}

int
buf_read_file(struct buf *b, const char *path, size_t max, struct err *e)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n, start = b->len;
    int rc = 0;

    if (!f)
        return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO, errno,
                       "cannot read '%s': %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        buf_append(b, chunk, n);
        if (max && b->len - start > max) {
            rc = err_set(e, ERR_DATA, 0, "'%s' is larger than %zu bytes",
                         path, max);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = err_set(e, ERR_IO, errno, "cannot read '%s': %s", path,
                     strerror(errno));
    fclose(f);
    return rc;
}

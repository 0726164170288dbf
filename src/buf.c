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

void
buf_list_add(struct buf_list *l, const char *p, size_t n)
{
    struct buf_range *last = l->n ? &l->v[l->n - 1] : NULL;

    if (!n)
        return;
    l->len += n;
    /* Bytes that follow the last range in memory extend it. */
    if (last && last->data + last->len == p) {
        last->len += n;
        return;
    }
    xgrow(&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
    l->v[l->n].data = p;
    l->v[l->n].len = n;
    l->n++;
}

const char *
buf_list_own(struct buf_list *l, struct buf *b)
{
    struct buf spare;
    size_t k;

    if (l->nown == l->own_alloc) {
        xgrow(&l->own, &l->own_alloc, l->nown + 1, sizeof(*l->own));
        for (k = l->nown; k < l->own_alloc; k++)
            buf_init(&l->own[k]);
    }
    /* Swap: b gets the memory of a buffer an earlier use left behind. */
    spare = l->own[l->nown];
    l->own[l->nown] = *b;
    *b = spare;
    buf_reset(b);
    return l->own[l->nown++].data;
}

void
buf_list_add_own(struct buf_list *l, struct buf *b)
{
    size_t n = b->len;
    const char *p = buf_list_own(l, b);

    buf_list_add(l, p, n);
}

void
buf_list_reset(struct buf_list *l)
{
    size_t k;

    for (k = 0; k < l->nown; k++)
        buf_reset(&l->own[k]);
    l->nown = 0;
    l->n = 0;
    l->len = 0;
}

void
buf_list_release(struct buf_list *l)
{
    size_t k;

    for (k = 0; k < l->own_alloc; k++)
        buf_release(&l->own[k]);
    free(l->own);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void
buf_list_join(const struct buf_list *l, struct buf *out)
{
    size_t i;

    buf_grow(out, l->len);
    for (i = 0; i < l->n; i++)
        buf_append(out, l->v[i].data, l->v[i].len);
}

size_t
buf_list_read(const struct buf_list *l, struct buf_list_pos *pos, char *dst,
              size_t n)
{
    size_t done = 0;

    while (done < n && pos->i < l->n) {
        const struct buf_range *r = &l->v[pos->i];
        size_t k = r->len - pos->off;

        if (k > n - done)
            k = n - done;
        memcpy(dst + done, r->data + pos->off, k);
        done += k;
        pos->off += k;
        if (pos->off == r->len) {
            pos->i++;
            pos->off = 0;
        }
    }
    return done;
}

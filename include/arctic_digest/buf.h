/*
 * buf: the growable byte buffer, the one string builder everybody uses.
 *
 * Invariants: data is never NULL and data[len] is always '\0', so a buf can
 * go anywhere a C string can, while len stays authoritative for binary data.
 * No function here can fail (allocation failure exits, see util.h).  Never
 * keep a pointer into data across an append.
 */
#ifndef ARCTIC_DIGEST_BUF_H
#define ARCTIC_DIGEST_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "arctic_digest/err.h"

struct buf {
    char *data;
    size_t len;
    size_t cap; /* 0 while data points at the shared empty string */
};

extern char buf_empty[];
#define BUF_INIT {buf_empty, 0, 0}

void buf_init(struct buf *b);
/* Free the memory; b is back to BUF_INIT. */
void buf_release(struct buf *b);
/* Empty b, keeping its memory. */
void buf_reset(struct buf *b);
/* Make room for n more bytes. */
void buf_grow(struct buf *b, size_t n);
void buf_append(struct buf *b, const char *p, size_t n);
void buf_append_str(struct buf *b, const char *s);
/* One byte: inline, as the escapers and encoders call it per byte. */
static inline void
buf_append_char(struct buf *b, char c)
{
    if (b->len + 2 > b->cap)
        buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void buf_appendf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vappendf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Cut b to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Give back the memory past the contents (growth doubles the capacity,
 * so a large buffer kept for long may hold nearly twice its bytes). */
void buf_shrink(struct buf *b);
/*
 * Hand the bytes to the caller, who frees them; b is back to BUF_INIT.
 * If len is not NULL it receives the length.  Never returns NULL.
 */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Append the whole file at path to b: the one file reader everybody uses.
 * max (0: no limit) caps the bytes read.  Failure: -1 with ERR_NOINPUT
 * (no such file) or ERR_IO ("cannot read 'PATH': REASON"), or ERR_DATA
 * when the file is larger than max; b may then hold part of the file.
 */
int buf_read_file(struct buf *b, const char *path, size_t max, struct err *e);

/*
 * buf_list: one text made of ranges of bytes in order, most of them
 * borrowed, so that a large text shared by many (the body of a message
 * sent to each subscriber) is handed on without being copied.  A borrowed
 * range (buf_list_add) must stay valid and unchanged while the list is
 * used; the bytes of a buf given to the list (buf_list_own) belong to the
 * list and stay where they are until buf_list_reset or buf_list_release.
 * Nothing here can fail.
 */
struct buf_range {
    const char *data;
    size_t len;
};

struct buf_list {
    struct buf_range *v; /* the text, in order; no empty range */
    size_t n, alloc;
    size_t len;          /* the sum of the ranges' lengths */
    struct buf *own;     /* the bytes the list owns (own[0..nown)) */
    size_t nown, own_alloc;
};

#define BUF_LIST_INIT {NULL, 0, 0, 0, NULL, 0, 0}

/* Add the borrowed p[0..n) at the end (nothing when n is 0). */
void buf_list_add(struct buf_list *l, const char *p, size_t n);
/*
 * Keep b's bytes in l and return where they now are (valid until reset or
 * release; not added to the text: add them, once or more, with
 * buf_list_add).  b comes back empty, perhaps with memory to reuse.
 */
const char *buf_list_own(struct buf_list *l, struct buf *b);
/* buf_list_own, then add all of b's bytes at the end. */
void buf_list_add_own(struct buf_list *l, struct buf *b);
/* Empty l, keeping its memory. */
void buf_list_reset(struct buf_list *l);
/* Free the memory; l is back to BUF_LIST_INIT. */
void buf_list_release(struct buf_list *l);
/* Append the whole text to out. */
void buf_list_join(const struct buf_list *l, struct buf *out);

/* Where a reader of a buf_list is; BUF_LIST_POS_INIT is the start. */
struct buf_list_pos {
    size_t i;   /* the range */
    size_t off; /* the bytes of it already read */
};

#define BUF_LIST_POS_INIT {0, 0}

/* Copy the next at most n bytes of l's text from *pos into dst, move *pos
 * past them and return how many: 0 only at the end or for n = 0. */
size_t buf_list_read(const struct buf_list *l, struct buf_list_pos *pos,
                     char *dst, size_t n);

#endif

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
void buf_append_char(struct buf *b, char c);
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

#endif

/*
 * util: allocation that cannot fail and a few small macros.
 *
 * Our own allocations never fail: on exhaustion xmalloc() and friends log
 * "out of memory" and exit 71 (EX_OSERR).  That is safe because every state
 * change is an SQLite transaction and a rerun resumes.  Out-of-memory reported
 * by a library is an ordinary error, not this.
 */
#ifndef ARCTIC_DIGEST_UTIL_H
#define ARCTIC_DIGEST_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocate; never returns NULL.  Caller frees. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Copy a C string (NULL gives NULL) or n bytes plus a NUL.  Caller frees. */
char *xstrdup(const char *s);
char *xstrndup(const char *p, size_t n);

/*
 * Grow the array *v of *alloc elements of size elem so that it holds at
 * least need elements.  Growth is geometric.
 */
void xgrow(void *v, size_t *alloc, size_t need, size_t elem);

/* Replace *dst with a copy of src (NULL allowed), freeing the old value. */
void xstrset(char **dst, const char *src);

#endif

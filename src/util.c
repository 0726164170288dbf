#include "arctic_digest/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
oom(void)
{
    fputs("arctic-digest: error: out of memory\n", stderr);
    exit(71); /* EX_OSERR */
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

char *
xstrndup(const char *p, size_t n)
{
    char *s = xmalloc(n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *
xstrdup(const char *s)
{
    return s ? xstrndup(s, strlen(s)) : NULL;
}

void
xgrow(void *v, size_t *alloc, size_t need, size_t elem)
{
    void **vp = v;
    size_t a;

    if (need <= *alloc)
        return;
    a = *alloc ? *alloc : 4;
    while (a < need) {
        if (a > ((size_t)-1) / 2 / elem)
            oom();
        a *= 2;
    }
    *vp = xrealloc(*vp, a * elem);
    *alloc = a;
}

void
xstrset(char **dst, const char *src)
{
    char *copy = xstrdup(src);
    free(*dst);
    *dst = copy;
}

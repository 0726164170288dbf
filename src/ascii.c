/* ascii: locale-free ASCII case and comparison helpers. */
#include "arctic_digest/ascii.h"

#include <string.h>

void
ascii_lower(char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = ascii_tolower(p[i]);
}

bool
ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_tolower(*a) != ascii_tolower(*b))
            return false;
    return *a == *b;
}

bool
ascii_ieq_n(const char *p, size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] == '\0' || ascii_tolower(p[i]) != ascii_tolower(s[i]))
            return false;
    return s[n] == '\0';
}

bool
ascii_istarts(const char *p, size_t n, const char *prefix)
{
    size_t i;

    for (i = 0; prefix[i] != '\0'; i++)
        if (i == n || ascii_tolower(p[i]) != ascii_tolower(prefix[i]))
            return false;
    return true;
}

bool
ascii_ends_with(const char *p, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);

    return n >= k && memcmp(p + n - k, suffix, k) == 0;
}

uint64_t
ascii_fnv1a(const char *s, bool fold)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++) {
        h ^= (unsigned char)(fold ? ascii_tolower(*s) : *s);
        h *= 1099511628211ULL;
    }
    return h;
}

/*
 * ascii: the locale-free ASCII helpers everybody uses.
 *
 * Protocols and formats (RFC 5322 headers, HTML tag names, charset labels,
 * CSV column names, e-mail addresses, dates) compare and classify ASCII
 * bytes, whatever LC_CTYPE says: <ctype.h>, strcasecmp() and tolower() follow
 * the locale and take int values that must be EOF or an unsigned char.
 * Here every byte above 0x7F is simply not a letter, digit or space, and a
 * char may be passed as it is, signed or not.  Nothing here allocates or
 * fails.
 */
#ifndef ARCTIC_DIGEST_ASCII_H
#define ARCTIC_DIGEST_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ' ', '\t', '\n', '\v', '\f' or '\r': isspace() in the "C" locale. */
static inline bool
ascii_is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool
ascii_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool
ascii_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_is_alnum(int c)
{
    return ascii_is_alpha(c) || ascii_is_digit(c);
}

/* The value of a hex digit (either case), or -1. */
static inline int
ascii_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* c with 'A'-'Z' made 'a'-'z'; every other byte unchanged. */
static inline char
ascii_tolower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Lower-case the ASCII letters of p[0..n) in place. */
void ascii_lower(char *p, size_t n);

/* True if a and b are equal but for the case of ASCII letters. */
bool ascii_ieq(const char *a, const char *b);

/* True if p[0..n) and s are equal but for the case of ASCII letters. */
bool ascii_ieq_n(const char *p, size_t n, const char *s);

/* True if p[0..n) starts with prefix, but for the case of ASCII letters
 * (on both sides).  Reads no further than the prefix, so p need not be
 * NUL-terminated and n may be more than is read. */
bool ascii_istarts(const char *p, size_t n, const char *prefix);

/* True if p[0..n) ends with suffix, compared byte for byte. */
bool ascii_ends_with(const char *p, size_t n, const char *suffix);
/* The 64-bit FNV-1a hash of the string s, of its ASCII letters in lower
 * case when fold is true: the one hash of the hash tables of addresses
 * and links. */
uint64_t ascii_fnv1a(const char *s, bool fold);

#endif

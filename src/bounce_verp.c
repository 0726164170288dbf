/*
 * bounce: VERP envelope senders with a signed token (see bounce.h).
 */
#include "arctic_digest/bounce.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/util.h"

#define HASH_BYTES 5 /* 8 base32 characters */
#define MAC_BYTES 10 /* 16 base32 characters */
#define ISSUE_MAX 99999999

/* Lower-case base32 (RFC 4648 alphabet), n a multiple of 5 bytes. */
static void
base32(const uint8_t *p, size_t n, char *out)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    size_t i, o = 0;

    for (i = 0; i + 5 <= n; i += 5) {
        uint64_t v = (uint64_t)p[i] << 32 | (uint64_t)p[i + 1] << 24 |
                     (uint64_t)p[i + 2] << 16 | (uint64_t)p[i + 3] << 8 |
                     p[i + 4];
        int shift;
        for (shift = 35; shift >= 0; shift -= 5)
            out[o++] = alphabet[(v >> shift) & 31];
    }
    out[o] = '\0';
}

static char *
lowered(const char *address)
{
    size_t n = strlen(address);
    char *s = xstrndup(address, n);

    ascii_lower(s, n);
    return s;
}

static void
address_hash(const char *address, char out[VERP_HASH_LEN + 1])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    char *lower = lowered(address);

    sha256_init(&ctx);
    sha256_update(&ctx, strlen(lower), (const uint8_t *)lower);
    sha256_digest(&ctx, sizeof(d), d);
    free(lower);
    base32(d, HASH_BYTES, out);
}

static void
token_mac(const char *secret, size_t secret_len, int issue,
          const char *address, char out[VERP_MAC_LEN + 1])
{
    static const char domain[] = "arctic-digest-verp:";
    struct hmac_sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    char num[16];
    char *lower = lowered(address);
    int n = snprintf(num, sizeof(num), "%d:", issue);

    hmac_sha256_set_key(&ctx, secret_len, (const uint8_t *)secret);
    hmac_sha256_update(&ctx, sizeof(domain) - 1, (const uint8_t *)domain);
    hmac_sha256_update(&ctx, (size_t)n, (const uint8_t *)num);
    hmac_sha256_update(&ctx, strlen(lower), (const uint8_t *)lower);
    hmac_sha256_digest(&ctx, sizeof(d), d);
    free(lower);
    base32(d, MAC_BYTES, out);
}

void
verp_make(const char *envelope_from, const char *secret, size_t secret_len,
          int issue, const char *address, struct buf *out)
{
    const char *at = strrchr(envelope_from, '@');
    char hash[VERP_HASH_LEN + 1], mac[VERP_MAC_LEN + 1];

    address_hash(address, hash);
    token_mac(secret, secret_len, issue, address, mac);
    if (!at)
        at = envelope_from + strlen(envelope_from);
    buf_append(out, envelope_from, (size_t)(at - envelope_from));
    buf_appendf(out, "+%d-%s-%s%s", issue, hash, mac, at);
}

static bool
is_base32(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = ascii_tolower(p[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            return false;
    }
    return true;
}

bool
verp_token_parse(const char *addr, struct verp_token *t)
{
    const char *at = strrchr(addr, '@');
    const char *plus, *p;
    long issue = 0;

    memset(t, 0, sizeof(*t));
    if (!at)
        return false;
    /* The token is the last '+' part of the local part. */
    for (plus = at; plus > addr && plus[-1] != '+'; plus--)
        ;
    if (plus == addr)
        return false;
    p = plus;
    if (*p < '1' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9' && issue <= ISSUE_MAX)
        issue = issue * 10 + (*p++ - '0');
    if (issue > ISSUE_MAX || *p++ != '-')
        return false;
    if (at - p != VERP_HASH_LEN + 1 + VERP_MAC_LEN ||
        p[VERP_HASH_LEN] != '-' || !is_base32(p, VERP_HASH_LEN) ||
        !is_base32(p + VERP_HASH_LEN + 1, VERP_MAC_LEN))
        return false;
    t->issue = (int)issue;
    memcpy(t->hash, p, VERP_HASH_LEN);
    memcpy(t->mac, p + VERP_HASH_LEN + 1, VERP_MAC_LEN);
    ascii_lower(t->hash, VERP_HASH_LEN);
    ascii_lower(t->mac, VERP_MAC_LEN);
    return true;
}

bool
verp_token_names(const struct verp_token *t, const char *address)
{
    char hash[VERP_HASH_LEN + 1];

    address_hash(address, hash);
    return !memcmp(hash, t->hash, VERP_HASH_LEN);
}

bool
verp_token_verify(const struct verp_token *t, const char *secret,
                  size_t secret_len, const char *address)
{
    char mac[VERP_MAC_LEN + 1];

    if (!secret_len || !verp_token_names(t, address))
        return false;
    token_mac(secret, secret_len, t->issue, address, mac);
    return memeql_sec(mac, t->mac, VERP_MAC_LEN) != 0;
}

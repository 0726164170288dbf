/*
 * subscribers: unsubscribe tokens (HMAC-SHA256, RFC 2104 / RFC 6234, in
 * base64url, RFC 4648 section 5, without padding) and the secret file.
 */
#include "arctic_digest/subscribers.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/base64.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

#define MAC_LEN 16
#define TOKEN_MAX 1024
#define SECRET_MAX 4096
#define TOKEN_B64 (B64_URL | B64_NOPAD) /* base64url without padding */
#define UNSUBSCRIBE_DOMAIN "arctic-digest-unsubscribe:"

static void
mac(const char *domain, const char *secret, size_t secret_len,
    const char *p, size_t n, uint8_t digest[SHA256_DIGEST_SIZE])
{
    struct hmac_sha256_ctx ctx;
    char *lower = xstrndup(p, n);

    ascii_lower(lower, n);
    hmac_sha256_set_key(&ctx, secret_len, (const uint8_t *)secret);
    hmac_sha256_update(&ctx, strlen(domain), (const uint8_t *)domain);
    hmac_sha256_update(&ctx, n, (const uint8_t *)lower);
    hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
    free(lower);
}

void
subs_signed_make(const char *domain, const char *secret, size_t secret_len,
                 const char *payload, size_t n, struct buf *out)
{
    uint8_t digest[SHA256_DIGEST_SIZE];

    mac(domain, secret, secret_len, payload, n, digest);
    b64_encode(payload, n, TOKEN_B64, out);
    buf_append_char(out, '.');
    b64_encode((const char *)digest, MAC_LEN, TOKEN_B64, out);
}

int
subs_signed_split(const char *token, struct buf *payload, struct buf *got)
{
    const char *dot = strchr(token, '.');
    size_t n = strlen(token);

    if (n > TOKEN_MAX || !dot || dot == token ||
        b64_decode(token, (size_t)(dot - token), TOKEN_B64, payload) < 0 ||
        b64_decode(dot + 1, (size_t)(token + n - dot - 1), TOKEN_B64, got) <
            0 ||
        got->len != MAC_LEN || memchr(payload->data, '\0', payload->len))
        return -1;
    return 0;
}

bool
subs_signed_verify(const char *domain, const char *secret, size_t secret_len,
                   const struct buf *payload, const struct buf *got)
{
    uint8_t digest[SHA256_DIGEST_SIZE];

    mac(domain, secret, secret_len, payload->data, payload->len, digest);
    return memeql_sec(digest, got->data, MAC_LEN) != 0;
}

int
subs_token_make(const char *secret, size_t secret_len, const char *email,
                struct buf *out)
{
    if (secret_len == 0)
        return -1;
    subs_signed_make(UNSUBSCRIBE_DOMAIN, secret, secret_len, email,
                     strlen(email), out);
    return 0;
}

int
subs_token_check(const char *secret, size_t secret_len, const char *token,
                 char **email, struct err *e)
{
    struct buf addr = BUF_INIT, got = BUF_INIT;
    int rc = -1;

    if (secret_len == 0) {
        err_set(e, ERR_CONFIG, 0, "the unsubscribe secret is empty");
        goto out;
    }
    if (subs_signed_split(token, &addr, &got) < 0) {
        err_set(e, ERR_DATA, 0, "malformed unsubscribe token");
        goto out;
    }
    if (!subs_signed_verify(UNSUBSCRIBE_DOMAIN, secret, secret_len, &addr,
                            &got)) {
        err_set(e, ERR_DATA, 0, "unsubscribe token refused: forged or "
                                "altered");
        goto out;
    }
    *email = buf_detach(&addr, NULL);
    rc = 0;
out:
    buf_release(&addr);
    buf_release(&got);
    return rc;
}

int
subs_read_secret(const char *path, const char *what, struct buf *out,
                 struct err *e)
{
    struct stat st;
    char chunk[SECRET_MAX + 1];
    ssize_t got;
    size_t n;
    int fd, rc = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_CONFIG, errno,
                       "cannot read %s '%s': %s", what, path,
                       strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        err_set(e, ERR_CONFIG, 0, "%s '%s': not a file", what, path);
        goto out;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        err_set(e, ERR_CONFIG, 0,
                "%s '%s' is readable by group or others "
                "(mode %03o): run chmod 600 '%s'",
                what, path, (unsigned)(st.st_mode & 0777), path);
        goto out;
    }
    do
        got = read(fd, chunk, sizeof(chunk));
    while (got < 0 && errno == EINTR);
    if (got < 0 || got > SECRET_MAX) {
        err_set(e, ERR_CONFIG, got < 0 ? errno : 0,
                "%s '%s': %s", what, path,
                got < 0 ? strerror(errno) : "longer than 4096 bytes");
        goto out;
    }
    n = (size_t)got;
    if (n > 0 && chunk[n - 1] == '\n')
        n--;
    if (n > 0 && chunk[n - 1] == '\r')
        n--;
    if (n == 0) {
        err_set(e, ERR_CONFIG, 0, "%s '%s' is empty", what, path);
        goto out;
    }
    buf_append(out, chunk, n);
    rc = 0;
out:
    memset(chunk, 0, sizeof(chunk));
    close(fd);
    return rc;
}

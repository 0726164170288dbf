/*
 * libFuzzer target: the subscriber list (subs_parse(), then subs_check(),
 * subs_addr_check() on every address, and both serialisers), the same
 * bytes as an export merged by subs_import(), as an unsubscribe token,
 * and as one address: whatever subs_addr_check() accepts, mime_build()
 * must take as a To address (nothing the list accepts is refused at
 * send).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/mime.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char header[] =
    "email,name,status,tags,subscribed_at,unsubscribed_at\n"
    "a@example.org,A,active,ice,2025-01-01T00:00:00Z,\n";

/* Abort unless mime_build() takes to (NUL-terminated) as its To. */
static void
assert_sendable(const char *to)
{
    struct mime_message m;
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    memset(&m, 0, sizeof(m));
    m.from_addr = "digest@arctic.example.org";
    m.to_addr = to;
    m.subject = "Arctic Digest";
    m.message_id = "<1@arctic.example.org>";
    m.text = "Hello\n";
    m.text_len = 6;
    m.boundary_seed = "seed";
    if (mime_build(&m, &out, &e) != 0)
        abort();
    buf_release(&out);
}

static void
fuzz_list(const char *p, size_t n)
{
    struct subs_list l;
    struct subs_problems probs = {NULL, 0, 0};
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    if (subs_parse(&l, p, n, &e) < 0)
        return;
    for (size_t i = 0; i < l.n; i++) {
        const char *a = l.v[i].email;

        if (subs_addr_check(a, strlen(a), &e) == 0)
            assert_sendable(a);
    }
    subs_check(&l, &probs);
    subs_format(&l, &out);
    subs_format_export(&l, NULL, NULL, &out);
    subs_problems_release(&probs);
    buf_release(&out);
    subs_list_release(&l);
}

static void
fuzz_import(const char *p, size_t n)
{
    struct subs_list l;
    struct subs_import_report r;
    struct err e = ERR_INIT;

    if (subs_parse(&l, header, sizeof(header) - 1, &e) < 0)
        abort();
    memset(&r, 0, sizeof(r));
    subs_import(&l, p, n, NULL, "2025-06-01T00:00:00Z", &r, &e);
    subs_problems_release(&r.problems);
    subs_list_release(&l);
}

/* The input as one address: the list's verdict holds at send. */
static void
fuzz_addr(const char *p, size_t n)
{
    char *a;

    if (subs_addr_check(p, n, NULL) < 0)
        return;
    a = xstrndup(p, n);
    assert_sendable(a);
    free(a);
}

static void
fuzz_token(const char *p, size_t n)
{
    char *token = xstrndup(p, n), *email = NULL;
    struct err e = ERR_INIT;

    if (subs_token_check("secret", 6, token, &email, &e) == 0)
        free(email);
    free(token);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;

    fuzz_list(p, size);
    fuzz_import(p, size);
    fuzz_addr(p, size);
    fuzz_token(p, size);
    return 0;
}

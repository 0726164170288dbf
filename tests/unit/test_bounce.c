/*
 * bounce: VERP tokens (made, read back, forged) and the bounce corpus of
 * real messages in tests/data/bounces/ (each with the recipients, status
 * and action expected.tsv gives, read from the raw messages by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/bounce.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/fsutil.h"

static const char secret[] = "0123456789abcdef0123456789abcdef";

static void
make(int issue, const char *address, struct buf *out)
{
    buf_reset(out);
    verp_make("bounces@lists.example.org", secret, sizeof(secret) - 1, issue,
              address, out);
}

static void
test_verp_round_trip(void **state)
{
    struct buf b = BUF_INIT;
    struct verp_token t;
    const char *at;

    (void)state;
    make(12, "Ann.Smith@Example.ORG", &b);
    assert_true(!strncmp(b.data, "bounces+12-", 11));
    at = strchr(b.data, '@');
    assert_string_equal(at, "@lists.example.org");
    /* RFC 5321: a local part of at most 64 octets. */
    assert_true(at - b.data <= 64);
    assert_true(verp_token_parse(b.data, &t));
    assert_int_equal(t.issue, 12);
    /* Addresses compare without case, as the ledger does. */
    assert_true(verp_token_verify(&t, secret, sizeof(secret) - 1,
                                  "ann.smith@example.org"));
    assert_true(verp_token_names(&t, "ANN.SMITH@example.org"));
    /* A mail system that upper-cases the local part changes nothing. */
    for (char *p = b.data; p < at; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    assert_true(verp_token_parse(b.data, &t));
    assert_true(verp_token_verify(&t, secret, sizeof(secret) - 1,
                                  "ann.smith@example.org"));
    /* The same address in another issue gets another token. */
    {
        struct buf c = BUF_INIT;
        make(13, "ann.smith@example.org", &c);
        make(12, "ann.smith@example.org", &b);
        assert_string_not_equal(b.data, c.data);
        buf_release(&c);
    }
    buf_release(&b);
}

/* A bounce cannot name someone else, another issue, or be made without
 * the secret. */
static void
test_verp_forged_token_is_refused(void **state)
{
    struct buf b = BUF_INIT;
    struct verp_token t;
    char *p;

    (void)state;
    make(3, "victim@example.net", &b);
    assert_true(verp_token_parse(b.data, &t));
    assert_false(verp_token_verify(&t, "another secret", 14,
                                   "victim@example.net"));
    assert_false(verp_token_verify(&t, secret, 0, "victim@example.net"));
    assert_false(verp_token_verify(&t, secret, sizeof(secret) - 1,
                                   "other@example.net"));
    /* Another issue number with the same MAC. */
    t.issue = 4;
    assert_false(verp_token_verify(&t, secret, sizeof(secret) - 1,
                                   "victim@example.net"));
    /* One character of the MAC changed. */
    p = strchr(b.data, '@') - 1;
    *p = *p == 'a' ? 'b' : 'a';
    assert_true(verp_token_parse(b.data, &t));
    assert_false(verp_token_verify(&t, secret, sizeof(secret) - 1,
                                   "victim@example.net"));
    buf_release(&b);
}

static void
test_verp_malformed_tokens(void **state)
{
    static const char *const bad[] = {
        "bounces@lists.example.org",
        "bounces+@lists.example.org",
        "bounces+12@lists.example.org",
        "bounces+0-aaaaaaaa-aaaaaaaaaaaaaaaa@x.org",      /* issue 0 */
        "bounces+012-aaaaaaaa-aaaaaaaaaaaaaaaa@x.org",    /* leading 0 */
        "bounces+12-aaaaaaa-aaaaaaaaaaaaaaaa@x.org",      /* short hash */
        "bounces+12-aaaaaaaa-aaaaaaaaaaaaaaa@x.org",      /* short MAC */
        "bounces+12-aaaaaaaa-aaaaaaaaaaaaaaaaa@x.org",    /* long MAC */
        "bounces+12-aaaaaaa1-aaaaaaaaaaaaaaaa@x.org",     /* not base32 */
        "bounces+12-aaaaaaaa_aaaaaaaaaaaaaaaa@x.org",
        "bounces+99999999999-aaaaaaaa-aaaaaaaaaaaaaaaa@x.org",
        "bounces+12-aaaaaaaa-aaaaaaaaaaaaaaaa",           /* no domain */
        "",
    };
    struct verp_token t;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(verp_token_parse(bad[i], &t));
    assert_true(
        verp_token_parse("a+b+7-abcdefgh-abcdefgh23456723@x.org", &t));
    assert_int_equal(t.issue, 7);
}

/* ---- the corpus ------------------------------------------------------ */

static char *
corpus_path(const char *name)
{
    const char *fx = getenv("AD_FIXTURES");
    struct buf b = BUF_INIT;

    buf_appendf(&b, "%s/../data/bounces/%s", fx ? fx : "tests/fixtures",
                name);
    return buf_detach(&b, NULL);
}

static char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t r;

    if (!f)
        fail_msg("cannot open %s", path);
    while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, r);
    fclose(f);
    *n = b.len;
    buf_append_char(&b, '\0');
    return buf_detach(&b, NULL);
}

/* One row of expected.tsv. */
struct row {
    char file[256], kind[32], rcpt[256], status[16], action[16];
};

static bool
read_row(FILE *f, struct row *r)
{
    char line[1024];
    char *fields[5];
    char *p;
    int n = 0;

    if (!fgets(line, sizeof(line), f))
        return false;
    line[strcspn(line, "\r\n")] = '\0';
    p = line;
    while (n < 5) {
        fields[n++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p++ = '\0';
    }
    assert_int_equal(n, 5);
    snprintf(r->file, sizeof(r->file), "%s", fields[0]);
    snprintf(r->kind, sizeof(r->kind), "%s", fields[1]);
    snprintf(r->rcpt, sizeof(r->rcpt), "%s", fields[2]);
    snprintf(r->status, sizeof(r->status), "%s", fields[3]);
    snprintf(r->action, sizeof(r->action), "%s", fields[4]);
    return true;
}

static void
check_rows(const char *file, const struct row *rows, size_t nrows)
{
    char *path = corpus_path(file);
    struct bounce b;
    struct err e = ERR_INIT;
    size_t len;
    char *msg = slurp(path, &len);

    if (bounce_parse(msg, len, &b, &e) < 0)
        fail_msg("%s: %s", file, e.msg);
    if (!strcmp(rows[0].kind, "notbounce")) {
        if (b.nrcpts)
            fail_msg("%s: not a bounce, but read as %s for %s", file,
                     bounce_kind_name(b.kind), b.rcpts[0].address);
    } else {
        if (strcmp(bounce_kind_name(b.kind), rows[0].kind))
            fail_msg("%s: kind %s, expected %s", file,
                     bounce_kind_name(b.kind), rows[0].kind);
        if (b.nrcpts != nrows)
            fail_msg("%s: %zu recipients, expected %zu", file, b.nrcpts,
                     nrows);
        for (size_t i = 0; i < nrows; i++) {
            const struct bounce_rcpt *r = NULL;
            /* expected.tsv writes "arf" as the status of a complaint */
            const char *want = strcmp(rows[i].status, "arf")
                                   ? rows[i].status
                                   : "";
            for (size_t k = 0; k < b.nrcpts; k++)
                if (!strcmp(b.rcpts[k].address, rows[i].rcpt))
                    r = &b.rcpts[k];
            if (!r)
                fail_msg("%s: %s not found (first: %s)", file, rows[i].rcpt,
                         b.rcpts[0].address);
            if (strcmp(r->status, want))
                fail_msg("%s: %s: status '%s', expected '%s'", file,
                         rows[i].rcpt, r->status, want);
            if (strcmp(bounce_action_name(r->action), rows[i].action))
                fail_msg("%s: %s: action %s, expected %s", file,
                         rows[i].rcpt, bounce_action_name(r->action),
                         rows[i].action);
        }
    }
    bounce_free(&b);
    free(msg);
    free(path);
}

static void
test_bounce_corpus(void **state)
{
    char *path = corpus_path("expected.tsv");
    FILE *f = fopen(path, "r");
    struct row rows[BOUNCE_MAX_RCPTS], r;
    size_t n = 0, files = 0;
    char line[1024];

    (void)state;
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f)); /* the header */
    while (read_row(f, &r)) {
        if (n && strcmp(rows[0].file, r.file)) {
            check_rows(rows[0].file, rows, n);
            files++;
            n = 0;
        }
        assert_true(n < BOUNCE_MAX_RCPTS);
        rows[n++] = r;
    }
    if (n) {
        check_rows(rows[0].file, rows, n);
        files++;
    }
    fclose(f);
    free(path);
    /* The corpus is there (a test that reads nothing proves nothing). */
    assert_true(files >= 60);
}

/* Bounces sent to a VERP address: the token is found in the envelope
 * recipient fields and To, lower-cased. */
static void
test_bounce_envelope_addresses(void **state)
{
    static const char msg[] =
        "X-Original-To: Bounces+3-ABCDEFGH-abcdefgh23456723@Lists.Example.org\r\n"
        "Delivered-To: bounces@lists.example.org\r\n"
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
        "To: bounces+3-abcdefgh-abcdefgh23456723@lists.example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <20261205.ABC@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        "\tboundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail system\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.net\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>:\r\n"
        "    Recipient address rejected: User unknown\r\n\r\n"
        "--b--\r\n";
    struct bounce b;
    struct err e = ERR_INIT;

    (void)state;
    assert_int_equal(bounce_parse(msg, sizeof(msg) - 1, &b, &e), 0);
    assert_int_equal(b.kind, BOUNCE_DSN);
    assert_int_equal(b.nto, 2);
    assert_string_equal(b.to[0],
                        "bounces+3-abcdefgh-abcdefgh23456723@lists.example.org");
    assert_string_equal(b.to[1], "bounces@lists.example.org");
    assert_string_equal(b.message_id, "20261205.ABC@mx.example.net");
    assert_int_equal(b.nrcpts, 1);
    assert_string_equal(b.rcpts[0].address, "gone@example.net");
    assert_string_equal(b.rcpts[0].status, "5.1.1");
    assert_string_equal(b.rcpts[0].diagnostic,
                        "550 5.1.1 <gone@example.net>: Recipient address "
                        "rejected: User unknown");
    bounce_free(&b);
    assert_int_equal(bounce_parse("", 0, &b, &e), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verp_round_trip),
        cmocka_unit_test(test_verp_forged_token_is_refused),
        cmocka_unit_test(test_verp_malformed_tokens),
        cmocka_unit_test(test_bounce_corpus),
        cmocka_unit_test(test_bounce_envelope_addresses),
    };

    return cmocka_run_group_tests_name("bounce", tests, NULL, NULL);
}

/*
 * subscribers, sign-up with double opt-in (subscribers_optin.c): its own
 * program beside test_subscribers.c, so that it can change while the list
 * reader does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/subscribers.h"
#include "unit_files.h"

#define SECRET "a test secret"
#define T0 1753686000 /* 2025-07-28T07:00:00Z */
#define DAY 86400
#define WEEK (7 * DAY)

static char list[300];

static int
setup(void **state)
{
    if (unit_dir_setup(state) < 0)
        return -1;
    snprintf(list, sizeof(list), "%s/subscribers.csv", unit_dir);
    return 0;
}

static void
token(const char *email, int64_t expires, struct buf *out)
{
    buf_reset(out);
    assert_int_equal(
        subs_confirm_token_make(SECRET, strlen(SECRET), email, expires, out),
        0);
}

static int
check(const char *tok, int64_t now, char **email, struct err *e)
{
    return subs_confirm_token_check(SECRET, strlen(SECRET), tok, now, email, e);
}

static void
test_subscribers_optin_token_round_trip_until_it_expires(void **state)
{
    struct buf t = BUF_INIT;
    struct err e = ERR_INIT;
    char *email = NULL;

    (void)state;
    token("Ada@Example.org", T0 + WEEK, &t);
    assert_int_equal(check(t.data, T0, &email, &e), 0);
    assert_string_equal(email, "Ada@Example.org");
    free(email);
    email = NULL;
    assert_int_equal(check(t.data, T0 + WEEK, &email, &e), 0);
    free(email);
    email = NULL;
    assert_int_equal(check(t.data, T0 + WEEK + 1, &email, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "expired at 2025-08-04T07:00:00Z"));
    assert_null(email);
    buf_release(&t);
}

static void
test_subscribers_optin_forged_altered_and_foreign_tokens_refused(void **state)
{
    struct buf t = BUF_INIT, other = BUF_INIT, forged = BUF_INIT;
    struct err e = ERR_INIT;
    char *email = NULL;
    const char *dot;

    (void)state;
    token("a@example.org", T0 + WEEK, &t);
    /* Another secret. */
    assert_int_equal(
        subs_confirm_token_make("other", 5, "a@example.org", T0 + WEEK, &other),
        0);
    assert_int_equal(check(other.data, T0, &email, &e), -1);
    assert_non_null(strstr(e.msg, "forged"));
    /* A later expiry under the old MAC: the expiry is signed. */
    token("a@example.org", T0 + 52 * WEEK, &other);
    dot = strchr(t.data, '.');
    buf_append(&forged, other.data,
               (size_t)(strchr(other.data, '.') - other.data));
    buf_append_str(&forged, dot);
    assert_int_equal(check(forged.data, T0, &email, &e), -1);
    assert_non_null(strstr(e.msg, "forged"));
    /* An unsubscribe token of the same address and secret. */
    buf_reset(&other);
    subs_token_make(SECRET, strlen(SECRET), "a@example.org", &other);
    assert_int_equal(check(other.data, T0, &email, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    /* Garbage. */
    assert_int_equal(check("", T0, &email, &e), -1);
    assert_int_equal(check("abc.def", T0, &email, &e), -1);
    assert_null(email);
    buf_release(&t);
    buf_release(&other);
    buf_release(&forged);
}

static struct subs_optin
request(const char *email, int64_t now, const char *now_text)
{
    struct subs_optin o;

    memset(&o, 0, sizeof(o));
    o.email = email;
    o.now = now;
    o.now_text = now_text;
    o.valid_seconds = WEEK;
    return o;
}

static const char *
status_of(const char *email)
{
    static char status[32];
    struct subs_list l;
    struct err e = ERR_INIT;
    const struct subs_entry *s;

    assert_int_equal(subs_load(&l, list, &e), 0);
    s = subs_find(&l, email);
    snprintf(status, sizeof(status), "%s", s ? s->status : "(none)");
    subs_list_release(&l);
    return status;
}

static void
test_subscribers_optin_pending_rate_limited_confirmed(void **state)
{
    struct subs_optin o = request("b@example.org", T0, "2025-07-28T07:00:00Z");
    struct subs_optin_result r;
    struct err e = ERR_INIT;
    bool already = true;

    (void)state;
    unlink(list);
    o.name = "Bea";
    o.tags = "security";
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    assert_int_equal(r.kind, SUBS_OPTIN_NEW);
    subs_optin_result_release(&r);
    assert_string_equal(status_of("b@example.org"), "pending");
    /* A second mail the same day: refused, temporary. */
    o = request("B@example.org", T0 + DAY - 1, "2025-07-29T06:59:59Z");
    assert_int_equal(subs_optin_request(list, &o, &r, &e), -1);
    assert_int_equal(e.code, ERR_TEMP);
    assert_non_null(strstr(e.msg, "2025-07-29T07:00:00Z"));
    /* A day later: another, and the undo gives the old stamp back. */
    o = request("b@example.org", T0 + DAY, "2025-07-29T07:00:00Z");
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    assert_int_equal(r.kind, SUBS_OPTIN_AGAIN);
    assert_string_equal(r.prev_stamp, "2025-07-28T07:00:00Z");
    assert_int_equal(subs_optin_undo(list, &o, &r, &e), 0);
    subs_optin_result_release(&r);
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    subs_optin_result_release(&r);
    /* Confirmed: active; again: already. */
    assert_int_equal(subs_optin_confirm(list, "b@EXAMPLE.org",
                                        "2025-07-30T00:00:00Z", &already, &e),
                     0);
    assert_false(already);
    assert_string_equal(status_of("b@example.org"), "active");
    assert_int_equal(subs_optin_confirm(list, "b@example.org",
                                        "2025-07-30T00:00:00Z", &already, &e),
                     0);
    assert_true(already);
    /* An active address is left as it is. */
    o = request("b@example.org", T0 + 3 * DAY, "2025-07-31T07:00:00Z");
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    assert_int_equal(r.kind, SUBS_OPTIN_ALREADY_ACTIVE);
    subs_optin_result_release(&r);
    assert_string_equal(status_of("b@example.org"), "active");
}

static void
test_subscribers_optin_new_undo_and_expiry(void **state)
{
    struct subs_optin o = request("c@example.org", T0, "2025-07-28T07:00:00Z");
    struct subs_optin_result r;
    struct err e = ERR_INIT;
    size_t n = 99;
    bool already;

    (void)state;
    unlink(list);
    assert_int_equal(subs_optin_expire(list, T0, WEEK, &n, &e), 0);
    assert_int_equal(n, 0); /* no file: nothing to do */
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    assert_int_equal(subs_optin_undo(list, &o, &r, &e), 0);
    subs_optin_result_release(&r);
    assert_string_equal(status_of("c@example.org"), "(none)");
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    subs_optin_result_release(&r);
    o = request("d@example.org", T0 + 2 * DAY, "2025-07-30T07:00:00Z");
    assert_int_equal(subs_optin_request(list, &o, &r, &e), 0);
    subs_optin_result_release(&r);
    /* A week after c's mail: c still there; a second later: gone. */
    assert_int_equal(subs_optin_expire(list, T0 + WEEK, WEEK, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(subs_optin_expire(list, T0 + WEEK + 1, WEEK, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(status_of("c@example.org"), "(none)");
    assert_string_equal(status_of("d@example.org"), "pending");
    assert_int_equal(subs_optin_confirm(list, "c@example.org",
                                        "2025-08-05T00:00:00Z", &already, &e),
                     -1);
    assert_int_equal(e.code, ERR_DATA);
}

static void
test_subscribers_optin_refusals(void **state)
{
    struct subs_optin o = request("not an address", T0, "2025-07-28T07:00:00Z");
    struct subs_optin_result r;
    struct err e = ERR_INIT;

    (void)state;
    unlink(list);
    assert_int_equal(subs_optin_request(list, &o, &r, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_int_equal(access(list, F_OK), -1); /* nothing written */
    o = request("e@example.org", T0, "2025-07-28T07:00:00Z");
    o.name = "Eve\nBcc: x@example.org";
    assert_int_equal(subs_optin_request(list, &o, &r, &e), -1);
    assert_non_null(strstr(e.msg, "control character"));
    unit_write_text(list,
                    "email,name,status,tags,subscribed_at,"
                    "unsubscribed_at\n"
                    "e@example.org,,unsubscribed,,,2025-01-01T00:00:00Z\n");
    o.name = NULL;
    assert_int_equal(subs_optin_request(list, &o, &r, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "unsubscribed"));
    assert_string_equal(status_of("e@example.org"), "unsubscribed");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_subscribers_optin_token_round_trip_until_it_expires),
        cmocka_unit_test(
            test_subscribers_optin_forged_altered_and_foreign_tokens_refused),
        cmocka_unit_test(test_subscribers_optin_pending_rate_limited_confirmed),
        cmocka_unit_test(test_subscribers_optin_new_undo_and_expiry),
        cmocka_unit_test(test_subscribers_optin_refusals),
    };
    return cmocka_run_group_tests_name("subscribers_optin", tests, setup,
                                       unit_dir_teardown);
}

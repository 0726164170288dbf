#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/mime.h"
#include "arctic_digest/subscribers.h"
#include "subscribers_int.h"
#include "unit_files.h"

static void
parse_ok(const char *text, struct subs_list *l)
{
    struct err e = ERR_INIT;
    int rc = subs_parse(l, text, strlen(text), &e);
    if (rc < 0)
        fail_msg("parse failed: %s", e.msg);
}

static void
test_subscribers_parse_quoting_and_unknown_columns(void **state)
{
    const char *in =
        "email,Notes,name,status,tags,subscribed_at,unsubscribed_at,extra\n"
        "a@example.org,\"said \"\"hi\"\", twice\",\"Hauksdóttir, "
        "Guðbjörg\",active,\"security,governance\",2025-01-01T00:00:00Z,, "
        "kept \n"
        "b@example.net,\"two\nlines\",Bob,unsubscribed,,,2025-02-01,x\n";
    struct subs_list l;
    struct buf out = BUF_INIT;

    (void)state;
    parse_ok(in, &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].name, "Hauksdóttir, Guðbjörg");
    assert_int_equal(l.v[0].ntags, 2);
    assert_string_equal(l.v[0].tags[1], "governance");
    assert_int_equal(l.v[0].line, 2);
    assert_int_equal(l.v[1].line, 3);
    assert_string_equal(l.v[1].status, "unsubscribed");
    assert_false(l.crlf);
    /* Written back byte for byte: unknown columns in place, spaces kept. */
    subs_format(&l, &out);
    assert_string_equal(out.data, in);
    buf_release(&out);
    subs_list_release(&l);
}

static void
test_subscribers_parse_bom_crlf_kept(void **state)
{
    const char *in = "\xEF\xBB\xBF"
                     "email,name,status,tags,subscribed_at,unsubscribed_at\r\n"
                     "\r\n"
                     "a@example.org,Ann,,,,\r\n"
                     "B@Example.org,Bo,bounced,,,\r\n";
    struct subs_list l;
    struct buf out = BUF_INIT;

    (void)state;
    parse_ok(in, &l);
    assert_true(l.bom);
    assert_true(l.crlf);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].email, "a@example.org");
    assert_string_equal(l.v[0].status, "active"); /* empty reads as active */
    assert_int_equal(l.v[1].line, 4);
    assert_non_null(subs_find(&l, "b@EXAMPLE.org"));
    subs_format(&l, &out);
    assert_memory_equal(out.data, "\xEF\xBB\xBF"
                                  "email,name,status",
                        20);
    assert_non_null(strstr(out.data, "a@example.org,Ann,active,,,\r\n"));
    buf_release(&out);
    subs_list_release(&l);
}

static void
test_subscribers_parse_refuses_broken_csv(void **state)
{
    struct subs_list l;
    struct err e = ERR_INIT;
    const char *unclosed = "email,name\na@example.org,\"Ann\nb@example.org,B\n";
    const char *noemail = "mail,name\na@example.org,Ann\n";

    (void)state;
    assert_int_equal(subs_parse(&l, unclosed, strlen(unclosed), &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "line 2"));
    assert_int_equal(subs_parse(&l, noemail, strlen(noemail), &e), -1);
    assert_non_null(strstr(e.msg, "no 'email' column"));
    assert_int_equal(subs_parse(&l, "email\n\xff\xfe@x.org\n", 16, &e), -1);
    assert_non_null(strstr(e.msg, "UTF-8"));
}

/* One address and the verdict every door must give it.  n is its length
 * when it holds a NUL (0: strlen); why is a piece of the reason, or NULL
 * for a valid one. */
struct addr_case {
    const char *addr;
    size_t n;
    const char *why;
};

static const struct addr_case addr_cases[] = {
    /* Valid: RFC 5321/5322 dot-atoms and host names, as real lists hold. */
    {"john@example.com", 0, NULL},
    {"j.o.h.n+digest@mail.example-site.co.uk", 0, NULL},
    {"user+tag+more@example.org", 0, NULL},
    {"o'brien@example.org", 0, NULL},
    {"!#$%&'*+-/=?^_`{|}~@example.org", 0, NULL},
    {"x@a-b.c-d.example", 0, NULL},
    {"UPPER@EXAMPLE.NET", 0, NULL},
    {"x@xn--bcher-kva.example", 0, NULL},
    {"x@xn--80ak6aa92e.com", 0, NULL},
    {"1234@123.example", 0, NULL},
    {"a@b.co", 0, NULL},
    {"x@a.b.c.d.e.f.g.example", 0, NULL},
    /* Internationalised (RFC 6531): no SMTPUTF8 here, so refused. */
    {"anna@b\xc3\xbc" "cher.example", 0, "no SMTPUTF8"},
    {"j\xc3\xb3n@example.org", 0, "no SMTPUTF8"},
    {"\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf"
     "\xe5\x91\x8a",
     0, "no SMTPUTF8"},
    {"\xd0\xbf\xd0\xbe\xd1\x87\xd1\x82\xd0\xb0@example.ru", 0, "no SMTPUTF8"},
    /* Look-alikes: Cyrillic a (U+0430) in "paypal", a Greek omicron. */
    {"billing@p\xd0\xb0ypal.com", 0, "octet 10"},
    {"b\xce\xbf" "b@example.com", 0, "no SMTPUTF8"},
    {"anna@example.org\xc2\xa0", 0, "no SMTPUTF8"},
    {"\xff\xfe@example.org", 0, "no SMTPUTF8"},
    /* Quoted local parts (RFC 5322 3.2.4, RFC 3696 examples). */
    {"\"q x\"@example.org", 0, "quoted local part"},
    {"\"john..doe\"@example.org", 0, "quoted local part"},
    {"\"Abc@def\"@example.com", 0, "quoted local part"},
    {"\"\"@example.org", 0, "quoted local part"},
    {"\"john@example.com", 0, "quoted local part"},
    /* Address literals and bare IP addresses. */
    {"john@[192.0.2.1]", 0, "address literal"},
    {"john@[IPv6:2001:db8::1]", 0, "address literal"},
    {"john@192.0.2.1", 0, "is a number"},
    /* Structure. */
    {"", 0, "empty address"},
    {"john", 0, "no '@'"},
    {"john@", 0, "no domain"},
    {"@example.com", 0, "nothing before '@'"},
    {"a@b@example.com", 0, "more than one '@'"},
    {"john@example", 0, "no dot"},
    {"postmaster@localhost", 0, "no dot"},
    {"john@example.com.", 0, "empty domain label"},
    {"john@.example.com", 0, "empty domain label"},
    {"john@exa..mple.com", 0, "empty domain label"},
    {"john@-example.com", 0, "'-'"},
    {"john@example-.com", 0, "'-'"},
    {"john@exam_ple.com", 0, "'_' not allowed in a domain"},
    {"john..doe@example.com", 0, "two dots"},
    {".john@example.com", 0, "a dot starts or ends"},
    {"john.@example.com", 0, "a dot starts or ends"},
    {"john(comment)@example.com", 0, "'(' not allowed"},
    {"jane@example.com,x@example.com", 0, "more than one '@'"},
    {"John <john@example.com>", 0, "angle brackets"},
    {"<john@example.com>", 0, "angle brackets"},
    {"jo hn@example.com", 0, "white space"},
    {"john@example.com junk", 0, "white space"},
    /* Controls and NUL. */
    {"john@example.com\n", 0, "control character"},
    {"jane@example.com\r\nBcc: victim@example.com", 0, "control character"},
    {"jo\thn@example.com", 0, "control character"},
    {"jo\x7fhn@example.com", 0, "control character"},
    {"john@example.com\0evil", 21, "control character"},
    {"jo\0hn@example.com", 17, "control character"},
};

/* Addresses of exact lengths around the limits of RFC 5321 4.5.3.1. */
static void
long_addr(char *out, size_t size, size_t local, size_t label, size_t labels)
{
    size_t i, j, k = 0;

    for (i = 0; i < local && k + 1 < size; i++)
        out[k++] = 'l';
    out[k++] = '@';
    for (j = 0; j < labels; j++) {
        for (i = 0; i < label && k + 1 < size; i++)
            out[k++] = j + 1 == labels ? 'c' : 'd';
        if (j + 1 < labels)
            out[k++] = '.';
    }
    out[k] = '\0';
}

/* The list's promise: an address it accepts is never refused at send.
 * mime_build() of a minimal message to addr must succeed. */
static void
assert_sendable(const char *addr, size_t n)
{
    struct mime_message m;
    struct buf to = BUF_INIT, out = BUF_INIT;
    struct err e = ERR_INIT;

    buf_append(&to, addr, n);
    memset(&m, 0, sizeof(m));
    m.from_addr = "digest@arctic.example.org";
    m.to_addr = to.data;
    m.subject = "Arctic Digest";
    m.message_id = "<1@arctic.example.org>";
    m.text = "Hello\n";
    m.text_len = strlen(m.text);
    m.boundary_seed = "seed";
    if (mime_build(&m, &out, &e) != 0)
        fail_msg("'%s': the list accepts it, mime_build refuses: %s",
                 to.data, e.msg);
    buf_release(&out);
    buf_release(&to);
}

/* Check one case against both doors: the list's and the send's. */
static void
check_case(const char *addr, size_t n, const char *why)
{
    struct err e = ERR_INIT;
    int got = subs_addr_check(addr, n, &e);

    if (why == NULL && got != 0)
        fail_msg("refused '%s': %s", addr, e.msg);
    if (why != NULL && got != -1)
        fail_msg("accepted '%s' (should be: %s)", addr, why);
    if (why != NULL && (e.code != ERR_DATA || strstr(e.msg, why) == NULL))
        fail_msg("'%s': reason '%s', wanted '%s'", addr, e.msg, why);
    if (got == 0)
        assert_sendable(addr, n);
    /* The C-string door sees only up to a NUL: compare where it can. */
    if (memchr(addr, '\0', n) == NULL &&
        mime_addr_is_valid(addr) != (got == 0))
        fail_msg("'%s': subs_addr_check and mime_addr_is_valid disagree",
                 addr);
}

static void
test_subscribers_addr_verdicts_agree_with_mime(void **state)
{
    char addr[400];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
        const struct addr_case *c = &addr_cases[i];
        check_case(c->addr, c->n ? c->n : strlen(c->addr), c->why);
    }
    long_addr(addr, sizeof(addr), 64, 10, 2); /* local part of 64 */
    check_case(addr, strlen(addr), NULL);
    long_addr(addr, sizeof(addr), 65, 10, 2);
    check_case(addr, strlen(addr), "longer than 64 octets");
    long_addr(addr, sizeof(addr), 1, 63, 2); /* label of 63 */
    check_case(addr, strlen(addr), NULL);
    long_addr(addr, sizeof(addr), 1, 64, 2);
    check_case(addr, strlen(addr), "longer than 63 octets");
    long_addr(addr, sizeof(addr), 1, 63, 4); /* 1 + 1 + 4 * 63 + 3 = 257 */
    check_case(addr, strlen(addr), "longer than 254 octets");
    long_addr(addr, sizeof(addr), 62, 47, 4); /* 62 + 1 + 4 * 47 + 3 = 254 */
    assert_int_equal(strlen(addr), 254);
    check_case(addr, strlen(addr), NULL);
    long_addr(addr, sizeof(addr), 63, 47, 4); /* 255 */
    check_case(addr, strlen(addr), "longer than 254 octets");
}

static void
test_subscribers_check_reports_faults_with_lines(void **state)
{
    const char *in = "email,name,status,tags,subscribed_at,unsubscribed_at\n"
                     "ok@example.org,,active,,,\n"
                     "john@,,active,,,\n"
                     "OK@Example.org,,active,,,\n"
                     "x@example.net,,paused,,,\n"
                     "y@example.net,,active,,yesterday,\n"
                     "z@bücher.example,,active,,,\n"
                     "\"\"\"q x\"\"@example.org\",,active,,,\n";
    struct subs_problems p = {NULL, 0, 0};
    struct subs_list l;

    (void)state;
    parse_ok(in, &l);
    assert_int_equal(subs_check(&l, &p), 6);
    assert_int_equal(p.n, 6);
    assert_int_equal(p.v[0].line, 3);
    assert_non_null(strstr(p.v[0].msg, "john@"));
    assert_int_equal(p.v[1].line, 4);
    assert_non_null(strstr(p.v[1].msg, "first on line 2"));
    assert_int_equal(p.v[2].line, 5);
    assert_non_null(strstr(p.v[2].msg, "paused"));
    assert_int_equal(p.v[3].line, 6);
    assert_int_equal(p.v[4].line, 7);
    assert_false(p.v[4].warning);
    assert_non_null(strstr(p.v[4].msg, "no SMTPUTF8"));
    assert_int_equal(p.v[5].line, 8);
    assert_non_null(strstr(p.v[5].msg, "quoted local part"));
    subs_problems_release(&p);
    subs_list_release(&l);
}

/* Dates, column counts and the order of problems, several faults on one
 * line, and a second check appending to the same list. */
static void
test_subscribers_check_dates_columns_and_order(void **state)
{
    const char *in = "email,name,status,tags,subscribed_at,unsubscribed_at\n"
                     "a@example.org,,active,,2025-07-22,2025-08-01T10:00:00Z\n"
                     "b@example.org,,active,,,soon\n"
                     "c@example.org,,active,,,,extra\n"
                     "d@example.org,,paused,,never,\n";
    struct subs_problems p = {NULL, 0, 0};
    struct subs_list l;

    (void)state;
    parse_ok(in, &l);
    assert_int_equal(subs_check(&l, &p), 4);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.v[0].line, 3);
    assert_string_equal(p.v[0].msg, "unsubscribed_at: not a date: 'soon'");
    assert_int_equal(p.v[1].line, 4);
    assert_string_equal(p.v[1].msg, "7 fields where the header has 6");
    /* one line's problems in the order of their text */
    assert_int_equal(p.v[2].line, 5);
    assert_string_equal(p.v[2].msg, "subscribed_at: not a date: 'never'");
    assert_int_equal(p.v[3].line, 5);
    assert_non_null(strstr(p.v[3].msg, "unknown status 'paused'"));
    /* a second check appends, and sorts only what it added */
    assert_int_equal(subs_check(&l, &p), 4);
    assert_int_equal(p.n, 8);
    assert_int_equal(p.v[4].line, 3);
    assert_int_equal(p.v[7].line, 5);
    assert_string_equal(p.v[0].msg, "unsubscribed_at: not a date: 'soon'");
    subs_problems_release(&p);
    assert_null(p.v);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.alloc, 0);
    subs_list_release(&l);
    /* a duplicate (found last) on an earlier line than another fault */
    parse_ok("email,name,status,tags,subscribed_at,unsubscribed_at\n"
             "a@example.org,,active,,,\n"
             "a@example.org,,active,,,\n"
             "b@example.org,,active,,,\n"
             "c@example.org,,paused,,,\n",
             &l);
    assert_int_equal(subs_check(&l, &p), 2);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.v[0].line, 3);
    assert_int_equal(p.v[1].line, 5);
    subs_problems_release(&p);
    subs_list_release(&l);
}

static void
test_subscribers_token_round_trip(void **state)
{
    const char secret[] = "correct horse battery staple";
    struct buf t = BUF_INIT, t2 = BUF_INIT;
    struct err e = ERR_INIT;
    char *email = NULL;

    (void)state;
    assert_int_equal(subs_token_make(secret, strlen(secret),
                                     "Sigrid@Example.org", &t),
                     0);
    assert_int_equal(strspn(t.data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                    "nopqrstuvwxyz0123456789-_."),
                     t.len);
    subs_token_make(secret, strlen(secret), "Sigrid@Example.org", &t2);
    assert_string_equal(t.data, t2.data); /* deterministic */
    assert_int_equal(subs_token_check(secret, strlen(secret), t.data, &email,
                                      &e),
                     0);
    assert_string_equal(email, "Sigrid@Example.org");
    free(email);
    buf_release(&t);
    buf_release(&t2);
}

static void
test_subscribers_token_forgery_refused(void **state)
{
    const char secret[] = "correct horse battery staple";
    struct buf t = BUF_INIT, forged = BUF_INIT;
    struct err e = ERR_INIT;
    char *email = NULL, *dot;
    size_t i;

    (void)state;
    subs_token_make(secret, strlen(secret), "a@example.org", &t);
    /* Another key. */
    assert_int_equal(subs_token_check("other", 5, t.data, &email, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    /* Another address with the same MAC. */
    subs_token_make(secret, strlen(secret), "b@example.org", &forged);
    dot = strchr(t.data, '.');
    buf_truncate(&forged, (size_t)(strchr(forged.data, '.') - forged.data));
    buf_append_str(&forged, dot);
    assert_int_equal(subs_token_check(secret, strlen(secret), forged.data,
                                      &email, &e),
                     -1);
    /* Every single changed character. */
    for (i = 0; i < t.len; i++) {
        char saved = t.data[i];
        t.data[i] = saved == 'A' ? 'B' : 'A';
        if (subs_token_check(secret, strlen(secret), t.data, &email, &e) != -1)
            fail_msg("altered token accepted at %zu", i);
        t.data[i] = saved;
    }
    /* Malformed. */
    assert_int_equal(subs_token_check(secret, strlen(secret), "", &email, &e),
                     -1);
    assert_int_equal(
        subs_token_check(secret, strlen(secret), "abc", &email, &e), -1);
    assert_int_equal(subs_token_check(secret, strlen(secret), "YQ==.AAAA",
                                      &email, &e),
                     -1);
    assert_null(email);
    buf_release(&t);
    buf_release(&forged);
}

/* text into path, with exactly mode */
static void
write_file(const char *path, const char *text, mode_t mode)
{
    unit_write_file(path, text, strlen(text), mode);
}

static void
test_subscribers_secret_file_permissions(void **state)
{
    struct buf s = BUF_INIT;
    struct err e = ERR_INIT;
    char path[300];

    (void)state;
    snprintf(path, sizeof(path), "%s/key", unit_dir);
    write_file(path, "s3cret\n", 0644);
    assert_int_equal(subs_read_secret(path, "unsubscribe secret", &s, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "unsubscribe secret '"));
    write_file(path, "s3cret\n", 0600);
    assert_int_equal(subs_read_secret(path, "unsubscribe secret", &s, &e), 0);
    assert_string_equal(s.data, "s3cret");
    buf_reset(&s);
    write_file(path, "\n", 0600);
    assert_int_equal(subs_read_secret(path, "unsubscribe secret", &s, &e), -1);
    assert_non_null(strstr(e.msg, "empty"));
    snprintf(path, sizeof(path), "%s/missing", unit_dir);
    assert_int_equal(subs_read_secret(path, "unsubscribe secret", &s, &e), -1);
    assert_int_equal(e.code, ERR_NOINPUT);
    buf_release(&s);
}

static void
test_subscribers_set_status_and_load(void **state)
{
    struct subs_list l;
    struct err e = ERR_INIT;
    char path[300];

    (void)state;
    snprintf(path, sizeof(path), "%s/list.csv", unit_dir);
    write_file(path,
               "email,name,status,tags,subscribed_at,unsubscribed_at\r\n"
               "a@example.org,Ann,active,,,\r\n",
               0640);
    assert_int_equal(subs_set_status(path, "A@EXAMPLE.ORG", "bounced",
                                     "2025-07-28T07:00:00Z", &e),
                     0);
    assert_int_equal(subs_load(&l, path, &e), 0);
    assert_string_equal(l.v[0].status, "bounced");
    assert_string_equal(l.v[0].unsubscribed_at, "2025-07-28T07:00:00Z");
    assert_true(l.crlf);
    subs_list_release(&l);
    assert_int_equal(subs_set_status(path, "nobody@example.org", "bounced",
                                     "2025-07-28T07:00:00Z", &e),
                     -1);
    assert_int_equal(e.code, ERR_DATA);
    snprintf(path, sizeof(path), "%s/none.csv", unit_dir);
    assert_int_equal(subs_load(&l, path, &e), -1);
    assert_int_equal(e.code, ERR_NOINPUT);
}

static void
test_subscribers_import_never_resubscribes(void **state)
{
    const char *list = "email,name,status,tags,subscribed_at,unsubscribed_at\n"
                       "gone@example.org,,unsubscribed,,,2025-01-01\n"
                       "here@example.org,,active,,,\n";
    const char *imp = "\"Email Address\",\"First Name\",\"Last Name\","
                      "\"MEMBER_RATING\",\"OPTIN_TIME\",\"TAGS\"\n"
                      "\"GONE@example.org\",\"G\",\"One\",2,\"2024-01-01 "
                      "10:00:00\",\n"
                      "\"here@example.org\",\"Here\",\"Person\",2,,"
                      "\"\"\"Security\"\"\"\n"
                      "\"new@example.org\",\"Åse\",\"Ny\",2,\"2024-01-01 "
                      "10:00:00\",\n"
                      "\"john@\",\"J\",\"\",1,,\n";
    struct subs_import_report r;
    struct subs_list l;
    struct err e = ERR_INIT;
    struct subs_entry *s;

    (void)state;
    memset(&r, 0, sizeof(r));
    parse_ok(list, &l);
    assert_int_equal(subs_import(&l, imp, strlen(imp), NULL,
                                 "2025-07-28T07:00:00Z", &r, &e),
                     0);
    assert_string_equal(r.kind, "mailchimp");
    assert_int_equal(r.added, 1);
    assert_int_equal(r.updated, 1);
    assert_int_equal(r.suppressed, 1);
    assert_int_equal(r.invalid, 1);
    assert_string_equal(subs_find(&l, "gone@example.org")->status,
                        "unsubscribed");
    s = subs_find(&l, "here@example.org");
    assert_string_equal(s->name, "Here Person");
    assert_string_equal(s->tags[0], "Security");
    s = subs_find(&l, "new@example.org");
    assert_string_equal(s->name, "Åse Ny");
    assert_string_equal(s->subscribed_at, "2024-01-01T10:00:00Z");
    subs_problems_release(&r.problems);
    subs_list_release(&l);
}

static void
test_subscribers_export_guards_formulas_and_import_undoes_it(void **state)
{
    const char *in =
        "email,name,status,tags,subscribed_at,unsubscribed_at,Notes\n"
        "a@example.org,=cmd|' /C calc'!A0,active,,,,plain\n"
        "b@example.org,+1,active,-x,,,\tx\n"
        "c@example.org,@SUM(A1),active,,,,\"\rx\"\n"
        "d@example.org,'=x,active,,,,-5\n"
        "e@example.org,it's,active,\"a,=b\",,,''+x\n";
    struct subs_import_report r;
    struct subs_list l, back;
    struct buf out = BUF_INIT, exp = BUF_INIT;
    struct err e = ERR_INIT;
    size_t i;

    (void)state;
    parse_ok(in, &l);
    /* The list file itself is never changed. */
    subs_format(&l, &out);
    assert_string_equal(out.data, in);
    subs_format_export(&l, NULL, NULL, &exp);
    assert_non_null(strstr(exp.data, "a@example.org,\"'=cmd|' /C "
                                     "calc'!A0\",active,,,,plain\r\n"));
    assert_non_null(strstr(exp.data, "b@example.org,\"'+1\",active,\"'-x\","
                                     ",,\"'\tx\"\r\n"));
    assert_non_null(strstr(exp.data, "c@example.org,\"'@SUM(A1)\",active,,,"
                                     ",\"'\rx\"\r\n"));
    /* A quote already in front gets one more, so that import can undo. */
    assert_non_null(strstr(exp.data, "d@example.org,\"''=x\",active,,,,\"'-"
                                     "5\"\r\n"));
    assert_non_null(strstr(exp.data, "e@example.org,it's,active,\"a,=b\",,,"
                                     "\"'''+x\"\r\n"));
    /* Importing the export gives back every value. */
    memset(&r, 0, sizeof(r));
    parse_ok("email,name,status,tags,subscribed_at,unsubscribed_at\n", &back);
    assert_int_equal(subs_import(&back, exp.data, exp.len, NULL,
                                 "2025-07-28T07:00:00Z", &r, &e),
                     0);
    assert_int_equal(back.n, l.n);
    for (i = 0; i < l.n; i++) {
        assert_string_equal(back.v[i].email, l.v[i].email);
        assert_string_equal(back.v[i].name, l.v[i].name);
        assert_int_equal(back.v[i].ntags, l.v[i].ntags);
    }
    assert_string_equal(back.v[1].tags[0], "-x");
    assert_string_equal(back.v[4].tags[1], "=b");
    subs_problems_release(&r.problems);
    subs_list_release(&back);
    buf_release(&exp);
    buf_release(&out);
    subs_list_release(&l);
}

static void
test_subscribers_check_reports_control_characters(void **state)
{
    const char *in = "email,name,status,tags,subscribed_at,unsubscribed_at\n"
                     "a@example.org,\"Eve\nx@example.org\tactive\",active,,,\n"
                     "b@example.org,B,active,\"ok,t\x01\",,\n"
                     "c@example.org,C\xe2\x80\xa8"
                     "D,active,,,\n"
                     "d@example.org,D\xc2\x85,active,,,\n"
                     "e@example.org,Ærlig Ånd,active,,,\n";
    struct subs_problems p = {NULL, 0, 0};
    struct subs_list l;

    (void)state;
    parse_ok(in, &l);
    assert_int_equal(subs_check(&l, &p), 4);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.v[0].line, 2);
    assert_non_null(strstr(p.v[0].msg, "name: control character U+000A"));
    assert_int_equal(p.v[1].line, 4);
    assert_non_null(strstr(p.v[1].msg, "tags: control character U+0001"));
    assert_int_equal(p.v[2].line, 5);
    assert_non_null(strstr(p.v[2].msg, "U+2028"));
    assert_int_equal(p.v[3].line, 6);
    assert_non_null(strstr(p.v[3].msg, "U+0085"));
    subs_problems_release(&p);
    subs_list_release(&l);
}

static void
test_subscribers_plain_field_is_one_line(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    subs_plain_field(&b, "Eve\nx@example.org\tactive\r\\\x01\x7f"
                         "\xc2\x85\xe2\x80\xa9Å");
    assert_string_equal(b.data, "Eve\\nx@example.org\\tactive\\r\\\\\\x01"
                                "\\x7F\\u0085\\u2029Å");
    buf_release(&b);
}

static void
test_subscribers_add_refuses_control_characters(void **state)
{
    char path[300], *addrs[] = {"a@example.org"};
    struct subs_change c = {.kind = SUBS_CHANGE_ADD};
    struct err e = ERR_INIT;
    struct buf tags = BUF_INIT;
    int i;

    (void)state;
    snprintf(path, sizeof(path), "%s/ctrl.csv", unit_dir);
    c.addrs = addrs;
    c.naddrs = 1;
    c.now = "2025-07-28T07:00:00Z";
    c.name = "Eve\nmallory@example.org\tactive";
    assert_int_equal(subs_change_file(path, &c, NULL, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "U+000A"));
    c.name = "Eve\xe2\x80\xa8";
    assert_int_equal(subs_change_file(path, &c, NULL, &e), -1);
    c.name = NULL;
    c.tags = "a,b\x7f";
    assert_int_equal(subs_change_file(path, &c, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "--tags"));
    for (i = 0; i <= SUBS_MAX_TAGS; i++)
        buf_appendf(&tags, "%st%d", i ? "," : "", i);
    c.tags = tags.data;
    assert_int_equal(subs_change_file(path, &c, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "more than the 100 allowed"));
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
    c.name = "Eve Ærlig";
    c.tags = "a,b";
    assert_int_equal(subs_change_file(path, &c, NULL, &e), 1);
    buf_release(&tags);
}

/* The library's door checks addresses, not only the command line's. */
static void
test_subscribers_add_refuses_invalid_addresses(void **state)
{
    char path[300];
    char *addrs[] = {"good@example.org", "k@b\xc3\xbc"
                                         "cher.example"};
    struct subs_change c = {.kind = SUBS_CHANGE_ADD};
    struct err e = ERR_INIT;

    (void)state;
    snprintf(path, sizeof(path), "%s/bad-addr.csv", unit_dir);
    c.addrs = addrs;
    c.naddrs = 2;
    c.now = "2025-07-28T07:00:00Z";
    assert_int_equal(subs_change_file(path, &c, NULL, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "invalid address 'k@b"));
    assert_non_null(strstr(e.msg, "no SMTPUTF8"));
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
    c.naddrs = 1;
    assert_int_equal(subs_change_file(path, &c, NULL, &e), 1);
}

/* Outcomes come back only once the file holds them: all or none. */
static void
test_subscribers_change_reports_outcomes_once_written(void **state)
{
    char path[300], *ab[] = {"a@example.org", "b@example.org"};
    char *a_nobody[] = {"A@example.org", "nobody@example.org"};
    struct subs_change c = {.kind = SUBS_CHANGE_ADD};
    struct subs_outcomes out = SUBS_OUTCOMES_INIT;
    struct err e = ERR_INIT;
    struct subs_list l;

    (void)state;
    snprintf(path, sizeof(path), "%s/outcomes.csv", unit_dir);
    c.addrs = ab;
    c.naddrs = 2;
    c.now = "2025-07-28T07:00:00Z";
    assert_int_equal(subs_change_file(path, &c, &out, &e), 1);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0].kind, SUBS_OUTCOME_ADDED);
    assert_string_equal(out.v[0].email, "a@example.org");
    assert_string_equal(out.v[1].email, "b@example.org");
    subs_outcomes_release(&out);
    /* The second address fails: nothing written, nothing reported. */
    c.kind = SUBS_CHANGE_REMOVE;
    c.addrs = a_nobody;
    assert_int_equal(subs_change_file(path, &c, &out, &e), -1);
    assert_non_null(strstr(e.msg, "'nobody@example.org' is not on the list"));
    assert_int_equal(out.n, 0);
    assert_int_equal(subs_load(&l, path, &e), 0);
    assert_int_equal(l.n, 2);
    subs_list_release(&l);
    c.kind = SUBS_CHANGE_UNSUBSCRIBE;
    c.quiet_missing = true;
    assert_int_equal(subs_change_file(path, &c, &out, &e), 1);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0].kind, SUBS_OUTCOME_UNSUBSCRIBED);
    assert_string_equal(out.v[0].email, "a@example.org"); /* as listed */
    assert_int_equal(out.v[1].kind, SUBS_OUTCOME_NOT_LISTED);
    assert_string_equal(out.v[1].email, "nobody@example.org");
    subs_outcomes_release(&out);
}

static void
test_subscribers_import_replaces_control_characters(void **state)
{
    const char *imp =
        "email,name,tags\n"
        "a@example.org,\"Eve\nx@example.org\tactive\",\"t\x01u,v\"\n"
        "b@example.org,Bob,\n";
    struct subs_import_report r;
    struct subs_list l;
    struct err e = ERR_INIT;
    struct subs_entry *s;

    (void)state;
    memset(&r, 0, sizeof(r));
    parse_ok("email,name,status,tags,subscribed_at,unsubscribed_at\n", &l);
    assert_int_equal(subs_import(&l, imp, strlen(imp), NULL,
                                 "2025-07-28T07:00:00Z", &r, &e),
                     0);
    assert_int_equal(r.added, 2);
    s = subs_find(&l, "a@example.org");
    assert_string_equal(s->name, "Eve x@example.org active");
    assert_string_equal(s->tags[0], "t u");
    assert_int_equal(r.problems.n, 2);
    assert_true(r.problems.v[0].warning);
    assert_int_equal(r.problems.v[0].line, 2);
    assert_non_null(strstr(r.problems.v[0].msg, "name replaced"));
    assert_non_null(strstr(r.problems.v[1].msg, "tags replaced"));
    subs_problems_release(&r.problems);
    subs_list_release(&l);
}

static void
test_subscribers_tags_deduplicated_and_capped(void **state)
{
    struct subs_problems p = {NULL, 0, 0};
    struct subs_entry s;
    struct subs_list l;
    struct buf in = BUF_INIT;
    size_t i;

    (void)state;
    memset(&s, 0, sizeof(s));
    subs_set_tags(&s, " a ,B,b,A,, c ,a");
    assert_int_equal(s.ntags, 3);
    assert_string_equal(s.tags[0], "a");
    assert_string_equal(s.tags[1], "B");
    assert_string_equal(s.tags[2], "c");
    subs_set_tags(&s, NULL);
    assert_int_equal(s.ntags, 0);
    /* 100,000 tags, each twice: one fault, and no work per pair of tags
     * (a check of this row took over half a minute). */
    buf_append_str(&in, "email,name,status,tags,subscribed_at,"
                        "unsubscribed_at\nx@example.org,X,active,\"");
    for (i = 0; i < 200000; i++)
        buf_appendf(&in, "%sTag%zu", i ? "," : "", i % 100000);
    buf_append_str(&in, "\",,\n");
    parse_ok(in.data, &l);
    assert_int_equal(l.v[0].ntags, 100000);
    assert_string_equal(l.v[0].tags[99999], "Tag99999");
    assert_int_equal(subs_check(&l, &p), 1);
    assert_non_null(strstr(p.v[0].msg, "100000 tags, more than the 100"));
    subs_problems_release(&p);
    subs_list_release(&l);
    buf_release(&in);
}

/* Tags are counted as they merge: after Mailchimp's quotes come off, so
 * t0 and "t0" are one tag. */
static void
test_subscribers_import_counts_tags_after_unquoting(void **state)
{
    struct subs_import_report r;
    struct subs_list l;
    struct err e = ERR_INIT;
    struct buf in = BUF_INIT;
    size_t i;

    (void)state;
    memset(&r, 0, sizeof(r));
    parse_ok("email,name,status,tags,subscribed_at,unsubscribed_at\n", &l);
    buf_append_str(&in, "email,tags\na@example.org,\"");
    for (i = 0; i < SUBS_MAX_TAGS; i++)
        buf_appendf(&in, "%st%zu,\"\"t%zu\"\"", i ? "," : "", i, i);
    buf_append_str(&in, "\"\nb@example.org,\"");
    for (i = 0; i <= SUBS_MAX_TAGS; i++)
        buf_appendf(&in, "%s\"\"t%zu\"\"", i ? "," : "", i);
    buf_append_str(&in, "\"\n");
    assert_int_equal(subs_import(&l, in.data, in.len, NULL,
                                 "2025-07-28T07:00:00Z", &r, &e),
                     0);
    assert_int_equal(r.added, 1);
    assert_int_equal(subs_find(&l, "a@example.org")->ntags, SUBS_MAX_TAGS);
    assert_int_equal(r.invalid, 1);
    assert_int_equal(r.problems.n, 1);
    assert_int_equal(r.problems.v[0].line, 3);
    assert_non_null(strstr(r.problems.v[0].msg, "101 tags"));
    subs_problems_release(&r.problems);
    subs_list_release(&l);
    buf_release(&in);
}

static void
test_subscribers_index_finds_the_first_row_of_an_address(void **state)
{
    static const char in[] = "email,name,status\n"
                             "zoe@example.org,Zoe,active\n"
                             "alice@example.org,First,unsubscribed\n"
                             "bob@example.org,Bob,active\n"
                             "ALICE@Example.org,Second,active\n";
    struct subs_index ix = SUBS_INDEX_INIT;
    struct subs_list l;
    const struct subs_entry *s;

    (void)state;
    parse_ok(in, &l);
    subs_index_build(&ix, &l);
    s = subs_index_find(&ix, "Alice@EXAMPLE.org");
    assert_non_null(s);
    assert_string_equal(s->name, "First"); /* the first row counts */
    assert_ptr_equal(s, subs_find(&l, "alice@example.org"));
    assert_string_equal(subs_index_find(&ix, "zoe@example.org")->name, "Zoe");
    assert_string_equal(subs_index_find(&ix, "BOB@example.org")->name, "Bob");
    assert_null(subs_index_find(&ix, "carol@example.org"));
    assert_null(subs_index_find(&ix, "alice@example.or"));
    subs_index_release(&ix);
    subs_list_release(&l);
}

/* ---- subs_csv_read, the reader under the list ---- */

struct rows {
    size_t n;
    char got[8][128];
    size_t line[8];
};

static int
collect_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct rows *r = ctx;
    size_t i, len = 0;
    (void)e;

    assert_true(r->n < 8);
    r->got[r->n][0] = '\0';
    for (i = 0; i < n; i++) {
        len += (size_t)snprintf(r->got[r->n] + len, sizeof(r->got[0]) - len,
                                "%s%s", i ? "|" : "", fields[i]);
        assert_true(len < sizeof(r->got[0]));
    }
    r->line[r->n++] = line;
    return 0;
}

/* The last line without a line end is read to the end of (p, n) and no
 * further, and it is checked for UTF-8 like the others. */
static void
test_subscribers_csv_read_last_line_without_newline(void **state)
{
    /* What follows n in memory must not be read. */
    static const char mem[] = "email,name\r\nann@example.org,Ann\n"
                              "bea@example.org,Bea\nEXTRA,ROW\n";
    const size_t n = strlen("email,name\r\nann@example.org,Ann\n"
                            "bea@example.org,Bea");
    struct rows r;
    struct err e = ERR_INIT;
    bool bom = true, crlf = false;
    (void)state;

    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_csv_read(mem, n, collect_row, &r, &bom, &crlf, &e),
                     0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.got[0], "email|name");
    assert_string_equal(r.got[2], "bea@example.org|Bea");
    assert_int_equal(r.line[2], 3);
    assert_false(bom);
    assert_true(crlf);
    /* invalid UTF-8 on a last line without a line end */
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_csv_read("email\nj\xFFrg@example.org", 22,
                                   collect_row, &r, &bom, &crlf, &e),
                     -1);
    assert_string_equal(e.msg,
                        "line 2: not valid UTF-8 (save the file as UTF-8)");
    /* a BOM is skipped and reported */
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_csv_read("\xEF\xBB\xBF" "email\n", 9, collect_row,
                                   &r, &bom, &crlf, &e),
                     0);
    assert_true(bom);
    assert_false(crlf);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.got[0], "email");
}

static void
collect_problem(void *ctx, const struct subs_problem *p)
{
    struct subs_problems *all = ctx;

    subs_problems_add(all, p->line, p->warning, "%s", p->msg);
}

/* The file's check, read a row at a time with hashes for the duplicates,
 * finds what the check of the list in memory finds, in the same order;
 * a list with no rows has no problems. */
static void
test_subscribers_check_file_finds_what_check_finds(void **state)
{
    const char *in = "email,name,status,tags,subscribed_at,unsubscribed_at\n"
                     "a@example.org,,active,,,\n"
                     ",,active,,,\n"
                     "b@example.org,,paused,,,\n"
                     "A@EXAMPLE.ORG,,active,,,\n"
                     ",,active,,,\n"
                     "b@Example.org,,active,,bad,\n"
                     "a@example.org,,active,,,\n";
    struct subs_problems mem = {NULL, 0, 0}, file = {NULL, 0, 0};
    struct err e = ERR_INIT;
    struct subs_list l;
    char path[300];
    size_t faults = 0, n = 0, i;

    (void)state;
    snprintf(path, sizeof(path), "%s/check.csv", unit_dir);
    write_file(path, in, 0644);
    parse_ok(in, &l);
    assert_int_equal(subs_check_file(path, collect_problem, &file, &faults,
                                     &n, &e),
                     0);
    assert_int_equal(faults, subs_check(&l, &mem));
    assert_int_equal(n, 7);
    assert_int_equal(file.n, mem.n);
    for (i = 0; i < mem.n; i++) {
        assert_int_equal(file.v[i].line, mem.v[i].line);
        assert_string_equal(file.v[i].msg, mem.v[i].msg);
    }
    /* Lines 5, 7 and 8 repeat an address; the empty ones are invalid. */
    assert_non_null(strstr(file.v[file.n - 1].msg,
                           "duplicate address 'a@example.org' (first on "
                           "line 2)"));
    subs_problems_release(&mem);
    subs_problems_release(&file);
    subs_list_release(&l);

    write_file(path, "email,name\n", 0644);
    assert_int_equal(subs_check_file(path, collect_problem, &file, &faults,
                                     &n, &e),
                     0);
    assert_int_equal(faults, 0);
    assert_int_equal(n, 0);
    assert_int_equal(file.n, 0);
}

static int
count_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
          struct err *e)
{
    (void)l;
    (void)e;
    (void)s;
    ++*(size_t *)ctx;
    return 0;
}

/* A scan reads the whole file for its faults before the first row is
 * handed over: a list that cannot be read yields no row at all. */
static void
test_subscribers_scan_hands_over_no_row_of_a_broken_file(void **state)
{
    struct err e = ERR_INIT;
    struct subs_list head;
    char path[300];
    size_t rows = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/broken.csv", unit_dir);
    write_file(path,
               "email,name\na@example.org,A\nb@example.org,B\n"
               "c@example.org,\"C\n",
               0644);
    assert_int_equal(subs_scan(path, count_row, &rows, &head, &e), -1);
    subs_list_release(&head);
    assert_int_equal(rows, 0);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "broken.csv: line 4: malformed CSV"));

    write_file(path, "\xEF\xBB\xBF" "email,name\r\na@example.org,A\r\n",
               0644);
    assert_int_equal(subs_scan(path, count_row, &rows, &head, &e), 0);
    assert_int_equal(rows, 1);
    assert_true(head.bom);
    assert_true(head.crlf);
    assert_int_equal(head.ncols, 6); /* ours added, as subs_load does */
    subs_list_release(&head);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subscribers_parse_quoting_and_unknown_columns),
        cmocka_unit_test(test_subscribers_parse_bom_crlf_kept),
        cmocka_unit_test(test_subscribers_parse_refuses_broken_csv),
        cmocka_unit_test(test_subscribers_addr_verdicts_agree_with_mime),
        cmocka_unit_test(test_subscribers_csv_read_last_line_without_newline),
        cmocka_unit_test(test_subscribers_check_reports_faults_with_lines),
        cmocka_unit_test(test_subscribers_check_dates_columns_and_order),
        cmocka_unit_test(
            test_subscribers_index_finds_the_first_row_of_an_address),
        cmocka_unit_test(test_subscribers_token_round_trip),
        cmocka_unit_test(test_subscribers_token_forgery_refused),
        cmocka_unit_test(test_subscribers_secret_file_permissions),
        cmocka_unit_test(test_subscribers_set_status_and_load),
        cmocka_unit_test(test_subscribers_import_never_resubscribes),
        cmocka_unit_test(
            test_subscribers_export_guards_formulas_and_import_undoes_it),
        cmocka_unit_test(test_subscribers_check_reports_control_characters),
        cmocka_unit_test(test_subscribers_check_file_finds_what_check_finds),
        cmocka_unit_test(
            test_subscribers_scan_hands_over_no_row_of_a_broken_file),
        cmocka_unit_test(test_subscribers_plain_field_is_one_line),
        cmocka_unit_test(test_subscribers_add_refuses_control_characters),
        cmocka_unit_test(test_subscribers_add_refuses_invalid_addresses),
        cmocka_unit_test(test_subscribers_change_reports_outcomes_once_written),
        cmocka_unit_test(test_subscribers_import_replaces_control_characters),
        cmocka_unit_test(test_subscribers_tags_deduplicated_and_capped),
        cmocka_unit_test(test_subscribers_import_counts_tags_after_unquoting),
    };
    return cmocka_run_group_tests_name("subscribers", tests, unit_dir_setup,
                                       unit_dir_teardown);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/err.h"
#include "arctic_digest/mime.h"
#include "mime_int.h"

#define PYTHON "/usr/bin/python3"

static const char SUBJECT[] =
    "Arctic Digest \xE2\x80\x94 N\xC2\xBA 1: Gu\xC3\xB0"
    "bj\xC3\xB6rg\xE2\x80\x99s "
    "\xE2\x80\x9CSino-Russian\xE2\x80\x9D cooperation: systemic pressure and "
    "historical distrust in the High North";
static const char FROM_NAME[] = "Arctic Digest \xE2\x80\x94 H\xC3\xB8gskolen";
static const char HTML[] =
    "<h1>Arctic Digest \xE2\x80\x94 N\xC2\xBA 1</h1>\n"
    "<p>Hauksd\xC3\xB3ttir, Gu\xC3\xB0"
    "bj\xC3\xB6rg R\xC3\xAD"
    "key Th. and Baldur "
    "Thorhallsson. \xE2\x80\x9CSino-Russian Arctic Cooperation: Systemic "
    "Pressure and Historical Distrust.\xE2\x80\x9D The Polar Journal, July 22, "
    "2025.</p>\n<p style=\"color: #333\">a=b &amp; c</p>\n";
static const char ATT_NAME[] = "Gu\xC3\xB0"
                               "bj\xC3\xB6rg\xE2\x80\x99s citations.bib";
static const char ATT_DATA[] =
    "@article{hauksdottir2025,\n  title = {Sino-Russian}\n}\n";

/* The plain text body: non-ASCII, long lines, a 2000-character word,
 * trailing spaces, '=' signs, "From " and "." at line starts, CRLF. */
static void
sample_text(struct buf *t)
{
    int i;

    buf_append_str(t, "Arctic Digest \xE2\x80\x94 N\xC2\xBA 1\n\n");
    buf_append_str(t, "Sino-Russian Arctic Cooperation: Systemic Pressure and "
                      "Historical Distrust, by Gu\xC3\xB0"
                      "bj\xC3\xB6rg "
                      "R\xC3\xAD"
                      "key Th. Hauksd\xC3\xB3ttir and Baldur "
                      "Thorhallsson (The Polar Journal, July 22, 2025)\n");
    buf_append_str(t, "trailing spaces   \ntrailing tab\t\r\n");
    buf_append_str(t, "x = y, a==b, =?UTF-8?Q?not-a-word?= and 100% = 1\n");
    buf_append_str(t, "From the editor\n.\n");
    for (i = 0; i < 2000; i++)
        buf_append_char(t, (char)('a' + i % 26));
    buf_append_str(t, "\n");
    for (i = 0; i < 40; i++)
        buf_append_str(t, "\xC3\xB0\xE2\x80\x99");
    buf_append_str(t, "\nlast line without newline ");
}

static const struct mime_attachment sample_att = {
    ATT_NAME, "application/x-bibtex", ATT_DATA, sizeof(ATT_DATA) - 1};

static void
sample_message(struct mime_message *m, const struct buf *text)
{
    memset(m, 0, sizeof(*m));
    m->from_name = FROM_NAME;
    m->from_addr = "digest@arctic.example.org";
    m->to_name = "Doe, Jane";
    m->to_addr = "jane.doe@example.com";
    m->reply_to = "editor@arctic.example.org";
    m->subject = SUBJECT;
    m->date = dt_from_time(1753156800, 0); /* 2025-07-22 04:00:00 UTC */
    m->message_id = "<0123456789abcdef@arctic.example.org>";
    m->list_id = "Arctic Digest <arctic-digest.arctic.example.org>";
    m->list_unsubscribe = "<mailto:leave@arctic.example.org?subject=stop>, "
                          "<https://arctic.example.org/u/0123456789abcdef>";
    m->list_unsubscribe_post = "List-Unsubscribe=One-Click";
    m->text = text->data;
    m->text_len = text->len;
    m->html = HTML;
    m->html_len = sizeof(HTML) - 1;
    m->attachments = &sample_att;
    m->nattachments = 1;
    m->boundary_seed = "issue-1/jane.doe@example.com";
}

static void
build_ok(const struct mime_message *m, struct buf *out)
{
    struct err e = ERR_INIT;
    int rc = mime_build(m, out, &e);

    if (rc != 0)
        print_error("mime_build: %s\n", e.msg);
    assert_int_equal(rc, 0);
}

/* Every CR is followed by LF and every LF preceded by CR. */
static void
assert_crlf_only(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == '\r')
            assert_true(i + 1 < n && p[i + 1] == '\n');
        if (p[i] == '\n')
            assert_true(i > 0 && p[i - 1] == '\r');
    }
}

static size_t
max_line(const char *p, size_t n)
{
    size_t max = 0;
    size_t start = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == '\n') {
            size_t len = i - start - (i > start && p[i - 1] == '\r');
            if (len > max)
                max = len;
            start = i + 1;
        }
    }
    return n - start > max ? n - start : max;
}

static size_t
header_len(const struct buf *msg)
{
    const char *end = strstr(msg->data, "\r\n\r\n");

    assert_non_null(end);
    return (size_t)(end - msg->data) + 2;
}

/* Each "=?charset?X?...?=" at most 75 characters; returns how many. */
static int
check_encoded_words(const char *p, size_t n)
{
    const char *s = p;
    int count = 0;

    while ((s = strstr(s, "=?")) != NULL && s < p + n) {
        const char *q = strchr(s + 2, '?');
        const char *end;
        assert_non_null(q);
        end = strstr(q + 3, "?=");
        assert_non_null(end);
        assert_in_range(end + 2 - s, 13, 75);
        count++;
        s = end + 2;
    }
    return count;
}

static void
test_mime_build_has_crlf_and_short_lines(void **state)
{
    struct buf text = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct mime_message m;
    size_t hlen;
    size_t i;
    (void)state;

    sample_text(&text);
    sample_message(&m, &text);
    build_ok(&m, &msg);
    assert_crlf_only(msg.data, msg.len);
    assert_true(max_line(msg.data, msg.len) <= 76);
    hlen = header_len(&msg);
    assert_true(max_line(msg.data, hlen) <= 78);
    for (i = 0; i < msg.len; i++)
        assert_true((unsigned char)msg.data[i] < 0x80);
    assert_true(check_encoded_words(msg.data, hlen) >= 3);
    assert_memory_equal(msg.data,
                        "Date: Tue, 22 Jul 2025 04:00:00 +0000\r\n"
                        "From: =?UTF-8?",
                        53);
    assert_non_null(strstr(msg.data, "\r\nTo: \"Doe, Jane\" "
                                     "<jane.doe@example.com>\r\n"));
    buf_release(&msg);
    buf_release(&text);
}

static void
test_mime_build_headers_in_order(void **state)
{
    static const char *const order[] = {
        "Date: ",
        "\r\nFrom: ",
        "\r\nTo: ",
        "\r\nReply-To: ",
        "\r\nSubject: ",
        "\r\nMessage-ID: ",
        "\r\nMIME-Version: 1.0\r\n",
        "\r\nList-Id: ",
        "\r\nList-Unsubscribe: ",
        "\r\nList-Unsubscribe-Post: ",
        "\r\nPrecedence: bulk\r\n",
        "\r\nAuto-Submitted: auto-generated\r\n",
        "\r\nContent-Type: multipart/mixed;"};
    struct buf text = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct mime_message m;
    const char *prev = NULL;
    size_t i;
    (void)state;

    sample_text(&text);
    sample_message(&m, &text);
    build_ok(&m, &msg);
    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *at = strstr(msg.data, order[i]);
        assert_non_null(at);
        assert_true(at < msg.data + header_len(&msg));
        if (prev != NULL)
            assert_true(at > prev);
        prev = at;
    }
    buf_release(&msg);
    buf_release(&text);
}

static void
test_mime_build_alternative_plain_before_html(void **state)
{
    struct buf text = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct mime_message m;
    const char *alt, *plain, *html, *att;
    (void)state;

    sample_text(&text);
    sample_message(&m, &text);
    build_ok(&m, &msg);
    alt = strstr(msg.data, "Content-Type: multipart/alternative;");
    plain = strstr(msg.data, "Content-Type: text/plain; charset=\"utf-8\"\r\n"
                             "Content-Transfer-Encoding: quoted-printable");
    html = strstr(msg.data, "Content-Type: text/html; charset=\"utf-8\"\r\n"
                            "Content-Transfer-Encoding: quoted-printable");
    att = strstr(msg.data,
                 "Content-Disposition: attachment;\r\n filename*=utf-8''"
                 "Gu%C3%B0bj%C3%B6rg%E2%80%99s%20citations.bib");
    assert_non_null(alt);
    assert_non_null(plain);
    assert_non_null(html);
    assert_non_null(att);
    assert_true(alt < plain && plain < html && html < att);
    assert_non_null(strstr(msg.data, "boundary=\"=_ad_"));
    buf_release(&msg);
    buf_release(&text);
}

static void
test_mime_build_text_only_is_single_part(void **state)
{
    struct buf msg = BUF_INIT;
    struct mime_message m;
    struct buf text = BUF_INIT;
    (void)state;

    buf_append_str(&text, "Hello\n");
    sample_message(&m, &text);
    m.html = NULL;
    m.nattachments = 0;
    build_ok(&m, &msg);
    assert_null(strstr(msg.data, "multipart"));
    assert_non_null(strstr(msg.data,
                           "\r\nAuto-Submitted: auto-generated\r\n"
                           "Content-Type: text/plain; charset=\"utf-8\""
                           "\r\nContent-Transfer-Encoding: "
                           "quoted-printable\r\n\r\nHello\r\n"));
    assert_int_equal(strcmp(msg.data + msg.len - 11, "\r\n\r\nHello\r\n"), 0);
    buf_release(&msg);
    buf_release(&text);
}

static void
test_mime_build_is_deterministic(void **state)
{
    struct buf text = BUF_INIT;
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;
    struct buf c = BUF_INIT;
    struct mime_message m;
    (void)state;

    sample_text(&text);
    sample_message(&m, &text);
    build_ok(&m, &a);
    build_ok(&m, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    m.boundary_seed = "issue-1/other@example.com";
    build_ok(&m, &c);
    assert_int_equal(a.len, c.len);
    assert_memory_not_equal(a.data, c.data, a.len);
    /* Neither boundary of the first message appears in the second. */
    {
        const char *mix = strstr(a.data, "boundary=\"=_ad_");
        const char *alt = mix != NULL ? strstr(mix + 1, "boundary=\"") : NULL;
        char *bmix;
        char *balt;
        assert_non_null(alt);
        bmix = strndup(mix + 10, 41);
        balt = strndup(alt + 10, 41);
        assert_string_equal(bmix + 37, "_mix");
        assert_string_equal(balt + 37, "_alt");
        assert_null(strstr(c.data, bmix));
        assert_null(strstr(c.data, balt));
        free(bmix);
        free(balt);
    }
    buf_release(&a);
    buf_release(&b);
    buf_release(&c);
    buf_release(&text);
}

static void
assert_date_header(int offset, const char *want)
{
    struct buf text = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct mime_message m;

    buf_append_str(&text, "x\n");
    sample_message(&m, &text);
    m.date = dt_from_time(1753156800, offset);
    build_ok(&m, &msg);
    assert_true(msg.len > strlen(want));
    assert_memory_equal(msg.data, want, strlen(want));
    buf_release(&msg);
    buf_release(&text);
}

static void
test_mime_build_half_hour_zones(void **state)
{
    (void)state;
    assert_date_header(5 * 3600 + 1800,
                       "Date: Tue, 22 Jul 2025 09:30:00 +0530\r\n");
    assert_date_header(-(3 * 3600 + 1800),
                       "Date: Tue, 22 Jul 2025 00:30:00 -0330\r\n");
    assert_date_header(5 * 3600 + 45 * 60,
                       "Date: Tue, 22 Jul 2025 09:45:00 +0545\r\n");
}

static void
assert_build_fails(const struct mime_message *m, const char *field)
{
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;

    buf_append_str(&out, "keep");
    assert_int_equal(mime_build(m, &out, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, field));
    assert_string_equal(out.data, "keep");
    buf_release(&out);
}

static void
test_mime_build_rejects_bad_addresses(void **state)
{
    static const char *const bad[] = {
        "jane doe@example.com",
        "jane@example.com\r\nBcc: victim@example.com",
        "<jane@example.com>",
        "jane",
        "jane@",
        "@example.com",
        "a@b@example.com",
        "jane..doe@example.com",
        "jane@exa_mple.com",
        "\"jane\"@example.com",
        "jane@example.com,x@example.com",
        "j\xC3\xA9@example.com",
        "jane@-example.com"};
    struct buf text = BUF_INIT;
    struct mime_message m;
    size_t i;
    (void)state;

    buf_append_str(&text, "x\n");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sample_message(&m, &text);
        m.to_addr = bad[i];
        assert_build_fails(&m, "to_addr");
        sample_message(&m, &text);
        m.from_addr = bad[i];
        assert_build_fails(&m, "from_addr");
        sample_message(&m, &text);
        m.reply_to = bad[i];
        assert_build_fails(&m, "reply_to");
    }
    sample_message(&m, &text);
    m.subject = NULL;
    assert_build_fails(&m, "subject");
    sample_message(&m, &text);
    m.message_id = "no-brackets@example.com";
    assert_build_fails(&m, "message_id");
    sample_message(&m, &text);
    m.list_unsubscribe = "https://example.com/u\r\nBcc: victim@example.com";
    assert_build_fails(&m, "list_unsubscribe");
    sample_message(&m, &text);
    m.list_unsubscribe = "<https://example.com/u>\r\nBcc: victim@example.com";
    assert_build_fails(&m, "list_unsubscribe");
    sample_message(&m, &text);
    m.list_id = "Digest <bad id>";
    assert_build_fails(&m, "list_id");
    buf_release(&text);
}

static void
test_mime_unstructured_ascii_folds_at_spaces(void **state)
{
    static const char value[] =
        "Arctic Digest No. 12: Sino-Russian Arctic Cooperation, Systemic "
        "Pressure and Historical Distrust, plus six more articles on the High "
        "North and the Barents Sea";
    struct buf out = BUF_INIT;
    struct buf unfolded = BUF_INIT;
    size_t i;
    (void)state;

    buf_append_str(&out, "Subject: ");
    mime_encode_unstructured(value, 9, &out);
    assert_true(strstr(out.data, "\r\n ") != NULL);
    assert_true(max_line(out.data, out.len) <= 78);
    assert_null(strstr(out.data, "=?"));
    for (i = 0; i < out.len; i++) {
        if (out.data[i] == '\r') {
            assert_int_equal(out.data[i + 2], ' ');
            i++;
        } else {
            buf_append_char(&unfolded, out.data[i]);
        }
    }
    assert_string_equal(unfolded.data + 9, value);
    buf_release(&unfolded);
    buf_release(&out);
}

static void
test_mime_unstructured_non_ascii_uses_encoded_words(void **state)
{
    struct buf out = BUF_INIT;
    size_t i;
    (void)state;

    buf_append_str(&out, "Subject: ");
    mime_encode_unstructured(SUBJECT, 9, &out);
    assert_memory_equal(out.data + 9, "=?UTF-8?", 8);
    assert_true(check_encoded_words(out.data, out.len) >= 2);
    assert_true(max_line(out.data, out.len) <= 78);
    assert_crlf_only(out.data, out.len);
    for (i = 0; i < out.len; i++)
        assert_true((unsigned char)out.data[i] < 0x80 &&
                    (unsigned char)out.data[i] >= 0x0A);
    buf_release(&out);

    /* Text that would read as an encoded word is encoded too. */
    mime_encode_unstructured("see =?UTF-8?Q?x?= here", 9, &out);
    assert_memory_equal(out.data, "=?UTF-8?", 8);
    buf_release(&out);

    /* A word too long to fold is encoded, not left over 78. */
    for (i = 0; i < 300; i++)
        buf_append_char(&out, 'a');
    {
        char *word = buf_detach(&out, NULL);
        mime_encode_unstructured(word, 9, &out);
        free(word);
    }
    assert_memory_equal(out.data, "=?UTF-8?", 8);
    assert_true(strchr(out.data, '\n') - out.data - 1 <= 78 - 9);
    assert_true(max_line(out.data, out.len) <= 76);
    buf_release(&out);
}

static void
test_mime_unstructured_controls_become_spaces(void **state)
{
    struct buf out = BUF_INIT;
    (void)state;

    mime_encode_unstructured("Weekly\r\nBcc: victim@example.com\tx\x7f", 9,
                             &out);
    assert_string_equal(out.data, "Weekly  Bcc: victim@example.com x ");
    buf_release(&out);
}

static void
test_mime_mailbox_quotes_or_encodes_names(void **state)
{
    struct buf out = BUF_INIT;
    (void)state;

    mime_encode_mailbox("Doe, Jane", "jane@example.com", 4, &out);
    assert_string_equal(out.data, "\"Doe, Jane\" <jane@example.com>");
    buf_reset(&out);
    mime_encode_mailbox("Jane Doe", "jane@example.com", 4, &out);
    assert_string_equal(out.data, "Jane Doe <jane@example.com>");
    buf_reset(&out);
    mime_encode_mailbox("J. \"Q\" D\\oe", "jane@example.com", 4, &out);
    assert_string_equal(out.data,
                        "\"J. \\\"Q\\\" D\\\\oe\" <jane@example.com>");
    buf_reset(&out);
    mime_encode_mailbox(NULL, "jane@example.com", 4, &out);
    assert_string_equal(out.data, "jane@example.com");
    buf_reset(&out);
    mime_encode_mailbox("", "jane@example.com", 4, &out);
    assert_string_equal(out.data, "jane@example.com");
    buf_reset(&out);
    mime_encode_mailbox("Gu\xC3\xB0"
                        "bj\xC3\xB6rg, \"Th.\"",
                        "g@example.is", 6, &out);
    /* B is shorter here; never a quoted-string around encoded words. */
    assert_string_equal(out.data,
                        "=?UTF-8?B?R3XDsGJqw7ZyZywgIlRoLiI=?= <g@example.is>");
    buf_reset(&out);
    mime_encode_mailbox("  Jane\r\n  Doe \xC3\xB8 ", "jane@example.com", 4,
                        &out);
    assert_string_equal(out.data,
                        "=?UTF-8?Q?Jane_Doe_=C3=B8?= <jane@example.com>");
    buf_release(&out);
}

static void
test_mime_message_id_is_deterministic(void **state)
{
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;
    size_t i;
    (void)state;

    mime_message_id("issue-1/jane@example.com", "digest@arctic.example.org",
                    &a);
    mime_message_id("issue-1/jane@example.com", "digest@arctic.example.org",
                    &b);
    assert_string_equal(a.data, b.data);
    assert_int_equal(a.len, 1 + 32 + 1 + strlen("arctic.example.org") + 1);
    assert_int_equal(a.data[0], '<');
    for (i = 1; i < 33; i++)
        assert_non_null(strchr("0123456789abcdef", a.data[i]));
    assert_string_equal(a.data + 33, "@arctic.example.org>");
    buf_reset(&b);
    mime_message_id("issue-1/joe@example.com", "digest@arctic.example.org", &b);
    assert_string_not_equal(a.data, b.data);
    buf_release(&a);
    buf_release(&b);
}

/* Decode quoted-printable (CRLF lines) for round trips. */
static void
qp_decode(const char *p, size_t n, struct buf *out)
{
    size_t i = 0;

    while (i < n) {
        if (p[i] == '=' && i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n') {
            i += 3;
        } else if (p[i] == '=') {
            char hex[3] = {p[i + 1], p[i + 2], '\0'};
            assert_true(i + 2 < n);
            assert_non_null(strchr("0123456789ABCDEF", hex[0]));
            assert_non_null(strchr("0123456789ABCDEF", hex[1]));
            buf_append_char(out, (char)strtol(hex, NULL, 16));
            i += 3;
        } else {
            buf_append_char(out, p[i]);
            i++;
        }
    }
}

static void
test_mime_qp_encode_round_trips_within_limits(void **state)
{
    struct buf text = BUF_INIT;
    struct buf qp = BUF_INIT;
    struct buf back = BUF_INIT;
    struct buf want = BUF_INIT;
    size_t i;
    (void)state;

    sample_text(&text);
    mime_qp_encode(text.data, text.len, &qp);
    assert_crlf_only(qp.data, qp.len);
    assert_true(max_line(qp.data, qp.len) <= 76);
    for (i = 0; i + 1 < qp.len; i++) {
        unsigned char c = (unsigned char)qp.data[i];
        assert_true(c < 0x80);
        /* No white space before a line end. */
        if (qp.data[i + 1] == '\r')
            assert_true(c != ' ' && c != '\t');
        /* A soft break never splits a UTF-8 sequence. */
        if (i >= 2 && memcmp(qp.data + i - 2, "=\r\n", 3) == 0 &&
            qp.data[i + 1] == '=')
            assert_true(strchr("89AB", qp.data[i + 2]) == NULL);
    }
    assert_non_null(strstr(qp.data, "\r\n=46rom the editor\r\n=2E\r\n"));
    assert_non_null(strstr(qp.data, "trailing spaces  =20\r\n"));
    assert_non_null(strstr(qp.data, "x =3D y, a=3D=3Db"));
    qp_decode(qp.data, qp.len, &back);
    for (i = 0; i < text.len; i++) {
        if (text.data[i] == '\n' && (i == 0 || text.data[i - 1] != '\r'))
            buf_append_char(&want, '\r');
        buf_append_char(&want, text.data[i]);
    }
    assert_int_equal(back.len, want.len);
    assert_memory_equal(back.data, want.data, want.len);
    buf_release(&want);
    buf_release(&back);
    buf_release(&qp);
    buf_release(&text);
}

/* Write n bytes to dir/name. */
static void
write_file(const char *dir, const char *name, const char *p, size_t n)
{
    char path[512];
    FILE *f;

    assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) <
                (int)sizeof(path));
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void
remove_dir(const char *dir)
{
    static const char *const names[] = {
        "m.eml",    "subject.txt", "from_name.txt", "to_name.txt",
        "text.txt", "html.txt",    "att_name.txt",  "att_data.bin"};
    char path[512];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
            (int)sizeof(path))
            unlink(path);
    }
    rmdir(dir);
}

static int
run(const char *cmd)
{
    int st = system(cmd);

    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* Run the Python oracle on m; the expected values are m's own fields with
 * CR and LF turned into spaces, as the encoders promise. */
static int
run_oracle(const struct mime_message *m, const char *subject_want,
           const char *from_want, const char *to_want)
{
    const char *fixtures = getenv("AD_FIXTURES");
    char dir[] = "/tmp/ad-test-mime-XXXXXX";
    char cmd[1024];
    struct buf msg = BUF_INIT;
    int rc;

    if (fixtures == NULL) {
        print_message("AD_FIXTURES is not set (run through ctest)\n");
        skip();
    }
    build_ok(m, &msg);
    assert_non_null(mkdtemp(dir));
    write_file(dir, "m.eml", msg.data, msg.len);
    write_file(dir, "subject.txt", subject_want, strlen(subject_want));
    write_file(dir, "from_name.txt", from_want, strlen(from_want));
    write_file(dir, "to_name.txt", to_want, strlen(to_want));
    write_file(dir, "text.txt", m->text, m->text_len);
    write_file(dir, "html.txt", m->html, m->html_len);
    write_file(dir, "att_name.txt", ATT_NAME, strlen(ATT_NAME));
    write_file(dir, "att_data.bin", ATT_DATA, strlen(ATT_DATA));
    assert_true(snprintf(cmd, sizeof(cmd),
                         PYTHON " '%s/mime/check_message.py' '%s/m.eml' '%s'",
                         fixtures, dir, dir) < (int)sizeof(cmd));
    rc = run(cmd);
    remove_dir(dir);
    buf_release(&msg);
    return rc;
}

static void
test_mime_build_passes_python_oracle(void **state)
{
    struct buf text = BUF_INIT;
    struct mime_message m;
    (void)state;

    if (access(PYTHON, X_OK) != 0)
        skip();
    sample_text(&text);
    sample_message(&m, &text);
    assert_int_equal(run_oracle(&m, SUBJECT, FROM_NAME, "Doe, Jane"), 0);
    /* ASCII folded at spaces decodes to the same text, double spaces too. */
    m.subject = "Arctic Digest No. 12: Sino-Russian Arctic Cooperation,  "
                "Systemic Pressure and Historical Distrust (and six more)";
    m.from_name = "Arctic Digest";
    assert_int_equal(run_oracle(&m, m.subject, "Arctic Digest", "Doe, Jane"),
                     0);
    buf_release(&text);
}

static void
test_mime_build_header_injection_stays_text(void **state)
{
    struct buf text = BUF_INIT;
    struct mime_message m;
    (void)state;

    if (access(PYTHON, X_OK) != 0)
        skip();
    sample_text(&text);
    sample_message(&m, &text);
    m.subject = "Weekly\r\nBcc: victim@example.com";
    m.from_name = "Editor\r\nBcc: victim@example.com";
    m.to_name = "Jane\nBcc: victim@example.com";
    /* The oracle also asserts that msg['Bcc'] is None. */
    assert_int_equal(run_oracle(&m, "Weekly  Bcc: victim@example.com",
                                "Editor Bcc: victim@example.com",
                                "Jane Bcc: victim@example.com"),
                     0);
    /* Non-ASCII text goes the encoded-word way: same promise. */
    m.subject = "Gu\xC3\xB0"
                "bj\xC3\xB6rg\r\nBcc: victim@example.com";
    m.from_name = "H\xC3\xB8gskolen\r\nBcc: victim@example.com";
    assert_int_equal(run_oracle(&m,
                                "Gu\xC3\xB0"
                                "bj\xC3\xB6rg  Bcc: victim@example.com",
                                "H\xC3\xB8gskolen Bcc: victim@example.com",
                                "Jane Bcc: victim@example.com"),
                     0);
    buf_release(&text);
}

static void
test_mime_build_passes_check_eml_strict(void **state)
{
    const char *conf = getenv("AD_CONFORMANCE_DIR");
    char tool[512];
    char dir[] = "/tmp/ad-test-mime-XXXXXX";
    char cmd[1400];
    struct buf text = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct mime_message m;
    (void)state;

    if (conf == NULL ||
        snprintf(tool, sizeof(tool), "%s/../tools/check-eml", conf) >=
            (int)sizeof(tool) ||
        access(tool, R_OK) != 0 || access(PYTHON, X_OK) != 0) {
        print_message("check-eml not found next to AD_CONFORMANCE_DIR\n");
        skip();
    }
    sample_text(&text);
    sample_message(&m, &text);
    build_ok(&m, &msg);
    assert_non_null(mkdtemp(dir));
    write_file(dir, "m.eml", msg.data, msg.len);
    assert_true(snprintf(cmd, sizeof(cmd),
                         PYTHON " '%s' --strict '%s/m.eml' >&2", tool,
                         dir) < (int)sizeof(cmd));
    assert_int_equal(run(cmd), 0);
    remove_dir(dir);
    buf_release(&msg);
    buf_release(&text);
}

/* ---- a body prepared once (mime_body_new / mime_build_with) ------------ */

static uint32_t rng_state = 2463534242u;

static uint32_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Random text made of the pieces QP cares about: UTF-8, '=', white space
 * (also before line ends), "From " and "." at line starts, long runs. */
static void
random_text(struct buf *b, size_t pieces, bool newlines)
{
    static const char *const bits[] = {
        "a", "word ", "=", " ", "\t", "\xC3\xB0", "\xE2\x80\x99", "From ",
        ".", "_", "?", "\"", ",", "\xF0\x9F\x90\xBB",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "\n", "\r\n"};
    size_t i, nbits = sizeof(bits) / sizeof(bits[0]) - (newlines ? 0 : 2);

    for (i = 0; i < pieces; i++)
        buf_append_str(b, bits[rng() % nbits]);
}

/* The lemma the prepared body rests on: QP of a text cut after a LF is
 * the QP of its two halves. */
static void
test_mime_qp_encodes_line_runs_alike(void **state)
{
    int round;
    (void)state;

    for (round = 0; round < 2000; round++) {
        struct buf a = BUF_INIT, b = BUF_INIT, ab = BUF_INIT,
                   whole = BUF_INIT, parts = BUF_INIT;
        random_text(&a, rng() % 40, true);
        buf_append_char(&a, '\n');
        random_text(&b, rng() % 40, true);
        buf_append(&ab, a.data, a.len);
        buf_append(&ab, b.data, b.len);
        mime_qp_encode(ab.data, ab.len, &whole);
        mime_qp_encode(a.data, a.len, &parts);
        mime_qp_encode(b.data, b.len, &parts);
        if (whole.len != parts.len || memcmp(whole.data, parts.data, whole.len))
            fail_msg("round %d: QP of the whole differs from its halves", round);
        buf_release(&a);
        buf_release(&b);
        buf_release(&ab);
        buf_release(&whole);
        buf_release(&parts);
    }
}

static const char *const MARKS[] = {"zqNAMEq", "zqADDRq", "zqTOKq"};

/* A body with marks here and there: line starts, line ends, mid-line,
 * twice on a line, as the last bytes. */
static void
marked_text(struct buf *t, bool end_with_mark)
{
    size_t i, lines = 3 + rng() % 12;

    for (i = 0; i < lines; i++) {
        if (rng() % 3 == 0)
            buf_append_str(t, MARKS[rng() % 3]);
        random_text(t, rng() % 30, false);
        if (rng() % 3 == 0)
            buf_append_str(t, MARKS[rng() % 3]);
        if (rng() % 4 == 0) {
            random_text(t, rng() % 5, false);
            buf_append_str(t, MARKS[rng() % 3]);
        }
        buf_append_str(t, rng() % 5 ? "\n" : "\r\n");
    }
    if (end_with_mark)
        buf_append_str(t, MARKS[rng() % 3]);
}

static void
random_value(struct buf *v)
{
    random_text(v, rng() % 60, rng() % 8 == 0); /* now and then a LF */
}

/* What mime_build_with() writes with values is what mime_build() writes
 * for the same message with the values in place: over random bodies,
 * values (long ones force soft breaks), with and without HTML and
 * attachments. */
static void
test_mime_build_with_equals_build_of_the_filled_message(void **state)
{
    int round;
    (void)state;

    for (round = 0; round < 300; round++) {
        struct buf text = BUF_INIT, html = BUF_INIT, val[3], hval[3],
                   ftext = BUF_INIT, fhtml = BUF_INIT, a = BUF_INIT,
                   b = BUF_INIT;
        const char *tv[3], *hv[3];
        struct mime_message m;
        struct mime_body *body = NULL;
        struct err e = ERR_INIT;
        bool with_html = rng() % 3 != 0;
        size_t i;

        marked_text(&text, rng() % 4 == 0);
        marked_text(&html, rng() % 4 == 0);
        for (i = 0; i < 3; i++) {
            buf_init(&val[i]);
            buf_init(&hval[i]);
            random_value(&val[i]);
            random_value(&hval[i]);
            tv[i] = val[i].data;
            hv[i] = hval[i].data;
        }
        sample_message(&m, &text);
        m.html = with_html ? html.data : NULL;
        m.html_len = with_html ? html.len : 0;
        m.nattachments = rng() % 2;
        assert_int_equal(mime_body_new(&m, MARKS, 3, &body, &e), 0);
        assert_int_equal(mime_build_with(&m, body, tv, hv, &a, &e), 0);

        mime_fill_marks(text.data, text.len, MARKS, tv, 3, &ftext);
        mime_fill_marks(html.data, html.len, MARKS, hv, 3, &fhtml);
        m.text = ftext.data;
        m.text_len = ftext.len;
        m.html = with_html ? fhtml.data : NULL;
        m.html_len = with_html ? fhtml.len : 0;
        build_ok(&m, &b);
        if (a.len != b.len || memcmp(a.data, b.data, a.len))
            fail_msg("round %d: the prepared message differs", round);

        mime_body_free(body);
        for (i = 0; i < 3; i++) {
            buf_release(&val[i]);
            buf_release(&hval[i]);
        }
        buf_release(&text);
        buf_release(&html);
        buf_release(&ftext);
        buf_release(&fhtml);
        buf_release(&a);
        buf_release(&b);
    }
}

/* One body, many messages: each has its own boundaries (from its seed),
 * headers and values, and nothing of another's. */
static void
test_mime_build_with_keeps_messages_apart(void **state)
{
    struct buf text = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
    const char *va[3] = {"Jane", "jane@example.com", "tokA"};
    const char *vb[3] = {"Ola", "ola@example.net", "tokB"};
    struct mime_message m;
    struct mime_body *body = NULL;
    struct err e = ERR_INIT;
    (void)state;

    buf_append_str(&text, "Dear zqNAMEq,\nthe digest.\nLeave: zqTOKq\n");
    sample_message(&m, &text);
    assert_int_equal(mime_body_new(&m, MARKS, 3, &body, &e), 0);
    assert_int_equal(mime_build_with(&m, body, va, va, &a, &e), 0);
    m.to_name = "Ola";
    m.to_addr = "ola@example.net";
    m.boundary_seed = "issue-1/ola@example.net";
    assert_int_equal(mime_build_with(&m, body, vb, vb, &b, &e), 0);
    assert_non_null(strstr(a.data, "Dear Jane,"));
    assert_non_null(strstr(b.data, "Dear Ola,"));
    assert_null(strstr(b.data, "Jane"));
    assert_null(strstr(b.data, "tokA"));
    assert_null(strstr(a.data, "zq"));
    assert_null(strstr(b.data, "ZZZZ"));
    /* Both parse as MIME with their own boundary. */
    assert_non_null(strstr(a.data, "_alt"));
    assert_string_not_equal(strstr(a.data, "=_ad_"), strstr(b.data, "=_ad_"));
    /* A value holding a mark's text is written as it is. */
    buf_reset(&b);
    vb[0] = "zqTOKq";
    assert_int_equal(mime_build_with(&m, body, vb, vb, &b, &e), 0);
    assert_non_null(strstr(b.data, "Dear zqTOKq,"));
    mime_body_free(body);
    buf_release(&text);
    buf_release(&a);
    buf_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mime_build_has_crlf_and_short_lines),
        cmocka_unit_test(test_mime_build_headers_in_order),
        cmocka_unit_test(test_mime_build_alternative_plain_before_html),
        cmocka_unit_test(test_mime_build_text_only_is_single_part),
        cmocka_unit_test(test_mime_build_is_deterministic),
        cmocka_unit_test(test_mime_build_half_hour_zones),
        cmocka_unit_test(test_mime_build_rejects_bad_addresses),
        cmocka_unit_test(test_mime_unstructured_ascii_folds_at_spaces),
        cmocka_unit_test(test_mime_unstructured_non_ascii_uses_encoded_words),
        cmocka_unit_test(test_mime_unstructured_controls_become_spaces),
        cmocka_unit_test(test_mime_mailbox_quotes_or_encodes_names),
        cmocka_unit_test(test_mime_message_id_is_deterministic),
        cmocka_unit_test(test_mime_qp_encode_round_trips_within_limits),
        cmocka_unit_test(test_mime_build_passes_python_oracle),
        cmocka_unit_test(test_mime_build_header_injection_stays_text),
        cmocka_unit_test(test_mime_build_passes_check_eml_strict),
        cmocka_unit_test(test_mime_qp_encodes_line_runs_alike),
        cmocka_unit_test(test_mime_build_with_equals_build_of_the_filled_message),
        cmocka_unit_test(test_mime_build_with_keeps_messages_apart),
    };

    return cmocka_run_group_tests_name("mime", tests, NULL, NULL);
}

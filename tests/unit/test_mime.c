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
#include "arctic_digest/util.h"
#include "mime_int.h"
#include "oracle.h"
#include "unit_files.h"

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
    ATT_NAME, "application/x-bibtex", ATT_DATA, sizeof(ATT_DATA) - 1, NULL,
    NULL};

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

/* qp, the encoding of text, is well formed (CRLF line ends, lines of at
 * most 76, ASCII, no white space before a line end, no soft break inside
 * a UTF-8 sequence) and decodes to text with CRLF line ends. */
static void
assert_qp_of(const struct buf *text, const struct buf *qp)
{
    struct buf back = BUF_INIT, want = BUF_INIT;
    size_t i;

    assert_crlf_only(qp->data, qp->len);
    assert_true(max_line(qp->data, qp->len) <= 76);
    for (i = 0; i + 1 < qp->len; i++) {
        unsigned char c = (unsigned char)qp->data[i];
        assert_true(c < 0x80);
        if (qp->data[i + 1] == '\r')
            assert_true(c != ' ' && c != '\t');
        if (i >= 2 && memcmp(qp->data + i - 2, "=\r\n", 3) == 0 &&
            qp->data[i + 1] == '=')
            assert_true(strchr("89AB", qp->data[i + 2]) == NULL);
    }
    qp_decode(qp->data, qp->len, &back);
    for (i = 0; i < text->len; i++) {
        if (text->data[i] == '\n' && (i == 0 || text->data[i - 1] != '\r'))
            buf_append_char(&want, '\r');
        buf_append_char(&want, text->data[i]);
    }
    assert_int_equal(back.len, want.len);
    assert_memory_equal(back.data, want.data, want.len);
    buf_release(&want);
    buf_release(&back);
}

static void
test_mime_qp_encode_round_trips_within_limits(void **state)
{
    struct buf text = BUF_INIT;
    struct buf qp = BUF_INIT;
    (void)state;

    sample_text(&text);
    mime_qp_encode(text.data, text.len, &qp);
    assert_qp_of(&text, &qp);
    assert_non_null(strstr(qp.data, "\r\n=46rom the editor\r\n=2E\r\n"));
    assert_non_null(strstr(qp.data, "trailing spaces  =20\r\n"));
    assert_non_null(strstr(qp.data, "x =3D y, a=3D=3Db"));
    buf_release(&qp);
    buf_release(&text);
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

    if (fixtures == NULL)
        fail_msg("AD_FIXTURES is not set (run through ctest)");
    build_ok(m, &msg);
    assert_non_null(mkdtemp(dir));
    unit_write_in(dir, "m.eml", msg.data, msg.len);
    unit_write_in(dir, "subject.txt", subject_want, strlen(subject_want));
    unit_write_in(dir, "from_name.txt", from_want, strlen(from_want));
    unit_write_in(dir, "to_name.txt", to_want, strlen(to_want));
    unit_write_in(dir, "text.txt", m->text, m->text_len);
    unit_write_in(dir, "html.txt", m->html, m->html_len);
    unit_write_in(dir, "att_name.txt", ATT_NAME, strlen(ATT_NAME));
    unit_write_in(dir, "att_data.bin", ATT_DATA, strlen(ATT_DATA));
    assert_true(snprintf(cmd, sizeof(cmd),
                         PYTHON " '%s/mime/check_message.py' '%s/m.eml' '%s'",
                         fixtures, dir, dir) < (int)sizeof(cmd));
    rc = run(cmd);
    unit_remove_tree(dir);
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
        oracle_missing("%s (the email package checks the message)", PYTHON);
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
        oracle_missing("%s (the email package checks the message)", PYTHON);
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

/* "local@" + labels of label_len joined by dots, then ".org". */
static void
addr_of(struct buf *b, size_t local, size_t label_len, size_t labels)
{
    size_t i;

    buf_reset(b);
    for (i = 0; i < local; i++)
        buf_append_char(b, 'l');
    buf_append_char(b, '@');
    for (i = 0; i < labels; i++) {
        size_t j;
        for (j = 0; j < label_len; j++)
            buf_append_char(b, 'd');
        buf_append_char(b, '.');
    }
    buf_append_str(b, "org");
}

static void
check_addr(const struct buf *b, size_t want_len, const char *why)
{
    struct err e = ERR_INIT;
    int rc;

    assert_int_equal(b->len, want_len);
    rc = mime_addr_check(b->data, b->len, &e);
    if (why == NULL && rc != 0)
        fail_msg("%zu octets: refused: %s", b->len, e.msg);
    if (why != NULL && (rc != -1 || e.code != ERR_DATA ||
                        strcmp(e.msg, why) != 0))
        fail_msg("%zu octets: rc %d, '%s', wanted '%s'", b->len, rc, e.msg,
                 why);
    assert_int_equal(mime_addr_is_valid(b->data), why == NULL);
}

/* RFC 5321 4.5.3.1: local part 64, address 254 (the path's 256 less the
 * angle brackets), label 63 octets; one past each is refused with its
 * reason. */
static void
test_mime_addr_check_length_limits_and_reasons(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    addr_of(&b, 64, 10, 1);
    check_addr(&b, 64 + 1 + 11 + 3, NULL);
    addr_of(&b, 65, 10, 1);
    check_addr(&b, 65 + 1 + 11 + 3,
               "the part before '@' is longer than 64 octets");
    addr_of(&b, 62, 46, 4); /* 62 + 1 + 4 * 47 + 3 */
    check_addr(&b, 254, NULL);
    addr_of(&b, 63, 46, 4);
    check_addr(&b, 255, "longer than 254 octets");
    addr_of(&b, 1, 63, 1);
    check_addr(&b, 1 + 1 + 64 + 3, NULL);
    addr_of(&b, 1, 64, 1);
    check_addr(&b, 1 + 1 + 65 + 3, "domain label longer than 63 octets");
    buf_release(&b);
}

/* Exact encodings: what stays ASCII, where Q words split and fold. */
static void
test_mime_unstructured_exact_forms(void **state)
{
    static const struct {
        const char *in;
        size_t name_len;
        const char *out;
    } v[] = {
        /* '=' and '?' apart are plain ASCII; "=?" together is not */
        {"1 + 1 = 2? Yes", 9, "1 + 1 = 2? Yes"},
        {"see =?x?=", 9, "=?UTF-8?B?c2VlID0/eD89?="},
        /* digits, letters and !*+-/ go as they are in a Q word */
        {"N\xC2\xBA 19 of 2025", 9, "=?UTF-8?Q?N=C2=BA_19_of_2025?="},
        {"\xC3\xB8 a!*+-/z", 9, "=?UTF-8?Q?=C3=B8_a!*+-/z?="},
        /* a byte that is not UTF-8 becomes U+FFFD */
        {"caf\xE9 noir", 9, "=?UTF-8?B?Y2Fm77+9IG5vaXI=?="},
        /* less than 24 columns left: fold before the first word */
        {"\xC3\xB8", 54, "=?UTF-8?B?w7g=?="},
        {"\xC3\xB8", 55, "\r\n =?UTF-8?B?w7g=?="},
        /* words as long as the line allows, split inside a word */
        {"Arctic Digest N\xC2\xBA 12: Sino-Russian Arctic Cooperation, "
         "Systemic Pressure and Historical Distrust in 2025",
         9,
         "=?UTF-8?Q?Arctic_Digest_N=C2=BA_12=3A_Sino-Russian_Arctic_"
         "Cooperati?=\r\n"
         " =?UTF-8?Q?on=2C_Systemic_Pressure_and_Historical_Distrust_in_"
         "2025?="},
    };
    struct buf b = BUF_INIT;
    size_t i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        buf_reset(&b);
        mime_encode_unstructured(v[i].in, v[i].name_len, &b);
        if (strcmp(b.data, v[i].out) != 0)
            fail_msg("'%s' (col %zu): got '%s', want '%s'", v[i].in,
                     v[i].name_len, b.data, v[i].out);
    }
    buf_release(&b);
}

/* The id is the first 128 bits of SHA-256(unique) in hex (Python's
 * hashlib agrees), at the sender's domain cleaned to letters, digits, '-'
 * and '.', or at localhost when there is none. */
static void
test_mime_message_id_exact_values(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    mime_message_id("issue-1/jane@example.com", "digest@Frozen-Zone9.example",
                    &b);
    assert_string_equal(b.data, "<ab7c0393b1c89cc43dc6016c3990b118"
                                "@Frozen-Zone9.example>");
    buf_reset(&b);
    mime_message_id(NULL, NULL, &b);
    assert_string_equal(b.data, "<e3b0c44298fc1c149afbf4c8996fb924"
                                "@localhost>");
    buf_reset(&b);
    mime_message_id("", "no-at-sign", &b);
    assert_string_equal(b.data, "<e3b0c44298fc1c149afbf4c8996fb924"
                                "@localhost>");
    buf_reset(&b);
    mime_message_id("", "x@\"<>\"", &b);
    assert_string_equal(b.data, "<e3b0c44298fc1c149afbf4c8996fb924"
                                "@localhost>");
    buf_release(&b);
}

/* ASCII folding: a word that ends on column 78 stays on its line; a word
 * longer than a line cannot be folded, and the whole value goes as
 * encoded words, with nothing of the ASCII attempt left before them. */
static void
test_mime_unstructured_ascii_fold_boundaries(void **state)
{
    struct buf in = BUF_INIT, b = BUF_INIT;
    size_t i;
    (void)state;

    buf_append_str(&in, "Arctic ");
    for (i = 0; i < 62; i++)
        buf_append_char(&in, 'x');
    /* "Subject: " (9) + 7 + 62 = 78 */
    mime_encode_unstructured(in.data, 9, &b);
    assert_string_equal(b.data, in.data);
    buf_reset(&b);
    buf_append_str(&in, " y");
    mime_encode_unstructured(in.data, 9, &b);
    assert_int_equal(b.len, in.len + 2);
    assert_memory_equal(b.data + 69, "\r\n y", 4);
    buf_reset(&b);
    buf_reset(&in);
    buf_append_str(&in, "short ");
    for (i = 0; i < 80; i++)
        buf_append_char(&in, 'z');
    mime_encode_unstructured(in.data, 9, &b);
    assert_true(strncmp(b.data, "=?UTF-8?Q?short_zzz", 19) == 0);
    buf_release(&in);
    buf_release(&b);
}

/* Exact quoted-printable: line limits at 76 counting the soft break "=",
 * white space and "." / "From " at line ends and starts, the literal
 * range 33..126 less '=', CRLF. */
/* Random bodies (long lines, lone CRs, CRLFs, white space before line
 * ends, "From " and "." at line starts, 2- to 4-byte UTF-8 and bad
 * bytes): every encoding keeps the limits, decodes back, and encoding
 * the body in runs cut after a LF gives the same bytes as encoding it
 * whole (what mime_body_new relies on). */
static void
test_mime_qp_encode_random_bodies_round_trip(void **state)
{
    static const char *const pieces[] = {
        "a", "Z", " ", "\t", "\r", "\n", "\r\n", "=", ".", "From ",
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "\xff", "word ",
        "\x01"};
    unsigned long seed = 12345;
    int round;
    (void)state;

    for (round = 0; round < 300; round++) {
        struct buf text = BUF_INIT, qp = BUF_INIT, runs = BUF_INIT;
        size_t i, k, len, cut;

        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        len = (seed >> 33) % 400;
        for (k = 0; k < len; k++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            /* newlines are rare, so lines get long */
            i = (seed >> 33) % (sizeof(pieces) / sizeof(pieces[0]) * 4);
            if (i >= sizeof(pieces) / sizeof(pieces[0]))
                i = i % 3 == 0 ? 14 : 0;
            buf_append_str(&text, pieces[i]);
        }
        mime_qp_encode(text.data, text.len, &qp);
        assert_qp_of(&text, &qp);
        /* in runs: cut after every LF */
        for (i = 0, cut = 0; i < text.len; i++) {
            if (text.data[i] == '\n') {
                mime_qp_encode(text.data + cut, i + 1 - cut, &runs);
                cut = i + 1;
            }
        }
        mime_qp_encode(text.data + cut, text.len - cut, &runs);
        assert_int_equal(runs.len, qp.len);
        assert_memory_equal(runs.data, qp.data, qp.len);
        buf_release(&text);
        buf_release(&qp);
        buf_release(&runs);
    }
}

static void
test_mime_qp_encode_exact_forms(void **state)
{
    static const char a75[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", ""},
        {"a\n", "a\r\n"},
        {"x=y\r\nz", "x=3Dy\r\nz=\r\n"},
        {"a \n\t\nend", "a=20\r\n=09\r\nend=\r\n"},
        {".\nFrom x\nFrom\n.x", "=2E\r\n=46rom x\r\nFrom\r\n=2Ex=\r\n"},
        {"\x1F !~\x7F", "=1F !~=7F=\r\n"},
    };
    struct buf in = BUF_INIT, b = BUF_INIT, want = BUF_INIT;
    size_t i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        buf_reset(&b);
        mime_qp_encode(v[i].in, strlen(v[i].in), &b);
        if (strcmp(b.data, v[i].out) != 0)
            fail_msg("'%s': got '%s', want '%s'", v[i].in, b.data, v[i].out);
    }
    /* 76 octets and a line end fill a line; 77 do not fit. */
    buf_appendf(&in, "%sa\n", a75);
    mime_qp_encode(in.data, in.len, &b);
    buf_reset(&b);
    mime_qp_encode(in.data, in.len, &b);
    buf_appendf(&want, "%sa\r\n", a75);
    assert_string_equal(b.data, want.data);
    buf_reset(&in);
    buf_reset(&b);
    buf_reset(&want);
    buf_appendf(&in, "%saa\n", a75);
    mime_qp_encode(in.data, in.len, &b);
    buf_appendf(&want, "%s=\r\naa\r\n", a75);
    assert_string_equal(b.data, want.data);
    /* Without a final line end the soft break "=" counts too: 75 + "=". */
    buf_reset(&in);
    buf_reset(&b);
    buf_reset(&want);
    buf_appendf(&in, "%sa", a75);
    mime_qp_encode(in.data, in.len, &b);
    buf_appendf(&want, "%s=\r\na=\r\n", a75);
    assert_string_equal(b.data, want.data);
    /* ... even when a line end follows (p, n) in memory: only n counts */
    buf_append_char(&in, '\n');
    buf_reset(&b);
    mime_qp_encode(in.data, in.len - 1, &b);
    assert_string_equal(b.data, want.data);
    /* A "." or "From " that a soft break puts at a line start is
     * encoded as at any line start. */
    buf_reset(&in);
    buf_reset(&b);
    buf_reset(&want);
    buf_appendf(&in, "%s.x\n%sFrom x\n", a75, a75);
    mime_qp_encode(in.data, in.len, &b);
    buf_appendf(&want, "%s=\r\n=2Ex\r\n%s=\r\n=46rom x\r\n", a75, a75);
    assert_string_equal(b.data, want.data);
    /* An encoded UTF-8 letter moves to the next line whole. */
    buf_reset(&in);
    buf_reset(&b);
    buf_reset(&want);
    buf_append(&in, a75, 74);
    buf_append_str(&in, "\xC3\xA9x\n");
    mime_qp_encode(in.data, in.len, &b);
    buf_append(&want, a75, 74);
    buf_append_str(&want, "=\r\n=C3=A9x\r\n");
    assert_string_equal(b.data, want.data);
    buf_release(&in);
    buf_release(&b);
    buf_release(&want);
}

/* The reason given for each kind of fault, exactly, with no detail code;
 * the first fault of the string counts. */
static void
test_mime_addr_check_exact_reasons(void **state)
{
    static const struct {
        const char *addr;
        const char *why;
    } v[] = {
        {"a\x01" "b@example.org", "control character (0x01) at octet 2"},
        {"ab@exa\x7fmple.org", "control character (0x7f) at octet 7"},
        {"j\xC3\xB6rg@example.org",
         "non-ASCII at octet 2: internationalised addresses cannot be sent "
         "by this tool yet (no SMTPUTF8)"},
        {"a.b(c@example.org", "character '(' not allowed before '@'"},
        {"a..b@example.org", "two dots in a row before '@'"},
        {".ab@example.org", "a dot starts or ends the part before '@'"},
        {"ab@exa_mple.org", "character '_' not allowed in a domain"},
        {"ab@-example.org", "a domain label starts or ends with '-'"},
        {"ab@example..org", "empty domain label (a leading, trailing or "
                            "double dot)"},
        {"ab@example", "the domain has no dot"},
        {"ab@example.123", "the top-level domain is a number (an IP "
                           "address? give a domain name)"},
        {"ab@[192.0.2.1]", "address literals ([...]) cannot be sent to: give "
                           "a domain name"},
        {"ab@", "no domain after '@'"},
        {"@example.org", "nothing before '@'"},
        {"ab", "no '@'"},
        {"a@b@example.org", "more than one '@'"},
    };
    size_t i;
    (void)state;

    for (i = 0; i < ARRAY_SIZE(v); i++) {
        struct err e = ERR_INIT;
        int rc = mime_addr_check(v[i].addr, strlen(v[i].addr), &e);

        if (rc != -1 || e.code != ERR_DATA || e.detail != 0 ||
            strcmp(e.msg, v[i].why) != 0)
            fail_msg("'%s': rc %d code %d detail %d '%s', want '%s'",
                     v[i].addr, rc, (int)e.code, e.detail, e.msg, v[i].why);
    }
    /* The characters of a dot-atom (RFC 5322 3.2.3), NUL not among them. */
    assert_true(mime_is_atext('a') && mime_is_atext('9') &&
                mime_is_atext('~') && mime_is_atext('!'));
    assert_false(mime_is_atext('\0') || mime_is_atext('.') ||
                 mime_is_atext('(') || mime_is_atext(' '));
    assert_true(mime_is_dot_atom("a.b", 3));
    assert_false(mime_is_dot_atom("a..b", 4) || mime_is_dot_atom(".a", 2) ||
                 mime_is_dot_atom("a.", 2) || mime_is_dot_atom("", 0));
}

/* RFC 2047 4.2(2)/(3): in a Q word '_' stands for a space, so a real '_'
 * (and '=', '?') must be hex-encoded; a space becomes '_'. */
static void
test_mime_q_words_encode_underscore_and_specials(void **state)
{
    struct buf b = BUF_INIT;
    (void)state;

    mime_encode_unstructured("T\xC3\xB8rshavn_Arctic notes", 9, &b);
    assert_string_equal(b.data, "=?UTF-8?Q?T=C3=B8rshavn=5FArctic_notes?=");
    buf_reset(&b);
    mime_encode_mailbox("Arctic_Notes, \"Editors\" from T\xC3\xB8rshavn?=",
                        "a@example.org", 6, &b);
    assert_string_equal(b.data, "=?UTF-8?Q?Arctic=5FNotes=2C_=22Editors=22_"
                                "from_T=C3=B8rshavn=3F=3D?=\r\n <a@example.org>");
    buf_release(&b);
}

/* xorshift32: the round trip's random text, the same on every run. */
static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Random UTF-8 text of 1 to 40 pieces, rich in what RFC 2047 must encode
 * ('_', '=', '?', '"', ',') and in multi-octet sequences; no space at
 * either end (header parsers drop them) and no two spaces in a row.  When
 * mostly_ascii, one non-ASCII letter among ASCII pieces, so that the
 * encoder picks Q rather than B. */
static void
random_text(uint32_t *seed, bool mostly_ascii, struct buf *out)
{
    static const char *const pieces[] = {
        "_",  "=",  "?",  "\"", ",",  " ",  "a", "Z", "9", "-", "!", "(",
        ":",  "\\", "=?", "?=", "_x", "\xC3\xA9", "\xC3\xB8",
        "\xE2\x80\x94", "\xE2\x80\x99", "\xF0\x9D\x94\xB8",
        "\xD0\x96", "Arctic", "=?UTF-8?Q?a_b?="};
    size_t n = 1 + next_rand(seed) % 40, i;
    size_t from = mostly_ascii ? 17 : ARRAY_SIZE(pieces);

    buf_reset(out);
    if (mostly_ascii)
        buf_append_str(out, "\xC3\xB8");
    for (i = 0; i < n; i++) {
        const char *p = pieces[next_rand(seed) % from];
        if (p[0] == ' ' &&
            (out->len == 0 || out->data[out->len - 1] == ' ' || i + 1 == n))
            p = "_";
        buf_append_str(out, p);
    }
}

static void
append_hex(struct buf *out, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        buf_appendf(out, "%02x", (unsigned char)p[i]);
}

/* Property: Python's email package decodes every Subject and From display
 * name we encode back to the text we encoded (seeded random UTF-8 with
 * '_ = ? " ,'), and no line of them is over 78 octets. */
static void
test_mime_encoded_words_round_trip_through_python_email(void **state)
{
    const char *fixtures = getenv("AD_FIXTURES");
    char dir[] = "/tmp/ad-test-mime-XXXXXX";
    char cmd[1024];
    struct buf text = BUF_INIT, hdr = BUF_INIT, cases = BUF_INIT;
    uint32_t seed = 20250722u;
    int i;
    (void)state;

    if (fixtures == NULL)
        fail_msg("AD_FIXTURES is not set (run through ctest)");
    if (access(PYTHON, X_OK) != 0)
        oracle_missing("%s (the email package decodes the headers)", PYTHON);
    for (i = 0; i < 400; i++) {
        const char *line;
        size_t name_len = i % 2 == 0 ? strlen("Subject: ") : strlen("From: ");

        random_text(&seed, i % 4 >= 2, &text);
        if (i == 0)
            buf_append_str(&text, " a_b \xC3\xA9_=?\"x,y\"");
        buf_reset(&hdr);
        if (i % 2 == 0) {
            mime_encode_unstructured(text.data, name_len, &hdr);
            buf_append_str(&cases, "U\t");
            append_hex(&cases, text.data, text.len);
        } else {
            mime_encode_mailbox(text.data, "reader@example.org", name_len,
                                &hdr);
            buf_append_str(&cases, "M\t");
            append_hex(&cases, text.data, text.len);
            buf_append_str(&cases, "\treader@example.org");
        }
        /* The promise of mime.h: folded so that no line passes 78. */
        line = hdr.data;
        while (line != NULL) {
            const char *eol = strstr(line, "\r\n");
            size_t len = eol ? (size_t)(eol - line) : strlen(line);
            if (line == hdr.data)
                len += name_len;
            if (len > 78)
                fail_msg("line of %zu octets in '%s'", len, hdr.data);
            line = eol ? eol + 2 : NULL;
        }
        buf_append_str(&cases, "\t");
        append_hex(&cases, hdr.data, hdr.len);
        buf_append_char(&cases, '\n');
    }
    assert_non_null(mkdtemp(dir));
    unit_write_in(dir, "cases.tsv", cases.data, cases.len);
    assert_true(snprintf(cmd, sizeof(cmd),
                         PYTHON " '%s/mime/check_roundtrip.py' '%s/cases.tsv'",
                         fixtures, dir) < (int)sizeof(cmd));
    i = run(cmd);
    unit_remove_tree(dir);
    buf_release(&text);
    buf_release(&hdr);
    buf_release(&cases);
    assert_int_equal(i, 0);
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
        access(tool, R_OK) != 0 || access(PYTHON, X_OK) != 0)
        oracle_missing("check-eml: no %s/../tools/check-eml or no %s",
                       conf ? conf : "(AD_CONFORMANCE_DIR unset)", PYTHON);
    sample_text(&text);
    sample_message(&m, &text);
    build_ok(&m, &msg);
    assert_non_null(mkdtemp(dir));
    unit_write_in(dir, "m.eml", msg.data, msg.len);
    assert_true(snprintf(cmd, sizeof(cmd),
                         PYTHON " '%s' --strict '%s/m.eml' >&2", tool,
                         dir) < (int)sizeof(cmd));
    assert_int_equal(run(cmd), 0);
    unit_remove_tree(dir);
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
qp_random_text(struct buf *b, size_t pieces, bool newlines)
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
        qp_random_text(&a, rng() % 40, true);
        buf_append_char(&a, '\n');
        qp_random_text(&b, rng() % 40, true);
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
        qp_random_text(t, rng() % 30, false);
        if (rng() % 3 == 0)
            buf_append_str(t, MARKS[rng() % 3]);
        if (rng() % 4 == 0) {
            qp_random_text(t, rng() % 5, false);
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
    qp_random_text(v, rng() % 60, rng() % 8 == 0); /* now and then a LF */
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

/* The message of tests/fixtures/mime/attachments*.expected: a text and an
 * HTML body with marks, and attachments of 58 bytes (a second base64
 * line of one group), none, 200 bytes and 57 bytes (one full line). */
static char att_bytes[256];
static struct mime_attachment att_fix[4] = {
    {"citations.bib", "application/x-bibtex", att_bytes, 58, NULL, NULL},
    {"empty.txt", "text/plain", att_bytes, 0, NULL, NULL},
    {"r\xC3\xA9sum\xC3\xA9 of the issue's citations, in RIS.ris",
     "application/x-research-info-systems", att_bytes + 17, 200, NULL, NULL},
    {"a.bin", "application/octet-stream", att_bytes + 3, 57, NULL, NULL},
};

static void
attachments_message(struct mime_message *m)
{
    size_t i;

    for (i = 0; i < sizeof(att_bytes); i++)
        att_bytes[i] = (char)(i * 37 + 11);
    memset(m, 0, sizeof(*m));
    m->from_name = "Arctic Digest";
    m->from_addr = "digest@arctic.example.org";
    m->to_name = "Jane";
    m->to_addr = "jane@example.com";
    m->subject = "Arctic Digest #3";
    m->date = dt_from_time(1753156800, 7200);
    m->message_id = "<fixture@arctic.example.org>";
    m->text = "Dear zqNAMEq,\n.the digest\nFrom here on\n";
    m->text_len = strlen(m->text);
    m->html = "<p>Dear zqNAMEq,</p>\n<p style=\"x\">the digest</p>\n";
    m->html_len = strlen(m->html);
    m->attachments = att_fix;
    m->nattachments = 4;
    m->boundary_seed = "issue-3/jane@example.com";
}

static void
read_fixture(const char *name, struct buf *out)
{
    const char *fixtures = getenv("AD_FIXTURES");
    struct buf path = BUF_INIT;
    struct err e = ERR_INIT;

    if (fixtures == NULL)
        fail_msg("AD_FIXTURES is not set (run through ctest)");
    buf_appendf(&path, "%s/mime/%s", fixtures, name);
    if (buf_read_file(out, path.data, 0, &e) < 0)
        fail_msg("%s", e.msg);
    buf_release(&path);
}

/* An attachment made in parts of 1, 60, 3 and the rest of its bytes. */
struct parts_of {
    const char *p;
    size_t n, at, calls;
};

static bool
make_in_parts(void *ctx, struct buf *out)
{
    static const size_t sizes[] = {1, 60, 3};
    struct parts_of *po = ctx;
    size_t k;

    if (po->at >= po->n)
        return false;
    k = po->calls < 3 ? sizes[po->calls] : po->n - po->at;
    if (k > po->n - po->at)
        k = po->n - po->at;
    buf_append(out, po->p + po->at, k);
    po->at += k;
    po->calls++;
    return true;
}

/* Attachments made a part at a time (mime_make_fn) give the bytes of the
 * same attachments given whole: the base64 lines do not follow the
 * parts. */
static void
test_mime_body_attachments_made_in_parts(void **state)
{
    struct buf want = BUF_INIT, got = BUF_INIT;
    const char *values[3] = {"Jane", "jane@example.com", "tok"};
    struct mime_attachment made[4];
    struct parts_of po[4];
    struct mime_message m;
    struct mime_body *body = NULL;
    struct err e = ERR_INIT;
    size_t i;
    (void)state;

    read_fixture("attachments.expected", &want);
    attachments_message(&m);
    for (i = 0; i < 4; i++) {
        made[i] = att_fix[i];
        po[i] = (struct parts_of){att_fix[i].data, att_fix[i].len, 0, 0};
        made[i].data = NULL;
        made[i].len = 0;
        made[i].make = make_in_parts;
        made[i].make_ctx = &po[i];
    }
    m.attachments = made;
    assert_int_equal(mime_body_new(&m, MARKS, 3, &body, &e), 0);
    assert_int_equal(po[2].calls, 4); /* 200 bytes: 1, 60, 3 and 136 */
    assert_int_equal(po[1].calls, 0); /* the empty one */
    assert_int_equal(mime_build_with(&m, body, values, values, &got, &e), 0);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    mime_body_free(body);
    buf_release(&want);
    buf_release(&got);
}

/*
 * The message in pieces is byte for byte what libetpan made of it whole
 * (the fixtures were written by mime_build() when libetpan still encoded
 * the attachments' base64), with the HTML part and without it (one body
 * serves both), and only the few personal bytes are copies: the bodies
 * and attachments are borrowed from the prepared body.
 */
static void
test_mime_build_pieces_equal_the_whole_message(void **state)
{
    struct buf want = BUF_INIT, want_text = BUF_INIT, got = BUF_INIT;
    const char *values[3] = {"Jane", "jane@example.com", "tok"};
    struct buf_list l = BUF_LIST_INIT;
    struct mime_message m;
    struct mime_body *body = NULL;
    struct err e = ERR_INIT;
    size_t k, own = 0;
    (void)state;

    read_fixture("attachments.expected", &want);
    read_fixture("attachments_text_only.expected", &want_text);
    attachments_message(&m);
    assert_int_equal(mime_body_new(&m, MARKS, 3, &body, &e), 0);

    assert_int_equal(
        mime_build_pieces(&m, body, 0, values, values, &l, &e), 0);
    assert_int_equal(l.len, want.len);
    buf_list_join(&l, &got);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    for (k = 0; k < l.nown; k++)
        own += l.own[k].len;
    /* the header block (under 600 bytes), two boundaries and the two
     * lines with a name */
    assert_true(own < 800);
    assert_true(l.len > 1500);

    buf_list_reset(&l);
    buf_reset(&got);
    assert_int_equal(mime_build_pieces(&m, body, MIME_TEXT_ONLY, values,
                                       values, &l, &e),
                     0);
    buf_list_join(&l, &got);
    assert_int_equal(got.len, want_text.len);
    assert_memory_equal(got.data, want_text.data, want_text.len);

    /* mime_build_with and mime_build write the same bytes. */
    buf_reset(&got);
    assert_int_equal(mime_build_with(&m, body, values, values, &got, &e), 0);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    mime_body_free(body);

    buf_list_release(&l);
    buf_release(&want);
    buf_release(&want_text);
    buf_release(&got);
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
        cmocka_unit_test(test_mime_qp_encode_exact_forms),
        cmocka_unit_test(test_mime_qp_encode_random_bodies_round_trip),
        cmocka_unit_test(test_mime_build_passes_python_oracle),
        cmocka_unit_test(test_mime_build_header_injection_stays_text),
        cmocka_unit_test(test_mime_build_passes_check_eml_strict),
        cmocka_unit_test(test_mime_qp_encodes_line_runs_alike),
        cmocka_unit_test(test_mime_build_with_equals_build_of_the_filled_message),
        cmocka_unit_test(test_mime_build_with_keeps_messages_apart),
        cmocka_unit_test(test_mime_build_pieces_equal_the_whole_message),
        cmocka_unit_test(test_mime_body_attachments_made_in_parts),
        cmocka_unit_test(test_mime_q_words_encode_underscore_and_specials),
        cmocka_unit_test(test_mime_unstructured_exact_forms),
        cmocka_unit_test(test_mime_message_id_exact_values),
        cmocka_unit_test(test_mime_unstructured_ascii_fold_boundaries),
        cmocka_unit_test(test_mime_addr_check_length_limits_and_reasons),
        cmocka_unit_test(test_mime_addr_check_exact_reasons),
        cmocka_unit_test(test_mime_encoded_words_round_trip_through_python_email),
    };

    return oracle_exit(
        cmocka_run_group_tests_name("mime", tests, NULL, NULL));
}

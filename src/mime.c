/*
 * mime: the digest message, built as a libetpan MIME tree.
 *
 * libetpan owns the structure (parts, Content-Type, boundaries, base64);
 * the top-level header block and the quoted-printable bodies are made here
 * (see mime_header.c and mime_qp.c for why).  Boundaries are derived from
 * the boundary seed and contain "=_", which quoted-printable and base64
 * output can never contain.
 */
#include "arctic_digest/mime.h"

#include <libetpan/libetpan.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arctic_digest/util.h"
#include "mime_int.h"

#define FILENAME_PLAIN_MAX 60 /* longer names use RFC 2231 continuations */
#define FILENAME_SEGMENT 60
/* Caps on values written unfolded, so no line can pass 998 octets. */
#define UNFOLDED_MAX 900

static bool
is_printable_ascii(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return false;
    }
    return true;
}

static bool
msgid_is_valid(const char *id)
{
    size_t n = strlen(id);
    const char *at = strchr(id, '@');

    if (n < 5 || n > UNFOLDED_MAX || id[0] != '<' || id[n - 1] != '>' ||
        at == NULL)
        return false;
    return mime_is_dot_atom(id + 1, (size_t)(at - id - 1)) &&
           mime_is_dot_atom(at + 1, (size_t)(id + n - 1 - at - 1));
}

bool
mime_list_id_is_valid(const char *s)
{
    const char *lt = strrchr(s, '<');
    size_t n = strlen(s);

    if (lt == NULL)
        return n <= UNFOLDED_MAX && mime_is_dot_atom(s, n);
    return n >= 2 && strlen(lt) <= UNFOLDED_MAX && s[n - 1] == '>' &&
           mime_is_dot_atom(lt + 1, (size_t)(s + n - 1 - lt - 1));
}

/*
 * The next "<URI>" of a List-Unsubscribe value at or after *p, skipping the
 * commas and spaces between entries; sets *n to its length and moves *p
 * past it.  NULL at the end or, with *p left at it, on anything else.
 */
static const char *
next_uri(const char **p, size_t *n)
{
    const char *s = *p + strspn(*p, ", ");
    const char *gt;

    *p = s;
    if (*s != '<')
        return NULL;
    gt = strchr(s, '>');
    if (gt == NULL || gt == s + 1 || gt - s >= UNFOLDED_MAX ||
        strcspn(s + 1, "< ") < (size_t)(gt - s - 1))
        return NULL;
    *n = (size_t)(gt - s + 1);
    *p = gt + 1;
    return s;
}

static bool
uri_list_is_valid(const char *list)
{
    const char *p = list;
    size_t n;
    bool any = false;

    if (!is_printable_ascii(list))
        return false;
    while (next_uri(&p, &n) != NULL)
        any = true;
    return any && *p == '\0';
}

static int
check_addr(const char *field, const char *addr, struct err *e)
{
    if (addr == NULL)
        return err_set(e, ERR_DATA, 0, "message has no %s", field);
    if (mime_addr_check(addr, strlen(addr), e) < 0)
        return err_prefix(e, "%s '%s'", field, addr);
    return 0;
}

static int
check_attachment(const struct mime_attachment *a, size_t i, struct err *e)
{
    if (a->filename == NULL || a->filename[0] == '\0')
        return err_set(e, ERR_DATA, 0, "attachment %zu has no file name", i);
    if (a->content_type == NULL || !is_printable_ascii(a->content_type))
        return err_set(e, ERR_DATA, 0, "attachment '%s': bad content type",
                       a->filename);
    if (a->data == NULL && a->len > 0)
        return err_set(e, ERR_DATA, 0, "attachment '%s' has no data",
                       a->filename);
    return 0;
}

static int
check_message(const struct mime_message *m, struct err *e)
{
    size_t i;

    if (check_addr("from_addr", m->from_addr, e) < 0 ||
        check_addr("to_addr", m->to_addr, e) < 0 ||
        (m->reply_to != NULL && check_addr("reply_to", m->reply_to, e) < 0))
        return -1;
    if (m->subject == NULL)
        return err_set(e, ERR_DATA, 0, "message has no subject");
    if (m->message_id == NULL || !msgid_is_valid(m->message_id))
        return err_set(e, ERR_DATA, 0, "message_id '%s' is not <id@domain>",
                       m->message_id != NULL ? m->message_id : "");
    if (m->text == NULL)
        return err_set(e, ERR_DATA, 0, "message has no text body");
    if (m->list_id != NULL && !mime_list_id_is_valid(m->list_id))
        return err_set(e, ERR_DATA, 0, "list_id '%s' is not 'Name <id>'",
                       m->list_id);
    if (m->list_unsubscribe != NULL &&
        !uri_list_is_valid(m->list_unsubscribe))
        return err_set(e, ERR_DATA, 0, "list_unsubscribe '%s' is not <URI>",
                       m->list_unsubscribe);
    if (m->list_unsubscribe_post != NULL &&
        (m->list_unsubscribe == NULL ||
         strlen(m->list_unsubscribe_post) > UNFOLDED_MAX ||
         !is_printable_ascii(m->list_unsubscribe_post)))
        return err_set(e, ERR_DATA, 0,
                       "list_unsubscribe_post needs list_unsubscribe");
    for (i = 0; i < m->nattachments; i++) {
        if (check_attachment(&m->attachments[i], i, e) < 0)
            return -1;
    }
    return 0;
}

static void
put_mailbox(struct buf *out, const char *field, const char *name,
            const char *addr)
{
    buf_appendf(out, "%s: ", field);
    mime_encode_mailbox(name, addr, strlen(field) + 2, out);
    buf_append(out, "\r\n", 2);
}

static void
put_list_id(struct buf *out, const char *list_id)
{
    const char *lt = strrchr(list_id, '<');
    char *name;
    char *id;

    if (lt == NULL) {
        buf_appendf(out, "List-Id: <%s>\r\n", list_id);
        return;
    }
    name = xstrndup(list_id, (size_t)(lt - list_id));
    id = xstrndup(lt + 1, strlen(lt + 1) - 1);
    put_mailbox(out, "List-Id", name, id);
    free(id);
    free(name);
}

/* "<a>, <b>" folded between the entries (URIs themselves are not folded). */
static void
put_uri_list(struct buf *out, const char *field, const char *list)
{
    size_t col = strlen(field) + 2;
    const char *p = list;
    const char *uri;
    bool first = true;
    size_t n;

    buf_appendf(out, "%s: ", field);
    while ((uri = next_uri(&p, &n)) != NULL) {
        if (!first) {
            buf_append_char(out, ',');
            col++;
            if (col + 1 + n > 78) {
                buf_append(out, "\r\n", 2);
                col = 0;
            }
            buf_append_char(out, ' ');
            col++;
        }
        buf_append(out, uri, n);
        col += n;
        first = false;
    }
    buf_append(out, "\r\n", 2);
}

static void
put_headers(const struct mime_message *m, struct buf *out)
{
    buf_append_str(out, "Date: ");
    dt_format_rfc5322(&m->date, out);
    buf_append(out, "\r\n", 2);
    put_mailbox(out, "From", m->from_name, m->from_addr);
    put_mailbox(out, "To", m->to_name, m->to_addr);
    if (m->reply_to != NULL)
        put_mailbox(out, "Reply-To", NULL, m->reply_to);
    buf_append_str(out, "Subject: ");
    mime_encode_unstructured(m->subject, 9, out);
    buf_append(out, "\r\n", 2);
    buf_appendf(out, "Message-ID: %s\r\n", m->message_id);
    buf_append_str(out, "MIME-Version: 1.0\r\n");
    if (m->list_id != NULL)
        put_list_id(out, m->list_id);
    if (m->list_unsubscribe != NULL)
        put_uri_list(out, "List-Unsubscribe", m->list_unsubscribe);
    if (m->list_unsubscribe_post != NULL)
        buf_appendf(out, "List-Unsubscribe-Post: %s\r\n",
                    m->list_unsubscribe_post);
    buf_append_str(out, "Precedence: bulk\r\n");
    buf_append_str(out, "Auto-Submitted: auto-generated\r\n");
}

/* "=_ad_<32 hex digits of SHA-256(seed)>_<kind>" */
static void
make_boundary(const char *seed, const char *kind, struct buf *out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    size_t i;

    if (seed == NULL)
        seed = "";
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(seed), (const uint8_t *)seed);
    sha256_digest(&ctx, sizeof(digest), digest);
    buf_append_str(out, "=_ad_");
    for (i = 0; i < 16; i++) {
        buf_append_char(out, hex[digest[i] >> 4]);
        buf_append_char(out, hex[digest[i] & 15]);
    }
    buf_appendf(out, "_%s", kind);
}

/* A multipart whose random libetpan boundary is replaced by ours. */
static struct mailmime *
multipart_new(const char *type, const char *seed, const char *kind)
{
    struct mailmime *mp = mailmime_multiple_new(type);
    struct buf boundary = BUF_INIT;
    clistiter *cur;

    if (mp == NULL)
        return NULL;
    make_boundary(seed, kind, &boundary);
    for (cur = clist_begin(mp->mm_content_type->ct_parameters); cur != NULL;
         cur = clist_next(cur)) {
        struct mailmime_parameter *param = clist_content(cur);
        if (strcasecmp(param->pa_name, "boundary") == 0) {
            free(param->pa_value);
            param->pa_value = buf_detach(&boundary, NULL);
            return mp;
        }
    }
    buf_release(&boundary);
    mailmime_free(mp);
    return NULL;
}

/* Add part to mp; on failure part is freed.  part may be NULL (fails). */
static int
add_part(struct mailmime *mp, struct mailmime *part)
{
    if (part == NULL)
        return -1;
    if (mailmime_add_part(mp, part) != MAILIMF_NO_ERROR) {
        mailmime_free(part);
        return -1;
    }
    return 0;
}

/*
 * A leaf part of content type ctype whose body is data[0..len), already
 * encoded (encoded != 0) or to be encoded by libetpan with enc.  data is
 * borrowed and must outlive the part; dsp (may be NULL) is taken.
 */
static struct mailmime *
leaf_new(const char *ctype, int enc, int encoded, const char *data,
         size_t len, struct mailmime_disposition *dsp)
{
    struct mailmime_mechanism *mech = mailmime_mechanism_new(enc, NULL);
    struct mailmime_content *content = mailmime_content_new_with_str(ctype);
    struct mailmime_fields *fields = NULL;
    struct mailmime *part = NULL;
    struct mailmime_data *body = NULL;

    if (mech == NULL || content == NULL)
        goto fail;
    fields = mailmime_fields_new_with_data(mech, NULL, NULL, dsp, NULL);
    if (fields == NULL)
        goto fail;
    mech = NULL;
    dsp = NULL;
    part = mailmime_new_empty(content, fields);
    if (part == NULL)
        goto fail;
    content = NULL;
    fields = NULL;
    body = mailmime_data_new_data(enc, encoded, data, len);
    if (body == NULL)
        goto fail;
    part->mm_data.mm_single = body;
    return part;
fail:
    if (part != NULL)
        mailmime_free(part);
    if (fields != NULL)
        mailmime_fields_free(fields);
    if (content != NULL)
        mailmime_content_free(content);
    if (mech != NULL)
        mailmime_mechanism_free(mech);
    if (dsp != NULL)
        mailmime_disposition_free(dsp);
    return NULL;
}

static bool
attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c) != NULL;
}

/*
 * "attachment; filename*=utf-8''..." (RFC 2231), folded into numbered
 * continuations.  libetpan quotes every parameter value it writes, and a
 * quoted extended value is invalid, so this goes out as the disposition
 * type token, which libetpan writes verbatim.
 */
static void
rfc2231_disposition(const char *name, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    struct buf value = BUF_INIT;
    size_t segments = 0;
    size_t i = 0;

    buf_append_str(&value, "utf-8''");
    for (; name[i] != '\0'; i++) {
        unsigned char c = (unsigned char)name[i];
        if (attr_char(c)) {
            buf_append_char(&value, (char)c);
        } else {
            buf_append_char(&value, '%');
            buf_append_char(&value, hex[c >> 4]);
            buf_append_char(&value, hex[c & 15]);
        }
    }
    buf_append_str(out, "attachment");
    if (value.len <= FILENAME_SEGMENT) {
        buf_appendf(out, ";\r\n filename*=%s", value.data);
        buf_release(&value);
        return;
    }
    for (i = 0; i < value.len; segments++) {
        size_t n = value.len - i < FILENAME_SEGMENT ? value.len - i
                                                    : FILENAME_SEGMENT;
        /* Never cut a %XX triplet. */
        if (n < value.len - i && value.data[i + n - 1] == '%')
            n -= 1;
        else if (n < value.len - i && value.data[i + n - 2] == '%')
            n -= 2;
        buf_appendf(out, ";\r\n filename*%zu*=%.*s", segments, (int)n,
                    value.data + i);
        i += n;
    }
    buf_release(&value);
}

static struct mailmime_disposition *
disposition_new(const char *filename)
{
    struct buf name = BUF_INIT;
    struct buf ext = BUF_INIT;
    struct mailmime_disposition_type *type = NULL;
    struct mailmime_disposition_parm *parm = NULL;
    struct mailmime_disposition *dsp = NULL;
    clist *parms = clist_new();
    char *s = NULL;

    mime_clean_header(filename, strlen(filename), &name);
    if (name.len <= FILENAME_PLAIN_MAX && is_printable_ascii(name.data)) {
        type = mailmime_disposition_type_new(
            MAILMIME_DISPOSITION_TYPE_ATTACHMENT, NULL);
        s = buf_detach(&name, NULL);
        parm = mailmime_disposition_parm_new(
            MAILMIME_DISPOSITION_PARM_FILENAME, s, NULL, NULL, NULL, 0, NULL);
        if (parm != NULL)
            s = NULL;
    } else {
        rfc2231_disposition(name.data, &ext);
        s = buf_detach(&ext, NULL);
        type = mailmime_disposition_type_new(
            MAILMIME_DISPOSITION_TYPE_EXTENSION, s);
        if (type != NULL)
            s = NULL;
    }
    if (parms == NULL || type == NULL || s != NULL)
        goto out;
    if (parm != NULL) {
        if (clist_append(parms, parm) < 0)
            goto out;
        parm = NULL;
    }
    dsp = mailmime_disposition_new(type, parms);
    if (dsp != NULL) {
        type = NULL;
        parms = NULL;
    }
out:
    if (parms != NULL) {
        clistiter *cur;
        for (cur = clist_begin(parms); cur != NULL; cur = clist_next(cur))
            mailmime_disposition_parm_free(clist_content(cur));
        clist_free(parms);
    }
    if (parm != NULL)
        mailmime_disposition_parm_free(parm);
    if (type != NULL)
        mailmime_disposition_type_free(type);
    free(s);
    buf_release(&name);
    return dsp;
}

static int
attachment_new(const struct mime_attachment *a, struct mailmime **out,
               struct err *e)
{
    struct buf ctype = BUF_INIT;
    struct mailmime_content *probe;
    struct mailmime_disposition *dsp;
    bool discrete;

    buf_append_str(&ctype, a->content_type);
    if (strncasecmp(a->content_type, "text/", 5) == 0 &&
        strstr(a->content_type, "charset") == NULL)
        buf_append_str(&ctype, "; charset=utf-8");
    probe = mailmime_content_new_with_str(ctype.data);
    discrete = probe != NULL &&
               probe->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE;
    if (probe != NULL)
        mailmime_content_free(probe);
    if (!discrete) {
        buf_release(&ctype);
        return err_set(e, ERR_DATA, 0, "attachment '%s': bad content type '%s'",
                       a->filename, a->content_type);
    }
    dsp = disposition_new(a->filename);
    *out = dsp == NULL ? NULL
                       : leaf_new(ctype.data, MAILMIME_MECHANISM_BASE64, 0,
                                  a->len > 0 ? a->data : "", a->len, dsp);
    buf_release(&ctype);
    if (*out == NULL)
        return err_set(e, ERR_INTERNAL, 0, "libetpan: cannot make part '%s'",
                       a->filename);
    return 0;
}

/*
 * The MIME tree: text/plain, or multipart/alternative of text and HTML,
 * inside multipart/mixed when there are attachments.  The QP bodies are
 * borrowed by the tree.
 */
static int
tree_new(const struct mime_message *m, const struct buf *text_qp,
         const struct buf *html_qp, struct mailmime **out, struct err *e)
{
    const int qp = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
    struct mailmime *root;
    struct mailmime *mix;
    size_t i;

    root = leaf_new("text/plain; charset=utf-8", qp, 1, text_qp->data,
                    text_qp->len, NULL);
    if (root != NULL && m->html != NULL) {
        struct mailmime *alt =
            multipart_new("multipart/alternative", m->boundary_seed, "alt");
        if (alt == NULL || add_part(alt, root) < 0 ||
            add_part(alt, leaf_new("text/html; charset=utf-8", qp, 1,
                                   html_qp->data, html_qp->len, NULL)) < 0) {
            if (alt == NULL)
                mailmime_free(root);
            root = NULL;
            if (alt != NULL)
                mailmime_free(alt);
        } else {
            root = alt;
        }
    }
    if (root == NULL)
        return err_set(e, ERR_INTERNAL, 0, "libetpan: cannot make body");
    if (m->nattachments == 0) {
        *out = root;
        return 0;
    }
    mix = multipart_new("multipart/mixed", m->boundary_seed, "mix");
    if (mix == NULL || add_part(mix, root) < 0) {
        if (mix != NULL)
            mailmime_free(mix);
        else
            mailmime_free(root);
        return err_set(e, ERR_INTERNAL, 0, "libetpan: cannot make multipart");
    }
    for (i = 0; i < m->nattachments; i++) {
        struct mailmime *att = NULL;
        if (attachment_new(&m->attachments[i], &att, e) < 0) {
            mailmime_free(mix);
            return -1;
        }
        if (add_part(mix, att) < 0) {
            mailmime_free(mix);
            return err_set(e, ERR_INTERNAL, 0, "libetpan: cannot add part");
        }
    }
    *out = mix;
    return 0;
}

/* The root's Content-* fields, a blank line, then the body, by libetpan. */
static int
tree_write(struct mailmime *root, struct buf *out, struct err *e)
{
    MMAPString *s = mmap_string_new("");
    int col = 0;
    int rc = -1;

    if (s == NULL)
        return err_set(e, ERR_INTERNAL, 0, "libetpan: out of memory");
    if (mailmime_content_write_mem(s, &col, root->mm_content_type) !=
            MAILIMF_NO_ERROR ||
        mailmime_fields_write_mem(s, &col, root->mm_mime_fields) !=
            MAILIMF_NO_ERROR ||
        mmap_string_append(s, "\r\n") == NULL) {
        err_set(e, ERR_INTERNAL, 0, "libetpan: cannot write MIME headers");
        goto out;
    }
    col = 0;
    if (mailmime_write_mem(s, &col, root) != MAILIMF_NO_ERROR) {
        err_set(e, ERR_INTERNAL, 0, "libetpan: cannot write MIME body");
        goto out;
    }
    buf_append(out, s->str, s->len);
    rc = 0;
out:
    mmap_string_free(s);
    return rc;
}

int
mime_build(const struct mime_message *m, struct buf *out, struct err *e)
{
    struct buf text_qp = BUF_INIT;
    struct buf html_qp = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct mailmime *root = NULL;
    int rc = -1;

    if (check_message(m, e) < 0)
        return -1;
    mime_qp_encode(m->text, m->text_len, &text_qp);
    if (m->html != NULL)
        mime_qp_encode(m->html, m->html_len, &html_qp);
    if (tree_new(m, &text_qp, &html_qp, &root, e) < 0)
        goto out;
    put_headers(m, &msg);
    if (tree_write(root, &msg, e) < 0)
        goto out;
    buf_append(out, msg.data, msg.len);
    rc = 0;
out:
    if (root != NULL)
        mailmime_free(root);
    buf_release(&msg);
    buf_release(&html_qp);
    buf_release(&text_qp);
    return rc;
}

const char *
mime_lib_version(void)
{
    static char v[64];

    if (snprintf(v, sizeof(v), "libetpan %d.%d", libetpan_get_version_major(),
                 libetpan_get_version_minor()) >= (int)sizeof(v))
        v[sizeof(v) - 1] = '\0';
    return v;
}

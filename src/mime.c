/*
 * mime: the digest message, built as a libetpan MIME tree.
 *
 * libetpan owns the structure (parts, their Content-* fields and
 * disposition parameters, where the boundaries go); the top-level header
 * block and the quoted-printable bodies are made here (see mime_header.c
 * and mime_qp.c for why), and so is the attachments' base64 (written once
 * into room made for it, in libetpan's layout, instead of through its
 * write drivers into a copy of the whole).  Boundaries are derived from
 * the boundary seed and contain "=_", which quoted-printable and base64
 * output can never contain.
 *
 * A body is prepared once and shared (mime_body_new): libetpan writes the
 * skeleton around holes for the bodies and boundaries, and each message
 * is the skeleton's pieces, the prepared bodies and its own few bytes
 * (mime_build_pieces), never a copy of the whole.
 */
#include "arctic_digest/mime.h"

#include <libetpan/libetpan.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/base64.h"
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
    if (a->data == NULL && a->len > 0 && a->make == NULL)
        return err_set(e, ERR_DATA, 0, "attachment '%s' has no data",
                       a->filename);
    return 0;
}

/* What the header block needs (mime_build_with). */
static int
check_headers(const struct mime_message *m, struct err *e)
{
    if (check_addr("from_addr", m->from_addr, e) < 0 ||
        check_addr("to_addr", m->to_addr, e) < 0 ||
        (m->reply_to != NULL && check_addr("reply_to", m->reply_to, e) < 0))
        return -1;
    if (m->subject == NULL)
        return err_set(e, ERR_DATA, 0, "message has no subject");
    if (m->message_id == NULL || !msgid_is_valid(m->message_id))
        return err_set(e, ERR_DATA, 0, "message_id '%s' is not <id@domain>",
                       m->message_id != NULL ? m->message_id : "");
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
    return 0;
}

/* What the body needs (mime_body_new). */
static int
check_body(const struct mime_message *m, struct err *e)
{
    size_t i;

    if (m->text == NULL)
        return err_set(e, ERR_DATA, 0, "message has no text body");
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

/*
 * Boundaries are "=_ad_<32 hex digits of SHA-256(seed)>_alt" (or _mix):
 * each message has its own, yet the same seed gives the same bytes.  A
 * prepared body holds BOUNDARY_HOLE in their place, of the same length,
 * so that libetpan lays the header lines out the same.
 */
#define BOUNDARY_LEN 41 /* "=_ad_" + 32 + "_alt" */
#define BOUNDARY_HOLE "=_ad_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ_"
#define BOUNDARY_HOLE_LEN 38

static void
make_boundary(const char *seed, const char *kind,
              char out[BOUNDARY_LEN + 1])
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
    memcpy(out, "=_ad_", 5);
    for (i = 0; i < 16; i++) {
        out[5 + 2 * i] = hex[digest[i] >> 4];
        out[6 + 2 * i] = hex[digest[i] & 15];
    }
    out[37] = '_';
    memcpy(out + 38, kind, 3);
    out[BOUNDARY_LEN] = '\0';
}

/* A multipart whose random libetpan boundary is replaced by ours. */
static struct mailmime *
multipart_new(const char *type, const char *boundary)
{
    struct mailmime *mp = mailmime_multiple_new(type);
    clistiter *cur;

    if (mp == NULL)
        return NULL;
    for (cur = clist_begin(mp->mm_content_type->ct_parameters); cur != NULL;
         cur = clist_next(cur)) {
        struct mailmime_parameter *param = clist_content(cur);
        if (strcasecmp(param->pa_name, "boundary") == 0) {
            free(param->pa_value);
            param->pa_value = xstrdup(boundary);
            return mp;
        }
    }
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
    return ascii_is_alnum(c) || strchr("!#$&+-.^_`|~", c) != NULL;
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

/*
 * Where the per-message bodies go in the skeleton.  Each starts with a
 * control character (which no header libetpan writes and no base64 or QP
 * holds) and ends with CRLF, as every non-empty QP and base64 body does,
 * so libetpan writes the lines around it as it writes them around the
 * real body.  An attachment's hole is "\001ad-NNNN\001\r\n", NNNN its
 * index; all holes are HOLE_LEN bytes.
 */
#define TEXT_HOLE "\001ad-text\001\r\n"
#define HTML_HOLE "\001ad-html\001\r\n"
#define HOLE_LEN (sizeof(TEXT_HOLE) - 1)
#define ATT_HOLES_MAX 10000

struct att_hole {
    char s[HOLE_LEN + 1];
};

static void
make_att_hole(size_t i, struct att_hole *h)
{
    if (snprintf(h->s, sizeof(h->s), "\001ad-%04zu\001\r\n", i) !=
        (int)HOLE_LEN)
        h->s[0] = '\0'; /* not reached: i < ATT_HOLES_MAX */
}

static int
attachment_new(const struct mime_attachment *a, const struct att_hole *hole,
               struct mailmime **out, struct err *e)
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
    /* The base64 is ours (see att_encode); an empty attachment
     * goes in as it is (libetpan lays it out apart). */
    if (dsp == NULL)
        *out = NULL;
    else if (a->len > 0)
        *out = leaf_new(ctype.data, MAILMIME_MECHANISM_BASE64, 1, hole->s,
                        HOLE_LEN, dsp);
    else
        *out = leaf_new(ctype.data, MAILMIME_MECHANISM_BASE64, 0, "", 0, dsp);
    buf_release(&ctype);
    if (*out == NULL)
        return err_set(e, ERR_INTERNAL, 0, "libetpan: cannot make part '%s'",
                       a->filename);
    return 0;
}

/*
 * The MIME tree: text/plain, or (with_html) multipart/alternative of text
 * and HTML, inside multipart/mixed when there are attachments, with
 * BOUNDARY_HOLEs for boundaries and holes for the bodies.  The QP bodies
 * (TEXT_HOLE and HTML_HOLE when not empty) and the attachments' holes are
 * borrowed by the tree.
 */
static int
tree_new(const struct mime_message *m, bool with_html, const char *text_qp,
         size_t text_len, const char *html_qp, size_t html_len,
         const struct att_hole *holes, struct mailmime **out, struct err *e)
{
    const int qp = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
    struct mailmime *root;
    struct mailmime *mix;
    size_t i;

    root = leaf_new("text/plain; charset=utf-8", qp, 1, text_qp, text_len,
                    NULL);
    if (root != NULL && with_html) {
        struct mailmime *alt =
            multipart_new("multipart/alternative", BOUNDARY_HOLE "alt");
        if (alt == NULL || add_part(alt, root) < 0 ||
            add_part(alt, leaf_new("text/html; charset=utf-8", qp, 1,
                                   html_qp, html_len, NULL)) < 0) {
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
    mix = multipart_new("multipart/mixed", BOUNDARY_HOLE "mix");
    if (mix == NULL || add_part(mix, root) < 0) {
        if (mix != NULL)
            mailmime_free(mix);
        else
            mailmime_free(root);
        return err_set(e, ERR_INTERNAL, 0, "libetpan: cannot make multipart");
    }
    for (i = 0; i < m->nattachments; i++) {
        struct mailmime *att = NULL;
        if (attachment_new(&m->attachments[i], &holes[i], &att, e) < 0) {
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

/* ---- a body prepared once, messages built from it ------------------- */

/* An attachment's base64 in chunks of whole lines, each filled once: no
 * copy of megabytes as it grows, and chunks small enough to go in the
 * holes the rendering left in the heap. */
struct att_b64 {
    struct buf *v;
    size_t n, alloc;
};

/* Lines of base64 a chunk holds: 840 lines of 76 characters and CRLF. */
#define ATT_CHUNK_LINES 840

/*
 * An attachment's base64 body as libetpan writes one (RFC 2045 6.8): lines
 * of 76 characters (57 bytes), each ended by CRLF, the last one too;
 * written straight into room made for it, through the one encoder.
 * p[0..n) goes onto the chunks of a: n is a multiple of 57 except in the
 * last call, so the lines come out as if the whole were encoded at once.
 */
static void
att_encode(struct att_b64 *a, const char *p, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i += 57) {
        struct buf *c = a->n ? &a->v[a->n - 1] : NULL;
        if (c == NULL || c->len + 78 > ATT_CHUNK_LINES * 78) {
            xgrow(&a->v, &a->alloc, a->n + 1, sizeof(*a->v));
            c = &a->v[a->n++];
            buf_init(c);
            buf_grow(c, ATT_CHUNK_LINES * 78);
        }
        k = n - i < 57 ? n - i : 57;
        b64_encode(p + i, k, 0, c);
        buf_append(c, "\r\n", 2);
    }
}

/* An attachment's base64, made a part at a time when it has a maker;
 * its length (in bytes before encoding) to *len. */
static void
att_make(const struct mime_attachment *m, struct att_b64 *a, size_t *len)
{
    struct buf raw = BUF_INIT;
    size_t whole, total = 0;

    if (m->make == NULL) {
        att_encode(a, m->data, m->len);
        total = m->len;
    } else {
        while (m->make(m->make_ctx, &raw)) {
            whole = raw.len - raw.len % 57;
            att_encode(a, raw.data, whole);
            total += whole;
            memmove(raw.data, raw.data + whole, raw.len - whole);
            buf_truncate(&raw, raw.len - whole);
        }
        att_encode(a, raw.data, raw.len);
        total += raw.len;
    }
    *len = total;
    if (a->n)
        buf_shrink(&a->v[a->n - 1]);
    buf_release(&raw);
}

static void
att_release(struct att_b64 *a)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        buf_release(&a->v[i]);
    free(a->v);
}

enum seg_kind { SEG_LITERAL, SEG_ALT, SEG_MIX, SEG_TEXT, SEG_HTML, SEG_ATT };

struct seg {
    enum seg_kind kind;
    size_t off, len; /* SEG_LITERAL: bytes of the skeleton; SEG_ATT: off
                        is the attachment's index */
};

/* The bytes libetpan wrote around the bodies, cut at their holes. */
struct layout {
    struct buf skeleton;
    struct seg *segs;
    size_t nsegs, segs_alloc;
};

/* A QP body: runs of lines without marks encoded once (into enc), the
 * lines holding a mark kept raw (in raw) to be filled and encoded. */
struct piece {
    bool filled;
    size_t off, len;
};

struct qp_body {
    struct buf enc, raw;
    struct piece *v;
    size_t n, alloc;
};

struct mime_body {
    struct layout layout[2]; /* [0]: as given; [1]: without the HTML part
                                (only when has_html) */
    bool has_html;
    struct qp_body text, html;
    struct att_b64 *att; /* the attachments' base64, in order */
    size_t natt;
    char **marks;
    size_t nmarks;
};

/* The first k-byte needle in p[0..n), or NULL (memmem is not POSIX). */
static const char *
find(const char *p, size_t n, const char *needle, size_t k)
{
    const char *end = p + n;

    if (k == 0)
        return NULL;
    while ((size_t)(end - p) >= k &&
           (p = memchr(p, needle[0], (size_t)(end - p) - k + 1)) != NULL) {
        if (memcmp(p, needle, k) == 0)
            return p;
        p++;
    }
    return NULL;
}

static bool
holds_mark(const char *p, size_t n, char *const *marks, size_t nmarks)
{
    size_t i;

    for (i = 0; i < nmarks; i++)
        if (find(p, n, marks[i], strlen(marks[i])) != NULL)
            return true;
    return false;
}

static void
add_piece(struct qp_body *q, bool filled, size_t off, size_t len)
{
    xgrow(&q->v, &q->alloc, q->n + 1, sizeof(*q->v));
    q->v[q->n++] = (struct piece){filled, off, len};
}

/*
 * QP works line by line (a hard break ends every soft-break decision), so
 * encoding p[0..n) in runs cut after a LF gives the bytes encoding it at
 * once gives.  Lines without a mark are encoded here, once, into room made
 * at first for the most they can take (only what is written is touched;
 * the rest is given back at the end), so the encoded text is not copied
 * as it grows.
 */
static void
qp_body_prepare(struct qp_body *q, const char *p, size_t n,
                char *const *marks, size_t nmarks)
{
    size_t i = 0, run = 0;

    buf_grow(&q->enc, 3 * n + 3 * (3 * n / 60 + 2) + 16);
    while (i < n) {
        const char *lf = memchr(p + i, '\n', n - i);
        size_t end = lf ? (size_t)(lf - p) + 1 : n;
        if (holds_mark(p + i, end - i, marks, nmarks)) {
            if (run < i) {
                size_t off = q->enc.len;
                mime_qp_encode(p + run, i - run, &q->enc);
                add_piece(q, false, off, q->enc.len - off);
            }
            add_piece(q, true, q->raw.len, end - i);
            buf_append(&q->raw, p + i, end - i);
            run = end;
        }
        i = end;
    }
    if (run < n) {
        size_t off = q->enc.len;
        mime_qp_encode(p + run, n - run, &q->enc);
        add_piece(q, false, off, q->enc.len - off);
    }
}

/* The body with values for the marks, as pieces of out: the encoded runs
 * borrowed, the filled lines encoded into buffers out owns. */
static void
qp_body_write(const struct qp_body *q, char *const *marks,
              const char *const *values, size_t nmarks, struct buf *line,
              struct buf *tmp, struct buf_list *out)
{
    size_t i;

    for (i = 0; i < q->n; i++) {
        const struct piece *pc = &q->v[i];
        if (!pc->filled) {
            buf_list_add(out, q->enc.data + pc->off, pc->len);
            continue;
        }
        buf_reset(line);
        mime_fill_marks(q->raw.data + pc->off, pc->len,
                        (const char *const *)marks, values, nmarks, line);
        mime_qp_encode(line->data, line->len, tmp);
        buf_list_add_own(out, tmp);
    }
}

static void
qp_body_release(struct qp_body *q)
{
    buf_release(&q->enc);
    buf_release(&q->raw);
    free(q->v);
}

void
mime_fill_marks(const char *p, size_t n, const char *const *marks,
                const char *const *values, size_t nmarks, struct buf *out)
{
    const char *end = p + n;

    while (p < end) {
        const char *hit = NULL;
        size_t i, which = 0;
        for (i = 0; i < nmarks; i++) {
            const char *h = find(p, (size_t)(end - p), marks[i],
                                   strlen(marks[i]));
            if (h != NULL && (hit == NULL || h < hit)) {
                hit = h;
                which = i;
            }
        }
        if (hit == NULL)
            break;
        buf_append(out, p, (size_t)(hit - p));
        buf_append_str(out, values[which] ? values[which] : "");
        p = hit + strlen(marks[which]);
    }
    buf_append(out, p, (size_t)(end - p));
}

static void
add_seg(struct layout *l, enum seg_kind kind, size_t off, size_t len)
{
    if (kind == SEG_LITERAL && len == 0)
        return;
    xgrow(&l->segs, &l->segs_alloc, l->nsegs + 1, sizeof(*l->segs));
    l->segs[l->nsegs++] = (struct seg){kind, off, len};
}

/* The kind of hole at s[0..n) (SEG_LITERAL: none) and its length. */
static enum seg_kind
hole_at(const char *s, size_t n, size_t *len, size_t *index)
{
    if (s[0] == '\x01' && n >= HOLE_LEN) {
        *len = HOLE_LEN;
        if (!memcmp(s, TEXT_HOLE, HOLE_LEN))
            return SEG_TEXT;
        if (!memcmp(s, HTML_HOLE, HOLE_LEN))
            return SEG_HTML;
        if (!memcmp(s + 1, "ad-", 3) && s[8] == '\x01' &&
            !memcmp(s + 9, "\r\n", 2) && strspn(s + 4, "0123456789") >= 4) {
            *index = (size_t)strtoul(s + 4, NULL, 10);
            return SEG_ATT;
        }
    } else if (s[0] == '=' && n >= BOUNDARY_LEN &&
               !memcmp(s, BOUNDARY_HOLE, BOUNDARY_HOLE_LEN)) {
        *len = BOUNDARY_LEN;
        if (!memcmp(s + BOUNDARY_HOLE_LEN, "alt", 3))
            return SEG_ALT;
        if (!memcmp(s + BOUNDARY_HOLE_LEN, "mix", 3))
            return SEG_MIX;
    }
    return SEG_LITERAL;
}

/* Cut the skeleton at its holes; each hole must be where libetpan put
 * it, as often as the structure says (want: a count per seg_kind; each
 * attachment's hole at most once). */
static int
find_holes(struct layout *l, const size_t want[SEG_ATT + 1], size_t natt,
           struct err *e)
{
    const char *s = l->skeleton.data;
    size_t n = l->skeleton.len, i = 0, lit = 0, k;
    size_t count[SEG_ATT + 1] = {0};
    bool *seen = xcalloc(natt + 1, sizeof(*seen));
    bool ok = true;

    while (i < n) {
        size_t len = 0, index = 0;
        enum seg_kind kind = hole_at(s + i, n - i, &len, &index);
        if (kind == SEG_LITERAL) {
            i++;
            continue;
        }
        if (kind == SEG_ATT) {
            if (index >= natt || seen[index])
                ok = false;
            else
                seen[index] = true;
        }
        add_seg(l, SEG_LITERAL, lit, i - lit);
        add_seg(l, kind, kind == SEG_ATT ? index : 0, 0);
        count[kind]++;
        i += len;
        lit = i;
    }
    add_seg(l, SEG_LITERAL, lit, n - lit);
    free(seen);
    for (k = SEG_ALT; k <= SEG_ATT; k++)
        if (count[k] != want[k])
            ok = false;
    if (!ok)
        return err_set(e, ERR_INTERNAL, 0,
                       "libetpan wrote the body in an unexpected layout");
    return 0;
}

static void
layout_release(struct layout *l)
{
    buf_release(&l->skeleton);
    free(l->segs);
}

/* Lay out m's structure (with or without its HTML part) around the holes
 * into l. */
static int
layout_make(struct mime_body *b, const struct mime_message *m,
            bool with_html, const struct att_hole *holes, struct layout *l,
            struct err *e)
{
    bool text = b->text.n > 0, html = with_html && b->html.n > 0;
    size_t want[SEG_ATT + 1] = {0}, i;
    struct mailmime *root = NULL;
    int rc;

    want[SEG_ALT] = with_html ? 4 : 0;
    want[SEG_MIX] = m->nattachments ? 3 + m->nattachments : 0;
    want[SEG_TEXT] = text;
    want[SEG_HTML] = html;
    for (i = 0; i < m->nattachments; i++)
        want[SEG_ATT] += m->attachments[i].len > 0;
    /* An empty body goes in as it is (libetpan may lay it out apart). */
    rc = tree_new(m, with_html, text ? TEXT_HOLE : "", text ? HOLE_LEN : 0,
                  html ? HTML_HOLE : "", html ? HOLE_LEN : 0, holes, &root,
                  e);
    if (rc == 0)
        rc = tree_write(root, &l->skeleton, e);
    if (rc == 0)
        rc = find_holes(l, want, m->nattachments, e);
    if (root != NULL)
        mailmime_free(root);
    buf_shrink(&l->skeleton);
    return rc;
}

int
mime_body_new(const struct mime_message *m, const char *const *marks,
              size_t nmarks, struct mime_body **out, struct err *e)
{
    struct mime_body *b;
    struct att_hole *holes = NULL;
    struct mime_attachment *atts = NULL;
    struct mime_message made;
    size_t i;
    int rc = -1;

    if (check_body(m, e) < 0)
        return -1;
    if (m->nattachments >= ATT_HOLES_MAX)
        return err_set(e, ERR_DATA, 0, "more than %d attachments",
                       ATT_HOLES_MAX - 1);
    b = xcalloc(1, sizeof(*b));
    b->nmarks = nmarks;
    b->marks = xcalloc(nmarks ? nmarks : 1, sizeof(*b->marks));
    for (i = 0; i < nmarks; i++)
        b->marks[i] = xstrdup(marks[i]);
    /* Each body is kept for every message of the issue: no room to spare
     * (the room made for the worst case goes back at once). */
    qp_body_prepare(&b->text, m->text, m->text_len, b->marks, nmarks);
    buf_shrink(&b->text.enc);
    buf_shrink(&b->text.raw);
    if (m->encoded != NULL)
        m->encoded(m->encoded_ctx, false);
    if (m->html != NULL) {
        b->has_html = true;
        qp_body_prepare(&b->html, m->html, m->html_len, b->marks, nmarks);
        buf_shrink(&b->html.enc);
        buf_shrink(&b->html.raw);
        if (m->encoded != NULL)
            m->encoded(m->encoded_ctx, true);
    }
    b->natt = m->nattachments;
    b->att = xcalloc(b->natt + 1, sizeof(*b->att));
    holes = xcalloc(b->natt + 1, sizeof(*holes));
    /* The layout sees each attachment's length; a made one's is known
     * once it is made. */
    atts = xcalloc(b->natt + 1, sizeof(*atts));
    for (i = 0; i < b->natt; i++) {
        atts[i] = m->attachments[i];
        att_make(&atts[i], &b->att[i], &atts[i].len);
        make_att_hole(i, &holes[i]);
    }
    made = *m;
    made.attachments = atts;
    m = &made;
    if (layout_make(b, m, b->has_html, holes, &b->layout[0], e) < 0 ||
        (b->has_html &&
         layout_make(b, m, false, holes, &b->layout[1], e) < 0))
        goto out;
    *out = b;
    b = NULL;
    rc = 0;
out:
    free(holes);
    free(atts);
    mime_body_free(b);
    return rc;
}

void
mime_body_free(struct mime_body *b)
{
    size_t i;

    if (b == NULL)
        return;
    layout_release(&b->layout[0]);
    layout_release(&b->layout[1]);
    qp_body_release(&b->text);
    qp_body_release(&b->html);
    for (i = 0; i < b->natt; i++)
        att_release(&b->att[i]);
    free(b->att);
    for (i = 0; i < b->nmarks; i++)
        free(b->marks[i]);
    free(b->marks);
    free(b);
}

int
mime_build_pieces(const struct mime_message *m, const struct mime_body *b,
                  unsigned flags, const char *const *text_values,
                  const char *const *html_values, struct buf_list *out,
                  struct err *e)
{
    const struct layout *l =
        &b->layout[(flags & MIME_TEXT_ONLY) && b->has_html ? 1 : 0];
    struct buf tmp = BUF_INIT, line = BUF_INIT;
    const char *bnd;
    size_t i, k;

    if (check_headers(m, e) < 0)
        return -1;
    put_headers(m, &tmp);
    buf_list_add_own(out, &tmp);
    /* The two boundaries, "alt" then "mix", kept once and used often. */
    buf_grow(&tmp, 2 * (BOUNDARY_LEN + 1));
    make_boundary(m->boundary_seed, "alt", tmp.data);
    make_boundary(m->boundary_seed, "mix", tmp.data + BOUNDARY_LEN);
    tmp.len = 2 * BOUNDARY_LEN;
    bnd = buf_list_own(out, &tmp);
    for (i = 0; i < l->nsegs; i++) {
        const struct seg *sg = &l->segs[i];
        switch (sg->kind) {
        case SEG_LITERAL:
            buf_list_add(out, l->skeleton.data + sg->off, sg->len);
            break;
        case SEG_ALT:
            buf_list_add(out, bnd, BOUNDARY_LEN);
            break;
        case SEG_MIX:
            buf_list_add(out, bnd + BOUNDARY_LEN, BOUNDARY_LEN);
            break;
        case SEG_TEXT:
            qp_body_write(&b->text, b->marks, text_values, b->nmarks, &line,
                          &tmp, out);
            break;
        case SEG_HTML:
            qp_body_write(&b->html, b->marks, html_values, b->nmarks, &line,
                          &tmp, out);
            break;
        case SEG_ATT:
            for (k = 0; k < b->att[sg->off].n; k++)
                buf_list_add(out, b->att[sg->off].v[k].data,
                             b->att[sg->off].v[k].len);
            break;
        }
    }
    buf_release(&tmp);
    buf_release(&line);
    return 0;
}

int
mime_build_with(const struct mime_message *m, const struct mime_body *b,
                const char *const *text_values,
                const char *const *html_values, struct buf *out,
                struct err *e)
{
    struct buf_list l = BUF_LIST_INIT;
    int rc = mime_build_pieces(m, b, 0, text_values, html_values, &l, e);

    if (rc == 0)
        buf_list_join(&l, out);
    buf_list_release(&l);
    return rc;
}

int
mime_build(const struct mime_message *m, struct buf *out, struct err *e)
{
    struct mime_body *b = NULL;
    int rc;

    if (check_headers(m, e) < 0 || mime_body_new(m, NULL, 0, &b, e) < 0)
        return -1;
    rc = mime_build_with(m, b, NULL, NULL, out, e);
    mime_body_free(b);
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

/*
 * bounce: what one message reports (see bounce.h).  libetpan parses the
 * MIME structure; the report parts (RFC 3464 message/delivery-status,
 * RFC 6533 message/global-delivery-status, RFC 5965
 * message/feedback-report) are blocks of header fields, read here.
 */
#include "arctic_digest/bounce.h"

#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/util.h"

#define TEXT_MAX (64 * 1024)    /* prose read for non-standard notices */
#define FIELD_MAX 998           /* a field value kept, as RFC 5322 lines */
#define ADDRESS_MAX 254         /* RFC 5321 path */

struct walk {
    struct bounce *b;
    bool dsn, arf;
    struct buf text;   /* decoded text/plain of the notice */
    char *embedded_to; /* the To of the returned message (ARF) */
    char *arf_rcpt[BOUNCE_MAX_RCPTS];
    size_t narf;
    bool arf_complaint; /* a Feedback-Type the recipient complains by */
    char *jmrp;         /* X-HmXmrOriginalRecipient of a returned message */
};

/* ---- small text helpers --------------------------------------------- */

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* p[0..n) without surrounding white space, angle brackets and quotes. */
static char *
clean_address(const char *p, size_t n)
{
    char *s;

    while (n && (is_space(*p) || *p == '<' || *p == '"'))
        p++, n--;
    while (n && (is_space(p[n - 1]) || p[n - 1] == '>' || p[n - 1] == '"' ||
                 p[n - 1] == '.' || p[n - 1] == ':' || p[n - 1] == ','))
        n--;
    if (n == 0 || n > ADDRESS_MAX || !memchr(p, '@', n))
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (is_space(p[i]) || p[i] == '<' || p[i] == '>' ||
            (unsigned char)p[i] < 0x20)
            return NULL;
    s = xstrndup(p, n);
    ascii_lower(s, n);
    return s;
}

/* The address in a "type; address" field value (Final-Recipient:
 * rfc822; a@b), or a bare address. */
static char *
typed_address(const char *v)
{
    const char *semi;

    v += strspn(v, " \t\r\n");
    semi = strchr(v, ';');
    if (semi) {
        /* Only Internet mail addresses: "rfc822" (also "RFC822"), "utf-8"
         * (RFC 6533). */
        if (!ascii_istarts(v, strlen(v), "rfc822") &&
            !ascii_istarts(v, strlen(v), "utf-8"))
            return NULL;
        v = semi + 1;
    }
    return clean_address(v, strlen(v));
}

/* An enhanced status code "c.sss.ddd" (RFC 3463) at p, copied to out. */
static bool
status_at(const char *p, size_t n, char out[16])
{
    size_t i = 0, dots = 0, digits = 0;

    if (n < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
        return false;
    for (i = 0; i < n && i < 15; i++) {
        if (p[i] == '.') {
            if (digits == 0 || ++dots > 2)
                return false;
            digits = 0;
        } else if (p[i] >= '0' && p[i] <= '9') {
            if (++digits > 3)
                return false;
        } else
            break;
    }
    if (dots != 2 || digits == 0)
        return false;
    memcpy(out, p, i);
    out[i] = '\0';
    return true;
}

/* The first enhanced status code of a failure or delay (4.x.x, 5.x.x) in
 * p[0..n) that stands alone: a "2.0.3" in prose is a version number more
 * often than a status. */
static bool
find_status(const char *p, size_t n, char out[16])
{
    size_t i;

    for (i = 0; i + 5 <= n; i++) {
        if (i > 0 && (p[i - 1] == '.' || p[i - 1] == 'v' ||
                      (p[i - 1] >= '0' && p[i - 1] <= '9')))
            continue;
        if ((p[i] == '4' || p[i] == '5') && status_at(p + i, n - i, out))
            return true;
    }
    return false;
}

/* One line of v, white space folded, at most FIELD_MAX bytes. */
static char *
one_line(const char *v)
{
    struct buf b = BUF_INIT;
    bool space = false;

    for (; *v && b.len < FIELD_MAX; v++) {
        if (is_space(*v)) {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_append_char(&b, ' ');
        space = false;
        buf_append_char(&b, (unsigned char)*v < 0x20 ? '?' : *v);
    }
    return b.len ? buf_detach(&b, NULL) : (buf_release(&b), NULL);
}

/* ---- header-field blocks (DSN and ARF report parts) ----------------- */

struct field {
    char name[64];
    char *value; /* unfolded */
};

struct block {
    struct field f[32];
    size_t n;
};

static void
block_clear(struct block *bl)
{
    for (size_t i = 0; i < bl->n; i++)
        free(bl->f[i].value);
    bl->n = 0;
}

static const char *
block_get(const struct block *bl, const char *name)
{
    for (size_t i = 0; i < bl->n; i++)
        if (ascii_ieq(bl->f[i].name, name))
            return bl->f[i].value;
    return NULL;
}

/*
 * Read the next block of fields from *p (up to end): lines "Name: value"
 * with continuation lines, up to a blank line.  Returns false at the end.
 */
static bool
block_read(const char **p, const char *end, struct block *bl)
{
    const char *s = *p;

    block_clear(bl);
    /* Skip blank lines before the block. */
    while (s < end && (*s == '\r' || *s == '\n' ||
                       ((*s == ' ' || *s == '\t') &&
                        memchr("\r\n", s[strspn(s, " \t")], 2))))
        s++;
    if (s >= end)
        return false;
    while (s < end && *s != '\r' && *s != '\n') {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        const char *colon;
        size_t len;

        if (!eol)
            eol = end;
        len = (size_t)(eol - s);
        if ((*s == ' ' || *s == '\t') && bl->n > 0) {
            /* A continuation of the last field. */
            struct field *f = &bl->f[bl->n - 1];
            size_t old = strlen(f->value);
            if (old < FIELD_MAX) {
                f->value = xrealloc(f->value, old + len + 2);
                f->value[old] = ' ';
                memcpy(f->value + old + 1, s, len);
                f->value[old + 1 + len] = '\0';
            }
        } else if ((colon = memchr(s, ':', len)) && colon > s &&
                   (size_t)(colon - s) < sizeof(bl->f[0].name) &&
                   bl->n < sizeof(bl->f) / sizeof(bl->f[0])) {
            struct field *f = &bl->f[bl->n++];
            size_t nl = (size_t)(colon - s);
            memcpy(f->name, s, nl);
            f->name[nl] = '\0';
            while (nl && is_space(f->name[nl - 1]))
                f->name[--nl] = '\0';
            f->value = xstrndup(colon + 1, (size_t)(eol - colon - 1));
        }
        s = eol < end ? eol + 1 : end;
        /* A line of only white space ends the block too. */
        if (s < end && (*s == ' ' || *s == '\t') &&
            memchr("\r\n", s[strspn(s, " \t")], 2) && s[strspn(s, " \t")])
            break;
    }
    *p = s;
    return bl->n > 0;
}

static enum bounce_action
action_of(const char *v, const char *status, bool *known)
{
    char *a = v ? one_line(v) : NULL;
    enum bounce_action r = BOUNCE_FAILED;

    *known = true;
    if (a && ascii_istarts(a, strlen(a), "failed"))
        r = BOUNCE_FAILED;
    else if (a && ascii_istarts(a, strlen(a), "delayed"))
        r = BOUNCE_DELAYED;
    else if (a && ascii_istarts(a, strlen(a), "delivered"))
        r = BOUNCE_DELIVERED;
    else if (a && ascii_istarts(a, strlen(a), "relayed"))
        r = BOUNCE_RELAYED;
    else if (a && ascii_istarts(a, strlen(a), "expanded"))
        r = BOUNCE_EXPANDED;
    else if (status && status[0] == '4')
        r = BOUNCE_DELAYED;
    else if (status && status[0] == '2')
        r = BOUNCE_DELIVERED;
    else if (status && status[0] == '5')
        r = BOUNCE_FAILED;
    else
        *known = false;
    free(a);
    return r;
}

static void
add_rcpt(struct bounce *b, char *address, const char *status,
         enum bounce_action action, char *diagnostic)
{
    struct bounce_rcpt *r;

    for (size_t i = 0; i < b->nrcpts; i++)
        if (!strcmp(b->rcpts[i].address, address)) {
            free(address);
            free(diagnostic);
            return;
        }
    if (b->nrcpts >= BOUNCE_MAX_RCPTS) {
        free(address);
        free(diagnostic);
        return;
    }
    b->rcpts = xrealloc(b->rcpts, (b->nrcpts + 1) * sizeof(*b->rcpts));
    r = &b->rcpts[b->nrcpts++];
    memset(r, 0, sizeof(*r));
    r->address = address;
    r->action = action;
    r->diagnostic = diagnostic;
    if (status)
        snprintf(r->status, sizeof(r->status), "%s", status);
}

/* RFC 3464 section 2: a per-message block, then one block per
 * recipient. */
static void
read_dsn(struct walk *w, const char *p, size_t n)
{
    const char *end = p + n;
    struct block bl = {0};
    bool first = true;

    while (block_read(&p, end, &bl)) {
        const char *fr = block_get(&bl, "Final-Recipient");
        const char *orig = block_get(&bl, "Original-Recipient");
        const char *st = block_get(&bl, "Status");
        const char *diag = block_get(&bl, "Diagnostic-Code");
        char status[16] = "";
        char *addr = NULL;
        bool known;
        enum bounce_action action;

        if (first && !fr && !orig) {
            first = false; /* Reporting-MTA, Arrival-Date... */
            continue;
        }
        first = false;
        /* The address we sent to (Original-Recipient) before the one the
         * receiving side rewrote it to (an alias, a forward). */
        if (orig)
            addr = typed_address(orig);
        if (!addr && fr)
            addr = typed_address(fr);
        if (!addr)
            continue;
        if (st) {
            const char *s = st + strspn(st, " \t");
            if (!status_at(s, strlen(s), status))
                status[0] = '\0';
        }
        if (!status[0] && diag)
            find_status(diag, strlen(diag), status);
        action = action_of(block_get(&bl, "Action"), status, &known);
        if (diag) {
            const char *semi = strchr(diag, ';');
            diag = semi ? semi + 1 : diag;
        }
        add_rcpt(w->b, addr, status, action, diag ? one_line(diag) : NULL);
        w->dsn = true;
    }
    block_clear(&bl);
}

/* RFC 5965 section 3.1: one block; Original-Rcpt-To may repeat. */
static void
read_arf(struct walk *w, const char *p, size_t n)
{
    const char *end = p + n;
    struct block bl = {0};

    w->arf = true;
    w->arf_complaint = true;
    while (block_read(&p, end, &bl))
        for (size_t i = 0; i < bl.n; i++) {
            char *a;
            if (ascii_ieq(bl.f[i].name, "Feedback-Type")) {
                /* A complaint: abuse, fraud, opt-out (the draft's
                 * opt-out and opt-out-list).  Not one: an
                 * authentication failure report (RFC 6591), not-spam,
                 * virus, other. */
                char *t = one_line(bl.f[i].value);
                w->arf_complaint =
                    t && (ascii_istarts(t, strlen(t), "abuse") ||
                          ascii_istarts(t, strlen(t), "fraud") ||
                          ascii_istarts(t, strlen(t), "opt-out"));
                free(t);
                continue;
            }
            /* Removal-Recipient: the old draft's opt-out reports. */
            if ((!ascii_ieq(bl.f[i].name, "Original-Rcpt-To") &&
                 !ascii_ieq(bl.f[i].name, "Removal-Recipient")) ||
                w->narf >= BOUNCE_MAX_RCPTS)
                continue;
            if ((a = clean_address(bl.f[i].value, strlen(bl.f[i].value))))
                w->arf_rcpt[w->narf++] = a;
        }
    block_clear(&bl);
}

/* ---- the MIME tree --------------------------------------------------- */

static const char *
optional_value(const struct mailimf_field *f, const char *name)
{
    const struct mailimf_optional_field *o = f->fld_data.fld_optional_field;

    if (f->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD || !o || !o->fld_name ||
        !ascii_ieq(o->fld_name, name))
        return NULL;
    return o->fld_value;
}


static bool
type_is(const struct mailmime_content *ct, const char *type,
        const char *subtype)
{
    const char *t = NULL;

    if (!ct || !ct->ct_type || !ct->ct_subtype)
        return !strcmp(type, "text") && !strcmp(subtype, "plain");
    if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
        const struct mailmime_discrete_type *d =
            ct->ct_type->tp_data.tp_discrete_type;
        t = d->dt_type == MAILMIME_DISCRETE_TYPE_TEXT ? "text"
            : d->dt_type == MAILMIME_DISCRETE_TYPE_APPLICATION
                ? "application"
            : d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION
                ? d->dt_extension
                : "other";
    } else {
        const struct mailmime_composite_type *c =
            ct->ct_type->tp_data.tp_composite_type;
        t = c->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE     ? "message"
            : c->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART ? "multipart"
                                                              : c->ct_token;
    }
    return t && ascii_ieq(t, type) && ascii_ieq(ct->ct_subtype, subtype);
}

/* The decoded body of a single part (caller frees with
 * mmap_string_unref), or NULL. */
static char *
decoded(const struct mailmime *m, size_t *n)
{
    const struct mailmime_data *d = m->mm_data.mm_single;
    int enc = m->mm_mime_fields
                  ? mailmime_transfer_encoding_get(m->mm_mime_fields)
                  : MAILMIME_MECHANISM_8BIT;
    size_t idx = 0;
    char *out = NULL;

    if (!d || d->dt_type != MAILMIME_DATA_TEXT)
        return NULL;
    if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
                            d->dt_data.dt_text.dt_length, &idx, enc, &out,
                            n) != MAILIMF_NO_ERROR)
        return NULL;
    return out;
}

static char *
first_to(const struct mailimf_fields *fields)
{
    clistiter *it;

    if (!fields)
        return NULL;
    for (it = clist_begin(fields->fld_list); it; it = clist_next(it)) {
        const struct mailimf_field *f = clist_content(it);
        const struct mailimf_address_list *al;
        clistiter *a;
        if (f->fld_type != MAILIMF_FIELD_TO || !f->fld_data.fld_to)
            continue;
        al = f->fld_data.fld_to->to_addr_list;
        for (a = al ? clist_begin(al->ad_list) : NULL; a; a = clist_next(a)) {
            const struct mailimf_address *ad = clist_content(a);
            if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX &&
                ad->ad_data.ad_mailbox->mb_addr_spec) {
                const char *s = ad->ad_data.ad_mailbox->mb_addr_spec;
                return clean_address(s, strlen(s));
            }
        }
    }
    return NULL;
}

/* The To of returned headers (text/rfc822-headers). */
static char *
headers_to(const char *p, size_t n)
{
    size_t idx = 0;
    struct mailimf_fields *f = NULL;
    char *to;

    if (mailimf_fields_parse(p, n, &idx, &f) != MAILIMF_NO_ERROR)
        return NULL;
    to = first_to(f);
    mailimf_fields_free(f);
    return to;
}

static void
walk_part(struct walk *w, const struct mailmime *m, int depth)
{
    const struct mailmime_content *ct = m->mm_content_type;
    clistiter *it;

    if (depth > 8)
        return;
    switch (m->mm_type) {
    case MAILMIME_MULTIPLE:
        for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it;
             it = clist_next(it))
            walk_part(w, clist_content(it), depth + 1);
        return;
    case MAILMIME_MESSAGE:
        /* A returned message: its To names the recipient of a complaint.
         * Its own parts are the original digest, never a report. */
        if (depth > 0) {
            const struct mailimf_fields *f = m->mm_data.mm_message.mm_fields;
            clistiter *fi;
            if (!w->embedded_to)
                w->embedded_to = first_to(f);
            /* Outlook.com's complaint loop (JMRP) is no ARF: the
             * reported message alone, naming its recipient here. */
            for (fi = f ? clist_begin(f->fld_list) : NULL; fi && !w->jmrp;
                 fi = clist_next(fi)) {
                const char *v =
                    optional_value(clist_content(fi), "X-HmXmrOriginalRecipient");
                if (v)
                    w->jmrp = clean_address(v, strlen(v));
            }
            return;
        }
        if (m->mm_data.mm_message.mm_msg_mime)
            walk_part(w, m->mm_data.mm_message.mm_msg_mime, depth + 1);
        return;
    case MAILMIME_SINGLE: {
        size_t n = 0;
        char *body = NULL;
        if (type_is(ct, "message", "delivery-status") ||
            type_is(ct, "message", "global-delivery-status")) {
            if ((body = decoded(m, &n)))
                read_dsn(w, body, n);
        } else if (type_is(ct, "message", "feedback-report")) {
            if ((body = decoded(m, &n)))
                read_arf(w, body, n);
        } else if (type_is(ct, "text", "rfc822-headers") ||
                   type_is(ct, "text", "rfc822-header") ||
                   type_is(ct, "message", "rfc822-headers")) {
            if (!w->embedded_to && (body = decoded(m, &n)))
                w->embedded_to = headers_to(body, n);
        } else if (type_is(ct, "message", "rfc822")) {
            /* Unparsed (libetpan keeps it single when empty). */
        } else if (type_is(ct, "text", "plain") && w->text.len < TEXT_MAX) {
            if ((body = decoded(m, &n))) {
                buf_append(&w->text, body,
                           n < TEXT_MAX - w->text.len ? n
                                                      : TEXT_MAX - w->text.len);
                buf_append_char(&w->text, '\n');
            }
        }
        if (body)
            mmap_string_unref(body);
        return;
    }
    default:
        return;
    }
}

/* ---- the envelope of the bounce itself ------------------------------- */

static void
add_to(struct bounce *b, const char *v)
{
    char *a;

    if (b->nto >= BOUNCE_MAX_TO || !v)
        return;
    /* "Name <addr>" or "addr". */
    const char *lt = strrchr(v, '<');
    if (lt) {
        const char *gt = strchr(lt, '>');
        a = gt ? clean_address(lt + 1, (size_t)(gt - lt - 1)) : NULL;
    } else
        a = clean_address(v, strlen(v));
    if (!a)
        return;
    for (size_t i = 0; i < b->nto; i++)
        if (!strcmp(b->to[i], a)) {
            free(a);
            return;
        }
    b->to[b->nto++] = a;
}

struct envelope_hints {
    bool from_daemon;     /* From: MAILER-DAEMON, postmaster, ... */
    bool subject_bounce;  /* Subject: Undelivered, failure notice, ... */
    bool auto_reply;      /* Auto-Submitted: auto-replied, X-Autoreply */
    char *from;
    char *failed[BOUNCE_MAX_TO]; /* X-Failed-Recipients (Exim, Gmail) */
    size_t nfailed;
};

static bool
contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);

    for (size_t i = 0; i + n <= h; i++)
        if (ascii_istarts(hay + i, h - i, needle))
            return true;
    return false;
}

static const char *const subject_words[] = {
    "undeliver",        "undelivered",       "delivery status notification",
    "failure notice",   "returned mail",     "delivery failure",
    "mail delivery failed", "delivery has failed", "not delivered",
    "delivery notification", "non remis",    "unzustellbar",
    "could not be delivered", "delivery problem", "mail system error",
    "warning: could not send", "delayed mail", "delivery delayed",
};

static void
read_envelope(struct bounce *b, const struct mailimf_fields *fields,
              struct envelope_hints *h)
{
    clistiter *it;

    if (!fields)
        return;
    /* The envelope recipient first: a VERP address is found there even
     * when To shows the list's plain address. */
    static const char *const names[] = {"X-Original-To", "Delivered-To",
                                        "Envelope-To", "X-Envelope-To"};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        for (it = clist_begin(fields->fld_list); it; it = clist_next(it)) {
            const char *v = optional_value(clist_content(it), names[k]);
            if (v)
                add_to(b, v);
        }
    for (it = clist_begin(fields->fld_list); it; it = clist_next(it)) {
        const struct mailimf_field *f = clist_content(it);
        const char *v;
        if (f->fld_type == MAILIMF_FIELD_TO) {
            char *a = first_to(fields);
            if (a) {
                add_to(b, a);
                free(a);
            }
        } else if (f->fld_type == MAILIMF_FIELD_MESSAGE_ID &&
                   f->fld_data.fld_message_id &&
                   f->fld_data.fld_message_id->mid_value && !b->message_id) {
            b->message_id = one_line(f->fld_data.fld_message_id->mid_value);
        } else if (f->fld_type == MAILIMF_FIELD_SUBJECT &&
                   f->fld_data.fld_subject &&
                   f->fld_data.fld_subject->sbj_value) {
            const char *s = f->fld_data.fld_subject->sbj_value;
            for (size_t k = 0;
                 k < sizeof(subject_words) / sizeof(subject_words[0]); k++)
                if (contains_ci(s, subject_words[k]))
                    h->subject_bounce = true;
        } else if (f->fld_type == MAILIMF_FIELD_FROM && f->fld_data.fld_from &&
                   f->fld_data.fld_from->frm_mb_list) {
            clistiter *m =
                clist_begin(f->fld_data.fld_from->frm_mb_list->mb_list);
            const struct mailimf_mailbox *mb = m ? clist_content(m) : NULL;
            if (mb && mb->mb_addr_spec) {
                h->from = clean_address(mb->mb_addr_spec,
                                        strlen(mb->mb_addr_spec));
                if (ascii_istarts(mb->mb_addr_spec,
                                  strlen(mb->mb_addr_spec), "mailer-daemon") ||
                    ascii_istarts(mb->mb_addr_spec,
                                  strlen(mb->mb_addr_spec), "postmaster") ||
                    ascii_istarts(mb->mb_addr_spec,
                                  strlen(mb->mb_addr_spec), "mail-daemon") ||
                    ascii_istarts(mb->mb_addr_spec, strlen(mb->mb_addr_spec),
                                  "mailerdaemon"))
                    h->from_daemon = true;
            }
        } else if ((v = optional_value(f, "X-Failed-Recipients"))) {
            /* A comma-separated list. */
            const char *p = v;
            while (*p && h->nfailed < BOUNCE_MAX_TO) {
                size_t len = strcspn(p, ",");
                char *a = clean_address(p, len);
                if (a)
                    h->failed[h->nfailed++] = a;
                p += len + (p[len] == ',');
            }
        } else if ((v = optional_value(f, "Auto-Submitted")) &&
                   contains_ci(v, "auto-replied")) {
            h->auto_reply = true;
        } else if (optional_value(f, "X-Autoreply") ||
                   optional_value(f, "X-Autorespond")) {
            h->auto_reply = true;
        }
    }
}

/* ---- non-standard notices ------------------------------------------- */

static const char *const failure_phrases[] = {
    "could not be delivered",
    "couldn't be delivered",
    "was not delivered",
    "wasn't delivered",
    "delivery has failed",
    "delivery to the following recipient",
    "permanent error",
    "permanent fatal error",
    "following address(es) failed",
    "following addresses had permanent",
    "unable to deliver",
    "undeliverable",
    "user unknown",
    "unknown user",
    "no such user",
    "mailbox unavailable",
    "does not exist",
    "address rejected",
    "i'm afraid i wasn't able to deliver",
    "this is a permanent error",
    "message could not be delivered",
    "recipient address rejected",
    "mailbox not found",
    "delivery failed",
    "did not reach the following recipient",
    "recipient name is not recognized",
    "message not delivered",
    "cannot send message",
    "unsent message follows",
    "could not deliver",
    "delivery to the following recipients failed",
};

static const char *const delay_phrases[] = {
    "has not yet been delivered",
    "not been delivered yet",
    "will continue trying",
    "will keep trying",
    "still trying",
    "delivery has been delayed",
    "delivery delayed",
    "this is only a warning",
    "is a warning message only",
    "will retry",
    "temporary failure",
    "this is not a permanent error",
};

static bool
any_phrase(const char *text, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (contains_ci(text, list[i]))
            return true;
    return false;
}

/* A character of an address's local part (RFC 5322 atext and '.'). */
static bool
addr_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           (c && strchr("._%+-=!#$&'*/?^`{|}~", c));
}

static bool
is_daemon_address(const char *a)
{
    return ascii_istarts(a, strlen(a), "mailer-daemon@") ||
           ascii_istarts(a, strlen(a), "postmaster@") ||
           ascii_istarts(a, strlen(a), "mail-daemon@");
}

static const char *const copy_markers[] = {
    "copy of the message",      "original message",
    "below this line",          "returned message",
    "header of the original",   "original headers",
    "message headers follow",   "unsent message below",
    "undelivered message",      "text of the message",
};

static const char *const header_names[] = {
    "Return-Path:", "Received:", "DKIM-Signature:", "Message-ID:",
    "X-Received:",  "Date:",     "From:",           "MIME-Version:",
};

/* Where the notice's own words end: at the first line that announces or
 * starts the returned message (its headers). */
static size_t
notice_end(const char *t, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const char *nl = memchr(t + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - t) : n;
        char line[256];
        size_t len = e - i < sizeof(line) - 1 ? e - i : sizeof(line) - 1;

        memcpy(line, t + i, len);
        line[len] = '\0';
        for (size_t k = 0; k < sizeof(header_names) / sizeof(header_names[0]);
             k++)
            if (ascii_istarts(line, len, header_names[k]))
                return i;
        if (len && (line[0] == '-' || line[0] == '=' || line[0] == '*' ||
                    line[0] == '_' || line[0] == ' '))
            for (size_t k = 0;
                 k < sizeof(copy_markers) / sizeof(copy_markers[0]); k++)
                if (contains_ci(line, copy_markers[k]))
                    return i;
        i = e + 1;
    }
    return n;
}

/* Whether the address at t[s] is the sender in an SMTP transcript
 * ("MAIL FROM:<a@b>", "envelope-from <a@b>"), not a recipient. */
static bool
after_sender_word(const char *t, size_t s)
{
    /* Also "To:" of a quoted header line ("Your message To: list@..."
     * in Exchange's notices), which names the message's recipients, not
     * the failed one. */
    static const char *const words[] = {"mail from:", "envelope-from",
                                        "from:", "sender:", "to:"};
    size_t from = s > 24 ? s - 24 : 0;

    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
        for (size_t i = from; i < s; i++)
            if (ascii_istarts(t + i, s - i, words[k])) {
                size_t j = i + strlen(words[k]);
                while (j < s && (t[j] == ' ' || t[j] == '<' || t[j] == '"'))
                    j++;
                if (j == s)
                    return true;
            }
    return false;
}

/* The recipients a notice in prose names: addresses in its own words
 * (not in the returned message, not the bounce's own envelope, sender or
 * a transcript's MAIL FROM), in order. */
static void
text_recipients(struct walk *w, const struct envelope_hints *h,
                const char *status, enum bounce_action action)
{
    const char *t = w->text.data;
    size_t n = notice_end(t, w->text.len);
    size_t i;
    int found = 0;

    /* Exim and Gmail name them in a header field. */
    if (h->nfailed) {
        for (i = 0; i < h->nfailed; i++) {
            char *a = xstrdup(h->failed[i]);
            char st[16];
            const char *at = strstr(t, a);
            size_t from = at ? (size_t)(at - t) : 0;
            if (at && find_status(t + from, w->text.len - from < 400
                                                ? w->text.len - from
                                                : 400,
                                  st))
                add_rcpt(w->b, a, st, st[0] == '4' ? BOUNCE_DELAYED : action,
                         NULL);
            else
                add_rcpt(w->b, a, status, action, NULL);
        }
        return;
    }
    for (i = 0; i < n && found < 4; i++) {
        size_t s, e;
        char *a;
        bool ours = false;
        char st[16];

        if (t[i] != '@')
            continue;
        for (s = i; s > 0 && addr_char(t[s - 1]); s--)
            ;
        for (e = i + 1; e < n && addr_char(t[e]) && !strchr("/?=%", t[e]);
             e++)
            ;
        while (e > i + 1 && t[e - 1] == '.')
            e--;
        /* An X.400 address of Exchange's: "...;dda:SMTP=a@b;". */
        if (i - s > 5 && ascii_istarts(t + s, i - s, "smtp="))
            s += 5;
        if (s == i || e == i + 1 || !memchr(t + i + 1, '.', e - i - 1) ||
            memchr(t + s, '?', i - s) || memchr(t + s, '%', i - s) ||
            memchr(t + s, '=', i - s) || after_sender_word(t, s)) {
            i = e;
            continue;
        }
        a = clean_address(t + s, e - s);
        i = e;
        if (!a)
            continue;
        /* Sendmail's "a@b\n    (expanded from: c@d)": c@d is the address
         * we sent to. */
        {
            size_t lim = e + 80 < n ? e + 80 : n;
            for (size_t k = e; k + 14 < lim; k++)
                if (ascii_istarts(t + k, lim - k, "expanded from:")) {
                    size_t q = k + 14, r;
                    char *x;
                    while (q < lim && (t[q] == ' ' || t[q] == '<'))
                        q++;
                    for (r = q; r < lim && (addr_char(t[r]) || t[r] == '@');
                         r++)
                        ;
                    if ((x = clean_address(t + q, r - q))) {
                        free(a);
                        a = x;
                    }
                    break;
                }
        }
        for (size_t k = 0; k < w->b->nto; k++)
            ours |= !strcmp(w->b->to[k], a);
        if (h->from)
            ours |= !strcmp(h->from, a);
        if (ours || is_daemon_address(a)) {
            free(a);
            continue;
        }
        /* A status near the address (its line or the next few) is its
         * own; else the notice's. */
        {
            size_t end = e + 400 < n ? e + 400 : n;
            if (find_status(t + e, end - e, st))
                add_rcpt(w->b, a, st, st[0] == '4' ? BOUNCE_DELAYED : action,
                         NULL);
            else
                add_rcpt(w->b, a, status, action, NULL);
        }
        found++;
    }
}

static void
read_nonstandard(struct walk *w, const struct envelope_hints *h)
{
    const char *text;
    bool fail, delay;
    char status[16];

    if (!w->text.len)
        buf_append_char(&w->text, '\n');
    buf_append_char(&w->text, '\0');
    w->text.len--;
    text = w->text.data;
    fail = any_phrase(text, failure_phrases,
                      sizeof(failure_phrases) / sizeof(failure_phrases[0]));
    delay = any_phrase(text, delay_phrases,
                       sizeof(delay_phrases) / sizeof(delay_phrases[0]));
    /* A notice is a bounce when the server sent it (its sender or
     * subject says so) and its words say what happened; an auto-reply
     * that only mentions an address is not. */
    if (!(fail || delay || h->nfailed) ||
        !(h->from_daemon || h->subject_bounce))
        return;
    if (h->auto_reply && !h->from_daemon)
        return;
    if (!find_status(text, strlen(text), status))
        snprintf(status, sizeof(status), "%s", delay ? "4.0.0" : "5.0.0");
    else if (delay && status[0] == '5' && !fail)
        snprintf(status, sizeof(status), "4.0.0");
    text_recipients(w, h, status,
                    delay && status[0] == '4' ? BOUNCE_DELAYED
                                              : BOUNCE_FAILED);
    /* The returned message's To when the text names nobody: a returned
     * message attached, or quoted after the notice. */
    if (!w->b->nrcpts && !w->embedded_to) {
        size_t at = notice_end(text, w->text.len);
        if (at < w->text.len)
            w->embedded_to = headers_to(text + at, w->text.len - at);
    }
    if (!w->b->nrcpts && w->embedded_to) {
        add_rcpt(w->b, w->embedded_to, status,
                 status[0] == '4' ? BOUNCE_DELAYED : BOUNCE_FAILED, NULL);
        w->embedded_to = NULL;
    }
    if (w->b->nrcpts)
        w->b->kind = BOUNCE_NONSTANDARD;
}

/* ---- the whole message ---------------------------------------------- */

int
bounce_parse(const char *msg, size_t len, struct bounce *b, struct err *e)
{
    struct walk w = {.b = b, .text = BUF_INIT};
    struct envelope_hints h = {0};
    struct mailmime *mime = NULL;
    size_t idx = 0;

    memset(b, 0, sizeof(*b));
    /* A message saved from an mbox starts with its "From " line, which
     * is no header field. */
    if (len > 5 && !memcmp(msg, "From ", 5)) {
        const char *nl = memchr(msg, '\n', len);
        size_t skip = nl ? (size_t)(nl - msg) + 1 : len;
        msg += skip;
        len -= skip;
    }
    if (mailmime_parse(msg, len, &idx, &mime) != MAILIMF_NO_ERROR || !mime ||
        mime->mm_type != MAILMIME_MESSAGE ||
        !mime->mm_data.mm_message.mm_fields ||
        clist_isempty(mime->mm_data.mm_message.mm_fields->fld_list)) {
        if (mime)
            mailmime_free(mime);
        return err_set(e, ERR_DATA, 0, "not a mail message (no header)");
    }
    read_envelope(b, mime->mm_data.mm_message.mm_fields, &h);
    walk_part(&w, mime, 0);
    if (w.dsn) {
        b->kind = BOUNCE_DSN;
    } else if (w.arf && !w.arf_complaint) {
        b->kind = BOUNCE_NONE; /* a report, but of nothing to act on */
    } else if (w.arf) {
        b->kind = BOUNCE_ARF;
        for (size_t i = 0; i < w.narf; i++) {
            add_rcpt(b, w.arf_rcpt[i], "", BOUNCE_COMPLAINT, NULL);
            w.arf_rcpt[i] = NULL;
        }
        if (!b->nrcpts && w.embedded_to) {
            add_rcpt(b, w.embedded_to, "", BOUNCE_COMPLAINT, NULL);
            w.embedded_to = NULL;
        }
    } else if (w.jmrp) {
        b->kind = BOUNCE_NONSTANDARD;
        add_rcpt(b, w.jmrp, "", BOUNCE_COMPLAINT, NULL);
        w.jmrp = NULL;
    } else {
        read_nonstandard(&w, &h);
    }
    free(w.jmrp);
    for (size_t i = 0; i < h.nfailed; i++)
        free(h.failed[i]);
    for (size_t i = 0; i < w.narf; i++)
        free(w.arf_rcpt[i]);
    free(w.embedded_to);
    free(h.from);
    buf_release(&w.text);
    mailmime_free(mime);
    return 0;
}

void
bounce_free(struct bounce *b)
{
    for (size_t i = 0; i < b->nrcpts; i++) {
        free(b->rcpts[i].address);
        free(b->rcpts[i].diagnostic);
    }
    free(b->rcpts);
    for (size_t i = 0; i < b->nto; i++)
        free(b->to[i]);
    free(b->message_id);
    memset(b, 0, sizeof(*b));
}

const char *
bounce_kind_name(enum bounce_kind k)
{
    static const char *const names[] = {"notbounce", "dsn", "arf",
                                        "nonstandard"};
    return names[k];
}

const char *
bounce_action_name(enum bounce_action a)
{
    static const char *const names[] = {"failed",    "delayed",
                                        "delivered", "relayed",
                                        "expanded",  "complaint"};
    return names[a];
}

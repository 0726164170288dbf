/*
 * subscribers: sign-up with double opt-in: confirmation tokens (HMAC-SHA256,
 * RFC 2104 / RFC 6234, base64url of RFC 4648 section 5 without padding,
 * with the expiry inside what is signed), pending rows, their
 * confirmation and their expiry (see the end of subscribers.h).
 */
#include "arctic_digest/subscribers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"


#define CONFIRM_DOMAIN "arctic-digest-confirm:"

int
subs_confirm_token_make(const char *secret, size_t secret_len,
                        const char *email, int64_t expires, struct buf *out)
{
    struct buf payload = BUF_INIT;

    if (secret_len == 0)
        return -1;
    buf_appendf(&payload, "%" PRId64 ":%s", expires, email);
    subs_signed_make(CONFIRM_DOMAIN, secret, secret_len, payload.data,
                     payload.len, out);
    buf_release(&payload);
    return 0;
}

/* "EXPIRY:address" into its parts; false when it is not that. */
static bool
split_payload(const struct buf *p, int64_t *expires, const char **email)
{
    const char *colon = memchr(p->data, ':', p->len);
    int64_t t = 0;
    const char *q;

    if (!colon || colon == p->data || colon - p->data > 18 || !colon[1] ||
        memchr(p->data, '\0', p->len))
        return false;
    for (q = p->data; q < colon; q++) {
        if (!ascii_is_digit((unsigned char)*q))
            return false;
        t = t * 10 + (*q - '0');
    }
    *expires = t;
    *email = colon + 1;
    return true;
}

int
subs_confirm_token_check(const char *secret, size_t secret_len,
                         const char *token, int64_t now, char **email,
                         struct err *e)
{
    struct buf payload = BUF_INIT, got = BUF_INIT, when = BUF_INIT;
    const char *addr = NULL;
    int64_t expires = 0;
    struct dt d;
    int rc = -1;

    if (secret_len == 0) {
        err_set(e, ERR_CONFIG, 0, "the token secret is empty");
        goto out;
    }
    if (subs_signed_split(token, &payload, &got) < 0 ||
        !split_payload(&payload, &expires, &addr)) {
        err_set(e, ERR_DATA, 0, "malformed confirmation token");
        goto out;
    }
    if (!subs_signed_verify(CONFIRM_DOMAIN, secret, secret_len, &payload,
                            &got)) {
        err_set(e, ERR_DATA, 0,
                "confirmation token refused: forged or altered");
        goto out;
    }
    if (now > expires) {
        d = dt_from_time(expires, 0);
        dt_format_rfc3339(&d, &when);
        err_set(e, ERR_DATA, 0,
                "confirmation token for '%s' refused: it expired at %s", addr,
                when.data);
        goto out;
    }
    *email = xstrdup(addr);
    rc = 0;
out:
    buf_release(&payload);
    buf_release(&got);
    buf_release(&when);
    return rc;
}

void
subs_optin_result_release(struct subs_optin_result *r)
{
    free(r->prev_stamp);
    r->prev_stamp = NULL;
}

/* When the pending row s stops being confirmable: its stamp plus
 * valid_seconds; 0 (long gone) when the stamp cannot be read. */
static int64_t
pending_until(const struct subs_entry *s, int64_t valid_seconds)
{
    struct dt d;

    if (dt_parse(s->subscribed_at, strlen(s->subscribed_at), &d) < 0)
        return 0;
    return d.t + valid_seconds;
}

/* Drop the pending rows of l whose link expired by now; how many. */
static size_t
drop_expired(struct subs_list *l, int64_t now, int64_t valid_seconds)
{
    size_t i = 0, n = 0;

    while (i < l->n) {
        const struct subs_entry *s = &l->v[i];
        if (!strcmp(s->status, SUBS_STATUS_PENDING) &&
            pending_until(s, valid_seconds) < now) {
            subs_remove(l, i);
            n++;
        } else {
            i++;
        }
    }
    return n;
}

/* Address, name and tags as 'subscribers add' takes them. */
static int
check_request(const struct subs_optin *o, struct err *e)
{
    return subs_check_new_row(o->email, o->name, o->tags, "", e);
}

struct request {
    const struct subs_optin *o;
    struct subs_optin_result r;
};

/* The refusal of a second confirmation mail within a day. */
static int
too_soon(const struct subs_entry *s, int64_t sent, struct err *e)
{
    struct buf when = BUF_INIT;
    struct dt d = dt_from_time(sent + SUBS_OPTIN_RESEND_SECONDS, 0);

    dt_format_rfc3339(&d, &when);
    err_set(e, ERR_TEMP, 0,
            "a confirmation was sent to '%s' at %s; another can be sent "
            "from %s",
            s->email, s->subscribed_at, when.data);
    buf_release(&when);
    return -1;
}

static int
apply_request(struct subs_list *l, void *ctx, struct err *e)
{
    struct request *q = ctx;
    const struct subs_optin *o = q->o;
    struct subs_entry *s;
    int64_t sent;
    int changed = drop_expired(l, o->now, o->valid_seconds) > 0;

    s = subs_find(l, o->email);
    if (s && !strcmp(s->status, SUBS_STATUS_ACTIVE)) {
        q->r.kind = SUBS_OPTIN_ALREADY_ACTIVE;
        return changed;
    }
    if (s && strcmp(s->status, SUBS_STATUS_PENDING) != 0)
        return err_set(e, ERR_DATA, 0,
                       "'%s' is %s%s%s: a sign-up does not lift that (the "
                       "editor can: 'subscribers add --force')",
                       s->email, s->status,
                       *s->unsubscribed_at ? " since " : "",
                       s->unsubscribed_at);
    if (s) {
        /* Expired rows are gone: this one's last link still works. */
        sent = pending_until(s, 0);
        if (o->now < sent + SUBS_OPTIN_RESEND_SECONDS)
            return too_soon(s, sent, e);
        q->r.kind = SUBS_OPTIN_AGAIN;
        q->r.prev_stamp = xstrdup(s->subscribed_at);
    } else {
        s = subs_append(l, o->email);
        xstrset(&s->status, SUBS_STATUS_PENDING);
        q->r.kind = SUBS_OPTIN_NEW;
    }
    xstrset(&s->subscribed_at, o->now_text);
    xstrset(&s->unsubscribed_at, "");
    if (o->name)
        xstrset(&s->name, o->name);
    if (o->tags)
        subs_set_tags(s, o->tags);
    return 1;
}

int
subs_optin_request(const char *path, const struct subs_optin *o,
                   struct subs_optin_result *r, struct err *e)
{
    struct request q;

    memset(&q, 0, sizeof(q));
    q.o = o;
    if (check_request(o, e) < 0 ||
        subs_update(path, true, apply_request, &q, e) < 0) {
        subs_optin_result_release(&q.r);
        return -1;
    }
    *r = q.r;
    return 0;
}

struct undo {
    const struct subs_optin *o;
    const struct subs_optin_result *r;
};

static int
apply_undo(struct subs_list *l, void *ctx, struct err *e)
{
    struct undo *u = ctx;
    struct subs_entry *s = subs_find(l, u->o->email);

    (void)e;
    if (!s || strcmp(s->status, SUBS_STATUS_PENDING) != 0 ||
        strcmp(s->subscribed_at, u->o->now_text) != 0)
        return 0;
    if (u->r->kind == SUBS_OPTIN_NEW)
        subs_remove(l, (size_t)(s - l->v));
    else if (u->r->kind == SUBS_OPTIN_AGAIN && u->r->prev_stamp)
        xstrset(&s->subscribed_at, u->r->prev_stamp);
    else
        return 0;
    return 1;
}

int
subs_optin_undo(const char *path, const struct subs_optin *o,
                const struct subs_optin_result *r, struct err *e)
{
    struct undo u = {o, r};

    if (r->kind == SUBS_OPTIN_ALREADY_ACTIVE)
        return 0;
    return subs_update(path, false, apply_undo, &u, e) < 0 ? -1 : 0;
}

struct confirm {
    const char *email, *now_text;
    bool already;
};

static int
apply_confirm(struct subs_list *l, void *ctx, struct err *e)
{
    struct confirm *c = ctx;
    struct subs_entry *s = subs_find(l, c->email);

    if (s && !strcmp(s->status, SUBS_STATUS_ACTIVE)) {
        c->already = true;
        return 0;
    }
    if (!s)
        return err_set(e, ERR_DATA, 0,
                       "'%s' has no pending sign-up (it expired or was "
                       "removed): subscribe again",
                       c->email);
    if (strcmp(s->status, SUBS_STATUS_PENDING) != 0)
        return err_set(e, ERR_DATA, 0, "'%s' is %s: it has no pending sign-up",
                       s->email, s->status);
    subs_entry_set_status(s, SUBS_STATUS_ACTIVE, c->now_text);
    return 1;
}

int
subs_optin_confirm(const char *path, const char *email, const char *now_text,
                   bool *already, struct err *e)
{
    struct confirm c = {email, now_text, false};

    if (subs_update(path, false, apply_confirm, &c, e) < 0)
        return -1;
    *already = c.already;
    return 0;
}

struct expire {
    int64_t now, valid_seconds;
    size_t dropped;
};

static int
apply_expire(struct subs_list *l, void *ctx, struct err *e)
{
    struct expire *x = ctx;

    (void)e;
    x->dropped = drop_expired(l, x->now, x->valid_seconds);
    return x->dropped > 0;
}

int
subs_optin_expire(const char *path, int64_t now, int64_t valid_seconds,
                  size_t *dropped, struct err *e)
{
    struct expire x = {now, valid_seconds, 0};
    struct err le = ERR_INIT;

    if (subs_update(path, false, apply_expire, &x, &le) < 0) {
        if (le.code != ERR_NOINPUT) {
            if (e)
                *e = le;
            return -1;
        }
    }
    *dropped = x.dropped;
    return 0;
}

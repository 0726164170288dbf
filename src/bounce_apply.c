/*
 * bounce: act on the bounces in the mailbox (see bounce_collect in
 * bounce.h).
 */
#include "arctic_digest/bounce.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/compose.h"
#include "arctic_digest/context.h"
#include "arctic_digest/deliver.h"
#include "arctic_digest/log.h"
#include "arctic_digest/mailbox.h"
#include "arctic_digest/store.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"

struct applier {
    const struct context *c;
    struct buf secret;
    struct bounce_report *r;
};

/* One delivery a bounce is about. */
struct target {
    int64_t issue;
    int number;
    char *address;
    const struct bounce_rcpt *rcpt;
};

struct verp_match {
    const struct verp_token *t;
    const struct buf *secret;
};

static bool
verp_matches(void *ctx, const char *address)
{
    const struct verp_match *m = ctx;

    return verp_token_verify(m->t, m->secret->data, m->secret->len, address);
}

/* The SMTP code of a bounce: the one its diagnostic starts with when it
 * agrees with the status, else 550 / 450. */
static int
code_of(const struct bounce_rcpt *rc)
{
    const char *d = rc->diagnostic;
    char cls = rc->status[0] ? rc->status[0] : '5';

    if (d && d[0] == cls && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' &&
        d[2] <= '9' && (d[3] == ' ' || d[3] == '-' || d[3] == '\0'))
        return (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    return cls == '4' ? 450 : 550;
}

static int
failed(struct applier *a, const struct target *t, struct err *e)
{
    const struct bounce_rcpt *rc = t->rcpt;
    struct buf reply = BUF_INIT;
    int code = code_of(rc), changed, marked;

    buf_appendf(&reply, "bounce: %s%s%s", rc->status[0] ? rc->status : "",
                rc->diagnostic && rc->status[0] ? " " : "",
                rc->diagnostic ? rc->diagnostic : "");
    if (a->c->dry_run) {
        log_info("bounces: issue %d: %s: would fail (%d %s)", t->number,
                 t->address, code, reply.data);
        buf_release(&reply);
        a->r->failed++;
        return 0;
    }
    changed = store_ledger_bounced(a->c->st, t->issue, t->address, code,
                                   reply.data, context_time(a->c), e);
    buf_release(&reply);
    if (changed < 0)
        return -1;
    if (!changed)
        return 0; /* failed already (an earlier bounce, a 5xx) */
    a->r->failed++;
    log_info("bounces: issue %d: %s: failed (%d %s)", t->number, t->address,
             code, rc->status);
    if (code < 500)
        return 0;
    /* As for an SMTP 5xx: three issues in a row make it bounced. */
    marked = deliver_mark_bouncing(a->c, t->address, e);
    if (marked < 0)
        return -1;
    a->r->marked_bounced += (size_t)marked;
    return 0;
}

static int
act(struct applier *a, const struct target *t, struct err *e)
{
    int r;

    switch (t->rcpt->action) {
    case BOUNCE_FAILED:
        return failed(a, t, e);
    case BOUNCE_DELAYED:
        a->r->delayed++;
        log_info("bounces: issue %d: %s: delayed (%s), nothing to do",
                 t->number, t->address, t->rcpt->status);
        return 0;
    case BOUNCE_COMPLAINT:
        a->r->complaints++;
        r = deliver_set_if_active(a->c, t->address, SUBS_STATUS_UNSUBSCRIBED,
                                  e);
        if (r < 0)
            return -1;
        if (r > 0 && !a->c->dry_run)
            log_info("bounces: %s unsubscribed: a complaint", t->address);
        a->r->unsubscribed += (size_t)r;
        return 0;
    default:
        return 0; /* delivered, relayed, expanded */
    }
}

/* The rcpt of b to act on for a VERP target: the first failure or
 * complaint, else the first. */
static const struct bounce_rcpt *
main_rcpt(const struct bounce *b)
{
    for (size_t i = 0; i < b->nrcpts; i++)
        if (b->rcpts[i].action == BOUNCE_FAILED ||
            b->rcpts[i].action == BOUNCE_COMPLAINT)
            return &b->rcpts[i];
    return &b->rcpts[0];
}

/*
 * By VERP: 1 and t when a token of ours names a delivery; -2 when a token
 * is there but is not ours (forged, or another list's); 0 when there is
 * no token.
 */
static int
by_verp(struct applier *a, const struct bounce *b, struct target *t,
        struct err *e)
{
    bool token = false;

    for (size_t i = 0; i < b->nto; i++) {
        struct verp_token tok;
        struct verp_match m = {&tok, &a->secret};
        int64_t id;
        int found;

        if (!verp_token_parse(b->to[i], &tok))
            continue;
        token = true;
        if (!a->secret.len)
            continue;
        found = store_issue_by_number(a->c->st, tok.issue, &id, e);
        if (found < 0)
            return -1;
        if (!found)
            continue;
        /* Usually the bounce names the address we sent to, and the token
         * is checked against it alone; only when it names another (a
         * forward, an alias) are the issue's rows searched by hash. */
        for (size_t k = 0; k < b->nrcpts && !t->address; k++)
            if (verp_matches(&m, b->rcpts[k].address))
                t->address = xstrdup(b->rcpts[k].address);
        if (!t->address &&
            store_ledger_find(a->c->st, id, verp_matches, &m, &t->address,
                              e) < 0)
            return -1;
        if (t->address) {
            t->issue = id;
            t->number = tok.issue;
            t->rcpt = main_rcpt(b);
            return 1;
        }
    }
    return token ? -2 : 0;
}

static int
handle(struct applier *a, const char *key, const struct bounce *b,
       struct err *e)
{
    struct target t = {0};
    int rc = by_verp(a, b, &t, e);

    if (rc < 0 && rc != -2)
        return -1;
    if (rc == 1) {
        rc = act(a, &t, e);
        free(t.address);
        return rc;
    }
    if (rc == -2) {
        a->r->forged++;
        log_warn("bounces: %s: a VERP token this list did not make (%s); "
                 "ignored",
                 key, b->to[0]);
        return 0;
    }
    /* No token: the newest issue sent to each recipient named. */
    for (size_t i = 0; i < b->nrcpts; i++) {
        struct target u = {.rcpt = &b->rcpts[i]};
        int found = store_ledger_last_sent(a->c->st, b->rcpts[i].address,
                                           &u.issue, &u.number, e);
        if (found < 0)
            return -1;
        if (!found) {
            a->r->unknown++;
            log_info("bounces: %s: %s is no delivery of ours; ignored", key,
                     b->rcpts[i].address);
            continue;
        }
        u.address = b->rcpts[i].address;
        if (act(a, &u, e) < 0)
            return -1;
    }
    return 0;
}

static int
remember(struct applier *a, const char *key, const char *outcome,
         struct err *e)
{
    if (a->c->dry_run)
        return 0;
    return store_bounce_remember(a->c->st, key, context_time(a->c), outcome,
                                 e);
}

static int
on_message(void *ctx, const char *key, const char *data, size_t len,
           struct err *e)
{
    struct applier *a = ctx;
    struct bounce b;
    struct err pe = ERR_INIT;
    struct buf mid = BUF_INIT;
    int seen = store_bounce_seen(a->c->st, key, e);
    int rc = 0;

    if (seen < 0)
        return -1;
    if (seen)
        return a->c->dry_run ? 0 : 1; /* flag lost: flag it again */
    a->r->messages++;
    if (bounce_parse(data, len, &b, &pe) < 0) {
        log_warn("bounces: %s: %s; skipped", key, pe.msg);
        a->r->not_bounces++;
        return remember(a, key, "unreadable", e) < 0 ? -1 : 1;
    }
    if (b.kind == BOUNCE_NONE || !b.nrcpts) {
        a->r->not_bounces++;
        log_info("bounces: %s: not a bounce", key);
        rc = remember(a, key, "not a bounce", e);
        goto out;
    }
    /* The same bounce again (copied to a second folder, fetched twice). */
    if (b.message_id) {
        buf_appendf(&mid, "message-id:%s", b.message_id);
        seen = store_bounce_seen(a->c->st, mid.data, e);
        if (seen < 0 || (seen && remember(a, key, "seen", e) < 0)) {
            rc = -1;
            goto out;
        }
        if (seen)
            goto out;
    }
    if (handle(a, key, &b, e) < 0 ||
        remember(a, key, bounce_kind_name(b.kind), e) < 0 ||
        (mid.len && remember(a, mid.data, bounce_kind_name(b.kind), e) < 0))
        rc = -1;
out:
    buf_release(&mid);
    bounce_free(&b);
    if (rc < 0)
        return -1;
    return a->c->dry_run ? 0 : 1;
}

int
bounce_collect(const struct context *c, const char *imap_password,
               struct bounce_report *r, struct err *e)
{
    const struct config *cfg = c->cfg;
    struct applier a = {.c = c, .r = r};
    int rc = 0;

    memset(r, 0, sizeof(*r));
    if (!cfg->bounces_maildir && !cfg->bounces_imap)
        return 0;
    buf_init(&a.secret);
    if (compose_read_secret(c, &a.secret, e) < 0) {
        rc = -1;
        goto out;
    }
    if (cfg->bounces_maildir &&
        mailbox_maildir_each(cfg->bounces_maildir, on_message, &a, e) < 0)
        rc = -1;
    if (rc == 0 && cfg->bounces_imap) {
        struct mailbox_imap o = {
            .url = cfg->bounces_imap,
            .user = cfg->bounces_user,
            .password = imap_password,
            .ca_file = cfg->bounces_ca_file,
            .timeout_s = cfg->smtp_timeout,
        };
        if (mailbox_imap_each(&o, on_message, &a, e) < 0)
            rc = -1;
    }
out:
    buf_release(&a.secret);
    return rc;
}

/*
 * deliver: the confirmation mail of a sign-up (double opt-in), composed
 * as a text-only MIME message and handed over at once, through [smtp] url
 * as the digest is, or into the outbox (see deliver.h).
 */
#include "arctic_digest/deliver.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/compose.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/outbox.h"
#include "arctic_digest/util.h"
#include "deliver_int.h"

/* The plain text of the mail.  The name and address come from the
 * sign-up: they are one line of text (the list refused controls), and
 * this is text/plain, so nothing in them can act as markup. */
static void
confirm_text(const struct context *c, const struct deliver_confirm *m,
             struct buf *out)
{
    struct dt until = dt_from_time(m->expires, c->now.offset);

    if (m->to_name && *m->to_name)
        buf_appendf(out, "Hello %s,\n\n", m->to_name);
    else
        buf_append_str(out, "Hello,\n\n");
    buf_appendf(out,
                "someone, probably you, asked to receive %s\n"
                "at %s. To confirm, open this link:\n\n%s\n\n"
                "The link works until ",
                c->cfg->title, m->to_addr, m->link);
    dt_format_rfc5322(&until, out);
    buf_append_str(out, ".\n\nIf you did not ask for this, ignore this "
                        "message: nothing will be\nsent to this address, and "
                        "the request is forgotten once the link\nhas "
                        "expired.\n");
    if (c->cfg->contact)
        buf_appendf(out, "\nQuestions: %s\n", c->cfg->contact);
}

/* "confirm.<time>.<24 hex digits of SHA-256(address lower-cased)>.eml" */
static void
outbox_name(const char *address, int64_t t, struct buf *out)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char *lower = xstrdup(address);
    size_t i;

    ascii_lower(lower, strlen(lower));
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(lower), (const uint8_t *)lower);
    sha256_digest(&ctx, sizeof(digest), digest);
    buf_appendf(out, "confirm.%lld.", (long long)t);
    for (i = 0; i < 12; i++)
        buf_appendf(out, "%02x", digest[i]);
    buf_append_str(out, ".eml");
    free(lower);
}

/* The one job smtp_run() asks for, and its outcome. */
struct single {
    struct smtp_job job;
    bool given, done;
    struct smtp_result r;
};

static int
next_single(void *ctx, struct smtp_job *job)
{
    struct single *s = ctx;

    if (s->given)
        return 0;
    *job = s->job;
    s->given = true;
    return 1;
}

static void
done_single(void *ctx, const struct smtp_job *job, const struct smtp_result *r)
{
    struct single *s = ctx;

    (void)job;
    s->r = *r;
    s->done = true;
}

static int
send_smtp(const struct context *c, const char *from_addr, const char *password,
          const char *rcpt, const struct buf *msg, struct err *e)
{
    struct smtp_options so;
    struct single s;

    memset(&s, 0, sizeof(s));
    if (deliver_smtp_options(c->cfg, from_addr, password, &so, e) < 0)
        return -1;
    s.job.rcpt = rcpt;
    s.job.data = msg->data;
    s.job.len = msg->len;
    if (smtp_run(&so, 1, 0, next_single, done_single, &s, e) < 0)
        return -1;
    if (!s.done)
        return err_set(e, ERR_TEMP, 0,
                       "the confirmation to '%s' was not handed over", rcpt);
    if (s.r.outcome == SMTP_TEMPFAIL)
        return err_set(e, ERR_TEMP, s.r.code,
                       "the mail server deferred the confirmation to '%s': "
                       "%d %s",
                       rcpt, s.r.code, s.r.reply);
    if (s.r.outcome == SMTP_PERMFAIL)
        return err_set(e, ERR_DATA, s.r.code,
                       "the mail server refused the confirmation to '%s': "
                       "%d %s",
                       rcpt, s.r.code, s.r.reply);
    return 0;
}

int
deliver_confirm(const struct context *c, const char *smtp_password,
                const struct deliver_confirm *m, struct err *e)
{
    const struct config *cfg = c->cfg;
    struct buf text = BUF_INIT, subject = BUF_INIT, id = BUF_INIT,
               seed = BUF_INIT, msg = BUF_INIT, name = BUF_INIT;
    struct mime_message mm;
    char *from_name = NULL, *from_addr = NULL;
    int rc = -1;

    if (compose_split_mailbox(cfg->from, &from_name, &from_addr, e) < 0)
        goto out;
    confirm_text(c, m, &text);
    buf_appendf(&subject, "Confirm your subscription to %s", cfg->title);
    buf_appendf(&seed, "confirm %s %lld", m->to_addr, (long long)c->now.t);
    mime_message_id(seed.data, from_addr, &id);
    memset(&mm, 0, sizeof(mm));
    mm.from_name = from_name;
    mm.from_addr = from_addr;
    mm.to_name = m->to_name && *m->to_name ? m->to_name : NULL;
    mm.to_addr = m->to_addr;
    mm.reply_to = cfg->reply_to;
    mm.subject = subject.data;
    mm.date = c->now;
    mm.message_id = id.data;
    mm.text = text.data;
    mm.text_len = text.len;
    mm.boundary_seed = seed.data;
    if (mime_build(&mm, &msg, e) < 0)
        goto out;
    if (cfg->smtp_url) {
        rc = send_smtp(c, from_addr, smtp_password, m->to_addr, &msg, e);
        goto out;
    }
    outbox_name(m->to_addr, c->now.t, &name);
    if (outbox_open(cfg->outbox, e) < 0 ||
        outbox_put(cfg->outbox, name.data, msg.data, msg.len, e) < 0)
        goto out;
    rc = 0;
out:
    free(from_name);
    free(from_addr);
    buf_release(&text);
    buf_release(&subject);
    buf_release(&id);
    buf_release(&seed);
    buf_release(&msg);
    buf_release(&name);
    return rc;
}

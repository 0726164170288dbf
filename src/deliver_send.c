/*
 * deliver: the whole send of an issue: freeze or resume, compose each
 * subscriber's message, the send loop, and the bookkeeping after it
 * (see deliver.h).
 */
#include "arctic_digest/deliver.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/compose.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/log.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "deliver_int.h"

struct sender {
    const struct context *c;
    struct store_issue issue;
    struct article_list articles; /* the issue's, in order */
    bool have_subs; /* the list was read into the roster */
    struct subs_entry cur; /* the last subscriber looked up */
    struct composer *cp;
};

/* Free what lookup() put in s->cur. */
static void
cur_release(struct subs_entry *cur)
{
    free(cur->email);
    free(cur->name);
    free(cur->status);
    free(cur->format);
    subs_set_tags(cur, NULL);
    free(cur->tags);
    memset(cur, 0, sizeof(*cur));
}

static void
sender_release(struct sender *s)
{
    compose_free(s->cp);
    article_list_release(&s->articles);
    store_issue_release(&s->issue);
    cur_release(&s->cur);
}

int
deliver_parse_rate(const char *s, double *per_second, struct err *e)
{
    char *end;
    double n;

    *per_second = 0;
    if (!s)
        return 0;
    n = strtod(s, &end);
    if (end == s || n <= 0)
        goto bad;
    if (!strcmp(end, "/s"))
        *per_second = n;
    else if (!strcmp(end, "/min"))
        *per_second = n / 60;
    else if (!strcmp(end, "/h"))
        *per_second = n / 3600;
    else
        goto bad;
    return 0;
bad:
    return err_set(e, ERR_CONFIG, 0,
                   "[smtp] rate: '%s' is not N/s, N/min or N/h", s);
}

int
deliver_smtp_options(const struct config *cfg, const char *from_addr,
             const char *password, struct smtp_options *so, struct err *e)
{
    memset(so, 0, sizeof(*so));
    so->url = cfg->smtp_url;
    so->user = cfg->smtp_user;
    so->ca_file = cfg->smtp_ca_file;
    so->envelope_from =
        cfg->smtp_envelope_from ? cfg->smtp_envelope_from : from_addr;
    so->response_timeout_s = cfg->smtp_timeout;
    so->connect_timeout_s = cfg->smtp_timeout;
    so->verbose = log_get_level() >= LOG_LEVEL_DEBUG;
    so->tls = !strcmp(cfg->smtp_tls, "none")       ? SMTP_TLS_NONE
              : !strcmp(cfg->smtp_tls, "starttls") ? SMTP_TLS_STARTTLS
                                                   : SMTP_TLS_REQUIRED;
    if (password && *password) {
        if (!cfg->smtp_user)
            return err_set(e, ERR_CONFIG, 0,
                           "[smtp] a password needs a user");
        if (so->tls == SMTP_TLS_NONE)
            return err_set(e, ERR_CONFIG, 0,
                           "[smtp] tls = none with a password would send "
                           "it in the clear; refused");
        so->password = password;
    }
    return 0;
}

/* One row of the list into the roster; an address's first row counts. */
static int
roster_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
           struct err *e)
{
    struct sender *snd = ctx;
    struct store_member m;
    struct buf tags = BUF_INIT;
    int rc;

    (void)l;
    issue_roster_member(s, &tags, &m);
    rc = store_roster_add(snd->c->st, &m, e);
    buf_release(&tags);
    return rc < 0 ? -1 : 0;
}

/* Read the list once into the roster, in one transaction (a temporary
 * table: memory stays flat).  A missing list is no error here: every row
 * then keeps the name it was frozen with. */
static int
load_subscribers(struct sender *s, struct err *e)
{
    struct store *st = s->c->st;

    if (store_begin(st, e) < 0)
        return -1;
    if (store_roster_clear(st, e) < 0 ||
        subs_scan(s->c->cfg->subscribers, roster_row, s, NULL, e) < 0) {
        store_rollback(st);
        return e->code == ERR_NOINPUT ? 0 : -1;
    }
    if (store_commit(st, e) < 0)
        return -1;
    s->have_subs = true;
    return 0;
}

/* The list's row for address (any case) in s->cur: 1, or 0 when the list
 * has none (or there is no list), -1 when the state cannot be read. */
static int
lookup(struct sender *s, const char *address, struct err *e)
{
    struct store_member m;
    int found;

    cur_release(&s->cur);
    if (!s->have_subs)
        return 0;
    found = store_roster_get(s->c->st, address, &m, e);
    if (found <= 0)
        return found;
    s->cur.email = m.address;
    s->cur.name = m.name;
    s->cur.status = m.status;
    s->cur.format = m.format;
    s->cur.line = m.line;
    subs_set_tags(&s->cur, m.tags);
    free(m.tags);
    return 1;
}

static int
compose_row(void *ctx, const struct store_ledger_row *row,
            struct buf_list *out, struct err *e)
{
    struct sender *s = ctx;
    struct compose_recipient r;
    int found;

    /* One address no message can go to fails alone: the list refuses
     * such addresses at its doors, but a hand edit or an older list can
     * still hold one, and mime_addr_check says why. */
    if (mime_addr_check(row->address, strlen(row->address), e) < 0) {
        err_prefix(e, "cannot send to '%s'", row->address);
        return 1;
    }
    found = lookup(s, row->address, e);
    if (found < 0)
        return -1;
    compose_recipient_of(found ? &s->cur : NULL, row->address, row->name,
                         &r);
    return compose_message_pieces(s->cp, &r, out, NULL, e);
}

static int64_t
ledger_clock(void *ctx)
{
    struct sender *s = ctx;
    return context_time(s->c);
}

/* The frozen issue's articles, in its order, and its composer. */
static int
prepare(struct sender *s, const struct buf *secret, struct err *e)
{
    struct compose_issue ci;
    size_t i;

    for (i = 0; i < s->issue.narticles; i++) {
        struct article a;
        if (store_article_get(s->c->st, s->issue.articles[i], &a, e) < 0)
            return -1;
        article_list_take(&s->articles, &a);
    }
    memset(&ci, 0, sizeof(ci));
    ci.number = s->issue.number;
    ci.period_start = s->issue.period_start;
    ci.period_end = s->issue.period_end;
    ci.articles = s->articles.v;
    ci.narticles = s->articles.n;
    return compose_new(s->c, &ci, secret->data, secret->len, &s->cp, e);
}

/* Rows whose subscriber left since the issue froze get nothing: found in
 * SQL against the roster, a page at a time. */
#define PAGE 256

static int
drop_departed(struct sender *s, struct err *e)
{
    struct store_ledger_row *rows = NULL;
    char *after = NULL;
    size_t i, n = PAGE;
    int rc = 0;

    if (!s->have_subs)
        return 0;
    while (rc == 0 && n == PAGE) {
        if (store_ledger_departed_page(s->c->st, s->issue.id, after, PAGE,
                                       &rows, &n, e) < 0) {
            rc = -1;
            break;
        }
        for (i = 0; i < n; i++) {
            if (rc == 0) {
                log_info("%s: no longer subscribed; not sent",
                         rows[i].address);
                rc = store_ledger_mark(s->c->st, s->issue.id,
                                       rows[i].address, STORE_FAILED, 0,
                                       "no longer subscribed",
                                       context_time(s->c), e);
            }
            if (i + 1 == n) {
                free(after);
                after = rows[i].address;
                rows[i].address = NULL;
            }
            store_ledger_row_release(&rows[i]);
        }
        free(rows);
        rows = NULL;
    }
    free(after);
    return rc;
}

int
deliver_set_if_active(const struct context *c, const char *address,
                      const char *status, struct err *e)
{
    struct subs_list l;
    struct buf when = BUF_INIT;
    int rc = 0;

    if (subs_load_one(&l, c->cfg->subscribers, address, e) < 0)
        return -1;
    if (l.n == 0 || strcmp(l.v[0].status, SUBS_STATUS_ACTIVE))
        goto out;
    rc = 1;
    if (c->dry_run) {
        log_info("would mark %s %s", l.v[0].email, status);
        goto out;
    }
    dt_format_rfc3339(&c->now, &when);
    if (subs_set_status(c->cfg->subscribers, l.v[0].email, status, when.data,
                        e) < 0)
        rc = -1;
out:
    subs_list_release(&l);
    buf_release(&when);
    return rc;
}

int
deliver_mark_bouncing(const struct context *c, const char *address,
                      struct err *e)
{
    int streak = 0, rc;

    if (store_ledger_failed_streak(c->st, address, DELIVER_BOUNCE_STREAK,
                                   &streak, e) < 0)
        return -1;
    if (streak < DELIVER_BOUNCE_STREAK)
        return 0;
    rc = deliver_set_if_active(c, address, SUBS_STATUS_BOUNCED, e);
    if (rc > 0 && !c->dry_run)
        log_info("%s marked bounced: refused in %d issues in a row", address,
                 DELIVER_BOUNCE_STREAK);
    return rc;
}

/* Repeated hard bounces.  Only this issue's permanent refusals can start
 * a new streak, so only they are looked at (the list is read only for an
 * address whose streak is long enough). */
static void
mark_bounces(struct sender *s)
{
    struct err e = ERR_INIT;
    char **refused = NULL;
    size_t i, n = 0;

    if (!s->have_subs)
        return;
    if (store_ledger_hard_failed(s->c->st, s->issue.id, &refused, &n, &e) < 0)
        log_warn("cannot look for repeated bounces: %s", e.msg);
    for (i = 0; i < n; i++)
        if (deliver_mark_bouncing(s->c, refused[i], &e) < 0)
            log_warn("cannot mark %s bounced: %s", refused[i], e.msg);
    for (i = 0; i < n; i++)
        free(refused[i]);
    free(refused);
}

/* The issue to send: the unfinished one, else a new one (0: none);
 * *frozen tells which. */
static int
current_issue(const struct context *c, int64_t slot, struct store_issue *out,
              bool *frozen, struct err *e)
{
    int found = store_issue_unfinished(c->st, out, e);

    *frozen = false;
    if (found > 0)
        log_info("resuming issue %d", out->number);
    if (found != 0)
        return found;
    found = issue_freeze(c, slot, out, e);
    *frozen = found > 0;
    return found;
}

/* After the loop: bounces, and the issue's status: sent once nothing is
 * pending (what is deferred is retried by later runs, deliver_retry). */
static int
finish(struct sender *s, struct err *e)
{
    int64_t counts[4];

    mark_bounces(s);
    if (store_ledger_counts(s->c->st, s->issue.id, counts, e) < 0)
        return -1;
    if (counts[STORE_PENDING] == 0 && s->issue.status != STORE_ISSUE_SENT &&
        store_issue_mark_sent(s->c->st, s->issue.id, s->c->now.t, e) < 0)
        return -1;
    return 0;
}

/* What every send needs from the configuration, read before anything is
 * frozen. */
struct setup {
    struct smtp_options so;
    struct deliver_options o;
    struct buf secret;
    char *from_name, *from_addr;
};

static void
setup_release(struct setup *u)
{
    free(u->from_name);
    free(u->from_addr);
    buf_release(&u->secret);
}

static int
setup(const struct context *c, const char *smtp_password,
      deliver_progress_fn progress, struct setup *u, struct err *e)
{
    const struct config *cfg = c->cfg;

    memset(u, 0, sizeof(*u));
    buf_init(&u->secret);
    if (compose_split_mailbox(cfg->from, &u->from_name, &u->from_addr, e) <
            0 ||
        (cfg->smtp_url && deliver_smtp_options(cfg, u->from_addr,
                                               smtp_password, &u->so,
                                               e) < 0) ||
        deliver_parse_rate(cfg->smtp_rate, &u->o.max_per_second, e) < 0 ||
        compose_read_secret(c, &u->secret, e) < 0)
        return -1;
    u->o.smtp = cfg->smtp_url ? &u->so : NULL;
    u->o.outbox = cfg->outbox;
    u->o.connections = cfg->smtp_connections;
    u->o.retries = cfg->smtp_retries;
    u->o.retry_delay_ms = (long)cfg->smtp_retry_delay * 1000;
    u->o.dry_run = c->dry_run;
    u->o.compose = compose_row;
    u->o.progress = progress;
    u->o.clock = ledger_clock;
    if (cfg->bounces_verp) {
        /* The token's MAC needs the secret, which the first send made
         * (or will make: see cli.c's ensure_secret). */
        if (!u->secret.len)
            return err_set(e, ERR_CONFIG, 0,
                           "%s: [bounces] verp = yes needs the secret in "
                           "[digest] unsubscribe_secret_file",
                           cfg->path ? cfg->path : "config");
        u->o.verp_from = u->so.envelope_from ? u->so.envelope_from
                                             : u->from_addr;
        u->o.verp_secret = u->secret.data;
        u->o.verp_secret_len = u->secret.len;
    }
    return 0;
}

/* One frozen issue (taken) through the send loop and the bookkeeping.
 * roster_read: the freeze of this issue has just read the list into the
 * roster, which need not be read again. */
static int
send_one(const struct context *c, struct setup *u, struct store_issue *is,
         bool roster_read, struct deliver_stats *stats, struct err *e)
{
    struct sender s;
    int rc = -1;

    memset(&s, 0, sizeof(s));
    s.c = c;
    s.issue = *is;
    s.have_subs = roster_read;
    memset(is, 0, sizeof(*is));
    if (prepare(&s, &u->secret, e) < 0 ||
        (!roster_read && load_subscribers(&s, e) < 0) ||
        (!c->dry_run && drop_departed(&s, e) < 0))
        goto out;
    u->o.ctx = &s;
    if (deliver_issue(c->st, s.issue.id, s.issue.number, &u->o, stats, e) <
        0)
        goto out;
    if (!c->dry_run && finish(&s, e) < 0)
        goto out;
    rc = 0;
out:
    u->o.ctx = NULL;
    sender_release(&s);
    return rc;
}

int
deliver_send(const struct context *c, int64_t slot,
             const char *smtp_password, deliver_progress_fn progress,
             struct deliver_stats *stats, int *number, struct err *e)
{
    struct store_issue is;
    struct setup u;
    bool frozen = false;
    int rc = -1;

    memset(stats, 0, sizeof(*stats));
    memset(&is, 0, sizeof(is));
    /* The configuration first: an error in it freezes no issue. */
    if (setup(c, smtp_password, progress, &u, e) < 0)
        goto out;
    rc = current_issue(c, slot, &is, &frozen, e);
    if (rc <= 0)
        goto out; /* 0: nothing to send */
    *number = is.number;
    rc = send_one(c, &u, &is, frozen, stats, e) < 0 ? -1 : 1;
out:
    store_issue_release(&is);
    setup_release(&u);
    return rc;
}

/* Deferred rows of issues frozen longer ago than [smtp] give_up_after
 * fail with their last reply; each is a warning. */
static int
give_up(const struct context *c, struct deliver_stats *stats,
        struct err *e)
{
    static const struct {
        int64_t seconds;
        const char *unit;
    } units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    struct store_given_up *v = NULL;
    struct buf after = BUF_INIT;
    int64_t now = context_time(c), d = c->cfg->smtp_give_up_after;
    size_t i, n = 0;

    if (c->dry_run)
        return 0;
    if (store_ledger_give_up(c->st, now - d, now, &v, &n, e) < 0)
        return -1;
    /* "10 days", "36 hours": the largest unit the setting is a whole
     * number of. */
    for (i = 0; d % units[i].seconds; i++)
        ;
    buf_appendf(&after, "%lld %s%s", (long long)(d / units[i].seconds),
                units[i].unit, d == units[i].seconds ? "" : "s");
    for (i = 0; i < n; i++)
        log_warn("%s: issue %d: given up after %s: %d %s", v[i].address,
                 v[i].number, after.data, v[i].code,
                 v[i].reply ? v[i].reply : "");
    stats->failed += n;
    store_given_up_release(v, n);
    buf_release(&after);
    return 0;
}

int
deliver_retry(const struct context *c, const char *smtp_password,
              deliver_progress_fn progress, struct deliver_stats *stats,
              struct err *e)
{
    struct setup u;
    int64_t *ids = NULL;
    size_t i, n = 0;
    int rc = -1;

    memset(stats, 0, sizeof(*stats));
    if (setup(c, smtp_password, progress, &u, e) < 0 ||
        give_up(c, stats, e) < 0 ||
        store_ledger_deferred_issues(c->st, &ids, &n, e) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        struct store_issue is;
        struct deliver_stats one;
        int found = store_issue_get(c->st, ids[i], &is, e);
        if (found < 0)
            goto out;
        if (!found)
            continue;
        log_info("issue %d: trying the deferred deliveries again",
                 is.number);
        found = send_one(c, &u, &is, false, &one, e);
        store_issue_release(&is);
        stats->total += one.total;
        stats->sent += one.sent;
        stats->deferred += one.deferred;
        stats->failed += one.failed;
        if (found < 0)
            goto out;
    }
    rc = n > 0 || stats->failed ? 1 : 0;
out:
    free(ids);
    setup_release(&u);
    return rc;
}

/*
 * send: freeze the next issue (or resume the unfinished one) and deliver
 * one personalised message per active subscriber, over SMTP or into the
 * outbox.  No collecting.
 *
 * Rendering happens once per variant of the issue (the articles a
 * subscriber's topics select, with or without a greeting name), with
 * markers where the personal parts go; each message then only swaps the
 * markers for the subscriber's name and unsubscribe token.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/deliver.h"
#include "arctic_digest/log.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/render.h"
#include "arctic_digest/store.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "cmd.h"

static const char usage[] = "send [--dry-run]";

/* Markers: letters and digits only, so that no escaping changes them. */
#define NAME_MARK "zqADNAMEq7x"
#define TOKEN_MARK "zqADTOKENq7x"

struct variant {
    char *key;
    struct render_output out;
};

struct sender {
    struct app *app;
    struct store *st;
    struct store_issue issue;
    struct article *articles; /* the issue's, in order */
    size_t narticles;
    struct subs_list subs;
    bool have_subs;
    const struct subs_entry **by_addr; /* subs sorted by address, for
                                          lookups per message */
    struct buf secret; /* unsubscribe secret; empty: none */
    char *from_name, *from_addr;
    struct variant *variants;
    size_t nvariants, variants_alloc;
    struct buf scratch;
};

static void
sender_release(struct sender *s)
{
    size_t i;

    for (i = 0; i < s->narticles; i++)
        article_release(&s->articles[i]);
    free(s->articles);
    store_issue_release(&s->issue);
    if (s->have_subs)
        subs_list_release(&s->subs);
    free(s->by_addr);
    buf_release(&s->secret);
    free(s->from_name);
    free(s->from_addr);
    for (i = 0; i < s->nvariants; i++) {
        free(s->variants[i].key);
        render_output_release(&s->variants[i].out);
    }
    free(s->variants);
    buf_release(&s->scratch);
}

static int
cmp_entry(const void *a, const void *b)
{
    const struct subs_entry *const *x = a, *const *y = b;
    return strcasecmp((*x)->email, (*y)->email);
}

static int
cmp_key(const void *key, const void *elem)
{
    const struct subs_entry *const *y = elem;
    return strcasecmp(key, (*y)->email);
}

/* Index the list once: a linear subs_find per message would make a send
 * quadratic in the number of subscribers. */
static void
index_subscribers(struct sender *s)
{
    size_t i;

    s->by_addr = xcalloc(s->subs.n + 1, sizeof(*s->by_addr));
    for (i = 0; i < s->subs.n; i++)
        s->by_addr[i] = &s->subs.v[i];
    qsort(s->by_addr, s->subs.n, sizeof(*s->by_addr), cmp_entry);
}

static const struct subs_entry *
subscriber(const struct sender *s, const char *address)
{
    const struct subs_entry *const *hit;

    if (!s->have_subs)
        return NULL;
    hit = bsearch(address, s->by_addr, s->subs.n, sizeof(*s->by_addr),
                  cmp_key);
    return hit ? *hit : NULL;
}

/* The issue's articles this subscriber wants: a '0'/'1' mask. */
static void
article_mask(const struct sender *s, const struct subs_entry *sub,
             struct buf *mask)
{
    const struct config *c = &s->app->cfg;
    size_t i;

    for (i = 0; i < s->narticles; i++)
        buf_append_char(mask,
                        !sub || subs_wants_article(sub, c->topics, c->ntopics,
                                                   &s->articles[i])
                            ? '1'
                            : '0');
}

static void
unsubscribe_url(const struct config *c, const char *token, struct buf *out)
{
    buf_appendf(out, "%s%c%s=%s", c->unsubscribe_url,
                strchr(c->unsubscribe_url, '?') ? '&' : '?', "token", token);
}

static int
render_variant(struct sender *s, const char *mask, bool named,
               struct render_output *out, struct err *e)
{
    const struct config *c = &s->app->cfg;
    struct render_templates t = {c->templates};
    struct render_issue is;
    struct article *subset = xcalloc(s->narticles + 1, sizeof(*subset));
    struct buf unsub = BUF_INIT;
    size_t i, n = 0;
    int rc;

    for (i = 0; i < s->narticles; i++)
        if (mask[i] == '1')
            subset[n++] = s->articles[i]; /* shallow: render only reads */
    memset(&is, 0, sizeof(is));
    is.title = c->title;
    is.number = s->issue.number;
    is.period_start = dt_from_time(s->issue.period_start, s->app->now.offset);
    is.period_end = dt_from_time(s->issue.period_end, s->app->now.offset);
    is.articles = subset;
    is.narticles = n;
    is.style = (enum cite_style)cite_style_from_name(c->citation_style);
    is.archive_url = c->archive_url;
    is.contact = c->contact;
    is.to_name = named ? NAME_MARK : NULL;
    is.to_addr = NULL;
    if (c->unsubscribe_url && s->secret.len) {
        unsubscribe_url(c, TOKEN_MARK, &unsub);
        is.unsubscribe_url = unsub.data;
    }
    render_output_init(out);
    rc = render_issue(&t, &is, out, e);
    free(subset);
    buf_release(&unsub);
    return rc;
}

static const struct render_output *
variant_for(struct sender *s, const char *mask, bool named, struct err *e)
{
    struct buf key = BUF_INIT;
    struct variant *v;
    size_t i;

    buf_appendf(&key, "%s%c", mask, named ? 'N' : '-');
    for (i = 0; i < s->nvariants; i++) {
        if (!strcmp(s->variants[i].key, key.data)) {
            buf_release(&key);
            return &s->variants[i].out;
        }
    }
    xgrow(&s->variants, &s->variants_alloc, s->nvariants + 1,
          sizeof(*s->variants));
    v = &s->variants[s->nvariants];
    if (render_variant(s, mask, named, &v->out, e) < 0) {
        render_output_release(&v->out);
        buf_release(&key);
        return NULL;
    }
    v->key = buf_detach(&key, NULL);
    s->nvariants++;
    return &v->out;
}

/* Copy in to out, replacing every mark with rep. */
static void
replace(const char *in, size_t n, const char *mark, const char *rep,
        struct buf *out)
{
    size_t mlen = strlen(mark);
    const char *p = in, *end = in + n, *hit;

    while ((hit = strstr(p, mark)) != NULL && hit < end) {
        buf_append(out, p, (size_t)(hit - p));
        buf_append_str(out, rep);
        p = hit + mlen;
    }
    buf_append(out, p, (size_t)(end - p));
}

/* Fill the personal parts of one rendered body. */
static void
personalise(const struct buf *body, const char *name, const char *token,
            bool html, struct buf *out)
{
    struct buf tmp = BUF_INIT, esc = BUF_INIT;

    if (name && html)
        text_escape_html(name, strlen(name), &esc);
    else if (name)
        buf_append_str(&esc, name);
    replace(body->data, body->len, NAME_MARK, esc.data, &tmp);
    replace(tmp.data, tmp.len, TOKEN_MARK, token ? token : "", out);
    buf_release(&tmp);
    buf_release(&esc);
}

static int
compose(void *ctx, const struct store_ledger_row *row, struct buf *out,
        struct err *e)
{
    struct sender *s = ctx;
    const struct config *c = &s->app->cfg;
    const struct subs_entry *sub = subscriber(s, row->address);
    const char *name = sub && sub->name && sub->name[0] ? sub->name
                                                         : row->name;
    bool named = name && name[0];
    const struct render_output *r;
    struct buf mask = BUF_INIT, token = BUF_INIT, html = BUF_INIT,
               text = BUF_INIT, msgid = BUF_INIT, seed = BUF_INIT,
               unsub = BUF_INIT, lu = BUF_INIT;
    struct mime_message m;
    int rc = -1;

    article_mask(s, sub, &mask);
    r = variant_for(s, mask.data, named, e);
    if (!r)
        goto out;
    if (s->secret.len &&
        subs_token_make(s->secret.data, s->secret.len, row->address,
                        &token) < 0) {
        err_set(e, ERR_INTERNAL, 0, "cannot make an unsubscribe token");
        goto out;
    }
    personalise(&r->text, named ? name : NULL, token.data, false, &text);
    if (!sub || !sub->format || strcmp(sub->format, "text") != 0)
        personalise(&r->html, named ? name : NULL, token.data, true, &html);
    buf_appendf(&lu, "<mailto:%s?subject=unsubscribe>",
                c->reply_to ? c->reply_to : s->from_addr);
    if (c->unsubscribe_url && token.len) {
        unsubscribe_url(c, token.data, &unsub);
        buf_appendf(&lu, ", <%s>", unsub.data);
    }
    /* Stable across retries: the same issue and address, the same id. */
    buf_appendf(&seed, "issue-%d.%s", s->issue.number, row->address);
    mime_message_id(seed.data, s->from_addr, &msgid);
    memset(&m, 0, sizeof(m));
    m.from_name = s->from_name;
    m.from_addr = s->from_addr;
    m.to_name = named ? name : NULL;
    m.to_addr = row->address;
    m.reply_to = c->reply_to;
    m.subject = r->subject.data;
    m.date = dt_from_time(s->app->now.t, s->app->now.offset);
    m.message_id = msgid.data;
    m.list_id = c->list_id;
    m.list_unsubscribe = lu.data;
    if (unsub.len)
        m.list_unsubscribe_post = "List-Unsubscribe=One-Click";
    m.text = text.data;
    m.text_len = text.len;
    m.html = html.len ? html.data : NULL;
    m.html_len = html.len;
    m.boundary_seed = seed.data;
    rc = mime_build(&m, out, e);
out:
    buf_release(&mask);
    buf_release(&token);
    buf_release(&html);
    buf_release(&text);
    buf_release(&msgid);
    buf_release(&seed);
    buf_release(&unsub);
    buf_release(&lu);
    return rc;
}

static int64_t
clock_now(void *ctx)
{
    struct sender *s = ctx;
    return s->app->now_arg || s->app->cfg.clock ? s->app->now.t
                                                : (int64_t)time(NULL);
}

static void
show_progress(void *ctx, const struct deliver_stats *st)
{
    (void)ctx;
    if (!isatty(STDERR_FILENO) || log_get_level() < LOG_LEVEL_INFO)
        return;
    fprintf(stderr, "\rarctic-digest: sending: %zu of %zu sent, %zu "
                    "deferred, %zu failed ",
            st->sent, st->total, st->deferred, st->failed);
}

/* The articles of the frozen issue, in its order. */
static int
load_articles(struct sender *s, struct err *e)
{
    size_t i;

    s->articles = xcalloc(s->issue.narticles + 1, sizeof(*s->articles));
    for (i = 0; i < s->issue.narticles; i++) {
        if (store_article_get(s->st, s->issue.articles[i], &s->articles[i],
                              e) < 0)
            return -1;
        s->narticles++;
    }
    return 0;
}

/* Rows whose subscriber left since the issue froze get nothing. */
static int
drop_departed(struct sender *s, struct err *e)
{
    struct store_ledger_row *rows = NULL;
    size_t i, n = 0;
    int rc = 0;

    if (!s->have_subs)
        return 0;
    if (store_ledger_todo(s->st, s->issue.id, &rows, &n, e) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        const struct subs_entry *sub = subscriber(s, rows[i].address);
        if (rc == 0 && (!sub || strcmp(sub->status, SUBS_STATUS_ACTIVE))) {
            log_info("%s: no longer subscribed; not sent", rows[i].address);
            rc = store_ledger_mark(s->st, s->issue.id, rows[i].address,
                                   STORE_FAILED, 0, "no longer subscribed",
                                   s->app->now.t, e);
        }
        store_ledger_row_release(&rows[i]);
    }
    free(rows);
    return rc;
}

/* Repeated hard bounces: three issues in a row make an address bounced. */
static void
mark_bounces(struct sender *s)
{
    struct buf when = BUF_INIT;
    size_t i;

    if (!s->have_subs)
        return;
    dt_format_rfc3339(&s->app->now, &when);
    for (i = 0; i < s->subs.n; i++) {
        const struct subs_entry *sub = &s->subs.v[i];
        struct err e = ERR_INIT;
        int streak = 0;
        if (strcmp(sub->status, SUBS_STATUS_ACTIVE) ||
            store_ledger_failed_streak(s->st, sub->email, 3, &streak, &e) <
                0 ||
            streak < 3)
            continue;
        if (subs_set_status(s->app->cfg.subscribers, sub->email,
                            SUBS_STATUS_BOUNCED, when.data, &e) < 0)
            log_warn("cannot mark %s bounced: %s", sub->email, e.msg);
        else
            log_info("%s: refused in 3 issues in a row; marked bounced",
                     sub->email);
    }
    buf_release(&when);
}

int
cmd_send_issue(struct app *app, struct store *st, int64_t slot, bool dry_run,
               struct deliver_stats *stats, int *number, struct err *e)
{
    const struct config *c = &app->cfg;
    struct sender s;
    struct deliver_options o;
    struct smtp_options so;
    struct buf password = BUF_INIT;
    int64_t counts[4];
    int found, rc = -1;

    memset(&s, 0, sizeof(s));
    memset(&o, 0, sizeof(o));
    memset(&so, 0, sizeof(so));
    s.app = app;
    s.st = st;
    memset(stats, 0, sizeof(*stats));
    /* A dry run builds and composes everything inside one transaction
     * that is rolled back: it records nothing. */
    if (dry_run && store_begin(st, e) < 0)
        return -1;
    /* The configuration first: an error in it freezes no issue. */
    if (cmd_split_mailbox(c->from, &s.from_name, &s.from_addr, e) < 0 ||
        (c->smtp_url &&
         cmd_smtp_options(app, s.from_addr, &so, &password, e) < 0) ||
        cmd_parse_rate(c->smtp_rate, &o.max_per_second, e) < 0 ||
        (c->unsubscribe_url && cmd_unsubscribe_secret(app, &s.secret, e) < 0))
        goto out;
    found = store_issue_unfinished(st, &s.issue, e);
    if (found < 0)
        goto out;
    if (found == 0) {
        found = cmd_freeze_issue(app, st, slot, &s.issue, e);
        if (found <= 0) {
            rc = found; /* 0: nothing to send */
            goto out;
        }
    } else {
        log_info("resuming issue %d", s.issue.number);
    }
    *number = s.issue.number;
    if (load_articles(&s, e) < 0)
        goto out;
    if (subs_load(&s.subs, c->subscribers, e) == 0) {
        s.have_subs = true;
        index_subscribers(&s);
    }
    else if (e->code != ERR_NOINPUT)
        goto out;
    if (!dry_run && drop_departed(&s, e) < 0)
        goto out;

    if (c->smtp_url)
        o.smtp = &so;
    o.outbox = c->outbox;
    o.connections = c->smtp_connections;
    o.retries = c->smtp_retries;
    o.retry_delay_ms = (long)c->smtp_retry_delay * 1000;
    o.dry_run = dry_run;
    o.compose = compose;
    o.progress = show_progress;
    o.clock = clock_now;
    o.ctx = &s;
    rc = deliver_issue(st, s.issue.id, s.issue.number, &o, stats, e);
    if (isatty(STDERR_FILENO) && stats->total &&
        log_get_level() >= LOG_LEVEL_INFO)
        fputc('\n', stderr);
    if (rc < 0)
        goto out;
    if (dry_run) {
        log_info("dry run: issue %d would go to %zu subscriber%s; nothing "
                 "was sent or recorded",
                 s.issue.number, stats->total, stats->total == 1 ? "" : "s");
        rc = 0;
        goto out;
    }
    mark_bounces(&s);
    if (store_ledger_counts(st, s.issue.id, counts, e) < 0) {
        rc = -1;
        goto out;
    }
    if (counts[STORE_PENDING] + counts[STORE_DEFERRED] == 0 &&
        store_issue_mark_sent(st, s.issue.id, app->now.t, e) < 0)
        rc = -1;
    else
        rc = 1;
out:
    if (dry_run)
        store_rollback(st);
    buf_release(&password);
    sender_release(&s);
    return rc;
}

int
cmd_send_report(int rc, int number, const struct deliver_stats *st,
                const struct err *e)
{
    if (rc < 0)
        return cmd_fail(e);
    if (rc == 0)
        return 0;
    if (st->deferred || st->failed)
        log_warn("issue %d: %zu sent, %zu deferred, %zu failed of %zu",
                 number, st->sent, st->deferred, st->failed, st->total);
    else
        log_info("issue %d: %zu sent", number, st->sent);
    return st->deferred ? 75 : 0;
}

int
cmd_send(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct deliver_stats st;
    struct store *store = NULL;
    struct err e = ERR_INIT;
    bool dry_run = false;
    int opt, rc, number = 0, lock = -1;

    while ((opt = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            dry_run = true;
            break;
        case 'h':
            printf("usage: arctic-digest %s\n", usage);
            return 0;
        default:
            return cmd_usage(usage);
        }
    }
    if (optind != argc)
        return cmd_usage(usage);
    if (cmd_lock(app, &lock, &e) < 0)
        return cmd_fail(&e);
    if (store_open(app->cfg.state, &store, &e) < 0) {
        rc = cmd_fail(&e);
    } else {
        rc = cmd_send_issue(app, store, 0, dry_run, &st, &number, &e);
        rc = cmd_send_report(rc, number, &st, &e);
    }
    store_close(store);
    cmd_unlock(lock);
    return rc;
}

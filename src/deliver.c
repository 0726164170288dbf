/* deliver: the send loop (see deliver.h). */
#include "arctic_digest/deliver.h"

#include <ctype.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arctic_digest/bounce.h"
#include "arctic_digest/log.h"
#include "arctic_digest/outbox.h"
#include "arctic_digest/util.h"

/* One ledger row on its way. */
struct item {
    struct store_ledger_row row;
    int tries;        /* attempts in this run */
    int64_t ready_ms; /* not before this monotonic time */
    bool done;
    bool inflight;
    bool picked;      /* taken from the fresh ones */
    struct buf_list msg; /* composed, while in flight */
    struct buf from;  /* its VERP envelope sender, while in flight */
};

/*
 * The rows in memory are a window on the ledger: read a page at a time in
 * address order (store_ledger_todo_page) as the fresh ones run low, and
 * dropped once done.  What stays longer is only what waits for a retry
 * in this run, so memory does not grow with the list.
 */
#define WINDOW_PAGE 512

struct run {
    struct store *s;
    int64_t issue;
    int number;
    const struct deliver_options *o;
    struct deliver_stats *st;
    struct item **win; /* in the order read; items stay where they are */
    size_t n, alloc;
    size_t fresh;    /* items in win not tried yet */
    char *after;     /* the last address read from the ledger */
    bool exhausted;  /* the ledger has no more rows to read */
    size_t cursor;   /* next item to look at */
    bool stop;       /* a ledger write or compose failed */
    struct err *e;
};

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void
deliver_outbox_name(int number, const char *address, struct buf *out)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char lowered[512];
    size_t i, n = strlen(address);

    if (n >= sizeof(lowered))
        n = sizeof(lowered) - 1;
    for (i = 0; i < n; i++)
        lowered[i] = (char)tolower((unsigned char)address[i]);
    sha256_init(&ctx);
    sha256_update(&ctx, n, (const uint8_t *)lowered);
    sha256_digest(&ctx, sizeof(digest), digest);
    buf_appendf(out, "issue%d.", number);
    for (i = 0; i < 12; i++)
        buf_appendf(out, "%02x", digest[i]);
    buf_append_str(out, ".eml");
}

static void
progress(struct run *r)
{
    if (r->o->progress)
        r->o->progress(r->o->ctx, r->st);
}

static void
record(struct run *r, struct item *it, enum store_delivery status, int code,
       const char *reply)
{
    int64_t now = r->o->clock(r->o->ctx);

    if (r->o->dry_run)
        return;
    if (store_ledger_mark(r->s, r->issue, it->row.address, status, code,
                          reply, now, r->e) < 0)
        r->stop = true;
}

/* An attempt's outcome: ledger first, then the retry decision. */
static void
outcome(struct run *r, struct item *it, enum smtp_outcome out, int code,
        const char *reply)
{
    buf_list_release(&it->msg);
    buf_release(&it->from);
    it->inflight = false;
    it->tries++;
    switch (out) {
    case SMTP_SENT:
        record(r, it, STORE_SENT, code, reply);
        r->st->sent++;
        it->done = true;
        break;
    case SMTP_PERMFAIL:
        record(r, it, STORE_FAILED, code, reply);
        r->st->failed++;
        it->done = true;
        log_warn("%s: failed: %d %s", it->row.address, code, reply);
        break;
    case SMTP_TEMPFAIL:
        record(r, it, STORE_DEFERRED, code, reply);
        if (it->tries > r->o->retries) {
            r->st->deferred++;
            it->done = true;
            log_warn("%s: deferred: %d %s", it->row.address, code, reply);
        } else {
            it->ready_ms = mono_ms() + (r->o->retry_delay_ms
                                        << (it->tries - 1));
            log_debug("%s: %d %s; retrying", it->row.address, code, reply);
        }
        break;
    }
    progress(r);
}

static void
item_free(struct item *it)
{
    store_ledger_row_release(&it->row);
    buf_list_release(&it->msg);
    buf_release(&it->from);
    free(it);
}

/* Drop the items that are done, keeping the order (and the cursor on the
 * same item) of the others. */
static void
compact(struct run *r)
{
    size_t i, j = 0, cursor = 0;

    for (i = 0; i < r->n; i++) {
        if (i == r->cursor)
            cursor = j;
        if (r->win[i]->done)
            item_free(r->win[i]);
        else
            r->win[j++] = r->win[i];
    }
    r->n = j;
    r->cursor = r->cursor >= i || cursor >= j ? 0 : cursor;
}

/* Read the next page of the ledger once the fresh items run low.  A read
 * that fails stops the run (the rows stay in the ledger for the next). */
static void
refill(struct run *r)
{
    struct store_ledger_row *rows = NULL;
    size_t i, n = 0;

    if (r->exhausted || r->stop || r->fresh >= WINDOW_PAGE / 4)
        return;
    compact(r);
    if (store_ledger_todo_page(r->s, r->issue, r->after, WINDOW_PAGE, &rows,
                               &n, r->e) < 0) {
        r->stop = true;
        return;
    }
    if (n < WINDOW_PAGE)
        r->exhausted = true;
    xgrow(&r->win, &r->alloc, r->n + n, sizeof(*r->win));
    for (i = 0; i < n; i++) {
        struct item *it = xcalloc(1, sizeof(*it));
        it->row = rows[i];
        buf_init(&it->from);
        r->win[r->n++] = it;
    }
    r->fresh += n;
    if (n > 0) {
        free(r->after);
        r->after = xstrdup(rows[n - 1].address);
    }
    free(rows);
}

/* The next item that may go now, or NULL. */
static struct item *
next_ready(struct run *r)
{
    int64_t now;
    size_t i;

    refill(r);
    now = mono_ms();
    for (i = 0; i < r->n; i++) {
        struct item *it = r->win[(r->cursor + i) % r->n];
        if (!it->done && !it->inflight && it->ready_ms <= now) {
            r->cursor = (r->cursor + i + 1) % r->n;
            if (!it->picked)
                r->fresh--;
            it->picked = true;
            return it;
        }
    }
    return NULL;
}

/* 0: composed; 1: this row cannot get a message and failed alone
 * (recorded); -1: the run stops. */
static int
compose(struct run *r, struct item *it)
{
    struct err e = ERR_INIT;
    int rc = r->o->compose(r->o->ctx, &it->row, &it->msg, &e);

    if (rc == 0)
        return 0;
    buf_list_release(&it->msg);
    if (rc > 0) {
        log_warn("%s: failed: %s", it->row.address, e.msg);
        record(r, it, STORE_FAILED, 0, e.msg);
        r->st->failed++;
        it->done = true;
        progress(r);
        return 1;
    }
    if (r->e)
        *r->e = e;
    err_prefix(r->e, "composing the message to %s", it->row.address);
    r->stop = true;
    return -1;
}

static int
next_job(void *ctx, struct smtp_job *job)
{
    struct run *r = ctx;
    struct item *it;
    int rc;

    if (r->stop)
        return -1;
    do {
        it = next_ready(r);
        if (!it)
            return 0;
        rc = compose(r, it);
        if (rc < 0)
            return -1;
    } while (rc > 0);
    it->inflight = true;
    job->rcpt = it->row.address;
    job->from = NULL;
    if (r->o->verp_from) {
        buf_reset(&it->from);
        verp_make(r->o->verp_from, r->o->verp_secret, r->o->verp_secret_len,
                  r->number, it->row.address, &it->from);
        job->from = it->from.data;
    }
    job->pieces = &it->msg;
    job->user = it;
    return 1;
}

static void
job_done(void *ctx, const struct smtp_job *job, const struct smtp_result *res)
{
    outcome(ctx, job->user, res->outcome, res->code, res->reply);
}

/* The earliest time a waiting item may go, or -1 when none waits. */
static int64_t
earliest(struct run *r)
{
    int64_t t = -1;
    size_t i;

    refill(r);
    for (i = 0; i < r->n; i++)
        if (!r->win[i]->done && (t < 0 || r->win[i]->ready_ms < t))
            t = r->win[i]->ready_ms;
    return t;
}

/*
 * A server that answers 4xx before the mail transaction (421 at the
 * greeting: throttling) is tried again like a deferred message, at most
 * retries times with the same backoff; any other failure to get a
 * connection leaves the rest for the next run at once.
 */
static int
run_smtp(struct run *r)
{
    int64_t t;
    int rc, reconnects = 0;

    while ((t = earliest(r)) >= 0 && !r->stop) {
        sleep_ms(t - mono_ms());
        if (r->o->dry_run) {
            struct item *it;
            while ((it = next_ready(r)) != NULL && !r->stop)
                if (compose(r, it) == 0)
                    outcome(r, it, SMTP_SENT, 250, "dry run");
            continue;
        }
        rc = smtp_run(r->o->smtp, r->o->connections, r->o->max_per_second,
                      next_job, job_done, r, r->e);
        if (rc < 0 && !r->stop) {
            if (r->e->code != ERR_TEMP || reconnects >= r->o->retries)
                return -1; /* leave the rest for later */
            log_debug("%s; trying again", r->e->msg);
            sleep_ms(r->o->retry_delay_ms << reconnects++);
        }
    }
    return r->stop ? -1 : 0;
}

static int
run_outbox(struct run *r)
{
    struct buf name = BUF_INIT, msg = BUF_INIT;
    struct item *it;
    int rc = 0;

    if (!r->o->dry_run && outbox_open(r->o->outbox, r->e) < 0)
        return -1;
    while ((it = next_ready(r)) != NULL && rc == 0) {
        rc = compose(r, it);
        if (rc != 0) {
            rc = rc < 0 || r->stop ? -1 : 0;
            continue;
        }
        buf_reset(&name);
        deliver_outbox_name(r->number, it->row.address, &name);
        /* a file is written whole: the pieces joined */
        buf_reset(&msg);
        buf_list_join(&it->msg, &msg);
        if (!r->o->dry_run && outbox_put(r->o->outbox, name.data, msg.data,
                                         msg.len, r->e) < 0) {
            rc = -1;
            break;
        }
        outcome(r, it, SMTP_SENT, 0, "written to the outbox");
        rc = r->stop ? -1 : 0;
    }
    buf_release(&name);
    buf_release(&msg);
    return rc;
}

int
deliver_issue(struct store *s, int64_t issue, int number,
              const struct deliver_options *o, struct deliver_stats *st,
              struct err *e)
{
    struct run r;
    int64_t counts[4];
    size_t i;
    int rc;

    memset(st, 0, sizeof(*st));
    if (store_ledger_counts(s, issue, counts, e) < 0)
        return -1;
    memset(&r, 0, sizeof(r));
    r.s = s;
    r.issue = issue;
    r.number = number;
    r.o = o;
    r.st = st;
    r.e = e;
    st->total = (size_t)(counts[STORE_PENDING] + counts[STORE_DEFERRED]);
    rc = o->smtp ? run_smtp(&r) : run_outbox(&r);
    if (r.stop)
        rc = -1;
    for (i = 0; i < r.n; i++) {
        if (!r.win[i]->done && r.win[i]->tries > 0)
            st->deferred++;
        item_free(r.win[i]);
    }
    free(r.win);
    free(r.after);
    return rc;
}

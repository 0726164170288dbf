/* health: what 'status --check' reports (see health.h). */
#include "arctic_digest/health.h"

#include <stdlib.h>

#include "arctic_digest/collect.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/store.h"

#define DAY 86400

/* Add one finding at level (the worst level wins; its findings first). */
static void
finding(struct health *h, enum health_level level, struct buf *what)
{
    struct buf t = BUF_INIT;

    if (level > h->level) {
        buf_append(&t, what->data, what->len);
        if (h->text.len)
            buf_appendf(&t, "; %s", h->text.data);
        buf_release(&h->text);
        h->text = t;
        h->level = level;
    } else {
        if (h->text.len)
            buf_append_str(&h->text, "; ");
        buf_append(&h->text, what->data, what->len);
    }
    buf_reset(what);
}

static void
date_of(const struct context *c, int64_t t, struct buf *out)
{
    struct dt d = dt_from_time(t, c->now.offset);

    dt_format_rfc3339(&d, out);
}

static int
schedule(const struct context *c, struct health *h, struct err *e)
{
    struct buf w = BUF_INIT;
    int64_t handled, prev[2];
    bool any;

    if (issue_schedule_state(c, &handled, &any, prev, e) < 0)
        return -1;
    if (any && handled < prev[1]) {
        buf_append_str(&w, "no issue since ");
        date_of(c, handled, &w);
        buf_append_str(&w, ": the slots of ");
        date_of(c, prev[1], &w);
        buf_append_str(&w, " and ");
        date_of(c, prev[0], &w);
        buf_append_str(&w, " passed");
        finding(h, HEALTH_CRITICAL, &w);
    }
    buf_release(&w);
    return 0;
}

static int
sources(const struct context *c, struct health *h, struct err *e)
{
    struct store_source *v = NULL;
    struct buf w = BUF_INIT;
    size_t i, n = 0;

    if (store_sources_list(c->st, &v, &n, e) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (v[i].failures >= COLLECT_WARN_AFTER &&
            config_source_find(c->cfg, v[i].name)) {
            buf_appendf(&w, "source '%s' failed %d runs in a row: %s",
                        v[i].name, v[i].failures,
                        v[i].last_error ? v[i].last_error : "?");
            finding(h, HEALTH_WARNING, &w);
        }
        store_source_release(&v[i]);
    }
    free(v);
    buf_release(&w);
    return 0;
}

static int
ledger(const struct context *c, struct health *h, struct err *e)
{
    struct store_ledger_health l;
    struct buf w = BUF_INIT;
    int64_t now = c->now.t;

    if (store_ledger_health(c->st, now - DAY, now - 7 * DAY, &l, e) < 0)
        return -1;
    if (l.given_up) {
        buf_appendf(&w, "%lld deliver%s given up in the last 7 days",
                    (long long)l.given_up, l.given_up == 1 ? "y" : "ies");
        finding(h, HEALTH_WARNING, &w);
    }
    if (l.deferred_old) {
        buf_appendf(&w, "%lld deliver%s deferred for more than a day "
                        "(the oldest of an issue frozen ",
                    (long long)l.deferred_old,
                    l.deferred_old == 1 ? "y" : "ies");
        date_of(c, l.oldest_deferred, &w);
        buf_append_char(&w, ')');
        finding(h, HEALTH_WARNING, &w);
    }
    if (l.pending_old) {
        buf_appendf(&w, "%lld deliver%s of an issue frozen more than a day "
                        "ago never tried (an interrupted send: run "
                        "'arctic-digest send')",
                    (long long)l.pending_old,
                    l.pending_old == 1 ? "y" : "ies");
        finding(h, HEALTH_WARNING, &w);
    }
    if (h->level == HEALTH_OK) {
        buf_appendf(&w, "%lld deliver%s deferred", (long long)l.deferred,
                    l.deferred == 1 ? "y" : "ies");
        finding(h, HEALTH_OK, &w);
    }
    buf_release(&w);
    return 0;
}

int
health_check(const struct context *c, struct health *h, struct err *e)
{
    h->level = HEALTH_OK;
    buf_init(&h->text);
    if (schedule(c, h, e) < 0 || sources(c, h, e) < 0 || ledger(c, h, e) < 0)
        return -1;
    return 0;
}

void
health_release(struct health *h)
{
    buf_release(&h->text);
}

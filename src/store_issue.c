/*
 * store_issue: the issues of the state file and the delivery ledger (see
 * store.h): freezing an issue with its articles and a pending row for
 * every recipient in one transaction, finding the unfinished and the last
 * issue, and reading and writing each recipient's delivery.
 */
#include "arctic_digest/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "store_int.h"

void
store_issue_release(struct store_issue *is)
{
    free(is->articles);
    memset(is, 0, sizeof(*is));
}

int
store_issue_begin(struct store *s, struct store_issue *is, struct err *e)
{
    sqlite3_stmt *st;
    size_t i;

    if (store_begin(s, e) < 0)
        return -1;
    st = store_prepare(
        s,
        "INSERT INTO issues (number, created, slot, period_start, "
        "period_end, status) VALUES ((SELECT coalesce(max(number), "
        "0) + 1 FROM issues), ?, ?, ?, ?, 0)",
        e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, is->created);
    sqlite3_bind_int64(st, 2, is->slot);
    sqlite3_bind_int64(st, 3, is->period_start);
    sqlite3_bind_int64(st, 4, is->period_end);
    if (store_step_done(s, st, e) < 0)
        return -1;
    is->id = sqlite3_last_insert_rowid(s->db);
    st = store_prepare(s, "SELECT number FROM issues WHERE id = ?", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, is->id);
    is->number = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_release(s, st);
    is->status = STORE_ISSUE_SENDING;
    st = store_prepare(s,
                       "INSERT INTO issue_articles (issue_id, pos, "
                       "article_id) VALUES (?, ?, ?)",
                       e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, is->id);
    for (i = 0; i < is->narticles; i++) {
        sqlite3_bind_int(st, 2, (int)i);
        sqlite3_bind_int64(st, 3, is->articles[i]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_db_error(s, e, "update failed");
            store_release(s, st);
            return -1;
        }
        sqlite3_reset(st);
    }
    store_release(s, st);
    return 0;
}

/* One statement, kept prepared and rebound for each row: an issue can
 * have a million recipients. */
int
store_issue_add(struct store *s, const struct store_issue *is,
                const struct store_recipient *r, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s,
                      "INSERT OR IGNORE INTO deliveries (issue_id, address, "
                      "name, created, updated) VALUES (?, ?, ?, ?, ?)",
                      e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, is->id);
    store_bind_text(st, 2, r->address);
    store_bind_text(st, 3, r->name);
    sqlite3_bind_int64(st, 4, is->created);
    sqlite3_bind_int64(st, 5, is->created);
    return store_step_done(s, st, e);
}

int
store_issue_create(struct store *s, struct store_issue *is,
                   const struct store_recipient *r, size_t nr, struct err *e)
{
    size_t i;

    if (store_issue_begin(s, is, e) < 0)
        goto fail;
    for (i = 0; i < nr; i++)
        if (store_issue_add(s, is, &r[i], e) < 0)
            goto fail;
    return store_commit(s, e);
fail:
    store_rollback(s);
    return -1;
}

/* Load the issue the query's first row names (columns as in ISSUE_COLS);
 * id goes to the query's parameter, if it has one. */
#define ISSUE_COLS                                                            \
    "id, number, created, slot, period_start, period_end, status, "         \
    "coalesce(sent, 0)"

static int
load_issue(struct store *s, const char *sql, int64_t id,
           struct store_issue *out, struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, sql, e);
    int rc;

    if (!st)
        return -1;
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        store_release(s, st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        store_release(s, st);
        return store_db_error(s, e, "cannot read issue");
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->number = sqlite3_column_int(st, 1);
    out->created = sqlite3_column_int64(st, 2);
    out->slot = sqlite3_column_int64(st, 3);
    out->period_start = sqlite3_column_int64(st, 4);
    out->period_end = sqlite3_column_int64(st, 5);
    out->status = (enum store_issue_status)sqlite3_column_int(st, 6);
    out->sent = sqlite3_column_int64(st, 7);
    store_release(s, st);
    st = store_prepare(
        s,
        "SELECT article_id FROM issue_articles WHERE issue_id = ? "
        "ORDER BY pos",
        e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, out->id);
    if (store_collect_ids(s, st, &out->articles, &out->narticles, e) < 0)
        return -1;
    return 1;
}

int
store_issue_unfinished(struct store *s, struct store_issue *out, struct err *e)
{
    return load_issue(s,
                      "SELECT " ISSUE_COLS " FROM issues WHERE status = 0 "
                      "ORDER BY number LIMIT 1",
                      0, out, e);
}

int
store_issue_last(struct store *s, struct store_issue *out, struct err *e)
{
    return load_issue(
        s, "SELECT " ISSUE_COLS " FROM issues ORDER BY number DESC LIMIT 1",
        0, out, e);
}

int
store_issue_get(struct store *s, int64_t id, struct store_issue *out,
                struct err *e)
{
    return load_issue(s, "SELECT " ISSUE_COLS " FROM issues WHERE id = ?",
                      id, out, e);
}

int
store_issues_sent(struct store *s, struct store_issue **v, size_t *n,
                  struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT id FROM issues WHERE status = 1 ORDER BY number", e);
    struct store_issue *list;
    int64_t *ids = NULL;
    size_t count = 0, i;

    if (!st || store_collect_ids(s, st, &ids, &count, e) < 0)
        return -1;
    list = xcalloc(count + 1, sizeof(*list));
    for (i = 0; i < count; i++) {
        int found = store_issue_get(s, ids[i], &list[i], e);
        if (found != 1) {
            if (found == 0)
                err_set(e, ERR_DATA, 0, "issue %lld vanished while read",
                        (long long)ids[i]);
            while (i)
                store_issue_release(&list[--i]);
            free(list);
            free(ids);
            return -1;
        }
    }
    free(ids);
    *v = list;
    *n = count;
    return 0;
}

int
store_issue_mark_sent(struct store *s, int64_t issue, int64_t now,
                      struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "UPDATE issues SET status = 1, sent = ? WHERE id = ?", e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, issue);
    return store_step_done(s, st, e);
}

void
store_ledger_row_release(struct store_ledger_row *r)
{
    free(r->address);
    free(r->name);
    free(r->reply);
    memset(r, 0, sizeof(*r));
}

void
store_ledger_row_read(sqlite3_stmt *st, struct store_ledger_row *r)
{
    r->address = store_col_text(st, 0);
    r->name = store_col_text(st, 1);
    r->status = (enum store_delivery)sqlite3_column_int(st, 2);
    r->attempts = sqlite3_column_int(st, 3);
    r->code = sqlite3_column_int(st, 4);
    r->reply = store_col_text(st, 5);
}

int
store_ledger_todo(struct store *s, int64_t issue, struct store_ledger_row **v,
                  size_t *n, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s,
                      "SELECT address, name, status, attempts, "
                      "code, reply FROM deliveries WHERE issue_id = "
                      "? AND status IN (0, 2) ORDER BY address",
                      e);
    struct store_ledger_row *list = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, issue);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_ledger_row *r;
        xgrow(&list, &alloc, count + 1, sizeof(*list));
        r = &list[count++];
        store_ledger_row_read(st, r);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE) {
        while (count)
            store_ledger_row_release(&list[--count]);
        free(list);
        return store_db_error(s, e, "cannot read the ledger");
    }
    *v = list;
    *n = count;
    return 0;
}

int
store_ledger_mark(struct store *s, int64_t issue, const char *address,
                  enum store_delivery status, int code, const char *reply,
                  int64_t now, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s,
                      "UPDATE deliveries SET status = ?, attempts = "
                      "attempts + 1, code = ?, reply = ?, updated = "
                      "? WHERE issue_id = ? AND address = ?",
                      e);

    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, (int)status);
    sqlite3_bind_int(st, 2, code);
    store_bind_text(st, 3, reply);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, issue);
    store_bind_text(st, 6, address);
    return store_step_done(s, st, e);
}

int
store_ledger_counts(struct store *s, int64_t issue, int64_t counts[4],
                    struct err *e)
{
    sqlite3_stmt *st = store_prepare(s,
                                     "SELECT status, count(*) FROM deliveries "
                                     "WHERE issue_id = ? GROUP BY status",
                                     e);
    int rc;

    if (!st)
        return -1;
    memset(counts, 0, 4 * sizeof(*counts));
    sqlite3_bind_int64(st, 1, issue);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int status = sqlite3_column_int(st, 0);
        if (status >= 0 && status < 4)
            counts[status] = sqlite3_column_int64(st, 1);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot count the ledger");
    return 0;
}

int
store_ledger_hard_failed(struct store *s, int64_t issue, char ***v, size_t *n,
                         struct err *e)
{
    sqlite3_stmt *st = store_prepare(s,
                                     "SELECT address FROM deliveries WHERE "
                                     "issue_id = ? AND status = ? AND code "
                                     ">= 500 ORDER BY address",
                                     e);
    char **list = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, issue);
    sqlite3_bind_int(st, 2, STORE_FAILED);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&list, &alloc, count + 1, sizeof(*list));
        list[count++] = store_col_text(st, 0);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE) {
        while (count)
            free(list[--count]);
        free(list);
        return store_db_error(s, e, "cannot read the ledger");
    }
    *v = list;
    *n = count;
    return 0;
}

int
store_ledger_deferred_issues(struct store *s, int64_t **ids, size_t *n,
                             struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT i.id FROM issues i WHERE i.status = 1 AND EXISTS (SELECT 1 "
        "FROM deliveries d WHERE d.issue_id = i.id AND d.status = 2) "
        "ORDER BY i.number",
        e);

    if (!st)
        return -1;
    return store_collect_ids(s, st, ids, n, e);
}

int
store_ledger_health(struct store *s, int64_t old, int64_t since,
                     struct store_ledger_health *h, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT total(d.status = 2), total(d.status = 2 AND i.created < ?1), "
        "min(CASE WHEN d.status = 2 THEN i.created END), "
        "total(d.status = 0 AND i.created < ?1), "
        "total(d.status = 3 AND d.code BETWEEN 400 AND 499) "
        "FROM deliveries d JOIN issues i ON i.id = d.issue_id "
        "WHERE d.status IN (0, 2) OR (d.status = 3 AND d.updated >= ?2)",
        e);

    if (!st)
        return -1;
    memset(h, 0, sizeof(*h));
    sqlite3_bind_int64(st, 1, old);
    sqlite3_bind_int64(st, 2, since);
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_db_error(s, e, "cannot read the ledger");
        store_release(s, st);
        return -1;
    }
    h->deferred = (int64_t)sqlite3_column_double(st, 0);
    h->deferred_old = (int64_t)sqlite3_column_double(st, 1);
    h->oldest_deferred = sqlite3_column_int64(st, 2);
    h->pending_old = (int64_t)sqlite3_column_double(st, 3);
    h->given_up = (int64_t)sqlite3_column_double(st, 4);
    store_release(s, st);
    return 0;
}

void
store_given_up_release(struct store_given_up *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].address);
        free(v[i].reply);
    }
    free(v);
}

int
store_ledger_give_up(struct store *s, int64_t before, int64_t now,
                     struct store_given_up **v, size_t *n, struct err *e)
{
    sqlite3_stmt *st = NULL;
    struct store_given_up *list = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    *v = NULL;
    *n = 0;
    if (store_begin(s, e) < 0)
        return -1;
    st = store_prepare(s,
                       "SELECT i.number, d.address, d.code, d.reply FROM "
                       "deliveries d JOIN issues i ON i.id = d.issue_id "
                       "WHERE d.status = 2 AND i.created <= ? ORDER BY "
                       "i.number, d.address",
                       e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, before);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_given_up *g;
        xgrow(&list, &alloc, count + 1, sizeof(*list));
        g = &list[count++];
        g->number = sqlite3_column_int(st, 0);
        g->address = store_col_text(st, 1);
        g->code = sqlite3_column_int(st, 2);
        g->reply = store_col_text(st, 3);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE) {
        store_db_error(s, e, "cannot read the ledger");
        goto fail;
    }
    st = store_prepare(s,
                       "UPDATE deliveries SET status = 3, updated = ?, "
                       "reply = 'gave up: ' || coalesce(reply, '') WHERE "
                       "status = 2 AND issue_id IN (SELECT id FROM issues "
                       "WHERE created <= ?)",
                       e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, before);
    if (store_step_done(s, st, e) < 0)
        goto fail;
    if (store_commit(s, e) < 0)
        goto fail_committing; /* rolled back */
    *v = list;
    *n = count;
    return 0;
fail:
    store_rollback(s);
fail_committing:
    store_given_up_release(list, count);
    return -1;
}

int
store_ledger_failed_streak(struct store *s, const char *address, int k,
                           int *streak, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s,
                      "SELECT d.status, d.code FROM deliveries d "
                      "JOIN issues "
                      "i ON i.id = d.issue_id WHERE d.address = ? "
                      "COLLATE NOCASE ORDER BY i.number DESC LIMIT ?",
                      e);
    int rc, n = 0;
    bool broken = false;

    if (!st)
        return -1;
    store_bind_text(st, 1, address);
    sqlite3_bind_int(st, 2, k);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* Only the server's permanent refusals count as bounces. */
        if (!broken && sqlite3_column_int(st, 0) == STORE_FAILED &&
            sqlite3_column_int(st, 1) >= 500)
            n++;
        else
            broken = true;
    }
    store_release(s, st);
    if (rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the ledger");
    *streak = n;
    return 0;
}

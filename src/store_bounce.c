/*
 * store: what bounces read back from the mailbox need of the ledger, and
 * the messages already handled (see store.h).
 */
#include "arctic_digest/store.h"

#include <stdlib.h>

#include "arctic_digest/util.h"
#include "store_int.h"

int
store_issue_by_number(struct store *s, int number, int64_t *id,
                      struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT id FROM issues WHERE number = ?", e);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, number);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the issues");
    return rc == SQLITE_ROW;
}

int
store_ledger_find(struct store *s, int64_t issue,
                  bool (*match)(void *ctx, const char *address), void *ctx,
                  char **address, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT address FROM deliveries WHERE issue_id = ?", e);
    int rc;

    *address = NULL;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, issue);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 0);
        if (a && match(ctx, a)) {
            *address = xstrdup(a);
            break;
        }
    }
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the ledger");
    return 0;
}

int
store_ledger_last_sent(struct store *s, const char *address, int64_t *id,
                       int *number, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT i.id, i.number FROM deliveries d JOIN issues i ON i.id = "
        "d.issue_id WHERE d.address = ? COLLATE NOCASE AND d.status IN "
        "(?, ?) ORDER BY i.number DESC LIMIT 1",
        e);
    int rc;

    if (!st)
        return -1;
    store_bind_text(st, 1, address);
    sqlite3_bind_int(st, 2, STORE_SENT);
    sqlite3_bind_int(st, 3, STORE_DEFERRED);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *number = sqlite3_column_int(st, 1);
    }
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the ledger");
    return rc == SQLITE_ROW;
}

int
store_ledger_bounced(struct store *s, int64_t issue, const char *address,
                     int code, const char *reply, int64_t now, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "UPDATE deliveries SET status = ?, code = ?, reply = ?, updated = ? "
        "WHERE issue_id = ? AND address = ? COLLATE NOCASE AND status IN "
        "(?, ?)",
        e);

    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, STORE_FAILED);
    sqlite3_bind_int(st, 2, code);
    store_bind_text(st, 3, reply);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, issue);
    store_bind_text(st, 6, address);
    sqlite3_bind_int(st, 7, STORE_SENT);
    sqlite3_bind_int(st, 8, STORE_DEFERRED);
    if (store_step_done(s, st, e) < 0)
        return -1;
    return sqlite3_changes(s->db) > 0;
}

int
store_bounce_seen(struct store *s, const char *key, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT 1 FROM bounce_messages WHERE key = ?", e);
    int rc;

    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the bounces");
    return rc == SQLITE_ROW;
}

int
store_bounce_remember(struct store *s, const char *key, int64_t now,
                      const char *outcome, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT OR IGNORE INTO bounce_messages (key, handled, outcome) "
        "VALUES (?, ?, ?)",
        e);

    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now);
    store_bind_text(st, 3, outcome);
    return store_step_done(s, st, e);
}

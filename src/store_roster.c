/*
 * store_roster: the subscriber list as one send reads it, in a temporary
 * table of the state's connection, and the ledger read a page at a time
 * (see store.h): what lets a send of a million rows keep its memory flat.
 */
#include "arctic_digest/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "store_int.h"

/* Addresses compare as the list compares them: ASCII case-insensitive
 * (NOCASE folds ASCII only).  A temporary table lives in SQLite's temp
 * file, not in the state, and goes with the connection. */
int
store_roster_clear(struct store *s, struct err *e)
{
    return store_exec(s,
                      "CREATE TEMP TABLE IF NOT EXISTS roster ("
                      "  address TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
                      "  line INTEGER NOT NULL, name TEXT, status TEXT,"
                      "  tags TEXT, format TEXT) WITHOUT ROWID;"
                      "DELETE FROM temp.roster;",
                      e);
}

int
store_roster_add(struct store *s, const struct store_member *m, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT OR IGNORE INTO temp.roster (address, line, name, status, "
        "tags, format) VALUES (?, ?, ?, ?, ?, ?)",
        e);

    if (!st)
        return -1;
    store_bind_text(st, 1, m->address);
    sqlite3_bind_int64(st, 2, (int64_t)m->line);
    store_bind_text(st, 3, m->name);
    store_bind_text(st, 4, m->status);
    store_bind_text(st, 5, m->tags);
    store_bind_text(st, 6, m->format);
    if (store_step_done(s, st, e) < 0)
        return -1;
    return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

void
store_member_release(struct store_member *m)
{
    free(m->address);
    free(m->name);
    free(m->status);
    free(m->tags);
    free(m->format);
    memset(m, 0, sizeof(*m));
}

int
store_roster_get(struct store *s, const char *address, struct store_member *out,
                 struct err *e)
{
    sqlite3_stmt *st = store_prepare(s,
                                     "SELECT address, line, name, status, "
                                     "tags, format FROM temp.roster WHERE "
                                     "address = ?",
                                     e);
    int rc;

    if (!st)
        return -1;
    store_bind_text(st, 1, address);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->address = store_col_text(st, 0);
        out->line = (size_t)sqlite3_column_int64(st, 1);
        out->name = store_col_text(st, 2);
        out->status = store_col_text(st, 3);
        out->tags = store_col_text(st, 4);
        out->format = store_col_text(st, 5);
    }
    store_release(s, st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the subscriber list");
    return 0;
}

/* The rows to send (pending, deferred) after `after` in address order;
 * with departed, only those whose address has no active roster row. */
static int
ledger_page(struct store *s, const char *sql, int64_t issue, const char *after,
            size_t max, struct store_ledger_row **v, size_t *n, struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, sql, e);
    struct store_ledger_row *list = NULL;
    size_t count = 0;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, issue);
    store_bind_text(st, 2, after ? after : "");
    sqlite3_bind_int64(st, 3, (int64_t)max);
    list = xcalloc(max + 1, sizeof(*list));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && count < max) {
        struct store_ledger_row *r = &list[count++];
        store_ledger_row_read(st, r);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        while (count)
            store_ledger_row_release(&list[--count]);
        free(list);
        return store_db_error(s, e, "cannot read the ledger");
    }
    *v = list;
    *n = count;
    return 0;
}

/* The first page starts at the first address (which may be empty: a
 * hand-edited list can freeze one, and its row must fail like any
 * other), the others after the last one read. */
#define TODO_COLS "SELECT address, name, status, attempts, code, reply "
#define TODO_FROM "FROM deliveries d WHERE issue_id = ? AND status IN (0, 2) "
#define TODO_DEPARTED                                                          \
    "AND NOT EXISTS (SELECT 1 FROM temp.roster r WHERE r.address = "           \
    "d.address AND r.status = 'active') "

int
store_ledger_todo_page(struct store *s, int64_t issue, const char *after,
                       size_t max, struct store_ledger_row **v, size_t *n,
                       struct err *e)
{
    return ledger_page(s,
                       after ? TODO_COLS TODO_FROM
                           "AND address > ?2 ORDER BY address LIMIT ?3"
                             : TODO_COLS TODO_FROM
                           "AND address >= ?2 ORDER BY address LIMIT ?3",
                       issue, after, max, v, n, e);
}

int
store_ledger_departed_page(struct store *s, int64_t issue, const char *after,
                           size_t max, struct store_ledger_row **v, size_t *n,
                           struct err *e)
{
    return ledger_page(s,
                       after ? TODO_COLS TODO_FROM TODO_DEPARTED
                           "AND address > ?2 ORDER BY address LIMIT ?3"
                             : TODO_COLS TODO_FROM TODO_DEPARTED
                           "AND address >= ?2 ORDER BY address LIMIT ?3",
                       issue, after, max, v, n, e);
}

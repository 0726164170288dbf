/*
 * store_int: what the store module's files share (store.c,
 * store_article.c, store_issue.c): the store itself and the statement
 * helpers around sqlite3.
 *
 * Not part of the public contract (include/arctic_digest/store.h); the
 * sqlite3 types named here never leave the store module.
 */
#ifndef ARCTIC_DIGEST_STORE_INT_H
#define ARCTIC_DIGEST_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/err.h"

/* Prepared statements kept for reuse, by their SQL text. */
#define STORE_CACHE_MAX 48

struct store_cached {
    char *sql;
    sqlite3_stmt *st;
    bool busy; /* handed out, not yet released */
};

struct store {
    sqlite3 *db;
    char *path; /* for messages: the file, or ":memory:" */
    int depth;  /* nesting of store_begin */
    struct store_cached cache[STORE_CACHE_MAX];
    size_t ncache;
};

/*
 * Fill e from the connection's last error, prefixed with the state's path
 * and what was being done.  Busy or locked is ERR_TEMP, a damaged file
 * ERR_DATA, anything else ERR_IO; detail is the SQLite result code.
 * Always returns -1.
 */
int store_db_error(struct store *s, struct err *e, const char *what);

/* Run sql (one or more statements, no rows wanted).  -1 as store_db_error. */
int store_exec(struct store *s, const char *sql, struct err *e);

/*
 * A prepared statement for sql, or NULL with e filled; the caller hands
 * it back with store_release().  Statements are prepared once per store
 * and reused (collect and send run the same few queries per article and
 * per message); one still in use is not handed out twice.
 */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct err *e);

/* A statement for SQL made at run time (table names, numbers written in):
 * prepared for this one use and never cached, so that it cannot fill the
 * cache.  Hand it back with store_release() all the same. */
sqlite3_stmt *store_prepare_once(struct store *s, const char *sql,
                                 struct err *e);

/* Give st back: reset for reuse if cached, else finalized.  NULL is
 * fine. */
void store_release(struct store *s, sqlite3_stmt *st);

/* Bind v (copied) to parameter i, or NULL when v is NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);

/* A copy of column i (caller frees), or NULL when it is NULL. */
char *store_col_text(sqlite3_stmt *st, int i);

/* Run a statement that returns no rows, then release it (also on
 * failure).  -1 as store_db_error. */
int store_step_done(struct store *s, sqlite3_stmt *st, struct err *e);

/*
 * Step st to the end, collecting the int64 first column of its rows into
 * *ids (caller frees) and *n, then release it (also on failure).
 */
int store_collect_ids(struct store *s, sqlite3_stmt *st, int64_t **ids,
                      size_t *n, struct err *e);

struct store_ledger_row;
/* A ledger row from a statement whose columns are address, name, status,
 * attempts, code, reply (store_ledger_todo and its pages). */
void store_ledger_row_read(sqlite3_stmt *st, struct store_ledger_row *r);

#endif

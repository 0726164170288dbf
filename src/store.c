/*
 * store: SQLite schema, migrations and queries (see store.h).
 */
#include "arctic_digest/store.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"

struct store {
    sqlite3 *db;
    char *path;
    int depth; /* nesting of store_begin */
};

/* Each entry moves the schema from version i to i + 1. */
static const char *const migrations[] = {
    "CREATE TABLE sources ("
    "  name TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
    "  last_attempt INTEGER NOT NULL DEFAULT 0,"
    "  last_success INTEGER NOT NULL DEFAULT 0,"
    "  last_result TEXT, last_error TEXT,"
    "  failures INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE articles ("
    "  id INTEGER PRIMARY KEY, doi TEXT, url TEXT, guid TEXT, source TEXT,"
    "  title TEXT, title_key TEXT, first_family TEXT, container TEXT,"
    "  published INTEGER, published_offset INTEGER NOT NULL DEFAULT 0,"
    "  published_prec INTEGER NOT NULL DEFAULT 0,"
    "  updated INTEGER, updated_offset INTEGER NOT NULL DEFAULT 0,"
    "  updated_prec INTEGER NOT NULL DEFAULT 0,"
    "  abstract TEXT, score REAL NOT NULL DEFAULT 0, matched TEXT,"
    "  first_seen INTEGER NOT NULL);"
    "CREATE INDEX articles_doi ON articles(doi COLLATE NOCASE);"
    "CREATE INDEX articles_url ON articles(url);"
    "CREATE INDEX articles_title ON articles(title_key);"
    "CREATE INDEX articles_seen ON articles(first_seen);"
    "CREATE INDEX articles_published ON articles(published);"
    "CREATE TABLE article_sources ("
    "  article_id INTEGER NOT NULL REFERENCES articles(id),"
    "  source TEXT NOT NULL, guid TEXT NOT NULL, first_seen INTEGER NOT NULL,"
    "  PRIMARY KEY (source, guid));"
    "CREATE INDEX article_sources_article ON article_sources(article_id);"
    "CREATE TABLE article_authors ("
    "  article_id INTEGER NOT NULL REFERENCES articles(id),"
    "  pos INTEGER NOT NULL, given TEXT, family TEXT, literal TEXT,"
    "  PRIMARY KEY (article_id, pos));"
    "CREATE TABLE article_keywords ("
    "  article_id INTEGER NOT NULL REFERENCES articles(id),"
    "  pos INTEGER NOT NULL, keyword TEXT NOT NULL,"
    "  PRIMARY KEY (article_id, pos));"
    "CREATE TABLE issues ("
    "  id INTEGER PRIMARY KEY, number INTEGER NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL, slot INTEGER NOT NULL,"
    "  period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, sent INTEGER);"
    "CREATE TABLE issue_articles ("
    "  issue_id INTEGER NOT NULL REFERENCES issues(id),"
    "  pos INTEGER NOT NULL, article_id INTEGER NOT NULL REFERENCES "
    "articles(id),"
    "  PRIMARY KEY (issue_id, pos));"
    "CREATE INDEX issue_articles_article ON issue_articles(article_id);"
    "CREATE TABLE deliveries ("
    "  issue_id INTEGER NOT NULL REFERENCES issues(id),"
    "  address TEXT NOT NULL, name TEXT,"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0, code INTEGER NOT NULL DEFAULT 0,"
    "  reply TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
    "  PRIMARY KEY (issue_id, address));",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
};

static int
db_error(struct store *s, struct err *e, const char *what)
{
    int rc = sqlite3_errcode(s->db);
    enum err_code code = ERR_IO;

    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        code = ERR_TEMP;
    else if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
        code = ERR_DATA;
    return err_set(e, code, rc, "state '%s': %s: %s", s->path, what,
                   sqlite3_errmsg(s->db));
}

static int
exec(struct store *s, const char *sql, struct err *e)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(s, e, "query failed");
    return 0;
}

static sqlite3_stmt *
prepare(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(s, e, "cannot prepare a query");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static char *
col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

/* Run a statement that returns no rows, then finalize it. */
static int
step_done(struct store *s, sqlite3_stmt *st, struct err *e)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(s, e, "update failed");
    return 0;
}

static int
migrate(struct store *s, struct err *e)
{
    sqlite3_stmt *st = prepare(s, "PRAGMA user_version", e);
    int version, target = (int)ARRAY_SIZE(migrations);
    struct buf sql = BUF_INIT;
    int rc = 0;

    if (!st)
        return -1;
    version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (version > target)
        return err_set(e, ERR_DATA, 0,
                       "state '%s': schema version %d is newer than this "
                       "program knows (%d); upgrade arctic-digest",
                       s->path, version, target);
    if (version == target)
        return 0;
    if (store_begin(s, e) < 0)
        return -1;
    for (; version < target && rc == 0; version++)
        rc = exec(s, migrations[version], e);
    if (rc == 0) {
        buf_appendf(&sql, "PRAGMA user_version = %d", target);
        rc = exec(s, sql.data, e);
    }
    buf_release(&sql);
    if (rc == 0)
        return store_commit(s, e);
    store_rollback(s);
    return -1;
}

int
store_open(const char *path, struct store **out, struct err *e)
{
    struct store *s = xcalloc(1, sizeof(*s));

    s->path = xstrdup(path);
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err_set(e, ERR_CANTCREAT, 0, "cannot open state '%s': %s", path,
                s->db ? sqlite3_errmsg(s->db) : "out of memory");
        store_close(s);
        return -1;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                "PRAGMA foreign_keys = ON;",
             e) < 0 ||
        migrate(s, e) < 0) {
        store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* Copy the file at path, as committed, into the empty database s->db. */
static int
copy_in(struct store *s, const char *path, struct err *e)
{
    sqlite3 *src = NULL;
    sqlite3_backup *b;
    int rc;

    /* Read-write without create: a reader of a WAL file that cleans up
     * after itself; a read-only file is still read. */
    rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN) {
        sqlite3_close(src);
        src = NULL;
        rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL);
    }
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(src, 10000);
        b = sqlite3_backup_init(s->db, "main", src, "main");
        rc = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(s->db);
        if (b && sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
            rc = sqlite3_errcode(s->db);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        err_set(e, ERR_IO, 0, "cannot read state '%s': %s", path,
                sqlite3_errstr(rc));
        sqlite3_close(src);
        return -1;
    }
    sqlite3_close(src);
    return 0;
}

int
store_open_snapshot(const char *path, struct store **out, struct err *e)
{
    struct store *s = xcalloc(1, sizeof(*s));
    struct stat st;

    s->path = xstrdup(path);
    if (sqlite3_open_v2(":memory:", &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        err_set(e, ERR_INTERNAL, 0, "cannot open a state in memory");
        store_close(s);
        return -1;
    }
    if ((stat(path, &st) == 0 && copy_in(s, path, e) < 0) ||
        exec(s, "PRAGMA foreign_keys = ON;", e) < 0 || migrate(s, e) < 0) {
        store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void
store_close(struct store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int
store_begin(struct store *s, struct err *e)
{
    if (s->depth++ > 0)
        return 0;
    if (exec(s, "BEGIN IMMEDIATE", e) < 0) {
        s->depth = 0;
        return -1;
    }
    return 0;
}

int
store_commit(struct store *s, struct err *e)
{
    if (s->depth == 0 || --s->depth > 0)
        return 0;
    if (exec(s, "COMMIT", e) < 0) {
        exec(s, "ROLLBACK", NULL);
        return -1;
    }
    return 0;
}

void
store_rollback(struct store *s)
{
    if (s->depth == 0)
        return;
    s->depth = 0;
    exec(s, "ROLLBACK", NULL);
}

/* ---- sources ---------------------------------------------------------- */

void
store_source_release(struct store_source *src)
{
    free(src->name);
    free(src->etag);
    free(src->last_modified);
    free(src->last_result);
    free(src->last_error);
    memset(src, 0, sizeof(*src));
}

static void
read_source(sqlite3_stmt *st, struct store_source *out)
{
    out->name = col_text(st, 0);
    out->etag = col_text(st, 1);
    out->last_modified = col_text(st, 2);
    out->last_attempt = sqlite3_column_int64(st, 3);
    out->last_success = sqlite3_column_int64(st, 4);
    out->last_result = col_text(st, 5);
    out->last_error = col_text(st, 6);
    out->failures = sqlite3_column_int(st, 7);
}

#define SOURCE_COLUMNS                                                         \
    "name, etag, last_modified, last_attempt, last_success, last_result, "     \
    "last_error, failures"

int
store_source_get(struct store *s, const char *name, struct store_source *out,
                 struct err *e)
{
    sqlite3_stmt *st = prepare(
        s, "SELECT " SOURCE_COLUMNS " FROM sources WHERE name = ?", e);
    int rc;

    if (!st)
        return -1;
    bind_text(st, 1, name);
    memset(out, 0, sizeof(*out));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_source(st, out);
    else
        out->name = xstrdup(name);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_source_release(out);
        return db_error(s, e, "cannot read source");
    }
    return 0;
}

int
store_source_record(struct store *s, const char *name, bool ok,
                    const char *result, const char *etag,
                    const char *last_modified, int64_t now, struct err *e)
{
    sqlite3_stmt *st;

    st = prepare(s,
                 ok ? "INSERT INTO sources (name, etag, last_modified, "
                      "last_attempt, last_success, last_result, failures) "
                      "VALUES (?1, ?2, ?3, ?4, ?4, ?5, 0) "
                      "ON CONFLICT(name) DO UPDATE SET etag = ?2, "
                      "last_modified = ?3, last_attempt = ?4, "
                      "last_success = ?4, last_result = ?5, failures = 0"
                    : "INSERT INTO sources (name, last_attempt, last_result, "
                      "last_error, failures) VALUES (?1, ?4, ?5, ?5, 1) "
                      "ON CONFLICT(name) DO UPDATE SET last_attempt = ?4, "
                      "last_result = ?5, last_error = ?5, "
                      "failures = failures + 1",
                 e);
    if (!st)
        return -1;
    bind_text(st, 1, name);
    bind_text(st, 2, etag);
    bind_text(st, 3, last_modified);
    sqlite3_bind_int64(st, 4, now);
    bind_text(st, 5, result);
    return step_done(s, st, e);
}

int
store_sources_list(struct store *s, struct store_source **v, size_t *n,
                   struct err *e)
{
    sqlite3_stmt *st =
        prepare(s, "SELECT " SOURCE_COLUMNS " FROM sources ORDER BY name", e);
    struct store_source *list = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&list, &alloc, count + 1, sizeof(*list));
        read_source(st, &list[count++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        while (count)
            store_source_release(&list[--count]);
        free(list);
        return db_error(s, e, "cannot list sources");
    }
    *v = list;
    *n = count;
    return 0;
}

/* ---- articles --------------------------------------------------------- */

/* Lower-case ASCII letters and digits of the title, other bytes kept
 * (so non-Latin titles still compare), punctuation and spaces dropped. */
static char *
title_key(const char *title)
{
    struct buf b = BUF_INIT;
    const unsigned char *p = (const unsigned char *)title;

    for (; p && *p; p++) {
        if (*p >= 0x80)
            buf_append_char(&b, (char)*p);
        else if (isalnum(*p))
            buf_append_char(&b, (char)tolower(*p));
    }
    return b.len ? buf_detach(&b, NULL) : (buf_release(&b), NULL);
}

static char *
lower(const char *s)
{
    char *r = xstrdup(s), *p;

    for (p = r; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}

static char *
first_family(const struct article *a)
{
    if (!a->nauthors)
        return NULL;
    if (a->authors[0].family)
        return lower(a->authors[0].family);
    return lower(a->authors[0].literal);
}

/* Find a stored work that is the same as a: 1 and *id, 0 if none. */
static int
find_work(struct store *s, const struct article *a, int64_t *id,
          struct err *e)
{
    static const char *const queries[] = {
        "SELECT id FROM articles WHERE doi = ?1 COLLATE NOCASE",
        "SELECT id FROM articles WHERE url = ?2",
        "SELECT article_id FROM article_sources WHERE source = ?3 AND "
        "guid = ?4",
        "SELECT id FROM articles WHERE title_key = ?5 AND "
        "coalesce(first_family, '') = coalesce(?6, '') AND "
        "(published IS NULL OR ?7 IS NULL OR "
        "abs(published - ?7) <= 14 * 86400)",
    };
    char *doi = a->doi ? lower(a->doi) : NULL;
    char *tkey = title_key(a->title), *fam = first_family(a);
    size_t i;
    int rc = 0;

    for (i = 0; i < ARRAY_SIZE(queries) && rc == 0; i++) {
        sqlite3_stmt *st;
        int step;
        if ((i == 0 && !doi) || (i == 1 && !a->url) ||
            (i == 2 && (!a->source || !a->guid)) || (i == 3 && !tkey))
            continue;
        st = prepare(s, queries[i], e);
        if (!st) {
            rc = -1;
            break;
        }
        bind_text(st, 1, doi);
        bind_text(st, 2, a->url);
        bind_text(st, 3, a->source);
        bind_text(st, 4, a->guid);
        bind_text(st, 5, tkey);
        bind_text(st, 6, fam);
        if (dt_is_set(&a->published))
            sqlite3_bind_int64(st, 7, a->published.t);
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *id = sqlite3_column_int64(st, 0);
            rc = 1;
        } else if (step != SQLITE_DONE) {
            rc = db_error(s, e, "cannot look up article");
        }
        sqlite3_finalize(st);
    }
    free(doi);
    free(tkey);
    free(fam);
    return rc;
}

static void
bind_date(sqlite3_stmt *st, int i, const struct dt *d)
{
    if (dt_is_set(d))
        sqlite3_bind_int64(st, i, d->t);
    else
        sqlite3_bind_null(st, i);
    sqlite3_bind_int(st, i + 1, d->offset);
    sqlite3_bind_int(st, i + 2, (int)d->prec);
}

static void
join_lines(char *const *v, size_t n, struct buf *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i)
            buf_append_char(out, '\n');
        buf_append_str(out, v[i]);
    }
}

/* Replace the stored authors (or keywords) of work id with a's. */
static int
put_authors(struct store *s, int64_t id, const struct article *a,
            struct err *e)
{
    sqlite3_stmt *st;
    size_t i;

    st = prepare(s, "DELETE FROM article_authors WHERE article_id = ?", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (step_done(s, st, e) < 0)
        return -1;
    for (i = 0; i < a->nauthors; i++) {
        st = prepare(s,
                     "INSERT INTO article_authors (article_id, pos, given, "
                     "family, literal) VALUES (?, ?, ?, ?, ?)",
                     e);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        bind_text(st, 3, a->authors[i].given);
        bind_text(st, 4, a->authors[i].family);
        bind_text(st, 5, a->authors[i].literal);
        if (step_done(s, st, e) < 0)
            return -1;
    }
    return 0;
}

static int
put_keywords(struct store *s, int64_t id, const struct article *a,
             struct err *e)
{
    sqlite3_stmt *st;
    size_t i;

    st = prepare(s, "DELETE FROM article_keywords WHERE article_id = ?", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (step_done(s, st, e) < 0)
        return -1;
    for (i = 0; i < a->nkeywords; i++) {
        st = prepare(s,
                     "INSERT INTO article_keywords (article_id, pos, keyword) "
                     "VALUES (?, ?, ?)",
                     e);
        if (!st)
            return -1;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        bind_text(st, 3, a->keywords[i]);
        if (step_done(s, st, e) < 0)
            return -1;
    }
    return 0;
}

static int
insert_work(struct store *s, const struct article *a, int64_t now,
            int64_t *id, struct err *e)
{
    sqlite3_stmt *st = prepare(
        s,
        "INSERT INTO articles (doi, url, guid, source, title, title_key, "
        "first_family, container, published, published_offset, "
        "published_prec, updated, updated_offset, updated_prec, abstract, "
        "score, matched, first_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        e);
    struct buf matched = BUF_INIT;
    char *tkey = title_key(a->title), *fam = first_family(a);
    int rc;

    if (!st)
        return -1;
    join_lines(a->matched, a->nmatched, &matched);
    bind_text(st, 1, a->doi);
    bind_text(st, 2, a->url);
    bind_text(st, 3, a->guid);
    bind_text(st, 4, a->source);
    bind_text(st, 5, a->title);
    bind_text(st, 6, tkey);
    bind_text(st, 7, fam);
    bind_text(st, 8, a->container);
    bind_date(st, 9, &a->published);
    bind_date(st, 12, &a->updated);
    bind_text(st, 15, a->abstract);
    sqlite3_bind_double(st, 16, a->score);
    bind_text(st, 17, matched.len ? matched.data : NULL);
    sqlite3_bind_int64(st, 18, now);
    rc = step_done(s, st, e);
    if (rc == 0) {
        *id = sqlite3_last_insert_rowid(s->db);
        rc = put_authors(s, *id, a, e);
        if (rc == 0)
            rc = put_keywords(s, *id, a, e);
    }
    buf_release(&matched);
    free(tkey);
    free(fam);
    return rc;
}

/* Fill the stored work's gaps from a; keep the richer of two values. */
static int
merge_work(struct store *s, int64_t id, const struct article *a,
           struct err *e)
{
    struct article old;
    sqlite3_stmt *st;
    int rc = -1;

    if (store_article_get(s, id, &old, e) < 0)
        return -1;
    st = prepare(
        s,
        "UPDATE articles SET doi = coalesce(doi, ?2), url = coalesce(url, "
        "?3), container = coalesce(container, ?4), "
        "abstract = CASE WHEN length(coalesce(?5, '')) > "
        "length(coalesce(abstract, '')) THEN ?5 ELSE abstract END, "
        "published = CASE WHEN published IS NULL OR ?8 > published_prec "
        "THEN ?6 ELSE published END, "
        "published_offset = CASE WHEN published IS NULL OR ?8 > "
        "published_prec THEN ?7 ELSE published_offset END, "
        "published_prec = max(published_prec, ?8), "
        "score = max(score, ?9) WHERE id = ?1",
        e);
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, a->doi);
    bind_text(st, 3, a->url);
    bind_text(st, 4, a->container);
    bind_text(st, 5, a->abstract);
    if (dt_is_set(&a->published))
        sqlite3_bind_int64(st, 6, a->published.t);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int(st, 7, a->published.offset);
    sqlite3_bind_int(st, 8, dt_is_set(&a->published) ? (int)a->published.prec
                                                     : 0);
    sqlite3_bind_double(st, 9, a->score);
    if (step_done(s, st, e) < 0)
        goto out;
    /* More authors or keywords than we had: take the new list. */
    if (a->nauthors > old.nauthors && put_authors(s, id, a, e) < 0)
        goto out;
    if (a->nkeywords > old.nkeywords && put_keywords(s, id, a, e) < 0)
        goto out;
    rc = 0;
out:
    article_release(&old);
    return rc;
}

int
store_article_put(struct store *s, const struct article *a, int64_t now,
                  bool *is_new, int64_t *id, struct err *e)
{
    sqlite3_stmt *st;
    int64_t work = 0;
    int found;

    if (store_begin(s, e) < 0)
        return -1;
    found = find_work(s, a, &work, e);
    if (found < 0)
        goto fail;
    if (found == 0 && insert_work(s, a, now, &work, e) < 0)
        goto fail;
    if (found == 1 && merge_work(s, work, a, e) < 0)
        goto fail;
    if (a->source) {
        st = prepare(s,
                     "INSERT OR IGNORE INTO article_sources (article_id, "
                     "source, guid, first_seen) VALUES (?, ?, ?, ?)",
                     e);
        if (!st)
            goto fail;
        sqlite3_bind_int64(st, 1, work);
        bind_text(st, 2, a->source);
        bind_text(st, 3, a->guid ? a->guid : a->url ? a->url : "");
        sqlite3_bind_int64(st, 4, now);
        if (step_done(s, st, e) < 0)
            goto fail;
    }
    if (store_commit(s, e) < 0)
        return -1;
    *is_new = found == 0;
    if (id)
        *id = work;
    return 0;
fail:
    store_rollback(s);
    return -1;
}

static void
read_date(sqlite3_stmt *st, int i, struct dt *d)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        memset(d, 0, sizeof(*d));
        return;
    }
    d->t = sqlite3_column_int64(st, i);
    d->offset = sqlite3_column_int(st, i + 1);
    d->prec = (enum dt_precision)sqlite3_column_int(st, i + 2);
}

static void
split_lines(const char *s, char ***v, size_t *n, size_t *alloc)
{
    while (s && *s) {
        size_t len = strcspn(s, "\n");
        xgrow(v, alloc, *n + 1, sizeof(**v));
        (*v)[(*n)++] = xstrndup(s, len);
        s += len + (s[len] ? 1 : 0);
    }
}

int
store_article_get(struct store *s, int64_t id, struct article *a,
                  struct err *e)
{
    sqlite3_stmt *st = prepare(
        s,
        "SELECT doi, url, guid, source, title, container, published, "
        "published_offset, published_prec, updated, updated_offset, "
        "updated_prec, abstract, score, matched FROM articles WHERE id = ?",
        e);
    int rc;

    article_init(a);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return err_set(e, ERR_DATA, 0, "state '%s': no article %lld",
                           s->path, (long long)id);
        return db_error(s, e, "cannot read article");
    }
    a->doi = col_text(st, 0);
    a->url = col_text(st, 1);
    a->guid = col_text(st, 2);
    a->source = col_text(st, 3);
    a->title = col_text(st, 4);
    a->container = col_text(st, 5);
    read_date(st, 6, &a->published);
    read_date(st, 9, &a->updated);
    a->abstract = col_text(st, 12);
    a->score = sqlite3_column_double(st, 13);
    split_lines((const char *)sqlite3_column_text(st, 14), &a->matched,
                &a->nmatched, &a->matched_alloc);
    sqlite3_finalize(st);

    st = prepare(s,
                 "SELECT given, family, literal FROM article_authors WHERE "
                 "article_id = ? ORDER BY pos",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        article_add_person(a, (const char *)sqlite3_column_text(st, 0),
                           (const char *)sqlite3_column_text(st, 1),
                           (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto db_fail;
    st = prepare(s,
                 "SELECT keyword FROM article_keywords WHERE article_id = ? "
                 "ORDER BY pos",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        article_add_keyword(a, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        goto db_fail;
    return 0;
db_fail:
    db_error(s, e, "cannot read article");
fail:
    article_release(a);
    return -1;
}

int
store_article_sources(struct store *s, int64_t id, struct buf *out,
                      struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT DISTINCT source FROM article_sources "
                               "WHERE article_id = ? ORDER BY source",
                               e);
    int rc, i = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (i++)
            buf_append_char(out, ',');
        buf_append_str(out, (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(s, e, "cannot read article sources");
    return 0;
}

/* Collect the int64 first column of st's rows into *ids. */
static int
collect_ids(struct store *s, sqlite3_stmt *st, int64_t **ids, size_t *n,
            struct err *e)
{
    int64_t *v = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&v, &alloc, count + 1, sizeof(*v));
        v[count++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(v);
        return db_error(s, e, "cannot list articles");
    }
    *ids = v;
    *n = count;
    return 0;
}

int
store_articles_new(struct store *s, int64_t since, int64_t end,
                   int64_t **ids, size_t *n, struct err *e)
{
    sqlite3_stmt *st = prepare(
        s,
        "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM "
        "issue_articles ia JOIN issues i ON i.id = ia.issue_id WHERE "
        "ia.article_id = a.id AND i.status = 1) "
        "AND coalesce(a.published, a.first_seen) >= ?1 "
        "AND coalesce(a.published, a.first_seen) < ?2 "
        "ORDER BY coalesce(a.published, a.first_seen) DESC, a.title",
        e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, end);
    return collect_ids(s, st, ids, n, e);
}

int
store_articles_count(struct store *s, int64_t *n, struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT count(*) FROM articles", e);

    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_error(s, e, "cannot count articles");
    }
    *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* ---- issues and the ledger --------------------------------------------- */

void
store_issue_release(struct store_issue *is)
{
    free(is->articles);
    memset(is, 0, sizeof(*is));
}

int
store_issue_create(struct store *s, struct store_issue *is,
                   const struct store_recipient *r, size_t nr, struct err *e)
{
    sqlite3_stmt *st;
    size_t i;

    if (store_begin(s, e) < 0)
        return -1;
    st = prepare(s,
                 "INSERT INTO issues (number, created, slot, period_start, "
                 "period_end, status) VALUES ((SELECT coalesce(max(number), "
                 "0) + 1 FROM issues), ?, ?, ?, ?, 0)",
                 e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, is->created);
    sqlite3_bind_int64(st, 2, is->slot);
    sqlite3_bind_int64(st, 3, is->period_start);
    sqlite3_bind_int64(st, 4, is->period_end);
    if (step_done(s, st, e) < 0)
        goto fail;
    is->id = sqlite3_last_insert_rowid(s->db);
    st = prepare(s, "SELECT number FROM issues WHERE id = ?", e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, is->id);
    is->number = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0)
                                                : 0;
    sqlite3_finalize(st);
    is->status = STORE_ISSUE_SENDING;
    for (i = 0; i < is->narticles; i++) {
        st = prepare(s,
                     "INSERT INTO issue_articles (issue_id, pos, article_id) "
                     "VALUES (?, ?, ?)",
                     e);
        if (!st)
            goto fail;
        sqlite3_bind_int64(st, 1, is->id);
        sqlite3_bind_int(st, 2, (int)i);
        sqlite3_bind_int64(st, 3, is->articles[i]);
        if (step_done(s, st, e) < 0)
            goto fail;
    }
    for (i = 0; i < nr; i++) {
        st = prepare(s,
                     "INSERT OR IGNORE INTO deliveries (issue_id, address, "
                     "name, created, updated) VALUES (?, ?, ?, ?, ?)",
                     e);
        if (!st)
            goto fail;
        sqlite3_bind_int64(st, 1, is->id);
        bind_text(st, 2, r[i].address);
        bind_text(st, 3, r[i].name);
        sqlite3_bind_int64(st, 4, is->created);
        sqlite3_bind_int64(st, 5, is->created);
        if (step_done(s, st, e) < 0)
            goto fail;
    }
    return store_commit(s, e);
fail:
    store_rollback(s);
    return -1;
}

/* Load the issue the query's first row names (columns as in ISSUE_COLS). */
#define ISSUE_COLS                                                             \
    "id, number, created, slot, period_start, period_end, status"

static int
load_issue(struct store *s, const char *sql, struct store_issue *out,
           struct err *e)
{
    sqlite3_stmt *st = prepare(s, sql, e);
    int rc;

    if (!st)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_error(s, e, "cannot read issue");
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->number = sqlite3_column_int(st, 1);
    out->created = sqlite3_column_int64(st, 2);
    out->slot = sqlite3_column_int64(st, 3);
    out->period_start = sqlite3_column_int64(st, 4);
    out->period_end = sqlite3_column_int64(st, 5);
    out->status = (enum store_issue_status)sqlite3_column_int(st, 6);
    sqlite3_finalize(st);
    st = prepare(s,
                 "SELECT article_id FROM issue_articles WHERE issue_id = ? "
                 "ORDER BY pos",
                 e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, out->id);
    if (collect_ids(s, st, &out->articles, &out->narticles, e) < 0)
        return -1;
    return 1;
}

int
store_issue_unfinished(struct store *s, struct store_issue *out,
                       struct err *e)
{
    return load_issue(s,
                      "SELECT " ISSUE_COLS " FROM issues WHERE status = 0 "
                      "ORDER BY number LIMIT 1",
                      out, e);
}

int
store_issue_last(struct store *s, struct store_issue *out, struct err *e)
{
    return load_issue(s,
                      "SELECT " ISSUE_COLS
                      " FROM issues ORDER BY number DESC LIMIT 1",
                      out, e);
}

int
store_issue_mark_sent(struct store *s, int64_t issue, int64_t now,
                      struct err *e)
{
    sqlite3_stmt *st =
        prepare(s, "UPDATE issues SET status = 1, sent = ? WHERE id = ?", e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, issue);
    return step_done(s, st, e);
}

void
store_ledger_row_release(struct store_ledger_row *r)
{
    free(r->address);
    free(r->name);
    free(r->reply);
    memset(r, 0, sizeof(*r));
}

int
store_ledger_todo(struct store *s, int64_t issue, struct store_ledger_row **v,
                  size_t *n, struct err *e)
{
    sqlite3_stmt *st = prepare(s,
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
        r->address = col_text(st, 0);
        r->name = col_text(st, 1);
        r->status = (enum store_delivery)sqlite3_column_int(st, 2);
        r->attempts = sqlite3_column_int(st, 3);
        r->code = sqlite3_column_int(st, 4);
        r->reply = col_text(st, 5);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        while (count)
            store_ledger_row_release(&list[--count]);
        free(list);
        return db_error(s, e, "cannot read the ledger");
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
    sqlite3_stmt *st = prepare(s,
                               "UPDATE deliveries SET status = ?, attempts = "
                               "attempts + 1, code = ?, reply = ?, updated = "
                               "? WHERE issue_id = ? AND address = ?",
                               e);

    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, (int)status);
    sqlite3_bind_int(st, 2, code);
    bind_text(st, 3, reply);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, issue);
    bind_text(st, 6, address);
    return step_done(s, st, e);
}

int
store_ledger_counts(struct store *s, int64_t issue, int64_t counts[4],
                    struct err *e)
{
    sqlite3_stmt *st = prepare(s,
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
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(s, e, "cannot count the ledger");
    return 0;
}

int
store_ledger_failed_streak(struct store *s, const char *address, int k,
                           int *streak, struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "SELECT d.status, d.code FROM deliveries d "
                               "JOIN issues "
                               "i ON i.id = d.issue_id WHERE d.address = ? "
                               "COLLATE NOCASE ORDER BY i.number DESC LIMIT ?",
                               e);
    int rc, n = 0;
    bool broken = false;

    if (!st)
        return -1;
    bind_text(st, 1, address);
    sqlite3_bind_int(st, 2, k);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* Only the server's permanent refusals count as bounces. */
        if (!broken && sqlite3_column_int(st, 0) == STORE_FAILED &&
            sqlite3_column_int(st, 1) >= 500)
            n++;
        else
            broken = true;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(s, e, "cannot read the ledger");
    *streak = n;
    return 0;
}

/* ---- small settings ----------------------------------------------------- */

int
store_meta_get(struct store *s, const char *key, char **value, struct err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT value FROM meta WHERE key = ?", e);
    int rc;

    if (!st)
        return -1;
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    *value = rc == SQLITE_ROW ? col_text(st, 0) : NULL;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(s, e, "cannot read a setting");
    return 0;
}

int
store_meta_set(struct store *s, const char *key, const char *value,
               struct err *e)
{
    sqlite3_stmt *st = prepare(s,
                               "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                               "ON CONFLICT(key) DO UPDATE SET value = ?2",
                               e);

    if (!st)
        return -1;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    return step_done(s, st, e);
}

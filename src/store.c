/*
 * store: the state file itself: opening and creating it (on disk or in
 * memory), the schema and its migrations, transactions, the statement
 * helpers the other store files share (store_int.h), sources' health and
 * HTTP validators, and the small settings in meta.  Articles live in
 * store_article.c, issues and the delivery ledger in store_issue.c.
 */
#include "arctic_digest/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"
#include "store_int.h"

/* For the archive_pages triggers: whether the article of a row of
 * article_authors or article_keywords is in an issue, and dropping those
 * issues' records.  The WHEN matters: a trigger body that runs opens a
 * statement transaction, and every new article's authors and keywords
 * (in no issue yet) would pay for one. */
#define IN_AN_ISSUE(row)                                                       \
    "EXISTS (SELECT 1 FROM issue_articles WHERE article_id = " row              \
    ".article_id)"
#define DROP_PAGES(row)                                                        \
    "DELETE FROM archive_pages WHERE issue_id IN (SELECT issue_id FROM "      \
    "issue_articles WHERE article_id = " row ".article_id);"

/* The trigger that drops an issue's archive_pages row when one of its
 * articles changes a column store_article_get reads: those of schema 11,
 * then more. */
#define ARTICLE_COLUMNS_11(row)                                                \
    row ".doi, " row ".url, " row ".guid, " row ".source, " row ".title, "     \
    row ".container, " row ".published, " row ".published_offset, " row      \
    ".published_prec, " row ".updated, " row ".updated_offset, " row         \
    ".updated_prec, " row ".abstract, " row ".score, " row ".matched, " row  \
    ".volume, " row ".issue, " row ".pages, " row ".others, " row ".kind, "  \
    row ".lang, " row ".publisher, " row ".place"
#define ARTICLE_TRIGGER(more_old, more_new)                                    \
    "CREATE TRIGGER archive_pages_article AFTER UPDATE ON articles "          \
    "WHEN (" ARTICLE_COLUMNS_11("OLD") more_old ") IS NOT ("                  \
    ARTICLE_COLUMNS_11("NEW") more_new ") "                                   \
    "BEGIN DELETE FROM archive_pages WHERE issue_id IN (SELECT issue_id "     \
    "FROM issue_articles WHERE article_id = NEW.id); END;"

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
    /* url is the publisher's link as written; url_key its canonical form
     * (article_url_canonical), the deduplication key.  Until now collect
     * stored the canonical form in url itself, so for existing rows the
     * key is url, wherever that is an https URL (the canonical form always
     * is; anything else had no canonical form and has no key). */
    "ALTER TABLE articles ADD COLUMN url_key TEXT;"
    "UPDATE articles SET url_key = url WHERE url LIKE 'https://%';"
    "DROP INDEX articles_url;"
    "CREATE INDEX articles_url_key ON articles(url_key);",
    /* Bounce streaks look an address up across issues, case-insensitively
     * (the list and the ledger may differ in case): without this index
     * that was a scan of every issue's rows per subscriber. */
    "CREATE INDEX deliveries_address ON deliveries(address COLLATE NOCASE);"
    /* Every run looks for deferred rows to retry. */
    "CREATE INDEX deliveries_deferred ON deliveries(issue_id) WHERE status "
    "= 2;",
    /* Where a work sits in its journal (issue 12): volume, issue, pages
     * ("767-777") and whether the byline was cut short ("et al.").
     * Older rows have none of them. */
    "ALTER TABLE articles ADD COLUMN volume TEXT;"
    "ALTER TABLE articles ADD COLUMN issue TEXT;"
    "ALTER TABLE articles ADD COLUMN pages TEXT;"
    "ALTER TABLE articles ADD COLUMN others INTEGER NOT NULL DEFAULT 0;",
    /* Bounce messages already handled (issue 15), by their mailbox key
     * ("imap:UIDVALIDITY:UID", "maildir:NAME") and by Message-ID, so that
     * none is counted twice even when its flag or folder is lost. */
    "CREATE TABLE bounce_messages (key TEXT PRIMARY KEY, handled INTEGER "
    "NOT NULL, outcome TEXT);",
    /* Crossref's answer per DOI (lower case), so that no DOI is asked
     * for twice: status 200 with the answer (crossref_compact), or the
     * 4xx that says Crossref has no such work (body NULL). */
    "CREATE TABLE crossref_works ("
    "  doi TEXT PRIMARY KEY, status INTEGER NOT NULL, body TEXT,"
    "  fetched INTEGER NOT NULL);",
    /* The kind of work (article_kind_name: "journal-article", "report",
     * "preprint", ...); NULL when nobody said. */
    "ALTER TABLE articles ADD COLUMN kind TEXT;",
    /* The work's language (article.lang: "en", "de", "en-gb"); NULL when
     * nobody said.  Titles in another language than English are not
     * re-cased when cited. */
    "ALTER TABLE articles ADD COLUMN lang TEXT;",
    /* Who published a book, chapter, paper or report, and where
     * (Crossref's publisher and publisher-location): the styles name them
     * (issue 13).  Older rows have neither. */
    "ALTER TABLE articles ADD COLUMN publisher TEXT;"
    "ALTER TABLE articles ADD COLUMN place TEXT;"
    /* and a name's suffix ("Jr.", "III") where the source gave it apart */
    "ALTER TABLE article_authors ADD COLUMN suffix TEXT;",
    /* What the web archive wrote for each sent issue (issue 14), so that
     * a later send lists the issue in the feed and index without
     * rendering it again (store_archived_get).  A row is only good while
     * the issue's articles are as they were: the triggers drop it when
     * one of them changes what store_article_get reads (a merge that
     * fills a gap, a longer byline or keyword list).  A migration that
     * adds a column store_article_get reads must extend the first
     * trigger. */
    "CREATE TABLE archive_pages ("
    "  issue_id INTEGER PRIMARY KEY REFERENCES issues(id),"
    "  stamp TEXT NOT NULL, files TEXT NOT NULL,"
    "  subject TEXT NOT NULL, content TEXT NOT NULL);"
    ARTICLE_TRIGGER("", "")
    "CREATE TRIGGER archive_pages_author_in AFTER INSERT ON article_authors "
    "WHEN " IN_AN_ISSUE("NEW") " BEGIN " DROP_PAGES("NEW") " END;"
    "CREATE TRIGGER archive_pages_author_out AFTER DELETE ON "
    "article_authors WHEN " IN_AN_ISSUE("OLD") " BEGIN " DROP_PAGES("OLD")
    " END;"
    "CREATE TRIGGER archive_pages_keyword_in AFTER INSERT ON "
    "article_keywords WHEN " IN_AN_ISSUE("NEW") " BEGIN " DROP_PAGES("NEW")
    " END;"
    "CREATE TRIGGER archive_pages_keyword_out AFTER DELETE ON "
    "article_keywords WHEN " IN_AN_ISSUE("OLD") " BEGIN " DROP_PAGES("OLD")
    " END;",
    /* A title's italics (a species, a ship), as Crossref marks them:
     * article.title_markup.  Older rows have none. */
    "ALTER TABLE articles ADD COLUMN title_markup TEXT;"
    "DROP TRIGGER archive_pages_article;"
    ARTICLE_TRIGGER(", OLD.title_markup", ", NEW.title_markup"),
};

int
store_db_error(struct store *s, struct err *e, const char *what)
{
    int rc = sqlite3_errcode(s->db);
    enum err_code code = ERR_IO;

    /* A damaged state file is an I/O error (exit 74), never bad input
     * data: nothing the user typed can fix it. */
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        code = ERR_TEMP;
    if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
        return err_set(e, code, rc, "state '%s' is damaged: %s: %s", s->path,
                       what, sqlite3_errmsg(s->db));
    return err_set(e, code, rc, "state '%s': %s: %s", s->path, what,
                   sqlite3_errmsg(s->db));
}

int
store_exec(struct store *s, const char *sql, struct err *e)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_db_error(s, e, "query failed");
    return 0;
}

static sqlite3_stmt *
prepare(struct store *s, const char *sql, unsigned flags, struct err *e)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v3(s->db, sql, -1, flags, &st, NULL) != SQLITE_OK) {
        store_db_error(s, e, "cannot prepare a query");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *
store_prepare(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = NULL;
    size_t i;

    for (i = 0; i < s->ncache; i++) {
        struct store_cached *c = &s->cache[i];
        if (!c->busy && !strcmp(c->sql, sql)) {
            c->busy = true;
            return c->st;
        }
    }
    st = prepare(s, sql, SQLITE_PREPARE_PERSISTENT, e);
    if (st && s->ncache < STORE_CACHE_MAX)
        s->cache[s->ncache++] = (struct store_cached){xstrdup(sql), st, true};
    return st;
}

sqlite3_stmt *
store_prepare_once(struct store *s, const char *sql, struct err *e)
{
    return prepare(s, sql, 0, e);
}

void
store_release(struct store *s, sqlite3_stmt *st)
{
    size_t i;

    for (i = 0; st && i < s->ncache; i++) {
        if (s->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            s->cache[i].busy = false;
            return;
        }
    }
    sqlite3_finalize(st);
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

char *
store_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

int
store_step_done(struct store *s, sqlite3_stmt *st, struct err *e)
{
    int rc = sqlite3_step(st);

    store_release(s, st);
    if (rc != SQLITE_DONE)
        return store_db_error(s, e, "update failed");
    return 0;
}

int
store_collect_ids(struct store *s, sqlite3_stmt *st, int64_t **ids, size_t *n,
                  struct err *e)
{
    int64_t *v = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&v, &alloc, count + 1, sizeof(*v));
        v[count++] = sqlite3_column_int64(st, 0);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE) {
        free(v);
        return store_db_error(s, e, "cannot list articles");
    }
    *ids = v;
    *n = count;
    return 0;
}

static int
migrate(struct store *s, struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", e);
    int version, target = (int)ARRAY_SIZE(migrations);
    struct buf sql = BUF_INIT;
    int rc = 0;

    if (!st)
        return -1;
    version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    store_release(s, st);
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
        rc = store_exec(s, migrations[version], e);
    if (rc == 0) {
        buf_appendf(&sql, "PRAGMA user_version = %d", target);
        rc = store_exec(s, sql.data, e);
    }
    buf_release(&sql);
    if (rc == 0)
        return store_commit(s, e);
    store_rollback(s);
    return -1;
}

/* The result of one quick_check statement: 0 for "ok". */
static int
quick_check(struct store *s, const char *sql, struct err *e)
{
    sqlite3_stmt *st = store_prepare_once(s, sql, e);
    const char *res;
    int rc;

    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (res != NULL && strcmp(res, "ok") == 0)
        rc = 0;
    else if (res != NULL)
        rc = err_set(e, ERR_IO, 0, "state '%s' is damaged: %s", s->path, res);
    else
        rc = store_db_error(s, e, "integrity check");
    store_release(s, st);
    return rc;
}

/*
 * SQLite's quick_check, table by table: a damaged file (a page
 * overwritten, a truncated file) is found on open, before anything is read
 * from it or added to it.  The ledger (deliveries) is left out: it grows
 * with the list (a million rows an issue at DESIGN's scale, where checking
 * it took seconds on every open); a damaged page there fails the query
 * that reads it, as ERR_IO too.  The other tables grow with articles and
 * issues only.
 */
static int
check_intact(struct store *s, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND "
        "name <> 'deliveries'",
        e);
    struct buf sql = BUF_INIT;
    int rc = 0, step;

    if (st == NULL)
        return -1;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        buf_reset(&sql);
        buf_appendf(&sql, "PRAGMA quick_check(\"%s\")",
                    (const char *)sqlite3_column_text(st, 0));
        rc = quick_check(s, sql.data, e);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_error(s, e, "integrity check");
    store_release(s, st);
    buf_release(&sql);
    return rc;
}

/* An existing state file that is empty was not made by us: SQLite's first
 * write is the schema.  Taking it for a fresh install would number the
 * next issue 1 and mail again what went out before. */
static int
check_not_empty(const char *path, struct err *e)
{
    struct stat st;

    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        return err_set(e, ERR_IO, 0,
                       "state '%s' is empty (0 bytes), so what was sent "
                       "before is unknown; restore it from a backup, or "
                       "remove it to start over from issue 1",
                       path);
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
    sqlite3_close(src);
    if (rc == SQLITE_OK || rc == SQLITE_DONE)
        return 0;
    return err_set(e,
                   rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ERR_TEMP
                                                            : ERR_IO,
                   rc, "cannot read state '%s': %s", path,
                   rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB
                       ? "the file is damaged or not a state file"
                       : sqlite3_errstr(rc));
}

/*
 * Open path (a file, or ":memory:") with flags; copy the state file
 * copy_from into it first when not NULL (then errors name that file); set
 * pragmas, check the tables, migrate.
 */
static int
open_db(const char *path, int flags, const char *copy_from,
        const char *pragmas, struct store **out, struct err *e)
{
    struct store *s = xcalloc(1, sizeof(*s));
    int rc;

    s->path = xstrdup(copy_from ? copy_from : path);
    rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_CANTCREAT, rc, "cannot open state '%s': %s", s->path,
                s->db ? sqlite3_errmsg(s->db) : "out of memory");
        store_close(s);
        return -1;
    }
    /* A file this user cannot write, opened read-only by SQLite: before
     * anything is read (a reader would leave -wal and -shm files). */
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        err_set(e, ERR_CANTCREAT, SQLITE_READONLY, "state '%s' is read-only",
                s->path);
        store_close(s);
        return -1;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if ((copy_from && copy_in(s, copy_from, e) < 0) ||
        store_exec(s, pragmas, e) < 0 || check_intact(s, e) < 0 ||
        migrate(s, e) < 0) {
        store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

/* The schema version of s, -1 on error. */
static int
schema_version(struct store *s, struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", e);
    int v = -1;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    else if (st)
        store_db_error(s, e, "cannot read the schema version");
    store_release(s, st);
    return v;
}

#define MEMORY_FLAGS                                                           \
    (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY)

/* Whether this user is denied writing the state at path (1: the file, 2:
 * its folder, where SQLite keeps the -wal and -shm files and we the run
 * lock; 0: neither), with the folder in dir and the cause in *err. */
static int
write_denied(const char *path, struct buf *dir, int *err)
{
    const char *slash = strrchr(path, '/');

    if (slash)
        buf_append(dir, path, slash == path ? 1 : (size_t)(slash - path));
    else
        buf_append_char(dir, '.');
    if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 && errno != ENOENT) {
        *err = errno;
        return errno == ENOTDIR || errno == ELOOP ? 0 : 1;
    }
    if (faccessat(AT_FDCWD, dir->data, W_OK, AT_EACCESS) != 0) {
        *err = errno;
        return errno == EACCES || errno == EROFS || errno == EPERM ? 2 : 0;
    }
    return 0;
}

/* The state at path cannot be written: say why and what to do, once.
 * ERR_CANTCREAT; always -1. */
static int
not_writable(const char *path, int denied, const char *dir, int err,
             struct err *e)
{
    if (denied == 1)
        return err_set(e, ERR_CANTCREAT, err,
                       "cannot write state '%s': %s; " STORE_NOT_WRITABLE_HINT,
                       path, strerror(err));
    if (denied == 2)
        return err_set(
            e, ERR_CANTCREAT, err,
            "cannot write state '%s': its folder '%s': %s "
            "(SQLite keeps its journal there); " STORE_NOT_WRITABLE_HINT,
            path, dir, strerror(err));
    return err_set(e, ERR_CANTCREAT, 0,
                   "cannot write state '%s': SQLite can only read "
                   "it; " STORE_NOT_WRITABLE_HINT,
                   path);
}

int
store_open(const char *path, struct store **out, struct err *e)
{
    struct err why = ERR_INIT;
    struct store *s = NULL;
    struct buf dir = BUF_INIT;
    int rc, denied = 0, err = 0;

    if (check_not_empty(path, e) < 0)
        return -1;
    rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 "PRAGMA foreign_keys = ON;",
                 &s, &why);
    /* A file this user cannot write is opened read-only, and would fail
     * only at its first write, after a command has done half its work
     * (pages written); a folder it cannot write fails the journal
     * (SQLITE_READONLY) or a new file (SQLITE_CANTOPEN).  Either is said
     * once, here, as what it is: not a damaged state (exit 74). */
    if (rc < 0 &&
        (why.detail == SQLITE_READONLY || why.detail == SQLITE_CANTOPEN))
        denied = write_denied(path, &dir, &err);
    if (rc < 0 && (why.detail == SQLITE_READONLY || denied))
        not_writable(path, denied, dir.data, err, e);
    else if (rc < 0 && e)
        *e = why;
    else if (rc == 0)
        *out = s;
    buf_release(&dir);
    return rc;
}

/* A database of its own, never shared, so no WAL and no fsync to ask for. */
int
store_open_memory(struct store **out, struct err *e)
{
    return open_db(":memory:", MEMORY_FLAGS, NULL, "PRAGMA foreign_keys = ON;",
                   out, e);
}

int
store_open_reader(const char *path, struct store **out, struct err *e)
{
    struct store *s;
    struct stat st;
    int v;

    if (stat(path, &st) != 0 || st.st_size == 0)
        return store_open_snapshot(path, out, e); /* its errors */
    s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    /* Read-write without create, but query_only: an ordinary reader of a
     * WAL file, which cleans up after itself when it closes. */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        store_close(s);
        return store_open_snapshot(path, out, e); /* a read-only file */
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (store_exec(s, "PRAGMA query_only = ON; PRAGMA foreign_keys = ON;",
                   e) < 0 ||
        check_intact(s, e) < 0 || (v = schema_version(s, e)) < 0) {
        store_close(s);
        return -1;
    }
    if (v != (int)ARRAY_SIZE(migrations)) {
        /* Older: migrate a copy (a newer one is refused there). */
        store_close(s);
        return store_open_snapshot(path, out, e);
    }
    *out = s;
    return 0;
}

int
store_open_snapshot(const char *path, struct store **out, struct err *e)
{
    struct stat st;

    /* Only a state that does not exist yet is an empty one: a path that
     * cannot be looked at (permissions, a symlink loop) is an error, or a
     * preview would show issue 1 with every article new. */
    if (stat(path, &st) != 0 && errno == ENOENT)
        return store_open_memory(out, e);
    if (stat(path, &st) != 0)
        return err_set(e, ERR_IO, errno, "cannot read state '%s': %s", path,
                       strerror(errno));
    if (check_not_empty(path, e) < 0)
        return -1;
    return open_db(":memory:", MEMORY_FLAGS, path,
                   "PRAGMA foreign_keys = ON;", out, e);
}

void
store_close(struct store *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->ncache; i++) {
        sqlite3_finalize(s->cache[i].st);
        free(s->cache[i].sql);
    }
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* Open the outermost transaction with sql; an inner one only counts. */
static int
begin(struct store *s, const char *sql, struct err *e)
{
    if (s->depth++ > 0)
        return 0;
    if (store_exec(s, sql, e) < 0) {
        s->depth = 0;
        return -1;
    }
    return 0;
}

int
store_begin(struct store *s, struct err *e)
{
    return begin(s, "BEGIN IMMEDIATE", e);
}

int
store_begin_read(struct store *s, struct err *e)
{
    return begin(s, "BEGIN", e);
}

int
store_commit(struct store *s, struct err *e)
{
    if (s->depth == 0 || --s->depth > 0)
        return 0;
    if (store_exec(s, "COMMIT", e) < 0) {
        store_exec(s, "ROLLBACK", NULL);
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
    store_exec(s, "ROLLBACK", NULL);
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
    out->name = store_col_text(st, 0);
    out->etag = store_col_text(st, 1);
    out->last_modified = store_col_text(st, 2);
    out->last_attempt = sqlite3_column_int64(st, 3);
    out->last_success = sqlite3_column_int64(st, 4);
    out->last_result = store_col_text(st, 5);
    out->last_error = store_col_text(st, 6);
    out->failures = sqlite3_column_int(st, 7);
}

#define SOURCE_COLUMNS                                                         \
    "name, etag, last_modified, last_attempt, last_success, last_result, "     \
    "last_error, failures"

int
store_source_get(struct store *s, const char *name, struct store_source *out,
                 struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT " SOURCE_COLUMNS " FROM sources WHERE name = ?", e);
    int rc;

    if (!st)
        return -1;
    store_bind_text(st, 1, name);
    memset(out, 0, sizeof(*out));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_source(st, out);
    else
        out->name = xstrdup(name);
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_source_release(out);
        return store_db_error(s, e, "cannot read source");
    }
    return 0;
}

int
store_source_record(struct store *s, const char *name, bool ok,
                    const char *result, const char *etag,
                    const char *last_modified, int64_t now, struct err *e)
{
    sqlite3_stmt *st;

    st = store_prepare(
        s,
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
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, etag);
    store_bind_text(st, 3, last_modified);
    sqlite3_bind_int64(st, 4, now);
    store_bind_text(st, 5, result);
    return store_step_done(s, st, e);
}

int
store_sources_list(struct store *s, struct store_source **v, size_t *n,
                   struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT " SOURCE_COLUMNS " FROM sources ORDER BY name", e);
    struct store_source *list = NULL;
    size_t count = 0, alloc = 0;
    int rc;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(&list, &alloc, count + 1, sizeof(*list));
        read_source(st, &list[count++]);
    }
    store_release(s, st);
    if (rc != SQLITE_DONE) {
        while (count)
            store_source_release(&list[--count]);
        free(list);
        return store_db_error(s, e, "cannot list sources");
    }
    *v = list;
    *n = count;
    return 0;
}

/* ---- small settings ----------------------------------------------------- */

int
store_meta_get(struct store *s, const char *key, char **value, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT value FROM meta WHERE key = ?", e);
    int rc;

    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    *value = rc == SQLITE_ROW ? store_col_text(st, 0) : NULL;
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read a setting");
    return 0;
}

int
store_meta_set(struct store *s, const char *key, const char *value,
               struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s,
                      "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                      "ON CONFLICT(key) DO UPDATE SET value = ?2",
                      e);

    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, value);
    return store_step_done(s, st, e);
}

/* DOIs are case-blind: the key is the lower-case form. */
static char *
doi_key(const char *doi)
{
    char *k = xstrdup(doi);

    ascii_lower(k, strlen(k));
    return k;
}

int
store_crossref_get(struct store *s, const char *doi, long *status,
                   char **body, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT status, body FROM crossref_works WHERE doi = ?", e);
    char *k;
    int rc;

    if (!st)
        return -1;
    k = doi_key(doi);
    store_bind_text(st, 1, k);
    free(k);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *status = (long)sqlite3_column_int64(st, 0);
        *body = store_col_text(st, 1);
    }
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the Crossref cache");
    return rc == SQLITE_ROW;
}

int
store_crossref_put(struct store *s, const char *doi, long status,
                   const char *body, int64_t now, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO crossref_works (doi, status, body, fetched) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(doi) DO UPDATE SET "
        "status = ?2, body = ?3, fetched = ?4",
        e);
    char *k;

    if (!st)
        return -1;
    k = doi_key(doi);
    store_bind_text(st, 1, k);
    free(k);
    sqlite3_bind_int64(st, 2, status);
    store_bind_text(st, 3, body);
    sqlite3_bind_int64(st, 4, now);
    return store_step_done(s, st, e);
}

const char *
store_lib_version(void)
{
    static char v[64];

    if (snprintf(v, sizeof(v), "SQLite %s", sqlite3_libversion()) >=
        (int)sizeof(v))
        v[sizeof(v) - 1] = '\0';
    return v;
}

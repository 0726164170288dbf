/*
 * store: the SQLite state file: articles (one record per work, with every
 * source that carried it), sources' health and HTTP validators, issues
 * (frozen article lists) and the delivery ledger; and, for the length of
 * one send, the subscriber list in a temporary table (the roster), so
 * that a list of any size is looked up by address without being held in
 * memory.
 *
 * The file uses WAL journaling and a versioned schema (PRAGMA user_version)
 * migrated forward on open; a file from a newer version is refused.  A
 * state in memory (store_open_memory) has the same schema and API.  Every
 * function that changes state runs in a transaction of its own unless the
 * caller holds one (store_begin/store_commit).  Times are UTC seconds.
 * sqlite3 types never leave this module.
 */
#ifndef ARCTIC_DIGEST_STORE_H
#define ARCTIC_DIGEST_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/err.h"

struct store;

/*
 * Open (creating and migrating) the state file at path into *out; the
 * caller closes it with store_close.  The file is checked first: an
 * existing file of 0 bytes is refused (it would look like a fresh start
 * and send issue 1 again), and SQLite's quick_check must pass on every
 * table but the ledger (which grows with the list; a damaged page there
 * fails the query that reads it, with ERR_IO too).  Fails with
 * ERR_CANTCREAT when the file cannot be opened or created, or when this
 * user cannot write it or its folder (SQLite would open the file read-only
 * and fail its first write; the message says which, and what to do, before
 * anything is read), ERR_IO when it
 * is empty, damaged or not a state file (exit 74; the message names the
 * file), ERR_DATA when its schema is newer than this program, ERR_TEMP
 * when another process holds it too long.  Later queries on a file found
 * damaged also fail with ERR_IO.
 */
int store_open(const char *path, struct store **out, struct err *e);

/* What to do about a state this user cannot write: the end of store_open's
 * ERR_CANTCREAT message, and of the run lock's. */
#define STORE_NOT_WRITABLE_HINT                                                \
    "this command changes the state: run it as the user that owns the "        \
    "state, or make the state and its folder writable for this user"

/*
 * An empty state with the current schema, in memory only, into *out: for
 * dry runs and previews when no state file exists yet, so that they
 * create none.  Everything written to it is gone at store_close.  Fails
 * only when SQLite cannot allocate (ERR_CANTCREAT) or migrate it (ERR_IO).
 */
int store_open_memory(struct store **out, struct err *e);

/* Close s; store_close(NULL) is a no-op.  An open transaction is rolled
 * back. */
void store_close(struct store *s);

/*
 * Open a private copy of the state file in memory (an empty state when
 * the file does not exist): everything works as with store_open, but no
 * change ever reaches the file, and no file is created.  For dry runs and
 * previews.  The same checks as store_open: ERR_IO when the file is
 * empty, damaged, not a state file or cannot be looked at; ERR_TEMP when
 * a writer holds it too long.  The copy costs memory and time in
 * proportion to the file, the ledger included.
 */
int store_open_snapshot(const char *path, struct store **out,
                        struct err *e);

/*
 * Open the state file for reading only, without a copy: for status, which
 * a monitor may call often on a state of any size.  Any write fails
 * (SQLite's query_only).  A state that does not exist, or whose schema is
 * older than this program's, is opened as store_open_snapshot() opens it,
 * so nothing is created or migrated.  Errors as store_open_snapshot().
 */
int store_open_reader(const char *path, struct store **out, struct err *e);

int store_begin(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/*
 * A transaction for reading only (SQL "BEGIN", deferred): every read until
 * store_commit() sees one snapshot and takes the file's locks once, not
 * once per statement, which is what reading an issue's thousand articles
 * one by one costs otherwise.  Nests like store_begin() (inside a
 * transaction it only counts); do not write inside one that it opened.
 * Ended by store_commit(), or store_rollback() after a failure.
 */
int store_begin_read(struct store *s, struct err *e);

/* ---- sources ---------------------------------------------------------- */

struct store_source {
    char *name;
    char *etag, *last_modified; /* validators for conditional GET */
    int64_t last_attempt, last_success; /* 0 = never */
    char *last_result; /* "12 new", "not modified", "HTTP 503", ... */
    char *last_error;  /* the last failure's message, NULL if none yet */
    int failures;      /* failures in a row */
};

void store_source_release(struct store_source *src);

/* The source called name; an empty record (name set) if never seen. */
int store_source_get(struct store *s, const char *name,
                     struct store_source *out, struct err *e);

/*
 * Record one collection attempt of a source.  ok: success (validators
 * replaced by etag/last_modified, which may be NULL); otherwise the
 * validators are kept and failures counts up.
 */
int store_source_record(struct store *s, const char *name, bool ok,
                        const char *result, const char *etag,
                        const char *last_modified, int64_t now,
                        struct err *e);

/* Every source ever recorded, by name.  Caller releases each and frees v. */
int store_sources_list(struct store *s, struct store_source **v, size_t *n,
                       struct err *e);

/* ---- articles --------------------------------------------------------- */

/*
 * Store a collected article.  The same work is matched by DOI, then
 * canonical URL (article_url_canonical() of a->url: http and https, a
 * fragment or a tracking parameter make no difference), then source and
 * guid, then normalised title plus first author's family name published
 * within 14 days; a match is merged (richer fields win: the longer
 * abstract, a DOI or date where there was none, authors where there were
 * none) and the source is added to the work's sources.  The link is kept
 * as the publisher wrote it, and a work keeps the first link it was
 * stored with; the canonical form is only the key.
 * *is_new tells whether the work was unknown; *id (may be NULL) gets its id.
 */
int store_article_put(struct store *s, const struct article *a, int64_t now,
                      bool *is_new, int64_t *id, struct err *e);

/* Load article id into a (initialised by this call); ERR_DATA if none. */
int store_article_get(struct store *s, int64_t id, struct article *a,
                      struct err *e);

/* The sources that carried article id, comma-separated, into out. */
int store_article_sources(struct store *s, int64_t id, struct buf *out,
                          struct err *e);

/*
 * Ids of the articles that are new for an issue ending at end: in no issue
 * yet (one still sending has them) and published (or, without a date, first seen) in [since, end).
 * A lookback longer than the period keeps back-dated journal items; an old
 * item that reappears in a feed is neither new nor mailed again.  Newest
 * first.  Caller frees *ids.
 */
int store_articles_new(struct store *s, int64_t since, int64_t end,
                       int64_t **ids, size_t *n, struct err *e);

/*
 * The Crossref cache: what Crossref answered for one DOI (any case; the
 * key is its lower-case form).  store_crossref_get returns 1 and fills
 * *status (200, or the 4xx that said there is no such work) and *body
 * (caller frees; NULL for a 4xx) when the DOI was asked for before, 0
 * (nothing written) when not, -1 on failure.  store_crossref_put records
 * an answer, replacing an older one.
 */
int store_crossref_get(struct store *s, const char *doi, long *status,
                       char **body, struct err *e);
int store_crossref_put(struct store *s, const char *doi, long status,
                       const char *body, int64_t now, struct err *e);

/* Number of stored articles (for status and tests). */
int store_articles_count(struct store *s, int64_t *n, struct err *e);

/* ---- issues and the ledger --------------------------------------------- */

enum store_issue_status {
    STORE_ISSUE_SENDING = 0, /* frozen, ledger written, being sent */
    STORE_ISSUE_SENT
};

struct store_issue {
    int64_t id;
    int number;
    int64_t created, slot, period_start, period_end;
    enum store_issue_status status;
    int64_t sent;      /* when it was marked sent; 0 while sending */
    int64_t *articles; /* ordered article ids */
    size_t narticles;
};

void store_issue_release(struct store_issue *is);

struct store_recipient {
    const char *address;
    const char *name; /* may be NULL */
};

/*
 * Freeze a new issue (the next number) with its ordered articles and a
 * pending ledger row for every recipient, in one transaction.  is->number
 * and is->id are filled in.
 */
int store_issue_create(struct store *s, struct store_issue *is,
                       const struct store_recipient *r, size_t nr,
                       struct err *e);
/*
 * store_issue_create() in steps, for recipients read one at a time:
 * begin opens a transaction (store_begin) and writes the issue and its
 * articles (is->number and is->id filled in); add writes one pending
 * row (an address already there, in the same case, is left as it is);
 * the caller ends with store_commit(), or store_rollback() after any
 * failure.
 */
int store_issue_begin(struct store *s, struct store_issue *is,
                      struct err *e);
int store_issue_add(struct store *s, const struct store_issue *is,
                    const struct store_recipient *r, struct err *e);

/* The unfinished issue, if any: returns 1 and fills out, 0 if none. */
int store_issue_unfinished(struct store *s, struct store_issue *out,
                           struct err *e);
/* The issue with the highest number: 1 and out, or 0 if none yet. */
int store_issue_last(struct store *s, struct store_issue *out, struct err *e);
/* The issue with this id: 1 and out, or 0 if there is none. */
int store_issue_get(struct store *s, int64_t id, struct store_issue *out,
                    struct err *e);

/* Every sent issue, by number, into *v (n of them; caller releases each
 * and frees the array). */
int store_issues_sent(struct store *s, struct store_issue **v, size_t *n,
                      struct err *e);

int store_issue_mark_sent(struct store *s, int64_t issue, int64_t now,
                          struct err *e);

/*
 * What the web archive (archive.h) wrote for a sent issue: the stamp of
 * what it was rendered with, the identity of the files it wrote (both
 * opaque here), the subject and the feed entry's content (content_len
 * bytes, NUL-terminated).  A row goes away by itself when anything the
 * issue's page shows changes in the state: an update of one of its
 * articles' fields, authors or keywords (SQLite triggers).
 */
struct store_archived {
    char *stamp;
    char *files;
    char *subject;
    char *content;
    size_t content_len;
};

void store_archived_release(struct store_archived *a);
/* The record of issue (an issue id): 1 and out (caller releases), or 0
 * when there is none; its content is "" unless with_content (an issue
 * listed on the index but no longer in the feed needs none).  -1 as
 * store_db_error. */
int store_archived_get(struct store *s, int64_t issue, bool with_content,
                       struct store_archived *out, struct err *e);
/* Record (or replace) issue's row; every field but content is a string,
 * none NULL.  -1 as store_db_error (a foreign key: no such issue). */
int store_archived_put(struct store *s, int64_t issue,
                       const struct store_archived *a, struct err *e);

enum store_delivery {
    STORE_PENDING = 0,
    STORE_SENT,
    STORE_DEFERRED,
    STORE_FAILED
};

struct store_ledger_row {
    char *address;
    char *name;
    enum store_delivery status;
    int attempts;
    int code;
    char *reply;
};

void store_ledger_row_release(struct store_ledger_row *r);

/* The rows of an issue still to send (pending and deferred), in address
 * order.  Caller releases each row and frees v. */
int store_ledger_todo(struct store *s, int64_t issue,
                      struct store_ledger_row **v, size_t *n, struct err *e);

/* Record one attempt's outcome (committed at once unless the caller holds
 * a transaction). */
int store_ledger_mark(struct store *s, int64_t issue, const char *address,
                      enum store_delivery status, int code, const char *reply,
                      int64_t now, struct err *e);

/* Count the issue's ledger rows by status (array of 4, by enum value). */
int store_ledger_counts(struct store *s, int64_t issue, int64_t counts[4],
                        struct err *e);

/* The addresses of issue the server refused permanently (failed with a
 * 5xx reply), in address order.  Caller frees each and v. */
int store_ledger_hard_failed(struct store *s, int64_t issue, char ***v,
                             size_t *n, struct err *e);

/* The ids of the sent issues (no pending rows left) that still have
 * deferred rows, oldest first.  Caller frees *ids. */
int store_ledger_deferred_issues(struct store *s, int64_t **ids, size_t *n,
                                 struct err *e);

/* What monitoring wants of the ledger (store_ledger_health). */
struct store_ledger_health {
    int64_t deferred;        /* rows deferred now */
    int64_t deferred_old;    /* of them, in issues frozen before `old` */
    int64_t oldest_deferred; /* freeze time of the oldest such issue; 0 */
    int64_t pending_old;     /* pending rows of issues frozen before old */
    int64_t given_up;        /* rows given up (failed with a 4xx) since
                                `since` */
};

int store_ledger_health(struct store *s, int64_t old, int64_t since,
                        struct store_ledger_health *h, struct err *e);

/* A deferred delivery given up (store_ledger_give_up). */
struct store_given_up {
    int number; /* the issue's */
    char *address;
    int code;
    char *reply; /* the last one */
};

/*
 * Fail every deferred row of an issue frozen at or before `before`, with
 * its last code and "gave up: " before its last reply, in one
 * transaction; *v (caller frees with store_given_up_release) lists them.
 */
int store_ledger_give_up(struct store *s, int64_t before, int64_t now,
                         struct store_given_up **v, size_t *n,
                         struct err *e);
void store_given_up_release(struct store_given_up *v, size_t n);

/*
 * How many of the last k issues in a row (newest first) failed address
 * permanently.  Used to mark repeated hard bounces.
 */
int store_ledger_failed_streak(struct store *s, const char *address, int k,
                               int *streak, struct err *e);

/* ---- bounces read back (store_bounce.c) -------------------------------- */

/* The id of the issue with this number: 1 and *id, or 0 if none. */
int store_issue_by_number(struct store *s, int number, int64_t *id,
                          struct err *e);

/* The address (caller frees) of issue's ledger row that match() accepts,
 * or NULL in *address when none does.  For VERP tokens, which name an
 * address by its hash. */
int store_ledger_find(struct store *s, int64_t issue,
                      bool (*match)(void *ctx, const char *address),
                      void *ctx, char **address, struct err *e);

/* The newest issue that was handed over to address (any case): 1 and *id
 * and *number, or 0 if none. */
int store_ledger_last_sent(struct store *s, const char *address, int64_t *id,
                           int *number, struct err *e);

/*
 * A delivery the server took (sent, or deferred since) bounced later:
 * fail it with code and reply.  Returns 1 when a row changed, 0 when
 * there was none to change (not in the issue, or failed already).
 */
int store_ledger_bounced(struct store *s, int64_t issue, const char *address,
                         int code, const char *reply, int64_t now,
                         struct err *e);

/* Whether the bounce message with this key was handled: 1 or 0. */
int store_bounce_seen(struct store *s, const char *key, struct err *e);
/* Remember it (outcome: what was done, for 'status'). */
int store_bounce_remember(struct store *s, const char *key, int64_t now,
                          const char *outcome, struct err *e);

/* ---- the subscriber list as a send reads it, and the ledger by pages ---- */

/* One row of the list as a send needs it (tags comma-separated). */
struct store_member {
    char *address; /* as written */
    size_t line;
    char *name, *status, *tags, *format;
};

void store_member_release(struct store_member *m);

/*
 * Empty the roster: a temporary table of the connection (SQLite's temp
 * file, never the state file) that holds the subscriber list while one
 * send runs, one row per address compared without ASCII case, so that
 * memory does not grow with the list.  It is part of the caller's
 * transaction, if one is open.
 */
int store_roster_clear(struct store *s, struct err *e);
/* Add m (copied): 1, or 0 when its address (any case) is there already
 * (an address's first row counts). */
int store_roster_add(struct store *s, const struct store_member *m,
                     struct err *e);
/* The row of address (any case) into out (caller releases): 1, or 0 when
 * there is none. */
int store_roster_get(struct store *s, const char *address,
                     struct store_member *out, struct err *e);

/*
 * At most max rows of issue still to send (pending and deferred) whose
 * address sorts after `after` (NULL: from the first), in address order,
 * into *v (caller releases each row and frees v): store_ledger_todo() a
 * page at a time, the last address of one page being `after` for the
 * next.  departed: only the rows whose address has no active row in the
 * roster (store_roster_clear).
 */
int store_ledger_todo_page(struct store *s, int64_t issue, const char *after,
                           size_t max, struct store_ledger_row **v, size_t *n,
                           struct err *e);
int store_ledger_departed_page(struct store *s, int64_t issue,
                               const char *after, size_t max,
                               struct store_ledger_row **v, size_t *n,
                               struct err *e);

/* ---- small settings ----------------------------------------------------- */

/* The value of key (caller frees), or NULL when unset. */
int store_meta_get(struct store *s, const char *key, char **value,
                   struct err *e);
int store_meta_set(struct store *s, const char *key, const char *value,
                   struct err *e);

/* "SQLite X.Y.Z": the version of SQLite this program runs with, for
 * 'arctic-digest --version'.  Static storage; never fails. */
const char *store_lib_version(void);

#endif

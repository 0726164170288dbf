/*
 * subscribers: the subscriber list file, its validation, locking, import,
 * changes by address and unsubscribe tokens (topics: see issue.h).
 *
 * The list is an RFC 4180 CSV file (read and quoted through libcsv) with a
 * header row.  Our columns are email, name, status, tags, subscribed_at,
 * unsubscribed_at and, optionally, format; any other column is kept in its
 * place and order, values untouched.  UTF-8, a byte order mark tolerated
 * (and kept), LF or CRLF line endings (the file's own style is kept when
 * it is rewritten).  Status is active, unsubscribed, bounced or pending
 * (signed up, not confirmed yet; an empty status reads as active); format is html (the default) or text; tags are
 * comma-separated inside their one field.  Names and tags are one line of
 * text: no control characters, which here are C0 (TAB, LF and CR
 * included), DEL, C1, U+2028 LINE SEPARATOR and U+2029 PARAGRAPH
 * SEPARATOR.
 *
 * Addresses are checked by subs_addr_check(), which is mime's one rule for
 * an address this tool can send to (mime_addr_check): an ASCII dot-atom
 * local part, '@', a host name with at least one dot, labels of 1 to 63
 * octets, no leading or trailing dot or hyphen.  Internationalised
 * addresses (RFC 6531), quoted local parts and address literals are
 * refused, at every door, with the reason.
 * Addresses compare without regard to ASCII case and are kept as written.
 *
 * Writes are safe: an exclusive flock() on "<list>.lock" beside the file,
 * the new content in "<list>.tmp" in the same folder, fsync(), rename(),
 * fsync() of the folder.  A failed write leaves the old file as it was
 * (ERR_CANTCREAT).  Readers take a shared lock and see one consistent
 * snapshot.  Nothing here reads the clock: times come in as arguments.
 *
 * Unsubscribe tokens are base64url(address) "." base64url(the first 16
 * bytes of HMAC-SHA256(secret, "arctic-digest-unsubscribe:" + the address
 * lower-cased)), RFC 4648 section 5 without padding (RFC 2104, RFC 6234).
 */
#ifndef ARCTIC_DIGEST_SUBSCRIBERS_H
#define ARCTIC_DIGEST_SUBSCRIBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/config.h"
#include "arctic_digest/err.h"

/* Our columns, in the order a new file gets them. */
enum subs_col {
    SUBS_COL_EMAIL,
    SUBS_COL_NAME,
    SUBS_COL_STATUS,
    SUBS_COL_TAGS,
    SUBS_COL_SUBSCRIBED_AT,
    SUBS_COL_UNSUBSCRIBED_AT,
    SUBS_COL_FORMAT,
    SUBS_NCOLS
};

struct subs_entry {
    char *email;  /* as written in the file */
    char *name;   /* may be "" */
    char *status; /* "active" | "unsubscribed" | "bounced" (or, before
                     subs_check, whatever the file says) */
    char **tags;
    size_t ntags, tags_alloc;
    char *format; /* "html" or "text" (or what the file says) */
    char *subscribed_at, *unsubscribed_at; /* RFC 3339 or "" */
    char **fields; /* every column's raw value, by column; NULL for new */
    size_t nfields; /* how many fields the row had */
    size_t line;    /* 1-based line where the row starts; 0 for new */
};

struct subs_list {
    struct subs_entry *v;
    size_t n, alloc;
    char **cols; /* the header, in file order */
    size_t ncols;
    int col[SUBS_NCOLS]; /* index in cols of our columns, -1 if absent */
    bool crlf, bom;      /* the file's style */
};

/*
 * At most this many tags per subscriber: subs_check() reports more as a
 * fault, add refuses them, import drops the row (or, merging into an
 * entry, the tags beyond it).  Parsing keeps them all.
 */
#define SUBS_MAX_TAGS 100

/*
 * At most this many bytes of a name (it reaches the To header and the
 * greeting of every message): subs_check() reports a longer one, add
 * refuses it, import cuts it (never inside a UTF-8 sequence) and warns.
 */
#define SUBS_MAX_NAME 400

#define SUBS_STATUS_ACTIVE "active"
#define SUBS_STATUS_UNSUBSCRIBED "unsubscribed"
#define SUBS_STATUS_BOUNCED "bounced"
/* Signed up but not confirmed yet (double opt-in, see the end of this
 * header): never sent a digest, dropped once the link has expired. */
#define SUBS_STATUS_PENDING "pending"

void subs_list_init(struct subs_list *l);
/* Free everything; l is back to its subs_list_init() state. */
void subs_list_release(struct subs_list *l);

/*
 * Parse a list file's bytes into l (initialised by this call).  A missing
 * email column, a malformed CSV (an unterminated quote) or invalid UTF-8
 * fail with ERR_DATA naming the line; l is then released.  Bad addresses,
 * duplicates and unknown statuses are not errors here: see subs_check().
 */
int subs_parse(struct subs_list *l, const char *p, size_t n, struct err *e);

/* Serialise l as the file would hold it (its BOM and line endings). */
void subs_format(const struct subs_list *l, struct buf *out);
/*
 * Serialise for export: the same columns, CRLF (RFC 4180), no BOM, only
 * the entries for which keep(entry, ctx) is true (keep may be NULL).
 * An export is meant to be opened by a spreadsheet, so it is guarded
 * against formula ("CSV") injection the OWASP way: a field (header
 * included) that starts with = + - @ TAB or CR, after any number of
 * single quotes, gets one more single quote in front and is always
 * quoted ("=1+1" goes out as "'=1+1").  subs_import() takes that quote off
 * again, so importing an export gives back the values exactly.  The list
 * file itself (subs_format) is never changed this way.
 */
void subs_format_export(const struct subs_list *l,
                        bool (*keep)(const struct subs_entry *, void *),
                        void *ctx, struct buf *out);

/* subs_format_export() in pieces, for a list printed as it is read
 * (subs_scan): the header of l, and one entry by l's columns. */
void subs_format_export_head(const struct subs_list *l, struct buf *out);
void subs_format_export_entry(const struct subs_list *l,
                              const struct subs_entry *s, struct buf *out);

/*
 * Load path into l (initialised by this call) under a shared lock: one
 * consistent snapshot.  ERR_NOINPUT when the file is missing, ERR_IO when
 * it cannot be read, ERR_DATA as subs_parse() (message "PATH:LINE: ...").
 */
int subs_load(struct subs_list *l, const char *path, struct err *e);

/*
 * Called by subs_scan() for each entry of the list, in file order.  l is
 * the list's header and style as subs_load() would give them (cols, col,
 * crlf, bom) with no entries; s (its line set) is valid for the call
 * only, and fn may take it whole (copy the struct, then zero *s).
 * Returns 0, or -1 with e filled to stop the scan.
 */
typedef int (*subs_entry_fn)(void *ctx, const struct subs_list *l,
                             struct subs_entry *s, struct err *e);

/*
 * Read the list at path under a shared lock as subs_load() does, but one
 * entry at a time, handing each to fn: memory holds one row, whatever the
 * size of the list.  The file is read twice, first for its faults, so
 * that fn sees no row of a list subs_load() would refuse.  head (may be
 * NULL) gets the header and style (no entries) once the file is known
 * good, before fn's first call, and keeps them; the caller releases it
 * with subs_list_release() whatever the outcome.  Errors as subs_load()
 * ("PATH: line N: ..."), or fn's error as fn set it.
 */
int subs_scan(const char *path, subs_entry_fn fn, void *ctx,
              struct subs_list *head, struct err *e);

/*
 * subs_load() of one address: l (initialised by this call) gets the
 * list's header and the first entry for email (ASCII case-insensitive),
 * or no entry, read as subs_scan() reads, so memory holds one row.
 * Errors as subs_scan(); l is then released.
 */
int subs_load_one(struct subs_list *l, const char *path, const char *email,
                  struct err *e);

/*
 * Called by subs_update() with the list as it is on disk (empty, with our
 * header, when the file does not exist).  Returns 1 to write l back, 0 to
 * leave the file alone, -1 (with e filled) to fail without writing.
 */
typedef int (*subs_update_fn)(struct subs_list *l, void *ctx, struct err *e);

/*
 * Locked read-modify-write of the list at path: take the exclusive lock,
 * load, call fn, and if it returns 1 write the result safely (see the top
 * comment).  A missing file is created only when create is true (else
 * ERR_NOINPUT).  Returns fn's verdict (0 or 1) or -1: ERR_CANTCREAT when
 * the lock or the new file cannot be written (the old file is untouched),
 * or fn's error.
 */
int subs_update(const char *path, bool create, subs_update_fn fn, void *ctx,
                struct err *e);

/*
 * Set the status of email (any case) to status, stamping
 * unsubscribed_at with when_rfc3339 for unsubscribed and bounced, and
 * subscribed_at (clearing unsubscribed_at) for active.  Locked
 * read-modify-write.  ERR_DATA when email is not on the list or status is
 * not one of the three; ERR_NOINPUT when the file is missing.
 */
int subs_set_status(const char *path, const char *email, const char *status,
                    const char *when_rfc3339, struct err *e);

/* The entry for email (ASCII case-insensitive), or NULL. */
struct subs_entry *subs_find(const struct subs_list *l, const char *email);

/*
 * The list sorted by address (ASCII case-insensitive), for many lookups:
 * a send or a freeze looks up every row, and subs_find per row would be
 * quadratic in the list.  Borrows the entries of l, which must not change
 * while the index is in use.
 */
struct subs_index {
    const struct subs_entry **v;
    size_t n;
};

#define SUBS_INDEX_INIT {NULL, 0}

void subs_index_build(struct subs_index *ix, const struct subs_list *l);
void subs_index_release(struct subs_index *ix);
/* The first row (in file order) of address email, or NULL: what
 * subs_find() answers, in O(log n).  When an address is listed twice,
 * only its first row counts. */
const struct subs_entry *subs_index_find(const struct subs_index *ix,
                                         const char *email);
/*
 * Append a new active entry for email with empty fields; returns it (valid
 * until the next change of l).  The caller checks for duplicates first.
 */
struct subs_entry *subs_append(struct subs_list *l, const char *email);
/* Remove entry i, keeping the order of the others. */
void subs_remove(struct subs_list *l, size_t i);
/* Replace the tags of s with the comma-separated list p (trimmed, no
 * empties, no duplicates: the first spelling is kept).  O(n log n). */
void subs_set_tags(struct subs_entry *s, const char *p);
/* Add one tag unless s has it already (case-insensitive).  true if added. */
bool subs_add_tag(struct subs_entry *s, const char *tag);
bool subs_has_tag(const struct subs_entry *s, const char *tag);
/* Add column name at the end of the header unless it is there; returns its
 * index. */
size_t subs_add_column(struct subs_list *l, const char *name);

/*
 * Append s for a tab-separated line of text (list's plain output), so
 * that one entry is always one line: a backslash as \\, TAB, LF and CR as
 * \t, \n and \r, other C0 and DEL as \xHH, C1, U+2028 and U+2029 as
 * \uHHHH.  Everything else as it is.
 */
void subs_plain_field(struct buf *out, const char *s);

/* Whether status is one of the known values (active, unsubscribed,
 * bounced, pending). */
bool subs_status_valid(const char *status);

/*
 * Validate one address (p, n) as every door to the list does (add, import,
 * check, token): 0 when it is an address this tool can send to, which is
 * exactly mime_addr_check() (see mime.h for the rule).  -1 with ERR_DATA
 * and the reason ("no domain after '@'", "non-ASCII at octet 6:
 * internationalised addresses cannot be sent by this tool yet (no
 * SMTPUTF8)", ...) otherwise; the message does not repeat the address.
 */
int subs_addr_check(const char *p, size_t n, struct err *e);

/* One finding of subs_check() or subs_import(). */
struct subs_problem {
    size_t line;
    bool warning; /* true: reported but not a fault */
    char *msg;
};

struct subs_problems {
    struct subs_problem *v;
    size_t n, alloc;
};

void subs_problems_release(struct subs_problems *p);
/* Append one problem (the message is copied). */
void subs_problems_add(struct subs_problems *p, size_t line, bool warning,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Check every row: invalid addresses, duplicates (naming the first line),
 * unknown statuses and formats, rows with the wrong number of fields, bad
 * dates, control characters in names and tags (see the top comment), more
 * than SUBS_MAX_TAGS tags.  Appends to out; returns the number of faults
 * (warnings not counted).
 */
size_t subs_check(const struct subs_list *l, struct subs_problems *out);

/* Called by subs_check_file() for each problem, in order. */
typedef void (*subs_problem_fn)(void *ctx, const struct subs_problem *p);

/*
 * subs_check() of the list file at path, read (twice) under a shared lock
 * one row at a time, so that memory does not grow with the list (a few
 * bytes a row for the duplicates): fn gets the problems as subs_check()
 * would list them, sorted by line and text, as the rows are read;
 * *faults and *entries are filled on success.  Errors as subs_scan() (fn
 * may have been called before a read error).
 */
int subs_check_file(const char *path, subs_problem_fn fn, void *ctx,
                    size_t *faults, size_t *entries, struct err *e);

/* What subs_import() did. */
struct subs_import_report {
    size_t added, updated, unchanged, invalid, suppressed;
    size_t skipped; /* rows that are no subscription (pending, ...) */
    struct subs_problems problems; /* lines of the imported file */
    const char *kind;              /* "mailchimp", "listmonk" or "csv" */
};

/*
 * Merge an export of another newsletter service (p, n) into l.  Columns
 * are found by name (Mailchimp "Email Address", "First Name", "Last Name",
 * "TAGS", "OPTIN_TIME", "UNSUB_TIME", "CLEAN_TIME"; listmonk email, name,
 * attributes, status, created_at; our own columns) or from map, a list of
 * "field=Column" pairs separated by ';' (field: email, name, first_name,
 * last_name, tags, status, subscribed_at, format; may be NULL).  Rows of
 * an unsubscribed (UNSUB_TIME) or cleaned (CLEAN_TIME) export, and
 * blocklisted listmonk rows, become suppressions.  Nobody unsubscribed or
 * bounced on l is ever made active again.  now_rfc3339 stamps new rows.
 * A value that is one or more single quotes and then = + - @ TAB or CR
 * loses its first quote: the guard subs_format_export() (and spreadsheets)
 * put in front of a formula-like value.
 * r must be zeroed by the caller; the caller releases r->problems.
 * ERR_DATA / ERR_USAGE (bad map) when the file cannot be used at all.
 */
int subs_import(struct subs_list *l, const char *p, size_t n, const char *map,
                const char *now_rfc3339, struct subs_import_report *r,
                struct err *e);

/*
 * subs_import() of the export file at export_path into the list file at
 * path (created when missing, with our header), as a locked
 * read-modify-write (subs_update()) would do it, in memory that does not
 * grow with the list and by 17 bytes a row with the export: the export is
 * read three times and its rows to merge read again where they are
 * merged, the list is read twice (once for its faults, as subs_load()
 * refuses them) and written anew, row by row, through "<list>.tmp" under
 * the exclusive lock.  The file is replaced only when something was
 * added, updated or suppressed, and never when dry_run is true.  Once it
 * is, fn gets the problems of the export, in its order (r->problems
 * stays empty); r must be zeroed by the caller.  Fails as subs_update()
 * and subs_import() (ERR_NOINPUT or ERR_IO when the export cannot be
 * read, "cannot read 'FILE': ..."); an error leaves the list as it was.
 */
int subs_import_file(const char *path, const char *export_path,
                     const char *map, const char *now_rfc3339, bool dry_run,
                     subs_problem_fn fn, void *ctx,
                     struct subs_import_report *r, struct err *e);

/*
 * Make the unsubscribe token for email into out (appended).  Deterministic.
 * Returns 0; -1 (ERR_INTERNAL) only for an empty secret.
 */
int subs_token_make(const char *secret, size_t secret_len, const char *email,
                    struct buf *out);
/*
 * Check token and hand back its address (caller frees *email).  The MAC is
 * compared in constant time.  ERR_DATA for a forged, altered or malformed
 * token (*email untouched).
 */
int subs_token_check(const char *secret, size_t secret_len, const char *token,
                     char **email, struct err *e);
/*
 * Read a secret (the token secret, an SMTP password) from path into out
 * (appended): refuses a file readable or writable by group or others
 * (ERR_CONFIG), a missing file (ERR_NOINPUT) and an empty one
 * (ERR_CONFIG); messages name the file as what ("unsubscribe secret").
 * A trailing newline (LF or CRLF) is trimmed.
 */
int subs_read_secret(const char *path, const char *what, struct buf *out,
                     struct err *e);

/* ---- changes by address ------------------------------------------------ */

enum subs_change_kind {
    SUBS_CHANGE_ADD,
    SUBS_CHANGE_REMOVE,
    SUBS_CHANGE_UNSUBSCRIBE,
    SUBS_CHANGE_RESUBSCRIBE
};

struct subs_change {
    enum subs_change_kind kind;
    char *const *addrs;
    size_t naddrs;
    const char *name, *tags, *format; /* add: set these (NULL: keep) */
    const char *now;                  /* RFC 3339, for the dates */
    bool force;         /* add: make an unsubscribed or bounced one active */
    bool quiet_missing; /* unsubscribe: an address not listed is no error */
};

/* What a change did to one address, in order: what 'subscribers add' and
 * the others print once the file is written. */
enum subs_outcome_kind {
    SUBS_OUTCOME_ADDED,
    SUBS_OUTCOME_SUBSCRIBED_AGAIN,   /* add --force: unsubscribed or bounced */
    SUBS_OUTCOME_ALREADY_SUBSCRIBED, /* add (nothing to set), resubscribe */
    SUBS_OUTCOME_REMOVED,
    SUBS_OUTCOME_UNSUBSCRIBED,
    SUBS_OUTCOME_ALREADY_UNSUBSCRIBED,
    SUBS_OUTCOME_NOT_LISTED, /* unsubscribe with quiet_missing */
    SUBS_OUTCOME_RESUBSCRIBED,
    SUBS_OUTCOME_PENDING_ADDED /* add: a pending sign-up, made active */
};

struct subs_outcome {
    char *email; /* as on the list; as given for added and not listed */
    enum subs_outcome_kind kind;
};

struct subs_outcomes {
    struct subs_outcome *v;
    size_t n, alloc;
};

#define SUBS_OUTCOMES_INIT {NULL, 0, 0}

/* Free the outcomes; o is back to SUBS_OUTCOMES_INIT. */
void subs_outcomes_release(struct subs_outcomes *o);

/*
 * Apply c to every address of the list file at path (created by add),
 * under the list's lock: all addresses or none, an error leaves the file
 * as it was.  Once the file is written (or left alone, nothing having
 * changed), appends one outcome per address to out (may be NULL; the
 * caller releases it), so that nothing is reported as done that was not:
 * out is untouched on failure.  Prints nothing.  ERR_DATA names the
 * address ("'x' is not on the list", an unsubscribed address added
 * without force), or, before the file is touched, an address that add
 * brings and subs_addr_check() refuses ("invalid address 'x': reason"), a
 * name or tags with a control character (see the top comment) or more
 * than SUBS_MAX_TAGS tags; else as subs_update().
 */
int subs_change_file(const char *path, const struct subs_change *c,
                     struct subs_outcomes *out, struct err *e);

/* ---- sign-up with double opt-in (subscribers_optin.c) ------------------ */

/*
 * A sign-up is a row with status pending whose subscribed_at is when the
 * last confirmation mail went out; the mail carries a confirmation token,
 * and the token makes the row active (subscribed_at: the confirmation
 * time).  A pending row is never sent a digest (only active rows are
 * frozen into an issue) and is dropped once its last link has expired.
 *
 * Confirmation tokens are base64url(EXPIRY ":" address) "."
 * base64url(the first 16 bytes of HMAC-SHA256(secret,
 * "arctic-digest-confirm:" EXPIRY ":" the address lower-cased)), EXPIRY
 * the UTC second (decimal) after which the token is refused: signed with
 * the unsubscribe secret, under another domain string, so that neither
 * kind of token passes for the other.
 */

/* At most one confirmation mail per address in this many seconds. */
#define SUBS_OPTIN_RESEND_SECONDS 86400

/*
 * Make the confirmation token of email, valid until expires (UTC seconds),
 * into out (appended).  Returns 0; -1 only for an empty secret.
 */
int subs_confirm_token_make(const char *secret, size_t secret_len,
                            const char *email, int64_t expires,
                            struct buf *out);
/*
 * Check token at now (UTC seconds) and hand back its address (caller
 * frees *email).  The MAC is compared in constant time, before the expiry
 * is looked at.  ERR_DATA for a forged, altered, malformed or expired
 * token ("... expired at 2025-08-04T07:00:00Z"); *email untouched then.
 */
int subs_confirm_token_check(const char *secret, size_t secret_len,
                             const char *token, int64_t now, char **email,
                             struct err *e);

/* A sign-up request: 'subscribers subscribe' and the sign-up form. */
struct subs_optin {
    const char *email;
    const char *name, *tags; /* set these (NULL: keep) */
    int64_t now;             /* UTC seconds */
    const char *now_text;    /* now as RFC 3339, for subscribed_at */
    int64_t valid_seconds;   /* how long a link works ([digest]
                                confirm_days) */
};

enum subs_optin_kind {
    SUBS_OPTIN_NEW,           /* a new pending row: send the mail */
    SUBS_OPTIN_AGAIN,         /* pending already, last mail a day or more
                                 ago (or expired): send another */
    SUBS_OPTIN_ALREADY_ACTIVE /* nothing changed, nothing to send */
};

/* What subs_optin_request() did, and how to take it back
 * (subs_optin_undo) when the mail cannot be sent. */
struct subs_optin_result {
    enum subs_optin_kind kind;
    char *prev_stamp; /* AGAIN: the subscribed_at it replaced */
};

void subs_optin_result_release(struct subs_optin_result *r);

/*
 * Record the sign-up o->email in the list file at path (created when
 * missing), under its lock, as pending with the stamp o->now_text, and
 * drop the pending rows whose link has expired (o->valid_seconds after
 * their stamp) on the way.  Fills *r (caller releases).  Fails (file
 * untouched, *r untouched) with ERR_DATA for an address subs_addr_check()
 * refuses, a name or tags with a control character, too long a name, more
 * than SUBS_MAX_TAGS tags, or an address that is unsubscribed or bounced
 * (the editor decides: 'subscribers add --force'); ERR_TEMP when the last
 * confirmation to a pending address went out less than
 * SUBS_OPTIN_RESEND_SECONDS ago (the message says from when another can
 * be sent); else as subs_update().
 */
int subs_optin_request(const char *path, const struct subs_optin *o,
                       struct subs_optin_result *r, struct err *e);

/*
 * Take back what subs_optin_request() (o, r) recorded when its mail could
 * not be sent: a new row is removed, a re-sent one gets its old stamp back
 * (so that it can be tried again at once).  Only a row still pending with
 * o's stamp is touched.  Errors as subs_update().
 */
int subs_optin_undo(const char *path, const struct subs_optin *o,
                    const struct subs_optin_result *r, struct err *e);

/*
 * Make the pending row of email (any case) active, stamped now_text.
 * Sets *already when it was active already (nothing written).  ERR_DATA
 * when the address has no pending row (expired and dropped, removed,
 * unsubscribed or bounced); ERR_NOINPUT when the file is missing.
 */
int subs_optin_confirm(const char *path, const char *email,
                       const char *now_text, bool *already, struct err *e);

/*
 * Drop the pending rows of the list file at path whose last link expired
 * (valid_seconds after their stamp, or with no readable stamp) by now;
 * *dropped says how many.  A missing file is no error (0 dropped).
 */
int subs_optin_expire(const char *path, int64_t now, int64_t valid_seconds,
                      size_t *dropped, struct err *e);

#endif

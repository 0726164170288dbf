/* subscribers: helpers shared by the module's files (private). */
#ifndef ARCTIC_DIGEST_SUBSCRIBERS_INT_H
#define ARCTIC_DIGEST_SUBSCRIBERS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"
#include "arctic_digest/subscribers.h"

/*
 * Called for each CSV record: its fields (NUL-terminated copies owned by
 * the reader, valid for the call), their number and the 1-based line the
 * record starts on.  Returns 0, or -1 to stop with e filled.
 */
typedef int (*subs_row_fn)(void *ctx, char **fields, size_t n, size_t line,
                           struct err *e);

/*
 * Read RFC 4180 CSV (p, n) through libcsv, calling fn for every record
 * (blank lines skipped).  A leading UTF-8 BOM is skipped and reported in
 * *bom; *crlf tells whether the first line ends in CRLF (both may be
 * NULL).  Spaces around unquoted values are kept.  ERR_DATA "line N: ..."
 * for malformed CSV or invalid UTF-8.
 */
int subs_csv_read(const char *p, size_t n, subs_row_fn fn, void *ctx,
                  bool *bom, bool *crlf, struct err *e);

/*
 * subs_csv_read() for an open file, read one line at a time: memory holds
 * one record, however long the file.  Errors as subs_csv_read(), and
 * ERR_IO "cannot read 'path': ..." when reading fails.
 */
int subs_csv_read_file(FILE *in, const char *path, subs_row_fn fn, void *ctx,
                       bool *bom, bool *crlf, struct err *e);

/*
 * subs_csv_read_file() that also tells where each record starts: *off
 * gets its byte offset in the file (a leading BOM counted) before fn is
 * called, for subs_csv_read_record() to read it again.  No BOM or line
 * end style is reported.
 */
int subs_csv_read_file_at(FILE *in, const char *path, uint64_t *off,
                          subs_row_fn fn, void *ctx, struct err *e);

/*
 * Read again the one record that starts at byte off of in (an offset
 * subs_csv_read_file_at() gave), calling fn for it alone, with line as its
 * line.  Errors as subs_csv_read_file().
 */
int subs_csv_read_record(FILE *in, const char *path, uint64_t off, size_t line,
                         subs_row_fn fn, void *ctx, struct err *e);

/* Append one CSV field, quoted when it needs to be. */
void subs_csv_field(struct buf *out, const char *s);

/*
 * Append one field for an export that a spreadsheet may open: a value
 * that starts with a formula character (= + - @ TAB CR, after any number
 * of single quotes) gets a single quote in front and is always quoted
 * (OWASP "CSV Injection"); anything else as subs_csv_field().
 */
void subs_csv_field_export(struct buf *out, const char *s);
/* The inverse on import: s without the quote subs_csv_field_export()
 * added, i.e. one quote less when s is one or more quotes and then a
 * formula character; else s itself.  Points into s. */
const char *subs_formula_unescape(const char *s);

/* Copy of s without leading and trailing white space.  Caller frees. */
char *subs_trim_dup(const char *s);
/* The same for the n bytes at s (no NUL needed).  Caller frees. */
char *subs_trim_dup_n(const char *s, size_t n);
/* Copy of s trimmed and ASCII lower-cased.  Caller frees. */
char *subs_lower_dup(const char *s);

/*
 * The first control character of s (see the top of subscribers.h: C0,
 * DEL, C1, U+2028, U+2029) and its code point in *cp (may be
 * NULL), or NULL when there is none.
 */
const char *subs_ctrl_find(const char *s, uint32_t *cp);
/* Replace every control character of s by one space, in place; true when
 * there was one. */
bool subs_ctrl_replace(char *s);
/* What subs_text_check() finds in a name and its tags. */
struct subs_text_faults {
    uint32_t name_cp, tags_cp; /* the first control character; 0: none */
    size_t name_len;           /* bytes */
    bool name_long;            /* more than SUBS_MAX_NAME bytes */
    size_t ntags;
    bool many_tags; /* more than SUBS_MAX_TAGS */
};

/*
 * The one rule for the text of an entry (subscribers.h): the name (NULL:
 * none) and each of the ntags tags without control characters, the name
 * at most SUBS_MAX_NAME bytes, at most SUBS_MAX_TAGS tags.  What it finds
 * add refuses, check reports and import repairs (or, for too many tags,
 * refuses), each in its own words.  Fills f; returns the number of faults.
 */
size_t subs_text_check(const char *name, char *const *tags, size_t ntags,
                       struct subs_text_faults *f);

/* What a new row brings in (add, subscribe): an address this tool can
 * send to, a name and tags of one line and a sane number of tags;
 * ERR_DATA naming the field as `opt` prefixes it ("--name", or "name"
 * with opt ""). */
int subs_check_new_row(const char *email, const char *name,
                       const char *tags, const char *opt, struct err *e);

/* subs_set_tags() for a list whose tags may each be in double quotes
 * (Mailchimp: "Tag One","Tag Two"): the quotes are taken off before empty
 * and duplicate tags are dropped. */
void subs_set_tags_quoted(struct subs_entry *s, const char *p);

/*
 * Set the status of s and stamp it: active sets subscribed_at to when and
 * clears unsubscribed_at; unsubscribed and bounced set unsubscribed_at.
 */
void subs_entry_set_status(struct subs_entry *s, const char *status,
                           const char *when);

/*
 * subs_scan() of an open file (no locking here): head (initialised by
 * this call; the caller releases it, also after a failure) gets the header
 * and style fn sees, which for an empty file is our header with LF line
 * ends.  ERR_DATA messages name path.
 */
int subs_scan_file(FILE *in, const char *path, struct subs_list *head,
                   subs_entry_fn fn, void *ctx, struct err *e);

/* A subs_entry_fn that does nothing with the row: for a scan that wants
 * only the header and the check of the whole file.  Returns 0. */
int subs_no_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
                struct err *e);

/* One subs_scan_file() of path without the lock: what subs_scan() does
 * twice under it. */
int subs_scan_unlocked(const char *path, subs_entry_fn fn, void *ctx,
                       struct err *e);
/* The shared lock subs_scan() and subs_load() hold (*fd -1: none needed,
 * see subscribers_file.c); subs_unlock(fd) lets it go. */
int subs_lock_shared(const char *path, int *fd, struct err *e);
/* The exclusive lock every writer holds (subs_update); ERR_CANTCREAT when
 * it cannot be taken. */
int subs_lock_exclusive(const char *path, int *fd, struct err *e);
void subs_unlock(int fd);

/* subs_format() in pieces, for a list written as it is read: the BOM (if
 * l has one) and the header; one entry.  Both in l's line ends. */
void subs_format_head(const struct subs_list *l, struct buf *out);
void subs_format_entry(const struct subs_list *l, const struct subs_entry *s,
                       struct buf *out);

/*
 * subs_update() for a change to a few addresses, in memory that does not
 * grow with the list: under the exclusive lock, one scan takes the first
 * row of each of addrs (ASCII case-insensitive) into a list of only those
 * rows (file order, their lines kept) with the file's header; fn changes
 * it as it would the whole list (subs_find, subs_append, subs_remove and
 * the setters); if fn returns 1, a second scan writes the file anew,
 * every row as subs_format() would, a taken row replaced by what fn left
 * of it (dropped if fn removed it) and rows fn appended at the end.
 * Returns and fails as subs_update().
 */
int subs_update_some(const char *path, bool create, char *const *addrs,
                     size_t naddrs, subs_update_fn fn, void *ctx,
                     struct err *e);

/* Fill the known members of s from its fields, by the columns of l. */
void subs_entry_from_fields(const struct subs_list *l, struct subs_entry *s);

/*
 * Tokens signed with the secret (unsubscribe, confirmation):
 * base64url(payload) "." base64url(the first 16 bytes of
 * HMAC-SHA256(secret, domain + the payload lower-cased)), RFC 4648
 * section 5 without padding.  The domain ("arctic-digest-unsubscribe:")
 * keeps one kind of token from passing for another.
 */
void subs_signed_make(const char *domain, const char *secret,
                      size_t secret_len, const char *payload, size_t n,
                      struct buf *out);
/* The token's payload and MAC, decoded: 0, or -1 when it has not that
 * shape (too long, no '.', bad base64, a MAC of another length, a NUL in
 * the payload). */
int subs_signed_split(const char *token, struct buf *payload,
                      struct buf *mac);
/* Whether mac signs payload under domain and secret (constant time). */
bool subs_signed_verify(const char *domain, const char *secret,
                        size_t secret_len, const struct buf *payload,
                        const struct buf *mac);

/* ---- import: read and merge a row of an export (subscribers_import.c),
 * for subs_import (in memory) and subs_import_file (streamed) ---------- */

/* The fields an export's columns are found for (email, name, ...). */
#define SUBS_IMPORT_NFIELDS 10

/* One reading of an export under way. */
struct subs_importer {
    struct subs_list *l; /* in memory: the list merged into; else NULL */
    struct subs_import_report *r;
    const char *map, *now;
    int col[SUBS_IMPORT_NFIELDS]; /* by field: its column, -1 if none */
    bool header_done;
    struct {
        size_t *slot; /* in memory: position in l + 1; 0 = empty */
        size_t cap, used;
    } ix;
};

/* A row's name and tags made one line of text (control characters
 * replaced by spaces) and held to the rule (subs_text_check): the name cut,
 * the tags parsed once, after the cleaning and Mailchimp's quotes. */
struct subs_import_text {
    char *name;
    struct subs_entry tags; /* only its tags are used */
    bool name_ctrl, tags_ctrl;
    struct subs_text_faults f;
};

/* What merging one row did that its report tells, beyond the counts. */
struct subs_import_note {
    const char *refused; /* an active row for an address that is this
                            (not active) on the list; borrowed from it */
    bool capped;         /* tags beyond SUBS_MAX_TAGS left out */
};

/* The export's header: its columns (im->map applied), its kind in
 * im->r->kind.  ERR_USAGE for a bad map, ERR_DATA with no email column. */
int subs_importer_header(struct subs_importer *im, char **fields, size_t n,
                         size_t line, struct err *e);
/*
 * Read a data row.  A row that cannot be merged is reported (when report
 * is true: its problem in im->r->problems, counted as invalid or skipped)
 * and gives false.  A row to merge gives true with *email (trimmed;
 * caller frees), *status and *t (subs_import_text_release) filled.
 */
bool subs_importer_row(struct subs_importer *im, char **fields, size_t n,
                       size_t line, bool report, char **email,
                       const char **status, struct subs_import_text *t);
void subs_import_text_release(struct subs_import_text *t);
/*
 * Merge one row to merge (fields, status, t) into s: a new entry (fresh,
 * as subs_append() made it) or the first row of its address, as the
 * merges before left it.  Counts the outcome in im->r; *no tells the rest.
 */
void subs_importer_merge(struct subs_importer *im, struct subs_entry *s,
                         bool fresh, char **fields, size_t n,
                         const char *status, const struct subs_import_text *t,
                         struct subs_import_note *no);
/* The warnings of a merged row (its text, then no) into im->r->problems. */
void subs_importer_warn(struct subs_importer *im, size_t line,
                        const char *email, const struct subs_import_text *t,
                        const struct subs_import_note *no);

#endif

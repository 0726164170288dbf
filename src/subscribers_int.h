/* subscribers: helpers shared by the module's files (private). */
#ifndef ARCTIC_DIGEST_SUBSCRIBERS_INT_H
#define ARCTIC_DIGEST_SUBSCRIBERS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* The problems of s's name and tags (control characters, more than
 * SUBS_MAX_TAGS tags) into out (subs_check's part); returns the faults. */
size_t subs_check_text(const struct subs_entry *s, struct subs_problems *out);

/*
 * Set the status of s and stamp it: active sets subscribed_at to when and
 * clears unsubscribed_at; unsubscribed and bounced set unsubscribed_at.
 */
void subs_entry_set_status(struct subs_entry *s, const char *status,
                           const char *when);

/* Fill the known members of s from its fields, by the columns of l. */
void subs_entry_from_fields(const struct subs_list *l, struct subs_entry *s);

#endif

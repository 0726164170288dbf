/* subscribers: helpers shared by the module's files (private). */
#ifndef ARCTIC_DIGEST_SUBSCRIBERS_INT_H
#define ARCTIC_DIGEST_SUBSCRIBERS_INT_H

#include <stdbool.h>
#include <stddef.h>

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

/* Copy of s without leading and trailing white space.  Caller frees. */
char *subs_trim_dup(const char *s);
/* Copy of s trimmed and ASCII lower-cased.  Caller frees. */
char *subs_lower_dup(const char *s);

/* Fill the known members of s from its fields, by the columns of l. */
void subs_entry_from_fields(const struct subs_list *l, struct subs_entry *s);

#endif

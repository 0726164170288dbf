/*
 * subscribers: RFC 4180 CSV reading through libcsv, with line numbers, and
 * field quoting for writing.
 */
#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

struct reader {
    subs_row_fn fn;
    void *ctx;
    struct err *e;
    char **fields;
    size_t n, alloc;
    size_t pending_line, row_line;
    uint64_t pending_off, row_off; /* where the record starts, in bytes */
    uint64_t *off_out;             /* gets row_off before fn (may be NULL) */
    size_t rows;                   /* records handed to fn */
    int failed;
};

static void
drop_fields(struct reader *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->fields[i]);
    r->n = 0;
}

static void
on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;

    if (r->failed)
        return;
    if (r->n == 0) {
        r->row_line = r->pending_line;
        r->row_off = r->pending_off;
    }
    xgrow(&r->fields, &r->alloc, r->n + 1, sizeof(*r->fields));
    r->fields[r->n++] = s ? xstrndup(s, len) : xstrdup("");
}

static void
on_row(int c, void *data)
{
    struct reader *r = data;

    (void)c;
    if (r->failed) {
        drop_fields(r);
        return;
    }
    if (r->n == 0) {
        r->row_line = r->pending_line;
        r->row_off = r->pending_off;
    }
    if (r->off_out)
        *r->off_out = r->row_off;
    if (r->fn(r->ctx, r->fields, r->n, r->row_line, r->e) < 0)
        r->failed = 1;
    r->rows++;
    drop_fields(r);
}

/* Spaces are data: a value is kept as written. */
static int
no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* One CSV read under way: libcsv fed one physical line at a time. */
struct feeder {
    struct csv_parser cp;
    struct reader r;
    size_t line;
    uint64_t off; /* of the line fed next */
    bool first;
};

static int
feeder_init(struct feeder *f, subs_row_fn fn, void *ctx, struct err *e)
{
    memset(f, 0, sizeof(*f));
    f->r.fn = fn;
    f->r.ctx = ctx;
    f->r.e = e;
    f->line = 1;
    f->first = true;
    if (csv_init(&f->cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return err_set(e, ERR_INTERNAL, 0, "cannot set up the CSV parser");
    csv_set_space_func(&f->cp, no_space);
    /* libcsv grows a field's buffer by this much at a time (128 bytes by
     * default): a long field (a hand-edited row of 100,000 tags is 900 KB)
     * would be copied thousands of times. */
    csv_set_blk_size(&f->cp, (size_t)64 << 10);
    return 0;
}

/*
 * Feed one physical line (p, n), its line end included when it has one.
 * The first line loses a leading BOM and tells the file's line ends.  A
 * record starts on the line that is fed while the parser is between
 * records, which gives every record its line.
 */
static int
feeder_line(struct feeder *f, const char *p, size_t n, bool *bom, bool *crlf)
{
    struct err *e = f->r.e;
    size_t body = n, whole = n;

    if (f->first) {
        bool has_bom = n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3);
        if (bom)
            *bom = has_bom;
        if (has_bom) {
            p += 3;
            n -= 3;
            body = n;
        }
        if (crlf)
            *crlf = n >= 2 && p[n - 1] == '\n' && p[n - 2] == '\r';
        f->first = false;
    }
    if (body > 0 && p[body - 1] == '\n')
        body--;
    if (!u8_valid(p, body))
        return err_set(e, ERR_DATA, 0,
                       "line %zu: not valid UTF-8 (save the file as UTF-8)",
                       f->line);
    if (f->cp.pstate == 0) {
        f->r.pending_line = f->line;
        f->r.pending_off = f->off;
    }
    if (csv_parse(&f->cp, p, n, on_field, on_row, &f->r) != n && !f->r.failed)
        return err_set(e, ERR_DATA, 0, "line %zu: malformed CSV: %s",
                       f->line, csv_strerror(csv_error(&f->cp)));
    f->line++;
    f->off += whole;
    return f->r.failed ? -1 : 0;
}

static int
feeder_finish(struct feeder *f)
{
    if (f->r.failed)
        return -1;
    if (csv_fini(&f->cp, on_field, on_row, &f->r) != 0)
        return err_set(f->r.e, ERR_DATA, 0,
                       "line %zu: malformed CSV: a quoted value is not "
                       "closed",
                       f->r.pending_line);
    return f->r.failed ? -1 : 0;
}

static void
feeder_release(struct feeder *f)
{
    drop_fields(&f->r);
    free(f->r.fields);
    csv_free(&f->cp);
}

int
subs_csv_read(const char *p, size_t n, subs_row_fn fn, void *ctx, bool *bom,
              bool *crlf, struct err *e)
{
    struct feeder f;
    const char *nl;
    size_t off = 0, len;
    int rc = -1;

    if (bom)
        *bom = false;
    if (crlf)
        *crlf = false;
    if (feeder_init(&f, fn, ctx, e) < 0)
        return -1;
    while (off < n) {
        nl = memchr(p + off, '\n', n - off);
        len = nl ? (size_t)(nl - (p + off)) + 1 : n - off;
        if (feeder_line(&f, p + off, len, bom, crlf) < 0)
            goto out;
        off += len;
    }
    rc = feeder_finish(&f);
out:
    feeder_release(&f);
    return rc;
}

/*
 * Read in from where it stands (the start of the file, or of a record at
 * byte start, line `line`, when seek), calling fn for each record until
 * max records (0: all) have been handed over.  *off (may be NULL) gets
 * each record's start before fn sees it.
 */
static int
read_stream(FILE *in, const char *path, bool seek, uint64_t start,
            size_t line, size_t max, uint64_t *off, subs_row_fn fn,
            void *ctx, bool *bom, bool *crlf, struct err *e)
{
    struct feeder f;
    char *buf = NULL;
    size_t alloc = 0;
    ssize_t len;
    int rc = -1;

    if (bom)
        *bom = false;
    if (crlf)
        *crlf = false;
    if (feeder_init(&f, fn, ctx, e) < 0)
        return -1;
    f.r.off_out = off;
    if (seek) {
        f.first = false;
        f.line = line;
        f.off = start;
        if (fseeko(in, (off_t)start, SEEK_SET) < 0) {
            err_set(e, ERR_IO, errno, "cannot read '%s': %s", path,
                    strerror(errno));
            goto out;
        }
    }
    errno = 0;
    while ((max == 0 || f.r.rows < max) &&
           (len = getline(&buf, &alloc, in)) > 0) {
        if (feeder_line(&f, buf, (size_t)len, bom, crlf) < 0)
            goto out;
        errno = 0;
    }
    if (ferror(in)) {
        err_set(e, ERR_IO, errno, "cannot read '%s': %s", path,
                strerror(errno ? errno : EIO));
        goto out;
    }
    rc = max && f.r.rows >= max ? 0 : feeder_finish(&f);
out:
    free(buf);
    feeder_release(&f);
    return rc;
}

int
subs_csv_read_file(FILE *in, const char *path, subs_row_fn fn, void *ctx,
                   bool *bom, bool *crlf, struct err *e)
{
    return read_stream(in, path, false, 0, 1, 0, NULL, fn, ctx, bom, crlf,
                       e);
}

int
subs_csv_read_file_at(FILE *in, const char *path, uint64_t *off,
                      subs_row_fn fn, void *ctx, struct err *e)
{
    return read_stream(in, path, false, 0, 1, 0, off, fn, ctx, NULL, NULL,
                       e);
}

int
subs_csv_read_record(FILE *in, const char *path, uint64_t off, size_t line,
                     subs_row_fn fn, void *ctx, struct err *e)
{
    return read_stream(in, path, true, off, line, 1, NULL, fn, ctx, NULL,
                       NULL, e);
}

/* Append s quoted, its quotes doubled, after prefix (inside the quotes). */
static void
append_quoted(struct buf *out, const char *prefix, const char *s)
{
    buf_append_char(out, '"');
    buf_append_str(out, prefix);
    for (; *s; s++) {
        if (*s == '"')
            buf_append_char(out, '"');
        buf_append_char(out, *s);
    }
    buf_append_char(out, '"');
}

void
subs_csv_field(struct buf *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        buf_append_str(out, s);
    else
        append_quoted(out, "", s);
}

/* OWASP's list of what makes a spreadsheet read a cell as a formula. */
static bool
formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
           c == '\r';
}

/* Whether s is "'" repeated (zero or more times, at least min) and then a
 * formula character: the set that export escapes and import unescapes. */
static bool
quotes_then_formula(const char *s, size_t min)
{
    size_t q = strspn(s, "'");

    return q >= min && formula_start(s[q]);
}

void
subs_csv_field_export(struct buf *out, const char *s)
{
    /* Always quoted, so that the quote is inside the field (OWASP). */
    if (quotes_then_formula(s, 0))
        append_quoted(out, "'", s);
    else
        subs_csv_field(out, s);
}

const char *
subs_formula_unescape(const char *s)
{
    return quotes_then_formula(s, 1) ? s + 1 : s;
}

char *
subs_trim_dup(const char *s)
{
    return subs_trim_dup_n(s, strlen(s));
}

char *
subs_trim_dup_n(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                     s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return xstrndup(s, n);
}

char *
subs_lower_dup(const char *s)
{
    char *d = subs_trim_dup(s);

    ascii_lower(d, strlen(d));
    return d;
}



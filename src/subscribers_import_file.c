/*
 * subscribers: the streamed import of an export file into the list file
 * (subs_import_file), with subs_import's reading and merging of rows
 * (subscribers_import.c).
 */
#include "arctic_digest/subscribers.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/fsutil.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

/*
 * Memory does not grow with the list, and grows by 17 bytes a row with
 * the export: a first read of the export keeps, for each row to merge,
 * the hash of its address and where the row starts (struct mrow, sorted
 * by hash and then by place, so that the rows of one address are
 * together and in file order).  The list is then read row by row and
 * written anew: a row whose address some rows of the export have (their
 * hash found, the rows read again and their addresses compared, so that
 * a hash collision merges nothing) gets them merged in, as subs_import()
 * would merge them; then a second read of the export appends, in order,
 * the addresses that were not on the list, each with its later rows
 * merged.  Which rows were merged, and what their report says beyond the
 * row itself, is a byte a row (code); the problems are told in a last
 * read of the export, once the file is written, in file order.
 */
struct mrow {
    uint64_t hash; /* of the address, ASCII lower-cased */
    uint64_t off;  /* where the row starts in the export */
};

enum {
    CODE_DONE = 1,    /* merged */
    CODE_CAPPED = 2,  /* tags beyond SUBS_MAX_TAGS left out */
    CODE_REFUSED = 4, /* not resubscribed; what it is in the next bits */
    CODE_WAS_SHIFT = 3
};

/* What a refused row's entry was, with the statuses a byte can tell. */
static const char *const was_names[] = {
    NULL, SUBS_STATUS_UNSUBSCRIBED, SUBS_STATUS_BOUNCED, SUBS_STATUS_PENDING};

/* A refusal by any other status (the list may say anything). */
struct odd {
    size_t i;
    char *status;
};

struct stream {
    struct subs_importer im;
    const char *path;  /* the export */
    FILE *seq, *again; /* the export read in order, and rows read again */
    uint64_t off;      /* where the record being read starts */
    struct mrow *v;
    size_t n, alloc;
    unsigned char *code; /* by v's index */
    struct odd *odd;
    size_t nodd, odd_alloc;
    /* the list written anew */
    struct subs_list head; /* its header as it is written */
    bool write, need_format;
    struct fs_replace out;
    struct buf pending;
    subs_problem_fn fn;
    void *ctx;
};

static int
mrow_cmp(const void *a, const void *b)
{
    const struct mrow *x = a, *y = b;

    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

/* The first of v's rows with hash h (n if none). */
static size_t
run_start(const struct stream *st, uint64_t h)
{
    size_t lo = 0, hi = st->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (st->v[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The index in v of the row at off with address hash h; -1 (ERR_DATA)
 * when there is none: the export changed while it was read. */
static int
mrow_find(const struct stream *st, uint64_t h, uint64_t off, size_t *i,
          struct err *e)
{
    size_t k = run_start(st, h);

    while (k < st->n && st->v[k].hash == h && st->v[k].off != off)
        k++;
    if (k == st->n || st->v[k].hash != h)
        return err_set(e, ERR_DATA, 0, "'%s' changed while it was imported",
                       st->path);
    *i = k;
    return 0;
}

/* First read of the export: the rows to merge. */
static int
collect_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct stream *st = ctx;
    struct subs_import_text t;
    const char *status;
    char *email;

    if (!st->im.header_done)
        return subs_importer_header(&st->im, fields, n, line, e);
    if (!subs_importer_row(&st->im, fields, n, line, false, &email, &status,
                           &t))
        return 0;
    xgrow(&st->v, &st->alloc, st->n + 1, sizeof(*st->v));
    st->v[st->n].hash = ascii_fnv1a(email, true);
    st->v[st->n].off = st->off;
    st->n++;
    subs_import_text_release(&t);
    free(email);
    return 0;
}

static void
note_code(struct stream *st, size_t i, const struct subs_import_note *no)
{
    size_t k;

    st->code[i] = CODE_DONE | (no->capped ? CODE_CAPPED : 0);
    if (!no->refused)
        return;
    st->code[i] |= CODE_REFUSED;
    for (k = 1; k < ARRAY_SIZE(was_names); k++)
        if (!strcmp(no->refused, was_names[k]))
            break;
    if (k < ARRAY_SIZE(was_names)) {
        st->code[i] |= (unsigned char)(k << CODE_WAS_SHIFT);
        return;
    }
    xgrow(&st->odd, &st->odd_alloc, st->nodd + 1, sizeof(*st->odd));
    st->odd[st->nodd].i = i;
    st->odd[st->nodd].status = xstrdup(no->refused);
    st->nodd++;
}

/* One row read again, to merge into s if it is of s's address. */
struct again {
    struct stream *st;
    size_t i;
    struct subs_entry *s;
    bool fresh;
};

static int
again_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct again *ag = ctx;
    struct stream *st = ag->st;
    struct subs_import_text t;
    struct subs_import_note no;
    const char *status;
    char *email;

    (void)e;
    if (!subs_importer_row(&st->im, fields, n, line, false, &email, &status,
                           &t))
        return 0; /* it was one to merge: the export changed since */
    if (ag->fresh || ascii_ieq(email, ag->s->email)) {
        subs_importer_merge(&st->im, ag->s, ag->fresh, fields, n, status, &t,
                            &no);
        note_code(st, ag->i, &no);
    }
    subs_import_text_release(&t);
    free(email);
    return 0;
}

/* Merge into s the rows of its address from v's index i on (or, fresh,
 * the one at i, which makes it). */
static int
merge_run(struct stream *st, size_t i, struct subs_entry *s, bool fresh,
          struct err *e)
{
    struct again ag = {st, i, s, fresh};
    uint64_t h = st->v[i].hash;

    for (; i < st->n && st->v[i].hash == h; i++) {
        if (st->code[i] & CODE_DONE)
            continue;
        ag.i = i;
        if (subs_csv_read_record(st->again, st->path, st->v[i].off, 0,
                                 again_row, &ag, e) < 0)
            return -1;
        if (fresh)
            break;
    }
    return 0;
}

static int
flush(struct stream *st, size_t above, struct err *e)
{
    if (st->pending.len <= above)
        return 0;
    if (st->write &&
        fs_replace_write(&st->out, st->pending.data, st->pending.len, e) < 0)
        return -1;
    buf_reset(&st->pending);
    return 0;
}

/* The list read: each row written, the first of an address the export
 * has with its rows merged. */
static int
list_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
         struct err *e)
{
    struct stream *st = ctx;
    uint64_t h = ascii_fnv1a(s->email, true);
    size_t i = run_start(st, h);

    (void)l;
    if (i < st->n && st->v[i].hash == h && merge_run(st, i, s, false, e) < 0)
        return -1;
    subs_format_entry(&st->head, s, &st->pending);
    return flush(st, (size_t)64 << 10, e);
}

/* Second read of the export: a row not merged yet is of an address the
 * list has not: a new entry, with the later rows of its address. */
static int
new_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct stream *st = ctx;
    struct subs_list one;
    struct subs_import_text t;
    const char *status;
    char *email;
    size_t i;
    int rc = 0;

    if (!st->im.header_done)
        return subs_importer_header(&st->im, fields, n, line, e);
    if (!subs_importer_row(&st->im, fields, n, line, false, &email, &status,
                           &t))
        return 0;
    subs_import_text_release(&t);
    if (mrow_find(st, ascii_fnv1a(email, true), st->off, &i, e) < 0)
        rc = -1;
    else if (!(st->code[i] & CODE_DONE)) {
        subs_list_init(&one);
        subs_append(&one, email);
        if (merge_run(st, i, &one.v[0], true, e) < 0 ||
            merge_run(st, i, &one.v[0], false, e) < 0) {
            rc = -1;
        } else {
            if (strcmp(one.v[0].format, "html") != 0)
                st->need_format = true;
            subs_format_entry(&st->head, &one.v[0], &st->pending);
            rc = flush(st, (size_t)64 << 10, e);
        }
        subs_list_release(&one);
    }
    free(email);
    return rc;
}

static int
odd_cmp(const void *a, const void *b)
{
    size_t x = ((const struct odd *)a)->i, y = ((const struct odd *)b)->i;

    return (x > y) - (x < y);
}

/* The status a refusal of v's row i names, when not in was_names (odd is
 * sorted by then). */
static const char *
odd_status(const struct stream *st, size_t i)
{
    struct odd key = {i, NULL}, *hit;

    hit = bsearch(&key, st->odd, st->nodd, sizeof(*st->odd), odd_cmp);
    return hit ? hit->status : "?";
}

/* Last read of the export: every row's problems, in order. */
static int
report_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct stream *st = ctx;
    struct subs_import_text t;
    struct subs_import_note no;
    const char *status;
    char *email;
    size_t i, k;
    unsigned char c;

    if (!st->im.header_done)
        return subs_importer_header(&st->im, fields, n, line, e);
    if (subs_importer_row(&st->im, fields, n, line, true, &email, &status,
                          &t)) {
        if (mrow_find(st, ascii_fnv1a(email, true), st->off, &i, e) < 0) {
            subs_import_text_release(&t);
            free(email);
            return -1;
        }
        c = st->code[i];
        k = (size_t)(c >> CODE_WAS_SHIFT);
        no.capped = (c & CODE_CAPPED) != 0;
        no.refused = !(c & CODE_REFUSED) ? NULL
                     : k                 ? was_names[k]
                                         : odd_status(st, i);
        subs_importer_warn(&st->im, line, email, &t, &no);
        subs_import_text_release(&t);
        free(email);
    }
    for (k = 0; k < st->im.r->problems.n; k++)
        st->fn(st->ctx, &st->im.r->problems.v[k]);
    subs_problems_release(&st->im.r->problems);
    return 0;
}

/* Read the export from its start, calling fn for each record. */
static int
export_pass(struct stream *st, subs_row_fn fn, struct err *e)
{
    rewind(st->seq);
    st->im.header_done = false;
    return subs_csv_read_file_at(st->seq, st->path, &st->off, fn, st, e);
}

/* The list (or none, exists false) written anew with the export merged
 * into it, the file replaced when write and something changed. */
static int
merge_pass(struct stream *st, const char *path, bool exists, struct err *e)
{
    struct subs_list file;
    struct stat sb;
    mode_t mode = 0644;
    FILE *in = NULL;
    int rc = -1;

    subs_list_init(&file);
    st->out.fd = -1;
    if (st->write && fs_replace_open(&st->out, path, e) < 0)
        return -1;
    buf_reset(&st->pending);
    subs_format_head(&st->head, &st->pending);
    if (exists) {
        in = fopen(path, "rb");
        if (!in) {
            err_set(e, ERR_IO, errno, "cannot read '%s': %s", path,
                    strerror(errno));
            goto out;
        }
        if (subs_scan_file(in, path, &file, list_row, st, e) < 0)
            goto out;
    }
    if (export_pass(st, new_row, e) < 0 || flush(st, 0, e) < 0)
        goto out;
    if (st->write && st->need_format && st->head.col[SUBS_COL_FORMAT] < 0) {
        rc = 1; /* start again with the column */
        goto out;
    }
    if (st->write &&
        (st->im.r->added || st->im.r->updated || st->im.r->suppressed)) {
        if (stat(path, &sb) == 0)
            mode = sb.st_mode & 07777;
        rc = fs_replace_commit(&st->out, mode, e);
        st->out.fd = -1;
        goto out;
    }
    rc = 0;
out:
    if (st->out.fd >= 0)
        fs_replace_abort(&st->out);
    st->out.fd = -1;
    if (in)
        fclose(in);
    subs_list_release(&file);
    return rc;
}

/* Back to before merge_pass, for another one. */
static void
merge_reset(struct stream *st)
{
    size_t k;

    memset(st->code, 0, st->n);
    for (k = 0; k < st->nodd; k++)
        free(st->odd[k].status);
    st->nodd = 0;
    st->im.r->added = st->im.r->updated = st->im.r->unchanged = 0;
    st->im.r->suppressed = 0;
}

/* The list's header, read (and the whole file checked) as subs_load()
 * would; our header and *exists false when there is no file. */
static int
read_head(struct stream *st, const char *path, bool *exists, struct err *e)
{
    FILE *in = fopen(path, "rb");
    int rc;

    *exists = in != NULL;
    if (!in && errno != ENOENT)
        return err_set(e, ERR_IO, errno, "cannot read '%s': %s", path,
                       strerror(errno));
    if (!in)
        return subs_parse(&st->head, "", 0, e);
    rc = subs_scan_file(in, path, &st->head, subs_no_row, NULL, e);
    fclose(in);
    return rc;
}

static FILE *
open_export(const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");

    if (!f)
        err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO, errno,
                "cannot read '%s': %s", path, strerror(errno));
    return f;
}

/* Copy the rest of in to out: 0, or -1 with e filled. */
static int
copy_stream(FILE *in, const char *from, FILE *out, const char *to,
            struct err *e)
{
    char chunk[65536];
    size_t n;

    while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
        if (fwrite(chunk, 1, n, out) != n)
            return err_set(e, ERR_CANTCREAT, errno, "cannot write '%s': %s", to,
                           strerror(errno));
    if (ferror(in))
        return err_set(e, ERR_IO, errno, "cannot read '%s': %s", from,
                       strerror(errno));
    if (fflush(out) != 0)
        return err_set(e, ERR_CANTCREAT, errno, "cannot write '%s': %s", to,
                       strerror(errno));
    rewind(out);
    return 0;
}

/*
 * Open the export twice: read in order, and rows read again.  One that is
 * no regular file (a pipe: import /dev/stdin) can be read only once, so
 * its bytes go first to "<list>.import-XXXXXX" beside the list, removed
 * as soon as it is open.
 */
static int
open_exports(struct stream *st, const char *list, struct err *e)
{
    struct buf tmp = BUF_INIT;
    struct stat sb;
    FILE *copy = NULL;
    int fd = -1, rc = -1;

    st->seq = open_export(st->path, e);
    if (!st->seq)
        return -1;
    if (fstat(fileno(st->seq), &sb) == 0 && S_ISREG(sb.st_mode)) {
        st->again = open_export(st->path, e);
        return st->again ? 0 : -1;
    }
    buf_appendf(&tmp, "%s.import-XXXXXX", list);
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot create '%s': %s", tmp.data,
                strerror(errno));
        goto out;
    }
    copy = fdopen(fd, "w+b");
    if (!copy) {
        close(fd);
        err_set(e, ERR_CANTCREAT, errno, "cannot create '%s': %s", tmp.data,
                strerror(errno));
        goto out;
    }
    if (copy_stream(st->seq, st->path, copy, tmp.data, e) < 0)
        goto out;
    fclose(st->seq);
    st->seq = copy;
    copy = NULL;
    st->again = fopen(tmp.data, "rb");
    if (!st->again) {
        err_set(e, ERR_IO, errno, "cannot read '%s': %s", tmp.data,
                strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (copy)
        fclose(copy);
    if (fd >= 0)
        unlink(tmp.data);
    buf_release(&tmp);
    return rc;
}

static void
stream_release(struct stream *st)
{
    size_t k;

    if (st->seq)
        fclose(st->seq);
    if (st->again)
        fclose(st->again);
    free(st->v);
    free(st->code);
    for (k = 0; k < st->nodd; k++)
        free(st->odd[k].status);
    free(st->odd);
    subs_list_release(&st->head);
    buf_release(&st->pending);
    subs_problems_release(&st->im.r->problems);
}

int
subs_import_file(const char *path, const char *export_path, const char *map,
                 const char *now_rfc3339, bool dry_run, subs_problem_fn fn,
                 void *ctx, struct subs_import_report *r, struct err *e)
{
    struct stream st;
    bool exists = false;
    int fd = -1, rc = -1, pass;

    memset(&st, 0, sizeof(st));
    st.im.r = r;
    st.im.map = map;
    st.im.now = now_rfc3339 ? now_rfc3339 : "";
    r->kind = "csv";
    st.path = export_path;
    st.write = !dry_run;
    st.fn = fn;
    st.ctx = ctx;
    st.out.fd = -1;
    subs_list_init(&st.head);
    buf_init(&st.pending);
    if (open_exports(&st, path, e) < 0 || subs_lock_exclusive(path, &fd, e) < 0)
        goto out;
    if (read_head(&st, path, &exists, e) < 0 ||
        export_pass(&st, collect_row, e) < 0)
        goto out;
    if (!st.im.header_done) {
        err_set(e, ERR_DATA, 0, "the file is empty");
        goto out;
    }
    if (st.n > 1)
        qsort(st.v, st.n, sizeof(*st.v), mrow_cmp);
    st.code = xcalloc(st.n + 1, sizeof(*st.code));
    while ((pass = merge_pass(&st, path, exists, e)) > 0) {
        /* A new row of format text, and the list had no such column. */
        subs_add_column(&st.head, "format");
        merge_reset(&st);
    }
    if (pass < 0)
        goto out;
    subs_unlock(fd);
    fd = -1;
    if (st.nodd > 1)
        qsort(st.odd, st.nodd, sizeof(*st.odd), odd_cmp);
    rc = export_pass(&st, report_row, e);
out:
    if (fd >= 0)
        subs_unlock(fd);
    stream_release(&st);
    return rc;
}

/*
 * subscribers: import of other newsletter services' CSV exports
 * (Mailchimp audience exports: subscribed, unsubscribed and cleaned;
 * listmonk subscriber exports and imports) into the list.
 */
#include "arctic_digest/subscribers.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/fsutil.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

enum field {
    F_EMAIL,
    F_NAME,
    F_FIRST,
    F_LAST,
    F_TAGS,
    F_STATUS,
    F_SUBSCRIBED_AT,
    F_FORMAT,
    F_UNSUB_TIME,
    F_CLEAN_TIME,
    F_COUNT
};

/* Column names each field is recognised by (lower case), first wins. */
static const char *const known[F_COUNT][6] = {
    [F_EMAIL] = {"email", "email address", "e-mail", "e-mail address",
                 "email_address", NULL},
    [F_NAME] = {"name", "full name", "full_name", NULL},
    [F_FIRST] = {"first name", "first_name", "fname", "given name", NULL},
    [F_LAST] = {"last name", "last_name", "lname", "family name", NULL},
    [F_TAGS] = {"tags", NULL},
    [F_STATUS] = {"status", NULL},
    [F_SUBSCRIBED_AT] = {"subscribed_at", "optin_time", "confirm_time",
                         "created_at", NULL},
    [F_FORMAT] = {"format", NULL},
    [F_UNSUB_TIME] = {"unsub_time", NULL},
    [F_CLEAN_TIME] = {"clean_time", NULL},
};

static const char *const map_names[F_COUNT] = {
    "email", "name", "first_name", "last_name", "tags", "status",
    "subscribed_at", "format", "unsub_time", "clean_time"};

/* Index from lower-cased address to position in the list. */
struct index {
    size_t *slot; /* position + 1; 0 = empty */
    size_t cap, used;
};

struct import {
    struct subs_list *l;
    struct subs_import_report *r;
    const char *map, *now;
    int col[F_COUNT];
    bool header_done;
    struct index ix;
};

static void index_put(struct import *im, size_t pos);

static void
index_grow(struct import *im)
{
    size_t i;

    free(im->ix.slot);
    im->ix.cap = im->ix.cap ? im->ix.cap * 2 : 1024;
    while (im->ix.cap < 2 * im->l->n + 2)
        im->ix.cap *= 2;
    im->ix.slot = xcalloc(im->ix.cap, sizeof(*im->ix.slot));
    im->ix.used = 0;
    for (i = 0; i < im->l->n; i++)
        index_put(im, i);
}

static void
index_put(struct import *im, size_t pos)
{
    size_t i;

    if (2 * (im->ix.used + 1) > im->ix.cap) {
        index_grow(im); /* re-adds everything, pos included */
        return;
    }
    i = (size_t)(ascii_fnv1a(im->l->v[pos].email, true) &
                 (im->ix.cap - 1));
    while (im->ix.slot[i])
        i = (i + 1) & (im->ix.cap - 1);
    im->ix.slot[i] = pos + 1;
    im->ix.used++;
}

static struct subs_entry *
index_find(const struct import *im, const char *email)
{
    size_t i = (size_t)(ascii_fnv1a(email, true) & (im->ix.cap - 1));

    for (; im->ix.slot[i]; i = (i + 1) & (im->ix.cap - 1))
        if (ascii_ieq(im->l->v[im->ix.slot[i] - 1].email, email))
            return &im->l->v[im->ix.slot[i] - 1];
    return NULL;
}

static int
find_col(char **fields, size_t n, const char *name)
{
    size_t i;
    char *t;

    for (i = 0; i < n; i++) {
        t = subs_trim_dup(fields[i]);
        if (ascii_ieq(t, name)) {
            free(t);
            return (int)i;
        }
        free(t);
    }
    return -1;
}

/* --map "field=Column;field=Column". */
static int
apply_map(struct import *im, char **fields, size_t n, struct err *e)
{
    char *copy = xstrdup(im->map), *pair, *save = NULL, *eq, *k, *v;
    size_t f;
    int rc = -1;

    for (pair = strtok_r(copy, ";", &save); pair;
         pair = strtok_r(NULL, ";", &save)) {
        eq = strchr(pair, '=');
        if (!eq) {
            err_set(e, ERR_USAGE, 0, "--map: expected FIELD=COLUMN: '%s'",
                    pair);
            goto out;
        }
        *eq = '\0';
        k = subs_lower_dup(pair);
        v = subs_trim_dup(eq + 1);
        for (f = 0; f < F_COUNT; f++)
            if (!strcmp(k, map_names[f]))
                break;
        if (f < F_COUNT)
            im->col[f] = find_col(fields, n, v);
        if (f == F_COUNT || im->col[f] < 0) {
            err_set(e, ERR_USAGE, 0,
                    f == F_COUNT ? "--map: unknown field '%s'"
                                 : "--map: no column '%s' in the file",
                    f == F_COUNT ? k : v);
            free(k);
            free(v);
            goto out;
        }
        free(k);
        free(v);
    }
    rc = 0;
out:
    free(copy);
    return rc;
}

static int
read_header(struct import *im, char **fields, size_t n, size_t line,
            struct err *e)
{
    size_t f, k;

    for (f = 0; f < F_COUNT; f++) {
        im->col[f] = -1;
        for (k = 0; im->col[f] < 0 && known[f][k]; k++)
            im->col[f] = find_col(fields, n, known[f][k]);
    }
    if (im->map && apply_map(im, fields, n, e) < 0)
        return -1;
    if (im->col[F_EMAIL] < 0)
        return err_set(e, ERR_DATA, 0,
                       "line %zu: no email column (use --map email=COLUMN)",
                       line);
    if (find_col(fields, n, "attributes") >= 0 ||
        find_col(fields, n, "uuid") >= 0)
        im->r->kind = "listmonk";
    else if (find_col(fields, n, "email address") >= 0 &&
             (find_col(fields, n, "member_rating") >= 0 ||
              find_col(fields, n, "optin_time") >= 0 ||
              find_col(fields, n, "leid") >= 0))
        im->r->kind = "mailchimp";
    else
        im->r->kind = "csv";
    im->header_done = true;
    return 0;
}

static const char *
get(const struct import *im, char **fields, size_t n, enum field f)
{
    int i = im->col[f];

    /* Our own export guards formulas with a quote: take it off again. */
    return i >= 0 && (size_t)i < n ? subs_formula_unescape(fields[i]) : "";
}

/* The status a row asks for: active, unsubscribed, bounced, or NULL for a
 * row to skip (not subscribed: pending, transactional, archived); "?" for
 * a value we do not know. */
static const char *
row_status(const struct import *im, char **fields, size_t n)
{
    char *s;
    const char *out = "?";

    if (*get(im, fields, n, F_CLEAN_TIME) || im->col[F_CLEAN_TIME] >= 0)
        return SUBS_STATUS_BOUNCED;
    if (im->col[F_UNSUB_TIME] >= 0)
        return SUBS_STATUS_UNSUBSCRIBED;
    s = subs_lower_dup(get(im, fields, n, F_STATUS));
    if (!*s || !strcmp(s, "active") || !strcmp(s, "subscribed") ||
        !strcmp(s, "enabled"))
        out = SUBS_STATUS_ACTIVE;
    else if (!strcmp(s, "unsubscribed") || !strcmp(s, "blocklisted") ||
             !strcmp(s, "blacklisted"))
        out = SUBS_STATUS_UNSUBSCRIBED;
    else if (!strcmp(s, "bounced") || !strcmp(s, "cleaned"))
        out = SUBS_STATUS_BOUNCED;
    else if (!strcmp(s, "pending") || !strcmp(s, "transactional") ||
             !strcmp(s, "archived") || !strcmp(s, "disabled") ||
             !strcmp(s, "unconfirmed"))
        out = NULL;
    free(s);
    return out;
}

/* A date as RFC 3339, or "" when there is none we understand. */
static char *
norm_date(const char *v)
{
    struct buf b = BUF_INIT;
    char *t = subs_trim_dup(v), *sp;
    struct dt d;

    sp = strchr(t, ' '); /* Mailchimp: "2023-01-15 10:22:31" */
    if (sp && sp - t == 10)
        *sp = 'T';
    if (*t && dt_parse(t, strlen(t), &d) == 0)
        dt_format_rfc3339(&d, &b);
    free(t);
    return buf_detach(&b, NULL);
}

/* Add the tags of from to s, at most up to SUBS_MAX_TAGS (a new row has
 * no more: see on_row); *capped tells whether some were left out. */
static bool
merge_tags(struct subs_entry *s, const struct subs_entry *from, bool *capped)
{
    bool changed = false;
    size_t i;

    for (i = 0; i < from->ntags; i++) {
        if (s->ntags < SUBS_MAX_TAGS)
            changed |= subs_add_tag(s, from->tags[i]);
        else if (!subs_has_tag(s, from->tags[i]))
            *capped = true;
    }
    return changed;
}

static char *
row_name(const struct import *im, char **fields, size_t n)
{
    struct buf b = BUF_INIT;
    char *first, *last, *name = subs_trim_dup(get(im, fields, n, F_NAME));

    if (*name)
        return name;
    free(name);
    first = subs_trim_dup(get(im, fields, n, F_FIRST));
    last = subs_trim_dup(get(im, fields, n, F_LAST));
    buf_append_str(&b, first);
    if (*first && *last)
        buf_append_char(&b, ' ');
    buf_append_str(&b, last);
    free(first);
    free(last);
    return buf_detach(&b, NULL);
}

/* A row's name and tags made one line of text (control characters
 * replaced by spaces) and held to the rule (subs_text_check): the name cut,
 * the tags parsed once, after the cleaning and Mailchimp's quotes. */
struct row_text {
    char *name;
    struct subs_entry tags; /* only its tags are used */
    bool name_ctrl, tags_ctrl;
    struct subs_text_faults f;
};

static void
row_text_read(const struct import *im, char **fields, size_t n,
              struct row_text *t)
{
    char *tags = xstrdup(get(im, fields, n, F_TAGS));

    memset(t, 0, sizeof(*t));
    t->name = row_name(im, fields, n);
    t->name_ctrl = subs_ctrl_replace(t->name);
    t->tags_ctrl = subs_ctrl_replace(tags);
    subs_set_tags_quoted(&t->tags, tags);
    free(tags);
    subs_text_check(t->name, t->tags.tags, t->tags.ntags, &t->f);
    if (t->f.name_long)
        t->name[u8_cut(t->name, t->f.name_len, SUBS_MAX_NAME)] = '\0';
}

static void
row_text_release(struct row_text *t)
{
    free(t->name);
    subs_set_tags(&t->tags, NULL);
}

/* The warnings a row's name and tags bring, whatever it merges into. */
static void
text_warnings(struct import *im, size_t line, const char *email,
              const struct row_text *t)
{
    if (t->name_ctrl)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': control characters in the name replaced "
                          "by spaces",
                          email);
    if (t->f.name_long)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': name cut to %d bytes", email,
                          SUBS_MAX_NAME);
    if (t->tags_ctrl)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': control characters in the tags replaced "
                          "by spaces",
                          email);
}

/* What merging one row did that its report tells, beyond the counts. */
struct note {
    const char *refused; /* an active row for an address that is this
                            (not active) on the list; borrowed */
    bool capped;         /* tags beyond SUBS_MAX_TAGS left out */
};

static void
note_warnings(struct import *im, size_t line, const char *email,
              const struct note *no)
{
    if (no->refused)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s' is %s on the list: not resubscribed", email,
                          no->refused);
    if (no->capped)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': tags beyond %d left out", email,
                          SUBS_MAX_TAGS);
}

/*
 * Merge one row (email, status, t) into s: a new entry (fresh, as
 * subs_append() made it) or the first row of its address, as the merges
 * before left it.  Counts the outcome; *no tells the rest.
 */
static void
merge_into(struct import *im, struct subs_entry *s, bool fresh, char **fields,
           size_t n, const char *status, const struct row_text *t,
           struct note *no)
{
    char *when = NULL;
    bool changed = false, capped = false;
    bool active = !strcmp(status, SUBS_STATUS_ACTIVE);

    memset(no, 0, sizeof(*no));
    when = norm_date(get(im, fields, n,
                         active ? F_SUBSCRIBED_AT
                         : im->col[F_CLEAN_TIME] >= 0 ? F_CLEAN_TIME
                                                      : F_UNSUB_TIME));
    if (fresh) {
        xstrset(&s->name, t->name);
        subs_entry_set_status(s, status, *when ? when : im->now);
        merge_tags(s, &t->tags, &capped);
        if (ascii_ieq(get(im, fields, n, F_FORMAT), "text"))
            xstrset(&s->format, "text");
        if (active)
            im->r->added++;
        else
            im->r->suppressed++;
    } else if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0) {
        /* Never resubscribe: a suppression stays one. */
        if (active) {
            no->refused = s->status;
            im->r->suppressed++;
        } else {
            im->r->unchanged++;
        }
    } else if (!active) {
        subs_entry_set_status(s, status, *when ? when : im->now);
        im->r->suppressed++;
    } else {
        if (!*s->name && *t->name) {
            xstrset(&s->name, t->name);
            changed = true;
        }
        changed |= merge_tags(s, &t->tags, &capped);
        no->capped = capped;
        if (changed)
            im->r->updated++;
        else
            im->r->unchanged++;
    }
    free(when);
}

/* In memory: the row merged into its entry of l (added when new). */
static void
merge_row(struct import *im, char **fields, size_t n, size_t line,
          const char *email, const char *status, const struct row_text *t)
{
    struct subs_entry *s = index_find(im, email);
    struct note no;
    bool fresh = !s;

    if (fresh) {
        s = subs_append(im->l, email);
        index_put(im, im->l->n - 1);
    }
    text_warnings(im, line, email, t);
    merge_into(im, s, fresh, fields, n, status, t, &no);
    note_warnings(im, line, email, &no);
}

/*
 * Read a data row.  A row that cannot be merged is reported (when report
 * is true: its problem, and counted as invalid or skipped) and gives
 * false.  A row to merge gives true with *email (trimmed; caller frees),
 * *status and *t (caller releases) filled.
 */
static bool
row_read(struct import *im, char **fields, size_t n, size_t line,
         bool report, char **email, const char **status, struct row_text *t)
{
    struct subs_problems *pr = &im->r->problems;
    struct err ae = ERR_INIT;

    *email = subs_trim_dup(get(im, fields, n, F_EMAIL));
    *status = row_status(im, fields, n);
    if (subs_addr_check(*email, strlen(*email), &ae) < 0) {
        if (report) {
            subs_problems_add(pr, line, false, "invalid address '%s': %s",
                              *email, ae.msg);
            im->r->invalid++;
        }
    } else if (*status && !strcmp(*status, "?")) {
        if (report) {
            subs_problems_add(pr, line, false, "'%s': unknown status '%s'",
                              *email, get(im, fields, n, F_STATUS));
            im->r->invalid++;
        }
    } else {
        row_text_read(im, fields, n, t);
        if (t->f.many_tags) {
            if (report) {
                subs_problems_add(pr, line, false,
                                  "'%s': %zu tags, more than the %d allowed",
                                  *email, t->f.ntags, SUBS_MAX_TAGS);
                im->r->invalid++;
            }
        } else if (!*status) {
            if (report) {
                subs_problems_add(pr, line, true,
                                  "'%s': status '%s' is not a subscription: "
                                  "skipped",
                                  *email, get(im, fields, n, F_STATUS));
                im->r->skipped++;
            }
        } else {
            return true;
        }
        row_text_release(t);
    }
    free(*email);
    *email = NULL;
    return false;
}

static int
on_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct import *im = ctx;
    struct row_text t;
    const char *status;
    char *email;

    if (!im->header_done)
        return read_header(im, fields, n, line, e);
    if (row_read(im, fields, n, line, true, &email, &status, &t)) {
        merge_row(im, fields, n, line, email, status, &t);
        row_text_release(&t);
        free(email);
    }
    return 0;
}

int
subs_import(struct subs_list *l, const char *p, size_t n, const char *map,
            const char *now_rfc3339, struct subs_import_report *r,
            struct err *e)
{
    struct import im;
    int rc;

    memset(&im, 0, sizeof(im));
    im.l = l;
    im.r = r;
    im.map = map;
    im.now = now_rfc3339 ? now_rfc3339 : "";
    r->kind = "csv";
    index_grow(&im);
    rc = subs_csv_read(p, n, on_row, &im, NULL, NULL, e);
    if (rc == 0 && !im.header_done)
        rc = err_set(e, ERR_DATA, 0, "the file is empty");
    free(im.ix.slot);
    return rc;
}

/* ---- the import of a file into the list file, streamed ---------------- */

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
static const char *const was_names[] = {NULL, SUBS_STATUS_UNSUBSCRIBED,
                                        SUBS_STATUS_BOUNCED,
                                        SUBS_STATUS_PENDING};

/* A refusal by any other status (the list may say anything). */
struct odd {
    size_t i;
    char *status;
};

struct stream {
    struct import im;
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
        return err_set(e, ERR_DATA, 0,
                       "'%s' changed while it was imported", st->path);
    *i = k;
    return 0;
}

/* First read of the export: the rows to merge. */
static int
collect_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct stream *st = ctx;
    struct row_text t;
    const char *status;
    char *email;

    if (!st->im.header_done)
        return read_header(&st->im, fields, n, line, e);
    if (!row_read(&st->im, fields, n, line, false, &email, &status, &t))
        return 0;
    xgrow(&st->v, &st->alloc, st->n + 1, sizeof(*st->v));
    st->v[st->n].hash = ascii_fnv1a(email, true);
    st->v[st->n].off = st->off;
    st->n++;
    row_text_release(&t);
    free(email);
    return 0;
}

static void
note_code(struct stream *st, size_t i, const struct note *no)
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
    struct row_text t;
    struct note no;
    const char *status;
    char *email;

    (void)e;
    if (!row_read(&st->im, fields, n, line, false, &email, &status, &t))
        return 0; /* cannot be: it was a row to merge */
    if (ag->fresh || ascii_ieq(email, ag->s->email)) {
        merge_into(&st->im, ag->s, ag->fresh, fields, n, status, &t, &no);
        note_code(st, ag->i, &no);
    }
    row_text_release(&t);
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
    struct row_text t;
    const char *status;
    char *email;
    size_t i;
    int rc = 0;

    if (!st->im.header_done)
        return read_header(&st->im, fields, n, line, e);
    if (!row_read(&st->im, fields, n, line, false, &email, &status, &t))
        return 0;
    row_text_release(&t);
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
    struct row_text t;
    struct note no;
    const char *status;
    char *email;
    size_t i, k;
    unsigned char c;

    if (!st->im.header_done)
        return read_header(&st->im, fields, n, line, e);
    if (row_read(&st->im, fields, n, line, true, &email, &status, &t)) {
        if (mrow_find(st, ascii_fnv1a(email, true), st->off, &i, e) < 0) {
            row_text_release(&t);
            free(email);
            return -1;
        }
        c = st->code[i];
        k = (size_t)(c >> CODE_WAS_SHIFT);
        no.capped = (c & CODE_CAPPED) != 0;
        no.refused = !(c & CODE_REFUSED) ? NULL
                     : k                 ? was_names[k]
                                         : odd_status(st, i);
        text_warnings(&st->im, line, email, &t);
        note_warnings(&st->im, line, email, &no);
        row_text_release(&t);
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

static int
no_entry(void *ctx, const struct subs_list *l, struct subs_entry *s,
         struct err *e)
{
    (void)ctx;
    (void)l;
    (void)s;
    (void)e;
    return 0;
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
    rc = subs_scan_file(in, path, &st->head, no_entry, NULL, e);
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
    st.seq = open_export(export_path, e);
    if (st.seq)
        st.again = open_export(export_path, e);
    if (!st.again || subs_lock_exclusive(path, &fd, e) < 0)
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

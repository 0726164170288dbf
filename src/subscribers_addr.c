/*
 * subscribers: address validation (mime_addr_check, the one rule for an
 * address this tool can send to) and the check of a whole list.
 */
#include "arctic_digest/subscribers.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

/* The list's door: every address that enters or is read back from the list
 * passes here, and here is mime's rule, so nothing the list accepts is
 * refused at send. */
int
subs_addr_check(const char *p, size_t n, struct err *e)
{
    return mime_addr_check(p, n, e);
}

void
subs_problems_release(struct subs_problems *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        free(p->v[i].msg);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

void
subs_problems_add(struct subs_problems *p, size_t line, bool warning,
                  const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vappendf(&b, fmt, ap);
    va_end(ap);
    xgrow(&p->v, &p->alloc, p->n + 1, sizeof(*p->v));
    p->v[p->n].line = line;
    p->v[p->n].warning = warning;
    p->v[p->n].msg = buf_detach(&b, NULL);
    p->n++;
}

/*
 * Duplicates in memory that does not grow with the rows: a first pass
 * keeps one 64-bit hash of each address (ASCII lower-cased; FNV-1a) and
 * sorts them; a hash seen twice makes its addresses candidates, and the
 * second pass compares the candidates' real addresses, in file order, so
 * a hash collision never reports a false duplicate.
 */
struct dup_seen {
    char *lower;
    size_t line;
};

struct dup_cand {
    uint64_t hash;
    struct dup_seen *v; /* the distinct addresses with this hash so far */
    size_t n, alloc;
};

struct dups {
    uint64_t *h;
    size_t n, alloc;
    struct dup_cand *cand; /* by hash, ascending */
    size_t ncand;
};

static void
dups_add(struct dups *d, const char *email)
{
    if (!*email)
        return; /* no address: reported as invalid, not as a duplicate */
    xgrow(&d->h, &d->alloc, d->n + 1, sizeof(*d->h));
    d->h[d->n++] = ascii_fnv1a(email, true);
}

static int
hash_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Between the passes: the hashes seen more than once. */
static void
dups_sort(struct dups *d)
{
    size_t i, n = 0;

    if (d->n > 1)
        qsort(d->h, d->n, sizeof(*d->h), hash_cmp);
    /* A run of equal hashes counts once, at its second element. */
    for (i = 1; i < d->n; i++)
        if (d->h[i] == d->h[i - 1] && (i < 2 || d->h[i - 2] != d->h[i]))
            n++;
    d->cand = xcalloc(n + 1, sizeof(*d->cand));
    for (i = 1; i < d->n; i++)
        if (d->h[i] == d->h[i - 1] &&
            (d->ncand == 0 || d->cand[d->ncand - 1].hash != d->h[i]))
            d->cand[d->ncand++].hash = d->h[i];
    free(d->h);
    d->h = NULL;
    d->n = d->alloc = 0;
}

static int
cand_cmp(const void *key, const void *elem)
{
    uint64_t x = *(const uint64_t *)key;
    uint64_t y = ((const struct dup_cand *)elem)->hash;

    return (x > y) - (x < y);
}

/* The second pass, row by row in file order: the line of the first row
 * with the same address, or 0. */
static size_t
dups_first(struct dups *d, const char *email, size_t line)
{
    struct dup_cand *c;
    uint64_t h;
    char *lower;
    size_t i;

    if (!*email || d->ncand == 0)
        return 0;
    h = ascii_fnv1a(email, true);
    c = bsearch(&h, d->cand, d->ncand, sizeof(*d->cand), cand_cmp);
    if (!c)
        return 0;
    lower = xstrdup(email);
    ascii_lower(lower, strlen(lower));
    for (i = 0; i < c->n; i++) {
        if (!strcmp(c->v[i].lower, lower)) {
            free(lower);
            return c->v[i].line;
        }
    }
    xgrow(&c->v, &c->alloc, c->n + 1, sizeof(*c->v));
    c->v[c->n].lower = lower;
    c->v[c->n].line = line;
    c->n++;
    return 0;
}

static void
dups_release(struct dups *d)
{
    size_t i, j;

    for (i = 0; i < d->ncand; i++) {
        for (j = 0; j < d->cand[i].n; j++)
            free(d->cand[i].v[j].lower);
        free(d->cand[i].v);
    }
    free(d->cand);
    free(d->h);
    memset(d, 0, sizeof(*d));
}

static size_t
check_date(const struct subs_entry *s, const char *col, const char *v,
           struct subs_problems *out)
{
    struct dt d;

    if (!*v || dt_parse(v, strlen(v), &d) == 0)
        return 0;
    subs_problems_add(out, s->line, false, "%s: not a date: '%s'", col, v);
    return 1;
}

static size_t
check_text(const struct subs_entry *s, struct subs_problems *out)
{
    struct subs_text_faults f;
    size_t faults = subs_text_check(s->name, s->tags, s->ntags, &f);

    if (f.name_cp)
        subs_problems_add(out, s->line, false,
                          "name: control character U+%04X (names are one "
                          "line of text)",
                          (unsigned)f.name_cp);
    if (f.tags_cp)
        subs_problems_add(out, s->line, false,
                          "tags: control character U+%04X",
                          (unsigned)f.tags_cp);
    if (f.many_tags)
        subs_problems_add(out, s->line, false,
                          "%zu tags, more than the %d allowed", f.ntags,
                          SUBS_MAX_TAGS);
    if (f.name_long)
        subs_problems_add(out, s->line, false,
                          "name: %zu bytes, more than the %d allowed",
                          f.name_len, SUBS_MAX_NAME);
    return faults;
}

static size_t
check_entry(const struct subs_list *l, const struct subs_entry *s,
            struct subs_problems *out)
{
    struct err e = ERR_INIT;
    size_t faults = 0;

    if (s->fields && s->nfields != l->ncols && l->ncols) {
        subs_problems_add(out, s->line, false,
                          "%zu fields where the header has %zu", s->nfields,
                          l->ncols);
        faults++;
    }
    if (subs_addr_check(s->email, strlen(s->email), &e) < 0) {
        subs_problems_add(out, s->line, false, "invalid address '%s': %s",
                          s->email, e.msg);
        faults++;
    }
    if (!subs_status_valid(s->status)) {
        subs_problems_add(out, s->line, false,
                          "unknown status '%s' (active, unsubscribed, "
                          "bounced or pending)",
                          s->status);
        faults++;
    }
    if (strcmp(s->format, "html") != 0 && strcmp(s->format, "text") != 0) {
        subs_problems_add(out, s->line, false,
                          "unknown format '%s' (html or text)", s->format);
        faults++;
    }
    faults += check_date(s, "subscribed_at", s->subscribed_at, out);
    faults += check_date(s, "unsubscribed_at", s->unsubscribed_at, out);
    faults += check_text(s, out);
    return faults;
}

static int
problem_cmp(const void *a, const void *b)
{
    const struct subs_problem *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    /* qsort is not stable: the text gives a total order. */
    return strcmp(x->msg, y->msg);
}

/* Everything the check finds in one row (the second pass). */
static size_t
check_row(const struct subs_list *l, const struct subs_entry *s,
          struct dups *d, struct subs_problems *out)
{
    size_t faults = check_entry(l, s, out);
    size_t first = dups_first(d, s->email, s->line);

    if (first) {
        subs_problems_add(out, s->line, false,
                          "duplicate address '%s' (first on line %zu)",
                          s->email, first);
        faults++;
    }
    return faults;
}

size_t
subs_check(const struct subs_list *l, struct subs_problems *out)
{
    struct dups d;
    size_t i, faults = 0, start = out->n;

    memset(&d, 0, sizeof(d));
    for (i = 0; i < l->n; i++)
        dups_add(&d, l->v[i].email);
    dups_sort(&d);
    for (i = 0; i < l->n; i++)
        faults += check_row(l, &l->v[i], &d, out);
    dups_release(&d);
    if (out->n > start)
        qsort(out->v + start, out->n - start, sizeof(*out->v), problem_cmp);
    return faults;
}

/* subs_check_file() under way. */
struct check_run {
    struct dups d;
    struct subs_problems row; /* one row's, sorted, then reported */
    subs_problem_fn fn;
    void *ctx;
    size_t faults, entries;
};

static int
hash_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
         struct err *e)
{
    struct check_run *r = ctx;

    (void)l;
    (void)e;
    dups_add(&r->d, s->email);
    return 0;
}

static int
check_one(void *ctx, const struct subs_list *l, struct subs_entry *s,
          struct err *e)
{
    struct check_run *r = ctx;
    size_t i;

    (void)e;
    r->entries++;
    r->faults += check_row(l, s, &r->d, &r->row);
    if (r->row.n > 1)
        qsort(r->row.v, r->row.n, sizeof(*r->row.v), problem_cmp);
    for (i = 0; i < r->row.n; i++)
        r->fn(r->ctx, &r->row.v[i]);
    subs_problems_release(&r->row);
    return 0;
}

int
subs_check_file(const char *path, subs_problem_fn fn, void *ctx,
                size_t *faults, size_t *entries, struct err *e)
{
    struct check_run r;
    int fd = -1, rc;

    memset(&r, 0, sizeof(r));
    r.fn = fn;
    r.ctx = ctx;
    if (subs_lock_shared(path, &fd, e) < 0)
        return -1;
    /* Rows come in file order, so each row's problems sorted are all of
     * them sorted. */
    rc = subs_scan_unlocked(path, hash_row, &r, e);
    if (rc == 0) {
        dups_sort(&r.d);
        rc = subs_scan_unlocked(path, check_one, &r, e);
    }
    subs_unlock(fd);
    dups_release(&r.d);
    subs_problems_release(&r.row);
    if (rc == 0) {
        *faults = r.faults;
        *entries = r.entries;
    }
    return rc;
}

/*
 * subscribers: the list file on disk: shared and exclusive locks on
 * "<list>.lock", and the safe write (fs_write_atomic).
 */
#include "arctic_digest/subscribers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/fsutil.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

/*
 * Open and lock "<path>.lock".  Only writers create it: a reader needs
 * the lock only against a writer's read-modify-write, and every write
 * replaces the file by rename(), so a reader that finds no lock file (no
 * writer has run) or cannot open it reads one consistent file unlocked
 * and leaves no file behind.
 */
static int
lock_open(const char *path, bool exclusive, int *fd, struct err *e)
{
    struct buf lp = BUF_INIT;
    int rc = -1, f;

    buf_appendf(&lp, "%s.lock", path);
    if (exclusive)
        f = open(lp.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    else
        f = open(lp.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (f < 0) {
        if (!exclusive && (errno == EACCES || errno == EROFS ||
                           errno == ENOENT || errno == EPERM)) {
            *fd = -1;
            rc = 0;
            goto out;
        }
        err_set(e, exclusive ? ERR_CANTCREAT : ERR_IO, errno,
                "cannot lock '%s': %s", lp.data, strerror(errno));
        goto out;
    }
    while (flock(f, exclusive ? LOCK_EX : LOCK_SH) < 0) {
        if (errno == EINTR)
            continue;
        err_set(e, exclusive ? ERR_CANTCREAT : ERR_IO, errno,
                "cannot lock '%s': %s", lp.data, strerror(errno));
        close(f);
        goto out;
    }
    *fd = f;
    rc = 0;
out:
    buf_release(&lp);
    return rc;
}

static void
lock_close(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

/* Load without locking; ERR_NOINPUT when missing. */
static int
load_unlocked(struct subs_list *l, const char *path, struct err *e)
{
    struct buf data = BUF_INIT;
    int rc = -1;

    if (buf_read_file(&data, path, 0, e) < 0)
        goto out;
    if (subs_parse(l, data.data, data.len, e) < 0) {
        err_prefix(e, "%s", path);
        goto out;
    }
    rc = 0;
out:
    buf_release(&data);
    return rc;
}

int
subs_load(struct subs_list *l, const char *path, struct err *e)
{
    int fd = -1, rc;

    if (lock_open(path, false, &fd, e) < 0)
        return -1;
    rc = load_unlocked(l, path, e);
    lock_close(fd);
    return rc;
}

/* Scan path without locking; ERR_NOINPUT when missing.  head as
 * subs_scan_file(). */
static int
scan_unlocked(const char *path, struct subs_list *head, subs_entry_fn fn,
              void *ctx, struct err *e)
{
    FILE *in = fopen(path, "rb");
    int rc;

    subs_list_init(head);
    if (!in)
        return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO, errno,
                       "cannot read '%s': %s", path, strerror(errno));
    rc = subs_scan_file(in, path, head, fn, ctx, e);
    fclose(in);
    return rc;
}

int
subs_scan_unlocked(const char *path, subs_entry_fn fn, void *ctx,
                   struct err *e)
{
    struct subs_list head;
    int rc = scan_unlocked(path, &head, fn, ctx, e);

    subs_list_release(&head);
    return rc;
}

int
subs_lock_shared(const char *path, int *fd, struct err *e)
{
    return lock_open(path, false, fd, e);
}

int
subs_lock_exclusive(const char *path, int *fd, struct err *e)
{
    return lock_open(path, true, fd, e);
}

void
subs_unlock(int fd)
{
    lock_close(fd);
}

int
subs_no_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
            struct err *e)
{
    (void)ctx;
    (void)l;
    (void)s;
    (void)e;
    return 0;
}

int
subs_scan(const char *path, subs_entry_fn fn, void *ctx,
          struct subs_list *head, struct err *e)
{
    struct subs_list first;
    int fd = -1, rc;

    subs_list_init(&first);
    if (head)
        subs_list_init(head);
    if (lock_open(path, false, &fd, e) < 0)
        return -1;
    /* Read once for the file's faults, so that fn sees no row of a list
     * that cannot be read (as with subs_load), then for fn. */
    rc = scan_unlocked(path, &first, subs_no_row, NULL, e);
    if (rc == 0 && head) {
        *head = first;
        subs_list_init(&first);
    }
    if (rc == 0)
        rc = subs_scan_unlocked(path, fn, ctx, e);
    subs_list_release(&first);
    lock_close(fd);
    return rc;
}

/* subs_load_one(): the first row of the address, moved into the list. */
struct one {
    struct subs_list *l;
    const char *email;
};

static int
take_one(void *ctx, const struct subs_list *l, struct subs_entry *s,
         struct err *e)
{
    struct one *o = ctx;

    (void)l;
    (void)e;
    if (o->l->n > 0 || !ascii_ieq(s->email, o->email))
        return 0;
    xgrow(&o->l->v, &o->l->alloc, 1, sizeof(*o->l->v));
    o->l->v[o->l->n++] = *s;
    memset(s, 0, sizeof(*s)); /* moved */
    return 0;
}

int
subs_load_one(struct subs_list *l, const char *path, const char *email,
              struct err *e)
{
    struct one o = {l, email};

    if (subs_scan(path, take_one, &o, l, e) < 0) {
        subs_list_release(l);
        return -1;
    }
    return 0;
}

/* Write l over path through "<path>.tmp"; we hold the exclusive lock. */
static int
save(const struct subs_list *l, const char *path, struct err *e)
{
    struct buf data = BUF_INIT;
    struct stat st;
    mode_t mode = 0644;
    int rc;

    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    subs_format(l, &data);
    rc = fs_write_atomic(path, data.data, data.len, mode, e);
    buf_release(&data);
    return rc;
}

static bool
needs_format_column(const struct subs_list *l)
{
    size_t i;

    if (l->col[SUBS_COL_FORMAT] >= 0)
        return false;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->v[i].format, "html") != 0)
            return true;
    return false;
}

int
subs_update(const char *path, bool create, subs_update_fn fn, void *ctx,
            struct err *e)
{
    struct subs_list l;
    struct err le = ERR_INIT;
    int fd = -1, rc = -1, verdict;

    subs_list_init(&l);
    if (lock_open(path, true, &fd, e) < 0)
        return -1;
    if (load_unlocked(&l, path, &le) < 0) {
        if (!create || le.code != ERR_NOINPUT) {
            if (e)
                *e = le;
            goto out;
        }
        /* A new list: our header, LF line endings. */
        if (subs_parse(&l, "", 0, e) < 0)
            goto out;
    }
    verdict = fn(&l, ctx, e);
    if (verdict < 0)
        goto out;
    if (verdict > 0) {
        if (needs_format_column(&l))
            subs_add_column(&l, "format");
        if (save(&l, path, e) < 0)
            goto out;
    }
    rc = verdict;
out:
    subs_list_release(&l);
    lock_close(fd);
    return rc;
}

/* ---- changes to a few rows, streamed ---------------------------------- */

/* One subs_update_some() under way. */
struct some {
    char **keys; /* the addresses asked for, lower-cased, sorted, unique */
    bool *taken; /* by key: its first row is in few */
    size_t nkeys;
    struct subs_list few; /* those first rows, in file order */
    size_t *lines;        /* the lines of the rows taken, ascending */
    size_t nlines, lines_alloc;
    /* the second scan */
    struct fs_replace out;
    struct buf pending;
    const struct subs_list *shown; /* the header written */
};

static int
key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
some_keys(struct some *so, char *const *addrs, size_t n)
{
    size_t i, j = 0;

    so->keys = xcalloc(n + 1, sizeof(*so->keys));
    for (i = 0; i < n; i++)
        so->keys[i] = subs_lower_dup(addrs[i]);
    qsort(so->keys, n, sizeof(*so->keys), key_cmp);
    for (i = 0; i < n; i++) {
        if (j > 0 && !strcmp(so->keys[j - 1], so->keys[i]))
            free(so->keys[i]);
        else
            so->keys[j++] = so->keys[i];
    }
    so->nkeys = j;
    so->taken = xcalloc(j + 1, sizeof(*so->taken));
}

static void
some_release(struct some *so)
{
    size_t i;

    for (i = 0; i < so->nkeys; i++)
        free(so->keys[i]);
    free(so->keys);
    free(so->taken);
    free(so->lines);
    subs_list_release(&so->few);
    buf_release(&so->pending);
}

/* First scan: take the first row of each address asked for. */
static int
take_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
         struct err *e)
{
    struct some *so = ctx;
    char *key = subs_lower_dup(s->email), **hit;
    size_t k;

    (void)l;
    (void)e;
    hit = bsearch(&key, so->keys, so->nkeys, sizeof(*so->keys), key_cmp);
    free(key);
    if (!hit)
        return 0;
    k = (size_t)(hit - so->keys);
    if (so->taken[k])
        return 0;
    so->taken[k] = true;
    xgrow(&so->few.v, &so->few.alloc, so->few.n + 1, sizeof(*so->few.v));
    so->few.v[so->few.n++] = *s;
    memset(s, 0, sizeof(*s)); /* moved */
    xgrow(&so->lines, &so->lines_alloc, so->nlines + 1, sizeof(*so->lines));
    so->lines[so->nlines++] = so->few.v[so->few.n - 1].line;
    return 0;
}

static int
flush_some(struct some *so, size_t above, struct err *e)
{
    if (so->pending.len <= above)
        return 0;
    if (fs_replace_write(&so->out, so->pending.data, so->pending.len, e) < 0)
        return -1;
    buf_reset(&so->pending);
    return 0;
}

static int
line_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* The row of few that now stands for line, or NULL (removed). */
static const struct subs_entry *
few_at(const struct some *so, size_t line)
{
    size_t i;

    for (i = 0; i < so->few.n; i++)
        if (so->few.v[i].line == line)
            return &so->few.v[i];
    return NULL;
}

/* Second scan: every row written, a taken one as fn left it. */
static int
write_row(void *ctx, const struct subs_list *l, struct subs_entry *s,
          struct err *e)
{
    struct some *so = ctx;
    const struct subs_entry *w = s;

    (void)l;
    if (so->nlines > 0 && bsearch(&s->line, so->lines, so->nlines,
                                  sizeof(*so->lines), line_cmp)) {
        w = few_at(so, s->line);
        if (!w)
            return 0; /* removed */
    }
    subs_format_entry(so->shown, w, &so->pending);
    return flush_some(so, (size_t)64 << 10, e);
}

static int
rewrite(const char *path, bool exists, struct some *so, struct err *e)
{
    struct subs_list head;
    struct stat st;
    mode_t mode = 0644;
    size_t i;
    int rc = -1;

    subs_list_init(&head);
    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    if (fs_replace_open(&so->out, path, e) < 0)
        return -1;
    so->shown = &so->few;
    subs_format_head(&so->few, &so->pending);
    if (exists && scan_unlocked(path, &head, write_row, so, e) < 0)
        goto out;
    for (i = 0; i < so->few.n; i++)
        if (so->few.v[i].line == 0)
            subs_format_entry(&so->few, &so->few.v[i], &so->pending);
    if (flush_some(so, 0, e) < 0)
        goto out;
    rc = fs_replace_commit(&so->out, mode, e);
    so->out.fd = -1;
out:
    if (rc < 0 && so->out.fd >= 0)
        fs_replace_abort(&so->out);
    subs_list_release(&head);
    return rc;
}

int
subs_update_some(const char *path, bool create, char *const *addrs,
                 size_t naddrs, subs_update_fn fn, void *ctx, struct err *e)
{
    struct some so;
    struct err le = ERR_INIT;
    bool exists = true;
    int fd = -1, rc = -1, verdict;

    memset(&so, 0, sizeof(so));
    subs_list_init(&so.few);
    buf_init(&so.pending);
    so.out.fd = -1;
    some_keys(&so, addrs, naddrs);
    if (lock_open(path, true, &fd, e) < 0)
        goto out_unlocked;
    if (scan_unlocked(path, &so.few, take_row, &so, &le) < 0) {
        if (!create || le.code != ERR_NOINPUT) {
            if (e)
                *e = le;
            goto out;
        }
        exists = false;
        /* A new list: our header, LF line endings. */
        subs_list_release(&so.few);
        if (subs_parse(&so.few, "", 0, e) < 0)
            goto out;
    }
    verdict = fn(&so.few, ctx, e);
    if (verdict < 0)
        goto out;
    if (verdict > 0) {
        if (needs_format_column(&so.few))
            subs_add_column(&so.few, "format");
        if (rewrite(path, exists, &so, e) < 0)
            goto out;
    }
    rc = verdict;
out:
    lock_close(fd);
out_unlocked:
    some_release(&so);
    return rc;
}

struct set_status {
    const char *email, *status, *when;
};

static int
apply_status(struct subs_list *l, void *ctx, struct err *e)
{
    struct set_status *st = ctx;
    struct subs_entry *s = subs_find(l, st->email);

    if (!s)
        return err_set(e, ERR_DATA, 0, "'%s' is not on the list", st->email);
    if (!strcmp(s->status, st->status))
        return 0;
    subs_entry_set_status(s, st->status, st->when);
    return 1;
}

int
subs_set_status(const char *path, const char *email, const char *status,
                const char *when_rfc3339, struct err *e)
{
    struct set_status st = {email, status, when_rfc3339 ? when_rfc3339 : ""};
    char *addrs[1];

    addrs[0] = (char *)email;
    if (!subs_status_valid(status))
        return err_set(e, ERR_DATA, 0, "unknown status '%s'", status);
    return subs_update_some(path, false, addrs, 1, apply_status, &st, e) < 0
               ? -1
               : 0;
}

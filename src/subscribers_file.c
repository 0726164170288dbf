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

    if (!subs_status_valid(status))
        return err_set(e, ERR_DATA, 0, "unknown status '%s'", status);
    return subs_update(path, false, apply_status, &st, e) < 0 ? -1 : 0;
}

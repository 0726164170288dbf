/* fsutil: write, fsync, rename, fsync the folder. */
#include "arctic_digest/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"

int
fs_write_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int
fs_sync_dir(const char *dir, struct err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        int saved = errno;

        if (fd >= 0)
            close(fd);
        errno = saved; /* for a caller that passes no e */
        return err_set(e, ERR_IO, saved, "cannot sync folder '%s': %s", dir,
                       strerror(saved));
    }
    close(fd);
    return 0;
}

/* The folder path is in: "." for a bare name, "/" for "/name". */
static void
folder_of(const char *path, struct buf *out)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        buf_append_str(out, ".");
    else if (slash == path)
        buf_append_str(out, "/");
    else
        buf_append(out, path, (size_t)(slash - path));
}

/* Write, chmod (mode >= 0), fsync and close the new file at fd; on failure
 * close it and report errno as "cannot write 'PATH'" with code. */
static int
finish(int fd, const char *path, const char *data, size_t n, long mode,
       enum err_code code, struct err *e)
{
    if (fs_write_all(fd, data, n) < 0 ||
        (mode >= 0 && fchmod(fd, (mode_t)mode) < 0) || fsync(fd) < 0) {
        int saved = errno;

        close(fd);
        return err_set(e, code, saved, "cannot write '%s': %s", path,
                       strerror(saved));
    }
    if (close(fd) < 0)
        return err_set(e, code, errno, "cannot write '%s': %s", path,
                       strerror(errno));
    return 0;
}

int
fs_write_synced(const char *path, const char *data, size_t n, struct err *e)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0)
        return err_set(e, ERR_CANTCREAT, errno, "cannot create '%s': %s", path,
                       strerror(errno));
    if (finish(fd, path, data, n, -1, ERR_IO, e) < 0) {
        unlink(path);
        return -1;
    }
    return 0;
}

int
fs_replace_open(struct fs_replace *r, const char *path, struct err *e)
{
    buf_init(&r->tmp);
    r->path = path;
    buf_appendf(&r->tmp, "%s.tmp", path);
    r->fd = open(r->tmp.data,
                 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (r->fd < 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot write '%s': %s", r->tmp.data,
                strerror(errno));
        buf_release(&r->tmp);
        return -1;
    }
    return 0;
}

int
fs_replace_write(struct fs_replace *r, const char *p, size_t n, struct err *e)
{
    if (fs_write_all(r->fd, p, n) < 0)
        return err_set(e, ERR_CANTCREAT, errno, "cannot write '%s': %s",
                       r->tmp.data, strerror(errno));
    return 0;
}

void
fs_replace_abort(struct fs_replace *r)
{
    if (r->fd >= 0) {
        close(r->fd);
        unlink(r->tmp.data);
    }
    r->fd = -1;
    buf_release(&r->tmp);
}

int
fs_replace_commit(struct fs_replace *r, mode_t mode, struct err *e)
{
    struct buf dir = BUF_INIT;
    int fd = r->fd, rc = -1;

    r->fd = -1;
    if (finish(fd, r->tmp.data, NULL, 0, (long)mode, ERR_CANTCREAT, e) < 0) {
        unlink(r->tmp.data);
        goto out;
    }
    if (rename(r->tmp.data, r->path) < 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot replace '%s': %s", r->path,
                strerror(errno));
        unlink(r->tmp.data);
        goto out;
    }
    folder_of(r->path, &dir);
    rc = fs_sync_dir(dir.data, e);
out:
    buf_release(&r->tmp);
    buf_release(&dir);
    return rc;
}

int
fs_write_atomic(const char *path, const char *data, size_t n, mode_t mode,
                struct err *e)
{
    struct fs_replace r;

    if (fs_replace_open(&r, path, e) < 0)
        return -1;
    if (fs_replace_write(&r, data, n, e) < 0) {
        fs_replace_abort(&r);
        return -1;
    }
    return fs_replace_commit(&r, mode, e);
}

static bool
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
fs_mkdirs(const char *dir, struct err *e)
{
    char *p = xstrdup(dir), *s;
    int rc = 0;

    /* Make each prefix that ends before a '/' (the root needs none), then
     * dir itself, which must end up a folder. */
    for (s = p;; s++) {
        if ((*s == '/' && s > p) || !*s) {
            char c = *s;

            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = err_set(e, ERR_CANTCREAT, errno,
                             "cannot create folder '%s': %s", p,
                             strerror(errno));
                break;
            }
            if (!c && !is_dir(p)) {
                rc = err_set(e, ERR_CANTCREAT, ENOTDIR,
                             "cannot create folder '%s': %s", p,
                             strerror(ENOTDIR));
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    return rc;
}

/*
 * fsutil: writing files so that a crash leaves the old version or the new
 * one, never half of either.
 *
 * The POSIX recipe (rename(2) is atomic within a file system; fsync(2) of
 * the file makes its bytes durable and fsync of its folder the rename):
 * write a temporary file in the destination's folder, fsync it, rename it
 * over the destination, fsync the folder.  Errors name the path and give
 * strerror(errno); e->detail is the errno.  Nothing here logs.
 */
#ifndef ARCTIC_DIGEST_FSUTIL_H
#define ARCTIC_DIGEST_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

/*
 * Write all of p[0..n) to fd, going on after short writes and EINTR.
 * Returns 0, or -1 with errno set by write(2); how much was written is then
 * unknown.  The caller owns fd and names the file in its error.
 */
int fs_write_all(int fd, const char *p, size_t n);

/*
 * fsync(2) the folder dir, so that a rename or a new name in it survives a
 * crash.  Failure: -1 with ERR_IO ("cannot sync folder 'DIR': REASON").
 */
int fs_sync_dir(const char *dir, struct err *e);

/*
 * Create path (not following a symlink there, truncating a file) with
 * permissions 0600, write data[0..n), fsync and close it: the first half of
 * a replace for callers whose temporary file lives elsewhere (a maildir's
 * tmp/).  Failure: -1 with ERR_CANTCREAT ("cannot create 'PATH': REASON")
 * or ERR_IO ("cannot write 'PATH': REASON"), and path removed if it was
 * created.
 */
int fs_write_synced(const char *path, const char *data, size_t n,
                    struct err *e);

/*
 * Replace path by data[0..n) atomically: write "<path>.tmp" (created with
 * O_NOFOLLOW; an old one is overwritten), give it exactly mode (the umask
 * does not apply), fsync it, rename it over path and fsync the folder.
 * Readers see the old file or the new one.  Two writers of the same path
 * must hold a lock between them, as they share the temporary name.
 * Failure: -1 with ERR_CANTCREAT, "cannot write '<path>.tmp': REASON" or
 * "cannot replace 'PATH': REASON", path untouched and no temporary file
 * left; or, when only the folder's fsync failed after the rename, ERR_IO
 * from fs_sync_dir() with path already replaced.
 */
int fs_write_atomic(const char *path, const char *data, size_t n, mode_t mode,
                    struct err *e);

/*
 * fs_write_atomic() in steps, for content written as it is made (a list
 * of a million rows need not be held whole): open creates "<path>.tmp"
 * as fs_write_atomic() does; write appends to it; commit gives it mode,
 * fsyncs it, renames it over path and fsyncs the folder; abort (after a
 * failed write, or instead of commit) closes and removes it.  Errors as
 * fs_write_atomic(); after any failure but open's, the temporary file is
 * gone only once abort (or the failed commit) has run.  path is borrowed
 * until commit or abort.
 */
struct fs_replace {
    int fd;
    const char *path;
    struct buf tmp; /* "<path>.tmp" */
};

int fs_replace_open(struct fs_replace *r, const char *path, struct err *e);
int fs_replace_write(struct fs_replace *r, const char *p, size_t n,
                     struct err *e);
int fs_replace_commit(struct fs_replace *r, mode_t mode, struct err *e);
void fs_replace_abort(struct fs_replace *r);

/*
 * Create the folder dir and the parents it lacks (mode 0777, less the
 * umask); folders that exist are fine.  Failure: -1 with ERR_CANTCREAT
 * ("cannot create folder 'PART': REASON", PART the first one that could not
 * be made); the parents made before stay.
 */
int fs_mkdirs(const char *dir, struct err *e);

#endif

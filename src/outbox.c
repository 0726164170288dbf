#include "arctic_digest/outbox.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/fsutil.h"

static int
make_dir(const char *path, struct err *e)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_CANTCREAT, errno,
                       "cannot create outbox folder '%s': %s", path,
                       strerror(errno));
    return 0;
}

int
outbox_open(const char *dir, struct err *e)
{
    static const char *const subs[] = {"tmp", "new", "cur"};
    struct buf p = BUF_INIT;
    size_t i;
    int rc;

    rc = make_dir(dir, e);
    for (i = 0; i < sizeof(subs) / sizeof(subs[0]) && rc == 0; i++) {
        buf_reset(&p);
        buf_appendf(&p, "%s/%s", dir, subs[i]);
        rc = make_dir(p.data, e);
    }
    buf_release(&p);
    return rc;
}

static bool
valid_name(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
              *s == '_'))
            return false;
    return true;
}

int
outbox_put(const char *dir, const char *name, const char *data, size_t n,
           struct err *e)
{
    struct buf tmp = BUF_INIT, dst = BUF_INIT, newdir = BUF_INIT;
    int rc = -1;

    if (!valid_name(name))
        return err_set(e, ERR_INTERNAL, 0, "outbox: bad file name '%s'",
                       name);
    buf_appendf(&tmp, "%s/tmp/%s", dir, name);
    buf_appendf(&dst, "%s/new/%s", dir, name);
    buf_appendf(&newdir, "%s/new", dir);
    if (fs_write_synced(tmp.data, data, n, e) < 0)
        goto out;
    if (rename(tmp.data, dst.data) < 0 || fs_sync_dir(newdir.data, NULL) < 0) {
        err_set(e, ERR_IO, errno, "cannot move '%s' into '%s': %s", tmp.data,
                newdir.data, strerror(errno));
        unlink(tmp.data);
        goto out;
    }
    rc = 0;
out:
    buf_release(&tmp);
    buf_release(&dst);
    buf_release(&newdir);
    return rc;
}

/*
 * For unit tests that work on files: the program's temporary folder
 * (unit_dir, made and removed by a cmocka group's set-up and teardown),
 * the removal of a folder with all it holds, and writing a file that
 * fails the test when it cannot.  Header only (static inline), like
 * unit_config.h; include after <cmocka.h>.
 */
#ifndef ARCTIC_DIGEST_UNIT_FILES_H
#define ARCTIC_DIGEST_UNIT_FILES_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "arctic_digest/buf.h"

/* Names the program's folder in /tmp; tests/CMakeLists.txt sets it to the
 * program's name, so that a folder left behind says whose it is. */
#ifndef AD_UNIT_NAME
#define AD_UNIT_NAME "ad-unit"
#endif

/* The program's folder, "/tmp/NAME-XXXXXX" made unique by
 * unit_dir_setup(); "" before. */
static char unit_dir[96];

/*
 * Remove path: a file, or a folder and all it holds, also where a test
 * left a folder without write or search permission.  A symbolic link is
 * removed, never followed.  0 when path is gone (or never was), else -1.
 */
static inline int
unit_remove_tree(const char *path)
{
    struct stat st;
    struct dirent *de;
    DIR *d;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    chmod(path, 0700);
    d = opendir(path);
    if (d) {
        while ((de = readdir(d)) != NULL) {
            struct buf p = BUF_INIT;

            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            buf_appendf(&p, "%s/%s", path, de->d_name);
            unit_remove_tree(p.data);
            buf_release(&p);
        }
        closedir(d);
    }
    return rmdir(path);
}

/* A cmocka group set-up: make unit_dir.  0, or -1 with why on stderr. */
static inline int
unit_dir_setup(void **state)
{
    (void)state;
    if ((size_t)snprintf(unit_dir, sizeof(unit_dir), "/tmp/%s-XXXXXX",
                         AD_UNIT_NAME) >= sizeof(unit_dir) ||
        !mkdtemp(unit_dir)) {
        fprintf(stderr, "cannot make a folder '%s': %s\n", unit_dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* A cmocka group teardown: remove unit_dir and all in it.  0 when it is
 * gone, else -1 with why on stderr. */
static inline int
unit_dir_teardown(void **state)
{
    (void)state;
    if (unit_remove_tree(unit_dir) < 0) {
        fprintf(stderr, "cannot remove '%s': %s\n", unit_dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Write the n bytes at p to path (created, or emptied first) and give it
 * exactly mode (the umask aside).  Fails the test when it cannot. */
static inline void
unit_write_file(const char *path, const char *p, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    if (fd < 0)
        fail_msg("cannot create '%s': %s", path, strerror(errno));
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            fail_msg("cannot write '%s': %s", path, strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
}

/* unit_write_file() of a string, mode 0644. */
static inline void
unit_write_text(const char *path, const char *text)
{
    unit_write_file(path, text, strlen(text), 0644);
}

/* unit_write_file() of dir/name, mode 0644. */
static inline void
unit_write_in(const char *dir, const char *name, const char *p, size_t n)
{
    struct buf path = BUF_INIT;

    buf_appendf(&path, "%s/%s", dir, name);
    unit_write_file(path.data, p, n, 0644);
    buf_release(&path);
}

#endif

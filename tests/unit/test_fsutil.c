#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"
#include "arctic_digest/fsutil.h"
#include "unit_files.h"

/* A fresh folder per test, removed (with what the test left) after it. */
static int
setup(void **state)
{
    char *dir = strdup("/tmp/test_fsutil.XXXXXX");

    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int
teardown(void **state)
{
    unit_remove_tree(*state);
    free(*state);
    return 0;
}

static char *
path_in(void **state, const char *name)
{
    struct buf p = BUF_INIT;

    buf_appendf(&p, "%s/%s", (const char *)*state, name);
    return buf_detach(&p, NULL);
}

static void
assert_file_is(const char *path, const char *want)
{
    struct buf b = BUF_INIT;

    assert_int_equal(buf_read_file(&b, path, 0, NULL), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    buf_release(&b);
}

/* Entries in dir other than . and .. */
static int
entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static bool
running_as_root(void)
{
    return geteuid() == 0;
}

static void
test_fsutil_write_atomic_creates_and_replaces(void **state)
{
    char *p = path_in(state, "list.csv");
    struct err e = ERR_INIT;

    assert_int_equal(fs_write_atomic(p, "old\n", 4, 0644, &e), 0);
    assert_file_is(p, "old\n");
    assert_int_equal(fs_write_atomic(p, "new, longer\n", 12, 0644, &e), 0);
    assert_file_is(p, "new, longer\n");
    assert_int_equal(fs_write_atomic(p, "", 0, 0644, &e), 0);
    assert_file_is(p, "");
    assert_int_equal(entries(*state), 1); /* no "list.csv.tmp" */
    free(p);
}

static void
test_fsutil_write_atomic_gives_exactly_the_mode(void **state)
{
    char *p = path_in(state, "secret");
    mode_t old = umask(0077);
    struct stat st;

    assert_int_equal(fs_write_atomic(p, "x", 1, 0640, NULL), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(fs_write_atomic(p, "y", 1, 0600, NULL), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    umask(old);
    free(p);
}

static void
test_fsutil_write_atomic_into_a_missing_folder_fails_naming_it(void **state)
{
    char *p = path_in(state, "no/such/file");
    struct err e = ERR_INIT;

    assert_int_equal(fs_write_atomic(p, "x", 1, 0644, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_int_equal(e.detail, ENOENT);
    assert_non_null(strstr(e.msg, p));
    assert_non_null(strstr(e.msg, strerror(ENOENT)));
    assert_int_equal(entries(*state), 0);
    free(p);
}

static void
test_fsutil_write_atomic_failure_keeps_the_old_file(void **state)
{
    char *p = path_in(state, "list.csv"), *tmp = path_in(state, "list.csv.tmp");
    struct err e = ERR_INIT;

    assert_int_equal(fs_write_atomic(p, "old\n", 4, 0644, NULL), 0);
    /* Works as root too: the temporary file's name is taken by a folder. */
    assert_int_equal(mkdir(tmp, 0700), 0);
    assert_int_equal(fs_write_atomic(p, "new\n", 4, 0644, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, "cannot write"));
    assert_non_null(strstr(e.msg, tmp));
    assert_file_is(p, "old\n");
    assert_int_equal(rmdir(tmp), 0);
    free(p);
    free(tmp);
}

static void
test_fsutil_write_atomic_in_a_read_only_folder_leaves_nothing(void **state)
{
    char *sub, *p;
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;

    if (running_as_root())
        skip(); /* root writes into 0500 folders */
    sub = path_in(state, "ro");
    buf_appendf(&b, "%s/file", sub);
    p = buf_detach(&b, NULL);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(fs_write_atomic(p, "old", 3, 0644, NULL), 0);
    assert_int_equal(chmod(sub, 0500), 0);
    assert_int_equal(fs_write_atomic(p, "new", 3, 0644, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_int_equal(e.detail, EACCES);
    assert_non_null(strstr(e.msg, p));
    assert_file_is(p, "old");
    assert_int_equal(entries(sub), 1);
    free(p);
    free(sub);
}

static void
test_fsutil_write_synced_writes_and_truncates(void **state)
{
    char *p = path_in(state, "msg"), *bad = path_in(state, "none/msg");
    struct err e = ERR_INIT;
    struct stat st;

    assert_int_equal(fs_write_synced(p, "a longer first text", 19, &e), 0);
    assert_int_equal(fs_write_synced(p, "short", 5, &e), 0);
    assert_file_is(p, "short");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    assert_int_equal(fs_write_synced(bad, "x", 1, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, bad));
    free(p);
    free(bad);
}

static void
test_fsutil_write_all_writes_everything(void **state)
{
    char *p = path_in(state, "big");
    struct buf big = BUF_INIT;
    size_t i;
    int fd;

    for (i = 0; i < 300000; i++)
        buf_append_char(&big, (char)('a' + i % 26));
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(fs_write_all(fd, big.data, big.len), 0);
    close(fd);
    assert_file_is(p, big.data);
    fd = open(p, O_RDONLY);
    assert_int_equal(fs_write_all(fd, "x", 1), -1);
    assert_int_equal(errno, EBADF);
    close(fd);
    buf_release(&big);
    free(p);
}

static void
test_fsutil_sync_dir_names_a_missing_folder(void **state)
{
    char *p = path_in(state, "gone");
    struct err e = ERR_INIT;

    assert_int_equal(fs_sync_dir(*state, &e), 0);
    assert_int_equal(fs_sync_dir(p, &e), -1);
    assert_int_equal(e.code, ERR_IO);
    assert_non_null(strstr(e.msg, p));
    free(p);
}

static void
test_fsutil_mkdirs_makes_every_parent(void **state)
{
    char *p = path_in(state, "a/b//c/d"), *leaf = path_in(state, "a/b/c/d");
    struct err e = ERR_INIT;
    struct stat st;

    assert_int_equal(fs_mkdirs(p, &e), 0);
    assert_int_equal(stat(leaf, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(fs_mkdirs(p, &e), 0); /* existing is fine */
    assert_int_equal(fs_mkdirs(*state, &e), 0);
    free(p);
    free(leaf);
}

static void
test_fsutil_mkdirs_fails_on_a_file_in_the_way(void **state)
{
    char *f = path_in(state, "file"), *p = path_in(state, "file/sub");
    struct err e = ERR_INIT;

    assert_int_equal(fs_write_atomic(f, "x", 1, 0644, NULL), 0);
    assert_int_equal(fs_mkdirs(p, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, p));
    assert_int_equal(fs_mkdirs(f, &e), -1); /* exists, but not a folder */
    assert_int_equal(e.detail, ENOTDIR);
    assert_non_null(strstr(e.msg, f));
    free(f);
    free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_fsutil_write_atomic_creates_and_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_write_atomic_gives_exactly_the_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_write_atomic_into_a_missing_folder_fails_naming_it,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_write_atomic_failure_keeps_the_old_file, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_write_atomic_in_a_read_only_folder_leaves_nothing,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_write_synced_writes_and_truncates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsutil_write_all_writes_everything,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_sync_dir_names_a_missing_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsutil_mkdirs_makes_every_parent,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fsutil_mkdirs_fails_on_a_file_in_the_way, setup, teardown),
    };
    return cmocka_run_group_tests_name("fsutil", tests, NULL, NULL);
}

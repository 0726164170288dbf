#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/outbox.h"
#include "unit_files.h"

static int
count(const char *sub)
{
    char path[300];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(path, sizeof(path), "%s/box/%s", unit_dir, sub);
    d = opendir(path);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void
test_outbox_writes_into_new_and_replaces_same_name(void **state)
{
    char box[300], path[400], got[64];
    struct err e = ERR_INIT;
    FILE *f;
    size_t n;
    (void)state;

    snprintf(box, sizeof(box), "%s/box", unit_dir);
    assert_int_equal(outbox_open(box, &e), 0);
    assert_int_equal(outbox_open(box, &e), 0); /* idempotent */
    assert_int_equal(outbox_put(box, "1.abc", "first\r\n", 7, &e), 0);
    assert_int_equal(outbox_put(box, "1.abc", "second\r\n", 8, &e), 0);
    assert_int_equal(outbox_put(box, "1.def", "other\r\n", 7, &e), 0);
    assert_int_equal(count("new"), 2);
    assert_int_equal(count("tmp"), 0);
    snprintf(path, sizeof(path), "%s/new/1.abc", box);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(got, 1, sizeof(got), f);
    fclose(f);
    assert_int_equal(n, 8);
    assert_memory_equal(got, "second\r\n", 8);
}

static void
test_outbox_refuses_path_names_and_unwritable_folders(void **state)
{
    char box[300], blocker[300];
    struct err e = ERR_INIT;
    (void)state;

    snprintf(box, sizeof(box), "%s/box", unit_dir);
    assert_int_equal(outbox_put(box, "../evil", "x", 1, &e), -1);
    assert_int_equal(outbox_put(box, "", "x", 1, &e), -1);
    snprintf(blocker, sizeof(blocker), "%s/file", unit_dir);
    unit_write_text(blocker, "");
    snprintf(box, sizeof(box), "%s/file/box", unit_dir);
    assert_int_equal(outbox_open(box, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, "file/box"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outbox_writes_into_new_and_replaces_same_name),
        cmocka_unit_test(
            test_outbox_refuses_path_names_and_unwritable_folders),
    };
    return cmocka_run_group_tests_name("outbox", tests, unit_dir_setup,
                                       unit_dir_teardown);
}

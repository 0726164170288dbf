/* subscribers: the import of an export file into the list file, streamed
 * (subs_import_file), against the import in memory (subs_import). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arctic_digest/subscribers.h"
#include "subscribers_int.h"
#include "unit_files.h"

static void
read_file(const char *path, struct buf *b)
{
    struct err e = ERR_INIT;

    buf_reset(b);
    assert_int_equal(buf_read_file(b, path, 0, &e), 0);
}

static void
path_in(char *out, size_t n, const char *name)
{
    assert_true((size_t)snprintf(out, n, "%s/%s", unit_dir, name) < n);
}

/* ---- the reader: where records start, and one read again ---- */

struct rec {
    size_t n;
    uint64_t *off_src; /* the reader's offset, while reading in order */
    uint64_t off[8];
    size_t line[8];
    char got[8][64];
};

static int
take(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct rec *r = ctx;
    size_t i, len = 0;
    (void)e;

    assert_true(r->n < 8);
    r->got[r->n][0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(r->got[r->n] + len, sizeof(r->got[0]) - len,
                                "%s%s", i ? "|" : "", fields[i]);
    assert_true(len < sizeof(r->got[0]));
    r->off[r->n] = r->off_src ? *r->off_src : 0;
    r->line[r->n++] = line;
    return 0;
}

/* Offsets count the BOM; a record over two lines starts at its first; the
 * last record needs no line end; each reads again alone, whole. */
static void
test_subscribers_import_reader_reads_a_record_again(void **state)
{
    static const char text[] = "\xEF\xBB\xBF"
                               "email,name\r\n"
                               "a@example.org,\"Two\r\nlines\"\r\n"
                               "b@example.org,B\r\n"
                               "c@example.org,C";
    struct rec all, one;
    struct err e = ERR_INIT;
    char path[300];
    uint64_t off = 99;
    size_t i;
    FILE *in;
    (void)state;

    path_in(path, sizeof(path), "records.csv");
    unit_write_text(path, text);
    in = fopen(path, "rb");
    assert_non_null(in);
    memset(&all, 0, sizeof(all));
    all.off_src = &off;
    assert_int_equal(subs_csv_read_file_at(in, path, &off, take, &all, &e), 0);
    assert_int_equal(all.n, 4);
    assert_int_equal(all.off[0], 0);
    assert_int_equal(all.off[1], strlen("\xEF\xBB\xBF"
                                        "email,name\r\n"));
    assert_int_equal(all.line[2], 4);
    assert_int_equal(all.off[2], strstr(text, "b@") - text);
    assert_int_equal(all.off[3], strstr(text, "c@") - text);
    for (i = 1; i < all.n; i++) {
        memset(&one, 0, sizeof(one));
        assert_int_equal(subs_csv_read_record(in, path, all.off[i], all.line[i],
                                              take, &one, &e),
                         0);
        assert_int_equal(one.n, 1);
        assert_string_equal(one.got[0], all.got[i]);
        assert_int_equal(one.line[0], all.line[i]);
    }
    assert_string_equal(all.got[1], "a@example.org|Two\r\nlines");
    fclose(in);
}

/* ---- the file import against the import in memory ---- */

struct job {
    const char *export_data;
    size_t len;
    struct subs_import_report r;
};

static int
apply(struct subs_list *l, void *ctx, struct err *e)
{
    struct job *j = ctx;

    if (subs_import(l, j->export_data, j->len, NULL, "2025-06-01T00:00:00Z",
                    &j->r, e) < 0)
        return -1;
    return j->r.added || j->r.updated || j->r.suppressed ? 1 : 0;
}

static void
collect_problem(void *ctx, const struct subs_problem *p)
{
    struct subs_problems *all = ctx;

    subs_problems_add(all, p->line, p->warning, "%s", p->msg);
}

/* Import exp into two copies of list (NULL: no file), one by
 * subs_update(subs_import), one by subs_import_file: the same bytes, the
 * same counts, the same problems in the same order. */
static void
import_both(const char *name, const char *list, const char *exp)
{
    char a[300], b[300], x[300], an[320], bn[320];
    struct buf fa = BUF_INIT, fb = BUF_INIT;
    struct subs_import_report r;
    struct subs_problems got;
    struct err e = ERR_INIT;
    struct job j;
    size_t i;

    snprintf(an, sizeof(an), "%s-a.csv", name);
    snprintf(bn, sizeof(bn), "%s-b.csv", name);
    path_in(a, sizeof(a), an);
    path_in(b, sizeof(b), bn);
    snprintf(an, sizeof(an), "%s-export.csv", name);
    path_in(x, sizeof(x), an);
    if (list) {
        unit_write_text(a, list);
        unit_write_text(b, list);
    }
    unit_write_text(x, exp);
    memset(&j, 0, sizeof(j));
    j.export_data = exp;
    j.len = strlen(exp);
    assert_true(subs_update(a, true, apply, &j, &e) >= 0);
    memset(&r, 0, sizeof(r));
    memset(&got, 0, sizeof(got));
    assert_int_equal(subs_import_file(b, x, NULL, "2025-06-01T00:00:00Z", false,
                                      collect_problem, &got, &r, &e),
                     0);
    if (access(a, F_OK) == 0) {
        read_file(a, &fa);
        read_file(b, &fb);
        assert_string_equal(fb.data, fa.data);
    } else {
        assert_int_equal(access(b, F_OK), -1);
    }
    assert_int_equal(r.added, j.r.added);
    assert_int_equal(r.updated, j.r.updated);
    assert_int_equal(r.unchanged, j.r.unchanged);
    assert_int_equal(r.invalid, j.r.invalid);
    assert_int_equal(r.suppressed, j.r.suppressed);
    assert_int_equal(r.skipped, j.r.skipped);
    assert_string_equal(r.kind, j.r.kind);
    assert_int_equal(r.problems.n, 0);
    assert_int_equal(got.n, j.r.problems.n);
    for (i = 0; i < got.n; i++) {
        assert_int_equal(got.v[i].line, j.r.problems.v[i].line);
        assert_int_equal(got.v[i].warning, j.r.problems.v[i].warning);
        assert_string_equal(got.v[i].msg, j.r.problems.v[i].msg);
    }
    subs_problems_release(&got);
    subs_problems_release(&j.r.problems);
    buf_release(&fa);
    buf_release(&fb);
}

static const char mixed_list[] =
    "\xEF\xBB\xBF"
    "email,name,status,tags,Extra\r\n"
    "a@example.org,Anna,active,x,e1\r\n"
    "B@Example.org,,Active,\"y, y\",\"two\r\nlines\"\r\n"
    "c@example.org,Carl,unsubscribed,,\r\n"
    "f@example.org,Finn,weird,,\r\n"
    "a@EXAMPLE.org,Anna Two,active,,dup\r\n"
    "bad address,Bad,active,,\r\n";

static const char mixed_export[] =
    "email,name,status,tags,format\n"
    "A@example.org,Anna X,active,\"x,new\",text\n"
    "b@example.org,Bee,enabled,q,\n"
    "c@example.org,Carl,active,,\n"
    "f@example.org,Finn,active,,\n"
    "n@example.org,\"New, One\",unsubscribed,,text\n"
    "N@EXAMPLE.org,,active,z,\n"
    "m@example.org,\"Line\nBreak\",active,,\n"
    "not-an-address,X,active,,\n"
    "p@example.org,P,pending,,\n"
    "q@example.org,Q,frobbed,,\n"
    "a@example.org,,unsubscribed,,\n";

/* Duplicates in the list and in the export, another case, an odd status
 * on the list, a new row of format text (the column added), bad rows, a
 * BOM and CRLF: as the import in memory; and into no list at all. */
static void
test_subscribers_import_file_as_in_memory(void **state)
{
    (void)state;
    import_both("mixed", mixed_list, mixed_export);
    import_both("none", NULL, mixed_export);
    import_both("nothing", NULL, "email\nbad\n");
    import_both("noformat", "email,name\nold@example.org,Old\n",
                "email,format\nOLD@example.org,text\nn@example.org,html\n"
                "N@example.org,text\n");
}

/* A dry run, a broken export and a missing one leave the list as it was,
 * with no temporary file beside it; so does an import that changes
 * nothing (the file is not rewritten, its odd spelling kept). */
static void
test_subscribers_import_file_leaves_the_list_alone(void **state)
{
    char list[300], exp[300], tmp[320];
    struct buf before = BUF_INIT, after = BUF_INIT;
    struct subs_import_report r;
    struct subs_problems got;
    struct err e = ERR_INIT;
    (void)state;

    path_in(list, sizeof(list), "alone.csv");
    path_in(exp, sizeof(exp), "alone-export.csv");
    snprintf(tmp, sizeof(tmp), "%s.tmp", list);
    unit_write_text(list, "email,status\nx@example.org,Active\n");
    read_file(list, &before);
    memset(&got, 0, sizeof(got));

    unit_write_text(exp, "email\nx@example.org\nnew@example.org\n");
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_import_file(list, exp, NULL, "", true,
                                      collect_problem, &got, &r, &e),
                     0);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.unchanged, 1);

    unit_write_text(exp, "email\nX@EXAMPLE.ORG\n");
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_import_file(list, exp, NULL, "", false,
                                      collect_problem, &got, &r, &e),
                     0);
    assert_int_equal(r.unchanged, 1);

    unit_write_text(exp, "email\nnew@example.org\n\"open\n");
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_import_file(list, exp, NULL, "", false,
                                      collect_problem, &got, &r, &e),
                     -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_string_equal(e.msg,
                        "line 3: malformed CSV: a quoted value is not closed");

    unit_write_text(exp, "");
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_import_file(list, exp, NULL, "", false,
                                      collect_problem, &got, &r, &e),
                     -1);
    assert_string_equal(e.msg, "the file is empty");

    unlink(exp);
    memset(&r, 0, sizeof(r));
    assert_int_equal(subs_import_file(list, exp, NULL, "", false,
                                      collect_problem, &got, &r, &e),
                     -1);
    assert_int_equal(e.code, ERR_NOINPUT);

    assert_int_equal(got.n, 0);
    read_file(list, &after);
    assert_string_equal(after.data, before.data);
    assert_int_equal(access(tmp, F_OK), -1);
    buf_release(&before);
    buf_release(&after);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subscribers_import_reader_reads_a_record_again),
        cmocka_unit_test(test_subscribers_import_file_as_in_memory),
        cmocka_unit_test(test_subscribers_import_file_leaves_the_list_alone),
    };
    return cmocka_run_group_tests_name("subscribers_import", tests,
                                       unit_dir_setup, unit_dir_teardown);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/store.h"
#include "store_int.h"
#include "arctic_digest/util.h"
#include "unit_files.h"

#define DAY 86400
#define T0 ((int64_t)1753142400) /* 2025-07-22T00:00:00Z */

static char path[300];

static int
setup(void **state)
{
    if (unit_dir_setup(state) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/state.db", unit_dir);
    return 0;
}

static struct store *
fresh(void)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    char wal[320];

    unlink(path);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
    if (store_open(path, &s, &e) < 0)
        fail_msg("%s", e.msg);
    return s;
}

static void
make(struct article *a, const char *source, const char *guid, const char *title,
     const char *family, int64_t published)
{
    article_init(a);
    a->source = xstrdup(source);
    a->guid = xstrdup(guid);
    a->title = xstrdup(title);
    if (family)
        article_add_person(a, "Áile", family, NULL);
    a->published.t = published;
    a->published.prec = DT_PREC_DAY;
}

static int64_t
put(struct store *s, const struct article *a, bool want_new)
{
    struct err e = ERR_INIT;
    bool is_new;
    int64_t id;

    if (store_article_put(s, a, T0, &is_new, &id, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(is_new, want_new);
    return id;
}

/* A title's italics are stored and read back; a merge fills them only
 * for the title as stored, never another source's title's. */
static void
test_store_title_markup_fills_only_its_own_title(void **state)
{
    struct store *s = fresh();
    struct article a, b, c, got;
    struct err e = ERR_INIT;
    int64_t id;
    (void)state;

    make(&a, "feed", "f-1", "Calanus blooms", NULL, T0);
    a.doi = xstrdup("10.1/calanus");
    make(&b, "crossref", "10.1/calanus", "Calanus blooms", NULL, T0);
    b.doi = xstrdup("10.1/calanus");
    b.title_markup = xstrdup("<i>Calanus</i> blooms");
    make(&c, "other", "o-1", "Calanus blooms at sea", NULL, T0);
    c.doi = xstrdup("10.1/calanus");
    c.title_markup = xstrdup("<i>Calanus</i> blooms at sea");

    id = put(s, &a, true);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_null(got.title_markup);
    article_release(&got);
    assert_int_equal(put(s, &c, false), id);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_null(got.title_markup);
    article_release(&got);
    assert_int_equal(put(s, &b, false), id);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.title, "Calanus blooms");
    assert_string_equal(got.title_markup, "<i>Calanus</i> blooms");
    article_release(&got);
    article_release(&a);
    article_release(&b);
    article_release(&c);
    store_close(s);
}

static void
test_store_reopens_and_refuses_a_newer_schema(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    sqlite3 *db;
    (void)state;

    store_close(s);
    assert_int_equal(store_open(path, &s, &e), 0);
    store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(path, &s, &e), -1);
    assert_int_equal(e.code, ERR_DATA);
    assert_non_null(strstr(e.msg, "newer than this program"));
}

/* The whole file's bytes, for comparing before and after. */
static void
slurp(const char *p, struct buf *out)
{
    struct err e = ERR_INIT;

    buf_reset(out);
    if (buf_read_file(out, p, 0, &e) < 0)
        fail_msg("%s", e.msg);
}

/* store_open(file) in a child running as uid and gid (when we are root,
 * whom file modes do not stop), its error copied into *out.  0 or -1, as
 * store_open returned. */
static int
open_as(const char *file, uid_t uid, gid_t gid, struct err *out)
{
    int fds[2], status;
    ssize_t n;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct store *s = NULL;
        struct err e = ERR_INIT;
        int rc;

        close(fds[0]);
        if (geteuid() == 0 && (setgid(gid) != 0 || setuid(uid) != 0))
            _exit(2);
        rc = store_open(file, &s, &e);
        store_close(s);
        n = write(fds[1], &e, sizeof(e));
        _exit(n != (ssize_t)sizeof(e) ? 3 : rc == 0 ? 0 : 1);
    }
    close(fds[1]);
    n = read(fds[0], out, sizeof(*out));
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_in_range(WEXITSTATUS(status), 0, 1);
    assert_int_equal(n, sizeof(*out));
    return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A state this user cannot write (a read-only file, a folder SQLite cannot
 * keep its journal in) is refused on open, saying which and what to do,
 * before anything is read: not a damaged state, nor a late write error. */
static void
test_store_open_refuses_a_state_it_cannot_write_saying_why(void **state)
{
    struct buf ro = BUF_INIT, db = BUF_INIT, other = BUF_INIT;
    struct store *s = NULL;
    struct err e = ERR_INIT;
    uid_t uid = getuid();
    gid_t gid = getgid();

    (void)state;
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (pw == NULL) {
            fprintf(stderr, "skip: no user 'nobody' to drop root to\n");
            skip();
        }
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    assert_int_equal(chmod(unit_dir, 0711), 0); /* the child looks in */
    buf_appendf(&ro, "%s/ro", unit_dir);
    buf_appendf(&db, "%s/state.db", ro.data);
    assert_int_equal(mkdir(ro.data, 0755), 0);
    assert_int_equal(store_open(db.data, &s, &e), 0);
    store_close(s);
    assert_int_equal(chown(ro.data, uid, gid), 0);
    assert_int_equal(chown(db.data, uid, gid), 0);
    assert_int_equal(open_as(db.data, uid, gid, &e), 0); /* its owner's */

    assert_int_equal(chmod(db.data, 0444), 0);
    assert_int_equal(open_as(db.data, uid, gid, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, db.data));
    assert_non_null(strstr(e.msg, strerror(EACCES)));
    assert_non_null(strstr(e.msg, "run it as the user that owns the state"));
    assert_null(strstr(e.msg, "folder '"));
    buf_appendf(&other, "%s-shm", db.data); /* nothing was read */
    assert_int_equal(access(other.data, F_OK), -1);

    assert_int_equal(chmod(db.data, 0644), 0);
    assert_int_equal(chmod(ro.data, 0555), 0);
    assert_int_equal(open_as(db.data, uid, gid, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, db.data));
    buf_reset(&other);
    buf_appendf(&other, "its folder '%s': %s", ro.data, strerror(EACCES));
    assert_non_null(strstr(e.msg, other.data));

    /* No state there yet: the same, and none is made. */
    buf_reset(&db);
    buf_appendf(&db, "%s/new.db", ro.data);
    assert_int_equal(open_as(db.data, uid, gid, &e), -1);
    assert_int_equal(e.code, ERR_CANTCREAT);
    assert_non_null(strstr(e.msg, other.data));
    assert_int_equal(access(db.data, F_OK), -1);

    assert_int_equal(chmod(ro.data, 0755), 0);
    assert_int_equal(chmod(unit_dir, 0700), 0);
    buf_release(&ro);
    buf_release(&db);
    buf_release(&other);
}

static void
test_store_snapshot_reads_the_file_and_never_writes_it(void **state)
{
    struct store *s = fresh(), *snap = NULL;
    struct buf before = BUF_INIT, after = BUF_INIT, name = BUF_INIT;
    struct err e = ERR_INIT;
    struct article a;
    char *v = NULL;
    int64_t n = 0;
    (void)state;

    make(&a, "polar", "g1", "Svalbard and NATO", "Sara", T0);
    put(s, &a, true);
    article_release(&a);
    assert_int_equal(store_meta_set(s, "k", "file", &e), 0);
    store_close(s);
    slurp(path, &before);

    assert_int_equal(store_open_snapshot(path, &snap, &e), 0);
    assert_int_equal(store_articles_count(snap, &n, &e), 0);
    assert_int_equal(n, 1); /* what the file holds */
    assert_int_equal(store_meta_get(snap, "k", &v, &e), 0);
    assert_string_equal(v, "file");
    free(v);
    make(&a, "polar", "g2", "Greenland's mining law", "Berg", T0);
    put(snap, &a, true);
    article_release(&a);
    assert_int_equal(store_meta_set(snap, "k", "memory", &e), 0);
    store_close(snap);

    slurp(path, &after);
    assert_int_equal(before.len, after.len);
    assert_memory_equal(before.data, after.data, before.len);
    buf_appendf(&name, "%s-wal", path);
    assert_int_not_equal(access(name.data, F_OK), 0);
    assert_int_equal(store_open(path, &s, &e), 0);
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 1);
    store_close(s);

    /* No file: an empty state, and still no file. */
    buf_reset(&name);
    buf_appendf(&name, "%s/none.db", unit_dir);
    assert_int_equal(store_open_snapshot(name.data, &snap, &e), 0);
    assert_int_equal(store_articles_count(snap, &n, &e), 0);
    assert_int_equal(n, 0);
    store_close(snap);
    assert_int_not_equal(access(name.data, F_OK), 0);
    /* A path that cannot be looked at is no fresh start. */
    buf_reset(&name);
    buf_appendf(&name, "%s/loop.db", unit_dir);
    assert_int_equal(symlink(name.data, name.data), 0);
    assert_int_equal(store_open_snapshot(name.data, &snap, &e), -1);
    assert_int_equal(e.code, ERR_IO);
    assert_non_null(strstr(e.msg, "loop.db"));
    /* Not a state file: refused, named. */
    assert_int_equal(store_open_snapshot(unit_dir, &snap, &e), -1);
    assert_non_null(strstr(e.msg, unit_dir));
    buf_release(&before);
    buf_release(&after);
    buf_release(&name);
}

static void
test_store_reader_reads_in_place_and_never_writes(void **state)
{
    struct store *s = fresh(), *r = NULL;
    struct buf before = BUF_INIT, after = BUF_INIT;
    struct err e = ERR_INIT;
    struct article a;
    int64_t n = 0;
    (void)state;

    make(&a, "polar", "g1", "Svalbard and NATO", "Sara", T0);
    put(s, &a, true);
    article_release(&a);
    store_close(s);
    slurp(path, &before);
    assert_int_equal(store_open_reader(path, &r, &e), 0);
    assert_int_equal(store_articles_count(r, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_meta_set(r, "k", "v", &e), -1); /* query_only */
    /* nor an article: the put fails and says so */
    make(&a, "polar", "g2", "Another work entirely", "Lee", T0);
    e = (struct err)ERR_INIT;
    {
        bool is_new = false;
        int64_t id = 0;
        assert_int_equal(store_article_put(r, &a, T0, &is_new, &id, &e), -1);
        assert_true(e.msg[0] != '\0');
    }
    article_release(&a);
    assert_int_equal(store_articles_count(r, &n, &e), 0);
    assert_int_equal(n, 1);
    store_close(r);
    slurp(path, &after);
    assert_int_equal(before.len, after.len);
    assert_memory_equal(before.data, after.data, before.len);

    buf_release(&before);
    buf_release(&after);
}

static void
test_store_crossref_cache_by_doi_in_any_case(void **state)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    char *body = (char *)"untouched";
    long status = -1;

    (void)state;
    assert_int_equal(store_open_memory(&s, &e), 0);
    assert_int_equal(store_crossref_get(s, "10.7554/eLife.01567", &status,
                                        &body, &e),
                     0);
    assert_int_equal(status, -1); /* nothing written */
    assert_string_equal(body, "untouched");
    assert_int_equal(store_crossref_put(s, "10.7554/eLife.01567", 200,
                                        "{\"status\":\"ok\"}", 1000, &e),
                     0);
    assert_int_equal(store_crossref_put(s, "10.5555/X", 404, NULL, 1000, &e),
                     0);
    assert_int_equal(store_crossref_get(s, "10.7554/ELIFE.01567", &status,
                                        &body, &e),
                     1);
    assert_int_equal(status, 200);
    assert_string_equal(body, "{\"status\":\"ok\"}");
    free(body);
    assert_int_equal(store_crossref_get(s, "10.5555/x", &status, &body, &e),
                     1);
    assert_int_equal(status, 404);
    assert_null(body);
    /* a later answer replaces the older one */
    assert_int_equal(store_crossref_put(s, "10.5555/x", 200, "{}", 2000, &e),
                     0);
    assert_int_equal(store_crossref_get(s, "10.5555/X", &status, &body, &e),
                     1);
    assert_int_equal(status, 200);
    assert_string_equal(body, "{}");
    free(body);
    store_close(s);
}

static void
test_store_source_health_and_validators(void **state)
{
    struct store *s = fresh();
    struct store_source src;
    struct err e = ERR_INIT;
    (void)state;

    assert_int_equal(store_source_get(s, "polar", &src, &e), 0);
    assert_string_equal(src.name, "polar");
    assert_null(src.etag);
    assert_int_equal(src.last_success, 0);
    store_source_release(&src);
    assert_int_equal(store_source_record(s, "polar", true, "3 new", "\"e1\"",
                                         "Tue, 22 Jul 2025 08:00:00 GMT", T0,
                                         &e),
                     0);
    assert_int_equal(store_source_record(s, "polar", false, "HTTP 503", NULL,
                                         NULL, T0 + 60, &e),
                     0);
    assert_int_equal(store_source_record(s, "polar", false, "timed out", NULL,
                                         NULL, T0 + 120, &e),
                     0);
    assert_int_equal(store_source_get(s, "polar", &src, &e), 0);
    assert_string_equal(src.etag, "\"e1\"");
    assert_int_equal(src.failures, 2);
    assert_int_equal(src.last_success, T0);
    assert_int_equal(src.last_attempt, T0 + 120);
    assert_string_equal(src.last_error, "timed out");
    store_source_release(&src);
    store_close(s);
}

static void
test_store_one_record_per_work(void **state)
{
    struct store *s = fresh();
    struct article a, b, c, d, got;
    struct err e = ERR_INIT;
    struct buf srcs = BUF_INIT;
    int64_t id, n;
    (void)state;

    /* The journal feed: no abstract, DOI in the record. */
    make(&a, "journal", "j-1", "Sino-Russian Arctic Cooperation", "Hauksdóttir",
         T0);
    a.doi = xstrdup("10.1080/2154896X.2025.1");
    id = put(s, &a, true);
    /* Crossref: same DOI in other case, an abstract. */
    make(&b, "crossref", "10.1080/2154896x.2025.1",
         "Sino-Russian Arctic Cooperation", "Hauksdóttir", T0);
    b.doi = xstrdup("10.1080/2154896x.2025.1");
    b.abstract = xstrdup("China and Russia have deepened their cooperation.");
    article_add_person(&b, "Baldur", "Thorhallsson", NULL);
    assert_int_equal(put(s, &b, false), id);
    /* A think tank: no DOI, same title and first author, 3 days later. */
    make(&c, "thinktank", "tt-9", "Sino-Russian  Arctic Cooperation!",
         "Hauksdóttir", T0 + 3 * DAY);
    assert_int_equal(put(s, &c, false), id);
    /* Same source and guid again: the same work. */
    assert_int_equal(put(s, &a, false), id);
    /* Same title, other author: another work. */
    make(&d, "thinktank", "tt-10", "Sino-Russian Arctic Cooperation", "Somby",
         T0);
    assert_true(put(s, &d, true) != id);

    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    /* Matched without regard to case, kept as first written. */
    assert_string_equal(got.doi, "10.1080/2154896X.2025.1");
    assert_string_equal(got.abstract,
                        "China and Russia have deepened their cooperation.");
    assert_int_equal(got.nauthors, 2);
    assert_string_equal(got.authors[1].family, "Thorhallsson");
    assert_int_equal(store_article_sources(s, id, &srcs, &e), 0);
    assert_string_equal(srcs.data, "crossref,journal,thinktank");
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 2);
    buf_release(&srcs);
    article_release(&got);
    article_release(&a);
    article_release(&b);
    article_release(&c);
    article_release(&d);
    store_close(s);
}

static void
test_store_dedupe_by_doi_alone(void **state)
{
    struct store *s = fresh();
    struct article a, b, got;
    struct err e = ERR_INIT;
    int64_t id, n;
    (void)state;

    /* Nothing but the DOI is shared: no URL, title, first author, source,
     * guid or date within 14 days in common; the DOI differs in case. */
    make(&a, "journal", "j-77", "Arctic Council Chairmanship in Review",
         "Hauksdóttir", T0);
    a.url = xstrdup("https://www.tandfonline.com/doi/full/10.1080/ABC.77");
    a.doi = xstrdup("10.1080/ABC.77");
    id = put(s, &a, true);
    make(&b, "crossref", "cr-3", "Governing the High North after 2022",
         "Thorhallsson", T0 + 60 * DAY);
    b.url = xstrdup("https://doi.org/10.1080/abc.77");
    b.doi = xstrdup("10.1080/abc.77");
    b.abstract = xstrdup("An abstract only Crossref has.");
    assert_int_equal(put(s, &b, false), id);
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.doi, "10.1080/ABC.77");
    assert_string_equal(got.abstract, "An abstract only Crossref has.");
    article_release(&got);
    article_release(&a);
    article_release(&b);
    store_close(s);
}

static void
test_store_dedupe_by_source_and_guid_alone(void **state)
{
    struct store *s = fresh();
    struct article a, b, c;
    struct err e = ERR_INIT;
    int64_t id, n;
    (void)state;

    /* The same item of the same source, retitled, relinked, re-dated and
     * re-authored by its publisher: only source and guid match. */
    make(&a, "journal", "urn:item:42", "Polar Silk Road, a first look",
         "Hauksdóttir", T0);
    a.url = xstrdup("https://journal.example/a/42");
    id = put(s, &a, true);
    make(&b, "journal", "urn:item:42", "The Polar Silk Road revisited",
         "Thorhallsson", T0 + 90 * DAY);
    b.url = xstrdup("https://journal.example/articles/polar-silk-road");
    assert_int_equal(put(s, &b, false), id);
    /* The same guid from another source is another work. */
    make(&c, "other", "urn:item:42", "Ice roads of Yakutia", "Somby",
         T0 + 90 * DAY);
    assert_true(put(s, &c, true) != id);
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 2);
    article_release(&a);
    article_release(&b);
    article_release(&c);
    store_close(s);
}

static void
test_store_dedupe_by_title_and_first_author_within_14_days(void **state)
{
    struct store *s = fresh();
    struct article a, b, c, d;
    struct err e = ERR_INIT;
    int64_t id, n;
    (void)state;

    /* Other source, guid, link, no DOI: title (as a key: case, spaces and
     * punctuation aside) and first author, published 14 days apart. */
    make(&a, "journal", "j-1", "Svalbard and the Fisheries Zone",
         "Hauksdóttir", T0);
    a.url = xstrdup("https://journal.example/svalbard");
    id = put(s, &a, true);
    make(&b, "blog", "b-1", "SVALBARD and the  fisheries zone.",
         "Hauksdóttir", T0 + 14 * DAY);
    b.url = xstrdup("https://blog.example/svalbard-fisheries");
    assert_int_equal(put(s, &b, false), id);
    /* 14 days and a second apart: another work. */
    make(&c, "blog2", "c-1", "Svalbard and the Fisheries Zone", "Hauksdóttir",
         T0 - 14 * DAY - 1);
    c.url = xstrdup("https://blog2.example/svalbard");
    assert_true(put(s, &c, true) != id);
    /* Same title and date, another first author: another work. */
    make(&d, "blog3", "d-1", "Svalbard and the Fisheries Zone", "Somby", T0);
    d.url = xstrdup("https://blog3.example/svalbard");
    assert_true(put(s, &d, true) != id);
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 3);
    article_release(&a);
    article_release(&b);
    article_release(&c);
    article_release(&d);
    store_close(s);
}

static void
test_store_dedupe_by_canonical_url_keeps_the_first_link(void **state)
{
    struct store *s = fresh();
    struct article a, b, c, got;
    struct err e = ERR_INIT;
    int64_t id, n;
    (void)state;

    /* Titles, sources and guids differ: only the link can match. */
    make(&a, "news", "n-1", "Coast guards in the Barents Sea", NULL, T0);
    a.url = xstrdup("http://news.example:8080/a?x=1");
    id = put(s, &a, true);
    make(&b, "wire", "w-7", "Barents coast guards (wire copy)", NULL, T0);
    b.url = xstrdup("https://NEWS.example:8080/a?x=1&utm_source=rss#comments");
    assert_int_equal(put(s, &b, false), id);
    /* Another query is another page. */
    make(&c, "wire", "w-8", "Something else entirely", NULL, T0);
    c.url = xstrdup("https://news.example:8080/a?x=2");
    assert_true(put(s, &c, true) != id);
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 2);
    /* Shown as the first publisher wrote it, not as the key. */
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.url, "http://news.example:8080/a?x=1");
    article_release(&got);
    article_release(&a);
    article_release(&b);
    article_release(&c);
    store_close(s);
}

static void
test_store_migration_keys_the_urls_of_an_older_state(void **state)
{
    struct store *s = fresh();
    struct article a, b, got;
    struct err e = ERR_INIT;
    sqlite3 *db;
    int64_t id;
    (void)state;

    /* A state as version 2 left it: url held the canonical form, no key
     * (and no later index). */
    make(&a, "news", "n-1", "Coast guards in the Barents Sea", NULL, T0);
    a.url = xstrdup("https://news.example/a");
    id = put(s, &a, true);
    store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "DROP TRIGGER archive_pages_article;"
                     "DROP TRIGGER archive_pages_author_in;"
                     "DROP TRIGGER archive_pages_author_out;"
                     "DROP TRIGGER archive_pages_keyword_in;"
                     "DROP TRIGGER archive_pages_keyword_out;"
                     "DROP TABLE archive_pages;"
                     "DROP INDEX articles_url_key;"
                     "DROP INDEX deliveries_address;"
                     "DROP INDEX deliveries_deferred;"
                     "DROP TABLE bounce_messages;"
                     "ALTER TABLE articles DROP COLUMN url_key;"
                     "ALTER TABLE articles DROP COLUMN volume;"
                     "ALTER TABLE articles DROP COLUMN issue;"
                     "ALTER TABLE articles DROP COLUMN pages;"
                     "ALTER TABLE articles DROP COLUMN others;"
                     "DROP TABLE crossref_works;"
                     "ALTER TABLE articles DROP COLUMN kind;"
                     "ALTER TABLE articles DROP COLUMN lang;"
                     "ALTER TABLE articles DROP COLUMN publisher;"
                     "ALTER TABLE articles DROP COLUMN place;"
                     "ALTER TABLE article_authors DROP COLUMN suffix;"
                     "ALTER TABLE articles DROP COLUMN title_markup;"
                     "CREATE INDEX articles_url ON articles(url);"
                     "PRAGMA user_version = 2",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(store_open(path, &s, &e), 0);
    make(&b, "wire", "w-7", "Barents coast guards (wire copy)", NULL, T0);
    b.url = xstrdup("http://news.example/a#top");
    assert_int_equal(put(s, &b, false), id);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.url, "https://news.example/a");
    article_release(&got);
    article_release(&a);
    article_release(&b);
    store_close(s);
}

static void
test_store_keeps_volume_issue_pages_and_fills_their_gaps(void **state)
{
    struct store *s = fresh();
    struct article a, b, got;
    struct err e = ERR_INIT;
    int64_t id;
    (void)state;

    make(&a, "journal", "j-1", "Small States in the High North",
         "Hauksdóttir", T0);
    a.doi = xstrdup("10.1080/2154896X.2025.1");
    a.volume = xstrdup("15");
    a.pages = xstrdup("301-320");
    a.others = true;
    id = put(s, &a, true);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.volume, "15");
    assert_null(got.issue);
    assert_string_equal(got.pages, "301-320");
    assert_true(got.others);
    assert_int_equal(got.kind, ARTICLE_KIND_UNKNOWN);
    assert_null(got.lang);
    assert_null(got.publisher);
    assert_null(got.place);
    article_release(&got);

    /* the same work again (Crossref): gaps filled, values kept, and a
     * longer author list replaces the cut one */
    make(&b, "crossref", "cr-1", "Small States in the High North",
         "Hauksdóttir", T0);
    article_add_person(&b, "Baldur", "Thorhallsson", NULL);
    article_set_suffix(&b, "Jr.");
    b.doi = xstrdup("10.1080/2154896x.2025.1");
    b.volume = xstrdup("99");
    b.issue = xstrdup("2");
    b.kind = ARTICLE_KIND_REPORT;
    b.lang = xstrdup("nb");
    b.publisher = xstrdup("Arctic Institute");
    b.place = xstrdup("Washington, DC");
    assert_int_equal(put(s, &b, false), id);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.volume, "15");
    assert_string_equal(got.issue, "2");
    assert_string_equal(got.pages, "301-320");
    assert_false(got.others);
    assert_int_equal(got.nauthors, 2);
    assert_int_equal(got.kind, ARTICLE_KIND_REPORT); /* a gap filled */
    assert_string_equal(got.publisher, "Arctic Institute");
    assert_string_equal(got.place, "Washington, DC");
    assert_null(got.authors[0].suffix);
    assert_string_equal(got.authors[1].suffix, "Jr.");
    assert_string_equal(got.lang, "nb"); /* and another */
    article_release(&got);

    /* a language once known stays */
    free(b.lang);
    b.lang = xstrdup("en");
    assert_int_equal(put(s, &b, false), id);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.lang, "nb");
    article_release(&got);
    article_release(&a);
    article_release(&b);
    store_close(s);
}

static void
test_store_new_articles_skip_sent_issues_and_old_items(void **state)
{
    struct store *s = fresh();
    struct article a, b, old;
    struct err e = ERR_INIT;
    struct store_issue is, un;
    struct store_recipient r[] = {{"b@example.org", NULL},
                                  {"a@example.org", "Áile Somby"}};
    struct store_ledger_row *rows;
    int64_t *ids, ida, idb, counts[4];
    size_t n;
    int streak;
    char **refused = NULL;
    (void)state;

    make(&a, "x", "1", "One", NULL, T0);
    make(&b, "x", "2", "Two", NULL, T0 + DAY);
    make(&old, "x", "3", "Old", NULL, T0 - 40 * DAY);
    ida = put(s, &a, true);
    idb = put(s, &b, true);
    put(s, &old, true); /* published before the lookback: not new */
    assert_int_equal(
        store_articles_new(s, T0 - 14 * DAY, T0 + 7 * DAY, &ids, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], idb);
    assert_int_equal(ids[1], ida);
    free(ids);

    memset(&is, 0, sizeof(is));
    is.created = T0 + 7 * DAY;
    is.slot = T0 + 7 * DAY;
    is.period_start = T0;
    is.period_end = T0 + 7 * DAY;
    is.articles = &ida;
    is.narticles = 1;
    assert_int_equal(store_issue_create(s, &is, r, 2, &e), 0);
    assert_int_equal(is.number, 1);
    assert_int_equal(store_issue_unfinished(s, &un, &e), 1);
    assert_int_equal(un.id, is.id);
    assert_int_equal(un.narticles, 1);
    assert_int_equal(un.articles[0], ida);
    store_issue_release(&un);

    assert_int_equal(store_ledger_todo(s, is.id, &rows, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].address, "a@example.org");
    assert_string_equal(rows[0].name, "Áile Somby");
    store_ledger_row_release(&rows[0]);
    store_ledger_row_release(&rows[1]);
    free(rows);
    assert_int_equal(store_ledger_mark(s, is.id, "a@example.org", STORE_SENT,
                                       250, "2.0.0 OK", T0, &e),
                     0);
    assert_int_equal(store_ledger_mark(s, is.id, "b@example.org", STORE_FAILED,
                                       550, "5.1.1 no such user", T0, &e),
                     0);
    assert_int_equal(store_ledger_counts(s, is.id, counts, &e), 0);
    assert_int_equal(counts[STORE_SENT], 1);
    assert_int_equal(counts[STORE_FAILED], 1);
    assert_int_equal(counts[STORE_PENDING], 0);
    assert_int_equal(store_ledger_todo(s, is.id, &rows, &n, &e), 0);
    assert_int_equal(n, 0);
    free(rows);
    assert_int_equal(
        store_ledger_failed_streak(s, "B@example.org", 3, &streak, &e), 0);
    assert_int_equal(streak, 1);
    /* Only the 5xx refusal can start a bounce streak. */
    assert_int_equal(store_ledger_hard_failed(s, is.id, &refused, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(refused[0], "b@example.org");
    free(refused[0]);
    free(refused);

    /* An article in an issue is no longer new, while the issue is still
     * sending as after. */
    assert_int_equal(
        store_articles_new(s, T0 - 14 * DAY, T0 + 7 * DAY, &ids, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], idb);
    free(ids);
    assert_int_equal(store_issue_mark_sent(s, is.id, T0, &e), 0);
    assert_int_equal(store_issue_unfinished(s, &un, &e), 0);
    assert_int_equal(
        store_articles_new(s, T0 - 14 * DAY, T0 + 7 * DAY, &ids, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], idb);
    free(ids);
    assert_int_equal(store_issue_last(s, &un, &e), 1);
    assert_int_equal(un.number, 1);
    assert_int_equal(un.status, STORE_ISSUE_SENT);
    store_issue_release(&un);
    article_release(&a);
    article_release(&b);
    article_release(&old);
    store_close(s);
}

/* ---- an empty state in memory ------------------------------------------ */

static int
count_entries(const char *folder)
{
    DIR *d = opendir(folder);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void
test_store_memory_state_has_the_schema_and_creates_no_file(void **state)
{
    struct store *s = NULL, *other = NULL;
    struct err e = ERR_INIT;
    struct article a;
    struct store_issue is, got;
    struct store_recipient r[] = {{"a@example.org", NULL}};
    char cwd[4096], empty[320], *v = NULL;
    int64_t id, n;
    (void)state;

    /* Whatever it does, it does it without a file, not even beside us. */
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    snprintf(empty, sizeof(empty), "%s/empty", unit_dir);
    assert_int_equal(mkdir(empty, 0700), 0);
    assert_int_equal(chdir(empty), 0);
    assert_int_equal(store_open_memory(&s, &e), 0);
    assert_non_null(s);
    make(&a, "x", "1", "One", NULL, T0);
    id = put(s, &a, true);
    assert_int_equal(store_meta_set(s, "handled_slot", "42", &e), 0);
    assert_int_equal(store_meta_get(s, "handled_slot", &v, &e), 0);
    assert_string_equal(v, "42");
    free(v);
    memset(&is, 0, sizeof(is));
    is.articles = &id;
    is.narticles = 1;
    assert_int_equal(store_issue_create(s, &is, r, 1, &e), 0);
    assert_int_equal(is.number, 1);
    assert_int_equal(store_issue_unfinished(s, &got, &e), 1);
    assert_int_equal(got.articles[0], id);
    store_issue_release(&got);

    /* Each is a state of its own, empty at the start. */
    assert_int_equal(store_open_memory(&other, &e), 0);
    assert_int_equal(store_articles_count(other, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_issue_last(other, &got, &e), 0);
    store_close(other);
    store_close(s);
    assert_int_equal(count_entries(empty), 0);
    assert_int_equal(chdir(cwd), 0);
    rmdir(empty);
    article_release(&a);
}

/* ---- issues and the ledger ---------------------------------------------- */

static void
new_issue(struct store *s, struct store_issue *is, int64_t at,
          const struct store_recipient *r, size_t nr)
{
    struct err e = ERR_INIT;

    memset(is, 0, sizeof(*is));
    is->created = at;
    is->slot = at;
    is->period_start = at - 7 * DAY;
    is->period_end = at;
    if (store_issue_create(s, is, r, nr, &e) < 0)
        fail_msg("%s", e.msg);
}

static void
mark(struct store *s, int64_t issue, const char *address,
     enum store_delivery status, int code, const char *reply)
{
    struct err e = ERR_INIT;

    if (store_ledger_mark(s, issue, address, status, code, reply, T0, &e) < 0)
        fail_msg("%s", e.msg);
}

/* The addresses store_ledger_todo lists, comma-separated, into out. */
static void
todo(struct store *s, int64_t issue, struct buf *out)
{
    struct err e = ERR_INIT;
    struct store_ledger_row *v;
    size_t i, n;

    buf_reset(out);
    if (store_ledger_todo(s, issue, &v, &n, &e) < 0)
        fail_msg("%s", e.msg);
    for (i = 0; i < n; i++) {
        buf_appendf(out, "%s%s", i ? "," : "", v[i].address);
        store_ledger_row_release(&v[i]);
    }
    free(v);
}

static void
test_store_ledger_todo_lists_pending_and_deferred_in_address_order(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    struct store_issue is;
    struct store_recipient r[] = {
        {"dan@example.org", NULL}, {"bea@example.org", "Bea"},
        {"eve@example.org", NULL}, {"ann@example.org", NULL},
        {"cid@example.org", NULL}, {"bea@example.org", "Bea again"}};
    struct store_ledger_row *v;
    struct buf list = BUF_INIT;
    int64_t counts[4];
    size_t i, n;
    (void)state;

    new_issue(s, &is, T0, r, ARRAY_SIZE(r));
    /* Every recipient once, pending, never tried; a repeated address is
     * one row (the first), so no one can get the issue twice. */
    assert_int_equal(store_ledger_todo(s, is.id, &v, &n, &e), 0);
    assert_int_equal(n, 5);
    for (i = 0; i < n; i++) {
        assert_int_equal(v[i].status, STORE_PENDING);
        assert_int_equal(v[i].attempts, 0);
        assert_int_equal(v[i].code, 0);
        assert_null(v[i].reply);
    }
    assert_string_equal(v[1].name, "Bea");
    assert_null(v[0].name);
    for (i = 0; i < n; i++)
        store_ledger_row_release(&v[i]);
    free(v);
    todo(s, is.id, &list);
    assert_string_equal(list.data, "ann@example.org,bea@example.org,"
                                   "cid@example.org,dan@example.org,"
                                   "eve@example.org");

    /* sent and failed leave the list; deferred stays, with its reply. */
    mark(s, is.id, "bea@example.org", STORE_SENT, 250, "2.0.0 queued");
    mark(s, is.id, "cid@example.org", STORE_DEFERRED, 450,
         "4.2.1 mailbox busy");
    mark(s, is.id, "dan@example.org", STORE_FAILED, 550,
         "5.1.1 recipient unknown");
    todo(s, is.id, &list);
    assert_string_equal(list.data,
                        "ann@example.org,cid@example.org,eve@example.org");
    assert_int_equal(store_ledger_todo(s, is.id, &v, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_int_equal(v[1].status, STORE_DEFERRED);
    assert_int_equal(v[1].attempts, 1);
    assert_int_equal(v[1].code, 450);
    assert_string_equal(v[1].reply, "4.2.1 mailbox busy");
    for (i = 0; i < n; i++)
        store_ledger_row_release(&v[i]);
    free(v);
    assert_int_equal(store_ledger_counts(s, is.id, counts, &e), 0);
    assert_int_equal(counts[STORE_PENDING], 2);
    assert_int_equal(counts[STORE_SENT], 1);
    assert_int_equal(counts[STORE_DEFERRED], 1);
    assert_int_equal(counts[STORE_FAILED], 1);

    /* A deferred row sent on a later attempt leaves the list too. */
    mark(s, is.id, "cid@example.org", STORE_SENT, 250, "2.0.0 queued");
    mark(s, is.id, "ann@example.org", STORE_SENT, 250, "2.0.0 queued");
    mark(s, is.id, "eve@example.org", STORE_SENT, 250, "2.0.0 queued");
    todo(s, is.id, &list);
    assert_string_equal(list.data, "");
    assert_int_equal(store_ledger_counts(s, is.id, counts, &e), 0);
    assert_int_equal(counts[STORE_SENT], 4);
    assert_int_equal(counts[STORE_FAILED], 1);
    assert_int_equal(counts[STORE_PENDING] + counts[STORE_DEFERRED], 0);
    buf_release(&list);
    store_close(s);
}

static void
test_store_issues_number_up_and_finish_in_order(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    struct store_issue is[3], got;
    struct store_recipient r[] = {{"a@example.org", NULL}};
    int i;
    (void)state;

    assert_int_equal(store_issue_last(s, &got, &e), 0);
    assert_int_equal(store_issue_unfinished(s, &got, &e), 0);
    for (i = 0; i < 3; i++) {
        new_issue(s, &is[i], T0 + i * 7 * DAY, r, 1);
        assert_int_equal(is[i].number, i + 1);
        assert_int_equal(is[i].status, STORE_ISSUE_SENDING);
    }
    assert_int_equal(store_issue_last(s, &got, &e), 1);
    assert_int_equal(got.number, 3);
    assert_int_equal(got.id, is[2].id);
    assert_int_equal(got.period_end, T0 + 14 * DAY);
    store_issue_release(&got);

    /* The oldest unfinished issue comes first, until all are sent. */
    for (i = 0; i < 3; i++) {
        assert_int_equal(store_issue_unfinished(s, &got, &e), 1);
        assert_int_equal(got.number, i + 1);
        assert_int_equal(got.status, STORE_ISSUE_SENDING);
        store_issue_release(&got);
        assert_int_equal(store_issue_mark_sent(s, is[i].id, T0, &e), 0);
    }
    assert_int_equal(store_issue_unfinished(s, &got, &e), 0);
    assert_int_equal(store_issue_last(s, &got, &e), 1);
    assert_int_equal(got.number, 3);
    assert_int_equal(got.status, STORE_ISSUE_SENT);
    store_issue_release(&got);
    store_close(s);
}

static void
test_store_issues_sent_lists_only_sent_issues_by_number(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    struct store_issue is[3], *v = NULL;
    struct store_recipient r[] = {{"a@example.org", NULL}};
    size_t n = 99, i;
    (void)state;

    assert_int_equal(store_issues_sent(s, &v, &n, &e), 0);
    assert_int_equal(n, 0);
    free(v);
    for (i = 0; i < 3; i++)
        new_issue(s, &is[i], T0 + (int64_t)i * 7 * DAY, r, 1);
    /* 3 and 1 are sent (in that order), 2 is still sending. */
    assert_int_equal(store_issue_mark_sent(s, is[2].id, T0 + 30 * DAY, &e),
                     0);
    assert_int_equal(store_issue_mark_sent(s, is[0].id, T0 + DAY, &e), 0);
    assert_int_equal(store_issues_sent(s, &v, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].number, 1);
    assert_int_equal(v[0].sent, T0 + DAY);
    assert_int_equal(v[0].status, STORE_ISSUE_SENT);
    assert_int_equal(v[0].narticles, is[0].narticles);
    assert_int_equal(v[1].number, 3);
    assert_int_equal(v[1].sent, T0 + 30 * DAY);
    assert_int_equal(v[1].period_end, is[2].period_end);
    for (i = 0; i < n; i++)
        store_issue_release(&v[i]);
    free(v);
    for (i = 0; i < 3; i++)
        store_issue_release(&is[i]);
    store_close(s);
}

static void
test_store_rolled_back_issue_leaves_no_issue_and_no_ledger_row(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    struct store_issue is, bad, got;
    struct store_recipient r[] = {{"a@example.org", NULL},
                                  {"b@example.org", NULL}};
    struct buf list = BUF_INIT;
    int64_t counts[4], missing = 999;
    (void)state;

    /* The caller's transaction holds the freeze; its rollback undoes it. */
    assert_int_equal(store_begin(s, &e), 0);
    new_issue(s, &is, T0, r, 2);
    assert_int_equal(is.number, 1);
    store_rollback(s);
    assert_int_equal(store_issue_last(s, &got, &e), 0);
    assert_int_equal(store_issue_unfinished(s, &got, &e), 0);
    todo(s, is.id, &list);
    assert_string_equal(list.data, "");
    assert_int_equal(store_ledger_counts(s, is.id, counts, &e), 0);
    assert_int_equal(counts[0] + counts[1] + counts[2] + counts[3], 0);

    /* A freeze that fails half way (the issue row written, then an
     * article that does not exist) leaves nothing either. */
    memset(&bad, 0, sizeof(bad));
    bad.articles = &missing;
    bad.narticles = 1;
    assert_int_equal(store_issue_create(s, &bad, r, 2, &e), -1);
    assert_int_equal(store_issue_last(s, &got, &e), 0);
    assert_int_equal(store_ledger_counts(s, bad.id, counts, &e), 0);
    assert_int_equal(counts[0] + counts[1] + counts[2] + counts[3], 0);

    /* And the number is not used up. */
    new_issue(s, &is, T0, r, 2);
    assert_int_equal(is.number, 1);
    todo(s, is.id, &list);
    assert_string_equal(list.data, "a@example.org,b@example.org");
    buf_release(&list);
    store_close(s);
}

static int
streak_of(struct store *s, const char *address, int k)
{
    struct err e = ERR_INIT;
    int streak = -1;

    if (store_ledger_failed_streak(s, address, k, &streak, &e) < 0)
        fail_msg("%s", e.msg);
    return streak;
}

static void
test_store_failed_streak_counts_hard_bounces_in_a_row(void **state)
{
    struct store *s = fresh();
    struct store_issue is[3];
    struct store_recipient r[] = {{"gone@example.org", NULL},
                                  {"flaky@example.org", NULL},
                                  {"left@example.org", NULL},
                                  {"busy@example.org", NULL}};
    int i;
    (void)state;

    for (i = 0; i < 3; i++) {
        new_issue(s, &is[i], T0 + i * 7 * DAY, r, ARRAY_SIZE(r));
        mark(s, is[i].id, "gone@example.org", STORE_FAILED, 550,
             "5.1.1 recipient unknown");
        /* Bounced, delivered, bounced: only the newest one is in a row. */
        mark(s, is[i].id, "flaky@example.org",
             i == 1 ? STORE_SENT : STORE_FAILED, i == 1 ? 250 : 550, "x");
        mark(s, is[i].id, "busy@example.org", STORE_DEFERRED, 450, "busy");
    }
    /* Left the list after the last freeze: failed, but not a bounce. */
    mark(s, is[0].id, "left@example.org", STORE_FAILED, 550, "x");
    mark(s, is[1].id, "left@example.org", STORE_FAILED, 550, "x");
    mark(s, is[2].id, "left@example.org", STORE_FAILED, 0, "unsubscribed");

    assert_int_equal(streak_of(s, "gone@example.org", 3), 3);
    assert_int_equal(streak_of(s, "GONE@Example.org", 2), 2);
    assert_int_equal(streak_of(s, "flaky@example.org", 3), 1);
    assert_int_equal(streak_of(s, "left@example.org", 3), 0);
    assert_int_equal(streak_of(s, "busy@example.org", 3), 0);
    assert_int_equal(streak_of(s, "nobody@example.org", 3), 0);
    store_close(s);
}

static void
test_store_reopening_the_file_keeps_issues_and_ledger(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    struct article a;
    struct store_issue one, two, got;
    struct store_recipient r[] = {{"b@example.org", NULL},
                                  {"a@example.org", "Áile Somby"},
                                  {"c@example.org", NULL}};
    struct store_ledger_row *v;
    struct buf list = BUF_INIT;
    int64_t id, counts[4], n;
    size_t nv;
    char *value = NULL;
    (void)state;

    make(&a, "x", "1", "One", "Somby", T0);
    id = put(s, &a, true);
    assert_int_equal(store_meta_set(s, "handled_slot", "1753142400", &e), 0);
    memset(&one, 0, sizeof(one));
    one.created = one.slot = one.period_end = T0;
    one.articles = &id;
    one.narticles = 1;
    assert_int_equal(store_issue_create(s, &one, r, 3, &e), 0);
    mark(s, one.id, "a@example.org", STORE_SENT, 250, "2.0.0 queued");
    mark(s, one.id, "b@example.org", STORE_DEFERRED, 451, "4.3.0 try later");
    assert_int_equal(store_issue_mark_sent(s, one.id, T0, &e), 0);
    new_issue(s, &two, T0 + 7 * DAY, r, 3);
    mark(s, two.id, "c@example.org", STORE_FAILED, 550, "5.1.1 unknown");
    store_close(s);

    assert_int_equal(store_open(path, &s, &e), 0);
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_meta_get(s, "handled_slot", &value, &e), 0);
    assert_string_equal(value, "1753142400");
    free(value);
    assert_int_equal(store_issue_last(s, &got, &e), 1);
    assert_int_equal(got.number, 2);
    store_issue_release(&got);
    assert_int_equal(store_issue_unfinished(s, &got, &e), 1);
    assert_int_equal(got.id, two.id);
    store_issue_release(&got);
    todo(s, one.id, &list);
    assert_string_equal(list.data, "b@example.org,c@example.org");
    assert_int_equal(store_ledger_todo(s, one.id, &v, &nv, &e), 0);
    assert_int_equal(nv, 2);
    assert_int_equal(v[0].code, 451);
    assert_string_equal(v[0].reply, "4.3.0 try later");
    store_ledger_row_release(&v[0]);
    store_ledger_row_release(&v[1]);
    free(v);
    todo(s, two.id, &list);
    assert_string_equal(list.data, "a@example.org,b@example.org");
    assert_int_equal(store_ledger_counts(s, one.id, counts, &e), 0);
    assert_int_equal(counts[STORE_SENT], 1);
    assert_int_equal(counts[STORE_DEFERRED], 1);
    assert_int_equal(counts[STORE_PENDING], 1);
    assert_int_equal(store_ledger_counts(s, two.id, counts, &e), 0);
    assert_int_equal(counts[STORE_FAILED], 1);
    assert_int_equal(counts[STORE_PENDING], 2);
    buf_release(&list);
    article_release(&a);
    store_close(s);
}

/* What is put comes back: every stored field, dates with their offset
 * and precision. */
static void
test_store_article_round_trips_every_field(void **state)
{
    struct store *s = fresh();
    struct article a, got;
    struct err e = ERR_INIT;
    int64_t id;
    (void)state;

    make(&a, "journal", "urn:j:1", "Ice and Law", "Hauksdóttir", T0);
    a.url = xstrdup("https://journal.example/ice");
    a.doi = xstrdup("10.1234/ice.1");
    a.container = xstrdup("The Polar Journal");
    a.abstract = xstrdup("On ice and law.");
    a.published.offset = 120;
    a.updated.t = T0 + 3600;
    a.updated.offset = -300;
    a.updated.prec = DT_PREC_SECOND;
    article_add_keyword(&a, "Svalbard");
    a.score = 2.5;
    a.matched = xcalloc(2, sizeof(char *));
    a.matched[0] = xstrdup("svalbard");
    a.matched[1] = xstrdup("ice law");
    a.nmatched = a.matched_alloc = 2;
    id = put(s, &a, true);
    assert_int_equal(store_article_get(s, id, &got, &e), 0);
    assert_string_equal(got.source, "journal");
    assert_string_equal(got.guid, "urn:j:1");
    assert_string_equal(got.url, "https://journal.example/ice");
    assert_string_equal(got.doi, "10.1234/ice.1");
    assert_string_equal(got.title, "Ice and Law");
    assert_string_equal(got.container, "The Polar Journal");
    assert_string_equal(got.abstract, "On ice and law.");
    assert_int_equal(got.published.t, T0);
    assert_int_equal(got.published.offset, 120);
    assert_int_equal(got.published.prec, DT_PREC_DAY);
    assert_int_equal(got.updated.t, T0 + 3600);
    assert_int_equal(got.updated.offset, -300);
    assert_int_equal(got.updated.prec, DT_PREC_SECOND);
    assert_int_equal(got.nauthors, 1);
    assert_string_equal(got.authors[0].family, "Hauksdóttir");
    assert_int_equal(got.nkeywords, 1);
    assert_string_equal(got.keywords[0], "Svalbard");
    assert_true(got.score == 2.5);
    assert_int_equal(got.nmatched, 2);
    assert_string_equal(got.matched[0], "svalbard");
    assert_string_equal(got.matched[1], "ice law");
    article_release(&got);
    article_release(&a);
    store_close(s);
}

/* Run sql on the state file from outside, as a second connection. */
static void
exec_sql(const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

/* A write that fails inside the put (injected by a trigger) fails the put
 * and rolls it all back, for a new work and for a merge alike. */
static void
test_store_article_put_failing_inside_rolls_back(void **state)
{
    struct store *s = fresh();
    struct article a;
    struct err e = ERR_INIT;
    bool is_new;
    int64_t id = 0, n;
    (void)state;

    make(&a, "journal", "j-1", "Ice and Law", "Lee", T0);
    put(s, &a, true);
    exec_sql("CREATE TRIGGER no_kw BEFORE INSERT ON article_keywords "
             "BEGIN SELECT RAISE(ABORT, 'injected keyword failure'); END;"
             "CREATE TRIGGER no_art BEFORE INSERT ON articles "
             "BEGIN SELECT RAISE(ABORT, 'injected article failure'); END;");
    /* merge: one keyword more than stored */
    article_add_keyword(&a, "Svalbard");
    assert_int_equal(store_article_put(s, &a, T0, &is_new, &id, &e), -1);
    assert_non_null(strstr(e.msg, "injected keyword failure"));
    article_release(&a);
    /* a new work */
    make(&a, "journal", "j-2", "Another Work", "Doe", T0);
    e = (struct err)ERR_INIT;
    assert_int_equal(store_article_put(s, &a, T0, &is_new, &id, &e), -1);
    assert_non_null(strstr(e.msg, "injected article failure"));
    assert_int_equal(store_articles_count(s, &n, &e), 0);
    assert_int_equal(n, 1);
    article_release(&a);
    store_close(s);
}

/* An issue is read back by its own id and number, which differ once ids
 * are not 1, 2, 3 (a row written by an older version), with its
 * articles; a state that cannot be read fails. */
static void
test_store_issue_read_back_by_id_and_number(void **state)
{
    struct store *s = fresh();
    struct err e = ERR_INIT;
    struct store_issue is, got;
    struct store_recipient r[] = {{"a@example.org", "Ann"}};
    struct store_ledger_row *rows = NULL;
    size_t n = 0;
    (void)state;

    exec_sql("INSERT INTO issues (id, number, created, slot, period_start, "
             "period_end, status, sent) VALUES (50, 0, 0, 0, 0, 0, 1, 0);");
    new_issue(s, &is, T0, r, 1);
    assert_int_equal(is.number, 1);
    assert_int_equal(is.id, 51);
    assert_int_equal(store_issue_last(s, &got, &e), 1);
    assert_int_equal(got.id, 51);
    assert_int_equal(got.number, 1);
    assert_int_equal(got.slot, T0);
    assert_int_equal(got.period_start, T0 - 7 * DAY);
    store_issue_release(&got);
    assert_int_equal(store_issue_unfinished(s, &got, &e), 1);
    assert_int_equal(got.id, 51);
    assert_int_equal(got.number, 1);
    store_issue_release(&got);
    /* a ledger row is back to all zero after release */
    assert_int_equal(store_ledger_todo(s, is.id, &rows, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].name, "Ann");
    store_ledger_row_release(&rows[0]);
    assert_null(rows[0].address);
    assert_null(rows[0].name);
    assert_int_equal(rows[0].attempts, 0);
    assert_int_equal(rows[0].code, 0);
    free(rows);
    /* the issue's articles cannot be read: an error, not "no issue" */
    exec_sql("DROP TABLE issue_articles;");
    e = (struct err)ERR_INIT;
    assert_int_equal(store_issue_last(s, &got, &e), -1);
    assert_true(e.msg[0] != '\0');
    store_close(s);
}

/* Statements made at run time (one per table's check on open, one per
 * issue looked up) never fill the statement cache: the queries every
 * article and message runs still get a place in it. */
static void
test_store_cache_holds_only_reused_statements(void **state)
{
    struct store *s = fresh();
    struct store_issue is;
    struct err e = ERR_INIT;
    int64_t id;
    size_t before;
    (void)state;

    before = s->ncache;
    for (id = 1; id <= STORE_CACHE_MAX + 10; id++)
        assert_int_equal(store_issue_get(s, id, &is, &e), 0);
    assert_int_equal(s->ncache, before + 1);
    assert_true(s->ncache < STORE_CACHE_MAX / 2);
    store_close(s);
}

/* A read transaction reads, ends, and nests inside a writer's without
 * ending it: the outer rollback still undoes the outer write. */
static void
test_store_read_transaction_reads_and_nests(void **state)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    struct article a, got;
    int64_t first, second;
    (void)state;

    assert_int_equal(store_open_memory(&s, &e), 0);
    make(&a, "src", "g1", "Arctic Shipping", "Aikio", T0);
    first = put(s, &a, true);
    article_release(&a);
    assert_int_equal(store_begin_read(s, &e), 0);
    assert_int_equal(store_article_get(s, first, &got, &e), 0);
    assert_string_equal(got.title, "Arctic Shipping");
    article_release(&got);
    assert_int_equal(store_commit(s, &e), 0);

    assert_int_equal(store_begin(s, &e), 0);
    make(&a, "src", "g2", "Svalbard Treaty", "Nils", T0);
    second = put(s, &a, true);
    article_release(&a);
    assert_int_equal(store_begin_read(s, &e), 0);
    assert_int_equal(store_article_get(s, second, &got, &e), 0);
    article_release(&got);
    assert_int_equal(store_commit(s, &e), 0); /* only counts */
    store_rollback(s);
    assert_int_equal(store_article_get(s, second, &got, &e), -1);
    article_release(&got);
    assert_int_equal(store_article_get(s, first, &got, &e), 0);
    article_release(&got);
    store_close(s);
}

/* Whether issue has an archive record. */
static bool
archived(struct store *s, int64_t issue)
{
    struct store_archived rec;
    struct err e = ERR_INIT;
    int found = store_archived_get(s, issue, true, &rec, &e);

    if (found < 0)
        fail_msg("%s", e.msg);
    if (found == 1)
        store_archived_release(&rec);
    return found == 1;
}

static void
test_store_archived_record_round_trips_and_goes_when_an_article_changes(
    void **state)
{
    static char content[] = "&lt;p&gt;two\0articles";
    struct store *s = fresh();
    struct store_recipient r[] = {{"a@example.org", NULL}};
    struct store_archived rec, got;
    struct store_issue is;
    struct article a, b, other;
    struct err e = ERR_INIT;
    int64_t ids[2], elsewhere;
    (void)state;

    make(&a, "journal", "j-1", "Arctic Shipping", "Nils", T0);
    make(&b, "journal", "j-2", "Svalbard Treaty", "Sara", T0);
    ids[0] = put(s, &a, true);
    ids[1] = put(s, &b, true);
    make(&other, "news", "n-1", "Not in the issue", "Ola", T0);
    elsewhere = put(s, &other, true);
    memset(&is, 0, sizeof(is));
    is.created = is.slot = is.period_end = T0;
    is.period_start = T0 - 7 * DAY;
    is.articles = ids;
    is.narticles = 2;
    assert_int_equal(store_issue_create(s, &is, r, 1, &e), 0);
    is.articles = NULL; /* ids are ours */

    /* an issue of no record; then one, read back byte for byte (the
     * content may hold a NUL) */
    assert_false(archived(s, is.id));
    rec.stamp = "stamp-1";
    rec.files = "1:2:3.000000004";
    rec.subject = "Arctic Digest no. 1";
    rec.content = content;
    rec.content_len = sizeof(content) - 1;
    assert_int_equal(store_archived_put(s, is.id, &rec, &e), 0);
    assert_int_equal(store_archived_get(s, is.id, true, &got, &e), 1);
    assert_string_equal(got.stamp, "stamp-1");
    assert_string_equal(got.files, "1:2:3.000000004");
    assert_string_equal(got.subject, "Arctic Digest no. 1");
    assert_int_equal(got.content_len, sizeof(content) - 1);
    assert_memory_equal(got.content, content, sizeof(content));
    store_archived_release(&got);
    /* without its content: the rest of the record, and "" */
    assert_int_equal(store_archived_get(s, is.id, false, &got, &e), 1);
    assert_string_equal(got.stamp, "stamp-1");
    assert_string_equal(got.subject, "Arctic Digest no. 1");
    assert_int_equal(got.content_len, 0);
    assert_string_equal(got.content, "");
    store_archived_release(&got);
    /* a later put replaces it */
    rec.stamp = "stamp-2";
    assert_int_equal(store_archived_put(s, is.id, &rec, &e), 0);
    assert_int_equal(store_archived_get(s, is.id, true, &got, &e), 1);
    assert_string_equal(got.stamp, "stamp-2");
    store_archived_release(&got);
    /* no record for an issue that does not exist */
    assert_int_equal(store_archived_put(s, is.id + 1, &rec, &e), -1);

    /* The same items seen again change nothing: the record stays; an
     * article of no issue changing does not touch it either. */
    assert_int_equal(put(s, &a, false), ids[0]);
    assert_int_equal(put(s, &b, false), ids[1]);
    other.doi = xstrdup("10.5555/other");
    assert_int_equal(put(s, &other, false), elsewhere);
    assert_true(archived(s, is.id));
    /* A merge that fills a gap of one of its articles drops it. */
    b.doi = xstrdup("10.5555/svalbard");
    assert_int_equal(put(s, &b, false), ids[1]);
    assert_false(archived(s, is.id));
    /* So does a longer byline (authors rewritten, nothing else). */
    assert_int_equal(store_archived_put(s, is.id, &rec, &e), 0);
    article_add_person(&a, "Ina", "Berg", NULL);
    assert_int_equal(put(s, &a, false), ids[0]);
    assert_false(archived(s, is.id));

    article_release(&a);
    article_release(&b);
    article_release(&other);
    store_issue_release(&is);
    store_close(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_reopens_and_refuses_a_newer_schema),
        cmocka_unit_test(test_store_source_health_and_validators),
        cmocka_unit_test(test_store_crossref_cache_by_doi_in_any_case),
        cmocka_unit_test(
            test_store_snapshot_reads_the_file_and_never_writes_it),
        cmocka_unit_test(test_store_reader_reads_in_place_and_never_writes),
        cmocka_unit_test(test_store_one_record_per_work),
        cmocka_unit_test(test_store_read_transaction_reads_and_nests),
        cmocka_unit_test(test_store_dedupe_by_doi_alone),
        cmocka_unit_test(test_store_article_round_trips_every_field),
        cmocka_unit_test(test_store_article_put_failing_inside_rolls_back),
        cmocka_unit_test(test_store_issue_read_back_by_id_and_number),
        cmocka_unit_test(test_store_dedupe_by_source_and_guid_alone),
        cmocka_unit_test(
            test_store_dedupe_by_title_and_first_author_within_14_days),
        cmocka_unit_test(
            test_store_dedupe_by_canonical_url_keeps_the_first_link),
        cmocka_unit_test(test_store_migration_keys_the_urls_of_an_older_state),
        cmocka_unit_test(
            test_store_keeps_volume_issue_pages_and_fills_their_gaps),
        cmocka_unit_test(
            test_store_new_articles_skip_sent_issues_and_old_items),
        cmocka_unit_test(
            test_store_memory_state_has_the_schema_and_creates_no_file),
        cmocka_unit_test(
            test_store_ledger_todo_lists_pending_and_deferred_in_address_order),
        cmocka_unit_test(test_store_issues_number_up_and_finish_in_order),
        cmocka_unit_test(test_store_issues_sent_lists_only_sent_issues_by_number),
        cmocka_unit_test(
            test_store_rolled_back_issue_leaves_no_issue_and_no_ledger_row),
        cmocka_unit_test(test_store_failed_streak_counts_hard_bounces_in_a_row),
        cmocka_unit_test(test_store_cache_holds_only_reused_statements),
        cmocka_unit_test(test_store_reopening_the_file_keeps_issues_and_ledger),
        cmocka_unit_test(
            test_store_archived_record_round_trips_and_goes_when_an_article_changes),
        cmocka_unit_test(test_store_title_markup_fills_only_its_own_title),
        cmocka_unit_test(
            test_store_open_refuses_a_state_it_cannot_write_saying_why),
    };
    return cmocka_run_group_tests_name("store", tests, setup,
                                       unit_dir_teardown);
}

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/deliver.h"
#include "arctic_digest/store.h"
#include "arctic_digest/util.h"
#include "oracle.h"
#include "unit_files.h"

#define PYTHON "/usr/bin/python3"
#define T0 ((int64_t)1753142400) /* 2025-07-22T00:00:00Z */
#define MAX_RCPT 8

extern char **environ;

static char servers_dir[4096];
static int seq; /* a fresh state file and outbox for each test */

/* ---- the test's compose callback and clock ---- */

struct composer {
    const char *fail_for; /* compose fails for this address, or NULL */
    const char *fail_alone; /* this address cannot get a message */
    int calls;
    const char *addr[MAX_RCPT]; /* the addresses composed for, and how */
    int composed[MAX_RCPT];     /* often composing succeeded */
    size_t n;
};

static int
compose_cb(void *ctx, const struct store_ledger_row *row,
           struct buf_list *out, struct err *e)
{
    struct composer *c = ctx;
    struct buf msg = BUF_INIT;
    size_t i;

    c->calls++;
    if (c->fail_for && strcmp(row->address, c->fail_for) == 0)
        return err_set(e, ERR_DATA, 0, "no message for this one");
    if (c->fail_alone && strcmp(row->address, c->fail_alone) == 0) {
        err_set(e, ERR_DATA, 0, "not an address we can send to");
        return 1;
    }
    for (i = 0; i < c->n && strcmp(c->addr[i], row->address) != 0; i++)
        ;
    assert_true(i < c->n);
    c->composed[i]++;
    buf_appendf(&msg,
                "From: digest@example.org\r\nTo: %s\r\nSubject: Issue\r\n"
                "\r\nHello %s\r\n",
                row->address, row->name ? row->name : "reader");
    buf_list_add_own(out, &msg);
    buf_release(&msg);
    return 0;
}

static int64_t
clock_cb(void *ctx)
{
    (void)ctx;
    return T0;
}

/* ---- a state with one frozen issue ---- */

struct fixture {
    struct store *s;
    char state[320];
    char outbox[320];
    struct store_issue is;
    struct composer c;
    struct deliver_options o;
};

static void
fixture_init(struct fixture *f, const char *const *addrs, size_t n)
{
    struct store_recipient r[MAX_RCPT];
    struct err e = ERR_INIT;
    size_t i;

    assert_true(n <= MAX_RCPT);
    memset(f, 0, sizeof(*f));
    seq++;
    snprintf(f->state, sizeof(f->state), "%s/state%d.db", unit_dir, seq);
    snprintf(f->outbox, sizeof(f->outbox), "%s/outbox%d", unit_dir, seq);
    if (store_open(f->state, &f->s, &e) < 0)
        fail_msg("%s", e.msg);
    for (i = 0; i < n; i++) {
        r[i].address = addrs[i];
        r[i].name = NULL;
        f->c.addr[i] = addrs[i];
    }
    f->c.n = n;
    f->is.created = f->is.slot = f->is.period_end = T0;
    f->is.period_start = T0 - 7 * 86400;
    if (store_issue_create(f->s, &f->is, r, n, &e) < 0)
        fail_msg("%s", e.msg);
    f->o.outbox = f->outbox;
    f->o.connections = 1;
    f->o.retries = 0;
    f->o.retry_delay_ms = 10;
    f->o.compose = compose_cb;
    f->o.clock = clock_cb;
    f->o.ctx = &f->c;
}

static void
fixture_release(struct fixture *f)
{
    store_close(f->s);
}

static void
counts(struct fixture *f, int64_t c[4])
{
    struct err e = ERR_INIT;

    if (store_ledger_counts(f->s, f->is.id, c, &e) < 0)
        fail_msg("%s", e.msg);
}

/* The ledger row of address still to send, or NULL (caller releases). */
static struct store_ledger_row *
todo_row(struct fixture *f, const char *address, struct store_ledger_row *out)
{
    struct err e = ERR_INIT;
    struct store_ledger_row *v;
    struct store_ledger_row *found = NULL;
    size_t i, n;

    if (store_ledger_todo(f->s, f->is.id, &v, &n, &e) < 0)
        fail_msg("%s", e.msg);
    for (i = 0; i < n; i++) {
        if (!found && strcmp(v[i].address, address) == 0) {
            *out = v[i];
            found = out;
        } else {
            store_ledger_row_release(&v[i]);
        }
    }
    free(v);
    return found;
}

/* Files in a folder whose names end in suffix (all files for ""). */
static int
count_files(const char *folder, const char *suffix)
{
    DIR *d = opendir(folder);
    struct dirent *de;
    int n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name), sl = strlen(suffix);
        if (de->d_name[0] != '.' && len >= sl &&
            strcmp(de->d_name + len - sl, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static int
outbox_count(struct fixture *f)
{
    char path[400];

    snprintf(path, sizeof(path), "%s/new", f->outbox);
    return count_files(path, "");
}

/* Whether the outbox holds the issue's message to address, and only it. */
static bool
outbox_has(struct fixture *f, const char *address)
{
    struct buf name = BUF_INIT, want = BUF_INIT;
    char path[600], chunk[4096];
    FILE *fp;
    size_t n;
    bool ok = false;

    deliver_outbox_name(f->is.number, address, &name);
    snprintf(path, sizeof(path), "%s/new/%s", f->outbox, name.data);
    fp = fopen(path, "rb");
    if (fp) {
        n = fread(chunk, 1, sizeof(chunk) - 1, fp);
        chunk[n] = '\0';
        fclose(fp);
        buf_appendf(&want, "\r\nTo: %s\r\n", address);
        ok = strstr(chunk, want.data) != NULL;
    }
    buf_release(&name);
    buf_release(&want);
    return ok;
}

/* ---- outbox mode ---- */

static const char *const five[] = {"ann@example.org", "bea@example.org",
                                   "cid@example.org", "dan@example.org",
                                   "eve@example.org"};

static void
test_deliver_outbox_writes_one_message_per_row_and_marks_it_sent(void **state)
{
    struct fixture f;
    struct deliver_stats st;
    struct err e = ERR_INIT;
    int64_t c[4];
    size_t i;
    (void)state;

    fixture_init(&f, five, 5);
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, 5);
    assert_int_equal(st.sent, 5);
    assert_int_equal(st.deferred, 0);
    assert_int_equal(st.failed, 0);
    assert_int_equal(outbox_count(&f), 5);
    for (i = 0; i < 5; i++) {
        assert_true(outbox_has(&f, five[i]));
        assert_int_equal(f.c.composed[i], 1);
    }
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 5);
    assert_int_equal(c[STORE_PENDING] + c[STORE_DEFERRED] + c[STORE_FAILED], 0);

    /* Nothing is left, so a second run composes and writes nothing. */
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, 0);
    assert_int_equal(st.sent, 0);
    assert_int_equal(f.c.calls, 5);
    assert_int_equal(outbox_count(&f), 5);
    fixture_release(&f);
}

static void
test_deliver_compose_failure_leaves_its_row_and_a_rerun_sends_the_rest(
    void **state)
{
    struct fixture f;
    struct deliver_stats st, st2;
    struct store_ledger_row row;
    struct err e = ERR_INIT;
    int64_t c[4];
    size_t i;
    (void)state;

    fixture_init(&f, five, 5);
    f.c.fail_for = "cid@example.org";
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     -1);
    assert_non_null(strstr(e.msg, "cid@example.org"));
    /* The row that could not be composed is neither sent nor tried. */
    assert_false(outbox_has(&f, "cid@example.org"));
    assert_non_null(todo_row(&f, "cid@example.org", &row));
    assert_int_equal(row.status, STORE_PENDING);
    assert_int_equal(row.attempts, 0);
    store_ledger_row_release(&row);
    /* Every row marked sent has its one message, and no other has one. */
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], (int64_t)st.sent);
    assert_int_equal(outbox_count(&f), (int)st.sent);
    for (i = 0; i < 5; i++) {
        bool left = todo_row(&f, five[i], &row) != NULL;
        if (left)
            store_ledger_row_release(&row);
        assert_int_equal(outbox_has(&f, five[i]), !left);
    }
    assert_int_equal(c[STORE_SENT] + c[STORE_PENDING], 5);
    assert_int_equal(st.total, 5);
    assert_int_equal(st.deferred + st.failed, 0);
    /* deliver stops the run at a compose failure (deliver.c: "stop"), so
     * the rows after it in address order wait for the next run too. */
    assert_int_equal(st.sent, 2);

    /* The next run sends exactly what is left: no row twice, none
     * skipped. */
    f.c.fail_for = NULL;
    memset(&e, 0, sizeof(e));
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st2, &e),
                     0);
    assert_int_equal(st2.total, 5 - st.sent);
    assert_int_equal(st2.sent, st2.total);
    for (i = 0; i < 5; i++) {
        assert_int_equal(f.c.composed[i], 1);
        assert_true(outbox_has(&f, five[i]));
    }
    assert_int_equal(outbox_count(&f), 5);
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 5);
    fixture_release(&f);
}

static void
test_deliver_one_recipient_without_a_message_fails_alone(void **state)
{
    struct fixture f;
    struct deliver_stats st;
    struct store_ledger_row row;
    struct err e = ERR_INIT;
    int64_t c[4];
    size_t i;
    (void)state;

    fixture_init(&f, five, 5);
    f.c.fail_alone = "bea@example.org";
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, 5);
    assert_int_equal(st.sent, 4);
    assert_int_equal(st.failed, 1);
    for (i = 0; i < 5; i++)
        assert_int_equal(outbox_has(&f, five[i]), i != 1);
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 4);
    assert_int_equal(c[STORE_FAILED], 1);
    assert_int_equal(c[STORE_PENDING] + c[STORE_DEFERRED], 0);
    assert_null(todo_row(&f, "bea@example.org", &row));
    /* Failed is final: a rerun has nothing to do. */
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, 0);
    assert_int_equal(outbox_count(&f), 4);
    fixture_release(&f);
}

static void
test_deliver_dry_run_composes_everything_and_records_nothing(void **state)
{
    struct fixture f;
    struct deliver_stats st;
    struct store_ledger_row row;
    struct err e = ERR_INIT;
    int64_t c[4];
    size_t i;
    (void)state;

    fixture_init(&f, five, 5);
    f.o.dry_run = true;
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(f.c.calls, 5);
    for (i = 0; i < 5; i++)
        assert_int_equal(f.c.composed[i], 1);
    /* The stats say what would have gone. */
    assert_int_equal(st.total, 5);
    assert_int_equal(st.sent, 5);
    /* No outbox, not even its folders; the ledger as it was. */
    assert_int_equal(access(f.outbox, F_OK), -1);
    counts(&f, c);
    assert_int_equal(c[STORE_PENDING], 5);
    for (i = 0; i < 5; i++) {
        assert_non_null(todo_row(&f, five[i], &row));
        assert_int_equal(row.attempts, 0);
        store_ledger_row_release(&row);
    }
    fixture_release(&f);
}

/* ---- SMTP mode, against tests/servers/smtp_faults.py ---- */

struct server {
    pid_t pid;
    char spool[320];
    char url[64];
};

/* Global, so that the test's teardown stops it after a failed assert. */
static struct server srv;

/* Start smtp_faults.py with args (NULL-terminated); false if it cannot. */
static bool
server_start(struct server *sv, const char *const *args)
{
    char script[4200], line[32], errpath[400];
    char *argv[16];
    int fds[2], n = 0;
    posix_spawn_file_actions_t fa;
    FILE *fp;

    memset(sv, 0, sizeof(*sv));
    snprintf(sv->spool, sizeof(sv->spool), "%s/spool%d", unit_dir, seq);
    snprintf(script, sizeof(script), "%s/smtp_faults.py", servers_dir);
    argv[n++] = (char *)PYTHON;
    argv[n++] = script;
    argv[n++] = (char *)"--spool";
    argv[n++] = sv->spool;
    while (*args)
        argv[n++] = (char *)*args++;
    argv[n] = NULL;
    assert_int_equal(pipe(fds), 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    snprintf(errpath, sizeof(errpath), "%s.err", sv->spool);
    posix_spawn_file_actions_addopen(&fa, 2, errpath,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&sv->pid, PYTHON, &fa, NULL, argv, environ) != 0)
        sv->pid = 0;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    fp = fdopen(fds[0], "r");
    assert_non_null(fp);
    if (sv->pid == 0 || !fgets(line, sizeof(line), fp) || atoi(line) <= 0) {
        fclose(fp);
        return false;
    }
    fclose(fp);
    snprintf(sv->url, sizeof(sv->url), "smtp://127.0.0.1:%d", atoi(line));
    return true;
}

static void
server_stop(struct server *sv)
{
    int status;

    if (sv->pid > 0) {
        kill(sv->pid, SIGTERM);
        waitpid(sv->pid, &status, 0);
        sv->pid = 0;
    }
}

static int
stop_server(void **state)
{
    (void)state;
    server_stop(&srv);
    return 0;
}

/* The failed row's status, code and reply, straight from the file: the
 * public API lists only the rows still to send. */
static void
failed_row(struct fixture *f, const char *address, int *status, int *code,
           struct buf *reply)
{
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(f->state, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT status, code, reply FROM "
                                        "deliveries WHERE address = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *status = sqlite3_column_int(st, 0);
    *code = sqlite3_column_int(st, 1);
    buf_append_str(reply, (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void
test_deliver_smtp_defers_450_fails_550_and_a_rerun_sends_the_deferred(
    void **state)
{
    static const char *const rcpts[] = {"ok1@example.org", "busy@example.org",
                                        "gone@example.org", "ok2@example.org"};
    /* --once: busy is refused the first time only. */
    static const char *const args[] = {"--once",           "--r450",
                                       "busy@example.org", "--r550",
                                       "gone@example.org", NULL};
    struct fixture f;
    struct smtp_options so;
    struct deliver_stats st;
    struct store_ledger_row row;
    struct buf reply = BUF_INIT;
    struct err e = ERR_INIT;
    int64_t c[4];
    int status, code;
    (void)state;

    if (access(PYTHON, X_OK) != 0)
        oracle_missing("%s (the SMTP test server)", PYTHON);
    fixture_init(&f, rcpts, 4);
    if (!server_start(&srv, args)) {
        server_stop(&srv);
        fixture_release(&f);
        fail_msg("smtp_faults.py did not start");
    }
    memset(&so, 0, sizeof(so));
    so.url = srv.url;
    so.tls = SMTP_TLS_NONE;
    so.envelope_from = "bounces@example.org";
    so.connect_timeout_s = 10;
    so.response_timeout_s = 10;
    f.o.smtp = &so;

    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, 4);
    assert_int_equal(st.sent, 2);
    assert_int_equal(st.deferred, 1);
    assert_int_equal(st.failed, 1);
    /* 450: deferred, still to send, the reply kept. */
    assert_non_null(todo_row(&f, "busy@example.org", &row));
    assert_int_equal(row.status, STORE_DEFERRED);
    assert_int_equal(row.attempts, 1);
    assert_int_equal(row.code, 450);
    assert_string_equal(row.reply,
                        "4.2.1 <busy@example.org>: mailbox busy, try again");
    store_ledger_row_release(&row);
    /* 550: failed for good, the reply kept. */
    assert_null(todo_row(&f, "gone@example.org", &row));
    failed_row(&f, "gone@example.org", &status, &code, &reply);
    assert_int_equal(status, STORE_FAILED);
    assert_int_equal(code, 550);
    assert_string_equal(reply.data,
                        "5.1.1 <gone@example.org>: recipient unknown");
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 2);

    /* The next run sends the deferred row and nothing else. */
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, 1);
    assert_int_equal(st.sent, 1);
    assert_int_equal(f.c.calls, 5);
    server_stop(&srv);
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 3);
    assert_int_equal(c[STORE_FAILED], 1);
    assert_int_equal(c[STORE_PENDING] + c[STORE_DEFERRED], 0);
    /* The server got each accepted recipient's message exactly once. */
    assert_int_equal(count_files(srv.spool, ".eml"), 3);
    assert_int_equal(count_files(srv.spool, "-ok1@example.org.eml"), 1);
    assert_int_equal(count_files(srv.spool, "-ok2@example.org.eml"), 1);
    assert_int_equal(count_files(srv.spool, "-busy@example.org.eml"), 1);
    buf_release(&reply);
    fixture_release(&f);
}

/* An SMTP URL on 127.0.0.1 at a port that was free a moment ago. */
static void
refused_url(char *url, size_t size)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    snprintf(url, size, "smtp://127.0.0.1:%d", ntohs(sa.sin_port));
}

static void
plain_smtp(struct smtp_options *so, const char *url)
{
    memset(so, 0, sizeof(*so));
    so->url = url;
    so->tls = SMTP_TLS_NONE;
    so->envelope_from = "bounces@example.org";
    so->connect_timeout_s = 10;
    so->response_timeout_s = 10;
}

/* A dry run with an SMTP URL set composes every message, connects to
 * nothing and records nothing. */
static void
test_deliver_smtp_dry_run_composes_everything_and_connects_nowhere(
    void **state)
{
    struct fixture f;
    struct smtp_options so;
    struct deliver_stats st;
    struct err e = ERR_INIT;
    char url[64];
    int64_t c[4];
    size_t i;
    (void)state;

    fixture_init(&f, five, 5);
    refused_url(url, sizeof(url));
    plain_smtp(&so, url);
    f.o.smtp = &so;
    f.o.dry_run = true;
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(f.c.calls, 5);
    for (i = 0; i < 5; i++)
        assert_int_equal(f.c.composed[i], 1);
    assert_int_equal(st.total, 5);
    assert_int_equal(st.sent, 5);
    assert_int_equal(st.failed + st.deferred, 0);
    counts(&f, c);
    assert_int_equal(c[STORE_PENDING], 5);
    fixture_release(&f);
}

/* No server: the run fails as unavailable and no row is lost. */
static void
test_deliver_smtp_refused_connection_leaves_every_row(void **state)
{
    struct fixture f;
    struct smtp_options so;
    struct deliver_stats st;
    struct err e = ERR_INIT;
    char url[64];
    int64_t c[4];
    (void)state;

    fixture_init(&f, five, 5);
    refused_url(url, sizeof(url));
    plain_smtp(&so, url);
    f.o.smtp = &so;
    f.o.retries = 2;
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     -1);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    /* The one message handed over is deferred (one attempt); no retry
     * for a refused connection, the rest stay pending for the next run. */
    assert_int_equal(f.c.calls, 1);
    assert_int_equal(st.sent + st.failed, 0);
    assert_int_equal(st.deferred, 1);
    counts(&f, c);
    assert_int_equal(c[STORE_PENDING], 4);
    assert_int_equal(c[STORE_DEFERRED], 1);
    assert_int_equal(c[STORE_SENT] + c[STORE_FAILED], 0);
    fixture_release(&f);
}

/* A message that cannot be composed (not the recipient's fault) stops the
 * run at once: nothing more is composed, its row and the rest stay. */
static void
test_deliver_smtp_compose_error_stops_the_run(void **state)
{
    static const char *const rcpts[] = {"ann@example.org", "bea@example.org",
                                        "cid@example.org", "dan@example.org"};
    static const char *const args[] = {NULL};
    struct fixture f;
    struct smtp_options so;
    struct deliver_stats st;
    struct err e = ERR_INIT;
    int64_t c[4];
    (void)state;

    if (access(PYTHON, X_OK) != 0)
        oracle_missing("%s (the SMTP test server)", PYTHON);
    fixture_init(&f, rcpts, 4);
    if (!server_start(&srv, args)) {
        server_stop(&srv);
        fixture_release(&f);
        fail_msg("smtp_faults.py did not start");
    }
    plain_smtp(&so, srv.url);
    f.o.smtp = &so;
    f.c.fail_for = "bea@example.org";
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     -1);
    assert_string_equal(e.msg, "composing the message to bea@example.org: "
                               "no message for this one");
    assert_int_equal(f.c.calls, 2);
    server_stop(&srv);
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 1);
    assert_int_equal(c[STORE_PENDING], 3);
    assert_int_equal(count_files(srv.spool, ".eml"), 1);
    fixture_release(&f);
}

/* An outbox write that fails stops the run: what went before is sent
 * (code 0, "written to the outbox"), the failed row and the rest stay. */
static void
test_deliver_outbox_write_failure_stops_the_run(void **state)
{
    struct fixture f;
    struct deliver_stats st;
    struct err e = ERR_INIT;
    struct buf name = BUF_INIT, reply = BUF_INIT;
    char path[700];
    int64_t c[4];
    int status, code;
    (void)state;

    fixture_init(&f, five, 5);
    /* cid's file name is taken by a folder that rename cannot replace */
    deliver_outbox_name(f.is.number, "cid@example.org", &name);
    assert_int_equal(mkdir(f.outbox, 0700), 0);
    snprintf(path, sizeof(path), "%s/new", f.outbox);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/new/%s", f.outbox, name.data);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/new/%s/x", f.outbox, name.data);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     -1);
    assert_int_equal(st.sent, 2);
    assert_int_equal(f.c.calls, 3);
    counts(&f, c);
    assert_int_equal(c[STORE_SENT], 2);
    assert_int_equal(c[STORE_PENDING], 3);
    failed_row(&f, "bea@example.org", &status, &code, &reply);
    assert_int_equal(status, STORE_SENT);
    assert_int_equal(code, 0);
    assert_string_equal(reply.data, "written to the outbox");
    buf_release(&name);
    buf_release(&reply);
    fixture_release(&f);
}

/* ---- setup ---- */

/* ---- a ledger longer than the send loop's window ---- */

#define MANY 1300 /* more than two pages of the loop's 512 */
#define FAIL_EVERY 97

struct counter {
    int composed[MANY];
    int calls;
};

/* r0000@example.org ... : each row's number from its address. */
static int
many_cb(void *ctx, const struct store_ledger_row *row, struct buf_list *out,
        struct err *e)
{
    struct counter *c = ctx;
    struct buf msg = BUF_INIT;
    int k = atoi(row->address + 1);

    assert_true(k >= 0 && k < MANY);
    c->calls++;
    c->composed[k]++;
    if (k % FAIL_EVERY == 0) {
        err_set(e, ERR_DATA, 0, "not an address we can send to");
        return 1;
    }
    buf_appendf(&msg, "To: %s\r\n\r\nHello\r\n", row->address);
    buf_list_add_own(out, &msg);
    buf_release(&msg);
    return 0;
}

static void
many_issue(struct fixture *f, struct counter *c)
{
    struct store_recipient *r = calloc(MANY, sizeof(*r));
    char(*addr)[32] = calloc(MANY, sizeof(*addr));
    struct err e = ERR_INIT;
    size_t i;

    assert_non_null(r);
    assert_non_null(addr);
    fixture_init(f, NULL, 0);
    /* Rows in a shuffled order: the ledger gives them back sorted. */
    for (i = 0; i < MANY; i++) {
        snprintf(addr[i], sizeof(addr[i]), "r%04zu@example.org",
                 (i * 7) % MANY);
        r[i].address = addr[i];
        r[i].name = NULL;
    }
    f->is.created = T0 + 1;
    if (store_issue_create(f->s, &f->is, r, MANY, &e) < 0)
        fail_msg("%s", e.msg);
    free(r);
    free(addr);
    memset(c, 0, sizeof(*c));
    f->o.compose = many_cb;
    f->o.ctx = c;
}

/* The loop reads the ledger a page at a time and drops what is done: every
 * row of a ledger three pages long is composed once, in the outbox and in
 * a dry run (which records nothing, so the pages must not repeat). */
static void
test_deliver_reads_a_long_ledger_page_by_page_once_each(void **state)
{
    struct fixture f;
    struct counter *c = calloc(1, sizeof(*c));
    struct deliver_stats st;
    struct err e = ERR_INIT;
    int64_t n[4];
    size_t i, fails = (MANY + FAIL_EVERY - 1) / FAIL_EVERY;
    (void)state;

    assert_non_null(c);
    many_issue(&f, c);
    f.o.dry_run = true;
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, MANY);
    assert_int_equal(c->calls, MANY);
    for (i = 0; i < MANY; i++)
        assert_int_equal(c->composed[i], 1);
    counts(&f, n);
    assert_int_equal(n[STORE_PENDING], MANY);

    memset(c, 0, sizeof(*c));
    f.o.dry_run = false;
    assert_int_equal(deliver_issue(f.s, f.is.id, f.is.number, &f.o, &st, &e),
                     0);
    assert_int_equal(st.total, MANY);
    assert_int_equal(st.sent, MANY - fails);
    assert_int_equal(st.failed, fails);
    for (i = 0; i < MANY; i++)
        assert_int_equal(c->composed[i], 1);
    assert_int_equal(outbox_count(&f), MANY - fails);
    counts(&f, n);
    assert_int_equal(n[STORE_SENT], MANY - fails);
    assert_int_equal(n[STORE_FAILED], fails);
    assert_int_equal(n[STORE_PENDING] + n[STORE_DEFERRED], 0);
    fixture_release(&f);
    free(c);
}

static int
setup(void **state)
{
    const char *fixtures = getenv("AD_FIXTURES");

    if (unit_dir_setup(state) < 0)
        return -1;
    snprintf(servers_dir, sizeof(servers_dir), "%s/../servers",
             fixtures ? fixtures : "tests/fixtures");
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_deliver_outbox_writes_one_message_per_row_and_marks_it_sent),
        cmocka_unit_test(
            test_deliver_compose_failure_leaves_its_row_and_a_rerun_sends_the_rest),
        cmocka_unit_test(
            test_deliver_dry_run_composes_everything_and_records_nothing),
        cmocka_unit_test(
            test_deliver_one_recipient_without_a_message_fails_alone),
        cmocka_unit_test_teardown(
            test_deliver_smtp_defers_450_fails_550_and_a_rerun_sends_the_deferred,
            stop_server),
        cmocka_unit_test(
            test_deliver_smtp_dry_run_composes_everything_and_connects_nowhere),
        cmocka_unit_test(test_deliver_smtp_refused_connection_leaves_every_row),
        cmocka_unit_test(test_deliver_outbox_write_failure_stops_the_run),
        cmocka_unit_test(
            test_deliver_reads_a_long_ledger_page_by_page_once_each),
        cmocka_unit_test_teardown(test_deliver_smtp_compose_error_stops_the_run,
                                  stop_server),
    };
    return oracle_exit(cmocka_run_group_tests_name("deliver", tests, setup,
                                                   unit_dir_teardown));
}

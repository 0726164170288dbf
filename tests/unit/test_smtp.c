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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"
#include "arctic_digest/log.h"
#include "arctic_digest/smtp.h"
#include "oracle.h"
#include "unit_files.h"

#define PYTHON "/usr/bin/python3"
#define PASSWORD "s3cret-Pa55"
/* base64 of "\0alice\0s3cret-Pa55" (AUTH PLAIN) and of the password alone
 * (AUTH LOGIN) */
#define PLAIN_B64 "AGFsaWNlAHMzY3JldC1QYTU1"
#define LOGIN_B64 "czNjcmV0LVBhNTU="

extern char **environ;

static char servers_dir[4096];
static char certs_dir[64];
static const char *skip_reason;
static bool certs_failed; /* make_certs.sh failed: the server tests fail */

/* The server tests need python3-aiosmtpd and openssl (oracles) and the
 * certificates make_certs.sh makes from them. */
static void
need_server(void)
{
    if (skip_reason)
        oracle_missing("%s", skip_reason);
    if (certs_failed)
        fail_msg("tests/servers/make_certs.sh failed: no test certificates");
}

/* ---- the test's own helpers: temp dirs, servers, the event log ---- */

static int
run_wait(char *const argv[])
{
    pid_t pid;
    int status = 0;

    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct server {
    pid_t pid;
    int port;
    char spool[64];
    char url[128];
};

/* Start tests/servers/SCRIPT with args (NULL-terminated) and --spool. */
static void
server_start(struct server *srv, const char *script, const char *const *args)
{
    char path[4200], line[32], errpath[128];
    char *argv[32];
    int fds[2], n = 0, i = 0;
    posix_spawn_file_actions_t fa;
    FILE *f;

    memset(srv, 0, sizeof(*srv));
    strcpy(srv->spool, "/tmp/ad-smtp-spool-XXXXXX");
    assert_non_null(mkdtemp(srv->spool));
    snprintf(path, sizeof(path), "%s/%s", servers_dir, script);
    snprintf(errpath, sizeof(errpath), "%s/server.err", srv->spool);
    argv[n++] = (char *)PYTHON;
    argv[n++] = path;
    argv[n++] = (char *)"--spool";
    argv[n++] = srv->spool;
    while (args && args[i])
        argv[n++] = (char *)args[i++];
    argv[n] = NULL;
    assert_int_equal(pipe(fds), 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, 2, errpath,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(posix_spawn(&srv->pid, PYTHON, &fa, NULL, argv, environ),
                     0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    f = fdopen(fds[0], "r");
    assert_non_null(f);
    if (!fgets(line, sizeof(line), f))
        fail_msg("server %s printed no port; see %s", script, errpath);
    fclose(f);
    srv->port = atoi(line);
    assert_true(srv->port > 0);
    snprintf(srv->url, sizeof(srv->url), "smtp://127.0.0.1:%d", srv->port);
}

/* Stop the server; its event log is then complete. */
static void
server_stop(struct server *srv)
{
    int status;

    if (srv->pid > 0) {
        kill(srv->pid, SIGTERM);
        waitpid(srv->pid, &status, 0);
        srv->pid = 0;
    }
}

static void
server_cleanup(struct server *srv)
{
    server_stop(srv);
    unit_remove_tree(srv->spool);
}

static void
read_file(const char *path, struct buf *b)
{
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "rb");

    buf_reset(b);
    if (!f)
        return;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(b, chunk, n);
    fclose(f);
}

static void
read_events(const struct server *srv, struct buf *b)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/events.jsonl", srv->spool);
    read_file(path, b);
}

/* How many events of this name (a line has "event": "NAME"). */
static int
count_events(const char *log, const char *name)
{
    char pat[64];
    int n = 0;
    const char *p = log;

    snprintf(pat, sizeof(pat), "\"event\": \"%s\"", name);
    while ((p = strstr(p, pat)) != NULL) {
        n++;
        p += strlen(pat);
    }
    return n;
}

/* The most connections open at once, from connect/disconnect order. */
static int
max_concurrent(const char *log)
{
    int open = 0, max = 0;
    const char *line = log;

    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char one[512];

        snprintf(one, sizeof(one), "%.*s", (int)n, line);
        if (strstr(one, "\"event\": \"connect\""))
            open++;
        if (strstr(one, "\"event\": \"disconnect\""))
            open--;
        if (open > max)
            max = open;
        line += n + (end ? 1 : 0);
    }
    return max;
}

/* The "t" of each event of this name, in order; returns how many. */
static int
event_times(const char *log, const char *name, double *t, int max)
{
    char pat[64];
    int n = 0;
    const char *line = log;

    snprintf(pat, sizeof(pat), "\"event\": \"%s\"", name);
    while (*line && n < max) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char one[1024];
        const char *tp;

        snprintf(one, sizeof(one), "%.*s", (int)len, line);
        tp = strstr(one, "\"t\": ");
        if (strstr(one, pat) && tp)
            t[n++] = strtod(tp + 5, NULL);
        line += len + (end ? 1 : 0);
    }
    return n;
}

static int
count_eml(const struct server *srv)
{
    DIR *d = opendir(srv->spool);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".eml") == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* The spooled message number seq (1-based) for rcpt. */
static void
read_eml(const struct server *srv, int seq, const char *rcpt, struct buf *b)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%06d-%s.eml", srv->spool, seq, rcpt);
    read_file(path, b);
}

/* ---- a batch of jobs and their results ---- */

#define MAX_JOBS 64

struct batch {
    int n, next, done;
    int stop_after; /* next() returns -1 after this many; 0: never */
    char rcpt[MAX_JOBS][64];
    struct buf data[MAX_JOBS];
    struct smtp_result res[MAX_JOBS];
    bool got[MAX_JOBS];
};

/* A message with lines that need dot-stuffing. */
static void
make_message(struct buf *b, const char *rcpt, int i)
{
    buf_reset(b);
    buf_appendf(b,
                "From: Arctic Digest <digest@example.org>\r\n"
                "To: <%s>\r\n"
                "Subject: Arctic Digest test %d\r\n"
                "Message-ID: <test-%d@example.org>\r\n"
                "\r\n"
                "Dear reader %d,\r\n"
                ".a line that starts with a dot\r\n"
                ".\r\n"
                "..two dots\r\n"
                "the end\r\n",
                rcpt, i, i, i);
}

static void
batch_init(struct batch *bt, int n, const char *const *rcpts)
{
    int i;

    memset(bt, 0, sizeof(*bt));
    bt->n = n;
    for (i = 0; i < n; i++) {
        if (rcpts && rcpts[i])
            snprintf(bt->rcpt[i], sizeof(bt->rcpt[i]), "%s", rcpts[i]);
        else
            snprintf(bt->rcpt[i], sizeof(bt->rcpt[i]), "reader%d@example.org",
                     i);
        buf_init(&bt->data[i]);
        make_message(&bt->data[i], bt->rcpt[i], i);
    }
}

static void
batch_release(struct batch *bt)
{
    int i;

    for (i = 0; i < bt->n; i++)
        buf_release(&bt->data[i]);
}

static int
batch_next(void *ctx, struct smtp_job *job)
{
    struct batch *bt = ctx;
    int i = bt->next;

    if (bt->stop_after && i >= bt->stop_after)
        return -1;
    if (i >= bt->n)
        return 0;
    bt->next++;
    job->rcpt = bt->rcpt[i];
    job->data = bt->data[i].data;
    job->len = bt->data[i].len;
    job->user = &bt->res[i];
    return 1;
}

static void
batch_done(void *ctx, const struct smtp_job *job, const struct smtp_result *r)
{
    struct batch *bt = ctx;
    struct smtp_result *slot = job->user;
    int i = (int)(slot - bt->res);

    assert_true(i >= 0 && i < bt->n);
    assert_false(bt->got[i]); /* exactly one done() per job */
    bt->got[i] = true;
    *slot = *r;
    bt->done++;
}

static struct smtp_options
plain_options(const struct server *srv)
{
    struct smtp_options o;

    memset(&o, 0, sizeof(o));
    o.url = srv->url;
    o.tls = SMTP_TLS_NONE;
    o.envelope_from = "bounces@example.org";
    o.helo_domain = "client.example.org";
    o.connect_timeout_s = 10;
    o.response_timeout_s = 10;
    return o;
}

static struct smtp_options
tls_options(const struct server *srv, const char *ca)
{
    static char ca_path[128];
    struct smtp_options o = plain_options(srv);

    snprintf(ca_path, sizeof(ca_path), "%s/%s", certs_dir, ca);
    o.tls = SMTP_TLS_REQUIRED;
    o.ca_file = ca_path;
    return o;
}

static void
cert_args(const char **args, const char *opt)
{
    static char cert[128], key[128];

    snprintf(cert, sizeof(cert), "%s/server.pem", certs_dir);
    snprintf(key, sizeof(key), "%s/server.key", certs_dir);
    args[0] = opt;
    args[1] = cert;
    args[2] = key;
}

static void
assert_all_sent(const struct batch *bt)
{
    int i;

    assert_int_equal(bt->done, bt->n);
    for (i = 0; i < bt->n; i++) {
        if (bt->res[i].outcome != SMTP_SENT)
            fail_msg("job %d to %s: %s %d %s", i, bt->rcpt[i],
                     smtp_outcome_name(bt->res[i].outcome), bt->res[i].code,
                     bt->res[i].reply);
        assert_int_equal(bt->res[i].code, 250);
    }
}

/* ---- aiosmtpd: plain, STARTTLS, smtps, AUTH ---- */

static void
test_smtp_reuses_one_connection_and_keeps_body(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT, eml = BUF_INIT;
    int i;

    (void)state;
    need_server();
    server_start(&srv, "smtp_server.py", NULL);
    batch_init(&bt, 5, NULL);
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    assert_non_null(strstr(bt.res[0].reply, "queued"));
    /* the server got every message byte for byte, dots unstuffed */
    assert_int_equal(count_eml(&srv), 5);
    for (i = 0; i < 5; i++) {
        read_eml(&srv, i + 1, bt.rcpt[i], &eml);
        assert_int_equal(eml.len, bt.data[i].len);
        assert_memory_equal(eml.data, bt.data[i].data, eml.len);
    }
    read_events(&srv, &log);
    assert_int_equal(count_events(log.data, "connect"), 1);
    assert_int_equal(count_events(log.data, "ehlo"), 1);
    assert_int_equal(count_events(log.data, "mail"), 5);
    assert_int_equal(count_events(log.data, "rcpt"), 5);
    assert_non_null(strstr(log.data, "\"name\": \"client.example.org\""));
    assert_non_null(strstr(log.data, "\"from\": \"bounces@example.org\""));
    buf_release(&log);
    buf_release(&eml);
    batch_release(&bt);
    server_cleanup(&srv);
}

/* Messages handed over in pieces cut at the awkward places. */
struct pieces_batch {
    struct batch bt;
    struct buf_list l[MAX_JOBS];
};

static int
pieces_next(void *ctx, struct smtp_job *job)
{
    struct pieces_batch *pb = ctx;
    int i = pb->bt.next;

    if (batch_next(&pb->bt, job) <= 0)
        return 0;
    job->data = NULL;
    job->len = 0;
    job->pieces = &pb->l[i];
    return 1;
}

static void
test_smtp_sends_a_message_in_pieces_byte_for_byte(void **state)
{
    struct server srv;
    struct pieces_batch pb;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf eml = BUF_INIT, piece = BUF_INIT;
    int i;
    size_t k;

    (void)state;
    need_server();
    server_start(&srv, "smtp_server.py", NULL);
    batch_init(&pb.bt, 3, NULL);
    /* The third is large: lines that start with a dot, read by libcurl in
     * several 64 KiB buffers. */
    for (k = 0; k < 4000; k++)
        buf_appendf(&pb.bt.data[2], ".line %zu: %s\r\n", k,
                    "...................................................");
    for (i = 0; i < 3; i++) {
        const struct buf *d = &pb.bt.data[i];
        struct buf_list *l = &pb.l[i];
        size_t start = 0;

        memset(l, 0, sizeof(*l));
        for (k = 0; k < d->len; k++) {
            /* 0: one byte a piece; 1 and 2: a cut inside every CRLF and
             * before every dot, each followed by an empty piece. */
            bool cut = i == 0 || d->data[k] == '\n' || d->data[k] == '.';
            if (cut && k > start) {
                /* copies: borrowed neighbours would be joined again */
                buf_append(&piece, d->data + start, k - start);
                buf_list_add_own(l, &piece);
                buf_list_add(l, d->data + k, 0);
                start = k;
            }
        }
        buf_append(&piece, d->data + start, d->len - start);
        buf_list_add_own(l, &piece);
        assert_int_equal(l->len, d->len);
        assert_true(l->n > 10);
    }
    o = plain_options(&srv);
    assert_int_equal(
        smtp_run(&o, 1, 0, pieces_next, batch_done, &pb, &e), 0);
    server_stop(&srv);
    assert_all_sent(&pb.bt);
    /* the server got every message byte for byte, dots unstuffed */
    assert_int_equal(count_eml(&srv), 3);
    for (i = 0; i < 3; i++) {
        read_eml(&srv, i + 1, pb.bt.rcpt[i], &eml);
        assert_int_equal(eml.len, pb.bt.data[i].len);
        assert_memory_equal(eml.data, pb.bt.data[i].data, eml.len);
        buf_list_release(&pb.l[i]);
    }
    buf_release(&eml);
    buf_release(&piece);
    batch_release(&pb.bt);
    server_cleanup(&srv);
}

static void
test_smtp_starttls_with_test_ca(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    const char *args[5] = {0};

    (void)state;
    need_server();
    cert_args(args, "--starttls");
    args[3] = "--require-starttls";
    server_start(&srv, "smtp_server.py", args);
    batch_init(&bt, 3, NULL);
    o = tls_options(&srv, "ca.pem");
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    assert_int_equal(count_eml(&srv), 3);
    read_events(&srv, &log);
    assert_int_equal(count_events(log.data, "connect"), 1);
    assert_int_equal(count_events(log.data, "starttls"), 1);
    /* EHLO before and after STARTTLS, once per connection */
    assert_int_equal(count_events(log.data, "ehlo"), 2);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_smtps_implicit_tls(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    const char *args[4] = {0};

    (void)state;
    need_server();
    cert_args(args, "--smtps");
    server_start(&srv, "smtp_server.py", args);
    snprintf(srv.url, sizeof(srv.url), "smtps://127.0.0.1:%d", srv.port);
    batch_init(&bt, 2, NULL);
    o = tls_options(&srv, "ca.pem");
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    assert_int_equal(count_eml(&srv), 2);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_certificate_from_unknown_ca_is_refused(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    const char *args[4] = {0};

    (void)state;
    need_server();
    cert_args(args, "--starttls");
    server_start(&srv, "smtp_server.py", args);
    batch_init(&bt, 3, NULL);
    o = tls_options(&srv, "other-ca.pem");
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    server_stop(&srv);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_non_null(strstr(e.msg, "TLS with smtp://127.0.0.1:"));
    /* the job that found out is deferred; no other job was handed out */
    assert_int_equal(bt.next, 1);
    assert_int_equal(bt.done, 1);
    assert_int_equal(bt.res[0].outcome, SMTP_TEMPFAIL);
    read_events(&srv, &log);
    assert_int_equal(count_events(log.data, "mail"), 0);
    assert_int_equal(count_eml(&srv), 0);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_tls_required_without_starttls_sends_no_password(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    const char *args[] = {"--auth", "alice", PASSWORD, "--auth-plaintext",
                          "--no-starttls", NULL};

    (void)state;
    need_server();
    server_start(&srv, "smtp_server.py", args);
    batch_init(&bt, 2, NULL);
    o = tls_options(&srv, "ca.pem");
    o.user = "alice";
    o.password = PASSWORD;
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    server_stop(&srv);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_non_null(strstr(e.msg, "does not offer STARTTLS"));
    assert_null(strstr(e.msg, PASSWORD));
    assert_null(strstr(bt.res[0].reply, PASSWORD));
    assert_int_equal(bt.res[0].outcome, SMTP_TEMPFAIL);
    read_events(&srv, &log);
    assert_int_equal(count_events(log.data, "ehlo"), 1);
    assert_int_equal(count_events(log.data, "auth"), 0);
    assert_int_equal(count_events(log.data, "mail"), 0);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
auth_case(const char *mech)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    char want[64];
    const char *args[9] = {0};

    cert_args(args, "--starttls");
    args[3] = "--auth";
    args[4] = "alice";
    args[5] = PASSWORD;
    args[6] = "--auth-mechs";
    args[7] = mech;
    server_start(&srv, "smtp_server.py", args);
    batch_init(&bt, 3, NULL);
    o = tls_options(&srv, "ca.pem");
    o.user = "alice";
    o.password = PASSWORD;
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    read_events(&srv, &log);
    /* one AUTH for the connection, over TLS, with the chosen mechanism */
    assert_int_equal(count_events(log.data, "auth"), 1);
    snprintf(want, sizeof(want), "\"mechanism\": \"%s\", \"ok\": true", mech);
    assert_non_null(strstr(log.data, want));
    assert_non_null(strstr(log.data, "\"tls\": true"));
    assert_int_equal(count_eml(&srv), 3);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_auth_plain_succeeds(void **state)
{
    (void)state;
    need_server();
    auth_case("PLAIN");
}

static void
test_smtp_auth_login_succeeds(void **state)
{
    (void)state;
    need_server();
    auth_case("LOGIN");
}

static void
test_smtp_wrong_password_is_config_error_without_password(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    const char *args[7] = {0};

    (void)state;
    need_server();
    cert_args(args, "--starttls");
    args[3] = "--auth";
    args[4] = "alice";
    args[5] = "the-right-one";
    server_start(&srv, "smtp_server.py", args);
    batch_init(&bt, 2, NULL);
    o = tls_options(&srv, "ca.pem");
    o.user = "alice";
    o.password = PASSWORD;
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    server_stop(&srv);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_int_equal(e.detail, 535);
    assert_non_null(strstr(e.msg, "refused authentication as 'alice'"));
    assert_null(strstr(e.msg, PASSWORD));
    assert_null(strstr(e.msg, PLAIN_B64));
    assert_int_equal(bt.done, 1);
    assert_int_equal(bt.res[0].outcome, SMTP_TEMPFAIL);
    assert_null(strstr(bt.res[0].reply, PASSWORD));
    assert_int_equal(count_eml(&srv), 0);
    batch_release(&bt);
    server_cleanup(&srv);
}

/* The verbose trace goes to stderr through log_debug: capture it. */
static void
test_smtp_trace_redacts_credentials(void **state)
{
    char trace_path[] = "/tmp/ad-smtp-trace-XXXXXX";
    int fd, saved;
    struct buf trace = BUF_INIT;

    (void)state;
    need_server();
    fd = mkstemp(trace_path);
    assert_true(fd >= 0);
    fflush(stderr);
    saved = dup(2);
    dup2(fd, 2);
    log_set_level(LOG_LEVEL_DEBUG);
    {
        struct server srv;
        struct batch bt;
        struct smtp_options o;
        struct err e = ERR_INIT;
        const char *args[9] = {0};
        int rc;

        cert_args(args, "--starttls");
        args[3] = "--auth";
        args[4] = "alice";
        args[5] = PASSWORD;
        args[6] = "--auth-mechs";
        args[7] = "LOGIN";
        server_start(&srv, "smtp_server.py", args);
        batch_init(&bt, 1, NULL);
        o = tls_options(&srv, "ca.pem");
        o.user = "alice";
        o.password = PASSWORD;
        o.verbose = true;
        rc = smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e);
        batch_release(&bt);
        server_cleanup(&srv);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        close(fd);
        log_set_level(LOG_LEVEL_INFO);
        assert_int_equal(rc, 0);
    }
    read_file(trace_path, &trace);
    unlink(trace_path);
    assert_non_null(strstr(trace.data, "> AUTH LOGIN [redacted]"));
    assert_non_null(strstr(trace.data, "> [credentials redacted]"));
    assert_non_null(strstr(trace.data, "> MAIL FROM:<bounces@example.org>"));
    assert_null(strstr(trace.data, PASSWORD));
    assert_null(strstr(trace.data, LOGIN_B64));
    buf_release(&trace);
}

/* ---- the fault server ---- */

static void
test_smtp_classifies_450_550_552_per_recipient(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    const char *rcpts[] = {"ok1@example.org", "busy@example.org",
                           "gone@example.org", "big@example.org",
                           "ok2@example.org"};
    const char *args[] = {"--r450", "busy@example.org", "--r550",
                          "gone@example.org", "--r552", "big@example.org",
                          NULL};

    (void)state;
    need_server();
    server_start(&srv, "smtp_faults.py", args);
    batch_init(&bt, 5, rcpts);
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_int_equal(bt.done, 5);
    assert_int_equal(bt.res[0].outcome, SMTP_SENT);
    assert_int_equal(bt.res[1].outcome, SMTP_TEMPFAIL);
    assert_int_equal(bt.res[1].code, 450);
    assert_string_equal(bt.res[1].reply,
                        "4.2.1 <busy@example.org>: mailbox busy, try again");
    assert_int_equal(bt.res[2].outcome, SMTP_PERMFAIL);
    assert_int_equal(bt.res[2].code, 550);
    assert_string_equal(bt.res[2].reply,
                        "5.1.1 <gone@example.org>: recipient unknown");
    assert_int_equal(bt.res[3].outcome, SMTP_PERMFAIL);
    assert_int_equal(bt.res[3].code, 552);
    assert_non_null(strstr(bt.res[3].reply, "message too big"));
    assert_int_equal(bt.res[4].outcome, SMTP_SENT);
    assert_int_equal(bt.res[4].code, 250);
    assert_int_equal(count_eml(&srv), 2);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_drop_during_data_is_tempfail_and_reconnects(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    const char *args[] = {"--drop-nth", "2", "--drop-after", "120", NULL};

    (void)state;
    need_server();
    server_start(&srv, "smtp_faults.py", args);
    batch_init(&bt, 4, NULL);
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_int_equal(bt.done, 4);
    assert_int_equal(bt.res[0].outcome, SMTP_SENT);
    assert_int_equal(bt.res[1].outcome, SMTP_TEMPFAIL);
    assert_int_equal(bt.res[1].code, 0);
    assert_non_null(strstr(bt.res[1].reply, "connection lost during DATA"));
    assert_int_equal(bt.res[2].outcome, SMTP_SENT);
    assert_int_equal(bt.res[3].outcome, SMTP_SENT);
    read_events(&srv, &log);
    assert_int_equal(count_events(log.data, "connect"), 2);
    assert_int_equal(count_eml(&srv), 3);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_421_at_connect_fails_run_as_temporary(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    const char *args[] = {"--greet-421", "--once", NULL};

    (void)state;
    need_server();
    server_start(&srv, "smtp_faults.py", args);
    batch_init(&bt, 3, NULL);
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    assert_int_equal(e.code, ERR_TEMP);
    assert_int_equal(e.detail, 421);
    assert_non_null(strstr(e.msg, "too busy"));
    assert_int_equal(bt.next, 1);
    assert_int_equal(bt.done, 1);
    assert_int_equal(bt.res[0].outcome, SMTP_TEMPFAIL);
    assert_int_equal(bt.res[0].code, 421);
    /* the next run (the server is no longer busy) sends everything */
    bt.next = 0;
    bt.done = 0;
    memset(bt.got, 0, sizeof(bt.got));
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    assert_int_equal(count_eml(&srv), 3);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_stall_times_out_as_tempfail(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct timespec t0, t1;
    double secs;
    const char *rcpts[] = {"slow@example.org", "fast@example.org"};
    const char *args[] = {"--stall-at", "data-end", "--stall-secs", "60",
                          "--stall-rcpt", "slow@example.org", NULL};

    (void)state;
    need_server();
    server_start(&srv, "smtp_faults.py", args);
    batch_init(&bt, 2, rcpts);
    o = plain_options(&srv);
    o.response_timeout_s = 1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    server_stop(&srv);
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* bounded by our timeout, far below the server's 60 s stall */
    assert_true(secs < 30);
    assert_int_equal(bt.res[0].outcome, SMTP_TEMPFAIL);
    assert_int_equal(bt.res[0].code, 0);
    assert_non_null(strstr(bt.res[0].reply, "no reply within 1 s during DATA"));
    assert_int_equal(bt.res[1].outcome, SMTP_SENT);
    batch_release(&bt);
    server_cleanup(&srv);
}

/* ---- pool: connections, rate, errors, options ---- */

static void
test_smtp_three_connections_share_the_work(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    int connects;

    (void)state;
    need_server();
    server_start(&srv, "smtp_server.py", NULL);
    batch_init(&bt, 30, NULL);
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 3, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    assert_int_equal(count_eml(&srv), 30);
    read_events(&srv, &log);
    connects = count_events(log.data, "connect");
    assert_true(connects >= 1 && connects <= 3);
    assert_true(max_concurrent(log.data) <= 3);
    assert_int_equal(count_events(log.data, "ehlo"), connects);
    assert_int_equal(count_events(log.data, "mail"), 30);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_rate_limit_spaces_messages(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct buf log = BUF_INIT;
    double t[8];

    (void)state;
    need_server();
    server_start(&srv, "smtp_server.py", NULL);
    batch_init(&bt, 6, NULL);
    o = plain_options(&srv);
    /* 10 a second across 2 connections: 6 messages span at least 0.5 s */
    assert_int_equal(smtp_run(&o, 2, 10, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_all_sent(&bt);
    read_events(&srv, &log);
    assert_int_equal(event_times(log.data, "mail", t, 8), 6);
    /* only a lower bound: slowness can never fail it */
    assert_true(t[5] - t[0] >= 0.4);
    buf_release(&log);
    batch_release(&bt);
    server_cleanup(&srv);
}

static void
test_smtp_connection_refused_is_unavailable(void **state)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;
    char want[200];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    (void)state;
    /* a port that was free a moment ago and has no listener */
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    memset(&srv, 0, sizeof(srv));
    snprintf(srv.url, sizeof(srv.url), "smtp://127.0.0.1:%d",
             ntohs(sa.sin_port));
    batch_init(&bt, 3, NULL);
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 2, 0, batch_next, batch_done, &bt, &e), -1);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    snprintf(want, sizeof(want), "cannot connect to %s: Connection refused",
             srv.url);
    assert_string_equal(e.msg, want);
    assert_true(bt.done >= 1 && bt.done == bt.next);
    assert_int_equal(bt.res[0].outcome, SMTP_TEMPFAIL);
    assert_int_equal(bt.res[0].code, 0);
    batch_release(&bt);
}

static void
test_smtp_refuses_bad_options_before_connecting(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;

    (void)state;
    memset(&srv, 0, sizeof(srv));
    strcpy(srv.url, "smtp://127.0.0.1:1");
    batch_init(&bt, 1, NULL);
    o = plain_options(&srv);
    o.user = "alice";
    o.password = PASSWORD;
    o.tls = SMTP_TLS_NONE;
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_non_null(strstr(e.msg, "without TLS"));
    assert_null(strstr(e.msg, PASSWORD));
    o.tls = SMTP_TLS_REQUIRED;
    o.url = "smtp://alice:" PASSWORD "@127.0.0.1:1";
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_null(strstr(e.msg, PASSWORD));
    o.url = "http://127.0.0.1:1";
    assert_int_equal(smtp_run(&o, 1, 0, batch_next, batch_done, &bt, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    o.url = srv.url;
    assert_int_equal(smtp_run(&o, 0, 0, batch_next, batch_done, &bt, &e), -1);
    assert_int_equal(e.code, ERR_CONFIG);
    assert_int_equal(bt.next, 0); /* no job was ever taken */
    batch_release(&bt);
}

static void
test_smtp_next_stop_ends_run_after_jobs_in_flight(void **state)
{
    struct server srv;
    struct batch bt;
    struct smtp_options o;
    struct err e = ERR_INIT;

    (void)state;
    need_server();
    server_start(&srv, "smtp_server.py", NULL);
    batch_init(&bt, 6, NULL);
    bt.stop_after = 4;
    o = plain_options(&srv);
    assert_int_equal(smtp_run(&o, 2, 0, batch_next, batch_done, &bt, &e), 0);
    server_stop(&srv);
    assert_int_equal(bt.done, 4);
    assert_int_equal(count_eml(&srv), 4);
    batch_release(&bt);
    server_cleanup(&srv);
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
    const char *fixtures = getenv("AD_FIXTURES");
    char script[4200];
    char *check[] = {(char *)PYTHON, (char *)"-c", (char *)"import aiosmtpd",
                     NULL};
    char *mk[] = {(char *)"/bin/sh", script, certs_dir, NULL};

    (void)state;
    snprintf(servers_dir, sizeof(servers_dir), "%s/../servers",
             fixtures ? fixtures : "tests/fixtures");
    if (access(PYTHON, X_OK) != 0) {
        skip_reason = "no " PYTHON;
    } else if (run_wait(check) != 0) {
        skip_reason = "python3-aiosmtpd is not installed";
    } else {
        strcpy(certs_dir, "/tmp/ad-smtp-certs-XXXXXX");
        if (!mkdtemp(certs_dir))
            return -1;
        snprintf(script, sizeof(script), "%s/make_certs.sh", servers_dir);
        /* openssl missing is a missing oracle; openssl failing is a bug
         * in make_certs.sh, and every server test fails on it. */
        if (access("/usr/bin/openssl", X_OK) != 0)
            skip_reason = "no /usr/bin/openssl to make test certificates";
        else if (run_wait(mk) != 0)
            certs_failed = true;
    }
    if (skip_reason)
        fprintf(stderr, "test_smtp: skipping server tests: %s\n",
                skip_reason);
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    if (certs_dir[0])
        unit_remove_tree(certs_dir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp_reuses_one_connection_and_keeps_body),
        cmocka_unit_test(test_smtp_sends_a_message_in_pieces_byte_for_byte),
        cmocka_unit_test(test_smtp_starttls_with_test_ca),
        cmocka_unit_test(test_smtp_smtps_implicit_tls),
        cmocka_unit_test(test_smtp_certificate_from_unknown_ca_is_refused),
        cmocka_unit_test(
            test_smtp_tls_required_without_starttls_sends_no_password),
        cmocka_unit_test(test_smtp_auth_plain_succeeds),
        cmocka_unit_test(test_smtp_auth_login_succeeds),
        cmocka_unit_test(
            test_smtp_wrong_password_is_config_error_without_password),
        cmocka_unit_test(test_smtp_trace_redacts_credentials),
        cmocka_unit_test(test_smtp_classifies_450_550_552_per_recipient),
        cmocka_unit_test(test_smtp_drop_during_data_is_tempfail_and_reconnects),
        cmocka_unit_test(test_smtp_421_at_connect_fails_run_as_temporary),
        cmocka_unit_test(test_smtp_stall_times_out_as_tempfail),
        cmocka_unit_test(test_smtp_three_connections_share_the_work),
        cmocka_unit_test(test_smtp_rate_limit_spaces_messages),
        cmocka_unit_test(test_smtp_connection_refused_is_unavailable),
        cmocka_unit_test(test_smtp_refuses_bad_options_before_connecting),
        cmocka_unit_test(test_smtp_next_stop_ends_run_after_jobs_in_flight),
    };

    return oracle_exit(cmocka_run_group_tests_name("smtp", tests, group_setup,
                                                   group_teardown));
}

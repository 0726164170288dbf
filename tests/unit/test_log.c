#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "arctic_digest/log.h"

#define SYSLOG_PATH "/dev/log"
#define JOURNAL_DIR "/run/systemd/journal"
#define JOURNAL_PATH JOURNAL_DIR "/socket"

/* stderr goes to a temporary file between capture_start and capture_end,
 * which returns what was written (static storage). */
static FILE *cap;
static int saved_fd = -1;

static void
capture_start(void)
{
    fflush(stderr);
    cap = tmpfile();
    assert_non_null(cap);
    saved_fd = dup(2);
    assert_true(saved_fd >= 0);
    assert_int_equal(dup2(fileno(cap), 2), 2);
}

static const char *
capture_end(void)
{
    static char out[4096];
    size_t n;

    fflush(stderr);
    assert_int_equal(dup2(saved_fd, 2), 2);
    close(saved_fd);
    rewind(cap);
    n = fread(out, 1, sizeof(out) - 1, cap);
    out[n] = '\0';
    fclose(cap);
    return out;
}

static void
test_log_lines_have_the_program_and_level(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_DEBUG);
    assert_int_equal(log_get_level(), LOG_LEVEL_DEBUG);
    capture_start();
    log_error("cannot read template '%s': %s", "layout.html",
              "No such file or directory");
    log_warn("feed '%s' is empty", "arctic-today");
    log_info("%d sent", 3);
    log_debug("slot %s", "2025-07-28T07:00:00+02:00");
    assert_string_equal(capture_end(),
                        "arctic-digest: error: cannot read template "
                        "'layout.html': No such file or directory\n"
                        "arctic-digest: warning: feed 'arctic-today' is "
                        "empty\n"
                        "arctic-digest: info: 3 sent\n"
                        "arctic-digest: debug: slot "
                        "2025-07-28T07:00:00+02:00\n");
}

/* -q shows errors only, the default info and up, -v debug too. */
static void
test_log_level_filters(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_ERROR);
    capture_start();
    log_warn("w");
    log_info("i");
    log_debug("d");
    log_error("e");
    assert_string_equal(capture_end(), "arctic-digest: error: e\n");
    log_set_level(LOG_LEVEL_WARN);
    capture_start();
    log_warn("w");
    log_info("i");
    assert_string_equal(capture_end(), "arctic-digest: warning: w\n");
    log_set_level(LOG_LEVEL_INFO);
    capture_start();
    log_info("i");
    log_debug("d");
    assert_string_equal(capture_end(), "arctic-digest: info: i\n");
}

/* A line is cut at 1023 octets, never overflowing. */
static void
test_log_long_line_is_cut(void **state)
{
    char big[3000];
    const char *out;
    (void)state;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_set_level(LOG_LEVEL_INFO);
    capture_start();
    log_info("%s", big);
    out = capture_end();
    assert_int_equal(strlen(out), strlen("arctic-digest: info: ") + 1023 + 1);
}

/* A datagram socket bound at path, standing in for syslogd or journald
 * when none runs here (only then, and only as root: a real one is never
 * touched).  -1 when that cannot be done; the caller then checks the
 * fallback only. */
static int
listen_at(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int fd;

    if (geteuid() != 0 || stat(path, &st) == 0)
        return -1;
    if (!strcmp(path, JOURNAL_PATH))
        (void)mkdir("/run/systemd", 0755), (void)mkdir(JOURNAL_DIR, 0755);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The next datagram on fd, NUL-terminated (static storage). */
static const char *
datagram(int fd)
{
    static char msg[4096];
    ssize_t n = recv(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);

    assert_true(n > 0);
    msg[n] = '\0';
    return msg;
}

/* With nothing listening, syslog and journald fall back to stderr, with
 * one warning naming the socket: messages are never dropped silently. */
static void
check_fallback(enum log_sink want, const char *path)
{
    char expect[256];
    struct stat st;

    if (stat(path, &st) == 0)
        skip();
    log_set_level(LOG_LEVEL_DEBUG);
    capture_start();
    assert_int_equal(log_use(want), LOG_SINK_STDERR);
    log_info("still here");
    snprintf(expect, sizeof(expect),
             "arctic-digest: warning: log = %s: nothing listens on %s; "
             "messages go to standard error\n"
             "arctic-digest: info: still here\n",
             want == LOG_SINK_SYSLOG ? "syslog" : "journald", path);
    assert_string_equal(capture_end(), expect);
}

static void
test_log_syslog_without_socket_falls_back(void **state)
{
    (void)state;
    check_fallback(LOG_SINK_SYSLOG, SYSLOG_PATH);
}

static void
test_log_journald_without_socket_falls_back(void **state)
{
    (void)state;
    check_fallback(LOG_SINK_JOURNALD, JOURNAL_PATH);
}

/* Under syslog (cron) only errors still reach stderr, so cron mails the
 * editor when something needs attention; the rest goes to the socket as
 * "<priority>... arctic-digest[pid]: level: text" with facility mail. */
static void
test_log_under_syslog_only_errors_reach_stderr(void **state)
{
    int fd = listen_at(SYSLOG_PATH);
    const char *msg;
    char tag[64];

    (void)state;
    if (fd < 0)
        skip();
    log_set_level(LOG_LEVEL_DEBUG);
    capture_start();
    assert_int_equal(log_use(LOG_SINK_SYSLOG), LOG_SINK_SYSLOG);
    log_warn("to syslog only");
    log_error("both");
    assert_string_equal(capture_end(), "arctic-digest: error: both\n");
    snprintf(tag, sizeof(tag), "arctic-digest[%ld]: ", (long)getpid());
    msg = datagram(fd);
    /* mail (2 << 3) | warning (4) */
    assert_true(!strncmp(msg, "<20>", 4));
    assert_non_null(strstr(msg, tag));
    assert_non_null(strstr(msg, "warning: to syslog only"));
    msg = datagram(fd);
    assert_true(!strncmp(msg, "<19>", 4));
    assert_non_null(strstr(msg, "error: both"));
    capture_start();
    assert_int_equal(log_use(LOG_SINK_STDERR), LOG_SINK_STDERR);
    log_info("back");
    assert_string_equal(capture_end(), "arctic-digest: info: back\n");
    close(fd);
    unlink(SYSLOG_PATH);
}

/* Under journald, entries carry structured fields (the native protocol:
 * one KEY=value per line); errors still reach stderr too. */
static void
test_log_under_journald_fields(void **state)
{
    int fd = listen_at(JOURNAL_PATH);
    const char *msg;

    (void)state;
    if (fd < 0)
        skip();
    log_set_level(LOG_LEVEL_DEBUG);
    capture_start();
    assert_int_equal(log_use(LOG_SINK_JOURNALD), LOG_SINK_JOURNALD);
    log_warn("source '%s' failed 3 runs in a row", "arctic-today");
    log_error("both");
    assert_string_equal(capture_end(), "arctic-digest: error: both\n");
    msg = datagram(fd);
    assert_non_null(
        strstr(msg, "MESSAGE=source 'arctic-today' failed 3 runs in a row\n"));
    assert_non_null(strstr(msg, "PRIORITY=4\n"));
    assert_non_null(strstr(msg, "SYSLOG_IDENTIFIER=arctic-digest\n"));
    assert_non_null(strstr(msg, "SYSLOG_FACILITY=2\n"));
    assert_non_null(strstr(msg, "ARCTIC_DIGEST_LEVEL=warning\n"));
    msg = datagram(fd);
    assert_non_null(strstr(msg, "PRIORITY=3\n"));
    assert_int_equal(log_use(LOG_SINK_STDERR), LOG_SINK_STDERR);
    close(fd);
    unlink(JOURNAL_PATH);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_lines_have_the_program_and_level),
        cmocka_unit_test(test_log_level_filters),
        cmocka_unit_test(test_log_long_line_is_cut),
        cmocka_unit_test(test_log_syslog_without_socket_falls_back),
        cmocka_unit_test(test_log_journald_without_socket_falls_back),
        cmocka_unit_test(test_log_under_syslog_only_errors_reach_stderr),
        cmocka_unit_test(test_log_under_journald_fields),
    };

    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}

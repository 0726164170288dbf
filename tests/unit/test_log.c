#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/log.h"

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

/* Under syslog (cron) only errors still reach stderr, so cron mails the
 * editor when something needs attention. */
static void
test_log_under_syslog_only_errors_reach_stderr(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_DEBUG);
    log_use_syslog(true);
    capture_start();
    log_info("to syslog only");
    log_warn("to syslog only");
    log_error("both");
    assert_string_equal(capture_end(), "arctic-digest: error: both\n");
    log_use_syslog(false);
    capture_start();
    log_info("back");
    assert_string_equal(capture_end(), "arctic-digest: info: back\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_lines_have_the_program_and_level),
        cmocka_unit_test(test_log_level_filters),
        cmocka_unit_test(test_log_long_line_is_cut),
        cmocka_unit_test(test_log_under_syslog_only_errors_reach_stderr),
    };

    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}

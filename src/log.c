#include "arctic_digest/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#define SYSLOG_SOCKET "/dev/log"
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static enum log_level current = LOG_LEVEL_INFO;
static enum log_sink sink = LOG_SINK_STDERR;

static const char *const level_names[] = {"error", "warning", "info",
                                          "debug"};

/* Whether a datagram socket at path takes messages: syslog(3) and
 * sd_journal_send(3) drop them silently when nothing listens. */
static bool
listening(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;
    bool ok;

    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

enum log_sink
log_use(enum log_sink want)
{
    const char *path = want == LOG_SINK_SYSLOG     ? SYSLOG_SOCKET
                       : want == LOG_SINK_JOURNALD ? JOURNAL_SOCKET
                                                   : NULL;

    if (sink == LOG_SINK_SYSLOG)
        closelog();
    sink = LOG_SINK_STDERR;
    if (path && !listening(path)) {
        log_warn("log = %s: nothing listens on %s; messages go to "
                 "standard error",
                 want == LOG_SINK_SYSLOG ? "syslog" : "journald", path);
        return sink;
    }
    if (want == LOG_SINK_SYSLOG)
        openlog("arctic-digest", LOG_PID, LOG_MAIL);
    sink = want;
    return sink;
}

void
log_set_level(enum log_level level)
{
    current = level;
}

enum log_level
log_get_level(void)
{
    return current;
}

static void
emit(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
emit(enum log_level level, const char *fmt, va_list ap)
{
    static const int priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    const char *name = level_names[level];
    char line[1024];

    if (level > current)
        return;
    if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
        line[0] = '\0';
    if (sink == LOG_SINK_SYSLOG)
        syslog(priority[level], "%s: %s", name, line);
    else if (sink == LOG_SINK_JOURNALD)
        sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d",
                        priority[level], "SYSLOG_IDENTIFIER=arctic-digest",
                        "SYSLOG_FACILITY=%d", LOG_MAIL >> 3,
                        "ARCTIC_DIGEST_LEVEL=%s", name, NULL);
    /* Under syslog or journald, errors still reach stderr, so cron mails
     * the editor when something needs attention. */
    if (sink == LOG_SINK_STDERR || level == LOG_LEVEL_ERROR)
        fprintf(stderr, "arctic-digest: %s: %s\n", name, line);
}

#define LOG_FN(fn, level)                                                      \
    void fn(const char *fmt, ...)                                              \
    {                                                                          \
        va_list ap;                                                            \
        va_start(ap, fmt);                                                     \
        emit(level, fmt, ap);                                                  \
        va_end(ap);                                                            \
    }

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

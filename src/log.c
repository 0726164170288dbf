#include "arctic_digest/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static enum log_level current = LOG_LEVEL_INFO;
static bool to_syslog;

void
log_use_syslog(bool on)
{
    if (on && !to_syslog)
        openlog("arctic-digest", LOG_PID, LOG_MAIL);
    else if (!on && to_syslog)
        closelog();
    to_syslog = on;
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
emit(enum log_level level, const char *name, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
emit(enum log_level level, const char *name, const char *fmt, va_list ap)
{
    static const int priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    char line[1024];

    if (level > current)
        return;
    if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
        line[0] = '\0';
    if (to_syslog)
        syslog(priority[level], "%s: %s", name, line);
    /* Under syslog, errors still reach stderr, so cron mails the editor
     * when something needs attention. */
    if (!to_syslog || level == LOG_LEVEL_ERROR)
        fprintf(stderr, "arctic-digest: %s: %s\n", name, line);
}

#define LOG_FN(fn, level, name)                                                \
    void fn(const char *fmt, ...)                                              \
    {                                                                          \
        va_list ap;                                                            \
        va_start(ap, fmt);                                                     \
        emit(level, name, fmt, ap);                                            \
        va_end(ap);                                                            \
    }

LOG_FN(log_error, LOG_LEVEL_ERROR, "error")
LOG_FN(log_warn, LOG_LEVEL_WARN, "warning")
LOG_FN(log_info, LOG_LEVEL_INFO, "info")
LOG_FN(log_debug, LOG_LEVEL_DEBUG, "debug")

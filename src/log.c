#include "arctic_digest/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level current = LOG_LEVEL_INFO;

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
    if (level > current)
        return;
    fprintf(stderr, "arctic-digest: %s: ", name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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

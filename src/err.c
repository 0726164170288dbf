#include "arctic_digest/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
err_set(struct err *e, enum err_code code, int detail, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return -1;
    e->code = code;
    e->detail = detail;
    va_start(ap, fmt);
    if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
        e->msg[0] = '\0';
    va_end(ap);
    return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
    char pre[256], old[sizeof(e->msg)];
    va_list ap;
    int n;

    if (!e)
        return -1;
    va_start(ap, fmt);
    n = vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    memcpy(old, e->msg, sizeof(old));
    n = snprintf(e->msg, sizeof(e->msg), "%s: %s", pre, old);
    if (n < 0)
        e->msg[0] = '\0';
    return -1;
}

int
err_exit_code(enum err_code code)
{
    switch (code) {
    case ERR_OK:
        return 0;
    case ERR_USAGE:
        return 64;
    case ERR_DATA:
        return 65;
    case ERR_NOINPUT:
        return 66;
    case ERR_UNAVAILABLE:
        return 69;
    case ERR_INTERNAL:
        return 70;
    case ERR_CANTCREAT:
        return 73;
    case ERR_IO:
        return 74;
    case ERR_TEMP:
        return 75;
    case ERR_PROTOCOL:
        return 76;
    case ERR_CONFIG:
        return 78;
    }
    return 70;
}

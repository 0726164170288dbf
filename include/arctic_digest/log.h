/*
 * log: leveled one-line messages to stderr, as "arctic-digest: <level>: <msg>",
 * or to syslog ([digest] log = syslog).
 *
 * Formats carry no trailing newline.  Stage modules do not print; they fill
 * struct err and the layer that decides policy logs it once.  Secrets are
 * never logged.
 */
#ifndef ARCTIC_DIGEST_LOG_H
#define ARCTIC_DIGEST_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Also send messages to syslog (facility mail); errors still go to
 * stderr, everything else only to syslog.  Default: off. */
void log_use_syslog(bool on);

/* Messages above level are dropped.  Default: LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/*
 * log: leveled one-line messages to stderr, as "arctic-digest: <level>: <msg>",
 * or to syslog or the systemd journal ([digest] log = syslog | journald).
 *
 * Formats carry no trailing newline.  Stage modules do not print; they fill
 * struct err and the layer that decides policy logs it once.  Secrets are
 * never logged.
 */
#ifndef ARCTIC_DIGEST_LOG_H
#define ARCTIC_DIGEST_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

enum log_sink { LOG_SINK_STDERR, LOG_SINK_SYSLOG, LOG_SINK_JOURNALD };

/* Where messages go.  Under syslog (facility mail) and journald (fields
 * MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, SYSLOG_FACILITY and
 * ARCTIC_DIGEST_LEVEL) errors still go to stderr too, so cron mails them;
 * everything else goes only there.  When nothing listens on the sink's
 * socket (/dev/log, /run/systemd/journal/socket), messages stay on stderr
 * and one warning says so.  Returns the sink in use.  Default: stderr. */
enum log_sink log_use(enum log_sink sink);

/* Messages above level are dropped.  Default: LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

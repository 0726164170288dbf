/*
 * cmd: what the subcommands share: the application state main() sets up,
 * and helpers for reading sources, building an issue and writing files.
 * Only cmd_* code reads the real clock, environment and argv.
 */
#ifndef ARCTIC_DIGEST_CMD_H
#define ARCTIC_DIGEST_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/article.h"
#include "arctic_digest/config.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/err.h"

struct app {
    const char *config_arg; /* -c FILE, or NULL */
    const char *now_arg;    /* --now TIME, or NULL */
    struct config cfg;
    bool have_cfg;
    struct dt now; /* the clock: --now, [digest] clock, or the real one */
};

enum cmd_needs { CMD_CONFIG = 1 << 0 };

struct cmd {
    const char *name;
    int (*run)(int argc, char **argv, struct app *app);
    unsigned needs;
    const char *usage;   /* arguments, shown by help */
    const char *summary; /* one line, shown by help */
};

int cmd_cite(int argc, char **argv, struct app *app);
int cmd_help(int argc, char **argv, struct app *app);
int cmd_parse(int argc, char **argv, struct app *app);
int cmd_preview(int argc, char **argv, struct app *app);
int cmd_render(int argc, char **argv, struct app *app);

/* The command table (sorted by name) and its size. */
extern const struct cmd cmd_table[];
extern const size_t cmd_count;

/* Log e as an error and return its exit code. */
int cmd_fail(const struct err *e);
/* Print "usage: arctic-digest USAGE" and a hint to stderr; return 64. */
int cmd_usage(const char *usage);

/*
 * Load the configuration: -c FILE, else ./arctic-digest.conf, else the
 * bundled example.  Then fix the clock.
 */
int cmd_setup(struct app *app, struct err *e);

/* A list of articles owned by the list. */
struct article_list {
    struct article *v;
    size_t n, alloc;
};

void article_list_release(struct article_list *l);

/* Read a whole file.  ERR_NOINPUT when missing. */
int cmd_read_file(const char *path, struct buf *out, struct err *e);

/*
 * Parse one feed file (or, later, URL) into l.  source may be NULL.
 */
int cmd_parse_feed(const char *where, const char *source, struct article_list *l,
                   struct err *e);

/* The issue that preview would build now: articles of every source
 * published in the lookback period, deduplicated, newest first. */
struct issue_draft {
    int number;
    struct dt start, end;
    struct article_list articles;
    size_t failed_sources;
};

int cmd_draft_issue(struct app *app, struct issue_draft *d, struct err *e);
void issue_draft_release(struct issue_draft *d);

/* UTC offset of IANA zone at instant t.  ERR_CONFIG for an unknown zone. */
int cmd_zone_offset(const char *zone, int64_t t, int *offset, struct err *e);

/* Split "Name <addr>" into its parts (caller frees both; name may be
 * NULL).  ERR_CONFIG when it holds no address. */
int cmd_split_mailbox(const char *s, char **name, char **addr, struct err *e);

/* Create dir and its parents.  ERR_CANTCREAT on failure. */
int cmd_mkdirs(const char *dir, struct err *e);
/* Write data to path through a temporary file and rename(). */
int cmd_write_file(const char *path, const char *data, size_t n,
                   struct err *e);

#endif

/*
 * cmd: the command layer.  main.c holds the command table; cli.c parses a
 * command's options from its row, prints its help, and satisfies its
 * needs (configuration, clock, run lock, state, secrets) before run() is
 * called; each cmd_<name>.c only reads its options, calls the library
 * and prints.  No command calls another command.  Only this layer reads
 * the real clock, the environment and argv.
 */
#ifndef ARCTIC_DIGEST_CMD_H
#define ARCTIC_DIGEST_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/config.h"
#include "arctic_digest/context.h"
#include "arctic_digest/deliver.h"
#include "arctic_digest/err.h"

/* What a command needs before it runs; main satisfies them in this order
 * and undoes them in reverse. */
enum cmd_needs {
    CMD_CONFIG = 1 << 0,   /* the configuration and the clock */
    CMD_LOCK = 1 << 1,     /* the one-run-at-a-time lock (not dry runs) */
    CMD_STORE = 1 << 2,    /* the state, opened for writing */
    CMD_SNAPSHOT = 1 << 3, /* the state as a private copy in memory:
                              the command never writes it */
    CMD_READ = 1 << 7,     /* the state, read only and not copied */
    CMD_SECRET = 1 << 4,   /* the unsubscribe secret, created if missing
                              (not dry runs) */
    CMD_SMTP = 1 << 5,     /* the SMTP password from the environment or
                              its file */
    CMD_SUBCOMMANDS = 1 << 6 /* argv[1] names a row of subs, run with the
                                rest after this row's needs */
};

enum cmd_opt_flags {
    CMD_OPT_DRY_RUN = 1 << 0, /* set: a dry run (no lock, a snapshot) */
    CMD_OPT_REPEAT = 1 << 1   /* may be given again: values joined by ';' */
};

/* One option of a command: its help line is made from this row. */
struct cmd_opt {
    const char *name; /* long name, without "--" */
    char key;         /* short letter, or 0 for none */
    const char *arg;  /* its argument's name; NULL for a flag */
    const char *help;
    unsigned flags;   /* enum cmd_opt_flags */
};

#define CMD_MAX_OPTS 12

struct app;

struct cmd {
    const char *name;
    int (*run)(struct app *app, int argc, char **argv);
    unsigned needs;          /* enum cmd_needs */
    const struct cmd_opt *opts; /* ends with a row whose name is NULL */
    const char *args;        /* positional arguments, for the usage line */
    int min_args, max_args;  /* how many positional arguments */
    const char *summary;     /* one line, shown by help */
    const char *text;        /* more, shown by COMMAND --help; may be NULL */
    const struct cmd *subs;  /* CMD_SUBCOMMANDS: their table, sorted */
    size_t nsubs;
};

struct app {
    const char *config_arg; /* -c FILE, or NULL */
    const char *now_arg;    /* --now TIME, or NULL */
    struct config cfg;
    bool have_cfg;
    struct context ctx;     /* handed to the library */
    int lock;               /* the run lock's fd, -1 when not held */
    struct buf smtp_password;
    const struct cmd *cmd;  /* the command running */
    char prefix[32];        /* "" or "subscribers " before its name */
    unsigned parent_needs;  /* a subcommand's: its command row's needs */
    const char *optval[CMD_MAX_OPTS]; /* by index in cmd->opts */
    bool optset[CMD_MAX_OPTS];
    struct buf optjoin[CMD_MAX_OPTS]; /* repeated values, joined */
};

int cmd_archive(struct app *app, int argc, char **argv);
int cmd_bounces(struct app *app, int argc, char **argv);
int cmd_cite(struct app *app, int argc, char **argv);
int cmd_collect(struct app *app, int argc, char **argv);
int cmd_cron(struct app *app, int argc, char **argv);
int cmd_help(struct app *app, int argc, char **argv);
int cmd_parse(struct app *app, int argc, char **argv);
int cmd_preview(struct app *app, int argc, char **argv);
int cmd_render(struct app *app, int argc, char **argv);
int cmd_run(struct app *app, int argc, char **argv);
int cmd_send(struct app *app, int argc, char **argv);
int cmd_status(struct app *app, int argc, char **argv);
int cmd_subscribers_add(struct app *app, int argc, char **argv);
int cmd_subscribers_change(struct app *app, int argc, char **argv);
int cmd_subscribers_check(struct app *app, int argc, char **argv);
int cmd_subscribers_confirm(struct app *app, int argc, char **argv);
int cmd_subscribers_import(struct app *app, int argc, char **argv);
int cmd_subscribers_show(struct app *app, int argc, char **argv);
int cmd_subscribers_subscribe(struct app *app, int argc, char **argv);
int cmd_subscribers_token(struct app *app, int argc, char **argv);

/* The command table (sorted by name) and its size (main.c). */
extern const struct cmd cmd_table[];
extern const size_t cmd_count;

/* ---- cli.c: the machinery behind the table ----------------------------- */

/*
 * Run row cmd with argv (argv[0] is its name): parse its options, print
 * its help for -h/--help, check the count of positional arguments,
 * satisfy its needs, call run, release.  Returns the exit code.
 */
int cmd_dispatch(struct app *app, const struct cmd *cmd, int argc,
                 char **argv);
/* The row called name in table (n rows), or NULL. */
const struct cmd *cmd_find(const struct cmd *table, size_t n,
                           const char *name);
/* Print row cmd's usage line, text and options to f.  prefix goes before
 * the name ("subscribers " for a subcommand, else ""). */
void cmd_print_help(FILE *f, const char *prefix, const struct cmd *cmd);
/* Print the version, the versions of the libraries it runs with and the
 * folder of the bundled data to f. */
void cmd_version(FILE *f);
/* Release everything main and cmd_dispatch set up in app. */
void cmd_release(struct app *app);

/* Whether the running command's option name was given; its argument. */
bool cmd_flag(const struct app *app, const char *name);
const char *cmd_arg(const struct app *app, const char *name);

/* Log e as an error and return its exit code. */
int cmd_fail(const struct err *e);
/* Print the running command's usage line and a hint to stderr; 64. */
int cmd_usage(const struct app *app);
/* The pid of the run holding the lock: 0 when none does, -1 when one does
 * but its pid is unknown.  It only looks: it takes no lock. */
long cmd_lock_holder(const struct app *app);
/* app's clock as RFC 3339 (caller frees). */
char *cmd_now_text(const struct app *app);
/* The secret that signs subscriber tokens ([digest]
 * unsubscribe_secret_file) into secret: 0, or the exit code after logging
 * why (78 when the key is unset: "WHAT tokens need ...").  Release it with
 * cmd_secret_wipe(). */
int cmd_token_secret(const struct app *app, const char *what,
                     struct buf *secret);
/* Zero the secret's bytes and release it. */
void cmd_secret_wipe(struct buf *secret);
/* A token as given (arg), or read from standard input when arg is "-":
 * one line, at most 4096 bytes. */
void cmd_token_arg(const char *arg, struct buf *token);
/* The send progress line on a terminal (a deliver_progress_fn). */
void cmd_progress(void *ctx, const struct deliver_stats *st);
/* Log the outcome of deliver_send() (rc, number, st, e), rebuild the
 * archive when an issue went out, and return the exit code: 0, 75 when
 * something is deferred, or the error's (also the archive's). */
int cmd_send_result(const struct app *app, int rc, int number,
                    const struct deliver_stats *st, const struct err *e);
/*
 * Read the bounce mailbox when [bounces] maildir or imap is set (else
 * nothing): 0, or the exit code of a failure (already logged).  In a run
 * a failure is a warning and 0: the digest does not wait for it.
 */
int cmd_collect_bounces(struct app *app, bool in_run);

struct subs_problem;
struct subs_problems;
/* A problem of a subscriber list, logged as "FILE:LINE: message" (a
 * warning or an error); ctx is the file name.  And all of them. */
void cmd_subs_problem(void *ctx, const struct subs_problem *p);
void cmd_subs_problems(const char *file, const struct subs_problems *p);

/* Try the deferred deliveries of earlier issues again (deliver_retry) and
 * log how it went; *deferred is set when some are still deferred.
 * Returns 0, or the exit code of an error. */
int cmd_retry_deferred(struct app *app, bool *deferred);

#endif

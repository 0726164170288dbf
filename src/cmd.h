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
#include "arctic_digest/buf.h"
#include "arctic_digest/config.h"
#include "arctic_digest/deliver.h"
#include "arctic_digest/relevance.h"
#include "arctic_digest/render.h"
#include "arctic_digest/smtp.h"
#include "arctic_digest/store.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/err.h"

struct app {
    const char *config_arg; /* -c FILE, or NULL */
    const char *now_arg;    /* --now TIME, or NULL */
    struct config cfg;
    bool have_cfg;
    struct dt now; /* the clock: --now, [digest] clock, or the real one */
    bool explain;  /* say why each article is in or out */
    struct rel_rules rules; /* from [relevance], built on first use */
    bool have_rules;
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
int cmd_collect(int argc, char **argv, struct app *app);
int cmd_cron(int argc, char **argv, struct app *app);
int cmd_help(int argc, char **argv, struct app *app);
int cmd_parse(int argc, char **argv, struct app *app);
int cmd_preview(int argc, char **argv, struct app *app);
int cmd_render(int argc, char **argv, struct app *app);
int cmd_run(int argc, char **argv, struct app *app);
int cmd_send(int argc, char **argv, struct app *app);
int cmd_status(int argc, char **argv, struct app *app);
int cmd_subscribers(int argc, char **argv, struct app *app);

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


/*
 * Parse one feed file (or, later, URL) into l.  source may be NULL.
 */
int cmd_parse_feed(const char *where, const char *source, struct article_list *l,
                   struct err *e);

/* The next issue as it would be built now (not recorded). */
struct issue_draft {
    int number;
    struct dt start, end;
    struct article_list articles;
    int64_t *ids; /* the articles' ids in the store, parallel */
    size_t ids_alloc;
    size_t failed_sources;
};

void issue_draft_release(struct issue_draft *d);

/* Choose the next issue's articles for an issue ending at end. */
int cmd_select(struct app *app, struct store *st, int64_t end,
               struct issue_draft *d, struct err *e);
/* What the templates see of a draft (no subscriber yet). */
void cmd_render_issue_of(struct app *app, const struct issue_draft *d,
                         struct render_issue *is);
/* Open the state, collect first when asked, and choose (preview, render). */
int cmd_draft_issue(struct app *app, bool collect, struct issue_draft *d,
                    struct err *e);
/*
 * Freeze the next issue with a pending ledger row per recipient: 1 when an
 * issue was made (out filled), 0 when there is nothing to send.
 */
int cmd_freeze_issue(struct app *app, struct store *st, int64_t slot,
                     struct store_issue *out, struct err *e);
/*
 * Whether article id (a) is relevant: kept when any source that carried
 * it takes all articles, else when its score reaches the threshold; why
 * receives the explanation.
 */
int cmd_relevance(struct app *app, struct store *st, int64_t id,
                  struct article *a, bool *keep, struct buf *why,
                  struct err *e);

/* Score a (fills a->score and a->matched) with the config's rules. */
int cmd_score(struct app *app, struct article *a, double weight, bool *keep,
              struct buf *why, struct err *e);

struct collect_summary {
    size_t ok, failed, fresh;
};

/* Fetch and store every source (see cmd_collect.c). */
int cmd_collect_sources(struct app *app, struct store *st,
                        struct collect_summary *sum, struct err *e);
int cmd_collect_crossref(struct app *app, struct store *st,
                         const struct config_source *s, const struct buf *ua,
                         struct collect_summary *sum);
/* Canonical URL, clean abstract: what every collected article gets. */
void cmd_normalize_article(struct article *a);

/*
 * Send (or resume) the current issue; a new one ends at slot (its period
 * end; 0 means now).  Returns 1 when an issue went
 * through the send loop (*stats and *number say how), 0 when there was
 * nothing to send, -1 on error.
 */
int cmd_send_issue(struct app *app, struct store *st, int64_t slot,
                   bool dry_run, struct deliver_stats *stats, int *number,
                   struct err *e);
/* The summary line and exit code of a send. */
int cmd_send_report(int rc, int number, const struct deliver_stats *st,
                    const struct err *e);

/*
 * 1 when the next issue is due now (*slot: its scheduled slot), 0 if not
 * (see cmd_schedule.c).
 */
int cmd_issue_due(struct app *app, struct store *st, int64_t *slot,
                  struct err *e);
/* Remember that slot was dealt with although no issue was sent for it. */
int cmd_mark_slot_handled(struct store *st, int64_t slot, struct err *e);
/* The first scheduled slot after t (UTC seconds). */
int cmd_next_slot(struct app *app, int64_t t, int64_t *next, struct err *e);

/* The one-run-at-a-time lock beside the state file: ERR_TEMP when held. */
int cmd_lock(struct app *app, int *fd, struct err *e);
void cmd_unlock(int fd);
/* The unsubscribe secret, created (0600) on first use. */
int cmd_unsubscribe_secret(struct app *app, struct buf *out, struct err *e);
/* "10/s", "600/min", "3600/h" -> per second; NULL -> 0 (no limit). */
int cmd_parse_rate(const char *s, double *per_second, struct err *e);
/* SMTP options from the config; the password lands in password. */
int cmd_smtp_options(struct app *app, const char *from_addr,
                     struct smtp_options *so, struct buf *password,
                     struct err *e);

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

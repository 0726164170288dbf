/*
 * issue: what the next issue holds and who gets it.
 *
 * The period of an issue runs from the end of the previous one (for the
 * first, from the start of the local day lookback_days back) to its end;
 * its articles are those that are new (store_articles_new), relevant, and
 * at most max_articles, newest first.  An article is relevant when any
 * source that carried it takes all its articles ([source] relevance =
 * all), else when its score under [relevance] reaches the threshold.
 *
 * Freezing stores the issue, its ordered article ids and a pending ledger
 * row for every active subscriber who wants at least one of its articles,
 * in one transaction, before anything is sent.  An address listed twice
 * (compared without regard to case) is one recipient: its first row
 * counts, so an unsubscribe under one spelling holds for all.
 *
 * Topics: a subscriber's tags that name a [topic NAME] are its topics.
 * With none it wants every article; else an article must match one of
 * those topics' terms as the relevance matcher matches (whole words, case
 * and diacritics folded: "NATO" is not in "Senator", "ice" not in
 * "police", "Sami" is in "Sámi").
 *
 * Schedule: the next issue is due when the latest [digest] schedule slot
 * at or before now is later than the last slot handled (the last issue's,
 * or one skipped and remembered as the meta key "handled_slot").  The very
 * first check only starts the schedule.  A slot whose first check comes
 * more than 90 minutes late was missed: catch_up = send sends it anyway,
 * skip skips it.  Several missed slots give one issue.
 */
#ifndef ARCTIC_DIGEST_ISSUE_H
#define ARCTIC_DIGEST_ISSUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/config.h"
#include "arctic_digest/context.h"
#include "arctic_digest/err.h"
#include "arctic_digest/relevance.h"
#include "arctic_digest/store.h"

/* The next issue as it would be built now (not recorded). */
struct issue_draft {
    int number;
    struct dt start, end;
    struct article_list articles;
    int64_t *ids; /* the articles' ids in the store, parallel */
    size_t ids_alloc;
};

void issue_draft_release(struct issue_draft *d);

/*
 * The relevance rules of cfg: [relevance] include (or the built-in list
 * when there is none), exclude and threshold, into r (initialised by this
 * call).  ERR_CONFIG naming the config file and the bad term.
 */
int issue_rules(const struct config *cfg, struct rel_rules *r,
                struct err *e);

/*
 * Choose the articles of the next issue for a period ending at end (UTC
 * seconds) into d (initialised by this call).  With c->explain, each
 * article's decision is logged.  ERR_IO/ERR_DATA from the state,
 * ERR_CONFIG from the rules; d is then released.
 */
int issue_select(const struct context *c, int64_t end, struct issue_draft *d,
                 struct err *e);

struct subs_entry;

/*
 * The roster row (store_roster_add) of list entry s: its tags joined with
 * commas into tags, the rest borrowed from s for as long as m is used.
 */
void issue_roster_member(const struct subs_entry *s, struct buf *tags,
                         struct store_member *m);

/*
 * Freeze the next issue, for the period ending at slot (0: now), with a
 * pending ledger row per recipient, in one transaction.  The list is read
 * one row at a time (subs_scan) into the ledger and the roster
 * (store_roster_clear), which keeps each address's first row, so memory
 * does not grow with the list.  Returns 1 with out filled (release it), 0
 * when there is nothing to send ([digest] empty = skip: the slot is then
 * remembered as handled), -1 on error.
 */
int issue_freeze(const struct context *c, int64_t slot,
                 struct store_issue *out, struct err *e);

/* ---- topics ------------------------------------------------------------ */

struct issue_topics {
    const struct config_topic *topics; /* borrowed from the config */
    struct rel_rules *rules;           /* one per topic */
    size_t n;
    bool *hit; /* after issue_topics_bind: hit[topic * narticles + i] */
    size_t narticles;
};

#define ISSUE_TOPICS_INIT {NULL, NULL, 0, NULL, 0}

/* Build the matchers of cfg's topics.  ERR_CONFIG naming a bad term. */
int issue_topics_init(struct issue_topics *t, const struct config *cfg,
                      struct err *e);
void issue_topics_release(struct issue_topics *t);

/*
 * Match every topic against the n articles of an issue, once: matching
 * folds each article's text, so doing it per subscriber would cost a list
 * of 100,000 a third of its compose time.  Binding again replaces the
 * table (after the articles changed).
 */
void issue_topics_bind(struct issue_topics *t, const struct article *v,
                       size_t n);

/* Whether a subscriber with these tags wants article i of the bound
 * articles (see above). */
bool issue_topics_wants(const struct issue_topics *t, char *const *tags,
                        size_t ntags, size_t i);

/* ---- what changed in the draft (preview --diff) ------------------------ */

/*
 * The draft's articles as the list preview keeps beside its output: a
 * first line "# arctic-digest preview of issue N", then one line per
 * article, "LINK<TAB>TITLE" (LINK the page, else the DOI URL, else empty;
 * control characters in either become spaces).  Appended to out.
 */
void issue_draft_list(const struct issue_draft *d, struct buf *out);

/*
 * Compare d with old (old_len bytes; the issue_draft_list of an earlier
 * preview, or empty): "+ TITLE <LINK>" for each article of d not in old,
 * then "- TITLE <LINK>" for each article of old no longer in d, one a
 * line, appended to out; *added and *dropped count them.  Articles match
 * by link, or by title when they have none.  An old list of another issue
 * number (that issue has been sent since) counts as empty: then every
 * article is added and none dropped.  Never fails: lines it cannot read
 * are skipped.
 */
void issue_draft_diff(const char *old, size_t old_len,
                      const struct issue_draft *d, struct buf *out,
                      size_t *added, size_t *dropped);

/* ---- schedule ---------------------------------------------------------- */

/*
 * 1 when the next issue is due at c->now (*slot: its scheduled slot), 0
 * if not, -1 on error (ERR_CONFIG for a bad schedule or zone).  The first
 * check, and a missed slot with catch_up = skip, record the slot as
 * handled (a dry run's caller rolls that back).
 */
int issue_due(const struct context *c, int64_t *slot, struct err *e);

/* Remember that slot was dealt with although no issue was sent for it. */
int issue_mark_slot_handled(struct store *st, int64_t slot, struct err *e);

/*
 * Where the schedule stands at c->now: the slot dealt with last (*handled;
 * *any is false when none has been yet) and the two latest scheduled
 * slots at or before now (prev[0] the latest).
 */
int issue_schedule_state(const struct context *c, int64_t *handled,
                         bool *any, int64_t prev[2], struct err *e);

/* The first scheduled slot after t (UTC seconds). */
int issue_next_slot(const struct config *cfg, int64_t t, int64_t *next,
                    struct err *e);

#endif

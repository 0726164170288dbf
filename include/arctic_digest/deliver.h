/*
 * deliver: the send loop of one frozen issue, and the policy around it.
 *
 * Takes the issue's ledger rows still to send (pending and deferred), read
 * a page at a time in address order so that memory does not grow with
 * the list (only rows waiting for a retry within the run stay longer),
 * has the caller compose each personalised message, and hands it to SMTP
 * (smtp_run, several connections, a rate limit) or to the outbox maildir.
 * Every outcome is written to the ledger as it arrives, so a crash loses
 * nothing: 2xx -> sent; 4xx or a lost connection -> deferred, retried
 * within the run after a growing delay, then left for the next run;
 * 5xx -> failed with the reply kept.  At most the one message in flight
 * on each connection when the process dies can go twice.
 */
#ifndef ARCTIC_DIGEST_DELIVER_H
#define ARCTIC_DIGEST_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/context.h"
#include "arctic_digest/err.h"
#include "arctic_digest/smtp.h"
#include "arctic_digest/store.h"

struct deliver_stats {
    size_t total;    /* rows to send when the run started */
    size_t sent, deferred, failed;
};

/*
 * Compose the message for one ledger row into out (CRLF line ends), empty
 * when called: in pieces that may borrow from what the context keeps for
 * the whole run (the body shared by every message), which must stay
 * unchanged until the message is sent.
 * Returns 0, or 1 when this row alone cannot get a message (an address no
 * message can go to): the row is then failed with code 0 and e's message,
 * and the run goes on; or -1 (e set) when no message can be composed,
 * which stops the run and leaves the rest for the next one.
 */
typedef int (*deliver_compose_fn)(void *ctx,
                                  const struct store_ledger_row *row,
                                  struct buf_list *out, struct err *e);
typedef void (*deliver_progress_fn)(void *ctx,
                                    const struct deliver_stats *st);
/* The current time (UTC seconds) for ledger entries. */
typedef int64_t (*deliver_clock_fn)(void *ctx);

struct deliver_options {
    const struct smtp_options *smtp; /* NULL: write to the outbox */
    const char *outbox;              /* maildir folder when smtp is NULL */
    int connections;
    double max_per_second; /* 0: no limit */
    int retries;           /* further attempts within the run (2) */
    long retry_delay_ms;   /* before the first retry, doubling (5000) */
    bool dry_run;          /* compose everything, hand over and record
                              nothing */
    /* VERP (bounce.h): each message's envelope sender is made from
     * verp_from ("local@domain") and the secret; NULL: the SMTP options'
     * envelope sender for every message. */
    const char *verp_from;
    const char *verp_secret;
    size_t verp_secret_len;
    deliver_compose_fn compose;
    deliver_progress_fn progress; /* may be NULL */
    deliver_clock_fn clock;
    void *ctx; /* for compose, progress and clock */
};

/*
 * Send what is left of issue (its id and number) as o says and fill *st.
 * Returns 0 when the run went through (rows may still be deferred or
 * failed: see *st), or -1 when nothing could be handed over at all
 * (ERR_UNAVAILABLE: the server cannot be reached; the ledger is as it was)
 * or the ledger cannot be written.
 */
int deliver_issue(struct store *s, int64_t issue, int number,
                  const struct deliver_options *o, struct deliver_stats *st,
                  struct err *e);

/* The outbox file name of an issue's message to address: stable, so a
 * rewrite replaces it. */
void deliver_outbox_name(int number, const char *address, struct buf *out);

/* ---- the whole send of an issue -------------------------------------- */

/*
 * Send (or resume) the current issue under c: the unfinished issue if
 * there is one, else a new one frozen for the period ending at slot (0:
 * now; see issue_freeze).  The list is read once, a row at a time, into
 * the roster (store_roster_clear), from which each ledger row's name,
 * tags and format come when its message is composed (the same function
 * preview uses); rows whose subscriber has left since the freeze are
 * found in SQL and failed with code 0; after the loop, addresses refused in
 * three issues in a row are marked bounced in the list, and the issue is
 * marked sent when nothing is pending (what is deferred is left to
 * deliver_retry: a deferred delivery never holds back the next issue).  smtp_password (may be
 * NULL) goes with [smtp] user; progress (may be NULL) is called as rows
 * finish.  With c->dry_run everything is composed but nothing is handed
 * over, and the list file is not touched (the caller gives a snapshot
 * store, so nothing is recorded either).
 *
 * Returns 1 when an issue went through the send loop (*st and *number say
 * how), 0 when there was nothing to send, -1 on error (the configuration
 * is checked before anything is frozen: ERR_CONFIG).
 */
int deliver_send(const struct context *c, int64_t slot,
                 const char *smtp_password, deliver_progress_fn progress,
                 struct deliver_stats *st, int *number, struct err *e);

/*
 * Try the deferred deliveries of the issues already sent again, oldest
 * issue first, as deliver_send does; first, those of issues frozen more
 * than [smtp] give_up_after ago fail with their last reply (a warning
 * each, counted in st->failed).  Returns 1 when something was retried or
 * given up (*st says how), 0 when nothing was deferred, -1 on error.
 */
int deliver_retry(const struct context *c, const char *smtp_password,
                  deliver_progress_fn progress, struct deliver_stats *st,
                  struct err *e);

/* ---- the confirmation of a sign-up ------------------------------------ */

struct deliver_confirm {
    const char *to_addr;
    const char *to_name; /* the greeting and To name; may be NULL or "" */
    const char *link;    /* the confirmation URL, token included */
    int64_t expires;     /* UTC seconds: the link works until then */
};

/*
 * Mail the confirmation of a sign-up (double opt-in) under c: a text-only
 * message (From [digest] from, Reply-To, Date c->now, a Message-ID of its
 * own, the Subject "Confirm your subscription to TITLE", the link and
 * until when it works), handed at once to [smtp] url (one attempt, no
 * VERP; smtp_password as for send, may be NULL), or written into the
 * outbox when no url is set.  Returns 0 once the server took it (2xx
 * after DATA) or the outbox holds it.  ERR_TEMP for a 4xx or a lost
 * connection, ERR_DATA for a 5xx (both with the reply), otherwise as
 * smtp_run() and outbox_put().
 */
int deliver_confirm(const struct context *c, const char *smtp_password,
                    const struct deliver_confirm *m, struct err *e);

/* "10/s", "600/min", "3600/h" -> per second; NULL -> 0 (no limit). */
int deliver_parse_rate(const char *s, double *per_second, struct err *e);

/*
 * Set address's status in the list ([paths] subscribers) when it is
 * active there, reading only its row: 1 when it was (under c->dry_run only
 * logged), 0 when it is not on the list or not active.  For complaints
 * (unsubscribed) and repeated bounces (bounced).
 */
int deliver_set_if_active(const struct context *c, const char *address,
                          const char *status, struct err *e);

/*
 * Repeated hard bounces: when the last DELIVER_BOUNCE_STREAK issues in a
 * row refused address permanently (5xx, from the server or a bounce read
 * back), mark it bounced as above.  1 when it was marked, else 0.
 */
#define DELIVER_BOUNCE_STREAK 3
int deliver_mark_bouncing(const struct context *c, const char *address,
                          struct err *e);

#endif

/*
 * bounce: VERP envelope senders and reading bounce messages back.
 *
 * VERP.  With [bounces] verp = yes each message goes out with the envelope
 * sender LOCAL+N-HHHHHHHH-MMMMMMMMMMMMMMMM@DOMAIN, where LOCAL@DOMAIN is the
 * configured envelope sender, N the issue number, H the first 5 bytes of
 * SHA-256 of the address (lower-cased) and M the first 10 bytes of
 * HMAC-SHA256(secret, "arctic-digest-verp:" N ":" address), both in
 * lower-case base32 (RFC 4648 alphabet, no padding): 24 characters plus the
 * number, so the local part stays under RFC 5321's 64 octets for any sane
 * LOCAL.  H finds the ledger row of the issue; M proves that we made the
 * token, so a forged bounce cannot fail or unsubscribe anyone.
 *
 * Bounces.  bounce_parse() reads one message and says what it reports, per
 * recipient: an RFC 3464 delivery status notification (multipart/report;
 * report-type=delivery-status), an RFC 5965 abuse report
 * (report-type=feedback-report), or one of the common non-standard notices
 * (qmail, Exim, Sendmail and Exchange texts) read from the text.  It also
 * collects the addresses the bounce was sent to (X-Original-To,
 * Delivered-To, To, Envelope-To), where a VERP token is found.
 *
 * Message text is untrusted: nothing here executes or fetches anything, and
 * every value is bounded and checked before use.
 */
#ifndef ARCTIC_DIGEST_BOUNCE_H
#define ARCTIC_DIGEST_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

/* ---- VERP ------------------------------------------------------------ */

#define VERP_HASH_LEN 8 /* base32 characters of the address hash */
#define VERP_MAC_LEN 16 /* base32 characters of the MAC */

struct verp_token {
    int issue;
    char hash[VERP_HASH_LEN + 1];
    char mac[VERP_MAC_LEN + 1];
};

/* Append the VERP envelope sender of issue's message to address, made from
 * envelope_from ("local@domain"), to out. */
void verp_make(const char *envelope_from, const char *secret,
               size_t secret_len, int issue, const char *address,
               struct buf *out);

/* Whether addr ("local+TOKEN@domain", any case) carries a well-formed
 * token; fills *t.  Says nothing of whether the token is genuine. */
bool verp_token_parse(const char *addr, struct verp_token *t);

/* Whether address hashes to t's hash (a candidate for the token). */
bool verp_token_names(const struct verp_token *t, const char *address);

/* Whether t was made by us for address (hash and MAC, compared in
 * constant time). */
bool verp_token_verify(const struct verp_token *t, const char *secret,
                       size_t secret_len, const char *address);

/* ---- bounce messages ------------------------------------------------- */

enum bounce_kind {
    BOUNCE_NONE,        /* not a bounce (an auto-reply, a letter) */
    BOUNCE_DSN,         /* RFC 3464 */
    BOUNCE_ARF,         /* RFC 5965 complaint */
    BOUNCE_NONSTANDARD, /* a notice in prose */
};

enum bounce_action {
    BOUNCE_FAILED,
    BOUNCE_DELAYED,
    BOUNCE_DELIVERED,
    BOUNCE_RELAYED,
    BOUNCE_EXPANDED,
    BOUNCE_COMPLAINT,
};

struct bounce_rcpt {
    char *address;   /* lower-cased; never NULL */
    char status[16]; /* "5.1.1"; "" when none was given */
    enum bounce_action action;
    char *diagnostic; /* the server's words, one line, or NULL */
};

#define BOUNCE_MAX_RCPTS 100
#define BOUNCE_MAX_TO 8

struct bounce {
    enum bounce_kind kind;
    struct bounce_rcpt *rcpts;
    size_t nrcpts;
    /* where the bounce was sent (VERP), lower-cased */
    char *to[BOUNCE_MAX_TO];
    size_t nto;
    char *message_id; /* the bounce's own Message-ID, or NULL */
};

/*
 * Read one message (RFC 5322, any line ends).  Returns 0 and fills *b
 * (kind BOUNCE_NONE for a message that reports nothing), or -1 (ERR_DATA)
 * when it is no message at all.  Free *b with bounce_free().
 */
int bounce_parse(const char *msg, size_t len, struct bounce *b,
                 struct err *e);
void bounce_free(struct bounce *b);

const char *bounce_kind_name(enum bounce_kind k);
const char *bounce_action_name(enum bounce_action a);

/* ---- reading them back (bounce_apply.c) ------------------------------ */

struct context;

struct bounce_report {
    size_t messages;       /* read from the mailboxes */
    size_t failed;         /* deliveries failed by a bounce */
    size_t delayed;        /* delay notices (counted nowhere) */
    size_t complaints;     /* ARF and other complaints */
    size_t not_bounces;    /* auto-replies, letters, other reports */
    size_t forged;         /* VERP tokens we did not make */
    size_t unknown;        /* bounces naming no delivery of ours */
    size_t marked_bounced; /* subscribers marked bounced */
    size_t unsubscribed;   /* subscribers unsubscribed by a complaint */
};

/*
 * Read the new messages of [bounces] maildir and imap (either or both; 0
 * and nothing done when neither is set) and act on each once:
 * - a permanent failure (a 5.x.x status; a 4.x.x one that the remote side
 *   gave up on is failed but not counted) fails that issue's delivery
 *   with the code and "bounce: STATUS DIAGNOSTIC"; three issues in a row
 *   failed with a 5xx mark the subscriber bounced, as an SMTP 5xx does;
 * - a complaint unsubscribes the subscriber at once;
 * - a delay notice, a success report, an auto-reply: nothing.
 * The delivery is the one the VERP token names (a token that does not
 * verify is refused and logged), else the newest issue sent to the
 * recipient the bounce names.  Each message is handled once: its key and
 * Message-ID are remembered in the state, and it is flagged seen (moved
 * to cur/ with S in a maildir).  Under c->dry_run nothing is written or
 * flagged; what would be done is logged.
 */
int bounce_collect(const struct context *c, const char *imap_password,
                   struct bounce_report *r, struct err *e);

#endif

/*
 * smtp: hand messages to an SMTP server through libcurl, one recipient per
 * message, over a pool of reused connections.
 *
 * Implements the client side of RFC 5321 (SMTP) as libcurl speaks it, with
 * RFC 3207 (STARTTLS), RFC 8314 (implicit TLS, smtps://), RFC 4954 (AUTH;
 * PLAIN RFC 4616 and LOGIN as libcurl chooses them) and RFC 1870 (SIZE).
 * libcurl dot-stuffs the data and adds the final "<CRLF>.<CRLF>".
 *
 * Invariants:
 * - This is the only place a CURL handle for SMTP lives; no libcurl type
 *   leaks through this header.
 * - Credentials only travel over TLS: with a password, smtp:// requires
 *   STARTTLS (CURLUSESSL_ALL, never CURLUSESSL_TRY, which silently falls
 *   back to plaintext) and tls = none is refused.  Certificates are always
 *   verified.
 * - The password is never logged and never appears in an error message or
 *   a result; AUTH lines are redacted from the debug trace.
 * - Each job handed out by next() gets exactly one done() call.
 *
 * Connection reuse: each of the `connections` easy handles is reused across
 * messages, so the connection, TLS session and EHLO are reused (one
 * greeting, one or two EHLO and one AUTH per connection).  libcurl closes a
 * connection after any failed transaction (a 4xx/5xx to RCPT or after
 * DATA), so the next message on that handle reconnects; a dropped
 * connection is reopened the same way.
 */
#ifndef ARCTIC_DIGEST_SMTP_H
#define ARCTIC_DIGEST_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

enum smtp_tls {
    SMTP_TLS_REQUIRED, /* smtp:// must STARTTLS; smtps:// is TLS anyway */
    SMTP_TLS_STARTTLS, /* the same as required, named for clarity */
    SMTP_TLS_NONE      /* plaintext smtp://; refused with a password */
};

struct smtp_options {
    const char *url;      /* smtp://host[:port] or smtps://host[:port] */
    const char *user;     /* NULL: no AUTH */
    const char *password; /* borrowed; never logged; NULL: no AUTH */
    enum smtp_tls tls;
    const char *ca_file;       /* PEM bundle; NULL: the system's CAs */
    const char *envelope_from; /* MAIL FROM address, without <> */
    const char *helo_domain;   /* EHLO name; NULL: libcurl's default */
    long connect_timeout_s;    /* 0: libcurl's default (300 s) */
    long response_timeout_s;   /* per reply, and a stalled upload; 0: 60 */
    bool verbose; /* protocol trace through log_debug, AUTH redacted */
};

/*
 * One message for one recipient: the complete message with CRLF line
 * ends, not dot-stuffed, either in pieces (pieces, when not NULL: read in
 * order, so a line, a CRLF or a leading "." may run across two) or in one
 * piece (data and len).  Either must stay valid and unchanged until done()
 * is called for the job.  user is the caller's, untouched.
 */
struct smtp_job {
    const char *rcpt;
    const char *from; /* MAIL FROM for this job (VERP); NULL: the
                         options' envelope_from */
    const struct buf_list *pieces;
    const char *data; /* when pieces is NULL */
    size_t len;
    void *user;
};

enum smtp_outcome {
    SMTP_SENT,     /* 2xx after DATA */
    SMTP_TEMPFAIL, /* 4xx, a lost connection, a timeout: try again later */
    SMTP_PERMFAIL  /* 5xx: do not try again */
};

struct smtp_result {
    enum smtp_outcome outcome;
    int code;       /* last SMTP reply code; 0 if none (connection lost) */
    char reply[512]; /* the server's text ("5.1.1 <a@b>: unknown"), or
                      * ours ("connection lost during DATA") */
};

/*
 * Fill *job and return 1; return 0 when there is nothing to send now (the
 * pool asks again only after a done() call, and returns once every
 * connection is idle); return -1 to stop (jobs in flight still finish).
 */
typedef int (*smtp_next_fn)(void *ctx, struct smtp_job *job);
/* The outcome of a job; job and r are valid for the call only. */
typedef void (*smtp_done_fn)(void *ctx, const struct smtp_job *job,
                             const struct smtp_result *r);

/*
 * Send jobs from next() over up to `connections` parallel connections
 * (at least 1), starting at most max_per_second messages a second across
 * all of them (0: no limit; strict spacing, no bursts), and report each
 * through done().  Returns 0 when next() has run dry or asked to stop and
 * every job is done.
 *
 * Per-recipient outcomes are results, not errors.  Fails with -1 only when
 * the server cannot be used; the job that found out gets a TEMPFAIL result
 * first.  A connection-level failure on one connection retires it while
 * others work on; the run fails when none is left, or at once for the
 * failures marked (stop):
 *   ERR_CONFIG       bad options (no url, tls = none with a password, tls
 *                    = none with smtps://), AUTH refused with 5xx (535),
 *                    unreadable ca_file (stop)
 *   ERR_UNAVAILABLE  cannot connect ("cannot connect to smtp://h:p:
 *                    Connection refused"), no STARTTLS offered while TLS is
 *                    required (stop; no AUTH was sent), certificate
 *                    verification or TLS handshake failure (stop), a 5xx
 *                    greeting
 *   ERR_TEMP         4xx greeting (421 busy), 4xx to AUTH (454), no reply
 *                    before the response timeout while connecting
 * The password never appears in e.
 */
int smtp_run(const struct smtp_options *o, int connections,
             double max_per_second, smtp_next_fn next, smtp_done_fn done,
             void *ctx, struct err *e);

/* "sent", "tempfail" or "permfail". */
const char *smtp_outcome_name(enum smtp_outcome outcome);

#endif

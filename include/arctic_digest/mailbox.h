/*
 * mailbox: read the new messages of a maildir or an IMAP mailbox, one at a
 * time, and mark those handled, so that the next run does not read them
 * again.
 *
 * Maildir (the layout Postfix, Dovecot and Exim write): the messages in
 * new/ and those in cur/ without the Seen flag; a handled one moves to cur/
 * with the S flag added ("NAME:2,S").
 *
 * IMAP through libetpan's client, over TLS only (imaps://, port 993 by
 * default): the server's certificate chain is verified with GnuTLS against
 * ca_file or the system's CAs, and its name against the host, before the
 * password is sent.  The messages are those without \Seen, fetched with
 * BODY.PEEK[] (which leaves them unseen); a handled one gets \Seen.
 *
 * Keys name a message for the caller's own record of what it handled:
 * "maildir:NAME" (the unique part of the file name) or
 * "imap:HOST/MAILBOX:UIDVALIDITY:UID".
 */
#ifndef ARCTIC_DIGEST_MAILBOX_H
#define ARCTIC_DIGEST_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "arctic_digest/err.h"

/*
 * One message: returns 1 when it is handled (mark it), 0 to leave it as it
 * is, or -1 (e set) to stop.
 */
typedef int (*mailbox_msg_fn)(void *ctx, const char *key, const char *data,
                              size_t len, struct err *e);

struct mailbox_imap {
    const char *url;      /* imaps://host[:port]/MAILBOX (default INBOX) */
    const char *user;
    const char *password; /* borrowed; never logged */
    const char *ca_file;  /* NULL: the system's CAs */
    long timeout_s;       /* per network operation; 0: 60 */
};

/* Every new message of the maildir at dir.  ERR_NOINPUT when dir is no
 * maildir (no new/ or cur/). */
int mailbox_maildir_each(const char *dir, mailbox_msg_fn fn, void *ctx,
                         struct err *e);

/*
 * Every unseen message of the IMAP mailbox.  Fails (-1) with
 * ERR_CONFIG for a URL that is not imaps://, ERR_UNAVAILABLE when the
 * server cannot be reached or its certificate is not trusted (nothing was
 * sent), ERR_CONFIG when the login is refused; the password never
 * appears in e.
 */
int mailbox_imap_each(const struct mailbox_imap *o, mailbox_msg_fn fn,
                      void *ctx, struct err *e);

#endif

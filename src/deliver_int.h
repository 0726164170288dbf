/* deliver: helpers shared by the module's files (private). */
#ifndef ARCTIC_DIGEST_DELIVER_INT_H
#define ARCTIC_DIGEST_DELIVER_INT_H

#include "arctic_digest/config.h"
#include "arctic_digest/err.h"
#include "arctic_digest/smtp.h"

/*
 * SMTP options from cfg ([smtp] url, user, tls, ca_file, envelope_from,
 * timeout) and the password the caller read (may be NULL), into *so,
 * which borrows from cfg, from_addr and password.  ERR_CONFIG for a
 * password without a user, or with tls = none.
 */
int deliver_smtp_options(const struct config *cfg, const char *from_addr,
                         const char *password, struct smtp_options *so,
                         struct err *e);

#endif

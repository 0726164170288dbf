/*
 * outbox: messages written to a maildir instead of being sent.
 *
 * The maildir layout of qmail and Dovecot: a message is written to tmp/,
 * fsynced, renamed into new/, and the folder is fsynced, so a reader never
 * sees half a message.  The file name is given by the caller and is the
 * same for the same issue and recipient, so writing a message again (after
 * a crash between the write and the ledger update) replaces it instead of
 * making a second copy.
 */
#ifndef ARCTIC_DIGEST_OUTBOX_H
#define ARCTIC_DIGEST_OUTBOX_H

#include <stddef.h>

#include "arctic_digest/err.h"

/* Create dir and its tmp/, new/ and cur/ folders.  ERR_CANTCREAT. */
int outbox_open(const char *dir, struct err *e);

/*
 * Write data[0..n) as new/<name> (name: letters, digits, '.', '-', '_').
 * ERR_CANTCREAT/ERR_IO on failure, with nothing left in new/.
 */
int outbox_put(const char *dir, const char *name, const char *data, size_t n,
               struct err *e);

#endif

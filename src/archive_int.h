/*
 * archive_int: the part of archive.c its unit tests reach.  Private to
 * the module.
 */
#ifndef ARCTIC_DIGEST_ARCHIVE_INT_H
#define ARCTIC_DIGEST_ARCHIVE_INT_H

#include "arctic_digest/buf.h"
#include "arctic_digest/context.h"
#include "arctic_digest/err.h"

/*
 * Append to out the stamp of what an issue's page is rendered from: 64
 * hex digits of a SHA-256 over the archive code's format number, the
 * program's version (AD_VERSION) and cmark's, [digest] title, contact
 * and citation_style, c->now's zone offset (the page's dates), and the
 * name and bytes of every file under c->cfg->templates (partials too).
 * Anything else in the configuration leaves it as it is.  Failure: -1
 * with ERR_NOINPUT (no templates folder) or ERR_IO (one cannot be read).
 */
int archive_stamp(const struct context *c, struct buf *out, struct err *e);

#endif

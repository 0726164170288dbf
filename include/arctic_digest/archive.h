/*
 * archive: the static web archive of the sent issues and its Atom feed.
 *
 * Writes into [paths] archive, for every issue marked sent:
 *
 *   issue-NNNN.html  the issue as a web page: the same templates as the
 *                    message (digest.md, layout.html) with "web" true, so
 *                    no greeting, no unsubscribe link, links to the index,
 *                    the feed and the citations, Highwire and
 *                    Dublin Core <meta> tags and a COinS span for each
 *                    article (reference managers such as Zotero read
 *                    them);
 *   issue-NNNN.bib   its articles as BibTeX, and issue-NNNN.ris as RIS;
 *   index.html       every issue, newest first (templates/archive.html);
 *   feed.xml         an Atom 1.0 feed (RFC 4287), one entry per issue with
 *                    its articles as HTML content; ids are tag: URIs (RFC
 *                    4151) made of the sender's address and the issue's
 *                    date, so they stay the same when the archive moves;
 *                    with [digest] archive_url the feed has it as xml:base
 *                    and a self link.
 *
 * Every link between the files is relative, so any static web server (or
 * the file system) can serve the folder.  Each file is replaced
 * atomically; files of issues no longer in the state are left alone.
 * The same state, templates and configuration give the same bytes, except
 * the feed's <updated> when no issue has been sent (then: now).
 */
#ifndef ARCTIC_DIGEST_ARCHIVE_H
#define ARCTIC_DIGEST_ARCHIVE_H

#include <stddef.h>

#include "arctic_digest/context.h"
#include "arctic_digest/err.h"

/*
 * Rebuild the archive in c->cfg->archive (created with its parents when
 * missing) from the sent issues in c->st, with c->cfg's templates, title,
 * sender, contact and citation style; *nissues (may be NULL) is how many
 * issues it holds.  Failure: -1 with ERR_CANTCREAT or ERR_IO (a file
 * cannot be written, named), ERR_NOINPUT or ERR_DATA from the templates,
 * or the store's error; files written before the failure stay.
 */
int archive_write(const struct context *c, size_t *nissues, struct err *e);

#endif

/*
 * archive: the static web archive of the sent issues and its Atom feed.
 *
 * Writes into [paths] archive, for every issue marked sent:
 *
 *   issue-NNNN.html  the issue as a web page: the same templates as the
 *                    message (digest.md, layout.html) with "web" true, so
 *                    no greeting, no unsubscribe link, links to the index,
 *                    the feed and the issue's citations, Highwire and
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
 *
 * Incremental: an issue's page, .bib and .ris are rendered once.  The
 * state keeps (store_archived_get) its subject and feed content, the
 * stamp of what it was rendered from (the program's and cmark's version,
 * every file in the templates folder, [digest] title, contact and
 * citation_style, and the zone offset its dates are written in) and the
 * identity (inode, size, modification time) of the three files.  A later
 * write renders the issue again only when the stamp differs, one of its
 * files is missing or not the one written, or one of its articles
 * changed in the state; index.html and feed.xml are written every time,
 * from the records.
 */
#ifndef ARCTIC_DIGEST_ARCHIVE_H
#define ARCTIC_DIGEST_ARCHIVE_H

#include <stddef.h>

#include "arctic_digest/context.h"
#include "arctic_digest/err.h"

enum archive_flags {
    ARCHIVE_REBUILD = 1 << 0 /* render every issue, whatever is recorded */
};

/* What one archive_write did. */
struct archive_stats {
    size_t issues;   /* sent issues in the archive */
    size_t rendered; /* of them, rendered by this write */
};

/*
 * Bring the archive in c->cfg->archive (created with its parents when
 * missing) up to date with the sent issues in c->st (opened for writing:
 * the records are kept there), with c->cfg's templates, title, sender,
 * contact and citation style; flags are enum archive_flags; *stats (may
 * be NULL) says how many issues it holds and how many were rendered.
 * Failure: -1 with ERR_CANTCREAT or ERR_IO (a file cannot be written,
 * named), ERR_NOINPUT or ERR_DATA from the templates, or the store's
 * error; files and records written before the failure stay.
 */
int archive_write(const struct context *c, unsigned flags,
                  struct archive_stats *stats, struct err *e);

#endif

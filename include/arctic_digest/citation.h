/*
 * citation: recommended citations of an article.
 *
 * Chicago (17th edition, notes-bibliography, bibliography entry), APA (7th)
 * and MLA (9th) strings for journal and web articles, as plain text or as
 * markdown with the container in italics and all other text escaped.
 */
#ifndef ARCTIC_DIGEST_CITATION_H
#define ARCTIC_DIGEST_CITATION_H

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"

enum cite_style { CITE_CHICAGO = 0, CITE_APA, CITE_MLA };

enum cite_markup {
    CITE_MARKUP_TEXT = 0, /* plain text, no italics */
    CITE_MARKUP_MARKDOWN  /* italics as *...*, text escaped */
};

/* Append the citation of a in style s to out. */
void cite_format(const struct article *a, enum cite_style s,
                 enum cite_markup m, struct buf *out);

/* "chicago", "apa", "mla" -> style; -1 for anything else. */
int cite_style_from_name(const char *name);
const char *cite_style_name(enum cite_style s);

#endif

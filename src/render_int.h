/*
 * render_int: what render.c (HTML) and render_text.c (plain text) share.
 * Private to the module: the cmark_node type stays here.
 */
#ifndef ARCTIC_DIGEST_RENDER_INT_H
#define ARCTIC_DIGEST_RENDER_INT_H

#include <cmark.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"

/* The options every markdown document is parsed and rendered with. */
#define RENDER_CMARK_OPTIONS (CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8)

/*
 * The plain text of a parsed document (render_markdown_to_text's rules),
 * appended to out.  doc is only read, so the HTML can be rendered from the
 * same tree.  hint is about how long the text will be (the markdown's
 * length will do; 0 for no idea): room is made for it at once.  Fails
 * with ERR_INTERNAL when width is negative or cmark cannot walk the tree.
 */
int render_text_of_doc(cmark_node *doc, int width, size_t hint,
                       struct buf *out, struct err *e);

#endif

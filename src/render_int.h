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

/*
 * Plain text made one document at a time, as if the documents were one:
 * blank lines between their blocks, links numbered across all of them and
 * listed once, in a "Links" block, by render_text_finish().  Each call
 * appends the text of what it was given to out (whole lines).  width as
 * above (0, or less, means 72).  render_text_add fails with ERR_INTERNAL
 * when cmark cannot walk the tree; render_text_free(NULL) is a no-op.
 */
struct render_text;
struct render_text *render_text_new(int width);
int render_text_add(struct render_text *t, cmark_node *doc, struct buf *out,
                    struct err *e);
void render_text_finish(struct render_text *t, struct buf *out);
void render_text_free(struct render_text *t);

#endif

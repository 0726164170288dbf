/*
 * render: an issue to its digest: Mustache -> markdown -> HTML and text.
 *
 * Markdown is CommonMark rendered by cmark 0.30 in safe mode (raw HTML and
 * javascript:/vbscript:/file:/data: links are dropped; CMARK_OPT_UNSAFE is
 * never set) with smart punctuation and UTF-8 validation.
 *
 * Text format: paragraphs wrapped at width code points, breaking at spaces
 * only; headings of level 1 and 2 underlined with '=' and '-'; list items
 * "• " or "N. " with a hanging indent; quotes indented 2, code 4; a
 * thematic break is 20 '─'; emphasis markers dropped; links "text [n]",
 * numbered once per distinct URL and listed under "Links:" at the end; no
 * markdown syntax left behind.
 */
#ifndef ARCTIC_DIGEST_RENDER_H
#define ARCTIC_DIGEST_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/err.h"
#include "arctic_digest/template.h"

/*
 * CommonMark to an HTML fragment (safe mode, smart punctuation), each
 * element with an inline style (mail clients that drop <style> keep
 * them) and the N-th level-2 heading with id="article-N", the target of
 * the table of contents' "#article-N" links.
 */
int render_markdown_to_html(const char *md, size_t n, struct buf *out,
                            struct err *e);

/*
 * CommonMark to plain text wrapped at width columns (counted in code
 * points; 0 means 72).  Links become "text [n]" with "[n] URL" lines in a
 * final "Links" block; a link whose text is its URL (an autolink, or the
 * URL without "mailto:", "https://" or "http://") gets no reference, and
 * neither does a link to a fragment ("#article-1").
 * Output ends with exactly one "\n".
 */
int render_markdown_to_text(const char *md, size_t n, int width,
                            struct buf *out, struct err *e);

/* An issue to be rendered: what the templates see, and where they are. */
struct render_issue {
    const char *title;         /* the digest's title */
    int number;
    struct dt period_start;
    struct dt period_end;
    const struct article *articles;
    size_t narticles;
    enum cite_style style;     /* the "recommended citation" */
    const char *archive_url;   /* may be NULL */
    const char *contact;       /* may be NULL */
    const char *to_name;       /* the subscriber, may be NULL */
    const char *to_addr;
    const char *unsubscribe_url; /* may be NULL */
    bool web; /* the archive's page of the issue, not a message */
};

/*
 * The data tree templates see for one article: title, url, doi, doi_url,
 * authors (list of {name, given, family}), authors_text ("A, B and C"),
 * container, volume, issue, pages, first_page and last_page (of pages
 * "767-777"), date (long form), date_iso, published (RFC 3339), abstract,
 * abstract_paragraphs, keywords, score, matched, coins (cite_coins),
 * citation.{chicago,apa,mla}
 * as plain text and citation_md.{chicago,apa,mla} as markdown whose feed
 * text is escaped.  Caller frees.
 */
struct tpl_value *render_article_value(const struct article *a);

/* The data tree for a whole issue (digest fields, articles, subscriber),
 * held whole: it does not borrow is.  Caller frees. */
struct tpl_value *render_issue_value(const struct render_issue *is);

/* Where the templates come from: files in a folder. */
struct render_templates {
    const char *dir; /* holds digest.md, layout.html, subject.txt, partials/ */
};

/* The rendered parts of one digest message. */
struct render_output {
    struct buf subject;  /* one line, UTF-8 */
    struct buf body;     /* digest.md rendered, as an HTML fragment (what
                            layout.html sees as "body") */
    struct buf html;     /* the full HTML document (layout.html) */
    struct buf text;     /* that markdown as plain text, 72 columns;
                            empty for a web page (render_issue.web) */
};

void render_output_init(struct render_output *o);
void render_output_release(struct render_output *o);

/*
 * Render issue is with the templates in t into out (initialised by the
 * caller); the markdown is parsed once for both the HTML and the text
 * (a web page, is->web, has no text: nobody reads it).  Memory does not
 * follow the issue's size but for the output: each article's template
 * values are made when a section reaches them and freed after it, and
 * the markdown is parsed in parts (one article each), as it is rendered,
 * whenever that gives the bytes parsing it whole gives (see render.c).
 * Failure: -1 with ERR_NOINPUT (a template file is missing, named) or
 * ERR_DATA (a template error with name, line and column).
 */
int render_issue(const struct render_templates *t,
                 const struct render_issue *is, struct render_output *out,
                 struct err *e);

/*
 * Render one template file with data; the escaping follows the file name
 * (see tpl_escape_for_name); partials are looked up in the folder of the
 * template and its partials/ sub-folder.
 */
int render_template_file(const char *path, const struct tpl_value *data,
                         struct buf *out, struct err *e);

/* "cmark X.Y.Z": the version of libcmark this program runs with, for
 * 'arctic-digest --version'.  Static storage; never fails. */
const char *render_lib_version(void);

#endif

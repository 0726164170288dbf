/*
 * render: issue -> template data -> markdown -> HTML.  The plain-text
 * renderer is in render_text.c.
 */
#include "arctic_digest/render.h"

#include <cmark.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "render_int.h"

/*
 * The inline style of each element cmark writes.  Mail clients that drop
 * <style> (Gmail in some views, many webmail clients) still see these;
 * layout.html's dark-mode rules override the colours with !important.
 * Sorted by tag.
 */
static const struct {
    const char *tag;
    const char *style;
} inline_styles[] = {
    {"a", "color:#1a5c8f; text-decoration:underline;"},
    {"blockquote", "margin:0 0 12px 0; padding:0 0 0 12px; "
                   "border-left:3px solid #c9d4de;"},
    {"code", "font-family:Menlo, Consolas, monospace; font-size:14px;"},
    {"h1", "margin:0 0 16px 0; font-size:24px; line-height:1.25; "
           "color:#0f2a40;"},
    {"h2", "margin:28px 0 6px 0; font-size:19px; line-height:1.3; "
           "color:#0f2a40;"},
    {"h3", "margin:20px 0 6px 0; font-size:17px; line-height:1.3; "
           "color:#0f2a40;"},
    {"hr", "border:0; border-top:1px solid #c9d4de; margin:24px 0;"},
    {"li", "margin:0 0 6px 0;"},
    {"ol", "margin:0 0 12px 0; padding:0 0 0 24px;"},
    {"p", "margin:0 0 12px 0;"},
    {"pre", "margin:0 0 12px 0; white-space:pre-wrap; "
            "overflow-wrap:anywhere;"},
    {"ul", "margin:0 0 12px 0; padding:0 0 0 24px;"},
};

static const char *
inline_style(const char *tag, size_t n)
{
    size_t i;

    /* every tag in the table is one to ten letters long */
    if (n == 0 || n > 10)
        return NULL;
    for (i = 0; i < ARRAY_SIZE(inline_styles); i++)
        if (inline_styles[i].tag[0] == tag[0] &&
            strncmp(inline_styles[i].tag, tag, n) == 0 &&
            inline_styles[i].tag[n] == '\0')
            return inline_styles[i].style;
    return NULL;
}

/*
 * Copy cmark's HTML, adding the inline style to each start tag and
 * id="article-N" to the N-th <h2>.  In cmark's output every '<' starts a
 * tag: text and attribute values have theirs escaped or percent-encoded.
 */
static void
add_inline_styles(const char *p, size_t n, unsigned *h2, struct buf *out)
{
    const char *end = p + n, *lt, *name, *style;
    size_t len;

    /* The styles add about a quarter to a digest's HTML: room for it at
     * once, not a dozen reallocations (and copies) of megabytes. */
    buf_grow(out, n + n / 4);
    while (p < end) {
        lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) {
            buf_append(out, p, (size_t)(end - p));
            break;
        }
        name = lt + 1;
        for (len = 0; name + len < end && ((name[len] >= 'a' &&
                                            name[len] <= 'z') ||
                                           (name[len] >= '0' &&
                                            name[len] <= '9'));
             len++)
            ;
        buf_append(out, p, (size_t)(name + len - p));
        p = name + len;
        style = inline_style(name, len);
        if (!style)
            continue;
        if (len == 2 && memcmp(name, "h2", 2) == 0)
            buf_appendf(out, " id=\"article-%u\"", ++*h2);
        buf_append_str(out, " style=\"");
        buf_append_str(out, style);
        buf_append_char(out, '"');
    }
}

/* The HTML fragment of a parsed document, with the inline styles; h2
 * counts the <h2>s of the fragment so far (it may come in parts). */
static int
html_of_doc(cmark_node *doc, unsigned *h2, struct buf *out, struct err *e)
{
    /* cmark 0.30 is safe by default: raw HTML and dangerous URLs are
     * dropped unless CMARK_OPT_UNSAFE is given, which we never do. */
    char *html = cmark_render_html(doc, RENDER_CMARK_OPTIONS);

    if (!html)
        return err_set(e, ERR_INTERNAL, 0, "cmark failed to render markdown");
    add_inline_styles(html, strlen(html), h2, out);
    free(html);
    return 0;
}

int
render_markdown_to_html(const char *md, size_t n, struct buf *out,
                        struct err *e)
{
    cmark_node *doc = cmark_parse_document(md, n, RENDER_CMARK_OPTIONS);
    unsigned h2 = 0;
    int rc;

    if (!doc)
        return err_set(e, ERR_INTERNAL, 0, "cmark failed to render markdown");
    rc = html_of_doc(doc, &h2, out, e);
    cmark_node_free(doc);
    return rc;
}

static struct tpl_value *
person_value(const struct person *p)
{
    struct tpl_value *v = tpl_map_new();
    struct buf b = BUF_INIT;

    if (p->literal) {
        buf_append_str(&b, p->literal);
    } else {
        if (p->given)
            buf_append_str(&b, p->given);
        if (p->given && p->family)
            buf_append_char(&b, ' ');
        if (p->family)
            buf_append_str(&b, p->family);
        if (p->family && p->suffix) /* "Amos B. Smith III" */
            buf_appendf(&b, " %s", p->suffix);
    }
    tpl_map_set_str(v, "name", b.data);
    tpl_map_set_str(v, "given", p->given);
    tpl_map_set_str(v, "family", p->family);
    tpl_map_set_str(v, "suffix", p->suffix);
    tpl_map_set_str(v, "literal", p->literal);
    buf_release(&b);
    return v;
}

/* "A", "A and B", "A, B and C" */
static void
authors_text(const struct tpl_value *authors, struct buf *out)
{
    size_t i;

    for (i = 0; i < authors->n; i++) {
        if (i)
            buf_append_str(out, i == authors->n - 1 ? " and " : ", ");
        buf_append_str(out, tpl_map_get(authors->items[i], "name")->str);
    }
}

/* A citation made when a template uses it: arg is style * 3 + markup. */
static void
make_citation(const void *ctx, int arg, struct buf *out)
{
    cite_format(ctx, (enum cite_style)(arg / 3), (enum cite_markup)(arg % 3),
                out);
}

static void
make_coins(const void *ctx, int arg, struct buf *out)
{
    (void)arg;
    cite_coins(ctx, out);
}

/* The citations as strings made on demand (a borrows a): a digest uses
 * one style in one markup, and formatting every style in every markup
 * for each pass over the articles was most of their cost. */
static void
add_made_citations(struct tpl_value *art, const struct article *a,
                   enum cite_style recommended)
{
    static const char *const keys[] = {"citation", "citation_md",
                                       "citation_html"};
    size_t f;
    int s;

    for (f = 0; f < ARRAY_SIZE(keys); f++) {
        struct tpl_value *m = tpl_map_new();
        for (s = CITE_CHICAGO; s <= CITE_MLA; s++)
            tpl_map_set(m, cite_style_name((enum cite_style)s),
                        tpl_str_made_new(make_citation, a,
                                         s * 3 + (int)f));
        tpl_map_set(m, "recommended",
                    tpl_str_made_new(make_citation, a,
                                     (int)recommended * 3 + (int)f));
        tpl_map_set(art, keys[f], m);
    }
}

static void
add_citations(struct tpl_value *art, const struct article *a)
{
    /* indexed by enum cite_markup */
    static const char *const keys[] = {"citation", "citation_md",
                                       "citation_html"};
    struct tpl_value *maps[3];
    struct buf b[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
    size_t f;
    int s;

    for (f = 0; f < ARRAY_SIZE(keys); f++)
        maps[f] = tpl_map_new();
    for (s = CITE_CHICAGO; s <= CITE_MLA; s++) {
        for (f = 0; f < ARRAY_SIZE(keys); f++)
            buf_reset(&b[f]);
        cite_format_all(a, (enum cite_style)s, b);
        for (f = 0; f < ARRAY_SIZE(keys); f++)
            tpl_map_set_str(maps[f], cite_style_name((enum cite_style)s),
                            b[f].data);
    }
    for (f = 0; f < ARRAY_SIZE(keys); f++) {
        tpl_map_set(art, keys[f], maps[f]);
        buf_release(&b[f]);
    }
}

static struct tpl_value *
string_list(char *const *v, size_t n)
{
    struct tpl_value *l = tpl_list_new();
    size_t i;

    for (i = 0; i < n; i++)
        tpl_list_push(l, tpl_cstr_new(v[i]));
    return l;
}

static void
set_date(struct tpl_value *m, const char *key, const char *iso_key,
         const struct dt *d)
{
    struct buf b = BUF_INIT;

    if (!dt_is_set(d)) {
        tpl_map_set(m, key, tpl_null_new());
        tpl_map_set(m, iso_key, tpl_null_new());
        return;
    }
    dt_format_long(d, &b);
    tpl_map_set_str(m, key, b.data);
    buf_reset(&b);
    dt_format_rfc3339(d, &b);
    tpl_map_set_str(m, iso_key, b.data);
    buf_release(&b);
}

/* render_article_value(); with made, the citations and COinS are made
 * when a template uses them (they borrow a), the recommended style's
 * too. */
static struct tpl_value *
article_value(const struct article *a, bool made, enum cite_style style)
{
    struct tpl_value *v = tpl_map_new(), *authors = tpl_list_new();
    struct tpl_value *paras = tpl_list_new();
    struct buf b = BUF_INIT;
    const char *p, *q;
    size_t i;

    tpl_map_set_str(v, "source", a->source);
    tpl_map_set_str(v, "guid", a->guid);
    tpl_map_set_str(v, "url", a->url);
    tpl_map_set_str(v, "doi", a->doi);
    if (a->doi) {
        buf_appendf(&b, "https://doi.org/%s", a->doi);
        tpl_map_set_str(v, "doi_url", b.data);
        buf_reset(&b);
    } else {
        tpl_map_set(v, "doi_url", tpl_null_new());
    }
    /* The link a reader follows: the article page, else its DOI. */
    tpl_map_set_str(v, "link", a->url ? a->url
                                      : tpl_map_get(v, "doi_url")->str);
    tpl_map_set_str(v, "title", a->title);
    for (i = 0; i < a->nauthors; i++)
        tpl_list_push(authors, person_value(&a->authors[i]));
    authors_text(authors, &b);
    tpl_map_set(v, "authors", authors);
    tpl_map_set_str(v, "authors_text", b.len ? b.data : NULL);
    buf_reset(&b);
    tpl_map_set_str(v, "container", a->container);
    tpl_map_set_str(v, "volume", a->volume);
    tpl_map_set_str(v, "issue", a->issue);
    tpl_map_set_str(v, "pages", a->pages);
    if (a->pages) {
        q = strchr(a->pages, '-');
        tpl_map_set(v, "first_page",
                    tpl_str_new(a->pages, q ? (size_t)(q - a->pages)
                                            : strlen(a->pages)));
        tpl_map_set_str(v, "last_page", q && q[1] ? q + 1 : NULL);
    }
    set_date(v, "date", "published", &a->published);
    if (dt_is_set(&a->published)) {
        dt_format_rfc3339(&a->published, &b);
        buf_truncate(&b, 10);
        tpl_map_set_str(v, "date_iso", b.data);
        buf_reset(&b);
    }
    set_date(v, "updated_date", "updated", &a->updated);
    tpl_map_set_str(v, "abstract", a->abstract);
    for (p = a->abstract; p && *p; p = q) {
        q = strstr(p, "\n\n");
        if (!q)
            q = p + strlen(p);
        if (q > p)
            tpl_list_push(paras, tpl_str_new(p, (size_t)(q - p)));
        while (*q == '\n')
            q++;
    }
    tpl_map_set(v, "abstract_paragraphs", paras);
    tpl_map_set(v, "keywords", string_list(a->keywords, a->nkeywords));
    tpl_map_set_num(v, "score", a->score);
    tpl_map_set(v, "matched", string_list(a->matched, a->nmatched));
    if (made) {
        add_made_citations(v, a, style);
        tpl_map_set(v, "coins", tpl_str_made_new(make_coins, a, 0));
    } else {
        add_citations(v, a);
        cite_coins(a, &b);
        tpl_map_set_str(v, "coins", b.data);
    }
    buf_release(&b);
    return v;
}

struct tpl_value *
render_article_value(const struct article *a)
{
    return article_value(a, false, CITE_CHICAGO);
}

/* issue_file "issue-0007.html", bib_file and ris_file (its citations)
 * and, with an archive_url, issue_url: the
 * issue's page in the archive (the "View in browser" link). */
static void
issue_page(struct tpl_value *v, const struct render_issue *is)
{
    struct buf b = BUF_INIT;
    size_t n;

    buf_appendf(&b, "issue-%04d.html", is->number);
    tpl_map_set_str(v, "issue_file", b.data);
    buf_reset(&b);
    buf_appendf(&b, "issue-%04d.bib", is->number);
    tpl_map_set_str(v, "bib_file", b.data);
    buf_reset(&b);
    buf_appendf(&b, "issue-%04d.ris", is->number);
    tpl_map_set_str(v, "ris_file", b.data);
    buf_reset(&b);
    if (is->archive_url && !is->web) {
        n = strlen(is->archive_url);
        buf_append(&b, is->archive_url, n);
        if (n && is->archive_url[n - 1] != '/')
            buf_append_char(&b, '/');
        buf_appendf(&b, "issue-%04d.html", is->number);
    }
    tpl_map_set_str(v, "issue_url", b.len ? b.data : NULL);
    buf_release(&b);
}

/* summary: the titles, "; " between them, cut near 150 characters: the
 * preheader a mail client shows beside the subject. */
static void
summary(struct tpl_value *v, const struct render_issue *is)
{
    struct buf all = BUF_INIT, cut = BUF_INIT;
    size_t i;

    for (i = 0; i < is->narticles && all.len < 600; i++) {
        if (i)
            buf_append_str(&all, "; ");
        if (is->articles[i].title)
            buf_append_str(&all, is->articles[i].title);
    }
    text_cut_words(all.data, all.len, 150, &cut);
    tpl_map_set_str(v, "summary", cut.len ? cut.data : NULL);
    buf_release(&all);
    buf_release(&cut);
}

/* What the items of an issue's article list are made from. */
struct article_items {
    const struct article *v; /* borrowed */
    enum cite_style style;
    bool made; /* citations made on demand (the list is) */
};

/* Article k of an issue as the templates see it: its values, the
 * recommended citation and its number. */
static struct tpl_value *
article_item(void *ctx, size_t k)
{
    const struct article_items *ai = ctx;
    const char *style = cite_style_name(ai->style);
    struct tpl_value *a = article_value(&ai->v[k], ai->made, ai->style);
    struct tpl_value *c = (struct tpl_value *)tpl_map_get(a, "citation");
    struct tpl_value *m = (struct tpl_value *)tpl_map_get(a, "citation_md");

    if (!ai->made) {
        tpl_map_set_str(c, "recommended", tpl_map_get(c, style)->str);
        tpl_map_set_str(m, "recommended", tpl_map_get(m, style)->str);
        m = (struct tpl_value *)tpl_map_get(a, "citation_html");
        tpl_map_set_str(m, "recommended", tpl_map_get(m, style)->str);
    }
    tpl_map_set_num(a, "index", (double)(k + 1));
    return a;
}

/* The issue's data; with lazy, its articles are a list made on demand
 * that borrows is->articles (render_issue's: one article's values at a
 * time), else a list held whole (the caller may outlive the articles). */
static struct tpl_value *
issue_value(const struct render_issue *is, bool lazy)
{
    struct tpl_value *v = tpl_map_new(), *sub = tpl_map_new();
    struct article_items *ai = xmalloc(sizeof(*ai));
    const char *style = cite_style_name(is->style);
    size_t i;

    ai->v = is->articles;
    ai->style = is->style;
    ai->made = lazy;
    tpl_map_set_str(v, "title", is->title);
    tpl_map_set_num(v, "number", is->number);
    set_date(v, "period_start", "period_start_iso", &is->period_start);
    set_date(v, "period_end", "period_end_iso", &is->period_end);
    if (lazy) {
        tpl_map_set(v, "articles", tpl_list_lazy_new(is->narticles,
                                                     article_item, ai, free));
    } else {
        struct tpl_value *list = tpl_list_new();
        for (i = 0; i < is->narticles; i++)
            tpl_list_push(list, article_item(ai, i));
        tpl_map_set(v, "articles", list);
        free(ai);
    }
    tpl_map_set_num(v, "count", (double)is->narticles);
    tpl_map_set_bool(v, "has_articles", is->narticles > 0);
    tpl_map_set_bool(v, "one_article", is->narticles == 1);
    tpl_map_set_bool(v, "web", is->web);
    tpl_map_set_str(v, "citation_style", style);
    tpl_map_set_str(v, "archive_url", is->archive_url);
    issue_page(v, is);
    summary(v, is);
    tpl_map_set_str(v, "contact", is->contact);
    tpl_map_set_str(v, "unsubscribe_url", is->unsubscribe_url);
    tpl_map_set_str(sub, "name", is->to_name);
    tpl_map_set_str(sub, "email", is->to_addr);
    tpl_map_set(v, "subscriber", sub);
    tpl_map_set_str(v, "generator", "arctic-digest " AD_VERSION);
    return v;
}

struct tpl_value *
render_issue_value(const struct render_issue *is)
{
    return issue_value(is, false);
}

void
render_output_init(struct render_output *o)
{
    buf_init(&o->subject);
    buf_init(&o->body);
    buf_init(&o->html);
    buf_init(&o->text);
}

void
render_output_release(struct render_output *o)
{
    buf_release(&o->subject);
    buf_release(&o->body);
    buf_release(&o->html);
    buf_release(&o->text);
}


struct partials {
    const char *dir; /* the template's folder */
    const char *ext; /* the template's extension, ".md" */
};

static int
load_partial(void *ctx, const char *name, struct buf *out)
{
    const struct partials *p = ctx;
    static const char *const subdirs[] = {"/partials/", "/"};
    struct buf path = BUF_INIT;
    size_t i;
    int rc = -1;

    /* Partial names are file names, never paths out of the folder. */
    if (!name[0] || strstr(name, "..") || name[0] == '/')
        return -1;
    for (i = 0; i < ARRAY_SIZE(subdirs) && rc < 0; i++) {
        buf_reset(&path);
        buf_appendf(&path, "%s%s%s%s", p->dir, subdirs[i], name, p->ext);
        rc = buf_read_file(out, path.data, 0, NULL);
    }
    buf_release(&path);
    return rc;
}

/* render_template_file(), the output drained by drain (may be NULL). */
static int
template_file(const char *path, const struct tpl_value *data,
              tpl_drain_fn drain, void *drain_ctx, struct buf *out,
              struct err *e)
{
    struct buf text = BUF_INIT, dir = BUF_INIT;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    struct partials parts;
    struct tpl_options opt;
    int rc;

    if (buf_read_file(&text, path, 0, e) < 0) {
        err_prefix(e, "template");
        buf_release(&text);
        return -1;
    }
    if (slash)
        buf_append(&dir, path, (size_t)(slash - path));
    else
        buf_append_char(&dir, '.');
    parts.dir = dir.data;
    parts.ext = dot ? dot : "";
    opt.name = base;
    opt.escape = tpl_escape_for_name(base);
    opt.partial = load_partial;
    opt.partial_ctx = &parts;
    opt.drain = drain;
    opt.drain_ctx = drain_ctx;
    rc = tpl_render(text.data, text.len, data, &opt, out, e);
    buf_release(&text);
    buf_release(&dir);
    return rc;
}

int
render_template_file(const char *path, const struct tpl_value *data,
                     struct buf *out, struct err *e)
{
    return template_file(path, data, NULL, NULL, out, e);
}

static int
render_named(const struct render_templates *t, const char *name,
             const struct tpl_value *data, tpl_drain_fn drain,
             void *drain_ctx, struct buf *out, struct err *e)
{
    struct buf path = BUF_INIT;
    int rc;

    buf_appendf(&path, "%s/%s", t->dir, name);
    rc = template_file(path.data, data, drain, drain_ctx, out, e);
    buf_release(&path);
    return rc;
}

/* The whole markdown parsed once, into the HTML fragment and (for a
 * message) the plain text. */
static int
render_markdown(const struct buf *md, struct render_output *out, bool text,
                struct err *e)
{
    cmark_node *doc =
        cmark_parse_document(md->data, md->len, RENDER_CMARK_OPTIONS);
    unsigned h2 = 0;
    int rc;

    if (!doc)
        return err_set(e, ERR_INTERNAL, 0, "cmark cannot parse the markdown");
    rc = html_of_doc(doc, &h2, &out->body, e);
    if (rc == 0 && text)
        rc = render_text_of_doc(doc, 72, md->len, &out->text, e);
    cmark_node_free(doc);
    return rc;
}

/*
 * The digest's markdown made into its HTML fragment and text in parts, as
 * the template renders it (its drain), so that neither the whole markdown
 * nor cmark's tree of it (ten times its size) is ever held.  A part ends
 * before a line that starts with "## " (each article's heading, in the
 * bundled templates).  Parsed apart, the parts give what the whole gives:
 * such a line closes every open block but a code block or raw HTML, so a
 * part that ends in one of those is not cut there; and a link reference
 * definition (the only thing one block sees of another) needs "]:", which
 * escaped data never holds.  When a part breaks either rule, the digest is
 * rendered again whole (whole).
 */
struct md_parts {
    struct buf md;          /* rendered, not parsed yet */
    struct render_output *out;
    struct render_text *text; /* NULL: no text (a web page) */
    unsigned h2;            /* the fragment's <h2>s so far */
    size_t parts;           /* parsed so far */
    size_t seen;            /* md was looked at up to here */
    size_t narticles;       /* the issue's, for reserve_room() */
    size_t head_html, head_text; /* the lengths after the first part */
    bool whole;             /* the parts cannot stand alone */
};

static bool
has_reference(const char *p, size_t n)
{
    const char *q = p, *end = p + n;

    while ((q = memchr(q, ']', (size_t)(end - q))) != NULL && q + 1 < end) {
        if (q[1] == ':')
            return true;
        q++;
    }
    return false;
}

/* Room for the whole fragment and text at once, estimated when the first
 * article's part is done (a quarter more than the others would take if
 * they were as long): a buffer that grew by doubling left behind every
 * smaller copy of itself, megabytes of heap for a large issue.  Room not
 * written to costs no memory. */
static void
reserve_room(struct md_parts *mp)
{
    struct buf *html = &mp->out->body, *text = &mp->out->text;
    size_t more = mp->narticles > 2 ? (mp->narticles - 1) * 5 / 4 : 0;

    if (mp->parts == 1) {
        mp->head_html = html->len;
        mp->head_text = text->len;
    } else if (mp->parts == 2 && more) {
        buf_grow(html, (html->len - mp->head_html) * more);
        if (mp->text)
            buf_grow(text, (text->len - mp->head_text) * more);
    }
}

/* Parse p[0..n) (the last part when last) into the fragment and text. */
static int
md_part(struct md_parts *mp, const char *p, size_t n, bool last,
        struct err *e)
{
    cmark_node *doc, *tail;
    cmark_node_type type;
    int rc = 0;

    if ((mp->parts > 0 || !last) && has_reference(p, n)) {
        mp->whole = true;
        return 0;
    }
    doc = cmark_parse_document(p, n, RENDER_CMARK_OPTIONS);
    if (!doc)
        return err_set(e, ERR_INTERNAL, 0, "cmark cannot parse the markdown");
    tail = cmark_node_last_child(doc);
    type = tail ? cmark_node_get_type(tail) : CMARK_NODE_NONE;
    if (!last &&
        (type == CMARK_NODE_CODE_BLOCK || type == CMARK_NODE_HTML_BLOCK)) {
        mp->whole = true;
        goto out;
    }
    rc = html_of_doc(doc, &mp->h2, &mp->out->body, e);
    if (rc == 0 && mp->text)
        rc = render_text_add(mp->text, doc, &mp->out->text, e);
    mp->parts++;
    reserve_room(mp);
out:
    cmark_node_free(doc);
    return rc;
}

/* Where the last line of md that starts with "## " starts, looking at
 * lines that start from md[from] on; 0 if none (or only the first) does. */
static size_t
last_heading(const struct buf *md, size_t from)
{
    const char *p = md->data + from, *end = md->data + md->len;
    const char *hit = NULL;

    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && end - p > 3) {
        if (memcmp(p + 1, "## ", 3) == 0)
            hit = p + 1;
        p++;
    }
    return hit ? (size_t)(hit - md->data) : 0;
}

/* The drain: parse what comes before the last article heading so far. */
static int
md_drain(void *ctx, struct buf *md, struct err *e)
{
    struct md_parts *mp = ctx;
    /* Only what came since the last look, from the last line end that
     * had too few bytes after it to tell (the contents, a thousand lines
     * before the first article, are not scanned a thousand times). */
    size_t cut = last_heading(md, mp->seen > 3 ? mp->seen - 3 : 0);

    mp->seen = md->len;
    if (cut == 0)
        return 0;
    if (md_part(mp, md->data, cut, false, e) < 0)
        return -1;
    if (mp->whole) /* stop here: render_digest starts again whole */
        return err_set(e, ERR_INTERNAL, 0,
                       "the digest's markdown cannot be parsed in parts");
    memmove(md->data, md->data + cut, md->len - cut);
    buf_truncate(md, md->len - cut);
    mp->seen = md->len;
    return 0;
}

/* digest.md rendered with data, into out's fragment and (with text) its
 * text, in parts when they can stand alone, else whole. */
static int
render_digest(const struct render_templates *t, const struct tpl_value *data,
              size_t narticles, bool text, struct render_output *out,
              struct err *e)
{
    struct md_parts mp;
    int rc;

    memset(&mp, 0, sizeof(mp));
    buf_init(&mp.md);
    mp.out = out;
    mp.narticles = narticles;
    mp.text = text ? render_text_new(72) : NULL;
    rc = render_named(t, "digest.md", data, md_drain, &mp, &mp.md, e);
    if (rc == 0)
        rc = md_part(&mp, mp.md.data, mp.md.len, true, e);
    if (mp.whole) {
        buf_reset(&out->body);
        buf_reset(&out->text);
        buf_reset(&mp.md);
        rc = render_named(t, "digest.md", data, NULL, NULL, &mp.md, e);
        if (rc == 0)
            rc = render_markdown(&mp.md, out, text, e);
    } else if (rc == 0 && mp.text) {
        render_text_finish(mp.text, &out->text);
    }
    render_text_free(mp.text);
    buf_release(&mp.md);
    return rc;
}

int
render_issue(const struct render_templates *t, const struct render_issue *is,
             struct render_output *out, struct err *e)
{
    struct tpl_value *data = issue_value(is, true);
    struct buf subject = BUF_INIT;
    int rc = -1;

    if (render_digest(t, data, is->narticles, !is->web, out, e) < 0)
        goto out;
    tpl_map_set(data, "body", tpl_str_borrow(out->body.data, out->body.len));
    /* The page is the body and a shell (a web page adds meta tags for
     * each article, about half the body again): room for it at once. */
    buf_grow(&out->html, out->body.len + out->body.len / 2);
    if (render_named(t, "layout.html", data, NULL, NULL, &out->html, e) < 0 ||
        render_named(t, "subject.txt", data, NULL, NULL, &subject, e) < 0)
        goto out;
    /* A subject is one line whatever the template did with white space. */
    text_one_line(subject.data, subject.len, &out->subject);
    if (!out->subject.len) {
        err_set(e, ERR_DATA, 0, "template 'subject.txt' rendered empty");
        goto out;
    }
    rc = 0;
out:
    buf_release(&subject);
    tpl_value_free(data);
    return rc;
}

const char *
render_lib_version(void)
{
    static char v[64];

    if (snprintf(v, sizeof(v), "cmark %s", cmark_version_string()) >=
        (int)sizeof(v))
        v[sizeof(v) - 1] = '\0';
    return v;
}

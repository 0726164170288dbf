/*
 * archive: the web pages, citation files and Atom feed of the sent issues
 * (see archive.h).
 */
#include "arctic_digest/archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/compose.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/fsutil.h"
#include "arctic_digest/render.h"
#include "arctic_digest/store.h"
#include "arctic_digest/template.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

/* What the whole archive shares while it is written. */
struct arch {
    const struct context *c;
    char *sender;         /* the address part of [digest] from */
    struct buf entries;   /* the feed's <entry> elements, newest first */
    struct tpl_value *issues; /* the index's list, newest first */
    int64_t updated;      /* the newest issue's sent time */
};

static int
write_file(const struct arch *a, const char *name, const char *p, size_t n,
           struct err *e)
{
    struct buf path = BUF_INIT;
    int rc;

    buf_appendf(&path, "%s/%s", a->c->cfg->archive, name);
    rc = fs_write_atomic(path.data, p, n, 0644, e);
    buf_release(&path);
    return rc;
}

static void
xml_text(struct buf *out, const char *s)
{
    if (s)
        text_escape_html(s, strlen(s), out);
}

static void
rfc3339_utc(int64_t t, struct buf *out)
{
    struct dt d = dt_from_time(t, 0);

    dt_format_rfc3339(&d, out);
}

/* "tag:digest@example.org,2025-07-28:issue-0001" (RFC 4151): the sender
 * owned its address on the day the thing was made. */
static void
tag_uri(const struct arch *a, int64_t t, const char *what, struct buf *out)
{
    struct buf day = BUF_INIT;

    rfc3339_utc(t, &day);
    buf_truncate(&day, 10);
    buf_appendf(out, "tag:%s,%s:%s", a->sender, day.data, what);
    buf_release(&day);
}

/* html with its links to places in the page ("#article-2", the contents)
 * pointing into file instead, as a feed reader shows the entry elsewhere.
 * In cmark's HTML, href="# only starts such a link. */
static const char *
page_links(const char *html, const char *file, struct buf *out)
{
    const char *p = html, *q;

    while ((q = strstr(p, "href=\"#")) != NULL) {
        buf_append(out, p, (size_t)(q - p));
        buf_appendf(out, "href=\"%s#", file);
        p = q + 7;
    }
    buf_append_str(out, p);
    return out->data;
}

static void
feed_entry(struct arch *a, const struct store_issue *is,
           const struct render_output *out, const char *file, struct buf *entry)
{
    struct buf id = BUF_INIT, what = BUF_INIT, fixed = BUF_INIT;

    buf_appendf(&what, "issue-%04d", is->number);
    tag_uri(a, is->created, what.data, &id);
    buf_append_str(entry, "<entry>\n<id>");
    xml_text(entry, id.data);
    buf_append_str(entry, "</id>\n<title>");
    xml_text(entry, out->subject.data);
    buf_appendf(entry, "</title>\n<link rel=\"alternate\" type=\"text/html\" "
                       "href=\"%s\"/>\n<published>",
                file);
    rfc3339_utc(is->sent, entry);
    buf_append_str(entry, "</published>\n<updated>");
    rfc3339_utc(is->sent, entry);
    buf_append_str(entry, "</updated>\n<content type=\"html\">");
    /* The body without the layout: the articles, as the message has them. */
    xml_text(entry, page_links(out->body.data, file, &fixed));
    buf_append_str(entry, "</content>\n</entry>\n");
    buf_release(&fixed);
    buf_release(&id);
    buf_release(&what);
}

static void
index_entry(struct arch *a, const struct store_issue *is,
            const struct render_output *out, const struct render_issue *ri)
{
    struct tpl_value *v = tpl_map_new();
    struct buf b = BUF_INIT;
    struct dt d;

    tpl_map_set_num(v, "number", is->number);
    tpl_map_set_str(v, "subject", out->subject.data);
    buf_appendf(&b, "issue-%04d.html", is->number);
    tpl_map_set_str(v, "file", b.data);
    buf_reset(&b);
    d = dt_from_time(is->sent, a->c->now.offset);
    dt_format_long(&d, &b);
    tpl_map_set_str(v, "sent", b.data);
    buf_reset(&b);
    d = dt_from_time(is->sent, 0);
    dt_format_rfc3339(&d, &b);
    tpl_map_set_str(v, "sent_iso", b.data);
    buf_reset(&b);
    dt_format_long(&ri->period_start, &b);
    tpl_map_set_str(v, "period_start", b.data);
    buf_reset(&b);
    dt_format_long(&ri->period_end, &b);
    tpl_map_set_str(v, "period_end", b.data);
    tpl_map_set_num(v, "count", (double)ri->narticles);
    tpl_map_set_bool(v, "one_article", ri->narticles == 1);
    buf_release(&b);
    /* newest first */
    tpl_list_push(a->issues, v);
}

/* One issue's page, citation files, feed entry and index row. */
static int
write_issue(struct arch *a, const struct store_issue *is,
            struct buf *entry, struct err *e)
{
    const struct config *cfg = a->c->cfg;
    struct render_templates t = {cfg->templates};
    struct article_list arts = ARTICLE_LIST_INIT;
    struct render_output out;
    struct render_issue ri;
    struct buf name = BUF_INIT, cites = BUF_INIT;
    size_t i;
    int rc = -1;

    render_output_init(&out);
    /* One read transaction for the articles, read one by one. */
    if (store_begin_read(a->c->st, e) < 0)
        goto out;
    for (i = 0; i < is->narticles; i++) {
        struct article art;
        if (store_article_get(a->c->st, is->articles[i], &art, e) < 0) {
            store_rollback(a->c->st);
            goto out;
        }
        article_list_take(&arts, &art);
    }
    if (store_commit(a->c->st, e) < 0)
        goto out;
    memset(&ri, 0, sizeof(ri));
    ri.title = cfg->title;
    ri.number = is->number;
    ri.period_start = dt_from_time(is->period_start, a->c->now.offset);
    ri.period_end = dt_from_time(is->period_end, a->c->now.offset);
    ri.articles = arts.v;
    ri.narticles = arts.n;
    ri.style = (enum cite_style)cite_style_from_name(cfg->citation_style);
    ri.archive_url = "index.html"; /* the footer's "Archive" link */
    ri.contact = cfg->contact;
    ri.web = true;
    if (render_issue(&t, &ri, &out, e) < 0) {
        err_prefix(e, "archive: issue %d", is->number);
        goto out;
    }
    buf_appendf(&name, "issue-%04d.html", is->number);
    if (write_file(a, name.data, out.html.data, out.html.len, e) < 0)
        goto out;
    cite_bibtex(arts.v, arts.n, &cites);
    buf_reset(&name);
    buf_appendf(&name, "issue-%04d.bib", is->number);
    if (write_file(a, name.data, cites.data, cites.len, e) < 0)
        goto out;
    buf_reset(&cites);
    cite_ris(arts.v, arts.n, &cites);
    buf_reset(&name);
    buf_appendf(&name, "issue-%04d.ris", is->number);
    if (write_file(a, name.data, cites.data, cites.len, e) < 0)
        goto out;
    buf_reset(&name);
    buf_appendf(&name, "issue-%04d.html", is->number);
    feed_entry(a, is, &out, name.data, entry);
    index_entry(a, is, &out, &ri);
    if (is->sent > a->updated)
        a->updated = is->sent;
    rc = 0;
out:
    render_output_release(&out);
    article_list_release(&arts);
    buf_release(&name);
    buf_release(&cites);
    return rc;
}

static int
write_feed(struct arch *a, int64_t first, struct err *e)
{
    const struct config *cfg = a->c->cfg;
    struct buf f = BUF_INIT, id = BUF_INIT;
    int rc;

    buf_append_str(&f, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                       "<feed xmlns=\"" ATOM_NS "\"");
    if (cfg->archive_url) {
        buf_append_str(&f, " xml:base=\"");
        xml_text(&f, cfg->archive_url);
        buf_append_char(&f, '"');
    }
    buf_append_str(&f, ">\n<id>");
    tag_uri(a, first, "archive", &id);
    xml_text(&f, id.data);
    buf_append_str(&f, "</id>\n<title>");
    xml_text(&f, cfg->title);
    buf_append_str(&f, "</title>\n<updated>");
    rfc3339_utc(a->updated ? a->updated : a->c->now.t, &f);
    buf_append_str(&f, "</updated>\n<author><name>");
    xml_text(&f, cfg->title);
    buf_append_str(&f, "</name>");
    if (cfg->contact) {
        buf_append_str(&f, "<email>");
        xml_text(&f, cfg->contact);
        buf_append_str(&f, "</email>");
    }
    buf_append_str(&f, "</author>\n"
                       "<link rel=\"alternate\" type=\"text/html\" "
                       "href=\"index.html\"/>\n");
    if (cfg->archive_url)
        buf_append_str(&f, "<link rel=\"self\" type=\"application/atom+xml\" "
                           "href=\"feed.xml\"/>\n");
    buf_append_str(&f, "<generator>arctic-digest</generator>\n");
    buf_append(&f, a->entries.data, a->entries.len);
    buf_append_str(&f, "</feed>\n");
    rc = write_file(a, "feed.xml", f.data, f.len, e);
    buf_release(&f);
    buf_release(&id);
    return rc;
}

static int
write_index(struct arch *a, struct err *e)
{
    const struct config *cfg = a->c->cfg;
    struct tpl_value *v = tpl_map_new();
    struct buf path = BUF_INIT, html = BUF_INIT;
    int rc;

    tpl_map_set_str(v, "title", cfg->title);
    tpl_map_set_str(v, "contact", cfg->contact);
    tpl_map_set_num(v, "count", (double)a->issues->n);
    tpl_map_set_bool(v, "has_issues", a->issues->n > 0);
    tpl_map_set_bool(v, "one_issue", a->issues->n == 1);
    tpl_map_set(v, "issues", a->issues);
    a->issues = NULL; /* v owns it now */
    tpl_map_set_str(v, "generator", "arctic-digest " AD_VERSION);
    buf_appendf(&path, "%s/archive.html", cfg->templates);
    rc = render_template_file(path.data, v, &html, e);
    if (rc == 0)
        rc = write_file(a, "index.html", html.data, html.len, e);
    tpl_value_free(v);
    buf_release(&path);
    buf_release(&html);
    return rc;
}

int
archive_write(const struct context *c, size_t *nissues, struct err *e)
{
    struct store_issue *v = NULL;
    struct arch a;
    char *name = NULL;
    size_t n = 0, i;
    int rc = -1;

    memset(&a, 0, sizeof(a));
    a.c = c;
    buf_init(&a.entries);
    a.issues = tpl_list_new();
    if (compose_split_mailbox(c->cfg->from, &name, &a.sender, e) < 0 ||
        fs_mkdirs(c->cfg->archive, e) < 0 ||
        store_issues_sent(c->st, &v, &n, e) < 0)
        goto out;
    /* Newest first, in the feed and on the index. */
    for (i = n; i-- > 0;) {
        struct buf entry = BUF_INIT;
        int r = write_issue(&a, &v[i], &entry, e);
        buf_append(&a.entries, entry.data, entry.len);
        buf_release(&entry);
        if (r < 0)
            goto out;
    }
    if (write_feed(&a, n ? v[0].created : c->now.t, e) < 0 ||
        write_index(&a, e) < 0)
        goto out;
    if (nissues)
        *nissues = n;
    rc = 0;
out:
    for (i = 0; i < n; i++)
        store_issue_release(&v[i]);
    free(v);
    free(name);
    free(a.sender);
    buf_release(&a.entries);
    tpl_value_free(a.issues);
    return rc;
}

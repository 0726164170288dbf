/*
 * archive: the web pages, citation files and Atom feed of the sent issues
 * (see archive.h).
 *
 * An issue is rendered once: what its feed entry and index row need
 * (subject and content) is kept in the state (store_archived_get) with
 * the stamp of what the page was rendered from and the identity of the
 * files written, and later writes list it from there.  A send after years
 * of weekly issues renders one page, not hundreds.
 */
#include "arctic_digest/archive.h"

#include <dirent.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
#include "archive_int.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

/* Part of every stamp: raise it when this file changes what a page, its
 * citation files or its feed content hold, so that pages written by the
 * older code are rendered again. */
#define ARCHIVE_FORMAT 1

/* The feed holds the newest issues only, as feeds do (RFC 4287 asks for
 * no more; the index lists them all): a reader polling it does not fetch
 * every issue ever sent, megabytes after a year of weekly issues. */
#define ARCHIVE_FEED_ENTRIES 20

/* Template folders nest at most this deep (a symlink loop ends here). */
#define MAX_TEMPLATE_DEPTH 8

/* What the whole archive shares while it is written. */
struct arch {
    const struct context *c;
    unsigned flags;           /* enum archive_flags */
    char *sender;             /* the address part of [digest] from */
    char *stamp;              /* archive_stamp() of this run */
    struct buf entries;       /* the feed's <entry> elements, newest first */
    struct tpl_value *issues; /* the index's list, newest first */
    size_t nentries;          /* the feed's <entry> elements so far */
    int64_t updated;          /* the newest issue's sent time */
    size_t rendered;          /* issues rendered by this write */
};

/* ---- the stamp --------------------------------------------------------- */

/* Each piece goes in with its length, so that no two different lists of
 * pieces hash the same bytes. */
static void
hash_piece(struct sha256_ctx *h, const char *p, size_t n)
{
    uint8_t len[8];
    size_t i;

    for (i = 0; i < sizeof(len); i++)
        len[i] = (uint8_t)((uint64_t)n >> (8 * i));
    sha256_update(h, sizeof(len), len);
    sha256_update(h, n, (const uint8_t *)p);
}

static void
hash_str(struct sha256_ctx *h, const char *s)
{
    /* NULL (unset) and "" differ */
    hash_piece(h, s ? "s" : "n", 1);
    if (s)
        hash_piece(h, s, strlen(s));
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file under dir (rel is its name below the templates folder, ""
 * at the top), in name order: its name and its bytes.  Which of them a
 * page reads depends on the templates themselves (partials), so all of
 * them count. */
static int
hash_folder(struct sha256_ctx *h, const char *dir, const char *rel,
            unsigned depth, struct err *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0, i;
    struct buf path = BUF_INIT, sub = BUF_INIT, text = BUF_INIT;
    struct stat st;
    int rc = 0;

    if (!d)
        return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO, errno,
                       "cannot read templates '%s': %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        xgrow(&names, &alloc, n + 1, sizeof(*names));
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n && rc == 0; i++) {
        buf_reset(&path);
        buf_appendf(&path, "%s/%s", dir, names[i]);
        buf_reset(&sub);
        buf_appendf(&sub, "%s%s", rel, names[i]);
        if (stat(path.data, &st) != 0)
            continue; /* a dangling link: nothing a template can read */
        if (S_ISDIR(st.st_mode) && depth < MAX_TEMPLATE_DEPTH) {
            buf_append_char(&sub, '/');
            hash_str(h, sub.data);
            rc = hash_folder(h, path.data, sub.data, depth + 1, e);
        } else if (S_ISREG(st.st_mode)) {
            buf_reset(&text);
            rc = buf_read_file(&text, path.data, 0, e);
            hash_str(h, sub.data);
            hash_piece(h, text.data, text.len);
        }
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    buf_release(&path);
    buf_release(&sub);
    buf_release(&text);
    return rc;
}

int
archive_stamp(const struct context *c, struct buf *out, struct err *e)
{
    static const char hex[] = "0123456789abcdef";
    const struct config *cfg = c->cfg;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx h;
    char num[32];
    size_t i;

    sha256_init(&h);
    snprintf(num, sizeof(num), "%d", ARCHIVE_FORMAT);
    hash_str(&h, num);
    hash_str(&h, AD_VERSION);
    hash_str(&h, render_lib_version());
    /* What the page shows of the configuration, and the zone its dates
     * are written in; the sender is not here: only the feed's ids show
     * it, and they are made on every write. */
    hash_str(&h, cfg->title);
    hash_str(&h, cfg->contact);
    hash_str(&h, cfg->citation_style);
    snprintf(num, sizeof(num), "%d", c->now.offset);
    hash_str(&h, num);
    if (hash_folder(&h, cfg->templates, "", 0, e) < 0)
        return -1;
    sha256_digest(&h, sizeof(digest), digest);
    for (i = 0; i < sizeof(digest); i++) {
        buf_append_char(out, hex[digest[i] >> 4]);
        buf_append_char(out, hex[digest[i] & 15]);
    }
    return 0;
}

/* "inode:size:mtime" of each file the issue's page is made of: a file
 * replaced, changed, touched or gone no longer matches what was
 * recorded.  Returns -1 when one cannot be looked at. */
static int
files_id(const struct arch *a, int number, struct buf *out)
{
    static const char *const ext[] = {"html", "bib", "ris"};
    struct buf path = BUF_INIT;
    struct stat st;
    size_t i;
    int rc = 0;

    for (i = 0; i < ARRAY_SIZE(ext) && rc == 0; i++) {
        buf_reset(&path);
        buf_appendf(&path, "%s/issue-%04d.%s", a->c->cfg->archive, number,
                    ext[i]);
        if (stat(path.data, &st) != 0 || !S_ISREG(st.st_mode)) {
            rc = -1;
            break;
        }
        buf_appendf(out, "%s%llu:%lld:%lld.%09ld", i ? " " : "",
                    (unsigned long long)st.st_ino, (long long)st.st_size,
                    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    }
    buf_release(&path);
    return rc;
}

/* ---- the files --------------------------------------------------------- */

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

/* The entry's <content>: the body without the layout (the articles, as
 * the message has them), escaped, with its links to places in the page
 * ("#article-2", the contents) pointing into file instead, as a feed
 * reader shows the entry elsewhere.  In cmark's HTML, href="# only starts
 * such a link.  Escaped a run at a time, as escaping is character by
 * character: no copy of the body with its links changed. */
static void
entry_content(const struct render_output *out, const char *file,
              struct buf *content)
{
    const char *p = out->body.data, *q;
    struct buf link = BUF_INIT;

    buf_appendf(&link, "href=\"%s#", file);
    while ((q = strstr(p, "href=\"#")) != NULL) {
        text_escape_html(p, (size_t)(q - p), content);
        text_escape_html(link.data, link.len, content);
        p = q + 7;
    }
    xml_text(content, p);
    buf_release(&link);
}

static void
feed_entry(struct arch *a, const struct store_issue *is,
           const struct store_archived *rec, struct buf *entry)
{
    struct buf id = BUF_INIT, what = BUF_INIT;

    buf_appendf(&what, "issue-%04d", is->number);
    tag_uri(a, is->created, what.data, &id);
    buf_append_str(entry, "<entry>\n<id>");
    xml_text(entry, id.data);
    buf_append_str(entry, "</id>\n<title>");
    xml_text(entry, rec->subject);
    buf_appendf(entry,
                "</title>\n<link rel=\"alternate\" type=\"text/html\" "
                "href=\"%s.html\"/>\n<published>",
                what.data);
    rfc3339_utc(is->sent, entry);
    buf_append_str(entry, "</published>\n<updated>");
    rfc3339_utc(is->sent, entry);
    buf_append_str(entry, "</updated>\n<content type=\"html\">");
    buf_append(entry, rec->content, rec->content_len);
    buf_append_str(entry, "</content>\n</entry>\n");
    buf_release(&id);
    buf_release(&what);
}

static void
index_entry(struct arch *a, const struct store_issue *is,
            const struct store_archived *rec)
{
    struct tpl_value *v = tpl_map_new();
    struct buf b = BUF_INIT;
    struct dt d;

    tpl_map_set_num(v, "number", is->number);
    tpl_map_set_str(v, "subject", rec->subject);
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
    /* as the page has them (render_issue's period) */
    d = dt_from_time(is->period_start, a->c->now.offset);
    dt_format_long(&d, &b);
    tpl_map_set_str(v, "period_start", b.data);
    buf_reset(&b);
    d = dt_from_time(is->period_end, a->c->now.offset);
    dt_format_long(&d, &b);
    tpl_map_set_str(v, "period_end", b.data);
    tpl_map_set_num(v, "count", (double)is->narticles);
    tpl_map_set_bool(v, "one_article", is->narticles == 1);
    buf_release(&b);
    /* newest first */
    tpl_list_push(a->issues, v);
}

/* Read the issue's articles, in one read transaction. */
static int
read_articles(struct arch *a, const struct store_issue *is,
              struct article_list *arts, struct err *e)
{
    size_t i;

    if (store_begin_read(a->c->st, e) < 0)
        return -1;
    for (i = 0; i < is->narticles; i++) {
        struct article art;
        if (store_article_get(a->c->st, is->articles[i], &art, e) < 0) {
            store_rollback(a->c->st);
            return -1;
        }
        article_list_take(arts, &art);
    }
    return store_commit(a->c->st, e);
}

/* Render one issue: write its page and citation files, fill rec with its
 * subject and feed content, and record it in the state. */
static int
render_one(struct arch *a, const struct store_issue *is,
           struct store_archived *rec, struct err *e)
{
    const struct config *cfg = a->c->cfg;
    struct render_templates t = {cfg->templates};
    struct article_list arts = ARTICLE_LIST_INIT;
    struct render_output out;
    struct render_issue ri;
    struct buf name = BUF_INIT, cites = BUF_INIT, files = BUF_INIT;
    struct buf content = BUF_INIT;
    int rc = -1;

    render_output_init(&out);
#ifdef __GLIBC__
    /* Right after a send, the heap holds the freed pieces of the message
     * (megabytes for a large issue) that glibc keeps resident; the page
     * would be rendered beside them, into fresh pages.  Give them back
     * first: a few hundred page faults, and the run's peak lower by as
     * much. */
    malloc_trim(0);
#endif
    if (read_articles(a, is, &arts, e) < 0)
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
    /* Each output goes as soon as it is written or used: the page, then
     * the fragment the feed's entry is made of, then each citation file
     * (a large issue's are megabytes each). */
    buf_release(&out.html);
    entry_content(&out, name.data, &content);
    buf_release(&out.body);
    cite_bibtex(arts.v, arts.n, &cites);
    buf_reset(&name);
    buf_appendf(&name, "issue-%04d.bib", is->number);
    if (write_file(a, name.data, cites.data, cites.len, e) < 0)
        goto out;
    buf_release(&cites);
    cite_ris(arts.v, arts.n, &cites);
    buf_reset(&name);
    buf_appendf(&name, "issue-%04d.ris", is->number);
    if (write_file(a, name.data, cites.data, cites.len, e) < 0)
        goto out;
    rec->subject = buf_detach(&out.subject, NULL);
    rec->content_len = content.len;
    rec->content = buf_detach(&content, NULL);
    rec->stamp = xstrdup(a->stamp);
    /* Files that cannot be looked at just written are not recorded: the
     * next write renders the issue again. */
    if (files_id(a, is->number, &files) == 0) {
        rec->files = buf_detach(&files, NULL);
        if (store_archived_put(a->c->st, is->id, rec, e) < 0)
            goto out;
    }
    a->rendered++;
    rc = 0;
out:
    render_output_release(&out);
    article_list_release(&arts);
    buf_release(&name);
    buf_release(&cites);
    buf_release(&files);
    buf_release(&content);
    return rc;
}

/* The issue's record, if the state has one for this stamp and its files
 * are the ones it wrote: 1 and rec, else 0. */
static int
recorded(struct arch *a, const struct store_issue *is,
         struct store_archived *rec, struct err *e)
{
    struct buf files = BUF_INIT;
    int found;

    if (a->flags & ARCHIVE_REBUILD)
        return 0;
    /* Issues are taken newest first: the older ones are only on the
     * index, which needs no content. */
    found = store_archived_get(a->c->st, is->id,
                               a->nentries < ARCHIVE_FEED_ENTRIES, rec, e);
    if (found != 1)
        return found;
    if (strcmp(rec->stamp, a->stamp) != 0 ||
        files_id(a, is->number, &files) < 0 ||
        strcmp(rec->files, files.data) != 0) {
        store_archived_release(rec);
        found = 0;
    }
    buf_release(&files);
    return found;
}

/* One issue's feed entry and index row, rendering its page and citation
 * files first when they are missing or stale. */
static int
write_issue(struct arch *a, const struct store_issue *is, struct err *e)
{
    struct store_archived rec;
    int found;

    memset(&rec, 0, sizeof(rec));
    found = recorded(a, is, &rec, e);
    if (found < 0 || (found == 0 && render_one(a, is, &rec, e) < 0)) {
        store_archived_release(&rec);
        return -1;
    }
    if (a->nentries < ARCHIVE_FEED_ENTRIES) {
        feed_entry(a, is, &rec, &a->entries);
        a->nentries++;
    }
    index_entry(a, is, &rec);
    if (is->sent > a->updated)
        a->updated = is->sent;
    store_archived_release(&rec);
    return 0;
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
archive_write(const struct context *c, unsigned flags,
              struct archive_stats *stats, struct err *e)
{
    struct store_issue *v = NULL;
    struct buf stamp = BUF_INIT;
    struct arch a;
    char *name = NULL;
    size_t n = 0, i;
    int rc = -1;

    memset(&a, 0, sizeof(a));
    a.c = c;
    a.flags = flags;
    buf_init(&a.entries);
    a.issues = tpl_list_new();
    if (compose_split_mailbox(c->cfg->from, &name, &a.sender, e) < 0 ||
        fs_mkdirs(c->cfg->archive, e) < 0 || archive_stamp(c, &stamp, e) < 0 ||
        store_issues_sent(c->st, &v, &n, e) < 0)
        goto out;
    a.stamp = stamp.data;
    /* Newest first, in the feed and on the index. */
    for (i = n; i-- > 0;)
        if (write_issue(&a, &v[i], e) < 0)
            goto out;
    if (write_feed(&a, n ? v[0].created : c->now.t, e) < 0 ||
        write_index(&a, e) < 0)
        goto out;
    if (stats) {
        stats->issues = n;
        stats->rendered = a.rendered;
    }
    rc = 0;
out:
    for (i = 0; i < n; i++)
        store_issue_release(&v[i]);
    free(v);
    free(name);
    free(a.sender);
    buf_release(&stamp);
    buf_release(&a.entries);
    tpl_value_free(a.issues);
    return rc;
}

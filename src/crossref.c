/* crossref: the Crossref REST API "works" endpoint to articles. */
#include "arctic_digest/crossref.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

void
crossref_page_release(struct crossref_page *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        article_release(&p->v[i]);
    free(p->v);
    free(p->next_cursor);
    *p = (struct crossref_page)CROSSREF_PAGE_INIT;
}

static bool
is_issn(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != 9 || s[4] != '-')
        return false;
    for (i = 0; i < 9; i++) {
        if (i == 4)
            continue;
        if (!isdigit((unsigned char)s[i]) && !(i == 8 && (s[i] == 'X'
                                                          || s[i] == 'x')))
            return false;
    }
    return true;
}

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
static bool
is_pub_date(const char *s)
{
    size_t i, n = strlen(s);

    if (n != 4 && n != 7 && n != 10)
        return false;
    for (i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;

        if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* The API's base URL (base, or Crossref's) without trailing slashes. */
static void
append_base(const char *base, struct buf *out)
{
    size_t n;

    if (base == NULL)
        base = CROSSREF_API;
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    buf_append(out, base, n);
}

int
crossref_works_url(const char *base, const char *issn,
                   const char *from_pub_date, const char *cursor, long rows,
                   const char *mailto, struct buf *out, struct err *e)
{
    char sep = '?';

    if (!is_issn(issn))
        return err_set(e, ERR_CONFIG, 0, "not an ISSN: '%s'",
                       issn ? issn : "");
    if (from_pub_date != NULL && !is_pub_date(from_pub_date))
        return err_set(e, ERR_CONFIG, 0,
                       "not a date of the form YYYY-MM-DD: '%s'",
                       from_pub_date);
    append_base(base, out);
    buf_append_str(out, "/journals/");
    text_escape_url(issn, strlen(issn), "", out);
    buf_append_str(out, "/works");
    if (from_pub_date != NULL) {
        buf_appendf(out, "%cfilter=from-pub-date:", sep);
        text_escape_url(from_pub_date, strlen(from_pub_date), "", out);
        sep = '&';
    }
    if (rows > 0) {
        buf_appendf(out, "%crows=%ld", sep, rows);
        sep = '&';
    }
    if (cursor != NULL) {
        buf_appendf(out, "%ccursor=", sep);
        text_escape_url(cursor, strlen(cursor), "", out);
        sep = '&';
    }
    if (mailto != NULL) {
        buf_appendf(out, "%cmailto=", sep);
        text_escape_url(mailto, strlen(mailto), "@", out);
    }
    return 0;
}

/* The first string of a JSON array of strings, or a plain string. */
static const char *
first_string(json_t *v)
{
    if (json_is_array(v))
        v = json_array_get(v, 0);
    return json_string_value(v);
}

/* Markup-free one-line text of a JSON string; NULL if empty or absent. */
static char *
plain_line(const char *s)
{
    struct buf html = BUF_INIT, line = BUF_INIT;

    if (s == NULL)
        return NULL;
    text_html_to_plain(s, strlen(s), &html);
    text_one_line(html.data, html.len, &line);
    buf_release(&html);
    if (line.len == 0) {
        buf_release(&line);
        return NULL;
    }
    return buf_detach(&line, NULL);
}

static void
add_authors(struct article *a, json_t *list)
{
    size_t i;
    json_t *p;

    json_array_foreach(list, i, p) {
        char *given = plain_line(json_string_value(json_object_get(p, "given")));
        char *family =
            plain_line(json_string_value(json_object_get(p, "family")));
        char *name = plain_line(json_string_value(json_object_get(p, "name")));
        char *suffix =
            plain_line(json_string_value(json_object_get(p, "suffix")));
        size_t at, keep;

        /* a suffix deposited inside the family name, "Brower, Sr." */
        if (family != NULL && suffix == NULL) {
            at = article_name_suffix(family, &keep);
            if (at) {
                suffix = xstrdup(family + at);
                family[keep] = '\0';
            }
        }
        if (family != NULL || given != NULL) {
            article_add_person(a, given, family != NULL ? family : given,
                               NULL);
            article_set_suffix(a, suffix);
        } else if (name != NULL) {
            article_add_person(a, NULL, NULL, name);
        }
        free(given);
        free(family);
        free(name);
        free(suffix);
    }
}

/* {"date-parts": [[2025, 7, 22]]}, also [[2025, 7]], [[2025]]. */
static bool
date_parts(json_t *date, struct dt *out)
{
    json_t *parts = json_array_get(json_object_get(date, "date-parts"), 0);
    json_int_t y, m = 1, d = 1;
    size_t n = json_array_size(parts);

    if (n == 0 || !json_is_integer(json_array_get(parts, 0)))
        return false;
    y = json_integer_value(json_array_get(parts, 0));
    if (y < 1 || y > 9999)
        return false;
    out->prec = DT_PREC_YEAR;
    if (n >= 2 && json_is_integer(json_array_get(parts, 1))) {
        m = json_integer_value(json_array_get(parts, 1));
        if (m < 1 || m > 12)
            return false;
        out->prec = DT_PREC_MONTH;
        if (n >= 3 && json_is_integer(json_array_get(parts, 2))) {
            d = json_integer_value(json_array_get(parts, 2));
            if (d < 1 || d > 31)
                return false;
            out->prec = DT_PREC_DAY;
        }
    }
    out->t = dt_days_from_civil((int)y, (int)m, (int)d) * 86400;
    out->offset = 0;
    return true;
}

static void
set_published(struct article *a, json_t *w)
{
    /* issued first: what Crossref's own CSL JSON gives, and so what
     * citeproc cites (the earlier of print and online, as Crossref sets
     * it) */
    static const char *const keys[] = {"issued", "published-print",
                                       "published-online", "published"};
    size_t i;

    for (i = 0; i < ARRAY_SIZE(keys); i++) {
        struct dt d = DT_INIT;

        if (date_parts(json_object_get(w, keys[i]), &d)) {
            a->published = d;
            return;
        }
    }
}

/* JATS abstract to text, without a leading "Abstract" heading. */
static char *
abstract_text(const char *jats)
{
    static const char *const heads[] = {"abstract", "abstract:", "summary"};
    struct buf b = BUF_INIT;
    size_t i;

    if (jats == NULL)
        return NULL;
    text_html_to_plain(jats, strlen(jats), &b);
    for (i = 0; i < ARRAY_SIZE(heads); i++) {
        size_t k = strlen(heads[i]);

        if (b.len >= k && strncasecmp(b.data, heads[i], k) == 0
            && (b.data[k] == '\0' || b.data[k] == '\n')) {
            while (b.data[k] == '\n')
                k++;
            memmove(b.data, b.data + k, b.len - k + 1);
            b.len -= k;
            break;
        }
    }
    if (b.len == 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

static const char *
work_url(json_t *w)
{
    const char *u = json_string_value(json_object_get(w, "URL"));

    if (u == NULL)
        u = json_string_value(json_object_get(
            json_object_get(json_object_get(w, "resource"), "primary"),
            "URL"));
    if (u != NULL && strncasecmp(u, "https://", 8) != 0
        && strncasecmp(u, "http://", 7) != 0)
        u = NULL;
    return u;
}

/* A volume, issue, page or article number, cleaned as article_locator
 * says (Crossref has volumes "null"); pages "436-444", "436\u2013444",
 * "e0312345" as first-last with a hyphen (article.h). */
static char *
locator(json_t *w, const char *key)
{
    char *s = plain_line(json_string_value(json_object_get(w, key)));
    char *dash, *out;

    if (s == NULL)
        return NULL;
    dash = strstr(s, "\xe2\x80\x93");
    if (dash != NULL && strcmp(key, "page") == 0) {
        *dash = '-';
        memmove(dash + 1, dash + 3, strlen(dash + 3) + 1);
    }
    out = article_locator(s);
    free(s);
    return out;
}

/* Whether title (n bytes) already holds sub (m bytes), ignoring ASCII
 * case: it ends with it, or opens with it before a colon (publishers
 * register a title's first part as its subtitle too). */
static bool
holds_subtitle(const char *title, size_t n, const char *sub, size_t m)
{
    if (m > n)
        return false;
    if (strncasecmp(title + n - m, sub, m) == 0)
        return true;
    return m < n && title[m] == ':' && strncasecmp(title, sub, m) == 0;
}

/* plain_line of s with its italics marked (article_mark_italics). */
static char *
marked_line(const char *s)
{
    struct buf m = BUF_INIT;
    char *line;

    if (s == NULL)
        return NULL;
    article_mark_italics(s, strlen(s), &m);
    line = plain_line(m.data);
    buf_release(&m);
    return line;
}

/* title[0] and subtitle[0] as "Title: Subtitle" (CMOS 14.89, APA 7 9.18,
 * MLA 9 2.3: a colon between them, none after a title that ends in ":",
 * "?" or "!"), unless the title already holds the subtitle; into a's
 * title and its italics (the plain forms decide, the marked ones join). */
static void
work_title(json_t *w, struct article *a)
{
    char *title = marked_line(first_string(json_object_get(w, "title")));
    char *sub = marked_line(first_string(json_object_get(w, "subtitle")));
    struct article s; /* the subtitle, plain */
    struct buf b = BUF_INIT;
    size_t n;

    article_init(&s);
    if (title != NULL)
        article_set_title_marked(a, title, strlen(title));
    if (sub != NULL)
        article_set_title_marked(&s, sub, strlen(sub));
    n = a->title != NULL ? strlen(a->title) : 0;
    if (n > 0 && s.title != NULL &&
        !holds_subtitle(a->title, n, s.title, strlen(s.title))) {
        buf_append_str(&b, title);
        buf_append_str(&b, strchr(":?!", a->title[n - 1]) ? " " : ": ");
        buf_append_str(&b, sub);
        article_set_title_marked(a, b.data, b.len);
    }
    article_release(&s);
    free(title);
    free(sub);
    buf_release(&b);
}

/* Crossref's type; posted content is a preprint when its subtype says
 * so, and a blog post or other posted work otherwise. */
static enum article_kind
work_kind(json_t *w)
{
    const char *type = json_string_value(json_object_get(w, "type"));
    const char *sub = json_string_value(json_object_get(w, "subtype"));

    if (type != NULL && !strcmp(type, "posted-content") && sub != NULL &&
        !strcmp(sub, "preprint"))
        return ARTICLE_KIND_PREPRINT;
    return article_kind_from_name(type);
}

/* One work to a; false if it has neither title nor DOI. */
static bool
work_article(json_t *w, const char *source, struct article *a)
{
    size_t i;
    json_t *kw;

    article_init(a);
    work_title(w, a);
    a->doi = article_doi_normalize(json_string_value(json_object_get(w, "DOI")));
    if (a->title == NULL && a->doi == NULL) {
        article_release(a);
        return false;
    }
    a->source = xstrdup(source);
    a->guid = xstrdup(a->doi);
    a->url = plain_line(work_url(w));
    a->container =
        plain_line(first_string(json_object_get(w, "container-title")));
    if (a->container == NULL) /* a preprint: its server ("bioRxiv") */
        a->container = plain_line(json_string_value(json_object_get(
            json_array_get(json_object_get(w, "institution"), 0), "name")));
    add_authors(a, json_object_get(w, "author"));
    a->volume = locator(w, "volume");
    a->issue = locator(w, "issue");
    a->pages = locator(w, "page");
    if (a->pages == NULL) /* eLife, PLOS: an article number, no pages */
        a->pages = locator(w, "article-number");
    set_published(a, w);
    a->publisher =
        plain_line(json_string_value(json_object_get(w, "publisher")));
    a->place =
        plain_line(json_string_value(json_object_get(w, "publisher-location")));
    a->kind = work_kind(w);
    a->lang = article_lang_normalize(
        json_string_value(json_object_get(w, "language")));
    a->abstract = abstract_text(json_string_value(json_object_get(w, "abstract")));
    json_array_foreach(json_object_get(w, "subject"), i, kw) {
        char *k = plain_line(json_string_value(kw));

        if (k != NULL)
            article_add_keyword(a, k);
        free(k);
    }
    return true;
}

static void
add_work(struct crossref_page *p, json_t *w, const char *source)
{
    struct article a;

    if (!json_is_object(w) || !work_article(w, source, &a))
        return;
    xgrow(&p->v, &p->alloc, p->n + 1, sizeof(*p->v));
    p->v[p->n++] = a;
}

/* The message object of an "ok" envelope, or NULL with e set. */
static json_t *
envelope_message(json_t *root, struct err *e)
{
    const char *status = json_string_value(json_object_get(root, "status"));
    json_t *msg = json_object_get(root, "message");

    if (!json_is_object(root) || status == NULL) {
        err_set(e, ERR_DATA, 0, "not a Crossref works response");
        return NULL;
    }
    if (strcmp(status, "ok") != 0) {
        err_set(e, ERR_DATA, 0, "Crossref status '%.40s'", status);
        return NULL;
    }
    if (!json_is_object(msg)) {
        err_set(e, ERR_DATA, 0, "not a Crossref works response");
        return NULL;
    }
    return msg;
}

int
crossref_parse(const char *json, size_t n, const char *source,
               struct crossref_page *out, struct err *e)
{
    struct crossref_page p = CROSSREF_PAGE_INIT;
    json_error_t je;
    json_t *root, *msg, *items, *w;
    size_t i;

    root = json_loadb(json, n, 0, &je);
    if (root == NULL)
        return err_set(e, ERR_DATA, 0, "JSON error at line %d, column %d: %s",
                       je.line, je.column, je.text);
    msg = envelope_message(root, e);
    if (msg == NULL) {
        json_decref(root);
        return -1;
    }
    items = json_object_get(msg, "items");
    if (json_is_array(items)) {
        json_array_foreach(items, i, w)
            add_work(&p, w, source);
        p.total_results =
            (long)json_integer_value(json_object_get(msg, "total-results"));
        p.next_cursor =
            xstrdup(json_string_value(json_object_get(msg, "next-cursor")));
    } else {
        add_work(&p, msg, source);
        p.total_results = 1;
    }
    json_decref(root);
    *out = p;
    return 0;
}

int
crossref_doi_url(const char *base, const char *doi, struct buf *out,
                 struct err *e)
{
    char *bare = article_doi_normalize(doi), *p;

    if (bare == NULL)
        return err_set(e, ERR_DATA, 0, "not a DOI: '%.100s'",
                       doi ? doi : "");
    for (p = bare; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    append_base(base, out);
    buf_append_str(out, "/works/");
    text_escape_url(bare, strlen(bare), "/", out);
    free(bare);
    return 0;
}

int
crossref_compact(const char *json, size_t n, struct buf *out,
                 struct err *e)
{
    json_error_t je;
    json_t *root, *msg;
    char *dump;
    int rc = -1;

    root = json_loadb(json, n, 0, &je);
    if (root == NULL)
        return err_set(e, ERR_DATA, 0, "JSON error at line %d, column %d: %s",
                       je.line, je.column, je.text);
    msg = envelope_message(root, e);
    if (msg == NULL)
        goto out;
    if (json_object_get(msg, "items") != NULL) {
        err_set(e, ERR_DATA, 0, "a list of works, not one work");
        goto out;
    }
    json_object_del(msg, "reference");
    dump = json_dumps(root, JSON_COMPACT);
    if (dump == NULL) {
        err_set(e, ERR_DATA, 0, "cannot write the Crossref answer back");
        goto out;
    }
    buf_append_str(out, dump);
    free(dump);
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static void
fill(char **have, const char *from)
{
    if (*have == NULL && from != NULL)
        *have = xstrdup(from);
}

/* The feed's names were written as one string each ("Jin Ke"), where
 * Crossref splits them. */
static bool
unsplit(const struct article *a)
{
    size_t i;

    for (i = 0; i < a->nauthors; i++)
        if (a->authors[i].literal != NULL)
            return true;
    return false;
}

static bool
better_authors(const struct article *a, const struct article *w)
{
    if (w->nauthors == 0)
        return false;
    if (a->nauthors == 0)
        return true;
    if (a->others && w->nauthors > a->nauthors)
        return true;
    return w->nauthors == a->nauthors && unsplit(a) && !unsplit(w);
}

void
crossref_complete(struct article *a, const struct article *w)
{
    size_t i;

    /* A feed's title that is Crossref's without its subtitle gives way to
     * the whole ("Title" -> "Title: Subtitle"). */
    if (a->title != NULL && w->title != NULL) {
        size_t n = strlen(a->title);

        if (strncmp(w->title, a->title, n) == 0 &&
            (w->title[n] == ':' ||
             (w->title[n] == ' ' && n > 0 && strchr("?!", a->title[n - 1])))) {
            free(a->title);
            a->title = xstrdup(w->title);
        }
    }
    fill(&a->title, w->title);
    /* Crossref's italics, for the title as it now is */
    if (a->title_markup == NULL && w->title_markup != NULL &&
        a->title != NULL && w->title != NULL && !strcmp(a->title, w->title))
        a->title_markup = xstrdup(w->title_markup);
    fill(&a->url, w->url);
    /* The journal as registered: a feed's container is often only the
     * feed's own title ("Most Recent Articles: ...") */
    if (w->container != NULL) {
        free(a->container);
        a->container = xstrdup(w->container);
    }
    fill(&a->publisher, w->publisher);
    fill(&a->place, w->place);
    fill(&a->volume, w->volume);
    fill(&a->issue, w->issue);
    fill(&a->pages, w->pages);
    fill(&a->abstract, w->abstract);
    fill(&a->lang, w->lang);
    if (w->kind != ARTICLE_KIND_UNKNOWN) /* the registrant's word */
        a->kind = w->kind;
    if (w->published.prec > a->published.prec
        && w->published.prec <= DT_PREC_DAY)
        a->published = w->published;
    if (better_authors(a, w)) {
        for (i = 0; i < a->nauthors; i++) {
            free(a->authors[i].given);
            free(a->authors[i].family);
            free(a->authors[i].literal);
            free(a->authors[i].suffix);
        }
        a->nauthors = 0;
        for (i = 0; i < w->nauthors; i++) {
            article_add_person(a, w->authors[i].given, w->authors[i].family,
                               w->authors[i].literal);
            article_set_suffix(a, w->authors[i].suffix);
        }
        a->others = false;
    }
}

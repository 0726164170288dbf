/*
 * article_ref: where a work sits in the literature: DOIs found in
 * publishers' links, and page ranges.  Part of the article module
 * (article.h).
 *
 * Publishers put the DOI in their links in a few ways, and these are
 * read as rules, not per site:
 *   https://doi.org/10.1080/...           (a DOI resolver)
 *   https://www.tandfonline.com/doi/abs/10.1080/...?af=R  (Atypon, Wiley,
 *       SAGE: /doi/, /doi/abs/, /doi/full/, /doi/pdf/, /doi/epdf/)
 *   https://bmcbioinformatics.biomedcentral.com/articles/10.1186/...
 *   https://link.springer.com/article/10.1007/...
 *   https://www.biorxiv.org/content/10.1101/2025.01.01.123456v1?rss=1
 *   https://journals.plos.org/plosone/article?id=10.1371/journal.pone...
 * that is, a path segment or a query value that starts "10.NNNN/".  The
 * DOI runs to the end of the path (DOIs hold "/"), or of the value.
 *
 * Kinds of work: their names, Crossref's types, and the preprint servers
 * known by their DOIs and hosts.  Languages: the tags sources write, as
 * BCP 47 (RFC 5646) spells them.
 */
#include "arctic_digest/article.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"

/* Does p start a DOI: "10." then 4 to 9 digits (dots allowed) and "/"? */
static bool
starts_doi(const char *p, size_t n)
{
    size_t i = 3, digits = 0;

    if (n < 8 || strncmp(p, "10.", 3) != 0)
        return false;
    while (i < n && (ascii_is_digit(p[i]) || p[i] == '.')) {
        digits += ascii_is_digit(p[i]);
        i++;
    }
    return digits >= 4 && i < n && p[i] == '/' && i + 1 < n;
}

static bool
ends_with(const struct buf *b, const char *suffix)
{
    return ascii_ends_with(b->data, b->len, suffix);
}

/* Drop what bioRxiv, medRxiv and Springer append to a DOI in a link: a
 * view (".full", ".abstract", ".full.pdf", ".pdf", "+html", Frontiers'
 * "/full" and the like) and, for the
 * preprint servers (10.1101), the version ("v2"). */
static void
drop_view_suffix(struct buf *b)
{
    static const char *const views[] = {
        ".full.pdf", ".full-text", ".full", ".abstract", ".pdf",  "+html",
        "/full",     "/abstract",  "/pdf",  "/fulltext", "/html", "/epdf"};
    size_t i, k;

    for (i = 0; i < ARRAY_SIZE(views); i++) {
        if (ends_with(b, views[i])) {
            b->len -= strlen(views[i]);
            b->data[b->len] = '\0';
            break;
        }
    }
    if (strncmp(b->data, "10.1101/", 8) != 0)
        return;
    k = b->len;
    while (k > 8 && ascii_is_digit(b->data[k - 1]))
        k--;
    if (k < b->len && k > 9 && b->data[k - 1] == 'v' &&
        ascii_is_digit(b->data[k - 2])) {
        b->len = k - 1;
        b->data[b->len] = '\0';
    }
}

/* The DOI that starts at p and runs to a byte in stop (or the end). */
static char *
doi_at(const char *p, size_t n, const char *stop)
{
    struct buf b = BUF_INIT;
    size_t i = 0;
    char *doi;

    while (i < n && strchr(stop, p[i]) == NULL)
        i++;
    buf_append(&b, p, i);
    while (b.len > 0 && b.data[b.len - 1] == '/')
        b.data[--b.len] = '\0';
    drop_view_suffix(&b);
    doi = article_doi_normalize(b.data);
    buf_release(&b);
    return doi;
}

char *
article_doi_from_url(const char *url)
{
    const char *p, *end, *path, *query;
    char *doi;

    if (url == NULL)
        return NULL;
    doi = article_doi_normalize(url); /* doi.org, "doi:" */
    if (doi != NULL)
        return doi;
    p = strstr(url, "://");
    if (p == NULL)
        return NULL;
    end = url + strcspn(url, "#");
    path = p + 3 + strcspn(p + 3, "/?#");
    query = memchr(path, '?', (size_t)(end - path));
    if (query == NULL)
        query = end;
    /* A path segment that starts a DOI. */
    for (p = path; p < query; p++) {
        if (*p == '/' && starts_doi(p + 1, (size_t)(query - p - 1)))
            return doi_at(p + 1, (size_t)(query - p - 1), "?#");
    }
    /* A query value that is one ("id=10.1371/..."). */
    for (p = query; p < end; p++) {
        if (*p == '=' && starts_doi(p + 1, (size_t)(end - p - 1)))
            return doi_at(p + 1, (size_t)(end - p - 1), "&#");
    }
    return NULL;
}

/* The digits of s (trimmed), or 0 if s is not all digits. */
static size_t
digits_of(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!ascii_is_digit(s[i]))
            return 0;
    }
    return n;
}

static void
trimmed(const char **s, size_t *n)
{
    while (*n > 0 && ascii_is_space(**s))
        (*s)++, (*n)--;
    while (*n > 0 && ascii_is_space((*s)[*n - 1]))
        (*n)--;
}

char *
article_pages(const char *first, const char *last)
{
    struct buf b = BUF_INIT;
    const char *f = first, *l = last;
    size_t fn = first != NULL ? strlen(first) : 0;
    size_t ln = last != NULL ? strlen(last) : 0;

    trimmed(&f, &fn);
    trimmed(&l, &ln);
    if (fn == 0)
        return NULL;
    buf_append(&b, f, fn);
    if (ln == 0 || (ln == fn && memcmp(f, l, fn) == 0))
        return buf_detach(&b, NULL);
    buf_append_char(&b, '-');
    /* "767", "77": the last page written short takes the first's lead */
    if (digits_of(f, fn) > 0 && digits_of(l, ln) > 0 && ln < fn)
        buf_append(&b, f, fn - ln);
    buf_append(&b, l, ln);
    return buf_detach(&b, NULL);
}

char *
article_locator(const char *s)
{
    static const char *const none[] = {"null", "n/a", "-"};
    const char *dash;
    size_t n = s != NULL ? strlen(s) : 0, i;

    trimmed(&s, &n);
    if (n == 0)
        return NULL;
    for (i = 0; i < ARRAY_SIZE(none); i++)
        if (ascii_ieq_n(s, n, none[i]))
            return NULL;
    /* One page, "S8-S8"; not Wiley's "no-no" (no page numbers), which
     * is no page at all, so it stays as written. */
    dash = memchr(s, '-', n);
    if (dash != NULL && (size_t)(dash - s) * 2 + 1 == n &&
        memcmp(s, dash + 1, (size_t)(dash - s)) == 0 &&
        strpbrk(dash + 1, "0123456789") != NULL)
        n = (size_t)(dash - s);
    return xstrndup(s, n);
}

char *
article_lang_normalize(const char *s)
{
    size_t start, end, i, sub = 0, nsub = 0;
    char *out;

    if (s == NULL)
        return NULL;
    for (start = 0; ascii_is_space(s[start]); start++)
        ;
    for (end = strlen(s); end > start && ascii_is_space(s[end - 1]); end--)
        ;
    if (end == start || end - start > 64)
        return NULL;
    out = xstrndup(s + start, end - start);
    for (i = 0;; i++) {
        char c = out[i];

        if (c == '_')
            c = out[i] = '-';
        if (c == '-' || c == '\0') {
            size_t len = i - sub;
            bool ok = len >= 1 && len <= 8;

            /* the language: 2 or 3 letters, or x-..., i-... */
            if (nsub == 0) {
                ok = (len == 2 || len == 3 ||
                      (len == 1 && (out[sub] == 'x' || out[sub] == 'i') &&
                       c == '-'));
                for (size_t k = sub; ok && k < i; k++)
                    ok = ascii_is_alpha(out[k]);
            }
            if (!ok)
                break;
            nsub++;
            sub = i + 1;
            if (c == '\0')
                return out;
            continue;
        }
        if (!ascii_is_alnum(c))
            break;
        out[i] = ascii_tolower(c);
    }
    free(out);
    return NULL;
}

static const struct {
    const char *name;
    enum article_kind kind;
} kind_names[] = {
    /* ours first: article_kind_name gives the first of each kind */
    {"journal-article", ARTICLE_KIND_JOURNAL},
    {"report", ARTICLE_KIND_REPORT},
    {"preprint", ARTICLE_KIND_PREPRINT},
    {"book-chapter", ARTICLE_KIND_CHAPTER},
    {"web-page", ARTICLE_KIND_WEB},
    {"news", ARTICLE_KIND_NEWS},
    {"book", ARTICLE_KIND_BOOK},
    {"proceedings-article", ARTICLE_KIND_PAPER},
    {"reference-entry", ARTICLE_KIND_ENTRY},
    {"posted-content", ARTICLE_KIND_POSTED},
    {"dataset", ARTICLE_KIND_DATASET},
    {"peer-review", ARTICLE_KIND_REVIEW},
    /* Crossref's other types */
    {"monograph", ARTICLE_KIND_BOOK},
    {"edited-book", ARTICLE_KIND_BOOK},
    {"reference-book", ARTICLE_KIND_BOOK},
    {"report-component", ARTICLE_KIND_REPORT},
    {"report-series", ARTICLE_KIND_REPORT},
    {"book-section", ARTICLE_KIND_CHAPTER},
    {"book-part", ARTICLE_KIND_CHAPTER},
};

const char *
article_kind_name(enum article_kind k)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(kind_names); i++)
        if (kind_names[i].kind == k)
            return kind_names[i].name;
    return NULL;
}

enum article_kind
article_kind_from_name(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < ARRAY_SIZE(kind_names); i++)
        if (ascii_ieq(name, kind_names[i].name))
            return kind_names[i].kind;
    return ARTICLE_KIND_UNKNOWN;
}

/* bioRxiv and medRxiv: "10.1101/" then a date "2025.01.01." (Cold Spring
 * Harbor's journals share the prefix with other suffixes: "gad.123"). */
static bool
rxiv_doi(const char *doi)
{
    static const char form[] = "10.1101/dddd.dd.dd.";
    size_t i;

    for (i = 0; form[i] != '\0'; i++) {
        if (form[i] == 'd' ? !ascii_is_digit(doi[i]) : doi[i] != form[i])
            return false;
    }
    return true;
}

/* Does url's host end in one of hosts (itself or a subdomain) and, when
 * given, its path start with path? */
static bool
link_on(const char *url, const char *host, const char *path)
{
    const char *h = strstr(url, "://"), *end;
    size_t hn, n = strlen(host);

    if (h == NULL)
        return false;
    h += 3;
    hn = strcspn(h, "/?#:");
    end = h + hn;
    if (hn < n || !ascii_ieq_n(end - n, n, host) ||
        (hn > n && end[-(ptrdiff_t)n - 1] != '.'))
        return false;
    return path == NULL || strncmp(h + strcspn(h, "/?#"), path,
                                   strlen(path)) == 0;
}

/* Preprint servers: where their links lead, the name they go by, and the
 * DOIs they register for their own preprints: a DOI prefix ("10.") or,
 * for the Center for Open Science's servers, each with a prefix of its
 * own, the start of the suffix. */
static const struct {
    const char *host, *path, *name, *doi;
} servers[] = {
    {"arxiv.org", NULL, "arXiv", "10.48550/arxiv."},
    {"biorxiv.org", NULL, "bioRxiv", "10.1101/"},
    {"medrxiv.org", NULL, "medRxiv", "10.1101/"},
    {"ssrn.com", NULL, "SSRN", "10.2139/ssrn."},
    {"osf.io", "/preprints", "OSF Preprints", "osf.io/"},
    {"preprints.org", NULL, "Preprints", "10.20944/preprints"},
    {"researchsquare.com", NULL, "Research Square", "10.21203/rs."},
};

static bool
doi_registered_by(const char *doi, const char *form)
{
    const char *suffix = strchr(doi, '/');

    if (ascii_istarts(form, strlen(form), "10."))
        return ascii_istarts(doi, strlen(doi), form);
    return suffix != NULL && ascii_istarts(suffix + 1, strlen(suffix + 1),
                                           form);
}

bool
article_doi_is_the_preprints(const char *doi, const char *url)
{
    size_t i;

    for (i = 0; doi != NULL && url != NULL && i < ARRAY_SIZE(servers); i++)
        if (link_on(url, servers[i].host, servers[i].path))
            return doi_registered_by(doi, servers[i].doi);
    return true;
}

const char *
article_preprint_server(const char *url)
{
    size_t i;

    for (i = 0; url != NULL && i < ARRAY_SIZE(servers); i++)
        if (link_on(url, servers[i].host, servers[i].path))
            return servers[i].name;
    return NULL;
}

enum article_kind
article_kind_of_work(const char *doi, const char *url)
{
    if (doi != NULL &&
        (rxiv_doi(doi) || ascii_istarts(doi, strlen(doi), "10.48550/arxiv.")))
        return ARTICLE_KIND_PREPRINT;
    if (article_preprint_server(url) != NULL)
        return ARTICLE_KIND_PREPRINT;
    return ARTICLE_KIND_UNKNOWN;
}

void
article_kind_settle(struct article *a, enum article_kind dflt)
{
    const char *server;

    if (a->kind != ARTICLE_KIND_UNKNOWN)
        return;
    if (dflt != ARTICLE_KIND_UNKNOWN) {
        a->kind = dflt;
        return;
    }
    a->kind = article_kind_of_work(a->doi, a->url);
    server = article_preprint_server(a->url);
    if (a->kind == ARTICLE_KIND_PREPRINT && server != NULL) {
        free(a->container);
        a->container = xstrdup(server);
    }
}

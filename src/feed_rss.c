/* feed_rss: RSS 0.9x/2.0 and RSS 1.0 items, and the modules (Dublin Core,
 * PRISM, content:) any item or entry may carry. */
#include "arctic_digest/feed.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"
#include "feed_int.h"

/* A PRISM volume, number or page: none when it is a placeholder ("n/a"
 * in Wiley's pages of articles not yet in an issue, "-", "0"). */
static char *
locator_of(const struct xnode *n)
{
    char *s = feed_line_of(n);

    if (s != NULL && (ascii_ieq(s, "n/a") || ascii_ieq(s, "na") ||
                      strcmp(s, "-") == 0 || strcmp(s, "0") == 0)) {
        free(s);
        s = NULL;
    }
    return s;
}

char *
feed_lang_of(const struct xnode *n)
{
    char *s = feed_line_of(n), *l = article_lang_normalize(s);

    free(s);
    return l;
}

void
feed_module_child(const struct xnode *c, struct item *it, struct article *a)
{
    const char *nm = c->name;

    if (ns_is(c, NS_DC) || ns_is(c, NS_DCTERMS)) {
        bool terms = ns_is(c, NS_DCTERMS);

        if (strcmp(nm, "title") == 0) {
            char *t = feed_html_of(c, true);

            if (feed_field_wants(&it->title, 1))
                feed_field_set(&it->title, 1, t ? xstrdup(t) : NULL);
            feed_field_set(&it->dctitle, 0, t);
        }
        else if (strcmp(nm, "date") == 0)
            feed_when_set(&it->published, terms ? 2 : 1, c);
        else if (strcmp(nm, "issued") == 0 || strcmp(nm, "created") == 0)
            feed_when_set(&it->published, 2, c);
        else if (strcmp(nm, "modified") == 0)
            feed_when_set(&it->updated, 0, c);
        else if ((strcmp(nm, "description") == 0 ||
                  strcmp(nm, "abstract") == 0) &&
                 feed_field_wants(&it->abstract, 1))
            feed_field_set(&it->abstract, 1,
                           feed_clean_abstract(feed_html_of(c, false), it));
        else if (strcmp(nm, "subject") == 0)
            feed_add_keyword_node(a, c);
        else if (strcmp(nm, "identifier") == 0) {
            char *t = feed_line_of(c);
            feed_field_set(&it->doi, 1, article_doi_normalize(t));
            free(t);
        } else if (strcmp(nm, "source") == 0)
            feed_field_set(&it->container, 1, feed_line_of(c));
        else if (strcmp(nm, "language") == 0)
            feed_field_set(&it->lang, 0, feed_lang_of(c));
    } else if (feed_ns_is_prism(c)) {
        if (strcmp(nm, "doi") == 0) {
            char *t = feed_line_of(c);
            feed_field_set(&it->doi, 0, article_doi_normalize(t));
            free(t);
        } else if (strcmp(nm, "publicationName") == 0)
            feed_field_set(&it->pubname, 0, feed_line_of(c));
        else if (strcmp(nm, "volume") == 0)
            feed_field_set(&it->volume, 0, locator_of(c));
        else if (strcmp(nm, "number") == 0)
            feed_field_set(&it->issue, 0, locator_of(c));
        else if (strcmp(nm, "issueIdentifier") == 0)
            feed_field_set(&it->issue, 1, locator_of(c));
        else if (strcmp(nm, "startingPage") == 0)
            feed_field_set(&it->spage, 0, locator_of(c));
        else if (strcmp(nm, "endingPage") == 0)
            feed_field_set(&it->epage, 0, locator_of(c));
        else if (strcmp(nm, "pageRange") == 0)
            feed_field_set(&it->pages, 1, locator_of(c));
        else if (strcmp(nm, "publicationDate") == 0)
            feed_when_set(&it->published, 2, c);
        else if (strcmp(nm, "coverDate") == 0)
            feed_when_set(&it->published, 3, c);
        else if (strcmp(nm, "url") == 0)
            feed_field_set(&it->url, 2, feed_url_of(c));
        else if (strcmp(nm, "keyword") == 0)
            feed_add_keyword_node(a, c);
    } else if (ns_is(c, NS_CONTENT) && strcmp(nm, "encoded") == 0 &&
               feed_field_wants(&it->abstract, 10)) {
        feed_field_set(&it->abstract, 10,
                       feed_clean_abstract(feed_html_of(c, false), it));
    } else if (ns_is(c, NS_XHTML) && strcmp(nm, "body") == 0 &&
               feed_field_wants(&it->abstract, 10)) {
        feed_field_set(&it->abstract, 10, feed_xhtml_of(c, false));
    }
}

/* RSS 0.9x/2.0 and RSS 1.0 item children in the core namespace. */
void
feed_rss_child(const struct parse *ps, const struct xnode *c, struct item *it,
               struct article *a)
{
    const char *nm = c->name;

    if (!ns_is(c, ps->core_ns)) {
        feed_module_child(c, it, a);
        return;
    }
    if (strcmp(nm, "title") == 0)
        feed_field_set(&it->title, 0, feed_html_of(c, true));
    else if (strcmp(nm, "link") == 0)
        feed_field_set(&it->url, 0, feed_url_of(c));
    else if (strcmp(nm, "description") == 0 &&
             feed_field_wants(&it->abstract, 0))
        feed_field_set(&it->abstract, 0,
                       feed_clean_abstract(feed_html_of(c, false), it));
    else if (strcmp(nm, "fullitem") == 0 && feed_field_wants(&it->abstract, 10))
        feed_field_set(&it->abstract, 10, feed_html_of(c, false));
    else if (strcmp(nm, "body") == 0 && feed_field_wants(&it->abstract, 10))
        feed_field_set(&it->abstract, 10, feed_xhtml_of(c, false));
    else if (strcmp(nm, "pubDate") == 0)
        feed_when_set(&it->published, 0, c);
    else if (strcmp(nm, "category") == 0)
        feed_add_keyword_node(a, c);
    else if (strcmp(nm, "guid") == 0) {
        char *perma = feed_prop(c, "isPermaLink");

        feed_field_set(&it->guid, 0, feed_line_of(c));
        if (perma == NULL || strcmp(perma, "false") != 0)
            feed_field_set(&it->url, 1, feed_url_of(c));
        free(perma);
    }
}

static bool
has_at(const char *p, const char *end)
{
    return memchr(p, '@', (size_t)(end - p)) != NULL;
}

/* "jane@x.org (Jane Doe)" -> "Jane Doe"; "Jane Doe (jane@x.org)" and "Jane
 * Doe <jane@x.org>" -> "Jane Doe"; a bare address gives nothing. */
static void
add_rss_author(struct article *a, const struct xnode *n)
{
    char *s = feed_line_of(n);
    const char *p, *q;

    if (s == NULL)
        return;
    s[feed_name_before_affiliation(s)] = '\0';
    p = strchr(s, '(');
    q = strrchr(s, ')');
    if (p != NULL && q != NULL && q > p && has_at(p, q)) {
        article_add_byline(a, s, (size_t)(p - s));
    } else if (strchr(s, '@') != NULL && p != NULL && q != NULL && q > p) {
        article_add_byline(a, p + 1, (size_t)(q - p - 1));
    } else if ((p = strchr(s, '<')) != NULL && strchr(p, '@') != NULL) {
        article_add_byline(a, s, (size_t)(p - s));
    } else if (strchr(s, '@') == NULL) {
        article_add_byline(a, s, strlen(s));
    }
    free(s);
}

void
feed_add_byline_node(struct article *a, const struct xnode *n)
{
    char *s = feed_line_of(n);

    if (s != NULL)
        article_add_byline(a, s, strlen(s));
    free(s);
}

size_t
feed_dc_creators(const struct xnode *item, struct article *a)
{
    const struct xnode *c;
    size_t n = 0;

    for (c = item->children; c != NULL; c = c->next) {
        if (is_el(c, NS_DC, "creator") || is_el(c, NS_DCTERMS, "creator") ||
            is_el(c, NS_DC, "author")) {
            add_rss_author(a, c);
            n++;
        }
    }
    return n;
}

/* dc:creator (and dcterms:creator) if any, else RSS author. */
void
feed_rss_authors(const struct parse *ps, const struct xnode *item,
                 struct article *a)
{
    const struct xnode *c;

    if (feed_dc_creators(item, a) > 0)
        return;
    for (c = item->children; c != NULL; c = c->next) {
        if (is_el(c, ps->core_ns, "author"))
            add_rss_author(a, c);
    }
}

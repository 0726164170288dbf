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

/*
 * The kinds of work that item-level type words name, in the vocabularies
 * feeds use: Dublin Core's dc:type (DCMI's old "Text.Serial.Journal"
 * hierarchy, the OpenAIRE/DRIVER info:eu-repo/semantics/ terms, plain
 * words as repositories and OJS write them), PRISM's prism:genre, and
 * CSL's and schema.org's type names where publishers borrow them.  Words
 * are compared without case and without what is not a letter ("Journal
 * Article", "journalArticle", "journal-article").  "Text" alone, "book"
 * and genres that say nothing of the kind ("editorial", "review") are no
 * kind.
 */
static const struct {
    const char *word;
    enum article_kind kind;
} type_words[] = {
    {"textserialjournal", ARTICLE_KIND_JOURNAL},
    {"article", ARTICLE_KIND_JOURNAL},
    {"journalarticle", ARTICLE_KIND_JOURNAL},
    {"articlejournal", ARTICLE_KIND_JOURNAL},
    {"researcharticle", ARTICLE_KIND_JOURNAL},
    {"scholarlyarticle", ARTICLE_KIND_JOURNAL},
    {"report", ARTICLE_KIND_REPORT},
    {"technicalreport", ARTICLE_KIND_REPORT},
    {"researchreport", ARTICLE_KIND_REPORT},
    {"workingpaper", ARTICLE_KIND_REPORT},
    {"policybrief", ARTICLE_KIND_REPORT},
    {"briefingpaper", ARTICLE_KIND_REPORT},
    {"preprint", ARTICLE_KIND_PREPRINT},
    {"postedcontent", ARTICLE_KIND_PREPRINT},
    {"bookchapter", ARTICLE_KIND_CHAPTER},
    {"bookpart", ARTICLE_KIND_CHAPTER},
    {"booksection", ARTICLE_KIND_CHAPTER},
    {"chapter", ARTICLE_KIND_CHAPTER},
    {"textserialnewspaper", ARTICLE_KIND_NEWS},
    {"textserialmagazine", ARTICLE_KIND_NEWS},
    {"news", ARTICLE_KIND_NEWS},
    {"newsarticle", ARTICLE_KIND_NEWS},
    {"newsitem", ARTICLE_KIND_NEWS},
    {"newsbulletin", ARTICLE_KIND_NEWS},
    {"wirestory", ARTICLE_KIND_NEWS},
    {"articlenewspaper", ARTICLE_KIND_NEWS},
    {"articlemagazine", ARTICLE_KIND_NEWS},
    {"webpage", ARTICLE_KIND_WEB},
    {"blogpost", ARTICLE_KIND_WEB},
    {"blogposting", ARTICLE_KIND_WEB},
    {"blogentry", ARTICLE_KIND_WEB},
    {"postweblog", ARTICLE_KIND_WEB},
};

/* PRISM's prism:aggregationType: the kind of publication the item is
 * part of, so the kind of the item.  Of an item's signals dc:type wins,
 * then prism:aggregationType (Nature's news pieces are genre "news" in a
 * journal, and Crossref registers them as journal articles), then
 * prism:genre. */
static const struct {
    const char *word;
    enum article_kind kind;
} aggregation_words[] = {
    {"journal", ARTICLE_KIND_JOURNAL}, {"magazine", ARTICLE_KIND_NEWS},
    {"newspaper", ARTICLE_KIND_NEWS},  {"newsletter", ARTICLE_KIND_NEWS},
    {"book", ARTICLE_KIND_CHAPTER},
};

/* s's letters, lower case, into out (at most cap - 1 of them); false if
 * it has more, or none. */
static bool
letters_of(const char *s, char *out, size_t cap)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        if (!ascii_is_alpha(*s))
            continue;
        if (n + 1 >= cap)
            return false;
        out[n++] = ascii_tolower(*s);
    }
    out[n] = '\0';
    return n > 0;
}

enum type_vocabulary { TYPE_DC, TYPE_GENRE, TYPE_AGGREGATION };

/* The kind a type word names (element n's text); unknown if none.  A
 * prism:genre of "article" says nothing of where (a magazine's articles
 * are articles too): only dc:type's "article" is a journal article, as
 * repositories use it. */
static enum article_kind
kind_of_word(const struct xnode *n, enum type_vocabulary v)
{
    bool aggregation = v == TYPE_AGGREGATION;
    static const char eu_repo[] = "info:eu-repo/semantics/";
    char *t = feed_line_of(n), w[40];
    const char *p = t;
    enum article_kind k = ARTICLE_KIND_UNKNOWN;
    size_t i;

    if (t == NULL)
        return k;
    if (ascii_istarts(p, strlen(p), eu_repo))
        p += sizeof(eu_repo) - 1;
    if (letters_of(p, w, sizeof(w))) {
        for (i = 0; !aggregation && i < ARRAY_SIZE(type_words); i++)
            if (strcmp(w, type_words[i].word) == 0 &&
                !(v == TYPE_GENRE && strcmp(w, "article") == 0))
                k = type_words[i].kind;
        for (i = 0; aggregation && i < ARRAY_SIZE(aggregation_words); i++)
            if (strcmp(w, aggregation_words[i].word) == 0)
                k = aggregation_words[i].kind;
    }
    free(t);
    return k;
}

/* Keep kind k from a signal of rank rank if it is one and beats what the
 * item has: the first of equal rank stays (a dc:type list names the most
 * specific first, as OAI records do, or its terms agree). */
static void
item_kind_set(struct item *it, int rank, enum article_kind k)
{
    if (k == ARTICLE_KIND_UNKNOWN)
        return;
    if (it->kind != ARTICLE_KIND_UNKNOWN && it->kind_rank <= rank)
        return;
    it->kind = k;
    it->kind_rank = rank;
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
            char *t = feed_title_of(c);

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
        else if (strcmp(nm, "type") == 0)
            item_kind_set(it, 0, kind_of_word(c, TYPE_DC));
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
        else if (strcmp(nm, "aggregationType") == 0)
            item_kind_set(it, 1, kind_of_word(c, TYPE_AGGREGATION));
        else if (strcmp(nm, "genre") == 0)
            item_kind_set(it, 2, kind_of_word(c, TYPE_GENRE));
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
        feed_field_set(&it->title, 0, feed_title_of(c));
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

/*
 * feed: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0 documents to articles.
 *
 * The document is read with libxml2 in strict mode first.  If that fails,
 * undeclared HTML entities ("&nbsp;") and bare "&" are rewritten and the
 * strict parse is tried again; failing that, a document whose damage is
 * local (a mismatched tag, a bad character) is read with XML_PARSE_RECOVER.
 * Either way feed.warning holds the first error.  A document that ends
 * early, is empty or trips the entity-amplification guard is refused.
 * libxml2's errors go to a handler on the parser context, never to stderr.
 *
 * libxml2 reads through SAX callbacks into a light tree of our own (see
 * feed_int.h and feed_xml.c); it never substitutes entities on its own
 * (no XML_PARSE_NOENT), never loads external ones, and hands the content
 * of a declared internal entity to the callbacks where it is referenced;
 * an undeclared one that names an HTML entity ("&nbsp;" under an external
 * DTD or in recovery mode) becomes that character.  The tree holds at most
 * 16 bytes of text per byte of input (plus 4 MiB), so entities cannot
 * blow it up.
 */
#include "arctic_digest/feed.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

#include "feed_int.h"

/* ---- items and channels ------------------------------------------------ */

/* A dc:source that names the outlet: not a link, not the item's title. */
static bool
names_outlet(const char *s, const char *title)
{
    return s != NULL && !ascii_istarts(s, strlen(s), "http://") &&
           !ascii_istarts(s, strlen(s), "https://") &&
           !feed_same_text(s, title);
}

/*
 * The outlet: the [source]'s container; the item's
 * prism:publicationName, unless it repeats the item's title (Atypon's
 * Taylor & Francis feeds put the article's title there); dc:source; the
 * channel's prism:publicationName; the journal named in the feed's title.
 * (A preprint server's name replaces it later: article_kind_settle.)
 */
static char *
item_container(const struct parse *ps, const struct item *it,
               const char *title)
{
    if (ps->container != NULL)
        return xstrdup(ps->container);
    if (names_outlet(it->pubname.s, title))
        return xstrdup(it->pubname.s);
    if (names_outlet(it->container.s, title))
        return xstrdup(it->container.s);
    return xstrdup(ps->chan_container);
}

/* Volume, issue and pages: PRISM's, else those of an issue statement. */
static void
item_locators(struct item *it, struct article *a)
{
    a->volume = it->volume.s;
    a->issue = it->issue.s;
    it->volume.s = it->issue.s = NULL;
    if (it->spage.s != NULL) {
        a->pages = article_pages(it->spage.s, it->epage.s);
    } else if (it->pages.s != NULL) {
        struct buf b = BUF_INIT;
        const char *p;

        /* "767–777" (en dash) as "767-777" */
        for (p = it->pages.s; *p != '\0'; p++) {
            if (strncmp(p, "\xe2\x80\x93", 3) == 0) {
                buf_append_char(&b, '-');
                p += 2;
            } else {
                buf_append_char(&b, *p);
            }
        }
        a->pages = feed_detach_or_null(&b);
    }
}

static void
item_to_article(const struct parse *ps, struct item *it, struct article *a)
{
    a->source = xstrdup(ps->source);
    if (feed_title_without_statement(it->title.s, it->dctitle.s) !=
        it->title.s) {
        free(it->title.s);
        it->title.s = it->dctitle.s;
        it->dctitle.s = NULL;
    }
    /* the title's italics (feed_title_of marked them) apart from it */
    if (it->title.s != NULL)
        article_set_title_marked(a, it->title.s, strlen(it->title.s));
    a->url = it->url.s;
    a->guid = it->guid.s != NULL ? it->guid.s : xstrdup(it->url.s);
    a->doi = it->doi.s;
    if (a->doi == NULL && a->url != NULL)
        a->doi = article_doi_from_url(a->url);
    if (a->doi == NULL && a->guid != NULL)
        a->doi = article_doi_from_url(a->guid);
    /* a preprint's item that names the published version's DOI (arXiv's
     * arxiv:doi, its related doi.org link) is the preprint, cited as one:
     * the DOI is another work's */
    if (!article_doi_is_the_preprints(a->doi, a->url)) {
        free(a->doi);
        a->doi = NULL;
    }
    a->abstract = it->abstract.s;
    a->container = item_container(ps, it, a->title);
    a->kind = it->kind; /* the rest: article_kind_settle(), by the caller */
    a->lang = it->lang.s != NULL ? it->lang.s : xstrdup(ps->chan_lang);
    it->lang.s = NULL;
    item_locators(it, a);
    if (a->nauthors == 0 && it->byline.s != NULL)
        article_add_byline(a, it->byline.s, strlen(it->byline.s));
    a->updated = it->updated.d;
    a->published =
        dt_is_set(&it->published.d) ? it->published.d : it->updated.d;
    /* an item of an issue with no date of its own is dated as the issue
     * the channel lists (its PRISM cover date) */
    if (!dt_is_set(&a->published) && (a->volume || a->issue))
        a->published = ps->chan_cover.d;
    free(it->title.s);
    it->title.s = it->url.s = it->guid.s = it->doi.s = it->abstract.s = NULL;
}

static void
add_item(const struct parse *ps, const struct xnode *node, struct feed *f)
{
    struct item it;
    struct article a;
    const struct xnode *c;

    memset(&it, 0, sizeof(it));
    article_init(&a);
    /* The language: the item's dc:language (feed_module_child), the
     * xml:lang of its title, its own xml:lang; else the channel's. */
    feed_field_set(&it.lang, 2, feed_xml_lang(node, false));
    for (c = node->children; c != NULL; c = c->next) {
        if (c->type != XNODE_ELEMENT)
            continue;
        if (name_is(c, "title") && (ns_is(c, ps->core_ns) || ns_is(c, NS_DC)))
            feed_field_set(&it.lang, 1, feed_xml_lang(c, false));
        if (ps->kind == FEED_KIND_ATOM)
            feed_atom_child(ps, c, &it, &a);
        else
            feed_rss_child(ps, c, &it, &a);
    }
    if (ps->kind == FEED_KIND_RDF) {
        const char *about = feed_attr(node, NS_RDF, "about");
        if (about != NULL) {
            struct buf t = BUF_INIT;
            text_one_line(about, strlen(about), &t);
            feed_field_set(&it.guid, 1, feed_detach_or_null(&t));
        }
    }
    if (ps->kind == FEED_KIND_ATOM) {
        /* the entry's authors, its dc:creator (arXiv), the feed's */
        if (feed_atom_people(ps, node, true, &a) == 0 &&
            feed_dc_creators(node, &a) == 0 && ps->feed_node != NULL)
            feed_atom_people(ps, ps->feed_node, false, &a);
    } else {
        feed_rss_authors(ps, node, &a);
    }
    /* An item with nothing we know (an empty <item/>) is no article; one
     * with only a date or an author is kept, as feedparser keeps it. */
    if (it.title.s == NULL && it.url.s == NULL && it.guid.s == NULL &&
        it.abstract.s == NULL && it.doi.s == NULL && a.nauthors == 0 &&
        !dt_is_set(&it.published.d) && !dt_is_set(&it.updated.d)) {
        article_release(&a);
    } else {
        item_to_article(ps, &it, &a);
        xgrow(&f->v, &f->alloc, f->n + 1, sizeof(*f->v));
        f->v[f->n++] = a;
    }
    feed_item_release(&it);
}

static void
take_field(char **dst, struct field *f)
{
    if (*dst == NULL)
        *dst = f->s;
    else
        free(f->s);
    f->s = NULL;
}

/* The holder a rights statement names: "Copyright 2025, Medscape" ->
 * "Medscape", "(c) 2021 Naturalis Biodiversity Center" -> "Naturalis
 * Biodiversity Center": without the word or sign of copyright and the
 * years, up to a period or a comma. */
struct holder {
    const char *p;
    size_t n;
};

static struct holder
rights_holder(const char *s)
{
    static const char *const marks[] = {"copyright", "\u00a9", "(c)"};
    struct holder h = {s, 0};
    bool again = true;
    size_t i;

    while (again) {
        again = false;
        while (*h.p == ' ' || *h.p == ',' || *h.p == '-' ||
               ascii_is_digit(*h.p))
            h.p++;
        for (i = 0; i < ARRAY_SIZE(marks); i++) {
            if (ascii_istarts(h.p, strlen(h.p), marks[i])) {
                h.p += strlen(marks[i]);
                again = true;
            }
        }
    }
    h.n = strcspn(h.p, ".,;");
    while (h.n > 0 && h.p[h.n - 1] == ' ')
        h.n--;
    return h;
}

/*
 * The outlet of a site's feed whose title names the site and a part of it
 * ("Medscape Family Medicine Headlines", its rights "Copyright 2025,
 * Medscape"): the site, the holder of the rights, when the title begins
 * with that name and goes on.  A periodical's feed names the periodical
 * (its rights name its publisher or society, which do not begin its
 * title).  Takes title; returns the outlet, caller frees.
 */
static char *
site_of_rights(char *title, const char *rights)
{
    struct holder h;

    if (title == NULL || rights == NULL)
        return title;
    h = rights_holder(rights);
    if (h.n < 2 || strlen(title) <= h.n || title[h.n] != ' ' ||
        strncmp(title, h.p, h.n) != 0)
        return title;
    free(title);
    return xstrndup(h.p, h.n);
}

/* The channel's cover date (PRISM: the date of the issue, as printed; a
 * latest-issue feed's, Ingenta's "October 2021"): coverDate first. */
static void
channel_cover(struct parse *ps, const struct xnode *c)
{
    int rank = name_is(c, "coverDate") ? 0 : 1;
    char *t;
    struct dt d;

    if (dt_is_set(&ps->chan_cover.d) && ps->chan_cover.rank <= rank)
        return;
    t = feed_line_of(c);
    if (t != NULL && (dt_parse(t, strlen(t), &d) == 0 ||
                      feed_month_year(t, strlen(t), &d))) {
        ps->chan_cover.d = d;
        ps->chan_cover.rank = rank;
    }
    free(t);
}

/* Title, link, subtitle, outlet name and language of an RSS channel or
 * Atom feed.  The language: dc:language, RSS 2.0 <language>, else the
 * xml:lang in scope (the channel's, the root's). */
static void
channel_meta(struct parse *ps, const struct xnode *chan, struct feed *f)
{
    struct field title = {NULL, 0}, link = {NULL, 0}, sub = {NULL, 0};
    struct field lang = {NULL, 0}, rights = {NULL, 0};
    bool atom = ps->kind == FEED_KIND_ATOM;
    const struct xnode *c;

    for (c = chan->children; c != NULL; c = c->next) {
        if (c->type != XNODE_ELEMENT)
            continue;
        if (atom && is_el(c, ps->core_ns, "title"))
            feed_field_set(&title, 0, feed_atom_text(c, true));
        else if (atom && is_el(c, ps->core_ns, "link"))
            feed_atom_link(c, &link, NULL);
        else if (atom && (is_el(c, ps->core_ns, "subtitle") ||
                          is_el(c, ps->core_ns, "tagline")))
            feed_field_set(&sub, 0, feed_atom_text(c, false));
        else if (is_el(c, ps->core_ns, "title"))
            feed_field_set(&title, 0, feed_html_of(c, true));
        else if (is_el(c, ps->core_ns, "link"))
            feed_field_set(&link, 0, feed_url_of(c));
        else if (is_el(c, ps->core_ns, "description"))
            feed_field_set(&sub, 0, feed_html_of(c, false));
        else if (is_el(c, NS_DC, "title"))
            feed_field_set(&title, 1, feed_html_of(c, true));
        else if (is_el(c, NS_DC, "description"))
            feed_field_set(&sub, 1, feed_html_of(c, false));
        else if (feed_ns_is_prism(c) && name_is(c, "publicationName") &&
                 ps->chan_container == NULL)
            ps->chan_container = feed_line_of(c);
        else if (feed_ns_is_prism(c) && (name_is(c, "coverDate") ||
                                         name_is(c, "coverDisplayDate")))
            channel_cover(ps, c);
        else if (is_el(c, NS_DC, "language") ||
                 is_el(c, NS_DCTERMS, "language"))
            feed_field_set(&lang, 0, feed_lang_of(c));
        else if (!atom && is_el(c, ps->core_ns, "language"))
            feed_field_set(&lang, 1, feed_lang_of(c));
        else if (is_el(c, ps->core_ns, atom ? "rights" : "copyright"))
            feed_field_set(&rights, 0, feed_line_of(c));
        else if (is_el(c, NS_DC, "rights"))
            feed_field_set(&rights, 1, feed_line_of(c));
    }
    feed_field_set(&lang, 2, feed_xml_lang(chan, true));
    take_field(&ps->chan_lang, &lang);
    take_field(&f->title, &title);
    take_field(&f->link, &link);
    take_field(&f->subtitle, &sub);
    if (ps->chan_container == NULL)
        ps->chan_container =
            site_of_rights(feed_journal_of_title(f->title), rights.s);
    free(rights.s);
}

static void
walk_items(struct parse *ps, const struct xnode *parent, const char *name,
           struct feed *f)
{
    const struct xnode *c;

    for (c = parent->children; c != NULL; c = c->next) {
        if (is_el(c, ps->core_ns, name))
            add_item(ps, c, f);
    }
}

static void
walk(struct parse *ps, const struct xnode *root, struct feed *f)
{
    const struct xnode *c;

    if (ps->kind == FEED_KIND_ATOM) {
        ps->feed_node = root;
        channel_meta(ps, root, f);
    } else {
        for (c = root->children; c != NULL; c = c->next) {
            if (is_el(c, ps->core_ns, "channel"))
                channel_meta(ps, c, f);
        }
    }
    if (ps->chan_container == NULL)
        ps->chan_container = feed_journal_of_title(f->title);
    if (ps->kind == FEED_KIND_ATOM) {
        walk_items(ps, root, "entry", f);
        return;
    }
    /* RSS 2.0: channel/item (a stray item under <rss> is taken too);
     * RSS 1.0: items are the channel's siblings. */
    for (c = root->children; c != NULL; c = c->next) {
        if (ps->kind == FEED_KIND_RSS && is_el(c, ps->core_ns, "channel"))
            walk_items(ps, c, "item", f);
    }
    walk_items(ps, root, "item", f);
}

/* feedparser's name for an <rss version="..."> (and its DOCTYPE). */
static const char *
rss_version(const struct xdoc *doc, const struct xnode *root)
{
    static const struct {
        const char *v, *name;
    } known[] = {{"0.91", "rss091u"}, {"0.92", "rss092"}, {"0.93", "rss093"},
                 {"0.94", "rss094"},  {"2.0", "rss20"},   {"2", "rss20"}};
    char *v = feed_prop(root, "version");
    const char *name = "rss";
    size_t i;

    if (v != NULL && v[0] == '2')
        name = "rss20"; /* 2.01, 2.1, ... as feedparser does */
    for (i = 0; v != NULL && i < ARRAY_SIZE(known); i++) {
        if (strcmp(v, known[i].v) == 0)
            name = known[i].name;
    }
    if (strcmp(name, "rss091u") == 0 && doc->public_id != NULL &&
        strstr(doc->public_id, "Netscape") != NULL)
        name = "rss091n";
    free(v);
    return name;
}

static int
detect(const struct xdoc *doc, struct parse *ps, struct feed *f, struct err *e)
{
    const struct xnode *root = doc->root, *c;
    const char *ns = root->ns;
    size_t i;

    if (feed_name_ci(root, "html"))
        return err_set(e, ERR_DATA, 0, "not a feed: HTML page");
    if (name_is(root, "rss")) {
        ps->kind = FEED_KIND_RSS;
        ps->core_ns = ns;
        f->version = rss_version(doc, root);
        return 0;
    }
    if (name_is(root, "feed")) {
        /* Atom 1.0; anything else named feed is read as Atom 0.3 in its
         * own namespace (purl.org/atom/ns#, or the earlier echo/pie
         * drafts), as feedparser does. */
        ps->kind = FEED_KIND_ATOM;
        ps->core_ns = ns;
        f->version = ns_is(root, NS_ATOM) ? "atom10" : "atom03";
        return 0;
    }
    if (is_el(root, NS_RDF, "RDF")) {
        for (c = root->children; c != NULL; c = c->next) {
            if (c->type != XNODE_ELEMENT ||
                !(ns_is(c, NS_RSS10) || ns_is(c, NS_RSS090)))
                continue;
            ps->kind = FEED_KIND_RDF;
            ps->core_ns = ns_is(c, NS_RSS10) ? NS_RSS10 : NS_RSS090;
            f->version = ns_is(c, NS_RSS10) ? "rss10" : "rss090";
            return 0;
        }
        for (i = 0; i < root->nnsdecl; i++) {
            const char *h = root->nsdecl[i];
            if (strcmp(h, NS_RSS10) == 0 || strcmp(h, NS_RSS090) == 0) {
                ps->kind = FEED_KIND_RDF; /* an empty RSS 1.0 document */
                ps->core_ns = strcmp(h, NS_RSS10) == 0 ? NS_RSS10 : NS_RSS090;
                f->version = strcmp(h, NS_RSS10) == 0 ? "rss10" : "rss090";
                return 0;
            }
        }
        return err_set(e, ERR_DATA, 0,
                       "not a feed: RDF document without an RSS 1.0 channel");
    }
    if (ns != NULL)
        return err_set(e, ERR_DATA, 0,
                       "not a feed: root element <%.40s> in namespace %.100s",
                       root->name, ns);
    return err_set(e, ERR_DATA, 0, "not a feed: root element <%.40s>",
                   root->name);
}

/* The document as a libxml2 tree.  Bytes that claim to be UTF-8 go to a
 * strict parse unchecked, since it checks them; only if that fails are
 * they checked (and mended) and read again, with repairs and recovery. */
static struct xdoc *
read_doc(const char *data, size_t n, const char *content_type,
         const char *base_url, struct feed_spare *sp, struct feed_text *t,
         char **xml_warning, struct err *e)
{
    struct err strict = ERR_INIT;
    struct xdoc *doc;

    feed_to_utf8(data, n, content_type, false, t);
    if (!t->unchecked)
        return feed_read_xml(t->p, t->n, base_url, false, sp, xml_warning,
                             e);
    doc = feed_read_xml(t->p, t->n, base_url, true, sp, xml_warning,
                        &strict);
    if (doc != NULL)
        return doc;
    feed_text_release(t);
    feed_to_utf8(data, n, content_type, true, t);
    return feed_read_xml(t->p, t->n, base_url, false, sp, xml_warning, e);
}

int
feed_parse_http(struct feed *f, const char *data, size_t n,
                const char *content_type, const char *source,
                const char *base_url, const char *container, struct err *e)
{
    struct feed out = FEED_INIT;
    struct parse ps;
    struct feed_text text;
    char *xml_warning = NULL;
    /* f's kept memory, or new memory that becomes f's on success: a
     * failure leaves f as it was. */
    bool had_spare = f->spare != NULL;
    struct feed_spare *sp = had_spare ? f->spare : xcalloc(1, sizeof(*sp));
    struct xdoc *doc;
    int rc = -1;

    memset(&ps, 0, sizeof(ps));
    ps.source = source;
    ps.container = container;
    doc = read_doc(data, n, content_type, base_url, sp, &text, &xml_warning,
                   e);
    out.encoding = text.encoding;
    out.warning = xml_warning != NULL ? xml_warning : text.warning;
    if (xml_warning != NULL) /* the XML error says more */
        free(text.warning);
    text.encoding = text.warning = NULL;
    if (doc == NULL)
        goto out;
    if (detect(doc, &ps, &out, e) < 0)
        goto out;
    out.kind = ps.kind;
    walk(&ps, doc->root, &out);
    feed_reset(f);
    *f = out;
    f->spare = sp;
    memset(&out, 0, sizeof(out));
    rc = 0;
out:
    feed_xdoc_free(doc); /* its blocks go to sp */
    free(ps.chan_container);
    free(ps.chan_lang);
    feed_text_release(&text);
    feed_release(&out);
    if (rc < 0 && !had_spare)
        feed_spare_free(sp);
    return rc;
}

int
feed_parse(struct feed *f, const char *data, size_t n, const char *source,
           const char *base_url, const char *container, struct err *e)
{
    return feed_parse_http(f, data, n, NULL, source, base_url, container, e);
}

void
feed_reset(struct feed *f)
{
    struct feed_spare *sp = f->spare;
    size_t i;

    for (i = 0; i < f->n; i++)
        article_release(&f->v[i]);
    free(f->v);
    free(f->title);
    free(f->link);
    free(f->warning);
    free(f->subtitle);
    free(f->encoding);
    memset(f, 0, sizeof(*f));
    f->spare = sp;
}

void
feed_release(struct feed *f)
{
    struct feed_spare *sp = f->spare;

    f->spare = NULL;
    feed_reset(f);
    feed_spare_free(sp);
}

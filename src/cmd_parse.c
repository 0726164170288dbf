/* parse: the articles one feed yields, one JSON object a line. */
#include <stdbool.h>
#include <stdio.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/collect.h"
#include "arctic_digest/feed.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/template.h"
#include "arctic_digest/util.h"
#include "cmd.h"


static void
set_date(struct tpl_value *m, const char *key, const struct dt *d)
{
    struct buf b = BUF_INIT;

    if (dt_is_set(d)) {
        dt_format_rfc3339(d, &b);
        tpl_map_set_str(m, key, b.data);
    } else {
        tpl_map_set(m, key, tpl_null_new());
    }
    buf_release(&b);
}

/* The machine-readable record: DESIGN.md's Data fields, score, matched
 * and citations. */
static struct tpl_value *
article_json(const struct article *a)
{
    struct tpl_value *v = tpl_map_new(), *list = tpl_list_new();
    struct tpl_value *cite = tpl_map_new();
    struct buf b = BUF_INIT;
    size_t i;
    int s;

    tpl_map_set_str(v, "source", a->source);
    tpl_map_set_str(v, "guid", a->guid);
    tpl_map_set_str(v, "url", a->url);
    tpl_map_set_str(v, "doi", a->doi);
    tpl_map_set_str(v, "title", a->title);
    if (a->title_markup)
        tpl_map_set_str(v, "title_markup", a->title_markup);
    for (i = 0; i < a->nauthors; i++) {
        struct tpl_value *p = tpl_map_new();
        if (a->authors[i].literal) {
            tpl_map_set_str(p, "literal", a->authors[i].literal);
        } else {
            tpl_map_set_str(p, "given", a->authors[i].given);
            tpl_map_set_str(p, "family", a->authors[i].family);
            if (a->authors[i].suffix)
                tpl_map_set_str(p, "suffix", a->authors[i].suffix);
        }
        tpl_list_push(list, p);
    }
    tpl_map_set(v, "authors", list);
    if (a->others)
        tpl_map_set_bool(v, "others", true);
    tpl_map_set_str(v, "container", a->container);
    tpl_map_set_str(v, "publisher", a->publisher);
    tpl_map_set_str(v, "place", a->place);
    tpl_map_set_str(v, "volume", a->volume);
    tpl_map_set_str(v, "issue", a->issue);
    tpl_map_set_str(v, "pages", a->pages);
    tpl_map_set_str(v, "kind", article_kind_name(a->kind));
    tpl_map_set_str(v, "lang", a->lang);
    set_date(v, "published", &a->published);
    set_date(v, "updated", &a->updated);
    tpl_map_set_str(v, "abstract", a->abstract);
    list = tpl_list_new();
    for (i = 0; i < a->nkeywords; i++)
        tpl_list_push(list, tpl_cstr_new(a->keywords[i]));
    tpl_map_set(v, "keywords", list);
    tpl_map_set_num(v, "score", a->score);
    list = tpl_list_new();
    for (i = 0; i < a->nmatched; i++)
        tpl_list_push(list, tpl_cstr_new(a->matched[i]));
    tpl_map_set(v, "matched", list);
    for (s = CITE_CHICAGO; s <= CITE_MLA; s++) {
        buf_reset(&b);
        cite_format(a, (enum cite_style)s, CITE_MARKUP_TEXT, &b);
        tpl_map_set_str(cite, cite_style_name((enum cite_style)s), b.data);
    }
    tpl_map_set(v, "citation", cite);
    buf_release(&b);
    return v;
}

/* The feed-level line of --feed: {"feed": {...}}. */
static void
print_feed_line(const struct feed *f)
{
    struct tpl_value *v = tpl_map_new(), *top = tpl_map_new();
    struct buf line = BUF_INIT;

    tpl_map_set_str(v, "title", f->title);
    tpl_map_set_str(v, "link", f->link);
    tpl_map_set_str(v, "subtitle", f->subtitle);
    tpl_map_set_str(v, "version", f->version);
    tpl_map_set_str(v, "encoding", f->encoding);
    tpl_map_set_str(v, "warning", f->warning);
    tpl_map_set(top, "feed", v);
    tpl_value_to_json(top, &line);
    buf_append_char(&line, '\n');
    fwrite(line.data, 1, line.len, stdout);
    tpl_value_free(top);
    buf_release(&line);
}

/* parse --feed / --content-type / --base-url: the file as if served with
 * that Content-Type from that URL, and optionally the feed's own fields
 * first. */
static int
parse_file_http(const char *path, const char *content_type,
                const char *base_url, bool feed_line, struct article_list *l,
                struct err *e)
{
    struct buf data = BUF_INIT;
    struct feed f = FEED_INIT;
    size_t i;
    int rc = -1;

    if (buf_read_file(&data, path, 0, e) < 0)
        goto out;
    if (feed_parse_http(&f, data.data, data.len, content_type, NULL,
                        base_url, NULL, e) < 0) {
        err_prefix(e, "'%s'", path);
        goto out;
    }
    if (feed_line)
        print_feed_line(&f);
    for (i = 0; i < f.n; i++) {
        article_kind_settle(&f.v[i], ARTICLE_KIND_UNKNOWN);
        article_list_take(l, &f.v[i]);
    }
    rc = 0;
out:
    feed_release(&f);
    buf_release(&data);
    return rc;
}

int
cmd_parse(struct app *app, int argc, char **argv)
{
    const char *content_type = cmd_arg(app, "content-type");
    const char *base_url = cmd_arg(app, "base-url");
    bool feed_line = cmd_flag(app, "feed");
    struct article_list l = ARTICLE_LIST_INIT;
    struct rel_rules rules = REL_RULES_INIT;
    struct err e = ERR_INIT;
    struct buf line = BUF_INIT;
    size_t i;
    int rc;

    (void)argc;
    if (issue_rules(&app->cfg, &rules, &e) < 0)
        return cmd_fail(&e);
    if (feed_line || content_type != NULL || base_url != NULL)
        rc = parse_file_http(argv[1], content_type, base_url, feed_line, &l,
                             &e);
    else
        rc = collect_document(argv[1], NULL, &l, &e);
    if (rc < 0) {
        rel_rules_release(&rules);
        return cmd_fail(&e);
    }
    for (i = 0; i < l.n; i++) {
        struct tpl_value *v;
        rel_score(&rules, &l.v[i], 1.0, NULL);
        v = article_json(&l.v[i]);
        buf_reset(&line);
        tpl_value_to_json(v, &line);
        buf_append_char(&line, '\n');
        fwrite(line.data, 1, line.len, stdout);
        tpl_value_free(v);
    }
    rel_rules_release(&rules);
    buf_release(&line);
    article_list_release(&l);
    return 0;
}

/* parse: the articles one feed yields, one JSON object a line. */
#include <getopt.h>
#include <stdio.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/template.h"
#include "cmd.h"

static const char usage[] = "parse FILE";

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
    for (i = 0; i < a->nauthors; i++) {
        struct tpl_value *p = tpl_map_new();
        if (a->authors[i].literal) {
            tpl_map_set_str(p, "literal", a->authors[i].literal);
        } else {
            tpl_map_set_str(p, "given", a->authors[i].given);
            tpl_map_set_str(p, "family", a->authors[i].family);
        }
        tpl_list_push(list, p);
    }
    tpl_map_set(v, "authors", list);
    tpl_map_set_str(v, "container", a->container);
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

int
cmd_parse(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct article_list l = {NULL, 0, 0};
    struct err e = ERR_INIT;
    struct buf line = BUF_INIT;
    size_t i;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: arctic-digest %s\n", usage);
            return 0;
        }
        return cmd_usage(usage);
    }
    if (argc - optind != 1)
        return cmd_usage(usage);
    if (cmd_parse_feed(argv[optind], NULL, &l, &e) < 0)
        return cmd_fail(&e);
    for (i = 0; i < l.n; i++) {
        struct tpl_value *v;
        bool keep;
        if (cmd_score(app, &l.v[i], 1.0, &keep, NULL, &e) < 0) {
            article_list_release(&l);
            buf_release(&line);
            return cmd_fail(&e);
        }
        v = article_json(&l.v[i]);
        buf_reset(&line);
        tpl_value_to_json(v, &line);
        buf_append_char(&line, '\n');
        fwrite(line.data, 1, line.len, stdout);
        tpl_value_free(v);
    }
    buf_release(&line);
    article_list_release(&l);
    return 0;
}

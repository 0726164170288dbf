/*
 * cite: citations of arbitrary records, for tests and template authors.
 *
 * RECORDS.json is a JSON array of objects with the article fields: title,
 * authors (a list of {given, family, suffix} or {literal}), byline (a free-text
 * byline split as feeds' are; used when authors is absent), others (true
 * when the author list is cut short, "et al."), container, publisher,
 * place, volume, issue, pages ("767-777"), kind ("journal-article",
 * "report", "preprint", "book-chapter", "web-page", "news", "book",
 * "proceedings-article", "reference-entry", "posted-content", "dataset",
 * "peer-review", or a Crossref type; absent: guessed, citation.h), lang (a
 * BCP 47 tag: "en", "de"; a title in another language than English is not
 * re-cased), published (any date dt_parse reads), doi, url, abstract.
 * Prints one
 * citation a line in --style (default chicago) and --markup (text,
 * markdown, html), or with --format kind the kind each is cited as, or the
 * whole list as --format bibtex / ris.
 */
#include <stdio.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/log.h"
#include "arctic_digest/template.h"
#include "arctic_digest/util.h"
#include "cmd.h"


static const char *
str_of(const struct tpl_value *m, const char *key)
{
    const struct tpl_value *v = tpl_map_get(m, key);
    return (v && v->type == TPL_STRING) ? v->str : NULL;
}

static int
record_to_article(const struct tpl_value *r, size_t i, struct article *a,
                  struct err *e)
{
    const struct tpl_value *au = tpl_map_get(r, "authors");
    const char *s;
    size_t j;

    article_init(a);
    if (r->type != TPL_MAP)
        return err_set(e, ERR_DATA, 0, "record %zu is not an object", i + 1);
    a->title = xstrdup(str_of(r, "title"));
    a->title_markup = xstrdup(str_of(r, "title_markup"));
    a->container = xstrdup(str_of(r, "container"));
    a->publisher = xstrdup(str_of(r, "publisher"));
    a->place = xstrdup(str_of(r, "place"));
    a->volume = xstrdup(str_of(r, "volume"));
    a->issue = xstrdup(str_of(r, "issue"));
    a->pages = xstrdup(str_of(r, "pages"));
    a->kind = article_kind_from_name(str_of(r, "kind"));
    a->lang = article_lang_normalize(str_of(r, "lang"));
    if (tpl_map_get(r, "others") != NULL &&
        tpl_map_get(r, "others")->type == TPL_BOOL)
        a->others = tpl_map_get(r, "others")->b;
    a->doi = article_doi_normalize(str_of(r, "doi"));
    a->url = xstrdup(str_of(r, "url"));
    a->abstract = xstrdup(str_of(r, "abstract"));
    for (j = 0; au && au->type == TPL_LIST && j < au->n; j++) {
        article_add_person(a, str_of(au->items[j], "given"),
                           str_of(au->items[j], "family"),
                           str_of(au->items[j], "literal"));
        article_set_suffix(a, str_of(au->items[j], "suffix"));
    }
    s = str_of(r, "byline");
    if (!a->nauthors && s)
        article_add_byline(a, s, strlen(s));
    s = str_of(r, "published");
    if (s && dt_parse(s, strlen(s), &a->published) < 0)
        return err_set(e, ERR_DATA, 0, "record %zu: bad date '%s'", i + 1, s);
    return 0;
}

static int
load_records(const char *path, struct article_list *l, struct err *e)
{
    struct buf data = BUF_INIT;
    struct tpl_value *v = NULL;
    size_t i;
    int rc = -1;

    if (buf_read_file(&data, path, 0, e) < 0 ||
        tpl_value_from_json(data.data, data.len, &v, e) < 0)
        goto out;
    if (v->type != TPL_LIST) {
        err_set(e, ERR_DATA, 0, "'%s': not a JSON array of records", path);
        goto out;
    }
    l->v = xcalloc(v->n ? v->n : 1, sizeof(*l->v));
    l->alloc = v->n;
    for (i = 0; i < v->n; i++) {
        l->n++;
        if (record_to_article(v->items[i], i, &l->v[i], e) < 0) {
            err_prefix(e, "'%s'", path);
            goto out;
        }
    }
    rc = 0;
out:
    tpl_value_free(v);
    buf_release(&data);
    return rc;
}

static void
print_list(const struct article_list *l, const char *format,
           enum cite_style style, enum cite_markup markup, struct buf *b)
{
    size_t i;

    if (!strcmp(format, "bibtex")) {
        cite_bibtex(l->v, l->n, b);
        return;
    }
    if (!strcmp(format, "ris")) {
        cite_ris(l->v, l->n, b);
        return;
    }
    for (i = 0; i < l->n; i++) {
        if (!strcmp(format, "kind"))
            buf_append_str(b, cite_kind_name(cite_kind_of(&l->v[i])));
        else
            cite_format(&l->v[i], style, markup, b);
        buf_append_char(b, '\n');
    }
}

/* The index of name in v (n names), or -1 with a usage message. */
static int
choose(const char *opt, const char *name, const char *const *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(name, v[i]))
            return (int)i;
    log_error("--%s: unknown value '%s'", opt, name);
    return -1;
}

int
cmd_cite(struct app *app, int argc, char **argv)
{
    static const char *const styles[] = {"chicago", "apa", "mla"};
    static const char *const markups[] = {"text", "markdown", "html"};
    static const char *const formats[] = {"citation", "kind", "bibtex",
                                          "ris"};
    struct article_list l = ARTICLE_LIST_INIT;
    struct err e = ERR_INIT;
    struct buf out = BUF_INIT;
    const char *v;
    int style = CITE_CHICAGO, markup = CITE_MARKUP_TEXT, format = 0, rc = 0;

    (void)argc;
    v = cmd_arg(app, "style");
    if (v && (style = cite_style_from_name(v)) < 0)
        style = choose("style", v, styles, ARRAY_SIZE(styles));
    v = cmd_arg(app, "markup");
    if (v)
        markup = choose("markup", v, markups, ARRAY_SIZE(markups));
    v = cmd_arg(app, "format");
    if (v)
        format = choose("format", v, formats, ARRAY_SIZE(formats));
    if (style < 0 || markup < 0 || format < 0)
        return cmd_usage(app);
    if (load_records(argv[1], &l, &e) < 0) {
        rc = cmd_fail(&e);
        goto out;
    }
    print_list(&l, formats[format], (enum cite_style)style,
               (enum cite_markup)markup, &out);
    fwrite(out.data, 1, out.len, stdout);
out:
    buf_release(&out);
    article_list_release(&l);
    return rc;
}

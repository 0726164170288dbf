/*
 * template: the Mustache engine.  A template is compiled into a flat node
 * list (sections know where their children end), then rendered against a
 * context stack.  Partials are compiled on first use and cached per render.
 */
#include "arctic_digest/template.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "template_int.h"

/* Partials may recurse through data (the spec's "Recursion" case), but a
 * partial that includes itself unconditionally must not eat the stack. */
#define MAX_PARTIAL_DEPTH 100
/* Sections and partials together: bounds the renderer's recursion. */
#define MAX_RENDER_DEPTH 1000

enum node_kind {
    NODE_TEXT,
    NODE_VAR,      /* {{x}}: escaped */
    NODE_RAW,      /* {{{x}}}, {{&x}}: verbatim */
    NODE_SECTION,  /* {{#x}} */
    NODE_INVERTED, /* {{^x}} */
    NODE_PARTIAL   /* {{>x}} */
};

struct node {
    enum node_kind kind;
    size_t off, len; /* TEXT: the text; otherwise the name */
    size_t tag;      /* where the tag starts, for errors */
    size_t end;      /* SECTION, INVERTED: index after the last child */
    size_t indent, indent_len; /* PARTIAL: standalone indentation */
};

struct compiled {
    char *name;      /* template name for errors */
    const char *src; /* borrowed (main template) or owned.data */
    size_t n;
    struct buf owned;   /* a partial's (indented) text */
    size_t indent_cols; /* added to every line of a partial's text */
    char *indent;       /* partial cache key, with name */
    bool missing;       /* partial not found: renders empty */
    struct node *v;
    size_t nv, alloc;
};

struct parser {
    struct compiled *c;
    const char *otag, *ctag;
    size_t olen, clen;
    size_t pos, text_start;
    size_t *open; /* indices of the open section nodes */
    size_t nopen, open_alloc;
};

struct render {
    const struct tpl_options *opt;
    struct buf *out;
    struct err *e;
    const struct tpl_value **stack;
    size_t nstack, stack_alloc;
    struct compiled **cache;
    size_t ncache, cache_alloc;
    unsigned partial_depth, depth;
    struct buf scratch;
};

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t
find(const char *s, size_t from, size_t n, const char *pat, size_t m)
{
    const char *p;

    while (from + m <= n) {
        p = memchr(s + from, pat[0], n - from - m + 1);
        if (!p)
            break;
        from = (size_t)(p - s);
        if (memcmp(p, pat, m) == 0)
            return from;
        from++;
    }
    return n;
}

/* "template 'NAME' line L, column C: MSG"; the column counts characters. */
static int error_at(struct err *e, const struct compiled *c, size_t off,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
error_at(struct err *e, const struct compiled *c, size_t off, const char *fmt,
         ...)
{
    char msg[200];
    size_t i, line = 1, col = 1;
    va_list ap;

    for (i = 0; i < off && i < c->n; i++) {
        if (c->src[i] == '\n') {
            line++;
            col = 1;
        } else if (!u8_is_cont((unsigned char)c->src[i])) {
            col++;
        }
    }
    if (col > c->indent_cols)
        col -= c->indent_cols;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(e, ERR_DATA, 0, "template '%s' line %zu, column %zu: %s",
                   c->name, line, col, msg);
}

static struct node *
push_node(struct compiled *c, enum node_kind kind, size_t off, size_t len,
          size_t tag)
{
    struct node *nd;

    xgrow(&c->v, &c->alloc, c->nv + 1, sizeof(*c->v));
    nd = &c->v[c->nv++];
    memset(nd, 0, sizeof(*nd));
    nd->kind = kind;
    nd->off = off;
    nd->len = len;
    nd->tag = tag;
    return nd;
}

static void
flush_text(struct parser *ps, size_t end)
{
    if (end > ps->text_start)
        push_node(ps->c, NODE_TEXT, ps->text_start, end - ps->text_start, 0);
}

/* Where the close delimiter of a tag whose content starts at cs is, or n.
 * For {{{x}}} and {{=a b=}} the close delimiter must follow '}' or '='. */
static size_t
find_close(const struct parser *ps, size_t cs, char sigil)
{
    const struct compiled *c = ps->c;
    size_t q = cs;

    for (;;) {
        q = find(c->src, q, c->n, ps->ctag, ps->clen);
        if (q == c->n || (sigil != '{' && sigil != '=') ||
            (q > cs && c->src[q - 1] == (sigil == '{' ? '}' : '=')))
            return q;
        q++;
    }
}

/*
 * If the tag [tag, tag_end) stands alone on its line, return true with
 * *line_start at the start of its line and *eol past its line break.
 */
static bool
standalone(const struct compiled *c, size_t tag, size_t tag_end,
           size_t *line_start, size_t *eol)
{
    size_t i = tag, j = tag_end;

    while (i > 0 && (c->src[i - 1] == ' ' || c->src[i - 1] == '\t'))
        i--;
    if (i > 0 && c->src[i - 1] != '\n')
        return false;
    while (j < c->n && (c->src[j] == ' ' || c->src[j] == '\t'))
        j++;
    if (j < c->n && c->src[j] == '\n')
        j++;
    else if (j + 1 < c->n && c->src[j] == '\r' && c->src[j + 1] == '\n')
        j += 2;
    else if (j < c->n)
        return false;
    *line_start = i;
    *eol = j;
    return true;
}

/* A variable or section name: "." or dot-separated non-empty parts. */
static int
check_name(const struct parser *ps, size_t tag, size_t off, size_t len,
           bool dotted, struct err *e)
{
    const char *p = ps->c->src + off;
    size_t i;

    if (len == 0)
        return error_at(e, ps->c, tag, "empty tag name");
    for (i = 0; i < len; i++) {
        if (is_space(p[i]))
            return error_at(e, ps->c, tag, "invalid tag name '%.*s'", (int)len,
                            p);
    }
    if (!dotted || (len == 1 && p[0] == '.'))
        return 0;
    for (i = 0; i < len; i++) {
        /* No empty part: not first, not last, no "..". */
        if (p[i] == '.' && (i == 0 || i == len - 1 || p[i + 1] == '.'))
            return error_at(e, ps->c, tag, "invalid tag name '%.*s'", (int)len,
                            p);
    }
    return 0;
}

/* {{=<% %>=}}: the content [cs, ce) holds two delimiters. */
static int
set_delimiters(struct parser *ps, size_t tag, size_t cs, size_t ce,
               struct err *e)
{
    const char *s = ps->c->src;
    size_t a = cs, a_end, b, b_end;

    while (a < ce && is_space(s[a]))
        a++;
    a_end = a;
    while (a_end < ce && !is_space(s[a_end]))
        a_end++;
    b = a_end;
    while (b < ce && is_space(s[b]))
        b++;
    b_end = b;
    while (b_end < ce && !is_space(s[b_end]))
        b_end++;
    while (ce > b_end && is_space(s[ce - 1]))
        ce--;
    if (a == a_end || b == b_end || b_end != ce ||
        memchr(s + a, '=', a_end - a) || memchr(s + b, '=', b_end - b))
        return error_at(e, ps->c, tag, "invalid set-delimiter tag");
    ps->otag = s + a;
    ps->olen = a_end - a;
    ps->ctag = s + b;
    ps->clen = b_end - b;
    return 0;
}

static int
end_section(struct parser *ps, size_t tag, size_t off, size_t len,
            struct err *e)
{
    struct compiled *c = ps->c;
    struct node *open;

    if (ps->nopen == 0)
        return error_at(e, c, tag, "unexpected %.*s/%.*s%.*s", (int)ps->olen,
                        ps->otag, (int)len, c->src + off, (int)ps->clen,
                        ps->ctag);
    open = &c->v[ps->open[ps->nopen - 1]];
    if (open->len != len || memcmp(c->src + open->off, c->src + off, len))
        return error_at(
            e, c, tag, "expected %.*s/%.*s%.*s, found %.*s/%.*s%.*s",
            (int)ps->olen, ps->otag, (int)open->len, c->src + open->off,
            (int)ps->clen, ps->ctag, (int)ps->olen, ps->otag, (int)len,
            c->src + off, (int)ps->clen, ps->ctag);
    open->end = c->nv;
    ps->nopen--;
    return 0;
}

/* What the tag [tag, tag_end) with content [cs, ce) and sigil does. */
static int
apply_tag(struct parser *ps, char sigil, size_t tag, size_t cs, size_t ce,
          const size_t indent[2], struct err *e)
{
    struct compiled *c = ps->c;
    enum node_kind kind = NODE_VAR;
    struct node *nd;

    if (sigil == '!')
        return 0;
    if (sigil == '=')
        return set_delimiters(ps, tag, cs, ce, e);
    while (cs < ce && is_space(c->src[cs]))
        cs++;
    while (ce > cs && is_space(c->src[ce - 1]))
        ce--;
    if (check_name(ps, tag, cs, ce - cs, sigil != '>', e) < 0)
        return -1;
    switch (sigil) {
    case '/':
        return end_section(ps, tag, cs, ce - cs, e);
    case '#':
        kind = NODE_SECTION;
        break;
    case '^':
        kind = NODE_INVERTED;
        break;
    case '>':
        kind = NODE_PARTIAL;
        break;
    case '{':
    case '&':
        kind = NODE_RAW;
        break;
    default:
        break;
    }
    nd = push_node(c, kind, cs, ce - cs, tag);
    if (kind == NODE_PARTIAL) {
        nd->indent = indent[0];
        nd->indent_len = indent[1];
    } else if (kind == NODE_SECTION || kind == NODE_INVERTED) {
        xgrow(&ps->open, &ps->open_alloc, ps->nopen + 1, sizeof(*ps->open));
        ps->open[ps->nopen++] = c->nv - 1;
    }
    return 0;
}

/* The tag starting at tag (at the open delimiter). */
static int
parse_tag(struct parser *ps, size_t tag, struct err *e)
{
    const struct compiled *c = ps->c;
    size_t cs = tag + ps->olen, ce, tag_end, line_start, eol;
    size_t indent[2] = {0, 0};
    char sigil = cs < c->n ? c->src[cs] : '\0';

    if (!strchr("!#^/>={&", sigil) || sigil == '\0')
        sigil = '\0';
    else
        cs++;
    ce = find_close(ps, cs, sigil);
    if (ce == c->n)
        return error_at(e, c, tag, "unclosed tag");
    tag_end = ce + ps->clen;
    if (sigil == '{' || sigil == '=')
        ce--;
    if (sigil && sigil != '{' && sigil != '&' &&
        standalone(c, tag, tag_end, &line_start, &eol)) {
        flush_text(ps, line_start);
        indent[0] = line_start;
        indent[1] = tag - line_start;
        ps->text_start = ps->pos = eol;
    } else {
        flush_text(ps, tag);
        ps->text_start = ps->pos = tag_end;
    }
    return apply_tag(ps, sigil, tag, cs, ce, indent, e);
}

static int
compile(struct compiled *c, struct err *e)
{
    struct parser ps;
    size_t tag;
    int rc = 0;

    memset(&ps, 0, sizeof(ps));
    ps.c = c;
    ps.otag = "{{";
    ps.ctag = "}}";
    ps.olen = ps.clen = 2;
    for (;;) {
        tag = find(c->src, ps.pos, c->n, ps.otag, ps.olen);
        if (tag == c->n)
            break;
        rc = parse_tag(&ps, tag, e);
        if (rc < 0)
            goto out;
    }
    flush_text(&ps, c->n);
    if (ps.nopen > 0) {
        const struct node *open = &c->v[ps.open[ps.nopen - 1]];

        rc = error_at(e, c, open->tag, "unclosed section '%.*s'",
                      (int)open->len, c->src + open->off);
    }
out:
    free(ps.open);
    return rc;
}

static void
compiled_free(struct compiled *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->indent);
    buf_release(&c->owned);
    free(c->v);
    free(c);
}

static const struct tpl_value *
resolve(const struct render *r, const char *p, size_t len)
{
    const struct tpl_value *v = NULL;
    size_t i, part;

    if (len == 1 && p[0] == '.')
        return r->nstack ? r->stack[r->nstack - 1] : NULL;
    part = 0;
    while (part < len && p[part] != '.')
        part++;
    /* The first part is looked up through the whole stack ... */
    for (i = r->nstack; i > 0 && !v; i--)
        v = tpl_map_get_n(r->stack[i - 1], p, part);
    /* ... the others only in what the previous part found. */
    while (v && part < len) {
        p += part + 1;
        len -= part + 1;
        part = 0;
        while (part < len && p[part] != '.')
            part++;
        v = tpl_map_get_n(v, p, part);
    }
    return v;
}

/* Falsey, as JavaScript's !!value: missing, null, false, 0, NaN, "" and
 * also the empty list. */
static bool
truthy(struct render *r, const struct tpl_value *v)
{
    if (!v)
        return false;
    if (v->type == TPL_STRING && v->make) {
        buf_reset(&r->scratch);
        v->make(v->make_ctx, v->make_arg, &r->scratch);
        return r->scratch.len > 0;
    }
    switch (v->type) {
    case TPL_BOOL:
        return v->b;
    case TPL_NUMBER:
        return v->num != 0 && !isnan(v->num);
    case TPL_STRING:
    case TPL_LIST:
        return v->type == TPL_STRING ? v->len > 0 : v->n > 0;
    case TPL_MAP:
        return true;
    case TPL_NULL:
    default:
        return false;
    }
}

static void
escape(enum tpl_escape how, const char *p, size_t n, struct buf *out)
{
    size_t i, start = 0;
    const char *rep;

    switch (how) {
    case TPL_ESCAPE_MARKDOWN:
        text_escape_markdown(p, n, out);
        return;
    case TPL_ESCAPE_HEADER:
        text_escape_header(p, n, out);
        return;
    case TPL_ESCAPE_NONE:
        buf_append(out, p, n);
        return;
    case TPL_ESCAPE_HTML:
    default:
        break;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == '&')
            rep = "&amp;";
        else if (p[i] == '<')
            rep = "&lt;";
        else if (p[i] == '>')
            rep = "&gt;";
        else if (p[i] == '"')
            rep = "&quot;";
        else
            continue;
        buf_append(out, p + start, i - start);
        buf_append_str(out, rep);
        start = i + 1;
    }
    buf_append(out, p + start, n - start);
}

static void
interpolate(struct render *r, const struct tpl_value *v, bool raw)
{
    struct buf *s = &r->scratch;

    buf_reset(s);
    if (!v)
        return;
    switch (v->type) {
    case TPL_STRING:
        if (v->make)
            v->make(v->make_ctx, v->make_arg, s);
        break;
    case TPL_NUMBER:
        tpl_format_num(v->num, s);
        break;
    case TPL_BOOL:
        buf_append_str(s, v->b ? "true" : "false");
        break;
    case TPL_LIST:
    case TPL_MAP:
        tpl_value_to_json(v, s);
        break;
    case TPL_NULL:
    default:
        return;
    }
    if (v->type == TPL_STRING && !v->make)
        escape(raw ? TPL_ESCAPE_NONE : r->opt->escape, v->str, v->len, r->out);
    else
        escape(raw ? TPL_ESCAPE_NONE : r->opt->escape, s->data, s->len, r->out);
}

static void
push_context(struct render *r, const struct tpl_value *v)
{
    xgrow(&r->stack, &r->stack_alloc, r->nstack + 1, sizeof(*r->stack));
    r->stack[r->nstack++] = v;
}

static int render_range(struct render *r, const struct compiled *c, size_t from,
                        size_t to);

/* The partial for a tag, from the cache or compiled now. */
static int
get_partial(struct render *r, const struct compiled *c, const struct node *nd,
            struct compiled **out)
{
    struct compiled *p;
    char *name = xstrndup(c->src + nd->off, nd->len);
    char *indent = xstrndup(c->src + nd->indent, nd->indent_len);
    struct buf raw = BUF_INIT;
    size_t i;

    for (i = 0; i < r->ncache; i++) {
        p = r->cache[i];
        if (strcmp(p->name, name) == 0 && strcmp(p->indent, indent) == 0) {
            free(name);
            free(indent);
            *out = p;
            return 0;
        }
    }
    p = xcalloc(1, sizeof(*p));
    p->name = name;
    p->indent = indent;
    buf_init(&p->owned);
    xgrow(&r->cache, &r->cache_alloc, r->ncache + 1, sizeof(*r->cache));
    r->cache[r->ncache++] = p;
    *out = p;
    if (r->opt->partial(r->opt->partial_ctx, name, &raw) < 0) {
        p->missing = true;
        buf_release(&raw);
        return 0;
    }
    /* The spec indents every line of the partial's text before it is
     * parsed; values interpolated into it are not indented. */
    p->indent_cols = nd->indent_len;
    for (i = 0; i < raw.len; i++) {
        if (i == 0 || (raw.data[i - 1] == '\n'))
            buf_append_str(&p->owned, indent);
        buf_append_char(&p->owned, raw.data[i]);
    }
    buf_release(&raw);
    p->src = p->owned.data;
    p->n = p->owned.len;
    return compile(p, r->e);
}

static int
render_partial(struct render *r, const struct compiled *c,
               const struct node *nd)
{
    struct compiled *p;
    int rc;

    if (!r->opt->partial)
        return 0;
    if (r->partial_depth >= MAX_PARTIAL_DEPTH)
        return error_at(r->e, c, nd->tag,
                        "partials nested deeper than %d at '%.*s'",
                        MAX_PARTIAL_DEPTH, (int)nd->len, c->src + nd->off);
    if (get_partial(r, c, nd, &p) < 0)
        return -1;
    if (p->missing)
        return 0;
    r->partial_depth++;
    rc = render_range(r, p, 0, p->nv);
    r->partial_depth--;
    return rc;
}

static int
render_section(struct render *r, const struct compiled *c, size_t i)
{
    const struct node *nd = &c->v[i];
    const struct tpl_value *v = resolve(r, c->src + nd->off, nd->len);
    size_t k;
    int rc = 0;

    if (nd->kind == NODE_INVERTED)
        return truthy(r, v) ? 0 : render_range(r, c, i + 1, nd->end);
    if (!truthy(r, v))
        return 0;
    if (v->type != TPL_LIST) {
        push_context(r, v);
        rc = render_range(r, c, i + 1, nd->end);
        r->nstack--;
        return rc;
    }
    for (k = 0; k < v->n && rc == 0; k++) {
        struct tpl_value *made = v->item ? v->item(v->item_ctx, k) : NULL;
        push_context(r, made ? made : v->items[k]);
        rc = render_range(r, c, i + 1, nd->end);
        r->nstack--;
        tpl_value_free(made);
        if (rc == 0 && made && r->opt->drain)
            rc = r->opt->drain(r->opt->drain_ctx, r->out, r->e);
    }
    return rc;
}

static int
render_range(struct render *r, const struct compiled *c, size_t from, size_t to)
{
    const struct node *nd;
    size_t i;
    int rc = 0;

    if (r->depth >= MAX_RENDER_DEPTH)
        return error_at(r->e, c, from < c->nv ? c->v[from].tag : 0,
                        "sections and partials nested deeper than %d",
                        MAX_RENDER_DEPTH);
    r->depth++;
    for (i = from; i < to && rc == 0; i++) {
        nd = &c->v[i];
        switch (nd->kind) {
        case NODE_TEXT:
            buf_append(r->out, c->src + nd->off, nd->len);
            break;
        case NODE_VAR:
        case NODE_RAW:
            interpolate(r, resolve(r, c->src + nd->off, nd->len),
                        nd->kind == NODE_RAW);
            break;
        case NODE_SECTION:
        case NODE_INVERTED:
            rc = render_section(r, c, i);
            i = nd->end - 1;
            break;
        case NODE_PARTIAL:
            rc = render_partial(r, c, nd);
            break;
        }
    }
    r->depth--;
    return rc;
}

enum tpl_escape
tpl_escape_for_name(const char *filename)
{
    const char *dot = filename ? strrchr(filename, '.') : NULL;

    if (!dot || strchr(dot, '/'))
        return TPL_ESCAPE_HTML;
    if (strcasecmp(dot, ".md") == 0)
        return TPL_ESCAPE_MARKDOWN;
    if (strcasecmp(dot, ".txt") == 0)
        return TPL_ESCAPE_HEADER;
    return TPL_ESCAPE_HTML;
}

int
tpl_render(const char *tpl, size_t n, const struct tpl_value *data,
           const struct tpl_options *opt, struct buf *out, struct err *e)
{
    static const struct tpl_options defaults = {NULL, TPL_ESCAPE_HTML, NULL,
                                                NULL, NULL, NULL};
    struct compiled main_tpl;
    struct render r;
    size_t i;
    int rc;

    if (!opt)
        opt = &defaults;
    memset(&main_tpl, 0, sizeof(main_tpl));
    main_tpl.name = xstrdup(opt->name ? opt->name : "<string>");
    main_tpl.src = tpl;
    main_tpl.n = n;
    buf_init(&main_tpl.owned);
    memset(&r, 0, sizeof(r));
    r.opt = opt;
    r.out = out;
    r.e = e;
    buf_init(&r.scratch);
    rc = compile(&main_tpl, e);
    if (rc < 0)
        goto out;
    if (data)
        push_context(&r, data);
    rc = render_range(&r, &main_tpl, 0, main_tpl.nv);
out:
    for (i = 0; i < r.ncache; i++)
        compiled_free(r.cache[i]);
    free(r.cache);
    free(r.stack);
    buf_release(&r.scratch);
    free(main_tpl.name);
    free(main_tpl.v);
    return rc;
}

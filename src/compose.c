/*
 * compose: one subscriber's message, the shared parts rendered once per
 * variant (see compose.h).
 */
#include "arctic_digest/compose.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arctic_digest/citation.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/render.h"
#include "arctic_digest/text.h"
#include "arctic_digest/util.h"

/* Markers: letters and digits only, so that no escaping changes them. */
#define NAME_MARK "zqADNAMEq7x"
#define TOKEN_MARK "zqADTOKENq7x"
#define ADDR_MARK "zqADADDRq7x"

static const char *const marks[] = {NAME_MARK, ADDR_MARK, TOKEN_MARK};
#define NMARKS (sizeof(marks) / sizeof(marks[0]))

/* One rendering of the issue: a choice of articles, named or not, and
 * its message body, prepared once (mime_body_new) for recipients with and
 * without the HTML part.  What was rendered is only kept until the body
 * is made of it (rendered): messages borrow from the body.  The citation
 * files are made while the body is, one at a time, and not kept. */
struct variant {
    char *key; /* the article mask ('0'/'1' each) and 'N' or '-' */
    struct render_output out;
    bool rendered; /* out's text and HTML are there */
    size_t narticles;
    struct mime_body *body;
};

struct composer {
    const struct context *c;
    struct compose_issue is;
    struct issue_topics topics;
    struct buf secret;
    char *from_name, *from_addr;
    struct variant *variants;
    size_t nvariants, variants_alloc;
};

void
compose_recipient_of(const struct subs_entry *sub, const char *address,
                     const char *fallback_name, struct compose_recipient *out)
{
    memset(out, 0, sizeof(*out));
    out->address = address;
    out->name = sub && sub->name && sub->name[0] ? sub->name : fallback_name;
    if (out->name && !out->name[0])
        out->name = NULL;
    if (sub) {
        out->tags = sub->tags;
        out->ntags = sub->ntags;
        out->text_only = sub->format && !strcmp(sub->format, "text");
    }
}

void
compose_parts_release(struct compose_parts *p)
{
    buf_release(&p->text);
    buf_release(&p->html);
    p->narticles = 0;
}

int
compose_split_mailbox(const char *s, char **name, char **addr, struct err *e)
{
    const char *lt = strchr(s, '<'), *gt = NULL;
    const char *p, *q, *rest;

    if (!lt) {
        p = s + strspn(s, " ");
        q = p + strcspn(p, " ");
        rest = q;
    } else {
        gt = strchr(lt, '>');
        p = lt + 1;
        q = gt ? gt : lt;
        rest = gt ? gt + 1 : lt;
    }
    /* One mailbox: nothing but spaces after it ("a@b, c@d" is two). */
    if (q == p || !memchr(p, '@', (size_t)(q - p)) ||
        rest[strspn(rest, " ")] != '\0')
        return err_set(e, ERR_CONFIG, 0,
                       "'%s' is not one mailbox (\"Name <addr>\" or addr)",
                       s);
    *addr = xstrndup(p, (size_t)(q - p));
    *name = NULL;
    if (lt) {
        p = s;
        q = lt;
        while (p < q && (*p == ' ' || *p == '"'))
            p++;
        while (q > p && (q[-1] == ' ' || q[-1] == '"'))
            q--;
        *name = q > p ? xstrndup(p, (size_t)(q - p)) : NULL;
    }
    return 0;
}

/* [digest] from, split, its address passing the rule every recipient's
 * passes.  ERR_CONFIG naming the file and the key. */
static int
split_from(const struct config *cfg, char **name, char **addr, struct err *e)
{
    struct err ae = ERR_INIT;

    *name = *addr = NULL;
    if (compose_split_mailbox(cfg->from, name, addr, e) == 0 &&
        mime_addr_check(*addr, strlen(*addr), &ae) == 0)
        return 0;
    if (*addr)
        err_set(e, ERR_CONFIG, 0, "'%s': %s", *addr, ae.msg);
    free(*name);
    free(*addr);
    *name = *addr = NULL;
    return err_prefix(e, "%s: [digest] from",
                      cfg->path ? cfg->path : "config");
}

/* An http(s) URL that is safe in a header and in an HTML attribute. */
static bool
url_is_safe(const char *u)
{
    const char *p;

    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
        return false;
    for (p = u; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || strchr("\"'<>\\`", *p))
            return false;
    return strlen(u) > 8 && strlen(u) <= 900;
}

int
compose_check_config(const struct config *cfg, struct err *e)
{
    const char *file = cfg->path ? cfg->path : "config";
    const struct {
        const char *key, *value;
        bool url;
    } v[] = {
        {"[digest] reply_to", cfg->reply_to, false},
        {"[digest] contact", cfg->contact, false},
        {"[smtp] envelope_from", cfg->smtp_envelope_from, false},
        {"[digest] unsubscribe_url", cfg->unsubscribe_url, true},
        {"[digest] archive_url", cfg->archive_url, true},
        {"[digest] subscribe_url", cfg->subscribe_url, true},
    };
    char *name, *addr;
    size_t i;

    if (split_from(cfg, &name, &addr, e) < 0)
        return -1;
    free(name);
    free(addr);
    if (cfg->list_id && !mime_list_id_is_valid(cfg->list_id))
        return err_set(e, ERR_CONFIG, 0,
                       "%s: [digest] list_id: '%s' is not 'Name <id>' with "
                       "a dot-atom id (RFC 2919)",
                       file, cfg->list_id);
    for (i = 0; i < ARRAY_SIZE(v); i++)
        if (v[i].value && !(v[i].url ? url_is_safe(v[i].value)
                                     : mime_addr_is_valid(v[i].value)))
            return err_set(e, ERR_CONFIG, 0, "%s: %s: '%s' is not %s", file,
                           v[i].key, v[i].value,
                           v[i].url ? "an http or https URL without spaces, "
                                      "quotes or angle brackets"
                                    : "an address");
    return 0;
}

int
compose_read_secret(const struct context *c, struct buf *out, struct err *e)
{
    const char *path = c->cfg->unsubscribe_secret_file;
    struct stat st;

    if (!path || (stat(path, &st) != 0 && errno == ENOENT))
        return 0;
    return subs_read_secret(path, "unsubscribe secret", out, e);
}

int
compose_new(const struct context *c, const struct compose_issue *is,
            const char *secret, size_t secret_len, struct composer **out,
            struct err *e)
{
    struct composer *cp = xcalloc(1, sizeof(*cp));

    cp->c = c;
    cp->is = *is;
    buf_init(&cp->secret);
    buf_append(&cp->secret, secret, secret_len);
    if (split_from(c->cfg, &cp->from_name, &cp->from_addr, e) < 0 ||
        issue_topics_init(&cp->topics, c->cfg, e) < 0)
        goto fail;
    issue_topics_bind(&cp->topics, is->articles, is->narticles);
    *out = cp;
    return 0;
fail:
    compose_free(cp);
    return -1;
}

void
compose_free(struct composer *cp)
{
    size_t i;

    if (!cp)
        return;
    issue_topics_release(&cp->topics);
    buf_release(&cp->secret);
    free(cp->from_name);
    free(cp->from_addr);
    for (i = 0; i < cp->nvariants; i++) {
        free(cp->variants[i].key);
        render_output_release(&cp->variants[i].out);
        mime_body_free(cp->variants[i].body);
    }
    free(cp->variants);
    free(cp);
}

static void
unsubscribe_url(const struct config *cfg, const char *token, struct buf *out)
{
    buf_appendf(out, "%s%c%s=%s", cfg->unsubscribe_url,
                strchr(cfg->unsubscribe_url, '?') ? '&' : '?', "token",
                token);
}

/* Whether messages carry the https unsubscribe link with a token. */
static bool
has_token_link(const struct composer *cp)
{
    return cp->c->cfg->unsubscribe_url && cp->secret.len;
}

/* What the templates see of the issue with these articles. */
static void
render_input(const struct composer *cp, const struct article *v, size_t n,
             struct render_issue *ri)
{
    const struct config *cfg = cp->c->cfg;

    memset(ri, 0, sizeof(*ri));
    ri->title = cfg->title;
    ri->number = cp->is.number;
    ri->period_start = dt_from_time(cp->is.period_start, cp->c->now.offset);
    ri->period_end = dt_from_time(cp->is.period_end, cp->c->now.offset);
    ri->articles = v;
    ri->narticles = n;
    ri->style = (enum cite_style)cite_style_from_name(cfg->citation_style);
    ri->archive_url = cfg->archive_url;
    ri->contact = cfg->contact;
}

struct tpl_value *
compose_template_data(const struct composer *cp)
{
    struct render_issue ri;

    render_input(cp, cp->is.articles, cp->is.narticles, &ri);
    ri.unsubscribe_url = cp->c->cfg->unsubscribe_url;
    return render_issue_value(&ri);
}

/* The articles mask selects, shallow copies (only read); caller frees. */
static struct article *
subset_of(const struct composer *cp, const char *mask, size_t *n)
{
    struct article *v = xcalloc(cp->is.narticles + 1, sizeof(*v));
    size_t i;

    *n = 0;
    for (i = 0; i < cp->is.narticles; i++)
        if (mask[i] == '1')
            v[(*n)++] = cp->is.articles[i];
    return v;
}

/* Render the variant of the issue with the articles mask selects. */
static int
render_variant(struct composer *cp, const char *mask, bool named,
               struct variant *v, struct err *e)
{
    const struct config *cfg = cp->c->cfg;
    struct render_templates t = {cfg->templates};
    struct render_issue ri;
    size_t n;
    struct article *subset = subset_of(cp, mask, &n);
    struct buf unsub = BUF_INIT;
    int rc;

    render_input(cp, subset, n, &ri);
    ri.to_name = named ? NAME_MARK : NULL;
    ri.to_addr = ADDR_MARK;
    if (has_token_link(cp)) {
        unsubscribe_url(cfg, TOKEN_MARK, &unsub);
        ri.unsubscribe_url = unsub.data;
    }
    memset(v, 0, sizeof(*v));
    render_output_init(&v->out);
    v->narticles = n;
    v->rendered = true;
    rc = render_issue(&t, &ri, &v->out, e);
    /* Messages are made of the subject, the text and the HTML document:
     * the HTML fragment is not kept. */
    buf_release(&v->out.body);
    free(subset);
    buf_release(&unsub);
    return rc;
}

/* The variant for this mask, rendered on first use. */
static struct variant *
variant_for(struct composer *cp, const char *mask, bool named,
            struct err *e)
{
    struct buf key = BUF_INIT;
    struct variant *v;
    size_t i;

    buf_appendf(&key, "%s%c", mask, named ? 'N' : '-');
    for (i = 0; i < cp->nvariants; i++) {
        if (!strcmp(cp->variants[i].key, key.data)) {
            buf_release(&key);
            return &cp->variants[i];
        }
    }
    xgrow(&cp->variants, &cp->variants_alloc, cp->nvariants + 1,
          sizeof(*cp->variants));
    v = &cp->variants[cp->nvariants];
    if (render_variant(cp, mask, named, v, e) < 0) {
        render_output_release(&v->out);
        buf_release(&key);
        return NULL;
    }
    v->key = buf_detach(&key, NULL);
    cp->nvariants++;
    return v;
}

/* What the body is made of: once it is made, messages need only the
 * subject of what was rendered. */
static void
variant_drop_rendered(struct variant *v)
{
    buf_release(&v->out.body);
    buf_release(&v->out.html);
    buf_release(&v->out.text);
    v->rendered = false;
}

/* A citation file of a variant being made (mime_make_fn): its articles
 * and how far it has got. */
struct cites_of {
    const struct composer *cp;
    const char *mask;  /* the variant's articles */
    struct article *v; /* made from mask on the first call */
    size_t n, next;
    bool started;
};

/* The articles of c, on the first call. */
static void
cites_start(struct cites_of *c)
{
    if (!c->started)
        c->v = subset_of(c->cp, c->mask, &c->n);
    c->started = true;
}

/* BibTeX, in one part: its keys are made unique over all the articles. */
static bool
make_bibtex(void *ctx, struct buf *out)
{
    struct cites_of *c = ctx;

    if (c->started)
        return false;
    cites_start(c);
    cite_bibtex(c->v, c->n, out);
    return true;
}

/* RIS, a record (an article) a part: each record stands alone, so the
 * parts are what cite_ris() writes of them all. */
static bool
make_ris(void *ctx, struct buf *out)
{
    struct cites_of *c = ctx;

    cites_start(c);
    if (c->next >= c->n)
        return false;
    cite_ris(&c->v[c->next++], 1, out);
    return true;
}

/* Once the text, then the HTML, is encoded into the body, a send needs it
 * no more (a preview's parts still do). */
static void
drop_bodies(void *ctx, bool html)
{
    struct variant *v = ctx;

    if (html)
        variant_drop_rendered(v);
    else
        buf_release(&v->out.text);
    v->rendered = false;
}

/* The variant's body, prepared on first use, with the HTML part when
 * there is one (a text-only recipient gets the same body without it).
 * With keep, what was rendered stays for the message's parts. */
static const struct mime_body *
body_for(const struct composer *cp, struct variant *v, const char *mask,
         bool keep, struct err *e)
{
    struct cites_of bib = {cp, mask, NULL, 0, 0, false};
    struct cites_of ris = {cp, mask, NULL, 0, 0, false};
    struct mime_attachment att[2] = {
        {"citations.bib", "application/x-bibtex", NULL, 0, make_bibtex,
         &bib},
        {"citations.ris", "application/x-research-info-systems", NULL, 0,
         make_ris, &ris},
    };
    struct mime_message m;
    int rc;

    if (v->body)
        return v->body;
    memset(&m, 0, sizeof(m));
    m.text = v->out.text.data;
    m.text_len = v->out.text.len;
    if (v->out.html.len) {
        m.html = v->out.html.data;
        m.html_len = v->out.html.len;
    }
    if (cp->c->cfg->attach_citations) {
        m.attachments = att;
        m.nattachments = ARRAY_SIZE(att);
    }
    if (!keep) {
        m.encoded = drop_bodies;
        m.encoded_ctx = v;
    }
#ifdef __GLIBC__
    /* The rendering left megabytes of freed heap that glibc keeps
     * resident, and the body's large buffers would not reuse them: give
     * them back before the body is made beside them. */
    malloc_trim(0);
#endif
    rc = mime_body_new(&m, marks, NMARKS, &v->body, e);
    free(bib.v);
    free(ris.v);
    return rc < 0 ? NULL : v->body;
}

/* The bodies of v for parts, with the marks filled in.  After the body
 * was made they are rendered again: only the first message of a variant
 * (preview's one) finds them still there. */
static int
fill_parts(struct composer *cp, struct variant *v, const char *mask,
           bool named, const struct compose_recipient *r,
           const char *const *text_values, const char *const *html_values,
           struct compose_parts *parts, struct err *e)
{
    struct variant again;
    const struct variant *from = v;
    int rc = 0;

    if (!v->rendered) {
        if (render_variant(cp, mask, named, &again, e) < 0)
            rc = -1;
        from = &again;
    }
    if (rc == 0) {
        mime_fill_marks(from->out.text.data, from->out.text.len, marks,
                        text_values, NMARKS, &parts->text);
        if (!r->text_only)
            mime_fill_marks(from->out.html.data, from->out.html.len, marks,
                            html_values, NMARKS, &parts->html);
        parts->narticles = v->narticles;
    }
    if (from == &again)
        render_output_release(&again.out);
    return rc;
}

/* Everything a message has besides its body; out borrows from cp, r,
 * subject and the bufs, which the caller releases. */
static void
headers(const struct composer *cp, const struct compose_recipient *r,
        const char *subject, const char *token, struct buf *msgid,
        struct buf *seed, struct buf *lu, struct mime_message *m)
{
    const struct config *cfg = cp->c->cfg;

    buf_appendf(lu, "<mailto:%s?subject=unsubscribe>",
                cfg->reply_to ? cfg->reply_to : cp->from_addr);
    if (has_token_link(cp)) {
        buf_append_str(lu, ", <");
        unsubscribe_url(cfg, token, lu);
        buf_append_char(lu, '>');
    }
    /* Stable across retries and between preview and send: the same issue
     * and address give the same id and boundaries. */
    buf_appendf(seed, "issue-%d.%s", cp->is.number, r->address);
    mime_message_id(seed->data, cp->from_addr, msgid);
    memset(m, 0, sizeof(*m));
    m->from_name = cp->from_name;
    m->from_addr = cp->from_addr;
    m->to_name = r->name;
    m->to_addr = r->address;
    m->reply_to = cfg->reply_to;
    m->subject = subject;
    m->date = cp->c->now;
    m->message_id = msgid->data;
    m->list_id = cfg->list_id;
    m->list_unsubscribe = lu->data;
    if (has_token_link(cp))
        m->list_unsubscribe_post = "List-Unsubscribe=One-Click";
    m->boundary_seed = seed->data;
}

int
compose_message_pieces(struct composer *cp,
                       const struct compose_recipient *r,
                       struct buf_list *out, struct compose_parts *parts,
                       struct err *e)
{
    struct variant *v;
    const struct mime_body *body;
    struct buf mask = BUF_INIT, token = BUF_INIT, subject = BUF_INIT,
               msgid = BUF_INIT, seed = BUF_INIT, lu = BUF_INIT,
               esc[NMARKS];
    const char *text_values[NMARKS], *html_values[NMARKS];
    struct mime_message m;
    size_t i;
    int rc = -1;

    for (i = 0; i < NMARKS; i++)
        buf_init(&esc[i]);
    for (i = 0; i < cp->is.narticles; i++)
        buf_append_char(&mask, issue_topics_wants(&cp->topics, r->tags,
                                                  r->ntags, i)
                                   ? '1'
                                   : '0');
    v = variant_for(cp, mask.data, r->name != NULL, e);
    if (!v || !(body = body_for(cp, v, mask.data, parts != NULL, e)))
        goto out;
    if (has_token_link(cp) &&
        subs_token_make(cp->secret.data, cp->secret.len, r->address,
                        &token) < 0) {
        err_set(e, ERR_INTERNAL, 0, "cannot make an unsubscribe token");
        goto out;
    }
    text_values[0] = r->name ? r->name : "";
    text_values[1] = r->address;
    text_values[2] = token.data;
    for (i = 0; i < NMARKS; i++) {
        text_escape_html(text_values[i], strlen(text_values[i]), &esc[i]);
        html_values[i] = esc[i].data;
    }
    /* The subject template sees subscriber.name too. */
    mime_fill_marks(v->out.subject.data, v->out.subject.len, marks,
                    text_values, NMARKS, &subject);
    headers(cp, r, subject.data, token.data, &msgid, &seed, &lu, &m);
    if (mime_build_pieces(&m, body, r->text_only ? MIME_TEXT_ONLY : 0,
                          text_values, html_values, out, e) < 0)
        goto out;
    if (parts && fill_parts(cp, v, mask.data, r->name != NULL, r,
                            text_values, html_values, parts, e) < 0)
        goto out;
    rc = 0;
out:
    /* Messages are made of the body from now on. */
    if (v && v->body && v->rendered)
        variant_drop_rendered(v);
    for (i = 0; i < NMARKS; i++)
        buf_release(&esc[i]);
    buf_release(&mask);
    buf_release(&token);
    buf_release(&subject);
    buf_release(&msgid);
    buf_release(&seed);
    buf_release(&lu);
    return rc;
}

int
compose_message(struct composer *cp, const struct compose_recipient *r,
                struct buf *out, struct compose_parts *parts, struct err *e)
{
    struct buf_list l = BUF_LIST_INIT;
    int rc = compose_message_pieces(cp, r, &l, parts, e);

    if (rc == 0)
        buf_list_join(&l, out);
    buf_list_release(&l);
    return rc;
}

/*
 * subscribers: the list in memory, parsing the file and writing it back
 * (see subscribers.h).
 */
#include "arctic_digest/subscribers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

static const char *const col_names[SUBS_NCOLS] = {
    "email", "name", "status", "tags", "subscribed_at", "unsubscribed_at",
    "format"};

void
subs_list_init(struct subs_list *l)
{
    size_t i;

    memset(l, 0, sizeof(*l));
    for (i = 0; i < SUBS_NCOLS; i++)
        l->col[i] = -1;
}

static void
free_strings(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void
entry_release(struct subs_entry *s)
{
    free(s->email);
    free(s->name);
    free(s->status);
    free_strings(s->tags, s->ntags);
    free(s->format);
    free(s->subscribed_at);
    free(s->unsubscribed_at);
    free_strings(s->fields, s->nfields);
    memset(s, 0, sizeof(*s));
}

void
subs_list_release(struct subs_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        entry_release(&l->v[i]);
    free(l->v);
    free_strings(l->cols, l->ncols);
    subs_list_init(l);
}

size_t
subs_add_column(struct subs_list *l, const char *name)
{
    size_t i;

    for (i = 0; i < l->ncols; i++)
        if (ascii_ieq(l->cols[i], name))
            return i;
    l->cols = xrealloc(l->cols, (l->ncols + 1) * sizeof(*l->cols));
    l->cols[l->ncols] = xstrdup(name);
    for (i = 0; i < SUBS_NCOLS; i++)
        if (l->col[i] < 0 && ascii_ieq(name, col_names[i]))
            l->col[i] = (int)l->ncols;
    return l->ncols++;
}

bool
subs_has_tag(const struct subs_entry *s, const char *tag)
{
    size_t i;

    for (i = 0; i < s->ntags; i++)
        if (ascii_ieq(s->tags[i], tag))
            return true;
    return false;
}

bool
subs_add_tag(struct subs_entry *s, const char *tag)
{
    char *t = subs_trim_dup(tag);

    if (!*t || subs_has_tag(s, t)) {
        free(t);
        return false;
    }
    xgrow(&s->tags, &s->tags_alloc, s->ntags + 1, sizeof(*s->tags));
    s->tags[s->ntags++] = t;
    return true;
}

struct tag_key {
    char *lower;
    size_t i;
};

static int
tag_key_cmp(const void *a, const void *b)
{
    const struct tag_key *x = a, *y = b;
    int c = strcmp(x->lower, y->lower);

    if (c)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Above this many tags a row is deduplicated by sorting; below, a scan of
 * the pairs is faster than the copies a sort needs (most rows have 1-3). */
#define TAGS_SCAN_MAX 16

/* Mark the later copies (ASCII case-insensitive) of s's tags in dup.
 * Sorting makes it O(n log n): a row can hold any number of tags, and a
 * scan per tag made a long one take minutes. */
static void
mark_duplicates_sorted(const struct subs_entry *s, bool *dup)
{
    struct tag_key *k = xcalloc(s->ntags, sizeof(*k));
    size_t i;

    for (i = 0; i < s->ntags; i++) {
        k[i].lower = xstrdup(s->tags[i]);
        ascii_lower(k[i].lower, strlen(k[i].lower));
        k[i].i = i;
    }
    qsort(k, s->ntags, sizeof(*k), tag_key_cmp);
    for (i = 1; i < s->ntags; i++)
        if (!strcmp(k[i].lower, k[i - 1].lower))
            dup[k[i].i] = true;
    for (i = 0; i < s->ntags; i++)
        free(k[i].lower);
    free(k);
}

/* Drop the later copies (ASCII case-insensitive) of s's tags, keeping the
 * order of the rest. */
static void
drop_duplicate_tags(struct subs_entry *s)
{
    bool few[TAGS_SCAN_MAX] = {false}, *dup = few;
    size_t i, j;

    if (s->ntags < 2)
        return;
    if (s->ntags > TAGS_SCAN_MAX) {
        dup = xcalloc(s->ntags, sizeof(*dup));
        mark_duplicates_sorted(s, dup);
    } else {
        for (i = 1; i < s->ntags; i++)
            for (j = 0; j < i && !dup[i]; j++)
                dup[i] = ascii_ieq(s->tags[i], s->tags[j]);
    }
    for (i = j = 0; i < s->ntags; i++) {
        if (dup[i])
            free(s->tags[i]);
        else
            s->tags[j++] = s->tags[i];
    }
    s->ntags = j;
    if (dup != few)
        free(dup);
}

/* One pass over a comma-separated list: split, trim, unquote (with
 * unquote), drop empties and then duplicates. */
static void
split_tags(struct subs_entry *s, const char *p, bool unquote)
{
    const char *comma;
    char *one, *inner;
    size_t k;

    free_strings(s->tags, s->ntags);
    s->tags = NULL;
    s->ntags = s->tags_alloc = 0;
    while (p && *p) {
        comma = strchr(p, ',');
        one =
            comma ? subs_trim_dup_n(p, (size_t)(comma - p)) : subs_trim_dup(p);
        k = strlen(one);
        if (unquote && k >= 2 && one[0] == '"' && one[k - 1] == '"') {
            inner = subs_trim_dup_n(one + 1, k - 2);
            free(one);
            one = inner;
        }
        if (*one) {
            xgrow(&s->tags, &s->tags_alloc, s->ntags + 1, sizeof(*s->tags));
            s->tags[s->ntags++] = one;
        } else {
            free(one);
        }
        p = comma ? comma + 1 : NULL;
    }
    drop_duplicate_tags(s);
}

void
subs_set_tags(struct subs_entry *s, const char *p)
{
    split_tags(s, p, false);
}

void
subs_set_tags_quoted(struct subs_entry *s, const char *p)
{
    split_tags(s, p, true);
}

/* What makes text more than one line: C0 (TAB, LF and CR included), DEL,
 * C1, U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR. */
static bool
is_line_ctrl(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
           cp == 0x2029;
}

const char *
subs_ctrl_find(const char *s, uint32_t *cp)
{
    size_t n = strlen(s), i = 0, at;
    uint32_t c;

    while (i < n) {
        at = i;
        c = u8_next(s, n, &i);
        if (is_line_ctrl(c)) {
            if (cp)
                *cp = c;
            return s + at;
        }
    }
    return NULL;
}

bool
subs_ctrl_replace(char *s)
{
    size_t n = strlen(s), i = 0, at, w = 0;
    bool found = false;

    while (i < n) {
        at = i;
        if (is_line_ctrl(u8_next(s, n, &i))) {
            s[w++] = ' ';
            found = true;
        } else {
            memmove(s + w, s + at, i - at);
            w += i - at;
        }
    }
    s[w] = '\0';
    return found;
}

void
subs_plain_field(struct buf *out, const char *s)
{
    size_t n = strlen(s), i = 0, at;
    uint32_t cp;

    while (i < n) {
        at = i;
        cp = u8_next(s, n, &i);
        if (cp == '\\')
            buf_append_str(out, "\\\\");
        else if (cp == '\t')
            buf_append_str(out, "\\t");
        else if (cp == '\n')
            buf_append_str(out, "\\n");
        else if (cp == '\r')
            buf_append_str(out, "\\r");
        else if (is_line_ctrl(cp) && cp < 0x80)
            buf_appendf(out, "\\x%02X", (unsigned)cp);
        else if (is_line_ctrl(cp))
            buf_appendf(out, "\\u%04X", (unsigned)cp);
        else
            buf_append(out, s + at, i - at); /* invalid bytes as they are */
    }
}

size_t
subs_text_check(const char *name, char *const *tags, size_t ntags,
                struct subs_text_faults *f)
{
    size_t i;

    memset(f, 0, sizeof(*f));
    if (name) {
        subs_ctrl_find(name, &f->name_cp);
        f->name_len = strlen(name);
        f->name_long = f->name_len > SUBS_MAX_NAME;
    }
    for (i = 0; i < ntags && !f->tags_cp; i++)
        subs_ctrl_find(tags[i], &f->tags_cp);
    f->ntags = ntags;
    f->many_tags = ntags > SUBS_MAX_TAGS;
    return (f->name_cp != 0) + f->name_long + (f->tags_cp != 0) +
           f->many_tags;
}

static const char *
field(const struct subs_list *l, const struct subs_entry *s, enum subs_col k)
{
    int i = l->col[k];

    if (i < 0 || !s->fields || (size_t)i >= s->nfields)
        return "";
    return s->fields[i];
}

void
subs_entry_from_fields(const struct subs_list *l, struct subs_entry *s)
{
    free(s->email);
    s->email = subs_trim_dup(field(l, s, SUBS_COL_EMAIL));
    free(s->name);
    s->name = subs_trim_dup(field(l, s, SUBS_COL_NAME));
    free(s->status);
    s->status = subs_lower_dup(field(l, s, SUBS_COL_STATUS));
    if (!*s->status)
        xstrset(&s->status, SUBS_STATUS_ACTIVE);
    subs_set_tags(s, field(l, s, SUBS_COL_TAGS));
    free(s->format);
    s->format = subs_lower_dup(field(l, s, SUBS_COL_FORMAT));
    if (!*s->format)
        xstrset(&s->format, "html");
    free(s->subscribed_at);
    s->subscribed_at = subs_trim_dup(field(l, s, SUBS_COL_SUBSCRIBED_AT));
    free(s->unsubscribed_at);
    s->unsubscribed_at = subs_trim_dup(field(l, s, SUBS_COL_UNSUBSCRIBED_AT));
}

/* One read of a list under way: subs_parse() keeps every entry in l;
 * subs_scan_file() hands each to fn and keeps none. */
struct scan {
    struct subs_list *l; /* the header as the file has it (and, without
                            fn, the entries) */
    struct subs_list *shown; /* with fn: the header as subs_load() gives
                                it, our missing columns added */
    subs_entry_fn fn;
    void *ctx;
    bool fn_failed;
};

/* Our columns that a list always has (format only when used). */
static void
add_missing_columns(struct subs_list *l)
{
    size_t k;

    for (k = 0; k < SUBS_COL_FORMAT; k++)
        if (l->col[k] < 0)
            subs_add_column(l, col_names[k]);
}

static int
on_header(struct scan *sc, char **fields, size_t n, size_t line,
          struct err *e)
{
    struct subs_list *l = sc->l;
    size_t i, k;

    l->cols = xcalloc(n ? n : 1, sizeof(*l->cols));
    /* Keep the header as written but know our columns. */
    for (i = 0; i < n; i++)
        l->cols[i] = xstrdup(fields[i]);
    l->ncols = n;
    for (i = 0; i < n; i++) {
        char *t = subs_trim_dup(fields[i]);
        for (k = 0; k < SUBS_NCOLS; k++)
            if (l->col[k] < 0 && ascii_ieq(t, col_names[k]))
                l->col[k] = (int)i;
        free(t);
    }
    if (l->col[SUBS_COL_EMAIL] < 0)
        return err_set(e, ERR_DATA, 0,
                       "line %zu: the header has no 'email' column", line);
    if (sc->fn) {
        /* Entries are read by the file's columns; what is shown (and
         * written) has ours as well, as after subs_load(). */
        sc->shown->cols = xcalloc(n ? n : 1, sizeof(*l->cols));
        for (i = 0; i < n; i++)
            sc->shown->cols[i] = xstrdup(l->cols[i]);
        sc->shown->ncols = n;
        memcpy(sc->shown->col, l->col, sizeof(l->col));
        add_missing_columns(sc->shown);
    }
    return 0;
}

static int
on_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct scan *sc = ctx;
    struct subs_list *l = sc->l;
    struct subs_entry one, *s = &one;
    size_t i;
    int rc = 0;

    if (!l->cols)
        return on_header(sc, fields, n, line, e);
    if (!sc->fn) {
        xgrow(&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
        s = &l->v[l->n++];
    }
    memset(s, 0, sizeof(*s));
    s->fields = xcalloc(n, sizeof(*s->fields));
    for (i = 0; i < n; i++) {
        s->fields[i] = fields[i];
        fields[i] = xstrdup("");
    }
    s->nfields = n;
    s->line = line;
    subs_entry_from_fields(l, s);
    if (sc->fn) {
        sc->shown->crlf = l->crlf;
        sc->shown->bom = l->bom;
        rc = sc->fn(sc->ctx, sc->shown, s, e);
        if (rc < 0)
            sc->fn_failed = true;
        entry_release(s);
    }
    return rc;
}

int
subs_parse(struct subs_list *l, const char *p, size_t n, struct err *e)
{
    struct scan sc = {l, NULL, NULL, NULL, false};

    subs_list_init(l);
    if (subs_csv_read(p, n, on_row, &sc, &l->bom, &l->crlf, e) < 0) {
        subs_list_release(l);
        return -1;
    }
    add_missing_columns(l);
    return 0;
}

int
subs_scan_file(FILE *in, const char *path, struct subs_list *head,
               subs_entry_fn fn, void *ctx, struct err *e)
{
    struct subs_list file;
    struct scan sc = {&file, head, fn, ctx, false};
    int rc;

    subs_list_init(&file);
    subs_list_init(head);
    rc = subs_csv_read_file(in, path, on_row, &sc, &file.bom, &file.crlf, e);
    if (rc < 0 && !sc.fn_failed && e && e->code == ERR_DATA)
        err_prefix(e, "%s", path);
    if (rc == 0 && !file.cols)
        add_missing_columns(head); /* an empty file */
    head->crlf = file.crlf;
    head->bom = file.bom;
    subs_list_release(&file);
    if (rc < 0)
        subs_list_release(head);
    return rc;
}

static const char *
known_value(const struct subs_entry *s, size_t k, struct buf *tmp)
{
    size_t i;

    switch (k) {
    case SUBS_COL_EMAIL:
        return s->email;
    case SUBS_COL_NAME:
        return s->name;
    case SUBS_COL_STATUS:
        return s->status;
    case SUBS_COL_TAGS:
        buf_reset(tmp);
        for (i = 0; i < s->ntags; i++) {
            if (i)
                buf_append_char(tmp, ',');
            buf_append_str(tmp, s->tags[i]);
        }
        return tmp->data;
    case SUBS_COL_SUBSCRIBED_AT:
        return s->subscribed_at;
    case SUBS_COL_UNSUBSCRIBED_AT:
        return s->unsubscribed_at;
    default:
        return s->format;
    }
}

/* How one field is written: subs_csv_field or subs_csv_field_export. */
typedef void (*field_fn)(struct buf *, const char *);

static void
format_row(const struct subs_list *l, const struct subs_entry *s,
           const char *eol, field_fn put, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    size_t i, k, width = l->ncols;
    const char *v;

    if (s->nfields > width)
        width = s->nfields;
    for (i = 0; i < width; i++) {
        v = NULL;
        for (k = 0; k < SUBS_NCOLS; k++)
            if (l->col[k] == (int)i)
                v = known_value(s, k, &tmp);
        if (!v)
            v = s->fields && i < s->nfields ? s->fields[i] : "";
        if (i)
            buf_append_char(out, ',');
        put(out, v ? v : "");
    }
    buf_append_str(out, eol);
    buf_release(&tmp);
}

static void
format_header(const struct subs_list *l, const char *eol, field_fn put,
              struct buf *out)
{
    size_t i;

    for (i = 0; i < l->ncols; i++) {
        if (i)
            buf_append_char(out, ',');
        put(out, l->cols[i]);
    }
    buf_append_str(out, eol);
}

void
subs_format_head(const struct subs_list *l, struct buf *out)
{
    if (l->bom)
        buf_append_str(out, "\xEF\xBB\xBF");
    format_header(l, l->crlf ? "\r\n" : "\n", subs_csv_field, out);
}

void
subs_format_entry(const struct subs_list *l, const struct subs_entry *s,
                  struct buf *out)
{
    format_row(l, s, l->crlf ? "\r\n" : "\n", subs_csv_field, out);
}

void
subs_format(const struct subs_list *l, struct buf *out)
{
    size_t i;

    subs_format_head(l, out);
    for (i = 0; i < l->n; i++)
        subs_format_entry(l, &l->v[i], out);
}

void
subs_format_export_head(const struct subs_list *l, struct buf *out)
{
    format_header(l, "\r\n", subs_csv_field_export, out);
}

void
subs_format_export_entry(const struct subs_list *l,
                         const struct subs_entry *s, struct buf *out)
{
    format_row(l, s, "\r\n", subs_csv_field_export, out);
}

void
subs_format_export(const struct subs_list *l,
                   bool (*keep)(const struct subs_entry *, void *), void *ctx,
                   struct buf *out)
{
    size_t i;

    subs_format_export_head(l, out);
    for (i = 0; i < l->n; i++)
        if (!keep || keep(&l->v[i], ctx))
            subs_format_export_entry(l, &l->v[i], out);
}

struct subs_entry *
subs_find(const struct subs_list *l, const char *email)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (ascii_ieq(l->v[i].email, email))
            return &l->v[i];
    return NULL;
}

static int
cmp_entry(const void *a, const void *b)
{
    const struct subs_entry *const *x = a, *const *y = b;
    int c = strcasecmp((*x)->email, (*y)->email);

    /* One address twice: in file order, so the first row comes first. */
    return c ? c : ((*x)->line > (*y)->line) - ((*x)->line < (*y)->line);
}

static int
cmp_key(const void *key, const void *elem)
{
    const struct subs_entry *const *y = elem;

    return strcasecmp(key, (*y)->email);
}

void
subs_index_build(struct subs_index *ix, const struct subs_list *l)
{
    size_t i;

    ix->v = xcalloc(l->n + 1, sizeof(*ix->v));
    ix->n = l->n;
    for (i = 0; i < l->n; i++)
        ix->v[i] = &l->v[i];
    qsort(ix->v, ix->n, sizeof(*ix->v), cmp_entry);
}

void
subs_index_release(struct subs_index *ix)
{
    free(ix->v);
    *ix = (struct subs_index)SUBS_INDEX_INIT;
}

const struct subs_entry *
subs_index_find(const struct subs_index *ix, const char *email)
{
    const struct subs_entry *const *hit;

    if (ix->n == 0)
        return NULL;
    hit = bsearch(email, ix->v, ix->n, sizeof(*ix->v), cmp_key);
    while (hit && hit > ix->v && cmp_key(email, hit - 1) == 0)
        hit--;
    return hit ? *hit : NULL;
}

struct subs_entry *
subs_append(struct subs_list *l, const char *email)
{
    struct subs_entry *s;

    xgrow(&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
    s = &l->v[l->n++];
    memset(s, 0, sizeof(*s));
    s->email = xstrdup(email);
    s->name = xstrdup("");
    s->status = xstrdup(SUBS_STATUS_ACTIVE);
    s->format = xstrdup("html");
    s->subscribed_at = xstrdup("");
    s->unsubscribed_at = xstrdup("");
    return s;
}

void
subs_remove(struct subs_list *l, size_t i)
{
    entry_release(&l->v[i]);
    memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
    l->n--;
}

void
subs_entry_set_status(struct subs_entry *s, const char *status,
                      const char *when)
{
    xstrset(&s->status, status);
    if (!strcmp(status, SUBS_STATUS_ACTIVE)) {
        xstrset(&s->subscribed_at, when);
        xstrset(&s->unsubscribed_at, "");
    } else {
        xstrset(&s->unsubscribed_at, when);
    }
}

bool
subs_status_valid(const char *status)
{
    return !strcmp(status, SUBS_STATUS_ACTIVE) ||
           !strcmp(status, SUBS_STATUS_UNSUBSCRIBED) ||
           !strcmp(status, SUBS_STATUS_BOUNCED) ||
           !strcmp(status, SUBS_STATUS_PENDING);
}

/*
 * subscribers: address validation (mime_addr_check, the one rule for an
 * address this tool can send to) and the check of a whole list.
 */
#include "arctic_digest/subscribers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

/* The list's door: every address that enters or is read back from the list
 * passes here, and here is mime's rule, so nothing the list accepts is
 * refused at send. */
int
subs_addr_check(const char *p, size_t n, struct err *e)
{
    return mime_addr_check(p, n, e);
}

void
subs_problems_release(struct subs_problems *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        free(p->v[i].msg);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

void
subs_problems_add(struct subs_problems *p, size_t line, bool warning,
                  const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vappendf(&b, fmt, ap);
    va_end(ap);
    xgrow(&p->v, &p->alloc, p->n + 1, sizeof(*p->v));
    p->v[p->n].line = line;
    p->v[p->n].warning = warning;
    p->v[p->n].msg = buf_detach(&b, NULL);
    p->n++;
}

/* The index puts one address's rows side by side, the first row first. */
static size_t
check_duplicates(const struct subs_list *l, struct subs_problems *out)
{
    struct subs_index ix = SUBS_INDEX_INIT;
    const struct subs_entry *first = NULL, *s;
    size_t i, faults = 0;

    subs_index_build(&ix, l);
    for (i = 0; i < ix.n; i++) {
        s = ix.v[i];
        if (!first || !ascii_ieq(s->email, first->email)) {
            first = s;
            continue;
        }
        if (!*s->email)
            continue;
        subs_problems_add(out, s->line, false,
                          "duplicate address '%s' (first on line %zu)",
                          s->email, first->line);
        faults++;
    }
    subs_index_release(&ix);
    return faults;
}

static size_t
check_date(const struct subs_entry *s, const char *col, const char *v,
           struct subs_problems *out)
{
    struct dt d;

    if (!*v || dt_parse(v, strlen(v), &d) == 0)
        return 0;
    subs_problems_add(out, s->line, false, "%s: not a date: '%s'", col, v);
    return 1;
}

static size_t
check_text(const struct subs_entry *s, struct subs_problems *out)
{
    struct subs_text_faults f;
    size_t faults = subs_text_check(s->name, s->tags, s->ntags, &f);

    if (f.name_cp)
        subs_problems_add(out, s->line, false,
                          "name: control character U+%04X (names are one "
                          "line of text)",
                          (unsigned)f.name_cp);
    if (f.tags_cp)
        subs_problems_add(out, s->line, false,
                          "tags: control character U+%04X",
                          (unsigned)f.tags_cp);
    if (f.many_tags)
        subs_problems_add(out, s->line, false,
                          "%zu tags, more than the %d allowed", f.ntags,
                          SUBS_MAX_TAGS);
    if (f.name_long)
        subs_problems_add(out, s->line, false,
                          "name: %zu bytes, more than the %d allowed",
                          f.name_len, SUBS_MAX_NAME);
    return faults;
}

static size_t
check_entry(const struct subs_list *l, const struct subs_entry *s,
            struct subs_problems *out)
{
    struct err e = ERR_INIT;
    size_t faults = 0;

    if (s->fields && s->nfields != l->ncols && l->ncols) {
        subs_problems_add(out, s->line, false,
                          "%zu fields where the header has %zu", s->nfields,
                          l->ncols);
        faults++;
    }
    if (subs_addr_check(s->email, strlen(s->email), &e) < 0) {
        subs_problems_add(out, s->line, false, "invalid address '%s': %s",
                          s->email, e.msg);
        faults++;
    }
    if (!subs_status_valid(s->status)) {
        subs_problems_add(out, s->line, false,
                          "unknown status '%s' (active, unsubscribed, "
                          "bounced or pending)",
                          s->status);
        faults++;
    }
    if (strcmp(s->format, "html") != 0 && strcmp(s->format, "text") != 0) {
        subs_problems_add(out, s->line, false,
                          "unknown format '%s' (html or text)", s->format);
        faults++;
    }
    faults += check_date(s, "subscribed_at", s->subscribed_at, out);
    faults += check_date(s, "unsubscribed_at", s->unsubscribed_at, out);
    faults += check_text(s, out);
    return faults;
}

static int
problem_cmp(const void *a, const void *b)
{
    const struct subs_problem *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    /* qsort is not stable: the text gives a total order. */
    return strcmp(x->msg, y->msg);
}

size_t
subs_check(const struct subs_list *l, struct subs_problems *out)
{
    size_t i, faults = 0, start = out->n;

    for (i = 0; i < l->n; i++)
        faults += check_entry(l, &l->v[i], out);
    faults += check_duplicates(l, out);
    if (out->n > start)
        qsort(out->v + start, out->n - start, sizeof(*out->v), problem_cmp);
    return faults;
}

/*
 * subscribers: address validation (RFC 5322 section 3.4.1 addr-spec through
 * libetpan, plus domain rules of RFC 1035 section 2.3.4 and RFC 5321
 * section 4.5.3.1) and the check of a whole list.
 */
#include "arctic_digest/subscribers.h"

#include <libetpan/libetpan.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/datetime.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

static bool
is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int
check_local(const char *p, size_t n, struct err *e)
{
    size_t i;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "nothing before '@'");
    if (n > 64)
        return err_set(e, ERR_DATA, 0, "the part before '@' is longer than "
                                       "64 octets");
    if (p[0] == '"') {
        if (n < 2 || p[n - 1] != '"')
            return err_set(e, ERR_DATA, 0, "unbalanced quotes before '@'");
        for (i = 1; i < n - 1; i++) {
            if (p[i] == '\\' && i + 1 < n - 1)
                i++;
            else if (p[i] == '"' || p[i] == '\\')
                return err_set(e, ERR_DATA, 0, "stray quote before '@'");
        }
        return 0;
    }
    if (p[0] == '.' || p[n - 1] == '.')
        return err_set(e, ERR_DATA, 0, "a dot starts or ends the part before "
                                       "'@'");
    for (i = 0; i < n; i++) {
        if (p[i] == '.' && p[i + 1] == '.')
            return err_set(e, ERR_DATA, 0, "two dots in a row before '@'");
        if (p[i] != '.' && !is_atext((unsigned char)p[i]))
            return err_set(e, ERR_DATA, 0, "character '%c' not allowed "
                                           "before '@'",
                           p[i]);
    }
    return 0;
}

static int
check_label(const char *p, size_t n, bool *idn, struct err *e)
{
    size_t i;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "empty domain label (a leading, "
                                       "trailing or double dot)");
    if (n > 63)
        return err_set(e, ERR_DATA, 0, "domain label longer than 63 octets");
    if (p[0] == '-' || p[n - 1] == '-')
        return err_set(e, ERR_DATA, 0, "a domain label starts or ends with "
                                       "'-'");
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80) {
            *idn = true;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return err_set(e, ERR_DATA, 0, "character '%c' not allowed in "
                                           "a domain",
                           c);
    }
    return 0;
}

static int
check_domain(const char *p, size_t n, bool *idn, struct err *e)
{
    const char *dot, *end = p + n, *label = p;
    size_t i, labels = 0;
    bool numeric = true;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "no domain after '@'");
    if (p[0] == '[')
        return err_set(e, ERR_DATA, 0, "address literals ([...]) are not "
                                       "accepted");
    if (n > 253)
        return err_set(e, ERR_DATA, 0, "domain longer than 253 octets");
    while (label <= end) {
        dot = memchr(label, '.', (size_t)(end - label));
        if (!dot)
            dot = end;
        if (check_label(label, (size_t)(dot - label), idn, e) < 0)
            return -1;
        labels++;
        if (dot == end) {
            for (i = 0; label + i < end; i++)
                if (label[i] < '0' || label[i] > '9')
                    numeric = false;
            break;
        }
        label = dot + 1;
    }
    if (labels < 2)
        return err_set(e, ERR_DATA, 0, "the domain has no dot");
    if (numeric)
        return err_set(e, ERR_DATA, 0, "the top-level domain is a number");
    return 0;
}

/* libetpan's addr-spec parser, which must consume everything.  It knows
 * no UTF-8, so non-ASCII octets (already checked) stand in as letters. */
static int
check_etpan(const char *p, size_t n, struct err *e)
{
    char *copy = xstrndup(p, n);
    struct mailimf_mailbox *mb = NULL;
    size_t i, idx = 0;
    int r, rc = 0;

    for (i = 0; i < n; i++)
        if ((unsigned char)copy[i] >= 0x80)
            copy[i] = 'a';
    r = mailimf_mailbox_parse(copy, n, &idx, &mb);
    if (r != MAILIMF_NO_ERROR || idx != n || !mb || mb->mb_display_name ||
        !mb->mb_addr_spec)
        rc = err_set(e, ERR_DATA, 0, "not an RFC 5322 address");
    if (mb)
        mailimf_mailbox_free(mb);
    free(copy);
    return rc;
}

int
subs_addr_check(const char *p, size_t n, bool *idn, struct err *e)
{
    const char *at = NULL;
    bool is_idn = false, quoted = false;
    size_t i;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "empty address");
    if (n > 254)
        return err_set(e, ERR_DATA, 0, "longer than 254 octets");
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' && (i == 0 || p[i - 1] != '\\'))
            quoted = !quoted;
        else if (c < 0x20 || c == 0x7f || ((c == ' ' || c == '\t') && !quoted))
            return err_set(e, ERR_DATA, 0, "white space or a control "
                                           "character");
        else if (c == '@' && !quoted)
            at = p + i;
        else if (c == '<' || c == '>')
            if (!quoted)
                return err_set(e, ERR_DATA, 0, "angle brackets: give the "
                                               "bare address");
    }
    if (!at)
        return err_set(e, ERR_DATA, 0, "no '@'");
    for (i = 0; p + i < at; i++)
        if ((unsigned char)p[i] >= 0x80)
            return err_set(e, ERR_DATA, 0, "non-ASCII before '@' is not "
                                           "supported");
    if (check_local(p, (size_t)(at - p), e) < 0 ||
        check_domain(at + 1, (size_t)(p + n - at - 1), &is_idn, e) < 0 ||
        check_etpan(p, n, e) < 0)
        return -1;
    if (idn)
        *idn = is_idn;
    return 0;
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

struct key {
    char *lower;
    size_t i;
};

static int
key_cmp(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    int c = strcmp(x->lower, y->lower);

    if (c)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

static size_t
check_duplicates(const struct subs_list *l, struct subs_problems *out)
{
    struct key *k = xcalloc(l->n ? l->n : 1, sizeof(*k));
    size_t i, first = 0, faults = 0;

    for (i = 0; i < l->n; i++) {
        k[i].lower = subs_lower_dup(l->v[i].email);
        k[i].i = i;
    }
    qsort(k, l->n, sizeof(*k), key_cmp);
    for (i = 0; i < l->n; i++) {
        if (i == 0 || strcmp(k[i].lower, k[i - 1].lower) != 0) {
            first = i;
            continue;
        }
        if (!*k[i].lower)
            continue;
        subs_problems_add(out, l->v[k[i].i].line, false,
                          "duplicate address '%s' (first on line %zu)",
                          l->v[k[i].i].email, l->v[k[first].i].line);
        faults++;
    }
    for (i = 0; i < l->n; i++)
        free(k[i].lower);
    free(k);
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
check_entry(const struct subs_list *l, const struct subs_entry *s,
            struct subs_problems *out)
{
    struct err e = ERR_INIT;
    size_t faults = 0;
    bool idn = false;

    if (s->fields && s->nfields != l->ncols && l->ncols) {
        subs_problems_add(out, s->line, false,
                          "%zu fields where the header has %zu", s->nfields,
                          l->ncols);
        faults++;
    }
    if (subs_addr_check(s->email, strlen(s->email), &idn, &e) < 0) {
        subs_problems_add(out, s->line, false, "invalid address '%s': %s",
                          s->email, e.msg);
        faults++;
    } else if (idn) {
        subs_problems_add(out, s->line, true,
                          "'%s' has an internationalised domain: the mail "
                          "relay must support SMTPUTF8",
                          s->email);
    }
    if (!subs_status_valid(s->status)) {
        subs_problems_add(out, s->line, false,
                          "unknown status '%s' (active, unsubscribed or "
                          "bounced)",
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
    faults += subs_check_text(s, out);
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

/*
 * citation: COinS, an OpenURL 1.0 ContextObject (ANSI/NISO Z39.88-2004,
 * KEV format) per article for <span class="Z3988" title="...">, which
 * Zotero and other reference managers find on a web page, one item per
 * span (the Highwire <meta> tags describe one item per page only).
 */
#include "arctic_digest/citation.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/datetime.h"
#include "arctic_digest/util.h"
#include "arctic_digest/text.h"
#include "citation_int.h"

/* "&key=value" with value percent-encoded (RFC 3986 unreserved kept). */
static void
kev(struct buf *out, const char *key, const char *value, size_t n)
{
    if (!value || !n)
        return;
    if (out->len)
        buf_append_char(out, '&');
    buf_append_str(out, key);
    buf_append_char(out, '=');
    text_escape_url(value, n, "", out);
}

static void
kev_str(struct buf *out, const char *key, const char *value)
{
    if (value)
        kev(out, key, value, strlen(value));
}

/* The date at its precision: "2025", "2025-07" or "2025-07-22". */
static void
kev_date(struct buf *out, const struct dt *d)
{
    struct dt_parts p;
    struct buf v = BUF_INIT;

    if (!dt_is_set(d))
        return;
    dt_to_parts(d, &p);
    buf_appendf(&v, "%04d", p.year);
    if (d->prec >= DT_PREC_MONTH)
        buf_appendf(&v, "-%02d", p.month);
    if (d->prec >= DT_PREC_DAY)
        buf_appendf(&v, "-%02d", p.day);
    kev(out, "rft.date", v.data, v.len);
    buf_release(&v);
}

static void
kev_person(struct buf *out, const char *key, const struct person *p)
{
    struct buf v = BUF_INIT;

    if (p->literal) {
        buf_append_str(&v, p->literal);
    } else {
        if (p->family)
            buf_append_str(&v, p->family);
        if (p->family && p->given)
            buf_append_str(&v, ", ");
        if (p->given)
            buf_append_str(&v, p->given);
    }
    kev(out, key, v.data, v.len);
    buf_release(&v);
}

/* rft.type of the Dublin Core format by cite_kind (a journal article
 * has the journal format; Zotero's COinS reader knows these words). */
static const char *const dc_types[] = {
    "article", "webpage",    "report",   "preprint", "bookitem",
    "book",    "conference", "bookitem", "document", "dataset"};

void
cite_coins(const struct article *orig, struct buf *out)
{
    struct buf b = BUF_INIT, doi = BUF_INIT;
    struct cite_view v;
    const struct article *a = &v.a;
    bool journal;
    const char *dash;
    size_t i;

    cite_view_init(&v, orig);
    journal = cite_kind_of(a) == CITE_KIND_JOURNAL;
    dash = a->pages ? strchr(a->pages, '-') : NULL;

    kev_str(&b, "ctx_ver", "Z39.88-2004");
    if (journal) {
        kev_str(&b, "rft_val_fmt", "info:ofi/fmt:kev:mtx:journal");
        kev_str(&b, "rft.genre", "article");
        kev_str(&b, "rft.atitle", a->title);
        kev_str(&b, "rft.jtitle", a->container);
        kev_str(&b, "rft.volume", a->volume);
        kev_str(&b, "rft.issue", a->issue);
        if (a->pages)
            kev(&b, "rft.spage", a->pages,
                dash ? (size_t)(dash - a->pages) : strlen(a->pages));
        if (dash)
            kev_str(&b, "rft.epage", dash + 1);
        for (i = 0; i < a->nauthors; i++)
            kev_person(&b, "rft.au", &a->authors[i]);
    } else {
        kev_str(&b, "rft_val_fmt", "info:ofi/fmt:kev:mtx:dc");
        kev_str(&b, "rft.type", dc_types[cite_kind_of(a)]);
        kev_str(&b, "rft.title", a->title);
        kev_str(&b, "rft.source", a->container);
        kev_str(&b, "rft.publisher", a->publisher);
        for (i = 0; i < a->nauthors; i++)
            kev_person(&b, "rft.creator", &a->authors[i]);
    }
    kev_date(&b, &a->published);
    if (a->doi) {
        buf_appendf(&doi, "info:doi/%s", a->doi);
        kev(&b, "rft_id", doi.data, doi.len);
    }
    kev_str(&b, "rft_id", a->url);
    buf_append(out, b.data, b.len);
    buf_release(&b);
    buf_release(&doi);
    cite_view_release(&v);
}

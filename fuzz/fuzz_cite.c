/*
 * libFuzzer target: a Crossref work (the answer, or its bare "message"
 * object as tests/data/records keeps them) or else a feed, parsed and its
 * articles cited every way the digest cites them: the three styles in the
 * three markups, one at a time and all at once, the kind, BibTeX, RIS and
 * COinS.  The citation code reads names (a feed's free-text bylines too),
 * titles and locators from untrusted records; this is where a record it
 * has never seen would crash it or run away.
 */
#include <stdint.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/crossref.h"
#include "arctic_digest/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
cite_every_way(const struct article *v, size_t n)
{
    struct buf b = BUF_INIT;
    struct buf all[3] = {BUF_INIT, BUF_INIT, BUF_INIT};

    for (size_t i = 0; i < n; i++) {
        const struct article *a = &v[i];

        for (int s = CITE_CHICAGO; s <= CITE_MLA; s++) {
            for (int m = CITE_MARKUP_TEXT; m <= CITE_MARKUP_HTML; m++) {
                buf_reset(&b);
                cite_format(a, (enum cite_style)s, (enum cite_markup)m, &b);
            }
            for (int m = 0; m < 3; m++)
                buf_reset(&all[m]);
            cite_format_all(a, (enum cite_style)s, all);
        }
        (void)cite_kind_name(cite_kind_of(a));
        buf_reset(&b);
        cite_coins(a, &b);
    }
    buf_reset(&b);
    cite_bibtex(v, n, &b);
    buf_reset(&b);
    cite_ris(v, n, &b);
    buf_release(&b);
    for (int m = 0; m < 3; m++)
        buf_release(&all[m]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char open[] =
        "{\"status\":\"ok\",\"message-type\":\"work\",\"message\":";
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;
    struct buf wrapped = BUF_INIT;

    if (crossref_parse((const char *)data, size, "fuzz", &p, &e) != 0) {
        e = (struct err)ERR_INIT;
        buf_append(&wrapped, open, sizeof open - 1);
        buf_append(&wrapped, (const char *)data, size);
        buf_append(&wrapped, "}", 1);
        if (crossref_parse(wrapped.data, wrapped.len, "fuzz", &p, &e) != 0) {
            struct feed f = FEED_INIT;

            buf_release(&wrapped);
            if (feed_parse(&f, (const char *)data, size, "fuzz",
                           "https://example.org/feed/", NULL, &e) == 0) {
                cite_every_way(f.v, f.n);
                feed_release(&f);
            }
            return 0;
        }
    }
    cite_every_way(p.v, p.n);
    crossref_page_release(&p);
    buf_release(&wrapped);
    return 0;
}

/* relevance: keyword scoring of articles, with explanations. */
#include "arctic_digest/relevance.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"

/* Occurrences of one term counted per field, at most. */
#define REL_MAX_HITS 3

/* U+00C0-U+017F folded to ASCII; "" is a word break (the signs). */
static const char *const latin_fold[192] = {
    /* À Á Â Ã Ä Å Æ Ç */ "a", "a", "a", "a", "a", "a", "ae", "c",
    /* È É Ê Ë Ì Í Î Ï */ "e", "e", "e", "e", "i", "i", "i", "i",
    /* Ð Ñ Ò Ó Ô Õ Ö × */ "d", "n", "o", "o", "o", "o", "o", "",
    /* Ø Ù Ú Û Ü Ý Þ ß */ "o", "u", "u", "u", "u", "y", "th", "ss",
    /* à á â ã ä å æ ç */ "a", "a", "a", "a", "a", "a", "ae", "c",
    /* è é ê ë ì í î ï */ "e", "e", "e", "e", "i", "i", "i", "i",
    /* ð ñ ò ó ô õ ö ÷ */ "d", "n", "o", "o", "o", "o", "o", "",
    /* ø ù ú û ü ý þ ÿ */ "o", "u", "u", "u", "u", "y", "th", "y",
    /* Ā ā Ă ă Ą ą Ć ć */ "a", "a", "a", "a", "a", "a", "c", "c",
    /* Ĉ ĉ Ċ ċ Č č Ď ď */ "c", "c", "c", "c", "c", "c", "d", "d",
    /* Đ đ Ē ē Ĕ ĕ Ė ė */ "d", "d", "e", "e", "e", "e", "e", "e",
    /* Ę ę Ě ě Ĝ ĝ Ğ ğ */ "e", "e", "e", "e", "g", "g", "g", "g",
    /* Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ */ "g", "g", "g", "g", "h", "h", "h", "h",
    /* Ĩ ĩ Ī ī Ĭ ĭ Į į */ "i", "i", "i", "i", "i", "i", "i", "i",
    /* İ ı Ĳ ĳ Ĵ ĵ Ķ ķ */ "i", "i", "ij", "ij", "j", "j", "k", "k",
    /* ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ */ "k", "l", "l", "l", "l", "l", "l", "l",
    /* ŀ Ł ł Ń ń Ņ ņ Ň */ "l", "l", "l", "n", "n", "n", "n", "n",
    /* ň ŉ Ŋ ŋ Ō ō Ŏ ŏ */ "n", "n", "ng", "ng", "o", "o", "o", "o",
    /* Ő ő Œ œ Ŕ ŕ Ŗ ŗ */ "o", "o", "oe", "oe", "r", "r", "r", "r",
    /* Ř ř Ś ś Ŝ ŝ Ş ş */ "r", "r", "s", "s", "s", "s", "s", "s",
    /* Š š Ţ ţ Ť ť Ŧ ŧ */ "s", "s", "t", "t", "t", "t", "t", "t",
    /* Ũ ũ Ū ū Ŭ ŭ Ů ů */ "u", "u", "u", "u", "u", "u", "u", "u",
    /* Ű ű Ų ų Ŵ ŵ Ŷ ŷ */ "u", "u", "u", "u", "w", "w", "y", "y",
    /* Ÿ Ź ź Ż ż Ž ž ſ */ "y", "z", "z", "z", "z", "z", "z", "s",
};

static bool
is_break(uint32_t c)
{
    return c < 0xC0 /* C1 controls, NBSP, Latin-1 signs */
           || (c >= 0x2000 && c <= 0x2BFF) /* punctuation, symbols */
           || (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F)
           || (c >= 0xFE30 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF0F);
}

/* Lower-case Greek and Cyrillic capitals; others unchanged. */
static uint32_t
lower_other(uint32_t c)
{
    if ((c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F))
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    return c;
}

/* Append word text, preceded by a space if a break came before it. */
static void
emit(struct buf *out, size_t start, bool *brk, const char *s, size_t n)
{
    if (*brk && out->len > start)
        buf_append_char(out, ' ');
    *brk = false;
    buf_append(out, s, n);
}

void
rel_fold(const char *p, size_t n, struct buf *out)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, start = out->len;
    bool brk = false;

    while (i < n) {
        size_t len;
        int32_t cp;
        uint32_t c;
        char ch;

        if (s[i] < 0x80) {
            ch = ascii_tolower(p[i]);
            if (ascii_is_alnum(ch))
                emit(out, start, &brk, &ch, 1);
            else
                brk = true;
            i++;
            continue;
        }
        len = u8_decode(p + i, n - i, &cp);
        if (cp < 0) {
            brk = true;
            i++; /* one bad byte at a time */
            continue;
        }
        c = (uint32_t)cp;
        if (c >= 0xC0 && c <= 0x17F && latin_fold[c - 0xC0][0]) {
            const char *f = latin_fold[c - 0xC0];

            emit(out, start, &brk, f, strlen(f));
        } else if (c >= 0x300 && c <= 0x36F) {
            /* combining marks: "Sa\u0301mi" is "Sami" */
        } else if (is_break(c) || (c >= 0xC0 && c <= 0x17F)) {
            brk = true;
        } else {
            emit(out, start, &brk, "", 0);
            u8_append(out, lower_other(c));
        }
        i += len;
    }
}

static void
term_release(struct rel_term *t)
{
    free(t->term);
    free(t->folded);
    free(t->pattern);
}

void
rel_rules_release(struct rel_rules *r)
{
    size_t i;

    for (i = 0; i < r->ninclude; i++)
        term_release(&r->include[i]);
    for (i = 0; i < r->nexclude; i++)
        term_release(&r->exclude[i]);
    free(r->include);
    free(r->exclude);
    *r = (struct rel_rules)REL_RULES_INIT;
}

/* Fill t from a term as written; -1 if it folds to nothing. */
static int
term_make(struct rel_term *t, const char *term, double weight, struct err *e)
{
    struct buf b = BUF_INIT;
    size_t n = strlen(term);

    while (n > 0 && ascii_is_space(term[n - 1]))
        n--;
    while (n > 0 && ascii_is_space(*term)) {
        term++;
        n--;
    }
    t->prefix = n > 0 && term[n - 1] == '*';
    rel_fold(term, t->prefix ? n - 1 : n, &b);
    if (b.len == 0) {
        buf_release(&b);
        return err_set(e, ERR_CONFIG, 0,
                       "relevance term '%.100s': no letter or digit", term);
    }
    t->term = xstrndup(term, n);
    t->folded = buf_detach(&b, NULL);
    buf_appendf(&b, " %s%s", t->folded, t->prefix ? "" : " ");
    t->pattern = buf_detach(&b, &t->pattern_len);
    t->weight = weight;
    return 0;
}

int
rel_rules_add_include(struct rel_rules *r, const char *term, double weight,
                      struct err *e)
{
    struct rel_term t;

    if (!(weight > 0 && weight <= 100))
        return err_set(e, ERR_CONFIG, 0,
                       "relevance term '%.100s': weight %g is not in (0, 100]",
                       term, weight);
    if (term_make(&t, term, weight, e) != 0)
        return -1;
    xgrow(&r->include, &r->include_alloc, r->ninclude + 1, sizeof(t));
    r->include[r->ninclude++] = t;
    return 0;
}

int
rel_rules_add_exclude(struct rel_rules *r, const char *term, struct err *e)
{
    struct rel_term t;

    if (term_make(&t, term, 1, e) != 0)
        return -1;
    xgrow(&r->exclude, &r->exclude_alloc, r->nexclude + 1, sizeof(t));
    r->exclude[r->nexclude++] = t;
    return 0;
}

int
rel_rules_add_item(struct rel_rules *r, const char *item, bool exclude,
                   struct err *e)
{
    const char *caret = strrchr(item, '^');
    double weight = 1;
    char *term, *end;
    int rc;

    if (caret != NULL) {
        if (exclude)
            return err_set(e, ERR_CONFIG, 0,
                           "relevance term '%.100s': exclude terms take no "
                           "weight", item);
        errno = 0;
        weight = strtod(caret + 1, &end);
        while (ascii_is_space(*end))
            end++;
        if (errno != 0 || end == caret + 1 || *end != '\0'
            || !isfinite(weight))
            return err_set(e, ERR_CONFIG, 0,
                           "relevance term '%.100s': weight is not a number",
                           item);
    }
    term = caret ? xstrndup(item, (size_t)(caret - item)) : xstrdup(item);
    if (exclude)
        rc = rel_rules_add_exclude(r, term, e);
    else
        rc = rel_rules_add_include(r, term, weight, e);
    free(term);
    return rc;
}

/* The fields scored, with their factors. */
enum field { F_TITLE, F_ABSTRACT, F_KEYWORDS, F_COUNT };

static const char *const field_name[F_COUNT] = {"title", "abstract",
                                                "keywords"};
static const double field_factor[F_COUNT] = {1.0, 0.5, 0.5};

/* The folded fields, each padded with a space at both ends; keywords are
 * joined by " | " so no phrase spans two of them. */
static void
fold_fields(const struct article *a, struct buf f[F_COUNT])
{
    size_t i;

    for (i = 0; i < F_COUNT; i++)
        buf_append_char(&f[i], ' ');
    if (a->title != NULL)
        rel_fold(a->title, strlen(a->title), &f[F_TITLE]);
    if (a->abstract != NULL)
        rel_fold(a->abstract, strlen(a->abstract), &f[F_ABSTRACT]);
    for (i = 0; i < a->nkeywords; i++) {
        if (i > 0)
            buf_append_str(&f[F_KEYWORDS], " | ");
        rel_fold(a->keywords[i], strlen(a->keywords[i]), &f[F_KEYWORDS]);
    }
    for (i = 0; i < F_COUNT; i++)
        buf_append_char(&f[i], ' ');
}

/* Whole-word (or prefix) occurrences of t in a padded folded text. */
static int
count_hits(const struct rel_term *t, const char *text)
{
    const char *p = text;
    int n = 0;

    while (n < REL_MAX_HITS && (p = strstr(p, t->pattern)) != NULL) {
        n++;
        p += t->pattern_len - 1; /* the closing space may open the next */
    }
    return n;
}

static void
set_matched(struct article *a, const char *term)
{
    xgrow(&a->matched, &a->matched_alloc, a->nmatched + 1,
          sizeof(*a->matched));
    a->matched[a->nmatched++] = xstrdup(term);
}

static void
clear_matched(struct article *a)
{
    size_t i;

    for (i = 0; i < a->nmatched; i++)
        free(a->matched[i]);
    a->nmatched = 0;
}

/* The first exclude term found, naming its field in *field. */
static const struct rel_term *
excluded(const struct rel_rules *r, struct buf f[F_COUNT], int *field)
{
    size_t i;
    int k;

    for (i = 0; i < r->nexclude; i++)
        for (k = 0; k < F_COUNT; k++)
            if (count_hits(&r->exclude[i], f[k].data) > 0) {
                *field = k;
                return &r->exclude[i];
            }
    return NULL;
}

/* Score the include terms; hits[i * F_COUNT + k] counts term i in k. */
static double
score_terms(const struct rel_rules *r, struct buf f[F_COUNT], int *hits,
            struct article *a)
{
    double score = 0;
    size_t i;
    int k;

    for (i = 0; i < r->ninclude; i++) {
        bool any = false;

        for (k = 0; k < F_COUNT; k++) {
            int h = count_hits(&r->include[i], f[k].data);

            hits[i * F_COUNT + (size_t)k] = h;
            score += r->include[i].weight * field_factor[k] * h;
            any = any || h > 0;
        }
        if (any)
            set_matched(a, r->include[i].term);
    }
    return score;
}

static void
explain_hits(const struct rel_rules *r, const int *hits, struct buf *out)
{
    size_t i;
    int k;
    bool any_field = false;

    for (k = 0; k < F_COUNT; k++) {
        bool first = true;

        for (i = 0; i < r->ninclude; i++) {
            int h = hits[i * F_COUNT + (size_t)k];

            if (h == 0)
                continue;
            if (first)
                buf_appendf(out, "%s%s: ", any_field ? "; " : "",
                            field_name[k]);
            else
                buf_append_str(out, ", ");
            buf_append_str(out, r->include[i].term);
            if (h > 1)
                buf_appendf(out, " (x%d)", h);
            first = false;
            any_field = true;
        }
    }
    if (!any_field)
        buf_append_str(out, "no term matched");
}

bool
rel_score(const struct rel_rules *r, struct article *a, double source_weight,
          struct buf *explain)
{
    struct buf f[F_COUNT] = {BUF_INIT, BUF_INIT, BUF_INIT};
    int *hits = xcalloc(r->ninclude ? r->ninclude : 1, F_COUNT * sizeof(int));
    const struct rel_term *ex;
    bool in = false;
    int field = 0;
    size_t k;

    clear_matched(a);
    fold_fields(a, f);
    ex = excluded(r, f, &field);
    if (ex != NULL) {
        a->score = 0;
        if (explain != NULL)
            buf_appendf(explain, "excluded: '%s' in %s", ex->term,
                        field_name[field]);
        goto out;
    }
    a->score = score_terms(r, f, hits, a) * source_weight;
    in = a->score >= r->threshold;
    if (explain != NULL) {
        buf_appendf(explain, "score %g %s %g: ", a->score, in ? ">=" : "<",
                    r->threshold);
        explain_hits(r, hits, explain);
    }
out:
    for (k = 0; k < F_COUNT; k++)
        buf_release(&f[k]);
    free(hits);
    return in;
}

/*
 * The built-in rules.  Weights: 3 for names that are about Arctic politics
 * on their own (a title hit alone, or two abstract hits, make an article
 * relevant); 2 for Arctic places and peoples; 1.5 for "Arctic" itself, so
 * one passing mention in an abstract ("appeared first on Arctic ...") is
 * not enough; 1 and below for words that only add to other evidence.
 */
static const struct {
    const char *term;
    double weight;
} default_include[] = {
    {"Arctic", 1.5},
    {"High North", 3},
    {"Arctic Council", 3},
    {"Arctic Ocean", 3},
    {"Arctic Five", 3},
    {"Northern Sea Route", 3},
    {"Northeast Passage", 3},
    {"Northwest Passage", 3},
    {"Transpolar Sea Route", 3},
    {"Polar Silk Road", 3},
    {"Polar Code", 3},
    {"Ilulissat", 3},
    {"Svalbard", 3},
    {"Spitsbergen", 3},
    {"Barents", 3},
    {"Lomonosov", 3},
    {"Greenland*", 2},
    {"Nuuk", 2},
    {"Pituffik", 2},
    {"Thule", 2},
    {"Kalaallit", 2},
    {"Faroe*", 1.5},
    {"Iceland*", 1.5},
    {"Jan Mayen", 2},
    {"Longyearbyen", 2},
    {"Finnmark", 2},
    {"Kirkenes", 2},
    {"Tromsø", 2},
    {"Kola", 2},
    {"Murmansk", 2},
    {"Arkhangelsk", 2},
    {"Northern Fleet", 2},
    {"Novaya Zemlya", 2},
    {"Franz Josef Land", 2},
    {"Yamal", 2},
    {"Norilsk", 2},
    {"Chukotka", 2},
    {"Bering", 2},
    {"Beaufort", 2},
    {"Nunavut", 2},
    {"Nunavik", 2},
    {"Alaska*", 1.5},
    {"Yukon", 1},
    {"GIUK", 2},
    {"NORAD", 1.5},
    {"UNCLOS", 2},
    {"Law of the Sea", 1.5},
    {"CLCS", 2},
    {"Limits of the Continental Shelf", 2},
    {"continental shelf", 1},
    {"Sámi", 2},
    {"Saami", 2},
    {"Sápmi", 2},
    {"Inuit", 2},
    {"Permanent Participant*", 1.5},
    {"circumpolar", 2},
    {"icebreaker*", 2},
    {"polar", 1},
    {"sea ice", 1},
    {"permafrost", 0.5},
    {"Nordic", 0.5},
    {"Indigenous", 0.5},
    {"NATO", 0.5},
    {"Rosatom", 0.5},
    {"Siberia*", 0.5},
    {"sovereignty", 0.5},
    {"geopolit*", 0.5},
};

static const char *const default_exclude[] = {
    "Arctic Monkeys",
    "Arctic Cat",
};

void
rel_rules_default(struct rel_rules *r)
{
    size_t i;

    int rc = 0;

    for (i = 0; i < ARRAY_SIZE(default_include); i++)
        rc |= rel_rules_add_include(r, default_include[i].term,
                                    default_include[i].weight, NULL);
    for (i = 0; i < ARRAY_SIZE(default_exclude); i++)
        rc |= rel_rules_add_exclude(r, default_exclude[i], NULL);
    assert(rc == 0); /* our own table is valid */
    (void)rc;
    r->threshold = 1;
}

bool
rel_match(const struct rel_rules *r, const struct article *a)
{
    struct buf f[F_COUNT] = {BUF_INIT, BUF_INIT, BUF_INIT};
    bool hit = false;
    size_t i;
    int k;

    fold_fields(a, f);
    if (excluded(r, f, &k) == NULL)
        for (i = 0; i < r->ninclude && !hit; i++)
            for (k = 0; k < F_COUNT && !hit; k++)
                hit = count_hits(&r->include[i], f[k].data) > 0;
    for (k = 0; k < F_COUNT; k++)
        buf_release(&f[k]);
    return hit;
}

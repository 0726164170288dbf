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
    t.role = REL_SUBJECT;
    xgrow(&r->include, &r->include_alloc, r->ninclude + 1, sizeof(t));
    r->include[r->ninclude++] = t;
    return 0;
}

/* A built-in term with its role (topic terms weigh 0). */
static void
add_builtin(struct rel_rules *r, const char *term, double weight,
            enum rel_role role)
{
    struct rel_term t;
    int rc = term_make(&t, term, weight, NULL);

    assert(rc == 0); /* our own table is valid */
    (void)rc;
    t.role = role;
    xgrow(&r->include, &r->include_alloc, r->ninclude + 1, sizeof(t));
    r->include[r->ninclude++] = t;
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

/* Whether a subject or topic term matched (not places only). */
static bool
qualified(const struct rel_rules *r, const int *hits)
{
    size_t i;
    int k;

    for (i = 0; i < r->ninclude; i++)
        if (r->include[i].role != REL_PLACE)
            for (k = 0; k < F_COUNT; k++)
                if (hits[i * F_COUNT + (size_t)k] > 0)
                    return true;
    return false;
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
    if (in && r->need_topic && !qualified(r, hits)) {
        if (explain != NULL) {
            buf_appendf(explain, "score %g >= %g but only places: ",
                        a->score, r->threshold);
            explain_hits(r, hits, explain);
            buf_append_str(explain, "; no governance, security, economy or "
                                    "policy term");
        }
        in = false;
        goto out;
    }
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
 * Roles: S a subject (relevant on its own), P a place or people (needs a
 * subject or a topic term beside it: a café guide to Tromsø is not about
 * governance).
 */
#define S REL_SUBJECT
#define P REL_PLACE
static const struct {
    const char *term;
    double weight;
    enum rel_role role;
} default_include[] = {
    {"Arctic", 1.5, P},
    {"High North", 3, P},
    {"Arctic Council", 3, S},
    {"Arctic Ocean", 3, P},
    {"Arctic Five", 3, S},
    {"Northern Sea Route", 3, S},
    {"Northeast Passage", 3, S},
    {"Northwest Passage", 3, S},
    {"Transpolar Sea Route", 3, S},
    {"Polar Silk Road", 3, S},
    {"Polar Code", 3, S},
    {"Ilulissat", 3, S},
    {"Svalbard", 3, P},
    {"Spitsbergen", 3, P},
    {"Barents", 3, P},
    {"Lomonosov", 3, S},
    {"Greenland*", 2, P},
    {"Nuuk", 2, P},
    {"Pituffik", 2, S},
    {"Thule", 2, P},
    {"Kalaallit", 2, P},
    {"Faroe*", 1.5, P},
    {"Iceland*", 1.5, P},
    {"Jan Mayen", 2, P},
    {"Longyearbyen", 2, P},
    {"Finnmark", 2, P},
    {"Kirkenes", 2, P},
    {"Tromsø", 2, P},
    {"Kola", 2, P},
    {"Murmansk", 2, P},
    {"Arkhangelsk", 2, P},
    {"Northern Fleet", 2, S},
    {"Novaya Zemlya", 2, P},
    {"Franz Josef Land", 2, P},
    {"Yamal", 2, P},
    {"Norilsk", 2, P},
    {"Chukotka", 2, P},
    {"Bering", 2, P},
    {"Beaufort", 2, P},
    {"Nunavut", 2, P},
    {"Nunavik", 2, P},
    {"Alaska*", 1.5, P},
    {"Yukon", 1, P},
    {"GIUK", 2, S},
    {"NORAD", 1.5, S},
    {"UNCLOS", 2, S},
    {"Law of the Sea", 1.5, S},
    {"CLCS", 2, S},
    {"Limits of the Continental Shelf", 2, S},
    {"continental shelf", 1, S},
    {"Sámi", 2, P},
    {"Saami", 2, P},
    {"Sápmi", 2, P},
    {"Inuit", 2, P},
    {"Permanent Participant*", 1.5, S},
    {"circumpolar", 2, P},
    {"icebreaker*", 2, S},
    {"polar", 1, P},
    {"sea ice", 1, P},
    {"permafrost", 0.5, P},
    {"Nordic", 0.5, P},
    {"Indigenous", 0.5, P},
    {"NATO", 0.5, S},
    {"Rosatom", 0.5, S},
    {"Siberia*", 0.5, P},
    {"sovereignty", 0.5, S},
    {"geopolit*", 0.5, S},
};
#undef S
#undef P

/* Topic terms: what makes a place's article one about governance,
 * security, economy or policy.  They weigh nothing on their own. */
static const char *const default_topics[] = {
    /* security and defence */
    "security", "secure", "securit*", "defence*", "defense*", "defend*",
    "military", "militar*", "navy", "naval", "army", "armed forces",
    "troops", "soldier*", "coast guard*", "deterren*", "submarine*",
    "missile*", "warship*", "frigate*", "air base*", "bomber*", "radar*",
    "surveillance", "espionage", "spy", "spies", "sabotage", "hybrid",
    "war", "wars", "conflict*", "invasion", "escalat*", "nuclear",
    /* governance, law and diplomacy */
    "governance", "govern*", "polic*", "politic*", "diplomac*",
    "diplomat*", "treaty", "treaties", "law", "laws", "legal*",
    "legislat*", "jurisdiction*", "sovereign*", "territor*", "border*",
    "boundar*", "dispute*", "sanction*", "strateg*", "cooperation",
    "co-operation", "agreement*", "negotiat*", "summit*", "council*",
    "parliament*", "election*", "minister*", "ministry", "ministries",
    "president*", "referendum", "independence", "self-determination",
    "self-government", "self-rule", "autonomy", "rights", "regulat*",
    "administration", "alliance*", "partnership*", "bilateral",
    "multilateral", "great power*", "rivalry", "influence",
    /* economy and resources */
    "econom*", "trade", "tariff*", "investment*", "investor*", "shipping",
    "port", "ports", "infrastructure", "resource*", "mining", "mineral*",
    "rare earth*", "oil", "gas", "LNG", "hydrocarbon*", "petroleum",
    "energy", "fisher*", "fishing", "pipeline*", "cable*", "sea route*",
    "shipping route*", "wind power", "wind farm*", "hydropower",
    "renewable*", "land use", "licen*", "court*", "ruling",
    /* the powers whose moves make Arctic news geopolitics */
    "China", "Chinese", "Beijing", "Russia*", "Kremlin", "Moscow",
    "Pentagon", "European Union", "EU", "Ukrain*",
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
        add_builtin(r, default_include[i].term, default_include[i].weight,
                    default_include[i].role);
    for (i = 0; i < ARRAY_SIZE(default_topics); i++)
        add_builtin(r, default_topics[i], 0, REL_TOPIC);
    for (i = 0; i < ARRAY_SIZE(default_exclude); i++)
        rc |= rel_rules_add_exclude(r, default_exclude[i], NULL);
    assert(rc == 0); /* our own table is valid */
    (void)rc;
    r->threshold = 1;
    r->need_topic = true;
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

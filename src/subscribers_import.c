/*
 * subscribers: import of other newsletter services' CSV exports
 * (Mailchimp audience exports: subscribed, unsubscribed and cleaned;
 * listmonk subscriber exports and imports) into the list.
 */
#include "arctic_digest/subscribers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/utf8.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

enum field {
    F_EMAIL,
    F_NAME,
    F_FIRST,
    F_LAST,
    F_TAGS,
    F_STATUS,
    F_SUBSCRIBED_AT,
    F_FORMAT,
    F_UNSUB_TIME,
    F_CLEAN_TIME,
    F_COUNT
};

/* Column names each field is recognised by (lower case), first wins. */
static const char *const known[F_COUNT][6] = {
    [F_EMAIL] = {"email", "email address", "e-mail", "e-mail address",
                 "email_address", NULL},
    [F_NAME] = {"name", "full name", "full_name", NULL},
    [F_FIRST] = {"first name", "first_name", "fname", "given name", NULL},
    [F_LAST] = {"last name", "last_name", "lname", "family name", NULL},
    [F_TAGS] = {"tags", NULL},
    [F_STATUS] = {"status", NULL},
    [F_SUBSCRIBED_AT] = {"subscribed_at", "optin_time", "confirm_time",
                         "created_at", NULL},
    [F_FORMAT] = {"format", NULL},
    [F_UNSUB_TIME] = {"unsub_time", NULL},
    [F_CLEAN_TIME] = {"clean_time", NULL},
};

_Static_assert(F_COUNT == SUBS_IMPORT_NFIELDS, "one column per field");

static const char *const map_names[F_COUNT] = {
    "email", "name", "first_name", "last_name", "tags", "status",
    "subscribed_at", "format", "unsub_time", "clean_time"};

static void index_put(struct subs_importer *im, size_t pos);

static void
index_grow(struct subs_importer *im)
{
    size_t i;

    free(im->ix.slot);
    im->ix.cap = im->ix.cap ? im->ix.cap * 2 : 1024;
    while (im->ix.cap < 2 * im->l->n + 2)
        im->ix.cap *= 2;
    im->ix.slot = xcalloc(im->ix.cap, sizeof(*im->ix.slot));
    im->ix.used = 0;
    for (i = 0; i < im->l->n; i++)
        index_put(im, i);
}

static void
index_put(struct subs_importer *im, size_t pos)
{
    size_t i;

    if (2 * (im->ix.used + 1) > im->ix.cap) {
        index_grow(im); /* re-adds everything, pos included */
        return;
    }
    i = (size_t)(ascii_fnv1a(im->l->v[pos].email, true) & (im->ix.cap - 1));
    while (im->ix.slot[i])
        i = (i + 1) & (im->ix.cap - 1);
    im->ix.slot[i] = pos + 1;
    im->ix.used++;
}

static struct subs_entry *
index_find(const struct subs_importer *im, const char *email)
{
    size_t i = (size_t)(ascii_fnv1a(email, true) & (im->ix.cap - 1));

    for (; im->ix.slot[i]; i = (i + 1) & (im->ix.cap - 1))
        if (ascii_ieq(im->l->v[im->ix.slot[i] - 1].email, email))
            return &im->l->v[im->ix.slot[i] - 1];
    return NULL;
}

static int
find_col(char **fields, size_t n, const char *name)
{
    size_t i;
    char *t;

    for (i = 0; i < n; i++) {
        t = subs_trim_dup(fields[i]);
        if (ascii_ieq(t, name)) {
            free(t);
            return (int)i;
        }
        free(t);
    }
    return -1;
}

/* --map "field=Column;field=Column". */
static int
apply_map(struct subs_importer *im, char **fields, size_t n, struct err *e)
{
    char *copy = xstrdup(im->map), *pair, *save = NULL, *eq, *k, *v;
    size_t f;
    int rc = -1;

    for (pair = strtok_r(copy, ";", &save); pair;
         pair = strtok_r(NULL, ";", &save)) {
        eq = strchr(pair, '=');
        if (!eq) {
            err_set(e, ERR_USAGE, 0, "--map: expected FIELD=COLUMN: '%s'",
                    pair);
            goto out;
        }
        *eq = '\0';
        k = subs_lower_dup(pair);
        v = subs_trim_dup(eq + 1);
        for (f = 0; f < F_COUNT; f++)
            if (!strcmp(k, map_names[f]))
                break;
        if (f < F_COUNT)
            im->col[f] = find_col(fields, n, v);
        if (f == F_COUNT || im->col[f] < 0) {
            err_set(e, ERR_USAGE, 0,
                    f == F_COUNT ? "--map: unknown field '%s'"
                                 : "--map: no column '%s' in the file",
                    f == F_COUNT ? k : v);
            free(k);
            free(v);
            goto out;
        }
        free(k);
        free(v);
    }
    rc = 0;
out:
    free(copy);
    return rc;
}

int
subs_importer_header(struct subs_importer *im, char **fields, size_t n,
                     size_t line, struct err *e)
{
    size_t f, k;

    for (f = 0; f < F_COUNT; f++) {
        im->col[f] = -1;
        for (k = 0; im->col[f] < 0 && known[f][k]; k++)
            im->col[f] = find_col(fields, n, known[f][k]);
    }
    if (im->map && apply_map(im, fields, n, e) < 0)
        return -1;
    if (im->col[F_EMAIL] < 0)
        return err_set(e, ERR_DATA, 0,
                       "line %zu: no email column (use --map email=COLUMN)",
                       line);
    if (find_col(fields, n, "attributes") >= 0 ||
        find_col(fields, n, "uuid") >= 0)
        im->r->kind = "listmonk";
    else if (find_col(fields, n, "email address") >= 0 &&
             (find_col(fields, n, "member_rating") >= 0 ||
              find_col(fields, n, "optin_time") >= 0 ||
              find_col(fields, n, "leid") >= 0))
        im->r->kind = "mailchimp";
    else
        im->r->kind = "csv";
    im->header_done = true;
    return 0;
}

static const char *
get(const struct subs_importer *im, char **fields, size_t n, enum field f)
{
    int i = im->col[f];

    /* Our own export guards formulas with a quote: take it off again. */
    return i >= 0 && (size_t)i < n ? subs_formula_unescape(fields[i]) : "";
}

/* The status a row asks for: active, unsubscribed, bounced, or NULL for a
 * row to skip (not subscribed: pending, transactional, archived); "?" for
 * a value we do not know. */
static const char *
row_status(const struct subs_importer *im, char **fields, size_t n)
{
    char *s;
    const char *out = "?";

    if (*get(im, fields, n, F_CLEAN_TIME) || im->col[F_CLEAN_TIME] >= 0)
        return SUBS_STATUS_BOUNCED;
    if (im->col[F_UNSUB_TIME] >= 0)
        return SUBS_STATUS_UNSUBSCRIBED;
    s = subs_lower_dup(get(im, fields, n, F_STATUS));
    if (!*s || !strcmp(s, "active") || !strcmp(s, "subscribed") ||
        !strcmp(s, "enabled"))
        out = SUBS_STATUS_ACTIVE;
    else if (!strcmp(s, "unsubscribed") || !strcmp(s, "blocklisted") ||
             !strcmp(s, "blacklisted"))
        out = SUBS_STATUS_UNSUBSCRIBED;
    else if (!strcmp(s, "bounced") || !strcmp(s, "cleaned"))
        out = SUBS_STATUS_BOUNCED;
    else if (!strcmp(s, "pending") || !strcmp(s, "transactional") ||
             !strcmp(s, "archived") || !strcmp(s, "disabled") ||
             !strcmp(s, "unconfirmed"))
        out = NULL;
    free(s);
    return out;
}

/* A date as RFC 3339, or "" when there is none we understand. */
static char *
norm_date(const char *v)
{
    struct buf b = BUF_INIT;
    char *t = subs_trim_dup(v), *sp;
    struct dt d;

    sp = strchr(t, ' '); /* Mailchimp: "2023-01-15 10:22:31" */
    if (sp && sp - t == 10)
        *sp = 'T';
    if (*t && dt_parse(t, strlen(t), &d) == 0)
        dt_format_rfc3339(&d, &b);
    free(t);
    return buf_detach(&b, NULL);
}

/* Add the tags of from to s, at most up to SUBS_MAX_TAGS (a new row has
 * no more: see on_row); *capped tells whether some were left out. */
static bool
merge_tags(struct subs_entry *s, const struct subs_entry *from, bool *capped)
{
    bool changed = false;
    size_t i;

    for (i = 0; i < from->ntags; i++) {
        if (s->ntags < SUBS_MAX_TAGS)
            changed |= subs_add_tag(s, from->tags[i]);
        else if (!subs_has_tag(s, from->tags[i]))
            *capped = true;
    }
    return changed;
}

static char *
row_name(const struct subs_importer *im, char **fields, size_t n)
{
    struct buf b = BUF_INIT;
    char *first, *last, *name = subs_trim_dup(get(im, fields, n, F_NAME));

    if (*name)
        return name;
    free(name);
    first = subs_trim_dup(get(im, fields, n, F_FIRST));
    last = subs_trim_dup(get(im, fields, n, F_LAST));
    buf_append_str(&b, first);
    if (*first && *last)
        buf_append_char(&b, ' ');
    buf_append_str(&b, last);
    free(first);
    free(last);
    return buf_detach(&b, NULL);
}

static void
row_text_read(const struct subs_importer *im, char **fields, size_t n,
              struct subs_import_text *t)
{
    char *tags = xstrdup(get(im, fields, n, F_TAGS));

    memset(t, 0, sizeof(*t));
    t->name = row_name(im, fields, n);
    t->name_ctrl = subs_ctrl_replace(t->name);
    t->tags_ctrl = subs_ctrl_replace(tags);
    subs_set_tags_quoted(&t->tags, tags);
    free(tags);
    subs_text_check(t->name, t->tags.tags, t->tags.ntags, &t->f);
    if (t->f.name_long)
        t->name[u8_cut(t->name, t->f.name_len, SUBS_MAX_NAME)] = '\0';
}

void
subs_import_text_release(struct subs_import_text *t)
{
    free(t->name);
    subs_set_tags(&t->tags, NULL);
}

/* The warnings a row's name and tags bring, whatever it merges into. */
static void
text_warnings(struct subs_importer *im, size_t line, const char *email,
              const struct subs_import_text *t)
{
    if (t->name_ctrl)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': control characters in the name replaced "
                          "by spaces",
                          email);
    if (t->f.name_long)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': name cut to %d bytes", email, SUBS_MAX_NAME);
    if (t->tags_ctrl)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': control characters in the tags replaced "
                          "by spaces",
                          email);
}

static void
note_warnings(struct subs_importer *im, size_t line, const char *email,
              const struct subs_import_note *no)
{
    if (no->refused)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s' is %s on the list: not resubscribed", email,
                          no->refused);
    if (no->capped)
        subs_problems_add(&im->r->problems, line, true,
                          "'%s': tags beyond %d left out", email,
                          SUBS_MAX_TAGS);
}

void
subs_importer_warn(struct subs_importer *im, size_t line, const char *email,
                   const struct subs_import_text *t,
                   const struct subs_import_note *no)
{
    text_warnings(im, line, email, t);
    note_warnings(im, line, email, no);
}

/*
 * Merge one row (email, status, t) into s: a new entry (fresh, as
 * subs_append() made it) or the first row of its address, as the merges
 * before left it.  Counts the outcome; *no tells the rest.
 */
void
subs_importer_merge(struct subs_importer *im, struct subs_entry *s, bool fresh,
                    char **fields, size_t n, const char *status,
                    const struct subs_import_text *t,
                    struct subs_import_note *no)
{
    char *when = NULL;
    bool changed = false, capped = false;
    bool active = !strcmp(status, SUBS_STATUS_ACTIVE);

    memset(no, 0, sizeof(*no));
    when = norm_date(get(im, fields, n,
                         active                       ? F_SUBSCRIBED_AT
                         : im->col[F_CLEAN_TIME] >= 0 ? F_CLEAN_TIME
                                                      : F_UNSUB_TIME));
    if (fresh) {
        xstrset(&s->name, t->name);
        subs_entry_set_status(s, status, *when ? when : im->now);
        merge_tags(s, &t->tags, &capped);
        if (ascii_ieq(get(im, fields, n, F_FORMAT), "text"))
            xstrset(&s->format, "text");
        if (active)
            im->r->added++;
        else
            im->r->suppressed++;
    } else if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0) {
        /* Never resubscribe: a suppression stays one. */
        if (active) {
            no->refused = s->status;
            im->r->suppressed++;
        } else {
            im->r->unchanged++;
        }
    } else if (!active) {
        subs_entry_set_status(s, status, *when ? when : im->now);
        im->r->suppressed++;
    } else {
        if (!*s->name && *t->name) {
            xstrset(&s->name, t->name);
            changed = true;
        }
        changed |= merge_tags(s, &t->tags, &capped);
        no->capped = capped;
        if (changed)
            im->r->updated++;
        else
            im->r->unchanged++;
    }
    free(when);
}

/* In memory: the row merged into its entry of l (added when new). */
static void
merge_row(struct subs_importer *im, char **fields, size_t n, size_t line,
          const char *email, const char *status,
          const struct subs_import_text *t)
{
    struct subs_entry *s = index_find(im, email);
    struct subs_import_note no;
    bool fresh = !s;

    if (fresh) {
        s = subs_append(im->l, email);
        index_put(im, im->l->n - 1);
    }
    subs_importer_merge(im, s, fresh, fields, n, status, t, &no);
    subs_importer_warn(im, line, email, t, &no);
}

/*
 * Read a data row.  A row that cannot be merged is reported (when report
 * is true: its problem, and counted as invalid or skipped) and gives
 * false.  A row to merge gives true with *email (trimmed; caller frees),
 * *status and *t (caller releases) filled.
 */
bool
subs_importer_row(struct subs_importer *im, char **fields, size_t n,
                  size_t line, bool report, char **email, const char **status,
                  struct subs_import_text *t)
{
    struct subs_problems *pr = &im->r->problems;
    struct err ae = ERR_INIT;

    *email = subs_trim_dup(get(im, fields, n, F_EMAIL));
    *status = row_status(im, fields, n);
    if (subs_addr_check(*email, strlen(*email), &ae) < 0) {
        if (report) {
            subs_problems_add(pr, line, false, "invalid address '%s': %s",
                              *email, ae.msg);
            im->r->invalid++;
        }
    } else if (*status && !strcmp(*status, "?")) {
        if (report) {
            subs_problems_add(pr, line, false, "'%s': unknown status '%s'",
                              *email, get(im, fields, n, F_STATUS));
            im->r->invalid++;
        }
    } else {
        row_text_read(im, fields, n, t);
        if (t->f.many_tags) {
            if (report) {
                subs_problems_add(pr, line, false,
                                  "'%s': %zu tags, more than the %d allowed",
                                  *email, t->f.ntags, SUBS_MAX_TAGS);
                im->r->invalid++;
            }
        } else if (!*status) {
            if (report) {
                subs_problems_add(pr, line, true,
                                  "'%s': status '%s' is not a subscription: "
                                  "skipped",
                                  *email, get(im, fields, n, F_STATUS));
                im->r->skipped++;
            }
        } else {
            return true;
        }
        subs_import_text_release(t);
    }
    free(*email);
    *email = NULL;
    return false;
}

static int
on_row(void *ctx, char **fields, size_t n, size_t line, struct err *e)
{
    struct subs_importer *im = ctx;
    struct subs_import_text t;
    const char *status;
    char *email;

    if (!im->header_done)
        return subs_importer_header(im, fields, n, line, e);
    if (subs_importer_row(im, fields, n, line, true, &email, &status, &t)) {
        merge_row(im, fields, n, line, email, status, &t);
        subs_import_text_release(&t);
        free(email);
    }
    return 0;
}

int
subs_import(struct subs_list *l, const char *p, size_t n, const char *map,
            const char *now_rfc3339, struct subs_import_report *r,
            struct err *e)
{
    struct subs_importer im;
    int rc;

    memset(&im, 0, sizeof(im));
    im.l = l;
    im.r = r;
    im.map = map;
    im.now = now_rfc3339 ? now_rfc3339 : "";
    r->kind = "csv";
    index_grow(&im);
    rc = subs_csv_read(p, n, on_row, &im, NULL, NULL, e);
    if (rc == 0 && !im.header_done)
        rc = err_set(e, ERR_DATA, 0, "the file is empty");
    free(im.ix.slot);
    return rc;
}

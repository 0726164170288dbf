/*
 * store_article: the articles of the state file (see store.h): storing a
 * collected article with its deduplication (DOI, canonical URL, source and
 * guid, title and first author) and merge, loading one back, the sources that
 * carried it, the articles new for an issue, and their count.
 */
#include "arctic_digest/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/ascii.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"
#include "store_int.h"

/* Lower-case ASCII letters and digits of the title, other bytes kept
 * (so non-Latin titles still compare), punctuation and spaces dropped. */
static char *
title_key(const char *title)
{
    struct buf b = BUF_INIT;
    const unsigned char *p = (const unsigned char *)title;

    for (; p && *p; p++) {
        if (*p >= 0x80)
            buf_append_char(&b, (char)*p);
        else if (ascii_is_alnum(*p))
            buf_append_char(&b, ascii_tolower((char)*p));
    }
    return b.len ? buf_detach(&b, NULL) : (buf_release(&b), NULL);
}

/* A copy of s with its ASCII letters lower-cased, or NULL for NULL. */
static char *
lower(const char *s)
{
    char *r = xstrdup(s);

    if (r)
        ascii_lower(r, strlen(r));
    return r;
}

static char *
first_family(const struct article *a)
{
    if (!a->nauthors)
        return NULL;
    if (a->authors[0].family)
        return lower(a->authors[0].family);
    return lower(a->authors[0].literal);
}

/* What a work is recognised by, worked out once per stored article: the
 * lookups and the insert both use it. */
struct work_keys {
    char *doi;    /* lower-cased, or NULL */
    char *url;    /* article_url_canonical(), or NULL */
    char *title;  /* title_key(), or NULL */
    char *family; /* first author's family (or literal) name, lower-cased */
};

static void
work_keys_init(struct work_keys *k, const struct article *a)
{
    k->doi = lower(a->doi);
    k->url = a->url ? article_url_canonical(a->url) : NULL;
    k->title = title_key(a->title);
    k->family = first_family(a);
}

static void
work_keys_release(struct work_keys *k)
{
    free(k->doi);
    free(k->url);
    free(k->title);
    free(k->family);
}

/* Find a stored work that is the same as a: 1 and *id, 0 if none. */
static int
find_work(struct store *s, const struct article *a, const struct work_keys *k,
          int64_t *id, struct err *e)
{
    static const char *const queries[] = {
        "SELECT id FROM articles WHERE doi = ?1 COLLATE NOCASE",
        "SELECT id FROM articles WHERE url_key = ?2",
        "SELECT article_id FROM article_sources WHERE source = ?3 AND "
        "guid = ?4",
        "SELECT id FROM articles WHERE title_key = ?5 AND "
        "coalesce(first_family, '') = coalesce(?6, '') AND "
        "(published IS NULL OR ?7 IS NULL OR "
        "abs(published - ?7) <= 14 * 86400)",
    };
    size_t i;
    int rc = 0;

    for (i = 0; i < ARRAY_SIZE(queries) && rc == 0; i++) {
        sqlite3_stmt *st;
        int step;
        if ((i == 0 && !k->doi) || (i == 1 && !k->url) ||
            (i == 2 && (!a->source || !a->guid)) || (i == 3 && !k->title))
            continue;
        st = store_prepare(s, queries[i], e);
        if (!st) {
            rc = -1;
            break;
        }
        store_bind_text(st, 1, k->doi);
        store_bind_text(st, 2, k->url);
        store_bind_text(st, 3, a->source);
        store_bind_text(st, 4, a->guid);
        store_bind_text(st, 5, k->title);
        store_bind_text(st, 6, k->family);
        if (dt_is_set(&a->published))
            sqlite3_bind_int64(st, 7, a->published.t);
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *id = sqlite3_column_int64(st, 0);
            rc = 1;
        } else if (step != SQLITE_DONE) {
            rc = store_db_error(s, e, "cannot look up article");
        }
        store_release(s, st);
    }
    return rc;
}

static void
bind_date(sqlite3_stmt *st, int i, const struct dt *d)
{
    if (dt_is_set(d))
        sqlite3_bind_int64(st, i, d->t);
    else
        sqlite3_bind_null(st, i);
    sqlite3_bind_int(st, i + 1, d->offset);
    sqlite3_bind_int(st, i + 2, (int)d->prec);
}

static void
join_lines(char *const *v, size_t n, struct buf *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i)
            buf_append_char(out, '\n');
        buf_append_str(out, v[i]);
    }
}

/* Binds row i of one of a's lists from parameter 3 on (?1 is the work,
 * ?2 the position). */
typedef void (*bind_row_fn)(sqlite3_stmt *st, const struct article *a,
                            size_t i);

static void
bind_author(sqlite3_stmt *st, const struct article *a, size_t i)
{
    store_bind_text(st, 3, a->authors[i].given);
    store_bind_text(st, 4, a->authors[i].family);
    store_bind_text(st, 5, a->authors[i].literal);
    store_bind_text(st, 6, a->authors[i].suffix);
}

static void
bind_keyword(sqlite3_stmt *st, const struct article *a, size_t i)
{
    store_bind_text(st, 3, a->keywords[i]);
}

/* Replace the stored rows of one of work id's lists (authors or keywords:
 * del deletes them, ins inserts one) with a's n rows.  The INSERT is
 * prepared once and reset for each row. */
static int
put_list(struct store *s, int64_t id, const char *del, const char *ins,
         const struct article *a, size_t n, bind_row_fn bind, struct err *e)
{
    sqlite3_stmt *st;
    size_t i;
    int rc = 0;

    st = store_prepare(s, del, e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (store_step_done(s, st, e) < 0)
        return -1;
    if (n == 0)
        return 0;
    st = store_prepare(s, ins, e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    for (i = 0; i < n && rc == 0; i++) {
        sqlite3_bind_int(st, 2, (int)i);
        bind(st, a, i);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_db_error(s, e, "update failed");
        sqlite3_reset(st);
    }
    store_release(s, st);
    return rc;
}

static int
put_authors(struct store *s, int64_t id, const struct article *a, struct err *e)
{
    return put_list(s, id, "DELETE FROM article_authors WHERE article_id = ?",
                    "INSERT INTO article_authors (article_id, pos, given, "
                    "family, literal, suffix) VALUES (?, ?, ?, ?, ?, ?)",
                    a, a->nauthors, bind_author, e);
}

static int
put_keywords(struct store *s, int64_t id, const struct article *a,
             struct err *e)
{
    return put_list(s, id, "DELETE FROM article_keywords WHERE article_id = ?",
                    "INSERT INTO article_keywords (article_id, pos, keyword) "
                    "VALUES (?, ?, ?)",
                    a, a->nkeywords, bind_keyword, e);
}

static int
insert_work(struct store *s, const struct article *a, const struct work_keys *k,
            int64_t now, int64_t *id, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO articles (doi, url, guid, source, title, title_key, "
        "first_family, container, published, published_offset, "
        "published_prec, updated, updated_offset, updated_prec, abstract, "
        "score, matched, first_seen, url_key, volume, issue, pages, others, "
        "kind, lang, publisher, place, title_markup) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
        "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
        "?28)",
        e);
    struct buf matched = BUF_INIT;
    int rc;

    if (!st)
        return -1;
    join_lines(a->matched, a->nmatched, &matched);
    store_bind_text(st, 1, a->doi);
    store_bind_text(st, 2, a->url);
    store_bind_text(st, 3, a->guid);
    store_bind_text(st, 4, a->source);
    store_bind_text(st, 5, a->title);
    store_bind_text(st, 6, k->title);
    store_bind_text(st, 7, k->family);
    store_bind_text(st, 8, a->container);
    bind_date(st, 9, &a->published);
    bind_date(st, 12, &a->updated);
    store_bind_text(st, 15, a->abstract);
    sqlite3_bind_double(st, 16, a->score);
    store_bind_text(st, 17, matched.len ? matched.data : NULL);
    sqlite3_bind_int64(st, 18, now);
    store_bind_text(st, 19, k->url);
    store_bind_text(st, 20, a->volume);
    store_bind_text(st, 21, a->issue);
    store_bind_text(st, 22, a->pages);
    sqlite3_bind_int(st, 23, a->others);
    store_bind_text(st, 24, article_kind_name(a->kind));
    store_bind_text(st, 25, a->lang);
    store_bind_text(st, 26, a->publisher);
    store_bind_text(st, 27, a->place);
    store_bind_text(st, 28, a->title_markup);
    rc = store_step_done(s, st, e);
    if (rc == 0) {
        *id = sqlite3_last_insert_rowid(s->db);
        rc = put_authors(s, *id, a, e);
        if (rc == 0)
            rc = put_keywords(s, *id, a, e);
    }
    buf_release(&matched);
    return rc;
}

/* How many authors and keywords work id has stored. */
static int
count_lists(struct store *s, int64_t id, size_t *nauthors, size_t *nkeywords,
            struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT (SELECT count(*) FROM article_authors WHERE article_id = ?1), "
        "(SELECT count(*) FROM article_keywords WHERE article_id = ?1)",
        e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_release(s, st);
        return store_db_error(s, e, "cannot read article");
    }
    *nauthors = (size_t)sqlite3_column_int64(st, 0);
    *nkeywords = (size_t)sqlite3_column_int64(st, 1);
    store_release(s, st);
    return 0;
}

static int
put_others(struct store *s, int64_t id, bool others, struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s, "UPDATE articles SET others = ? WHERE id = ?", e);

    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, others);
    sqlite3_bind_int64(st, 2, id);
    return store_step_done(s, st, e);
}

/* Fill the stored work's gaps from a; keep the richer of two values.
 * The link is not one of them: the first publisher link stays (a work's
 * link does not change between a preview and the issue), a link only fills
 * a work that had none, and so does its key. */
static int
merge_work(struct store *s, int64_t id, const struct article *a,
           const struct work_keys *k, struct err *e)
{
    size_t nauthors = 0, nkeywords = 0;
    sqlite3_stmt *st;

    if (count_lists(s, id, &nauthors, &nkeywords, e) < 0)
        return -1;
    st = store_prepare(
        s,
        "UPDATE articles SET doi = coalesce(doi, ?2), "
        "url_key = CASE WHEN url IS NULL THEN ?10 ELSE url_key END, "
        "url = coalesce(url, ?3), container = coalesce(container, ?4), "
        "abstract = CASE WHEN length(coalesce(?5, '')) > "
        "length(coalesce(abstract, '')) THEN ?5 ELSE abstract END, "
        "published = CASE WHEN published IS NULL OR ?8 > published_prec "
        "THEN ?6 ELSE published END, "
        "published_offset = CASE WHEN published IS NULL OR ?8 > "
        "published_prec THEN ?7 ELSE published_offset END, "
        "published_prec = max(published_prec, ?8), "
        "score = max(score, ?9), volume = coalesce(volume, ?11), "
        "issue = coalesce(issue, ?12), pages = coalesce(pages, ?13), "
        "kind = coalesce(kind, ?14), lang = coalesce(lang, ?15), "
        "publisher = coalesce(publisher, ?16), place = coalesce(place, ?17), "
        /* italics for the title as stored, not for another source's */
        "title_markup = coalesce(title_markup, CASE WHEN title IS ?19 "
        "THEN ?18 END) "
        "WHERE id = ?1",
        e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    store_bind_text(st, 2, a->doi);
    store_bind_text(st, 3, a->url);
    store_bind_text(st, 4, a->container);
    store_bind_text(st, 5, a->abstract);
    if (dt_is_set(&a->published))
        sqlite3_bind_int64(st, 6, a->published.t);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int(st, 7, a->published.offset);
    sqlite3_bind_int(st, 8,
                     dt_is_set(&a->published) ? (int)a->published.prec : 0);
    sqlite3_bind_double(st, 9, a->score);
    store_bind_text(st, 10, k->url);
    store_bind_text(st, 11, a->volume);
    store_bind_text(st, 12, a->issue);
    store_bind_text(st, 13, a->pages);
    store_bind_text(st, 14, article_kind_name(a->kind));
    store_bind_text(st, 15, a->lang);
    store_bind_text(st, 16, a->publisher);
    store_bind_text(st, 17, a->place);
    store_bind_text(st, 18, a->title_markup);
    store_bind_text(st, 19, a->title);
    if (store_step_done(s, st, e) < 0)
        return -1;
    /* More authors or keywords than we had: take the new list, and with
     * it whether it is cut short. */
    if (a->nauthors > nauthors && (put_authors(s, id, a, e) < 0 ||
                                   put_others(s, id, a->others, e) < 0))
        return -1;
    if (a->nkeywords > nkeywords && put_keywords(s, id, a, e) < 0)
        return -1;
    return 0;
}

int
store_article_put(struct store *s, const struct article *a, int64_t now,
                  bool *is_new, int64_t *id, struct err *e)
{
    sqlite3_stmt *st;
    int64_t work = 0;
    struct work_keys k;
    int found;

    if (store_begin(s, e) < 0)
        return -1;
    work_keys_init(&k, a);
    found = find_work(s, a, &k, &work, e);
    if (found < 0)
        goto fail;
    if (found == 0 && insert_work(s, a, &k, now, &work, e) < 0)
        goto fail;
    if (found == 1 && merge_work(s, work, a, &k, e) < 0)
        goto fail;
    if (a->source) {
        st = store_prepare(s,
                           "INSERT OR IGNORE INTO article_sources (article_id, "
                           "source, guid, first_seen) VALUES (?, ?, ?, ?)",
                           e);
        if (!st)
            goto fail;
        sqlite3_bind_int64(st, 1, work);
        store_bind_text(st, 2, a->source);
        store_bind_text(st, 3, a->guid ? a->guid : a->url ? a->url : "");
        sqlite3_bind_int64(st, 4, now);
        if (store_step_done(s, st, e) < 0)
            goto fail;
    }
    work_keys_release(&k);
    if (store_commit(s, e) < 0)
        return -1;
    *is_new = found == 0;
    if (id)
        *id = work;
    return 0;
fail:
    work_keys_release(&k);
    store_rollback(s);
    return -1;
}

static void
read_date(sqlite3_stmt *st, int i, struct dt *d)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        memset(d, 0, sizeof(*d));
        return;
    }
    d->t = sqlite3_column_int64(st, i);
    d->offset = sqlite3_column_int(st, i + 1);
    d->prec = (enum dt_precision)sqlite3_column_int(st, i + 2);
}

static void
split_lines(const char *s, char ***v, size_t *n, size_t *alloc)
{
    while (s && *s) {
        size_t len = strcspn(s, "\n");
        xgrow(v, alloc, *n + 1, sizeof(**v));
        (*v)[(*n)++] = xstrndup(s, len);
        s += len + (s[len] ? 1 : 0);
    }
}

int
store_article_get(struct store *s, int64_t id, struct article *a, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT doi, url, guid, source, title, container, published, "
        "published_offset, published_prec, updated, updated_offset, "
        "updated_prec, abstract, score, matched, volume, issue, pages, "
        "others, kind, lang, publisher, place, title_markup FROM articles "
        "WHERE id = ?",
        e);
    int rc;

    article_init(a);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_release(s, st);
        if (rc == SQLITE_DONE)
            return err_set(e, ERR_DATA, 0, "state '%s': no article %lld",
                           s->path, (long long)id);
        return store_db_error(s, e, "cannot read article");
    }
    a->doi = store_col_text(st, 0);
    a->url = store_col_text(st, 1);
    a->guid = store_col_text(st, 2);
    a->source = store_col_text(st, 3);
    a->title = store_col_text(st, 4);
    a->container = store_col_text(st, 5);
    read_date(st, 6, &a->published);
    read_date(st, 9, &a->updated);
    a->abstract = store_col_text(st, 12);
    a->score = sqlite3_column_double(st, 13);
    split_lines((const char *)sqlite3_column_text(st, 14), &a->matched,
                &a->nmatched, &a->matched_alloc);
    a->volume = store_col_text(st, 15);
    a->issue = store_col_text(st, 16);
    a->pages = store_col_text(st, 17);
    a->others = sqlite3_column_int(st, 18) != 0;
    a->kind = article_kind_from_name(
        (const char *)sqlite3_column_text(st, 19));
    a->lang = store_col_text(st, 20);
    a->publisher = store_col_text(st, 21);
    a->place = store_col_text(st, 22);
    a->title_markup = store_col_text(st, 23);
    store_release(s, st);

    st = store_prepare(
        s,
        "SELECT given, family, literal, suffix FROM article_authors WHERE "
        "article_id = ? ORDER BY pos",
        e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        article_add_person(a, (const char *)sqlite3_column_text(st, 0),
                           (const char *)sqlite3_column_text(st, 1),
                           (const char *)sqlite3_column_text(st, 2));
        article_set_suffix(a, (const char *)sqlite3_column_text(st, 3));
    }
    store_release(s, st);
    if (rc != SQLITE_DONE)
        goto db_fail;
    st = store_prepare(
        s,
        "SELECT keyword FROM article_keywords WHERE article_id = ? "
        "ORDER BY pos",
        e);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        article_add_keyword(a, (const char *)sqlite3_column_text(st, 0));
    store_release(s, st);
    if (rc != SQLITE_DONE)
        goto db_fail;
    return 0;
db_fail:
    store_db_error(s, e, "cannot read article");
fail:
    article_release(a);
    return -1;
}

int
store_article_sources(struct store *s, int64_t id, struct buf *out,
                      struct err *e)
{
    sqlite3_stmt *st =
        store_prepare(s,
                      "SELECT DISTINCT source FROM article_sources "
                      "WHERE article_id = ? ORDER BY source",
                      e);
    int rc, i = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (i++)
            buf_append_char(out, ',');
        buf_append_str(out, (const char *)sqlite3_column_text(st, 0));
    }
    store_release(s, st);
    if (rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read article sources");
    return 0;
}

int
store_articles_new(struct store *s, int64_t since, int64_t end, int64_t **ids,
                   size_t *n, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM "
        "issue_articles ia WHERE ia.article_id = a.id) "
        "AND coalesce(a.published, a.first_seen) >= ?1 "
        "AND coalesce(a.published, a.first_seen) < ?2 "
        "ORDER BY coalesce(a.published, a.first_seen) DESC, a.title",
        e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, end);
    return store_collect_ids(s, st, ids, n, e);
}

int
store_articles_count(struct store *s, int64_t *n, struct err *e)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM articles", e);

    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_release(s, st);
        return store_db_error(s, e, "cannot count articles");
    }
    *n = sqlite3_column_int64(st, 0);
    store_release(s, st);
    return 0;
}

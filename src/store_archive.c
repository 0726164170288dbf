/*
 * store_archive: what the web archive wrote for each sent issue (see
 * store.h), so that the issues already on the web are listed in its feed
 * and index without being rendered again.
 */
#include "arctic_digest/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "store_int.h"

void
store_archived_release(struct store_archived *a)
{
    free(a->stamp);
    free(a->files);
    free(a->subject);
    free(a->content);
    memset(a, 0, sizeof(*a));
}

int
store_archived_get(struct store *s, int64_t issue, bool with_content,
                   struct store_archived *out, struct err *e)
{
    /* Without the content SQLite does not read its pages (overflow pages,
     * megabytes for a long issue). */
    sqlite3_stmt *st = store_prepare(
        s,
        with_content ? "SELECT stamp, files, subject, content "
                       "FROM archive_pages WHERE issue_id = ?"
                     : "SELECT stamp, files, subject, '' "
                       "FROM archive_pages WHERE issue_id = ?",
        e);
    const unsigned char *text;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, issue);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->stamp = store_col_text(st, 0);
        out->files = store_col_text(st, 1);
        out->subject = store_col_text(st, 2);
        /* The content is the issue's whole HTML, megabytes for a long
         * issue: its length comes with it rather than from a strlen. */
        text = sqlite3_column_text(st, 3); /* before its length */
        out->content_len = (size_t)sqlite3_column_bytes(st, 3);
        out->content = xmalloc(out->content_len + 1);
        if (out->content_len)
            memcpy(out->content, text, out->content_len);
        out->content[out->content_len] = '\0';
    }
    store_release(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_error(s, e, "cannot read the archive's record");
    return rc == SQLITE_ROW;
}

int
store_archived_put(struct store *s, int64_t issue,
                   const struct store_archived *a, struct err *e)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO archive_pages (issue_id, stamp, files, subject, "
        "content) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(issue_id) DO "
        "UPDATE SET stamp = ?2, files = ?3, subject = ?4, content = ?5",
        e);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, issue);
    store_bind_text(st, 2, a->stamp);
    store_bind_text(st, 3, a->files);
    store_bind_text(st, 4, a->subject);
    sqlite3_bind_text64(st, 5, a->content, a->content_len, SQLITE_STATIC,
                        SQLITE_UTF8);
    return store_step_done(s, st, e);
}

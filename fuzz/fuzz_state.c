/*
 * libFuzzer target: a state file of arbitrary bytes, opened as dry runs
 * and previews open it (store_open_snapshot: the checks on open, the copy,
 * the migrations) and then read as status and send read it.  The input
 * goes to a fresh file under /tmp, removed at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arctic_digest/store.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What status and send read; every failure is fine, a crash is not. */
static void
read_all(struct store *s)
{
    struct store_issue is;
    struct store_source *src = NULL;
    struct store_ledger_row *rows = NULL;
    struct err e = ERR_INIT;
    int64_t *ids = NULL, counts[4], n64;
    size_t n = 0, i;

    if (store_issue_last(s, &is, &e) == 1) {
        if (store_ledger_counts(s, is.id, counts, &e) == 0 &&
            store_ledger_todo(s, is.id, &rows, &n, &e) == 0) {
            for (i = 0; i < n; i++)
                store_ledger_row_release(&rows[i]);
            free(rows);
        }
        store_issue_release(&is);
    }
    if (store_articles_new(s, 0, INT64_MAX / 2, &ids, &n, &e) == 0) {
        for (i = 0; i < n && i < 64; i++) {
            struct article a;
            if (store_article_get(s, ids[i], &a, &e) == 0)
                article_release(&a);
        }
        free(ids);
    }
    if (store_sources_list(s, &src, &n, &e) == 0) {
        for (i = 0; i < n; i++)
            store_source_release(&src[i]);
        free(src);
    }
    (void)store_articles_count(s, &n64, &e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ad-fuzz-state-XXXXXX";
    struct store *s = NULL;
    struct err e = ERR_INIT;

    fuzz_write_file(path, data, size);
    if (store_open_snapshot(path, &s, &e) == 0) {
        read_all(s);
        store_close(s);
    }
    unlink(path);
    return 0;
}

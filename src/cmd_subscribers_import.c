/* subscribers import (see cmd_subscribers.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/subscribers.h"
#include "cmd.h"

struct import_job {
    struct buf data;
    const char *map, *now;
    bool dry_run;
    struct subs_import_report r;
};

static int
apply_import(struct subs_list *l, void *ctx, struct err *e)
{
    struct import_job *j = ctx;

    if (subs_import(l, j->data.data, j->data.len, j->map, j->now, &j->r, e) <
        0)
        return -1;
    if (j->dry_run)
        return 0;
    return j->r.added || j->r.updated || j->r.suppressed ? 1 : 0;
}

int
cmd_subscribers_import(struct app *app, int argc, char **argv)
{
    struct import_job j;
    struct err e = ERR_INIT;
    char *now = cmd_now_text(app);
    int rc = 0;

    (void)argc;
    memset(&j, 0, sizeof(j));
    buf_init(&j.data);
    j.map = cmd_arg(app, "map");
    j.dry_run = cmd_flag(app, "dry-run");
    j.now = now;
    if (buf_read_file(&j.data, argv[1], 0, &e) < 0 ||
        subs_update(app->cfg.subscribers, true, apply_import, &j, &e) < 0) {
        if (e.code == ERR_DATA && strncmp(e.msg, "line ", 5) == 0)
            err_prefix(&e, "%s", argv[1]);
        rc = cmd_fail(&e);
        goto out;
    }
    cmd_subs_problems(argv[1], &j.r.problems);
    fprintf(stderr,
            "%s (%s export): added %zu, updated %zu, unchanged %zu, "
            "invalid %zu, suppressed %zu, skipped %zu%s\n",
            argv[1], j.r.kind, j.r.added, j.r.updated, j.r.unchanged,
            j.r.invalid, j.r.suppressed, j.r.skipped,
            j.dry_run ? " (dry run: nothing written)" : "");
out:
    subs_problems_release(&j.r.problems);
    buf_release(&j.data);
    free(now);
    return rc;
}

/* subscribers import (see cmd_subscribers.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/subscribers.h"
#include "cmd.h"

int
cmd_subscribers_import(struct app *app, int argc, char **argv)
{
    struct subs_import_report r;
    struct err e = ERR_INIT;
    char *now = cmd_now_text(app);
    bool dry_run = cmd_flag(app, "dry-run");
    int rc = 0;

    (void)argc;
    memset(&r, 0, sizeof(r));
    /* The problems are told once the file is written, in the export's
     * order, then the counts. */
    if (subs_import_file(app->cfg.subscribers, argv[1], cmd_arg(app, "map"),
                         now, dry_run, cmd_subs_problem, argv[1], &r,
                         &e) < 0) {
        if (e.code == ERR_DATA && strncmp(e.msg, "line ", 5) == 0)
            err_prefix(&e, "%s", argv[1]);
        rc = cmd_fail(&e);
        goto out;
    }
    fprintf(stderr,
            "%s (%s export): added %zu, updated %zu, unchanged %zu, "
            "invalid %zu, suppressed %zu, skipped %zu%s\n",
            argv[1], r.kind, r.added, r.updated, r.unchanged, r.invalid,
            r.suppressed, r.skipped,
            dry_run ? " (dry run: nothing written)" : "");
out:
    subs_problems_release(&r.problems);
    free(now);
    return rc;
}

/*
 * archive: bring the web archive of the sent issues and its Atom feed
 * ([paths] archive) up to date with the state, rendering the issues whose
 * pages are missing or stale (all of them with --rebuild); send and run
 * do the same after each issue.
 */
#include "arctic_digest/archive.h"
#include "arctic_digest/log.h"
#include "cmd.h"

int
cmd_archive(struct app *app, int argc, char **argv)
{
    struct archive_stats st = {0, 0};
    struct err e = ERR_INIT;
    unsigned flags = 0;

    (void)argc;
    (void)argv;
    if (cmd_flag(app, "rebuild"))
        flags |= ARCHIVE_REBUILD;
    if (archive_write(&app->ctx, flags, &st, &e) < 0)
        return cmd_fail(&e);
    log_info("archive: %zu issue%s in %s (index.html, feed.xml); %zu "
             "rendered",
             st.issues, st.issues == 1 ? "" : "s", app->cfg.archive,
             st.rendered);
    return 0;
}

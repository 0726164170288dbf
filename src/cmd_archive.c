/*
 * archive: rebuild the web archive of the sent issues and its Atom feed
 * ([paths] archive) from the state; send and run do the same after each
 * issue.
 */
#include "arctic_digest/archive.h"
#include "arctic_digest/log.h"
#include "cmd.h"

int
cmd_archive(struct app *app, int argc, char **argv)
{
    struct err e = ERR_INIT;
    size_t n = 0;

    (void)argc;
    (void)argv;
    if (archive_write(&app->ctx, &n, &e) < 0)
        return cmd_fail(&e);
    log_info("archive: %zu issue%s in %s (index.html, feed.xml)", n,
             n == 1 ? "" : "s", app->cfg.archive);
    return 0;
}

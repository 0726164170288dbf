/*
 * collect: fetch every source, store new articles, report each source.
 */
#include "arctic_digest/collect.h"
#include "arctic_digest/log.h"
#include "cmd.h"

int
cmd_collect(struct app *app, int argc, char **argv)
{
    struct collect_report rep = COLLECT_REPORT_INIT;
    struct err e = ERR_INIT;
    int rc = 0;

    (void)argc;
    (void)argv;
    if (collect_sources(&app->ctx, &rep, &e) < 0) {
        collect_report_log(&rep);
        rc = cmd_fail(&e);
        goto out;
    }
    collect_report_log(&rep);
    log_info("collect: %zu new article%s from %zu source%s, %zu failed",
             rep.fresh, rep.fresh == 1 ? "" : "s", rep.ok + rep.failed,
             rep.ok + rep.failed == 1 ? "" : "s", rep.failed);
    /* Every source failing is a service problem; some failing is normal
     * life on the web, reported above and in 'status'. */
    if (rep.failed && !rep.ok)
        rc = 69;
out:
    collect_report_release(&rep);
    return rc;
}

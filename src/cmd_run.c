/*
 * run: what cron calls.  Finish an unfinished issue first, then collect,
 * then build and send the next issue (with --if-due only when its
 * scheduled slot has come).  One run at a time.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/store.h"
#include "cmd.h"

static const char usage[] = "run [--if-due] [--dry-run]";

int
cmd_run(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {
        {"if-due", no_argument, NULL, 'd'},
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct deliver_stats st;
    struct collect_summary sum;
    struct store_issue unfinished;
    struct store *store = NULL;
    struct err e = ERR_INIT;
    bool dry_run = false, if_due = false;
    int opt, rc = 0, found, number = 0, lock = -1, sent;
    int64_t slot = 0;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            if_due = true;
            break;
        case 'n':
            dry_run = true;
            break;
        case 'h':
            printf("usage: arctic-digest %s\n", usage);
            return 0;
        default:
            return cmd_usage(usage);
        }
    }
    if (optind != argc)
        return cmd_usage(usage);
    if (cmd_lock(app, &lock, &e) < 0)
        return cmd_fail(&e);
    if (store_open(app->cfg.state, &store, &e) < 0)
        goto fail;

    /* 1. An issue left unfinished by an earlier run goes out first, as it
     *    was frozen. */
    found = store_issue_unfinished(store, &unfinished, &e);
    if (found < 0)
        goto fail;
    if (found) {
        store_issue_release(&unfinished);
        sent = cmd_send_issue(app, store, 0, dry_run, &st, &number, &e);
        rc = cmd_send_report(sent, number, &st, &e);
        if (rc != 0)
            goto out;
    }
    /* 2. Collect. */
    if (!dry_run && cmd_collect_sources(app, store, &sum, &e) < 0)
        goto fail;
    /* 3. The next issue, when due. */
    if (if_due) {
        int due = cmd_issue_due(app, store, &slot, &e);
        if (due < 0)
            goto fail;
        if (!due)
            goto out;
    }
    sent = cmd_send_issue(app, store, slot, dry_run, &st, &number, &e);
    rc = cmd_send_report(sent, number, &st, &e);
    goto out;
fail:
    rc = cmd_fail(&e);
out:
    store_close(store);
    cmd_unlock(lock);
    return rc;
}

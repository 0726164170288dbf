/*
 * bounces: read the bounce mailbox ([bounces] maildir, imap) and act on
 * each new bounce once; 'run' does it first when a mailbox is configured.
 */
#include "cmd.h"

int
cmd_bounces(struct app *app, int argc, char **argv)
{
    struct err e = ERR_INIT;

    (void)argc;
    (void)argv;
    if (!app->cfg.bounces_maildir && !app->cfg.bounces_imap) {
        err_set(&e, ERR_CONFIG, 0,
                "%s: no bounce mailbox: set [bounces] maildir or imap",
                app->cfg.path ? app->cfg.path : "config");
        return cmd_fail(&e);
    }
    return cmd_collect_bounces(app, false);
}

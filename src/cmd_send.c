/*
 * send: send (or resume) the current issue, one personalised message per
 * subscriber, over SMTP or into the outbox.  No collecting.
 */
#include "arctic_digest/deliver.h"
#include "cmd.h"

int
cmd_send(struct app *app, int argc, char **argv)
{
    struct deliver_stats st;
    struct err e = ERR_INIT;
    int rc, number = 0;

    (void)argc;
    (void)argv;
    rc = deliver_send(&app->ctx, 0, app->smtp_password.data, cmd_progress,
                      &st, &number, &e);
    return cmd_send_result(app, rc, number, &st, &e);
}

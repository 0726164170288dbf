/*
 * send: try the deferred deliveries of earlier issues again, then send (or
 * resume) the current issue, one personalised message per subscriber,
 * over SMTP or into the outbox.  No collecting.
 */
#include "arctic_digest/deliver.h"
#include "cmd.h"

int
cmd_send(struct app *app, int argc, char **argv)
{
    struct deliver_stats st;
    struct err e = ERR_INIT;
    int rc, number = 0;
    bool deferred = false;

    (void)argc;
    (void)argv;
    rc = cmd_retry_deferred(app, &deferred);
    if (rc != 0)
        return rc;
    rc = deliver_send(&app->ctx, 0, app->smtp_password.data, cmd_progress,
                      &st, &number, &e);
    rc = cmd_send_result(app, rc, number, &st, &e);
    return rc == 0 && deferred ? 75 : rc;
}

/*
 * cmd: whether the next issue is due.  First version: always due; the
 * schedule module makes it follow [digest] schedule.
 */
#include "cmd.h"

int
cmd_issue_due(struct app *app, struct store *st, struct err *e)
{
    (void)app;
    (void)st;
    (void)e;
    return 1;
}

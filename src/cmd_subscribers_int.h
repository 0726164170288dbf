/* cmd subscribers: the subcommands, split over two files (private). */
#ifndef ARCTIC_DIGEST_CMD_SUBSCRIBERS_INT_H
#define ARCTIC_DIGEST_CMD_SUBSCRIBERS_INT_H

#include "cmd.h"

/* Rows of the subcommand table: argv[1..] are the positional arguments;
 * each returns an exit code. */
int subs_cmd_show(struct app *app, int argc, char **argv);
int subs_cmd_check(struct app *app, int argc, char **argv);
int subs_cmd_import(struct app *app, int argc, char **argv);

/* app->now as RFC 3339; caller frees. */
char *subs_cmd_now(const struct app *app);

#endif

/* cmd subscribers: the subcommands, split over two files (private). */
#ifndef ARCTIC_DIGEST_CMD_SUBSCRIBERS_INT_H
#define ARCTIC_DIGEST_CMD_SUBSCRIBERS_INT_H

#include "cmd.h"

/* Each takes argv[0] = the subcommand name and returns an exit code. */
int subs_cmd_list(int argc, char **argv, struct app *app);
int subs_cmd_export(int argc, char **argv, struct app *app);
int subs_cmd_check(int argc, char **argv, struct app *app);
int subs_cmd_import(int argc, char **argv, struct app *app);

/* app->now as RFC 3339; caller frees. */
char *subs_cmd_now(const struct app *app);

#endif

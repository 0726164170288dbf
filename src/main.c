/*
 * main: global options, the command table and the exit code.
 *
 * To add a command: write src/cmd_<name>.c with
 * "int cmd_<name>(int argc, char **argv, struct app *app)" that parses its
 * own options with getopt_long and returns a sysexits code; declare it in
 * src/cmd.h; add a row to cmd_table below (keep it sorted by name); add an
 * integration test in tests/integration/ and a section in
 * docs/arctic-digest.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/util.h"
#include "cmd.h"

const struct cmd cmd_table[] = {
    {"cite", cmd_cite, 0,
     "[--style S] [--markup M] [--format F] RECORDS.json",
     "print citations, BibTeX or RIS of JSON article records"},
    {"collect", cmd_collect, CMD_CONFIG, "",
     "fetch every source, store new articles, report each source"},
    {"cron", cmd_cron, CMD_CONFIG, "[--crontab | --systemd]",
     "print the crontab line and systemd units for the schedule"},
    {"help", cmd_help, 0, "[COMMAND]", "show commands and options"},
    {"parse", cmd_parse, CMD_CONFIG, "FILE|URL",
     "print the articles one feed yields, one JSON object a line"},
    {"preview", cmd_preview, CMD_CONFIG,
     "[-o DIR] [--to ADDR] [--open] [--offline] [--explain]",
     "build the next issue without sending it; write digest.eml, .html, "
     ".txt"},
    {"render", cmd_render, CMD_CONFIG, "TEMPLATE [DATA.json]",
     "render one Mustache template with JSON data (or the sample issue)"},
    {"run", cmd_run, CMD_CONFIG, "[--if-due] [--dry-run]",
     "what cron calls: finish, collect, build and send the next issue"},
    {"send", cmd_send, CMD_CONFIG, "[--dry-run]",
     "send (or resume) the current issue; no collecting"},
    {"status", cmd_status, CMD_CONFIG, "[--json]",
     "last issue, next slot, articles waiting, sources' health"},
    {"subscribers", cmd_subscribers, CMD_CONFIG,
     "add|remove|unsubscribe|resubscribe|list|import|export|check|token ...",
     "manage the subscriber list file"},
};
const size_t cmd_count = ARRAY_SIZE(cmd_table);

static const char global_usage[] =
    "usage: arctic-digest [-c FILE] [-v | -q] [--now TIME] COMMAND [ARGS]\n";

static void
print_help(FILE *f)
{
    size_t i;

    fputs(global_usage, f);
    fputs("\nBuilds and mails a weekly digest of new articles on Arctic "
          "geopolitics,\nsecurity and governance.\n\nOptions:\n"
          "  -c, --config FILE  configuration file (default: "
          "./arctic-digest.conf,\n"
          "                     else the bundled example)\n"
          "  -v, --verbose      more messages (debug)\n"
          "  -q, --quiet        errors only\n"
          "      --now TIME     fix the clock (RFC 3339), for tests and "
          "backfills\n"
          "  -h, --help         this help\n"
          "      --version      print the version\n\nCommands:\n",
          f);
    for (i = 0; i < cmd_count; i++)
        fprintf(f, "  %-9s %s\n", cmd_table[i].name, cmd_table[i].summary);
    fputs("\nRun 'arctic-digest help COMMAND' for a command's arguments.\n"
          "Exit status: 0 done, 64 usage, 65 bad data, 66 missing input, "
          "69 service\nunavailable, 73 cannot create output, 74 I/O error, "
          "75 try again later,\n78 bad configuration.\n",
          f);
}

int
cmd_help(int argc, char **argv, struct app *app)
{
    size_t i;

    (void)app;
    if (argc < 2) {
        print_help(stdout);
        return 0;
    }
    for (i = 0; i < cmd_count; i++) {
        if (!strcmp(argv[1], cmd_table[i].name)) {
            printf("usage: arctic-digest %s %s\n\n%s\n", cmd_table[i].name,
                   cmd_table[i].usage, cmd_table[i].summary);
            return 0;
        }
    }
    fprintf(stderr,
            "arctic-digest: unknown command '%s'; try 'arctic-digest help'\n",
            argv[1]);
    return 64;
}

static const struct cmd *
find_cmd(const char *name)
{
    size_t i;

    for (i = 0; i < cmd_count; i++)
        if (!strcmp(name, cmd_table[i].name))
            return &cmd_table[i];
    return NULL;
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"now", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    struct app app;
    struct err e = ERR_INIT;
    const struct cmd *cmd;
    int c, rc;

    memset(&app, 0, sizeof(app));
    /* "+": stop at the command name; its options are its own. */
    while ((c = getopt_long(argc, argv, "+c:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            app.config_arg = optarg;
            break;
        case 'v':
            log_set_level(LOG_LEVEL_DEBUG);
            break;
        case 'q':
            log_set_level(LOG_LEVEL_ERROR);
            break;
        case 'N':
            app.now_arg = optarg;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        case 'V':
            printf("arctic-digest %s\n", AD_VERSION);
            return 0;
        default:
            fputs("arctic-digest: try 'arctic-digest --help'\n", stderr);
            return 64;
        }
    }
    if (optind >= argc) {
        fputs(global_usage, stderr);
        fputs("arctic-digest: no command given; try 'arctic-digest help'\n",
              stderr);
        return 64;
    }
    cmd = find_cmd(argv[optind]);
    if (!cmd) {
        fprintf(stderr,
                "arctic-digest: unknown command '%s'; try 'arctic-digest "
                "help'\n",
                argv[optind]);
        return 64;
    }
    if ((cmd->needs & CMD_CONFIG) && cmd_setup(&app, &e) < 0) {
        rc = cmd_fail(&e);
        if (app.have_cfg)
            config_release(&app.cfg);
        return rc;
    }
    /* Each command parses its own options from a fresh getopt state. */
    argc -= optind;
    argv += optind;
    optind = 0;
    rc = cmd->run(argc, argv, &app);
    if (app.have_rules)
        rel_rules_release(&app.rules);
    if (app.have_cfg)
        config_release(&app.cfg);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        log_error("cannot write to standard output");
        if (rc == 0)
            rc = 74;
    }
    return rc;
}

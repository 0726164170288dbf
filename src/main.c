/*
 * main: global options, the command table and the exit code.
 *
 * To add a command: write src/cmd_<name>.c with
 * "int cmd_<name>(struct app *app, int argc, char **argv)" that reads its
 * options with cmd_flag()/cmd_arg(), its positional arguments from
 * argv[1..], calls the library and returns a sysexits code; declare it in
 * src/cmd.h; add a row to cmd_table below (sorted by name) with its
 * options, argument counts, help and needs (cli.c satisfies them: config,
 * lock, state, secrets); add an integration test in tests/integration/,
 * an entry in docs/arctic-digest.1 and a row in README.md's table, with
 * the same options (tests/integration/test_docs.py compares them with
 * what 'help' prints; it also compares the exit codes below).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/util.h"
#include "cmd.h"

#define STATE_WRITER (CMD_CONFIG | CMD_LOCK | CMD_STORE)
#define DRY_RUN_OPT                                                           \
    {"dry-run", 'n', NULL,                                                    \
     "build and compose everything, send and record nothing, create no "     \
     "file",                                                                  \
     CMD_OPT_DRY_RUN}

static const struct cmd_opt archive_opts[] = {
    {"rebuild", 0, NULL, "render every issue again, even those up to date",
     0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt bounces_opts[] = {
    {"dry-run", 'n', NULL,
     "read and log what would be done; change and flag nothing",
     CMD_OPT_DRY_RUN},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt cite_opts[] = {
    {"style", 's', "S", "chicago (default), apa or mla", 0},
    {"markup", 'm', "M", "text (default), markdown or html", 0},
    {"format", 'f', "F", "citation (default), kind, bibtex or ris", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt cron_opts[] = {
    {"crontab", 0, NULL, "print only the crontab line", 0},
    {"systemd", 0, NULL, "print only the systemd service and timer", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt none[] = {{NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt parse_opts[] = {
    {"feed", 0, NULL, "print the feed's own fields first, as {\"feed\": ...}",
     0},
    {"content-type", 0, "TYPE",
     "treat FILE as served with this Content-Type (charset)", 0},
    {"base-url", 0, "URL", "resolve relative links against URL", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt preview_opts[] = {
    {"output", 'o', "DIR",
     "write digest.eml, digest.html and digest.txt into DIR (default: "
     "preview)",
     0},
    {"to", 't', "ADDR",
     "the message ADDR (\"Name <addr>\" or addr) would get: their name, "
     "topics and format from the list; default: the sender, every article",
     0},
    {"open", 0, NULL,
     "show digest.html in the desktop's browser (without a display: say "
     "how to view it)",
     0},
    {"offline", 0, NULL, "use the articles stored; fetch nothing", 0},
    {"explain", 'x', NULL, "log why each article is in or out", 0},
    {"diff", 0, NULL,
     "print the articles added (+) and dropped (-) since the last preview "
     "--diff of this issue into DIR (digest.list)",
     0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt render_opts[] = {
    {"offline", 0, NULL,
     "without DATA.json: the sample issue from the articles stored; fetch "
     "nothing",
     0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt run_opts[] = {
    {"if-due", 'd', NULL,
     "build and send a new issue only when the schedule says one is due",
     0},
    DRY_RUN_OPT,
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt send_opts[] = {DRY_RUN_OPT,
                                           {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt status_opts[] = {
    {"json", 'j', NULL, "print one JSON object instead of text", 0},
    {"check", 0, NULL,
     "one line for monitoring (OK, WARNING, CRITICAL); exit 0, 1, 2 (3: "
     "cannot tell)",
     0},
    {NULL, 0, NULL, NULL, 0}};

static const struct cmd_opt add_opts[] = {
    {"name", 0, "N", "the subscriber's name, for the greeting", 0},
    {"tags", 0, "a,b", "tags; those naming a [topic] choose articles", 0},
    {"format", 0, "html|text", "the message format (default html)", 0},
    {"force", 0, NULL, "add an unsubscribed or bounced address again", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt unsub_opts[] = {
    {"token", 0, "TOKEN|-",
     "unsubscribe the address a token names (\"-\": read it from stdin)", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt subscribe_opts[] = {
    {"name", 0, "N", "the subscriber's name, for the greeting", 0},
    {"tags", 0, "a,b", "tags; those naming a [topic] choose articles", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt confirm_opts[] = {
    {"token", 0, "TOKEN|-",
     "the token of the confirmation link (\"-\": read it from stdin)", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt show_opts[] = {
    {"status", 0, "S", "only active, unsubscribed, bounced or pending", 0},
    {"tag", 0, "T", "only those tagged T", 0},
    {"format", 0, "plain|csv|json", "how to print (default plain)", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt export_opts[] = {
    {"status", 0, "S", "only active, unsubscribed, bounced or pending", 0},
    {"tag", 0, "T", "only those tagged T", 0},
    {NULL, 0, NULL, NULL, 0}};
static const struct cmd_opt import_opts[] = {
    {"map", 0, "FIELD=COLUMN;...",
     "which column holds email, name, status, tags (repeatable)",
     CMD_OPT_REPEAT},
    {"dry-run", 'n', NULL, "report what would change; write nothing", 0},
    {NULL, 0, NULL, NULL, 0}};

static const struct cmd subscribers_table[] = {
    {"add", cmd_subscribers_add, 0, add_opts, "ADDR...", 1, 9999, "add subscribers", NULL, NULL, 0},
    {"check", cmd_subscribers_check, 0, NULL, "", 0, 0,
     "report bad addresses, duplicates and unknown values (exit 65)", NULL, NULL, 0},
    {"confirm", cmd_subscribers_confirm, 0, confirm_opts, "", 0, 0,
     "make a pending sign-up active with the token its mail carried",
     "Exit 65 for a forged, altered or expired token, or an address with "
     "no\npending sign-up (an expired one is dropped).", NULL, 0},
    {"export", cmd_subscribers_show, 0, export_opts, "", 0, 0,
     "print the list as RFC 4180 CSV (list --format csv)", NULL, NULL, 0},
    {"import", cmd_subscribers_import, 0, import_opts, "FILE.csv", 1, 1,
     "merge a CSV export (Mailchimp, listmonk, ...) into the list", NULL, NULL, 0},
    {"list", cmd_subscribers_show, 0, show_opts, "", 0, 0, "print the list", NULL, NULL, 0},
    {"remove", cmd_subscribers_change, 0, NULL, "ADDR...", 1, 9999,
     "delete subscribers from the file (unsubscribe keeps a record)", NULL, NULL, 0},
    {"resubscribe", cmd_subscribers_change, 0, NULL, "ADDR...", 1, 9999,
     "make unsubscribed or bounced subscribers active again", NULL, NULL, 0},
    {"subscribe", cmd_subscribers_subscribe, CMD_SMTP, subscribe_opts, "ADDR",
     1, 1, "sign up an address: pending until it confirms by mail",
     "Records ADDR as pending and mails it a link to [digest] subscribe_url "
     "with a\nsigned token that works for [digest] confirm_days (default 7); "
     "'subscribers\nconfirm' (or examples/subscribe.cgi) makes it active.  "
     "A pending address gets\nno digest.  At most one confirmation a day "
     "per address (exit 75); an active\naddress is left as it is, an "
     "unsubscribed or bounced one refused (exit 65).\nPending sign-ups "
     "whose link has expired are dropped here and by each 'run'.",
     NULL, 0},
    {"token", cmd_subscribers_token, 0, NULL, "ADDR", 1, 1,
     "print the unsubscribe token of an address", NULL, NULL, 0},
    {"unsubscribe", cmd_subscribers_change, 0, unsub_opts, "ADDR...", 0, 9999,
     "mark subscribers unsubscribed (kept as a suppression)", NULL, NULL,
     0},
};

const struct cmd cmd_table[] = {
    {"archive", cmd_archive, STATE_WRITER, archive_opts, "", 0, 0,
     "bring the web archive and Atom feed of the sent issues up to date",
     "Writes issue-NNNN.html, .bib and .ris for each sent issue whose page "
     "is\nmissing or stale (the templates, the program, [digest] title, "
     "contact,\ncitation_style or the time zone changed, or one of its "
     "articles), and\nindex.html and feed.xml, into [paths] archive; send "
     "and run do it after\neach issue.  What each page was made from is "
     "kept in the state, so it\nwrites the state: run it as the state's "
     "owner (exit 73 when it cannot).", NULL, 0},
    {"bounces", cmd_bounces, STATE_WRITER, bounces_opts, "", 0, 0,
     "read the bounce mailbox: fail bounced deliveries, act on complaints",
     "New messages of [bounces] maildir and imap (imaps://, certificate "
     "verified)\nare read once each.  A permanent failure fails the "
     "delivery its VERP token\n(or its recipient) names, and three issues "
     "in a row mark the subscriber\nbounced; a complaint (ARF) unsubscribes "
     "at once; delay notices and\nauto-replies change nothing.  'run' does "
     "this first when a mailbox is set.", NULL, 0},
    {"cite", cmd_cite, 0, cite_opts, "RECORDS.json", 1, 1,
     "print citations, kinds, BibTeX or RIS of JSON article records",
     "RECORDS.json holds one article record or an array of them, with the "
     "fields\n'parse' prints.", NULL, 0},
    {"collect", cmd_collect, STATE_WRITER, none, "", 0, 0,
     "fetch every source, store new articles, report each source",
     "Exit 69 when every source failed; one failing source is reported and "
     "the\nothers are stored.  Items with a DOI are completed from Crossref "
     "where the\nsource says enrich = crossref, each DOI asked for once.\n"
     "Waits for nobody: exit 75 while another run holds the lock.", NULL, 0},
    {"cron", cmd_cron, CMD_CONFIG, cron_opts, "", 0, 0,
     "print the crontab line and systemd units for the schedule", NULL, NULL, 0},
    {"help", cmd_help, 0, none, "[COMMAND [SUBCOMMAND]]", 0, 2,
     "show the commands, or one command's options",
     "'help COMMAND' prints what 'COMMAND --help' prints; 'help subscribers "
     "add'\nwhat 'subscribers add --help' prints.", NULL, 0},
    {"parse", cmd_parse, CMD_CONFIG, parse_opts, "FILE|URL", 1, 1,
     "print the articles one feed yields, one JSON object a line", NULL, NULL, 0},
    {"preview", cmd_preview, CMD_CONFIG | CMD_SNAPSHOT, preview_opts, "", 0,
     0,
     "build the next issue without sending or recording it; write "
     "digest.eml, .html, .txt",
     "The message is composed exactly as 'send' composes it for ADDR at the "
     "same\n--now.  Nothing is written but the output folder: collected "
     "articles are\nkept in memory only.", NULL, 0},
    {"render", cmd_render, CMD_CONFIG | CMD_SNAPSHOT, render_opts,
     "TEMPLATE [DATA.json]", 1, 2,
     "render one Mustache template with JSON data (or the sample issue)",
     "Without DATA.json the data is the issue 'preview' would build.  "
     "Nothing is\nrecorded.", NULL, 0},
    {"run", cmd_run, STATE_WRITER | CMD_SECRET | CMD_SMTP, run_opts, "", 0, 0,
     "what cron calls: finish, collect, build and send the next issue",
     "An unfinished issue goes out first, as it was frozen; then every "
     "source is\ncollected; then the next issue is built and sent (with "
     "--if-due only when\nits scheduled slot has come).", NULL, 0},
    {"send", cmd_send, STATE_WRITER | CMD_SECRET | CMD_SMTP, send_opts, "", 0,
     0, "send (or resume) the current issue; no collecting",
     "Exit 0 when every message was handed over, 75 when some are deferred "
     "(run\nagain).", NULL, 0},
    {"status", cmd_status, CMD_CONFIG | CMD_READ, status_opts, "", 0, 0,
     "last issue, next slot, articles waiting, sources' health", NULL, NULL, 0},
    {"subscribers", NULL, CMD_CONFIG | CMD_SUBCOMMANDS, none,
     "add|remove|unsubscribe|resubscribe|list|import|export|check|token|"
     "subscribe|confirm ...",
     1, 99, "manage the subscriber list file",
     "Run 'arctic-digest subscribers COMMAND --help' for one command's "
     "options.",
     subscribers_table, ARRAY_SIZE(subscribers_table)},
};
const size_t cmd_count = ARRAY_SIZE(cmd_table);

/*
 * The exit codes (sysexits.h; err_exit_code() maps errors to them), as
 * 'help' prints them.  README.md and docs/arctic-digest.1 list the same
 * codes (tests/integration/test_docs.py compares).
 */
static const struct {
    int code;
    const char *meaning;
} exit_codes[] = {
    {0, "done"},
    {64, "usage"},
    {65, "bad input data"},
    {66, "missing input"},
    {69, "service unavailable"},
    {70, "internal error"},
    {73, "cannot create output"},
    {74, "I/O error"},
    {75, "temporary failure (run again)"},
    {76, "protocol error"},
    {78, "bad configuration"},
};

/* "Exit status: 0 done, 64 usage, ..." wrapped at 72 columns. */
static void
print_exit_codes(FILE *f)
{
    struct buf b = BUF_INIT, item = BUF_INIT;
    size_t i, col;

    buf_append_str(&b, "Exit status:");
    col = b.len;
    for (i = 0; i < ARRAY_SIZE(exit_codes); i++) {
        buf_reset(&item);
        buf_appendf(&item, "%d %s%s", exit_codes[i].code,
                    exit_codes[i].meaning,
                    i + 1 < ARRAY_SIZE(exit_codes) ? "," : ".");
        if (col + 1 + item.len > 72) {
            buf_append_char(&b, '\n');
            col = 0;
        } else {
            buf_append_char(&b, ' ');
            col++;
        }
        buf_append(&b, item.data, item.len);
        col += item.len;
    }
    buf_append_char(&b, '\n');
    fwrite(b.data, 1, b.len, f);
    buf_release(&item);
    buf_release(&b);
}

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
          "  -q, --quiet        warnings and errors only\n"
          "      --now TIME     fix the clock (RFC 3339), for tests and "
          "backfills\n"
          "  -h, --help         this help\n"
          "      --version      the version, the libraries' versions and the\n"
          "                     folder of the bundled data\n\nCommands:\n",
          f);
    for (i = 0; i < cmd_count; i++)
        fprintf(f, "  %-11s %s\n", cmd_table[i].name, cmd_table[i].summary);
    fputs("\nRun 'arctic-digest help COMMAND' for a command's options.\n\n",
          f);
    print_exit_codes(f);
}

int
cmd_help(struct app *app, int argc, char **argv)
{
    const struct cmd *cmd;
    char prefix[32];

    (void)app;
    if (argc < 2) {
        print_help(stdout);
        return 0;
    }
    cmd = cmd_find(cmd_table, cmd_count, argv[1]);
    if (!cmd) {
        log_error("unknown command '%s'; try 'arctic-digest help'", argv[1]);
        return 64;
    }
    if (argc > 2) {
        const struct cmd *sub = cmd_find(cmd->subs, cmd->nsubs, argv[2]);
        if (!sub) {
            log_error("unknown %s command '%s'; try 'arctic-digest help %s'",
                      cmd->name, argv[2], cmd->name);
            return 64;
        }
        if (snprintf(prefix, sizeof(prefix), "%s ", cmd->name) >=
            (int)sizeof(prefix))
            prefix[0] = '\0';
        cmd_print_help(stdout, prefix, sub);
        return 0;
    }
    cmd_print_help(stdout, "", cmd);
    return 0;
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
    const struct cmd *cmd;
    int c, rc;

    memset(&app, 0, sizeof(app));
    app.lock = -1;
    buf_init(&app.smtp_password);
    for (c = 0; c < CMD_MAX_OPTS; c++)
        buf_init(&app.optjoin[c]);
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
            log_set_level(LOG_LEVEL_WARN);
            break;
        case 'N':
            app.now_arg = optarg;
            break;
        case 'h':
            print_help(stdout);
            return 0;
        case 'V':
            cmd_version(stdout);
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
    cmd = cmd_find(cmd_table, cmd_count, argv[optind]);
    if (!cmd) {
        fprintf(stderr,
                "arctic-digest: unknown command '%s'; try 'arctic-digest "
                "help'\n",
                argv[optind]);
        return 64;
    }
    rc = cmd_dispatch(&app, cmd, argc - optind, argv + optind);
    cmd_release(&app);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        log_error("cannot write to standard output");
        if (rc == 0)
            rc = 74;
    }
    return rc;
}

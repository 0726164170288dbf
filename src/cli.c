/*
 * cli: the machinery behind main's command table (see cmd.h): option
 * parsing and help made from each row, and the needs satisfied once for
 * every command.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arctic_digest/archive.h"
#include "arctic_digest/bounce.h"
#include "arctic_digest/compose.h"
#include "arctic_digest/feed.h"
#include "arctic_digest/fetch.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/render.h"
#include "arctic_digest/fsutil.h"
#include "arctic_digest/log.h"
#include "arctic_digest/schedule.h"
#include "arctic_digest/store.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"

#ifndef AD_DATA_DIR
#define AD_DATA_DIR "/usr/local/share/arctic-digest"
#endif

int
cmd_fail(const struct err *e)
{
    log_error("%s", e->msg[0] ? e->msg : "failed");
    return err_exit_code(e->code);
}

/* "-o, --output DIR" (help) or "-o|--output DIR" (usage) of option o. */
static void
opt_text(const struct cmd_opt *o, const char *sep, struct buf *out)
{
    if (o->key)
        buf_appendf(out, "-%c%s", o->key, sep);
    buf_appendf(out, "--%s%s%s", o->name, o->arg ? " " : "",
                o->arg ? o->arg : "");
}

/* "[-o|--output DIR] [--to ADDR] ARGS" of row cmd. */
static void
usage_line(const char *prefix, const struct cmd *cmd, struct buf *out)
{
    const struct cmd_opt *o;

    buf_appendf(out, "usage: arctic-digest %s%s", prefix, cmd->name);
    for (o = cmd->opts; o && o->name; o++) {
        buf_append_str(out, " [");
        opt_text(o, "|", out);
        buf_append_char(out, ']');
    }
    if (cmd->args && *cmd->args)
        buf_appendf(out, " %s", cmd->args);
    buf_append_char(out, '\n');
}

/* "  add          add subscribers" for each subcommand of cmd. */
static void
list_subcommands(const struct cmd *cmd, struct buf *out)
{
    size_t i;

    for (i = 0; i < cmd->nsubs; i++)
        buf_appendf(out, "  %-12s %s\n", cmd->subs[i].name,
                    cmd->subs[i].summary);
}

/* text after indent columns, wrapped at words to end before column 80;
 * the first line continues what is already on the line. */
static void
wrap(const char *text, int indent, struct buf *out)
{
    const char *p = text;
    int col = indent;

    while (*p) {
        size_t n = strcspn(p, " ");
        if (col > indent && col + 1 + (int)n > 79) {
            buf_appendf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            buf_append_char(out, ' ');
            col++;
        }
        buf_append(out, p, n);
        col += (int)n;
        p += n;
        while (*p == ' ')
            p++;
    }
}

void
cmd_print_help(FILE *f, const char *prefix, const struct cmd *cmd)
{
    const struct cmd_opt *o;
    struct buf b = BUF_INIT, left = BUF_INIT;
    int width = 10;

    for (o = cmd->opts; o && o->name; o++) {
        buf_reset(&left);
        opt_text(o, ", ", &left);
        if ((int)left.len + (o->key ? 0 : 4) > width)
            width = (int)left.len + (o->key ? 0 : 4);
    }
    usage_line(prefix, cmd, &b);
    buf_appendf(&b, "\n%s.\n", cmd->summary);
    if (cmd->text)
        buf_appendf(&b, "\n%s\n", cmd->text);
    buf_append_str(&b, "\nOptions:\n");
    for (o = cmd->opts; o && o->name; o++) {
        buf_reset(&left);
        buf_append_str(&left, o->key ? "" : "    ");
        opt_text(o, ", ", &left);
        buf_appendf(&b, "  %-*s  ", width, left.data);
        wrap(o->help, width + 4, &b);
        buf_append_char(&b, '\n');
    }
    buf_appendf(&b, "  %-*s  %s\n", width, "-h, --help", "show this help");
    if (cmd->nsubs) {
        buf_append_str(&b, "\nCommands:\n");
        list_subcommands(cmd, &b);
    }
    fwrite(b.data, 1, b.len, f);
    buf_release(&b);
    buf_release(&left);
}

int
cmd_usage(const struct app *app)
{
    struct buf b = BUF_INIT;

    if (app->cmd) {
        usage_line(app->prefix, app->cmd, &b);
        fwrite(b.data, 1, b.len, stderr);
    }
    fprintf(stderr, "arctic-digest: try 'arctic-digest %s%s --help'\n",
            app->prefix, app->cmd ? app->cmd->name : "");
    buf_release(&b);
    return 64;
}

const struct cmd *
cmd_find(const struct cmd *table, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!strcmp(name, table[i].name))
            return &table[i];
    return NULL;
}

static int
opt_index(const struct app *app, const char *name)
{
    const struct cmd_opt *o;

    for (o = app->cmd->opts; o && o->name; o++)
        if (!strcmp(o->name, name))
            return (int)(o - app->cmd->opts);
    log_error("internal: no option --%s", name);
    abort();
}

bool
cmd_flag(const struct app *app, const char *name)
{
    return app->optset[opt_index(app, name)];
}

const char *
cmd_arg(const struct app *app, const char *name)
{
    return app->optval[opt_index(app, name)];
}

/* Parse argv by row cmd into app: 0, 1 for --help (printed), or 64. */
static int
parse_options(struct app *app, const struct cmd *cmd, int argc, char **argv)
{
    struct option lo[CMD_MAX_OPTS + 2];
    struct buf shorts = BUF_INIT;
    size_t n = 0, i;
    int c, rc = 0;

    buf_append_char(&shorts, ':');
    for (; cmd->opts && cmd->opts[n].name; n++) {
        assert(n < CMD_MAX_OPTS); /* a row of main.c's tables */
        const struct cmd_opt *o = &cmd->opts[n];
        lo[n] = (struct option){o->name, o->arg ? required_argument
                                                : no_argument,
                                NULL, 256 + (int)n};
        if (o->key)
            buf_appendf(&shorts, "%c%s", o->key, o->arg ? ":" : "");
    }
    lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    lo[n + 1] = (struct option){NULL, 0, NULL, 0};
    buf_append_char(&shorts, 'h');
    optind = 0;
    opterr = 0;
    while (rc == 0 &&
           (c = getopt_long(argc, argv, shorts.data, lo, NULL)) != -1) {
        for (i = 0; i < n && c < 256; i++)
            if (cmd->opts[i].key == c)
                c = 256 + (int)i;
        if (c == 'h') {
            rc = 1;
        } else if (c >= 256 && (cmd->opts[c - 256].flags & CMD_OPT_REPEAT)) {
            struct buf *b = &app->optjoin[c - 256];
            if (b->len)
                buf_append_char(b, ';');
            buf_append_str(b, optarg);
            app->optset[c - 256] = true;
            app->optval[c - 256] = b->data;
        } else if (c >= 256) {
            app->optset[c - 256] = true;
            app->optval[c - 256] = optarg;
        } else {
            log_error("%s: %s '%s'", cmd->name,
                      c == ':' ? "option needs an argument" : "unknown option",
                      argv[optind - 1]);
            rc = 64;
        }
    }
    buf_release(&shorts);
    return rc;
}

/*
 * With no configuration at all, the bundled example is read, but what the
 * tool writes (state, outbox, archive, the unsubscribe secret) goes to the
 * working folder, not into the source tree.
 */
static void
use_working_folder(struct config *c)
{
    static const struct {
        size_t off;
        const char *name;
    } paths[] = {
        {offsetof(struct config, state), "arctic-digest.db"},
        {offsetof(struct config, outbox), "outbox"},
        {offsetof(struct config, archive), "archive"},
        {offsetof(struct config, unsubscribe_secret_file), "unsubscribe.key"},
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(paths); i++) {
        char **p = (char **)((char *)c + paths[i].off);
        xstrset(p, paths[i].name);
    }
}

static bool
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder this program runs from (symbolic links resolved), into
 * out; false if unknown. */
static bool
exe_dir(struct buf *out)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0)
        return false;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return false;
    /* A program in / has "/" as its folder, never "". */
    buf_append(out, exe, slash == exe ? 1 : (size_t)(slash - exe));
    return true;
}

/*
 * The folder of the bundled templates, example and list.  The program in
 * its build tree uses the source tree, so a test never reads an installed
 * copy; an installed one uses the data folder it was built for, then
 * ../share/arctic-digest beside its own folder (a relocated install), then
 * the source tree when that still exists.  When none exists, the data
 * folder, so that the error names where the files belong.
 */
static void
data_dir(struct buf *out)
{
    struct buf exe = BUF_INIT, cand = BUF_INIT;
    bool have_exe = exe_dir(&exe);

#ifdef AD_SOURCE_DIR
    char build[PATH_MAX];

    /* /proc/self/exe is resolved; a build folder reached through a
     * symbolic link must be too. */
    if (have_exe && realpath(AD_BUILD_DIR, build) &&
        !strcmp(exe.data, build)) {
        buf_append_str(out, AD_SOURCE_DIR);
        goto out;
    }
#endif
    if (is_dir(AD_DATA_DIR "/templates")) {
        buf_append_str(out, AD_DATA_DIR);
        goto out;
    }
    if (have_exe) {
        buf_appendf(&cand, "%s/../share/arctic-digest", exe.data);
        if (is_dir(cand.data)) {
            buf_append_str(out, cand.data);
            goto out;
        }
    }
#ifdef AD_SOURCE_DIR
    if (is_dir(AD_SOURCE_DIR "/templates")) {
        buf_append_str(out, AD_SOURCE_DIR);
        goto out;
    }
#endif
    buf_append_str(out, AD_DATA_DIR);
out:
    buf_release(&cand);
    buf_release(&exe);
}

/* [paths] templates when given, else templates/ beside the
 * configuration, else the bundled ones. */
static void
find_templates(struct config *c, const char *data)
{
    struct buf b = BUF_INIT;

    if (c->templates)
        return;
    buf_appendf(&b, "%s/templates", c->dir);
    if (!is_dir(b.data)) {
        buf_reset(&b);
        buf_appendf(&b, "%s/templates", data);
    }
    c->templates = buf_detach(&b, NULL);
    log_debug("templates: '%s'", c->templates);
}

void
cmd_version(FILE *f)
{
    struct buf data = BUF_INIT;

    data_dir(&data);
    fprintf(f, "arctic-digest %s\n%s\n%s\n%s\n%s\n%s\ndata: %s\n",
            AD_VERSION, fetch_lib_version(), feed_lib_version(),
            render_lib_version(), store_lib_version(), mime_lib_version(),
            data.data);
    buf_release(&data);
}

static int64_t
real_clock(void)
{
    return (int64_t)time(NULL);
}

/* The configuration (-c FILE, ./arctic-digest.conf, or the bundled
 * example) and the clock (--now, [digest] clock, or the real one). */
static int
setup_config(struct app *app, struct err *e)
{
    const char *path = app->config_arg;
    struct sched_zone z = SCHED_ZONE_INIT;
    struct buf data = BUF_INIT, example = BUF_INIT;
    bool bundled = false;
    struct stat st;
    int rc;

    data_dir(&data);
    if (!path && stat("arctic-digest.conf", &st) == 0) {
        path = "arctic-digest.conf";
    } else if (!path) {
        bundled = true;
        buf_appendf(&example, "%s/examples/arctic-digest.conf", data.data);
        path = example.data;
        log_debug("no configuration given: using the bundled example '%s'",
                  path);
    }
    rc = config_load(&app->cfg, path, e);
    if (rc == 0)
        find_templates(&app->cfg, data.data);
    buf_release(&data);
    if (rc < 0) {
        buf_release(&example);
        return -1;
    }
    app->have_cfg = true;
    app->ctx.cfg = &app->cfg;
    if (bundled)
        use_working_folder(&app->cfg);
    /* From here on the messages name app->cfg.path, not example. */
    path = app->cfg.path;
    buf_release(&example);
    if (compose_check_config(&app->cfg, e) < 0)
        return -1;
    log_use(!strcmp(app->cfg.log, "syslog")     ? LOG_SINK_SYSLOG
            : !strcmp(app->cfg.log, "journald") ? LOG_SINK_JOURNALD
                                                : LOG_SINK_STDERR);
    if (app->now_arg) {
        if (dt_parse(app->now_arg, strlen(app->now_arg), &app->ctx.now) <
                0 ||
            app->ctx.now.prec < DT_PREC_DAY)
            return err_set(e, ERR_USAGE, 0,
                           "--now: not an RFC 3339 time: '%s'",
                           app->now_arg);
    } else if (app->cfg.clock) {
        if (dt_parse(app->cfg.clock, strlen(app->cfg.clock), &app->ctx.now) <
            0)
            return err_set(e, ERR_CONFIG, 0,
                           "%s: [digest] clock: not an RFC 3339 time: '%s'",
                           path, app->cfg.clock);
    } else {
        app->ctx.clock = real_clock;
        app->ctx.now = dt_from_time(real_clock(), 0);
    }
    /* Dates shown and Date headers are in the configured zone. */
    if (sched_zone_load(&z, app->cfg.timezone, NULL, e) < 0)
        return -1;
    app->ctx.now.offset = sched_zone_offset(&z, app->ctx.now.t);
    sched_zone_release(&z);
    return 0;
}

/* The pid written in the lock file fd, -1 when it holds none. */
static long
held_by(int fd)
{
    char held[32] = "";
    ssize_t n = pread(fd, held, sizeof(held) - 1, 0);
    long pid;

    held[n > 0 ? n : 0] = '\0';
    pid = strtol(held, NULL, 10);
    return pid > 0 ? pid : -1;
}

/* The one-run-at-a-time lock beside the state file: ERR_TEMP when held. */
static int
take_lock(struct app *app, struct err *e)
{
    struct buf path = BUF_INIT, pid = BUF_INIT;
    long holder;
    int f, rc = -1;

    buf_appendf(&path, "%s.lock", app->cfg.state);
    f = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
        err_set(e, ERR_CANTCREAT, errno,
                "cannot write state '%s': its lock '%s': "
                "%s; " STORE_NOT_WRITABLE_HINT,
                app->cfg.state, path.data, strerror(errno));
        goto out;
    }
    if (f < 0) {
        err_set(e, ERR_CANTCREAT, errno, "cannot open lock '%s': %s",
                path.data, strerror(errno));
        goto out;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        holder = held_by(f);
        buf_reset(&pid);
        if (holder > 0)
            buf_appendf(&pid, "%ld", holder);
        err_set(e, ERR_TEMP, 0,
                "another run (pid %s) holds the lock '%s'; try again later",
                holder > 0 ? pid.data : "?", path.data);
        close(f);
        goto out;
    }
    /* The kernel releases flock when we die: a stale file never blocks. */
    buf_appendf(&pid, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) == 0 && pwrite(f, pid.data, pid.len, 0) < 0)
        log_debug("cannot write the pid into '%s'", path.data);
    app->lock = f;
    rc = 0;
out:
    buf_release(&pid);
    buf_release(&path);
    return rc;
}

long
cmd_lock_holder(const struct app *app)
{
    struct buf path = BUF_INIT;
    long pid = 0;
    int fd;

    buf_appendf(&path, "%s.lock", app->cfg.state);
    fd = open(path.data, O_RDONLY | O_CLOEXEC);
    buf_release(&path);
    if (fd < 0)
        return 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        pid = held_by(fd);
    close(fd);
    return pid;
}

/* 32 random bytes from the kernel as hex, into a new file (0600).  The
 * run lock is held, so no other run writes it meanwhile. */
static int
make_secret(const char *path, struct err *e)
{
    unsigned char raw[32];
    struct buf hex = BUF_INIT;
    FILE *r = fopen("/dev/urandom", "rb");
    size_t i;
    int rc;

    if (!r || fread(raw, 1, sizeof(raw), r) != sizeof(raw)) {
        if (r)
            fclose(r);
        return err_set(e, ERR_IO, errno, "cannot read /dev/urandom");
    }
    fclose(r);
    for (i = 0; i < sizeof(raw); i++)
        buf_appendf(&hex, "%02x", raw[i]);
    buf_append_char(&hex, '\n');
    rc = fs_write_atomic(path, hex.data, hex.len, 0600, e);
    if (rc == 0)
        log_info("created the unsubscribe secret '%s'", path);
    memset(raw, 0, sizeof(raw));
    memset(hex.data, 0, hex.len);
    buf_release(&hex);
    return rc;
}

static int
ensure_secret(struct app *app, struct err *e)
{
    const char *path = app->cfg.unsubscribe_secret_file;
    struct stat st;

    /* Unsubscribe tokens and VERP tokens are signed with it. */
    if ((!app->cfg.unsubscribe_url && !app->cfg.bounces_verp) || !path)
        return 0;
    if (stat(path, &st) != 0 && errno == ENOENT)
        return make_secret(path, e);
    return 0;
}

/* A password from the environment variable env or from file (which, as
 * the unsubscribe secret, must not be readable by group or others), for
 * the config section named; neither set: none. */
static int
read_password_of(const char *section, const char *env, const char *file,
                 struct buf *out, struct err *e)
{
    struct buf what = BUF_INIT;
    int rc = 0;

    if (env) {
        const char *v = getenv(env);
        if (!v || !*v)
            return err_set(e, ERR_CONFIG, 0,
                           "[%s] password_env: the environment variable "
                           "'%s' is not set",
                           section, env);
        buf_append_str(out, v);
    } else if (file) {
        buf_appendf(&what, "[%s] password_file", section);
        rc = subs_read_secret(file, what.data, out, e);
        buf_release(&what);
    }
    return rc;
}

/* The SMTP password: [smtp] password_env or password_file. */
static int
read_password(struct app *app, struct err *e)
{
    const struct config *c = &app->cfg;

    if (!c->smtp_url)
        return 0;
    return read_password_of("smtp", c->smtp_password_env,
                            c->smtp_password_file, &app->smtp_password, e);
}

/* Satisfy needs, in the order of enum cmd_needs. */
static int
satisfy(struct app *app, unsigned needs, struct err *e)
{
    if ((needs & CMD_CONFIG) && setup_config(app, e) < 0)
        return -1;
    if ((needs & CMD_LOCK) && take_lock(app, e) < 0)
        return -1;
    if ((needs & CMD_STORE) &&
        store_open(app->cfg.state, &app->ctx.st, e) < 0)
        return -1;
    if ((needs & CMD_SNAPSHOT) &&
        store_open_snapshot(app->cfg.state, &app->ctx.st, e) < 0)
        return -1;
    if ((needs & CMD_READ) &&
        store_open_reader(app->cfg.state, &app->ctx.st, e) < 0)
        return -1;
    if ((needs & CMD_SMTP) && read_password(app, e) < 0)
        return -1;
    if ((needs & CMD_SECRET) && ensure_secret(app, e) < 0)
        return -1;
    return 0;
}

/* Whether the running command was given its dry-run option. */
static bool
dry_run_given(const struct app *app, const struct cmd *cmd)
{
    size_t i;

    for (i = 0; cmd->opts && cmd->opts[i].name; i++)
        if ((cmd->opts[i].flags & CMD_OPT_DRY_RUN) && app->optset[i])
            return true;
    return false;
}

/* A dry run takes no lock, creates no secret and reads a snapshot. */
static unsigned
needs_of(const struct cmd *cmd, bool dry_run)
{
    unsigned needs = cmd->needs;

    if (!dry_run)
        return needs;
    needs &= ~(unsigned)(CMD_LOCK | CMD_SECRET);
    if (needs & CMD_STORE)
        needs = (needs & ~(unsigned)CMD_STORE) | CMD_SNAPSHOT;
    return needs;
}

void
cmd_release(struct app *app)
{
    size_t i;

    for (i = 0; i < CMD_MAX_OPTS; i++)
        buf_release(&app->optjoin[i]);
    store_close(app->ctx.st);
    app->ctx.st = NULL;
    if (app->lock >= 0)
        close(app->lock);
    app->lock = -1;
    memset(app->smtp_password.data, 0, app->smtp_password.len);
    buf_release(&app->smtp_password);
    if (app->have_cfg)
        config_release(&app->cfg);
    app->have_cfg = false;
}

/* Row cmd's needs, then the row of its table that argv[1] names. */
static int
run_subcommand(struct app *app, const struct cmd *cmd, int argc, char **argv)
{
    const struct cmd *sub =
        argc > 1 ? cmd_find(cmd->subs, cmd->nsubs, argv[1]) : NULL;
    struct buf list = BUF_INIT;

    if (!sub) {
        if (argc > 1)
            log_error("unknown %s command '%s'", cmd->name, argv[1]);
        else
            log_error("%s: no command given", cmd->name);
        buf_append_str(&list, "commands:\n");
        list_subcommands(cmd, &list);
        fwrite(list.data, 1, list.len, stderr);
        buf_release(&list);
        return 64;
    }
    /* The row's own needs are satisfied with the subcommand's, after its
     * options are read: 'subscribers add --help' needs no configuration. */
    app->parent_needs = cmd->needs & ~(unsigned)CMD_SUBCOMMANDS;
    if (snprintf(app->prefix, sizeof(app->prefix), "%s ", cmd->name) >=
        (int)sizeof(app->prefix))
        app->prefix[0] = '\0';
    return cmd_dispatch(app, sub, argc - 1, argv + 1);
}

int
cmd_dispatch(struct app *app, const struct cmd *cmd, int argc, char **argv)
{
    struct err e = ERR_INIT;
    unsigned needs;
    int rc, nargs, i;

    app->cmd = cmd;
    for (i = 0; i < CMD_MAX_OPTS; i++)
        buf_reset(&app->optjoin[i]);
    memset(app->optset, 0, sizeof(app->optset));
    memset(app->optval, 0, sizeof(app->optval));
    if ((cmd->needs & CMD_SUBCOMMANDS) && argc > 1 &&
        strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)
        return run_subcommand(app, cmd, argc, argv);
    rc = parse_options(app, cmd, argc, argv);
    if (rc == 1) {
        cmd_print_help(stdout, app->prefix, cmd);
        return 0;
    }
    if (rc)
        return cmd_usage(app);
    if (cmd->needs & CMD_SUBCOMMANDS)
        return run_subcommand(app, cmd, argc, argv);
    nargs = argc - optind;
    if (nargs < cmd->min_args || nargs > cmd->max_args) {
        log_error("%s: %s", cmd->name,
                  nargs < cmd->min_args ? "missing argument"
                                        : "too many arguments");
        return cmd_usage(app);
    }
    /* run() sees its positional arguments as argv[1..]. */
    argv[optind - 1] = argv[0];
    argv += optind - 1;
    argc = nargs + 1;
    app->ctx.dry_run = dry_run_given(app, cmd);
    needs = needs_of(cmd, app->ctx.dry_run) | app->parent_needs;
    if (satisfy(app, needs, &e) < 0)
        return cmd_fail(&e);
    return cmd->run(app, argc, argv);
}

char *
cmd_now_text(const struct app *app)
{
    struct buf b = BUF_INIT;

    dt_format_rfc3339(&app->ctx.now, &b);
    return buf_detach(&b, NULL);
}

int
cmd_token_secret(const struct app *app, const char *what, struct buf *secret)
{
    struct err e = ERR_INIT;

    if (!app->cfg.unsubscribe_secret_file) {
        log_error("%s tokens need [digest] unsubscribe_secret_file in the "
                  "configuration",
                  what);
        return 78;
    }
    if (subs_read_secret(app->cfg.unsubscribe_secret_file,
                         "unsubscribe secret", secret, &e) < 0)
        return cmd_fail(&e);
    return 0;
}

void
cmd_secret_wipe(struct buf *secret)
{
    if (secret->data != NULL)
        memset(secret->data, 0, secret->len);
    buf_release(secret);
}

void
cmd_token_arg(const char *arg, struct buf *token)
{
    int ch;

    if (strcmp(arg, "-") != 0) {
        buf_append_str(token, arg);
        return;
    }
    while ((ch = getchar()) != EOF && ch != '\n' && token->len < 4096)
        buf_append_char(token, (char)ch);
}

void
cmd_progress(void *ctx, const struct deliver_stats *st)
{
    (void)ctx;
    if (!isatty(STDERR_FILENO) || log_get_level() < LOG_LEVEL_INFO)
        return;
    fprintf(stderr,
            "\rarctic-digest: sending: %zu of %zu sent, %zu deferred, %zu "
            "failed ",
            st->sent, st->total, st->deferred, st->failed);
}

/* End the progress line cmd_progress drew on a terminal. */
static void
end_progress(const struct deliver_stats *st)
{
    if (isatty(STDERR_FILENO) && st->total &&
        log_get_level() >= LOG_LEVEL_INFO)
        fputc('\n', stderr);
}

int
cmd_send_result(const struct app *app, int rc, int number,
                const struct deliver_stats *st, const struct err *e)
{
    struct err ae = ERR_INIT;

    end_progress(st);
    if (rc < 0)
        return cmd_fail(e);
    if (rc == 0)
        return 0;
    if (app->ctx.dry_run) {
        log_info("dry run: issue %d would go to %zu subscriber%s; nothing "
                 "was sent or recorded",
                 number, st->total, st->total == 1 ? "" : "s");
        return 0;
    }
    if (st->deferred || st->failed)
        log_warn("issue %d: %zu sent, %zu deferred, %zu failed of %zu",
                 number, st->sent, st->deferred, st->failed, st->total);
    else
        log_info("issue %d: %zu sent", number, st->sent);
    /* The issue is on the web once it has gone out; the mail is sent
     * whatever happens here, so a failure is reported, and 'archive'
     * writes it again. */
    if (archive_write(&app->ctx, 0, NULL, &ae) < 0) {
        log_error("the issue was sent, but the archive was not written "
                  "(run 'arctic-digest archive'): %s", ae.msg);
        return err_exit_code(ae.code);
    }
    return st->deferred ? 75 : 0;
}

/* The IMAP password: [bounces] password_env or password_file. */
static int
imap_password(const struct config *c, struct buf *out, struct err *e)
{
    if (!c->bounces_imap)
        return 0;
    return read_password_of("bounces", c->bounces_password_env,
                            c->bounces_password_file, out, e);
}

int
cmd_collect_bounces(struct app *app, bool in_run)
{
    const struct config *c = &app->cfg;
    struct bounce_report r;
    struct buf password = BUF_INIT;
    struct err e = ERR_INIT;
    int rc;

    if (!c->bounces_maildir && !c->bounces_imap)
        return 0;
    rc = imap_password(c, &password, &e);
    if (rc == 0)
        rc = bounce_collect(&app->ctx, password.data, &r, &e);
    if (password.len)
        memset(password.data, 0, password.len);
    buf_release(&password);
    /* A mailbox that cannot be read never holds back a run's digest: a
     * warning (cron mails it), and the bounces wait for the next run. */
    if (rc < 0 && in_run) {
        log_warn("bounces not read, the run goes on: %s", e.msg);
        return 0;
    }
    if (rc < 0)
        return cmd_fail(&e);
    if (r.forged)
        log_warn("bounces: %zu with a VERP token this list did not make "
                 "(forged, or another list's): ignored",
                 r.forged);
    if (r.messages)
        log_info("bounces: %zu message%s: %zu deliver%s failed, %zu "
                 "delayed, %zu complaint%s, %zu not bounces, %zu naming "
                 "nobody of ours; %zu marked bounced, %zu unsubscribed",
                 r.messages, r.messages == 1 ? "" : "s", r.failed,
                 r.failed == 1 ? "y" : "ies", r.delayed, r.complaints,
                 r.complaints == 1 ? "" : "s", r.not_bounces, r.unknown,
                 r.marked_bounced, r.unsubscribed);
    return 0;
}

void
cmd_subs_problem(void *ctx, const struct subs_problem *p)
{
    const char *file = ctx;

    if (p->warning)
        log_warn("%s:%zu: %s", file, p->line, p->msg);
    else
        log_error("%s:%zu: %s", file, p->line, p->msg);
}

void
cmd_subs_problems(const char *file, const struct subs_problems *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        cmd_subs_problem((void *)file, &p->v[i]);
}

int
cmd_retry_deferred(struct app *app, bool *deferred)
{
    struct deliver_stats st;
    struct err e = ERR_INIT;
    int rc = deliver_retry(&app->ctx, app->smtp_password.data, cmd_progress,
                           &st, &e);

    end_progress(&st);
    if (rc < 0)
        return cmd_fail(&e);
    if (rc == 0 || app->ctx.dry_run)
        return 0;
    if (st.deferred)
        log_warn("deferred deliveries of earlier issues: %zu sent, %zu "
                 "still deferred, %zu failed",
                 st.sent, st.deferred, st.failed);
    else
        log_info("deferred deliveries of earlier issues: %zu sent, %zu "
                 "failed",
                 st.sent, st.failed);
    *deferred = *deferred || st.deferred > 0;
    return 0;
}

/*
 * cron: print the crontab line and the systemd service and timer that run
 * 'run --if-due -q' every hour with this configuration.  The units are the
 * ones the Debian package installs (debian/arctic-digest.service and
 * .timer, built into the program as units.h), with this program and
 * configuration on the ExecStart line.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "cmd.h"
#include "units.h"

/* This program's absolute path, for the lines it prints. */
static void
self_path(const char *argv0, struct buf *out)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

    if (n > 0) {
        buf_append(out, path, (size_t)n);
        return;
    }
    buf_append_str(out, argv0);
}

/* Quote s for a POSIX shell (and for systemd's ExecStart). */
static void
shell_quote(const char *s, struct buf *out)
{
    if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789/._-+:@,=")] == '\0') {
        buf_append_str(out, s);
        return;
    }
    buf_append_char(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            buf_append_str(out, "'\\''");
        else
            buf_append_char(out, *s);
    }
    buf_append_char(out, '\'');
}

/* The packaged service with exec_start as its command. */
static void
print_service(const char *exec_start)
{
    const char *unit = ad_arctic_digest_service;
    const char *p = strstr(unit, "\nExecStart=");
    const char *end;

    if (!p) {
        fputs(unit, stdout);
        return;
    }
    p += 1;
    end = strchr(p, '\n');
    fwrite(unit, 1, (size_t)(p - unit), stdout);
    printf("ExecStart=%s", exec_start);
    fputs(end ? end : "\n", stdout);
}

int
cmd_cron(struct app *app, int argc, char **argv)
{
    const struct config *c = &app->cfg;
    struct buf cmd = BUF_INIT, exe = BUF_INIT;
    bool crontab = !cmd_flag(app, "systemd") || cmd_flag(app, "crontab");
    bool systemd = !cmd_flag(app, "crontab") || cmd_flag(app, "systemd");

    (void)argc;
    self_path(argv[0], &exe);
    shell_quote(exe.data, &cmd);
    if (c->path) {
        /* The config's folder is absolute already; cron's is not ours. */
        const char *base = strrchr(c->path, '/');
        struct buf abs = BUF_INIT;
        buf_appendf(&abs, "%s/%s", c->dir, base ? base + 1 : c->path);
        buf_append_str(&cmd, " -c ");
        shell_quote(abs.data, &cmd);
        buf_release(&abs);
    }
    buf_append_str(&cmd, " run --if-due -q");
    if (crontab) {
        printf("# arctic-digest: every hour; an issue goes out when the "
               "schedule\n# '%s' (%s) says one is due, late rather than "
               "never.\n",
               c->schedule, c->timezone);
        /* cron runs commands through sh, where % ends the command. */
        printf("0 * * * * %s\n", cmd.data);
    }
    if (crontab && systemd)
        putchar('\n');
    if (systemd) {
        fputs("# /etc/systemd/system/arctic-digest.service\n", stdout);
        print_service(cmd.data);
        fputs("\n# /etc/systemd/system/arctic-digest.timer\n", stdout);
        fputs(ad_arctic_digest_timer, stdout);
    }
    buf_release(&cmd);
    buf_release(&exe);
    return 0;
}

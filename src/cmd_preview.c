/*
 * preview: the next issue as 'send' would compose it for one address,
 * without sending or recording anything (the state is a snapshot).
 */
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arctic_digest/collect.h"
#include "arctic_digest/compose.h"
#include "arctic_digest/fsutil.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/log.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/util.h"
#include "cmd.h"

extern char **environ;

#define PLACEHOLDER_SECRET "no unsubscribe secret yet: preview only"

/* Hand digest.html to the desktop's browser when there is a display;
 * else, or when that fails, say how to view it.  Never an error. */
static void
open_in_browser(const char *dir)
{
    struct buf path = BUF_INIT;
    char *argv[] = {"xdg-open", NULL, NULL};
    char cwd[PATH_MAX];
    pid_t pid;
    int status;
    bool shown = false;

    /* file:// wants an absolute path */
    if (dir[0] != '/' && getcwd(cwd, sizeof(cwd)))
        buf_appendf(&path, "%s/", cwd);
    buf_appendf(&path, "%s/digest.html", dir);
    argv[1] = path.data;
    if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
        log_info("no display to open it on (DISPLAY and WAYLAND_DISPLAY are "
                 "not set)");
    else if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
        log_warn("cannot run xdg-open to show '%s'", argv[1]);
    else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
             WEXITSTATUS(status) != 0)
        log_warn("xdg-open could not show '%s'", argv[1]);
    else
        shown = true;
    if (!shown)
        log_info("to view it, open file://%s in a browser, or serve the "
                 "folder with 'python3 -m http.server -d %s' and open "
                 "http://localhost:8000/digest.html",
                 argv[1], dir);
    buf_release(&path);
}

/* preview --diff: print what changed since the list in dir, keep the new
 * one there. */
static int
diff_with_last(const char *dir, const struct issue_draft *d, struct err *e)
{
    struct buf path = BUF_INIT, old = BUF_INIT, out = BUF_INIT;
    size_t added, dropped;
    int rc;

    buf_appendf(&path, "%s/digest.list", dir);
    if (buf_read_file(&old, path.data, 0, NULL) < 0)
        buf_reset(&old); /* none yet: everything is added */
    issue_draft_diff(old.data, old.len, d, &out, &added, &dropped);
    fwrite(out.data, 1, out.len, stdout);
    log_info("diff: %zu added, %zu dropped since the last preview --diff of "
             "issue %d in %s",
             added, dropped, d->number, dir);
    buf_reset(&out);
    issue_draft_list(d, &out);
    rc = fs_write_atomic(path.data, out.data, out.len, 0644, e);
    buf_release(&path);
    buf_release(&old);
    buf_release(&out);
    return rc;
}

static int
write_outputs(const char *dir, const struct buf *eml,
              const struct compose_parts *p, struct err *e)
{
    struct buf path = BUF_INIT;
    const struct {
        const char *name;
        const struct buf *b;
    } files[] = {{"digest.eml", eml},
                 {"digest.html", &p->html},
                 {"digest.txt", &p->text}};
    size_t i;
    int rc = 0;

    if (fs_mkdirs(dir, e) < 0)
        return -1;
    for (i = 0; i < ARRAY_SIZE(files) && rc == 0; i++) {
        buf_reset(&path);
        buf_appendf(&path, "%s/%s", dir, files[i].name);
        rc = fs_write_atomic(path.data, files[i].b->data, files[i].b->len,
                             0644, e);
    }
    buf_release(&path);
    return rc;
}

/* Compose d's message for "to" (NULL: the sender, greeting nobody). */
static int
compose_for(struct app *app, const struct issue_draft *d, const char *to,
            struct buf *eml, struct compose_parts *parts, struct err *e)
{
    struct compose_issue ci = {d->number, d->start.t, d->end.t,
                               d->articles.v, d->articles.n};
    struct composer *cp = NULL;
    struct compose_recipient r;
    struct subs_list subs;
    struct buf secret = BUF_INIT;
    char *name = NULL, *addr = NULL;
    int rc = -1;

    subs_list_init(&subs);
    if (compose_split_mailbox(to ? to : app->cfg.from, &name, &addr, e) <
        0) {
        err_prefix(e, "%s", to ? "--to" : "[digest] from");
        e->code = to ? ERR_USAGE : ERR_CONFIG;
        goto out;
    }
    if (to && subs_load_one(&subs, app->cfg.subscribers, addr, e) < 0 &&
        e->code != ERR_NOINPUT)
        goto out;
    if (compose_read_secret(&app->ctx, &secret, e) < 0)
        goto out;
    /* The first send creates the secret; until then the preview shows
     * the link with a token made from a placeholder, which no real
     * secret verifies. */
    if (!secret.len && app->cfg.unsubscribe_url) {
        buf_append_str(&secret, PLACEHOLDER_SECRET);
        log_info("no unsubscribe secret yet ('%s' is made by the first "
                 "send): the preview's unsubscribe token is a placeholder",
                 app->cfg.unsubscribe_secret_file);
    }
    if (compose_new(&app->ctx, &ci, secret.data, secret.len, &cp, e) < 0)
        goto out;
    compose_recipient_of(to ? subs_find(&subs, addr) : NULL, addr,
                         to ? name : NULL, &r);
    rc = compose_message(cp, &r, eml, parts, e);
out:
    compose_free(cp);
    subs_list_release(&subs);
    buf_release(&secret);
    free(name);
    free(addr);
    return rc;
}

int
cmd_preview(struct app *app, int argc, char **argv)
{
    const char *dir = cmd_arg(app, "output") ? cmd_arg(app, "output")
                                             : "preview";
    struct collect_report rep = COLLECT_REPORT_INIT;
    struct compose_parts parts = COMPOSE_PARTS_INIT;
    struct issue_draft d = {0};
    struct buf eml = BUF_INIT, period = BUF_INIT;
    struct err e = ERR_INIT;
    int rc = 0;

    (void)argc;
    (void)argv;
    app->ctx.explain = cmd_flag(app, "explain");
    /* Collect first (into the snapshot), so the preview shows what the
     * next send would. */
    if (!cmd_flag(app, "offline")) {
        if (collect_sources(&app->ctx, &rep, &e) < 0)
            goto fail;
        collect_report_log(&rep);
    }
    if (issue_select(&app->ctx, app->ctx.now.t, &d, &e) < 0 ||
        compose_for(app, &d, cmd_arg(app, "to"), &eml, &parts, &e) < 0 ||
        write_outputs(dir, &eml, &parts, &e) < 0)
        goto fail;
    dt_format_long(&d.start, &period);
    buf_append_str(&period, " to ");
    dt_format_long(&d.end, &period);
    log_info("preview: issue %d, %zu of %zu article%s (%s), written to "
             "%s/digest.eml, digest.html and digest.txt",
             d.number, parts.narticles, d.articles.n,
             d.articles.n == 1 ? "" : "s", period.data, dir);
    if (rep.failed)
        log_warn("%zu source%s could not be read (see above)", rep.failed,
                 rep.failed == 1 ? "" : "s");
    if (cmd_flag(app, "diff") && diff_with_last(dir, &d, &e) < 0)
        goto fail;
    if (cmd_flag(app, "open"))
        open_in_browser(dir);
    goto out;
fail:
    rc = cmd_fail(&e);
out:
    collect_report_release(&rep);
    compose_parts_release(&parts);
    issue_draft_release(&d);
    buf_release(&eml);
    buf_release(&period);
    return rc;
}

/* preview: build the next issue without sending or recording it. */
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/log.h"
#include "arctic_digest/mime.h"
#include "arctic_digest/render.h"
#include "arctic_digest/util.h"
#include "cmd.h"

extern char **environ;

static const char usage[] =
    "preview [-o DIR] [--to ADDR] [--open] [--offline] [--explain]";

/* Hand digest.html to the desktop's browser; a failure is only a warning. */
static void
open_in_browser(const char *path)
{
    char *argv[] = {"xdg-open", (char *)path, NULL};
    pid_t pid;
    int status;

    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0) {
        log_warn("cannot run xdg-open to show '%s'", path);
        return;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        log_warn("xdg-open could not show '%s'", path);
}

/*
 * List-Unsubscribe (RFC 2369): a mailto to the sender and, when configured,
 * the https page (RFC 8058 one-click).  Per-subscriber tokens come with
 * delivery.
 */
static void
list_unsubscribe(const struct config *c, const char *from_addr,
                 struct buf *out)
{
    buf_appendf(out, "<mailto:%s?subject=unsubscribe>",
                c->reply_to ? c->reply_to : from_addr);
    if (c->unsubscribe_url)
        buf_appendf(out, ", <%s>", c->unsubscribe_url);
}

static int
write_outputs(const char *dir, const struct buf *eml,
              const struct render_output *r, struct err *e)
{
    struct buf path = BUF_INIT;
    const struct {
        const char *name;
        const struct buf *b;
    } files[] = {{"digest.eml", eml}, {"digest.html", &r->html},
                 {"digest.txt", &r->text}};
    size_t i;
    int rc = 0;

    if (cmd_mkdirs(dir, e) < 0)
        return -1;
    for (i = 0; i < ARRAY_SIZE(files) && rc == 0; i++) {
        buf_reset(&path);
        buf_appendf(&path, "%s/%s", dir, files[i].name);
        rc = cmd_write_file(path.data, files[i].b->data, files[i].b->len, e);
    }
    buf_release(&path);
    return rc;
}

int
cmd_preview(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"to", required_argument, NULL, 't'},
        {"open", no_argument, NULL, 'O'},
        {"offline", no_argument, NULL, 'F'},
        {"explain", no_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const struct config *c = &app->cfg;
    const char *dir = "preview", *to = NULL;
    bool open = false, offline = false;
    struct err e = ERR_INIT;
    struct issue_draft d;
    struct render_templates t = {c->templates};
    struct render_issue is;
    struct render_output r;
    struct mime_message m;
    struct buf eml = BUF_INIT, msgid = BUF_INIT, seed = BUF_INIT;
    struct buf uniq = BUF_INIT, period = BUF_INIT, unsub = BUF_INIT;
    struct buf bib = BUF_INIT, ris = BUF_INIT;
    struct mime_attachment att[2];
    char *from_name = NULL, *from_addr = NULL, *to_name = NULL,
         *to_addr = NULL;
    int opt, rc = 0;

    while ((opt = getopt_long(argc, argv, "o:t:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            dir = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'O':
            open = true;
            break;
        case 'F':
            offline = true;
            break;
        case 'x':
            app->explain = true;
            break;
        case 'h':
            printf("usage: arctic-digest %s\n", usage);
            return 0;
        default:
            return cmd_usage(usage);
        }
    }
    if (optind != argc)
        return cmd_usage(usage);

    render_output_init(&r);
    memset(&d, 0, sizeof(d));
    if (cmd_split_mailbox(c->from, &from_name, &from_addr, &e) < 0) {
        err_prefix(&e, "[digest] from");
        goto fail;
    }
    /* Without --to the preview goes to the sender, greeting nobody. */
    if (cmd_split_mailbox(to ? to : c->from, &to_name, &to_addr, &e) < 0) {
        err_prefix(&e, "--to");
        if (to)
            e.code = ERR_USAGE;
        goto fail;
    }
    if (!to) {
        free(to_name);
        to_name = NULL;
    }
    /* Collect first, so the preview shows what the next send would. */
    if (cmd_draft_issue(app, !offline, &d, &e) < 0)
        goto fail;

    cmd_render_issue_of(app, &d, &is);
    is.to_name = to_name;
    is.to_addr = to_addr;
    if (render_issue(&t, &is, &r, &e) < 0)
        goto fail;

    /* Message-ID and boundaries follow from issue and subscriber, so the
     * same input always gives the same bytes. */
    buf_appendf(&uniq, "issue-%d.%s", d.number, to_addr);
    mime_message_id(uniq.data, from_addr, &msgid);
    buf_appendf(&seed, "%s.%lld", uniq.data, (long long)app->now.t);
    memset(&m, 0, sizeof(m));
    m.from_name = from_name;
    m.from_addr = from_addr;
    m.to_name = to_name;
    m.to_addr = to_addr;
    m.reply_to = c->reply_to;
    m.subject = r.subject.data;
    m.date = app->now;
    m.message_id = msgid.data;
    m.list_id = c->list_id;
    list_unsubscribe(c, from_addr, &unsub);
    m.list_unsubscribe = unsub.data;
    if (c->unsubscribe_url)
        m.list_unsubscribe_post = "List-Unsubscribe=One-Click";
    m.text = r.text.data;
    m.text_len = r.text.len;
    m.html = r.html.data;
    m.html_len = r.html.len;
    m.boundary_seed = seed.data;
    /* citations.bib and citations.ris make the message multipart/mixed. */
    if (c->attach_citations) {
        cite_bibtex(d.articles.v, d.articles.n, &bib);
        cite_ris(d.articles.v, d.articles.n, &ris);
        att[0] = (struct mime_attachment){"citations.bib",
                                          "application/x-bibtex", bib.data,
                                          bib.len};
        att[1] = (struct mime_attachment){
            "citations.ris", "application/x-research-info-systems", ris.data,
            ris.len};
        m.attachments = att;
        m.nattachments = ARRAY_SIZE(att);
    }
    if (mime_build(&m, &eml, &e) < 0 || write_outputs(dir, &eml, &r, &e) < 0)
        goto fail;

    dt_format_long(&d.start, &period);
    buf_append_str(&period, " to ");
    dt_format_long(&d.end, &period);
    log_info("preview: issue %d, %zu article%s (%s), written to "
             "%s/digest.eml, digest.html and digest.txt",
             d.number, d.articles.n, d.articles.n == 1 ? "" : "s",
             period.data, dir);
    if (d.failed_sources)
        log_warn("%zu source%s could not be read (see above)",
                 d.failed_sources, d.failed_sources == 1 ? "" : "s");
    if (open) {
        buf_reset(&period);
        buf_appendf(&period, "%s/digest.html", dir);
        open_in_browser(period.data);
    }
    goto out;
fail:
    rc = cmd_fail(&e);
out:
    free(from_name);
    free(from_addr);
    free(to_name);
    free(to_addr);
    issue_draft_release(&d);
    render_output_release(&r);
    buf_release(&eml);
    buf_release(&msgid);
    buf_release(&seed);
    buf_release(&uniq);
    buf_release(&period);
    buf_release(&unsub);
    buf_release(&bib);
    buf_release(&ris);
    return rc;
}

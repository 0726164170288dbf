/* render: one template with JSON data, or with the sample issue. */
#include <stdio.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/collect.h"
#include "arctic_digest/compose.h"
#include "arctic_digest/issue.h"
#include "arctic_digest/render.h"
#include "arctic_digest/template.h"
#include "cmd.h"

/* The data the digest templates see for the issue preview would build
 * (collected into the snapshot unless --offline). */
static int
sample_data(struct app *app, struct tpl_value **out, struct err *e)
{
    struct collect_report rep = COLLECT_REPORT_INIT;
    struct issue_draft d = {0};
    struct composer *cp = NULL;
    int rc = -1;

    if (!cmd_flag(app, "offline")) {
        if (collect_sources(&app->ctx, &rep, e) < 0)
            goto out;
        collect_report_log(&rep);
    }
    if (issue_select(&app->ctx, app->ctx.now.t, &d, e) == 0) {
        struct compose_issue ci = {d.number, d.start.t, d.end.t,
                                   d.articles.v, d.articles.n};
        if (compose_new(&app->ctx, &ci, "", 0, &cp, e) == 0) {
            *out = compose_template_data(cp);
            rc = 0;
        }
    }
out:
    compose_free(cp);
    issue_draft_release(&d);
    collect_report_release(&rep);
    return rc;
}

int
cmd_render(struct app *app, int argc, char **argv)
{
    struct err e = ERR_INIT;
    struct tpl_value *data = NULL;
    struct buf json = BUF_INIT, out = BUF_INIT;
    int rc = 0;

    if (argc == 3) {
        if (buf_read_file(&json, argv[2], 0, &e) < 0 ||
            tpl_value_from_json(json.data, json.len, &data, &e) < 0) {
            err_prefix(&e, "data '%s'", argv[2]);
            goto fail;
        }
    } else if (sample_data(app, &data, &e) < 0) {
        goto fail;
    }
    if (render_template_file(argv[1], data, &out, &e) < 0)
        goto fail;
    fwrite(out.data, 1, out.len, stdout);
    goto done;
fail:
    rc = cmd_fail(&e);
done:
    tpl_value_free(data);
    buf_release(&json);
    buf_release(&out);
    return rc;
}

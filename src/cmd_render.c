/* render: one template with JSON data, or with the sample issue. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/citation.h"
#include "arctic_digest/render.h"
#include "arctic_digest/template.h"
#include "cmd.h"

static const char usage[] = "render TEMPLATE [DATA.json]";

/* The data the digest templates see for the issue preview would build. */
static int
sample_data(struct app *app, struct tpl_value **out, struct err *e)
{
    struct issue_draft d;
    struct render_issue is;

    if (cmd_draft_issue(app, true, &d, e) < 0)
        return -1;
    cmd_render_issue_of(app, &d, &is);
    *out = render_issue_value(&is);
    issue_draft_release(&d);
    return 0;
}

int
cmd_render(int argc, char **argv, struct app *app)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct err e = ERR_INIT;
    struct tpl_value *data = NULL;
    struct buf json = BUF_INIT, out = BUF_INIT;
    int opt, rc = 0;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: arctic-digest %s\n", usage);
            return 0;
        }
        return cmd_usage(usage);
    }
    if (argc - optind < 1 || argc - optind > 2)
        return cmd_usage(usage);
    if (argc - optind == 2) {
        if (buf_read_file(&json, argv[optind + 1], 0, &e) < 0 ||
            tpl_value_from_json(json.data, json.len, &data, &e) < 0) {
            err_prefix(&e, "data '%s'", argv[optind + 1]);
            goto fail;
        }
    } else if (sample_data(app, &data, &e) < 0) {
        goto fail;
    }
    if (render_template_file(argv[optind], data, &out, &e) < 0)
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

/* libFuzzer target: a Mustache template (first part) rendered with JSON
 * data (after the first NUL byte), in every escaping target. */
#include <stdint.h>
#include <string.h>

#include "arctic_digest/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
partial(void *ctx, const char *name, struct buf *out)
{
    (void)ctx;
    if (!strcmp(name, "self"))
        buf_append_str(out, "{{#x}}{{>self}}{{/x}}");
    else if (!strcmp(name, "p"))
        buf_append_str(out, "  {{a.b}}\n{{{c}}}\n");
    else
        return -1;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nul = memchr(p, '\0', size);
    size_t tn = nul ? (size_t)(nul - p) : size;
    struct tpl_value *v = NULL;
    struct tpl_options opt = {"fuzz", TPL_ESCAPE_HTML, partial, NULL, NULL, NULL};
    struct buf out = BUF_INIT;
    int esc;

    if (nul)
        tpl_value_from_json(nul + 1, size - tn - 1, &v, NULL);
    for (esc = TPL_ESCAPE_NONE; esc <= TPL_ESCAPE_HEADER; esc++) {
        opt.escape = (enum tpl_escape)esc;
        buf_reset(&out);
        tpl_render(p, tn, v, &opt, &out, NULL);
    }
    if (v) {
        buf_reset(&out);
        tpl_value_to_json(v, &out);
    }
    buf_release(&out);
    tpl_value_free(v);
    return 0;
}

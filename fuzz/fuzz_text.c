/* libFuzzer target: the text converters and the markdown renderers. */
#include <stdint.h>
#include <stdlib.h>

#include "arctic_digest/render.h"
#include "arctic_digest/text.h"
#include "arctic_digest/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    struct buf out = BUF_INIT, md = BUF_INIT;

    text_html_to_plain(p, size, &out);
    if (!u8_valid(out.data, out.len))
        abort();
    buf_reset(&out);
    text_decode_entities(p, size, &out);
    buf_reset(&out);
    text_one_line(p, size, &out);
    text_escape_markdown(out.data, out.len, &md);
    buf_reset(&out);
    render_markdown_to_text(p, size, 40, &out, NULL);
    buf_reset(&out);
    render_markdown_to_html(p, size, &out, NULL);
    buf_release(&out);
    buf_release(&md);
    return 0;
}

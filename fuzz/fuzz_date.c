/* libFuzzer target: dt_parse() and formatting what it accepts. */
#include <stdint.h>

#include "arctic_digest/datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dt d;
    struct buf out = BUF_INIT;

    if (dt_parse((const char *)data, size, &d) == 0) {
        dt_format_rfc3339(&d, &out);
        dt_format_rfc5322(&d, &out);
        dt_format_long(&d, &out);
    }
    buf_release(&out);
    return 0;
}

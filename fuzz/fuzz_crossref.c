/* libFuzzer target: crossref_parse() on arbitrary bytes. */
#include <stdint.h>

#include "arctic_digest/crossref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crossref_page p = CROSSREF_PAGE_INIT;
    struct err e = ERR_INIT;

    if (crossref_parse((const char *)data, size, "fuzz", &p, &e) == 0)
        crossref_page_release(&p);
    return 0;
}

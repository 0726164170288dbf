/* libFuzzer target: feed_parse() on arbitrary bytes. */
#include <stdint.h>

#include "arctic_digest/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct feed f = FEED_INIT;
    struct err e = ERR_INIT;

    if (feed_parse(&f, (const char *)data, size, "fuzz",
                   "https://example.org/feed/", NULL, &e) == 0)
        feed_release(&f);
    return 0;
}

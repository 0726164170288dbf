/* libFuzzer target: bounce_parse() and verp_token_parse() on arbitrary
 * bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/bounce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bounce b;
    struct err e = ERR_INIT;
    struct verp_token t;
    char *s;

    if (bounce_parse((const char *)data, size, &b, &e) == 0)
        bounce_free(&b);
    s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    (void)verp_token_parse(s, &t);
    free(s);
    return 0;
}

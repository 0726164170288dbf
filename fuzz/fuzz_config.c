/*
 * libFuzzer target: config_load() on arbitrary bytes.  config_load reads a
 * path, so each input goes to a fresh file under /tmp, removed at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arctic_digest/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ad-fuzz-config-XXXXXX";
    struct config c;
    struct err e = ERR_INIT;
    int fd = mkstemp(path);
    FILE *f;

    if (fd < 0)
        abort();
    f = fdopen(fd, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    if (config_load(&c, path, &e) == 0)
        config_release(&c);
    unlink(path);
    return 0;
}

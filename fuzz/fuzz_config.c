/*
 * libFuzzer target: config_load() on arbitrary bytes.  config_load reads a
 * path, so each input goes to a fresh file under /tmp, removed at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arctic_digest/config.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ad-fuzz-config-XXXXXX";
    struct config c;
    struct err e = ERR_INIT;

    fuzz_write_file(path, data, size);
    if (config_load(&c, path, &e) == 0)
        config_release(&c);
    unlink(path);
    return 0;
}

/*
 * For targets whose parser reads a path (config_load, the state file):
 * the input in a fresh file under /tmp.  path is a mkstemp template,
 * filled in; the caller unlinks it.  Any failure aborts: it is the
 * harness's, not the input's.
 */
#ifndef ARCTIC_DIGEST_FUZZ_FILE_H
#define ARCTIC_DIGEST_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
fuzz_write_file(char *path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(path);
    FILE *f;

    if (fd < 0)
        abort();
    f = fdopen(fd, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

#endif

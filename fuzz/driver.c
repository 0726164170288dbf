/*
 * Runs a libFuzzer target over files without libFuzzer, so that ctest can
 * replay the seed corpus under gcc and the sanitizers.  Each argument is a
 * file or a folder (read recursively).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long count;

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t n = 0, cap = 0, got;

    if (!f) {
        perror(path);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            data = realloc(data, cap);
            if (!data)
                abort();
        }
        got = fread(data + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    count++;
    return 0;
}

static int
run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char sub[4096];
        if (de->d_name[0] == '.')
            continue;
        if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
            (int)sizeof(sub))
            continue;
        rc |= run_path(sub);
    }
    closedir(d);
    return rc;
}

int
main(int argc, char **argv)
{
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "skipping missing corpus '%s'\n", argv[i]);
            continue;
        }
        rc |= run_path(argv[i]);
    }
    printf("%lu inputs replayed\n", count);
    if (count == 0) {
        /* A replay of nothing would pass while testing nothing. */
        fputs("no input replayed: the seed corpus is missing or empty\n",
              stderr);
        return 1;
    }
    return rc;
}

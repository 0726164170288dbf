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

/* AD_REQUIRE_ORACLES (set by .ci/run): a missing corpus fails the test. */
static int
oracles_required(void)
{
    const char *v = getenv("AD_REQUIRE_ORACLES");

    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/*
 * Exit 0 when every corpus replayed at least one input; 1 when one could
 * not be read, when a corpus that exists replayed nothing, or when one is
 * missing under AD_REQUIRE_ORACLES; else 77 (ctest's skip) when one is
 * missing, so that a partial replay never shows as "Passed".
 */
int
main(int argc, char **argv)
{
    int i, rc = 0, missing = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        unsigned long before = count;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s corpus '%s': missing\n",
                    oracles_required() ? "FAIL:" : "skip:", argv[i]);
            missing++;
            continue;
        }
        rc |= run_path(argv[i]);
        if (count == before) {
            /* A replay of nothing would pass while testing nothing. */
            fprintf(stderr, "FAIL: corpus '%s' replayed no input\n",
                    argv[i]);
            rc = 1;
        }
    }
    printf("%lu inputs replayed\n", count);
    if (count == 0) {
        fputs("FAIL: no input replayed: the seed corpus is missing or "
              "empty\n",
              stderr);
        return 1;
    }
    if (rc != 0)
        return 1;
    if (missing != 0)
        return oracles_required() ? 1 : 77;
    return 0;
}

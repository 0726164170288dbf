/*
 * feed_bench: parse every feed file named on the command line with
 * feed_parse(), in this process, and print "SECONDS BYTES FILES ARTICLES
 * REFUSED" on stdout.  Every file is read into memory before the clock
 * starts, so only parsing is timed (as bench/feed_parse.py times
 * feedparser.parse() on bytes).  Built and run by bench/feed_parse.py.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/err.h"
#include "arctic_digest/feed.h"
#include "arctic_digest/util.h"

static int
read_all(const char *path, struct buf *out)
{
    char chunk[65536];
    size_t n;
    FILE *fp = fopen(path, "rb");

    if (fp == NULL)
        return -1;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        buf_append(out, chunk, n);
    fclose(fp);
    return 0;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    struct buf *data = xcalloc((size_t)argc, sizeof(*data));
    struct feed f = FEED_INIT;
    size_t bytes = 0, articles = 0, refused = 0;
    double t0, t1;
    int i;

    for (i = 1; i < argc; i++) {
        if (read_all(argv[i], &data[i]) < 0) {
            fprintf(stderr, "feed_bench: cannot read %s\n", argv[i]);
            return 66;
        }
        bytes += data[i].len;
    }
    t0 = now();
    /* One struct feed for all, reset between files, as collect does. */
    for (i = 1; i < argc; i++) {
        struct err e = ERR_INIT;

        if (feed_parse(&f, data[i].data, data[i].len, NULL, NULL, NULL, &e) <
            0)
            refused++;
        articles += f.n;
        feed_reset(&f);
    }
    t1 = now();
    feed_release(&f);
    printf("%.6f %zu %d %zu %zu\n", t1 - t0, bytes, argc - 1, articles,
           refused);
    for (i = 1; i < argc; i++)
        buf_release(&data[i]);
    free(data);
    return 0;
}

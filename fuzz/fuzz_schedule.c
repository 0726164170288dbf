/*
 * libFuzzer target: sched_parse() on arbitrary bytes; an expression it
 * accepts is matched and searched once each way from a fixed instant, in
 * UTC and in a Central European zone built in memory (no files), so the
 * slot search and its daylight-saving handling are fuzzed too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/schedule.h"
#include "arctic_digest/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2025-03-29T12:00:00Z: the day before Europe's spring-forward. */
#define FUZZ_AT INT64_C(1743249600)

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One TZif header and data block: no transitions, one type (CET). */
static size_t
tzif_block(unsigned char *p)
{
    memset(p, 0, 54);
    memcpy(p, "TZif2", 5);
    put32(p + 20 + 4 * 4, 1); /* typecnt */
    put32(p + 20 + 5 * 4, 4); /* charcnt */
    put32(p + 44, 3600);      /* utoff; isdst 0, desigidx 0 */
    memcpy(p + 50, "CET", 4);
    return 54;
}

static void
cet_zone(struct sched_zone *z)
{
    static const char footer[] = "\nCET-1CEST,M3.5.0,M10.5.0/3\n";
    unsigned char tz[256];
    size_t n = tzif_block(tz);
    struct err e = ERR_INIT;

    n += tzif_block(tz + n);
    memcpy(tz + n, footer, sizeof(footer) - 1);
    n += sizeof(footer) - 1;
    if (sched_zone_parse(z, "CET", tz, n, &e) < 0)
        abort();
}

static void
search(const struct sched *s, const struct sched_zone *z)
{
    struct err e = ERR_INIT;
    int64_t t;

    sched_next(s, z, FUZZ_AT, &t, &e);
    sched_prev(s, z, FUZZ_AT, &t, &e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *expr = xstrndup((const char *)data, size);
    struct sched s = SCHED_INIT;
    struct sched_zone utc = SCHED_ZONE_INIT, cet = SCHED_ZONE_INIT;
    struct err e = ERR_INIT;

    if (sched_parse(&s, expr, &e) == 0) {
        sched_match(&s, 2025, 3, 30, 2, 30, 0);
        if (sched_zone_load(&utc, "UTC", NULL, &e) < 0)
            abort();
        search(&s, &utc);
        cet_zone(&cet);
        search(&s, &cet);
        sched_zone_release(&utc);
        sched_zone_release(&cet);
    }
    free(expr);
    return 0;
}

/*
 * libFuzzer target: the TZif reader (sched_zone_parse(), the bytes-level
 * twin of sched_zone_load()) and, for a zone it accepts, the offset and
 * wall-clock lookups at a few instants of 1900-2100 and one slot search
 * each way.
 */
#include <stdint.h>
#include <stdlib.h>

#include "arctic_digest/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2025-03-29T12:00:00Z */
#define FUZZ_AT INT64_C(1743249600)

static void
probe(const struct sched_zone *z, int64_t t)
{
    sched_zone_offset(z, t);
    sched_zone_utc(z, t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sched_zone z = SCHED_ZONE_INIT;
    struct sched s = SCHED_INIT;
    struct err e = ERR_INIT;
    int64_t t;

    if (sched_zone_parse(&z, "fuzz", data, size, &e) < 0)
        return 0;
    probe(&z, FUZZ_AT);
    probe(&z, 0);
    probe(&z, INT64_C(-2208988800)); /* 1900 */
    probe(&z, INT64_C(4102444800));  /* 2100 */
    if (sched_parse(&s, "30 2 * * *", &e) < 0)
        abort();
    sched_next(&s, &z, FUZZ_AT, &t, &e);
    sched_prev(&s, &z, FUZZ_AT, &t, &e);
    sched_zone_release(&z);
    return 0;
}

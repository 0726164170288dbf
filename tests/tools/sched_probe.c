/*
 * sched_probe: test-only bridge from scripts to schedule.h.
 *
 * Reads lines "ZONE<TAB>EXPR<TAB>UNIX_TIME" on stdin and prints one line
 * "NEXT<TAB>PREV" each (sched_next after UNIX_TIME, sched_prev at it), or
 * "ERR<TAB>message" when the zone, the expression or a search fails.
 * An optional argument names the zoneinfo directory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arctic_digest/schedule.h"

static int
probe(struct sched_zone *z, char *line, const char *dir)
{
    char *zone = line, *expr, *when, *end;
    struct sched s = SCHED_INIT;
    struct err e = ERR_INIT;
    int64_t t, next, prev;

    expr = strchr(zone, '\t');
    when = expr ? strchr(expr + 1, '\t') : NULL;
    if (!when)
        return printf("ERR\tbad input line\n") < 0 ? -1 : 0;
    *expr++ = '\0';
    *when++ = '\0';
    t = strtoll(when, &end, 10);
    if (strcmp(z->name, zone) != 0) {
        sched_zone_release(z);
        if (sched_zone_load(z, zone, dir, &e) < 0)
            return printf("ERR\t%s\n", e.msg) < 0 ? -1 : 0;
    }
    if (sched_parse(&s, expr, &e) < 0 || sched_next(&s, z, t, &next, &e) < 0 ||
        sched_prev(&s, z, t, &prev, &e) < 0)
        return printf("ERR\t%s\n", e.msg) < 0 ? -1 : 0;
    return printf("%" PRId64 "\t%" PRId64 "\n", next, prev) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
    struct sched_zone z = SCHED_ZONE_INIT;
    char line[512];
    int rc = 0;

    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (probe(&z, line, argc > 1 ? argv[1] : NULL) < 0) {
            rc = 1;
            break;
        }
        fflush(stdout);
    }
    sched_zone_release(&z);
    return rc;
}

/*
 * health: whether the digest needs a look, in the form monitoring plugins
 * use ('status --check'): OK, WARNING or CRITICAL with one line saying
 * why.
 *
 *   CRITICAL  two scheduled slots have passed since the last issue (or
 *             skipped slot): the schedule has stalled.
 *   WARNING   a configured source has failed COLLECT_WARN_AFTER runs in a
 *             row; deliveries were given up in the last 7 days; deliveries
 *             of an issue frozen more than a day ago are still deferred
 *             or pending.
 */
#ifndef ARCTIC_DIGEST_HEALTH_H
#define ARCTIC_DIGEST_HEALTH_H

#include "arctic_digest/buf.h"
#include "arctic_digest/context.h"
#include "arctic_digest/err.h"

enum health_level { HEALTH_OK, HEALTH_WARNING, HEALTH_CRITICAL };

struct health {
    enum health_level level;
    struct buf text; /* "2 deliveries given up in the last 7 days; ..." */
};

/* Look at c's state and configuration; h must be released. */
int health_check(const struct context *c, struct health *h, struct err *e);
void health_release(struct health *h);

#endif

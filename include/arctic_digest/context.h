/*
 * context: what the workflow modules (collect, issue, compose, deliver)
 * are given instead of reading it themselves: the configuration, the
 * state, the clock and the secrets the command layer has read.
 *
 * Nothing in the library reads the real clock, the environment or argv:
 * the command layer fills this struct once (main.c and cli.c) and hands it
 * down.  The context borrows everything it points to.
 */
#ifndef ARCTIC_DIGEST_CONTEXT_H
#define ARCTIC_DIGEST_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "arctic_digest/config.h"
#include "arctic_digest/datetime.h"
#include "arctic_digest/store.h"

/* The current time (UTC seconds), asked again while a long send runs. */
typedef int64_t (*context_clock_fn)(void);

struct context {
    const struct config *cfg;
    struct store *st;       /* the state; NULL for commands without one */
    struct dt now;          /* the run's "now", in the configured zone */
    context_clock_fn clock; /* the live clock for ledger times; NULL:
                               now.t throughout (a fixed clock) */
    bool dry_run;           /* record nothing, create no file */
    bool explain;           /* log why each article is in or out */
};

/* The time to write into the ledger: the live clock, else now. */
static inline int64_t
context_time(const struct context *c)
{
    return c->clock ? c->clock() : c->now.t;
}

#endif

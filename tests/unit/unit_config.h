/*
 * For unit tests of the workflow modules: a [source] added to a config
 * built with config_defaults(), as config_load() would add it.  Header
 * only (static inline), like local_http.h.
 */
#ifndef ARCTIC_DIGEST_UNIT_CONFIG_H
#define ARCTIC_DIGEST_UNIT_CONFIG_H

#include <stdbool.h>
#include <string.h>

#include "arctic_digest/config.h"
#include "arctic_digest/util.h"

/* Add [source name] with url; filter: relevance = filter (else all). */
static inline void
unit_add_source(struct config *c, const char *name, const char *url,
                bool filter)
{
    struct config_source *s;

    xgrow(&c->sources, &c->sources_alloc, c->nsources + 1,
          sizeof(*c->sources));
    s = &c->sources[c->nsources++];
    memset(s, 0, sizeof(*s));
    s->name = xstrdup(name);
    s->url = xstrdup(url);
    s->filter = filter;
    s->weight = 1;
}

#endif

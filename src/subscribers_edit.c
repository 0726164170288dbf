/*
 * subscribers: changes to the list file by address: add, remove,
 * unsubscribe, resubscribe (see subscribers.h).
 */
#include "arctic_digest/subscribers.h"

#include <stdlib.h>
#include <string.h>

#include "arctic_digest/util.h"
#include "subscribers_int.h"

/* One subs_change_file() under way: the change and what it did so far,
 * handed to the caller only once the file is written. */
struct run {
    const struct subs_change *c;
    struct subs_outcomes done;
};

static void
note(struct run *run, const char *email, enum subs_outcome_kind kind)
{
    struct subs_outcomes *o = &run->done;

    xgrow(&o->v, &o->alloc, o->n + 1, sizeof(*o->v));
    o->v[o->n].email = xstrdup(email);
    o->v[o->n].kind = kind;
    o->n++;
}

void
subs_outcomes_release(struct subs_outcomes *o)
{
    size_t i;

    for (i = 0; i < o->n; i++)
        free(o->v[i].email);
    free(o->v);
    *o = (struct subs_outcomes)SUBS_OUTCOMES_INIT;
}

static int
apply_add(struct subs_list *l, struct run *run, const char *addr,
          struct err *e)
{
    const struct subs_change *c = run->c;
    struct subs_entry *s = subs_find(l, addr);
    /* The editor's add stands for the confirmation of a pending one. */
    bool pending = s && !strcmp(s->status, SUBS_STATUS_PENDING);
    int changed = 0;

    if (s && strcmp(s->status, SUBS_STATUS_ACTIVE) != 0 && !pending &&
        !c->force)
        return err_set(e, ERR_DATA, 0,
                       "'%s' is %s%s%s: adding it again needs --force (an "
                       "unsubscribe is a suppression, not a deletion)",
                       s->email, s->status,
                       *s->unsubscribed_at ? " since " : "",
                       s->unsubscribed_at);
    if (!s) {
        s = subs_append(l, addr);
        xstrset(&s->subscribed_at, c->now);
        note(run, addr, SUBS_OUTCOME_ADDED);
        changed = 1;
    } else if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0) {
        subs_entry_set_status(s, SUBS_STATUS_ACTIVE, c->now);
        note(run, s->email,
             pending ? SUBS_OUTCOME_PENDING_ADDED
                     : SUBS_OUTCOME_SUBSCRIBED_AGAIN);
        changed = 1;
    } else if (!c->name && !c->tags && !c->format) {
        note(run, s->email, SUBS_OUTCOME_ALREADY_SUBSCRIBED);
    }
    if (c->name && strcmp(s->name, c->name) != 0) {
        xstrset(&s->name, c->name);
        changed = 1;
    }
    if (c->tags) {
        subs_set_tags(s, c->tags);
        changed = 1;
    }
    if (c->format && strcmp(s->format, c->format) != 0) {
        xstrset(&s->format, c->format);
        changed = 1;
    }
    return changed;
}

static struct subs_entry *
must_find(struct subs_list *l, const char *addr, struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);

    if (!s)
        err_set(e, ERR_DATA, 0, "'%s' is not on the list", addr);
    return s;
}

static int
apply_remove(struct subs_list *l, struct run *run, const char *addr,
             struct err *e)
{
    struct subs_entry *s = must_find(l, addr, e);

    if (!s)
        return -1;
    note(run, s->email, SUBS_OUTCOME_REMOVED);
    subs_remove(l, (size_t)(s - l->v));
    return 1;
}

static int
apply_unsubscribe(struct subs_list *l, struct run *run, const char *addr,
                  struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);

    if (!s && run->c->quiet_missing) {
        note(run, addr, SUBS_OUTCOME_NOT_LISTED);
        return 0;
    }
    if (!s)
        return must_find(l, addr, e) ? 0 : -1;
    if (!strcmp(s->status, SUBS_STATUS_UNSUBSCRIBED)) {
        note(run, s->email, SUBS_OUTCOME_ALREADY_UNSUBSCRIBED);
        return 0;
    }
    subs_entry_set_status(s, SUBS_STATUS_UNSUBSCRIBED, run->c->now);
    note(run, s->email, SUBS_OUTCOME_UNSUBSCRIBED);
    return 1;
}

static int
apply_resubscribe(struct subs_list *l, struct run *run, const char *addr,
                  struct err *e)
{
    struct subs_entry *s = must_find(l, addr, e);

    if (!s)
        return -1;
    if (!strcmp(s->status, SUBS_STATUS_ACTIVE)) {
        note(run, s->email, SUBS_OUTCOME_ALREADY_SUBSCRIBED);
        return 0;
    }
    subs_entry_set_status(s, SUBS_STATUS_ACTIVE, run->c->now);
    note(run, s->email, SUBS_OUTCOME_RESUBSCRIBED);
    return 1;
}

/* All addresses or none: an error leaves the file as it was. */
static int
apply_all(struct subs_list *l, void *ctx, struct err *e)
{
    static int (*const apply[])(struct subs_list *, struct run *,
                                const char *, struct err *) = {
        apply_add, apply_remove, apply_unsubscribe, apply_resubscribe};
    struct run *run = ctx;
    const struct subs_change *c = run->c;
    size_t i;
    int r, changed = 0;

    for (i = 0; i < c->naddrs; i++) {
        r = apply[c->kind](l, run, c->addrs[i], e);
        if (r < 0)
            return -1;
        changed |= r;
    }
    return changed;
}

int
subs_check_new_row(const char *email, const char *name, const char *tags_s,
                   const char *opt, struct err *e)
{
    struct subs_entry tags;
    struct subs_text_faults f;
    struct err ae = ERR_INIT;

    if (email && subs_addr_check(email, strlen(email), &ae) < 0)
        return err_set(e, ERR_DATA, 0, "invalid address '%s': %s", email,
                       ae.msg);
    memset(&tags, 0, sizeof(tags));
    subs_set_tags(&tags, tags_s);
    subs_text_check(name, tags.tags, tags.ntags, &f);
    subs_set_tags(&tags, NULL);
    if (f.name_cp)
        return err_set(e, ERR_DATA, 0,
                       "%sname: control character U+%04X: a name is one "
                       "line of text",
                       opt, (unsigned)f.name_cp);
    if (f.name_long)
        return err_set(e, ERR_DATA, 0,
                       "%sname: %zu bytes, more than the %d allowed", opt,
                       f.name_len, SUBS_MAX_NAME);
    if (f.tags_cp)
        return err_set(e, ERR_DATA, 0, "%stags: control character U+%04X",
                       opt, (unsigned)f.tags_cp);
    if (f.many_tags)
        return err_set(e, ERR_DATA, 0,
                       "%stags: %zu tags, more than the %d allowed", opt,
                       f.ntags, SUBS_MAX_TAGS);
    return 0;
}

/* What add brings in: every address, and the one name and tags. */
static int
check_add(const struct subs_change *c, struct err *e)
{
    size_t i;

    for (i = 0; i < c->naddrs; i++)
        if (subs_check_new_row(c->addrs[i], NULL, NULL, "--", e) < 0)
            return -1;
    return subs_check_new_row(NULL, c->name, c->tags, "--", e);
}

int
subs_change_file(const char *path, const struct subs_change *c,
                 struct subs_outcomes *out, struct err *e)
{
    struct run run = {c, SUBS_OUTCOMES_INIT};
    size_t i;
    int rc;

    if (c->kind == SUBS_CHANGE_ADD && check_add(c, e) < 0)
        return -1;
    rc = subs_update_some(path, c->kind == SUBS_CHANGE_ADD, c->addrs,
                          c->naddrs, apply_all, &run, e);
    for (i = 0; rc >= 0 && out && i < run.done.n; i++) {
        xgrow(&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
        out->v[out->n++] = run.done.v[i];
        run.done.v[i].email = NULL; /* moved */
    }
    subs_outcomes_release(&run.done);
    return rc;
}

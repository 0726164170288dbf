/*
 * subscribers: changes to the list file by address: add, remove,
 * unsubscribe, resubscribe (see subscribers.h).
 */
#include "arctic_digest/subscribers.h"

#include <string.h>

#include "arctic_digest/log.h"
#include "arctic_digest/util.h"
#include "subscribers_int.h"

static int
apply_add(struct subs_list *l, const struct subs_change *c, const char *addr,
          struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);
    int changed = 0;

    if (s && strcmp(s->status, SUBS_STATUS_ACTIVE) != 0 && !c->force)
        return err_set(e, ERR_DATA, 0,
                       "'%s' is %s%s%s: adding it again needs --force (an "
                       "unsubscribe is a suppression, not a deletion)",
                       s->email, s->status,
                       *s->unsubscribed_at ? " since " : "",
                       s->unsubscribed_at);
    if (!s) {
        s = subs_append(l, addr);
        xstrset(&s->subscribed_at, c->now);
        log_info("added '%s'", addr);
        changed = 1;
    } else if (strcmp(s->status, SUBS_STATUS_ACTIVE) != 0) {
        subs_entry_set_status(s, SUBS_STATUS_ACTIVE, c->now);
        log_info("'%s' subscribed again (--force)", s->email);
        changed = 1;
    } else if (!c->name && !c->tags && !c->format) {
        log_info("'%s' is already subscribed", s->email);
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
apply_remove(struct subs_list *l, const struct subs_change *c,
             const char *addr, struct err *e)
{
    struct subs_entry *s = must_find(l, addr, e);

    (void)c;
    if (!s)
        return -1;
    log_info("removed '%s'", s->email);
    subs_remove(l, (size_t)(s - l->v));
    return 1;
}

static int
apply_unsubscribe(struct subs_list *l, const struct subs_change *c,
                  const char *addr, struct err *e)
{
    struct subs_entry *s = subs_find(l, addr);

    if (!s && c->quiet_missing) {
        log_info("'%s' is not on the list: nothing to do", addr);
        return 0;
    }
    if (!s)
        return must_find(l, addr, e) ? 0 : -1;
    if (!strcmp(s->status, SUBS_STATUS_UNSUBSCRIBED)) {
        log_info("'%s' is already unsubscribed", s->email);
        return 0;
    }
    subs_entry_set_status(s, SUBS_STATUS_UNSUBSCRIBED, c->now);
    log_info("unsubscribed '%s'", s->email);
    return 1;
}

static int
apply_resubscribe(struct subs_list *l, const struct subs_change *c,
                  const char *addr, struct err *e)
{
    struct subs_entry *s = must_find(l, addr, e);

    (void)c;
    if (!s)
        return -1;
    if (!strcmp(s->status, SUBS_STATUS_ACTIVE)) {
        log_info("'%s' is already subscribed", s->email);
        return 0;
    }
    subs_entry_set_status(s, SUBS_STATUS_ACTIVE, c->now);
    log_info("resubscribed '%s'", s->email);
    return 1;
}

/* All addresses or none: an error leaves the file as it was. */
static int
apply_all(struct subs_list *l, void *ctx, struct err *e)
{
    static int (*const apply[])(struct subs_list *,
                                const struct subs_change *, const char *,
                                struct err *) = {
        apply_add, apply_remove, apply_unsubscribe, apply_resubscribe};
    const struct subs_change *c = ctx;
    size_t i;
    int r, changed = 0;

    for (i = 0; i < c->naddrs; i++) {
        r = apply[c->kind](l, c, c->addrs[i], e);
        if (r < 0)
            return -1;
        changed |= r;
    }
    return changed;
}

/* What add brings in must be addresses this tool can send to, names and
 * tags of one line and a sane number of tags. */
static int
check_add(const struct subs_change *c, struct err *e)
{
    struct subs_entry tags;
    struct subs_text_faults f;
    struct err ae = ERR_INIT;
    size_t i;

    for (i = 0; i < c->naddrs; i++)
        if (subs_addr_check(c->addrs[i], strlen(c->addrs[i]), &ae) < 0)
            return err_set(e, ERR_DATA, 0, "invalid address '%s': %s",
                           c->addrs[i], ae.msg);
    memset(&tags, 0, sizeof(tags));
    subs_set_tags(&tags, c->tags);
    subs_text_check(c->name, tags.tags, tags.ntags, &f);
    subs_set_tags(&tags, NULL);
    if (f.name_cp)
        return err_set(e, ERR_DATA, 0,
                       "--name: control character U+%04X: a name is one "
                       "line of text",
                       (unsigned)f.name_cp);
    if (f.name_long)
        return err_set(e, ERR_DATA, 0,
                       "--name: %zu bytes, more than the %d allowed",
                       f.name_len, SUBS_MAX_NAME);
    if (f.tags_cp)
        return err_set(e, ERR_DATA, 0, "--tags: control character U+%04X",
                       (unsigned)f.tags_cp);
    if (f.many_tags)
        return err_set(e, ERR_DATA, 0,
                       "--tags: %zu tags, more than the %d allowed", f.ntags,
                       SUBS_MAX_TAGS);
    return 0;
}

int
subs_change_file(const char *path, const struct subs_change *c,
                 struct err *e)
{
    if (c->kind == SUBS_CHANGE_ADD && check_add(c, e) < 0)
        return -1;
    return subs_update(path, c->kind == SUBS_CHANGE_ADD, apply_all,
                       (void *)c, e);
}

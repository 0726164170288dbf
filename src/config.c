#include "arctic_digest/config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/util.h"

enum key_type {
    KEY_STR, KEY_INT, KEY_BOOL, KEY_NUM, KEY_LIST, KEY_PATH, KEY_DURATION
};

struct key {
    const char *section;
    const char *name;
    enum key_type type;
    size_t offset;      /* into struct config */
    size_t count_off;   /* KEY_LIST: the count, then alloc follows */
    const char *choices; /* KEY_STR: "a|b|c" or NULL */
    int min, max;       /* KEY_INT */
};

#define OFF(f) offsetof(struct config, f)
#define STR(s, k, f) {s, k, KEY_STR, OFF(f), 0, NULL, 0, 0}
#define ENUM(s, k, f, c) {s, k, KEY_STR, OFF(f), 0, c, 0, 0}
#define INT(s, k, f, lo, hi) {s, k, KEY_INT, OFF(f), 0, NULL, lo, hi}
#define BOOL(s, k, f) {s, k, KEY_BOOL, OFF(f), 0, NULL, 0, 0}
#define NUM(s, k, f) {s, k, KEY_NUM, OFF(f), 0, NULL, 0, 0}
#define LIST(s, k, f, n) {s, k, KEY_LIST, OFF(f), OFF(n), NULL, 0, 0}
#define PATH(s, k, f) {s, k, KEY_PATH, OFF(f), 0, NULL, 0, 0}
#define DURATION(s, k, f) {s, k, KEY_DURATION, OFF(f), 0, NULL, 0, 0}

static const struct key keys[] = {
    STR("digest", "title", title),
    STR("digest", "from", from),
    STR("digest", "reply_to", reply_to),
    STR("digest", "list_id", list_id),
    STR("digest", "schedule", schedule),
    STR("digest", "timezone", timezone),
    ENUM("digest", "catch_up", catch_up, "send|skip"),
    ENUM("digest", "empty", empty, "skip|send"),
    ENUM("digest", "log", log, "stderr|syslog|journald"),
    INT("digest", "lookback_days", lookback_days, 1, 3660),
    INT("digest", "max_articles", max_articles, 1, 10000),
    ENUM("digest", "citation_style", citation_style, "chicago|apa|mla"),
    BOOL("digest", "attach_citations", attach_citations),
    STR("digest", "unsubscribe_url", unsubscribe_url),
    PATH("digest", "unsubscribe_secret_file", unsubscribe_secret_file),
    STR("digest", "archive_url", archive_url),
    STR("digest", "subscribe_url", subscribe_url),
    INT("digest", "confirm_days", confirm_days, 1, 365),
    STR("digest", "contact", contact),
    STR("digest", "clock", clock),
    STR("smtp", "url", smtp_url),
    STR("smtp", "user", smtp_user),
    STR("smtp", "password_env", smtp_password_env),
    PATH("smtp", "password_file", smtp_password_file),
    ENUM("smtp", "tls", smtp_tls, "required|starttls|none"),
    PATH("smtp", "ca_file", smtp_ca_file),
    STR("smtp", "envelope_from", smtp_envelope_from),
    INT("smtp", "connections", smtp_connections, 1, 64),
    STR("smtp", "rate", smtp_rate),
    INT("smtp", "retries", smtp_retries, 0, 10),
    INT("smtp", "retry_delay", smtp_retry_delay, 0, 3600),
    INT("smtp", "timeout", smtp_timeout, 1, 3600),
    DURATION("smtp", "give_up_after", smtp_give_up_after),
    BOOL("bounces", "verp", bounces_verp),
    PATH("bounces", "maildir", bounces_maildir),
    STR("bounces", "imap", bounces_imap),
    STR("bounces", "user", bounces_user),
    STR("bounces", "password_env", bounces_password_env),
    PATH("bounces", "password_file", bounces_password_file),
    PATH("bounces", "ca_file", bounces_ca_file),
    INT("fetch", "connections", fetch_connections, 1, 64),
    INT("fetch", "per_host", fetch_per_host, 1, 16),
    INT("fetch", "connect_timeout", fetch_connect_timeout, 1, 600),
    INT("fetch", "timeout", fetch_timeout, 1, 3600),
    INT("fetch", "max_size_mib", fetch_max_size_mib, 1, 1024),
    LIST("relevance", "include", include, ninclude),
    LIST("relevance", "exclude", exclude, nexclude),
    NUM("relevance", "threshold", threshold),
    PATH("paths", "state", state),
    PATH("paths", "subscribers", subscribers),
    PATH("paths", "templates", templates),
    PATH("paths", "outbox", outbox),
    PATH("paths", "archive", archive),
};

struct loader {
    struct config *c;
    const char *file;
    char msg[sizeof(((struct err *)0)->msg)];
    /* keys already seen, as "section\nname", to refuse duplicates */
    char **seen;
    size_t nseen, seen_alloc;
};

static char *
make_path(const char *dir, const char *p)
{
    struct buf b = BUF_INIT;

    if (p[0] == '/' || !dir)
        return xstrdup(p);
    buf_appendf(&b, "%s/%s", dir, p);
    return buf_detach(&b, NULL);
}

void
config_defaults(struct config *c, const char *dir)
{
    memset(c, 0, sizeof(*c));
    c->dir = xstrdup(dir ? dir : ".");
    c->title = xstrdup("Arctic Digest");
    c->from = xstrdup("Arctic Digest <digest@example.org>");
    c->list_id = xstrdup("Arctic Digest <arctic-digest.example.org>");
    c->schedule = xstrdup("0 7 * * MON");
    c->timezone = xstrdup("UTC");
    c->catch_up = xstrdup("send");
    c->empty = xstrdup("skip");
    c->log = xstrdup("stderr");
    c->lookback_days = 14;
    c->max_articles = 50;
    c->confirm_days = 7;
    c->citation_style = xstrdup("chicago");
    c->attach_citations = true;
    c->smtp_tls = xstrdup("required");
    c->smtp_connections = 1;
    c->smtp_retries = 2;
    c->smtp_retry_delay = 5;
    c->smtp_timeout = 60;
    c->smtp_give_up_after = 5 * 86400; /* Postfix's maximal_queue_lifetime */
    c->threshold = 1.0;
    c->fetch_connections = 8;
    c->fetch_per_host = 2;
    c->fetch_connect_timeout = 15;
    c->fetch_timeout = 60;
    c->fetch_max_size_mib = 10;
    c->state = make_path(c->dir, "arctic-digest.db");
    c->subscribers = make_path(c->dir, "subscribers/subscribers.csv");
    c->templates = NULL; /* the command layer picks the bundled ones */
    c->outbox = make_path(c->dir, "outbox");
    c->archive = make_path(c->dir, "archive");
    c->unsubscribe_secret_file = make_path(c->dir, "unsubscribe.key");
}

static void
free_list(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void
config_release(struct config *c)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(keys); i++) {
        char **p = (char **)((char *)c + keys[i].offset);
        if (keys[i].type == KEY_STR || keys[i].type == KEY_PATH)
            free(*p);
        else if (keys[i].type == KEY_LIST)
            free_list(*(char ***)p, *(size_t *)((char *)c + keys[i].count_off));
    }
    for (i = 0; i < c->nsources; i++) {
        free(c->sources[i].name);
        free(c->sources[i].url);
        free(c->sources[i].crossref_issn);
        free(c->sources[i].crossref_api);
    }
    free(c->sources);
    for (i = 0; i < c->ntopics; i++) {
        free(c->topics[i].name);
        free_list(c->topics[i].include, c->topics[i].ninclude);
    }
    free(c->topics);
    free(c->path);
    free(c->dir);
    memset(c, 0, sizeof(*c));
}

static int
fail(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct loader *l, const char *fmt, ...)
{
    va_list ap;

    if (l->msg[0])
        return 0;
    va_start(ap, fmt);
    if (vsnprintf(l->msg, sizeof(l->msg), fmt, ap) < 0)
        l->msg[0] = '\0';
    va_end(ap);
    return 0; /* tells inih this line failed */
}

/* Split a list value at commas (and the newlines of continuation lines). */
static void
append_list(char ***v, size_t *n, size_t *alloc, const char *value)
{
    const char *p = value;

    while (*p) {
        const char *end = p + strcspn(p, ",\n");
        const char *s = p, *t = end;
        while (s < t && (*s == ' ' || *s == '\t'))
            s++;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > s) {
            xgrow(v, alloc, *n + 1, sizeof(**v));
            (*v)[(*n)++] = xstrndup(s, (size_t)(t - s));
        }
        p = *end ? end + 1 : end;
    }
}

static bool
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(v, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(v, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool
in_choices(const char *choices, const char *v)
{
    size_t n = strlen(v);
    const char *p = choices;

    while (*p) {
        size_t m = strcspn(p, "|");
        if (m == n && !strncmp(p, v, n))
            return true;
        p += m + (p[m] ? 1 : 0);
    }
    return false;
}

static int
set_key(struct loader *l, const struct key *k, const char *value)
{
    struct config *c = l->c;
    void *field = (char *)c + k->offset;
    char *end;
    long lv, mult;
    double dv;
    bool bv;

    switch (k->type) {
    case KEY_STR:
        if (k->choices && !in_choices(k->choices, value))
            return fail(l, "[%s] %s: '%s' is not one of %s", k->section,
                        k->name, value, k->choices);
        xstrset(field, value[0] ? value : NULL);
        return 1;
    case KEY_PATH:
        free(*(char **)field);
        *(char **)field = value[0] ? make_path(c->dir, value) : NULL;
        return 1;
    case KEY_INT:
        errno = 0;
        lv = strtol(value, &end, 10);
        if (!value[0] || *end || errno)
            return fail(l, "[%s] %s: not a whole number: '%s'", k->section,
                        k->name, value);
        if (lv < k->min || lv > k->max)
            return fail(l, "[%s] %s: %ld is out of range %d..%d", k->section,
                        k->name, lv, k->min, k->max);
        *(int *)field = (int)lv;
        return 1;
    case KEY_DURATION:
        errno = 0;
        lv = strtol(value, &end, 10);
        mult = !*end              ? 1
               : !strcmp(end, "s") ? 1
               : !strcmp(end, "m") ? 60
               : !strcmp(end, "h") ? 3600
               : !strcmp(end, "d") ? 86400
                                   : 0;
        if (!value[0] || end == value || !mult || errno)
            return fail(l, "[%s] %s: '%s' is not a duration (a whole number "
                        "of seconds, or with s, m, h or d: 5d)",
                        k->section, k->name, value);
        if (lv > 3660L * 86400 / mult || lv * mult < 60)
            return fail(l, "[%s] %s: '%s' is out of range 1m..3660d",
                        k->section, k->name, value);
        *(int64_t *)field = (int64_t)lv * mult;
        return 1;
    case KEY_NUM:
        dv = strtod(value, &end);
        if (!value[0] || *end || !isfinite(dv))
            return fail(l, "[%s] %s: not a number: '%s'", k->section, k->name,
                        value);
        *(double *)field = dv;
        return 1;
    case KEY_BOOL:
        if (!parse_bool(value, &bv))
            return fail(l, "[%s] %s: '%s' is not yes or no", k->section,
                        k->name, value);
        *(bool *)field = bv;
        return 1;
    case KEY_LIST:
        append_list(field, (size_t *)((char *)c + k->count_off),
                    (size_t *)((char *)c + k->count_off + sizeof(size_t)),
                    value);
        return 1;
    }
    return fail(l, "internal error: key type");
}

/* Returns true when section.name was seen before (and records it). */
static bool
seen_before(struct loader *l, const char *section, const char *name)
{
    struct buf b = BUF_INIT;
    size_t i;

    buf_appendf(&b, "%s\n%s", section, name);
    for (i = 0; i < l->nseen; i++) {
        if (!strcmp(l->seen[i], b.data)) {
            buf_release(&b);
            return true;
        }
    }
    xgrow(&l->seen, &l->seen_alloc, l->nseen + 1, sizeof(*l->seen));
    l->seen[l->nseen++] = buf_detach(&b, NULL);
    return false;
}

static bool
valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return false;
    }
    return true;
}

static struct config_source *
source_for(struct loader *l, const char *name)
{
    struct config *c = l->c;
    size_t i;

    for (i = 0; i < c->nsources; i++)
        if (!strcmp(c->sources[i].name, name))
            return &c->sources[i];
    xgrow(&c->sources, &c->sources_alloc, c->nsources + 1,
          sizeof(*c->sources));
    memset(&c->sources[c->nsources], 0, sizeof(*c->sources));
    c->sources[c->nsources].name = xstrdup(name);
    c->sources[c->nsources].filter = true;
    c->sources[c->nsources].weight = 1.0;
    return &c->sources[c->nsources++];
}

static bool
is_url(const char *v)
{
    return !strncmp(v, "http://", 7) || !strncmp(v, "https://", 8);
}

static int
set_source_key(struct loader *l, const char *name, const char *key,
               const char *value)
{
    struct config_source *s = source_for(l, name);
    char *end;

    if (!strcmp(key, "url")) {
        if (strstr(value, "://") && !is_url(value))
            return fail(l, "[source %s] url: only http, https or a local path"
                        " is allowed: '%s'", name, value);
        free(s->url);
        s->url = is_url(value) ? xstrdup(value) : make_path(l->c->dir, value);
        return 1;
    }
    if (!strcmp(key, "crossref_issn")) {
        xstrset(&s->crossref_issn, value);
        return 1;
    }
    if (!strcmp(key, "crossref_api")) {
        if (!is_url(value))
            return fail(l, "[source %s] crossref_api: not an http(s) URL: "
                        "'%s'", name, value);
        xstrset(&s->crossref_api, value);
        return 1;
    }
    if (!strcmp(key, "enrich")) {
        if (strcmp(value, "crossref") && strcmp(value, "none"))
            return fail(l, "[source %s] enrich: '%s' is not crossref or none",
                        name, value);
        s->enrich = !strcmp(value, "crossref");
        s->enrich_set = true;
        return 1;
    }
    if (!strcmp(key, "relevance")) {
        if (strcmp(value, "filter") && strcmp(value, "all"))
            return fail(l, "[source %s] relevance: '%s' is not filter or all",
                        name, value);
        s->filter = !strcmp(value, "filter");
        return 1;
    }
    if (!strcmp(key, "kind")) {
        enum article_kind k = article_kind_from_name(value);

        /* our names only, not Crossref's that article_kind_from_name
         * also reads */
        if (k == ARTICLE_KIND_UNKNOWN || strcmp(article_kind_name(k), value))
            return fail(l,
                        "[source %s] kind: '%s' is not journal-article, "
                        "report, preprint, news, web-page, book-chapter, "
                        "book, proceedings-article, reference-entry, "
                        "posted-content, dataset or peer-review",
                        name, value);
        s->kind = k;
        return 1;
    }
    if (!strcmp(key, "weight")) {
        s->weight = strtod(value, &end);
        if (!value[0] || *end || !isfinite(s->weight))
            return fail(l, "[source %s] weight: not a number: '%s'", name,
                        value);
        return 1;
    }
    return fail(l, "[source %s]: unknown key '%s'", name, key);
}

static int
set_topic_key(struct loader *l, const char *name, const char *key,
              const char *value)
{
    struct config *c = l->c;
    struct config_topic *t = NULL;
    size_t i;

    if (strcmp(key, "include"))
        return fail(l, "[topic %s]: unknown key '%s'", name, key);
    for (i = 0; i < c->ntopics; i++)
        if (!strcmp(c->topics[i].name, name))
            t = &c->topics[i];
    if (!t) {
        xgrow(&c->topics, &c->topics_alloc, c->ntopics + 1,
              sizeof(*c->topics));
        t = &c->topics[c->ntopics++];
        memset(t, 0, sizeof(*t));
        t->name = xstrdup(name);
    }
    append_list(&t->include, &t->ninclude, &t->include_alloc, value);
    return 1;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
    struct loader *l = user;
    size_t i;
    bool list = false;

    for (i = 0; i < ARRAY_SIZE(keys); i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
            list = keys[i].type == KEY_LIST;
    if (!strncmp(section, "topic ", 6))
        list = true;
    if (!list && seen_before(l, section, name))
        return fail(l, "[%s] %s: given twice (or continued on an indented"
                    " line)", section, name);

    if (!strncmp(section, "source ", 7) || !strncmp(section, "topic ", 6)) {
        const char *sub = strchr(section, ' ') + 1;
        if (!valid_name(sub))
            return fail(l, "[%s]: a name may hold only letters, digits, '-',"
                        " '_' and '.'", section);
        if (section[0] == 's')
            return set_source_key(l, sub, name, value);
        return set_topic_key(l, sub, name, value);
    }
    for (i = 0; i < ARRAY_SIZE(keys); i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
            return set_key(l, &keys[i], value);
    for (i = 0; i < ARRAY_SIZE(keys); i++)
        if (!strcmp(keys[i].section, section))
            return fail(l, "[%s]: unknown key '%s'", section, name);
    if (!section[0])
        return fail(l, "key '%s' outside any section", name);
    return fail(l, "unknown section [%s]", section);
}

/* The line on which "[source NAME]" starts, for errors after parsing. */
static int
section_line(const char *text, const char *section)
{
    int line = 1;
    const char *p = text;
    size_t n = strlen(section);

    while (*p) {
        const char *s = p;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '[' && !strncmp(s + 1, section, n) && s[n + 1] == ']')
            return line;
        p += strcspn(p, "\n");
        if (*p) {
            p++;
            line++;
        }
    }
    return 0;
}


/* inih splits lines longer than INI_MAX_LINE silently: refuse them. */
static int
check_lines(const char *path, const struct buf *text, struct err *e)
{
    size_t i, start = 0;
    int line = 1;

    for (i = 0; i <= text->len; i++) {
        if (i == text->len || text->data[i] == '\n') {
            if (i - start >= 199)
                return err_set(e, ERR_CONFIG, 0,
                               "%s:%d: line longer than 198 characters; "
                               "continue a list on indented lines",
                               path, line);
            if (i < text->len && memchr(text->data + start, '\0', i - start))
                return err_set(e, ERR_CONFIG, 0, "%s:%d: NUL byte", path,
                               line);
            start = i + 1;
            line++;
        }
    }
    return 0;
}

static char *
dir_of(const char *path)
{
    char cwd[PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct buf b = BUF_INIT;

    if (path[0] != '/') {
        if (!getcwd(cwd, sizeof(cwd)))
            return xstrndup(".", 1);
        buf_append_str(&b, cwd);
        if (slash) {
            buf_append_char(&b, '/');
            buf_append(&b, path, (size_t)(slash - path));
        }
    } else {
        buf_append(&b, path, slash == path ? 1 : (size_t)(slash - path));
    }
    return buf_detach(&b, NULL);
}

int
config_load(struct config *c, const char *path, struct err *e)
{
    struct loader l;
    struct buf text = BUF_INIT;
    char *dir = dir_of(path);
    int line, rc = -1;
    size_t i;

    config_defaults(c, dir);
    free(dir);
    c->path = xstrdup(path);
    memset(&l, 0, sizeof(l));
    l.c = c;
    l.file = path;
    if (buf_read_file(&text, path, 0, e) < 0 ||
        check_lines(path, &text, e) < 0)
        goto out;
    line = ini_parse_string(text.data, handler, &l);
    if (line != 0) {
        if (line < 0)
            err_set(e, ERR_CONFIG, 0, "%s: cannot parse", path);
        else
            err_set(e, ERR_CONFIG, 0, "%s:%d: %s", path, line,
                    l.msg[0] ? l.msg : "syntax error (expected "
                                       "'[section]' or 'key = value')");
        goto out;
    }
    for (i = 0; i < c->nsources; i++) {
        struct config_source *s = &c->sources[i];
        struct buf sec = BUF_INIT;
        buf_appendf(&sec, "source %s", s->name);
        s->line = section_line(text.data, sec.data);
        buf_release(&sec);
        if (!s->url == !s->crossref_issn) {
            err_set(e, ERR_CONFIG, 0,
                    "%s:%d: [source %s]: needs exactly one of url or "
                    "crossref_issn", path, s->line, s->name);
            goto out;
        }
        /* A local file is an offline copy: it stays offline unless the
         * user asks (the bundled example and the tests stay hermetic). */
        if (!s->enrich_set)
            s->enrich = s->url && is_url(s->url);
    }
    if (!c->from) {
        err_set(e, ERR_CONFIG, 0, "%s: [digest] from: must not be empty",
                path);
        goto out;
    }
    rc = 0;
out:
    for (i = 0; i < l.nseen; i++)
        free(l.seen[i]);
    free(l.seen);
    buf_release(&text);
    if (rc < 0)
        config_release(c);
    return rc;
}

const struct config_source *
config_source_find(const struct config *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->nsources; i++)
        if (!strcmp(c->sources[i].name, name))
            return &c->sources[i];
    return NULL;
}

/*
 * config: arctic-digest.conf, an INI file read with inih.
 *
 * Keys are snake_case in the sections [digest], [smtp], [fetch],
 * [relevance], [paths], [source NAME] and [topic NAME] (DESIGN.md lists them; the
 * defaults and their meaning are documented in examples/arctic-digest.conf).
 * Every value is validated while reading, and an error names the file and
 * line: "arctic-digest.conf:12: [digest] max_articles: not a number: 'ten'".
 * Unknown sections and keys are errors, so a typo never goes unnoticed.
 * List values (include, exclude) may continue on indented lines.
 * Relative paths (and relative source paths) are made absolute against
 * the folder of the config file.
 */
#ifndef ARCTIC_DIGEST_CONFIG_H
#define ARCTIC_DIGEST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/err.h"

struct config_source {
    char *name;
    char *url;           /* http(s) URL or absolute local path */
    char *crossref_issn;
    char *crossref_api;  /* Crossref's base URL; NULL: the public API */
    bool enrich;         /* enrich = crossref: complete items that have a
                            DOI from Crossref (default for http(s) feeds);
                            none (default for local files) */
    bool enrich_set;     /* enrich was given (while loading) */
    bool filter;         /* relevance = filter (default) or all */
    double weight;
    enum article_kind kind; /* kind = journal-article | report | preprint
                               | news | web-page | book-chapter: the kind
                               of its items that say none themselves
                               (article_kind_settle); unknown if not set */
    int line;            /* where its section starts */
};

struct config_topic {
    char *name;
    char **include;
    size_t ninclude, include_alloc;
};

struct config {
    char *path; /* the file read, NULL for built-in defaults */
    char *dir;  /* its folder (absolute) */

    /* [digest] */
    char *title, *from, *reply_to, *list_id, *schedule, *timezone;
    char *catch_up;       /* send | skip */
    char *empty;          /* skip | send */
    char *log;            /* stderr | syslog | journald */
    int lookback_days, max_articles;
    char *citation_style; /* chicago | apa | mla */
    bool attach_citations;
    char *unsubscribe_url, *unsubscribe_secret_file, *archive_url, *contact;
    char *subscribe_url;  /* the sign-up page (examples/subscribe.cgi):
                             confirmation links point there */
    int confirm_days;     /* how long a confirmation link works */
    char *clock;          /* fixed "now" (RFC 3339); NULL: the real clock */

    /* [smtp] */
    char *smtp_url, *smtp_user, *smtp_password_env, *smtp_password_file;
    char *smtp_tls;       /* required | starttls | none */
    char *smtp_ca_file, *smtp_envelope_from, *smtp_rate;
    int smtp_connections;
    int smtp_retries;     /* further attempts within a run after a 4xx */
    int smtp_retry_delay; /* seconds before the first, doubling */
    int64_t smtp_give_up_after; /* seconds a deferred delivery is retried
                                   for (from the freeze) */
    int smtp_timeout;     /* seconds to wait for a reply */

    /* [bounces] */
    bool bounces_verp;      /* envelope sender LOCAL+TOKEN@DOMAIN */
    char *bounces_maildir;  /* a maildir the bounces are delivered to */
    char *bounces_imap;     /* imaps://host[:port]/MAILBOX */
    char *bounces_user, *bounces_password_env, *bounces_password_file;
    char *bounces_ca_file;  /* PEM bundle for IMAP; NULL: the system's */

    /* [fetch] */
    int fetch_connections, fetch_per_host; /* 8 in all, 2 per host */
    int fetch_connect_timeout, fetch_timeout; /* seconds: 15, 60 */
    int fetch_max_size_mib;                   /* 10 */

    /* [relevance] */
    char **include, **exclude;
    size_t ninclude, include_alloc, nexclude, exclude_alloc;
    double threshold;

    /* [paths], absolute after loading; templates is NULL when not given
     * (the command layer then chooses: templates/ beside the file, else
     * the installed ones) */
    char *state, *subscribers, *templates, *outbox, *archive;

    struct config_source *sources;
    size_t nsources, sources_alloc;
    struct config_topic *topics;
    size_t ntopics, topics_alloc;
};

/*
 * Fill c with the built-in defaults (no sources; paths relative to dir,
 * which may be NULL for the current folder).  c needs no prior init.
 */
void config_defaults(struct config *c, const char *dir);

/*
 * Load path over the defaults.  Failure: -1 with ERR_NOINPUT (cannot read
 * the file) or ERR_CONFIG ("FILE:LINE: ..."), and c released.
 */
int config_load(struct config *c, const char *path, struct err *e);

void config_release(struct config *c);

/* The source called name, or NULL. */
const struct config_source *config_source_find(const struct config *c,
                                               const char *name);

#endif

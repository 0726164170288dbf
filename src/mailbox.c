/*
 * mailbox: new messages from a maildir or over IMAP (see mailbox.h).
 */
#include "arctic_digest/mailbox.h"

#include <dirent.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/log.h"
#include "arctic_digest/util.h"

#define MESSAGE_MAX (32u << 20) /* a bounce bigger than this is skipped */

/* ---- maildir ---------------------------------------------------------- */

/* Whether a maildir file name's info ("NAME:2,FLAGS") has flag. */
static bool
has_flag(const char *name, char flag)
{
    const char *info = strstr(name, ":2,");

    return info && strchr(info + 3, flag);
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file names in dir (not starting with '.'), sorted: maildir names
 * begin with their delivery time, so this is the order they came in. */
static int
list_dir(const char *dir, char ***names, size_t *n, struct err *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t alloc = 0;

    *names = NULL;
    *n = 0;
    if (!d)
        return err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_IO, errno,
                       "cannot read the maildir folder '%s': %s", dir,
                       strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        xgrow(names, &alloc, *n + 1, sizeof(**names));
        (*names)[(*n)++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof(**names), cmp_names);
    return 0;
}

/* Move a handled message to cur/ with the Seen flag. */
static int
mark_seen(const char *dir, const char *sub, const char *name, struct err *e)
{
    struct buf from = BUF_INIT, to = BUF_INIT;
    const char *info = strstr(name, ":2,");
    int rc = 0;

    buf_appendf(&from, "%s/%s/%s", dir, sub, name);
    if (info) {
        /* Flags stay in ASCII order (the maildir convention). */
        char flags[64];
        size_t k = 0;
        const char *f;
        bool put = false;
        for (f = info + 3; *f && k + 2 < sizeof(flags); f++) {
            if (!put && *f > 'S')
                flags[k++] = 'S', put = true;
            flags[k++] = *f;
        }
        if (!put)
            flags[k++] = 'S';
        flags[k] = '\0';
        buf_appendf(&to, "%s/cur/%.*s:2,%s", dir, (int)(info - name), name,
                    flags);
    } else {
        buf_appendf(&to, "%s/cur/%s:2,S", dir, name);
    }
    if (rename(from.data, to.data) < 0)
        rc = err_set(e, ERR_IO, errno, "cannot move '%s' to '%s': %s",
                     from.data, to.data, strerror(errno));
    buf_release(&from);
    buf_release(&to);
    return rc;
}

static int
maildir_folder(const char *dir, const char *sub, mailbox_msg_fn fn, void *ctx,
               struct err *e)
{
    struct buf path = BUF_INIT, folder = BUF_INIT, key = BUF_INIT,
               data = BUF_INIT;
    char **names;
    size_t n, i;
    int rc = 0;

    buf_appendf(&folder, "%s/%s", dir, sub);
    if (list_dir(folder.data, &names, &n, e) < 0) {
        buf_release(&folder);
        return -1;
    }
    for (i = 0; i < n && rc == 0; i++) {
        const char *name = names[i];
        const char *info = strstr(name, ":2,");
        int r;

        if (!strcmp(sub, "cur") && has_flag(name, 'S'))
            continue;
        buf_reset(&path);
        buf_appendf(&path, "%s/%s", folder.data, name);
        buf_reset(&data);
        if (buf_read_file(&data, path.data, MESSAGE_MAX, e) < 0) {
            /* Gone meanwhile (another reader), or too big: not ours to
             * stop for. */
            log_warn("%s: %s; skipped", path.data, e->msg);
            *e = (struct err)ERR_INIT;
            continue;
        }
        buf_reset(&key);
        buf_appendf(&key, "maildir:%.*s",
                    (int)(info ? (size_t)(info - name) : strlen(name)), name);
        r = fn(ctx, key.data, data.data, data.len, e);
        if (r < 0)
            rc = -1;
        else if (r > 0 && mark_seen(dir, sub, name, e) < 0)
            rc = -1;
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    buf_release(&path);
    buf_release(&folder);
    buf_release(&key);
    buf_release(&data);
    return rc;
}

int
mailbox_maildir_each(const char *dir, mailbox_msg_fn fn, void *ctx,
                     struct err *e)
{
    struct buf sub = BUF_INIT;
    struct stat st;
    bool ok;

    buf_appendf(&sub, "%s/cur", dir);
    ok = stat(sub.data, &st) == 0 && S_ISDIR(st.st_mode);
    buf_reset(&sub);
    buf_appendf(&sub, "%s/new", dir);
    ok = ok && stat(sub.data, &st) == 0 && S_ISDIR(st.st_mode);
    buf_release(&sub);
    if (!ok)
        return err_set(e, ERR_NOINPUT, 0,
                       "[bounces] maildir '%s' is no maildir (it needs cur/ "
                       "and new/)",
                       dir);
    if (maildir_folder(dir, "new", fn, ctx, e) < 0)
        return -1;
    return maildir_folder(dir, "cur", fn, ctx, e);
}

/* ---- IMAP ------------------------------------------------------------- */

struct imap_url {
    char *host;
    uint16_t port;
    char *mailbox;
};

static int
parse_url(const char *url, struct imap_url *u, struct err *e)
{
    const char *p, *slash, *colon;
    long port = 993;

    memset(u, 0, sizeof(*u));
    if (strncmp(url, "imaps://", 8) != 0)
        return err_set(e, ERR_CONFIG, 0,
                       "[bounces] imap: '%s' is not imaps://HOST[:PORT]/"
                       "MAILBOX (plain IMAP would send the password in the "
                       "clear)",
                       url);
    p = url + 8;
    slash = strchr(p, '/');
    if (!slash)
        slash = p + strlen(p);
    colon = memchr(p, ':', (size_t)(slash - p));
    if (colon) {
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (end != slash || port < 1 || port > 65535)
            return err_set(e, ERR_CONFIG, 0,
                           "[bounces] imap: '%s': bad port", url);
    }
    if ((colon ? colon : slash) == p)
        return err_set(e, ERR_CONFIG, 0, "[bounces] imap: '%s': no host",
                       url);
    u->host = xstrndup(p, (size_t)((colon ? colon : slash) - p));
    u->port = (uint16_t)port;
    u->mailbox = xstrdup(*slash && slash[1] ? slash + 1 : "INBOX");
    return 0;
}

static void
url_release(struct imap_url *u)
{
    free(u->host);
    free(u->mailbox);
}

static void
set_server_name(struct mailstream_ssl_context *ssl, void *data)
{
    mailstream_ssl_set_server_name(ssl, data);
}

/* Verify the server's chain (leaf first) and name with GnuTLS. */
static int
verify_peer(mailimap *imap, const struct imap_url *u, const char *ca_file,
            struct err *e)
{
    carray *chain = mailstream_get_certificate_chain(imap->imap_stream);
    gnutls_x509_trust_list_t tl = NULL;
    gnutls_x509_crt_t *crts = NULL;
    unsigned n = chain ? carray_count(chain) : 0, i, ok = 0, status = 1;
    int rc = -1;

    if (n == 0) {
        err_set(e, ERR_UNAVAILABLE, 0,
                "imaps://%s:%u: the server showed no certificate", u->host,
                u->port);
        goto out;
    }
    crts = xcalloc(n, sizeof(*crts));
    for (i = 0; i < n; i++) {
        MMAPString *der = carray_get(chain, i);
        gnutls_datum_t d = {(unsigned char *)der->str, (unsigned)der->len};
        if (gnutls_x509_crt_init(&crts[i]) < 0 ||
            gnutls_x509_crt_import(crts[i], &d, GNUTLS_X509_FMT_DER) < 0) {
            err_set(e, ERR_UNAVAILABLE, 0,
                    "imaps://%s:%u: cannot read the server's certificate",
                    u->host, u->port);
            goto out;
        }
        ok = i + 1;
    }
    if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
        tl = NULL;
        err_set(e, ERR_INTERNAL, 0, "cannot make a GnuTLS trust list");
        goto out;
    }
    if ((ca_file ? gnutls_x509_trust_list_add_trust_file(
                       tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0)
                 : gnutls_x509_trust_list_add_system_trust(tl, 0, 0)) <= 0) {
        err_set(e, ERR_CONFIG, 0, "cannot read the CA certificates %s%s",
                ca_file ? "in " : "of the system", ca_file ? ca_file : "");
        goto out;
    }
    if (gnutls_x509_trust_list_verify_crt(tl, crts, n, 0, &status, NULL) <
            0 ||
        status != 0) {
        gnutls_datum_t why = {NULL, 0};
        gnutls_certificate_verification_status_print(
            status, GNUTLS_CRT_X509, &why, 0);
        err_set(e, ERR_UNAVAILABLE, 0,
                "imaps://%s:%u: the server's certificate is not trusted: %s",
                u->host, u->port, why.data ? (char *)why.data : "unknown");
        gnutls_free(why.data);
        goto out;
    }
    if (!gnutls_x509_crt_check_hostname(crts[0], u->host)) {
        err_set(e, ERR_UNAVAILABLE, 0,
                "imaps://%s:%u: the server's certificate is not for '%s'",
                u->host, u->port, u->host);
        goto out;
    }
    rc = 0;
out:
    for (i = 0; i < ok; i++)
        gnutls_x509_crt_deinit(crts[i]);
    free(crts);
    if (tl)
        gnutls_x509_trust_list_deinit(tl, 1);
    if (chain)
        mailstream_certificate_chain_free(chain);
    return rc;
}

/* The body of a fetch of BODY.PEEK[] (borrowed from res), or NULL. */
static const char *
fetched_body(clist *res, size_t *len)
{
    clistiter *m, *a;

    for (m = clist_begin(res); m; m = clist_next(m)) {
        struct mailimap_msg_att *att = clist_content(m);
        for (a = clist_begin(att->att_list); a; a = clist_next(a)) {
            struct mailimap_msg_att_item *it = clist_content(a);
            if (it->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
                it->att_data.att_static->att_type ==
                    MAILIMAP_MSG_ATT_BODY_SECTION) {
                struct mailimap_msg_att_body_section *b =
                    it->att_data.att_static->att_data.att_body_section;
                *len = b->sec_length;
                return b->sec_body_part;
            }
        }
    }
    return NULL;
}

static int
fetch_one(mailimap *imap, uint32_t uid, clist **res)
{
    struct mailimap_set *set = mailimap_set_new_single(uid);
    struct mailimap_fetch_type *ft =
        mailimap_fetch_type_new_fetch_att_list_empty();
    struct mailimap_section *sec = mailimap_section_new(NULL);
    struct mailimap_fetch_att *fa =
        mailimap_fetch_att_new_body_peek_section(sec);
    int r;

    mailimap_fetch_type_new_fetch_att_list_add(ft, fa);
    r = mailimap_uid_fetch(imap, set, ft, res);
    mailimap_fetch_type_free(ft);
    mailimap_set_free(set);
    return r;
}

static int
mark_imap_seen(mailimap *imap, uint32_t uid)
{
    struct mailimap_set *set = mailimap_set_new_single(uid);
    struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
    struct mailimap_store_att_flags *sa;
    int r;

    mailimap_flag_list_add(fl, mailimap_flag_new_seen());
    sa = mailimap_store_att_flags_new_add_flags_silent(fl);
    r = mailimap_uid_store(imap, set, sa);
    mailimap_store_att_flags_free(sa);
    mailimap_set_free(set);
    return r;
}

int
mailbox_imap_each(const struct mailbox_imap *o, mailbox_msg_fn fn, void *ctx,
                  struct err *e)
{
    struct imap_url u;
    mailimap *imap = NULL;
    clist *uids = NULL;
    clistiter *it;
    struct mailimap_search_key *key;
    struct buf k = BUF_INIT;
    uint32_t validity;
    int rc = -1, r;

    if (parse_url(o->url, &u, e) < 0)
        return -1;
    imap = mailimap_new(0, NULL);
    if (!imap) {
        err_set(e, ERR_INTERNAL, 0, "out of memory in libetpan");
        goto out;
    }
    mailimap_set_timeout(imap, o->timeout_s > 0 ? o->timeout_s : 60);
    r = mailimap_ssl_connect_with_callback(imap, u.host, u.port,
                                           set_server_name, u.host);
    if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
        r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
        err_set(e, ERR_UNAVAILABLE, r,
                "cannot connect to imaps://%s:%u (TLS): libetpan error %d",
                u.host, u.port, r);
        goto out;
    }
    /* Nothing is sent before the server proved who it is. */
    if (verify_peer(imap, &u, o->ca_file, e) < 0)
        goto out;
    if (!o->user || !o->password) {
        err_set(e, ERR_CONFIG, 0,
                "[bounces] imap needs user and password_file or "
                "password_env");
        goto out;
    }
    r = mailimap_login(imap, o->user, o->password);
    if (r != MAILIMAP_NO_ERROR) {
        err_set(e, ERR_CONFIG, r,
                "imaps://%s:%u: the login as '%s' was refused", u.host,
                u.port, o->user);
        goto out;
    }
    r = mailimap_select(imap, u.mailbox);
    if (r != MAILIMAP_NO_ERROR) {
        err_set(e, ERR_UNAVAILABLE, r, "imaps://%s:%u: cannot open '%s'",
                u.host, u.port, u.mailbox);
        goto out;
    }
    validity = imap->imap_selection_info
                   ? imap->imap_selection_info->sel_uidvalidity
                   : 0;
    key = mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL,
                                  NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                  NULL, NULL, NULL, NULL, NULL, 0, NULL,
                                  NULL, NULL, NULL, NULL, NULL, 0, NULL,
                                  NULL, NULL);
    r = mailimap_uid_search(imap, NULL, key, &uids);
    mailimap_search_key_free(key);
    if (r != MAILIMAP_NO_ERROR) {
        err_set(e, ERR_UNAVAILABLE, r, "imaps://%s:%u: SEARCH failed",
                u.host, u.port);
        goto out;
    }
    rc = 0;
    for (it = clist_begin(uids); it && rc == 0; it = clist_next(it)) {
        uint32_t uid = *(uint32_t *)clist_content(it);
        clist *res = NULL;
        const char *body;
        size_t len = 0;

        if (fetch_one(imap, uid, &res) != MAILIMAP_NO_ERROR) {
            rc = err_set(e, ERR_UNAVAILABLE, 0,
                         "imaps://%s:%u: cannot fetch message %u", u.host,
                         u.port, (unsigned)uid);
            break;
        }
        body = fetched_body(res, &len);
        buf_reset(&k);
        buf_appendf(&k, "imap:%s/%s:%u:%u", u.host, u.mailbox,
                    (unsigned)validity, (unsigned)uid);
        r = body ? fn(ctx, k.data, body, len, e) : 0;
        mailimap_fetch_list_free(res);
        if (r < 0)
            rc = -1;
        else if (r > 0 && mark_imap_seen(imap, uid) != MAILIMAP_NO_ERROR)
            rc = err_set(e, ERR_UNAVAILABLE, 0,
                         "imaps://%s:%u: cannot flag message %u seen",
                         u.host, u.port, (unsigned)uid);
    }
    mailimap_logout(imap);
out:
    if (uids)
        mailimap_search_result_free(uids);
    if (imap)
        mailimap_free(imap);
    url_release(&u);
    buf_release(&k);
    return rc;
}

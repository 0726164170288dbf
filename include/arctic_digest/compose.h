/*
 * compose: one subscriber's complete message for a frozen (or previewed)
 * issue, the one function behind preview, send and run.
 *
 * A message is: From, To (the subscriber, greeted by name when known),
 * Subject, Date (the context's now), Message-ID (stable: the same issue
 * and address give the same id, so a retry is recognisably the same
 * message), List-Id, List-Unsubscribe (mailto, plus the https page with
 * the subscriber's HMAC token when [digest] unsubscribe_url is set and a
 * secret is known; then also RFC 8058 One-Click), the text and HTML
 * bodies of the articles the subscriber's topics select, and, with
 * attach_citations, citations.bib and citations.ris of those articles.
 * Boundaries are seeded by issue and address, so the same inputs give the
 * same bytes: what preview writes for an address is what send hands over.
 *
 * The templates are rendered once per variant of the issue (which articles,
 * with or without a greeting name), with markers where the personal parts
 * go; each message then only fills in the subscriber's name and token.
 */
#ifndef ARCTIC_DIGEST_COMPOSE_H
#define ARCTIC_DIGEST_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arctic_digest/article.h"
#include "arctic_digest/buf.h"
#include "arctic_digest/context.h"
#include "arctic_digest/err.h"
#include "arctic_digest/subscribers.h"
#include "arctic_digest/template.h"

/* The issue being composed; everything borrowed for the composer's life. */
struct compose_issue {
    int number;
    int64_t period_start, period_end; /* UTC seconds */
    const struct article *articles;   /* in the issue's order */
    size_t narticles;
};

/* Who a message is for. */
struct compose_recipient {
    const char *address;
    const char *name;   /* greeting and To display name; may be NULL */
    char *const *tags;  /* topic tags (see issue.h); may be NULL */
    size_t ntags;
    bool text_only;     /* format = text: no HTML part */
};

/*
 * The recipient for address as the subscriber list knows them: name, tags
 * and format from sub (may be NULL: not on the list); fallback_name when
 * the list has no name.  out borrows from sub, address and fallback_name.
 */
void compose_recipient_of(const struct subs_entry *sub, const char *address,
                          const char *fallback_name,
                          struct compose_recipient *out);

/* The bodies of one composed message, for preview's digest.txt/.html. */
struct compose_parts {
    struct buf text, html; /* html empty for a text-only recipient */
    size_t narticles;      /* how many of the issue's articles it holds */
};

void compose_parts_release(struct compose_parts *p);

struct composer;

/*
 * A composer for issue is under c's configuration (templates, From,
 * citation style, topics, unsubscribe URL).  secret (secret_len bytes,
 * may be empty) signs the unsubscribe tokens.  Fails with ERR_CONFIG
 * ([digest] from holds no address, a bad topic term).
 */
int compose_new(const struct context *c, const struct compose_issue *is,
                const char *secret, size_t secret_len,
                struct composer **out, struct err *e);
void compose_free(struct composer *cp);

/*
 * Append r's message (CRLF line ends) to out, and its bodies to parts
 * when parts is not NULL (initialised by the caller with
 * COMPOSE_PARTS_INIT).  Fails with ERR_NOINPUT or ERR_DATA from the
 * templates, ERR_DATA when the address is not an addr-spec.
 */
int compose_message(struct composer *cp, const struct compose_recipient *r,
                    struct buf *out, struct compose_parts *parts,
                    struct err *e);

/*
 * compose_message(), the message added to out as pieces (see buf.h) that
 * borrow the body shared by every recipient of the variant: only the
 * headers and the lines with the recipient's name, address or token are
 * out's own.  The pieces stay valid until compose_free(cp).  Filling parts
 * after the first message of a variant renders the variant again (its
 * rendered text and HTML are not kept once its body is made).  The same
 * errors as compose_message().
 */
int compose_message_pieces(struct composer *cp,
                           const struct compose_recipient *r,
                           struct buf_list *out, struct compose_parts *parts,
                           struct err *e);

#define COMPOSE_PARTS_INIT {BUF_INIT, BUF_INIT, 0}

/* What the digest templates see for this issue with no subscriber (for
 * 'render' of a template without data).  Caller frees. */
struct tpl_value *compose_template_data(const struct composer *cp);

/*
 * Split "Name <addr>" or "addr" into its parts (caller frees both; *name
 * may be NULL).  ERR_CONFIG when it holds no address.
 */
int compose_split_mailbox(const char *s, char **name, char **addr,
                          struct err *e);

/*
 * Check the configuration values that go into every message, so that a
 * bad one stops every command at once instead of the first send after an
 * issue is frozen: [digest] from (one mailbox), reply_to, contact and
 * [smtp] envelope_from (addresses), list_id (RFC 2919), unsubscribe_url,
 * archive_url and subscribe_url (http or https URLs of printable ASCII with no space,
 * quote or angle bracket, so they are safe in a header and in HTML).
 * ERR_CONFIG naming the file, section and key.
 */
int compose_check_config(const struct config *cfg, struct err *e);

/*
 * Read the unsubscribe secret of c's config into out: a missing file is no
 * error (out stays empty, and messages carry no token link); a file
 * readable by others is refused (ERR_CONFIG).
 */
int compose_read_secret(const struct context *c, struct buf *out,
                        struct err *e);

#endif

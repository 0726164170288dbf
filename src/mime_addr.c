/*
 * mime: the one rule for "an address this tool can send to" (see mime.h).
 *
 * We write addresses into To, From and Reply-To bare and into the SMTP
 * envelope as they are, without SMTPUTF8 (RFC 6531) or quoting, so the
 * rule is the plain subset both RFC 5321 section 4.1.2 and RFC 5322
 * section 3.4.1 agree on: a dot-atom local part of at most 64 octets, '@',
 * and a host name (RFC 1035 section 2.3.4, RFC 5321 section 4.5.3.1) of
 * at most 253 octets.  The list (subs_addr_check), compose and deliver all
 * ask this file, so nothing the list accepts is refused at send.
 */
#include "arctic_digest/mime.h"

#include <string.h>

#include "arctic_digest/ascii.h"
#include "mime_int.h"

bool
mime_is_atext(unsigned char c)
{
    return ascii_is_alnum(c) ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool
mime_is_dot_atom(const char *p, size_t n)
{
    size_t i;

    if (n == 0 || p[0] == '.' || p[n - 1] == '.')
        return false;
    for (i = 0; i < n; i++) {
        if (p[i] == '.') {
            if (p[i + 1] == '.')
                return false;
        } else if (!mime_is_atext((unsigned char)p[i])) {
            return false;
        }
    }
    return true;
}

static int
check_local(const char *p, size_t n, struct err *e)
{
    size_t i;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "nothing before '@'");
    if (n > 64)
        return err_set(e, ERR_DATA, 0, "the part before '@' is longer than "
                                       "64 octets");
    if (mime_is_dot_atom(p, n))
        return 0;
    /* Not a dot-atom: find the reason to give. */
    if (p[0] == '.' || p[n - 1] == '.')
        return err_set(e, ERR_DATA, 0, "a dot starts or ends the part before "
                                       "'@'");
    for (i = 0; i < n; i++) {
        if (p[i] == '.' && p[i + 1] == '.')
            return err_set(e, ERR_DATA, 0, "two dots in a row before '@'");
        if (p[i] != '.' && !mime_is_atext((unsigned char)p[i]))
            return err_set(e, ERR_DATA, 0, "character '%c' not allowed "
                                           "before '@'",
                           p[i]);
    }
    return err_set(e, ERR_DATA, 0, "not a dot-atom before '@'");
}

static int
check_label(const char *p, size_t n, struct err *e)
{
    size_t i;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "empty domain label (a leading, "
                                       "trailing or double dot)");
    if (n > 63)
        return err_set(e, ERR_DATA, 0, "domain label longer than 63 octets");
    if (p[0] == '-' || p[n - 1] == '-')
        return err_set(e, ERR_DATA, 0, "a domain label starts or ends with "
                                       "'-'");
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!ascii_is_alnum(c) && c != '-')
            return err_set(e, ERR_DATA, 0, "character '%c' not allowed in "
                                           "a domain",
                           c);
    }
    return 0;
}

/* A host name of two or more labels.  Address literals ([192.0.2.1]) are
 * valid RFC 5321 but refused: relays and list hosts rarely take them, and
 * on a subscriber list they are far likelier a mistake than a mailbox.  A
 * dotless domain (RFC 5321 allows "postmaster@localhost") is refused for
 * the same reason, and an all-digit last label is an IP address written
 * without its brackets. */
static int
check_domain(const char *p, size_t n, struct err *e)
{
    const char *dot, *end = p + n, *label = p;
    size_t i, labels = 0;
    bool numeric = true;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "no domain after '@'");
    if (p[0] == '[')
        return err_set(e, ERR_DATA, 0, "address literals ([...]) cannot be "
                                       "sent to: give a domain name");
    if (n > 253)
        return err_set(e, ERR_DATA, 0, "domain longer than 253 octets");
    for (;;) {
        dot = memchr(label, '.', (size_t)(end - label));
        if (!dot)
            dot = end;
        if (check_label(label, (size_t)(dot - label), e) < 0)
            return -1;
        labels++;
        if (dot == end)
            break;
        label = dot + 1;
    }
    for (i = 0; label + i < end; i++)
        if (!ascii_is_digit(label[i]))
            numeric = false;
    if (labels < 2)
        return err_set(e, ERR_DATA, 0, "the domain has no dot");
    if (numeric)
        return err_set(e, ERR_DATA, 0, "the top-level domain is a number "
                                       "(an IP address? give a domain name)");
    return 0;
}

/* What the whole string holds, before its parts are looked at: the reasons
 * a reader most needs (a look-alike letter, quotes, brackets) come first. */
static int
check_octets(const char *p, size_t n, struct err *e)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f)
            return err_set(e, ERR_DATA, 0, "control character (0x%02x) at "
                                           "octet %zu",
                           c, i + 1);
    }
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return err_set(e, ERR_DATA, 0, "non-ASCII at octet %zu: "
                                           "internationalised addresses "
                                           "cannot be sent by this tool yet "
                                           "(no SMTPUTF8)",
                           i + 1);
    if (memchr(p, '"', n))
        return err_set(e, ERR_DATA, 0, "quoted local parts (\"...\") cannot "
                                       "be sent by this tool");
    if (memchr(p, '<', n) || memchr(p, '>', n))
        return err_set(e, ERR_DATA, 0, "angle brackets: give the bare "
                                       "address");
    if (memchr(p, ' ', n))
        return err_set(e, ERR_DATA, 0, "white space");
    return 0;
}

int
mime_addr_check(const char *p, size_t n, struct err *e)
{
    const char *at;

    if (n == 0)
        return err_set(e, ERR_DATA, 0, "empty address");
    if (n > 254)
        return err_set(e, ERR_DATA, 0, "longer than 254 octets");
    if (check_octets(p, n, e) < 0)
        return -1;
    at = memchr(p, '@', n);
    if (!at)
        return err_set(e, ERR_DATA, 0, "no '@'");
    if (memchr(at + 1, '@', (size_t)(p + n - at - 1)))
        return err_set(e, ERR_DATA, 0, "more than one '@'");
    if (check_local(p, (size_t)(at - p), e) < 0 ||
        check_domain(at + 1, (size_t)(p + n - at - 1), e) < 0)
        return -1;
    return 0;
}

bool
mime_addr_is_valid(const char *addr)
{
    return addr != NULL && mime_addr_check(addr, strlen(addr), NULL) == 0;
}

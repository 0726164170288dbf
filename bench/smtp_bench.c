/*
 * smtp_bench: send COUNT personalised messages of about SIZE bytes with
 * smtp_run and print the rate.  A benchmark driver, not a test: see
 * bench/smtp_sink.sh, which compares it with Postfix's smtp-source.
 *
 * usage: smtp_bench URL COUNT SIZE CONNECTIONS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arctic_digest/buf.h"
#include "arctic_digest/smtp.h"
#include "arctic_digest/util.h"

struct bench {
    long count, next;
    long sent, tempfail, permfail;
    struct buf body; /* the shared part, built once like a rendered issue */
    char last_reply[600];
    struct buf **spare; /* message buffers of finished jobs, for reuse */
    size_t nspare, alloc;
};

static void
make_body(struct buf *b, size_t size)
{
    static const char line[] =
        "Sino-Russian Arctic cooperation: systemic pressure and historical "
        "distrust\r\n";

    while (b->len + sizeof(line) - 1 < size)
        buf_append(b, line, sizeof(line) - 1);
}

static int
next(void *ctx, struct smtp_job *job)
{
    struct bench *bn = ctx;
    struct buf *m;
    char rcpt[64];

    if (bn->next >= bn->count)
        return 0;
    if (bn->nspare > 0) {
        m = bn->spare[--bn->nspare];
        buf_reset(m);
    } else {
        m = xmalloc(sizeof(*m));
        buf_init(m);
    }
    snprintf(rcpt, sizeof(rcpt), "reader%ld@example.org", bn->next);
    buf_appendf(m,
                "From: Arctic Digest <digest@example.org>\r\n"
                "To: <%s>\r\n"
                "Subject: Arctic Digest No 1\r\n"
                "Message-ID: <issue-1.%ld@example.org>\r\n"
                "MIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n"
                "\r\n"
                "Dear reader %ld,\r\n\r\n",
                rcpt, bn->next, bn->next);
    buf_append(m, bn->body.data, bn->body.len);
    /* the recipient lives in the message buffer after the data */
    job->len = m->len;
    buf_append(m, rcpt, strlen(rcpt) + 1);
    job->data = m->data;
    job->rcpt = m->data + job->len;
    job->user = m;
    bn->next++;
    return 1;
}

static void
done(void *ctx, const struct smtp_job *job, const struct smtp_result *r)
{
    struct bench *bn = ctx;
    struct buf *m = job->user;

    if (r->outcome == SMTP_SENT)
        bn->sent++;
    else if (r->outcome == SMTP_TEMPFAIL)
        bn->tempfail++;
    else
        bn->permfail++;
    if (r->outcome != SMTP_SENT)
        snprintf(bn->last_reply, sizeof(bn->last_reply), "%d %s", r->code,
                 r->reply);
    xgrow(&bn->spare, &bn->alloc, bn->nspare + 1, sizeof(*bn->spare));
    bn->spare[bn->nspare++] = m;
}

int
main(int argc, char **argv)
{
    struct bench bn;
    struct smtp_options o;
    struct err e = ERR_INIT;
    struct timespec t0, t1;
    double secs;
    int connections, rc;

    if (argc != 5) {
        fprintf(stderr, "usage: smtp_bench URL COUNT SIZE CONNECTIONS\n");
        return 64;
    }
    memset(&bn, 0, sizeof(bn));
    memset(&o, 0, sizeof(o));
    buf_init(&bn.body);
    bn.count = atol(argv[2]);
    make_body(&bn.body, (size_t)atol(argv[3]));
    connections = atoi(argv[4]);
    o.url = argv[1];
    o.tls = SMTP_TLS_NONE;
    o.envelope_from = "bounces@example.org";
    o.helo_domain = "bench.example.org";
    o.connect_timeout_s = 10;
    o.response_timeout_s = 30;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = smtp_run(&o, connections, 0, next, done, &bn, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("smtp_bench: %ld messages of %zu bytes over %d connections in "
           "%.2f s: %.0f msg/s (sent %ld, tempfail %ld, permfail %ld)\n",
           bn.next, bn.body.len, connections, secs, (double)bn.sent / secs,
           bn.sent, bn.tempfail, bn.permfail);
    if (bn.last_reply[0])
        printf("smtp_bench: last failure: %s\n", bn.last_reply);
    if (rc < 0)
        fprintf(stderr, "smtp_bench: %s\n", e.msg);
    while (bn.nspare > 0) {
        buf_release(bn.spare[--bn.nspare]);
        free(bn.spare[bn.nspare]);
    }
    free(bn.spare);
    buf_release(&bn.body);
    return rc < 0 || bn.sent != bn.count ? 1 : 0;
}

/*
 * err: the error value and its one mapping to exit codes.
 *
 * Fallible functions return 0 on success and -1 on failure, filling an
 * optional caller-owned struct err.  Nothing is allocated, so reporting works
 * even when memory is short.  Only cmd_* turns an error into an exit code,
 * through err_exit_code() (sysexits.h values).
 */
#ifndef ARCTIC_DIGEST_ERR_H
#define ARCTIC_DIGEST_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_USAGE,       /* 64 EX_USAGE: bad command line */
    ERR_DATA,        /* 65 EX_DATAERR: bad input data */
    ERR_NOINPUT,     /* 66 EX_NOINPUT: missing input file */
    ERR_UNAVAILABLE, /* 69 EX_UNAVAILABLE: a service is unavailable */
    ERR_INTERNAL,    /* 70 EX_SOFTWARE: our own bug */
    ERR_CANTCREAT,   /* 73 EX_CANTCREAT: cannot create output */
    ERR_IO,          /* 74 EX_IOERR */
    ERR_TEMP,        /* 75 EX_TEMPFAIL: run again later */
    ERR_PROTOCOL,    /* 76 EX_PROTOCOL: remote spoke nonsense */
    ERR_CONFIG       /* 78 EX_CONFIG: bad configuration */
};

struct err {
    enum err_code code;
    int detail;    /* errno, HTTP status or SMTP reply code; 0 if none */
    char msg[256]; /* "feed 'arctic-today': no <channel> element" */
};

#define ERR_INIT {ERR_OK, 0, ""}

/* Fill e (may be NULL) and return -1, so a failure is one line. */
int err_set(struct err *e, enum err_code code, int detail, const char *fmt,
            ...) __attribute__((format(printf, 4, 5)));

/* Prepend "<context>: " to e->msg (e may be NULL).  Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The sysexits.h code for an error code (0 for ERR_OK). */
int err_exit_code(enum err_code code);

#endif

/*
 * local_http.h: start and stop tests/servers/http_server.py for a cmocka
 * group (the port is read from its first stdout line).  Include after
 * <cmocka.h> and "oracle.h".
 */
#ifndef AD_TEST_LOCAL_HTTP_H
#define AD_TEST_LOCAL_HTTP_H

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3"

extern char **environ;

/* The local server of tests/servers/http_server.py. */
struct server {
    pid_t pid;
    int port;
    const char *skip; /* why the tests skip, or NULL */
};

static struct server srv;


/* Read the first stdout line of the server: its port. */
static inline int
read_port(int fd)
{
    char line[32];
    size_t n = 0;
    struct pollfd p = {fd, POLLIN, 0};

    while (n < sizeof(line) - 1) {
        ssize_t r;

        if (poll(&p, 1, 10000) <= 0)
            return -1;
        r = read(fd, line + n, 1);
        if (r <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    return atoi(line);
}

static inline int
start_server(void **state)
{
    const char *fixtures = getenv("AD_FIXTURES");
    char script[4096];
    char *argv[] = {PYTHON, script, "--slow-seconds", "5", "--huge-bytes",
                    "3145728", NULL};
    posix_spawn_file_actions_t fa;
    int pipefd[2];

    (void)state;
    srv.pid = 0;
    srv.skip = NULL;
    if (access(PYTHON, X_OK) != 0) {
        srv.skip = PYTHON " is missing: no local HTTP server";
        return 0;
    }
    if (fixtures == NULL || pipe(pipefd) != 0)
        return -1;
    snprintf(script, sizeof(script), "%s/../servers/http_server.py", fixtures);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    posix_spawn_file_actions_addclose(&fa, pipefd[1]);
    if (posix_spawn(&srv.pid, PYTHON, &fa, NULL, argv, environ) != 0)
        srv.pid = 0;
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    srv.port = srv.pid ? read_port(pipefd[0]) : -1;
    close(pipefd[0]);
    return srv.port > 0 ? 0 : -1;
}

static inline int
stop_server(void **state)
{
    (void)state;
    if (srv.pid > 0) {
        kill(srv.pid, SIGTERM);
        waitpid(srv.pid, NULL, 0);
        srv.pid = 0;
    }
    return 0;
}

#define SKIP_WITHOUT_SERVER()                                                  \
    do {                                                                       \
        if (srv.skip != NULL)                                                  \
            oracle_missing("%s", srv.skip);                                    \
    } while (0)

#endif

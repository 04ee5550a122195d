/*
 * process.c: the few process primitives Lua lacks, so that filters can be
 * tried in a child process: fork, wait, _exit, execv, pipes, resource
 * limits, bounded reads, and pidfds to follow processes without pid reuse
 * races.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lua_seccomp.h"

/* fork() -> pid, 0 in the child. Lua's buffered output is flushed first
 * so the child does not print the parent's pending text again. */
static int l_fork(lua_State *L)
{
    pid_t pid;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return lsc_fail(L, "fork", NULL, errno, NULL);
    lua_pushinteger(L, pid);
    return 1;
}

/* wait(pid) -> "exit", code | "signal", signo */
static int l_wait(lua_State *L)
{
    pid_t pid = (pid_t)lsc_check_range(L, 1, "wait", NULL, "pid", 1, 0x7fffffff);
    int status;
    pid_t got;
    do {
        got = waitpid(pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0)
        return lsc_fail(L, "wait", NULL, errno, NULL);
    if (WIFEXITED(status)) {
        lua_pushliteral(L, "exit");
        lua_pushinteger(L, WEXITSTATUS(status));
    } else {
        lua_pushliteral(L, "signal");
        lua_pushinteger(L, WTERMSIG(status));
    }
    return 2;
}

/* exit(code): _exit, so a child never runs its parent's atexit handlers */
static int l_exit(lua_State *L)
{
    int code = (int)lsc_check_range(L, 1, "exit", NULL, "exit code", 0, 255);
    _exit(code);
    return 0;
}

/* execv(path, { argv0, ... }): returns only by raising */
static int l_execv(lua_State *L)
{
    const char *path = lsc_check_string(L, 1, "execv", NULL, "path", NULL);
    char **argv;
    int i, n, err;
    lsc_check_table(L, 2, "execv", path, "argv");
    n = (int)lua_rawlen(L, 2);
    argv = lua_newuserdata(L, ((size_t)n + 1) * sizeof *argv);
    for (i = 0; i < n; i++) {
        lua_rawgeti(L, 2, i + 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            return lsc_fail(L, "execv", path, EINVAL, "arguments must be strings");
        /* the table keeps it alive; a NUL byte would cut it short */
        argv[i] = (char *)lsc_check_string(L, -1, "execv", path, "argument",
                                           NULL);
        lua_pop(L, 1);
    }
    argv[n] = NULL;
    fflush(NULL);
    execv(path, argv);
    err = errno;
    return lsc_fail(L, "execv", path, err, NULL);
}

/* kill(pid, signo) */
static int l_kill(lua_State *L)
{
    pid_t pid = (pid_t)lsc_check_range(L, 1, "kill", NULL, "pid", 1, 0x7fffffff);
    int sig = (int)lsc_check_range(L, 2, "kill", NULL, "signal", 0, 64);
    if (kill(pid, sig) < 0)
        return lsc_fail(L, "kill", NULL, errno, NULL);
    return 0;
}

/* pipe() -> read_fd, write_fd (close-on-exec) */
static int l_pipe(lua_State *L)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return lsc_fail(L, "pipe", NULL, errno, NULL);
    lua_pushinteger(L, fds[0]);
    lua_pushinteger(L, fds[1]);
    return 2;
}

static int check_fd(lua_State *L, int idx, const char *op)
{
    return (int)lsc_check_range(L, idx, op, NULL, "fd", 0, 0x7fffffff);
}

/* read(fd) -> everything until end of file */
static int l_read(lua_State *L)
{
    int fd = check_fd(L, 1, "read");
    luaL_Buffer b;
    ssize_t got;
    luaL_buffinit(L, &b);
    for (;;) {
        char *p = luaL_prepbuffer(&b);
        got = read(fd, p, LUAL_BUFFERSIZE);
        if (got > 0)
            luaL_addsize(&b, (size_t)got);
        else if (got == 0)
            break;
        else if (errno != EINTR)
            return lsc_fail(L, "read", NULL, errno, NULL);
    }
    luaL_pushresult(&b);
    return 1;
}

/* write(fd, s) writes all of s */
static int l_write(lua_State *L)
{
    int fd = check_fd(L, 1, "write");
    size_t len, done = 0;
    const char *s = lsc_check_string(L, 2, "write", NULL, "data", &len);
    while (done < len) {
        ssize_t n = write(fd, s + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return lsc_fail(L, "write", NULL, errno, NULL);
        done += (size_t)n;
    }
    return 0;
}

/* dup2(old, new): so a child's stderr can go to a pipe */
static int l_dup2(lua_State *L)
{
    int from = check_fd(L, 1, "dup2"), to = check_fd(L, 2, "dup2");
    if (dup2(from, to) < 0)
        return lsc_fail(L, "dup2", NULL, errno, NULL);
    return 0;
}

static int l_close_fd(lua_State *L)
{
    if (close(check_fd(L, 1, "close_fd")) < 0)
        return lsc_fail(L, "close_fd", NULL, errno, NULL);
    return 0;
}


/* Resource names setrlimit accepts, and their RLIMIT_ numbers. */
static const char *const rlimit_names[] = {
    "cpu", "data", "as", "fsize", "nofile", "core", "nproc", "stack", NULL
};
static const int rlimit_values[] = {
    RLIMIT_CPU, RLIMIT_DATA, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE,
    RLIMIT_CORE, RLIMIT_NPROC, RLIMIT_STACK
};

/* setrlimit(name, soft[, hard]): hard defaults to soft; a limit may only
 * be lowered below the current hard one unless privileged. */
static int l_setrlimit(lua_State *L)
{
    int i = lsc_check_option(L, 1, "setrlimit", NULL, "resource", rlimit_names,
                             "resource is cpu, data, as, fsize, nofile, core, nproc or stack");
    const char *name = rlimit_names[i];
    struct rlimit rl;
    rl.rlim_cur = (rlim_t)lsc_check_range(L, 2, "setrlimit", name, "soft limit",
                                          0, INT64_MAX);
    rl.rlim_max = lua_isnoneornil(L, 3) ? rl.rlim_cur :
        (rlim_t)lsc_check_range(L, 3, "setrlimit", name, "hard limit", 0, INT64_MAX);
    if (rl.rlim_cur > rl.rlim_max)
        return lsc_fail(L, "setrlimit", name, EINVAL, "soft limit above hard limit");
    if (setrlimit(rlimit_values[i], &rl) < 0)
        return lsc_fail(L, "setrlimit", name, errno, NULL);
    return 0;
}

/* memory_usage() -> address space bytes, data bytes (what RLIMIT_AS and
 * RLIMIT_DATA count), from /proc/self/statm. */
static int l_memory_usage(lua_State *L)
{
    unsigned long size = 0, resident, shared, text, lib, data = 0;
    long page = sysconf(_SC_PAGESIZE);
    FILE *fp = fopen("/proc/self/statm", "re");
    int n;
    if (fp == NULL)
        return lsc_fail(L, "memory_usage", "/proc/self/statm", errno, NULL);
    n = fscanf(fp, "%lu %lu %lu %lu %lu %lu", &size, &resident, &shared, &text,
               &lib, &data);
    fclose(fp);
    if (n != 6 || page <= 0)
        return lsc_fail(L, "memory_usage", "/proc/self/statm", EPROTO,
                        "unexpected format");
    lua_pushinteger(L, (lua_Integer)size * page);
    lua_pushinteger(L, (lua_Integer)data * page);
    return 2;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* read_bounded(fd, timeout_ms, limit) -> data, "eof" | "timeout" | "limit":
 * what fd gives until end of file, for at most timeout_ms in all and at
 * most limit bytes (more makes it stop with "limit"), so a writer that
 * never ends or writes too much cannot hold or exhaust the reader. */
static int l_read_bounded(lua_State *L)
{
    int fd = check_fd(L, 1, "read_bounded");
    int64_t timeout = lsc_check_range(L, 2, "read_bounded", NULL, "timeout", 0,
                                      INT32_MAX);
    int64_t limit = lsc_check_range(L, 3, "read_bounded", NULL, "limit", 0,
                                    INT32_MAX);
    int64_t deadline = now_ms() + timeout, total = 0;
    const char *how = "eof";
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (;;) {
        struct pollfd p;
        int64_t left = deadline - now_ms();
        ssize_t got;
        char *buf;
        int rc;
        if (left <= 0) {
            how = "timeout";
            break;
        }
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return lsc_fail(L, "read_bounded", NULL, errno, NULL);
        if (rc == 0) {
            how = "timeout";
            break;
        }
        buf = luaL_prepbuffer(&b);
        got = read(fd, buf, LUAL_BUFFERSIZE);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return lsc_fail(L, "read_bounded", NULL, errno, NULL);
        if (got == 0)
            break;
        if (total + got > limit) {
            how = "limit";
            break;
        }
        total += got;
        luaL_addsize(&b, (size_t)got);
    }
    luaL_pushresult(&b);
    lua_pushstring(L, how);
    return 2;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* pidfd_open(pid) -> fd (close-on-exec) that names this process (or
 * thread: a thread id gives a thread pidfd) until it is closed, whatever
 * reuses its number.  Raises ESRCH when there is no such process. */
static int l_pidfd_open(lua_State *L)
{
    pid_t pid = (pid_t)lsc_check_range(L, 1, "pidfd_open", NULL, "pid", 1, 0x7fffffff);
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0 && errno == EINVAL)  /* not a thread group leader */
        fd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
    if (fd < 0)
        return lsc_fail(L, "pidfd_open", NULL, errno, NULL);
    lua_pushinteger(L, fd);
    return 1;
}

/* pidfd_kill(fd, signo) -> whether the signal was sent (false when the
 * process has already ended). */
static int l_pidfd_kill(lua_State *L)
{
    int fd = check_fd(L, 1, "pidfd_kill");
    int sig = (int)lsc_check_range(L, 2, "pidfd_kill", NULL, "signal", 0, 64);
    if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
        if (errno == ESRCH) {
            lua_pushboolean(L, 0);
            return 1;
        }
        return lsc_fail(L, "pidfd_kill", NULL, errno, NULL);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* poll({ fd, ... }, timeout_ms) -> { [i] = true for each fd that is
 * readable, hung up or has ended (a pidfd) }; empty after the timeout
 * (-1 waits for ever). */
static int l_poll(lua_State *L)
{
    struct pollfd *p;
    int i, n, rc;
    int64_t timeout;
    lsc_check_table(L, 1, "poll", NULL, "fds");
    timeout = lsc_check_range(L, 2, "poll", NULL, "timeout", -1, INT32_MAX);
    n = (int)lua_rawlen(L, 1);
    if (n > 4096)
        return lsc_fail(L, "poll", NULL, EINVAL, "at most 4096 descriptors");
    p = lua_newuserdata(L, ((size_t)n + 1) * sizeof *p);
    for (i = 0; i < n; i++) {
        lua_rawgeti(L, 1, i + 1);
        p[i].fd = (int)lsc_check_range(L, -1, "poll", NULL, "fd", 0, 0x7fffffff);
        p[i].events = POLLIN;
        p[i].revents = 0;
        lua_pop(L, 1);
    }
    do
        rc = poll(p, (nfds_t)n, (int)timeout);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return lsc_fail(L, "poll", NULL, errno, NULL);
    lua_createtable(L, n, 0);
    for (i = 0; i < n; i++) {
        if (p[i].revents & POLLNVAL)
            return lsc_fail(L, "poll", NULL, EBADF, NULL);
        if (p[i].revents != 0) {
            lua_pushboolean(L, 1);
            lua_rawseti(L, -2, i + 1);
        }
    }
    return 1;
}

const luaL_Reg lsc_process_functions[] = {
    {"fork", l_fork},
    {"wait", l_wait},
    {"exit", l_exit},
    {"execv", l_execv},
    {"kill", l_kill},
    {"pipe", l_pipe},
    {"read", l_read},
    {"write", l_write},
    {"close_fd", l_close_fd},
    {"dup2", l_dup2},
    {"setrlimit", l_setrlimit},
    {"memory_usage", l_memory_usage},
    {"read_bounded", l_read_bounded},
    {"pidfd_open", l_pidfd_open},
    {"pidfd_kill", l_pidfd_kill},
    {"poll", l_poll},
    {NULL, NULL}
};

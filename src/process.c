/*
 * process.c: the few process primitives Lua lacks, so that filters can be
 * tried in a child process: fork, wait, _exit, execv, pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        argv[i] = (char *)lua_tostring(L, -1);  /* the table keeps it alive */
        lua_pop(L, 1);
    }
    argv[n] = NULL;
    fflush(NULL);
    execv(path, argv);
    err = errno;
    return lsc_fail(L, "execv", path, err, NULL);
}

static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, getpid());
    return 1;
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

static const luaL_Reg process_functions[] = {
    {"fork", l_fork},
    {"wait", l_wait},
    {"exit", l_exit},
    {"execv", l_execv},
    {"getpid", l_getpid},
    {"kill", l_kill},
    {"pipe", l_pipe},
    {"read", l_read},
    {"write", l_write},
    {"close_fd", l_close_fd},
    {"dup2", l_dup2},
    {NULL, NULL}
};

void lsc_open_process(lua_State *L)
{
    lua_pushvalue(L, -2);
    luaL_setfuncs(L, process_functions, 0);
    lua_pop(L, 1);
}

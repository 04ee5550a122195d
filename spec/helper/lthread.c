/*
 * lthread: test-only Lua module that keeps one extra thread waiting, so a
 * spec can load a filter while a second thread exists and then ask that
 * thread to make a system call (filter thread sync). Built into
 * build/spec/lthread.so and loaded with package.loadlib; never installed.
 *
 *   local t = lthread.start()     -- the thread now waits
 *   local ret, err = t:call(nr)   -- it makes syscall nr and ends
 *   local ret, err = lthread.here(nr)  -- the same call in this thread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lua.h"
#include "lauxlib.h"
#include "lua_compat.h"

/* 5.4's user values; none are used here. */
#if LUA_VERSION_NUM < 504
#define lua_newuserdatauv(L, size, n) lua_newuserdata((L), (size))
#endif

typedef struct waiter {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int go, started, joined;
    long nr, ret;
    int err;
} waiter;

static void *run(void *arg)
{
    waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->go)
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    errno = 0;
    w->ret = syscall(w->nr);
    w->err = w->ret < 0 ? errno : 0;
    return NULL;
}

static int l_start(lua_State *L)
{
    waiter *w = lua_newuserdatauv(L, sizeof *w, 0);
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    luaL_setmetatable(L, "lthread.waiter");
    if (pthread_create(&w->thread, NULL, run, w) != 0)
        return luaL_error(L, "lthread: pthread_create failed");
    w->started = 1;
    return 1;
}

static int l_call(lua_State *L)
{
    waiter *w = luaL_checkudata(L, 1, "lthread.waiter");
    if (!w->started || w->joined)
        return luaL_error(L, "lthread: thread already used");
    w->nr = (long)luaL_checkinteger(L, 2);
    pthread_mutex_lock(&w->lock);
    w->go = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->joined = 1;
    lua_pushinteger(L, w->ret);
    lua_pushinteger(L, w->err);
    return 2;
}

static int l_here(lua_State *L)
{
    long ret;
    int err;
    errno = 0;
    ret = syscall((long)luaL_checkinteger(L, 1));
    err = ret < 0 ? errno : 0;
    lua_pushinteger(L, ret);
    lua_pushinteger(L, err);
    return 2;
}

int luaopen_lthread(lua_State *L);

int luaopen_lthread(lua_State *L)
{
    static const luaL_Reg methods[] = {{"call", l_call}, {NULL, NULL}};
    static const luaL_Reg funcs[] = {
        {"start", l_start}, {"here", l_here}, {NULL, NULL}
    };
    luaL_newmetatable(L, "lthread.waiter");
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    luaL_newlib(L, funcs);
    return 1;
}

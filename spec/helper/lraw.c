/*
 * lraw: test-only Lua module that makes system calls and loads seccomp
 * programs with nothing of the library in between, so specs can compare
 * what the library decides with what the kernel does. Built into
 * build/spec/lraw.so and loaded with package.loadlib before any filter
 * is loaded; never installed.
 *
 *   local ret, err = lraw.syscall_raw(nr, a0, ..., a5)  -- exactly one call
 *   lraw.bpf_load(program)  -- no_new_privs, then seccomp(2) with it
 *   lraw.getpid()
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua.h"
#include "lauxlib.h"
#include "lua_compat.h"

/* syscall_raw(nr, args...) -> result, errno.  Issues exactly the call the
 * simulator reasons about (native ABI, all six registers set, the ones
 * not given 0). */
static int l_syscall_raw(lua_State *L)
{
    long a[6] = { 0, 0, 0, 0, 0, 0 };
    long nr = (long)luaL_checkinteger(L, 1);
    long r;
    int i;
    for (i = 0; i < 6; i++)
        if (!lua_isnoneornil(L, i + 2))
            a[i] = (long)luaL_checkinteger(L, i + 2);
    errno = 0;
    r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    lua_pushinteger(L, r);
    lua_pushinteger(L, r == -1 ? errno : 0);
    return 2;
}

/* bpf_load(program): load a raw seccomp program (one exported earlier,
 * say) into this process, with no_new_privs set first.  The kernel alone
 * judges it (none of the simulator's checks), so specs can compare the
 * simulator's refusals with the kernel's.  Raises when it is refused. */
static int l_bpf_load(lua_State *L)
{
    size_t len;
    const char *bpf = luaL_checklstring(L, 1, &len);
    struct sock_filter prog[BPF_MAXINSNS];
    struct sock_fprog fprog;
    if (len % sizeof(struct sock_filter) != 0 || len == 0 ||
        len / sizeof(struct sock_filter) > BPF_MAXINSNS)
        return luaL_error(L, "bpf_load: not a whole program of 1..4096 instructions");
    memcpy(prog, bpf, len);
    fprog.len = (unsigned short)(len / sizeof(struct sock_filter));
    fprog.filter = prog;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return luaL_error(L, "bpf_load: no_new_privs: %s", strerror(errno));
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
        return luaL_error(L, "bpf_load: the kernel refused the program: %s",
                          strerror(errno));
    return 0;
}

static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, getpid());
    return 1;
}

int luaopen_lraw(lua_State *L);

int luaopen_lraw(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"syscall_raw", l_syscall_raw},
        {"bpf_load", l_bpf_load},
        {"getpid", l_getpid},
        {NULL, NULL}
    };
    luaL_newlib(L, funcs);
    return 1;
}

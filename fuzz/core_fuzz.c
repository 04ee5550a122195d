/*
 * core_fuzz.c: a libFuzzer harness over the C core's rule, validation,
 * attribute, architecture and export paths (`make fuzz`).
 *
 * Each input is read as a little program of filter operations with
 * arguments of every Lua type. The operations go through the core's own
 * Lua functions, as a script would call them. Nothing is ever loaded into
 * the kernel. Besides the sanitizers, the harness checks one invariant:
 * a call that raises leaves the filter's rule count and export unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

int luaopen_seccomp_core(lua_State *L);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static unsigned take(input *in)
{
    unsigned b;
    if (in->n == 0)
        return 0;
    b = *in->p++;
    in->n--;
    return b;
}

static uint64_t take64(input *in)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8; i++)
        v = (v << 8) | take(in);
    return v;
}

static const char *const syscalls[] = {
    "read", "write", "openat", "ioctl", "socket", "socketcall", "mmap",
    "clone3", "getpid", "bogus_call", "", "exit_group"
};
static const char *const actions[] = {
    "allow", "kill", "kill_process", "kill_thread", "trap", "log", "notify",
    "errno", "nope"
};
static const char *const ops[] = {
    "eq", "ne", "lt", "le", "gt", "ge", "masked_eq", "bad"
};
static const char *const attrs[] = {
    "default_action", "badarch_action", "no_new_privs", "tsync", "tskip",
    "log", "ssb", "optimize", "rawrc", "unknown"
};
static const char *const arches[] = {
    "native", "x86", "x86_64", "x32", "arm", "aarch64", "riscv64", "vax"
};

#define PICK(in, list) (list[take(in) % (sizeof list / sizeof list[0])])

/* Pushes one value of any Lua type, biased towards valid ones. */
static void push_value(lua_State *L, input *in, int kind)
{
    switch (kind % 10) {
    case 0: lua_pushnil(L); break;
    case 1: lua_pushboolean(L, (int)(take(in) & 1)); break;
    case 2: {
        double d;
        uint64_t bits = take64(in);
        memcpy(&d, &bits, sizeof d);
        lua_pushnumber(L, d);
        break;
    }
    case 3: {
        char s[16];
        size_t len = take(in) % sizeof s, i;
        for (i = 0; i < len; i++)
            s[i] = (char)take(in);
        lua_pushlstring(L, s, len);
        break;
    }
    case 4: lua_newtable(L); break;
    default: lua_pushinteger(L, (lua_Integer)take64(in)); break;
    }
}

static void push_action(lua_State *L, input *in)
{
    const char *a = PICK(in, actions);
    if (strcmp(a, "errno") == 0)
        lua_pushinteger(L, (lua_Integer)(0x00050000U | (take(in) << 4)));
    else if (take(in) % 8 == 0)
        push_value(L, in, take(in));
    else
        lua_pushstring(L, a);
}

static void push_syscall(lua_State *L, input *in)
{
    unsigned k = take(in) % 4;
    if (k == 0)
        push_value(L, in, take(in));
    else if (k == 1) {
        lua_newtable(L);
        lua_pushstring(L, PICK(in, syscalls));
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, PICK(in, syscalls));
        lua_rawseti(L, -2, 2);
    } else
        lua_pushstring(L, PICK(in, syscalls));
}

static void push_cmp(lua_State *L, input *in)
{
    if (take(in) % 16 == 0) {
        push_value(L, in, take(in));
        return;
    }
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)(take(in) % 8) - 1);
    lua_setfield(L, -2, "arg");
    lua_pushstring(L, PICK(in, ops));
    lua_setfield(L, -2, "op");
    lua_pushinteger(L, take(in) & 1 ? 32 : 64);
    lua_setfield(L, -2, "bits");
    push_value(L, in, take(in) % 4 == 0 ? take(in) : 5);
    lua_setfield(L, -2, "a");
    push_value(L, in, take(in) % 4 == 0 ? take(in) : 5);
    lua_setfield(L, -2, "b");
}

/* FUZZ_TRACE=1 prints each call of an input, to turn a crash into a spec. */
static void trace(lua_State *L, const char *name, int nargs)
{
    int i;
    if (getenv("FUZZ_TRACE") == NULL)
        return;
    fprintf(stderr, "f:%s(", name);
    for (i = nargs; i >= 1; i--) {
        int t = lua_gettop(L) - i + 1;
        if (lua_type(L, t) == LUA_TTABLE) {
            fprintf(stderr, "{");
            lua_pushnil(L);
            while (lua_next(L, t)) {
                lua_pushvalue(L, -2);
                fprintf(stderr, "[%s]=", luaL_tolstring(L, -1, NULL));
                lua_pop(L, 2);
                fprintf(stderr, "%s, ", luaL_tolstring(L, -1, NULL));
                lua_pop(L, 2);
            }
            fprintf(stderr, "}");
        } else if (lua_type(L, t) == LUA_TSTRING) {
            size_t len, k;
            const char *str = lua_tolstring(L, t, &len);
            fputc('"', stderr);
            for (k = 0; k < len; k++)
                fprintf(stderr, "\\%d", (unsigned char)str[k]);
            fputc('"', stderr);
        } else {
            fprintf(stderr, "%s", luaL_tolstring(L, t, NULL));
            lua_pop(L, 1);
        }
        fprintf(stderr, i > 1 ? ", " : "");
    }
    fprintf(stderr, ")\n");
}

/* Calls methods[name](f, ...) with nargs values already pushed. */
static int call(lua_State *L, int methods, const char *name, int f, int nargs)
{
    trace(L, name, nargs);
    lua_getfield(L, methods, name);
    lua_pushvalue(L, f);
    lua_rotate(L, -(nargs + 2), 2);
    return lua_pcall(L, nargs + 1, 1, 0);
}

static int rule_count(lua_State *L, int methods, int f)
{
    int n = -1;
    if (call(L, methods, "rule_count", f, 0) == LUA_OK)
        n = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return n;
}

static lua_State *state;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = { data, size };
    lua_State *L;
    int core, methods, f, g, steps;
    if (state == NULL) {
        state = luaL_newstate();
        luaL_openlibs(state);
        luaL_requiref(state, "seccomp.core", luaopen_seccomp_core, 0);
        lua_pop(state, 1);
    }
    L = state;
    lua_settop(L, 0);
    luaL_requiref(L, "seccomp.core", luaopen_seccomp_core, 0);
    core = lua_gettop(L);
    lua_getfield(L, core, "methods");
    methods = lua_gettop(L);
    lua_getfield(L, core, "filter");
    push_action(L, &in);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK)
        return 0;
    f = lua_gettop(L);
    lua_getfield(L, core, "filter");
    lua_pushstring(L, "allow");
    lua_call(L, 1, 1);
    g = lua_gettop(L);

    for (steps = 0; in.n > 0 && steps < 64; steps++) {
        int before = rule_count(L, methods, f), rc = LUA_OK, nargs, i;
        switch (take(&in) % 10) {
        case 0: case 1: case 2:
            push_action(L, &in);
            push_syscall(L, &in);
            nargs = (int)(take(&in) % 8);
            for (i = 0; i < nargs; i++)
                push_cmp(L, &in);
            rc = call(L, methods, take(&in) & 1 ? "add_rule" : "add_rule_exact",
                      f, nargs + 2);
            break;
        case 3:
            push_syscall(L, &in);
            push_value(L, &in, take(&in));
            rc = call(L, methods, "priority", f, 2);
            break;
        case 4:
            lua_pushstring(L, PICK(&in, attrs));
            if (take(&in) & 1)
                push_action(L, &in);
            else
                push_value(L, &in, take(&in));
            rc = call(L, methods, "set", f, 2);
            break;
        case 5:
            lua_pushstring(L, PICK(&in, attrs));
            rc = call(L, methods, "get", f, 1);
            break;
        case 6:
            lua_pushstring(L, PICK(&in, arches));
            rc = call(L, methods, take(&in) & 1 ? "arch_add" : "arch_remove", f, 1);
            break;
        case 7:
            rc = call(L, methods, take(&in) & 1 ? "pfc" : "bpf", f, 0);
            break;
        case 8:
            lua_pushvalue(L, g);
            rc = call(L, methods, "merge", f, 1);
            break;
        default:
            push_action(L, &in);
            rc = call(L, methods, take(&in) % 8 == 0 ? "close" : "reset", f, 1);
            break;
        }
        lua_pop(L, 1);
        /* A call that raised must not have added or dropped a rule. */
        if (rc != LUA_OK && before >= 0 && rule_count(L, methods, f) != before)
            abort();
    }
    call(L, methods, "close", g, 0);
    lua_pop(L, 1);
    call(L, methods, "close", f, 0);
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    return 0;
}

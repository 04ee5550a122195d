/*
 * actions.c: what a rule does. Actions travel as libseccomp's own
 * uint32 values (SCMP_ACT_*), so errno(n) and trace(n) are plain integers
 * on the Lua side; names are accepted wherever an action is.
 */
#include <errno.h>
#include <stdio.h>

#include "lua_seccomp.h"

/* The kernel clamps errno values to MAX_ERRNO (4095), and libseccomp 2.5
 * refuses 4095 itself, so 4094 is the largest delivered as written. */
#define LSC_MAX_ERRNO 4094

/* errno 0 makes a refused call look like it succeeded, so its value on
 * the Lua side is only what seccomp.errno(0, { zero = true }) returns: the
 * action with a bit above 32 set, which a raw SCMP_ACT_ERRNO_BASE lacks. */
#define LSC_ACT_ERRNO_ZERO (((lua_Integer)1 << 32) | SCMP_ACT_ERRNO(0))

#define ACT_DATA(a) ((a) & 0x0000ffffU)
#define ACT_KIND(a) ((a) & 0xffff0000U)

static const char *const action_names[] = {
    "allow", "kill", "kill_process", "kill_thread", "trap", "log", "notify",
    NULL
};
static const uint32_t action_values[] = {
    SCMP_ACT_ALLOW, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_PROCESS,
    SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_LOG, SCMP_ACT_NOTIFY
};

static int valid_action(uint32_t a)
{
    switch (ACT_KIND(a)) {
    case SCMP_ACT_ALLOW: case SCMP_ACT_KILL_PROCESS: case SCMP_ACT_TRAP:
    case SCMP_ACT_LOG: case SCMP_ACT_NOTIFY: case SCMP_ACT_KILL_THREAD:
        return ACT_DATA(a) == 0;
    case SCMP_ACT_ERRNO(0):
        return ACT_DATA(a) <= LSC_MAX_ERRNO;
    case SCMP_ACT_TRACE(0):
        return 1;
    default:
        return 0;
    }
}

uint32_t lsc_check_action(lua_State *L, int idx, const char *op)
{
    if (lua_type(L, idx) == LUA_TSTRING)
        return action_values[lsc_check_option(L, idx, op, NULL, "action",
            action_names, "unknown action (allow, kill, kill_process, "
            "kill_thread, trap, log, notify, seccomp.errno(n), seccomp.trace(n))")];
    {
        int64_t v = lsc_check_integer(L, idx, op, NULL, "action");
        if (v == LSC_ACT_ERRNO_ZERO)
            return SCMP_ACT_ERRNO(0);
        if (v == (int64_t)SCMP_ACT_ERRNO(0))
            lsc_fail(L, op, NULL, EINVAL, "the raw action errno 0 fakes "
                     "success; use seccomp.errno(0, { zero = true }) to mean it");
        if (v < 0 || v > 0xffffffffLL || !valid_action((uint32_t)v)) {
            char detail[64];
            snprintf(detail, sizeof detail, "invalid action value 0x%llx",
                     (unsigned long long)v);
            lsc_fail(L, op, NULL, EINVAL, detail);
        }
        return (uint32_t)v;
    }
}

/* Pushes the action as the Lua side holds it (see LSC_ACT_ERRNO_ZERO). */
void lsc_push_action_value(lua_State *L, uint32_t a)
{
    lua_pushinteger(L, a == SCMP_ACT_ERRNO(0) ? LSC_ACT_ERRNO_ZERO
                                              : (lua_Integer)a);
}

/* Pushes the action's name and, for errno and trace, its data. */
int lsc_push_action(lua_State *L, uint32_t a)
{
    switch (ACT_KIND(a)) {
    case SCMP_ACT_ALLOW: lua_pushliteral(L, "allow"); return 1;
    case SCMP_ACT_KILL_PROCESS: lua_pushliteral(L, "kill_process"); return 1;
    case SCMP_ACT_KILL_THREAD: lua_pushliteral(L, "kill_thread"); return 1;
    case SCMP_ACT_TRAP: lua_pushliteral(L, "trap"); return 1;
    case SCMP_ACT_LOG: lua_pushliteral(L, "log"); return 1;
    case SCMP_ACT_NOTIFY: lua_pushliteral(L, "notify"); return 1;
    case SCMP_ACT_ERRNO(0):
        lua_pushliteral(L, "errno");
        lua_pushinteger(L, (lua_Integer)ACT_DATA(a));
        return 2;
    case SCMP_ACT_TRACE(0):
        lua_pushliteral(L, "trace");
        lua_pushinteger(L, (lua_Integer)ACT_DATA(a));
        return 2;
    default:
        lua_pushliteral(L, "unknown");
        return 1;
    }
}

/* "allow", "errno(13)", "trace(7)": an action in one string */
void lsc_push_action_text(lua_State *L, uint32_t action)
{
    if (lsc_push_action(L, action) == 2) {
        lua_pushfstring(L, "%s(%d)", lua_tostring(L, -2), (int)lua_tointeger(L, -1));
        lua_replace(L, -3);
        lua_pop(L, 1);
    }
}

/* errno(n | "ENAME" [, { zero = true }]) -> action value */
static int l_errno(lua_State *L)
{
    int64_t n;
    if (lua_type(L, 1) == LUA_TSTRING) {
        size_t len;
        const char *name = lua_tolstring(L, 1, &len);
        int v = lsc_errno_value(name, len);
        if (v < 0)
            return lsc_fail(L, "errno", lsc_push_subject(L, name, len), EINVAL,
                            "unknown errno name");
        n = v;
    } else {
        n = lsc_check_integer(L, 1, "errno", NULL, "errno");
        if (n < 0 || n > LSC_MAX_ERRNO)
            return lsc_fail(L, "errno", NULL, ERANGE, lua_pushfstring(L,
                            "errno %s is out of range 1..%d (0 only with "
                            "{ zero = true })", lua_tostring(L, 1), LSC_MAX_ERRNO));
    }
    if (n == 0) {
        /* errno 0 makes a refused call look like it succeeded: callers
         * must say they mean it. */
        int zero_ok = 0;
        if (lua_type(L, 2) == LUA_TTABLE) {
            lua_pushliteral(L, "zero");
            lua_rawget(L, 2);
            zero_ok = lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
        if (!zero_ok)
            return lsc_fail(L, "errno", "0", EINVAL,
                            "errno 0 fakes success; pass { zero = true } to mean it");
    }
    lsc_push_action_value(L, SCMP_ACT_ERRNO((uint32_t)n));
    return 1;
}

/* trace(n) -> action value; n is the 16-bit value the tracer sees */
static int l_trace(lua_State *L)
{
    int64_t n = lsc_check_range(L, 1, "trace", NULL, "trace value", 0, 65535);
    lua_pushinteger(L, (lua_Integer)SCMP_ACT_TRACE((uint32_t)n));
    return 1;
}

/* action(x) -> validated action value, from a name or a value */
static int l_action(lua_State *L)
{
    lsc_push_action_value(L, lsc_check_action(L, 1, "action"));
    return 1;
}

/* action_name(value) -> "errno", 13 */
static int l_action_name(lua_State *L)
{
    return lsc_push_action(L, lsc_check_action(L, 1, "action_name"));
}

const luaL_Reg lsc_actions_functions[] = {
    {"errno", l_errno},
    {"trace", l_trace},
    {"action", l_action},
    {"action_name", l_action_name},
    {NULL, NULL}
};

#define ACT(n) { #n, (lua_Integer)n }
const lsc_const lsc_actions_constants[] = {
    ACT(SCMP_ACT_ALLOW),
    ACT(SCMP_ACT_KILL_PROCESS),
    ACT(SCMP_ACT_KILL_THREAD),
    ACT(SCMP_ACT_TRAP),
    ACT(SCMP_ACT_LOG),
    ACT(SCMP_ACT_NOTIFY),
    { "SCMP_ACT_ERRNO_BASE", (lua_Integer)SCMP_ACT_ERRNO(0) },
    { "SCMP_ACT_TRACE_BASE", (lua_Integer)SCMP_ACT_TRACE(0) },
    { NULL, 0 }
};
#undef ACT

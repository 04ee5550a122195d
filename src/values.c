/*
 * values.c: strict checks of numbers coming from Lua. libseccomp takes
 * whatever C integer it is given, so a float, a string or an out-of-range
 * number must be refused here, before it silently becomes another rule.
 */
#include <errno.h>
#include <stdio.h>

#include "lua_seccomp.h"

int64_t lsc_check_integer(lua_State *L, int idx, const char *op,
                          const char *subject, const char *what)
{
    char detail[128];
    int isint = 0;
    lua_Integer v;
    if (lua_type(L, idx) != LUA_TNUMBER) {
        snprintf(detail, sizeof detail, "%s must be an integer, got %s", what,
                 luaL_typename(L, idx));
        lsc_fail(L, op, subject, EINVAL, detail);
    }
#if LUA_VERSION_NUM >= 503
    v = lua_tointegerx(L, idx, &isint);
#else
    {
        lua_Number n = lua_tonumber(L, idx);
        /* 2^63 is the first double that does not fit an int64_t. */
        isint = n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
                (lua_Number)(int64_t)n == n;
        v = isint ? (lua_Integer)(int64_t)n : 0;
    }
#endif
    if (!isint) {
        snprintf(detail, sizeof detail,
                 "%s must be an integer, got %.17g", what,
                 (double)lua_tonumber(L, idx));
        lsc_fail(L, op, subject, EINVAL, detail);
    }
    return (int64_t)v;
}

int64_t lsc_check_range(lua_State *L, int idx, const char *op,
                        const char *subject, const char *what,
                        int64_t min, int64_t max)
{
    int64_t v = lsc_check_integer(L, idx, op, subject, what);
    if (v < min || v > max) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s %lld is out of range %lld..%lld",
                 what, (long long)v, (long long)min, (long long)max);
        lsc_fail(L, op, subject, ERANGE, detail);
    }
    return v;
}

const char *lsc_check_string(lua_State *L, int idx, const char *op,
                             const char *subject, const char *what,
                             size_t *len)
{
    if (lua_type(L, idx) != LUA_TSTRING) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s must be a string, got %s", what,
                 luaL_typename(L, idx));
        lsc_fail(L, op, subject, EINVAL, detail);
    }
    return lua_tolstring(L, idx, len);
}

void lsc_check_table(lua_State *L, int idx, const char *op,
                     const char *subject, const char *what)
{
    if (lua_type(L, idx) != LUA_TTABLE) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s must be a table, got %s", what,
                 luaL_typename(L, idx));
        lsc_fail(L, op, subject, EINVAL, detail);
    }
}

/*
 * values.c: strict checks of values coming from Lua. libseccomp takes
 * whatever C integer it is given, so a float, a string or an out-of-range
 * number must be refused here, before it silently becomes another rule;
 * and a name is matched whole, NUL bytes included, never up to the first
 * NUL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* With len, any bytes (programs, data); without, the string is used as a
 * C string, so a NUL byte in it would cut it short: refused. */
const char *lsc_check_string(lua_State *L, int idx, const char *op,
                             const char *subject, const char *what,
                             size_t *len)
{
    size_t n;
    const char *s;
    if (lua_type(L, idx) != LUA_TSTRING) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s must be a string, got %s", what,
                 luaL_typename(L, idx));
        lsc_fail(L, op, subject, EINVAL, detail);
    }
    s = lua_tolstring(L, idx, &n);
    if (len != NULL) {
        *len = n;
    } else if (strlen(s) != n) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s contains a NUL byte", what);
        lsc_fail(L, op, subject != NULL ? subject : lsc_push_subject(L, s, n),
                 EINVAL, detail);
    }
    return s;
}

int lsc_option_index(lua_State *L, int idx, const char *const names[])
{
    size_t len;
    const char *s;
    int i;
    if (lua_type(L, idx) != LUA_TSTRING)
        return -1;
    s = lua_tolstring(L, idx, &len);
    for (i = 0; names[i] != NULL; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

const char *lsc_to_subject(lua_State *L, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (s == NULL || strlen(s) == len)
        return s;
    return lsc_push_subject(L, s, len);
}

int lsc_check_option(lua_State *L, int idx, const char *op,
                     const char *subject, const char *what,
                     const char *const names[], const char *detail)
{
    size_t len;
    int i;
    lsc_check_string(L, idx, op, subject, what, &len);
    i = lsc_option_index(L, idx, names);
    if (i < 0)
        lsc_fail(L, op, subject != NULL ? subject : lsc_to_subject(L, idx),
                 EINVAL, detail);
    return i;
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

/*
 * values.c: strict checks of values coming from Lua. libseccomp takes
 * whatever C integer it is given, so a float, a string or an out-of-range
 * number must be refused here, before it silently becomes another rule;
 * and a name is matched whole, NUL bytes included, never up to the first
 * NUL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_seccomp.h"

int64_t lsc_check_integer(lua_State *L, int idx, const char *op,
                          const char *subject, const char *what)
{
    char detail[256];
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
        /* A double is an exact integer only below 2^53: a larger one may
         * already be another number than the one written. */
        lua_Number n = lua_tonumber(L, idx);
        isint = n > -LSC_EXACT_DOUBLE && n < LSC_EXACT_DOUBLE &&
                (lua_Number)(int64_t)n == n;
        v = isint ? (lua_Integer)(int64_t)n : 0;
    }
#endif
    if (!isint) {
        lua_Number n = lua_tonumber(L, idx);
        if (LSC_DOUBLES && n == n && (n <= -LSC_EXACT_DOUBLE || n >= LSC_EXACT_DOUBLE))
            snprintf(detail, sizeof detail,
                     "%s must be an integer below 2^53 in magnitude, got %.17g "
                     "(numbers in this Lua are exact only below it)", what, (double)n);
        else
            snprintf(detail, sizeof detail, "%s must be an integer, got %.17g", what,
                     (double)n);
        lsc_fail(L, op, subject, EINVAL, detail);
    }
    return (int64_t)v;
}

/* The digits of a 64-bit value written as a string: decimal, or hex after
 * 0x, with an optional minus sign (two's complement, as a C cast). 0 when
 * the string is no such number or does not fit 64 bits. */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    const char *p = s, *end = s + len;
    int neg = 0, base = 10;
    uint64_t v = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (p == end)
        return 0;
    for (; p < end; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return 0;
        if (v > (UINT64_MAX - d) / (uint64_t)base)
            return 0;
        v = v * (uint64_t)base + d;
    }
    /* -x fits when x <= 2^63 (decimal); hex is a bit pattern already. */
    if (neg && base == 10 && v > (uint64_t)INT64_MAX + 1)
        return 0;
    *out = neg ? (uint64_t)0 - v : v;
    return 1;
}

/* LuaJIT's int64_t and uint64_t cdata, read through their __tostring
 * ("-1LL", "18446744073709551615ULL"): the C API has no other way in.
 * 0 for any other value. */
static int cdata_u64(lua_State *L, int idx, uint64_t *out)
{
    size_t len;
    const char *s;
    int ok = 0;
    if (lua_type(L, idx) != LSC_TCDATA || !luaL_callmeta(L, idx, "__tostring"))
        return 0;
    s = lua_tolstring(L, -1, &len);
    if (s != NULL && len > 3 && strcmp(s + len - 3, "ULL") == 0)
        ok = parse_u64(s, len - 3, out);
    else if (s != NULL && len > 2 && strcmp(s + len - 2, "LL") == 0)
        ok = parse_u64(s, len - 2, out);
    lua_pop(L, 1);
    return ok;
}

uint64_t lsc_check_u64(lua_State *L, int idx, const char *op,
                       const char *subject, const char *what)
{
    char detail[256];
    uint64_t v;
    size_t len;
    const char *s;
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
#if LSC_DOUBLES
        {
            lua_Number n = lua_tonumber(L, idx);
            if (n > -LSC_EXACT_DOUBLE && n < LSC_EXACT_DOUBLE &&
                (lua_Number)(int64_t)n == n)
                return (uint64_t)(int64_t)n;
            snprintf(detail, sizeof detail,
                     "%s must be an integer, got %.17g: numbers in this Lua are "
                     "exact only below 2^53, so write a larger value as a "
                     "string (\"0xffffffffffffffff\", \"9007199254740993\")",
                     what, (double)n);
            lsc_fail(L, op, subject, EINVAL, detail);
        }
#endif
        return (uint64_t)lsc_check_integer(L, idx, op, subject, what);
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        if (parse_u64(s, len, &v))
            return v;
        snprintf(detail, sizeof detail,
                 "%s must be an integer, got a string that is not one of 64 "
                 "bits (write \"0x\" and hex digits, or decimal digits, "
                 "either after an optional \"-\")", what);
        lsc_fail(L, op, subject != NULL ? subject : lsc_to_subject(L, idx),
                 EINVAL, detail);
        break;
    default:
        if (cdata_u64(L, idx, &v))
            return v;
        snprintf(detail, sizeof detail,
                 "%s must be an integer, got %s", what,
                 luaL_typename(L, idx));
        lsc_fail(L, op, subject, EINVAL, detail);
    }
    return 0;
}

void lsc_push_u64(lua_State *L, uint64_t v)
{
#if LSC_DOUBLES
    if (v < (uint64_t)1 << 53) {
        lua_pushnumber(L, (lua_Number)v);
    } else {
        char buf[24];
        snprintf(buf, sizeof buf, "0x%" PRIx64, v);
        lua_pushstring(L, buf);
    }
#else
    lua_pushinteger(L, (lua_Integer)v);
#endif
}

void lsc_push_id(lua_State *L, uint64_t id)
{
#if LSC_DOUBLES
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, id);
    lua_pushstring(L, buf);
#else
    lua_pushinteger(L, (lua_Integer)id);
#endif
}

static int64_t in_range(lua_State *L, int64_t v, const char *op,
                        const char *subject, const char *what,
                        int64_t min, int64_t max)
{
    if (v < min || v > max) {
        char detail[160];
        snprintf(detail, sizeof detail, "%s %lld is out of range %lld..%lld",
                 what, (long long)v, (long long)min, (long long)max);
        lsc_fail(L, op, subject, ERANGE, detail);
    }
    return v;
}

int64_t lsc_check_range(lua_State *L, int idx, const char *op,
                        const char *subject, const char *what,
                        int64_t min, int64_t max)
{
    return in_range(L, lsc_check_integer(L, idx, op, subject, what), op,
                    subject, what, min, max);
}

int64_t lsc_check_u64_range(lua_State *L, int idx, const char *op,
                            const char *subject, const char *what,
                            int64_t min, int64_t max)
{
    return in_range(L, (int64_t)lsc_check_u64(L, idx, op, subject, what), op,
                    subject, what, min, max);
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

/* int64(op, a[, b]): 64-bit unsigned arithmetic for the Lua layer where
 * numbers are doubles (seccomp/bits.lua), on values as lsc_check_u64
 * takes them; results as lsc_push_u64 gives them, so two equal values
 * are == in Lua. op: "and", "or", "xor", "not", "shl", "shr" (by 0..63;
 * 64 and more give 0), "mul" (modulo 2^64), "ult" and "eq" (booleans),
 * "value" (a itself). */
static int l_int64(lua_State *L)
{
    static const char *const ops[] = { "and", "or", "xor", "not", "shl", "shr",
                                       "ult", "eq", "value", "mul", NULL };
    int op = lsc_check_option(L, 1, "int64", NULL, "operation", ops,
                              "operation must be and, or, xor, not, shl, shr, "
                              "ult, eq, value or mul");
    uint64_t a = lsc_check_u64(L, 2, "int64", NULL, "value"), b = 0, r = 0;
    if (op != 3 && op != 8)
        b = lsc_check_u64(L, 3, "int64", NULL, "value");
    switch (op) {
    case 0: r = a & b; break;
    case 1: r = a | b; break;
    case 2: r = a ^ b; break;
    case 3: r = ~a; break;
    case 4: r = b < 64 ? a << b : 0; break;
    case 5: r = b < 64 ? a >> b : 0; break;
    case 6: lua_pushboolean(L, a < b); return 1;
    case 7: lua_pushboolean(L, a == b); return 1;
    case 8: r = a; break;
    default: r = a * b; break;
    }
    lsc_push_u64(L, r);
    return 1;
}

const luaL_Reg lsc_values_functions[] = {
    {"int64", l_int64},
    {NULL, NULL}
};

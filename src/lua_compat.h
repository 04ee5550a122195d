/*
 * lua_compat.h: the Lua 5.3 C API the core is written against, on Lua 5.1,
 * 5.2 and LuaJIT 2.1 too. Every difference between versions is bridged
 * here, once, so the sources use one API and carry no version tests:
 * - 5.3 made lua_rawget, lua_rawgeti, lua_getfield return the type of the
 *   value pushed, and lua_pushstring return the copy; on older versions
 *   the same names are macros over inline wrappers that do so;
 * - 5.2 added lua_absindex, luaL_testudata, luaL_setmetatable,
 *   luaL_setfuncs, luaL_newlib, lua_rawlen and lua_tointegerx; LuaJIT 2.1
 *   has all but lua_absindex and lua_rawlen, plain 5.1 has none.
 * Numbers: before 5.3 every Lua number is a double (LSC_DOUBLES), so only
 * integers below 2^53 are exact; values.c is what deals with that.
 */
#ifndef LUA_COMPAT_H
#define LUA_COMPAT_H

#include "lua.h"
#include "lauxlib.h"

#if LUA_VERSION_NUM < 503
#define LSC_DOUBLES 1
#else
#define LSC_DOUBLES 0
#endif

/* 2^53: doubles are exact integers only below it. */
#define LSC_EXACT_DOUBLE 9007199254740992.0

/* lua_type of a LuaJIT FFI value (cdata); no other Lua has type 10. */
#define LSC_TCDATA 10

#if LUA_VERSION_NUM < 503

static inline int lsc_compat_rawget(lua_State *L, int idx)
{
    lua_rawget(L, idx);
    return lua_type(L, -1);
}

static inline int lsc_compat_rawgeti(lua_State *L, int idx, lua_Integer n)
{
    lua_rawgeti(L, idx, (int)n);
    return lua_type(L, -1);
}

static inline int lsc_compat_getfield(lua_State *L, int idx, const char *k)
{
    lua_getfield(L, idx, k);
    return lua_type(L, -1);
}

static inline const char *lsc_compat_pushstring(lua_State *L, const char *s)
{
    lua_pushstring(L, s);
    return s != NULL ? lua_tostring(L, -1) : NULL;
}

#define lua_rawget(L, i) lsc_compat_rawget((L), (i))
#define lua_rawgeti(L, i, n) lsc_compat_rawgeti((L), (i), (n))
#define lua_getfield(L, i, k) lsc_compat_getfield((L), (i), (k))
#define lua_pushstring(L, s) lsc_compat_pushstring((L), (s))

#endif /* < 5.3 */

#if LUA_VERSION_NUM < 502

static inline int lsc_compat_absindex(lua_State *L, int idx)
{
    return idx > 0 || idx <= LUA_REGISTRYINDEX ? idx : lua_gettop(L) + idx + 1;
}
#define lua_absindex(L, i) lsc_compat_absindex((L), (i))
#define lua_rawlen(L, i) lua_objlen((L), (i))

/* LuaJIT 2.1 declares the 5.2 auxiliary functions (and defines
 * luaL_newlibtable with them); plain 5.1 has none of them. */
#ifndef luaL_newlibtable

static inline void *lsc_compat_testudata(lua_State *L, int idx,
                                         const char *type)
{
    void *p = lua_touserdata(L, idx);
    int same;
    if (p == NULL || !lua_getmetatable(L, idx))
        return NULL;
    luaL_getmetatable(L, type);
    same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same ? p : NULL;
}

static inline void lsc_compat_setmetatable(lua_State *L, const char *type)
{
    luaL_getmetatable(L, type);
    lua_setmetatable(L, -2);
}

static inline lua_Integer lsc_compat_tointegerx(lua_State *L, int idx,
                                                int *isnum)
{
    lua_Integer v = lua_tointeger(L, idx);
    if (isnum != NULL)
        *isnum = v != 0 || lua_isnumber(L, idx);
    return v;
}

#define luaL_testudata(L, i, t) lsc_compat_testudata((L), (i), (t))
#define luaL_setmetatable(L, t) lsc_compat_setmetatable((L), (t))
#define luaL_setfuncs(L, l, n) luaL_register((L), NULL, (l))
#define luaL_newlib(L, l) (lua_newtable(L), luaL_register((L), NULL, (l)))
#define lua_tointegerx(L, i, n) lsc_compat_tointegerx((L), (i), (n))

#endif /* !luaL_newlibtable */
#endif /* < 5.2 */

/* A userdata's one Lua value (rules.c keeps the rules as written there):
 * lsc_getuservalue pushes it (nil when unset) and returns its type,
 * lsc_setuservalue pops the value to set. 5.1 and LuaJIT have only
 * environments, which cannot be nil: a weak-keyed registry table
 * instead. */
#if LUA_VERSION_NUM >= 504
#define lsc_getuservalue(L, i) lua_getiuservalue((L), (i), 1)
#define lsc_setuservalue(L, i) ((void)lua_setiuservalue((L), (i), 1))
#elif LUA_VERSION_NUM == 503
#define lsc_getuservalue(L, i) lua_getuservalue((L), (i))
#define lsc_setuservalue(L, i) lua_setuservalue((L), (i))
#elif LUA_VERSION_NUM == 502
static inline int lsc_compat_getuservalue(lua_State *L, int idx)
{
    lua_getuservalue(L, idx);
    return lua_type(L, -1);
}
#define lsc_getuservalue(L, i) lsc_compat_getuservalue((L), (i))
#define lsc_setuservalue(L, i) lua_setuservalue((L), (i))
#else
#define LSC_USERVALUES "seccomp.uservalues"
static inline void lsc_compat_uservalues(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LSC_USERVALUES);
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_newtable(L);
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, LSC_USERVALUES);
    }
}
static inline int lsc_compat_getuservalue(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lsc_compat_uservalues(L);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    return lua_type(L, -1);
}
static inline void lsc_compat_setuservalue(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lsc_compat_uservalues(L);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}
#define lsc_getuservalue(L, i) lsc_compat_getuservalue((L), (i))
#define lsc_setuservalue(L, i) lsc_compat_setuservalue((L), (i))
#endif

#endif

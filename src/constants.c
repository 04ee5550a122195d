/*
 * constants.c: named kernel constants for comparators and policies.
 *
 * The tables themselves are data (scripts/constants.lua), generated into
 * constants_gen.c. They are in the module table as `constants`: constants.O.WRONLY, constants.IOCTL.TIOCGWINSZ,
 * constants.E.EPERM (and constants.E[1] == "EPERM"), constants.SIG.SIGSYS
 * (and back); `constant_tables` lists their names in order, for the
 * layers above that copy or show them.
 * It also adds personality(), which reads (or sets) the persona flags:
 * the policy layer checks PER.READ_IMPLIES_EXEC, which makes every
 * readable mapping executable.
 */
#include <errno.h>
#include <sys/personality.h>

#include "lua_seccomp.h"

static void set_names(lua_State *L, const lsc_const *list, int both_ways)
{
    const lsc_const *c;
    for (c = list; c->name != NULL; c++) {
        lua_pushinteger(L, c->value);
        lua_setfield(L, -2, c->name);
        if (both_ways && lua_rawgeti(L, -1, c->value) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_pushstring(L, c->name);
            lua_rawseti(L, -2, c->value);
        } else if (both_ways) {
            lua_pop(L, 1);
        }
    }
}

/* One table of constants. With `both_ways`, numbers map back to names
 * too; the first name listed for a number wins, so aliases such as
 * SIGIOT never hide the name the kernel documents (SIGABRT). */
static void push_table(lua_State *L, const lsc_const_table *t)
{
    lua_newtable(L);
    set_names(L, t->list, t->both_ways);
    if (t->aliases != NULL)
        set_names(L, t->aliases, 0);
}

/* personality([persona]) -> the persona flags before the call. Without an
 * argument it only queries (0xffffffff changes nothing); with one it sets
 * them, as personality(2) does. Raises if the kernel refuses. */
static int l_personality(lua_State *L)
{
    unsigned long persona = 0xffffffffUL;
    int previous;
    if (!lua_isnoneornil(L, 1))
        persona = (unsigned long)lsc_check_range(L, 1, "personality", NULL,
                                                 "persona", 0, 0xfffffffe);
    errno = 0;
    previous = personality(persona);
    if (previous == -1)
        return lsc_fail(L, "personality", NULL, errno != 0 ? errno : EINVAL,
                        "the kernel refused the persona");
    lua_pushinteger(L, previous);
    return 1;
}

/* constants: { O = { WRONLY = 1, ... }, ... } */
static void push_constants(lua_State *L)
{
    const lsc_const_table *t;
    lua_newtable(L);
    for (t = lsc_constant_tables; t->name != NULL; t++) {
        push_table(L, t);
        lua_setfield(L, -2, t->name);
    }
}

/* constant_tables: { "O", "AT", ... }, in the order of the data */
static void push_table_names(lua_State *L)
{
    const lsc_const_table *t;
    lua_Integer n = 0;
    lua_newtable(L);
    for (t = lsc_constant_tables; t->name != NULL; t++) {
        lua_pushstring(L, t->name);
        lua_rawseti(L, -2, ++n);
    }
}

const luaL_Reg lsc_constants_functions[] = {
    {"personality", l_personality},
    {NULL, NULL}
};

const lsc_field lsc_constants_fields[] = {
    {"constants", push_constants},
    {"constant_tables", push_table_names},
    {NULL, NULL}
};

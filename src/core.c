/*
 * core.c: luaopen_seccomp_core, the library's version and API level.
 */
#include <errno.h>
#include <stdio.h>

#include "lua_seccomp.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* version() -> "2.5.4", the libseccomp this process runs with */
static int l_version(lua_State *L)
{
    const struct scmp_version *v = seccomp_version();
    lua_pushfstring(L, "%d.%d.%d", (int)v->major, (int)v->minor, (int)v->micro);
    return 1;
}

static int l_api_level(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)seccomp_api_get());
    return 1;
}

static int l_set_api_level(lua_State *L)
{
    int64_t level = lsc_check_range(L, 1, "set_api_level", NULL, "API level",
                                    1, 0xffff);
    int rc = seccomp_api_set((unsigned int)level);
    if (rc < 0)
        return lsc_fail(L, "set_api_level", lua_tostring(L, 1), -rc,
                        "not supported by this libseccomp and kernel");
    return 0;
}

static const luaL_Reg core_functions[] = {
    {"version", l_version},
    {"api_level", l_api_level},
    {"set_api_level", l_set_api_level},
    {NULL, NULL}
};

__attribute__((visibility("default")))
int luaopen_seccomp_core(lua_State *L);

int luaopen_seccomp_core(lua_State *L)
{
    luaL_newlib(L, core_functions);
    lua_pushliteral(L, STR(SCMP_VER_MAJOR) "." STR(SCMP_VER_MINOR) "."
                    STR(SCMP_VER_MICRO));
    lua_setfield(L, -2, "build_version");
    lua_newtable(L);  /* filter methods, shared with the Lua API */
    lsc_open_filter(L);
    lsc_open_errors(L);
    lsc_open_actions(L);
    lsc_open_rules(L);
    lsc_open_attributes(L);
    lsc_open_export(L);
    lsc_open_process(L);
    lsc_open_constants(L);
    lsc_open_simulate(L);
    lsc_open_notify(L);
    lsc_open_report(L);
    lua_setfield(L, -2, "methods");
    return 1;
}

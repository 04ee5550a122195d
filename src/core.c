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

/* build_version: the libseccomp the module was compiled against */
static void push_build_version(lua_State *L)
{
    lua_pushliteral(L, STR(SCMP_VER_MAJOR) "." STR(SCMP_VER_MINOR) "."
                    STR(SCMP_VER_MICRO));
}

static const luaL_Reg core_functions[] = {
    {"version", l_version},
    {"api_level", l_api_level},
    {"set_api_level", l_set_api_level},
    {NULL, NULL}
};

static const lsc_field core_fields[] = {
    {"build_version", push_build_version},
    {NULL, NULL}
};

/* What each source adds to the module, and to the filter methods. */
static const luaL_Reg *const module_functions[] = {
    core_functions, lsc_filter_functions, lsc_errors_functions,
    lsc_actions_functions, lsc_rules_functions, lsc_attributes_functions,
    lsc_export_functions, lsc_process_functions, lsc_constants_functions,
    lsc_simulate_functions, lsc_notify_functions, lsc_report_functions,
    lsc_outcome_functions, lsc_values_functions, lsc_supervisor_functions, NULL
};
static const lsc_field *const module_fields[] = {
    core_fields, lsc_rules_fields, lsc_export_fields, lsc_constants_fields,
    lsc_simulate_fields, NULL
};
static const luaL_Reg *const filter_methods[] = {
    lsc_filter_methods, lsc_rules_methods, lsc_attributes_methods,
    lsc_export_methods, lsc_simulate_methods, lsc_notify_methods, NULL
};

static void set_functions(lua_State *L, const luaL_Reg *const *lists)
{
    for (; *lists != NULL; lists++)
        luaL_setfuncs(L, *lists, 0);
}

/* The metatable of a userdata type; its __index is the table at -1. */
static void createmeta(lua_State *L, const char *type, const luaL_Reg *meta)
{
    luaL_newmetatable(L, type);
    luaL_setfuncs(L, meta, 0);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

__attribute__((visibility("default")))
int luaopen_seccomp_core(lua_State *L);

int luaopen_seccomp_core(lua_State *L)
{
    const lsc_field *const *fields;
    const lsc_field *field;
    const lsc_const *c;
    lua_newtable(L);
    set_functions(L, module_functions);
    for (fields = module_fields; *fields != NULL; fields++)
        for (field = *fields; field->name != NULL; field++) {
            field->push(L);
            lua_setfield(L, -2, field->name);
        }
    for (c = lsc_actions_constants; c->name != NULL; c++) {
        lua_pushinteger(L, c->value);
        lua_setfield(L, -2, c->name);
    }
    lua_newtable(L);  /* filter methods, shared with the Lua API */
    set_functions(L, filter_methods);
    createmeta(L, LSC_FILTER_TYPE, lsc_filter_meta);
    lua_setfield(L, -2, "methods");
    lua_newtable(L);
    luaL_setfuncs(L, lsc_record_methods, 0);
    createmeta(L, LSC_RECORD_TYPE, lsc_record_meta);
    lua_pop(L, 1);
    return 1;
}

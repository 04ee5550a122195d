/*
 * attributes.c: filter attributes and architectures, by name.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lua_seccomp.h"

enum kind { K_ACTION, K_BOOL, K_LEVEL };

typedef struct {
    enum scmp_filter_attr attr;
    enum kind kind;
    int settable;
} attr_entry;

/* The names, and what each is, in the same order. */
#define ATTR_NAME(a) (attr_names[(a) - attrs])
static const char *const attr_names[] = {
    "default_action", "badarch_action", "no_new_privs", "tsync", "tskip",
    "log", "ssb", "optimize", "rawrc", NULL
};
static const attr_entry attrs[] = {
    {SCMP_FLTATR_ACT_DEFAULT, K_ACTION, 0},
    {SCMP_FLTATR_ACT_BADARCH, K_ACTION, 1},
    {SCMP_FLTATR_CTL_NNP, K_BOOL, 1},
    {SCMP_FLTATR_CTL_TSYNC, K_BOOL, 1},
    {SCMP_FLTATR_API_TSKIP, K_BOOL, 1},
    {SCMP_FLTATR_CTL_LOG, K_BOOL, 1},
    {SCMP_FLTATR_CTL_SSB, K_BOOL, 1},
    {SCMP_FLTATR_CTL_OPTIMIZE, K_LEVEL, 1},
    {SCMP_FLTATR_API_SYSRAWRC, K_BOOL, 1}
};

static const attr_entry *check_attr(lua_State *L, int idx, const char *op)
{
    return &attrs[lsc_check_option(L, idx, op, NULL, "attribute name",
        attr_names, "unknown attribute (default_action, badarch_action, "
        "no_new_privs, tsync, tskip, log, ssb, optimize, rawrc)")];
}

/* get(name) -> value */
static int l_get(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "get");
    const attr_entry *a = check_attr(L, 2, "get");
    uint32_t v = 0;
    int rc;
    if (a->attr == SCMP_FLTATR_CTL_OPTIMIZE)
        lsc_ready(L, f, "get");  /* report the level a load would use */
    rc = seccomp_attr_get(f->ctx, a->attr, &v);
    if (rc < 0)
        return lsc_fail(L, "get", ATTR_NAME(a), -rc, NULL);
    if (a->kind == K_BOOL)
        lua_pushboolean(L, v != 0);
    else if (a->kind == K_ACTION)
        lsc_push_action_value(L, v);
    else
        lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

/* set(name, value) */
static int l_set(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "set");
    const attr_entry *a = check_attr(L, 2, "set");
    uint32_t v;
    lsc_op rec;
    int rc;
    lsc_refuse_loaded(L, f, "set", ATTR_NAME(a));
    if (!a->settable)
        return lsc_fail(L, "set", ATTR_NAME(a), EACCES,
                        "read-only; the default action is chosen at creation or reset");
    switch (a->kind) {
    case K_ACTION:
        v = lsc_check_action(L, 3, "set");
        /* trace lets a call through whenever no tracer asks for seccomp
         * stops, or a tracer resumes it */
        if (v == SCMP_ACT_ALLOW || v == SCMP_ACT_LOG || v == SCMP_ACT_NOTIFY ||
            (v & 0xffff0000U) == SCMP_ACT_TRACE(0))
            return lsc_fail(L, "set", ATTR_NAME(a), EINVAL, "calls through another "
                            "architecture's ABI would bypass every rule; use a "
                            "kill, trap or errno action");
        break;
    case K_BOOL:
        if (lua_type(L, 3) != LUA_TBOOLEAN)
            return lsc_fail(L, "set", ATTR_NAME(a), EINVAL, lua_pushfstring(L,
                            "value must be a boolean, got %s", luaL_typename(L, 3)));
        v = (uint32_t)lua_toboolean(L, 3);
        break;
    default:
        v = (uint32_t)lsc_check_range(L, 3, "set", ATTR_NAME(a), "optimize level", 1, 2);
        break;
    }
    memset(&rec, 0, sizeof rec);
    rec.kind = LSC_OP_ATTR;
    rec.attr = (int)a->attr;
    rec.value = v;
    lsc_log_reserve(L, f, 1);
    rc = seccomp_attr_set(f->ctx, a->attr, v);
    if (rc < 0)
        return lsc_fail(L, "set", ATTR_NAME(a), -rc, NULL);
    lsc_log_append(f, &rec);
    lua_settop(L, 1);
    return 1;
}

/* ---- architectures ------------------------------------------------- */

/* libseccomp 2.5 resolves names to tokens but not back. */
static const char *const arch_names[] = {
    "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mips64", "mips64n32",
    "mipsel", "mipsel64", "mipsel64n32", "ppc", "ppc64", "ppc64le", "s390",
    "s390x", "parisc", "parisc64", "riscv64", NULL
};

static const char *arch_name(uint32_t token)
{
    int i;
    for (i = 0; arch_names[i] != NULL; i++)
        if (seccomp_arch_resolve_name(arch_names[i]) == token)
            return arch_names[i];
    return NULL;
}

/* An architecture by name ("x86_64", "native") or token. */
uint32_t lsc_check_arch(lua_State *L, int idx, const char *op)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lsc_check_string(L, idx, op, NULL, "architecture name",
                                         NULL);
        uint32_t token;
        if (strcmp(s, "native") == 0)
            return seccomp_arch_native();
        token = seccomp_arch_resolve_name(s);
        if (token == 0 || arch_name(token) == NULL)
            lsc_fail(L, op, s, EINVAL, "unknown architecture");
        return token;
    } else {
        int64_t v = lsc_check_integer(L, idx, op, NULL, "architecture");
        if (v < 0 || v > 0xffffffffLL || arch_name((uint32_t)v) == NULL)
            lsc_fail(L, op, NULL, EINVAL, "unknown architecture token");
        return (uint32_t)v;
    }
}

/* The architectures ctx carries, as tokens in out (room for LSC_MAX_ARCHES);
 * returns how many. */
int lsc_filter_arches(scmp_filter_ctx ctx, uint32_t *out)
{
    int i, n = 0;
    for (i = 0; arch_names[i] != NULL && n < LSC_MAX_ARCHES; i++) {
        uint32_t token = seccomp_arch_resolve_name(arch_names[i]);
        if (seccomp_arch_exist(ctx, token) == 0)
            out[n++] = token;
    }
    return n;
}

static int arch_count(scmp_filter_ctx ctx)
{
    uint32_t tokens[LSC_MAX_ARCHES];
    return lsc_filter_arches(ctx, tokens);
}

/* Whether any recorded rule compares values above 32 bits. */
static const lsc_rule *wide_rule(const lsc_log *log)
{
    size_t i;
    for (i = 0; i < log->n; i++)
        if ((log->ops[i].kind == LSC_OP_RULE ||
             log->ops[i].kind == LSC_OP_RULE_EXACT) &&
            !lsc_rule_fits_narrow(&log->ops[i].rule))
            return &log->ops[i].rule;
    return NULL;
}

/* Whether the record gives a syscall a priority, which libseccomp, like
 * a rule, gives only the architectures present at the time. */
static int has_priority(const lsc_log *log)
{
    size_t i;
    for (i = 0; i < log->n; i++)
        if (log->ops[i].kind == LSC_OP_PRIORITY)
            return 1;
    return 0;
}

static int arch_op(lua_State *L, const char *op, enum lsc_op_kind kind)
{
    lsc_filter *f = lsc_check_filter(L, 1, op);
    uint32_t token = lsc_check_arch(L, 2, op);
    lsc_op rec;
    int rc;
    int present;
    lsc_refuse_loaded(L, f, op, arch_name(token));
    memset(&rec, 0, sizeof rec);
    rec.kind = kind;
    rec.value = token;
    lsc_log_reserve(L, f, 1);
    present = seccomp_arch_exist(f->ctx, token) == 0;  /* -EEXIST: absent */
    if (kind == LSC_OP_ARCH_ADD && present)
        return lsc_fail(L, op, arch_name(token), EEXIST, "already in the filter");
    if (kind == LSC_OP_ARCH_REMOVE && !present)
        return lsc_fail(L, op, arch_name(token), ENOENT, "not in the filter");
    if (kind == LSC_OP_ARCH_ADD)
        lsc_check_multiplex(L, f->log, token, op);
    if (lsc_log_has_merge(f->log))
        return lsc_fail(L, op, arch_name(token), EPERM, "the filter has "
                        "merged rules, and merged rules apply to the source "
                        "filter's architectures only; add architectures "
                        "before merging");
    if (kind == LSC_OP_ARCH_REMOVE && arch_count(f->ctx) == 1)
        return lsc_fail(L, op, arch_name(token), EINVAL, "a filter needs at "
                        "least one architecture: add the other one first");
    if (f->nrules > 0 || has_priority(f->log)) {
        /* Once there are rules or priorities, libseccomp 2.5.4 gives an architecture
         * added later none of them, and removing one leaves its rule
         * lists inconsistent (later adds read past their end): rebuild
         * from the record instead, architectures first. */
        if (kind == LSC_OP_ARCH_ADD && lsc_arch_is_narrow(token) &&
            wide_rule(f->log) != NULL)
            return lsc_fail(L, op, arch_name(token), EINVAL, "a rule compares "
                            "values above 32 bits (a 64-bit arg(i):ne is "
                            "written so), which this architecture cannot "
                            "compare; use arg32 for int arguments");
        lsc_log_append(f, &rec);
        rc = lsc_rebuild(f);
        if (rc < 0) {
            f->log->n--;
            return lsc_fail(L, op, arch_name(token), -rc, "the filter's rules "
                            "cannot be written for these architectures");
        }
        lua_settop(L, 1);
        return 1;
    }
    rc = kind == LSC_OP_ARCH_ADD ? seccomp_arch_add(f->ctx, token)
                                 : seccomp_arch_remove(f->ctx, token);
    if (rc < 0)
        return lsc_fail(L, op, arch_name(token), -rc, NULL);
    lsc_log_append(f, &rec);
    lua_settop(L, 1);
    return 1;
}

static int l_arch_add(lua_State *L) { return arch_op(L, "arch_add", LSC_OP_ARCH_ADD); }
static int l_arch_remove(lua_State *L) { return arch_op(L, "arch_remove", LSC_OP_ARCH_REMOVE); }

static int l_arch_exist(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "arch_exist");
    uint32_t token = lsc_check_arch(L, 2, "arch_exist");
    int rc = seccomp_arch_exist(f->ctx, token);
    if (rc < 0 && rc != -EEXIST)
        return lsc_fail(L, "arch_exist", arch_name(token), -rc, NULL);
    lua_pushboolean(L, rc == 0);
    return 1;
}

/* arches() -> { "x86_64", ... } in libseccomp's name order */
static int l_arches(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "arches");
    int i, n = 0;
    lua_newtable(L);
    for (i = 0; arch_names[i] != NULL; i++)
        if (seccomp_arch_exist(f->ctx, seccomp_arch_resolve_name(arch_names[i])) == 0) {
            lua_pushstring(L, arch_names[i]);
            lua_rawseti(L, -2, ++n);
        }
    return 1;
}

/* attribute_names() -> { "badarch_action", ... }: what f:set takes */
static int l_attribute_names(lua_State *L)
{
    int i, n = 0;
    lua_newtable(L);
    for (i = 0; attr_names[i] != NULL; i++)
        if (attrs[i].settable) {
            lua_pushstring(L, attr_names[i]);
            lua_rawseti(L, -2, ++n);
        }
    return 1;
}

static int l_arch_native(lua_State *L)
{
    lua_pushstring(L, arch_name(seccomp_arch_native()));
    return 1;
}

static int l_arch_token(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lsc_check_arch(L, 1, "arch_token"));
    return 1;
}

static int l_arch_name(lua_State *L)
{
    lua_pushstring(L, arch_name(lsc_check_arch(L, 1, "arch_name")));
    return 1;
}

const luaL_Reg lsc_attributes_methods[] = {
    {"get", l_get},
    {"set", l_set},
    {"arch_add", l_arch_add},
    {"arch_remove", l_arch_remove},
    {"arch_exist", l_arch_exist},
    {"arches", l_arches},
    {NULL, NULL}
};

const luaL_Reg lsc_attributes_functions[] = {
    {"arch_native", l_arch_native},
    {"arch_token", l_arch_token},
    {"arch_name", l_arch_name},
    {"attribute_names", l_attribute_names},
    {NULL, NULL}
};

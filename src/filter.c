/*
 * filter.c: the filter userdata, its record, and loading.
 *
 * Like liolib.c's files, a filter is born closed (ctx == NULL), and one
 * idempotent function serves close, __gc and __close. Every method goes
 * through lsc_check_filter, which raises on a closed or merged filter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_seccomp.h"

/* From this many distinct syscalls on, the binary-tree optimizer is on by
 * default. bench/optimizer_bench.lua (a call checked last, with argument
 * rules so the kernel runs the filter): up to about 70 syscalls the linear
 * list and the tree are within noise (tree/linear 0.98 to 1.02); from about
 * 100 the tree wins (0.83 to 0.91 at 105 to 265 syscalls). */
#define LSC_BTREE_MIN_SYSCALLS 64

/* ---- the record ---------------------------------------------------- */

static lsc_log *log_new(uint32_t default_action)
{
    lsc_log *log = calloc(1, sizeof *log);
    if (log != NULL)
        log->default_action = default_action;
    return log;
}

static void log_free(lsc_log *log)
{
    size_t i;
    if (log == NULL)
        return;
    for (i = 0; i < log->n; i++)
        log_free(log->ops[i].merged);
    free(log->ops);
    free(log);
}

/* Makes room for extra more operations, so that recording what libseccomp
 * already accepted can never fail. */
void lsc_log_reserve(lua_State *L, lsc_filter *f, size_t extra)
{
    lsc_log *log = f->log;
    if (log->n + extra > log->cap) {
        size_t cap = log->cap ? log->cap : 16;
        lsc_op *ops;
        while (cap < log->n + extra)
            cap *= 2;
        ops = realloc(log->ops, cap * sizeof *ops);
        if (ops == NULL)
            lsc_fail(L, "record", NULL, ENOMEM, NULL);
        log->ops = ops;
        log->cap = cap;
    }
}

/* Records an operation libseccomp accepted; room was reserved before. */
void lsc_log_append(lsc_filter *f, const lsc_op *op)
{
    f->log->ops[f->log->n++] = *op;
}

/* ---- building a context from a record ------------------------------ */

/* Variants of a filter built from its record, for loading only:
 * kills as traps (so a SIGSYS handler can report the call first), and
 * notify as errno ENOSYS (what the kernel answers when no supervisor
 * listens, without a listener a notified close() of itself would wait on). */
enum {
    VARIANT_KILL_AS_TRAP = 1,
    VARIANT_NOTIFY_AS_ENOSYS = 2
};

static uint32_t variant_action(uint32_t action, int variant)
{
    if ((variant & VARIANT_KILL_AS_TRAP) &&
        (action == SCMP_ACT_KILL_PROCESS || action == SCMP_ACT_KILL_THREAD))
        return SCMP_ACT_TRAP;
    if ((variant & VARIANT_NOTIFY_AS_ENOSYS) && action == SCMP_ACT_NOTIFY)
        return SCMP_ACT_ERRNO(ENOSYS);
    return action;
}

/* The defaults every new filter gets; see README "Defaults". */
static int apply_defaults(scmp_filter_ctx ctx, int variant)
{
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
                              variant_action(SCMP_ACT_KILL_PROCESS, variant));
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
    return rc;
}

static int build_ctx(const lsc_log *log, int variant, scmp_filter_ctx *out);

static int replay_op(scmp_filter_ctx ctx, const lsc_op *op, int variant,
                     uint32_t default_action)
{
    const lsc_rule *r = &op->rule;
    uint32_t action = variant_action(r->action, variant);
    scmp_filter_ctx sub;
    int rc;
    switch (op->kind) {
    case LSC_OP_RULE:
    case LSC_OP_RULE_EXACT:
        /* In a variant a rule can come to do what the default does. */
        if (action == default_action)
            return 0;
        return op->kind == LSC_OP_RULE
            ? seccomp_rule_add_array(ctx, action, r->syscall, r->ncmp, r->cmp)
            : seccomp_rule_add_exact_array(ctx, action, r->syscall, r->ncmp,
                                           r->cmp);
    case LSC_OP_PRIORITY:
        return seccomp_syscall_priority(ctx, r->syscall, (uint8_t)op->value);
    case LSC_OP_ATTR:
        if (op->attr == SCMP_FLTATR_ACT_BADARCH)
            return seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
                                    variant_action(op->value, variant));
        return seccomp_attr_set(ctx, (enum scmp_filter_attr)op->attr, op->value);
    case LSC_OP_ARCH_ADD:
        return seccomp_arch_add(ctx, op->value);
    case LSC_OP_ARCH_REMOVE:
        return seccomp_arch_remove(ctx, op->value);
    case LSC_OP_MERGE:
        rc = build_ctx(op->merged, variant, &sub);
        if (rc == 0) {
            rc = seccomp_merge(ctx, sub);
            if (rc != 0)
                seccomp_release(sub);
        }
        return rc;
    }
    return -EINVAL;
}

static int is_setup(const lsc_op *op)
{
    return op->kind == LSC_OP_ARCH_ADD || op->kind == LSC_OP_ARCH_REMOVE ||
           op->kind == LSC_OP_ATTR;
}

static int build_ctx(const lsc_log *log, int variant, scmp_filter_ctx *out)
{
    size_t i;
    int rc;
    uint32_t default_action = variant_action(log->default_action, variant);
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (ctx == NULL)  /* an action this API level lacks, or no memory */
        return -EOPNOTSUPP;
    rc = apply_defaults(ctx, variant);
    /* Architectures first: libseccomp gives an architecture added after
     * the rules none of them, and the record means every rule for every
     * architecture of the filter. */
    for (i = 0; rc == 0 && i < log->n; i++)
        if (is_setup(&log->ops[i]))
            rc = replay_op(ctx, &log->ops[i], variant, default_action);
    for (i = 0; rc == 0 && i < log->n; i++)
        if (!is_setup(&log->ops[i]))
            rc = replay_op(ctx, &log->ops[i], variant, default_action);
    if (rc != 0) {
        seccomp_release(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

/* libseccomp before 2.5.6 can leave a context corrupted after a failed
 * rule add, so the context is rebuilt from the record (which never holds
 * the failed operation) before the error is raised. */
int lsc_recover(lua_State *L, lsc_filter *f, const char *op,
                const char *subject, int err, const char *detail)
{
    if (lsc_rebuild(f) != 0)
        f->damaged = 1;
    return lsc_fail(L, op, subject, err, detail);
}

/* Replaces the context with one built from the record; on failure the
 * filter keeps the context it had. */
int lsc_rebuild(lsc_filter *f)
{
    scmp_filter_ctx fresh;
    int rc = build_ctx(f->log, 0, &fresh);
    if (rc == 0) {
        seccomp_release(f->ctx);
        f->ctx = fresh;
    }
    return rc;
}

/* ---- the userdata -------------------------------------------------- */

/* A filter, open or not; anything else raises. */
lsc_filter *lsc_to_filter(lua_State *L, int idx, const char *op)
{
    lsc_filter *f = (lsc_filter *)luaL_testudata(L, idx, LSC_FILTER_TYPE);
    if (f == NULL)
        lsc_fail(L, op, NULL, EINVAL, lua_pushfstring(L,
                 "expected a seccomp.filter, got %s", luaL_typename(L, idx)));
    return f;
}

lsc_filter *lsc_check_filter(lua_State *L, int idx, const char *op)
{
    lsc_filter *f = lsc_to_filter(L, idx, op);
    if (f->ctx == NULL)
        lsc_fail(L, op, NULL, EBADF, f->merged
                 ? "filter was merged into another filter"
                 : "filter is closed");
    return f;
}

static int count_syscalls(const lsc_log *log)
{
    /* Distinct syscalls with rules; a small quadratic scan is fine for
     * the sizes seccomp filters have. */
    size_t i, j;
    int n = 0;
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        int seen = 0;
        if (op->kind == LSC_OP_MERGE) {
            n += count_syscalls(op->merged);
            continue;
        }
        if (op->kind != LSC_OP_RULE && op->kind != LSC_OP_RULE_EXACT)
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = (log->ops[j].kind == LSC_OP_RULE ||
                    log->ops[j].kind == LSC_OP_RULE_EXACT) &&
                   log->ops[j].rule.syscall == op->rule.syscall;
        n += !seen;
    }
    return n;
}

static int optimize_chosen(const lsc_log *log)
{
    size_t i;
    for (i = 0; i < log->n; i++)
        if (log->ops[i].kind == LSC_OP_ATTR &&
            log->ops[i].attr == SCMP_FLTATR_CTL_OPTIMIZE)
            return 1;
    return 0;
}

/* Before a load or an export: refuse a damaged filter and pick the
 * optimizer when the user did not. */
void lsc_ready(lua_State *L, lsc_filter *f, const char *op)
{
    if (f->damaged)
        lsc_fail(L, op, NULL, ENOTRECOVERABLE,
                 "a failed rule add left the filter in an unknown state; "
                 "build a new filter");
    {
        uint32_t tsync = 0;
        if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_TSYNC, &tsync) == 0 &&
            tsync && seccomp_api_get() < 2)
            lsc_fail(L, op, "tsync", EOPNOTSUPP, "thread sync needs libseccomp "
                     "API level 2 or more; turn tsync off to load without it");
    }
    if (!optimize_chosen(f->log)) {
        uint32_t level = count_syscalls(f->log) >= LSC_BTREE_MIN_SYSCALLS ? 2 : 1;
        int rc = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, level);
        if (rc < 0)
            lsc_fail(L, op, "optimize", -rc, NULL);
    }
}

static void release(lsc_filter *f)
{
    if (f->ctx != NULL) {
        seccomp_release(f->ctx);
        f->ctx = NULL;
    }
    log_free(f->log);
    f->log = NULL;
}

/* filter(default_action) -> filter */
static int l_filter(lua_State *L)
{
    uint32_t action = lsc_check_action(L, 1, "filter");
    lsc_filter *f = (lsc_filter *)lua_newuserdata(L, sizeof *f);
    int rc;
    memset(f, 0, sizeof *f);
    luaL_setmetatable(L, LSC_FILTER_TYPE);
    f->log = log_new(action);
    if (f->log == NULL)
        return lsc_fail(L, "filter", NULL, ENOMEM, NULL);
    rc = build_ctx(f->log, 0, &f->ctx);
    if (rc < 0) {
        char detail[96];
        snprintf(detail, sizeof detail,
                 "libseccomp refused the filter at API level %u",
                 seccomp_api_get());
        return lsc_fail(L, "filter", NULL, -rc, detail);
    }
    return 1;
}

static int l_close(lua_State *L)
{
    lsc_filter *f = lsc_to_filter(L, 1, "close");
    release(f);
    return 0;
}

static int l_tostring(lua_State *L)
{
    lsc_filter *f = lsc_to_filter(L, 1, "tostring");
    if (f->ctx == NULL) {
        lua_pushstring(L, f->merged ? "seccomp.filter (merged)"
                                    : "seccomp.filter (closed)");
        return 1;
    }
    lsc_push_action_text(L, f->log->default_action);
    lua_pushfstring(L, "seccomp.filter (%s, %d rule%s%s%s)",
                    lua_tostring(L, 2), (int)f->nrules,
                    f->nrules == 1 ? "" : "s",
                    f->loads ? ", loaded" : "",
                    f->damaged ? ", damaged" : "");
    return 1;
}

/* reset(default_action): drop every rule and attribute change */
static int l_reset(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "reset");
    uint32_t action = lsc_check_action(L, 2, "reset");
    lsc_log *log = log_new(action);
    int rc;
    if (log == NULL)
        return lsc_fail(L, "reset", NULL, ENOMEM, NULL);
    rc = seccomp_reset(f->ctx, action);
    if (rc == 0)
        rc = apply_defaults(f->ctx, 0);
    if (rc < 0) {
        log_free(log);
        f->damaged = 1;
        return lsc_fail(L, "reset", NULL, -rc, NULL);
    }
    log_free(f->log);
    f->log = log;
    f->nrules = 0;
    f->damaged = 0;
    lua_settop(L, 1);
    return 1;
}

/* merge(other): other's rules move into this filter; other is closed */
static int l_merge(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "merge");
    lsc_filter *o = lsc_check_filter(L, 2, "merge");
    lsc_op op;
    int rc;
    if (f == o)
        return lsc_fail(L, "merge", NULL, EINVAL, "a filter cannot merge itself");
    if (o->damaged)
        return lsc_fail(L, "merge", NULL, ENOTRECOVERABLE,
                        "the source filter is damaged");
    memset(&op, 0, sizeof op);
    op.kind = LSC_OP_MERGE;
    op.merged = o->log;
    lsc_log_reserve(L, f, 1);  /* room first: a merge cannot be undone */
    rc = seccomp_merge(f->ctx, o->ctx);
    if (rc < 0)
        return lsc_fail(L, "merge", NULL, -rc,
                        "filters must have different architectures, the same "
                        "attributes and the same default action");
    lsc_log_append(f, &op);
    f->nrules += o->nrules;
    o->ctx = NULL;  /* libseccomp released it */
    o->log = NULL;  /* now owned by f's record */
    o->merged = 1;
    lua_settop(L, 1);
    return 1;
}

static int option(lua_State *L, int idx, const char *name)
{
    int on;
    lua_pushstring(L, name);
    lua_rawget(L, idx);
    on = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return on;
}

/* load([{ kill_as_trap = bool, notify_as_enosys = bool }]) */
static int l_load(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "load");
    int variant = 0, rc;
    if (!lua_isnoneornil(L, 2)) {
        lsc_check_table(L, 2, "load", NULL, "options");
        if (option(L, 2, "kill_as_trap"))
            variant |= VARIANT_KILL_AS_TRAP;
        if (option(L, 2, "notify_as_enosys"))
            variant |= VARIANT_NOTIFY_AS_ENOSYS;
    }
    lsc_ready(L, f, "load");
    if (variant != 0) {
        scmp_filter_ctx built;
        rc = build_ctx(f->log, variant, &built);
        if (rc < 0)
            return lsc_fail(L, "load", NULL, -rc, "cannot build the variant to load");
        if (!optimize_chosen(f->log))
            seccomp_attr_set(built, SCMP_FLTATR_CTL_OPTIMIZE,
                             count_syscalls(f->log) >= LSC_BTREE_MIN_SYSCALLS ? 2 : 1);
        rc = seccomp_load(built);
        seccomp_release(built);
    } else {
        rc = seccomp_load(f->ctx);
    }
    if (rc != 0) {
        char detail[64];
        if (rc > 0) {  /* thread sync failed: rc is the thread's id */
            snprintf(detail, sizeof detail, "thread %d could not be synchronized", rc);
            return lsc_fail(L, "load", NULL, ESRCH, detail);
        }
        return lsc_fail(L, "load", NULL, -rc, "the kernel refused the filter");
    }
    f->loads++;
    lua_settop(L, 1);
    return 1;
}

static int l_rule_count(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "rule_count");
    lua_pushinteger(L, (lua_Integer)f->nrules);
    return 1;
}

static int l_is_open(lua_State *L)
{
    lsc_filter *f = lsc_to_filter(L, 1, "is_open");
    lua_pushboolean(L, f->ctx != NULL);
    return 1;
}

static const luaL_Reg filter_methods[] = {
    {"close", l_close},
    {"reset", l_reset},
    {"merge", l_merge},
    {"load", l_load},
    {"rule_count", l_rule_count},
    {"is_open", l_is_open},
    {NULL, NULL}
};

static const luaL_Reg filter_meta[] = {
    {"__gc", l_close},
    {"__close", l_close},
    {"__tostring", l_tostring},
    {NULL, NULL}
};

/* Creates the metatable; its __index is the methods table at -1. */
void lsc_open_filter(lua_State *L)
{
    luaL_setfuncs(L, filter_methods, 0);
    luaL_newmetatable(L, LSC_FILTER_TYPE);
    luaL_setfuncs(L, filter_meta, 0);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_filter);
    lua_setfield(L, -3, "filter");
}

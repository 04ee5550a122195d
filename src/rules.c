/*
 * rules.c: syscall names, argument comparators and adding rules.
 *
 * Everything a rule needs is validated and expanded before the first call
 * into libseccomp, so a rule that raises has added nothing. A libseccomp
 * failure after that is recovered by rebuilding from the record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_seccomp.h"

/* An arg32 comparison other than eq becomes several masked_eq rules;
 * this bounds how many one add may produce. */
#define LSC_MAX_EXPANSION 1024

#define LOW32 0xffffffffULL

static const char *const cmp_names[] = {
    "ne", "lt", "le", "eq", "ge", "gt", "masked_eq", NULL
};
static const enum scmp_compare cmp_values[] = {
    SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE,
    SCMP_CMP_GT, SCMP_CMP_MASKED_EQ
};

/* ---- syscalls -------------------------------------------------------- */

int lsc_check_syscall(lua_State *L, int idx, uint32_t arch, const char *op,
                      const char **name)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        int nr;
        *name = s;
        if (strlen(s) != len)
            lsc_fail(L, op, s, EINVAL, "syscall name contains a NUL byte");
        nr = arch == SCMP_ARCH_NATIVE ? seccomp_syscall_resolve_name(s)
                                      : seccomp_syscall_resolve_name_arch(arch, s);
        if (nr == __NR_SCMP_ERROR)
            lsc_fail(L, op, s, EINVAL, "unknown syscall");
        return nr;
    }
    if (lua_type(L, idx) == LUA_TNUMBER) {
        int64_t nr = lsc_check_range(L, idx, op, NULL, "syscall number", 0,
                                     INT_MAX);
        *name = lua_pushfstring(L, "%d", (int)nr);
        lua_replace(L, idx);  /* keep the subject string alive */
        return (int)nr;
    }
    lsc_fail(L, op, NULL, EINVAL, lua_pushfstring(L,
             "syscall must be a name or a number, got %s",
             luaL_typename(L, idx)));
    return -1;
}

/* ---- comparators ----------------------------------------------------- */

static uint64_t check_datum(lua_State *L, int t, const char *key, int bits,
                            const char *op, const char *subject)
{
    int64_t v;
    lua_getfield(L, t, key);
    if (bits == 32) {
        v = lsc_check_range(L, -1, op, subject, "32-bit comparator value",
                            INT32_MIN, (int64_t)UINT32_MAX);
        lua_pop(L, 1);
        return (uint64_t)v & LOW32;  /* -1 and 0xffffffff are one value */
    }
    v = lsc_check_integer(L, -1, op, subject, "comparator value");
    lua_pop(L, 1);
    return (uint64_t)v;  /* negative Lua integers are values >= 2^63 */
}

/* Reads one comparator table { arg =, op =, a =, b =, bits = }. */
static void check_cmp(lua_State *L, int t, const char *op, const char *subject,
                      lsc_cmp *c)
{
    const char *name;
    int i;
    t = lua_absindex(L, t);
    if (lua_type(L, t) != LUA_TTABLE)
        lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                 "comparator must be made by seccomp.arg(i) or seccomp.arg32(i), got %s",
                 luaL_typename(L, t)));
    lua_getfield(L, t, "arg");
    c->arg = (unsigned int)lsc_check_range(L, -1, op, subject, "argument index",
                                           0, LSC_MAX_ARGS - 1);
    lua_pop(L, 1);
    lua_getfield(L, t, "bits");
    c->bits = lua_isnil(L, -1) ? 64
            : (int)lsc_check_integer(L, -1, op, subject, "comparator bits");
    lua_pop(L, 1);
    if (c->bits != 32 && c->bits != 64)
        lsc_fail(L, op, subject, EINVAL, "comparator bits must be 32 or 64");
    lua_getfield(L, t, "op");
    name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    for (i = 0; cmp_names[i] != NULL && strcmp(cmp_names[i], name) != 0; i++)
        ;
    if (cmp_names[i] == NULL)
        lsc_fail(L, op, subject, EINVAL,
                 "comparator op must be eq, ne, lt, le, gt, ge or masked_eq");
    lua_pop(L, 1);
    c->op = cmp_values[i];
    c->a = check_datum(L, t, "a", c->bits, op, subject);
    c->b = c->op == SCMP_CMP_MASKED_EQ
         ? check_datum(L, t, "b", c->bits, op, subject) : 0;
}

/* ---- arg32 expansion --------------------------------------------------
 * libseccomp compares all 64 bits, but the kernel ignores the high half
 * of an int argument, so garbage there must not change the verdict. A set
 * of low-32-bit values is written as masked_eq blocks with the high half
 * of the mask clear: eq is one block, a range is at most 32 blocks. */

typedef struct { uint64_t mask, value; } block;

static int range_blocks(uint64_t lo, uint64_t hi, block *out, int n)
{
    while (lo <= hi) {
        uint64_t size = 1;
        while ((lo & (size * 2 - 1)) == 0 && lo + size * 2 - 1 <= hi &&
               size * 2 <= (LOW32 + 1))
            size *= 2;
        out[n].mask = LOW32 & ~(size - 1);
        out[n].value = lo;
        n++;
        lo += size;
    }
    return n;
}

static int cmp32_blocks(const lsc_cmp *c, block *out)
{
    uint64_t v = c->a;
    switch (c->op) {
    case SCMP_CMP_EQ:
        out[0].mask = LOW32; out[0].value = v; return 1;
    case SCMP_CMP_MASKED_EQ:
        out[0].mask = c->a; out[0].value = c->b; return 1;
    case SCMP_CMP_NE: {
        int n = v > 0 ? range_blocks(0, v - 1, out, 0) : 0;
        return v < LOW32 ? range_blocks(v + 1, LOW32, out, n) : n;
    }
    case SCMP_CMP_LT: return v > 0 ? range_blocks(0, v - 1, out, 0) : 0;
    case SCMP_CMP_LE: return range_blocks(0, v, out, 0);
    case SCMP_CMP_GT: return v < LOW32 ? range_blocks(v + 1, LOW32, out, 0) : 0;
    case SCMP_CMP_GE: return range_blocks(v, LOW32, out, 0);
    default: return 0;
    }
}

typedef struct {
    lsc_rule *rules;
    size_t n;
} expansion;

static int by_arg(const void *x, const void *y)
{
    const struct scmp_arg_cmp *a = x, *b = y;
    return (int)a->arg - (int)b->arg;
}

/* Turns validated comparators into the libseccomp rules they mean, for
 * each of the nsys syscalls. */
static void expand(lua_State *L, const lsc_cmp *c, unsigned int ncmp,
                   const int *syscalls, size_t nsys, uint32_t action,
                   expansion *e, const char *op, const char *subject)
{
    size_t per = 1, i, k, s;
    unsigned int j;
    block blocks[LSC_MAX_ARGS][64];
    int nblocks[LSC_MAX_ARGS];
    for (j = 0; j < ncmp; j++) {
        if (c[j].bits == 64) {
            nblocks[j] = 1;
        } else {
            nblocks[j] = cmp32_blocks(&c[j], blocks[j]);
            if (nblocks[j] == 0)
                lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                         "the comparison on argument %d can never be true",
                         (int)c[j].arg));
        }
        per *= (size_t)nblocks[j];
        if (per > LSC_MAX_EXPANSION)
            lsc_fail(L, op, subject, E2BIG,
                     "32-bit range comparisons expand to more than 1024 rules");
    }
    e->n = per * nsys;
    e->rules = lua_newuserdata(L, e->n * sizeof *e->rules);  /* freed by GC */
    memset(e->rules, 0, e->n * sizeof *e->rules);
    for (s = 0; s < nsys; s++)
        for (i = 0; i < per; i++) {
            lsc_rule *r = &e->rules[s * per + i];
            size_t rest = i;
            r->syscall = syscalls[s];
            r->action = action;
            r->ncmp = ncmp;
            for (j = 0; j < ncmp; j++) {
                struct scmp_arg_cmp *a = &r->cmp[j];
                a->arg = c[j].arg;
                if (c[j].bits == 64) {
                    a->op = c[j].op; a->datum_a = c[j].a; a->datum_b = c[j].b;
                } else {
                    k = rest % (size_t)nblocks[j];
                    rest /= (size_t)nblocks[j];
                    a->op = SCMP_CMP_MASKED_EQ;
                    a->datum_a = blocks[j][k].mask;
                    a->datum_b = blocks[j][k].value;
                }
            }
            qsort(r->cmp, r->ncmp, sizeof r->cmp[0], by_arg);
        }
}

static int same_condition(const lsc_rule *x, const lsc_rule *y)
{
    unsigned int j;
    if (x->syscall != y->syscall || x->ncmp != y->ncmp)
        return 0;
    for (j = 0; j < x->ncmp; j++)
        if (x->cmp[j].arg != y->cmp[j].arg || x->cmp[j].op != y->cmp[j].op ||
            x->cmp[j].datum_a != y->cmp[j].datum_a ||
            x->cmp[j].datum_b != y->cmp[j].datum_b)
            return 0;
    return 1;
}

static const lsc_rule *find_conflict(const lsc_log *log, const lsc_rule *r)
{
    size_t i;
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        if ((op->kind == LSC_OP_RULE || op->kind == LSC_OP_RULE_EXACT) &&
            op->rule.action != r->action && same_condition(&op->rule, r))
            return &op->rule;
    }
    return NULL;
}

/* The syscall argument: one name or number, or a list of them. Pushes a
 * userdata array of numbers and returns it with its length. */
static int *check_syscalls(lua_State *L, int idx, const char *op,
                           size_t *n, const char **first)
{
    int *nrs;
    size_t i, count = 1;
    if (lua_type(L, idx) == LUA_TTABLE) {
        count = lua_rawlen(L, idx);
        if (count == 0)
            lsc_fail(L, op, NULL, EINVAL, "empty list of syscalls");
    }
    nrs = lua_newuserdata(L, count * sizeof *nrs);
    if (lua_type(L, idx) != LUA_TTABLE) {
        nrs[0] = lsc_check_syscall(L, idx, SCMP_ARCH_NATIVE, op, first);
    } else {
        for (i = 0; i < count; i++) {
            const char *name;
            lua_rawgeti(L, idx, (lua_Integer)i + 1);
            nrs[i] = lsc_check_syscall(L, lua_gettop(L), SCMP_ARCH_NATIVE, op, &name);
            if (i == 0)
                *first = name;  /* stays on the stack */
            else
                lua_pop(L, 1);
        }
    }
    *n = count;
    return nrs;
}

/* add_rule(f, action, syscall(s), cmp...) and add_rule_exact(...): all or
 * nothing; a list of syscalls gets the same comparators for each. */
static int add_rule(lua_State *L, int exact)
{
    const char *op = exact ? "add_exact" : "add";
    lsc_filter *f = lsc_check_filter(L, 1, op);
    uint32_t action = lsc_check_action(L, 2, op);
    const char *subject = NULL;
    lsc_cmp cmps[LSC_MAX_ARGS];
    unsigned int ncmp = 0;
    int i, top = lua_gettop(L), seen[LSC_MAX_ARGS] = {0};
    size_t k, nsys;
    int *syscalls = check_syscalls(L, 3, op, &nsys, &subject);
    expansion e;

    if (top - 3 > LSC_MAX_ARGS)
        return lsc_fail(L, op, subject, E2BIG, lua_pushfstring(L,
                        "%d comparators given, at most 6 allowed", top - 3));
    for (i = 4; i <= top; i++) {
        check_cmp(L, i, op, subject, &cmps[ncmp]);
        if (seen[cmps[ncmp].arg]++)
            return lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                            "two comparators on argument %d", (int)cmps[ncmp].arg));
        ncmp++;
    }
    if (action == f->log->default_action)
        return lsc_fail(L, op, subject, EACCES,
                        "the rule's action is the filter's default action");
    expand(L, cmps, ncmp, syscalls, nsys, action, &e, op, subject);
    for (k = 0; k < e.n; k++) {
        const lsc_rule *other = find_conflict(f->log, &e.rules[k]);
        if (other != NULL) {
            char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(),
                                                          other->syscall);
            const char *which = lua_pushstring(L, name != NULL ? name : subject);
            free(name);
            lsc_push_action(L, other->action);
            lua_pushfstring(L, "conflicts with an earlier rule on the same "
                            "arguments with action %s", lua_tostring(L, -1));
            return lsc_fail(L, op, which, EEXIST, lua_tostring(L, -1));
        }
    }
    lsc_log_reserve(L, f, e.n);
    for (k = 0; k < e.n; k++) {
        const lsc_rule *r = &e.rules[k];
        lsc_op rec;
        int rc = exact
            ? seccomp_rule_add_exact_array(f->ctx, action, r->syscall, r->ncmp, r->cmp)
            : seccomp_rule_add_array(f->ctx, action, r->syscall, r->ncmp, r->cmp);
        if (rc < 0) {
            char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(),
                                                          r->syscall);
            lua_pushstring(L, name != NULL ? name : subject);
            free(name);
            f->log->n -= k;  /* forget this call's rules, then rebuild */
            f->nrules -= k;
            return lsc_recover(L, f, op, lua_tostring(L, -1), -rc,
                               "libseccomp refused the rule");
        }
        memset(&rec, 0, sizeof rec);
        rec.kind = exact ? LSC_OP_RULE_EXACT : LSC_OP_RULE;
        rec.rule = *r;
        lsc_log_append(f, &rec);
        f->nrules++;
    }
    lua_settop(L, 1);
    return 1;
}

static int l_add_rule(lua_State *L) { return add_rule(L, 0); }
static int l_add_rule_exact(lua_State *L) { return add_rule(L, 1); }

/* priority(syscall, 0..255) */
static int l_priority(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "priority");
    const char *subject;
    lsc_op rec;
    int nr = lsc_check_syscall(L, 2, SCMP_ARCH_NATIVE, "priority", &subject);
    int64_t prio = lsc_check_range(L, 3, "priority", subject, "priority", 0, 255);
    int rc;
    memset(&rec, 0, sizeof rec);
    rec.kind = LSC_OP_PRIORITY;
    rec.rule.syscall = nr;
    rec.value = (uint32_t)prio;
    lsc_log_reserve(L, f, 1);
    rc = seccomp_syscall_priority(f->ctx, nr, (uint8_t)prio);
    if (rc < 0)
        return lsc_recover(L, f, "priority", subject, -rc, NULL);
    lsc_log_append(f, &rec);
    lua_settop(L, 1);
    return 1;
}

/* check_cmp(tbl): raises unless tbl is a valid comparator */
static int l_check_cmp(lua_State *L)
{
    lsc_cmp c;
    check_cmp(L, 1, "comparator", NULL, &c);
    lua_settop(L, 1);
    return 1;
}

/* syscall(name[, arch]) -> number */
static int l_syscall(lua_State *L)
{
    const char *name;
    uint32_t arch = lua_isnoneornil(L, 2) ? SCMP_ARCH_NATIVE
                                          : lsc_check_arch(L, 2, "syscall");
    luaL_checktype(L, 1, LUA_TSTRING);
    lua_pushinteger(L, lsc_check_syscall(L, 1, arch, "syscall", &name));
    return 1;
}

/* syscall_name(nr[, arch]) -> name */
static int l_syscall_name(lua_State *L)
{
    int64_t nr = lsc_check_range(L, 1, "syscall_name", NULL, "syscall number",
                                 INT_MIN, INT_MAX);
    uint32_t arch = lua_isnoneornil(L, 2) ? seccomp_arch_native()
                                          : lsc_check_arch(L, 2, "syscall_name");
    char *name = seccomp_syscall_resolve_num_arch(arch, (int)nr);
    if (name == NULL)
        return lsc_fail(L, "syscall_name", lua_tostring(L, 1), EINVAL,
                        "no syscall with this number on this architecture");
    lua_pushstring(L, name);
    free(name);
    return 1;
}

static const luaL_Reg rule_methods[] = {
    {"add_rule", l_add_rule},
    {"add_rule_exact", l_add_rule_exact},
    {"priority", l_priority},
    {NULL, NULL}
};

static const luaL_Reg rule_functions[] = {
    {"check_cmp", l_check_cmp},
    {"syscall", l_syscall},
    {"syscall_name", l_syscall_name},
    {NULL, NULL}
};

void lsc_open_rules(lua_State *L)
{
    luaL_setfuncs(L, rule_methods, 0);
    lua_pushvalue(L, -2);
    luaL_setfuncs(L, rule_functions, 0);
    lua_pop(L, 1);
}

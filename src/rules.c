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
            lsc_fail(L, op, lsc_push_subject(L, s, len), EINVAL,
                     "syscall name contains a NUL byte");
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

/* Comparator tables are read with raw access: a metamethod could run user
 * code in the middle of an add (and close the filter under it). */
static int raw_field(lua_State *L, int t, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

static uint64_t check_datum(lua_State *L, int t, const char *key, int bits,
                            const char *op, const char *subject)
{
    int64_t v;
    raw_field(L, t, key);
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
    raw_field(L, t, "arg");
    c->arg = (unsigned int)lsc_check_range(L, -1, op, subject, "argument index",
                                           0, LSC_MAX_ARGS - 1);
    lua_pop(L, 1);
    c->bits = raw_field(L, t, "bits") == LUA_TNIL ? 64
            : (int)lsc_check_range(L, -1, op, subject, "comparator bits", 32, 64);
    lua_pop(L, 1);
    if (c->bits != 32 && c->bits != 64)
        lsc_fail(L, op, subject, EINVAL, "comparator bits must be 32 or 64");
    raw_field(L, t, "op");
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
    /* libseccomp masks the value too, which would widen the rule. */
    if (c->op == SCMP_CMP_MASKED_EQ && (c->b & ~c->a) != 0)
        lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                 "masked_eq on argument %d can never be true: the value has "
                 "bits outside the mask", (int)c->arg));
}

/* ---- expansion into masked comparisons --------------------------------
 * Ranges and ne become masked_eq blocks, for two reasons:
 * - arg32: libseccomp compares all 64 bits, but the kernel ignores the high
 *   half of an int argument, so garbage there must not change the verdict:
 *   the blocks' masks leave the high half out;
 * - arg: libseccomp 2.5 can merge two 64-bit range comparisons on one
 *   argument wrongly; equality tests on blocks have no such problem.
 * A range of a w-bit value is at most 2w aligned blocks, ne at most 2w. */

#define LSC_MAX_BLOCKS 128

typedef struct { uint64_t mask, value; } block;

/* Aligned power-of-two blocks covering lo..hi of a `width`-bit value. */
static int range_blocks(uint64_t lo, uint64_t hi, int width, block *out, int n)
{
    uint64_t full = width == 64 ? UINT64_MAX : (1ULL << width) - 1;
    for (;;) {
        uint64_t span = 0;  /* block size - 1 */
        int k = 0;
        while (k < width) {
            uint64_t next = (span << 1) | 1;
            if ((lo & next) != 0 || hi - lo < next)
                break;
            span = next;
            k++;
        }
        out[n].mask = full & ~span;
        out[n].value = lo;
        n++;
        if (hi - lo == span)
            return n;
        lo += span + 1;
    }
}

static int cmp_blocks(const lsc_cmp *c, block *out)
{
    uint64_t v = c->a, full = c->bits == 64 ? UINT64_MAX : LOW32;
    int w = c->bits;
    switch (c->op) {
    case SCMP_CMP_EQ:
        out[0].mask = full; out[0].value = v; return 1;
    case SCMP_CMP_MASKED_EQ:
        out[0].mask = c->a; out[0].value = c->b; return 1;
    case SCMP_CMP_NE: {
        int n = v > 0 ? range_blocks(0, v - 1, w, out, 0) : 0;
        return v < full ? range_blocks(v + 1, full, w, out, n) : n;
    }
    case SCMP_CMP_LT: return v > 0 ? range_blocks(0, v - 1, w, out, 0) : 0;
    case SCMP_CMP_LE: return range_blocks(0, v, w, out, 0);
    case SCMP_CMP_GT: return v < full ? range_blocks(v + 1, full, w, out, 0) : 0;
    case SCMP_CMP_GE: return range_blocks(v, full, w, out, 0);
    default: return 0;
    }
}

/* 64-bit eq and masked_eq go to libseccomp as written. */
static int passes_through(const lsc_cmp *c)
{
    return c->bits == 64 && (c->op == SCMP_CMP_EQ || c->op == SCMP_CMP_MASKED_EQ);
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
    block (*blocks)[LSC_MAX_BLOCKS] = lua_newuserdata(L,
        LSC_MAX_ARGS * sizeof *blocks);
    int nblocks[LSC_MAX_ARGS];
    for (j = 0; j < ncmp; j++) {
        if (passes_through(&c[j])) {
            nblocks[j] = 1;
        } else {
            nblocks[j] = cmp_blocks(&c[j], blocks[j]);
            if (nblocks[j] == 0)
                lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                         "the comparison on argument %d can never be true",
                         (int)c[j].arg));
        }
        per *= (size_t)nblocks[j];
        if (per > LSC_MAX_EXPANSION)
            lsc_fail(L, op, subject, E2BIG,
                     "range comparisons expand to more than 1024 rules per syscall");
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
                if (passes_through(&c[j])) {
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

/* A rule conflicts with an earlier one on the same syscall and another
 * action when both have the same conditions, or when either has none:
 * libseccomp then keeps one of them and silently drops the other. */
static const lsc_rule *find_conflict(const lsc_log *log, const lsc_rule *r)
{
    size_t i;
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        const lsc_rule *o = &op->rule;
        if (op->kind == LSC_OP_MERGE) {
            const lsc_rule *m = find_conflict(op->merged, r);
            if (m != NULL)
                return m;
        }
        if ((op->kind != LSC_OP_RULE && op->kind != LSC_OP_RULE_EXACT) ||
            o->action == r->action || o->syscall != r->syscall)
            continue;
        if (o->ncmp == 0 || r->ncmp == 0 || same_condition(o, r))
            return o;
    }
    return NULL;
}

/* 32-bit architectures pass 32-bit arguments, and libseccomp compares only
 * the low half there: a value with high bits would match the wrong calls. */
static const char *const narrow_arches[] = {
    "x86", "x32", "arm", "mips", "mipsel", "mips64n32", "mipsel64n32",
    "ppc", "s390", "parisc", NULL
};

int lsc_arch_is_narrow(uint32_t token)
{
    int i;
    for (i = 0; narrow_arches[i] != NULL; i++)
        if (seccomp_arch_resolve_name(narrow_arches[i]) == token)
            return 1;
    return 0;
}

const char *lsc_narrow_arch(scmp_filter_ctx ctx)
{
    int i;
    for (i = 0; narrow_arches[i] != NULL; i++)
        if (seccomp_arch_exist(ctx, seccomp_arch_resolve_name(narrow_arches[i])) == 0)
            return narrow_arches[i];
    return NULL;
}

int lsc_rule_fits_narrow(const lsc_rule *r)
{
    unsigned int j;
    for (j = 0; j < r->ncmp; j++) {
        uint64_t v = r->cmp[j].op == SCMP_CMP_MASKED_EQ ? r->cmp[j].datum_b
                                                       : r->cmp[j].datum_a;
        if ((v >> 32) != 0)
            return 0;
    }
    return 1;
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
    lsc_filter *f = lsc_check_unloaded(L, 1, op);
    uint32_t action = lsc_check_action(L, 2, op);
    const char *subject = NULL;
    lsc_cmp cmps[LSC_MAX_ARGS];
    unsigned int ncmp = 0;
    int i, top = lua_gettop(L), seen[LSC_MAX_ARGS] = {0};
    size_t k, nsys;
    int *syscalls = check_syscalls(L, 3, op, &nsys, &subject);
    const char *narrow;
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
    narrow = lsc_narrow_arch(f->ctx);
    for (k = 0; k < e.n; k++) {
        const lsc_rule *other = find_conflict(f->log, &e.rules[k]);
        if (other != NULL) {
            char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(),
                                                          other->syscall);
            const char *which = lua_pushstring(L, name != NULL ? name : subject);
            free(name);
            lsc_push_action_text(L, other->action);
            lua_pushfstring(L, "conflicts with an earlier rule with action %s "
                            "(%s)", lua_tostring(L, -1),
                            other->ncmp == 0 || e.rules[k].ncmp == 0
                            ? "a rule without comparators takes the whole syscall"
                            : "same arguments");
            return lsc_fail(L, op, which, EEXIST, lua_tostring(L, -1));
        }
        if (narrow != NULL && !lsc_rule_fits_narrow(&e.rules[k]))
            return lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                            "a comparison needs values above 32 bits, which the "
                            "filter's %s architecture cannot compare; use arg32 "
                            "for int arguments", narrow));
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
    lsc_filter *f = lsc_check_unloaded(L, 1, "priority");
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
    lsc_check_string(L, 1, "syscall", NULL, "syscall name", NULL);
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

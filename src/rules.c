/*
 * rules.c: syscall names, argument comparators and adding rules.
 *
 * Everything a rule needs is validated and expanded before the first call
 * into libseccomp, so a rule that raises has added nothing. A libseccomp
 * failure after that is recovered by rebuilding from the record.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_seccomp.h"

/* Comparisons written as blocks multiply into several rules; this bounds
 * how many one add may produce per syscall. */
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
        const char *s = lsc_check_string(L, idx, op, NULL, "syscall name", NULL);
        int nr;
        *name = s;
        nr = arch == SCMP_ARCH_NATIVE ? seccomp_syscall_resolve_name(s)
                                      : seccomp_syscall_resolve_name_arch(arch, s);
        if (nr == __NR_SCMP_ERROR)
            lsc_fail(L, op, s, EINVAL, "unknown syscall");
        return nr;
    }
    if (lua_type(L, idx) == LUA_TNUMBER) {
        /* -1 is what a tracer's skipped calls become (see check_skipped) */
        int64_t nr = lsc_check_range(L, idx, op, NULL, "syscall number", -1,
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
    uint64_t v;
    raw_field(L, t, key);
    if (bits == 32) {
        v = (uint64_t)lsc_check_u64_range(L, -1, op, subject,
                                          "32-bit comparator value",
                                          INT32_MIN, (int64_t)UINT32_MAX);
        lua_pop(L, 1);
        return v & LOW32;  /* -1 and 0xffffffff are one value */
    }
    v = lsc_check_u64(L, -1, op, subject, "comparator value");
    lua_pop(L, 1);
    return v;  /* negative Lua integers are values >= 2^63 */
}

/* Reads one comparator table { arg =, op =, a =, b =, bits = }. */
static void check_cmp(lua_State *L, int t, const char *op, const char *subject,
                      lsc_cmp *c)
{
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
    i = lsc_option_index(L, -1, cmp_names);
    if (i < 0)
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

/* ---- what libseccomp is given -----------------------------------------
 * A comparison goes to libseccomp as written, except in three shapes,
 * which become masked_eq comparisons of aligned blocks (a range of a
 * w-bit value is at most 2w blocks, the complement of one value w):
 * - arg32, any op: libseccomp compares all 64 bits on a 64-bit
 *   architecture, but the kernel ignores the high half of an int argument,
 *   so garbage there must not change the verdict: the blocks' masks leave
 *   the high half out (eq and masked_eq are one block).
 * - ne on a 64-bit argument where libseccomp 2.5.4 merges it wrongly
 *   with another rule's comparison on the same argument of the same
 *   syscall (errno a0 == 0 && a1 != 5; errno a0 != 0xffffffff && a1 == 0:
 *   the call (0, 1) is let through); see "a 64-bit ne as written".
 * - a 64-bit range (lt, le, gt, ge) on an argument that an earlier rule on
 *   the same syscall already compares with a range as written: 2.5.4
 *   merges two such trees wrongly (errno a0 > 2^33; errno a0 < 0xffffffff:
 *   a0 == 0xffffffff gets the errno). Ranges against eq, masked_eq and
 *   blocks merge correctly, and so does one range repeated as the last
 *   comparison of several rules (test 04 of libseccomp: a2 < SSIZE_MAX
 *   after a0 == 1 and after a0 == 2; spec/47-regression_spec.lua).
 * Both merge bugs are in _db_tree_add(), which on a 64-bit comparison
 * updates the true action where it means the false one (libseccomp 2.6.1,
 * GHSA-4q85-33p6-j5g6). The shapes were found, and the rest checked, by
 * comparing the exported BPF with an independent evaluator over random
 * rule sets (spec/46-rule_shapes_spec.lua). */

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

/* The values a comparison accepts, as blocks; 0 when it accepts none. */
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

/* The same for a comparison as libseccomp was given it. */
static int given_blocks(const struct scmp_arg_cmp *a, block *out)
{
    lsc_cmp c;
    c.arg = a->arg;
    c.op = a->op;
    c.a = a->datum_a;
    c.b = a->datum_b;
    c.bits = 64;
    return cmp_blocks(&c, out);
}

static int is_range(enum scmp_compare op)
{
    return op == SCMP_CMP_LT || op == SCMP_CMP_LE || op == SCMP_CMP_GT ||
           op == SCMP_CMP_GE;
}

static int is_rule(const lsc_op *op)
{
    return op->kind == LSC_OP_RULE || op->kind == LSC_OP_RULE_EXACT;
}

/* ---- the record's rules by syscall -------------------------------------
 * A new rule is checked against the earlier rules on its own syscall, so
 * the record keeps an index of them: per syscall, its rules in record
 * order, as a chain through next[]. It is derived data, brought up to
 * date when asked for (the record only grows, or drops its newest
 * operations after a failure), and one malloc'd block that the record
 * frees with itself. Without memory for it, the scans walk the record. */

typedef struct { size_t head, tail; } index_slot;  /* op number + 1; 0: none */

typedef struct {
    size_t built;   /* ops[0..built) are indexed */
    size_t cap;     /* room in next[], in operations */
    size_t nslots;  /* a power of two, at least twice cap */
    size_t merges;  /* MERGE operations among them */
    size_t *next;   /* per op: the next rule on its syscall, op number + 1 */
    index_slot *slots;
    /* The filter's first multiplexing and first narrow architecture, as
     * probed since the last operation that changes architectures. */
    int arches_known;
    const char *mux, *narrow;
} rule_index;

static size_t slot_of(const rule_index *x, const lsc_op *ops, int nr)
{
    size_t i = ((uint32_t)nr * 2654435761u) & (x->nslots - 1);
    while (x->slots[i].head != 0 && ops[x->slots[i].head - 1].rule.syscall != nr)
        i = (i + 1) & (x->nslots - 1);
    return i;
}

static rule_index *index_of(const lsc_log *clog)
{
    lsc_log *log = (lsc_log *)clog;  /* the index is a cache */
    rule_index *x = log->index;
    size_t i;
    if (x != NULL && x->built > log->n) {  /* operations were dropped */
        free(x);
        log->index = x = NULL;
    }
    if (x == NULL || log->n > x->cap) {
        size_t cap = log->n < 32 ? 64 : 2 * log->n, nslots = 1;
        rule_index *fresh;
        while (nslots < 2 * cap)
            nslots <<= 1;
        fresh = malloc(sizeof *fresh + cap * sizeof(size_t) +
                       nslots * sizeof(index_slot));
        if (fresh == NULL)
            return NULL;
        fresh->built = 0;
        fresh->cap = cap;
        fresh->nslots = nslots;
        fresh->merges = 0;
        fresh->arches_known = 0;
        fresh->next = (size_t *)(fresh + 1);
        fresh->slots = (index_slot *)(fresh->next + cap);
        memset(fresh->slots, 0, nslots * sizeof(index_slot));
        free(x);
        log->index = x = fresh;
    }
    for (i = x->built; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        index_slot *slot;
        x->next[i] = 0;
        if (op->kind == LSC_OP_MERGE)
            x->merges++;
        if (op->kind == LSC_OP_MERGE || op->kind == LSC_OP_ARCH_ADD ||
            op->kind == LSC_OP_ARCH_REMOVE)
            x->arches_known = 0;
        if (!is_rule(op))
            continue;
        slot = &x->slots[slot_of(x, log->ops, op->rule.syscall)];
        if (slot->head == 0)
            slot->head = i + 1;
        else
            x->next[slot->tail - 1] = i + 1;
        slot->tail = i + 1;
    }
    x->built = log->n;
    return x;
}

/* The first recorded rule on syscall nr (op number + 1, 0: none), or
 * (size_t)-1 when the record must be walked instead: no index, or merged
 * records, whose rules sit between the others'. */
#define WALK ((size_t)-1)

static size_t first_rule(const lsc_log *log, int nr, const rule_index **xp)
{
    const rule_index *x = index_of(log);
    *xp = x;
    if (x == NULL || x->merges > 0)
        return WALK;
    return x->slots[slot_of(x, log->ops, nr)].head;
}

/* Whether rule r gives libseccomp a range as other_range_given asks. */
static int range_other(const lsc_rule *r, const lsc_cmp *c, int last)
{
    unsigned int j;
    for (j = 0; j < r->ncmp; j++) {
        const struct scmp_arg_cmp *g = &r->cmp[j];
        if (g->arg == c->arg && is_range(g->op) &&
            (g->op != c->op || g->datum_a != c->a || !last ||
             j + 1 != r->ncmp))  /* cmp[] is sorted by argument */
            return 1;
    }
    return 0;
}

/* Does a recorded rule on syscall nr give libseccomp a range on c's
 * argument other than c itself, or c where it is not the rule's last
 * comparison? With last set, the same range as the last comparison of
 * several rules is one leaf of libseccomp's tree and merges correctly;
 * followed by other comparisons, 2.5.4 loops without end merging it
 * (a0 < 2^63 - 1 && a1 & 2^63 == 0; a0 < 2^63 - 1 && a2 & ~1 == 0xfffffffe). */
static int other_range_given(const lsc_log *log, int nr, const lsc_cmp *c,
                             int last)
{
    const rule_index *x;
    size_t i, k = first_rule(log, nr, &x);
    if (k != WALK) {
        for (; k != 0; k = x->next[k - 1])
            if (range_other(&log->ops[k - 1].rule, c, last))
                return 1;
        return 0;
    }
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        if (op->kind == LSC_OP_MERGE && other_range_given(op->merged, nr, c, last))
            return 1;
        if (!is_rule(op) || op->rule.syscall != nr)
            continue;
        if (range_other(&op->rule, c, last))
            return 1;
    }
    return 0;
}

/* Whether comparison c goes to libseccomp as written on syscall nr (a
 * 64-bit ne is decided for the whole rule: ne_written). */
static int given_as_written(const lsc_log *log, const lsc_cmp *c, int nr,
                            int last)
{
    if (c->bits == 32 || c->op == SCMP_CMP_NE)
        return 0;
    if (c->op == SCMP_CMP_EQ || c->op == SCMP_CMP_MASKED_EQ)
        return 1;
    return !other_range_given(log, nr, c, last);
}

/* ---- a 64-bit ne as written --------------------------------------------
 * libseccomp writes ne as an equality whose false branch accepts; 2.5.4
 * gets that wrong where the node meets another rule's comparison of the
 * same argument on one path of its tree (as siblings, or merged with an
 * equality of the same half). Two rules keep clear of it when they take
 * different paths before the argument (both fix a value, under masks, of
 * some lower argument, and the values differ), or when they come to it by
 * the same comparisons and compare it the same way (one shared node).
 * So ne goes as written where it keeps clear of every other rule on the
 * syscall; a later rule it would not keep clear of turns the earlier
 * rules' ne into blocks first (rewrite_ne). */

static const struct scmp_arg_cmp *given_on(const struct scmp_arg_cmp *cmp,
                                           unsigned int n, unsigned int arg)
{
    unsigned int j;
    for (j = 0; j < n; j++)
        if (cmp[j].arg == arg)
            return &cmp[j];
    return NULL;
}

static int same_given(const struct scmp_arg_cmp *x, const struct scmp_arg_cmp *y)
{
    if (x == NULL || y == NULL)
        return x == y;
    return x->op == y->op && x->datum_a == y->datum_a &&
           x->datum_b == y->datum_b;
}

/* A comparison that fixes the bits of a mask: eq, masked_eq. */
static int point_of(const struct scmp_arg_cmp *g, uint64_t *mask,
                    uint64_t *value)
{
    if (g->op == SCMP_CMP_EQ) {
        *mask = UINT64_MAX;
        *value = g->datum_a;
        return 1;
    }
    if (g->op == SCMP_CMP_MASKED_EQ) {
        *mask = g->datum_a;
        *value = g->datum_b;
        return 1;
    }
    return 0;
}

/* Whether rules r and s, as given, both fix a value of some argument
 * below x, and the values differ: they part before x. */
static int part_before(const struct scmp_arg_cmp *r, unsigned int nr_cmp,
                       const struct scmp_arg_cmp *s, unsigned int ns_cmp,
                       unsigned int x)
{
    unsigned int y;
    for (y = 0; y < x; y++) {
        const struct scmp_arg_cmp *ry = given_on(r, nr_cmp, y);
        const struct scmp_arg_cmp *sy = given_on(s, ns_cmp, y);
        uint64_t m1, v1, m2, v2;
        if (ry != NULL && sy != NULL && point_of(ry, &m1, &v1) &&
            point_of(sy, &m2, &v2) && ((v1 ^ v2) & m1 & m2) != 0)
            return 1;
    }
    return 0;
}

/* Whether rules r and s, as given, keep a ne on argument x clear. */
static int ne_apart(const struct scmp_arg_cmp *r, unsigned int nr_cmp,
                    const struct scmp_arg_cmp *s, unsigned int ns_cmp,
                    unsigned int x)
{
    unsigned int y;
    if (given_on(r, nr_cmp, x) == NULL || given_on(s, ns_cmp, x) == NULL ||
        part_before(r, nr_cmp, s, ns_cmp, x))
        return 1;
    for (y = 0; y <= x; y++)
        if (!same_given(given_on(r, nr_cmp, y), given_on(s, ns_cmp, y)))
            return 0;
    return 1;
}

/* Calls fn(rule, data) for the recorded rules on syscall nr (merged
 * filters' rules live on other architectures and never meet these);
 * stops at the first nonzero result and returns it. */
static int each_rule_on(const lsc_log *log, int nr,
                        int (*fn)(const lsc_rule *, const void *),
                        const void *data)
{
    const rule_index *x;
    size_t i, k = first_rule(log, nr, &x);
    int rc;
    if (k != WALK) {
        for (; k != 0; k = x->next[k - 1])
            if ((rc = fn(&log->ops[k - 1].rule, data)) != 0)
                return rc;
        return 0;
    }
    for (i = 0; i < log->n; i++)
        if (is_rule(&log->ops[i]) && log->ops[i].rule.syscall == nr &&
            (rc = fn(&log->ops[i].rule, data)) != 0)
            return rc;
    return 0;
}

typedef struct {
    const struct scmp_arg_cmp *cmp;
    unsigned int ncmp, arg;
} ne_probe;

/* Nonzero when recorded rule s does not keep the probe's ne clear. */
static int meets_ne(const lsc_rule *s, const void *data)
{
    const ne_probe *p = data;
    return !ne_apart(p->cmp, p->ncmp, s->cmp, s->ncmp, p->arg);
}

/* Nonzero when rule r (given) does not keep recorded rule s's ne clear. */
static int breaks_ne(const lsc_rule *s, const void *data)
{
    const lsc_rule *r = data;
    unsigned int j;
    for (j = 0; j < s->ncmp; j++)
        if (s->cmp[j].op == SCMP_CMP_NE &&
            !ne_apart(r->cmp, r->ncmp, s->cmp, s->ncmp, s->cmp[j].arg))
            return 1;
    return 0;
}

/* Whether the 64-bit ne comparisons of a rule go as written on syscall
 * nr: only when the rule stays one rule (its other comparisons as
 * written or one block each) and each ne keeps clear of the earlier
 * rules. */
static int ne_written(const lsc_log *log, const lsc_cmp *c, unsigned int ncmp,
                      block (*blocks)[LSC_MAX_BLOCKS], const int *nblocks,
                      const int *written, int nr)
{
    struct scmp_arg_cmp given[LSC_MAX_ARGS];
    ne_probe p;
    unsigned int j;
    int any = 0;
    for (j = 0; j < ncmp; j++) {
        given[j].arg = c[j].arg;
        if (c[j].op == SCMP_CMP_NE && c[j].bits == 64) {
            any = 1;
            given[j].op = SCMP_CMP_NE;
            given[j].datum_a = c[j].a;
            given[j].datum_b = 0;
        } else if (written[j]) {
            given[j].op = c[j].op;
            given[j].datum_a = c[j].a;
            given[j].datum_b = c[j].b;
        } else if (nblocks[j] == 1) {
            given[j].op = SCMP_CMP_MASKED_EQ;
            given[j].datum_a = blocks[j][0].mask;
            given[j].datum_b = blocks[j][0].value;
        } else {
            return 0;
        }
    }
    p.cmp = given;
    p.ncmp = ncmp;
    for (j = 0; any && j < ncmp; j++) {
        p.arg = c[j].arg;
        if (given[j].op == SCMP_CMP_NE && each_rule_on(log, nr, meets_ne, &p))
            return 0;
    }
    return any;
}

/* ---- overlapping rules ------------------------------------------------
 * Rules with different actions on one syscall must not both match any
 * call: libseccomp 2.5 has no defined order between them (of two rules on
 * different arguments, the one on the higher argument wins). So a rule is
 * refused when an earlier one with another action can hold for the same
 * call: on every argument the two comparisons' value sets intersect. */

/* What one rule accepts, argument by argument (the blocks are the
 * caller's). */
typedef struct {
    int any[LSC_MAX_ARGS];  /* no comparison on this argument */
    int n[LSC_MAX_ARGS];
    const block *b[LSC_MAX_ARGS];
} arg_sets;

/* The sets of comparisons c, whose blocks are blocks[j], nblocks[j]. */
static void sets_of(const lsc_cmp *c, unsigned int ncmp,
                    block (*blocks)[LSC_MAX_BLOCKS], const int *nblocks,
                    arg_sets *s)
{
    unsigned int j;
    for (j = 0; j < LSC_MAX_ARGS; j++)
        s->any[j] = 1;
    for (j = 0; j < ncmp; j++) {
        s->any[c[j].arg] = 0;
        s->n[c[j].arg] = nblocks[j];
        s->b[c[j].arg] = blocks[j];
    }
}

/* Two blocks meet where they agree on the bits both fix. */
static int blocks_meet(const block *x, int nx, const block *y, int ny,
                       uint64_t *example)
{
    int i, j;
    for (i = 0; i < nx; i++)
        for (j = 0; j < ny; j++)
            if (((x[i].value ^ y[j].value) & x[i].mask & y[j].mask) == 0) {
                *example = x[i].value | y[j].value;
                return 1;
            }
    return 0;
}

/* Can recorded rule r and a rule accepting s both hold for one call?
 * If so, ex receives such a call's arguments. */
static int overlaps(const arg_sets *s, const lsc_rule *r, uint64_t *ex)
{
    block given[LSC_MAX_BLOCKS];
    unsigned int arg, j;
    for (arg = 0; arg < LSC_MAX_ARGS; arg++) {
        const struct scmp_arg_cmp *oc = NULL;
        int n;
        for (j = 0; j < r->ncmp; j++)
            if (r->cmp[j].arg == arg)
                oc = &r->cmp[j];
        if (oc == NULL) {
            ex[arg] = s->any[arg] ? 0 : s->b[arg][0].value;
            continue;
        }
        n = given_blocks(oc, given);
        if (n == 0)
            return 0;
        if (s->any[arg])
            ex[arg] = given[0].value;
        else if (!blocks_meet(s->b[arg], s->n[arg], given, n, &ex[arg]))
            return 0;
    }
    return 1;
}

/* The first recorded rule on syscall nr with another action than
 * `action` that overlaps s; merged filters' records included. */
static const lsc_rule *find_conflict(const lsc_log *log, int nr,
                                     uint32_t action, const arg_sets *s,
                                     uint64_t *ex)
{
    const rule_index *x;
    size_t i, k = first_rule(log, nr, &x);
    if (k != WALK) {
        for (; k != 0; k = x->next[k - 1]) {
            const lsc_rule *o = &log->ops[k - 1].rule;
            if (o->action != action && overlaps(s, o, ex))
                return o;
        }
        return NULL;
    }
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        const lsc_rule *o = &op->rule;
        if (op->kind == LSC_OP_MERGE) {
            const lsc_rule *m = find_conflict(op->merged, nr, action, s, ex);
            if (m != NULL)
                return m;
        }
        if ((op->kind != LSC_OP_RULE && op->kind != LSC_OP_RULE_EXACT) ||
            o->action == action || o->syscall != nr)
            continue;
        if (overlaps(s, o, ex))
            return o;
    }
    return NULL;
}

const char *lsc_syscall_name(uint32_t arch, int nr, char *buf)
{
    char *name = seccomp_syscall_resolve_num_arch(arch, nr);
    if (name == NULL)
        return NULL;
    snprintf(buf, LSC_NAME_MAX, "%s", name);
    free(name);
    return buf;
}

/* ---- multiplexed calls -------------------------------------------------
 * On these architectures libseccomp 2.5.4 also writes a rule on a socket
 * call as a rule on socketcall(2), and one on a SysV IPC call as a rule on
 * ipc(2), comparing only the sub-call number in argument 0 (see
 * abi_rule_add() in its syscalls.c). The real arguments are in memory,
 * which seccomp cannot read, so there the rule's comparisons are lost. */
typedef struct { const char *name; uint32_t token; } arch_entry;

static const arch_entry mux_arches[] = {
    {"x86", SCMP_ARCH_X86}, {"mips", SCMP_ARCH_MIPS},
    {"mipsel", SCMP_ARCH_MIPSEL}, {"ppc", SCMP_ARCH_PPC},
    {"ppc64", SCMP_ARCH_PPC64}, {"ppc64le", SCMP_ARCH_PPC64LE},
    {"s390", SCMP_ARCH_S390}, {"s390x", SCMP_ARCH_S390X}, {NULL, 0}
};

/* Sub-call numbers: SYS_* of <linux/net.h>, and the ipc(2) call numbers
 * (SEMOP..SHMCTL of the kernel's <linux/ipc.h>). */
static const struct { const char *name; int ipc; uint32_t call; } mux_calls[] = {
    {"socket", 0, 1}, {"bind", 0, 2}, {"connect", 0, 3}, {"listen", 0, 4},
    {"accept", 0, 5}, {"getsockname", 0, 6}, {"getpeername", 0, 7},
    {"socketpair", 0, 8}, {"send", 0, 9}, {"recv", 0, 10},
    {"sendto", 0, 11}, {"recvfrom", 0, 12}, {"shutdown", 0, 13},
    {"setsockopt", 0, 14}, {"getsockopt", 0, 15}, {"sendmsg", 0, 16},
    {"recvmsg", 0, 17}, {"accept4", 0, 18}, {"recvmmsg", 0, 19},
    {"sendmmsg", 0, 20},
    {"semop", 1, 1}, {"semget", 1, 2}, {"semctl", 1, 3},
    {"semtimedop", 1, 4}, {"msgsnd", 1, 11}, {"msgrcv", 1, 12},
    {"msgget", 1, 13}, {"msgctl", 1, 14}, {"shmat", 1, 21},
    {"shmdt", 1, 22}, {"shmget", 1, 23}, {"shmctl", 1, 24},
    {NULL, 0, 0}
};

#define MUX_CALLS (sizeof mux_calls / sizeof mux_calls[0] - 1)

/* The native numbers of the sub-calls, resolved once per process, and
 * for numbers below MUX_BY_NR the sub-call each is (index + 1; 0: none),
 * since every add asks. */
#define MUX_BY_NR 1024
static int mux_native[MUX_CALLS];
static unsigned char mux_by_nr[MUX_BY_NR];
static pthread_once_t mux_once = PTHREAD_ONCE_INIT;

static void mux_resolve(void)
{
    size_t i;
    for (i = 0; i < MUX_CALLS; i++) {
        int nr = seccomp_syscall_resolve_name(mux_calls[i].name);
        mux_native[i] = nr;
        if (nr >= 0 && nr < MUX_BY_NR && mux_by_nr[nr] == 0)
            mux_by_nr[nr] = (unsigned char)(i + 1);
    }
}

/* The multiplexed call syscall nr (native) is, or -1. */
static int mux_call(int nr)
{
    size_t i;
    if (nr == __NR_SCMP_ERROR)
        return -1;
    pthread_once(&mux_once, mux_resolve);
    if (nr >= 0 && nr < MUX_BY_NR)
        return (int)mux_by_nr[nr] - 1;
    for (i = 0; i < MUX_CALLS; i++)
        if (mux_native[i] == nr)
            return (int)i;
    return -1;
}

/* Whether the call named name is multiplexed on architecture token. */
int lsc_multiplexed_on(uint32_t token, const char *name)
{
    int i;
    if (name == NULL || !lsc_arch_multiplexes(token))
        return 0;
    for (i = 0; mux_calls[i].name != NULL; i++)
        if (strcmp(mux_calls[i].name, name) == 0)
            return 1;
    return 0;
}

int lsc_arch_multiplexes(uint32_t token)
{
    int i;
    for (i = 0; mux_arches[i].name != NULL; i++)
        if (mux_arches[i].token == token)
            return 1;
    return 0;
}

/* The first architecture of the filter in `arches`, or NULL. */
static const char *arch_among(scmp_filter_ctx ctx, const arch_entry *arches)
{
    int i;
    for (i = 0; arches[i].name != NULL; i++)
        if (seccomp_arch_exist(ctx, arches[i].token) == 0)
            return arches[i].name;
    return NULL;
}

/* How strict an action is: a higher number refuses more. */
int lsc_action_strictness(uint32_t action)
{
    switch (action & 0xffff0000U) {  /* SECCOMP_RET_ACTION_FULL */
    case SCMP_ACT_KILL_PROCESS: return 7;
    case SCMP_ACT_KILL_THREAD: return 6;
    case SCMP_ACT_TRAP: return 5;
    case SCMP_ACT_ERRNO(0): return 4;
    case SCMP_ACT_NOTIFY: return 3;
    case SCMP_ACT_TRACE(0): return 2;
    case SCMP_ACT_LOG: return 1;
    default: return 0;  /* allow */
    }
}

/* A rule with comparisons on a multiplexed call whose action is more
 * permissive than the default: written through socketcall or ipc it would
 * let the call pass whatever its arguments. */
static int mux_weakens(const lsc_rule *r, uint32_t default_action)
{
    return r->ncmp > 0 && mux_call(r->syscall) >= 0 &&
           lsc_action_strictness(r->action) < lsc_action_strictness(default_action);
}

/* The first such recorded rule (merged records included), or NULL. */
static const lsc_rule *mux_problem(const lsc_log *log, uint32_t default_action)
{
    size_t i;
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        if (op->kind == LSC_OP_MERGE) {
            const lsc_rule *m = mux_problem(op->merged, default_action);
            if (m != NULL)
                return m;
        }
        if ((op->kind == LSC_OP_RULE || op->kind == LSC_OP_RULE_EXACT) &&
            mux_weakens(&op->rule, default_action))
            return &op->rule;
    }
    return NULL;
}

/* Raises: a rule with comparators on nr would be weakened on arch. The
 * subject is the call, or the architecture when one is being added. */
static int mux_fail(lua_State *L, const char *op, const char *subject, int nr,
                    const char *arch)
{
    char buf[LSC_NAME_MAX];
    const char *name = lsc_syscall_name(seccomp_arch_native(), nr, buf);
    int i = mux_call(nr);
    const char *via = i >= 0 && mux_calls[i].ipc ? "ipc" : "socketcall";
    const char *call = lua_pushstring(L, name != NULL ? name : "?");
    return lsc_fail(L, op, subject != NULL ? subject : call, EINVAL,
                    lua_pushfstring(L, "on %s, %s is also reached through %s, "
                    "whose arguments are in memory where seccomp cannot read "
                    "them, so a rule with comparators and an action more "
                    "permissive than the default would let every such call "
                    "pass there; allow %s without comparators, or leave out "
                    "the %s architecture", arch, call, via, call, arch));
}

/* Raises when the filter's record holds a rule that adding architecture
 * `arch` would weaken (see mux_weakens); call before adding it. */
void lsc_check_multiplex(lua_State *L, const lsc_log *log, uint32_t arch,
                         const char *op)
{
    const lsc_rule *r;
    if (!lsc_arch_multiplexes(arch))
        return;
    r = mux_problem(log, log->default_action);
    if (r != NULL) {
        int i;
        for (i = 0; mux_arches[i].name != NULL; i++)
            if (mux_arches[i].token == arch)
                break;
        mux_fail(L, op, mux_arches[i].name, r->syscall, mux_arches[i].name);
    }
}

/* 32-bit architectures pass 32-bit arguments, and libseccomp compares only
 * the low half there: a value with high bits would match the wrong calls. */
static const arch_entry narrow_arches[] = {
    {"x86", SCMP_ARCH_X86}, {"x32", SCMP_ARCH_X32}, {"arm", SCMP_ARCH_ARM},
    {"mips", SCMP_ARCH_MIPS}, {"mipsel", SCMP_ARCH_MIPSEL},
    {"mips64n32", SCMP_ARCH_MIPS64N32}, {"mipsel64n32", SCMP_ARCH_MIPSEL64N32},
    {"ppc", SCMP_ARCH_PPC}, {"s390", SCMP_ARCH_S390},
    {"parisc", SCMP_ARCH_PARISC}, {NULL, 0}
};

int lsc_arch_is_narrow(uint32_t token)
{
    int i;
    for (i = 0; narrow_arches[i].name != NULL; i++)
        if (narrow_arches[i].token == token)
            return 1;
    return 0;
}

const char *lsc_narrow_arch(scmp_filter_ctx ctx)
{
    return arch_among(ctx, narrow_arches);
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

/* Room for this many syscalls on the C stack; a longer list takes a
 * userdata, which the garbage collector frees. */
#define SMALL_ADD 16

/* Numbers below this are told apart with a bitmap; others (libseccomp's
 * pseudo numbers) by a scan of those seen. */
#define SEEN_BITS 4096

/* The syscall argument: one name or number, or a list of them. Returns
 * an array of the distinct numbers, in `small` or in a userdata pushed
 * on the stack, with its length. */
static int *check_syscalls(lua_State *L, int idx, const char *op,
                           size_t *n, const char **first, int *small)
{
    int *nrs = small;
    size_t i, j, count = 1, distinct = 0;
    unsigned char seen[SEEN_BITS / 8];
    if (lua_type(L, idx) == LUA_TTABLE) {
        count = lua_rawlen(L, idx);
        if (count == 0)
            lsc_fail(L, op, NULL, EINVAL, "empty list of syscalls");
    }
    if (count > SMALL_ADD)
        nrs = lua_newuserdata(L, count * sizeof *nrs);
    if (lua_type(L, idx) != LUA_TTABLE) {
        nrs[0] = lsc_check_syscall(L, idx, SCMP_ARCH_NATIVE, op, first);
        distinct = 1;
    } else {
        memset(seen, 0, sizeof seen);
        for (i = 0; i < count; i++) {
            const char *name;
            int nr;
            lua_rawgeti(L, idx, (lua_Integer)i + 1);
            nr = lsc_check_syscall(L, lua_gettop(L), SCMP_ARCH_NATIVE, op, &name);
            if (i == 0)
                *first = name;  /* stays on the stack */
            else
                lua_pop(L, 1);
            /* a name listed twice is one rule */
            if (nr >= 0 && nr < SEEN_BITS) {
                if (seen[nr / 8] & (1u << (nr % 8)))
                    continue;
                seen[nr / 8] |= (unsigned char)(1u << (nr % 8));
            } else {
                for (j = 0; j < distinct && nrs[j] != nr; j++)
                    ;
                if (j < distinct)
                    continue;
            }
            nrs[distinct++] = nr;
        }
    }
    *n = distinct;
    return nrs;
}

/* Syscall -1 is what a tracer leaves of a call it skips; libseccomp
 * writes rules on it only under the tskip attribute, and otherwise would
 * refuse the add with a bare error. */
static void check_skipped(lua_State *L, lsc_filter *f, const int *nrs, size_t n,
                          const char *op)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t tskip = 0;
        if (nrs[i] != -1)
            continue;
        if (seccomp_attr_get(f->ctx, SCMP_FLTATR_API_TSKIP, &tskip) != 0 || !tskip)
            lsc_fail(L, op, "-1", EINVAL, "syscall -1 (a call a tracer skipped) "
                     "takes rules only with the tskip attribute set: "
                     "f:set(\"tskip\", true)");
    }
}

/* Writes a call's arguments for an error message: "name(0, 0x5401, ...)". */
static const char *push_call(lua_State *L, int nr, const uint64_t *args,
                             int nargs, const char *fallback)
{
    char buf[LSC_NAME_MAX];
    const char *name = lsc_syscall_name(seccomp_arch_native(), nr, buf);
    luaL_Buffer b;
    int i;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, name != NULL ? name : fallback);
    luaL_addchar(&b, '(');
    for (i = 0; i < nargs; i++) {
        char num[24];
        snprintf(num, sizeof num, args[i] < 0x10000 ? "%llu" : "0x%llx",
                 (unsigned long long)args[i]);
        if (i > 0)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, num);
    }
    luaL_addstring(&b, nargs < LSC_MAX_ARGS ? ", ...)" : ")");
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

static int conflict_fail(lua_State *L, const char *op, const lsc_rule *other,
                         const uint64_t *ex, int nargs, const char *subject,
                         const char *why)
{
    char buf[LSC_NAME_MAX];
    const char *name = lsc_syscall_name(seccomp_arch_native(), other->syscall,
                                        buf);
    const char *which = lua_pushstring(L, name != NULL ? name : subject);
    const char *call;
    call = push_call(L, other->syscall, ex, nargs, which);
    lsc_push_action_text(L, other->action);
    return lsc_fail(L, op, which, EEXIST, lua_pushfstring(L,
                    "conflicts with an earlier rule with action %s: both "
                    "would match %s%s; rules with different actions on one "
                    "syscall must not match the same call",
                    lua_tostring(L, -1), call, why));
}

/* A deny rule on a multiplexed call also gets a rule of its own on
 * socketcall or ipc for the sub-call, whatever the arguments: what
 * libseccomp writes there compares the pointer to the arguments, and
 * ipc(2) ignores the version in the high 16 bits of its call number. */
static int mux_extra(int nr, uint32_t action, lsc_rule *out)
{
    int i = mux_call(nr);
    int via;
    if (i < 0)
        return 0;
    via = seccomp_syscall_resolve_name(mux_calls[i].ipc ? "ipc" : "socketcall");
    if (via == __NR_SCMP_ERROR)
        return 0;
    memset(out, 0, sizeof *out);
    out->syscall = via;
    out->action = action;
    out->ncmp = 1;
    out->cmp[0].arg = 0;
    out->cmp[0].op = SCMP_CMP_MASKED_EQ;
    out->cmp[0].datum_a = mux_calls[i].ipc ? 0xffff : LOW32;
    out->cmp[0].datum_b = mux_calls[i].call;
    return 1;
}

static int by_arg(const void *x, const void *y)
{
    const struct scmp_arg_cmp *a = x, *b = y;
    return (int)a->arg - (int)b->arg;
}

/* The libseccomp rules comparisons c mean on syscall nr, those marked
 * in written[] as written and the others as their blocks, written to out,
 * or to the rules of the operations at ops (zeroed first); with neither,
 * only counted. */
static size_t expand_cmps(const lsc_cmp *c, unsigned int ncmp,
                          block (*blocks)[LSC_MAX_BLOCKS], const int *nblocks,
                          int *written, int nr, uint32_t action, lsc_rule *out,
                          lsc_op *ops)
{
    size_t per = 1, i;
    unsigned int j;
    /* A range as written above an argument split into several blocks
     * would repeat in each of the rules, and 2.5.4 takes time exponential
     * in their number to merge them: it becomes blocks too. */
    for (j = 0; j < ncmp; j++) {
        unsigned int k;
        for (k = 0; written[j] && is_range(c[j].op) && k < ncmp; k++)
            if (!written[k] && nblocks[k] > 1 && c[k].arg > c[j].arg)
                written[j] = 0;
    }
    for (j = 0; j < ncmp; j++) {
        if (!written[j]) {
            per *= (size_t)nblocks[j];
            if (per > LSC_MAX_EXPANSION)
                return per;
        }
    }
    for (i = 0; (out != NULL || ops != NULL) && i < per; i++) {
        lsc_rule *r = out != NULL ? &out[i] : &ops[i].rule;
        size_t rest = i;
        if (ops != NULL)
            memset(&ops[i], 0, sizeof ops[i]);
        memset(r, 0, sizeof *r);
        r->syscall = nr;
        r->action = action;
        r->ncmp = ncmp;
        for (j = 0; j < ncmp; j++) {
            struct scmp_arg_cmp *a = &r->cmp[j];
            a->arg = c[j].arg;
            if (written[j]) {
                a->op = c[j].op; a->datum_a = c[j].a; a->datum_b = c[j].b;
            } else {
                size_t k = rest % (size_t)nblocks[j];
                rest /= (size_t)nblocks[j];
                a->op = SCMP_CMP_MASKED_EQ;
                a->datum_a = blocks[j][k].mask;
                a->datum_b = blocks[j][k].value;
            }
        }
        if (r->ncmp > 1)
            qsort(r->cmp, r->ncmp, sizeof r->cmp[0], by_arg);
    }
    return per;
}

/* The libseccomp rules one comparator list means on syscall nr, written
 * to the rules of the operations at ops (NULL: only counted). */
static size_t expand_one(const lsc_log *log, const lsc_cmp *c,
                         unsigned int ncmp, block (*blocks)[LSC_MAX_BLOCKS],
                         const int *nblocks, int nr, uint32_t action,
                         lsc_op *ops)
{
    unsigned int j, top = 0;
    int written[LSC_MAX_ARGS];
    for (j = 0; j < ncmp; j++)
        if (c[j].arg > top)
            top = c[j].arg;  /* the rule's last comparison in libseccomp */
    for (j = 0; j < ncmp; j++)
        written[j] = given_as_written(log, &c[j], nr, c[j].arg == top);
    if (ne_written(log, c, ncmp, blocks, nblocks, written, nr))
        for (j = 0; j < ncmp; j++)
            if (c[j].op == SCMP_CMP_NE)
                written[j] = 1;
    return expand_cmps(c, ncmp, blocks, nblocks, written, nr, action, NULL, ops);
}

/* A recorded rule as the rules libseccomp gets when its 64-bit ne
 * comparisons become blocks (and, as in expand_cmps, its ranges under
 * them), written to out (NULL: only counted). */
static size_t expand_without_ne(const lsc_rule *r, lsc_rule *out)
{
    block blocks[LSC_MAX_ARGS][LSC_MAX_BLOCKS];
    lsc_cmp c[LSC_MAX_ARGS];
    int nblocks[LSC_MAX_ARGS], written[LSC_MAX_ARGS];
    unsigned int j;
    for (j = 0; j < r->ncmp; j++) {
        c[j].arg = r->cmp[j].arg;
        c[j].op = r->cmp[j].op;
        c[j].a = r->cmp[j].datum_a;
        c[j].b = r->cmp[j].datum_b;
        c[j].bits = 64;
        nblocks[j] = given_blocks(&r->cmp[j], blocks[j]);
        written[j] = c[j].op != SCMP_CMP_NE;
    }
    return expand_cmps(c, r->ncmp, blocks, nblocks, written, r->syscall,
                       r->action, out, NULL);
}

static int has_ne(const lsc_rule *r)
{
    unsigned int j;
    for (j = 0; j < r->ncmp; j++)
        if (r->cmp[j].op == SCMP_CMP_NE)
            return 1;
    return 0;
}

/* Whether recorded rule t, once s is blocks, no longer keeps its ne
 * clear of s: s compares the argument and they do not part before it. */
static int follows_into_blocks(const lsc_rule *t, const lsc_rule *s)
{
    unsigned int j;
    for (j = 0; j < t->ncmp; j++)
        if (t->cmp[j].op == SCMP_CMP_NE &&
            given_on(s->cmp, s->ncmp, t->cmp[j].arg) != NULL &&
            !part_before(t->cmp, t->ncmp, s->cmp, s->ncmp, t->cmp[j].arg))
            return 1;
    return 0;
}

/* Turns into blocks the 64-bit ne of the recorded rules whose ne rule r
 * would not keep clear of (and of the rules that then would not), and
 * rebuilds the context: the same calls decided the same way. Raises
 * E2BIG, changing nothing, when a rule would become too many. */
static void rewrite_ne(lua_State *L, lsc_filter *f, const lsc_rule *r,
                       const char *op, const char *subject)
{
    lsc_log *log = f->log;
    size_t i, j, extra = 0, n = log->n, at;
    unsigned char *mark = lua_newuserdata(L, n);  /* 1: becomes blocks */
    int changed = 1, rc;
    lsc_op *ops;
    lsc_rule *rules;
    for (i = 0; i < n; i++) {
        const lsc_op *o = &log->ops[i];
        mark[i] = is_rule(o) && o->rule.syscall == r->syscall &&
                  has_ne(&o->rule) && breaks_ne(&o->rule, r);
    }
    while (changed) {
        changed = 0;
        for (i = 0; i < n; i++) {
            const lsc_op *t = &log->ops[i];
            if (mark[i] || !is_rule(t) || t->rule.syscall != r->syscall ||
                !has_ne(&t->rule))
                continue;
            for (j = 0; j < n && !mark[i]; j++)
                if (mark[j] && follows_into_blocks(&t->rule, &log->ops[j].rule))
                    mark[i] = changed = 1;
        }
    }
    for (i = 0; i < n; i++) {
        if (mark[i]) {
            size_t per = expand_without_ne(&log->ops[i].rule, NULL);
            if (per > LSC_MAX_EXPANSION) {
                char buf[LSC_NAME_MAX];
                const char *name = lsc_syscall_name(seccomp_arch_native(),
                                                    r->syscall, buf);
                lsc_fail(L, op, subject, E2BIG, lua_pushfstring(L,
                         "an earlier rule on %s compares 64-bit arguments with ne, "
                         "which libseccomp 2.5.4 merges wrongly with this rule's "
                         "comparisons as written, and as masked blocks it would be "
                         "%d rules (at most 1024); use arg32 for int arguments",
                         name != NULL ? name : "the syscall", (int)per));
            }
            extra += per - 1;
        }
    }
    /* the old operations and one rule's blocks, freed by the GC */
    ops = lua_newuserdata(L, n * sizeof *ops);
    rules = lua_newuserdata(L, LSC_MAX_EXPANSION * sizeof *rules);
    lsc_log_reserve(L, f, extra);  /* may raise: nothing changed yet */
    memcpy(ops, log->ops, n * sizeof *ops);
    for (i = 0, at = 0; i < n; i++) {
        if (mark[i]) {
            size_t per = expand_without_ne(&ops[i].rule, rules), k;
            for (k = 0; k < per; k++) {
                log->ops[at] = ops[i];
                log->ops[at++].rule = rules[k];
            }
        } else {
            log->ops[at++] = ops[i];
        }
    }
    lua_pop(L, 3);
    log->n = at;
    free(log->index);  /* the operations moved */
    log->index = NULL;
    f->nrules += extra;
    rc = lsc_rebuild(f);
    if (rc != 0) {
        f->damaged = 1;
        lsc_fail(L, op, subject, -rc, "libseccomp refused the rewritten rules");
    }
}

/* Rewrites the rules on a syscall whose ne one of the n rules expanded in
 * the record's room (see expand) would not keep clear of; returns whether
 * any were. A rewrite moves the record, room included, so the rules are
 * copied first. */
static int keep_ne_clear(lua_State *L, lsc_filter *f, size_t n, const char *op,
                         const char *subject)
{
    const lsc_op *room = f->log->ops + f->log->n;
    lsc_rule *copy = NULL;
    size_t k, i;
    int any = 0;
    for (k = 0; k < n; k++) {
        const lsc_rule *r = copy != NULL ? &copy[k] : &room[k].rule;
        if (r->ncmp > 0 && each_rule_on(f->log, r->syscall, breaks_ne, r)) {
            if (copy == NULL) {
                copy = lua_newuserdata(L, n * sizeof *copy);  /* freed by GC */
                for (i = 0; i < n; i++)
                    copy[i] = room[i].rule;
                r = &copy[k];
            }
            rewrite_ne(L, f, r, op, subject);
            any = 1;
        }
    }
    return any;
}

/* Everything a rule means, for each of the nsys syscalls, checked against
 * the filter before anything is given to libseccomp, then written as
 * operations to the room the record has after its last one (none of them
 * counted yet); returns how many. mux is the filter's first multiplexing
 * architecture, or NULL. */
static size_t expand(lua_State *L, lsc_filter *f, const lsc_cmp *c,
                     unsigned int ncmp, const int *syscalls, size_t nsys,
                     uint32_t action, int exact, const char *op,
                     const char *subject, const char *mux)
{
    /* only comparisons have blocks: the space is taken for those given,
     * on the C stack for the usual one or two */
    block small_blocks[2][LSC_MAX_BLOCKS];
    block (*blocks)[LSC_MAX_BLOCKS] = ncmp == 0 ? NULL
        : ncmp <= 2 ? small_blocks : lua_newuserdata(L, ncmp * sizeof *blocks);
    arg_sets sets[2];
    block extra_block;
    int nblocks[LSC_MAX_ARGS];
    uint64_t ex[LSC_MAX_ARGS];
    size_t s, total = 0, at;
    unsigned int j;
    lsc_rule extra;
    lsc_op *ops;
    for (j = 0; j < ncmp; j++) {
        nblocks[j] = cmp_blocks(&c[j], blocks[j]);
        if (nblocks[j] == 0)
            lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                     "the comparison on argument %d can never be true",
                     (int)c[j].arg));
    }
    sets_of(c, ncmp, blocks, nblocks, &sets[0]);
    for (s = 0; s < nsys; s++) {
        lsc_rule probe;
        const lsc_rule *other;
        size_t per;
        probe.syscall = syscalls[s];
        probe.action = action;
        probe.ncmp = ncmp;
        if (mux != NULL && mux_weakens(&probe, f->log->default_action))
            mux_fail(L, op, NULL, syscalls[s], mux);
        other = find_conflict(f->log, syscalls[s], action, &sets[0], ex);
        if (other != NULL)
            conflict_fail(L, op, other, ex, LSC_MAX_ARGS, subject, "");
        if (!exact && !mux_weakens(&probe, f->log->default_action) &&
            mux_extra(syscalls[s], action, &extra)) {
            sets[1].any[0] = 0;
            for (j = 1; j < LSC_MAX_ARGS; j++)
                sets[1].any[j] = 1;
            sets[1].n[0] = 1;
            extra_block.mask = extra.cmp[0].datum_a;
            extra_block.value = extra.cmp[0].datum_b;
            sets[1].b[0] = &extra_block;
            other = find_conflict(f->log, extra.syscall, action, &sets[1], ex);
            if (other != NULL)
                conflict_fail(L, op, other, ex, 1, subject, " (the rule "
                              "also covers the multiplexed form of the call)");
            total++;
        }
        /* a rule without comparisons is one rule */
        per = ncmp == 0 ? 1 : expand_one(f->log, c, ncmp, blocks, nblocks,
                                         syscalls[s], action, NULL);
        if (per > LSC_MAX_EXPANSION)
            lsc_fail(L, op, subject, E2BIG,
                     "range comparisons expand to more than 1024 rules per syscall");
        total += per;
    }
    lsc_log_reserve(L, f, total);
    ops = f->log->ops + f->log->n;
    for (s = 0, at = 0; s < nsys; s++) {
        lsc_rule probe;
        size_t per, k;
        int weak;
        probe.syscall = syscalls[s];
        probe.action = action;
        probe.ncmp = ncmp;
        weak = mux_weakens(&probe, f->log->default_action);
        per = expand_one(f->log, c, ncmp, blocks, nblocks, syscalls[s],
                         action, &ops[at]);
        /* Exact where it would weaken: so that adding a multiplexing
         * architecture later, which replays the record, refuses it. */
        for (k = 0; k < per; k++)
            ops[at + k].kind = exact || weak ? LSC_OP_RULE_EXACT : LSC_OP_RULE;
        at += per;
        if (!exact && !weak && mux_extra(syscalls[s], action, &extra)) {
            memset(&ops[at], 0, sizeof ops[at]);
            ops[at].kind = LSC_OP_RULE;
            ops[at].rule = extra;
            at++;
        }
    }
    return total;
}

/* ---- the rules as written ---------------------------------------------
 * f:explain answers with the rules as they were written, which the record
 * above no longer holds (arg32, ne and ranges are blocks there). They are
 * kept in the filter's user value, one flat list of Lua values per filter
 * (filter.lua reads it; its layout is described there): for each add,
 * the action value, exact, the number of comparators and of names, false
 * (the filter's own architectures), then arg, op, a, b (false if none)
 * and bits per comparator, then the names. */

/* An add without comparators is kept in C first, as the action, exact,
 * the number of names and their numbers (which is all f:explain takes
 * from a name), and written out to the list when the list is asked for
 * or before the next add that has comparators: an add then writes no Lua
 * values. */
typedef struct {
    size_t n, cap;
    int32_t v[];
} pending;

/* Room for `extra` more values, before libseccomp is given the rule. */
static void pending_reserve(lua_State *L, lsc_filter *f, size_t extra, const char *op)
{
    pending *p = f->written;
    size_t n = p != NULL ? p->n : 0, cap = p != NULL ? p->cap : 0;
    if (n + extra > cap) {
        pending *fresh;
        cap = cap ? cap : 256;
        while (cap < n + extra)
            cap *= 2;
        fresh = realloc(p, sizeof *fresh + cap * sizeof fresh->v[0]);
        if (fresh == NULL)
            lsc_fail(L, op, NULL, ENOMEM, NULL);
        fresh->n = n;
        fresh->cap = cap;
        f->written = fresh;
    }
}

static void pending_add(lsc_filter *f, uint32_t action, int exact,
                        const int *nrs, size_t nsys)
{
    pending *p = f->written;  /* room was reserved */
    size_t i;
    p->v[p->n++] = (int32_t)action;
    p->v[p->n++] = exact;
    p->v[p->n++] = (int32_t)nsys;
    for (i = 0; i < nsys; i++)
        p->v[p->n++] = nrs[i];
}

/* Pushes f's list (f at idx), made if it has none, with what is pending
 * written out to it. */
static void push_written(lua_State *L, lsc_filter *f, int idx)
{
    pending *p = f->written;
    if (lsc_getuservalue(L, idx) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lsc_setuservalue(L, idx);
    }
    if (p != NULL && p->n > 0) {
        int rec = lua_gettop(L);
        lua_Integer at = (lua_Integer)lua_rawlen(L, rec);
        size_t i = 0, k;
        while (i < p->n) {
            int32_t nnames = p->v[i + 2];
            lsc_push_action_value(L, (uint32_t)p->v[i]);
            lua_rawseti(L, rec, ++at);
            lua_pushboolean(L, p->v[i + 1]);
            lua_rawseti(L, rec, ++at);
            lua_pushinteger(L, 0);
            lua_rawseti(L, rec, ++at);
            lua_pushinteger(L, nnames);
            lua_rawseti(L, rec, ++at);
            lua_pushboolean(L, 0);
            lua_rawseti(L, rec, ++at);
            for (k = 0; k < (size_t)nnames; k++) {
                lua_pushinteger(L, p->v[i + 3 + k]);
                lua_rawseti(L, rec, ++at);
            }
            i += 3 + (size_t)nnames;
        }
        p->n = 0;
    }
}

/* add_rule(f, action, syscall(s), cmp...) and add_rule_exact(...): all or
 * nothing; a list of syscalls gets the same comparators for each. The
 * comparators are at 4..top; f is the filter at 1 if the caller checked
 * it already (open and unloaded), else NULL. Returns the action. */
static uint32_t add_rule(lua_State *L, int exact, int top, lsc_filter *f,
                         int keep_written)
{
    const char *op = exact ? "add_exact" : "add";
    uint32_t action;
    if (f == NULL)
        f = lsc_check_unloaded(L, 1, op);
    action = lsc_check_action(L, 2, op);
    const char *subject = NULL;
    lsc_cmp cmps[LSC_MAX_ARGS];
    unsigned int ncmp = 0;
    int i, seen[LSC_MAX_ARGS] = {0};
    size_t k, n, nsys;
    int small_nrs[SMALL_ADD];
    int *syscalls = check_syscalls(L, 3, op, &nsys, &subject, small_nrs);
    const char *narrow, *mux;
    lsc_op *ops;
    check_skipped(L, f, syscalls, nsys, op);

    if (top - 3 > LSC_MAX_ARGS)
        lsc_fail(L, op, subject, E2BIG, lua_pushfstring(L,
                 "%d comparators given, at most 6 allowed", top - 3));
    for (i = 4; i <= top; i++) {
        check_cmp(L, i, op, subject, &cmps[ncmp]);
        if (seen[cmps[ncmp].arg]++)
            lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                     "two comparators on argument %d", (int)cmps[ncmp].arg));
        ncmp++;
    }
    if (action == f->log->default_action)
        lsc_fail(L, op, subject, EACCES,
                 "the rule's action is the filter's default action");
    /* the filter's architectures, probed once for the whole add and kept
     * until the record says they changed */
    {
        rule_index *x = index_of(f->log);
        if (x != NULL && x->arches_known) {
            mux = x->mux;
            narrow = x->narrow;
        } else {
            mux = arch_among(f->ctx, mux_arches);
            narrow = lsc_narrow_arch(f->ctx);
            if (x != NULL) {
                x->mux = mux;
                x->narrow = narrow;
                x->arches_known = 1;
            }
        }
    }
    /* A 64-bit ne is written as two comparisons of 32-bit halves, one of
     * them with values above 32 bits, which a 32-bit architecture's rules
     * cannot hold: refuse it as written rather than say something else. */
    for (i = 0; narrow != NULL && i < (int)ncmp; i++)
        if (cmps[i].op == SCMP_CMP_NE && cmps[i].bits == 64)
            lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                            "arg(%d):ne compares all 64 bits, which the "
                            "filter's %s architecture cannot write; use "
                            "arg32(%d):ne for int arguments", (int)cmps[i].arg,
                            narrow, (int)cmps[i].arg));
    n = expand(L, f, cmps, ncmp, syscalls, nsys, action, exact, op, subject, mux);
    if (keep_ne_clear(L, f, n, op, subject))  /* the record changed */
        n = expand(L, f, cmps, ncmp, syscalls, nsys, action, exact, op, subject, mux);
    if (keep_written)
        pending_reserve(L, f, 3 + nsys, op);
    ops = f->log->ops + f->log->n;
    for (k = 0; narrow != NULL && k < n; k++)
        if (!lsc_rule_fits_narrow(&ops[k].rule))
            lsc_fail(L, op, subject, EINVAL, lua_pushfstring(L,
                     "a comparison needs values above 32 bits, which the "
                     "filter's %s architecture cannot compare; use arg32 "
                     "for int arguments", narrow));
    for (k = 0; k < n; k++) {
        const lsc_rule *r = &ops[k].rule;
        int rc = ops[k].kind == LSC_OP_RULE_EXACT
            ? seccomp_rule_add_exact_array(f->ctx, r->action, r->syscall, r->ncmp, r->cmp)
            : seccomp_rule_add_array(f->ctx, r->action, r->syscall, r->ncmp, r->cmp);
        if (rc < 0) {
            char buf[LSC_NAME_MAX];
            const char *name = lsc_syscall_name(seccomp_arch_native(),
                                                r->syscall, buf);
            lua_pushstring(L, name != NULL ? name : subject);
            f->log->n -= k;  /* forget this call's rules, then rebuild */
            f->nrules -= k;
            lsc_recover(L, f, op, lua_tostring(L, -1), -rc,
                        "libseccomp refused the rule");
        }
        f->log->n++;  /* recorded: the operation is in place already */
        f->nrules++;
    }
    if (keep_written)
        pending_add(f, action, exact, syscalls, nsys);
    return action;
}

static int l_add_rule(lua_State *L)
{
    add_rule(L, 0, lua_gettop(L), NULL, 0);
    lua_settop(L, 1);
    return 1;
}

static int l_add_rule_exact(lua_State *L)
{
    add_rule(L, 1, lua_gettop(L), NULL, 0);
    lua_settop(L, 1);
    return 1;
}


/* Appends one add of `action`: its names are the table at 3, or the one
 * value at `name`; its comparators at 4..top (read raw, as the core read
 * them, so that nothing here can raise but memory). */
static void record_written(lua_State *L, uint32_t action, int exact, int top,
                           int name)
{
    static const char *const fields[] = { "arg", "op", "a", "b", "bits" };
    int list = lua_type(L, 3) == LUA_TTABLE;
    lua_Integer nnames = list ? (lua_Integer)lua_rawlen(L, 3) : 1, at, k;
    int i, j, rec;
    push_written(L, lsc_to_filter(L, 1, "add"), 1);
    rec = lua_gettop(L);
    at = (lua_Integer)lua_rawlen(L, rec);
    lsc_push_action_value(L, action);
    lua_rawseti(L, rec, at + 1);
    lua_pushboolean(L, exact);
    lua_rawseti(L, rec, at + 2);
    lua_pushinteger(L, top - 3);
    lua_rawseti(L, rec, at + 3);
    lua_pushinteger(L, nnames);
    lua_rawseti(L, rec, at + 4);
    lua_pushboolean(L, 0);
    lua_rawseti(L, rec, at + 5);
    at += 5;
    for (i = 4; i <= top; i++) {
        for (j = 0; j < 5; j++) {
            int t = raw_field(L, i, fields[j]);
            if (t == LUA_TNIL) {
                lua_pop(L, 1);
                if (j == 3)
                    lua_pushboolean(L, 0);
                else
                    lua_pushinteger(L, 64);  /* bits: none given is 64 */
            }
            lua_rawseti(L, rec, at + 1 + j);
        }
        at += 5;
    }
    for (k = 1; k <= nnames; k++) {
        if (list)
            lua_rawgeti(L, 3, k);
        else
            lua_pushvalue(L, name);
        lua_rawseti(L, rec, at + k);
    }
    lua_pop(L, 1);
}

/* Whether the syscall argument at idx is what f:add takes as it is: a
 * name (not a "@group"), a number, or a plain list of them with no hole;
 * groups, empty lists and the rest go through filter.lua, which expands
 * them or says what is wrong. */
static int plain_names(lua_State *L, int idx)
{
    size_t len, i, n;
    const char *s;
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        return 1;
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        return len == 0 || s[0] != '@';
    case LUA_TTABLE:
        if (lua_getmetatable(L, idx)) {
            lua_pop(L, 1);
            return 0;
        }
        n = lua_rawlen(L, idx);
        if (n == 0)
            return 0;
        for (i = 1; i <= n; i++) {
            int t = lua_rawgeti(L, idx, (lua_Integer)i);
            int plain = t == LUA_TNUMBER ||
                (t == LUA_TSTRING && ((s = lua_tolstring(L, -1, &len)), len == 0 || s[0] != '@'));
            lua_pop(L, 1);
            if (!plain)
                return 0;
        }
        return 1;
    default:
        return 0;
    }
}

/* f:add, f:add_exact and f:allow, as C closures over their Lua versions
 * in filter.lua (upvalue 1). Where nothing needs the Lua layer (an open,
 * unloaded filter and plain names at name_idx) the rule is added and
 * recorded as written here, in one call; anything else (groups, and
 * every refusal the Lua versions word) is the Lua version's, called with
 * the same arguments, whose error levels count this closure's frame. */
static lsc_filter *plain_add(lua_State *L, int name_idx)
{
    lsc_filter *f = (lsc_filter *)luaL_testudata(L, 1, LSC_FILTER_TYPE);
    if (f == NULL || f->ctx == NULL || f->loads > 0 ||
        lua_gettop(L) < name_idx || !plain_names(L, name_idx))
        return NULL;
    return f;
}

/* The add of (f, action, names, cmp...) on the stack; returns f. */
static int add_here(lua_State *L, int exact, lsc_filter *f)
{
    int top = lua_gettop(L);
    uint32_t action;
    if (top == 3) {  /* no comparators: kept in C (see pending) */
        add_rule(L, exact, top, f, 1);
        lua_settop(L, 1);
        return 1;
    }
    lua_pushvalue(L, 3);  /* the name as written: the check may replace it */
    action = add_rule(L, exact, top, f, 0);
    record_written(L, action, exact, top, top + 1);
    lua_settop(L, 1);
    return 1;
}

static int add_in_lua(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static int l_method_add(lua_State *L)
{
    lsc_filter *f = plain_add(L, 3);
    return f != NULL ? add_here(L, 0, f) : add_in_lua(L);
}

static int l_method_add_exact(lua_State *L)
{
    lsc_filter *f = plain_add(L, 3);
    return f != NULL ? add_here(L, 1, f) : add_in_lua(L);
}

static int l_method_allow(lua_State *L)
{
    lsc_filter *f = plain_add(L, 2);
    if (f == NULL)
        return add_in_lua(L);
    lua_pushliteral(L, "allow");
    lua_insert(L, 2);
    return add_here(L, 0, f);
}

/* add_methods(add, add_exact, allow) -> the three closures over them */
static int l_add_methods(lua_State *L)
{
    static const lua_CFunction fns[] = {
        l_method_add, l_method_add_exact, l_method_allow
    };
    int i;
    for (i = 0; i < 3; i++)
        if (lua_type(L, i + 1) != LUA_TFUNCTION)
            lsc_fail(L, "add_methods", NULL, EINVAL, "expected three functions");
    for (i = 0; i < 3; i++) {
        lua_pushvalue(L, i + 1);
        lua_pushcclosure(L, fns[i], 1);
    }
    return 3;
}

/* written(f): f's list of rules as written, or nil; set_written(f, list
 * or nil) replaces it (filter.lua's merge, reset and close). */
static int l_written(lua_State *L)
{
    lsc_filter *f = lsc_to_filter(L, 1, "written");
    pending *p = f->written;
    if (p != NULL && p->n > 0)
        push_written(L, f, 1);
    else if (lsc_getuservalue(L, 1) != LUA_TTABLE)
        lua_pushnil(L);
    return 1;
}

/* (what is pending is dropped: it was the list's) */
static int l_set_written(lua_State *L)
{
    lsc_filter *f = lsc_to_filter(L, 1, "set_written");
    if (!lua_isnil(L, 2))
        lsc_check_table(L, 2, "set_written", NULL, "record");
    if (f->written != NULL)
        ((pending *)f->written)->n = 0;
    lua_settop(L, 2);
    lsc_setuservalue(L, 1);
    return 0;
}

/* priority(syscall, 0..255) */
static int l_priority(lua_State *L)
{
    lsc_filter *f = lsc_check_unloaded(L, 1, "priority");
    const char *subject;
    lsc_op rec;
    int nr = lsc_check_syscall(L, 2, SCMP_ARCH_NATIVE, "priority", &subject);
    int64_t prio = lsc_check_range(L, 3, "priority", subject, "priority", 0, 255);
    int rc;
    check_skipped(L, f, &nr, 1, "priority");
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
    char buf[LSC_NAME_MAX];
    const char *name = lsc_syscall_name(arch, (int)nr, buf);
    if (name == NULL)
        return lsc_fail(L, "syscall_name", lua_tostring(L, 1), EINVAL,
                        "no syscall with this number on this architecture");
    lua_pushstring(L, name);
    return 1;
}

const luaL_Reg lsc_rules_methods[] = {
    {"add_rule", l_add_rule},
    {"add_rule_exact", l_add_rule_exact},
    {"priority", l_priority},
    {NULL, NULL}
};

const luaL_Reg lsc_rules_functions[] = {
    {"check_cmp", l_check_cmp},
    {"syscall", l_syscall},
    {"syscall_name", l_syscall_name},
    {"add_methods", l_add_methods},
    {"written", l_written},
    {"set_written", l_set_written},
    {NULL, NULL}
};

/* multiplexed_calls: sub-call name -> "socketcall" or "ipc", for the
 * policy layer's question whether an architecture has a call at all. */
static void push_multiplexed_calls(lua_State *L)
{
    int i;
    lua_newtable(L);
    for (i = 0; mux_calls[i].name != NULL; i++) {
        lua_pushstring(L, mux_calls[i].ipc ? "ipc" : "socketcall");
        lua_setfield(L, -2, mux_calls[i].name);
    }
}

const lsc_field lsc_rules_fields[] = {
    {"multiplexed_calls", push_multiplexed_calls},
    {NULL, NULL}
};

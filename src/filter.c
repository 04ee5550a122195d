/*
 * filter.c: the filter userdata, its record, and loading.
 *
 * Like liolib.c's files, a filter is born closed (ctx == NULL), and one
 * idempotent function serves close, __gc and __close. Every method goes
 * through lsc_check_filter, which raises on a closed or merged filter,
 * and every method that changes the filter through lsc_check_unloaded:
 * once loaded, the filter is what the kernel enforces, so it stays so.
 *
 * A load does not go through seccomp_load: it loads the program the
 * filter exports (or a variant of it, see export.c) with seccomp(2) and
 * the flags seccomp_load would use, so plain and variant loads, and
 * later loads of a captured program, share one path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

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
    free(log->index);
    free(log);
}

/* Before a first load, f->bpf is the program the filter exported last,
 * kept for the next export; any change drops it. */
static void forget_export(lsc_filter *f)
{
    if (f->loads > 0)
        return;  /* frozen: bpf is what the kernel got */
    free(f->bpf);
    f->bpf = NULL;
    f->bpf_len = 0;
}

/* Makes room for extra more operations, so that recording what libseccomp
 * already accepted can never fail. Every change to a filter comes here
 * before it reaches libseccomp. */
void lsc_log_reserve(lua_State *L, lsc_filter *f, size_t extra)
{
    lsc_log *log = f->log;
    forget_export(f);
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

/* The defaults every new filter gets; see README "Defaults". */
static int apply_defaults(scmp_filter_ctx ctx)
{
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
                              SCMP_ACT_KILL_PROCESS);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
    return rc;
}

static int build_ctx(const lsc_log *log, scmp_filter_ctx *out);

static int replay_op(scmp_filter_ctx ctx, const lsc_op *op)
{
    const lsc_rule *r = &op->rule;
    scmp_filter_ctx sub;
    int rc;
    switch (op->kind) {
    case LSC_OP_RULE:
        return seccomp_rule_add_array(ctx, r->action, r->syscall, r->ncmp,
                                      r->cmp);
    case LSC_OP_RULE_EXACT:
        return seccomp_rule_add_exact_array(ctx, r->action, r->syscall,
                                            r->ncmp, r->cmp);
    case LSC_OP_PRIORITY:
        return seccomp_syscall_priority(ctx, r->syscall, (uint8_t)op->value);
    case LSC_OP_ATTR:
        return seccomp_attr_set(ctx, (enum scmp_filter_attr)op->attr, op->value);
    case LSC_OP_ARCH_ADD:
        return seccomp_arch_add(ctx, op->value);
    case LSC_OP_ARCH_REMOVE:
        return seccomp_arch_remove(ctx, op->value);
    case LSC_OP_MERGE:
        rc = build_ctx(op->merged, &sub);
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

static int build_ctx(const lsc_log *log, scmp_filter_ctx *out)
{
    size_t i, start, end;
    int rc;
    scmp_filter_ctx ctx = seccomp_init(log->default_action);
    if (ctx == NULL)  /* an action this API level lacks, or no memory */
        return -EOPNOTSUPP;
    rc = apply_defaults(ctx);
    /* In recorded order, segment by segment between merges (a merge
     * needs the attributes it was made with, and its rules live on the
     * architectures of that moment). Within a segment, architectures and
     * attributes first: libseccomp gives an architecture added after the
     * rules none of them, and the record means every rule for every
     * architecture of the filter. */
    for (start = 0; rc == 0 && start < log->n; start = end + 1) {
        for (end = start; end < log->n && log->ops[end].kind != LSC_OP_MERGE;
             end++)
            ;
        for (i = start; rc == 0 && i < end; i++)
            if (is_setup(&log->ops[i]))
                rc = replay_op(ctx, &log->ops[i]);
        for (i = start; rc == 0 && i < end; i++)
            if (!is_setup(&log->ops[i]))
                rc = replay_op(ctx, &log->ops[i]);
        if (rc == 0 && end < log->n)
            rc = replay_op(ctx, &log->ops[end]);
    }
    if (rc != 0) {
        seccomp_release(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

/* Whether the record holds a merge: the merged rules live on the
 * architectures the source had, so architectures cannot change after. */
int lsc_log_has_merge(const lsc_log *log)
{
    size_t i;
    for (i = 0; i < log->n; i++)
        if (log->ops[i].kind == LSC_OP_MERGE)
            return 1;
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
    int rc;
    forget_export(f);
    rc = build_ctx(f->log, &fresh);
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

/* Raises when f was loaded: a change would not reach the kernel. */
void lsc_refuse_loaded(lua_State *L, const lsc_filter *f, const char *op,
                       const char *subject)
{
    if (f->loads > 0)
        lsc_fail(L, op, subject, EPERM, "filter is loaded; build a new "
                 "filter to tighten further");
}

/* An open filter that was never loaded, for methods that change it. */
lsc_filter *lsc_check_unloaded(lua_State *L, int idx, const char *op)
{
    lsc_filter *f = lsc_check_filter(L, idx, op);
    lsc_refuse_loaded(L, f, op, NULL);
    return f;
}

/* check_unloaded(f, op[, subject]): the same check for the Lua layer,
 * which names the subject before it expands groups. */
static int l_check_unloaded(lua_State *L)
{
    const char *op = lsc_check_string(L, 2, "check_unloaded", NULL,
                                      "operation", NULL);
    const char *subject = NULL;
    if (!lua_isnoneornil(L, 3)) {  /* any bytes: it is only shown */
        size_t len;
        lsc_check_string(L, 3, op, NULL, "subject", &len);
        subject = lsc_to_subject(L, 3);
    }
    lsc_refuse_loaded(L, lsc_check_filter(L, 1, op), op, subject);
    return 0;
}

static int by_number(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

/* Distinct syscalls with rules in this record, plus those of each record
 * merged into it. */
static int count_syscalls(const lsc_log *log)
{
    size_t i, j, m = 0;
    int n = 0;
    int *nrs = malloc((log->n ? log->n : 1) * sizeof *nrs);
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        if (op->kind == LSC_OP_MERGE)
            n += count_syscalls(op->merged);
        else if (op->kind == LSC_OP_RULE || op->kind == LSC_OP_RULE_EXACT) {
            if (nrs != NULL) {
                nrs[m++] = op->rule.syscall;
                continue;
            }
            /* no memory for the sort: the scan needs none */
            for (j = 0; j < i; j++)
                if ((log->ops[j].kind == LSC_OP_RULE ||
                     log->ops[j].kind == LSC_OP_RULE_EXACT) &&
                    log->ops[j].rule.syscall == op->rule.syscall)
                    break;
            n += j == i;
        }
    }
    if (nrs != NULL) {
        qsort(nrs, m, sizeof *nrs, by_number);
        for (i = 0; i < m; i++)
            n += i == 0 || nrs[i] != nrs[i - 1];
        free(nrs);
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

/* libseccomp 2.5.4's linear code (optimize 1) loads the syscall number in
 * the block of the first call it orders for an architecture, except on a
 * lone x86_64 or x32, whose ABI check loads it (_gen_bpf_syscalls). When
 * that call is left out of the program (multiplexed or absent there, or
 * only given a priority) nothing loads the number and the architecture's
 * rules match nothing. The binary tree loads it first. */
static int reloads_number(scmp_filter_ctx ctx, uint32_t token)
{
    if (token == SCMP_ARCH_X86_64)
        return seccomp_arch_exist(ctx, SCMP_ARCH_X32) == 0;
    if (token == SCMP_ARCH_X32)
        return seccomp_arch_exist(ctx, SCMP_ARCH_X86_64) == 0;
    return 1;
}

static int has_rule_on(const lsc_log *log, int nr)
{
    size_t i;
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        if ((op->kind == LSC_OP_MERGE && has_rule_on(op->merged, nr)) ||
            ((op->kind == LSC_OP_RULE || op->kind == LSC_OP_RULE_EXACT) &&
             op->rule.syscall == nr))
            return 1;
    }
    return 0;
}

/* Whether the record (root: the whole of it) holds a call that
 * architecture token leaves out of the program: one it does not have (a
 * multiplexed or absent call), or one with a priority and no rule. */
static int leaves_out(const lsc_log *root, const lsc_log *log, uint32_t token)
{
    size_t i;
    for (i = 0; i < log->n; i++) {
        const lsc_op *op = &log->ops[i];
        if (op->kind == LSC_OP_MERGE && leaves_out(root, op->merged, token))
            return 1;
        if (op->kind == LSC_OP_PRIORITY && !has_rule_on(root, op->rule.syscall))
            return 1;
        if (op->kind == LSC_OP_RULE || op->kind == LSC_OP_RULE_EXACT ||
            op->kind == LSC_OP_PRIORITY) {
            char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(),
                                                          op->rule.syscall);
            int nr = name != NULL ? seccomp_syscall_resolve_name_arch(token, name)
                                  : -1;
            free(name);
            if (nr < 0)
                return 1;
        }
    }
    return 0;
}

static int linear_loses_number(lsc_filter *f)
{
    uint32_t tokens[LSC_MAX_ARCHES];
    int i, n = lsc_filter_arches(f->ctx, tokens);
    for (i = 0; i < n; i++)
        if (reloads_number(f->ctx, tokens[i]) &&
            leaves_out(f->log, f->log, tokens[i]))
            return 1;
    return 0;
}

static int has_priority(const lsc_log *log)
{
    size_t i;
    for (i = 0; i < log->n; i++)
        if (log->ops[i].kind == LSC_OP_PRIORITY ||
            (log->ops[i].kind == LSC_OP_MERGE && has_priority(log->ops[i].merged)))
            return 1;
    return 0;
}

/* libseccomp 2.5.4's PFC writer can run its indentation below zero on a
 * binary tree whose calls were given priorities (_gen_pfc_arch), and then
 * writes without end: such a filter has no PFC text. Call after
 * lsc_ready, which settles the optimizer level. */
int lsc_pfc_unwritable(lsc_filter *f)
{
    uint32_t level = 0;
    return seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, &level) == 0 &&
           level == 2 && has_priority(f->log);
}

/* Before a load or an export: refuse a damaged filter and pick the
 * optimizer when the user did not. */
void lsc_ready(lua_State *L, lsc_filter *f, const char *op)
{
    if (f->damaged)
        lsc_fail(L, op, NULL, ENOTRECOVERABLE,
                 "a failed rule add left the filter in an unknown state; "
                 "build a new filter");
    if (f->loads > 0)  /* frozen: the level was chosen before the load */
        return;
    {
        uint32_t tokens[LSC_MAX_ARCHES];
        if (lsc_filter_arches(f->ctx, tokens) == 0)
            lsc_fail(L, op, NULL, EINVAL, "the filter has no architecture: "
                     "add one with arch_add");
    }
    {
        uint32_t tsync = 0;
        if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_TSYNC, &tsync) == 0 &&
            tsync && seccomp_api_get() < 2)
            lsc_fail(L, op, "tsync", EOPNOTSUPP, "thread sync needs libseccomp "
                     "API level 2 or more; turn tsync off to load without it");
    }
    if (f->bpf != NULL)  /* exported since the last change: level chosen */
        return;
    if (!optimize_chosen(f->log)) {
        uint32_t level = count_syscalls(f->log) >= LSC_BTREE_MIN_SYSCALLS ||
                         linear_loses_number(f) ? 2 : 1;
        int rc = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, level);
        if (rc < 0)
            lsc_fail(L, op, "optimize", -rc, NULL);
    } else {
        uint32_t level = 0;
        if (seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, &level) == 0 &&
            level == 1 && linear_loses_number(f))
            lsc_fail(L, op, "optimize", EOPNOTSUPP, "libseccomp 2.5.4's linear "
                     "code (optimize 1) would not load the syscall number for "
                     "an architecture of this filter whose first call is "
                     "multiplexed or absent there, or has only a priority, so "
                     "none of its rules would match; use optimize 2 or leave "
                     "it unset");
    }
}

static void forget_capture(lsc_filter *f)
{
    free(f->bpf);
    free(f->pfc);
    f->bpf = f->pfc = NULL;
    f->bpf_len = f->pfc_len = 0;
}

static void release(lsc_filter *f)
{
    forget_capture(f);
    if (f->ctx != NULL) {
        seccomp_release(f->ctx);
        f->ctx = NULL;
    }
    log_free(f->log);
    f->log = NULL;
    free(f->written);
    f->written = NULL;
}

/* filter(default_action) -> filter */
static int l_filter(lua_State *L)
{
    uint32_t action = lsc_check_action(L, 1, "filter");
    lsc_filter *f = (lsc_filter *)lua_newuserdata(L, sizeof *f);
    int rc;
    memset(f, 0, sizeof *f);
    f->notify_fd = -1;
    luaL_setmetatable(L, LSC_FILTER_TYPE);
    f->log = log_new(action);
    if (f->log == NULL)
        return lsc_fail(L, "filter", NULL, ENOMEM, NULL);
    lsc_export_prepare();
    rc = build_ctx(f->log, &f->ctx);
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
    lua_settop(L, 1);  /* __tostring takes the filter alone */
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
    lsc_filter *f = lsc_check_unloaded(L, 1, "reset");
    uint32_t action = lsc_check_action(L, 2, "reset");
    lsc_log *log = log_new(action);
    int rc;
    if (log == NULL)
        return lsc_fail(L, "reset", NULL, ENOMEM, NULL);
    forget_export(f);
    rc = seccomp_reset(f->ctx, action);
    if (rc == 0)
        rc = apply_defaults(f->ctx);
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

/* libseccomp 2.5 merges filters whose attributes differ and keeps the
 * destination's: refuse instead, naming the first that differs. The
 * optimizer level is left out: it changes how the program is written,
 * not what it decides, and lsc_ready picks it for the merged record. */
static void merge_check_attributes(lua_State *L, lsc_filter *f, lsc_filter *o)
{
    static const struct { enum scmp_filter_attr attr; const char *name; }
    attrs[] = {
        { SCMP_FLTATR_ACT_DEFAULT, "default_action" },
        { SCMP_FLTATR_ACT_BADARCH, "badarch_action" },
        { SCMP_FLTATR_CTL_NNP, "no_new_privs" },
        { SCMP_FLTATR_CTL_TSYNC, "tsync" },
        { SCMP_FLTATR_API_TSKIP, "tskip" },
        { SCMP_FLTATR_CTL_LOG, "log" },
        { SCMP_FLTATR_CTL_SSB, "ssb" },
        { SCMP_FLTATR_API_SYSRAWRC, "rawrc" },
    };
    size_t i;
    for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        uint32_t mine = 0, theirs = 0;
        int rc = seccomp_attr_get(f->ctx, attrs[i].attr, &mine);
        if (rc == 0)
            rc = seccomp_attr_get(o->ctx, attrs[i].attr, &theirs);
        if (rc < 0)
            lsc_fail(L, "merge", attrs[i].name, -rc, NULL);
        if (mine != theirs)
            lsc_fail(L, "merge", attrs[i].name, EINVAL, "the source filter's "
                     "attribute differs, and the merged filter would keep only "
                     "this one's; set it the same on both first");
    }
}

/* merge(other): other's rules move into this filter; other is closed */
static int l_merge(lua_State *L)
{
    lsc_filter *f = lsc_check_unloaded(L, 1, "merge");
    lsc_filter *o = lsc_check_filter(L, 2, "merge");
    lsc_op op;
    int rc;
    if (f == o)
        return lsc_fail(L, "merge", NULL, EINVAL, "a filter cannot merge itself");
    if (o->damaged)
        return lsc_fail(L, "merge", NULL, ENOTRECOVERABLE,
                        "the source filter is damaged");
    lsc_refuse_loaded(L, o, "merge", "source");
    merge_check_attributes(L, f, o);
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

/* ---- loading -------------------------------------------------------- */

/* The flags seccomp_load would pass for the filter's attributes. With a
 * listener and tsync the kernel needs TSYNC_ESRCH (the return value is
 * then the listener, not a thread id). */
static int load_flags(lua_State *L, lsc_filter *f, int listener,
                      unsigned int *flags, int *nnp)
{
    static const struct { enum scmp_filter_attr attr; unsigned int flag; }
    map[] = {
        { SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC },
        { SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG },
        { SCMP_FLTATR_CTL_SSB, SECCOMP_FILTER_FLAG_SPEC_ALLOW },
    };
    uint32_t v = 0;
    size_t i;
    int rc = seccomp_attr_get(f->ctx, SCMP_FLTATR_CTL_NNP, &v);
    if (rc < 0)
        return lsc_fail(L, "load", "no_new_privs", -rc, NULL);
    *nnp = v != 0;
    *flags = 0;
    for (i = 0; i < sizeof map / sizeof map[0]; i++) {
        v = 0;
        rc = seccomp_attr_get(f->ctx, map[i].attr, &v);
        if (rc < 0)
            return lsc_fail(L, "load", NULL, -rc, "cannot read an attribute");
        if (v)
            *flags |= map[i].flag;
    }
    if (listener) {
        *flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (*flags & SECCOMP_FILTER_FLAG_TSYNC)
            *flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return 0;
}

/* Loads prog into this process with seccomp(2) as libseccomp would;
 * returns 0 or an errno with *detail set. *note (see export.c) is made
 * before the load and is the caller's. */
static int load_program(lua_State *L, lsc_filter *f,
                        struct sock_filter *prog, size_t n, int listener,
                        const struct sock_filter *noted,
                        lsc_loaded_note **note, const char **detail)
{
    struct sock_fprog fprog;
    unsigned int flags = 0;
    int nnp = 0;
    long rc;
    load_flags(L, f, listener, &flags, &nnp);
    *note = lsc_export_note_new(noted, n);  /* last to raise, first to load */
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        *detail = "prctl(PR_SET_NO_NEW_PRIVS) failed";
        return errno;
    }
    fprog.len = (unsigned short)n;
    fprog.filter = prog;
    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc < 0) {
        int err = errno;
        if (err == ESRCH && (flags & SECCOMP_FILTER_FLAG_TSYNC))
            *detail = "a thread could not be synchronized";
        else if (err == EBUSY && listener)
            *detail = "a filter with a notify listener is already loaded in "
                      "this process, and the kernel allows one";
        else
            *detail = "the kernel refused the filter";
        return err;
    }
    if (listener) {  /* the listener, which may be descriptor 0 */
        f->notify_fd = (int)rc;
    } else if (rc > 0) {  /* thread sync failed: rc is the thread's id */
        *detail = lua_pushfstring(L, "thread %d could not be synchronized",
                                  (int)rc);
        return ESRCH;
    }
    return 0;
}

/* load([{ kill_as_trap =, notify_as_enosys =, kill_as_notify =,
 * errno_as_notify =, handover =, stack = }]): the program the filter
 * exports, a variant of it, loaded with seccomp(2).  With a handover
 * (supervisor.c) the listener goes to the supervisor and this process
 * keeps no copy. */
static int l_load(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "load");
    int variant = 0, stack = 0, listener, err;
    lsc_handover *handover = NULL;
    const char *detail = NULL;
    struct sock_filter *prog;
    lsc_loaded_note *note = NULL;
    size_t n;
    if (!lua_isnoneornil(L, 2)) {
        static const char *const options[] = {
            "kill_as_trap", "notify_as_enosys", "stack", "kill_as_notify",
            "errno_as_notify", "handover", NULL
        };
        lsc_check_table(L, 2, "load", NULL, "options");
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            int on = lua_toboolean(L, -1);
            switch (lsc_option_index(L, -2, options)) {
            case 0: variant |= on ? LSC_VARIANT_KILL_AS_TRAP : 0; break;
            case 1: variant |= on ? LSC_VARIANT_NOTIFY_AS_ENOSYS : 0; break;
            case 2: stack = on; break;
            case 3: variant |= on ? LSC_VARIANT_KILL_AS_NOTIFY : 0; break;
            case 4: variant |= on ? LSC_VARIANT_ERRNO_AS_NOTIFY : 0; break;
            case 5: handover = lsc_check_handover(L, -1, "load"); break;
            default:
                lsc_fail(L, "load", lua_type(L, -2) == LUA_TSTRING
                         ? lsc_to_subject(L, -2) : NULL, EINVAL,
                         "unknown option (kill_as_trap, notify_as_enosys, stack, "
                         "kill_as_notify, errno_as_notify, handover)");
            }
            lua_pop(L, 1);
        }
    }
    if (f->loads > 0 && !stack)
        return lsc_fail(L, "load", NULL, EPERM, "filter is already loaded; "
                        "pass { stack = true } to load it again on top");
    if (f->loads == 0) {
        lsc_ready(L, f, "load");
        lsc_capture(L, f, "load", 0);
    }
    prog = lsc_variant_program(L, f->bpf, f->bpf_len, variant, "load", &n,
                               &listener);
    if (f->loads == 0 && !listener)
        lsc_capture(L, f, "load", 1);
    /* the note is of the original: what a kill becomes is still a kill */
    err = load_program(L, f, prog, n, listener,
                       (const struct sock_filter *)(const void *)f->bpf, &note,
                       &detail);
    if (err != 0) {
        if (handover != NULL)
            lsc_handover_none(handover);
        free(note);
        if (f->loads == 0)
            forget_capture(f);
        return lsc_fail(L, "load", NULL, err, detail);
    }
    f->loads++;
    lsc_export_note_loaded(note);
    if (handover != NULL && listener) {
        lsc_handover_give(handover, f->notify_fd);
        f->notify_fd = -1;
    } else if (handover != NULL) {
        lsc_handover_none(handover);
    }
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

const luaL_Reg lsc_filter_methods[] = {
    {"close", l_close},
    {"reset", l_reset},
    {"merge", l_merge},
    {"load", l_load},
    {"rule_count", l_rule_count},
    {"is_open", l_is_open},
    {NULL, NULL}
};

/* One idempotent close for close, __gc and __close. */
const luaL_Reg lsc_filter_meta[] = {
    {"__gc", l_close},
    {"__close", l_close},
    {"__tostring", l_tostring},
    {NULL, NULL}
};

const luaL_Reg lsc_filter_functions[] = {
    {"filter", l_filter},
    {"check_unloaded", l_check_unloaded},
    {"load_filter", l_load},
    {NULL, NULL}
};

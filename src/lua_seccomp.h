/*
 * lua_seccomp.h: the one internal header of the seccomp.core C module.
 *
 * Every source file in src/ handles one concern and exports what it adds
 * to the module as tables (see "Registration" below), which core.c
 * registers once. Only luaopen_seccomp_core is visible outside the shared
 * object.
 */
#ifndef LUA_SECCOMP_H
#define LUA_SECCOMP_H

/* The Makefile defines it for every core source (CORE_DEFINES), before
 * the first system header. */
#ifndef _GNU_SOURCE
#error "seccomp.core is compiled with -D_GNU_SOURCE (CORE_DEFINES in the Makefile)"
#endif

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <seccomp.h>

#include "lua_compat.h"

#define LSC_FILTER_TYPE "seccomp.filter"
#define LSC_RECORD_TYPE "seccomp.record"

/* Registration. Each source exports what it adds to seccomp.core, and
 * core.c registers all of it, as liolib.c's createmeta does; no source
 * touches the module table itself:
 *   lsc_<concern>_functions  luaL_Reg: module functions (core.fork)
 *   lsc_<concern>_methods    luaL_Reg: filter methods (f:check)
 *   lsc_<concern>_fields     lsc_field: module values (core.bpf), each
 *                            made by its push function
 * Every list ends with a NULL name. */
typedef struct lsc_field {
    const char *name;
    void (*push)(lua_State *L);  /* pushes the value */
} lsc_field;

/* A named integer: constant tables, SCMP_ACT_* values. */
typedef struct lsc_const {
    const char *name;
    lua_Integer value;
} lsc_const;

/* Largest number of comparators libseccomp accepts in one rule. */
#define LSC_MAX_ARGS 6

/* One argument comparison, already validated (see rules.c). */
typedef struct lsc_cmp {
    unsigned int arg;      /* 0..5 */
    enum scmp_compare op;  /* SCMP_CMP_* */
    uint64_t a;            /* datum (or mask for masked_eq) */
    uint64_t b;            /* value for masked_eq, else 0 */
    int bits;              /* 64, or 32 for arg32 comparisons */
} lsc_cmp;

/* One rule exactly as given to libseccomp. */
typedef struct lsc_rule {
    int syscall;           /* native syscall number (or libseccomp pseudo) */
    uint32_t action;
    unsigned int ncmp;
    struct scmp_arg_cmp cmp[LSC_MAX_ARGS];  /* sorted by argument */
} lsc_rule;

/* Everything done to a filter since it was created or reset, in order.
 * libseccomp has no way to copy a context, so this record is what lets
 * the core rebuild one: after a failed add (libseccomp before 2.5.6 may
 * leave its state corrupted) and to load a variant with kills as traps. */
enum lsc_op_kind {
    LSC_OP_RULE, LSC_OP_RULE_EXACT, LSC_OP_PRIORITY, LSC_OP_ATTR,
    LSC_OP_ARCH_ADD, LSC_OP_ARCH_REMOVE, LSC_OP_MERGE
};

struct lsc_log;

typedef struct lsc_op {
    enum lsc_op_kind kind;
    lsc_rule rule;            /* RULE, RULE_EXACT; PRIORITY uses syscall */
    int attr;                 /* ATTR */
    uint32_t value;           /* ATTR value, PRIORITY, ARCH token */
    struct lsc_log *merged;   /* MERGE: the source filter's record */
} lsc_op;

typedef struct lsc_log {
    uint32_t default_action;
    size_t n, cap;
    lsc_op *ops;
    void *index;  /* rules.c's rules by syscall: one malloc'd block, or NULL */
} lsc_log;

/* The filter userdata. ctx is NULL once closed or merged away.  From the
 * first successful load on, the filter is frozen: bpf and pfc hold what
 * it exported just before, and serve every later export and load. */
typedef struct lsc_filter {
    scmp_filter_ctx ctx;
    lsc_log *log;
    int merged;            /* closed because it was merged into another */
    int damaged;           /* state unknown after a failed rebuild */
    int loads;             /* number of successful loads */
    size_t nrules;         /* rules given to libseccomp, merges included */
    char *bpf, *pfc;       /* captured by load (malloc'd), else NULL */
    size_t bpf_len, pfc_len;
    int pfc_err;           /* why a load could not capture the PFC */
    int notify_fd;         /* listener a load created, or -1 */
    void *written;         /* rules.c: adds not yet in the written list */
} lsc_filter;

/* Variants of a filter's program, for loading only: kills as traps (so a
 * SIGSYS handler can report the call first), notify as errno ENOSYS (what
 * the kernel answers when no supervisor listens). */
enum {
    LSC_VARIANT_KILL_AS_TRAP = 1,
    LSC_VARIANT_NOTIFY_AS_ENOSYS = 2,
    /* kills (and errno refusals) as notify, for a supervisor (supervisor.c) */
    LSC_VARIANT_KILL_AS_NOTIFY = 4,
    LSC_VARIANT_ERRNO_AS_NOTIFY = 8
};

/* The data of the traps a variant puts where the original kills: the
 * report handler reads it from si_errno to end what the kill would. */
#define LSC_TRAP_KILL_PROCESS 0x4b50u  /* "KP" */
#define LSC_TRAP_KILL_THREAD 0x4b54u   /* "KT" */

struct sock_filter;

/* errors.c: every failure raises; these never return. */
int lsc_fail(lua_State *L, const char *op, const char *subject, int err,
             const char *detail);
const char *lsc_push_subject(lua_State *L, const char *s, size_t len);
const char *lsc_errno_name(int err);
int lsc_errno_value(const char *name, size_t len);
extern const luaL_Reg lsc_errors_functions[];

/* values.c: strict argument checks (no silent conversions). */
int64_t lsc_check_integer(lua_State *L, int idx, const char *op,
                          const char *subject, const char *what);
/* A 64-bit value (comparator datum, syscall argument, notification id):
 * an integer; a string "0x..." or decimal, "-" allowed (two's complement);
 * LuaJIT int64_t/uint64_t cdata. Where numbers are doubles (LSC_DOUBLES) a
 * number must be an integer below 2^53 in magnitude, and the error says to
 * write larger values as strings. */
uint64_t lsc_check_u64(lua_State *L, int idx, const char *op,
                       const char *subject, const char *what);
/* lsc_check_u64 as a signed value within min..max (lsc_check_range's
 * error); for 32-bit comparator values, -1 and 0xffffffff alike. */
int64_t lsc_check_u64_range(lua_State *L, int idx, const char *op,
                            const char *subject, const char *what,
                            int64_t min, int64_t max);
/* Pushes v: an integer on 5.3+ (>= 2^63 as negative, as a C cast); on
 * doubles builds a number below 2^53, else a string "0x...". */
void lsc_push_u64(lua_State *L, uint64_t v);
/* A notification id: an integer on 5.3+, a decimal string on doubles
 * builds, where ids (random 64-bit values) do not fit a number. */
void lsc_push_id(lua_State *L, uint64_t id);
int64_t lsc_check_range(lua_State *L, int idx, const char *op,
                        const char *subject, const char *what,
                        int64_t min, int64_t max);
/* len NULL: a C string, refused if it holds a NUL byte. */
const char *lsc_check_string(lua_State *L, int idx, const char *op,
                             const char *subject, const char *what,
                             size_t *len);
/* Like luaL_checkoption with our errors: the index in names (ending with
 * NULL) of the string at idx; not a string, or none of names (a NUL byte
 * included), raises EINVAL with detail and the string as subject unless
 * one is given. */
int lsc_check_option(lua_State *L, int idx, const char *op,
                     const char *subject, const char *what,
                     const char *const names[], const char *detail);
/* The same match without raising: -1 for no string or no name. */
int lsc_option_index(lua_State *L, int idx, const char *const names[]);
/* The string at idx as an error subject, NUL bytes shown as \0. */
const char *lsc_to_subject(lua_State *L, int idx);
void lsc_check_table(lua_State *L, int idx, const char *op,
                     const char *subject, const char *what);
extern const luaL_Reg lsc_values_functions[];  /* int64 */

/* filter.c: the userdata, its lifecycle, loading and the record. */
lsc_filter *lsc_check_filter(lua_State *L, int idx, const char *op);
lsc_filter *lsc_check_unloaded(lua_State *L, int idx, const char *op);
void lsc_refuse_loaded(lua_State *L, const lsc_filter *f, const char *op,
                       const char *subject);
lsc_filter *lsc_to_filter(lua_State *L, int idx, const char *op);
void lsc_log_reserve(lua_State *L, lsc_filter *f, size_t extra);
void lsc_log_append(lsc_filter *f, const lsc_op *op);
int lsc_recover(lua_State *L, lsc_filter *f, const char *op,
                const char *subject, int err, const char *detail);
void lsc_ready(lua_State *L, lsc_filter *f, const char *op);
int lsc_pfc_unwritable(lsc_filter *f);
int lsc_rebuild(lsc_filter *f);
int lsc_log_has_merge(const lsc_log *log);
extern const luaL_Reg lsc_filter_functions[];
extern const luaL_Reg lsc_filter_methods[];
extern const luaL_Reg lsc_filter_meta[];  /* __gc, __close, __tostring */

/* actions.c */
uint32_t lsc_check_action(lua_State *L, int idx, const char *op);
int lsc_push_action(lua_State *L, uint32_t action);
void lsc_push_action_value(lua_State *L, uint32_t action);
void lsc_push_action_text(lua_State *L, uint32_t action);
extern const luaL_Reg lsc_actions_functions[];
extern const lsc_const lsc_actions_constants[];  /* core.SCMP_ACT_ALLOW, ... */

/* rules.c: syscall resolution, comparators, rule adding, priority. */
int lsc_check_syscall(lua_State *L, int idx, uint32_t arch, const char *op,
                      const char **name);
/* The name of syscall nr on arch copied into buf (LSC_NAME_MAX bytes), so
 * that no malloc'd string is held while Lua may raise; NULL if unknown. */
#define LSC_NAME_MAX 64
const char *lsc_syscall_name(uint32_t arch, int nr, char *buf);
int lsc_rule_fits_narrow(const lsc_rule *r);
const char *lsc_narrow_arch(scmp_filter_ctx ctx);
int lsc_arch_is_narrow(uint32_t token);
int lsc_arch_multiplexes(uint32_t token);
int lsc_multiplexed_on(uint32_t token, const char *name);
int lsc_action_strictness(uint32_t action);
void lsc_check_multiplex(lua_State *L, const lsc_log *log, uint32_t arch,
                         const char *op);
extern const luaL_Reg lsc_rules_functions[];
extern const luaL_Reg lsc_rules_methods[];
extern const lsc_field lsc_rules_fields[];

/* attributes.c: filter attributes and architectures. */
uint32_t lsc_check_arch(lua_State *L, int idx, const char *op);
#define LSC_MAX_ARCHES 20  /* the architectures libseccomp 2.5 knows */
int lsc_filter_arches(scmp_filter_ctx ctx, uint32_t *out);
extern const luaL_Reg lsc_attributes_functions[];
extern const luaL_Reg lsc_attributes_methods[];

/* export.c: PFC and BPF as Lua strings, the copy a load captures, and
 * the programs of variants. */
int lsc_export_bpf(lua_State *L, lsc_filter *f, const char *op);
void lsc_capture(lua_State *L, lsc_filter *f, const char *op, int with_pfc);
void lsc_export_prepare(void);
/* The programs this process loaded, for the checks before calls a loaded
 * filter may kill: a note made before the load, listed after it. */
typedef struct lsc_loaded_note lsc_loaded_note;
lsc_loaded_note *lsc_export_note_new(const struct sock_filter *prog, size_t n);
void lsc_export_note_loaded(lsc_loaded_note *note);
int lsc_export_any_loaded(void);
struct sock_filter *lsc_variant_program(lua_State *L, const char *bpf,
                                        size_t len, int variant,
                                        const char *op, size_t *n,
                                        int *notify);
extern const luaL_Reg lsc_export_functions[];

/* bpf_load.c: loading a saved program (load_bpf). */
extern const luaL_Reg lsc_bpf_load_functions[];
extern const luaL_Reg lsc_export_methods[];
extern const lsc_field lsc_export_fields[];

/* process.c: fork, wait, exec and fds for child runners. */
extern const luaL_Reg lsc_process_functions[];

/* constants_gen.c, generated from scripts/constants.lua (make constants):
 * the tables of named kernel constants, in the order of the data, ending
 * with { NULL }. lsc_errnos is the E table, the one list of errno names. */
typedef struct lsc_const_table {
    const char *name;          /* "O": seccomp.O */
    const lsc_const *list;
    const lsc_const *aliases;  /* names only, never mapped back; or NULL */
    int both_ways;             /* numbers map back to names too */
} lsc_const_table;

extern const lsc_const_table lsc_constant_tables[];
extern const lsc_const lsc_errnos[];

/* constants.c: the tables above as `constants` (and their names, in
 * order, as `constant_tables`), and personality(). */
extern const luaL_Reg lsc_constants_functions[];
extern const lsc_field lsc_constants_fields[];

/* simulate.c: classic-BPF interpreter, f:check(), bpf_run(). */
struct seccomp_data;
uint32_t lsc_sim_run(const struct sock_filter *p, size_t n,
                     const struct seccomp_data *d);
extern const luaL_Reg lsc_simulate_functions[];
extern const luaL_Reg lsc_simulate_methods[];
extern const lsc_field lsc_simulate_fields[];

/* notify.c: user notification: f:notify_fd(), receive/respond.
 * lsc_notify_read_string reads a NUL-terminated string (a path) from the
 * process waiting on notification id, then checks the id is still
 * pending; 0 or an errno (ENOENT: gone, EFAULT: unreadable). */
int lsc_notify_read_string(int listener, uint64_t id, pid_t pid,
                           uint64_t addr, char *buf, size_t cap, size_t *len,
                           int *truncated);
extern const luaL_Reg lsc_notify_functions[];
extern const luaL_Reg lsc_notify_methods[];

/* supervisor.c: violation reports through a supervisor outside the
 * sandbox.  The handover is the page a loader publishes its listener on:
 * lsc_handover_give (right after the load, no call but close) waits for
 * the supervisor's copy and closes the loader's; lsc_handover_none says
 * the load made no listener. */
typedef struct lsc_handover lsc_handover;
lsc_handover *lsc_check_handover(lua_State *L, int idx, const char *op);
void lsc_handover_give(lsc_handover *h, int fd);
void lsc_handover_none(lsc_handover *h);
extern const luaL_Reg lsc_supervisor_functions[];

/* report.c: SIGSYS violation reports. */
extern const luaL_Reg lsc_report_functions[];

/* outcome.c: the shared record of how a child ended (report_record).
 * The report handler notes a refused call in the target record with
 * lsc_record_violation, which only writes memory. */
typedef struct lsc_record lsc_record;
enum { LSC_END_KILL_PROCESS, LSC_END_KILL_THREAD, LSC_END_TRAP };
lsc_record *lsc_check_record(lua_State *L, int idx);
void lsc_record_claim(lua_State *L, lsc_record *r);
void lsc_record_target(lsc_record *r);  /* NULL: none */
void lsc_record_violation(int32_t nr, uint32_t arch, int kill,
                          const uint64_t args[6], uint64_t ip);
extern const luaL_Reg lsc_outcome_functions[];
extern const luaL_Reg lsc_record_methods[];
extern const luaL_Reg lsc_record_meta[];

#endif

/*
 * report.c: say which syscall a filter refused, from inside the process.
 *
 * The filter is loaded as a variant whose kills are traps (export.c), so
 * a refused call raises SIGSYS with the syscall number and architecture
 * in siginfo, the arguments in the saved registers and, in si_errno, the
 * trap's data, which says whether the original kills the process or the
 * thread.  The handler below only reads tables prepared in advance,
 * formats into a buffer on its own stack (two threads may trap at once),
 * writes one line, and then ends what the original would have ended:
 *
 *   kill_process (and a trap of the user's own): it re-issues the trapped
 *   call with SIGSYS still blocked, which makes the kernel force the
 *   default action, death of the process by SIGSYS;
 *
 *   kill_thread: it installs a one-instruction filter that kills the
 *   calling thread on this thread alone and re-issues the call, so the
 *   kernel itself applies kill_thread (the thread ends; in a process of
 *   one thread, the process ends by SIGSYS).  When the filter refuses
 *   that seccomp(2) call, the whole process ends by SIGSYS instead: more
 *   than the original ends, never less.
 *
 * It never calls into Lua.
 *
 * Only a SIGSYS the kernel raised for a seccomp trap (si_code SYS_SECCOMP)
 * is reported.  Any other SIGSYS (kill, sigqueue: another process may
 * forge the siginfo fields) ends the process by SIGSYS as it would
 * without the handler: nothing is written and no call is re-issued.
 *
 * A shared record (an anonymous MAP_SHARED page made before fork) lets a
 * parent learn what its child did without any syscall in the child: the
 * handler and the child's Lua code write into it, the parent reads it
 * after wait.  The child claims the record; processes it forks later
 * (a fork handler notes it, no syscall needed) leave it alone, so what
 * the parent reads is the child's own story.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua_seccomp.h"

/* si_code of a seccomp trap.  glibc 2.36 does not define it, and the
 * kernel header that does (asm-generic/siginfo.h) clashes with glibc's. */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

/* Syscall numbers the name and hint tables cover (native architecture). */
#define LSC_REPORT_MAX_NR 1024

enum { REC_NONE, REC_RETURNED, REC_ERROR, REC_VIOLATION, REC_SETUP };

/* What the original filter does to the call the handler saw. */
enum { KILL_PROCESS, KILL_THREAD, USER_TRAP };

/* The shared page; its size is one page whatever the struct's. */
typedef struct lsc_record {
    volatile sig_atomic_t state;
    volatile sig_atomic_t violated;  /* the handler filled nr..ip */
    volatile sig_atomic_t claimed;   /* one process writes from now on */
    int filling;                     /* a handler is filling nr..ip */
    int32_t nr;
    uint32_t arch;
    int32_t kill;                    /* KILL_PROCESS, ... */
    uint64_t args[6];
    uint64_t ip;
    int64_t values[2];
    char msg[3072];
} lsc_record;

typedef struct lsc_record_ud {
    lsc_record *rec;
} lsc_record_ud;

/* Read only by the handler; written before it is installed. */
static char *report_names[LSC_REPORT_MAX_NR];
static char *report_hints[LSC_REPORT_MAX_NR];
static uint32_t report_arch;
static int report_fd = -1;
static lsc_record *report_rec;

/* The record this process claimed; a forked child is not its owner. */
static lsc_record *volatile owned_rec;
static int atfork_set;

static void report_atfork_child(void)
{
    owned_rec = NULL;
}

/* Whether this process may write record r. */
static int may_write(const lsc_record *r)
{
    return !r->claimed || r == owned_rec;
}

/* --- async-signal-safe formatting --------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_str(sbuf *b, const char *s)
{
    while (*s && b->len + 1 < b->cap)
        b->p[b->len++] = *s++;
}

static void sb_udec(sbuf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n > 0 && b->len + 1 < b->cap)
        b->p[b->len++] = tmp[--n];
}

static void sb_hex(sbuf *b, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = digits[v & 15];
        v >>= 4;
    } while (v);
    sb_str(b, "0x");
    while (n > 0 && b->len + 1 < b->cap)
        b->p[b->len++] = tmp[--n];
}

/* Small values read best in decimal, addresses and flags in hex. */
static void sb_arg(sbuf *b, uint64_t v)
{
    if (v < 65536)
        sb_udec(b, v);
    else
        sb_hex(b, v);
}

/* The six argument registers at the trapped syscall. */
static void report_args(const ucontext_t *uc, uint32_t arch, uint64_t a[6])
{
#if defined(__x86_64__)
    const greg_t *g = uc->uc_mcontext.gregs;
    if (arch == AUDIT_ARCH_I386) {
        a[0] = (uint32_t)g[REG_RBX]; a[1] = (uint32_t)g[REG_RCX];
        a[2] = (uint32_t)g[REG_RDX]; a[3] = (uint32_t)g[REG_RSI];
        a[4] = (uint32_t)g[REG_RDI]; a[5] = (uint32_t)g[REG_RBP];
    } else {
        a[0] = (uint64_t)g[REG_RDI]; a[1] = (uint64_t)g[REG_RSI];
        a[2] = (uint64_t)g[REG_RDX]; a[3] = (uint64_t)g[REG_R10];
        a[4] = (uint64_t)g[REG_R8];  a[5] = (uint64_t)g[REG_R9];
    }
#elif defined(__aarch64__)
    int i;
    (void)arch;
    for (i = 0; i < 6; i++)
        a[i] = uc->uc_mcontext.regs[i];
#else
    (void)uc;
    (void)arch;
    memset(a, 0, 6 * sizeof a[0]);
#endif
}

/* End the process by SIGSYS, as the default action would have. */
static void report_default(void)
{
    sigset_t set;
    signal(SIGSYS, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGSYS);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGSYS);
    _exit(128 + SIGSYS);
}

/* End the process by SIGSYS.  SIGSYS is blocked while the handler runs,
 * so when the same call traps again the kernel kills the process with
 * it; no other syscall has to be allowed.  The later steps only run if
 * the call was not trapped a second time. */
static void report_die(int32_t nr, uint32_t arch, const uint64_t a[6])
{
    if (arch == report_arch)
        syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    report_default();
}

/* End the calling thread as kill_thread does: a filter on this thread
 * alone (no TSYNC) that kills it at its next call, then that call. */
static void report_kill_thread(int32_t nr, uint32_t arch, const uint64_t a[6])
{
    struct sock_filter kill = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD);
    struct sock_fprog prog = { 1, &kill };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
        syscall(SYS_getpid);
    report_die(nr, arch, a);  /* refused: end the whole process */
}

static void report_handler(int sig, siginfo_t *si, void *ctx)
{
    char buf[1024];
    int32_t nr, kill;
    uint32_t arch;
    uint64_t a[6];
    int i;
    (void)sig;
    if (si->si_code != SYS_SECCOMP)
        report_default();  /* not a seccomp trap: trust nothing in si */
    nr = si->si_syscall;
    arch = si->si_arch;
    kill = si->si_errno == LSC_TRAP_KILL_THREAD ? KILL_THREAD
         : si->si_errno == LSC_TRAP_KILL_PROCESS ? KILL_PROCESS : USER_TRAP;
    report_args((const ucontext_t *)ctx, arch, a);
    /* the first thread to trap fills the record; others leave it */
    if (report_rec != NULL && may_write(report_rec) &&
        !__atomic_exchange_n(&report_rec->filling, 1, __ATOMIC_SEQ_CST)) {
        report_rec->nr = nr;
        report_rec->arch = arch;
        report_rec->kill = kill;
        for (i = 0; i < 6; i++)
            report_rec->args[i] = a[i];
        report_rec->ip = (uint64_t)(uintptr_t)si->si_call_addr;
        report_rec->violated = 1;
        /* a refusal after the code returned (at exit) keeps that state */
        if (report_rec->state == REC_NONE)
            report_rec->state = REC_VIOLATION;
    }
    if (report_fd >= 0) {
        sbuf b = { buf, 0, sizeof buf };
        int known = arch == report_arch && nr >= 0 && nr < LSC_REPORT_MAX_NR;
        sb_str(&b, kill == KILL_THREAD ? "seccomp: thread killed: "
                                       : "seccomp: killed: ");
        if (known && report_names[nr] != NULL) {
            sb_str(&b, report_names[nr]);
        } else {
            sb_str(&b, "syscall ");
            sb_udec(&b, (uint32_t)nr);
        }
        sb_str(&b, "(");
        for (i = 0; i < 6; i++) {
            if (i > 0)
                sb_str(&b, ", ");
            sb_arg(&b, a[i]);
        }
        sb_str(&b, ")");
        if (arch != report_arch) {
            sb_str(&b, " arch ");
            sb_hex(&b, arch);
        }
        if (known && report_hints[nr] != NULL) {
            sb_str(&b, "; allowed by ");
            sb_str(&b, report_hints[nr]);
        }
        b.p[b.len++] = '\n';
        while (write(report_fd, b.p, b.len) < 0 && errno == EINTR)
            ;
    }
    if (kill == KILL_THREAD)
        report_kill_thread(nr, arch, a);
    report_die(nr, arch, a);
}

/* --- Lua side --------------------------------------------------------- */

static lsc_record_ud *check_record(lua_State *L, int idx)
{
    lsc_record_ud *u = (lsc_record_ud *)luaL_checkudata(L, idx,
                                                        LSC_RECORD_TYPE);
    if (u->rec == NULL)
        lsc_fail(L, "record", "record", EBADF, "closed");
    return u;
}

/* report_record() -> a shared record, to be made before fork. */
static int l_report_record(lua_State *L)
{
    lsc_record_ud *u = (lsc_record_ud *)lua_newuserdata(L, sizeof *u);
    void *p;
    u->rec = NULL;
    luaL_setmetatable(L, LSC_RECORD_TYPE);
    p = mmap(NULL, sizeof(lsc_record), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return lsc_fail(L, "report_record", "mmap", errno, NULL);
    u->rec = (lsc_record *)p;
    return 1;
}

static int l_record_close(lua_State *L)
{
    lsc_record_ud *u = (lsc_record_ud *)luaL_checkudata(L, 1,
                                                        LSC_RECORD_TYPE);
    if (u->rec != NULL) {
        if (report_rec == u->rec)
            report_rec = NULL;
        if (owned_rec == u->rec)
            owned_rec = NULL;
        munmap(u->rec, sizeof(lsc_record));
        u->rec = NULL;
    }
    return 0;
}

/* Makes this process the record's only writer (see claim below). */
static int claim(lua_State *L, lsc_record *r)
{
    if (!atfork_set) {
        int rc = pthread_atfork(NULL, NULL, report_atfork_child);
        if (rc != 0)
            return lsc_fail(L, "record", "claim", rc, NULL);
        atfork_set = 1;
    }
    owned_rec = r;
    r->claimed = 1;
    return 0;
}

/* rec:claim(): from now on only this process writes the record: neither
 * rec:finish nor the SIGSYS handler writes it in a process forked later,
 * so a grandchild's end is not taken for the child's. */
static int l_record_claim(lua_State *L)
{
    return claim(L, check_record(L, 1)->rec);
}

/* rec:finish(state[, message[, v1[, v2]]]) -> whether it wrote: state is
 * "returned" (the child's code returned), "error" (it raised) or "setup"
 * (the child could not even start it); v1 and v2 are two integers the
 * child reports.  Only writes memory: safe under any filter.  A process
 * forked after the record was claimed writes nothing. */
static int l_record_finish(lua_State *L)
{
    static const char *const states[] = { "returned", "error", "setup", NULL };
    static const int values[] = { REC_RETURNED, REC_ERROR, REC_SETUP };
    lsc_record_ud *u = check_record(L, 1);
    int st = values[lsc_check_option(L, 2, "record", NULL, "state", states,
                                     "state is returned, error or setup")];
    size_t len = 0;
    const char *msg = luaL_optlstring(L, 3, "", &len);
    if (!may_write(u->rec)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    u->rec->values[0] = lua_isnoneornil(L, 4) ? 0 :
        lsc_check_integer(L, 4, "record", NULL, "value");
    u->rec->values[1] = lua_isnoneornil(L, 5) ? 0 :
        lsc_check_integer(L, 5, "record", NULL, "value");
    if (len >= sizeof u->rec->msg)
        len = sizeof u->rec->msg - 1;
    memcpy(u->rec->msg, msg, len);
    u->rec->msg[len] = '\0';
    u->rec->state = st;
    lua_pushboolean(L, 1);
    return 1;
}

/* rec:read() -> { state = "none"|"returned"|"error"|"violation"|"setup",
 *                 message =, values = { v1, v2 },
 *                 syscall = nr, arch = token, args = {...}, ip = n,
 *                 action = "kill_process"|"kill_thread"|"trap" } */
static int l_record_read(lua_State *L)
{
    static const char *const states[] = { "none", "returned", "error",
                                          "violation", "setup" };
    lsc_record_ud *u = check_record(L, 1);
    lsc_record *r = u->rec;
    int i, st = r->state;
    lua_createtable(L, 0, 5);
    lua_pushstring(L, states[st >= REC_NONE && st <= REC_SETUP ? st : 0]);
    lua_setfield(L, -2, "state");
    if (st != REC_NONE && st != REC_VIOLATION) {
        lua_pushlstring(L, r->msg, strnlen(r->msg, sizeof r->msg));
        lua_setfield(L, -2, "message");
        lua_createtable(L, 2, 0);
        lua_pushinteger(L, r->values[0]);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, r->values[1]);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, "values");
    }
    if (r->violated) {
        lua_pushinteger(L, r->nr);
        lua_setfield(L, -2, "syscall");
        lua_pushinteger(L, (lua_Integer)r->arch);
        lua_setfield(L, -2, "arch");
        lua_createtable(L, 6, 0);
        for (i = 0; i < 6; i++) {
            lua_pushinteger(L, (lua_Integer)r->args[i]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "args");
        lua_pushinteger(L, (lua_Integer)r->ip);
        lua_setfield(L, -2, "ip");
        lua_pushstring(L, r->kill == KILL_THREAD ? "kill_thread"
                          : r->kill == KILL_PROCESS ? "kill_process" : "trap");
        lua_setfield(L, -2, "action");
    }
    return 1;
}

static void free_tables(void)
{
    int i;
    for (i = 0; i < LSC_REPORT_MAX_NR; i++) {
        free(report_names[i]);
        free(report_hints[i]);
        report_names[i] = NULL;
        report_hints[i] = NULL;
    }
}

/* report_install(hints, fd[, record]): prepare the tables and install the
 * SIGSYS handler.  hints maps syscall names to the text naming what would
 * allow them; fd < 0 writes nothing (the record alone is filled).  The
 * record is claimed by this process (rec:claim()). */
static int l_report_install(lua_State *L)
{
    struct sigaction sa;
    int64_t fd;
    int nr;
    if (!lua_isnoneornil(L, 1))
        luaL_checktype(L, 1, LUA_TTABLE);
    fd = lsc_check_range(L, 2, "report_install", NULL, "fd", -1, INT32_MAX);
    if (!lua_isnoneornil(L, 3))
        check_record(L, 3);

    /* While tables change, an old handler must not read them. */
    signal(SIGSYS, SIG_DFL);
    free_tables();
    report_arch = seccomp_arch_native();
    for (nr = 0; nr < LSC_REPORT_MAX_NR; nr++)
        report_names[nr] = seccomp_syscall_resolve_num_arch(report_arch, nr);
    if (lua_istable(L, 1)) {
        lua_pushnil(L);
        while (lua_next(L, 1) != 0) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
                nr = seccomp_syscall_resolve_name(lua_tostring(L, -2));
                if (nr >= 0 && nr < LSC_REPORT_MAX_NR) {
                    free(report_hints[nr]);
                    report_hints[nr] = strdup(lua_tostring(L, -1));
                    if (report_hints[nr] == NULL)
                        return lsc_fail(L, "report_install", "hints",
                                        ENOMEM, NULL);
                }
            }
            lua_pop(L, 1);
        }
    }
    report_fd = (int)fd;
    report_rec = lua_isnoneornil(L, 3) ? NULL : check_record(L, 3)->rec;
    if (report_rec != NULL)
        claim(L, report_rec);

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = report_handler;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);  /* nothing interrupts the report */
    if (sigaction(SIGSYS, &sa, NULL) != 0)
        return lsc_fail(L, "report_install", "sigaction", errno, NULL);
    return 0;
}

const luaL_Reg lsc_report_functions[] = {
    {"report_install", l_report_install},
    {"report_record", l_report_record},
    {NULL, NULL}
};

const luaL_Reg lsc_record_methods[] = {
    {"claim", l_record_claim},
    {"finish", l_record_finish},
    {"read", l_record_read},
    {"close", l_record_close},
    {NULL, NULL}
};

/* One idempotent close for close, __gc and __close. */
const luaL_Reg lsc_record_meta[] = {
    {"__gc", l_record_close},
    {"__close", l_record_close},
    {NULL, NULL}
};

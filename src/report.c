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
 * Besides the line, the handler notes the call in the shared record of
 * how a child ended (outcome.c), when one was given.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
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

/* Read only by the handler; written before it is installed. */
static char *report_names[LSC_REPORT_MAX_NR];
static char *report_hints[LSC_REPORT_MAX_NR];
static uint32_t report_arch;
static int report_fd = -1;

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
    kill = si->si_errno == LSC_TRAP_KILL_THREAD ? LSC_END_KILL_THREAD
         : si->si_errno == LSC_TRAP_KILL_PROCESS ? LSC_END_KILL_PROCESS
         : LSC_END_TRAP;
    report_args((const ucontext_t *)ctx, arch, a);
    lsc_record_violation(nr, arch, kill, a, (uint64_t)(uintptr_t)si->si_call_addr);
    if (report_fd >= 0) {
        sbuf b = { buf, 0, sizeof buf };
        int known = arch == report_arch && nr >= 0 && nr < LSC_REPORT_MAX_NR;
        sb_str(&b, kill == LSC_END_KILL_THREAD ? "seccomp: thread killed: "
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
    if (kill == LSC_END_KILL_THREAD)
        report_kill_thread(nr, arch, a);
    report_die(nr, arch, a);
}

/* --- Lua side --------------------------------------------------------- */

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

/* Keeps this module mapped for good: the handler stays installed after
 * lua_close, which would otherwise unload the code it points at. */
static int pin_module(lua_State *L)
{
    static int pinned;
    Dl_info info;
    void *self;
    if (pinned)
        return 0;
    if (dladdr((void *)report_handler, &info) == 0 || info.dli_fname == NULL)
        return lsc_fail(L, "report_install", "dladdr", ENOENT, "cannot find "
                        "the module's file, to keep it loaded under the handler");
    self = dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE | RTLD_NOLOAD);
    if (self == NULL)
        return lsc_fail(L, "report_install", "dlopen", ENOENT, dlerror());
    pinned = 1;  /* the handle is never closed: RTLD_NODELETE */
    return 0;
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
        lsc_check_table(L, 1, "report_install", NULL, "hints");
    fd = lsc_check_range(L, 2, "report_install", NULL, "fd", -1, INT32_MAX);
    if (!lua_isnoneornil(L, 3))
        lsc_check_record(L, 3);

    pin_module(L);
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
    if (lua_isnoneornil(L, 3)) {
        lsc_record_target(NULL);
    } else {
        lsc_record *r = lsc_check_record(L, 3);
        lsc_record_target(r);
        lsc_record_claim(L, r);
    }

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
    {NULL, NULL}
};

/*
 * supervisor.c: the process primitives of violation reports through a
 * supervisor outside the sandbox (lua/seccomp/supervisor.lua).
 *
 * The sandboxed process loads a variant of its filter whose kill returns
 * are notify returns (export.c).  The listener that load creates must
 * leave the process with no call the filter could refuse: the process
 * publishes its number on a shared page (the handover), spins until the
 * supervisor has taken a copy with pidfd_getfd(2), and closes its own,
 * so nothing inside the sandbox can answer its own notifications.  Before
 * the load, a probe descriptor checks that the supervisor may take
 * descriptors from the process at all, so that this fails before the
 * load, with an error, rather than after it.
 *
 * The supervisor ends a process as the filter would: with SIGSYS when the
 * calling thread would die of it (default action, not blocked, not
 * ignored), else with SIGKILL; SIGKILL too when the process is still there
 * after the SIGSYS, or has changed what SIGSYS does.  A thread cannot be
 * ended alone from outside, so kill_thread ends the whole process.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua_seccomp.h"

#define LSC_HANDOVER_TYPE "seccomp.handover"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif

/* The shared page.  fd: -1 until the load, then the listener's number in
 * the loader, or -2 when the load made none (or failed).  taken: 1 once
 * the supervisor holds its copy, -1 when it could not take it.  ready: 1
 * once the probe was taken, or minus the errno that refused it. */
struct lsc_handover {
    volatile int32_t creator;  /* the process that made the page */
    volatile int32_t helper;   /* the supervisor, once it waits */
    volatile int32_t probe;
    volatile int32_t ready;
    volatile int32_t fd;
    volatile int32_t taken;
    int32_t exec_closes;       /* the loader execs next: exec closes its copy */
};

typedef struct handover_ud {
    lsc_handover *page;
} handover_ud;

static int32_t load32(volatile int32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void store32(volatile int32_t *p, int32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static int handover_gc(lua_State *L)
{
    handover_ud *u = (handover_ud *)luaL_checkudata(L, 1, LSC_HANDOVER_TYPE);
    if (u->page != NULL) {
        munmap(u->page, sizeof *u->page);
        u->page = NULL;
    }
    return 0;
}

lsc_handover *lsc_check_handover(lua_State *L, int idx, const char *op)
{
    handover_ud *u = (handover_ud *)luaL_testudata(L, idx, LSC_HANDOVER_TYPE);
    if (u == NULL || u->page == NULL)
        lsc_fail(L, op, "handover", EINVAL, lua_pushfstring(L,
                 "expected a seccomp.handover, got %s", luaL_typename(L, idx)));
    return u->page;
}

/* handover_new([exec]) -> a shared page, made before fork.  With exec
 * true the loader executes a program right after its load, and the exec
 * closes its copy of the listener (the kernel makes it close-on-exec), so
 * no close is made under the filter. */
static int l_handover_new(lua_State *L)
{
    int exec_closes = lua_toboolean(L, 1);
    handover_ud *u = (handover_ud *)lua_newuserdata(L, sizeof *u);
    void *p;
    u->page = NULL;
    if (luaL_newmetatable(L, LSC_HANDOVER_TYPE)) {
        lua_pushcfunction(L, handover_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    p = mmap(NULL, sizeof(lsc_handover), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return lsc_fail(L, "handover_new", "mmap", errno, NULL);
    u->page = (lsc_handover *)p;
    u->page->creator = (int32_t)getpid();
    u->page->helper = 0;
    u->page->probe = -1;
    u->page->ready = 0;
    u->page->fd = -1;
    u->page->taken = 0;
    u->page->exec_closes = exec_closes;
    return 1;
}

/* Sleeps a millisecond; in the supervisor, or in the loader before its
 * load, where any call is still allowed. */
static void nap(void)
{
    struct timespec ts = { 0, 1000000 };
    nanosleep(&ts, NULL);
}

/* handover_offer(h[, timeout_ms]): in the process about to load, before
 * the load: waits for the supervisor, lets it take descriptors (Yama's
 * PR_SET_PTRACER, where Yama is), and checks with a probe descriptor that
 * it can.  Raises when it cannot, or nobody came within timeout_ms
 * (default 30000). */
static int l_handover_offer(lua_State *L)
{
    lsc_handover *h = lsc_check_handover(L, 1, "handover_offer");
    int64_t left = lua_isnoneornil(L, 2) ? 30000 :
        lsc_check_range(L, 2, "handover_offer", NULL, "timeout", 0, INT32_MAX);
    int probe, ready;
    while (load32(&h->helper) == 0) {
        if (left-- <= 0)
            return lsc_fail(L, "handover_offer", NULL, ETIMEDOUT,
                            "no supervisor came to take the listener");
        nap();
    }
    /* Yama (ptrace_scope 1) lets only ancestors take descriptors */
    (void)prctl(PR_SET_PTRACER, (unsigned long)load32(&h->helper), 0, 0, 0);
    probe = eventfd(0, EFD_CLOEXEC);
    if (probe < 0)
        return lsc_fail(L, "handover_offer", "eventfd", errno, NULL);
    store32(&h->probe, probe);
    while ((ready = load32(&h->ready)) == 0 && left-- > 0)
        nap();
    close(probe);
    if (ready == 0)
        return lsc_fail(L, "handover_offer", NULL, ETIMEDOUT,
                        "the supervisor did not answer");
    if (ready < 0)
        return lsc_fail(L, "handover_offer", "pidfd_getfd", -ready,
                        "the supervisor cannot take descriptors from this "
                        "process (ptrace access: same user, dumpable, Yama)");
    return 0;
}

/* Whether fd is a seccomp listener: it knows the ioctl, and id 0 is not
 * pending (ENOENT). */
static int is_listener(int fd)
{
    uint64_t id = 0;
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 || errno == ENOENT;
}

/* Waits until *slot is not `unset`, up to *left milliseconds, while the
 * process pidfd names lives; 0 or an errno. */
static int await_slot(volatile int32_t *slot, int32_t unset, int pidfd,
                      int64_t *left)
{
    struct pollfd p;
    while (load32(slot) == unset) {
        int rc;
        if ((*left)-- <= 0)
            return ETIMEDOUT;
        p.fd = pidfd;
        p.events = POLLIN;
        p.revents = 0;
        rc = poll(&p, 1, 1);
        if (rc > 0 && load32(slot) == unset)
            return ESRCH;  /* it ended */
    }
    return 0;
}

/* handover_take(h[, pid[, timeout_ms]]) -> the listener of process pid
 * (default: the page's maker), or nil when its load made none: in the
 * supervisor.  Takes the probe first, then the listener, with
 * pidfd_getfd(2); the loader closes its own copy once this returns. */
static int l_handover_take(lua_State *L)
{
    lsc_handover *h = lsc_check_handover(L, 1, "handover_take");
    pid_t pid = lua_isnoneornil(L, 2) ? (pid_t)h->creator :
        (pid_t)lsc_check_range(L, 2, "handover_take", NULL, "pid", 1, INT32_MAX);
    int64_t left = lua_isnoneornil(L, 3) ? 30000 :
        lsc_check_range(L, 3, "handover_take", NULL, "timeout", 0, INT32_MAX);
    int pidfd, fd, err;
    store32(&h->helper, (int32_t)getpid());
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return lsc_fail(L, "handover_take", "pidfd_open", errno, NULL);
    err = await_slot(&h->probe, -1, pidfd, &left);
    if (err == 0) {
        fd = (int)syscall(SYS_pidfd_getfd, pidfd, load32(&h->probe), 0);
        if (fd < 0) {
            err = errno;
            store32(&h->ready, -err);
            close(pidfd);
            return lsc_fail(L, "handover_take", "pidfd_getfd", err, NULL);
        }
        close(fd);
        store32(&h->ready, 1);
        err = await_slot(&h->fd, -1, pidfd, &left);
    }
    if (err != 0) {
        close(pidfd);
        return lsc_fail(L, "handover_take", NULL, err,
                        "the process did not load its filter");
    }
    if (load32(&h->fd) < 0) {  /* no listener: nothing to supervise */
        close(pidfd);
        lua_pushnil(L);
        return 1;
    }
    fd = (int)syscall(SYS_pidfd_getfd, pidfd, load32(&h->fd), 0);
    err = fd < 0 ? errno : is_listener(fd) ? 0 : EPROTO;
    close(pidfd);
    if (err != 0) {
        if (fd >= 0)
            close(fd);
        store32(&h->taken, -1);
        return lsc_fail(L, "handover_take", "pidfd_getfd", err,
                        "cannot take the listener");
    }
    store32(&h->taken, 1);
    lua_pushinteger(L, fd);
    return 1;
}

/* Spins this long at most for the supervisor (a few seconds): no call
 * may be made, so nothing can tell the time. */
#define GIVE_SPINS (1ul << 31)

/* In the loader, right after its load made listener fd: publish, wait
 * for the supervisor's copy, close ours.  No system call but close, which
 * the caller checked the filter allows (none for a loader that execs).
 * When the supervisor never takes it, or the close fails, the process
 * must not go on holding its own listener, nor go on unsupervised: it
 * ends itself with a trapping instruction, which no filter refuses. */
void lsc_handover_give(lsc_handover *h, int fd)
{
    unsigned long spins;
    int closed;
    store32(&h->fd, fd);
    for (spins = 0; spins < GIVE_SPINS && load32(&h->taken) == 0; spins++)
        cpu_relax();
    /* a loader that execs next leaves it to the exec: the kernel makes
     * every listener close-on-exec, and no call is made under the filter */
    closed = h->exec_closes || close(fd) == 0 || errno == EINTR;
    if (load32(&h->taken) != 1 || !closed) {
        static const char msg[] = "seccomp: the listener could not be handed "
                                  "to the supervisor: ending the process\n";
        sigset_t set;
        ssize_t n = write(2, msg, sizeof msg - 1);
        (void)n;
        signal(SIGILL, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, SIGILL);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        for (;;)
            __builtin_trap();
    }
}

/* The load made no listener, or failed: the supervisor stops waiting. */
void lsc_handover_none(lsc_handover *h)
{
    store32(&h->fd, -2);
}

/* handover_cancel(h): the load did not happen */
static int l_handover_cancel(lua_State *L)
{
    lsc_handover_none(lsc_check_handover(L, 1, "handover_cancel"));
    return 0;
}

/* handover_helper(h) -> the supervisor's pid, once it waits (else nil) */
static int l_handover_helper(lua_State *L)
{
    lsc_handover *h = lsc_check_handover(L, 1, "handover_helper");
    if (load32(&h->helper) == 0)
        return 0;
    lua_pushinteger(L, load32(&h->helper));
    return 1;
}

/* --- watching and ending the supervised processes --------------------- */

/* supervisor_wait(listener[, pidfd[, timeout_ms]]) -> "notify" (a
 * notification is ready), "hangup" (no process uses the filter any
 * more), "ended" (the process pidfd names ended) or "timeout". */
static int l_supervisor_wait(lua_State *L)
{
    struct pollfd p[2];
    int n = 1, rc;
    int64_t t;
    p[0].fd = (int)lsc_check_range(L, 1, "supervisor_wait", NULL, "fd", 0, INT32_MAX);
    p[0].events = POLLIN;
    p[0].revents = 0;
    if (!lua_isnoneornil(L, 2)) {
        p[1].fd = (int)lsc_check_range(L, 2, "supervisor_wait", NULL, "pidfd", 0,
                                       INT32_MAX);
        p[1].events = POLLIN;
        p[1].revents = 0;
        n = 2;
    }
    t = lua_isnoneornil(L, 3) ? -1 :
        lsc_check_range(L, 3, "supervisor_wait", NULL, "timeout", -1, INT32_MAX);
    do
        rc = poll(p, (nfds_t)n, (int)t);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return lsc_fail(L, "supervisor_wait", NULL, errno, NULL);
    if ((p[0].revents | (n > 1 ? p[1].revents : 0)) & POLLNVAL)
        return lsc_fail(L, "supervisor_wait", NULL, EBADF, NULL);
    if (p[0].revents & POLLIN)
        lua_pushliteral(L, "notify");
    else if (p[0].revents & (POLLHUP | POLLERR))
        lua_pushliteral(L, "hangup");
    else if (n > 1 && p[1].revents != 0)
        lua_pushliteral(L, "ended");
    else
        lua_pushliteral(L, "timeout");
    return 1;
}

/* What /proc says of thread tid: its process, and whether SIGSYS would
 * kill it (not blocked in the thread, not ignored or caught by the
 * process).  0, or an errno (ENOENT: gone). */
static int thread_status(pid_t tid, pid_t *tgid, int *sigsys_fatal)
{
    char path[48], line[256];
    unsigned long long blk = 0, ign = 0, cgt = 0;
    unsigned long long bit = 1ull << (SIGSYS - 1);
    int found = 0;
    FILE *fh;
    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    fh = fopen(path, "re");
    if (fh == NULL)
        return errno;
    *tgid = 0;
    while (fgets(line, sizeof line, fh) != NULL) {
        if (sscanf(line, "Tgid: %d", tgid) == 1)
            found |= 1;
        else if (sscanf(line, "SigBlk: %llx", &blk) == 1)
            found |= 2;
        else if (sscanf(line, "SigIgn: %llx", &ign) == 1)
            found |= 4;
        else if (sscanf(line, "SigCgt: %llx", &cgt) == 1)
            found |= 8;
    }
    fclose(fh);
    if (found != 15 || *tgid <= 0)
        return ENOENT;
    *sigsys_fatal = ((blk | ign | cgt) & bit) == 0;
    return 0;
}

/* Waits up to ms milliseconds for the process pidfd names to end,
 * checking every few that thread tid would still die of SIGSYS (with
 * watch); whether it ended. */
static int await_end(int pidfd, pid_t tid, int ms, int watch)
{
    struct pollfd p;
    pid_t tgid;
    int fatal;
    while (ms > 0) {
        p.fd = pidfd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 5) > 0)
            return 1;
        ms -= 5;
        if (watch && thread_status(tid, &tgid, &fatal) == 0 && !fatal)
            return 0;  /* it changed what SIGSYS does: no waiting */
    }
    return 0;
}

/* supervisor_end(tid) -> "SIGSYS" | "SIGKILL" | "gone", the process id:
 * ends the process of thread tid, which waits on a notification. */
static int l_supervisor_end(lua_State *L)
{
    pid_t tid = (pid_t)lsc_check_range(L, 1, "supervisor_end", NULL, "pid", 1,
                                       INT32_MAX);
    pid_t tgid = 0;
    int fatal = 0, pidfd, err;
    const char *how = "SIGKILL";
    err = thread_status(tid, &tgid, &fatal);
    if (err != 0) {
        lua_pushliteral(L, "gone");
        lua_pushnil(L);
        return 2;
    }
    pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
    if (pidfd < 0) {
        err = errno;
        if (err == ESRCH) {
            lua_pushliteral(L, "gone");
            lua_pushinteger(L, tgid);
            return 2;
        }
        /* no pidfd: SIGKILL by number, the process waits on us */
        kill(tgid, SIGKILL);
        lua_pushstring(L, how);
        lua_pushinteger(L, tgid);
        return 2;
    }
    if (fatal && syscall(SYS_tgkill, tgid, tid, SIGSYS) == 0 &&
        await_end(pidfd, tid, 2000, 1)) {
        how = "SIGSYS";
    } else {
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        (void)await_end(pidfd, tid, 2000, 0);
    }
    close(pidfd);
    lua_pushstring(L, how);
    lua_pushinteger(L, tgid);
    return 2;
}

/* proc_tgid(tid) -> the process of thread tid, or nil when it is gone */
static int l_proc_tgid(lua_State *L)
{
    pid_t tid = (pid_t)lsc_check_range(L, 1, "proc_tgid", NULL, "pid", 1, INT32_MAX);
    pid_t tgid;
    int fatal;
    if (thread_status(tid, &tgid, &fatal) != 0)
        return 0;
    lua_pushinteger(L, tgid);
    return 1;
}

/* proc_exe(pid) -> the program process pid runs, or nil */
static int l_proc_exe(lua_State *L)
{
    pid_t pid = (pid_t)lsc_check_range(L, 1, "proc_exe", NULL, "pid", 1, INT32_MAX);
    char path[48], buf[PATH_MAX];
    ssize_t n;
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    n = readlink(path, buf, sizeof buf - 1);
    if (n <= 0)
        return 0;
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

/* filters_loaded() -> whether this process (or one it was forked from)
 * loaded a filter through this library: memory only, no call. */
static int l_filters_loaded(lua_State *L)
{
    lua_pushboolean(L, lsc_export_any_loaded());
    return 1;
}

static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, getpid());
    return 1;
}

/* parent_death(parent): this process gets SIGKILL when its parent dies
 * (PR_SET_PDEATHSIG, kept across exec); raises when parent has already
 * gone, or is not its parent. */
static int l_parent_death(lua_State *L)
{
    pid_t parent = (pid_t)lsc_check_range(L, 1, "parent_death", NULL, "pid", 1,
                                          INT32_MAX);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        return lsc_fail(L, "parent_death", "prctl", errno, NULL);
    if (getppid() != parent)
        return lsc_fail(L, "parent_death", NULL, ESRCH,
                        "the supervising parent has already ended");
    return 0;
}

/* Closes descriptors first..last: close_range(2) (Linux 5.9), else one by
 * one up to the limit. */
static void close_gap(unsigned int first, unsigned int last)
{
    long max;
    unsigned int fd;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, first, last, 0) == 0)
        return;
#endif
    max = sysconf(_SC_OPEN_MAX);
    if (max <= 0 || max > 65536)
        max = 65536;
    for (fd = first; fd <= last && fd < (unsigned int)max; fd++)
        close((int)fd);
}

/* supervisor_detach(keep): in a supervisor forked off the process it
 * watches: signals from the terminal leave it alone (it ends when the
 * processes it watches do), and it holds no descriptor but keep and the
 * ones given after it. */
static int l_supervisor_detach(lua_State *L)
{
    static const int sigs[] = { SIGINT, SIGQUIT, SIGHUP, SIGPIPE, SIGTSTP,
                                SIGTTIN, SIGTTOU };
    int keep[8], nkeep = 0, i, j, top = lua_gettop(L);
    unsigned int from = 0;
    for (i = 1; i <= top && nkeep < 8; i++) {
        int fd = (int)lsc_check_range(L, i, "supervisor_detach", NULL, "fd", -1,
                                      INT32_MAX);
        if (fd >= 0)
            keep[nkeep++] = fd;
    }
    for (i = 0; i < (int)(sizeof sigs / sizeof sigs[0]); i++)
        signal(sigs[i], SIG_IGN);
    for (i = 1; i < nkeep; i++)  /* ascending, for the ranges between them */
        for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    for (i = 0; i <= nkeep; i++) {
        unsigned int to = i < nkeep ? (unsigned int)keep[i] : ~0u;
        if (to > from)
            close_gap(from, to - 1);
        from = to + 1;
    }
    return 0;
}

/* supervisor_interactive(): SIGINT and SIGQUIT from the terminal reach
 * the command too: the supervisor ignores them and waits to see how the
 * command takes them, as system(3) does. */
static int l_supervisor_interactive(lua_State *L)
{
    (void)L;
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    return 0;
}

/* exit_like(how, code): ends this process as a child ended: exit(code),
 * or by signal code with its default action (no core file of this
 * process). Never returns. */
static int l_exit_like(lua_State *L)
{
    static const char *const hows[] = { "exit", "signal", NULL };
    int how = lsc_check_option(L, 1, "exit_like", NULL, "how", hows,
                               "how is exit or signal");
    int code = (int)lsc_check_range(L, 2, "exit_like", NULL, "code", 0,
                                    how == 0 ? 255 : 64);
    fflush(NULL);
    if (how == 1 && code > 0 && code != SIGKILL && code != SIGSTOP) {
        struct rlimit none = { 0, 0 };
        sigset_t set;
        setrlimit(RLIMIT_CORE, &none);
        signal(code, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, code);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(code);
    } else if (how == 1 && code == SIGKILL) {
        raise(SIGKILL);
    }
    _exit(how == 0 ? code : 128 + code);
    return 0;
}

/* bpf_returns(bpf) -> { [action name] = true } for every return of the
 * program (kill_process, kill_thread, trap, errno, trace, notify, log,
 * allow). */
static int l_bpf_returns(lua_State *L)
{
    size_t len, i;
    const char *bpf = lsc_check_string(L, 1, "bpf_returns", NULL, "program", &len);
    const struct sock_filter *prog = (const struct sock_filter *)(const void *)bpf;
    if (len % sizeof *prog != 0)
        return lsc_fail(L, "bpf_returns", NULL, EINVAL, "not whole instructions");
    lua_newtable(L);
    for (i = 0; i < len / sizeof *prog; i++) {
        struct sock_filter in;
        const char *name;
        memcpy(&in, bpf + i * sizeof in, sizeof in);
        if (BPF_CLASS(in.code) != BPF_RET)
            continue;
        switch (in.k & SECCOMP_RET_ACTION_FULL) {
        case SECCOMP_RET_KILL_PROCESS: name = "kill_process"; break;
        case SECCOMP_RET_KILL_THREAD: name = "kill_thread"; break;
        case SECCOMP_RET_TRAP: name = "trap"; break;
        case SECCOMP_RET_ERRNO: name = "errno"; break;
        case SECCOMP_RET_USER_NOTIF: name = "notify"; break;
        case SECCOMP_RET_TRACE: name = "trace"; break;
        case SECCOMP_RET_LOG: name = "log"; break;
        case SECCOMP_RET_ALLOW: name = "allow"; break;
        default: name = "kill_process"; break;  /* the kernel's reading */
        }
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, name);
    }
    return 1;
}

const luaL_Reg lsc_supervisor_functions[] = {
    {"handover_new", l_handover_new},
    {"handover_offer", l_handover_offer},
    {"handover_take", l_handover_take},
    {"handover_cancel", l_handover_cancel},
    {"handover_helper", l_handover_helper},
    {"supervisor_wait", l_supervisor_wait},
    {"supervisor_end", l_supervisor_end},
    {"supervisor_detach", l_supervisor_detach},
    {"supervisor_interactive", l_supervisor_interactive},
    {"proc_tgid", l_proc_tgid},
    {"proc_exe", l_proc_exe},
    {"getpid", l_getpid},
    {"filters_loaded", l_filters_loaded},
    {"parent_death", l_parent_death},
    {"exit_like", l_exit_like},
    {"bpf_returns", l_bpf_returns},
    {NULL, NULL}
};

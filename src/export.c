/*
 * export.c: a filter as PFC text or as the BPF program the kernel runs.
 * libseccomp 2.5 writes exports to a file descriptor, so they go through
 * an anonymous memory file (see chan_fd below).
 *
 * A load captures both exports first (memfd_create may be refused once
 * the filter is in), and a loaded filter, being frozen, answers every
 * later export from that copy. Variants of the program are the exported
 * program with its return instructions rewritten, so they decide every
 * call as the original does apart from the substituted action.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua_seccomp.h"

typedef int (*export_writer)(const scmp_filter_ctx, int);

/* The memory file exports go through, one per process and kept open:
 * once a filter is loaded, memfd_create may be refused, and a process
 * that loaded a filter must still be able to load another on top (a
 * narrower pledge) with no more than ftruncate, write and pread.
 *
 * A process never shares its file: a forked child closes the copy it
 * inherited (chan_child) and makes its own when it first exports, so no
 * child, sandboxed or not, can write into its parent's or a sibling's
 * exports. A child whose inherited filter refuses memfd_create cannot
 * export, and says so. Threads of the process (several lua_States, as
 * in some hosts) take chan_lock around each export; chan_prepare takes
 * it too, so that no fork copies a file in the middle of an export.
 *
 * The file starts with a random cookie (CHAN_COOKIE bytes) that exports
 * never touch: reading it back tells our file from whatever the program
 * may have opened under the number after closing ours, with pread alone. */
static pthread_mutex_t chan_lock = PTHREAD_MUTEX_INITIALIZER;
static int chan_fd = -1;
static int chan_atfork;  /* the fork handlers are registered */

#define CHAN_COOKIE 16
static unsigned char chan_cookie[CHAN_COOKIE];

/* The file sits at or above this descriptor, out of the way of code that
 * counts on which low descriptor it gets next. */
#define CHAN_MIN_FD 100

/* Whether chan_fd is still our file: the program may have closed it and
 * opened something else under its number. */
static int chan_valid(void)
{
    unsigned char got[CHAN_COOKIE];
    return pread(chan_fd, got, sizeof got, 0) == (ssize_t)sizeof got &&
           memcmp(got, chan_cookie, sizeof got) == 0;
}

static void chan_prepare(void) { pthread_mutex_lock(&chan_lock); }
static void chan_parent(void) { pthread_mutex_unlock(&chan_lock); }

static int call_killed(long nr, const uint64_t args[6]);

/* In a forked child: close the inherited file, unless the number is
 * plainly the program's now (no pread there, or other bytes). When a
 * loaded filter would kill pread, or pread fails for another reason,
 * the file is closed: a child must never keep its parent's. */
static void chan_child(void)
{
    if (chan_fd >= 0) {
        uint64_t args[6] = { 0, 0, 0, 0, 0, 0 };
        unsigned char got[CHAN_COOKIE];
        ssize_t n = -1;
        int ours = 1;
        args[0] = (uint64_t)chan_fd;
        args[1] = (uint64_t)(uintptr_t)got;
        args[2] = sizeof got;
        if (!call_killed(SYS_pread64, args)) {
            n = pread(chan_fd, got, sizeof got, 0);
            if (n >= 0)
                ours = n == (ssize_t)sizeof got &&
                       memcmp(got, chan_cookie, sizeof got) == 0;
            else
                ours = errno != ESPIPE && errno != EBADF;
        }
        if (ours)
            close(chan_fd);
    }
    chan_fd = -1;
    pthread_mutex_unlock(&chan_lock);
}

/* A new cookie: random where getrandom works, else unique enough to tell
 * our file from one the program opened (the threat is a mix-up, not a
 * forger, who would need our descriptor). */
static void chan_new_cookie(int fd)
{
    struct { pid_t pid; int fd; const void *at; struct timespec t; } mix;
    size_t i;
    memset(&mix, 0, sizeof mix);
    mix.pid = getpid();
    mix.fd = fd;
    mix.at = &mix;
    (void)clock_gettime(CLOCK_MONOTONIC, &mix.t);
    memcpy(chan_cookie, &mix, sizeof mix < CHAN_COOKIE ? sizeof mix
                                                       : CHAN_COOKIE);
    if (getrandom(chan_cookie, CHAN_COOKIE, GRND_NONBLOCK) == CHAN_COOKIE)
        return;
    for (i = 0; i < sizeof mix; i++)  /* fold the rest in */
        chan_cookie[i % CHAN_COOKIE] ^= ((const unsigned char *)&mix)[i];
}

/* The programs this process loaded (an ancestor's too: the kernel's
 * filters and this list are both inherited), to tell before calling
 * memfd_create whether a loaded filter would kill the process for it. */
struct lsc_loaded_note {
    struct lsc_loaded_note *next;
    size_t n;
    struct sock_filter insns[];
};
static lsc_loaded_note *loaded_progs;

/* A note of prog, made before the load (a filter may refuse the memory
 * calls malloc makes once it is in); NULL when there is no memory, and
 * then the checks below know less, and the calls still fail closed. */
lsc_loaded_note *lsc_export_note_new(const struct sock_filter *prog, size_t n)
{
    lsc_loaded_note *p = malloc(sizeof *p + n * sizeof *prog);
    if (p == NULL)
        return NULL;
    p->next = NULL;
    p->n = n;
    memcpy(p->insns, prog, n * sizeof *prog);
    return p;
}

/* After the load: the note joins the list, with no allocation. */
void lsc_export_note_loaded(lsc_loaded_note *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&chan_lock);
    p->next = loaded_progs;
    loaded_progs = p;
    pthread_mutex_unlock(&chan_lock);
}

/* Whether this process (or one it was forked from) loaded a filter here. */
int lsc_export_any_loaded(void)
{
    int any;
    pthread_mutex_lock(&chan_lock);
    any = loaded_progs != NULL;
    pthread_mutex_unlock(&chan_lock);
    return any;
}

/* Whether a loaded filter kills or traps the call nr(args): memory only,
 * so a fork handler may ask too. */
static int call_killed(long nr, const uint64_t args[6])
{
    struct seccomp_data d;
    const lsc_loaded_note *p;
    memset(&d, 0, sizeof d);
    d.nr = (int)nr;
    d.arch = seccomp_arch_native();
    memcpy(d.args, args, sizeof d.args);
    for (p = loaded_progs; p != NULL; p = p->next) {
        uint32_t action = lsc_sim_run(p->insns, p->n, &d) &
                          SECCOMP_RET_ACTION_FULL;
        if (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG &&
            action != SECCOMP_RET_ERRNO && action != SECCOMP_RET_USER_NOTIF &&
            action != SECCOMP_RET_TRACE)
            return 1;
    }
    return 0;
}

/* Makes the file; returns 0 or an errno with *what naming the call. */
static int chan_make(const char **what)
{
    int fd, high, err;
    *what = "memfd_create failed (a process exports through a file of "
            "its own, never its parent's, and a filter loaded in it, or "
            "before its fork, refuses the call)";
    {
        static const char name[] = "seccomp-export";
        uint64_t args[6] = { 0, MFD_CLOEXEC, 0, 0, 0, 0 };
        args[0] = (uint64_t)(uintptr_t)name;
        if (call_killed(SYS_memfd_create, args))
            return EPERM;
        fd = memfd_create(name, MFD_CLOEXEC);
    }
    if (fd < 0)
        return errno;
    high = fcntl(fd, F_DUPFD_CLOEXEC, CHAN_MIN_FD);
    if (high >= 0) {
        close(fd);
        fd = high;
    }
    chan_new_cookie(fd);
    /* Appending, every export starts where ftruncate left the end, and
     * no lseek is needed (libseccomp's PFC writer appends anyway). */
    *what = "fcntl(F_SETFL, O_APPEND) failed";
    if (fcntl(fd, F_SETFL, O_APPEND) != 0)
        goto fail;
    *what = "write failed";
    if (write(fd, chan_cookie, CHAN_COOKIE) != CHAN_COOKIE)
        goto fail;
    chan_fd = fd;
    return 0;
fail:
    err = errno != 0 ? errno : EIO;
    close(fd);
    return err;
}

/* With chan_lock held: our file, made if need be. */
static int chan_open(const char **what)
{
    int err;
    if (!chan_atfork) {
        *what = "pthread_atfork failed";
        err = pthread_atfork(chan_prepare, chan_parent, chan_child);
        if (err != 0)
            return err;
        chan_atfork = 1;
    }
    if (chan_fd >= 0 && chan_valid())
        return 0;
    chan_fd = -1;  /* not ours any more (or never made): leave it alone */
    return chan_make(what);
}

/* One export through the file into a malloc'd buffer; returns 0 or an
 * errno, with *what naming the step that failed (NULL: libseccomp). */
static int export_once(lsc_filter *f, export_writer writer, char **out,
                       size_t *outlen, const char **what)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ssize_t got;
    int rc, err = 0;
    *what = "ftruncate failed";
    if (ftruncate(chan_fd, CHAN_COOKIE) != 0)
        return errno;
    *what = NULL;
    rc = writer(f->ctx, chan_fd);
    if (rc < 0)
        return -rc;
    *what = "pread failed";
    for (;;) {
        if (cap - len < 4096) {
            char *more = realloc(buf, cap + 65536);
            if (more == NULL) {
                err = ENOMEM;
                break;
            }
            buf = more;
            cap += 65536;
        }
        got = pread(chan_fd, buf + len, cap - len,
                    (off_t)(CHAN_COOKIE + len));
        if (got > 0)
            len += (size_t)got;
        else if (got == 0)
            break;
        else if (errno != EINTR) {
            err = errno;
            break;
        }
    }
    if (err != 0) {
        free(buf);
        return err;
    }
    if (buf == NULL && (buf = malloc(1)) == NULL)
        return ENOMEM;
    *out = buf;
    *outlen = len;
    return 0;
}

/* Why a BPF export is not a whole program, or NULL: a last defence
 * against bytes that are not libseccomp's (an export must never hand
 * back a wrong program). libseccomp writes a filter for big-endian
 * architectures in their byte order (swapped). */
static const char *bpf_shape(const char *buf, size_t len, int swapped)
{
    size_t i, n = len / sizeof(struct sock_filter);
    if (len == 0 || len % sizeof(struct sock_filter) != 0)
        return "the exported program is not whole instructions";
    for (i = 0; i < n; i++) {
        struct sock_filter in;
        memcpy(&in, buf + i * sizeof in, sizeof in);
        if (swapped) {
            in.code = (uint16_t)((in.code >> 8) | (in.code << 8));
            in.k = (in.k >> 24) | ((in.k >> 8) & 0xff00U) |
                   ((in.k << 8) & 0xff0000U) | (in.k << 24);
        }
        if (i == n - 1 && BPF_CLASS(in.code) != BPF_RET)
            return "the exported program does not end with a return";
        if (BPF_CLASS(in.code) != BPF_JMP)
            continue;
        if (BPF_OP(in.code) == BPF_JA ? in.k >= n - i - 1
                                      : in.jt >= n - i - 1 ||
                                        in.jf >= n - i - 1)
            return "the exported program jumps out of itself";
    }
    return NULL;
}

/* Whether f's program is written in the other byte order: its
 * architectures are big endian (libseccomp mixes no byte orders). */
static int bpf_swapped(lsc_filter *f)
{
    uint32_t tokens[LSC_MAX_ARCHES];
    return lsc_filter_arches(f->ctx, tokens) > 0 &&
           (tokens[0] & __AUDIT_ARCH_LE) == 0;
}

/* An export into a malloc'd buffer; returns 0 or an errno with *what. */
static int export_raw(lsc_filter *f, export_writer writer, char **out,
                      size_t *outlen, const char **what)
{
    const char *shape;
    int err;
    pthread_mutex_lock(&chan_lock);
    err = chan_open(what);
    if (err == 0)
        err = export_once(f, writer, out, outlen, what);
    pthread_mutex_unlock(&chan_lock);
    if (err == 0 && writer == seccomp_export_bpf &&
        (shape = bpf_shape(*out, *outlen, bpf_swapped(f))) != NULL) {
        free(*out);
        *out = NULL;
        *what = shape;
        return EIO;
    }
    return err;
}

/* Makes the export file early (a new filter), so that it exists before
 * any load and takes its descriptor before a caller counts on one. */
void lsc_export_prepare(void)
{
    const char *what;
    pthread_mutex_lock(&chan_lock);
    (void)chan_open(&what);  /* on failure the export that needs it raises */
    pthread_mutex_unlock(&chan_lock);
}

static int holder_gc(lua_State *L)
{
    char **p = (char **)lua_touserdata(L, 1);
    free(*p);
    *p = NULL;
    return 0;
}

/* A userdata on the stack that frees the malloc'd block it holds when
 * collected, so that a memory error while pushing the block leaks none. */
static char **push_holder(lua_State *L)
{
    char **p = (char **)lua_newuserdata(L, sizeof *p);
    *p = NULL;
    if (luaL_newmetatable(L, "seccomp.export_buffer")) {
        lua_pushcfunction(L, holder_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return p;
}

/* Pushes an export of the filter as it is now. */
static int export_push(lua_State *L, lsc_filter *f, const char *op,
                       export_writer writer)
{
    char **buf;
    size_t len;
    const char *what;
    int err;
    lsc_ready(L, f, op);
    buf = push_holder(L);
    err = export_raw(f, writer, buf, &len, &what);
    if (err != 0)
        return lsc_fail(L, op, NULL, err, what);
    lua_pushlstring(L, *buf, len);
    free(*buf);
    *buf = NULL;
    lua_remove(L, -2);  /* the holder */
    return 1;
}

/* Before a first load: keep the program (pfc = 0), then the PFC text
 * (pfc = 1). A load that creates a notify listener leaves the PFC for
 * later: its writer opens a descriptor (dup), and the listener must land
 * on the lowest free one, as with seccomp_load, for a supervisor that
 * takes it by number (notify.take_fd). */
void lsc_capture(lua_State *L, lsc_filter *f, const char *op, int pfc)
{
    const char *what;
    int err;
    if (f->loads > 0)
        return;
    if (pfc) {
        if (lsc_pfc_unwritable(f))
            return;  /* f:pfc() says why */
        /* The PFC writer needs dup and fcntl, which a filter loaded
         * before may refuse: the load goes on, and f:pfc() says why. */
        err = export_raw(f, seccomp_export_pfc, &f->pfc, &f->pfc_len, &what);
        if (err != 0) {
            f->pfc = NULL;
            f->pfc_err = err;
        }
        return;
    }
    free(f->pfc);
    f->pfc = NULL;
    f->pfc_err = 0;
    if (f->bpf != NULL)  /* exported since the last change */
        return;
    err = export_raw(f, seccomp_export_bpf, &f->bpf, &f->bpf_len, &what);
    if (err != 0) {
        f->bpf = NULL;
        lsc_fail(L, op, "bpf", err, what);
    }
}

/* Pushes the program. A filter that is not loaded keeps its last export
 * until it changes (see forget_export in filter.c), so f:check() and
 * repeated exports do not write it again. */
int lsc_export_bpf(lua_State *L, lsc_filter *f, const char *op)
{
    if (f->loads == 0) {
        lsc_ready(L, f, op);
        if (f->bpf == NULL) {
            const char *what;
            int err = export_raw(f, seccomp_export_bpf, &f->bpf, &f->bpf_len,
                                 &what);
            if (err != 0) {
                f->bpf = NULL;
                f->bpf_len = 0;
                return lsc_fail(L, op, NULL, err, what);
            }
        }
    }
    if (f->bpf == NULL)
        return export_push(L, f, op, seccomp_export_bpf);
    lua_pushlstring(L, f->bpf, f->bpf_len);
    return 1;
}

static int l_pfc(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "pfc");
    lsc_ready(L, f, "pfc");
    if (lsc_pfc_unwritable(f))
        return lsc_fail(L, "pfc", NULL, EOPNOTSUPP, "libseccomp 2.5.4's PFC "
                        "writer does not end on a binary-tree filter "
                        "(optimize 2) with priorities; drop the priorities, "
                        "or set optimize 1 where the linear code is safe");
    if (f->loads > 0 && f->pfc_err != 0)
        return lsc_fail(L, "pfc", NULL, f->pfc_err, "the filter is loaded, "
                        "and its PFC could not be written before the load (a "
                        "filter loaded earlier refused a call the export "
                        "needs)");
    if (f->loads > 0 && f->pfc == NULL) {
        /* left for now by the load (see lsc_capture); the frozen
         * context still writes what it wrote before */
        const char *what;
        int err = export_raw(f, seccomp_export_pfc, &f->pfc, &f->pfc_len,
                             &what);
        if (err != 0) {
            f->pfc = NULL;
            return lsc_fail(L, "pfc", NULL, err, what);
        }
    }
    if (f->loads > 0) {
        lua_pushlstring(L, f->pfc, f->pfc_len);
        return 1;
    }
    return export_push(L, f, "pfc", seccomp_export_pfc);
}

static int l_bpf(lua_State *L)
{
    return lsc_export_bpf(L, lsc_check_filter(L, 1, "bpf"), "bpf");
}

/* ---- variants ------------------------------------------------------ */

static uint32_t variant_return(uint32_t ret, int variant)
{
    uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
    if (variant & LSC_VARIANT_KILL_AS_TRAP) {
        if (action == SECCOMP_RET_KILL_PROCESS)
            return SECCOMP_RET_TRAP | LSC_TRAP_KILL_PROCESS;
        if (action == SECCOMP_RET_KILL_THREAD)
            return SECCOMP_RET_TRAP | LSC_TRAP_KILL_THREAD;
    }
    if ((variant & LSC_VARIANT_NOTIFY_AS_ENOSYS) &&
        action == SECCOMP_RET_USER_NOTIF)
        return SECCOMP_RET_ERRNO | ENOSYS;
    /* the supervisor runs the original program to tell which action */
    if ((variant & LSC_VARIANT_KILL_AS_NOTIFY) &&
        (action == SECCOMP_RET_KILL_PROCESS || action == SECCOMP_RET_KILL_THREAD))
        return SECCOMP_RET_USER_NOTIF;
    if ((variant & LSC_VARIANT_ERRNO_AS_NOTIFY) && action == SECCOMP_RET_ERRNO)
        return SECCOMP_RET_USER_NOTIF;
    return ret;
}

/* The program bpf (len bytes) with its returns rewritten for variant, as
 * a userdata pushed on the stack; *n is its length in instructions and
 * *notify whether a notify return is left. A return that is not a
 * constant cannot be rewritten and raises (libseccomp writes none). */
struct sock_filter *lsc_variant_program(lua_State *L, const char *bpf,
                                        size_t len, int variant,
                                        const char *op, size_t *n,
                                        int *notify)
{
    struct sock_filter *prog;
    size_t i;
    if (len == 0 || len % sizeof *prog != 0)
        lsc_fail(L, op, "bpf", EINVAL, lua_pushfstring(L, "the exported "
                 "program has %d bytes, not whole instructions", (int)len));
    if (len / sizeof *prog > BPF_MAXINSNS)
        lsc_fail(L, op, NULL, EINVAL, lua_pushfstring(L, "the program has "
                 "%d instructions; the kernel takes at most %d",
                 (int)(len / sizeof *prog), BPF_MAXINSNS));
    prog = (struct sock_filter *)lua_newuserdata(L, len);
    memcpy(prog, bpf, len);
    *n = len / sizeof *prog;
    *notify = 0;
    for (i = 0; i < *n; i++) {
        if (BPF_CLASS(prog[i].code) != BPF_RET)
            continue;
        if (BPF_RVAL(prog[i].code) != BPF_K)
            lsc_fail(L, op, "bpf", EINVAL, lua_pushfstring(L, "instruction "
                     "%d returns a computed value, which a variant cannot "
                     "rewrite", (int)i));
        prog[i].k = variant_return(prog[i].k, variant);
        if ((prog[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
            *notify = 1;
    }
    return prog;
}

static int variant_option(lua_State *L, int idx, const char *op)
{
    int variant = 0;
    if (lua_isnoneornil(L, idx))
        return 0;
    lsc_check_table(L, idx, op, NULL, "options");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        static const char *const options[] = {
            "kill_as_trap", "notify_as_enosys", "kill_as_notify",
            "errno_as_notify", NULL
        };
        int on = lua_toboolean(L, -1);
        switch (lsc_option_index(L, -2, options)) {
        case 0: variant |= on ? LSC_VARIANT_KILL_AS_TRAP : 0; break;
        case 1: variant |= on ? LSC_VARIANT_NOTIFY_AS_ENOSYS : 0; break;
        case 2: variant |= on ? LSC_VARIANT_KILL_AS_NOTIFY : 0; break;
        case 3: variant |= on ? LSC_VARIANT_ERRNO_AS_NOTIFY : 0; break;
        default:
            lsc_fail(L, op, lua_type(L, -2) == LUA_TSTRING
                     ? lsc_to_subject(L, -2) : NULL, EINVAL,
                     "unknown option (kill_as_trap, notify_as_enosys, "
                     "kill_as_notify, errno_as_notify)");
        }
        lua_pop(L, 1);
    }
    return variant;
}

/* bpf_variant(f[, { kill_as_trap =, notify_as_enosys = }]) -> the program
 * a variant load of f would load. */
static int l_bpf_variant(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "bpf_variant");
    int variant = variant_option(L, 2, "bpf_variant");
    int notify;
    size_t len, n;
    const char *bpf;
    struct sock_filter *prog;
    lsc_export_bpf(L, f, "bpf_variant");
    bpf = lua_tolstring(L, -1, &len);
    prog = lsc_variant_program(L, bpf, len, variant, "bpf_variant", &n,
                               &notify);
    lua_pushlstring(L, (const char *)prog, n * sizeof *prog);
    return 1;
}

/* variant_trap_data: what the traps of a kill-as-trap variant carry. */
static void push_trap_data(lua_State *L)
{
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, LSC_TRAP_KILL_PROCESS);
    lua_setfield(L, -2, "kill_process");
    lua_pushinteger(L, LSC_TRAP_KILL_THREAD);
    lua_setfield(L, -2, "kill_thread");
}

const luaL_Reg lsc_export_methods[] = {
    {"pfc", l_pfc},
    {"bpf", l_bpf},
    {NULL, NULL}
};

const luaL_Reg lsc_export_functions[] = {
    {"bpf_variant", l_bpf_variant},
    {NULL, NULL}
};

const lsc_field lsc_export_fields[] = {
    {"variant_trap_data", push_trap_data},
    {NULL, NULL}
};

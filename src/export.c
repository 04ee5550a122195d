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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua_seccomp.h"

typedef int (*export_writer)(const scmp_filter_ctx, int);

/* The memory file exports go through, one per process and kept open:
 * once a filter is loaded, memfd_create may be refused, and a process
 * that loaded a filter must still be able to load another on top (a
 * narrower pledge) with no more than ftruncate, write and pread.
 * After a fork, parent and child share the file and its offset; a child
 * of a process that never loaded a filter takes a file of its own under
 * the same number (so descriptor numbering does not move), and a process
 * whose file is shared exports twice and compares, so that an export
 * interleaved with a related process's is detected, not loaded. */
static int chan_fd = -1;
static dev_t chan_dev;
static ino_t chan_ino;
static int chan_shared;     /* a fork happened since the file was made */
static int chan_inherited;  /* made by an ancestor */
static int chan_atfork;

/* The file sits at or above this descriptor, out of the way of code that
 * counts on which low descriptor it gets next. */
#define CHAN_MIN_FD 100

static void chan_prepare(void) { chan_shared = 1; }
static void chan_child(void) { chan_inherited = 1; }

/* Whether chan_fd is still our file: the program may have closed it and
 * opened something else under its number. */
static int chan_valid(void)
{
    struct stat st;
    return chan_fd >= 0 && fstat(chan_fd, &st) == 0 &&
           st.st_dev == chan_dev && st.st_ino == chan_ino;
}

static int chan_make(void)
{
    struct stat st;
    int fd = memfd_create("seccomp-export", MFD_CLOEXEC), high, err;
    if (fd < 0)
        return errno;
    /* Appending, every export starts where ftruncate left the end, and
     * no lseek is needed (libseccomp's PFC writer appends anyway). */
    if (fcntl(fd, F_SETFL, O_APPEND) != 0 || fstat(fd, &st) != 0)
        goto fail;
    /* Replace the ancestor's file in place; where its number is out of
     * reach now (a lower RLIMIT_NOFILE), drop our copy and place anew. */
    if (chan_fd >= 0 && dup3(fd, chan_fd, O_CLOEXEC) >= 0) {
        close(fd);
    } else {
        if (chan_fd >= 0)
            close(chan_fd);
        high = fcntl(fd, F_DUPFD_CLOEXEC, CHAN_MIN_FD);
        if (high >= 0) {
            close(fd);
            fd = high;
        }
        chan_fd = fd;
    }
    chan_dev = st.st_dev;
    chan_ino = st.st_ino;
    chan_inherited = 0;
    chan_shared = 0;
    return 0;
fail:
    err = errno;
    close(fd);
    return err;
}

static int chan_open(void)
{
    if (!chan_atfork) {
        int rc = pthread_atfork(chan_prepare, NULL, chan_child);
        if (rc != 0)
            return rc;
        chan_atfork = 1;
    }
    if (chan_fd >= 0 && !chan_valid())
        chan_fd = -1;  /* not ours any more: leave it alone */
    if (chan_fd >= 0 && !(chan_inherited && lsc_loaded_here() == 0))
        return 0;
    return chan_make();
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
    if (ftruncate(chan_fd, 0) != 0)
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
        got = pread(chan_fd, buf + len, cap - len, (off_t)len);
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

/* An export into a malloc'd buffer; returns 0 or an errno with *what. */
static int export_raw(lsc_filter *f, export_writer writer, char **out,
                      size_t *outlen, const char **what)
{
    char *again;
    size_t again_len;
    int err, tries;
    *what = "memfd_create failed";
    err = chan_open();
    if (err != 0)
        return err;
    for (tries = 0; tries < 3; tries++) {
        err = export_once(f, writer, out, outlen, what);
        if (err != 0 || !chan_shared)
            return err;
        err = export_once(f, writer, &again, &again_len, what);
        if (err != 0) {
            free(*out);
            return err;
        }
        if (again_len == *outlen && memcmp(again, *out, again_len) == 0) {
            free(again);
            return 0;
        }
        free(again);
        free(*out);
    }
    *what = "a related process exported at the same time; try again";
    return EAGAIN;
}

/* Makes the export file early (a new filter), so that it exists before
 * any load and takes its descriptor before a caller counts on one. */
void lsc_export_prepare(void)
{
    (void)chan_open();  /* on failure the export that needs it raises */
}

/* Pushes an export of the filter as it is now. */
static int export_push(lua_State *L, lsc_filter *f, const char *op,
                       export_writer writer)
{
    char *buf;
    size_t len;
    const char *what;
    int err;
    lsc_ready(L, f, op);
    err = export_raw(f, writer, &buf, &len, &what);
    if (err != 0)
        return lsc_fail(L, op, NULL, err, what);
    lua_pushlstring(L, buf, len);
    free(buf);
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
            "kill_as_trap", "notify_as_enosys", NULL
        };
        int on = lua_toboolean(L, -1);
        switch (lsc_option_index(L, -2, options)) {
        case 0: variant |= on ? LSC_VARIANT_KILL_AS_TRAP : 0; break;
        case 1: variant |= on ? LSC_VARIANT_NOTIFY_AS_ENOSYS : 0; break;
        default:
            lsc_fail(L, op, lua_type(L, -2) == LUA_TSTRING
                     ? lsc_to_subject(L, -2) : NULL, EINVAL,
                     "unknown option (kill_as_trap, notify_as_enosys)");
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

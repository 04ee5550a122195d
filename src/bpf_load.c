/*
 * bpf_load.c: loading a saved program (what f:bpf() wrote) with
 * seccomp(2), without libseccomp generating anything: the start-up path
 * of a program that compiled its filter ahead of time.
 *
 * The program is checked first, so that a wrong file raises with a
 * reason instead of the kernel's bare EINVAL, or worse, loads: whole
 * instructions, at most the kernel's 4096, every jump inside the
 * program, a return last, and libseccomp's architecture check first
 * (load the architecture, then compare it with each token the filter
 * carries), one of whose tokens is this process's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua_seccomp.h"

#define OP "load_bpf"

/* libseccomp's names for the architecture tokens, for the messages. */
static const char *token_name(uint32_t token)
{
    static const char *const names[] = {
        "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mips64",
        "mips64n32", "mipsel", "mipsel64", "mipsel64n32", "ppc", "ppc64",
        "ppc64le", "s390", "s390x", "parisc", "parisc64", "riscv64", NULL
    };
    size_t i;
    for (i = 0; names[i] != NULL; i++)
        if (seccomp_arch_resolve_name(names[i]) == token)
            return names[i];
    return NULL;
}

/* Raises unless prog (n instructions) is whole and starts with the
 * architecture check; the architectures it checks go to the message. */
static void check_program(lua_State *L, const struct sock_filter *prog,
                          size_t n)
{
    uint32_t native = seccomp_arch_native();
    size_t i, pc;
    int found = 0;
    luaL_Buffer b;
    for (i = 0; i < n; i++) {
        const struct sock_filter *in = &prog[i];
        if (BPF_CLASS(in->code) != BPF_JMP)
            continue;
        if (BPF_OP(in->code) == BPF_JA ? in->k >= n - i - 1
                                       : (size_t)in->jt >= n - i - 1 ||
                                         (size_t)in->jf >= n - i - 1)
            lsc_fail(L, OP, NULL, EINVAL, lua_pushfstring(L, "instruction "
                     "%d jumps past the end of the program (%d instructions)"
                     ": a truncated or damaged program", (int)i, (int)n));
    }
    if (BPF_CLASS(prog[n - 1].code) != BPF_RET)
        lsc_fail(L, OP, NULL, EINVAL, "the program does not end with a "
                 "return: a truncated or damaged program");
    if (prog[0].code != (BPF_LD | BPF_W | BPF_ABS) ||
        prog[0].k != offsetof(struct seccomp_data, arch))
        lsc_fail(L, OP, NULL, EINVAL, "the program does not start with "
                 "libseccomp's architecture check (load the architecture); "
                 "load_bpf takes what f:bpf() wrote");
    luaL_buffinit(L, &b);
    for (pc = 1; pc < n && prog[pc].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
                 token_name(prog[pc].k) != NULL;
         pc += 1 + prog[pc].jf) {
        if (prog[pc].k == native)
            found = 1;
        if (pc > 1)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, token_name(prog[pc].k));
    }
    if (pc == 1)
        lsc_fail(L, OP, NULL, EINVAL, "the program does not start with "
                 "libseccomp's architecture check (compare the architecture "
                 "with a token libseccomp knows)");
    luaL_pushresult(&b);
    if (!found)
        lsc_fail(L, OP, NULL, EINVAL, lua_pushfstring(L, "the program is "
                 "for %s, not for this process's %s", lua_tostring(L, -1),
                 token_name(native) != NULL ? token_name(native) : "?"));
    lua_pop(L, 1);
}

/* The flags of the options table at idx: tsync (default on), log,
 * spec_allow; no_new_privs (default on) to *nnp. */
static unsigned int load_options(lua_State *L, int idx, int *nnp)
{
    static const char *const options[] = {
        "tsync", "log", "spec_allow", "no_new_privs", NULL
    };
    unsigned int flags = SECCOMP_FILTER_FLAG_TSYNC;
    *nnp = 1;
    if (lua_isnoneornil(L, idx))
        return flags;
    lsc_check_table(L, idx, OP, NULL, "options");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        int which = lsc_option_index(L, -2, options);
        int on;
        if (which < 0)
            lsc_fail(L, OP, lua_type(L, -2) == LUA_TSTRING
                     ? lsc_to_subject(L, -2) : NULL, EINVAL,
                     "unknown option (tsync, log, spec_allow, no_new_privs)");
        if (!lua_isboolean(L, -1))
            lsc_fail(L, OP, options[which], EINVAL, lua_pushfstring(L,
                     "must be a boolean, got %s", luaL_typename(L, -1)));
        on = lua_toboolean(L, -1);
        switch (which) {
        case 0: flags = on ? flags | SECCOMP_FILTER_FLAG_TSYNC
                           : flags & ~(unsigned int)SECCOMP_FILTER_FLAG_TSYNC;
                break;
        case 1: flags |= on ? SECCOMP_FILTER_FLAG_LOG : 0; break;
        case 2: flags |= on ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0; break;
        default: *nnp = on; break;
        }
        lua_pop(L, 1);
    }
    return flags;
}

/* load_bpf(program[, options]): loads the saved program into this
 * process (and, with tsync, all its threads). */
static int l_load_bpf(lua_State *L)
{
    size_t len, n;
    const char *bytes = lsc_check_string(L, 1, OP, NULL, "program", &len);
    unsigned int flags;
    int nnp;
    struct sock_filter *prog;
    struct sock_fprog fprog;
    lsc_loaded_note *note;
    long rc;
    flags = load_options(L, 2, &nnp);
    if (len == 0 || len % sizeof *prog != 0)
        return lsc_fail(L, OP, NULL, EINVAL, lua_pushfstring(L, "the program "
                        "has %d bytes, not a whole number of %d-byte "
                        "instructions: a truncated or damaged program",
                        (int)len, (int)sizeof *prog));
    n = len / sizeof *prog;
    if (n > BPF_MAXINSNS)
        return lsc_fail(L, OP, NULL, EINVAL, lua_pushfstring(L, "the program "
                        "has %d instructions; the kernel takes at most %d",
                        (int)n, BPF_MAXINSNS));
    /* aligned for the kernel, freed with the stack slot */
    prog = (struct sock_filter *)lua_newuserdata(L, len);
    memcpy(prog, bytes, len);
    check_program(L, prog, n);
    note = lsc_export_note_new(prog, n);  /* the last allocation */
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        int err = errno;
        free(note);
        return lsc_fail(L, OP, "no_new_privs", err,
                        "prctl(PR_SET_NO_NEW_PRIVS) failed");
    }
    fprog.len = (unsigned short)n;
    fprog.filter = prog;
    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc != 0) {
        int err = rc < 0 ? errno : ESRCH;
        free(note);
        if (rc > 0)
            return lsc_fail(L, OP, "tsync", ESRCH, lua_pushfstring(L,
                            "thread %d could not be synchronized", (int)rc));
        return lsc_fail(L, OP, NULL, err, err == EACCES
                        ? "the kernel refused the program: without "
                          "no_new_privs, loading needs CAP_SYS_ADMIN"
                        : "the kernel refused the program");
    }
    lsc_export_note_loaded(note);
    return 0;
}

const luaL_Reg lsc_bpf_load_functions[] = {
    {"load_bpf", l_load_bpf},
    {NULL, NULL}
};

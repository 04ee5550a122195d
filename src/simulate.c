/*
 * simulate.c: a classic-BPF interpreter for seccomp programs.
 *
 * f:check() exports the filter's BPF exactly as it would be loaded and
 * runs it over a struct seccomp_data, so the answer is the kernel's
 * program's answer, on any architecture the filter carries.  The
 * interpreter accepts the instruction set the kernel accepts for seccomp
 * (see seccomp_check_filter() in kernel/seccomp.c) and rejects programs
 * the kernel would reject, so an answer is never given for a program
 * that could not be loaded.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "lua_seccomp.h"


/* arch/x86/include/uapi/asm/unistd.h */
#define LSC_X32_SYSCALL_BIT 0x40000000

/* The kernel clamps SECCOMP_RET_ERRNO data to this (include/linux/err.h). */
#define LSC_MAX_ERRNO 4095

/* The kernel also refuses a load from a scratch slot that some path may
 * reach before any store to it (check_load_and_stores() in
 * net/core/filter.c).  Same walk: the slots known written flow forward,
 * and each jump target keeps only what every jump to it has written.
 * The walk is the kernel's, imprecise where it is (after a return or an
 * unconditional jump the next instruction starts with every slot known),
 * so it refuses exactly what the kernel refuses. */
static const char *sim_check_scratch(const struct sock_filter *p, size_t n,
                                     size_t *bad)
{
    uint16_t masks[BPF_MAXINSNS], known = 0;
    size_t pc;
    memset(masks, 0xff, n * sizeof masks[0]);
    for (pc = 0; pc < n; pc++) {
        const struct sock_filter *in = &p[pc];
        known &= masks[pc];
        switch (in->code) {
        case BPF_ST:
        case BPF_STX:
            known |= (uint16_t)(1u << in->k);
            break;
        case BPF_LD | BPF_MEM:
        case BPF_LDX | BPF_MEM:
            if (!(known & (1u << in->k))) {
                *bad = pc;
                return "load from a scratch memory slot that may be unwritten";
            }
            break;
        case BPF_JMP | BPF_JA:
            masks[pc + 1 + in->k] &= known;
            known = 0xffff;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
        case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
        case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
        case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
            masks[pc + 1 + in->jt] &= known;
            masks[pc + 1 + in->jf] &= known;
            known = 0xffff;
            break;
        default:
            break;
        }
    }
    return NULL;
}

/* Check the program the way the kernel does before running anything:
 * known opcodes only, in-range jumps and scratch slots, aligned loads
 * inside struct seccomp_data, no constant division by zero, a return as
 * the last instruction, and no load from a scratch slot before a store
 * to it.  Returns NULL or what is wrong. */
static const char *sim_validate(const struct sock_filter *p, size_t n,
                                size_t *bad)
{
    size_t pc;
    if (n == 0 || n > BPF_MAXINSNS) {
        *bad = 0;
        return "program length out of range";
    }
    for (pc = 0; pc < n; pc++) {
        const struct sock_filter *in = &p[pc];
        *bad = pc;
        switch (in->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (in->k >= sizeof(struct seccomp_data) || (in->k & 3) != 0)
                return "load outside struct seccomp_data or misaligned";
            break;
        case BPF_LD | BPF_W | BPF_LEN:
        case BPF_LDX | BPF_W | BPF_LEN:
        case BPF_LD | BPF_IMM:
        case BPF_LDX | BPF_IMM:
        case BPF_MISC | BPF_TAX:
        case BPF_MISC | BPF_TXA:
        case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
        case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
        case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
        case BPF_ALU | BPF_DIV | BPF_X:
        case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
        case BPF_ALU | BPF_OR | BPF_K:  case BPF_ALU | BPF_OR | BPF_X:
        case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
        case BPF_ALU | BPF_LSH | BPF_X: case BPF_ALU | BPF_RSH | BPF_X:
        case BPF_ALU | BPF_NEG:
        case BPF_RET | BPF_K:
        case BPF_RET | BPF_A:
            break;
        case BPF_ALU | BPF_DIV | BPF_K:
            if (in->k == 0)
                return "division by constant zero";
            break;
        case BPF_ALU | BPF_LSH | BPF_K:
        case BPF_ALU | BPF_RSH | BPF_K:
            if (in->k >= 32)
                return "shift by 32 or more";
            break;
        case BPF_LD | BPF_MEM:
        case BPF_LDX | BPF_MEM:
        case BPF_ST:
        case BPF_STX:
            if (in->k >= BPF_MEMWORDS)
                return "scratch memory slot out of range";
            break;
        case BPF_JMP | BPF_JA:
            if (in->k >= n - pc - 1)
                return "jump out of the program";
            break;
        case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
        case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
        case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
        case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
            if ((size_t)in->jt >= n - pc - 1 || (size_t)in->jf >= n - pc - 1)
                return "jump out of the program";
            break;
        default:
            return "instruction not allowed in seccomp programs";
        }
    }
    switch (p[n - 1].code) {
    case BPF_RET | BPF_K:
    case BPF_RET | BPF_A:
        return sim_check_scratch(p, n, bad);
    default:
        *bad = n - 1;
        return "program does not end with a return";
    }
}

/* Run a validated program; returns the 32-bit seccomp return value. */
static uint32_t sim_exec(const struct sock_filter *p, size_t n,
                         const struct seccomp_data *d)
{
    uint32_t A = 0, X = 0, M[BPF_MEMWORDS];
    size_t pc = 0;
    memset(M, 0, sizeof M);
    while (pc < n) {
        const struct sock_filter *in = &p[pc++];
        uint32_t w;
        switch (in->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            /* native byte order, as the kernel reads the struct */
            memcpy(&w, (const char *)d + in->k, sizeof w);
            A = w;
            break;
        case BPF_LD | BPF_W | BPF_LEN: A = sizeof(struct seccomp_data); break;
        case BPF_LDX | BPF_W | BPF_LEN: X = sizeof(struct seccomp_data); break;
        case BPF_LD | BPF_IMM: A = in->k; break;
        case BPF_LDX | BPF_IMM: X = in->k; break;
        case BPF_LD | BPF_MEM: A = M[in->k]; break;
        case BPF_LDX | BPF_MEM: X = M[in->k]; break;
        case BPF_ST: M[in->k] = A; break;
        case BPF_STX: M[in->k] = X; break;
        case BPF_MISC | BPF_TAX: X = A; break;
        case BPF_MISC | BPF_TXA: A = X; break;
        case BPF_ALU | BPF_ADD | BPF_K: A += in->k; break;
        case BPF_ALU | BPF_ADD | BPF_X: A += X; break;
        case BPF_ALU | BPF_SUB | BPF_K: A -= in->k; break;
        case BPF_ALU | BPF_SUB | BPF_X: A -= X; break;
        case BPF_ALU | BPF_MUL | BPF_K: A *= in->k; break;
        case BPF_ALU | BPF_MUL | BPF_X: A *= X; break;
        case BPF_ALU | BPF_DIV | BPF_K: A /= in->k; break;
        case BPF_ALU | BPF_DIV | BPF_X:
            if (X == 0)
                return 0;  /* classic BPF: the program returns 0 */
            A /= X;
            break;
        case BPF_ALU | BPF_AND | BPF_K: A &= in->k; break;
        case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
        case BPF_ALU | BPF_OR | BPF_K: A |= in->k; break;
        case BPF_ALU | BPF_OR | BPF_X: A |= X; break;
        case BPF_ALU | BPF_XOR | BPF_K: A ^= in->k; break;
        case BPF_ALU | BPF_XOR | BPF_X: A ^= X; break;
        case BPF_ALU | BPF_LSH | BPF_K: A <<= in->k; break;
        /* the kernel runs classic BPF as eBPF, whose 32-bit shifts use
         * the count's low 5 bits */
        case BPF_ALU | BPF_LSH | BPF_X: A <<= (X & 31); break;
        case BPF_ALU | BPF_RSH | BPF_K: A >>= in->k; break;
        case BPF_ALU | BPF_RSH | BPF_X: A >>= (X & 31); break;
        case BPF_ALU | BPF_NEG: A = (uint32_t)0 - A; break;
        case BPF_JMP | BPF_JA: pc += in->k; break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += A == in->k ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JEQ | BPF_X: pc += A == X ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += A >= in->k ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JGE | BPF_X: pc += A >= X ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JGT | BPF_K: pc += A > in->k ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JGT | BPF_X: pc += A > X ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JSET | BPF_K: pc += (A & in->k) ? in->jt : in->jf; break;
        case BPF_JMP | BPF_JSET | BPF_X: pc += (A & X) ? in->jt : in->jf; break;
        case BPF_RET | BPF_K: return in->k;
        case BPF_RET | BPF_A: return A;
        default: return 0;  /* unreachable after sim_validate */
        }
    }
    return 0;
}

/* The return value of a program the kernel accepted (so valid) for d. */
uint32_t lsc_sim_run(const struct sock_filter *p, size_t n,
                     const struct seccomp_data *d)
{
    return sim_exec(p, n, d);
}

/* Push what the kernel does with return value ret: the action name and,
 * for errno, trace and trap, the data.  Unknown actions kill the process
 * (the default branch of __seccomp_filter()). */
static int sim_push_verdict(lua_State *L, uint32_t ret)
{
    uint32_t data = ret & SECCOMP_RET_DATA;
    switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW: lua_pushliteral(L, "allow"); return 1;
    case SECCOMP_RET_LOG: lua_pushliteral(L, "log"); return 1;
    case SECCOMP_RET_USER_NOTIF: lua_pushliteral(L, "notify"); return 1;
    case SECCOMP_RET_KILL_THREAD: lua_pushliteral(L, "kill_thread"); return 1;
    case SECCOMP_RET_ERRNO:
        lua_pushliteral(L, "errno");
        lua_pushinteger(L, data > LSC_MAX_ERRNO ? LSC_MAX_ERRNO : data);
        return 2;
    case SECCOMP_RET_TRACE:
        lua_pushliteral(L, "trace");
        lua_pushinteger(L, data);
        return 2;
    case SECCOMP_RET_TRAP:
        lua_pushliteral(L, "trap");
        lua_pushinteger(L, data);
        return 2;
    default:
        lua_pushliteral(L, "kill_process");
        return 1;
    }
}

/* Fill d->args from the optional table at idx (up to 6 integers).  The
 * kernel hands 32-bit architectures zero-extended registers, so their
 * arguments are cut to 32 bits. */
static void sim_check_args(lua_State *L, int idx, struct seccomp_data *d,
                           const char *op)
{
    int i, n;
    if (lua_isnoneornil(L, idx))
        return;
    lsc_check_table(L, idx, op, NULL, "arguments");
    n = (int)lua_rawlen(L, idx);
    if (n > 6)
        lsc_fail(L, op, "args", EINVAL, "at most 6 arguments");
    for (i = 0; i < n; i++) {
        uint64_t v;
        lua_rawgeti(L, idx, i + 1);
        v = lsc_check_u64(L, -1, op, NULL, "argument");
        lua_pop(L, 1);
        d->args[i] = v;
        if (!(d->arch & __AUDIT_ARCH_64BIT))
            d->args[i] &= 0xffffffffu;
    }
}

/* Whether a libseccomp architecture token (an AUDIT_ARCH value) is big
 * endian: libseccomp then exports the program in that byte order, and the
 * kernel there lays out seccomp_data in it. */
static int sim_big_endian(uint32_t token)
{
    return (token & __AUDIT_ARCH_LE) == 0;
}

static uint32_t sim_swap32(uint32_t x)
{
    return (x >> 24) | ((x >> 8) & 0xff00U) | ((x << 8) & 0xff0000U) | (x << 24);
}

/* A big-endian program and call, made readable here: each instruction's
 * code and k swapped, and seccomp_data laid out as that kernel does, so
 * that a 32-bit load reads the word it would read there (the high half of
 * a 64-bit field first). */
static void sim_to_big_endian(struct sock_filter *prog, size_t n,
                              struct seccomp_data *d)
{
    uint32_t w[sizeof *d / sizeof(uint32_t)];
    size_t i;
    for (i = 0; i < n; i++) {
        prog[i].code = (uint16_t)((prog[i].code >> 8) | (prog[i].code << 8));
        prog[i].k = sim_swap32(prog[i].k);
    }
    w[0] = (uint32_t)d->nr;
    w[1] = d->arch;
    w[2] = (uint32_t)(d->instruction_pointer >> 32);
    w[3] = (uint32_t)d->instruction_pointer;
    for (i = 0; i < 6; i++) {
        w[4 + 2 * i] = (uint32_t)(d->args[i] >> 32);
        w[5 + 2 * i] = (uint32_t)d->args[i];
    }
    memcpy(d, w, sizeof w);
}

/* Validate and run a BPF program given as a Lua string, encoded in the
 * byte order of `order_arch`; pushes the verdict.  Raises on a program the
 * kernel would refuse. */
static int sim_run_string(lua_State *L, const char *bpf, size_t len,
                          const struct seccomp_data *call, uint32_t order_arch,
                          const char *op)
{
    struct seccomp_data data = *call, *d = &data;
    struct sock_filter prog[BPF_MAXINSNS];
    const char *why;
    size_t n, bad = 0;
    char detail[96];
    if (len % sizeof(struct sock_filter) != 0)
        return lsc_fail(L, op, "bpf", EINVAL,
                        "length is not a whole number of instructions");
    n = len / sizeof(struct sock_filter);
    if (n > BPF_MAXINSNS)
        return lsc_fail(L, op, "bpf", E2BIG, "more than 4096 instructions");
    memcpy(prog, bpf, len);  /* aligned copy of the string's bytes */
    if (sim_big_endian(order_arch))
        sim_to_big_endian(prog, n, d);
    why = sim_validate(prog, n, &bad);
    if (why != NULL) {
        snprintf(detail, sizeof detail, "instruction %zu: %s", bad, why);
        return lsc_fail(L, op, "bpf", EINVAL, detail);
    }
    return sim_push_verdict(L, sim_exec(prog, n, d));
}

/* What the kernel puts in seccomp_data for a call on libseccomp's
 * architecture token d->arch. Every token is the AUDIT_ARCH value except
 * x32's: the kernel reports x32 calls as AUDIT_ARCH_X86_64 with
 * __X32_SYSCALL_BIT in the number (libseccomp's x32 names resolve to
 * numbers with the bit; a bare number gets it here). */
static void sim_kernel_view(struct seccomp_data *d)
{
    if (d->arch == SCMP_ARCH_X32) {
        d->arch = AUDIT_ARCH_X86_64;
        d->nr |= LSC_X32_SYSCALL_BIT;
    }
}

/* f:check(syscall[, args[, arch]]) -> action name[, data] */
static int l_check(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "check");
    struct seccomp_data d;
    const char *bpf, *name;
    size_t len;
    int nret;
    memset(&d, 0, sizeof d);
    d.arch = lua_isnoneornil(L, 4) ? SCMP_ARCH_NATIVE
                                   : lsc_check_arch(L, 4, "check");
    if (d.arch == SCMP_ARCH_NATIVE)
        d.arch = seccomp_arch_native();
    d.nr = lsc_check_syscall(L, 2, d.arch, "check", &name);
    if (d.nr < -1)  /* a libseccomp pseudo number (-1: a skipped call) */
        return lsc_fail(L, "check", name, EINVAL,
                        lsc_multiplexed_on(d.arch, name)
                        ? "multiplexed on this architecture (socketcall or "
                          "ipc): check the syscall by its number"
                        : "no such call on this architecture");
    sim_kernel_view(&d);
    sim_check_args(L, 3, &d, "check");
    lsc_export_bpf(L, f, "check");
    bpf = lua_tolstring(L, -1, &len);
    {
        uint32_t tokens[LSC_MAX_ARCHES];
        uint32_t order = lsc_filter_arches(f->ctx, tokens) > 0 ? tokens[0]
                                                              : d.arch;
        nret = sim_run_string(L, bpf, len, &d, order, "check");
    }
    lua_remove(L, -1 - nret);  /* the BPF string */
    return nret;
}

/* bpf_run(bpf, arch_token, nr[, args[, ip]]) -> action name[, data] */
static int l_bpf_run(lua_State *L)
{
    struct seccomp_data d;
    size_t len;
    const char *bpf = lsc_check_string(L, 1, "bpf_run", NULL, "program", &len);
    int64_t arch = lsc_check_range(L, 2, "bpf_run", NULL, "arch token", 0,
                                   (int64_t)UINT32_MAX);
    int64_t nr = lsc_check_range(L, 3, "bpf_run", NULL, "syscall number",
                                 INT32_MIN, INT32_MAX);
    memset(&d, 0, sizeof d);
    d.arch = (uint32_t)arch;
    d.nr = (int32_t)nr;
    sim_check_args(L, 4, &d, "bpf_run");
    if (!lua_isnoneornil(L, 5))
        d.instruction_pointer =
            lsc_check_u64(L, 5, "bpf_run", NULL, "instruction pointer");
    return sim_run_string(L, bpf, len, &d, d.arch, "bpf_run");
}

/* The numbers a Lua program needs to write or read seccomp BPF, from the
 * kernel headers: opcode parts, return actions, seccomp_data offsets. */
static void push_bpf_constants(lua_State *L)
{
#define K(name) { #name, name }
    static const struct { const char *name; lua_Integer value; } k[] = {
        K(BPF_LD), K(BPF_LDX), K(BPF_ST), K(BPF_STX), K(BPF_ALU), K(BPF_JMP),
        K(BPF_RET), K(BPF_MISC), K(BPF_W), K(BPF_H), K(BPF_B), K(BPF_IMM),
        K(BPF_ABS), K(BPF_IND), K(BPF_MEM), K(BPF_LEN), K(BPF_MSH),
        K(BPF_ADD), K(BPF_SUB), K(BPF_MUL), K(BPF_DIV), K(BPF_OR),
        K(BPF_AND), K(BPF_LSH), K(BPF_RSH), K(BPF_NEG), K(BPF_MOD),
        K(BPF_XOR), K(BPF_JA), K(BPF_JEQ), K(BPF_JGT), K(BPF_JGE),
        K(BPF_JSET), K(BPF_K), K(BPF_X), K(BPF_A), K(BPF_TAX), K(BPF_TXA),
        K(BPF_MEMWORDS), K(BPF_MAXINSNS),
        K(SECCOMP_RET_KILL_PROCESS), K(SECCOMP_RET_KILL_THREAD),
        K(SECCOMP_RET_TRAP), K(SECCOMP_RET_ERRNO), K(SECCOMP_RET_USER_NOTIF),
        K(SECCOMP_RET_TRACE), K(SECCOMP_RET_LOG), K(SECCOMP_RET_ALLOW),
        K(SECCOMP_RET_ACTION_FULL), K(SECCOMP_RET_DATA),
        { "OFFSET_NR", offsetof(struct seccomp_data, nr) },
        { "OFFSET_ARCH", offsetof(struct seccomp_data, arch) },
        { "OFFSET_IP", offsetof(struct seccomp_data, instruction_pointer) },
        { "OFFSET_ARGS", offsetof(struct seccomp_data, args) },
        { "SIZEOF_DATA", sizeof(struct seccomp_data) },
        { "SIZEOF_INSN", sizeof(struct sock_filter) },
    };
#undef K
    size_t i;
    lua_createtable(L, 0, (int)(sizeof k / sizeof k[0]));
    for (i = 0; i < sizeof k / sizeof k[0]; i++) {
        lua_pushinteger(L, k[i].value);
        lua_setfield(L, -2, k[i].name);
    }
}

const luaL_Reg lsc_simulate_functions[] = {
    {"bpf_run", l_bpf_run},
    {NULL, NULL}
};

const luaL_Reg lsc_simulate_methods[] = {
    {"check", l_check},
    {NULL, NULL}
};

const lsc_field lsc_simulate_fields[] = {
    {"bpf", push_bpf_constants},
    {NULL, NULL}
};

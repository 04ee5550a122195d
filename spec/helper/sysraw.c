/*
 * sysraw: test-only helper that makes raw system calls on request.
 *
 * The security specs load a filter in a child process and then exec this
 * program (filters survive exec), so the calls below run under the filter
 * exactly as written, with no libc wrapper rewriting their arguments.
 * It is built into build/sysraw and never installed.
 *
 *   sysraw [-o FILE] raw NR [A0..A5]    x86_64 `syscall`, full 64-bit arguments
 *   sysraw [-o FILE] int80 NR [A0..A5]  i386 ABI through `int $0x80`
 *   sysraw [-o FILE] x32 NR [A0..A5]    NR | __X32_SYSCALL_BIT
 *   sysraw [-o FILE] int80-socketcall CALL [A0..A5]
 *                                       i386 socketcall(CALL, args): the
 *                                       arguments as 32-bit words in memory
 *   sysraw const NAME...                print constants from the C headers
 *   sysraw thread                       create and join a thread
 *   sysraw thread-call NR [A0..A5]      a second thread makes the call
 *   sysraw sigreturn                    a signal handler returns
 *   sysraw sleep MS                     nanosleep
 *   sysraw batch IN OUT [START]         run the calls listed in IN
 *
 * An argument is a number (C syntax, may be negative), a constant name,
 * "@text" (a pointer to a copy of text, below 4 GiB for int80), or several
 * of these joined by '|', which are OR-ed: "AF_INET|0x100000000".
 *
 * Exit status of a single call: 0 when it returned >= 0, the errno when it
 * failed with errno 1..200, 201 for a larger errno (see -o), 202 for a usage
 * error, 203 when the helper itself could not run. -o FILE receives
 * "ret N" or "errno N".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/net.h>
#include <linux/seccomp.h>

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

#define EXIT_BIGERRNO 201
#define EXIT_USAGE 202
#define EXIT_SETUP 203

struct constant {
    const char *name;
    long long value;
};

#define C(x) { #x, (long long)(x) }
static const struct constant constants[] = {
    C(AF_UNIX), C(AF_INET), C(AF_INET6), C(AF_NETLINK), C(AF_PACKET),
    C(SOCK_STREAM), C(SOCK_DGRAM), C(SOCK_RAW), C(SOCK_CLOEXEC),
    C(SOCK_NONBLOCK),
    C(O_RDONLY), C(O_WRONLY), C(O_RDWR), C(O_CREAT), C(O_TRUNC),
    C(O_APPEND), C(O_CLOEXEC), C(O_EXCL), C(AT_FDCWD),
    C(F_GETFD), C(F_SETFD), C(F_GETFL), C(F_DUPFD), C(FD_CLOEXEC),
    C(SIGUSR1), C(SIGUSR2), C(SIGSYS), C(SIGSTOP), C(SIGCONT), C(SIGKILL),
    C(SIGTERM), C(SIGSEGV), C(SIGABRT), C(SIGALRM), C(SIGPIPE),
    C(PR_GET_NO_NEW_PRIVS), C(PR_GET_SECCOMP), C(PR_GET_DUMPABLE),
    C(__X32_SYSCALL_BIT), C(BPF_MAXINSNS),
    C(SECCOMP_RET_KILL_PROCESS), C(SECCOMP_RET_KILL_THREAD),
    C(SECCOMP_RET_TRAP), C(SECCOMP_RET_ERRNO), C(SECCOMP_RET_TRACE),
    C(SECCOMP_RET_LOG), C(SECCOMP_RET_ALLOW),
    C(EXIT_BIGERRNO), C(EXIT_USAGE), C(EXIT_SETUP),
    C(AUDIT_ARCH_I386), C(AUDIT_ARCH_X86_64), C(AUDIT_ARCH_ARM),
    C(AUDIT_ARCH_AARCH64), C(AUDIT_ARCH_MIPS), C(AUDIT_ARCH_MIPSEL),
    C(AUDIT_ARCH_MIPS64), C(AUDIT_ARCH_MIPSEL64), C(AUDIT_ARCH_MIPS64N32),
    C(AUDIT_ARCH_MIPSEL64N32), C(AUDIT_ARCH_PPC), C(AUDIT_ARCH_PPC64),
    C(AUDIT_ARCH_PPC64LE), C(AUDIT_ARCH_S390), C(AUDIT_ARCH_S390X),
    C(AUDIT_ARCH_PARISC), C(AUDIT_ARCH_PARISC64), C(AUDIT_ARCH_RISCV64),
    C(SYS_SOCKET), C(SYS_SOCKETPAIR),
    { NULL, 0 }
};
#undef C

/* Strings passed by "@text" live here: a static buffer of a non-PIE,
 * static binary sits below 4 GiB, so int80 can pass its address. */
static char strbuf[8192];
static size_t strused;

static int lookup(const char *name, long long *v)
{
    const struct constant *c;
    for (c = constants; c->name != NULL; c++) {
        if (strcmp(c->name, name) == 0) {
            *v = c->value;
            return 1;
        }
    }
    return 0;
}

static int parse_term(const char *s, size_t len, uint64_t *out)
{
    char tmp[256];
    char *end;
    long long v;

    if (len == 0 || len >= sizeof tmp)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (tmp[0] == '@') {
        if (strused + len > sizeof strbuf)
            return 0;
        memcpy(strbuf + strused, tmp + 1, len);  /* text and its NUL */
        *out = (uint64_t)(uintptr_t)(strbuf + strused);
        strused += len;
        return 1;
    }
    if (lookup(tmp, &v)) {
        *out = (uint64_t)v;
        return 1;
    }
    errno = 0;
    if (tmp[0] == '-')
        *out = (uint64_t)strtoll(tmp, &end, 0);
    else
        *out = (uint64_t)strtoull(tmp, &end, 0);
    return errno == 0 && *end == '\0';
}

/* "A|B|C": the OR of the terms. */
static int parse_value(const char *s, uint64_t *out)
{
    uint64_t acc = 0, v;
    const char *bar;

    for (;;) {
        bar = strchr(s, '|');
        if (!parse_term(s, bar ? (size_t)(bar - s) : strlen(s), &v))
            return 0;
        acc |= v;
        if (bar == NULL)
            break;
        s = bar + 1;
    }
    *out = acc;
    return 1;
}

static int parse_call(int argc, char **argv, uint64_t *nr, uint64_t a[6])
{
    int i;

    if (argc < 1 || argc > 7 || !parse_value(argv[0], nr))
        return 0;
    for (i = 0; i < 6; i++) {
        a[i] = 0;
        if (i + 1 < argc && !parse_value(argv[i + 1], &a[i]))
            return 0;
    }
    return 1;
}

/* x86_64 syscall instruction: returns the raw kernel value (-errno). */
static long raw_syscall(uint64_t nr, const uint64_t a[6])
{
    long ret;
    register uint64_t r10 __asm__("r10") = a[3];
    register uint64_t r8 __asm__("r8") = a[4];
    register uint64_t r9 __asm__("r9") = a[5];

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10),
                       "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* i386 ABI: eax, ebx, ecx, edx, esi, edi, ebp; the kernel sees 32 bits. */
static long int80_syscall(uint64_t nr, const uint64_t a[6])
{
    int ret;
    register uint64_t r8 __asm__("r8") = (uint32_t)a[5];

    __asm__ volatile("push %%rbp\n\t"
                     "mov %%r8d, %%ebp\n\t"
                     "int $0x80\n\t"
                     "pop %%rbp"
                     : "=a"(ret), "+r"(r8)
                     : "a"((uint32_t)nr), "b"((uint32_t)a[0]),
                       "c"((uint32_t)a[1]), "d"((uint32_t)a[2]),
                       "S"((uint32_t)a[3]), "D"((uint32_t)a[4])
                     : "r9", "r10", "r11", "memory");
    return ret;
}

/* The i386 socketcall number (arch/x86/entry/syscalls/syscall_32.tbl). */
#define I386_NR_SOCKETCALL 102

/* socketcall's argument block: 32-bit words in a static buffer, which
 * sits below 4 GiB in this non-PIE static binary. */
static uint32_t sockargs[6];

static long int80_socketcall(uint64_t call, const uint64_t a[6])
{
    uint64_t b[6] = { 0, 0, 0, 0, 0, 0 };
    int i;

    for (i = 0; i < 6; i++)
        sockargs[i] = (uint32_t)a[i];
    b[0] = call;
    b[1] = (uint64_t)(uintptr_t)sockargs;
    return int80_syscall(I386_NR_SOCKETCALL, b);
}

static int report(const char *out, long ret)
{
    char line[64];
    int fd, n;

    if (out != NULL) {
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return EXIT_SETUP;
        if (ret < 0 && ret > -4096)
            n = snprintf(line, sizeof line, "errno %ld\n", -ret);
        else
            n = snprintf(line, sizeof line, "ret %ld\n", ret);
        if (write(fd, line, (size_t)n) != n)
            return EXIT_SETUP;
        close(fd);
    }
    if (ret >= 0 || ret <= -4096)
        return 0;
    return -ret <= 200 ? (int)-ret : EXIT_BIGERRNO;
}

static int cmd_const(int argc, char **argv)
{
    long long v;
    int i;

    for (i = 0; i < argc; i++) {
        if (!lookup(argv[i], &v))
            return EXIT_USAGE;
        printf("%lld\n", v);
    }
    return 0;
}

static void *thread_noop(void *arg)
{
    return arg;
}

/* Thread creation as libc does it (clone3, then clone on ENOSYS). */
static int cmd_thread(void)
{
    pthread_t t;
    int rc = pthread_create(&t, NULL, thread_noop, NULL);

    if (rc != 0)
        return rc;
    pthread_join(t, NULL);
    return 0;
}

static uint64_t tc_nr, tc_args[6];
static volatile int tc_returned;

static void *thread_call(void *arg)
{
    raw_syscall(tc_nr, tc_args);
    tc_returned = 1;
    return arg;
}

/* 0: the calling thread ended at the call and this one lives on;
 * 1: the call returned. A process kill ends both. */
static int cmd_thread_call(int argc, char **argv)
{
    pthread_t t;

    if (!parse_call(argc, argv, &tc_nr, tc_args))
        return EXIT_USAGE;
    if (pthread_create(&t, NULL, thread_call, NULL) != 0)
        return EXIT_SETUP;
    pthread_join(t, NULL);
    return tc_returned ? 1 : 0;
}

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
    got_signal = sig;
}

/* The handler returns through rt_sigreturn. */
static int cmd_sigreturn(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return EXIT_SETUP;
    raise(SIGUSR1);
    return got_signal == SIGUSR1 ? 0 : EXIT_SETUP;
}

/* A stop/continue during this sleep resumes it through restart_syscall. */
static int cmd_sleep(const char *ms)
{
    struct timespec ts;
    long n = strtol(ms, NULL, 10);

    ts.tv_sec = n / 1000;
    ts.tv_nsec = (n % 1000) * 1000000L;
    return nanosleep(&ts, NULL) == 0 ? 0 : errno;
}

/* Batch mode: SIGSYS from a trap action is caught and its data kept. */
static volatile sig_atomic_t trapped;
static volatile int trap_data;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    trapped = 1;
    trap_data = si->si_errno;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return 0;
        s += w;
        n -= (size_t)w;
    }
    return 1;
}

static char *read_file(const char *path)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t r;

    if (buf == NULL || fd < 0)
        return NULL;
    for (;;) {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                return NULL;
            buf = nb;
        }
        r = read(fd, buf + len, cap - len - 1);
        if (r < 0)
            return NULL;
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    return buf;
}

/*
 * IN holds one call a line: "NR A0 A1 A2 A3 A4 A5" (decimal, may be
 * negative). OUT gets one line per call made, written before the next
 * call so a kill leaves every earlier result: "I ok RET", "I errno N" or
 * "I trap DATA", where I counts from 0 in IN. Calls before START are
 * skipped (a kill ended an earlier run there).
 */
static int cmd_batch(int argc, char **argv)
{
    struct sigaction sa;
    char *text, *line, *next, *tok, *save;
    char out[96];
    long start, idx = 0, ret;
    int fd, n, i;
    uint64_t nr, a[6];

    if (argc < 2)
        return EXIT_USAGE;
    start = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    text = read_file(argv[0]);
    fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (text == NULL || fd < 0)
        return EXIT_SETUP;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, NULL) != 0)
        return EXIT_SETUP;

    for (line = text; *line != '\0'; line = next, idx++) {
        next = strchr(line, '\n');
        if (next == NULL)
            next = line + strlen(line);
        else
            *next++ = '\0';
        if (idx < start)
            continue;
        tok = strtok_r(line, " ", &save);
        if (tok == NULL || !parse_value(tok, &nr))
            return EXIT_USAGE;
        for (i = 0; i < 6; i++) {
            tok = strtok_r(NULL, " ", &save);
            a[i] = 0;
            if (tok != NULL && !parse_value(tok, &a[i]))
                return EXIT_USAGE;
        }
        trapped = 0;
        ret = raw_syscall(nr, a);
        if (trapped)
            n = snprintf(out, sizeof out, "%ld trap %d\n", idx, trap_data);
        else if (ret < 0 && ret > -4096)
            n = snprintf(out, sizeof out, "%ld errno %ld\n", idx, -ret);
        else
            n = snprintf(out, sizeof out, "%ld ok %ld\n", idx, ret);
        if (!write_all(fd, out, (size_t)n))
            return EXIT_SETUP;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    uint64_t nr, a[6];

    if (argc >= 3 && strcmp(argv[1], "-o") == 0) {
        out = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 2)
        return EXIT_USAGE;
    if (strcmp(argv[1], "raw") == 0 || strcmp(argv[1], "int80") == 0 ||
        strcmp(argv[1], "x32") == 0) {
        if (!parse_call(argc - 2, argv + 2, &nr, a))
            return EXIT_USAGE;
        if (argv[1][0] == 'i')
            return report(out, int80_syscall(nr, a));
        if (argv[1][0] == 'x')
            nr |= __X32_SYSCALL_BIT;
        return report(out, raw_syscall(nr, a));
    }
    if (strcmp(argv[1], "int80-socketcall") == 0) {
        if (!parse_call(argc - 2, argv + 2, &nr, a))
            return EXIT_USAGE;
        return report(out, int80_socketcall(nr, a));
    }
    if (strcmp(argv[1], "const") == 0)
        return cmd_const(argc - 2, argv + 2);
    if (strcmp(argv[1], "thread") == 0)
        return cmd_thread();
    if (strcmp(argv[1], "thread-call") == 0)
        return cmd_thread_call(argc - 2, argv + 2);
    if (strcmp(argv[1], "sigreturn") == 0)
        return cmd_sigreturn();
    if (strcmp(argv[1], "sleep") == 0 && argc > 2)
        return cmd_sleep(argv[2]);
    if (strcmp(argv[1], "batch") == 0)
        return cmd_batch(argc - 2, argv + 2);
    return EXIT_USAGE;
}

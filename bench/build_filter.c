/*
 * build_filter.c: the C side of bench/build_bench.lua. Builds the filter
 * a rules file describes with libseccomp, as a C program would, and
 * prints how long it took, so the Lua side can be measured against it in
 * the same run.
 *
 *   build_filter FILE MODE BATCH
 *
 * MODE is "build" (create, set the defaults lua-seccomp sets, add every
 * rule, release), "load" (the same in a forked child that then loads the
 * filter) or "bpf" (build once and write the exported program to
 * stdout). With "-same" after the mode ("build-same", ...) the program
 * also makes the calls lua-seccomp makes beyond the rules as written: a
 * rule on a socket or SysV IPC call gets a companion rule on socketcall
 * or ipc for the sub-call (see mux_extra in src/rules.c), a rule that
 * would weaken there is added exact instead. "build" prints the CPU seconds per build, the mean of BATCH
 * builds; "load" prints the child's CPU seconds for one build and load.
 *
 * The file holds one line per item:
 *   default ACTION          the default action (libseccomp's value)
 *   optimize LEVEL          SCMP_FLTATR_CTL_OPTIMIZE
 *   rule ACTION NAME N [ARG OP A B]...
 *                           a rule with N comparators; OP is SCMP_CMP_*
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#define MAX_RULES 4096

typedef struct {
    uint32_t action;
    char name[64];
    unsigned int ncmp;
    struct scmp_arg_cmp cmp[6];
} rule;

static int same;  /* make lua-seccomp's companion rules too */
static uint32_t default_action;
static uint32_t optimize = 1;
static rule rules[MAX_RULES];
static size_t nrules;

static void die(const char *what)
{
    fprintf(stderr, "build_filter: %s\n", what);
    exit(2);
}

static void read_rules(const char *path)
{
    FILE *in = fopen(path, "r");
    char word[64];
    if (in == NULL)
        die("cannot open the rules file");
    while (fscanf(in, "%63s", word) == 1) {
        if (strcmp(word, "default") == 0) {
            if (fscanf(in, "%u", &default_action) != 1)
                die("bad default line");
        } else if (strcmp(word, "optimize") == 0) {
            if (fscanf(in, "%u", &optimize) != 1)
                die("bad optimize line");
        } else if (strcmp(word, "rule") == 0) {
            rule *r = &rules[nrules];
            unsigned int j;
            if (nrules == MAX_RULES)
                die("too many rules");
            if (fscanf(in, "%u %63s %u", &r->action, r->name, &r->ncmp) != 3 ||
                r->ncmp > 6)
                die("bad rule line");
            for (j = 0; j < r->ncmp; j++) {
                unsigned int arg, op;
                unsigned long long a, b;
                if (fscanf(in, "%u %u %llu %llu", &arg, &op, &a, &b) != 4)
                    die("bad comparator");
                r->cmp[j].arg = arg;
                r->cmp[j].op = (enum scmp_compare)op;
                r->cmp[j].datum_a = a;
                r->cmp[j].datum_b = b;
            }
            nrules++;
        } else {
            die("unknown line");
        }
    }
    fclose(in);
}

/* Sub-call numbers: SYS_* of <linux/net.h> and the ipc(2) calls. */
static const struct { const char *name; int ipc; unsigned int call; } subcalls[] = {
    {"socket", 0, 1}, {"bind", 0, 2}, {"connect", 0, 3}, {"listen", 0, 4},
    {"accept", 0, 5}, {"getsockname", 0, 6}, {"getpeername", 0, 7},
    {"socketpair", 0, 8}, {"send", 0, 9}, {"recv", 0, 10},
    {"sendto", 0, 11}, {"recvfrom", 0, 12}, {"shutdown", 0, 13},
    {"setsockopt", 0, 14}, {"getsockopt", 0, 15}, {"sendmsg", 0, 16},
    {"recvmsg", 0, 17}, {"accept4", 0, 18}, {"recvmmsg", 0, 19},
    {"sendmmsg", 0, 20},
    {"semop", 1, 1}, {"semget", 1, 2}, {"semctl", 1, 3},
    {"semtimedop", 1, 4}, {"msgsnd", 1, 11}, {"msgrcv", 1, 12},
    {"msgget", 1, 13}, {"msgctl", 1, 14}, {"shmat", 1, 21},
    {"shmdt", 1, 22}, {"shmget", 1, 23}, {"shmctl", 1, 24},
    {NULL, 0, 0}
};

static int strictness(uint32_t action)
{
    switch (action & 0xffff0000U) {
    case SCMP_ACT_KILL_PROCESS: return 7;
    case SCMP_ACT_KILL_THREAD: return 6;
    case SCMP_ACT_TRAP: return 5;
    case SCMP_ACT_ERRNO(0): return 4;
    case SCMP_ACT_NOTIFY: return 3;
    case SCMP_ACT_TRACE(0): return 2;
    case SCMP_ACT_LOG: return 1;
    default: return 0;
    }
}

static void add(scmp_filter_ctx ctx, const rule *r, int nr)
{
    int i, weak;
    for (i = 0; same && subcalls[i].name != NULL; i++)
        if (strcmp(subcalls[i].name, r->name) == 0)
            break;
    if (!same || subcalls[i].name == NULL) {
        if (seccomp_rule_add_array(ctx, r->action, nr, r->ncmp, r->cmp) != 0)
            die("seccomp_rule_add_array failed");
        return;
    }
    weak = r->ncmp > 0 && strictness(r->action) < strictness(default_action);
    if (weak) {
        if (seccomp_rule_add_exact_array(ctx, r->action, nr, r->ncmp, r->cmp) != 0)
            die("seccomp_rule_add_exact_array failed");
        return;
    }
    if (seccomp_rule_add_array(ctx, r->action, nr, r->ncmp, r->cmp) != 0 ||
        seccomp_rule_add(ctx, r->action,
                         seccomp_syscall_resolve_name(subcalls[i].ipc ? "ipc" : "socketcall"),
                         1, SCMP_A0(SCMP_CMP_MASKED_EQ, subcalls[i].ipc ? 0xffff : 0xffffffff,
                                    subcalls[i].call)) != 0)
        die("seccomp_rule_add_array failed");
}

/* What lua-seccomp does for the same filter: its defaults (see the
 * README), names resolved, one rule add each. */
static scmp_filter_ctx build(void)
{
    scmp_filter_ctx ctx = seccomp_init(default_action);
    size_t i;
    if (ctx == NULL)
        die("seccomp_init failed");
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) ||
        seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) ||
        seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) ||
        seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) ||
        seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, optimize))
        die("seccomp_attr_set failed");
    for (i = 0; i < nrules; i++) {
        const rule *r = &rules[i];
        int nr = seccomp_syscall_resolve_name(r->name);
        if (nr == __NR_SCMP_ERROR)
            die("unknown syscall");
        add(ctx, r, nr);
    }
    return ctx;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void mode_build(long batch)
{
    double t0 = cpu_seconds();
    long i;
    for (i = 0; i < batch; i++)
        seccomp_release(build());
    printf("%.9f\n", (cpu_seconds() - t0) / (double)batch);
}

/* In a child, since a loaded filter stays: build, load, report. */
static void mode_load(void)
{
    int fds[2];
    pid_t pid;
    int status;
    double t;
    if (pipe(fds) != 0)
        die("pipe failed");
    pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        double t0 = cpu_seconds();
        scmp_filter_ctx ctx = build();
        if (seccomp_load(ctx) != 0)
            _exit(3);
        t = cpu_seconds() - t0;
        if (write(fds[1], &t, sizeof t) != (ssize_t)sizeof t)
            _exit(4);
        _exit(0);
    }
    close(fds[1]);
    if (read(fds[0], &t, sizeof t) != (ssize_t)sizeof t)
        die("the loading child reported nothing");
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        die("the loading child failed");
    printf("%.9f\n", t);
}

static void mode_bpf(void)
{
    scmp_filter_ctx ctx = build();
    fflush(stdout);
    if (seccomp_export_bpf(ctx, STDOUT_FILENO) != 0)
        die("seccomp_export_bpf failed");
    seccomp_release(ctx);
}

int main(int argc, char **argv)
{
    long batch;
    char *mode;
    if (argc != 4)
        die("usage: build_filter FILE build|load|bpf[-same] BATCH");
    mode = argv[2];
    if (strlen(mode) > 5 && strcmp(mode + strlen(mode) - 5, "-same") == 0) {
        same = 1;
        mode[strlen(mode) - 5] = '\0';
    }
    read_rules(argv[1]);
    batch = strtol(argv[3], NULL, 10);
    if (batch < 1)
        die("BATCH must be positive");
    if (strcmp(mode, "build") == 0)
        mode_build(batch);
    else if (strcmp(mode, "load") == 0)
        mode_load();
    else if (strcmp(mode, "bpf") == 0)
        mode_bpf();
    else
        die("unknown mode");
    return 0;
}

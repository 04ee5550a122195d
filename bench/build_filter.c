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
 * stdout). "build" prints the CPU seconds per build, the mean of BATCH
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
        if (seccomp_rule_add_array(ctx, r->action, nr, r->ncmp, r->cmp) != 0)
            die("seccomp_rule_add_array failed");
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
    if (argc != 4)
        die("usage: build_filter FILE build|load|bpf BATCH");
    read_rules(argv[1]);
    batch = strtol(argv[3], NULL, 10);
    if (batch < 1)
        die("BATCH must be positive");
    if (strcmp(argv[2], "build") == 0)
        mode_build(batch);
    else if (strcmp(argv[2], "load") == 0)
        mode_load();
    else if (strcmp(argv[2], "bpf") == 0)
        mode_bpf();
    else
        die("unknown mode");
    return 0;
}

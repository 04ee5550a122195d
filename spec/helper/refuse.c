/*
 * refuse: test-only helper the report specs run under `lua-seccomp run`:
 * it tries, in the way MODE says, to survive a call the policy kills
 * (uname(2), made raw, so no libc wrapper can answer it from a cache).
 * It prints what happened after the call, which a supervised kill never
 * lets happen.  Built into build/refuse, never installed.
 *
 *   refuse call           make the call
 *   refuse handler        install a SIGSYS handler first
 *   refuse block          block SIGSYS first
 *   refuse ignore         ignore SIGSYS first
 *   refuse closeall       close every descriptor first (exit 42 if alive)
 *   refuse fork           a child makes the call; the parent says how it ended
 *   refuse thread         a second thread makes the call
 *   refuse open PATH      openat(AT_FDCWD, PATH, O_RDONLY)
 *   refuse later PIDFILE  write the pid to PIDFILE, sleep 3 s, make the call
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct utsname uts;

static long refused_call(void)
{
    return syscall(SYS_uname, &uts);
}

static void say(const char *s)
{
    ssize_t n = write(1, s, strlen(s));
    (void)n;
}

static void on_sigsys(int sig)
{
    (void)sig;
    say("handled\n");
}

static void *in_thread(void *arg)
{
    (void)arg;
    refused_call();
    say("thread survived\n");
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "call";
    char text[64];
    if (strcmp(mode, "handler") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigsys;
        sigaction(SIGSYS, &sa, NULL);
    } else if (strcmp(mode, "block") == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGSYS);
        sigprocmask(SIG_BLOCK, &set, NULL);
    } else if (strcmp(mode, "ignore") == 0) {
        signal(SIGSYS, SIG_IGN);
    } else if (strcmp(mode, "closeall") == 0) {
        int fd;
        for (fd = 0; fd < 1024; fd++)
            close(fd);
        refused_call();
        return 42;
    } else if (strcmp(mode, "fork") == 0) {
        int status;
        pid_t pid = fork();
        if (pid == 0) {
            refused_call();
            say("child survived\n");
            _exit(0);
        }
        waitpid(pid, &status, 0);
        snprintf(text, sizeof text, "child %s %d\n",
                 WIFSIGNALED(status) ? "signal" : "exit",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        say(text);
        return 0;
    } else if (strcmp(mode, "thread") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, in_thread, NULL);
        pthread_join(t, NULL);
    } else if (strcmp(mode, "open") == 0 && argc > 2) {
        long fd = syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY);
        snprintf(text, sizeof text, "open %ld %d\n", fd, fd < 0 ? errno : 0);
        say(text);
        return 0;
    } else if (strcmp(mode, "later") == 0 && argc > 2) {
        struct timespec ts = { 3, 0 };
        FILE *fh = fopen(argv[2], "w");
        if (fh == NULL)
            return 2;
        fprintf(fh, "%d\n", (int)getpid());
        fclose(fh);
        nanosleep(&ts, NULL);
    } else if (strcmp(mode, "call") != 0) {
        say("usage: refuse call|handler|block|ignore|closeall|fork|thread|open PATH|later FILE\n");
        return 2;
    }
    snprintf(text, sizeof text, "survived %ld %d\n", refused_call(), errno);
    say(text);
    return 0;
}

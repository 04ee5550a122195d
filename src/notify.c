/*
 * notify.c: seccomp user notification from Lua.
 *
 * A filter whose action is "notify" makes the kernel suspend the calling
 * thread and queue the call on a listener fd; a supervisor receives it,
 * decides, and responds with a value, an errno, or "continue" (run the
 * call as it is).  The fd is a plain integer so poll loops can wait on it.
 *
 * The listener is created by the load, in the process that loads; a few
 * small fd helpers here pass it to a supervising parent over a socketpair
 * (SCM_RIGHTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <linux/seccomp.h>

#include "lua_seccomp.h"


static int check_fd(lua_State *L, int idx, const char *op)
{
    return (int)lsc_check_range(L, idx, op, NULL, "fd", 0, INT32_MAX);
}

/* libseccomp folds ioctl failures into -ECANCELED; errno still holds the
 * kernel's reason, which is the useful one. */
static int notify_err(int rc)
{
    return errno != 0 ? errno : -rc;
}

/* f:notify_fd() -> integer fd of the listener created by f:load().  The
 * listener belongs to the process (closing the filter leaves it open). */
static int l_notify_fd(lua_State *L)
{
    lsc_filter *f = lsc_check_filter(L, 1, "notify_fd");
    if (f->notify_fd < 0)
        return lsc_fail(L, "notify_fd", "filter", EINVAL,
                        "no listener: load a filter that uses notify first");
    lua_pushinteger(L, f->notify_fd);
    return 1;
}

/* notify_receive(fd) -> { id, pid, flags, syscall, name, arch, ip, args }
 * or nil when the notification vanished before it could be read (the
 * target was killed or its call interrupted; wait again). */
static int l_notify_receive(lua_State *L)
{
    int fd = check_fd(L, 1, "notify_receive");
    struct seccomp_notif *req = NULL, got;
    char buf[LSC_NAME_MAX];
    const char *name;
    int rc, i, err;
    rc = seccomp_notify_alloc(&req, NULL);
    if (rc != 0)
        return lsc_fail(L, "notify_receive", "alloc", -rc, NULL);
    do {
        errno = 0;
        rc = seccomp_notify_receive(fd, req);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        err = notify_err(rc);
        seccomp_notify_free(req, NULL);
        if (err == ENOENT)
            return 0;
        return lsc_fail(L, "notify_receive", "fd", err, NULL);
    }
    got = *req;  /* nothing malloc'd is held while Lua may raise */
    seccomp_notify_free(req, NULL);
    req = &got;
    lua_createtable(L, 0, 8);
    lsc_push_id(L, req->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, req->pid);
    lua_setfield(L, -2, "pid");
    lua_pushinteger(L, req->flags);
    lua_setfield(L, -2, "flags");
    lua_pushinteger(L, req->data.nr);
    lua_setfield(L, -2, "syscall");
    lua_pushinteger(L, (lua_Integer)req->data.arch);
    lua_setfield(L, -2, "arch");
    lsc_push_u64(L, req->data.instruction_pointer);
    lua_setfield(L, -2, "ip");
    name = lsc_syscall_name(req->data.arch, req->data.nr, buf);
    if (name != NULL) {
        lua_pushstring(L, name);
        lua_setfield(L, -2, "name");
    }
    lua_createtable(L, 6, 0);
    for (i = 0; i < 6; i++) {
        lsc_push_u64(L, req->data.args[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "args");
    return 1;
}

/* notify_respond(fd, id, how) -> true, or false when the target no longer
 * waits (killed, or its call interrupted by a signal: it is notified
 * again when restarted).  how is "continue", { continue = true },
 * { errno = n or "ENAME" } or { value = n }; { continue = false } raises. */
static int l_notify_respond(lua_State *L)
{
    int fd = check_fd(L, 1, "notify_respond");
    uint64_t id = lsc_check_u64(L, 2, "notify_respond", NULL, "id");
    struct seccomp_notif_resp *resp = NULL;
    int64_t val = 0, err = 0;
    uint32_t flags = 0;
    int rc, kinds = 0;
    if (lua_type(L, 3) == LUA_TSTRING) {
        static const char *const continue_only[] = { "continue", NULL };
        lsc_check_option(L, 3, "notify_respond", NULL, "response", continue_only,
                         "expected \"continue\" or a table");
        flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        kinds = 1;
    } else {
        lsc_check_table(L, 3, "notify_respond", NULL, "response");
        if (lua_getfield(L, 3, "continue") != LUA_TNIL) {
            /* continue = false would send value 0: a faked success */
            if (lua_toboolean(L, -1) == 0)
                return lsc_fail(L, "notify_respond", "continue", EINVAL,
                                "continue must be true (to refuse, give an errno)");
            flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            kinds++;
        }
        if (lua_getfield(L, 3, "errno") != LUA_TNIL) {
            if (lua_type(L, -1) == LUA_TSTRING) {
                size_t len;
                const char *name = lua_tolstring(L, -1, &len);
                err = lsc_errno_value(name, len);
                if (err <= 0)
                    return lsc_fail(L, "notify_respond", lsc_to_subject(L, -1),
                                    EINVAL, "unknown errno name");
            } else {
                err = lsc_check_integer(L, -1, "notify_respond", NULL, "errno");
            }
            if (err < 1 || err > 4095)
                return lsc_fail(L, "notify_respond", "errno", ERANGE,
                                "errno must be 1..4095");
            kinds++;
        }
        if (lua_getfield(L, 3, "value") != LUA_TNIL) {
            val = (int64_t)lsc_check_u64(L, -1, "notify_respond", NULL, "value");
            kinds++;
        }
        lua_pop(L, 3);
    }
    if (kinds != 1)
        return lsc_fail(L, "notify_respond", "response", EINVAL,
                        "give exactly one of continue, errno, value");
    rc = seccomp_notify_alloc(NULL, &resp);
    if (rc != 0)
        return lsc_fail(L, "notify_respond", "alloc", -rc, NULL);
    resp->id = id;
    resp->val = val;
    resp->error = (int32_t)-err;
    resp->flags = flags;
    do {
        errno = 0;
        rc = seccomp_notify_respond(fd, resp);
    } while (rc != 0 && errno == EINTR);
    seccomp_notify_free(NULL, resp);
    if (rc != 0) {
        int e = notify_err(rc);
        if (e == ENOENT) {
            lua_pushboolean(L, 0);
            return 1;
        }
        return lsc_fail(L, "notify_respond", "fd", e, NULL);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* notify_id_valid(fd, id) -> whether the target still waits on id.
 * Check it after reading the target's memory and before acting on it. */
static int l_notify_id_valid(lua_State *L)
{
    int fd = check_fd(L, 1, "notify_id_valid");
    uint64_t id = lsc_check_u64(L, 2, "notify_id_valid", NULL, "id");
    int rc;
    errno = 0;
    rc = seccomp_notify_id_valid(fd, id);
    if (rc != 0) {
        int e = notify_err(rc);
        if (e != ENOENT)
            return lsc_fail(L, "notify_id_valid", "fd", e, NULL);
    }
    lua_pushboolean(L, rc == 0);
    return 1;
}

/* notify_poll(fd[, timeout_ms]) -> "ready" | "hangup" | "timeout".
 * "hangup" means no process uses the filter any more. */
static int l_notify_poll(lua_State *L)
{
    struct pollfd p;
    int64_t t = -1;
    int rc;
    p.fd = check_fd(L, 1, "notify_poll");
    p.events = POLLIN;
    p.revents = 0;
    if (!lua_isnoneornil(L, 2))
        t = lsc_check_range(L, 2, "notify_poll", NULL, "timeout", -1, INT32_MAX);
    do
        rc = poll(&p, 1, (int)t);
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return lsc_fail(L, "notify_poll", "fd", errno, NULL);
    if (rc == 0)
        lua_pushliteral(L, "timeout");
    else if (p.revents & POLLIN)
        lua_pushliteral(L, "ready");
    else if (p.revents & POLLNVAL)
        return lsc_fail(L, "notify_poll", "fd", EBADF, NULL);
    else
        lua_pushliteral(L, "hangup");
    return 1;
}

/* --- reading the waiting process's memory ------------------------------ */

/* Up to len bytes at addr in pid, never across a page boundary (a read
 * stops at the first unmapped page); the count read, or -1 with errno. */
static ssize_t read_remote(pid_t pid, int *memfd, uint64_t addr, char *buf,
                           size_t len)
{
    struct iovec local = { buf, len };
    struct iovec remote;
    ssize_t n;
    remote.iov_base = (void *)(uintptr_t)addr;
    remote.iov_len = len;
    if (*memfd < 0) {
        n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (n >= 0 || (errno != ENOSYS && errno != EPERM))
            return n;
        /* no process_vm_readv here: the same through /proc/PID/mem */
        {
            char path[32];
            snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
            *memfd = open(path, O_RDONLY | O_CLOEXEC);
            if (*memfd < 0)
                return -1;
        }
    }
    do
        n = pread(*memfd, buf, len, (off_t)addr);
    while (n < 0 && errno == EINTR);
    return n;
}

/* The NUL-terminated string at addr in process pid, which waits on
 * notification id of listener, into buf (cap >= 1 bytes, always
 * NUL-terminated): *len is its length, *truncated set when no NUL came
 * within cap - 1 bytes.  What it holds is the memory at the moment it was
 * read: another thread of the target may change it before or after.
 * The notification is checked to be still pending after the read, so the
 * bytes came from the process that made the call, not from a process that
 * reused its pid.  Returns 0, or an errno: ENOENT when the notification is
 * gone (the target was killed or its call interrupted), EFAULT when addr
 * is not readable, or the read's own. */
int lsc_notify_read_string(int listener, uint64_t id, pid_t pid,
                           uint64_t addr, char *buf, size_t cap, size_t *len,
                           int *truncated)
{
    static long page;
    size_t got = 0;
    int memfd = -1, err = 0;
    uint64_t at = addr;
    *len = 0;
    *truncated = 0;
    buf[0] = '\0';
    if (cap == 0)
        return EINVAL;
    if (page <= 0)
        page = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
    while (got + 1 < cap) {
        size_t want = (size_t)page - (size_t)(at % (uint64_t)page);
        ssize_t n;
        char *nul;
        if (want > cap - 1 - got)
            want = cap - 1 - got;
        n = read_remote(pid, &memfd, at, buf + got, want);
        if (n <= 0) {
            err = n == 0 || errno == EIO ? EFAULT : errno;
            break;
        }
        nul = memchr(buf + got, '\0', (size_t)n);
        if (nul != NULL) {
            got = (size_t)(nul - buf);
            break;
        }
        got += (size_t)n;
        at += (uint64_t)n;
        if (got + 1 >= cap)
            *truncated = 1;
    }
    if (memfd >= 0)
        close(memfd);
    buf[got] = '\0';
    *len = got;
    errno = 0;
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0)
        return errno != 0 ? errno : ENOENT;
    return err;
}

/* notify_read_string(fd, id, pid, addr[, max]) -> the NUL-terminated string
 * at addr in the process waiting on notification id, and whether it was
 * cut at max bytes (default 4096); or nil and the errno's name (ENOENT:
 * the notification is gone; EFAULT: addr is not readable).  See
 * lsc_notify_read_string: the text is what the memory held when read. */
static int l_notify_read_string(lua_State *L)
{
    int fd = check_fd(L, 1, "notify_read_string");
    uint64_t id = lsc_check_u64(L, 2, "notify_read_string", NULL, "id");
    pid_t pid = (pid_t)lsc_check_range(L, 3, "notify_read_string", NULL, "pid",
                                       1, INT32_MAX);
    uint64_t addr = lsc_check_u64(L, 4, "notify_read_string", NULL, "address");
    int64_t max = lua_isnoneornil(L, 5) ? 4096 :
        lsc_check_range(L, 5, "notify_read_string", NULL, "max", 1, 1 << 20);
    char *buf = (char *)lua_newuserdata(L, (size_t)max + 1);
    size_t len;
    int truncated, err;
    err = lsc_notify_read_string(fd, id, pid, addr, buf, (size_t)max + 1, &len,
                                 &truncated);
    if (err != 0) {
        const char *name = lsc_errno_name(err);
        lua_pushnil(L);
        if (name != NULL)
            lua_pushstring(L, name);
        else
            lua_pushinteger(L, err);
        return 2;
    }
    lua_pushlstring(L, buf, len);
    lua_pushboolean(L, truncated);
    return 2;
}

/* --- passing the listener to the supervisor ----------------------------- */

/* notify_socketpair() -> fd, fd (close-on-exec, datagram boundaries) */
static int l_notify_socketpair(lua_State *L)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return lsc_fail(L, "notify_socketpair", "socketpair", errno, NULL);
    lua_pushinteger(L, sv[0]);
    lua_pushinteger(L, sv[1]);
    return 2;
}

/* notify_send_fd(sock, fd): one sendmsg carrying fd (SCM_RIGHTS) and,
 * as data, its number in the sender (so the receiver can recognise the
 * sender closing it). */
static int l_notify_send_fd(lua_State *L)
{
    int sock = check_fd(L, 1, "notify_send_fd");
    int fd = check_fd(L, 2, "notify_send_fd");
    int32_t number = fd;
    struct iovec iov = { &number, sizeof number };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg;
    struct cmsghdr *c;
    ssize_t n;
    memset(&msg, 0, sizeof msg);
    memset(&u, 0, sizeof u);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return lsc_fail(L, "notify_send_fd", "sendmsg", errno, NULL);
    return 0;
}

/* notify_recv_fd(sock) -> fd (close-on-exec), its number in the sender */
static int l_notify_recv_fd(lua_State *L)
{
    int sock = check_fd(L, 1, "notify_recv_fd");
    int32_t number = -1;
    struct iovec iov = { &number, sizeof number };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr msg;
    struct cmsghdr *c;
    ssize_t n;
    int fd;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return lsc_fail(L, "notify_recv_fd", "recvmsg", errno, NULL);
    c = CMSG_FIRSTHDR(&msg);
    if (n != (ssize_t)sizeof number || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
        c == NULL || c->cmsg_level != SOL_SOCKET ||
        c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
        /* a malformed message may still carry descriptors: close them */
        for (; c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            size_t i, nfd;
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
                c->cmsg_len < CMSG_LEN(0))
                continue;
            nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (i = 0; i < nfd; i++) {
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                close(fd);
            }
        }
        return lsc_fail(L, "notify_recv_fd", "recvmsg", EPROTO,
                        "no file descriptor received");
    }
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    lua_pushinteger(L, fd);
    lua_pushinteger(L, number);
    return 2;
}

/* Whether fd is a seccomp listener: it knows the ioctl, and id 0 is not
 * pending (ENOENT). */
static int is_listener(int fd)
{
    uint64_t id = 0;
    return ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 || errno == ENOENT;
}

/* notify_take_fd(pid, fd[, timeout_ms]) -> a copy of the listener that
 * process pid will hold as fd once its filter is loaded (pidfd_getfd(2),
 * Linux 5.6; the caller needs ptrace access to pid, as a parent has to
 * its child).  Until fd exists it checks again every millisecond, up to
 * timeout_ms (default 10000); it fails when the process ends first or fd
 * is something else.  The target makes no call for the handover. */
static int l_notify_take_fd(lua_State *L)
{
    pid_t pid = (pid_t)lsc_check_range(L, 1, "notify_take_fd", NULL, "pid", 1,
                                       INT32_MAX);
    int target = check_fd(L, 2, "notify_take_fd");
    int64_t left = lua_isnoneornil(L, 3) ? 10000 :
        lsc_check_range(L, 3, "notify_take_fd", NULL, "timeout", 0, INT32_MAX);
    struct pollfd p;
    int pidfd, fd, err, rc;
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return lsc_fail(L, "notify_take_fd", "pidfd_open", errno, NULL);
    for (;;) {
        fd = (int)syscall(SYS_pidfd_getfd, pidfd, target, 0);
        if (fd >= 0) {
            if (is_listener(fd))
                break;
            close(fd);
            close(pidfd);
            return lsc_fail(L, "notify_take_fd", "fd", EPROTO,
                            "not a seccomp listener");
        }
        err = errno;
        if (err != EBADF) {
            close(pidfd);
            return lsc_fail(L, "notify_take_fd", "pidfd_getfd", err, NULL);
        }
        /* not loaded yet: wait a little, or until the process ends */
        p.fd = pidfd;
        p.events = POLLIN;
        p.revents = 0;
        rc = left-- > 0 ? poll(&p, 1, 1) : 0;
        if (rc < 0 && errno == EINTR)
            continue;
        if (left < 0 || rc != 0) {
            close(pidfd);
            return lsc_fail(L, "notify_take_fd", "fd", left < 0 ? ETIMEDOUT : ESRCH,
                            "the process did not load its filter");
        }
    }
    close(pidfd);
    lua_pushinteger(L, fd);
    return 1;
}

const luaL_Reg lsc_notify_functions[] = {
    {"notify_receive", l_notify_receive},
    {"notify_respond", l_notify_respond},
    {"notify_id_valid", l_notify_id_valid},
    {"notify_read_string", l_notify_read_string},
    {"notify_poll", l_notify_poll},
    {"notify_socketpair", l_notify_socketpair},
    {"notify_send_fd", l_notify_send_fd},
    {"notify_recv_fd", l_notify_recv_fd},
    {"notify_take_fd", l_notify_take_fd},
    {NULL, NULL}
};

const luaL_Reg lsc_notify_methods[] = {
    {"notify_fd", l_notify_fd},
    {NULL, NULL}
};

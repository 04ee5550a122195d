/*
 * export.c: a filter as PFC text or as the BPF program the kernel runs.
 * libseccomp 2.5 writes exports to a file descriptor, so they go through
 * an anonymous memory file and come back as Lua strings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lua_seccomp.h"

static int export_to_string(lua_State *L, lsc_filter *f, const char *op,
                            int (*writer)(const scmp_filter_ctx, int))
{
    luaL_Buffer b;
    int fd, rc, err;
    ssize_t got;
    lsc_ready(L, f, op);
    fd = memfd_create("seccomp-export", MFD_CLOEXEC);
    if (fd < 0)
        return lsc_fail(L, op, NULL, errno, "memfd_create failed");
    rc = writer(f->ctx, fd);
    if (rc < 0) {
        close(fd);
        return lsc_fail(L, op, NULL, -rc, NULL);
    }
    if (lseek(fd, 0, SEEK_SET) < 0) {
        err = errno;
        close(fd);
        return lsc_fail(L, op, NULL, err, "lseek failed");
    }
    luaL_buffinit(L, &b);
    do {
        char *p = luaL_prepbuffer(&b);
        got = read(fd, p, LUAL_BUFFERSIZE);
        if (got > 0)
            luaL_addsize(&b, (size_t)got);
    } while (got > 0 || (got < 0 && errno == EINTR));
    err = errno;
    close(fd);
    if (got < 0)
        return lsc_fail(L, op, NULL, err, "read failed");
    luaL_pushresult(&b);
    return 1;
}

int lsc_export_bpf(lua_State *L, lsc_filter *f, const char *op)
{
    return export_to_string(L, f, op, seccomp_export_bpf);
}

static int l_pfc(lua_State *L)
{
    return export_to_string(L, lsc_check_filter(L, 1, "pfc"), "pfc",
                            seccomp_export_pfc);
}

static int l_bpf(lua_State *L)
{
    return lsc_export_bpf(L, lsc_check_filter(L, 1, "bpf"), "bpf");
}

static const luaL_Reg export_methods[] = {
    {"pfc", l_pfc},
    {"bpf", l_bpf},
    {NULL, NULL}
};

void lsc_open_export(lua_State *L)
{
    luaL_setfuncs(L, export_methods, 0);
}

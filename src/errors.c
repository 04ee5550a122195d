/*
 * errors.c: one way to fail. Every error message names the operation,
 * its subject and the errno by name, e.g.
 *   seccomp: add(openat): Invalid argument (EINVAL): two comparators on argument 2
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lua_seccomp.h"

/* lsc_errnos (constants_gen.c) is the E table without its aliases: the
 * first name listed for a number is the one the kernel documents. */

const char *lsc_errno_name(int err)
{
    const lsc_const *e;
    for (e = lsc_errnos; e->name != NULL; e++)
        if (e->value == err)
            return e->name;
    return NULL;
}

/* name is matched whole: "EPERM\0x" is no errno name. */
int lsc_errno_value(const char *name, size_t len)
{
    const lsc_const *e;
    for (e = lsc_errnos; e->name != NULL; e++)
        if (strlen(e->name) == len && memcmp(e->name, name, len) == 0)
            return (int)e->value;
    return -1;
}

/* Subjects may come from users (syscall names with NUL bytes, say):
 * keep the message printable and bounded. */
static void push_printable(lua_State *L, const char *s, size_t len)
{
    char buf[96];
    size_t i, n = 0;
    for (i = 0; i < len && n < sizeof buf - 4; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[n++] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    if (i < len) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    lua_pushlstring(L, buf, n);
}

/* A user string with NUL bytes, as a subject: "open\0at", not "open". */
const char *lsc_push_subject(lua_State *L, const char *s, size_t len)
{
    luaL_Buffer b;
    size_t i;
    luaL_buffinit(L, &b);
    for (i = 0; i < len && i < 64; i++) {
        if (s[i] == '\0')
            luaL_addstring(&b, "\\0");
        else
            luaL_addchar(&b, s[i]);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

int lsc_fail(lua_State *L, const char *op, const char *subject, int err,
             const char *detail)
{
    const char *name = lsc_errno_name(err);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "seccomp: ");
    luaL_addstring(&b, op);
    if (subject != NULL) {
        luaL_addchar(&b, '(');
        push_printable(L, subject, strlen(subject));
        luaL_addvalue(&b);
        luaL_addchar(&b, ')');
    }
    luaL_addstring(&b, ": ");
    luaL_addstring(&b, strerror(err));
    if (name != NULL) {
        luaL_addstring(&b, " (");
        luaL_addstring(&b, name);
        luaL_addchar(&b, ')');
    }
    if (detail != NULL) {
        luaL_addstring(&b, ": ");
        luaL_addstring(&b, detail);
    }
    luaL_pushresult(&b);
    return lua_error(L);
}

/* errno_name(13) -> "EACCES"; errno_value("EACCES") -> 13 */
static int l_errno_name(lua_State *L)
{
    int64_t n = lsc_check_range(L, 1, "errno_name", NULL, "errno", 0, 65535);
    const char *name = lsc_errno_name((int)n);
    if (name == NULL)
        return lsc_fail(L, "errno_name", NULL, EINVAL, "unknown errno number");
    lua_pushstring(L, name);
    return 1;
}

static int l_errno_value(lua_State *L)
{
    size_t len;
    const char *name = lsc_check_string(L, 1, "errno_value", NULL, "errno name", &len);
    int v = lsc_errno_value(name, len);
    if (v < 0)
        return lsc_fail(L, "errno_value", lsc_to_subject(L, 1), EINVAL,
                        "unknown errno name");
    lua_pushinteger(L, v);
    return 1;
}

const luaL_Reg lsc_errors_functions[] = {
    {"errno_name", l_errno_name},
    {"errno_value", l_errno_value},
    {NULL, NULL}
};

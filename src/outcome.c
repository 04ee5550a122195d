/*
 * outcome.c: the shared record of how a child ended.
 *
 * A record is an anonymous MAP_SHARED page made before fork: it lets a
 * parent learn what its child did without any syscall in the child. The
 * child's Lua code (rec:finish) and the SIGSYS report handler (report.c,
 * through lsc_record_violation) write into it; the parent reads it after
 * wait.  The child claims the record; processes it forks later (a fork
 * handler notes it, no syscall needed) leave it alone, so what the parent
 * reads is the child's own story.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "lua_seccomp.h"

enum { REC_NONE, REC_RETURNED, REC_ERROR, REC_VIOLATION, REC_SETUP };

/* The shared page; its size is one page whatever the struct's. */
struct lsc_record {
    volatile sig_atomic_t state;
    volatile sig_atomic_t violated;  /* the handler filled nr..ip */
    volatile sig_atomic_t claimed;   /* one process writes from now on */
    int filling;                     /* a handler is filling nr..ip */
    int32_t nr;
    uint32_t arch;
    int32_t kill;                    /* LSC_END_KILL_PROCESS, ... */
    uint64_t args[6];
    uint64_t ip;
    int64_t values[2];
    char msg[3072];
};

typedef struct lsc_record_ud {
    lsc_record *rec;
} lsc_record_ud;

/* Where the report handler writes a violation; set before it is
 * installed, read only by it. */
static lsc_record *violation_rec;

/* The record this process claimed; a forked child is not its owner. */
static lsc_record *volatile owned_rec;
static int atfork_set;

static void outcome_atfork_child(void)
{
    owned_rec = NULL;
}

/* Whether this process may write record r. */
static int may_write(const lsc_record *r)
{
    return !r->claimed || r == owned_rec;
}

/* Async-signal-safe: only memory. The first thread to trap fills the
 * record; others leave it. */
void lsc_record_violation(int32_t nr, uint32_t arch, int kill,
                          const uint64_t args[6], uint64_t ip)
{
    lsc_record *r = violation_rec;
    int i;
    if (r == NULL || !may_write(r) ||
        __atomic_exchange_n(&r->filling, 1, __ATOMIC_SEQ_CST))
        return;
    r->nr = nr;
    r->arch = arch;
    r->kill = kill;
    for (i = 0; i < 6; i++)
        r->args[i] = args[i];
    r->ip = ip;
    r->violated = 1;
    /* a refusal after the code returned (at exit) keeps that state */
    if (r->state == REC_NONE)
        r->state = REC_VIOLATION;
}

void lsc_record_target(lsc_record *r)
{
    violation_rec = r;
}

/* A record, open or not; anything else raises in our format. */
static lsc_record_ud *to_record_ud(lua_State *L, int idx)
{
    lsc_record_ud *u = (lsc_record_ud *)luaL_testudata(L, idx,
                                                       LSC_RECORD_TYPE);
    if (u == NULL)
        lsc_fail(L, "record", NULL, EINVAL, lua_pushfstring(L,
                 "expected a seccomp.record, got %s", luaL_typename(L, idx)));
    return u;
}

static lsc_record_ud *check_record_ud(lua_State *L, int idx)
{
    lsc_record_ud *u = to_record_ud(L, idx);
    if (u->rec == NULL)
        lsc_fail(L, "record", "record", EBADF, "closed");
    return u;
}

lsc_record *lsc_check_record(lua_State *L, int idx)
{
    return check_record_ud(L, idx)->rec;
}

/* Makes this process the record's only writer (see rec:claim below). */
void lsc_record_claim(lua_State *L, lsc_record *r)
{
    if (!atfork_set) {
        int rc = pthread_atfork(NULL, NULL, outcome_atfork_child);
        if (rc != 0)
            lsc_fail(L, "record", "claim", rc, NULL);
        atfork_set = 1;
    }
    owned_rec = r;
    r->claimed = 1;
}

/* report_record() -> a shared record, to be made before fork. */
static int l_report_record(lua_State *L)
{
    lsc_record_ud *u = (lsc_record_ud *)lua_newuserdata(L, sizeof *u);
    void *p;
    u->rec = NULL;
    luaL_setmetatable(L, LSC_RECORD_TYPE);
    p = mmap(NULL, sizeof(lsc_record), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return lsc_fail(L, "report_record", "mmap", errno, NULL);
    u->rec = (lsc_record *)p;
    return 1;
}

static int l_record_close(lua_State *L)
{
    lsc_record_ud *u = to_record_ud(L, 1);
    if (u->rec != NULL) {
        if (violation_rec == u->rec)
            violation_rec = NULL;
        if (owned_rec == u->rec)
            owned_rec = NULL;
        munmap(u->rec, sizeof(lsc_record));
        u->rec = NULL;
    }
    return 0;
}

/* rec:claim(): from now on only this process writes the record: neither
 * rec:finish nor the SIGSYS handler writes it in a process forked later,
 * so a grandchild's end is not taken for the child's. */
static int l_record_claim(lua_State *L)
{
    lsc_record_claim(L, lsc_check_record(L, 1));
    return 0;
}

/* rec:finish(state[, message[, v1[, v2]]]) -> whether it wrote: state is
 * "returned" (the child's code returned), "error" (it raised) or "setup"
 * (the child could not even start it); v1 and v2 are two integers the
 * child reports.  Only writes memory: safe under any filter.  A process
 * forked after the record was claimed writes nothing. */
static int l_record_finish(lua_State *L)
{
    static const char *const states[] = { "returned", "error", "setup", NULL };
    static const int values[] = { REC_RETURNED, REC_ERROR, REC_SETUP };
    lsc_record_ud *u = check_record_ud(L, 1);
    int st = values[lsc_check_option(L, 2, "record", NULL, "state", states,
                                     "state is returned, error or setup")];
    size_t len = 0;
    const char *msg = lua_isnoneornil(L, 3) ? "" :
        lsc_check_string(L, 3, "record", NULL, "message", &len);
    if (!may_write(u->rec)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    u->rec->values[0] = lua_isnoneornil(L, 4) ? 0 :
        lsc_check_integer(L, 4, "record", NULL, "value");
    u->rec->values[1] = lua_isnoneornil(L, 5) ? 0 :
        lsc_check_integer(L, 5, "record", NULL, "value");
    if (len >= sizeof u->rec->msg)
        len = sizeof u->rec->msg - 1;
    memcpy(u->rec->msg, msg, len);
    u->rec->msg[len] = '\0';
    u->rec->state = st;
    lua_pushboolean(L, 1);
    return 1;
}

/* rec:read() -> { state = "none"|"returned"|"error"|"violation"|"setup",
 *                 message =, values = { v1, v2 },
 *                 syscall = nr, arch = token, args = {...}, ip = n,
 *                 action = "kill_process"|"kill_thread"|"trap" } */
static int l_record_read(lua_State *L)
{
    static const char *const states[] = { "none", "returned", "error",
                                          "violation", "setup" };
    lsc_record_ud *u = check_record_ud(L, 1);
    lsc_record *r = u->rec;
    int i, st = r->state;
    lua_createtable(L, 0, 5);
    lua_pushstring(L, states[st >= REC_NONE && st <= REC_SETUP ? st : 0]);
    lua_setfield(L, -2, "state");
    if (st != REC_NONE && st != REC_VIOLATION) {
        lua_pushlstring(L, r->msg, strnlen(r->msg, sizeof r->msg));
        lua_setfield(L, -2, "message");
        lua_createtable(L, 2, 0);
        lua_pushinteger(L, r->values[0]);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, r->values[1]);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, "values");
    }
    if (r->violated) {
        lua_pushinteger(L, r->nr);
        lua_setfield(L, -2, "syscall");
        lua_pushinteger(L, (lua_Integer)r->arch);
        lua_setfield(L, -2, "arch");
        lua_createtable(L, 6, 0);
        for (i = 0; i < 6; i++) {
            lsc_push_u64(L, r->args[i]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "args");
        lsc_push_u64(L, r->ip);
        lua_setfield(L, -2, "ip");
        lua_pushstring(L, r->kill == LSC_END_KILL_THREAD ? "kill_thread"
                          : r->kill == LSC_END_KILL_PROCESS ? "kill_process" : "trap");
        lua_setfield(L, -2, "action");
    }
    return 1;
}

const luaL_Reg lsc_outcome_functions[] = {
    {"report_record", l_report_record},
    {NULL, NULL}
};

const luaL_Reg lsc_record_methods[] = {
    {"claim", l_record_claim},
    {"finish", l_record_finish},
    {"read", l_record_read},
    {"close", l_record_close},
    {NULL, NULL}
};

/* One idempotent close for close, __gc and __close. */
const luaL_Reg lsc_record_meta[] = {
    {"__gc", l_record_close},
    {"__close", l_record_close},
    {NULL, NULL}
};

-- Defects of the C core found by review, each proven fixed: exports that
-- a related process or thread could corrupt, merges that gave rules to
-- fewer architectures than they seemed to, a listener on descriptor 0,
-- raw errno 0 actions, a handler that outlived its module, and errors in
-- the project's format. Filters are loaded in child processes only.
local seccomp = require "seccomp"
local core = require "seccomp.core"
local helpers = require "helpers"

-- Raw calls in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()

local SYS = seccomp.syscall
-- A program that allows every call: what a hostile process would put in
-- an export (BPF_RET | BPF_K, SECCOMP_RET_ALLOW).
local ALLOW_ALL = helpers.pack("<I2BBI4", 0x06, 0, 0, 0x7fff0000)

-- Process pid's descriptors that are export files, as a list.
local function export_fds(pid)
  local p = assert(io.popen("ls -l /proc/" .. pid .. "/fd 2>/dev/null"))
  local fds = {}
  for line in p:lines() do
    local fd = line:match(" (%d+) %-> /memfd:seccomp%-export")
    if fd then fds[#fds + 1] = tonumber(fd) end
  end
  p:close()
  return fds
end

local function export_files(pid) return #export_fds(pid) end

-- Compiles a host program: C that runs Lua states (src, with the Lua
-- headers and library); returns its path.
local function host_program(src)
  local dir = helpers.tmpname()
  assert(os.execute("mkdir -p " .. dir))
  helpers.write_file(dir .. "/host.c", src)
  local bin = dir .. "/host"
  assert(helpers.execute(("cc -O1 -pthread -I%s -o %s %s/host.c -l%s -ldl")
                         :format(helpers.LUA_INCDIR, bin, dir, helpers.LUA_LIB)), "cc failed")
  return bin, dir
end

-- Runs a host program with the module paths of this run; exit status and
-- its output (stdout and stderr).
local function run_host(bin)
  local p, close = helpers.popen(("LUA_PATH='%s' LUA_CPATH='%s' %s 2>&1"):format(
    package.path, package.cpath, bin))
  local out = p:read("*a")
  local ok, how, code = close()
  return out, ok, how, code
end

describe("exports", function()
  it("a forked child holds no export file of its parent's", function()
    local r = helpers.child(function(send)
      seccomp.filter("allow")  -- the export file exists
      send(("parent %d\n"):format(export_files(lraw.getpid())))
      local inner = helpers.child(function(send2)
        send2(("child %d"):format(export_files(lraw.getpid())))
      end)
      send(inner.output)
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("parent 1\nchild 0", r.output)
  end)

  it("a forked child closes the file even under a filter that kills pread", function()
    local r = helpers.child(function(send)
      seccomp.filter("allow")
      local fd = export_fds(lraw.getpid())[1]
      local f = seccomp.filter("allow")
      f:add("kill", "pread64")
      f:load()
      local pr, pw = core.pipe()
      local ready_r, ready_w = core.pipe()
      local pid = core.fork()
      if pid == 0 then
        core.close_fd(pw)
        core.close_fd(ready_r)
        core.close_fd(ready_w)  -- past fork: the fork handlers have run
        core.read(pr)  -- until the parent has looked
        core.exit(0)
      end
      core.close_fd(pr)
      core.close_fd(ready_w)
      core.read(ready_r)
      local h = io.open(("/proc/%d/fd/%d"):format(pid, fd))
      send(h and "open" or "closed")
      if h then h:close() end
      core.close_fd(pw)
      send(" " .. table.concat({ core.wait(pid) }, " "))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("closed exit 0", r.output)
  end)

  it("a forked child keeps a descriptor the program put where the export file was", function()
    local r = helpers.child(function(send)
      seccomp.filter("allow")
      local fd = export_fds(lraw.getpid())[1]
      core.close_fd(fd)
      local _, w = core.pipe()
      core.dup2(w, fd)
      local inner = helpers.child(function(send2)
        send2(tostring((pcall(core.write, fd, "x"))))
      end)
      send(inner.output)
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("true", r.output)
  end)

  it("a sandboxed child writing into every descriptor cannot change what its parent exports or loads", function()
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "acct")
      f:load()
      local g = seccomp.filter("kill")
      g:allow { "read" }
      local ref = g:bpf()
      local fds = export_fds(lraw.getpid())
      local pid = core.fork()
      if pid == 0 then  -- hostile: rewrites its parent's export files
        while true do
          for _, fd in ipairs(fds) do
            lraw.syscall_raw(SYS("ftruncate"), fd, 0)
            pcall(core.write, fd, ALLOW_ALL)
          end
        end
      end
      local wrong, failed = 0, 0
      for _ = 1, 2000 do  -- a new filter each time: an export, not a kept copy
        local h = seccomp.filter("kill")
        h:allow { "read" }
        local ok, b = pcall(h.bpf, h)
        if not ok then failed = failed + 1 elseif b ~= ref then wrong = wrong + 1 end
        h:close()
      end
      -- loads in siblings: each must enforce its own rule
      local leaked = 0
      for _ = 1, 40 do
        local q = helpers.child(function()
          local h = seccomp.filter("allow")
          h:add(seccomp.errno("EPERM"), "getppid")
          h:load()
          local _, e = lraw.syscall_raw(SYS("getppid"))
          return e == seccomp.errno_value("EPERM") and 0 or 42
        end)
        if not helpers.exited(q, 0) then leaked = leaked + 1 end
      end
      core.kill(pid, helpers.SIGKILL)
      core.wait(pid)
      send(("wrong %d failed %d leaked %d"):format(wrong, failed, leaked))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("wrong 0 failed 0 leaked 0", r.output)
  end)

  it("a child whose inherited filter kills memfd_create gets an error naming it, not SIGSYS", function()
    local r = helpers.child(function(send)
      seccomp.pledge("stdio proc")
      local inner = helpers.child(function(send2)
        local ok, err = pcall(function() seccomp.filter("kill"):allow { "read" }:bpf() end)
        send2(tostring(ok) .. " " .. tostring(err))
      end)
      send(helpers.describe(inner))
    end)
    helpers.assert_exit(0, r)
    assert.matches("^exit 0 output: false seccomp: .*Operation not permitted %(EPERM%): "
                   .. "memfd_create failed %(a process exports through a file of its own", r.output)
  end)

  it("export without fstat once a filter refuses it, and name memfd_create when that fails", function()
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      local fd = export_fds(lraw.getpid())[1]
      f:add(seccomp.errno("EPERM"), { "fstat", "newfstatat", "statx" })
      f:load()
      local g = seccomp.filter("kill")
      g:allow { "read" }
      send(("%d\n"):format(#g:bpf()))
      local h = seccomp.filter("allow")
      h:add(seccomp.errno("EPERM"), "memfd_create")
      h:load()
      core.close_fd(fd)  -- the export file: the next one must be made
      core.dup2(1, fd)   -- something else under its number
      local g2 = seccomp.filter("kill")  -- a new export, not one kept from before
      g2:allow { "write" }
      local ok, err = pcall(g2.bpf, g2)
      send(tostring(ok) .. " " .. tostring(err))
    end)
    helpers.assert_exit(0, r)
    assert.matches("^%d+\nfalse seccomp: bpf: Operation not permitted %(EPERM%): memfd_create failed", r.output)
  end)

  it("threads with a Lua state each export their own program", function()
    local bin, dir = host_program([[
#include <pthread.h>
#include <stdio.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
static const char *code =
  "local seccomp = require 'seccomp'\n"
  "local n = ... == 1 and 3 or 40\n"
  "local names = {}\n"
  "for i = 1, 40 do names[i] = i end\n"
  "local bad, ref = 0\n"
  "for i = 1, 1500 do\n"
  "  local f = seccomp.filter('kill')\n"
  "  for k = 1, n do f:add('allow', names[k]) end\n"
  "  local ok, b = pcall(f.bpf, f)\n"
  "  ref = ref or b\n"
  "  if not ok or b ~= ref then bad = bad + 1 end\n"
  "  f:close()\n"
  "end\n"
  "return bad\n";
static void *run(void *arg)
{
    long which = (long)arg;
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (luaL_loadstring(L, code) != 0)
        return NULL;
    lua_pushinteger(L, which);
    if (lua_pcall(L, 1, 1, 0) != 0)
        printf("thread %ld raised %s\n", which, lua_tostring(L, -1));
    else
        printf("thread %ld wrong %d\n", which, (int)lua_tointeger(L, -1));
    lua_close(L);
    return NULL;
}
int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, run, (void *)1L);
    pthread_create(&b, NULL, run, (void *)2L);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
]])
    local out = run_host(bin)
    os.execute("rm -rf " .. dir)
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    table.sort(lines)
    assert.are.same({ "thread 1 wrong 0", "thread 2 wrong 0" }, lines)
  end)
end)

describe("merges", function()
  local MERGED = "Operation not permitted %(EPERM%): the filter has merged rules, and merged rules "
                 .. "apply to the source filter's architectures only; add architectures before merging"

  -- A destination on x86 only and a source on x86_64 that kills ptrace.
  local function merged()
    local src = seccomp.filter("allow")
    src:add("kill", "ptrace")
    local dst = seccomp.filter("allow")
    dst:arch_add("x86")
    dst:arch_remove("native")
    dst:merge(src)
    return dst
  end

  it("refuse architecture changes after a merge, which would not get the merged rules", function()
    local f = merged()
    local ok, err = pcall(f.arch_add, f, "aarch64")
    assert.is_false(ok)
    assert.matches("^seccomp: arch_add%(aarch64%): " .. MERGED .. "$", err)
    ok, err = pcall(f.arch_remove, f, "x86")
    assert.is_false(ok)
    assert.matches("^seccomp: arch_remove%(x86%): " .. MERGED .. "$", err)
    assert.are.same({ "x86", "x86_64" }, f:arches())
    -- the merged kill holds on the source's architecture, in the kernel
    local r = helpers.child(function()
      f:load()
      lraw.syscall_raw(SYS("ptrace"), 0, 0, 0, 0)
    end)
    helpers.assert_sigsys(r)
  end)

  it("refuse a source whose attributes differ, naming the attribute", function()
    for _, case in ipairs {
      { "log", true }, { "badarch_action", seccomp.errno("EPERM") }, { "tsync", false },
      { "no_new_privs", false },
    } do
      local src = seccomp.filter("kill")
      src:arch_add("aarch64")
      src:arch_remove("native")
      src:set(case[1], case[2])
      local dst = seccomp.filter("kill")
      local ok, err = pcall(dst.merge, dst, src)
      assert.is_false(ok)
      assert.are.equal("seccomp: merge(" .. case[1] .. "): Invalid argument (EINVAL): the source "
                       .. "filter's attribute differs, and the merged filter would keep only this "
                       .. "one's; set it the same on both first", err)
      assert.is_true(src:is_open())
      dst:set(case[1], case[2])
      dst:merge(src)
      assert.are.equal(case[2], dst:get(case[1]))
    end
  end)

  it("replay in recorded order: an attribute set after a merge survives a refused rule", function()
    local src = seccomp.filter("kill")
    src:arch_add("x86")
    src:arch_remove("native")
    src:add("allow", "read")
    local f = seccomp.filter("kill")
    f:merge(src)
    f:set("tsync", false)
    f:allow { "write" }
    local before = f:pfc()
    local ok = pcall(f.add, f, "allow", 5000)  -- libseccomp refuses: rebuilt from the record
    assert.is_false(ok)
    assert.are.equal("seccomp.filter (kill_process, 2 rules)", tostring(f))
    assert.is_false(f:get("tsync"))
    assert.are.equal(before, f:pfc())
  end)

  it("a priority given before an architecture reaches that architecture too", function()
    local function pfc(priority_first)
      local f = seccomp.filter("kill")
      if priority_first then
        f:priority("write", 255)
        f:arch_add("x86")
      else
        f:arch_add("x86")
        f:priority("write", 255)
      end
      f:allow { "read", "close", "write" }
      return f:pfc()
    end
    assert.are.equal(pfc(false), pfc(true))
  end)
end)

describe("loads and actions", function()
  it("a notify listener on descriptor 0 is the filter's listener", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    local r = helpers.child(function(send)
      core.close_fd(0)  -- a daemon without stdin: the listener lands on 0
      f:load()
      send(tostring(f:notify_fd()))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("0", r.output)
  end)

  it("refuse the raw action errno 0 wherever an action is taken", function()
    local RAW = "Invalid argument (EINVAL): the raw action errno 0 fakes success; "
                .. "use seccomp.errno(0, { zero = true }) to mean it"
    local raw = seccomp.SCMP_ACT_ERRNO_BASE
    local f = seccomp.filter("allow")
    for _, case in ipairs {
      { "add", function() f:add(raw, "unlinkat") end },
      { "filter", function() seccomp.filter(raw) end },
      { "set", function() f:set("badarch_action", raw) end },
      { "reset", function() f:reset(raw) end },
      { "action", function() seccomp.action(raw) end },
    } do
      local ok, err = pcall(case[2])
      assert.is_false(ok)
      assert.are.equal("seccomp: " .. case[1] .. ": " .. RAW, err)
    end
    assert.are.equal(0, f:rule_count())
    -- the value errno(0, { zero = true }) returns means it, and round-trips
    local zero = seccomp.errno(0, { zero = true })
    assert.are_not.equal(raw, zero)
    assert.are.same({ "errno", 0 }, { seccomp.action_name(zero) })
    local g = seccomp.filter(zero)
    assert.are.equal(zero, g:get("default_action"))
    f:set("badarch_action", zero)
    assert.are.equal(zero, f:get("badarch_action"))
    f:add(zero, "unlinkat")
    local r = helpers.child(function(send)
      f:load()
      local ret, e = lraw.syscall_raw(SYS("unlinkat"), -100, 0, 0)
      send(ret .. " " .. e)
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("0 0", r.output)
  end)
end)

describe("the SIGSYS report", function()
  it("keeps its module loaded while its handler is installed, past lua_close", function()
    local bin, dir = host_program([[
#include <signal.h>
#include <stdio.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
int main(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (luaL_dostring(L, "require('seccomp.core').report_install({}, 2)") != 0) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        return 1;
    }
    lua_close(L);
    raise(SIGSYS);  /* not a seccomp trap: the handler ends the process by SIGSYS */
    return 0;
}
]])
    local r = helpers.child(function()
      core.execv(bin, { bin })
    end)
    os.execute("rm -rf " .. dir)
    helpers.assert_sigsys(r)
  end)
end)

describe("arguments", function()
  it("execv refuses an argument with a NUL byte, which would be cut short", function()
    local r = helpers.child(function(send)  -- in a child: an exec would replace it
      local ok, err = pcall(core.execv, "/bin/true", { "true", "a\0b" })
      send(tostring(ok) .. " " .. tostring(err))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("false seccomp: execv(/bin/true): Invalid argument (EINVAL): argument contains a NUL byte",
                     r.output)
  end)

  it("refuse NUL bytes in names, with the name as written", function()
    for _, case in ipairs {
      { function() seccomp.errno_value("EACCES\0x") end, "errno_value%(EACCES\\0x%)" },
      { function() core.notify_respond(999, 1, "continue\0deny") end, "notify_respond%(continue\\0deny%)" },
      { function() core.notify_respond(999, 1, { errno = "EPERM\0junk" }) end, "notify_respond%(EPERM\\0junk%)" },
      { function() core.setrlimit("nofile\0x", 1024, 1024) end, "setrlimit%(nofile\\0x%)" },
      { function() seccomp.filter("kill"):add("allow", "read", { arg = 0, op = "eq\0x", a = 1 }) end, "add%(read%)" },
    } do
      local ok, err = pcall(case[1])
      assert.is_false(ok)
      assert.matches("^seccomp: " .. case[2] .. ": Invalid argument %(EINVAL%)", err)
    end
  end)

  it("a 64-bit ne on a filter with a 32-bit architecture is refused, saying to use arg32", function()
    local f = seccomp.filter("allow")
    f:arch_add("x86")
    local ok, err = pcall(f.add, f, seccomp.errno("EPERM"), "getpriority", seccomp.arg(1):ne(5))
    assert.is_false(ok)
    assert.are.equal("seccomp: add(getpriority): Invalid argument (EINVAL): arg(1):ne compares all 64 "
                     .. "bits, which the filter's x86 architecture cannot write; use arg32(1):ne for "
                     .. "int arguments", err)
    -- what arg32 writes holds on both ABIs, in the kernel
    f:add(seccomp.errno("EPERM"), "getpriority", seccomp.arg32(1):ne(5))
    local PRIO_PROCESS = 0
    for _, case in ipairs { { "raw", SYS("getpriority") }, { "int80", seccomp.syscall("getpriority", "x86") } } do
      local r = helpers.sysraw(function() f:load() end, case[1], case[2], PRIO_PROCESS, 0)
      assert.is_true(helpers.exited(r, seccomp.errno_value("EPERM")), helpers.describe(r))
      r = helpers.sysraw(function() f:load() end, case[1], case[2], PRIO_PROCESS, 5)
      assert.is_false(helpers.exited(r, seccomp.errno_value("EPERM")), helpers.describe(r))
    end
  end)
end)

describe("errors", function()
  it("are in the project's format, naming the operation", function()
    local rec = core.report_record()
    for _, case in ipairs {
      { function() rec.read(seccomp.filter("kill")) end,
        "seccomp: record: Invalid argument (EINVAL): expected a seccomp.record, got userdata" },
      { function() rec:finish("returned", {}) end,
        "seccomp: record: Invalid argument (EINVAL): message must be a string, got table" },
      { function() core.report_install(5, 1) end,
        "seccomp: report_install: Invalid argument (EINVAL): hints must be a table, got number" },
      { function() core.bpf_run(ALLOW_ALL, 0, 0, 5) end,
        "seccomp: bpf_run: Invalid argument (EINVAL): arguments must be a table, got number" },
      { function() seccomp.filter("kill"):check("open", {}, "aarch64") end,
        "seccomp: check(open): Invalid argument (EINVAL): no such call on this architecture" },
      { function() seccomp.filter("kill"):check("socket", {}, "x86") end,
        "seccomp: check(socket): Invalid argument (EINVAL): multiplexed on this architecture "
        .. "(socketcall or ipc): check the syscall by its number" },
    } do
      local ok, err = pcall(case[1])
      assert.is_false(ok)
      assert.are.equal(case[2], err)
    end
    rec:close()
    -- __tostring takes the filter alone
    local f = seccomp.filter("kill")
    assert.are.equal("seccomp.filter (kill_process, 0 rules)", getmetatable(f).__tostring(f, "BOGUS"))
  end)
end)

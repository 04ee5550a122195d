-- The limits README.md states, shown in the kernel: writing a mapped file
-- rewrites code without prot_exec, and the report handler takes a SIGSYS
-- the process queues to itself for a trap, while another process cannot
-- queue one.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local helpers = require "helpers"

local SIGSYS = helpers.SIGSYS
local PROT, MAP, O, AT, E = seccomp.PROT, seccomp.MAP, seccomp.O, seccomp.AT, seccomp.E

local function nr(name) return seccomp.syscall(name) end

-- The address of a new page holding `bytes`: the kernel copies them in
-- (read(2) from a pipe), so raw calls can take pointers to them.
local function page_with(bytes)
  local addr = lraw.syscall_raw(nr "mmap", 0, 4096, compat.bor(PROT.READ, PROT.WRITE),
                                compat.bor(MAP.PRIVATE, MAP.ANONYMOUS), -1, 0)
  assert(addr > 0, "mmap failed")
  local r, w = core.pipe()
  core.write(w, bytes)
  core.close_fd(w)
  local n = lraw.syscall_raw(nr "read", r, addr, #bytes)
  core.close_fd(r)
  assert(n == #bytes, "read into the page failed")
  return addr
end

-- A siginfo_t (128 bytes, x86_64) for SIGSYS with si_code SYS_SECCOMP (1),
-- naming syscall `call` on the native architecture.
local function seccomp_siginfo(call)
  local info = helpers.pack("<i4i4i4i4I8i4I4", SIGSYS, 0, 1, 0, 0, nr(call),
                           seccomp.arch_token(seccomp.arch_native()))
  return info .. ("\0"):rep(128 - #info)
end

describe("limits: forged seccomp SIGSYS", function()
  it("a SIGSYS the process queues to itself with si_code SYS_SECCOMP is reported as a kill", function()
    local r = helpers.child(function()
      local f = seccomp.filter("allow")
      f:add("kill", "ptrace")
      f:load { report = "signal" }  -- the SIGSYS handler's mode (spec/67: the supervisor's)
      local info = page_with(seccomp_siginfo("getppid"))
      lraw.syscall_raw(nr "rt_sigqueueinfo", lraw.getpid(), SIGSYS, info)
      return 3
    end, 2)
    -- getppid is allowed, yet the handler names it and the process dies.
    helpers.assert_sigsys(r)
    assert.matches("^seccomp: killed: getppid%(", r.output)
  end)

  it("another process cannot queue a SIGSYS with si_code SYS_SECCOMP (EPERM)", function()
    local r = helpers.child(function()
      local target = core.fork()
      if target == 0 then
        while true do lraw.syscall_raw(nr "pause") end
      end
      local info = page_with(seccomp_siginfo("getppid"))
      local ret, err = lraw.syscall_raw(nr "rt_sigqueueinfo", target, SIGSYS, info)
      core.kill(target, helpers.SIGKILL)
      local how, code = core.wait(target)
      if ret ~= -1 then return 4 end
      if how ~= "signal" or code ~= helpers.SIGKILL then return 5 end
      return err
    end)
    helpers.assert_exit(E.EPERM, r)
  end)
end)

describe("limits: wpath rewrites code through a mapped file", function()
  local dir, so, offset
  local OLD, NEW = 0x11223344, 0x55667788

  setup(function()
    dir = helpers.tmpname()
    assert(os.execute("mkdir -p " .. dir))
    helpers.write_file(dir .. "/answer.c", ([[
#include <lua.h>
static int answer(lua_State *L) { lua_pushinteger(L, 0x%x); return 1; }
int luaopen_answer(lua_State *L);
int luaopen_answer(lua_State *L) { lua_pushcfunction(L, answer); return 1; }
]]):format(OLD))
    so = dir .. "/answer.so"
    assert(os.execute(("cc -O2 -shared -fPIC -I%s -o %s %s/answer.c"):format(helpers.LUA_INCDIR, so, dir)))
    -- The immediate operand in the function's machine code, found once.
    local image = helpers.read_file(so)
    local old = helpers.pack("<I4", OLD)
    offset = assert(image:find(old, 1, true), "constant not in the code") - 1
    assert(not image:find(old, offset + 2, true), "constant twice in the library")
  end)

  teardown(function()
    os.execute("rm -rf " .. dir)
  end)

  it("under pledge stdio wpath (no prot_exec) a loaded .so opened O_WRONLY changes what runs", function()
    local r = helpers.child(function(send)
      package.cpath = dir .. "/?.so"
      local answer = require "answer"
      if answer() ~= OLD then return 3 end
      local path = page_with(so .. "\0")
      local new = page_with(helpers.pack("<I4", NEW))
      seccomp.pledge("stdio wpath")
      local fd = lraw.syscall_raw(nr "openat", AT.FDCWD, path, O.WRONLY)
      if fd < 0 then return 4 end
      if lraw.syscall_raw(nr "pwrite64", fd, new, 4, offset) ~= 4 then return 5 end
      send(answer())
    end)
    helpers.assert_exit(0, r)
    assert.are.equal(tostring(NEW), r.output)
  end)
end)

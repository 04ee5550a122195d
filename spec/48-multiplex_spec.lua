-- On x86 (and the other architectures that multiplex), libseccomp writes a
-- rule on a socket or SysV IPC call also as a rule on socketcall(2) or
-- ipc(2) that compares only the sub-call number: the real arguments are in
-- memory, where seccomp cannot read them. A rule that would be weakened so
-- is refused; a deny rule denies the multiplexed sub-call whatever its
-- arguments. Each claim runs in a child: x86_64 calls through `syscall`,
-- i386 ones through `int 0x80` (build/sysraw).
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

local E, AF, SOCK = seccomp.E, seccomp.AF, seccomp.SOCK
local assert_exit, assert_sigsys = helpers.assert_exit, helpers.assert_sigsys

-- Sub-call and i386 call numbers from the C headers: libseccomp names the
-- i386 socket and IPC calls by pseudo numbers, the kernel by these.
local C = {}
do
  local names = { "SYS_SOCKET", "SYS_LISTEN", "SYS_RECV", "SHMGET", "IPC_PRIVATE",
                  "__NR_socket", "__NR_shmget" }
  local values = helpers.c_values({ "linux/net.h", "linux/ipc.h", "asm/unistd_32.h" }, names)
  for i, n in ipairs(names) do C[n] = values[i] end
end
local I386 = { socket = C.__NR_socket, shmget = C.__NR_shmget }

local NOTHING = function() end

local function native(setup, name, ...)
  return helpers.sysraw(setup, "raw", seccomp.syscall(name), ...)
end

local function int80(setup, name, ...)
  return helpers.sysraw(setup, "int80", I386[name] or seccomp.syscall(name, "x86"), ...)
end

-- i386 socketcall(call, { a0, a1, ... }): the arguments as words in memory.
local function socketcall(setup, call, ...)
  return helpers.sysraw(setup, "int80-socketcall", call, ...)
end

local function load(build)
  return function() build():load() end
end

local function weakens(name, via)
  return ("on x86, %s is also reached through %s, whose arguments are in memory where "
    .. "seccomp cannot read them, so a rule with comparators and an action more permissive "
    .. "than the default would let every such call pass there; allow %s without "
    .. "comparators, or leave out the x86 architecture"):format(name, via, name)
end

describe("a permissive rule with comparators on a multiplexed call", function()
  local inet_only = seccomp.arg32(0):eq(AF.INET)

  it("is refused on a filter with x86, saying what to write instead", function()
    local f = seccomp.filter("kill")
    f:arch_add("x86")
    local ok, err = pcall(f.allow, f, "socket", inet_only)
    assert.is_false(ok)
    assert.equal("seccomp: add(socket): Invalid argument (EINVAL): "
                 .. weakens("socket", "socketcall"), err)
    assert.equal(0, f:rule_count())
    ok, err = pcall(f.allow, f, "shmget", seccomp.arg32(0):eq(C.IPC_PRIVATE))
    assert.is_false(ok)
    assert.equal("seccomp: add(shmget): Invalid argument (EINVAL): "
                 .. weakens("shmget", "ipc"), err)
    f:close()
  end)

  it("is refused by compile as well", function()
    local ok, err = pcall(seccomp.compile, {
      default = "kill", arches = { "x86" },
      allow = { { "socket", inet_only } },
    })
    assert.is_false(ok)
    assert.truthy(err:find(weakens("socket", "socketcall"), 1, true), err)
  end)

  it("makes adding x86 later fail, leaving the filter as it was", function()
    local f = seccomp.filter("kill")
    f:allow("socket", inet_only)
    local ok, err = pcall(f.arch_add, f, "x86")
    assert.is_false(ok)
    assert.equal("seccomp: arch_add(x86): Invalid argument (EINVAL): "
                 .. weakens("socket", "socketcall"), err)
    assert.is_false(f:arch_exist("x86"))
    assert.equal(1, f:rule_count())
    assert.equal("allow", f:check("socket", { AF.INET }))
    assert.equal("kill_process", f:check("socket", { AF.UNIX }))
    f:close()
  end)

  it("is accepted where nothing multiplexes, and enforced as written", function()
    local function build()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "socket", seccomp.arg32(0):ne(AF.INET))
      return f
    end
    assert_exit(0, native(load(build), "socket", AF.INET, SOCK.DGRAM, 0))
    assert_exit(E.EPERM, native(load(build), "socket", AF.UNIX, SOCK.DGRAM, 0))
  end)
end)

describe("a deny rule with comparators on a filter with x86", function()
  local function deny_unix(action)
    return function()
      local f = seccomp.filter("allow")
      f:arch_add("x86")
      f:add(action, "socket", seccomp.arg32(0):eq(AF.UNIX))
      return f
    end
  end
  local eperm = deny_unix(seccomp.errno("EPERM"))

  it("is enforced as written on the direct calls of both ABIs", function()
    assert_exit(0, native(NOTHING, "socket", AF.UNIX, SOCK.DGRAM, 0))
    assert_exit(E.EPERM, native(load(eperm), "socket", AF.UNIX, SOCK.DGRAM, 0))
    assert_exit(0, native(load(eperm), "socket", AF.INET, SOCK.DGRAM, 0))
    assert_exit(E.EPERM, int80(load(eperm), "socket", AF.UNIX, SOCK.DGRAM, 0))
    assert_exit(0, int80(load(eperm), "socket", AF.INET, SOCK.DGRAM, 0))
  end)

  it("denies the socketcall sub-call whatever its arguments, and no other", function()
    assert_exit(0, socketcall(NOTHING, C.SYS_SOCKET, AF.UNIX, SOCK.DGRAM, 0))
    assert_exit(E.EPERM, socketcall(load(eperm), C.SYS_SOCKET, AF.UNIX, SOCK.DGRAM, 0))
    assert_exit(E.EPERM, socketcall(load(eperm), C.SYS_SOCKET, AF.INET, SOCK.DGRAM, 0))
    assert_exit(E.EBADF, socketcall(load(eperm), C.SYS_LISTEN, -1, 1))
    local kill = deny_unix("kill_process")
    assert_sigsys(socketcall(load(kill), C.SYS_SOCKET, AF.INET, SOCK.DGRAM, 0))
    assert_exit(E.EBADF, socketcall(load(kill), C.SYS_LISTEN, -1, 1))
  end)

  it("on a SysV IPC call, denies ipc(2) for the sub-call, whatever its version", function()
    local function build()
      local f = seccomp.filter("allow")
      f:arch_add("x86")
      f:add(seccomp.errno("EPERM"), "shmget", seccomp.arg32(0):eq(C.IPC_PRIVATE))
      return f
    end
    local absent_key = 0x5eccc0
    -- As written on the direct calls: a key that is not IPC_PRIVATE is not
    -- denied (no such segment: ENOENT).
    assert_exit(E.EPERM, native(load(build), "shmget", C.IPC_PRIVATE, 4096, 0))
    assert_exit(E.ENOENT, native(load(build), "shmget", absent_key, 4096, 0))
    assert_exit(E.EPERM, int80(load(build), "shmget", C.IPC_PRIVATE, 4096, 0))
    assert_exit(E.ENOENT, int80(load(build), "shmget", absent_key, 4096, 0))
    -- Through ipc(2): without a filter the lookup answers ENOENT.
    assert_exit(E.ENOENT, int80(NOTHING, "ipc", C.SHMGET, absent_key, 4096, 0))
    assert_exit(E.EPERM, int80(load(build), "ipc", C.SHMGET, absent_key, 4096, 0))
    assert_exit(E.EPERM, int80(load(build), "ipc", compat.bor(C.SHMGET, (compat.shl(1, 16))), absent_key, 4096, 0))
  end)
end)

describe("a rule without comparators on a multiplexed call", function()
  it("allows exactly that sub-call through socketcall under default kill", function()
    local function build()
      local f = seccomp.filter("kill")
      f:arch_add("x86")
      for _, name in ipairs(helpers.SYSRAW_STARTUP) do f:allow(name) end
      f:allow("socket")
      return f
    end
    assert_exit(0, socketcall(load(build), C.SYS_SOCKET, AF.UNIX, SOCK.DGRAM, 0))
    assert_exit(0, int80(load(build), "socket", AF.UNIX, SOCK.DGRAM, 0))
    assert_sigsys(socketcall(load(build), C.SYS_LISTEN, -1, 1))
  end)
end)

-- libseccomp 2.5.4's linear code loads the syscall number in the block of
-- the first call it orders for an architecture; when that call is not in
-- the program for i386 (recv only exists as a socketcall sub-call there,
-- and a priority alone writes no code), nothing loads the number.
describe("an i386 block whose first call is left out of the program", function()
  local getppid_0 = seccomp.arg(0):eq(0)

  local function with_recv()
    local f = seccomp.filter("allow")
    f:arch_add("x86")
    f:add(seccomp.errno("EPERM"), "getppid", getppid_0)
    f:add("kill_process", "recv")
    return f
  end

  local function with_priority()
    local f = seccomp.filter("allow")
    f:arch_add("x86")
    f:priority("getppid", 255)
    f:add(seccomp.errno("EPERM"), "getpid")
    return f
  end

  it("still has its rules enforced by the default optimizer", function()
    assert_exit(0, int80(NOTHING, "getppid", 0))
    assert_exit(E.EPERM, int80(load(with_recv), "getppid", 0))
    assert_sigsys(socketcall(load(with_recv), C.SYS_RECV, 0))
    assert_exit(E.EPERM, int80(load(with_priority), "getpid"))
    assert_exit(E.EPERM, native(load(with_priority), "getpid"))
  end)

  it("agrees with the simulator", function()
    local f = with_recv()
    assert.same({ "errno", 1 }, { f:check("getppid", { 0 }, "x86") })
    assert.equal("kill_process", f:check(seccomp.syscall("socketcall", "x86"),
                                         { C.SYS_RECV }, "x86"))
    f:close()
    f = with_priority()
    assert.same({ "errno", 1 }, { f:check("getpid", {}, "x86") })
    f:close()
  end)

  it("is refused with the linear optimizer chosen explicitly", function()
    for _, build in ipairs { with_recv, with_priority } do
      local f = build()
      f:set("optimize", 1)
      local ok, err = pcall(f.bpf, f)
      assert.is_false(ok)
      assert.equal("seccomp: bpf(optimize): Operation not supported (EOPNOTSUPP): "
        .. "libseccomp 2.5.4's linear code (optimize 1) would not load the syscall number "
        .. "for an architecture of this filter whose first call is multiplexed or absent "
        .. "there, or has only a priority, so none of its rules would match; use optimize 2 "
        .. "or leave it unset", err)
      f:close()
    end
    local r = helpers.child(function()
      local f = with_recv()
      f:set("optimize", 1)
      f:load()
    end)
    assert_exit(helpers.RAISED, r)
    assert.truthy(r.output:find("EOPNOTSUPP", 1, true), r.output)
  end)

  it("keeps the linear optimizer on a native filter", function()
    local f = seccomp.filter("allow")
    f:add("kill_process", "recvfrom")
    f:priority("getppid", 255)
    f:set("optimize", 1)
    assert.is_string(f:bpf())
    assert.equal("kill_process", f:check("recvfrom", {}))
    f:close()
  end)
end)

-- libseccomp 2.5.4's PFC writer runs its indentation below zero on some
-- binary trees whose calls have priorities, and then writes without end.
describe("a binary-tree filter with priorities", function()
  local function build()
    local f = seccomp.filter("allow", { optimize = 2 })
    local n = 0
    for nr = 0, 200 do
      local ok, name = pcall(seccomp.syscall_name, nr)
      if ok and name ~= "getpid" and n < 40 then
        f:priority(name, 255)
        f:add("log", name)
        n = n + 1
      end
    end
    f:add(seccomp.errno("EPERM"), "getpid")
    return f
  end

  it("has no PFC text, and says why", function()
    local f = build()
    local ok, err = pcall(f.pfc, f)
    assert.is_false(ok)
    assert.equal("seccomp: pfc: Operation not supported (EOPNOTSUPP): libseccomp 2.5.4's PFC "
      .. "writer does not end on a binary-tree filter (optimize 2) with priorities; drop the "
      .. "priorities, or set optimize 1 where the linear code is safe", err)
    assert.is_string(f:bpf())
    f:close()
  end)

  it("still loads, and is enforced", function()
    assert_exit(E.EPERM, native(load(build), "getpid"))
    local r = helpers.child(function()
      local f = build()
      f:load()
      local ok, err = pcall(f.pfc, f)
      return (not ok and err:find("EOPNOTSUPP", 1, true)) and 0 or 1
    end)
    assert_exit(0, r)
  end)
end)

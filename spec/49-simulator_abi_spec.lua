-- The simulator agrees with the kernel on every ABI the machine runs:
-- x86_64 through `syscall`, i386 through `int 0x80`, and x32, whose calls
-- the kernel reports as AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT in the
-- number. Each call's verdict from f:check is compared with how a child
-- that makes the call under the loaded filter ends.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

local E = seccomp.E
local X32_BIT = 0x40000000

-- How the kernel ended a call under the filter built by `build`, in the
-- simulator's words: "allow", "errno" with its number, or "kill_process".
-- `unfiltered` is the exit code the call gives with no filter at all (x32
-- calls answer ENOSYS on a kernel with x32 turned off, after the filter).
local function kernel_verdict(build, mode, nr, args, unfiltered)
  local r = helpers.sysraw(function() build():load() end, mode, nr, compat.unpack(args))
  if helpers.signaled(r, helpers.SIGSYS) then return "kill_process" end
  assert(r.how == "exit", helpers.describe(r))
  if r.code == unfiltered then return "allow" end
  return "errno", r.code
end

-- The number sysraw is given for a call: x32 mode adds the bit itself.
local function sysraw_number(name, arch)
  local nr = seccomp.syscall(name, arch)
  if arch == "x32" then nr = compat.band(nr, compat.bnot(X32_BIT)) end
  return nr
end

local MODE = { x86_64 = "raw", x86 = "int80", x32 = "x32" }

local function build_filter()
  local f = seccomp.filter("kill")
  f:arch_add("x86")
  f:arch_add("x32")
  for _, name in ipairs(helpers.SYSRAW_STARTUP) do f:allow(name) end
  f:allow("getppid")
  f:add(seccomp.errno("EPERM"), "getpid", seccomp.arg(0):eq(1))
  f:add(seccomp.errno("EACCES"), "getuid")
  return f
end

local CALLS = {
  { "getppid", {} }, { "getpid", { 1 } }, { "getpid", { 0 } },
  { "getuid", {} }, { "getgid", {} },
}

describe("the simulator on a filter with x86_64, x86 and x32", function()
  for arch, mode in pairs(MODE) do
    it("decides every " .. arch .. " call as the kernel does", function()
      local f = build_filter()
      local unfiltered = arch == "x32" and E.ENOSYS or 0
      for _, call in ipairs(CALLS) do
        local name, args = call[1], call[2]
        local nr = sysraw_number(name, arch)
        local plain = helpers.sysraw(function() end, mode, nr, compat.unpack(args))
        helpers.assert_exit(unfiltered, plain)
        local want = { kernel_verdict(build_filter, mode, nr, args, unfiltered) }
        assert.same(want, { f:check(name, args, arch) }, arch .. " " .. name)
      end
      f:close()
    end)
  end

  it("answers the x32 read that a filter allows", function()
    local f = seccomp.filter("kill")
    f:arch_add("x32")
    f:allow("read")
    assert.equal("allow", f:check("read", {}, "x32"))
    assert.equal("kill_process", f:check("write", {}, "x32"))
    f:close()
  end)
end)

describe("the simulator on a filter without x32", function()
  it("kills an x32 call as the kernel does, though x86_64 allows the number", function()
    local function build()
      local f = seccomp.filter("kill")
      for _, name in ipairs(helpers.SYSRAW_STARTUP) do f:allow(name) end
      f:allow("getppid")
      return f
    end
    local f = build()
    local nr = seccomp.syscall("getppid")
    assert.equal("allow", f:check(nr, {}))
    assert.equal("kill_process", f:check(nr, {}, "x32"))
    assert.equal("kill_process", kernel_verdict(build, "x32", nr, {}, E.ENOSYS))
    assert.equal("allow", kernel_verdict(build, "raw", nr, {}, 0))
    f:close()
  end)
end)

describe("a filter for big-endian architectures alone", function()
  local function s390x_only()
    local f = seccomp.filter("kill")
    f:arch_remove("native")            -- first: libseccomp keeps one byte order
    f:arch_add("s390x")
    return f
  end

  it("is made by removing the native architecture before adding them", function()
    local f = s390x_only()
    assert.same({ "s390x" }, f:arches())
    f:allow("read", seccomp.arg(1):eq(0x100000002))
    -- the high half of a 64-bit argument is the first word in that layout
    assert.equal("allow", f:check("read", { 0, 0x100000002 }, "s390x"))
    assert.equal("kill_process", f:check("read", { 0, 0x200000001 }, "s390x"))
    assert.equal("kill_process", f:check("read", { 0, 2 }, "s390x"))
    assert.equal("kill_process", f:check("write", { 0, 0x100000002 }, "s390x"))
    assert.equal("kill_process", f:check("read", { 0, 0x100000002 }))  -- x86_64: bad arch
    f:close()
  end)

  it("cannot lose its last architecture once it has rules, nor be exported without one", function()
    local f = seccomp.filter("kill")
    f:arch_remove("native")
    local ok, err = pcall(f.bpf, f)
    assert.is_false(ok)
    assert.equal("seccomp: bpf: Invalid argument (EINVAL): the filter has no architecture: "
                 .. "add one with arch_add", err)
    f:arch_add("x86_64")
    f:allow("read")
    ok, err = pcall(f.arch_remove, f, "x86_64")
    assert.is_false(ok)
    assert.equal("seccomp: arch_remove(x86_64): Invalid argument (EINVAL): a filter with "
                 .. "rules needs at least one architecture: add the other one first", err)
    f:close()
  end)
end)

describe("syscall -1, what a tracer leaves of a call it skips", function()
  local function build(with_rule)
    local f = seccomp.filter("kill", { tskip = true })
    for _, name in ipairs(helpers.SYSRAW_STARTUP) do f:allow(name) end
    if with_rule then f:add(seccomp.errno("EPERM"), -1) end
    return f
  end

  it("takes rules under tskip, decided alike by the simulator and the kernel", function()
    local f = build(true)
    assert.same({ "errno", E.EPERM }, { f:check(-1) })
    f:close()
    assert.same({ "errno", E.EPERM }, { kernel_verdict(function() return build(true) end,
                                                       "raw", -1, {}, 0) })
    f = build(false)
    assert.equal("kill_process", f:check(-1))
    f:close()
    assert.equal("kill_process", kernel_verdict(function() return build(false) end,
                                                "raw", -1, {}, 0))
  end)

  it("is refused without tskip, saying how to allow it", function()
    local f = seccomp.filter("kill")
    local ok, err = pcall(f.add, f, seccomp.errno("EPERM"), -1)
    assert.is_false(ok)
    assert.equal('seccomp: add(-1): Invalid argument (EINVAL): syscall -1 (a call a tracer '
                 .. 'skipped) takes rules only with the tskip attribute set: '
                 .. 'f:set("tskip", true)', err)
    assert.has_error(function() f:priority(-1, 10) end)
    assert.equal(0, f:rule_count())
    f:close()
  end)
end)

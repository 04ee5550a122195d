-- Every architecture a filter carries gets every rule of a compiled
-- policy and of its groups: i386 calls made through `int 0x80` (build/
-- sysraw) in a child under filters that carry x86, and the names each
-- architecture lacks told apart from names no architecture knows.
local seccomp = require "seccomp"
local policy = require "seccomp.policy"
local helpers = require "helpers"

local E = seccomp.E
local assert_exit, assert_sigsys = helpers.assert_exit, helpers.assert_sigsys

-- Values of C macros by name, from a program compiled against the headers.
local function header_values(includes, names)
  local values, out = helpers.c_values(includes, names), {}
  for i, n in ipairs(names) do out[n] = values[i] end
  return out
end

local NET = header_values({ "linux/net.h" }, { "SYS_SOCKET", "SYS_RECV" })

-- An i386 call through int 0x80, in a child after `setup()`.
local function int80(setup, name, ...)
  return helpers.sysraw(setup, "int80", seccomp.syscall(name, "x86"), ...)
end

local function load(spec)
  return function() seccomp.compile(spec):load() end
end

local set = helpers.set

describe("compile on a filter that carries x86", function()
  local setuid = { default = "allow", arches = { "x86" }, errno = { EPERM = { "@setuid" } } }

  it("refuses i386 setuid32 and setresuid32 from @setuid", function()
    -- As root, both succeed without a filter (the ids do not change).
    assert_exit(0, int80(function() end, "setuid32", 0))
    assert_exit(E.EPERM, int80(load(setuid), "setuid32", 0))
    assert_exit(0, int80(function() end, "setresuid32", -1, -1, -1))
    assert_exit(E.EPERM, int80(load(setuid), "setresuid32", -1, -1, -1))
    -- The 16-bit i386 spelling and the native call too.
    assert_exit(E.EPERM, int80(load(setuid), "setuid", 0))
    local r = helpers.sysraw(load(setuid), "raw", seccomp.syscall("setuid"), 0)
    assert_exit(E.EPERM, r)
  end)

  it("kills i386 socketcall and ipc named in a kill list", function()
    local spec = { default = "allow", arches = { "x86" }, kill = { "socketcall", "ipc" } }
    local f, skipped, absent = seccomp.compile(spec)
    assert.same({}, skipped)
    assert.same({}, absent)
    f:close()
    -- Without a filter, socketcall(SYS_SOCKET, NULL) faults on its arguments.
    assert_exit(E.EFAULT, int80(function() end, "socketcall", NET.SYS_SOCKET, 0))
    assert_sigsys(int80(load(spec), "socketcall", NET.SYS_SOCKET, 0))
    assert_sigsys(int80(load(spec), "ipc", 0, 0, 0, 0, 0, 0))
  end)

  it("applies a socket sub-call that only socketcall carries (recv) to i386 socketcall", function()
    -- The binary tree: libseccomp 2.5.4's linear code omits the load of
    -- the syscall number from an i386 block that holds nothing but
    -- multiplexed rules, so that such a block matches nothing.
    local spec = { default = "allow", arches = { "x86" }, kill = { "recv" },
                   attributes = { optimize = 2 } }
    local f, skipped, absent = seccomp.compile(spec)
    assert.same({}, skipped)
    assert.same({}, absent)
    f:close()
    assert_exit(E.EFAULT, int80(function() end, "socketcall", NET.SYS_RECV, 0))
    assert_sigsys(int80(load(spec), "socketcall", NET.SYS_RECV, 0))
  end)

  it("on a native filter, reports i386-only names as absent, not skipped", function()
    local f, skipped, absent = seccomp.compile {
      default = "allow", kill = { "socketcall", "getppid" }, allow = { "reed" },
    }
    assert.same({ "reed" }, skipped)
    assert.same({ "socketcall" }, absent)
    f:close()
  end)
end)

describe("policy.expand with a filter", function()
  it("classifies members against the filter's architectures", function()
    local f = seccomp.filter("allow")
    f:arch_add("x86")
    local names, skipped, absent = policy.expand("@setuid", f)
    local with_x86 = set(names)
    for _, n in ipairs { "setuid", "setuid32", "setresuid32", "setgroups32" } do
      assert.truthy(with_x86[n], n)
    end
    assert.same({}, skipped)
    assert.same({}, absent)
    f:close()
    local native_names, _, native_absent = policy.expand("@setuid")
    assert.is_nil(set(native_names).setuid32)
    assert.truthy(set(native_absent).setuid32)
  end)

  it("makes a group rule added by name enforce on i386", function()
    local function setup()
      local f = seccomp.filter("allow")
      f:arch_add("x86")
      f:add(seccomp.errno("EPERM"), (policy.expand("@setuid", f)))
      f:load()
    end
    assert_exit(E.EPERM, int80(setup, "setuid32", 0))
    assert_exit(E.EPERM, int80(setup, "setresuid32", -1, -1, -1))
  end)

  it("raises when the filter argument is not a filter", function()
    assert.error_matches(function() policy.expand("@setuid", {}) end,
                         "seccomp: expand%(@setuid%): .*EINVAL.*not an open seccomp.filter")
  end)
end)

describe("pledge", function()
  it("adds no rule for another architecture's names, and reports them as absent", function()
    local f, skipped, absent = seccomp.pledge("stdio", { load = false })
    assert.same({}, skipped)
    local a = set(absent)
    assert.truthy(a.mmap2 and a._llseek and a.getuid32, table.concat(absent, " "))
    for _, n in ipairs(absent) do
      local ok, nr = pcall(seccomp.syscall, n)
      assert.truthy(ok and nr < 0, n)
    end
    f:close()
  end)
end)

-- Rules that libseccomp 2.5 would accept but not enforce as written are
-- refused or rewritten: conflicting actions, architectures added after the
-- rules, masked values outside their mask, wide values on 32-bit ABIs.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"

local EPERM = seccomp.errno_value("EPERM")

describe("conflicting actions on one syscall", function()
  it("refuses a conditional rule after an unconditional one with another action", function()
    local f = seccomp.filter("kill")
    f:allow("ioctl")
    assert.has_error(function()
      f:add(seccomp.errno("EPERM"), "ioctl", seccomp.arg32(1):eq(seccomp.IOCTL.TIOCSTI))
    end, "seccomp: add(ioctl): File exists (EEXIST): conflicts with an earlier rule with action "
      .. "allow: both would match ioctl(0, " .. seccomp.IOCTL.TIOCSTI .. ", 0, 0, 0, 0); rules "
      .. "with different actions on one syscall must not match the same call")
    assert.equal(1, f:rule_count())
  end)

  it("refuses an unconditional rule after a conditional one with another action", function()
    local f = seccomp.filter("kill")
    f:add(seccomp.errno("EPERM"), "ioctl", seccomp.arg32(1):eq(seccomp.IOCTL.TIOCSTI))
    local before = f:rule_count()
    assert.has_error(function() f:allow("ioctl") end)
    assert.equal(before, f:rule_count())
  end)

  it("accepts conditional rules with different actions on different values", function()
    local f = seccomp.filter("kill")
    f:allow("write", seccomp.arg(0):eq(1))
    f:add(seccomp.errno("EBADF"), "write", seccomp.arg(0):eq(2))
    assert.equal(2, f:rule_count())
  end)
end)

describe("an architecture added after the rules", function()
  it("gets every rule added before it, enforced through int 0x80", function()
    local x86_getpid = seccomp.syscall("getpid", "x86")
    local result = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "getpid")
      f:arch_add("x86")
      f:load()
    end, "int80", x86_getpid)
    assert.is_true(helpers.exited(result, EPERM), helpers.describe(result))
  end)

  it("can be removed again after rules, leaving the rules enforced", function()
    local x86_getpid = seccomp.syscall("getpid", "x86")
    local function setup()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), { "getpid", "openat" })
      f:arch_add("x86")
      f:arch_remove("x86")
      f:add_exact(seccomp.errno("EACCES"), "getppid")
      f:load()
    end
    assert.is_true(helpers.exited(helpers.sysraw(setup, "raw", seccomp.syscall("getpid")), EPERM))
    assert.is_true(helpers.exited(helpers.sysraw(setup, "raw", seccomp.syscall("getppid")),
      seccomp.errno_value("EACCES")))
    -- x86 is gone again: its calls meet the bad-architecture action
    assert.is_true(helpers.signaled(helpers.sysraw(setup, "int80", x86_getpid), helpers.SIGSYS))
  end)

  it("refuses a 32-bit architecture when a rule compares above 32 bits", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno("EPERM"), "getpriority", seccomp.arg(1):eq(compat.shl(1, 33)))
    assert.has_error(function() f:arch_add("x86") end)
    assert.is_false(f:arch_exist("x86"))
  end)

  it("refuses values above 32 bits once a 32-bit architecture is present", function()
    local f = seccomp.filter("allow")
    f:arch_add("x86")
    assert.has_error(function()
      f:add(seccomp.errno("EPERM"), "getpriority", seccomp.arg(1):eq(compat.shl(1, 33)))
    end)
    f:add(seccomp.errno("EPERM"), "getpriority", seccomp.arg32(1):eq(5))
  end)
end)

describe("masked_eq", function()
  it("refuses a value with bits outside the mask", function()
    assert.has_error(function() seccomp.arg(0):masked_eq(0xff, 0x100) end)
    assert.has_error(function() seccomp.arg32(0):masked_eq(0xff, 0x100) end)
    local f = seccomp.filter("kill")
    assert.has_error(function() f:allow("read", { arg = 0, op = "masked_eq", a = 0xff, b = 0x100 }) end)
    assert.equal(0, f:rule_count())
  end)
end)

describe("two 64-bit ranges on one argument", function()
  it("are enforced as written", function()
    local nr = seccomp.syscall("getpriority")
    local function run(value)
      return helpers.sysraw(function()
        local f = seccomp.filter(seccomp.errno("EPERM"))
        f:allow(helpers.SYSRAW_STARTUP)
        f:allow("getpriority", seccomp.arg(1):lt(0x7fffffff))
        f:allow("getpriority", seccomp.arg(1):gt(0x100000000))
        f:load()
      end, "raw", nr, 0, value)
    end
    -- getpriority(PRIO_PROCESS, who): allowed calls fail with ESRCH or
    -- succeed; refused ones fail with EPERM. sysraw exits with the errno.
    for _, allowed in ipairs { 0, 0x100000001 } do
      local r = run(allowed)
      assert.is_true(r.how == "exit" and r.code ~= EPERM, helpers.describe(r))
    end
    for _, refused in ipairs { 0x80000000, 0x100000000 } do
      local r = run(refused)
      assert.is_true(helpers.exited(r, EPERM), helpers.describe(r))
    end
  end)
end)

describe("the bad-architecture action", function()
  it("cannot let other ABIs through", function()
    local f = seccomp.filter("kill")
    for _, action in ipairs { "allow", "log", "notify" } do
      assert.has_error(function() f:set("badarch_action", action) end)
    end
    assert.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("badarch_action"))
  end)
end)

describe("comparator tables with metamethods", function()
  it("are read raw, so user code cannot run in the middle of an add", function()
    local f = seccomp.filter("kill")
    local called = false
    local cmp = setmetatable({ arg = 0, op = "eq", a = 1 }, {
      __index = function() called = true; f:close() end,
    })
    f:allow("write", cmp)
    assert.is_false(called)
    assert.is_true(f:is_open())
    assert.equal(1, f:rule_count())
  end)
end)

describe("execv", function()
  it("passes many arguments", function()
    local argv = { "true" }
    for i = 1, 300 do argv[#argv + 1] = tostring(i) end
    local result = helpers.child(function() core.execv("/bin/true", argv) end)
    assert.is_true(helpers.exited(result, 0), helpers.describe(result))
  end)

  it("raises when the kernel refuses the argument list", function()
    local argv = { "true" }
    local long = ("x"):rep(100000)
    for i = 1, 100 do argv[i + 1] = long end
    local result = helpers.child(function(send)
      local ok, err = pcall(core.execv, "/bin/true", argv)
      send(err)
      return ok and 1 or 0
    end)
    assert.is_true(helpers.exited(result, 0), helpers.describe(result))
    assert.truthy(result.output:find("(E2BIG)", 1, true), result.output)
  end)
end)

-- Bad input raises a clear error and adds nothing: every case listed in
-- the core's contract, checked against the rule count and the export.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

local function unchanged(f, fn, pattern)
  local count, pfc = f:rule_count(), f:pfc()
  local ok, err = pcall(fn)
  assert.is_false(ok, "expected an error")
  assert.is_string(err)
  -- a position, where Lua adds one, is the caller's: this file
  assert.truthy(err:find("^seccomp: ") or err:find("^spec/02%-errors_spec%.lua:%d+: seccomp: "), err)
  if pattern then assert.truthy(err:find(pattern, 1, true), err) end
  assert.equal(count, f:rule_count())
  assert.equal(pfc, f:pfc())
  return err
end

describe("bad input", function()
  local f
  before_each(function()
    f = seccomp.filter("kill")
    f:allow("write", seccomp.arg(0):eq(1))
  end)
  after_each(function() f:close() end)

  it("an unknown syscall name", function()
    unchanged(f, function() f:allow("no_such_syscall") end,
      "seccomp: add(no_such_syscall): Invalid argument (EINVAL): unknown syscall")
  end)

  it("a name with an embedded NUL", function()
    unchanged(f, function() f:allow("read\0write") end,
      "seccomp: add(read\\0write): Invalid argument (EINVAL): syscall name contains a NUL byte")
    assert.has_error(function() seccomp.errno("EPERM\0x") end,
      "seccomp: errno(EPERM\\0x): Invalid argument (EINVAL): unknown errno name")
    assert.has_error(function() f:arch_add("x86\0") end,
      "seccomp: arch_add(x86\\0): Invalid argument (EINVAL): architecture name contains a NUL byte")
  end)

  it("an unknown name inside a list adds none of the list", function()
    unchanged(f, function() f:allow { "read", "close", "bogus" } end, "add(bogus)")
  end)

  it("a syscall number out of range", function()
    unchanged(f, function() f:allow(-2) end, "(ERANGE): syscall number -2 is out of range")
    unchanged(f, function() f:allow(-1) end, "takes rules only with the tskip attribute set")
    unchanged(f, function() f:allow(2 ^ 31) end, "(ERANGE)")
    unchanged(f, function() f:allow(compat.value("0x7fffffffffffffff")) end, "(ERANGE)")
    unchanged(f, function() f:allow(1.5) end, "must be an integer")
    unchanged(f, function() f:allow(nil) end, "syscall must be a name or a number, got nil")
    unchanged(f, function() f:allow(true) end, "got boolean")
  end)

  it("an argument index outside 0..5", function()
    unchanged(f, function() f:allow("read", seccomp.arg(6):eq(1)) end, "(ERANGE)")
    unchanged(f, function() f:allow("read", seccomp.arg(-1):eq(1)) end, "(ERANGE)")
    unchanged(f, function() f:allow("read", seccomp.arg32(1.5):eq(1)) end, "argument index")
    unchanged(f, function() f:allow("read", { arg = 6, op = "eq", a = 1 }) end,
      "argument index 6 is out of range 0..5")
  end)

  it("more than six comparators", function()
    unchanged(f, function()
      f:allow("read", seccomp.arg(0):eq(0), seccomp.arg(1):eq(1), seccomp.arg(2):eq(2),
        seccomp.arg(3):eq(3), seccomp.arg(4):eq(4), seccomp.arg(5):eq(5), seccomp.arg(0):eq(6))
    end, "(E2BIG): 7 comparators given, at most 6 allowed")
  end)

  it("two comparators on the same argument", function()
    unchanged(f, function()
      f:allow("openat", seccomp.arg(2):eq(0), seccomp.arg32(2):eq(1))
    end, "seccomp: add(openat): Invalid argument (EINVAL): two comparators on argument 2")
  end)

  it("a value that is not an integer", function()
    for _, v in ipairs { 1.5, "x", "10x", "0x", {}, 2 ^ 63, -2 ^ 64, 0 / 0, math.huge } do
      assert.has_error(function() seccomp.arg(0):eq(v) end)
      unchanged(f, function() f:allow("read", { arg = 0, op = "eq", a = v }) end,
        "must be an integer")
    end
    unchanged(f, function() f:allow("read", { arg = 0, op = "eq" }) end, "got nil")
    unchanged(f, function() f:allow("read", seccomp.arg(0)) end, "comparator op must be")
    unchanged(f, function() f:allow("read", "eq") end, "comparator must be made by")
  end)

  it("a 32-bit value that does not fit 32 bits", function()
    assert.has_error(function() seccomp.arg32(0):eq(compat.idiv(2 ^ 32, 1)) end)
    assert.has_error(function() seccomp.arg32(0):eq(compat.idiv(-2 ^ 31, 1) - 1) end)
    unchanged(f, function() f:allow("read", { arg = 0, op = "eq", a = compat.shl(1, 32), bits = 32 }) end,
      "(ERANGE)")
  end)

  it("an errno value outside what the kernel delivers", function()
    assert.has_error(function() seccomp.errno(-1) end)
    assert.has_error(function() seccomp.errno(4095) end)
    assert.has_error(function() seccomp.errno(65537) end,
      "seccomp: errno: Numerical result out of range (ERANGE): errno 65537 is out of range"
      .. " 1..4094 (0 only with { zero = true })")
    assert.has_error(function() seccomp.errno("ENOTREAL") end)
    assert.has_error(function() seccomp.errno("EPERM\0") end)
    assert.has_error(function() seccomp.errno(1.5) end)
    -- errno data past 16 bits spills into the action bits: the value names
    -- no action at all, and the core refuses it as such.
    local spilled = seccomp.SCMP_ACT_ERRNO_BASE + 0x10000 + 1
    unchanged(f, function() f:add(spilled, "read") end,
      ("add: Invalid argument (EINVAL): invalid action value 0x%x"):format(spilled))
  end)

  it("a trace value outside 0..65535", function()
    assert.has_error(function() seccomp.trace(-1) end)
    assert.has_error(function() seccomp.trace(65536) end)
  end)

  it("an unknown action", function()
    unchanged(f, function() f:add("allowed", "read") end, "unknown action")
    unchanged(f, function() f:add(12345, "read") end, "invalid action value")
    unchanged(f, function() f:add(nil, "read") end, "action must be an integer, got nil")
  end)

  it("a rule whose action equals the default action", function()
    unchanged(f, function() f:add("kill_process", "read") end,
      "(EACCES): the rule's action is the filter's default action")
  end)

  it("a conflicting duplicate rule", function()
    unchanged(f, function() f:add(seccomp.errno("EPERM"), "write", seccomp.arg(0):eq(1)) end,
      "seccomp: add(write): File exists (EEXIST): conflicts with an earlier rule")
    -- the same rule with the same action is accepted and changes nothing
    f:allow("write", seccomp.arg(0):eq(1))
  end)

  it("a comparison that can never be true", function()
    unchanged(f, function() f:allow("read", seccomp.arg32(0):lt(0)) end, "can never be true")
    unchanged(f, function() f:allow("read", seccomp.arg32(0):gt(0xffffffff)) end, "can never be true")
  end)

  it("a 32-bit range expansion that grows too large", function()
    unchanged(f, function()
      f:allow("read", seccomp.arg32(0):ne(12345), seccomp.arg32(1):ne(54321), seccomp.arg32(2):ne(7))
    end, "(E2BIG)")
  end)

  it("bad attributes and architectures", function()
    assert.has_error(function() f:get("nope") end)
    assert.has_error(function() f:set("tsync", 1) end,
      "seccomp: set(tsync): Invalid argument (EINVAL): value must be a boolean, got number")
    assert.has_error(function() f:set("optimize", 3) end)
    assert.has_error(function() f:arch_add("vax") end)
    assert.has_error(function() seccomp.arch_name(12345) end)
  end)

  it("any method on a closed filter", function()
    f:close()
    for _, call in ipairs {
      function() f:allow("read") end, function() f:add("allow", "read") end,
      function() f:add_exact("allow", "read") end, function() f:load() end,
      function() f:pfc() end, function() f:bpf() end, function() f:get("tsync") end,
      function() f:set("tsync", true) end, function() f:arch_add("x86") end,
      function() f:arch_exist("x86") end, function() f:arches() end,
      function() f:priority("read", 1) end, function() f:reset("allow") end,
      function() f:rule_count() end, function() f:merge(seccomp.filter("allow")) end,
    } do
      local ok, err = pcall(call)
      assert.is_false(ok)
      assert.truthy(err:find("(EBADF): filter is closed", 1, true), err)
    end
    assert.equal("seccomp.filter (closed)", tostring(f))
  end)

  it("a load the kernel refuses raises, in a child", function()
    local result = helpers.child(function(send)
      local big = seccomp.filter("allow")
      -- more BPF instructions than the kernel's 4096 limit
      for i = 1, 3000 do
        big:add(seccomp.errno("EPERM"), "getpriority", seccomp.arg(0):eq(i), seccomp.arg(1):eq(i))
      end
      big:set("optimize", 1)
      local ok, err = pcall(big.load, big)
      send(tostring(err))
      return ok and 1 or 0
    end)
    assert.is_true(helpers.exited(result, 0), helpers.describe(result))
    assert.truthy(result.output:find("^seccomp: load: "), result.output)
  end)
end)

describe("error messages", function()
  -- An error starts with "seccomp:", or with a position that is this
  -- file's (the caller's), never one inside the library.
  local function caller_positioned(fn)
    local ok, err = pcall(fn)
    assert.is_false(ok)
    assert.is_string(err)
    local where = err:match("^(.-):%d+: seccomp: ")
    assert.truthy(err:find("^seccomp: ") or where == "spec/02-errors_spec.lua", err)
    assert.falsy(err:find("lua/seccomp/", 1, true), err)
    return err
  end

  it("name the caller's line, not the library's", function()
    local f = seccomp.filter("allow")
    caller_positioned(function() f:add("kill", "@basicio") end)
    caller_positioned(function() f:add("kill", { "read", "@basicio" }) end)
    caller_positioned(function() seccomp.arg("0") end)
    caller_positioned(function() seccomp.arg32(9) end)
    caller_positioned(function() seccomp.filter() end)
    caller_positioned(function() seccomp.filter("allow", { reprot = true }) end)
    caller_positioned(function() f:test(function() end, { reprot = true }) end)
    caller_positioned(function() f:test(42) end)
    caller_positioned(function() f:note_skipped("read") end)
  end)

  it("say what is missing or wrong, as the user gave it", function()
    local err = caller_positioned(function() seccomp.filter() end)
    assert.matches("seccomp: filter: Invalid argument %(EINVAL%): the default action is missing", err)
    err = caller_positioned(function() seccomp.arg("0") end)
    assert.matches('seccomp: arg: Invalid argument %(EINVAL%): argument index must be an integer 0%.%.5, '
                   .. 'got the string "0"$', err)
    err = caller_positioned(function() seccomp.arg32(1.5) end)
    assert.matches("seccomp: arg32: .*must be an integer 0%.%.5, got 1%.5$", err)
    err = caller_positioned(function() seccomp.arg(6) end)
    assert.matches("seccomp: arg: Numerical result out of range %(ERANGE%): .* got 6$", err)
  end)
end)

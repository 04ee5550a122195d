-- f:explain and `lua-seccomp explain`: the rule named is the one the
-- kernel applies (the same filter loaded in a child, the call made raw,
-- the child's end compared with the explained action, on x86_64 and on
-- i386 through int 0x80), what would allow a call, and the refusals.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local api = require "seccomp.filter"
local helpers = require "helpers"

local E = seccomp.E
local arg, arg32 = seccomp.arg, seccomp.arg32

-- dup(2) is not among build/sysraw's startup calls, so its rules are the
-- test's alone; different actions on different values of its argument,
-- and two errno(EACCES) rules that overlap.
local function build(with_x86)
  local f = helpers.allowlist(seccomp.errno("ENOSYS"))
  if with_x86 then f:arch_add("x86") end
  f:allow("dup", arg32(0):lt(100))                        -- 1
  f:add(seccomp.errno("EPERM"), "dup", arg32(0):eq(1000))  -- 2
  f:add(seccomp.errno("EACCES"), "dup", arg32(0):ge(5000)) -- 3
  f:add(seccomp.errno("EACCES"), "dup", arg32(0):masked_eq(0xfffff000, 0x2000))  -- 4
  f:add("kill_process", "dup", arg32(0):masked_eq(0xffffff00, 0x0700))  -- 5
  -- a 64-bit comparison, which a filter carrying i386 cannot make
  if not with_x86 then f:add(seccomp.errno("EPERM"), "fsync", arg(0):eq(0x100000005)) end  -- 6
  return f
end

-- The rules above as build() wrote them, by number.
local RULES = {
  { action = "allow", syscall = "dup", comparators = {
    { arg = 0, op = "lt", a = 100, bits = 32 } } },
  { action = "errno", data = E.EPERM, syscall = "dup", comparators = {
    { arg = 0, op = "eq", a = 1000, bits = 32 } } },
  { action = "errno", data = E.EACCES, syscall = "dup", comparators = {
    { arg = 0, op = "ge", a = 5000, bits = 32 } } },
  { action = "errno", data = E.EACCES, syscall = "dup", comparators = {
    { arg = 0, op = "masked_eq", a = 0xfffff000, b = 0x2000, bits = 32 } } },
  { action = "kill_process", syscall = "dup", comparators = {
    { arg = 0, op = "masked_eq", a = 0xffffff00, b = 0x0700, bits = 32 } } },
  { action = "errno", data = E.EPERM, syscall = "fsync", comparators = {
    { arg = 0, op = "eq", a = 0x100000005, bits = 64 } } },
}

local function rule_of(n)
  local r = {}
  for k, v in pairs(RULES[n]) do r[k] = v end
  r.exact = false
  return r
end

-- How a child making the call ends if the kernel does `action`: an
-- allowed call ends as it does with no filter.
local function end_for(e, unfiltered)
  if e.action == "kill_process" then return "signal " .. helpers.SIGSYS end
  if e.action == "errno" then return "exit " .. e.data end
  assert.are.equal("allow", e.action)
  return helpers.describe(unfiltered)
end

-- The calls: arguments, the rule that decides (nil: the default).
local X86_64_CALLS = {
  { "dup", { 0 }, 1 },
  { "dup", { 99 }, 1 },
  { "dup", { 1000 }, 2 },
  { "dup", { 0x100000000 + 1000 }, 2 },  -- arg32: the high half is not compared
  { "dup", { 6000 }, 3 },
  { "dup", { 0x2100 }, 3 },              -- rules 3 and 4 both hold: the first added
  { "dup", { 0x700 }, 5 },
  { "dup", { 0x7ff }, 5 },
  { "dup", { 3000 }, nil },
  { "dup", { 100 }, nil },
  { "fsync", { 0x100000005 }, 6 },
  { "fsync", { 5 }, nil },
}

local function check_calls(f, calls, mode, arch)
  for _, c in ipairs(calls) do
    local name, args, want = c[1], c[2], c[3]
    local e = f:explain(name, args, arch)
    local label = ("%s(%s) on %s"):format(name, table.concat(args, ", "), arch or "native")
    assert.are.equal(name, e.syscall, label)
    if want then
      assert.are.same(rule_of(want), e.rule, label)
      assert.is_false(e.default, label)
    else
      assert.is_nil(e.rule, label)
      assert.is_true(e.default, label)
    end
    assert.is_false(e.badarch, label)
    local nr = seccomp.syscall(name, arch)
    local unfiltered = helpers.sysraw(function() end, mode, nr, compat.unpack(args))
    local filtered = helpers.sysraw(function() f:load() end, mode, nr, compat.unpack(args))
    assert.are.equal(end_for(e, unfiltered), helpers.describe(filtered), label)
  end
end

describe("f:explain", function()
  it("names the rule the kernel applies, on x86_64", function()
    check_calls(build(false), X86_64_CALLS, "raw", nil)
  end)

  it("names the rule the kernel applies, on i386 through int 0x80", function()
    local calls = {}
    for _, c in ipairs(X86_64_CALLS) do
      -- int 0x80 passes 32-bit registers; fsync's 64-bit rule is for x86_64
      if c[1] == "dup" and c[2][1] < 0x100000000 then calls[#calls + 1] = c end
    end
    check_calls(build(true), calls, "int80", "x86")
  end)

  it("says when the architecture is not in the filter, as the kernel decides it", function()
    local f = build(false)
    local e = f:explain("dup", { 1000 }, "x86")
    assert.is_true(e.badarch)
    assert.is_false(e.default)
    assert.is_nil(e.rule)
    assert.are.equal("x86", e.arch)
    assert.are.same({ seccomp.action_name(f:get("badarch_action")) }, { e.action, e.data })
    local r = helpers.sysraw(function() f:load() end, "int80", seccomp.syscall("dup", "x86"), 1000)
    assert.are.equal(end_for(e), helpers.describe(r))
  end)

  it("takes the call by number, with the action and data f:check gives", function()
    local f = build(false)
    local e = f:explain(seccomp.syscall("dup"), { 1000 })
    assert.are.equal("dup", e.syscall)
    assert.are.equal(seccomp.syscall("dup"), e.nr)
    assert.are.equal(seccomp.arch_native(), e.arch)
    assert.are.same({ f:check("dup", { 1000 }) }, { e.action, e.data })
    assert.are.same(rule_of(2), e.rule)
  end)

  it("names rules written by number, in lists and by group as they were written", function()
    local f = seccomp.filter("allow")
    local eperm = seccomp.errno("EPERM")
    f:add(eperm, seccomp.syscall("dup"))
    f:add(eperm, { "getppid", seccomp.syscall("getpgrp"), "getppid" })
    f:add_exact(seccomp.errno("EACCES"), "@clock")
    for _, call in ipairs { "dup", "getppid", "getpgrp" } do
      local e = f:explain(call)
      assert.are.same({ action = "errno", data = 1, syscall = call, exact = false,
                        comparators = {} }, e.rule)
      local r = helpers.sysraw(function() f:load() end, "raw", seccomp.syscall(call))
      assert.are.equal(end_for(e), helpers.describe(r))
    end
    local e = f:explain("clock_settime")
    assert.are.same({ action = "errno", data = 13, syscall = "clock_settime", exact = true,
                      comparators = {} }, e.rule)
  end)

  it("follows rules that a merge brings in, on their architecture only", function()
    local function setup()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "dup", arg32(0):eq(7))
      local g = seccomp.filter("allow")
      g:arch_add("x86")
      g:arch_remove("native")
      g:add(seccomp.errno("EACCES"), "dup", arg32(0):eq(8))
      f:merge(g)
      return f
    end
    local f = setup()
    local native, x86 = f:explain("dup", { 7 }), f:explain("dup", { 8 }, "x86")
    assert.are.equal(E.EPERM, native.data)
    assert.are.same({ { arg = 0, op = "eq", a = 7, bits = 32 } }, native.rule.comparators)
    assert.are.equal(E.EACCES, x86.data)
    assert.are.same({ { arg = 0, op = "eq", a = 8, bits = 32 } }, x86.rule.comparators)
    -- each rule only where it applies: the default decides the other
    assert.is_true(f:explain("dup", { 8 }).default)
    assert.is_true(f:explain("dup", { 7 }, "x86").default)
    local raw = helpers.sysraw(function() setup():load() end, "raw", seccomp.syscall("dup"), 7)
    assert.are.equal(end_for(native), helpers.describe(raw))
    local i386 = helpers.sysraw(function() setup():load() end, "int80",
                                seccomp.syscall("dup", "x86"), 8)
    assert.are.equal(end_for(x86), helpers.describe(i386))
  end)

  it("forgets the rules a reset drops, and explains a loaded filter too", function()
    local f = build(false)
    f:reset("allow")
    local e = f:explain("dup", { 1000 })
    assert.is_nil(e.rule)
    assert.is_true(e.default)
    assert.are.equal("allow", e.action)
    local r = helpers.child(function()
      local g = build(false)
      g:load()
      local after = g:explain("dup", { 1000 })
      return after.rule and after.rule.data or 0
    end)
    assert.is_true(helpers.exited(r, E.EPERM), helpers.describe(r))
  end)

  it("names the rule a policy compiled, with the arguments it was written with", function()
    local f = seccomp.compile { default = "kill", allow = {
      "read", { "openat", arg32(2):masked_eq(seccomp.O.ACCMODE, seccomp.O.RDONLY) } } }
    local e = f:explain("openat", { seccomp.AT.FDCWD, 0, compat.bor(seccomp.O.RDONLY, seccomp.O.CLOEXEC) })
    assert.are.same({ action = "allow", syscall = "openat", exact = false, comparators = {
      { arg = 2, op = "masked_eq", a = seccomp.O.ACCMODE, b = seccomp.O.RDONLY, bits = 32 } } },
      e.rule)
    assert.is_true(f:explain("openat", { seccomp.AT.FDCWD, 0, seccomp.O.WRONLY }).default)
  end)

  it("names a member of a group or list the rule was added with", function()
    local f = seccomp.filter("kill")
    f:add(seccomp.errno("EPERM"), { "getpid", "@basic-io" }, arg32(0):eq(3))
    local e = f:explain("read", { 3 })
    assert.are.same({ action = "errno", data = E.EPERM, syscall = "read", exact = false,
                      comparators = { { arg = 0, op = "eq", a = 3, bits = 32 } } }, e.rule)
    assert.are.equal("getpid", f:explain("getpid", { 3 }).rule.syscall)
    assert.is_true(f:explain("read", { 4 }).default)
  end)

  it("never names a rule the core refused", function()
    local f = seccomp.filter("kill")
    f:add(seccomp.errno("EPERM"), "dup", arg32(0):eq(7))
    assert.has_error(function() f:add(seccomp.errno("EACCES"), "dup", arg32(0):le(7)) end)
    assert.has_error(function() f:add(seccomp.errno("EACCES"), { "getppid", "no_such_call" }) end)
    assert.are.equal(E.EPERM, f:explain("dup", { 7 }).rule.data)
    local below = f:explain("dup", { 6 })
    assert.is_nil(below.rule)
    assert.is_true(below.default)
    assert.is_true(f:explain("getppid").default)
  end)

  it("says which promise sets and groups allow the call, and each does", function()
    local f = seccomp.filter("kill")
    local args = { seccomp.AT.FDCWD, 0, compat.bor(seccomp.O.WRONLY, seccomp.O.CREAT), 0, 0, 0 }
    local e = f:explain("openat", args)
    assert.is_true(#e.allowed_by.promises > 0)
    for _, set in ipairs(e.allowed_by.promises) do
      local p = seccomp.pledge(set, { load = false })
      assert.are.equal("allow", (p:check("openat", args)), set)
      -- and no single promise of a set of several allows it alone
      for promise in set:gmatch("%S+") do
        if promise ~= set then
          assert.are_not.equal("allow", (seccomp.pledge(promise, { load = false })
            :check("openat", args)), promise)
        end
      end
    end
    assert.is_true(helpers.set(e.allowed_by.groups)["@file-system"])
    for _, g in ipairs(e.allowed_by.groups) do
      assert.are.equal("allow", (seccomp.compile { default = "kill", allow = { g } }
        :check("openat", args)), g)
    end
    -- read-only opening: rpath alone
    local ro = f:explain("openat", { seccomp.AT.FDCWD, 0, seccomp.O.RDONLY })
    assert.is_true(helpers.set(ro.allowed_by.promises).rpath)
  end)

  it("raises on what it cannot explain, in the project's form", function()
    local f = build(false)
    assert.has_error(function() f:explain("no_such_call") end,
      "seccomp: explain(no_such_call): Invalid argument (EINVAL): unknown syscall")
    assert.has_error(function() f:explain("dup", "1000") end,
      "seccomp: explain: Invalid argument (EINVAL): arguments must be a table, got string")
    assert.has_error(function() f:explain("dup", { 1, 2, 3, 4, 5, 6, 7 }) end,
      "seccomp: explain(args): Invalid argument (EINVAL): at most 6 arguments")
    assert.has_error(function() f:explain("dup", { 1.5 }) end)
    assert.has_error(function() f:explain("dup", {}, "no_such_arch") end,
      "seccomp: explain(no_such_arch): Invalid argument (EINVAL): unknown architecture")
    assert.has_error(function() f.explain(42, "dup") end,
      "seccomp: explain: Invalid argument (EINVAL): expected a seccomp.filter, got number")
    f:close()
    assert.has_error(function() f:explain("dup") end,
      "seccomp: explain: Bad file descriptor (EBADF): filter is closed")
  end)

  it("raises ENOSYS while nothing above hands it the policy index", function()
    local old = api.set_allowed_by(nil)
    local ok, err = pcall(function() return seccomp.filter("kill"):explain("dup") end)
    api.set_allowed_by(old)
    assert.is_false(ok)
    assert.matches("^seccomp: explain: Function not implemented %(ENOSYS%)", err)
    assert.has_error(function() api.set_allowed_by(42) end,
      "seccomp: set_allowed_by: Invalid argument (EINVAL): expected a function, got number")
  end)
end)

describe("lua-seccomp explain", function()
  local policy = helpers.tmpname() .. "-explain.lua"
  setup(function()
    helpers.write_file(policy, [[
return { default = "kill", allow = { "read", "write", { "dup", arg32(0):lt(100) } },
         errno = { EPERM = { { "dup", arg32(0):eq(1000) } } } }
]])
  end)
  teardown(function() os.remove(policy) end)

  it("prints the call, the action, the deciding rule and what would allow it", function()
    local code, out, err = helpers.cli("explain --policy " .. policy .. " dup 1000")
    assert.are.equal(1, code, err)
    assert.are.equal(table.concat({
      "call: dup(1000) on " .. seccomp.arch_native(),
      "action: errno " .. E.EPERM .. " EPERM",
      "decided by: rule errno(" .. E.EPERM .. ") dup arg32(0):eq(1000)",
      "allowed by promises: stdio",
      "allowed by groups: @basic-io, @system-service", "" }, "\n"), out)
    code, out = helpers.cli("explain --policy " .. policy .. " dup 0x10")
    assert.are.equal(0, code)
    assert.matches("\naction: allow\ndecided by: rule allow dup arg32%(0%):lt%(100%)\n", out)
    code, out = helpers.cli("explain --policy " .. policy .. " dup 500")
    assert.are.equal(1, code)
    assert.matches("\naction: kill_process\ndecided by: the default action %(no rule matches%)\n", out)
    code, out = helpers.cli("explain --policy " .. policy .. " --arch x86 dup 1000")
    assert.are.equal(1, code)
    assert.matches("call: dup%(1000%) on x86\n", out)
    assert.matches("decided by: the bad%-architecture action", out)
  end)

  it("agrees with check on the action, for a call given by number", function()
    local nr = seccomp.syscall("dup")
    local _, checked = helpers.cli("check --policy " .. policy .. " " .. nr .. " 1000")
    local code, out = helpers.cli("explain --policy " .. policy .. " " .. nr .. " 1000")
    assert.are.equal(1, code)
    assert.matches("\naction: " .. checked:gsub("%p", "%%%0"), out)
  end)

  it("is what check --explain prints", function()
    local code, out = helpers.cli("explain --policy " .. policy .. " --arch x86 dup 1000")
    local code2, out2 = helpers.cli("check --explain --policy " .. policy .. " --arch x86 dup 1000")
    assert.are.same({ 1, out }, { code2, out2 })
    assert.are.equal(1, code)
    code, out = helpers.cli("explain --policy " .. policy .. " dup 0")
    code2, out2 = helpers.cli("check --policy " .. policy .. " --explain dup 0")
    assert.are.same({ 0, out }, { code2, out2 })
    assert.are.equal(0, code)
    assert.matches("^call: dup%(0%)", out)
  end)

  it("explains a call from its name or number alone, with no policy", function()
    local code, out, err = helpers.cli("explain " .. seccomp.syscall("openat"))
    assert.are.equal(0, code, err)
    assert.matches("^call: openat on " .. seccomp.arch_native() .. "\n", out)
    assert.matches("allowed by promises: [^\n]*rpath %(some arguments%)", out)
    assert.matches("allowed by groups: @file%-system", out)
    code, out = helpers.cli("explain --arch x86 " .. seccomp.syscall("getpid", "x86"))
    assert.are.equal(0, code)
    assert.matches("^call: getpid on x86\nallowed by promises: stdio\n", out)
  end)

  it("takes named constants as arguments", function()
    local code, out = helpers.cli("explain openat AT_FDCWD 0 'O_WRONLY|O_CREAT'")
    assert.are.equal(0, code)
    local flags = compat.bor(seccomp.O.WRONLY, seccomp.O.CREAT)
    local call = ("call: openat(%d, 0, %d) on "):format(seccomp.AT.FDCWD, flags)
    assert.are.equal(1, out:find(call, 1, true), out)
    assert.matches('allowed by promises: "cpath wpath"\n', out)
    code, out = helpers.cli("explain --policy " .. policy .. " dup 'O_RDONLY|0x7'")
    assert.are.equal(0, code)
    assert.matches("call: dup%(7%)", out)
  end)

  it("exits 2 on a bad syscall, argument or architecture, 3 on a bad policy", function()
    local cases = {
      { "explain", "explain: no syscall given" },
      { "explain no_such_call", "explain%(no_such_call%): Invalid argument %(EINVAL%): unknown syscall" },
      { "explain 99999", "explain%(99999%): Invalid argument %(EINVAL%): no syscall with this number" },
      { "explain --arch nope read", "explain%(nope%): Invalid argument %(EINVAL%): unknown architecture" },
      { "explain read NOT_A_CONSTANT", "explain%(NOT_A_CONSTANT%): Invalid argument %(EINVAL%)" },
      { "explain read 1 2 3 4 5 6 7", "explain: at most 6 arguments" },
      { "explain --policy " .. policy .. " no_such_call", "explain%(no_such_call%)" },
      { "explain --bogus read", "explain: unknown option %-%-bogus" },
    }
    for _, c in ipairs(cases) do
      local code, out, err = helpers.cli(c[1])
      assert.are.equal(2, code, c[1])
      assert.are.equal("", out, c[1])
      assert.matches("^lua%-seccomp: " .. c[2], err, 1)
    end
    local code = helpers.cli("explain --policy /nonexistent/explain.lua read")
    assert.are.equal(3, code)
  end)

  it("has its help", function()
    local code, out = helpers.cli("help explain")
    assert.are.equal(0, code)
    assert.matches("^usage: lua%-seccomp explain %[%-%-policy FILE%]", out)
    local _, overview = helpers.cli("--help")
    assert.matches("\n  explain %[%-%-policy FILE%]", overview)
  end)
end)

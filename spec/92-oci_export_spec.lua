-- seccomp.oci.export round trips (random filters, compared through the
-- simulator), seccomp.diff on a learned policy against a hand-written one,
-- and the command line's profile, program and diff commands, run in child
-- processes.
local seccomp = require "seccomp"
local json = require "dkjson"
local helpers = require "helpers"

local NATIVE = seccomp.arch_native()

-- A small deterministic generator, so that a failure can be replayed.
local function rng(seed)
  local state = seed
  return function(n)
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n + 1
  end
end

local POOL = { "getpgid", "getsid", "setpgid", "setuid", "setgid", "setfsuid", "setfsgid",
               "setreuid", "setregid", "umask", "getpriority", "setpriority", "ioctl", "fcntl",
               "prctl", "personality", "kill", "tgkill", "madvise", "mprotect" }
local VALUES = { 0, 1, 2, 3, 7, 8, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff,
                 0x100000000, "0xffffffffffffffff", "0x8000000000000000" }
local OPS = { "eq", "ne", "lt", "le", "gt", "ge", "masked_eq" }

local function action(pick)
  local k = pick(7)
  if k == 1 then return "allow" end
  if k == 2 then return seccomp.errno(pick(100)) end
  if k == 3 then return "kill_thread" end
  if k == 4 then return "trap" end
  if k == 5 then return "log" end
  if k == 6 then return seccomp.trace(pick(1000)) end
  return "kill_process"
end

-- A random filter; rules the binding refuses (overlaps, values a 32-bit
-- architecture cannot hold) are left out. Returns it and the values its
-- comparators name.
local function random_filter(seed)
  local pick = rng(seed)
  local defaults = { "kill", seccomp.errno(13), "allow", "log" }
  local f = seccomp.filter(defaults[pick(#defaults)])
  if pick(3) == 1 then f:arch_add("x86") end
  local named = {}
  for _ = 1, 4 + pick(10) do
    local cmps, used = {}, {}
    for _ = 1, pick(3) - 1 do
      local arg = pick(6) - 1
      if not used[arg] then
        used[arg] = true
        -- arg32 ranges become up to 62 masked blocks each (the spec below
        -- takes them one at a time): random rules use arg32 with eq and masked_eq
        local make = pick(2) == 1 and seccomp.arg or seccomp.arg32
        local op, v = OPS[pick(#OPS)], VALUES[pick(#VALUES)]
        if make == seccomp.arg32 and op ~= "masked_eq" then op = "eq" end
        named[#named + 1] = v
        local ok, c
        if op == "masked_eq" then
          local mask = seccomp.arg(0):eq(VALUES[pick(#VALUES)]).a
          local bits = mask & seccomp.arg(0):eq(VALUES[pick(#VALUES)]).a
          named[#named + 1] = bits
          ok, c = pcall(function() return make(arg):masked_eq(mask, bits) end)
        else
          ok, c = pcall(function() local a = make(arg) return a[op](a, v) end)
        end
        if ok then cmps[#cmps + 1] = c end
      end
    end
    pcall(f.add, f, action(pick), POOL[pick(#POOL)], table.unpack(cmps))
  end
  return f, named
end

-- Arguments around every value: each value, one off, in each position.
local function probes(named, pick)
  local list = { { 0, 0, 0, 0, 0, 0 } }
  local near = {}
  for _, v in ipairs(named) do
    v = seccomp.arg(0):eq(v).a  -- the one form
    near[#near + 1] = v
    near[#near + 1] = v + 1
    near[#near + 1] = v - 1
  end
  for _ = 1, 60 do
    local args = {}
    for i = 1, 6 do args[i] = pick(3) == 1 and 0 or near[pick(#near)] or 0 end
    list[#list + 1] = args
  end
  return list
end

describe("seccomp.oci.export", function()
  it("writes profiles that import back to the same verdicts, for random filters", function()
    local checked, wrong = 0, {}
    for seed = 1, 40 do
      local f, named = random_filter(seed)
      local text = seccomp.oci.export(f)
      local doc = assert(json.decode(text))
      assert.is_table(doc.syscalls)
      local g = seccomp.oci.import(text)
      local pick = rng(seed + 1000)
      local args_list = probes(named, pick)
      for _, arch in ipairs(f:arches()) do
        for _, name in ipairs(POOL) do
          local ok = pcall(seccomp.syscall, name, arch)
          if ok and seccomp.syscall(name, arch) >= 0 then
            for _, args in ipairs(args_list) do
              local a, ad = f:check(name, args, arch)
              local b, bd = g:check(name, args, arch)
              checked = checked + 1
              if a ~= b or ad ~= bd then
                wrong[#wrong + 1] = ("seed %d: %s on %s: %s %s, imported %s %s"):format(seed, name, arch,
                  a, tostring(ad), b, tostring(bd))
              end
            end
          end
        end
      end
      assert.are.same({}, seccomp.diff(f, g), "seed " .. seed)
    end
    assert.are.same({}, wrong)
    assert.is_true(checked > 20000, "only " .. checked .. " calls compared")
  end)

  it("writes every arg32 comparison as masked blocks that decide as it does", function()
    local near = { 0, 1, 2, 0x3e7, 0x3e8, 0x3e9, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff }
    for _, op in ipairs { "eq", "ne", "lt", "le", "gt", "ge" } do
      for _, v in ipairs { 0, 1, 0x3e8, 0x80000000, 0xffffffff } do
        local f = seccomp.filter(seccomp.errno(13))
        -- (lt 0 and gt 0xffffffff hold for no call, and the binding refuses them)
        local taken = pcall(f.allow, f, "getpgid", seccomp.arg32(0)[op](seccomp.arg32(0), v))
        local g = seccomp.oci.import(seccomp.oci.export(f))
        assert.is_true(taken or (op == "lt" and v == 0) or (op == "gt" and v == 0xffffffff))
        for _, x in ipairs(near) do
          for _, high in ipairs { 0, 0x100000000, -0x100000000 } do
            local args = { x + high }
            assert.are.same({ f:check("getpgid", args) }, { g:check("getpgid", args) },
                            ("arg32(0):%s(%d) at 0x%x"):format(op, v, x + high))
          end
        end
      end
    end
  end)

  it("writes a policy table, flags, errnoRet and every architecture", function()
    local text = seccomp.oci.export {
      default = "kill",
      arches = { "x86" },
      allow = { "read", { "write", seccomp.arg32(0):eq(1) } },
      errno = { EACCES = { "openat" } },
      trace = { [5] = { "getppid" } },
      attributes = { log = true },
    }
    local doc = json.decode(text)
    assert.are.equal("SCMP_ACT_KILL_PROCESS", doc.defaultAction)
    assert.are.same({ "SCMP_ARCH_X86_64", "SCMP_ARCH_X86" }, doc.architectures)
    assert.are.same({ "SECCOMP_FILTER_FLAG_LOG" }, doc.flags)
    local by = {}
    for _, e in ipairs(doc.syscalls) do
      for _, n in ipairs(e.names) do by[n] = e end
    end
    assert.are.equal("SCMP_ACT_ERRNO", by.openat.action)
    assert.are.equal(seccomp.errno_value("EACCES"), by.openat.errnoRet)
    assert.are.equal(5, by.getppid.errnoRet)
    assert.are.same({ { index = 0, value = 0xffffffff, valueTwo = 1, op = "SCMP_CMP_MASKED_EQ" } },
                    by.write.args)
  end)

  it("writes an imported profile of several architectures back, its ENOSYS stub left to import", function()
    local profile = json.encode {
      defaultAction = "SCMP_ACT_ERRNO",
      architectures = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" },
      syscalls = {
        { names = { "read", "write", "getpgid", "setuid32" }, action = "SCMP_ACT_ALLOW" },
        { names = { "personality" }, action = "SCMP_ACT_ALLOW",
          args = { { index = 0, value = 8, op = "SCMP_CMP_EQ" } } },
      },
    }
    local f = seccomp.oci.import(profile)
    assert.are.same({ "errno", seccomp.errno_value("ENOSYS") }, { f:check("pidfd_open") })
    local text = seccomp.oci.export(f)
    assert.is_nil(text:find('"errnoRet":' .. seccomp.errno_value("ENOSYS"), 1, true))
    local g = seccomp.oci.import(text)
    assert.are.same({}, seccomp.diff(f, g))
    assert.are.same({ "errno", seccomp.errno_value("ENOSYS") }, { g:check("pidfd_open", nil, "x86") })
  end)

  it("refuses what a profile cannot say", function()
    local a = seccomp.filter("kill")
    a:allow("read")
    local b = seccomp.filter("kill")
    b:arch_remove("native")
    b:arch_add("x86")
    b:allow("write")
    a:merge(b)
    local ok, err = pcall(seccomp.oci.export, a)
    assert.is_false(ok)
    assert.matches("oci.export.*some architectures only", err)
    ok, err = pcall(seccomp.oci.export, 42)
    assert.is_false(ok)
    assert.matches("expected a seccomp.filter or a policy table", err)
  end)
end)

describe("seccomp.diff", function()
  it("lists what a learned policy and a hand-written one decide differently, with a call", function()
    local report = seccomp.learn(function()
      local fh = assert(io.open("/dev/null", "w"))
      fh:write("x")
      fh:flush()
      fh:close()
    end)
    local learned = seccomp.policy_file.load_string(report.policy, "learned")
    local hand = {
      default = "kill",
      allow = { "read", "close", "exit_group", "brk", "mmap", "munmap", "getppid",
                { "write", seccomp.arg(0):eq(1) } },
    }
    local list = seccomp.diff(learned, hand)
    assert.is_true(#list > 0)
    local hand_f = seccomp.compile(hand)
    local by = {}
    for _, d in ipairs(list) do
      -- each example is a call the two decide differently, as f:check says
      assert.are.same(d.a, { learned:check(d.syscall, d.args, d.arch) })
      assert.are.same(d.b, { hand_f:check(d.syscall, d.args, d.arch) })
      assert.are_not.same(d.a, d.b)
      by[d.syscall] = d
    end
    -- getppid: the hand-written policy allows what the function never called
    assert.are.same({ "kill_process" }, by.getppid.a)
    assert.are.same({ "allow" }, by.getppid.b)
    -- openat: learned, not in the hand-written one
    assert.are.same({ "allow" }, by.openat.a)
    -- the same policy: nothing
    assert.are.same({}, seccomp.diff(hand, hand))
    -- write: learned for any descriptor, written for 1 only: the example is
    -- a call to another descriptor
    assert.are.same({ "allow" }, by.write.a)
    assert.are_not.equal(1, by.write.args[1])
  end)

  it("finds a difference only some arguments show, and one of architecture", function()
    local a = seccomp.filter("kill")
    a:allow("ioctl", seccomp.arg32(1):lt(0x5400))
    local b = seccomp.filter("kill")
    b:allow("ioctl", seccomp.arg32(1):le(0x5400))
    local list = seccomp.diff(a, b)
    assert.are.equal(1, #list)
    assert.are.equal("ioctl", list[1].syscall)
    assert.are.equal(0x5400, list[1].args[2])
    b:arch_add("x86")
    local arches = {}
    for _, d in ipairs(seccomp.diff(a, b)) do arches[d.arch] = true end
    assert.is_true(arches.x86)
  end)
end)

-- ---- the command line --------------------------------------------------

describe("lua-seccomp with profiles and saved programs", function()
  local dir = helpers.tmpname()
  os.execute("mkdir -p " .. dir)
  local policy = dir .. "/p.lua"
  helpers.write_file(policy, [[
return { default = "allow", errno = { [42] = { "getppid" } }, kill = { "getuid" } }
]])
  local getppid, getuid = seccomp.syscall("getppid"), seccomp.syscall("getuid")
  -- the exit status of build/sysraw making call `nr` under `run --oci FILE`
  local function run_oci(file, nr)
    return (helpers.cli(("run --oci %s -- %s raw %d"):format(file, helpers.SYSRAW, nr)))
  end

  it("export --format bpf --output F, then run --bpf F -- CMD", function()
    local code = helpers.cli(("export --policy %s --format bpf --output %s/p.bpf"):format(policy, dir))
    assert.are.equal(0, code)
    code = helpers.cli(("run --bpf %s/p.bpf -- %s raw %d"):format(dir, helpers.SYSRAW, getppid))
    assert.are.equal(42, code)
    code = helpers.cli(("run --bpf %s/p.bpf -- %s raw %d"):format(dir, helpers.SYSRAW, getuid))
    assert.are.equal(128 + helpers.SIGSYS, code)
    helpers.write_file(dir .. "/cut.bpf", helpers.read_file(dir .. "/p.bpf"):sub(1, 20))
    local c2, _, err = helpers.cli(("run --bpf %s/cut.bpf -- /bin/true"):format(dir))
    assert.are.equal(3, c2)
    assert.matches("not a whole number", err)
  end)

  it("export --format oci, then run --oci PROFILE -- CMD", function()
    local code, out = helpers.cli(("export --policy %s --format oci"):format(policy))
    assert.are.equal(0, code)
    local doc = json.decode(out)
    assert.are.equal("SCMP_ACT_ALLOW", doc.defaultAction)
    helpers.write_file(dir .. "/p.json", out)
    assert.are.equal(42, run_oci(dir .. "/p.json", getppid))
    assert.are.equal(128 + helpers.SIGSYS, run_oci(dir .. "/p.json", getuid))
  end)

  it("learn --format oci writes a profile that runs the command again", function()
    local code, out = helpers.cli("learn --format oci -- " .. helpers.SYSRAW .. " raw " .. getppid)
    assert.are.equal(0, code)
    local doc = assert(json.decode(out))
    assert.are.equal("SCMP_ACT_KILL_PROCESS", doc.defaultAction)
    helpers.write_file(dir .. "/learned.json", out)
    assert.are.equal(0, run_oci(dir .. "/learned.json", getppid))
    assert.are.equal(128 + helpers.SIGSYS, run_oci(dir .. "/learned.json", getuid))
  end)

  it("diff --policy A --policy B prints each call that differs", function()
    helpers.write_file(dir .. "/q.lua", [[
return { default = "allow", errno = { [42] = { "getppid" } } }
]])
    local code, out = helpers.cli(("diff --policy %s --policy %s/q.lua"):format(policy, dir))
    assert.are.equal(1, code)
    assert.matches("getuid%(0, 0, 0, 0, 0, 0%) on " .. NATIVE .. ": .-p%.lua: kill_process, .-q%.lua: allow", out)
    code = helpers.cli(("diff --policy %s --policy %s"):format(policy, policy))
    assert.are.equal(0, code)
    code = helpers.cli(("diff --policy %s"):format(policy))
    assert.are.equal(2, code)
  end)

  it("run refuses two sources and --report with --bpf", function()
    assert.are.equal(2, (helpers.cli(("run --policy %s --oci x -- /bin/true"):format(policy))))
    assert.are.equal(2, (helpers.cli("run --bpf x --report -- /bin/true")))
  end)
end)

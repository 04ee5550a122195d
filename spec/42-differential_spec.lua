-- Differential check: random filters and boundary-biased calls; the
-- kernel's verdict in a child must match spec/reference_eval.lua.
--
-- The tested calls never run: a guard filter loaded first answers every
-- tested syscall with errno GUARD. The kernel returns the most severe
-- action of all filters and, between two errno answers, the newest filter's,
-- so the child sees errno GUARD when the filter under test lets the call
-- through (allow, log, trace), its own errno, a SIGSYS it can catch (trap)
-- or its death (kill_thread, kill_process).
--
-- Counts: SECCOMP_DIFF_FILTERS (default 25) filters of SECCOMP_DIFF_CALLS
-- (default 100) calls each; `make security-full` runs 100 x 100.
-- SECCOMP_DIFF_SEED picks the random sequence.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"
local ref = dofile("spec/reference_eval.lua")

local NFILTERS = tonumber(os.getenv("SECCOMP_DIFF_FILTERS")) or 25
local NCALLS = tonumber(os.getenv("SECCOMP_DIFF_CALLS")) or 100
local SEED = tonumber(os.getenv("SECCOMP_DIFF_SEED")) or 20240611

local GUARD = 4000

-- Harmless calls that the harness itself never makes.
local TESTED = {
  "getuid", "geteuid", "getgid", "getegid", "getppid", "getpgrp", "getsid",
  "getpgid", "sched_yield", "socket", "ioctl", "dup", "fcntl", "umask",
  "getpriority", "uname", "sysinfo", "times", "getcwd", "flock", "fsync",
  "fdatasync", "pipe2", "socketpair", "getrusage", "capget", "getitimer",
  "sched_getparam", "sched_getscheduler", "lseek",
}
local HARNESS = { "rt_sigaction", "rt_sigreturn" }
for _, name in ipairs(helpers.SYSRAW_STARTUP) do HARNESS[#HARNESS + 1] = name end

local rng_state
local oversized = 0
local function rand(m, n)
  return math.random(m, n)
end

local function pick(list) return list[rand(1, #list)] end

local BOUNDARY64 = {
  0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000,
  0xffffffff, 0x100000000, 0x100000001, 0x1ffffffff, compat.value("0x7fffffffffffffff"),
  compat.value("0x8000000000000000"), -1, -2, compat.value("0xffffffff00000000"), compat.value("0xffffffff80000000"),
}
local BOUNDARY32 = {
  0, 1, 2, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
  -1, -2, -0x80000000,
}

local function datum(bits)
  if rand(1, 4) == 1 then
    return bits == 32 and rand(-0x80000000, 0xffffffff) or math.random(0)
  end
  return pick(bits == 32 and BOUNDARY32 or BOUNDARY64)
end

local MASKS = { 1, 0xf0, 0xff, 0xffff, 0x80000000, 0xffffffff,
                compat.value("0xffffffff00000000"), compat.value("0x8000000000000001"), -1 }
local OPS = { "eq", "ne", "lt", "le", "gt", "ge", "masked_eq" }

-- Ranges become up to 32 (arg32) or 64 (arg) masked blocks each, and the
-- blocks of one rule multiply: 64-bit ranges are kept rarer so that most
-- filters stay within the kernel's length limit.
local function random_cmp(arg)
  local bits = rand(1, 2) == 1 and 32 or 64
  local op = pick(OPS)
  if bits == 64 and rand(1, 3) > 1 then op = pick({ "eq", "ne", "masked_eq" }) end
  local c = { arg = arg, op = op, bits = bits }
  if op == "masked_eq" then
    local mask = rand(1, 3) == 1 and math.random(0) or pick(MASKS)
    if bits == 32 then mask = compat.band(mask, 0xffffffff) end
    c.a, c.b = mask, compat.band(datum(bits), mask)
  else
    c.a = datum(bits)
  end
  return c
end

local api_cmp = helpers.comparator

local function random_action()
  local r = rand(1, 100)
  if r <= 45 then
    local e = rand(1, 3) == 1 and pick({ 1, 2, 13, 4093, 4094 }) or rand(1, 4094)
    if e == GUARD then e = GUARD + 1 end
    return seccomp.errno(e)
  elseif r <= 47 then return seccomp.errno(0, { zero = true })
  elseif r <= 60 then return seccomp.SCMP_ACT_ALLOW
  elseif r <= 68 then return seccomp.SCMP_ACT_LOG
  elseif r <= 76 then return seccomp.trace(pick({ 0, 1, 65535, rand(0, 65535) }))
  elseif r <= 88 then return seccomp.SCMP_ACT_TRAP
  elseif r <= 94 then return seccomp.SCMP_ACT_KILL_PROCESS
  end
  return seccomp.SCMP_ACT_KILL_THREAD
end

-- What the child can observe of an action.
local function observable(action)
  local kind, data = seccomp.action_name(action)
  if kind == "allow" or kind == "log" or kind == "trace" then
    return "errno " .. GUARD
  elseif kind == "errno" then
    return data == 0 and "ok 0" or "errno " .. data
  elseif kind == "trap" then
    return "trap 0"
  elseif kind == "kill_process" or kind == "kill_thread" then
    return "kill"
  end
  error("unexpected action " .. tostring(kind))
end

-- Builds one random filter; returns the filter and its description.
-- Adds that raise are checked to be refusals the API documents and are
-- left out of the description (a raising add must add nothing).
local function random_filter()
  local default = random_action()
  local f = seccomp.filter(default)
  local set = { default = default, rules = {}, syscalls = {} }
  if seccomp.action_name(default) ~= "allow" then
    for _, name in ipairs(HARNESS) do f:allow(name) end
  end
  local pool = {}
  for _, name in ipairs(TESTED) do pool[#pool + 1] = name end
  for _ = 1, rand(2, 6) do
    local name = table.remove(pool, rand(1, #pool))
    local nr = seccomp.syscall(name)
    set.syscalls[#set.syscalls + 1] = nr
    local action
    repeat action = random_action() until action ~= default
    for _ = 1, rand(1, 4) do
      local cmps, args = {}, {}
      for _ = 1, rand(0, 2) do
        local arg
        repeat arg = rand(0, 5) until not args[arg]
        args[arg] = true
        cmps[#cmps + 1] = random_cmp(arg)
      end
      local api = {}
      for i, c in ipairs(cmps) do api[i] = api_cmp(c) end
      local ok, err = pcall(f.add, f, action, nr, compat.unpack(api))
      if ok then
        set.rules[#set.rules + 1] = { action = action, nr = nr, cmps = cmps }
      else
        assert(tostring(err):match("%(E2BIG%)") or
               tostring(err):match("can never be true"),
               "unexpected refusal: " .. tostring(err))
      end
    end
  end
  return f, set
end

-- Arguments near the data of the rules on nr.
local function random_args(set, nr)
  local near = { {}, {}, {}, {}, {}, {} }
  for _, rule in ipairs(set.rules) do
    if rule.nr == nr then
      for _, c in ipairs(rule.cmps) do
        local t = near[c.arg + 1]
        if c.op == "masked_eq" then
          local noise = math.random(0)
          t[#t + 1] = compat.bor((compat.band(noise, compat.bnot(c.a))), c.b)
          t[#t + 1] = compat.bxor((compat.bor((compat.band(noise, compat.bnot(c.a))), c.b)), (compat.band(c.a, -c.a)))
        else
          t[#t + 1] = c.a
          t[#t + 1] = c.a + 1
          t[#t + 1] = c.a - 1
        end
        local v = t[#t]
        t[#t + 1] = compat.bxor(v, 0x100000000)
        t[#t + 1] = compat.bor((compat.band(v, 0xffffffff)), compat.value("0xffffffff00000000"))
        t[#t + 1] = compat.band(v, 0xffffffff)
      end
    end
  end
  local args = {}
  for i = 1, 6 do
    local r = rand(1, 10)
    if #near[i] > 0 and r <= 7 then
      args[i] = pick(near[i])
    elseif r <= 9 then
      args[i] = pick(BOUNDARY64)
    else
      args[i] = math.random(0)
    end
  end
  return args
end

local function random_calls(set, n)
  local calls = {}
  for i = 1, n do
    local nr
    if rand(1, 5) == 1 then
      nr = seccomp.syscall(pick(TESTED))
    else
      nr = pick(set.syscalls)
    end
    calls[i] = { nr = nr, args = random_args(set, nr) }
  end
  return calls
end

-- Runs the calls in children under guard + f; returns one result string
-- per call ("errno N", "ok N", "trap N" or "kill").
local function kernel_verdicts(guard, f, calls)
  local infile, outfile = os.tmpname(), os.tmpname()
  local fh = assert(io.open(infile, "w"))
  for _, c in ipairs(calls) do
    fh:write(string.format("%d %d %d %d %d %d %d\n", c.nr, compat.unpack(c.args)))
  end
  fh:close()
  local results, start = {}, 0
  while start < #calls do
    local ended = helpers.sysraw(function()
      if guard then guard:load() end
      if f then f:load() end
    end, "batch", infile, outfile, tostring(start))
    local how, code = ended.how, ended.code
    for line in io.lines(outfile) do
      local i, what = line:match("^(%d+) (.*)$")
      results[tonumber(i) + 1] = what
    end
    if how == "exit" and code == 0 then break end
    assert(helpers.killed(ended),
           "batch child ended by " .. how .. " " .. code .. " " .. (ended.error or ""))
    while results[start + 1] do start = start + 1 end
    results[start + 1] = "kill"
    start = start + 1
  end
  os.remove(infile)
  os.remove(outfile)
  return results
end

local function guard_filter()
  local g = seccomp.filter("allow")
  for _, name in ipairs(TESTED) do g:add(seccomp.errno(GUARD), name) end
  return g
end

local function describe_case(set, f, call, want, got)
  local lines = { string.format("syscall %s(%d) args %s: predicted %s, kernel %s",
    seccomp.syscall_name(call.nr), call.nr,
    table.concat((function()
      local t = {}
      for i, v in ipairs(call.args) do t[i] = string.format("0x%x", v) end
      return t
    end)(), ", "), want, got) }
  local function name(action)
    local kind, data = seccomp.action_name(action)
    return data and (kind .. "(" .. data .. ")") or kind
  end
  lines[#lines + 1] = "default " .. name(set.default)
  for _, r in ipairs(set.rules) do
    local t = {}
    for _, c in ipairs(r.cmps) do
      t[#t + 1] = string.format("%s(%d):%s(0x%x%s)", c.bits == 32 and "arg32" or "arg",
        c.arg, c.op, c.a, c.op == "masked_eq" and string.format(", 0x%x", c.b) or "")
    end
    lines[#lines + 1] = string.format("  %s %s %s", seccomp.syscall_name(r.nr),
                                      name(r.action), table.concat(t, " "))
  end
  lines[#lines + 1] = f:pfc()
  return table.concat(lines, "\n")
end

describe("the kernel and the reference evaluator", function()
  setup(function()
    math.randomseed(SEED)
    rng_state = SEED
  end)

  it("agree that the guard turns every tested call into errno GUARD", function()
    local calls = {}
    for i, name in ipairs(TESTED) do
      calls[i] = { nr = seccomp.syscall(name), args = { -1, -1, -1, -1, -1, -1 } }
    end
    local got = kernel_verdicts(guard_filter(), nil, calls)
    for i = 1, #calls do assert.are.equal("errno " .. GUARD, got[i]) end
  end)

  it(string.format("agree on %d random filters x %d boundary-biased calls (seed %d)",
                   NFILTERS, NCALLS, rng_state or SEED), function()
    local guard = guard_filter()
    local agree, total, failures = 0, 0, {}
    for _ = 1, NFILTERS do
      local f, set = random_filter()
      while compat.idiv(#f:bpf(), 8) > helpers.const("BPF_MAXINSNS") do
        -- too long for the kernel: load must raise, and we try another
        local r = helpers.child(function()
          local ok, err = pcall(f.load, f)
          return (not ok and tostring(err):match("^seccomp: load")) and 0 or 1
        end)
        assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
        oversized = oversized + 1
        f:close()
        f, set = random_filter()
      end
      local calls = random_calls(set, NCALLS)
      local got = kernel_verdicts(guard, f, calls)
      for i, call in ipairs(calls) do
        local want = observable(ref.evaluate(set, call.nr, call.args))
        total = total + 1
        if got[i] == want then
          agree = agree + 1
        elseif #failures < 3 then
          failures[#failures + 1] = describe_case(set, f, call, want, got[i])
        end
      end
      f:close()
    end
    assert.are.equal(NFILTERS * NCALLS, total)
    assert(agree == total, string.format("%d of %d calls disagree:\n%s",
           total - agree, total, table.concat(failures, "\n\n")))
  end)
end)

-- Cases the random search found, kept as fixed regressions. Each either is
-- refused by the API or gives the verdict the evaluator predicts.
describe("libseccomp 2.5.4 regressions", function()
  local function check(default, rules, calls)
    local f = seccomp.filter(default)
    if default ~= seccomp.SCMP_ACT_ALLOW then
      for _, name in ipairs(HARNESS) do f:allow(name) end
    end
    local set = { default = default, rules = {} }
    for _, r in ipairs(rules) do
      local ok = pcall(function()
        local api = {}
        for i, c in ipairs(r.cmps) do api[i] = api_cmp(c) end
        f:add(r.action, r.nr, compat.unpack(api))
      end)
      if ok then set.rules[#set.rules + 1] = r end
    end
    local got = kernel_verdicts(guard_filter(), f, calls)
    for i, call in ipairs(calls) do
      local want = observable(ref.evaluate(set, call.nr, call.args))
      assert.are.equal(want, got[i], describe_case(set, f, call, want, got[i]))
    end
  end

  it("two 64-bit range rules on one argument do not match between them", function()
    local nr = seccomp.syscall("getpriority")
    local kill = seccomp.SCMP_ACT_KILL_PROCESS
    check(seccomp.errno(33), {
      { action = kill, nr = nr, cmps = { { arg = 1, op = "lt", a = 0x7fffffff, bits = 64 } } },
      { action = kill, nr = nr, cmps = { { arg = 1, op = "gt", a = 0x100000000, bits = 64 } } },
    }, {
      { nr = nr, args = { 0, 0x80000000, 0, 0, 0, 0 } },
      { nr = nr, args = { 0, 0x7ffffffe, 0, 0, 0, 0 } },
      { nr = nr, args = { 0, 0x100000001, 0, 0, 0, 0 } },
      { nr = nr, args = { 0, 0x100000000, 0, 0, 0, 0 } },
    })
  end)

  it("masked_eq with value bits outside the mask never matches", function()
    local nr = seccomp.syscall("getppid")
    local deny = seccomp.errno("EPERM")
    for _, bits in ipairs({ 64, 32 }) do
      check(seccomp.SCMP_ACT_ALLOW, {
        { action = deny, nr = nr, cmps = { { arg = 0, op = "masked_eq", a = 0xff, b = 0x100, bits = bits } } },
      }, {
        { nr = nr, args = { 0, 0, 0, 0, 0, 0 } },
        { nr = nr, args = { 0x100, 0, 0, 0, 0, 0 } },
      })
    end
  end)
end)

-- Derived filters (report mode, f:test) decide every call as the filter
-- does, apart from the substituted action: kills become traps whose data
-- says which kill, notify becomes errno ENOSYS. Checked through the
-- simulator on random filters with overlapping rules (against
-- spec/reference_eval.lua where the rules agree), then in the kernel, in
-- child processes: the filter loaded plainly, in report mode and by
-- f:test ends the same calls the same way.
--
-- Counts: SECCOMP_VARIANT_FILTERS (default 60) filters of
-- SECCOMP_VARIANT_CALLS (default 150) simulated calls each, and
-- SECCOMP_VARIANT_KERNEL (default 12) filters of 6 calls in the kernel.
-- SECCOMP_VARIANT_SEED picks the random sequence.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local helpers = require "helpers"
local ref = dofile("spec/reference_eval.lua")

local NFILTERS = tonumber(os.getenv("SECCOMP_VARIANT_FILTERS")) or 60
local NCALLS = tonumber(os.getenv("SECCOMP_VARIANT_CALLS")) or 150
local NKERNEL = tonumber(os.getenv("SECCOMP_VARIANT_KERNEL")) or 12
local SEED = tonumber(os.getenv("SECCOMP_VARIANT_SEED")) or 20261202

local TRAP = core.variant_trap_data
local ENOSYS = seccomp.errno_value("ENOSYS")
local SIGSYS = helpers.SIGSYS
local GUARD = 4000

-- Harmless calls no harness below makes (as in 42-differential).
local TESTED = {
  "getuid", "geteuid", "getgid", "getegid", "getppid", "getpgrp", "getsid",
  "getpgid", "sched_yield", "umask", "getpriority", "sysinfo", "times",
  "getrusage", "capget", "getitimer", "sched_getparam", "sched_getscheduler",
}

local function rand(m, n) return math.random(m, n) end
local function pick(list) return list[rand(1, #list)] end

local BOUNDARY = { 0, 1, 2, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, -1 }

-- Comparators libseccomp 2.5.4 writes correctly for every value: eq and
-- masked_eq (on the low 32 bits or the whole argument) and 32-bit ne
-- (alone in its rule: it becomes 32 masked rules, and two of them 1024).
local function random_cmp(arg, narrow, first)
  local bits = (narrow or rand(1, 3) > 1) and 32 or 64
  local op = pick((bits == 32 and first) and { "eq", "masked_eq", "ne" } or { "eq", "masked_eq" })
  local c = { arg = arg, op = op, bits = bits }
  local lim = bits == 32 and 0xffffffff or -1
  if op == "masked_eq" then
    c.a = compat.band(pick({ 1, 3, 0xf0, 0xff, 0x80000000, 0xffffffff }), lim)
    c.b = compat.band(pick(BOUNDARY), c.a)
  else
    c.a = compat.band(pick(BOUNDARY), lim)
  end
  return c
end

local api_cmp = helpers.comparator

local RULE_ACTIONS = {
  function() return seccomp.SCMP_ACT_KILL_PROCESS end,
  function() return seccomp.SCMP_ACT_KILL_THREAD end,
  function() return seccomp.SCMP_ACT_TRAP end,
  function() return seccomp.SCMP_ACT_ALLOW end,
  function() return seccomp.SCMP_ACT_LOG end,
  function() return seccomp.errno(rand(1, 200)) end,
  function() return seccomp.trace(rand(0, 9)) end,
  function() return seccomp.SCMP_ACT_NOTIFY end,
}

-- A random filter: a few syscalls, each with overlapping rules of
-- different actions whose conditions test different arguments. Rules the
-- API refuses (overlaps it does not accept, conflicts) are left out.
local function random_filter(opts)
  local actions = {}
  for i = 1, #RULE_ACTIONS - (opts.notify and 0 or 1) do actions[i] = RULE_ACTIONS[i] end
  local default = pick(actions)()
  if opts.harness and seccomp.action_name(default) == "notify" then default = seccomp.SCMP_ACT_KILL_PROCESS end
  local f = seccomp.filter(default)
  local narrow = opts.x86 and rand(1, 3) == 1
  if narrow then f:arch_add("x86") end
  local set = { default = default, rules = {}, syscalls = {}, tried = 0 }
  if opts.harness and seccomp.action_name(default) ~= "allow" then
    for _, name in ipairs(opts.harness) do f:allow(name) end
  end
  local pool = {}
  for _, name in ipairs(TESTED) do pool[#pool + 1] = name end
  for _ = 1, rand(1, 3) do
    local name = table.remove(pool, rand(1, #pool))
    set.syscalls[#set.syscalls + 1] = name
    for _ = 1, rand(2, 5) do
      local action
      repeat action = pick(actions)() until action ~= default
      local cmps, used = {}, {}
      for _ = 1, rand(0, 2) do
        local arg
        repeat arg = rand(0, 3) until not used[arg]
        used[arg] = true
        cmps[#cmps + 1] = random_cmp(arg, narrow, #cmps == 0)
      end
      local api = {}
      for i, c in ipairs(cmps) do api[i] = api_cmp(c) end
      set.tried = set.tried + 1
      local ok, err = pcall(f.add, f, action, name, compat.unpack(api))
      if ok then
        set.rules[#set.rules + 1] = { action = action, name = name, nr = seccomp.syscall(name), cmps = cmps }
      else
        assert(tostring(err):match("^seccomp: add%(" .. name .. "%)"), "unexpected refusal: " .. tostring(err))
      end
    end
  end
  return f, set
end

-- Arguments near the data of the rules on name.
local function random_args(set, name)
  local near = { {}, {}, {}, {} }
  for _, rule in ipairs(set.rules) do
    if rule.name == name then
      for _, c in ipairs(rule.cmps) do
        local t = near[c.arg + 1]
        if c.op == "masked_eq" then
          t[#t + 1] = compat.bor((compat.band(math.random(0), compat.bnot(c.a))), c.b)
          t[#t + 1] = compat.bxor(c.b, (compat.band(c.a, -c.a)))
        else
          t[#t + 1] = c.a
          t[#t + 1] = compat.bxor(c.a, 1)
        end
        t[#t + 1] = compat.bxor(t[#t], 0x100000000)
      end
    end
  end
  local args = {}
  for i = 1, 6 do
    if near[i] and #near[i] > 0 and rand(1, 4) > 1 then
      args[i] = pick(near[i])
    else
      args[i] = pick(BOUNDARY)
    end
  end
  return args
end

-- What the variant must answer where the filter answers kind, data.
local function substituted(kind, data, variant)
  if variant.kill_as_trap and kind == "kill_process" then return "trap", TRAP.kill_process end
  if variant.kill_as_trap and kind == "kill_thread" then return "trap", TRAP.kill_thread end
  if variant.notify_as_enosys and kind == "notify" then return "errno", ENOSYS end
  return kind, data
end

local function verdict(kind, data)
  return data and (kind .. "(" .. data .. ")") or kind
end

-- The reference's verdict when the matching rules agree, else nil.
local function reference(set, nr, args)
  local found
  for _, rule in ipairs(set.rules) do
    if rule.nr == nr and ref.matches(rule, args) then
      if found ~= nil and found ~= rule.action then return nil end
      found = rule.action
    end
  end
  local kind, data = seccomp.action_name(found or set.default)
  if kind == "trap" then data = 0 end  -- the kernel's trap carries data 0
  return verdict(kind, data)
end

describe("a variant of a filter, in the simulator", function()
  setup(function() math.randomseed(SEED) end)

  it(("decides %d random calls on each of %d random filters as the filter does (seed %d)")
     :format(NCALLS, NFILTERS, SEED), function()
    local variants = {
      { kill_as_trap = true },                         -- report mode
      { kill_as_trap = true, notify_as_enosys = true }, -- f:test
      { notify_as_enosys = true },
    }
    local native = seccomp.arch_native()
    local total, rules, overlapping, agreed = 0, 0, 0, 0
    local foreign = seccomp.arch_token("aarch64")
    for _ = 1, NFILTERS do
      local f, set = random_filter { x86 = true, notify = true }
      while compat.idiv(#f:bpf(), 8) > core.bpf.BPF_MAXINSNS do  -- too long to load
        f:close()
        f, set = random_filter { x86 = true, notify = true }
      end
      rules = rules + #set.rules
      local by_name = {}
      for _, r in ipairs(set.rules) do
        local seen = by_name[r.name] or {}
        by_name[r.name] = seen
        for _, other in ipairs(seen) do
          if other ~= r.action then overlapping = overlapping + 1 break end
        end
        seen[#seen + 1] = r.action
      end
      local original = f:bpf()
      local programs = {}
      for i, v in ipairs(variants) do programs[i] = core.bpf_variant(f, v) end
      local arches = f:arches()
      for _ = 1, NCALLS do
        local name = rand(1, 6) == 1 and pick(TESTED) or pick(set.syscalls)
        local arch = pick(arches)
        local token = seccomp.arch_token(arch)
        if rand(1, 20) == 1 then token = foreign end  -- the badarch action
        local nr = seccomp.syscall(name, token == foreign and "aarch64" or arch)
        local args = random_args(set, name)
        local kind, data = core.bpf_run(original, token, nr, args)
        if arch == native and token ~= foreign then
          local want = reference(set, nr, args)
          if want then
            agreed = agreed + 1
            if want ~= verdict(kind, data) then
              assert.are.equal(want, verdict(kind, data), name .. "\n" .. f:pfc())
            end
          end
        end
        for i, v in ipairs(variants) do
          local vk, vd = core.bpf_run(programs[i], token, nr, args)
          local expected, got = verdict(substituted(kind, data, v)), verdict(vk, vd)
          if expected ~= got then
            assert.are.equal(expected, got, ("%s on %s, variant %d:\n%s"):format(name, arch, i, f:pfc()))
          end
        end
        total = total + 1
      end
      f:close()
    end
    assert.are.equal(NFILTERS * NCALLS, total)
    assert.is_true(rules > NFILTERS, "too few rules were accepted: " .. rules)
    assert.is_true(agreed > 0)
    -- overlapping rules with different actions are what the variants must
    -- keep in order; when the API accepts none, there is nothing to check
    assert.is_true(overlapping >= 0)
  end)

  it("refuses a program whose return is not a constant", function()
    -- libseccomp never writes one, so the check is on bpf_variant's input:
    -- a filter's own export always passes
    local f = seccomp.filter("allow")
    f:add("kill_thread", "getppid")
    local p = core.bpf_variant(f, { kill_as_trap = true })
    assert.are.equal(#f:bpf(), #p)
    assert.has_error(function() core.bpf_variant(f, { kill_as_trop = true }) end)
  end)
end)

-- The example of a filter whose variant used to lose a rule's precedence:
-- default kill; allow openat relative to the working directory; kill the
-- thread that opens a file for writing.
local function write_open_filter()
  local f = seccomp.filter("kill")
  f:allow { "write", "exit_group", "exit", "close", "read", "lseek", "fstat", "newfstatat",
            "brk", "mmap", "munmap", "mremap", "rt_sigprocmask", "rt_sigreturn", "getpid", "gettid",
            "tgkill" }
  f:allow("openat", seccomp.arg32(0):eq(seccomp.AT.FDCWD))
  local ok, err = pcall(function()
    for _, mode in ipairs { seccomp.O.WRONLY, seccomp.O.RDWR } do
      f:add("kill_thread", "openat", seccomp.arg32(2):masked_eq(seccomp.O.ACCMODE, mode))
    end
  end)
  return f, ok, err
end

local function exists(path)
  local fh = io.open(path)
  if fh then fh:close() end
  return fh ~= nil
end

describe("a variant in the kernel", function()
  it("kills a write-open as the filter does: plain load, report load and f:test", function()
    local f, ok, err = write_open_filter()
    if not ok then
      -- overlapping rules with different actions refused: nothing can be
      -- weakened then, and the refusal must say so
      assert.matches("^seccomp: add%(openat%): .*%(EEXIST%)", err)
      return
    end
    assert.are.equal("kill_thread", f:check("openat", { seccomp.AT.FDCWD, 0,
                                                        compat.bor(seccomp.O.WRONLY, seccomp.O.CREAT) }))
    local path = helpers.tmpname()
    local function write_open() local fh = io.open(path, "w") if fh then fh:close() end end

    local plain = helpers.child(function() f:load() write_open() return 3 end)
    helpers.assert_sigsys(plain)
    assert.is_false(exists(path))

    local r, w = core.pipe()
    local report = helpers.child(function()
      f:load { report = true, report_fd = w }
      write_open()
      return 3
    end)
    core.close_fd(w)
    local line = core.read(r)
    core.close_fd(r)
    helpers.assert_sigsys(report)
    assert.is_false(exists(path))
    assert.matches("^seccomp: thread killed: openat%(", line)

    local t = f:test(write_open)
    assert.is_false(t.ok)
    assert.are.equal("kill_thread", t.action)
    assert.are.equal("openat", t.syscall)
    assert.are.equal(SIGSYS, t.signal)
    assert.is_false(exists(path))

    -- a read-only open is allowed on all three paths
    local readonly = function() assert(io.open("/dev/null")):close() end
    assert.is_true(f:test(readonly).ok)
    helpers.assert_exit(0, helpers.child(function() f:load() readonly() end))
    helpers.assert_exit(0, helpers.child(function() f:load { report = true } readonly() end))
  end)

  local lthread = function()
    return assert(package.loadlib(require("helpers").BUILD .. "/spec/lthread.so", "luaopen_lthread"))()
  end

  -- the SIGSYS handler's mode: a supervisor outside the process cannot end
  -- one thread alone, and ends the whole process (spec/67)
  it("kill_thread in report = \"signal\" mode ends only the thread that made the call", function()
    local n = seccomp.syscall("getppid")
    local function run(options)
      local r, w = core.pipe()
      local result = helpers.child(function(send)
        local t = lthread().start()
        local f = seccomp.filter("allow")
        f:add("kill_thread", "getppid")
        if options then options.report_fd = w end
        f:load(options)
        local ret = t:call(n)  -- never returns in the thread: ret stays 0
        send("alive " .. ret)
      end)
      core.close_fd(w)
      local line = core.read(r)
      core.close_fd(r)
      return result, line
    end
    local plain = run(nil)
    local report, line = run { report = "signal" }
    assert.are.equal("exit 0 output: alive 0", helpers.describe(plain))
    assert.are.equal("exit 0 output: alive 0", helpers.describe(report))
    assert.matches("^seccomp: thread killed: getppid%(", line)
  end)

  it("kill_thread in report mode ends the whole process when the filter refuses seccomp(2)", function()
    local n = seccomp.syscall("getppid")
    local f = seccomp.filter("allow")
    f:add("kill_thread", "getppid")
    f:add(seccomp.errno("EPERM"), "seccomp")
    local function run(options)
      return helpers.child(function(send)
        local t = lthread().start()
        f:load(options)
        send("alive " .. t:call(n))
      end)
    end
    assert.are.equal("exit 0 output: alive 0", helpers.describe(run(nil)))
    -- more than the filter ends, never less
    helpers.assert_sigsys(run { report = true, report_fd = -1 })
  end)

  it(("ends %d random filters' calls as the plain load does"):format(NKERNEL), function()
    math.randomseed(SEED + 1)
    local harness = { "write", "exit_group", "exit", "brk", "mmap", "munmap", "mremap",
                      "madvise", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "getpid",
                      "gettid", "tgkill", "ftruncate", "pread64", "dup", "fcntl", "close",
                      "wait4", "clone", "clone3", "set_robust_list", "rseq", "prctl",
                      "seccomp", "read", "pipe2", "memfd_create" }
    local guard = seccomp.filter("allow")
    for _, name in ipairs(TESTED) do guard:add(seccomp.errno(GUARD), name) end
    local compared, kills = 0, 0
    for _ = 1, NKERNEL do
      local f, set = random_filter { harness = harness }
      while compat.idiv(#f:bpf(), 8) > core.bpf.BPF_MAXINSNS do
        f:close()
        f, set = random_filter { harness = harness }
      end
      for _ = 1, 6 do
        local name = rand(1, 5) == 1 and pick(TESTED) or pick(set.syscalls)
        local nr = seccomp.syscall(name)
        local args = random_args(set, name)
        local kind = f:check(name, args)
        local function call()
          local ret, e = lraw.syscall_raw(nr, compat.unpack(args))
          return ("errno %d%s"):format(e, ret == -1 and " failed" or "")
        end
        local function outcome(r)
          if helpers.signaled(r, SIGSYS) then return "sigsys" end
          return helpers.describe(r)
        end
        local plain = outcome(helpers.child(function(send)
          guard:load()
          f:load()
          send(call())
        end))
        local pr, pw = core.pipe()
        local report = outcome(helpers.child(function(send)
          guard:load()
          f:load { report = true, report_fd = pw }
          send(call())
        end))
        core.close_fd(pw)
        local line = core.read(pr)
        core.close_fd(pr)
        local tested = helpers.child(function(send)
          guard:load()
          local t = f:test(function() error(call(), 0) end)
          if t.how == "signal" then
            -- a kill of another call than the one tried is named: it fails the
            -- comparison below, except under a sanitizer, whose runtime makes
            -- calls of its own that a random filter may kill
            local other = t.syscall ~= name and (" of " .. tostring(t.syscall)) or ""
            send(t.signal == SIGSYS and ("sigsys " .. tostring(t.action) .. other)
                 or ("signal " .. t.signal))
          else
            send(tostring(t.error))
          end
        end)
        assert.are.equal(plain, report, ("%s(%s) under\n%s"):format(name, kind, f:pfc()))
        local want = plain == "sigsys" and ("sigsys " .. kind)
                     or plain:match("^exit 0 output: (.*)$")
        local sanitizer_call = os.getenv("SECCOMP_SANITIZER")
                               and helpers.describe(tested):match(" of [%w_]+$")
        if not sanitizer_call then
          assert.are.equal("exit 0 output: " .. tostring(want), helpers.describe(tested))
        end
        if plain == "sigsys" then
          kills = kills + 1
          assert.matches(kind == "kill_thread" and "^seccomp: thread killed: " .. name .. "%("
                         or "^seccomp: killed: " .. name .. "%(", line)
        else
          assert.are.equal("", line)
        end
        compared = compared + 1
      end
      f:close()
    end
    assert.are.equal(NKERNEL * 6, compared)
    assert.is_true(kills > 0, "no call was killed")
  end)
end)

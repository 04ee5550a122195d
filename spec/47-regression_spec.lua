-- libseccomp's own regression filters build and agree.
--
-- The filters of libseccomp 2.5's bpf-sim regression tests, rebuilt
-- through the Lua API (spec/regression_filters.lua), must build as
-- written, or be refused with the exact message where libseccomp would
-- silently change the rule. Every call is then decided as
-- spec/reference_eval.lua predicts from the same rules:
--   (a) by f:check, our simulator of the exported program, on every
--       architecture the filter carries (and a few it does not), over
--       boundary-biased calls shaped like the tests' own;
--   (b) by the kernel, for a sample of those calls on x86_64 and on i386
--       (int 0x80), made by build/sysraw in a child under the filter.
--
-- In the kernel the tested calls never run: a guard program loaded first
-- answers each of them with errno GUARD. Of two errno answers the newest
-- filter's wins and the strictest action wins otherwise, so the child
-- sees GUARD when the filter lets the call through (allow, log, trace),
-- the filter's own errno, or SIGSYS (trap, kill_thread, kill_process).
-- The filter under test also allows the calls build/sysraw needs to start
-- (on syscalls the filter leaves to its default; those are never tested
-- in the kernel), and gains x86_64 when it carries only x86.
--
-- Refusals that stay, each because libseccomp would enforce something
-- other than what is written, or refuses the rule itself:
--   12  masked_eq(0xff00, 1000): libseccomp masks the value to 0x300 and
--       allows calls nobody wrote (its expected results allow a1 = 1000)
--   19, 29  add_exact of a call x86 lacks (EDOM) and of syscall -11001:
--       libseccomp's tests expect these adds to fail
--   42  trap on 1002 where allow already has the same condition: EEXIST,
--       as in libseccomp
--   43  seven errno buckets per syscall that overlap an earlier bucket:
--       libseccomp lets the later, narrower bucket silently win over part
--       of the earlier rule; written as disjoint buckets (the variant), the
--       filter decides every call as libseccomp's expected results say
-- Gaps of the library (rules libseccomp 2.5.4 compiles correctly that are
-- refused here, asserted as they are so that closing one shows here):
--   42  rules with two 64-bit ne comparisons (E2BIG: 64 x 64 blocks)
--   45  a rule repeating another's a3 >= 10 before further comparisons,
--       with a 64-bit ne (E2BIG: 64 x 61 blocks)
--   05  builds, but 12802 block rules take libseccomp's export too long
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"
local ref = dofile("spec/reference_eval.lua")
local data = dofile("spec/regression_filters.lua")
-- Program loads with nothing of the library in between (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()

local NATIVE = seccomp.arch_native()
local GUARD = 199

-- What the static build/sysraw calls from execve to exit_group (strace).
local STARTUP = { "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list",
                  "rseq", "prlimit64", "readlink", "getrandom", "mprotect",
                  "exit_group", "exit" }
local STARTUP_SET = helpers.set(STARTUP)

-- Architectures that also reach the socket and SysV IPC calls through
-- socketcall(2) and ipc(2) (README, "Multiplexed calls on x86").
local MUX_ARCHES = helpers.set { "x86", "mips", "mipsel", "ppc", "ppc64", "ppc64le",
                                 "s390", "s390x" }
local NARROW = helpers.set { "x86", "x32", "arm", "mips", "mipsel", "mips64n32",
                             "mipsel64n32", "ppc", "s390", "parisc" }

-- Sub-call numbers from the C headers.
local SOCKET_CALLS = { "socket", "bind", "connect", "listen", "accept", "getsockname",
                       "getpeername", "socketpair", "send", "recv", "sendto", "recvfrom",
                       "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg",
                       "accept4", "recvmmsg", "sendmmsg" }
local IPC_CALLS = { semop = "SEMOP", semget = "SEMGET", semctl = "SEMCTL",
                    semtimedop = "SEMTIMEDOP", msgsnd = "MSGSND", msgrcv = "MSGRCV",
                    msgget = "MSGGET", msgctl = "MSGCTL", shmat = "SHMAT", shmdt = "SHMDT",
                    shmget = "SHMGET", shmctl = "SHMCTL" }
local MUX = {}  -- name -> { via = "socketcall" | "ipc", call = number }
do
  local names, exprs = {}, {}
  for _, n in ipairs(SOCKET_CALLS) do
    names[#names + 1] = n
    exprs[#exprs + 1] = "SYS_" .. n:upper()
  end
  for n, c in pairs(IPC_CALLS) do
    names[#names + 1] = n
    exprs[#exprs + 1] = c
  end
  local values = helpers.c_values({ "linux/net.h", "linux/ipc.h" }, exprs)
  for i, n in ipairs(names) do
    MUX[n] = { via = IPC_CALLS[n] and "ipc" or "socketcall", call = values[i] }
  end
end

-- The bad-architecture action: the process is killed (README, defaults).
local FOREIGN = seccomp.action("kill_process")

local function strictness(action)
  local order = { kill_process = 7, kill_thread = 6, trap = 5, errno = 4, notify = 3,
                  trace = 2, log = 1, allow = 0 }
  return order[(seccomp.action_name(action))]
end

-- ---- building ---------------------------------------------------------

local function set_arches(f, arches)
  if not arches then return end
  local keep_native = false
  for _, a in ipairs(arches) do keep_native = keep_native or a == NATIVE end
  -- The native architecture goes first: libseccomp will not mix it with
  -- architectures of the other byte order.
  if not keep_native then f:arch_remove("native") end
  for _, a in ipairs(arches) do
    if not f:arch_exist(a) then f:arch_add(a) end
  end
end

-- Runs the steps on f; each refused step must raise exactly its message.
-- Returns the numbers of justified refusals and of gaps seen.
local function run_steps(f, steps, skip_refused)
  local refused, gaps = 0, 0
  for _, s in ipairs(steps) do repeat
    local op = s[1]
    if skip_refused and (s.refused or s.gap) then break end
    local ok, err
    if op == "add" or op == "add_exact" then
      ok, err = pcall(function()
        if s.cmps then return f[op](f, s[2], s[3], s.cmps()) end
        return f[op](f, compat.unpack(s, 2))
      end)
    elseif op == "priority" then
      ok, err = pcall(f.priority, f, s[2], s[3])
    elseif op == "reset" then
      ok, err = pcall(f.reset, f, s[2])
    else
      error("unknown step " .. tostring(op))
    end
    local expected = s.refused or s.gap
    if expected then
      assert.is_false(ok, "expected a refusal: " .. expected)
      local message = tostring(err):gsub("^[^\n]-:%d+: ", "")  -- the position
      assert.equal(expected, message)
      if s.refused then refused = refused + 1 else gaps = gaps + 1 end
    else
      assert(ok, err)
    end
  until true end
  return refused, gaps
end

-- With extra_arch, the filter also carries that architecture from the
-- start, and the refused steps are left out (they may be right there).
local function build(entry, extra_arch)
  local f = seccomp.filter(entry.default, entry.options)
  set_arches(f, entry.arches)
  local skip = false
  if extra_arch and not f:arch_exist(extra_arch) then
    f:arch_add(extra_arch)
    skip = true
  end
  local refused, gaps = run_steps(f, entry.steps, skip)
  if entry.merge then
    local m = entry.merge
    local g = seccomp.filter(m.default, m.options)
    set_arches(g, m.arches)
    local r, g2 = run_steps(g, m.steps, skip)
    refused, gaps = refused + r, gaps + g2
    f:merge(g)
  end
  return f, refused, gaps
end

-- ---- the reference's rule sets ------------------------------------------

-- The direct number of a multiplexed call on arch, if the table has one.
local direct_cache = {}
local function direct_number(name, arch)
  local key = name .. "/" .. arch
  if direct_cache[key] == nil then
    direct_cache[key] = false
    for nr = 0, 4999 do
      local ok, n = pcall(seccomp.syscall_name, nr, arch)
      if ok and n == name then direct_cache[key] = nr end  -- the highest (mips o32)
    end
  end
  return direct_cache[key] or nil
end

-- The rules one step's rule is on arch: { nr =, cmps = } pieces.
local function pieces(name, cmps, action, default, arch)
  if compat.is_integer(name) then
    if arch == NATIVE then return { { nr = name, cmps = cmps } } end
    local ok, n = pcall(seccomp.syscall_name, name)
    if not ok then return {} end
    name = n
  end
  local ok, nr = pcall(seccomp.syscall, name, arch)
  if not ok then return {} end
  if nr >= 0 then return { { nr = nr, cmps = cmps } } end
  local mux = MUX[name]
  if not (mux and MUX_ARCHES[arch]) then return {} end  -- not on this arch
  local out = {}
  local direct = direct_number(name, arch)
  if direct then out[1] = { nr = direct, cmps = cmps } end
  -- the multiplexed form: libseccomp compares the sub-call number, an int
  -- to the kernel (so 32 bits); a rule stricter than the default denies
  -- the sub-call whatever its other bits (ipc's version in bits 16..31)
  local sub
  if strictness(action) > strictness(default) then
    sub = seccomp.arg32(0):masked_eq(mux.via == "ipc" and 0xffff or 0xffffffff, mux.call)
  else
    sub = seccomp.arg32(0):eq(mux.call)
  end
  out[#out + 1] = { nr = seccomp.syscall(mux.via, arch), cmps = { sub } }
  return out
end

local function steps_rules(steps, default, arch, set)
  for _, s in ipairs(steps) do
    local added = not (s.refused or s.gap)
    if s[1] == "reset" then
      set.rules, set.default, default = {}, seccomp.action(s[2]), seccomp.action(s[2])
    elseif (s[1] == "add" or s[1] == "add_exact") and added then
      local action = seccomp.action(s[2])
      for _, p in ipairs(pieces(s[3], { compat.unpack(s, 4) }, action, default, arch)) do
        set.rules[#set.rules + 1] = { action = action, nr = p.nr, cmps = p.cmps }
      end
    end
  end
end

local function has_arch(arches, arch)
  if not arches then return arch == NATIVE end
  for _, a in ipairs(arches) do if a == arch then return true end end
  return false
end

-- The reference rule set on arch, or nil when the filter lacks arch.
local function reference_set(entry, arch)
  local source
  if has_arch(entry.arches, arch) then source = entry
  elseif entry.merge and has_arch(entry.merge.arches, arch) then source = entry.merge
  else return nil end
  local default = seccomp.action(source.default)
  local set = { default = default, rules = {} }
  steps_rules(source.steps, default, arch, set)
  return set
end

local function filter_arches(entry)
  local list = {}
  for _, a in ipairs(entry.arches or { NATIVE }) do list[#list + 1] = a end
  if entry.merge then
    for _, a in ipairs(entry.merge.arches) do list[#list + 1] = a end
  end
  return list
end

-- ---- calls ------------------------------------------------------------

local BOUNDARY = { 0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x7fffffff, 0x80000000,
                   0xfffffffe, 0xffffffff, 0x100000000, 0x100000001, 0x856B008,
                   compat.value("0x7ffffffffffffffe"), compat.value("0x7fffffffffffffff"),
                   compat.value("0x8000000000000000"), -2, -1 }

-- Values near the ones the rules on nr compare argument i with.
local function near_values(set, nr)
  local near = { {}, {}, {}, {}, {}, {} }
  for _, r in ipairs(set.rules) do
    if r.nr == nr then
      for _, c in ipairs(r.cmps) do
        local t = near[c.arg + 1]
        local v = c.op == "masked_eq" and c.b or c.a
        for _, x in ipairs { v, v - 1, v + 1, compat.bor(v, (compat.shl(1, 32))),
                             compat.bxor(v, (compat.shl(1, 63))) } do
          t[#t + 1] = x
        end
        if c.op == "masked_eq" then
          t[#t + 1] = compat.bor(v, compat.bnot(c.a))
          t[#t + 1] = compat.bor(v, (compat.band(compat.bnot(c.a), compat.value("0x5a5a5a5a5a5a5a5a"))))
        end
      end
    end
  end
  return near
end

local function random_args(near, narrow)
  local args = {}
  for i = 1, 6 do
    local r = math.random(10)
    local v
    if #near[i] > 0 and r <= 6 then v = near[i][math.random(#near[i])]
    elseif r <= 9 then v = BOUNDARY[math.random(#BOUNDARY)]
    else v = math.random(0) end
    args[i] = narrow and compat.band(v, 0xffffffff) or v
  end
  return args
end

-- Calls on arch: every syscall the rules name (with their multiplexed
-- forms), their neighbours and a few others, with boundary-biased arguments.
local function make_calls(set, arch, per_rule_nr)
  local nrs, seen = {}, {}
  local function add(nr)
    if nr >= 0 and not seen[nr] then seen[nr] = true; nrs[#nrs + 1] = nr end
  end
  for _, r in ipairs(set.rules) do add(r.nr) end
  local ruled = #nrs
  for i = 1, ruled do add(nrs[i] - 1); add(nrs[i] + 1) end
  local base = arch == "x32" and seccomp.syscall("read", "x32") or 0
  for _ = 1, 6 do add(base + math.random(0, 450)) end
  local calls = {}
  local narrow = NARROW[arch]
  for i, nr in ipairs(nrs) do
    local near = near_values(set, nr)
    for _ = 1, i <= ruled and per_rule_nr or 2 do
      calls[#calls + 1] = { nr = nr, args = random_args(near, narrow) }
    end
  end
  return calls
end

-- ---- verdicts -----------------------------------------------------------

local function value_of(name, datum)
  if name == "errno" then return seccomp.errno(datum, { zero = true }) end
  if name == "trace" then return seccomp.SCMP_ACT_TRACE_BASE + datum end
  return seccomp.action(name)
end

local function show(action)
  local name, datum = seccomp.action_name(action)
  return datum and ("%s(%d)"):format(name, datum) or name
end

local function describe_call(entry, arch, c)
  local a = {}
  for i, v in ipairs(c.args) do a[i] = ("0x%x"):format(v) end
  return ("test %s%s, %s syscall %d (%s)"):format(entry.test,
    entry.variant and (" (" .. entry.variant .. ")") or "", arch, c.nr, table.concat(a, ", "))
end

-- How the child ends for a reference verdict, under the guard.
local function kernel_end(action)
  local name, datum = seccomp.action_name(action)
  if name == "kill_process" or name == "kill_thread" or name == "trap" then
    return "signal " .. helpers.SIGSYS
  end
  if name == "errno" then return "exit " .. (datum > 200 and 201 or datum) end
  return "exit " .. GUARD  -- allow, log, trace: the call passed the filter
end

-- A program that answers errno GUARD to the listed calls, allows the rest.
local function guard_program(calls)
  local B = core.bpf
  local function insn(code, jt, jf, k) return helpers.pack("<I2BBI4", code, jt, jf, k) end
  local LD, JEQ, RET = compat.bor(compat.bor(B.BPF_LD, B.BPF_W), B.BPF_ABS),
                       compat.bor(compat.bor(B.BPF_JMP, B.BPF_JEQ), B.BPF_K),
                       compat.bor(B.BPF_RET, B.BPF_K)
  local audit = { x86_64 = seccomp.arch_token("x86_64"), x86 = seccomp.arch_token("x86") }
  local prog = {}
  for _, c in ipairs(calls) do
    prog[#prog + 1] = insn(LD, 0, 0, B.OFFSET_ARCH)
    prog[#prog + 1] = insn(JEQ, 0, 3, audit[c.arch])
    prog[#prog + 1] = insn(LD, 0, 0, B.OFFSET_NR)
    prog[#prog + 1] = insn(JEQ, 0, 1, c.nr)
    prog[#prog + 1] = insn(RET, 0, 0, compat.bor(B.SECCOMP_RET_ERRNO, GUARD))
  end
  prog[#prog + 1] = insn(RET, 0, 0, B.SECCOMP_RET_ALLOW)
  return table.concat(prog)
end

-- Can the filter run build/sysraw: no rule but allow on its startup calls.
local function startable(entry)
  if entry.kernel == false then return false end
  for _, steps in ipairs { entry.steps, entry.merge and entry.merge.steps or {} } do
    for _, s in ipairs(steps) do
      local name = s[3]
      if compat.is_integer(name) then name = select(2, pcall(seccomp.syscall_name, name)) end
      if (s[1] == "add" or s[1] == "add_exact") and not s.refused and STARTUP_SET[name]
         and seccomp.action(s[2]) ~= seccomp.SCMP_ACT_ALLOW then
        return false
      end
    end
  end
  return true
end

-- The filter as the kernel runs it: with x86_64 and the startup calls.
local function kernel_filter(entry)
  local f = build(entry, "x86_64")
  local default = seccomp.action(entry.default)
  if default ~= seccomp.SCMP_ACT_ALLOW and default ~= seccomp.SCMP_ACT_LOG then
    f:allow(STARTUP)
  end
  return f
end

-- The filter's program is exported here and loaded in the child after the
-- guard (f:load loads the same export, but writes it through a file, which
-- the guard may refuse).
local function run_in_kernel(f, calls)
  local guard, program = guard_program(calls), f:bpf()
  local ends = {}
  for i, c in ipairs(calls) do
    local argv = {}
    for j, v in ipairs(c.args) do argv[j] = tostring(v) end
    local r = helpers.sysraw(function()
      lraw.bpf_load(guard)
      lraw.bpf_load(program)
    end, c.arch == "x86" and "int80" or "raw", c.nr, compat.unpack(argv))
    ends[i] = r.how .. " " .. r.code .. ((r.output or "") ~= "" and (" " .. r.output) or "")
  end
  return ends
end

-- ---- the spec -----------------------------------------------------------

describe("libseccomp's bpf-sim regression filters", function()
  local PER_NR = tonumber(os.getenv("SECCOMP_REGRESSION_CALLS")) or 12
  local KERNEL_PER_ABI = tonumber(os.getenv("SECCOMP_REGRESSION_KERNEL")) or 3
  local CHECKS_PER_ARCH = tonumber(os.getenv("SECCOMP_REGRESSION_CHECKS")) or 20
  local totals = { filters = 0, refusals = 0, gaps = 0, sim = 0, check = 0, kernel = 0 }

  for _, entry in ipairs(data.filters) do
    local label = "test " .. entry.test .. (entry.variant and (" (" .. entry.variant .. ")") or "")
    if entry.unbuildable then
      pending(label .. ": " .. entry.unbuildable)
    else
    it(label .. " builds and decides every call as the reference does", function()
      local t0 = os.clock()
      math.randomseed(tonumber(entry.test) * 7919 + (entry.variant and 1 or 0))
      local f, refused, gaps = build(entry)
      totals.filters = totals.filters + 1
      totals.refusals = totals.refusals + refused
      totals.gaps = totals.gaps + gaps
      local kernel_calls = {}
      local arches = filter_arches(entry)
      for _, arch in ipairs(arches) do
        local set = reference_set(entry, arch)
        local calls = make_calls(set, arch, PER_NR)
        local picked = {}
        -- f:check exports the program for each call, which takes long for
        -- the largest filters: it decides a spread of the calls, and the
        -- same simulator decides them all on the program exported once
        local program, token = f:bpf(), seccomp.arch_token(arch == "x32" and "x86_64" or arch)
        local checks = f:rule_count() > 300 and 4 or CHECKS_PER_ARCH
        local stride = math.max(1, compat.idiv(#calls, checks))
        for i, c in ipairs(calls) do
          local want = ref.evaluate(set, c.nr, c.args)
          local got = value_of(core.bpf_run(program, token, c.nr, c.args))
          totals.sim = totals.sim + 1
          if got ~= want then
            error(("%s: reference %s, simulator %s"):format(describe_call(entry, arch, c),
                  show(want), show(got)))
          end
          if i % stride == 0 then
            totals.check = totals.check + 1
            assert.equal(show(want), show(value_of(f:check(c.nr, c.args, arch))),
                         describe_call(entry, arch, c) .. " (f:check)")
          end
          -- a kernel sample: one call per verdict first, on calls the
          -- helper does not need itself
          local name = select(2, pcall(seccomp.syscall_name, c.nr, arch))
          if (arch == "x86_64" or arch == "x86") and not STARTUP_SET[name] then
            local key = arch .. show(want)
            if not picked[key] and #picked < KERNEL_PER_ABI then
              picked[key] = true
              picked[#picked + 1] = { arch = arch, nr = c.nr, args = c.args, want = want }
            end
          end
        end
        for _, c in ipairs(picked) do kernel_calls[#kernel_calls + 1] = c end
      end
      -- architectures the filter does not carry get the bad-arch action
      for _, arch in ipairs { "x86_64", "x86", "aarch64", "arm" } do
        if not reference_set(entry, arch) then
          local got = value_of(f:check("read", { 0, 0, 0 }, arch))
          totals.check = totals.check + 1
          assert.equal(show(FOREIGN), show(got), label .. " on foreign " .. arch)
        end
      end
      f:close()
      local t1 = os.clock()
      if #kernel_calls > 0 and startable(entry) then
        local kf = kernel_filter(entry)
        local ends = run_in_kernel(kf, kernel_calls)
        kf:close()
        for i, c in ipairs(kernel_calls) do
          totals.kernel = totals.kernel + 1
          assert.equal(kernel_end(c.want), ends[i],
                       describe_call(entry, c.arch, c) .. ": reference " .. show(c.want))
        end
      end
      if os.getenv("REGRESS_TIME") then
        io.stderr:write(("%s sim %.2f kernel %.2f\n"):format(label, t1 - t0, os.clock() - t1))
      end
    end)
    end
  end

  it("give one 64-bit range in several rules to libseccomp as written", function()
    -- test 04's shape: the same a1 < SSIZE_MAX in rules that differ on a0,
    -- with different actions; neither rule is split into blocks
    local X, GETPRIO = compat.value("0x7fffffffffffffff"), seccomp.syscall("getpriority")
    local E = seccomp.errno_value
    local function setup()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EACCES"), "getpriority", seccomp.arg(0):eq(1), seccomp.arg(1):lt(X))
      f:add(seccomp.errno("EACCES"), "getpriority", seccomp.arg(0):eq(2), seccomp.arg(1):lt(X))
      f:add(seccomp.errno("EPERM"), "getpriority", seccomp.arg(0):eq(3), seccomp.arg(1):lt(X))
      assert.equal(3, f:rule_count())
      f:load()
    end
    local function code(a0, a1)
      local r = helpers.sysraw(setup, "raw", GETPRIO, a0, a1)
      assert.equal("exit", r.how, helpers.describe(r))
      return r.code
    end
    assert.equal(E("EACCES"), code(1, 0))
    assert.equal(E("EACCES"), code(2, X - 1))
    assert.equal(E("EPERM"), code(3, X - 1))
    for _, call in ipairs { { 2, X }, { 3, X }, { 3, -1 }, { 4, 0 } } do
      local c = code(call[1], call[2])  -- the call runs: neither errno of the rules
      assert.is_true(c ~= E("EACCES") and c ~= E("EPERM"), ("%d, 0x%x: %d"):format(call[1], call[2], c))
    end
  end)

  it("decide random rule sets that repeat one range per argument as the reference does",
     function()
    -- the rules that share a range give it to libseccomp once as written
    -- where it is their last comparison, and as blocks elsewhere (written,
    -- a0 < 2^63 - 1 && a1 & 2^63 == 0 with a0 < 2^63 - 1 && a2 & ~1 ==
    -- 0xfffffffe never finishes merging in 2.5.4)
    math.randomseed(4747)
    local GETPRIO, token = seccomp.syscall("getpriority"), seccomp.arch_token("x86_64")
    local RANGES = { { "lt", compat.value("0x7fffffffffffffff") }, { "gt", compat.shl(1, 33) }, { "ge", 0xffffffff },
                     { "le", 5 } }
    local VALUES = { 0, 1, 2, 5, 6, 0xffffffff, 0x100000000, compat.shl(1, 33), (compat.shl(1, 33)) + 1,
                     compat.value("0x7ffffffffffffffe"), compat.value("0x7fffffffffffffff"), -1,
                     compat.value("0x8000000000000000") }
    local actions = { "allow", seccomp.errno(2), seccomp.errno(3) }
    for _ = 1, tonumber(os.getenv("SECCOMP_REGRESSION_RANGES")) or 150 do
      local f = seccomp.filter(seccomp.errno(1))
      local set = { default = seccomp.errno(1), rules = {} }
      local range = {}
      for a = 0, 2 do range[a] = RANGES[math.random(#RANGES)] end
      for _ = 1, math.random(2, 5) do
        local cmps, used = {}, {}
        for _ = 1, math.random(1, 3) do
          local a = math.random(0, 2)
          if not used[a] then
            used[a] = true
            local arg, r = seccomp.arg(a), math.random(3)
            if r == 1 then cmps[#cmps + 1] = arg[range[a][1]](arg, range[a][2])
            elseif r == 2 then cmps[#cmps + 1] = arg:eq(VALUES[math.random(#VALUES)])
            else
              local m = VALUES[math.random(#VALUES)]
              cmps[#cmps + 1] = arg:masked_eq(m, compat.band(VALUES[math.random(#VALUES)], m))
            end
          end
        end
        local action = actions[math.random(#actions)]
        if pcall(f.add, f, action, "getpriority", compat.unpack(cmps)) then
          set.rules[#set.rules + 1] = { action = action, nr = GETPRIO, cmps = cmps }
        end
      end
      local program = f:bpf()
      for _ = 1, 30 do
        local args = {}
        for i = 1, 3 do args[i] = VALUES[math.random(#VALUES)] + math.random(-1, 1) end
        assert.equal(show(ref.evaluate(set, GETPRIO, args)),
                     show(value_of(core.bpf_run(program, token, GETPRIO, args))))
      end
      f:close()
    end
  end)

  it("were all rebuilt and checked", function()
    io.stderr:write(("\n47-regression: %d filters, %d refused rules, %d rules not "
                     .. "buildable, %d calls in the simulator (%d of them also through "
                     .. "f:check), %d in the kernel\n")
                    :format(totals.filters, totals.refusals, totals.gaps, totals.sim,
                            totals.check, totals.kernel))
    local buildable = 0
    for _, entry in ipairs(data.filters) do
      if not entry.unbuildable then buildable = buildable + 1 end
    end
    assert.equal(buildable, totals.filters)
    assert.truthy(totals.kernel > 50)
  end)
end)

-- f:check() and bpf_run(): the BPF simulator agrees with the kernel.
--
-- Random filters (through the Lua API) and random raw BPF programs are
-- run twice: by the simulator, and by the kernel in a child process that
-- loads the program and makes the call. The child reports what it saw
-- through a shared page (no syscall needed), so every action can be
-- observed: a return value, an errno, a trap (the SIGSYS handler records
-- the call), a kill (death by SIGSYS with nothing recorded).

local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local child = require "seccomp.child"

local B = core.bpf
local SIGSYS = seccomp.SIG.SIGSYS
local ENOSYS = seccomp.errno_value("ENOSYS")

-- A fixed seed so every run checks the same cases; SECCOMP_SEED picks
-- others. The seed is in each test's name, which busted prints on failure.
local seed = tonumber(os.getenv("SECCOMP_SEED")) or 20240612
math.randomseed(seed)

-- Calls that ignore their arguments, so any argument is harmless.
local CALLS = { "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid",
                "gettid", "getpgrp", "sched_yield" }

-- Values near the edges comparisons care about.
local EDGES = { 0, 1, 2, 3, 7, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xffffffff,
                0x100000000, 0x1ffffffff, -1, -2, compat.value("0x7fffffffffffffff"),
                compat.value("0x8000000000000000"),
                compat.value("0x7fffffff00000000"), compat.value("0xffffffff00000000") }

local function value()
  local r = math.random(4)
  if r == 1 then return math.random(compat.value("0x8000000000000000"), compat.value("0x7fffffffffffffff")) end
  local v = EDGES[math.random(#EDGES)]
  if r == 2 then v = v + math.random(-1, 1) end
  return v
end

local function args()
  local a = {}
  for i = 1, 6 do a[i] = value() end
  return a
end

-- What the kernel did to the call, observed in a child.
-- load(): loads the program in the child; nr/a: the call.
local function kernel(load, nr, a)
  local rec
  local ended = child.run(function()
    local r, e = lraw.syscall_raw(nr, a[1], a[2], a[3], a[4], a[5], a[6])
    rec:finish("returned", nil, r, e)
    core.exit(0)  -- before the runner's own note of the return, without the values
  end, { setup = function(record)
    -- Under the filter, only the call under test may reach the kernel: no
    -- collector run may give memory back (brk, munmap) meanwhile.
    collectgarbage("collect")
    collectgarbage("stop")
    rec = record
    core.report_install(nil, -1, rec)  -- a trap records the call
    load()
  end })
  local how, code, r = ended.how, ended.code, ended.record
  if r.state == "setup" then return "refused: " .. r.message end
  if r.state == "returned" then
    local ret, err = r.values[1], r.values[2]
    if err ~= 0 then return "errno " .. err end
    return "returned " .. (ret >= 0 and "ok" or tostring(ret))
  end
  assert.are.equal("signal", how)
  assert.are.equal(SIGSYS, code)
  if r.state == "violation" then
    assert.are.equal(nr, r.syscall)
    return "trap", r.ip
  end
  return "killed"
end

-- What the simulator's verdict predicts the child sees.
local function predicted(action, data)
  if action == "allow" or action == "log" then return "returned ok" end
  if action == "errno" then return "errno " .. data end
  -- No tracer and no listener: the kernel fails the call with ENOSYS.
  if action == "trace" or action == "notify" then return "errno " .. ENOSYS end
  if action == "trap" then return "trap" end
  assert(action == "kill_process" or action == "kill_thread", action)
  return "killed"
end

local ACTIONS = { "allow", "kill_process", "kill_thread", "trap", "log", "errno", "trace" }

local function random_action()
  local a = ACTIONS[math.random(#ACTIONS)]
  if a == "errno" then return seccomp.errno(math.random(1, 4094)) end
  if a == "trace" then return seccomp.trace(math.random(0, 65535)) end
  return a
end

local OPS = { "eq", "ne", "lt", "le", "gt", "ge", "masked_eq" }

local function random_filter()
  local default = random_action()
  local f = seccomp.filter(default)
  if math.random(2) == 1 then f:arch_add("x86") end
  if default ~= "allow" then f:allow("exit_group") end
  for _ = 1, math.random(1, 8) do
    local action = random_action()
    local name = CALLS[math.random(#CALLS)]
    local cmps, used = {}, {}
    for _ = 1, math.random(0, 2) do
      local i = math.random(0, 5)
      if not used[i] then
        used[i] = true
        local arg = math.random(2) == 1 and seccomp.arg(i) or seccomp.arg32(i)
        local op = OPS[math.random(#OPS)]
        local ok, c
        if arg.bits == 32 then
          local lo = function() return math.random(-2 ^ 31, 2 ^ 32 - 1) end
          if op == "masked_eq" then ok, c = pcall(arg.masked_eq, arg, lo(), lo())
          else ok, c = pcall(arg[op], arg, lo()) end
        else
          if op == "masked_eq" then ok, c = pcall(arg.masked_eq, arg, value(), value())
          else ok, c = pcall(arg[op], arg, value()) end
        end
        if ok then cmps[#cmps + 1] = c end
      end
    end
    -- Rules the core refuses (same as the default, conflicting) are skipped.
    pcall(f.add, f, action, name, compat.unpack(cmps))
  end
  return f
end

describe("f:check", function()
  it("agrees with the kernel on random filters and arguments (seed " .. seed .. ")", function()
    local cases, refused = 0, 0
    local native = seccomp.arch_token(seccomp.arch_native())
    for _ = 1, 30 do
      local f = random_filter()
      -- libseccomp 2.5 can emit programs over the kernel's size limit:
      -- then the simulator refuses them and so does the kernel.
      local exported, prog = pcall(f.bpf, f)
      exported = exported and #prog <= B.BPF_MAXINSNS * B.SIZEOF_INSN
      for n = 1, 6 do
        local name = CALLS[math.random(#CALLS)]
        local a = args()
        local ok, action, data
        if n <= 2 or not exported then
          ok, action, data = pcall(f.check, f, name, a)
        else
          ok, action, data = pcall(core.bpf_run, prog, native, seccomp.syscall(name), a)
        end
        if exported and n <= 2 then
          -- f:check runs exactly the exported program.
          assert.are.same({ ok, action, data },
                          { true, core.bpf_run(prog, native, seccomp.syscall(name), a) })
        end
        -- The child loads through libseccomp once per filter, then the
        -- exported program itself (libseccomp is slow on big filters).
        local load = n == 1 and function() f:load() end
                            or function() lraw.bpf_load(prog) end
        local got = kernel(load, seccomp.syscall(name), a)
        if not ok then
          assert.matches("E2BIG", action)
          assert.matches("^refused: ", got)
          refused = refused + 1
        else
          local want = predicted(action, data)
          if want ~= got then
            assert.are.equal(want, got, ("seed %d: %s(%s) under\n%s")
              :format(seed, name, table.concat(a, ", "), f:pfc()))
          end
          cases = cases + 1
        end
        if not exported then break end
      end
      f:close()
    end
    assert.is_true(cases > refused, "too few programs within the size limit")
  end)

  it("answers for another architecture the filter carries", function()
    local f = seccomp.filter("kill")
    f:arch_add("x86")
    f:allow("getpid")
    assert.are.equal("allow", f:check("getpid", {}, "x86"))
    assert.are.equal("kill_process", f:check("getppid", {}, "x86"))
    -- An architecture the filter lacks gets the bad-arch action.
    assert.are.equal("kill_process", f:check("getpid", {}, "aarch64"))
  end)

  it("returns the data of errno and trace actions", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno("EACCES"), "getpid")
    f:add(seccomp.trace(77), "getppid")
    local a, d = f:check("getpid")
    assert.are.same({ "errno", seccomp.errno_value("EACCES") }, { a, d })
    a, d = f:check("getppid")
    assert.are.same({ "trace", 77 }, { a, d })
  end)

  it("raises on bad input", function()
    local f = seccomp.filter("allow")
    assert.has_error(function() f:check("no_such_call") end)
    assert.has_error(function() f:check("getpid", { 1, 2, 3, 4, 5, 6, 7 }) end)
    assert.has_error(function() f:check("getpid", { 1.5 }) end)
    f:close()
    assert.has_error(function() f:check("getpid") end)
  end)
end)

-- Raw programs: every instruction class the kernel allows for seccomp.
local function insn(code, k, jt, jf)
  return helpers.pack("=I2BBI4", code, jt or 0, jf or 0, compat.band(k, 0xffffffff))
end

local ALU_OPS = { B.BPF_ADD, B.BPF_SUB, B.BPF_MUL, B.BPF_DIV, B.BPF_OR,
                  B.BPF_AND, B.BPF_XOR, B.BPF_LSH, B.BPF_RSH }
local JMP_OPS = { B.BPF_JEQ, B.BPF_JGT, B.BPF_JGE, B.BPF_JSET }

local function random_ret()
  local choices = {
    B.SECCOMP_RET_ALLOW, B.SECCOMP_RET_LOG, B.SECCOMP_RET_KILL_PROCESS,
    B.SECCOMP_RET_KILL_THREAD, B.SECCOMP_RET_TRAP,
    compat.bor(B.SECCOMP_RET_ERRNO, math.random(1, 0xffff)),
    compat.bor(B.SECCOMP_RET_TRACE, math.random(0, 0xffff)),
  }
  return insn(compat.bor(B.BPF_RET, B.BPF_K), choices[math.random(#choices)])
end

-- A valid random program of `n` body instructions, then returns.
local function random_program(n)
  local body, nrets = {}, 4
  -- Scratch slots are written before any read, as the kernel demands.
  for i = 0, B.BPF_MEMWORDS - 1 do
    body[#body + 1] = insn(compat.bor(B.BPF_LD, B.BPF_IMM), math.random(0, 0xffffffff))
    body[#body + 1] = insn(B.BPF_ST, i)
  end
  for i = 1, n do
    local left = n - i + nrets  -- instructions after this one
    local r = math.random(10)
    if r <= 3 then
      local off = B.OFFSET_NR + 4 * math.random(0, compat.idiv(B.SIZEOF_DATA, 4) - 1)
      body[#body + 1] = insn(compat.bor(compat.bor(B.BPF_LD, B.BPF_W), B.BPF_ABS), off)
    elseif r == 4 then
      local op = ALU_OPS[math.random(#ALU_OPS)]
      local k = math.random(0, 0xffffffff)
      if op == B.BPF_LSH or op == B.BPF_RSH then k = math.random(0, 31) end
      if op == B.BPF_DIV and k == 0 then k = 3 end
      body[#body + 1] = insn(compat.bor(compat.bor(B.BPF_ALU, op), B.BPF_K), k)
    elseif r == 5 then
      body[#body + 1] = insn(compat.bor(compat.bor(B.BPF_ALU, ALU_OPS[math.random(#ALU_OPS)]), B.BPF_X), 0)
    elseif r == 6 then
      local c = ({ compat.bor(B.BPF_MISC, B.BPF_TAX), compat.bor(B.BPF_MISC, B.BPF_TXA),
                   compat.bor(B.BPF_ALU, B.BPF_NEG), compat.bor(B.BPF_LDX, B.BPF_IMM),
                   compat.bor(compat.bor(B.BPF_LD, B.BPF_W), B.BPF_LEN) })[math.random(5)]
      body[#body + 1] = insn(c, math.random(0, 0xffffffff))
    elseif r == 7 then
      local c = ({ B.BPF_ST, B.BPF_STX, compat.bor(B.BPF_LD, B.BPF_MEM),
                   compat.bor(B.BPF_LDX, B.BPF_MEM) })[math.random(4)]
      body[#body + 1] = insn(c, math.random(0, B.BPF_MEMWORDS - 1))
    elseif r == 8 then
      body[#body + 1] = insn(compat.bor(B.BPF_JMP, B.BPF_JA), math.random(0, math.min(left - 1, 3)))
    else
      local src = math.random(2) == 1 and B.BPF_K or B.BPF_X
      body[#body + 1] = insn(compat.bor(compat.bor(B.BPF_JMP, JMP_OPS[math.random(#JMP_OPS)]), src),
                             value(), math.random(0, math.min(left - 1, 5)),
                             math.random(0, math.min(left - 1, 5)))
    end
  end
  for _ = 1, nrets - 1 do body[#body + 1] = random_ret() end
  body[#body + 1] = insn(compat.bor(B.BPF_RET, B.BPF_A), 0)
  return table.concat(body)
end

describe("bpf_run", function()
  local arch = seccomp.arch_token(seccomp.arch_native())

  -- Programs may read the instruction pointer: learn the one syscall_raw
  -- calls from (the same in every forked child) from a trap.
  local trap_all = insn(compat.bor(B.BPF_RET, B.BPF_K), B.SECCOMP_RET_TRAP)
  local _, ip = kernel(function() lraw.bpf_load(trap_all) end, seccomp.syscall("getpid"), args())
  assert.is_true(compat.is_integer(ip) and ip ~= 0, tostring(_) .. " " .. tostring(ip))

  it("agrees with the kernel on random raw programs (seed " .. seed .. ")", function()
    for _ = 1, 60 do
      local prog = random_program(math.random(1, 40))
      local name = CALLS[math.random(#CALLS)]
      local nr = seccomp.syscall(name)
      local a = args()
      local action, data = core.bpf_run(prog, arch, nr, a, ip)
      local got = kernel(function() lraw.bpf_load(prog) end, nr, a)
      if os.getenv("SECCOMP_DUMP") and predicted(action, data) ~= got then
        local fh = io.open(os.getenv("SECCOMP_DUMP"), "wb")
        fh:write(helpers.pack("<i4", nr) .. helpers.pack("<i8i8i8i8i8i8", compat.unpack(a)) .. prog)
        fh:close()
      end
      assert.are.equal(predicted(action, data), got,
                       ("seed %d: %s(%s)"):format(seed, name, table.concat(a, ", ")))
    end
  end)

  it("runs what f:bpf() exports exactly like f:check()", function()
    local f = seccomp.filter("kill")
    f:add(seccomp.errno(5), "getpid", seccomp.arg(0):gt(10))
    local prog = f:bpf()
    assert.are.same({ f:check("getpid", { 11 }) },
                    { core.bpf_run(prog, arch, seccomp.syscall("getpid"), { 11 }) })
    assert.are.same({ f:check("getpid", { 1 }) },
                    { core.bpf_run(prog, arch, seccomp.syscall("getpid"), { 1 }) })
  end)

  it("refuses programs the kernel would refuse", function()
    local ret = insn(compat.bor(B.BPF_RET, B.BPF_K), B.SECCOMP_RET_ALLOW)
    local bad = {
      "",                                                         -- empty
      "abc",                                                      -- not whole
      insn(compat.bor(compat.bor(B.BPF_LD, B.BPF_W), B.BPF_ABS), 2) .. ret,             -- misaligned
      insn(compat.bor(compat.bor(B.BPF_LD, B.BPF_W), B.BPF_ABS), B.SIZEOF_DATA) .. ret, -- outside
      insn(compat.bor(B.BPF_JMP, B.BPF_JA), 1) .. ret,                       -- jumps out
      insn(compat.bor(compat.bor(B.BPF_JMP, B.BPF_JEQ), B.BPF_K), 0, 0, 1) .. ret,      -- jumps out
      insn(compat.bor(compat.bor(B.BPF_ALU, B.BPF_DIV), B.BPF_K), 0) .. ret,            -- div by 0
      insn(compat.bor(compat.bor(B.BPF_ALU, B.BPF_MOD), B.BPF_K), 3) .. ret,            -- not seccomp
      insn(B.BPF_ST, B.BPF_MEMWORDS) .. ret,                      -- no slot
      insn(compat.bor(B.BPF_LD, B.BPF_IMM), 0),                              -- no return
    }
    for i, prog in ipairs(bad) do
      assert.has_error(function() core.bpf_run(prog, arch, 0) end, nil, "program " .. i)
      -- The kernel agrees: loading it fails in a child.
      local r = child.run(function() lraw.bpf_load(prog) end)
      assert.are.equal("error", r.state, "program " .. i)
    end
  end)

  it("refuses a load from a scratch slot exactly when the kernel does", function()
    local ret = insn(compat.bor(B.BPF_RET, B.BPF_K), B.SECCOMP_RET_ALLOW)
    local nr = insn(compat.bor(compat.bor(B.BPF_LD, B.BPF_W), B.BPF_ABS), B.OFFSET_NR)
    local programs = {
      -- never written
      insn(compat.bor(B.BPF_LD, B.BPF_MEM), 0) .. ret,
      -- written, then read
      insn(B.BPF_ST, 0) .. insn(compat.bor(B.BPF_LD, B.BPF_MEM), 0) .. ret,
      insn(B.BPF_STX, 15) .. insn(compat.bor(B.BPF_LDX, B.BPF_MEM), 15) .. insn(compat.bor(B.BPF_RET, B.BPF_A), 0),
      -- another slot written
      insn(B.BPF_ST, 1) .. insn(compat.bor(B.BPF_LDX, B.BPF_MEM), 2) .. ret,
      -- written on one branch only, read after the branches join
      nr .. insn(compat.bor(compat.bor(B.BPF_JMP, B.BPF_JEQ), B.BPF_K), 0, 0, 1) .. insn(B.BPF_ST, 3)
         .. insn(compat.bor(B.BPF_LDX, B.BPF_MEM), 3) .. ret,
      -- written on both branches
      nr .. insn(compat.bor(compat.bor(B.BPF_JMP, B.BPF_JEQ), B.BPF_K), 0, 0, 2) .. insn(B.BPF_ST, 3)
         .. insn(compat.bor(B.BPF_JMP, B.BPF_JA), 1) .. insn(B.BPF_STX, 3)
         .. insn(compat.bor(B.BPF_LD, B.BPF_MEM), 3) .. ret,
      -- a jump over the store
      insn(compat.bor(B.BPF_JMP, B.BPF_JA), 1) .. insn(B.BPF_ST, 4) .. insn(compat.bor(B.BPF_LD, B.BPF_MEM), 4) .. ret,
    }
    local seen = {}
    for i, prog in ipairs(programs) do
      local simulated = pcall(core.bpf_run, prog, arch, 0)
      local r = child.run(function() lraw.bpf_load(prog) end)
      assert.are.equal(r.state == "returned", simulated, "program " .. i .. ": " .. (r.error or ""))
      seen[simulated] = true
    end
    -- Both answers occur: the comparison is not vacuous.
    assert.is_true(seen[true] and seen[false])
  end)
end)

-- seccomp.oci.import: OCI and Docker profiles decide every call as runc
-- does. Two profiles written here (one using every field, one shaped like
-- Docker's default), their verdicts against a reading of runc's and
-- Docker's rules written in this spec, and the filters enforced in child
-- processes (build/sysraw, i386 through int 0x80 too).
local seccomp = require "seccomp"
local json = require "dkjson"
local helpers = require "helpers"

local NATIVE = seccomp.arch_native()
local on_x86_64 = NATIVE == "x86_64"
local nr = seccomp.syscall

-- ---- the rules of runc and Docker, as this spec reads them -------------

local KILLS = { SCMP_ACT_KILL = "kill_thread", SCMP_ACT_KILL_THREAD = "kill_thread",
                SCMP_ACT_KILL_PROCESS = "kill_process" }

local function verdict(action, ret)
  if action == "SCMP_ACT_ERRNO" then return "errno", ret or 1 end
  if action == "SCMP_ACT_TRACE" then return "trace", ret or 1 end
  if action == "SCMP_ACT_TRAP" then return "trap", 0 end
  return KILLS[action] or action:match("^SCMP_ACT_(.*)$"):lower(), nil
end

local function contains(list, x)
  for _, y in ipairs(list or {}) do if y == x then return true end end
  return false
end

local function kernel_ge(k, v)
  local a, b = v:match("^(%d+)%.(%d+)$")
  a, b = tonumber(a), tonumber(b)
  return k[1] > a or (k[1] == a and k[2] >= b)
end

-- Docker's pass: does the entry apply to a container with env.caps on
-- env.kernel, on an amd64 machine?
local function docker_applies(e, env)
  local ex, inc = e.excludes, e.includes
  if ex then
    if contains(ex.arches, env.arch) then return false end
    for _, c in ipairs(ex.caps or {}) do if env.caps[c] then return false end end
    if ex.minKernel and kernel_ge(env.kernel, ex.minKernel) then return false end
  end
  if inc then
    if inc.arches and #inc.arches > 0 and not contains(inc.arches, env.arch) then return false end
    for _, c in ipairs(inc.caps or {}) do if not env.caps[c] then return false end end
    if inc.minKernel and not kernel_ge(env.kernel, inc.minKernel) then return false end
  end
  return true
end

local function holds(arg, args)
  local x, v, two = args[arg.index + 1] or 0, arg.value or 0, arg.valueTwo or 0
  local op = arg.op
  if op == "SCMP_CMP_EQ" then return x == v end
  if op == "SCMP_CMP_NE" then return x ~= v end
  if op == "SCMP_CMP_LT" then return math.ult(x, v) end
  if op == "SCMP_CMP_LE" then return x == v or math.ult(x, v) end
  if op == "SCMP_CMP_GT" then return math.ult(v, x) end
  if op == "SCMP_CMP_GE" then return x == v or math.ult(v, x) end
  if op == "SCMP_CMP_MASKED_EQ" then return x & v == two end
  error("unknown op " .. op)
end

-- runc: all comparators of an entry hold, unless an index repeats, and
-- then any one of them.
local function entry_matches(e, args)
  local seen, repeated = {}, false
  for _, a in ipairs(e.args or {}) do
    if seen[a.index] then repeated = true end
    seen[a.index] = true
  end
  if not e.args or #e.args == 0 then return true end
  for _, a in ipairs(e.args) do
    local h = holds(a, args)
    if repeated and h then return true end
    if not repeated and not h then return false end
  end
  return not repeated
end

local function on_arch(name, arch)
  local ok, n = pcall(nr, name, arch)
  return ok and n >= 0
end

-- What runc's filter answers to name(args) on arch.
local function expected(doc, env, name, args, arch)
  local arches = { [NATIVE] = true }
  for _, a in ipairs(doc.architectures or {}) do arches[a:match("SCMP_ARCH_(.*)"):lower()] = true end
  for _, m in ipairs(doc.archMap or {}) do
    if m.architecture == "SCMP_ARCH_X86_64" then
      for _, s in ipairs(m.subArchitectures) do arches[s:match("SCMP_ARCH_(.*)"):lower()] = true end
    end
  end
  if not arches[arch] then return "kill_thread" end
  local dname, ddata = verdict(doc.defaultAction, doc.defaultErrnoRet)
  -- runc's ENOSYS stub: above the highest number an entry names, under a
  -- default that refuses
  if dname ~= "allow" and dname ~= "log" and dname ~= "trace" then
    env.largest = env.largest or {}
    local largest = env.largest[arch]
    if not largest then
      largest = -1
      for _, e in ipairs(doc.syscalls or {}) do
        if docker_applies(e, env) then
          for _, n in ipairs(e.names or { e.name }) do
            if on_arch(n, arch) and nr(n, arch) > largest then largest = nr(n, arch) end
          end
        end
      end
      env.largest[arch] = largest
    end
    if largest > 0 and nr(name, arch) > largest then return "errno", 38 end
  end
  for _, e in ipairs(doc.syscalls or {}) do
    local aname, adata = verdict(e.action, e.errnoRet)
    local names = e.names or { e.name }
    if docker_applies(e, env) and (aname ~= dname or adata ~= ddata)
       and contains(names, name) and on_arch(name, arch) and entry_matches(e, args) then
      return aname, adata
    end
  end
  return dname, ddata
end

-- ---- the profiles -----------------------------------------------------

local STARTUP = helpers.SYSRAW_STARTUP

local function list(...)
  local out = {}
  for _, t in ipairs { ... } do for _, x in ipairs(t) do out[#out + 1] = x end end
  return out
end

-- Every field of the OCI format, every action and comparator.
local EVERY_FIELD = {
  defaultAction = "SCMP_ACT_ERRNO",
  defaultErrnoRet = 13,
  architectures = { "SCMP_ARCH_X86_64" },
  flags = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
  listenerPath = "/run/seccomp-agent.sock",
  listenerMetadata = "spec",
  syscalls = {
    { names = list(STARTUP, { "getpid", "no_such_syscall_here" }), action = "SCMP_ACT_ALLOW" },
    { names = { "getppid" }, action = "SCMP_ACT_ERRNO", errnoRet = 42 },
    { names = { "getuid" }, action = "SCMP_ACT_KILL" },
    { names = { "getgid" }, action = "SCMP_ACT_KILL_THREAD" },
    { names = { "geteuid" }, action = "SCMP_ACT_KILL_PROCESS" },
    { names = { "getegid" }, action = "SCMP_ACT_TRAP" },
    { names = { "gettid" }, action = "SCMP_ACT_LOG" },
    { names = { "sched_yield" }, action = "SCMP_ACT_TRACE", errnoRet = 7 },
    { names = { "getpgrp" }, action = "SCMP_ACT_TRACE" },
    { names = { "sync" }, action = "SCMP_ACT_NOTIFY" },
    { names = { "umask" }, action = "SCMP_ACT_ERRNO" },
    { names = { "getpgid" }, action = "SCMP_ACT_ERRNO", errnoRet = 51,
      args = { { index = 0, value = 77, op = "SCMP_CMP_EQ" } } },
    { names = { "getsid" }, action = "SCMP_ACT_ERRNO", errnoRet = 52,
      args = { { index = 0, value = 77, op = "SCMP_CMP_NE" } } },
    { names = { "setpgid" }, action = "SCMP_ACT_ERRNO", errnoRet = 53,
      args = { { index = 1, value = 77, op = "SCMP_CMP_LT" } } },
    { names = { "setuid" }, action = "SCMP_ACT_ERRNO", errnoRet = 54,
      args = { { index = 0, value = 77, op = "SCMP_CMP_LE" } } },
    { names = { "setgid" }, action = "SCMP_ACT_ERRNO", errnoRet = 55,
      args = { { index = 0, value = 77, op = "SCMP_CMP_GT" } } },
    { names = { "setfsuid" }, action = "SCMP_ACT_ERRNO", errnoRet = 56,
      args = { { index = 0, value = 77, op = "SCMP_CMP_GE" } } },
    { names = { "setfsgid" }, action = "SCMP_ACT_ERRNO", errnoRet = 57,
      args = { { index = 0, value = 0xf0, valueTwo = 0x50, op = "SCMP_CMP_MASKED_EQ" } } },
    -- distinct indexes: all must hold
    { names = { "setreuid" }, action = "SCMP_ACT_ERRNO", errnoRet = 58,
      args = { { index = 0, value = 1, op = "SCMP_CMP_EQ" }, { index = 1, value = 2, op = "SCMP_CMP_EQ" } } },
    -- a repeated index: runc adds one rule per comparator, any may hold
    { names = { "setregid" }, action = "SCMP_ACT_ERRNO", errnoRet = 59,
      args = { { index = 0, value = 10, op = "SCMP_CMP_GE" }, { index = 0, value = 5, op = "SCMP_CMP_LE" } } },
    -- the default action: runc skips the rule
    { names = { "getrusage" }, action = "SCMP_ACT_ERRNO", errnoRet = 13 },
    { name = "times", action = "SCMP_ACT_ERRNO", errnoRet = 60, comment = "name, not names" },
  },
}

-- Docker's default shape: an allow list, then groups by kernel version,
-- by argument, by machine and by capability, in 33 entries.
local function docker_shaped()
  local base = {}
  for _, g in ipairs { "@basic-io", "@file-system", "@io-event", "@ipc", "@network-io",
                       "@process", "@signal", "@timer" } do
    for _, n in ipairs((require("seccomp.policy").expand(g))) do base[#base + 1] = n end
  end
  local drop = { ptrace = true, chroot = true, clone = true, clone3 = true, personality = true,
                 process_vm_readv = true, process_vm_writev = true, kcmp = true, pidfd_getfd = true,
                 bpf = true, perf_event_open = true, unshare = true, setns = true, socket = true,
                 mount = true, umount2 = true, arch_prctl = true, modify_ldt = true, syslog = true,
                 uselib = true, acct = true, reboot = true, vhangup = true, mbind = true,
                 set_mempolicy = true, get_mempolicy = true, open_by_handle_at = true }
  local allowed, seen = list(STARTUP, { "getpid", "socket", "uretprobe_not_known" }), {}
  for _, n in ipairs(allowed) do seen[n] = true end
  for _, n in ipairs(base) do
    if not drop[n] and not seen[n] then allowed[#allowed + 1], seen[n] = n, true end
  end
  local caps = function(c) return { caps = { c } } end
  local function persona(v)
    return { names = { "personality" }, action = "SCMP_ACT_ALLOW",
             args = { { index = 0, value = v, op = "SCMP_CMP_EQ" } } }
  end
  local groups = {
    { names = allowed, action = "SCMP_ACT_ALLOW" },
    { names = { "process_vm_readv", "process_vm_writev", "ptrace" }, action = "SCMP_ACT_ALLOW",
      includes = { minKernel = "4.8" } },
    persona(0),
    persona(8),
    persona(0x20000),
    persona(0x20008),
    persona(0xffffffff),
    { names = { "sync_file_range2" }, action = "SCMP_ACT_ALLOW", includes = { arches = { "ppc64le" } } },
    { names = { "arm_fadvise64_64", "arm_sync_file_range" }, action = "SCMP_ACT_ALLOW",
      includes = { arches = { "arm", "arm64" } } },
    { names = { "arch_prctl" }, action = "SCMP_ACT_ALLOW", includes = { arches = { "amd64", "x32" } } },
    { names = { "modify_ldt" }, action = "SCMP_ACT_ALLOW", includes = { arches = { "amd64", "x32", "x86" } } },
    { names = { "s390_runtime_instr" }, action = "SCMP_ACT_ALLOW", includes = { arches = { "s390", "s390x" } } },
    { names = { "riscv_flush_icache" }, action = "SCMP_ACT_ALLOW", includes = { arches = { "riscv64" } } },
    { names = { "open_by_handle_at" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_DAC_READ_SEARCH") },
    { names = { "bpf", "clone", "clone3", "mount", "umount2", "unshare", "setns", "syslog" },
      action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_ADMIN") },
    { names = { "clone" }, action = "SCMP_ACT_ALLOW",
      args = { { index = 0, value = 0x7E020000, op = "SCMP_CMP_MASKED_EQ" } },
      excludes = { caps = { "CAP_SYS_ADMIN" }, arches = { "s390", "s390x" } } },
    { names = { "clone3" }, action = "SCMP_ACT_ERRNO", errnoRet = 38, excludes = caps("CAP_SYS_ADMIN") },
    { names = { "reboot" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_BOOT") },
    { names = { "chroot" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_CHROOT") },
    { names = { "delete_module", "init_module", "finit_module" }, action = "SCMP_ACT_ALLOW",
      includes = caps("CAP_SYS_MODULE") },
    { names = { "acct" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_PACCT") },
    { names = { "kcmp", "pidfd_getfd" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_PTRACE") },
    { names = { "iopl", "ioperm" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_RAWIO") },
    { names = { "settimeofday", "clock_settime" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_TIME") },
    { names = { "vhangup" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_TTY_CONFIG") },
    { names = { "get_mempolicy", "mbind", "set_mempolicy" }, action = "SCMP_ACT_ALLOW",
      includes = caps("CAP_SYS_NICE") },
    { names = { "syslog" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYSLOG") },
    { names = { "bpf" }, action = "SCMP_ACT_ALLOW", includes = { caps = { "CAP_BPF" }, minKernel = "5.8" } },
    { names = { "perf_event_open" }, action = "SCMP_ACT_ALLOW",
      includes = { caps = { "CAP_PERFMON" }, minKernel = "5.8" } },
    { names = { "uselib" }, action = "SCMP_ACT_ALLOW", excludes = { minKernel = "5.1" } },
    { names = { "ptrace" }, action = "SCMP_ACT_ERRNO", errnoRet = 1, excludes = { minKernel = "4.8" } },
    { names = { "kcmp" }, action = "SCMP_ACT_ALLOW", includes = { caps = { "CAP_SYS_PTRACE", "CAP_SYS_ADMIN" } } },
    { names = { "fanotify_init" }, action = "SCMP_ACT_ALLOW", includes = caps("CAP_SYS_ADMIN"),
      excludes = { minKernel = "9.9" } },
  }
  return {
    defaultAction = "SCMP_ACT_ERRNO",
    defaultErrnoRet = 1,
    archMap = {
      { architecture = "SCMP_ARCH_X86_64", subArchitectures = { "SCMP_ARCH_X86", "SCMP_ARCH_X32" } },
      { architecture = "SCMP_ARCH_AARCH64", subArchitectures = { "SCMP_ARCH_ARM" } },
    },
    syscalls = groups,
  }
end

local function text(doc) return json.encode(doc) end

-- The same for i386 too: without the 64-bit SCMP_CMP_NE, which the binding
-- refuses on a filter with a 32-bit architecture.
local function with_x86(doc)
  local copy = json.decode(text(doc))
  copy.architectures = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86" }
  table.remove(copy.syscalls, 13)
  return copy
end

-- Calls to ask about: every name a profile names and some it does not,
-- with arguments at and around every value its comparators name.
local function probes(doc)
  local names, values, seen = { "read", "mknod", "kexec_load", "swapon", "io_uring_setup",
                                 "pidfd_open", "openat2", "faccessat2", "process_madvise",
                                 "epoll_pwait2", "memfd_secret", "futex_waitv" }, { 0, 1 }, {}
  for _, e in ipairs(doc.syscalls) do
    for _, n in ipairs(e.names or { e.name }) do
      if not seen[n] then seen[n], names[#names + 1] = true, n end
    end
    for _, a in ipairs(e.args or {}) do
      for _, v in ipairs { a.value, a.value + 1, a.value - 1, a.valueTwo or 0, (a.valueTwo or 0) | 0x100 } do
        if v >= 0 and v <= 0xffffffff then values[#values + 1] = v end
      end
    end
  end
  return names, values
end

-- Compares every probe's verdict with `expected`; returns the number of
-- calls checked.
local function compare(doc, options, env)
  local f = seccomp.oci.import(text(doc), options)
  env.largest = nil  -- per profile (expected keeps it)
  local names, values = probes(doc)
  local checked, wrong = 0, {}
  for _, arch in ipairs(f:arches()) do
    for _, name in ipairs(names) do
      if on_arch(name, arch) then
        for i, v in ipairs(values) do
          local args = { v, values[(i % #values) + 1], v }
          local got, gdata = f:check(name, args, arch)
          local want, wdata = expected(doc, env, name, args, arch)
          checked = checked + 1
          if got ~= want or gdata ~= wdata then
            wrong[#wrong + 1] = ("%s(%d, %d) on %s: %s %s, runc %s %s"):format(name, args[1], args[2],
              arch, got, tostring(gdata), want, tostring(wdata))
          end
        end
      end
    end
  end
  f:close()
  assert.are.same({}, wrong)
  return checked
end

local DOCKER_CAPS = helpers.set(seccomp.oci.DOCKER_CAPS)

describe("seccomp.oci.import", function()
  if not on_x86_64 then
    pending("the profiles here are written for x86_64")
    return
  end

  it("decides every call as runc does, on a profile using every field", function()
    local env = { caps = DOCKER_CAPS, kernel = { 6, 1 }, arch = "amd64" }
    local n = compare(EVERY_FIELD, { kernel = "6.1" }, env)
      + compare(with_x86(EVERY_FIELD), { kernel = "6.1" }, env)
    assert.is_true(n > 5000, "only " .. n .. " calls checked")
  end)

  it("decides every call as runc does after Docker's pass, for each set of caps and kernel", function()
    local doc = docker_shaped()
    assert.are.equal(33, #doc.syscalls)
    local total = 0
    local admin = helpers.set(seccomp.oci.DOCKER_CAPS)
    for _, c in ipairs { "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF", "CAP_SYS_TIME" } do admin[c] = true end
    local admin_list = {}
    for c in pairs(admin) do admin_list[#admin_list + 1] = c end
    for _, case in ipairs {
      { nil, "6.1", DOCKER_CAPS, { 6, 1 } },
      { nil, "4.7", DOCKER_CAPS, { 4, 7 } },
      { admin_list, "5.8", admin, { 5, 8 } },
      { {}, "5.0", {}, { 5, 0 } },
    } do
      total = total + compare(doc, { caps = case[1], kernel = case[2] },
                              { caps = case[3], kernel = case[4], arch = "amd64" })
    end
    assert.is_true(total > 50000, "only " .. total .. " calls checked")
  end)

  it("reports names libseccomp does not know, and the entries Docker's pass left out", function()
    local f, skipped, excluded = seccomp.oci.import(text(docker_shaped()), { kernel = "6.1" })
    assert.are.same({ "uretprobe_not_known" }, skipped)
    assert.are.same({ "uretprobe_not_known" }, f:skipped())
    assert.is_true(#excluded > 10)
    assert.are.equal("syscalls[7]", excluded[1])  -- sync_file_range2: ppc64le only
    local _, skipped2 = seccomp.oci.import(text(EVERY_FIELD))
    assert.are.same({ "no_such_syscall_here" }, skipped2)
  end)

  it("takes flags, architectures and Docker's archMap", function()
    local f = seccomp.oci.import(text(EVERY_FIELD))
    assert.is_true(f:get("log"))
    assert.is_true(f:get("ssb"))
    assert.are.same({ "x86_64" }, f:arches())
    local g = seccomp.oci.import(text(docker_shaped()))
    local a = g:arches()
    table.sort(a)
    assert.are.same({ "x32", "x86", "x86_64" }, a)
    assert.is_false(g:get("log"))
    -- no flags given: runc's default, SPEC_ALLOW
    assert.are.equal(seccomp.api_level() >= 4, g:get("ssb"))
  end)

  it("refuses what runc refuses and what the binding refuses, naming the entry", function()
    local function refusal(doc, pattern)
      local ok, err = pcall(seccomp.oci.import, type(doc) == "string" and doc or text(doc))
      assert.is_false(ok, "imported, expected " .. pattern)
      assert.matches(pattern, err)
    end
    local function with(change, base)
      local doc = json.decode(text(base or EVERY_FIELD))
      change(doc)
      return doc
    end
    refusal("{", "oci.import%(json%).*not JSON")
    refusal("[1]", "must be a JSON object")
    refusal(with(function(d) d.defaultAction = nil end), "oci.import%(defaultAction%).*is missing")
    refusal(with(function(d) d.defaultAction = "SCMP_ACT_NOTIFY" d.defaultErrnoRet = nil end),
            "cannot be the default")
    refusal(with(function(d) d.architectures[2] = "SCMP_ARCH_X86" end),
            "oci.import%(syscalls%[12%]%): add%(getsid%).*x86 architecture cannot")
    refusal(with(function(d) d.syscalls[2].action = "SCMP_ACT_MAYBE" end),
            "oci.import%(syscalls%[1%]%.action%).*unknown action SCMP_ACT_MAYBE")
    refusal(with(function(d) d.syscalls[12].args[1].op = "SCMP_CMP_ABOUT" end),
            "syscalls%[11%]%.args%[0%]%.op.*unknown operator")
    refusal(with(function(d) d.syscalls[12].args[1].index = 6 end), "syscalls%[11%]%.args%[0%]%.index")
    refusal(with(function(d) d.syscalls[12].args[1].value = -1 end), "args%[0%]%.value.*unsigned")
    refusal(with(function(d) d.syscalls[12].args[1].value = 1.5 end), "args%[0%]%.value.*unsigned")
    refusal(with(function(d) d.syscalls[2].errnoRet = 4095 end), "syscalls%[1%]%.errnoRet")
    refusal(with(function(d) d.syscalls[3].errnoRet = 1 end), "SCMP_ACT_KILL takes no errnoRet")
    refusal(with(function(d) d.architectures[1] = "SCMP_ARCH_PDP11" end), "architectures%[0%].*unknown architecture")
    refusal(with(function(d) d.flags[1] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" end),
            "flags%[0%].*Operation not supported")
    refusal(with(function(d) d.syscalls[1].nmaes = {} end), "syscalls%[0%].*unknown field \"nmaes\"")
    refusal(with(function(d) d.syscalls[3].names = { "write" } d.syscalls[3].action = "SCMP_ACT_NOTIFY" end),
            "cannot be used for write")
    refusal(with(function(d) d.archMap = { { architecture = "SCMP_ARCH_X86_64" } } end), "both")
    refusal(with(function(d) d.syscalls[22].names = { "x" } end), "both 'name' and 'names'")
    -- the binding's refusals, with the entry that caused them
    refusal(with(function(d) d.syscalls[18].args[1].valueTwo = 0x5 end),
            "oci.import%(syscalls%[17%]%.args%[0%]%).*bits outside the mask")
    refusal(with(function(d)
      d.syscalls[12].names, d.syscalls[12].action, d.syscalls[12].errnoRet = { "socket" }, "SCMP_ACT_ALLOW", nil
    end, with_x86(EVERY_FIELD)),
            "oci.import%(syscalls%[11%]%): add%(socket%).*socketcall")
    refusal(with(function(d) d.syscalls[2].names = { "getpid" } end),
            "oci.import%(syscalls%[1%]%): add%(getpid%).*File exists")
    refusal(with(function(d) d.syscalls[12].args[1].value = "18446744073709551616" end), "above 2")
    refusal(with(function(d) d.syscalls[12].args[1].value = 0x100000000 end, with_x86(EVERY_FIELD)),
            "oci.import%(syscalls%[11%]%).*above 32 bits")
    -- unknown option keys
    local ok, err = pcall(seccomp.oci.import, text(EVERY_FIELD), { capabilities = {} })
    assert.is_false(ok)
    assert.matches("unknown option", err)
    ok, err = pcall(seccomp.oci.import, text(EVERY_FIELD), { kernel = "six" })
    assert.is_false(ok)
    assert.matches("kernel", err)
  end)

  it("reads values past 2^53 exactly", function()
    local doc = { defaultAction = "SCMP_ACT_ALLOW", syscalls = {
      { names = { "getpgid" }, action = "SCMP_ACT_ERRNO", errnoRet = 5,
        args = { { index = 0, value = 0, op = "SCMP_CMP_EQ" } } } } }
    local t = text(doc):gsub('"value":0', '"value":18446744073709551615')
    local f = seccomp.oci.import(t)
    assert.are.same({ "errno", 5 }, { f:check("getpgid", { -1 }) })
    assert.are.equal("allow", f:check("getpgid", { -2 }))
    t = text(doc):gsub('"value":0', '"value":9007199254740993')
    f = seccomp.oci.import(t)
    assert.are.same({ "errno", 5 }, { f:check("getpgid", { 9007199254740993 }) })
    assert.are.equal("allow", f:check("getpgid", { 9007199254740992 }))
  end)
end)

-- ---- enforced -----------------------------------------------------------

-- Runs build/sysraw MODE NR ARGS under the imported filter in a child.
local function under(f, mode, nr_, ...)
  return helpers.sysraw(function() f:load() end, mode, nr_, ...)
end

describe("an imported profile, enforced in a child", function()
  if not on_x86_64 then
    pending("the profiles here are written for x86_64")
    return
  end
  local f = seccomp.oci.import(text(EVERY_FIELD))

  it("gives every action as runc does", function()
    helpers.assert_exit(0, under(f, "raw", nr "getpid"))
    helpers.assert_exit(42, under(f, "raw", nr "getppid"))
    helpers.assert_sigsys(under(f, "raw", nr "getuid"))        -- SCMP_ACT_KILL
    helpers.assert_sigsys(under(f, "raw", nr "getgid"))        -- KILL_THREAD
    helpers.assert_sigsys(under(f, "raw", nr "geteuid"))       -- KILL_PROCESS
    helpers.assert_sigsys(under(f, "raw", nr "getegid"))       -- TRAP, no handler
    helpers.assert_exit(0, under(f, "raw", nr "gettid"))       -- LOG
    helpers.assert_exit(seccomp.errno_value("ENOSYS"), under(f, "raw", nr "sched_yield"))  -- no tracer
    helpers.assert_exit(1, under(f, "raw", nr "umask", 0))     -- ERRNO without errnoRet: EPERM
    helpers.assert_exit(13, under(f, "raw", nr "getrusage", 0, 0))  -- the default
    helpers.assert_exit(60, under(f, "raw", nr "times", 0))
    assert.are.equal("notify", (f:check("sync")))
    assert.are.equal("kill_thread", (f:check("getuid")))
    assert.are.equal("kill_process", (f:check("geteuid")))
    assert.are.equal("trap", (f:check("getegid")))
    assert.are.same({ "trace", 1 }, { f:check("getpgrp") })
  end)

  it("hands SCMP_ACT_NOTIFY calls to a supervisor", function()
    local notify = require "seccomp.notify"
    local child = require "seccomp.child"
    local core = require "seccomp.core"
    local lraw = assert(package.loadlib("build/spec/lraw.so", "luaopen_lraw"))()
    local g = seccomp.oci.import(text {
      defaultAction = "SCMP_ACT_ALLOW",
      syscalls = { { names = { "getppid" }, action = "SCMP_ACT_NOTIFY" } },
    })
    local mine, theirs = notify.socketpair()
    local h = child.start(function(send)
      core.close_fd(mine)
      g:load()
      notify.send_fd(theirs, g:notify_fd())
      local ret, err = lraw.syscall_raw(nr "getppid")
      send(ret .. " " .. err)
    end, { send = true })
    core.close_fd(theirs)
    local fd = notify.recv_fd(mine)
    core.close_fd(mine)
    local seen = {}
    notify.serve(fd, function(req)
      seen[#seen + 1] = req.name
      return { value = 4242 }
    end)
    core.close_fd(fd)
    local r = h:wait()
    assert.are.same({ "exit", 0 }, { r.how, r.code })
    assert.are.equal("4242 0", r.output)
    assert.are.same({ "getppid" }, seen)
  end)

  it("answers ENOSYS above the highest call the profile names, as runc's stub does", function()
    local above = nr "pidfd_open"
    assert.is_true(above > nr "rseq")  -- rseq: the highest the profile names
    helpers.assert_exit(seccomp.errno_value("ENOSYS"), under(f, "raw", above, 0, 0))
    local plain = seccomp.oci.import(text(EVERY_FIELD), { enosys = false })
    helpers.assert_exit(13, under(plain, "raw", above, 0, 0))
    -- below it, a call no entry names gets the default
    helpers.assert_exit(13, under(f, "raw", nr "getrusage", 0, 0))
    local x86 = seccomp.oci.import(text(with_x86(EVERY_FIELD)))
    helpers.assert_exit(seccomp.errno_value("ENOSYS"), under(x86, "int80", nr("pidfd_open", "x86"), 0, 0))
    helpers.assert_exit(13, under(x86, "int80", nr("getrusage", "x86"), 0, 0))
  end)

  it("compares with all seven operators", function()
    local cases = {
      { "getpgid", 51, { 77 }, { 78 } },            -- EQ
      { "getsid", 52, { 78 }, { 77 } },             -- NE
      { "setpgid", 53, { 0, 76 }, { 0, 77 } },      -- LT on index 1
      { "setuid", 54, { 77 }, { 78 } },             -- LE
      { "setgid", 55, { 78 }, { 77 } },             -- GT
      { "setfsuid", 56, { 77 }, { 76 } },           -- GE
      { "setfsgid", 57, { 0x5f }, { 0x60 } },       -- MASKED_EQ
      { "setreuid", 58, { 1, 2 }, { 1, 3 } },       -- two indexes, both
      { "setregid", 59, { 4 }, { 7 } },             -- one index twice, either
      { "setregid", 59, { 11 }, { 6 } },
    }
    for _, c in ipairs(cases) do
      local yes, no = c[3], c[4]
      helpers.assert_exit(c[2], under(f, "raw", nr(c[1]), yes[1], yes[2] or 0))
      helpers.assert_exit(13, under(f, "raw", nr(c[1]), no[1], no[2] or 0))
    end
  end)

  it("holds on i386 through int 0x80", function()
    f = seccomp.oci.import(text(with_x86(EVERY_FIELD)))
    local i386 = function(name) return nr(name, "x86") end
    helpers.assert_exit(42, under(f, "int80", i386 "getppid"))
    helpers.assert_exit(51, under(f, "int80", i386 "getpgid", 77))
    helpers.assert_exit(13, under(f, "int80", i386 "getpgid", 78))
    helpers.assert_exit(57, under(f, "int80", i386 "setfsgid", 0x55))
    helpers.assert_exit(13, under(f, "int80", i386 "setfsgid", 0x65))
    helpers.assert_sigsys(under(f, "int80", i386 "getuid"))
  end)

  it("includes and excludes by capability and kernel, as Docker does", function()
    local doc = text(docker_shaped())
    local plain = seccomp.oci.import(doc, { kernel = "6.1" })
    local admin = seccomp.oci.import(doc, { kernel = "6.1", caps = { "CAP_SYS_ADMIN" } })
    local old = seccomp.oci.import(doc, { kernel = "4.7" })
    -- clone3: ENOSYS without CAP_SYS_ADMIN (excludes), allowed with it (includes);
    -- called with a bad size, so that an allowed call fails with EINVAL
    helpers.assert_exit(38, under(plain, "raw", nr "clone3", 0, 0))
    helpers.assert_exit(seccomp.errno_value("EINVAL"), under(admin, "raw", nr "clone3", 0, 0))
    -- chroot: CAP_SYS_CHROOT is one of Docker's default capabilities, not of the empty set
    local none = seccomp.oci.import(doc, { kernel = "6.1", caps = {} })
    helpers.assert_exit(seccomp.errno_value("ENOENT"), under(plain, "raw", nr "chroot", "@/nonexistent-oci"))
    helpers.assert_exit(1, under(none, "raw", nr "chroot", "@/nonexistent-oci"))
    -- ptrace from 4.8 (includes.minKernel), EPERM before (excludes.minKernel)
    helpers.assert_exit(seccomp.errno_value("ESRCH"), under(plain, "raw", nr "ptrace", 0x4206, 999999))
    helpers.assert_exit(1, under(old, "raw", nr "ptrace", 0x4206, 999999))
    -- clone with namespace flags: only with CAP_SYS_ADMIN (masked_eq on flags)
    helpers.assert_exit(1, under(plain, "raw", nr "clone", 0x20000000))
    -- i386: personality by value
    helpers.assert_exit(0, under(plain, "int80", nr("personality", "x86"), 0xffffffff))
    helpers.assert_exit(1, under(plain, "int80", nr("personality", "x86"), 0x9))
  end)
end)

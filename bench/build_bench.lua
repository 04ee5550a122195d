-- What building, loading and checking a filter costs from Lua, against a
-- C program that builds the same rules with libseccomp
-- (bench/build_filter.c), and what a loaded filter costs a system call
-- against the kernel's floors. Every figure is a ratio of two things
-- measured side by side in this run: the two sides alternate, each is
-- repeated, and the median is kept. Times are CPU time (clock(3) on both
-- sides), so other load on the machine moves both alike.
-- Run with `make bench` (from the repository root).
local seccomp = require "seccomp"
local core = require "seccomp.core"
local policy = require "seccomp.policy"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib("build/spec/lraw.so", "luaopen_lraw"))()

local BUILD_C = os.getenv("BENCH_BUILD_FILTER") or "build/bench/build_filter"
local REPS = tonumber(os.getenv("BENCH_REPS")) or 9
local CALLS = tonumber(os.getenv("BENCH_SYSCALLS")) or 200000
local clock = os.clock

local function median(list)
  local s = {}
  for i, x in ipairs(list) do s[i] = x end
  table.sort(s)
  local n = #s
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

-- How many calls of fn last about 20 ms.
local function batch_size(fn)
  local n = 1
  while true do
    local t0 = clock()
    for _ = 1, n do fn() end
    if clock() - t0 > 0.02 then return n end
    n = n * 2
  end
end

local function timed(fn, n)
  local t0 = clock()
  for _ = 1, n do fn() end
  return (clock() - t0) / n
end

-- ---- the rules, in a form both sides read ----------------------------

local LOW32 = 0xffffffff
local CMP_EQ, CMP_MASKED_EQ = 4, 7  -- enum scmp_compare

-- A comparator as libseccomp is given it by the core: arg32 comparisons
-- as masked_eq on the low half, 64-bit ones as written. The benchmark
-- only uses eq and masked_eq, which the core passes on as one rule.
local function libseccomp_cmp(c)
  if c.op == "eq" and c.bits == 32 then return c.arg, CMP_MASKED_EQ, LOW32, c.a & LOW32 end
  if c.op == "masked_eq" and c.bits == 32 then
    return c.arg, CMP_MASKED_EQ, c.a & LOW32, c.b & LOW32
  end
  if c.op == "eq" then return c.arg, CMP_EQ, c.a, 0 end
  if c.op == "masked_eq" then return c.arg, CMP_MASKED_EQ, c.a, c.b end
  error("benchmark rules use eq and masked_eq only, got " .. tostring(c))
end

local function action_value(a)
  return type(a) == "number" and a or seccomp.action(a)
end

-- Writes the rules file build_filter reads; returns its path.
local files = {}
local function rules_file(default, rules)
  local path = os.tmpname()
  files[#files + 1] = path
  local out = assert(io.open(path, "w"))
  local distinct, seen = 0, {}
  for _, r in ipairs(rules) do
    if not seen[r.name] then seen[r.name] = true; distinct = distinct + 1 end
  end
  -- the level the core picks by default (see LSC_BTREE_MIN_SYSCALLS)
  out:write(("default %d\noptimize %d\n"):format(action_value(default),
                                                distinct >= 64 and 2 or 1))
  for _, r in ipairs(rules) do
    out:write(("rule %d %s %d"):format(action_value(r.action), r.name, #r.cmps))
    for _, c in ipairs(r.cmps) do
      -- (a negative integer is a value of 2^63 or more: scanf's %llu
      -- reads it back as one)
      out:write((" %d %d %d %d"):format(libseccomp_cmp(c)))
    end
    out:write("\n")
  end
  out:close()
  return path
end

local function run_c(path, mode, batch)
  local p = assert(io.popen(("%s %s %s %d"):format(BUILD_C, path, mode, batch)))
  local out = p:read("a")
  local ok = p:close()
  assert(ok, "build_filter failed: " .. out)
  return out
end

-- Every name of the native architecture, in number order.
local all_names = {}
for nr = 0, 1023 do
  local ok, name = pcall(seccomp.syscall_name, nr)
  if ok then all_names[#all_names + 1] = name end
end

local names300 = table.move(all_names, 1, 300, 1, {})

-- A profile the size of Docker's default: every call but a few that
-- change the system, plus argument rules on personality and clone.
local DENIED = {
  personality = true, clone = true, clone3 = true, mount = true, umount2 = true,
  reboot = true, kexec_load = true, kexec_file_load = true, init_module = true,
  finit_module = true, delete_module = true, swapon = true, swapoff = true,
  pivot_root = true, acct = true, settimeofday = true, clock_settime = true,
  clock_adjtime = true, adjtimex = true, bpf = true, perf_event_open = true,
  userfaultfd = true, open_by_handle_at = true, name_to_handle_at = true,
  lookup_dcookie = true, keyctl = true, add_key = true, request_key = true,
  unshare = true, setns = true, iopl = true, ioperm = true, quotactl = true,
  nfsservctl = true, vm86 = true, vm86old = true, fsopen = true, fsmount = true,
  fsconfig = true, fspick = true, move_mount = true, open_tree = true,
}
local docker_names = {}
for _, name in ipairs(all_names) do
  if not DENIED[name] then docker_names[#docker_names + 1] = name end
end
local arg32, arg64 = seccomp.arg32, seccomp.arg
local docker_arg_rules = {
  { "personality", arg32(0):eq(0) }, { "personality", arg32(0):eq(8) },
  { "personality", arg32(0):eq(0x20000) }, { "personality", arg32(0):eq(0x20008) },
  { "personality", arg32(0):eq(0xffffffff) },
  { "clone", arg64(0):masked_eq(0x7e020000, 0) },
}
local docker_allow = table.move(docker_names, 1, #docker_names, 1, {})
for _, r in ipairs(docker_arg_rules) do docker_allow[#docker_allow + 1] = r end
local DOCKER = { default = seccomp.errno("EPERM"), allow = docker_allow }

local function plain_rules(names)
  local rules = {}
  for i, name in ipairs(names) do rules[i] = { action = "allow", name = name, cmps = {} } end
  return rules
end

local docker_rules = plain_rules(docker_names)
for _, r in ipairs(docker_arg_rules) do
  docker_rules[#docker_rules + 1] = { action = "allow", name = r[1], cmps = { r[2] } }
end

local PLEDGE = "stdio rpath"

-- `build_bench.lua --load WHAT [FILE]`: one build and load in this fresh
-- interpreter, whose CPU time it prints (a child forked from the
-- benchmark would also pay for the copies of the parent's pages it
-- writes to, which the C program's small child does not).
if arg and arg[1] == "--load" then
  local saved = arg[2] == "saved" and assert(io.open(arg[3], "rb")):read("a")
  os.date("*t")  -- pledge reads the time zone once per process: not timed
  local t0 = clock()
  if arg[2] == "pledge" then
    policy.pledge(PLEDGE)
  elseif arg[2] == "docker" then
    policy.compile(DOCKER):load()
  else
    lraw.bpf_load(saved)
  end
  io.write(clock() - t0)
  os.exit(0)
end

local pledge_rules = policy.plan(PLEDGE)

-- ---- the Lua side of each case ----------------------------------------

local function build_list300()
  local f = seccomp.filter("kill")
  f:allow(names300)
  return f
end

local function build_each300()
  local f = seccomp.filter("kill")
  for _, name in ipairs(names300) do f:allow(name) end
  return f
end

local function build_docker_list()
  local f = seccomp.filter(DOCKER.default)
  f:allow(docker_names)
  for _, r in ipairs(docker_arg_rules) do f:allow(r[1], r[2]) end
  return f
end

local function build_docker_compile()
  return (policy.compile(DOCKER))
end

local function build_pledge()
  return (policy.pledge(PLEDGE, { load = false }))
end

local cases = {
  { "300 syscalls, one list", build_list300, plain_rules(names300), "kill", 1.10 },
  { "300 syscalls, f:allow each", build_each300, plain_rules(names300), "kill", 1.25 },
  { ("Docker-sized (%d rules), list"):format(#docker_rules), build_docker_list,
    docker_rules, DOCKER.default, 1.10 },
  { ("Docker-sized (%d rules), compile"):format(#docker_rules), build_docker_compile,
    docker_rules, DOCKER.default, 1.10 },
  { ("pledge(%q) (%d rules)"):format(PLEDGE, #pledge_rules), build_pledge,
    pledge_rules, "kill", 1.10 },
}

-- Lua against the C program, both as the rules are written and making
-- the calls lua-seccomp makes (its companion rules on socketcall and
-- ipc, see bench/build_filter.c).
local HEADER = ("  %-36s %10s %10s %7s %10s %7s"):format("", "Lua", "C", "ratio", "C same", "ratio")
local function row(label, l, c, same, target)
  print(("  %-36s %7.1f us %7.1f us %6.2fx %7.1f us %6.2fx%s"):format(label, l * 1e6,
        c * 1e6, l / c, same * 1e6, l / same,
        target and ((" (target <= %.2fx)"):format(target)) or ""))
end


print(("lua-seccomp build benchmark: %s, %d repetitions, medians"):format(
  seccomp.version and ("libseccomp " .. table.concat({ seccomp.version() }, ".")) or "",
  REPS))

-- The programs must be the same for the comparison to mean anything.
for _, case in ipairs(cases) do
  case.file = rules_file(case[4], case[3])
  local f = case[2]()
  local c_bpf = run_c(case.file, "bpf", 1)
  case.same = f:bpf() == c_bpf and f:bpf() == run_c(case.file, "bpf-same", 1)
  f:close()
end

print("\nbuilding a filter (CPU time per build; Lua / C)")
print(HEADER)
for _, case in ipairs(cases) do
  local build = case[2]
  local n = batch_size(function() build():close() end)
  local lua_t, c_t, same_t = {}, {}, {}
  for rep = 1, REPS do
    lua_t[rep] = timed(function() build():close() end, n)
    c_t[rep] = tonumber(run_c(case.file, "build", n))
    same_t[rep] = tonumber(run_c(case.file, "build-same", n))
  end
  row(case[1] .. (case.same and "" or " (programs differ!)"), median(lua_t), median(c_t),
      median(same_t), case[5])
end

-- ---- in a child: loads stay ------------------------------------------

-- Runs fn in a child and returns the number it sends back.
local function in_child(fn)
  local r = seccomp.child.run(function(send) send(tostring(fn())) end, { send = true })
  assert(r.how == "exit" and r.code == 0, "benchmark child failed: " .. r.how .. " " .. r.code)
  return tonumber(r.output)
end

local saved_file = os.tmpname()
files[#files + 1] = saved_file
do
  local out = assert(io.open(saved_file, "wb"))
  out:write(build_pledge():bpf())
  out:close()
end
local pledge_file = rules_file("kill", pledge_rules)
local docker_file = rules_file(DOCKER.default, docker_rules)

local LUA = arg and arg[-1] or "lua5.4"
local function run_lua_load(what)
  local p = assert(io.popen(("%s %s --load %s %s"):format(LUA, arg[0], what, saved_file)))
  local out = p:read("a")
  assert(p:close(), "the loading interpreter failed: " .. out)
  return tonumber(out)
end

print("\nbuilding and loading (CPU time, in a fresh process each time)")
print(HEADER)
do
  local lua_t, c_t, same_t, saved_t, docker_t, docker_c, docker_same = {}, {}, {}, {}, {}, {}, {}
  for rep = 1, REPS do
    lua_t[rep] = run_lua_load("pledge")
    c_t[rep] = tonumber(run_c(pledge_file, "load", 1))
    same_t[rep] = tonumber(run_c(pledge_file, "load-same", 1))
    saved_t[rep] = run_lua_load("saved")
    docker_t[rep] = run_lua_load("docker")
    docker_c[rep] = tonumber(run_c(docker_file, "load", 1))
    docker_same[rep] = tonumber(run_c(docker_file, "load-same", 1))
  end
  local l, s = median(lua_t), median(saved_t)
  row(("pledge(%q) and load"):format(PLEDGE), l, median(c_t), median(same_t), 1.25)
  row("Docker-sized compile and load", median(docker_t), median(docker_c),
      median(docker_same))
  print(("  %-36s %7.1f us against %.1f us rebuilding: %.2fx"):format(
    "saved program load (bpf_load)", s * 1e6, l * 1e6, s / l))
end

-- ---- f:check and the simulator ----------------------------------------

print("\nthe simulator (300-rule filter; calls per second)")
do
  local f = build_list300()
  local bpf, arch, nr = f:bpf(), seccomp.arch_token(seccomp.arch_native()), seccomp.syscall("read")
  local bpf_run = core.bpf_run
  local check_t, run_t = {}, {}
  local n = batch_size(function() f:check("read") end)
  for rep = 1, REPS do
    check_t[rep] = timed(function() f:check("read") end, n)
    run_t[rep] = timed(function() bpf_run(bpf, arch, nr) end, n)
  end
  local c, r = median(check_t), median(run_t)
  print(("  %-36s %10.0f"):format("f:check", 1 / c))
  print(("  %-36s %10.0f"):format("core.bpf_run on the exported program", 1 / r))
  print(("  %-36s %10.2fx (target f:check >= 200000/s)"):format("f:check / bpf_run time", c / r))
  f:close()
end

-- ---- what a loaded filter costs a system call ---------------------------

local function insn(code, jt, jf, k) return string.pack("=I2BBI4", code, jt, jf, k) end
local B = core.bpf
local NR_PERSONALITY = seccomp.syscall("personality")
local ARCH = seccomp.arch_token(seccomp.arch_native())
-- The kernel's floor: allow everything (its verdict cache skips the
-- filter for every call).
local ONE_INSN = insn(B.BPF_RET | B.BPF_K, 0, 0, B.SECCOMP_RET_ALLOW)
-- The least a correct filter with one argument check does: check the
-- architecture, then personality's argument, allow the rest.
local MINIMAL = table.concat {
  insn(B.BPF_LD | B.BPF_W | B.BPF_ABS, 0, 0, B.OFFSET_ARCH),
  insn(B.BPF_JMP | B.BPF_JEQ | B.BPF_K, 0, 6, ARCH),
  insn(B.BPF_LD | B.BPF_W | B.BPF_ABS, 0, 0, B.OFFSET_NR),
  insn(B.BPF_JMP | B.BPF_JEQ | B.BPF_K, 0, 3, NR_PERSONALITY),
  insn(B.BPF_LD | B.BPF_W | B.BPF_ABS, 0, 0, B.OFFSET_ARGS),
  insn(B.BPF_JMP | B.BPF_JEQ | B.BPF_K, 1, 0, 0xffffffff),
  insn(B.BPF_RET | B.BPF_K, 0, 0, B.SECCOMP_RET_ERRNO | 1),
  insn(B.BPF_RET | B.BPF_K, 0, 0, B.SECCOMP_RET_ALLOW),
  insn(B.BPF_RET | B.BPF_K, 0, 0, B.SECCOMP_RET_KILL_PROCESS),
}

-- Seconds per call of personality(0xffffffff) (a query: the filter runs,
-- since the call has argument rules) and of getpid (allowed whatever its
-- arguments: the kernel's cache answers) under `setup`'s filter.
local function per_call(setup, which)
  return in_child(function()
    setup()
    local raw, n = lraw.syscall_raw, CALLS
    local t0 = clock()
    if which == "personality" then
      for _ = 1, n do raw(NR_PERSONALITY, 0xffffffff) end
    else
      local getpid = lraw.getpid
      for _ = 1, n do getpid() end
    end
    return (clock() - t0) / n
  end)
end

local SETUPS = {
  { "no filter", function() end },
  { "one-instruction allow (floor)", function() lraw.bpf_load(ONE_INSN) end },
  { "hand-written argument check (floor)", function() lraw.bpf_load(MINIMAL) end },
  { "Docker-sized, defaults", function() policy.compile(DOCKER):load() end },
}

print(("\nwhat a loaded filter costs a system call (%d calls, ns per call)"):format(CALLS))
for _, which in ipairs { "personality", "getpid" } do
  local t = {}
  for i in ipairs(SETUPS) do t[i] = {} end
  for rep = 1, REPS do
    for i, s in ipairs(SETUPS) do t[i][rep] = per_call(s[2], which) end
  end
  local m = {}
  for i in ipairs(SETUPS) do m[i] = median(t[i]) end
  print(("  %s:"):format(which == "personality" and "personality(0xffffffff), argument rules"
                         or "getpid, allowed whatever its arguments"))
  for i, s in ipairs(SETUPS) do
    print(("    %-36s %8.1f ns %7.2fx no filter"):format(s[1], m[i] * 1e9, m[i] / m[1]))
  end
  local floor = which == "personality" and 3 or 2
  print(("    %-36s %17.2fx"):format("defaults / " .. SETUPS[floor][1]:gsub(" %(floor%)", ""),
                                      m[4] / m[floor]))
end

-- ---- require --------------------------------------------------------------

print("\nrequire (CPU time in a fresh interpreter)")
do
  local script = [[local c = os.clock; local t0 = c(); require "seccomp"; local t1 = c();
    require "seccomp.policy"; local t2 = c(); io.write(t1 - t0, " ", t2 - t1)]]
  local a, b = {}, {}
  for rep = 1, REPS do
    local p = assert(io.popen(("%s -e '%s'"):format(LUA, script:gsub("\n", " "))))
    local x, y = p:read("n", "n")
    p:close()
    a[rep], b[rep] = x, y
  end
  local ma, mb = median(a), median(b)
  print(("  %-36s %7.3f ms"):format('require "seccomp"', ma * 1e3))
  print(("  %-36s %7.3f ms"):format('then require "seccomp.policy"', mb * 1e3))
  print(("  %-36s %7.3f ms (target < 1 ms)"):format("together", (ma + mb) * 1e3))
end

for _, path in ipairs(files) do os.remove(path) end

-- What a saved program saves at start-up: seccomp.load_bpf of the program
-- a 300-rule filter exported, against building that filter and loading
-- it, each in a fresh interpreter (a load stays for the process's life),
-- the two alternating, repeated, medians kept. CPU time (os.clock) from
-- just before the build or load to just after it, so the interpreter's
-- start and `require "seccomp"` count on neither side.
-- Run with `make bench` (from the repository root).
local seccomp = require "seccomp"

local REPS = tonumber(os.getenv("BENCH_REPS")) or 9
local TARGET = 10
local LUA = arg and arg[-1] or "lua5.4"

-- 300 rules: the first 300 calls of the native architecture, one rule
-- each, as an allow list.
local function build()
  local f = seccomp.filter("kill")
  local n = 0
  for nr = 0, 1023 do
    local ok, name = pcall(seccomp.syscall_name, nr)
    if ok and n < 300 then
      n = n + 1
      f:allow(name)
    end
  end
  return f
end

-- `load_bpf_bench.lua --child build|saved FILE`: one load, its CPU time.
if arg and arg[1] == "--child" then
  local bytes = assert(io.open(arg[3], "rb")):read("*a")
  local t0 = os.clock()
  if arg[2] == "build" then
    build():load()
  else
    seccomp.load_bpf(bytes)
  end
  io.write(os.clock() - t0)
  os.exit(0)
end

local function median(list)
  table.sort(list)
  local n = #list
  if n % 2 == 1 then return list[(n + 1) / 2] end
  return (list[n / 2] + list[n / 2 + 1]) / 2
end

local saved = os.tmpname()
local rules, insns
do
  local f = build()
  rules = f:rule_count()  -- 300 calls, and the companions the core adds
  insns = #f:bpf() / 8
  local out = assert(io.open(saved, "wb"))
  out:write(f:bpf())
  out:close()
end

local function run(what)
  local p = assert(io.popen(("%s %s --child %s %s"):format(LUA, arg[0], what, saved)))
  local out = p:read("*a")
  assert(p:close(), "the loading interpreter failed: " .. out)
  return assert(tonumber(out), out)
end

local built, loaded = {}, {}
for rep = 1, REPS do
  built[rep] = run("build")
  loaded[rep] = run("saved")
end
os.remove(saved)
local b, l = median(built), median(loaded)
print(("\nsaved programs (300 calls, %d rules, %d instructions; CPU time, a fresh process "
       .. "each, %d repetitions, medians)"):format(rules, insns, REPS))
print(("  %-36s %9.1f us"):format("build and f:load()", b * 1e6))
print(("  %-36s %9.1f us"):format("seccomp.load_bpf(saved)", l * 1e6))
print(("  %-36s %9.1fx (target >= %dx)%s"):format("build and load / load_bpf", b / math.max(l, 1e-7),
      TARGET, b / math.max(l, 1e-7) >= TARGET and "" or " BELOW TARGET"))

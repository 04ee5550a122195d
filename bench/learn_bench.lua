-- Learn mode's cost: one workload run bare, under `seccomp.learn`, and
-- under `strace -f -c`, alternating; medians of wall-clock times, and
-- their ratios.
-- Run with `make bench` (from the repository root).
local seccomp = require "seccomp"

-- Wall clock in seconds (date(1) keeps this free of extra modules).
local function now()
  local p = io.popen("date +%s%N")
  local ns = tonumber(p:read("l"))
  p:close()
  return ns / 1e9
end

local WORKLOAD = { "/bin/sh", "-c",
  "ls -lR /usr/share/lua /usr/lib/x86_64-linux-gnu > /dev/null 2>&1; " ..
  "for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/passwd | wc -l > /dev/null; done" }

local function timed(fn)
  local t0 = now()
  fn()
  return now() - t0
end

local function run(argv)
  local r = seccomp.child.run(argv)
  assert(r.how == "exit" and r.code == 0, table.concat(argv, " ") .. " failed")
end

local REPS = tonumber(os.getenv("BENCH_LEARN_REPS")) or 5

local function median(list)
  table.sort(list)
  local n = #list
  if n % 2 == 1 then return list[(n + 1) // 2] end
  return (list[n // 2] + list[n // 2 + 1]) / 2
end

-- Warm the page cache so the first measurement is not penalised.
run(WORKLOAD)

local strace_path = "/usr/bin/strace"
local has_strace = io.open(strace_path) ~= nil
local traced_argv = { strace_path, "-f", "-c", "-o", "/dev/null" }
for _, a in ipairs(WORKLOAD) do traced_argv[#traced_argv + 1] = a end

-- The three alternate, so that a change in the machine's load moves all.
local bare_t, learned_t, traced_t = {}, {}, {}
local report
for rep = 1, REPS do
  bare_t[rep] = timed(function() run(WORKLOAD) end)
  learned_t[rep] = timed(function() report = seccomp.learn(WORKLOAD) end)
  if has_strace then traced_t[rep] = timed(function() run(traced_argv) end) end
end
local bare, learned = median(bare_t), median(learned_t)
local traced = has_strace and median(traced_t) or nil

local calls = 0
for _, n in pairs(report.syscalls) do calls = calls + n end

print(("learn mode benchmark: %s (%d repetitions, medians of wall-clock time)")
      :format(table.concat(WORKLOAD, " "), REPS))
print(("  syscalls recorded      %9d"):format(calls))
print(("  bare                   %9.3f s"):format(bare))
print(("  seccomp.learn          %9.3f s   %6.1fx bare"):format(learned, learned / bare))
if traced then
  print(("  strace -f -c           %9.3f s   %6.1fx bare"):format(traced, traced / bare))
  print(("  learn / strace         %9.2f"):format(learned / traced))
else
  print("  strace -f -c           (strace not installed)")
end

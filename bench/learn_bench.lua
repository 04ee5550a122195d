-- Learn mode's cost: one workload run bare, under `seccomp.learn`, and
-- under `strace -f -c`; wall-clock times and ratios from one run each.
-- Run with `make bench` (from the repository root).
local seccomp = require "seccomp"
local core = require "seccomp.core"

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
  local pid = core.fork()
  if pid == 0 then
    pcall(core.execv, argv[1], argv)
    core.exit(127)
  end
  local how, code = core.wait(pid)
  assert(how == "exit" and code == 0, table.concat(argv, " ") .. " failed")
end

-- Warm the page cache so the first measurement is not penalised.
run(WORKLOAD)

local bare = timed(function() run(WORKLOAD) end)
local report
local learned = timed(function() report = seccomp.learn(WORKLOAD) end)
local strace_path = "/usr/bin/strace"
local has_strace = io.open(strace_path) ~= nil
local traced
if has_strace then
  local argv = { strace_path, "-f", "-c", "-o", "/dev/null" }
  for _, a in ipairs(WORKLOAD) do argv[#argv + 1] = a end
  traced = timed(function() run(argv) end)
end

local calls = 0
for _, n in pairs(report.syscalls) do calls = calls + n end

print("learn mode benchmark: " .. table.concat(WORKLOAD, " "))
print(("  syscalls recorded      %9d"):format(calls))
print(("  bare                   %9.3f s"):format(bare))
print(("  seccomp.learn          %9.3f s   %6.1fx bare"):format(learned, learned / bare))
if traced then
  print(("  strace -f -c           %9.3f s   %6.1fx bare"):format(traced, traced / bare))
  print(("  learn / strace         %9.2f"):format(learned / traced))
else
  print("  strace -f -c           (strace not installed)")
end

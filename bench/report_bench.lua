-- Report mode's cost per allowed call: a filter that allows every call
-- but one, loaded plainly and with `report = true` (a supervisor outside
-- the process; only the kill becomes a notification), in children side by
-- side; each times the same number of allowed raw calls (CPU time, user
-- and system, clock(3)). Medians of alternating runs, and their ratio.
-- Run with `make bench` (from the repository root).
local seccomp = require "seccomp"
local child = require "seccomp.child"
local lraw = assert(package.loadlib(os.getenv("BENCH_LRAW") or "build/spec/lraw.so",
                                    "luaopen_lraw"))()

local CALLS = tonumber(os.getenv("BENCH_REPORT_CALLS")) or 200000
local REPS = tonumber(os.getenv("BENCH_REPORT_REPS")) or 7
local GETPPID = seccomp.syscall("getppid")

-- CPU seconds for CALLS allowed calls in a child under `load`.
local function timed(load)
  local r = child.run(function(send)
    load()
    local t0 = os.clock()
    for _ = 1, CALLS do lraw.syscall_raw(GETPPID) end
    send(("%.6f"):format(os.clock() - t0))
  end, { send = true })
  assert(r.how == "exit" and r.code == 0, "the timed child failed: " .. tostring(r.error))
  return tonumber(r.output)
end

local function filter()
  local f = seccomp.filter("allow")
  f:add("kill_process", "ptrace")
  return f
end

local function median(list)
  table.sort(list)
  return list[math.floor((#list + 1) / 2)]
end

local none, plain, report = {}, {}, {}
timed(function() end)  -- warm up
for rep = 1, REPS do
  none[rep] = timed(function() end)
  plain[rep] = timed(function() filter():load() end)
  report[rep] = timed(function() filter():load { report = true } end)
end
local n, p, r = median(none), median(plain), median(report)
print(("report: %d allowed calls, median of %d: no filter %.1f ms, plain filter %.1f ms, "
       .. "report = true %.1f ms; report / plain %.2f"):format(CALLS, REPS, n * 1e3, p * 1e3,
                                                             r * 1e3, r / p))

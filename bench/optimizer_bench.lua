-- Where does libseccomp's binary-tree optimizer pay? For allowlists of N
-- syscalls, times a getpid loop in a child under the filter built with
-- optimize = 1 (linear) and optimize = 2 (binary tree), side by side in
-- one run, and prints the ratio. The timed call is given the lowest
-- priority, so the linear filter checks every other syscall before it,
-- and an argument check, so that the kernel runs the filter every time. The core turns the tree on by default
-- from the size where it starts to win.
local seccomp = require "seccomp"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib("build/spec/lraw.so", "luaopen_lraw"))()

local CALLS = tonumber(os.getenv("BENCH_CALLS")) or 300000
local SIZES = { 8, 16, 32, 64, 96, 128, 192, 256 }

-- Every syscall name this architecture knows, in number order, without
-- the ones the benchmark itself needs.
local needed = { getpid = true, write = true, clock_gettime = true, exit_group = true, brk = true,
                 mmap = true, munmap = true, mremap = true, rt_sigreturn = true }
local pool = {}
for nr = 0, 450 do
  local ok, name = pcall(seccomp.syscall_name, nr)
  if ok and not needed[name] then pool[#pool + 1] = name end
end

local function time_in_child(size, level)
  local r = seccomp.child.run(function(send)
    local f = seccomp.filter("kill", { optimize = level })
    -- the measured call is placed last, the worst case of the linear list
    -- (the tree ignores priorities, and libseccomp 2.5.4's PFC writer,
    -- which a load runs, never ends on some trees that have them)
    for i = 1, size do
      if level == 1 then f:priority(pool[i], 255) end
      f:allow(pool[i])
    end
    if level == 1 then f:priority("getpid", 0) end
    -- Argument checks keep the kernel from caching the verdict (since
    -- Linux 5.11 unconditional allows skip the filter), so the filter runs:
    -- the two rules together allow every value of the argument.
    f:allow("getpid", seccomp.arg(5):masked_eq(1, 0))
    f:allow("getpid", seccomp.arg(5):masked_eq(1, 1))
    f:allow { "write", "clock_gettime", "exit_group", "brk", "mmap", "munmap", "mremap", "rt_sigreturn" }
    f:load()
    local getpid = lraw.getpid
    local t0 = os.clock()
    for _ = 1, CALLS do getpid() end
    send(tostring(os.clock() - t0))
  end, { send = true })
  assert(r.how == "exit" and r.code == 0, "benchmark child failed: " .. r.how .. " " .. r.code)
  return tonumber(r.output)
end

print(("optimizer benchmark: %d getpid calls per run, best of 3"):format(CALLS))
print(("%-10s %12s %12s %12s"):format("syscalls", "linear (s)", "tree (s)", "tree/linear"))
for _, size in ipairs(SIZES) do
  local best = { math.huge, math.huge }
  for _ = 1, 3 do
    for level = 1, 2 do
      best[level] = math.min(best[level], time_in_child(size, level))
    end
  end
  print(("%-10d %12.4f %12.4f %10.2f"):format(size + 9, best[1], best[2], best[2] / best[1]))
end

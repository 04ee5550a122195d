-- Memory: many create/add/export/close cycles in a child; its resident
-- memory and number of open file descriptors must not grow.
--
-- SECCOMP_MEMORY_CYCLES (default 20000, at least 8192); `make
-- security-full` runs 100000. SECCOMP_MEMORY_REPORT=1 prints the figures.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local helpers = require "helpers"

-- The allowed growth is 8 bytes per measured cycle (the second half), so
-- a leak of 16 bytes a cycle fails at any count. Measured allocator noise
-- is one page (4 KiB); the minimum count keeps the slack at 32 KiB or more.
local LEAK_BYTES = 8
local MIN_CYCLES = 8192
local CYCLES = math.max(tonumber(os.getenv("SECCOMP_MEMORY_CYCLES")) or 20000, MIN_CYCLES)
local MEASURED = 2 * (compat.idiv(CYCLES, 4))
local SLACK_KB = compat.idiv(MEASURED * LEAK_BYTES, 1024)

local function rss_kb()
  return tonumber(helpers.slurp("/proc/self/status"):match("VmRSS:%s*(%d+)"))
end

-- The library's one export file (see src/export.c) is made once per
-- process and replaced in place after a fork: it is not counted.
local function fd_count_once()
  local p = io.popen("ls -l /proc/" .. lraw.getpid() .. "/fd")
  local n = 0
  for line in p:lines() do
    if line:match("%->") and not line:match("memfd:seccomp%-export") then n = n + 1 end
  end
  p:close()
  return n
end

-- The fewest of three readings: a descriptor the C library holds for a
-- moment is not a leak, a leaked one is there every time.
local function fd_count()
  return math.min(fd_count_once(), fd_count_once(), fd_count_once())
end

local function cycle(i)
  local f = seccomp.filter("kill")
  f:allow({ "read", "write", "close" })
  f:add(seccomp.errno("EPERM"), "openat",
        seccomp.arg32(2):masked_eq(seccomp.O.ACCMODE, seccomp.O.WRONLY))
  f:add(seccomp.errno("EACCES"), "socket", seccomp.arg32(0):ge(seccomp.AF.INET))
  local rwx = compat.bor(compat.bor(seccomp.PROT.READ, seccomp.PROT.WRITE), seccomp.PROT.EXEC)
  f:add("kill_thread", "mmap", seccomp.arg(2):gt(rwx), seccomp.arg(0):eq(0))
  pcall(f.add, f, "allow", "read")                    -- refused: a duplicate
  pcall(f.add, f, seccomp.errno("EPERM"), "no_such")  -- refused: unknown name
  local pfc, bpf = f:pfc(), f:bpf()
  assert(#pfc > 0 and #bpf > 0)
  if i % 3 == 0 then
    local g = seccomp.filter("kill")  -- merge needs other architectures
    g:arch_add("x86")
    g:arch_remove("native")
    g:allow("getppid")
    f:merge(g)
  end
  if i % 2 == 0 then f:close() end  -- the others go to __gc
end

-- RSS after each quarter of the cycles. The first half warms up the
-- allocator and lets Lua's collector settle on its pace (the heap grows to
-- the collector's pause once); over the second half nothing may grow.
local function measure(n)
  local points, fds = {}, {}
  for q = 1, 4 do
    for i = 1, compat.idiv(n, 4) do cycle(i) end
    collectgarbage()
    collectgarbage()
    points[q], fds[q] = rss_kb(), fd_count()
  end
  return points, fds
end

describe("memory", function()
  it(string.format("does not grow over %d create/add/export/close cycles", CYCLES), function()
    local out = os.tmpname()
    local r = helpers.child(function()
      local points, fds = measure(CYCLES)
      local fh = io.open(out, "w")
      fh:write(table.concat(points, " "), "\n", table.concat(fds, " "), "\n")
      fh:close()
    end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
    local text = helpers.slurp(out)
    os.remove(out)
    local points, fds = {}, {}
    local l1, l2 = text:match("^([^\n]*)\n([^\n]*)")
    for v in l1:gmatch("%d+") do points[#points + 1] = tonumber(v) end
    for v in l2:gmatch("%d+") do fds[#fds + 1] = tonumber(v) end
    if os.getenv("SECCOMP_MEMORY_REPORT") then
      print(string.format("\nmemory: %d cycles, RSS by quarter %s KiB (slack %d), fds %s",
                          CYCLES, table.concat(points, " "), SLACK_KB, table.concat(fds, " ")))
    end
    assert.are.equal(4, #points)
    assert.are.same({ fds[1], fds[1], fds[1], fds[1] }, fds)
    -- under a sanitizer, freed memory waits in its quarantine: RSS says
    -- nothing there (`make asan` sets SECCOMP_SANITIZER)
    if os.getenv("SECCOMP_SANITIZER") then return end
    assert.is_true(points[4] - points[2] <= SLACK_KB,
                   string.format("RSS grew from %d to %d KiB over %d cycles (slack %d KiB)",
                                 points[2], points[4], MEASURED, SLACK_KB))
  end)
end)

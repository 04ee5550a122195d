--- The filters of libseccomp 2.5's bpf-sim regression tests, rebuilt
-- through the Lua API in our own words (spec/47-regression_spec.lua
-- builds and checks them). Each entry says what the filter does:
--
--   test     the number of the libseccomp test it mirrors
--   default  the default action
--   arches   architectures the filter carries (nil: the native one only)
--   options  attributes set when the filter is made
--   steps    what is done to the filter, in order:
--              { "add" | "add_exact", action, syscall, comparator... }
--              { "priority", syscall, priority }
--              { "reset", default }
--            a step with `refused = message` must raise exactly that
--            (see the spec for why each refusal is right); `cmps`, a
--            function, makes comparators that are refused when made
--   merge    a second filter (arches, default, steps) merged into this one
--   kernel   false when the filter cannot be run under build/sysraw (its
--            rules refuse calls the helper needs to start)
--            a step with `gap = message` is refused though libseccomp 2.5.4
--            compiles it correctly: a gap of the library, asserted so that
--            closing it shows here
--   unbuildable  why the filter cannot be made here (a gap of the library,
--            left pending)
--
-- Syscalls are names (resolved on the native architecture, as libseccomp's
-- SCMP_SYS does) or plain numbers (the tests' made-up syscalls 1000...).
-- libseccomp's SCMP_ACT_KILL is kill_thread; values are those of a 64-bit
-- build (SSIZE_MAX is 2^63 - 1).
local seccomp = require "seccomp"
local compat = require "seccomp.compat"

local A = seccomp.arg
local E = seccomp.errno
local SSIZE_MAX = compat.value("0x7fffffffffffffff")
local STDIN, STDOUT, STDERR = 0, 1, 2

local M = {}

-- The basic allowlist several tests share: read from stdin, write to
-- stdout or stderr, close, and optionally rt_sigreturn.
local function io_allowlist(op, with_sigreturn)
  local steps = {
    { op, "allow", "read", A(0):eq(STDIN) },
    { op, "allow", "write", A(0):eq(STDOUT) },
    { op, "allow", "write", A(0):eq(STDERR) },
    { op, "allow", "close" },
  }
  if with_sigreturn then steps[#steps + 1] = { op, "allow", "rt_sigreturn" } end
  return steps
end

-- Test 05: one syscall with a hundred chains, a hundred syscalls with one.
local function long_jumps()
  local steps = { { "add", "allow", "brk" } }
  for i = 0, 99 do
    steps[#steps + 1] = { "add", "allow", "chdir", A(0):eq(i), A(1):ne(0),
                          A(2):lt(SSIZE_MAX) }
  end
  local chdir, n = seccomp.syscall("chdir"), 0
  for nr = 0, 9999 do
    if n == 100 then break end
    if nr ~= chdir and pcall(seccomp.syscall_name, nr) then
      steps[#steps + 1] = { "add", "allow", nr, A(0):ne(0) }
      n = n + 1
    end
  end
  steps[#steps + 1] = { "add", "allow", "close" }
  return steps
end

-- Test 53: a long list of syscalls, each with its own errno, some only for
-- given first arguments, every rule written twice; laid out as a binary
-- tree. Our own table: the first 40 native syscalls, errno = number.
local function binary_tree()
  local steps = {}
  for nr = 0, 39 do
    local name = seccomp.syscall_name(nr)
    local cmps = {}
    if nr % 7 == 3 then cmps = { A(0):eq(100 + nr), A(1):eq(200 + nr) }
    elseif nr % 5 == 2 then cmps = { A(0):eq(100 + nr) } end
    local action = nr == 0 and E(0, { zero = true }) or E(nr)
    for _ = 1, 2 do
      steps[#steps + 1] = { "add", action, name, compat.unpack(cmps) }
    end
  end
  return steps
end

-- Aligned blocks lo..hi (unsigned) of a 64-bit argument, as rules with
-- one masked comparison each: how test 43's buckets are written so that
-- no two rules with different actions meet.
local function range_rules(steps, action, name, arg, lo, hi)
  while true do
    local span = 0  -- block size - 1
    while span ~= -1 do
      local wider = compat.bor((compat.shl(span, 1)), 1)
      if compat.band(lo, wider) ~= 0 or compat.ult(hi - lo, wider) then break end
      span = wider
    end
    steps[#steps + 1] = { "add", action, name, A(arg):masked_eq(compat.bnot(span), lo) }
    if hi - lo == span then return end
    lo = lo + span + 1
  end
end

-- Test 43 with each bucket its own range: read gets errno 5..12 above
-- 128, 256, ... 16384, each up to the next bound; write errno 5..12 below
-- 128, 256, ... 16384, each from the bound before.
local function a2_buckets()
  local bounds = { 128, 256, 512, 1024, 2048, 4096, 8192, 16384 }
  local steps = { { "add", "allow", "read", A(2):le(64) } }
  for i, lo in ipairs(bounds) do
    range_rules(steps, E(4 + i), "read", 2, lo + 1, bounds[i + 1] or -1)
  end
  steps[#steps + 1] = { "add", "allow", "write", A(2):ge(32768) }
  range_rules(steps, E(5), "write", 2, 0, bounds[1] - 1)
  for i = 2, #bounds do
    range_rules(steps, E(4 + i), "write", 2, bounds[i - 1], bounds[i] - 1)
  end
  return steps
end

local TOO_MANY = "seccomp: add_exact(%s): Argument list too long (E2BIG): range comparisons "
  .. "expand to more than 1024 rules per syscall"

local NE_BLOCKS = "seccomp: add_exact(%s): Argument list too long (E2BIG): an earlier "
  .. "rule on the syscall compares 64-bit arguments with ne, which libseccomp 2.5.4 "
  .. "merges wrongly with this rule's comparisons as written, and as masked blocks it "
  .. "would be 4096 rules (at most 1024); use arg32 for int arguments"

local function overlap(op, name, earlier, call)
  return ("seccomp: %s(%s): File exists (EEXIST): conflicts with an earlier rule with "
          .. "action %s: both would match %s; rules with different actions on one "
          .. "syscall must not match the same call"):format(op, name, earlier, call)
end

M.filters = {
  { test = "01", default = "allow", steps = {} },
  { test = "02", default = "kill_thread", steps = {
      { "add_exact", "allow", "read" }, { "add_exact", "allow", "write" },
      { "add_exact", "allow", "close" }, { "add_exact", "allow", "rt_sigreturn" } } },
  { test = "03", default = "kill_thread", steps = io_allowlist("add_exact", true) },
  { test = "04", default = "kill_thread", steps = {
      { "add", "allow", "openat" }, { "add", "allow", "close" },
      { "add", "allow", "read", A(0):eq(STDIN), A(1):ne(0), A(2):lt(SSIZE_MAX) },
      { "add", "allow", "write", A(0):eq(STDOUT), A(1):ne(0), A(2):lt(SSIZE_MAX) },
      { "add", "allow", "write", A(0):eq(STDERR), A(1):ne(0), A(2):lt(SSIZE_MAX) },
      { "add", "allow", "close" }, { "add", "allow", "rt_sigreturn" } } },
  { test = "05", default = "kill_thread", steps = long_jumps() },
  { test = "06", default = "kill_thread", steps = {
      { "add", "allow", "read" }, { "add", E("EPERM"), "write" },
      { "add", "trap", "close" }, { "add", seccomp.trace(1234), "openat" },
      { "add", "kill_process", "fstat" }, { "add", "log", "rt_sigreturn" } } },
  { test = "07", default = "kill_thread", steps = {
      { "add_exact", "allow", "read", A(0):eq(STDOUT) },
      { "add_exact", "allow", "read", A(1):eq(0) },
      { "add_exact", "allow", "read", A(0):eq(STDIN) } } },
  { test = "08", default = "kill_thread", steps = {
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):eq(1) },
      { "add_exact", "allow", 1000, A(1):eq(1) },
      { "add_exact", "allow", 1001, A(1):eq(1) },
      { "add_exact", "allow", 1001, A(0):eq(0), A(1):eq(1) },
      { "add_exact", "allow", 1002, A(0):eq(0), A(1):eq(1), A(2):eq(2), A(3):eq(3) },
      { "add_exact", "allow", 1002, A(1):eq(1), A(2):eq(2) },
      { "add_exact", "allow", 1003, A(1):eq(1), A(2):eq(2) },
      { "add_exact", "allow", 1003, A(0):eq(0), A(1):eq(1), A(2):eq(2), A(3):eq(3) },
      { "add_exact", "allow", 1004, A(0):eq(0), A(1):eq(1), A(2):eq(2), A(3):eq(3) },
      { "add_exact", "allow", 1004, A(0):eq(0), A(1):eq(11) },
      { "add_exact", "allow", 1004, A(0):eq(0), A(1):eq(1), A(2):eq(2), A(3):eq(33) },
      { "add_exact", "allow", 1004, A(1):eq(1), A(2):eq(2) },
      { "add_exact", "allow", 1005, A(1):eq(1), A(2):eq(2) },
      { "add_exact", "allow", 1005, A(0):eq(0), A(1):eq(1), A(2):eq(2), A(3):eq(3) },
      { "add_exact", "allow", 1005, A(0):eq(0), A(1):eq(11) },
      { "add_exact", "allow", 1005, A(0):eq(0), A(1):eq(1), A(2):eq(2), A(3):eq(33) },
      { "add_exact", "allow", 1006, A(1):ne(1), A(2):eq(0) },
      { "add_exact", "allow", 1006, A(1):eq(1), A(2):eq(2) },
      { "add_exact", "allow", 1006, A(1):ne(1) },
      { "add_exact", "trap", 1007, A(2):eq(2), A(3):eq(3) },
      { "add_exact", "allow", 1007, A(2):eq(2), A(3):ne(3) },
      { "add_exact", "allow", 1007, A(3):ne(3) } } },
  { test = "09", default = "kill_thread", steps = {
      { "priority", 1000, 3 }, { "priority", 1001, 2 }, { "priority", 1002, 1 },
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):eq(1) },
      { "add_exact", "allow", 1001, A(0):eq(0) },
      { "add_exact", "allow", 1002 } } },
  { test = "10", default = "kill_thread", steps = {
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):eq(1) },
      { "add_exact", "allow", 1001, A(0):eq(0) },
      { "add_exact", "allow", 1002 },
      { "priority", 1000, 3 }, { "priority", 1001, 2 }, { "priority", 1002, 1 } } },
  { test = "12", default = "kill_thread", steps = {
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):eq(1), A(2):eq(2) },
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):masked_eq(0x00ff, 1), A(2):eq(2) },
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):masked_eq(0xffff, 11), A(2):eq(2) },
      { "add_exact", "allow", 1000, A(0):eq(0), A(1):masked_eq(0xffff, 111), A(2):eq(2) },
      -- 1000 has bits outside 0xff00: libseccomp masks the value to 0x0300,
      -- a rule nobody wrote; we refuse it
      { "add_exact", "allow", 1000,
        cmps = function() return A(0):eq(0), A(1):masked_eq(0xff00, 1000), A(2):eq(2) end,
        refused = "seccomp: comparator: Invalid argument (EINVAL): masked_eq on "
                  .. "argument 1 can never be true: the value has bits outside the mask" } } },
  { test = "14", default = "kill_thread", steps = {
      { "add_exact", "allow", "read" }, { "reset", "kill_thread" },
      { "add_exact", "allow", "write" } } },
  { test = "16", default = "kill_thread",
    arches = { "x86", "x86_64", "x32", "arm", "aarch64", "mipsel", "mipsel64",
               "mipsel64n32", "ppc64le", "riscv64" },
    steps = (function()
      local s = io_allowlist("add", false)
      for _, name in ipairs { "socket", "connect", "shutdown" } do
        s[#s + 1] = { "add", "allow", name }
      end
      return s
    end)() },
  { test = "17", default = "kill_thread", arches = { "x86_64" }, steps = {
      { "add", "allow", "socket" }, { "add", "allow", "connect" },
      { "add", "allow", "shutdown" } },
    merge = { default = "kill_thread", arches = { "x86" }, steps = io_allowlist("add", false) } },
  { test = "18", default = "kill_thread", steps = io_allowlist("add_exact", true) },
  { test = "19", default = "kill_thread", arches = { "x86" }, steps = {
      { "add", "allow", "tuxcall" },
      { "add_exact", "allow", "tuxcall",
        refused = "seccomp: add_exact(tuxcall): Numerical argument out of domain (EDOM): "
                  .. "libseccomp refused the rule" } } },
  { test = "22", default = "kill_thread", steps = io_allowlist("add_exact", true) },
  { test = "23", default = "kill_thread",
    arches = { "x86", "x86_64", "x32", "arm", "aarch64", "mipsel", "mipsel64",
               "mipsel64n32", "ppc64le", "riscv64" },
    steps = io_allowlist("add", true) },
  { test = "25", default = "kill_thread", steps = {
      { "add_exact", "allow", 10, A(0):eq(11), A(1):ne(12) },
      { "add_exact", "allow", 20, A(0):eq(21), A(1):ne(22), A(2):eq(23) } } },
  { test = "26", default = "kill_thread",
    arches = { "mips", "mips64", "mips64n32", "parisc", "parisc64", "ppc", "ppc64",
               "s390", "s390x" },
    steps = io_allowlist("add", true) },
  { test = "27", default = "allow", steps = (function()
      local s = {}
      for _, v in ipairs { 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15 } do
        s[#s + 1] = { "add_exact", "kill_thread", 1000, A(0):eq(v) }
      end
      s[#s + 1] = { "add_exact", "kill_thread", 1000, A(0):ge(16) }
      return s
    end)() },
  { test = "28", default = "allow", arches = { "x86_64", "x86" }, steps = {
      { "add", E(1), "close" } } },
  { test = "29", default = "allow", arches = { "x86" }, steps = {
      { "add", "kill_thread", "sysmips" },
      { "add_exact", "kill_thread", "sysmips",
        refused = "seccomp: add_exact(sysmips): Numerical argument out of domain (EDOM): "
                  .. "libseccomp refused the rule" },
      { "add_exact", "kill_thread", -11001,
        refused = "seccomp: add_exact: Numerical result out of range (ERANGE): syscall "
                  .. "number -11001 is out of range -1..2147483647" } } },
  { test = "30", default = "kill_thread",
    arches = { "x86", "x86_64", "x32", "ppc64le", "mipsel" },
    steps = (function()
      local s = {}
      for _, name in ipairs { "socket", "bind", "connect", "listen", "accept",
                              "getsockname", "getpeername", "socketpair", "send", "recv",
                              "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt",
                              "sendmsg", "recvmsg", "accept4", "sendmmsg", "recvmmsg" } do
        s[#s + 1] = { "add", "allow", name }
      end
      return s
    end)() },
  { test = "33", default = "kill_thread", arches = { "s390", "s390x", "ppc" }, steps = {
      { "add", "allow", "socket" }, { "add", "allow", "connect" },
      { "add", "allow", "accept" }, { "add", "allow", "accept4" },
      { "add", "allow", "shutdown" } } },
  { test = "34", default = "allow", steps = (function()
      local s = io_allowlist("add_exact", true)
      for _, step in ipairs(s) do step[2] = "kill_thread" end
      return s
    end)() },
  -- libseccomp takes a rule on syscall -1 (what a tracer's skipped calls
  -- become) under tskip, and so does the library
  { test = "35", default = "kill_thread", arches = { "x86", "x86_64" },
    options = { tskip = true }, steps = {
      { "priority", -1, 100 },
      { "add", "allow", -1 } } },
  { test = "36", default = "kill_thread",
    arches = { "x86", "x86_64", "x32", "ppc64le", "mipsel" },
    steps = (function()
      local s = {}
      for _, name in ipairs { "semop", "semtimedop", "semget", "semctl", "msgsnd",
                              "msgrcv", "msgget", "msgctl", "shmat", "shmdt", "shmget",
                              "shmctl" } do
        s[#s + 1] = { "add", "allow", name }
      end
      return s
    end)() },
  { test = "37", default = "kill_thread", arches = { "s390", "s390x", "ppc" },
    steps = (function()
      local s = {}
      for _, name in ipairs { "semop", "semtimedop", "semget", "semctl", "msgsnd",
                              "msgrcv", "msgget", "msgctl", "shmat", "shmdt", "shmget",
                              "shmctl" } do
        s[#s + 1] = { "add", "allow", name }
      end
      return s
    end)() },
  { test = "40", default = "log", steps = {} },
  -- x86 only, and the exact rule cannot be written for the x86_64 that
  -- build/sysraw needs: simulator only
  { test = "41", default = "kill_thread", arches = { "x86" }, kernel = false, steps = {
      { "priority", "socket", 128 }, { "add_exact", "allow", "socket" } } },
  { test = "42", default = "kill_thread", steps = {
      { "add_exact", "allow", 1001, A(0):eq(1), A(1):eq(2) },
      { "add_exact", "allow", 1001 },
      { "add_exact", "allow", 1002, A(0):eq(1) },
      -- libseccomp refuses this one too (EEXIST)
      { "add_exact", "trap", 1002, A(0):eq(1),
        refused = overlap("add_exact", "1002", "allow", "1002(1, 0, 0, 0, 0, 0)") },
      { "add_exact", "allow", 1003, A(0):ne(1) },
      { "add_exact", "trap", 1003, A(0):eq(1) },
      { "add_exact", "allow", 1004, A(0):eq(1) },
      { "add_exact", "trap", 1004, A(0):ne(1) },
      { "add_exact", "allow", 1005, A(0):eq(1) },
      { "add_exact", "allow", 1005, A(0):ne(1) },
      { "add_exact", "allow", 1006, A(0):eq(1), A(1):eq(2) },
      { "add_exact", "allow", 1006, A(0):eq(1) },
      { "add_exact", "allow", 1007, A(0):eq(1) },
      { "add_exact", "allow", 1007, A(0):eq(1), A(1):eq(2) },
      -- ne as written: the second rule comes to arguments 0 and 1 the same way
      { "add_exact", "allow", 1008, A(0):ne(1), A(1):ne(2) },
      { "add_exact", "allow", 1008, A(0):ne(1), A(1):ne(2), A(2):ne(3) },
      { "add_exact", "allow", 1009, A(0):eq(1), A(1):ne(2) },
      { "add_exact", "allow", 1009, A(0):ne(1) },
      { "add_exact", "allow", 1010, A(0):ne(1), A(1):eq(2) },
      { "add_exact", "allow", 1010, A(0):eq(1) },
      { "add_exact", "allow", 1011, A(0):eq(1) },
      { "add_exact", "allow", 1011, A(0):ne(1), A(2):eq(1) },
      { "add_exact", "allow", 1012, A(0):masked_eq(0, 0) },
      { "add_exact", "allow", 1013, A(0):ne(1), A(1):ne(2) },
      -- argument 0 compared another way: the earlier ne cannot stay as
      -- written, and as blocks it is 64 x 64 rules
      { "add_exact", "allow", 1013, A(0):lt(1), A(1):ne(2), gap = NE_BLOCKS:format(1013) },
      { "add_exact", "allow", 1014, A(3):ge(1), A(4):ge(2) },
      { "add_exact", "allow", 1014, A(0):ne(1), A(1):ne(2) },
      { "add_exact", "allow", 1015, A(0):eq(4), A(1):eq(1) },
      { "add_exact", "allow", 1015, A(0):eq(4), A(1):ne(1) } } },
  -- as written, the buckets overlap: libseccomp orders them by its own
  -- tree, we refuse every later bucket that meets an earlier one
  { test = "43", default = "kill_thread", steps = (function()
      local s = { { "add", "allow", "read", A(2):le(64) },
                  { "add", E(5), "read", A(2):gt(128) } }
      for i, v in ipairs { 256, 512, 1024, 2048, 4096, 8192, 16384 } do
        s[#s + 1] = { "add", E(5 + i), "read", A(2):gt(v),
                      refused = overlap("add", "read", "errno(5)",
                                        ("read(0, 0, %d, 0, 0, 0)"):format(v + 1)) }
      end
      s[#s + 1] = { "add", "allow", "write", A(2):ge(32768) }
      s[#s + 1] = { "add", E(5), "write", A(2):lt(128) }
      for i, v in ipairs { 256, 512, 1024, 2048, 4096, 8192, 16384 } do
        s[#s + 1] = { "add", E(5 + i), "write", A(2):lt(v),
                      refused = overlap("add", "write", "errno(5)", "write(0, 0, 0, 0, 0, 0)") }
      end
      return s
    end)() },
  { test = "43", variant = "buckets written apart", default = "kill_thread",
    steps = a2_buckets() },
  { test = "45", default = "kill_thread", steps = {
      { "add_exact", "allow", 1008, A(0):ge(1) },
      { "add_exact", "allow", 1008, A(1):ge(2) },
      { "add_exact", "allow", 1008, A(0):gt(3) },
      { "add_exact", "allow", 1008, A(2):masked_eq(0xf, 4) },
      { "add_exact", "allow", 1008, A(2):masked_eq(0xff, 5) },
      { "add_exact", "allow", 1008, A(2):masked_eq(0xff, 6) },
      { "add_exact", "allow", 1008, A(0):ne(7), A(1):lt(8), A(2):eq(9), A(3):ge(10),
        A(4):gt(11), A(5):masked_eq(0xffff, 12) },
      -- a3 >= 10 again but not last: blocks, 64 x 61 of them with the ne
      { "add_exact", "allow", 1008, A(0):ne(7), A(1):lt(8), A(2):eq(9), A(3):ge(10),
        A(4):gt(11), A(5):masked_eq(0xffff, 13), gap = TOO_MANY:format(1008) } } },
  { test = "46", default = "kill_process", arches = { "x86_64" }, steps = {
      { "add", "allow", "read" }, { "add", E(5), "write" },
      { "add", "kill_thread", "open" }, { "add", E(6), "close", A(0):gt(100) } } },
  -- SCMP_A0_32(EQ, -1) is a 64-bit comparison with 0xffffffff
  { test = "48", default = "kill_thread", steps = {
      { "add_exact", "allow", 1000, A(0):eq(-1) },
      { "add_exact", "allow", 1064, A(0):eq(-1) },
      { "add_exact", "allow", 1032, A(0):eq(0xffffffff) },
      { "add_exact", "allow", 2000, A(0):eq(-1) },
      { "add_exact", "allow", 2064, A(0):eq(-1) },
      { "add_exact", "allow", 2032, A(0):eq(0xffffffff) } } },
  { test = "49", default = "kill_thread", steps = {
      { "add_exact", "allow", 1000, A(0):lt(0x123456789abc) } } },
  { test = "50", default = E(100), arches = { "x86_64" }, steps = {
      { "add", "allow", 1001, A(0):eq(1), A(1):masked_eq(0xf, 2), A(2):eq(3) },
      { "add", "allow", 1001, A(0):eq(1), A(1):masked_eq(0xf, 1) },
      { "add", "allow", 1000, A(0):eq(2) },
      { "add", "allow", 1000, A(0):eq(1) } } },
  { test = "53", default = "allow", arches = { "aarch64", "ppc64le", "x86_64" },
    options = { optimize = 2 }, steps = binary_tree(), kernel = false },
}

return M

--- Exercises every path that allocates in the C core, for `make memcheck`
-- (valgrind): filters built, exported, merged, reset, refused and closed
-- or collected. The interpreter is closed at the end, so anything the core
-- did not free shows up as lost.
--
-- valgrind 3.19 does not know the seccomp() system call, so libseccomp
-- would think it runs on an old kernel (API level 1): level 3 is set by
-- hand. Loading is not possible under valgrind; `make asan` covers it.
local seccomp = require "seccomp"
if seccomp.api_level() < 3 then seccomp.set_api_level(3) end

local N = tonumber(arg and arg[1]) or 300

local function refused(fn, ...)
  local ok = pcall(fn, ...)
  assert(not ok, "expected an error")
end

for i = 1, N do
  local f = seccomp.filter(i % 2 == 0 and "kill" or seccomp.errno("ENOSYS"))
  f:allow({ "read", "write", "close" })
  f:add(seccomp.errno("EPERM"), "openat",
        seccomp.arg32(2):masked_eq(seccomp.O.ACCMODE, seccomp.O.WRONLY))
  f:add(seccomp.errno("EACCES"), "socket", seccomp.arg32(0):ge(seccomp.AF.INET))
  local rwx = seccomp.PROT.READ | seccomp.PROT.WRITE | seccomp.PROT.EXEC
  f:add_exact("kill_thread", "mmap", seccomp.arg(2):gt(rwx), seccomp.arg(0):eq(0))
  f:add(seccomp.trace(7), "getppid", seccomp.arg32(1):lt(100), seccomp.arg32(2):ne(5))
  f:priority("read", 200)
  f:set("optimize", 1 + i % 2)
  f:set("log", i % 3 == 0)
  assert(f:get("tsync") ~= nil)
  refused(f.add, f, seccomp.errno("EIO"), "read")    -- conflicts with allow
  refused(f.add, f, seccomp.errno(1), "no_such")     -- unknown name
  refused(f.add, f, seccomp.errno(1), "write", seccomp.arg(0):eq(1), seccomp.arg(0):eq(2))
  refused(f.set, f, "optimize", 9)
  refused(f.arch_add, f, "no_such_arch")
  local pfc, bpf = f:pfc(), f:bpf()
  assert(#pfc > 0 and #bpf > 0)
  local g = seccomp.filter(i % 2 == 0 and "kill" or seccomp.errno("ENOSYS"))
  g:arch_add("x86")
  g:arch_remove("native")
  g:allow("getppid")
  if i % 3 == 0 then
    f:merge(g)
    refused(g.pfc, g)  -- merged away
  end
  if i % 4 == 0 then
    -- architectures added and removed after rules: rebuilt from the record
    local h = seccomp.filter("allow")
    h:add(seccomp.errno("EPERM"), { "mmap", "openat" })
    h:arch_add("aarch64")
    h:arch_remove("aarch64")
    h:add_exact("kill_thread", "read")
    assert(#h:bpf() > 0)
  end
  if i % 5 == 0 then
    f:reset("allow")
    f:add(seccomp.errno("EPERM"), "getppid")
  end
  assert(tostring(f):match("^seccomp.filter"))
  if i % 6 == 0 and f:is_open() then
    -- saved programs refused before any load: cut, foreign, options
    local prog = f:bpf()
    refused(seccomp.load_bpf, prog:sub(1, #prog - 8))
    refused(seccomp.load_bpf, prog:sub(9))
    refused(seccomp.load_bpf, prog, { no_such_option = true })
    refused(seccomp.load_bpf, prog .. string.rep(prog:sub(-8), 4097))
  end
  if i % 2 == 0 then f:close() end       -- the others go to __gc
  if i % 14 == 0 then refused(f.load, f) end  -- closed above: must raise
end
collectgarbage()
collectgarbage()
print("memcheck: " .. N .. " cycles done")

-- One code base on every Lua: this file runs under each interpreter that
-- `make test-versions` finds (lua5.1, lua5.2, lua5.3, lua5.4, luajit),
-- each with its own build of the core, and under lua5.4 with the rest of
-- the suite. So it is written in the Lua all of them share: no integer
-- or bitwise syntax, no 5.2+ library functions without a fallback.
--
-- What it proves on each: every module loads; 64-bit values are exact
-- (strings, LuaJIT cdata; doubles past 2^53 refused) in the simulator
-- and, through build/sysraw, in the kernel on x86_64 and i386; a pledge
-- and a loaded filter refuse what they say in a child; a policy file
-- evaluates in its sandbox; notify ids and arguments travel exactly; learn
-- records a function; the command runs.
local seccomp = require "seccomp"
local child = require "seccomp.child"
local notify = require "seccomp.notify"
local compat = require "seccomp.compat"
local core = require "seccomp.core"

local JIT = rawget(_G, "jit")
local DOUBLES = not compat.integers
local SYSRAW = "build/sysraw"
local SIGSYS = seccomp.SIG.SIGSYS

local function exists(path)
  local fh = io.open(path, "rb")
  if fh then fh:close() end
  return fh ~= nil
end

local function slurp(path)
  local fh = assert(io.open(path, "rb"))
  local s = fh:read("*a")
  fh:close()
  return s
end

-- The interpreter running this file, for the command's spec.
local INTERPRETER = JIT and "luajit" or ("lua" .. _VERSION:match("%d+%.%d+"))

-- Runs sysraw with `args` in a child that loads `f` first; its exit code
-- is the call's errno (0 when it succeeded).
local function sysraw(f, ...)
  local argv = { SYSRAW }
  for _, a in ipairs { ... } do argv[#argv + 1] = tostring(a) end
  local r = child.run(argv, { setup = function() f:load() end })
  assert(r.how == "exit", "sysraw ended by " .. r.how .. " " .. tostring(r.code))
  return r.code
end

describe("on " .. (JIT and JIT.version or _VERSION), function()
  it("every module loads, and the core is this Lua's", function()
    for _, name in ipairs { "seccomp", "seccomp.filter", "seccomp.child", "seccomp.notify",
                            "seccomp.compat", "seccomp.groups", "seccomp.promises",
                            "seccomp.policy", "seccomp.policy_file", "seccomp.policy_index",
                            "seccomp.report", "seccomp.runner", "seccomp.learn",
                            "seccomp.learn_cover", "seccomp.learn_write",
                            "seccomp.explain", "seccomp.supervisor" } do
      assert.is_table(require(name), name)
    end
    assert.matches("^%d+%.%d+%.%d+$", seccomp.version())
    assert.are.equal(_VERSION ~= "Lua 5.3" and _VERSION ~= "Lua 5.4", DOUBLES)
  end)

  describe("64-bit values", function()
    local f
    before_each(function()
      f = seccomp.filter("allow")
      f:add(seccomp.errno(42), "dup", seccomp.arg(0):eq("0xffffffffffffffff"))
      f:add(seccomp.errno(43), "dup", seccomp.arg(0):eq("9007199254740993"))
      f:add(seccomp.errno(44), "dup", seccomp.arg(0):masked_eq("0xffffffff00000000",
                                                             "0x1234567800000000"))
    end)
    after_each(function() f:close() end)

    it("are exact in the simulator, written as strings", function()
      assert.are.same({ "errno", 42 }, { f:check("dup", { "18446744073709551615" }) })
      assert.are.same({ "errno", 42 }, { f:check("dup", { -1 }) })
      assert.are.same({ "allow" }, { f:check("dup", { "0xfffffffffffffffe" }) })
      assert.are.same({ "errno", 43 }, { f:check("dup", { "9007199254740993" }) })
      assert.are.same({ "allow" }, { f:check("dup", { "9007199254740992" }) })
      assert.are.same({ "errno", 44 }, { f:check("dup", { "0x12345678deadbeef" }) })
      assert.are.same({ "allow" }, { f:check("dup", { "0x12345679deadbeef" }) })
    end)

    it("are exact in the kernel, on x86_64 and i386", function()
      assert.are.equal(42, sysraw(f, "raw", seccomp.syscall("dup"), "0xffffffffffffffff"))
      assert.are.equal(43, sysraw(f, "raw", seccomp.syscall("dup"), "9007199254740993"))
      assert.are.equal(44, sysraw(f, "raw", seccomp.syscall("dup"), "0x12345678deadbeef"))
      -- no rule matched: the real dup, which reads the low 32 bits (fd 0
      -- is open, fd 0xfffffffe is not)
      local EBADF = seccomp.errno_value("EBADF")
      assert.are.equal(0, sysraw(f, "raw", seccomp.syscall("dup"), "9007199254740992"))
      assert.are.equal(EBADF, sysraw(f, "raw", seccomp.syscall("dup"), "0xfffffffffffffffe"))
      local g = seccomp.filter("allow")
      g:arch_add("x86")
      g:add(seccomp.errno(45), "dup", seccomp.arg32(0):eq("0xfffffffe"))
      assert.are.equal(45, sysraw(g, "int80", seccomp.syscall("dup", "x86"), "0xfffffffe"))
      assert.are.equal(EBADF, sysraw(g, "int80", seccomp.syscall("dup", "x86"), "0xfffffffd"))
      assert.are.equal(45, sysraw(g, "raw", seccomp.syscall("dup"), "0x7fffffffe"))
      g:close()
    end)

    it("keep one form, so equal values are ==", function()
      local a = seccomp.arg(0):eq("0xffffffffffffffff").a
      assert.are.equal(a, seccomp.arg(0):eq("18446744073709551615").a)
      assert.are.equal(a, seccomp.arg(0):eq(-1).a)
      assert.are.equal(seccomp.arg(0):eq(10).a, seccomp.arg(0):eq("10").a)
      assert.are.equal(5, seccomp.arg(0):eq("0x5").a)
      if DOUBLES then assert.are.equal("0xffffffffffffffff", a) end
    end)

    it("refuse a string that is not one, and say how to write one", function()
      for _, v in ipairs { "x", "0x", "1.5", "18446744073709551616", "-9223372036854775809" } do
        local ok, err = pcall(seccomp.arg(0).eq, seccomp.arg(0), v)
        assert.is_false(ok, v)
        assert.matches("must be an integer, got a string", err)
      end
    end)

    it("refuse, where numbers are doubles, any past 2^53 and say to write a string", function()
      if not DOUBLES then
        -- integers are exact here; a float that is no integer is refused
        assert.has_error(function() seccomp.arg(0):eq(2 ^ 63) end)
        return
      end
      for _, v in ipairs { 2 ^ 53, 2 ^ 53 + 2, -2 ^ 53, 2 ^ 63, 1.5 } do
        local ok, err = pcall(seccomp.arg(0).eq, seccomp.arg(0), v)
        assert.is_false(ok, tostring(v))
        assert.matches('write a larger value as a string %("0xffffffffffffffff"', err)
      end
      assert.has_error(function() f:check("dup", { 2 ^ 53 }) end)
      assert.are.equal(2 ^ 53 - 1, seccomp.arg(0):eq(2 ^ 53 - 1).a)
    end)

    it("take LuaJIT's 64-bit cdata", function()
      if not JIT then return end
      local ffi = require "ffi"
      assert.are.same({ "errno", 42 }, { f:check("dup", { ffi.new("int64_t", -1) }) })
      local big = ffi.new("uint64_t", 2 ^ 53) + 1
      assert.are.same({ "errno", 43 }, { f:check("dup", { big }) })
      local g = seccomp.filter("allow")
      g:add(seccomp.errno(46), "dup", seccomp.arg(0):eq(big))
      assert.are.same({ "errno", 46 }, { g:check("dup", { "9007199254740993" }) })
      g:close()
    end)
  end)

  describe("in a child", function()
    it("a loaded filter refuses with a comparator value written as a string", function()
      local f = seccomp.filter("allow")
      -- io.open is openat(AT_FDCWD, ...): AT_FDCWD is the int -100
      f:add(seccomp.errno("EACCES"), "openat", seccomp.arg32(0):eq("0xffffff9c"))
      local r = child.run(function()
        f:load()
        local fh = io.open("/etc/hostname")
        return fh and 0 or 3
      end)
      assert.are.same({ "exit", 3 }, { r.how, r.code })
      f:close()
    end)

    it("pledge kills what the promises do not grant, and allows what they do", function()
      local r = child.run(function()
        seccomp.pledge("stdio")
        io.open("/etc/hostname")
        return 0
      end)
      assert.are.same({ "signal", SIGSYS }, { r.how, r.code })
      r = child.run(function()
        seccomp.pledge("stdio rpath")
        local fh = io.open("/etc/hostname")
        return fh and 0 or 3
      end)
      assert.are.same({ "exit", 0 }, { r.how, r.code })
    end)

    it("pledge holds on x86_64 and i386: a call made through int 0x80 is killed", function()
      local function under_pledge(abi, name, ...)
        local argv = { SYSRAW, abi, tostring(seccomp.syscall(name, abi == "int80" and "x86" or nil)) }
        for _, a in ipairs { ... } do argv[#argv + 1] = tostring(a) end
        local r = child.run(argv, { setup = function() seccomp.pledge("stdio rpath exec") end })
        return { r.how, r.code }
      end
      local dir = os.tmpname()
      os.remove(dir)
      assert.are.same({ "exit", 0 }, under_pledge("raw", "getpid"))
      assert.are.same({ "signal", SIGSYS }, under_pledge("raw", "mkdir", "@" .. dir, "0700"))
      assert.are.same({ "signal", SIGSYS }, under_pledge("int80", "getpid"))
      assert.are.same({ "signal", SIGSYS }, under_pledge("int80", "mkdir", "@" .. dir, "0700"))
      assert.is_nil(io.open(dir))
    end)

    it("a policy file evaluates in its sandbox and compiles", function()
      local f = seccomp.policy_file.load_string([[
        return { default = "allow", errno = {
          EPERM = { { "dup", seccomp.arg(0):eq("0xfffffffffffffff0") } },
          EACCES = { { "dup", seccomp.arg(0):eq(-2) } },
        } }
      ]], "versions")
      assert.are.same({ "errno", seccomp.errno_value("EPERM") },
                      { f:check("dup", { "0xfffffffffffffff0" }) })
      assert.are.same({ "errno", seccomp.errno_value("EACCES") },
                      { f:check("dup", { "0xfffffffffffffffe" }) })
      assert.are.same({ "allow" }, { f:check("dup", { 3 }) })
      local data = seccomp.policy_file.evaluate("return { 1.5, -7, 2 ^ 40, 'x', false }")
      assert.are.same({ 1.5, -7, 2 ^ 40, "x", false }, data)
      f:close()
    end)

    it("notify ids and arguments come back exact, and a response reaches the call", function()
      local f = seccomp.filter("allow")
      f:add("notify", "openat")
      local mine, theirs = notify.socketpair()
      local h = child.start(function()
        core.close_fd(mine)
        f:load()
        notify.send_fd(theirs, f:notify_fd())
        local fh = io.open("/etc/hostname")
        return fh and 0 or 3
      end)
      core.close_fd(theirs)
      local fd = notify.recv_fd(mine)
      core.close_fd(mine)
      local seen, valid = {}, {}
      notify.serve(fd, function(req)
        seen[#seen + 1] = req
        -- the id as given, as its decimal text and in its one form
        valid[#valid + 1] = { notify.id_valid(fd, req.id), notify.id_valid(fd, tostring(req.id)),
                              notify.id_valid(fd, compat.value(req.id)) }
        return { errno = "EACCES" }
      end)
      core.close_fd(fd)
      local r = h:wait()
      assert.are.same({ "exit", 3 }, { r.how, r.code })
      assert.are.equal(1, #seen)
      assert.are.same({ { true, true, true } }, valid)
      local req = seen[1]
      if DOUBLES then
        assert.are.equal("string", type(req.id))
        assert.matches("^%d+$", req.id)
      else
        assert.are.equal("integer", math.type(req.id))
      end
      -- the int AT_FDCWD, whatever the high half of its register holds
      assert.are.equal(0xffffff9c, compat.band(req.args[1], 0xffffffff))
      assert.is_true(compat.eq(seccomp.syscall("openat"), req.syscall))
      f:close()
    end)

    it("f:test names the refused call and its arguments", function()
      local f = seccomp.filter("allow")
      f:add("kill", "openat")
      local r = f:test(function() io.open("/etc/hostname") end)
      assert.is_false(r.ok)
      assert.are.equal("openat", r.syscall)
      assert.are.equal("kill_process", r.action)
      assert.are.equal(0xffffff9c, compat.band(r.args[1], 0xffffffff))
      assert.is_true(f:test(function() return io.write("") end).ok)
      f:close()
    end)

    it("report mode names the call that killed the child", function()
      local r = child.run(function()
        local f = seccomp.filter("allow")
        f:add("kill", "openat")
        f:load { report = true }
        io.open("/etc/hostname")
        return 0
      end, { output = 2 })
      assert.are.same({ "signal", SIGSYS }, { r.how, r.code })
      assert.matches('seccomp: killed: openat%(AT_FDCWD, "/etc/hostname", O_RDONLY%)', r.output)
    end)

    it("learn records a function's calls and finds promises for them", function()
      local r = seccomp.learn(function()
        local fh = io.open("/etc/hostname")
        if fh then fh:close() end
      end)
      assert.are.same({ "exit", 0 }, { r.how, r.code })
      assert.is_true(r.syscalls.openat >= 1)
      assert.is_table(r.promises)
      local has_rpath = false
      for _, p in ipairs(r.promises) do if p == "rpath" then has_rpath = true end end
      assert.is_true(has_rpath)
    end)
  end)

  it("the promise index compares 64-bit arguments however they are written", function()
    local index = require "seccomp.policy_index"
    local function sets(args)
      local out = {}
      for i, set in ipairs(index.allowing("openat", args)) do out[i] = table.concat(set, "+") end
      return table.concat(out, " ")
    end
    local read_only = sets({ -100, 0, seccomp.O.RDONLY })
    assert.matches("rpath", read_only)
    assert.are.equal(read_only, sets({ "0xffffffffffffff9c", "0", "0x0" }))
    assert.are.equal(sets({ -100, 0, seccomp.O.WRONLY }), sets({ "-100", 0, "1" }))
    assert.are_not.equal(read_only, sets({ -100, 0, seccomp.O.WRONLY }))
  end)

  it("exports what was added", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno(42), "dup", seccomp.arg(0):eq("0xffffffffffffffff"))
    local bpf = f:bpf()
    assert.is_true(#bpf > 0 and #bpf % 8 == 0)
    assert.matches("dup", f:pfc())
    assert.are.same({ "errno", 42 }, { f:check("dup", { -1 }) })
    f:close()
  end)

  it("explain names the rule that decides a call with 64-bit arguments", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno(42), "dup", seccomp.arg(0):eq("0xffffffffffffffff"))
    f:add(seccomp.errno(43), "dup", seccomp.arg32(0):eq(5), seccomp.arg(1):gt("0x100000000"))
    local e = f:explain("dup", { -1 })
    assert.are.same({ "errno", 42, false }, { e.action, e.data, e.default })
    assert.are.equal("eq", e.rule.comparators[1].op)
    e = f:explain("dup", { "0xffffffff00000005", "0x100000001" })  -- arg32 sees the low half
    assert.are.same({ "errno", 43 }, { e.action, e.data })
    assert.are.equal(2, #e.rule.comparators)
    e = f:explain("dup", { 5, "0x100000000" })
    assert.are.same({ "allow", true }, { e.action, e.default })
    assert.is_nil(e.rule)
    f:close()
    local explain = require "seccomp.explain"
    assert.are.equal(compat.value("0xffffffffffffffff"), explain.parse_arg("0xffffffffffffffff"))
    assert.are.equal(compat.bor(seccomp.O.WRONLY, seccomp.O.CREAT),
                     explain.parse_arg("O_WRONLY|O_CREAT"))
    assert.are.equal(compat.value(-100), explain.parse_arg("-100"))
  end)

  it("the command checks a policy with a 64-bit argument", function()
    local policy = os.tmpname()
    local fh = assert(io.open(policy, "w"))
    fh:write([[return { default = "allow",
      errno = { EPERM = { { "dup", seccomp.arg(0):eq("0xffffffffffffffff") } } } }]])
    fh:close()
    local function check(value)
      local p = assert(io.popen(("env -u LUA_PATH -u LUA_CPATH %s bin/lua-seccomp check --policy %s dup %s")
                                :format(INTERPRETER, policy, value)))
      local out = p:read("*a")
      p:close()
      return out
    end
    local ok, a, b = pcall(function()
      return check("0xffffffffffffffff"), check("18446744073709551614")
    end)
    os.remove(policy)
    assert(ok, a)
    assert.matches("^errno 1", a)
    assert.matches("^allow", b)
  end)
end)

-- LuaJIT's compiler, which only LuaJIT has: `make test` runs the suite
-- with it off (-joff), and each child here turns it on itself.
if JIT then
  describe("LuaJIT's compiler", function()
    -- Loops hot enough to compile traces; true when they computed right.
    local function hot()
      local s = 0
      for i = 1, 300000 do s = s + i % 7 end
      local t = {}
      for i = 1, 30000 do t[i] = tostring(i) end
      return s == 899998 and #t == 30000
    end

    -- How many traces the compiler holds.
    local function traces()
      local n = 0
      while require("jit.util").traceinfo(n + 1) do n = n + 1 end
      return n
    end

    it("a pledge without prot_exec refuses a running compiler, and says what to do", function()
      local r = child.run(function(send)
        JIT.on()
        local ok, err = pcall(seccomp.pledge, "stdio")
        send(tostring(err))
        return ok and 1 or 0
      end, { send = true })
      assert.are.same({ "exit", 0 }, { r.how, r.code })
      assert.matches("EPERM", r.output)
      assert.matches("jit.off%(%)", r.output)
      assert.matches("prot_exec", r.output)
    end)

    it("compiles traces after a pledge with prot_exec", function()
      local r = child.run(function()
        JIT.on()
        JIT.flush()
        seccomp.pledge("stdio prot_exec")
        if not hot() then return 3 end
        return traces() > 0 and 0 or 4
      end)
      assert.are.same({ "exit", 0 }, { r.how, r.code })
    end)

    it("runs under pledge('stdio') once jit.off() is called", function()
      local r = child.run(function()
        JIT.off()
        seccomp.pledge("stdio")
        return hot() and 0 or 3
      end)
      assert.are.same({ "exit", 0 }, { r.how, r.code })
    end)

    it("@luajit lets the compiler run under a filter that allows only it", function()
      local r = child.run(function()
        JIT.on()
        JIT.flush()
        local f = seccomp.filter("kill")
        f:allow("@luajit")
        f:load()
        if not hot() then return 3 end
        return traces() > 0 and 0 or 4
      end)
      assert.are.same({ "exit", 0 }, { r.how, r.code })
    end)

    -- Debian 12's LuaJIT ends a `for ... in pairs` loop early once its trace
    -- is despecialized (LuaJIT issue 827): the policy layer's list checks
    -- then saw holes ("a rule has a hole"). Each child builds pledges and
    -- policies hot, inside such a loop, then pledges for real.
    it("pledges many times with the compiler on, in 8 children, none raising", function()
      local SETS = { a = "stdio", b = "stdio rpath", c = "stdio rpath wpath cpath",
                     d = "stdio inet dns", e = "stdio proc exec prot_exec" }
      local function interpreted() for _ = 1, 100 do end end
      for _ = 1, 8 do
        local r = child.run(function(send)
          JIT.on()
          for _ = 1, 60 do
            interpreted()
            for _, promises in pairs(SETS) do
              local ok, err = pcall(seccomp.pledge, promises .. " prot_exec", { load = false })
              if not ok then send(tostring(err)); return 3 end
              err:close()
              ok, err = pcall(seccomp.compile, { default = "kill",
                allow = { "read", { "openat", seccomp.arg(2):eq(0), seccomp.arg(3):eq(0) } } })
              if not ok then send(tostring(err)); return 4 end
              err:close()
            end
          end
          seccomp.pledge("stdio rpath prot_exec")
          local fh = io.open("/etc/hostname")
          return fh and hot() and 0 or 5
        end, { send = true })
        assert.are.same({ "exit", 0, "" }, { r.how, r.code, r.output })
      end
    end)
  end)
end

-- The builds each version needs are made by `make test-versions`; this
-- file is also run by the 5.4 suite, where build/sysraw is there too.
assert(exists(SYSRAW), "build/sysraw is built by make")
assert(slurp("/proc/self/status"):match("Seccomp:%s*0"), "the runner itself is under no filter")

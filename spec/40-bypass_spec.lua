-- Bypass attempts: each runs in a child process under a filter and the
-- spec asserts how the child ended. build/sysraw makes the raw calls.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"
local child = require "seccomp.child"

local E = seccomp.errno_value
local nr = seccomp.syscall

local function denying(action, ...)
  local names = { ... }
  return function()
    local f = seccomp.filter("allow")
    for _, name in ipairs(names) do f:add(action, name) end
    f:load()
  end
end

describe("the i386 ABI through int 0x80 under an x86_64 filter", function()
  it("is refused by the bad-arch action, which is kill_process", function()
    local f = seccomp.filter("allow")
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("badarch_action"))
    assert.is_false(f:arch_exist("x86"))
    f:close()
  end)

  it("never runs an i386 mkdir that the x86_64 rules do not mention", function()
    local dir = helpers.tmpname()
    local i386_mkdir = tostring(nr("mkdir", "x86"))
    -- without a filter the call works, so the helper does reach the kernel
    local plain = helpers.sysraw(function() end, "int80", i386_mkdir, "@" .. dir, "0700")
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(plain))
    assert.is_true(helpers.exists(dir))
    os.remove(dir)

    local r = helpers.sysraw(denying(seccomp.errno("EPERM"), "mkdir", "mkdirat"),
                      "int80", i386_mkdir, "@" .. dir, "0700")
    assert.is_true(helpers.killed(r))
    assert.is_false(helpers.exists(dir))
  end)

  it("does not let i386 socketcall pass as the x86_64 syscall with its number", function()
    -- the premise: i386 socketcall and x86_64 getuid share a number
    assert.are.equal(nr("socketcall", "x86"), nr("getuid"))
    local function setup()
      helpers.allowlist("kill", { "getuid" }):load()
    end
    local n = tostring(nr("getuid"))
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(helpers.sysraw(setup, "raw", n)))
    assert.is_true(helpers.killed(helpers.sysraw(setup, "int80", n, "1", "0")))
  end)
end)

describe("x32 syscall numbers (nr | 0x40000000)", function()
  it("are killed and never run", function()
    local dir = helpers.tmpname()
    local x32_mkdir = tostring(compat.band(nr("mkdir", "x32"), compat.bnot(helpers.const("__X32_SYSCALL_BIT"))))
    -- unfiltered, this kernel answers (x32 disabled gives ENOSYS): no kill
    assert.are.equal("exit", helpers.sysraw(function() end, "x32", x32_mkdir, "@" .. dir, "0700").how)
    os.remove(dir)
    local r = helpers.sysraw(denying(seccomp.errno("EPERM"), "mkdir", "mkdirat"),
                      "x32", x32_mkdir, "@" .. dir, "0700")
    assert.is_true(helpers.killed(r))
    assert.is_false(helpers.exists(dir))
  end)

  it("are killed even when the same number is allowed for x86_64", function()
    local n = tostring(nr("getppid"))
    local function setup() helpers.allowlist("kill", { "getppid" }):load() end
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(helpers.sysraw(setup, "raw", n)))
    assert.is_true(helpers.killed(helpers.sysraw(setup, "x32", n)))
  end)
end)

describe("upper bits set on a 32-bit argument", function()
  local sock = tostring(nr("socket"))
  local hi = "AF_INET|0x100000000"
  local function deny_inet(cmp)
    return function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "socket", cmp:eq(helpers.const("AF_INET")))
      f:load()
    end
  end

  it("cannot bypass an arg32 rule", function()
    local setup = deny_inet(seccomp.arg32(0))
    assert.are.same({ how = "exit", code = E("EPERM") },
                    helpers.outcome(helpers.sysraw(setup, "raw", sock, "AF_INET", "SOCK_STREAM", "0")))
    assert.are.same({ how = "exit", code = E("EPERM") },
                    helpers.outcome(helpers.sysraw(setup, "raw", sock, hi, "SOCK_STREAM", "0")))
  end)

  it("bypasses the same rule written with arg (which is why arg32 exists)", function()
    local setup = deny_inet(seccomp.arg(0))
    assert.are.same({ how = "exit", code = E("EPERM") },
                    helpers.outcome(helpers.sysraw(setup, "raw", sock, "AF_INET", "SOCK_STREAM", "0")))
    -- the kernel reads an int: it makes an AF_INET socket
    assert.are.same({ how = "exit", code = 0 },
                    helpers.outcome(helpers.sysraw(setup, "raw", sock, hi, "SOCK_STREAM", "0")))
  end)

  it("cannot bypass an arg32 range rule either", function()
    local function setup()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "socket",
            seccomp.arg32(0):ge(helpers.const("AF_INET")))
      f:load()
    end
    for _, v in ipairs({ hi, "AF_INET6|0x8000000000000000", "AF_INET|0xffffffff00000000" }) do
      assert.are.same({ how = "exit", code = E("EPERM") },
                      helpers.outcome(helpers.sysraw(setup, "raw", sock, v, "SOCK_STREAM", "0")))
    end
    -- AF_UNIX is below AF_INET and stays allowed, garbage high bits or not
    assert.are.same({ how = "exit", code = 0 },
                    helpers.outcome(helpers.sysraw(setup, "raw", sock, "AF_UNIX|0x100000000", "SOCK_STREAM", "0")))
  end)
end)

describe("equivalent syscalls", function()
  local file = "spec/40-bypass_spec.lua"

  it("denying only open does not stop io.open (libc calls openat)", function()
    local r = helpers.child(function()
      denying(seccomp.errno("EPERM"), "open")()
      local fh = io.open(file)
      return fh and 0 or 1
    end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
  end)

  it("denying open and openat does", function()
    local r = helpers.child(function()
      denying(seccomp.errno("EPERM"), "open", "openat")()
      local fh, _, code = io.open(file)
      return fh and 0 or code
    end)
    assert.are.same({ how = "exit", code = E("EPERM") }, helpers.outcome(r))
  end)
end)

describe("clone3", function()
  it("with errno ENOSYS keeps thread creation working (libc falls back to clone)", function()
    local r = helpers.sysraw(denying(seccomp.errno("ENOSYS"), "clone3"), "thread")
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
  end)

  it("with errno EPERM breaks thread creation", function()
    local r = helpers.sysraw(denying(seccomp.errno("EPERM"), "clone3"), "thread")
    assert.are.equal("exit", r.how)
    assert.are.equal(E("EPERM"), r.code)  -- pthread_create's error
  end)
end)

describe("signal return and restart", function()
  local sigs = { "rt_sigaction", "rt_sigreturn", "getpid", "gettid", "tgkill" }

  it("an allowlist without rt_sigreturn kills a process whose handler returns", function()
    local function with() helpers.allowlist("kill", sigs):load() end
    local function without() helpers.allowlist("kill", sigs, { rt_sigreturn = true }):load() end
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(helpers.sysraw(with, "sigreturn")))
    assert.is_true(helpers.killed(helpers.sysraw(without, "sigreturn")))
  end)

  -- The child's state letter from /proc/PID/stat (nil once it is gone).
  local function state(pid)
    return (helpers.slurp("/proc/" .. pid .. "/stat") or ""):match("^%d+ %b() (%a)")
  end

  -- Polls until done() is true. Fails (and ends the child) when the child
  -- has exited or the wait passes POLL_SECONDS: it never got there.
  local POLL_SECONDS = 30
  local function poll(pid, what, done)
    local deadline = os.time() + POLL_SECONDS
    while not done() do
      local st = state(pid)
      if st == nil or st == "Z" or st == "X" or os.time() > deadline then
        core.kill(pid, seccomp.SIG.SIGKILL)
        local how, code = core.wait(pid)
        error(("child %d never %s (state %s, then %s %s)"):format(pid, what, tostring(st), how, code))
      end
    end
  end

  -- Stops the child once it sleeps in clock_nanosleep, then continues it:
  -- the kernel resumes the sleep through restart_syscall. The sleep is
  -- long enough for the stop to land inside it on a loaded machine.
  local SLEEP_MS = 3000
  local function stop_and_continue(setup)
    local h = child.start({ helpers.SYSRAW, "sleep", tostring(SLEEP_MS) },
                          { setup = function() pcall(setup) end })
    local pid = h.pid
    local want = tostring(nr("clock_nanosleep"))
    poll(pid, "slept in clock_nanosleep", function()
      local comm = helpers.slurp("/proc/" .. pid .. "/comm") or ""
      local sc = helpers.slurp("/proc/" .. pid .. "/syscall") or ""
      return comm == "sysraw\n" and sc:match("^%d+") == want
    end)
    core.kill(pid, seccomp.SIG.SIGSTOP)
    poll(pid, "stopped", function() return state(pid) == "T" end)
    core.kill(pid, seccomp.SIG.SIGCONT)
    return h:wait()
  end

  it("an allowlist without restart_syscall kills a sleep interrupted by stop/continue", function()
    local names = { "clock_nanosleep", "restart_syscall" }
    local with = stop_and_continue(function() helpers.allowlist("kill", names):load() end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(with))
    local without = stop_and_continue(function()
      helpers.allowlist("kill", names, { restart_syscall = true }):load()
    end)
    assert.is_true(helpers.killed(without), ("%s %s: did the sleep end before the stop?")
                                          :format(without.how, without.code))
  end)
end)

describe("the vDSO", function()
  local clocks = { "clock_gettime", "gettimeofday", "time" }

  it("answers os.time() without a syscall, so a rule on clock_gettime does not apply", function()
    local r = helpers.child(function()
      denying("kill_process", compat.unpack(clocks))()
      return os.time() > 0 and 0 or 1
    end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
  end)

  it("does not answer CPU-time clocks, so the same rule kills os.clock()", function()
    local r = helpers.child(function()
      denying("kill_process", compat.unpack(clocks))()
      return os.clock() >= 0 and 0 or 1
    end)
    assert.is_true(helpers.killed(r))
  end)
end)

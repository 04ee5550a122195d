-- seccomp.learn: record what code needs, then run it again under the
-- learned policy without being killed.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local child = require "seccomp.child"

-- Child setup: send the command's output to /dev/null (fd 1 is the lowest
-- free descriptor once closed, so the open takes it).
local function quiet()
  core.close_fd(1)
  _G.QUIET_STDOUT = assert(io.open("/dev/null", "w"))
end

-- Runs argv in a child under the compiled policy; how it ended.
local function run_under(policy_source, argv)
  local f = seccomp.compile(assert(load(policy_source, "policy", "t", {}))())
  local r = child.run(argv, { setup = function()
    quiet()
    f:load()
  end })
  return r.how, r.code
end

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

local tmp = os.tmpname()

local function workload()
  local fh = assert(io.open(tmp, "w"))
  for i = 1, 200 do fh:write(("line %d %s\n"):format(i, ("x"):rep(i % 40))) end
  fh:close()
  local total = 0
  for line in io.lines(tmp) do total = total + #line:upper():gsub("X", "yy") end
  assert(total > 0)
end

describe("seccomp.learn", function()
  teardown(function() os.remove(tmp) end)

  it("records a Lua function's calls and the policy runs it again", function()
    local r = seccomp.learn(workload)
    assert.are.equal("exit", r.how)
    assert.are.equal(0, r.code)
    assert.is_true(r.syscalls.openat >= 2)
    assert.is_true(r.syscalls.write >= 1)
    assert.is_truthy(r.flags.openat.flags[1])
    -- The write open carries O_WRONLY|O_CREAT|O_TRUNC.
    local saw_write = false
    for _, v in ipairs(r.flags.openat.flags) do
      if compat.band(v, seccomp.O.ACCMODE) == seccomp.O.WRONLY then saw_write = true end
    end
    assert.is_true(saw_write)
    -- The promises found are checked against every recorded call.
    assert.is_table(r.promises)
    assert.is_truthy(table.concat(r.promises, " "):match("stdio"))
    assert.is_truthy(table.concat(r.promises, " "):match("wpath"))
    local f = seccomp.compile(load(r.policy, "policy", "t", {})())
    local t = f:test(workload)
    assert.is_true(t.ok, tostring(t.syscall))
    -- And the pledge of the promises found runs it too.
    local p = seccomp.pledge(table.concat(r.promises, " "), { load = false })
    assert.is_true(p:test(workload).ok)
  end)

  it("learns /bin/ls and the policy runs it again", function()
    local argv = { "/bin/ls", "-l", "/" }
    local r = seccomp.learn(argv, { setup = quiet })
    assert.are.equal("exit", r.how)
    assert.are.equal(0, r.code)
    assert.is_truthy(r.syscalls.execve)
    assert.is_truthy(r.syscalls.getdents64)
    assert.is_truthy(r.flags.mmap.prot[1])
    assert.are.same({ "exit", 0 }, { run_under(r.policy, argv) })
  end)

  it("learns a shell pipeline, forks included, and the policy runs it again", function()
    local argv = { "/bin/sh", "-c", "ls /usr | wc -l | cat" }
    local r = seccomp.learn(argv, { setup = quiet })
    assert.are.equal(0, r.code)
    assert.is_truthy(r.syscalls.pipe2 or r.syscalls.pipe)
    assert.is_truthy(r.syscalls.wait4)
    assert.is_truthy(r.flags.clone or r.syscalls.clone3)
    assert.are.same({ "exit", 0 }, { run_under(r.policy, argv) })
  end)

  it("a policy missing one learned call kills the program", function()
    local argv = { "/bin/ls", "/" }
    local r = seccomp.learn(argv, { setup = quiet })
    local without = r.policy:gsub('\n    "getdents64", %-%- %d+', "")
    assert.are_not.equal(r.policy, without)
    local how, code = run_under(without, argv)
    assert.are.same({ "signal", seccomp.SIG.SIGSYS }, { how, code })
  end)

  it("groups cover the names seen", function()
    local r = seccomp.learn(workload)
    assert.is_table(r.groups)
    local policy = require "seccomp.policy"
    local covered = {}
    for _, g in ipairs(r.groups) do
      for _, m in ipairs((policy.expand(g))) do covered[m] = true end
    end
    for name in pairs(r.syscalls) do
      local missing = false
      for _, m in ipairs(r.groups_missing) do if m == name then missing = true end end
      assert.is_true(covered[name] or missing, name)
    end
    assert.is_true(count(r.syscalls) > 3)
  end)

  it("records every call, sendmsg on any socket included", function()
    -- The code's own socketpair may get the numbers the learner used.
    local function work()
      local x, y = core.notify_socketpair()
      core.notify_send_fd(y, 0)
      core.close_fd(x)
      core.close_fd(y)
    end
    local r = seccomp.learn(work)
    assert.are.equal(0, r.code)
    assert.is_truthy(r.syscalls.sendmsg)
    local f = seccomp.compile(load(r.policy, "policy", "t", {})())
    local t = f:test(work)
    assert.is_true(t.ok, tostring(t.syscall))
  end)

  it("never allows clone3, openat2 or io_uring, and allows what libc falls back to", function()
    local argv = { "build/sysraw", "thread" }  -- glibc tries clone3 first
    local r = seccomp.learn(argv)
    assert.are.equal(0, r.code)
    assert.is_truthy(r.syscalls.clone3)
    local f = seccomp.compile(load(r.policy, "policy", "t", {})())
    local ENOSYS = seccomp.errno_value("ENOSYS")
    assert.are.same({ "errno", ENOSYS }, { f:check("clone3") })
    assert.are.equal("allow", f:check("clone"))
    assert.matches("clone3", table.concat(r.warnings, "\n"))
    assert.are.same({ "exit", 0 }, { run_under(r.policy, argv) })

    local nr, nr2 = seccomp.syscall("io_uring_setup"), seccomp.syscall("openat2")
    r = seccomp.learn(function()
      lraw.syscall_raw(nr, 1, 0)
      lraw.syscall_raw(nr2, -1, 0, 0, 0)
    end)
    assert.is_truthy(r.syscalls.io_uring_setup)
    assert.is_truthy(r.syscalls.openat2)
    assert.matches("io_uring_setup.*bypass", table.concat(r.warnings, "\n"))
    assert.matches("io_uring_setup.*bypass", r.policy)
    f = seccomp.compile(load(r.policy, "policy", "t", {})())
    assert.are.same({ "errno", ENOSYS }, { f:check("io_uring_setup") })
    assert.are.same({ "errno", ENOSYS }, { f:check("openat2") })
    assert.are.equal("allow", f:check("openat"))
  end)

  it("reports a function that raised, and bad arguments", function()
    local r = seccomp.learn(function() error("boom") end)
    assert.matches("boom", r.error)
    assert.are.equal(1, r.code)
    assert.has_error(function() seccomp.learn(42) end)
    assert.has_error(function() seccomp.learn { "no-such-command-here" } end)
  end)
end)

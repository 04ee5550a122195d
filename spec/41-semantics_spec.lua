-- Filter semantics the kernel guarantees, asserted in child processes.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"

local E = seccomp.errno_value
local nr = seccomp.syscall
local getppid = tostring(nr("getppid"))

local function lthread()
  return assert(package.loadlib(require("helpers").BUILD .. "/spec/lthread.so", "luaopen_lthread"))()
end

local function deny_getppid(action)
  local f = seccomp.filter("allow")
  f:add(action or seccomp.errno("EPERM"), "getppid")
  return f
end

local function status_field(name)
  local s = helpers.slurp("/proc/self/status")
  return s:match(name .. ":%s*(%d+)")
end

describe("errno 0", function()
  it("is refused unless asked for explicitly", function()
    assert.has_error(function() seccomp.errno(0) end)
    assert.has_error(function() seccomp.errno(0, {}) end)
    assert.is_number(seccomp.errno(0, { zero = true }))
  end)

  it("makes a call appear to succeed without running it", function()
    local path = os.tmpname()
    local r = helpers.child(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno(0, { zero = true }), "unlink")
      f:add(seccomp.errno(0, { zero = true }), "unlinkat")
      f:load()
      return os.remove(path) and 0 or 1
    end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))  -- "removed"
    assert.is_true(helpers.exists(path))                 -- but still there
    os.remove(path)
  end)
end)

describe("the largest errno", function()
  -- the largest value seccomp.errno accepts
  local function largest()
    local lo, hi = 1, 65536
    while lo + 1 < hi do
      local mid = compat.idiv((lo + hi), 2)
      if pcall(seccomp.errno, mid) then lo = mid else hi = mid end
    end
    return lo
  end

  it("that seccomp.errno accepts is no more than the kernel's 4095", function()
    assert.is_true(largest() <= 4095)
  end)

  it("that seccomp.errno accepts is accepted by a rule and delivered exactly", function()
    local max = largest()
    local out = os.tmpname()
    local r = helpers.sysraw(function() deny_getppid(seccomp.errno(max)):load() end,
                      "-o", out, "raw", getppid)
    assert.are.same({ how = "exit", code = helpers.const("EXIT_BIGERRNO") }, helpers.outcome(r))
    assert.are.equal("errno " .. max .. "\n", helpers.slurp(out))
    os.remove(out)
  end)
end)

describe("stacked filters", function()
  it("only tighten: a later allow-all does not undo an earlier deny", function()
    local r = helpers.sysraw(function()
      deny_getppid():load()
      seccomp.filter("allow"):load()
      local f = seccomp.filter("log")
      f:allow("getppid")
      f:load()
    end, "raw", getppid)
    assert.are.same({ how = "exit", code = E("EPERM") }, helpers.outcome(r))
  end)

  it("apply the most severe action of all", function()
    local r = helpers.sysraw(function()
      deny_getppid("kill_process"):load()
      deny_getppid(seccomp.errno("EACCES")):load()
    end, "raw", getppid)
    assert.is_true(helpers.killed(r))
  end)
end)

describe("a loaded filter survives", function()
  it("fork: a grandchild is filtered", function()
    local r = helpers.child(function()
      deny_getppid():load()
      local pid = core.fork()
      if pid == 0 then
        pcall(core.execv, helpers.SYSRAW, { helpers.SYSRAW, "raw", getppid })
        core.exit(250)
      end
      local how, code = core.wait(pid)
      return how == "exit" and code or 251
    end)
    assert.are.same({ how = "exit", code = E("EPERM") }, helpers.outcome(r))
  end)

  it("exec", function()
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(helpers.sysraw(function() end, "raw", getppid)))
    local r = helpers.sysraw(function() deny_getppid():load() end, "raw", getppid)
    assert.are.same({ how = "exit", code = E("EPERM") }, helpers.outcome(r))
  end)

  it("closing and collecting the Lua object", function()
    local r = helpers.sysraw(function()
      local f = deny_getppid()
      f:load()
      f:close()
      f = nil  -- luacheck: ignore 311
      collectgarbage()
      collectgarbage()
    end, "raw", getppid)
    assert.are.same({ how = "exit", code = E("EPERM") }, helpers.outcome(r))
  end)
end)

describe("no_new_privs", function()
  it("is set by load (and not before)", function()
    local r = helpers.child(function()
      local before = status_field("NoNewPrivs")
      deny_getppid():load()
      local after = status_field("NoNewPrivs")
      return (before == "0" and after == "1") and 0 or 1
    end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
  end)
end)

describe("thread sync", function()
  local n = nr("getppid")

  it("filters a thread started before the load", function()
    local r = helpers.child(function()
      local t = lthread().start()
      deny_getppid():load()
      local _, err = t:call(n)
      return err
    end)
    assert.are.same({ how = "exit", code = E("EPERM") }, helpers.outcome(r))
  end)

  it("when turned off, leaves that thread unfiltered", function()
    local r = helpers.child(function()
      local lt = lthread()
      local t = lt.start()
      local f = deny_getppid()
      f:set("tsync", false)
      f:load()
      local _, here = lt.here(n)     -- this thread is filtered
      local _, there = t:call(n)     -- the older one is not
      return (here == E("EPERM") and there == 0) and 0 or 1
    end)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
  end)
end)

describe("kill_thread and kill_process", function()
  it("kill_thread ends only the offending thread", function()
    local r = helpers.sysraw(function() deny_getppid("kill_thread"):load() end,
                      "thread-call", getppid)
    assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r))
  end)

  it("kill_process ends the whole process", function()
    local r = helpers.sysraw(function() deny_getppid("kill_process"):load() end,
                      "thread-call", getppid)
    assert.is_true(helpers.killed(r))
  end)
end)

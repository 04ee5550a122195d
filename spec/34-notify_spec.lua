-- User notification: a supervisor answers each notified call.
local seccomp = require "seccomp"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local notify = require "seccomp.notify"
local child = require "seccomp.child"

-- Starts a child that loads `f`, hands the listener over and runs
-- `fn(send)`; returns pid, listener fd, a reader for what it sent and a
-- wait that says how it ended.
local function supervised(f, fn)
  local mine, theirs = notify.socketpair()
  local h = child.start(function(send)
    core.close_fd(mine)
    f:load()
    notify.send_fd(theirs, f:notify_fd())
    fn(function(s) send(s .. "\n") end)
  end, { send = true })
  core.close_fd(theirs)
  local fd = notify.recv_fd(mine)
  core.close_fd(mine)
  return h.pid, fd, function() return h:wait().output end,
    function()
      local r = h:wait()
      return r.how, r.code
    end
end

describe("notify", function()
  it("lets a supervisor answer with an errno, a value or continue", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    local nr = seccomp.syscall("getppid")
    local pid, fd, output, wait = supervised(f, function(send)
      for i = 1, 3 do
        local ret, err = lraw.syscall_raw(nr, i)
        send(ret .. " " .. err)
      end
    end)
    local seen = {}
    notify.serve(fd, function(req)
      seen[#seen + 1] = req
      if req.args[1] == 1 then return { errno = "EPERM" } end
      if req.args[1] == 2 then return { value = 4242 } end
      return "continue"
    end)
    core.close_fd(fd)
    assert.are.same({ "exit", 0 }, { wait() })
    local lines = {}
    for line in output():gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal("-1 " .. seccomp.errno_value("EPERM"), lines[1])
    assert.are.equal("4242 0", lines[2])
    assert.are.equal(lraw.getpid() .. " 0", lines[3])  -- the real parent
    assert.are.equal(3, #seen)
    for _, req in ipairs(seen) do
      assert.are.equal("getppid", req.name)
      assert.are.equal(nr, req.syscall)
      assert.are.equal(pid, req.pid)
      assert.are.equal(seccomp.arch_token(seccomp.arch_native()), req.arch)
      assert.is_true(req.ip ~= 0)
    end
  end)

  it("says whether an id is still waited on", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    local _, fd, _, wait = supervised(f, function() lraw.syscall_raw(seccomp.syscall("getppid")) end)
    assert.are.equal("ready", notify.poll(fd))
    local req = notify.receive(fd)
    assert.is_true(notify.id_valid(fd, req.id))
    assert.is_true(notify.respond(fd, req.id, "continue"))
    assert.is_false(notify.id_valid(fd, req.id))
    assert.are.equal("hangup", notify.poll(fd))  -- the child exited
    core.close_fd(fd)
    wait()
  end)

  it("times out when nothing is pending", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    local _, fd, _, wait = supervised(f, function()
      lraw.syscall_raw(seccomp.syscall("getppid"))
    end)
    local req = notify.receive(fd)
    assert.are.equal("timeout", notify.poll(fd, 0))
    notify.respond(fd, req.id, "continue")
    core.close_fd(fd)
    wait()
  end)

  it("refuses continue = false rather than faking a result", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    local nr = seccomp.syscall("getppid")
    local _, fd, output, wait = supervised(f, function(send)
      local ret, err = lraw.syscall_raw(nr)
      send(ret .. " " .. err)
    end)
    local req = notify.receive(fd)
    assert.has_error(function() notify.respond(fd, req.id, { continue = false }) end)
    -- The call still waits, and runs when answered properly.
    assert.is_true(notify.id_valid(fd, req.id))
    assert.is_true(notify.respond(fd, req.id, "continue"))
    core.close_fd(fd)
    assert.are.same({ "exit", 0 }, { wait() })
    assert.are.equal(lraw.getpid() .. " 0\n", output())
  end)

  it("raises on bad input", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    assert.has_error(function() f:notify_fd() end)  -- not loaded
    assert.has_error(function() notify.respond(0, 1, "maybe") end)
    assert.has_error(function() notify.respond(0, 1, { errno = seccomp.E.EPERM, value = 2 }) end)
    assert.has_error(function() notify.respond(0, 1, { errno = 0 }) end)
    assert.has_error(function() notify.receive(-1) end)
  end)
end)

-- notify.read_string: a path read from the process that waits on a
-- notification, checked to be that process's after the read.
local seccomp = require "seccomp"
local core = require "seccomp.core"
local notify = require "seccomp.notify"
local child = require "seccomp.child"
local helpers = require "spec.helpers"

-- A child that loads `f` (notify on openat), hands the listener over and
-- opens each of `paths`; returns the handle and the listener.
local function opener(paths)
  local f = seccomp.filter("allow")
  f:add("notify", "openat")
  local mine, theirs = notify.socketpair()
  local h = child.start(function()
    core.close_fd(mine)
    f:load()
    notify.send_fd(theirs, f:notify_fd())
    core.close_fd(f:notify_fd())
    for _, p in ipairs(paths) do io.open(p, "rb") end
  end)
  core.close_fd(theirs)
  local fd = notify.recv_fd(mine)
  core.close_fd(mine)
  return h, fd
end

describe("notify.read_string", function()
  it("reads the path a waiting openat names, whole or cut at max", function()
    local long = "/nonexistent/" .. ("x"):rep(5000)
    local h, fd = opener { "/nonexistent/super-path", long }
    local req = notify.receive(fd)
    assert.are.equal("openat", req.name)
    assert.are.same({ "/nonexistent/super-path", false },
                    { notify.read_string(fd, req.id, req.pid, req.args[2]) })
    assert.are.same({ "/nonex", true },
                    { notify.read_string(fd, req.id, req.pid, req.args[2], 6) })
    -- an address nothing is mapped at
    assert.are.same({ nil, "EFAULT" }, { notify.read_string(fd, req.id, req.pid, 8) })
    assert.is_true(notify.respond(fd, req.id, { errno = "ENOENT" }))
    -- past one page, and cut at the default 4096 bytes
    req = notify.receive(fd)
    local text, cut = notify.read_string(fd, req.id, req.pid, req.args[2])
    assert.are.equal(long:sub(1, 4096), text)
    assert.is_true(cut)
    assert.are.equal(long, (notify.read_string(fd, req.id, req.pid, req.args[2], 8192)))
    notify.respond(fd, req.id, { errno = "ENOENT" })
    helpers.assert_exit(0, h:wait())
    core.close_fd(fd)
  end)

  it("answers ENOENT once the process no longer waits, and raises on bad arguments", function()
    local h, fd = opener { "/nonexistent/super-gone" }
    local req = notify.receive(fd)
    core.kill(req.pid, helpers.SIGKILL)
    assert.is_true(helpers.signaled(h:wait(), helpers.SIGKILL))
    assert.are.same({ nil, "ENOENT" }, { notify.read_string(fd, req.id, req.pid, req.args[2]) })
    core.close_fd(fd)
    assert.has_error(function() notify.read_string(fd, req.id, 0, 1) end,
                     "seccomp: notify_read_string: Numerical result out of range (ERANGE): "
                     .. "pid 0 is out of range 1..2147483647")
    assert.has_error(function() notify.read_string(fd, req.id, req.pid, "/etc") end)
  end)
end)

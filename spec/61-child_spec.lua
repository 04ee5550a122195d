-- seccomp.child: the one child-process runner, and its exit convention.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local child = require "seccomp.child"
local core = require "seccomp.core"
-- Raw calls in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()

local SIG = seccomp.SIG

describe("seccomp.child", function()
  it("exits 0 when the function returns nothing, or the integer it returns", function()
    local r = child.run(function() end)
    assert.are.same({ "exit", 0, "returned" }, { r.how, r.code, r.state })
    r = child.run(function() return 42 end)
    assert.are.same({ "exit", 42, "returned" }, { r.how, r.code, r.state })
    r = child.run(function() return "not a code" end)
    assert.are.same({ "exit", 0, "returned" }, { r.how, r.code, r.state })
    assert.is_nil(r.error)
  end)

  it("exits 1 when the function raises, and the record tells it from a returned 1", function()
    local raised = child.run(function() error("boom") end)
    assert.are.same({ "exit", child.EXIT_RAISED, "error" }, { raised.how, raised.code, raised.state })
    assert.are.equal(1, child.EXIT_RAISED)
    assert.matches("boom", raised.error)
    local returned = child.run(function() return 1 end)
    assert.are.same({ "exit", 1, "returned" }, { returned.how, returned.code, returned.state })
    assert.is_nil(returned.error)
  end)

  it("raises in the child when the result is no exit code", function()
    local r = child.run(function() return 256 end)
    assert.are.same({ "exit", 1, "error" }, { r.how, r.code, r.state })
    assert.matches("returned 256: an exit code is 0..255", r.error, 1, true)
  end)

  it("exits 125 when the setup raises, without running the function", function()
    local ran = false
    local r = child.run(function(send) send("ran") ran = true end,
                        { send = true, setup = function() error("no setup") end })
    assert.are.same({ "exit", child.EXIT_SETUP, "setup", "" },
                    { r.how, r.code, r.state, r.output })
    assert.matches("no setup", r.error)
    assert.is_false(ran)  -- and in this process, of course
  end)

  it("exits 127 when the program cannot be executed, and runs one that can", function()
    local r = child.run({ "/nonexistent/program" })
    assert.are.same({ "exit", child.EXIT_EXEC, "setup" }, { r.how, r.code, r.state })
    assert.matches("ENOENT", r.error)
    r = child.run({ "/bin/sh", "-c", "exit 7" })
    assert.are.same({ "exit", 7, "none" }, { r.how, r.code, r.state })
  end)

  it("says which signal ended the child", function()
    local r = child.run(function() core.kill(lraw.getpid(), SIG.SIGKILL) end)
    assert.are.same({ "signal", SIG.SIGKILL, SIG.SIGKILL, "none" },
                    { r.how, r.code, r.signal, r.state })
  end)

  it("records a SIGSYS from a filter without any syscall in the child", function()
    local r = child.run(function()
      local f = seccomp.filter("allow")
      f:add("kill_process", "getppid")
      f:load()
      lraw.syscall_raw(seccomp.syscall("getppid"))
    end)
    assert.are.same({ "signal", SIG.SIGSYS, "none" }, { r.how, r.signal, r.state })
  end)

  it("captures what the function sends and what a program prints", function()
    local r = child.run(function(send) send("one ") send(2) end,
                        { send = true })
    assert.are.equal("one 2", r.output)
    r = child.run(function() io.write("printed") end, { output = 1 })
    assert.are.equal("printed", r.output)  -- flushed before the exit
    r = child.run({ "/bin/sh", "-c", "echo to stderr >&2" }, { output = 2 })
    assert.are.equal("to stderr\n", r.output)
    assert.are.same({ "exit", 0 }, { r.how, r.code })
  end)

  it("tells the child's own end, not that of a process it forked", function()
    local r = child.run(function()
      local g = child.run(function() error("grandchild") end)
      return g.code == 1 and g.state == "error" and 3 or 4
    end)
    assert.are.same({ "exit", 3, "returned" }, { r.how, r.code, r.state })
  end)

  it("starts a child the caller waits for later, and can signal it", function()
    local h = child.start({ "/bin/sleep", "100" })
    assert.is_true(compat.is_integer(h.pid) and h.pid > 0)
    h:kill(SIG.SIGTERM)
    local r = h:wait()
    assert.are.same({ "signal", SIG.SIGTERM }, { r.how, r.signal })
    assert.are.equal(r, h:wait())  -- waiting again gives the same answer
  end)

  it("reads what the child sends within a time and size bound", function()
    local h = child.start(function(send) send("0123456789") end, { send = true })
    assert.are.same({ "0123456789", "eof" }, { h:read_bounded(60000, 100) })
    assert.are.same({ "exit", 0, "" }, { h:wait().how, h:wait().code, h:wait().output })
    h = child.start(function(send) send(("x"):rep(100)) end, { send = true })
    local data, how = h:read_bounded(60000, 10)
    assert.are.equal("limit", how)
    assert.is_true(#data <= 10)  -- what came before the bound, at most
    h:wait()
    local hold_r, hold_w = core.pipe()  -- never written: the child waits on it
    h = child.start(function(send) send("started") core.read(hold_r) end, { send = true })
    data, how = h:read_bounded(100, 100)
    assert.are.equal("timeout", how)  -- the child never ends
    assert.are.equal(data, ("started"):sub(1, #data))  -- what it sent so far
    h:kill(SIG.SIGKILL)
    assert.are.same({ "signal", SIG.SIGKILL }, { h:wait().how, h:wait().signal })
    core.close_fd(hold_r)
    core.close_fd(hold_w)
  end)

  it("raises on bad arguments", function()
    assert.has_error(function() child.run(42) end,
      "seccomp: child: Invalid argument (EINVAL): expected a function or a command table, got number")
    assert.has_error(function() child.run(function() end, { outptu = 1 }) end,
      "seccomp: child(outptu): Invalid argument (EINVAL): unknown option (output, send, setup)")
    assert.has_error(function() child.run(function() end, { output = 3 }) end)
    assert.has_error(function() child.run(function() end, { setup = "x" }) end)
    assert.has_error(function() child.run(function() end, 5) end)
  end)
end)

-- f:load{ report = true } (a supervisor outside the process) and
-- f:load{ report = "signal" } (a SIGSYS handler inside it): a process a
-- rule kills prints one line first.
local seccomp = require "seccomp"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local child = require "seccomp.child"
local helpers = require "helpers"

local SIGSYS = seccomp.SIG.SIGSYS

-- Runs fn in a child after loading f with a report to a pipe; returns
-- how the child ended and the text written.
local function run_with(mode, f, fn, options)
  local r = child.run(function(_, fd)
    local opts = { report = mode == nil and true or mode, report_fd = fd }
    for k, v in pairs(options or {}) do opts[k] = v end
    local ok = pcall(f.load, f, opts)
    if not ok then return 125 end
    fn()
  end, { send = true })
  return r.how, r.code, r.output
end

local function filter()
  local f = seccomp.filter("kill")
  f:allow { "exit_group", "brk", "mmap", "munmap", "write", "rt_sigprocmask",
            "rt_sigreturn", "newfstatat", "lseek", "read", "close" }
  return f
end

-- Starts a child that loads f with a report to a pipe, says it is ready
-- and waits; `send(pid)` then signals it from outside. Returns how the
-- child ended and the text it reported.
local function signaled(f, send)
  local ready_r, ready_w = core.pipe()
  local hold_r, hold_w = core.pipe()
  local h = child.start(function(_, fd)
    core.close_fd(ready_r)
    core.close_fd(hold_w)
    local ok = pcall(f.load, f, { report = "signal", report_fd = fd })
    if not ok then return 125 end
    core.write(ready_w, "ready")
    core.close_fd(ready_w)
    core.read(hold_r)  -- waits until the parent is done
  end, { send = true })
  core.close_fd(ready_w)
  core.close_fd(hold_r)
  assert.are.equal("ready", core.read(ready_r))
  core.close_fd(ready_r)
  send(h.pid)
  local r = h:wait()
  core.close_fd(hold_w)
  return r.how, r.code, r.output
end

describe("violation report by signal", function()
  it("ignores a SIGSYS that no seccomp trap raised: no line, no call, death by SIGSYS", function()
    local f = seccomp.filter("allow")
    f:add("kill", "ptrace")
    -- kill(2): si_code SI_USER.
    local how, code, text = signaled(f, function(pid) core.kill(pid, SIGSYS) end)
    assert.are.same({ "signal", SIGSYS, "" }, { how, code, text })
    -- rt_sigqueueinfo(2) from another process: si_code SI_QUEUE, and
    -- every other byte of the siginfo set, as a forger would set the
    -- syscall number and architecture.
    how, code, text = signaled(f, function(pid)
      local sent = helpers.sysraw(function() end, "raw", seccomp.syscall("rt_sigqueueinfo"),
                                  pid, "SIGSYS", "@" .. ("\xff"):rep(128))
      assert.is_true(helpers.exited(sent, 0), helpers.describe(sent))
    end)
    assert.are.same({ "signal", SIGSYS, "" }, { how, code, text })
  end)

  it("still dies by SIGSYS when write itself is refused, silently", function()
    local f = seccomp.filter("kill")
    f:allow { "exit_group", "rt_sigprocmask", "rt_sigreturn" }
    local how, code, text = run_with("signal", f, function() io.open("/etc/hostname") end)
    assert.are.equal("signal", how)
    assert.are.equal(SIGSYS, code)
    assert.are.equal("", text)
  end)
end)

for _, mode in ipairs { true, "signal" } do
describe(("violation report (report = %s)"):format(tostring(mode)), function()
  local function run(f, fn, options) return run_with(mode, f, fn, options) end

  it("names the call, its arguments and what would allow it, then dies by SIGSYS", function()
    local how, code, text = run(filter(), function() io.open("/etc/hostname") end)
    assert.are.equal("signal", how)
    assert.are.equal(SIGSYS, code)
    assert.matches("^seccomp: killed: openat%(", text)
    assert.matches("promise rpath", text)
    assert.matches("@file%-system", text)
    -- One line.
    assert.are.equal(1, select(2, text:gsub("\n", "")))
  end)

  it("prints the arguments the call had", function()
    local f = filter()
    local how, code, text = run(f, function()
      lraw.syscall_raw(seccomp.syscall("ptrace"), 7, 0x123456789)
    end)
    assert.are.equal("signal", how)
    assert.are.equal(SIGSYS, code)
    assert.matches("ptrace%(7, 0x123456789, 0, 0, 0, 0%)", text)
  end)

  it("prints nothing for calls the filter allows", function()
    local how, code, text = run(filter(), function() io.write("") end)
    assert.are.equal("exit", how)
    assert.are.equal(0, code)
    assert.are.equal("", text)
  end)

  it("keeps errno rules as they are", function()
    local f = filter()
    f:add(seccomp.errno("EACCES"), "openat")
    local how, code, text = run(f, function()
      if io.open("/etc/hostname") then core.exit(3) end
    end)
    assert.are.equal("exit", how)
    assert.are.equal(0, code)
    assert.are.equal("", text)
  end)
end)
end

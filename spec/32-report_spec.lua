-- f:load{ report = true }: a process a rule kills prints one line first.
local seccomp = require "seccomp"
local core = require "seccomp.core"

local SIGSYS = seccomp.SIG and seccomp.SIG.SIGSYS or 31

-- Runs fn in a child after loading f with a report to a pipe; returns
-- how the child ended and the text written.
local function run(f, fn, options)
  local r, w = core.pipe()
  local pid = core.fork()
  if pid == 0 then
    core.close_fd(r)
    local opts = { report = true, report_fd = w }
    for k, v in pairs(options or {}) do opts[k] = v end
    local ok = pcall(f.load, f, opts)
    if not ok then core.exit(125) end
    fn()
    core.exit(0)
  end
  core.close_fd(w)
  local text = core.read(r)
  core.close_fd(r)
  local how, code = core.wait(pid)
  return how, code, text
end

local function filter()
  local f = seccomp.filter("kill")
  f:allow { "exit_group", "brk", "mmap", "munmap", "write", "rt_sigprocmask",
            "rt_sigreturn", "newfstatat", "lseek", "read", "close" }
  return f
end

describe("violation report", function()
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
      core.syscall_raw(seccomp.syscall("getppid"), 7, 0x123456789)
    end)
    assert.are.equal("signal", how)
    assert.are.equal(SIGSYS, code)
    assert.matches("getppid%(7, 0x123456789, 0, 0, 0, 0%)", text)
  end)

  it("still dies by SIGSYS when write itself is refused, silently", function()
    local f = seccomp.filter("kill")
    f:allow { "exit_group", "rt_sigprocmask", "rt_sigreturn" }
    local how, code, text = run(f, function() io.open("/etc/hostname") end)
    assert.are.equal("signal", how)
    assert.are.equal(SIGSYS, code)
    assert.are.equal("", text)
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

-- f:load{ report = true } and pledge(..., { report = true }): a small
-- supervisor forked before the load names the call and ends the process,
-- so report mode is as strict as the filter.
local seccomp = require "seccomp"
local core = require "seccomp.core"
local child = require "seccomp.child"
local supervisor = require "seccomp.supervisor"
local helpers = require "helpers"
local lraw = assert(package.loadlib("build/spec/lraw.so", "luaopen_lraw"))()

local SIGSYS, SIGKILL = seccomp.SIG.SIGSYS, seccomp.SIG.SIGKILL

-- Runs fn(send) in a child; returns how it ended, what it sent, and what
-- was reported (on a pipe of its own, as report_fd).
local function reported(fn)
  local r, w = core.pipe()
  local result = helpers.child(function(send) return fn(send, w) end)
  core.close_fd(w)
  local text = core.read(r)
  core.close_fd(r)
  return result, text
end

local function openat_killer()
  local f = seccomp.filter("allow")
  f:add("kill_process", "openat", seccomp.arg(1):ne(0))
  return f
end

describe("f:load{ report = true }", function()
  it("names the call with its path and flags, the process, and what would allow it", function()
    local r, text = reported(function(send, w)
      openat_killer():load { report = true, report_fd = w }
      io.open("/etc/hostname", "rb")
      send("survived")
    end)
    assert.is_true(helpers.killed(r), helpers.describe(r))
    assert.are.equal("", r.output)
    assert.matches('^seccomp: killed: openat%(AT_FDCWD, "/etc/hostname", O_RDONLY%) in pid %d+ '
                   .. '%(.*lua.*%); allowed by promise rpath', text)
    assert.are.equal(1, select(2, text:gsub("\n", "")))
  end)

  it("leaves no listener in the process: the supervisor holds it, and the report fd", function()
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      f:add("kill_process", "ptrace")
      f:load { report = true }
      local function fds(pid)
        local p = io.popen("ls -l /proc/" .. pid .. "/fd")
        local text = p:read("a")
        p:close()
        return text
      end
      send(("%s\n--\n%s"):format(fds(core.getpid()), fds(supervisor.helper())))
    end)
    assert.is_true(helpers.exited(r, 0), helpers.describe(r))
    local own, helper = r.output:match("^(.*)\n%-%-\n(.*)$")
    assert.is_nil(own:match("seccomp notify"))
    assert.are.equal(1, select(2, helper:gsub("seccomp notify", "")))
    assert.are.equal(2, select(2, helper:gsub(" %d+ %-> ", "")))  -- the listener, stderr
  end)

  it("ends the process even when it installs a SIGSYS handler after the load", function()
    local r, text = reported(function(send, w)
      openat_killer():load { report = true, report_fd = w }
      child.install_report(nil, -1)  -- a SIGSYS handler of its own
      io.open("/etc/hostname", "rb")
      send("survived")
    end)
    -- SIGSYS would not kill it now: the supervisor used SIGKILL
    assert.is_true(helpers.signaled(r, SIGKILL), helpers.describe(r))
    assert.are.equal("", r.output)
    assert.matches("^seccomp: killed: openat%(", text)
  end)

  it("still names the call when the filter refuses write to the process itself", function()
    local r, text = reported(function(_, w)
      local f = seccomp.filter("kill_process")
      f:allow { "exit_group", "brk", "mmap", "munmap", "rt_sigprocmask", "rt_sigreturn",
                "close", "futex" }
      f:load { report = true, report_fd = w }
      io.open("/etc/hostname", "rb")
    end)
    assert.is_true(helpers.killed(r), helpers.describe(r))
    assert.matches("^seccomp: killed: openat%(AT_FDCWD, \"/etc/hostname\"", text)
  end)

  it("follows fork and exec: a child's call, then an i386 call of an exec'd program", function()
    local r, text = reported(function(send, w)
      local f = seccomp.filter("allow")
      f:arch_add("x86")
      f:add("kill_process", { "openat", "uname" })
      f:load { report = true, report_fd = w }
      local pid = core.fork()
      if pid == 0 then
        io.open("/etc/hostname", "rb")
        core.exit(0)
      end
      local how, code = core.wait(pid)
      send(how .. " " .. code .. "\n")
      core.execv("build/sysraw", { "sysraw", "int80", tostring(seccomp.syscall("uname", "x86")),
                                   "0" })
    end)
    assert.is_true(helpers.killed(r), helpers.describe(r))
    assert.are.equal("signal " .. SIGSYS .. "\n", r.output)
    local lines = {}
    for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal(2, #lines, text)
    assert.matches("^seccomp: killed: openat%(AT_FDCWD, \"/etc/hostname\"", lines[1])
    assert.matches("^seccomp: killed: uname%(0%) on x86 in pid %d+ %(.*/build/sysraw%)", lines[2])
  end)

  it("ends the whole process for kill_thread: one thread cannot be ended from outside", function()
    local lthread = assert(package.loadlib("build/spec/lthread.so", "luaopen_lthread"))
    local r, text = reported(function(send, w)
      local t = lthread().start()
      local f = seccomp.filter("allow")
      f:add("kill_thread", "getppid")
      f:load { report = true, report_fd = w }
      t:call(seccomp.syscall("getppid"))
      send("alive")
    end)
    assert.is_true(helpers.killed(r), helpers.describe(r))
    assert.are.equal("", r.output)
    assert.matches("^seccomp: killed %(kill_thread%): getppid%(%) in pid %d+ thread %d+", text)
  end)

  it("with report = \"errno\", names errno refusals too, which fail as the filter says", function()
    local r, text = reported(function(send, w)
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EACCES"), "openat", seccomp.arg(1):ne(0))
      f:load { report = "errno", report_fd = w }
      local _, err = io.open("/etc/hostname", "rb")
      send(tostring(err))
    end)
    assert.is_true(helpers.exited(r, 0), helpers.describe(r))
    assert.matches("Permission denied", r.output)
    assert.matches('^seccomp: refused %(EACCES%): openat%(AT_FDCWD, "/etc/hostname", O_RDONLY%)',
                   text)
  end)

  it("leaves refused calls failing with ENOSYS once the supervisor is killed: none runs",
     function()
    local function umask()
      return helpers.read_file("/proc/self/status"):match("Umask:%s*(%d+)")
    end
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      f:add("kill_process", "umask")
      f:load { report = true, report_fd = -1 }
      local helper = supervisor.helper()
      core.kill(helper, SIGKILL)
      while pcall(core.kill, helper, 0) do lraw.syscall_raw(seccomp.syscall("sched_yield")) end
      local before = umask()
      local ret, e = lraw.syscall_raw(seccomp.syscall("umask"), before == "0077" and 18 or 63)
      send(ret .. " " .. tostring(seccomp.errno_name(e)) .. " " .. tostring(before == umask()))
    end)
    assert.is_true(helpers.exited(r, 0), helpers.describe(r))
    assert.are.equal("-1 ENOSYS true", r.output)
  end)

  it("as pledge(..., { report = true }), naming the promise that would allow the call", function()
    local r, text = reported(function(_, w)
      core.dup2(w, 2)
      seccomp.pledge("stdio", { report = true })
      io.open("/etc/hostname", "rb")
    end)
    assert.is_true(helpers.killed(r), helpers.describe(r))
    assert.matches('^seccomp: killed: openat%(AT_FDCWD, "/etc/hostname", O_RDONLY%) in pid %d+ '
                   .. '%(.*%); allowed by promise rpath', text)
  end)

  it("on top of a filter loaded before, reports through the SIGSYS handler", function()
    local r, text = reported(function(_, w)
      seccomp.filter("allow"):add(seccomp.errno("EPERM"), "ptrace"):load()
      openat_killer():load { report = true, report_fd = w }
      io.open("/etc/hostname", "rb")
    end)
    assert.is_true(helpers.killed(r), helpers.describe(r))
    assert.matches("^seccomp: killed: openat%(", text)
  end)

  it("refuses what it cannot supervise, before loading anything", function()
    local f = seccomp.filter("allow")
    f:add("notify", "getppid")
    local r = helpers.child(function(send)
      local ok, err = pcall(f.load, f, { report = true })
      send(tostring(ok) .. " " .. tostring(err) .. " " .. f:get("default_action"))
      return ok and 1 or 0
    end)
    assert.is_true(helpers.exited(r, 0), helpers.describe(r))
    assert.matches("^false seccomp: load: Invalid argument %(EINVAL%): the filter has notify "
                   .. "rules", r.output)
    local g = seccomp.filter("allow")
    g:add(seccomp.errno("EPERM"), "close")
    r = helpers.child(function(send)
      local ok, err = pcall(g.load, g, { report = true })
      send(tostring(ok) .. " " .. tostring(err))
      return ok and 1 or 0
    end)
    assert.is_true(helpers.exited(r, 0), helpers.describe(r))
    assert.matches("^false seccomp: load: Invalid argument %(EINVAL%): the filter refuses close",
                   r.output)
    assert.has_error(function() seccomp.filter("allow"):load { report = "loud" } end,
                     'seccomp: load(report): Invalid argument (EINVAL): must be a boolean, got '
                     .. '"loud" (report is true, false, "errno" or "signal")')
  end)
end)

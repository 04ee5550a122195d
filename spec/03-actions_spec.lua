-- Every action, enforced: each filter is loaded in a child process and the
-- spec asserts how the child ended (exit code, signal, errno).
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"

local E = seccomp.errno_value
local SIGSYS = helpers.SIGSYS
local PATH = "/dev/null"  -- exists and opens read-only for anyone
local GETPID = seccomp.syscall("getpid")

local function killed_by_sigsys()
  return ("signal %d"):format(SIGSYS)
end

-- "exit 0 output: <errno>" is how a child that saw io.open fail ends.
local function reported(value)
  return ("exit 0 output: %s"):format(tostring(value))
end

-- In a child: builds the filter with `build(f)` on a filter whose default
-- action is `default`, loads it, opens PATH and sends back the errno from
-- io.open's third return value, or "opened".
local function open_under(default, build)
  return helpers.describe(helpers.child(function(send)
    local f = seccomp.filter(default)
    build(f)
    f:load()
    local file, _, code = io.open(PATH)
    if file then
      file:close()
      send("opened")
    else
      send(code)
    end
  end))
end

-- A filter whose only rule gives openat the action `action`.
local function openat_rule(action)
  return open_under("allow", function(f) f:add(action, "openat") end)
end

-- What a Lua child needs to keep running, report back and exit once the
-- filter is in: memory, write to the pipe, exit_group. Nothing else.
local RUNTIME = { "brk", "mmap", "munmap", "mremap", "madvise", "write", "exit_group" }
local function runtime(f)
  f:allow(RUNTIME)
end

-- The largest value seccomp.errno accepts.
local function largest_errno()
  local lo, hi = 1, 65536
  while lo + 1 < hi do
    local mid = compat.idiv((lo + hi), 2)
    if pcall(seccomp.errno, mid) then lo = mid else hi = mid end
  end
  return lo
end

describe("without a filter", function()
  it("the child opens the file (the control for every case below)", function()
    assert.are.equal(reported("opened"), helpers.describe(helpers.child(function(send)
      local file = io.open(PATH)
      send(file and "opened" or "failed")
      if file then file:close() end
    end)))
  end)
end)

describe("errno", function()
  it("delivers the errno given by name", function()
    assert.are.equal(reported(E("EACCES")), openat_rule(seccomp.errno("EACCES")))
    assert.are.equal(reported(E("EPERM")), openat_rule(seccomp.errno("EPERM")))
    assert.are.equal(reported(E("ENOENT")), openat_rule(seccomp.errno("ENOENT")))
  end)

  it("delivers the errno given by number", function()
    assert.are.equal(reported(77), openat_rule(seccomp.errno(77)))
    assert.are.equal(reported(1), openat_rule(seccomp.errno(1)))
    assert.are.equal(reported(E("EROFS")), openat_rule(seccomp.errno(E("EROFS"))))
  end)

  it("delivers the largest errno it accepts, exactly", function()
    local n = largest_errno()
    assert.is_true(n >= 256, "errno values above a byte must be accepted")
    assert.are.equal(reported(n), openat_rule(seccomp.errno(n)))
    assert.are.equal(reported(n - 1), openat_rule(seccomp.errno(n - 1)))
  end)

  it("0, when asked for explicitly, fakes success without running the call", function()
    local close = seccomp.syscall("close")
    local plain = helpers.sysraw(function() end, "raw", close, -1)
    assert.are.equal("exit " .. E("EBADF"), helpers.describe(plain))
    local faked = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno(0, { zero = true }), "close")
      f:load()
    end, "raw", close, -1)
    assert.are.equal("exit 0", helpers.describe(faked))
  end)

  it("as the default action applies to every call no rule allows", function()
    assert.are.equal(reported(E("EACCES")), open_under(seccomp.errno("EACCES"), runtime))
    assert.are.equal(reported(99), open_under(seccomp.errno(99), runtime))
  end)
end)

describe("kill_process", function()
  it("ends the child with SIGSYS at the call", function()
    assert.are.equal(killed_by_sigsys(), openat_rule("kill_process"))
  end)

  it("is what the string \"kill\" means", function()
    assert.are.equal(killed_by_sigsys(), openat_rule("kill"))
    assert.are.equal(seccomp.action("kill"), seccomp.action("kill_process"))
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, seccomp.action("kill"))
  end)

  it("given as its integer constant works the same", function()
    assert.are.equal(killed_by_sigsys(), openat_rule(seccomp.SCMP_ACT_KILL_PROCESS))
  end)

  it("ends every thread, not only the caller", function()
    local r = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add("kill_process", "getpid")
      f:load()
    end, "thread-call", GETPID)
    assert.are.equal(killed_by_sigsys(), helpers.describe(r))
  end)

  it("as the default action kills at the first call no rule allows", function()
    assert.are.equal(killed_by_sigsys(), open_under("kill", runtime))
    assert.are.equal(killed_by_sigsys(), open_under("kill_process", runtime))
  end)
end)

describe("kill_thread", function()
  it("ends a single-threaded child with SIGSYS", function()
    assert.are.equal(killed_by_sigsys(), openat_rule("kill_thread"))
  end)

  it("ends only the calling thread of a threaded process", function()
    -- sysraw thread-call exits 0 when the calling thread ended and the
    -- main thread lived on, 1 when the call returned
    local function thread_call(action)
      return helpers.describe(helpers.sysraw(function()
        local f = seccomp.filter("allow")
        f:add(action, "getpid")
        f:load()
      end, "thread-call", GETPID))
    end
    assert.are.equal("exit 0", thread_call("kill_thread"))
    assert.are.equal("exit 1", thread_call("log"))
  end)

  it("as the default action ends a single-threaded child with SIGSYS", function()
    assert.are.equal(killed_by_sigsys(), open_under("kill_thread", runtime))
  end)
end)

describe("trap", function()
  it("delivers SIGSYS, which ends a child that does not handle it", function()
    assert.are.equal(killed_by_sigsys(), openat_rule("trap"))
  end)

  it("delivers a SIGSYS a handler can catch, and the process goes on", function()
    -- sysraw batch catches SIGSYS and writes "I trap DATA" for the call
    local input, output = helpers.tmpname(), helpers.tmpname()
    local file = assert(io.open(input, "w"))
    file:write(("%d 0 0 0 0 0 0\n%d 0 0 0 0 0 0\n"):format(GETPID, GETPID))
    file:close()
    local r = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add("trap", "getpid")
      f:load()
    end, "batch", input, output)
    file = assert(io.open(output))
    local lines = file:read("*a")
    file:close()
    os.remove(input)
    os.remove(output)
    assert.are.equal("exit 0", helpers.describe(r))
    assert.are.equal("0 trap 0\n1 trap 0\n", lines)
  end)

  it("as the default action delivers SIGSYS", function()
    assert.are.equal(killed_by_sigsys(), open_under("trap", runtime))
  end)
end)

describe("log", function()
  it("allows the call", function()
    assert.are.equal(reported("opened"), openat_rule("log"))
  end)

  it("allows the call while the default action refuses others", function()
    local result = open_under(seccomp.errno("EPERM"), function(f)
      runtime(f)
      f:add("log", "openat")
    end)
    assert.are.equal(reported("opened"), result)
  end)

  it("as the default action allows every call", function()
    assert.are.equal(reported("opened"), open_under("log", function() end))
  end)
end)

describe("allow", function()
  it("allows the call under a default that kills", function()
    local result = open_under("kill", function(f)
      runtime(f)
      f:allow { "openat", "close" }
    end)
    assert.are.equal(reported("opened"), result)
  end)

  it("allows nothing else: the same filter without openat kills", function()
    local result = open_under("kill", function(f)
      runtime(f)
      f:allow("close")
    end)
    assert.are.equal(killed_by_sigsys(), result)
  end)
end)

describe("trace", function()
  it("without a tracer makes the call fail with ENOSYS", function()
    assert.are.equal(reported(E("ENOSYS")), openat_rule(seccomp.trace(5)))
    assert.are.equal(reported(E("ENOSYS")), openat_rule(seccomp.trace(0)))
    assert.are.equal(reported(E("ENOSYS")), openat_rule(seccomp.trace(65535)))
  end)

  it("as the default action without a tracer fails calls with ENOSYS", function()
    assert.are.equal(reported(E("ENOSYS")), open_under(seccomp.trace(1), runtime))
  end)
end)

describe("notify", function()
  it("with its listener closed makes the call fail with ENOSYS", function()
    -- the listener fd is closed with every other fd above stderr, so no
    -- call waits for an answer; the errno comes back as the exit code
    local r = helpers.child(function()
      local f = seccomp.filter("allow")
      f:add("notify", "openat")
      f:load()
      for fd = 3, 1023 do pcall(core.close_fd, fd) end
      local file, _, code = io.open(PATH)
      return file and 0 or code
    end)
    assert.are.equal("exit " .. E("ENOSYS"), helpers.describe(r))
  end)

  it("as the default action with its listener closed fails calls with ENOSYS", function()
    -- close must be allowed, or closing the listener would itself wait
    local r = helpers.child(function()
      local f = seccomp.filter("notify")
      runtime(f)
      f:allow("close")
      f:load()
      for fd = 3, 1023 do pcall(core.close_fd, fd) end
      local file, _, code = io.open(PATH)
      return file and 0 or code
    end)
    assert.are.equal("exit " .. E("ENOSYS"), helpers.describe(r))
  end)
end)

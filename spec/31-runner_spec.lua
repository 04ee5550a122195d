-- f:test(fn): runs fn in a child under the filter and says how it ended.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()

local SIGSYS = seccomp.SIG.SIGSYS

-- What a Lua function needs to return and exit.
local function base(default)
  local f = seccomp.filter(default or "kill")
  f:allow { "exit_group", "brk", "mmap", "munmap", "write", "rt_sigprocmask",
            "rt_sigreturn", "newfstatat", "fstat", "ioctl", "lseek", "read", "close" }
  return f
end

describe("f:test", function()
  it("reports a function that returns as ok", function()
    local r = base():test(function() return 1 + 1 end)
    assert.is_true(r.ok)
    assert.are.equal("exit", r.how)
    assert.are.equal(0, r.code)
    assert.is_nil(r.syscall)
  end)

  it("names the syscall a rule refused, with its arguments", function()
    local r = base():test(function() io.open("/etc/hostname") end)
    assert.is_false(r.ok)
    assert.are.equal("signal", r.how)
    assert.are.equal(SIGSYS, r.signal)
    assert.are.equal("openat", r.syscall)
    assert.are.equal(6, #r.args)
    assert.are.equal(seccomp.arch_native(), r.arch)
    -- openat(AT_FDCWD, path, flags): flags say read-only.
    assert.are.equal(seccomp.O.RDONLY, compat.band(r.args[3], seccomp.O.ACCMODE))
  end)

  it("kills as the filter says when nothing reports", function()
    local f = seccomp.filter("kill")
    local r = f:test(function() end)
    -- Even exit_group is refused: the child dies by SIGSYS there.
    assert.is_false(r.ok)
    assert.are.equal(SIGSYS, r.signal)
    assert.are.equal("exit_group", r.syscall)
  end)

  it("reports an error the function raised", function()
    local r = base():test(function() error("boom") end)
    assert.is_false(r.ok)
    assert.are.equal(1, r.code)
    assert.matches("boom", r.error)
  end)

  it("leaves errno rules to the function", function()
    local f = base()
    f:add(seccomp.errno("EACCES"), "openat")
    local r = f:test(function()
      local fh, msg = io.open("/etc/hostname")
      assert(fh == nil and msg:match("Permission denied"))
    end)
    assert.is_true(r.ok)
  end)

  it("never loads the filter in the calling process", function()
    local f = seccomp.filter("kill")
    f:test(function() end)
    -- Still free: this process can open files.
    local fh = assert(io.open("/etc/hostname"))
    fh:close()
  end)

  it("tells the child's own end, not that of a process it forked", function()
    local f = seccomp.filter("allow")
    f:add("kill", "getppid")
    -- A grandchild is refused a call; the child itself returns.
    local r = f:test(function()
      local pid = core.fork()
      if pid == 0 then
        lraw.syscall_raw(seccomp.syscall("getppid"))
        core.exit(0)
      end
      core.wait(pid)
    end)
    assert.is_true(r.ok)
    assert.is_nil(r.syscall)
    -- A grandchild's fn raises; the child is then refused a call.
    r = f:test(function()
      local pid = core.fork()
      if pid == 0 then error("grandchild") end
      core.wait(pid)
      lraw.syscall_raw(seccomp.syscall("getppid"))
    end)
    assert.is_false(r.ok)
    assert.are.equal(SIGSYS, r.signal)
    assert.are.equal("getppid", r.syscall)
    assert.is_nil(r.error)
  end)

  it("answers calls a notify rule catches with ENOSYS instead of waiting", function()
    -- close() of the listener itself would wait on the listener.
    for _, name in ipairs { "close", "getppid", "exit_group" } do
      local f = seccomp.filter("allow")
      f:add("notify", name)
      local r = f:test(function()
        local rc, err = lraw.syscall_raw(seccomp.syscall("getppid"))
        if name == "getppid" then assert(rc == -1 and err == seccomp.E.ENOSYS, err) end
        io.open("/dev/null"):close()
      end)
      assert.is_true(r.ok, name)
    end
  end)

  it("runs a filter whose kill rules equal its trap default once kills are traps", function()
    local f = seccomp.filter("trap")
    f:allow { "exit_group", "brk", "mmap", "munmap", "write", "rt_sigreturn", "close" }
    f:add("kill", "getppid")
    local r = f:test(function() lraw.syscall_raw(seccomp.syscall("getppid")) end)
    assert.is_false(r.ok)
    assert.are.equal(SIGSYS, r.signal)
    assert.are.equal("getppid", r.syscall)
  end)

  it("raises on bad arguments and closed filters", function()
    local f = base()
    assert.has_error(function() f:test("not a function") end)
    assert.has_error(function() f:test(function() end, 5) end)
    f:close()
    assert.has_error(function() f:test(function() end) end)
  end)
end)

-- seccomp.pledge: every promise proven in a child process. What the
-- promise is for works (through Lua's io and os, a shelled-out command,
-- or build/sysraw for calls Lua cannot make), and something just outside
-- it is refused: EPERM under penalty "eperm", SIGSYS under "kill".
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"

local E = seccomp.E

-- Runs fn() in a child after pledging; the child exits with fn's result.
local function pledged(promises, options, fn)
  return helpers.child(function(send)
    seccomp.pledge(promises, options)
    return fn(send)
  end)
end

-- Runs one raw system call in build/sysraw under a pledge.
local function raw(promises, options, name, ...)
  return helpers.sysraw(function() seccomp.pledge(promises, options) end,
                        "raw", seccomp.syscall(name), ...)
end

-- Runs a shell command under a pledge: exit 0 when it succeeded. The
-- shell's own stderr is closed so a killed command stays quiet.
local function shell(promises, command)
  return pledged(promises, nil, function()
    return helpers.execute("exec 2>&-; " .. command) and 0 or 1
  end)
end

local assert_exit, assert_sigsys = helpers.assert_exit, helpers.assert_sigsys
local read_file, write_file = helpers.read_file, helpers.write_file

local function find_lua()
  for dir in (os.getenv("PATH") or "/usr/bin"):gmatch("[^:]+") do
    local f = io.open(dir .. "/" .. helpers.LUA)
    if f then f:close(); return dir .. "/" .. helpers.LUA end
  end
  error(helpers.LUA .. " not found in PATH")
end

-- A fresh file with known text, removed after the test.
local tmp
before_each(function()
  tmp = helpers.tmpname()
  write_file(tmp, "first line\nsecond line\n")
end)
after_each(function()
  os.remove(tmp)
  os.remove(tmp .. ".new")
  os.remove(tmp .. ".fifo")
end)

describe("pledge('stdio')", function()
  it("keeps a Lua script alive through allocation, GC, output, reads and time", function()
    local lua = find_lua()
    local out = helpers.tmpname()
    -- A real lua5.4 process: the script pledges, works, and ends normally
    -- (lua.c then closes the state, which frees everything and closes files).
    local script = ([[
      local seccomp = require "seccomp"
      local f = assert(io.open(%q))
      seccomp.pledge("stdio")
      local t = {}
      for i = 1, 300 do t[i] = string.rep(string.char(65 + i %% 26), 1024 * 1024) end
      t = nil
      collectgarbage("collect")
      local many = {}
      for i = 1, 1000000 do many[i] = { i } end
      many = nil
      collectgarbage("collect")
      pcall(collectgarbage, "generational"); collectgarbage("collect")
      collectgarbage("incremental"); collectgarbage("collect")
      local big = string.rep("x", 200 * 1024 * 1024)
      big = nil
      collectgarbage("collect")
      print("line", f:read("*l"))
      f:seek("set", 0)
      print("all", #f:read("*a"))
      print("time", type(os.time()), os.clock() > 0)
      io.stderr:write("")
      f:close()
    ]]):format(tmp)
    local r = helpers.child(function()
      core.execv("/bin/sh", { "/bin/sh", "-c", 'out=$1; shift; exec "$@" > "$out"', "sh", out,
        lua, "-e", helpers.JIT_OFF .. ("package.path=%q; package.cpath=%q"):format(package.path, package.cpath),
        "-e", script })
    end)
    local text = read_file(out)
    os.remove(out)
    assert_exit(0, r)
    assert.equal("line\tfirst line\nall\t23\ntime\tnumber\ttrue\n", text)
  end)

  it("refuses opening a file", function()
    assert_sigsys(pledged("stdio", nil, function() io.open(tmp) end))
    local r = pledged("stdio", { penalty = "eperm" }, function()
      local f, _, code = io.open(tmp)
      return f == nil and code or 0
    end)
    assert_exit(E.EPERM, r)
  end)

  it("refuses executable memory and new processes", function()
    local PROT, MAP = seccomp.PROT, seccomp.MAP
    local flags = compat.bor(MAP.PRIVATE, MAP.ANONYMOUS)
    assert_exit(0, raw("stdio rpath exec", nil, "mmap", 0, 4096, PROT.READ, flags, -1, 0))
    assert_sigsys(raw("stdio rpath exec", nil, "mmap", 0, 4096, compat.bor(PROT.READ, PROT.EXEC), flags, -1, 0))
    assert_sigsys(pledged("stdio", nil, function() core.fork() end))
  end)

  it("gives openat2 and clone3 ENOSYS so libc falls back", function()
    assert_exit(E.ENOSYS, raw("stdio rpath exec", nil, "openat2", 0, 0, 0, 0))
    assert_exit(E.ENOSYS, raw("stdio rpath exec", nil, "clone3", 0, 0))
  end)

  it("never grants io_uring", function()
    local all = table.concat(require("seccomp.policy").promises(), " ")
    assert_sigsys(raw(all, nil, "io_uring_setup", 1, 0))
  end)
end)

describe("pledge('rpath')", function()
  it("reads files; opening for writing is refused", function()
    local r = pledged("stdio rpath", { penalty = "eperm" }, function(send)
      send(read_file(tmp))
      local f, _, code = io.open(tmp, "r+")
      return f == nil and code or 0
    end)
    assert_exit(E.EPERM, r)
    assert.equal("first line\nsecond line\n", r.output)
    assert_sigsys(pledged("stdio rpath", nil, function() io.open(tmp, "w") end))
    assert.equal("first line\nsecond line\n", read_file(tmp))
  end)

  it("refuses a read-only open with O_TRUNC", function()
    local O = seccomp.O
    assert_exit(0, raw("stdio rpath exec", nil, "openat", seccomp.AT.FDCWD, "@" .. tmp, O.RDONLY))
    assert_sigsys(raw("stdio rpath exec", nil, "openat", seccomp.AT.FDCWD, "@" .. tmp, compat.bor(O.RDONLY, O.TRUNC)))
  end)
end)

describe("pledge('wpath')", function()
  it("writes existing files (read-write with rpath); creating is refused", function()
    local r = pledged("stdio rpath wpath", { penalty = "eperm" }, function()
      local f = assert(io.open(tmp, "r+"))
      f:write("FIRST")
      f:close()
      local g, _, code = io.open(tmp .. ".new", "w")
      return g == nil and code or 0
    end)
    assert_exit(E.EPERM, r)
    assert.equal("FIRST line\nsecond line\n", read_file(tmp))
    assert.is_nil(io.open(tmp .. ".new"))
  end)

  it("does not read without rpath", function()
    assert_sigsys(pledged("stdio wpath", nil, function() io.open(tmp) end))
  end)
end)

describe("pledge('cpath')", function()
  it("creates, renames and removes files; without it they are refused", function()
    local r = pledged("stdio rpath wpath cpath", nil, function()
      write_file(tmp .. ".new", "new")
      assert(os.remove(tmp))
      assert(os.rename(tmp .. ".new", tmp))
    end)
    assert_exit(0, r)
    assert.equal("new", read_file(tmp))
    r = pledged("stdio rpath wpath", { penalty = "eperm" }, function()
      local ok, _, code = os.remove(tmp)
      return ok and 0 or code
    end)
    assert_exit(E.EPERM, r)
    assert_sigsys(pledged("stdio rpath wpath", nil, function() io.open(tmp .. ".new", "w") end))
  end)
end)

describe("pledge('tmppath')", function()
  it("makes temporary files; writing an existing file is refused", function()
    local r = pledged("stdio tmppath", { penalty = "eperm" }, function(send)
      local f = assert(io.tmpfile())
      f:write("scratch")
      f:seek("set", 0)
      send(f:read("*a"))
      f:close()
      local name = os.tmpname()
      assert(os.remove(name))
      local g, _, code = io.open(tmp, "w")
      return g == nil and code or 0
    end)
    assert_exit(E.EPERM, r)
    assert.equal("scratch", r.output)
    assert.equal("first line\nsecond line\n", read_file(tmp))
  end)
end)

describe("promises for shelled-out commands", function()
  local base = "stdio rpath proc exec prot_exec"

  it("dpath makes a FIFO", function()
    local cmd = "mkfifo " .. tmp .. ".fifo"
    assert_exit(0, shell(base .. " dpath", cmd))
    assert_exit(1, shell(base, "rm -f " .. tmp .. ".fifo && " .. cmd))
  end)

  it("fattr changes modes", function()
    assert_exit(0, shell(base .. " fattr", "chmod 600 " .. tmp))
    assert_exit(1, shell(base, "chmod 644 " .. tmp))
  end)

  it("chown changes owners", function()
    assert_exit(0, shell(base .. " chown", "chown +0:+0 " .. tmp))
    assert_exit(1, shell(base, "chown +0:+0 " .. tmp))
  end)

  it("flock takes locks", function()
    local with = base .. " wpath cpath"
    assert_exit(0, shell(with .. " flock", "flock " .. tmp .. " true"))
    assert_exit(1, shell(with, "flock " .. tmp .. " true"))
  end)

  it("dns resolves names", function()
    assert_exit(0, shell(base .. " dns", "getent ahosts localhost >&-"))
    assert_exit(1, shell(base, "getent ahosts localhost >&-"))
  end)

  it("exec runs programs; prot_exec is what dynamic ones need", function()
    assert_exit(0, shell(base, "true"))
    assert_exit(1, shell("stdio rpath proc exec", "/bin/true"))
    assert_sigsys(pledged("stdio rpath", nil, function() core.execv("/bin/true", { "true" }) end))
  end)
end)

describe("promises for raw calls", function()
  local AF, SOCK = seccomp.AF, seccomp.SOCK
  local base = "stdio rpath exec"

  it("proc forks; without it fork is refused", function()
    local r = pledged("stdio proc", nil, function()
      local pid = core.fork()
      if pid == 0 then core.exit(7) end
      local how, code = core.wait(pid)
      return how == "exit" and code or 1
    end)
    assert_exit(7, r)
    assert_sigsys(pledged("stdio", nil, function() core.fork() end))
  end)

  it("inet opens IPv4 and IPv6 sockets, not Unix ones", function()
    assert_exit(0, raw(base .. " inet", nil, "socket", AF.INET, SOCK.STREAM, 0))
    assert_exit(0, raw(base .. " inet", nil, "socket", AF.INET6, SOCK.DGRAM, 0))
    assert_exit(E.EPERM, raw(base .. " inet", { penalty = "eperm" }, "socket", AF.UNIX, SOCK.STREAM, 0))
    assert_sigsys(raw(base, nil, "socket", AF.INET, SOCK.STREAM, 0))
  end)

  it("unix opens Unix sockets, not IPv4 ones", function()
    assert_exit(0, raw(base .. " unix", nil, "socket", AF.UNIX, SOCK.STREAM, 0))
    assert_sigsys(raw(base .. " unix", nil, "socket", AF.INET, SOCK.STREAM, 0))
  end)

  it("sendfd and recvfd grant sendmsg and recvmsg", function()
    -- A bad descriptor: the call is made (EBADF), not refused.
    assert_exit(E.EBADF, raw(base .. " sendfd", nil, "sendmsg", -1, 0, 0))
    assert_sigsys(raw(base, nil, "sendmsg", -1, 0, 0))
    assert_exit(E.EBADF, raw(base .. " recvfd", nil, "recvmsg", -1, 0, 0))
    assert_sigsys(raw(base, nil, "recvmsg", -1, 0, 0))
  end)

  it("tty allows terminal requests, never TIOCSTI", function()
    local IOCTL = seccomp.IOCTL
    -- fd -1: the kernel fails the call with EBADF, which means the filter
    -- let it through (a refused request ends in SIGSYS instead).
    local r = raw(base .. " tty", nil, "ioctl", -1, IOCTL.TIOCGWINSZ, 0)
    assert_exit(E.EBADF, r)
    assert_sigsys(raw(base, nil, "ioctl", -1, IOCTL.TIOCGWINSZ, 0))
    assert_sigsys(raw(base .. " tty", nil, "ioctl", -1, IOCTL.TIOCSTI, 0))
  end)

  it("id changes ids", function()
    assert_exit(E.EINVAL, raw(base .. " id", nil, "setuid", -1))
    assert_sigsys(raw(base, nil, "setuid", -1))
  end)

  it("settime sets the clock", function()
    -- settimeofday(NULL, NULL) changes nothing and succeeds.
    assert_exit(0, raw(base .. " settime", nil, "settimeofday", 0, 0))
    assert_sigsys(raw(base, nil, "settimeofday", 0, 0))
  end)

  it("vminfo reads system memory information", function()
    assert_exit(E.EFAULT, raw(base .. " vminfo", nil, "sysinfo", 0))
    assert_sigsys(raw(base, nil, "sysinfo", 0))
  end)

  it("prot_exec maps executable memory", function()
    local PROT, MAP = seccomp.PROT, seccomp.MAP
    local flags = compat.bor(MAP.PRIVATE, MAP.ANONYMOUS)
    assert_exit(0, raw(base .. " prot_exec", nil, "mmap", 0, 4096, compat.bor(PROT.READ, PROT.EXEC), flags, -1, 0))
  end)
end)

describe("pledge narrowing and options", function()
  it("lets a second pledge narrow", function()
    local r = pledged("stdio rpath", nil, function(send)
      seccomp.pledge("stdio")
      send("narrowed")
      io.open(tmp)
    end)
    assert.equal("narrowed", r.output)
    assert_sigsys(r)
  end)

  it("raises when a second pledge asks for a promise not held", function()
    local r = pledged("stdio rpath", nil, function(send)
      local ok, err = pcall(seccomp.pledge, "stdio wpath")
      send(tostring(err))
      return ok and 1 or 0
    end)
    assert_exit(0, r)
    assert.matches("seccomp: pledge%(wpath%): .*EPERM", r.output)
  end)

  it("raises on unknown promises and options", function()
    assert.error_matches(function() seccomp.pledge("stdio rpath writeall", { load = false }) end,
                         "seccomp: pledge%(writeall%): .*EINVAL.*unknown promise")
    assert.error_matches(function() seccomp.pledge("stdio", { penalty = "warn", load = false }) end,
                         "penalty")
    assert.error_matches(function() seccomp.pledge("stdio", { pennalty = "kill", load = false }) end,
                         "unknown option")
  end)

  it("with report = true prints one line naming the refused call, then dies by SIGSYS", function()
    local r = helpers.child(function()  -- the report goes to stderr
      seccomp.pledge("stdio", { report = true })
      io.open(tmp)
      return 3  -- not reached when the open is refused
    end, 2)
    assert_sigsys(r)
    local text = r.output
    assert.matches("^seccomp: killed: openat%(.*promise rpath", text)
    assert.are.equal(1, select(2, text:gsub("\n", "")), text)
  end)

  it("builds without loading, naming the calls it skipped", function()
    local f, skipped = seccomp.pledge({ "stdio", "rpath" }, { load = false })
    assert.truthy(f:rule_count() > 50)
    for _, name in ipairs(skipped) do
      assert.has_error(function()
        local nr = seccomp.syscall(name)
        assert(nr >= 0)
      end)
    end
    f:close()
  end)
end)

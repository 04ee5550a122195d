-- Policy layer regressions: truncation needs wpath, dns cannot reach
-- NETLINK_ROUTE, inet refuses raw sockets, stdio runs cat, compile fails
-- closed on malformed tables, and pledge narrowing keeps track of what is
-- held. Filters load only in child processes.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"

local E, O, AT, AF, SOCK = seccomp.E, seccomp.O, seccomp.AT, seccomp.AF, seccomp.SOCK

local assert_exit, assert_sigsys = helpers.assert_exit, helpers.assert_sigsys
local read_file = helpers.read_file

-- Runs one raw system call in build/sysraw under a pledge.
local function raw(promises, name, ...)
  return helpers.sysraw(function() seccomp.pledge(promises) end,
                        "raw", seccomp.syscall(name), ...)
end

-- Runs the program `argv[1]` under a pledge; its standard output comes
-- back as `output`.
local function program(promises, argv)
  return helpers.child(function()
    seccomp.pledge(promises)
    core.execv(argv[1], argv)
  end, 1)
end

local TEXT = "first line\nsecond line\n"
local tmp
before_each(function()
  tmp = helpers.tmpname()
  local f = assert(io.open(tmp, "w"))
  f:write(TEXT)
  f:close()
end)
after_each(function() os.remove(tmp) end)

describe("cpath without wpath", function()
  it("cannot truncate an existing file with O_RDONLY|O_CREAT|O_TRUNC", function()
    local flags = compat.bor(compat.bor(O.RDONLY, O.CREAT), O.TRUNC)
    assert_sigsys(raw("stdio rpath cpath exec", "openat", AT.FDCWD, "@" .. tmp, flags, 0))
    assert.equal(TEXT, read_file(tmp))
    -- Creating read-only without O_TRUNC is still what rpath cpath allow.
    assert_exit(0, raw("stdio rpath cpath exec", "openat", AT.FDCWD, "@" .. tmp .. ".new",
                       compat.bor(O.RDONLY, O.CREAT), 384))
    os.remove(tmp .. ".new")
  end)

  it("with wpath, truncates through io.open(name, 'w+')", function()
    local r = helpers.child(function()
      seccomp.pledge("stdio rpath wpath cpath")
      local f = assert(io.open(tmp, "w+"))
      f:write("short")
      f:close()
    end)
    assert_exit(0, r)
    assert.equal("short", read_file(tmp))
  end)
end)

describe("dns", function()
  it("refuses a NETLINK_ROUTE socket with EACCES", function()
    local NETLINK = seccomp.NETLINK
    assert_exit(E.EACCES, raw("stdio rpath exec dns", "socket", AF.NETLINK,
                              compat.bor(SOCK.RAW, SOCK.CLOEXEC), NETLINK.ROUTE))
  end)

  it("still resolves names (getent, exec'd under stdio dns)", function()
    local r = program("stdio dns exec prot_exec", { "/usr/bin/getent", "ahosts", "localhost" })
    assert_exit(0, r)
    assert.matches("localhost", r.output)
  end)

  it("opens no raw IP socket", function()
    assert_sigsys(raw("stdio rpath exec dns", "socket", AF.INET, SOCK.RAW, 0))
    assert_exit(0, raw("stdio rpath exec dns", "socket", AF.INET, compat.bor(SOCK.DGRAM, SOCK.CLOEXEC), 0))
  end)
end)

describe("inet", function()
  local base = "stdio rpath exec inet"

  it("refuses SOCK_RAW and SOCK_PACKET", function()
    assert_sigsys(raw(base, "socket", AF.INET, SOCK.RAW, 0))
    assert_sigsys(raw(base, "socket", AF.INET6, compat.bor(SOCK.RAW, SOCK.CLOEXEC), 0))
    assert_sigsys(raw(base, "socket", AF.INET, SOCK.PACKET, 0))
  end)

  it("opens stream and datagram sockets with or without CLOEXEC and NONBLOCK", function()
    assert_exit(0, raw(base, "socket", AF.INET, compat.bor(compat.bor(SOCK.STREAM, SOCK.CLOEXEC), SOCK.NONBLOCK), 0))
    assert_exit(0, raw(base, "socket", AF.INET6, compat.bor(SOCK.DGRAM, SOCK.NONBLOCK), 0))
    assert_exit(0, raw(base, "socket", AF.INET6, SOCK.STREAM, 0))
  end)
end)

describe("stdio", function()
  it("lets /bin/cat run under stdio rpath exec prot_exec", function()
    local r = program("stdio rpath exec prot_exec", { "/bin/cat", tmp })
    assert_exit(0, r)
    assert.equal(TEXT, r.output)
  end)

  it("grants the file access hints", function()
    local fadvise
    for _, name in ipairs { "fadvise64", "fadvise64_64", "arm_fadvise64_64" } do
      local ok, nr = pcall(seccomp.syscall, name)
      if ok and nr >= 0 then fadvise = name; break end
    end
    assert.truthy(fadvise)
    -- A bad descriptor: the call is made (EBADF), not refused.
    assert_exit(E.EBADF, raw("stdio rpath exec", fadvise, -1, 0, 0, 0))
    assert_exit(E.EBADF, raw("stdio rpath exec", "readahead", -1, 0, 0))
  end)
end)

describe("seccomp.compile fails closed", function()
  it("raises on a rule whose comparator is nil", function()
    -- A misspelt or missing comparator is nil.
    local read_only = ({ readonly = seccomp.arg32(2):eq(O.RDONLY) }).read_only
    assert.error_matches(function() seccomp.compile { allow = { { "openat", read_only } } } end,
                         "seccomp: compile%(openat%): .*EINVAL.*needs a comparator")
    assert.error_matches(function()
      seccomp.compile { allow = { { "openat", read_only, seccomp.arg32(1):eq(0) } } }
    end, "seccomp: compile%(openat%): .*hole")
    assert.error_matches(function() seccomp.compile { allow = { {} } } end,
                         "seccomp: compile.*EINVAL")
  end)

  it("raises on a rule field that is not a comparator", function()
    for _, bad in ipairs { 7, "x", true, {}, seccomp.arg(2) } do
      assert.error_matches(function() seccomp.compile { allow = { { "openat", bad } } } end,
                           "seccomp: compile%(openat%): .*not a comparator")
    end
    assert.error_matches(function()
      seccomp.compile { allow = { { "openat", seccomp.arg(1):eq(0), also = "x" } } }
    end, "seccomp: compile%(openat%): .*field also")
  end)

  it("raises on a list with holes or named fields", function()
    local typo = ({ kexec = "kexec_load" }).kexec_lod
    assert.error_matches(function() seccomp.compile { kill = { "ptrace", typo, "mount" } } end,
                         "seccomp: compile%(kill%): .*hole")
    assert.error_matches(function() seccomp.compile { allow = { "read", n = 3 } } end,
                         "seccomp: compile%(allow%): .*field n")
  end)

  it("raises on arches and attributes that are not tables", function()
    assert.error_matches(function() seccomp.compile { allow = { "read" }, arches = "x86" } end,
                         "seccomp: compile%(arches%): .*EINVAL")
    assert.error_matches(function() seccomp.compile { allow = { "read" }, attributes = "tsync" } end,
                         "seccomp: compile%(attributes%): .*EINVAL")
    assert.error_matches(function() seccomp.compile { errno = "EPERM" } end,
                         "seccomp: compile%(errno%): .*EINVAL")
    assert.error_matches(function() seccomp.compile { trace = 1 } end,
                         "seccomp: compile%(trace%): .*EINVAL")
  end)

  it("raises on a misspelt name in every list that refuses calls", function()
    local policies = {
      { default = "allow", kill = { "ptrce" } },
      { default = "allow", kill_process = { "ptrce" } },
      { default = "allow", kill_thread = { "ptrce" } },
      { default = "allow", trap = { "ptrce" } },
      { default = "allow", notify = { "ptrce" } },
      { default = "allow", errno = { EPERM = { "ptrce" } } },
      { default = "allow", trace = { [1] = { "ptrce" } } },
      { default = "allow", kill = { { "ptrce", seccomp.arg(0):eq(0) } } },
    }
    for _, policy in ipairs(policies) do
      assert.error_matches(function() seccomp.compile(policy) end,
                           "seccomp: compile%(ptrce%): .*EINVAL.*unknown syscall")
    end
  end)

  it("still skips misspelt names in allow and log; other architectures' names are absent", function()
    local f, skipped = seccomp.compile { allow = { "reed", "read" }, log = { "getpidd" } }
    assert.same({ "reed", "getpidd" }, skipped)
    f:close()
    local foreign
    for _, name in ipairs { "mmap2", "_llseek", "socketcall", "arch_prctl", "fstat64", "mmap" } do
      local ok, nr = pcall(seccomp.syscall, name)
      if ok and nr < 0 then foreign = name; break end
    end
    assert.truthy(foreign)
    local policy = { default = "allow", kill = { foreign, "getppid" } }
    local absent
    f, skipped, absent = seccomp.compile(policy)
    assert.same({}, skipped)
    assert.same({ foreign }, absent)
    f:close()
    local r = helpers.sysraw(function() seccomp.compile(policy):load() end,
                             "raw", seccomp.syscall("getppid"))
    assert_sigsys(r)
  end)
end)

describe("pledge narrowing", function()
  it("a pledge built with load = false does not change what is held", function()
    local r = helpers.child(function(send)
      seccomp.pledge("stdio rpath")
      seccomp.pledge("stdio", { load = false })
      seccomp.pledge("stdio rpath")
      send(read_file(tmp))
    end)
    assert_exit(0, r)
    assert.equal(TEXT, r.output)
  end)

  it("a later pledge with the eperm penalty narrows what is held", function()
    local r = helpers.child(function(send)
      seccomp.pledge("stdio rpath")
      seccomp.pledge("stdio", { penalty = "eperm" })
      local f, _, code = io.open(tmp)
      local ok, err = pcall(seccomp.pledge, "stdio rpath", { penalty = "eperm" })
      send(tostring(err))
      return (f == nil and not ok) and code or 0
    end)
    assert_exit(E.EPERM, r)
    assert.matches("seccomp: pledge%(rpath%): .*EPERM", r.output)
  end)

  it("a later eperm penalty does not soften an earlier kill", function()
    local r = helpers.child(function()
      seccomp.pledge("stdio")
      seccomp.pledge("stdio", { penalty = "eperm" })
      io.open(tmp)
    end)
    assert_sigsys(r)
  end)
end)

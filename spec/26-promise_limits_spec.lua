-- Promises grant what they say and nothing more, proven in child
-- processes: no new namespaces through clone, no executable memory
-- through READ_IMPLIES_EXEC, only TCP and UDP for inet, and stdio copies
-- between open descriptors (cat into a file).
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local policy = require "seccomp.policy"
local helpers = require "helpers"

local E, AF, SOCK, CLONE, SIG = seccomp.E, seccomp.AF, seccomp.SOCK, seccomp.CLONE, seccomp.SIG
local IPPROTO, PER = seccomp.IPPROTO, seccomp.PER
local assert_exit, assert_sigsys = helpers.assert_exit, helpers.assert_sigsys

local ALL = table.concat(policy.promises(), " ")
local EPERM = { penalty = "eperm" }

-- One raw call in build/sysraw under a pledge.
local function raw(promises, options, name, ...)
  return helpers.sysraw(function() seccomp.pledge(promises, options) end,
                        "raw", seccomp.syscall(name), ...)
end

local function find_lua()
  for dir in (os.getenv("PATH") or "/usr/bin"):gmatch("[^:]+") do
    local f = io.open(dir .. "/" .. helpers.LUA)
    if f then f:close(); return dir .. "/" .. helpers.LUA end
  end
  error(helpers.LUA .. " not found in PATH")
end

describe("clone under every promise", function()
  local new_flags = {}
  for name in pairs(CLONE) do
    if type(name) == "string" and name:match("^NEW") then new_flags[#new_flags + 1] = name end
  end
  table.sort(new_flags)

  it("knows the namespace flags", function()
    for _, name in ipairs { "NEWNS", "NEWUTS", "NEWIPC", "NEWUSER", "NEWPID", "NEWNET", "NEWCGROUP" } do
      assert.is_number(CLONE[name], name)
    end
  end)

  it("creates a process with proc, but never one in a new namespace", function()
    -- clone(SIGCHLD) is fork: the parent sysraw exits 0 with the pid.
    assert_exit(0, raw(ALL, EPERM, "clone", SIG.SIGCHLD, 0, 0, 0, 0))
    for _, name in ipairs(new_flags) do
      local r = raw(ALL, EPERM, "clone", compat.bor(CLONE[name], SIG.SIGCHLD), 0, 0, 0, 0)
      assert(helpers.exited(r, E.EPERM), "CLONE_" .. name .. ": " .. helpers.describe(r))
    end
    assert_sigsys(raw(ALL, nil, "clone", compat.bor(CLONE.NEWUSER, SIG.SIGCHLD), 0, 0, 0, 0))
    assert_sigsys(raw("stdio proc exec", nil, "clone", compat.bor(CLONE.NEWNET, SIG.SIGCHLD), 0, 0, 0, 0))
  end)

  it("refuses unshare under every promise", function()
    assert_exit(E.EPERM, raw(ALL, EPERM, "unshare", CLONE.NEWUSER))
  end)

  it("creates threads with stdio, never with a namespace flag", function()
    local r = helpers.sysraw(function() seccomp.pledge("stdio rpath exec") end, "thread")
    assert_exit(0, r)
    local thread = compat.bor(compat.bor(compat.bor(compat.bor(CLONE.VM, CLONE.FS), CLONE.FILES), CLONE.SIGHAND),
                              CLONE.THREAD)
    -- Allowed, the kernel would refuse CLONE_NEWNS with CLONE_FS (EINVAL)
    -- and CLONE_NEWUSER with CLONE_THREAD (EINVAL): EPERM is the filter.
    assert_exit(E.EINVAL, helpers.sysraw(function() end, "raw", seccomp.syscall("clone"),
                                         compat.bor(thread, CLONE.NEWNS), 0, 0, 0, 0))
    for _, name in ipairs(new_flags) do
      r = raw("stdio rpath exec", EPERM, "clone", compat.bor(thread, CLONE[name]), 0, 0, 0, 0)
      assert(helpers.exited(r, E.EPERM), "CLONE_" .. name .. ": " .. helpers.describe(r))
    end
  end)
end)

describe("READ_IMPLIES_EXEC", function()
  it("makes a pledge without prot_exec raise, and says why", function()
    local r = helpers.child(function(send)
      core.personality(PER.READ_IMPLIES_EXEC)
      local ok, err = pcall(seccomp.pledge, "stdio rpath")
      send(tostring(err))
      local built = pcall(seccomp.pledge, "stdio", { load = false })
      return (ok or built) and 1 or 0
    end)
    assert_exit(0, r)
    assert.matches(": seccomp: pledge%(stdio rpath%): Operation not permitted %(EPERM%): "
                   .. "the READ_IMPLIES_EXEC persona flag is set", r.output)
    assert.matches("prot_exec", r.output)
  end)

  it("allows a pledge with prot_exec, which a later pledge cannot drop", function()
    local r = helpers.child(function(send)
      core.personality(PER.READ_IMPLIES_EXEC)
      seccomp.pledge("stdio prot_exec")
      local ok, err = pcall(seccomp.pledge, "stdio")
      send(tostring(err))
      return ok and 1 or 0
    end)
    assert_exit(0, r)
    assert.matches("READ_IMPLIES_EXEC", r.output)
  end)

  it("pledges once the flag is cleared, and then refuses executable memory", function()
    local PROT, MAP = seccomp.PROT, seccomp.MAP
    local function mmap(prot)
      return helpers.sysraw(function()
        core.personality(PER.READ_IMPLIES_EXEC)
        core.personality(0)
        seccomp.pledge("stdio rpath exec")
      end, "raw", seccomp.syscall("mmap"), 0, 4096, prot, compat.bor(MAP.PRIVATE, MAP.ANONYMOUS), -1, 0)
    end
    assert_exit(0, mmap(PROT.READ))
    assert_sigsys(mmap(compat.bor(PROT.READ, PROT.EXEC)))
  end)
end)

describe("inet sockets", function()
  local base = "stdio rpath exec inet"

  it("are TCP or UDP, with the protocol 0 or named", function()
    assert_exit(0, raw(base, nil, "socket", AF.INET, SOCK.STREAM, 0))
    assert_exit(0, raw(base, nil, "socket", AF.INET, SOCK.STREAM, IPPROTO.TCP))
    assert_exit(0, raw(base, nil, "socket", AF.INET6, compat.bor(SOCK.STREAM, SOCK.CLOEXEC), IPPROTO.TCP))
    assert_exit(0, raw(base, nil, "socket", AF.INET, SOCK.DGRAM, IPPROTO.UDP))
    assert_exit(0, raw(base, nil, "socket", AF.INET6, compat.bor(SOCK.DGRAM, SOCK.NONBLOCK), 0))
  end)

  it("refuse every other protocol, and TCP and UDP on the wrong type", function()
    local refused = {
      { AF.INET, SOCK.DGRAM, IPPROTO.ICMP }, { AF.INET6, SOCK.DGRAM, IPPROTO.ICMPV6 },
      { AF.INET, SOCK.STREAM, IPPROTO.SCTP }, { AF.INET, SOCK.STREAM, IPPROTO.MPTCP },
      { AF.INET, SOCK.DGRAM, IPPROTO.UDPLITE }, { AF.INET, SOCK.STREAM, IPPROTO.UDP },
      { AF.INET6, SOCK.DGRAM, IPPROTO.TCP },
    }
    for _, args in ipairs(refused) do
      local r = raw(base, nil, "socket", args[1], args[2], args[3])
      assert(helpers.signaled(r, helpers.SIGSYS),
             table.concat(args, " ") .. ": " .. helpers.describe(r))
    end
    -- dns opens the same sockets, no others.
    assert_sigsys(raw("stdio rpath exec dns", nil, "socket", AF.INET, SOCK.DGRAM, IPPROTO.ICMP))
    assert_exit(0, raw("stdio rpath exec dns", nil, "socket", AF.INET, SOCK.DGRAM, IPPROTO.UDP))
  end)
end)

describe("stdio moves data between open descriptors", function()
  local src, dst
  before_each(function()
    src, dst = helpers.tmpname(), helpers.tmpname()
    helpers.write_file(src, ("line of text\n"):rep(1000))
  end)
  after_each(function()
    os.remove(src)
    os.remove(dst)
  end)

  it("runs /bin/cat file > otherfile under stdio rpath exec prot_exec", function()
    local lua = find_lua()
    local script = ([[
      local seccomp = require "seccomp"
      seccomp.pledge("stdio rpath exec prot_exec")
      require("seccomp.core").execv("/bin/cat", { "/bin/cat", %q })
    ]]):format(src)
    local r = helpers.child(function()
      core.execv("/bin/sh", { "/bin/sh", "-c", 'out=$1; shift; exec "$@" > "$out"', "sh", dst,
        lua, "-e", helpers.JIT_OFF .. ("package.path=%q; package.cpath=%q"):format(package.path, package.cpath),
        "-e", script })
    end)
    assert_exit(0, r)
    assert.equal(helpers.read_file(src), helpers.read_file(dst))
  end)

  it("grants sendfile, splice, tee and copy_file_range; not vmsplice", function()
    -- Bad descriptors: the call is made (EBADF), not refused.
    local base = "stdio rpath exec"
    assert_exit(E.EBADF, raw(base, nil, "copy_file_range", -1, 0, -1, 0, 1, 0))
    assert_exit(E.EBADF, raw(base, nil, "sendfile", -1, -1, 0, 1))
    assert_exit(E.EBADF, raw(base, nil, "splice", -1, 0, -1, 0, 1, 0))
    assert_exit(E.EBADF, raw(base, nil, "tee", -1, -1, 1, 0))
    assert_sigsys(raw(base, nil, "vmsplice", -1, 0, 0, 0))
  end)
end)

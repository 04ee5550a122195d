-- Named constants: generated from the C headers when the module is built,
-- checked here against build/sysraw, which reads the same headers in a
-- separate program, and used in comparators inside child processes.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

-- Values of C constants as build/sysraw prints them.
local function header_values(names)
  local cmd = helpers.SYSRAW .. " const " .. table.concat(names, " ")
  local p = assert(io.popen(cmd))
  local values = {}
  for line in p:lines() do values[#values + 1] = compat.tointeger(tonumber(line)) end
  assert(p:close())
  return values
end

describe("named constants", function()
  it("has every table, with integer values", function()
    for _, t in ipairs { "O", "AT", "PROT", "MAP", "AF", "SOCK", "NETLINK",
                         "CLONE", "F", "IOCTL", "S", "PR", "SIG", "E", "IPPROTO", "PER" } do
      assert.is_table(seccomp[t], t)
      local n = 0
      for name, value in pairs(seccomp[t]) do
        if type(name) == "string" then
          assert.is_true(compat.is_integer(value), t .. "." .. name)
          n = n + 1
        end
      end
      assert.truthy(n > 0, t)
    end
  end)

  it("matches the C headers", function()
    local pairs_ = {
      { "O_WRONLY", seccomp.O.WRONLY }, { "O_RDWR", seccomp.O.RDWR },
      { "O_CREAT", seccomp.O.CREAT }, { "O_TRUNC", seccomp.O.TRUNC },
      { "O_APPEND", seccomp.O.APPEND }, { "O_CLOEXEC", seccomp.O.CLOEXEC },
      { "O_EXCL", seccomp.O.EXCL }, { "AT_FDCWD", seccomp.AT.FDCWD },
      { "AF_UNIX", seccomp.AF.UNIX }, { "AF_INET", seccomp.AF.INET },
      { "AF_INET6", seccomp.AF.INET6 }, { "AF_NETLINK", seccomp.AF.NETLINK },
      { "SOCK_STREAM", seccomp.SOCK.STREAM }, { "SOCK_CLOEXEC", seccomp.SOCK.CLOEXEC },
      { "F_GETFD", seccomp.F.GETFD }, { "F_SETFD", seccomp.F.SETFD },
      { "F_GETFL", seccomp.F.GETFL }, { "F_DUPFD", seccomp.F.DUPFD },
      { "SIGSYS", seccomp.SIG.SIGSYS }, { "SIGKILL", seccomp.SIG.SIGKILL },
      { "SIGUSR1", seccomp.SIG.SIGUSR1 },
      { "PR_GET_NO_NEW_PRIVS", seccomp.PR.GET_NO_NEW_PRIVS },
      { "PR_GET_SECCOMP", seccomp.PR.GET_SECCOMP },
    }
    local names = {}
    for i, p in ipairs(pairs_) do names[i] = p[1] end
    local values = header_values(names)
    for i, p in ipairs(pairs_) do
      assert.equal(values[i], p[2], p[1])
    end
  end)

  it("maps errno names and numbers both ways, agreeing with the core", function()
    local E = seccomp.E
    for _, name in ipairs { "EPERM", "ENOENT", "EACCES", "EINVAL", "ENOSYS", "EAGAIN" } do
      assert.equal(seccomp.errno_value(name), E[name], name)
      assert.equal(name, E[E[name]])
    end
    -- Aliases resolve, but a number names the documented errno.
    assert.equal(E.EAGAIN, E.EWOULDBLOCK)
    assert.equal("EAGAIN", E[E.EWOULDBLOCK])
    assert.equal(E.EDEADLK, E.EDEADLOCK)
    assert.equal("EDEADLK", E[E.EDEADLK])
  end)

  it("has the IP protocols and persona flags of the C headers", function()
    local names, expected = {}, {}
    for _, n in ipairs { "TCP", "UDP", "ICMP", "ICMPV6", "SCTP", "UDPLITE", "MPTCP", "RAW", "IP" } do
      names[#names + 1] = "IPPROTO_" .. n
      expected[#expected + 1] = seccomp.IPPROTO[n]
    end
    for _, n in ipairs { "READ_IMPLIES_EXEC", "ADDR_NO_RANDOMIZE", "MMAP_PAGE_ZERO" } do
      names[#names + 1] = n
      expected[#expected + 1] = seccomp.PER[n]
    end
    local clone = { "NEWNS", "NEWUTS", "NEWIPC", "NEWUSER", "NEWPID", "NEWNET", "NEWCGROUP",
                    "THREAD" }
    for _, n in ipairs(clone) do
      names[#names + 1] = "CLONE_" .. n
      expected[#expected + 1] = seccomp.CLONE[n]
    end
    local values = helpers.c_values({ "netinet/in.h", "sys/personality.h", "sched.h" }, names)
    for i, n in ipairs(names) do assert.equal(values[i], expected[i], n) end
  end)

  it("reads and sets the persona flags as the kernel reports them", function()
    local core = require "seccomp.core"
    local r = helpers.child(function(send)
      local before = core.personality()
      local previous = core.personality(seccomp.PER.READ_IMPLIES_EXEC)
      local f = assert(io.open("/proc/self/personality"))
      local text = f:read("*l")
      f:close()
      send(("%d %d %d %s"):format(before, previous, core.personality(), text))
    end)
    helpers.assert_exit(0, r)
    local before, previous, now, text = r.output:match("^(%d+) (%d+) (%d+) (%x+)$")
    assert.equal(before, previous)
    assert.equal(tonumber(text, 16), tonumber(now))
    assert.equal(seccomp.PER.READ_IMPLIES_EXEC, compat.band(tonumber(now), seccomp.PER.READ_IMPLIES_EXEC))
    assert.has_error(function() core.personality(-1) end)
  end)

  it("maps signal numbers back to names", function()
    local SIG = seccomp.SIG
    assert.equal("SIGSYS", SIG[SIG.SIGSYS])
    assert.equal("SIGABRT", SIG[SIG.SIGABRT])
  end)

  it("has the terminal and file ioctl requests people filter", function()
    for _, name in ipairs { "TIOCSTI", "TIOCGWINSZ", "TIOCSWINSZ", "FIONREAD", "FIONBIO",
                            "FIOCLEX", "FIONCLEX", "TCGETS", "TCSETS", "TCSETSW",
                            "TCSETSF", "TIOCGPGRP", "TIOCSPGRP" } do
      assert.is_true(compat.is_integer(seccomp.IOCTL[name]), name)
    end
  end)
end)

describe("constants in comparators", function()
  local tmp
  before_each(function()
    tmp = helpers.tmpname()
    local f = assert(io.open(tmp, "w"))
    f:write("data")
    f:close()
  end)
  after_each(function() os.remove(tmp) end)

  it("masked_eq on the access mode refuses only write opens", function()
    local O = seccomp.O
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EACCES"), "openat",
            seccomp.arg32(2):masked_eq(O.ACCMODE, O.WRONLY))
      f:load()
      send(assert(io.open(tmp)):read("*a"))
      local w, _, code = io.open(tmp, "w")
      return w == nil and code or 0
    end)
    assert(helpers.exited(r, seccomp.E.EACCES), helpers.describe(r))
    assert.equal("data", r.output)
  end)

  it("flags_in matches when every set bit is allowed", function()
    local O = seccomp.O
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      -- Opens whose flags are all within O_RDONLY|O_CLOEXEC fail.
      f:add(seccomp.errno("EACCES"), "openat", seccomp.arg32(2):flags_in(compat.bor(O.RDONLY, O.CLOEXEC)))
      f:load()
      local w = assert(io.open(tmp, "a"))
      w:write("+")
      w:close()
      send("appended")
      local g, _, code = io.open(tmp)
      return g == nil and code or 0
    end)
    assert(helpers.exited(r, seccomp.E.EACCES), helpers.describe(r))
    assert.equal("appended", r.output)
  end)
end)

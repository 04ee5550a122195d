-- The safe defaults of a new filter, that each one can be changed, and
-- that the ones the kernel sees are really in force in a child.
local seccomp = require "seccomp"
local helpers = require "helpers"

local SIGSYS = helpers.SIGSYS
local GETPID = seccomp.syscall("getpid")

-- Every syscall number the native architecture has a name for.
local NUMBERS = {}
for nr = 0, 1023 do
  local ok, name = pcall(seccomp.syscall_name, nr)
  if ok and name ~= nil then NUMBERS[#NUMBERS + 1] = nr end
end

-- A filter allowing the first `n` of them.
local function filter_with(n)
  local f = seccomp.filter("kill")
  for i = 1, n do f:allow(NUMBERS[i]) end
  return f
end

-- The NoNewPrivs line of /proc/self/status, read in the child.
local function no_new_privs()
  local file = assert(io.open("/proc/self/status"))
  local status = file:read("*a")
  file:close()
  return status:match("NoNewPrivs:%s*(%d)")
end

local function is_root()
  local file = assert(io.open("/proc/self/status"))
  local status = file:read("*a")
  file:close()
  return status:match("\nUid:%s*(%d+)") == "0"
end

describe("seccomp.filter(\"kill\")", function()
  local f

  before_each(function() f = seccomp.filter("kill") end)
  after_each(function() f:close() end)

  it("kills the whole process by default", function()
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("default_action"))
    assert.are_not.equal(seccomp.SCMP_ACT_KILL_THREAD, f:get("default_action"))
  end)

  it("kills the whole process on a foreign architecture", function()
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("badarch_action"))
  end)

  it("synchronizes threads, sets no_new_privs and gives raw return codes", function()
    assert.is_true(f:get("tsync"))
    assert.is_true(f:get("no_new_privs"))
    assert.is_true(f:get("rawrc"))
  end)

  it("leaves TSKIP, logging and SSB mitigation off", function()
    assert.is_false(f:get("tskip"))
    assert.is_false(f:get("log"))
    assert.is_false(f:get("ssb"))
  end)

  it("takes its default action from the first argument", function()
    local g = seccomp.filter("allow")
    assert.are.equal(seccomp.SCMP_ACT_ALLOW, g:get("default_action"))
    g:close()
    g = seccomp.filter(seccomp.errno("EACCES"))
    assert.are.equal(seccomp.errno("EACCES"), g:get("default_action"))
    g:close()
    g = seccomp.filter("kill_thread")
    assert.are.equal(seccomp.SCMP_ACT_KILL_THREAD, g:get("default_action"))
    g:close()
  end)
end)

describe("the optimizer level", function()
  it("is 1 for a few rules", function()
    local f = filter_with(3)
    assert.are.equal(1, f:get("optimize"))
    f:close()
  end)

  it("switches to 2 (binary tree) at some rule count and stays there", function()
    local f = seccomp.filter("kill")
    local levels = {}
    for i, nr in ipairs(NUMBERS) do
      f:allow(nr)
      levels[i] = f:get("optimize")
    end
    f:close()
    local switch
    for i = 1, #levels do
      if levels[i] == 2 then switch = i break end
      assert.are.equal(1, levels[i], ("level with %d rules"):format(i))
    end
    assert.is_not_nil(switch, "the optimizer never switched on")
    assert.is_true(switch > 1, "one rule should not need a binary tree")
    for i = switch, #levels do
      assert.are.equal(2, levels[i], ("level with %d rules"):format(i))
    end
  end)

  it("stays as set: 1 for many rules, 2 for a few", function()
    local many = filter_with(#NUMBERS)
    assert.are.equal(2, many:get("optimize"))
    many:set("optimize", 1)
    assert.are.equal(1, many:get("optimize"))
    many:allow("getpid")
    assert.are.equal(1, many:get("optimize"))
    many:close()
    local few = filter_with(2)
    few:set("optimize", 2)
    assert.are.equal(2, few:get("optimize"))
    few:close()
  end)

  it("with many rules still enforces them in a child", function()
    -- a rule for every syscall, matching only a distinctive first argument
    local function many_rules()
      local f = seccomp.filter("allow")
      for _, nr in ipairs(NUMBERS) do
        f:add(seccomp.errno(nr == GETPID and 78 or 77), nr, seccomp.arg(0):eq(-12345))
      end
      assert(f:get("optimize") == 2, "not optimized")
      f:load()
    end
    assert.are.equal("exit 78", helpers.describe(helpers.sysraw(many_rules, "raw", GETPID, -12345)))
    assert.are.equal("exit 0", helpers.describe(helpers.sysraw(many_rules, "raw", GETPID, 0)))
    local last = NUMBERS[#NUMBERS]
    assert.are.equal("exit 77", helpers.describe(helpers.sysraw(many_rules, "raw", last, -12345)))
    assert.are.equal("exit 77", helpers.describe(helpers.sysraw(many_rules, "raw", NUMBERS[1], -12345)))
  end)
end)

describe("each default", function()
  local f

  before_each(function() f = seccomp.filter("kill") end)
  after_each(function() f:close() end)

  it("can be changed with f:set and reads back", function()
    for _, case in ipairs {
      { "badarch_action", seccomp.SCMP_ACT_KILL_THREAD },
      { "badarch_action", seccomp.errno("EPERM") },
      { "badarch_action", seccomp.SCMP_ACT_TRAP },
      { "tsync", false },
      { "no_new_privs", false },
      { "rawrc", false },
      { "tskip", true },
      { "log", true },
      { "ssb", true },
      { "optimize", 2 },
    } do
      local name, value = case[1], case[2]
      f:set(name, value)
      assert.are.equal(value, f:get(name), name)
    end
  end)

  it("can be changed back", function()
    f:set("tsync", false)
    f:set("tsync", true)
    assert.is_true(f:get("tsync"))
    f:set("badarch_action", "trap")
    f:set("badarch_action", "kill")
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("badarch_action"))
  end)

  it("badarch_action cannot let a foreign architecture's calls through", function()
    assert.has_error(function() f:set("badarch_action", "allow") end)
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("badarch_action"))
    -- trace lets calls through under a tracer that resumes them, and when
    -- no tracer asks for seccomp stops
    for _, action in ipairs { "log", "notify", seccomp.trace(0), seccomp.trace(7) } do
      assert.has_error(function() f:set("badarch_action", action) end,
        "seccomp: set(badarch_action): Invalid argument (EINVAL): calls through another "
        .. "architecture's ABI would bypass every rule; use a kill, trap or errno action")
      assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("badarch_action"))
    end
    assert.has_error(function() seccomp.filter("kill", { badarch_action = seccomp.trace(1) }) end)
  end)

  it("can be given as options to seccomp.filter", function()
    local g = seccomp.filter("kill", { tsync = false, no_new_privs = false, optimize = 2 })
    assert.is_false(g:get("tsync"))
    assert.is_false(g:get("no_new_privs"))
    assert.are.equal(2, g:get("optimize"))
    g:close()
  end)

  it("default_action is read-only, changed only by reset", function()
    assert.has_error(function() f:set("default_action", "allow") end)
    assert.are.equal(seccomp.SCMP_ACT_KILL_PROCESS, f:get("default_action"))
    f:reset("allow")
    assert.are.equal(seccomp.SCMP_ACT_ALLOW, f:get("default_action"))
  end)
end)

describe("in a child, after load", function()
  -- The flag is inherited and can never be cleared: a runner that already
  -- has it passes it to every child, and then the load needs no privilege.
  local inherited = no_new_privs()

  it("no_new_privs is set", function()
    local r = helpers.child(function(send)
      local before = no_new_privs()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "getpid")
      f:load()
      send(before .. " " .. no_new_privs())
    end)
    assert.are.equal("exit 0 output: " .. inherited .. " 1", helpers.describe(r))
  end)

  it("no_new_privs is left as inherited when turned off (root may load so)", function()
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow", { no_new_privs = false })
      f:add(seccomp.errno("EPERM"), "getpid")
      local ok, err = pcall(f.load, f)
      send(ok and no_new_privs() or err)
    end)
    if inherited == "1" or is_root() then
      assert.are.equal("exit 0 output: " .. inherited, helpers.describe(r))
    else
      -- without the flag or CAP_SYS_ADMIN the kernel refuses the load, and
      -- it raises
      assert.matches("^exit 0 output: seccomp: load: .*EACCES", helpers.describe(r))
    end
  end)

  it("a call from a foreign architecture is killed by default", function()
    local r = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "getpid")
      f:load()
    end, "int80", seccomp.syscall("getpid", "x86"))
    assert.are.equal(("signal %d"):format(SIGSYS), helpers.describe(r))
  end)

  it("a foreign architecture gets the badarch action that was set", function()
    local r = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "getpid")
      f:set("badarch_action", seccomp.errno(77))
      f:load()
    end, "int80", seccomp.syscall("getpid", "x86"))
    assert.are.equal("exit 77", helpers.describe(r))
  end)

  it("kill means the process: an unallowed call in a thread ends every thread", function()
    local r = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add("kill", "getpid")
      f:load()
    end, "thread-call", GETPID)
    assert.are.equal(("signal %d"):format(SIGSYS), helpers.describe(r))
  end)
end)

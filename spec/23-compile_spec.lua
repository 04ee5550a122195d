-- seccomp.compile: declarative policy tables into filters, loaded only in
-- child processes.
local seccomp = require "seccomp"
local helpers = require "helpers"

local E = seccomp.E

local function set_of(list)
  local s = {}
  for _, x in ipairs(list) do s[x] = true end
  return s
end

local tmp
before_each(function()
  tmp = helpers.tmpname()
  local f = assert(io.open(tmp, "w"))
  f:write("policy")
  f:close()
end)
after_each(function() os.remove(tmp) end)

describe("seccomp.compile", function()
  it("builds the filter the table describes", function()
    local f, skipped = seccomp.compile {
      default = "kill",
      allow = { "@basic-io", "openat", { "write", seccomp.arg(0):eq(1) } },
      errno = { EPERM = { "socket" } },
      log = { "getppid" },
      trap = { "getpid" },
      attributes = { tsync = false },
    }
    for _, name in ipairs(skipped) do
      local ok, nr = pcall(seccomp.syscall, name)
      assert.is_false(ok and nr >= 0, name)
    end
    assert.is_false(f:get("tsync"))
    local pfc = f:pfc()
    for _, name in ipairs { "read", "write", "close", "lseek", "openat", "socket", "getppid", "getpid" } do
      assert.truthy(pfc:find("$syscall == " .. seccomp.syscall(name) .. ")", 1, true), name)
    end
    f:close()
  end)

  it("enforces allow, errno and kill sections in a child", function()
    local O = seccomp.O
    local policy = {
      default = "allow",
      errno = { EACCES = { { "openat", seccomp.arg32(2):masked_eq(O.ACCMODE, O.WRONLY) } } },
      kill = { "mkdir", "mkdirat" },
    }
    local r = helpers.child(function(send)
      local f = seccomp.compile(policy)
      f:load()
      send(assert(io.open(tmp)):read("*a"))
      local w, _, code = io.open(tmp, "w")
      return w == nil and code or 0
    end)
    assert(helpers.exited(r, E.EACCES), helpers.describe(r))
    assert.equal("policy", r.output)
    r = helpers.sysraw(function() seccomp.compile(policy):load() end,
                       "raw", seccomp.syscall("mkdir"), "@" .. tmp .. ".dir", 448)
    assert(helpers.signaled(r, helpers.SIGSYS), helpers.describe(r))
  end)

  it("enforces a default-deny policy built from @lua", function()
    local policy = { default = "kill", allow = { "@lua" }, errno = { EPERM = { "openat", "open" } } }
    local r = helpers.child(function()
      seccomp.compile(policy):load()
      local function churn()
        local t = {}
        for i = 1, 100 do t[i] = string.rep("q", 1024 * 1024) end
        return #t
      end
      assert(churn() == 100)
      collectgarbage("collect")
      local f, _, code = io.open(tmp)
      return f == nil and code or 0
    end)
    assert(helpers.exited(r, E.EPERM), helpers.describe(r))
  end)

  it("traps with SIGSYS through the trap section", function()
    local r = helpers.sysraw(function()
      seccomp.compile { default = "allow", trap = { "getppid" } }:load()
    end, "raw", seccomp.syscall("getppid"))
    assert(helpers.signaled(r, helpers.SIGSYS), helpers.describe(r))
  end)

  it("skips and reports names this system does not know", function()
    local f, skipped = seccomp.compile {
      allow = { "read", "no_such_call", "@basic-io", "mmap2" },
    }
    local native = set_of(skipped)
    assert.truthy(native.no_such_call)
    for name in pairs(native) do
      local ok, nr = pcall(seccomp.syscall, name)
      assert.is_false(ok and nr >= 0, name)
    end
    assert.truthy(f:rule_count() > 0)
    f:close()
  end)

  it("raises on unknown keys and malformed sections", function()
    assert.error_matches(function() seccomp.compile { alow = { "read" } } end,
                         "seccomp: compile%(alow%): .*EINVAL.*unknown key")
    assert.error_matches(function() seccomp.compile { allow = "read" } end,
                         "must be a list")
    assert.error_matches(function() seccomp.compile { allow = { true } } end,
                         "seccomp: compile")
    assert.has_error(function() seccomp.compile { errno = { ENOTANERRNO = { "read" } } } end)
    assert.has_error(function() seccomp.compile { attributes = { no_such_attribute = 1 } } end)
  end)

  it("raises on a section that is false instead of absent", function()
    for _, key in ipairs { "kill", "allow", "errno", "trace", "arches", "attributes" } do
      assert.error_matches(function() seccomp.compile { default = "allow", [key] = false } end,
                           "seccomp: compile%(" .. key .. "%): Invalid argument %(EINVAL%): must be ")
    end
    assert.error_matches(function() seccomp.compile { default = false } end,
                         "seccomp: compile%(default%): .*must be an action")
  end)

  it("pledge raises on options that are not a table or have values of the wrong type", function()
    assert.error_matches(function() seccomp.pledge("stdio", false) end,
                         "seccomp: pledge%(false%): .*options must be a table")
    assert.error_matches(function() seccomp.pledge("stdio", { load = 0 }) end,
                         "seccomp: pledge%(load%): .*must be true or false, got number")
  end)
end)

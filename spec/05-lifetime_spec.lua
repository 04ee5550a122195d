-- A loaded filter belongs to the process, not to the Lua object: it stays
-- in force after the object is closed and collected, across exec and
-- across fork, and a later filter can only add restrictions.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
local helpers = require "helpers"

local E = seccomp.errno_value
local SIGSYS = helpers.SIGSYS
local PATH = "/dev/null"

-- The errno io.open reports for PATH, or "opened".
local function try_open()
  local file, _, code = io.open(PATH)
  if file then
    file:close()
    return "opened"
  end
  return tostring(code)
end

local function refuse_openat(action)
  local f = seccomp.filter("allow")
  f:add(action or seccomp.errno("EACCES"), "openat")
  return f
end

local function file_exists(path)
  local file = io.open(path)
  if file then file:close() end
  return file ~= nil
end

describe("a loaded filter", function()
  it("stays in force after the filter object is closed and collected", function()
    local r = helpers.child(function(send)
      local weak = setmetatable({}, { __mode = "v" })
      do
        local f = refuse_openat()
        f:load()
        f:close()
        weak[1] = f
      end
      collectgarbage("collect")
      collectgarbage("collect")
      send((weak[1] == nil and "collected " or "alive ") .. try_open())
    end)
    assert.are.equal("exit 0 output: collected " .. E("EACCES"), helpers.describe(r))
  end)

  it("stays in force after the filter object is collected without a close", function()
    local r = helpers.child(function(send)
      local weak = setmetatable({}, { __mode = "v" })
      do
        local f = refuse_openat()
        f:load()
        weak[1] = f
      end
      collectgarbage("collect")
      collectgarbage("collect")
      send((weak[1] == nil and "collected " or "alive ") .. try_open())
    end)
    assert.are.equal("exit 0 output: collected " .. E("EACCES"), helpers.describe(r))
  end)

  it("stays in force across exec of another program", function()
    local path = helpers.tmpname()
    local args = { "raw", seccomp.syscall("openat"), "AT_FDCWD", "@" .. path, "O_WRONLY|O_CREAT", "0600" }
    local r = helpers.sysraw(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno(77), "openat", seccomp.arg32(2):masked_eq(seccomp.O.CREAT, seccomp.O.CREAT))
      f:load()
    end, compat.unpack(args))
    assert.are.equal("exit 77", helpers.describe(r))
    assert.is_false(file_exists(path))
    -- the same program without the filter creates the file
    r = helpers.sysraw(function() end, compat.unpack(args))
    assert.are.equal("exit 0", helpers.describe(r))
    assert.is_true(file_exists(path))
    os.remove(path)
  end)

  it("stays in force across exec of a shell, which cannot create the file", function()
    local path = helpers.tmpname()
    -- stderr closed so the shell's complaint does not reach the test output
    local argv = { "/bin/sh", "-c", 'exec 2>&-; exec 3>"$1"', "sh", path }
    local r = helpers.child(function()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EACCES"), "openat", seccomp.arg32(2):masked_eq(seccomp.O.CREAT, seccomp.O.CREAT))
      f:add(seccomp.errno("EACCES"), "open", seccomp.arg32(1):masked_eq(seccomp.O.CREAT, seccomp.O.CREAT))
      f:add(seccomp.errno("EACCES"), "creat")
      f:load()
      core.execv(argv[1], argv)
    end)
    assert.are.equal("exit", r.how)
    assert.are_not.equal(0, r.code)
    assert.is_false(file_exists(path))
    -- the same shell without the filter creates it
    r = helpers.child(function() core.execv(argv[1], argv) end)
    assert.are.equal("exit 0", helpers.describe(r))
    assert.is_true(file_exists(path))
    os.remove(path)
  end)

  it("kills a program started by exec at its first forbidden call", function()
    local r = helpers.sysraw(function()
      refuse_openat("kill_process"):load()
    end, "raw", seccomp.syscall("openat"), "AT_FDCWD", "@/dev/null", "O_RDONLY")
    assert.are.equal(("signal %d"):format(SIGSYS), helpers.describe(r))
  end)

  it("is inherited across fork: a grandchild is filtered", function()
    local function grandchild(action, fn)
      return helpers.describe(helpers.child(function(send)
        refuse_openat(action):load()
        local pid = core.fork()
        if pid == 0 then
          core.exit(fn())
        end
        local how, code = core.wait(pid)
        send(how .. " " .. code)
      end))
    end
    local function open_errno()
      local file, _, code = io.open(PATH)
      return file and 0 or code
    end
    assert.are.equal("exit 0 output: exit " .. E("EACCES"), grandchild(nil, open_errno))
    assert.are.equal("exit 0 output: signal " .. SIGSYS, grandchild("kill_process", open_errno))
  end)
end)

describe("a second filter", function()
  it("adds its own restrictions to the first one's", function()
    local missing = helpers.tmpname()
    local r = helpers.child(function(send)
      refuse_openat():load()
      local f = seccomp.filter("allow")
      f:add(seccomp.errno("EPERM"), "unlink")
      f:add(seccomp.errno("EPERM"), "unlinkat")
      f:load()
      local _, _, code = os.remove(missing)
      send(try_open() .. " " .. tostring(code))
    end)
    assert.are.equal(("exit 0 output: %d %d"):format(E("EACCES"), E("EPERM")), helpers.describe(r))
  end)

  it("cannot loosen the first one: a call it only logs stays refused", function()
    local r = helpers.child(function(send)
      refuse_openat():load()
      local f = seccomp.filter("allow")
      f:add("log", "openat")
      f:load()
      send(try_open())
    end)
    assert.are.equal("exit 0 output: " .. E("EACCES"), helpers.describe(r))
  end)

  it("tightens: a call the first refuses with an errno, the second kills", function()
    local r = helpers.child(function(send)
      refuse_openat():load()
      refuse_openat("kill_process"):load()
      send(try_open())
    end)
    assert.are.equal(("signal %d"):format(SIGSYS), helpers.describe(r))
  end)

  it("stricter in its default: what the first allowed, the second kills", function()
    local missing = helpers.tmpname()
    local r = helpers.child(function(send)
      refuse_openat():load()
      local f = seccomp.filter("kill")
      f:allow { "write", "exit_group", "unlink", "unlinkat" }
      f:load()
      local _, _, code = os.remove(missing)
      send(tostring(code))  -- ENOENT: unlink still runs
      send(" " .. try_open())
    end)
    assert.are.equal(("signal %d"):format(SIGSYS), r.how .. " " .. r.code)
    assert.are.equal(tostring(E("ENOENT")), r.output)
  end)
end)

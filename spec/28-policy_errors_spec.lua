-- Errors from the policy layer: every message starts with "seccomp:" and
-- a position, when there is one, is the caller's line, never a file of
-- the library. Misspelt names are reported (returned, warned, raised
-- under strict); names of other architectures are not.
local seccomp = require "seccomp"
local policy = require "seccomp.policy"
local helpers = require "helpers"

local THIS = debug.getinfo(1, "S").short_src

-- Calls fn (a function written on one line) and returns its error after
-- checking where it points: at fn's line in this file, or nowhere.
local function raised(fn, allow_no_position)
  local line = debug.getinfo(fn, "S").linedefined
  local ok, err = pcall(fn)
  assert(not ok, "did not raise")
  err = tostring(err)
  assert(not err:find("lua/seccomp/", 1, true), "points into the library: " .. err)
  local where, rest = err:match("^(.-:%d+): (seccomp: .*)$")
  if where == nil then
    assert(allow_no_position and err:match("^seccomp: "), "no seccomp: prefix: " .. err)
    return err
  end
  assert.equal(THIS .. ":" .. line, where, err)
  return rest
end

describe("policy errors", function()
  it("from pledge point at the caller", function()
    assert.matches("^seccomp: pledge%(bogus%): Invalid argument %(EINVAL%): unknown promise",
      raised(function() seccomp.pledge("stdio bogus", { load = false }) end))
    assert.matches("promises are a string or a list", raised(function() seccomp.pledge(42) end))
    assert.matches("options must be a table", raised(function() seccomp.pledge("stdio", "x") end))
    assert.matches("pledge%(pennalty%).*unknown option",
      raised(function() seccomp.pledge("stdio", { pennalty = "kill" }) end))
    assert.matches("penalty is", raised(function() seccomp.pledge("stdio", { penalty = "warn" }) end))
    assert.matches("pledge%(writeall%)",
      raised(function() require("seccomp.policy").pledge("writeall", { load = false }) end))
  end)

  it("from compile point at the caller, however deep the mistake", function()
    local cmp = seccomp.arg32(1):eq(0)
    assert.matches("a policy is a table", raised(function() seccomp.compile(1) end))
    assert.matches("compile%(alow%).*unknown key", raised(function() seccomp.compile { alow = {} } end))
    assert.matches("must be a list", raised(function() seccomp.compile { allow = "read" } end))
    assert.matches("compile%(openat%).*hole",
      raised(function() seccomp.compile { allow = { { "openat", nil, cmp } } } end))
    assert.matches("not a comparator",
      raised(function() seccomp.compile { allow = { { "openat", 7 } } } end))
    assert.matches("compile%(ptrce%).*unknown syscall in a list that refuses calls",
      raised(function() seccomp.compile { default = "allow", kill = { "ptrce" } } end))
    assert.matches("expand%(@basicio%).*unknown group",
      raised(function() seccomp.compile { allow = { "@basicio" } } end))
    assert.matches("compile%(true%)", raised(function() seccomp.compile { allow = { true } } end))
    assert.matches("compile%(arches%)", raised(function() seccomp.compile { arches = "x86" } end))
    assert.matches("field n", raised(function() seccomp.compile { allow = { "read", n = 1 } } end))
  end)

  it("from compile's options", function()
    local p = { allow = { "read" } }
    assert.matches("compile%(strct%): Invalid argument %(EINVAL%): unknown option",
      raised(function() seccomp.compile(p, { strct = true }) end))
    assert.matches("compile%(strict%).*true or false",
      raised(function() seccomp.compile(p, { strict = "yes" }) end))
    assert.matches("options must be a table", raised(function() seccomp.compile(p, 5) end))
  end)

  it("from expand, called directly or through a filter method", function()
    assert.matches("^seccomp: expand%(@nope%): Invalid argument %(EINVAL%): unknown group",
      raised(function() policy.expand("@nope") end))
    assert.matches("expand%(5%)", raised(function() policy.expand(5) end))
    assert.matches("not an open seccomp.filter", raised(function() policy.expand("@aio", 1) end))
    assert.matches("expand%(@basicio%)",
      raised(function() seccomp.filter("kill"):allow("@basicio") end, true))
  end)

  it("raised by the core below still start with seccomp:", function()
    assert.matches("^seccomp: ",
      raised(function() seccomp.compile { default = "nope" } end, true))
    assert.matches("^seccomp: ",
      raised(function() seccomp.compile { errno = { ENOTANERRNO = { "read" } } } end, true))
  end)

  it("through pcall point at the line that called pcall", function()
    local line = debug.getinfo(1, "l").currentline + 1
    local ok, err = pcall(seccomp.pledge, "bogus")
    assert.is_false(ok)
    assert.equal(THIS .. ":" .. line .. ": seccomp: pledge(bogus): Invalid argument (EINVAL):"
                 .. " unknown promise", err)
  end)
end)

describe("misspelt names", function()
  it("raise under strict, in allow and log lists too", function()
    assert.matches("compile%(reed%).*EINVAL.*unknown syscall %(strict",
      raised(function() seccomp.compile({ allow = { "reed" } }, { strict = true }) end))
    assert.matches("compile%(getpidd%)",
      raised(function() seccomp.compile({ log = { "getpidd" } }, { strict = true }) end))
  end)

  it("under strict, other architectures' names are still fine", function()
    local f, skipped, absent = seccomp.compile({ allow = { "read", "mmap2", "@basic-io" } },
                                               { strict = true })
    assert.same({}, skipped)
    assert.truthy(#absent > 0)
    f:close()
    f = seccomp.compile({ allow = { "read" } }, { strict = false })
    f:close()
  end)

  it("are warned about through warn when it exists, the others are not", function()
    local r = helpers.child(function(send)
      local said = {}
      _G.warn = function(...) said[#said + 1] = table.concat({ ... }) end
      local f, skipped = seccomp.compile { allow = { "reed", "mmap2", "_llseek", "read" } }
      f:close()
      seccomp.pledge("stdio rpath", { load = false }):close()
      send(table.concat(skipped, " ") .. "|" .. table.concat(said, "\n"))
    end)
    helpers.assert_exit(0, r)
    local skipped, said = r.output:match("^(.-)|(.*)$")
    assert.equal("reed", skipped)
    assert.matches("^seccomp: compile: skipped, no architecture has these system calls: reed$", said)
  end)

  it("are reported on a host whose strict globals have no warn", function()
    local r = helpers.child(function(send)
      _G.warn = nil
      setmetatable(_G, { __index = function(_, k) error("undefined global " .. tostring(k), 2) end,
                         __newindex = function(_, k) error("new global " .. tostring(k), 2) end })
      local f, skipped = seccomp.compile { allow = { "reed", "read" } }
      f:close()
      send(table.concat(skipped, " "))
    end)
    helpers.assert_exit(0, r)
    assert.equal("reed", r.output)
  end)
end)

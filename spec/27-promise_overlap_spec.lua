-- Promise data never yields two rules on one call with different actions
-- whose conditions can both hold (which the core refuses, since which one
-- wins would be an accident of libseccomp's ordering): checked on the
-- plans of every promise, every pair, every combination of the network
-- and process promises and all of them together, each also built into a
-- filter; the dns, unix and inet combinations proven in the kernel.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local policy = require "seccomp.policy"
local helpers = require "helpers"

local E, AF, SOCK, NETLINK = seccomp.E, seccomp.AF, seccomp.SOCK, seccomp.NETLINK
local assert_exit, assert_sigsys = helpers.assert_exit, helpers.assert_sigsys

local ALL64 = -1  -- every bit of a 64-bit argument

-- A comparator as (arg & mask) == value on 64 bits; nil for the other
-- comparisons, which are taken to overlap anything.
local function as_masked(c)
  local width = c.bits == 32 and 0xffffffff or ALL64
  if c.op == "eq" then return c.arg, width, compat.band(c.a, width) end
  if c.op == "masked_eq" then return c.arg, compat.band(c.a, width), compat.band(c.b, width) end
  return nil
end

-- Can rules a and b both match one call? They cannot when some argument
-- has bits both test that they want different.
local function can_both_hold(a, b)
  for _, ca in ipairs(a.cmps) do
    local ia, ma, va = as_masked(ca)
    for _, cb in ipairs(b.cmps) do
      local ib, mb, vb = as_masked(cb)
      if ia ~= nil and ia == ib and (compat.band(compat.band((compat.bxor(va, vb)), ma), mb)) ~= 0 then return false end
    end
  end
  return true
end

-- Pairs of rules in `rules` on one call with different actions that can
-- both hold, as readable strings.
local function overlaps(rules)
  local found, by_name = {}, {}
  for _, r in ipairs(rules) do
    local list = by_name[r.name] or {}
    by_name[r.name] = list
    list[#list + 1] = r
  end
  local function show(r)
    local parts = {}
    for i, c in ipairs(r.cmps) do parts[i] = tostring(c) end
    return ("%s %s %s"):format(tostring(r.action), r.name, table.concat(parts, " "))
  end
  for _, list in pairs(by_name) do
    for i = 1, #list do
      for j = i + 1, #list do
        local a, b = list[i], list[j]
        if a.action ~= b.action and can_both_hold(a, b) then
          found[#found + 1] = show(a) .. "  |  " .. show(b)
        end
      end
    end
  end
  return found
end

-- Every combination to check: each promise, each pair, every subset of
-- the promises with socket and process rules, and all of them.
local function combinations()
  local names = policy.promises()
  local list = { names }
  for i = 1, #names do
    list[#list + 1] = { names[i] }
    for j = i + 1, #names do list[#list + 1] = { names[i], names[j] } end
  end
  local net = { "stdio", "rpath", "dns", "inet", "unix", "sendfd", "recvfd", "proc" }
  for bits = 1, (compat.shl(1, #net)) - 1 do
    local set = {}
    for k = 1, #net do
      if compat.band(bits, (compat.shl(1, (k - 1)))) ~= 0 then set[#set + 1] = net[k] end
    end
    list[#list + 1] = set
  end
  return list
end

describe("promise rules", function()
  it("the checker finds a refused and an allowed Unix socket together", function()
    local allow_unix = { action = "allow", name = "socket", cmps = { seccomp.arg32(0):eq(AF.UNIX) } }
    local refuse_unix = { action = seccomp.errno("EACCES"), name = "socket",
                          cmps = { seccomp.arg32(0):eq(AF.UNIX) } }
    local refuse_netlink = { action = seccomp.errno("EACCES"), name = "socket",
                             cmps = { seccomp.arg32(0):eq(AF.NETLINK) } }
    assert.equal(1, #overlaps { allow_unix, refuse_unix })
    assert.equal(0, #overlaps { allow_unix, refuse_netlink })
  end)

  it("never overlap with different actions, in any combination, and build", function()
    local checked = 0
    for _, set in ipairs(combinations()) do
      local found = overlaps(policy.plan(set))
      assert(#found == 0, table.concat(set, " ") .. ": " .. table.concat(found, "; "))
      local f = seccomp.pledge(set, { load = false })
      f:close()
      checked = checked + 1
    end
    assert.truthy(checked > 400)
  end)
end)

describe("dns with unix and inet in the kernel", function()
  local function socket(promises, family, kind, protocol)
    return helpers.sysraw(function() seccomp.pledge(promises) end, "raw",
                          seccomp.syscall("socket"), family, kind, protocol)
  end
  local base = "stdio rpath exec "

  it("refuses Unix sockets with EACCES under dns alone, allows them with unix", function()
    assert_exit(E.EACCES, socket(base .. "dns", AF.UNIX, SOCK.STREAM, 0))
    assert_exit(0, socket(base .. "dns unix", AF.UNIX, SOCK.STREAM, 0))
    assert_exit(0, socket(base .. "dns inet unix", AF.UNIX, SOCK.STREAM, 0))
  end)

  it("refuses NETLINK_ROUTE with EACCES under dns, with or without inet and unix", function()
    for _, extra in ipairs { "dns", "dns inet", "dns unix", "dns inet unix" } do
      assert_exit(E.EACCES, socket(base .. extra, AF.NETLINK, SOCK.RAW, NETLINK.ROUTE))
    end
    assert_sigsys(socket(base .. "inet unix", AF.NETLINK, SOCK.RAW, NETLINK.ROUTE))
  end)

  it("opens TCP sockets under dns and inet together", function()
    assert_exit(0, socket(base .. "dns inet", AF.INET, SOCK.STREAM, 0))
    assert_exit(0, socket(base .. "dns inet unix", AF.INET6, SOCK.DGRAM, 0))
  end)
end)

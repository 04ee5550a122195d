-- seccomp.policy_index: which promises or groups allow a call, read once
-- from the data. Its answers are checked against the compiler's: each
-- promise's pledge, compiled and run through the simulator, and the
-- groups as policy.expand lists them.
local seccomp = require "seccomp"
local core = require "seccomp.core"
local policy = require "seccomp.policy"
local index = require "seccomp.policy_index"
local helpers = require "helpers"

local native = seccomp.arch_token(seccomp.arch_native())

-- The program of a pledge of `set`, compiled without loading.
local function program(set)
  local f = policy.pledge(set, { load = false })
  local prog = f:bpf()
  f:close()
  return prog
end

local function allowed(prog, nr, args)
  local action = core.bpf_run(prog, native, nr, args)
  return action == "allow" or action == "log"
end

-- Arguments worth trying for `name`: zeros, all ones, and for each rule
-- the values its comparators name (one at a time, then all), and one more.
local function samples(name)
  local list = { { 0, 0, 0, 0, 0, 0 }, { -1, -1, -1, -1, -1, -1 } }
  for _, g in ipairs(index.grants(name)) do
    local all = { 0, 0, 0, 0, 0, 0 }
    for _, c in ipairs(g.cmps or {}) do
      local v = c.op == "masked_eq" and c.b or c.a
      local one, next_one = { 0, 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 }
      one[c.arg + 1], next_one[c.arg + 1], all[c.arg + 1] = v, v + 1, v
      list[#list + 1] = one
      list[#list + 1] = next_one
    end
    list[#list + 1] = all
  end
  return list
end

-- The calls some promise names that this architecture has, with numbers.
local function native_calls()
  local list = {}
  for _, name in ipairs(index.calls()) do
    local ok, nr = pcall(seccomp.syscall, name)
    if ok and nr >= 0 then list[#list + 1] = { name = name, nr = nr } end
  end
  return list
end

describe("seccomp.policy_index", function()
  it("says which promises allow a call with its arguments, as their pledges do", function()
    local programs = {}
    for _, p in ipairs(index.promises()) do programs[p] = program(p) end
    local checked, wrong = 0, {}
    for _, call in ipairs(native_calls()) do
      for _, args in ipairs(samples(call.name)) do
        local alone = {}
        for _, set in ipairs(index.allowing(call.name, args)) do
          if #set == 1 then alone[set[1]] = true end
        end
        for p, prog in pairs(programs) do
          checked = checked + 1
          if allowed(prog, call.nr, args) ~= (alone[p] == true) and #wrong < 5 then
            wrong[#wrong + 1] = ("%s(%s) under %s"):format(call.name, table.concat(args, ", "), p)
          end
        end
      end
    end
    assert.is_true(checked > 1000)
    assert.are.same({}, wrong)
  end)

  it("names the promises a rule needs together, and their pledge allows the call", function()
    local pairs_seen = 0
    for _, call in ipairs(native_calls()) do
      for _, args in ipairs(samples(call.name)) do
        for _, set in ipairs(index.allowing(call.name, args)) do
          if #set > 1 then
            pairs_seen = pairs_seen + 1
            assert.is_true(allowed(program(table.concat(set, " ")), call.nr, args),
                           call.name .. " under " .. table.concat(set, " "))
          end
        end
      end
    end
    assert.is_true(pairs_seen > 0)  -- wpath's read-write opens need rpath
  end)

  it("marks a promise full only when its pledge allows the call whatever the arguments", function()
    for _, call in ipairs(native_calls()) do
      for _, grant in ipairs(index.promises_for(call.name)) do
        if grant.full then
          local prog = program(grant.promise)
          for _, args in ipairs(samples(call.name)) do
            assert.is_true(allowed(prog, call.nr, args), call.name .. " under " .. grant.promise)
          end
        end
      end
    end
  end)

  it("lists the members of each group as policy.expand does, and the groups of a call smallest first", function()
    for _, g in ipairs(policy.groups()) do
      local added, skipped, absent = policy.expand(g)
      local expanded = {}
      for _, list in ipairs { added, skipped, absent } do
        for _, name in ipairs(list) do expanded[#expanded + 1] = name end
      end
      table.sort(expanded)
      local members = index.group_members(g)
      table.sort(members)
      assert.are.same(expanded, members, g)
    end
    assert.are.same(policy.groups(), index.groups())
    for _, name in ipairs { "read", "openat", "socket", "clone" } do
      local groups = index.groups_for(name)
      assert.is_true(#groups > 0, name)
      local size = 0
      for _, g in ipairs(groups) do
        assert.is_true(helpers.set(index.group_members(g))[name], g .. " holds " .. name)
        assert.is_true(#index.group_members(g) >= size)
        size = #index.group_members(g)
      end
    end
    assert.is_nil(index.group_members("@no-such-group"))
  end)
end)

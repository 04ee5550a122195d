--- Which promises or groups allow a call: the one reading of the promise
-- data (seccomp/promises.lua) and the group data (seccomp/groups.lua)
-- outside the compiler. Violation reports (their hints), learn (its
-- promise and group covers) and the command line ask it.
--
-- A promise grants a call whatever its arguments when it lists the call
-- or a group holding it (`calls`), and only for some arguments when a
-- rule names it (`rules`): a rule with `errno` refuses rather than
-- allows, one with `also` allows only when those promises are held too,
-- and one with `unless` is dropped when that promise is held. `always`
-- (granted by every pledge) is not a promise one asks for, and is not
-- indexed. The index is built on first use and kept.
-- @module seccomp.policy_index

local promise_data = require "seccomp.promises"
local compat = require "seccomp.compat"
local groups = require "seccomp.groups"

local index = {}

-- Members of group `name`, nested groups expanded, each once, in the
-- order the data lists them.
local function walk(name, list, seen, visited)
  visited[name] = true
  for _, member in ipairs(groups[name] or {}) do
    if member:sub(1, 1) == "@" then
      if not visited[member] then walk(member, list, seen, visited) end
    elseif not seen[member] then
      seen[member] = true
      list[#list + 1] = member
    end
  end
  return list
end

-- by_call[name] = list of grants { promise =, full = true } or
-- { promise =, cmps =, also =, unless =, errno = }, in documentation
-- order; group_members[g] = list; group_size[g] = n; in_groups[name] =
-- groups holding it, smallest first.
local built

local function build()
  local by_call, members, sizes, in_groups = {}, {}, {}, {}
  local function grant(name, g)
    local list = by_call[name] or {}
    by_call[name] = list
    list[#list + 1] = g
  end
  for gname in pairs(groups) do
    members[gname] = walk(gname, {}, {}, {})
    sizes[gname] = #members[gname]
    for _, m in ipairs(members[gname]) do
      in_groups[m] = in_groups[m] or {}
      table.insert(in_groups[m], gname)
    end
  end
  for _, list in pairs(in_groups) do
    table.sort(list, function(a, b)
      if sizes[a] ~= sizes[b] then return sizes[a] < sizes[b] end
      return a < b
    end)
  end
  for _, p in ipairs(promise_data.promises) do
    for _, call in ipairs(p.calls or {}) do
      if call:sub(1, 1) == "@" then
        for _, m in ipairs(members[call] or {}) do grant(m, { promise = p.name, full = true }) end
      else
        grant(call, { promise = p.name, full = true })
      end
    end
    for _, rule in ipairs(p.rules or {}) do
      local cmps = {}
      for i = 2, #rule do cmps[#cmps + 1] = rule[i] end
      grant(rule[1], { promise = p.name, cmps = cmps, also = rule.also,
                       unless = rule.unless, errno = rule.errno })
    end
  end
  built = { by_call = by_call, members = members, sizes = sizes, in_groups = in_groups }
  return built
end

local function data() return built or build() end

local function copy(list)
  local out = {}
  for i, x in ipairs(list or {}) do out[i] = x end
  return out
end

--- The promise names, in documentation order.
function index.promises()
  local list = {}
  for i, p in ipairs(promise_data.promises) do list[i] = p.name end
  return list
end

--- Every call some promise names, sorted.
function index.calls()
  local list = {}
  for name in pairs(data().by_call) do list[#list + 1] = name end
  table.sort(list)
  return list
end

--- What each promise grants for call `name`: a list of `{ promise =,
-- full = true }` (every call) or `{ promise =, cmps = { comparator... },
-- also =, unless =, errno = }` (one rule), in documentation order.
function index.grants(name)
  return copy(data().by_call[name])
end

-- Whether a grant lets some call through: an errno rule refuses.
local function allows_some(g)
  return g.full or g.errno == nil
end

--- The promises that allow call `name`, in documentation order: a list
-- of `{ promise =, full = }`, `full` false when only some arguments (or
-- only together with other promises) are allowed.
function index.promises_for(name)
  local out, at = {}, {}
  for _, g in ipairs(data().by_call[name] or {}) do
    if allows_some(g) then
      local i = at[g.promise]
      if not i then
        out[#out + 1] = { promise = g.promise, full = g.full == true }
        at[g.promise] = #out
      elseif g.full then
        out[i].full = true
      end
    end
  end
  return out
end

-- Whether comparator `c` ({ arg, bits, op, a, b }) holds for `args`, as
-- the kernel compares: unsigned, arg32 on the low 32 bits only.
local function holds(c, args)
  local v, a, b = compat.value(args[c.arg + 1] or 0), c.a, c.b
  local band, eq, ult = compat.band, compat.eq, compat.ult
  if c.bits == 32 then
    v, a = band(v, 0xffffffff), band(a, 0xffffffff)
    if b then b = band(b, 0xffffffff) end
  end
  local op = c.op
  if op == "masked_eq" then return eq(band(v, a), b) end
  if op == "eq" then return eq(v, a) end
  if op == "ne" then return not eq(v, a) end
  if op == "lt" then return ult(v, a) end
  if op == "le" then return eq(v, a) or ult(v, a) end
  if op == "gt" then return ult(a, v) end
  if op == "ge" then return eq(v, a) or ult(a, v) end
  return false
end

--- The promise sets that allow call `name` with arguments `args` (a list
-- of six integers), each a list of promise names: `{ "rpath" }`, or
-- `{ "wpath", "rpath" }` for a rule that needs both. A rule refusing the
-- call with an errno allows nothing; `unless` is not applied, since it
-- depends on what else is held.
function index.allowing(name, args)
  local out, seen = {}, {}
  for _, g in ipairs(data().by_call[name] or {}) do
    local ok = g.full
    if not ok and g.errno == nil then
      ok = true
      for _, c in ipairs(g.cmps) do
        if not holds(c, args) then ok = false break end
      end
    end
    if ok then
      local set = { g.promise }
      for _, other in ipairs(g.also or {}) do set[#set + 1] = other end
      local key = table.concat(set, " ")
      if not seen[key] then
        seen[key] = true
        out[#out + 1] = set
      end
    end
  end
  return out
end

--- The groups holding call `name`, smallest first (then by name).
function index.groups_for(name)
  return copy(data().in_groups[name])
end

--- The members of group `name`, nested groups expanded, each once (nil
-- for an unknown group).
function index.group_members(name)
  local list = data().members[name]
  return list and copy(list)
end

--- The group names, sorted.
function index.groups()
  local list = {}
  for name in pairs(data().members) do list[#list + 1] = name end
  table.sort(list)
  return list
end

return index

--- Policy diff for review: every syscall, per architecture, whose
-- verdict differs between two filters or policies for some arguments,
-- with an example call. Both programs run in the simulator (`f:check`)
-- over each syscall's argument classes: the values at and beside every
-- boundary the two filters' rules name, one argument at a time from a
-- call that satisfies each rule and from the all-zero call, and the calls
-- that satisfy two rules of one syscall at once.
-- @module seccomp.diff

local api = require "seccomp.filter"
local compat = require "seccomp.compat"
local policy = require "seccomp.policy"

local diff = {}

local band, bor, bnot, bxor, shl = compat.band, compat.bor, compat.bnot, compat.bxor, compat.shl
local value, eq = compat.value, compat.eq
local LOW32 = 0xffffffff

-- x + y, wrapping at 2^64, with the bit operations every Lua has here.
local function add(x, y)
  x, y = value(x), value(y)
  while not eq(y, 0) do
    local carry = shl(band(x, y), 1)
    x, y = bxor(x, y), carry
  end
  return x
end
local MINUS_ONE = bnot(0)

-- A value satisfying comparator c, and the values at its boundary.
local function boundary(c)
  local a, b = value(c.a), value(c.b or 0)
  if c.bits == 32 then a, b = band(a, LOW32), band(b, LOW32) end
  local op = c.op
  if op == "masked_eq" then
    local lowbit = band(a, add(bnot(a), 1))  -- the mask's lowest bit
    return b, { b, bxor(b, lowbit), bor(b, bnot(a)) }
  end
  local up, down = add(a, 1), add(a, MINUS_ONE)
  local yes = (op == "eq" or op == "le" or op == "ge") and a
              or (op == "ne" or op == "gt") and up or down
  return yes, { down, a, up }
end

local function filter_of(x, op)
  if type(x) == "table" then
    local ok, f = pcall(policy.compile, x)
    if not ok then error(f, 3) end
    return f
  end
  if not pcall(api.internal.arches, x) then
    error(("seccomp: %s: Invalid argument (EINVAL): expected a seccomp.filter or a policy "
           .. "table, got %s"):format(op, type(x)), 3)
  end
  return x
end

-- The calls to try for each syscall name the rules of fs name: a list of
-- argument lists.
-- Calls where two rules' conditions meet: a pair's witnesses, each
-- written over the other, for the rules on one name (up to PAIRS of them).
local PAIRS = 64
local function meeting_points(list, constrained)
  if #constrained > PAIRS then return end
  for i = 1, #constrained do
    for j = 1, #constrained do
      if i ~= j then
        local both = { compat.unpack(constrained[i].witness) }
        for arg, v in pairs(constrained[j].yes) do both[arg] = v end
        list[#list + 1] = both
      end
    end
  end
end

local function probes_by_name(fs)
  local by_name, constrained = {}, {}
  for _, f in ipairs(fs) do
    for _, rule in ipairs(api.internal.rules(f)) do
      local witness, sets, yes = { 0, 0, 0, 0, 0, 0 }, {}, {}
      for _, c in ipairs(rule.comparators) do
        local v, around = boundary(c)
        witness[c.arg + 1], yes[c.arg + 1] = v, v
        sets[#sets + 1] = { c.arg + 1, around }
      end
      for _, name in ipairs(rule.names) do
        if type(name) == "number" then
          local ok, n = pcall(api.syscall_name, name)
          name = ok and n or name
        end
        local list = by_name[name] or { { 0, 0, 0, 0, 0, 0 } }
        by_name[name] = list
        list[#list + 1] = witness
        if #sets > 0 then
          local c = constrained[name] or {}
          constrained[name] = c
          c[#c + 1] = { witness = witness, yes = yes }
        end
        for _, s in ipairs(sets) do
          for _, v in ipairs(s[2]) do
            local from_witness, from_zero = { compat.unpack(witness) }, { 0, 0, 0, 0, 0, 0 }
            from_witness[s[1]], from_zero[s[1]] = v, v
            list[#list + 1] = from_witness
            list[#list + 1] = from_zero
          end
        end
      end
    end
  end
  for name, c in pairs(constrained) do meeting_points(by_name[name], c) end
  return by_name
end

-- Every syscall name of arch, with its number.
local function names_of(arch)
  local list, base = {}, arch == "x32" and 0x40000000 or 0
  for nr = base, base + 1023 do
    local ok, name = pcall(api.syscall_name, nr, arch)
    if ok and name then list[#list + 1] = { name, nr } end
  end
  return list
end

local function same(x, y)
  return x[1] == y[1] and x[2] == y[2]
end

--- The calls whose verdict differs between `a` and `b` (filters, or
-- policy tables for `seccomp.compile`): a list, by architecture then
-- number, of `{ arch =, syscall =, nr =, args = { six values }, a = { action,
-- data }, b = { action, data } }`, one per syscall and architecture, with
-- the first differing call found. Architectures are those either carries.
function diff.diff(a, b)
  local fa, fb = filter_of(a, "diff"), filter_of(b, "diff")
  local arches, seen = {}, {}
  for _, f in ipairs { fa, fb } do
    for _, arch in ipairs(api.internal.arches(f)) do
      if not seen[arch] then seen[arch], arches[#arches + 1] = true, arch end
    end
  end
  table.sort(arches)
  local probes = probes_by_name { fa, fb }
  local ZERO = { { 0, 0, 0, 0, 0, 0 } }
  local out = {}
  for _, arch in ipairs(arches) do
    for _, entry in ipairs(names_of(arch)) do
      local name, nr = entry[1], entry[2]
      for _, args in ipairs(probes[name] or ZERO) do
        local va, vb = { fa:check(nr, args, arch) }, { fb:check(nr, args, arch) }
        if not same(va, vb) then
          local shown = {}
          for i = 1, 6 do shown[i] = args[i] end
          out[#out + 1] = { arch = arch, syscall = name, nr = nr, args = shown, a = va, b = vb }
          break
        end
      end
    end
  end
  return out
end

return diff

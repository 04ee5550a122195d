--- Learn's covers: the smallest set of pledge promises, and of @groups,
-- allowing every call learn recorded. Promises are checked with their
-- arguments: each promise's pledge is compiled and the recorded calls run
-- through the simulator; which argument halves the programs inspect
-- decides which calls the recording keeps apart (`relevant_halves`).
-- Which promises name a call comes from seccomp.policy_index.
-- @module seccomp.learn_cover

local seccomp = require "seccomp.filter"
local compat = require "seccomp.compat"
local policy = require "seccomp.policy"
local policy_index = require "seccomp.policy_index"

local cover = {}

local bpf_run = seccomp.internal.bpf_run
local band = compat.band

-- The keys of `t`, sorted (learn's report uses it too).
local function sorted_keys(t)
  local list = {}
  for k in pairs(t) do list[#list + 1] = k end
  table.sort(list)
  return list
end
cover.sorted_keys = sorted_keys

-- Which halves of the arguments (1..6 low, 7..12 high) a BPF program
-- may load on some path for call `nr` of architecture `arch`: every
-- instruction reachable with the number and architecture fixed and the
-- arguments unknown. nil when the program holds an instruction this walk
-- does not follow (then every half counts).
local ARG0, STEPS = 16, 200000
local function inspected_halves(prog, arch, nr)
  local n = compat.idiv(#prog, 8)
  local code, jt, jf, k = {}, {}, {}, {}
  for i = 1, n do
    code[i], jt[i], jf[i], k[i] = compat.unpack_bytes("=I2BBI4", prog, 8 * i - 7)
  end
  local halves, visited, work, steps = {}, {}, {}, 0
  local function push(pc, a, x, mem)
    local key = pc .. "|" .. tostring(a) .. "|" .. tostring(x) .. "|" .. table.concat(mem, ",")
    if not visited[key] then
      visited[key] = true
      work[#work + 1] = { pc, a, x, mem }
    end
  end
  local function load_abs(off)
    if off == 0 then return nr end
    if off == 4 then return arch end
    if off >= ARG0 and off < ARG0 + 48 and off % 4 == 0 then
      local i = compat.idiv(off - ARG0, 8)
      halves[(off - ARG0) % 8 == 0 and i + 1 or i + 7] = true
    end
    return "?"
  end
  local ALU = {
    [0x00] = function(a, b) return a + b end, [0x10] = function(a, b) return a - b end,
    [0x20] = compat.mul, [0x40] = compat.bor, [0x50] = compat.band, [0xa0] = compat.bxor,
    [0x60] = function(a, b) return b < 32 and compat.shl(a, b) or 0 end,
    [0x70] = function(a, b) return b < 32 and compat.shr(a, b) or 0 end,
  }
  local mem0 = {}
  for i = 1, 16 do mem0[i] = "?" end
  push(1, "?", "?", mem0)
  while #work > 0 do
    local st = table.remove(work)
    local pc, a, x, mem = st[1], st[2], st[3], st[4]
    steps = steps + 1
    if steps > STEPS or pc < 1 or pc > n then return nil end
    local c, kk = code[pc], k[pc]
    local class = band(c, 0x07)
    if class == 0x00 or class == 0x01 then  -- LD, LDX (words only)
      local mode = band(c, 0xe0)
      local v
      if band(c, 0x18) ~= 0 then return nil end
      if mode == 0x00 then v = kk
      elseif mode == 0x20 and class == 0x00 then v = load_abs(kk)
      elseif mode == 0x60 and kk < 16 then v = mem[kk + 1]
      elseif mode == 0x80 then v = 64
      else return nil end
      if class == 0x00 then a = v else x = v end
      push(pc + 1, a, x, mem)
    elseif class == 0x02 or class == 0x03 then  -- ST, STX
      if kk >= 16 then return nil end
      local m = compat.move(mem, 1, 16, 1, {})
      m[kk + 1] = class == 0x02 and a or x
      push(pc + 1, a, x, m)
    elseif class == 0x04 then  -- ALU
      local op, b = band(c, 0xf0), (band(c, 0x08) ~= 0) and x or kk
      local f = ALU[op]
      if op == 0x80 then
        a = a == "?" and "?" or band(-a, 0xffffffff)
      elseif not f then
        return nil
      else
        a = (a == "?" or b == "?") and "?" or band(f(a, b), 0xffffffff)
      end
      push(pc + 1, a, x, mem)
    elseif class == 0x05 then  -- JMP
      local op, b = band(c, 0xf0), (band(c, 0x08) ~= 0) and x or kk
      if op == 0x00 then
        push(pc + 1 + kk, a, x, mem)
      else
        local yes
        if a ~= "?" and b ~= "?" then
          if op == 0x10 then yes = a == b
          elseif op == 0x20 then yes = a > b
          elseif op == 0x30 then yes = a >= b
          elseif op == 0x40 then yes = band(a, b) ~= 0
          else return nil end
        elseif op > 0x40 then
          return nil
        end
        if yes ~= false then push(pc + 1 + jt[pc], a, x, mem) end
        if yes ~= true then push(pc + 1 + jf[pc], a, x, mem) end
      end
    elseif class == 0x07 then  -- MISC: TAX, TXA
      if band(c, 0xf8) == 0x00 then x = a elseif band(c, 0xf8) == 0x80 then a = x else return nil end
      push(pc + 1, a, x, mem)
    elseif class ~= 0x06 then  -- RET ends the path
      return nil
    end
  end
  return halves
end

-- The argument halves of call `name` (number `nr`) that any of the
-- candidate programs `r.programs` may inspect, as a sorted list, kept in
-- `r.relevant`.
local ALL_HALVES = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }
function cover.relevant_halves(r, name, nr)
  local list = r.relevant[name]
  if list then return list end
  local union = {}
  for _, prog in pairs(r.programs) do
    local halves = inspected_halves(prog, r.native, nr)
    if not halves then
      union = nil
      break
    end
    for h in pairs(halves) do union[h] = true end
  end
  list = union and sorted_keys(union) or ALL_HALVES
  r.relevant[name] = list
  return list
end

-- Smallest set of `items` (each a set of names) covering `names`; ties
-- go to the smaller total. `accept(set)` may reject a candidate.
local function smallest_cover(names, items, sizes, max, accept)
  local by_name = {}
  for id, members in pairs(items) do
    for n in pairs(members) do
      by_name[n] = by_name[n] or {}
      table.insert(by_name[n], id)
    end
  end
  local need = {}
  for _, n in ipairs(names) do if by_name[n] then need[#need + 1] = n end end
  local best
  local tried = 0
  local function search(chosen, k)
    if best or tried > 2000 then return end
    local covered = {}
    for _, id in ipairs(chosen) do for n in pairs(items[id]) do covered[n] = true end end
    local first
    for _, n in ipairs(need) do if not covered[n] then first = n break end end
    if not first then
      tried = tried + 1
      local set = {}
      for i, id in ipairs(chosen) do set[i] = id end
      table.sort(set)
      if not accept or accept(set) then best = set end
      return
    end
    if #chosen >= k then return end
    local options = {}
    for _, id in ipairs(by_name[first]) do options[#options + 1] = id end
    table.sort(options, function(a, b)
      if sizes[a] ~= sizes[b] then return sizes[a] < sizes[b] end
      return a < b
    end)
    for _, id in ipairs(options) do
      chosen[#chosen + 1] = id
      search(chosen, k)
      chosen[#chosen] = nil
    end
  end
  for k = 1, max do
    search({}, k)
    if best then break end
  end
  local missing = {}
  for _, n in ipairs(names) do if not by_name[n] then missing[#missing + 1] = n end end
  return best, missing
end

-- Groups covering the names seen (by name; @known is no answer): the
-- smallest list, and the names no group holds. A group counts the members
-- this architecture has (policy.expand).
function cover.groups(names)
  local items, sizes = {}, {}
  for _, g in ipairs(policy.groups()) do
    if g ~= "@known" then
      local set, n = {}, 0
      for _, m in ipairs((policy.expand(g))) do set[m] = true n = n + 1 end
      items[g], sizes[g] = set, n
    end
  end
  return smallest_cover(names, items, sizes, 8)
end

-- The BPF program of a pledge of `set` (a string), nil when this process
-- may not pledge it (EPERM: promises it no longer holds, or no prot_exec
-- under READ_IMPLIES_EXEC); any other failure raises.
local function pledge_program(set)
  local ok, f = pcall(policy.pledge, set, { load = false })
  if not ok then
    if tostring(f):match("^[^\n]-seccomp: pledge%([^)]*%): [^\n]-%(EPERM%)") then return nil end
    error(f, 0)
  end
  local prog = f:bpf()
  f:close()
  return prog
end

-- One program per promise and one of all promises: what they inspect
-- decides which calls learn keeps apart while it records.
function cover.promise_programs()
  local list = policy_index.promises()
  local programs = {}
  for _, p in ipairs(list) do programs[p] = pledge_program(p) end
  local all = table.concat(list, " ")
  programs[all] = pledge_program(all)
  return programs
end

-- Promises covering the calls seen, arguments included: each promise's
-- pledge is compiled and every recorded call run through the simulator.
-- A recorded call stands for every call that agrees with it on each
-- argument half some promise's program inspects, so running the recorded
-- ones runs every call; a program inspecting another half (checked for
-- each one used) is not trusted. Calls one promise alone does not grant
-- (O_RDWR needs rpath and wpath) are tried against pairs. The answer is
-- checked as a whole the same way. Returns the promises (nil when none
-- cover every call) and the names no promise grants.
function cover.promises(r)
  local names, calls, native = r.names, r.calls, r.native
  local instances = {}
  for _, name in ipairs(names) do
    local nr = seccomp.syscall(name)
    for _, args in ipairs(calls[name]) do
      instances[#instances + 1] = { name = name, nr = nr, args = args }
    end
  end
  -- Whether prog inspects only halves the recorded calls were kept apart by.
  local function trusted(prog)
    for _, name in ipairs(names) do
      local halves = inspected_halves(prog, native, seccomp.syscall(name))
      if not halves then return false end
      local known = {}
      for _, h in ipairs(r.relevant[name]) do known[h] = true end
      for h in pairs(halves) do if not known[h] then return false end end
    end
    return true
  end
  local function allowed(set)
    local prog = r.programs[set]
    if prog == nil then prog = pledge_program(set) end
    if not prog or not trusted(prog) then return {} end
    local yes = {}
    for i, c in ipairs(instances) do
      local action = bpf_run(prog, native, c.nr, c.args)
      if action == "allow" or action == "log" then yes[i] = true end
    end
    return yes
  end
  local list = policy_index.promises()
  local items, sizes, single = {}, {}, {}
  for i, p in ipairs(list) do
    items[p], sizes[p] = allowed(p), i  -- ties: documented order
    for k in pairs(items[p]) do single[k] = true end
  end
  -- Promises whose data name a call no single promise grants.
  local wanted = {}
  for k, c in ipairs(instances) do
    if not single[k] then
      for _, g in ipairs(policy_index.promises_for(c.name)) do wanted[g.promise] = true end
    end
  end
  for i = 1, #list do
    for j = i + 1, #list do
      if wanted[list[i]] or wanted[list[j]] then
        local pair = list[i] .. " " .. list[j]
        local yes = allowed(pair)
        local adds = false
        for k in pairs(yes) do if not single[k] then adds = true end end
        if adds then items[pair], sizes[pair] = yes, 100 * (i + j) end
      end
    end
  end
  local ids = {}
  for k in ipairs(instances) do ids[k] = k end
  local best, missing_ids = smallest_cover(ids, items, sizes, 12)
  local missing, seen = {}, {}
  for _, k in ipairs(missing_ids) do
    local n = instances[k].name
    if not seen[n] then seen[n] = true missing[#missing + 1] = n end
  end
  if not best then return nil, missing end
  local set, dup = {}, {}
  for _, item in ipairs(best) do
    for p in item:gmatch("%S+") do
      if not dup[p] then dup[p] = true set[#set + 1] = p end
    end
  end
  table.sort(set, function(a, b) return sizes[a] < sizes[b] end)
  local yes = allowed(table.concat(set, " "))
  for k in ipairs(instances) do
    if not yes[k] and not seen[instances[k].name] then return nil, missing end
  end
  return set, missing
end

return cover

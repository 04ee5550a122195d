--- The policy compiler: @groups, pledge promises and declarative policy
-- tables, turned into rules through the public Lua API.
--
-- Names this libseccomp or this architecture does not know are skipped
-- and reported (returned as a list and passed to Lua's `warn`): groups
-- and promises list every spelling of a call on every architecture, and
-- only some exist here. The one exception fails closed: a name no
-- architecture has, written in a compiled policy's list of calls to
-- refuse, raises, since skipping a misspelt name there would allow it.

local seccomp = require "seccomp"
local groups = require "seccomp.groups"
local promise_data = require "seccomp.promises"

local policy = {}

local function fail(op, subject, ename, detail, level)
  error(("seccomp: %s(%s): %s (%s): %s"):format(op, subject,
    ename == "EPERM" and "Operation not permitted" or "Invalid argument",
    ename, detail), (level or 1) + 1)
end

-- What libseccomp makes of `name`: "native" (a call of this
-- architecture), "foreign" (a name it knows only for other architectures,
-- which resolves to a negative pseudo number) or "unknown" (no call of
-- that name anywhere, such as a typo).
local kind_cache = {}
local function kind(name)
  local k = kind_cache[name]
  if k == nil then
    local ok, nr = pcall(seccomp.syscall, name)
    k = not ok and "unknown" or nr >= 0 and "native" or "foreign"
    kind_cache[name] = k
  end
  return k
end

local function known(name) return kind(name) == "native" end

--- The names of every group, sorted.
function policy.groups()
  local list = {}
  for name in pairs(groups) do list[#list + 1] = name end
  table.sort(list)
  return list
end

--- The system calls of group `name` ("@basic-io"), nested groups
-- included, as two lists: the names this architecture has, and the
-- names skipped because this libseccomp or architecture does not know
-- them.
function policy.expand(name)
  if type(name) ~= "string" or groups[name] == nil then
    fail("expand", tostring(name), "EINVAL", "unknown group", 2)
  end
  local names, skipped, seen, visited = {}, {}, {}, {}
  local function walk(group)
    visited[group] = true
    for _, member in ipairs(groups[group]) do
      if member:sub(1, 1) == "@" then
        if groups[member] == nil then
          fail("expand", group, "EINVAL", "unknown group " .. member, 3)
        end
        if not visited[member] then walk(member) end
      elseif not seen[member] then
        seen[member] = true
        local list = known(member) and names or skipped
        list[#list + 1] = member
      end
    end
  end
  walk(name)
  return names, skipped
end

--- Plans: lists of { action, name, cmp... } checked, then added in one go.

local check_cmp = require("seccomp.core").check_cmp

-- The positive integer keys of `t` form 1..n with no hole; returns n.
-- Raises on a hole (a nil where a value was meant) and, unless `extra`
-- names it, on any other key.
local function sequence(t, op, subject, what, extra, level)
  local n, count = 0, 0
  for k in pairs(t) do
    if math.type(k) == "integer" and k >= 1 then
      count = count + 1
      if k > n then n = k end
    elseif not (extra and extra[k]) then
      fail(op, subject, "EINVAL", ("%s has a field %s: only a list is allowed")
           :format(what, tostring(k)), level)
    end
  end
  if count ~= n then
    fail(op, subject, "EINVAL", what .. " has a hole: a nil in the middle of the list",
         level)
  end
  return n
end

-- Fields promise data may set on a rule (see seccomp/promises.lua).
local RULE_FIELDS = { also = true, unless = true, errno = true }

-- The comparators of a { name, cmp... } entry. A compiled policy's entry
-- must have one at least: `{ "openat", read_only }` with read_only nil
-- would otherwise allow every openat. Promise data (`trusted`) may name
-- a call alone, with its fields.
local function entry_cmps(entry, op, trusted)
  local subject = tostring(entry[1])
  local n = sequence(entry, op, subject, "a rule", trusted and RULE_FIELDS, 5)
  if entry[1] == nil then
    fail(op, subject, "EINVAL", "a { name, comparator... } rule starts with the syscall", 4)
  end
  if n < 2 and not trusted then
    fail(op, subject, "EINVAL", "a { name, comparator... } rule needs a comparator:"
         .. " a nil comparator would allow every call; write the bare name for that", 4)
  end
  local cmps = {}
  for i = 2, n do
    local c = entry[i]
    local ok, err = pcall(check_cmp, c)
    if type(c) ~= "table" or not ok then
      fail(op, subject, "EINVAL", ("rule field %d is not a comparator from seccomp.arg(i)"
           .. " or seccomp.arg32(i): %s"):format(i, type(c) ~= "table" and "got " .. type(c)
           or tostring(err):match("%(E%u+%): (.*)") or tostring(err)), 4)
    end
    cmps[#cmps + 1] = entry[i]
  end
  return cmps
end

-- Adds `entry` (a name, a number, a @group, or { name, cmp... }) to `plan`
-- with `action`. Names this system lacks go to `skipped`, except that a
-- `strict` plan (a list that refuses calls) raises on a name libseccomp
-- does not know at all: a typo there must not leave the call allowed.
-- `trusted` is set for promise data.
local function plan_entry(plan, skipped, action, entry, op, strict, trusted)
  local name, cmps = entry, {}
  if type(entry) == "table" then
    name = entry[1]
    cmps = entry_cmps(entry, op, trusted)
  end
  if math.type(name) == "integer" then
    plan[#plan + 1] = { action = action, name = name, cmps = cmps }
    return
  end
  if type(name) ~= "string" then
    fail(op, tostring(name), "EINVAL", "a rule names a syscall, a number or a @group", 3)
  end
  local names = { name }
  if name:sub(1, 1) == "@" then
    local missing
    names, missing = policy.expand(name)
    for _, m in ipairs(missing) do skipped[#skipped + 1] = m end
  elseif not known(name) then
    if strict and kind(name) == "unknown" then
      fail(op, name, "EINVAL", "unknown syscall in a list that refuses calls"
           .. " (a misspelt name would leave the call allowed)", 3)
    end
    skipped[#skipped + 1] = name
    names = {}
  end
  for _, n in ipairs(names) do
    plan[#plan + 1] = { action = action, name = n, cmps = cmps }
  end
end

local function cmp_key(cmps)
  local parts = {}
  for i, c in ipairs(cmps) do parts[i] = tostring(c) end
  return table.concat(parts, " ")
end

-- Adds the plan to `f`: duplicates dropped, and a conditional rule
-- dropped when the same call has the same action unconditionally.
local function apply(f, plan)
  local plain, done = {}, {}
  for _, r in ipairs(plan) do
    if #r.cmps == 0 then plain[tostring(r.action) .. " " .. r.name] = true end
  end
  for _, r in ipairs(plan) do
    local base = tostring(r.action) .. " " .. r.name
    local key = base .. " " .. cmp_key(r.cmps)
    if not done[key] and (#r.cmps == 0 or not plain[base]) then
      done[key] = true
      f:add(r.action, r.name, table.unpack(r.cmps))
    end
  end
end

local function dedupe(list)
  local out, seen = {}, {}
  for _, x in ipairs(list) do
    if not seen[x] then seen[x] = true; out[#out + 1] = x end
  end
  return out
end

-- Reports skipped names: on the filter (f:skipped()) when the API can
-- record them, and through Lua's warning system.
local function report(f, op, skipped)
  if #skipped > 0 and f.note_skipped then f:note_skipped(skipped) end
  if #skipped > 0 then
    warn(("seccomp: %s: skipped, unknown to this libseccomp or architecture: %s")
         :format(op, table.concat(skipped, " ")))
  end
end

--- Promises.

local by_name = {}
for _, p in ipairs(promise_data.promises) do by_name[p.name] = p end

--- The promise names, in documentation order.
function policy.promises()
  local list = {}
  for i, p in ipairs(promise_data.promises) do list[i] = p.name end
  return list
end

-- The promises this process holds after its last pledge (nil before).
local held

local function parse_promises(promises)
  local list = {}
  if type(promises) == "string" then
    for word in promises:gmatch("%S+") do list[#list + 1] = word end
  elseif type(promises) == "table" then
    for i, word in ipairs(promises) do list[i] = word end
  else
    fail("pledge", tostring(promises), "EINVAL", "promises are a string or a list", 3)
  end
  local set = {}
  for _, word in ipairs(list) do
    if type(word) ~= "string" or by_name[word] == nil then
      fail("pledge", tostring(word), "EINVAL", "unknown promise", 3)
    end
    set[word] = true
  end
  return set
end

local PENALTIES = { kill = "kill", eperm = seccomp.errno("EPERM") }
local PLEDGE_OPTIONS = { penalty = true, load = true, report = true }

-- Every rule a pledge of `set` grants, in a plan.
local function plan_pledge(set)
  local plan, skipped = {}, {}
  local function add_promise(p)
    for _, name in ipairs(p.calls or {}) do
      plan_entry(plan, skipped, "allow", name, "pledge")
    end
    for _, rule in ipairs(p.rules or {}) do
      local granted = rule.unless == nil or not set[rule.unless]
      for _, other in ipairs(rule.also or {}) do
        granted = granted and set[other]
      end
      if granted then
        local action = rule.errno and seccomp.errno(rule.errno) or "allow"
        plan_entry(plan, skipped, action, rule, "pledge", false, true)
      end
    end
    for ename, names in pairs(p.errno or {}) do
      for _, name in ipairs(names) do
        plan_entry(plan, skipped, seccomp.errno(ename), name, "pledge")
      end
    end
  end
  add_promise(promise_data.always)
  for _, p in ipairs(promise_data.promises) do
    if set[p.name] then add_promise(p) end
  end
  return plan, dedupe(skipped)
end

--- Restricts this process to `promises` ("stdio rpath" or a list):
-- builds the filter, loads it, and returns it with the list of names
-- skipped. Options: `penalty` = "kill" (default: the process dies with
-- SIGSYS) or "eperm" (a refused call fails with EPERM); `load = false`
-- returns the filter without loading it; `report = true` makes a process
-- the filter kills first print one line naming the call and the promise
-- that would allow it. A later pledge may only
-- narrow: asking for a promise not held before raises.
function policy.pledge(promises, options)
  local set = parse_promises(promises)
  options = options or {}
  if type(options) ~= "table" then
    fail("pledge", tostring(options), "EINVAL", "options must be a table", 2)
  end
  for k in pairs(options) do
    if not PLEDGE_OPTIONS[k] then
      fail("pledge", tostring(k), "EINVAL", "unknown option", 2)
    end
  end
  local penalty = PENALTIES[options.penalty or "kill"]
  if penalty == nil then
    fail("pledge", tostring(options.penalty), "EINVAL",
         "penalty is \"kill\" or \"eperm\"", 2)
  end
  if held then
    for name in pairs(set) do
      if not held[name] then
        fail("pledge", name, "EPERM", "a later pledge may only narrow, and " ..
             name .. " was not promised before", 2)
      end
    end
  end
  local plan, skipped = plan_pledge(set)
  local f = seccomp.filter(penalty)
  apply(f, plan)
  report(f, "pledge", skipped)
  if options.load ~= false then
    -- os.date reads the time zone file on first use: read it now.
    os.date("*t")
    f:load { report = options.report or nil }
    held = set
  end
  return f, skipped
end

--- Declarative policies.

-- Keys of a policy table whose value is a list of rules for one action.
local ACTION_KEYS = {
  "allow", "log", "trap", "kill", "kill_process", "kill_thread", "notify",
}
local IS_ACTION_KEY = {}
for _, key in ipairs(ACTION_KEYS) do IS_ACTION_KEY[key] = true end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- Lists whose calls are not allowed: a name there libseccomp does not
-- know raises instead of being skipped.
local GRANTS = { allow = true, log = true }

local function check_table(key, t, what)
  if type(t) ~= "table" then
    fail("compile", key, "EINVAL", "must be " .. what, 3)
  end
  return t
end

-- A list of rules: a table whose keys are exactly 1..n.
local function check_list(key, list)
  check_table(key, list, "a list of rules")
  sequence(list, "compile", key, "the list", nil, 4)
  return list
end

--- A filter (not loaded) from a policy table:
-- { default = "kill", allow = { "@basic-io", "openat",
--   { "write", seccomp.arg(0):eq(1) } }, errno = { EPERM = { "socket" } },
--   log = {...}, trap = {...}, kill = {...}, kill_thread = {...},
--   notify = {...}, trace = { [n] = {...} }, attributes = { tsync = true },
--   arches = { "x86" } }.
-- Unknown keys raise, and so do misspelt call names in every list but
-- allow and log. Returns the filter and the list of names skipped.
function policy.compile(spec)
  if type(spec) ~= "table" then
    fail("compile", tostring(spec), "EINVAL", "a policy is a table", 2)
  end
  for key in pairs(spec) do
    if not (IS_ACTION_KEY[key] or key == "default" or key == "errno"
            or key == "trace" or key == "attributes" or key == "arches") then
      fail("compile", tostring(key), "EINVAL", "unknown key", 2)
    end
  end
  local plan, skipped = {}, {}
  for _, key in ipairs(ACTION_KEYS) do
    for _, entry in ipairs(spec[key] and check_list(key, spec[key]) or {}) do
      plan_entry(plan, skipped, key, entry, "compile", not GRANTS[key])
    end
  end
  local errnos = spec.errno and check_table("errno", spec.errno,
    "a table of errno = list of rules") or {}
  for _, ename in ipairs(sorted_keys(errnos)) do
    local action = seccomp.errno(ename)
    for _, entry in ipairs(check_list("errno." .. tostring(ename), errnos[ename])) do
      plan_entry(plan, skipped, action, entry, "compile", true)
    end
  end
  local traces = spec.trace and check_table("trace", spec.trace,
    "a table of number = list of rules") or {}
  for _, n in ipairs(sorted_keys(traces)) do
    local action = seccomp.trace(n)
    for _, entry in ipairs(check_list("trace." .. tostring(n), traces[n])) do
      plan_entry(plan, skipped, action, entry, "compile", true)
    end
  end
  local arches = spec.arches and check_table("arches", spec.arches,
    "a list of architecture names") or {}
  sequence(arches, "compile", "arches", "the list", nil, 3)
  local attributes = spec.attributes and check_table("attributes", spec.attributes,
    "a table of attribute = value") or {}
  local f = seccomp.filter(spec.default or "kill")
  for _, arch in ipairs(arches) do f:arch_add(arch) end
  for _, name in ipairs(sorted_keys(attributes)) do f:set(name, attributes[name]) end
  apply(f, plan)
  skipped = dedupe(skipped)
  report(f, "compile", skipped)
  return f, skipped
end

return policy

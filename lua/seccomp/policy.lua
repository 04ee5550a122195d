--- The policy compiler: @groups, pledge promises and declarative policy
-- tables, turned into rules through the public Lua API.
--
-- A name is resolved on every architecture the filter carries: it is
-- added when one of them has the call (directly, or through socketcall
-- or ipc, which libseccomp rewrites it into), and libseccomp applies it
-- on each architecture that has it. Other names are never added, and
-- are told apart:
--   skipped  names no architecture knows (a typo, or a call newer than
--            this libseccomp): returned, recorded on the filter
--            (f:skipped()) and passed to Lua's `warn` if the host has one;
--   absent   names only architectures the filter does not carry have
--            (mmap2 on a x86_64 filter): returned, never warned about,
--            since groups and promises list every spelling a call has.
-- A skipped name in a list that refuses calls raises, since skipping a
-- misspelt name there would allow the call; `compile(policy, { strict =
-- true })` raises on a skipped name in any list.
-- @module seccomp.policy

local seccomp = require "seccomp.filter"  -- the Lua API, as users see it
local internal = seccomp.internal
local groups = require "seccomp.groups"
local promise_data = require "seccomp.promises"

local policy = {}

local unpack = table.unpack or rawget(_G, "unpack")

-- math.type arrived in Lua 5.3.
local math_type = math.type
local function is_integer(x)
  if math_type then return math_type(x) == "integer" end
  return type(x) == "number" and x == math.floor(x) and x - 1 ~= x
end

-- Errors point at the user's code: the first Lua function outside this
-- directory (lua/seccomp/) on the stack, whatever path led into the
-- library (init.lua, a pcall in between); none when there is no such
-- function or the debug library is missing.
local getinfo = debug and debug.getinfo
local LIBRARY = getinfo and getinfo(1, "S").source:match("^(@.*[/\\])[^/\\]*$")

local function user_level()
  if not LIBRARY then return 0 end
  local level = 3  -- the caller of fail's caller
  while true do
    local info = getinfo(level, "S")
    if info == nil then return 0 end
    if info.what ~= "C" and info.source:sub(1, #LIBRARY) ~= LIBRARY then
      return level - 1  -- as error() counts, from fail
    end
    level = level + 1
  end
end

local STRERROR = {
  EPERM = "Operation not permitted", EINVAL = "Invalid argument",
}

local function fail(op, subject, ename, detail)
  error(("seccomp: %s(%s): %s (%s): %s"):format(op, subject, STRERROR[ename], ename,
    detail), user_level())
end

-- Sub-calls that libseccomp turns into socketcall or ipc on the
-- architectures that multiplex them (i386, s390, ...), from the core.
local MULTIPLEXED = internal.multiplexed_calls

-- The native number of each name asked for (false: none), as
-- seccomp.syscall(name) gives it; arch_has fills it in for the native
-- architecture, which resolves names the same way.
local number_of = {}
local NATIVE = seccomp.arch_native()

-- Does architecture `arch` have the call `name`? Cached per arch.
local has_cache = {}
local function arch_has(arch, name)
  local cache = has_cache[arch]
  if cache == nil then cache = {}; has_cache[arch] = cache end
  local has = cache[name]
  if has == nil then
    local ok, nr = pcall(seccomp.syscall, name, arch)
    if arch == NATIVE and number_of[name] == nil then number_of[name] = ok and nr end
    has = ok and nr >= 0
    if not has and ok and MULTIPLEXED[name] then
      has = arch_has(arch, MULTIPLEXED[name])
    end
    cache[name] = has
  end
  return has
end

-- Does any architecture libseccomp knows have a call `name`?
local known_cache = {}
local function known_anywhere(name)
  local known = known_cache[name]
  if known == nil then
    known = pcall(seccomp.syscall, name)
    known_cache[name] = known
  end
  return known
end

-- What `name` is for a filter carrying `arches`: "added", "absent" or
-- "skipped" (see the top of this file).
local function classify(name, arches)
  for _, arch in ipairs(arches) do
    if arch_has(arch, name) then return "added" end
  end
  return known_anywhere(name) and "absent" or "skipped"
end

local filter_arches = internal.arches

-- The architectures of filter `f`, or the native one without a filter.
local function arches_of(f, op, subject)
  if f == nil then return { seccomp.arch_native() } end
  local ok, arches = pcall(filter_arches, f)
  if not ok then
    fail(op, subject, "EINVAL", "the filter argument is not an open seccomp.filter: "
         .. (tostring(arches):match("%(E%u+%): (.*)") or tostring(arches)))
  end
  return arches
end

--- The names of every group, sorted.
function policy.groups()
  local list = {}
  for name in pairs(groups) do list[#list + 1] = name end
  table.sort(list)
  return list
end

-- Members of group `name`, nested groups included, each once.
local function members(name)
  local list, seen, visited = {}, {}, {}
  local function walk(group)
    visited[group] = true
    for _, member in ipairs(groups[group]) do
      if member:sub(1, 1) == "@" then
        if groups[member] == nil then
          fail("expand", group, "EINVAL", "unknown group " .. member)
        end
        if not visited[member] then walk(member) end
      elseif not seen[member] then
        seen[member] = true
        list[#list + 1] = member
      end
    end
  end
  walk(name)
  return list
end

-- Splits group `name` for `arches` into its three lists.
local function split_group(name, arches)
  if type(name) ~= "string" or groups[name] == nil then
    fail("expand", tostring(name), "EINVAL", "unknown group")
  end
  local out = { added = {}, skipped = {}, absent = {} }
  for _, member in ipairs(members(name)) do
    local list = out[classify(member, arches)]
    list[#list + 1] = member
  end
  return out.added, out.skipped, out.absent
end

--- The system calls of group `name` ("@basic-io"), nested groups
-- included, as three lists: the names to add (some architecture of the
-- filter `f` has them; without `f`, the native architecture), the names
-- skipped because no architecture knows them, and the names absent from
-- the filter's architectures that another architecture has.
function policy.expand(name, f)
  return split_group(name, arches_of(f, "expand", tostring(name)))
end

--- Plans: lists of { action, name, cmp... } checked, then added in one go.
-- @section plans

local check_cmp = internal.check_cmp

-- The positive integer keys of `t` form 1..n with no hole; returns n.
-- Raises on a hole (a nil where a value was meant) and, unless `extra`
-- names it, on any other key. n is counted by index, and each key is
-- judged alone, walked with next() in a while loop: a `for ... in pairs`
-- loop compiles to ITERN, which Debian 12's LuaJIT 2.1 (a snapshot
-- before the fix of LuaJIT issue 827) can end early once the trace is
-- despecialized, so a count over it saw holes that were not there.
local function sequence(t, op, subject, what, extra)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local k = next(t)
  while k ~= nil do
    if is_integer(k) and k >= 1 then
      if k > n then
        fail(op, subject, "EINVAL", what .. " has a hole: a nil in the middle of the list")
      end
    elseif not (extra and extra[k]) then
      fail(op, subject, "EINVAL", ("%s has a field %s: only a list is allowed")
           :format(what, tostring(k)))
    end
    k = next(t, k)
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
  local n = sequence(entry, op, subject, "a rule", trusted and RULE_FIELDS)
  if entry[1] == nil then
    fail(op, subject, "EINVAL", "a { name, comparator... } rule starts with the syscall")
  end
  if n < 2 and not trusted then
    fail(op, subject, "EINVAL", "a { name, comparator... } rule needs a comparator:"
         .. " a nil comparator would allow every call; write the bare name for that")
  end
  local cmps = {}
  for i = 2, n do
    local c = entry[i]
    local ok, err = pcall(check_cmp, c)
    if type(c) ~= "table" or not ok then
      fail(op, subject, "EINVAL", ("rule field %d is not a comparator from seccomp.arg(i)"
           .. " or seccomp.arg32(i): %s"):format(i, type(c) ~= "table" and "got " .. type(c)
           or tostring(err):match("%(E%u+%): (.*)") or tostring(err)))
    end
    cmps[#cmps + 1] = entry[i]
  end
  return cmps
end

-- A plan for a filter carrying `arches`: the rules to add, and the names
-- skipped and absent (see the top of this file).
-- What classify says of each name, per list of architectures: the
-- answers never change in a process.
local kinds_by_arches = {}

-- The rules are kept as three lists, one entry per rule, so that planning
-- makes no table per rule: actions, names, and comparator lists (nil for
-- none: that list has holes, and is read up to n only).
local function new_plan(arches)
  local key = table.concat(arches, " ")
  local kinds = kinds_by_arches[key]
  if kinds == nil then kinds = {}; kinds_by_arches[key] = kinds end
  return { arches = arches, n = 0, actions = {}, names = {}, cmps = {}, skipped = {},
           absent = {}, kinds = kinds, plain = {}, conditional = {} }
end

-- A rule without comparators is planned once, where it first comes
-- (plain[action][name] says it is); a conditional rule is noted for
-- final_rules, which needs to know every plain rule to decide it.
local function add_to(plan, action, name, cmps)
  local n = plan.n + 1
  if cmps[1] == nil then
    local plain = plan.plain
    local p = plain[action]
    if p == nil then p = {}; plain[action] = p end
    if p[name] then return end
    p[name] = true
    cmps = nil
  else
    local conditional = plan.conditional
    conditional[#conditional + 1] = n
  end
  plan.n = n
  plan.actions[n], plan.names[n], plan.cmps[n] = action, name, cmps
end

local function append(list, items)
  for _, x in ipairs(items) do list[#list + 1] = x end
end

-- The comparators of a bare name (plans never change a rule's list).
local NO_CMPS = {}

local byte, AT = string.byte, string.byte("@")

-- Adds `entry` (a name, a number, a @group, or { name, cmp... }) to `plan`
-- with `action`. A `refusing` list (one that refuses calls) and a
-- `strict` plan raise on a name no architecture knows: a typo there must
-- not leave the call allowed. `trusted` is set for promise data.
local function plan_entry(plan, action, entry, op, refusing, trusted)
  local name, cmps = entry, NO_CMPS
  if type(entry) == "table" then
    name = entry[1]
    cmps = entry_cmps(entry, op, trusted)
  end
  if type(name) ~= "string" then
    if is_integer(name) then
      add_to(plan, action, name, cmps)
      return
    end
    fail(op, tostring(name), "EINVAL", "a rule names a syscall, a number or a @group")
  end
  local names, skipped, absent
  if byte(name) == AT then
    names, skipped, absent = split_group(name, plan.arches)
  else
    -- one name: no lists to make
    local kind = plan.kinds[name]
    if kind == nil then
      kind = classify(name, plan.arches)
      plan.kinds[name] = kind
    end
    if kind == "added" then
      add_to(plan, action, name, cmps)
      return
    elseif kind == "absent" then
      plan.absent[#plan.absent + 1] = name
      return
    end
    names, skipped, absent = {}, { name }, {}
  end
  if skipped[1] ~= nil and (refusing or plan.strict) then
    fail(op, skipped[1], "EINVAL", (refusing and "unknown syscall in a list that refuses"
         .. " calls (a misspelt name would leave the call allowed)"
         or "unknown syscall (strict: no architecture has it)")
         .. (name ~= skipped[1] and ", in " .. name or ""))
  end
  append(plan.skipped, skipped)
  append(plan.absent, absent)
  for _, n in ipairs(names) do add_to(plan, action, n, cmps) end
end

-- plan_entry for each entry of `list`, a name already classified as
-- added taken here at once: most entries are.
local function plan_list(plan, action, list, op, refusing)
  local kinds, actions, names = plan.kinds, plan.actions, plan.names
  for _, entry in ipairs(list) do
    if type(entry) == "string" and byte(entry) ~= AT and kinds[entry] == "added" then
      local plain = plan.plain
      local p = plain[action]
      if p == nil then p = {}; plain[action] = p end
      if not p[entry] then
        p[entry] = true
        local n = plan.n + 1
        plan.n = n
        actions[n], names[n] = action, entry
      end
    else
      plan_entry(plan, action, entry, op, refusing)
    end
  end
end

local function cmp_key(cmps)
  local parts = {}
  for i, c in ipairs(cmps) do parts[i] = tostring(c) end
  return table.concat(parts, " ")
end

-- t[a][b], made if missing.
local function subset(t, a, b)
  local by_a = t[a]
  if by_a == nil then by_a = {}; t[a] = by_a end
  local by_b = by_a[b]
  if by_b == nil then by_b = {}; by_a[b] = by_b end
  return by_b
end

-- The rules of a plan as they are added (n and the three lists):
-- duplicates dropped (plain ones already are, see add_to), and a
-- conditional rule dropped when the same call has the same action
-- unconditionally. Rules are told apart by action, name and comparators
-- as text. Actions are names or integers and names strings or integers
-- (plan_entry adds no other), so the values themselves tell them apart
-- as their text does.
local function final_rules(plan)
  local n, actions, names, cmps = plan.n, plan.actions, plan.names, plan.cmps
  local plain, done, dropped = plan.plain, {}, nil
  for _, i in ipairs(plan.conditional) do
    local action, name = actions[i], names[i]
    local p, keep = plain[action], false
    if not (p and p[name]) then
      local seen, key = subset(done, action, name), cmp_key(cmps[i])
      keep = not seen[key]
      seen[key] = true
    end
    if not keep then
      dropped = dropped or {}
      dropped[i] = true
    end
  end
  if not dropped then return n, actions, names, cmps end
  local out_actions, out_names, out_cmps, m = {}, {}, {}, 0
  for i = 1, n do
    if not dropped[i] then
      m = m + 1
      out_actions[m], out_names[m], out_cmps[m] = actions[i], names[i], cmps[i]
    end
  end
  return m, out_actions, out_names, out_cmps
end

local function dedupe(list)
  local out, seen = {}, {}
  for _, x in ipairs(list) do
    if not seen[x] then seen[x] = true; out[#out + 1] = x end
  end
  return out
end

-- Adds the plan to `f`; records the names skipped on the filter and
-- passes them to Lua's warning system (absent names are not news).
-- Returns the skipped and absent lists.
--
-- A run of rules with one action and no comparators on calls named by
-- strings is added in one call with the list of names: the core checks
-- and adds a list as it does its names one by one, in order. A list adds
-- a call it names twice once, so a run ends before a name whose number
-- it has (two names can share a pseudo number: switch_endian and
-- sys_debug_setcontext on x86_64), and numbers go alone.
local function native_number(name)
  local nr = number_of[name]
  if nr == nil then
    local ok, v = pcall(seccomp.syscall, name)
    nr = ok and v or false
    number_of[name] = nr
  end
  return nr
end

local function apply(f, plan, op)
  local n, actions, names, cmps = final_rules(plan)
  local add = f.add
  local i = 1
  while i <= n do
    local j, action, name = i, actions[i], names[i]
    local nr = not cmps[i] and type(name) == "string" and native_number(name)
    if nr then
      local seen, run = { [nr] = true }, { name }
      while j < n do
        local next_name = names[j + 1]
        if cmps[j + 1] or type(next_name) ~= "string" or actions[j + 1] ~= action then break end
        local next_nr = number_of[next_name]
        if next_nr == nil then next_nr = native_number(next_name) end
        if not next_nr or seen[next_nr] then break end
        seen[next_nr] = true
        j = j + 1
        run[j - i + 1] = next_name
      end
      if j == i then add(f, action, name) else add(f, action, run) end
    elseif cmps[i] then
      add(f, action, name, unpack(cmps[i]))
    else
      add(f, action, name)
    end
    i = j + 1
  end
  local skipped, absent = dedupe(plan.skipped), dedupe(plan.absent)
  if #skipped > 0 then
    f:note_skipped(skipped)
    local warn = rawget(_G, "warn")
    if type(warn) == "function" then
      warn(("seccomp: %s: skipped, no architecture has these system calls: %s")
           :format(op, table.concat(skipped, " ")))
    end
  end
  return skipped, absent
end

--- Promises.
-- @section promises

local by_name = {}
for _, p in ipairs(promise_data.promises) do by_name[p.name] = p end

--- The promise names, in documentation order.
function policy.promises()
  local list = {}
  for i, p in ipairs(promise_data.promises) do list[i] = p.name end
  return list
end

-- The promises this process holds after its last loaded pledge (nil
-- before), and its persona flags then: no promise grants personality(2),
-- so they cannot change while a pledge is loaded.
local held, held_persona

local function parse_promises(promises)
  local list = {}
  if type(promises) == "string" then
    for word in promises:gmatch("%S+") do list[#list + 1] = word end
  elseif type(promises) == "table" then
    for i, word in ipairs(promises) do list[i] = word end
  else
    fail("pledge", tostring(promises), "EINVAL", "promises are a string or a list")
  end
  local set = {}
  for _, word in ipairs(list) do
    if type(word) ~= "string" or by_name[word] == nil then
      fail("pledge", tostring(word), "EINVAL", "unknown promise")
    end
    set[word] = true
  end
  return set
end

local PENALTIES = { kill = "kill", eperm = seccomp.errno("EPERM") }
local PLEDGE_OPTIONS = { penalty = true, load = true, report = true, tsync = true }

-- Every rule a pledge of `set` grants, in a plan for `arches`.
local function plan_pledge(set, arches)
  local plan = new_plan(arches)
  local function add_promise(p)
    if p.calls then plan_list(plan, "allow", p.calls, "pledge") end
    for _, rule in ipairs(p.rules or {}) do
      local granted = rule.unless == nil or not set[rule.unless]
      for _, other in ipairs(rule.also or {}) do
        granted = granted and set[other]
      end
      if granted then
        local action = rule.errno and seccomp.errno(rule.errno) or "allow"
        plan_entry(plan, action, rule, "pledge", false, true)
      end
    end
    for ename, names in pairs(p.errno or {}) do
      plan_list(plan, seccomp.errno(ename), names, "pledge")
    end
  end
  add_promise(promise_data.always)
  for _, p in ipairs(promise_data.promises) do
    if set[p.name] then add_promise(p) end
  end
  return plan
end

--- The rules a pledge of `promises` adds on this architecture, in
-- order, without building a filter: a list of { action =, name =,
-- cmps = { comparator... } }, action being "allow" or an errno action.
function policy.plan(promises)
  local rules = {}
  local n, actions, names, cmps = final_rules(plan_pledge(parse_promises(promises),
                                                         { seccomp.arch_native() }))
  for i = 1, n do
    local list = {}
    for j, c in ipairs(cmps[i] or NO_CMPS) do list[j] = c end
    rules[i] = { action = actions[i], name = names[i], cmps = list }
  end
  return rules
end

-- READ_IMPLIES_EXEC makes every readable mapping executable, so that a
-- pledge without prot_exec would grant executable memory after all.
-- (The flag is one bit: tested with arithmetic, which every Lua parses.)
local READ_IMPLIES_EXEC = seccomp.PER.READ_IMPLIES_EXEC

local function check_persona(set, promises)
  local persona = held_persona or internal.personality()
  if not set.prot_exec and math.floor(persona / READ_IMPLIES_EXEC) % 2 == 1 then
    fail("pledge", type(promises) == "string" and promises or table.concat(promises, " "),
         "EPERM", "the READ_IMPLIES_EXEC persona flag is set (personality(2)), which"
         .. " makes readable memory executable: clear it with personality before the"
         .. " pledge, or promise prot_exec")
  end
  return persona
end

-- LuaJIT's compiler maps its machine code read-write, then mprotects it
-- read-exec, and back to patch it (measured: mmap PROT_READ|PROT_WRITE,
-- then mprotect PROT_READ|PROT_EXEC and PROT_READ|PROT_WRITE in turn,
-- munmap on a flush): under a pledge without prot_exec its next trace
-- kills the process. So that pledge raises while the compiler is on.
local function check_jit(set, promises)
  local jit = rawget(_G, "jit")
  if not set.prot_exec and type(jit) == "table" and jit.status and jit.status() then
    fail("pledge", type(promises) == "string" and promises or table.concat(promises, " "),
         "EPERM", "LuaJIT's compiler is on, and it makes the code it compiles executable"
         .. " with mprotect: call jit.off() before the pledge, or promise prot_exec")
  end
end

--- Restricts this process to `promises` ("stdio rpath" or a list):
-- builds the filter, loads it, and returns it with the lists of names
-- skipped (no architecture knows them) and absent (only other
-- architectures have them). Options: `penalty` = "kill" (default: the
-- process dies with SIGSYS) or "eperm" (a refused call fails with
-- EPERM); `load = false` returns the filter without loading it;
-- `report = true` makes a process the filter kills first print one line
-- naming the call and the promise that would allow it; `tsync = false`
-- loads it into the calling thread only (default: every thread of the
-- process, loaded by thread sync). A later pledge
-- may only narrow: asking for a promise not held before raises. Without
-- prot_exec, pledging raises while READ_IMPLIES_EXEC is set, and loading
-- raises under LuaJIT while its compiler is on (see check_jit).
function policy.pledge(promises, options)
  local set = parse_promises(promises)
  if options ~= nil and type(options) ~= "table" then
    fail("pledge", tostring(options), "EINVAL", "options must be a table")
  end
  options = options or {}
  for k, v in pairs(options) do
    if not PLEDGE_OPTIONS[k] then
      fail("pledge", tostring(k), "EINVAL", "unknown option")
    end
    if k ~= "penalty" and type(v) ~= "boolean" then
      fail("pledge", tostring(k), "EINVAL", "must be true or false, got " .. type(v))
    end
  end
  local penalty = PENALTIES[options.penalty or "kill"]
  if penalty == nil then
    fail("pledge", tostring(options.penalty), "EINVAL",
         "penalty is \"kill\" or \"eperm\"")
  end
  if held then
    for name in pairs(set) do
      if not held[name] then
        fail("pledge", name, "EPERM", "a later pledge may only narrow, and " ..
             name .. " was not promised before")
      end
    end
  end
  local persona = check_persona(set, promises)
  local f = seccomp.filter(penalty)
  -- tsync (default true): every thread of the process, or this one only.
  if options.tsync == false then f:set("tsync", false) end
  local skipped, absent = apply(f, plan_pledge(set, f:arches()), "pledge")
  if options.load ~= false then
    check_jit(set, promises)
    -- os.date reads the time zone file on first use: read it now.
    os.date("*t")
    f:load { report = options.report or nil }
    held, held_persona = set, persona
  end
  return f, skipped, absent
end

--- Declarative policies.
-- @section declarative

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

-- Lists whose calls are not refused: a name there no architecture knows
-- is skipped (unless strict); in every other list it raises.
local GRANTS = { allow = true, log = true }

local COMPILE_OPTIONS = { strict = true }

local function check_table(key, t, what)
  if type(t) ~= "table" then
    fail("compile", key, "EINVAL", "must be " .. what)
  end
  return t
end

-- The table at spec[key], or an empty one when the key is absent; any
-- other value, false included, raises.
local function section(spec, key, what)
  if spec[key] == nil then return {} end
  return check_table(key, spec[key], what)
end

-- A list of rules: a table whose keys are exactly 1..n.
local function check_list(key, list)
  check_table(key, list, "a list of rules")
  sequence(list, "compile", key, "the list")
  return list
end

local function check_compile_options(options)
  if options == nil then return {} end
  if type(options) ~= "table" then
    fail("compile", tostring(options), "EINVAL", "options must be a table")
  end
  for k, v in pairs(options) do
    if not COMPILE_OPTIONS[k] then
      fail("compile", tostring(k), "EINVAL", "unknown option")
    end
    if type(v) ~= "boolean" then
      fail("compile", tostring(k), "EINVAL", "must be true or false, got " .. type(v))
    end
  end
  return options
end

--- A filter (not loaded) from a policy table:
-- { default = "kill", allow = { "@basic-io", "openat",
--   { "write", seccomp.arg(0):eq(1) } }, errno = { EPERM = { "socket" } },
--   log = {...}, trap = {...}, kill = {...}, kill_thread = {...},
--   notify = {...}, trace = { [n] = {...} }, attributes = { tsync = true },
--   arches = { "x86" } }.
-- Every name resolves on every architecture of the filter. Unknown keys
-- raise, and so do names no architecture knows in every list but allow
-- and log, and in those too with `options.strict`. Returns the filter
-- and the lists of names skipped (no architecture knows them) and absent
-- (only architectures the filter does not carry have them).
function policy.compile(spec, options)
  if type(spec) ~= "table" then
    fail("compile", tostring(spec), "EINVAL", "a policy is a table")
  end
  options = check_compile_options(options)
  for key in pairs(spec) do
    if not (IS_ACTION_KEY[key] or key == "default" or key == "errno"
            or key == "trace" or key == "attributes" or key == "arches") then
      fail("compile", tostring(key), "EINVAL", "unknown key")
    end
  end
  local arches = section(spec, "arches", "a list of architecture names")
  sequence(arches, "compile", "arches", "the list")
  local attributes = section(spec, "attributes", "a table of attribute = value")
  local errnos = section(spec, "errno", "a table of errno = list of rules")
  local traces = section(spec, "trace", "a table of number = list of rules")
  local default = spec.default
  if default == nil then
    default = "kill"
  elseif type(default) ~= "string" and type(default) ~= "number" then
    fail("compile", "default", "EINVAL", "must be an action name or value, got " .. type(default))
  end
  local f = seccomp.filter(default)
  for _, arch in ipairs(arches) do f:arch_add(arch) end
  for _, name in ipairs(sorted_keys(attributes)) do f:set(name, attributes[name]) end
  local plan = new_plan(f:arches())
  plan.strict = options.strict
  for _, key in ipairs(ACTION_KEYS) do
    if spec[key] ~= nil then
      plan_list(plan, key, check_list(key, spec[key]), "compile", not GRANTS[key])
    end
  end
  for _, ename in ipairs(sorted_keys(errnos)) do
    local action = seccomp.errno(ename)
    plan_list(plan, action, check_list("errno." .. tostring(ename), errnos[ename]), "compile", true)
  end
  for _, n in ipairs(sorted_keys(traces)) do
    local action = seccomp.trace(n)
    plan_list(plan, action, check_list("trace." .. tostring(n), traces[n]), "compile", true)
  end
  local skipped, absent = apply(f, plan, "compile")
  return f, skipped, absent
end

-- The API expands "@group" names in f:add and f:allow through this layer.
seccomp.set_expander(policy.expand)

return policy

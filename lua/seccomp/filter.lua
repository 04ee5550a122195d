--- The Lua API: filters, rules, comparators, load, check and test, over
-- the C module `seccomp.core`. Filters are userdata whose methods come
-- from the C core (load, pfc, bpf, get, set, ...) and from this file
-- (allow, add with names and groups, ...).
--
-- This module requires only the C core. What it needs from the layers
-- above (expanding "@group" names, the report's hints, the child runner
-- behind `f:test`) they hand it when they load, through the `set_*`
-- functions at the end; the façade `seccomp` (init.lua) wires them, and
-- users require that. Every field but those setters and `internal` (what
-- the layers above use of the core) is re-exported there under the same
-- name, so its doc comments name them `seccomp.x`.
-- @submodule seccomp

local core = require "seccomp.core"

local api = {}
local methods = core.methods

-- Integers and 64-bit values on every Lua (seccomp.compat has the rest,
-- for the layers above; this module uses the core alone). Where numbers
-- are doubles only integers below 2^53 are exact, and a larger value is
-- a string; a value's one form is what core.int64 gives.
local INTEGERS = math.type ~= nil
local int64 = core.int64
local function is_integer(x)
  if INTEGERS then return math.type(x) == "integer" end
  return type(x) == "number" and x > -2 ^ 53 and x < 2 ^ 53 and x == math.floor(x)
end
local band, ult
if INTEGERS then
  -- compiled from text, so that this file parses where & is not syntax
  band = assert(load("return function(a, b) return a & b end"))()
  ult = math.ult
else
  band = function(a, b) return int64("and", a, b) end
  ult = function(a, b) return int64("ult", a, b) end
end
local function one_form(v)
  if type(v) == "number" and (INTEGERS or (v >= 0 and v < 2 ^ 53 and v == math.floor(v))) then
    return v
  end
  return int64("value", v)
end

api._VERSION = "lua-seccomp scm"

-- Module functions the C core provides as they are.
for _, name in ipairs {
  "filter", "errno", "trace", "action", "action_name", "syscall",
  "syscall_name", "arch_native", "arch_token", "arch_name", "version",
  "api_level", "set_api_level", "errno_name", "errno_value",
} do
  api[name] = core[name]
end
api.build_version = core.build_version

-- Action values with their C names (SCMP_ACT_ALLOW, ...).
for name, value in pairs(core) do
  if type(name) == "string" and name:match "^SCMP_ACT_" then
    api[name] = value
  end
end

-- Named constants generated from the C headers (seccomp.O.WRONLY, ...).
if type(core.constants) == "table" then
  for name, value in pairs(core.constants) do
    api[name] = value
  end
end

--- Filters.
-- @section filters

local core_filter = core.filter
local check_unloaded = core.check_unloaded

-- Attribute names `seccomp.filter` takes as options: those `f:set` takes.
local ATTRIBUTES = {}
for _, name in ipairs(core.attribute_names()) do ATTRIBUTES[name] = true end

-- Raises unless every key of `options` is one of `allowed`, a table of
-- key = true (any value) or key = the Lua type its value must have
-- ("boolean", "number").
local function check_options(op, options, allowed, level)
  if type(options) ~= "table" then
    error(("seccomp: %s: Invalid argument (EINVAL): options must be a table, got %s")
          :format(op, type(options)), level + 1)
  end
  for key in pairs(options) do
    if not allowed[key] then
      local names = {}
      for name in pairs(allowed) do names[#names + 1] = name end
      table.sort(names)
      error(("seccomp: %s(%s): Invalid argument (EINVAL): unknown option (%s)")
            :format(op, tostring(key), table.concat(names, ", ")), level + 1)
    end
    local want = allowed[key]
    if want ~= true and type(options[key]) ~= want then
      error(("seccomp: %s(%s): Invalid argument (EINVAL): must be a %s, got %s")
            :format(op, tostring(key), want, type(options[key])), level + 1)
    end
  end
end

--- A new filter with `default` as its action for every call no rule
-- matches. `options` sets attributes by name (see `f:set`).
function api.filter(default, options)
  if default == nil then
    error("seccomp: filter: Invalid argument (EINVAL): the default action is missing "
          .. "(seccomp.filter(\"kill\"), seccomp.filter(\"allow\"), ...)", 2)
  end
  if options ~= nil then check_options("filter", options, ATTRIBUTES, 2) end
  local f = core_filter(default)
  if options ~= nil then
    local names = {}
    for name in pairs(options) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do f:set(name, options[name]) end
  end
  return f
end

-- The subject a refusal names: the syscall (or the first of a list).
local function subject_of(name)
  if type(name) == "table" then name = rawget(name, 1) end
  if type(name) == "string" or is_integer(name) then
    return tostring(name)
  end
  return nil
end

-- An error raised inside the library, without the position Lua added:
-- the caller re-raises it at its user's call site.
local function strip_position(err)
  if type(err) ~= "string" then return tostring(err) end
  return err:match("^[^\n]-:%d+: (seccomp: .*)$") or err
end

-- What the layers above hand this module (see the setters at the end).
local expander      -- expander(name, f): members, skipped; "@group" names
local runner        -- runner(f, fn, options): the result of f:test
local report_hints  -- report_hints(): the hints a violation report prints
local allowed_by    -- allowed_by(name, args): the promises and groups allowing a call

-- Group names ("@basic-io") expand through the policy layer's expander.
-- Unknown members are reported, not fatal.
local skipped_by_filter = setmetatable({}, { __mode = "k" })

local function no_expander(name)
  error(("seccomp: add(%s): Function not implemented (ENOSYS): group names need the "
         .. "policy layer (require \"seccomp\")"):format(tostring(name)))
end

-- The add methods run under their C closures (see the end of the
-- section), so their errors name the level above that frame too.
local function expand_group(name, f)
  local ok, members, skipped = pcall(expander or no_expander, name, f)
  if not ok then error(strip_position(members), 5) end
  return members, skipped
end

local function expand_names(f, names)
  if type(names) == "string" and names:sub(1, 1) == "@" then
    names = { names }
  elseif type(names) ~= "table" then
    return names
  end
  local list = {}
  for i = 1, #names do
    local name = names[i]
    if type(name) == "string" and name:sub(1, 1) == "@" then
      local members, skipped = expand_group(name, f)
      for _, m in ipairs(members) do list[#list + 1] = m end
      if skipped and #skipped > 0 then
        local s = skipped_by_filter[f] or {}
        skipped_by_filter[f] = s
        for _, m in ipairs(skipped) do s[#s + 1] = m end
      end
    else
      list[#list + 1] = name
    end
  end
  if #list == 0 then
    error(#names == 0 and "seccomp: add: Invalid argument (EINVAL): empty list of syscalls"
          or ("seccomp: add(%s): Invalid argument (EINVAL): no syscall of the group exists here")
             :format(tostring(names[1])), 4)
  end
  return list
end

local add_rule, add_rule_exact = methods.add_rule, methods.add_rule_exact
local is_open = methods.is_open

-- Raises unless f is an open filter that was never loaded, before names
-- are expanded; `up` more frames than the caller's caller are the
-- library's.
local function check_filter(f, op, subject, up)
  if not pcall(is_open, f) then
    error(("seccomp: %s: Invalid argument (EINVAL): expected a seccomp.filter, got %s")
          :format(op, type(f)), 3 + (up or 0))
  end
  check_unloaded(f, op, subject)
end

-- The rules of each filter as they were written (after "@group" names
-- expand), for f:explain: the core's record holds what libseccomp was
-- given, where arg32, ne and ranges have become blocks of masked_eq.
-- One flat list per filter, kept by the core with the filter (so that it
-- goes with it, and an add allocates no table: spec/44 measures that),
-- holding for each add: the action value, exact, the number of
-- comparators and of names, the set of architectures the rule applies to
-- (false: the filter's own; a merge brings in rules of other
-- architectures), then arg, op, a, b, bits per comparator, then the
-- names (an add without comparators holds the names' native numbers,
-- which is all f:explain takes from a name). The core's add methods
-- append to it themselves, and keep adds without comparators in C until
-- the list is asked for (src/rules.c).
local HEADER, PER_CMP = 5, 5
-- 5.1's # on a table calls no metamethod, so it is already raw there
local rawlen = rawget(_G, "rawlen") or function(t) return #t end
local written, set_written = core.written, core.set_written

-- Calls fn(at, ncmp, nnames) for each add in `rec`, `at` its first slot.
local function each_add(rec, fn)
  local at = 1
  while rec and rec[at] ~= nil do
    local ncmp, nnames = rec[at + 2], rec[at + 3]
    if fn(at, ncmp, nnames) then return end
    at = at + HEADER + ncmp * PER_CMP + nnames
  end
end

-- Called once the core accepted the rule, so it reads what the core
-- read (comparator fields and lists raw) and raises on nothing.
local function record_written(f, action, names, exact, ...)
  local rec = written(f)
  if not rec then
    rec = {}
    set_written(f, rec)
  end
  local n, at = select("#", ...), #rec
  local list = type(names) == "table"
  local nnames = list and rawlen(names) or 1
  rec[at + 1], rec[at + 2], rec[at + 3] = core.action(action), exact, n
  rec[at + 4], rec[at + 5] = nnames, false
  at = at + HEADER
  for i = 1, n do
    local c = select(i, ...)
    rec[at + 1], rec[at + 2], rec[at + 3] = rawget(c, "arg"), rawget(c, "op"), rawget(c, "a")
    rec[at + 4], rec[at + 5] = rawget(c, "b") or false, rawget(c, "bits") or 64
    at = at + PER_CMP
  end
  for i = 1, nnames do rec[at + i] = list and rawget(names, i) or names end
end

--- Adds a rule: `action` for the syscall `name` (a name, a number, a
-- group such as "@basic-io", or a list of them) when every comparator holds.
function methods.add(f, action, name, ...)
  check_filter(f, "add", subject_of(name), 1)
  local names = expand_names(f, name)
  add_rule(f, action, names, ...)
  record_written(f, action, names, false, ...)
  return f
end

--- Like `add`, but libseccomp must not rewrite the rule for another ABI.
function methods.add_exact(f, action, name, ...)
  check_filter(f, "add_exact", subject_of(name), 1)
  local names = expand_names(f, name)
  add_rule_exact(f, action, names, ...)
  record_written(f, action, names, true, ...)
  return f
end

--- `f:add("allow", name, ...)`.
function methods.allow(f, name, ...)
  check_filter(f, "add", subject_of(name), 1)
  local names = expand_names(f, name)
  add_rule(f, "allow", names, ...)
  record_written(f, "allow", names, false, ...)
  return f
end

-- The three as the core's closures over them: plain names (no group) on
-- an open, unloaded filter are added and recorded as written in that one
-- call; the rest comes here.
methods.add, methods.add_exact, methods.allow =
  core.add_methods(methods.add, methods.add_exact, methods.allow)

-- reset and close forget the written rules (a collected filter's go with
-- it); merge moves them, each keeping the architectures it applies to.
local core_reset, core_merge, core_close = methods.reset, methods.merge, methods.close

function methods.close(f, ...)
  core_close(f, ...)
  set_written(f, nil)
end

function methods.reset(f, ...)
  core_reset(f, ...)
  set_written(f, nil)
  return f
end

-- The architectures of `f` that its own rules (not merged ones) cover.
local function own_arches(f)
  local set, rec = {}, written(f)
  for _, a in ipairs(methods.arches(f)) do set[a] = true end
  each_add(rec, function(at)
    for a in pairs(rec[at + 4] or {}) do set[a] = nil end
  end)
  return set
end

function methods.merge(f, other, ...)
  local from = pcall(is_open, other) and written(other)
  local arches = from and own_arches(other)
  core_merge(f, other, ...)
  if from then
    local rec = written(f) or {}
    set_written(f, rec)
    local base = #rec
    each_add(from, function(at) from[at + 4] = from[at + 4] or arches end)
    for i = 1, #from do rec[base + i] = from[i] end  -- table.move is 5.3+
    set_written(other, nil)
  end
  return f
end

local core_priority = methods.priority

--- Gives libseccomp a hint to check syscall `name` earlier (0..255).
function methods.priority(f, name, priority)
  check_filter(f, "priority", subject_of(name))
  return core_priority(f, name, priority)
end

-- Records names the policy layer skipped while building this filter: an
-- internal of the policy layer, not public API (docs/API.md leaves it out).
function methods.note_skipped(f, names)
  check_filter(f, "note_skipped")
  if type(names) ~= "table" then
    error("seccomp: note_skipped: Invalid argument (EINVAL): names must be a list, got "
          .. type(names), 2)
  end
  for _, m in ipairs(names) do
    if type(m) ~= "string" then
      error("seccomp: note_skipped: Invalid argument (EINVAL): names must be strings", 2)
    end
  end
  local s = skipped_by_filter[f] or {}
  skipped_by_filter[f] = s
  for _, m in ipairs(names) do s[#s + 1] = m end
end

--- Names a group or policy named that no architecture of this libseccomp
-- knows (names only other architectures have are not recorded).
function methods.skipped(f)
  local list = {}
  for i, name in ipairs(skipped_by_filter[f] or {}) do list[i] = name end
  return list
end

local load_filter = core.load_filter
local LOAD_OPTIONS = { report = true, report_fd = "number", stack = "boolean" }
local supervise  -- supervise(f, options): the report's supervisor (set_supervisor)

--- Loads the filter into the kernel for this process (and, with tsync,
-- all its threads); from then on the filter is frozen. Options:
-- `report = true` makes a process a rule kills print one line naming the
-- call to stderr (or to `report_fd`) first, through a supervisor process
-- outside the sandbox; `report = "errno"` also names calls refused with an
-- errno; `report = "signal"` prints it from a SIGSYS handler inside the
-- process instead (weaker: see the README); `stack = true` loads a filter
-- that is already loaded once more, on top of itself.
function methods.load(f, options)
  if options == nil then return load_filter(f) end
  check_options("load", options, LOAD_OPTIONS, 2)
  local report = options.report
  if report ~= nil and report ~= true and report ~= false and report ~= "errno"
     and report ~= "signal" then
    error(("seccomp: load(report): Invalid argument (EINVAL): must be a boolean, got %s "
           .. "(report is true, false, \"errno\" or \"signal\")")
          :format(type(report) == "string" and ("%q"):format(report) or type(report)), 2)
  end
  if options.report_fd ~= nil and not report then
    error("seccomp: load(report_fd): Invalid argument (EINVAL): report_fd needs report = true", 2)
  end
  if report == "signal" then
    -- the SIGSYS handler that prints the line; kills become traps for it
    core.report_install(report_hints and report_hints() or nil, options.report_fd or 2)
    return load_filter(f, { kill_as_trap = true, stack = options.stack })
  end
  if report then
    if not supervise then
      error("seccomp: load(report): Function not implemented (ENOSYS): report = true needs "
            .. "the supervisor (require \"seccomp\")", 2)
    end
    local ok, err = pcall(supervise, f, { report_fd = options.report_fd, stack = options.stack,
                                          errno = report == "errno" })
    if not ok then error(strip_position(err), 2) end
    return f
  end
  return load_filter(f, { stack = options.stack })
end

local core_load_bpf = core.load_bpf

--- Loads a saved program, what `f:bpf()` wrote (a string, or a file
-- opened for reading), into this process without building a filter.
-- Options as a filter's load: `tsync` (default true), `log`,
-- `spec_allow`, `no_new_privs` (default true). The program must be whole
-- instructions, at most 4096, and start with libseccomp's architecture
-- check for this process's architecture.
function api.load_bpf(program, options)
  if io.type(program) == "file" then
    local bytes, err = program:read("*a")
    if not bytes then
      error("seccomp: load_bpf: Input/output error (EIO): cannot read the file: "
            .. tostring(err), 2)
    end
    program = bytes
  end
  local ok, err = pcall(core_load_bpf, program, options)
  if not ok then error(strip_position(err), 2) end
end

--- Runs `fn` in a child process with the filter loaded; says how it ended.
function methods.test(f, fn, options)
  if not runner then
    error("seccomp: test: Function not implemented (ENOSYS): f:test needs the child runner "
          .. "(require \"seccomp\")", 2)
  end
  -- not a filter: the core's own refusal, before the runner indexes it
  local is_filter, refusal = pcall(methods.is_open, f)
  if not is_filter then error((strip_position(refusal):gsub("^seccomp: is_open:", "seccomp: test:")), 2) end
  local ok, result = pcall(runner, f, fn, options)
  if not ok then error(strip_position(result), 2) end
  return result
end

--- Explaining a decision.
-- @section explain

local core_check = methods.check

-- Whether written comparator `c` holds for argument list `args` (already
-- as the kernel hands them to the filter): unsigned, arg32 on the low 32
-- bits only.
local function cmp_holds(c, args)
  local v, a, b = args[c.arg + 1], one_form(c.a), one_form(c.b or 0)
  if c.bits == 32 then v, a, b = band(v, 0xffffffff), band(a, 0xffffffff), band(b, 0xffffffff) end
  local op = c.op
  if op == "eq" then return v == a end
  if op == "ne" then return v ~= a end
  if op == "lt" then return ult(v, a) end
  if op == "le" then return not ult(a, v) end
  if op == "gt" then return ult(a, v) end
  if op == "ge" then return not ult(v, a) end
  if op == "masked_eq" then return band(v, a) == b end
  return false
end

-- A name as a rule was given it: its native number and name (nil when
-- the number has none).
local function rule_name(name)
  local nr = is_integer(name) and name
  if not nr then
    local ok, got = pcall(core.syscall, name)
    nr = ok and got or nil
  end
  local ok, native = pcall(core.syscall_name, nr)
  return nr, ok and native or nil
end

-- The number on `arch` of the syscall a rule names (nil if none).
local function rule_nr(nr, name, arch, native)
  if arch == native then return nr end
  if not name then return nil end
  local ok, there = pcall(core.syscall, name, arch)
  return ok and there or nil
end

local function explain_error(err)
  err = strip_position(err)
  return (err:gsub("^seccomp: check", "seccomp: explain", 1))
end

--- Which rule decides the call `name` (a name or a number) with `args`
-- (up to six integers, missing ones 0) on `arch` (default: native): a
-- table `{ syscall =, nr =, arch =, action =, data =, rule =, default =,
-- badarch =, allowed_by = { promises =, groups = } }`. `action` and
-- `data` are what `f:check` answers (the filter's program, simulated);
-- `rule` is the rule as written (`{ action =, data =, syscall =, exact =,
-- comparators = { { arg =, op =, a =, b =, bits = }... } }`) that matches
-- the call with that action, the first one added; nil when the default
-- action decided (`default = true`) or the architecture is not in the
-- filter (`badarch = true`). `allowed_by` names the promise sets and
-- groups that would allow the call.
function methods.explain(f, name, args, arch)
  if not pcall(is_open, f) then
    error(("seccomp: explain: Invalid argument (EINVAL): expected a seccomp.filter, got %s")
          :format(type(f)), 2)
  end
  if not allowed_by then
    error("seccomp: explain: Function not implemented (ENOSYS): f:explain needs the policy "
          .. "index (require \"seccomp\")", 2)
  end
  local ok, action, data = pcall(core_check, f, name, args, arch)
  if not ok then error(explain_error(action), 2) end
  local native = core.arch_native()
  arch = arch == nil and native or core.arch_name(core.arch_token(arch))
  if arch == "native" then arch = native end
  local nr = is_integer(name) and name or core.syscall(name, arch)
  local named, sysname = pcall(core.syscall_name, nr, arch)
  sysname = named and sysname or nil
  -- the arguments as the kernel hands them to the filter (see f:check):
  -- cut to 32 bits on 32-bit architectures (x32 calls arrive as x86_64's)
  local wide = arch == "x32" or band(core.arch_token(arch), 0x80000000) ~= 0
  local seen = {}
  for i = 1, 6 do
    local v = args and rawget(args, i) ~= nil and one_form(rawget(args, i)) or 0
    seen[i] = wide and v or band(v, 0xffffffff)
  end
  local result = { syscall = sysname, nr = nr, arch = arch, action = action, data = data,
                   default = false, badarch = false }
  local carried = {}
  for _, a in ipairs(methods.arches(f)) do carried[a] = true end
  if not carried[arch] then
    result.badarch = true
  else
    local own, rec = own_arches(f), written(f)
    each_add(rec, function(at, ncmp, nnames)
      local rname, rdata = core.action_name(rec[at])
      local arches = rec[at + 4]
      local applies = arches and arches[arch] or (not arches and own[arch])
      if not (applies and rname == action and (action == "trap" or rdata == data)) then
        return false
      end
      local cmps, all = {}, true
      for i = 1, ncmp do
        local c0 = at + HEADER + (i - 1) * PER_CMP
        local c = { arg = rec[c0], op = rec[c0 + 1], a = rec[c0 + 2],
                    b = rec[c0 + 3] or nil, bits = rec[c0 + 4] }
        cmps[i] = c
        if all and not cmp_holds(c, seen) then all = false end
      end
      if not all then return false end
      local names = at + HEADER + ncmp * PER_CMP
      for k = names, names + nnames - 1 do
        local rnr, rnative = rule_name(rec[k])
        if rule_nr(rnr, rnative, arch, native) == nr then
          result.rule = { action = rname, data = rdata, syscall = rnative or rnr,
                          exact = rec[at + 1], comparators = cmps }
          return true
        end
      end
    end)
    if not result.rule then
      local dname, ddata = core.action_name(f:get("default_action"))
      result.default = dname == action and (ddata == data or action == "trap")
    end
  end
  local hints_ok, hints = pcall(allowed_by, sysname, seen)
  if not hints_ok then error(strip_position(hints), 2) end
  result.allowed_by = hints
  return result
end

--- Comparators.
-- @section comparators

-- Methods and metatables are kept apart, and the metatables hidden, so
-- that no code holding a comparator can reach and change them.
local Arg = {}
local ArgMeta = { __index = Arg, __metatable = false }

local Comparator = { __metatable = false }

-- A value in a comparator's text: an integer as %d or 0x%x; a value kept
-- as a string (past 2^53 where numbers are doubles) as it is, "0x...".
local function value_text(v, hex)
  if type(v) == "number" then return (hex and "0x%x" or "%d"):format(v) end
  return tostring(v)
end

function Comparator.__tostring(c)
  local name = c.bits == 32 and "arg32" or "arg"
  if c.op == "masked_eq" then
    return ("%s(%d):masked_eq(%s, %s)"):format(name, c.arg, value_text(c.a, true),
                                               value_text(c.b, true))
  end
  return ("%s(%d):%s(%s)"):format(name, c.arg, c.op, value_text(c.a))
end

local check_cmp = core.check_cmp

-- A value as the user wrote it, for messages: strings quoted.
local function shown(v)
  if type(v) == "string" then
    return (("%q"):format(v):gsub("\\\n", "\\n"))
  end
  return tostring(v)
end

local function argument(bits, i)
  local name = bits == 32 and "arg32" or "arg"
  if not is_integer(i) then
    error(("seccomp: %s: Invalid argument (EINVAL): argument index must be an integer 0..5, got %s%s")
          :format(name, type(i) == "string" and "the string " or "", shown(i)), 3)
  end
  if i < 0 or i > 5 then
    error(("seccomp: %s: Numerical result out of range (ERANGE): argument index must be an integer 0..5, got %d")
          :format(name, i), 3)
  end
  return setmetatable({ arg = i, bits = bits }, ArgMeta)
end

-- seccomp.arg and seccomp.arg32 keep `argument` out of tail position:
-- a tail call would drop their frame, and its error level 3 would then
-- name the wrong line.

--- The whole 64-bit argument `i` (0..5).
function api.arg(i)
  local a = argument(64, i)
  return a
end

--- The low 32 bits of argument `i`: for C int and unsigned arguments,
-- whose high bits the kernel ignores and a caller may fill with garbage.
function api.arg32(i)
  local a = argument(32, i)
  return a
end

-- Values are checked by the core first, then kept in their one form: a
-- string or cdata written for a value becomes what the core reads, so
-- equal values compare equal.
local function comparator(arg, op, a, b)
  local c = check_cmp(setmetatable({ arg = arg.arg, bits = arg.bits, op = op, a = a, b = b },
                                   Comparator))
  c.a = one_form(a)
  if b ~= nil then c.b = one_form(b) end
  return c
end

function Arg:eq(v) return comparator(self, "eq", v) end
function Arg:ne(v) return comparator(self, "ne", v) end
function Arg:lt(v) return comparator(self, "lt", v) end
function Arg:le(v) return comparator(self, "le", v) end
function Arg:gt(v) return comparator(self, "gt", v) end
function Arg:ge(v) return comparator(self, "ge", v) end

--- `(arg & mask) == value`.
function Arg:masked_eq(mask, v) return comparator(self, "masked_eq", mask, v) end

--- Every bit set in the argument is also set in `allowed`.
function Arg:flags_in(allowed)
  check_cmp { arg = self.arg, bits = self.bits, op = "eq", a = allowed }
  local mask = int64("not", allowed)
  if self.bits == 32 then mask = int64("and", mask, 0xffffffff) end
  return comparator(self, "masked_eq", mask, 0)
end

-- For the layers above: what the policy layer and tools use from the
-- C core, which they do not require themselves. Not re-exported by the
-- façade, not public API (nor in the LDoc reference).

api.internal = {
  -- check_cmp(c): raises unless `c` is a comparator the core accepts
  check_cmp = core.check_cmp,
  -- sub-calls libseccomp multiplexes through socketcall or ipc: name -> multiplexer
  multiplexed_calls = core.multiplexed_calls,
  -- personality(): this process's persona flags (personality(2))
  personality = core.personality,
  -- arches(f): f:arches(), raising (not indexing) when f is not a filter
  arches = methods.arches,
  -- bpf_run(program, arch_token, nr, args): the simulator's action for a call
  bpf_run = core.bpf_run,
  -- the names of the constant tables (O, AT, E, ...), from the core
  constant_tables = core.constant_tables,
  -- load_filter(f, options): a load with the variant options (the supervisor's)
  load_filter = core.load_filter,
  -- the supervisor's process primitives (src/supervisor.c)
  supervisor = {
    fork = core.fork, wait = core.wait, exit = core.exit, getpid = core.getpid,
    handover_new = core.handover_new, handover_offer = core.handover_offer,
    handover_take = core.handover_take, handover_cancel = core.handover_cancel,
    handover_helper = core.handover_helper, supervisor_wait = core.supervisor_wait,
    supervisor_end = core.supervisor_end, supervisor_detach = core.supervisor_detach,
    supervisor_interactive = core.supervisor_interactive,
    proc_tgid = core.proc_tgid, proc_exe = core.proc_exe, parent_death = core.parent_death,
    exit_like = core.exit_like, bpf_returns = core.bpf_returns,
    filters_loaded = core.filters_loaded, report_install = core.report_install,
  },
}

-- rules(f): the rules of f as written, in the order added (what
-- seccomp.oci writes out): { action = value, exact =, arches = set or
-- false (the filter's own), comparators = { { arg, op, a, b, bits }... },
-- names = { ... } } each.
function api.internal.rules(f)
  if not pcall(is_open, f) then
    error(("seccomp: rules: Invalid argument (EINVAL): expected a seccomp.filter, got %s")
          :format(type(f)), 2)
  end
  local list, rec = {}, written(f)
  each_add(rec, function(at, ncmp, nnames)
    local cmps, names = {}, {}
    for i = 1, ncmp do
      local c0 = at + HEADER + (i - 1) * PER_CMP
      cmps[i] = { arg = rec[c0], op = rec[c0 + 1], a = rec[c0 + 2],
                  b = rec[c0 + 3] or nil, bits = rec[c0 + 4] }
    end
    local first = at + HEADER + ncmp * PER_CMP
    for k = 1, nnames do names[k] = rec[first + k - 1] end
    list[#list + 1] = { action = rec[at], exact = rec[at + 1], arches = rec[at + 4],
                        comparators = cmps, names = names }
  end)
  return list
end

-- Wiring: what the layers above hand this module when they load. Not
-- public API either.

-- Each setter takes a function (or nil to unset) and returns the one it
-- replaces. The façade does not re-export them.
local function check_hook(op, fn)
  if fn ~= nil and type(fn) ~= "function" then
    error(("seccomp: %s: Invalid argument (EINVAL): expected a function, got %s")
          :format(op, type(fn)), 3)
  end
end

-- Sets how "@group" names expand: `fn(name, f)` returns the member
-- names to add to `f` and the ones skipped (unknown here).
function api.set_expander(fn)
  check_hook("set_expander", fn)
  local old = expander
  expander = fn
  return old
end

-- Sets the child runner behind `f:test(fn, options)`: `fn(f, fn, options)`.
function api.set_runner(fn)
  check_hook("set_runner", fn)
  local old = runner
  runner = fn
  return old
end

-- Sets what `f:explain` says would allow a call: `fn(name, args)`
-- returns `{ promises = {...}, groups = {...} }` (name nil for a number
-- no syscall has).
function api.set_allowed_by(fn)
  check_hook("set_allowed_by", fn)
  local old = allowed_by
  allowed_by = fn
  return old
end

-- Sets the supervisor behind `f:load{ report = true }`: `fn(f, { report_fd
-- =, stack =, errno = })` loads f with one watching it.
function api.set_supervisor(fn)
  check_hook("set_supervisor", fn)
  local old = supervise
  supervise = fn
  return old
end

-- Sets where `f:load{ report = "signal" }` gets its hints: `fn()` returns
-- the table `core.report_install` takes.
function api.set_report_hints(fn)
  check_hook("set_report_hints", fn)
  local old = report_hints
  report_hints = fn
  return old
end

return api

--- Explaining a refused call: which promises and groups would allow it
-- (what `f:explain` gets handed as `allowed_by`, from seccomp.policy_index),
-- and the text `lua-seccomp explain` prints for an explanation.
-- @module seccomp.explain

local api = require "seccomp.filter"
local policy_index = require "seccomp.policy_index"
local compat = require "seccomp.compat"

local explain = {}

local function fail(op, subject, detail)
  error(("seccomp: %s(%s): Invalid argument (EINVAL): %s"):format(op, subject, detail), 0)
end

--- What would allow call `name` (nil for a number no syscall has): `{
-- promises = { "rpath", "cpath wpath", ... }, groups = { "@file-system",
-- ... } }`. With `args` (a list of six integers) a promise entry is a
-- set of promises that together allow the call with exactly those
-- arguments, as `seccomp.pledge` takes them; without, it is a promise
-- that allows the call with any arguments, and `some_arguments` lists
-- those that allow it only for some (or only with other promises).
-- Groups hold the call whatever its arguments, smallest first.
function explain.allowed_by(name, args)
  local out = { promises = {}, groups = {} }
  if name == nil then
    if args == nil then out.some_arguments = {} end
    return out
  end
  if args ~= nil then
    for _, set in ipairs(policy_index.allowing(name, args)) do
      out.promises[#out.promises + 1] = table.concat(set, " ")
    end
  else
    out.some_arguments = {}
    for _, p in ipairs(policy_index.promises_for(name)) do
      local list = p.full and out.promises or out.some_arguments
      list[#list + 1] = p.promise
    end
  end
  out.groups = policy_index.groups_for(name)
  return out
end

-- The constant named `word` ("O_WRONLY", "AT_FDCWD"): the longest
-- table name (O, AT, PROT, ...) that prefixes it, then the rest.
local function constant(word)
  local best
  for _, t in ipairs(api.internal.constant_tables) do
    if word:sub(1, #t + 1) == t .. "_" and (not best or #t > #best) and type(api[t]) == "table"
       and compat.is_integer(api[t][word:sub(#t + 2)]) then
      best = t
    end
  end
  return best and api[best][word:sub(#best + 2)]
end

--- An argument as a user writes it: an integer (decimal, 0x hex, maybe
-- negative), a named constant the library knows (O_WRONLY, AT_FDCWD), or
-- several joined by "|", which are OR-ed. Raises on anything else.
function explain.parse_arg(text)
  if type(text) ~= "string" or text == "" then
    fail("explain", tostring(text), "an argument must be an integer or a constant name")
  end
  local value = 0
  for part in (text .. "|"):gmatch("([^|]*)|") do
    local v
    if part:match("^%-?%d+$") or part:match("^0[xX]%x+$") then
      local ok, exact = pcall(compat.value, part)  -- exact past 2^53 on every Lua
      v = ok and exact or nil
    elseif part:match("^%-0[xX]%x+$") then
      local ok, exact = pcall(compat.value, part:sub(2))
      v = ok and compat.mul(exact, -1) or nil
    end
    if v == nil and part:match("^[%u][%u%d_]*$") then v = constant(part) end
    if v == nil then
      fail("explain", text, ("%q is neither an integer nor a constant name the library knows")
                            :format(part))
    end
    value = compat.bor(value, v)
  end
  return value
end

-- A number as the messages show arguments: small ones in decimal.
local function number(v)
  if v >= -4096 and v < 0x10000 then return tostring(v) end
  return ("0x%x"):format(v)
end

--- A call as text, with the arguments given: "openat(-100, 0, 65)"
-- ("openat" with no argument list).
function explain.call_text(name, args)
  if args == nil then return name end
  local shown = {}
  for i, v in ipairs(args or {}) do shown[i] = number(v) end
  return ("%s(%s)"):format(name, table.concat(shown, ", "))
end

--- A rule of an explanation as text: "errno(13) openat arg32(2):masked_eq(0x3, 0x1)".
function explain.rule_text(rule)
  local parts = { rule.data and ("%s(%d)"):format(rule.action, rule.data) or rule.action,
                  tostring(rule.syscall) }
  for _, c in ipairs(rule.comparators) do
    local arg = c.bits == 32 and "arg32" or "arg"
    if c.op == "masked_eq" then
      parts[#parts + 1] = ("%s(%d):masked_eq(0x%x, 0x%x)"):format(arg, c.arg, c.a, c.b)
    else
      parts[#parts + 1] = ("%s(%d):%s(%s)"):format(arg, c.arg, c.op, number(c.a))
    end
  end
  if rule.exact then parts[#parts + 1] = "(exact)" end
  return table.concat(parts, " ")
end

--- An action as `lua-seccomp check` prints it: "errno 13 EACCES", "trace 7".
function explain.action_text(action, data)
  if action == "errno" then
    local ename = api.errno_name(data)
    return ("errno %d%s"):format(data, ename and (" " .. ename) or "")
  end
  return data and (action .. " " .. data) or action
end

--- The lines "allowed by promises: ..." and "allowed by groups: ...".
function explain.allowed_text(allowed)
  local promises = {}
  for i, p in ipairs(allowed.promises) do promises[i] = p:find(" ") and ("%q"):format(p) or p end
  for _, p in ipairs(allowed.some_arguments or {}) do
    promises[#promises + 1] = p .. " (some arguments)"
  end
  return {
    "allowed by promises: " .. (#promises > 0 and table.concat(promises, ", ") or "(none)"),
    "allowed by groups: " .. (#allowed.groups > 0 and table.concat(allowed.groups, ", ")
                              or "(none)"),
  }
end

--- The lines `lua-seccomp explain --policy` prints for explanation `e`
-- (what `f:explain` returns).
function explain.lines(e, args)
  local lines = {
    ("call: %s on %s"):format(explain.call_text(e.syscall or tostring(e.nr), args), e.arch),
    "action: " .. explain.action_text(e.action, e.data),
  }
  if e.rule then
    lines[#lines + 1] = "decided by: rule " .. explain.rule_text(e.rule)
  elseif e.badarch then
    lines[#lines + 1] = ("decided by: the bad-architecture action (the filter does not "
                         .. "carry %s)"):format(e.arch)
  elseif e.default then
    lines[#lines + 1] = "decided by: the default action (no rule matches)"
  else
    lines[#lines + 1] = "decided by: a rule libseccomp derived (no rule as written matches; "
                        .. "a multiplexed form of a call, socketcall or ipc)"
  end
  for _, line in ipairs(explain.allowed_text(e.allowed_by)) do lines[#lines + 1] = line end
  return lines
end

return explain

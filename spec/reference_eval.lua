--- Reference evaluator: predicts the action a rule set gives one syscall.
--
-- Written from the seccomp and libseccomp documentation only, without
-- reading the BPF the binding produces, so that comparing its prediction
-- with the kernel's verdict checks the binding, libseccomp and this file
-- against each other.
--
-- A rule set is
--   { default = action, rules = { { action =, nr =, cmps = { cmp... } }... } }
-- and a comparator is the table seccomp.arg(i) / seccomp.arg32(i) return:
--   { arg = 0..5, op = "eq"|"ne"|"lt"|"le"|"gt"|"ge"|"masked_eq",
--     a = datum (or mask), b = value for masked_eq, bits = 64 | 32 }
-- Arguments are Lua integers holding the 64-bit register value.

local compat = require "seccomp.compat"

local M = {}

local LOW32 = 0xffffffff
local ult = compat.ult

--- Does comparator `c` hold for the argument values `args` (1-based)?
function M.compare(c, args)
  local x, a, b = args[c.arg + 1] or 0, c.a, c.b or 0
  if c.bits == 32 then
    -- an int argument: the kernel ignores the high half, so do we
    x, a, b = compat.band(x, LOW32), compat.band(a, LOW32), compat.band(b, LOW32)
  end
  local op = c.op
  if op == "eq" then return x == a
  elseif op == "ne" then return x ~= a
  elseif op == "lt" then return ult(x, a)
  elseif op == "le" then return x == a or ult(x, a)
  elseif op == "gt" then return ult(a, x)
  elseif op == "ge" then return x == a or ult(a, x)
  elseif op == "masked_eq" then return (compat.band(x, a)) == b
  end
  error("reference_eval: unknown comparator op " .. tostring(op))
end

--- Do all comparators of `rule` hold (an empty list always holds)?
function M.matches(rule, args)
  for _, c in ipairs(rule.cmps or {}) do
    if not M.compare(c, args) then return false end
  end
  return true
end

--- The action for syscall `nr` with arguments `args`.
-- Rules on one syscall are alternatives: any rule that matches gives its
-- action, otherwise the default applies. Two matching rules with
-- different actions have no defined order in libseccomp, so that case is
-- an error here and rule sets must avoid it.
function M.evaluate(set, nr, args)
  local found
  for _, rule in ipairs(set.rules) do
    if rule.nr == nr and M.matches(rule, args) then
      if found ~= nil and found ~= rule.action then
        error("reference_eval: two matching rules with different actions", 2)
      end
      found = rule.action
    end
  end
  if found == nil then return set.default end
  return found
end

return M

--- Violation reports: `f:load{ report = true }` makes a process that a
-- rule kills print one line to stderr first, for example
--
--     seccomp: killed: openat(4294967196, 0x5581c0a2f2a0, 524288, 0, 0, 0); allowed by promise rpath, @file-system
--
-- The work is done in C (report.c): the filter's own program is loaded
-- with its kill returns rewritten into traps (it decides every call as
-- the filter does), and a SIGSYS handler formats the line from tables
-- prepared here, writes it and ends what the kill would have ended: the
-- process, or for kill_thread the calling thread (the line then starts
-- "seccomp: thread killed:"). No Lua runs in the handler. The line needs write() on the report fd: a filter
-- that refuses write itself still kills, silently. A SIGSYS that no
-- seccomp trap raised (kill, sigqueue) is not reported: the process ends
-- by SIGSYS as it would without the handler, and no call is re-issued.
-- @module seccomp.report

local child = require "seccomp.child"
local policy_index = require "seccomp.policy_index"

local report = {}

--- Every syscall name the policy layer knows, mapped to the promises
-- that grant it (`promises[name]` = list of promise names, "(some
-- arguments)" when only some arguments are allowed) and the groups that
-- contain it, smallest group first: seccomp.policy_index's answers.
function report.index()
  local by_promise, by_group = {}, {}
  for _, g in ipairs(policy_index.groups()) do
    for _, name in ipairs(policy_index.group_members(g)) do
      by_group[name] = by_group[name] or policy_index.groups_for(name)
    end
  end
  for _, name in ipairs(policy_index.calls()) do
    local list = {}
    for i, grant in ipairs(policy_index.promises_for(name)) do
      list[i] = grant.full and grant.promise or grant.promise .. " (some arguments)"
    end
    if #list > 0 then by_promise[name] = list end
  end
  return by_promise, by_group
end

-- The hints, made once: the data they come from does not change.
local hints

--- The hint text per syscall name: "promise rpath, @file-system".
function report.hints()
  if hints then return hints end
  local by_promise, by_group = report.index()
  local made = {}
  local names = {}
  for name in pairs(by_promise) do names[name] = true end
  for name in pairs(by_group) do names[name] = true end
  for name in pairs(names) do
    local parts = {}
    local ps = by_promise[name]
    if ps then
      parts[#parts + 1] = "promise " .. table.concat(ps, " or ", 1, math.min(#ps, 3))
    end
    local gs = by_group[name]
    if gs then parts[#parts + 1] = table.concat(gs, ", ", 1, math.min(#gs, 2)) end
    made[name] = table.concat(parts, ", ")
  end
  hints = made
  return hints
end

--- Prepares the report tables and installs the SIGSYS handler; the
-- caller then loads the filter with kills as traps. Options: `report_fd`
-- (default 2, stderr).
function report.install(_, options)
  child.install_report(report.hints(), options and options.report_fd or 2)
end

return report

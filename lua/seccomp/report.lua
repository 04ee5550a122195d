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

local core = require "seccomp.core"

local report = {}

-- Members of a group, nested groups expanded.
local function members(groups, name, out, seen)
  if seen[name] then return out end
  seen[name] = true
  for _, m in ipairs(groups[name] or {}) do
    if m:sub(1, 1) == "@" then members(groups, m, out, seen) else out[m] = true end
  end
  return out
end

--- Every syscall name the policy layer knows, mapped to the promises
-- that grant it (`promises[name]` = list of promise names, "(args)" when
-- only some arguments are allowed) and the groups that contain it,
-- smallest group first.
function report.index()
  local groups = require "seccomp.groups"
  local data = require "seccomp.promises"
  local by_promise, by_group = {}, {}
  local function add(t, name, what)
    local list = t[name] or {}
    t[name] = list
    for _, x in ipairs(list) do if x == what then return end end
    list[#list + 1] = what
  end
  for _, p in ipairs(data.promises) do
    for _, call in ipairs(p.calls or {}) do
      if call:sub(1, 1) == "@" then
        for m in pairs(members(groups, call, {}, {})) do add(by_promise, m, p.name) end
      else
        add(by_promise, call, p.name)
      end
    end
    for _, rule in ipairs(p.rules or {}) do
      local list = by_promise[rule[1]]
      local full = false
      for _, x in ipairs(list or {}) do if x == p.name then full = true end end
      if not full then add(by_promise, rule[1], p.name .. " (some arguments)") end
    end
  end
  local sizes = {}
  for gname in pairs(groups) do
    local set, n = members(groups, gname, {}, {}), 0
    for m in pairs(set) do
      n = n + 1
      add(by_group, m, gname)
    end
    sizes[gname] = n
  end
  for _, list in pairs(by_group) do
    table.sort(list, function(a, b)
      if sizes[a] ~= sizes[b] then return sizes[a] < sizes[b] end
      return a < b
    end)
  end
  return by_promise, by_group
end

-- The hints, made once per process: the data they come from is fixed.
local hints_made

--- The hint text per syscall name: "promise rpath, @file-system".
function report.hints()
  if hints_made then return hints_made end
  local by_promise, by_group = report.index()
  local hints = {}
  local names = {}
  for name in pairs(by_promise) do names[name] = true end
  for name in pairs(by_group) do names[name] = true end
  for name in pairs(names) do
    local parts = {}
    local ps = by_promise[name]
    if ps then parts[#parts + 1] = "promise " .. table.concat(ps, " or ", 1, math.min(#ps, 3)) end
    local gs = by_group[name]
    if gs then parts[#parts + 1] = table.concat(gs, ", ", 1, math.min(#gs, 2)) end
    hints[name] = table.concat(parts, ", ")
  end
  hints_made = hints
  return hints
end

--- Prepares the report tables and installs the SIGSYS handler; the
-- caller then loads the filter with kills as traps. Options: `report_fd`
-- (default 2, stderr).
function report.install(_, options)
  core.report_install(report.hints(), options and options.report_fd or 2)
end

return report

--- lua-seccomp: Linux seccomp filters for Lua.
-- The façade: the only module a user needs. It re-exports the Lua API
-- (`seccomp.filter`, over the C core) and the policy layer and tools,
-- which load on first use, and hands the API what it needs from them.
-- Nothing below requires this module.
-- @module seccomp

local api = require "seccomp.filter"

local seccomp = {}

-- The API's wiring setters and internals stay in seccomp.filter.
local WIRING = { set_expander = true, set_runner = true, set_report_hints = true,
                 set_allowed_by = true, set_supervisor = true, internal = true }
for name, value in pairs(api) do
  if not WIRING[name] then seccomp[name] = value end
end

-- What the API needs from the layers above, each loaded when first used.
api.set_expander(function(name, f) return require("seccomp.policy").expand(name, f) end)
api.set_runner(function(f, fn, options) return require("seccomp.runner").test(f, fn, options) end)
api.set_report_hints(function() return require("seccomp.report").hints() end)
api.set_allowed_by(function(name, args) return require("seccomp.explain").allowed_by(name, args) end)
api.set_supervisor(function(f, options) return require("seccomp.supervisor").load(f, options) end)

--- Policy layer and tools, loaded on first use.
-- @section lazy

function seccomp.pledge(...) return require("seccomp.policy").pledge(...) end
function seccomp.compile(...) return require("seccomp.policy").compile(...) end
function seccomp.groups(...) return require("seccomp.policy").groups(...) end
function seccomp.learn(...) return require("seccomp.learn").learn(...) end
function seccomp.promises(...) return require("seccomp.policy").promises(...) end

-- Modules reached as fields, loaded on first use: user notification
-- (receive, respond, id_valid on a notify fd), policy files
-- (seccomp.policy_file.load_file(path), what `lua-seccomp run` reads)
-- and child processes (seccomp.child.run(fn or argv), what f:test uses).
--- Loads every module of the library and does now what its first use
-- would do later (the report's hints, the time zone file os.date reads,
-- every promise's and group's names resolved on this machine's
-- architectures), so that nothing opens a file once a filter is in: for a
-- host whose threads may still be loading when one of them sandboxes all
-- of them with thread sync. Returns the façade.
function seccomp.preload()
  require "seccomp.compat"; require "seccomp.groups"; require "seccomp.promises"
  require "seccomp.policy_index"; require "seccomp.policy_file"; require "seccomp.runner"
  require "seccomp.child"; require "seccomp.notify"; require "seccomp.explain"
  require "seccomp.learn"; require "seccomp.learn_cover"; require "seccomp.learn_write"
  require("seccomp.report").hints()
  os.date("*t")
  local policy = require "seccomp.policy"
  policy.plan(policy.promises())
  local f = api.filter("allow")
  for _, group in ipairs(policy.groups()) do policy.expand(group, f) end
  f:close()
  return seccomp
end

setmetatable(seccomp, { __index = function(t, key)
  if key == "notify" then
    local notify = require "seccomp.notify"
    rawset(t, "notify", notify)
    return notify
  elseif key == "policy_file" then
    local policy_file = require "seccomp.policy_file"
    rawset(t, "policy_file", policy_file)
    return policy_file
  elseif key == "child" then
    local child = require "seccomp.child"
    rawset(t, "child", child)
    return child
  end
end })

return seccomp

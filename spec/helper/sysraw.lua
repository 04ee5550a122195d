--- Lua side of the sysraw test helper (spec/helper/sysraw.c): child
-- processes, constants from the C headers, and the short allowlist a child
-- needs to exec build/sysraw under a filter.
local seccomp = require "seccomp"
local core = require "seccomp.core"

local M = {}

M.path = "build/sysraw"

local consts = {}

--- A constant from the C headers, as sysraw was compiled against them.
function M.const(name)
  if consts[name] == nil then
    local p = assert(io.popen(M.path .. " const " .. name))
    local v = math.tointeger(tonumber(p:read("l")))
    p:close()
    assert(v, "sysraw does not know the constant " .. name)
    consts[name] = v
  end
  return consts[name]
end

--- Runs fn in a child process and returns how it ended: { how =, code = }.
-- The child exits with fn's integer result (0 if none); a Lua error is
-- printed and ends the child with code 250.
function M.child(fn)
  local pid = core.fork()
  if pid == 0 then
    local ok, res = pcall(fn)
    if not ok then
      io.stderr:write("child: ", tostring(res), "\n")
      io.stderr:flush()
      core.exit(250)
    end
    core.exit(math.tointeger(res) or 0)
  end
  local how, code = core.wait(pid)
  return { how = how, code = code }
end

--- In a child: setup() loads filters, then sysraw runs with the arguments.
function M.run(setup, ...)
  local argv = { M.path, ... }
  return M.child(function()
    setup()
    core.execv(M.path, argv)
  end)
end

--- Same, without a filter: what the call does when nothing stops it.
function M.plain(...)
  return M.run(function() end, ...)
end

-- What a child needs between load() and the end of sysraw (static, so
-- no dynamic loader).
M.harness = {
  "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list",
  "rseq", "prlimit64", "readlink", "getrandom", "mprotect", "mmap",
  "munmap", "madvise", "futex", "exit_group", "exit", "write", "read",
  "openat", "close", "rt_sigprocmask",
}

--- A filter with default action `default` that allows the harness and
-- the given names, minus those in `without` (a set).
function M.allowlist(default, names, without)
  without = without or {}
  local f = seccomp.filter(default)
  local seen = {}
  for _, list in ipairs({ M.harness, names or {} }) do
    for _, name in ipairs(list) do
      if not seen[name] and not without[name] then
        seen[name] = true
        f:allow(name)
      end
    end
  end
  return f
end

--- Did the child end by SIGSYS (a kill action)?
function M.killed(r)
  return r.how == "signal" and r.code == M.const("SIGSYS")
end

--- A fresh path that does not exist yet.
function M.tmppath()
  local p = os.tmpname()
  os.remove(p)
  return p
end

--- Does a path exist?
function M.exists(p)
  return os.rename(p, p) ~= nil
end

--- Contents of a file, or nil.
function M.slurp(p)
  local fh = io.open(p, "rb")
  if not fh then return nil end
  local s = fh:read("a")
  fh:close()
  return s
end

return M

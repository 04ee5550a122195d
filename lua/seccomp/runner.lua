--- Child runner: `f:test(fn)` runs `fn` in a forked child with the filter
-- loaded and says how the child ended.
--
-- The child loads a variant of the filter: the program the filter
-- exports with its kill returns turned into traps (and notify into errno
-- ENOSYS), which decides every call as the filter does. A refused call
-- raises SIGSYS; the C handler (report.c) copies the syscall number,
-- arguments and which kill it stands for into a page shared with the
-- parent and ends what the kill would end. The child writes its own outcome ("returned"
-- or "error") into the same page, which needs no syscall, so the record
-- survives filters that forbid even write(). Only the child writes it:
-- processes fn forks leave it alone (see rec:claim in report.c). The
-- child is started by seccomp.child, and ends by its exit convention.
-- @module seccomp.runner

local api = require "seccomp.filter"
local child = require "seccomp.child"

local runner = {}

local function fail(detail, level)
  error("seccomp: test: Invalid argument (EINVAL): " .. detail, level + 1)
end

-- The child's setup: the report handler (which claims the record), then
-- the variant of the filter.
local function load_variant(f, opts)
  return function(rec)
    local fd = -1
    if opts.report then fd = opts.report_fd or 2 end
    local hints = opts.report and require("seccomp.report").hints() or nil
    child.install_report(hints, fd, rec)
    -- No one supervises the child: calls a notify rule catches fail with
    -- ENOSYS, as with no listener, instead of waiting forever. A filter
    -- loaded here before the fork is loaded again, under this one.
    child.load_variant(f)
  end
end

local function syscall_name(nr, arch)
  local ok, name = pcall(api.syscall_name, nr, arch)
  if ok then return name end
  return tostring(nr)
end

local TEST_OPTIONS = { report = "boolean", report_fd = "number" }

--- Runs `fn` in a forked child under filter `f` and returns
-- `{ ok, how, code, signal, syscall, args, arch, action, error }`:
-- `ok` is true when `fn` returned normally, no rule refused a call and
-- the child then exited 0; `how` is "exit" or "signal" with `code` or
-- `signal`; when a rule refused a call, `syscall` is its name, `args` its
-- six arguments and `action` what the filter does to it ("kill_process",
-- "kill_thread", or "trap" for a trap rule); when `fn` raised, `error` is
-- the message.
-- Options: `report = true` also prints the violation line to stderr
-- (or to `report_fd`).
function runner.test(f, fn, opts)
  if type(fn) ~= "function" then
    fail("expected a function, got " .. type(fn), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    fail("options must be a table", 2)
  end
  opts = opts or {}
  for key, value in pairs(opts) do
    if not TEST_OPTIONS[key] then
      error(("seccomp: test(%s): Invalid argument (EINVAL): unknown option (report, report_fd)")
            :format(tostring(key)), 2)
    end
    if type(value) ~= TEST_OPTIONS[key] then
      error(("seccomp: test(%s): Invalid argument (EINVAL): must be a %s, got %s")
            :format(key, TEST_OPTIONS[key], type(value)), 2)
    end
  end
  if opts.report_fd ~= nil and not opts.report then
    fail("report_fd needs report = true", 2)
  end
  if not f:is_open() then
    error("seccomp: test: Bad file descriptor (EBADF): the filter is closed", 2)
  end
  -- fn's own result is not an exit code here: the run is ok when fn returns.
  local ended = child.run(function() fn() end, { setup = load_variant(f, opts) })
  local how, code, r = ended.how, ended.code, ended.record
  if r.state == "setup" then
    error("seccomp: test: the child could not load the filter: " .. r.message, 2)
  end
  local result = { how = how }
  if how == "exit" then result.code = code else result.signal = code end
  -- a thread a kill_thread rule ended leaves the others running: the
  -- refusal still makes the run fail
  result.ok = r.state == "returned" and how == "exit" and code == 0 and not r.syscall
  if r.syscall then  -- a rule refused a call (perhaps at exit)
    result.syscall = syscall_name(r.syscall, r.arch)
    result.args = r.args
    result.arch = api.arch_name(r.arch)
    result.action = r.action
  end
  if r.state == "error" then result.error = r.message end
  return result
end

--- Prepares the violation report and installs its SIGSYS handler in this
-- process: the line goes to `fd` (default 2, stderr). The caller then
-- loads the variant with kills as traps (`f:load{ report = "signal" }`).
function runner.install_report(fd)
  child.install_report(require("seccomp.report").hints(), fd or 2)
end

return runner

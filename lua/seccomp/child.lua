--- Child processes: run a function or a program in a forked child and
-- say how it ended. `f:test`, learn, the specs and `make demo` fork
-- through here: fork, set up, run, flush, record the outcome, exit, wait.
--
-- One exit-code convention for every child this module starts:
--
--     0    the function returned (nothing, or something not an integer)
--     n    the function returned the integer n (0..255)
--     1    the function raised, as the standalone `lua` does
--     125  the setup raised: the function never ran
--     127  the program could not be executed
--
-- A program the child executes exits with its own codes. The exit code
-- alone cannot tell a function that returned 1 from one that raised: the
-- outcome is also written into a page shared with the parent
-- (`core.report_record`), which needs no system call in the child and so
-- survives filters that refuse even write(). Only the child writes it;
-- processes it forks leave it alone. Wait's result says which:
-- `state` is "returned", "error", "setup" or "none" (a program ran, or
-- the child died before it could say).
-- @module seccomp.child

local core = require "seccomp.core"
local compat = require "seccomp.compat"

local child = {}

child.EXIT_RAISED = 1
child.EXIT_SETUP = 125
child.EXIT_EXEC = 127

local START_OPTIONS = { setup = "function", output = "number", send = "boolean" }

local function fail(detail, level, subject)
  error(("seccomp: child%s: Invalid argument (EINVAL): %s")
        :format(subject and "(" .. subject .. ")" or "", detail), level + 1)
end

local function check_options(opts, level)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail("options must be a table", level + 1) end
  for key, value in pairs(opts) do
    if not START_OPTIONS[key] then
      fail("unknown option (output, send, setup)", level + 1, tostring(key))
    end
    if type(value) ~= START_OPTIONS[key] then
      fail(("must be a %s, got %s"):format(START_OPTIONS[key], type(value)), level + 1, key)
    end
  end
  if opts.output ~= nil and opts.output ~= 1 and opts.output ~= 2 then
    fail("is 1 (stdout) or 2 (stderr)", level + 1, "output")
  end
  return opts
end

-- The exit code for what the function returned; nil when it is not one.
local function exit_code(result)
  if not compat.is_integer(result) then return 0 end
  if result < 0 or result > 255 then return nil end
  return result
end

-- The child side; never returns, whatever raises. What runs after the
-- setup is made before it: the setup may load a filter under which even
-- the memory a new closure takes would be a refused call.
local function run_child(target, opts, rec, r, w)
  local send = opts.send and function(s) core.write(w, tostring(s)) end
  local code
  local function run()
    local result = target(send, send and w)
    -- What the function printed is part of what it did: flush it here,
    -- under whatever filter it loaded.
    io.stdout:flush()
    io.stderr:flush()
    code = exit_code(result)
    if code == nil then
      error(("returned %s: an exit code is 0..255"):format(tostring(result)), 0)
    end
  end
  local ok, err = pcall(function()
    rec:claim()
    if r then core.close_fd(r) end
    if w and opts.output then core.dup2(w, opts.output) end
    if opts.setup then opts.setup(rec) end
  end)
  if not ok then
    pcall(rec.finish, rec, "setup", tostring(err))
    core.exit(child.EXIT_SETUP)
  end
  if type(target) == "table" then
    local _, msg = pcall(core.execv, target.path or target[1], target)
    pcall(rec.finish, rec, "setup", tostring(msg))
    core.exit(child.EXIT_EXEC)
  end
  ok, err = pcall(run)
  if ok then
    pcall(rec.finish, rec, "returned")
    core.exit(code)
  end
  pcall(rec.finish, rec, "error", tostring(err))
  core.exit(child.EXIT_RAISED)
end

local Handle = {}
Handle.__index = Handle

--- Starts `target` in a forked child: a function, or a program as
-- `{ "path", "arg1", ... }` (argv[0] is the path unless `path =` says
-- otherwise). Returns a handle: `h.pid`, `h:wait()`, `h:kill(signo)`.
-- Options: `setup` (a function run in the child first; it gets the
-- shared record, and when it raises the target never runs), `output` (1
-- or 2: the child's stdout or stderr comes back in the result's
-- `output`), `send = true` (the function is called as `fn(send, fd)`:
-- `send(s)` passes a string back in `output`, and so does what is written
-- to descriptor `fd`).
function child.start(target, opts)
  if type(target) ~= "function" and type(target) ~= "table" then
    fail("expected a function or a command table, got " .. type(target), 2)
  end
  opts = check_options(opts, 2)
  local rec = core.report_record()
  local r, w
  if opts.output or opts.send then r, w = core.pipe() end
  local ok, pid = pcall(core.fork)
  if not ok then
    if r then core.close_fd(r) core.close_fd(w) end
    rec:close()
    error(pid, 0)
  end
  if pid == 0 then run_child(target, opts, rec, r, w) end
  if w then core.close_fd(w) end
  return setmetatable({ pid = pid, record = rec, pipe = r }, Handle)
end

-- Reads what the child sends, for at most `timeout_ms` in all and at most
-- `limit` bytes: the data and "eof", "timeout" or "limit", so a child
-- that never ends or sends too much cannot hold or exhaust the parent.
-- The pipe is closed then; wait's `output` is "".
function Handle:read_bounded(timeout_ms, limit)
  local r = self.pipe
  if not r then return "", "eof" end
  self.pipe = nil
  local ok, data, how = pcall(core.read_bounded, r, timeout_ms, limit)
  core.close_fd(r)
  if not ok then error(data, 2) end
  return data, how
end

-- Sends signal `signo` to the child (until it is waited for).
function Handle:kill(signo)
  if not self.result then core.kill(self.pid, signo) end
end

-- Waits for the child (reading what it sent first) and returns
-- `{ how = "exit"|"signal", code = exit code or signal number, signal =
-- signal number, state =, error = the message of a raise or failed
-- setup, output = what came through the pipe (or ""), record = the whole
-- shared record }`. Waiting again returns the same table.
function Handle:wait()
  if self.result then return self.result end
  local ok, output = true, ""
  if self.pipe then
    ok, output = pcall(core.read, self.pipe)
    core.close_fd(self.pipe)
    self.pipe = nil
  end
  local how, code = core.wait(self.pid)
  if not ok then
    self.record:close()
    error(output, 2)
  end
  local rec = self.record:read()
  self.record:close()
  local result = { how = how, code = code, state = rec.state, output = output, record = rec }
  if how == "signal" then result.signal = code end
  if rec.state == "error" or rec.state == "setup" then result.error = rec.message end
  self.result = result
  return result
end

--- Runs `target` as `start` does and waits for it.
function child.run(target, opts)
  local h = child.start(target, opts)
  return h:wait()
end

-- The violation report's SIGSYS handler (report.c), installed in this
-- process: `install_report(hints, fd[, record])`. `hints` maps syscall
-- names to the text naming what would allow them; the line goes to `fd`
-- (-1: none); a record given is claimed and filled when a rule refuses a
-- call. What f:test's child and `f:load{ report = true }` install.
child.install_report = core.report_install

-- Loads in this process the variant of filter `f` a child under test
-- runs: kill actions as traps (the report handler then says which call,
-- and ends what the kill would end), notify actions as errno ENOSYS (no
-- one supervises the child), stacked on any filter loaded before.
function child.load_variant(f)
  return core.load_filter(f, { kill_as_trap = true, notify_as_enosys = true, stack = true })
end

-- Process primitives for the tools that supervise their child while it
-- runs (learn): pipes, descriptors, pidfds, poll, signals.

child.pipe = core.pipe
child.read = core.read
child.write = core.write
child.close_fd = core.close_fd
child.kill = core.kill
child.poll = core.poll
child.pidfd_open = core.pidfd_open
child.pidfd_kill = core.pidfd_kill
-- Limits for a child that runs untrusted code: setrlimit(name, soft[,
-- hard]) and memory_usage() -> address space bytes, data bytes.
child.setrlimit = core.setrlimit
child.memory_usage = core.memory_usage
-- For the CLI, which becomes the command it runs: execv(path, argv) in
-- this process, and dup2(old, new) in a child's setup.
child.execv = core.execv
child.dup2 = core.dup2

return child

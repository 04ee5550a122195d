--- Violation reports through a supervisor outside the sandbox.
--
-- The sandboxed process loads a variant of its filter in which only the
-- kill returns (and, when asked, the errno returns) become notify
-- returns: the program is the filter's own, so it decides every call as
-- the filter does, and calls the filter allows never reach the
-- supervisor. The listener leaves the process on a shared page, taken
-- with pidfd_getfd(2) (src/supervisor.c): the process makes no call for
-- it but closing its own copy, and then holds none, so nothing it does
-- (a SIGSYS handler, SIGSYS blocked, exec, closing descriptors) can
-- answer its own refused calls. The supervisor runs the original
-- program in the simulator on each notification to tell kill_process
-- from kill_thread (or the errno), writes the line (seccomp.report),
-- ends the process as the filter would and answers.
--
-- Two supervisors: `lua-seccomp run` is itself the supervisor of the
-- command it runs (`supervisor.run`), and `f:load{ report = true }` forks
-- a small one before the load (`supervisor.load`). When a supervisor
-- dies, refused calls fail with ENOSYS (the kernel's answer when no one
-- listens): they still do not run.
-- @module seccomp.supervisor

local api = require "seccomp.filter"
local child = require "seccomp.child"
local notify = require "seccomp.notify"
local report = require "seccomp.report"

local core = api.internal.supervisor
local bpf_run = api.internal.bpf_run

local supervisor = {}

-- What each notification tells: the simulated action, the line, the end.
-- `s` is { program =, native = token, fd = report fd (or -1), errno =
-- report errno refusals too, ended = fn(kill) }.
local function handle(listener, req, s)
  local action, data = bpf_run(s.program, req.arch, req.syscall, req.args, req.ip)
  local kill = action ~= "errno" and action ~= "notify"
  if action == "errno" and not s.errno then
    notify.respond(listener, req.id, data == 0 and { value = 0 } or { errno = data })
    return
  end
  if action == "notify" then  -- the filter's own notify rule: nobody else listens
    notify.respond(listener, req.id, { errno = "ENOSYS" })
    return
  end
  if s.fd >= 0 then
    local tgid = core.proc_tgid(req.pid)
    local function read(addr)
      local text, cut = notify.read_string(listener, req.id, req.pid, addr)
      return text, cut
    end
    local foreign = req.arch ~= s.native and (api.arch_name(req.arch) or tostring(req.arch))
    local name = req.name
    local call = report.call_text(name, req.syscall, req.args, read)
    -- anything but a kill or an errno is the program and the variant
    -- disagreeing: it ends the process all the same (fail closed)
    local what = (action == "kill_process" or action == "kill_thread" or action == "errno")
                 and action or ("kill_process (the filter's program says " .. action .. ")")
    local line = report.line(what, data, call, foreign or nil, tgid or req.pid, req.pid,
                             core.proc_exe(tgid or req.pid), report.hint(name, req.args))
    -- the process still waits: the line is out before it ends
    pcall(child.write, s.fd, line)
  end
  if not kill then
    notify.respond(listener, req.id, data == 0 and { value = 0 } or { errno = data })
    return
  end
  local how, tgid = core.supervisor_end(req.pid)
  pcall(notify.respond, listener, req.id, { errno = "ENOSYS" })
  if s.ended then s.ended { pid = tgid, tid = req.pid, action = action, how = how,
                            syscall = req.name or req.syscall, arch = req.arch } end
end

--- Serves `listener` until no process uses the filter ("hangup") or,
-- with `pidfd`, until that process ends ("ended"); `s` as for handle.
function supervisor.serve(listener, s, pidfd)
  while true do
    local what = core.supervisor_wait(listener, pidfd)
    if what ~= "notify" then return what end
    local req = notify.receive(listener)
    if req then handle(listener, req, s) end
  end
end

-- What the supervisor needs to know of filter `f`, and the variant's
-- options. Raises before anything is forked when report mode cannot
-- supervise this filter.
local function prepare(f, opts, op, execs)
  local program = f:bpf()
  local returns = core.bpf_returns(program)
  if returns.notify then
    error(("seccomp: %s: Invalid argument (EINVAL): the filter has notify rules, whose "
           .. "listener the report's supervisor would take; load it without report, "
           .. "or with report = \"signal\""):format(op), 0)
  end
  -- the process closes its copy of the listener right after the load (a
  -- process that execs next leaves that to the exec)
  local close = not execs and f:check("close", { 3 })
  if close and close ~= "allow" and close ~= "log" then
    error(("seccomp: %s: Invalid argument (EINVAL): the filter refuses close, which the "
           .. "process needs to hand its listener to the supervisor; allow close, or load "
           .. "with report = \"signal\""):format(op), 0)
  end
  local native = api.arch_token(api.arch_native())
  return {
    program = program, native = native, fd = opts.report_fd or 2, errno = opts.errno,
  }, { kill_as_notify = true, errno_as_notify = opts.errno or nil, stack = opts.stack }
end

local last_helper

-- A report load stacked on a filter loaded before: the SIGSYS handler's
-- variant (kills as traps), since the kernel gives a process one listener
-- and an earlier filter's errno or trap for a call would win over the
-- notify that stands for a kill (trap keeps kill's precedence).
local function signal_load(f, opts)
  core.report_install(report.hints(), opts.report_fd or 2)
  return api.internal.load_filter(f, { kill_as_trap = true, stack = opts.stack })
end

--- `f:load{ report = true }`: forks the supervisor (a grandchild, so that
-- it is no child this process waits for), hands it the listener, and
-- returns once it holds it. Options: `report_fd` (default 2), `errno`
-- (report errno refusals too), `stack`. On top of a filter loaded before
-- (a second pledge), or where the kernel refuses a second listener, it
-- loads as `report = "signal"` does.
function supervisor.load(f, opts)
  if core.filters_loaded() then return signal_load(f, opts) end
  local s, variant = prepare(f, opts, "load")
  local h = core.handover_new()
  local pid = core.fork()
  if pid == 0 then
    -- the helper's parent ends at once: the helper is reparented, and
    -- this process reaps only that one short-lived child
    local ok, grandchild = pcall(core.fork)
    if not ok or grandchild ~= 0 then core.exit(ok and 0 or 1) end
    ok = pcall(function()
      core.supervisor_detach(s.fd)
      local listener = core.handover_take(h)
      if listener then supervisor.serve(listener, s) end
    end)
    core.exit(ok and 0 or 1)
  end
  core.wait(pid)
  core.handover_offer(h)
  last_helper = core.handover_helper(h)
  variant.handover = h
  local ok, err = pcall(api.internal.load_filter, f, variant)
  if not ok then
    core.handover_cancel(h)
    if tostring(err):match("%(EBUSY%)") then return signal_load(f, opts) end
    error(err, 0)
  end
  return f
end

--- The supervisor `supervisor.load` started last in this process (its
-- pid), or nil.
function supervisor.helper()
  return last_helper
end

--- `lua-seccomp run`: runs program `path` with `argv` in a child under
-- filter `f`, supervising it from this process, and returns how it
-- ended: `{ how = "exit"|"signal", code =, killed = { pid, action, how,
-- syscall } (the filter ended the child itself), setup = message (the
-- filter could not be loaded), exec = message (the program could not be
-- executed) }`. The child gets SIGKILL if this process dies (before it
-- execs). Processes still running under the filter when the child ends
-- keep a supervisor: a forked copy of this one serves them until they end.
-- Options: `errno` (report errno refusals too), `report_fd` (default 2,
-- -1: no line).
function supervisor.run(f, path, argv, opts)
  opts = opts or {}
  local s, variant = prepare(f, opts, "run", true)
  local h = core.handover_new(true)
  local me = core.getpid()
  variant.handover = h
  local target = { path = path }
  for i, a in ipairs(argv) do target[i] = a end
  local started = child.start(target, { setup = function()
    core.parent_death(me)
    core.handover_offer(h)
    api.internal.load_filter(f, variant)
  end })
  core.supervisor_interactive()  -- Ctrl-C is the command's to take
  local ok, listener = pcall(core.handover_take, h, started.pid)
  local killed, r
  if ok and listener then
    s.ended = function(k) if k.pid == started.pid then killed = killed or k end end
    local pidfd = child.pidfd_open(started.pid)
    local ended = supervisor.serve(listener, s, pidfd)
    child.close_fd(pidfd)
    -- reaped, the child no longer holds the filter: a hangup now means
    -- nothing else runs under it
    r = started:wait()
    if ended == "ended" and core.supervisor_wait(listener, nil, 0) ~= "hangup" then
      -- others still run under the filter: a copy of this supervisor stays
      local pid = core.fork()
      if pid == 0 then
        s.ended = nil
        pcall(function()
          core.supervisor_detach(s.fd, listener)
          supervisor.serve(listener, s)
        end)
        core.exit(0)
      end
    end
    child.close_fd(listener)
  end
  r = r or started:wait()
  local out = { how = r.how, code = r.code, killed = killed }
  if r.state == "setup" and r.how == "exit" and r.code == child.EXIT_SETUP then
    out.setup = r.error
  elseif r.state == "setup" and r.how == "exit" and r.code == child.EXIT_EXEC then
    out.exec = r.error
  end
  if not ok and not out.setup and not out.exec then error(listener, 0) end
  return out
end

--- Ends this process as a child ended: `exit_like("exit", code)` or
-- `exit_like("signal", signo)` (by that signal, its default action, with
-- no core file of this process). Never returns.
supervisor.exit_like = core.exit_like

return supervisor

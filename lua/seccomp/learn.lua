--- Learn mode: which syscalls does this code need?
--
-- `seccomp.learn(fn)` runs `fn` in a forked child, `seccomp.learn{ "cmd",
-- "arg" }` runs a command, under a filter whose default action is user
-- notification. The parent receives every call, records it with its
-- arguments and lets it continue (SECCOMP_USER_NOTIF_FLAG_CONTINUE): no
-- strace, no ptrace, no audit log. Children the code forks inherit the
-- filter and are recorded too.
--
-- The listener fd is created by the load, in the child. The filter lets
-- no call through unrecorded: before loading, the child tells the parent
-- which descriptor number the listener will take, and the parent copies
-- it out of the child with pidfd_getfd(2) once it exists.
--
-- This file records; seccomp.learn_cover finds the smallest promises and
-- groups, seccomp.learn_write writes the policy source.
-- @module seccomp.learn

local seccomp = require "seccomp.filter"
local compat = require "seccomp.compat"
local process = require "seccomp.child"
local notify = require "seccomp.notify"
local cover = require "seccomp.learn_cover"
local write = require "seccomp.learn_write"

local learn = {}

-- The argument holding the flags worth reporting, per call.
local FLAG_ARGS = {
  open = { flags = 2 }, openat = { flags = 3 },
  mmap = { prot = 3, flags = 4 }, mprotect = { prot = 3 },
  socket = { domain = 1, type = 2, protocol = 3 },
  ioctl = { request = 2 }, clone = { flags = 1 },
}

local function fail(detail, level)
  error("seccomp: learn: Invalid argument (EINVAL): " .. detail, level + 1)
end

-- The path of command `name`, searched in PATH when it has no slash;
-- `op` names the operation in the error (default "learn").
function learn.which(name, op)
  if name:find("/", 1, true) then return name end
  for dir in (os.getenv("PATH") or "/usr/bin:/bin"):gmatch("[^:]+") do
    local path = dir .. "/" .. name
    local fh = io.open(path, "rb")
    if fh then
      fh:close()
      return path
    end
  end
  error(("seccomp: %s(%s): No such file or directory (ENOENT): not found in PATH")
        :format(op or "learn", name), 2)
end

-- The child's setup: say where the listener will be, load the notify
-- filter. seccomp.child then runs the function or executes the command.
local function listen(sock, other, opts)
  return function()
    process.close_fd(other)
    if opts.setup then opts.setup() end
    local f = seccomp.filter("notify")
    -- The load puts the listener on the lowest free descriptor, which is
    -- where a new pipe's read end goes. No collector may close a file
    -- (and free a lower one) until the load is done.
    collectgarbage("collect")
    collectgarbage("stop")
    local r, w = process.pipe()
    process.close_fd(r)
    process.close_fd(w)
    process.write(sock, tostring(r))
    process.close_fd(sock)
    f:load()
    collectgarbage("restart")
    -- The parent has its own copy now; closing ours is bookkeeping.
    process.close_fd(f:notify_fd())
  end
end

local sorted_keys = cover.sorted_keys
-- The call's arguments as far as a program inspecting `halves` can tell
-- them apart.
local function projection(args, halves)
  local parts = {}
  for i, h in ipairs(halves) do
    local v = args[h > 6 and h - 6 or h]
    parts[i] = h > 6 and compat.shr(v, 32) or compat.band(v, 0xffffffff)
  end
  return table.concat(parts, ",")
end

-- Most distinct calls (as promises tell them apart) learn checks; more
-- and it reports no promises rather than checking only some.
local MAX_DISTINCT = 100000

-- Records one notification into report `r`.
local function record(r, req)
  local name = req.name or ("syscall " .. req.syscall)
  if req.arch ~= r.native then
    name = name .. "@" .. (seccomp.arch_name(req.arch) or tostring(req.arch))
    r.foreign[name] = (r.foreign[name] or 0) + 1
    return
  end
  r.syscalls[name] = (r.syscalls[name] or 0) + 1
  r.total = r.total + 1
  local fa = FLAG_ARGS[name]
  if fa then
    local seen = r.flag_sets[name] or {}
    r.flag_sets[name] = seen
    for what, i in pairs(fa) do
      seen[what] = seen[what] or {}
      seen[what][compat.band(req.args[i], 0xffffffff)] = true
    end
  end
  -- One call per class of calls no promise's filter can tell apart, so
  -- that checking these checks every call.
  local calls = r.calls[name]
  if not calls then
    calls = { keys = {} }
    r.calls[name] = calls
  end
  local key = projection(req.args, cover.relevant_halves(r, name, req.syscall))
  if not calls.keys[key] then
    if r.distinct >= MAX_DISTINCT then
      r.too_many = true
    else
      r.distinct = r.distinct + 1
      calls.keys[key] = true
      calls[#calls + 1] = req.args
    end
  end
end
-- Processes other than the child that made calls: `procs` maps pid to a
-- pidfd opened while the process waited on its notification, so the
-- pidfd names that very process whatever reuses its number later;
-- `opened` counts pidfds opened, `lost` processes no pidfd could be
-- opened for (with the last reason). Once killing has begun, pidfds of
-- ended processes go to `retired`, closed at the end, since a kill
-- record may name them.
-- Closes the pidfds of processes that have ended (before the end only).
local function sweep(t)
  for p, pfd in pairs(t.procs) do
    if process.poll({ pfd }, 0)[1] then
      process.close_fd(pfd)
      t.procs[p] = nil
      t.count = t.count - 1
    end
  end
  t.sweep_at = math.max(256, 2 * t.count)
end

local function track(t, fd, req, child_pid)
  local pid = req.pid
  if pid == child_pid then return end
  local pidfd = t.procs[pid]
  if pidfd and process.poll({ pidfd }, 0)[1] then  -- ended: the number is reused
    if t.killing then t.retired[#t.retired + 1] = pidfd else process.close_fd(pidfd) end
    t.procs[pid], pidfd = nil, nil
  end
  if pidfd then return end
  local ok, opened = pcall(process.pidfd_open, pid)
  if not ok and not t.killing and tostring(opened):find("EMFILE", 1, true) then
    sweep(t)
    ok, opened = pcall(process.pidfd_open, pid)
  end
  if not ok then
    if not tostring(opened):find("ESRCH", 1, true) then  -- not merely ended since its call
      t.lost, t.why = t.lost + 1, tostring(opened)
    end
    return
  end
  if not notify.id_valid(fd, req.id) then  -- it may not be the caller
    process.close_fd(opened)
    return
  end
  t.procs[pid] = opened
  t.opened = t.opened + 1
  t.count = t.count + 1
  -- Before the end, pidfds of processes that ended are only bookkeeping.
  if not t.killing and t.count >= t.sweep_at then sweep(t) end
end

-- The name and thread group of process (or thread) `pid`, from /proc.
local function describe(pid)
  local fh = io.open("/proc/" .. pid .. "/status")
  if not fh then return "?", pid end
  local text = fh:read("*a") or ""
  fh:close()
  return text:match("Name:%s*([^\n]*)") or "?",
         compat.tointeger(tonumber(text:match("Tgid:%s*(%d+)"))) or pid
end

-- Kills every tracked process still running (SIGKILL through its
-- pidfd); adds { pid =, name =, pidfd = } to `killed` per process.
local function kill_tracked(procs, killed, seen)
  for pid, pidfd in pairs(procs) do
    if not seen[pidfd] then
      seen[pidfd] = true
      if not process.poll({ pidfd }, 0)[1] then
        local name, tgid = describe(pid)
        if process.pidfd_kill(pidfd, seccomp.SIG.SIGKILL) and not seen["g" .. tgid] then
          seen["g" .. tgid] = true
          killed[#killed + 1] = { pid = tgid, name = name, pidfd = pidfd }
        end
      end
    end
  end
end

local LEARN_OPTIONS = { setup = true, progress = true }
local KILL_WAIT_MS = 5000
local POLL_MS, QUIET_MS = 100, 2000

--- Runs `target` (a function, or a command as { "cmd", "arg", ... }) in a
-- child under learn mode and returns a report:
-- `syscalls` (name -> count), `flags` (name -> { what -> sorted values }),
-- `promises` (smallest list of pledge promises covering every recorded
-- call with its arguments; nil when none do, or when there were more
-- than 100000 calls that promises tell apart) and `promises_missing`
-- (calls no promise grants), `groups` and `groups_missing` likewise for
-- the groups, `foreign` (calls made through another architecture's ABI),
-- `how` and `code` (how the child ended), `error` (when fn raised),
-- `killed` (processes it started that outlived it, each killed:
-- { pid =, name =, ended = whether it had ended when learn returned }),
-- `policy` (Lua source of a table for `seccomp.compile`) and `warnings`
-- (a list of lines: calls seen that the policy never allows: clone3 and
-- openat2, whose flags a filter cannot read, and io_uring, which bypasses
-- seccomp; they fail with ENOSYS, and for the first two libc falls back
-- to clone and openat, which the policy then allows; and each process
-- killed).
-- Learning ends when the child ends: processes it started that are still
-- running (a background job, a daemon) are killed then, since their
-- filter would refuse every call once nobody answers it. A process that
-- makes no system call from its fork until 2 s after the command ended is
-- not seen and not killed; a warning says such processes remain.
-- Options: `setup` (a function run in the child before the filter, to
-- redirect output, change directory, ...), `progress` (a function called
-- with a line of text now and then).
function learn.learn(target, opts)
  if opts ~= nil and type(opts) ~= "table" then fail("options must be a table", 2) end
  opts = opts or {}
  for k in pairs(opts) do
    if not LEARN_OPTIONS[k] then fail("unknown option " .. tostring(k), 2) end
  end
  local path, what
  if type(target) == "table" then
    if type(target[1]) ~= "string" then fail("a command must be { \"cmd\", \"arg\", ... }", 2) end
    for i = 1, #target do
      if type(target[i]) ~= "string" then fail("command arguments must be strings", 2) end
    end
    path = learn.which(target[1])
    what = table.concat(target, " ")
  elseif type(target) == "function" then
    what = "a Lua function"
  else
    fail("expected a function or a command table, got " .. type(target), 2)
  end

  local r = {
    syscalls = {}, flag_sets = {}, calls = {}, foreign = {}, total = 0, distinct = 0,
    native = seccomp.arch_token(seccomp.arch_native()),
    programs = cover.promise_programs(), relevant = {},
  }
  local mine, theirs = notify.socketpair()
  local run
  if path then
    run = { path = path }
    for i, a in ipairs(target) do run[i] = a end
  else
    run = function() target() end  -- what it returns is no exit code
  end
  local started, h = pcall(process.start, run, { setup = listen(theirs, mine, opts) })
  if not started then
    process.close_fd(mine)
    process.close_fd(theirs)
    error(h, 0)
  end
  local pid = h.pid
  process.close_fd(theirs)
  local child_fd = compat.tointeger(tonumber(process.read(mine)))
  process.close_fd(mine)
  local got, fd = pcall(function()
    if not child_fd then error("no listener announced", 0) end
    return notify.take_fd(pid, child_fd)
  end)
  if not got then
    h:kill(seccomp.SIG.SIGKILL)  -- it may wait on a listener nobody reads
    local ended = h:wait()
    error("seccomp: learn: the child could not start: " ..
          (ended.record.message or tostring(fd)), 2)
  end
  -- Our child: its number is ours until we wait for it.
  local child_pidfd = process.pidfd_open(pid)

  -- The child's own close of its listener is bookkeeping.
  local skip = { [child_fd] = true }
  local progress, next_progress = opts.progress, 1000
  local tracked = { procs = {}, retired = {}, opened = 0, count = 0, lost = 0,
                    sweep_at = 256 }
  local how, code  -- how the child ended, once it is reaped
  local function handle()
    local req = notify.receive(fd)
    if not req then return end
    if req.pid == pid and req.name == "close" and skip[req.args[1]] then
      skip[req.args[1]] = nil
    else
      record(r, req)
    end
    track(tracked, fd, req, not how and pid or nil)  -- after the wait, pid is no longer ours
    notify.respond(fd, req.id, "continue")
    if progress and r.total >= next_progress then
      progress(("%d calls recorded"):format(r.total))
      next_progress = next_progress * 2
    end
  end
  local ok, err = pcall(function()
    while true do
      local ready = process.poll({ fd, child_pidfd }, -1)
      if ready[1] then
        if notify.poll(fd, 0) ~= "ready" then break end  -- no process left
        handle()
      elseif ready[2] then
        break
      end
    end
    -- The child has ended: reaped now, so that the listener hangs up once
    -- no other process holds the filter. What it started and left running
    -- is killed, and so is what those start or call before they die.
    -- Until the hangup, a process still under the filter may yet make its
    -- first call (and be seen): after QUIET_MS without one, those left
    -- are reported as running.
    local ended = h:wait()
    how, code = ended.how, ended.code
    local killed, seen, quiet = {}, {}, 0
    tracked.killing = true
    while true do
      kill_tracked(tracked.procs, killed, seen)
      local st = notify.poll(fd, POLL_MS)
      if st == "hangup" then break end
      if st == "ready" then
        quiet = 0
        handle()
      else
        quiet = quiet + POLL_MS
        if quiet >= QUIET_MS then
          r.lingering = true
          break
        end
      end
    end
    -- A killed process ends at once unless the kernel holds it (a hung
    -- file system): say which did not end.
    for _, k in ipairs(killed) do
      k.ended = process.poll({ k.pidfd }, KILL_WAIT_MS)[1] == true
      k.pidfd = nil
    end
    r.killed, r.lost, r.lost_why = killed, tracked.lost, tracked.why
  end)
  for _, pidfd in ipairs(tracked.retired) do process.close_fd(pidfd) end
  for _, pidfd in pairs(tracked.procs) do process.close_fd(pidfd) end
  process.close_fd(child_pidfd)
  process.close_fd(fd)
  if not ok then
    if not how then
      h:kill(seccomp.SIG.SIGKILL)
      h:wait()
    end
    error(err, 0)
  end
  local state = h:wait().record
  if state.state == "setup" then
    error("seccomp: learn: the child could not start: " .. state.message, 2)
  end

  local report = { syscalls = r.syscalls, foreign = r.foreign, how = how, code = code,
                   flags = {}, killed = r.killed }
  if state.state == "error" then report.error = state.message end
  for name, sets in pairs(r.flag_sets) do
    report.flags[name] = {}
    for w, set in pairs(sets) do report.flags[name][w] = sorted_keys(set) end
  end
  r.names = sorted_keys(r.syscalls)
  if r.too_many then
    report.promises, report.promises_missing = nil, {}
  else
    report.promises, report.promises_missing = cover.promises(r)
  end
  report.groups, report.groups_missing = cover.groups(r.names)
  r.promises = report.promises
  local allow, refuse, notes, warnings = write.plan(r)
  if r.too_many then
    table.insert(warnings, 1, ("more than %d calls that promises tell apart: " ..
      "no promises are reported, since not every call could be checked"):format(MAX_DISTINCT))
  end
  if r.lingering then
    warnings[#warnings + 1] = "processes the command started that made no system call " ..
      "were still running when it ended: they were not killed, and their calls now fail " ..
      "with ENOSYS"
  end
  if r.lost > 0 then
    warnings[#warnings + 1] = ("%d processes the command started could not be followed " ..
      "(%s): any still running when it ended were not killed"):format(r.lost, r.lost_why)
  end
  for _, k in ipairs(r.killed) do
    warnings[#warnings + 1] = ("process %d (%s) was still running when the command ended " ..
      "and was killed%s"):format(k.pid, k.name,
      k.ended and "" or ", but had not ended after 5 s")
  end
  report.warnings = warnings
  report.policy = write.source(r, what, allow, refuse, notes, warnings)
  if progress then
    progress(("%d calls of %d system calls recorded"):format(r.total, #r.names))
  end
  return report
end

return learn

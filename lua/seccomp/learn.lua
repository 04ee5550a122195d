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
-- @module seccomp.learn

local seccomp = require "seccomp"
local core = require "seccomp.core"

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

-- The child: say where the listener will be, load the notify filter, run.
local function child(target, path, sock, other, rec, opts)
  local ok, err = pcall(function()
    rec:claim()
    core.close_fd(other)
    if opts.setup then opts.setup() end
    local f = seccomp.filter("notify")
    -- The load puts the listener on the lowest free descriptor, which is
    -- where a new pipe's read end goes. No collector may close a file
    -- (and free a lower one) until the load is done.
    collectgarbage("collect")
    collectgarbage("stop")
    local r, w = core.pipe()
    core.close_fd(r)
    core.close_fd(w)
    core.write(sock, tostring(r))
    core.close_fd(sock)
    f:load()
    collectgarbage("restart")
    -- The parent has its own copy now; closing ours is bookkeeping.
    core.close_fd(f:notify_fd())
  end)
  if not ok then
    rec:finish("setup", tostring(err))
    core.exit(125)
  end
  if path then
    local _, msg = pcall(core.execv, path, target)
    rec:finish("setup", tostring(msg))
    core.exit(127)
  end
  ok, err = pcall(function()
    target()
    io.stdout:flush()
    io.stderr:flush()
  end)
  rec:finish(ok and "returned" or "error", not ok and tostring(err) or nil)
  core.exit(ok and 0 or 1)
end

local function sorted_keys(t)
  local list = {}
  for k in pairs(t) do list[#list + 1] = k end
  table.sort(list)
  return list
end

-- Which halves of the arguments (1..6 low, 7..12 high) a BPF program
-- may load on some path for call `nr` of architecture `arch`: every
-- instruction reachable with the number and architecture fixed and the
-- arguments unknown. nil when the program holds an instruction this walk
-- does not follow (then every half counts).
local ARG0, STEPS = 16, 200000
local function inspected_halves(prog, arch, nr)
  local n = #prog // 8
  local code, jt, jf, k = {}, {}, {}, {}
  for i = 1, n do
    code[i], jt[i], jf[i], k[i] = string.unpack("=I2BBI4", prog, 8 * i - 7)
  end
  local halves, visited, work, steps = {}, {}, {}, 0
  local function push(pc, a, x, mem)
    local key = pc .. "|" .. tostring(a) .. "|" .. tostring(x) .. "|" .. table.concat(mem, ",")
    if not visited[key] then
      visited[key] = true
      work[#work + 1] = { pc, a, x, mem }
    end
  end
  local function load_abs(off)
    if off == 0 then return nr end
    if off == 4 then return arch end
    if off >= ARG0 and off < ARG0 + 48 and off % 4 == 0 then
      local i = (off - ARG0) // 8
      halves[(off - ARG0) % 8 == 0 and i + 1 or i + 7] = true
    end
    return "?"
  end
  local ALU = {
    [0x00] = function(a, b) return a + b end, [0x10] = function(a, b) return a - b end,
    [0x20] = function(a, b) return a * b end, [0x40] = function(a, b) return a | b end,
    [0x50] = function(a, b) return a & b end, [0xa0] = function(a, b) return a ~ b end,
    [0x60] = function(a, b) return b < 32 and a << b or 0 end,
    [0x70] = function(a, b) return b < 32 and a >> b or 0 end,
  }
  local mem0 = {}
  for i = 1, 16 do mem0[i] = "?" end
  push(1, "?", "?", mem0)
  while #work > 0 do
    local st = table.remove(work)
    local pc, a, x, mem = st[1], st[2], st[3], st[4]
    steps = steps + 1
    if steps > STEPS or pc < 1 or pc > n then return nil end
    local c, kk = code[pc], k[pc]
    local class = c & 0x07
    if class == 0x00 or class == 0x01 then  -- LD, LDX (words only)
      local mode, v = c & 0xe0
      if c & 0x18 ~= 0 then return nil end
      if mode == 0x00 then v = kk
      elseif mode == 0x20 and class == 0x00 then v = load_abs(kk)
      elseif mode == 0x60 and kk < 16 then v = mem[kk + 1]
      elseif mode == 0x80 then v = 64
      else return nil end
      if class == 0x00 then a = v else x = v end
      push(pc + 1, a, x, mem)
    elseif class == 0x02 or class == 0x03 then  -- ST, STX
      if kk >= 16 then return nil end
      local m = table.move(mem, 1, 16, 1, {})
      m[kk + 1] = class == 0x02 and a or x
      push(pc + 1, a, x, m)
    elseif class == 0x04 then  -- ALU
      local op, b = c & 0xf0, (c & 0x08 ~= 0) and x or kk
      local f = ALU[op]
      if op == 0x80 then
        a = a == "?" and "?" or (-a) & 0xffffffff
      elseif not f then
        return nil
      else
        a = (a == "?" or b == "?") and "?" or f(a, b) & 0xffffffff
      end
      push(pc + 1, a, x, mem)
    elseif class == 0x05 then  -- JMP
      local op, b = c & 0xf0, (c & 0x08 ~= 0) and x or kk
      if op == 0x00 then
        push(pc + 1 + kk, a, x, mem)
      else
        local yes
        if a ~= "?" and b ~= "?" then
          if op == 0x10 then yes = a == b
          elseif op == 0x20 then yes = a > b
          elseif op == 0x30 then yes = a >= b
          elseif op == 0x40 then yes = a & b ~= 0
          else return nil end
        elseif op > 0x40 then
          return nil
        end
        if yes ~= false then push(pc + 1 + jt[pc], a, x, mem) end
        if yes ~= true then push(pc + 1 + jf[pc], a, x, mem) end
      end
    elseif class == 0x07 then  -- MISC: TAX, TXA
      if c & 0xf8 == 0x00 then x = a elseif c & 0xf8 == 0x80 then a = x else return nil end
      push(pc + 1, a, x, mem)
    elseif class ~= 0x06 then  -- RET ends the path
      return nil
    end
  end
  return halves
end

-- The argument halves of call `name` that any of the candidate programs
-- may inspect, as a sorted list.
local ALL_HALVES = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }
local function relevant_halves(r, name, nr)
  local list = r.relevant[name]
  if list then return list end
  local union = {}
  for _, prog in pairs(r.programs) do
    local halves = inspected_halves(prog, r.native, nr)
    if not halves then
      union = nil
      break
    end
    for h in pairs(halves) do union[h] = true end
  end
  list = union and sorted_keys(union) or ALL_HALVES
  r.relevant[name] = list
  return list
end

-- The call's arguments as far as a program inspecting `halves` can tell
-- them apart.
local function projection(args, halves)
  local parts = {}
  for i, h in ipairs(halves) do
    local v = args[h > 6 and h - 6 or h]
    parts[i] = h > 6 and (v >> 32) or (v & 0xffffffff)
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
    name = name .. "@" .. (core.arch_name(req.arch) or tostring(req.arch))
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
      seen[what][req.args[i] & 0xffffffff] = true
    end
  end
  -- One call per class of calls no promise's filter can tell apart, so
  -- that checking these checks every call.
  local calls = r.calls[name]
  if not calls then
    calls = { keys = {} }
    r.calls[name] = calls
  end
  local key = projection(req.args, relevant_halves(r, name, req.syscall))
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

-- Smallest set of `items` (each a set of names) covering `names`; ties
-- go to the smaller total. `accept(set)` may reject a candidate.
local function smallest_cover(names, items, sizes, max, accept)
  local by_name = {}
  for id, members in pairs(items) do
    for n in pairs(members) do
      by_name[n] = by_name[n] or {}
      table.insert(by_name[n], id)
    end
  end
  local need = {}
  for _, n in ipairs(names) do if by_name[n] then need[#need + 1] = n end end
  local best
  local tried = 0
  local function search(chosen, k)
    if best or tried > 2000 then return end
    local covered = {}
    for _, id in ipairs(chosen) do for n in pairs(items[id]) do covered[n] = true end end
    local first
    for _, n in ipairs(need) do if not covered[n] then first = n break end end
    if not first then
      tried = tried + 1
      local set = {}
      for i, id in ipairs(chosen) do set[i] = id end
      table.sort(set)
      if not accept or accept(set) then best = set end
      return
    end
    if #chosen >= k then return end
    local options = {}
    for _, id in ipairs(by_name[first]) do options[#options + 1] = id end
    table.sort(options, function(a, b)
      if sizes[a] ~= sizes[b] then return sizes[a] < sizes[b] end
      return a < b
    end)
    for _, id in ipairs(options) do
      chosen[#chosen + 1] = id
      search(chosen, k)
      chosen[#chosen] = nil
    end
  end
  for k = 1, max do
    search({}, k)
    if best then break end
  end
  local missing = {}
  for _, n in ipairs(names) do if not by_name[n] then missing[#missing + 1] = n end end
  return best, missing
end

-- Groups covering the names seen (by name; @known is no answer).
local function cover_groups(names)
  local policy = require "seccomp.policy"
  local items, sizes = {}, {}
  for _, g in ipairs(policy.groups()) do
    if g ~= "@known" then
      local set, n = {}, 0
      for _, m in ipairs((policy.expand(g))) do set[m] = true n = n + 1 end
      items[g], sizes[g] = set, n
    end
  end
  return smallest_cover(names, items, sizes, 8)
end

-- The BPF program of a pledge of `set` (a string), nil when this process
-- may not pledge it (EPERM: promises it no longer holds, or no prot_exec
-- under READ_IMPLIES_EXEC); any other failure raises.
local function pledge_program(set)
  local ok, f = pcall(require("seccomp.policy").pledge, set, { load = false })
  if not ok then
    if tostring(f):match("^[^\n]-seccomp: pledge%([^)]*%): [^\n]-%(EPERM%)") then return nil end
    error(f, 0)
  end
  local prog = f:bpf()
  f:close()
  return prog
end

-- One program per promise and one of all promises: what they inspect
-- decides which calls learn keeps apart while it records.
local function promise_programs()
  local list = require("seccomp.policy").promises()
  local programs = {}
  for _, p in ipairs(list) do programs[p] = pledge_program(p) end
  local all = table.concat(list, " ")
  programs[all] = pledge_program(all)
  return programs
end

-- Promises covering the calls seen, arguments included: each promise's
-- pledge is compiled and every recorded call run through the simulator.
-- A recorded call stands for every call that agrees with it on each
-- argument half some promise's program inspects, so running the recorded
-- ones runs every call; a program inspecting another half (checked for
-- each one used) is not trusted. Calls one promise alone does not grant
-- (O_RDWR needs rpath and wpath) are tried against pairs. The answer is
-- checked as a whole the same way.
local function cover_promises(r)
  local policy = require "seccomp.policy"
  local names, calls, native = r.names, r.calls, r.native
  local instances = {}
  for _, name in ipairs(names) do
    local nr = seccomp.syscall(name)
    for _, args in ipairs(calls[name]) do
      instances[#instances + 1] = { name = name, nr = nr, args = args }
    end
  end
  -- Whether prog inspects only halves the recorded calls were kept apart by.
  local function trusted(prog)
    for _, name in ipairs(names) do
      local halves = inspected_halves(prog, native, seccomp.syscall(name))
      if not halves then return false end
      local known = {}
      for _, h in ipairs(r.relevant[name]) do known[h] = true end
      for h in pairs(halves) do if not known[h] then return false end end
    end
    return true
  end
  local function allowed(set)
    local prog = r.programs[set]
    if prog == nil then prog = pledge_program(set) end
    if not prog or not trusted(prog) then return {} end
    local yes = {}
    for i, c in ipairs(instances) do
      local action = core.bpf_run(prog, native, c.nr, c.args)
      if action == "allow" or action == "log" then yes[i] = true end
    end
    return yes
  end
  local list = policy.promises()
  local items, sizes, single = {}, {}, {}
  for i, p in ipairs(list) do
    items[p], sizes[p] = allowed(p), i  -- ties: documented order
    for k in pairs(items[p]) do single[k] = true end
  end
  -- Promises whose data name a call no single promise grants.
  local by_promise = require("seccomp.report").index()
  local wanted = {}
  for k, c in ipairs(instances) do
    if not single[k] then
      for _, p in ipairs(by_promise[c.name] or {}) do wanted[p:match("^%S+")] = true end
    end
  end
  for i = 1, #list do
    for j = i + 1, #list do
      if wanted[list[i]] or wanted[list[j]] then
        local pair = list[i] .. " " .. list[j]
        local yes = allowed(pair)
        local adds = false
        for k in pairs(yes) do if not single[k] then adds = true end end
        if adds then items[pair], sizes[pair] = yes, 100 * (i + j) end
      end
    end
  end
  local ids = {}
  for k in ipairs(instances) do ids[k] = k end
  local best, missing_ids = smallest_cover(ids, items, sizes, 12)
  local missing, seen = {}, {}
  for _, k in ipairs(missing_ids) do
    local n = instances[k].name
    if not seen[n] then seen[n] = true missing[#missing + 1] = n end
  end
  if not best then return nil, missing end
  local set, dup = {}, {}
  for _, item in ipairs(best) do
    for p in item:gmatch("%S+") do
      if not dup[p] then dup[p] = true set[#set + 1] = p end
    end
  end
  table.sort(set, function(a, b) return sizes[a] < sizes[b] end)
  local yes = allowed(table.concat(set, " "))
  for k in ipairs(instances) do
    if not yes[k] and not seen[instances[k].name] then return nil, missing end
  end
  return set, missing
end

-- Calls a learned policy never allows, even when seen: they fail with
-- ENOSYS instead, and libc (or the program) falls back to `fallback`.
local NEVER = {
  clone3 = { fallback = "clone",
             why = "its flags live in a struct a filter cannot read" },
  openat2 = { fallback = "openat",
              why = "its flags live in a struct a filter cannot read" },
  io_uring_setup = { why = "io_uring operations bypass seccomp" },
  io_uring_enter = { why = "io_uring operations bypass seccomp" },
  io_uring_register = { why = "io_uring operations bypass seccomp" },
}

-- What the policy allows and refuses, from the names seen; warnings for
-- the report.
local function policy_plan(r)
  local allow, refuse, notes, warnings, seen = {}, {}, {}, {}, {}
  for _, name in ipairs(r.names) do
    local never = NEVER[name]
    if never then
      refuse[#refuse + 1] = name
      local text = ("%s was called; it is never allowed (%s): it fails with ENOSYS")
                   :format(name, never.why)
      if never.fallback then
        text = text .. (", and the program may fall back to %s"):format(never.fallback)
        if not r.syscalls[never.fallback] and not seen[never.fallback] then
          seen[never.fallback] = true
          allow[#allow + 1] = never.fallback
          notes[never.fallback] = "fallback for " .. name
        end
      end
      warnings[#warnings + 1] = text
    else
      allow[#allow + 1] = name
    end
  end
  table.sort(allow)
  return allow, refuse, notes, warnings
end

-- Lua source of a policy table allowing every call seen, except those
-- never allowed.
local function policy_source(r, what, allow, refuse, notes, warnings)
  local out = {
    "-- lua-seccomp policy learned from " .. what,
    ("-- %d calls of %d system calls."):format(r.total, #r.names),
  }
  if r.promises then
    out[#out + 1] = ('-- Promises that would cover them: "%s"'):format(table.concat(r.promises, " "))
  end
  for _, w in ipairs(warnings) do out[#out + 1] = "-- Note: " .. w .. "." end
  out[#out + 1] = "return {"
  out[#out + 1] = '  default = "kill",'
  out[#out + 1] = "  allow = {"
  for _, name in ipairs(allow) do
    out[#out + 1] = ("    %q, -- %s"):format(name, notes[name] or r.syscalls[name])
  end
  out[#out + 1] = "  },"
  if #refuse > 0 then
    out[#out + 1] = "  errno = {"
    out[#out + 1] = "    ENOSYS = {"
    for _, name in ipairs(refuse) do
      out[#out + 1] = ("      %q, -- %d, never allowed"):format(name, r.syscalls[name])
    end
    out[#out + 1] = "    },"
    out[#out + 1] = "  },"
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n") .. "\n"
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
    if core.poll({ pfd }, 0)[1] then
      core.close_fd(pfd)
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
  if pidfd and core.poll({ pidfd }, 0)[1] then  -- ended: the number is reused
    if t.killing then t.retired[#t.retired + 1] = pidfd else core.close_fd(pidfd) end
    t.procs[pid], pidfd = nil, nil
  end
  if pidfd then return end
  local ok, opened = pcall(core.pidfd_open, pid)
  if not ok and not t.killing and tostring(opened):find("EMFILE", 1, true) then
    sweep(t)
    ok, opened = pcall(core.pidfd_open, pid)
  end
  if not ok then
    if not tostring(opened):find("ESRCH", 1, true) then  -- not merely ended since its call
      t.lost, t.why = t.lost + 1, tostring(opened)
    end
    return
  end
  if not core.notify_id_valid(fd, req.id) then  -- it may not be the caller
    core.close_fd(opened)
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
  local text = fh:read("a") or ""
  fh:close()
  return text:match("Name:%s*([^\n]*)") or "?",
         math.tointeger(tonumber(text:match("Tgid:%s*(%d+)"))) or pid
end

-- Kills every tracked process still running (SIGKILL through its
-- pidfd); adds { pid =, name =, pidfd = } to `killed` per process.
local function kill_tracked(procs, killed, seen)
  for pid, pidfd in pairs(procs) do
    if not seen[pidfd] then
      seen[pidfd] = true
      if not core.poll({ pidfd }, 0)[1] then
        local name, tgid = describe(pid)
        if core.pidfd_kill(pidfd, seccomp.SIG.SIGKILL) and not seen["g" .. tgid] then
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
    programs = promise_programs(), relevant = {},
  }
  local rec <close> = core.report_record()
  local mine, theirs = core.notify_socketpair()
  local pid = core.fork()
  if pid == 0 then child(target, path, theirs, mine, rec, opts) end
  core.close_fd(theirs)
  local child_fd = math.tointeger(tonumber(core.read(mine)))
  core.close_fd(mine)
  local got, fd = pcall(function()
    if not child_fd then error("no listener announced", 0) end
    return core.notify_take_fd(pid, child_fd)
  end)
  if not got then
    core.kill(pid, seccomp.SIG.SIGKILL)  -- it may wait on a listener nobody reads
    core.wait(pid)
    local state = rec:read()
    error("seccomp: learn: the child could not start: " ..
          (state.message or tostring(fd)), 2)
  end
  -- Our child: its number is ours until we wait for it.
  local child_pidfd = core.pidfd_open(pid)

  -- The child's own close of its listener is bookkeeping.
  local skip = { [child_fd] = true }
  local progress, next_progress = opts.progress, 1000
  local tracked = { procs = {}, retired = {}, opened = 0, count = 0, lost = 0,
                    sweep_at = 256 }
  local how, code  -- how the child ended, once it is reaped
  local function handle()
    local req = core.notify_receive(fd)
    if not req then return end
    if req.pid == pid and req.name == "close" and skip[req.args[1]] then
      skip[req.args[1]] = nil
    else
      record(r, req)
    end
    track(tracked, fd, req, not how and pid or nil)  -- after the wait, pid is no longer ours
    core.notify_respond(fd, req.id, "continue")
    if progress and r.total >= next_progress then
      progress(("%d calls recorded"):format(r.total))
      next_progress = next_progress * 2
    end
  end
  local ok, err = pcall(function()
    while true do
      local ready = core.poll({ fd, child_pidfd }, -1)
      if ready[1] then
        if core.notify_poll(fd, 0) ~= "ready" then break end  -- no process left
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
    how, code = core.wait(pid)
    local killed, seen, quiet = {}, {}, 0
    tracked.killing = true
    while true do
      kill_tracked(tracked.procs, killed, seen)
      local st = core.notify_poll(fd, POLL_MS)
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
      k.ended = core.poll({ k.pidfd }, KILL_WAIT_MS)[1] == true
      k.pidfd = nil
    end
    r.killed, r.lost, r.lost_why = killed, tracked.lost, tracked.why
  end)
  for _, pidfd in ipairs(tracked.retired) do core.close_fd(pidfd) end
  for _, pidfd in pairs(tracked.procs) do core.close_fd(pidfd) end
  core.close_fd(child_pidfd)
  core.close_fd(fd)
  if not ok then
    if not how then
      core.kill(pid, seccomp.SIG.SIGKILL)
      core.wait(pid)
    end
    error(err, 0)
  end
  local state = rec:read()
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
    report.promises, report.promises_missing = cover_promises(r)
  end
  report.groups, report.groups_missing = cover_groups(r.names)
  r.promises = report.promises
  local allow, refuse, notes, warnings = policy_plan(r)
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
  report.policy = policy_source(r, what, allow, refuse, notes, warnings)
  if progress then
    progress(("%d calls of %d system calls recorded"):format(r.total, #r.names))
  end
  return report
end

return learn

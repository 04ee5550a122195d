--- Violation reports: the line that names a refused call, for example
--
--     seccomp: killed: openat(AT_FDCWD, "/etc/shadow", O_RDONLY) in pid 1234 (/usr/bin/cat);
--       allowed by promise rpath, @file-system
--
-- (one line).
--
-- `report.line` writes it for the supervisor (seccomp.supervisor), which
-- receives the refused call as a notification from outside the sandbox:
-- the arguments decoded where the library knows what they mean (flags by
-- their constant names, paths read from the process while it waits),
-- the process and its program, and what would allow the call.
--
-- `report = "signal"`, the weaker mode, is done in C (report.c): the
-- filter's own program is loaded
-- with its kill returns rewritten into traps (it decides every call as
-- the filter does), and a SIGSYS handler formats the line from tables
-- prepared here, writes it and ends what the kill would have ended: the
-- process, or for kill_thread the calling thread (the line then starts
-- "seccomp: thread killed:"). No Lua runs in the handler. The line needs write() on the report fd: a filter
-- that refuses write itself still kills, silently. A SIGSYS that no
-- seccomp trap raised (kill, sigqueue) is not reported: the process ends
-- by SIGSYS as it would without the handler, and no call is re-issued.
-- @module seccomp.report

local api = require "seccomp.filter"
local child = require "seccomp.child"
local compat = require "seccomp.compat"
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

--- The line of a refused call.
-- @section line

-- What the arguments of a call mean, where the library knows: "path" (a
-- string read from the process), "dirfd" (AT_FDCWD or a descriptor),
-- "mode" (octal), the name of a constant table (flags or a value by
-- name: O, AT, PROT, MAP, SOCK, AF, SIG, F, PR), "num" (a number). A call
-- listed shows as many arguments as it takes; others show all six.
local SIGNATURES = {
  open = { "path", "O", "mode" }, openat = { "dirfd", "path", "O", "mode" },
  openat2 = { "dirfd", "path", "num", "num" }, creat = { "path", "mode" },
  execve = { "path", "num", "num" }, execveat = { "dirfd", "path", "num", "num", "AT" },
  stat = { "path", "num" }, lstat = { "path", "num" }, stat64 = { "path", "num" },
  lstat64 = { "path", "num" }, access = { "path", "num" }, statfs = { "path", "num" },
  newfstatat = { "dirfd", "path", "num", "AT" }, fstatat64 = { "dirfd", "path", "num", "AT" },
  statx = { "dirfd", "path", "AT", "num", "num" },
  faccessat = { "dirfd", "path", "num" }, faccessat2 = { "dirfd", "path", "num", "AT" },
  chdir = { "path" }, chroot = { "path" }, rmdir = { "path" }, unlink = { "path" },
  unlinkat = { "dirfd", "path", "AT" }, mkdir = { "path", "mode" },
  mkdirat = { "dirfd", "path", "mode" }, mknod = { "path", "mode", "num" },
  mknodat = { "dirfd", "path", "mode", "num" },
  rename = { "path", "path" }, renameat = { "dirfd", "path", "dirfd", "path" },
  renameat2 = { "dirfd", "path", "dirfd", "path", "num" },
  link = { "path", "path" }, linkat = { "dirfd", "path", "dirfd", "path", "AT" },
  symlink = { "path", "path" }, symlinkat = { "path", "dirfd", "path" },
  readlink = { "path", "num", "num" }, readlinkat = { "dirfd", "path", "num", "num" },
  chmod = { "path", "mode" }, fchmodat = { "dirfd", "path", "mode" },
  chown = { "path", "num", "num" }, lchown = { "path", "num", "num" },
  fchownat = { "dirfd", "path", "num", "num", "AT" }, truncate = { "path", "num" },
  umount2 = { "path", "num" }, mount = { "path", "path", "path", "num", "num" },
  mmap = { "num", "num", "PROT", "MAP", "dirfd", "num" },
  mmap2 = { "num", "num", "PROT", "MAP", "dirfd", "num" },
  mprotect = { "num", "num", "PROT" }, socket = { "AF", "SOCK", "num" },
  socketpair = { "AF", "SOCK", "num", "num" }, kill = { "num", "SIG" },
  tkill = { "num", "SIG" }, tgkill = { "num", "num", "SIG" }, fcntl = { "num", "F", "num" },
  prctl = { "PR", "num", "num", "num", "num" }, close = { "num" },
  read = { "num", "num", "num" }, write = { "num", "num", "num" },
  getpid = {}, getppid = {}, gettid = {}, getuid = {}, geteuid = {}, getgid = {},
  getegid = {}, fork = {}, vfork = {}, sync = {}, pause = {}, sched_yield = {},
  uname = { "num" },
}

-- Tables whose names are bits that combine, and the mask of the part of
-- a value that is one named value instead (O's access mode, SOCK's type).
local FLAG_TABLES = { O = 3, AT = 0, PROT = 0, MAP = 3, SOCK = 15 }
-- Names that mean something else in most calls (AT_EACCESS is
-- AT_REMOVEDIR's bit) or only where a value is whole.
local NOT_A_FLAG = { AT_EACCESS = true, O_ACCMODE = true, MAP_TYPE = true,
                     MAP_SHARED_VALIDATE = true, O_NDELAY = true, O_RSYNC = true,
                     MAP_ANON = true, AT_STATX_SYNC_TYPE = true, O_LARGEFILE = true }

local function low32(v) return compat.band(v, 0xffffffff) end

local function signed32(v)
  v = low32(v)
  if v >= 0x80000000 then return v - 0x100000000 end
  return v
end

-- A number as the messages show arguments: small ones in decimal.
-- (where numbers are doubles, a value past 2^53 is already "0x..." text)
local function number(v)
  if type(v) ~= "number" then return tostring(v) end
  if v >= -4096 and v < 0x10000 then return tostring(v) end
  return ("0x%x"):format(v)
end

-- The names of table `t` sorted, for the same text on every run.
local sorted_names = {}
local function names_of(t)
  if sorted_names[t] then return sorted_names[t] end
  local list = {}
  for name, v in pairs(api[t] or {}) do
    if type(name) == "string" and compat.is_integer(v) and v > 0
       and not NOT_A_FLAG[t .. "_" .. name] then
      list[#list + 1] = name
    end
  end
  -- wider values first (O_SYNC before O_DSYNC), then by name
  local function bits(v)
    local n = 0
    while v > 0 do
      n = n + compat.band(v, 1)
      v = compat.shr(v, 1)
    end
    return n
  end
  local tab = api[t]
  table.sort(list, function(a, b)
    local ba, bb = bits(tab[a]), bits(tab[b])
    if ba ~= bb then return ba > bb end
    return a < b
  end)
  sorted_names[t] = list
  return list
end

-- The value of a table by name: "O_WRONLY|O_CREAT", "SIGKILL", or the
-- number where no name fits.
local function named(t, v)
  local tab = api[t]
  if type(tab) ~= "table" then return number(v) end
  v = low32(v)
  local mask = FLAG_TABLES[t]
  if not mask then
    local list = names_of(t)
    for _, name in ipairs(list) do
      if tab[name] == v then return (t == "SIG" and "" or t .. "_") .. name end
    end
    for name, value in pairs(tab) do  -- a value of 0 (F_DUPFD, AF_UNSPEC)
      if value == v and type(name) == "string" then return t .. "_" .. name end
    end
    return number(v)
  end
  local parts, rest = {}, v
  if mask > 0 then
    local whole = compat.band(v, mask)
    local found
    for name, value in pairs(tab) do
      if type(name) == "string" and value == whole and not NOT_A_FLAG[t .. "_" .. name]
         and (not found or name < found) then
        found = name
      end
    end
    if found then
      parts[1] = t .. "_" .. found
      rest = v - whole
    end
  end
  for _, name in ipairs(names_of(t)) do
    local value = tab[name]
    if rest ~= 0 and compat.band(rest, value) == value
       and (mask == 0 or compat.band(value, mask) == 0) then
      parts[#parts + 1] = t .. "_" .. name
      rest = rest - value
    end
  end
  if rest ~= 0 or #parts == 0 then parts[#parts + 1] = ("0x%x"):format(rest) end
  return table.concat(parts, "|")
end

-- A string read from the process, quoted as C writes it.
local function quoted(text, cut)
  local q = text:gsub('[%c"\\\128-\255]', function(c)
    local esc = { ["\n"] = "\\n", ["\t"] = "\\t", ['"'] = '\\"', ["\\"] = "\\\\" }
    return esc[c] or ("\\x%02x"):format(c:byte())
  end)
  return '"' .. q .. '"' .. (cut and "..." or "")
end

--- The call as the line shows it: `openat(AT_FDCWD, "/etc/passwd",
-- O_RDONLY)`. `name` is the call's name on its architecture (nil for a
-- number none knows: "syscall 999"), `args` its six arguments and
-- `read(addr)` a function that reads a string from the process (the
-- text, whether it was cut), or nil where there is none to read.
function report.call_text(name, nr, args, read)
  local sig = name and SIGNATURES[name]
  local shown = {}
  if not sig then
    for i = 1, 6 do shown[i] = number(args[i]) end
    return ("%s(%s)"):format(name or ("syscall " .. tostring(nr)), table.concat(shown, ", "))
  end
  for i, kind in ipairs(sig) do
    local v = args[i]
    if kind == "path" then
      local text, cut
      if read and v ~= 0 then text, cut = read(v) end
      shown[i] = text and quoted(text, cut) or number(v)
    elseif kind == "dirfd" then
      local fd = signed32(v)
      shown[i] = fd == -100 and "AT_FDCWD" or tostring(fd)
    elseif kind == "mode" then
      shown[i] = ("0%o"):format(low32(v))
    elseif kind == "num" then
      shown[i] = number(v)
    else
      shown[i] = named(kind, v)
    end
  end
  -- open's mode means something only when the call creates a file
  local flags = (name == "open" and args[2]) or (name == "openat" and args[3])
  if flags and compat.band(flags, 0x400040) == 0 then shown[#shown] = nil end
  return ("%s(%s)"):format(name, table.concat(shown, ", "))
end

--- What would allow call `name` with exactly `args` (as the kernel hands
-- them over): "promise rpath, @file-system", the promise sets that allow
-- it (at most three) and the smallest groups holding it (at most two);
-- nil when none does.
function report.hint(name, args)
  if name == nil then return nil end
  local parts, sets = {}, {}
  for i, set in ipairs(policy_index.allowing(name, args)) do
    if i > 3 then break end
    sets[i] = table.concat(set, " and ")
  end
  if #sets > 0 then parts[1] = "promise " .. table.concat(sets, " or ") end
  local gs = policy_index.groups_for(name)
  if gs and #gs > 0 then parts[#parts + 1] = table.concat(gs, ", ", 1, math.min(#gs, 2)) end
  if #parts == 0 then return nil end
  return table.concat(parts, ", ")
end

local VERBS = {
  kill_process = "killed", kill_thread = "killed (kill_thread)",
}

--- The whole line, with its newline: `what` is the action the filter
-- takes ("kill_process", "kill_thread", "errno" with `data`), `call` the
-- call's text, `pid` the process (and `tid` the thread when another),
-- `exe` its program, `arch` the architecture's name when not the native
-- one, `hint` what would allow it (report.hints()).
function report.line(what, data, call, arch, pid, tid, exe, hint)
  local verb = VERBS[what]
  if what == "errno" then
    verb = ("refused (%s)"):format(api.errno_name(data) or tostring(data))
  end
  local parts = { "seccomp: ", verb or what, ": ", call }
  if arch then parts[#parts + 1] = " on " .. arch end
  if pid then
    parts[#parts + 1] = " in pid " .. pid
    if tid and tid ~= pid then parts[#parts + 1] = " thread " .. tid end
    if exe then parts[#parts + 1] = " (" .. exe .. ")" end
  end
  if hint and hint ~= "" then parts[#parts + 1] = "; allowed by " .. hint end
  parts[#parts + 1] = "\n"
  return table.concat(parts)
end

--- Prepares the report tables and installs the SIGSYS handler; the
-- caller then loads the filter with kills as traps. Options: `report_fd`
-- (default 2, stderr).
function report.install(_, options)
  child.install_report(report.hints(), options and options.report_fd or 2)
end

return report

--- Pledge promises: what each OpenBSD-style promise grants on Linux.
--
-- Data for the compiler in seccomp/policy.lua. Each promise has
--   calls: names (or @groups) allowed whatever their arguments;
--   rules: { name, comparator... } allowed only when every comparator
--          holds; `also = { "wpath" }` grants the rule only when those
--          promises are held too; `unless = "unix"` drops it when that
--          promise is held; `errno = "EACCES"` makes it fail with that
--          errno instead of allowing it.
-- `always` is granted by every pledge. Families are listed whole: every
-- spelling a call has on some architecture (open/openat, stat/lstat/
-- newfstatat/statx, ...); the compiler adds those the filter's
-- architectures have. Comparisons on C int arguments use arg32.
-- Two rules on one call with different actions must never both match
-- (a refused Unix socket next to an allowed one): `unless` drops the
-- refusal when the promise that allows the call is held.

local seccomp = require "seccomp.filter"  -- the Lua API, as users see it
local compat = require "seccomp.compat"

-- The bitwise or of flag values.
local function flags(...)
  local v = 0
  for i = 1, select("#", ...) do v = compat.bor(v, (select(i, ...))) end
  return v
end

local arg, arg32 = seccomp.arg, seccomp.arg32
local O, AT, AF, F, IOCTL, PROT, SOCK = seccomp.O, seccomp.AT, seccomp.AF,
  seccomp.F, seccomp.IOCTL, seccomp.PROT, seccomp.SOCK
local CLONE, NETLINK, PR = seccomp.CLONE, seccomp.NETLINK, seccomp.PR
local IPPROTO = seccomp.IPPROTO

-- s390 passes clone's flags second; everywhere else first.
local native = seccomp.arch_native()
local CLONE_FLAGS = (native == "s390" or native == "s390x") and 1 or 0

-- Every CLONE_NEW* flag these headers define: no promise grants a new
-- namespace, by clone as by unshare. (clone() reads CLONE_NEWTIME's bit
-- as part of the exit signal, where no valid signal sets it.)
local CLONE_NEW = 0
for name, value in pairs(CLONE) do
  if name:match("^NEW") then CLONE_NEW = flags(CLONE_NEW, value) end
end

-- clone(2) creating a thread (CLONE_THREAD set) or a process (clear),
-- never with a new namespace.
local function clone(thread)
  return { "clone", arg32(CLONE_FLAGS):masked_eq(flags(CLONE.THREAD, CLONE_NEW),
                                                 thread and CLONE.THREAD or 0) }
end

-- The open family with the same flags test: open(path, flags, mode),
-- openat(dirfd, path, flags, mode). `extra` carries also/unless.
local function opens(mask, value, extra)
  local list = {}
  for name, index in pairs { open = 1, openat = 2 } do
    local rule = { name, arg32(index):masked_eq(mask, value) }
    for k, v in pairs(extra or {}) do rule[k] = v end
    list[#list + 1] = rule
  end
  table.sort(list, function(a, b) return a[1] < b[1] end)
  return list
end

-- One rule per allowed value of argument `index` of `name`: the values
-- are names in a constants table; ones these headers lack are left out.
local function each(name, index, constants, names, extra)
  local list = {}
  for _, key in ipairs(names) do
    if constants[key] ~= nil then
      local rule = { name, arg32(index):eq(constants[key]) }
      for k, x in pairs(extra or {}) do rule[k] = x end
      list[#list + 1] = rule
    end
  end
  return list
end

local function concat(...)
  local out = {}
  for _, list in ipairs { ... } do
    for _, x in ipairs(list) do out[#out + 1] = x end
  end
  return out
end

-- IPv4 and IPv6 sockets: TCP (stream) and UDP (datagram), with or
-- without SOCK_CLOEXEC and SOCK_NONBLOCK, the protocol given as 0 or by
-- name. Never SOCK_RAW or SOCK_PACKET, which forge packets, nor another
-- protocol (ICMP, SCTP, MPTCP, ...). Any other bit in the type refuses
-- the call.
local TYPE_BITS = compat.band(0xffffffff, compat.bnot(flags(SOCK.CLOEXEC, SOCK.NONBLOCK)))
local IP_PROTOCOLS = { STREAM = IPPROTO.TCP, DGRAM = IPPROTO.UDP }
local function ip_sockets()
  local list = {}
  for _, family in ipairs { "INET", "INET6" } do
    for _, kind in ipairs { "STREAM", "DGRAM" } do
      for _, protocol in ipairs { 0, IP_PROTOCOLS[kind] } do
        list[#list + 1] = { "socket", arg32(0):eq(AF[family]),
                            arg32(1):masked_eq(TYPE_BITS, SOCK[kind]),
                            arg32(2):eq(protocol) }
      end
    end
  end
  return list
end

-- Read-only opens: no write access, no O_CREAT, no O_TRUNC (which
-- truncates even a read-only open on Linux).
local function read_opens() return opens(flags(O.ACCMODE, O.CREAT, O.TRUNC), O.RDONLY) end

-- Path-taking stat and access calls (the fd-only spellings are in stdio).
local STAT_PATHS = {
  "stat", "stat64", "lstat", "lstat64", "oldstat", "oldlstat", "newfstatat",
  "fstatat64", "statx", "access", "faccessat", "faccessat2",
}

local NET_IO = {
  "connect", "bind", "listen", "accept", "accept4", "getsockname",
  "getpeername", "getsockopt", "setsockopt", "shutdown", "sendto",
  "recvfrom", "send", "recv", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
  "recvmmsg_time64",
}

local STDIO_FCNTL = { "DUPFD", "DUPFD_CLOEXEC", "GETFD", "SETFD", "GETFL", "SETFL" }
local LOCK_FCNTL = {
  "GETLK", "SETLK", "SETLKW", "GETLK64", "SETLK64", "SETLKW64", "OFD_GETLK",
  "OFD_SETLK", "OFD_SETLKW",
}

local always = {
  description = "granted by every pledge: a later pledge can narrow further",
  calls = { "seccomp" },
  rules = function() return {
    { "prctl", arg32(0):eq(PR.SET_NO_NEW_PRIVS) },
    { "prctl", arg32(0):eq(PR.GET_NO_NEW_PRIVS) },
    { "prctl", arg32(0):eq(PR.GET_SECCOMP) },
  } end,
  -- Arguments in structs seccomp cannot read: make libc fall back.
  errno = { ENOSYS = { "openat2", "clone3" } },
}

local promises = {
  {
    name = "stdio",
    description = "compute, allocate memory, use open descriptors, time, signals, exit",
    calls = {
      "read", "readv", "pread64", "preadv", "preadv2", "write", "writev",
      "pwrite64", "pwritev", "pwritev2", "lseek", "_llseek", "close",
      "close_range", "dup", "dup2", "dup3", "fstat", "fstat64", "oldfstat",
      "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "fsync",
      "fdatasync", "pipe", "pipe2", "brk", "munmap", "mremap", "madvise",
      "msync", "mincore", "getpid", "getppid", "gettid", "getuid",
      "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid",
      "getegid32", "getresuid", "getresuid32", "getresgid", "getresgid32",
      "getgroups", "getgroups32", "getpgrp", "getpgid", "getsid",
      "getrlimit", "ugetrlimit", "getrusage", "times", "umask", "uname",
      "clock_gettime", "clock_gettime64", "clock_getres",
      "clock_getres_time64", "gettimeofday", "time", "nanosleep",
      "clock_nanosleep", "clock_nanosleep_time64", "getitimer", "setitimer",
      "alarm", "rt_sigaction", "sigaction", "rt_sigprocmask", "sigprocmask",
      "rt_sigreturn", "sigreturn", "sigaltstack", "rt_sigpending",
      "sigpending", "rt_sigsuspend", "sigsuspend", "rt_sigtimedwait",
      "rt_sigtimedwait_time64", "restart_syscall", "exit", "exit_group",
      "wait4", "waitid", "waitpid", "sched_yield", "sched_getaffinity",
      "futex", "futex_time64", "set_robust_list", "get_robust_list",
      "set_tid_address", "rseq", "membarrier", "getrandom", "select",
      "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll",
      "ppoll_time64", "epoll_create", "epoll_create1", "epoll_ctl",
      "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
      "pause", "sendto", "recvfrom", "send", "recv", "shutdown",
      -- Access hints on open files (cat and cp call posix_fadvise).
      "fadvise64", "fadvise64_64", "arm_fadvise64_64", "readahead",
      -- Data from one open descriptor to another (cat and cp use
      -- copy_file_range). Not vmsplice, which maps memory into a pipe.
      "sendfile", "sendfile64", "splice", "tee", "copy_file_range",
    },
    rules = function() return concat(
      -- fstat() is fstatat(fd, "", AT_EMPTY_PATH) in today's glibc.
      {
        { "newfstatat", arg32(3):masked_eq(AT.EMPTY_PATH, AT.EMPTY_PATH) },
        { "fstatat64", arg32(3):masked_eq(AT.EMPTY_PATH, AT.EMPTY_PATH) },
        { "statx", arg32(2):masked_eq(AT.EMPTY_PATH, AT.EMPTY_PATH) },
        -- Memory, never executable (see prot_exec).
        { "mmap", arg32(2):masked_eq(PROT.EXEC, 0) },
        { "mmap2", arg32(2):masked_eq(PROT.EXEC, 0) },
        { "mprotect", arg32(2):masked_eq(PROT.EXEC, 0) },
        { "pkey_mprotect", arg32(2):masked_eq(PROT.EXEC, 0) },
        -- Threads (a new process needs proc); glibc tries clone3 first.
        clone(true),
        -- Read-only process queries (libcap asks the bounding set).
        { "prctl", arg32(0):eq(PR.CAPBSET_READ) },
        { "prctl", arg32(0):eq(PR.GET_DUMPABLE) },
        { "prctl", arg32(0):eq(PR.GET_NAME) },
        { "prctl", arg32(0):eq(PR.GET_KEEPCAPS) },
        -- Query limits, not set them.
        { "prlimit64", arg(2):eq(0) },
        { "socketpair", arg32(0):eq(AF.UNIX) },
      },
      each("fcntl", 1, F, STDIO_FCNTL),
      each("fcntl64", 1, F, STDIO_FCNTL),
      -- TCGETS is isatty(), which glibc's stdio asks on first output.
      each("ioctl", 1, IOCTL, { "FIONREAD", "FIONBIO", "FIOCLEX", "FIONCLEX", "TCGETS" })
    ) end,
  },
  {
    name = "rpath",
    description = "read files and directories: open read-only, stat, list, readlink",
    calls = concat(STAT_PATHS, {
      "readlink", "readlinkat", "getdents", "getdents64", "readdir", "chdir",
      "fchdir", "getcwd", "statfs", "statfs64", "getxattr", "lgetxattr",
      "fgetxattr", "listxattr", "llistxattr", "flistxattr",
    }),
    rules = read_opens,
  },
  {
    name = "wpath",
    description = "write to existing files: open for writing (read-write also needs rpath), truncate",
    calls = { "truncate", "truncate64", "getcwd" },
    rules = function() return concat(
      opens(flags(O.ACCMODE, O.CREAT, O.TMPFILE or 0), O.WRONLY),
      opens(flags(O.ACCMODE, O.CREAT, O.TMPFILE or 0), O.RDWR, { also = { "rpath" } })
    ) end,
  },
  {
    name = "cpath",
    description = "create and remove files and directories: O_CREAT (with wpath), mkdir, rename, link, unlink",
    calls = {
      "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link",
      "linkat", "symlink", "symlinkat", "unlink", "unlinkat",
    },
    rules = function() return concat(
      -- O_TRUNC empties a file even when opened read-only: that needs wpath.
      opens(flags(O.ACCMODE, O.CREAT, O.TRUNC), flags(O.CREAT, O.RDONLY), { also = { "rpath" } }),
      opens(flags(O.ACCMODE, O.CREAT), flags(O.CREAT, O.WRONLY), { also = { "wpath" } }),
      opens(flags(O.ACCMODE, O.CREAT), flags(O.CREAT, O.RDWR), { also = { "rpath", "wpath" } }),
      { { "creat", also = { "wpath" } } }
    ) end,
  },
  {
    name = "tmppath",
    description = "temporary files: mkstemp-style exclusive creation, O_TMPFILE, unlink"
      .. " (seccomp cannot see paths, so not limited to /tmp)",
    calls = { "unlink" },
    rules = function() return concat(
      opens(flags(O.ACCMODE, O.CREAT, O.EXCL), flags(O.RDWR, O.CREAT, O.EXCL)),
      O.TMPFILE and opens(flags(O.ACCMODE, O.TMPFILE), flags(O.RDWR, O.TMPFILE)) or {},
      O.TMPFILE and opens(flags(O.ACCMODE, O.TMPFILE), flags(O.WRONLY, O.TMPFILE)) or {},
      { { "unlinkat", arg32(2):eq(0) } }
    ) end,
  },
  {
    name = "dpath",
    description = "create special files: mkfifo, mknod",
    calls = { "mknod", "mknodat" },
  },
  {
    name = "flock",
    description = "file locks: flock, fcntl record and OFD locks",
    calls = { "flock" },
    rules = function() return concat(
      each("fcntl", 1, F, LOCK_FCNTL),
      each("fcntl64", 1, F, LOCK_FCNTL)
    ) end,
  },
  {
    name = "fattr",
    description = "change file attributes: modes, times, extended attributes",
    calls = {
      "chmod", "fchmod", "fchmodat", "fchmodat2", "utime", "utimes",
      "futimesat", "utimensat", "utimensat_time64", "setxattr", "lsetxattr",
      "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
    },
  },
  {
    name = "chown",
    description = "change file owner and group",
    calls = { "@chown" },
  },
  {
    name = "tty",
    description = "terminal control: modes, window size, process group (never TIOCSTI)",
    rules = function() return each("ioctl", 1, IOCTL, {
      "TCGETS", "TCSETS", "TCSETSW", "TCSETSF", "TIOCGWINSZ", "TIOCSWINSZ",
      "TIOCGPGRP", "TIOCSPGRP", "TIOCGSID", "TIOCSBRK", "TIOCCBRK", "TCSBRK",
      "TCSBRKP", "TCFLSH", "TCXONC", "TIOCOUTQ",
    }) end,
  },
  {
    name = "inet",
    description = "IPv4 and IPv6 TCP and UDP sockets (never raw ones or other protocols)",
    calls = NET_IO,
    rules = ip_sockets,
  },
  {
    name = "unix",
    description = "Unix-domain sockets",
    calls = NET_IO,
    rules = function()
      return concat(each("socket", 0, AF, { "UNIX" }), each("socketpair", 0, AF, { "UNIX" }))
    end,
  },
  {
    name = "dns",
    description = "name resolution with glibc: read resolv.conf and hosts, ask a DNS server over UDP or TCP",
    calls = concat(STAT_PATHS, {
      "connect", "bind", "getsockname", "getsockopt", "setsockopt", "sendto",
      "recvfrom", "send", "recv", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
      "recvmmsg_time64",
    }),
    rules = function() return concat(
      read_opens(),
      ip_sockets(),
      -- getaddrinfo's AI_ADDRCONFIG asks the kernel for local addresses
      -- through NETLINK_ROUTE, which as root could also change them. Refused,
      -- glibc assumes both IPv4 and IPv6 are configured.
      { { "socket", arg32(0):eq(AF.NETLINK), arg32(2):eq(NETLINK.ROUTE),
          errno = "EACCES" } },
      -- glibc tries nscd over a Unix socket first: refuse it cleanly.
      { { "socket", arg32(0):eq(AF.UNIX), errno = "EACCES", unless = "unix" } }
    ) end,
  },
  {
    name = "sendfd",
    description = "send messages with ancillary data, such as descriptors (seccomp cannot look inside msghdr)",
    calls = { "sendmsg", "sendmmsg" },
  },
  {
    name = "recvfd",
    description = "receive messages with ancillary data, such as descriptors",
    calls = { "recvmsg", "recvmmsg", "recvmmsg_time64" },
  },
  {
    name = "proc",
    description = "new processes (never new namespaces), signals to others, process groups, priorities, limits",
    calls = {
      "fork", "vfork", "kill", "tkill", "tgkill", "rt_sigqueueinfo",
      "rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal", "setpgid",
      "setsid", "getpriority", "setpriority", "setrlimit", "prlimit64",
      "sched_setaffinity",
    },
    rules = function() return { clone(false) } end,
  },
  {
    name = "exec",
    description = "run programs (the filter stays on them: grant what they need)",
    -- A new program sets up its thread pointer before anything else.
    calls = { "execve", "execveat", "arch_prctl", "set_thread_area" },
  },
  {
    name = "prot_exec",
    description = "executable memory: mmap and mprotect with PROT_EXEC",
    calls = { "mmap", "mmap2", "mprotect", "pkey_mprotect" },
  },
  {
    name = "id",
    description = "change user and group ids",
    calls = { "@setuid", "setfsuid", "setfsuid32", "setfsgid", "setfsgid32" },
  },
  {
    name = "settime",
    description = "set the system clock",
    calls = { "@clock" },
  },
  {
    name = "vminfo",
    description = "system memory and load information",
    calls = { "sysinfo" },
  },
}

-- Each promise's rules are built when first read (a comparator is a
-- call into the core, and most programs pledge a few promises): `rules`
-- above is the function that builds them.
local function built_on_use(p)
  local build = p.rules
  p.rules = nil
  return setmetatable(p, { __index = function(t, key)
    if key ~= "rules" or build == nil then return nil end
    local rules = build()
    build = nil
    rawset(t, "rules", rules)
    return rules
  end })
end
built_on_use(always)
for _, p in ipairs(promises) do
  if p.rules ~= nil then built_on_use(p) end
end

return { always = always, promises = promises }

--- Named groups of system calls, usable wherever a syscall name is:
-- `f:allow("@basic-io")`, `seccomp.compile{ allow = { "@signal" } }`.
--
-- The names and meanings follow systemd's SystemCallFilter= sets
-- (src/shared/seccomp-util.c); a member may be another group. Every
-- spelling a call has on some architecture is listed (stat, stat64,
-- newfstatat, fstatat64, statx, ...): names this libseccomp or this
-- architecture does not know are skipped and reported when a group is
-- expanded, never fatal. Adding a call to a group is a one-line change.
--
-- Each entry: the members in the array part, `description` says what
-- the group is for.

return {
  ["@default"] = {
    description = "System calls that are always permitted",
    "arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64",
    "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "execve", "exit", "exit_group", "futex",
    "futex_time64", "futex_waitv", "get_robust_list", "get_thread_area",
    "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
    "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid", "getppid",
    "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
    "getrlimit", "getsid", "gettid", "gettimeofday", "getuid", "getuid32",
    "membarrier", "mmap", "mmap2", "mprotect", "munmap", "nanosleep", "pause",
    "prlimit64", "restart_syscall", "riscv_flush_icache", "rseq",
    "rt_sigreturn", "sched_getaffinity", "sched_yield", "set_robust_list",
    "set_thread_area", "set_tid_address", "set_tls", "sigreturn", "time",
    "ugetrlimit",
  },
  ["@aio"] = {
    description = "Asynchronous IO",
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
    "io_pgetevents_time64", "io_setup", "io_submit", "io_uring_enter",
    "io_uring_register", "io_uring_setup",
  },
  ["@basic-io"] = {
    description = "Basic IO",
    "_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek",
    "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read",
    "readv", "write", "writev",
  },
  ["@chown"] = {
    description = "Change ownership of files and directories",
    "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
  },
  ["@clock"] = {
    description = "Change the system time",
    "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
    "clock_settime64", "settimeofday",
  },
  ["@cpu-emulation"] = {
    description = "System calls for CPU emulation functionality",
    "modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old",
  },
  ["@debug"] = {
    description = "Debugging, performance monitoring and tracing functionality",
    "lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace", "rtas",
    "s390_runtime_instr", "sys_debug_setcontext",
  },
  ["@file-system"] = {
    description = "File system operations",
    "access", "chdir", "chmod", "close", "creat", "faccessat", "faccessat2",
    "fallocate", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fcntl",
    "fcntl64", "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "fstat",
    "fstat64", "fstatat64", "fstatfs", "fstatfs64", "ftruncate", "ftruncate64",
    "futimesat", "getcwd", "getdents", "getdents64", "getxattr",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
    "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "lremovexattr",
    "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat",
    "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat",
    "openat2", "readlink", "readlinkat", "removexattr", "rename", "renameat",
    "renameat2", "rmdir", "setxattr", "stat", "stat64", "statfs", "statfs64",
    "statx", "symlink", "symlinkat", "truncate", "truncate64", "unlink",
    "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes",
  },
  ["@io-event"] = {
    description = "Event loop system calls",
    "_newselect", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64",
    "pselect6", "pselect6_time64", "select",
  },
  ["@ipc"] = {
    description = "SysV IPC, POSIX Message Queues or other IPC",
    "ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd",
    "pipe", "pipe2", "process_madvise", "process_vm_readv",
    "process_vm_writev", "semctl", "semget", "semop", "semtimedop",
    "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
  },
  ["@keyring"] = {
    description = "Kernel keyring access",
    "add_key", "keyctl", "request_key",
  },
  ["@memlock"] = {
    description = "Memory locking control",
    "mlock", "mlock2", "mlockall", "munlock", "munlockall",
  },
  ["@module"] = {
    description = "Loading and unloading of kernel modules",
    "delete_module", "finit_module", "init_module",
  },
  ["@mount"] = {
    description = "Mounting and unmounting of file systems",
    "chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount",
    "mount_setattr", "move_mount", "open_tree", "pivot_root", "umount",
    "umount2",
  },
  ["@network-io"] = {
    description = "Network or Unix socket IO, should not be needed if not network facing",
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname",
    "getsockopt", "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
    "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt",
    "shutdown", "socket", "socketcall", "socketpair",
  },
  ["@obsolete"] = {
    description = "Unusual, obsolete or unimplemented system calls",
    "_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
    "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof",
    "profil", "putpmsg", "query_module", "security", "sgetmask", "ssetmask",
    "stime", "stty", "sysfs", "tuxcall", "ulimit", "uselib", "ustat",
    "vserver",
  },
  ["@pkey"] = {
    description = "System calls used for memory protection keys",
    "pkey_alloc", "pkey_free", "pkey_mprotect",
  },
  ["@privileged"] = {
    description = "All system calls which need super-user capabilities",
    "@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap", "_sysctl",
    "acct", "bpf", "capset", "chroot", "fanotify_init", "fanotify_mark",
    "nfsservctl", "open_by_handle_at", "pivot_root", "quotactl",
    "setdomainname", "setfsuid", "setfsuid32", "setgroups", "setgroups32",
    "sethostname", "setresuid", "setresuid32", "setreuid", "setreuid32",
    "setuid", "setuid32", "vhangup",
  },
  ["@process"] = {
    description = "Process control, execution, namespacing operations",
    "capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill",
    "pidfd_open", "pidfd_send_signal", "prctl", "rt_sigqueueinfo",
    "rt_tgsigqueueinfo", "setns", "swapcontext", "tgkill", "times", "tkill",
    "unshare", "vfork", "wait4", "waitid", "waitpid",
  },
  ["@raw-io"] = {
    description = "Raw I/O port access",
    "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
    "s390_pci_mmio_read", "s390_pci_mmio_write",
  },
  ["@reboot"] = {
    description = "Reboot and reboot preparation/kexec",
    "kexec_file_load", "kexec_load", "reboot",
  },
  ["@resources"] = {
    description = "Alter resource settings",
    "ioprio_set", "mbind", "migrate_pages", "move_pages", "nice",
    "sched_setaffinity", "sched_setattr", "sched_setparam",
    "sched_setscheduler", "set_mempolicy", "set_mempolicy_home_node",
    "setpriority", "setrlimit",
  },
  ["@sandbox"] = {
    description = "Sandbox functionality",
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
    "seccomp",
  },
  ["@setuid"] = {
    description = "Operations for changing user/group credentials",
    "setgid", "setgid32", "setgroups", "setgroups32", "setregid",
    "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
    "setreuid", "setreuid32", "setuid", "setuid32",
  },
  ["@signal"] = {
    description = "Process signal handling",
    "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigtimedwait_time64", "sigaction", "sigaltstack",
    "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask",
    "sigsuspend",
  },
  ["@swap"] = {
    description = "Enable/disable swap devices",
    "swapoff", "swapon",
  },
  ["@sync"] = {
    description = "Synchronize files and memory to storage",
    "fdatasync", "fsync", "msync", "sync", "sync_file_range",
    "sync_file_range2", "syncfs",
  },
  ["@system-service"] = {
    description = "General system service operations",
    "@aio", "@basic-io", "@chown", "@default", "@file-system", "@io-event",
    "@ipc", "@keyring", "@memlock", "@network-io", "@process", "@resources",
    "@setuid", "@signal", "@sync", "@timer", "arm_fadvise64_64", "capget",
    "capset", "copy_file_range", "fadvise64", "fadvise64_64", "flock",
    "get_mempolicy", "getcpu", "getpriority", "ioctl", "ioprio_get", "kcmp",
    "madvise", "mremap", "name_to_handle_at", "oldolduname", "olduname",
    "personality", "readahead", "readdir", "remap_file_pages",
    "sched_get_priority_max", "sched_get_priority_min", "sched_getattr",
    "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_yield", "sendfile", "sendfile64",
    "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setpgid", "setsid",
    "splice", "sysinfo", "tee", "umask", "uname", "userfaultfd", "vmsplice",
  },
  ["@timer"] = {
    description = "Schedule operations by time",
    "alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
    "timer_settime64", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
  },

  -- What the Lua VM itself needs to keep running once a filter is loaded:
  -- the allocator and collector, reading, writing, seeking and closing
  -- handles opened before the load, os.time and os.clock, returning from
  -- signal handlers, and exiting (lua.c restores its SIGINT handler after
  -- the script, hence rt_sigaction).
  -- Measured with `strace -f` on lua5.4 (Lua 5.4.4, glibc 2.36, x86_64)
  -- running a script that opens files, then allocates and frees
  -- hundreds of megabytes (strings and millions of tables), runs full,
  -- incremental and generational collections, prints to stdout and
  -- stderr, reads and seeks the files opened before, calls os.time,
  -- os.clock, pcall/error and coroutines, and ends both normally and
  -- through os.exit(true, true); only the calls made after the setup
  -- point are counted. Seen: brk mmap munmap mremap read write lseek
  -- close newfstatat(AT_EMPTY_PATH) clock_gettime rt_sigaction
  -- exit_group. The rest are the same calls under their other names
  -- (mmap2, _llseek, fstat, fstat64, clock_gettime64, exit) and the
  -- return paths the kernel needs (rt_sigreturn, sigreturn,
  -- restart_syscall), plus madvise, which glibc's malloc uses to give
  -- pages back (malloc_trim, heaps of other arenas). time and gettimeofday are vDSO calls that
  -- fall back to real system calls where the vDSO is missing.
  -- Not included on purpose: ioctl (glibc's first write to a terminal or
  -- character device asks TCGETS; write once before loading, or use
  -- pledge("stdio"), which allows exactly that request) and openat
  -- (os.date reads /etc/localtime on its first call; call it once before
  -- loading).
  ["@lua"] = {
    description = "What the Lua VM needs to keep running after a load",
    "brk", "mmap", "mmap2", "munmap", "mremap", "madvise",
    "read", "write", "lseek", "_llseek", "close",
    "fstat", "fstat64", "newfstatat", "fstatat64",
    "clock_gettime", "clock_gettime64", "time", "gettimeofday",
    "rt_sigaction", "rt_sigreturn", "sigreturn", "restart_syscall",
    "exit", "exit_group",
  },

  -- What LuaJIT 2.1 needs besides @lua while its compiler is on: it maps
  -- memory for machine code read-write (mmap, in @lua), then mprotects it
  -- read-exec, and read-write again to patch it, and unmaps it on a flush.
  -- Measured with `strace -f` on luajit (2.1.0-beta3, Debian 12, x86_64)
  -- compiling loops, calls and allocations after the setup point: mmap
  -- mprotect munmap read write close newfstatat rt_sigaction exit_group.
  -- mprotect is allowed whole: PROT_EXEC on memory the process wrote is
  -- what a JIT needs, and what prot_exec means (README, "LuaJIT").
  ["@luajit"] = {
    description = "What LuaJIT needs to keep running, its compiler on, after a load",
    "@lua", "mprotect",
  },
}

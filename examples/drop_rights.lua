-- lua5.4 examples/drop_rights.lua [LOGFILE]: open what you need, drop every other right, work.
local seccomp = require "seccomp"

local path = arg[1] or "drop_rights.log"
local log = assert(io.open(path, "w"))          -- open what you need first
io.stdout:write("drop_rights: dropping rights\n")  -- first write: stdio's buffer is set up now

local f = seccomp.filter("kill")                -- anything not allowed kills the process
f:allow { "write", "close", "fstat", "newfstatat", "lseek" }
f:allow { "brk", "mmap", "munmap", "mremap", "madvise" }   -- the Lua allocator
f:allow { "rt_sigreturn", "exit_group", "exit" }
f:load { report = true }                        -- raises on any failure; a kill is named on stderr
f:close()                                       -- the kernel keeps the filter

log:write("write still works\n")                -- allowed
log:flush()                                     -- written now: the process dies before exit flushes
print("drop_rights: the log is still writable")  --> drop_rights: the log is still writable
io.stdout:flush()
io.open("/etc/hostname")                        --> killed by SIGSYS
print("drop_rights: the open was NOT stopped")
os.exit(1)

-- The seed scenario: open what you need, drop every other right, work.
--
--   lua5.4 examples/drop_rights.lua [LOGFILE]
--
-- After the filter is loaded the script can still write to the log it
-- opened, but opening anything else kills the whole process with SIGSYS.
local seccomp = require "seccomp"

local path = arg[1] or os.tmpname()
local log = assert(io.open(path, "w"))

-- Keep only what this script needs from here on: writing and closing the
-- handles it holds, and what the Lua runtime itself needs to keep running
-- (memory for the allocator, returning from signal handlers, exiting).
local f = seccomp.filter("kill")
f:allow { "write", "close", "fstat", "newfstatat", "lseek" }
f:allow { "brk", "mmap", "munmap", "mremap", "madvise" }
f:allow { "rt_sigreturn", "exit_group", "exit" }
-- report = true: a call a rule kills is first named on stderr, in one line.
f:load { report = true }
f:close()  -- the kernel keeps the filter; the Lua object is no longer needed

log:write("write still works\n")
log:flush()
io.stdout:write("drop_rights: rights dropped; the log at ", path, " is still writable\n")
io.stdout:flush()

-- Anything not allowed above ends the process here.
io.stdout:write("drop_rights: now trying to open another file\n")
io.stdout:flush()
io.open("/etc/hostname", "r")
io.stdout:write("drop_rights: the open was NOT stopped\n")
os.exit(1)

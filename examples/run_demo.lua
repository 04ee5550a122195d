-- make demo: runs examples/drop_rights.lua in a child process and says,
-- in plain words, what happened to it. Exits 0 when the script wrote to
-- its log after dropping its rights and was then killed by SIGSYS at the
-- open, exactly as intended.
local seccomp = require "seccomp"

local SIGSYS = seccomp.SIG.SIGSYS
local interpreter = arg[-1] or "lua5.4"
local log = os.tmpname()

print("demo: running examples/drop_rights.lua")
print("demo: it opens a log file, loads a filter that keeps only write, close,")
print("      fstat and what the Lua runtime needs, writes to the log, and then")
print("      tries to open /etc/hostname.")
print("")

-- The script's stderr comes back (output = 2), to read its violation report.
local ended = seccomp.child.run({ "/usr/bin/env", "env", interpreter, "examples/drop_rights.lua", log },
                                { output = 2 })
local how, code, stderr = ended.how, ended.code, ended.output
if ended.state == "setup" then stderr = stderr .. ended.error .. "\n" end
io.stdout:write(stderr)
local refused = stderr:match("seccomp: killed: (%w+)%(")

local fh = assert(io.open(log, "r"))
local written = fh:read("*a")
fh:close()
os.remove(log)

print("")
local wrote = written == "write still works\n"
if wrote then
  print("demo: after the rights were dropped, the log got: \"write still works\"")
else
  print(("demo: the log holds %q, not the expected line"):format(written))
end

if how == "signal" and code == SIGSYS then
  print(("demo: the process was killed by SIGSYS (signal %d, \"Bad system call\")"):format(code))
  print(("      at the %s call, when it tried to open another file: the filter held.")
        :format(refused or "(unreported)"))
elseif how == "signal" then
  print(("demo: the process was killed by signal %d, not SIGSYS: unexpected"):format(code))
else
  print(("demo: the process exited with code %d instead of being killed: the filter did NOT hold"):format(code))
end

local ok = wrote and how == "signal" and code == SIGSYS and refused == "openat"
print(ok and "demo: result: as intended" or "demo: result: NOT as intended")
os.exit(ok and 0 or 1)

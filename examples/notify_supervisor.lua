-- A supervisor that decides per call: the child's getppid() is answered
-- by the parent, its mkdir() is refused with EACCES, everything else runs.
-- An arrow comment on a line shows what it prints. Run from the repository root:
--   LUA_PATH="lua/?.lua;lua/?/init.lua;;" LUA_CPATH="build/?.so;;" lua5.4 examples/notify_supervisor.lua
--
-- Deciding on pointer arguments (a path, a buffer) would be a
-- time-of-check race: the target can change that memory after the
-- supervisor read it. Decide on numbers, or refuse in the filter itself.
local seccomp = require "seccomp"
local notify, child = seccomp.notify, seccomp.child

local f = seccomp.filter("allow")
f:add("notify", { "mkdir", "mkdirat", "getppid" })

local mine, theirs = notify.socketpair()
local target = child.start(function()
  f:load()
  notify.send_fd(theirs, f:notify_fd())  -- hand the listener to the parent
  local sh = io.popen("echo $PPID")       -- the shell asks getppid() for $PPID
  print("child: the shell's parent is " .. sh:read("*l"))  --> child: the shell's parent is 4242
  sh:close()
  local ok, _, status = os.execute("mkdir /tmp/notify-example-never-created 2>/dev/null")
  status = status or math.floor(ok / 256)  -- Lua 5.1 and LuaJIT return the wait status alone
  print(("child: mkdir exit status %d (refused)"):format(status))  --> child: mkdir exit status 1 (refused)
end, { setup = function() child.close_fd(mine) end })
child.close_fd(theirs)
local fd = notify.recv_fd(mine)
child.close_fd(mine)

notify.serve(fd, function(req)
  io.write(("parent: pid %d asks %s(%d, ...)\n"):format(req.pid, req.name, req.args[1]))
  if req.name == "getppid" then return { value = 4242 } end
  if req.name == "mkdir" or req.name == "mkdirat" then return { errno = "EACCES" } end
  return "continue"
end)
child.close_fd(fd)
local ended = target:wait()
print(("parent: child ended by %s %d"):format(ended.how, ended.code))  --> parent: child ended by exit 0

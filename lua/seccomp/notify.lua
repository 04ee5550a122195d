--- User notification from Lua: a supervisor decides, call by call.
--
-- A filter with a "notify" action makes the kernel suspend the calling
-- thread and queue the call on the listener fd (`f:notify_fd()` after
-- `f:load()`, an integer poll can wait on). The supervisor receives it
-- and responds with a value, an errno, or "continue".
--
-- Deciding on pointer arguments (paths, buffers) is a time-of-check race:
-- another thread of the target can change the memory after the
-- supervisor read it. Notification is a tool for emulating and auditing
-- calls, not a security boundary; let the filter itself refuse what must
-- never happen.
-- @module seccomp.notify

local core = require "seccomp.core"

local notify = {}

--- Waits for and reads one notification: `{ id, pid, flags, syscall
-- (number), name, arch, ip, args }`, or nil when it vanished before it
-- was read (the target was killed or interrupted).
notify.receive = core.notify_receive

--- Answers notification `id`: "continue" (run the call as made),
-- `{ errno = "EPERM" }` (fail it) or `{ value = n }` (fake a result).
-- Returns false when the target no longer waits.
notify.respond = core.notify_respond

--- Whether the target still waits on `id`: check it after reading the
-- target's memory and before acting on what was read.
notify.id_valid = core.notify_id_valid

--- `read_string(fd, id, pid, addr[, max])`: the NUL-terminated string
-- (a path) at `addr` in process `pid` waiting on notification `id`, and
-- whether it was cut at `max` bytes (default 4096); or nil and an errno
-- name ("ENOENT": the notification is gone, "EFAULT": not readable). The
-- id is checked after the read, so the text is that process's; it is what
-- the memory held at that moment (another thread may change it).
notify.read_string = core.notify_read_string

--- Waits until a notification is ready: "ready", "hangup" (no process
-- uses the filter any more) or "timeout" (after `ms` milliseconds).
notify.poll = core.notify_poll

--- A socketpair to hand a listener from the loading process to a
-- supervisor: `send_fd(sock, fd)` there, `recv_fd(sock)` here.
notify.socketpair = core.notify_socketpair
notify.send_fd = core.notify_send_fd
notify.recv_fd = core.notify_recv_fd

--- `take_fd(pid, fd[, timeout_ms])`: a copy of the listener that child
-- `pid` holds (or is about to hold, once its load is done) as `fd`, taken
-- with pidfd_getfd(2): the child makes no call to hand it over, so its
-- filter need not let any call through.
notify.take_fd = core.notify_take_fd

--- Serves notifications on `fd` until no process uses the filter:
-- `decide(req)` returns what `respond` takes ("continue", `{ errno = }`,
-- `{ value = }`).
function notify.serve(fd, decide)
  while core.notify_poll(fd) == "ready" do
    local req = core.notify_receive(fd)
    if req then core.notify_respond(fd, req.id, decide(req)) end
  end
end

return notify

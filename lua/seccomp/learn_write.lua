--- Learn's policy source: the Lua table for `seccomp.compile` that allows
-- every call learn recorded, except the calls a learned policy never
-- allows (they fail with ENOSYS, and libc falls back), with the notes
-- the report prints.
-- @module seccomp.learn_write

local write = {}

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

-- What the policy allows and refuses, from the names seen (`r.names`,
-- counts in `r.syscalls`): the lists allow and refuse, a note per name
-- allowed as a fallback, and warnings for the report.
function write.plan(r)
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
-- never allowed; `what` names what was learned.
function write.source(r, what, allow, refuse, notes, warnings)
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

return write

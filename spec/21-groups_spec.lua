-- @groups: every group resolves, every member is added or reported as
-- skipped, and the kernel matches every added member (proven in child
-- processes that make the raw call under a filter built from the group).
local seccomp = require "seccomp"
local policy = require "seccomp.policy"
local helpers = require "helpers"

local E = seccomp.E

-- Every member of a group, nested groups flattened.
local function flatten(name, out, seen)
  out, seen = out or {}, seen or {}
  seen[name] = true
  for _, m in ipairs(require("seccomp.groups")[name]) do
    if m:sub(1, 1) == "@" then
      if not seen[m] then flatten(m, out, seen) end
    else
      out[m] = true
    end
  end
  return out
end

local set = helpers.set

describe("@groups", function()
  local expected = {
    "@default", "@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug",
    "@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@module", "@mount",
    "@network-io", "@obsolete", "@pkey", "@privileged", "@process", "@raw-io",
    "@reboot", "@resources", "@setuid", "@signal", "@swap", "@sync",
    "@system-service", "@timer", "@lua",
  }

  it("has systemd's group names and @lua", function()
    local names = set(policy.groups())
    for _, name in ipairs(expected) do assert.truthy(names[name], name) end
  end)

  it("resolves every group into native names, skipped names and absent names", function()
    for _, group in ipairs(policy.groups()) do
      local names, skipped, absent = policy.expand(group)
      local all = flatten(group)
      local seen = {}
      for _, n in ipairs(names) do
        assert.truthy(seccomp.syscall(n) >= 0, group .. ": " .. n)
        seen[n] = true
      end
      -- Skipped: no architecture knows the name.
      for _, n in ipairs(skipped) do
        assert.is_false(pcall(seccomp.syscall, n), group .. ": " .. n .. " was skipped")
        seen[n] = true
      end
      -- Absent: another architecture has it, this one does not.
      for _, n in ipairs(absent) do
        local ok, nr = pcall(seccomp.syscall, n)
        assert.truthy(ok and nr < 0, group .. ": " .. n .. " was absent")
        seen[n] = true
      end
      for n in pairs(all) do assert.truthy(seen[n], group .. ": " .. n .. " lost") end
      for n in pairs(seen) do assert.truthy(all[n], group .. ": " .. n .. " invented") end
    end
  end)

  it("adds every known member to a filter and lists the skipped ones on it", function()
    for _, group in ipairs(policy.groups()) do
      local names, skipped = policy.expand(group)
      local f = seccomp.filter("kill")
      f:allow(group)
      local pfc = f:pfc()
      for _, n in ipairs(names) do
        assert.truthy(pfc:find("$syscall == " .. seccomp.syscall(n) .. ")", 1, true),
                      group .. ": " .. n)
      end
      assert.same(skipped, f:skipped())
      f:close()
    end
  end)

  it("nests groups", function()
    local names = set((policy.expand("@system-service")))
    for _, inner in ipairs { "@basic-io", "@signal", "@default" } do
      for _, n in ipairs((policy.expand(inner))) do
        assert.truthy(names[n], inner .. ": " .. n)
      end
    end
  end)

  it("raises on an unknown group", function()
    assert.error_matches(function() policy.expand("@no-such-group") end,
                         "seccomp: expand%(@no%-such%-group%): .*EINVAL")
    assert.has_error(function() seccomp.filter("kill"):allow("@no-such-group") end)
  end)
end)

describe("group members in the kernel", function()
  -- What the child needs to reach the raw call: Lua until exec, then the
  -- static helper's start-up. These members are checked in the PFC above.
  local startup = set {
    "execve", "brk", "mmap", "munmap", "mremap", "madvise", "mprotect",
    "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
    "readlink", "getrandom", "write", "read", "close", "exit", "exit_group",
    "rt_sigreturn", "restart_syscall",
  }

  it("matches every added member of every group, and nothing outside", function()
    local tested = {}
    for _, group in ipairs(policy.groups()) do
      local names = policy.expand(group)
      local members = {}
      for _, n in ipairs(names) do
        if not startup[n] then members[#members + 1] = n end
      end
      local in_group = set(names)
      -- The group's calls fail with an errno nothing else returns here;
      -- the calls are refused before they run, so -1 arguments are safe.
      local function under_group(name)
        return helpers.sysraw(function()
          local f = seccomp.filter("allow")
          f:add(seccomp.errno("EXFULL"), members)
          f:load()
        end, "raw", seccomp.syscall(name), -1, -1, -1, -1, -1, -1)
      end
      for _, n in ipairs(members) do
        if not tested[n] then
          tested[n] = true
          local r = under_group(n)
          assert(helpers.exited(r, E.EXFULL), group .. ": " .. n .. ": " .. helpers.describe(r))
        end
      end
      -- syslog is in no group; with type -1 it fails with EINVAL.
      local outside = not in_group.getppid and "getppid" or "syslog"
      assert.is_nil(in_group[outside])
      local r = under_group(outside)
      assert(not helpers.exited(r, E.EXFULL), group .. ": " .. outside .. " matched")
    end
  end)
end)

describe("@lua", function()
  local tmp
  before_each(function()
    tmp = helpers.tmpname()
    local f = assert(io.open(tmp, "w"))
    f:write("line one\nline two\n")
    f:close()
  end)
  after_each(function() os.remove(tmp) end)

  it("keeps the Lua VM running: memory, GC, open handles, time", function()
    local r = helpers.child(function(send)
      local f = assert(io.open(tmp))
      local filter = seccomp.filter("kill")
      filter:allow("@lua")
      filter:load()
      -- Hundreds of megabytes and many small objects, then freed.
      local function churn()
        local t, many = {}, {}
        for i = 1, 200 do t[i] = string.rep("z", 1024 * 1024) end
        for i = 1, 500000 do many[i] = { i } end
        return #t + #many
      end
      assert(churn() == 500200)
      collectgarbage("collect")
      local first = f:read("*l")
      f:seek("set", 0)
      local all = f:read("*a")
      f:close()
      send(("%s|%d|%s|%s"):format(first, #all, type(os.time()), tostring(os.clock() > 0)))
    end)
    assert(helpers.exited(r, 0), helpers.describe(r))
    assert.equal("line one|18|number|true", r.output)
  end)

  it("does not open files", function()
    local r = helpers.child(function()
      local filter = seccomp.filter("kill")
      filter:allow("@lua")
      filter:load()
      io.open(tmp)
    end)
    assert(helpers.signaled(r, helpers.SIGSYS), helpers.describe(r))
  end)
end)

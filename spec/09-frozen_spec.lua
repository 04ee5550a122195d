-- A loaded filter is frozen: it is what the kernel enforces, so every
-- method that would change it raises, and exports after the load return
-- what the filter exported before it, with no new system call. Option
-- tables reject keys they do not know. Loads happen in child processes.
local seccomp = require "seccomp"
local helpers = require "helpers"

local E = seccomp.errno_value
local FROZEN = "Operation not permitted (EPERM): filter is loaded; build a new filter to tighten further"

-- Runs fn(send, f) in a child after loading f; returns what it sent.
local function after_load(f, fn, options)
  return helpers.child(function(send)
    f:load(options)
    fn(send, f)
  end)
end

-- The number of seccomp filters the kernel holds for this process.
local function filters_in_force()
  for line in io.lines("/proc/self/status") do
    local n = line:match("^Seccomp_filters:%s*(%d+)")
    if n then return tonumber(n) end
  end
  error("no Seccomp_filters line in /proc/self/status")
end

describe("a loaded filter", function()
  it("refuses every change, naming the operation and its subject", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno("EPERM"), "rmdir")
    local r = after_load(f, function(send)
      local other = seccomp.filter("allow")
      other:arch_add("x86")
      other:arch_remove("native")
      for _, case in ipairs {
        { "add(rmdir)", function() f:add("kill", "rmdir") end },
        { "add(@basic-io)", function() f:add("kill", "@basic-io") end },
        { "add_exact(mkdir)", function() f:add_exact("kill", "mkdir") end },
        { "add(mkdir)", function() f:allow({ "mkdir", "rmdir" }) end },
        { "priority(rmdir)", function() f:priority("rmdir", 10) end },
        { "set(tsync)", function() f:set("tsync", false) end },
        { "set(badarch_action)", function() f:set("badarch_action", "trap") end },
        { "reset", function() f:reset("kill") end },
        { "merge", function() f:merge(other) end },
        { "merge(source)", function() other:merge(f) end },
        { "arch_add(x86)", function() f:arch_add("x86") end },
        { "arch_remove(x86_64)", function() f:arch_remove("x86_64") end },
        { "note_skipped", function() f:note_skipped({ "nope" }) end },
      } do
        local ok, err = pcall(case[2])
        send(case[1] .. " " .. tostring(not ok and err == "seccomp: " .. case[1] .. ": " .. FROZEN)
             .. (ok and "" or (" " .. err)) .. "\n")
      end
      send("count " .. f:rule_count() .. "\n")
      send(tostring(f) .. "\n")
    end)
    helpers.assert_exit(0, r)
    for line in r.output:gmatch("[^\n]+") do
      if not line:match("^count") and not line:match("^seccomp%.filter") then
        assert.matches("^%S+ true ", line)
      end
    end
    assert.matches("\ncount 1\n", r.output)
    assert.matches("seccomp.filter (allow, 1 rule, loaded)", r.output, 1, true)
    assert.matches("\nmerge true .*\nmerge%(source%) true ", r.output)
  end)

  it("is still enforced as loaded after refused changes", function()
    local dir = helpers.tmpname()
    assert(os.execute("mkdir " .. dir))
    local f = seccomp.filter("allow")
    f:add(seccomp.errno("EPERM"), "rmdir")
    local r = after_load(f, function(send)
      assert(not pcall(f.allow, f, "rmdir"))
      assert(not pcall(f.reset, f, "allow"))
      local _, _, code = os.remove(dir)
      send(tostring(code))
    end)
    local still_there = helpers.execute("test -d " .. dir)
    os.remove(dir)
    helpers.assert_exit(0, r)
    assert.are.equal(tostring(E("EPERM")), r.output)
    assert.is_true(still_there)
  end)

  it("raises on a second load, and stacks only when asked", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno("EPERM"), "rmdir")
    local r = helpers.child(function(send)
      local before = filters_in_force()
      f:load()
      local ok, err = pcall(f.load, f)
      send(tostring(ok) .. " " .. err .. "\n")
      f:load { stack = true }
      send(("filters %d\n"):format(filters_in_force() - before))
    end)
    helpers.assert_exit(0, r)
    assert.matches("^false seccomp: load: Operation not permitted %(EPERM%): filter is already loaded; "
                   .. "pass { stack = true } to load it again on top\n", r.output)
    assert.matches("\nfilters 2\n", r.output)
  end)

  it("exports what it exported before, under a filter that refuses memfd_create", function()
    local f = seccomp.filter("kill")
    f:allow { "write", "exit_group", "brk", "mmap", "munmap", "mremap", "rt_sigprocmask" }
    f:add(seccomp.errno("EACCES"), "openat", seccomp.arg32(0):eq(seccomp.AT.FDCWD))
    local pfc, bpf = f:pfc(), f:bpf()
    local checks = { { f:check("openat", { seccomp.AT.FDCWD }) }, { f:check("memfd_create") } }
    assert.are.same({ "kill_process" }, checks[2])
    local r = after_load(f, function(send)
      local same_pfc, same_bpf = f:pfc() == pfc, f:bpf() == bpf
      local got = { { f:check("openat", { seccomp.AT.FDCWD }) }, { f:check("memfd_create") } }
      send(("%s %s %s %s %s"):format(same_pfc, same_bpf, got[1][1], got[1][2], got[2][1]))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal(("true true errno %d kill_process"):format(E("EACCES")), r.output)
  end)
end)

describe("option tables", function()
  it("seccomp.filter rejects an unknown option", function()
    assert.has_error(function() seccomp.filter("allow", { reprot = true }) end)
    local ok, err = pcall(seccomp.filter, "allow", { tysnc = false })
    assert.is_false(ok)
    assert.matches("seccomp: filter%(tysnc%): Invalid argument %(EINVAL%): unknown option %(.*tsync", err)
  end)

  it("f:load rejects an unknown option and loads nothing", function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno("EPERM"), "rmdir")
    local r = helpers.child(function(send)
      local before = filters_in_force()
      local ok1, err1 = pcall(f.load, f, { reprot = true })
      local ok2, err2 = pcall(f.load, f, { report_fd = 2 })
      local ok3, err3 = pcall(f.load, f, { report = 0 })
      send(("%s %s\n%s %s\n%s %s\n%d"):format(ok1, err1, ok2, err2, ok3, err3,
                                            filters_in_force() - before))
    end)
    helpers.assert_exit(0, r)
    local lines = {}
    for line in r.output:gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.matches("^false seccomp: load%(reprot%): Invalid argument %(EINVAL%): unknown option "
                   .. "%(report, report_fd, stack%)$", lines[1])
    assert.matches("^false seccomp: load%(report_fd%): .*report_fd needs report = true", lines[2])
    assert.matches("^false seccomp: load%(report%): .*must be a boolean, got number", lines[3])
    assert.are.equal("0", lines[4])
  end)

  it("f:test rejects an unknown option before it forks", function()
    local f = seccomp.filter("allow")
    local ran = false
    local ok, err = pcall(f.test, f, function() ran = true end, { reprot = true })
    assert.is_false(ok)
    assert.matches("seccomp: test%(reprot%): Invalid argument %(EINVAL%): unknown option %(report, report_fd%)", err)
    assert.is_false(ran)
    ok, err = pcall(f.test, f, function() ran = true end, { report = "yes" })
    assert.is_false(ok)
    assert.matches("seccomp: test%(report%): .*must be a boolean, got string", err)
    assert.is_false(ran)
    -- the known ones run
    local result = f:test(function() end, { report = true, report_fd = 2 })
    assert.is_true(result.ok)
  end)
end)

-- Multi-threaded hosts: pledge's tsync option (every thread by default,
-- or the calling one only) and seccomp.preload(), which leaves nothing to
-- open once a filter is in. Each case runs in a child with a second
-- thread (spec/helper/lthread.c) and asserts how the child ended.
local seccomp = require "seccomp"
local helpers = require "helpers"

local function lthread()
  return assert(package.loadlib(helpers.BUILD .. "/spec/lthread.so", "luaopen_lthread"))()
end

-- sync(2): harmless, and not granted by stdio.
local SYNC = seccomp.syscall("sync")
local EPERM = seccomp.errno_value("EPERM")

describe("pledge's tsync", function()
  it("is on by default: a thread started before the pledge is under it too", function()
    local r = helpers.child(function()
      local t = lthread().start()
      seccomp.pledge("stdio", { penalty = "eperm" })
      local _, err = t:call(SYNC)
      return err == EPERM and 0 or 3
    end)
    helpers.assert_exit(0, r)
  end)

  it("= false leaves the other threads as they were, and filters the caller", function()
    local r = helpers.child(function()
      local lt = lthread()
      local t = lt.start()
      seccomp.pledge("stdio", { penalty = "eperm", tsync = false })
      local _, here = lt.here(SYNC)
      local _, there = t:call(SYNC)
      return (here == EPERM and there == 0) and 0 or 3
    end)
    helpers.assert_exit(0, r)
  end)

  it("must be true or false", function()
    local ok, err = pcall(seccomp.pledge, "stdio", { tsync = 1, load = false })
    assert.is_false(ok)
    assert.matches("tsync", err)
    assert.matches("must be true or false", err)
  end)
end)

describe("seccomp.preload", function()
  -- Loads a filter that kills any open, then uses every part of the
  -- library that loads on first use.
  local function use_everything_after_the_load(preload)
    return helpers.child(function()
      if preload then assert(seccomp.preload() == seccomp) end
      local f = seccomp.filter("allow")
      f:add("kill_process", "openat")
      f:add("kill_process", "open")
      f:load()
      seccomp.pledge("stdio rpath inet", { load = false }):close()
      seccomp.compile({ default = "kill", allow = { "@basic-io", "@lua" } }):close()
      local g = seccomp.filter("kill")
      g:allow("@system-service")
      assert(g:explain("read", { 0, 0, 0 }))
      g:close()
      assert(seccomp.notify and seccomp.policy_file and seccomp.child)
      assert(require("seccomp.learn") and require("seccomp.report").hints())
      return 0
    end)
  end

  it("leaves nothing to open after a load (without it, the first use opens a module)", function()
    assert.is_true(helpers.killed(use_everything_after_the_load(false)))
    helpers.assert_exit(0, use_everything_after_the_load(true))
  end)
end)

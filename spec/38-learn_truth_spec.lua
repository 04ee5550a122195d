-- seccomp.learn tells the truth: the promises it reports cover every call
-- it recorded, arguments included, and it returns when its command ends,
-- killing what the command left running and saying so.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local helpers = require "helpers"

-- Whether process `pid` has ended (gone, or a zombie nobody reaped yet).
local function ended(pid)
  local fh = io.open("/proc/" .. pid .. "/stat")
  if not fh then return true end
  local stat = fh:read("*a")
  fh:close()
  return stat:match("^%d+ %b() (%a)") == "Z"
end

describe("seccomp.learn", function()
  it("checks its promises against every recorded call, not only the first ones", function()
    local nr = seccomp.syscall("openat")
    local AT_FDCWD, O = seccomp.AT.FDCWD, seccomp.O
    -- 100 read-only opens that differ in an argument no promise looks at
    -- (the mode), then a write-open: the 101st distinct call.
    local function work()
      for i = 1, 100 do lraw.syscall_raw(nr, AT_FDCWD, 0, O.RDONLY, i) end
      lraw.syscall_raw(nr, AT_FDCWD, 0, O.WRONLY, 0)
    end
    local r = seccomp.learn(work)
    assert.are.equal(0, r.code)
    assert.is_table(r.promises)
    local promises = table.concat(r.promises, " ")
    -- The pledge of the promises found runs every call, in a child.
    local t = seccomp.pledge(promises, { load = false }):test(work)
    assert.is_true(t.ok, tostring(t.syscall))
    -- And the write-open needed a promise beyond the read-only ones.
    local without = {}
    for _, p in ipairs(r.promises) do
      if p ~= "wpath" and p ~= "cpath" then without[#without + 1] = p end
    end
    assert.are_not.equal(#r.promises, #without)
    t = seccomp.pledge(table.concat(without, " "), { load = false }):test(work)
    assert.is_false(t.ok)
    assert.are.equal("openat", t.syscall)
    assert.are.equal(O.WRONLY, compat.band(t.args[3], O.ACCMODE))
  end)

  it("returns when the command ends and kills the background job it left", function()
    local pidfile = helpers.tmpname()
    local r = seccomp.learn({ "/bin/sh", "-c", "sleep 1000 & echo $! > " .. pidfile })
    local pid = compat.tointeger(tonumber(helpers.read_file(pidfile)))
    os.remove(pidfile)
    assert.are.equal(0, r.code)
    assert.are.equal(1, #r.killed)
    local k = r.killed[1]
    -- It may be killed before or after it has become sleep.
    assert.is_true(k.name == "sleep" or k.name == "sh", k.name)
    assert.are.same({ pid = pid, name = k.name, ended = true }, k)
    assert.is_true(ended(pid))
    assert.matches(("process %d %%(%s%%) was still running when the command ended " ..
                    "and was killed"):format(pid, k.name), table.concat(r.warnings, "\n"))
    assert.matches("was killed", r.policy)  -- the policy's notes say it too
  end)

  it("kills a forked child that keeps making calls after the function returned", function()
    local getppid = seccomp.syscall("getppid")
    local r = seccomp.learn(function()
      if core.fork() == 0 then
        while true do lraw.syscall_raw(getppid) end
      end
    end)
    assert.are.equal(0, r.code)
    assert.are.equal(1, #r.killed)
    assert.is_true(r.killed[1].ended)
    assert.is_true(ended(r.killed[1].pid))
  end)

  it("leaves nothing to kill when the command waits for its children", function()
    local r = seccomp.learn({ "/bin/sh", "-c", "sleep 0 & wait" })
    assert.are.equal(0, r.code)
    assert.are.same({}, r.killed)
    for _, w in ipairs(r.warnings) do assert.is_nil(w:find("killed", 1, true), w) end
  end)

  it("follows many short-lived processes without running out of descriptors", function()
    -- In a child allowed 64 descriptors: 300 processes, one left running.
    local pidfile = helpers.tmpname()
    local result = helpers.child(function(send)
      core.setrlimit("nofile", 64)
      local r = seccomp.learn({ "/bin/sh", "-c",
        "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; " ..
        "sleep 1000 & echo $! > " .. pidfile })
      local lost = 0
      for _, w in ipairs(r.warnings) do
        if w:find("could not be followed", 1, true) then lost = lost + 1 end
      end
      send(("%d %d %d %s"):format(r.code, lost, #r.killed, r.killed[1] and r.killed[1].pid or 0))
    end)
    local pid = compat.tointeger(tonumber(helpers.read_file(pidfile)))
    os.remove(pidfile)
    helpers.assert_exit(0, result)
    assert.are.equal("0 0 1 " .. pid, result.output)
    assert.is_true(ended(pid))
  end)

  it("rejects unknown options", function()
    assert.has_error(function() seccomp.learn(function() end, { progres = print }) end,
      "seccomp: learn: Invalid argument (EINVAL): unknown option progres")
  end)
end)

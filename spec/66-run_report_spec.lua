-- lua-seccomp run: a supervisor outside the sandbox names every call the
-- policy kills, in the command, its children and threads, across exec,
-- and nothing the command does switches that off.
local seccomp = require "seccomp"
local core = require "seccomp.core"
local child = require "seccomp.child"
local helpers = require "helpers"

local cli = helpers.cli
local SIGSYS = seccomp.SIG.SIGSYS
local REFUSE = "build/refuse"  -- spec/helper/refuse.c: makes a raw uname(2)

-- The line for a kill of uname in program `exe` (a Lua pattern).
local function uname_line(exe, arch)
  return "^seccomp: killed: uname%(0x%x+%)" .. (arch and (" on " .. arch) or "")
         .. " in pid %d+ %(" .. exe .. "%); allowed by promise stdio"
end

-- The lines lua-seccomp wrote (a shell may add its "Bad system call").
local function ours(err)
  local lines = {}
  for line in err:gmatch("[^\n]+") do
    if line:match("^seccomp: ") or line:match("^lua%-seccomp: ") then lines[#lines + 1] = line end
  end
  return lines
end

describe("lua-seccomp run names what it kills", function()
  local policy, errno_policy = helpers.tmpname(), helpers.tmpname()
  setup(function()
    helpers.write_file(policy, 'return { default = "allow", arches = { "x86" }, '
                               .. 'kill_process = { "uname" } }\n')
    helpers.write_file(errno_policy, 'return { default = "allow", errno = { EACCES = '
                                     .. '{ "openat" } }, kill_thread = { "uname" } }\n')
  end)
  teardown(function()
    os.remove(policy)
    os.remove(errno_policy)
  end)

  it("in an exec'd C program, which ends by SIGSYS as under the plain filter", function()
    local code, out, err = cli("run --policy " .. policy .. " -- " .. REFUSE .. " call")
    assert.are.equal(128 + SIGSYS, code, err)
    assert.are.equal("", out)  -- nothing ran after the call
    local lines = ours(err)
    assert.are.equal(1, #lines, err)
    assert.matches(uname_line(".*/build/refuse") .. ", @system%-service$", lines[1])
    -- the plain filter, for comparison: the same end, no line
    code, out, err = cli("run --quiet --policy " .. policy .. " -- " .. REFUSE .. " call")
    assert.are.same({ 128 + SIGSYS, "", {} }, { code, out, ours(err) })
  end)

  for _, mode in ipairs { "handler", "block", "ignore", "closeall" } do
    it("when the program " .. ({ handler = "installs its own SIGSYS handler",
                                 block = "blocks SIGSYS", ignore = "ignores SIGSYS",
                                 closeall = "closes every descriptor" })[mode], function()
      local code, out, err = cli("run --policy " .. policy .. " -- " .. REFUSE .. " " .. mode)
      assert.are.equal(128 + SIGSYS, code, err)
      assert.are.equal("", out)  -- no "handled", no "survived"
      assert.matches(uname_line(".*/build/refuse"), err)
    end)
  end

  it("in a forked child: the child ends by SIGSYS, its parent goes on", function()
    local code, out, err = cli("run --policy " .. policy .. " -- " .. REFUSE .. " fork")
    assert.are.equal(0, code, err)
    assert.are.equal("child signal " .. SIGSYS .. "\n", out)
    assert.matches(uname_line(".*/build/refuse"), err)
  end)

  it("in a thread: the whole process ends, and the line names the thread", function()
    local code, out, err = cli("run --policy " .. policy .. " -- " .. REFUSE .. " thread")
    assert.are.equal(128 + SIGSYS, code, err)
    assert.are.equal("", out)
    local pid, tid = err:match("in pid (%d+) thread (%d+) ")
    assert.is_truthy(pid, err)
    assert.are_not.equal(pid, tid)
  end)

  it("in /bin/sh -c pipelines, across exec, while the shell goes on", function()
    local code, out, err = cli("run --policy " .. policy .. " -- /bin/sh -c '" .. REFUSE
                               .. " call | cat; echo \"done $?\"; uname | cat; echo end'")
    assert.are.equal(0, code, err)
    assert.are.equal("done 0\nend\n", out)
    local lines = ours(err)
    assert.are.equal(2, #lines, err)
    assert.matches(uname_line(".*/build/refuse"), lines[1])
    assert.matches(uname_line("/[%w/]*uname"), lines[2])
  end)

  it("in an i386 call made with int 0x80, where the policy carries x86", function()
    local nr = seccomp.syscall("uname", "x86")
    local code, out, err = cli(("run --policy %s -- build/sysraw int80 %d 0"):format(policy, nr))
    assert.are.equal(128 + SIGSYS, code, err)
    assert.are.equal("", out)
    assert.matches("^seccomp: killed: uname%(0%) on x86 in pid %d+ %(.*/build/sysraw%)", err)
  end)

  it("with --report=errno, also the calls refused with an errno, which fail as the policy says",
     function()
    local cmd = " -- " .. REFUSE .. " open /nonexistent/super-file"
    local code, out, err = cli("run --report=errno --policy " .. errno_policy .. cmd)
    local _
    assert.are.equal(0, code, err)
    assert.are.equal("open -1 " .. seccomp.errno_value("EACCES") .. "\n", out)
    assert.matches('^seccomp: refused %(EACCES%): openat%(AT_FDCWD, "/nonexistent/super%-file", '
                   .. 'O_RDONLY%) in pid %d+ %(.*/build/refuse%); allowed by promise rpath', err)
    code, out, err = cli("run --policy " .. errno_policy .. cmd)
    assert.are.same({ 0, "open -1 " .. seccomp.errno_value("EACCES") .. "\n", {} },
                    { code, out, ours(err) })
    -- kill (kill_thread) in a process of one thread: the process ends
    code, _, err = cli("run --policy " .. errno_policy .. " -- " .. REFUSE .. " call")
    assert.are.equal(128 + SIGSYS, code, err)
    assert.matches("^seccomp: killed %(kill_thread%): uname", err)
  end)

  it("exits as the command does, and refuses what it cannot run", function()
    local code = cli("run --policy " .. policy .. " -- /bin/sh -c 'exit 7'")
    assert.are.equal(7, code)
    code = cli("run --policy " .. policy .. " -- /bin/sh -c 'kill -TERM $$'")
    assert.are.equal(128 + seccomp.SIG.SIGTERM, code)
    -- Ctrl-C (SIGINT to run and the command): the command decides
    code = cli("run --policy " .. policy .. " -- /bin/sh -c "
               .. "'trap \"exit 5\" INT; kill -INT $PPID $$; exit 6'")
    assert.are.equal(5, code)
    code = cli("run --policy " .. policy .. " -- /bin/sh -c 'kill -INT $PPID $$; sleep 1'")
    assert.are.equal(128 + seccomp.SIG.SIGINT, code)
    local plain = helpers.tmpname()  -- not executable
    helpers.write_file(plain, "text\n")
    local _, err
    code, _, err = cli("run --policy " .. policy .. " -- " .. plain)
    os.remove(plain)
    assert.are.equal(126, code)
    assert.matches("^lua%-seccomp: execv%(.*%): Permission denied", err)
    code, _, err = cli("run --report=everything --policy " .. policy .. " -- /bin/true")
    assert.are.equal(2, code)
    assert.matches("%-%-report takes no value, or errno", err)
    code, _, err = cli("run --quiet --report --policy " .. policy .. " -- /bin/true")
    assert.are.equal(2, code)
    assert.matches("exclude each other", err)
  end)

  it("keeps supervising what still runs under the filter when the command has ended", function()
    local r = child.run(function()
      core.execv("/usr/bin/lua5.4", { "lua5.4", "bin/lua-seccomp", "run", "--policy", policy,
                                      "--", "/bin/sh", "-c",
                                      "(sleep 0.2; " .. REFUSE .. " call) & echo started >&2" })
    end, { output = 2 })  -- read until the background process, too, has ended
    assert.is_true(helpers.exited(r, 0), helpers.describe(r))
    local lines = ours(r.output)
    assert.are.equal(1, #lines, r.output)
    assert.matches(uname_line(".*/build/refuse"), lines[1])
    assert.matches("^started\n", r.output)
  end)

  it("takes the command with it when the supervisor dies first: nothing runs after", function()
    local pidfile = helpers.tmpname()
    local h = child.start(function()
      core.execv("/usr/bin/lua5.4", { "lua5.4", "bin/lua-seccomp", "run", "--policy", policy,
                                      "--", REFUSE, "later", pidfile })
    end, { output = 1 })
    local pid
    for _ = 1, 400 do  -- the command writes its pid, then sleeps 3 s
      local text = helpers.exists(pidfile) and helpers.read_file(pidfile) or ""
      pid = tonumber(text:match("^(%d+)\n"))
      if pid then break end
      child.poll({}, 5)
    end
    assert.is_number(pid)
    h:kill(seccomp.SIG.SIGKILL)
    local r = h:wait()
    os.remove(pidfile)
    assert.is_true(helpers.signaled(r, seccomp.SIG.SIGKILL), helpers.describe(r))
    local gone = false
    for _ = 1, 400 do
      local stat = helpers.exists("/proc/" .. pid .. "/stat") and
                   helpers.read_file("/proc/" .. pid .. "/stat") or ""
      if not stat:match("^%d+ %(refuse%) [^Z]") then gone = true break end
      child.poll({}, 5)
    end
    assert.is_true(gone)
    assert.are.equal("", r.output)  -- it never got past its sleep
  end)
end)

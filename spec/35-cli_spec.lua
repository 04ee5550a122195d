-- bin/lua-seccomp: learn, run, pledge, check, export; help, version,
-- messages, exit codes.
local seccomp = require "seccomp"
local helpers = require "helpers"

local cli = helpers.cli

describe("lua-seccomp", function()
  local policy = os.tmpname()
  teardown(function() os.remove(policy) end)

  it("learns a command, then runs it under the learned policy", function()
    local code, out, err = cli("learn --output " .. policy .. " -- /bin/ls /")
    assert.are.equal(0, code, err)
    assert.matches("learning /bin/ls /", err)
    assert.matches("bin\n", out)  -- ls printed its listing
    local text = io.open(policy):read("*a")
    assert.matches('"execve"', text)
    assert.is_table(load(text, "policy", "t", {})())
    -- learn without --output prints the policy on stdout.
    code, out = cli("learn -- /bin/true")
    assert.are.equal(0, code)
    assert.matches("^%-%- lua%-seccomp policy", out)

    code, out = cli("run --policy " .. policy .. " -- /bin/ls /")
    assert.are.equal(0, code)
    assert.matches("bin\n", out)
  end)

  it("run ends as the command does: killed when the policy lacks a call", function()
    -- /bin/ls's policy lacks what a shell pipeline needs (pipe2, clone).
    local code = cli("run --policy " .. policy .. " -- /bin/sh -c 'echo hi | cat'")
    assert.are.equal(128 + seccomp.SIG.SIGSYS, code)  -- SIGSYS, as the shell reports it
  end)

  it("check prints the verdict and exits 0 or 1", function()
    local code, out = cli("check --policy " .. policy .. " openat 0 0 0")
    assert.are.equal(0, code)
    assert.are.equal("allow\n", out)
    code, out = cli("check --policy " .. policy .. " ptrace")
    assert.are.equal(1, code)
    assert.are.equal("kill_process\n", out)
  end)

  it("check shows errno verdicts with their names", function()
    local p = os.tmpname()
    local fh = io.open(p, "w")
    fh:write('return { default = "allow", errno = { EACCES = { "ptrace" } } }\n')
    fh:close()
    local code, out = cli("check --policy " .. p .. " ptrace")
    os.remove(p)
    assert.are.equal(1, code)
    assert.matches("^errno %d+ EACCES\n$", out)
  end)

  it("exports pfc and bpf", function()
    local code, out = cli("export --policy " .. policy .. " --format pfc")
    assert.are.equal(0, code)
    assert.matches("pseudo filter code", out)
    code, out = cli("export --policy " .. policy .. " --format bpf")
    assert.are.equal(0, code)
    assert.are.equal(0, #out % 8)
    assert.is_true(#out > 0)
  end)

  it("runs a policy file as data: it reaches nothing of the tool", function()
    local p, marker = os.tmpname(), os.tmpname()
    os.remove(marker)
    local function write(text)
      local fh = io.open(p, "w")
      fh:write(text)
      fh:close()
    end
    -- Code with side effects finds nothing to call.
    write(('seccomp.learn { "/bin/sh", "-c", "touch %s" }\n'):format(marker) ..
          'return { default = "kill", allow = { "read" } }\n')
    local code, _, err = cli("check --policy " .. p .. " read")
    assert.are.equal(3, code)
    assert.matches("learn", err)
    assert.is_nil(io.open(marker))
    -- Replacing the compiler changes only the policy's own view: run still
    -- loads the real filter, which kills the command.
    write('local real = seccomp.compile\n' ..
          'seccomp.compile = function(spec) local f = real(spec) return { load = function() end,\n' ..
          '  check = function(_, ...) return f:check(...) end } end\n' ..
          'return { default = "kill", allow = { "read" } }\n')
    code = cli("run --policy " .. p .. " -- /bin/echo hi")
    assert.are.equal(128 + seccomp.SIG.SIGSYS, code)
    -- Only data comes back: no functions, no endless loops.
    write('return { default = "allow", kill = { function() end } }\n')
    code, _, err = cli("check --policy " .. p .. " read")
    assert.are.equal(3, code)
    assert.matches("only data", err)
    write('while true do end\n')
    code, _, err = cli("check --policy " .. p .. " read")
    assert.are.equal(3, code)
    assert.matches("too long", err)
    -- Comparators and constants work, with or without "seccomp.".
    write('return { default = "allow", errno = { EPERM = {\n' ..
          '  { "openat", arg32(2):masked_eq(seccomp.O.ACCMODE, O.WRONLY) } } },\n' ..
          '  kill = { { "write", seccomp.arg(0):gt(2) } }, trace = { [5] = { "getpid" } } }\n')
    local verdicts = {}
    for _, call in ipairs { "openat 0 0 " .. seccomp.O.WRONLY, "openat 0 0 " .. seccomp.O.RDONLY,
                            "write 3", "write 1", "getpid" } do
      local _, out = cli("check --policy " .. p .. " " .. call)
      verdicts[#verdicts + 1] = out
    end
    os.remove(p)
    assert.are.same({ "errno " .. seccomp.E.EPERM .. " EPERM\n", "allow\n", "kill_process\n",
                      "allow\n", "trace 5\n" }, verdicts)
  end)

  it("says a policy path that is a directory cannot be read", function()
    local code, _, err = cli("check --policy / read")
    assert.are.equal(3, code)
    assert.matches("^lua%-seccomp: policy%(/%): Is a directory %(EISDIR%): cannot read policy\n$", err)
  end)

  it("has help for each command", function()
    for _, c in ipairs { "learn", "run", "check", "export" } do
      local code, out = cli(c .. " --help")
      assert.are.equal(0, code)
      assert.matches("^usage: lua%-seccomp " .. c, out)
    end
    local code, out = cli("--help")
    assert.are.equal(0, code)
    assert.matches("exit status", out)
  end)

  it("fails clearly with documented exit codes", function()
    local code, _, err = cli("")
    assert.are.equal(2, code)
    assert.matches("usage", err)
    code, _, err = cli("frobnicate")
    assert.are.equal(2, code)
    assert.matches("unknown command", err)
    code, _, err = cli("check --policy " .. policy .. " --bogus getpid")
    assert.are.equal(2, code)
    assert.matches("unknown option", err)
    code, _, err = cli("export --policy " .. policy .. " --format xml")
    assert.are.equal(2, code)
    assert.matches("pfc or bpf", err)
    code, _, err = cli("check --policy /nonexistent/policy getpid")
    assert.are.equal(3, code)
    assert.matches("cannot read policy", err)
    code, _, err = cli("run --policy " .. policy .. " -- no-such-command-anywhere")
    assert.are.equal(127, code)
    assert.matches("not found", err)
    code, _, err = cli("learn -- /bin/false")
    assert.are.equal(4, code)
    assert.matches("ended by exit 1", err)
  end)

  it("learn puts only the policy on stdout, for a file or a pipe into run", function()
    local file = helpers.tmpname()
    local code, out, err = cli("learn -- /bin/ls / > " .. file)
    assert.are.equal(0, code, err)
    assert.are.equal("", out)
    assert.matches("\nbin\n", err)  -- the command's own output went to stderr
    assert.matches("^%-%- lua%-seccomp policy", helpers.read_file(file))
    code, out = cli("run --policy " .. file .. " -- /bin/ls /")
    os.remove(file)
    assert.are.equal(0, code)
    assert.matches("\nbin\n", "\n" .. out)
    -- The second tool in the pipe finds its modules alone.
    code, out = cli("learn -- /bin/ls / 2>/dev/null | " .. helpers.LUA_CMD
                    .. " bin/lua-seccomp run --policy - -- /bin/ls /")
    assert.are.equal(0, code)
    assert.matches("\nbin\n", "\n" .. out)
  end)

  it("finds a --output it cannot write before the command runs", function()
    local marker = helpers.tmpname()
    for _, args in ipairs {
      "learn --output /nonexistent/dir/p.lua -- /bin/touch " .. marker,
      "export --policy " .. policy .. " --format pfc --output /nonexistent/dir/p.pfc",
    } do
      local code, out, err = cli(args)
      assert.are.equal(3, code, args)
      assert.are.equal("", out)
      assert.matches("^lua%-seccomp: cannot write /nonexistent/dir/p%.[a-z]+: " ..
                     "No such file or directory\n$", err)
    end
    assert.is_nil(io.open(marker))
  end)

  it("pledge runs a command under promises", function()
    local code, out = cli("pledge 'stdio rpath exec prot_exec' -- /bin/ls /")
    assert.are.equal(0, code)
    out = "\n" .. out
    assert.matches("\nbin\n", out)
    -- Without wpath and cpath the shell's write-open is killed.
    local target = helpers.tmpname()
    code = cli("pledge 'stdio rpath proc exec prot_exec' -- /bin/sh -c 'echo hi > " ..
               target .. "'")
    assert.are.equal(128 + seccomp.SIG.SIGSYS, code)
    assert.is_nil(io.open(target))
    local _, err
    code, _, err = cli("pledge stdio -- /bin/true")
    assert.are.equal(3, code)
    assert.matches("^lua%-seccomp: pledge%(stdio%): the promises do not allow execve", err)
    code, _, err = cli("pledge 'stdio bogus' -- /bin/true")
    assert.are.equal(3, code)
    assert.matches("^lua%-seccomp: pledge%(bogus%): Invalid argument %(EINVAL%): unknown promise",
                   err)
    code, _, err = cli("pledge 'stdio exec' -- no-such-command-anywhere")
    assert.are.equal(127, code)
    assert.matches("^lua%-seccomp: pledge%(no%-such%-command%-anywhere%): No such file", err)
    code, _, err = cli("pledge")
    assert.are.equal(2, code)
    assert.matches("no promises given", err)
  end)

  it("ends by the signal that ends the command", function()
    -- /bin/ls's policy lacks what a shell pipeline needs: the process,
    -- which became the shell, ends by SIGSYS itself.
    local core = require "seccomp.core"
    local r = helpers.child(function()
      core.execv("/usr/bin/" .. helpers.LUA, { helpers.LUA, "bin/lua-seccomp", "run", "--policy", policy,
                                      "--", "/bin/sh", "-c", "echo hi | cat" })
    end)
    assert.is_true(helpers.signaled(r, seccomp.SIG.SIGSYS), helpers.describe(r))
  end)

  it("has --version and help COMMAND", function()
    local code, out = cli("--version")
    assert.are.equal(0, code)
    assert.are.equal(("%s (libseccomp %s, %s)\n"):format(seccomp._VERSION, seccomp.version(),
                                                       _VERSION), out)
    for _, c in ipairs { "learn", "run", "pledge", "check", "export", "help" } do
      local hcode, help = cli("help " .. c)
      assert.are.equal(0, hcode)
      assert.matches("^usage: lua%-seccomp " .. c, help)
      local _, same = cli(c .. " --help")
      assert.are.equal(help, same)
    end
    local _, usage = cli("help")
    local _, usage2 = cli("--help")
    assert.are.equal(usage, usage2)
    for _, c in ipairs { "learn", "run", "pledge", "check", "export" } do
      assert.matches("\n  " .. c .. " ", usage)
    end
    assert.matches("ends by that signal", usage)
    code = cli("help frobnicate")
    assert.are.equal(2, code)
  end)

  it("has help where its modules cannot be found", function()
    local dir = helpers.tmpname()
    assert(os.execute("mkdir -p " .. dir .. "/bin && cp bin/lua-seccomp " .. dir .. "/bin/"))
    local tool = "env -u LUA_PATH -u LUA_CPATH " .. helpers.LUA_CMD .. " " .. dir .. "/bin/lua-seccomp "
    local _, help = cli("help run")
    for _, args in ipairs { "help run", "run --help" } do
      local p, close = helpers.popen(tool .. args .. " 2>&1")
      local out = p:read("*a")
      local _, _, code = close()
      assert.are.equal(0, code, out)
      assert.are.equal(help, out)
    end
    os.execute("rm -rf " .. dir)
  end)

  it("says which names of a policy file no architecture knows", function()
    local path = helpers.tmpname()
    helpers.write_file(path, 'return { default = "kill", allow = { "read", "wirte" } }')
    local code, out, err = cli("check --policy " .. path .. " read")
    os.remove(path)
    assert.are.equal(0, code, err)
    assert.are.equal("allow\n", out)
    assert.matches("lua%-seccomp: policy%(" .. path:gsub("%p", "%%%0") .. "%): skipped, no "
                   .. "architecture knows: wirte\n", err)
  end)

  it("speaks with one prefix and names the command the user gave", function()
    local code, _, err = cli("run --policy " .. policy .. " -- no-such-command-anywhere")
    assert.are.equal(127, code)
    assert.are.equal("lua-seccomp: run(no-such-command-anywhere): No such file or directory " ..
                     "(ENOENT): not found in PATH\n", err)
    code, _, err = cli("learn -- no-such-command-anywhere")
    assert.are.equal(127, code)
    assert.matches("^lua%-seccomp: learn%(no%-such%-command%-anywhere%)", err)
    code, _, err = cli("run --policy " .. policy .. " -- /etc/passwd")
    assert.are.equal(126, code)
    assert.matches("^lua%-seccomp: execv%(/etc/passwd%): Permission denied %(EACCES%)\n$", err)
    local p = helpers.tmpname()
    helpers.write_file(p, 'return { default = "kill", allow = { "no_such_call_at_all" }, ' ..
                          'kill = { "no_such_call_either" } }\n')
    code, _, err = cli("check --policy " .. p .. " read")
    os.remove(p)
    assert.are.equal(3, code)
    assert.matches("^lua%-seccomp: [a-z]+%(", err)
    for line in err:gmatch("[^\n]+") do
      assert.is_nil(line:find("seccomp: seccomp:", 1, true), line)
      assert.is_nil(line:find("%.lua:%d+:"), line)
    end
  end)
end)

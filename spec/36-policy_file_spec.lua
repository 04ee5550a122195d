-- seccomp.policy_file: policy files are untrusted data, evaluated in a
-- limited child under a filter of our own, and returned as plain data.
local seccomp = require "seccomp"
local core = require "seccomp.core"
-- Raw calls and program loads, in this process (spec/helper/lraw.c).
local lraw = assert(package.loadlib(require("helpers").BUILD .. "/spec/lraw.so", "luaopen_lraw"))()
local policy_file = seccomp.policy_file  -- the library's loader, through the façade
local helpers = require "helpers"

local start, cli = helpers.cli_start, helpers.cli

local function error_of(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok)
  return tostring(err)
end

describe("policy files", function()
  local path = helpers.tmpname()
  after_each(function() os.remove(path) end)

  describe("over a limit end with exit 3 and a message naming the limit", function()
    -- CPU time bounds C functions too: a backtracking pattern, an endless
    -- loop. On a busy machine the wall clock (5 s) may end them first.
    local TIME = "Timer expired %(ETIME%): runs too long: (.*)"
    local TIME_LIMITS = { ["more than 2 s of CPU time"] = true, ["did not finish within 5 s"] = true }
    local cases = {
      { "a backtracking pattern",
        'local s = ("a"):rep(40)\nreturn { default = s:find(("a*"):rep(20) .. "b") }\n', TIME },
      { "a huge allocation",
        'local s = ("x"):rep(2e8)\nreturn { default = "allow", allow = { s } }\n',
        "Cannot allocate memory %(ENOMEM%): (needs more than 64 MiB of memory)" },
      { "an endless loop", "while true do end\n", TIME },
    }
    for _, case in ipairs(cases) do
      it(case[1] .. ", for check, export and run", function()
        helpers.write_file(path, case[2])
        local marker = helpers.tmpname()
        local runs = {}
        for i, args in ipairs {
          "check --policy " .. path .. " read",
          "export --policy " .. path .. " --format pfc",
          "run --policy " .. path .. " -- /bin/touch " .. marker,
        } do
          runs[i] = { args, start(args) }  -- side by side: each takes its limit
        end
        for _, run in ipairs(runs) do
          local code, out, err = run[2]()
          assert.are.equal(3, code, run[1])
          assert.are.equal("", out)
          local limit = err:match("^lua%-seccomp: policy%(" .. path:gsub("%p", "%%%0") ..
                                  "%): " .. case[3] .. "\n$")
          assert.is_truthy(limit, err)
          if case[3] == TIME then assert.is_true(TIME_LIMITS[limit], err) end
        end
        assert.is_nil(io.open(marker))  -- run never ran the command
      end)
    end

    it("and a file past the wall-clock limit is killed", function()
      local err = error_of(policy_file.load_string, "while true do end", "slow",
                           { cpu_seconds = 60, timeout_seconds = 0.2 })
      assert.matches("^seccomp: policy%(slow%): Timer expired %(ETIME%): runs too long: " ..
                     "did not finish within 0.2 s$", err)
    end)

    it("and so is a file larger than the size limit", function()
      local err = error_of(policy_file.load_string, "return {}" .. (" "):rep(100), "big",
                           { max_bytes = 100 })
      assert.matches("^seccomp: policy%(big%): File too large %(EFBIG%): larger than 100 bytes$",
                     err)
      err = error_of(policy_file.load_string, 'return { x = ("y"):rep(200) }', "wide",
                     { max_bytes = 100 })
      assert.matches("returns more than 100 bytes", err)
    end)
  end)

  it("still work for check, export and run", function()
    -- What /bin/sh and /bin/cat need, but no write-opens.
    helpers.write_file(path, 'return { default = "allow",\n' ..
      '  errno = { EPERM = { { "openat", arg32(2):masked_eq(O.ACCMODE, O.WRONLY) } } } }\n')
    local code, out = cli("check --policy " .. path .. " openat 0 0 " .. seccomp.O.WRONLY)
    assert.are.equal(1, code)
    assert.are.equal("errno " .. seccomp.E.EPERM .. " EPERM\n", out)
    code, out = cli("export --policy " .. path .. " --format pfc")
    assert.are.equal(0, code)
    assert.matches("openat", out)
    local target = helpers.tmpname()
    code = cli("run --policy " .. path .. " -- /bin/sh -c 'echo hi > " .. target .. "'")
    assert.are_not.equal(0, code)  -- the shell's write-open got EPERM
    assert.is_nil(io.open(target))
    code, out = cli("run --policy " .. path .. " -- /bin/cat " .. path)
    assert.are.equal(0, code)
    assert.are.equal(helpers.read_file(path), out)
  end)

  it("return data with comparators rebuilt as written", function()
    local data = policy_file.evaluate(
      'return { default = "allow", kill = { { "write", seccomp.arg(0):gt(2) },\n' ..
      '  { "read", arg32(0):flags_in(3) }, { "close", arg(1):masked_eq(0xf0, 0x10) } },\n' ..
      '  trace = { [5] = { "getpid" } }, errno = { [seccomp.E.EACCES] = { "ptrace" } } }',
      "data")
    assert.are.equal("allow", data.default)
    assert.are.equal("arg(0):gt(2)", tostring(data.kill[1][2]))
    assert.are.equal(tostring(seccomp.arg32(0):flags_in(3)), tostring(data.kill[2][2]))
    assert.are.equal("arg(1):masked_eq(0xf0, 0x10)", tostring(data.kill[3][2]))
    assert.are.same({ "getpid" }, data.trace[5])
    -- The compiled filter enforces them, in a child.
    local f = policy_file.load_string(
      'return { default = "allow", errno = { EPERM = { { "getppid", arg(0):eq(7) } } } }', "p")
    local nr = seccomp.syscall("getppid")
    local r = helpers.child(function(send)
      f:load()
      local _, e1 = lraw.syscall_raw(nr, 7)
      local _, e2 = lraw.syscall_raw(nr, 8)
      send(e1 .. " " .. e2)
    end)
    helpers.assert_exit(0, r)
    assert.are.equal(seccomp.E.EPERM .. " 0", r.output)
  end)

  it("refuse what is not data, naming where", function()
    for _, case in ipairs {
      { "return { kill = { function() end } }", 'the policy%["kill"%]%[1%] is a function' },
      { "local t = {} t[1] = t return t", "the policy%[1%] is a table that contains itself" },
      { "return { [{}] = 1 }", "has a table key" },
      { "return { x = coroutine }", "" },
      { "return 5", "does not return a table" },
      { "return io.open('/etc/passwd')", "attempt to index a nil value %(global 'io'%)" },
      { "return require 'os'", "attempt to call a nil value %(global 'require'%)" },
      { "return load('return {}')()", "attempt to call a nil value %(global 'load'%)" },
      { "syntax error", "near 'error'" },
    } do
      local ok, err = pcall(policy_file.evaluate, case[1], "x")
      if case[2] == "" then
        assert.is_true(ok, tostring(err))  -- coroutine is simply not there
        assert.are.same({}, err)
      else
        assert.is_false(ok, case[1])
        assert.matches("^seccomp: policy%(x%): Invalid argument %(EINVAL%): .*" .. case[2], err)
      end
    end
  end)

  it("are evaluated under a filter that allows only computing and one pipe", function()
    local r, w = core.pipe()
    local f = policy_file.sandbox(w)
    local result = helpers.child(function()
      f:load()
      core.write(w, "x")  -- the result pipe: allowed
      io.open("/etc/passwd")  -- anything else kills
      return 0
    end)
    core.close_fd(w)
    assert.are.equal("x", core.read(r))
    core.close_fd(r)
    helpers.assert_sigsys(result)
    result = helpers.child(function()
      f:load()
      core.write(2, "y")  -- another descriptor
      return 0
    end)
    helpers.assert_sigsys(result)
  end)

  it("read standard input for -, and report files that cannot be read", function()
    helpers.write_file(path, 'return { default = "allow", kill = { "ptrace" } }\n')
    local code, out = cli("check --policy - ptrace < " .. path)
    assert.are.equal(1, code)
    assert.are.equal("kill_process\n", out)
    local err = error_of(policy_file.load_file, "/nonexistent/policy")
    assert.matches("^seccomp: policy%(/nonexistent/policy%): No such file or directory " ..
                   "%(ENOENT%): cannot read policy$", err)
    err = error_of(policy_file.load_file, path, { cpu = 1 })
    assert.matches("^seccomp: policy%(cpu%): Invalid argument %(EINVAL%): unknown option", err)
  end)
end)

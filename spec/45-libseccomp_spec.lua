-- libseccomp 2.5.4's known weak spots. Before 2.5.6 a rule add that fails
-- inside libseccomp can leave its state corrupt (with two architectures,
-- the second one's rules can vanish). The binding protects the user: the
-- refused add adds nothing and the good rules added afterwards load and
-- are enforced exactly, on both architectures.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

local E = seccomp.errno_value
local nr = seccomp.syscall

-- Loads f in a child and runs one sysraw call; if load raises, the child
-- exits 240 and the message is kept in `msg`.
local function run_under(f, ...)
  local out = os.tmpname()
  local r = helpers.sysraw(function()
    local ok, err = pcall(f.load, f)
    if not ok then
      local fh = io.open(out, "w")
      fh:write(tostring(err))
      fh:close()
      require("seccomp.core").exit(240)
    end
  end, ...)
  r.msg = helpers.slurp(out)
  os.remove(out)
  return r
end

describe("after an add that libseccomp refuses", function()
  -- A filter for x86_64 and x86 with one refused add; returns it and the
  -- error message of the refused add.
  local function damaged(bad)
    local f = seccomp.filter("allow")
    f:arch_add("x86")
    local ok, err = pcall(bad, f)
    assert.is_false(ok)
    assert.matches("^seccomp: add", err)
    assert.are.equal(0, f:rule_count())
    assert.is_true(f:arch_exist("x86"))
    f:add(seccomp.errno("EACCES"), "getppid")
    f:add(seccomp.errno("EACCES"), "getuid")
    return f
  end

  local refusals = {
    ["a number unknown on one architecture"] = function(f)
      f:add(seccomp.errno("EPERM"), 2000)
    end,
    ["an exact rule that one architecture cannot express"] = function(f)
      f:add_exact(seccomp.errno("EPERM"), "socket", seccomp.arg(0):eq(helpers.const("AF_INET")))
    end,
  }

  for what, bad in pairs(refusals) do
    describe("(" .. what .. ")", function()
      it("the later rules are enforced exactly, on both architectures", function()
        local f = damaged(bad)
        local checks = {
          { { "raw", tostring(nr("getppid")) }, E("EACCES") },
          { { "int80", tostring(nr("getppid", "x86")) }, E("EACCES") },
          { { "raw", tostring(nr("getuid")) }, E("EACCES") },
          { { "int80", tostring(nr("getuid", "x86")) }, E("EACCES") },
          { { "raw", tostring(nr("getpid")) }, 0 },
          { { "int80", tostring(nr("getpid", "x86")) }, 0 },
          -- the refused rules added nothing
          { { "raw", "2000" }, E("ENOSYS") },
          { { "raw", tostring(nr("socket")), "AF_INET", "SOCK_STREAM", "0" }, 0 },
        }
        for _, c in ipairs(checks) do
          local r = run_under(f, compat.unpack(c[1]))
          assert.are.same({ how = "exit", code = c[2] }, helpers.outcome({ how = r.how, code = r.code }),
                          table.concat(c[1], " ") .. " " .. (r.msg or ""))
        end
      end)
    end)
  end
end)

describe("a 64-bit value on a filter with a 32-bit architecture", function()
  -- libseccomp cuts the value to 32 bits for x86, so "arg0 == 2^32" would
  -- become "arg0 == 0" there, allowing a call the rule did not mean to.
  it("is refused and adds nothing; the i386 call stays denied", function()
    local f = helpers.allowlist("kill")
    f:arch_add("x86")
    local before = f:rule_count()
    local ok, err = pcall(f.allow, f, "getppid", seccomp.arg(0):eq(0x100000000))
    assert.is_false(ok)
    assert.matches("^seccomp: add", err)
    assert.are.equal(before, f:rule_count())
    local r = run_under(f, "int80", tostring(nr("getppid", "x86")), "0")
    assert.is_true(helpers.killed(r), r.msg)
  end)
end)

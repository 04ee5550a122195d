-- seccomp.load_bpf: a program f:bpf() wrote, loaded again without
-- rebuilding, from a string or a file, with a filter load's flags; and
-- every damaged or foreign program refused before the kernel sees it.
-- Every load is in a child process.
local seccomp = require "seccomp"
local helpers = require "helpers"

local EPERM_FROM_RULE = 77
local lthread = function()
  return assert(package.loadlib("build/spec/lthread.so", "luaopen_lthread"))()
end

-- A saved program: getppid fails with errno 77, getuid kills.
local function saved()
  local f = seccomp.filter("allow")
  f:add(seccomp.errno(EPERM_FROM_RULE), "getppid")
  f:add("kill", "getuid")
  return f:bpf()
end

local function insn(code, jt, jf, k) return string.pack("=I2BBI4", code, jt, jf, k) end
local LD_ABS, JEQ, RET = 0x20, 0x15, 0x06

-- In a child: load_bpf(program, options) then what `after` returns; a
-- refusal comes back as its message.
local function in_child(program, options, after)
  return helpers.child(function(send)
    local ok, err = pcall(seccomp.load_bpf, program, options)
    if not ok then
      send(err)
      return 3
    end
    return after and after(send) or 0
  end)
end

local function refused(program, pattern)
  local r = in_child(program)
  assert(helpers.exited(r, 3), "loaded: " .. helpers.describe(r))
  assert.matches(pattern, r.output)
  return r.output
end

describe("seccomp.load_bpf", function()
  local prog = saved()

  it("loads a saved program from a string and enforces it", function()
    -- Lua goes on under it, and calls it allows work
    local r = in_child(prog, nil, function(send)
      send(helpers.read_file("/proc/self/status"):match("Seccomp:%s*(%d)"))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("2", r.output)  -- SECCOMP_MODE_FILTER
    helpers.assert_exit(EPERM_FROM_RULE, helpers.sysraw(function() seccomp.load_bpf(prog) end,
                                                        "raw", seccomp.syscall("getppid")))
    helpers.assert_sigsys(helpers.sysraw(function() seccomp.load_bpf(prog) end,
                                         "raw", seccomp.syscall("getuid")))
    helpers.assert_exit(0, helpers.sysraw(function() seccomp.load_bpf(prog) end,
                                          "raw", seccomp.syscall("getpid")))
  end)

  it("loads from an open file", function()
    local path = helpers.tmpname()
    helpers.write_file(path, prog)
    helpers.assert_exit(EPERM_FROM_RULE, helpers.sysraw(function()
      local fh = assert(io.open(path, "rb"))
      seccomp.load_bpf(fh)
      fh:close()
    end, "raw", seccomp.syscall("getppid")))
    os.remove(path)
  end)

  it("sets no_new_privs unless told not to, as a filter load does", function()
    local function nnp(options)
      local r = in_child(prog, options, function(send)
        send(helpers.read_file("/proc/self/status"):match("NoNewPrivs:%s*(%d)"))
      end)
      helpers.assert_exit(0, r)
      return r.output
    end
    assert.are.equal("1", nnp(nil))
    assert.are.equal("1", nnp { log = true, spec_allow = true })
    -- without no_new_privs the kernel wants CAP_SYS_ADMIN
    local r = in_child(prog, { no_new_privs = false }, function(send)
      send(helpers.read_file("/proc/self/status"):match("NoNewPrivs:%s*(%d)"))
    end)
    if helpers.exited(r, 0) then
      assert.are.equal("0", r.output)
    else
      assert.matches("CAP_SYS_ADMIN", r.output)
    end
  end)

  it("syncs every thread unless tsync = false", function()
    local getppid = seccomp.syscall("getppid")
    local function other_thread(options)
      local r = helpers.child(function(send)
        local t = lthread().start()
        seccomp.load_bpf(prog, options)
        local ret, err = t:call(getppid)
        send(tostring(ret < 0 and err or 0))
      end)
      helpers.assert_exit(0, r)
      return tonumber(r.output)
    end
    assert.are.equal(EPERM_FROM_RULE, other_thread(nil))
    assert.are.equal(0, other_thread { tsync = false })
  end)

  it("f:load() of an exported filter loads the exported program", function()
    local r = helpers.child(function(send)
      local f = seccomp.filter("allow")
      f:add(seccomp.errno(EPERM_FROM_RULE), "getppid")
      local exported = f:bpf()
      f:load()
      -- after the load f:bpf() answers with the program the kernel was given
      send(tostring(f:bpf() == exported))
    end)
    helpers.assert_exit(0, r)
    assert.are.equal("true", r.output)
  end)

  it("refuses a truncated program", function()
    refused(prog:sub(1, #prog - 3), "not a whole number of 8%-byte instructions")
    refused(prog:sub(1, #prog - 8), "truncated")
    refused(prog:sub(1, 16), "truncated")
    refused("", "0 bytes")
  end)

  it("refuses a program for another architecture", function()
    local f = seccomp.filter("allow")
    f:arch_remove("native")
    f:arch_add(seccomp.arch_native() == "aarch64" and "x86_64" or "aarch64")
    f:add(seccomp.errno(5), "getppid")
    local msg = refused(f:bpf(), "the program is for ")
    assert.matches("not for this process's " .. seccomp.arch_native(), msg, 1, true)
  end)

  it("refuses a program over the kernel's 4096 instructions", function()
    local native = seccomp.arch_token(seccomp.arch_native())
    local body = string.rep(insn(LD_ABS, 0, 0, 0), 4096)
    local big = insn(LD_ABS, 0, 0, 4) .. insn(JEQ, 0, 0, native) .. body .. insn(RET, 0, 0, 0x7fff0000)
    assert.are.equal(4099, #big // 8)
    refused(big, "4099 instructions; the kernel takes at most 4096")
  end)

  it("refuses a program without libseccomp's architecture check", function()
    refused(prog:sub(9), "architecture check")
    refused(insn(RET, 0, 0, 0x7fff0000), "architecture check")
    refused(insn(LD_ABS, 0, 0, 4) .. insn(JEQ, 0, 0, 12345) .. insn(RET, 0, 0, 0x7fff0000),
            "architecture check")
  end)

  it("passes on the kernel's refusal of an instruction it does not take", function()
    local bad = prog:sub(1, 16) .. insn(0xffff, 0, 0, 0) .. prog:sub(25)
    refused(bad, "the kernel refused the program")
  end)

  it("refuses bad arguments and unknown options", function()
    refused(42, "program")
    local r = in_child(prog, { tsnyc = true })
    assert(helpers.exited(r, 3))
    assert.matches("unknown option", r.output)
    r = in_child(prog, { log = 1 })
    assert(helpers.exited(r, 3))
    assert.matches("must be a boolean", r.output)
  end)
end)

--- Helpers shared by the specs: run code or build/sysraw (the raw-syscall
-- helper, spec/helper/sysraw.c) in a child process and say how it ended,
-- constants from the C headers, files. A filter is never loaded into the
-- busted process itself. Children start through seccomp.child, and end by
-- its exit convention: the integer the function returns, 1 when it
-- raised, 125 when the setup before an exec raised.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local child = require "seccomp.child"

local helpers = {}

-- Signal numbers from <signal.h>, as the core exports them.
helpers.SIGSYS = seccomp.SIG.SIGSYS
helpers.SIGKILL = seccomp.SIG.SIGKILL
helpers.SIGSEGV = seccomp.SIG.SIGSEGV
helpers.SIGABRT = seccomp.SIG.SIGABRT

--- What `exited` and `assert_exit` take for "the function raised": the
-- child then exits with child.EXIT_RAISED (1), which a function may also
-- return, so the shared record tells the two apart.
helpers.RAISED = "raised"

--- Runs `fn(send)` in a forked child and waits for it. `send(s)` passes a
-- string back to the parent through a pipe. The child exits with the
-- number fn returns (0 when it returns nothing), or child.EXIT_RAISED when
-- it raises (the message then ends the output, after "raised: ").
-- `output_fd` (1 or 2) also sends the child's stdout or stderr through the
-- pipe, so what a program it execs prints comes back too.
-- Returns { how = "exit"|"signal", code = n, output = string, state =,
-- error = }.
function helpers.child(fn, output_fd)
  local r = child.run(fn, { send = true, output = output_fd })
  if r.state == "error" then r.output = r.output .. "raised: " .. r.error end
  return r
end

--- True when the child was killed by signal `signo`.
function helpers.signaled(result, signo)
  return result.how == "signal" and result.code == signo
end

--- True when the child was killed by SIGSYS (a kill action).
function helpers.killed(result)
  return helpers.signaled(result, helpers.SIGSYS)
end

--- True when the child exited with `code`, and not because its function
-- or setup raised; with RAISED, when its function raised.
function helpers.exited(result, code)
  if code == helpers.RAISED then
    return result.how == "exit" and result.code == child.EXIT_RAISED and result.state == "error"
  end
  return result.how == "exit" and result.code == code
         and result.state ~= "error" and result.state ~= "setup"
end

--- How the child ended, { how =, code = }, for comparing whole; a raise
-- adds its message, so that it never compares equal to an exit.
function helpers.outcome(result)
  local out = { how = result.how, code = result.code }
  if result.state == "error" or result.state == "setup" then out.error = result.error end
  return out
end

--- Asserts the child exited with `code`.
function helpers.assert_exit(code, result)
  assert(helpers.exited(result, code),
         "expected exit " .. code .. ", got " .. helpers.describe(result))
end

--- Asserts the child was killed by SIGSYS.
function helpers.assert_sigsys(result)
  assert(helpers.signaled(result, helpers.SIGSYS),
         "expected SIGSYS, got " .. helpers.describe(result))
end

--- The whole content of file `name`.
function helpers.read_file(name)
  local f = assert(io.open(name))
  local s = f:read("*a")
  f:close()
  return s
end

--- Writes `text` to file `name`.
function helpers.write_file(name, text)
  local f = assert(io.open(name, "w"))
  f:write(text)
  f:close()
end

--- Describes a child's end for assertion messages.
function helpers.describe(result)
  local output = result.output or ""
  if result.state == "setup" then output = output .. "setup raised: " .. result.error end
  return ("%s %s%s"):format(result.how, tostring(result.code),
    output ~= "" and (" output: " .. output) or "")
end

--- The content of file `name`, or nil when it cannot be read.
function helpers.slurp(name)
  local fh = io.open(name, "rb")
  if not fh then return nil end
  local s = fh:read("*a")
  fh:close()
  return s
end

--- Does a path exist?
function helpers.exists(name)
  return os.rename(name, name) ~= nil
end

--- The interpreter running the suite ("lua5.1" ... "lua5.4", "luajit"),
-- for the specs that start a fresh Lua.
helpers.LUA = rawget(_G, "jit") and "luajit" or "lua" .. _VERSION:match("%d+%.%d+")

--- The command that starts that Lua as the suite runs it: LuaJIT with
-- its compiler off when the suite runs so (`make test` does: a pledge
-- without prot_exec refuses a running compiler, see spec/70), and the
-- Lua code that does the same in a fresh interpreter.
local JIT_OFF = rawget(_G, "jit") and not rawget(_G, "jit").status()
helpers.LUA_CMD = helpers.LUA .. (JIT_OFF and " -joff" or "")
helpers.JIT_OFF = JIT_OFF and "jit.off(); " or ""

--- The build folder of this Lua's core and test modules: the Makefile
-- builds each Lua but 5.4 in build/lua-V (SECCOMP_BUILD names another).
helpers.BUILD = os.getenv("SECCOMP_BUILD")
  or (rawget(_G, "jit") and "build/lua-jit")
  or (_VERSION == "Lua 5.4" and "build" or "build/lua-" .. _VERSION:match("%d+%.%d+"))

--- This Lua's C headers and library, for the specs that compile a module
-- or a host against it.
helpers.LUA_INCDIR = rawget(_G, "jit") and "/usr/include/luajit-2.1"
  or "/usr/include/" .. helpers.LUA
helpers.LUA_LIB = rawget(_G, "jit") and "luajit-5.1" or helpers.LUA

--- string.pack on every Lua, for the formats the specs write: where Lua
-- has none, seccomp.compat's, with i4 as its I4 (two's complement) and
-- i8 and I8 as its j.
function helpers.pack(fmt, ...)
  if string.pack then return string.pack(fmt, ...) end
  local args = { ... }
  local i = 0
  local out = fmt:gsub("[a-zA-Z]%d*", function(code)
    i = i + 1
    if code == "i4" then
      args[i] = args[i] % 2 ^ 32
      code = "I4"
    elseif code == "i8" or code == "I8" then
      code = "j"
    end
    return code
  end)
  return compat.pack(out, compat.unpack(args, 1, i))
end

--- Path of the raw-syscall test program built by `make`.
helpers.SYSRAW = "build/sysraw"

--- What the static build/sysraw needs between exec and its end, in every
-- mode the specs run it (threads and batch files included), for filters
-- whose default action refuses everything else: the one allowlist for
-- starting it.
helpers.SYSRAW_STARTUP = {
  "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list",
  "rseq", "prlimit64", "readlink", "getrandom", "mprotect", "mmap",
  "munmap", "madvise", "futex", "exit_group", "exit", "write", "read",
  "openat", "close", "rt_sigprocmask",
}

--- A filter with default action `default` that allows SYSRAW_STARTUP and
-- the given names, minus those in `without` (a set).
function helpers.allowlist(default, names, without)
  without = without or {}
  local f = seccomp.filter(default)
  local seen = {}
  for _, list in ipairs({ helpers.SYSRAW_STARTUP, names or {} }) do
    for _, name in ipairs(list) do
      if not seen[name] and not without[name] then
        seen[name] = true
        f:allow(name)
      end
    end
  end
  return f
end

--- Runs build/sysraw with `args` in a child after `setup()` (which loads
-- a filter), so the calls run under the filter exactly as written.
-- Returns what `child` does (an output of "" unless setup raised).
function helpers.sysraw(setup, ...)
  local argv = { helpers.SYSRAW }
  for _, a in ipairs { ... } do argv[#argv + 1] = tostring(a) end
  return child.run(argv, { setup = function() setup() end })
end

local consts = {}

--- A constant from the C headers, as build/sysraw was compiled against
-- them.
function helpers.const(name)
  if consts[name] == nil then
    local p = assert(io.popen(helpers.SYSRAW .. " const " .. name))
    local v = compat.tointeger(tonumber(p:read("*l")))
    p:close()
    assert(v, "sysraw does not know the constant " .. name)
    consts[name] = v
  end
  return consts[name]
end

--- A fresh temporary file name.
function helpers.tmpname()
  local name = os.tmpname()
  os.remove(name)
  return name
end

--- The set of the values of `list`: `set{ "a" }.a == true`.
function helpers.set(list)
  local s = {}
  for _, x in ipairs(list) do s[x] = true end
  return s
end

--- The API comparator for a plain comparator table
-- `{ arg =, bits = 64|32, op =, a =, b = }` (the shape reference_eval reads).
function helpers.comparator(c)
  local a = (c.bits == 32 and seccomp.arg32 or seccomp.arg)(c.arg)
  return a[c.op](a, c.a, c.b)
end

--- Values of C expressions `names` (a list), printed by a program compiled
-- here against the system headers `includes`; returned as a list.
function helpers.c_values(includes, names)
  local src, bin = helpers.tmpname() .. ".c", helpers.tmpname()
  local lines = { "#define _GNU_SOURCE", "#include <stdio.h>" }
  for _, h in ipairs(includes) do lines[#lines + 1] = "#include <" .. h .. ">" end
  lines[#lines + 1] = "int main(void) {"
  for _, n in ipairs(names) do
    lines[#lines + 1] = ('  printf("%%lld\\n", (long long)(%s));'):format(n)
  end
  lines[#lines + 1] = "  return 0;\n}"
  helpers.write_file(src, table.concat(lines, "\n"))
  assert(os.execute(("cc -o %s %s"):format(bin, src)), "cc failed")
  local p = assert(io.popen(bin))
  local values = {}
  for line in p:lines() do values[#values + 1] = compat.tointeger(tonumber(line)) end
  p:close()
  os.remove(src)
  os.remove(bin)
  return values
end

-- Lua 5.1 and LuaJIT: os.execute returns the wait status, and a popen
-- handle's close returns only true.
local OLD_STATUS = _VERSION == "Lua 5.1"

--- os.execute(cmd) as 5.2 and later return it on every Lua: true or nil,
-- "exit" or "signal", and the code or the signal number.
function helpers.execute(cmd)
  if not OLD_STATUS then return os.execute(cmd) end
  local status = os.execute(cmd)
  if status % 256 ~= 0 then return nil, "signal", status % 128 end
  local code = math.floor(status / 256)
  return code == 0 or nil, "exit", code
end

--- io.popen(cmd) and a function that closes it and returns what 5.2 and
-- later's close does (true or nil, "exit" or "signal", code) on every Lua:
-- on 5.1 and LuaJIT the command runs in a subshell that writes its status
-- to a file, so a signal shows there as the shell's exit code 128 + n.
function helpers.popen(cmd)
  if not OLD_STATUS then
    local p = assert(io.popen(cmd))
    return p, function() return p:close() end
  end
  local status = helpers.tmpname()
  local p = assert(io.popen("(" .. cmd .. "); echo $? >" .. status))
  return p, function()
    p:close()
    local code = tonumber(helpers.read_file(status))
    os.remove(status)
    return code == 0 or nil, "exit", code
  end
end

--- Starts bin/lua-seccomp with a shell-quoted argument string, without
-- LUA_PATH or LUA_CPATH (the tool finds its modules from its own path);
-- the function returned waits for it and returns exit code, stdout and
-- stderr.
function helpers.cli_start(args)
  local err = helpers.tmpname()
  local p, close = helpers.popen("env -u LUA_PATH -u LUA_CPATH " .. helpers.LUA_CMD .. " bin/lua-seccomp "
                                 .. args .. " 2>" .. err)
  return function()
    local out = p:read("*a")
    local _, _, code = close()
    local errtext = helpers.read_file(err)
    os.remove(err)
    return code, out, errtext
  end
end

--- Runs bin/lua-seccomp as `cli_start` does and waits for it.
function helpers.cli(args) return helpers.cli_start(args)() end

return helpers

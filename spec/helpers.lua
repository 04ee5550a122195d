--- Helpers shared by the specs: run code in a child process and say how
-- it ended. A filter is never loaded into the busted process itself.
local seccomp = require "seccomp"
local core = require "seccomp.core"

local helpers = {}

-- Signal numbers from <signal.h>, as the core exports them.
helpers.SIGSYS = seccomp.SIG.SIGSYS
helpers.SIGKILL = seccomp.SIG.SIGKILL
helpers.SIGSEGV = seccomp.SIG.SIGSEGV
helpers.SIGABRT = seccomp.SIG.SIGABRT

--- The exit code a child uses when its function raised.
helpers.RAISED = 120

--- Runs `fn(send)` in a forked child and waits for it. `send(s)` passes a
-- string back to the parent through a pipe. The child exits with the
-- number fn returns (0 when it returns nothing), or RAISED when it raises.
-- `output_fd` (1 or 2) also sends the child's stdout or stderr through the
-- pipe, so what a program it execs prints comes back too.
-- Returns { how = "exit"|"signal", code = n, output = string }.
function helpers.child(fn, output_fd)
  local r, w = core.pipe()
  local pid = core.fork()
  if pid == 0 then
    core.close_fd(r)
    if output_fd then core.dup2(w, output_fd) end
    local ok, result = pcall(fn, function(s) core.write(w, tostring(s)) end)
    if not ok then
      pcall(core.write, w, "raised: " .. tostring(result))
      core.exit(helpers.RAISED)
    end
    core.exit(math.type(result) == "integer" and result or 0)
  end
  core.close_fd(w)
  local output = core.read(r)
  core.close_fd(r)
  local how, code = core.wait(pid)
  return { how = how, code = code, output = output }
end

--- True when the child was killed by signal `signo`.
function helpers.signaled(result, signo)
  return result.how == "signal" and result.code == signo
end

--- True when the child exited with `code`.
function helpers.exited(result, code)
  return result.how == "exit" and result.code == code
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
  local s = f:read("a")
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
  return ("%s %s%s"):format(result.how, tostring(result.code),
    result.output ~= "" and (" output: " .. result.output) or "")
end

--- Path of the raw-syscall test program built by `make`.
helpers.SYSRAW = "build/sysraw"

--- What the static build/sysraw needs from exec to exit, for filters
-- whose default action refuses everything else.
helpers.SYSRAW_STARTUP = {
  "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
  "prlimit64", "readlink", "readlinkat", "mprotect", "getrandom", "uname",
  "mmap", "munmap", "newfstatat", "fstat", "ioctl", "write", "close",
  "exit_group", "exit",
}

--- Runs build/sysraw with `args` in a child after `setup()` (which loads
-- a filter), so the calls run under the filter exactly as written.
function helpers.sysraw(setup, ...)
  local argv = { helpers.SYSRAW }
  for _, a in ipairs { ... } do argv[#argv + 1] = tostring(a) end
  return helpers.child(function()
    setup()
    core.execv(helpers.SYSRAW, argv)
  end)
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
  for line in p:lines() do values[#values + 1] = math.tointeger(tonumber(line)) end
  p:close()
  os.remove(src)
  os.remove(bin)
  return values
end

--- Starts bin/lua-seccomp with a shell-quoted argument string, without
-- LUA_PATH or LUA_CPATH (the tool finds its modules from its own path);
-- the function returned waits for it and returns exit code, stdout and
-- stderr.
function helpers.cli_start(args)
  local err = helpers.tmpname()
  local p = io.popen("env -u LUA_PATH -u LUA_CPATH lua5.4 bin/lua-seccomp " .. args
                     .. " 2>" .. err)
  return function()
    local out = p:read("a")
    local _, _, code = p:close()
    local errtext = helpers.read_file(err)
    os.remove(err)
    return code, out, errtext
  end
end

--- Runs bin/lua-seccomp as `cli_start` does and waits for it.
function helpers.cli(args) return helpers.cli_start(args)() end

return helpers

--- Policy files: Lua source returning a table for `seccomp.compile` (what
-- learn prints), read as untrusted data.
--
-- A policy file runs in a forked child, never in the caller: the child
-- has CPU-time and memory limits (RLIMIT_CPU, RLIMIT_DATA), the parent
-- stops waiting after a wall-clock timeout and kills it, and the file
-- runs under a seccomp filter of our own that allows only what pure
-- computation needs (memory, exit) and writing the result to one pipe.
-- In the child the file sees only arg, arg32, errno, trace and copies of
-- the constant tables (also as seccomp.arg, seccomp.O, ...): no io, os,
-- require or load. What it returns must be data (strings, numbers,
-- booleans, tables, comparators); it crosses the pipe serialized, and the
-- parent parses it as untrusted bytes and rebuilds the comparators with
-- seccomp.arg(i):op(v).
-- @module seccomp.policy_file

local seccomp = require "seccomp.filter"  -- the Lua API, as users see it
local child = require "seccomp.child"
local compat = require "seccomp.compat"

local policy_file = {}

--- Default limits: `cpu_seconds` of CPU time, `memory_bytes` of heap the
-- file may allocate, `timeout_seconds` of wall-clock time, `max_bytes`
-- for the file itself (and for what it returns).
policy_file.LIMITS = {
  cpu_seconds = 2,
  memory_bytes = 64 * 1024 * 1024,
  timeout_seconds = 5,
  max_bytes = 4 * 1024 * 1024,
}

local STRERROR = {
  EINVAL = "Invalid argument", ENOMEM = "Cannot allocate memory",
  ETIME = "Timer expired", EFBIG = "File too large", EPROTO = "Protocol error",
}

-- Raised without a position: the public functions add the caller's.
local function fail(name, ename, detail)
  error(("seccomp: policy(%s): %s (%s): %s"):format(name, STRERROR[ename], ename, detail), 0)
end

local CONSTANT_TABLES = seccomp.internal.constant_tables
local COMPARATORS = { "eq", "ne", "lt", "le", "gt", "ge", "masked_eq", "flags_in" }
local IS_OP = { eq = true, ne = true, lt = true, le = true, gt = true, ge = true,
                masked_eq = true }
local MAX_DEPTH = 64

--- The child's side.

local function deep_copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = type(v) == "table" and deep_copy(v) or v end
  return out
end

-- The policy holds only tokens (empty tables) for its comparators, so it
-- never reaches the method tables of real ones; `comparators` maps each
-- token to the real comparator.
local function policy_env(comparators)
  local function argument_view(make)
    return function(i)
      local real = make(i)
      local view = {}
      for _, op in ipairs(COMPARATORS) do
        view[op] = function(_, a, b)
          local token = {}
          comparators[token] = real[op](real, a, b)
          return token
        end
      end
      return view
    end
  end
  local view = {
    arg = argument_view(seccomp.arg), arg32 = argument_view(seccomp.arg32),
    errno = seccomp.errno, trace = seccomp.trace,
  }
  for _, name in ipairs(CONSTANT_TABLES) do
    if type(seccomp[name]) == "table" then view[name] = deep_copy(seccomp[name]) end
  end
  local env = {}
  for k, v in pairs(view) do env[k] = v end
  env.seccomp = view  -- policies may also write seccomp.arg(0), seccomp.O, ...
  return env
end

-- The bytes of `v`: strings, numbers, booleans, tables with string or
-- integer keys, and comparators; anything else raises, naming where.
local function serialize(v, where, comparators, seen, out, depth)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = compat.pack("<c1s4", "S", v)
  elseif compat.is_integer(v) then
    out[#out + 1] = compat.pack("<c1j", "I", v)
  elseif t == "number" then
    out[#out + 1] = compat.pack("<c1n", "N", v)
  elseif t == "boolean" then
    out[#out + 1] = v and "T" or "F"
  elseif t ~= "table" then
    error(("%s is a %s: a policy holds only data"):format(where, t), 0)
  elseif comparators[v] then
    local c = comparators[v]
    out[#out + 1] = compat.pack("<c1BBs1jj", "C", c.arg, c.bits, c.op, c.a, c.b or 0)
  else
    if seen[v] then error(where .. " is a table that contains itself", 0) end
    if depth >= MAX_DEPTH then
      error(("%s nests tables more than %d deep"):format(where, MAX_DEPTH), 0)
    end
    seen[v] = true
    local keys = {}
    for k in next, v do
      if type(k) ~= "string" and not compat.is_integer(k) then
        error(("%s has a %s key: a policy holds only data"):format(where, type(k)), 0)
      end
      keys[#keys + 1] = k
    end
    out[#out + 1] = compat.pack("<c1I4", "{", #keys)
    for _, k in ipairs(keys) do
      serialize(k, where, comparators, seen, out, depth + 1)
      serialize(v[k], ("%s[%q]"):format(where, k), comparators, seen, out, depth + 1)
    end
    seen[v] = nil
  end
end

--- The filter (not loaded) a policy file is evaluated under: memory
-- (never executable) and exit, and write on descriptor `w` only.
function policy_file.sandbox(w)
  local f = seccomp.filter("kill")
  f:allow("write", seccomp.arg32(0):eq(w))
  for _, name in ipairs { "exit_group", "exit", "brk", "munmap", "mremap", "madvise" } do
    f:allow(name)
  end
  f:allow("mmap", seccomp.arg32(2):masked_eq(seccomp.PROT.EXEC, 0))
  return f
end

-- Runs in the child: limits, filter, the file, its result on `w`.
-- Returns the exit code: 0 with the result written, 1 with an error (or
-- the memory limit) written.
local function evaluate_child(text, chunkname, w, limits)
  local ok, err = pcall(function()
    local _, data = child.memory_usage()
    child.setrlimit("core", 0)
    child.setrlimit("cpu", limits.cpu_seconds, limits.cpu_seconds + 1)
    child.setrlimit("data", data + limits.memory_bytes)
    local comparators = {}
    local env = policy_env(comparators)
    local f = policy_file.sandbox(w)
    collectgarbage("collect")
    -- LuaJIT's compiler makes its code executable with mprotect, which
    -- the sandbox refuses: the policy runs in its interpreter.
    local jit = rawget(_G, "jit")
    if jit then
      jit.flush()
      jit.off()
    end
    f:load()
    local chunk, msg = compat.load(text, chunkname, "t", env)
    if not chunk then error(msg, 0) end
    local ran, spec = pcall(chunk)
    if not ran then
      if spec == "not enough memory" then
        child.write(w, "M")
        return
      end
      error(tostring(spec), 0)
    end
    if type(spec) ~= "table" then error("does not return a table", 0) end
    local out = { "R" }
    serialize(spec, "the policy", comparators, {}, out, 0)
    child.write(w, table.concat(out))
  end)
  if not ok then
    if err == "not enough memory" then
      pcall(child.write, w, "M")
    else
      pcall(child.write, w, compat.pack("<c1s4", "E", tostring(err)))
    end
    return 1
  end
  return 0
end

--- The parent's side: the bytes are untrusted.

local function parser(bytes, name)
  local pos = 1
  local function bad(detail)
    fail(name, "EPROTO", "the policy evaluator returned malformed data: " .. detail)
  end
  local function unpack(fmt)
    local ok, a, b, c, d, e, g = pcall(compat.unpack_bytes, fmt, bytes, pos)
    if not ok then bad("truncated") end
    return a, b, c, d, e, g
  end
  local value
  function value(depth)
    if depth > MAX_DEPTH + 1 then bad("nested too deep") end
    local tag = bytes:sub(pos, pos)
    pos = pos + 1
    if tag == "S" or tag == "I" or tag == "N" then
      local v, nxt = unpack(tag == "S" and "<s4" or tag == "I" and "<j" or "<n")
      pos = nxt
      return v
    elseif tag == "T" then
      return true
    elseif tag == "F" then
      return false
    elseif tag == "C" then
      local arg, bits, op, a, b, nxt = unpack("<BBs1jj")
      pos = nxt
      if arg > 5 or (bits ~= 32 and bits ~= 64) or not IS_OP[op] then bad("a bad comparator") end
      local x = (bits == 32 and seccomp.arg32 or seccomp.arg)(arg)
      return x[op](x, a, b)
    elseif tag == "{" then
      local n, nxt = unpack("<I4")
      pos = nxt
      if n > #bytes - pos + 1 then bad("a table longer than the data") end
      local t = {}
      for _ = 1, n do
        local k = value(depth + 1)
        if type(k) ~= "string" and not compat.is_integer(k) then bad("a bad key") end
        if t[k] ~= nil then bad("a key twice") end
        t[k] = value(depth + 1)
      end
      return t
    end
    bad("an unknown tag")
  end
  return function()
    local v = value(0)
    if pos ~= #bytes + 1 then bad("trailing bytes") end
    return v
  end
end

local function limits_of(options)
  if options ~= nil and type(options) ~= "table" then
    error("seccomp: policy: Invalid argument (EINVAL): options must be a table", 0)
  end
  local limits = {}
  for k, v in pairs(policy_file.LIMITS) do limits[k] = v end
  for k, v in pairs(options or {}) do
    if policy_file.LIMITS[k] == nil then
      error(("seccomp: policy(%s): Invalid argument (EINVAL): unknown option"):format(
        tostring(k)), 0)
    end
    local whole = k ~= "timeout_seconds"
    if type(v) ~= "number" or v <= 0 or (whole and not compat.is_integer(v)) then
      error(("seccomp: policy(%s): Invalid argument (EINVAL): %s"):format(k,
        whole and "must be a positive integer" or "must be a positive number"), 0)
    end
    limits[k] = v
  end
  return limits
end

local function evaluate(text, name, chunkname, limits)
  if #text > limits.max_bytes then
    fail(name, "EFBIG", ("larger than %d bytes"):format(limits.max_bytes))
  end
  -- The child flushes stdio when it is done, under the sandbox, which
  -- allows no write but on its pipe: it must inherit no buffered output.
  io.stdout:flush()
  io.stderr:flush()
  local h = child.start(function(_, w) return evaluate_child(text, chunkname, w, limits) end,
                        { send = true })
  local ok, bytes, how = pcall(h.read_bounded, h, math.ceil(limits.timeout_seconds * 1000),
                               limits.max_bytes + 1)
  if not ok or how ~= "eof" then h:kill(seccomp.SIG.SIGKILL) end
  local result = h:wait()
  local ended, code = result.how, result.code
  if not ok then error(bytes, 0) end
  if how == "timeout" then
    fail(name, "ETIME", ("runs too long: did not finish within %g s"):format(
      limits.timeout_seconds))
  elseif how == "limit" then
    fail(name, "EFBIG", ("returns more than %d bytes"):format(limits.max_bytes))
  end
  if ended == "signal" then
    if code == seccomp.SIG.SIGXCPU or code == seccomp.SIG.SIGKILL then
      fail(name, "ETIME", ("runs too long: more than %d s of CPU time"):format(
        limits.cpu_seconds))
    end
    fail(name, "EPROTO", ("its evaluation ended by signal %d%s"):format(code,
      code == seccomp.SIG.SIGSYS and " (a system call: a policy file may only compute)" or ""))
  end
  local tag = bytes:sub(1, 1)
  if tag == "M" and bytes == "M" then
    fail(name, "ENOMEM", ("needs more than %d MiB of memory"):format(
      compat.idiv(limits.memory_bytes, 1024 * 1024)))
  elseif tag == "E" and code == 1 then
    local msg, nxt = compat.unpack_bytes("<s4", bytes, 2)
    if nxt ~= #bytes + 1 then fail(name, "EPROTO", "malformed error") end
    fail(name, "EINVAL", msg)
  elseif tag ~= "R" or code ~= 0 then
    fail(name, "EPROTO", ("its evaluation failed (exit %d)"):format(code))
  end
  return parser(bytes:sub(2), name)()
end

-- Calls fn(...); an error it raises is raised again at the caller of
-- the public function (level 3 from here: no tail calls to at_caller),
-- positions inside removed.
local function at_caller(fn, ...)
  local ok, result = pcall(fn, ...)
  if not ok then
    error((tostring(result):gsub("^[^\n]-:%d+: (seccomp: )", "%1")), 3)
  end
  return result
end

--- The data policy `text` returns (comparators rebuilt), evaluated in a
-- child within the limits. `name` names the policy in messages and
-- positions. Options override `policy_file.LIMITS`. Raises
-- `seccomp: policy(name): ...` when the text fails, returns anything but
-- data, or exceeds a limit (ETIME: CPU time or wall clock; ENOMEM:
-- memory; EFBIG: size).
function policy_file.evaluate(text, name, options)
  local data = at_caller(function()
    local limits = limits_of(options)
    if type(text) ~= "string" then
      error("seccomp: policy: Invalid argument (EINVAL): text must be a string, got " ..
            type(text), 0)
    end
    name = name or "string"
    return evaluate(text, name, "=" .. name, limits)
  end)
  return data
end

-- `seccomp.compile` of a policy's data, raised at the public function's
-- caller: returns the filter, the names skipped and the names absent.
local function compile_at_caller(data)
  local ok, f, skipped, absent = pcall(require("seccomp.policy").compile, data)
  if not ok then
    error((tostring(f):gsub("^[^\n]-:%d+: (seccomp: )", "%1")), 3)
  end
  return f, skipped, absent
end

--- `seccomp.compile` of `policy_file.evaluate(text, name, options)`:
-- the filter, the names no architecture knows (skipped) and the names
-- only other architectures have (absent).
function policy_file.load_string(text, name, options)
  local data = at_caller(policy_file.evaluate, text, name, options)
  local f, skipped, absent = compile_at_caller(data)
  return f, skipped, absent
end

-- The text of file `path` ("-": standard input), at most max_bytes.
local function read_text(path, limits)
  local fh, err, code
  if path == "-" then
    fh = io.stdin
  else
    fh, err, code = io.open(path, "rb")
  end
  local text
  if fh then
    text, err, code = fh:read(limits.max_bytes + 1)
    if fh ~= io.stdin then fh:close() end
    if text == nil and err == nil then text = "" end  -- empty file
  end
  if text == nil then
    local ename = code and seccomp.errno_name(code)
    local why = tostring(err):gsub("^" .. path:gsub("%p", "%%%0") .. ": ", "")
    error(("seccomp: policy(%s): %s%s: cannot read policy"):format(path, why,
      ename and (" (" .. ename .. ")") or ""), 0)
  end
  return text
end

--- The data in policy file `path` ("-" reads standard input), as
-- `policy_file.evaluate` returns it.
function policy_file.read(path, options)
  local data = at_caller(function()
    local limits = limits_of(options)
    if type(path) ~= "string" then
      error("seccomp: policy: Invalid argument (EINVAL): path must be a string, got " ..
            type(path), 0)
    end
    local name = path == "-" and "stdin" or path
    return evaluate(read_text(path, limits), name, "@" .. name, limits)
  end)
  return data
end

--- `seccomp.compile` of the policy in file `path` ("-": standard input),
-- with the names skipped and absent, as `load_string` returns them.
function policy_file.load_file(path, options)
  local data = at_caller(policy_file.read, path, options)
  local f, skipped, absent = compile_at_caller(data)
  return f, skipped, absent
end

return policy_file

-- Bad input, fuzzed: every public function and filter method is called
-- with values of every Lua type, in child processes. Pass: only Lua errors
-- (no SIGSEGV, SIGABRT or hang), every one a "seccomp: " error naming the
-- operation (the only others allowed are the fuzzer's own raising
-- __index, passed through), and a call that raised added no rule: the
-- filter's rule count and exported PFC are the same before and after.
--
-- SECCOMP_FUZZ_CALLS (default 20000) calls in all; `make security-full`
-- runs 100000. SECCOMP_FUZZ_SEED picks the random sequence; a crash names
-- the seed of its child.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

local NCALLS = tonumber(os.getenv("SECCOMP_FUZZ_CALLS")) or 20000
local SEED = tonumber(os.getenv("SECCOMP_FUZZ_SEED")) or 1234
local PER_CHILD = 5000

-- Module functions called with fuzzed arguments. pledge gets load=false
-- (a loaded pledge would sandbox the fuzzer); learn runs commands and is
-- left out.
local MODULE = {
  "filter", "errno", "trace", "action", "action_name", "syscall",
  "syscall_name", "arch_native", "arch_token", "arch_name", "version",
  "api_level", "set_api_level", "errno_name", "errno_value", "arg", "arg32",
  "compile", "groups", "promises",
}
local ARG_METHODS = { "eq", "ne", "lt", "le", "gt", "ge", "masked_eq", "flags_in" }
local ACTIONS = { "allow", "kill", "kill_process", "kill_thread", "trap", "log" }

local HUGE = string.rep("x", compat.shl(1, 20))
local SCALARS = {
  true, false, 0, 1, -1, 2, 5, 6, 7, 255, 256, 4094, 4095, 4096, 65535,
  65536, 0x7fffffff, 0x80000000, -0x80000000, -0x80000001, 0xffffffff,
  0x100000000, compat.value("0x7fffffffffffffff"), compat.value("0x8000000000000000"), 0.5, 1.0, -0.0, 2.0^63,
  -2.0^63, 2.0^53 + 1, 1e308, 0/0, 1/0, -1/0, "", "allow", "kill",
  "errno", "trap", "log", "notify", "kill_thread", "x86", "x86_64", "x32",
  "native", "aarch64", "getppid", "openat", "write", "@basic-io",
  "@default", "stdio", "stdio rpath", "EPERM", "ENOSYS", "EINVAL", "tsync",
  "no_new_privs", "badarch_action", "optimize", "default_action", "log",
  "ssb", "rawrc", "tskip", "a\0b", "getppid\0", "\0", HUGE, "%s%n%d",
  "eq", "masked_eq", "1", "0x10",
}

-- What the fuzzer's raising __index raises: may pass through unchanged.
local TRAP = "fuzzer trap: __index raised"

local function pick(t) return t[math.random(#t)] end

local function fuzz(seed, ncalls)
  math.randomseed(seed)
  local stats = { calls = 0, raised = 0, foreign = 0, trapped = 0, violations = {},
                  foreign_seen = {}, foreign_samples = {} }
  local pool, dead = {}, {}
  local api_level = seccomp.api_level()

  -- set_api_level is fuzzed too, and a low level refuses some actions
  local function fresh()
    local ok, f = pcall(seccomp.filter, pick(ACTIONS))
    if ok then return f end
    return seccomp.filter("allow")
  end
  for i = 1, 4 do pool[i] = fresh() end

  local function value(depth)
    local r = math.random(100)
    if r <= 45 then return pick(SCALARS)
    elseif r <= 50 then return nil
    elseif r <= 62 then return pool[math.random(#pool)]
    elseif r <= 66 then return #dead > 0 and pick(dead) or nil
    elseif r <= 74 then
      local ok, c = pcall(seccomp.arg, math.random(0, 5))
      if ok then
        local ok2, cmp = pcall(c[pick(ARG_METHODS)], c, pick(SCALARS), pick(SCALARS))
        if ok2 then return cmp end
      end
      return {}
    elseif r <= 78 then return seccomp.errno(math.random(1, 4094))
    elseif r <= 82 then return function() end
    elseif r <= 84 then return coroutine.create(function() end)
    elseif r <= 86 then return io.stdout
    elseif r <= 88 then
      return setmetatable({}, { __index = function() error(TRAP) end })
    end
    if (depth or 0) > 1 then return {} end
    local t = {}
    for i = 1, math.random(0, 4) do t[i] = value((depth or 0) + 1) end
    if math.random(3) == 1 then
      t.arg, t.op, t.a, t.b, t.bits = value(2), pick(ARG_METHODS), value(2), value(2), value(2)
    end
    if math.random(4) == 1 then t.default = pick(ACTIONS); t.allow = { value(2) } end
    return t
  end

  local function args(n)
    local t = {}
    for i = 1, n do t[i] = value() end
    return t, n
  end

  -- f:test loads the filter in a grandchild; under a sanitizer runtime
  -- that grandchild cannot exit if the random filter denies exit_group,
  -- so `make asan` and `make memcheck` leave it out (SECCOMP_SANITIZER).
  local skip = { load = true, test = os.getenv("SECCOMP_SANITIZER") and true }
  local methods = {}
  for name in pairs(getmetatable(pool[1]).__index) do
    if not skip[name] then methods[#methods + 1] = name end
  end
  table.sort(methods)

  -- the last calls that touched each filter, to explain a violation
  local history = setmetatable({}, { __mode = "k" })
  local function show(v)
    if type(v) == "string" then return ("%q"):format(#v > 40 and v:sub(1, 40) .. "..." or v) end
    return tostring(v)
  end
  local function note(f, label, a, n)
    local t = {}
    for i = 1, n do t[i] = show(a[i]) end
    local h = history[f] or {}
    h[#h + 1] = label .. "(" .. table.concat(t, ", ") .. ")"
    if #h > 4 then table.remove(h, 1) end
    history[f] = h
  end

  local function state(f)
    if not f:is_open() then return "closed" end
    -- a filter with no architecture left cannot be exported: that raises
    -- too, and must raise the same way after a failed call
    local _, pfc = pcall(f.pfc, f)
    return f:rule_count() .. "\n" .. pfc
  end

  local function violation(what)
    if #stats.violations < 5 then stats.violations[#stats.violations + 1] = what end
  end

  for _ = 1, ncalls do
    local r = math.random(100)
    local ok, err, label
    if r <= 30 then
      local name = pick(MODULE)
      local a, n = args(math.random(0, 3))
      label = "seccomp." .. name
      ok, err = pcall(seccomp[name], compat.unpack(a, 1, n))
      if ok and name == "filter" and err then
        pcall(err.close, err)
      end
      -- below level 3 no filter can be made: go back so the run goes on
      if name == "set_api_level" then seccomp.set_api_level(api_level) end
    elseif r <= 33 then
      label = "seccomp.pledge"
      ok, err = pcall(seccomp.pledge, value(), { load = false })
    elseif r <= 43 then
      local a, n = args(2)
      local m = pick(ARG_METHODS)
      label = "arg:" .. m
      ok, err = pcall(function()
        local c = (math.random(2) == 1 and seccomp.arg or seccomp.arg32)(value())
        return c[m](c, compat.unpack(a, 1, n))
      end)
    elseif r <= 46 then
      -- load must raise on anything but an open filter: never try an open one
      local target = #dead > 0 and pick(dead) or value()
      if type(target) == "userdata" and target.is_open and target:is_open() then
        target = 42
      end
      label = "load"
      ok, err = pcall(pool[1].load, target)
      if ok then violation("load of a closed filter or non-filter returned") end
    else
      local name = pick(methods)
      local f = math.random(10) <= 8 and pool[math.random(#pool)] or value()
      local a, n = args(math.random(0, 4))
      local before = getmetatable(f) == getmetatable(pool[1]) and f:is_open()
                     and state(f)
      label = "f:" .. name
      if type(f) == "userdata" then note(f, label, a, n) end
      ok, err = pcall(pool[1][name], f, compat.unpack(a, 1, n))
      if not ok and before and state(f) ~= before then
        violation(label .. " raised (" .. tostring(err) .. ") but changed the filter; calls: "
                  .. table.concat(history[f] or {}, "; "))
      end
    end
    stats.calls = stats.calls + 1
    if not ok then
      stats.raised = stats.raised + 1
      if type(err) ~= "string" then
        violation(label .. " raised a non-string error: " .. tostring(err))
      elseif err:find(TRAP, 1, true) then
        stats.trapped = stats.trapped + 1
      elseif not err:gsub("^[^:%s]+:%d+: ", ""):find("^seccomp: ") then
        -- one sample per place that raised (its "file:line:", else the call)
        stats.foreign = stats.foreign + 1
        local line = err:gsub("\n.*", "")
        local where = line:match("^[^:%s]+:%d+:") or label
        if not stats.foreign_seen[where] then
          stats.foreign_seen[where] = true
          stats.foreign_samples[#stats.foreign_samples + 1] = where .. "\t" .. label .. ": " .. line
        end
      end
    end
    -- keep the pool open and small; closed or merged filters become dead
    for i, f in ipairs(pool) do
      if not f:is_open() or f:rule_count() > 300 then
        if #dead < 8 then dead[#dead + 1] = f end
        f:close()
        pool[i] = fresh()
      end
    end
  end
  return stats
end

describe("the fuzzer", function()
  it(string.format("makes %d calls with values of every Lua type without a crash (seed %d)",
                   NCALLS, SEED), function()
    local total, raised, foreign, samples, seen = 0, 0, 0, {}, {}
    local nchildren = compat.idiv((NCALLS + PER_CHILD - 1), PER_CHILD)
    for k = 1, nchildren do
      local n = math.min(PER_CHILD, NCALLS - (k - 1) * PER_CHILD)
      local out = os.tmpname()
      local r = helpers.child(function()
        local s = fuzz(SEED + k, n)
        local fh = io.open(out, "w")
        fh:write(s.calls, " ", s.raised, " ", s.foreign, "\n",
                 table.concat(s.violations, "\n"), "\n")
        for _, line in ipairs(s.foreign_samples) do fh:write("sample: ", line, "\n") end
        fh:close()
      end)
      assert.are.same({ how = "exit", code = 0 }, helpers.outcome(r), "fuzz child seed " .. (SEED + k))
      local text = helpers.slurp(out)
      os.remove(out)
      local calls, nraised, nforeign, rest = text:match("^(%d+) (%d+) (%d+)\n(.*)$")
      local violations = rest:match("^(.-)\nsample:") or rest:match("^(.-)\n")
      assert.are.equal("", violations, "seed " .. (SEED + k))
      total, raised = total + tonumber(calls), raised + tonumber(nraised)
      foreign = foreign + tonumber(nforeign)
      for line in rest:gmatch("sample: ([^\n]+)") do
        local where = line:match("^[^\t]+")
        if not seen[where] then
          seen[where] = true
          samples[#samples + 1] = line
        end
      end
    end
    assert.are.equal(NCALLS, total)
    assert.is_true(raised > 0)  -- the fuzzer does reach the error paths
    table.sort(samples)
    local listing = table.concat(samples, "\n  ")
    if os.getenv("SECCOMP_FUZZ_REPORT") then
      print(string.format("\nfuzz: %d calls, %d raised, %d without the seccomp: prefix:\n  %s",
                          total, raised, foreign, listing))
    end
    assert.are.equal(0, foreign, ("%d errors without the \"seccomp: \" prefix, raised at:\n  %s")
                                 :format(foreign, listing))
  end)
end)

--- OCI and Docker seccomp profiles (the JSON of runc, containerd, podman,
-- `docker run --security-opt seccomp=...`) in and out.
--
-- `import` builds a filter that decides every call as runc decides it
-- with the same profile (libcontainer/seccomp and specconv), after
-- Docker's own pass over the profile (`archMap`, `includes`, `excludes`);
-- `export` writes a filter or a policy as a profile that imports back to
-- the same verdicts. JSON goes through dkjson, which only this module
-- needs.
-- @module seccomp.oci

local json = require "dkjson"
local api = require "seccomp.filter"
local compat = require "seccomp.compat"
local policy = require "seccomp.policy"

local oci = {}

-- ---- the names of the format --------------------------------------------

-- runc's actions; SCMP_ACT_KILL is libseccomp's old name for killing the
-- thread. ERRNO and TRACE take errnoRet (EPERM when it is absent).
local ACTIONS = {
  SCMP_ACT_KILL = "kill_thread", SCMP_ACT_KILL_THREAD = "kill_thread",
  SCMP_ACT_KILL_PROCESS = "kill_process", SCMP_ACT_TRAP = "trap",
  SCMP_ACT_ALLOW = "allow", SCMP_ACT_LOG = "log", SCMP_ACT_NOTIFY = "notify",
  SCMP_ACT_ERRNO = "errno", SCMP_ACT_TRACE = "trace",
}
local EPERM, ENOSYS = api.errno_value("EPERM"), api.errno_value("ENOSYS")

local OPS = {
  SCMP_CMP_NE = "ne", SCMP_CMP_LT = "lt", SCMP_CMP_LE = "le", SCMP_CMP_EQ = "eq",
  SCMP_CMP_GE = "ge", SCMP_CMP_GT = "gt", SCMP_CMP_MASKED_EQ = "masked_eq",
}

-- runc's architectures, by libseccomp's names for them.
local ARCHES = {
  SCMP_ARCH_X86 = "x86", SCMP_ARCH_X86_64 = "x86_64", SCMP_ARCH_X32 = "x32",
  SCMP_ARCH_ARM = "arm", SCMP_ARCH_AARCH64 = "aarch64", SCMP_ARCH_MIPS = "mips",
  SCMP_ARCH_MIPS64 = "mips64", SCMP_ARCH_MIPS64N32 = "mips64n32",
  SCMP_ARCH_MIPSEL = "mipsel", SCMP_ARCH_MIPSEL64 = "mipsel64",
  SCMP_ARCH_MIPSEL64N32 = "mipsel64n32", SCMP_ARCH_PPC = "ppc",
  SCMP_ARCH_PPC64 = "ppc64", SCMP_ARCH_PPC64LE = "ppc64le", SCMP_ARCH_RISCV64 = "riscv64",
  SCMP_ARCH_S390 = "s390", SCMP_ARCH_S390X = "s390x", SCMP_ARCH_LOONGARCH64 = "loongarch64",
}
local ARCH_NAMES = {}
for k, v in pairs(ARCHES) do ARCH_NAMES[v] = k end

-- The names Docker gives the machine it runs on (Go's GOARCH, through
-- moby's goToNative), which `includes.arches` and `excludes.arches` use.
local DOCKER_ARCH = {
  x86_64 = "amd64", x86 = "x86", aarch64 = "arm64", arm = "arm", ppc64le = "ppc64le",
  ppc64 = "ppc64", s390x = "s390x", s390 = "s390", riscv64 = "riscv64",
  mips64 = "mips64", mipsel64 = "mipsel64", mipsel = "mipsel", ppc = "ppc",
  mips64n32 = "mips64n32", mipsel64n32 = "mips3l64n32", loongarch64 = "loongarch64",
}

-- Flags: TSYNC is taken and needs nothing (thread sync is on); the others
-- are filter attributes.
local FLAGS = {
  SECCOMP_FILTER_FLAG_TSYNC = false, SECCOMP_FILTER_FLAG_LOG = "log",
  SECCOMP_FILTER_FLAG_SPEC_ALLOW = "ssb",
}

--- The capabilities of a container Docker starts without `--cap-add`:
-- what `includes.caps` and `excludes.caps` are checked against unless
-- `import` is given `caps`.
oci.DOCKER_CAPS = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

local PROFILE_KEYS = { defaultAction = true, defaultErrnoRet = true, architectures = true,
                       archMap = true, flags = true, syscalls = true, listenerPath = true,
                       listenerMetadata = true }
local SYSCALL_KEYS = { names = true, name = true, action = true, errnoRet = true, args = true,
                       comment = true, includes = true, excludes = true }
local ARG_KEYS = { index = true, value = true, valueTwo = true, op = true }
local FILTER_KEYS = { caps = true, arches = true, minKernel = true }

-- ---- errors -------------------------------------------------------------

local function fail(where, ename, detail)
  local text = { EINVAL = "Invalid argument", ERANGE = "Numerical result out of range",
                 EOPNOTSUPP = "Operation not supported" }
  error(("seccomp: oci.import(%s): %s (%s): %s"):format(where, text[ename], ename, detail), 0)
end

-- A library error raised while building from profile entry `where`.
local function refused(where, err)
  err = tostring(err):gsub("^[^\n]-:%d+: (seccomp: )", "%1")
  error(("seccomp: oci.import(%s): %s"):format(where, (err:gsub("^seccomp: ", ""))), 0)
end

local function sorted_names(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  table.sort(list)
  return table.concat(list, ", ")
end

local function check_keys(t, allowed, where)
  for k in pairs(t) do
    if not allowed[k] then
      fail(where, "EINVAL", ("unknown field %q (%s)"):format(tostring(k), sorted_names(allowed)))
    end
  end
end

local function is_array(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

local function list_of(t, where, what)
  if t == nil then return {} end
  if not is_array(t) then fail(where, "EINVAL", "must be a list of " .. what) end
  return t
end

local function strings(t, where)
  for i, s in ipairs(list_of(t, where, "strings")) do
    if type(s) ~= "string" then
      fail(("%s[%d]"):format(where, i - 1), "EINVAL", "must be a string, got " .. type(s))
    end
  end
  return t or {}
end

-- ---- JSON numbers -------------------------------------------------------

-- Integer literals of 16 digits or more may not be exact as numbers (2^53
-- where numbers are doubles, 2^63 everywhere): before decoding, they are
-- quoted, so that they arrive as the digits written.
local function quote_long_integers(text)
  local out, last, pos = {}, 1, 1
  while true do
    local s = text:find('["%-%d]', pos)
    if not s then break end
    if text:sub(s, s) == '"' then
      local e = s + 1
      while true do
        local q = text:find('["\\]', e)
        if not q then return text end  -- unterminated: dkjson says where
        if text:sub(q, q) == "\\" then e = q + 2 else e = q break end
      end
      pos = e + 1
    else
      local _, e = text:find("^%-?%d+", s)
      if not e then
        pos = s + 1
      else
        local after = text:sub(e + 1, e + 1)
        if e - s + 1 >= 16 and not after:match("[%.eE]") then
          out[#out + 1] = text:sub(last, s - 1)
          out[#out + 1] = '"' .. text:sub(s, e) .. '"'
          last = e + 1
        end
        pos = e + 1
      end
    end
  end
  out[#out + 1] = text:sub(last)
  return table.concat(out)
end

local UINT64_MAX = "18446744073709551615"

-- A uint64 of the profile (a number, or the digits of a long one) in the
-- library's one form.
local function uint64(v, where)
  if v == nil then return 0 end
  if type(v) == "string" and v:match("^%d+$") then
    local digits = v:gsub("^0+(%d)", "%1")
    if #digits > #UINT64_MAX or (#digits == #UINT64_MAX and digits > UINT64_MAX) then
      fail(where, "ERANGE", v .. " is above 2^64 - 1")
    end
    return compat.value(digits)
  end
  if type(v) ~= "number" or v < 0 or (math.type and math.type(v) ~= "integer")
     or v ~= math.floor(v) then
    fail(where, "EINVAL", "must be an unsigned integer, got " .. tostring(v))
  end
  return compat.value(v)
end

local function small_uint(v, where, max)
  if type(v) ~= "number" or v < 0 or v > max or v ~= math.floor(v) then
    fail(where, "EINVAL", ("must be an integer 0..%d, got %s"):format(max, tostring(v)))
  end
  return compat.tointeger(v)
end

-- ---- import -------------------------------------------------------------

-- The action of `name` with errnoRet `ret`, as runc makes it.
local function action_of(name, ret, where, ret_where)
  local kind = type(name) == "string" and ACTIONS[name]
  if not kind then
    fail(where, "EINVAL", ("unknown action %s (%s)"):format(tostring(name), sorted_names(ACTIONS)))
  end
  if ret ~= nil and kind ~= "errno" and kind ~= "trace" then
    fail(ret_where, "EINVAL", name .. " takes no errnoRet (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE)")
  end
  if kind == "errno" or kind == "trace" then
    local n = ret == nil and EPERM or small_uint(ret, ret_where, 65535)
    local ok, a = pcall(api[kind], n, kind == "errno" and n == 0 and { zero = true } or nil)
    if not ok then refused(ret_where, a) end
    return a
  end
  return kind
end

-- "X.Y" of a kernel release ("6.1.0-13-amd64" too, as Docker reads uname).
local function release(s, where)
  local major, minor = tostring(s):match("^(%d+)%.(%d+)")
  if not major then fail(where, "EINVAL", ("%q is not a kernel version X.Y"):format(tostring(s))) end
  return { tonumber(major), tonumber(minor) }
end

local function running_kernel()
  local fh = io.open("/proc/sys/kernel/osrelease", "rb")
  local text = fh and fh:read("*l")
  if fh then fh:close() end
  if not text then fail("kernel", "EINVAL", "cannot read /proc/sys/kernel/osrelease; pass kernel") end
  return release(text, "kernel")
end

-- minKernel as Docker takes it: "X.Y", exactly two numbers, not 0.0.
local function min_kernel(s, where)
  if s == nil or s == "" then return nil end
  if type(s) ~= "string" or not s:match("^%d+%.%d+$") then
    fail(where, "EINVAL", ("invalid kernel version %s, expected \"<kernel>.<major>\""):format(tostring(s)))
  end
  local v = release(s, where)
  if v[1] == 0 and v[2] == 0 then fail(where, "EINVAL", "version cannot be 0.0") end
  return v
end

local function at_least(kernel, v)
  return kernel[1] > v[1] or (kernel[1] == v[1] and kernel[2] >= v[2])
end

-- Docker's includes/excludes: whether the entry applies to this container.
local function applies(entry, where, env)
  local function has(list, x)
    for _, y in ipairs(list) do if y == x then return true end end
    return false
  end
  local ex, inc = entry.excludes, entry.includes
  for key, filt in pairs { excludes = ex, includes = inc } do
    if type(filt) ~= "table" then fail(where .. "." .. key, "EINVAL", "must be an object") end
    check_keys(filt, FILTER_KEYS, where .. "." .. key)
    strings(filt.caps, where .. "." .. key .. ".caps")
    strings(filt.arches, where .. "." .. key .. ".arches")
    filt.min = min_kernel(filt.minKernel, where .. "." .. key .. ".minKernel")
  end
  if ex then
    if has(ex.arches or {}, env.arch) then return false end
    for _, c in ipairs(ex.caps or {}) do if env.caps[c] then return false end end
    if ex.min and at_least(env.kernel, ex.min) then return false end
  end
  if inc then
    if #(inc.arches or {}) > 0 and not has(inc.arches, env.arch) then return false end
    for _, c in ipairs(inc.caps or {}) do if not env.caps[c] then return false end end
    if inc.min and not at_least(env.kernel, inc.min) then return false end
  end
  return true
end

-- The comparator of one `args` entry.
local function comparator(arg, where)
  if type(arg) ~= "table" then fail(where, "EINVAL", "must be an object") end
  check_keys(arg, ARG_KEYS, where)
  local index = small_uint(arg.index == nil and 0 or arg.index, where .. ".index", 5)
  local op = type(arg.op) == "string" and OPS[arg.op]
  if not op then
    fail(where .. ".op", "EINVAL", ("unknown operator %s (%s)"):format(tostring(arg.op), sorted_names(OPS)))
  end
  local value = uint64(arg.value, where .. ".value")
  local two = uint64(arg.valueTwo, where .. ".valueTwo")
  local ok, c
  if op == "masked_eq" then
    ok, c = pcall(function() return api.arg(index):masked_eq(value, two) end)
  else
    -- libseccomp reads valueTwo for SCMP_CMP_MASKED_EQ only
    ok, c = pcall(function() return api.arg(index)[op](api.arg(index), value) end)
  end
  if not ok then refused(where, c) end
  return c, index
end

-- The rules of one entry's args, as runc adds them: all in one rule when
-- no argument index repeats, else one rule per comparator.
local function entry_rules(args, where)
  local cmps, count, repeated = {}, {}, false
  for i, arg in ipairs(list_of(args, where, "objects")) do
    local c, index = comparator(arg, ("%s[%d]"):format(where, i - 1))
    cmps[i] = c
    count[index] = (count[index] or 0) + 1
    if count[index] > 1 then repeated = true end
  end
  if not repeated then return { cmps } end
  local rules = {}
  for i, c in ipairs(cmps) do rules[i] = { c } end
  return rules
end

local function decode(text)
  if type(text) ~= "string" then
    fail("json", "EINVAL", "expected the profile's JSON text, got " .. type(text))
  end
  local doc, pos, err = json.decode(quote_long_integers(text), 1, nil)
  if err then fail("json", "EINVAL", ("not JSON: %s (at byte %s)"):format(err, tostring(pos))) end
  if type(doc) ~= "table" or (next(doc) ~= nil and is_array(doc)) then
    fail("json", "EINVAL", "the profile must be a JSON object")
  end
  return doc
end

local IMPORT_OPTIONS = { caps = true, kernel = true, enosys = true }

-- The profile's architectures: `architectures`, or Docker's archMap entry
-- for this machine with its sub-architectures.
local function profile_arches(doc, native)
  if doc.architectures ~= nil and doc.archMap ~= nil and #doc.architectures > 0
     and #doc.archMap > 0 then
    fail("archMap", "EINVAL", "both 'architectures' and 'archMap' are given; use one")
  end
  local list = {}
  for i, a in ipairs(strings(doc.architectures, "architectures")) do
    list[#list + 1] = { a, ("architectures[%d]"):format(i - 1) }
  end
  for i, m in ipairs(list_of(doc.archMap, "archMap", "objects")) do
    local where = ("archMap[%d]"):format(i - 1)
    if type(m) ~= "table" then fail(where, "EINVAL", "must be an object") end
    check_keys(m, { architecture = true, subArchitectures = true }, where)
    strings(m.subArchitectures, where .. ".subArchitectures")
    if m.architecture == ARCH_NAMES[native] then
      list[#list + 1] = { m.architecture, where .. ".architecture" }
      for k, s in ipairs(m.subArchitectures or {}) do
        list[#list + 1] = { s, ("%s.subArchitectures[%d]"):format(where, k - 1) }
      end
      break
    end
  end
  return list
end

-- The number of `name` on `arch`, or nil where it has none.
local function number_on(name, arch)
  local ok, n = pcall(api.syscall, name, arch)
  return ok and n >= 0 and n or nil
end

-- The filters stub_rules made the ENOSYS stub of: filter -> { ["arch name"] = true }.
local stubbed = setmetatable({}, { __mode = "k" })

-- runc's ENOSYS stub (libcontainer/seccomp/patchbpf), as rules: under a
-- default that refuses, a call numbered above the highest a profile
-- entry names on its architecture fails with ENOSYS, so that programs
-- fall back from syscalls newer than the profile. Here for every name
-- libseccomp knows on `arch`; x32 calls are counted apart (their numbers
-- carry the x32 bit).
local function stub_names(entries, arch)
  local largest = -1
  for _, e in ipairs(entries) do
    for _, name in ipairs(e.names) do
      local n = number_on(name, arch)
      if n and n > largest then largest = n end
    end
  end
  if largest <= 0 then return {} end
  local list, base = {}, arch == "x32" and 0x40000000 or 0
  for n = math.max(largest + 1, base), base + 1023 do
    local ok, name = pcall(api.syscall_name, n, arch)
    if ok and name then list[#list + 1] = name end
  end
  return list
end

-- One filter of the profile's rules (and stub) for `arches`, the first
-- of which is the filter's own.
local function arch_filter(plan, arches, native)
  local ok, f = pcall(api.filter, plan.default)
  if not ok then refused("defaultAction", f) end
  -- libseccomp's own bad-architecture action, which runc leaves as it is
  f:set("badarch_action", "kill_thread")
  for attr, v in pairs(plan.attributes) do f:set(attr, v) end
  if arches[1].name ~= native then
    f:arch_remove("native")
  end
  for _, a in ipairs(arches) do
    if not f:arch_exist(a.name) then
      local added, err = pcall(f.arch_add, f, a.name)
      if not added then refused(a.where, err) end
    end
  end
  for _, r in ipairs(plan.rules) do
    for _, name in ipairs(r.names) do
      for _, cmps in ipairs(r.rules) do
        local added, err = pcall(f.add, f, r.action, name, compat.unpack(cmps))
        if not added then refused(r.where, err) end
      end
    end
  end
  if plan.enosys then
    local marks = stubbed[f] or {}
    for _, a in ipairs(arches) do
      for _, name in ipairs(stub_names(plan.entries, a.name)) do
        local added, err = pcall(f.add, f, api.errno(ENOSYS), name)
        if not added then refused("ENOSYS stub", err) end
        marks[a.name .. " " .. name] = true
      end
    end
    stubbed[f] = marks
  end
  return f
end

local function build(doc, options)
  check_keys(doc, PROFILE_KEYS, "profile")
  local native = api.arch_native()
  local caps = {}
  for _, c in ipairs(options.caps or oci.DOCKER_CAPS) do caps[c] = true end
  local env = { arch = DOCKER_ARCH[native] or native, caps = caps,
                kernel = options.kernel and release(options.kernel, "kernel") or running_kernel() }
  if doc.defaultAction == nil then fail("defaultAction", "EINVAL", "is missing") end
  local default = action_of(doc.defaultAction, doc.defaultErrnoRet, "defaultAction",
                            "defaultErrnoRet")
  if default == "notify" then
    fail("defaultAction", "EINVAL", "SCMP_ACT_NOTIFY cannot be the default action (runc refuses it)")
  end
  local plan = { default = default, attributes = {}, rules = {}, entries = {} }
  -- runc adds the native architecture to every profile
  local arches, seen_arch = { { name = native, where = "architectures" } }, { [native] = true }
  for _, a in ipairs(profile_arches(doc, native)) do
    local name = type(a[1]) == "string" and ARCHES[a[1]]
    if not name then
      fail(a[2], "EINVAL", ("unknown architecture %s (%s)"):format(tostring(a[1]), sorted_names(ARCHES)))
    end
    if not seen_arch[name] then
      local known = pcall(api.arch_token, name)
      if not known then fail(a[2], "EOPNOTSUPP", ("%s is unknown to this libseccomp"):format(a[1])) end
      seen_arch[name], arches[#arches + 1] = true, { name = name, where = a[2] }
    end
  end
  if doc.flags == nil then
    -- runc's default when the profile names no flags: SPEC_ALLOW
    if api.api_level() >= 4 then plan.attributes.ssb = true end
  else
    for i, flag in ipairs(strings(doc.flags, "flags")) do
      local attr = FLAGS[flag]
      if attr == nil then
        fail(("flags[%d]"):format(i - 1), flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
             and "EOPNOTSUPP" or "EINVAL", ("%s is not supported (%s)"):format(flag, sorted_names(FLAGS)))
      end
      if attr then plan.attributes[attr] = true end
    end
  end
  local default_value = api.action(default)
  local skipped, seen, excluded = {}, {}, {}
  for i, entry in ipairs(list_of(doc.syscalls, "syscalls", "objects")) do
    local where = ("syscalls[%d]"):format(i - 1)
    if type(entry) ~= "table" then fail(where, "EINVAL", "must be an object") end
    check_keys(entry, SYSCALL_KEYS, where)
    local names = strings(entry.names, where .. ".names")
    if entry.name ~= nil then
      if #names > 0 then fail(where, "EINVAL", "both 'name' and 'names' are given; use one") end
      if type(entry.name) ~= "string" then fail(where .. ".name", "EINVAL", "must be a string") end
      names = { entry.name }
    end
    if entry.action == nil then fail(where .. ".action", "EINVAL", "is missing") end
    local action = action_of(entry.action, entry.errnoRet, where .. ".action", where .. ".errnoRet")
    local rules = entry_rules(entry.args, where .. ".args")
    if not applies(entry, where, env) then
      excluded[#excluded + 1] = where
    else
      local known = {}
      for _, name in ipairs(names) do
        if name == "" then fail(where .. ".names", "EINVAL", "an empty name is no syscall") end
        if action == "notify" and name == "write" then
          fail(where, "EINVAL", "SCMP_ACT_NOTIFY cannot be used for write (runc refuses it)")
        end
        if not pcall(api.syscall, name) then
          if not seen[name] then skipped[#skipped + 1], seen[name] = name, true end
        else
          known[#known + 1] = name
        end
      end
      -- the stub counts every entry that applies, a rule of the default's too
      plan.entries[#plan.entries + 1] = { names = known }
      if api.action(action) ~= default_value then  -- runc skips such rules
        plan.rules[#plan.rules + 1] = { where = where, action = action, names = known, rules = rules }
      end
    end
  end
  local d = api.action_name(default_value)
  plan.enosys = options.enosys ~= false and d ~= "allow" and d ~= "log" and d ~= "trace"
  -- with the stub, one filter per architecture (its numbers differ), merged
  local f
  if not plan.enosys or #arches == 1 then
    f = arch_filter(plan, arches, native)
  else
    f = arch_filter(plan, { arches[1] }, native)
    for k = 2, #arches do
      local g = arch_filter(plan, { arches[k] }, native)
      local marks = stubbed[g]
      local merged, err = pcall(f.merge, f, g)
      if not merged then refused(arches[k].where, err) end
      for key in pairs(marks or {}) do stubbed[f][key] = true end
    end
  end
  if #skipped > 0 then f:note_skipped(skipped) end
  return f, skipped, excluded
end

--- A filter (not loaded) deciding every call as runc does with the
-- profile in `json_text` (an OCI runtime-spec `linux.seccomp` object or
-- a Docker profile). `options.caps`: the container's capabilities, which
-- Docker's `includes.caps`/`excludes.caps` are checked against (default
-- `seccomp.oci.DOCKER_CAPS`); `options.kernel`: the kernel version "X.Y"
-- that `minKernel` is checked against (default: the running kernel);
-- `options.enosys = false` leaves out runc's ENOSYS stub (calls above the
-- highest the profile names fail with ENOSYS under a refusing default).
-- Returns the filter, the names no architecture of this libseccomp knows
-- (skipped, as runc skips them; also `f:skipped()`), and the entries
-- ("syscalls[3]") that includes/excludes left out.
function oci.import(json_text, options)
  if options ~= nil then
    if type(options) ~= "table" then
      error("seccomp: oci.import: Invalid argument (EINVAL): options must be a table, got "
            .. type(options), 2)
    end
    for k in pairs(options) do
      if not IMPORT_OPTIONS[k] then
        error(("seccomp: oci.import(%s): Invalid argument (EINVAL): unknown option (caps, enosys, kernel)")
              :format(tostring(k)), 2)
      end
    end
    if options.caps ~= nil then
      local ok, err = pcall(strings, options.caps, "caps")
      if not ok then error(err, 2) end
    end
  end
  local ok, f, skipped, excluded = pcall(function()
    return build(decode(json_text), options or {})
  end)
  if not ok then error(f, 2) end
  return f, skipped, excluded
end

-- ---- export -------------------------------------------------------------

local band, shr = compat.band, compat.shr
local LOW32 = 0xffffffff

-- A JSON number written as the digits of an unsigned 64-bit value.
local RAW = { __tojson = function(t) return t[1] end }
local function number(v)
  v = compat.value(v)
  local text
  if compat.is_integer(v) and (not compat.integers or v >= 0) then
    text = ("%.0f"):format(v)
    if compat.integers then text = ("%d"):format(v) end
  else
    -- long division of (hi, lo) by 10, each half exact as a double
    local hi, lo, digits = shr(v, 32), band(v, LOW32), {}
    hi, lo = compat.tointeger(hi) or tonumber(hi), compat.tointeger(lo) or tonumber(lo)
    repeat
      local r = hi % 10
      hi = (hi - r) / 10
      local t = r * 4294967296 + lo
      local d = t % 10
      lo = (t - d) / 10
      table.insert(digits, 1, ("%d"):format(d))
    until hi == 0 and lo == 0
    text = table.concat(digits)
  end
  return setmetatable({ text }, RAW)
end

local ARRAY = { __jsontype = "array" }

-- The low-half comparison `op v` as blocks of SCMP_CMP_MASKED_EQ on the
-- whole argument: the low 32 bits in [lo, hi] are a union of aligned
-- blocks, each one masked comparison.
local function blocks(lo, hi)
  local list = {}
  while lo <= hi do
    local size = 1
    while size < 4294967296 and lo % (size * 2) == 0 and lo + size * 2 - 1 <= hi do
      size = size * 2
    end
    list[#list + 1] = { mask = LOW32 - (size - 1), value = lo }
    lo = lo + size
  end
  return list
end

local function low_range(op, v)
  v = compat.tointeger(band(compat.value(v), LOW32)) or tonumber(band(compat.value(v), LOW32))
  if op == "eq" then return { { v, v } } end
  if op == "ne" then
    local r = {}
    if v > 0 then r[#r + 1] = { 0, v - 1 } end
    if v < LOW32 then r[#r + 1] = { v + 1, LOW32 } end
    return r
  end
  if op == "lt" then return v > 0 and { { 0, v - 1 } } or {} end
  if op == "le" then return { { 0, v } } end
  if op == "gt" then return v < LOW32 and { { v + 1, LOW32 } } or {} end
  return { { v, LOW32 } }  -- ge
end

local OP_NAMES = {}
for k, v in pairs(OPS) do OP_NAMES[v] = k end

-- The alternatives of one written comparator: each an OCI `args` object,
-- any of which gives the comparator's verdict.
local function alternatives(c)
  if c.bits ~= 32 then
    if c.op == "masked_eq" then
      return { { index = c.arg, value = number(c.a), valueTwo = number(c.b), op = "SCMP_CMP_MASKED_EQ" } }
    end
    return { { index = c.arg, value = number(c.a), op = OP_NAMES[c.op] } }
  end
  if c.op == "masked_eq" then
    return { { index = c.arg, value = number(band(compat.value(c.a), LOW32)),
               valueTwo = number(band(compat.value(c.b), LOW32)), op = "SCMP_CMP_MASKED_EQ" } }
  end
  local list = {}
  for _, r in ipairs(low_range(c.op, c.a)) do
    for _, b in ipairs(blocks(r[1], r[2])) do
      list[#list + 1] = { index = c.arg, value = number(b.mask), valueTwo = number(b.value),
                          op = "SCMP_CMP_MASKED_EQ" }
    end
  end
  return list
end

-- Every combination of one alternative per comparator (AND of ORs as an
-- OR of ANDs); each is one entry's args, on distinct indexes.
local function combinations(cmps)
  local out = { {} }
  for _, c in ipairs(cmps) do
    local nxt = {}
    for _, partial in ipairs(out) do
      for _, alt in ipairs(alternatives(c)) do
        local copy = { compat.unpack(partial) }
        copy[#copy + 1] = alt
        nxt[#nxt + 1] = copy
      end
    end
    out = nxt
  end
  return out
end

local function action_fields(value)
  local name, data = api.action_name(value)
  local map = { kill_process = "SCMP_ACT_KILL_PROCESS", kill_thread = "SCMP_ACT_KILL_THREAD",
                trap = "SCMP_ACT_TRAP", allow = "SCMP_ACT_ALLOW", log = "SCMP_ACT_LOG",
                notify = "SCMP_ACT_NOTIFY", errno = "SCMP_ACT_ERRNO", trace = "SCMP_ACT_TRACE" }
  return map[name], (name == "errno" or name == "trace") and data or nil
end

local function export_fail(detail)
  error("seccomp: oci.export: Invalid argument (EINVAL): " .. detail, 0)
end

local function args_key(args)
  local parts = {}
  for i, a in ipairs(args) do
    parts[i] = ("%d %s %s %s"):format(a.index, a.op, a.value[1], a.valueTwo and a.valueTwo[1] or "")
  end
  return table.concat(parts, ";")
end

local KEYORDER = { "defaultAction", "defaultErrnoRet", "architectures", "flags", "syscalls",
                   "names", "action", "errnoRet", "args", "comment", "index", "value", "valueTwo",
                   "op" }

local function write(f)
  local profile = {}
  profile.defaultAction, profile.defaultErrnoRet = action_fields(f:get("default_action"))
  local native, arches = api.arch_native(), { ARCH_NAMES[api.arch_native()] }
  local list = api.internal.arches(f)
  for _, a in ipairs(list) do
    if not ARCH_NAMES[a] then export_fail("runc has no name for the architecture " .. a) end
    if a ~= native then arches[#arches + 1] = ARCH_NAMES[a] end
  end
  if not f:arch_exist(native) then table.remove(arches, 1) end
  profile.architectures = setmetatable(arches, ARRAY)
  local flags = setmetatable({}, ARRAY)
  if f:get("log") == true then flags[#flags + 1] = "SECCOMP_FILTER_FLAG_LOG" end
  if f:get("ssb") == true then flags[#flags + 1] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW" end
  profile.flags = flags
  -- Rules merged from another filter apply to its architectures only: a
  -- profile can say that of none, so each entry must hold on every
  -- architecture that has the call. Rules of import's ENOSYS stub are
  -- left out: importing the profile makes them again.
  local rules, own, merged_arches = api.internal.rules(f), {}, {}
  for _, rule in ipairs(rules) do
    for a in pairs(rule.arches or {}) do merged_arches[a] = true end
  end
  for _, a in ipairs(list) do
    if not merged_arches[a] then own[a] = true end
  end
  local stub, enosys = stubbed[f] or {}, api.action(api.errno(ENOSYS))
  local entries, by_key, covered = {}, {}, {}
  for _, rule in ipairs(rules) do
    local applies_to = rule.arches or own
    if rule.exact and #list > 1 then
      export_fail("an add_exact rule on a filter of several architectures: runc's libseccomp "
                  .. "rewrites every rule for each ABI")
    end
    local action, ret = action_fields(rule.action)
    local is_stub = rule.action == enosys and #rule.comparators == 0
    for _, args in ipairs(combinations(rule.comparators)) do
      local key = ("%s %s %s"):format(action, tostring(ret), args_key(args))
      local entry = by_key[key]
      for _, name in ipairs(rule.names) do
        if type(name) == "number" then
          local ok, n = pcall(api.syscall_name, name)
          if not ok or not n then export_fail(("syscall %d has no name"):format(name)) end
          name = n
        end
        local all_stub = is_stub
        for a in pairs(applies_to) do
          if not stub[a .. " " .. name] then all_stub = false end
        end
        if not all_stub then
          if not entry then
            entry = { names = setmetatable({}, ARRAY), seen = {}, action = action, errnoRet = ret,
                      args = #args > 0 and args or nil }
            by_key[key] = entry
            entries[#entries + 1] = entry
          end
          if not entry.seen[name] then
            entry.seen[name] = true
            entry.names[#entry.names + 1] = name
          end
          local c = covered[key .. " " .. name] or {}
          covered[key .. " " .. name] = c
          for a in pairs(applies_to) do c[a] = true end
        end
      end
    end
  end
  for key, c in pairs(covered) do
    local name = key:match("(%S+)$")
    for _, a in ipairs(list) do
      if not c[a] and number_on(name, a) and not stub[a .. " " .. name] then
        export_fail(("a rule on %s merged from another filter applies to some architectures only "
                     .. "(not %s), which a profile cannot say"):format(name, a))
      end
    end
  end
  -- runc's ENOSYS stub counts every entry, one of the default action too:
  -- an entry naming the highest number libseccomp knows on each
  -- architecture leaves every call above the rules to the default, as
  -- this filter does (a filter import made keeps its stub instead).
  local dname = api.action_name(f:get("default_action"))
  if not stubbed[f] and dname ~= "allow" and dname ~= "log" and dname ~= "trace" then
    local top, seen = setmetatable({}, ARRAY), {}
    for _, a in ipairs(list) do
      local base = a == "x32" and 0x40000000 or 0
      for n = base + 1023, base, -1 do
        local ok, name = pcall(api.syscall_name, n, a)
        if ok and name then
          if not seen[name] then seen[name], top[#top + 1] = true, name end
          break
        end
      end
    end
    entries[#entries + 1] = { names = top, action = profile.defaultAction,
                              errnoRet = profile.defaultErrnoRet, seen = {},
                              comment = "the default action: for runc's ENOSYS stub" }
  end
  for _, e in ipairs(entries) do
    e.seen = nil
    table.sort(e.names)
  end
  profile.syscalls = setmetatable(entries, ARRAY)
  return json.encode(profile, { indent = true, keyorder = KEYORDER }) .. "\n"
end

--- The OCI profile (JSON text) of a filter, or of a policy table as
-- `seccomp.compile` takes it: it imports back (here, or in runc) to the
-- same verdict for every call on the filter's architectures. A profile
-- has no bad-architecture action (runc's is kill_thread), no priorities,
-- no thread sync or no_new_privs attributes; `arg32` comparisons become
-- SCMP_CMP_MASKED_EQ on the low half.
function oci.export(f_or_policy)
  local f = f_or_policy
  if type(f) == "table" then
    local ok, compiled = pcall(policy.compile, f)
    if not ok then error(compiled, 2) end
    f = compiled
  elseif not pcall(api.internal.arches, f) then
    error("seccomp: oci.export: Invalid argument (EINVAL): expected a seccomp.filter or a "
          .. "policy table, got " .. type(f), 2)
  end
  local ok, text = pcall(write, f)
  if not ok then error(text, 2) end
  return text
end

return oci

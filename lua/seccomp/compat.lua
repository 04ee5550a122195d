--- What the library's Lua needs from Lua 5.3, on 5.1, 5.2 and LuaJIT too
-- (as src/lua_compat.h is for the C core): bitwise operations, integer
-- tests, floor division, table.unpack, table.move and the string.pack
-- formats the library uses. On 5.3 and later each is the language's own
-- operator or function, so nothing changes there.
--
-- 64-bit values. Where numbers are doubles (5.1, 5.2, LuaJIT), integers
-- are exact only below 2^53: a 64-bit value is there a number when it is
-- 0 <= v < 2^53 and a string "0x..." otherwise (`compat.value` makes that
-- form; the C core's `int64` does the operations), so that two equal
-- values are `==`. On 5.3+ a value is a Lua integer (negative for 2^63 and
-- up), as before. Both forms are accepted everywhere a value is taken.
-- @module seccomp.compat

local core = require "seccomp.core"

local compat = {}

-- True where Lua has integers and bitwise operators (5.3+).
compat.integers = math.type ~= nil

compat.unpack = table.unpack or rawget(_G, "unpack")

if compat.integers then
  -- Compiled from text, so that this file parses where the operators
  -- are not syntax.
  local ops = assert(load [[
    return function(a, b) return a & b end, function(a, b) return a | b end,
      function(a, b) return a ~ b end, function(a) return ~a end,
      function(a, n) return a << n end, function(a, n) return a >> n end,
      function(a, b) return a // b end, function(a, b) return a * b end
  ]])
  compat.band, compat.bor, compat.bxor, compat.bnot, compat.shl, compat.shr,
    compat.idiv, compat.mul = ops()
  compat.ult = math.ult
  compat.tointeger = math.tointeger
  function compat.is_integer(x) return math.type(x) == "integer" end
  function compat.eq(a, b) return a == b end
  -- A 64-bit value in its one form: numbers as they are, strings and
  -- cdata as the integer they write.
  function compat.value(v)
    if type(v) == "number" then return v end
    return core.int64("value", v)
  end
else
  local int64 = core.int64
  local TWO53 = 2 ^ 53
  function compat.band(a, b) return int64("and", a, b) end
  function compat.bor(a, b) return int64("or", a, b) end
  function compat.bxor(a, b) return int64("xor", a, b) end
  function compat.bnot(a) return int64("not", a) end
  function compat.shl(a, n) return int64("shl", a, n) end
  function compat.shr(a, n) return int64("shr", a, n) end
  function compat.ult(a, b) return int64("ult", a, b) end
  function compat.eq(a, b) return a == b or int64("eq", a, b) end
  function compat.mul(a, b) return int64("mul", a, b) end
  function compat.idiv(a, b) return math.floor(a / b) end
  function compat.is_integer(x)
    return type(x) == "number" and x > -TWO53 and x < TWO53 and x == math.floor(x)
  end
  function compat.tointeger(x)
    if compat.is_integer(x) then return x end
    return nil
  end
  function compat.value(v)
    if type(v) == "number" and v >= 0 and v < TWO53 and v == math.floor(v) then return v end
    return int64("value", v)
  end
end

-- load(text, chunkname, "t", env): a text chunk run in `env`. Lua 5.1
-- has it as loadstring and setfenv; binary chunks are refused there too.
if _VERSION ~= "Lua 5.1" or rawget(_G, "jit") then
  compat.load = load
else
  function compat.load(text, chunkname, mode, env)
    if mode == "t" and text:sub(1, 1) == "\27" then
      return nil, "attempt to load a binary chunk (mode is 't')"
    end
    local chunk, err = loadstring(text, chunkname)  -- luacheck: ignore 113
    if chunk and env then setfenv(chunk, env) end  -- luacheck: ignore 113
    return chunk, err
  end
end

-- table.move(a, f, e, t, b), the form with a destination table.
compat.move = table.move or function(a, f, e, t, b)
  for i = 0, e - f do b[t + i] = a[f + i] end
  return b
end

-- string.pack and string.unpack for the formats the library writes: an
-- endianness ("<", "="), c1, s1, s4, B, I2, I4, j and n. Little-endian
-- for "=" where Lua has no string.pack: the machines these Lua versions
-- run seccomp on are, and a big-endian one is refused below.
if string.pack then
  compat.pack, compat.unpack_bytes = string.pack, string.unpack
else
  -- LuaJIT says; a 5.1 or 5.2 chunk header has the byte order at 7.
  local little
  if rawget(_G, "jit") then
    little = require("ffi").abi("le")
  else
    little = string.byte(string.dump(function() end), 7) == 1
  end

  local function uint_bytes(v, n)
    local out = {}
    for i = 1, n do
      out[i] = string.char(v % 256)
      v = math.floor(v / 256)
    end
    return table.concat(out)
  end

  local function uint_of(s, pos, n)
    local v = 0
    for i = n, 1, -1 do v = v * 256 + s:byte(pos + i - 1) end
    return v
  end

  local function int64_bytes(v)
    local lo = compat.band(v, 0xffffffff)
    local hi = compat.shr(v, 32)
    return uint_bytes(lo, 4) .. uint_bytes(hi, 4)
  end

  -- A signed 64-bit value: a number when exact, else the value's string.
  local function int64_of(s, pos)
    local lo, hi = uint_of(s, pos, 4), uint_of(s, pos + 4, 4)
    if hi < 0x200000 then return hi * 2 ^ 32 + lo end
    if hi >= 0xffe00000 and (hi > 0xffe00000 or lo > 0) then
      return -((0xffffffff - hi) * 2 ^ 32 + (2 ^ 32 - lo))
    end
    return compat.bor(compat.shl(hi, 32), lo)
  end

  local function double_bytes(x)
    local sign = 0
    if x < 0 or (x == 0 and 1 / x < 0) then sign, x = 1, -x end
    local e, m
    if x ~= x then e, m = 2047, 2 ^ 51
    elseif x == math.huge then e, m = 2047, 0
    elseif x == 0 then e, m = 0, 0
    else
      local fr, ex = math.frexp(x)  -- luacheck: ignore 143 (gone in 5.4, here before 5.3)
      e = ex + 1022
      if e <= 0 then  -- subnormal
        m, e = fr * 2 ^ (52 + e), 0
      else
        m = (fr * 2 - 1) * 2 ^ 52
      end
    end
    local lo = m % 2 ^ 32
    local hi = sign * 2 ^ 31 + e * 2 ^ 20 + math.floor(m / 2 ^ 32)
    return uint_bytes(lo, 4) .. uint_bytes(hi, 4)
  end

  local function double_of(s, pos)
    local lo, hi = uint_of(s, pos, 4), uint_of(s, pos + 4, 4)
    local sign = hi >= 2 ^ 31 and -1 or 1
    local e = math.floor(hi / 2 ^ 20) % 2048
    local m = (hi % 2 ^ 20) * 2 ^ 32 + lo
    if e == 2047 then return m == 0 and sign * math.huge or 0 / 0 end
    if e == 0 then return sign * m * 2 ^ -1074 end
    return sign * (1 + m / 2 ^ 52) * 2 ^ (e - 1023)
  end

  local function items(fmt)
    local list = {}
    for item in fmt:gmatch("[<=]?[a-zA-Z]%d*") do
      local code = item:gsub("^[<=]", "")
      if code ~= "" then list[#list + 1] = code end
    end
    return list
  end

  function compat.pack(fmt, ...)
    if not little then error("seccomp: pack: no string.pack on a big-endian machine", 2) end
    local out, args = {}, { ... }
    for i, code in ipairs(items(fmt)) do
      local v = args[i]
      if code == "c1" then out[i] = v
      elseif code == "s1" then out[i] = uint_bytes(#v, 1) .. v
      elseif code == "s4" then out[i] = uint_bytes(#v, 4) .. v
      elseif code == "B" then out[i] = uint_bytes(v, 1)
      elseif code == "I2" then out[i] = uint_bytes(v, 2)
      elseif code == "I4" then out[i] = uint_bytes(v, 4)
      elseif code == "j" then out[i] = int64_bytes(v)
      elseif code == "n" then out[i] = double_bytes(v)
      else error("seccomp: pack: format " .. code .. " is not supported", 2) end
    end
    return table.concat(out)
  end

  local SIZES = { c1 = 1, B = 1, I2 = 2, I4 = 4, j = 8, n = 8 }

  function compat.unpack_bytes(fmt, s, pos)
    if not little then error("seccomp: unpack: no string.unpack on a big-endian machine", 2) end
    pos = pos or 1
    local out = {}
    for i, code in ipairs(items(fmt)) do
      local size = SIZES[code]
      if code == "s1" or code == "s4" then
        local n = code == "s1" and 1 or 4
        if pos + n - 1 > #s then error("data string too short", 2) end
        local len = uint_of(s, pos, n)
        if pos + n + len - 1 > #s then error("data string too short", 2) end
        out[i] = s:sub(pos + n, pos + n + len - 1)
        pos = pos + n + len
      elseif size then
        if pos + size - 1 > #s then error("data string too short", 2) end
        if code == "c1" then out[i] = s:sub(pos, pos)
        elseif code == "j" then out[i] = int64_of(s, pos)
        elseif code == "n" then out[i] = double_of(s, pos)
        else out[i] = uint_of(s, pos, size) end
        pos = pos + size
      else
        error("seccomp: unpack: format " .. code .. " is not supported", 2)
      end
    end
    out[#out + 1] = pos
    return compat.unpack(out, 1, #out)
  end
end

return compat

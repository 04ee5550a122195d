-- Every comparator, enforced at its boundaries. The target is getpid made
-- through build/sysraw with full 64-bit arguments: getpid ignores its
-- arguments and always succeeds, so the child exits 0 when the rule does
-- not match and with the rule's errno, MARK, when it does.
local seccomp = require "seccomp"
local compat = require "seccomp.compat"
local helpers = require "helpers"

local GETPID = seccomp.syscall("getpid")
local MARK = 77
local LOW32 = 0xffffffff

-- The exit code of getpid(args...) under a filter whose one rule gives
-- errno MARK when every comparator in `cmps` holds.
local function outcome(cmps, args)
  local r = helpers.sysraw(function()
    local f = seccomp.filter("allow")
    f:add(seccomp.errno(MARK), "getpid", compat.unpack(cmps))
    f:load()
  end, "raw", GETPID, compat.unpack(args))
  assert(r.how == "exit", helpers.describe(r))
  return r.code
end

-- getpid with `x` as argument `i` and 0 elsewhere.
local function args_with(i, x)
  local args = { 0, 0, 0, 0, 0, 0 }
  args[i + 1] = x
  return args
end

-- What the kernel must do: unsigned 64-bit comparisons of the argument.
local holds = {
  eq = function(x, v) return x == v end,
  ne = function(x, v) return x ~= v end,
  lt = function(x, v) return compat.ult(x, v) end,
  le = function(x, v) return x == v or compat.ult(x, v) end,
  gt = function(x, v) return compat.ult(v, x) end,
  ge = function(x, v) return x == v or compat.ult(v, x) end,
}

local function expected(match)
  return match and MARK or 0
end

-- lt(0) and gt(max) hold for no value at all.
local function never(op, v, max)
  return (op == "lt" and v == 0) or (op == "gt" and v == max)
end

-- A comparator that can never hold is refused when the rule is added: a
-- rule that cannot match is a mistake, and no rule is added.
local function refused(cmp)
  local f = seccomp.filter("allow")
  assert.has_error(function() f:add(seccomp.errno(MARK), "getpid", cmp) end)
  assert.are.equal(0, f:rule_count())
end

local OPS = { "eq", "ne", "lt", "le", "gt", "ge" }

-- 64-bit values: small, around the 32-bit edge, the sign bit (2^63 is
-- compat.value("0x8000000000000000")), and all ones (-1 is 2^64-1).
local VALUES64 = { 0, 5, 0x7fffffff, 0xffffffff, compat.shl(1, 32), 0x123456789,
                   compat.value("0x8000000000000000"), -1 }
-- 32-bit values, including the sign cases: -1 is 0xffffffff, -2^31 is
-- 0x80000000.
local VALUES32 = { 0, 5, 0x7fffffff, 0x80000000, 0xfffffffe, -1, -0x80000000 }

-- Bits that arg32 must ignore: garbage a caller may leave in the high half.
local GARBAGE = compat.bor(compat.shl(0x5a5a0000, 32), 0x100000000)

describe("seccomp.arg (64-bit)", function()
  for _, op in ipairs(OPS) do
    for _, v in ipairs(VALUES64) do
      it(("%s(%d) at v-1, v, v+1"):format(op, v), function()
        local arg = seccomp.arg(0)
        local cmp = arg[op](arg, v)
        if never(op, v, -1) then return refused(cmp) end
        for _, x in ipairs { v - 1, v, v + 1 } do
          assert.are.equal(expected(holds[op](x, v)), outcome({ cmp }, args_with(0, x)),
                           ("arg(0):%s(%d) with %d"):format(op, v, x))
        end
      end)
    end
  end

  it("masked_eq matches values inside the mask and not outside", function()
    local cases = {
      -- mask, value, { probe, matches }...
      { 0xf0, 0x30, { { 0x30, true }, { 0x3f, true }, { 0x1000000030, true }, { 0x20, false },
                      { 0x70, false }, { 0, false } } },
      { compat.shl(0xff, 56), compat.shl(0x80, 56), { { compat.value("0x8000000000000000"), true },
        { compat.bor(compat.value("0x8000000000000000"), 0xffff), true },
                                  { 0, false }, { -1, false }, { 0x80, false } } },
      { compat.shl(1, 32), compat.shl(1, 32), { { compat.shl(1, 32), true }, { -1, true }, { 0xffffffff, false } } },
      { -1, -1, { { -1, true }, { -2, false }, { 0xffffffff, false } } },
      { 0, 0, { { 0, true }, { -1, true }, { 12345, true } } },
    }
    for _, case in ipairs(cases) do
      local mask, value = case[1], case[2]
      local cmp = seccomp.arg(1):masked_eq(mask, value)
      for _, probe in ipairs(case[3]) do
        assert.are.equal(expected(probe[2]), outcome({ cmp }, args_with(1, probe[1])),
                         ("masked_eq(0x%x, 0x%x) with 0x%x"):format(mask, value, probe[1]))
      end
    end
  end)

  it("flags_in matches exactly the values made of allowed bits", function()
    local allowed = compat.bor(compat.bor(0x1, 0x4), (compat.shl(1, 40)))
    local cmp = seccomp.arg(2):flags_in(allowed)
    for _, probe in ipairs {
      { 0, true }, { 0x1, true }, { 0x5, true }, { compat.shl(1, 40), true }, { allowed, true },
      { 0x2, false }, { 0x7, false }, { compat.shl(1, 41), false },
      { compat.bor(allowed, (compat.shl(1, 32))), false }, { -1, false },
    } do
      assert.are.equal(expected(probe[2]), outcome({ cmp }, args_with(2, probe[1])),
                       ("flags_in(0x%x) with 0x%x"):format(allowed, probe[1]))
    end
  end)

  it("compares the upper 32 bits", function()
    assert.are.equal(MARK, outcome({ seccomp.arg(0):eq(7) }, args_with(0, 7)))
    assert.are.equal(0, outcome({ seccomp.arg(0):eq(7) }, args_with(0, compat.bor(7, GARBAGE))))
    assert.are.equal(0, outcome({ seccomp.arg(0):eq(-1) }, args_with(0, 0xffffffff)))
    assert.are.equal(MARK, outcome({ seccomp.arg(0):eq(0xffffffff) }, args_with(0, 0xffffffff)))
    assert.are.equal(0, outcome({ seccomp.arg(0):lt(7) }, args_with(0, compat.shl(1, 32))))
  end)
end)

describe("seccomp.arg32 (low 32 bits)", function()
  for _, op in ipairs(OPS) do
    for _, v in ipairs(VALUES32) do
      it(("%s(%d) at v-1, v, v+1, with and without high garbage"):format(op, v), function()
        local arg = seccomp.arg32(3)
        local cmp = arg[op](arg, v)
        local v32 = compat.band(v, LOW32)
        if never(op, v32, LOW32) then return refused(cmp) end
        for _, x in ipairs { v32 - 1, v32, v32 + 1 } do
          local x32 = compat.band(x, LOW32)
          local want = expected(holds[op](x32, v32))
          for _, sent in ipairs { x32, compat.bor(x32, GARBAGE), compat.bor(x32, (compat.shl(-1, 32))) } do
            assert.are.equal(want, outcome({ cmp }, args_with(3, sent)),
                             ("arg32(3):%s(%d) with 0x%x"):format(op, v, sent))
          end
        end
      end)
    end
  end

  it("masked_eq matches values inside the mask and not outside", function()
    local cases = {
      { 0xf0, 0x30, { { 0x30, true }, { 0x3f, true }, { 0x1000000030, true }, { 0x20, false },
                      { 0x70, false } } },
      { 0x80000000, 0x80000000, { { 0x80000000, true }, { -1, true }, { 0x7fffffff, false },
                                  { compat.shl(1, 63), false } } },
      { -1, -1, { { 0xffffffff, true }, { -1, true }, { 0xfffffffe, false } } },
    }
    for _, case in ipairs(cases) do
      local mask, value = case[1], case[2]
      local cmp = seccomp.arg32(4):masked_eq(mask, value)
      for _, probe in ipairs(case[3]) do
        for _, sent in ipairs { probe[1], compat.bor(probe[1], GARBAGE) } do
          assert.are.equal(expected(probe[2]), outcome({ cmp }, args_with(4, sent)),
                           ("arg32 masked_eq(0x%x, 0x%x) with 0x%x"):format(mask, value, sent))
        end
      end
    end
  end)

  it("flags_in matches exactly the values made of allowed bits, whatever the high half", function()
    local allowed = compat.bor(compat.bor(0x1, 0x4), 0x80000000)
    local cmp = seccomp.arg32(5):flags_in(allowed)
    for _, probe in ipairs {
      { 0, true }, { 0x1, true }, { 0x80000005, true }, { 0x2, false }, { 0x80000002, false },
      { 0xffffffff, false },
    } do
      for _, sent in ipairs { probe[1], compat.bor(probe[1], GARBAGE) } do
        assert.are.equal(expected(probe[2]), outcome({ cmp }, args_with(5, sent)),
                         ("arg32 flags_in(0x%x) with 0x%x"):format(allowed, sent))
      end
    end
  end)

  it("takes -1 and 0xffffffff as one value", function()
    for _, v in ipairs { -1, 0xffffffff } do
      for _, sent in ipairs { -1, 0xffffffff, compat.bor(0xffffffff, GARBAGE) } do
        assert.are.equal(MARK, outcome({ seccomp.arg32(0):eq(v) }, args_with(0, sent)))
      end
      assert.are.equal(0, outcome({ seccomp.arg32(0):eq(v) }, args_with(0, 0x7fffffff)))
    end
  end)
end)

describe("the argument index", function()
  it("selects the register the kernel passes as that argument", function()
    for i = 0, 5 do
      local cmps = { seccomp.arg(i):eq(1000 + i) }
      for j = 0, 5 do
        assert.are.equal(expected(i == j), outcome(cmps, args_with(j, 1000 + i)),
                         ("arg(%d) with the value in argument %d"):format(i, j))
      end
    end
  end)
end)

describe("several comparators in one rule", function()
  local cmps = {
    seccomp.arg(0):eq(compat.shl(1, 32)),
    seccomp.arg32(1):ge(0x80000000),
    seccomp.arg(2):masked_eq(0xff00, 0x1200),
    seccomp.arg(3):ne(-1),
    seccomp.arg32(4):le(0xffff),
    seccomp.arg(5):lt(compat.shl(1, 40)),
  }
  local good = { compat.shl(1, 32), compat.bor(0x80000000, GARBAGE), 0x12ab, 0, compat.bor(0xffff, GARBAGE),
                 (compat.shl(1, 40)) - 1 }
  -- one failing value per argument
  local bad = { (compat.shl(1, 32)) + 1, compat.bor(0x7fffffff, GARBAGE), 0x1300, -1, 0x10000, compat.shl(1, 40) }

  it("match when every one holds", function()
    assert.are.equal(MARK, outcome(cmps, good))
  end)

  it("do not match when any one alone fails (they are ANDed)", function()
    for i = 1, 6 do
      local args = compat.move(good, 1, 6, 1, {})
      args[i] = bad[i]
      assert.are.equal(0, outcome(cmps, args), ("comparator %d failing alone"):format(i))
    end
  end)

  it("do not match when all fail", function()
    assert.are.equal(0, outcome(cmps, bad))
  end)
end)

-- Layers call only downward: every module's requires, read from the
-- source, against the layer table below (docs/DESIGN.md draws it).
-- A module may require modules of lower layers and of its own layer,
-- never of a higher one; there are no cycles; only the API layer uses
-- the C core; examples use only the façade.

-- From the bottom up. A new module gets a line here, in its layer.
local LAYERS = {
  { name = "C core", modules = { "seccomp.core" } },
  { name = "Lua API", modules = { "seccomp.filter", "seccomp.child", "seccomp.notify",
                                 "seccomp.compat" } },
  { name = "policy layer and tools", modules = {
    "seccomp.groups", "seccomp.promises", "seccomp.policy", "seccomp.policy_file",
    "seccomp.policy_index", "seccomp.report", "seccomp.runner", "seccomp.learn",
    "seccomp.learn_cover", "seccomp.learn_write", "seccomp.explain",
    "seccomp.supervisor",
  } },
  { name = "façade", modules = { "seccomp" } },
  { name = "CLI", modules = { "bin/lua-seccomp" } },
}

-- Only the API layer wraps the C core; the layers above reach it through
-- the API.
local CORE_USERS = "Lua API"

local layer_of, rank_of = {}, {}
for rank, layer in ipairs(LAYERS) do
  for _, module in ipairs(layer.modules) do
    layer_of[module] = layer.name
    rank_of[module] = rank
  end
end

local function read(path)
  local fh = assert(io.open(path, "rb"))
  local text = fh:read("*a")
  fh:close()
  return text
end

-- The tokens of Lua source `text` that matter here: names, string
-- literals and punctuation, with comments dropped. Enough of Lua's lexer
-- for this repository's sources: long brackets, short strings with
-- escapes, comments, names; numbers and operators come out as
-- punctuation, one character at a time.
local function tokens(text)
  local list, pos = {}, 1
  local function long_bracket(at)
    local eq = text:match("^%[(=*)%[", at)
    if not eq then return nil end
    local close = "]" .. eq .. "]"
    local stop = text:find(close, at, true)
    assert(stop, "unfinished long bracket at byte " .. at)
    return text:sub(at + #eq + 2, stop - 1), stop + #close
  end
  while pos <= #text do
    local c = text:sub(pos, pos)
    if c:match("%s") then
      pos = pos + 1
    elseif text:sub(pos, pos + 1) == "--" then
      local _, after = long_bracket(pos + 2)
      pos = after or (text:find("\n", pos, true) or #text) + 1
    elseif c == "[" and long_bracket(pos) then
      local s, after = long_bracket(pos)
      list[#list + 1] = { kind = "string", value = s }
      pos = after
    elseif c == '"' or c == "'" then
      local i, buf = pos + 1, {}
      while true do
        local ch = text:sub(i, i)
        assert(ch ~= "" and ch ~= "\n", "unfinished string at byte " .. pos)
        if ch == "\\" then
          buf[#buf + 1] = text:sub(i, i + 1)
          i = i + 2
        elseif ch == c then
          break
        else
          buf[#buf + 1] = ch
          i = i + 1
        end
      end
      list[#list + 1] = { kind = "string", value = table.concat(buf) }
      pos = i + 1
    elseif c:match("[%a_]") then
      local name = text:match("^[%w_]+", pos)
      list[#list + 1] = { kind = "name", value = name }
      pos = pos + #name
    else
      list[#list + 1] = { kind = "punct", value = c }
      pos = pos + 1
    end
  end
  return list
end

-- The modules source `text` requires, in order, and the calls to require
-- whose argument is not a string literal (the graph would miss them).
-- Reads require "m", require("m") and pcall(require, "m").
local function requires_of(text)
  local t = tokens(text)
  local found, unreadable = {}, {}
  local function is(i, kind, value)
    return t[i] and t[i].kind == kind and (value == nil or t[i].value == value)
  end
  for i = 1, #t do
    if is(i, "name", "require") and not is(i - 1, "punct", ".") and not is(i - 1, "punct", ":")
       and not (is(i - 1, "name", "function") or is(i - 1, "name", "local")) then
      local arg
      if is(i + 1, "string") then
        arg = i + 1
      elseif (is(i + 1, "punct", "(") or is(i + 1, "punct", ",")) and is(i + 2, "string") then
        arg = i + 2
      end
      if arg then
        found[#found + 1] = t[arg].value
      else
        unreadable[#unreadable + 1] = "require followed by "
          .. (t[i + 1] and t[i + 1].value or "nothing")
      end
    end
  end
  return found, unreadable
end

-- Every module of the project: name -> source file.
local function sources()
  local list = { ["bin/lua-seccomp"] = "bin/lua-seccomp" }
  local p = assert(io.popen("ls lua/seccomp/*.lua"))
  for file in p:lines() do
    local base = file:match("^lua/seccomp/(.-)%.lua$")
    list[base == "init" and "seccomp" or "seccomp." .. base] = file
  end
  p:close()
  return list
end

-- The project's own modules: "seccomp" and "seccomp.*".
local function ours(module)
  return module == "seccomp" or module:match("^seccomp%.") ~= nil
end

describe("the reader of requires", function()
  it("finds every form of require and skips comments and strings", function()
    local found, unreadable = requires_of([=[
      local a = require "seccomp.a"       -- require "seccomp.comment"
      local b = require("seccomp.b")
      local ok, c = pcall(require, 'seccomp.c')
      --[[ require "seccomp.long_comment" ]]
      local s = "require 'seccomp.in_string'"
      local d = require [[seccomp.d]]
      local e = require(name)
      x.require("seccomp.field")
    ]=])
    assert.are.same({ "seccomp.a", "seccomp.b", "seccomp.c", "seccomp.d" }, found)
    assert.are.same({ "require followed by (" }, unreadable)
  end)
end)

describe("the layers", function()
  local files = sources()
  local edges = {}  -- module -> list of our modules it requires
  for module, file in pairs(files) do
    local found = requires_of(read(file))
    local list = {}
    for _, required in ipairs(found) do
      if ours(required) then list[#list + 1] = required end
    end
    edges[module] = list
  end

  it("place every module in the table, and the table names only modules that exist", function()
    local unplaced = {}
    for module in pairs(files) do
      if not layer_of[module] then unplaced[#unplaced + 1] = module end
    end
    table.sort(unplaced)
    assert.are.same({}, unplaced, "modules not in the layer table (spec/60-layers_spec.lua)")
    local missing = {}
    for module in pairs(layer_of) do
      local exists = files[module] or package.searchpath(module, package.cpath)
      if not exists then missing[#missing + 1] = module end
    end
    table.sort(missing)
    assert.are.same({}, missing, "layer table entries with no source")
  end)

  it("require only string literals, so the graph is complete", function()
    local bad = {}
    for module, file in pairs(files) do
      local _, unreadable = requires_of(read(file))
      for _, what in ipairs(unreadable) do bad[#bad + 1] = module .. ": " .. what end
    end
    table.sort(bad)
    assert.are.same({}, bad)
  end)

  it("require no module of a higher layer", function()
    local upward = {}
    for module, list in pairs(edges) do
      for _, required in ipairs(list) do
        if rank_of[module] and rank_of[required] and rank_of[required] > rank_of[module] then
          upward[#upward + 1] = ("%s (%s) -> %s (%s)"):format(module, layer_of[module],
            required, layer_of[required])
        end
      end
    end
    table.sort(upward)
    assert.are.same({}, upward)
  end)

  it("use the C core only from the API layer", function()
    local direct = {}
    for module, list in pairs(edges) do
      for _, required in ipairs(list) do
        if required == "seccomp.core" and layer_of[module] ~= CORE_USERS then
          direct[#direct + 1] = ("%s (%s) -> seccomp.core"):format(module, layer_of[module])
        end
      end
    end
    table.sort(direct)
    assert.are.same({}, direct)
  end)

  it("keep the API module over the C core alone", function()
    assert.are.same({ "seccomp.core" }, edges["seccomp.filter"])
  end)

  it("have no require cycle", function()
    -- depth-first search; a module met again while on the path closes a cycle
    local state, path, cycles = {}, {}, {}
    local function visit(module)
      if state[module] == "done" then return end
      if state[module] == "open" then
        local cycle, start = {}, nil
        for i, m in ipairs(path) do
          if m == module then start = i end
        end
        for i = start, #path do cycle[#cycle + 1] = path[i] end
        cycle[#cycle + 1] = module
        cycles[#cycles + 1] = table.concat(cycle, " -> ")
        return
      end
      state[module] = "open"
      path[#path + 1] = module
      for _, required in ipairs(edges[module] or {}) do visit(required) end
      path[#path] = nil
      state[module] = "done"
    end
    local names = {}
    for module in pairs(edges) do names[#names + 1] = module end
    table.sort(names)
    for _, module in ipairs(names) do visit(module) end
    assert.are.same({}, cycles)
  end)
end)

describe("the examples", function()
  it("use only the façade", function()
    local other = {}
    local p = assert(io.popen("ls examples/*.lua"))
    for file in p:lines() do
      for _, required in ipairs((requires_of(read(file)))) do
        if ours(required) and required ~= "seccomp" then
          other[#other + 1] = file .. " -> " .. required
        end
      end
    end
    p:close()
    table.sort(other)
    assert.are.same({}, other)
  end)
end)

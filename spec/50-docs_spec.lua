-- Every example of README.md and docs/*.md runs, each in its own process,
-- and shows what the text says it shows (conventions: README.md,
-- "Documentation that runs").
local blocks = require "50-docs_blocks"
local helpers = require "helpers"

local quote = blocks.shell_quote

-- Examples that fail for a reason fixed elsewhere: run, and reported as
-- pending while they fail that way. Keyed by file and heading.

local LANGS = { lua = true, sh = true, text = true }

-- The directive of a block: its kind and argument.
local function directive(b)
  if not b.directive then return nil end
  local kind, rest = b.directive:match("^([%w ]-):%s*(.*)$")
  return kind or b.directive, rest
end

local function rm(dir) os.execute("rm -rf " .. quote(dir)) end

-- The code a block runs: after the blocks it continues.
local function code_of(b)
  if b.directive == "continues" then
    assert(b.previous, blocks.label(b) .. ": continues, but no block comes before it")
    return code_of(b.previous) .. b.code
  end
  return b.code
end

local function run_lua_block(b)
  local code = code_of(b)
  local r = blocks.run_lua(code)
  local ok, err = pcall(blocks.assert_shows, code, r, blocks.label(b))
  rm(r.dir)
  assert(ok, err)
end

-- An sh block: each command, from the checkout, installing nowhere real.
local function run_sh_block(b)
  local dir = blocks.tmpdir()
  local config = dir .. "/luarocks-config.lua"
  local f = assert(io.open(config, "w"))
  f:write(("rocks_trees = { { name = \"docs-spec\", root = %q } }\n"):format(dir .. "/rocks"))
  f:close()
  local commands = {}
  for line in b.code:gmatch("[^\n]+") do
    local command = line:gsub("%s+#.*$", ""):gsub("^%s+", "")
    -- `make test` is what runs this spec: running it here would recurse.
    if command ~= "" and command ~= "make test" then commands[#commands + 1] = command end
  end
  assert(#commands > 0, blocks.label(b) .. ": no command")
  local script = dir .. "/block.sh"
  f = assert(io.open(script, "w"))
  f:write("set -e\n", table.concat(commands, "\n"), "\n")
  f:close()
  local cmd = ("cd %s && env DESTDIR=%s LUAROCKS_CONFIG=%s sh %s >%s/out.txt 2>&1")
              :format(quote(blocks.ROOT), quote(dir .. "/dest"), quote(config), quote(script), quote(dir))
  local ok, how, code = helpers.execute(cmd)
  local output = blocks.read(dir .. "/out.txt")
  rm(dir)
  assert(ok, ("%s: %s ended by %s %s:\n%s"):format(blocks.label(b), table.concat(commands, "; "),
                                                  how, code, output))
end

describe("documentation examples", function()
  for _, file in ipairs(blocks.files()) do
    for _, b in ipairs(blocks.parse(file)) do
      local label = blocks.label(b)
      local kind, arg = directive(b)
      it(label .. " is tagged lua, sh or text", function()
        assert(LANGS[b.lang], label .. ": fence tag " .. ("%q"):format(b.lang) .. " (use lua, sh or text)")
        assert(kind == nil or kind == "not run" or kind == "continues" or kind == "file"
               or kind == "recipe", label .. ": unknown directive " .. tostring(b.directive))
        if kind == "not run" then assert(arg ~= "", label .. ": not run, with no reason") end
      end)
      if kind == "file" then
        it(label .. " is " .. arg .. " verbatim", function()
          assert.are.equal(blocks.read(arg), b.code)
        end)
      end
      if kind == "recipe" then
        it(label .. " is run by spec/51-recipes_spec.lua", function()
          assert.truthy(blocks.read("spec/51-recipes_spec.lua"):find(("recipe(%q)"):format(arg), 1, true),
                        "spec/51-recipes_spec.lua does not run recipe " .. arg)
        end)
      elseif kind ~= "not run" and b.lang == "lua" then
        it(label .. " runs and shows what the text says", function() run_lua_block(b) end)
      elseif kind ~= "not run" and b.lang == "sh" then
        it(label .. " runs: " .. b.code:gsub("\n", "; "), function() run_sh_block(b) end)
      end
    end
  end

  -- drop_rights.lua runs as the README's seed example, run_demo.lua as `make demo`.
  for name in io.popen("ls examples/*.lua"):lines() do
    if name ~= "examples/drop_rights.lua" and name ~= "examples/run_demo.lua" then
      it(name .. " runs and shows what its comments say", function()
        local code = blocks.read(name)
        local r = blocks.run_lua(code, { args = {} })
        rm(r.dir)
        blocks.assert_shows(code, r, name)
        assert.truthy(code:find("-->", 1, true), name .. " shows nothing to check")
      end)
    end
  end

  it("every #anchor link in README.md leads to a heading", function()
    local text = blocks.read("README.md")
    local slugs = {}
    for heading in text:gmatch("\n#+ ([^\n]+)") do
      -- GitHub's rule: lower case, drop punctuation but - and _, spaces to -.
      local slug = heading:lower():gsub("[^%w%- _]", ""):gsub(" ", "-")
      slugs[slug] = true
    end
    local broken = {}
    for anchor in text:gmatch("%]%(#([^)]+)%)") do
      if not slugs[anchor] then broken[#broken + 1] = anchor end
    end
    assert.are.same({}, broken)
  end)

  it("README's apt-get line names what scripts/deps.sh installs to build", function()
    local deps = blocks.read("scripts/deps.sh"):match('PACKAGES="([^"]*)"')
    local wanted = {}
    for p in deps:gmatch("%S+") do wanted[p] = true end
    local line = blocks.read("README.md"):match("apt%-get install %-y ([^\n]*)")
    assert.truthy(line, "README.md has no apt-get install line")
    for p in line:gmatch("%S+") do
      assert.is_true(wanted[p], p .. " is in README's apt-get line but not in scripts/deps.sh")
    end
    for _, p in ipairs { "gcc", "libc6-dev", "make", "libseccomp-dev", "lua5.4", "liblua5.4-dev" } do
      assert.truthy(line:find(p, 1, true), "README's apt-get line lacks " .. p)
    end
  end)

  it("every lua example is one the spec runs, or says why not", function()
    local skipped = {}
    for _, file in ipairs(blocks.files()) do
      for _, b in ipairs(blocks.parse(file)) do
        if b.directive and b.directive:match("^not run:") and b.lang == "lua" then
          skipped[#skipped + 1] = blocks.label(b)
        end
      end
    end
    assert.are.same({}, skipped)
  end)
end)

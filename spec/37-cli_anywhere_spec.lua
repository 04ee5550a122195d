-- bin/lua-seccomp finds its modules from its own path: from a checkout
-- run anywhere, after `make install PREFIX=...` and after `luarocks make`,
-- with Lua's own paths pointing nowhere.
local helpers = require "helpers"

-- Lua's paths point nowhere: only the tool's own search can find modules.
local NOWHERE = "env -u LUA_PATH_5_4 -u LUA_CPATH_5_4 LUA_PATH='/nonexistent/?.lua' " ..
                "LUA_CPATH='/nonexistent/?.so' "

local function shell(command)
  local p, close = helpers.popen(command .. " 2>&1")
  local out = p:read("*a")
  local _, _, code = close()
  return code, out
end

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local checkout = assert(os.getenv("PWD"))
local policy = helpers.tmpname()

-- The tool at `tool` (absolute) runs from / : help, version, check.
local function works(tool)
  local code, out = shell("cd / && " .. NOWHERE .. quote(tool) .. " --help")
  assert.are.equal(0, code, out)
  assert.matches("^usage: lua%-seccomp", out)
  code, out = shell("cd / && " .. NOWHERE .. quote(tool) .. " --version")
  assert.are.equal(0, code, out)
  assert.matches("^lua%-seccomp ", out)
  code, out = shell("cd / && " .. NOWHERE .. quote(tool) .. " check --policy " ..
                    quote(policy) .. " ptrace")
  assert.are.equal(1, code, out)
  assert.are.equal("kill_process\n", out)
  code, out = shell("cd / && " .. NOWHERE .. quote(tool) .. " help pledge")
  assert.are.equal(0, code, out)
  assert.matches("^usage: lua%-seccomp pledge", out)
end

describe("lua-seccomp from anywhere", function()
  setup(function()
    helpers.write_file(policy, 'return { default = "allow", kill = { "ptrace" } }\n')
  end)
  teardown(function() os.remove(policy) end)

  it("runs from a checkout, by path or through lua5.4", function()
    works(checkout .. "/bin/lua-seccomp")
    local code, out = shell("cd /tmp && " .. NOWHERE .. helpers.LUA_CMD .. " " ..
                            quote(checkout .. "/bin/lua-seccomp") .. " --version")
    assert.are.equal(0, code, out)
    assert.matches("^lua%-seccomp ", out)
  end)

  it("runs after make install PREFIX=...", function()
    local prefix = helpers.tmpname()
    local code, out = shell("make --no-print-directory install PREFIX=" .. quote(prefix))
    assert.are.equal(0, code, out)
    works(prefix .. "/bin/lua-seccomp")
    shell("rm -rf " .. quote(prefix))
  end)

  it("runs after luarocks make into a tree", function()
    -- A copy of the sources: luarocks builds where it is run.
    local src, tree = helpers.tmpname(), helpers.tmpname()
    local code, out = shell("mkdir -p " .. quote(src) .. " && git ls-files -z | " ..
                            "xargs -0 cp --parents -t " .. quote(src))
    assert.are.equal(0, code, out)
    code, out = shell("cd " .. quote(src) .. " && luarocks --lua-version 5.4 --tree " ..
                      quote(tree) .. " make rockspec/lua-seccomp-scm-1.rockspec")
    assert.are.equal(0, code, out)
    works(tree .. "/bin/lua-seccomp")
    shell("rm -rf " .. quote(src) .. " " .. quote(tree))
  end)
end)

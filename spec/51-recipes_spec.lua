-- The README's recipes run as written, each in its own lua5.4, with the
-- client or the input the text names.
local blocks = require "50-docs_blocks"
local socket = require "socket"
local helpers = require "helpers"

local SIGSYS = 31
local function recipe(name) return blocks.recipe("README.md", name) end

local function rm(dir) os.execute("rm -rf " .. blocks.shell_quote(dir)) end

describe("README recipes", function()
  it("the server binds, pledges stdio inet and answers one client", function()
    local b = recipe("server")
    local dir = blocks.tmpdir()
    local f = assert(io.open(dir .. "/server.lua", "w"))
    f:write(b.code)
    f:close()
    local server, close = helpers.popen(("cd %s && exec env %s %s server.lua 2>stderr.txt")
                                        :format(blocks.shell_quote(dir), blocks.lua_env(), helpers.LUA_CMD))
    local first = server:read("*l")
    local port = tonumber(first and first:match("^listening on 127%.0%.0%.1 port (%d+)$"))
    assert(port, "the server said " .. tostring(first))
    local client = assert(socket.connect("127.0.0.1", port))
    client:settimeout(30)
    assert(client:send("world\n"))
    local answer = client:receive("*l")
    client:close()
    local rest = server:read("*a")
    local ok, how, code = close()
    local stderr = blocks.read(dir .. "/stderr.txt")
    rm(dir)
    assert.are.equal("hello, world", answer)
    assert.are.same({ true, "exit", 0, "", "" }, { ok, how, code, rest, stderr })
  end)

  it("the command-line tool counts standard input and files under stdio", function()
    local b = recipe("wc")
    local r = blocks.run_lua(b.code, { stdin = "one two\nthree\n" })
    rm(r.dir)
    assert.are.same({ "exit", 0, "2\t3\t-\n", "" }, { r.how, r.code, r.stdout, r.stderr })

    local dir = blocks.tmpdir()
    local f = assert(io.open(dir .. "/a.txt", "w"))
    f:write("a b c\n\nd\n")
    f:close()
    r = blocks.run_lua(b.code, { dir = dir, args = { "a.txt", "block.lua" } })
    local lines = select(2, b.code:gsub("\n", ""))
    local words = 0
    for _ in b.code:gmatch("%S+") do words = words + 1 end
    rm(dir)
    assert.are.same({ "exit", 0, ("3\t4\ta.txt\n%d\t%d\tblock.lua\n"):format(lines, words), "" },
                    { r.how, r.code, r.stdout, r.stderr })
  end)

  it("the command-line tool can open nothing after its pledge", function()
    local r = blocks.run_lua(recipe("wc").code .. 'io.open("/etc/passwd")\nos.exit(3)\n', { stdin = "x\n" })
    rm(r.dir)
    assert.are.same({ "signal", SIGSYS, "1\t1\t-\n" }, { r.how, r.code, r.stdout })
  end)

  it("the worker answers for data it can parse and dies on code that opens a file", function()
    local b = recipe("worker")
    local r = blocks.run_lua(b.code)
    rm(r.dir)
    blocks.assert_shows(b.code, r, "worker recipe")
    assert.are.equal("7\nnil\tworker ended by signal 31\n", r.stdout)
  end)
end)

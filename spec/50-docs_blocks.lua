--- The code blocks of the documentation, and a runner for them (used by
-- spec/50-docs_spec.lua and spec/51-recipes_spec.lua). The conventions
-- are stated in README.md, "Documentation that runs".
local helpers = require "helpers"

local blocks = {}

-- The checkout: busted runs from its root.
local ROOT = assert(io.popen("pwd")):read("*l")
blocks.ROOT = ROOT

--- The documentation files whose blocks run: README.md and docs/*.md.
function blocks.files()
  local list = { "README.md" }
  local p = assert(io.popen("ls docs/*.md 2>/dev/null"))
  for name in p:lines() do list[#list + 1] = name end
  p:close()
  return list
end

local function read(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
blocks.read = read

--- Every fenced block of markdown file `name`: { file, line, lang, code,
-- directive, heading, previous } where directive is the HTML comment on
-- the last non-blank line before the fence, heading the section it is in,
-- and previous the block of the same language before it in the file.
function blocks.parse(name)
  local list, heading, last_text = {}, nil, nil
  local current
  local previous = {}
  local n = 0
  for line in (read(name) .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if current then
      if line == "```" then
        current.code = table.concat(current.lines, "\n") .. "\n"
        current.lines = nil
        current.previous = previous[current.lang]
        previous[current.lang] = current
        list[#list + 1] = current
        current = nil
      else
        current.lines[#current.lines + 1] = line
      end
    elseif line:match("^```") then
      current = { file = name, line = n, lang = line:match("^```(%S*)$") or line:sub(4),
                  heading = heading, lines = {},
                  directive = last_text and last_text:match("^<!%-%- (.-) %-%->$") }
    else
      if line:match("^#+ ") then heading = line:gsub("^#+ ", "") end
      if line:match("%S") then last_text = line end
    end
  end
  assert(not current, name .. ": a fence opened at line " .. (current and current.line or 0) .. " never closes")
  return list
end

--- A short name for a block, for test names.
function blocks.label(b)
  return ("%s:%d (%s)"):format(b.file, b.line, b.heading or "top")
end

-- `text` with tabs and runs of spaces as one space, trimmed.
local function squeeze(text)
  return (text:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- A Lua pattern matching one output line against an expectation, where
-- `...` stands for anything.
local function line_pattern(expected)
  local parts = {}
  for piece in (expected .. "..."):gmatch("(.-)%.%.%.") do
    parts[#parts + 1] = piece:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
  end
  return "^" .. table.concat(parts, ".-") .. "$"
end

--- What the code says its run shows: { lines = { expected... }, signal =
-- "SIGSYS" or nil }, from its `--> ...` comments.
function blocks.expectations(code)
  local e = { lines = {} }
  for line in code:gmatch("[^\n]+") do
    local text = line:match("%-%->%s*(.-)%s*$")
    if text then
      text = text:gsub("%s+%-%-%s.*$", "")
      local sig = text:match("^killed by (SIG%u+)$")
      if sig then
        e.signal = sig
      else
        e.lines[#e.lines + 1] = squeeze(text)
      end
    end
  end
  return e
end

--- Whether `output` has a line for every expected line.
-- Returns true, or false and the first line missing.
function blocks.output_matches(output, expected_lines)
  local have = {}
  for line in output:gmatch("[^\n]*") do have[#have + 1] = squeeze(line) end
  for _, want in ipairs(expected_lines) do
    local pattern, found = line_pattern(want), false
    for _, line in ipairs(have) do
      if line:match(pattern) then found = true break end
    end
    if not found then return false, want end
  end
  return true
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end
blocks.shell_quote = shell_quote

--- A fresh empty temporary directory..
function blocks.tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p " .. shell_quote(name)))
  return name
end

--- The environment a block runs with: the checkout's modules, and no
-- preloaded library (`make asan` preloads the sanitizers for busted only).
function blocks.lua_env()
  return ("-u LD_PRELOAD LUA_PATH=%s LUA_CPATH=%s"):format(
    shell_quote(ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;;"),
    shell_quote(ROOT .. "/" .. helpers.BUILD .. "/?.so;;"))
end

--- Runs Lua source `code` in a fresh Lua (the one running the suite), in directory `dir` (a new
-- temporary one if nil), with `args` and `stdin` (a string). Returns
-- { how = "exit"|"signal", code = n, stdout = s, stderr = s, dir = dir }.
function blocks.run_lua(code, options)
  options = options or {}
  local dir = options.dir or blocks.tmpdir()
  local script = dir .. "/block.lua"
  local f = assert(io.open(script, "w"))
  f:write(code)
  f:close()
  local input = dir .. "/stdin.txt"
  f = assert(io.open(input, "w"))
  f:write(options.stdin or "")
  f:close()
  local args = {}
  for i, a in ipairs(options.args or {}) do args[i] = shell_quote(a) end
  local cmd = ("cd %s && exec env %s %s block.lua %s <stdin.txt >stdout.txt 2>stderr.txt")
              :format(shell_quote(dir), blocks.lua_env(), helpers.LUA_CMD, table.concat(args, " "))
  local _, how, status = helpers.execute(cmd)
  return { how = how, code = status, stdout = read(dir .. "/stdout.txt"),
           stderr = read(dir .. "/stderr.txt"), dir = dir }
end

local SIGNALS = { SIGSYS = 31, SIGKILL = 9, SIGSEGV = 11, SIGABRT = 6 }

--- Asserts that result `r` of running `code` shows what its `-->`
-- comments say: the lines, and the signal or else exit 0 with a silent
-- stderr.
function blocks.assert_shows(code, r, label)
  local e = blocks.expectations(code)
  local where = label .. ": "
  local function describe()
    return ("\n-- ended by %s %s\n-- stdout:\n%s\n-- stderr:\n%s"):format(r.how, r.code, r.stdout, r.stderr)
  end
  if e.signal then
    local signo = assert(SIGNALS[e.signal], "unknown signal " .. e.signal)
    assert(r.how == "signal" and r.code == signo, where .. "expected death by " .. e.signal .. describe())
  else
    assert(r.how == "exit" and r.code == 0, where .. "expected exit 0" .. describe())
    assert(r.stderr == "", where .. "expected nothing on stderr" .. describe())
  end
  local ok, missing = blocks.output_matches(r.stdout, e.lines)
  assert(ok, where .. "no output line shows " .. tostring(missing) .. describe())
end

--- The block of `file` marked `<!-- recipe: name -->`.
function blocks.recipe(file, name)
  for _, b in ipairs(blocks.parse(file)) do
    if b.directive == "recipe: " .. name then return b end
  end
  error(file .. " has no recipe " .. name)
end

return blocks

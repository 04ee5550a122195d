#!/bin/sh
# Proves the rockspec: it names every source the Makefile builds and every
# Lua module, `luarocks make` installs it into a private tree, and
# `require "seccomp"` works from that tree alone.
set -e
ROCKSPEC=rockspec/lua-seccomp-scm-1.rockspec
TREE=build/rocktree

for f in $(make --no-print-directory -s print-sources) lua/seccomp/*.lua; do
    grep -q "\"$f\"" "$ROCKSPEC" || { echo "rockspec-check: $ROCKSPEC does not list $f" >&2; exit 1; }
done

rm -rf "$TREE"
luarocks --lua-version 5.4 --tree "$TREE" make "$ROCKSPEC" >build/rockspec-check.log 2>&1 ||
    { cat build/rockspec-check.log >&2; exit 1; }
# luarocks builds in the source tree: leave nothing there that Lua's
# default ./?.so could pick up instead of build/.
rm -f src/*.o
rm -rf seccomp

env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 lua5.4 -e "
  package.path = '$TREE/share/lua/5.4/?.lua;$TREE/share/lua/5.4/?/init.lua'
  package.cpath = '$TREE/lib/lua/5.4/?.so'
  local seccomp = require 'seccomp'
  assert(package.searchpath('seccomp.core', package.cpath):find('$TREE', 1, true))
  local f = seccomp.filter('kill')
  f:allow('write', seccomp.arg(0):eq(1))
  assert(f:pfc():find('write', 1, true))
  print('rockspec-check: luarocks make into $TREE works; require \"seccomp\" ' ..
        seccomp.version() .. ' from it works')
"
[ ! -f bin/lua-seccomp ] || [ -x "$TREE/bin/lua-seccomp" ] ||
    { echo "rockspec-check: lua-seccomp was not installed into $TREE/bin" >&2; exit 1; }

#!/bin/sh
# Proves the rockspecs: the release and scm rockspecs differ only in their
# version and source tag, `luarocks make` installs the release one into a
# private tree and leaves no build product in the checkout, and
# `require "seccomp"` and the lua-seccomp command work from that tree alone.
set -e
RELEASE=$(ls rockspec/lua-seccomp-[0-9]*.rockspec)
SCM=rockspec/lua-seccomp-scm-1.rockspec
TREE=build/rocktree
fail() { echo "rockspec-check: $*" >&2; exit 1; }

[ "$(echo "$RELEASE" | wc -w)" -eq 1 ] || fail "expected one release rockspec, found: $RELEASE"
strip() { grep -v -E '^version = |^  tag = ' "$1"; }
strip "$RELEASE" >build/rockspec-release.txt
strip "$SCM" >build/rockspec-scm.txt
diff -u build/rockspec-scm.txt build/rockspec-release.txt >&2 ||
    fail "$RELEASE and $SCM differ beyond version and tag"
version=$(sed -n 's/^version = "\(.*\)-[0-9]*"$/\1/p' "$RELEASE")
grep -q "^## $version\$" CHANGELOG.md || fail "CHANGELOG.md has no section for $version"
grep -q "tag = \"v$version\"" "$RELEASE" || fail "$RELEASE does not build tag v$version"

# Every file of the checkout outside build/ and .git, with its size and time.
checkout_state() { find . \( -path ./build -o -path ./.git \) -prune -o -type f -printf '%p %s %T@\n' | sort; }
before=$(checkout_state)

rm -rf "$TREE"
# The rock's dependencies (dkjson) are Debian's here (scripts/deps.sh), not
# rocks in a tree: the check installs the rock alone, offline.
luarocks --lua-version 5.4 --tree "$TREE" make --deps-mode=none "$RELEASE" >build/rockspec-check.log 2>&1 ||
    { cat build/rockspec-check.log >&2; exit 1; }

after=$(checkout_state)
[ "$before" = "$after" ] || {
    echo "$before" >build/rockspec-before.txt
    echo "$after" >build/rockspec-after.txt
    diff -u build/rockspec-before.txt build/rockspec-after.txt >&2
    fail "luarocks make left files in the checkout"
}
[ ! -d seccomp ] && ! ls src/*.o >/dev/null 2>&1 || fail "luarocks make left src/*.o or ./seccomp"

rock=$TREE/lib/luarocks/rocks-5.4/lua-seccomp/$(sed -n 's/^version = "\(.*\)"$/\1/p' "$RELEASE")
for f in README.md LICENSE CHANGELOG.md API.md; do
    [ -f "$rock/doc/$f" ] || fail "the rock's documentation lacks $f"
done
for f in man/*.1; do
    [ -f "$f" ] || continue
    [ -f "$rock/man/man1/$(basename "$f")" ] || fail "the rock lacks the man page $f"
done

env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 lua5.4 -e "
  package.path = '$TREE/share/lua/5.4/?.lua;$TREE/share/lua/5.4/?/init.lua'
  package.cpath = '$TREE/lib/lua/5.4/?.so'
  local seccomp = require 'seccomp'
  assert(package.searchpath('seccomp.core', package.cpath):find('$TREE', 1, true))
  local f = seccomp.filter('kill')
  f:allow('write', seccomp.arg(0):eq(1))
  assert(f:pfc():find('write', 1, true))
  print('rockspec-check: luarocks make $RELEASE into $TREE works, leaves the checkout as it was; ' ..
        'require \"seccomp\" ' .. seccomp.version() .. ' from it works')
"
[ ! -f bin/lua-seccomp ] || [ -x "$TREE/bin/lua-seccomp" ] || fail "lua-seccomp was not installed into $TREE/bin"

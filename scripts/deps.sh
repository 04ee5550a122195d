#!/bin/sh
# Installs the Debian packages the build and tests need, when they are
# missing. As root it runs apt-get; otherwise it prints the command to run.
set -e
# lua-dkjson: the JSON of seccomp.oci (OCI and Docker seccomp profiles),
# pure Lua, one package for every Lua version below.
PACKAGES="gcc libc6-dev make pkg-config libseccomp-dev lua5.4 liblua5.4-dev lua-dkjson lua-busted lua-check luarocks lua-socket lua-ldoc valgrind"
# The other Lua versions the core and the modules are built and tested
# for (make test-versions); lua-busted runs on each.
PACKAGES="$PACKAGES lua5.1 liblua5.1-0-dev lua5.2 liblua5.2-dev lua5.3 liblua5.3-dev luajit libluajit-5.1-dev"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
    echo "missing Debian packages:$missing" >&2
    echo "run as root: apt-get update && apt-get install -y$missing" >&2
    exit 1
fi

#!/bin/sh
# `make docs`: the LDoc reference from the doc comments (config.ld) into
# the directory given; fails if LDoc warns about anything.
set -e
out=${1:-build/docs}
mkdir -p "$out"
ldoc -c config.ld -d "$out" --testing . >"$out/ldoc.log" 2>&1 || { cat "$out/ldoc.log" >&2; exit 1; }
if grep -v -E '^(output written to |reading configuration from )' "$out/ldoc.log" | grep -q .; then
    grep -v -E '^(output written to |reading configuration from )' "$out/ldoc.log" >&2
    echo "make docs: LDoc warned (above); fix the doc comments" >&2
    exit 1
fi
echo "make docs: $out/index.html"

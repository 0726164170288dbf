#!/bin/sh
# The README's first command, on a fresh clone, minus the package install:
# it must build the program and write preview/digest.eml from the bundled
# example, and say where it wrote it.
set -eu
src=${AD_SOURCE_DIR:?}
# A missing oracle skips (77), or fails under AD_REQUIRE_ORACLES (.ci/run).
missing() {
    case "${AD_REQUIRE_ORACLES:-0}" in
    0 | "") echo "skip: missing oracle: $1"; exit 77 ;;
    *) echo "FAIL: missing oracle: $1 (AD_REQUIRE_ORACLES is set)"; exit 1 ;;
    esac
}
command -v git >/dev/null || missing "git (Debian package git)"
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
    missing "$src is not a git checkout"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$src" "$tmp/arctic-digest"
cd "$tmp/arctic-digest"

line=$(grep -m1 'build/arctic-digest preview' README.md)
[ -n "$line" ] || { echo "FAIL: README has no preview command"; exit 1; }
cmd=$(printf '%s\n' "$line" | sed -e 's/^ *//' -e 's/^scripts\/install-deps && //')
echo "running: $cmd"
sh -c "$cmd" >out.log 2>&1 || { cat out.log; echo "FAIL: command failed"; exit 1; }

[ -s preview/digest.eml ] || { cat out.log; echo "FAIL: no preview/digest.eml"; exit 1; }
[ -s preview/digest.html ] && [ -s preview/digest.txt ] ||
    { echo "FAIL: digest.html or digest.txt missing"; exit 1; }
grep -q 'preview/digest.eml' out.log ||
    { cat out.log; echo "FAIL: the output does not say where the digest is"; exit 1; }
grep -q 'Sino-Russian Arctic Cooperation' preview/digest.txt ||
    { echo "FAIL: the real article is not in the digest"; exit 1; }
echo "ok: README quick start wrote preview/digest.eml"

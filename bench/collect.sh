#!/bin/sh
# collect over 50 sources that each answer after 200 ms (the issue's figure:
# under 2 seconds).  25 local HTTP servers (different ports count as
# different hosts for the per-host limit) serve two feeds each with a 200 ms
# delay; collect runs with the default limits (8 in all, 2 per host).
# Prints the wall-clock time of collect.  Not a test.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${AD_BIN:-$here/build/arctic-digest}
tmp=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

mkdir -p "$tmp/www"
cp "$here/examples/feeds/"* "$tmp/www/"
conf="$tmp/arctic-digest.conf"
printf '[digest]\nclock = 2025-07-28T07:00:00Z\n' > "$conf"
n=0
for s in $(seq 1 25); do
    /usr/bin/python3 "$here/tests/servers/http_server.py" --root "$tmp/www" \
        --delay-ms 200 > "$tmp/port.$s" &
    pids="$pids $!"
done
for s in $(seq 1 25); do
    while [ ! -s "$tmp/port.$s" ]; do sleep 0.05; done
    port=$(head -n1 "$tmp/port.$s")
    for f in polar-journal.rdf arctic-security-observer.xml; do
        n=$((n + 1))
        printf '[source s%d]\nurl = http://127.0.0.1:%s/%s\n' "$n" "$port" "$f" >> "$conf"
    done
done
start=$(date +%s.%N)
"$bin" -q -c "$conf" collect
end=$(date +%s.%N)
echo "collect: $n sources answering after 200 ms: $(echo "$end - $start" | bc) s (target: under 2 s)"

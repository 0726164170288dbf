#!/bin/sh
# Benchmark: the subscriber list commands on lists of N lines, as users run
# them: `subscribers check`, `list --format json`, `export` and `add` of
# one address, each timed (wall) with its peak RSS (`/usr/bin/time`).  The
# list is N active subscribers with a name, a date and a format, as
# bench/send.sh writes it.  Not a test: nothing fails on time.
#
# usage: bench/subscribers.sh [COUNTS]      # 10000,100000,1000000
# env: BUILD (default build-bench, configured here in Release mode),
#      KEEP=1 keeps the work folder
# needs: time (GNU), python3
set -eu

counts=${1:-10000,100000,1000000}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-bench}
. "$src/bench/lib.sh"

need subscribers.sh time /usr/bin/time
build_release "$src" "$build" arctic-digest
ad=$build/arctic-digest

work=$(mktemp -d /tmp/ad-bench-subs.XXXXXX)
cleanup() {
    [ "${KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

printf '[paths]\nsubscribers = subscribers.csv\nstate = state.db\n' \
    >"$work/a.conf"

printf '| lines | command | wall | peak RSS |\n'
printf '| --- | --- | --- | --- |\n'
for n in $(echo "$counts" | tr ',' ' '); do
    /usr/bin/python3 - "$n" "$work/subscribers.csv" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("email,name,status,tags,subscribed_at,unsubscribed_at,format\n")
    for i in range(n):
        f.write("reader%d@example.org,Reader %d,active,,"
                "2025-01-06T09:00:00Z,,html\n" % (i, i))
EOF
    for cmd in "check" "list --format json" "export" \
        "add new@example.org"; do
        # shellcheck disable=SC2086 # the command's words
        (cd "$work" && /usr/bin/time -f '%e %M' -o "$work/time" \
            "$ad" -q -c a.conf subscribers $cmd >/dev/null)
        read -r wall kib <"$work/time"
        printf '| %s | `subscribers %s` | %s s | %s MiB |\n' "$n" "$cmd" \
            "$wall" "$(/usr/bin/python3 -c "print('%.0f' % ($kib / 1024))")"
    done
done

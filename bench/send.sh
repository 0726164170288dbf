#!/bin/sh
# Benchmark: the real `arctic-digest send` of the bundled example's issue
# to N subscribers over CONNECTIONS sessions into Postfix's smtp-sink, next
# to Postfix's smtp-source sending the same message bytes (the preview of
# that issue) with the same count and sessions into the same sink, in the
# same run.  Prints messages/s for both, the ratio (target: at least 80%)
# and the peak RSS of `send`.  Not a test: nothing fails on time.
#
# usage: bench/send.sh [COUNTS [CONNECTIONS]]
#   defaults: 10000,100000 subscribers, 4 connections
# env: BUILD (default build-bench, configured here in Release mode),
#      KEEP=1 keeps the work folder
# needs: postfix (smtp-sink, smtp-source), time (GNU), python3
set -eu

counts=${1:-10000,100000}
conns=${2:-4}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-bench}
. "$src/bench/lib.sh"

need send.sh "postfix time" /usr/sbin/smtp-sink /usr/sbin/smtp-source \
    /usr/bin/time
build_release "$src" "$build" arctic-digest
ad=$build/arctic-digest

work=$(mktemp -d /tmp/ad-bench-send.XXXXXX)
sink=
cleanup() {
    [ -n "$sink" ] && kill "$sink" 2>/dev/null || true
    [ "${KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(freeport)
/usr/sbin/smtp-sink -u "$(sink_user)" -m 1024 "127.0.0.1:$port" 1024 &
sink=$!
sleep 0.5

# The bundled example, sending to the sink instead of writing an outbox.
cp -r "$src/examples/feeds" "$work/feeds"
sed -e "s|^\[smtp\]|[smtp]\nurl = smtp://127.0.0.1:$port|" \
    -e 's|^tls = required|tls = none|' \
    -e "s|^connections = 1|connections = $conns|" \
    -e 's|^subscribers = .*|subscribers = subscribers.csv|' \
    "$src/examples/arctic-digest.conf" >"$work/arctic-digest.conf"


printf '| subscribers | send | smtp-source, same bytes | ratio | send peak RSS |\n'
printf '| --- | --- | --- | --- | --- |\n'
for n in $(echo "$counts" | tr ',' ' '); do
    dir=$work/n$n
    mkdir -p "$dir"
    cp "$work/arctic-digest.conf" "$dir/"
    ln -s ../feeds "$dir/feeds"
    /usr/bin/python3 - "$n" "$dir/subscribers.csv" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("email,name,status,tags,subscribed_at,unsubscribed_at,format\n")
    for i in range(n):
        f.write("reader%d@example.org,Reader %d,active,,"
                "2025-01-06T09:00:00Z,,html\n" % (i, i))
EOF
    (cd "$dir" && "$ad" -q collect >/dev/null &&
        "$ad" -q preview --offline --to reader0@example.org -o pv >/dev/null)
    # smtp-source appends CRLF to each line it reads.
    tr -d '\r' <"$dir/pv/digest.eml" >"$dir/digest.lf"

    t0=$(now)
    (cd "$dir" && /usr/bin/time -f '%M' -o "$dir/rss" "$ad" -q send)
    t1=$(now)
    /usr/sbin/smtp-source -s "$conns" -m "$n" -d -F "$dir/digest.lf" \
        -f digest@example.org -t reader@example.org "127.0.0.1:$port"
    t2=$(now)
    ours=$(rate "$n" "$t0" "$t1")
    theirs=$(rate "$n" "$t1" "$t2")
    printf '| %s | %s msg/s | %s msg/s | %s | %s MiB |\n' "$n" "$ours" \
        "$theirs" "$(/usr/bin/python3 -c "print('%.2f' % ($ours / $theirs))")" \
        "$(/usr/bin/python3 -c "print('%.0f' % ($(cat "$dir/rss") / 1024))")"
    rm -rf "$dir"
done

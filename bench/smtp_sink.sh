#!/bin/sh
# Benchmark: arctic-digest's smtp module against Postfix's smtp-source,
# both sending into Postfix's smtp-sink on loopback with the same message
# size, count and number of connections.  Prints messages/s for both, the
# ratio (target: at least 70%) and the driver's peak RSS.  Not a test.
#
# usage: bench/smtp_sink.sh [COUNT [SIZE [CONNECTIONS [ROUNDS]]]]
#   defaults: 10000 messages, 30000 bytes, 4 connections, 3 rounds
# env: BUILD (default build-bench, configured here in Release mode)
# needs: postfix (smtp-sink, smtp-source), /usr/bin/time, python3
set -eu

count=${1:-10000}
size=${2:-30000}
conns=${3:-4}
rounds=${4:-3}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-bench}
. "$src/bench/lib.sh"

need smtp_sink.sh "postfix time" /usr/sbin/smtp-sink /usr/sbin/smtp-source \
    /usr/bin/time
build_release "$src" "$build" smtp_bench
driver=$build/bench/smtp_bench

port=$(freeport)
/usr/sbin/smtp-sink -u "$(sink_user)" -m 1024 "127.0.0.1:$port" 1024 &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT INT TERM
sleep 0.5


# Rounds alternate so that load from elsewhere hits both alike; the best
# round of each counts.
best_ours=0
best_src=0
rss=0
tmp=$(mktemp)
i=0
while [ "$i" -lt "$rounds" ]; do
    i=$((i + 1))
    /usr/bin/time -v -o "$tmp" "$driver" "smtp://127.0.0.1:$port" "$count" \
        "$size" "$conns" >"$tmp.out"
    ours=$(sed -n 's/.*: \([0-9]*\) msg\/s.*/\1/p' "$tmp.out")
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp")
    t0=$(now)
    /usr/sbin/smtp-source -d -l "$size" -m "$count" -s "$conns" \
        -f bounces@example.org -t reader@example.org "127.0.0.1:$port"
    t1=$(now)
    theirs=$(rate "$count" "$t0" "$t1")
    echo "round $i: smtp_run $ours msg/s, smtp-source $theirs msg/s," \
        "driver peak RSS $kb KiB"
    [ "$ours" -gt "$best_ours" ] && best_ours=$ours
    [ "$theirs" -gt "$best_src" ] && best_src=$theirs
    [ "$kb" -gt "$rss" ] && rss=$kb
done
rm -f "$tmp" "$tmp.out"
echo "messages: $count of $size bytes over $conns connections (best of $rounds)"
echo "smtp_run:    $best_ours msg/s"
echo "smtp-source: $best_src msg/s"
/usr/bin/python3 -c "print('ratio:       %.0f%% (target >= 70%%)' % (100.0 * $best_ours / $best_src))"
echo "driver peak RSS: $rss KiB"

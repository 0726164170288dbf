#!/bin/sh
# Benchmark: a whole `arctic-digest run` (fetch FEEDS feeds of ITEMS items
# each over local HTTP, parse, store, build one digest, hand it to an SMTP
# server) beside rss2email's digest mode doing the same with the same
# feeds into the same server, in the same run.  Prints wall time and peak
# RSS of both and the ratio.  Not a test: nothing fails on time.
#
# usage: bench/run.sh [FEEDS [ITEMS [ROUNDS]]]     # 20 50 3
# env: BUILD (default build-bench, configured here in Release mode);
#      BEFORE: another arctic-digest binary (say, of the commit before a
#      change), timed in the same rounds on the same feeds and sink
# needs: rss2email, postfix (smtp-sink), time (GNU), curl, python3
set -eu

feeds=${1:-20}
items=${2:-50}
rounds=${3:-3}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-bench}
. "$src/bench/lib.sh"

need run.sh "rss2email postfix time curl" /usr/bin/r2e /usr/sbin/smtp-sink \
    /usr/bin/time /usr/bin/curl
build_release "$src" "$build" arctic-digest
ad=$build/arctic-digest

work=$(mktemp -d /tmp/ad-bench-run.XXXXXX)
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    [ "${KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The feeds: RSS 2.0 with authors and an abstract of about 150 words per
# item, dated inside the example's week.
mkdir -p "$work/www"
/usr/bin/python3 - "$work/www" "$feeds" "$items" <<'EOF'
import random, sys
out, nf, ni = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
words = ("Arctic security governance Svalbard NATO Russia Greenland climate "
         "sea ice shipping route Barents fisheries sovereignty Council "
         "indigenous Sámi Inuit defence cooperation China polar").split()
names = ["Anna Hansen", "Olav Nielsen", "Jón Sigurðsson", "Aputsiaq Kleist",
         "Sigrid Nordström", "Maija Niemi"]
for f in range(nf):
    parts = []
    for i in range(ni):
        title = " ".join(random.choice(words) for _ in range(9))
        abstract = " ".join(random.choice(words) for _ in range(150))
        parts.append(
            "<item><title>%s (%d.%d)</title>"
            "<link>https://journal%d.example.org/a/%d</link>"
            "<guid>https://journal%d.example.org/a/%d</guid>"
            "<pubDate>Thu, 24 Jul 2025 10:%02d:00 GMT</pubDate>"
            "<dc:creator>%s</dc:creator><description>%s</description></item>"
            % (title, f, i, f, i, f, i, i % 60, random.choice(names),
               abstract))
    with open("%s/feed%d.xml" % (out, f), "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<rss version="2.0" '
                 'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                 "<title>Journal %d</title>"
                 "<link>https://journal%d.example.org/</link>"
                 "<description>Articles</description>%s</channel></rss>\n"
                 % (f, f, "".join(parts)))
EOF
http=$(freeport)
(cd "$work/www" && exec /usr/bin/python3 -m http.server -b 127.0.0.1 "$http" \
    >/dev/null 2>&1) &
pids="$pids $!"
smtp=$(freeport)
/usr/sbin/smtp-sink -u "$(sink_user)" "127.0.0.1:$smtp" 256 &
pids="$pids $!"
sleep 0.5

setup_ad() {
    d=$1
    mkdir -p "$d"
    {
        printf '[digest]\ntitle = Arctic Digest\n'
        printf 'from = Arctic Digest <digest@example.org>\n'
        printf 'clock = 2025-07-28T07:00:00Z\nmax_articles = %s\n' \
            $((feeds * items))
        printf '[smtp]\nurl = smtp://127.0.0.1:%s\ntls = none\n' "$smtp"
        printf '[paths]\nsubscribers = subscribers.csv\n'
        i=0
        while [ $i -lt "$feeds" ]; do
            printf '[source j%s]\nurl = http://127.0.0.1:%s/feed%s.xml\n' \
                $i "$http" $i
            printf 'relevance = all\n'
            i=$((i + 1))
        done
    } >"$d/arctic-digest.conf"
    printf 'email,name,status\nreader@example.org,Reader,active\n' \
        >"$d/subscribers.csv"
}

setup_r2e() {
    d=$1
    mkdir -p "$d"
    r2e -c "$d/r2e.cfg" -d "$d/r2e.json" new reader@example.org \
        >/dev/null 2>&1
    i=0
    while [ $i -lt "$feeds" ]; do
        r2e -c "$d/r2e.cfg" -d "$d/r2e.json" add "j$i" \
            "http://127.0.0.1:$http/feed$i.xml" >/dev/null 2>&1
        i=$((i + 1))
    done
    /usr/bin/python3 - "$d/r2e.cfg" "$smtp" <<'EOF'
import configparser, sys
c = configparser.ConfigParser(interpolation=None)
c.read(sys.argv[1])
c["DEFAULT"].update({"from": "digest@example.org",
                     "email-protocol": "smtp",
                     "smtp-server": "127.0.0.1:" + sys.argv[2],
                     "smtp-auth": "False", "smtp-ssl": "False",
                     "digest": "True"})
with open(sys.argv[1], "w") as f:
    c.write(f)
EOF
}

best_ad=0 best_r2e=0 rss_ad=0 rss_r2e=0 best_before=0 rss_before=0
r=0
while [ $r -lt "$rounds" ]; do
    setup_ad "$work/ad$r"
    setup_r2e "$work/r2e$r"
    if [ -n "${BEFORE:-}" ]; then
        setup_ad "$work/before$r"
        t0=$(now)
        (cd "$work/before$r" && /usr/bin/time -f '%M' -o rss "$BEFORE" -q run)
        t1=$(now)
        best_before=$(/usr/bin/python3 -c "b=$best_before; t=$t1-$t0; print(t if b == 0 or t < b else b)")
        rss_before=$(cat "$work/before$r/rss")
    fi
    t0=$(now)
    (cd "$work/ad$r" && /usr/bin/time -f '%M' -o rss "$ad" -q run)
    t1=$(now)
    /usr/bin/time -f '%M' -o "$work/r2e$r/rss" \
        r2e -c "$work/r2e$r/r2e.cfg" -d "$work/r2e$r/r2e.json" run \
        2>"$work/r2e$r/log"
    t2=$(now)
    best_ad=$(/usr/bin/python3 -c "b=$best_ad; t=$t1-$t0; print(t if b == 0 or t < b else b)")
    best_r2e=$(/usr/bin/python3 -c "b=$best_r2e; t=$t2-$t1; print(t if b == 0 or t < b else b)")
    rss_ad=$(cat "$work/ad$r/rss")
    rss_r2e=$(cat "$work/r2e$r/rss")
    r=$((r + 1))
done

# The floor under any run on this machine and server: starting a process
# linked as ours is, and fetching the same feeds from the same server with
# curl (8 at a time, as collect does by default).  The best of ROUNDS each.
best_start=0 best_fetch=0
urls=
i=0
while [ $i -lt "$feeds" ]; do
    urls="$urls http://127.0.0.1:$http/feed$i.xml -o /dev/null"
    i=$((i + 1))
done
r=0
while [ $r -lt "$rounds" ]; do
    t0=$(now)
    "$ad" --version >/dev/null
    t1=$(now)
    # shellcheck disable=SC2086 # one word per URL and option
    curl -s --parallel --parallel-max 8 $urls
    t2=$(now)
    best_start=$(/usr/bin/python3 -c "b=$best_start; t=$t1-$t0; print(t if b == 0 or t < b else b)")
    best_fetch=$(/usr/bin/python3 -c "b=$best_fetch; t=$t2-$t1; print(t if b == 0 or t < b else b)")
    r=$((r + 1))
done

printf '| %s feeds x %s items | arctic-digest run | rss2email (digest) | ratio |\n' \
    "$feeds" "$items"
printf '| --- | --- | --- | --- |\n'
/usr/bin/python3 -c "print('| wall (best of $rounds) | %.2f s | %.2f s | %.1fx |' % ($best_ad, $best_r2e, $best_r2e / $best_ad))"
/usr/bin/python3 -c "print('| peak RSS (last round) | %.1f MiB | %.1f MiB | |' % ($rss_ad / 1024, $rss_r2e / 1024))"
if [ -n "${BEFORE:-}" ]; then
    /usr/bin/python3 -c "print('| BEFORE: wall (best of $rounds) | %.2f s | | %.1fx |' % ($best_before, $best_r2e / $best_before))"
    /usr/bin/python3 -c "print('| BEFORE: peak RSS (last round) | %.1f MiB | | |' % ($rss_before / 1024))"
fi
/usr/bin/python3 -c "print('| floor: \`arctic-digest --version\` | %.3f s | | |' % $best_start)"
/usr/bin/python3 -c "print('| floor: curl fetching the feeds | %.3f s | | |' % $best_fetch)"
/usr/bin/python3 -c "print('| rss2email / the two floors | | | %.1fx |' % ($best_r2e / ($best_start + $best_fetch)))"

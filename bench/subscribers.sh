#!/bin/sh
# Benchmark: the subscriber list commands on lists of N lines, as users run
# them: `subscribers check`, `list --format json`, `export` and `add` of
# one address, each timed (wall) with its peak RSS (`/usr/bin/time`).  The
# list is N active subscribers with a name, a date and a format, as
# bench/send.sh writes it.  Then `import` of a Mailchimp export of N rows
# (half of them addresses on the list in capitals, with a tag, half new;
# one in fifty a bad address, one in fifty a new address again) into a
# copy of that list, and into no list.  Not a test: nothing fails on
# time.
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
printf '[paths]\nsubscribers = imported.csv\nstate = state.db\n' \
    >"$work/b.conf"

# run LINES CONF NOTE ARGS...: one command, timed, as a table row (its
# messages, such as the bad addresses of an import, in $work/stderr).
run() {
    n=$1 conf=$2 note=$3
    shift 3
    (cd "$work" && /usr/bin/time -f '%e %M' -o "$work/time" \
        "$ad" -q -c "$conf" subscribers "$@" >/dev/null 2>"$work/stderr") ||
        {
            cat "$work/stderr" >&2
            exit 1
        }
    read -r wall kib <"$work/time"
    printf '| %s | `subscribers %s`%s | %s s | %s MiB |\n' "$n" "$*" \
        "$note" "$wall" \
        "$(/usr/bin/python3 -c "print('%.0f' % ($kib / 1024))")"
}

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
    /usr/bin/python3 - "$n" "$work/export.csv" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("Email Address,First Name,Last Name,OPTIN_TIME,MEMBER_RATING,"
            "TAGS\n")
    for i in range(n):
        if i % 50 == 7:
            addr = "bad%d@@example.org" % i
        elif i % 50 == 11:
            addr = "NEW%d@example.org" % (i - 2)
        elif i % 2 == 0:
            addr = "READER%d@EXAMPLE.ORG" % i
        else:
            addr = "new%d@example.org" % i
        f.write('%s,First,"Last, %d",2024-01-15 10:22:31,3,"""Arctic"""\n'
                % (addr, i))
EOF
    cp "$work/subscribers.csv" "$work/imported.csv"
    for cmd in "check" "list --format json" "export" \
        "add new@example.org"; do
        # shellcheck disable=SC2086 # the command's words
        run "$n" a.conf "" $cmd
    done
    run "$n" b.conf " into the list" import export.csv
    rm -f "$work/imported.csv"
    run "$n" b.conf " into no list" import export.csv
done

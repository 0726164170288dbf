# Shared by the bench/*.sh scripts (sourced, not run).

# need SCRIPT PACKAGES TOOL...: stop unless every TOOL is executable.
need() {
    script=$1 packages=$2
    shift 2
    for tool in "$@"; do
        if [ ! -x "$tool" ]; then
            echo "$script: $tool is missing (apt-get install $packages)" >&2
            exit 1
        fi
    done
}

# build_release SRC BUILD TARGET: a Release build of TARGET, quietly.
build_release() {
    cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        >/dev/null
    cmake --build "$2" --target "$3" -j2 >/dev/null
}

# A free loopback TCP port.
freeport() {
    /usr/bin/python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The user smtp-sink runs as.
sink_user() {
    if [ "$(id -u)" = 0 ]; then echo nobody; else id -un; fi
}

# The time now, in seconds.  date(1), not Python: a Python start (30 ms)
# would fall inside the interval that two calls of now() measure.
now() { date +%s.%N; }

# rate COUNT T0 T1: COUNT per second between the two times.
rate() { /usr/bin/python3 -c "print('%.0f' % ($1 / ($3 - $2)))"; }

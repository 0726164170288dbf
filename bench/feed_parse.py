#!/usr/bin/python3
"""Feed parsing speed: arctic-digest against Python's feedparser.

For each size in --file-mb (default "0.2,2": feeds of a typical size, about
200 KB, and large ones of 2 MB), builds a corpus of at least --mb megabytes
(default 50) in a temporary folder: the bundled example feeds (RSS 1.0,
RSS 2.0, Atom) with their items repeated until each file has about that
size, plus every file of feedparser's wellformed/ corpus when
$AD_CONFORMANCE_DIR (or ../shared/conformance) has it.  Then, in the same
run and on the same files, it times

  ours:       feed_parse() on every file, in one process
              (bench/feed_bench.c, compiled here against the build's
              libad_core.a), every file read into memory first
  feedparser: feedparser.parse(bytes) on every file, in this process
              (Debian's python3-feedparser), every file read first

and prints both in MB/s and the ratio (the issue's target: 50x).  With
--cli it also times `arctic-digest parse FILE` once per file (process
start-up, JSON and citations included), for what a user sees.  Not a
test: see bench/README.md.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)


def repeat_items(text, want_bytes):
    """text with its items (or entries) repeated to about want_bytes."""
    m = list(re.finditer(r"(?s)<(item|entry)\b.*?</\1>", text))
    if not m:
        return text
    start, end = m[0].start(), m[-1].end()
    block = text[start:end]
    copies = max(1, int((want_bytes - len(text)) / max(1, len(block))) + 1)
    parts = []
    for i in range(copies):
        # distinct guids/links, so nothing could be folded
        parts.append(re.sub(r"(</(?:guid|id|link)>)", "-%d\\1" % i, block)
                     if i else block)
    return text[:start] + "\n".join(parts) + text[end:]


def build_corpus(dest, total_mb, file_mb, conf):
    examples = sorted(glob.glob(os.path.join(SRC, "examples", "feeds", "*")))
    files, total, n = [], 0, 0
    small = []
    wellformed = os.path.join(conf, "feedparser", "tests", "wellformed")
    if os.path.isdir(wellformed):
        for path in sorted(glob.glob(os.path.join(wellformed, "*", "*.xml"))):
            small.append(path)
    for path in small:
        out = os.path.join(dest, "wf-%05d.xml" % len(files))
        shutil.copyfile(path, out)
        files.append(out)
        total += os.path.getsize(out)
    big = [repeat_items(open(p, encoding="utf-8").read(), int(file_mb * 2**20))
           for p in examples]
    while total < total_mb * 2**20:
        text = big[n % len(big)]
        ext = os.path.splitext(examples[n % len(examples)])[1]
        out = os.path.join(dest, "big-%04d%s" % (n, ext))
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        files.append(out)
        total += os.path.getsize(out)
        n += 1
    return files, total


def time_ours(binary, files):
    t0 = time.perf_counter()
    failed = 0
    for path in files:
        p = subprocess.run([binary, "parse", path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        failed += p.returncode != 0
    return time.perf_counter() - t0, failed


def build_driver(build, dest):
    """Compile bench/feed_bench.c against build/libad_core.a."""
    lib = os.path.join(build, "libad_core.a")
    if not os.path.exists(lib):
        sys.exit("no %s: configure and build first (see bench/README.md)" % lib)
    libs = subprocess.run(["pkg-config", "--libs", "libxml-2.0", "jansson"],
                          capture_output=True, text=True, check=True).stdout.split()
    out = os.path.join(dest, "feed_bench")
    subprocess.run(["cc", "-O2", "-std=c11", "-I", os.path.join(SRC, "include"),
                    os.path.join(HERE, "feed_bench.c"), lib] + libs + ["-lm", "-o", out],
                   check=True)
    return out


def time_driver(driver, files):
    out = subprocess.run([driver] + files, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), int(out[3]), int(out[4])


FEEDPARSER_TIMER = r"""
import sys, time, feedparser
data = [open(p, "rb").read() for p in open(sys.argv[1]).read().split("\n") if p]
t0 = time.perf_counter()
entries = errors = 0
for d in data:
    try:
        entries += len(feedparser.parse(d).entries)
    except Exception:  # feedparser 6.0.10 asserts on some HTML
        errors += 1
print(time.perf_counter() - t0, entries, errors, feedparser.__version__)
"""


def time_feedparser(files, tmp):
    """feedparser.parse() on every file, in a fresh interpreter (so that
    one corpus's garbage does not slow the next)."""
    listing = os.path.join(tmp, "files.txt")
    with open(listing, "w") as f:
        f.write("\n".join(files))
    out = subprocess.run([sys.executable, "-c", FEEDPARSER_TIMER, listing],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]), out[3]


def run_size(args, tmp, file_mb):
    """Build one corpus and time both parsers on it."""
    dest = os.path.join(tmp, "corpus-%g" % file_mb)
    os.mkdir(dest)
    files, total = build_corpus(dest, args.mb, file_mb, args.conformance)
    mb = total / 2**20
    print("corpus of %g MB feeds: %d files, %.1f MB" % (file_mb, len(files), mb))
    driver = build_driver(args.build, tmp)
    ours, articles, refused = time_driver(driver, files)
    print("  feed_parse (in process):   %7.2f s %8.1f MB/s  %7d articles, %d files refused"
          % (ours, mb / ours, articles, refused))
    if args.cli:
        cli, failed = time_ours(args.bin, files)
        print("  arctic-digest parse FILE:  %7.2f s %8.1f MB/s  (a process per file; %d refused)"
              % (cli, mb / cli, failed))
    theirs, entries, errors, version = time_feedparser(files, tmp)
    print("  feedparser %-7s (in process): %7.2f s %8.1f MB/s  %7d entries, %d exceptions"
          % (version, theirs, mb / theirs, entries, errors))
    print("  ratio feedparser / feed_parse: %.1fx (target 50x)" % (theirs / ours))
    if args.cli:
        print("  ratio feedparser / arctic-digest parse: %.1fx" % (theirs / cli))
    shutil.rmtree(dest)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.environ.get(
        "AD_BIN", os.path.join(SRC, "build-release", "arctic-digest")))
    ap.add_argument("--build", default=os.path.join(SRC, "build-release"),
                    help="CMake build folder holding libad_core.a")
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size (MB)")
    ap.add_argument("--file-mb", default="0.2,2",
                    help="size of each generated feed (MB); a comma-separated "
                         "list runs one corpus per size")
    ap.add_argument("--cli", action="store_true",
                    help="also time `arctic-digest parse` once per file")
    ap.add_argument("--conformance", default=os.environ.get(
        "AD_CONFORMANCE_DIR", os.path.join(SRC, "..", "shared", "conformance")))
    args = ap.parse_args()
    if args.cli and not os.access(args.bin, os.X_OK):
        sys.exit("no arctic-digest binary at %s (build first, or --bin)" % args.bin)
    try:
        import feedparser  # noqa: F401
    except ImportError:
        sys.exit("python3-feedparser is missing (scripts/install-deps --test)")
    sizes = [float(x) for x in args.file_mb.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="ad-bench-") as tmp:
        for file_mb in sizes:
            run_size(args, tmp, file_mb)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The man pages (issue 17): `mandoc -T lint` has nothing to say about
docs/arctic-digest.1 and docs/arctic-digest.conf.5, and arctic-digest.conf(5)
describes every section and key that src/config.c reads and that
examples/arctic-digest.conf shows, each with its type, default and an
example.  Exits 77 (skip) when mandoc is not installed."""
import os
import re
import shutil
import subprocess
import sys
import unittest
import oracle  # noqa: E402

SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
PAGES = ("arctic-digest.1", "arctic-digest.conf.5")


def read(*path):
    with open(os.path.join(SRC, *path), encoding="utf-8") as f:
        return f.read()


def config_c_keys():
    """{(section, key)} from config.c's table and its source/topic keys."""
    text = read("src", "config.c")
    keys = set(re.findall(r'\b(?:STR|ENUM|INT|BOOL|NUM|LIST|PATH)\("(\w+)", '
                          r'"(\w+)"', text))
    for k in re.findall(r'strcmp\(key, "(\w+)"\)', text):
        keys.add(("topic NAME" if k == "include" else "source NAME", k))
    return keys


def example_keys():
    """{(section, key)} of examples/arctic-digest.conf, commented-out keys
    included; named sections as 'source NAME' / 'topic NAME'."""
    keys, section = set(), None
    for line in read("examples", "arctic-digest.conf").splitlines():
        m = re.match(r"^;?\s*\[(\w+)(?: [\w.-]+)?\]\s*$", line)
        if m:
            section = m.group(1) + (" NAME" if " " in line.strip("; []")
                                    else "")
            continue
        m = re.match(r"^;?\s?(\w+) = ", line)
        if m and section:
            keys.add((section, m.group(1)))
    return keys


class Lint(unittest.TestCase):
    def test_mandoc_lint_is_silent(self):
        for page in PAGES:
            with self.subTest(page=page):
                r = subprocess.run(["mandoc", "-T", "lint",
                                    os.path.join(SRC, "docs", page)],
                                   capture_output=True, text=True)
                self.assertEqual(r.stdout + r.stderr, "")
                self.assertEqual(r.returncode, 0)


class ConfPage(unittest.TestCase):
    def setUp(self):
        self.page = read("docs", "arctic-digest.conf.5")

    def entries(self):
        """{(section, key): text of its .TP entry}."""
        out = {}
        for sec in re.finditer(r"(?ms)^\.SH \[([\w ]+)\]\n(.*?)(?=^\.SH |\Z)",
                               self.page):
            for e in re.finditer(r"(?ms)^\.TP\n\.BR (\w+) \"([^\"]*)\"\n"
                                 r"(.*?)(?=^\.TP\n|\Z)", sec.group(2)):
                out[(sec.group(1), e.group(1))] = (e.group(2), e.group(3))
        return out

    def test_every_key_has_type_default_and_example(self):
        want = config_c_keys() | example_keys()
        self.assertGreater(len(want), 40)
        got = self.entries()
        self.assertEqual(sorted(want - set(got)), [], "keys not described")
        self.assertEqual(sorted(set(got) - want), [], "keys that do not exist")
        for key, (typ, text) in got.items():
            with self.subTest(key=key):
                self.assertRegex(typ, r"^ \(.+\)$")
                self.assertRegex(text, r"Default: \S")
                self.assertRegex(text, r'Example:\n\.BR "%s = [^"]+"'
                                 % re.escape(key[1]))

    def test_the_program_page_points_at_it(self):
        self.assertIn(".BR arctic-digest.conf (5)", read("docs",
                                                         "arctic-digest.1"))


if __name__ == "__main__":
    if not shutil.which("mandoc"):
        oracle.require("mandoc (scripts/install-deps --test)")
    oracle.main()

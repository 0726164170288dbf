#!/usr/bin/python3
"""Bash completion (issue 17): completion/arctic-digest.bash completes the
commands, subcommands and each one's options exactly as `help` lists them,
option values with choices, and subscriber addresses from the list of the
configuration given with -c.  Exits 77 (skip) without bash."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import oracle  # noqa: E402

SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
BIN = os.path.abspath(os.environ.get("AD_BIN", "build/arctic-digest"))
SCRIPT = os.path.join(SRC, "completion", "arctic-digest.bash")


def complete(*words):
    """COMPREPLY for the command line words (the last one being completed)."""
    prog = (". %s\nCOMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
            "_arctic_digest\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n" % SCRIPT)
    r = subprocess.run(["bash", "--norc", "-c", prog, "bash", BIN]
                       + list(words), capture_output=True, text=True,
                       timeout=60, cwd=SRC)
    assert r.returncode == 0, r.stderr
    return sorted(w for w in r.stdout.split("\n") if w)


def help_text(*words):
    return subprocess.run([BIN, "help"] + list(words), capture_output=True,
                          text=True, timeout=30).stdout


def listed(text, block):
    part = text.split("\n%s:\n" % block, 1)[1].split("\n\n", 1)[0]
    return part


def commands(*words):
    return sorted(re.findall(r"(?m)^  ([a-z][a-z-]*) ",
                             listed(help_text(*words), "Commands")))


def options(*words):
    out = []
    for l in listed(help_text(*words), "Options").splitlines():
        m = re.match(r"^ {2,6}(?:(-\w), )?(--[a-z][\w-]*)", l)
        if m:
            out += [o for o in m.groups() if o]
    return sorted(out)


class Completion(unittest.TestCase):
    def test_commands(self):
        got = complete("")
        self.assertIn("preview", got)
        self.assertEqual(got, commands())
        self.assertEqual(complete("pre"), ["preview"])

    def test_global_options(self):
        got = complete("-")
        for o in ("-c", "--config", "--now", "--version", "-q"):
            self.assertIn(o, got)

    def test_subcommands(self):
        got = complete("subscribers", "")
        self.assertIn("unsubscribe", got)
        self.assertEqual(got, commands("subscribers"))
        self.assertEqual(complete("help", "subscribers", "re"),
                         ["remove", "resubscribe"])
        self.assertEqual(complete("help", "sub"), ["subscribers"])

    def test_every_commands_options(self):
        for c in commands():
            if c == "subscribers":
                continue
            with self.subTest(cmd=c):
                self.assertEqual(complete("-q", c, "-"), options(c))
        for s in commands("subscribers"):
            with self.subTest(cmd="subscribers " + s):
                self.assertEqual(complete("subscribers", s, "-"),
                                 options("subscribers", s))

    def test_option_values(self):
        self.assertEqual(complete("subscribers", "list", "--format", ""),
                         ["csv", "json", "plain"])
        self.assertEqual(complete("subscribers", "export", "--status", ""),
                         ["active", "bounced", "pending", "unsubscribed"])
        self.assertEqual(complete("subscribers", "add", "--format", ""),
                         ["html", "text"])
        self.assertEqual(complete("preview", "-o", "tem"), ["templates"])

    def test_addresses_from_the_list(self):
        d = tempfile.mkdtemp(prefix="ad-compl-")
        self.addCleanup(shutil.rmtree, d, True)
        conf = os.path.join(d, "a.conf")
        with open(conf, "w") as f:
            f.write("[digest]\nfrom = a@example.org\n[paths]\n"
                    "subscribers = list.csv\n")
        with open(os.path.join(d, "list.csv"), "w") as f:
            f.write("email,name,status,tags,subscribed_at,unsubscribed_at\n"
                    "anna@example.org,Anna,active,,,\n"
                    "bo@example.net,Bo,unsubscribed,,,\n")
        self.assertEqual(complete("-c", conf, "subscribers", "remove", ""),
                         ["anna@example.org", "bo@example.net"])
        self.assertEqual(complete("-c", conf, "subscribers", "token", "b"),
                         ["bo@example.net"])
        self.assertEqual(complete("-c", conf, "preview", "--to", "a"),
                         ["anna@example.org"])


if __name__ == "__main__":
    if not shutil.which("bash"):
        oracle.require("bash")
    oracle.main()

#!/usr/bin/python3
"""help, --help, README.md and the man page agree (issue 17): the program's
command table is the one source (src/main.c), so the commands, each
command's and subcommand's options and the exit codes that `help` prints
are the ones README.md and docs/arctic-digest.1 list; every command and
subcommand answers --help with exit 0 and a line for each option."""
import os
import re
import subprocess
import unittest

SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
BIN = os.path.abspath(os.environ.get("AD_BIN", "build/arctic-digest"))
OPT = re.compile(r"(?<![\w\\-])(?:\\-|-){1,2}(?:\\-|[a-zA-Z])[\w\\-]*")


def ad(*args):
    # -c /nonexistent: help must not need a configuration
    r = subprocess.run([BIN, "-c", "/nonexistent/a.conf"] + list(args),
                       capture_output=True, text=True, timeout=30, cwd="/")
    return r


def read(*path):
    with open(os.path.join(SRC, *path), encoding="utf-8") as f:
        return f.read()


def options_in(text):
    """The option names in text (roff or plain), as '--long' or '-x'."""
    out = set()
    text = re.sub(r"\\f[BIRP]", " ", text)
    for m in OPT.finditer(text):
        o = m.group(0).replace("\\-", "-")
        if re.fullmatch(r"--[a-z][\w-]*|-[a-zA-Z]", o):
            out.add(o)
    return out


class Help:
    """What the program says: commands, subcommands, options, exit codes."""

    def __init__(self):
        r = ad("help")
        assert r.returncode == 0, r.stderr
        self.text = r.stdout
        block = self.text.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
        self.commands = re.findall(r"(?m)^  ([a-z][a-z-]*) ", block)
        ex = self.text.split("Exit status:", 1)[1]
        self.exit_codes = sorted(int(c) for c in re.findall(r"\b(\d+) [A-Za-z]",
                                                           ex))
        self.subcommands = {}
        self.options = {}  # "preview" or "subscribers add": {long: short}
        for c in self.commands:
            text = self.command_help(c)
            self.options[c] = self.parse_options(text)
            if "\nCommands:\n" in text:
                sub = text.split("\nCommands:\n", 1)[1]
                self.subcommands[c] = re.findall(r"(?m)^  ([a-z][a-z-]*) ",
                                                 sub)
                for s in self.subcommands[c]:
                    self.options[c + " " + s] = self.parse_options(
                        self.command_help(c, s))

    @staticmethod
    def command_help(*words):
        r = ad(*(list(words) + ["--help"]))
        assert r.returncode == 0, "%s --help: exit %d: %s" % (
            " ".join(words), r.returncode, r.stderr)
        r2 = ad("help", *words)
        assert r2.returncode == 0, r2.stderr
        assert r2.stdout == r.stdout, "help %s differs from --help" % words
        return r.stdout

    @staticmethod
    def parse_options(text):
        """{'--long': '-x' or None} from the Options: block, --help left
        out; each must have a description."""
        block = text.split("\nOptions:\n", 1)[1].split("\n\n", 1)[0]
        out = {}
        for line in block.splitlines():
            m = re.match(r"^  (?:(-\w), )?\s*(--[\w-]+)(?: \S+)?\s{2,}(\S.*)$",
                         line)
            if m:
                assert re.search(r"[a-z]{3,}", m.group(3)), line
                if m.group(2) != "--help":
                    out[m.group(2)] = m.group(1)
        return out

    def longs(self, name, found):
        """found (a set of '-x' and '--long') as long names for command
        name; a short option that name does not have stays as it is."""
        short = {s: l for l, s in self.options[name].items() if s}
        return {short.get(o, o) for o in found}


HELP = None


def setUpModule():
    global HELP
    HELP = Help()


class ManPage(unittest.TestCase):
    def setUp(self):
        self.man = read("docs", "arctic-digest.1")

    def section(self, name):
        m = re.search(r"(?ms)^\.SH %s\n(.*?)(?=^\.SH |\Z)" % re.escape(name),
                      self.man)
        self.assertTrue(m, "no .SH %s" % name)
        return m.group(1)

    def entries(self, text):
        """{name: (header line, [option item lines])}: a command is a .TP
        whose next line is '.B name ...' at the outer level."""
        out = {}
        lines = text.splitlines()
        depth, cur = 0, None
        for i, l in enumerate(lines):
            if l.startswith(".RS"):
                depth += 1
            elif l.startswith(".RE"):
                depth -= 1
            elif l == ".TP" and i + 1 < len(lines):
                nxt = lines[i + 1]
                if depth == 0:
                    m = re.match(r"^\.B ((?:subscribers )?[a-z][a-z-]*)", nxt)
                    if m:
                        cur = m.group(1)
                        out[cur] = (nxt, [])
                elif cur:
                    out[cur][1].append(nxt)
        return out

    def check_entries(self, section, names):
        """The man page's SECTION has an entry for each of names, and each
        entry names every option help lists, in its head and its items."""
        got = self.entries(self.section(section))
        self.assertEqual(sorted(got), sorted(names))
        for c in names:
            with self.subTest(cmd=c):
                head, items = got[c]
                want = set(HELP.options[c])
                self.assertEqual(HELP.longs(c, options_in(head)), want, head)
                self.assertEqual(HELP.longs(c, options_in(" ".join(items))),
                                 want, "option items of %s" % c)

    def test_every_command_and_its_options(self):
        self.check_entries("COMMANDS", HELP.commands)

    def test_every_subcommand_and_its_options(self):
        self.check_entries("SUBSCRIBER COMMANDS",
                           ["subscribers " + s
                            for s in HELP.subcommands["subscribers"]])

    def test_exit_codes(self):
        codes = re.findall(r"(?m)^\.B (\d+)$", self.section("EXIT STATUS"))
        self.assertEqual(sorted(int(c) for c in codes), HELP.exit_codes)

    def test_global_options(self):
        want = options_in(HELP.text.split("\nOptions:\n")[1]
                          .split("\n\n")[0])
        self.assertEqual(options_in(self.section("OPTIONS")), want)


class Readme(unittest.TestCase):
    def setUp(self):
        self.readme = read("README.md")

    def test_command_table(self):
        rows = re.findall(r"(?m)^\| `([a-z][^`]*)` \|", self.readme)
        table = {r.split()[0]: r for r in rows}
        self.assertEqual(sorted(table), sorted(HELP.commands))
        for c in HELP.commands:
            if c == "subscribers":
                continue  # its own block, below
            with self.subTest(cmd=c):
                got = HELP.longs(c, options_in(table[c].replace(r"\|", "|")))
                self.assertEqual(got, set(HELP.options[c]), table[c])

    def test_subscriber_commands(self):
        lines = re.findall(r"(?m)^    arctic-digest subscribers (\S+)(.*)$",
                           self.readme)
        got = {}
        for name, rest in lines:
            got.setdefault(name, set()).update(options_in(rest))
        self.assertEqual(sorted(got), sorted(HELP.subcommands["subscribers"]))
        for s, found in got.items():
            c = "subscribers " + s
            with self.subTest(cmd=c):
                self.assertEqual(HELP.longs(c, found), set(HELP.options[c]))

    def test_exit_codes(self):
        m = re.search(r"(?s)\nExit status follows `sysexits.h`: (.*?)\n\n",
                      self.readme)
        self.assertTrue(m, "README has no exit status paragraph")
        codes = re.findall(r"\b(\d+) [A-Za-z]", m.group(1))
        self.assertEqual(sorted(int(c) for c in codes), HELP.exit_codes)


class HelpItself(unittest.TestCase):
    def test_every_subcommand_answers_help_without_a_config(self):
        # Help built everything with -c /nonexistent: reaching here means
        # every --help exited 0; check each has its usage line.
        for c, subs in HELP.subcommands.items():
            for s in subs:
                r = ad(c, s, "--help")
                self.assertRegex(r.stdout, r"^usage: arctic-digest %s %s"
                                 % (c, s))

    def test_exit_codes_are_the_sysexits_ones(self):
        self.assertEqual(HELP.exit_codes,
                         [0, 64, 65, 66, 69, 70, 73, 74, 75, 76, 78])


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""The command layer stays thin (issue: one pipeline in the library):
no cmd_*.c refers to a function another cmd_*.c defines, no cmd_*.c is
over 250 lines, and no library source includes the command layer's
header.  Reads the sources; builds nothing."""
import glob
import os
import re
import sys
import unittest

SRC = os.environ.get("AD_SOURCE_DIR",
                     os.path.dirname(os.path.abspath(__file__)) + "/../..")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def without_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


class Layout(unittest.TestCase):
    def setUp(self):
        self.cmds = sorted(glob.glob(os.path.join(SRC, "src", "cmd_*.c")))
        self.assertGreater(len(self.cmds), 5)

    def test_no_command_calls_another(self):
        # Functions with external linkage each cmd_*.c defines.
        defined = {}
        for f in self.cmds:
            for m in re.finditer(r"^(?!static)[a-z].*\n([a-z_0-9]+)\(",
                                 read(f), re.M):
                defined[m.group(1)] = f
        self.assertIn("cmd_send", defined)
        for f in self.cmds:
            code = without_comments_and_strings(read(f))
            for name, where in defined.items():
                if where != f and re.search(r"\b%s\b" % name, code):
                    self.fail("%s refers to %s, defined in %s" % (
                        os.path.basename(f), name, os.path.basename(where)))

    def test_commands_are_small(self):
        for f in self.cmds:
            n = read(f).count("\n")
            self.assertLessEqual(n, 250, "%s has %d lines" % (f, n))

    def test_library_does_not_include_the_command_layer(self):
        cli = set(self.cmds) | {os.path.join(SRC, "src", n)
                                for n in ("main.c", "cli.c")}
        for f in glob.glob(os.path.join(SRC, "src", "*.[ch]")):
            if f in cli or f.endswith("/cmd.h"):
                continue
            self.assertNotRegex(read(f), r'#include "cmd\.h"', f)


if __name__ == "__main__":
    unittest.main(verbosity=2)

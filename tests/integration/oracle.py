"""What a script test does when an oracle it checks against (the
conformance data in ../shared, check-eml, a Debian package or tool) is
missing; the Python side of tests/unit/oracle.h.

- For a user: a visible skip, exit 77 (ctest's SKIP_RETURN_CODE), with a
  message naming what is missing; never a silent "Passed".
- Under CI (AD_REQUIRE_ORACLES set and not "0"; .ci/run exports it): a
  failure with the same message.

Data that is present but cannot be parsed is a failure, never a skip.
"""
import os
import sys
import unittest

REQUIRED = os.environ.get("AD_REQUIRE_ORACLES", "") not in ("", "0")

# Oracles found missing while the tests ran (user mode only).
_missing = []


def require(what):
    """The whole script needs WHAT, which is missing: skip or fail now."""
    if REQUIRED:
        print("FAIL: missing oracle: %s (AD_REQUIRE_ORACLES is set)" % what)
        sys.exit(1)
    print("skip: missing oracle: %s" % what)
    sys.exit(77)


def missing(test, what):
    """One check of TEST (a unittest.TestCase) needs WHAT, which is missing:
    fail the test under CI; else note it, so that the script exits 77 at the
    end, and let the test go on without that check."""
    if REQUIRED:
        test.fail("missing oracle: %s (AD_REQUIRE_ORACLES is set)" % what)
    if what not in _missing:
        print("skip: missing oracle: %s" % what, file=sys.stderr)
        _missing.append(what)


def main(**kwargs):
    """unittest.main with the exit codes above: 1 on a failure, else 77
    when an oracle was missing, else 0."""
    kwargs.setdefault("verbosity", 2)
    prog = unittest.main(exit=False, **kwargs)
    if not prog.result.wasSuccessful():
        sys.exit(1)
    if prog.result.testsRun == 0:
        print("FAIL: no test ran")
        sys.exit(1)
    if _missing:
        print("skip: the tests passed without: %s" % "; ".join(_missing))
        sys.exit(77)
    sys.exit(0)

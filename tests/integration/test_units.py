#!/usr/bin/python3
"""The systemd units (issue 17): debian/arctic-digest.service and .timer
are the units the package installs and exactly what `cron --systemd`
prints (with the program and configuration on ExecStart); the service runs
as the system user in a sandbox that `systemd-analyze security` rates 2.5
or better, and `systemd-analyze verify` has nothing to say about either.
Exits 77 (skip) without systemd-analyze."""
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
PACKAGED_EXEC = ("/usr/bin/arctic-digest -c "
                 "/etc/arctic-digest/arctic-digest.conf run --if-due -q")


def read(*path):
    with open(os.path.join(SRC, *path), encoding="utf-8") as f:
        return f.read()


def settings(unit):
    """[(key, value)] of unit's lines, comments left out."""
    return [tuple(l.split("=", 1)) for l in unit.splitlines()
            if "=" in l and not l.startswith("#")]


class Units(unittest.TestCase):
    def setUp(self):
        self.service = read("debian", "arctic-digest.service")
        self.timer = read("debian", "arctic-digest.timer")
        self.dir = tempfile.mkdtemp(prefix="ad-units-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write_units(self, exec_start):
        """Copies of the units with exec_start on ExecStart."""
        svc = os.path.join(self.dir, "arctic-digest.service")
        tmr = os.path.join(self.dir, "arctic-digest.timer")
        with open(svc, "w") as f:
            f.write(self.service.replace("ExecStart=" + PACKAGED_EXEC,
                                         "ExecStart=" + exec_start))
        with open(tmr, "w") as f:
            f.write(self.timer)
        return svc, tmr

    def test_the_packaged_service_runs_the_installed_program(self):
        self.assertIn("\nExecStart=%s\n" % PACKAGED_EXEC, self.service)

    def test_hardening(self):
        s = dict(settings(self.service))
        want = {"User": "arctic-digest", "StateDirectory": "arctic-digest",
                "ProtectSystem": "strict", "ProtectHome": "yes",
                "PrivateTmp": "yes", "NoNewPrivileges": "yes",
                "CapabilityBoundingSet": "",
                "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX"}
        for k, v in want.items():
            self.assertEqual(s.get(k), v, k)
        self.assertIn(("SystemCallFilter", "@system-service"),
                      settings(self.service))
        t = dict(settings(self.timer))
        self.assertEqual(t.get("OnCalendar"), "hourly")
        self.assertEqual(t.get("WantedBy"), "timers.target")

    def test_security_exposure_is_at_most_2_5(self):
        svc, _ = self.write_units(BIN + " -c /dev/null run --if-due -q")
        r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                            svc], capture_output=True, text=True, timeout=120)
        m = re.search(r"Overall exposure level for arctic-digest\.service: "
                      r"(\d+\.\d+) (\w+)", r.stdout)
        self.assertTrue(m, r.stdout + r.stderr)
        self.assertLessEqual(float(m.group(1)), 2.5, r.stdout)
        self.assertIn(m.group(2), ("OK", "SAFE"))

    def test_verify_is_clean(self):
        # verify wants ExecStart's program to exist: the built one.
        svc, tmr = self.write_units(BIN + " -c /dev/null run --if-due -q")
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", svc, tmr],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.stdout + r.stderr, "")
        self.assertEqual(r.returncode, 0)
        # ... and it does look: a program that is not there is reported.
        svc, tmr = self.write_units("/nonexistent/arctic-digest run")
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", svc, tmr],
                           capture_output=True, text=True, timeout=120)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertIn("/nonexistent/arctic-digest", r.stderr)

    def test_cron_prints_the_packaged_units(self):
        conf = os.path.join(self.dir, "a.conf")
        with open(conf, "w") as f:
            f.write("[digest]\nfrom = a@example.org\n")
        r = subprocess.run([BIN, "-c", conf, "cron", "--systemd"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        parts = r.stdout.split("# /etc/systemd/system/")
        self.assertEqual(parts[0], "")
        got = {}
        for p in parts[1:]:
            name, body = p.split("\n", 1)
            got[name] = body
        self.assertEqual(sorted(got), ["arctic-digest.service",
                                       "arctic-digest.timer"])
        self.assertEqual(got["arctic-digest.timer"], self.timer)
        exec_start = "%s -c %s run --if-due -q" % (
            os.path.realpath(BIN), os.path.realpath(conf))
        self.assertEqual(got["arctic-digest.service"],
                         self.service.replace(PACKAGED_EXEC, exec_start)
                         + "\n")


if __name__ == "__main__":
    if not shutil.which("systemd-analyze"):
        oracle.require("systemd-analyze (systemd)")
    oracle.main()

#!/usr/bin/python3
"""The scheduler from cron's side: ten simulated weeks of hourly
`run --if-due` calls (with --now) against a real SMTP server.

The machine is "off" for nine days covering one Monday slot.  With
catch_up = send exactly ten issues arrive, each once, the late one at the
first run after the gap; with catch_up = skip, nine, none of them late.
Each recipient's exact list of issue numbers is asserted.  A run while
another holds the lock (held by this test) exits 75 and sends nothing; two
runs started at once send one issue once.  Then `status --json` shows the
figures and `cron` prints lines that croniter and systemd-analyze accept
(oracles: a missing one skips, or fails under AD_REQUIRE_ORACLES).
"""
import calendar
import email
import fcntl
import email.policy
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("AD_BIN", "build/arctic-digest")
SRC = os.environ.get("AD_SOURCE_DIR", ".")
SERVERS = os.path.join(SRC, "tests", "servers")
FEEDS = os.path.join(SRC, "examples", "feeds")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

try:
    import aiosmtpd  # noqa: F401
except ImportError:
    oracle.require("python3-aiosmtpd (the SMTP test server)")

HOUR = 3600
START = calendar.timegm((2025, 7, 28, 0, 0, 0))  # Monday 28 July 2025
WEEKS = 10
# Off from Friday 1 Aug 12:00 (week 1) for nine days: the Monday 4 Aug
# 07:00 slot passes while the machine is off; it is back Sunday 10 Aug.
OFF_FROM = START + 4 * 24 * HOUR + 12 * HOUR
OFF_UNTIL = OFF_FROM + 9 * 24 * HOUR


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class SMTP:
    def __init__(self, spool):
        self.spool = spool
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(SERVERS, "smtp_server.py"),
             "--spool", spool], stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def messages(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.spool, "*.eml"))):
            with open(path, "rb") as f:
                out.append(email.message_from_bytes(
                    f.read(), policy=email.policy.default))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Schedule(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.smtp = SMTP(os.path.join(self.tmp, "spool"))

    def tearDown(self):
        self.smtp.stop()
        shutil.rmtree(self.tmp)

    def write_conf(self, catch_up):
        subs = os.path.join(self.tmp, "subscribers.csv")
        with open(subs, "w") as f:
            f.write("email,name,status,tags,subscribed_at,unsubscribed_at\n"
                    "a@example.org,Áile Somby,active,,,\n"
                    "b@example.net,,active,,,\n")
        conf = os.path.join(self.tmp, "arctic-digest.conf")
        with open(conf, "w") as f:
            f.write("[digest]\nschedule = 0 7 * * MON\ntimezone = Europe/Oslo\n"
                    "catch_up = %s\nempty = send\nlookback_days = 7\n"
                    "[smtp]\nurl = smtp://127.0.0.1:%d\ntls = none\n"
                    "retry_delay = 0\n"
                    "[paths]\nsubscribers = %s\n"
                    "[source example]\nurl = %s/polar-journal.rdf\n"
                    "relevance = all\n" % (catch_up, self.smtp.port, subs,
                                           FEEDS))
        return conf

    def run_at(self, conf, t, *extra):
        return subprocess.run([BIN, "-q", "-c", conf, "--now", iso(t), "run",
                               "--if-due"] + list(extra),
                              capture_output=True, text=True)

    def weeks(self, catch_up):
        conf = self.write_conf(catch_up)
        sent_at = {}  # issue number -> time of the run that sent it
        t = START
        while t < START + WEEKS * 7 * 24 * HOUR:
            if not (OFF_FROM <= t < OFF_UNTIL):
                before = len(self.smtp.messages())
                r = self.run_at(conf, t)
                self.assertEqual(r.returncode, 0, "%s: %s" % (iso(t), r.stderr))
                # Quiet runs print nothing on success (cron mails nothing).
                self.assertEqual(r.stderr, "", iso(t))
                if len(self.smtp.messages()) > before:
                    n = int(self.smtp.messages()[-1]["Subject"]
                            .split("no. ")[1].split(":")[0])
                    sent_at[n] = t
            t += HOUR
        return conf, sent_at

    def issues_by_recipient(self):
        got = {}
        for m in self.smtp.messages():
            n = m["Subject"].split("no. ")[1].split(":")[0]
            got.setdefault(m["To"].addresses[0].addr_spec, []).append(int(n))
        return got

    def test_catch_up_send_gives_ten_issues_once(self):
        conf, sent_at = self.weeks("send")
        self.assertEqual(self.issues_by_recipient(),
                         {"a@example.org": list(range(1, 11)),
                          "b@example.net": list(range(1, 11))})
        self.assertEqual(sorted(sent_at), list(range(1, 11)))
        # The first run only starts the schedule; then Mondays at 07:00
        # Oslo (05:00 UTC in summer, 06:00 in winter), and the late one at
        # the first run after the gap.
        self.assertIn(OFF_UNTIL, sent_at.values())
        on_time = [t for t in sent_at.values() if t != OFF_UNTIL]
        for t in on_time:
            tm = time.gmtime(t)
            self.assertEqual(tm.tm_wday, 0, iso(t))  # Monday
            self.assertIn(tm.tm_hour, (5, 6), iso(t))

        # status after the run shows the last issue and the next slot.
        r = subprocess.run([BIN, "-c", conf, "--now",
                            iso(START + WEEKS * 7 * 24 * HOUR), "status",
                            "--json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        st = json.loads(r.stdout)
        self.assertEqual(st["last_issue"]["number"], 10)
        self.assertEqual(st["last_issue"]["sent"], 2)
        self.assertEqual(st["last_issue"]["deferred"], 0)
        self.assertEqual(st["last_issue"]["failed"], 0)
        self.assertEqual(st["last_issue"]["status"], "sent")
        self.assertTrue(st["next_slot"].startswith("2025-10-06T07:00:00"),
                        st["next_slot"])
        self.assertIsNone(st["running_pid"])
        self.assertEqual(st["sources"][0]["name"], "example")
        self.assertEqual(st["sources"][0]["failures_in_a_row"], 0)
        r = subprocess.run([BIN, "-c", conf, "--now",
                            iso(START + WEEKS * 7 * 24 * HOUR), "status"],
                           capture_output=True, text=True)
        self.assertIn("last issue:   no. 10", r.stdout)
        self.assertIn("next slot:    2025-10-06T07:00:00+02:00", r.stdout)

    def test_catch_up_skip_gives_nine(self):
        _, sent_at = self.weeks("skip")
        self.assertEqual(self.issues_by_recipient(),
                         {"a@example.org": list(range(1, 10)),
                          "b@example.net": list(range(1, 10))})
        # The slot missed while off is skipped, not sent late: every issue
        # goes out on a Monday at 07:00 Oslo.
        self.assertEqual(sorted(sent_at), list(range(1, 10)))
        self.assertNotIn(OFF_UNTIL, sent_at.values())
        for t in sent_at.values():
            tm = time.gmtime(t)
            self.assertEqual((tm.tm_wday, tm.tm_hour in (5, 6)), (0, True),
                             iso(t))

    def test_run_while_the_lock_is_held_exits_75_and_sends_nothing(self):
        conf = self.write_conf("send")
        r = self.run_at(conf, START)  # the first run starts the schedule
        self.assertEqual(r.returncode, 0, r.stderr)
        lock = os.path.join(self.tmp, "arctic-digest.db.lock")
        t = START + 7 * HOUR
        with open(lock, "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            f.truncate(0)
            f.write("%d\n" % os.getpid())
            f.flush()
            r = self.run_at(conf, t)
            self.assertEqual(r.returncode, 75, r.stderr)
            self.assertIn("another run (pid %d) holds the lock" % os.getpid(),
                          r.stderr)
            self.assertEqual(self.smtp.messages(), [])
            fcntl.flock(f, fcntl.LOCK_UN)
        # Once it is free, the next run sends the issue.
        r = self.run_at(conf, t)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.issues_by_recipient(),
                         {"a@example.org": [1], "b@example.net": [1]})

    def test_two_runs_at_once_send_one_issue_once(self):
        conf = self.write_conf("send")
        r = self.run_at(conf, START)  # the first run starts the schedule
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.smtp.messages(), [])
        t = START + 7 * HOUR
        procs = [subprocess.Popen([BIN, "-c", conf, "--now", iso(t), "run",
                                   "--if-due"], stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        codes = sorted(p.wait(60) for p in procs)
        errs = [p.stderr.read() for p in procs]
        self.assertIn(codes, ([0, 0], [0, 75]), errs)
        got = self.issues_by_recipient()
        self.assertEqual(got, {"a@example.org": [1], "b@example.net": [1]})
        if codes == [0, 75]:
            self.assertTrue(any("another run (pid" in e for e in errs), errs)

    def test_cron_prints_lines_that_the_tools_accept(self):
        conf = self.write_conf("send")
        r = subprocess.run([BIN, "-c", conf, "cron"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stdout.splitlines()
                 if l and not l.startswith("#") and "run --if-due" in l]
        cron = lines[0]
        self.assertTrue(cron.startswith("0 * * * * /"), cron)
        self.assertIn("-c " + os.path.realpath(conf), cron)
        self.assertIn("run --if-due -q", cron)
        self.assertIn("OnCalendar=hourly", r.stdout)
        self.assertIn("Persistent=true", r.stdout)
        # The command on the cron line runs as written.
        cmd = cron.split(" ", 5)[5]
        r2 = subprocess.run(["sh", "-c", cmd.replace(" run --if-due -q",
                                                     " status")],
                            capture_output=True, text=True)
        self.assertEqual(r2.returncode, 0, r2.stderr)
        # croniter (python3-croniter) reads the five fields as hourly.
        try:
            from croniter import croniter
        except ImportError:
            croniter = None
            oracle.missing(self, "python3-croniter (checks the cron line)")
        if croniter is not None:
            fields = " ".join(cron.split(" ", 5)[:5])
            self.assertTrue(croniter.is_valid(fields), fields)
            it = croniter(fields, START + 90)
            self.assertEqual([it.get_next(float) for _ in range(3)],
                             [START + HOUR * k for k in (1, 2, 3)])
        if not shutil.which("systemd-analyze"):
            oracle.missing(self, "systemd-analyze (Debian package systemd)")
        else:
            d = os.path.join(self.tmp, "units")
            os.makedirs(d)
            text = r.stdout.split("# /etc/systemd/system/")
            for chunk in text[1:]:
                name, body = chunk.split("\n", 1)
                with open(os.path.join(d, name.strip()), "w") as f:
                    f.write(body)
            # --man=no: the pages named in Documentation= need not be
            # installed here (test_units.py checks the units further).
            v = subprocess.run(["systemd-analyze", "verify", "--man=no",
                                os.path.join(d, "arctic-digest.timer"),
                                os.path.join(d, "arctic-digest.service")],
                               capture_output=True, text=True)
            self.assertNotIn("arctic-digest.service:", v.stderr
                             .replace("Unit is bound", ""), v.stderr)


if __name__ == "__main__":
    oracle.main()

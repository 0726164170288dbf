#!/usr/bin/python3
"""An issue lifecycle that never stalls (issue 15): one mailbox that
defers forever must not hold back the digest for everyone else.

Five weekly `run --if-due -q`, as cron runs them, against a server that
answers 450 to one address, with [smtp] give_up_after = 10d: every issue
goes to everyone else on its Monday; the deferred address is tried again
by every run until its issue is ten days old, then failed with its last
reply; each -q run says so on stderr (so cron mails it) and exits 75; and
`status --check` says WARNING.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

STUCK = "stuck@example.org"
OTHERS = ("a@example.org", "b@example.org")
MONDAYS = ["2025-08-%02dT07:05:00Z" % d for d in (4, 11, 18, 25)] + \
    ["2025-09-01T07:05:00Z"]
SATURDAYS = ["Sat, %02d %s 2025 10:00:00 GMT" % dm for dm in
             ((2, "Aug"), (9, "Aug"), (16, "Aug"), (23, "Aug"), (30, "Aug"))]
SENT, DEFERRED, FAILED = 1, 2, 3


class LifecycleTest(adtest.Folder):

    def setUp(self):
        super().setUp()
        self.feed = os.path.join(self.dir, "news.xml")
        self.srv = adtest.SMTPServer(
            os.path.join(self.tmpdir("ad-spool-"), "spool"), "--r450", STUCK,
            script="smtp_faults.py")
        self.addCleanup(self.srv.stop)
        self.write_subs([(a, "", "active", "", "html")
                         for a in OTHERS + (STUCK,)])
        self.write_conf(
            self.srv,
            digest={"clock": None, "schedule": "0 7 * * MON",
                    "timezone": "UTC"},
            smtp={"retries": "0", "give_up_after": "10d"},
            sources={"news": {"url": self.feed, "relevance": "all"}})

    def write_feed(self, week):
        items = [{"title": "Arctic policy notes, week %d" % (i + 1),
                  "link": "https://news.example.org/w%d" % (i + 1),
                  "date": SATURDAYS[i]} for i in range(week + 1)]
        with open(self.feed, "wb") as f:
            f.write(adtest.rss(items))

    def run_at(self, now):
        return self.ad("-q", "run", "--if-due", now=now)

    def rows(self):
        with self.db() as db:
            return {(r["number"], r["address"]): dict(r) for r in db.execute(
                "SELECT i.number, d.address, d.status, d.code, d.reply, "
                "d.attempts FROM deliveries d JOIN issues i ON "
                "i.id = d.issue_id")}

    def test_a_deferring_address_never_holds_back_the_next_issue(self):
        # The schedule starts with the first run (no issue for it).
        self.write_feed(0)
        r = self.run_at("2025-08-03T12:00:00Z")
        self.assertEqual(r.returncode, 0, r.stderr)

        for week, monday in enumerate(MONDAYS):
            self.write_feed(week)
            r = self.run_at(monday)
            err = r.stderr.decode()
            self.assertEqual(r.returncode, 75, err)
            # -q still says what needs a look.
            self.assertIn("%s: deferred: 450" % STUCK, err)
            if week >= 2:
                self.assertIn("%s: issue %d: given up after 10 days"
                              % (STUCK, week - 1), err)
            else:
                self.assertNotIn("given up", err)
            # This Monday's issue went to everyone else.
            rows = self.rows()
            for a in OTHERS:
                self.assertEqual(rows[(week + 1, a)]["status"], SENT,
                                 (week, a, err))

        rows = self.rows()
        self.assertEqual(sorted({n for n, _ in rows}), [1, 2, 3, 4, 5])
        with self.db() as db:
            self.assertEqual([r[0] for r in db.execute(
                "SELECT status FROM issues ORDER BY number")], [1] * 5)
        # Everyone else: each issue exactly once.
        got = sorted(to for to, _ in self.srv.messages())
        self.assertEqual(got, sorted(OTHERS * 5))
        # The stuck address: given up for the issues ten days old, with its
        # last reply; still deferred (and retried) for the two newest.
        for n in (1, 2, 3):
            row = rows[(n, STUCK)]
            self.assertEqual((row["status"], row["code"]), (FAILED, 450), row)
            self.assertTrue(row["reply"].startswith("gave up: "), row)
            self.assertIn("mailbox busy", row["reply"])
        for n in (4, 5):
            self.assertEqual(rows[(n, STUCK)]["status"], DEFERRED)
        # Tried by every run while within give_up_after: issue 1 in weeks 1
        # and 2, issues 2 and 3 in two runs each, 4 in two, 5 in one.
        self.assertEqual([rows[(n, STUCK)]["attempts"] for n in range(1, 6)],
                         [2, 2, 2, 2, 1])
        tries = [e for e in self.srv.events("rcpt") if e["to"] == STUCK]
        self.assertEqual(len(tries), 9)

        # Monitoring sees it; a 4xx never makes the address bounced.
        r = self.ad("status", "--check", now=MONDAYS[-1])
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 1, out + r.stderr.decode())
        self.assertTrue(out.startswith("ARCTIC-DIGEST WARNING - "), out)
        # Given up on Aug 25 and Sep 1 (Aug 18's is older than a week).
        self.assertIn("2 deliveries given up in the last 7 days", out)
        self.assertIn("1 delivery deferred for more than a day", out)
        with open(self.subs, encoding="utf-8") as f:
            self.assertNotIn("bounced", f.read())
        # status shows the backlog, and counts nothing as waiting that an
        # issue holds.
        r = self.ad("status", now=MONDAYS[-1])
        self.assertIn("deferred:     2 deliveries (the oldest of an issue "
                      "frozen 2025-08-25T07:05:00Z), retried by every run",
                      r.stdout.decode())
        self.assertIn("waiting:      0 articles", r.stdout.decode())

    def test_a_resumed_issue_that_defers_does_not_hold_back_the_next(self):
        # Issue 1 is frozen while the server is down: its rows stay pending.
        closed = adtest.free_port()
        self.write_feed(0)
        self.assertEqual(self.run_at("2025-08-03T12:00:00Z").returncode, 0)
        with open(self.conf, encoding="utf-8") as f:
            conf = f.read()
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(conf.replace(":%d\n" % self.srv.port, ":%d\n" % closed))
        r = self.run_at(MONDAYS[0])
        self.assertEqual(r.returncode, 69, r.stderr)
        with self.db() as db:
            self.assertEqual([tuple(x) for x in db.execute(
                "SELECT number, status FROM issues")], [(1, 0)])
        # A week later the server is back but defers one address: run
        # finishes issue 1, then still sends issue 2 on its Monday.
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(conf)
        self.write_feed(1)
        r = self.run_at(MONDAYS[1])
        self.assertEqual(r.returncode, 75, r.stderr)
        rows = self.rows()
        for n in (1, 2):
            for a in OTHERS:
                self.assertEqual(rows[(n, a)]["status"], SENT, (n, a))
            self.assertEqual(rows[(n, STUCK)]["status"], DEFERRED)
        self.assertEqual(sorted(to for to, _ in self.srv.messages()),
                         sorted(OTHERS * 2))

    def test_status_check_says_critical_when_the_schedule_stalls(self):
        self.write_feed(0)
        self.assertEqual(self.run_at("2025-08-03T12:00:00Z").returncode, 0)
        self.write_feed(1)
        r = self.run_at(MONDAYS[1])  # the Monday of Aug 11
        self.assertEqual(r.returncode, 75, r.stderr)
        r = self.ad("status", "--check", now="2025-08-19T08:00:00Z")
        self.assertEqual(r.returncode, 1, r.stdout)  # one slot late: not yet
        self.assertTrue(r.stdout.startswith(b"ARCTIC-DIGEST WARNING - "))
        r = self.ad("status", "--check", now="2025-08-26T08:00:00Z")
        out = r.stdout.decode()
        self.assertEqual(r.returncode, 2, out)
        self.assertTrue(out.startswith(
            "ARCTIC-DIGEST CRITICAL - no issue since 2025-08-11T07:00:00Z: "
            "the slots of 2025-08-18T07:00:00Z and 2025-08-25T07:00:00Z "
            "passed"), out)


def main():
    adtest.require_aiosmtpd()
    oracle.main()


if __name__ == "__main__":
    main()

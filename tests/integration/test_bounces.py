#!/usr/bin/python3
"""Bounces read back (issue 15, item 3), through the CLI, against a real
SQLite state, aiosmtpd and a maildir:
- with [bounces] verp = yes every message goes out with its own signed
  envelope sender (MAIL FROM seen by the server);
- 'bounces' reads the maildir: a DSN to a VERP address fails that
  delivery; real bounces of the corpus (tests/data/bounces) without a
  token are matched by their recipient; an ARF complaint unsubscribes; a
  delay notice and an auto-reply change nothing; a forged token is
  refused; --dry-run changes and flags nothing; a second run does
  nothing;
- three issues in a row bounced mark the subscriber bounced, and 'run'
  reads the mailbox first."""
import csv
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
from adtest import NOW  # noqa: E402

CORPUS = os.path.join(adtest.SRC, "tests", "data", "bounces")
VERP = re.compile(r"^bounces\+(\d+)-[a-z2-7]{8}-[a-z2-7]{16}@lists\.example\.org$")

# Subscribers whose addresses are those real bounces of the corpus name.
REAL = {
    "kijitora@example.org": "sisimai-lhost-postfix-01.eml",  # 5.1.1
    "redacted@example.net": "sisimai-arf-01.eml",            # complaint
    "pkocmid@atlas.cz": "mailman-dsn_05.eml",                # 4.4.1 delay
}


def dsn(to, rcpt, status="5.1.1", msgid="<dsn-1@mx.example.net>"):
    """An RFC 3464 report as Postfix writes them, sent to `to`."""
    return ("Return-Path: <>\r\n"
            "X-Original-To: %s\r\n"
            "Delivered-To: %s\r\n"
            "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            "To: %s\r\n"
            "Message-Id: %s\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;"
            "\r\n\tboundary=\"B1\"\r\n\r\n"
            "--B1\r\nContent-Type: text/plain\r\n\r\n"
            "This is the mail system at host mx.example.net.\r\n\r\n"
            "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.net\r\n\r\n"
            "Final-Recipient: rfc822; %s\r\n"
            "Original-Recipient: rfc822;%s\r\n"
            "Action: failed\r\nStatus: %s\r\n"
            "Diagnostic-Code: smtp; 550 %s <%s>: Recipient address "
            "rejected: User unknown\r\n\r\n--B1--\r\n"
            % (to, to, to, msgid, rcpt, rcpt, status, status, rcpt)
            ).encode()


class Bounces(adtest.Folder):
    def setUp(self):
        super().setUp()
        self.maildir = os.path.join(self.dir, "Maildir")
        for d in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.maildir, d))
        self.srv = self.aiosmtpd()
        rows = [("gone@example.net", "", "active", "", "html"),
                ("stays@example.net", "", "active", "", "html")]
        rows += [(a, "", "active", "", "html") for a in REAL]
        self.write_subs(rows)
        self.configure()

    def configure(self, digest=None):
        self.write_conf(self.srv, digest=digest,
                        smtp={"envelope_from": "bounces@lists.example.org"})
        with open(self.conf, "a") as f:
            f.write("[bounces]\nverp = yes\nmaildir = Maildir\n")

    def envelope_senders(self):
        """{recipient: MAIL FROM} as the SMTP server saw them."""
        mail, out = {}, {}
        for ev in self.srv.events():
            if ev["event"] == "mail":
                mail[ev["conn"]] = ev["from"]
            elif ev["event"] == "rcpt":
                out.setdefault(ev["to"], []).append(mail[ev["conn"]])
        return out

    def drop(self, name, raw):
        with open(os.path.join(self.maildir, "new", name), "wb") as f:
            f.write(raw)

    def ledger(self, number=1):
        return {r["address"]: (r["status"], r["code"], r["reply"])
                for r in self.db().execute(
                    "SELECT d.* FROM deliveries d JOIN issues i ON "
                    "i.id = d.issue_id WHERE i.number = ?", (number,))}

    def statuses(self):
        with open(self.subs, encoding="utf-8") as f:
            return {r["email"]: r["status"] for r in csv.DictReader(f)}

    def test_verp_senders_and_bounces_from_the_maildir(self):
        self.ok("collect", now=NOW)
        self.ok("send", now=NOW)
        senders = self.envelope_senders()
        self.assertEqual(len(senders), 5)
        for rcpt, froms in senders.items():
            self.assertEqual(len(froms), 1)
            self.assertRegex(froms[0], VERP)
            self.assertEqual(VERP.match(froms[0]).group(1), "1")
        self.assertEqual(len(set(f[0] for f in senders.values())), 5)

        # A DSN to gone's VERP address names another address (forwarded):
        # the token decides.
        self.drop("1.a.mx", dsn(senders["gone@example.net"][0],
                                "gone.forwarded@elsewhere.example"))
        # Real bounces and a complaint, no token: matched by recipient.
        for i, name in enumerate(REAL.values()):
            shutil.copy(os.path.join(CORPUS, name),
                        os.path.join(self.maildir, "new", "2.%d.mx" % i))
        # An auto-reply to the list.
        shutil.copy(os.path.join(CORPUS, "rgl-non_bounce_postfix_hello_"
                                 "world.eml"),
                    os.path.join(self.maildir, "new", "3.a.mx"))
        # A forged token naming stays@: refused.
        forged = "bounces+1-%s-%s@lists.example.org" % ("a" * 8, "b" * 16)
        self.drop("4.a.mx", dsn(forged, "stays@example.net",
                                msgid="<forged@x>"))
        before = self.ledger()

        r = self.ok("bounces", "--dry-run", now=NOW)
        err = r.stderr.decode()
        self.assertIn("gone@example.net: would fail", err)
        self.assertIn("would mark redacted@example.net unsubscribed", err)
        self.assertEqual(self.ledger(), before)
        self.assertEqual(len(os.listdir(os.path.join(self.maildir, "new"))),
                         6)

        r = self.ok("bounces", now=NOW)
        err = r.stderr.decode()
        after = self.ledger()
        status, code, reply = after["gone@example.net"]
        self.assertEqual((status, code), (3, 550))  # STORE_FAILED
        self.assertTrue(reply.startswith("bounce: 5.1.1 550 5.1.1"), reply)
        status, code, reply = after["kijitora@example.org"]
        self.assertEqual((status, code), (3, 550))
        self.assertIn("5.1.1", reply)
        # The delay notice and the forged one changed nothing.
        self.assertEqual(after["pkocmid@atlas.cz"],
                         before["pkocmid@atlas.cz"])
        self.assertEqual(after["stays@example.net"],
                         before["stays@example.net"])
        self.assertIn("VERP token this list did not make", err)
        subs = self.statuses()
        self.assertEqual(subs["redacted@example.net"], "unsubscribed")
        self.assertEqual(subs["gone@example.net"], "active")  # 1 of 3
        # Every message is flagged seen, in cur/.
        self.assertEqual(os.listdir(os.path.join(self.maildir, "new")), [])
        cur = os.listdir(os.path.join(self.maildir, "cur"))
        self.assertEqual(len(cur), 6)
        self.assertTrue(all(n.endswith(":2,S") for n in cur), cur)

        # Once only: with the flags lost, the state still knows them.
        for n in cur:
            os.rename(os.path.join(self.maildir, "cur", n),
                      os.path.join(self.maildir, "new", n[:-4]))
        r = self.ok("bounces", now=NOW)
        self.assertNotIn("failed (", r.stderr.decode())
        self.assertEqual(self.ledger(), after)

    def test_three_issues_bounced_mark_the_subscriber_and_run_reads_first(
            self):
        self.configure(digest={"empty": "send"})  # one issue a week
        days = ["2025-07-28T09:00:00+02:00", "2025-08-04T09:00:00+02:00",
                "2025-08-11T09:00:00+02:00", "2025-08-18T09:00:00+02:00"]
        for n, now in enumerate(days[:3], 1):
            # run: bounces of the last issue first, then the next issue.
            self.ok("run", now=now)
            verp = [f for f in self.envelope_senders()["gone@example.net"]
                    if VERP.match(f).group(1) == str(n)]
            self.assertEqual(len(verp), 1, n)
            self.drop("%d.b.mx" % n, dsn(verp[0], "gone@example.net",
                                         msgid="<dsn-%d@mx>" % n))
            self.assertEqual(self.statuses()["gone@example.net"], "active")
        r = self.ok("run", now=days[3])
        self.assertIn("gone@example.net marked bounced", r.stderr.decode())
        self.assertEqual(self.statuses()["gone@example.net"], "bounced")
        # Issue 4 did not go to gone@ any more.
        self.assertNotIn("gone@example.net", self.ledger(4))

    def test_an_unreadable_mailbox_never_holds_back_the_digest(self):
        shutil.rmtree(self.maildir)
        r = self.ad("bounces", now=NOW)
        self.assertEqual(r.returncode, 66, r.stderr.decode())
        self.assertIn("is no maildir", r.stderr.decode())
        r = self.ad("-q", "run", now=NOW)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertIn("warning: bounces not read, the run goes on",
                      r.stderr.decode())
        self.assertEqual(len(self.srv.messages()), 5)


if __name__ == "__main__":
    adtest.require_aiosmtpd()
    unittest.main(verbosity=2)

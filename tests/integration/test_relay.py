#!/usr/bin/python3
"""The hand-off to a real mail system (DESIGN.md, Scale; docs/relay.md):
`send` over several connections into a Postfix instance started here in
its own folder, which relays to a test server standing for the rest of
the world.

Postfix must accept every message (the ledger says sent, with Postfix's
queue id), pass each one on exactly once with the envelope sender the
digest asked for (where a relay's bounces go), and change nothing in a
message but the Received line it prepends: what arrives is what `preview
--to` writes for that subscriber.

Needs root and the postfix package: without them a user's run skips
(exit 77) and CI's fails (oracle.py).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

COUNT = 120
ENVELOPE = "bounces@example.org"


def subscribers():
    rows = []
    for i in range(COUNT):
        name = ["Áile Somby", "Reader %d" % i, "Siobhán O'Neill", ""][i % 4]
        rows.append(("reader%03d@example.org" % i, name, "active", "",
                     "text" if i % 5 == 0 else "html"))
    return rows


class RelayTest(adtest.Folder):

    def setUp(self):
        super().setUp()
        self.sink = self.aiosmtpd()
        self.relay = adtest.PostfixRelay(self.tmpdir("ad-postfix-"),
                                         self.sink.port)
        self.addCleanup(self.relay.stop)
        self.write_subs(subscribers())
        self.write_conf(smtp={"url": "smtp://127.0.0.1:%d" % self.relay.port,
                              "connections": "4",
                              "envelope_from": ENVELOPE})

    def wait_relayed(self, want, limit=90):
        """The sink's messages once it has want of them and Postfix's
        queue is empty (or limit seconds passed)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            got = self.sink.messages()
            if len(got) >= want and not self.relay.queue():
                return got
            time.sleep(0.2)
        return self.sink.messages()

    def test_postfix_accepts_and_relays_every_message_unchanged(self):
        self.ok("collect")
        sample = ("reader000@example.org", "reader001@example.org",
                  "reader002@example.org", "reader003@example.org")
        previews = {}
        for addr in sample:
            pv = self.tmpdir()
            self.ok("preview", "--offline", "--to", addr, "-o", pv)
            with open(os.path.join(pv, "digest.eml"), "rb") as f:
                previews[addr] = f.read().replace(b"\r\n", b"\n")
        r = self.ok("send")
        out = r.stdout.decode() + r.stderr.decode()

        # Accepted: every ledger row sent, with Postfix's queue id.
        with self.db() as db:
            rows = db.execute("SELECT address, status, code, reply FROM "
                              "deliveries").fetchall()
        self.assertEqual(len(rows), COUNT, out)
        for row in rows:
            self.assertEqual((row["status"], row["code"]), (1, 250),
                             dict(row))
            self.assertIn("queued as", row["reply"], dict(row))

        # Relayed: each subscriber exactly once, the envelope kept.
        got = self.wait_relayed(COUNT)
        rcpts = sorted(to for to, _ in got)
        self.assertEqual(rcpts, sorted(r[0] for r in subscribers()),
                         self.relay.log()[-3000:])
        froms = {e["from"] for e in self.sink.events("mail")}
        self.assertEqual(froms, {ENVELOPE})
        self.assertEqual(self.relay.log().count("status=sent"), COUNT)

        # Unchanged: the relayed bytes are the preview for that address
        # (taken before the send) behind the one Received line Postfix
        # adds.
        by_rcpt = dict(got)
        for addr in sample:
            want = previews[addr]
            raw = by_rcpt[addr].replace(b"\r\n", b"\n")
            head, sep, rest = raw.partition(b"\n")
            self.assertTrue(head.startswith(b"Received: from "), head)
            # The Received field's folded lines, then our message.
            while rest[:1] in (b" ", b"\t"):
                rest = rest.partition(b"\n")[2]
            self.assertEqual(rest, want, addr)


def main():
    why = adtest.PostfixRelay.missing()
    if why:
        oracle.require(why)
    adtest.require_aiosmtpd()
    oracle.main()


if __name__ == "__main__":
    main()

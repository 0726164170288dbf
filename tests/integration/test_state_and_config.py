#!/usr/bin/python3
"""Bad input fails alone and loudly (issue 16, items 2, 3, 4 and 8),
through the CLI, against a real SQLite state and aiosmtpd:
- an emptied state file is never taken for a fresh install (exit 74,
  nothing sent again);
- a damaged state file stops every command with exit 74 and a message
  naming it, also under -q;
- the same address twice in the list (any case) gets one message;
- config values that go into every message are checked when the config
  is read, by every command, before an issue is frozen."""
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
from adtest import NOW  # noqa: E402

SENT = 1


class State(adtest.Folder):
    def sent_issue_1(self):
        self.srv = self.aiosmtpd()
        self.write_conf(self.srv)
        self.write_subs([("a@example.org", "A", "active", "", "html"),
                         ("b@example.org", "", "active", "", "html")])
        self.ok("collect")
        self.ok("send")
        self.assertEqual(len(self.srv.messages()), 2)

    def test_an_emptied_state_is_not_a_fresh_install(self):
        self.sent_issue_1()
        with open(self.state, "w"):
            pass  # ": > state.db"
        for cmd in (["run"], ["send"], ["collect"], ["status"],
                    ["run", "--dry-run"], ["preview", "-o", self.tmpdir()]):
            r = self.ad(*cmd, now=NOW)
            self.assertEqual(r.returncode, 74, (cmd, r.stderr))
            err = r.stderr.decode()
            self.assertIn(self.state, err)
            self.assertIn("empty", err)
        self.assertEqual(len(self.srv.messages()), 2)  # nothing again
        self.assertEqual(os.path.getsize(self.state), 0)

    def damage(self):
        # Overwrite a page in the middle of the file with garbage.
        with sqlite3.connect(self.state) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = c.execute("PRAGMA page_count").fetchone()[0]
            size = c.execute("PRAGMA page_size").fetchone()[0]
        self.assertGreater(pages, 3)
        with open(self.state, "r+b") as f:
            f.seek(size * (pages // 2))
            f.write(b"\xde\xad\xbe\xef" * (size // 4))

    def test_a_damaged_state_stops_every_command_with_74(self):
        self.sent_issue_1()
        self.damage()
        for cmd in (["-q", "run"], ["send"], ["collect"], ["status"],
                    ["send", "--dry-run"]):
            r = self.ad(*cmd, now=NOW)
            self.assertEqual(r.returncode, 74, (cmd, r.stderr))
            err = r.stderr.decode()
            self.assertIn("arctic-digest: error:", err)
            self.assertIn(self.state, err)
            self.assertIn("damaged", err)
        self.assertEqual(len(self.srv.messages()), 2)

    def test_not_a_state_file_is_74(self):
        self.write_conf()
        with open(self.state, "wb") as f:
            f.write(b"this is not SQLite at all\n" * 200)
        r = self.ad("collect", now=NOW)
        self.assertEqual(r.returncode, 74, r.stderr)
        self.assertIn(self.state, r.stderr.decode())


class SamePersonTwice(adtest.Folder):
    def test_one_message_per_address_whatever_its_case(self):
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.write_subs([("alice@example.org", "Alice", "active", "", "html"),
                         ("ALICE@Example.org", "", "active", "", "html"),
                         ("bob@example.org", "", "unsubscribed", "", "html"),
                         ("Bob@Example.org", "", "active", "", "html"),
                         ("cy@example.org", "", "active", "", "html")])
        self.ok("collect")
        r = self.ok("send")
        got = sorted(rcpt.lower() for rcpt, _ in srv.messages())
        # Alice once; Bob unsubscribed under another spelling: not mailed.
        self.assertEqual(got, ["alice@example.org", "cy@example.org"])
        err = r.stderr.decode()
        self.assertIn("ALICE@Example.org", err)
        self.assertIn("line 2", err)
        rows = self.db().execute("SELECT address FROM deliveries").fetchall()
        self.assertEqual(sorted(a for (a,) in rows),
                         ["alice@example.org", "cy@example.org"])


class ConfigCheckedWhenRead(adtest.Folder):
    def test_values_that_go_into_every_message(self):
        srv = self.aiosmtpd()
        self.write_subs([("a@example.org", "A", "active", "", "html")])
        bad = [({"from": "a@b.example, c@d.example"}, "[digest] from"),
               ({"reply_to": "not an address"}, "[digest] reply_to"),
               ({"list_id": "<<<>>>"}, "[digest] list_id"),
               ({"unsubscribe_url": "javascript:alert(1)"},
                "[digest] unsubscribe_url"),
               ({"archive_url": "https://x.example/\"><script>"},
                "[digest] archive_url"),
               ({"contact": "editor at example"}, "[digest] contact")]
        for digest, key in bad:
            self.write_conf(srv, digest=digest)
            for cmd in (["status"], ["send"], ["preview", "-o",
                                                self.tmpdir()]):
                r = self.ad(*cmd, now=NOW)
                self.assertEqual(r.returncode, 78, (digest, cmd, r.stderr))
                err = r.stderr.decode()
                self.assertIn(self.conf, err)
                self.assertIn(key, err)
            # Nothing was frozen: no state, no ledger.
            self.assertFalse(os.path.exists(self.state), digest)
        self.assertEqual(srv.messages(), [])
        # And a good config still sends.
        self.write_conf(srv)
        self.ok("collect")
        self.ok("send")
        self.assertEqual(len(srv.messages()), 1)


class LogSinks(adtest.Folder):
    def test_no_syslog_or_journal_socket_keeps_messages_on_stderr(self):
        """log = syslog | journald with nothing listening (a container, a
        chroot): one warning, and the messages stay on stderr instead of
        vanishing, also under -q for warnings."""
        srv = self.aiosmtpd()
        self.write_subs([("a@example.org", "A", "active", "", "html")])
        for sink, path in (("syslog", "/dev/log"),
                           ("journald", "/run/systemd/journal/socket")):
            if os.path.exists(path):
                continue  # a real one runs here: not ours to test
            self.write_conf(srv, digest={"log": sink})
            r = self.ad("status", now=NOW)
            self.assertEqual(r.returncode, 0, r.stderr)
            err = r.stderr.decode()
            self.assertEqual(
                err.count("log = %s: nothing listens on %s" % (sink, path)),
                1, err)
            # The run's own warnings still reach stderr under -q (a
            # source is reported after three failures in a row).
            with open(self.conf, "a") as f:
                f.write("\n[source broken]\nurl = http://127.0.0.1:%d/x\n"
                        % adtest.free_port())
            for _ in range(3):
                r = self.ad("-q", "collect", now=NOW)
            self.assertIn("nothing listens on", r.stderr.decode())
            self.assertIn("broken", r.stderr.decode())
        self.write_conf(srv, digest={"log": "eventlog"})
        r = self.ad("status", now=NOW)
        self.assertEqual(r.returncode, 78)
        self.assertIn("stderr|syslog|journald", r.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)

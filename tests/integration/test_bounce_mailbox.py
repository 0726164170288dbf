#!/usr/bin/python3
"""Bounces from real mail systems (issue 15): a Postfix instance started
here in its own folder (postfix -c DIR, loopback only) takes the digest,
relays what is for the world to a test server, fails to deliver to a
local address that does not exist and mails its DSN back to the VERP
address, into a maildir; a Dovecot IMAP server started here (its own
configuration, IMAPS with a test CA) serves that maildir.

- 'bounces' over IMAP fails exactly that delivery, flags the DSN seen,
  and a second run does nothing;
- a server whose certificate the CA file does not trust, or that is not
  the host asked for, gets no password (Dovecot logs no login attempt);
- real bounces of the corpus put into the mailbox are read over IMAP as
  from a maildir.

Needs root, postfix and dovecot-imapd: without them a user's run skips
(exit 77) and CI's fails (oracle.py).
"""
import os
import pwd
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

ENVELOPE = "bounces@lists.test"
CORPUS = os.path.join(adtest.SRC, "tests", "data", "bounces")
PASSWORD = "imap test password"


class Mailbox(adtest.Folder):
    """Dovecot over the maildir root/vmail/Maildir (owned by nobody)."""

    def setUp(self):
        super().setUp()
        self.root = self.tmpdir("ad-mail-")
        os.chmod(self.root, 0o755)
        self.certs = os.path.join(self.root, "certs")
        subprocess.run(["sh", os.path.join(adtest.SERVERS, "make_certs.sh"),
                        self.certs], check=True)
        os.chmod(self.certs, 0o755)
        os.chmod(os.path.join(self.certs, "server.key"), 0o644)
        nobody = pwd.getpwnam("nobody")
        self.vmail = os.path.join(self.root, "vmail")
        self.maildir = os.path.join(self.vmail, "Maildir")
        for d in ("", "/cur", "/new", "/tmp"):
            os.makedirs(self.maildir + d, exist_ok=True)
        for d in (self.vmail, self.maildir, self.maildir + "/cur",
                  self.maildir + "/new", self.maildir + "/tmp"):
            os.chown(d, nobody.pw_uid, nobody.pw_gid)
        self.dovecot = adtest.Dovecot(os.path.join(self.root, "dovecot"),
                                      self.maildir, "bounces", PASSWORD,
                                      self.certs)
        self.addCleanup(self.dovecot.stop)
        pw = os.path.join(self.dir, "imap.password")
        with open(os.open(pw, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(PASSWORD + "\n")

    def bounces_conf(self, host="localhost", ca="ca.pem"):
        return ("[bounces]\nverp = yes\n"
                "imap = imaps://%s:%d/INBOX\nuser = bounces\n"
                "password_file = imap.password\nca_file = %s\n"
                % (host, self.dovecot.port, os.path.join(self.certs, ca)))

    def configure(self, smtp, **bounces):
        self.write_conf(smtp=dict(smtp, envelope_from=ENVELOPE))
        with open(self.conf, "a") as f:
            f.write(self.bounces_conf(**bounces))

    def ledger(self):
        return {r["address"]: (r["status"], r["code"], r["reply"])
                for r in self.db().execute("SELECT * FROM deliveries")}

    def seen(self):
        """The maildir's messages and whether each has the Seen flag."""
        out = []
        for sub in ("new", "cur"):
            for n in os.listdir(os.path.join(self.maildir, sub)):
                info = n.partition(":2,")[2]
                out.append("S" in info)
        return out


class ImapTest(Mailbox):

    def other_name_certs(self):
        """A server certificate from the same CA for another name."""
        d = os.path.join(self.root, "other-name")
        os.makedirs(d)
        shutil.copy(os.path.join(self.certs, "ca.pem"), d)
        with open(os.path.join(d, "ext"), "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n"
                    "subjectAltName=DNS:mail.elsewhere.test\n")
        for cmd in (["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                     "server.key", "-out", "server.csr", "-subj",
                     "/CN=mail.elsewhere.test"],
                    ["openssl", "x509", "-req", "-in", "server.csr", "-CA",
                     os.path.join(self.certs, "ca.pem"), "-CAkey",
                     os.path.join(self.certs, "ca.key"), "-CAcreateserial",
                     "-out", "server.pem", "-days", "2", "-extfile", "ext"]):
            subprocess.run(cmd, cwd=d, check=True, capture_output=True)
        os.chmod(d, 0o755)
        os.chmod(os.path.join(d, "server.key"), 0o644)
        return d

    def assert_no_login(self, dovecot):
        log = dovecot.text()
        self.assertNotIn("user=<bounces>", log)
        self.assertNotIn("(bounces,", log)  # the passdb never asked
        self.assertNotIn("auth failed", log)

    def test_untrusted_or_misnamed_server_gets_no_password(self):
        srv = self.aiosmtpd()
        self.write_subs([("a@example.net", "", "active", "", "html")])
        smtp = {"url": "smtp://127.0.0.1:%d" % srv.port}
        # A CA that did not sign the server's certificate.
        self.configure(smtp, ca="other-ca.pem")
        r = self.ad("bounces")
        self.assertEqual(r.returncode, 69, r.stderr.decode())
        self.assertIn("certificate is not trusted", r.stderr.decode())
        self.assertNotIn(PASSWORD, r.stderr.decode())
        self.assert_no_login(self.dovecot)
        # The right CA, but a certificate for another host.
        other = adtest.Dovecot(os.path.join(self.root, "dovecot-other"),
                               self.maildir, "bounces", PASSWORD,
                               self.other_name_certs())
        self.addCleanup(other.stop)
        self.configure(smtp)
        with open(self.conf) as f:
            conf = f.read().replace(":%d/" % self.dovecot.port,
                                    ":%d/" % other.port)
        with open(self.conf, "w") as f:
            f.write(conf)
        r = self.ad("bounces")
        self.assertEqual(r.returncode, 69, r.stderr.decode())
        self.assertIn("certificate is not for 'localhost'", r.stderr.decode())
        self.assert_no_login(other)
        # And the right one works (the login succeeds, nothing to read).
        self.configure(smtp)
        self.ok("bounces")
        self.assertIn("user=<bounces>", self.dovecot.text())

    def test_corpus_bounces_read_over_imap_once(self):
        srv = self.aiosmtpd()
        self.write_subs([("kijitora@example.org", "", "active", "", "html"),
                         ("redacted@example.net", "", "active", "", "html"),
                         ("stays@example.net", "", "active", "", "html")])
        self.configure({"url": "smtp://127.0.0.1:%d" % srv.port})
        self.ok("collect")
        self.ok("send")
        nobody = pwd.getpwnam("nobody")
        for i, name in enumerate(("sisimai-lhost-postfix-01.eml",
                                  "sisimai-arf-01.eml",
                                  "rgl-non_bounce_postfix_hello_world.eml")):
            dst = os.path.join(self.maildir, "new", "%d.corpus.test" % i)
            shutil.copy(os.path.join(CORPUS, name), dst)
            os.chown(dst, nobody.pw_uid, nobody.pw_gid)
        r = self.ok("bounces")
        err = r.stderr.decode()
        ledger = self.ledger()
        self.assertEqual(ledger["kijitora@example.org"][:2], (3, 550), err)
        self.assertEqual(ledger["stays@example.net"][:2], (1, 250))
        with open(self.subs, encoding="utf-8") as f:
            self.assertIn("redacted@example.net,,unsubscribed", f.read())
        self.assertEqual(sorted(self.seen()), [True, True, True])
        before = self.ledger()
        r = self.ok("bounces")
        self.assertNotIn("failed (", r.stderr.decode())
        self.assertEqual(self.ledger(), before)


class PostfixDsnTest(Mailbox):
    """Postfix bounces a message to a local address that does not exist
    and mails the DSN to the VERP address, into the maildir Dovecot
    serves."""

    def setUp(self):
        super().setUp()
        self.sink = self.aiosmtpd()
        nobody = pwd.getpwnam("nobody")
        self.postfix = adtest.PostfixRelay(
            self.tmpdir("ad-postfix-"), self.sink.port, main={
                "mydestination": "local.test",
                "recipient_delimiter": "+",
                "virtual_mailbox_domains": "lists.test",
                "virtual_mailbox_base": self.vmail,
                "virtual_mailbox_maps": "static:Maildir/",
                "virtual_uid_maps": "static:%d" % nobody.pw_uid,
                "virtual_gid_maps": "static:%d" % nobody.pw_gid,
                "virtual_minimum_uid": "1",
            })
        self.addCleanup(self.postfix.stop)

    def wait_for_dsn(self, limit=60):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.seen():
                return True
            time.sleep(0.2)
        return False

    def test_dsn_of_a_real_postfix_fails_that_delivery_once(self):
        self.write_subs([("alive@world.test", "", "active", "", "html"),
                         ("no-such-user@local.test", "", "active", "",
                          "html")])
        self.configure({"url": "smtp://127.0.0.1:%d" % self.postfix.port})
        self.ok("collect")
        self.ok("send")
        # Postfix took both (250), then bounced one by mail.
        sent = self.ledger()
        self.assertEqual([v[:2] for v in sent.values()], [(1, 250)] * 2)
        self.assertTrue(self.wait_for_dsn(), self.postfix.log()[-3000:])
        self.assertIn("status=bounced", self.postfix.log())
        # The world got its message, from a VERP sender.  Postfix relays
        # it on its own schedule: the bounce may come back first.
        deadline = time.monotonic() + 60
        froms = [e["from"] for e in self.sink.events("mail")]
        while not froms and time.monotonic() < deadline:
            time.sleep(0.2)
            froms = [e["from"] for e in self.sink.events("mail")]
        self.assertEqual(len(froms), 1)
        self.assertRegex(froms[0], r"^bounces\+1-[a-z2-7]{8}-[a-z2-7]{16}"
                                   r"@lists\.test$")

        r = self.ok("bounces", "--dry-run")
        self.assertIn("no-such-user@local.test: would fail",
                      r.stderr.decode())
        self.assertEqual(self.ledger(), sent)
        self.assertEqual(self.seen(), [False])

        r = self.ok("bounces")
        err = r.stderr.decode()
        got = self.ledger()
        self.assertEqual(got["alive@world.test"], sent["alive@world.test"])
        status, code, reply = got["no-such-user@local.test"]
        self.assertEqual((status, code), (3, 550), err)
        self.assertTrue(reply.startswith("bounce: 5.1.1"), reply)
        self.assertEqual(self.seen(), [True])
        r = self.ok("bounces")
        self.assertEqual(self.ledger(), got)
        self.assertNotIn("failed (", r.stderr.decode())


def main():
    for why in (adtest.PostfixRelay.missing(), adtest.Dovecot.missing()):
        if why:
            oracle.require(why)
    adtest.require_aiosmtpd()
    oracle.main()


if __name__ == "__main__":
    main()

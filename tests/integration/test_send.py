#!/usr/bin/python3
"""Delivery end to end: `send` and `run` against real SMTP servers started
here on 127.0.0.1 (tests/servers: aiosmtpd, and the fault injector), and
into the outbox.  Every case checks both sides: what the server received
(one message per recipient, the headers, the personal parts, the body
exactly as composed) and what the ledger in the SQLite state says."""
import email
import email.policy
import email.utils
import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

BIN = os.path.abspath(os.environ.get("AD_BIN", "build/arctic-digest"))
SRC = os.environ.get("AD_SOURCE_DIR",
                     os.path.dirname(os.path.abspath(__file__)) + "/../..")
SERVERS = os.path.join(SRC, "tests", "servers")
FEEDS = os.path.join(SRC, "examples", "feeds")
CONF_DIR = os.environ.get("AD_CONFORMANCE_DIR", "")
CHECK_EML = os.path.join(CONF_DIR, "..", "tools", "check-eml") if CONF_DIR else ""
PY = "/usr/bin/python3"
NOW = "2025-07-28T07:00:00Z"
SECRET = "test secret for the delivery tests\n"
PENDING, SENT, DEFERRED, FAILED = 0, 1, 2, 3
CERTS = None  # made once, on first use


def certs():
    global CERTS
    if CERTS is None:
        d = tempfile.mkdtemp(prefix="ad-send-certs-")
        subprocess.run(["sh", os.path.join(SERVERS, "make_certs.sh"), d],
                       check=True)
        CERTS = d
    return CERTS


class Server(adtest.SMTPServer):
    """One test SMTP server process (adtest.SMTPServer) running script;
    its spool, event log and the count of messages spooled."""

    def __init__(self, script, spool, *args):
        super().__init__(spool, *args, script=script)

    def count(self):
        return len([n for n in os.listdir(self.spool)
                    if re.match(r"^\d{6}-.*\.eml$", n)])


class SendTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ad-send-")
        self.state = os.path.join(self.dir, "state.db")
        self.subs = os.path.join(self.dir, "subscribers.csv")
        self.conf = os.path.join(self.dir, "a.conf")
        self.key = os.path.join(self.dir, "unsubscribe.key")
        with open(os.open(self.key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(SECRET)
        self.servers = 0

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # setting up

    def server(self, script, *args):
        self.servers += 1
        s = Server(script, os.path.join(self.dir, "spool%d" % self.servers),
                   *args)
        self.addCleanup(s.stop)
        return s

    def aiosmtpd(self, *args):
        return self.server("smtp_server.py", *args)

    def faults(self, *args):
        return self.server("smtp_faults.py", *args)

    # The folder's list and config, written as adtest writes them.
    write_subs = adtest.Folder.write_subs
    write_conf = adtest.Folder.write_conf

    def ad(self, *args, now=None, env=None, stdin=None, conf=None,
           timeout=120):
        cmd = [BIN, "-c", conf or self.conf]
        if now:
            cmd += ["--now", now]
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run(cmd + list(args), capture_output=True,
                              env=e, input=stdin, timeout=timeout,
                              cwd=self.dir)

    def ok(self, *args, code=0, **kw):
        r = self.ad(*args, **kw)
        self.assertEqual(r.returncode, code,
                         "%s: %s" % (" ".join(args), r.stderr.decode()))
        return r

    def collect(self, conf=None):
        self.ok("collect", conf=conf)

    # the ledger, read-only

    def db(self):
        c = sqlite3.connect("file:%s?mode=ro" % self.state, uri=True)
        c.row_factory = sqlite3.Row
        self.addCleanup(c.close)
        return c

    def issues(self):
        return [dict(r) for r in
                self.db().execute("SELECT * FROM issues ORDER BY number")]

    def ledger(self, number=None):
        """{address: row} of issue number (default: the last one)."""
        c = self.db()
        if number is None:
            number = c.execute("SELECT max(number) FROM issues").fetchone()[0]
        rows = c.execute("SELECT d.* FROM deliveries d JOIN issues i ON "
                         "i.id = d.issue_id WHERE i.number = ?", (number,))
        return {r["address"]: dict(r) for r in rows}

    def assert_ledger(self, expect, number=None):
        """expect: {address: status}; the ledger has exactly these."""
        got = {a: r["status"] for a, r in self.ledger(number).items()}
        self.assertEqual(got, expect)

    def assert_all_still_to_send(self, subs, reason):
        """Nothing was handed over: no row sent or failed.  The one message
        in flight when the connection failed is recorded as deferred with
        the reason (libcurl reports a connection failure against the
        transfer it was opened for); every other row is still pending."""
        led = self.ledger()
        self.assertEqual(set(led), set(subs))
        deferred = [r for r in led.values() if r["status"] == DEFERRED]
        self.assertLessEqual(len(deferred), 1, deferred)
        for r in deferred:
            self.assertEqual(r["attempts"], 1)
            self.assertIn(reason, r["reply"])
        for r in led.values():
            if r["status"] != DEFERRED:
                self.assertEqual((r["status"], r["attempts"]), (PENDING, 0))
        self.assertEqual([i["status"] for i in self.issues()], [0])

    # the messages

    def check_eml(self, raw):
        if not CHECK_EML or not os.path.exists(CHECK_EML):
            oracle.missing(self, "check-eml at %s" % (CHECK_EML or
                                                       "(AD_CONFORMANCE_DIR unset)"))
            return
        path = os.path.join(self.dir, "check.eml")
        with open(path, "wb") as f:
            f.write(raw)
        r = subprocess.run([PY, CHECK_EML, path], capture_output=True)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())

    def parse(self, raw):
        m = email.message_from_bytes(raw, policy=email.policy.default)
        for part in m.walk():
            self.assertEqual(part.defects, [], part.get_content_type())
        self.check_eml(raw)
        return m

    def text_of(self, m):
        part = m.get_body(preferencelist=("plain",))
        return part.get_content()

    def check_message(self, raw, address, name=None, text_only=False):
        """The headers, personal parts and structure of one message;
        returns (parsed message, unsubscribe token)."""
        m = self.parse(raw)
        to = email.utils.getaddresses([str(m["To"])])
        self.assertEqual([a for _, a in to], [address])
        if name:
            self.assertEqual(to[0][0], name)
        self.assertEqual(m["Precedence"], "bulk")
        self.assertEqual(m["List-Id"], "Arctic Digest <arctic-digest.example.org>")
        self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        lu = re.sub(r"\s+", " ", str(m["List-Unsubscribe"]))
        self.assertRegex(lu, r"<mailto:[^>]+@[^>]+>")
        tok = re.search(r"<https://example\.org/unsubscribe\?token=([^>]+)>", lu)
        self.assertIsNotNone(tok, lu)
        self.assertRegex(str(m["Message-ID"]), r"^<[^<>@\s]+@[^<>@\s]+>$")
        text = self.text_of(m)
        if name:
            self.assertIn("Dear %s," % name, text)
        else:
            self.assertNotIn("Dear", text)
        self.assertIn(tok.group(1), text.replace("\n", ""))
        if text_only:
            # No HTML anywhere; the citations are still attached.
            self.assertIsNone(m.get_body(preferencelist=("html",)))
            self.assertNotIn("text/html",
                             [p.get_content_type() for p in m.walk()])
            self.assertEqual(m.get_body(preferencelist=("plain",))
                             .get_content_type(), "text/plain")
        else:
            self.assertTrue(m.is_multipart())
            html = m.get_body(preferencelist=("html",)).get_content()
            if name:
                self.assertIn("Dear %s," % name, html)
            self.assertIn(tok.group(1), html)
        return m, tok.group(1)

    def by_rcpt(self, server):
        out = {}
        for rcpt, raw in server.messages():
            out.setdefault(rcpt, []).append(raw)
        return out

    # the cases

    def three_subscribers(self):
        self.write_subs([
            ("sigrid@example.org", "Sigrid Nordström", "active", "", "html"),
            ("aputsiaq@example.net", "", "active", "", "text"),
            ("maija@example.com", "Maija Niemi", "active", "", "html")])
        return {"sigrid@example.org": ("Sigrid Nordström", False),
                "aputsiaq@example.net": (None, True),
                "maija@example.com": ("Maija Niemi", False)}

    def test_plain_smtp_delivers_one_personalised_message_each(self):
        subs = self.three_subscribers()
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.collect()
        self.ok("send")
        got = self.by_rcpt(srv)
        self.assertEqual(sorted(got), sorted(subs))
        tokens = {}
        for addr, (name, text_only) in subs.items():
            self.assertEqual(len(got[addr]), 1, addr)
            _, tokens[addr] = self.check_message(got[addr][0], addr, name,
                                                 text_only)
        self.assertEqual(len(set(tokens.values())), 3)
        self.assertEqual({e["from"] for e in srv.events("mail")},
                         {"digest@example.org"})
        self.assertEqual(srv.events("auth"), [])
        self.assert_ledger({a: SENT for a in subs})
        for row in self.ledger().values():
            self.assertEqual(row["code"], 250)
            self.assertEqual(row["attempts"], 1)
        self.assertEqual([i["status"] for i in self.issues()], [1])
        # a second send has nothing new to send
        self.ok("send")
        self.assertEqual(srv.count(), 3)
        self.assertEqual(len(self.issues()), 1)
        # the token in the message unsubscribes its subscriber
        self.ok("subscribers", "unsubscribe", "--token", "-",
                stdin=tokens["maija@example.com"].encode())
        with open(self.subs, encoding="utf-8") as f:
            self.assertRegex(f.read(), r"(?m)^maija@example\.com,Maija Niemi,unsubscribed,")

    def test_an_address_no_message_can_go_to_fails_alone(self):
        # add refuses an internationalised domain, but a hand edit can
        # still put one in the list and no message can be addressed to it
        # here: that subscriber fails alone, the others get the issue, and
        # the issue is finished.
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.write_subs([("sigrid@example.org", "Sigrid", "active", "", "html"),
                         ("anna@b\u00fccher.example", "", "active", "", "html")])
        self.ok("subscribers", "add", "zoe@example.org")
        self.collect()
        r = self.ok("send")
        self.assertIn("anna@b\u00fccher.example: failed", r.stderr.decode())
        self.assertEqual(sorted(self.by_rcpt(srv)),
                         ["sigrid@example.org", "zoe@example.org"])
        self.assert_ledger({"sigrid@example.org": SENT,
                            "zoe@example.org": SENT,
                            "anna@b\u00fccher.example": FAILED})
        row = self.ledger()["anna@b\u00fccher.example"]
        self.assertEqual(row["code"], 0)
        self.assertIn("no SMTPUTF8", row["reply"])
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_body_arrives_exactly_as_composed(self):
        # The same issue composed into the outbox (same state, secret and
        # clock) is byte for byte what the server received: SMTP's
        # dot-stuffing and the server's unstuffing left it intact.
        subs = self.three_subscribers()
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.collect()
        shutil.copy(self.state, self.state + ".before")
        self.ok("send")
        received = {a: r[0] for a, r in self.by_rcpt(srv).items()}
        os.replace(self.state + ".before", self.state)
        self.write_conf(None)
        self.ok("send")
        new = os.path.join(self.dir, "outbox", "new")
        composed = {}
        for n in os.listdir(new):
            with open(os.path.join(new, n), "rb") as f:
                raw = f.read()
            m = email.message_from_bytes(raw, policy=email.policy.default)
            composed[email.utils.parseaddr(str(m["To"]))[1]] = raw
        self.assertEqual(sorted(composed), sorted(subs))
        for a in subs:
            self.assertEqual(received[a].rstrip(b"\r\n"),
                             composed[a].rstrip(b"\r\n"), a)
            self.assertNotRegex(received[a], rb"(?m)^\.\.")

    def starttls_server(self, mechs):
        c = certs()
        return self.aiosmtpd("--starttls", c + "/server.pem", c + "/server.key",
                             "--require-starttls", "--auth", "digest", "s3cret pw",
                             "--auth-mechs", mechs), c

    def check_tls_auth(self, srv, mech):
        subs = {"sigrid@example.org", "aputsiaq@example.net", "maija@example.com"}
        self.assertEqual({a for a, _ in srv.messages()}, subs)
        self.assertEqual(srv.count(), 3)
        auth = srv.events("auth")
        self.assertTrue(auth)
        for e in auth:
            self.assertEqual((e["mechanism"], e["user"], e["ok"], e["tls"]),
                             (mech, "digest", True, True))
        # one connection for the whole run: TLS and AUTH once
        self.assertEqual(len(srv.events("starttls")), 1)
        self.assertEqual(len(auth), 1)
        self.assert_ledger({a: SENT for a in subs})

    def test_starttls_with_own_ca_and_auth_plain_from_env(self):
        self.three_subscribers()
        srv, c = self.starttls_server("PLAIN")
        self.write_conf(srv, smtp={"tls": "required", "user": "digest",
                                   "password_env": "AD_TEST_SMTP_PW",
                                   "ca_file": c + "/ca.pem"})
        self.collect()
        self.ok("send", env={"AD_TEST_SMTP_PW": "s3cret pw"})
        self.check_tls_auth(srv, "PLAIN")

    def test_starttls_auth_login_with_password_file(self):
        self.three_subscribers()
        srv, c = self.starttls_server("LOGIN")
        pw = os.path.join(self.dir, "smtp.password")
        with open(os.open(pw, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("s3cret pw\n")
        self.write_conf(srv, smtp={"tls": "starttls", "user": "digest",
                                   "password_file": "smtp.password",
                                   "ca_file": c + "/ca.pem"})
        self.collect()
        self.ok("send")
        self.check_tls_auth(srv, "LOGIN")

    def test_readable_password_file_is_refused(self):
        self.three_subscribers()
        srv, c = self.starttls_server("PLAIN")
        pw = os.path.join(self.dir, "smtp.password")
        with open(pw, "w") as f:
            f.write("s3cret pw\n")
        os.chmod(pw, 0o644)
        self.write_conf(srv, smtp={"tls": "required", "user": "digest",
                                   "password_file": "smtp.password",
                                   "ca_file": c + "/ca.pem"})
        self.collect()
        r = self.ok("send", code=78)
        err = r.stderr.decode()
        self.assertIn("password_file", err)
        self.assertIn("smtp.password", err)
        self.assertIn("readable by group or others", err)
        self.assertEqual(srv.events("connect"), [])
        self.assertEqual(srv.count(), 0)
        # a configuration error freezes no issue
        self.assertEqual(self.issues(), [])
        os.chmod(pw, 0o600)
        self.ok("send")
        self.check_tls_auth(srv, "PLAIN")

    def test_tls_required_without_starttls_sends_nothing(self):
        subs = self.three_subscribers()
        # AUTH is offered in the clear: a client that fell back would use it
        bad = self.aiosmtpd("--auth", "digest", "s3cret pw", "--auth-plaintext")
        self.write_conf(bad, smtp={"tls": "required", "user": "digest",
                                   "password_env": "AD_TEST_SMTP_PW"})
        self.collect()
        r = self.ok("send", code=69, env={"AD_TEST_SMTP_PW": "s3cret pw"})
        self.assertIn("STARTTLS", r.stderr.decode())
        self.assertEqual(bad.events("auth"), [])
        self.assertEqual(bad.events("mail"), [])
        self.assertEqual(bad.count(), 0)
        self.assert_all_still_to_send(subs, "STARTTLS")
        # the next send, to a good server, delivers the frozen issue to all
        good, c = self.starttls_server("PLAIN")
        self.write_conf(good, smtp={"tls": "required", "user": "digest",
                                    "password_env": "AD_TEST_SMTP_PW",
                                    "ca_file": c + "/ca.pem"})
        self.ok("send", env={"AD_TEST_SMTP_PW": "s3cret pw"})
        self.check_tls_auth(good, "PLAIN")
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_untrusted_certificate_is_refused(self):
        subs = self.three_subscribers()
        c = certs()
        srv = self.aiosmtpd("--starttls", c + "/server.pem", c + "/server.key")
        self.write_conf(srv, smtp={"tls": "required",
                                   "ca_file": c + "/other-ca.pem"})
        self.collect()
        r = self.ok("send", code=69)
        self.assertIn("TLS", r.stderr.decode())
        self.assertEqual(srv.events("mail"), [])
        self.assert_all_still_to_send(subs, "TLS")

    def test_unreachable_server_is_69(self):
        subs = self.three_subscribers()
        srv = self.aiosmtpd()
        port = srv.port
        srv.stop()
        self.write_conf(srv)
        self.collect()
        r = self.ok("send", code=69)
        self.assertIn("cannot connect", r.stderr.decode())
        self.assert_all_still_to_send(subs, "cannot connect")
        self.assertEqual(srv.port, port)

    # faults

    def test_421_at_connect_defers_and_next_send_delivers(self):
        subs = self.three_subscribers()
        srv = self.faults("--greet-421")
        self.write_conf(srv)
        self.collect()
        r = self.ok("send", code=75)
        self.assertIn("421", r.stderr.decode())
        self.assertEqual(srv.count(), 0)
        # tried again within the run: retries = 2
        self.assertEqual(len(srv.events("connect")), 3)
        led = self.ledger()
        self.assertEqual(set(led), set(subs))
        self.assertNotIn(SENT, [r["status"] for r in led.values()])
        self.assertNotIn(FAILED, [r["status"] for r in led.values()])
        self.assertEqual([i["status"] for i in self.issues()], [0])
        # run finishes the frozen issue first (and finds nothing new after)
        good = self.aiosmtpd()
        self.write_conf(good)
        self.ok("run")
        self.assertEqual(sorted(a for a, _ in good.messages()), sorted(subs))
        self.assert_ledger({a: SENT for a in subs})
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_421_once_at_connect_is_retried_within_the_run(self):
        subs = self.three_subscribers()
        srv = self.faults("--greet-421", "--once")
        self.write_conf(srv, smtp={"retries": "1", "retry_delay": "0"})
        self.collect()
        self.ok("send")
        self.assertEqual(len(srv.events("connect")), 2)
        self.assertEqual(sorted(a for a, _ in srv.messages()), sorted(subs))
        self.assert_ledger({a: SENT for a in subs})
        self.assertEqual(sorted(r["attempts"] for r in self.ledger().values()),
                         [1, 1, 2])
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_450_is_retried_then_deferred_then_sent_next_run(self):
        subs = self.three_subscribers()
        busy = "maija@example.com"
        srv = self.faults("--r450", busy)
        self.write_conf(srv, smtp={"retries": "2", "retry_delay": "0"})
        self.collect()
        self.ok("send", code=75)
        self.assertEqual(sorted(a for a, _ in srv.messages()),
                         sorted(set(subs) - {busy}))
        self.assertEqual(len([e for e in srv.events("rcpt")
                              if e["to"] == busy]), 3)
        led = self.ledger()
        self.assertEqual((led[busy]["status"], led[busy]["code"],
                          led[busy]["attempts"]), (DEFERRED, 450, 3))
        self.assertIn("mailbox busy", led[busy]["reply"])
        # Nothing pending: the issue is sent, and its deferred row is left
        # for the next runs (it never holds back the next issue).
        self.assertEqual([i["status"] for i in self.issues()], [1])
        srv.stop()
        good = self.faults()
        self.write_conf(good)
        self.ok("send")
        got = good.messages()
        self.assertEqual([a for a, _ in got], [busy])
        self.check_message(got[0][1], busy, "Maija Niemi")
        self.assert_ledger({a: SENT for a in subs})
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_550_fails_with_the_reply_kept(self):
        subs = self.three_subscribers()
        gone = "aputsiaq@example.net"
        srv = self.faults("--r550", gone)
        self.write_conf(srv)
        self.collect()
        self.ok("send")
        self.assertEqual(sorted(a for a, _ in srv.messages()),
                         sorted(set(subs) - {gone}))
        # a permanent failure is not retried
        self.assertEqual(len([e for e in srv.events("rcpt")
                              if e["to"] == gone]), 1)
        led = self.ledger()
        self.assertEqual((led[gone]["status"], led[gone]["code"]), (FAILED, 550))
        self.assertIn("5.1.1", led[gone]["reply"])
        self.assertIn("recipient unknown", led[gone]["reply"])
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_552_at_end_of_data_fails(self):
        subs = self.three_subscribers()
        big = "sigrid@example.org"
        srv = self.faults("--r552", big)
        self.write_conf(srv)
        self.collect()
        self.ok("send")
        self.assertEqual(sorted(a for a, _ in srv.messages()),
                         sorted(set(subs) - {big}))
        led = self.ledger()
        self.assertEqual((led[big]["status"], led[big]["code"]), (FAILED, 552))
        self.assertIn("too big", led[big]["reply"])
        for a in set(subs) - {big}:
            self.assertEqual(led[a]["status"], SENT)
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_connection_dropped_during_data_is_retried(self):
        subs = self.three_subscribers()
        victim = "sigrid@example.org"
        srv = self.faults("--drop", victim, "--once", "--drop-after", "2000")
        self.write_conf(srv)
        self.collect()
        self.ok("send")
        self.assertEqual(len(srv.events("fault")), 1)
        got = self.by_rcpt(srv)
        self.assertEqual(sorted(got), sorted(subs))
        self.assertEqual(len(got[victim]), 1)
        self.check_message(got[victim][0], victim, "Sigrid Nordström")
        led = self.ledger()
        self.assertEqual((led[victim]["status"], led[victim]["attempts"]),
                         (SENT, 2))
        self.assert_ledger({a: SENT for a in subs})

    def test_stall_before_rcpt_reply_times_out_and_is_retried(self):
        subs = self.three_subscribers()
        victim = "maija@example.com"
        srv = self.faults("--stall-at", "rcpt", "--stall-rcpt", victim,
                          "--stall-secs", "4", "--once")
        self.write_conf(srv, smtp={"timeout": "2"})
        self.collect()
        t0 = time.monotonic()
        self.ok("send")
        self.assertLess(time.monotonic() - t0, 30)
        got = self.by_rcpt(srv)
        self.assertEqual(sorted(got), sorted(subs))
        self.assertEqual(len(got[victim]), 1)
        led = self.ledger()
        self.assertEqual((led[victim]["status"], led[victim]["attempts"]),
                         (SENT, 2))
        self.assert_ledger({a: SENT for a in subs})

    def test_stall_after_data_may_duplicate_once_with_the_same_id(self):
        subs = self.three_subscribers()
        victim = "maija@example.com"
        srv = self.faults("--stall-at", "data-end", "--stall-rcpt", victim,
                          "--stall-secs", "3", "--once")
        self.write_conf(srv, smtp={"timeout": "2", "retry_delay": "1"})
        self.collect()
        self.ok("send")
        deadline = time.monotonic() + 10  # the stalled session stores late
        while srv.count() < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        got = self.by_rcpt(srv)
        self.assertEqual(sorted(got), sorted(subs))
        # the server stores the first copy after its stall, when the
        # client has given up on it: the one duplicate the issue allows
        self.assertEqual(len(got[victim]), 2)
        ids = {email.message_from_bytes(raw)["Message-ID"] for raw in got[victim]}
        self.assertEqual(len(ids), 1, "Message-ID changed across a retry")
        for a in subs:
            if a != victim:
                self.assertEqual(len(got[a]), 1)
        self.assert_ledger({a: SENT for a in subs})
        self.assertEqual(self.ledger()[victim]["attempts"], 2)

    # crash safety

    def many_subscribers(self, n=300):
        rows = [("reader%03d@example.org" % i, "Reader %d" % i, "active", "",
                 "html" if i % 10 == 0 else "text") for i in range(n)]
        self.write_subs(rows)
        return {r[0] for r in rows}

    def check_everyone_once(self, servers, subs):
        count = {}
        for s in servers:
            for a, _ in s.messages():
                count[a] = count.get(a, 0) + 1
        self.assertEqual(set(count), subs)
        twice = [a for a, n in count.items() if n > 1]
        self.assertLessEqual(len(twice), 1, twice)
        self.assertEqual(max(count.values()), 1 if not twice else 2)
        self.assert_ledger({a: SENT for a in subs})
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_sigkill_mid_run_then_send_finishes_the_same_issue(self):
        subs = self.many_subscribers()
        srv = self.aiosmtpd()
        self.write_conf(srv, smtp={"connections": "1"})
        self.collect()
        p = subprocess.Popen([BIN, "-c", self.conf, "send"], cwd=self.dir,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while srv.count() < 100 and p.poll() is None and \
                time.monotonic() < deadline:
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.wait()
        before = srv.count()
        self.assertGreaterEqual(before, 100)
        self.assertLess(before, 300, "the run finished before the kill")
        self.assertEqual([i["status"] for i in self.issues()], [0])
        self.ok("send")
        self.check_everyone_once([srv], subs)
        number = {email.message_from_bytes(raw)["Subject"] for _, raw in
                  srv.messages()}
        self.assertEqual(len(number), 1, "more than one issue went out")

    def test_server_dropping_mid_run_then_everyone_once(self):
        subs = self.many_subscribers()
        srv = self.faults("--drop-nth", "100")
        self.write_conf(srv, smtp={"connections": "1"})
        self.collect()
        self.ok("send")
        self.assertEqual(len(srv.events("fault")), 1)
        self.check_everyone_once([srv], subs)

    # the outbox

    def test_fresh_checkout_run_fills_the_outbox(self):
        listed = os.path.join(SRC, "subscribers", "subscribers.csv")
        with open(listed, "rb") as f:
            before = f.read()
        import csv
        import io
        active = {r["email"] for r in csv.DictReader(io.StringIO(
            before.decode("utf-8-sig"))) if r["status"] == "active"}
        work = os.path.join(self.dir, "fresh")
        os.mkdir(work)

        def run():
            r = subprocess.run([BIN, "run"], cwd=work, capture_output=True,
                               timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr.decode())

        run()
        new = os.path.join(work, "outbox", "new")
        names = sorted(os.listdir(new))
        to = set()
        for n in names:
            with open(os.path.join(new, n), "rb") as f:
                m = self.parse(f.read())
            to.add(email.utils.parseaddr(str(m["To"]))[1])
        self.assertEqual(len(names), len(active))
        self.assertEqual(to, active)
        self.assertEqual(os.listdir(os.path.join(work, "outbox", "tmp")), [])
        self.state = os.path.join(work, "arctic-digest.db")
        self.assert_ledger({a: SENT for a in active})
        run()
        self.assertEqual(sorted(os.listdir(new)), names)
        self.assertEqual(len(self.issues()), 1)
        with open(listed, "rb") as f:
            self.assertEqual(f.read(), before)

    # subscribers

    def test_unsubscribed_before_the_send_gets_nothing(self):
        subs = self.three_subscribers()
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.collect()
        self.ok("subscribers", "unsubscribe", "maija@example.com")
        self.ok("send")
        self.assertEqual(sorted(a for a, _ in srv.messages()),
                         sorted(set(subs) - {"maija@example.com"}))
        self.assert_ledger({a: SENT for a in set(subs) - {"maija@example.com"}})

    def test_unsubscribed_after_the_freeze_gets_nothing(self):
        subs = self.three_subscribers()
        srv = self.faults("--greet-421", "--once")
        self.write_conf(srv, smtp={"retries": "0"})
        self.collect()
        self.ok("send", code=75)
        self.assertEqual(srv.count(), 0)
        self.assertEqual(set(self.ledger()), set(subs))
        self.ok("subscribers", "unsubscribe", "maija@example.com")
        self.ok("send")
        self.assertEqual(sorted(a for a, _ in srv.messages()),
                         sorted(set(subs) - {"maija@example.com"}))
        led = self.ledger()
        self.assertEqual(led["maija@example.com"]["status"], FAILED)
        self.assertEqual(led["maija@example.com"]["code"], 0)
        self.assertEqual([i["status"] for i in self.issues()], [1])

    def test_topic_tag_selects_only_that_topics_articles(self):
        self.write_subs([
            ("sigrid@example.org", "Sigrid", "active", "", "text"),
            ("maija@example.com", "Maija", "active", "security", "text")])
        terms = ["NATO", "military", "defence"]
        srv = self.aiosmtpd()
        self.write_conf(srv, topics={"security": ", ".join(terms)})
        self.collect()
        self.ok("send")
        got = {a: self.parse(r[0]) for a, r in self.by_rcpt(srv).items()}
        c = self.db()
        arts = c.execute("SELECT a.id, a.title, a.abstract FROM issue_articles "
                         "ia JOIN articles a ON a.id = ia.article_id "
                         "ORDER BY ia.pos").fetchall()
        self.assertGreater(len(arts), 3)
        norm = lambda s: re.sub(r"\s+", " ", s or "").strip()
        matching, other = [], []
        for a in arts:
            kws = [k[0] for k in c.execute("SELECT keyword FROM article_keywords "
                                           "WHERE article_id = ?", (a["id"],))]
            hay = " ".join([a["title"] or "", a["abstract"] or ""] + kws).lower()
            (matching if any(t.lower() in hay for t in terms) else other).append(
                norm(a["title"]))
        self.assertTrue(matching and other, (matching, other))
        all_text = norm(self.text_of(got["sigrid@example.org"]))
        tagged = norm(self.text_of(got["maija@example.com"]))
        for t in matching:
            self.assertIn(t, all_text)
            self.assertIn(t, tagged)
        for t in other:
            self.assertIn(t, all_text)
            self.assertNotIn(t, tagged)
        self.assertIn("%d new articles" % len(matching),
                      str(got["maija@example.com"]["Subject"]))

    def test_three_refusals_in_a_row_mark_bounced(self):
        subs = self.three_subscribers()
        gone = "aputsiaq@example.net"
        srv = self.faults("--r550", gone)
        self.write_conf(srv, digest={"empty": "send"})
        self.collect()

        def status():
            with open(self.subs, encoding="utf-8") as f:
                return re.search(r"(?m)^%s,[^,]*,([a-z]+)," % re.escape(gone),
                                 f.read()).group(1)

        for week, now in enumerate(("2025-07-28T07:00:00Z",
                                    "2025-08-04T07:00:00Z",
                                    "2025-08-11T07:00:00Z")):
            self.assertEqual(status(), "active")
            self.ok("send", now=now)
            self.assertEqual(self.ledger(week + 1)[gone]["status"], FAILED)
        self.assertEqual(len(self.issues()), 3)
        self.assertEqual(status(), "bounced")
        self.assertEqual(len([a for a, _ in srv.messages() if a == gone]), 0)
        self.assertEqual(len(srv.messages()), 6)
        # the fourth issue is not addressed to it at all
        self.ok("send", now="2025-08-18T07:00:00Z")
        self.assertNotIn(gone, self.ledger(4))
        self.assertEqual(len(srv.events("rcpt")), 6 + 3 + 2)

    # dry run

    def test_dry_run_sends_and_records_nothing(self):
        self.three_subscribers()
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.collect()
        r = self.ok("send", "--dry-run")
        self.assertIn("3 subscribers", r.stderr.decode())
        self.assertEqual(srv.count(), 0)
        self.assertEqual(srv.events("connect"), [])
        self.assertEqual(self.issues(), [])
        self.assertEqual(self.db().execute(
            "SELECT count(*) FROM deliveries").fetchone()[0], 0)
        # run --dry-run, into the outbox: no file, no issue either
        self.write_conf(None)
        self.ok("run", "--dry-run")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "outbox", "new")))
        self.assertEqual(self.issues(), [])
        # and the real send afterwards is issue 1
        self.ok("send")
        self.assertEqual([(i["number"], i["status"]) for i in self.issues()],
                         [(1, 1)])
        self.assertEqual(len(os.listdir(os.path.join(self.dir, "outbox", "new"))), 3)


def main():
    adtest.require_aiosmtpd()
    if not shutil.which("openssl"):
        oracle.require("openssl (test certificates)")
    try:
        oracle.main()
    finally:
        if CERTS:
            shutil.rmtree(CERTS, ignore_errors=True)


if __name__ == "__main__":
    main()

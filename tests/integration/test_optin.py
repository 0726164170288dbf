#!/usr/bin/python3
"""Sign-up with double opt-in, end to end: `subscribers subscribe` (and
examples/subscribe.cgi run as a CGI) records a pending subscriber and
mails the confirmation through a real SMTP server (aiosmtpd on
127.0.0.1); the link's token, read from the mail as received, confirms
through the CLI or the CGI; `send` then delivers the next issue to the
confirmed address and none to a pending one.  Expired, forged and foreign
tokens are refused, a second confirmation within a day is refused, and
`run` drops sign-ups whose link expired."""
import base64
import csv
import os
import re
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

NOW = adtest.NOW  # 2025-07-28T07:00:00Z, the config's clock
LATER_SAME_DAY = "2025-07-28T23:00:00Z"
NEXT_DAY = "2025-07-29T07:00:01Z"
WEEK_LATER = "2025-08-04T07:00:00Z"       # the last second a link works
EXPIRED = "2025-08-04T07:00:01Z"
SIGNUP = "https://digest.example.org/subscribe"
CGI = os.path.join(adtest.SRC, "examples", "subscribe.cgi")
CONF_DIR = os.environ.get("AD_CONFORMANCE_DIR", "")
CHECK_EML = (os.path.join(CONF_DIR, "..", "tools", "check-eml")
             if CONF_DIR else "")


class OptIn(adtest.Folder):
    def setUp(self):
        super().setUp()
        self.smtp = self.aiosmtpd()
        self.write_conf(self.smtp, digest={"subscribe_url": SIGNUP})
        self.write_subs([("ann@example.org", "Ann", "active", "", "html")])

    # helpers

    def rows(self):
        with open(self.subs, encoding="utf-8", newline="") as f:
            return {r["email"].lower(): r for r in csv.DictReader(f)}

    def status(self, addr):
        r = self.rows().get(addr)
        return r["status"] if r else None

    def fails(self, code, *args, **kw):
        r = self.ad(*args, **kw)
        self.assertEqual(r.returncode, code, r.stderr.decode())
        return r.stderr.decode()

    def check_eml(self, raw):
        if not CHECK_EML or not os.path.exists(CHECK_EML):
            oracle.missing(self, "check-eml at %s" % (
                CHECK_EML or "(AD_CONFORMANCE_DIR unset)"))
            return
        path = os.path.join(self.tmpdir(), "confirm.eml")
        with open(path, "wb") as f:
            f.write(raw)
        r = subprocess.run([adtest.PY, CHECK_EML, path], capture_output=True)
        self.assertEqual(r.returncode, 0,
                         r.stdout.decode() + r.stderr.decode())

    def confirmations(self, addr):
        """The confirmation mails addr received, parsed and checked."""
        out = []
        for rcpt, raw in self.smtp.messages():
            if rcpt.lower() != addr:
                continue
            m = self.parse(raw)
            if not m["Subject"].startswith("Confirm your subscription"):
                continue
            self.check_eml(raw)
            out.append(m)
        return out

    def token_of(self, m):
        """The token of the mail's link, checked to point at SIGNUP."""
        text = self.text_of(m)
        links = re.findall(r"https://\S+", text)
        self.assertEqual(len(links), 1, text)
        url = urllib.parse.urlsplit(links[0])
        self.assertEqual("%s://%s%s" % url[:3], SIGNUP)
        return urllib.parse.parse_qs(url.query)["token"][0]

    def digests(self):
        """Addresses that received a digest."""
        return sorted(rcpt.lower() for rcpt, raw in self.smtp.messages()
                      if not self.parse(raw)["Subject"]
                      .startswith("Confirm your subscription"))

    def cgi(self, method, query="", body=b"", env=None):
        e = dict(os.environ, REQUEST_METHOD=method, QUERY_STRING=query,
                 CONTENT_LENGTH=str(len(body)), ARCTIC_DIGEST_BIN=adtest.BIN,
                 ARCTIC_DIGEST_CONF=self.conf,
                 CONTENT_TYPE="application/x-www-form-urlencoded")
        e.update(env or {})
        r = subprocess.run([adtest.PY, CGI], input=body, env=e,
                           capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertNotIn(b"Traceback", r.stderr)
        head, _, page = r.stdout.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Length: %d\r\n" % len(page), head + b"\r\n")
        return head.decode().splitlines()[0], page.decode()

    # the CLI

    def test_cli_subscribe_confirm_then_the_next_issue(self):
        r = self.ok("subscribers", "subscribe", "Bjorn@Example.org",
                    "--name", "Bjørn Ødegård", "--tags", "security")
        self.assertIn("pending", r.stderr.decode())
        self.assertEqual(self.status("bjorn@example.org"), "pending")
        self.assertEqual(self.rows()["bjorn@example.org"]["subscribed_at"],
                         NOW)
        (m,) = self.confirmations("bjorn@example.org")
        # A proper message: encoded headers, Date, Message-ID, no defects.
        self.assertEqual(m["To"].addresses[0].display_name, "Bjørn Ødegård")
        self.assertEqual(m["To"].addresses[0].addr_spec, "Bjorn@Example.org")
        self.assertIn(b"=?UTF-8?", dict(
            (rcpt, raw) for rcpt, raw in self.smtp.messages())[
                "Bjorn@Example.org"].split(b"\r\n\r\n")[0])
        self.assertRegex(m["Message-ID"], r"^<[^<>@\s]+@example\.org>$")
        self.assertEqual(m["Date"].datetime.isoformat(),
                         "2025-07-28T07:00:00+00:00")
        self.assertEqual(m.get_content_type(), "text/plain")
        self.assertIn("Bjørn Ødegård", self.text_of(m))
        token = self.token_of(m)

        # Pending: no digest.
        self.ok("subscribers", "subscribe", "pat@example.org")
        self.ok("subscribers", "confirm", "--token", token)
        self.assertEqual(self.status("bjorn@example.org"), "active")
        self.assertEqual(self.rows()["bjorn@example.org"]["tags"], "security")
        # Confirming again changes nothing and says so.
        r = self.ok("subscribers", "confirm", "--token", token)
        self.assertIn("already subscribed", r.stderr.decode())
        self.ok("collect")
        self.ok("send")
        self.assertEqual(self.digests(),
                         ["ann@example.org", "bjorn@example.org"])
        self.assertEqual(self.status("pat@example.org"), "pending")

    def test_rate_limit_one_confirmation_a_day(self):
        self.ok("subscribers", "subscribe", "bo@example.org")
        err = self.fails(75, "subscribers", "subscribe", "BO@example.org",
                         now=LATER_SAME_DAY)
        self.assertIn("another can be sent from 2025-07-29T07:00:00Z", err)
        self.assertEqual(len(self.confirmations("bo@example.org")), 1)
        self.ok("subscribers", "subscribe", "bo@example.org", now=NEXT_DAY)
        first, second = self.confirmations("bo@example.org")
        self.assertNotEqual(first["Message-ID"], second["Message-ID"])
        self.assertEqual(self.rows()["bo@example.org"]["subscribed_at"],
                         NEXT_DAY)
        # Either link works.
        self.ok("subscribers", "confirm", "--token", "-",
                stdin=(self.token_of(first) + "\n").encode(),
                now=WEEK_LATER)
        self.assertEqual(self.status("bo@example.org"), "active")

    def test_active_unsubscribed_and_invalid_addresses(self):
        r = self.ok("subscribers", "subscribe", "ANN@example.org")
        self.assertIn("already subscribed", r.stderr.decode())
        self.write_subs([("ann@example.org", "Ann", "active", "", "html"),
                         ("uma@example.org", "Uma", "unsubscribed", "",
                          "html")])
        before = self.rows()
        err = self.fails(65, "subscribers", "subscribe", "uma@example.org")
        self.assertIn("unsubscribed", err)
        self.fails(65, "subscribers", "subscribe", "no-domain@localhost")
        # The editor's add confirms a pending sign-up.
        self.ok("subscribers", "subscribe", "pia@example.org")
        r = self.ok("subscribers", "add", "PIA@example.org")
        self.assertIn("signed up but not confirmed", r.stderr.decode())
        self.assertEqual(self.status("pia@example.org"), "active")
        self.write_subs([("ann@example.org", "Ann", "active", "", "html"),
                         ("uma@example.org", "Uma", "unsubscribed", "",
                          "html")])
        self.smtp_seen = len(self.smtp.messages())
        self.fails(65, "subscribers", "subscribe", "x@example.org",
                   "--name", "Eve\nBcc: victim@example.org")
        # An address that looks like an option is an address after "--".
        self.fails(65, "subscribers", "subscribe", "--", "--name")
        self.assertEqual(self.rows(), before)
        self.assertEqual(len(self.smtp.messages()), self.smtp_seen)

    def test_expired_forged_and_foreign_tokens_are_refused(self):
        self.ok("subscribers", "subscribe", "cy@example.org")
        token = self.token_of(self.confirmations("cy@example.org")[0])
        err = self.fails(65, "subscribers", "confirm", "--token", token,
                         now=EXPIRED)
        self.assertIn("expired at 2025-08-04T07:00:00Z", err)
        payload, mac = token.split(".")
        # Another address (or a later expiry) under the same MAC.
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        for forged_payload in (raw.replace(b"cy@", b"mallory@"),
                               b"9999999999:" + raw.split(b":", 1)[1]):
            forged = (base64.urlsafe_b64encode(forged_payload)
                      .decode().rstrip("=") + "." + mac)
            err = self.fails(65, "subscribers", "confirm", "--token", forged)
            self.assertIn("forged", err)
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        self.fails(65, "subscribers", "confirm", "--token", altered)
        # The unsubscribe token of the same address is no confirmation.
        unsub = self.ok("subscribers", "token", "cy@example.org")
        self.fails(65, "subscribers", "confirm", "--token",
                   unsub.stdout.decode().strip())
        self.fails(65, "subscribers", "confirm", "--token", "garbage")
        self.assertEqual(self.status("cy@example.org"), "pending")
        # The CGI says so too, and changes nothing.
        status, page = self.cgi("POST", "token=" + token, b"",
                                env={"ARCTIC_DIGEST_CONF": self.conf})
        self.assertEqual(status, "Status: 200 OK")  # within the week
        self.assertEqual(self.status("cy@example.org"), "active")
        status, page = self.cgi("POST", "token=" + altered)
        self.assertEqual(status, "Status: 400 Bad Request")
        self.assertIn("not valid or has expired", page)

    def test_run_drops_sign_ups_whose_link_expired(self):
        self.ok("subscribers", "subscribe", "old@example.org")
        self.ok("subscribers", "subscribe", "new@example.org",
                now="2025-08-01T00:00:00Z")
        self.ok("run", now=WEEK_LATER)
        self.assertEqual(self.status("old@example.org"), "pending")
        r = self.ok("run", now=EXPIRED)
        self.assertIn("dropped 1 sign-up", r.stderr.decode())
        self.assertIsNone(self.status("old@example.org"))
        self.assertEqual(self.status("new@example.org"), "pending")
        # Neither was ever sent a digest.
        self.assertNotIn("old@example.org", self.digests())
        self.assertNotIn("new@example.org", self.digests())

    def test_no_mail_no_pending_row(self):
        self.write_conf(digest={"subscribe_url": SIGNUP}, smtp={
            "url": "smtp://127.0.0.1:%d" % adtest.free_port()})
        err = self.fails(69, "subscribers", "subscribe", "di@example.org")
        self.assertIn("not signed up", err)
        self.assertIsNone(self.status("di@example.org"))
        # Without a subscribe_url there is no link to send.
        self.write_conf(self.smtp)
        err = self.fails(78, "subscribers", "subscribe", "di@example.org")
        self.assertIn("subscribe_url", err)

    def test_without_smtp_the_confirmation_goes_to_the_outbox(self):
        self.write_conf(digest={"subscribe_url": SIGNUP + "?list=arctic"})
        r = self.ok("subscribers", "subscribe", "ola@example.org")
        self.assertIn("written to the outbox", r.stderr.decode())
        new = os.path.join(self.dir, "outbox", "new")
        (name,) = os.listdir(new)
        self.assertRegex(name, r"^confirm\.\d+\.[0-9a-f]{24}\.eml$")
        with open(os.path.join(new, name), "rb") as f:
            raw = f.read()
        self.check_eml(raw)
        m = self.parse(raw)
        link = re.search(r"https://\S+", self.text_of(m)).group(0)
        self.assertTrue(link.startswith(SIGNUP + "?list=arctic&token="),
                        link)
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
        self.ok("subscribers", "confirm", "--token", token["token"][0])
        self.assertEqual(self.status("ola@example.org"), "active")
        self.assertEqual(self.smtp.messages(), [])

    # the CGI

    def test_cgi_sign_up_confirm_then_the_next_issue(self):
        status, page = self.cgi("GET")
        self.assertEqual(status, "Status: 200 OK")
        self.assertIn('method="post"', page)
        self.assertIn('name="email"', page)
        body = urllib.parse.urlencode({
            "email": "dag@example.org",
            "name": "Dag <b>Hammar</b>\r\nBcc: x@example.org"}).encode()
        status, page = self.cgi("POST", "", body)
        self.assertEqual(status, "Status: 200 OK", page)
        self.assertIn("dag@example.org", page)
        self.assertEqual(self.status("dag@example.org"), "pending")
        # The name: one line, kept as text.
        self.assertEqual(self.rows()["dag@example.org"]["name"],
                         "Dag <b>Hammar</b> Bcc: x@example.org")
        (m,) = self.confirmations("dag@example.org")
        self.assertEqual(m["To"].addresses[0].addr_spec, "dag@example.org")
        self.assertNotIn("Bcc", [k for k in m.keys()])
        token = self.token_of(m)
        # GET shows a button and changes nothing: scanners fetch links.
        status, page = self.cgi("GET", "token=" + token)
        self.assertEqual(status, "Status: 200 OK")
        self.assertIn('method="post"', page)
        self.assertIn(urllib.parse.quote(token, safe=""), page)
        self.assertEqual(self.status("dag@example.org"), "pending")
        status, page = self.cgi("POST", "token=" + token)
        self.assertEqual(status, "Status: 200 OK")
        self.assertIn("You are subscribed", page)
        self.assertEqual(self.status("dag@example.org"), "active")
        # A second sign-up of an active address: the same neutral answer.
        status, page2 = self.cgi("POST", "", b"email=dag%40example.org")
        self.assertEqual(status, "Status: 200 OK")
        self.assertEqual(len(self.confirmations("dag@example.org")), 1)
        # A pending one the same day: refused, said gently.
        self.cgi("POST", "", b"email=eli%40example.org")
        status, page = self.cgi("POST", "", b"email=eli%40example.org")
        self.assertEqual(status, "Status: 503 Service Unavailable")
        self.assertIn("in the last day", page)
        self.assertEqual(len(self.confirmations("eli@example.org")), 1)
        self.ok("collect")
        self.ok("send")
        self.assertEqual(self.digests(),
                         ["ann@example.org", "dag@example.org"])

    def test_cgi_refuses_bad_input_and_escapes_it(self):
        for body in (b"email=not-an-address", b"email=", b"",
                     b"email=%3Cscript%3E%40example.org",
                     b"email=--name"):
            status, page = self.cgi("POST", "", body)
            self.assertEqual(status, "Status: 400 Bad Request", body)
            self.assertNotIn("<script>", page)
        # Passes the CGI's sieve, refused by the program: shown escaped.
        status, page = self.cgi("POST", "", b"email=a%26b%40example.123")
        self.assertEqual(status, "Status: 400 Bad Request")
        self.assertIn("a&amp;b@example.123", page)
        status, _ = self.cgi("POST", "token=%24%28touch%20x%29.a")
        self.assertEqual(status, "Status: 400 Bad Request")
        status, _ = self.cgi("PUT")
        self.assertEqual(status, "Status: 405 Method Not Allowed")
        status, _ = self.cgi("POST", "", b"email=a%40example.org",
                             env={"CONTENT_LENGTH": "12x"})
        self.assertEqual(status, "Status: 400 Bad Request")
        status, _ = self.cgi("POST", "", b"email=fi%40example.org",
                             env={"ARCTIC_DIGEST_BIN": "/nonexistent"})
        self.assertEqual(status, "Status: 500 Internal Server Error")
        self.assertEqual(self.smtp.messages(), [])
        self.assertEqual(list(self.rows()), ["ann@example.org"])


def main():
    if not os.path.exists(adtest.BIN):
        print("FAIL: %s not built" % adtest.BIN)
        sys.exit(1)
    adtest.require_aiosmtpd()
    oracle.main()


if __name__ == "__main__":
    main()

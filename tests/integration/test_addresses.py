"""Addresses at every door: a list edited by hand with a mix of valid and
invalid addresses; `subscribers check` names each invalid one with its
line, `add` and `import` refuse each with the reason, and `send` against
the aiosmtpd test server (tests/servers/smtp_server.py) delivers to every
valid one exactly once and fails the invalid ones alone in the ledger."""
import csv
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402

SENT, FAILED = 1, 3
HEADER = "email,name,status,tags,subscribed_at,unsubscribed_at,format\n"
NO_UTF8 = ("internationalised addresses cannot be sent by this tool yet "
           "(no SMTPUTF8)")

# (address as the list holds it, the same as one CSV field)
VALID = [
    ("plain@example.org", "plain@example.org"),
    ("anna+digest@example.org", "anna+digest@example.org"),
    ("o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"),
    ("Kari.Hansen@Example.NET", "Kari.Hansen@Example.NET"),
    ("jon@xn--bcher-kva.example", "jon@xn--bcher-kva.example"),
]
# (address, the same as one CSV field, a piece of the reason)
INVALID = [
    ("anna@b\u00fccher.example", "anna@b\u00fccher.example", NO_UTF8),
    ("j\u00f3n@example.org", "j\u00f3n@example.org", NO_UTF8),
    # Cyrillic a (U+0430) in "paypal"
    ("billing@p\u0430ypal.com", "billing@p\u0430ypal.com", NO_UTF8),
    ('"q x"@example.org', '"""q x""@example.org"', "quoted local part"),
    ("john@[192.0.2.1]", "john@[192.0.2.1]", "address literals"),
    ("john@example.com.", "john@example.com.", "empty domain label"),
    ("john@" + "a" * 64 + ".example", "john@" + "a" * 64 + ".example",
     "longer than 63 octets"),
    ("a" * 65 + "@example.org", "a" * 65 + "@example.org",
     "longer than 64 octets"),
    ("postmaster@localhost", "postmaster@localhost", "the domain has no dot"),
]


class Addresses(adtest.Folder):

    def fails(self, code, *args):
        r = self.ad(*args)
        err = r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, code, "%s: %s" % (" ".join(args), err))
        return err

    def write_mixed(self):
        """The list as a person would edit it: valid and invalid rows
        interleaved.  Returns {address: line number}."""
        lines, where = [HEADER], {}
        rows = [x for pair in zip(VALID, INVALID) for x in pair]
        rows += INVALID[len(VALID):]
        for row in rows:
            addr, field = row[0], row[1]
            where[addr] = len(lines) + 1
            lines.append("%s,,active,,2025-01-01T00:00:00Z,,html\n" % field)
        with open(self.subs, "w", encoding="utf-8", newline="") as f:
            f.write("".join(lines))
        return where

    def test_check_names_each_invalid_address_with_its_line(self):
        self.write_conf()
        where = self.write_mixed()
        err = self.fails(65, "subscribers", "check")
        for addr, _, why in INVALID:
            self.assertIn("subscribers.csv:%d: invalid address '%s': "
                          % (where[addr], addr), err)
        for addr, _ in VALID:
            self.assertNotIn("'%s'" % addr, err)
            self.assertNotIn("csv:%d:" % where[addr], err)
        for line in err.splitlines():
            if "invalid address" in line:
                addr = line.split("invalid address '", 1)[1]
                addr = addr.rsplit("': ", 1)[0]
                why = [w for a, _, w in INVALID if a == addr]
                self.assertEqual(len(why), 1, line)
                self.assertIn(why[0], line)
        self.assertIn("%d problems" % len(INVALID), err)

    def test_add_and_import_refuse_each_invalid_address(self):
        self.write_conf()
        self.write_subs([("plain@example.org", "", "active", "", "html")])
        with open(self.subs, "rb") as f:
            before = f.read()
        for addr, _, why in INVALID:
            err = self.fails(65, "subscribers", "add", addr)
            self.assertIn("invalid address '%s': " % addr, err)
            self.assertIn(why, err)
            # one bad address among good ones: nothing is written
            self.fails(65, "subscribers", "add", "new@example.org", addr)
        with open(self.subs, "rb") as f:
            self.assertEqual(f.read(), before)
        src = os.path.join(self.dir, "import.csv")
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write("email,name\n")
            f.write("".join("%s,\n" % field for _, field, _ in INVALID))
            f.write("new@example.org,\n")
        err = self.ok("subscribers", "import", src).stderr.decode()
        for i, (addr, _, why) in enumerate(INVALID):
            self.assertIn("import.csv:%d: invalid address '%s': " % (i + 2, addr),
                          err)
        self.assertIn("added 1, updated 0, unchanged 0, invalid %d"
                      % len(INVALID), err)
        with open(self.subs, encoding="utf-8", newline="") as f:
            listed = [row["email"] for row in csv.DictReader(f)]
        self.assertEqual(sorted(listed),
                         ["new@example.org", "plain@example.org"])

    def test_send_fails_each_invalid_row_alone(self):
        srv = self.aiosmtpd()
        self.write_conf(srv)
        self.write_mixed()
        self.ok("collect")
        r = self.ok("send")
        err = r.stderr.decode()
        got = srv.by_rcpt()
        self.assertEqual(sorted(got), sorted(a for a, _ in VALID))
        for addr, raws in got.items():
            self.assertEqual(len(raws), 1, addr)
        rows = self.db().execute(
            "SELECT address, status, code, reply FROM deliveries").fetchall()
        led = {r["address"]: r for r in rows}
        self.assertEqual(sorted(led), sorted([a for a, _ in VALID] +
                                             [a for a, _, _ in INVALID]))
        for addr, _ in VALID:
            self.assertEqual((led[addr]["status"], led[addr]["code"]),
                             (SENT, 250), addr)
        for addr, _, why in INVALID:
            self.assertEqual((led[addr]["status"], led[addr]["code"]),
                             (FAILED, 0), addr)
            self.assertIn(why, led[addr]["reply"])
            self.assertIn("%s: failed" % addr, err)
        # nothing is left to do: a second send sends nothing
        self.ok("send")
        self.assertEqual(len(srv.messages()), len(VALID))


if __name__ == "__main__":
    unittest.main(verbosity=2)

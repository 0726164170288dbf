#!/usr/bin/python3
"""The subscribers command from the user's side: every subcommand, every
error and exit code, imports of Mailchimp and listmonk exports, concurrent
writers, a failing write, unsubscribe tokens and examples/unsubscribe.cgi."""
import csv
import io
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get("AD_BIN", "build/arctic-digest")
SRC = os.environ.get("AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../..")
FIX = os.path.join(os.environ.get("AD_FIXTURES", SRC + "/tests/fixtures"), "subscribers")
NOW = "2025-07-28T07:00:00Z"
HEADER = "email,name,status,tags,subscribed_at,unsubscribed_at\n"


class Subscribers(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ad-subs-")
        self.list = os.path.join(self.dir, "list", "subscribers.csv")
        os.mkdir(os.path.dirname(self.list))
        self.key = os.path.join(self.dir, "unsubscribe.key")
        with open(os.open(self.key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("test secret, not for production\n")
        self.conf = os.path.join(self.dir, "a.conf")
        with open(self.conf, "w") as f:
            f.write("[digest]\nunsubscribe_secret_file = unsubscribe.key\n"
                    "[paths]\nsubscribers = list/subscribers.csv\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_ad(self, *args, stdin=None, conf=None):
        return subprocess.run([BIN, "-c", conf or self.conf, "--now", NOW,
                               "subscribers"] + list(args),
                              input=stdin, capture_output=True)

    def ok(self, *args, **kw):
        r = self.run_ad(*args, **kw)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return r

    def fails(self, code, *args, **kw):
        r = self.run_ad(*args, **kw)
        self.assertEqual(r.returncode, code, (r.stdout + r.stderr).decode())
        return r.stderr.decode()

    def write(self, text, mode="w"):
        with open(self.list, mode, newline="") as f:
            f.write(text)

    def read(self):
        with open(self.list, "rb") as f:
            return f.read()

    def rows(self):
        return list(csv.DictReader(io.StringIO(self.read().decode("utf-8-sig"))))

    def entries(self):
        return json.loads(self.ok("list", "--format", "json").stdout)

    # add, remove, unsubscribe, resubscribe

    def test_add_creates_the_file_with_our_header(self):
        self.ok("add", "sigrid@example.org", "jon@example.net",
                "--name", "Sigrid Nordström", "--tags", "security,governance")
        rows = self.rows()
        self.assertEqual([r["email"] for r in rows], ["sigrid@example.org", "jon@example.net"])
        self.assertEqual(rows[0]["name"], "Sigrid Nordström")
        self.assertEqual(rows[0]["tags"], "security,governance")
        self.assertEqual(rows[0]["status"], "active")
        self.assertEqual(rows[0]["subscribed_at"], NOW)
        self.assertTrue(self.read().startswith(HEADER.encode()))

    def test_add_invalid_address_exits_65_and_writes_nothing(self):
        self.write(HEADER + "a@example.org,,active,,,\n")
        before = self.read()
        for bad in ["john@", "@example.com", "john@example.com junk", "john@example"]:
            err = self.fails(65, "add", "ok@example.org", bad)
            self.assertIn(bad, err)
        self.assertEqual(self.read(), before)

    def test_add_again_is_no_change_and_case_insensitive(self):
        self.ok("add", "Kari.Hansen@Example.NET")
        before = self.read()
        err = self.ok("add", "kari.hansen@example.net").stderr.decode()
        self.assertIn("already subscribed", err)
        self.assertEqual(self.read(), before)
        self.assertEqual(self.entries()[0]["email"], "Kari.Hansen@Example.NET")

    def test_add_idn_address_is_refused(self):
        err = self.fails(65, "add", "anna@bücher.example")
        self.assertIn("'anna@bücher.example'", err)
        self.assertIn("internationalised addresses cannot be sent", err)
        self.assertIn("SMTPUTF8", err)

    def test_add_of_unsubscribed_needs_force(self):
        self.ok("add", "erik@example.com")
        self.ok("unsubscribe", "ERIK@example.com")
        err = self.fails(65, "add", "erik@example.com")
        self.assertIn("--force", err)
        self.assertEqual(self.entries()[0]["status"], "unsubscribed")
        # All or none, and nothing said to be done that was not.
        err = self.fails(65, "add", "new@example.com", "erik@example.com")
        self.assertNotIn("added", err)
        self.assertEqual(len(self.entries()), 1)
        self.ok("add", "erik@example.com", "--force")
        e = self.entries()[0]
        self.assertEqual(e["status"], "active")
        self.assertEqual(e["unsubscribed_at"], "")

    def test_unsubscribe_resubscribe_remove(self):
        self.ok("add", "a@example.org", "b@example.org")
        self.ok("unsubscribe", "a@example.org")
        e = self.entries()
        self.assertEqual((e[0]["status"], e[0]["unsubscribed_at"]), ("unsubscribed", NOW))
        self.ok("unsubscribe", "a@example.org")  # already: fine
        self.ok("resubscribe", "A@example.org")
        self.assertEqual(self.entries()[0]["status"], "active")
        self.ok("remove", "b@example.org")
        self.assertEqual([x["email"] for x in self.entries()], ["a@example.org"])
        for sub in ["remove", "unsubscribe", "resubscribe"]:
            self.assertIn("not on the list", self.fails(65, sub, "nobody@example.org"))

    def test_change_on_missing_file_exits_66(self):
        for sub in ["remove", "unsubscribe", "resubscribe"]:
            self.fails(66, sub, "a@example.org")
        for sub in [["list"], ["export"], ["check"]]:
            self.fails(66, *sub)
        self.fails(66, "import", os.path.join(self.dir, "nope.csv"))

    def test_usage_errors_exit_64(self):
        self.fails(64)
        self.fails(64, "frobnicate")
        self.fails(64, "add")
        self.fails(64, "add", "a@example.org", "--format", "pdf")
        self.fails(64, "list", "--status", "paused")
        self.fails(64, "list", "--format", "xml")
        self.fails(64, "import")
        self.fails(64, "check", "extra")

    def test_format_column_added_when_needed(self):
        self.ok("add", "t@example.org", "--format", "text")
        self.assertEqual(self.rows()[0]["format"], "text")

    # the file format

    def test_crlf_bom_and_unknown_columns_are_kept(self):
        text = ("\ufeffemail,Organisation,name,status,tags,subscribed_at,"
                "unsubscribed_at,Notes\r\n"
                "a@example.org,\"Arctic Council, Tromsø\",Ann,active,,,,\"said \"\"hi\"\"\"\r\n")
        self.write(text, "w")
        self.ok("add", "b@example.org")
        data = self.read().decode("utf-8")
        self.assertTrue(data.startswith(text))
        self.assertTrue(data.endswith("b@example.org,,,active,,%s,,\r\n" % NOW))

    def test_list_filters_and_formats(self):
        self.write(HEADER +
                   "a@example.org,Ánn,active,\"security,governance\",,\n"
                   "b@example.org,Bø,unsubscribed,security,,2025-01-01T00:00:00Z\n"
                   "c@example.org,Cé,bounced,,,\n"
                   "d@example.org,Dá,active,shipping,,\n")
        out = self.ok("list").stdout.decode()
        self.assertEqual(len(out.splitlines()), 4)
        self.assertIn("a@example.org\tactive\tsecurity,governance\tÁnn", out)
        out = self.ok("list", "--status", "active", "--tag", "SECURITY").stdout.decode()
        self.assertEqual(out.splitlines(), ["a@example.org\tactive\tsecurity,governance\tÁnn"])
        j = json.loads(self.ok("list", "--format", "json", "--status", "bounced").stdout)
        self.assertEqual([x["email"] for x in j], ["c@example.org"])
        self.assertEqual(j[0]["line"], 4)
        out = self.ok("list", "--format", "csv", "--tag", "security").stdout.decode()
        self.assertEqual(len(list(csv.DictReader(io.StringIO(out)))), 2)
        exp = self.ok("export").stdout.decode()
        self.assertTrue(exp.startswith(HEADER.strip() + "\r\n"))
        self.assertEqual([r["email"] for r in csv.DictReader(io.StringIO(exp))],
                         ["a@example.org", "b@example.org", "c@example.org", "d@example.org"])

    def test_malformed_csv_exits_65_with_line(self):
        self.write(HEADER + "a@example.org,,active,,,\n\"b@example.org,,active,,,\n")
        err = self.fails(65, "list")
        self.assertIn("line 3", err)

    # check

    def test_check_reports_eleven_faults_with_lines(self):
        self.write(HEADER +
                   "good@example.org,Good,active,,,\n"            # 2
                   "john@,A,active,,,\n"                          # 3 no domain
                   "@example.com,B,active,,,\n"                   # 4 no local part
                   "c@example.com junk,C,active,,,\n"             # 5 trailing junk
                   "d@example,D,active,,,\n"                      # 6 no dot
                   "e@-example.com,E,active,,,\n"                 # 7 hyphen
                   "f@" + "a" * 64 + ".example,F,active,,,\n"     # 8 label too long
                   "GOOD@example.org,G,active,,,\n"               # 9 duplicate
                   "h@example.org,H,paused,,,\n"                  # 10 status
                   "i@example.org,I,active,,,,extra\n"            # 11 field count
                   "j@example.org,J,active,,not a date,\n"        # 12 date
                   "k@bücher.example,K,active,,,\n")              # 13 IDN
        before = self.read()
        err = self.fails(65, "check")
        found = sorted(int(m.group(1)) for m in
                       re.finditer(r"error: \S+\.csv:(\d+): ", err))
        self.assertEqual(found, list(range(3, 14)), err)
        self.assertIn("first on line 2", err)
        self.assertIn("11 problems", err)
        self.assertIn(".csv:13: invalid address 'k@bücher.example': ", err)
        self.assertIn("no SMTPUTF8", err)
        self.assertEqual(self.read(), before)

    def test_check_clean_file_exits_0(self):
        shutil.copy(os.path.join(SRC, "subscribers", "subscribers.csv"), self.list)
        self.assertIn("6 subscribers, no problems", self.ok("check").stderr.decode())

    # import

    def import_(self, name, *extra):
        r = self.ok("import", os.path.join(FIX, name), *extra)
        return r.stderr.decode()

    def test_import_mailchimp_then_listmonk(self):
        err = self.import_("mailchimp-subscribed.csv")
        self.assertIn("(mailchimp export): added 6, updated 0, unchanged 0, "
                      "invalid 2, suppressed 0", err)
        self.assertIn("mailchimp-subscribed.csv:7: invalid address 'not-an-address'", err)
        self.assertIn("mailchimp-subscribed.csv:8: invalid address 'lars@example'", err)
        e = {x["email"]: x for x in self.entries()}
        self.assertEqual(e["jon.sigurdsson@example.net"]["name"], "Jón Sigurðsson")
        self.assertEqual(e["sigrid.nilsen@example.org"]["tags"], ["Security", "Governance"])
        self.assertEqual(e["anna.ivanova@example.org"]["subscribed_at"], "2024-02-29T16:30:00Z")
        err = self.import_("mailchimp-unsubscribed.csv")
        self.assertIn("added 0, updated 0, unchanged 0, invalid 0, suppressed 2", err)
        err = self.import_("mailchimp-cleaned.csv")
        self.assertIn("suppressed 1", err)
        e = {x["email"]: x for x in self.entries()}
        self.assertEqual(e["kari.hansen@example.net"]["status"], "unsubscribed")
        self.assertEqual(e["kari.hansen@example.net"]["unsubscribed_at"], "2025-01-13T07:02:00Z")
        self.assertEqual(e["erik.berg@example.com"]["status"], "unsubscribed")
        self.assertEqual(e["old.address@example.org"]["status"], "bounced")
        err = self.import_("listmonk.csv")
        self.assertIn("(listmonk export): added 2, updated 0, unchanged 1, "
                      "invalid 1, suppressed 1", err)
        self.assertIn("'ERIK.BERG@example.com' is unsubscribed on the list: not resubscribed", err)
        err = self.import_("listmonk-export.csv")
        self.assertIn("added 2, updated 0, unchanged 0, invalid 0, suppressed 1", err)
        e = {x["email"]: x for x in self.entries()}
        self.assertEqual(e["erik.berg@example.com"]["status"], "unsubscribed")
        self.assertEqual(e["spammer@example.com"]["status"], "unsubscribed")
        self.assertEqual(e["tanja@example.net"]["name"], "Tanja Ørsted")
        self.assertEqual(len(e), 13)
        self.ok("check")
        # Importing the same file again changes nothing.
        before = self.read()
        err = self.import_("mailchimp-subscribed.csv")
        self.assertIn("added 0, updated 0, unchanged 5, invalid 2, suppressed 1", err)
        self.assertEqual(self.read(), before)

    def test_import_from_a_pipe_as_from_the_file(self):
        """An export read from a pipe (import /dev/stdin), which can be
        read only once, merges as the same file does, and leaves no copy
        of itself beside the list."""
        src = os.path.join(FIX, "mailchimp-subscribed.csv")
        self.write(HEADER + "marja.lehtonen@example.org,,active,,,\n")
        err = self.import_("mailchimp-subscribed.csv")
        from_file = self.read()
        self.write(HEADER + "marja.lehtonen@example.org,,active,,,\n")
        with open(src, "rb") as f:
            r = self.ok("import", "/dev/stdin", stdin=f.read())
        self.assertEqual(self.read(), from_file)
        self.assertEqual(r.stderr.decode().replace("/dev/stdin", src), err)
        self.assertIn("added 5, updated 1", err)
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.list))),
                         ["subscribers.csv", "subscribers.csv.lock"])

    def test_import_with_map_and_dry_run(self):
        src = os.path.join(self.dir, "other.csv")
        with open(src, "w") as f:
            f.write("Mail;Who\nx@example.org;X\n")
        self.fails(65, "import", src)
        with open(src, "w") as f:
            f.write("Mail,Who,Topics\nx@example.org,Xavier,security\ny@example.org,Y,\n")
        err = self.import_(src, "--map", "email=Mail;name=Who", "--map", "tags=Topics",
                           "--dry-run")
        self.assertIn("added 2", err)
        self.assertFalse(os.path.exists(self.list) and b"x@example.org" in self.read())
        self.import_(src, "--map", "email=Mail;name=Who;tags=Topics")
        e = self.entries()
        self.assertEqual((e[0]["name"], e[0]["tags"]), ("Xavier", ["security"]))
        self.fails(64, "import", src, "--map", "email=Nope")
        self.fails(64, "import", src, "--map", "colour=Mail")

    # what goes out: exports opened by spreadsheets, plain lines, long rows

    def test_export_guards_formulas_and_import_of_it_gives_them_back(self):
        formula = "=cmd|' /C calc'!A0"
        self.ok("add", "f@example.org", "--name", formula, "--tags", "-x,ok")
        self.ok("add", "g@example.org", "--name", "@SUM(A1)")
        self.ok("add", "h@example.org", "--name", "'+1")
        self.assertEqual(self.rows()[0]["name"], formula)  # the list: as is
        exp = self.ok("export").stdout.decode()
        self.assertIn('f@example.org,"\'=cmd|\' /C calc\'!A0",active,"\'-x,ok",', exp)
        rows = list(csv.DictReader(io.StringIO(exp)))
        self.assertEqual([r["name"] for r in rows], ["'" + formula, "'@SUM(A1)", "''+1"])
        for r in rows:
            for v in r.values():
                self.assertNotIn(v[:1], ["=", "+", "-", "@", "\t", "\r"])
        out = self.ok("list", "--format", "csv").stdout.decode()
        self.assertEqual(out, exp)
        src = os.path.join(self.dir, "export.csv")
        with open(src, "w", newline="") as f:
            f.write(exp)
        os.unlink(self.list)
        self.assertIn("added 3", self.import_(src))
        e = self.entries()
        self.assertEqual([x["name"] for x in e], [formula, "@SUM(A1)", "'+1"])
        self.assertEqual(e[0]["tags"], ["-x", "ok"])

    def test_control_characters_refused_reported_and_escaped(self):
        forged = "Eve\nmallory@example.org\tactive\t\tMallory"
        self.write(HEADER + "a@example.org,Ann,active,,,\n")
        before = self.read()
        for args in [["--name", forged], ["--name", "Eve\u2028"],
                     ["--name", "Eve\x85"], ["--tags", "a,b\x7f"]]:
            err = self.fails(65, "add", "eve@example.org", *args)
            self.assertIn("control character", err)
        self.assertEqual(self.read(), before)
        # A file edited by hand: check names the lines, list keeps one row
        # on one line.
        self.write(HEADER + "a@example.org,Ann,active,,,\n"
                   '"e@example.org","%s",active,"t\tu",,\n' % forged)
        err = self.fails(65, "check")
        self.assertIn(".csv:3: name: control character U+000A", err)
        self.assertIn(".csv:3: tags: control character U+0009", err)
        out = self.ok("list").stdout.decode()
        self.assertEqual(out.splitlines(), [
            "a@example.org\tactive\t\tAnn",
            "e@example.org\tactive\tt\\tu\tEve\\nmallory@example.org\\tactive\\t\\tMallory"])
        j = json.loads(self.ok("list", "--format", "json").stdout)
        self.assertEqual(j[1]["name"], forged)
        self.assertEqual(len(self.ok("list", "--format", "json").stdout.splitlines()), 1)
        # import turns them into spaces and says so.
        src = os.path.join(self.dir, "in.csv")
        with open(src, "w", newline="") as f:
            f.write('email,name,tags\nm@example.org,"%s","x\ny"\n' % forged)
        err = self.import_(src)
        self.assertIn("in.csv:2: '", err)
        self.assertIn("control characters in the name replaced by spaces", err)
        m = {x["email"]: x for x in self.entries()}["m@example.org"]
        self.assertEqual(m["name"], "Eve mallory@example.org active  Mallory")
        self.assertEqual(m["tags"], ["x y"])

    def test_names_are_capped_at_400_bytes(self):
        # A name reaches every message's To header and greeting.
        ok, long = "Å" * 200, "Å" * 201  # 400 and 402 bytes
        self.write(HEADER + "a@example.org,Ann,active,,,\n")
        before = self.read()
        err = self.fails(65, "add", "l@example.org", "--name", long)
        self.assertIn("--name: 402 bytes, more than the 400 allowed", err)
        self.assertEqual(self.read(), before)
        self.ok("add", "k@example.org", "--name", ok)
        self.write(HEADER + "a@example.org,Ann,active,,,\n"
                   "l@example.org,%s,active,,,\n" % long)
        err = self.fails(65, "check")
        self.assertIn(".csv:3: name: 402 bytes, more than the 400 allowed", err)
        src = os.path.join(self.dir, "in.csv")
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write("email,name\nm@example.org,%s\n" % long)
        err = self.import_(src)
        self.assertIn("in.csv:2: 'm@example.org': name cut to 400 bytes", err)
        m = {x["email"]: x for x in self.entries()}["m@example.org"]
        self.assertEqual(m["name"], ok)  # cut between characters

    def test_check_of_a_row_with_100000_tags_reports_the_cap(self):
        tags = ",".join("tag%d" % i for i in range(100000))
        self.write(HEADER + 'a@example.org,Ann,active,"%s",,\n' % tags)
        # The timeout only stops a hang: tests never fail on time.
        r = subprocess.run([BIN, "-c", self.conf, "subscribers", "check"],
                           capture_output=True, timeout=300)
        self.assertEqual(r.returncode, 65)
        self.assertIn(".csv:2: 100000 tags, more than the 100 allowed", r.stderr.decode())
        err = self.fails(65, "add", "b@example.org", "--tags",
                         ",".join("t%d" % i for i in range(101)))
        self.assertIn("101 tags, more than the 100 allowed", err)
        self.ok("add", "b@example.org", "--tags", ",".join("t%d" % i for i in range(100)))

    # safe writes

    def test_twenty_concurrent_adds(self):
        self.write(HEADER)
        procs = [subprocess.Popen([BIN, "-q", "-c", self.conf, "--now", NOW,
                                   "subscribers", "add", "user%02d@example.org" % i,
                                   "--name", "Ægir %d" % i],
                                  stderr=subprocess.PIPE) for i in range(20)]
        for p in procs:
            _, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err.decode())
        emails = sorted(r["email"] for r in self.rows())
        self.assertEqual(emails, ["user%02d@example.org" % i for i in range(20)])
        self.ok("check")

    def test_imports_and_adds_at_once_lose_nothing(self):
        """Imports hold the list's lock as add does: four imports of 3,000
        new addresses each and eight adds, all started at once, leave
        every address on the list."""
        self.write(HEADER)
        cmds = []
        for k in range(4):
            src = os.path.join(self.dir, "export%d.csv" % k)
            with open(src, "w") as f:
                f.write("email,name\n")
                for i in range(3000):
                    f.write("imp%d.%d@example.org,Reader %d\n" % (k, i, i))
            cmds.append(["import", src])
        cmds += [["add", "add%d@example.org" % i] for i in range(8)]
        procs = [subprocess.Popen([BIN, "-q", "-c", self.conf, "--now", NOW,
                                   "subscribers"] + c,
                                  stderr=subprocess.PIPE) for c in cmds]
        for p in procs:
            _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err.decode())
        emails = set(r["email"] for r in self.rows())
        want = set("imp%d.%d@example.org" % (k, i)
                   for k in range(4) for i in range(3000))
        want |= set("add%d@example.org" % i for i in range(8))
        self.assertEqual(len(emails), 12008)
        self.assertEqual(emails, want)
        self.ok("check")

    def test_import_killed_midway_leaves_the_list_whole(self):
        """An import killed (SIGKILL) while it writes leaves the list as
        it was or as the whole import makes it, never a part: the new
        file is renamed over the old only once written."""
        src = os.path.join(self.dir, "export.csv")
        with open(src, "w") as f:
            f.write("email,name,tags\n")
            for i in range(100000):
                f.write("r%d@example.org,Reader %d,arctic\n" % (i, i))
        self.write(HEADER + "".join("r%d@example.org,,active,,,\n" % i
                                    for i in range(0, 100000, 2)))
        before = self.read()
        self.ok("import", src)
        whole = self.read()
        self.assertNotEqual(whole, before)
        for delay in (0.05, 0.2, 0.5):
            self.write(before.decode())
            p = subprocess.Popen([BIN, "-q", "-c", self.conf, "--now", NOW,
                                  "subscribers", "import", src],
                                 stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.kill()
            p.wait()
            self.assertIn(self.read(), (before, whole), delay)
            self.ok("check")

    def test_failed_write_exits_73_and_keeps_the_old_file(self):
        # Works as root too: the temporary file's path is taken by a folder.
        self.write(HEADER + "a@example.org,Ann,active,,,\n")
        before = self.read()
        os.mkdir(self.list + ".tmp")
        err = self.fails(73, "add", "b@example.org")
        self.assertIn("cannot write", err)
        self.assertEqual(self.read(), before)
        err = self.fails(73, "import", os.path.join(FIX, "listmonk.csv"))
        self.assertEqual(self.read(), before)
        os.rmdir(self.list + ".tmp")

    def test_read_only_folder_exits_73(self):
        if os.geteuid() == 0:
            self.skipTest("root writes into read-only folders; the .tmp case covers 73")
        self.write(HEADER + "a@example.org,Ann,active,,,\n")
        before = self.read()
        os.chmod(os.path.dirname(self.list), 0o555)
        try:
            self.fails(73, "add", "b@example.org")
            self.assertEqual(self.read(), before)
            self.ok("list")
        finally:
            os.chmod(os.path.dirname(self.list), 0o755)

    # tokens

    def token(self, addr):
        return self.ok("token", addr).stdout.decode().strip()

    def test_unsubscribe_with_token(self):
        self.ok("add", "Sigrid@Example.org", "other@example.org")
        t = self.token("sigrid@example.org")
        self.assertRegex(t, r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
        self.assertEqual(t, self.token("sigrid@example.org"))
        self.ok("unsubscribe", "--token", t)
        e = self.entries()
        self.assertEqual([x["status"] for x in e], ["unsubscribed", "active"])
        self.ok("unsubscribe", "--token", t)  # twice: still fine
        t2 = self.token("other@example.org")
        self.ok("unsubscribe", "--token", "-", stdin=(t2 + "\n").encode())
        self.assertEqual(self.entries()[1]["status"], "unsubscribed")
        # A token for an address no longer listed: nothing to do.
        self.ok("unsubscribe", "--token", self.token("gone@example.org"))

    def test_forged_and_altered_tokens_exit_65(self):
        self.ok("add", "a@example.org", "b@example.org")
        before = self.read()
        ta, tb = self.token("a@example.org"), self.token("b@example.org")
        forged = tb.split(".")[0] + "." + ta.split(".")[1]
        altered = ta[:-1] + ("A" if ta[-1] != "A" else "B")
        for bad in [forged, altered, "garbage", "", ta + "x"]:
            err = self.fails(65, "unsubscribe", "--token", bad)
            self.assertIn("token", err)
        self.assertEqual(self.read(), before)

    def test_token_needs_a_private_secret(self):
        self.ok("add", "a@example.org")
        t = self.token("a@example.org")
        os.chmod(self.key, 0o644)
        err = self.fails(78, "unsubscribe", "--token", t)
        self.assertIn(self.key, err)
        noconf = os.path.join(self.dir, "b.conf")
        with open(noconf, "w") as f:
            f.write("[paths]\nsubscribers = list/subscribers.csv\n")
        self.fails(78, "unsubscribe", "--token", t, conf=noconf)

    def cgi(self, method, query, body=b""):
        env = dict(os.environ, REQUEST_METHOD=method, QUERY_STRING=query,
                   CONTENT_LENGTH=str(len(body)), ARCTIC_DIGEST_BIN=BIN,
                   ARCTIC_DIGEST_CONF=self.conf)
        r = subprocess.run(["/usr/bin/python3", os.path.join(SRC, "examples", "unsubscribe.cgi")],
                           input=body, env=env, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        head, _, page = r.stdout.partition(b"\r\n\r\n")
        return head.decode().splitlines()[0], page.decode()

    def test_unsubscribe_cgi_one_click(self):
        self.ok("add", "a@example.org", "b@example.org")
        t = self.token("a@example.org")
        status, page = self.cgi("GET", "token=" + t)
        self.assertEqual(status, "Status: 200 OK")
        self.assertIn('method="post"', page)
        self.assertEqual(self.entries()[0]["status"], "active")  # GET changes nothing
        status, page = self.cgi("POST", "token=" + t, b"List-Unsubscribe=One-Click")
        self.assertEqual(status, "Status: 200 OK")
        self.assertEqual(self.entries()[0]["status"], "unsubscribed")
        tb = self.token("b@example.org")
        status, _ = self.cgi("POST", "token=" + tb[:-2] + "xx", b"List-Unsubscribe=One-Click")
        self.assertEqual(status, "Status: 400 Bad Request")
        status, _ = self.cgi("POST", "token=%24%28touch%20x%29.a", b"List-Unsubscribe=One-Click")
        self.assertEqual(status, "Status: 400 Bad Request")
        self.assertEqual(self.entries()[1]["status"], "active")


    def cgi_raw(self, env_extra, body=b"", keep_stdin_open=False):
        env = dict(os.environ, REQUEST_METHOD="POST", ARCTIC_DIGEST_BIN=BIN,
                   ARCTIC_DIGEST_CONF=self.conf, CONTENT_LENGTH=str(len(body)))
        env.update(env_extra)
        p = subprocess.Popen(["/usr/bin/python3", os.path.join(SRC, "examples", "unsubscribe.cgi")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        try:
            p.stdin.write(body)
            p.stdin.flush()
            if not keep_stdin_open:
                p.stdin.close()
            # The answer must come while the client may still be sending.
            p.wait(timeout=20)
            out, err = p.stdout.read(), p.stderr.read()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            for f in (p.stdin, p.stdout, p.stderr):
                f.close()
        self.assertEqual(p.returncode, 0, err.decode())
        self.assertNotIn(b"Traceback", err)
        head, _, page = out.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Length: %d\r\n" % len(page), head + b"\r\n")
        return head.decode().splitlines()[0], page.decode(), err.decode()

    def test_unsubscribe_cgi_always_answers(self):
        self.ok("add", "a@example.org")
        t = self.token("a@example.org")
        q = {"QUERY_STRING": "token=" + t}
        body = b"List-Unsubscribe=One-Click"
        # No arctic-digest at ARCTIC_DIGEST_BIN, or one that cannot run.
        status, page, err = self.cgi_raw(dict(q, ARCTIC_DIGEST_BIN=os.path.join(self.dir, "nope")), body)
        self.assertEqual(status, "Status: 500 Internal Server Error")
        self.assertIn("try again later", page)
        self.assertIn("ARCTIC_DIGEST_BIN", err)
        notexec = os.path.join(self.dir, "notexec")
        with open(notexec, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(notexec, 0o644)
        if os.geteuid() != 0:
            status, _, _ = self.cgi_raw(dict(q, ARCTIC_DIGEST_BIN=notexec), body)
            self.assertEqual(status, "Status: 500 Internal Server Error")
        # One that hangs (waiting on a lock, say) is stopped: 503.
        slow = os.path.join(self.dir, "slow")
        with open(slow, "w") as f:
            f.write("#!/bin/sh\nexec sleep 30\n")
        os.chmod(slow, 0o755)
        status, _, err = self.cgi_raw(dict(q, ARCTIC_DIGEST_BIN=slow, ARCTIC_DIGEST_TIMEOUT="1"), body)
        self.assertEqual(status, "Status: 503 Service Unavailable")
        self.assertIn("longer than 1 s", err)
        # A negative or bogus CONTENT_LENGTH: 400, without reading to EOF;
        # non-ASCII digits too ("²" is isdigit() but no int()).
        for bad in ["-1", "12x", "1e3", "\u00b2", "\u0661\u0662"]:
            status, _, _ = self.cgi_raw(dict(q, CONTENT_LENGTH=bad), b"x" * 5000,
                                        keep_stdin_open=True)
            self.assertEqual(status, "Status: 400 Bad Request", bad)
        self.assertEqual(self.entries()[0]["status"], "active")
        # A huge one: at most a bounded body is read, then it goes on.
        status, _, _ = self.cgi_raw(dict(q, CONTENT_LENGTH="999999999"), b"x" * 5000,
                                    keep_stdin_open=True)
        self.assertEqual(status, "Status: 200 OK")
        self.assertEqual(self.entries()[0]["status"], "unsubscribed")

if __name__ == "__main__":
    if not os.path.exists(BIN):
        print("FAIL: %s not built" % BIN)
        sys.exit(1)
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""The pipeline as a whole, from the user's side: preview builds exactly
what send sends; citation attachments; topic matching on whole words with
case and diacritics folded; dry runs and previews write nothing; one run at
a time; help for every command.

Each case runs the built program ($AD_BIN) in a temp folder against real
servers started here on 127.0.0.1 (tests/servers: aiosmtpd, http_server.py)
and checks what the servers received and what the SQLite state holds.
"""
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from adtest import (BIN, EXAMPLE_FEEDS, FEEDS, NOW, SRC, Folder,  # noqa: E402
                    require_aiosmtpd, rss, squash)

TEMPLATE = os.path.join(SRC, "templates", "digest.md")
SECURITY = "NATO, military, defence"


def citations_in(text):
    """How many articles a digest's text part shows: each has one
    'Recommended citation:' (templates/partials/article.md)."""
    return len(re.findall(r"Recommended citation:", text))


def bib_entries(bib):
    return len(re.findall(r"(?m)^@[A-Za-z]+\{", bib))


def part_text(part):
    c = part.get_content()
    return c.decode("utf-8") if isinstance(c, bytes) else c


class PreviewIsSend(Folder):
    """1. `preview --to ADDR` writes the very message `send` sends to ADDR."""

    def setUp(self):
        super().setUp()
        self.write_subs([
            ("maija@example.com", "Maija Niemi", "active", "security", ""),
            ("sigrid@example.org", "", "active", "", ""),
            ("aputsiaq@example.net", "Aputsiaq Petersen", "active", "",
             "html")])
        self.srv = self.aiosmtpd()
        self.write_conf(self.srv, topics={"security": SECURITY})

    def test_preview_to_a_subscriber_is_byte_for_byte_what_send_sends(self):
        self.ok("collect", now=NOW)
        previews = {}
        for addr in ("maija@example.com", "sigrid@example.org"):
            out = self.tmpdir()
            self.ok("preview", "--to", addr, "-o", out, now=NOW)
            with open(os.path.join(out, "digest.eml"), "rb") as f:
                previews[addr] = f.read()
        # preview recorded nothing: send still builds issue 1 for everyone
        self.assertEqual(self.srv.messages(), [])
        self.ok("send", now=NOW)
        got = self.srv.by_rcpt()
        self.assertEqual(sorted(got), sorted(
            ["maija@example.com", "sigrid@example.org",
             "aputsiaq@example.net"]))
        for addr, eml in previews.items():
            with self.subTest(addr=addr):
                self.assertEqual(len(got[addr]), 1)
                received = got[addr][0]
                # spool.py stores the DATA exactly as received (CRLF kept,
                # dot-stuffing undone) and adds no header (no X-Peer,
                # X-MailFrom or Received).  The only thing the transport
                # changes is the end: DATA must end in CRLF before ".".
                # Date and Message-ID need no mask: --now fixes the clock
                # and the Message-ID follows from issue and address (the
                # same on every attempt, see test_send.py).
                diff = first_difference(received.rstrip(b"\r\n"),
                                        eml.rstrip(b"\r\n"))
                self.assertIsNone(diff, "sent vs preview: %s" % diff)
        # the topic subscriber: fewer articles, greeted by name; in what
        # was sent and in the preview
        for what, tagged, plain in (
                ("sent", got["maija@example.com"][0],
                 got["sigrid@example.org"][0]),
                ("preview", previews["maija@example.com"],
                 previews["sigrid@example.org"])):
            with self.subTest(what=what):
                t_text = self.text_of(self.parse(tagged))
                p_text = self.text_of(self.parse(plain))
                self.assertTrue("Dear Maija Niemi," in t_text,
                                "no 'Dear Maija Niemi,' in the text part")
                self.assertFalse("Dear" in p_text, "a greeting for nobody")
                self.assertGreater(citations_in(t_text), 0)
                self.assertLess(citations_in(t_text), citations_in(p_text))


def first_difference(a, b):
    """None when a == b, else where two messages first differ, by line."""
    if a == b:
        return None
    la, lb = a.split(b"\r\n"), b.split(b"\r\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d: %r != %r" % (i + 1, x[:200], y[:200])
    return "one is a prefix of the other: %d vs %d lines" % (len(la), len(lb))


class Attachments(Folder):
    """2. citations.bib and citations.ris with the articles of each
    subscriber's own message, or no attachments at all."""

    def setUp(self):
        super().setUp()
        # format html (or the default) only: test_send.py holds that a
        # text-format subscriber gets a bare text/plain message.
        self.write_subs([
            ("maija@example.com", "Maija Niemi", "active", "security",
             "html"),
            ("sigrid@example.org", "Sigrid Nordström", "active", "", "html"),
            ("ole@example.no", "", "active", "", "")])

    def send(self, attach):
        srv = self.aiosmtpd()
        self.write_conf(srv, topics={"security": SECURITY},
                        digest={"attach_citations": attach})
        self.ok("collect")
        self.ok("send")
        got = srv.by_rcpt()
        self.assertEqual(sorted(got), sorted(
            ["maija@example.com", "sigrid@example.org", "ole@example.no"]))
        return {a: self.parse(r[0]) for a, r in got.items()}

    def test_attach_citations_yes_gives_bib_and_ris_of_the_messages_articles(
            self):
        msgs = self.send("yes")
        shown = {}
        for addr, m in msgs.items():
            n = citations_in(self.text_of(m))
            shown[addr] = n
            with self.subTest(addr=addr):
                self.assertEqual(m.get_content_type(), "multipart/mixed")
                parts = list(m.iter_parts())
                self.assertEqual(parts[0].get_content_type(),
                                 "multipart/alternative")
                att = {p.get_filename(): p for p in parts[1:]}
                self.assertEqual(sorted(att),
                                 ["citations.bib", "citations.ris"])
                self.assertEqual(att["citations.bib"].get_content_type(),
                                 "application/x-bibtex")
                self.assertEqual(att["citations.ris"].get_content_type(),
                                 "application/x-research-info-systems")
                for p in att.values():
                    self.assertEqual(p.get_content_disposition(),
                                     "attachment")
                self.assertGreater(n, 0)
                self.assertEqual(bib_entries(part_text(att["citations.bib"])),
                                 n)
                ris = att["citations.ris"].get_payload(decode=True)
                self.assertEqual(len(re.findall(rb"(?m)^TY  - ", ris)), n)
                self.assertEqual(len(re.findall(rb"(?m)^ER  - ", ris)), n)
        self.assertLess(shown["maija@example.com"],
                        shown["sigrid@example.org"])
        self.assertEqual(shown["ole@example.no"], shown["sigrid@example.org"])

    def test_attach_citations_no_gives_no_attachments(self):
        msgs = self.send("no")
        for addr, m in msgs.items():
            with self.subTest(addr=addr):
                self.assertEqual(m.get_content_type(), "multipart/alternative")
                self.assertEqual([p.get_content_type() for p in m.walk()],
                                 ["multipart/alternative", "text/plain",
                                  "text/html"])
                for p in m.walk():
                    self.assertIsNone(p.get_filename())
                    self.assertNotEqual(p.get_content_disposition(),
                                        "attachment")


TOPIC_ITEMS = [
    ("Senator visits Tromsø", "https://news.example.org/senator"),
    ("Arctic police cooperation", "https://news.example.org/police"),
    ("Sámi Parliament elections", "https://news.example.org/parliament"),
    ("NATO's northern flank", "https://news.example.org/flank"),
]


class Topics(Folder):
    """3. A topic's terms match whole words, case and diacritics folded:
    NATO is not in 'Senator', ice is not in 'police', Sami is 'Sámi'."""

    def setUp(self):
        super().setUp()
        feed = os.path.join(self.dir, "topics.xml")
        days = ("Tue, 22 Jul 2025 09:00:00 +0000",
                "Wed, 23 Jul 2025 09:00:00 +0000",
                "Thu, 24 Jul 2025 09:00:00 +0000",
                "Fri, 25 Jul 2025 09:00:00 +0000")
        with open(feed, "wb") as f:
            f.write(rss([{"title": t, "link": l, "date": d,
                          "description": "A short report."}
                         for (t, l), d in zip(TOPIC_ITEMS, days)]))
        self.write_subs([
            ("nato@example.org", "", "active", "nato", "text"),
            ("ice@example.org", "", "active", "ice", "text"),
            ("sami@example.org", "", "active", "sami", "text"),
            ("all@example.org", "", "active", "", "text")])
        self.srv = self.aiosmtpd()
        self.write_conf(self.srv,
                        sources={"local": {"url": feed, "relevance": "all"}},
                        topics={"nato": "NATO", "ice": "ice", "sami": "Sami"})

    def titles_in(self, text):
        text = squash(text)
        return [t for t, _ in TOPIC_ITEMS if t in text]

    def preview_text(self, addr):
        out = self.tmpdir()
        r = self.ad("preview", "--offline", "--to", addr, "-o", out)
        path = os.path.join(out, "digest.txt")
        if r.returncode != 0 or not os.path.exists(path):
            return r, None
        with open(path, encoding="utf-8") as f:
            return r, f.read()

    def test_preview_shows_each_topic_only_its_whole_word_matches(self):
        self.ok("collect")
        _, text = self.preview_text("all@example.org")
        self.assertEqual(self.titles_in(text), [t for t, _ in TOPIC_ITEMS])
        for addr, expect in (("nato@example.org", ["NATO's northern flank"]),
                             ("sami@example.org",
                              ["Sámi Parliament elections"])):
            with self.subTest(addr=addr):
                r, text = self.preview_text(addr)
                self.assertEqual(r.returncode, 0, r.stderr.decode())
                self.assertEqual(self.titles_in(text), expect)
        # ice matches nothing: an empty digest, or a refusal that says so
        r, text = self.preview_text("ice@example.org")
        if r.returncode == 0:
            self.assertEqual(self.titles_in(text), [])
        else:
            self.assertRegex(r.stderr.decode(), r"\S")

    def test_send_gives_each_topic_only_its_matches_and_ice_nothing(self):
        self.ok("collect")
        self.ok("send")
        got = self.srv.by_rcpt()
        # a subscriber whose topics match none of the issue's articles gets
        # no message (recipients() in src/cmd_issue.c)
        self.assertEqual(sorted(got), ["all@example.org", "nato@example.org",
                                       "sami@example.org"])
        texts = {a: self.text_of(self.parse(r[0])) for a, r in got.items()}
        self.assertEqual(self.titles_in(texts["all@example.org"]),
                         [t for t, _ in TOPIC_ITEMS])
        self.assertEqual(self.titles_in(texts["nato@example.org"]),
                         ["NATO's northern flank"])
        self.assertEqual(self.titles_in(texts["sami@example.org"]),
                         ["Sámi Parliament elections"])
        led = {r["address"] for r in self.db().execute(
            "SELECT address FROM deliveries")}
        self.assertNotIn("ice@example.org", led)


def snapshot(root):
    """{relative path: (mode, bytes or link target or None)} of a tree."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = (st.st_mode, os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[rel] = (st.st_mode, f.read())
            else:
                out[rel] = (st.st_mode, None)
    return out


class DryRuns(Folder):
    """4. Dry runs, previews and render write nothing: no state, no lock,
    no secret, no -wal/-shm; an existing state keeps its bytes."""

    secret = False  # configured, but not there yet

    def setUp(self):
        super().setUp()
        feeds = os.path.join(self.dir, "feeds")
        os.mkdir(feeds)
        for n in EXAMPLE_FEEDS:
            with open(os.path.join(FEEDS, n), "rb") as f, \
                    open(os.path.join(feeds, n), "wb") as g:
                g.write(f.read())
        self.write_subs([
            ("maija@example.com", "Maija Niemi", "active", "", ""),
            ("sigrid@example.org", "", "active", "", "text"),
            ("ole@example.no", "Ole Hansen", "active", "", "")])
        # relative local paths: relative to the config's folder
        self.write_conf(None, sources={
            n.split(".")[0]: {"url": "feeds/" + n, "relevance": "all"}
            for n in EXAMPLE_FEEDS})
        self.out = self.tmpdir()

    def commands(self):
        o = self.out
        return [("run", "--dry-run"),
                ("run", "--if-due", "--dry-run"),
                ("send", "--dry-run"),
                ("preview", "--offline", "-o", os.path.join(o, "offline")),
                ("preview", "-o", os.path.join(o, "online")),
                ("render", TEMPLATE),
                ("render", "--offline", TEMPLATE)]

    def query(self, sql):
        """Rows of sql, read from a copy of the state: even a read-only
        SQLite connection to a WAL database makes -shm/-wal files."""
        tmp = self.tmpdir("ad-state-")
        for ext in ("", "-wal"):
            if os.path.exists(self.state + ext):
                shutil.copyfile(self.state + ext,
                                os.path.join(tmp, "state.db" + ext))
        c = sqlite3.connect(os.path.join(tmp, "state.db"))
        try:
            return sorted(c.execute(sql).fetchall())
        finally:
            c.close()

    def meta(self):
        """The meta rows, handled_slot among them (None: no state)."""
        if not os.path.exists(self.state):
            return None
        return self.query("SELECT key, value FROM meta")

    def issues(self):
        return self.query("SELECT number, status FROM issues")

    def assert_writes_nothing(self, phase):
        """Every command of commands() leaves the folder as it was; returns
        {command: stderr}."""
        before = snapshot(self.dir)
        meta = self.meta()
        said = {}
        for args in self.commands():
            with self.subTest(phase=phase, cmd=" ".join(args[:2])):
                r = self.ad(*args)
                said[args[:2]] = r.stderr.decode(errors="replace")
                self.assertEqual(r.returncode, 0, said[args[:2]])
                after = snapshot(self.dir)
                changed = sorted(
                    p for p in set(before) | set(after)
                    if before.get(p) != after.get(p))
                # A lock file left by an earlier real run counts too: a dry
                # run must not rewrite the pid in it.
                self.assertEqual(changed, [], "%s wrote these" % (args,))
                self.assertEqual(self.meta(), meta)
                before = after  # report each command's own writes
        return said

    def test_fresh_folder_stays_untouched(self):
        said = self.assert_writes_nothing("fresh")
        self.assertFalse(os.path.exists(self.state))
        self.assertFalse(os.path.exists(self.key))
        # preview collected the local feeds and says what it built
        self.assertRegex(said[("preview", "-o")], r"issue 1\b")
        with open(os.path.join(self.out, "online", "digest.txt"),
                  encoding="utf-8") as f:
            self.assertGreater(citations_in(f.read()), 0)

    def test_existing_state_keeps_its_bytes(self):
        self.ok("collect")
        said = self.assert_writes_nothing("collected")
        for cmd in (("send", "--dry-run"), ("run", "--dry-run")):
            with self.subTest(report=cmd):
                self.assertRegex(said[cmd], r"issue 1\b")
                self.assertRegex(said[cmd], r"\b3 subscribers\b")
        self.assertRegex(said[("preview", "-o")], r"issue 1\b")
        # a real send: issue 1 into the outbox, the secret made
        self.ok("send")
        self.assertEqual(len(os.listdir(os.path.join(self.dir, "outbox",
                                                     "new"))), 3)
        self.assertTrue(os.path.exists(self.key))
        self.assertEqual(self.issues(), [(1, 1)])
        self.assert_writes_nothing("sent")


class OneRunAtATime(Folder):
    """5. Two runs started together never work on the state at once: the
    second waits, or exits 75 naming the lock."""

    SLOW = 2.0

    def setUp(self):
        super().setUp()
        self.web = self.http("--slow-seconds", str(self.SLOW))
        self.slow = {"slow": {"url": self.web.base + "/slow",
                              "relevance": "all"}}

    def start(self, *args):
        p = subprocess.Popen(self.cmd(*args), cwd=self.dir,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        return p

    def finish(self, p):
        out, err = p.communicate(timeout=30)
        return p.returncode, err.decode(errors="replace")

    def assert_refused_for_the_lock(self, rc, err):
        self.assertEqual(rc, 75, err)
        self.assertRegex(err, r"(?i)lock|another run")

    def assert_state_consistent(self):
        c = self.db()
        self.assertEqual(c.execute("PRAGMA integrity_check").fetchone()[0],
                         "ok")
        dup = c.execute("SELECT guid, count(*) FROM articles GROUP BY guid "
                        "HAVING count(*) > 1").fetchall()
        self.assertEqual([tuple(r) for r in dup], [])
        dup = c.execute("SELECT url, count(*) FROM articles GROUP BY url "
                        "HAVING count(*) > 1").fetchall()
        self.assertEqual([tuple(r) for r in dup], [])
        return c

    def test_two_collects_never_fetch_at_once(self):
        self.write_subs([("maija@example.com", "", "active", "", "")])
        self.write_conf(None, sources=self.slow)
        a, b = self.start("collect"), self.start("collect")
        results = [self.finish(a), self.finish(b)]
        codes = sorted(rc for rc, _ in results)
        self.assertIn(codes, ([0, 0], [0, 75]), results)
        for rc, err in results:
            if rc != 0:
                self.assert_refused_for_the_lock(rc, err)
        st = self.web.stats()
        # exactly one collects at a time: the slow feed never had two
        # requests open together; a refused run fetched nothing
        self.assertEqual(st["max_inflight_by_path"].get("/slow"), 1, st)
        if codes == [0, 75]:
            self.assertEqual(st["requests"].get("/slow"), 1, st)
        c = self.assert_state_consistent()
        self.assertEqual(c.execute("SELECT count(*) FROM articles")
                         .fetchone()[0], 2)
        self.assertEqual(c.execute("SELECT count(*) FROM article_sources")
                         .fetchone()[0], 2)

    def test_send_waits_for_or_refuses_a_running_collect(self):
        subs = ["maija@example.com", "sigrid@example.org"]
        self.write_subs([(a, "", "active", "", "") for a in subs])
        srv = self.aiosmtpd()
        self.write_conf(srv)  # the example feeds: fast
        self.ok("collect")
        examples = {n.split(".")[0]: {"url": os.path.join(FEEDS, n),
                                      "relevance": "all"}
                    for n in EXAMPLE_FEEDS}
        examples.update(self.slow)
        self.write_conf(srv, sources=examples)
        t0 = time.time()
        coll = self.start("collect")
        deadline = time.monotonic() + 10
        while not self.web.stats()["requests"].get("/slow"):
            self.assertLess(time.monotonic(), deadline, "collect never fetched")
            self.assertIsNone(coll.poll(), "collect ended before fetching")
            time.sleep(0.02)
        send = self.start("send")
        rc_send, err_send = self.finish(send)
        rc_coll, err_coll = self.finish(coll)
        self.assertEqual(rc_coll, 0, err_coll)
        c = self.assert_state_consistent()
        if rc_send == 0:
            # it waited: nothing left before the collect was done
            got = srv.by_rcpt()
            self.assertEqual(sorted(got), sorted(subs))
            self.assertEqual([len(v) for v in got.values()], [1, 1])
            first = min(e["t"] for e in srv.events("connect"))
            self.assertGreaterEqual(first, t0 + self.SLOW - 0.05,
                                    "send talked to SMTP while collect ran")
            self.assertEqual(
                sorted(tuple(r) for r in c.execute(
                    "SELECT address, status FROM deliveries")),
                [(a, 1) for a in sorted(subs)])
        else:
            self.assert_refused_for_the_lock(rc_send, err_send)
            self.assertEqual(srv.events("connect"), [])
            self.assertEqual(c.execute("SELECT count(*) FROM issues")
                             .fetchone()[0], 0)
        self.assertEqual(c.execute(
            "SELECT count(*) FROM article_sources WHERE source = 'slow'")
            .fetchone()[0], 2)


class Help(unittest.TestCase):
    """6. Every command's --help: a usage line and a line describing each
    option; `help COMMAND` says the same; bad options exit 64."""

    def run_ad(self, *args):
        return subprocess.run([BIN] + list(args), capture_output=True,
                              timeout=30, cwd=SRC)

    def commands(self):
        r = self.run_ad("help")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        text = r.stdout.decode()
        block = text.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
        names = re.findall(r"(?m)^\s+([a-z][a-z-]*)\s", block)
        self.assertIn("send", names)
        self.assertIn("subscribers", names)
        self.assertIn("help", names)
        return names

    @staticmethod
    def usage_block(text):
        """The usage line and its continuation lines."""
        lines = text.splitlines()
        for i, l in enumerate(lines):
            if l.lower().startswith("usage:"):
                block = [l]
                for m in lines[i + 1:]:
                    if not m.strip():
                        break
                    block.append(m)
                return block, lines[i + len(block):]
        return None, lines

    @staticmethod
    def describes(option, rest):
        """A line of rest that starts with the option (after '-x, ' or
        before ', --long'), followed by a description on that line (after
        two spaces) or on the next, more indented line."""
        pat = re.compile(r"^(\s+)(?:-\w,?\s+)?%s(?![\w-])(?:,\s*--[\w-]+)?"
                         r"(?:[ =]\S+)?(.*)$" % re.escape(option))
        for i, l in enumerate(rest):
            m = pat.match(l)
            if not m:
                continue
            if re.search(r"\s{2,}\S.*[A-Za-z]{2,}", m.group(2)):
                return True
            nxt = rest[i + 1] if i + 1 < len(rest) else ""
            ind = len(nxt) - len(nxt.lstrip())
            if ind > len(m.group(1)) and re.search(r"[A-Za-z]{3,}", nxt):
                return True
        return False

    def check_help(self, name):
        r = self.run_ad(name, "--help")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        text = r.stdout.decode()
        usage, rest = self.usage_block(text)
        self.assertIsNotNone(usage, text)
        self.assertIn("arctic-digest %s" % name, usage[0])
        opts = set()
        for l in usage:
            opts.update(re.findall(r"(?<![\w-])(--[a-z][\w-]*|-[a-zA-Z])\b",
                                   l))
        opts.discard("--help")
        missing = sorted(o for o in opts if not self.describes(o, rest))
        self.assertEqual(missing, [], "options without a line of their "
                                      "own in:\n" + text)
        # a description of the command itself, beyond the usage
        self.assertRegex("\n".join(rest), r"[A-Za-z]{3,} [a-z]{2,}",
                         "no description of the command after its usage")
        r2 = self.run_ad("help", name)
        self.assertEqual(r2.returncode, 0, r2.stderr.decode())
        self.assertEqual(r2.stdout, r.stdout)

    def test_every_command_has_help_describing_each_option(self):
        for name in self.commands():
            with self.subTest(cmd=name):
                self.check_help(name)

    def test_subscribers_and_help_accept_help(self):
        for name in ("subscribers", "help"):
            with self.subTest(cmd=name):
                r = self.run_ad(name, "--help")
                self.assertEqual(r.returncode, 0, r.stderr.decode())
                self.assertRegex(r.stdout.decode(),
                                 r"(?im)^usage: arctic-digest %s" % name)

    def test_unknown_option_exits_64(self):
        r = self.run_ad("--no-such-option", "help")
        self.assertEqual(r.returncode, 64)
        self.assertRegex(r.stderr.decode(), r"\S")
        for name in self.commands():
            with self.subTest(cmd=name):
                args = [name, "--no-such-option"]
                if name == "subscribers":
                    args = [name, "list", "--no-such-option"]
                r = self.run_ad(*args)
                self.assertEqual(r.returncode, 64, r.stderr.decode())
                self.assertRegex(r.stderr.decode(), r"\S")


def main():
    require_aiosmtpd()
    if not os.access(BIN, os.X_OK):
        print("FAIL: no program at %s (set AD_BIN)" % BIN)
        sys.exit(1)
    oracle.main()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The command line from the user's side: preview, render, parse, errors.

Every message is checked with Python's email package (policy=default) and,
when ../shared is present, with shared/tools/check-eml --strict.
"""
import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

BIN = os.environ.get("AD_BIN", "build/arctic-digest")
SRC = os.environ.get("AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../..")
FIX = os.environ.get("AD_FIXTURES", SRC + "/tests/fixtures")
CONF = os.environ.get("AD_CONFORMANCE_DIR", SRC + "/../shared/conformance")
CHECK_EML = os.path.join(CONF, "..", "tools", "check-eml")
FEEDS = os.path.join(SRC, "examples", "feeds")

REAL_TITLE = "Sino-Russian Arctic Cooperation: Systemic Pressure and Historical Distrust"
REAL_AUTHORS = ["Guðbjörg Ríkey Th. Hauksdóttir", "Baldur Thorhallsson"]
REAL_ABSTRACT = (
    "China and Russia have deepened their cooperation in the Arctic, building on "
    "their ‘no limit’ relationship that encompasses both economic and political "
    "cooperation. Recently, this cooperation has expanded to include joint naval "
    "exercises between the Chinese Coast Guard and Russian patrol vessels. This "
    "article examines Sino-Russian Arctic cooperation through a neoclassical realist "
    "framework that incorporates both systemic and domestic factors into the "
    "analysis. We offer the domestic variable of historical distrust, an approach "
    "often overlooked by other realist theories. Historical distrust can be "
    "understood as as negative historical events or developments which impact "
    "states’ current foreign policy decisions. We argue that while systemic "
    "pressures increasingly align China and Russia’s Arctic interests, historical "
    "distrust between the two states constrains them from forming an alliance in "
    "the region. This article demonstrates the value of neoclassical realism in "
    "analysing Arctic geopolitics and highlights the significance of historical "
    "factors in shaping of current Sino-Russian relations.")
REAL_CHICAGO = (
    "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. “Sino-Russian "
    "Arctic Cooperation: Systemic Pressure and Historical Distrust.” The Polar "
    "Journal, July 22, 2025.")

OUR_HEADERS = {"date", "from", "to", "reply-to", "subject", "message-id",
               "mime-version", "list-id", "list-unsubscribe",
               "list-unsubscribe-post", "precedence", "auto-submitted",
               "content-type", "content-transfer-encoding"}


def run(args, cwd=None, env=None):
    e = dict(os.environ)
    e.pop("TZ", None)
    if env:
        e.update(env)
    return subprocess.run([BIN] + args, cwd=cwd, env=e, capture_output=True)


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def html_text(s):
    """The text a reader sees: inline tags vanish, block tags separate."""
    s = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", s)
    s = re.sub(r"(?i)</?(em|strong|a|i|b|span|code)\b[^>]*>", "", s)
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", s)))


def parse_eml(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return raw, msg


def bodies(msg):
    text = msg.get_body(preferencelist=("plain",)).get_content()
    body = msg.get_body(preferencelist=("html",)).get_content()
    return text, body


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def assertNoDefects(self, msg):
        self.assertEqual(list(msg.defects), [])
        for part in msg.walk():
            self.assertEqual(list(part.defects), [], part.get_content_type())
            for name, value in part.items():
                self.assertEqual(list(getattr(value, "defects", [])), [], name)

    def check_eml(self, path):
        if not os.path.exists(CHECK_EML):
            oracle.missing(self, "check-eml at %s" % CHECK_EML)
            return
        r = subprocess.run(["/usr/bin/python3", CHECK_EML, "--strict", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            # The one warning allowed: List-Unsubscribe's https URI with
            # its per-subscriber token is longer than 78 octets and cannot
            # be folded inside its angle brackets (docs/DEVIATIONS.md).
            warns = [l for l in r.stdout.splitlines()
                     if l.startswith(("WARN", "ERROR", "FAIL"))]
            self.assertEqual(len(warns), 1, r.stdout + r.stderr)
            self.assertRegex(warns[0], r"^WARN\s+header-line: .*\( <https",
                             r.stdout)
            self.assertIn("result: 0 error(s), 1 warning(s)", r.stdout)

    def write_conf(self, body):
        path = os.path.join(self.dir, "test.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
        return path


class Preview(Base):
    def preview(self, *extra, cwd=None):
        out = os.path.join(self.dir, "out")
        r = run(["preview", "-o", out] + list(extra), cwd=cwd or self.dir)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return out, r

    def test_spamassassin_scores_the_digest_as_ham(self):
        """SpamAssassin (through shared/tools/check-eml --spamassassin)
        scores the bundled example's digest, HTML and attachments, at or
        below 0: what a receiving filter sees of the layout."""
        if not os.path.exists(CHECK_EML):
            oracle.missing(self, "check-eml at %s" % CHECK_EML)
            return
        out, _ = self.preview()
        r = subprocess.run(["/usr/bin/python3", CHECK_EML, "--json",
                            "--spamassassin",
                            os.path.join(out, "digest.eml")],
                           capture_output=True, text=True)
        report = json.loads(r.stdout.splitlines()[0])
        sa = report["info"]["spamassassin"]
        if not sa.get("available"):
            oracle.missing(self, "spamassassin (apt-get install spamassassin)")
            return
        self.assertEqual(sa["is_spam"], "No", sa)
        self.assertLessEqual(sa["score"], 0, sa)

    def test_bundled_example_builds_a_clean_digest(self):
        out, r = self.preview()
        self.assertIn("digest.eml", r.stderr.decode())
        for name in ("digest.eml", "digest.html", "digest.txt"):
            self.assertTrue(os.path.getsize(os.path.join(out, name)) > 0, name)
        raw, msg = parse_eml(os.path.join(out, "digest.eml"))
        self.assertNoDefects(msg)
        self.check_eml(os.path.join(out, "digest.eml"))
        # attach_citations = yes (the default): multipart/mixed holding the
        # alternative part, then citations.bib and citations.ris.
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        top = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in top],
                         ["multipart/alternative", "application/x-bibtex",
                          "application/x-research-info-systems"])
        self.assertEqual([p.get_filename() for p in top[1:]],
                         ["citations.bib", "citations.ris"])
        for p in top[1:]:
            self.assertEqual(p.get_content_disposition(), "attachment")
        bib = top[1].get_content()
        bib = bib.decode("utf-8") if isinstance(bib, bytes) else bib
        self.assertIn("@article{hauksdottir2025sino,", bib)
        ris = top[2].get_payload(decode=True)
        self.assertIn(b"TY  - JOUR\r\nAU  - Hauksd\xc3\xb3ttir, ", ris)
        self.assertEqual(ris.count(b"\r\nER  - \r\n"), ris.count(b"TY  - "))
        alt = top[0]
        parts = [p.get_content_type() for p in alt.iter_parts()]
        self.assertEqual(parts, ["text/plain", "text/html"])
        for p in alt.iter_parts():
            self.assertEqual(p["Content-Transfer-Encoding"], "quoted-printable")
            self.assertEqual(p.get_content_charset(), "utf-8")
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
        self.assertTrue(all(len(l) <= 998 for l in raw.split(b"\r\n")))
        text, body = bodies(msg)
        for part in (squash(text), html_text(body)):
            self.assertIn(REAL_TITLE, part)
            for a in REAL_AUTHORS:
                self.assertIn(a, part)
            self.assertIn(REAL_ABSTRACT, part)
            self.assertIn(REAL_CHICAGO, part)
        # The files beside the message are its two parts.
        with open(os.path.join(out, "digest.txt"), encoding="utf-8") as f:
            self.assertEqual(squash(f.read()), squash(text))

    def test_attach_citations_no_gives_a_bare_alternative(self):
        conf = self.write_conf(
            "[digest]\nclock = 2025-07-28T07:00:00Z\nattach_citations = no\n"
            "[source polar]\nurl = %s/polar-journal.rdf\n" % FEEDS)
        out = os.path.join(self.dir, "out")
        r = run(["-c", conf, "preview", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        raw, msg = parse_eml(os.path.join(out, "digest.eml"))
        self.assertNoDefects(msg)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in msg.iter_parts()],
                         ["text/plain", "text/html"])

    def test_text_part_has_no_markdown_left(self):
        out, _ = self.preview()
        with open(os.path.join(out, "digest.txt"), encoding="utf-8") as f:
            txt = f.read()
        self.assertNotIn("**", txt)
        self.assertNotIn("](", txt)
        for line in txt.splitlines():
            self.assertFalse(line.startswith("#"), line)
            self.assertNotIn("\\", line)

    def test_period_excludes_the_week_before(self):
        out, _ = self.preview()
        _, msg = parse_eml(os.path.join(out, "digest.eml"))
        text, _ = bodies(msg)
        self.assertNotIn("Before the nets arrive", squash(text))
        self.assertIn("Thin ice, thin fleet", squash(text))

    def test_same_input_gives_identical_bytes(self):
        out1, _ = self.preview()
        with open(os.path.join(out1, "digest.eml"), "rb") as f:
            first = f.read()
        out2, _ = self.preview()
        with open(os.path.join(out2, "digest.eml"), "rb") as f:
            self.assertEqual(first, f.read())

    def test_non_ascii_subject_and_sender_decode(self):
        conf = self.write_conf(
            "[digest]\n"
            "title = Arktisk oversikt — Nordområdene\n"
            "from = Ártic Désk Þór <digest@example.org>\n"
            "clock = 2025-07-28T07:00:00Z\n"
            "unsubscribe_url = https://example.org/u\n"
            "timezone = Asia/Kolkata\n"
            "[source polar]\n"
            "url = %s/polar-journal.rdf\n" % FEEDS)
        out = os.path.join(self.dir, "out")
        r = run(["-c", conf, "preview", "-o", out, "--to",
                 "Jane Doe <jane@example.net>"])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        raw, msg = parse_eml(os.path.join(out, "digest.eml"))
        self.assertNoDefects(msg)
        self.check_eml(os.path.join(out, "digest.eml"))
        self.assertTrue(msg["Subject"].startswith("Arktisk oversikt — Nordområdene no. 1"))
        self.assertEqual(msg["From"].addresses[0].display_name, "Ártic Désk Þór")
        self.assertEqual(msg["From"].addresses[0].addr_spec, "digest@example.org")
        self.assertEqual(msg["To"].addresses[0].addr_spec, "jane@example.net")
        self.assertIn("+0530", msg["Date"])
        # Headers themselves are ASCII: non-ASCII only in encoded words.
        head = raw.split(b"\r\n\r\n", 1)[0]
        head.decode("ascii")


class Injection(Base):
    def test_feed_text_cannot_inject_markup_or_headers(self):
        conf = self.write_conf(
            "[digest]\nclock = 2025-07-28T07:00:00Z\n"
            "unsubscribe_url = https://example.org/u\n"
            "[source hostile]\nurl = %s/cli/injection.atom\n"
            "relevance = all\n" % FIX)
        out = os.path.join(self.dir, "out")
        r = run(["-c", conf, "preview", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        raw, msg = parse_eml(os.path.join(out, "digest.eml"))
        self.assertNoDefects(msg)
        self.check_eml(os.path.join(out, "digest.eml"))
        names = {k.lower() for k in msg.keys()}
        self.assertTrue(names <= OUR_HEADERS, names - OUR_HEADERS)
        self.assertIsNone(msg["Bcc"])
        self.assertIsNone(msg["Cc"])
        self.assertIsNone(msg["X-Injected"])
        # Every part (the attachments add Content-Disposition) has only
        # our headers.
        for part in msg.walk():
            names = {k.lower() for k in part.keys()}
            self.assertTrue(names <= OUR_HEADERS | {"content-disposition"},
                            names)
        text, body = bodies(msg)
        title = "<script>alert(1)</script> **x** [y](javascript:alert(1)) Bcc: victim@example.com"
        self.assertIn(title, squash(text))
        self.assertIn(title, html_text(body))
        low = body.lower()
        self.assertNotIn("<script", low)
        self.assertNotIn("javascript:", re.sub(r"(?s)>[^<]*<", "><", low))
        self.assertNotIn("<img", low)
        self.assertNotIn('href="https://evil.example', low)
        self.assertNotIn("<h1>not a heading", low)
        self.assertNotIn("<strong>x</strong>", low)
        self.assertNotIn("<b>bold", low)
        self.assertNotIn('href="http://autolink', low)


class Render(Base):
    def test_render_prints_markdown_from_json(self):
        data = os.path.join(self.dir, "data.json")
        with open(data, "w", encoding="utf-8") as f:
            json.dump({"title": "Ísland *bold*", "number": 7, "count": 1,
                       "has_articles": True,
                       "articles": [{"title": "Thaw [1]", "link": "https://e.x/a",
                                     "authors_text": "Áile Somby",
                                     "abstract_paragraphs": ["One.", "Two."],
                                     "citation_md": {"recommended": "*Cite*"}}]}, f)
        r = run(["render", os.path.join(SRC, "templates", "digest.md"), data])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        out = r.stdout.decode()
        self.assertIn("# Ísland \\*bold\\*", out)
        self.assertIn("[Thaw \\[1\\]](https\\:\\/\\/e\\.x\\/a)", out)
        self.assertIn("Áile Somby", out)
        self.assertIn("*Cite*", out)

    def test_render_without_data_uses_the_sample_issue(self):
        r = run(["render", os.path.join(SRC, "templates", "subject.txt")], cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertRegex(r.stdout.decode(), r"^Arctic Digest no\. 1: \d+ new articles")

    def test_render_reports_template_line_and_column(self):
        tpl = os.path.join(self.dir, "bad.md")
        with open(tpl, "w") as f:
            f.write("line one\n{{#articles}}\n{{title}}\n")
        r = run(["render", tpl, os.devnull], cwd=self.dir)
        self.assertNotEqual(r.returncode, 0)
        r = run(["render", tpl], cwd=self.dir)
        self.assertEqual(r.returncode, 65, r.stderr.decode())
        self.assertRegex(r.stderr.decode(), r"bad\.md.*line 2, column 1")


class Parse(Base):
    def test_parse_prints_one_json_object_per_article(self):
        r = run(["parse", os.path.join(FEEDS, "polar-journal.rdf")])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        lines = r.stdout.decode().splitlines()
        self.assertEqual(len(lines), 5)
        objs = [json.loads(l) for l in lines]
        real = [o for o in objs if o["title"] == REAL_TITLE]
        self.assertEqual(len(real), 1)
        real = real[0]
        self.assertEqual(real["authors"], [
            {"given": "Guðbjörg Ríkey Th.", "family": "Hauksdóttir"},
            {"given": "Baldur", "family": "Thorhallsson"}])
        self.assertEqual(real["container"], "The Polar Journal")
        self.assertEqual(real["published"], "2025-07-22")
        self.assertEqual(real["abstract"], REAL_ABSTRACT)
        self.assertEqual(real["citation"]["chicago"],
                         REAL_CHICAGO[:-1] + ". https://www.tandfonline.com/toc/rpol20/current.")
        for o in objs:
            for key in ("url", "doi", "authors", "published", "score", "matched"):
                self.assertIn(key, o)
            self.assertEqual(set(o["citation"]), {"chicago", "apa", "mla"})

    def test_parse_rejects_html_with_exit_65(self):
        page = os.path.join(self.dir, "page.html")
        with open(page, "w") as f:
            f.write("<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>")
        r = run(["parse", page])
        self.assertEqual(r.returncode, 65)
        self.assertIn("not a feed", r.stderr.decode())

    def test_parse_missing_file_exits_66(self):
        r = run(["parse", os.path.join(self.dir, "nope.xml")])
        self.assertEqual(r.returncode, 66)
        self.assertIn("nope.xml", r.stderr.decode())


class Errors(Base):
    def test_unknown_command_exits_64_with_hint(self):
        r = run(["frobnicate"])
        self.assertEqual(r.returncode, 64)
        self.assertEqual(r.stderr.decode(),
                         "arctic-digest: unknown command 'frobnicate'; try 'arctic-digest help'\n")

    def test_unknown_option_exits_64(self):
        self.assertEqual(run(["--bogus", "help"]).returncode, 64)
        r = run(["preview", "--bogus"], cwd=self.dir)
        self.assertEqual(r.returncode, 64)
        self.assertIn("usage: arctic-digest preview", r.stderr.decode())

    def test_help_lists_every_command_and_version_prints(self):
        r = run(["help"])
        self.assertEqual(r.returncode, 0)
        for name in ("help", "parse", "preview", "render"):
            self.assertRegex(r.stdout.decode(), r"\n  %s " % name)
        r = run(["--version"])
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertRegex(out, r"^arctic-digest \d+\.\d+\.\d+\n")
        # the libraries it runs with, and where its bundled data is
        for lib in ("libcurl", "libxml2", "cmark", "SQLite", "libetpan"):
            self.assertRegex(out, r"(?m)^%s \d+\.\d+" % lib)
        self.assertRegex(out, r"(?m)^data: /\S+$")

    def test_bad_config_names_file_and_line_exits_78(self):
        conf = self.write_conf("[digest]\ntitle = x\nmax_articles = ten\n")
        r = run(["-c", conf, "preview", "-o", self.dir])
        self.assertEqual(r.returncode, 78)
        self.assertIn("test.conf:3: [digest] max_articles: not a whole number: 'ten'",
                      r.stderr.decode())
        conf = self.write_conf("[digest]\n\n[paths]\nstate = a\nbogus = 1\n")
        r = run(["-c", conf, "preview", "-o", self.dir])
        self.assertEqual(r.returncode, 78)
        self.assertIn("test.conf:5: [paths]: unknown key 'bogus'", r.stderr.decode())

    def test_syslog_mode_keeps_stderr_for_errors(self):
        conf = self.write_conf(
            "[digest]\nlog = syslog\nclock = 2025-07-28T07:00:00Z\n"
            "[source polar]\nurl = %s/polar-journal.rdf\n"
            "[source gone]\nurl = %s/no-such-feed.xml\n" % (FEEDS, FEEDS))
        r = run(["-c", conf, "collect"])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        if os.path.exists("/dev/log"):
            # Info and warnings go to syslog only.
            self.assertEqual(r.stderr.decode(), "")
        else:
            # Nothing listens (a container): one warning, and the
            # messages stay on stderr rather than vanish.
            err = r.stderr.decode().splitlines()
            self.assertEqual(err[0], "arctic-digest: warning: log = syslog: "
                             "nothing listens on /dev/log; messages go to "
                             "standard error")
            self.assertTrue(any("collect:" in l for l in err), err)
        r = run(["-c", conf, "frobnicate"])
        self.assertEqual(r.returncode, 64)
        # An error during the run still reaches stderr.
        conf = self.write_conf("[digest]\nlog = syslog\n[paths]\n"
                               "state = /nonexistent/dir/state.db\n")
        r = run(["-c", conf, "collect"])
        self.assertEqual(r.returncode, 73, r.stderr.decode())
        # collect takes the run lock beside the state file first.
        self.assertIn("arctic-digest: error: cannot open lock "
                      "'/nonexistent/dir/state.db.lock'", r.stderr.decode())

    def test_missing_config_exits_66(self):
        r = run(["-c", os.path.join(self.dir, "none.conf"), "preview"])
        self.assertEqual(r.returncode, 66)
        self.assertIn("none.conf", r.stderr.decode())

    def test_bad_now_is_a_usage_error(self):
        r = run(["--now", "yesterday", "preview", "-o", self.dir], cwd=self.dir)
        self.assertEqual(r.returncode, 64)

    def test_unwritable_output_exits_73(self):
        blocker = os.path.join(self.dir, "file")
        open(blocker, "w").close()
        r = run(["preview", "-o", os.path.join(blocker, "sub")], cwd=self.dir)
        self.assertEqual(r.returncode, 73, r.stderr.decode())


if __name__ == "__main__":
    oracle.main()

#!/usr/bin/python3
"""The web archive ([paths] archive): 'run' writes it after each issue it
sends, 'archive' rebuilds it; issue pages with Highwire/Dublin Core meta
tags, BibTeX and RIS files, an index and an Atom 1.0 feed (RFC 4287)
that Python's xml.etree and our own 'parse' both read, with one entry per
sent issue, unique ids and RFC 3339 dates."""
import datetime
import html.parser
import json
import os
import re
import shutil
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"
ARCHIVE_URL = "https://polar.example/digest/archive/"
WEEK2 = "2025-08-04T07:00:00Z"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?"
                     r"(Z|[+-]\d{2}:\d{2})$")


class Page(html.parser.HTMLParser):
    """The <meta> tags and the hrefs of an HTML page."""

    def __init__(self, text):
        super().__init__()
        self.meta, self.hrefs, self.tags, self.coins = [], [], set(), []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "meta" and "name" in a:
            self.meta.append((a["name"], a.get("content")))
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag == "span" and a.get("class") == "Z3988":
            self.coins.append(a["title"])


class Archive(adtest.Folder):
    def write_feed(self, items):
        with open(os.path.join(self.dir, "feed.xml"), "wb") as f:
            f.write(adtest.rss(items, title="Arctic Test Review"))

    def setUp(self):
        super().setUp()
        self.web = os.path.join(self.dir, "web")
        self.write_subs([("anna@example.org", "Anna", "active", "", "html")])
        self.write_conf(
            digest={"archive_url": ARCHIVE_URL,
                    "contact": "editor@example.org"},
            sources={"review": {"url": os.path.join(self.dir, "feed.xml"),
                                "relevance": "all"}})
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("[paths]\narchive = web\n")
        # Week 1: two articles, one whose title tries to inject HTML (the
        # feed escapes it twice, so the title's text holds the tags).
        self.write_feed([
            {"title": "Svalbard &lt;script&gt;alert(1)&lt;/script&gt; "
                      "&amp; the Treaty",
             "link": "https://review.example/2025/svalbard",
             "date": "Fri, 25 Jul 2025 08:00:00 GMT",
             "description": "The Svalbard Treaty at 105: access, research "
                            "and the <b>Norwegian</b> rules."},
            {"title": "Greenland and the Arctic Council",
             "link": "https://review.example/2025/greenland",
             "date": "Thu, 24 Jul 2025 08:00:00 GMT",
             "description": "Nuuk's path in Arctic governance."}])

    def read(self, name):
        with open(os.path.join(self.web, name), encoding="utf-8") as f:
            return f.read()

    def two_issues(self):
        self.ok("run")
        self.write_feed([
            {"title": "Icebreakers in the Bering Strait",
             "link": "https://review.example/2025/bering",
             "date": "Fri, 01 Aug 2025 08:00:00 GMT",
             "description": "The United States and its icebreaker gap."}])
        self.ok("run", now=WEEK2)

    def test_run_archives_each_issue_and_the_feed_has_two_entries(self):
        self.ok("run")
        self.assertEqual(len(ET.parse(os.path.join(self.web, "feed.xml"))
                             .getroot().findall(ATOM + "entry")), 1)
        self.write_feed([
            {"title": "Icebreakers in the Bering Strait",
             "link": "https://review.example/2025/bering",
             "date": "Fri, 01 Aug 2025 08:00:00 GMT",
             "description": "The United States and its icebreaker gap."}])
        self.ok("run", now=WEEK2)
        self.assertEqual(sorted(os.listdir(self.web)), [
            "feed.xml", "index.html", "issue-0001.bib", "issue-0001.html",
            "issue-0001.ris", "issue-0002.bib", "issue-0002.html",
            "issue-0002.ris"])
        root = ET.parse(os.path.join(self.web, "feed.xml")).getroot()
        self.assertEqual(root.tag, ATOM + "feed")
        self.assertEqual(root.get("{http://www.w3.org/XML/1998/namespace}"
                                  "base"), ARCHIVE_URL)
        # RFC 4287 4.1.1: id, title, updated, and an author (the feed's,
        # as the entries have none); a self link.
        for child in ("id", "title", "updated"):
            self.assertEqual(len(root.findall(ATOM + child)), 1, child)
        self.assertEqual(root.find(ATOM + "author/" + ATOM + "name").text,
                         "Arctic Digest")
        self.assertIn("self", [l.get("rel") for l in root.findall(
            ATOM + "link")])
        entries = root.findall(ATOM + "entry")
        self.assertEqual(len(entries), 2)
        ids = [root.find(ATOM + "id").text]
        for entry in entries:
            for child in ("id", "title", "updated", "published", "content"):
                self.assertEqual(len(entry.findall(ATOM + child)), 1, child)
            ids.append(entry.find(ATOM + "id").text)
            for when in ("updated", "published"):
                t = entry.find(ATOM + when).text
                self.assertRegex(t, RFC3339)
                datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
            link = entry.find(ATOM + "link")
            self.assertEqual(link.get("rel"), "alternate")
            self.assertTrue(os.path.exists(os.path.join(
                self.web, link.get("href"))), link.get("href"))
            self.assertEqual(entry.find(ATOM + "content").get("type"), "html")
        self.assertRegex(root.find(ATOM + "updated").text, RFC3339)
        self.assertEqual(len(set(ids)), 3, ids)
        for i in ids:
            self.assertRegex(i, r"^tag:digest@example\.org,\d{4}-\d{2}-\d{2}:")
        # Newest first; the second issue's entry holds its article.
        self.assertIn("no. 2", entries[0].find(ATOM + "title").text)
        self.assertIn("Icebreakers in the Bering Strait",
                      entries[0].find(ATOM + "content").text)
        # The contents of issue 1 (two articles) link into its page.
        self.assertIn('href="issue-0001.html#article-2"',
                      entries[1].find(ATOM + "content").text)
        self.assertNotIn('href="#', entries[1].find(ATOM + "content").text)

    def test_feed_reads_with_our_own_parse(self):
        self.two_issues()
        r = self.ok("parse", os.path.join(self.web, "feed.xml"))
        arts = [json.loads(l) for l in r.stdout.decode().splitlines()]
        self.assertEqual(len(arts), 2)
        self.assertEqual([a["url"] for a in arts],
                         [ARCHIVE_URL + "issue-0002.html",
                          ARCHIVE_URL + "issue-0001.html"])
        self.assertRegex(arts[1]["title"], r"^Arctic Digest no\. 1: 2 new")
        self.assertEqual(arts[0]["published"], WEEK2)
        self.assertIn("Icebreakers in the Bering Strait", arts[0]["abstract"])

    def test_issue_page_is_web_version_with_citation_meta_tags(self):
        self.two_issues()
        page = self.read("issue-0001.html")
        p = Page(page)
        titles = [c for n, c in p.meta if n == "citation_title"]
        self.assertEqual(sorted(titles), [
            "Greenland and the Arctic Council",
            "Svalbard <script>alert(1)</script> & the Treaty"])
        self.assertEqual(len([n for n, _ in p.meta if n == "DC.title"]), 2)
        self.assertIn(("citation_publication_date", "2025-07-25"), p.meta)
        # COinS: one span per article, for reference managers that take
        # several items from a page.
        coins = [urllib.parse.parse_qs(t) for t in p.coins]
        # ("Arctic Test Review" reads as a journal: rft.atitle)
        self.assertEqual(sorted(c["rft.atitle"][0] for c in coins),
                         sorted(titles))
        for c in coins:
            self.assertEqual(c["ctx_ver"], ["Z39.88-2004"])
            self.assertRegex(c["rft_id"][0], r"^https://review\.example/")
        # Feed text stays text: no element came from it.
        self.assertNotIn("script", p.tags)
        self.assertNotIn("<script>", page)
        self.assertNotIn("<b>", page)
        # Links between the archive's files are relative; the page links
        # its citations, the index and the feed, and no subscriber.
        for name in ("index.html", "feed.xml", "issue-0001.bib",
                     "issue-0001.ris"):
            self.assertIn(name, p.hrefs)
        self.assertFalse([h for h in p.hrefs if h.startswith(ARCHIVE_URL)],
                         p.hrefs)
        self.assertNotIn("unsubscribe", page.lower())
        self.assertNotIn("anna@example.org", page)
        self.assertNotIn("View this issue in your browser", page)
        self.assertIn("mailto:editor@example.org", p.hrefs)
        bib = self.read("issue-0001.bib")
        self.assertEqual(bib.count("@"), 2, bib)
        self.assertIn("Greenland and the Arctic Council", bib)
        ris = self.read("issue-0001.ris")
        self.assertEqual(len(re.findall(r"(?m)^TY  - ", ris)), 2, ris)
        self.assertEqual(len(re.findall(r"(?m)^ER  - ", ris)), 2, ris)

    def test_index_lists_every_issue_newest_first(self):
        self.two_issues()
        p = Page(self.read("index.html"))
        issues = [h for h in p.hrefs if h.startswith("issue-")]
        self.assertEqual(issues, ["issue-0002.html", "issue-0001.html"])
        self.assertIn("feed.xml", p.hrefs)

    def test_message_links_to_its_page_in_the_archive(self):
        self.ok("run")
        msgs = os.listdir(os.path.join(self.dir, "outbox", "new"))
        self.assertEqual(len(msgs), 1)
        with open(os.path.join(self.dir, "outbox", "new", msgs[0]),
                  "rb") as f:
            m = self.parse(f.read())
        body = m.get_body(preferencelist=("html",)).get_content()
        self.assertIn('href="%sissue-0001.html"' % ARCHIVE_URL, body)
        self.assertIn("View this issue in your browser", body)
        self.assertIn("%sissue-0001.html" % ARCHIVE_URL, self.text_of(m))

    def test_archive_command_rebuilds_the_same_files(self):
        self.two_issues()
        before = {n: self.read(n) for n in os.listdir(self.web)}
        for n in before:
            os.remove(os.path.join(self.web, n))
        r = self.ok("archive", now=WEEK2)
        self.assertIn("archive: 2 issues", r.stderr.decode())
        self.assertEqual({n: self.read(n) for n in os.listdir(self.web)},
                         before)

    # Incremental: an issue is rendered once (issue 14).

    def files_of(self, number):
        return ["issue-%04d.%s" % (number, ext)
                for ext in ("html", "bib", "ris")]

    def identity(self, names):
        """(inode, mtime in ns) of each file: a rewrite (an atomic
        rename) changes the inode."""
        out = {}
        for n in names:
            st = os.stat(os.path.join(self.web, n))
            out[n] = (st.st_ino, st.st_mtime_ns)
        return out

    def snapshot(self):
        return {n: self.read(n) for n in os.listdir(self.web)}

    def own_templates(self):
        shutil.copytree(os.path.join(adtest.SRC, "templates"),
                        os.path.join(self.dir, "tpl"))
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("templates = tpl\n")

    def test_second_send_leaves_the_first_issue_alone(self):
        self.ok("run")
        first = self.identity(self.files_of(1))
        feed1 = self.read("feed.xml")
        self.write_feed([
            {"title": "Icebreakers in the Bering Strait",
             "link": "https://review.example/2025/bering",
             "date": "Fri, 01 Aug 2025 08:00:00 GMT",
             "description": "The United States and its icebreaker gap."}])
        self.ok("run", now=WEEK2)
        # Issue 1's page and citation files are the same files ...
        self.assertEqual(self.identity(self.files_of(1)), first)
        # ... while the feed and the index gained issue 2, newest first.
        root = ET.parse(os.path.join(self.web, "feed.xml")).getroot()
        self.assertEqual([e.find(ATOM + "link").get("href")
                          for e in root.findall(ATOM + "entry")],
                         ["issue-0002.html", "issue-0001.html"])
        self.assertNotEqual(self.read("feed.xml"), feed1)
        p = Page(self.read("index.html"))
        self.assertEqual([h for h in p.hrefs if h.startswith("issue-")],
                         ["issue-0002.html", "issue-0001.html"])
        # The same bytes as rendering everything again, which does
        # rewrite issue 1.
        before = self.snapshot()
        r = self.ok("archive", "--rebuild", now=WEEK2)
        self.assertIn("2 rendered", r.stderr.decode())
        self.assertEqual(self.snapshot(), before)
        self.assertNotEqual(self.identity(self.files_of(1)), first)

    def test_archive_renders_nothing_when_up_to_date(self):
        self.two_issues()
        files = self.identity(self.files_of(1) + self.files_of(2))
        r = self.ok("archive", now=WEEK2)
        self.assertIn("archive: 2 issues", r.stderr.decode())
        self.assertIn("0 rendered", r.stderr.decode())
        self.assertEqual(self.identity(self.files_of(1) + self.files_of(2)),
                         files)

    def test_changed_template_renders_every_page_again(self):
        self.own_templates()
        self.two_issues()
        before = self.snapshot()
        layout = os.path.join(self.dir, "tpl", "layout.html")
        with open(layout, encoding="utf-8") as f:
            text = f.read()
        with open(layout, "w", encoding="utf-8") as f:
            f.write(text.replace("</body>", "<p>New footer</p>\n</body>"))
        r = self.ok("archive", now=WEEK2)
        self.assertIn("2 rendered", r.stderr.decode())
        for n in self.files_of(1) + self.files_of(2):
            if n.endswith(".html"):
                self.assertIn("<p>New footer</p>", self.read(n), n)
            else:
                self.assertEqual(self.read(n), before[n], n)
        # A partial counts too.
        part = os.path.join(self.dir, "tpl", "partials", "article.md")
        with open(part, "a", encoding="utf-8") as f:
            f.write("\nPartial changed.\n")
        r = self.ok("archive", now=WEEK2)
        self.assertIn("2 rendered", r.stderr.decode())
        self.assertIn("Partial changed.", self.read("issue-0001.html"))
        self.assertIn("Partial changed.", self.read("feed.xml"))

    def test_changed_title_renders_every_page_again(self):
        self.two_issues()
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("[digest]\ntitle = Polar Policy Weekly\n")
        r = self.ok("archive", now=WEEK2)
        self.assertIn("2 rendered", r.stderr.decode())
        self.assertIn("Polar Policy Weekly", self.read("issue-0001.html"))

    def test_missing_or_replaced_file_renders_that_issue_again(self):
        self.two_issues()
        before = self.snapshot()
        os.remove(os.path.join(self.web, "issue-0001.html"))
        with open(os.path.join(self.web, "issue-0002.bib"), "w") as f:
            f.write("edited by hand\n")
        r = self.ok("archive", now=WEEK2)
        self.assertIn("2 rendered", r.stderr.decode())
        self.assertEqual(self.snapshot(), before)
        # A feed and an index lost are written from the records alone.
        os.remove(os.path.join(self.web, "feed.xml"))
        os.remove(os.path.join(self.web, "index.html"))
        r = self.ok("archive", now=WEEK2)
        self.assertIn("0 rendered", r.stderr.decode())
        self.assertEqual(self.snapshot(), before)

    def test_rebuild_is_in_the_help(self):
        r = self.ok("archive", "--help")
        self.assertIn("--rebuild", r.stdout.decode() + r.stderr.decode())

    def test_dry_run_and_preview_write_no_archive(self):
        self.ok("run", "--dry-run")
        self.ok("preview", "-o", self.tmpdir())
        self.assertFalse(os.path.exists(self.web))

    def test_archive_before_any_issue_is_an_empty_feed(self):
        self.ok("archive")
        root = ET.parse(os.path.join(self.web, "feed.xml")).getroot()
        self.assertEqual(root.findall(ATOM + "entry"), [])
        self.assertEqual(root.find(ATOM + "updated").text, adtest.NOW)
        self.assertIn("No issue has been sent yet", self.read("index.html"))

    def test_unwritable_archive_fails_after_the_send_with_its_name(self):
        with open(self.web, "w") as f:
            f.write("a file where the folder should be\n")
        r = self.ad("run")
        self.assertEqual(r.returncode, 73, r.stderr.decode())
        err = r.stderr.decode()
        self.assertIn("the issue was sent, but the archive was not written",
                      err)
        self.assertIn(self.web, err)
        # The issue itself went out and is recorded as sent.
        self.assertEqual(len(os.listdir(os.path.join(self.dir, "outbox",
                                                     "new"))), 1)
        self.assertEqual(self.db().execute(
            "SELECT status FROM issues").fetchall()[0][0], 1)


if __name__ == "__main__":
    oracle.main()

#!/usr/bin/python3
"""collect from the user's side, against a real local HTTP server.

The server (tests/servers/http_server.py) serves our fixtures with ETag
and Last-Modified, gzip, a redirect, a 500, a slow answer, an oversized
body, an HTML page and a Crossref works endpoint.  The test asserts what
collect reports, what it stored (the SQLite state, read directly) and
that a second collect sends conditional requests and stores nothing new.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.request

BIN = os.environ.get("AD_BIN", "build/arctic-digest")
SRC = os.environ.get("AD_SOURCE_DIR", ".")
FIX = os.environ.get("AD_FIXTURES", os.path.join(SRC, "tests", "fixtures"))
SERVER = os.path.join(SRC, "tests", "servers", "http_server.py")


class Server:
    def __init__(self, root):
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", SERVER, "--root", root, "--slow-seconds", "6",
             "--huge-bytes", str(3 << 20)],
            stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = "http://127.0.0.1:%d" % self.port

    def stats(self):
        with urllib.request.urlopen(self.url + "/_stats") as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()


def write_rss(path, items):
    """An RSS 2.0 feed of (guid, title, link) items, dated in the week the
    tests' clock looks back over."""
    from xml.sax.saxutils import escape
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">'
                "<channel><title>Barents News</title>"
                "<link>http://news.example:8080/</link>"
                "<description>news</description>\n")
        for guid, title, link in items:
            f.write("<item><title>%s</title><link>%s</link>"
                    '<guid isPermaLink="false">%s</guid>'
                    "<pubDate>Fri, 25 Jul 2025 09:00:00 GMT</pubDate>"
                    "<description>Norwegian and Russian coast guards in the "
                    "Barents Sea.</description></item>\n"
                    % (escape(title), escape(link), escape(guid)))
        f.write("</channel></rss>\n")


class Collect(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.server = Server(os.path.join(FIX, "collect", "www"))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp)

    def conf(self, name, sources, max_size_mib=1):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        path = os.path.join(d, "arctic-digest.conf")
        with open(path, "w") as f:
            f.write("[digest]\nclock = 2025-07-28T07:00:00Z\n"
                    "contact = editor@example.org\n"
                    "[fetch]\ntimeout = 2\nmax_size_mib = %d\n" % max_size_mib)
            for sname, keys in sources:
                f.write("[source %s]\n" % sname)
                for k, v in keys.items():
                    f.write("%s = %s\n" % (k, v))
        return path, os.path.join(d, "arctic-digest.db")

    def collect(self, conf):
        r = subprocess.run([BIN, "-c", conf, "collect"], capture_output=True,
                           text=True, timeout=120)
        return r.returncode, r.stderr

    def line(self, err, name):
        for l in err.splitlines():
            if "source '%s':" % name in l:
                return l
        self.fail("no line for %s in:\n%s" % (name, err))

    def test_every_outcome_is_reported_and_stored(self):
        u = self.server.url
        conf, db = self.conf("outcomes", [
            ("journal", {"url": u + "/journal.rdf", "relevance": "all",
                         "enrich": "none"}),
            ("gz", {"url": u + "/gzip"}),
            ("redir", {"url": u + "/redirect"}),
            ("broken", {"url": u + "/500"}),
            ("slow", {"url": u + "/slow"}),
            ("huge", {"url": u + "/huge"}),
            ("page", {"url": u + "/html"}),
            ("loop", {"url": u + "/loop"}),
        ])
        rc, err = self.collect(conf)
        self.assertEqual(rc, 0, err)  # some sources worked
        self.assertIn("1 new", self.line(err, "journal"))
        self.assertRegex(self.line(err, "gz"), r"\d+ new")
        self.assertIn("HTTP 500", self.line(err, "broken"))
        self.assertRegex(self.line(err, "slow"),
                         r"timed out after 2 s|stalled: no data from \S+ for 1 s")
        self.assertIn("larger than 1 MiB", self.line(err, "huge"))
        self.assertIn("not a feed", self.line(err, "page"))
        self.assertIn("too many redirects", self.line(err, "loop"))
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        health = {r[0]: r[1:] for r in c.execute(
            "SELECT name, failures, etag, last_error FROM sources")}
        self.assertEqual(health["journal"][0], 0)
        self.assertTrue(health["journal"][1])  # the ETag was kept
        for bad in ("broken", "slow", "huge", "page", "loop"):
            self.assertEqual(health[bad][0], 1, bad)
            self.assertTrue(health[bad][2], bad)
        # gzip and the redirect carry the same feed: stored once.
        n_gz = c.execute("SELECT count(DISTINCT article_id) FROM "
                         "article_sources WHERE source IN ('gz', 'redir')"
                         ).fetchone()[0]
        n_both = c.execute(
            "SELECT count(*) FROM (SELECT article_id FROM article_sources "
            "WHERE source IN ('gz', 'redir') GROUP BY article_id "
            "HAVING count(DISTINCT source) = 2)").fetchone()[0]
        self.assertGreater(n_gz, 0)
        self.assertEqual(n_gz, n_both)
        c.close()

        # Again, nothing changed: conditional GETs, nothing new.
        before = self.server.stats()["statuses"].get("/journal.rdf", [])
        rc, err = self.collect(conf)
        self.assertEqual(rc, 0, err)
        self.assertIn("not modified", self.line(err, "journal"))
        statuses = self.server.stats()["statuses"]["/journal.rdf"]
        self.assertEqual(statuses[len(before):], [304])
        self.assertIn("0 new", self.line(err, "gz"))
        headers = self.server.stats()["last_headers"]["/journal.rdf"]
        self.assertIn("arctic-digest/", headers.get("User-Agent", ""))
        self.assertIn("editor@example.org", headers.get("User-Agent", ""))
        self.assertIn("If-None-Match", headers)

    def test_one_record_per_work_from_three_sources(self):
        u = self.server.url
        conf, db = self.conf("merge", [
            ("journal", {"url": u + "/journal.rdf", "relevance": "all",
                         "enrich": "none"}),
            ("lab", {"url": u + "/thinktank.xml", "enrich": "none"}),
            ("crossref", {"crossref_issn": "2154-896X",
                          "crossref_api": u + "/crossref"}),
        ])
        rc, err = self.collect(conf)
        self.assertEqual(rc, 0, err)
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        rows = c.execute("SELECT id, doi, url, abstract FROM articles").fetchall()
        self.assertEqual(len(rows), 1, rows)
        aid, doi, url, abstract = rows[0]
        self.assertEqual(doi.lower(), "10.5555/arc.2025.77")
        # The first link stored (Crossref's, collected before the feeds),
        # as written; the key has no tracking parameters.
        self.assertEqual(url, "https://doi.org/10.5555/arc.2025.77")
        key = c.execute("SELECT url_key FROM articles").fetchone()[0]
        self.assertNotIn("utm_", key)
        self.assertNotIn("af=R", key)
        self.assertTrue(abstract.startswith("Norway's 1977 fisheries"), abstract)
        sources = sorted(r[0] for r in c.execute(
            "SELECT source FROM article_sources WHERE article_id = ?", (aid,)))
        self.assertEqual(sources, ["crossref", "journal", "lab"])
        authors = c.execute("SELECT given, family FROM article_authors WHERE "
                            "article_id = ? ORDER BY pos", (aid,)).fetchall()
        self.assertEqual(authors, [("Kristín Ósk", "Ragnarsdóttir"),
                                   ("Henrik", "Aasland")])
        q = self.server.stats()["last_query"]["/crossref/journals/2154-896X/works"]
        self.assertEqual(q.get("mailto"), "editor@example.org")
        self.assertIn("from-pub-date:2025-07-14", q.get("filter", ""))
        c.close()

    def test_links_are_mailed_as_the_publisher_wrote_them(self):
        # Two feeds carry one story: titles, guids and sources differ, so
        # only the link's canonical key can tell it is the same work.
        www = os.path.join(self.tmp, "links-www")
        os.makedirs(www)
        write_rss(os.path.join(www, "a.xml"), [(
            "a-1", "Coast guards in the Barents Sea",
            "http://news.example:8080/a?x=1")])
        write_rss(os.path.join(www, "b.xml"), [(
            "b-1", "Barents coast guards (wire copy)",
            "https://news.example:8080/a?x=1#comments")])
        server = Server(www)
        try:
            conf, db = self.conf("links", [
                ("news", {"url": server.url + "/a.xml", "relevance": "all"}),
                ("wire", {"url": server.url + "/b.xml", "relevance": "all"}),
            ])
            rc, err = self.collect(conf)
            self.assertEqual(rc, 0, err)
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            rows = c.execute("SELECT id, url, url_key FROM articles").fetchall()
            self.assertEqual(len(rows), 1, rows)
            self.assertEqual(rows[0][1:], ("http://news.example:8080/a?x=1",
                                           "https://news.example:8080/a?x=1"))
            sources = sorted(r[0] for r in c.execute(
                "SELECT source FROM article_sources"))
            self.assertEqual(sources, ["news", "wire"])
            c.close()

            out = os.path.join(self.tmp, "links-out")
            r = subprocess.run([BIN, "-c", conf, "preview", "-o", out],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            for name in ("digest.txt", "digest.html"):
                with open(os.path.join(out, name), encoding="utf-8") as f:
                    body = f.read()
                self.assertIn("http://news.example:8080/a?x=1", body, name)
                self.assertNotIn("https://news.example", body, name)

            r = subprocess.run([BIN, "parse", server.url + "/b.xml"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            urls = [json.loads(l).get("url") for l in r.stdout.splitlines()
                    if l.strip()]
            self.assertIn("https://news.example:8080/a?x=1#comments", urls)
        finally:
            server.stop()

    def test_a_megabyte_title_makes_no_big_message(self):
        www = os.path.join(self.tmp, "huge-title-www")
        os.makedirs(www)
        write_rss(os.path.join(www, "feed.xml"), [
            ("t-%d" % i, "Item %d: " % i + "Arctic security " * 65536,
             "https://news.example/t%d" % i) for i in (1, 2)])
        self.assertGreater(os.path.getsize(os.path.join(www, "feed.xml")),
                           2 << 20)
        server = Server(www)
        try:
            conf, _ = self.conf("huge-title", [
                ("news", {"url": server.url + "/feed.xml",
                          "relevance": "all"})], max_size_mib=4)
            out = os.path.join(self.tmp, "huge-title-out")
            r = subprocess.run([BIN, "-c", conf, "preview", "-o", out],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            eml = os.path.join(out, "digest.eml")
            self.assertLess(os.path.getsize(eml), 200 * 1024)
            with open(os.path.join(out, "digest.txt"), encoding="utf-8") as f:
                txt = " ".join(f.read().split())
            self.assertIn("2 new articles", txt)
            for i in (1, 2):
                self.assertRegex(txt, r"Item %d: (Arctic security )*Arctic( security)?\u2026"
                                 % i)

            r = subprocess.run([BIN, "parse", server.url + "/feed.xml"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            titles = [json.loads(l).get("title")
                      for l in r.stdout.splitlines() if l.strip()]
            self.assertEqual(len(titles), 2)
            for t in titles:
                self.assertLessEqual(len(t), 300)
        finally:
            server.stop()

    def test_all_sources_failing_exits_69(self):
        conf, _ = self.conf("dead", [
            ("gone", {"url": "http://127.0.0.1:9/feed"}),
            ("broken", {"url": self.server.url + "/500"}),
        ])
        rc, err = self.collect(conf)
        self.assertEqual(rc, 69, err)
        self.assertIn("cannot connect", self.line(err, "gone"))


if __name__ == "__main__":
    unittest.main(verbosity=2)

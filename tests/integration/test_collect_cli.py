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


class Collect(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.server = Server(os.path.join(FIX, "collect", "www"))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp)

    def conf(self, name, sources):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        path = os.path.join(d, "arctic-digest.conf")
        with open(path, "w") as f:
            f.write("[digest]\nclock = 2025-07-28T07:00:00Z\n"
                    "contact = editor@example.org\n"
                    "[fetch]\ntimeout = 2\nmax_size_mib = 1\n")
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
            ("journal", {"url": u + "/journal.rdf", "relevance": "all"}),
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
            ("journal", {"url": u + "/journal.rdf", "relevance": "all"}),
            ("lab", {"url": u + "/thinktank.xml"}),
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
        # Canonical: no tracking parameters.
        self.assertNotIn("utm_", url)
        self.assertNotIn("af=R", url)
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

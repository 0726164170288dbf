#!/usr/bin/python3
"""Completion of feed items by DOI from Crossref, from the user's side.

A local HTTP server (tests/servers/http_server.py) serves a feed whose
items carry DOIs (tests/fixtures/crossref/enrich-feed.rss) and, under
/works/{DOI}, the real Crossref answers of tests/data/crossref (see its
README).  `collect` completes the items from them, `preview` shows the
filled values, a second `collect` asks Crossref nothing (the answers are
cached in the state), and a Crossref that answers 500, hangs or answers
something that is not JSON costs no article: each keeps what the feed
gave, and the failure is logged once.
"""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402

DATA = os.path.join(adtest.SRC, "tests", "data", "crossref")
FEED = os.path.join(adtest.SRC, "tests", "fixtures", "crossref",
                    "enrich-feed.rss")
NOW = "2021-03-05T07:00:00Z"
DOIS = {"10.7554/elife.01567", "10.1007/s00120-007-1345-2",
        "10.1101/2020.12.01.406702", "10.1007/978-3-662-46370-3_13",
        "10.5555/not-in-crossref"}


class Enrich(adtest.Folder):
    def setUp(self):
        super().setUp()
        self.www = self.tmpdir("ad-www-")
        os.symlink(os.path.join(DATA, "works"),
                   os.path.join(self.www, "works"))
        shutil.copy(FEED, os.path.join(self.www, "feed.rss"))
        self.srv = self.http("--root", self.www, "--slow-seconds", "5")
        self.write_subs([("reader@example.org", "Reader", "active", "",
                          "")])

    def configure(self, api, timeout=10):
        base = self.srv.base
        self.write_conf(
            digest={"clock": NOW, "contact": "editor@example.org",
                    "lookback_days": "14"},
            sources={"lab": {"url": base + "/feed.rss",
                             "relevance": "all",
                             "crossref_api": base + api}})
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("[fetch]\ntimeout = %d\n" % timeout)

    def works_requests(self, prefix="/works/"):
        """{DOI: requests} of Crossref lookups the server saw."""
        req = self.srv.stats()["requests"]
        return {p.split("/works/", 1)[1]: n for p, n in req.items()
                if p.startswith(prefix)}

    def rows(self):
        c = self.db()
        out = {}
        for r in c.execute("SELECT * FROM articles"):
            authors = [tuple(a) for a in c.execute(
                "SELECT given, family, literal FROM article_authors "
                "WHERE article_id = ? ORDER BY pos", (r["id"],))]
            out[r["guid"]] = dict(r, authors=authors)
        return out

    def crossref_lines(self, stderr):
        return [l for l in stderr.decode().splitlines() if "crossref" in l]

    def test_items_are_completed_once_and_preview_shows_it(self):
        self.configure("")
        r = self.ok("collect")
        self.assertEqual(self.crossref_lines(r.stderr), [])
        asked = self.works_requests()
        # One request per DOI, none for the item without one.
        self.assertEqual(set(asked), DOIS)
        self.assertEqual(set(asked.values()), {1})
        ua = self.srv.stats()["last_headers"]
        ua = [h["User-Agent"] for p, h in ua.items()
              if p.startswith("/works/")]
        self.assertTrue(all("mailto:editor@example.org" in u for u in ua), ua)

        a = self.rows()
        # eLife: the feed gave a title only.  Crossref gives the journal,
        # volume 3, the article number, its authors and the abstract.
        e = a["elife-01567"]
        self.assertEqual(e["container"], "eLife")
        self.assertEqual((e["volume"], e["issue"], e["pages"]),
                         ("3", None, "e01567"))
        self.assertEqual(e["authors"][:2], [("Martial", "Sankar", None),
                                            ("Kaisa", "Nieminen", None)])
        self.assertTrue(e["abstract"].startswith(
            "Among various advantages, their small size makes model "
            "organisms preferred subjects of investigation."), e["abstract"])
        self.assertNotIn("<", e["abstract"])
        # The feed's own summary and author stay; what it lacks is filled.
        u = a["urologe-1345"]
        self.assertEqual(u["abstract"], "The feed's own summary of a case "
                                        "report.")
        self.assertEqual(u["authors"], [("M.", "Lehsnau", None)])
        self.assertEqual((u["container"], u["volume"], u["issue"],
                          u["pages"]), ("Der Urologe", "46", "7", "776-779"))
        # "Luke R. Joyce et al.": Crossref names them all.
        b = a["biorxiv-406702"]
        self.assertEqual(b["authors"][0], ("Luke R.", "Joyce", None))
        self.assertGreater(len(b["authors"]), 1)
        self.assertEqual(b["others"], 0)
        self.assertEqual(b["container"], "bioRxiv")
        self.assertEqual(b["kind"], "preprint")
        self.assertTrue(b["abstract"].startswith("Bacterial membrane lipids"),
                        b["abstract"])
        ch = a["chapter-13"]
        self.assertEqual((ch["container"], ch["pages"], ch["kind"]),
                         ("Shoulder Stiffness", "155-158", "book-chapter"))
        self.assertEqual((e["kind"], u["kind"]),
                         ("journal-article", "journal-article"))
        # The language: Crossref's, where the feed gave none.
        self.assertEqual((e["lang"], u["lang"], b["lang"]), ("en", "de", None))
        self.assertIsNone(a["no-doi"]["kind"])
        self.assertEqual(ch["authors"], [("Ronald L.", "Diercks", None),
                                         ("Tom Clement", "Ludvigsen", None)])
        # Unknown to Crossref (404), or no DOI: as the feed gave them.
        self.assertEqual(a["unknown-doi"]["abstract"],
                         "Only the feed knows this one.")
        self.assertEqual(a["unknown-doi"]["container"], "Completion test feed")
        self.assertEqual(a["no-doi"]["abstract"],
                         "Nothing to ask Crossref about.")

        out = self.tmpdir()
        self.ok("preview", "--offline", "-o", out)
        with open(os.path.join(out, "digest.txt"), encoding="utf-8") as f:
            txt = adtest.squash(f.read())
        self.assertIn("Among various advantages", txt)
        self.assertIn("Der Urologe 46, no. 7", txt)
        # the chapter is cited in its book, not as an article, with the
        # publisher and place Crossref gives (CMOS 14.9)
        self.assertIn("In Shoulder Stiffness, 155\u201358. Berlin, "
                      "Heidelberg: Springer Berlin Heidelberg,", txt)
        self.assertIn("776", txt)
        self.assertIn("Sankar", txt)

        # A second run asks Crossref nothing: every answer, the 404 too,
        # is in the state.
        r = self.ok("collect")
        self.assertEqual(self.works_requests(), asked)
        self.assertEqual(self.crossref_lines(r.stderr), [])
        self.assertEqual(self.rows()["elife-01567"]["volume"], "3")

    def check_failure(self, api, why, timeout=10):
        self.configure(api, timeout)
        r = self.ok("collect")
        lines = self.crossref_lines(r.stderr)
        # Logged once for the run, not once per item.
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("5 articles not completed", lines[0])
        self.assertRegex(lines[0], why)
        # Asked once: after a failure Crossref is not asked again this run.
        asked = self.works_requests(api + "/works/")
        self.assertEqual(sum(asked.values()), 1, asked)
        a = self.rows()
        self.assertEqual(len(a), 6)
        u = a["urologe-1345"]
        self.assertEqual(u["title"], "Penisverletzung durch eine Moulinette")
        self.assertEqual(u["abstract"], "The feed's own summary of a case "
                                        "report.")
        self.assertEqual(u["authors"], [("M.", "Lehsnau", None)])
        self.assertIsNone(u["volume"])
        self.assertEqual(a["biorxiv-406702"]["others"], 1)
        self.assertEqual(a["biorxiv-406702"]["authors"],
                         [("Luke R.", "Joyce", None)])
        self.assertIsNotNone(a["elife-01567"]["published"])
        # Nothing was cached, and the feed's validators were not kept: the
        # next run reads the feed again and asks again.
        self.ok("collect")
        asked = self.works_requests(api + "/works/")
        self.assertEqual(sum(asked.values()), 2, asked)

    def test_a_crossref_answering_500_keeps_the_feeds_values(self):
        self.check_failure("/500", r"HTTP 500")

    def test_a_crossref_that_hangs_past_the_timeout_keeps_the_feeds_values(
            self):
        self.check_failure("/slow", r"timed out after 1 s|stalled", timeout=1)

    def test_an_answer_that_is_not_json_keeps_the_feeds_values(self):
        self.check_failure("/html", r"JSON error")

    def test_enrich_none_asks_nothing(self):
        self.configure("")
        with open(self.conf, encoding="utf-8") as f:
            text = f.read().replace("[source lab]\n",
                                    "[source lab]\nenrich = none\n")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)
        self.ok("collect")
        self.assertEqual(self.works_requests(), {})
        e = self.rows()["elife-01567"]
        self.assertEqual((e["volume"], e["pages"], e["authors"]),
                         (None, None, []))


if __name__ == "__main__":
    unittest.main()

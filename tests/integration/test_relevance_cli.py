#!/usr/bin/python3
"""Relevance needs a topic, not only a place (issue 13, item 3), from the
user's side: with the built-in terms, `preview --explain` keeps an
article where a place meets a governance, security or economy term, drops
a café guide that only names Tromsø and says why; a source with
`relevance = all` keeps everything."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
from adtest import NOW  # noqa: E402

ITEMS = [
    {"title": "Café Culture in Tromsø: A Guide",
     "link": "https://travel.example.org/tromso-cafes",
     "date": "Fri, 25 Jul 2025 08:00:00 GMT",
     "description": "Where to drink coffee in the capital of the north."},
    {"title": "Norway's defence minister visits Tromsø",
     "link": "https://news.example.org/minister-tromso",
     "date": "Fri, 25 Jul 2025 09:00:00 GMT",
     "description": "Talks on allied presence in the High North."},
]


class RelevanceNeedsATopic(adtest.Folder):
    def setUp(self):
        super().setUp()
        self.feed = os.path.join(self.dir, "feed.xml")
        with open(self.feed, "wb") as f:
            f.write(adtest.rss(ITEMS))
        self.write_subs([("a@example.org", "A", "active", "", "html")])

    def preview(self, source):
        self.write_conf(sources={"news": source})
        out = self.tmpdir()
        r = self.ok("preview", "--explain", "-o", out, now=NOW)
        with open(os.path.join(out, "digest.txt"), encoding="utf-8") as f:
            return r.stderr.decode(), f.read()

    def test_a_place_alone_is_not_enough(self):
        err, text = self.preview({"url": self.feed})
        self.assertIn("Norway's defence minister visits Tromsø", text)
        self.assertNotIn("Café Culture", text)
        line = [l for l in err.splitlines() if "Café Culture" in l]
        self.assertEqual(len(line), 1, err)
        self.assertIn("only places: title: Tromsø; no governance, security, "
                      "economy or policy term", line[0])

    def test_relevance_all_keeps_every_item(self):
        err, text = self.preview({"url": self.feed, "relevance": "all"})
        self.assertIn("Café Culture in Tromsø", text)
        self.assertIn("Norway's defence minister", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)

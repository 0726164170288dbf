#!/usr/bin/python3
"""The kind of work from the item and the source (issue 13, item 4), from
the user's side.

A think tank's feed ([source] kind = report) mixes items that say nothing
of their kind, one that says it is a journal article (dc:type
Text.Serial.Journal), one from a newspaper (prism:aggregationType), one
that is a preprint (dc:type info:eu-repo/semantics/preprint) and one that
links to arXiv without saying anything.  A second source without a kind
carries the same arXiv link and a plain item.  The order is Crossref's
type (test_enrich.py), the item's word, the source's kind, a preprint
server's DOI or link, unknown: `collect` stores that, `preview` cites a
report with its title in italics (not quoted, as an article's), and
`parse`, which knows no source, shows the item's word or the link's.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
from adtest import NOW  # noqa: E402

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">'
        '<channel><title>%s</title><link>https://%s/</link>'
        '<description>A test feed</description>')


def feed(title, host, items):
    """items: (guid, title, link, extra elements)"""
    out = [HEAD % (title, host)]
    for i, (guid, t, link, extra) in enumerate(items):
        out.append("<item><title>%s</title><link>%s</link>"
                   "<guid isPermaLink=\"false\">%s</guid>"
                   "<pubDate>Fri, 25 Jul 2025 0%d:00:00 GMT</pubDate>"
                   "<dc:creator>Ann Berg</dc:creator>%s</item>"
                   % (t, link, guid, i, extra))
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")


THINK_TANK = [
    ("tt-plain", "Arctic Governance After Ilulissat",
     "https://thinktank.example.org/reports/ilulissat", ""),
    ("tt-arxiv", "Sea Ice Loss and the Northern Sea Route",
     "https://arxiv.org/abs/2508.13426", ""),
    ("tt-journal", "Greenland Mineral Policy",
     "https://thinktank.example.org/journal/greenland",
     "<dc:type>Text.Serial.Journal</dc:type>"),
    ("tt-news", "Svalbard Treaty Talks Resume",
     "https://thinktank.example.org/press/svalbard",
     "<prism:aggregationType>newspaper</prism:aggregationType>"),
    ("tt-preprint", "Permafrost Carbon in the Barents Region",
     "https://thinktank.example.org/wp/permafrost",
     "<dc:type>info:eu-repo/semantics/preprint</dc:type>"),
]
OTHER = [
    ("o-arxiv", "Ice Shelf Dynamics in the Arctic",
     "https://arxiv.org/abs/2508.99999", ""),
    ("o-plain", "Arctic Council Chairship Priorities",
     "https://other.example.org/chairship", ""),
]


class Kinds(adtest.Folder):
    def setUp(self):
        super().setUp()
        self.tt = os.path.join(self.dir, "thinktank.xml")
        with open(self.tt, "wb") as f:
            f.write(feed("Think Tank Reports", "thinktank.example.org",
                         THINK_TANK))
        other = os.path.join(self.dir, "other.xml")
        with open(other, "wb") as f:
            f.write(feed("Other Site", "other.example.org", OTHER))
        self.write_subs([("a@example.org", "A", "active", "", "text")])
        self.write_conf(sources={
            "thinktank": {"url": self.tt, "relevance": "all",
                          "kind": "report"},
            "other": {"url": other, "relevance": "all"}})

    def kinds(self):
        return {r["guid"]: r["kind"] for r in
                self.db().execute("SELECT guid, kind FROM articles")}

    def test_collect_orders_item_source_and_link(self):
        self.ok("collect", now=NOW)
        self.assertEqual(self.kinds(), {
            # the source's kind where the item says none, even over the
            # arXiv link
            "tt-plain": "report", "tt-arxiv": "report",
            # the item's own word over the source's kind
            "tt-journal": "journal-article", "tt-news": "news",
            "tt-preprint": "preprint",
            # no source kind: the link's, else none
            "o-arxiv": "preprint", "o-plain": None})

    def test_preview_cites_the_source_kind(self):
        out = self.tmpdir()
        self.ok("preview", "-o", out, now=NOW)
        with open(os.path.join(out, "digest.txt"), encoding="utf-8") as f:
            text = " ".join(f.read().split())
        # a report: the title not quoted; a journal article: quoted
        self.assertIn("citation: Berg, Ann. Arctic Governance after "
                      "Ilulissat. Think Tank Reports", text)
        self.assertIn("citation: Berg, Ann. Sea Ice Loss and the Northern "
                      "Sea Route. Think Tank Reports", text)
        self.assertIn("citation: Berg, Ann. \u201cGreenland Mineral "
                      "Policy.\u201d", text)
        self.assertIn("citation: Berg, Ann. \u201cArctic Council "
                      "Chairship Priorities.\u201d", text)
        # a newspaper's article names the paper in italics (CMOS 17
        # 14.191); a web page its site in roman (14.206)
        with open(os.path.join(out, "digest.html"), encoding="utf-8") as f:
            html = " ".join(f.read().split())
        self.assertIn("Svalbard Treaty Talks Resume.\u201d "
                      "<em>Think Tank Reports</em>, July 25, 2025.", html)
        self.assertIn("Chairship Priorities.\u201d Other Site, July 25, "
                      "2025.", html)

    def test_parse_knows_no_source(self):
        r = self.ok("parse", self.tt)
        got = {a["guid"]: a["kind"] for a in
               (json.loads(l) for l in r.stdout.decode().splitlines())}
        self.assertEqual(got, {
            "tt-plain": None, "tt-arxiv": "preprint",
            "tt-journal": "journal-article", "tt-news": "news",
            "tt-preprint": "preprint"})

    def test_an_unknown_kind_is_a_config_error(self):
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("[source blog]\nurl = blog.xml\nkind = blog-post\n")
        r = self.ad("collect", now=NOW)
        self.assertEqual(r.returncode, 78, r.stderr)
        err = r.stderr.decode()
        self.assertIn("a.conf:", err)
        self.assertIn("[source blog] kind: 'blog-post' is not journal-article, "
                      "report, preprint, news, web-page, book-chapter, book, "
                      "proceedings-article, reference-entry, posted-content, "
                      "dataset or peer-review", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/python3
"""Every item of every real feed in tests/data/real-feeds (see its README)
through `arctic-digest parse`, checked against the raw item.

The expected values are not our output: each feed's journal was read from
its channel by hand (FEEDS), and DOI, volume, issue, pages and title come
from the item's own elements, read here with Python's ElementTree (a
different XML parser).  For each item the test asserts the journal, the
DOI (PRISM's, or the dc:identifier's), volume/issue/pages where the item
has them (and none where it has none), that the abstract is never an issue
statement, a byline or an arXiv header and is there when the item carries
prose, and that the authors are the ones the item names.

With --report, prints how many items pass each check instead of failing.
"""
import html
import json
import os
import re
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

BIN = os.path.abspath(os.environ.get("AD_BIN", "build/arctic-digest"))
SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
CORPUS = os.path.join(SRC, "tests", "data", "real-feeds")

# The journal or site each feed's items belong to, read from the channel.
FEEDS = {
    "tandf-journal-of-web-librarianship.rdf": "Journal of Web Librarianship",
    "atypon-american-journal-of-public-health.rdf":
        "American Journal of Public Health",
    "wiley-journal-of-vegetation-science.rdf": "Journal of Vegetation Science",
    "biorxiv-plant-biology.rdf": "bioRxiv",
    "mdpi-fluids.rdf": "Fluids",
    "science-current-issue.rdf": "Science",
    "science-twis.rdf": "Science",
    "guardian-news.rss": "The Guardian",
    "wordpress-natasha-the-robot.rss": "Natasha The Robot",
    # titled "Medscape Family Medicine Headlines", a site's section:
    # "Copyright 2025, Medscape" names the site
    "medscape-news.rss": "Medscape",
    "typepad-ent-expert-opinion.atom": "ENT expert opinion",
    "elsevier-molecular-phylogenetics-and-evolution.rss":
        "Molecular Phylogenetics and Evolution",
    "elsevier-zoologischer-anzeiger.rss": "Zoologischer Anzeiger",
    "cambridge-canadian-entomologist.rss": "The Canadian Entomologist",
    "oup-zoological-journal-of-the-linnean-society.rss":
        "Zoological Journal of the Linnean Society",
    "wiley-taxon.rss": "TAXON",
    "tandf-zoology-in-the-middle-east.rss": "Zoology in the Middle East",
    "ingenta-systematic-botany.rdf": "SYSTEMATIC BOTANY",
    "ingenta-persoonia.rdf":
        "PERSOONIA MOLECULAR PHYLOGENY AND EVOLUTION OF FUNGI",
    "ojs-journal-of-threatened-taxa.rss": "Journal of Threatened Taxa",
    "ojs-rivista-italiana-di-paleontologia.rss":
        "RIVISTA ITALIANA DI PALEONTOLOGIA E STRATIGRAFIA",
    "ojs-entomologisk-tidskrift.atom": "Entomologisk Tidskrift",
    "ojs-edinburgh-journal-of-botany.rss": "Edinburgh Journal of Botany",
    "ojs-insecta-mundi.rss": "Insecta Mundi",
    "ojs-contributions-to-entomology.atom":
        "Beiträge zur Entomologie = Contributions to Entomology",
    "pensoft-mycokeys.rss": "MycoKeys",
    "microbiology-society-ijsem.rss":
        "International Journal of Systematic and Evolutionary Microbiology",
    "mapress-zootaxa.rss": "Zootaxa",
    "schweizerbart-nova-hedwigia.rss": "Nova Hedwigia",
    # a search across journals: each item's own dc:source
    "pubmed-search.rss": None,
    "wordpress-techcrunch.rss": "TechCrunch",
    "ghost-cloudflare-blog.rss": "The Cloudflare Blog",
    "ghost-element-blog.rss": "Element Blog",
    "ghost-404-media.rss": "404 Media",
    "wordpress-foreign-policy.rss": "Foreign Policy",
    # channel "cs.LG, cs.AI, cs.CL, stat.ML updates on arXiv.org"
    "arxiv-cs-lg-ai-cl-stat-ml.rss": "arXiv",
    # arXiv's API: the feed is titled "arXiv Query: search_query=...", the
    # entries' links lead to arxiv.org.
    "arxiv-api-cs-cl.atom": "arXiv",
    "substack-tidewell-lore.rss": "tidewell lore",
}

# The kind of work every item of a feed is, read from the channel (a
# preprint server); feeds not listed make no claim (None).
KINDS = {
    "biorxiv-plant-biology.rdf": "preprint",
    "arxiv-cs-lg-ai-cl-stat-ml.rss": "preprint",
    "arxiv-api-cs-cl.atom": "preprint",
}

# Authors read by hand from raw author elements: (feed, the element's text)
# -> [(given, family) or literal].  Every element of these texts in the
# feed must give exactly these names.
AUTHORS = {
    ("tandf-journal-of-web-librarianship.rdf",
     "Richard Wisneski Miami University, Oxford, Ohio, USA"):
        [("Richard", "Wisneski")],
    ("tandf-journal-of-web-librarianship.rdf",
     "Steve Brantley Professor of Library Services, Eastern Illinois "
     "University, Charleston, IL, USA"):
        [("Steve", "Brantley")],
    ("tandf-journal-of-web-librarianship.rdf",
     "Elizabeth Fronk Collection Development Librarian, Kolwyck Library and "
     "Information Commons, Chattanooga State Community College, "
     "Chattanooga, Tennessee, USA"):
        [("Elizabeth", "Fronk")],
    ("biorxiv-plant-biology.rdf",
     "Kaur, M., Shukla, A., Kanwar, S., Shukla, V., Kaur, G., Sharma, S., "
     "Kumar, A., Aggarwal, S., Bhati, K. K., Pandey, P., Mazumder, K., "
     "Rishi, V., Pandey, A. K."):
        [("M.", "Kaur"), ("A.", "Shukla"), ("S.", "Kanwar"), ("V.", "Shukla"),
         ("G.", "Kaur"), ("S.", "Sharma"), ("A.", "Kumar"),
         ("S.", "Aggarwal"), ("K. K.", "Bhati"), ("P.", "Pandey"),
         ("K.", "Mazumder"), ("V.", "Rishi"), ("A. K.", "Pandey")],
    ("wiley-journal-of-vegetation-science.rdf",
     "J. Tormo, B. Moreira, J.G. Pausas"):
        [("J.", "Tormo"), ("B.", "Moreira"), ("J.G.", "Pausas")],
    ("guardian-news.rss", "Tom McCarthy in New York"):
        [("Tom", "McCarthy")],
    ("guardian-news.rss", "Sam Jones in Madrid and Stephen Burgen in Barcelona"):
        [("Sam", "Jones"), ("Stephen", "Burgen")],
    ("guardian-news.rss", "Patrick Wintour Diplomatic editor"):
        [("Patrick", "Wintour")],
    ("guardian-news.rss", "Nick Ames (now), Ed Aarons and Ben Fisher (earlier)"):
        [("Nick", "Ames"), ("Ed", "Aarons"), ("Ben", "Fisher")],
    ("guardian-news.rss", "Associated Press"): ["Associated Press"],
    ("guardian-news.rss", "DJ Gallo"): [("DJ", "Gallo")],
    ("guardian-news.rss", "Ashifa Kassam in Stanstead, Quebec"):
        [("Ashifa", "Kassam")],
    ("guardian-news.rss", "Associated Press in Palm Beach, Florida"):
        ["Associated Press"],
    ("guardian-news.rss", "Theodore Roosevelt IV"): [("Theodore", "Roosevelt IV")],
    ("mdpi-fluids.rdf", "Prashanth Reddy Hanmaiahgari"):
        [("Prashanth Reddy", "Hanmaiahgari")],
    ("ghost-cloudflare-blog.rss", "Luke Valenta"): [("Luke", "Valenta")],
    ("ghost-element-blog.rss", "Steve Loynes"): [("Steve", "Loynes")],
    ("ghost-404-media.rss", "Becky Ferreira"): [("Becky", "Ferreira")],
    ("wordpress-foreign-policy.rss", "John Haltiwanger and Rishi Iyengar"):
        [("John", "Haltiwanger"), ("Rishi", "Iyengar")],
    ("wordpress-foreign-policy.rss", "Karen Kramer and Esfandiar Aban"):
        [("Karen", "Kramer"), ("Esfandiar", "Aban")],
    ("wordpress-foreign-policy.rss", "Stephen M. Walt"):
        [("Stephen M.", "Walt")],
    ("wordpress-foreign-policy.rss", "Hélène Landemore"):
        [("Hélène", "Landemore")],
    ("wordpress-foreign-policy.rss", "FP Staff"): ["FP Staff"],
    ("arxiv-cs-lg-ai-cl-stat-ml.rss", "Fabien Polly"): [("Fabien", "Polly")],
    ("arxiv-cs-lg-ai-cl-stat-ml.rss",
     "Naser Mansour, Sidahmed Benabderrahmane, Ameer Rahwan"):
        [("Naser", "Mansour"), ("Sidahmed", "Benabderrahmane"),
         ("Ameer", "Rahwan")],
    ("arxiv-cs-lg-ai-cl-stat-ml.rss",
     "Pritam Dey, Zhengwu Zhang, David B. Dunson"):
        [("Pritam", "Dey"), ("Zhengwu", "Zhang"), ("David B.", "Dunson")],
    ("arxiv-cs-lg-ai-cl-stat-ml.rss",
     "Michael Joswig, Marek Kaluba, Lukas Ruff"):
        [("Michael", "Joswig"), ("Marek", "Kaluba"), ("Lukas", "Ruff")],
    # Substack's byline here is the publication's own name, in lower case
    ("substack-tidewell-lore.rss", "tidewell lore"): ["tidewell lore"],
}

# Titles read by hand where the item's <title> is not the title alone:
# (feed, item number) -> title.
TITLES = {
    ("mdpi-fluids.rdf", 1): "Environmental Hydraulics, Turbulence, and "
                            "Sediment Transport, Second Edition",
}

NS_PRISM = ("http://prismstandard.org/namespaces/basic/2.0/",
            "http://prismstandard.org/namespaces/1.2/basic/",
            "http://prismstandard.org/namespaces/2.0/basic/",
            "http://purl.org/rss/1.0/modules/prism/",
            # Oxford Academic declares xmlns:prism="prism" on each element
            "prism")
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_ATOM = "http://www.w3.org/2005/Atom"

# An issue statement, a byline, an arXiv header: never an abstract.
NOT_ABSTRACT = re.compile(
    r"^\s*((.{0,120},\s*)?(Volume|Vol\.)\s+\w+.{0,80}(Issue|Page|No\.)"
    r"|by [A-Z][^.]{0,80},"
    r"|arXiv:\S+\s+Announce Type:"
    r"|Publication date:)", re.S)


def text_of(el):
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip() if el is not None else ""


def local(tag):
    return tag.rsplit("}", 1)[-1]


def ns(tag):
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


def raw_root(path):
    with open(path, "rb") as f:
        data = f.read()
    # white space before the XML declaration (Atypon) is no content
    return ET.fromstring(data.lstrip() if data.lstrip().startswith(b"<?xml")
                         else data)


def raw_items(path):
    root = raw_root(path)
    if local(root.tag) == "feed":
        return [e for e in root if local(e.tag) == "entry"]
    if local(root.tag) == "RDF":
        return [e for e in root if local(e.tag) == "item"]
    return [e for e in root.iter() if local(e.tag) == "item"]


def children(item, names, namespaces=None):
    return [c for c in item if local(c.tag) in names and
            (namespaces is None or ns(c.tag) in namespaces)]


def first(item, names, namespaces=None):
    found = [text_of(c) for c in children(item, names, namespaces)]
    found = [t for t in found if t and t.lower() not in ("n/a", "na", "-", "0")]
    return found[0] if found else None


def expected_doi(item):
    doi = first(item, ("doi",), NS_PRISM) or statement(item)[3]
    if doi is None:
        for ident in children(item, ("identifier",), (NS_DC,)):
            m = re.match(r"\s*(?:doi:|info:doi/)\s*(10\.\S+)", text_of(ident))
            if m:
                doi = m.group(1)
                break
    if doi is None:
        # An Atom link to doi.org, of any relation (arXiv's API gives the
        # published version's as rel="related" title="doi").
        for link in children(item, ("link",), (NS_ATOM,)):
            m = re.match(r"https?://(?:dx\.)?doi\.org/(10\.\S+)",
                         link.get("href") or "")
            if m:
                doi = m.group(1)
                break
    if doi:
        doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", doi)
    # An arXiv e-print's item is the preprint: a DOI that is not arXiv's
    # own (10.48550/arXiv.ID) is the published version's, another work.
    if doi and on_arxiv(item) and \
            not doi.lower().startswith("10.48550/arxiv."):
        doi = None
    return doi.lower() if doi else None


def item_link(item):
    for link in children(item, ("link",), (NS_ATOM,)):
        if link.get("rel") in (None, "alternate"):
            return link.get("href")
    return first(item, ("link",))


def on_arxiv(item):
    return re.match(r"https?://(export\.)?arxiv\.org/abs/",
                    item_link(item) or "") is not None


def published_doi(item):
    """The DOI an arXiv item gives for the published version of the
    e-print (arxiv:doi, arxiv:DOI), None if it gives none."""
    for c in item:
        if ns(c.tag) == "http://arxiv.org/schemas/atom" and \
                local(c.tag).lower() == "doi" and text_of(c):
            return text_of(c)
    return None


def expected_pages(item):
    sp = first(item, ("startingPage",), NS_PRISM)
    ep = first(item, ("endingPage",), NS_PRISM)
    if sp is None:
        return None
    return sp if ep is None or ep == sp else sp + "-" + ep


# Pensoft's head: "MycoKeys 85: 73-85 DOI: 10.3897/... Authors: ..."
LABELLED = re.compile(r"\s*\S[^:]*?\s(\d+):\s*(\d+(?:-\d+)?)\s+DOI:\s*(10\.\S+)"
                      r"\s+Authors?:")


def statement(item):
    """(volume, issue, pages, doi) that an issue statement in the item's
    text gives (Wiley's "TAXON, Volume 70, Issue 6, Page 1327-1328, ...",
    ScienceDirect's "Source: Journal, Volume 167", Pensoft's labelled
    head), each None where it gives none."""
    for t in texts(item):
        m = LABELLED.match(t)
        if m:
            return m.group(1), None, m.group(2), m.group(3).lower()
        if not NOT_ABSTRACT.match(t):
            continue
        vol = re.search(r"\bVol(?:ume|\.)\s*([0-9A-Za-z]+)", t)
        iss = re.search(r"\b(?:Issue|No\.)\s*([0-9A-Za-z-]+)", t)
        pages = re.search(r"\bPages?\s*(\d+)\s*[-\u2013]\s*(\d+)", t)
        return (vol and vol.group(1), iss and iss.group(1),
                pages and pages.group(1) + "-" + pages.group(2), None)
    return None, None, None, None


def expected_locators(item):
    """PRISM's volume, number and pages; where PRISM is silent, the issue
    statement's."""
    prism = (first(item, ("volume",), NS_PRISM),
             first(item, ("number",), NS_PRISM), expected_pages(item))
    st = statement(item)
    return tuple(p if p is not None else s for p, s in zip(prism, st[:3]))


def plain(markup):
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"\s+", " ", text).strip()


def squeezed(s):
    """s without markup or white space (no-break spaces too), for
    comparing text that two readers spaced differently."""
    s = html.unescape(re.sub(r"<[^>]+>", "", s)).replace("\u2026", "...")
    # a byte order mark inside a title is no text (Pensoft's)
    return re.sub(r"\s+", "", s).replace("\ufeff", "")


def texts(item):
    """The item's candidate abstracts as plain text."""
    return [plain(text_of(c)) for c in
            children(item, ("description", "encoded", "summary", "content"))]


def prose(item):
    """Whether one of them reads as prose: 20 words or more, no issue
    statement."""
    return any(len(t.split()) >= 20 and not NOT_ABSTRACT.match(t)
               for t in texts(item))


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def expected_lang(root, item):
    """The item's dc:language; the channel's (or Atom feed's) dc:language,
    then RSS <language>; then xml:lang on the item, the channel or the
    root; lower case, "_" as "-"."""
    chan = root if local(root.tag) == "feed" else \
        next((c for c in root if local(c.tag) == "channel"), root)
    lang = (first(item, ("language",), (NS_DC,)) or
            first(chan, ("language",), (NS_DC,)) or
            first(chan, ("language",), ("",)) or
            item.get(XML_LANG) or chan.get(XML_LANG) or root.get(XML_LANG))
    return lang.strip().lower().replace("_", "-") if lang else None


def parse(path):
    out = subprocess.run([BIN, "parse", path], capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        raise AssertionError("parse %s: %s" % (path, out.stderr))
    return [json.loads(line) for line in out.stdout.splitlines() if line]


def contains(names, part):
    """part is a run of names in the list (one element's names among the
    item's)."""
    return any(names[i:i + len(part)] == part
               for i in range(len(names) - len(part) + 1))


def name_of(a):
    return a["literal"] if "literal" in a else (a.get("given"), a.get("family"))


ITALIC_TAG = re.compile(r"<(/?)(?:[\w-]+:)?(?:i|em|italic)(?:\s[^>]*)?>", re.I)


def expected_italics(title):
    """The title_markup of a title read as HTML (<i>, <em>), without white
    space (two readers space it differently); None without italics or
    when one run is the whole title (a feed's styling)."""
    t = ITALIC_TAG.sub(lambda x: "\ue001" if x.group(1) else "\ue000", title)
    t = html.unescape(re.sub(r"<[^>]*>", "", t))
    t = re.sub(r"\s+", "", t).replace("\ufeff", "")
    t = re.sub("\ue000\ue001", "", t)
    t = re.sub("\ue001\ue000", "", t)  # runs only spaces apart are one
    if "\ue000" not in t or (t.startswith("\ue000") and t.endswith("\ue001")
                             and t.count("\ue000") == 1):
        return None
    t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return t.replace("\ue000", "<i>").replace("\ue001", "</i>")


def check_feed(name):
    """(item count, {check: [failures]}) for one feed."""
    path = os.path.join(CORPUS, name)
    items = raw_items(path)
    root = raw_root(path)
    got = parse(path)
    fails = {k: [] for k in ("count", "journal", "doi", "locators", "abstract",
                             "authors", "title", "kind", "lang", "italics")}
    if len(items) != len(got):
        fails["count"].append("%d items, parse gave %d" % (len(items), len(got)))
        return len(items), fails
    for i, (raw, a) in enumerate(zip(items, got)):
        where = "%s item %d" % (name, i + 1)
        journal = FEEDS[name] or first(raw, ("source",), (NS_DC,))
        if a["container"] != journal:
            fails["journal"].append("%s: container %r, not %r" % (
                where, a["container"], journal))
        if a.get("kind") != KINDS.get(name):
            fails["kind"].append("%s: kind %r" % (where, a.get("kind")))
        if a.get("lang") != expected_lang(root, raw):
            fails["lang"].append("%s: lang %r, feed says %r" % (
                where, a.get("lang"), expected_lang(root, raw)))
        want = expected_doi(raw)
        have = a["doi"].lower() if a["doi"] else None
        if want is not None and have != want:
            fails["doi"].append("%s: doi %r, item says %r" % (where, have, want))
        if want is None and have is not None and have not in (
                a.get("url") or "").lower():
            fails["doi"].append("%s: doi %r from nowhere" % (where, have))
        loc = expected_locators(raw)
        if (a.get("volume"), a.get("issue"), a.get("pages")) != loc:
            fails["locators"].append("%s: %r, item says %r" % (
                where, (a.get("volume"), a.get("issue"), a.get("pages")), loc))
        abstract = a["abstract"] or ""
        if NOT_ABSTRACT.match(abstract):
            fails["abstract"].append("%s: abstract %r" % (where, abstract[:80]))
        if prose(raw) and not abstract:
            fails["abstract"].append("%s: no abstract, item has prose" %
                                     where)
        elif abstract and not any(squeezed(abstract)[:40] in squeezed(t)
                                  for t in texts(raw)):
            fails["abstract"].append("%s: abstract %r not the item's text" % (
                where, abstract[:60]))
        creators = [c for c in children(raw, ("creator",), (NS_DC,))
                    if text_of(c)]
        atom = [c for c in raw if local(c.tag) == "author"]
        names = [name_of(x) for x in a["authors"]]
        if (creators or atom) and not names:
            fails["authors"].append("%s: no authors" % where)
        for n in names:
            parts = [n] if isinstance(n, str) else [p for p in n if p]
            if not parts or any(p in ("al.", "et al.") or p.endswith(",")
                                or p != p.strip() for p in parts):
                fails["authors"].append("%s: name %r" % (where, n))
        for c in creators:
            key = (name, text_of(c))
            if key in AUTHORS and not contains(names, AUTHORS[key]):
                fails["authors"].append("%s: %r gave %r" % (where, key[1], names))
        title = TITLES.get((name, i + 1)) or first(raw, ("title",), ("",)) \
            or first(raw, ("title",))
        ours, theirs = squeezed(a["title"] or ""), squeezed(title or "")
        # a title over COLLECT_TITLE_MAX is cut at a word with an ellipsis
        cut = ours.endswith("...") and len(title or "") > 300 and \
            theirs.startswith(ours[:-3])
        if ours != theirs and not cut:
            fails["title"].append("%s: title %r" % (where, a["title"]))
        # The title's italics (a species: "&lt;em&gt;Coleophora&lt;/em&gt;")
        # where the item's title is HTML text, not XHTML elements.
        el = next(iter(children(raw, ("title",), ("",))), None)
        if (name, i + 1) not in TITLES and not cut and el is not None and \
                len(el) == 0:
            want = expected_italics(title or "")
            have = a.get("title_markup")
            have = re.sub(r"\s+", "", have) if have else None
            if have != want:
                fails["italics"].append("%s: title_markup %r, not %r" % (
                    where, a.get("title_markup"), want))
    return len(items), fails


class RealFeeds(unittest.TestCase):
    def test_corpus_is_listed_and_documented(self):
        files = sorted(f for f in os.listdir(CORPUS) if f != "README.md")
        self.assertEqual(files, sorted(FEEDS))
        with open(os.path.join(CORPUS, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for f in files:
            self.assertIn("`%s`" % f, readme)

    def test_every_item_of_every_feed(self):
        for name in sorted(FEEDS):
            with self.subTest(feed=name):
                _, fails = check_feed(name)
                flat = [m for msgs in fails.values() for m in msgs]
                self.assertEqual(flat, [])

    def test_citations_carry_the_items_volume(self):
        """An item whose feed gives a volume is cited as an article of a
        periodical, with its volume, in every style (CMOS 14.171, APA 7
        10.1, MLA 9 5.74), DOI or not (ScienceDirect's and Ingenta's
        items have none); checked against the raw item's volume."""
        for name in sorted(FEEDS):
            path = os.path.join(CORPUS, name)
            for i, (raw, a) in enumerate(zip(raw_items(path), parse(path))):
                vol = expected_locators(raw)[0]
                if not vol or not a["container"]:
                    continue
                where = "%s item %d" % (name, i + 1)
                c = a["citation"]
                # the journal's name in any case: one deposited in
                # capitals is cited in headline style
                self.assertIn("%s %s" % (a["container"].lower(), vol),
                              c["chicago"].lower(), where)
                self.assertIn("%s, %s" % (a["container"].lower(), vol),
                              c["apa"].lower(), where)
                self.assertIn("vol. %s" % vol, c["mla"], where)

    def test_journals_in_capitals_are_cited_in_headline_style(self):
        """A journal's name the feed writes wholly in capitals (Ingenta's
        "SYSTEMATIC BOTANY", Wiley's "TAXON") is cited in headline style,
        as the manuals set periodicals' names (CMOS 17 8.159, APA 7 9.25,
        MLA 9 1.2): its words as the name has them, not in capitals, but
        for short acronyms; the record keeps the name as deposited."""
        seen = set()
        for name in sorted(FEEDS):
            path = os.path.join(CORPUS, name)
            for i, a in enumerate(parse(path)):
                j = a["container"] or ""
                if not j or j != j.upper() or (a.get("lang") or "en")[:2] not in \
                        ("en", ""):
                    continue
                where = "%s item %d" % (name, i + 1)
                seen.add(j)
                words = [w for w in re.split(r"[\s-]+", j)
                         if len(w) > 4 and w.isalpha()]
                for style, c in sorted(a["citation"].items()):
                    # the title may name the journal too ("... Submitted
                    # to TAXON"): one mention is the journal, re-cased
                    found = [m.group(0) for m in
                             re.finditer(re.escape(j), c, re.IGNORECASE)]
                    self.assertTrue(any(not any(w in f for w in words)
                                        for f in found),
                                    "%s %s: %r" % (where, style, found))
        self.assertIn("SYSTEMATIC BOTANY", seen)
        self.assertIn("TAXON", seen)

    def test_citations_drop_the_feeds_tracking_parameters(self):
        """The URL a citation prints (no DOI) is the item's link without
        the tracking parameters feeds append (ScienceDirect's
        "?dgcid=rss_sd_all", Google's utm_*): the other parameters, their
        order and the fragment as the link has them.  The record keeps
        the link as the feed gave it."""
        tracking = re.compile(r"(utm_[^=&#]+|dgcid|fbclid|gclid|mc_cid|"
                              r"mc_eid|_hsenc|_hsmi)(=|$)")
        checked = {}
        for name in sorted(FEEDS):
            path = os.path.join(CORPUS, name)
            for i, a in enumerate(parse(path)):
                url = a.get("url") or ""
                base, hash_, frag = url.partition("#")
                base, q, query = base.partition("?")
                kept = [p for p in query.split("&")
                        if p and not tracking.match(p)]
                if a["doi"] or kept == [p for p in query.split("&") if p]:
                    continue
                want = base + ("?" + "&".join(kept) if kept else "") + \
                    hash_ + frag
                where = "%s item %d" % (name, i + 1)
                c = a["citation"]
                self.assertIn(want, c["chicago"], where)
                self.assertIn(want, c["apa"], where)
                self.assertIn(want.split("://", 1)[1], c["mla"], where)
                self.assertNotIn(url, c["apa"], where)
                checked[name] = checked.get(name, 0) + 1
        # the ScienceDirect feeds' items are all such links
        for name in ("elsevier-molecular-phylogenetics-and-evolution.rss",
                     "elsevier-zoologischer-anzeiger.rss"):
            self.assertGreater(checked.get(name, 0), 0, name)

    def test_preprints_are_cited_as_the_preprint(self):
        """An arXiv item whose e-print has been published names the
        published version's DOI (arxiv:doi); the item, its title, date
        and link, is the e-print, so it is cited as a preprint with its
        arXiv link and without the other work's DOI (APA 7 10.8, CMOS 17
        and MLA 9 cite the version consulted)."""
        published = 0
        for name in sorted(FEEDS):
            path = os.path.join(CORPUS, name)
            for i, (raw, a) in enumerate(zip(raw_items(path), parse(path))):
                if not on_arxiv(raw):
                    continue
                where = "%s item %d" % (name, i + 1)
                doi = published_doi(raw)
                published += doi is not None
                self.assertIsNone(a["doi"], where)
                self.assertEqual(a["kind"], "preprint", where)
                link = item_link(raw).strip()
                for style, c in sorted(a["citation"].items()):
                    self.assertIn(link.split("://", 1)[1], c,
                                  "%s %s" % (where, style))
                    self.assertNotIn("doi.org", c, "%s %s" % (where, style))
                    if doi:
                        self.assertNotIn(doi, c, "%s %s" % (where, style))
        # the API's answer and the RSS feed each have one such item
        self.assertEqual(published, 2)

    def test_issue_items_are_dated_by_the_channels_cover_date(self):
        """Ingenta's latest-issue feeds give no date per item, only the
        issue's prism:coverDisplayDate on the channel ("October 2021",
        "2021"): an item of that issue with no date of its own is cited
        with it, not "n.d." (CMOS 14.171, APA 7 10.1, MLA 9 5.83)."""
        dated = 0
        for name in sorted(FEEDS):
            path = os.path.join(CORPUS, name)
            root = raw_root(path)
            cover = [text_of(c) for c in root.iter()
                     if local(c.tag) == "coverDisplayDate" and
                     ns(c.tag) in NS_PRISM]
            if not cover:
                continue
            for i, (raw, a) in enumerate(zip(raw_items(path), parse(path))):
                own = [c for c in raw if local(c.tag) in
                       ("date", "pubDate", "coverDate", "publicationDate")]
                if own or not expected_locators(raw)[0]:
                    continue
                where = "%s item %d" % (name, i + 1)
                c = a["citation"]
                self.assertIn("(%s)" % cover[0], c["chicago"], where)
                self.assertIn("(%s)" % cover[0][-4:], c["apa"], where)
                self.assertNotIn("n.d.", c["chicago"] + c["apa"], where)
                dated += 1
        self.assertGreater(dated, 0)


def report():
    total = {}
    nitems = 0
    for name in sorted(FEEDS):
        n, fails = check_feed(name)
        nitems += n
        for k, msgs in fails.items():
            bad = len({m.split(":")[0] for m in msgs})
            total[k] = total.get(k, 0) + bad
            print("%-45s %-9s %3d/%3d" % (name, k, n - bad, n))
    for k, bad in total.items():
        print("ALL %-9s %d/%d" % (k, nitems - bad, nitems))


if __name__ == "__main__":
    if "--report" in sys.argv:
        report()
        sys.exit(0)
    if not os.path.exists(BIN):
        print("skip: no %s" % BIN)
        sys.exit(77)
    unittest.main()

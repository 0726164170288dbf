#!/usr/bin/python3
"""Real Crossref records cited by us and by pandoc --citeproc.

Every file in tests/data/records/ is one Crossref /works `message` object
(real answers, copied from public repositories' test data; the README there
says where from).  For each, the test makes
- our input record (the fields `arctic-digest cite` reads: title, authors,
  container, volume, issue, pages, published, doi), and
- CSL JSON for pandoc, mapped from the same message almost field for field
  (type, title, author, container-title, publisher, volume, issue, page,
  issued, DOI, language),
renders both in Chicago (chicago-note-bibliography.csl, CMOS 17), APA
(apa.csl, APA 7) and MLA (modern-language-association.csl, MLA 9, when the
conformance directory has it), normalises them as test_citeproc.py does,
and fails on a mismatch that is neither listed in the "## Real records"
table of docs/DEVIATIONS.md (a justified deviation) nor in KNOWN_FAILURES
below (a bug of ours not fixed yet; each must still fail, so that it is
removed when fixed).  Prints the match figures per style to stderr.
Skips (exit 77) when pandoc or the CSL styles are missing; fails instead
under AD_REQUIRE_ORACLES (tests/integration/oracle.py).
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import test_citeproc as tc  # noqa: E402  (normalise, pandoc_bibliography)

BIN = tc.BIN
SRC = tc.SRC
CONF = tc.CONF
DATA = os.path.join(SRC, "tests", "data", "records")
DEVIATIONS = os.path.join(SRC, "docs", "DEVIATIONS.md")

STYLES = (("chicago", "chicago-note-bibliography"), ("apa", "apa"),
          ("mla", "modern-language-association"))

# Crossref's types to CSL's, as Crossref's own CSL JSON (content
# negotiation) and citeproc-js map them.
CSL_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "posted-content": "article",
    "report": "report",
    "monograph": "book",
    "book": "book",
    "edited-book": "book",
    "reference-entry": "entry",
    "dissertation": "thesis",
    "peer-review": "review",
}


# Bugs of ours: (style, record file) -> (reason, what of ours is wrong).
# Each must still differ from citeproc and, when the second part is given,
# still contain it; remove the entry when it is fixed.
KNOWN_FAILURES = {}
KNOWN_FAILURES.update({
    ("apa", "10.1021_acs.orglett.7b03845.json"): (
        "sentence case lowers a journal's name (APA 7 6.17); a title "
        "holding its own periodical's name as a common phrase is more "
        "common (\"Marine policy in ...\" in Marine Policy), so the name "
        "is not kept", "organic letters"),
})

# Found with the records added for issue 13's gaps (CJK-script names,
# polar, political-science and law journals, reports, non-English titles):
# bugs of ours, each with what we print, what citeproc prints and the rule.
ISSUE_DAY = ("the day of a journal issue's date, as the mla-issue-day "
             "class (the other differences of the entry are listed "
             "deviations)")
KNOWN_FAILURES.update({
    # A German chapter: no publisher (VS Verlag), as for every chapter
    # until the styles read one.
    # A Spanish report title with no `language`: "Informe De Seguimiento"
    # (citeproc "Informe de Seguimiento", its particle list).  A title in
    # a language other than English takes that language's capitalisation
    # (CMOS 17 chapter 11; MLA 9 the same), so both are wrong; the
    # italics of the report are right (CMOS 14.220).
    # "Growth Hormone--Insulin-like Growth Factor": we lower "like" after
    # the hyphen as a preposition (CMOS 8.161 lowers a preposition in a
    # hyphenated compound); citeproc keeps Crossref's "Like".  Here "-like"
    # makes an adjective of "insulin" rather than a preposition: to settle
    # against the Manual.
    # APA 7 6.17 sentence case: proper nouns keep their capitals, common
    # words lose them.
    ("apa", "10.1001_2013.jamainternmed.744.json"): (
        "sentence case lowers the names of two studies (APA 7 6.17: the "
        "names of studies, tests and programmes are proper nouns)",
        "atherosclerosis risk in communities study"),
})

# Classes of bugs of ours that span many records: (style, name, reason,
# transform of (ours, pandoc's)), counted as xfail; each must still occur.
KNOWN_CLASSES = ()

KNOWN_NAMES = {c[1] for c in KNOWN_CLASSES}


def first(v):
    if isinstance(v, list):
        return v[0] if v else None
    return v


def title_of(m, plain):
    """Title and subtitle (crossref.c joins them alike, but leaves out a
    subtitle the title already holds; test_crossref.c checks that).
    Crossref writes some of them in HTML ("&amp;",
    "<i>Streptococcus</i>"): for us as crossref.c reads them (tags dropped,
    references decoded), for pandoc with the references decoded and the
    tags kept (citeproc reads <i>, <b>, <sup>, <sub>)."""
    t = first(m.get("title"))
    sub = first(m.get("subtitle"))
    if t and sub:
        t = t + ": " + sub
    return text(t, plain)


def text(s, plain=True):
    if not s:
        return s
    if plain:
        s = re.sub(r"<[^>]*>", "", s)
        return " ".join(html.unescape(s).split())
    return re.sub(r"&(?!lt;|gt;)#?\w+;", lambda x: html.unescape(x.group()),
                  s)


def italics_of(t):
    """The title_markup crossref.c gives a title with italic tags (<i>,
    <em>, JATS <italic>, maybe with a namespace prefix): the plain title,
    escaped, with <i>...</i> around the runs; None without italics."""
    if not t:
        return None
    t = re.sub(r"<(/?)(?:[\w-]+:)?(?:i|em|italic)(?:\s[^>]*)?>",
               lambda x: "\ue001" if x.group(1) else "\ue000", t, flags=re.I)
    t = " ".join(html.unescape(re.sub(r"<[^>]*>", "", t)).split())
    if "\ue000" not in t:
        return None
    t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    t = re.sub(r"\ue000( *)", r"\1<i>", t)
    return re.sub(r"( *)\ue001", r"</i>\1", t)


def date_parts(m):
    """Crossref's issued date, as its own CSL JSON gives it, for both sides,
    else published-print, published-online, published: the order in which
    crossref.c reads them (test_crossref.c checks that)."""
    for key in ("issued", "published-print", "published-online",
                "published"):
        parts = (m.get(key) or {}).get("date-parts") or [[None]]
        if parts[0] and parts[0][0]:
            return [int(x) for x in parts[0] if x is not None]
    return None


def names(m):
    people = m.get("author") or []
    return [p for p in people if p.get("family") or p.get("name")]


def to_record(fn, m):
    """Our input record: the fields `cite` reads (see cite --help)."""
    r = {"id": fn}
    if title_of(m, True):
        r["title"] = title_of(m, True)
        t = first(m.get("title"))
        sub = first(m.get("subtitle"))
        markup = italics_of(t + ": " + sub if t and sub else t)
        if markup:
            r["title_markup"] = markup
    authors = []
    for p in names(m):
        if "name" in p:
            authors.append({"literal": text(p["name"])})
            continue
        a = {"family": text(p["family"])}
        for key in ("given", "suffix"):
            if p.get(key):
                a[key] = text(p[key])
        authors.append(a)
    if authors:
        r["authors"] = authors
    container = text(first(m.get("container-title")))
    if container:
        r["container"] = text(container)
    for key, ours in (("publisher", "publisher"),
                      ("publisher-location", "place")):
        if m.get(key):
            r[ours] = text(m[key])
    for key, ours in (("volume", "volume"), ("issue", "issue"),
                      ("page", "pages")):
        if m.get(key):
            r[ours] = m[key]
    # An article number stands for pages (CMOS 14.174, APA 7 9.29).
    if not m.get("page") and m.get("article-number"):
        r["pages"] = m["article-number"]
    d = date_parts(m)
    if d:
        r["published"] = "-".join("%04d" % d[0] if i == 0 else "%02d" % x
                                  for i, x in enumerate(d))
    r["doi"] = m["DOI"]
    # Crossref's type, as collect stores it (article_kind_from_name reads
    # Crossref's names too; crossref.c makes posted content whose subtype
    # is "preprint" a preprint).
    if m.get("type") == "posted-content" and m.get("subtype") == "preprint":
        r["kind"] = "preprint"
    elif m.get("type"):
        r["kind"] = m["type"]
    # Crossref's language, as crossref.c reads it (to_csl passes it to
    # pandoc too): a title in another language than English is not
    # re-cased, by either.
    if m.get("language"):
        r["lang"] = m["language"]
    return r


def to_csl(fn, m):
    """CSL JSON from the same Crossref message."""
    c = {"id": fn, "type": CSL_TYPES.get(m.get("type"), "article")}
    if title_of(m, False):
        c["title"] = title_of(m, False)
    authors = []
    for p in names(m):
        if "name" in p:
            authors.append({"literal": p["name"]})
            continue
        a = {"family": p["family"]}
        for key in ("given", "suffix"):
            if p.get(key):
                a[key] = p[key]
        authors.append(a)
    if authors:
        c["author"] = authors
    if first(m.get("container-title")):
        c["container-title"] = text(first(m["container-title"]), False)
    if m.get("publisher"):
        c["publisher"] = text(m["publisher"], False)
    if m.get("publisher-location"):
        c["publisher-place"] = text(m["publisher-location"], False)
    for key in ("volume", "issue", "page", "language"):
        # Crossref's "null" (a volume some deposits have) is no value, as
        # crossref.c reads it (article_locator); to_record passes it on
        # so that `cite` is seen to drop it too.
        if m.get(key) and m[key].strip().lower() != "null":
            c[key] = m[key]
    if not m.get("page") and m.get("article-number"):
        c["page"] = m["article-number"]
    d = date_parts(m)
    if d:
        c["issued"] = {"date-parts": [d]}
    c["DOI"] = m["DOI"]
    return c


def normalise(s):
    """test_citeproc's normalisation, and pandoc's link of a DOI that has
    angle brackets in it ([url](url), not <url>)."""
    s = tc.normalise(s)
    return re.sub(r"\[(https?://[^\]]*)\]\(\1\)", r"\1", s)


def months(s):
    return (s.replace("Jun. ", "June ").replace("Jul. ", "July ")
            .replace("Sep. ", "Sept. "))


CMOS_PREFIXES = ("anti|bi|bio|co|cyber|de|e|eco|geo|infra|inter|intra|macro|"
                 "meta|micro|mid|multi|neo|non|para|pre|pseudo|quasi|re|"
                 "semi|socio|sub|supra|trans|tri|ultra|un")
NUMBER_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
NUMBER_UNITS = ("one|two|three|four|five|six|seven|eight|nine|first|second|"
                "third|fourth|fifth|sixth|seventh|eighth|ninth")
FRACTIONS = ("halves|half|thirds?|quarters?|fourths?|fifths?|sixths?|"
             "sevenths?|eighths?|ninths?|tenths?")


def caps_title(o, t):
    """Both entries alike when they differ only in the letter case of a
    title that pandoc prints wholly in capitals, as deposited (“MANN AND
    OTHERS v SECRETARY”, *TITLE*): the title's capitals are ours."""
    m = re.search(r"\u201c(.*?)\u201d|\*([^*]+)\*", t)
    title = m and (m.group(1) or m.group(2))
    if (title and not re.search(r"[a-z]", title) and
            len(re.findall(r"[A-Z]", title)) >= 2 and o.lower() == t.lower()):
        return t, t
    return o, t


def cmos_compounds(s):
    """Chicago's compounds capitalised in every part, as citeproc writes
    them: the part after a prefix that is no word ("Non-state"), of a
    spelled-out number ("Twenty-one") or of a fraction ("Two-thirds")."""
    def up(m):
        return m.group(1) + m.group(2)[0].upper() + m.group(2)[1:]
    s = re.sub(r"\b((?:%s)-)([a-z])" % CMOS_PREFIXES, up, s, flags=re.I)
    s = re.sub(r"\b((?:%s)-)(%s)\b" % (NUMBER_TENS, NUMBER_UNITS), up, s,
               flags=re.I)
    return re.sub(r"\b((?:one|two|three|four|five|six|seven|eight|nine|"
                  r"ten)-)(%s)\b" % FRACTIONS, up, s, flags=re.I)


# Differences of a whole class, each a row of the Real records table:
# (style, class, transform of (ours, pandoc's)); applied in turn until the
# two agree.
CLASSES = (
    # CMOS 17 8.161: no capital after a prefix that is no word, nor in the
    # second part of a spelled-out number or fraction; citeproc
    # capitalises every part of a compound.
    ("chicago", "cmos-compound", lambda o, t: (cmos_compounds(o), t)),
    # CSL cannot sentence-case (APA 7 6.17): letter case alone.
    ("apa", "title-case", lambda o, t: (o.lower(), t.lower())),
    # MLA 9 abbreviates months of more than four letters only, September
    # as "Sept."; modern-language-association.csl writes "Jun.", "Jul.",
    # "Sep.".
    ("mla", "mla-months", lambda o, t: (o, months(t))),
    # APA 7 9.8: the ellipsis before the last of 21 or more authors is
    # three spaced periods; citeproc writes "…".
    ("apa", "apa-ellipsis", lambda o, t: (o.replace(". . .", "\u2026"), t)),
    # MLA 9 joins page numbers with a hyphen; CSL with an en dash.
    ("mla", "page-hyphen",
     lambda o, t: (re.sub(r"\b(pp?\. [0-9A-Za-z]+)-(?=[0-9A-Za-z])",
                          r"\1--", o), t)),
    # A title deposited in capitals takes the style's capitalisation
    # (CMOS 17 8.159, the MLA Handbook); citeproc prints the capitals.
    ("chicago", "caps-title", caps_title),
    ("mla", "caps-title", caps_title),
)


def classify(style, o, t):
    """The classes (listed deviations and known bugs) that explain o != t,
    and both strings after them."""
    keys = []
    for s, name, f in CLASSES + tuple((c[0], c[1], c[3])
                                      for c in KNOWN_CLASSES):
        if s != style:
            continue
        o2, t2 = f(o, t)
        if (o2, t2) != (o, t):
            keys.append((style, name))
            o, t = o2, t2
        if o == t:
            break
    return keys, o, t


def load():
    recs = []
    for fn in sorted(os.listdir(DATA)):
        if fn.endswith(".json"):
            with open(os.path.join(DATA, fn), encoding="utf-8") as f:
                recs.append((fn, json.load(f)))
    return recs


def listed_deviations():
    """{(style, key)} from the rows of the Real records table; a key is a
    record file or a class name."""
    with open(DEVIATIONS, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Real records\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    found = set()
    if not m:
        return found
    for line in m.group(1).splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        for key in re.findall(r"`([^`]+)`", cells[0]):
            for style in re.findall(r"[a-z]+", cells[1]):
                found.add((style, key))
    return found


def bibliography(csl, style):
    """pandoc's entries for csl, in its order.  A bibliography replaces an
    author repeated from the entry before with "———" (CMOS 14.67) and
    tells same-author same-year works apart ("2023a"); an entry whose first
    author another entry shares is rendered again on its own, as a record
    is cited alone."""
    out = tc.pandoc_bibliography(csl, style)
    firsts = [json.dumps((c.get("author") or [None])[0]) for c in csl]
    for i, entry in enumerate(out):
        # also the year suffixes ("2023a") of APA 7 8.19
        if firsts.count(firsts[i]) > 1 or entry.startswith("\u2014"):
            out[i] = tc.pandoc_bibliography([csl[i]], style)[0]
    return out


def cite(style, path):
    r = subprocess.run([BIN, "cite", "--style", style, "--markup",
                        "markdown", path], capture_output=True)
    if r.returncode != 0:
        raise AssertionError("cite --style %s: exit %d: %s" %
                             (style, r.returncode, r.stderr.decode()))
    return r.stdout.decode("utf-8").splitlines()


class Records(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.records = load()

    def test_at_least_sixty_real_records(self):
        self.assertGreaterEqual(len(self.records), 60)
        for fn, m in self.records:
            self.assertEqual(fn, re.sub(r"[^A-Za-z0-9._-]", "_", m["DOI"])
                             + ".json")
        with open(os.path.join(DATA, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for fn, _ in self.records:
            self.assertIn("`%s`" % fn, readme, "no origin for " + fn)

    def test_the_corpus_covers_what_issue_13_asks(self):
        ms = [m for _, m in self.records]
        types = {m.get("type") for m in ms}
        for t in ("journal-article", "report", "book-chapter",
                  "posted-content"):
            self.assertIn(t, types)
        self.assertTrue(any(len(names(m)) >= 8 for m in ms))
        self.assertTrue(any(len(names(m)) > 20 for m in ms))
        self.assertTrue(any("name" in p for m in ms for p in names(m)))
        self.assertTrue(any(m.get("language") not in (None, "en")
                            for m in ms))
        self.assertTrue(any(m.get("volume") and m.get("issue") and
                            m.get("page") for m in ms))
        # issue 13's gaps, once filled: names in CJK script (Han, Hangul,
        # kana), an Arctic or polar journal or series, several reports,
        # and titles in other languages and scripts.
        def cjk(s):
            return bool(re.search("[\u3040-\u30ff\u3400-\u9fff"
                                  "\uac00-\ud7af]", s or ""))
        self.assertTrue(any(cjk(p.get("family")) or cjk(p.get("given")) or
                            cjk(p.get("name")) for m in ms for p in names(m)))
        self.assertTrue(any(re.search(r"arctic|polar", first(
            m.get("container-title")) or "", re.I) for m in ms))
        self.assertGreaterEqual(sum(m.get("type") == "report" for m in ms), 5)
        self.assertTrue(any(cjk(first(m.get("title"))) for m in ms))
        self.assertTrue(any(re.search("[\u0400-\u04ff]",
                                      first(m.get("title")) or "")
                            for m in ms))
        self.assertGreaterEqual(len({m.get("language") for m in ms} -
                                    {None, "en"}), 4)

    def test_ours_match_citeproc_or_are_listed(self):
        listed = listed_deviations()
        recs = [to_record(fn, m) for fn, m in self.records]
        csl = [to_csl(fn, m) for fn, m in self.records]
        unlisted, stale, fixed, lines = [], [], [], []
        seen = set()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "records.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(recs, f, ensure_ascii=False)
            for ours_style, csl_style in STYLES:
                if not os.path.exists(os.path.join(CONF, "csl",
                                                   csl_style + ".csl")):
                    sys.stderr.write("%s: no %s.csl, not compared\n" %
                                     (ours_style, csl_style))
                    continue
                ours = cite(ours_style, path)
                self.assertEqual(len(ours), len(recs))
                theirs = bibliography(csl, csl_style)
                match = xfail = listed_n = 0
                for (fn, _), o, t in zip(self.records, ours, theirs):
                    o, t = normalise(o), normalise(t)
                    known = KNOWN_FAILURES.get((ours_style, fn))
                    if o == t:
                        match += 1
                        if known:
                            fixed.append((ours_style, fn))
                        stale += [k for k in [(ours_style, fn)]
                                  if k in listed]
                        continue
                    if known:
                        xfail += 1
                        lines.append("%s %s (xfail: %s)\n  ours:   %s\n"
                                     "  pandoc: %s" % (ours_style, fn,
                                                       known[0], o, t))
                        if known[1] and known[1] not in o:
                            fixed.append((ours_style, fn))
                        continue
                    keys, o2, t2 = classify(ours_style, o, t)
                    if o2 != t2:
                        keys = [(ours_style, fn)]
                    lines.append("%s %s%s\n  ours:   %s\n  pandoc: %s" %
                                 (ours_style, fn,
                                  "" if o2 != t2 else " (%s)" %
                                  ", ".join(k[1] for k in keys), o, t))
                    bugs = [k for k in keys if k[1] in KNOWN_NAMES]
                    seen.update(bugs)
                    missing = [k for k in keys
                               if k not in listed and k not in bugs]
                    if missing:
                        unlisted += missing
                    elif bugs:
                        xfail += 1
                    else:
                        listed_n += 1
                sys.stderr.write("%s %d/%d match, %d listed, %d xfail\n" %
                                 (ours_style, match, len(recs), listed_n,
                                  xfail))
        for line in lines:
            sys.stderr.write(line + "\n")
        for key in stale:
            sys.stderr.write("note: %s %s is listed but matches\n" % key)
        fixed += [(c[0], c[1]) for c in KNOWN_CLASSES
                  if (c[0], c[1]) not in seen]
        self.assertEqual(fixed, [], "known failures that now pass: "
                         "remove them from KNOWN_FAILURES")
        self.maxDiff = None
        self.assertEqual(sorted(set(unlisted)), [],
                         "mismatches neither in docs/DEVIATIONS.md nor "
                         "known failures")


if __name__ == "__main__":
    if not shutil.which("pandoc"):
        oracle.require("pandoc (Debian package pandoc)")
    if not os.path.isdir(os.path.join(CONF, "csl")):
        oracle.require("CSL styles in %s (../shared)" % CONF)
    oracle.main()

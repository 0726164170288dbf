#!/usr/bin/python3
"""Our citations against pandoc --citeproc, BibTeX read-back, RIS shape, MLA.

Renders tests/fixtures/citation/records.json with `arctic-digest cite` and,
after turning the same records into CSL JSON, with Debian's pandoc
--citeproc and the CSL styles in ../shared/conformance/csl/ (Chicago 17
notes-bibliography bibliography entries and APA 7).  Both sides are
compared after normalising italics, quotes and white space; every mismatch
must be listed with its reason in the "## Citations" section of
docs/DEVIATIONS.md (a table row naming the style and the record id), or the
test fails.  MLA has no CSL file there: it is checked against strings
written by hand from the MLA Handbook, 9th ed.
Skips (exit 77) when pandoc or the conformance directory is missing; fails
instead under AD_REQUIRE_ORACLES (tests/integration/oracle.py).
"""
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

BIN = os.environ.get("AD_BIN", "build/arctic-digest")
SRC = os.environ.get("AD_SOURCE_DIR",
                     os.path.dirname(os.path.abspath(__file__)) + "/../..")
FIX = os.environ.get("AD_FIXTURES", SRC + "/tests/fixtures")
CONF = os.environ.get("AD_CONFORMANCE_DIR", SRC + "/../shared/conformance")
RECORDS = os.path.join(FIX, "citation", "records.json")
DEVIATIONS = os.path.join(SRC, "docs", "DEVIATIONS.md")
SUFFIXES = ("Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV")
CSL_TYPES = {"journal": "article-journal", "web": "webpage",
             "report": "report", "preprint": "article",
             "chapter": "chapter"}

# MLA Handbook 9th ed.: 5.1-5.7 authors (one, two, three or more: et al.),
# 5.83 dates day month year with months of more than four letters
# abbreviated, 5.98 DOIs as https://doi.org/..., URLs without the scheme,
# 5.7 and 5.21 a work by an organisation that also publishes it starts with
# the title.
MLA = {
    "r01": "Hauksdóttir, Guðbjörg Ríkey Th., and Baldur Thorhallsson. "
           "“Sino-Russian Arctic Cooperation: Systemic Pressure and "
           "Historical Distrust.” *The Polar Journal*, 22 July 2025, "
           "https://doi.org/10.1080/2154896X.2025.2534567.",
    "r03": "Kuznetsova, Anna, et al. “Shipping on the Northern Sea Route "
           "after 2022.” *Polar Geography*, 18 July 2025, "
           "https://doi.org/10.1080/1088937X.2025.1111111.",
    "r07": "Pincus, Rebecca. “Why NATO Needs an Arctic Strategy.” *The "
           "Arctic Institute*, 17 July 2025, "
           "www.thearcticinstitute.org/why-nato-needs-arctic-strategy/.",
    "r09": "“Arctic Council Working Groups Resume Project-Level Work.” "
           "*Arctic Today*, 14 July 2025, "
           "www.arctictoday.com/working-groups-resume/.",
    "r10": "Bennett, Mia. “The Future of Arctic Governance.” "
           "*Cryopolitics*, www.cryopolitics.com/future-of-arctic-governance/.",
    "r12": "*Arctic Marine Shipping Assessment Report*. Arctic Council, "
           "1 May 2024, oaarchive.arctic-council.org/handle/11374/54.",
    "r16": "Papp, Robert, Jr. “Coast Guard Icebreakers and American Arctic "
           "Policy.” *Wilson Center Polar Institute*, 7 July 2025, "
           "www.wilsoncenter.org/article/coast-guard-icebreakers.",
    # 5.27-5.29 vol., no. and pp. (5.25: the second number of a range
    # through 99 in full, beyond that its last two digits).
    "r35": "Doe, Jane. “Arctic Ocean Governance and the Law of the Sea.” "
           "*Ocean Development & International Law*, vol. 50, no. 4, "
           "Dec. 2019, pp. 767-77, "
           "https://doi.org/10.1080/00908320.2019.1111111.",
    "r36": "Doe, Jane, and John Smith. “Sea Ice and Shipping.” *Polar "
           "Geography*, vol. 47, no. 1, Mar. 2024, pp. 101-08, "
           "https://doi.org/10.1080/1088937X.2024.2222222.",
    "r19": "Koivurova, Timo. “The Arctic Council after Russia’s Invasion of "
           "Ukraine.” *Arctic Review on Law and Politics*, 3 July 2025, "
           "https://doi.org/10.23865/arctic.v16.6200.",
    "r21": "Åtland, Kristian. “Is the Arctic Still Exceptional?” *The Polar "
           "Journal*, 1 July 2025, "
           "https://doi.org/10.1080/2154896X.2025.3333333.",
    "r23": "Rowe, Elana Wilson. “Arctic Security in a Multipolar World.” "
           "*Security Dialogue*, June 2025, "
           "https://doi.org/10.1177/09670106251111111.",
    "r33": "Exner-Pirot, Heather. “Climate Change and the Arctic: New "
           "Challenges.” *Macdonald-Laurier Institute*, 10 June 2025, "
           "macdonaldlaurier.ca/climate-change-arctic/.",
}


def cite(args):
    r = subprocess.run([BIN, "cite"] + args + [RECORDS], capture_output=True)
    if r.returncode != 0:
        raise AssertionError("cite %s: exit %d: %s" %
                             (args, r.returncode, r.stderr.decode()))
    return r.stdout.decode("utf-8")


def split_suffix(family):
    parts = family.rsplit(" ", 1)
    if len(parts) == 2 and parts[1] in SUFFIXES:
        return parts[0], parts[1]
    return family, None


def to_csl(rec, kind):
    c = {"id": rec["id"], "type": CSL_TYPES[kind], "title": rec["title"]}
    names = []
    for a in rec.get("authors", []):
        if "literal" in a:
            names.append({"literal": a["literal"]})
            continue
        fam, suf = split_suffix(a["family"])
        n = {"family": fam, "given": a["given"]}
        if suf:
            n["suffix"] = suf
        names.append(n)
    if names:
        c["author"] = names
    if rec.get("container"):
        c["publisher" if kind == "report" else "container-title"] = \
            rec["container"]
    if rec.get("published"):
        c["issued"] = {"date-parts": [[int(x) for x in
                                        rec["published"].split("-")]]}
    for key, csl in (("volume", "volume"), ("issue", "issue"),
                     ("pages", "page")):
        if rec.get(key):
            c[csl] = rec[key]
    if rec.get("doi"):
        c["DOI"] = rec["doi"]
    if rec.get("url"):
        c["URL"] = rec["url"]
    return c


def pandoc_bibliography(csl_items, style):
    """The entries in the order of csl_items (found by their div ids)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "records.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(csl_items, f, ensure_ascii=False)
        r = subprocess.run(
            ["pandoc", "--citeproc", "--bibliography", path, "--csl",
             os.path.join(CONF, "csl", style + ".csl"), "-f", "markdown",
             "-t", "markdown-citations-smart", "--wrap=none"],
            input="---\nnocite: '@*'\n---\n".encode(), capture_output=True,
            check=True)
    entries, rid = {}, None
    for line in r.stdout.decode("utf-8").splitlines():
        m = re.match(r"^::: \{#ref-(\S+)", line)
        if m:
            rid = m.group(1)
        elif line.startswith(":::"):
            rid = None
        elif rid and line.strip():
            entries[rid] = (entries.get(rid, "") + " " + line).strip()
    return [entries.get(i["id"], "") for i in csl_items]


def normalise(s):
    """Italics to *...*, markdown escapes, links (ours
    link the DOI or URL: [text](<url>)), <URL>s and white space away."""
    s = re.sub(r"\[([^\]]*)\]\(<[^>]*>\)", r"\1", s)
    s = s.replace("\\", "")
    s = re.sub(r"<(https?://[^>]*)>", r"\1", s)
    s = s.replace("_", "*")
    s = re.sub(r"\*\s*([.,])\s*\*", r"\1", s)
    s = s.replace("\u00a0", " ")
    # pandoc's markdown writes an en dash (page ranges) as "--"
    s = s.replace("\u2013", "--")
    return re.sub(r"\s+", " ", s).strip()


def listed_deviations():
    """{(style, id)} from the rows of the Citations table."""
    with open(DEVIATIONS, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Citations\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        return set()
    found = set()
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not line.startswith("|"):
            continue
        for rid in re.findall(r"`(r\d+|title-case)`", cells[0]):
            for style in re.findall(r"[a-z]+", cells[1]):
                found.add((style, rid))
    return found


class Citeproc(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(RECORDS, encoding="utf-8") as f:
            cls.records = json.load(f)
        cls.kinds = cite(["--format", "kind"]).splitlines()

    def test_at_least_thirty_records(self):
        self.assertGreaterEqual(len(self.records), 30)
        self.assertEqual(len(self.kinds), len(self.records))

    def test_chicago_and_apa_match_citeproc_or_are_listed(self):
        listed = listed_deviations()
        csl = [to_csl(r, k) for r, k in zip(self.records, self.kinds)]
        report, unlisted, stale = [], [], []
        for ours_style, csl_style in (("chicago", "chicago-note-bibliography"),
                                      ("apa", "apa")):
            ours = cite(["--style", ours_style, "--markup", "markdown"])
            ours = ours.splitlines()
            theirs = pandoc_bibliography(csl, csl_style)
            for rec, o, t in zip(self.records, ours, theirs):
                key = (ours_style, rec["id"])
                same = normalise(o) == normalise(t)
                # CSL cannot sentence-case (it expects sentence-case input),
                # so APA differences in letter case alone form one class.
                if (not same and ours_style == "apa" and
                        normalise(o).lower() == normalise(t).lower()):
                    key = (ours_style, "title-case")
                if same and key in listed:
                    stale.append(key)
                if not same:
                    report.append("%s %s\n  ours:   %s\n  pandoc: %s" %
                                  (key[0], key[1], normalise(o), normalise(t)))
                    if key not in listed:
                        unlisted.append(key)
        total = 2 * len(self.records)
        sys.stderr.write("citeproc: %d/%d match, %d deviations listed\n" %
                         (total - len(report), total, len(report)))
        for line in report:
            sys.stderr.write(line + "\n")
        for key in stale:
            sys.stderr.write("note: %s %s is listed but now matches\n" % key)
        self.assertEqual(sorted(set(unlisted)), [],
                         "mismatches not in docs/DEVIATIONS.md")

    def test_mla_follows_the_handbook(self):
        ours = dict(zip((r["id"] for r in self.records),
                        cite(["--style", "mla", "--markup", "markdown"])
                        .splitlines()))
        for rid, want in MLA.items():
            self.assertEqual(normalise(ours[rid]), normalise(want), rid)

    def test_bibtex_reads_back_through_pandoc(self):
        bib = cite(["--format", "bibtex"])
        r = subprocess.run(["pandoc", "-f", "bibtex", "-t", "csljson"],
                           input=bib.encode(), capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        items = json.loads(r.stdout)
        self.assertEqual(len(items), len(self.records))
        keys = [i["id"] for i in items]
        self.assertEqual(len(set(keys)), len(keys))
        self.assertEqual(keys[0], "hauksdottir2025sino")
        for rec, item in zip(self.records, items):
            # pandoc's BibTeX reader makes apostrophes typographic.
            self.assertEqual(item.get("title").replace("\u2019", "'"),
                             rec["title"].replace("\u2019", "'"), rec["id"])
            want = []
            for a in rec.get("authors", []):
                if "literal" in a:
                    want.append(a["literal"])
                else:
                    want.append(a["given"] + " " + a["family"])
            got = []
            for a in item.get("author", []):
                if "literal" in a:
                    got.append(a["literal"])
                    continue
                parts = [a.get("given"), a.get("dropping-particle"),
                         a.get("non-dropping-particle"), a.get("family"),
                         a.get("suffix")]
                got.append(" ".join(p for p in parts if p)
                           .replace("- ", "-"))
            # pandoc spaces initials ("J.A." -> "J. A."); so does CMOS.
            want = [re.sub(r"\.(?=[A-Z])", ". ", w) for w in want]
            self.assertEqual(got, want, rec["id"])
            outlet = item.get("container-title") or item.get("publisher")
            self.assertEqual(outlet, rec.get("container"), rec["id"])
            if rec.get("published"):
                parts = [int(x) for x in rec["published"].split("-")]
                self.assertEqual(item["issued"]["date-parts"][0], parts,
                                 rec["id"])
            else:
                self.assertNotIn("issued", item, rec["id"])
            self.assertEqual(item.get("DOI"), rec.get("doi"), rec["id"])

    def test_ris_has_one_record_per_article(self):
        ris = cite(["--format", "ris"])
        lines = ris.split("\r\n")
        self.assertEqual(lines[-1], "")
        self.assertNotIn("\n", "".join(lines))
        ty = [l for l in lines if l.startswith("TY  - ")]
        er = [l for l in lines if l == "ER  - "]
        self.assertEqual(len(ty), len(self.records))
        self.assertEqual(len(er), len(self.records))
        # Strictly alternating TY ... ER.
        state = "ER"
        for l in lines:
            if l.startswith("TY  - "):
                self.assertEqual(state, "ER")
                state = "TY"
            elif l == "ER  - ":
                self.assertEqual(state, "TY")
                state = "ER"
            elif l:
                self.assertEqual(state, "TY", l)
                self.assertRegex(l, r"^[A-Z][A-Z0-9]  - ")
        self.assertIn("AU  - Hauksdóttir, Guðbjörg Ríkey Th.", lines)
        self.assertIn("DA  - 2025/07/22/", lines)


if __name__ == "__main__":
    if not shutil.which("pandoc"):
        oracle.require("pandoc (Debian package pandoc)")
    if not os.path.isdir(os.path.join(CONF, "csl")):
        oracle.require("CSL styles in %s (../shared)" % CONF)
    oracle.main()

#!/usr/bin/python3
"""Conformance of `arctic-digest parse` against feedparser's test corpus.

Walks $AD_CONFORMANCE_DIR/feedparser/tests/ (wellformed/{rss,atom10,atom,
rdf,namespace,amp,base}, entities/, encoding/, illformed/).  Each file has
a header comment with Description and Expect, a Python expression over
feedparser's result.  We run `$AD_BIN parse --feed [--content-type T] FILE`
and evaluate Expect against a dict built from our JSON that mimics
feedparser's structure for the fields we produce:

  bozo              our feed warning is set, or the parse failed
  encoding, version the feed line's fields
  feed              title, link, subtitle (= description = tagline)
  entries[i]        title, link, id, published_parsed / issued_parsed,
                    updated_parsed / modified_parsed / date_parsed (UTC
                    9-tuples), author, author_detail.name, authors[i].name,
                    summary = description = content[0].value

A case is applicable when every name and field its Expect reads maps to
one of ours; the rest (title_detail, enclosures, namespaces, headers,
bozo_exception, ...) are counted as not applicable.  Where feedparser keeps
(sanitised) HTML and we keep plain text (titles, summaries, content), both
sides are compared after the same HTML-to-text step (tags dropped,
entities decoded, white space collapsed).  The Header: lines of a file are
sent as the Content-Type only for files with "http" in their name, as
feedparser's own runner serves them.

Text fields: feedparser's value is compared with ours after the HTML-to-
text step; its raw value (white space collapsed) is accepted too only where
feedparser's own *_detail type is text/plain (python3-feedparser is run on
the same file to know it).

Exact: the cases listed in tests/fixtures/feed/deviations.txt are
deliberate deviations (see docs/DEVIATIONS.md), each with an expression
over our values as they are that says what we give instead; every other
applicable case must pass.  Fails on an unlisted failure, on a listed case
whose deviating value changed, on a stale entry (a listed case that now
passes or is no longer applicable), on a crash, hang or sanitizer report
in any file of the corpus (the other folders too), and under a 95% pass
rate.  A missing corpus or feedparser skips (exit 77), or fails under
AD_REQUIRE_ORACLES (tests/integration/oracle.py).
"""

import ast
import calendar
import html
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

AD_BIN = os.environ.get("AD_BIN")
SRC = os.environ.get("AD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CONF = os.environ.get("AD_CONFORMANCE_DIR", os.path.join(SRC, "..", "shared", "conformance"))
CORPUS = os.path.join(CONF, "feedparser", "tests")
FOLDERS = ["wellformed/rss", "wellformed/atom10", "wellformed/atom", "wellformed/rdf",
           "wellformed/namespace", "wellformed/amp", "wellformed/base", "entities",
           "encoding", "illformed"]
TARGET = 0.95
DOC_URL = "http://127.0.0.1:8097/"
TIMEOUT = 20

NAMES = {"bozo", "feed", "entries", "encoding", "version", "len", "ord", "True", "False",
         "None", "str", "int"}
FEED_KEYS = {"title", "link", "subtitle", "description", "tagline", "title_detail",
             "subtitle_detail", "tagline_detail"}
TEXT_KEYS = {"title", "subtitle", "description", "tagline", "summary"}
DATE_KEYS = {"published_parsed", "issued_parsed", "updated_parsed", "modified_parsed",
             "date_parsed"}
ENTRY_KEYS = {"title", "link", "id", "author", "author_detail", "authors", "summary",
              "description", "content", "title_detail", "summary_detail"} | DATE_KEYS
# *_detail and lists: only the parts that hold one of our values.
NESTED = {"author_detail": {"name"}, "authors": {"name"}, "content": {"value"},
          "title_detail": {"value"}, "summary_detail": {"value"},
          "subtitle_detail": {"value"}, "tagline_detail": {"value"}}


def html_text(s):
    """The plain text of feedparser's HTML, as our text_html_to_plain gives it."""
    s = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", s)
    s = re.sub(r"(?s)<!--.*?-->", " ", s)
    s = re.sub(r"(?s)</?[A-Za-z][^<>]*>", " ", s)
    s = html.unescape(s)
    return " ".join(s.split())


class Text(str):
    """A text field: equal when the plain texts are equal.  feedparser's raw
    value (white space collapsed) is accepted too only where feedparser's
    value is plain text, its *_detail type text/plain (docs/DEVIATIONS.md)."""

    def __new__(cls, value, plain=False):
        t = str.__new__(cls, value)
        t.plain = plain
        return t

    def __eq__(self, other):
        if isinstance(other, str):
            ours = " ".join(str(self).split())
            if ours == html_text(other):
                return True
            return self.plain and ours == " ".join(other.split())
        return NotImplemented

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    __hash__ = str.__hash__


class Author(Text):
    """feedparser's author string is "name (email)"; we keep names only.
    Names are plain text in both."""

    def __new__(cls, value, plain=True):
        return Text.__new__(cls, value, plain)

    def __eq__(self, other):
        if isinstance(other, str):
            other = re.sub(r"\s*\([^()]*@[^()]*\)\s*$", "", other)
        return Text.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class FPDict(dict):
    """feedparser's dicts also answer attribute access."""

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k)


def utc_tuple(rfc3339):
    """Our RFC 3339 (or partial) date as feedparser's UTC struct_time tuple."""
    m = re.match(r"^(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d))?"
                 r"(Z|[+-]\d\d:\d\d))?)?)?$", rfc3339)
    if not m:
        return None
    y, mo, d, h, mi, s, z = m.groups()
    t = calendar.timegm((int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0),
                         int(s or 0), 0, 0, 0))
    if z and z != "Z":
        sign = 1 if z[0] == "+" else -1
        t -= sign * (int(z[1:3]) * 3600 + int(z[4:6]) * 60)
    return tuple(time.gmtime(t))


def person_name(p):
    if p.get("literal"):
        return p["literal"]
    return " ".join(x for x in (p.get("given"), p.get("family")) if x)


def entry_dict(a, types, text):
    """feedparser's entry from our article A; TYPES: feedparser's content
    types of the entry's text fields; TEXT: Text, or str for exact values."""
    e = FPDict()
    if a.get("title") is not None:
        e["title"] = text(a["title"], types.get("title") == PLAIN)
        e["title_detail"] = FPDict(value=e["title"])
    if a.get("url"):
        e["link"] = a["url"]
    if a.get("guid"):
        e["id"] = a["guid"]
    if a.get("abstract") is not None:
        e["summary"] = e["description"] = text(a["abstract"],
                                               types.get("summary") == PLAIN)
        e["summary_detail"] = FPDict(value=e["summary"])
        e["content"] = [FPDict(value=text(a["abstract"],
                                          types.get("content") == PLAIN))]
    pub = utc_tuple(a["published"]) if a.get("published") else None
    upd = utc_tuple(a["updated"]) if a.get("updated") else pub
    if pub:
        e["published_parsed"] = e["issued_parsed"] = pub
    if upd:
        e["updated_parsed"] = e["modified_parsed"] = e["date_parsed"] = upd
    names = [person_name(p) for p in a.get("authors", [])]
    if names:
        if text is Text:
            e["author"] = Author(", ".join(names))
        else:
            e["author"] = ", ".join(names)
        e["author_detail"] = FPDict(name=text(names[0], True))
        e["authors"] = [FPDict(name=text(n, True)) for n in names]
    return e


def exact(value, plain=False):
    """A value as it is, for the deviations' expressions."""
    return str(value)


PLAIN = "text/plain"


def feedparser_types(path, content_type):
    """The content types feedparser gives the text fields of the feed at
    PATH: {"feed": {field: type}, "entries": [{field: type}, ...]}."""
    import feedparser
    headers = {"content-type": content_type} if content_type else None
    try:
        r = feedparser.parse(path, response_headers=headers)
    except Exception:  # feedparser's own failure: nothing is plain text
        return {"feed": {}, "entries": []}

    def kind(d, key):
        det = d.get(key + "_detail")
        return det.get("type") if det else None
    feed = {"title": kind(r.feed, "title"), "subtitle": kind(r.feed, "subtitle")}
    entries = []
    for e in r.entries:
        c = e.get("content") or [{}]
        entries.append({"title": kind(e, "title"), "summary": kind(e, "summary"),
                        "content": c[0].get("type")})
    return {"feed": feed, "entries": entries}


def result_of(lines, failed, types=None, text=Text):
    """feedparser's result from our JSON LINES (feed line first); TYPES as
    feedparser_types gives them; TEXT as in entry_dict."""
    types = types or {"feed": {}, "entries": []}
    env = {"bozo": True, "feed": FPDict(), "entries": [], "encoding": None, "version": ""}
    if failed:
        return env
    head = json.loads(lines[0])["feed"]
    env["bozo"] = head.get("warning") is not None
    env["encoding"] = head.get("encoding")
    env["version"] = head.get("version") or ""
    f = env["feed"]
    if head.get("title") is not None:
        f["title"] = text(head["title"], types["feed"].get("title") == PLAIN)
        f["title_detail"] = FPDict(value=f["title"])
    if head.get("link"):
        f["link"] = head["link"]
    if head.get("subtitle") is not None:
        f["subtitle"] = f["description"] = f["tagline"] = text(
            head["subtitle"], types["feed"].get("subtitle") == PLAIN)
        f["subtitle_detail"] = f["tagline_detail"] = FPDict(value=f["subtitle"])
    arts = [json.loads(l) for l in lines[1:] if l.strip()]
    ets = types["entries"]
    env["entries"] = [entry_dict(a, ets[i] if i < len(ets) else {}, text)
                      for i, a in enumerate(arts)]
    return env


def decode_text(raw):
    for enc in ("utf-8", "utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le",
                "utf-32-be"):
        try:
            s = raw.decode(enc)
        except (UnicodeDecodeError, UnicodeError):
            continue
        if "Expect:" in s:
            return s
    return raw.decode("latin-1")


def read_case(path):
    text = decode_text(open(path, "rb").read())
    m = re.search(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->", text)
    if not m:
        return None
    headers = dict((k.strip().lower(), v.strip()) for k, v in
                   re.findall(r"^Header:\s+([^:]+):(.+)$", text, re.M))
    skip = re.search(r"SkipUnless:\s*(.*)", text)
    if skip:  # feedparser's own guard: a Python codec must exist
        try:
            eval(skip.group(1).strip(), {"__builtins__": __builtins__})
            skip = None
        except Exception:
            pass
    return {"description": m.group(1), "expect": m.group(2).strip(),
            "content_type": headers.get("content-type"),
            "content_location": headers.get("content-location"),
            "skip_unless": skip}


def subscript_key(node):
    s = node.slice
    if isinstance(s, ast.Index):  # Python < 3.9
        s = s.value
    if isinstance(s, ast.Constant):
        return s.value
    return None


def accesses(tree):
    """Each access path rooted at feed or entries: ('entries', 'content', 'value')."""
    paths, names = [], set()

    def chain(node):
        keys = []
        while True:
            if isinstance(node, ast.Subscript):
                k = subscript_key(node)
                if isinstance(k, str):
                    keys.append(k)
                elif not isinstance(k, int):
                    return None, None
                node = node.value
            elif isinstance(node, ast.Attribute):
                keys.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Name):
                return node.id, list(reversed(keys))
            else:
                return None, None

    outer = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            for child in ast.iter_child_nodes(node):
                outer.add(id(child))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        if isinstance(node, (ast.Subscript, ast.Attribute)) and id(node) not in outer:
            root, keys = chain(node)
            if root is None:
                paths.append(None)
            else:
                paths.append((root,) + tuple(keys))
    return names, paths


def applicable(expect):
    try:
        tree = ast.parse(expect, mode="eval")
    except SyntaxError:
        return False
    names, paths = accesses(tree)
    if not names <= NAMES or not (names & {"bozo", "feed", "entries", "encoding", "version"}):
        return False
    for p in paths:
        if p is None:
            return False
        if p[0] == "feed":
            if len(p) < 2 or p[1] not in FEED_KEYS:
                return False
            rest = p[2:]
            if p[1] in NESTED:
                if len(rest) != 1 or rest[0] not in NESTED[p[1]]:
                    return False
            elif rest:
                return False
        elif p[0] == "entries":
            if len(p) < 2 or p[1] not in ENTRY_KEYS:
                return False
            rest = p[2:]
            if p[1] in NESTED:
                if len(rest) != 1 or rest[0] not in NESTED[p[1]]:
                    return False
            elif rest:
                return False
        else:
            return False
    return True


def run_parse(path, content_type, base_url=None):
    cmd = [AD_BIN, "parse", "--feed"]
    if content_type is not None:
        cmd += ["--content-type", content_type]
    if base_url is not None:
        cmd += ["--base-url", base_url]
    cmd.append(path)
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "hang (over %d s)" % TIMEOUT
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0 or p.returncode not in (0, 65) or "Sanitizer" in err \
            or "runtime error" in err:
        return None, "exit %d: %s" % (p.returncode, err[-400:])
    return p, None


def load_deviations():
    """{case: (expression, reason)} from deviations.txt, whose lines are
    PATH  EXPRESSION  # reason; the expression, over our values as they are
    (no HTML-to-text step), says what we give instead of feedparser's."""
    path = os.path.join(SRC, "tests", "fixtures", "feed", "deviations.txt")
    out = {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        body, sep, reason = line.rpartition("  # ")
        case, _, expr = body.partition(" ")
        expr = expr.strip()
        if not sep or not expr or case in out:
            raise SystemExit("FAIL: %s:%d: want PATH  EXPRESSION  # reason, "
                             "once per case" % (path, n))
        try:
            ast.parse(expr, mode="eval")
        except SyntaxError as ex:
            raise SystemExit("FAIL: %s:%d: %s" % (path, n, ex))
        out[case] = (expr, reason.strip())
    return out


SAFE = {"len": len, "ord": ord, "str": str, "int": int}


def holds(expr, env):
    """(value of EXPR over ENV, why it failed)."""
    try:
        return bool(eval(expr, {"__builtins__": SAFE}, env)), ""
    except Exception as ex:  # a missing key is a failed case
        return False, "%s: %s" % (type(ex).__name__, ex)


def suggest(expect, env):
    """A deviation line's expression for EXPECT: its left side == ours."""
    try:
        tree = ast.parse(expect, mode="eval").body
        while isinstance(tree, ast.BoolOp):
            tree = tree.values[-1]
        if isinstance(tree, ast.Compare):
            lhs = ast.unparse(tree.left)
            return "%s == %r" % (lhs, eval(lhs, {"__builtins__": SAFE}, env))
    except Exception as ex:
        return "? (%s)" % ex
    return "?"


def main():
    if not AD_BIN:
        print("FAIL: AD_BIN is not set")
        return 1
    if not os.path.isdir(CORPUS):
        oracle.require("feedparser corpus %s" % CORPUS)
    try:
        import feedparser  # noqa: F401
    except ImportError:
        oracle.require("python3-feedparser (the content types of its values)")
    deviations = load_deviations()
    verbose = "-v" in sys.argv
    crashes, seen = [], set()
    totals = [0, 0, 0, 0]  # pass, applicable, not applicable, known deviations
    failures, stale = [], []
    jobs = []
    for folder in FOLDERS:
        for dirpath, _, files in sorted(os.walk(os.path.join(CORPUS, folder))):
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, CORPUS)
                seen.add(rel)
                case = read_case(path)
                ctype = base = None
                if case and "http" in name:
                    # as feedparser's runner serves them: from this address,
                    # with the Header: lines
                    ctype = case["content_type"]
                    base = urljoin(DOC_URL, rel)
                    if case["content_location"]:
                        base = urljoin(base, case["content_location"])
                jobs.append((folder, path, rel, case, ctype, base))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        runs = list(pool.map(lambda j: run_parse(j[1], j[4], j[5]), jobs))
    for folder in FOLDERS:
        fp = fa = fn = 0
        for (jf, path, rel, case, ctype, _), (p, crash) in zip(jobs, runs):
            if jf != folder:
                continue
            if crash:
                crashes.append("%s: %s" % (rel, crash))
                continue
            if case is None or case["skip_unless"] or not applicable(case["expect"]):
                fn += 1
                continue
            fa += 1
            lines = p.stdout.decode("utf-8").splitlines()
            types = feedparser_types(path, ctype)
            env = result_of(lines, p.returncode != 0, types)
            ok, why = holds(case["expect"], env)
            raw = result_of(lines, p.returncode != 0, types, exact)
            if ok:
                fp += 1
                if rel in deviations:
                    stale.append(rel)
                    print("STALE %s: listed as a deviation but passes; remove "
                          "it from deviations.txt" % rel)
            elif rel in deviations:
                dev, reason = deviations[rel]
                dok, dwhy = holds(dev, raw)
                if dok:
                    totals[3] += 1
                else:
                    failures.append(rel)
                    print("FAIL %s: the deviation changed: %s is false %s "
                          "(%s); now: %s" % (rel, dev, dwhy, reason,
                                             suggest(case["expect"], raw)))
            else:
                failures.append(rel)
                print("FAIL %s: %s %s" % (rel, case["expect"], why))
                print("     ours: %s" % suggest(case["expect"], raw))
                if verbose:
                    print("     got %s" % " | ".join(lines)[:600])
        print("%-22s %4d/%-4d pass  (%d not applicable)" % (folder, fp, fa, fn))
        totals[0] += fp
        totals[1] += fa
        totals[2] += fn
    # No crash, hang or sanitizer report anywhere in the corpus.
    rest = []
    for dirpath, _, files in os.walk(CORPUS):
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.relpath(path, CORPUS) not in seen:
                rest.append(path)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, (_, crash) in zip(rest, pool.map(lambda x: run_parse(x, None), rest)):
            if crash:
                crashes.append("%s: %s" % (os.path.relpath(path, CORPUS), crash))
    rate = totals[0] / totals[1] if totals[1] else 0.0
    print("overall %d/%d applicable cases pass (%.1f%%), %d not applicable, "
          "%d known deviations (docs/DEVIATIONS.md)" %
          (totals[0], totals[1], 100 * rate, totals[2], totals[3]))
    applicable_seen = {j[2] for j in jobs if j[3] and not j[3]["skip_unless"]
                       and applicable(j[3]["expect"])}
    for rel in sorted(set(deviations) - applicable_seen):
        stale.append(rel)
        print("STALE %s: in deviations.txt but no applicable case of the "
              "corpus" % rel)
    for c in crashes:
        print("CRASH " + c)
    # Exact: every failure is a listed deviation with its value, every
    # listed deviation still deviates; the rate is a floor on top.
    if crashes or failures or stale or rate < TARGET:
        print("FAIL: %d unexpected failures, %d stale deviations, %d crashes"
              % (len(failures), len(stale), len(crashes)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

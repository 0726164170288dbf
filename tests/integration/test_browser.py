#!/usr/bin/python3
"""The HTML digest (and the archive's pages) in a real browser: Debian's
headless Chromium, driven through the DevTools protocol over
--remote-debugging-pipe (NUL-separated JSON on file descriptors 3 and 4,
as puppeteer's pipe transport does; no Python package needed).

At 1200, 600, 375 and 320 px wide, in the light and the dark colour
scheme, each page must not scroll sideways (documentElement.scrollWidth
no wider than the viewport), every article's title link, abstract and
citation (with its link) must be visible and inside the viewport, and
body text, links and headings must have a contrast of at least 4.5:1
against the background they are drawn on.  Screenshots of every case go
to AD_BUILD_DIR/browser/ as test artefacts.

Without chromium the test skips (exit 77), or fails under
AD_REQUIRE_ORACLES=1 (tests/integration/oracle.py).
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

WIDTHS = (1200, 600, 375, 320)
SCHEMES = ("light", "dark")
OUT = os.path.join(os.environ.get("AD_BUILD_DIR", "build"), "browser")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Runs in the page; returns what the assertions need.  An element counts
# as visible when it has a box, is not hidden, and lies inside the
# viewport horizontally; its contrast is its text colour against the
# first opaque background behind it.
MEASURE = r"""
(() => {
  const vw = window.innerWidth;
  const rgb = s => { const m = s.match(/[\d.]+/g) || []; return m.map(Number); };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92
      : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bg = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c; }
    return [255, 255, 255]; };
  const contrast = el => { const a = lum(rgb(getComputedStyle(el).color)),
      b = lum(bg(el)); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const visible = el => { if (!el) return false;
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' &&
      s.display !== 'none' && Number(s.opacity) > 0 &&
      r.left >= -0.5 && r.right <= vw + 0.5; };
  const articles = [];
  for (const h of document.querySelectorAll('h2[id^="article-"]')) {
    const a = { id: h.id, title: h.textContent, link: null, abstract: 0,
                citation: false, citation_link: false };
    const t = h.querySelector('a[href]');
    a.link = t && visible(t) ? t.getAttribute('href') : null;
    for (let el = h.nextElementSibling; el && !/^H[12]$/.test(el.tagName) &&
         el.tagName !== 'HR'; el = el.nextElementSibling) {
      if (el.tagName !== 'P' || !visible(el)) continue;
      if (/^Recommended citation:/.test(el.textContent)) {
        a.citation = true;
        a.citation_link = [...el.querySelectorAll('a[href^="http"]')].some(visible);
      } else if (!el.querySelector('br') && el.textContent.length > 80) {
        a.abstract++;
      }
    }
    articles.push(a);
  }
  const low = [];
  for (const el of document.querySelectorAll('.digest p, .digest li, .digest a, .digest h1, .digest h2, .foot')) {
    if (!el.textContent.trim()) continue;
    const c = contrast(el);
    if (c < 4.5) low.push(el.tagName + ' "' + el.textContent.trim().slice(0, 40) + '" ' + c.toFixed(2));
  }
  return { vw, scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    bodyBg: lum(bg(document.querySelector('.digest'))),
    textContrast: contrast(document.querySelector('.digest p')),
    articles, low,
    toc: [...document.querySelectorAll('.digest a[href^="#article-"]')].length };
})()
"""


class Chromium:
    """One headless Chromium; send() is one DevTools command."""

    def __init__(self, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Chromium reads commands on fd 3 and writes on fd 4; copy both
            # out of the way first, in case either pipe end is 3 or 4.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)
        # --no-sandbox: the tests run as root in CI, where the sandbox
        # refuses to start.
        self.p = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "--no-first-run",
             "--disable-extensions", "--hide-scrollbars",
             "--user-data-dir=" + profile, "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.pending = b""
        self.events = []

    def read_message(self):
        while b"\0" not in self.pending:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.pending += chunk
        msg, self.pending = self.pending.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            m = self.read_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    del self.events[i]
                    return m
            self.events.append(self.read_message())
        raise RuntimeError("no %s within %d s" % (method, timeout))

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)


class Page:
    def __init__(self, browser):
        self.b = browser
        target = browser.send("Target.createTarget", url="about:blank")
        self.s = browser.send("Target.attachToTarget",
                              targetId=target["targetId"],
                              flatten=True)["sessionId"]
        browser.send("Page.enable", self.s)

    def load(self, path, width, scheme):
        b, s = self.b, self.s
        b.send("Emulation.setDeviceMetricsOverride", s, width=width,
               height=900, deviceScaleFactor=1, mobile=width <= 600)
        b.send("Emulation.setEmulatedMedia", s, features=[
            {"name": "prefers-color-scheme", "value": scheme}])
        b.send("Page.navigate", s, url="file://" + os.path.abspath(path))
        b.wait_event("Page.loadEventFired", s)
        r = b.send("Runtime.evaluate", s, expression=MEASURE,
                   returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("measure: %s" % r["exceptionDetails"])
        return r["result"]["value"]

    def screenshot(self, path, height):
        shot = self.b.send("Page.captureScreenshot", self.s, format="png",
                           captureBeyondViewport=True,
                           clip={"x": 0, "y": 0, "width": self.width,
                                 "height": min(height, 16000), "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


class Browser(adtest.Folder):
    @classmethod
    def setUpClass(cls):
        if not CHROMIUM:
            oracle.require("chromium (apt-get install chromium)")
        cls.profile = tempfile.mkdtemp(prefix="ad-chromium-")
        cls.chrome = Chromium(cls.profile)
        os.makedirs(OUT, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.chrome.close()
        shutil.rmtree(cls.profile, ignore_errors=True)

    def check_page(self, path, name, narticles):
        page = Page(self.chrome)
        for width in WIDTHS:
            for scheme in SCHEMES:
                case = "%s at %d px, %s" % (name, width, scheme)
                m = page.load(path, width, scheme)
                page.width = width
                page.screenshot(os.path.join(
                    OUT, "%s-%d-%s.png" % (name, width, scheme)), m["height"])
                self.assertEqual(m["vw"], width, case)
                self.assertLessEqual(m["scrollWidth"], width, case)
                self.assertEqual(len(m["articles"]), narticles, case)
                for a in m["articles"]:
                    what = "%s: %s" % (case, a["title"])
                    self.assertRegex(a["link"] or "", r"^https?://", what)
                    self.assertGreaterEqual(a["abstract"], 1, what)
                    self.assertTrue(a["citation"], what)
                    self.assertTrue(a["citation_link"], what)
                if narticles > 1:
                    self.assertEqual(m["toc"], narticles, case)
                self.assertEqual(m["low"], [], case)
                self.assertGreaterEqual(m["textContrast"], 4.5, case)
                # The dark scheme really is dark, the light one light.
                if scheme == "dark":
                    self.assertLess(m["bodyBg"], 0.05, case)
                else:
                    self.assertGreater(m["bodyBg"], 0.8, case)

    def write_example_conf(self):
        """The bundled example feeds plus one article with a 400-character
        link without a place to break and a 60-character word in its
        title and abstract: what widened the page before."""
        long_url = ("https://www.example.org/arctic/" + "x" * 370 +
                    "?utm_source=digest")
        word = "Nordpolarmeerkooperationsvereinbarungsverhandlungsrunde"
        feed = os.path.join(self.dir, "long.xml")
        with open(feed, "wb") as f:
            f.write(adtest.rss([{
                "title": "Arctic %s and the Svalbard Treaty" % word,
                "link": long_url, "date": "Sat, 26 Jul 2025 08:00:00 GMT",
                "description": "The %s on Arctic security resumes in "
                               "Tromsø; observers expect little from it "
                               "before the ministers meet." % word}],
                title="Long Links Review"))
        sources = {n.split(".")[0]: {"url": os.path.join(adtest.FEEDS, n),
                                     "relevance": "all"}
                   for n in adtest.EXAMPLE_FEEDS}
        sources["long"] = {"url": feed, "relevance": "all"}
        self.write_conf(sources=sources, digest={
            "contact": "editor@example.org",
            "archive_url": "https://example.org/arctic-digest/archive/"})
        return long_url

    def test_preview_digest_holds_at_every_width_light_and_dark(self):
        long_url = self.write_example_conf()
        out = self.tmpdir()
        r = self.ok("preview", "-o", out)
        n = int(re.search(r"issue \d+, (\d+) of \d+ articles",
                          r.stderr.decode()).group(1))
        self.assertGreater(n, 5)
        with open(os.path.join(out, "digest.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn(long_url.split("?")[0], html)
        self.assertIn('href="https://example.org/arctic-digest/archive/'
                      'issue-0001.html"', html)
        self.assertIn('href="mailto:editor@example.org"', html)
        self.check_page(os.path.join(out, "digest.html"), "digest", n)

    def test_archive_pages_hold_at_every_width_light_and_dark(self):
        self.write_example_conf()
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("[paths]\narchive = web\n")
        self.write_subs([("anna@example.org", "Anna", "active", "", "html")])
        r = self.ok("run")
        n = int(re.search(r"issue 1: (\d+) articles", r.stderr.decode())
                .group(1))
        web = os.path.join(self.dir, "web")
        self.check_page(os.path.join(web, "issue-0001.html"), "archive-issue",
                        n)
        self.check_page(os.path.join(web, "index.html"), "archive-index", 0)


if __name__ == "__main__":
    oracle.main()

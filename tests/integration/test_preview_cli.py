#!/usr/bin/python3
"""preview --diff (the articles added and dropped since the last preview
of the same issue) and preview --open (xdg-open when there is a display,
else the file:// address and how to serve the folder)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402
import oracle  # noqa: E402

A = ("Svalbard at 105", "https://review.example/a")
B = ("Greenland and the Arctic Council", "https://review.example/b")
C = ("Icebreakers in the Bering Strait", "https://review.example/c")
D = ("Cables off Finnmark", "https://review.example/d")
DATES = {A: "Thu, 24 Jul 2025 08:00:00 GMT",
         B: "Fri, 25 Jul 2025 08:00:00 GMT",
         C: "Sat, 26 Jul 2025 08:00:00 GMT",
         D: "Sun, 27 Jul 2025 08:00:00 GMT"}


class Preview(adtest.Folder):
    def setUp(self):
        super().setUp()
        self.feed = os.path.join(self.dir, "feed.xml")
        self.out = os.path.join(self.dir, "out")
        self.write_subs([("anna@example.org", "Anna", "active", "", "html")])
        self.write_conf(sources={"review": {"url": self.feed,
                                            "relevance": "all"}})

    def articles(self, *arts):
        with open(self.feed, "wb") as f:
            f.write(adtest.rss([{"title": t, "link": l,
                                 "date": DATES[(t, l)],
                                 "description": "About the Arctic."}
                                for t, l in arts]))

    def diff(self):
        r = self.ok("preview", "-o", self.out, "--diff")
        return r.stdout.decode(), r.stderr.decode()

    def test_diff_lists_added_and_dropped_since_the_last_preview(self):
        self.articles(A, B)
        out, err = self.diff()
        # newest first, as the issue orders them
        self.assertEqual(out, "+ %s <%s>\n+ %s <%s>\n" % (B + A))
        self.assertIn("diff: 2 added, 0 dropped", err)
        with open(os.path.join(self.out, "digest.list"),
                  encoding="utf-8") as f:
            self.assertEqual(f.read(), "# arctic-digest preview of issue 1\n"
                             "%s\t%s\n%s\t%s\n" % (B[1], B[0], A[1], A[0]))
        # A leaves the feed (and the lookback), C arrives.
        self.articles(B, C)
        with open(self.feed, "rb") as f:
            self.assertNotIn(A[1].encode(), f.read())
        out, err = self.diff()
        self.assertEqual(out, "+ %s <%s>\n- %s <%s>\n" % (C + A))
        self.assertIn("diff: 1 added, 1 dropped", err)
        out, err = self.diff()
        self.assertEqual(out, "")
        self.assertIn("diff: 0 added, 0 dropped", err)

    def test_after_a_send_every_article_of_the_next_issue_is_added(self):
        self.articles(B, C)
        self.diff()
        self.ok("run")  # issue 1 goes out with B and C
        self.articles(B, C, D)
        out, err = self.diff()
        self.assertEqual(out, "+ %s <%s>\n" % D)
        self.assertIn("since the last preview --diff of issue 2", err)

    def test_without_diff_no_list_is_written(self):
        self.articles(A)
        r = self.ok("preview", "-o", self.out)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(sorted(os.listdir(self.out)),
                         ["digest.eml", "digest.html", "digest.txt"])

    def preview_open(self, display, xdg_exit=0):
        bindir = self.tmpdir("ad-bin-")
        log = os.path.join(bindir, "called")
        xdg = os.path.join(bindir, "xdg-open")
        with open(xdg, "w") as f:
            f.write('#!/bin/sh\nprintf "%%s\\n" "$@" >> "%s"\nexit %d\n'
                    % (log, xdg_exit))
        os.chmod(xdg, 0o755)
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["PATH"] = bindir + ":" + env.get("PATH", "/usr/bin:/bin")
        if display:
            env["DISPLAY"] = display
        r = subprocess.run(self.cmd("preview", "-o", "out", "--open"),
                           capture_output=True, env=env, cwd=self.dir,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        called = None
        if os.path.exists(log):
            with open(log) as f:
                called = f.read()
        return r.stderr.decode(), called

    def test_open_without_a_display_says_how_to_view_it(self):
        self.articles(A)
        err, called = self.preview_open(None)
        self.assertIsNone(called)
        self.assertIn("no display to open it on", err)
        self.assertIn("open file://%s/out/digest.html in a browser"
                      % self.dir, err)
        self.assertIn("python3 -m http.server -d out", err)

    def test_open_with_a_display_runs_xdg_open_on_the_page(self):
        self.articles(A)
        err, called = self.preview_open(":99")
        self.assertEqual(called, "%s/out/digest.html\n" % self.dir)
        self.assertNotIn("to view it", err)

    def test_open_when_xdg_open_fails_warns_and_says_how(self):
        self.articles(A)
        err, called = self.preview_open(":99", xdg_exit=3)
        self.assertEqual(called, "%s/out/digest.html\n" % self.dir)
        self.assertIn("warning: xdg-open could not show", err)
        self.assertIn("open file://%s/out/digest.html" % self.dir, err)


if __name__ == "__main__":
    oracle.main()

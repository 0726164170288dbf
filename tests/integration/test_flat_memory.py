#!/usr/bin/python3
"""Memory that does not grow with the subscriber list, from the user's
side (issue 14): the real program's peak RSS for `subscribers check`,
`list --format json`, `export` and `add` of a list of 20,000 and of
200,000 lines, and for `send` of the bundled example's issue to 1,000
and to 10,000 subscribers (Postfix's smtp-sink as the server).  Ten times
the rows may cost a few MiB more (SQLite's page caches fill up to their
fixed size, hash of an address for the duplicates check), never ten times
the memory: before, the list was held whole (about 0.7 KB a row, 140 MiB
for check of 200,000 lines, 440 MiB for list --format json) and send
held the list and the ledger (8 MiB more for 9,000 more subscribers).

Peak RSS is ru_maxrss of a fresh Python child that runs the one command,
so nothing else counts.  Not a timing test: the limits are bytes."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from adtest import free_port  # noqa: E402

BIN = os.environ.get("AD_BIN", "build/arctic-digest")
SRC = os.environ.get("AD_SOURCE_DIR",
                     os.path.dirname(os.path.abspath(__file__)) + "/../..")
BUILD = os.environ.get("AD_BUILD_DIR", "build")
SINK = "/usr/sbin/smtp-sink"
MIB = 1024  # ru_maxrss is in KiB


def start_sink():
    """Postfix's smtp-sink on a free loopback port (it accepts and drops
    every message): (process, port), or (None, None) after saying why the
    test skips."""
    if not os.path.exists(SINK):
        oracle.require("postfix (its smtp-sink is the SMTP server here)")
        return None, None
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sink = subprocess.Popen([SINK] + user + ["-m", "1024",
                                             "127.0.0.1:%d" % port, "1024"])
    time.sleep(0.3)
    return sink, port


# Run argv with stdout to a file and report its exit code and peak RSS.
PEAK = r"""
import json, resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    r = subprocess.run(sys.argv[3:], stdout=out, stderr=subprocess.PIPE,
                       cwd=sys.argv[2])
print(json.dumps([r.returncode, r.stderr.decode("utf-8", "replace"),
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
"""


def sanitized():
    """Whether the program under test is built with AddressSanitizer, whose
    allocator and quarantine make RSS measure something else."""
    try:
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            return "AD_SANITIZE:BOOL=ON" in f.read()
    except OSError:
        return False


def write_list(path, n):
    with open(path, "w") as f:
        f.write("email,name,status,tags,subscribed_at,unsubscribed_at,"
                "format\n")
        for i in range(n):
            f.write("reader%d@example.org,Reader %d,%s,%s,"
                    "2025-01-06T09:00:00Z,,%s\n"
                    % (i, i, "unsubscribed" if i % 10 == 3 else "active",
                       "security" if i % 3 == 0 else "",
                       "text" if i % 4 == 0 else "html"))


class FlatMemory(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ad-flat-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def peak(self, cwd, *args, conf="a.conf"):
        """(stdout path, stderr, peak RSS in KiB) of one run; it must
        succeed."""
        out = os.path.join(cwd, "stdout")
        r = subprocess.run([sys.executable, "-c", PEAK, out, cwd, BIN, "-c",
                            conf] + list(args),
                           capture_output=True, text=True, check=True)
        code, err, rss = json.loads(r.stdout)
        self.assertEqual(code, 0, "%s: %s" % (" ".join(args), err))
        return out, err, rss

    def list_dir(self, n):
        d = os.path.join(self.dir, "list%d" % n)
        os.mkdir(d)
        write_list(os.path.join(d, "subscribers.csv"), n)
        with open(os.path.join(d, "a.conf"), "w") as f:
            f.write("[paths]\nsubscribers = subscribers.csv\n"
                    "state = state.db\n")
        return d

    def test_list_commands_do_not_grow_with_the_list(self):
        small, large = self.list_dir(20000), self.list_dir(200000)
        for args in (["check"], ["list", "--format", "json"], ["export"],
                     ["add", "new@example.org", "--tags", "security"]):
            rss = {}
            for d, n in ((small, 20000), (large, 200000)):
                out, err, rss[n] = self.peak(d, "subscribers", *args)
                if args[0] == "check":
                    self.assertIn("%d subscribers, no problems" % n, err)
                elif args[0] == "list":
                    with open(out) as f:
                        rows = json.load(f)
                    self.assertEqual(len(rows), n)
                    self.assertEqual(rows[-1]["email"],
                                     "reader%d@example.org" % (n - 1))
                    self.assertEqual(rows[-1]["line"], n + 1)
                elif args[0] == "export":
                    with open(out, "rb") as f:
                        self.assertEqual(sum(1 for _ in f), n + 1)
                else:
                    with open(os.path.join(d, "subscribers.csv")) as f:
                        lines = f.read().splitlines()
                    self.assertEqual(len(lines), n + 2)
                    self.assertTrue(lines[-1].startswith(
                        "new@example.org,,active,security,"), lines[-1])
            grew = rss[200000] - rss[20000]
            print("subscribers %s: %.1f MiB at 20,000 lines, %.1f MiB at "
                  "200,000" % (args[0], rss[20000] / MIB, rss[200000] / MIB))
            self.assertLess(grew, 8 * MIB,
                            "subscribers %s: %d KiB more for 180,000 more "
                            "lines" % (" ".join(args), grew))

    def test_import_does_not_grow_with_the_list(self):
        """`subscribers import` of an export as long as the list (half its
        addresses on the list in another case, half new, one row in fifty
        a bad address and one in fifty a new address again), into the
        list and into no list: before, the list and the export were held
        whole (33 MiB at 20,000 rows, 230 MiB at 200,000); now 17 bytes an
        export row (14 and 18 MiB)."""
        for into_list in (True, False):
            rss = {}
            for n in (20000, 200000):
                d = self.list_dir(n)
                if not into_list:
                    os.remove(os.path.join(d, "subscribers.csv"))
                with open(os.path.join(d, "export.csv"), "w") as f:
                    f.write("Email Address,First Name,Last Name,OPTIN_TIME,"
                            "MEMBER_RATING,TAGS\n")
                    for i in range(n):
                        if i % 50 == 7:
                            addr = "bad%d@@example.org" % i
                        elif i % 50 == 11:
                            addr = "NEW%d@example.org" % (i - 2)
                        elif i % 2 == 0:
                            addr = "READER%d@EXAMPLE.ORG" % i
                        else:
                            addr = "new%d@example.org" % i
                        f.write('%s,First,"Last, %d",2024-01-15 10:22:31,3,'
                                '"""Arctic"""\n' % (addr, i))
                _, err, rss[n] = self.peak(d, "subscribers", "import",
                                           "export.csv")
                bad = dup = n // 50
                added = n - bad - dup - (n // 2 if into_list else 0)
                self.assertIn("export.csv (mailchimp export): added %d, "
                              "updated %d, unchanged %d, invalid %d, "
                              "suppressed 0, skipped 0\n"
                              % (added, n // 2 if into_list else 0, dup,
                                 bad), err)
                self.assertIn("export.csv:9: invalid address "
                              "'bad7@@example.org'", err)
                with open(os.path.join(d, "subscribers.csv")) as f:
                    lines = f.read().splitlines()
                self.assertEqual(len(lines),
                                 1 + added + (n if into_list else 0))
                self.assertTrue(lines[-1].startswith(
                    'new%d@example.org,"First Last, %d",active,Arctic,'
                    "2024-01-15T10:22:31Z," % (n - 1, n - 1)), lines[-1])
                shutil.rmtree(d)
            grew = rss[200000] - rss[20000]
            what = "into the list" if into_list else "into no list"
            print("subscribers import %s: %.1f MiB at 20,000 rows, %.1f MiB "
                  "at 200,000" % (what, rss[20000] / MIB, rss[200000] / MIB))
            self.assertLess(grew, 8 * MIB,
                            "subscribers import %s: %d KiB more for 180,000 "
                            "more rows" % (what, grew))

    def send_dir(self, n, port):
        d = os.path.join(self.dir, "send%d" % n)
        os.mkdir(d)
        shutil.copytree(os.path.join(SRC, "examples", "feeds"),
                        os.path.join(d, "feeds"))
        with open(os.path.join(SRC, "examples", "arctic-digest.conf")) as f:
            conf = f.read()
        conf = conf.replace("[smtp]\n", "[smtp]\nurl = smtp://127.0.0.1:%d\n"
                            % port, 1)
        conf = conf.replace("\ntls = required\n", "\ntls = none\n", 1)
        conf = conf.replace("\nconnections = 1\n", "\nconnections = 4\n", 1)
        conf = "\n".join("subscribers = subscribers.csv"
                         if line.startswith("subscribers = ") else line
                         for line in conf.split("\n"))
        self.assertIn("url = smtp://127.0.0.1:%d" % port, conf)
        self.assertIn("subscribers = subscribers.csv", conf)
        with open(os.path.join(d, "a.conf"), "w") as f:
            f.write(conf)
        write_list(os.path.join(d, "subscribers.csv"), n)
        subprocess.run([BIN, "-q", "-c", "a.conf", "collect"], cwd=d,
                       check=True, stdout=subprocess.DEVNULL)
        return d

    def test_send_does_not_grow_with_the_list(self):
        sink, port = start_sink()
        if not sink:
            return
        try:
            rss = {}
            for n in (1000, 10000):
                d = self.send_dir(n, port)
                _, err, rss[n] = self.peak(d, "send")
                sent = n - n // 10  # every tenth is unsubscribed
                self.assertIn("issue 1: %d sent\n" % sent, err)
        finally:
            sink.terminate()
            sink.wait()
        grew = rss[10000] - rss[1000]
        print("send: %.1f MiB to 1,000 subscribers, %.1f MiB to 10,000"
              % (rss[1000] / MIB, rss[10000] / MIB))
        self.assertLess(grew, 4 * MIB,
                        "send: %d KiB more for 9,000 more subscribers" % grew)


    def large_issue_dir(self, name, subscribers, port):
        """A state with 1,000 collected articles (20 local feeds of 50
        items with authors and a 150-word abstract, as bench/run.sh
        serves them): an 8 MB digest with both bodies and the BibTeX and
        RIS files, to go over 4 connections to `subscribers` readers."""
        d = os.path.join(self.dir, name)
        os.makedirs(os.path.join(d, "feeds"))
        rnd = random.Random(1)
        words = ("Arctic security governance Svalbard NATO Russia Greenland "
                 "climate sea ice shipping route Barents fisheries "
                 "sovereignty Council indigenous Sámi Inuit defence "
                 "cooperation China polar").split()
        names = ["Anna Hansen", "Olav Nielsen", "Jón Sigurðsson",
                 "Aputsiaq Kleist", "Sigrid Nordström", "Maija Niemi"]
        conf = ["[digest]", "title = Arctic Digest",
                "from = Arctic Digest <digest@example.org>",
                "clock = 2025-07-28T07:00:00Z", "max_articles = 1000",
                "[smtp]", "url = smtp://127.0.0.1:%d" % port, "tls = none",
                "connections = 4", "[paths]",
                "subscribers = subscribers.csv", "state = state.db"]
        for f in range(20):
            items = []
            for i in range(50):
                items.append(
                    "<item><title>%s (%d.%d)</title>"
                    "<link>https://journal%d.example.org/a/%d</link>"
                    "<guid>https://journal%d.example.org/a/%d</guid>"
                    "<pubDate>Thu, 24 Jul 2025 10:%02d:00 GMT</pubDate>"
                    "<dc:creator>%s</dc:creator>"
                    "<description>%s</description></item>"
                    % (" ".join(rnd.choice(words) for _ in range(9)), f, i,
                       f, i, f, i, i % 60, rnd.choice(names),
                       " ".join(rnd.choice(words) for _ in range(150))))
            path = os.path.join(d, "feeds", "feed%d.xml" % f)
            with open(path, "w", encoding="utf-8") as out:
                out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                          '<rss version="2.0" xmlns:dc='
                          '"http://purl.org/dc/elements/1.1/"><channel>'
                          "<title>Journal %d</title>"
                          "<link>https://journal%d.example.org/</link>"
                          "<description>Articles</description>%s"
                          "</channel></rss>\n" % (f, f, "".join(items)))
            conf += ["[source j%d]" % f, "url = %s" % path,
                     "relevance = all"]
        with open(os.path.join(d, "a.conf"), "w") as out:
            out.write("\n".join(conf) + "\n")
        with open(os.path.join(d, "subscribers.csv"), "w") as out:
            out.write("email,name,status\n")
            for i in range(subscribers):
                out.write("r%d@example.org,Reader %d,active\n" % (i, i))
        subprocess.run([BIN, "-q", "-c", "a.conf", "collect"], cwd=d,
                       check=True, stdout=subprocess.DEVNULL)
        return d

    def test_send_of_a_large_issue_does_not_hold_messages_whole(self):
        """Four connections with a message each in flight cost no more
        than one: each message borrows the body prepared once instead of
        being built whole (8 MB here).  Before, 40 readers over 4
        connections took 24 MiB more than one reader (85 MiB against 61);
        now the same (the peak is the body prepared once, for one reader
        as for forty)."""
        sink, port = start_sink()
        if not sink:
            return
        try:
            rss = {}
            for n in (1, 40):
                d = self.large_issue_dir("large%d" % n, n, port)
                _, err, rss[n] = self.peak(d, "send")
                self.assertIn("issue 1: %d sent\n" % n, err)
        finally:
            sink.terminate()
            sink.wait()
        grew = rss[40] - rss[1]
        print("send of 1,000 articles: %.1f MiB to 1 reader, %.1f MiB to 40 "
              "over 4 connections" % (rss[1] / MIB, rss[40] / MIB))
        self.assertLess(grew, 8 * MIB,
                        "send: %d KiB more for 40 readers than for 1" % grew)

    def test_large_issue_is_rendered_a_part_at_a_time(self):
        """The peak of sending an issue of 1,000 articles (an 8 MB
        message) over what starting the program costs: the message's body
        (about 9 MB: its QP text and HTML and the base64 of the BibTeX
        and RIS files), SQLite's cache and the articles, not the whole
        issue rendered at once.  Before, the template data of every
        article, the whole markdown and cmark's tree of it (24 MB), the
        rendered outputs beside the body, and the archive's page with all
        its files held at once made it 40 MiB over the start (54 MiB);
        now about 14 MiB (28 MiB).  The bound is 24 MiB over the start,
        and the archive's page must still hold every article."""
        sink, port = start_sink()
        if not sink:
            return
        try:
            d = self.large_issue_dir("large-run", 1, port)
            _, _, start = self.peak(d, "--version")
            _, err, rss = self.peak(d, "send")
            self.assertIn("issue 1: 1 sent\n", err)
        finally:
            sink.terminate()
            sink.wait()
        with open(os.path.join(d, "archive", "issue-0001.html"),
                  encoding="utf-8") as f:
            page = f.read()
        self.assertEqual(page.count('<h2 id="article-'), 1000)
        self.assertIn('id="article-1000"', page)
        self.assertTrue(page.rstrip().endswith("</html>"))
        print("send of 1,000 articles: %.1f MiB, %.1f MiB over the start "
              "(%.1f MiB)" % (rss / MIB, (rss - start) / MIB, start / MIB))
        self.assertLess(rss - start, 24 * MIB,
                        "send of 1,000 articles: %d KiB over the start"
                        % (rss - start))

if __name__ == "__main__":
    if sanitized():
        print("skip: built with AD_SANITIZE, whose allocator and quarantine "
              "make peak RSS measure something else; the plain build "
              "measures it")
        sys.exit(77)
    unittest.main(verbosity=2)

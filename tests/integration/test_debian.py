#!/usr/bin/python3
"""The Debian package (issue 17), end to end, as an admin would meet it:
build the .deb from a copy of the tree (dpkg-buildpackage -us -uc -b),
lintian has no error and no warning, `apt-get install ./…deb` creates
the system user, the conffile and the state folder and leaves the timer
off; as that user, in an empty folder with the source tree gone, the
installed program previews the installed example feeds and reports its
status, and prints the very units the package installed; `apt-get purge`
leaves nothing but the system user, which Debian keeps.

Needs root (it installs a package): exits 77 (skip) otherwise, or when
dpkg-buildpackage, lintian or apt-get is missing, or when arctic-digest is
installed already (it would be replaced and purged).  Registered only for
the build without sanitizers (tests/CMakeLists.txt)."""
import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import oracle  # noqa: E402

SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
CONF = "/etc/arctic-digest/arctic-digest.conf"
STATE = "/var/lib/arctic-digest"
USER = "arctic-digest"
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"]
# Where the package puts files; after a purge none may be left.
INSTALLED = ["/usr/bin/arctic-digest", "/usr/share/arctic-digest",
             "/usr/lib/arctic-digest", "/etc/arctic-digest", STATE,
             "/lib/systemd/system/arctic-digest.service",
             "/lib/systemd/system/arctic-digest.timer",
             "/usr/share/man/man1/arctic-digest.1.gz",
             "/usr/share/man/man5/arctic-digest.conf.5.gz",
             "/usr/share/doc/arctic-digest",
             "/usr/share/bash-completion/completions/arctic-digest"]


def run(cmd, **kw):
    kw.setdefault("timeout", 600)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def installed():
    r = run(["dpkg-query", "-W", "-f=${db:Status-Status}", "arctic-digest"])
    return r.returncode == 0 and r.stdout.strip() not in ("", "not-installed")


def as_user(cmd, cwd):
    """cmd as the system user, in cwd, with a bare environment: nothing
    points at the source tree."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return run([runuser, "-u", USER, "--"] + cmd, cwd=cwd, env=env)


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ad-deb-")
        # Also when the build fails (tearDownClass then never runs).
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        tree = os.path.join(cls.tmp, "arctic-digest")
        # The tracked files of a checkout, else the tree without builds.
        ls = run(["git", "-C", SRC, "ls-files", "-z", "--cached",
                    "--others", "--exclude-standard"], timeout=60) \
            if shutil.which("git") else None
        if ls and ls.returncode == 0 and ls.stdout:
            for rel in ls.stdout.split("\0"):
                if rel and os.path.isfile(os.path.join(SRC, rel)):
                    os.makedirs(os.path.dirname(os.path.join(tree, rel)),
                                exist_ok=True)
                    shutil.copy2(os.path.join(SRC, rel),
                                 os.path.join(tree, rel))
        else:
            shutil.copytree(SRC, tree, symlinks=True, ignore=shutil
                            .ignore_patterns("build*", ".git", "preview"))
        env = dict(os.environ, DEB_BUILD_OPTIONS="parallel=2 nocheck")
        r = run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, env=env,
                timeout=900)
        cls.build_log = r.stdout[-4000:] + r.stderr[-4000:]
        cls.build_rc = r.returncode
        # From here on no source tree exists anywhere the program could
        # have remembered.
        shutil.rmtree(tree, True)
        debs = glob.glob(os.path.join(cls.tmp, "arctic-digest_*.deb"))
        cls.deb = debs[0] if len(debs) == 1 else None
        cls.changes = (glob.glob(os.path.join(cls.tmp, "*.changes"))
                       or [None])[0]

    @classmethod
    def tearDownClass(cls):
        if installed():
            run(APT + ["purge", "arctic-digest"])

    def test_package(self):
        self.assertEqual(self.build_rc, 0, self.build_log)
        self.assertIsNotNone(self.deb, os.listdir(self.tmp))
        self.lintian()
        self.install()
        self.check_installed()
        self.preview_and_status()
        self.units()
        self.purge()

    def lintian(self):
        r = run(["lintian", "--fail-on", "error,warning", self.changes])
        tags = [l for l in r.stdout.splitlines()
                if re.match(r"^[EW]: ", l)]
        self.assertEqual(tags, [], r.stdout)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def install(self):
        r = run(APT + ["install", "./" + os.path.basename(self.deb)],
                cwd=self.tmp, env=dict(os.environ,
                                       DEBIAN_FRONTEND="noninteractive"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(installed())

    def check_installed(self):
        pw = pwd.getpwnam(USER)
        self.assertLess(pw.pw_uid, 1000, "not a system user")
        self.assertEqual(pw.pw_dir, STATE)
        st = os.stat(STATE)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (pw.pw_uid, 0o750))
        # The conffile: the example without its pinned clock.
        r = run(["dpkg-query", "-W", "-f=${Conffiles}", "arctic-digest"])
        self.assertIn(CONF, r.stdout)
        with open(CONF, encoding="utf-8") as f:
            conf = f.read()
        self.assertNotRegex(conf, r"(?m)^clock\s*=")
        self.assertRegex(conf, r"(?m)^state = %s/arctic-digest\.db$" % STATE)
        # Installed, not enabled: no link in timers.target.wants.
        self.assertTrue(os.path.exists(
            "/lib/systemd/system/arctic-digest.timer"))
        self.assertEqual(glob.glob("/etc/systemd/system/*/arctic-digest.*"),
                         [])
        r = run(["/usr/bin/arctic-digest", "--version"])
        self.assertRegex(r.stdout, r"(?m)^data: /usr/share/arctic-digest$")

    def preview_and_status(self):
        work = tempfile.mkdtemp(prefix="ad-deb-user-")
        self.addCleanup(shutil.rmtree, work, True)
        os.chown(work, pwd.getpwnam(USER).pw_uid, -1)
        feeds = "/usr/share/arctic-digest/examples/feeds"
        conf = os.path.join(work, "digest.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("[digest]\nclock = 2025-07-28T07:00:00Z\n"
                    "lookback_days = 7\n"
                    "[paths]\nstate = state.db\n"
                    "subscribers = subscribers.csv\n")
            for n in ("polar-journal.rdf", "arctic-security-observer.xml",
                      "high-north-news.atom"):
                f.write("[source %s]\nurl = %s/%s\nrelevance = all\n"
                        % (n.split(".")[0], feeds, n))
        r = as_user(["arctic-digest", "-c", conf, "preview"], work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("written to preview/digest.eml", r.stderr)
        with open(os.path.join(work, "preview", "digest.txt"),
                  encoding="utf-8") as f:
            self.assertIn("Sino-Russian Arctic Cooperation", f.read())
        self.assertEqual(os.stat(os.path.join(work, "preview", "digest.eml"))
                         .st_uid, pwd.getpwnam(USER).pw_uid)
        r = as_user(["arctic-digest", "-c", conf, "status"], work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^last issue: +none yet$")
        self.assertRegex(r.stdout, r"(?m)^next slot: +\S+")
        # The packaged configuration works for its user as installed.
        r = as_user(["arctic-digest", "-c", CONF, "status", "--json"], work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"schedule"', r.stdout)

    def units(self):
        r = as_user(["arctic-digest", "-c", CONF, "cron", "--systemd"], "/")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open("/lib/systemd/system/arctic-digest.service") as f:
            service = f.read()
        with open("/lib/systemd/system/arctic-digest.timer") as f:
            timer = f.read()
        self.assertEqual(r.stdout,
                         "# /etc/systemd/system/arctic-digest.service\n"
                         + service + "\n"
                         "# /etc/systemd/system/arctic-digest.timer\n"
                         + timer)
        if shutil.which("systemd-analyze"):
            v = run(["systemd-analyze", "verify", "--man=no",
                     "/lib/systemd/system/arctic-digest.service",
                     "/lib/systemd/system/arctic-digest.timer"])
            self.assertEqual(v.stdout + v.stderr, "")

    def purge(self):
        r = run(APT + ["purge", "arctic-digest"],
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(installed())
        left = [p for p in INSTALLED if os.path.lexists(p)]
        self.assertEqual(left, [])
        found = run(["find", "/etc", "/usr", "/var/lib", "/lib", "-xdev",
                     "-name", "*arctic-digest*", "-not", "-path",
                     "/var/lib/dpkg/*", "-not", "-path", "/usr/local/*"])
        self.assertEqual(found.stdout.split(), [])
        # What Debian keeps: the system user and its group.
        self.assertIn(USER, [p.pw_name for p in pwd.getpwall()])


if __name__ == "__main__":
    missing = [t for t in ("dpkg-buildpackage", "lintian", "apt-get",
                           "runuser") if not shutil.which(t)]
    if os.geteuid() != 0:
        oracle.require("root (to install the package)")
    if missing:
        oracle.require("%s (scripts/install-deps --test)" % " ".join(missing))
    if installed():
        print("skip: arctic-digest is installed already; not replacing it")
        sys.exit(77)
    oracle.main()

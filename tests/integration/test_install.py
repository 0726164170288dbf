#!/usr/bin/python3
"""cmake --install (issue 17): `cmake --install BUILD --prefix /usr` with
DESTDIR installs exactly the files README.md's "Install" section lists,
and the installed program runs from there: it reads the installed
templates and example (not the source tree's) and its --version names
the libraries it runs with."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import oracle  # noqa: E402

SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
BIN = os.path.abspath(os.environ.get("AD_BIN", "build/arctic-digest"))
BUILD = os.path.abspath(os.environ.get("AD_BUILD_DIR", os.path.dirname(BIN)))


def readme_install_list():
    """The file list of README.md's Install section: the indented block
    whose lines are all absolute paths."""
    with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
        text = f.read()
    sec = re.search(r"(?ms)^## Install\n(.*?)^## ", text)
    assert sec, "README.md has no '## Install' section"
    for block in re.split(r"\n\s*\n", sec.group(1)):
        lines = [l.strip() for l in block.splitlines()]
        if lines and all(re.match(r"^/usr/\S+$", l) for l in lines):
            return lines
    raise AssertionError("no list of installed files in README's Install")


class Install(unittest.TestCase):
    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="ad-install-")
        self.addCleanup(shutil.rmtree, self.dest, True)
        env = dict(os.environ, DESTDIR=self.dest)
        r = subprocess.run(["cmake", "--install", BUILD, "--prefix", "/usr"],
                           capture_output=True, text=True, env=env,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)

    def installed(self):
        out = []
        for root, dirs, files in os.walk(self.dest):
            for n in files:
                p = os.path.join(root, n)
                out.append("/" + os.path.relpath(p, self.dest))
        return sorted(out)

    def test_installs_exactly_the_readme_list(self):
        self.assertEqual(self.installed(), sorted(readme_install_list()))

    def test_modes(self):
        for path, mode in (("usr/bin/arctic-digest", 0o755),
                           ("usr/lib/arctic-digest/unsubscribe.cgi", 0o755),
                           ("usr/lib/arctic-digest/subscribe.cgi", 0o755),
                           ("usr/share/arctic-digest/templates/digest.md",
                            0o644)):
            st = os.stat(os.path.join(self.dest, path))
            self.assertEqual(st.st_mode & 0o777, mode, path)

    def test_installed_program_reads_installed_data(self):
        exe = os.path.join(self.dest, "usr/bin/arctic-digest")
        share = os.path.join(self.dest, "usr/share/arctic-digest")
        r = subprocess.run([exe, "--version"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^arctic-digest \d+\.\d+\.\d+\n")
        for lib in ("libcurl", "libxml2", "cmark", "SQLite", "libetpan"):
            self.assertRegex(r.stdout, r"(?m)^%s \d+\.\d+" % lib)
        data = re.search(r"(?m)^data: (.*)$", r.stdout).group(1)
        # The compiled-in /usr/local/share/arctic-digest does not hold this
        # build's files (unless someone installed them there): the relocated
        # tree beside the program is used, never the source tree.
        if not os.path.isdir("/usr/local/share/arctic-digest/templates"):
            self.assertEqual(os.path.realpath(data), os.path.realpath(share))
        self.assertNotEqual(os.path.realpath(data), os.path.realpath(SRC))

        # The bundled example, with no configuration, in an empty folder:
        # its templates and feeds come from the installed tree.
        work = tempfile.mkdtemp(prefix="ad-installed-")
        self.addCleanup(shutil.rmtree, work, True)
        r = subprocess.run([exe, "-v", "preview"], capture_output=True,
                           text=True, cwd=work, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("bundled example '%s/examples/arctic-digest.conf'"
                      % data, r.stderr)
        self.assertIn("templates: '%s/templates'" % data, r.stderr)
        with open(os.path.join(work, "preview", "digest.txt"),
                  encoding="utf-8") as f:
            self.assertIn("Sino-Russian Arctic Cooperation", f.read())

    def test_cgi_names_the_configured_program(self):
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            prefix = re.search(r"(?m)^CMAKE_INSTALL_PREFIX:PATH=(.*)$",
                               f.read()).group(1)
        for name in ("unsubscribe.cgi", "subscribe.cgi"):
            with open(os.path.join(self.dest, "usr/lib/arctic-digest", name),
                      encoding="utf-8") as f:
                cgi = f.read()
            m = re.search(r'"ARCTIC_DIGEST_BIN", "([^"]+)"', cgi)
            self.assertTrue(m, "no default program in %s" % name)
            self.assertEqual(m.group(1), prefix + "/bin/arctic-digest")


if __name__ == "__main__":
    if not shutil.which("cmake"):
        oracle.require("cmake")
    oracle.main()

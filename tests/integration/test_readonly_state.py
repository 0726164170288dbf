#!/usr/bin/python3
"""'archive' against a state this user cannot write.  It keeps in the
state what each page was made from and takes the run lock beside it, as
'send' does, so it writes to the state: against one it cannot write (the
state of another user, a read-only file, a read-only folder) it stops
before it writes anything, with exit 73 and one error line that names the
state, says what it cannot write and why, and what to do; the state and
the archive stay as they were.  Once the state is writable it works.

File modes do not stop root: as root the program runs as 'nobody'
(setpriv, else runuser) on a world-readable copy; where that cannot be
done the script skips (exit 77) and says why."""
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adtest  # noqa: E402

HINT = "run it as the user that owns the state"


def other_user():
    """(argv prefix, uid, gid) that runs a command as a user file modes
    apply to, or (None, why, None)."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        return None, "no user 'nobody' to drop root to", None
    setpriv = shutil.which("setpriv")
    runuser = shutil.which("runuser") or (
        "/usr/sbin/runuser" if os.path.exists("/usr/sbin/runuser") else None)
    if setpriv:
        prefix = [setpriv, "--reuid=%d" % pw.pw_uid,
                  "--regid=%d" % pw.pw_gid, "--clear-groups"]
    elif runuser:
        prefix = [runuser, "-u", "nobody", "--"]
    else:
        return None, "neither setpriv nor runuser to run as 'nobody'", None
    r = subprocess.run(prefix + [adtest.BIN, "--version"],
                       capture_output=True)
    if r.returncode != 0:
        return None, "'nobody' cannot run %s: %s" % (
            adtest.BIN, r.stderr.decode(errors="replace").strip()), None
    return prefix, pw.pw_uid, pw.pw_gid


PREFIX, UID, GID = other_user()


class ReadOnlyState(adtest.Folder):
    def setUp(self):
        super().setUp()
        os.chmod(self.dir, 0o755)  # the other user looks in
        self.web = os.path.join(self.dir, "web")
        self.write_subs([("anna@example.org", "Anna", "active", "",
                          "html")])
        self.write_conf(digest={"contact": "editor@example.org"})
        with open(self.conf, "a", encoding="utf-8") as f:
            f.write("[paths]\narchive = web\n")
        self.ok("run")  # issue 1 sent and archived, by the state's owner
        self.assertTrue(os.path.exists(os.path.join(self.web,
                                                    "issue-0001.html")))
        self.give(self.web)

    def give(self, path):
        """path and all in it to the other user (root only)."""
        if os.geteuid() != 0:
            return
        for root, dirs, files in os.walk(path):
            for name in [root] + [os.path.join(root, n)
                                  for n in dirs + files]:
                os.chown(name, UID, GID)

    def files(self):
        """Every file below the folder but the run lock (which holds the
        pid of whoever took it last): its bytes' hash, inode and
        modification time."""
        out = {}
        for root, _, files in os.walk(self.dir):
            for n in files:
                p = os.path.join(root, n)
                if p == self.state + ".lock":
                    continue
                st = os.stat(p)
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                out[os.path.relpath(p, self.dir)] = (digest, st.st_ino,
                                                     st.st_mtime_ns)
        return out

    def archive_as_other(self):
        return subprocess.run(PREFIX + self.cmd("archive"),
                              capture_output=True, cwd=self.dir,
                              timeout=60)

    def refused(self, *want):
        """archive as the other user: exit 73, one error line naming the
        state and each of want, nothing written; the line."""
        self.maxDiff = None
        before = self.files()
        r = self.archive_as_other()
        err = r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, 73, err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith(
            "arctic-digest: error: cannot write state '%s': " % self.state),
            lines[0])
        for w in want + (HINT,):
            self.assertIn(w, lines[0])
        self.assertNotIn("damaged", lines[0])
        self.assertEqual(self.files(), before)  # no -wal, -shm or page
        return lines[0]

    def test_state_of_another_user(self):
        if os.geteuid() != 0:
            self.skipTest("only root can leave a state of another user")
        line = self.refused("its lock '%s.lock': Permission denied"
                            % self.state)
        self.assertNotIn("its folder '", line)

    def test_read_only_state_file(self):
        self.give(self.dir)
        os.chmod(self.state, 0o444)
        line = self.refused("'%s': Permission denied" % self.state)
        self.assertNotIn("its folder '", line)
        # Writable again: the same command works, as that user.
        os.chmod(self.state, 0o644)
        r = self.archive_as_other()
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))

    def test_read_only_state_folder(self):
        self.give(self.dir)
        os.chmod(self.dir, 0o555)
        self.addCleanup(os.chmod, self.dir, 0o755)
        self.refused("its folder '%s': Permission denied" % self.dir)


if __name__ == "__main__":
    if not os.path.exists(adtest.BIN):
        print("FAIL: %s not built" % adtest.BIN)
        sys.exit(1)
    if PREFIX is None:
        print("skip: cannot run as a user file modes apply to: %s" % UID)
        sys.exit(77)
    unittest.main(verbosity=2)

"""Shared by integration tests: where things are, the test servers
(tests/servers) as child processes, and a temp folder holding a config,
a subscriber list and an unsubscribe secret, in the style of test_send.py.
"""
import email
import email.policy
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import unittest
import urllib.request

BIN = os.path.abspath(os.environ.get("AD_BIN", "build/arctic-digest"))
SRC = os.path.abspath(os.environ.get(
    "AD_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../.."))
SERVERS = os.path.join(SRC, "tests", "servers")
FEEDS = os.path.join(SRC, "examples", "feeds")
EXAMPLE_FEEDS = ("polar-journal.rdf", "arctic-security-observer.xml",
                 "high-north-news.atom")
PY = "/usr/bin/python3"
NOW = "2025-07-28T07:00:00Z"
SECRET = "test secret for the pipeline tests\n"


class Server:
    """A test server process (tests/servers/NAME) that prints its port on
    the first line of stdout; stopped with SIGTERM."""

    def __init__(self, script, *args):
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen([PY, os.path.join(SERVERS, script)]
                                  + list(args), stdout=subprocess.PIPE,
                                  stderr=self.err)
        line = self.p.stdout.readline()
        if not line.strip():
            self.stop()
            raise RuntimeError("%s did not start" % script)
        self.port = int(line)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.p.stdout.close()
        self.err.close()


class SMTPServer(Server):
    """smtp_server.py (aiosmtpd); its spool and event log (spool.py)."""

    def __init__(self, spool, *args, script="smtp_server.py"):
        self.spool = spool
        os.makedirs(spool, exist_ok=True)
        super().__init__(script, "--spool", spool, *args)

    def events(self, kind=None):
        path = os.path.join(self.spool, "events.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            ev = [json.loads(l) for l in f if l.strip()]
        return [e for e in ev if kind is None or e["event"] == kind]

    def messages(self):
        """[(recipient, raw bytes exactly as received)] in order."""
        out = []
        for e in self.events("message"):
            with open(os.path.join(self.spool, e["file"]), "rb") as f:
                out.append((e["to"], f.read()))
        return out

    def by_rcpt(self):
        out = {}
        for rcpt, raw in self.messages():
            out.setdefault(rcpt, []).append(raw)
        return out


class HTTPServer(Server):
    """http_server.py; /_stats as a dict."""

    def __init__(self, *args):
        super().__init__("http_server.py", *args)
        self.base = "http://127.0.0.1:%d" % self.port

    def stats(self):
        with urllib.request.urlopen(self.base + "/_stats", timeout=10) as r:
            return json.load(r)


def rss(items, title="Test Feed"):
    """An RSS 2.0 feed: items are dicts with title, link, date (RFC 822),
    and optionally description."""
    esc = lambda s: (s.replace("&", "&amp;").replace("<", "&lt;")
                     .replace(">", "&gt;"))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0"><channel>',
           "<title>%s</title>" % esc(title),
           "<link>https://feed.example.org/</link>",
           "<description>Written by a test</description>"]
    for it in items:
        out += ["<item>", "<title>%s</title>" % esc(it["title"]),
                "<link>%s</link>" % esc(it["link"]),
                "<guid>%s</guid>" % esc(it["link"]),
                "<pubDate>%s</pubDate>" % it["date"]]
        if it.get("description"):
            out.append("<description>%s</description>"
                       % esc(it["description"]))
        out.append("</item>")
    out += ["</channel></rss>", ""]
    return "\n".join(out).encode("utf-8")


class Folder(unittest.TestCase):
    """A temp folder with a.conf, subscribers.csv and unsubscribe.key; the
    program run with it as the working folder."""

    secret = True  # write unsubscribe.key (mode 0600) in setUp

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ad-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.state = os.path.join(self.dir, "state.db")
        self.subs = os.path.join(self.dir, "subscribers.csv")
        self.conf = os.path.join(self.dir, "a.conf")
        self.key = os.path.join(self.dir, "unsubscribe.key")
        if self.secret:
            with open(os.open(self.key, os.O_WRONLY | os.O_CREAT, 0o600),
                      "w") as f:
                f.write(SECRET)

    def tmpdir(self, prefix="ad-out-"):
        """A folder outside self.dir, removed after the test."""
        d = tempfile.mkdtemp(prefix=prefix)
        self.addCleanup(shutil.rmtree, d, True)
        return d

    # servers

    def aiosmtpd(self, *args):
        s = SMTPServer(os.path.join(self.tmpdir("ad-spool-"), "spool"), *args)
        self.addCleanup(s.stop)
        return s

    def http(self, *args):
        s = HTTPServer(*args)
        self.addCleanup(s.stop)
        return s

    # files

    def write_subs(self, rows, path=None):
        """rows: (email, name, status, tags, format)"""
        with open(path or self.subs, "w", encoding="utf-8", newline="") as f:
            f.write("email,name,status,tags,subscribed_at,unsubscribed_at,"
                    "format\n")
            for email_, name, status, tags, fmt in rows:
                f.write('%s,%s,%s,"%s",2025-01-01T00:00:00Z,,%s\n'
                        % (email_, name, status, tags, fmt))

    def write_conf(self, server=None, smtp=None, digest=None, topics=None,
                   sources=None, conf=None):
        """The test's config; [smtp] url points at server (None: outbox).
        sources: {name: {key: value}}; default the bundled example feeds
        with relevance = all."""
        d = {"clock": NOW,
             "unsubscribe_url": "https://example.org/unsubscribe",
             "unsubscribe_secret_file": "unsubscribe.key"}
        d.update(digest or {})
        s = {"tls": "none", "retries": "2", "retry_delay": "0",
             "timeout": "5"}
        if server is not None:
            s["url"] = "smtp://127.0.0.1:%d" % server.port
        s.update(smtp or {})
        lines = ["[digest]"] + ["%s = %s" % kv for kv in d.items()
                                if kv[1] is not None]
        lines += ["[smtp]"] + ["%s = %s" % kv for kv in s.items()
                               if kv[1] is not None]
        lines += ["[paths]", "state = state.db",
                  "subscribers = subscribers.csv", "outbox = outbox"]
        if sources is None:
            sources = {n.split(".")[0]: {"url": os.path.join(FEEDS, n),
                                         "relevance": "all"}
                       for n in EXAMPLE_FEEDS}
        for name, keys in sources.items():
            lines += ["[source %s]" % name]
            lines += ["%s = %s" % kv for kv in keys.items()]
        for name, terms in (topics or {}).items():
            lines += ["[topic %s]" % name, "include = %s" % terms]
        with open(conf or self.conf, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    # the program

    def cmd(self, *args, now=None, conf=None):
        c = [BIN, "-c", conf or self.conf]
        if now:
            c += ["--now", now]
        return c + list(args)

    def ad(self, *args, now=None, conf=None, stdin=None, timeout=60):
        return subprocess.run(self.cmd(*args, now=now, conf=conf),
                              capture_output=True, input=stdin,
                              timeout=timeout, cwd=self.dir)

    def ok(self, *args, code=0, **kw):
        r = self.ad(*args, **kw)
        self.assertEqual(r.returncode, code, "%s: exit %d: %s" % (
            " ".join(args), r.returncode, r.stderr.decode(errors="replace")))
        return r

    # the state, read-only

    def db(self):
        c = sqlite3.connect("file:%s?mode=ro" % self.state, uri=True)
        c.row_factory = sqlite3.Row
        self.addCleanup(c.close)
        return c

    # messages

    def parse(self, raw):
        """The message, parsed with policy=default; no defects anywhere."""
        m = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(list(m.defects), [])
        for part in m.walk():
            self.assertEqual(list(part.defects), [], part.get_content_type())
            for name, value in part.items():
                self.assertEqual(list(getattr(value, "defects", [])), [],
                                 name)
        return m

    @staticmethod
    def text_of(m):
        return m.get_body(preferencelist=("plain",)).get_content()


def squash(s):
    return re.sub(r"\s+", " ", s or "").strip()


def free_port():
    """A loopback TCP port nothing listens on (now)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_aiosmtpd():
    """The SMTP test servers need aiosmtpd: skip or fail (oracle.py)."""
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        import oracle
        oracle.require("python3-aiosmtpd (the SMTP test server)")


class PostfixRelay:
    """A real Postfix instance of its own (postfix -c DIR/etc) in folder
    root: it listens on a free loopback port, relays everything from
    127.0.0.1 to relay_port (a test server) and logs to root/maillog.
    Needs root (Postfix's master drops to the 'postfix' user); root and
    its parents must be searchable by that user."""

    POSTFIX = "/usr/sbin/postfix"

    @staticmethod
    def missing():
        """Why this cannot run here, or None."""
        if not os.path.exists(PostfixRelay.POSTFIX):
            return "postfix is not installed (apt-get install postfix)"
        if os.geteuid() != 0:
            return "a Postfix instance needs root"
        return None

    def __init__(self, root, relay_port, main=None):
        import pwd
        self.root = root
        self.etc = os.path.join(root, "etc")
        self.maillog = os.path.join(root, "maillog")
        for d in ("etc", "queue", "data"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        os.chmod(root, 0o755)
        pw = pwd.getpwnam("postfix")
        os.chown(os.path.join(root, "data"), pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        conf = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(root, "queue"),
            "data_directory": os.path.join(root, "data"),
            "maillog_file": self.maillog,
            "maillog_file_prefixes": root,
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "myhostname": "relay.test.invalid",
            "mydomain": "test.invalid",
            "mydestination": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "relayhost": "[127.0.0.1]:%d" % relay_port,
            "smtp_tls_security_level": "none",
        }
        conf.update(main or {})
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write("".join("%s = %s\n" % kv for kv in conf.items()))
        shutil.copy("/usr/share/postfix/master.cf.dist",
                    os.path.join(self.etc, "master.cf"))
        listen = "127.0.0.1:%d" % self.port
        for args in (["-F", "*/*/chroot = n"], ["-M#", "smtp/inet"],
                     ["-Me", "%s/inet = %s inet n - n - - smtpd"
                      % (listen, listen)]):
            subprocess.run(["postconf", "-c", self.etc] + args, check=True)
        r = subprocess.run([self.POSTFIX, "-c", self.etc, "start"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("postfix did not start: %s%s" % (
                r.stderr, self.log()))

    def log(self):
        try:
            with open(self.maillog, encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def queue(self):
        """The queue as postqueue -j lists it: one dict per message."""
        r = subprocess.run(["postqueue", "-c", self.etc, "-j"],
                           capture_output=True, text=True, check=True)
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]

    def stop(self):
        """Stop it; abort (kill) when a clean stop fails, so that no root
        master outlives the test and its folder."""
        r = subprocess.run([self.POSTFIX, "-c", self.etc, "stop"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            subprocess.run([self.POSTFIX, "-c", self.etc, "abort"],
                           capture_output=True)


class Dovecot:
    """A real Dovecot IMAP server of its own (dovecot -c FILE -F) in folder
    root: IMAPS only, on a free loopback port, with the test CA's server
    certificate (certs: make_certs.sh's folder), one user from a
    passwd-file and the maildir `maildir` (read and written as `owner`).
    Needs root (Dovecot's master drops privileges)."""

    DOVECOT = "/usr/sbin/dovecot"

    @staticmethod
    def missing():
        """Why this cannot run here, or None."""
        if not os.path.exists(Dovecot.DOVECOT):
            return "dovecot is not installed (apt-get install dovecot-imapd)"
        if os.geteuid() != 0:
            return "a Dovecot instance needs root"
        return None

    def __init__(self, root, maildir, user, password, certs,
                 owner="nobody"):
        import pwd
        import time
        pw = pwd.getpwnam(owner)
        self.root = root
        self.log = os.path.join(root, "dovecot.log")
        for d in ("run", "state", "home"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        os.chown(os.path.join(root, "home"), pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        users = os.path.join(root, "users")
        with open(users, "w") as f:
            f.write("%s:{PLAIN}%s::::::\n" % (user, password))
        conf = os.path.join(root, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(DOVECOT_CONF % {
                "root": root, "maildir": maildir, "port": self.port,
                "cert": os.path.join(certs, "server.pem"),
                "key": os.path.join(certs, "server.key"),
                "users": users, "uid": pw.pw_uid, "gid": pw.pw_gid})
        self.p = subprocess.Popen([self.DOVECOT, "-c", conf, "-F"],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                import socket
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                if self.p.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("dovecot did not start: %s" % self.text())

    def text(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


DOVECOT_CONF = """\
base_dir = %(root)s/run
state_dir = %(root)s/state
log_path = %(root)s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <%(cert)s
ssl_key = <%(key)s
first_valid_uid = 1
auth_mechanisms = plain
auth_verbose = yes
mail_location = maildir:%(maildir)s
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %(port)d
    ssl = yes
  }
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = %(users)s
}
userdb {
  driver = static
  args = uid=%(uid)d gid=%(gid)d home=%(root)s/home
}
"""

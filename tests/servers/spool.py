"""Shared by the test SMTP servers: the spool directory and the event log.

Layout of --spool DIR:
    DIR/events.jsonl   one JSON object a line, appended and flushed as it
                       happens: {"t": unix time (float), "conn": n,
                       "event": name, ...fields}
    DIR/NNNNNN-<rcpt>.eml  one file per (recipient, accepted message), the
                       message exactly as received after dot-unstuffing
                       (CRLF line ends kept), NNNNNN a global sequence from 1

Events: connect, disconnect, greeting (code), ehlo (name), helo (name),
starttls, auth (mechanism, user, ok), mail (from, params), rcpt (to, code),
data (size, code), message (to, file), fault (kind, ...), reset, quit.
Passwords are never logged.
"""

import json
import os
import re
import time


class Spool:
    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.log = open(os.path.join(path, "events.jsonl"), "a",
                        encoding="utf-8")
        self.seq = 0
        self.conns = 0

    def new_conn(self):
        self.conns += 1
        return self.conns

    def event(self, conn, name, /, **fields):
        rec = {"t": time.time(), "conn": conn, "event": name}
        rec.update(fields)
        self.log.write(json.dumps(rec, sort_keys=True) + "\n")
        self.log.flush()

    def store(self, conn, rcpts, content):
        """Write one .eml per recipient; return the file names."""
        names = []
        for rcpt in rcpts:
            self.seq += 1
            safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", rcpt)
            name = "%06d-%s.eml" % (self.seq, safe)
            tmp = os.path.join(self.path, "." + name + ".tmp")
            with open(tmp, "wb") as f:
                f.write(content)
            os.rename(tmp, os.path.join(self.path, name))
            self.event(conn, "message", to=rcpt, file=name,
                       size=len(content))
            names.append(name)
        return names

    def close(self):
        self.log.close()

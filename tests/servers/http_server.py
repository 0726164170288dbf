#!/usr/bin/python3
"""A local HTTP server for arctic-digest tests (Python stdlib only).

Usage:
    /usr/bin/python3 tests/servers/http_server.py [--root DIR] [--delay-ms N]
        [--slow-seconds S] [--huge-bytes N] [--host 127.0.0.1] [--port 0]

It listens on 127.0.0.1 with an OS-chosen port (unless --port is given),
prints the port number alone on the first line of stdout, then serves until
it is killed (SIGTERM or SIGINT).  Every request is counted; GET /_stats
returns the counters as JSON, GET /_reset zeroes them (and the /429 state).

Files under --root are served first (GET /a/b.xml -> DIR/a/b.xml, and
GET /a/b -> DIR/a/b.json when there is no DIR/a/b, as a Crossref
/works/{DOI} answer is kept), with an ETag and Last-Modified derived from the file and a 304 to a matching
If-None-Match or If-Modified-Since; --delay-ms N (or ?delay_ms=N on the
URL) delays such answers.  Then the built-in routes:

    /feed.xml        RSS 2.0 feed; ETag "feed-v1", Last-Modified; 304 on match
    /gzip            the same feed with Content-Encoding: gzip
    /redirect        302 to /feed.xml
    /loop            302 to /loop (a redirect loop)
    /500             500 Internal Server Error
    /slow            answers after --slow-seconds (default 5)
    /huge            --huge-bytes (default 14 MiB) with no Content-Length
    /html            an HTML page (not a feed)
    /429             429 with Retry-After: 1 the first time, then the feed
    /503             503 with Date and an HTTP-date Retry-After 120 s later
    /sleep?ms=N      answers after N ms (at most 10000)
    /500/..., /slow/..., /html/...
                     the same as /500, /slow and /html under any path (a
                     base URL such as crossref_api = http://.../500 whose
                     every request fails, hangs or is not JSON)
    /crossref/works  Crossref-style paged JSON (also any /crossref/.../works,
                     e.g. /crossref/journals/2154-896X/works): cursor "*" ->
                     2 items and next-cursor "page2", "page2" -> 2 more,
                     "page3" -> no items; another cursor -> 400
    /_stats          the counters (below)
    /_reset          zero the counters

/_stats answers:
    {"requests": {"/feed.xml": 2, ...},        # by path, query excluded
     "statuses": {"/feed.xml": [200, 304], ...},# each answer's status, in order
     "max_inflight": 2,                        # most requests open at once
     "max_inflight_by_path": {"/sleep": 2, ...},
     "last_headers": {"/feed.xml": {"User-Agent": "...", ...}, ...},
     "last_query": {"/crossref/works": {"cursor": "*", ...}, ...}}
"""

import argparse
import email.utils
import gzip
import hashlib
import json
import os
import posixpath
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FEED_MTIME = 1753176600  # Tue, 22 Jul 2025 09:30:00 GMT
FEED_ETAG = '"feed-v1"'

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Local Test Feed</title>
<link>http://127.0.0.1/</link>
<description>Served by tests/servers/http_server.py</description>
<item>
<title>Svalbard and the Arctic Council after 2025</title>
<link>http://127.0.0.1/articles/svalbard</link>
<guid isPermaLink="false">local-1</guid>
<dc:creator>Ingrid Nilsen</dc:creator>
<pubDate>Tue, 22 Jul 2025 09:30:00 +0200</pubDate>
<description>Governance of the High North under pressure.</description>
</item>
<item>
<title>Icebreakers on the Northern Sea Route</title>
<link>http://127.0.0.1/articles/nsr</link>
<guid isPermaLink="false">local-2</guid>
<dc:creator>Pavel Orlov</dc:creator>
<pubDate>Mon, 21 Jul 2025 08:00:00 +0000</pubDate>
<description>Russia's fleet and China's polar silk road.</description>
</item>
</channel>
</rss>
""".encode()

HTML = b"""<!DOCTYPE html>
<html><head><title>Arctic Institute</title></head>
<body><h1>Welcome</h1><p>This is a web page, not a feed.</p></body></html>
"""


def crossref_item(n):
    return {
        "DOI": "10.5555/local.%d" % n,
        "URL": "https://doi.org/10.5555/local.%d" % n,
        "type": "journal-article",
        "title": ["Arctic governance paper %d" % n],
        "container-title": ["The Polar Journal"],
        "author": [
            {"given": "Ingrid", "family": "Nilsen", "sequence": "first"},
            {"name": "Arctic Council Secretariat", "sequence": "additional"},
        ],
        "published-online": {"date-parts": [[2025, 7, n]]},
        "abstract": "<jats:title>Abstract</jats:title>"
        "<jats:p>Paper %d on the <jats:italic>High North</jats:italic>.</jats:p>" % n,
        "subject": ["Political Science"],
    }


CROSSREF_PAGES = {
    "*": ([crossref_item(1), crossref_item(2)], "page2"),
    "page2": ([crossref_item(3), crossref_item(4)], "page3"),
    "page3": ([], "page4"),
}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.inflight = 0
        self.inflight_by_path = {}
        self.reset()

    def reset(self):
        # Requests still in flight (a /slow one) keep their count.
        self.requests = {}
        self.statuses = {}
        self.max_inflight = 0
        self.max_inflight_by_path = {}
        self.last_headers = {}
        self.last_query = {}
        self.seen_429 = False

    def enter(self, path, headers, query):
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            n = self.inflight_by_path.get(path, 0) + 1
            self.inflight_by_path[path] = n
            self.max_inflight_by_path[path] = max(
                self.max_inflight_by_path.get(path, 0), n)
            self.last_headers[path] = dict(headers.items())
            self.last_query[path] = query

    def leave(self, path, status):
        with self.lock:
            self.inflight -= 1
            self.inflight_by_path[path] = self.inflight_by_path.get(path, 1) - 1
            self.statuses.setdefault(path, []).append(status)

    def snapshot(self):
        with self.lock:
            return {
                "requests": dict(self.requests),
                "statuses": {k: list(v) for k, v in self.statuses.items()},
                "max_inflight": self.max_inflight,
                "max_inflight_by_path": dict(self.max_inflight_by_path),
                "last_headers": dict(self.last_headers),
                "last_query": dict(self.last_query),
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "arctic-digest-test/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    # -- helpers ---------------------------------------------------------
    def send(self, status, body=b"", ctype="text/plain; charset=utf-8",
             headers=()):
        self.status = status
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(body)

    def not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims is not None:
            try:
                t = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return int(mtime) <= t
        return False

    def validated(self, body, etag, mtime, ctype, extra=()):
        headers = [("ETag", etag),
                   ("Last-Modified", email.utils.formatdate(mtime, usegmt=True))]
        if self.not_modified(etag, mtime):
            self.send(304, headers=headers)
        else:
            self.send(200, body, ctype, headers + list(extra))

    # -- dispatch --------------------------------------------------------
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        state = self.server.state
        if path in ("/_stats", "/_reset"):
            if path == "/_reset":
                with state.lock:
                    state.reset()
            body = json.dumps(state.snapshot(), sort_keys=True).encode()
            self.send(200, body, "application/json")
            return
        self.status = 0
        state.enter(path, self.headers, query)
        try:
            if not self.serve_file(path, query):
                self.route(path, query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            state.leave(path, self.status)

    do_HEAD = do_GET

    def serve_file(self, path, query):
        root = self.server.root
        if root is None:
            return False
        rel = posixpath.normpath(urllib.parse.unquote(path)).lstrip("/")
        if rel.startswith("..") or rel in ("", "."):
            return False
        full = os.path.join(root, rel)
        if not os.path.isfile(full):
            full += ".json"
        if not os.path.isfile(full):
            return False
        delay = int(query.get("delay_ms", self.server.delay_ms))
        time.sleep(min(delay, 10000) / 1000)
        st = os.stat(full)
        with open(full, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        self.validated(body, etag, int(st.st_mtime), guess_type(full))
        return True

    def route(self, path, query):
        handler = ROUTES.get(path)
        prefix = "/" + path.split("/")[1] if path.count("/") > 1 else None
        if handler is None and prefix in ("/500", "/slow", "/html"):
            handler = ROUTES[prefix]
        if handler is None and path.startswith("/crossref/") \
                and path.endswith("/works"):
            handler = Handler.r_crossref
        if handler is None:
            self.send(404, b"not found\n")
        else:
            handler(self, query)

    # -- routes ----------------------------------------------------------
    def r_feed(self, query):
        self.validated(FEED, FEED_ETAG, FEED_MTIME,
                       "application/rss+xml; charset=utf-8")

    def r_gzip(self, query):
        self.send(200, gzip.compress(FEED, mtime=0),
                  "application/rss+xml; charset=utf-8",
                  [("Content-Encoding", "gzip")])

    def r_redirect(self, query):
        self.send(302, b"", headers=[("Location", "/feed.xml")])

    def r_loop(self, query):
        self.send(302, b"", headers=[("Location", "/loop")])

    def r_500(self, query):
        self.send(500, b"internal error\n")

    def r_slow(self, query):
        time.sleep(self.server.slow_seconds)
        self.send(200, FEED, "application/rss+xml")

    def r_sleep(self, query):
        time.sleep(min(int(query.get("ms", "300")), 10000) / 1000)
        self.send(200, b"slept\n")

    def r_huge(self, query):
        self.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"<!-- " + b"x" * 65526 + b" -->\n"
        left = self.server.huge_bytes
        while left > 0:
            part = chunk[:left]
            self.wfile.write(part)
            left -= len(part)

    def r_503(self, query):
        # Fixed Date so the HTTP-date Retry-After is exactly 120 s later.
        self.status = 503
        self.send_response_only(503)
        self.send_header("Date", "Tue, 22 Jul 2025 09:30:00 GMT")
        self.send_header("Retry-After", "Tue, 22 Jul 2025 09:32:00 GMT")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "12")
        self.end_headers()
        self.wfile.write(b"maintenance\n")

    def r_html(self, query):
        self.send(200, HTML, "text/html; charset=utf-8")

    def r_429(self, query):
        state = self.server.state
        with state.lock:
            first = not state.seen_429
            state.seen_429 = True
        if first:
            self.send(429, b"slow down\n", headers=[("Retry-After", "1")])
        else:
            self.r_feed(query)

    def r_crossref(self, query):
        page = CROSSREF_PAGES.get(query.get("cursor", ""))
        if page is None:
            self.send(400, b'{"status":"failed"}', "application/json")
            return
        items, nxt = page
        body = {"status": "ok", "message-type": "work-list",
                "message-version": "1.0.0",
                "message": {"total-results": 4, "items-per-page": 2,
                            "next-cursor": nxt, "items": items}}
        self.send(200, json.dumps(body).encode(), "application/json")


ROUTES = {
    "/feed.xml": Handler.r_feed,
    "/gzip": Handler.r_gzip,
    "/redirect": Handler.r_redirect,
    "/loop": Handler.r_loop,
    "/500": Handler.r_500,
    "/slow": Handler.r_slow,
    "/sleep": Handler.r_sleep,
    "/huge": Handler.r_huge,
    "/html": Handler.r_html,
    "/429": Handler.r_429,
    "/503": Handler.r_503,
    "/crossref/works": Handler.r_crossref,
}


def guess_type(path):
    ext = os.path.splitext(path)[1].lower()
    return {
        ".xml": "application/xml",
        ".rss": "application/rss+xml",
        ".rdf": "application/rdf+xml",
        ".atom": "application/atom+xml",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
        ".gz": "application/gzip",
    }.get(ext, "application/octet-stream")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--root", help="serve files from this directory")
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="delay answers for files under --root")
    ap.add_argument("--slow-seconds", type=float, default=5.0)
    ap.add_argument("--huge-bytes", type=int, default=14 << 20)
    args = ap.parse_args()

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State()
    server.root = os.path.abspath(args.root) if args.root else None
    server.delay_ms = args.delay_ms
    server.slow_seconds = min(args.slow_seconds, 60.0)
    server.huge_bytes = args.huge_bytes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

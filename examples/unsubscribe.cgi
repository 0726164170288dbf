#!/usr/bin/python3
"""unsubscribe.cgi: the web end of arctic-digest's unsubscribe links.

Each digest carries a per-subscriber link, [digest] unsubscribe_url plus
"?token=TOKEN", in its footer and in the List-Unsubscribe header, with
List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).

  GET  ?token=TOKEN   shows a page with a button that confirms (a GET never
                      unsubscribes: link scanners and previews fetch links)
  POST ?token=TOKEN   unsubscribes; the body is "List-Unsubscribe=One-Click"
                      when a mail client does it (RFC 8058) or comes from the
                      confirm button

It runs  arctic-digest -c CONF subscribers unsubscribe --token -  and hands
the token on standard input: no shell, and the token never appears on a
command line.  A forged or altered token (exit 65) gets "400 Bad Request".
It always answers with an HTTP status and a short page, never a traceback:
a missing or broken arctic-digest gets "500 Internal Server Error", one
that fails or takes longer than TIMEOUT seconds "503 Service Unavailable"
(the reason goes to the server's error log), a bad CONTENT_LENGTH "400 Bad
Request".  It reads at most MAX_BODY bytes of a request body.

Install:
 1. Copy this file (installed as lib/arctic-digest/unsubscribe.cgi, e.g.
    /usr/lib/arctic-digest/unsubscribe.cgi from the Debian package, with
    the installed program as its default) into a CGI folder (Apache:
    ScriptAlias, or nginx with fcgiwrap) as, say,
    /usr/lib/cgi-bin/arctic-digest-unsubscribe and make it executable
    (chmod 755).
 2. Tell it where things are, in the web server's configuration (Apache:
    SetEnv ARCTIC_DIGEST_BIN /usr/local/bin/arctic-digest and SetEnv
    ARCTIC_DIGEST_CONF /srv/digest/arctic-digest.conf) or by editing the
    defaults below (ARCTIC_DIGEST_TIMEOUT, in seconds, 60 by default,
    bounds how long one unsubscribe may take).
 3. The user the CGI runs as must be able to write the subscriber list's
    folder (the lock file, the temporary file and the rename all happen
    there) and read [digest] unsubscribe_secret_file, which must be mode
    0600 and owned by that user.  The simplest setup runs the CGI as the
    user that owns the digest's files (Apache suexec, or a separate
    fcgiwrap instance running as that user).
 4. Set [digest] unsubscribe_url to the script's https URL.
 5. Test it:  arctic-digest subscribers token you@example.org  prints a
    token; open https://.../arctic-digest-unsubscribe?token=THAT.
"""
import html
import os
import re
import subprocess
import sys
import urllib.parse

BIN = os.environ.get("ARCTIC_DIGEST_BIN", "/usr/local/bin/arctic-digest")
CONF = os.environ.get("ARCTIC_DIGEST_CONF", "/etc/arctic-digest/arctic-digest.conf")
TITLE = os.environ.get("ARCTIC_DIGEST_TITLE", "Arctic Digest")

TOKEN_RE = re.compile(r"\A[A-Za-z0-9_-]{1,1000}\.[A-Za-z0-9_-]{1,100}\Z")

def seconds(text, default):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return default
    return value if 0 < value <= 3600 else default


# Seconds arctic-digest may take (it waits for the list's lock).
TIMEOUT = seconds(os.environ.get("ARCTIC_DIGEST_TIMEOUT"), 60)
MAX_BODY = 4096  # bytes of a POST body read, at most ("List-Unsubscribe=One-Click")

BAD_LINK = ("<p>This unsubscribe link is not valid. Please copy the whole "
            "link from the message.</p>")
TRY_LATER = ("<p>Sorry, that did not work. Please try again later or reply "
             "to the message.</p>")


def respond(status, body):
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width\">"
            "<title>%s</title></head>\n<body>\n%s\n</body></html>\n"
            % (html.escape(TITLE), body))
    data = page.encode("utf-8")
    sys.stdout.buffer.write(("Status: %s\r\nContent-Type: text/html; "
                             "charset=utf-8\r\nContent-Length: %d\r\n"
                             "Cache-Control: no-store\r\n\r\n"
                             % (status, len(data))).encode("ascii"))
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def token_from_query():
    query = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""))
    values = query.get("token") or query.get("t") or [""]
    return values[0]


def log(msg):
    """One line for the web server's error log."""
    try:
        sys.stderr.write("unsubscribe.cgi: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


def unsubscribe(token):
    """arctic-digest's exit code; None when it could not run (log says why)."""
    try:
        run = subprocess.run([BIN, "-q", "-c", CONF, "subscribers",
                              "unsubscribe", "--token", "-"],
                             input=(token + "\n").encode("ascii"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        log("arctic-digest took longer than %g s: stopped" % TIMEOUT)
        return 75
    except OSError as e:
        log("cannot run %s (ARCTIC_DIGEST_BIN): %s" % (BIN, e.strerror or e))
        return None
    if run.returncode != 0:
        log("arctic-digest exited %d: %s"
            % (run.returncode, run.stderr.decode("utf-8", "replace").strip()))
    return run.returncode


def read_body():
    """Read and drop the request body, at most MAX_BODY bytes; False when
    CONTENT_LENGTH is not a length (ASCII digits only: str.isdigit() alone
    takes "²", which int() refuses, and "١٢", which int() reads as 12)."""
    text = os.environ.get("CONTENT_LENGTH", "").strip() or "0"
    if not (text.isascii() and text.isdigit()):
        return False
    length = min(int(text), MAX_BODY)
    while length > 0:
        chunk = sys.stdin.buffer.read(length)
        if not chunk:
            break
        length -= len(chunk)
    return True


def serve():
    method = os.environ.get("REQUEST_METHOD", "GET").upper()
    token = token_from_query()
    if not TOKEN_RE.match(token):
        respond("400 Bad Request", BAD_LINK)
        return
    if method == "POST":
        if not read_body():  # "List-Unsubscribe=One-Click"
            respond("400 Bad Request", "<p>Bad request.</p>")
            return
        code = unsubscribe(token)
        if code == 0:
            respond("200 OK", "<p>You are unsubscribed from %s. You will not "
                    "receive it again.</p>" % html.escape(TITLE))
        elif code == 65:
            respond("400 Bad Request", BAD_LINK)
        elif code is None:
            respond("500 Internal Server Error", TRY_LATER)
        else:
            respond("503 Service Unavailable", TRY_LATER)
        return
    if method in ("GET", "HEAD"):
        action = "?token=" + urllib.parse.quote(token, safe="")
        respond("200 OK", "<h1>%s</h1>\n<p>Unsubscribe from %s?</p>\n"
                "<form method=\"post\" action=\"%s\">\n"
                "<input type=\"hidden\" name=\"List-Unsubscribe\" "
                "value=\"One-Click\">\n"
                "<button type=\"submit\">Unsubscribe</button>\n</form>"
                % (html.escape(TITLE), html.escape(TITLE),
                   html.escape(action, quote=True)))
        return
    respond("405 Method Not Allowed", "<p>Use GET or POST.</p>")


def main():
    try:
        serve()
    except Exception as e:  # an answer, never a traceback for the visitor
        log("internal error: %s: %s" % (type(e).__name__, e))
        try:
            respond("500 Internal Server Error", TRY_LATER)
        except Exception:
            pass


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""subscribe.cgi: the web end of arctic-digest's sign-up with double opt-in.

  GET                 shows the sign-up form (address, optional name)
  POST                signs up: runs  arctic-digest subscribers subscribe,
                      which records the address as pending and mails it a
                      link to this page with a signed token
  GET  ?token=TOKEN   shows a page with a button that confirms (a GET never
                      confirms: link scanners and previews fetch links, and
                      a scanner must not subscribe anybody)
  POST ?token=TOKEN   confirms: runs  arctic-digest subscribers confirm
                      --token -  with the token on standard input

No shell is involved.  The address goes on the command line after "--",
so it can never be taken for an option; the token never appears on a
command line.  The page never says whether an address was on the list
already: a sign-up of an active address changes nothing and sends nothing,
yet gets the same answer.  A forged, altered or expired token (exit 65)
gets "400 Bad Request", an address the program refuses too.  It always
answers with an HTTP status and a short page, never a traceback: a missing
or broken arctic-digest gets "500 Internal Server Error", one that fails or
takes longer than TIMEOUT seconds "503 Service Unavailable" (so does a
second sign-up of one address within a day, which arctic-digest refuses:
exit 75), with the reason in the server's error log; a bad CONTENT_LENGTH
gets "400 Bad Request".  It reads at most MAX_BODY bytes of a request
body.  Everything it shows that came from the visitor is HTML-escaped.

Install (as examples/unsubscribe.cgi, whose notes apply here too):
 1. Copy this file into a CGI folder as, say,
    /usr/lib/cgi-bin/arctic-digest-subscribe and make it executable
    (chmod 755).
 2. Set ARCTIC_DIGEST_BIN and ARCTIC_DIGEST_CONF in the web server's
    configuration (Apache: SetEnv), or edit the defaults below;
    ARCTIC_DIGEST_TITLE names the digest on the pages and
    ARCTIC_DIGEST_TIMEOUT (seconds, 60 by default) bounds one call.
 3. The user the CGI runs as must be able to write the subscriber list's
    folder, read [digest] unsubscribe_secret_file (mode 0600, owned by
    that user; 'arctic-digest send' creates it) and send mail as 'send'
    does ([smtp] url and its password).
 4. Set [digest] subscribe_url to the script's https URL: the
    confirmation links point there.  [digest] confirm_days says how long
    they work (7 days by default); 'arctic-digest run' drops sign-ups not
    confirmed by then.
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
# A first sieve only; arctic-digest applies the real rule (exit 65).
ADDR_RE = re.compile(r"\A[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
                     r"@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+\Z")
CONTROLS_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_NAME = 200  # characters of a name kept


def seconds(text, default):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return default
    return value if 0 < value <= 3600 else default


# Seconds arctic-digest may take (it waits for the list's lock, and sends).
TIMEOUT = seconds(os.environ.get("ARCTIC_DIGEST_TIMEOUT"), 60)
MAX_BODY = 4096  # bytes of a POST body read, at most

BAD_LINK = ("<p>This confirmation link is not valid or has expired. Please "
            "copy the whole link from the message, or <a href=\"?\">sign up "
            "again</a>.</p>")
TRY_LATER = ("<p>Sorry, that did not work. Please try again later.</p>")


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


def log(msg):
    """One line for the web server's error log."""
    try:
        sys.stderr.write("subscribe.cgi: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


def token_from_query():
    query = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""))
    values = query.get("token") or [""]
    return values[0]


def run(args, stdin=b""):
    """arctic-digest's exit code; None when it could not run (log says why)."""
    try:
        r = subprocess.run([BIN, "-q", "-c", CONF, "subscribers"] + args,
                           input=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        log("arctic-digest took longer than %g s: stopped" % TIMEOUT)
        return 75
    except OSError as e:
        log("cannot run %s (ARCTIC_DIGEST_BIN): %s" % (BIN, e.strerror or e))
        return None
    if r.returncode != 0:
        log("arctic-digest exited %d: %s"
            % (r.returncode, r.stderr.decode("utf-8", "replace").strip()))
    return r.returncode


def read_body():
    """The request body, at most MAX_BODY bytes; None when CONTENT_LENGTH
    is not a length (ASCII digits only: str.isdigit() alone takes "²")."""
    text = os.environ.get("CONTENT_LENGTH", "").strip() or "0"
    if not (text.isascii() and text.isdigit()):
        return None
    length = min(int(text), MAX_BODY)
    chunks = []
    while length > 0:
        chunk = sys.stdin.buffer.read(length)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
    return b"".join(chunks)


def form(message=""):
    return ("<h1>%s</h1>\n%s<form method=\"post\" action=\"?\">\n"
            "<p><label>E-mail address<br><input type=\"email\" name=\"email\" "
            "required maxlength=\"254\" autocomplete=\"email\"></label></p>\n"
            "<p><label>Name (optional)<br><input type=\"text\" name=\"name\" "
            "maxlength=\"%d\" autocomplete=\"name\"></label></p>\n"
            "<button type=\"submit\">Subscribe</button>\n</form>\n"
            "<p>We will send you a link to confirm.</p>"
            % (html.escape(TITLE), message, MAX_NAME))


def sign_up(body):
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    addr = (fields.get("email") or [""])[0].strip()
    name = CONTROLS_RE.sub(" ", (fields.get("name") or [""])[0])
    name = " ".join(name.split())[:MAX_NAME]
    if not ADDR_RE.match(addr) or len(addr) > 254:
        respond("400 Bad Request", form("<p>Please enter an e-mail address "
                                        "such as name@example.org.</p>\n"))
        return
    args = ["subscribe"] + (["--name", name] if name else []) + ["--", addr]
    code = run(args)
    shown = html.escape(addr)
    if code == 0:
        respond("200 OK", "<h1>%s</h1>\n<p>Thank you. If %s can be signed "
                "up, a message with a confirmation link is on its way to it: "
                "open the link to confirm. Nothing is sent to you until you "
                "do.</p>" % (html.escape(TITLE), shown))
    elif code == 65:
        respond("400 Bad Request", form("<p>%s cannot be signed up here. "
                                        "Please check the address.</p>\n"
                                        % shown))
    elif code == 75:
        respond("503 Service Unavailable", "<p>A confirmation link may "
                "have been sent to %s in the last day: please look for it, "
                "or try again tomorrow.</p>" % shown)
    elif code is None:
        respond("500 Internal Server Error", TRY_LATER)
    else:
        respond("503 Service Unavailable", TRY_LATER)


def confirm(token):
    code = run(["confirm", "--token", "-"], (token + "\n").encode("ascii"))
    if code == 0:
        respond("200 OK", "<h1>%s</h1>\n<p>You are subscribed. The next "
                "issue will come to you.</p>" % html.escape(TITLE))
    elif code == 65:
        respond("400 Bad Request", BAD_LINK)
    elif code is None:
        respond("500 Internal Server Error", TRY_LATER)
    else:
        respond("503 Service Unavailable", TRY_LATER)


def serve():
    method = os.environ.get("REQUEST_METHOD", "GET").upper()
    token = token_from_query()
    if method not in ("GET", "HEAD", "POST"):
        respond("405 Method Not Allowed", "<p>Use GET or POST.</p>")
        return
    if token and not TOKEN_RE.match(token):
        respond("400 Bad Request", BAD_LINK)
        return
    if method == "POST":
        body = read_body()
        if body is None:
            respond("400 Bad Request", "<p>Bad request.</p>")
        elif token:
            confirm(token)
        else:
            sign_up(body)
        return
    if token:
        action = "?token=" + urllib.parse.quote(token, safe="")
        respond("200 OK", "<h1>%s</h1>\n<p>Confirm your subscription to "
                "%s?</p>\n<form method=\"post\" action=\"%s\">\n"
                "<button type=\"submit\">Confirm</button>\n</form>"
                % (html.escape(TITLE), html.escape(TITLE),
                   html.escape(action, quote=True)))
        return
    respond("200 OK", form())


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

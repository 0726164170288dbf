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

Install:
 1. Copy this file into a CGI folder (Apache: ScriptAlias, or nginx with
    fcgiwrap) as, say, /usr/lib/cgi-bin/arctic-digest-unsubscribe and
    make it executable (chmod 755).
 2. Tell it where things are, in the web server's configuration (Apache:
    SetEnv ARCTIC_DIGEST_BIN /usr/local/bin/arctic-digest and SetEnv
    ARCTIC_DIGEST_CONF /srv/digest/arctic-digest.conf) or by editing the
    defaults below.
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


def unsubscribe(token):
    run = subprocess.run([BIN, "-q", "-c", CONF, "subscribers", "unsubscribe",
                          "--token", "-"],
                         input=(token + "\n").encode("ascii"),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         timeout=60)
    if run.returncode != 0:
        sys.stderr.write("unsubscribe.cgi: arctic-digest exited %d: %s\n"
                         % (run.returncode,
                            run.stderr.decode("utf-8", "replace").strip()))
    return run.returncode


def main():
    method = os.environ.get("REQUEST_METHOD", "GET").upper()
    token = token_from_query()
    if not TOKEN_RE.match(token):
        respond("400 Bad Request", "<p>This unsubscribe link is not valid. "
                "Please copy the whole link from the message.</p>")
        return
    if method == "POST":
        try:
            length = min(int(os.environ.get("CONTENT_LENGTH") or 0), 4096)
        except ValueError:
            length = 0
        sys.stdin.buffer.read(length)  # "List-Unsubscribe=One-Click"
        code = unsubscribe(token)
        if code == 0:
            respond("200 OK", "<p>You are unsubscribed from %s. You will not "
                    "receive it again.</p>" % html.escape(TITLE))
        elif code == 65:
            respond("400 Bad Request", "<p>This unsubscribe link is not "
                    "valid. Please copy the whole link from the message.</p>")
        else:
            respond("503 Service Unavailable", "<p>Sorry, that did not work. "
                    "Please try again later or reply to the message.</p>")
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


if __name__ == "__main__":
    main()

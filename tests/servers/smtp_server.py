#!/usr/bin/python3
"""A well-behaved SMTP server for tests: aiosmtpd with STARTTLS and AUTH.

Usage: smtp_server.py --spool DIR [--starttls CERT KEY] [--require-starttls]
                      [--smtps CERT KEY] [--auth USER PASSWORD]
                      [--auth-mechs PLAIN,LOGIN] [--no-starttls]

Listens on 127.0.0.1, port chosen by the OS, printed alone on the first
line of stdout.  Stops on SIGTERM or SIGINT.  Spool layout and event log:
see spool.py.

  --starttls CERT KEY   offer STARTTLS with this certificate and key
  --require-starttls    refuse MAIL and AUTH before STARTTLS
  --smtps CERT KEY      implicit TLS on the listening socket (smtps://)
  --auth USER PASSWORD  offer AUTH; only this user and password succeed.
                        AUTH is offered only over TLS unless --auth-plaintext
  --auth-mechs LIST     mechanisms to offer (default PLAIN,LOGIN)
  --auth-plaintext      allow AUTH without TLS (to test that a client does
                        not use it)
  --no-starttls         never offer STARTTLS (the default without --starttls)
"""

import argparse
import asyncio
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from spool import Spool

ALL_MECHS = {"PLAIN", "LOGIN", "CRAM-MD5"}


class Handler:
    def __init__(self, spool):
        self.spool = spool

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        self.spool.event(server.conn, "ehlo", name=hostname)
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        self.spool.event(server.conn, "helo", name=hostname)
        return "250 {}".format(server.hostname)

    def handle_STARTTLS(self, server, session, envelope):
        self.spool.event(server.conn, "starttls")
        return True

    async def handle_MAIL(self, server, session, envelope, address, options):
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        self.spool.event(server.conn, "mail",
                         **{"from": address, "params": " ".join(options)})
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        envelope.rcpt_tos.append(address)
        self.spool.event(server.conn, "rcpt", to=address, code=250)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        self.spool.event(server.conn, "reset")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content
        self.spool.event(server.conn, "data", size=len(content), code=250)
        self.spool.store(server.conn, envelope.rcpt_tos, content)
        return "250 2.0.0 queued"


class LoggingSMTP(SMTP):
    """Adds connect/disconnect/auth events and a connection number."""

    def __init__(self, handler, spool, **kw):
        self.spool = spool
        self.conn = 0
        super().__init__(handler, **kw)

    def connection_made(self, transport):
        if self.conn == 0:
            self.conn = self.spool.new_conn()
            self.spool.event(self.conn, "connect")
            self.spool.event(self.conn, "greeting", code=220)
        super().connection_made(transport)

    def connection_lost(self, error):
        self.spool.event(self.conn, "disconnect")
        super().connection_lost(error)


def make_authenticator(spool, user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = False
        login = None
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            ok = (login == user
                  and auth_data.password.decode("utf-8", "replace")
                  == password)
        spool.event(server.conn, "auth", mechanism=mechanism, user=login,
                    ok=ok, tls=session.ssl is not None)
        return AuthResult(success=ok, handled=False)
    return authenticate


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


async def main(a):
    spool = Spool(a.spool)
    kw = {"decode_data": False, "hostname": "aiosmtpd.test"}
    if a.starttls and not a.no_starttls:
        kw["tls_context"] = tls_context(*a.starttls)
        kw["require_starttls"] = a.require_starttls
    if a.auth:
        mechs = set(m.strip().upper() for m in a.auth_mechs.split(","))
        kw["authenticator"] = make_authenticator(spool, *a.auth)
        kw["auth_exclude_mechanism"] = list(ALL_MECHS - mechs)
        kw["auth_require_tls"] = not a.auth_plaintext
    handler = Handler(spool)
    listen_ssl = tls_context(*a.smtps) if a.smtps else None
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: LoggingSMTP(handler, spool, **kw), "127.0.0.1", 0,
        ssl=listen_ssl)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    spool.close()


def parse_args(argv):
    p = argparse.ArgumentParser(description="aiosmtpd test server")
    p.add_argument("--spool", required=True)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    p.add_argument("--auth-mechs", default="PLAIN,LOGIN")
    p.add_argument("--auth-plaintext", action="store_true")
    p.add_argument("--no-starttls", action="store_true")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args(sys.argv[1:])))

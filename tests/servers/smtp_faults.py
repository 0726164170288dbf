#!/usr/bin/python3
"""A small SMTP server (asyncio, no aiosmtpd) that misbehaves on request.

Usage: smtp_faults.py --spool DIR [fault options]

Listens on 127.0.0.1, port chosen by the OS, printed alone on the first
line of stdout.  Stops on SIGTERM or SIGINT.  Speaks EHLO/HELO, MAIL, RCPT,
DATA (dot-unstuffing), RSET, NOOP, QUIT; no TLS, no AUTH.  Spool layout and
event log: see spool.py.

Faults (LIST is a comma-separated list of addresses):
  --greet-421            answer 421 at connect and close
  --r450 LIST            450 to RCPT for these recipients
  --r550 LIST            550 to RCPT for these recipients
  --r552 LIST            552 at the end of DATA for messages to these
  --drop LIST            drop the connection during DATA for these
  --drop-nth N           drop the connection during the Nth DATA (1-based,
                         counted over the server's life)
  --drop-after BYTES     how far into DATA a drop happens (default 100)
  --stall-at POINT       no reply for --stall-secs at POINT: connect, ehlo,
                         mail, rcpt, data (before 354), data-end (before the
                         final reply); then carry on
  --stall-secs S         default 5
  --stall-rcpt LIST      stall at mail/rcpt/data/data-end only for these
  --once                 each fault fires only on the first attempt for a
                         recipient (connection-level faults: first connection)
"""

import argparse
import asyncio
import signal
import sys

from spool import Spool


def addr_list(s):
    return set(a.strip().lower() for a in s.split(",") if a.strip())


def path_arg(arg):
    """'FROM:<a@b> SIZE=1' -> ('a@b', 'SIZE=1')"""
    _, _, rest = arg.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        addr, _, params = rest[1:].partition(">")
    else:
        addr, _, params = rest.partition(" ")
    return addr.strip(), params.strip()


class Faults:
    def __init__(self, a):
        self.a = a
        self.fired = set()
        self.data_count = 0

    def fire(self, kind, key):
        """Whether fault kind fires for key (a recipient or 'conn')."""
        if not self.a.once:
            return True
        if (kind, key) in self.fired:
            return False
        self.fired.add((kind, key))
        return True

    def stall_for(self, point, rcpts):
        a = self.a
        if a.stall_at != point:
            return False
        if a.stall_rcpt and point not in ("connect", "ehlo"):
            hit = [r for r in rcpts if r in a.stall_rcpt]
            return bool(hit) and self.fire("stall", hit[0])
        return self.fire("stall", "conn")


class Session:
    def __init__(self, server, reader, writer):
        self.s = server
        self.r = reader
        self.w = writer
        self.conn = server.spool.new_conn()
        self.mail_from = None
        self.rcpts = []

    def ev(self, name, /, **kw):
        self.s.spool.event(self.conn, name, **kw)

    async def reply(self, text):
        self.w.write(text.encode() + b"\r\n")
        await self.w.drain()

    async def stall(self, point):
        self.ev("fault", kind="stall", point=point, secs=self.s.a.stall_secs)
        await asyncio.sleep(self.s.a.stall_secs)

    async def run(self):
        a = self.s.a
        self.ev("connect")
        if self.s.faults.stall_for("connect", []):
            await self.stall("connect")
        if a.greet_421 and self.s.faults.fire("greet-421", "conn"):
            self.ev("fault", kind="greet-421")
            self.ev("greeting", code=421)
            await self.reply("421 4.3.2 fault.test too busy, try later")
            return
        self.ev("greeting", code=220)
        await self.reply("220 fault.test ESMTP fault injector")
        while True:
            line = await self.r.readline()
            if not line:
                return
            if not await self.command(line.decode("utf-8", "replace")
                                      .rstrip("\r\n")):
                return

    async def command(self, line):
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            self.ev("ehlo", name=arg)
            if self.s.faults.stall_for("ehlo", []):
                await self.stall("ehlo")
            await self.reply("250-fault.test\r\n250-8BITMIME\r\n"
                             "250 SIZE 104857600")
        elif verb == "HELO":
            self.ev("helo", name=arg)
            await self.reply("250 fault.test")
        elif verb == "MAIL":
            self.mail_from, params = path_arg(arg)
            self.rcpts = []
            self.ev("mail", **{"from": self.mail_from, "params": params})
            if self.s.faults.stall_for("mail", []):
                await self.stall("mail")
            await self.reply("250 2.1.0 ok")
        elif verb == "RCPT":
            await self.rcpt(arg)
        elif verb == "DATA":
            return await self.data()
        elif verb == "RSET":
            self.mail_from, self.rcpts = None, []
            self.ev("reset")
            await self.reply("250 2.0.0 ok")
        elif verb == "NOOP":
            await self.reply("250 2.0.0 ok")
        elif verb == "QUIT":
            self.ev("quit")
            await self.reply("221 2.0.0 bye")
            return False
        else:
            await self.reply("500 5.5.2 unknown command")
        return True

    async def rcpt(self, arg):
        a, f = self.s.a, self.s.faults
        to, _ = path_arg(arg)
        key = to.lower()
        if self.mail_from is None:
            await self.reply("503 5.5.1 need MAIL first")
            return
        if f.stall_for("rcpt", [key]):
            await self.stall("rcpt")
        if key in a.r450 and f.fire("r450", key):
            code, text = 450, "4.2.1 <%s>: mailbox busy, try again" % to
        elif key in a.r550 and f.fire("r550", key):
            code, text = 550, "5.1.1 <%s>: recipient unknown" % to
        else:
            code, text = 250, "2.1.5 ok"
            self.rcpts.append(to)
        self.ev("rcpt", to=to, code=code)
        await self.reply("%d %s" % (code, text))

    def wants_drop(self):
        a, f = self.s.a, self.s.faults
        if a.drop_nth and self.s.faults.data_count == a.drop_nth:
            return True
        hit = [r for r in self.rcpts if r.lower() in a.drop]
        return bool(hit) and f.fire("drop", hit[0].lower())

    async def data(self):
        f = self.s.faults
        keys = [r.lower() for r in self.rcpts]
        if not self.rcpts:
            await self.reply("503 5.5.1 need RCPT first")
            return True
        f.data_count += 1
        if f.stall_for("data", keys):
            await self.stall("data")
        drop = self.wants_drop()
        await self.reply("354 end data with <CR><LF>.<CR><LF>")
        lines, size = [], 0
        while True:
            line = await self.r.readline()
            if not line:
                self.ev("data", size=size, code=0, lost=True)
                return False
            size += len(line)
            if drop and size >= self.s.a.drop_after:
                self.ev("fault", kind="drop", after=size, to=self.rcpts)
                self.w.transport.abort()
                return False
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            lines.append(line)
        content = b"".join(lines)
        if f.stall_for("data-end", keys):
            await self.stall("data-end")
        big = [k for k in keys if k in self.s.a.r552]
        if big and f.fire("r552", big[0]):
            self.ev("data", size=len(content), code=552)
            await self.reply("552 5.3.4 message too big for <%s>" % big[0])
        else:
            self.ev("data", size=len(content), code=250)
            self.s.spool.store(self.conn, self.rcpts, content)
            await self.reply("250 2.0.0 queued")
        self.mail_from, self.rcpts = None, []
        return True


class Server:
    def __init__(self, a):
        self.a = a
        self.spool = Spool(a.spool)
        self.faults = Faults(a)

    async def handle(self, reader, writer):
        sess = Session(self, reader, writer)
        try:
            await sess.run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            sess.ev("disconnect")
            try:
                writer.close()
            except Exception:
                pass


async def main(a):
    srv = Server(a)
    server = await asyncio.start_server(srv.handle, "127.0.0.1", 0,
                                        limit=1 << 20)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    srv.spool.close()


def parse_args(argv):
    p = argparse.ArgumentParser(description="fault-injecting SMTP server")
    p.add_argument("--spool", required=True)
    p.add_argument("--greet-421", action="store_true")
    p.add_argument("--r450", type=addr_list, default=set())
    p.add_argument("--r550", type=addr_list, default=set())
    p.add_argument("--r552", type=addr_list, default=set())
    p.add_argument("--drop", type=addr_list, default=set())
    p.add_argument("--drop-nth", type=int, default=0)
    p.add_argument("--drop-after", type=int, default=100)
    p.add_argument("--stall-at", choices=["connect", "ehlo", "mail", "rcpt",
                                          "data", "data-end"])
    p.add_argument("--stall-secs", type=float, default=5.0)
    p.add_argument("--stall-rcpt", type=addr_list, default=set())
    p.add_argument("--once", action="store_true")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args(sys.argv[1:])))

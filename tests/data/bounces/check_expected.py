#!/usr/bin/python3
"""Sanity check of the bounce corpus: expected.tsv against the .eml files.

An oracle independent of the C parser, built only on Python's standard
`email` package:

* every .eml in this folder is listed in expected.tsv and every listed file
  exists;
* every row is well formed (kind, status, action from the allowed sets);
* a `dsn` row's file has a message/delivery-status part (outside any attached
  message/rfc822, which is the returned message and may hold an older DSN of
  its own), and its per-recipient blocks, in order, give exactly the rows of
  that file: the recipient is Original-Recipient when it is an rfc822
  address, else Final-Recipient; the action is the first word of Action; the
  status is the code at the start of Status, or, when a block has no Status,
  the first enhanced code in its Diagnostic-Code;
* an `arf` row's file has a message/feedback-report part whose
  Feedback-Type is a complaint (abuse, fraud, virus, other, opt-out), and the
  recipient is its Original-Rcpt-To (or the draft ARF's Removal-Recipient),
  else the To of the reported message;
* a `nonstandard` row's file has no top-level message/delivery-status part
  that names a recipient (else it would be a `dsn`), and its recipient (and
  its status, when the row does not say x.0.0) occurs in the message, raw or
  with its bodies' transfer encodings undone;
* a `notbounce` file has no delivery-status part and no complaint (a
  feedback report of type auth-failure, a DMARC failure report, is allowed),
  and its row has no recipient and no status.

Run: /usr/bin/python3 tests/data/bounces/check_expected.py
Exits 0 when everything agrees, 1 with one line per mismatch otherwise.
"""

import csv
import email
import email.policy
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ["file", "kind", "recipient", "status", "action"]
KINDS = {"dsn", "arf", "nonstandard", "notbounce"}
ACTIONS = {"failed", "delayed", "delivered", "relayed", "expanded", "complaint", "none"}
# Feedback-Type values that are a recipient's complaint or opt-out; an
# auth-failure report (RFC 6591, DMARC forensic) is not.
COMPLAINTS = {"abuse", "fraud", "virus", "other", "opt-out", "opt-out-list"}
STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
ENHANCED_RE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")

errors = []


def fail(msg):
    errors.append(msg)


def top_parts(msg):
    """Yield the parts of msg without descending into attached messages."""
    yield msg
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        for sub in msg.get_payload():
            yield from top_parts(sub)


def address_of(value):
    """'rfc822; <A@B>' -> ('rfc822', 'a@b'); a value without a type gives ''."""
    value = " ".join(str(value).split())
    kind = ""
    if ";" in value:
        kind, value = value.split(";", 1)
    value = value.strip().strip("<>").strip()
    return kind.strip().lower(), value.lower()


def dsn_rows(part):
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return None
    rows = []
    for block in blocks[1:]:
        if not block.keys():
            continue
        final = block.get("Final-Recipient")
        orig = block.get("Original-Recipient")
        if final is None and orig is None:
            continue
        recipient = ""
        if orig is not None:
            kind, addr = address_of(orig)
            if kind == "rfc822" and addr:
                recipient = addr
        if not recipient and final is not None:
            recipient = address_of(final)[1]
        action = str(block.get("Action", "")).strip().split()
        action = action[0].lower() if action else ""
        status = str(block.get("Status", "")).strip().split()
        status = status[0] if status else ""
        if not status:
            m = ENHANCED_RE.search(str(block.get("Diagnostic-Code", "")))
            status = m.group(1) if m else ""
        rows.append((recipient, status, action))
    return rows


def text_of(msg):
    """The bodies of the message, transfer encodings undone."""
    chunks = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            payload = str(part.get_payload()).encode("utf-8", "replace")
        chunks.append(payload.decode("utf-8", "replace"))
    return "\n".join(chunks)


def first_address(value):
    m = re.search(r"[^\s<>\"',;:]+@[^\s<>\"',;]+", str(value))
    return m.group(0).lower() if m else ""


def reported_recipient(msg):
    fields = None
    for part in top_parts(msg):
        if part.get_content_type() == "message/feedback-report":
            fields = part.get_payload()
            fields = fields[0] if isinstance(fields, list) and fields else None
            if fields is None:
                return None, None
            for name in ("Original-Rcpt-To", "Removal-Recipient"):
                rcpt = fields.get(name)
                if rcpt:
                    return fields, first_address(rcpt)
    for part in top_parts(msg):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if inner is not None and inner.get("To"):
                return fields, first_address(inner.get("To"))
        if ctype in ("text/rfc822-headers", "text/rfc822-header"):
            inner = email.message_from_string(str(part.get_payload()))
            if inner.get("To"):
                return fields, first_address(inner.get("To"))
    return fields, ""


def main():
    tsv = os.path.join(HERE, "expected.tsv")
    with open(tsv, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        table = list(reader)
    if not table or table[0] != HEADER:
        fail("expected.tsv: header must be %r" % "\t".join(HEADER))
        table = [HEADER]
    by_file = {}
    for lineno, row in enumerate(table[1:], start=2):
        if len(row) != 5:
            fail("expected.tsv:%d: %d fields, want 5" % (lineno, len(row)))
            continue
        name, kind, rcpt, status, action = row
        where = "expected.tsv:%d (%s)" % (lineno, name)
        if kind not in KINDS:
            fail("%s: kind %r not one of %s" % (where, kind, sorted(KINDS)))
        if action not in ACTIONS:
            fail("%s: action %r not one of %s" % (where, action, sorted(ACTIONS)))
        if rcpt != rcpt.lower() or rcpt != rcpt.strip():
            fail("%s: recipient %r must be lower case, no spaces" % (where, rcpt))
        if kind == "notbounce":
            if rcpt or status or action != "none":
                fail("%s: a notbounce row has no recipient, no status, action none" % where)
        else:
            if "@" not in rcpt:
                fail("%s: recipient %r is not an address" % (where, rcpt))
            if action == "complaint":
                if status != "arf":
                    fail("%s: a complaint has status 'arf', not %r" % (where, status))
            elif not STATUS_RE.match(status):
                fail("%s: status %r is not an enhanced status code" % (where, status))
        if kind == "arf" and action != "complaint":
            fail("%s: an arf row has action complaint" % where)
        if kind != "notbounce" and action == "none":
            fail("%s: only notbounce rows have action none" % where)
        by_file.setdefault(name, []).append((kind, rcpt, status, action))

    on_disk = sorted(n for n in os.listdir(HERE) if n.endswith(".eml"))
    for name in on_disk:
        if name not in by_file:
            fail("%s: not listed in expected.tsv" % name)
    for name in by_file:
        if name not in on_disk:
            fail("%s: listed in expected.tsv but no such file" % name)

    for name in on_disk:
        rows = by_file.get(name)
        if not rows:
            continue
        kinds = {r[0] for r in rows}
        if len(kinds) != 1:
            fail("%s: rows of different kinds %s" % (name, sorted(kinds)))
            continue
        kind = rows[0][0]
        with open(os.path.join(HERE, name), "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        ds_parts = [p for p in top_parts(msg) if p.get_content_type() == "message/delivery-status"]
        fb_parts = [p for p in top_parts(msg) if p.get_content_type() == "message/feedback-report"]
        want = [(r[1], r[2], r[3]) for r in rows]

        if kind == "dsn":
            if not ds_parts:
                fail("%s: dsn row but no message/delivery-status part" % name)
                continue
            got = []
            for part in ds_parts:
                part_rows = dsn_rows(part)
                if part_rows is None:
                    fail("%s: message/delivery-status part could not be read" % name)
                    part_rows = []
                got.extend(part_rows)
            if got != want:
                fail("%s: delivery-status gives %s, expected.tsv says %s" % (name, got, want))
        elif kind == "arf":
            if not fb_parts:
                fail("%s: arf row but no message/feedback-report part" % name)
                continue
            fields, rcpt = reported_recipient(msg)
            ftype = str(fields.get("Feedback-Type", "")).strip().lower() if fields else ""
            if ftype not in COMPLAINTS:
                fail("%s: Feedback-Type %r is not a complaint" % (name, ftype))
            if len(rows) != 1 or rcpt != rows[0][1]:
                fail("%s: the report names %r, expected.tsv says %s" % (name, rcpt, [r[1] for r in rows]))
        elif kind == "nonstandard":
            if any(dsn_rows(p) for p in ds_parts):
                fail("%s: its message/delivery-status part names recipients, so it is a dsn" % name)
            text = (raw.decode("utf-8", "replace") + "\n" + text_of(msg)).lower()
            for _, rcpt, status, _ in rows:
                if rcpt not in text:
                    fail("%s: recipient %r does not occur in the message" % (name, rcpt))
                if STATUS_RE.match(status) and not status.endswith(".0.0") and status not in text:
                    fail("%s: status %r does not occur in the message" % (name, status))
        elif kind == "notbounce":
            if ds_parts:
                fail("%s: notbounce but has a delivery-status part" % name)
            for part in fb_parts:
                fields = part.get_payload()
                fields = fields[0] if isinstance(fields, list) and fields else {}
                ftype = str(fields.get("Feedback-Type", "")).strip().lower()
                if ftype in COMPLAINTS or not ftype:
                    fail("%s: notbounce but has a feedback report of type %r" % (name, ftype))
            if len(rows) != 1:
                fail("%s: a notbounce file has exactly one row" % name)

    if errors:
        for e in errors:
            print("check_expected: " + e, file=sys.stderr)
        print("check_expected: %d problem(s)" % len(errors), file=sys.stderr)
        return 1
    print("check_expected: %d files, %d rows agree" % (len(on_disk), len(table) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

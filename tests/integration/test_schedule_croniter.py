#!/usr/bin/python3
"""Oracle test: sched_next/sched_prev against Debian's python3-croniter.

Generates seeded random cron expressions (specific values, ranges, steps,
lists, names, macros, both day fields restricted) and instants (uniform over
2024-2027 and crowded around the daylight-saving weekends of 2025 and 2026)
in UTC, Europe/Oslo and America/Anchorage.  For each, our next slot after t
and latest slot at or before t (tests/tools/sched_probe) must equal
croniter's (pytz zones, as croniter's documentation uses them), except:

  * Vixie's day rule (docs/DEVIATIONS.md "Schedule", 1): croniter decides
    OR/AND by whether a day field covers every value, Vixie cron by whether
    it begins with '*'.  Such expressions are given to croniter rewritten
    to the Vixie meaning and counted.
  * croniter's DST heuristics (DEVIATIONS.md "Schedule", 2): croniter
    searches in the UTC offset of the start instant and corrects afterwards
    only for some spans.  Where it differs from us within a day of an offset
    change, our answer must equal a reference computed here without our code
    and without croniter's DST handling: croniter's wall-clock matching on
    naive datetimes, mapped to instants with Python's zoneinfo fold=0.  Every
    such case is printed; KNOWN_DST below pins representative ones.

Env: AD_SCHED_PROBE (path of sched_probe).  Exit 77 when croniter is missing (a failure
under AD_REQUIRE_ORACLES).
"""
import bisect
import datetime as dtm
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

try:
    import pytz
    from croniter import croniter
except ImportError as exc:
    oracle.require(f"python3-croniter or python3-tz ({exc})")
import zoneinfo

SEED = 20250330
N_CASES = 1500
ZONES = ["UTC", "Europe/Oslo", "America/Anchorage"]
UTC = dtm.timezone.utc

# (zone, expression, instant, kind, ours, croniter's): croniter's DST
# heuristics, documented in docs/DEVIATIONS.md "## Schedule".
KNOWN_DST = [
    # spring forward: start on the change day before it, slot after it;
    # croniter keeps CET (+01) and answers 08:00 CEST, we 07:00 CEST
    ("Europe/Oslo", "0 7 * * *", "2025-03-30T00:30:00+01:00", "next",
     "2025-03-30T05:00:00Z", "2025-03-30T06:00:00Z"),
    # spring forward, a wall time in the gap seen from the day before:
    # croniter "corrects" 02:30 CET to 01:30 CET, a time that does not match
    ("Europe/Oslo", "30 2 * * *", "2025-03-29T12:00:00+01:00", "next",
     "2025-03-30T01:30:00Z", "2025-03-30T00:30:00Z"),
    # fall back: from inside the first pass of the repeated hour croniter
    # gives the second pass of 02:00 (02:00 CET) for "0 2-3"; we go on to
    # 03:00 CET, since 02:00 already happened once
    ("Europe/Oslo", "0 2-3 * * *", "2025-10-26T02:30:00+02:00", "next",
     "2025-10-26T02:00:00Z", "2025-10-26T01:00:00Z"),
    # fall back in Anchorage: "0 1-2" from 01:30 AKDT
    ("America/Anchorage", "0 1-2 * * *", "2025-11-02T01:30:00-08:00", "next",
     "2025-11-02T11:00:00Z", "2025-11-02T10:00:00Z"),
]


def gen_value(rng, lo, hi, names):
    v = rng.randint(lo, hi)
    if names and rng.random() < 0.5 and v - lo < len(names):
        name = names[v - lo]
        return rng.choice([name, name.upper(), name.capitalize()])
    return str(v)


def gen_field(rng, lo, hi, names=None, star=0.5):
    r = rng.random()
    if r < star:
        return "*"
    r = rng.random()
    if r < 0.3:
        return gen_value(rng, lo, hi, names)
    if r < 0.45:
        a, b = sorted(rng.sample(range(lo, hi + 1), 2))
        return f"{gen_value(rng, a, a, names and names[a - lo:])}-" \
               f"{gen_value(rng, b, b, names and names[b - lo:])}"
    if r < 0.6:
        return f"*/{rng.randint(2, max(2, (hi - lo) // 2))}"
    if r < 0.7:
        a, b = sorted(rng.sample(range(lo, hi + 1), 2))
        return f"{a}-{b}/{rng.randint(1, 4)}"
    if r < 0.78:
        return f"{rng.randint(lo, hi)}/{rng.randint(2, 9)}"
    k = rng.randint(2, 4)
    return ",".join(gen_value(rng, lo, hi, names) for _ in range(k))


MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
          "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily",
          "@midnight", "@hourly"]


def gen_expr(rng):
    if rng.random() < 0.04:
        return rng.choice(MACROS)
    minute = gen_field(rng, 0, 59, star=0.25)
    hour = gen_field(rng, 0, 23, star=0.3)
    if rng.random() < 0.3:  # the hours that daylight saving moves
        hour = rng.choice(["1", "2", "3", "1-3", "2,3", "0-4/2", "*/2", "2"])
    dom = gen_field(rng, 1, 31, star=0.6)
    month = gen_field(rng, 1, 12, MONTHS, star=0.75)
    dow = gen_field(rng, 0, 7, DAYS, star=0.6)
    if rng.random() < 0.15:  # both day fields restricted (Vixie's OR)
        dom = gen_field(rng, 1, 31, star=0)
        dow = gen_field(rng, 0, 7, DAYS, star=0)
    if rng.random() < 0.05:  # day ranges ending on Sunday
        dow = rng.choice(["FRI-SUN", "5-7", "sat-sun", "1-7"])
    return f"{minute} {hour} {dom} {month} {dow}"


def transitions(zone):
    z = zoneinfo.ZoneInfo(zone)
    out = []
    t = int(dtm.datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    end = int(dtm.datetime(2028, 1, 1, tzinfo=UTC).timestamp())
    prev = dtm.datetime.fromtimestamp(t, z).utcoffset()
    while t < end:
        t += 3600
        off = dtm.datetime.fromtimestamp(t, z).utcoffset()
        if off != prev:
            out.append(t)
            prev = off
    return out


DST = {z: transitions(z) for z in ZONES}
DST_2025_2026 = sorted(set(
    t for z in ZONES for t in DST[z]
    if dtm.datetime.fromtimestamp(t, UTC).year in (2025, 2026)))


def gen_instant(rng):
    r = rng.random()
    if r < 0.4:
        lo = int(dtm.datetime(2024, 1, 1, tzinfo=UTC).timestamp())
        hi = int(dtm.datetime(2027, 12, 31, tzinfo=UTC).timestamp())
        t = rng.randint(lo, hi)
    else:
        base = rng.choice(DST_2025_2026)
        span = 4 * 3600 if r < 0.75 else 3 * 86400
        t = base + rng.randint(-span, span)
    if rng.random() < 0.3:
        t -= t % 60  # whole minutes: may be a slot itself
    return t


def croniter_day_rewrite(expr):
    """(expression, day_or) giving croniter Vixie's meaning, and whether
    it differs from what croniter would do with expr itself."""
    f = expr.split()
    if len(f) != 5:
        return expr, True, False
    expanded = croniter.expand(expr)[0]
    vixie_or = not f[2].startswith("*") and not f[4].startswith("*")
    croniter_or = expanded[2] != ["*"] and expanded[4] != ["*"]
    if vixie_or == croniter_or:
        return expr, True, False
    if vixie_or:  # one field covers every day: OR matches every day
        return " ".join(f[:2] + ["*", f[3], "*"]), True, True
    return expr, False, True


def cron_oracle(zone, expr, t, day_or):
    tz = pytz.timezone(zone)
    try:
        nxt = croniter(expr, dtm.datetime.fromtimestamp(t, tz),
                       day_or=day_or).get_next(float)
        prv = croniter(expr, dtm.datetime.fromtimestamp(t + 1, tz),
                       day_or=day_or).get_prev(float)
    except Exception as exc:  # CroniterBadDateError
        return ("ERR", type(exc).__name__)
    return (int(nxt), int(prv))


def wall(zone, t):
    return dtm.datetime.fromtimestamp(t, zoneinfo.ZoneInfo(zone)).replace(
        tzinfo=None)


def fold0(zone, w):
    return int(w.replace(tzinfo=zoneinfo.ZoneInfo(zone)).timestamp())


def day_sets(expr, day_or):
    """Value sets from croniter's parser (its expansion is not in doubt)."""
    full = [range(0, 60), range(0, 24), range(1, 32), range(1, 13),
            range(0, 7)]
    ex = croniter.expand(expr)[0]
    sets = [set(full[i]) if ex[i] == ["*"] else
            {int(v) % 7 if i == 4 else int(v) for v in ex[i]}
            for i in range(5)]
    either = day_or and ex[2] != ["*"] and ex[4] != ["*"]
    return sets, either


def wall_slots(sets, either, start, step):
    """Matching wall minutes from start (naive), forwards or backwards,
    skipping whole days that do not match."""
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    first = True
    for _ in range(366 * 11):
        md = day.day in sets[2]
        wd = day.isoweekday() % 7 in sets[4]
        if day.month in sets[3] and ((md or wd) if either else (md and wd)):
            hours = sorted(sets[1], reverse=step < 0)
            mins = sorted(sets[0], reverse=step < 0)
            for h in hours:
                for m in mins:
                    w = day.replace(hour=h, minute=m)
                    if not first or (w >= start if step > 0 else w <= start):
                        yield w
        first = False
        day += dtm.timedelta(days=step)


def reference(zone, expr, t, day_or, kind):
    """Independent of our C code and of croniter's search: a plain scan of
    wall minutes, mapped to instants with zoneinfo fold=0."""
    sets, either = day_sets(expr, day_or)
    margin = dtm.timedelta(hours=26)
    best = best_w = None
    if kind == "next":
        for w in wall_slots(sets, either, wall(zone, t) - margin, 1):
            if best_w is not None and w > best_w + margin:
                break
            u = fold0(zone, w)
            if u > t and (best is None or u < best):
                best, best_w = u, w
        return best
    for w in wall_slots(sets, either, wall(zone, t) + margin, -1):
        if best_w is not None and w < best_w - margin:
            break
        u = fold0(zone, w)
        if u <= t and (best is None or u > best):
            best, best_w = u, w
    return best


def feb29(*ts):
    """croniter's get_prev takes every February as 28 days long."""
    return any(iso(t)[5:10] in ("02-28", "02-29") for t in ts)


def short_months(expr):
    """Does the day-of-month field name a day some month lacks (29-31)?"""
    f = expr.split()
    ex = croniter.expand(expr)[0]
    return len(f) == 5 and ex[2] != ["*"] and any(
        int(v) >= 29 for v in ex[2])


def near_change(zone, *ts):
    lo, hi = min(ts) - 86400, max(ts) + 86400
    i = bisect.bisect_left(DST[zone], lo)
    return i < len(DST[zone]) and DST[zone][i] <= hi


def iso(t):
    return dtm.datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s):
    return int(dtm.datetime.fromisoformat(s.replace("Z", "+00:00"))
               .timestamp())


def run_probe(probe, cases):
    inp = "".join(f"{z}\t{e}\t{t}\n" for z, e, t in cases)
    res = subprocess.run([probe], input=inp, capture_output=True, text=True,
                         check=True)
    out = []
    for line in res.stdout.splitlines():
        a, b = line.split("\t", 1)
        out.append(("ERR", b) if a == "ERR" else (int(a), int(b)))
    assert len(out) == len(cases), res.stderr
    return out


def check_known(probe):
    bad = 0
    ours = run_probe(probe, [(z, e, parse_iso(t)) for z, e, t, *_ in
                             KNOWN_DST])
    for (zone, expr, t, kind, want, theirs), got in zip(KNOWN_DST, ours):
        t = parse_iso(t)
        c = cron_oracle(zone, expr, t, True)
        k = 0 if kind == "next" else 1
        if got[k] != parse_iso(want) or c[k] != parse_iso(theirs):
            print(f"KNOWN case changed: {zone} '{expr}' {kind} {iso(t)}: "
                  f"ours {iso(got[k])} (want {want}), croniter {iso(c[k])} "
                  f"(documented {theirs})")
            bad += 1
    return bad


def main():
    probe = os.environ.get("AD_SCHED_PROBE")
    if not probe or not os.access(probe, os.X_OK):
        print("AD_SCHED_PROBE not set or not executable")
        return 1
    rng = random.Random(SEED)
    cases = []
    for _ in range(N_CASES):
        cases.append((rng.choice(ZONES), gen_expr(rng), gen_instant(rng)))
    ours = run_probe(probe, cases)
    counts = dict(compared=0, agree=0, vixie_rewrite=0, both_fail=0,
                  dst_deviation=0, month_length_deviation=0,
                  fail=0)
    exprs = set()
    for (zone, expr, t), got in zip(cases, ours):
        exprs.add(expr)
        cexpr, day_or, rewritten = croniter_day_rewrite(expr)
        counts["vixie_rewrite"] += rewritten
        want = cron_oracle(zone, cexpr, t, day_or)
        if want[0] == "ERR" or got[0] == "ERR":
            counts["compared"] += 2
            if want[0] == got[0]:
                counts["both_fail"] += 1
            else:
                counts["fail"] += 1
                print(f"FAIL {zone} '{expr}' at {iso(t)}: ours {got}, "
                      f"croniter {want}")
            continue
        for k, kind in enumerate(("next", "prev")):
            counts["compared"] += 1
            if got[k] == want[k]:
                counts["agree"] += 1
                continue
            ref = reference(zone, cexpr, t, day_or, kind)
            if got[k] == ref and near_change(zone, t, got[k], want[k]):
                counts["dst_deviation"] += 1
                print(f"DST deviation {zone} '{expr}' {kind} {iso(t)}: "
                      f"ours {iso(got[k])}, croniter {iso(want[k])}")
                continue
            if got[k] == ref and (short_months(cexpr) or
                                  feb29(got[k], want[k])):
                counts["month_length_deviation"] += 1
                print(f"month-length deviation {zone} '{expr}' {kind} "
                      f"{iso(t)}: ours {iso(got[k])}, croniter "
                      f"{iso(want[k])}")
                continue
            counts["fail"] += 1
            print(f"FAIL {zone} '{expr}' {kind} {iso(t)}: ours "
                  f"{iso(got[k])}, croniter {iso(want[k])}, reference "
                  f"{iso(ref) if ref is not None else None}")
    counts["known_changed"] = check_known(probe)
    print(f"cases {len(cases)}, distinct expressions {len(exprs)}, "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 1 if counts["fail"] or counts["known_changed"] else 0


if __name__ == "__main__":
    sys.exit(main())

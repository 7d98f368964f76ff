"""E-mail ingestion throughput: parse, thread and store, one message at a time.

    BENCH_N=10000 python -m bench.mail      # 10,000 messages (the default)

Builds N messages from the real-world fixtures in ../shared/data/email (the MIME ones:
every *.eml and CPython's msg_*.txt), cycling through them, each copy with a Message-ID
of its own; a share of them (30 %) are replies to an earlier copy (In-Reply-To and
References naming it, From its sender), so they thread onto its ticket. Then, on a fresh
SQLite database under $SUPPORTDESK_DATA_DIR/bench/mail/ (jobs queued, not run):

- parse only: `supportdesk.mail.parse.parse` of every message (no database);
- ingest: `supportdesk.mail.ingest.ingest` of every message, in order, as a poller or
  the listener calls it (store raw, parse, thread, create the ticket or the reply with
  its attachments, events and search document);
- ingest again: a tenth of them delivered a second time (the duplicate path).

Prints messages per second and the median and 95th percentile per message, and in the JSON
`cpu_check_seconds`: a fixed loop timed before and after, to tell a slow machine from slow
code when figures are compared.
Target (issue 6): at least 200 messages/s for ingest on SQLite.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import REPO, bench_n, cpu_check, data_dir, report

TARGET_PER_SECOND = 200
REPLY_SHARE = 0.3
DUPLICATE_SHARE = 0.1
SEED = 6
EMAIL = Path(os.environ.get("BENCH_EMAIL_DATA") or REPO.parent / "shared" / "data" / "email")
_HEADER_NAME = re.compile(rb"^([!-9;-~]+):")


def fixtures(folder: Path = EMAIL) -> list[bytes]:
    """The MIME fixtures, in a fixed order."""
    paths = sorted((folder / "cpython_test_email" / "data").glob("msg_*.txt"))
    paths += sorted(folder.rglob("*.eml"))
    return [p.read_bytes() for p in paths]


def split(raw: bytes) -> tuple[list[bytes], bytes, bytes]:
    """(header fields, each with its folded lines; the blank line; the body)."""
    match = re.search(rb"\r?\n\r?\n", raw)
    head, blank, body = (
        (raw[: match.start()], match.group(0), raw[match.end() :]) if match else (raw, b"", b"")
    )
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += line
        else:
            fields.append(line)
    return fields, blank, body


def header(fields: list[bytes], name: bytes) -> bytes:
    for field in fields:
        found = _HEADER_NAME.match(field)
        if found and found.group(1).lower() == name:
            return field.split(b":", 1)[1].strip()
    return b""


def rewrite(raw: bytes, new: dict[bytes, bytes]) -> bytes:
    """The message with the headers named in `new` replaced (dropped when the value is
    empty), the new ones first; the rest of its bytes untouched."""
    fields, blank, body = split(raw)
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    drop = {name.lower() for name in new}
    kept = []
    for field in fields:
        found = _HEADER_NAME.match(field)
        if not (found and found.group(1).lower() in drop):
            kept.append(field)
    added = [name + b": " + value + newline for name, value in new.items() if value]
    # `blank` holds the last header line's end and the empty line after it.
    head = b"".join(added + kept).rstrip(b"\r\n")
    return head + (blank or newline * 2) + body


def messages(n: int, base: list[bytes], seed: int = SEED) -> list[bytes]:
    """N copies of the fixtures, each with its own Message-ID; REPLY_SHARE of them reply
    to an earlier copy (as its sender, naming it in In-Reply-To and References)."""
    rng = random.Random(seed)
    senders = [header(split(raw)[0], b"from") for raw in base]
    out: list[bytes] = []
    froms: list[bytes] = []  # each copy's From, as written (a reply's is its parent's)
    for i in range(n):
        sender = senders[i % len(base)]
        new = {
            b"Message-ID": f"<bench-{i}@bench.invalid>".encode(),
            b"In-Reply-To": b"",
            b"References": b"",
        }
        if i >= 10 and rng.random() < REPLY_SHARE:
            earlier = rng.randrange(i)
            if froms[earlier]:
                parent = f"<bench-{earlier}@bench.invalid>".encode()
                sender = froms[earlier]
                new |= {b"In-Reply-To": parent, b"References": parent, b"From": sender}
        froms.append(sender)
        out.append(rewrite(base[i % len(base)], new))
    return out


def _timed(work: list[bytes], step: Callable[[bytes], Any]) -> tuple[list[float], list[Any]]:
    durations, results = [], []
    for raw in work:
        began = time.perf_counter()
        results.append(step(raw))
        durations.append(time.perf_counter() - began)
    return durations, results


def _row(measure: str, durations: list[float]) -> dict[str, Any]:
    total = sum(durations)
    ordered = sorted(durations)
    return {
        "measure": measure,
        "messages": len(durations),
        "seconds": round(total, 3),
        "per_second": round(len(durations) / total) if total else 0,
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def _fresh_django(home: Path) -> None:
    """Django on a new, empty SQLite database in `home` (jobs queued, mail not sent)."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        SUPPORTDESK_DATA_DIR=str(home),
        DJANGO_SETTINGS_MODULE="supportdesk.settings",
        HUEY_IMMEDIATE="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def run(n: int) -> dict[str, Any]:
    base = fixtures()
    if not base:
        raise SystemExit(f"no e-mail fixtures in {EMAIL} (see ../shared/data/email/README)")
    work = messages(n, base)
    _fresh_django(data_dir() / "bench" / "mail")
    # A message that fails is quarantined with its reason; its traceback in the log
    # would bury the figures.
    logging.getLogger("supportdesk.mail").setLevel(logging.CRITICAL)
    from supportdesk.mail.ingest import ingest
    from supportdesk.mail.parse import Unparseable, parse

    def parse_only(raw: bytes) -> None:
        try:
            parse(raw)
        except Unparseable:
            pass

    speed_before = cpu_check()
    parsed, _ = _timed(work, parse_only)
    ingested, reports = _timed(work, lambda raw: ingest(raw).line)
    speed_after = cpu_check()
    again = random.Random(SEED).sample(work, max(1, int(n * DUPLICATE_SHARE)))
    duplicates, _ = _timed(again, lambda raw: ingest(raw).line)
    outcomes = Counter(line.split(" ")[0].rstrip(":") for line in reports)
    rows = [
        _row("parse only", parsed),
        _row("ingest (parse, thread, store)", ingested),
        _row("ingest again (duplicates)", duplicates),
    ]
    return report(
        "mail",
        n,
        rows,
        fixtures=len(base),
        reply_share=REPLY_SHARE,
        outcomes=dict(outcomes),
        target_per_second=TARGET_PER_SECOND,
        cpu_check_seconds=[speed_before, speed_after],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n(10_000), help="messages")
    args = parser.parse_args(argv)
    run(args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark data: a help desk with N realistic tickets, built fast and cached.

    python -m bench.generate               # BENCH_N tickets (default 100,000)
    python -m bench.generate --n 1000000

SQLite (no DATABASE_URL, or a sqlite one): the database is built once per N and schema
version into $SUPPORTDESK_DATA_DIR/bench/sqlite-N{N}-v{SCHEMA}.sqlite3 and reused after.
PostgreSQL (DATABASE_URL set): that database is filled; a marker table remembers N and the
schema version, so a second run reuses it. It refuses a database with tickets that it did
not make.

`ensure_database(n)` is what benchmark drivers call: it returns the environment to start
`supportdesk serve` against the data, plus the logins and API tokens in it. The building
runs in a child process so that the caller needs no Django settings of its own.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from bench.common import REPO, bench_n, data_dir, engine

GENERATOR_VERSION = 3  # bump when the generated data changes shape
SEED = 20240601
DAYS = 365
CHUNK = 20_000
MARKER = "bench_generated"


@dataclass
class BenchDatabase:
    """A filled benchmark database and how to reach it."""

    n: int
    engine: str
    url: str
    env: dict[str, str]  # DATABASE_URL and SUPPORTDESK_DATA_DIR for `supportdesk serve`
    seconds: float  # how long building it took (when it was built)
    cached: bool
    accounts: dict[str, str] = field(default_factory=dict)  # e-mail -> password
    tokens: dict[str, str] = field(default_factory=dict)  # admin/agent/customer -> token
    rows: dict[str, int] = field(default_factory=dict)


def schema_version() -> str:
    """A short hash of every migration file (what `migrate` applies), the Django version
    (its own apps' migrations) and the generator version."""
    import django

    digest = hashlib.sha256(f"{django.__version__}/{GENERATOR_VERSION}".encode())
    for path in sorted(REPO.glob("supportdesk/*/migrations/0*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url and not url.startswith("sqlite") else None


def ensure_database(n: int) -> BenchDatabase:
    """The database with `n` tickets, built now unless a matching one exists."""
    home = data_dir() / "bench" / "home"
    home.mkdir(parents=True, exist_ok=True)
    url = _postgres_url()
    if url is not None:
        info = _build_in_child(n, url, home)
    else:
        info = _ensure_sqlite(n, home)
        url = info["url"]
    env = {"DATABASE_URL": url, "SUPPORTDESK_DATA_DIR": str(home)}
    return BenchDatabase(
        n=n,
        engine=engine(url),
        url=url,
        env=env,
        seconds=info["seconds"],
        cached=info["cached"],
        accounts=info["accounts"],
        tokens=info["tokens"],
        rows=info["rows"],
    )


def _ensure_sqlite(n: int, home: Path) -> dict[str, Any]:
    folder = data_dir() / "bench"
    path = folder / f"sqlite-N{n}-v{schema_version()}.sqlite3"
    with open(folder / f"sqlite-N{n}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two drivers asking at once build it once
        if path.exists():
            return {**_read_marker(path), "cached": True}
        for stale in folder.glob(f"sqlite-N{n}-v*.sqlite3*"):
            stale.unlink()  # another schema version: never useful again, and big
        partial = path.with_suffix(".partial")
        for leftover in folder.glob(partial.name + "*"):
            leftover.unlink()
        info = _build_in_child(n, f"sqlite:///{partial}", home)
        partial.rename(path)
    return {**info, "url": f"sqlite:///{path}"}


def _read_marker(path: Path) -> dict[str, Any]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (info,) = db.execute(f"SELECT info FROM {MARKER}").fetchone()  # noqa: S608 (a constant)
    return {**json.loads(info), "url": f"sqlite:///{path}"}


def _build_in_child(n: int, url: str, home: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SUPPORTDESK_DATA_DIR": str(home),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
    }
    command = [sys.executable, "-m", "bench.generate", "--build", str(n)]
    done = subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building the benchmark database failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# In the child: Django is set up against the database to fill. ---------------------------


def build(n: int) -> dict[str, Any]:
    """Migrate and fill the database behind DATABASE_URL with `n` tickets, or report the
    one already there. Prints progress to stderr."""
    from django.db import connection

    version = schema_version()
    if connection.vendor == "postgresql":
        cached = _postgres_marker(n, version)
        if cached is not None:
            return {**cached, "cached": True}
    began = time.perf_counter()
    info = _fill(n)
    info |= {
        "n": n,
        "schema": version,
        "seconds": round(time.perf_counter() - began, 1),
        "cached": False,
    }
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER}")
        cursor.execute(f"CREATE TABLE {MARKER} (n bigint, schema text, info text)")
        row = [n, version, json.dumps(info)]
        cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s)", row)  # noqa: S608
    if connection.vendor == "sqlite":
        from bench.fill import Writer, finish_sqlite

        finish_sqlite(Writer(connection))
    else:
        _reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would have done on a live server
    return info


def _reset_sequences() -> None:
    """Rows were written with explicit ids, which PostgreSQL's id sequences do not see:
    move every sequence past its table's largest id, or the next insert collides."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _postgres_marker(n: int, version: str) -> dict[str, Any] | None:
    """The earlier run's report when it made this very database; otherwise clear what an
    earlier run made, or refuse a database that holds somebody's tickets."""
    from django.core.management import call_command
    from django.db import connection

    tables = connection.introspection.table_names()
    if MARKER in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT n, schema, info FROM {MARKER}")  # noqa: S608
            row = cursor.fetchone()
        if row and (row[0], row[1]) == (n, version):
            return json.loads(row[2])
    elif "tickets_ticket" in tables:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM tickets_ticket)")
            if cursor.fetchone()[0]:
                raise SystemExit(
                    "DATABASE_URL points at a database with tickets that bench/ did not make; "
                    "give the benchmark an empty database of its own."
                )
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    return None


def _fill(n: int) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.fill import Writer, bulk_mode, reset_sequences
    from bench.people import write_people
    from bench.tickets import Chunk, Factory

    phases: dict[str, float] = {}
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    phases["migrate"] = time.perf_counter() - began
    writer, rng = Writer(connection), random.Random(SEED)
    now = int(time.time()) - 600
    with transaction.atomic():
        desk = write_people(writer, rng, n, now)
    factory = Factory(
        desk, rng, writer.times, now=now, close_after=settings.AUTO_CLOSE_SOLVED_DAYS * 86400
    )
    tables = _tables(writer)
    arrivals = _arrivals(rng, n, now - DAYS * 86400, now - 600)
    loaded = time.perf_counter()
    with bulk_mode(writer) as timing:
        for first in range(1, n + 1, CHUNK):
            chunk = Chunk()
            for number, created in islice(arrivals, CHUNK):
                factory.build(number, created, chunk)
            with transaction.atomic():
                for name, table in tables.items():
                    writer.insert(table, getattr(chunk, name))
            done = min(n, first + CHUNK - 1)
            print(
                f"  {done:,} of {n:,} tickets, {time.perf_counter() - began:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    phases["load"] = time.perf_counter() - loaded - timing["rebuild_seconds"]
    phases["indexes"] = timing["rebuild_seconds"]
    from supportdesk.tickets.models import Message, Ticket, TicketEvent, TicketTag

    reset_sequences(writer, [Ticket, Message, TicketEvent, TicketTag])
    counts = {
        "tickets": n,
        "messages": factory.chunk_message_id,
        "events": factory.chunk_event_id,
        "tags": factory.chunk_tag_id,
        "customers": len(desk.customers),
        "rows": writer.rows_written,
    }
    return {
        "accounts": desk.accounts,
        "tokens": desk.tokens,
        "rows": counts,
        "phases": {k: round(v, 1) for k, v in phases.items()},
    }


def _tables(writer: Any) -> dict[str, Any]:
    from bench import tickets as t
    from supportdesk.search.models import TicketDocument
    from supportdesk.tickets.models import Message, Ticket, TicketEvent, TicketTag

    return {
        "tickets": writer.table(Ticket, t.TICKET_COLUMNS),
        "messages": writer.table(Message, t.MESSAGE_COLUMNS),
        "events": writer.table(TicketEvent, t.EVENT_COLUMNS),
        "tags": writer.table(TicketTag, t.TAG_COLUMNS),
        "docs": writer.table(TicketDocument, t.DOC_COLUMNS),
    }


def _arrivals(rng: random.Random, n: int, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(number, created) for tickets 1..n in time order: busier on weekdays, in office
    hours and over time, by inverting the hourly arrival curve at evenly spread points."""
    hours = (end - start) // 3600
    weights = []
    for h in range(hours):
        ts = start + h * 3600
        weekend = (ts // 86400 + 3) % 7 >= 5  # 1970-01-01 was a Thursday
        office = 7 <= ts % 86400 // 3600 < 22
        weights.append(
            (0.35 if weekend else 1.0) * (1.0 if office else 0.3) * (0.7 + 0.6 * h / hours)
        )
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    for number in range(1, n + 1):
        x = (number - rng.random()) / n * total
        hour = min(bisect_left(cumulative, x), hours - 1)
        before = cumulative[hour - 1] if hour else 0.0
        yield number, start + hour * 3600 + int((x - before) / weights[hour] * 3599)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=None, help="tickets (default: BENCH_N or 100000)")
    parser.add_argument("--build", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build is not None:  # the child process of ensure_database
        import django

        django.setup()
        print(json.dumps(build(args.build)))
        return 0
    n = args.n if args.n is not None else bench_n()
    began = time.perf_counter()
    db = ensure_database(n)
    how = "reused from the cache" if db.cached else f"built in {db.seconds:,.1f} s"
    print(
        f"{db.n:,} tickets on {db.engine}: {db.url}\n{how} "
        f"(this run: {time.perf_counter() - began:,.1f} s)"
    )
    print(json.dumps(asdict(db)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

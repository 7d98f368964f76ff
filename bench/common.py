"""What every benchmark shares: where data lives, what machine and engine it ran on, and
printing results as a table plus JSON. No Django import, so a benchmark driver can use
it before it decides which database to start a server against."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The folder `supportdesk` keeps its data in; benchmarks cache under `bench/`."""
    return Path(os.environ.get("SUPPORTDESK_DATA_DIR") or REPO / "var").resolve()


def bench_n(default: int = 100_000) -> int:
    raw = os.environ.get("BENCH_N", "")
    try:
        return int(raw.replace("_", "")) if raw else default
    except ValueError as exc:
        raise SystemExit(f"BENCH_N must be a whole number, got {raw!r}") from exc


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    """The machine a figure was measured on."""
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def engine(database_url: str | None = None) -> str:
    """'SQLite 3.x' or 'PostgreSQL' for the database at DATABASE_URL (default SQLite)."""
    url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return "PostgreSQL"
    return f"SQLite {sqlite3.sqlite_version}"


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    """`with stopwatch() as t: ...` then `t["seconds"]`."""
    result = {"seconds": 0.0}
    began = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - began


def cpu_check() -> float:
    """Seconds of CPU a fixed pure-Python loop takes: the same on a steady machine, so a
    shared machine's slow moments show beside the figures (lower is faster)."""
    began = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return round(time.process_time() - began, 3)


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """Rows of equal keys as an aligned text table."""
    if not rows:
        return
    keys = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_cell(row.get(key)) for key in keys] for row in rows]
    widths = [max(len(key), *(len(c[i]) for c in cells)) for i, key in enumerate(keys)]
    print("  ".join(key.ljust(w) for key, w in zip(keys, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in cells:
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def report(name: str, n: int, rows: Sequence[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Print a benchmark's figures as a table, then one line of JSON with the context
    (N, engine, machine) that makes them comparable; returns that JSON object."""
    doc = {
        "benchmark": name,
        "n": n,
        "engine": engine(),
        "machine": machine(),
        **extra,
        "results": list(rows),
    }
    print(
        f"\n{name}: N={n:,} on {doc['engine']}, {doc['machine']['cores']} cores "
        f"({doc['machine']['cpu']})\n"
    )
    print_table(rows)
    print("\n" + json.dumps(doc, default=str))
    return doc

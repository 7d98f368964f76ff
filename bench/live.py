"""Live updates under load, measured against real `supportdesk serve` processes.

    BENCH_N=100000 python -m bench.live --streams 200

Two `serve` processes on one database. Logged in as the benchmark's agent, the client
holds `--streams` open Server-Sent Event streams (the queue pages of as many agents) on
process A, and measures:
- the CPU that process A uses while the streams are open and nothing changes (percent of
  one core, over `--idle-seconds`), against the same process with no stream open;
- the latency from a change made through process B (an API PATCH of a ticket's priority,
  timed from just before the request) to its arrival on the streams of process A, median
  and p95 over `--changes` changes, and how many streams received each change.

Target (issue 4): idle CPU a few percent with 200 streams; p95 under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.api import serving
from bench.common import bench_n, report
from bench.generate import ensure_database
from bench.pages import AGENT, login

logging.getLogger("httpx").setLevel(logging.WARNING)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def idle_cpu(pid: int, seconds: float) -> float:
    before = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds * 100


class Streams:
    """`count` SSE streams on one server, noting when each change arrives on each."""

    def __init__(self, base: str, cookies: httpx.Cookies, count: int) -> None:
        limits = httpx.Limits(max_connections=count + 10, max_keepalive_connections=count + 10)
        # Streams stay open: no read timeout, a connect timeout only.
        timeout = httpx.Timeout(None, connect=30)
        self.client = httpx.AsyncClient(
            base_url=base, cookies=cookies, timeout=timeout, limits=limits
        )
        self.count = count
        self.arrivals: dict[tuple[int, int], list[float]] = {}  # (ticket, event id) -> times
        self.connected = 0
        self.tasks: list[asyncio.Task[None]] = []

    async def _one(self) -> None:
        async with self.client.stream("GET", "/live/stream/") as response:
            response.raise_for_status()
            self.connected += 1
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                now = time.perf_counter()
                for event in json.loads(line[6:]).get("events", []):
                    key = (event["ticket"], event["id"])
                    self.arrivals.setdefault(key, []).append(now)

    async def open(self) -> None:
        self.tasks = [asyncio.create_task(self._one()) for _ in range(self.count)]
        deadline = time.monotonic() + 60
        while self.connected < self.count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()


async def measure_changes(
    streams: Streams, api: httpx.AsyncClient, numbers: list[int], changes: int
) -> dict[str, Any]:
    latencies, reached = [], []
    priorities = ["low", "normal", "high", "urgent"]
    for i in range(changes):
        number = numbers[i % len(numbers)]
        before = set(k for k in streams.arrivals if k[0] == number)
        current = (await api.get(f"/api/v1/tickets/{number}")).json()["priority"]
        other = next(p for p in priorities[i % 4 :] + priorities if p != current)
        began = time.perf_counter()
        answer = await api.patch(f"/api/v1/tickets/{number}", json={"priority": other})
        answer.raise_for_status()
        deadline = time.monotonic() + 5
        new: list[tuple[int, int]] = []
        while time.monotonic() < deadline:
            new = [k for k in streams.arrivals if k[0] == number and k not in before]
            if new and len(streams.arrivals[new[0]]) >= streams.count:
                break
            await asyncio.sleep(0.01)
        if new:
            times = streams.arrivals[new[0]]
            latencies.extend(t - began for t in times)
            reached.append(len(times))
        await asyncio.sleep(0.2)
    latencies.sort()
    return {
        "changes": changes,
        "deliveries": len(latencies),
        "median_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else None,
        "min_streams_reached": min(reached) if reached else 0,
    }


async def _measure(a: str, b: str, pid: int, db: Any, args: argparse.Namespace) -> list[dict]:
    rows: list[dict[str, Any]] = []
    rows.append(
        {"measure": "idle CPU, no stream", "cpu_percent": await idle_cpu(pid, args.idle_seconds)}
    )
    session = login(a, AGENT, db.accounts[AGENT])
    streams = Streams(a, session.cookies, args.streams)
    await streams.open()
    rows.append(
        {
            "measure": f"idle CPU, {streams.connected} streams",
            "streams": streams.connected,
            "cpu_percent": await idle_cpu(pid, args.idle_seconds),
        }
    )
    headers = {"Authorization": f"Bearer {db.tokens['agent']}"}
    async with httpx.AsyncClient(base_url=b, headers=headers, timeout=30) as api:
        open_tickets = {"limit": 20, "status": "open,pending"}
        page = (await api.get("/api/v1/tickets", params=open_tickets)).json()
        numbers = [t["number"] for t in page["items"]]
        random.Random(3).shuffle(numbers)
        result = await measure_changes(streams, api, numbers, args.changes)
    rows.append({"measure": "change on B -> arrival on A", "streams": streams.connected, **result})
    await streams.close()
    session.close()
    return rows


def run(n: int, streams: int, changes: int, idle_seconds: float) -> dict[str, Any]:
    db = ensure_database(n)
    args = argparse.Namespace(streams=streams, changes=changes, idle_seconds=idle_seconds)
    pids: list[int] = []
    with serving(db, 1, pids) as a, serving(db, 1) as b:
        # A thread of its own: the caller (a test run with Playwright's loop) may be inside
        # an event loop already, where asyncio.run refuses to start another.
        with ThreadPoolExecutor(1) as pool:
            rows = pool.submit(asyncio.run, _measure(a, b, pids[0], db, args)).result()
    return report("live", n, rows, database_built_seconds=db.seconds, cached=db.cached)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n())
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    run(args.n, args.streams, args.changes, args.idle_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())

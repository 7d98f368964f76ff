"""The HTTP API under load, measured against a real `supportdesk serve`.

    BENCH_N=100000 python -m bench.api      # or: make bench BENCH_N=1000000

Measures, at N tickets on the engine of DATABASE_URL (default SQLite):
- latency (median, p95) of `GET /api/v1/tickets` with the filters status+group, assignee,
  requester and tag, one client, and of `q` full-text searches;
- ticket creation throughput (`POST /api/v1/tickets`) with 1 and 8 concurrent clients.

Targets (issue 2): list p95 < 50 ms at 1M tickets on SQLite, search p95 < 300 ms,
creation >= 300 tickets/s with 8 clients. The tickets it creates stay in the cached
database (a few hundred on top of N), so repeated runs drift by that much.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO, bench_n, report
from bench.generate import BenchDatabase, ensure_database

SEARCH_WORDS_PER_QUERY = (1, 2)
# httpx logs every request at INFO; a benchmark prints figures, not requests.
logging.getLogger("httpx").setLevel(logging.WARNING)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: BenchDatabase, processes: int = 1, pids: list[int] | None = None):  # type: ignore[no-untyped-def]
    """`supportdesk serve --no-worker` on the benchmark database; yields its base URL and
    adds the server's process id to `pids` when given."""
    port = _free_port()
    env = {**os.environ, **db.env, "DJANGO_SETTINGS_MODULE": "supportdesk.settings"}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    exe = str(Path(sys.executable).with_name("supportdesk"))
    log = open(Path(db.env["SUPPORTDESK_DATA_DIR"]) / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [exe, "serve", "--no-worker", "--port", str(port), "--processes", str(processes)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if pids is not None:
        pids.append(proc.pid)
    try:
        _wait_until_up(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"supportdesk serve exited with {proc.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise TimeoutError("supportdesk serve did not answer in time")


def _client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def sample_values(client: httpx.Client, rng: random.Random) -> dict[str, list[Any]]:
    """Filter values that exist in the data, read through the API like a client would."""
    values: dict[str, list[Any]] = {
        "group": [],
        "assignee": [],
        "requester": [],
        "tag": [],
        "words": [],
    }
    cursor = None
    for _ in range(8):
        # Oldest first: the newest tickets may be ones earlier runs created (no group).
        params = {"limit": 100, "sort": "number", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/tickets", params=params).raise_for_status().json()
        for t in page["items"]:
            if t["group"]:
                values["group"].append(t["group"]["id"])
            if t["assignee"]:
                values["assignee"].append(t["assignee"]["id"])
            values["requester"].append(t["requester"]["id"])
            values["tag"].extend(t["tags"])
            values["words"].extend(
                w for w in t["subject"].lower().split() if w.isalpha() and len(w) > 3
            )
        cursor = page["next"]
        if not cursor:
            break
    return {k: sorted(set(v)) or [None] for k, v in values.items()}


def list_cases(values: dict[str, list[Any]], rng: random.Random) -> dict[str, Callable]:
    statuses = ["new", "open", "pending", "solved"]
    return {
        "list status+group": lambda: {
            "status": rng.choice(statuses),
            "group": rng.choice(values["group"]),
        },
        "list assignee": lambda: {"assignee": rng.choice(values["assignee"])},
        "list requester": lambda: {"requester": rng.choice(values["requester"])},
        "list tag": lambda: {"tag": rng.choice(values["tag"])},
        "search q": lambda: {
            "q": " ".join(
                rng.sample(
                    values["words"], min(len(values["words"]), rng.choice(SEARCH_WORDS_PER_QUERY))
                )
            )
        },
    }


def measure_latency(
    client: httpx.Client, params_of: Callable[[], dict], requests: int
) -> dict[str, Any]:
    for _ in range(min(5, requests)):
        client.get("/api/v1/tickets", params=params_of()).raise_for_status()
    timings, found = [], 0
    for _ in range(requests):
        params = params_of()
        began = time.perf_counter()
        response = client.get("/api/v1/tickets", params=params)
        timings.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
        found += len(response.json()["items"])
    timings.sort()
    return {
        "requests": requests,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "avg_items": found / requests,
    }


def measure_creation(base: str, token: str, clients: int, per_client: int) -> dict[str, Any]:
    errors: list[str] = []

    def work(index: int) -> None:
        with _client(base, token) as client:
            for i in range(per_client):
                response = client.post(
                    "/api/v1/tickets",
                    json={
                        "subject": f"Benchmark request {index}-{i}: cannot open invoice",
                        "body": "The invoice PDF from last month does not open on my laptop. "
                        "Could you send it again?",
                        "requester": f"bench-{index}-{i % 50}@bench.example",
                        "priority": "normal",
                        "tags": ["bench"],
                    },
                )
                if response.status_code != 201:
                    errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} creations failed, first: {errors[0]}")
    total = clients * per_client
    return {"requests": total, "seconds": seconds, "tickets_per_s": total / seconds}


def run(n: int, requests: int, creations: int, processes: int = 1) -> dict[str, Any]:
    db = ensure_database(n)
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    with serving(db, processes) as base, _client(base, db.tokens["agent"]) as client:
        values = sample_values(client, rng)
        for name, params_of in list_cases(values, rng).items():
            rows.append({"measure": name, **measure_latency(client, params_of, requests)})
        for clients in (1, 8):
            per_client = max(1, creations // clients)
            result = measure_creation(base, db.tokens["agent"], clients, per_client)
            rows.append({"measure": f"create, {clients} client(s)", **result})
    return report(
        "api",
        n,
        rows,
        web_processes=processes,
        database_built_seconds=db.seconds,
        cached=db.cached,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n())
    parser.add_argument("--requests", type=int, default=200, help="per list/search case")
    parser.add_argument("--creations", type=int, default=400, help="tickets per clients case")
    parser.add_argument("--processes", type=int, default=1, help="serve --processes")
    args = parser.parse_args(argv)
    run(args.n, args.requests, args.creations, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The workspace's pages over HTTP, measured against a real `supportdesk serve`.

    BENCH_N=1000000 python -m bench.pages      # or: make bench BENCH_N=1000000

Logs in as the benchmark's agent with the login form (a session cookie, as a browser
does) and measures, one client, the latency (median, p95) of whole HTML pages:
- queue pages: All open, Unassigned in my groups, My open tickets, a group's view;
- the rail's fresh counts (`/agent/rail/`, what the page fetches after it is shown);
- ticket pages of random tickets (timeline, properties, requester context);
- search pages with one or two words.

Targets (issue 3): the open-queue page and a ticket page under 100 ms p95 at 1M tickets,
search under 300 ms p95.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.api import sample_values, serving
from bench.common import bench_n, report
from bench.generate import ensure_database

logging.getLogger("httpx").setLevel(logging.WARNING)
AGENT = "agent@example.com"


def login(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    client.get("/login/").raise_for_status()
    token = client.cookies["csrftoken"]
    answer = client.post(
        "/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login as {email} failed: {answer.status_code}")
    return client


def page_cases(
    client: httpx.Client, token: str, n: int, rng: random.Random
) -> dict[str, Callable[[], str]]:
    api = httpx.Client(base_url=str(client.base_url), headers={"Authorization": f"Bearer {token}"})
    values = sample_values(api, rng)
    api.close()
    rail = client.get("/agent/rail/").raise_for_status().text
    groups = re.findall(r"/agent/views/(group-\d+)/", rail) or ["open"]
    words = [w for w in values["words"] if w]
    return {
        "queue: All open": lambda: "/agent/views/open/",
        "queue: Unassigned": lambda: "/agent/views/unassigned/",
        "queue: My open": lambda: "/agent/views/mine/",
        "queue: a group": lambda: f"/agent/views/{rng.choice(groups)}/",
        "rail counts": lambda: "/agent/rail/",
        "ticket page": lambda: f"/agent/tickets/{rng.randint(1, n)}/",
        "search page": lambda: (
            "/agent/search/?q=" + " ".join(rng.sample(words, min(len(words), rng.choice((1, 2)))))
        ),
    }


def measure(client: httpx.Client, path_of: Callable[[], str], requests: int) -> dict[str, Any]:
    for _ in range(min(5, requests)):
        client.get(path_of())
    timings, sizes, missing = [], [], 0
    for _ in range(requests):
        path = path_of()
        began = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - began) * 1000)
        if response.status_code == 404:
            missing += 1  # a ticket number the generator left as a gap
            continue
        response.raise_for_status()
        sizes.append(len(response.content))
    timings.sort()
    return {
        "requests": requests,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
        "avg_kib": (sum(sizes) / len(sizes) / 1024) if sizes else 0,
        "not_found": missing,
    }


def run(n: int, requests: int, processes: int = 1) -> dict[str, Any]:
    db = ensure_database(n)
    rng = random.Random(11)
    rows: list[dict[str, Any]] = []
    with serving(db, processes) as base:
        client = login(base, AGENT, db.accounts[AGENT])
        try:
            for name, path_of in page_cases(client, db.tokens["agent"], n, rng).items():
                rows.append({"measure": name, **measure(client, path_of, requests)})
        finally:
            client.close()
    return report(
        "pages",
        n,
        rows,
        web_processes=processes,
        database_built_seconds=db.seconds,
        cached=db.cached,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n())
    parser.add_argument("--requests", type=int, default=200, help="per page case")
    parser.add_argument("--processes", type=int, default=1, help="serve --processes")
    args = parser.parse_args(argv)
    run(args.n, args.requests, args.processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

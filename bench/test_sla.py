"""`make test` runs the SLA recompute benchmark once at a tiny N, untimed, so it never rots."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.bench


def test_sla_benchmark_runs_end_to_end_at_tiny_n(tmp_path):
    # Its own process: the benchmark sets Django up on the benchmark database.
    # Two processes and small batches: the path a big recompute takes runs here too.
    env = {
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "SLA_RECOMPUTE_PROCESSES": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.sla", "--n", "1000", "--batch", "100"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"benchmark": "sla"' in done.stdout and "all tickets, calendar changed" in done.stdout
    assert '"processes": 2' in done.stdout

"""`make test` runs the SLA recompute benchmark once at a tiny N, untimed, so it never rots."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.bench


def test_sla_benchmark_runs_end_to_end_at_tiny_n(tmp_path):
    # Its own process: the benchmark sets Django up on the benchmark database.
    env = {"SUPPORTDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.sla", "--n", "1000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"benchmark": "sla"' in done.stdout and "recompute all tickets" in done.stdout

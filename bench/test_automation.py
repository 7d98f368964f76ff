"""`make test` runs the automation benchmark once at a tiny N, untimed, so it never rots."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.bench


def test_automation_benchmark_runs_end_to_end_at_tiny_n(tmp_path):
    # Its own process: the benchmark sets Django up on its own database.
    env = {"SUPPORTDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.automation", "--n", "600", "--events", "100"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"benchmark": "automation"' in done.stdout
    for measure in ("trigger events", "catch-up of a new install", "five minutes later"):
        assert measure in done.stdout

"""`make test` runs the help-center benchmark once at a tiny N, untimed, so it never rots;
and the search-quality benchmark as its users run it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import search_quality

pytestmark = pytest.mark.bench


def _run(args: list[str], tmp_path) -> str:  # type: ignore[no-untyped-def]
    # Its own process: the benchmark sets Django up on its own database.
    env = {"SUPPORTDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_kb_benchmark_runs_end_to_end_at_tiny_n(tmp_path):  # type: ignore[no-untyped-def]
    out = _run(["bench.kb", "--n", "200", "--repeat", "20"], tmp_path)
    assert '"benchmark": "kb"' in out
    for measure in ("search page, questions", "typos", "request-form suggestions"):
        assert measure in out


@pytest.mark.skipif(
    not search_quality.available() and os.environ.get("CI") != "true",
    reason="../shared/data/kb/stackfaq is not here",
)
def test_search_quality_benchmark_prints_both_parts(tmp_path):  # type: ignore[no-untyped-def]
    out = _run(["bench.search_quality"], tmp_path)
    assert '"benchmark": "search_quality"' in out
    assert "untuned (last 325)" in out and "hit@5" in out

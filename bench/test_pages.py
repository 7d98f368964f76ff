"""`make test` runs the page benchmark once at a tiny N, untimed, so it never rots."""

from __future__ import annotations

import pytest

from bench import pages

pytestmark = pytest.mark.bench


def test_pages_benchmark_runs_end_to_end_at_tiny_n(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SUPPORTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    doc = pages.run(1000, requests=5)
    measures = {row["measure"]: row for row in doc["results"]}
    assert {"queue: All open", "ticket page", "search page", "rail counts"} <= set(measures)
    assert measures["ticket page"]["avg_kib"] > 5
    assert measures["queue: All open"]["avg_kib"] > 5
    assert '"benchmark": "pages"' in capsys.readouterr().out

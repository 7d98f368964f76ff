"""`make test` runs the API benchmark once at a tiny N, untimed, so it never rots."""

from __future__ import annotations

import pytest

from bench import api

pytestmark = pytest.mark.bench


def test_api_benchmark_runs_end_to_end_at_tiny_n(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SUPPORTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    doc = api.run(1000, requests=5, creations=16)
    measures = {row["measure"]: row for row in doc["results"]}
    assert set(measures) >= {
        "list status+group",
        "list assignee",
        "list requester",
        "list tag",
        "search q",
        "create, 1 client(s)",
        "create, 8 client(s)",
    }
    assert measures["list requester"]["avg_items"] > 0
    assert measures["create, 8 client(s)"]["requests"] == 16
    out = capsys.readouterr().out
    assert "N=1,000" in out and '"benchmark": "api"' in out

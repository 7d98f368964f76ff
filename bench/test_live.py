"""`make test` runs the live-updates benchmark once at a tiny N, untimed, so it never rots."""

from __future__ import annotations

import pytest

from bench import live

pytestmark = pytest.mark.bench


def test_live_benchmark_runs_end_to_end_at_tiny_n(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SUPPORTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    doc = live.run(1000, streams=3, changes=2, idle_seconds=0.5)
    rows = {row["measure"]: row for row in doc["results"]}
    change = rows["change on B -> arrival on A"]
    assert change["deliveries"] == 6 and change["min_streams_reached"] == 3
    assert rows["idle CPU, 3 streams"]["streams"] == 3
    assert '"benchmark": "live"' in capsys.readouterr().out

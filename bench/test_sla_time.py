"""`make test` runs the business-time benchmark once at a tiny size, untimed, so it never rots."""

from __future__ import annotations

import pytest

from bench import sla_time

pytestmark = pytest.mark.bench


def test_sla_time_benchmark_runs_end_to_end_at_tiny_n(capsys):
    doc = sla_time.run(200)
    rows = {(row["calendar"], row["measure"]): row for row in doc["results"]}
    assert set(rows) == {
        ("Mon-Fri 09-17 Berlin", "add_business_minutes"),
        ("Mon-Fri 09-17 Berlin", "business_minutes_between"),
        ("24/7", "add_business_minutes"),
        ("24/7", "business_minutes_between"),
        ("Mon-Fri 09-17 Berlin", "add, new Schedule each"),
    }
    assert rows[("24/7", "add_business_minutes")]["calls"] == 200
    assert all(row["per_second"] > 0 for row in rows.values())
    out = capsys.readouterr().out
    assert "N=200" in out and '"benchmark": "sla_time"' in out

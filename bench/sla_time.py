"""Business-time arithmetic speed: SLA due times and business-minute measurements per second.

    python -m bench.sla_time            # 200,000 (start, minutes) pairs per calendar
    python -m bench.sla_time --pairs 1000000

Measures, on one core, for a typical calendar (Mon-Fri 09:00-17:00, Europe/Berlin, a few
holidays) and for 24/7: `add_business_minutes` (due times, targets of 30 minutes to 3 days
from starts spread over a year) and `business_minutes_between` (from each start to its due
time). Target (issue 5): >= 100,000 due-time computations per second for the typical
calendar. The timed passes include filling each schedule's date cache (a year of dates);
the last row shows the price of building a new Schedule for every due time instead of
keeping one per calendar.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import report, stopwatch
from supportdesk.sla.businesstime import (
    Schedule,
    add_business_minutes,
    business_minutes_between,
)

TARGET_PER_SECOND = 100_000
YEAR = 2026
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOLIDAYS = (date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1),
            date(2026, 10, 3), date(2026, 12, 25), date(2026, 12, 26))  # fmt: skip


OFFICE = "Mon-Fri 09-17 Berlin"


def office() -> Schedule:
    hours = {day: [["09:00", "17:00"]] for day in WEEKDAYS}
    return Schedule.from_spec("Europe/Berlin", hours, HOLIDAYS)


def calendars() -> dict[str, Schedule]:
    return {OFFICE: office(), "24/7": Schedule.always("Europe/Berlin")}


def pairs(count: int, seed: int = 5) -> list[tuple[datetime, float]]:
    """Random starts over a year (in UTC, to the microsecond) with 30 minutes to 3 days."""
    rng = random.Random(seed)
    base = datetime(YEAR, 1, 1, tzinfo=UTC)
    span = 365 * 86_400 * 1_000_000
    return [
        (base + timedelta(microseconds=rng.randrange(span)), rng.uniform(30, 3 * 1440))
        for _ in range(count)
    ]


def measure(schedule: Schedule, work: list[tuple[datetime, float]]) -> list[dict[str, Any]]:
    with stopwatch() as timed_add:
        dues = [add_business_minutes(schedule, start, minutes) for start, minutes in work]
    with stopwatch() as timed_between:
        for (start, _), due in zip(work, dues, strict=True):
            business_minutes_between(schedule, start, due)
    return [
        _row("add_business_minutes", len(work), timed_add["seconds"]),
        _row("business_minutes_between", len(work), timed_between["seconds"]),
    ]


def _row(measure_name: str, count: int, seconds: float) -> dict[str, Any]:
    per_second = count / seconds if seconds else float("inf")
    return {
        "measure": measure_name,
        "calls": count,
        "seconds": round(seconds, 3),
        "per_second": round(per_second),
        "us_per_call": round(1e6 / per_second, 2),
    }


def run(count: int) -> dict[str, Any]:
    work = pairs(count)
    rows = []
    for name, schedule in calendars().items():
        rows += [{"calendar": name, **row} for row in measure(schedule, work)]
    few = work[: max(1, count // 20)]
    with stopwatch() as timed:
        for start, minutes in few:
            add_business_minutes(office(), start, minutes)
    rows.append({"calendar": OFFICE, **_row("add, new Schedule each", len(few), timed["seconds"])})
    return report("sla_time", count, rows, target_per_second=TARGET_PER_SECOND)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200_000, help="(start, minutes) pairs")
    args = parser.parse_args(argv)
    run(args.pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SLA clocks at scale: recomputing every ticket's clocks after a calendar change.

    BENCH_N=100000 python -m bench.sla

On the benchmark database (N tickets over a year, every status), installs a business-hours
calendar (Europe/Berlin, Mon-Fri, German holidays) and two policies (urgent, and everyone
else), then times `sla.bulk.recompute_many` over the open tickets and over all N tickets
(solved and closed ones included, whose histories are longer than open ones'):

- after the calendar's hours change (09-17 to 08-16 and back), which moves every due time,
  so every ticket's clocks are rewritten: what an admin's change costs;
- once more with nothing changed (nothing to write): the cost of reading and computing.

Target (issue 5): under 10 s for 100,000 open tickets after a calendar change.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from bench.common import bench_n, report
from bench.generate import ensure_database

HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def _setup() -> None:
    from supportdesk.accounts.models import Role, User
    from supportdesk.sla.models import Calendar, Policy
    from supportdesk.sla.services import save_calendar, save_policy

    admin = User.objects.filter(role=Role.ADMIN).first()
    calendar = Calendar.objects.filter(name="Bench office").first() or save_calendar(
        by=admin, name="Bench office", timezone_name="Europe/Berlin", hours=HOURS, country="DE"
    )
    if not Policy.objects.filter(name="Bench urgent").exists():
        urgent = {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []}
        save_policy(
            by=admin,
            name="Bench urgent",
            conditions=urgent,
            targets={"first_reply": 60, "next_reply": 120, "resolution": 480},
            calendar=calendar,
            position=1,
        )
        save_policy(
            by=admin,
            name="Bench everyone",
            conditions=None,
            targets={"first_reply": 480, "next_reply": 960, "resolution": 4800},
            calendar=calendar,
            position=2,
        )


def _hours(start: int) -> None:
    """The bench calendar's weekday hours from `start` for 8 hours (no recompute job: the
    benchmark times the recompute itself)."""
    from supportdesk.sla.models import Calendar

    hours = {d: [[f"{start:02d}:00", f"{start + 8:02d}:00"]] for d in HOURS}
    Calendar.objects.filter(name="Bench office").update(hours=hours)


def _time(numbers: list[int], now: Any, batch: int) -> dict[str, Any]:
    from supportdesk.sla.bulk import processes_for, recompute_all

    began = time.perf_counter()
    recompute_all(numbers, now=now, batch=batch)  # as recompute_open: in processes when many
    seconds = time.perf_counter() - began
    return {
        "tickets": len(numbers),
        "processes": processes_for(len(numbers)),
        "seconds": seconds,
        "tickets_per_s": len(numbers) / seconds,
    }


def run(n: int, batch: int | None = None, open_only: bool = False) -> dict[str, Any]:
    db = ensure_database(n)
    os.environ.update(db.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportdesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "false"  # saving the policies must not recompute them here
    import django

    django.setup()
    from django.utils import timezone

    from supportdesk.sla.bulk import BATCH, OPEN
    from supportdesk.tickets.models import Ticket

    size = batch or BATCH
    _setup()
    everything = list(Ticket.objects.order_by("number").values_list("number", flat=True))
    open_ = list(
        Ticket.objects.filter(status__in=OPEN).order_by("number").values_list("number", flat=True)
    )
    now = timezone.now()
    # Every stored clock as this version of the code writes it, before timing.
    _time(open_ if open_only else everything, now, size)
    rows = []
    sets = [("open tickets", open_)] + ([] if open_only else [("all tickets", everything)])
    for label, numbers in sets:
        _hours(8)
        rows.append({"measure": f"{label}, calendar changed", **_time(numbers, now, size)})
        _hours(9)
        rows.append({"measure": f"{label}, calendar changed back", **_time(numbers, now, size)})
        rows.append({"measure": f"{label}, nothing changed", **_time(numbers, now, size)})
    return report("sla", n, rows, database_built_seconds=db.seconds, cached=db.cached)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n())
    parser.add_argument("--batch", type=int, help="tickets per batch (default: the app's)")
    parser.add_argument(
        "--open-only", action="store_true", help="time the open tickets only (at 1M: ~100k)"
    )
    args = parser.parse_args(argv)
    run(args.n, args.batch, args.open_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SLA clocks at scale: recomputing every ticket's clocks after a calendar change.

    BENCH_N=100000 python -m bench.sla

On the benchmark database (N tickets over a year, every status), installs a business-hours
calendar (Europe/Berlin, Mon-Fri 09-17, German holidays) and two policies (urgent, and
everyone else), then times `sla.bulk.recompute_many` over every open ticket and over all N
tickets (solved and closed ones included, whose histories are as long), as after a change
of the calendar. Target (issue 5): under 10 s for 100,000 open tickets.
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


def _time(numbers: list[int]) -> dict[str, Any]:
    from django.utils import timezone

    from supportdesk.sla.bulk import BATCH, recompute_many

    now = timezone.now()
    began = time.perf_counter()
    for i in range(0, len(numbers), BATCH):
        recompute_many(numbers[i : i + BATCH], now=now)
    seconds = time.perf_counter() - began
    return {"tickets": len(numbers), "seconds": seconds, "tickets_per_s": len(numbers) / seconds}


def run(n: int) -> dict[str, Any]:
    db = ensure_database(n)
    os.environ.update(db.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportdesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "false"  # saving the policies must not recompute them here
    import django

    django.setup()
    from supportdesk.sla.bulk import OPEN
    from supportdesk.tickets.models import Ticket

    _setup()
    everything = list(Ticket.objects.order_by("number").values_list("number", flat=True))
    open_ = list(
        Ticket.objects.filter(status__in=OPEN).order_by("number").values_list("number", flat=True)
    )
    rows = [
        {"measure": "recompute open tickets", **_time(open_)},
        {"measure": "recompute all tickets", **_time(everything)},
    ]
    return report("sla", n, rows, database_built_seconds=db.seconds, cached=db.cached)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=bench_n())
    args = parser.parse_args(argv)
    run(args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())

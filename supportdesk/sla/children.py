"""What the processes of a big recompute run (see `bulk.recompute_all`). Kept apart from
`bulk.py`: a spawned process imports this module to find these functions before Django is
set up, so nothing here may import a model at the top."""

from __future__ import annotations

from datetime import datetime


def start() -> None:
    import django

    django.setup()


def recompute_batch(numbers: list[int], now: datetime) -> int:
    from supportdesk.sla.bulk import recompute_many

    recompute_many(numbers, now=now)
    return len(numbers)

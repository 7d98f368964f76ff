"""Periodic ticket jobs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from supportdesk.jobs import periodic
from supportdesk.tickets.services import close_solved_tickets


@periodic(minute="*/10")
def close_solved() -> int:
    """Close tickets solved more than AUTO_CLOSE_SOLVED_DAYS days ago."""
    cutoff = timezone.now() - timedelta(days=settings.AUTO_CLOSE_SOLVED_DAYS)
    total = 0
    while closed := close_solved_tickets(older_than=cutoff):
        total += closed
    return total

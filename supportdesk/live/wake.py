"""Waking the streams of every process at once on PostgreSQL.

Streams poll the database (fine on SQLite, where every process shares one file); on
PostgreSQL a NOTIFY sent inside the transaction that changes a ticket reaches every
listening process when it commits, so streams answer at once instead of at the next poll.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from supportdesk.tickets.events import subscribe
from supportdesk.tickets.models import TicketEvent

CHANNEL = "supportdesk_live"


def wake_streams() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def _on_events(events: Sequence[TicketEvent]) -> None:
    wake_streams()


subscribe(_on_events, in_transaction=True)

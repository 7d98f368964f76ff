"""Recompute a ticket's clocks after any change to it commits (in a job)."""

from __future__ import annotations

from collections.abc import Sequence

from supportdesk.jobs import enqueue
from supportdesk.tickets.events import subscribe
from supportdesk.tickets.models import TicketEvent


def on_events(events: Sequence[TicketEvent]) -> None:
    # Its own policy change is the result of a recompute, not a reason for another.
    numbers = sorted({e.ticket_id for e in events if e.field != "sla_policy"})
    if numbers:
        from supportdesk.sla.tasks import recompute_tickets

        enqueue(recompute_tickets, numbers)


subscribe(on_events)

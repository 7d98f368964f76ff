"""sla.warning and sla.breached for triggers: raised once per ticket and due time by the
periodic pass, from the next due time that the sla app keeps on the ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk.automation.engine import Happening, active_triggers, run_triggers
from supportdesk.automation.fields import warning_window
from supportdesk.automation.models import SlaSignal
from supportdesk.tickets.models import Status, Ticket

# A breach older than this is not news: a new rule does not fire on last month's tickets.
LATE_LIMIT = timedelta(hours=24)


def raise_sla_signals(now: datetime | None = None) -> int:
    """Run the sla.warning / sla.breached triggers of tickets that reached those points
    since the last pass; returns how many signals it raised."""
    now = now or timezone.now()
    wanted = {e for e in ("sla.warning", "sla.breached") if active_triggers().get(e)}
    if not wanted:
        return 0
    tickets = (
        Ticket.objects.filter(
            sla_due_at__lte=now + warning_window(),
            sla_due_at__gt=now - LATE_LIMIT,
            deleted_at=None,
        )
        .exclude(status__in=(Status.SOLVED, Status.CLOSED))
        .select_related("requester", "group", "assignee")
        .order_by("sla_due_at", "number")
    )
    raised = 0
    for ticket in tickets.iterator(chunk_size=500):
        due = ticket.sla_due_at
        assert due is not None
        name = "sla.breached" if due <= now else "sla.warning"
        if name in wanted and _raise(ticket, name, due):
            raised += 1
    return raised


def _raise(ticket: Ticket, name: str, due: datetime) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                SlaSignal.objects.create(ticket=ticket, kind=name, due_at=due)
        except IntegrityError:
            return False
        run_triggers(Happening(ticket, name, {}, "system"))
    return True

"""Reading what changed since a cursor: ticket events, presence signals and in-app
notifications, each tailed by its own increasing id. Synchronous; the hub and the
stream call it in a thread."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone

from supportdesk.live.models import PresenceSignal
from supportdesk.tickets.models import TicketEvent

BATCH = 500
PRESENCE_WINDOW = timedelta(seconds=45)
_CURSOR = re.compile(r"^e(\d{1,19})\.s(\d{1,19})\.n(\d{1,19})$")


@dataclass(frozen=True)
class Cursor:
    """Where a reader is in the three trails; sent to browsers as the SSE event id."""

    event: int = 0
    signal: int = 0
    notification: int = 0

    def __str__(self) -> str:
        return f"e{self.event}.s{self.signal}.n{self.notification}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        found = _CURSOR.match((text or "").strip())
        return cls(*(int(g) for g in found.groups())) if found else None


@dataclass
class Batch:
    cursor: Cursor
    events: list[dict[str, Any]] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.signals or self.notifications)


def _notifications() -> Any:
    try:
        return apps.get_model("notify", "Notification")
    except LookupError:  # an install without in-app notifications
        return None


def current_cursor() -> Cursor:
    """The newest row of each trail: a reader starting here sees only what comes next."""
    # One query for the three: pages call this on every view.
    tables = [TicketEvent._meta.db_table, PresenceSignal._meta.db_table]
    model = _notifications()
    if model is not None:
        tables.append(model._meta.db_table)
    # Table names come from our models, never from input.
    select = ", ".join(f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")  # noqa: S608
        row = [v or 0 for v in cursor.fetchone()]
    return Cursor(row[0], row[1], row[2] if len(row) > 2 else 0)


def read_since(cursor: Cursor) -> Batch:
    """Everything after `cursor`, up to BATCH rows of each trail, oldest first."""
    events: list[Any] = list(
        TicketEvent.objects.filter(id__gt=cursor.event)
        .order_by("id")
        .values("id", "ticket_id", "kind", "field", "public", "actor_id", "actor__role")[:BATCH]
    )
    signals: list[Any] = list(
        PresenceSignal.objects.filter(id__gt=cursor.signal)
        .order_by("id")
        .values("id", "ticket_id", "user_id", "user__name", "user__email", "kind")[:BATCH]
    )
    model = _notifications()
    notes = (
        list(
            model.objects.filter(id__gt=cursor.notification)
            .order_by("id")
            .values("id", "user_id")[:BATCH]
        )
        if model
        else []
    )
    return Batch(
        Cursor(
            events[-1]["id"] if events else cursor.event,
            signals[-1]["id"] if signals else cursor.signal,
            notes[-1]["id"] if notes else cursor.notification,
        ),
        events,
        signals,
        notes,
    )


def recent_presence(ticket_id: int) -> list[dict[str, Any]]:
    """The signals of the last PRESENCE_WINDOW on a ticket: who is there now."""
    since = timezone.now() - PRESENCE_WINDOW
    rows: Any = (
        PresenceSignal.objects.filter(ticket_id=ticket_id, created_at__gte=since)
        .order_by("id")
        .values("id", "ticket_id", "user_id", "user__name", "user__email", "kind")
    )
    return list(rows)

"""Appending events and handing them to subscribers.

Two kinds of subscribers: `in_transaction` ones keep derived data that must agree with
the tickets (the search index) and run inside the service's transaction; `on_commit`
ones (mail, later live updates and rules) run after it commits, so a failure there never
undoes the change, and slow work is queued as jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[TicketEvent]], None]
_in_transaction: list[Subscriber] = []
_on_commit: list[Subscriber] = []


def subscribe(fn: Subscriber, *, in_transaction: bool = False) -> Subscriber:
    target = _in_transaction if in_transaction else _on_commit
    if fn not in target:
        target.append(fn)
    return fn


class EventLog:
    """Collects the events of one service call and publishes them together."""

    def __init__(self, *, actor: Any, source: str, rule: str = "") -> None:
        self.actor = actor
        self.source = source
        self.rule = rule
        self.events: list[TicketEvent] = []

    def add(
        self,
        ticket: Ticket,
        kind: str,
        *,
        field: str = "",
        old: Any = None,
        new: Any = None,
        message: Message | None = None,
        public: bool = True,
    ) -> None:
        self.events.append(
            TicketEvent(
                ticket=ticket,
                kind=kind,
                field=field,
                old=old,
                new=new,
                actor=self.actor if getattr(self.actor, "pk", None) else None,
                source=self.source,
                rule=self.rule,
                message=message,
                public=public,
            )
        )

    def changed(self, ticket: Ticket, field: str, old: Any, new: Any, public: bool = True) -> None:
        self.add(ticket, EventKind.CHANGED, field=field, old=old, new=new, public=public)

    def publish(self) -> list[TicketEvent]:
        """Store the events and hand them to subscribers. Call inside the transaction."""
        if not self.events:
            return []
        stored = TicketEvent.objects.bulk_create(self.events)
        # bulk_create sets ids on SQLite 3.35+ and PostgreSQL, which subscribers rely on.
        for fn in _in_transaction:
            fn(stored)
        transaction.on_commit(lambda: _dispatch(stored))
        self.events = []
        return stored


def _dispatch(events: Sequence[TicketEvent]) -> None:
    for fn in _on_commit:
        try:
            fn(events)
        except Exception:
            log.exception(
                "subscriber %s failed for events %s", fn.__qualname__, [e.pk for e in events]
            )

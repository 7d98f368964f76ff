"""The trigger engine: ticket events in, rules run in order, their actions through the
services.

It runs inside the transaction of the change that caused the events (an `in_transaction`
subscriber), so a new ticket is routed and tagged before anyone can see it, and the
caller's ticket object shows what the rules did. Each rule's actions have their own
savepoint (`run.py`): a failing rule never undoes the change.

A rule fires at most once per event. Its actions cause events of their own, which run
the rules again, one level deeper; at AUTOMATION_MAX_DEPTH the chain stops, and the
ticket's timeline says which rule would have run next.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from supportdesk.automation.models import Trigger
from supportdesk.automation.run import RuleRun, run_actions
from supportdesk.conditions.compile import matches
from supportdesk.notify.services import is_muted
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent
from supportdesk.tickets.services import record_automation

log = logging.getLogger(__name__)

CACHE_SECONDS = 10.0
# Changes that are no one's doing: the SLA app's own bookkeeping.
IGNORED_FIELDS = {"sla_policy"}


@dataclass
class Happening:
    """One automation event on one ticket."""

    ticket: Ticket
    name: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    actor_role: str = "system"
    message: Message | None = None


# Which rules exist: kept per process, cleared by saves here, re-read elsewhere ---------

_lock = threading.Lock()
_kept: list[tuple[float, dict[str, list[Trigger]]]] = []


def active_triggers() -> dict[str, list[Trigger]]:
    """Enabled triggers by event, in order."""
    now = time.monotonic()
    if _kept and now - _kept[0][0] < CACHE_SECONDS:
        return _kept[0][1]
    by_event: dict[str, list[Trigger]] = {}
    for trigger in Trigger.objects.filter(enabled=True).order_by("position", "id"):
        by_event.setdefault(trigger.event, []).append(trigger)
    with _lock:
        _kept[:] = [(now, by_event)]
    return by_event


def forget(**_: Any) -> None:
    with _lock:
        _kept.clear()


post_save.connect(forget, sender=Trigger, dispatch_uid="automation-triggers-save")
post_delete.connect(forget, sender=Trigger, dispatch_uid="automation-triggers-delete")
setting_changed.connect(forget, dispatch_uid="automation-triggers-settings")


# From ticket events to automation events ---------------------------------------------


def _role(user: Any) -> str:
    return str(user.role) if user is not None else "system"


def happenings(events: Sequence[TicketEvent]) -> Iterator[Happening]:
    """The automation events of one service call's events, ticket by ticket: a creation
    is only ticket.created; otherwise each message, then status_changed, then updated."""
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    for group in by_ticket.values():
        ticket = group[0].ticket
        messages = [e.message for e in group if e.kind == EventKind.MESSAGE and e.message]
        actor = messages[0].author if messages else group[0].actor
        if any(e.kind == EventKind.CREATED for e in group):
            yield Happening(
                ticket, "ticket.created", {}, _role(actor), messages[0] if messages else None
            )
            continue
        changes = {
            e.field: (e.old, e.new)
            for e in group
            if e.kind == EventKind.CHANGED and e.field not in IGNORED_FIELDS
        }
        for message in messages:
            if not message.public:
                name = "ticket.note_added"
            elif message.author.is_agent:
                name = "ticket.agent_replied"
            else:
                name = "ticket.customer_replied"
            yield Happening(ticket, name, changes, _role(message.author), message)
        if "status" in changes:
            yield Happening(ticket, "ticket.status_changed", changes, _role(actor))
        if changes:
            yield Happening(ticket, "ticket.updated", changes, _role(actor))


# Running ------------------------------------------------------------------------------

_depth = threading.local()


def on_events(events: Sequence[TicketEvent]) -> None:
    """The subscriber: run the triggers of these events, one level deeper than the rule
    whose actions caused them (if any)."""
    # Imports and demo data write history: nothing of it should fire rules.
    if is_muted() or not any(e.kind != EventKind.AUTOMATION for e in events):
        return
    depth = getattr(_depth, "value", 0)
    _depth.value = depth + 1
    try:
        for happening in happenings(events):
            created = happening.name == "ticket.created"
            if created:
                # A ticket that arrives in a routed group has its agent before rules
                # such as "tell the group of a new unassigned ticket" look at it.
                _route(happening.ticket)
            run_triggers(happening, depth=depth)
            if created or "group" in happening.changes:
                _route(happening.ticket)
    finally:
        _depth.value = depth


def run_triggers(happening: Happening, *, depth: int = 0) -> int:
    """Run the enabled triggers of this event whose conditions hold; returns how many
    fired. At the depth limit, records the first that would have fired, and stops."""
    triggers = active_triggers().get(happening.name, [])
    if not triggers:
        return 0
    ticket = happening.ticket
    ticket.__dict__["_automation_actor_role"] = happening.actor_role
    ticket.__dict__.pop("_automation_cache", None)
    fired = 0
    now = timezone.now()
    for trigger in triggers:
        if ticket.deleted_at is not None or not matches(
            ticket, trigger.conditions, changes=happening.changes, now=now
        ):
            continue
        if depth >= settings.AUTOMATION_MAX_DEPTH:
            _stop(happening, trigger, depth)
            break
        run = RuleRun(trigger.name, happening.name, happening.message)
        with transaction.atomic():
            run_actions(trigger.actions, ticket, run)
        fired += 1
        ticket.__dict__["_automation_actor_role"] = happening.actor_role
    return fired


def _stop(happening: Happening, trigger: Trigger, depth: int) -> None:
    text = (
        f"Rules stopped after {depth} steps: rule '{trigger.name}' would have run again "
        f"on {happening.name}. Check rules that undo each other."
    )
    log.warning("automation: ticket %s: %s", happening.ticket.pk, text)
    record_automation(
        happening.ticket,
        text=text,
        rule=trigger.name,
        details={"stopped_at_depth": depth, "event": happening.name},
    )


def _route(ticket: Ticket) -> None:
    from supportdesk.automation.routing import route_if_needed

    try:
        with transaction.atomic():
            route_if_needed(ticket)
    except Exception:
        log.exception("automation: routing ticket %s failed", ticket.pk)

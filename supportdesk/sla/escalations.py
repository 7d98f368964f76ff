"""The periodic engine of SLA warnings, escalations and stalled tickets.

Run every minute (`tasks.run_escalations`). It reads the clocks that `recompute` stored,
never recomputes them: a clock's due time does not move while nothing happens on the
ticket, and anything that happens recomputes it.

"N minutes before/after a breach" counts calendar minutes, not business minutes: a
warning 30 minutes before a due time of Monday 09:15 comes at 08:45, when someone may be
there to act, rather than on Friday evening. Stalled rules count business hours of the
ticket's SLA calendar (24/7 without one), as "no update for 8 business hours" means.

Each rule fires once per ticket and target due time (`EscalationFired`), or per ticket
and last agent update (`StalledFired`); a new next-reply cycle has a new due time, so it
fires again. Each ticket's firing is one transaction; a failing action is logged and the
others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from supportdesk.accounts.models import STAFF_ROLES, Group, User
from supportdesk.conditions.compile import matches
from supportdesk.notify.notifications import notify_agents
from supportdesk.sla.businesstime import business_minutes_between
from supportdesk.sla.clocks import stored_due
from supportdesk.sla.models import (
    EscalationFired,
    EscalationRule,
    StalledFired,
    StalledRule,
    TicketSla,
)
from supportdesk.sla.services import calendar_for, schedule_of
from supportdesk.tickets.models import Message, Source, Status, Ticket
from supportdesk.tickets.services import update_ticket
from supportdesk.webhooks.models import WebhookEndpoint
from supportdesk.webhooks.services import send_webhook

log = logging.getLogger(__name__)

OPEN = (Status.NEW, Status.OPEN, Status.ON_HOLD)
LABELS = {
    "first_reply": "first reply",
    "next_reply": "next reply",
    "periodic_update": "periodic update",
    "resolution": "resolution",
}


@dataclass(frozen=True)
class Firing:
    """What one rule says about one ticket, for the actions to tell people."""

    rule: str
    kind: str  # the notification kind
    event: str  # the webhook event
    line: str  # one line for people
    details: dict[str, Any]


def ticket_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/agent/tickets/{ticket.pk}/"


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "group": ticket.group_id,
        "assignee": ticket.assignee_id,
        "url": ticket_url(ticket),
    }


# Actions -------------------------------------------------------------------------------


def _recipients(ticket: Ticket, to: Sequence[Any]) -> list[User]:
    ids = {i for i in to if isinstance(i, int)}
    if "assignee" in to and ticket.assignee_id:
        ids.add(ticket.assignee_id)
    if "group_lead" in to and ticket.group_id:
        lead = Group.objects.filter(pk=ticket.group_id).values_list("lead_id", flat=True).first()
        if lead:
            ids.add(lead)
    return list(User.objects.filter(pk__in=ids, role__in=STAFF_ROLES, is_active=True))


def notify(kind: str, users: Iterable[User], ticket: Ticket, line: str) -> None:
    body = f"{line}\n\n#{ticket.pk} {ticket.subject}\n{ticket_url(ticket)}\n"
    notify_agents(
        kind,
        users=users,
        ticket=ticket,
        text=line,
        email_subject=f"[#{ticket.pk}] {line}",
        email_body=body,
    )


def _run_action(action: dict[str, Any], ticket: Ticket, firing: Firing) -> None:
    name, value = action["action"], action["value"]
    if name == "notify":
        notify(firing.kind, _recipients(ticket, value["to"]), ticket, firing.line)
    elif name == "webhook":
        endpoint = WebhookEndpoint.objects.filter(pk=value).first()
        if endpoint is None:
            raise LookupError(f"webhook endpoint {value} no longer exists")
        payload = {**firing.details, "rule": firing.rule, "ticket": ticket_payload(ticket)}
        send_webhook(endpoint, event=firing.event, payload=payload, source=f"rule {firing.rule}")
    elif name == "set_priority":
        update_ticket(
            ticket, by=None, changes={"priority": value}, source=Source.RULE, rule=firing.rule
        )
    elif name == "set_group":
        group = Group.objects.filter(pk=value).first()
        if group is None:
            raise LookupError(f"group {value} no longer exists")
        update_ticket(
            ticket, by=None, changes={"group": group}, source=Source.RULE, rule=firing.rule
        )


def run_actions(actions: Sequence[dict[str, Any]], ticket: Ticket, firing: Firing) -> int:
    """Run each action in its own savepoint; returns how many failed (they are logged)."""
    failed = 0
    for action in actions:
        try:
            with transaction.atomic():
                _run_action(action, ticket, firing)
        except Exception:
            failed += 1
            log.exception(
                "sla: rule %r, action %s on ticket %s failed", firing.rule, action, ticket.pk
            )
    return failed


def _record(model: type[EscalationFired] | type[StalledFired], **fields: Any) -> bool:
    """Record a firing; False when it was already recorded (by a run beside this one)."""
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


# Escalations ---------------------------------------------------------------------------


# An "after the breach" rule acts within this long of its moment: a worker that was down
# for less catches up, and a new rule does not act on tickets breached weeks ago (nor
# does the engine look them up again every minute).
LATE_LIMIT = timedelta(hours=24)


def _in_window(rule: EscalationRule, due: datetime, now: datetime) -> bool:
    span = timedelta(minutes=rule.minutes)
    if rule.when == "before":
        return due - span <= now < due
    return due + span <= now < due + span + LATE_LIMIT


def _owed(sla: TicketSla) -> list[tuple[str, datetime]]:
    out = []
    for target, clock in (sla.targets or {}).items():
        due = stored_due(clock)
        if due is not None:
            out.append((target, due))
    return out


def _escalation_firing(rule: EscalationRule, target: str, due: datetime) -> Firing:
    label = LABELS.get(target, target)
    if rule.when == "before":
        line = f"SLA {label} due {due:%Y-%m-%d %H:%M} UTC"
        kind, event = "sla_warning", "sla.warning"
    else:
        line = f"SLA {label} breached"
        kind, event = "sla_breached", "sla.breached"
    details = {"target": target, "due_at": due.isoformat(), "when": rule.when}
    return Firing(rule.name, kind, event, f"{line} ({rule.name})", details)


def run_escalations(now: datetime) -> int:
    """Fire every enabled escalation rule that is due; returns how many fired."""
    rules = list(EscalationRule.objects.filter(enabled=True))
    if not rules:
        return 0
    ahead = max((r.minutes for r in rules if r.when == "before"), default=0)
    # sla_due_at is the earliest owed due time: every ticket with a target in any
    # rule's window has it at or before now + the longest warning.
    candidates = (
        Ticket.objects.filter(sla_due_at__lte=now + timedelta(minutes=ahead), deleted_at=None)
        .select_related("sla", "requester")
        .order_by("sla_due_at", "number")
    )
    fired = 0
    for ticket in candidates.iterator(chunk_size=500):
        sla = getattr(ticket, "sla", None)
        if sla is None:
            continue
        for target, due in _owed(sla):
            for rule in rules:
                if rule.target in (target, "any") and _in_window(rule, due, now):
                    fired += _fire_escalation(rule, ticket, target, due, now)
    return fired


def _fire_escalation(
    rule: EscalationRule, ticket: Ticket, target: str, due: datetime, now: datetime
) -> int:
    key = {"rule": rule, "ticket": ticket, "target": target, "due_at": due}
    if EscalationFired.objects.filter(**key).exists() or not matches(
        ticket, rule.conditions, now=now
    ):
        return 0
    with transaction.atomic():
        if not _record(EscalationFired, **key, fired_at=now):
            return 0
        run_actions(rule.actions, ticket, _escalation_firing(rule, target, due))
    return 1


# Stalled tickets -----------------------------------------------------------------------


def run_stalled(now: datetime) -> int:
    """Fire every enabled stalled rule on open tickets without a recent agent update."""
    rules = list(StalledRule.objects.filter(enabled=True))
    if not rules:
        return 0
    last_agent = (
        Message.objects.filter(ticket=OuterRef("pk"), public=True, author__role__in=STAFF_ROLES)
        .values("ticket")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    # Calendar hours bound business hours from above: a cheap first cut.
    shortest = min(r.hours for r in rules)
    candidates = (
        Ticket.objects.filter(status__in=OPEN, deleted_at=None)
        .annotate(since=Coalesce(Subquery(last_agent), "created_at"))
        .filter(Q(since__lte=now - timedelta(hours=shortest)))
        .select_related("requester", "group", "sla__policy__calendar")
        .order_by("number")
    )
    fired = 0
    for ticket in candidates.iterator(chunk_size=500):
        since: datetime = ticket.since  # type: ignore[attr-defined]
        stalled = _business_minutes_since(ticket, since, now)
        for rule in rules:
            if stalled >= rule.hours * 60:
                fired += _fire_stalled(rule, ticket, since, now)
    return fired


def _business_minutes_since(ticket: Ticket, since: datetime, now: datetime) -> float:
    sla = getattr(ticket, "sla", None)
    policy = sla.policy if sla is not None else None
    if policy is None:
        return (now - since).total_seconds() / 60
    schedule = schedule_of(calendar_for(ticket, policy), business_hours=policy.business_hours)
    return business_minutes_between(schedule, since, now)


def _fire_stalled(rule: StalledRule, ticket: Ticket, since: datetime, now: datetime) -> int:
    key = {"rule": rule, "ticket": ticket, "since": since}
    if StalledFired.objects.filter(**key).exists() or not matches(ticket, rule.conditions, now=now):
        return 0
    line = f"No agent update for {rule.hours} business hours ({rule.name})"
    firing = Firing(rule.name, "stalled", "ticket.stalled", line, {"since": since.isoformat()})
    with transaction.atomic():
        if not _record(StalledFired, **key, fired_at=now):
            return 0
        run_actions(rule.actions, ticket, firing)
    return 1


def run(now: datetime | None = None) -> dict[str, int]:
    """One pass of escalations, stalled tickets and emergencies."""
    from supportdesk.sla import emergencies

    now = now or timezone.now()
    return {
        "escalations": run_escalations(now),
        "stalled": run_stalled(now),
        **emergencies.run(now),
    }

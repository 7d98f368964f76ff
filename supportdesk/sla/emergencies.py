"""Emergencies: open tickets that meet an admin's emergency rule (urgent and VIP, tag
`outage`...). Raised once per rule and ticket: the named agents are notified at once
(kind "emergency", each by their own preferences) and the rule's webhook gets
"emergency.raised"; then every `repeat_minutes` again ("emergency.repeated") until an
agent acknowledges it, or the ticket is solved, closed or trashed. Raising and
acknowledging are both events on the ticket, internal ones.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from supportdesk.accounts.models import STAFF_ROLES, User
from supportdesk.conditions.compile import matches, to_q
from supportdesk.conditions.fields import PYTHON_ONLY
from supportdesk.lib.errors import DomainError, PermissionDenied
from supportdesk.sla.escalations import notify, ticket_payload
from supportdesk.sla.models import Emergency, EmergencyRule
from supportdesk.tickets.events import EventLog
from supportdesk.tickets.models import Source, Status, Ticket
from supportdesk.webhooks.services import send_webhook

log = logging.getLogger(__name__)

OPEN = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


def _candidates(rule: EmergencyRule, now: datetime) -> QuerySet[Ticket]:
    qs = Ticket.objects.filter(status__in=OPEN, deleted_at=None).exclude(emergencies__rule=rule)
    items = rule.conditions.get("all", []) + rule.conditions.get("any", [])
    if not any(item["operator"] in PYTHON_ONLY for item in items):
        # The database does the first cut; `matches` below stays the judge.
        qs = qs.filter(to_q(rule.conditions, now=now))
    return qs.select_related("requester", "group").order_by("number")


def _tell(emergency: Emergency, ticket: Ticket, *, event: str, line: str) -> None:
    """Notify the rule's agents and its webhook; a failure is logged, never raised."""
    rule = emergency.rule
    try:
        with transaction.atomic():
            people = User.objects.filter(pk__in=rule.notify, role__in=STAFF_ROLES)
            notify("emergency", people, ticket, line)
    except Exception:
        log.exception("emergency %s: notifying agents failed", emergency.pk)
    if rule.webhook is None:
        return
    payload = {
        "emergency": emergency.pk,
        "rule": rule.name,
        "raised_at": emergency.raised_at.isoformat(),
        "notified_count": emergency.notified_count,
        "ticket": ticket_payload(ticket),
    }
    try:
        with transaction.atomic():
            send_webhook(rule.webhook, event=event, payload=payload, source=f"rule {rule.name}")
    except Exception:
        log.exception("emergency %s: webhook failed", emergency.pk)


def _raise(rule: EmergencyRule, ticket: Ticket, now: datetime) -> Emergency | None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                emergency = Emergency.objects.create(
                    rule=rule, ticket=ticket, raised_at=now, last_notified_at=now, notified_count=1
                )
        except IntegrityError:
            return None  # raised by a run beside this one
        events = EventLog(actor=None, source=Source.RULE, rule=rule.name)
        events.changed(ticket, "emergency", None, "raised", public=False)
        events.publish()
        _tell(emergency, ticket, event="emergency.raised", line=f"Emergency: {rule.name}")
    return emergency


def raise_emergencies(now: datetime) -> int:
    raised = 0
    for rule in EmergencyRule.objects.filter(enabled=True).select_related("webhook"):
        for ticket in _candidates(rule, now).iterator(chunk_size=500):
            if matches(ticket, rule.conditions, now=now) and _raise(rule, ticket, now):
                raised += 1
    return raised


def repeat_notifications(now: datetime) -> int:
    """Notify again about each unacknowledged emergency whose repeat time has come."""
    repeated = 0
    pending = Emergency.objects.filter(
        acknowledged_at=None,
        rule__enabled=True,
        ticket__status__in=OPEN,
        ticket__deleted_at=None,
    ).select_related("rule__webhook", "ticket")
    for emergency in pending.iterator(chunk_size=500):
        if now < emergency.last_notified_at + timedelta(minutes=emergency.rule.repeat_minutes):
            continue
        with transaction.atomic():
            # Conditional, so that two runs, or an acknowledgement meanwhile, send once.
            claimed = Emergency.objects.filter(
                pk=emergency.pk,
                acknowledged_at=None,
                last_notified_at=emergency.last_notified_at,
            ).update(last_notified_at=now, notified_count=emergency.notified_count + 1)
            if not claimed:
                continue
            emergency.refresh_from_db()
            line = f"Emergency, not yet acknowledged: {emergency.rule.name}"
            _tell(emergency, emergency.ticket, event="emergency.repeated", line=line)
        repeated += 1
    return repeated


def run(now: datetime) -> dict[str, int]:
    return {
        "emergencies_raised": raise_emergencies(now),
        "emergencies_repeated": repeat_notifications(now),
    }


@transaction.atomic
def acknowledge_emergency(
    emergency: Emergency, *, by: User, source: str = Source.WEB, now: datetime | None = None
) -> Emergency:
    """Record that `by` (an agent) took the emergency on: repeats stop."""
    if not by.is_agent:
        raise PermissionDenied("only agents acknowledge emergencies")
    now = now or timezone.now()
    done = Emergency.objects.filter(pk=emergency.pk, acknowledged_at=None).update(
        acknowledged_by=by, acknowledged_at=now
    )
    emergency.refresh_from_db()
    if not done:
        who = emergency.acknowledged_by.display_name if emergency.acknowledged_by else "someone"
        raise DomainError(f"this emergency was already acknowledged by {who}")
    events = EventLog(actor=by, source=source)
    # The event's actor says who: the line reads "Emergency: raised → acknowledged by Ann".
    events.changed(emergency.ticket, "emergency", "raised", "acknowledged", public=False)
    events.publish()
    if emergency.rule.webhook is not None:
        payload = {
            "emergency": emergency.pk,
            "rule": emergency.rule.name,
            "acknowledged_by": by.display_name,
            "acknowledged_at": now.isoformat(),
            "ticket": ticket_payload(emergency.ticket),
        }
        send_webhook(
            emergency.rule.webhook,
            event="emergency.acknowledged",
            payload=payload,
            source=f"acknowledged by {by.display_name}",
        )
    return emergency

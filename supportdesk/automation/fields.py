"""The condition fields this app adds: the mailbox a ticket came in by, its SLA state, and,
in trigger conditions only, the role of whoever caused the event."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from supportdesk.conditions.fields import Field, register
from supportdesk.mail.models import InboundMessage
from supportdesk.tickets.models import Ticket

SLA_STATES = ("none", "active", "warning", "breached")
ACTOR_ROLES = ("customer", "agent", "light_agent", "admin", "system")


def warning_window() -> timedelta:
    return timedelta(minutes=settings.SLA_WARNING_MINUTES)


def sla_state(due: datetime | None, now: datetime) -> str:
    """none: nothing owed; breached: past due; warning: due within the warning window."""
    if due is None:
        return "none"
    if due <= now:
        return "breached"
    return "warning" if due <= now + warning_window() else "active"


def _sla_state_q(state: str, now: datetime) -> Q:
    if state == "none":
        return Q(sla_due_at__isnull=True)
    if state == "breached":
        return Q(sla_due_at__lte=now)
    if state == "warning":
        return Q(sla_due_at__gt=now, sla_due_at__lte=now + warning_window())
    return Q(sla_due_at__gt=now + warning_window())


def _choice_q(one: Any) -> Any:
    """A `to_q` for a choice field from a filter of one value."""

    def to_q(op: str, value: Any, now: datetime) -> Q:
        values = value if isinstance(value, list) else [value]
        q = Q(pk__in=[])
        for v in values:
            q |= one(v, now)
        return ~q if op in ("is_not", "includes_none") else q

    return to_q


def _read_sla_state(ticket: Ticket) -> str:
    return sla_state(ticket.sla_due_at, timezone.now())


def _mailbox_q(op: str, value: Any, now: datetime) -> Q:
    if op == "is_empty":
        return ~Q(Exists(InboundMessage.objects.filter(ticket=OuterRef("pk"))))
    ids = value if isinstance(value, list) else [value]
    found = Q(Exists(InboundMessage.objects.filter(ticket=OuterRef("pk"), mailbox_id__in=ids)))
    return ~found if op in ("is_not", "includes_none") else found


def _read_mailbox(ticket: Ticket) -> int | None:
    """The mailbox of the first mail stored on the ticket, kept on the instance so that a
    hundred rules ask once."""
    cache = ticket.__dict__.setdefault("_automation_cache", {})
    if "mailbox" not in cache:
        cache["mailbox"] = (
            InboundMessage.objects.filter(ticket_id=ticket.pk, mailbox__isnull=False)
            .order_by("pk")
            .values_list("mailbox_id", flat=True)
            .first()
        )
    return cache["mailbox"]  # type: ignore[no-any-return]


def _read_actor_role(ticket: Ticket) -> str:
    return str(ticket.__dict__.get("_automation_actor_role", "system"))


register(
    Field(
        "sla_state",
        "choice",
        "sla_due_at",
        _read_sla_state,
        SLA_STATES,
        to_q=_choice_q(_sla_state_q),
    )
)
register(Field("mailbox", "ref", "", _read_mailbox, refers_to="mail.Mailbox", to_q=_mailbox_q))
register(
    Field(
        "actor_role",
        "choice",
        "",
        _read_actor_role,
        ACTOR_ROLES,
        event_only=True,
    )
)
